//! DataStore's `sync<Models>` query. Its data step is a `Sync` operation over the table, or
//! the key `Query` a preAuth step prepared (`$ctx.stash.QueryRequest`) when the caller's auth
//! filter allows it. Those preAuth steps come from custom keys: one for the model's `@index`es
//! and, after it, one for its `@primaryKey`. Each maps the key fields to the index (or
//! `dbTable`) and, when the first `and` clause of the filter is an `eq` on a partition key
//! (and the last sync is outside the delta table's window), prepares a keyed `Sync`.

use crate::model::ObjectModel;
use crate::model::keys::{Index, PrimaryKey};
use crate::vtl::*;

const REQUEST: &str = "ctx.stash.QueryRequest";
const VARIABLES: &str = "ctx.stash.QueryRequestVariables";

fn not_empty(e: Expr) -> Expr {
    not(call("util.isNullOrEmpty", vec![e]))
}

/// `Query.sync<Ts>.req.vtl`.
pub fn sync_request() -> Vec<Stmt> {
    let auth_filter = || r("ctx.stash.authFilter");
    // With a key query prepared: AND the auth filter into it unless the auth filter already
    // names the partition key (then a scan), or a sort key.
    let merge_into_query = vec![
        for_each(
            "filterItem",
            r("ctx.stash.authFilter.or"),
            vec![for_each(
                "sortKey",
                r(format!("{VARIABLES}.sortKeys")),
                vec![iff(
                    raw("$filterItem.get($sortKey)"),
                    vec![set("authFilterContainsSortKey", Expr::Bool(true))],
                )],
            )],
        ),
        iff(
            not(r("authFilterContainsSortKey")),
            vec![
                if_else(
                    not_empty(r(format!("{REQUEST}.filter"))),
                    vec![set(
                        format!("{REQUEST}.filter"),
                        obj(vec![(
                            "and",
                            list(vec![r(format!("{REQUEST}.filter")), auth_filter()]),
                        )]),
                    )],
                    vec![set(format!("{REQUEST}.filter"), auth_filter())],
                ),
                set("useScan", Expr::Bool(false)),
            ],
        ),
    ];
    let partition_filter_matches = vec![for_each(
        "filterItem",
        r("ctx.stash.authFilter.or"),
        vec![iff(
            raw(format!(
                "$util.toJson($filterItem) == $util.toJson(${VARIABLES}.partitionKeyFilter)"
            )),
            vec![set("useScan", Expr::Bool(false))],
        )],
    )];
    let with_auth_filter = vec![
        set("filter", auth_filter()),
        iff(
            r(format!("{VARIABLES}.partitionKey")),
            vec![
                for_each(
                    "filterItem",
                    r("ctx.stash.authFilter.or"),
                    vec![iff(
                        raw(format!("$filterItem.get(${VARIABLES}.partitionKey)")),
                        vec![set("queryFilterContainsAuthField", Expr::Bool(true))],
                    )],
                ),
                if_else(
                    not(r("queryFilterContainsAuthField")),
                    merge_into_query,
                    partition_filter_matches,
                ),
            ],
        ),
        iff(
            not_empty(r("args.filter")),
            vec![set(
                "filter",
                obj(vec![("and", list(vec![r("filter"), r("args.filter")]))]),
            )],
        ),
    ];
    let sync_operation = Expr::Object(vec![
        ("version".into(), s("2018-05-29")),
        ("operation".into(), s("Sync")),
        (
            "filter".into(),
            Expr::IfElse(
                Box::new(r("filter")),
                Box::new(r("util.toJson($filter)")),
                Box::new(Expr::Null),
            ),
        ),
        ("limit".into(), r("util.defaultIfNull($args.limit, 100)")),
        (
            "lastSync".into(),
            r("util.toJson($util.defaultIfNull($args.lastSync, null))"),
        ),
        (
            "nextToken".into(),
            r("util.toJson($util.defaultIfNull($args.nextToken, null))"),
        ),
    ]);
    vec![block(
        "Sync Request template",
        vec![
            super::model_data::set_args(),
            set("queryFilterContainsAuthField", Expr::Bool(false)),
            set("authFilterContainsSortKey", Expr::Bool(false)),
            set("useScan", Expr::Bool(true)),
            iff(
                and(vec![
                    call("util.isNullOrEmpty", vec![auth_filter()]),
                    r(REQUEST),
                ]),
                vec![set("useScan", Expr::Bool(false))],
            ),
            if_else(
                not_empty(auth_filter()),
                with_auth_filter,
                vec![iff(
                    not_empty(r("args.filter")),
                    vec![set("filter", r("args.filter"))],
                )],
            ),
            super::model_data::filter_as_expression("filter", false),
            if_else(
                not(r("useScan")),
                vec![
                    iff(
                        r(format!("{REQUEST}.filter")),
                        vec![set(
                            format!("{REQUEST}.filter"),
                            super::model_data::dynamodb_filter(&format!("{REQUEST}.filter")),
                        )],
                    ),
                    raw_line(format!("$util.toJson(${REQUEST})")),
                ],
                vec![stmt(sync_operation)],
            ),
        ],
    )]
}

/// One key the sync query can use: the index name (`dbTable` for the table's own key), its
/// partition key field and sort key fields.
struct SyncKey<'a> {
    index: &'a str,
    partition: &'a str,
    sort: &'a [String],
}

/// The preAuth templates of `Query.sync<Ts>`, in slot order: the `@index`es' (when the model
/// has any), then the `@primaryKey`'s.
pub fn sync_pre_auth(model: &ObjectModel, indexes: &[Index]) -> Vec<Vec<Stmt>> {
    let mut out = Vec::new();
    if !indexes.is_empty() {
        let keys: Vec<SyncKey> = indexes
            .iter()
            .map(|i| SyncKey {
                index: &i.name,
                partition: &i.partition,
                sort: &i.sort,
            })
            .collect();
        out.push(key_query(&keys));
    }
    let pk = PrimaryKey::of(model);
    if pk.explicit {
        out.push(key_query(&[SyncKey {
            index: "dbTable",
            partition: &pk.partition,
            sort: &pk.sort,
        }]));
    }
    out
}

/// `## [Start] <title> **` … `## [End] <title> **`, without the full stop `block` adds.
fn key_block(title: &str, body: Vec<Stmt>) -> Stmt {
    let mut all = vec![comment(format!("[Start] {title}"))];
    all.extend(body);
    all.push(comment(format!("[End] {title}")));
    Stmt::Group(all)
}

const KEY_TITLE: &str = "Set query expression for @key";

fn key_query(keys: &[SyncKey]) -> Vec<Stmt> {
    let mut t = vec![init()];
    t.extend(keys.iter().map(key_maps));
    t.push(split_filter());
    t.push(partition_condition());
    t.push(sort_conditions());
    t.push(prepare_request());
    // The template ends with a line break.
    t.push(Stmt::Blank);
    t
}

fn init() -> Stmt {
    key_block(
        "Set map initialization for @key",
        vec![
            set("index", s("")),
            set("scan", Expr::Bool(true)),
            set("filterMap", obj(vec![])),
            set("QueryMap", obj(vec![])),
            set("PkMap", obj(vec![])),
            set("SkMap", obj(vec![])),
            set("filterArgsMap", obj(vec![])),
            // An earlier key step already prepared the query.
            iff(r(REQUEST), vec![Stmt::Return(None)]),
            set("queryRequestVariables", obj(vec![])),
        ],
    )
}

/// `QueryMap`: `pk+sk1+…` → index; `PkMap`: partition key → index; `SkMap`: index → sort keys.
fn key_maps(key: &SyncKey) -> Stmt {
    let all: Vec<&str> = std::iter::once(key.partition)
        .chain(key.sort.iter().map(String::as_str))
        .collect();
    key_block(
        KEY_TITLE,
        vec![
            raw_line(format!(
                "$util.qr($QueryMap.put('{}' , '{}'))",
                all.join("+"),
                key.index
            )),
            raw_line(format!(
                "$util.qr($PkMap.put('{}' , '{}'))",
                key.partition, key.index
            )),
            qr(call(
                "SkMap.put",
                vec![
                    s(key.index),
                    list(key.sort.iter().map(|f| s(f.as_str())).collect()),
                ],
            )),
        ],
    )
}

/// Reads the filter's `and` list: an `eq` on a partition key first picks the index, a
/// condition on one of its sort keys second narrows it, anything else stays a filter.
fn split_filter() -> Stmt {
    let first = iff(
        raw(
            "$ind == 0 && !$util.isNullOrEmpty($entry.value.eq) && !$util.isNullOrEmpty($PkMap.get($entry.key))",
        ),
        vec![
            set("pk", r("entry.key")),
            set("scan", Expr::Bool(false)),
            set("queryRequestVariables.partitionKey", r("pk")),
            set(
                "queryRequestVariables.sortKeys",
                r("SkMap.get($PkMap.get($pk))"),
            ),
            set("queryRequestVariables.partitionKeyFilter", obj(vec![])),
            raw_line(
                "$util.qr($queryRequestVariables.partitionKeyFilter.put($pk, {'eq': $entry.value.eq}))",
            ),
            raw_line("$util.qr($ctx.args.put($pk,$entry.value.eq))"),
            set("index", r("PkMap.get($pk)")),
        ],
    );
    let second = if_else(
        raw(
            "$ind == 1 && !$util.isNullOrEmpty($pk) && !$util.isNullOrEmpty($QueryMap.get(\"${pk}+$entry.key\"))",
        ),
        vec![
            set("sk", r("entry.key")),
            raw_line("$util.qr($ctx.args.put($sk,$entry.value))"),
            set("index", r("QueryMap.get(\"${pk}+$sk\")")),
        ],
        vec![iff(
            raw("$ind > 0"),
            vec![raw_line(
                "$util.qr($filterMap.put($entry.key,$entry.value))",
            )],
        )],
    );
    key_block(
        KEY_TITLE,
        vec![
            set("filterArgsMap", r("ctx.args.filter.get(\"and\")")),
            set("isLastSyncInDeltaTTLWindow", Expr::Bool(false)),
            set(
                "minLastSync",
                raw("$util.time.nowEpochMilliSeconds() - $ctx.stash.deltaSyncTableTtl * 60 * 1000"),
            ),
            iff(
                and(vec![
                    not(call("util.isNull", vec![r("ctx.args.lastSync")])),
                    ne(r("ctx.args.lastSync"), Expr::Int(0)),
                    raw("$minLastSync <= $ctx.args.lastSync"),
                ]),
                vec![set("isLastSyncInDeltaTTLWindow", Expr::Bool(true))],
            ),
            if_else(
                raw("!$util.isNullOrEmpty($filterArgsMap) && !$isLastSyncInDeltaTTLWindow"),
                vec![
                    set("json", raw("$filterArgsMap")),
                    for_each(
                        "item",
                        r("json"),
                        vec![
                            set("ind", r("foreach.index")),
                            for_each("entry", r("item.entrySet()"), vec![first, second]),
                        ],
                    ),
                ],
                vec![set("filterMap", raw("$ctx.args.filter"))],
            ),
        ],
    )
}

fn partition_condition() -> Stmt {
    let q = "modelQueryExpression";
    key_block(
        "Set Primary Key initialization @key",
        vec![
            set(q, obj(vec![])),
            iff(
                raw("!$util.isNull($pk)"),
                vec![
                    set(format!("{q}.expression"), s("#pk = :pk")),
                    set(format!("{q}.expressionNames"), obj(vec![("#pk", s("$pk"))])),
                    set(
                        format!("{q}.expressionValues"),
                        obj(vec![(
                            ":pk",
                            r("util.parseJson($util.dynamodb.toDynamoDBJson($ctx.args.get($pk)))"),
                        )]),
                    ),
                ],
            ),
        ],
    )
}

/// The key conditions on the sort key `$sk` the filter named. `between` puts both bounds
/// under `:sortKey` (so the second wins), as the reference does.
fn sort_conditions() -> Stmt {
    let q = "modelQueryExpression";
    let value = |path: &str| {
        qr(raw(format!(
            "${q}.expressionValues.put(\":sortKey\", $util.parseJson($util.dynamodb.toDynamoDBJson($ctx.args.get($sk).{path})))"
        )))
    };
    let body = super::key_steps::SORT_CONDITIONS
        .iter()
        .map(|(op, expression)| {
            let mut then = vec![
                set(
                    format!("{q}.expression"),
                    raw(format!("\"${q}.expression AND {expression}\"")),
                ),
                qr(raw(format!("${q}.expressionNames.put(\"#sortKey\", $sk)"))),
            ];
            if *op == "between" {
                then.push(value("between[0]"));
                then.push(value("between[1]"));
            } else {
                then.push(value(op));
            }
            iff(
                raw(format!(
                    "!$util.isNull($ctx.args.get($sk)) && !$util.isNull($ctx.args.get($sk).{op})"
                )),
                then,
            )
        })
        .collect();
    key_block("Applying Key Condition", body)
}

/// Stashes the keyed `Sync` request for the data step when a partition key was found.
fn prepare_request() -> Stmt {
    let request = Expr::Object(vec![
        ("version".into(), s("2018-05-29")),
        ("operation".into(), s("Sync")),
        ("limit".into(), r("limit")),
        (
            "lastSync".into(),
            r("util.defaultIfNull($ctx.args.lastSync, null)"),
        ),
        ("query".into(), r("modelQueryExpression")),
    ]);
    key_block(
        // The reference's title starts with a space here.
        " Set query expression for @key",
        vec![
            iff(
                raw("!$scan"),
                vec![
                    set("limit", r("util.defaultIfNull($context.args.limit, 100)")),
                    set(VARIABLES, r("queryRequestVariables")),
                    set(REQUEST, request),
                    if_else(
                        raw(
                            "!$util.isNull($ctx.args.sortDirection)\n                    && $ctx.args.sortDirection == \"DESC\"",
                        ),
                        vec![set(
                            format!("{REQUEST}.scanIndexForward"),
                            Expr::Bool(false),
                        )],
                        vec![set(format!("{REQUEST}.scanIndexForward"), Expr::Bool(true))],
                    ),
                    Stmt::InlineIf(
                        r("context.args.nextToken"),
                        Box::new(set(
                            format!("{REQUEST}.nextToken"),
                            r("context.args.nextToken"),
                        )),
                    ),
                    iff(
                        and(vec![
                            raw("!$util.isNullOrEmpty($filterMap)"),
                            ne(
                                call("util.toJson", vec![r("filterMap")]),
                                call("util.toJson", vec![obj(vec![])]),
                            ),
                        ]),
                        vec![set(format!("{REQUEST}.filter"), r("filterMap"))],
                    ),
                    iff(
                        raw("$index != \"dbTable\""),
                        vec![set(format!("{REQUEST}.index"), r("index"))],
                    ),
                ],
            ),
            raw_line("$util.toJson({})"),
        ],
    )
}
