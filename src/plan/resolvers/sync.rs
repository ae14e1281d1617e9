//! The data step of DataStore's `sync<Models>` query: a `Sync` operation over the table, or
//! the key `Query` a preAuth step of a custom key prepared (`$ctx.stash.QueryRequest`) when
//! the caller's auth filter allows it.

use crate::emit::vtl::*;

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
            iff(
                not_empty(r("filter")),
                vec![
                    set(
                        "filterExpression",
                        call(
                            "util.parseJson",
                            vec![call(
                                "util.transform.toDynamoDBFilterExpression",
                                vec![r("filter")],
                            )],
                        ),
                    ),
                    iff(
                        not(call(
                            "util.isNullOrBlank",
                            vec![r("filterExpression.expression")],
                        )),
                        vec![
                            iff(
                                eq(
                                    call("filterExpression.expressionValues.size", vec![]),
                                    Expr::Int(0),
                                ),
                                vec![qr(call(
                                    "filterExpression.remove",
                                    vec![s("expressionValues")],
                                ))],
                            ),
                            set("filter", r("filterExpression")),
                        ],
                    ),
                ],
            ),
            if_else(
                not(r("useScan")),
                vec![
                    iff(
                        r(format!("{REQUEST}.filter")),
                        vec![set(
                            format!("{REQUEST}.filter"),
                            call(
                                "util.parseJson",
                                vec![call(
                                    "util.transform.toDynamoDBFilterExpression",
                                    vec![r(format!("{REQUEST}.filter"))],
                                )],
                            ),
                        )],
                    ),
                    raw_line(format!("$util.toJson(${REQUEST})")),
                ],
                vec![stmt(sync_operation)],
            ),
        ],
    )]
}
