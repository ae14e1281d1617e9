//! The preAuth steps a custom table key adds to a model's operations (`@primaryKey`, and the
//! composite sort keys of `@index`): get and the mutations put the item's key in
//! `$ctx.stash.metadata.modelObjectKey`, list turns the key arguments into a key condition
//! (`modelQueryExpression`), and composite sort keys are written as `a#b` attributes.

use crate::model::keys::{PrimaryKey, lower_first, string_arg, string_list, upper_first};
use crate::model::{ObjectModel, Schema};
use crate::vtl::*;

/// The key a step works with: a partition key field and its sort key fields.
pub(super) struct Key<'a> {
    pub(super) partition: &'a str,
    pub(super) sort: &'a [String],
}

impl Key<'_> {
    /// `a#b`: the attribute holding a composite sort key.
    fn composite_attribute(&self) -> String {
        self.sort.join("#")
    }

    /// `aB`: the argument (and attribute alias) of a composite sort key.
    fn composite_argument(&self) -> String {
        camel(self.sort)
    }
}

fn camel(names: &[String]) -> String {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i == 0 {
                lower_first(n)
            } else {
                upper_first(n)
            }
        })
        .collect()
}

/// The DynamoDB attribute type of a key field: `N` for numbers, `S` otherwise.
fn attribute_type(schema: &Schema, model: &ObjectModel, field: &str) -> &'static str {
    let Some(f) = model.field(field) else {
        return "S";
    };
    let base = f.ty.base();
    if schema.is_enum(base) {
        return "S";
    }
    match base {
        "Int" | "Float" | "BigInt" | "Double" | "AWSTimestamp" => "N",
        _ => "S",
    }
}

fn merge_inputs() -> Vec<Stmt> {
    vec![block(
        "Merge default values and inputs",
        vec![
            set(
                "mergedValues",
                call(
                    "util.defaultIfNull",
                    vec![r("ctx.stash.defaultValues"), obj(vec![])],
                ),
            ),
            qr(call(
                "mergedValues.putAll",
                vec![call(
                    "util.defaultIfNull",
                    vec![r("ctx.args.input"), obj(vec![])],
                )],
            )),
        ],
    )]
}

fn set_primary_key(key: &Key, mutation: bool) -> Stmt {
    let from = if mutation { "mergedValues" } else { "ctx.args" };
    let mut attrs = vec![(
        key.partition.to_string(),
        r(format!(
            "util.dynamodb.toDynamoDB(${from}.{})",
            key.partition
        )),
    )];
    if key.sort.len() > 1 {
        let value: Vec<String> = key
            .sort
            .iter()
            .map(|f| format!("${{{from}.{f}}}"))
            .collect();
        attrs.push((
            key.composite_attribute(),
            r(format!("util.dynamodb.toDynamoDB(\"{}\")", value.join("#"))),
        ));
    } else if let Some(sk) = key.sort.first() {
        attrs.push((
            sk.clone(),
            r(format!("util.dynamodb.toDynamoDB(${from}.{sk})")),
        ));
    }
    block(
        "Set the primary key",
        vec![qr(call(
            "ctx.stash.metadata.put",
            vec![s("modelObjectKey"), Expr::Object(attrs)],
        ))],
    )
}

/// Writes a composite sort key (`a#b`) into the input, under its alias; `when_seen`: only when
/// some part of it was given.
fn composite_key(key: &Key, when_seen: bool) -> Stmt {
    if key.sort.len() < 2 {
        return Stmt::Blank;
    }
    let attribute = key.composite_attribute();
    let alias = key.composite_argument();
    let value: Vec<String> = key
        .sort
        .iter()
        .map(|f| format!("${{mergedValues.{f}}}"))
        .collect();
    let put = qr(raw(format!(
        "$ctx.args.input.put('{attribute}',\"{}\")",
        value.join("#")
    )));
    Stmt::Group(vec![
        if_else(
            raw("$util.isNull($ctx.stash.metadata.dynamodbNameOverrideMap)"),
            vec![qr(call(
                "ctx.stash.metadata.put",
                vec![
                    s("dynamodbNameOverrideMap"),
                    raw(format!("{{ '{attribute}': \"{alias}\" }}")),
                ],
            ))],
            vec![qr(call(
                "ctx.stash.metadata.dynamodbNameOverrideMap.put",
                vec![raw(format!("'{attribute}'")), s(&alias)],
            ))],
        ),
        if when_seen {
            iff(r("hasSeenSomeKeyArg"), vec![put])
        } else {
            put
        },
    ])
}

fn invalid_argument(message: &str) -> Stmt {
    raw_line(format!(
        "$util.error(\"{message}\", \"InvalidArgumentsError\")"
    ))
}

/// `## [Start] <title> **` … `## [End] <title> **` (the reference's other block style, with no
/// full stop added).
fn plain_block(title: &str, body: Vec<Stmt>) -> Stmt {
    let mut all = vec![comment(format!("[Start] {title}"))];
    all.extend(body);
    all.push(comment(format!("[End] {title}")));
    Stmt::Group(all)
}

/// The key condition of a list query, from the key arguments.
fn query_expression(schema: &Schema, model: &ObjectModel, key: &Key) -> Stmt {
    key_condition(schema, model, key, true)
}

/// The key condition of an index query (`sortDirection` needs no partition key there).
fn index_query_expression(schema: &Schema, model: &ObjectModel, key: &Key) -> Stmt {
    key_condition(schema, model, key, false)
}

fn key_condition(schema: &Schema, model: &ObjectModel, key: &Key, list: bool) -> Stmt {
    let q = "modelQueryExpression";
    let names: Vec<String> = std::iter::once(key.partition.to_string())
        .chain(key.sort.iter().cloned())
        .collect();
    let types: Vec<&str> = names
        .iter()
        .map(|n| attribute_type(schema, model, n))
        .collect();
    let mut body = Vec::new();
    if names.len() == 1 {
        body.push(iff(
            raw("!$util.isNull($ctx.args.sortDirection)"),
            vec![raw_line("$util.error(\"sortDirection is not supported for List operations without a Sort key defined.\", \"InvalidArgumentsError\")")],
        ));
    } else if list {
        body.push(iff(
            and(vec![
                raw(format!("$util.isNull($ctx.args.{})", names[0])),
                raw("!$util.isNull($ctx.args.sortDirection)"),
            ]),
            vec![raw_line(format!(
                "$util.error(\"When providing argument 'sortDirection' you must also provide argument '{}'.\", \"InvalidArgumentsError\")",
                names[0]
            ))],
        ));
    }
    body.push(set(q, obj(vec![])));
    let hash = hash_condition(&names[0], types[0], q);
    body.push(match names.len() {
        1 => hash,
        2 => Stmt::Group(vec![
            validate_key_arguments(&names),
            hash,
            sort_condition(&names[1], types[1], q),
        ]),
        _ => Stmt::Group(vec![
            validate_composite_arguments(key),
            hash,
            Stmt::Group(vec![composite_sort_condition(key, q)]),
        ]),
    });
    plain_block("Set query expression for key", body)
}

fn hash_condition(hash: &str, ty: &str, q: &str) -> Stmt {
    iff(
        raw(format!("!$util.isNull($ctx.args.{hash})")),
        vec![
            set(format!("{q}.expression"), s(format!("#{hash} = :{hash}"))),
            set(
                format!("{q}.expressionNames"),
                Expr::Object(vec![(format!("#{hash}"), s(hash))]),
            ),
            set(
                format!("{q}.expressionValues"),
                Expr::Object(vec![(
                    format!(":{hash}"),
                    Expr::Object(vec![(ty.to_string(), s(format!("$ctx.args.{hash}")))]),
                )]),
            ),
        ],
    )
}

fn validate_key_arguments(names: &[String]) -> Stmt {
    let mut checks = Vec::new();
    for i in (1..names.len()).rev() {
        let (right, previous) = (&names[i], &names[i - 1]);
        checks.push(iff(
            raw(format!(
                "!$util.isNull($ctx.args.{right}) && $util.isNull($ctx.args.{previous})"
            )),
            vec![raw_line(format!(
                "$util.error(\"When providing argument '{right}' you must also provide arguments {}\", \"InvalidArgumentsError\")",
                names[..i].join(", ")
            ))],
        ));
    }
    plain_block("Validate key arguments.", checks)
}

/// The seven key conditions on a single sort key.
pub(super) fn sort_condition(arg: &str, ty: &str, q: &str) -> Stmt {
    let mut body = Vec::new();
    let put = |name: &str, value: &str| {
        qr(raw(format!(
            "${q}.expressionValues.put(\"{name}\", {{ \"{ty}\": \"$ctx.args.{arg}.{value}\" }})"
        )))
    };
    for (op, expression) in SORT_CONDITIONS {
        let mut then = vec![
            set(
                format!("{q}.expression"),
                raw(format!("\"${q}.expression AND {expression}\"")),
            ),
            qr(raw(format!(
                "${q}.expressionNames.put(\"#sortKey\", \"{arg}\")"
            ))),
        ];
        if op == "between" {
            then.push(put(":sortKey0", "between[0]"));
            then.push(put(":sortKey1", "between[1]"));
        } else {
            then.push(put(":sortKey", op));
        }
        body.push(iff(
            raw(format!(
                "!$util.isNull($ctx.args.{arg}) && !$util.isNull($ctx.args.{arg}.{op})"
            )),
            then,
        ));
    }
    plain_block("Applying Key Condition", body)
}

/// The key conditions a sort key argument offers, and their DynamoDB expressions.
pub const SORT_CONDITIONS: [(&str, &str); 7] = [
    ("beginsWith", "begins_with(#sortKey, :sortKey)"),
    ("between", "#sortKey BETWEEN :sortKey0 AND :sortKey1"),
    ("eq", "#sortKey = :sortKey"),
    ("lt", "#sortKey < :sortKey"),
    ("le", "#sortKey <= :sortKey"),
    ("gt", "#sortKey > :sortKey"),
    ("ge", "#sortKey >= :sortKey"),
];

fn validate_composite_arguments(key: &Key) -> Stmt {
    if key.sort.len() < 2 {
        return Stmt::NewLine;
    }
    let arg = key.composite_argument();
    let hash = key.partition;
    let mut checks = vec![iff(
        raw(format!(
            "!$util.isNull($ctx.args.{arg}) && $util.isNullOrBlank($ctx.args.{hash})"
        )),
        vec![invalid_argument(&format!(
            "When providing argument '{arg}' you must also provide '{hash}'."
        ))],
    )];
    if key.sort.len() < 2 {
        return Stmt::NewLine;
    }
    let pairs: Vec<(&String, &String)> = (1..key.sort.len())
        .rev()
        .map(|i| (&key.sort[i], &key.sort[i - 1]))
        .collect();
    let mut between = vec![iff(
        raw(format!("$ctx.args.{arg}.between.size() != 2")),
        vec![invalid_argument(&format!(
            "Argument '{arg}.between' expects exactly two elements."
        ))],
    )];
    between.push(Stmt::Group(
        pairs
            .iter()
            .map(|(right, previous)| {
                Stmt::Group(
                    [0, 1]
                        .iter()
                        .map(|i| {
                            iff(
                                raw(format!(
                                    "!$util.isNullOrBlank($ctx.args.{arg}.between[{i}].{right}) && $util.isNullOrBlank($ctx.args.{arg}.between[{i}].{previous})"
                                )),
                                vec![invalid_argument(&format!(
                                    "When providing argument '{arg}.between[{i}].{right}' you must also provide '{arg}.between[{i}].{previous}'."
                                ))],
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
    ));
    let other = Stmt::Group(
        pairs
            .iter()
            .map(|(right, previous)| {
                iff(
                    raw(format!(
                        "!$util.isNullOrBlank($ctx.args.{arg}.get(\"$operation\").{right}) && $util.isNullOrBlank($ctx.args.{arg}.get(\"$operation\").{previous})"
                    )),
                    vec![invalid_argument(&format!(
                        "When providing argument '{arg}.$operation.{right}' you must also provide '{arg}.$operation.{previous}'."
                    ))],
                )
            })
            .collect(),
    );
    checks.push(iff(
        raw(format!("!$util.isNull($ctx.args.{arg})")),
        vec![
            set(
                "sortKeyArgumentOperations",
                raw(format!("$ctx.args.{arg}.keySet()")),
            ),
            iff(
                raw("$sortKeyArgumentOperations.size() > 1"),
                vec![invalid_argument(&format!(
                    "Argument {arg} must specify at most one key condition operation."
                ))],
            ),
            for_each(
                "operation",
                r("sortKeyArgumentOperations"),
                vec![if_else(
                    raw("$operation == \"between\""),
                    vec![Stmt::Group(between)],
                    vec![other],
                )],
            ),
        ],
    ));
    plain_block("Validate key arguments.", checks)
}

/// Key conditions on a composite sort key, built from its parts.
pub(super) fn composite_sort_condition(key: &Key, q: &str) -> Stmt {
    let arg = key.composite_argument();
    let attribute = key.composite_attribute();
    let accumulate = |var: &str, path: &str| -> Vec<Stmt> {
        key.sort
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let value = if i == 0 {
                    format!("$ctx.args.{arg}.{path}.{part}")
                } else {
                    format!("${var}#$ctx.args.{arg}.{path}.{part}")
                };
                Stmt::InlineIf(
                    raw(format!("!$util.isNull($ctx.args.{arg}.{path}.{part})")),
                    Box::new(set(var, s(value))),
                )
            })
            .collect()
    };
    let mut body = vec![set("sortKeyValue", s("")), set("sortKeyValue2", s(""))];
    for (op, expression) in SORT_CONDITIONS {
        let mut then = Vec::new();
        if op == "between" {
            then.push(iff(
                raw(format!("$ctx.args.{arg}.between.size() != 2")),
                vec![raw_line(format!(
                    "$util.error(\"Argument {arg}.between expects exactly 2 elements.\")"
                ))],
            ));
            then.extend(accumulate("sortKeyValue", "between[0]"));
            then.extend(accumulate("sortKeyValue2", "between[1]"));
        } else {
            then.extend(accumulate("sortKeyValue", op));
        }
        then.push(set(
            format!("{q}.expression"),
            raw(format!("\"${q}.expression AND {expression}\"")),
        ));
        then.push(qr(raw(format!(
            "${q}.expressionNames.put(\"#sortKey\", \"{attribute}\")"
        ))));
        if op == "between" {
            then.push(qr(raw(format!(
                "${q}.expressionValues.put(\":sortKey0\", {{ \"S\": \"$sortKeyValue\" }})"
            ))));
            then.push(qr(raw(format!(
                "${q}.expressionValues.put(\":sortKey1\", {{ \"S\": \"$sortKeyValue2\" }})"
            ))));
        } else {
            then.push(qr(raw(format!(
                "${q}.expressionValues.put(\":sortKey\", {{ \"S\": \"$sortKeyValue\" }})"
            ))));
        }
        body.push(iff(
            raw(format!(
                "!$util.isNull($ctx.args.{arg}) && !$util.isNull($ctx.args.{arg}.{op})"
            )),
            then,
        ));
    }
    body.push(Stmt::NewLine);
    plain_block("Applying Key Condition", body)
}

/// An operation of a model, as the key steps see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOp {
    Get,
    List,
    Create,
    Update,
    Delete,
}

/// The preAuth templates of one operation, in slot order: the primary key's, then those of
/// `@index`es with a composite sort key (mutations only).
pub fn pre_auth(schema: &Schema, model: &ObjectModel, op: KeyOp) -> Vec<Vec<Stmt>> {
    let mut out = Vec::new();
    let pk = PrimaryKey::of(model);
    if pk.explicit {
        let key = Key {
            partition: &pk.partition,
            sort: &pk.sort,
        };
        let mut t: Vec<Stmt> = match op {
            KeyOp::Get => vec![set_primary_key(&key, false)],
            KeyOp::List => vec![
                query_expression(schema, model, &key),
                qr(call(
                    "ctx.stash.put",
                    vec![s("modelQueryExpression"), r("modelQueryExpression")],
                )),
            ],
            KeyOp::Create | KeyOp::Update => {
                let mut v = merge_inputs();
                v.push(set_primary_key(&key, true));
                v.push(composite_key(&key, false));
                v
            }
            KeyOp::Delete => {
                let mut v = merge_inputs();
                v.push(set_primary_key(&key, true));
                v
            }
        };
        t.push(raw_line("{}"));
        out.push(t);
    }
    if matches!(op, KeyOp::Create | KeyOp::Update | KeyOp::Delete) {
        for f in &model.fields {
            for d in f.directives.iter().filter(|d| d.name.text == "index") {
                let sort = string_list(d, "sortKeyFields");
                if sort.len() < 2 {
                    continue;
                }
                let name = string_arg(d, "name").unwrap_or_default();
                let key = Key {
                    partition: &f.name.text,
                    sort: &sort,
                };
                let mut t = merge_inputs();
                match op {
                    KeyOp::Delete => t.push(composite_key(&key, false)),
                    _ => {
                        let verb = if op == KeyOp::Create {
                            "create"
                        } else {
                            "update"
                        };
                        t.push(validate_index_arguments(
                            &format!("@index '{name}'"),
                            verb,
                            &sort,
                        ));
                        t.push(composite_key(&key, true));
                    }
                }
                t.push(raw_line("{}"));
                out.push(t);
            }
        }
    }
    // The indexes `@hasMany`/`@hasOne(references:)` add here, when their sort key is composite.
    if matches!(op, KeyOp::Create | KeyOp::Update) {
        let verb = if op == KeyOp::Create {
            "create"
        } else {
            "update"
        };
        for (name, references) in reference_indexes(schema, model) {
            if references.len() < 3 {
                continue;
            }
            let key = Key {
                partition: &references[0],
                sort: &references[1..],
            };
            let mut t = merge_inputs();
            t.push(validate_index_arguments(
                &format!("global secondary index '{name}'"),
                verb,
                key.sort,
            ));
            t.push(composite_key(&key, true));
            t.push(raw_line("{}"));
            out.push(t);
        }
    }
    out
}

/// The indexes relations with `references:` add to `model`'s table (`gsi-<Parent>.<field>`)
/// and their key fields, `@hasMany`s first, as the reference adds them.
fn reference_indexes(schema: &Schema, model: &ObjectModel) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for directive in ["hasMany", "hasOne"] {
        for (parent, f) in schema
            .fields_of_type(&model.name.text)
            .filter(|(parent, _)| parent.is_model())
        {
            {
                for d in f.directives.iter().filter(|d| d.name.text == directive) {
                    let references = string_list(d, "references");
                    if !references.is_empty() {
                        out.push((
                            format!("gsi-{}.{}", parent.name.text, f.name.text),
                            references,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// A mutation that sets part of an index's composite sort key must set all of it; `index`
/// describes the index in the message.
fn validate_index_arguments(index: &str, verb: &str, sort: &[String]) -> Stmt {
    let gerund = format!("{}ing", &verb[..verb.len() - 1]);
    block(
        format!("Validate {verb} mutation for {index}"),
        vec![
            set("hasSeenSomeKeyArg", Expr::Bool(false)),
            set("keyFieldNames", list(sort.iter().map(s).collect())),
            for_each(
                "keyFieldName",
                r("keyFieldNames"),
                vec![Stmt::InlineIf(
                    raw("$mergedValues.containsKey(\"$keyFieldName\")"),
                    Box::new(set("hasSeenSomeKeyArg", Expr::Bool(true))),
                )],
            ),
            for_each(
                "keyFieldName",
                r("keyFieldNames"),
                vec![iff(
                    raw("$hasSeenSomeKeyArg && !$mergedValues.containsKey(\"$keyFieldName\")"),
                    vec![raw_line(format!(
                        "$util.error(\"When {gerund} any part of the composite sort key for {index}, you must provide all fields for the key. Missing key: '$keyFieldName'.\")"
                    ))],
                )],
            ),
        ],
    )
}

/// `Query.<index query>.req.vtl`: a key `Query` on the index, filtered by the auth filter.
pub fn index_query_request(
    schema: &Schema,
    model: &ObjectModel,
    index: &str,
    partition: &str,
    sort: &[String],
) -> Vec<Stmt> {
    let key = Key { partition, sort };
    vec![
        index_query_expression(schema, model, &key),
        set("limit", r("util.defaultIfNull($context.args.limit, 100)")),
        set(
            "QueryRequest",
            obj(vec![
                ("version", s("2018-05-29")),
                ("operation", s("Query")),
                ("limit", r("limit")),
                ("query", r("modelQueryExpression")),
                ("index", s(index)),
            ]),
        ),
        if_else(
            raw(
                "!$util.isNull($ctx.args.sortDirection)\n                  && $ctx.args.sortDirection == \"DESC\"",
            ),
            vec![set("QueryRequest.scanIndexForward", Expr::Bool(false))],
            vec![set("QueryRequest.scanIndexForward", Expr::Bool(true))],
        ),
        Stmt::InlineIf(
            r("context.args.nextToken"),
            Box::new(set("QueryRequest.nextToken", r("context.args.nextToken"))),
        ),
        super::model_data::filter_steps("ctx.args", "QueryRequest"),
        raw_line("$util.toJson($QueryRequest)"),
    ]
}

/// `Query.<index query>.res.vtl`.
pub fn index_query_response() -> Vec<Stmt> {
    vec![
        iff(
            r("ctx.error"),
            vec![raw_line("$util.error($ctx.error.message, $ctx.error.type)")],
        ),
        raw_line("$util.toJson($ctx.result)"),
    ]
}
