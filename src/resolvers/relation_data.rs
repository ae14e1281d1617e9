//! The resolvers of relational fields (`@hasOne`, `@hasMany`, `@belongsTo` and the sides of
//! `@manyToMany`) and the data step of each: a DynamoDB `Query` of the related table, keyed
//! by fields of the parent object (`relations::Lookup` says which).
//!
//! The key values come from the stash's connection attributes when a caller put them there,
//! else from the parent (`$ctx.source`). The reference misspells the stash map
//! (`connectionAttibutes`) everywhere but for the partition key of a page of items; the
//! resolver's init step creates `connectionAttributes`, so only that lookup can ever find
//! anything there. Both names are kept as the reference writes them.

use super::key_steps::{self, Key};
use super::{Builder, DataSourceRef, ResolverKind, Step};
use crate::plan::relations::{
    Lookup, ManyLookup, ManySort, OneLookup, OneSortValue, SortCondition,
};
use crate::vtl::*;

/// The value stored for a key the parent does not have.
const NONE_VALUE: &str = "___xamznone____";

impl Builder<'_> {
    /// One resolver per relational field, in the order the reference's relational
    /// transformers make them (`relations::Stage`): its auth steps, then its data step. The
    /// resolver's stash describes the related table.
    pub(super) fn relational_fields(&mut self) {
        let plan = self.model_plans;
        let all = &plan.relations;
        let mut ordered: Vec<_> = all.iter().collect();
        ordered.sort_by_key(|r| r.stage(self.schema));
        for rel in ordered {
            let Some(parent) = plan.model(&rel.model) else {
                continue;
            };
            let Some(lookup) = rel.lookup(self.schema, self.config, all) else {
                continue;
            };
            let table = DataSourceRef::Model(rel.related.clone());
            let mut steps = self.relation_auth_steps(parent, &rel.field);
            steps.push(match &lookup {
                Lookup::Many(l) => Step::data(table.clone(), many_request(l), many_response()),
                Lookup::One(l) => {
                    Step::data(table.clone(), one_request(l), one_response(l.by_references))
                }
            });
            self.add(
                &rel.model,
                &rel.field,
                ResolverKind::Relational,
                None,
                table,
                steps,
            );
        }
    }
}

/// A key value: from the stash map `stash` when it has one, else from the parent.
fn from_parent(stash: &str, field: &str) -> Expr {
    call(
        "util.defaultIfNull",
        vec![
            r(format!("ctx.stash.{stash}.get(\"{field}\")")),
            r(format!("ctx.source.{field}")),
        ],
    )
}

fn not_empty(e: Expr) -> Expr {
    not(call("util.isNullOrEmpty", vec![e]))
}

/// An empty page, returned without reading the table.
fn empty_page() -> Vec<Stmt> {
    vec![
        set("result", obj(vec![("items", list(vec![]))])),
        raw_line("#return($result)"),
    ]
}

/// `<Type>.<field>.req.vtl` of `@hasMany` and `@manyToMany`: a page of related items, with
/// the field's `limit`, `sortDirection`, `nextToken` and `filter` (and the auth filter).
pub fn many_request(l: &ManyLookup) -> Vec<Stmt> {
    let mut query = vec![set(
        "limit",
        r(format!(
            "util.defaultIfNull($context.args.limit, {})",
            l.limit
        )),
    )];
    for (i, field) in l.source.iter().skip(1).enumerate() {
        query.push(set(
            format!("sortKeyValue{i}"),
            from_parent("connectionAttibutes", field),
        ));
    }
    query.push(set("query", key_expression(l)));
    if let ManySort::Condition(condition) = &l.sort {
        query.push(match condition {
            SortCondition::Single {
                field,
                attribute_type,
            } => key_steps::sort_condition(field, attribute_type, "query"),
            SortCondition::Composite(parts) => key_steps::composite_sort_condition(
                &Key {
                    partition: "",
                    sort: parts,
                },
                "query",
            ),
        });
    }
    query.push(set(
        "args",
        call(
            "util.defaultIfNull",
            vec![r("ctx.stash.transformedArgs"), r("ctx.args")],
        ),
    ));
    query.extend(filter_steps());
    let mut request = vec![
        ("version", s("2018-05-29")),
        ("operation", s("Query")),
        ("query", raw("$util.toJson($query)")),
        (
            "scanIndexForward",
            if_else_value(
                r("context.args.sortDirection"),
                if_else_value(
                    eq(r("context.args.sortDirection"), s("ASC")),
                    Expr::Bool(true),
                    Expr::Bool(false),
                ),
                Expr::Bool(true),
            ),
        ),
        (
            "filter",
            if_else_value(r("filter"), r("util.toJson($filter)"), Expr::Null),
        ),
        ("limit", r("limit")),
        (
            "nextToken",
            if_else_value(
                r("context.args.nextToken"),
                r("util.toJson($context.args.nextToken)"),
                Expr::Null,
            ),
        ),
    ];
    if let Some(index) = &l.index {
        request.push(("index", s(index)));
    }
    query.push(stmt(obj(request)));
    vec![
        iff(r("ctx.stash.deniedField"), empty_page()),
        set(
            "partitionKeyValue",
            from_parent("connectionAttributes", &l.source[0]),
        ),
        if_else(
            call("util.isNull", vec![r("partitionKeyValue")]),
            empty_page(),
            query,
        ),
    ]
}

/// The key condition of a page: the partition key, and the sort key when the parent gives it.
fn key_expression(l: &ManyLookup) -> Expr {
    let partition_value = r("util.dynamodb.toDynamoDB($partitionKeyValue)");
    let ManySort::FromSource {
        attribute,
        parts,
        quoted,
    } = &l.sort
    else {
        return obj(vec![
            ("expression", s("#partitionKey = :partitionKey")),
            (
                "expressionNames",
                obj(vec![("#partitionKey", s(&l.partition))]),
            ),
            (
                "expressionValues",
                obj(vec![(":partitionKey", partition_value)]),
            ),
        ]);
    };
    let sort_value = if *quoted {
        let joined: Vec<String> = (0..*parts)
            .map(|i| format!("${{sortKeyValue{i}}}"))
            .collect();
        format!("util.dynamodb.toDynamoDB(\"{}\")", joined.join("#"))
    } else {
        "util.dynamodb.toDynamoDB($sortKeyValue0)".to_string()
    };
    obj(vec![
        (
            "expression",
            s("#partitionKey = :partitionKey AND #sortKey = :sortKey"),
        ),
        (
            "expressionNames",
            obj(vec![
                ("#partitionKey", s(&l.partition)),
                ("#sortKey", s(attribute)),
            ]),
        ),
        (
            "expressionValues",
            obj(vec![
                (":partitionKey", partition_value),
                (":sortKey", r(sort_value)),
            ]),
        ),
    ])
}

/// The field's `filter` argument and the auth filter, both applied, as a DynamoDB filter.
fn filter_steps() -> Vec<Stmt> {
    vec![
        if_else(
            not_empty(r("ctx.stash.authFilter")),
            vec![
                set("filter", r("ctx.stash.authFilter")),
                iff(
                    not_empty(r("args.filter")),
                    vec![set(
                        "filter",
                        obj(vec![("and", list(vec![r("filter"), r("args.filter")]))]),
                    )],
                ),
            ],
            vec![iff(
                not_empty(r("args.filter")),
                vec![set("filter", r("args.filter"))],
            )],
        ),
        super::model_data::filter_as_expression("filter", false),
    ]
}

/// `<Type>.<field>.res.vtl` of `@hasMany` and `@manyToMany`: the page, its items marked as
/// read through a mutation's result when the parent is one.
pub fn many_response() -> Vec<Stmt> {
    error_or(vec![
        iff(raw("!$result"), vec![set("result", r("ctx.result"))]),
        iff(
            eq(
                call(
                    "util.defaultIfNull",
                    vec![call("ctx.source.get", vec![s("__operation")]), Expr::Null],
                ),
                s("Mutation"),
            ),
            vec![for_each(
                "item",
                r("result.items"),
                vec![qr(call("item.put", vec![s("__operation"), s("Mutation")]))],
            )],
        ),
        raw_line("$util.toJson($result)"),
    ])
}

/// The DynamoDB value of a key, with a placeholder that matches nothing when it is unset.
fn key_value(value: &str, attribute_type: &str) -> Expr {
    let default = if attribute_type == "S" {
        "defaultIfNullOrBlank"
    } else {
        "defaultIfNull"
    };
    r(format!(
        "util.parseJson($util.dynamodb.toDynamoDBJson($util.{default}({value}, \"{NONE_VALUE}\")))"
    ))
}

/// `<Type>.<field>.req.vtl` of `@hasOne` and `@belongsTo`: the related item by its key, or
/// nothing when the parent lacks a part of it.
pub fn one_request(l: &OneLookup) -> Vec<Stmt> {
    let mut expression = "#partitionKey = :partitionValue".to_string();
    let mut names = vec![("#partitionKey".to_string(), s(&l.partition))];
    let mut values = vec![(
        ":partitionValue".to_string(),
        key_value("$partitionKeyValue", l.partition_type),
    )];
    if let Some(sort) = &l.sort {
        expression.push_str(" AND #sortKeyName = :sortKeyName");
        names.push(("#sortKeyName".into(), s(&sort.attribute)));
        values.push((
            ":sortKeyName".into(),
            match &sort.value {
                OneSortValue::Field {
                    name,
                    attribute_type,
                } => key_value(&format!("$ctx.source.{name}"), attribute_type),
                OneSortValue::Composite(parts) => {
                    let joined: Vec<String> = parts
                        .iter()
                        .map(|p| format!("${{ctx.source.{p}}}"))
                        .collect();
                    key_value(&format!("\"{}\"", joined.join("#")), "S")
                }
            },
        ));
    }
    let mut get = vec![("version", s("2018-05-29")), ("operation", s("Query"))];
    if let Some(index) = &l.index {
        get.push(("index", s(index)));
    }
    let missing = std::iter::once(call("util.isNull", vec![r("partitionKeyValue")]))
        .chain(
            l.source
                .iter()
                .skip(1)
                .map(|f| raw(format!("$util.isNull($ctx.source.{f})"))),
        )
        .collect();
    vec![
        iff(
            r("ctx.stash.deniedField"),
            vec![raw_line("#return($util.toJson(null))")],
        ),
        set(
            "partitionKeyValue",
            from_parent("connectionAttibutes", &l.source[0]),
        ),
        if_else(
            or(missing),
            vec![raw_line("#return")],
            vec![
                set("GetRequest", obj(get)),
                qr(call(
                    "GetRequest.put",
                    vec![
                        s("query"),
                        obj(vec![
                            ("expression", s(expression)),
                            ("expressionNames", Expr::Object(names)),
                            ("expressionValues", Expr::Object(values)),
                        ]),
                    ],
                )),
                super::model_data::auth_filter_into_get_request(),
                to_json(r("GetRequest")),
            ],
        ),
    ]
}

/// `<Type>.<field>.res.vtl` of `@hasOne` and `@belongsTo`: the item, or null; an item that
/// was read but filtered out by the auth filter is unauthorized.
pub fn one_response(by_references: bool) -> Vec<Stmt> {
    let read = |n: i64| {
        let count = r("ctx.result.scannedCount");
        if by_references {
            Expr::Gt(Box::new(count), Box::new(Expr::Int(n)))
        } else {
            eq(count, Expr::Int(n))
        }
    };
    let found = if by_references {
        not(r("ctx.result.items.isEmpty()"))
    } else {
        and(vec![not(r("ctx.result.items.isEmpty()")), read(1)])
    };
    let hidden = and(vec![
        r("ctx.result.items.isEmpty()"),
        read(if by_references { 0 } else { 1 }),
    ]);
    error_or(vec![if_else(
        found,
        vec![
            set("resultValue", r("ctx.result.items[0]")),
            set(
                "operation",
                call(
                    "util.defaultIfNull",
                    vec![call("ctx.source.get", vec![s("__operation")]), Expr::Null],
                ),
            ),
            iff(
                eq(r("operation"), s("Mutation")),
                vec![qr(call(
                    "resultValue.put",
                    vec![s("__operation"), s("Mutation")],
                ))],
            ),
            to_json(r("resultValue")),
        ],
        vec![
            iff(hidden, vec![stmt(r("util.unauthorized()"))]),
            to_json(Expr::Null),
        ],
    )])
}

/// The data source's error, or `body`.
fn error_or(body: Vec<Stmt>) -> Vec<Stmt> {
    vec![if_else(
        r("ctx.error"),
        vec![stmt(r("util.error($ctx.error.message, $ctx.error.type)"))],
        body,
    )]
}
