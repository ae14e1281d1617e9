//! The data steps of a model's operations (DynamoDB requests and responses, subscription
//! pass-through) and the init steps that fill default values.

use crate::vtl::*;

/// `#set( $args = $util.defaultIfNull($ctx.stash.transformedArgs, $ctx.args) )`
pub(super) fn set_args() -> Stmt {
    set(
        "args",
        call(
            "util.defaultIfNull",
            vec![r("ctx.stash.transformedArgs"), r("ctx.args")],
        ),
    )
}

fn error_check() -> Expr {
    call(
        "util.error",
        vec![r("ctx.error.message"), r("ctx.error.type")],
    )
}

/// A `Get Request template` block: `$GetRequest` for `operation`, completed by `steps`, then
/// printed.
pub fn get_request_template(operation: &str, steps: Vec<Stmt>) -> Vec<Stmt> {
    let mut body = vec![set(
        "GetRequest",
        obj(vec![
            ("version", s("2018-05-29")),
            ("operation", s(operation)),
        ]),
    )];
    body.extend(steps);
    body.push(to_json(r("GetRequest")));
    vec![block("Get Request template", body)]
}

/// `Query.get<T>.req.vtl`: a key `Query` with the auth filter.
pub fn get_request() -> Vec<Stmt> {
    get_request_template(
        "Query",
        vec![
            if_else(
                r("ctx.stash.metadata.modelObjectKey"),
                vec![
                    set("expression", s("")),
                    set("expressionNames", obj(vec![])),
                    set("expressionValues", obj(vec![])),
                    for_each(
                        "item",
                        r("ctx.stash.metadata.modelObjectKey.entrySet()"),
                        vec![
                            set(
                                "expression",
                                s(
                                    "$expression#keyCount$velocityCount = :valueCount$velocityCount AND ",
                                ),
                            ),
                            qr(call(
                                "expressionNames.put",
                                vec![s("#keyCount$velocityCount"), r("item.key")],
                            )),
                            qr(call(
                                "expressionValues.put",
                                vec![s(":valueCount$velocityCount"), r("item.value")],
                            )),
                        ],
                    ),
                    set(
                        "expression",
                        call("expression.replaceAll", vec![s("AND $"), s("")]),
                    ),
                    set(
                        "query",
                        obj(vec![
                            ("expression", r("expression")),
                            ("expressionNames", r("expressionNames")),
                            ("expressionValues", r("expressionValues")),
                        ]),
                    ),
                ],
                vec![set(
                    "query",
                    obj(vec![
                        ("expression", s("id = :id")),
                        (
                            "expressionValues",
                            obj(vec![(
                                ":id",
                                call(
                                    "util.parseJson",
                                    vec![call(
                                        "util.dynamodb.toDynamoDBJson",
                                        vec![r("ctx.args.id")],
                                    )],
                                ),
                            )]),
                        ),
                    ]),
                )],
            ),
            qr(call("GetRequest.put", vec![s("query"), r("query")])),
            auth_filter_into_get_request(),
        ],
    )
}

/// A stashed auth filter becomes the filter of `$GetRequest` (gets and one-item relational
/// reads, both made as key queries).
pub fn auth_filter_into_get_request() -> Stmt {
    iff(
        not(call("util.isNullOrEmpty", vec![r("ctx.stash.authFilter")])),
        vec![qr(call(
            "GetRequest.put",
            vec![s("filter"), dynamodb_filter("ctx.stash.authFilter")],
        ))],
    )
}

/// The error a response raises: with the conflicting item under DataStore (`sync`).
fn response_error(sync: bool) -> Expr {
    if sync {
        call(
            "util.error",
            vec![r("ctx.error.message"), r("ctx.error.type"), r("ctx.result")],
        )
    } else {
        error_check()
    }
}

/// `Query.get<T>.res.vtl`: a record the auth filter rejected is unauthorised, not missing.
pub fn get_response(sync: bool) -> Vec<Stmt> {
    let error = response_error(sync);
    vec![block(
        "Get Response template",
        vec![
            iff(r("ctx.error"), vec![stmt(error)]),
            if_else(
                and(vec![
                    not(r("ctx.result.items.isEmpty()")),
                    eq(r("ctx.result.scannedCount"), Expr::Int(1)),
                ]),
                vec![to_json(r("ctx.result.items[0]"))],
                vec![
                    iff(
                        and(vec![
                            r("ctx.result.items.isEmpty()"),
                            eq(r("ctx.result.scannedCount"), Expr::Int(1)),
                        ]),
                        vec![stmt(r("util.unauthorized()"))],
                    ),
                    to_json(Expr::Null),
                ],
            ),
        ],
    )]
}

/// `Query.list<Ts>.req.vtl`: a Scan (or a key Query when the auth step made one), filtered.
pub fn list_request() -> Vec<Stmt> {
    let query = "ctx.stash.modelQueryExpression";
    vec![block(
        "List Request",
        vec![
            set_args(),
            set(
                "limit",
                call("util.defaultIfNull", vec![r("args.limit"), Expr::Int(100)]),
            ),
            set(
                "ListRequest",
                obj(vec![("version", s("2018-05-29")), ("limit", r("limit"))]),
            ),
            iff(
                r("args.nextToken"),
                vec![set("ListRequest.nextToken", r("args.nextToken"))],
            ),
            filter_steps("args", "ListRequest"),
            if_else(
                and(vec![
                    not(call("util.isNull", vec![r(query)])),
                    not(call(
                        "util.isNullOrEmpty",
                        vec![r(format!("{query}.expression"))],
                    )),
                ]),
                vec![
                    qr(call("ListRequest.put", vec![s("operation"), s("Query")])),
                    qr(call("ListRequest.put", vec![s("query"), r(query)])),
                    if_else(
                        and(vec![
                            not(call("util.isNull", vec![r("args.sortDirection")])),
                            eq(r("args.sortDirection"), s("DESC")),
                        ]),
                        vec![set("ListRequest.scanIndexForward", Expr::Bool(false))],
                        vec![set("ListRequest.scanIndexForward", Expr::Bool(true))],
                    ),
                ],
                vec![qr(call("ListRequest.put", vec![s("operation"), s("Scan")]))],
            ),
            iff(
                not(call("util.isNull", vec![r("ctx.stash.metadata.index")])),
                vec![set("ListRequest.IndexName", r("ctx.stash.metadata.index"))],
            ),
            to_json(r("ListRequest")),
        ],
    )]
}

/// The response of list, sync and mutations (`mutation` marks the result, for field checks).
pub fn default_response(sync: bool, mutation: bool) -> Vec<Stmt> {
    let mut body = Vec::new();
    if mutation {
        body.push(qr(call(
            "ctx.result.put",
            vec![s("__operation"), s("Mutation")],
        )));
    }
    let error = response_error(sync);
    body.push(if_else(
        r("ctx.error"),
        vec![stmt(error)],
        vec![to_json(r("ctx.result"))],
    ));
    vec![block("ResponseTemplate", body)]
}

/// The key condition mutations add (`attributeExists` false for create, true otherwise).
fn key_condition(exists: bool) -> Vec<Stmt> {
    vec![
        comment("Begin - key condition"),
        if_else(
            r("ctx.stash.metadata.modelObjectKey"),
            vec![
                set("keyConditionExpr", obj(vec![])),
                set("keyConditionExprNames", obj(vec![])),
                for_each(
                    "entry",
                    r("ctx.stash.metadata.modelObjectKey.entrySet()"),
                    vec![
                        qr(call(
                            "keyConditionExpr.put",
                            vec![
                                s("keyCondition$velocityCount"),
                                obj(vec![("attributeExists", Expr::Bool(exists))]),
                            ],
                        )),
                        qr(call(
                            "keyConditionExprNames.put",
                            vec![s("#keyCondition$velocityCount"), s("$entry.key")],
                        )),
                    ],
                ),
                qr(call(
                    "ctx.stash.conditions.add",
                    vec![r("keyConditionExpr")],
                )),
            ],
            vec![qr(call(
                "ctx.stash.conditions.add",
                vec![obj(vec![(
                    "id",
                    obj(vec![("attributeExists", Expr::Bool(exists))]),
                )])],
            ))],
        ),
        comment("End - key condition"),
    ]
}

/// Merges `$ctx.stash.conditions` into `$Conditions`.
fn condition_block() -> Stmt {
    Stmt::Group(vec![
        comment("Start condition block"),
        iff(
            and(vec![
                r("ctx.stash.conditions"),
                ne(call("ctx.stash.conditions.size", vec![]), Expr::Int(0)),
            ]),
            vec![
                set(
                    "mergedConditions",
                    obj(vec![("and", r("ctx.stash.conditions"))]),
                ),
                set(
                    "Conditions",
                    call(
                        "util.parseJson",
                        vec![call(
                            "util.transform.toDynamoDBConditionExpression",
                            vec![r("mergedConditions")],
                        )],
                    ),
                ),
                iff(
                    and(vec![
                        r("Conditions.expressionValues"),
                        eq(
                            call("Conditions.expressionValues.size", vec![]),
                            Expr::Int(0),
                        ),
                    ]),
                    vec![set(
                        "Conditions",
                        obj(vec![
                            ("expression", r("Conditions.expression")),
                            ("expressionNames", r("Conditions.expressionNames")),
                        ]),
                    )],
                ),
                comment("End condition block"),
            ],
        ),
    ])
}

fn apply_conditions(request: &str) -> Stmt {
    iff(
        r("Conditions"),
        vec![
            iff(
                r("keyConditionExprNames"),
                vec![qr(call(
                    "Conditions.expressionNames.putAll",
                    vec![r("keyConditionExprNames")],
                ))],
            ),
            qr(call(
                format!("{request}.put"),
                vec![s("condition"), r("Conditions")],
            )),
        ],
    )
}

fn add_client_condition() -> Stmt {
    iff(
        r("args.condition"),
        vec![qr(call(
            "ctx.stash.conditions.add",
            vec![r("args.condition")],
        ))],
    )
}

fn merged_values() -> Vec<Stmt> {
    vec![
        set_args(),
        comment("Set the default values to put request"),
        set(
            "mergedValues",
            call(
                "util.defaultIfNull",
                vec![r("ctx.stash.defaultValues"), obj(vec![])],
            ),
        ),
        comment("copy the values from input"),
        qr(call(
            "mergedValues.putAll",
            vec![call(
                "util.defaultIfNull",
                vec![r("args.input"), obj(vec![])],
            )],
        )),
        comment("set the typename"),
    ]
}

/// `Mutation.create<T>.req.vtl`: PutItem of the defaults and the input.
pub fn create_request(model: &str, index_fields: &[String]) -> Vec<Stmt> {
    let mut body = merged_values();
    body.push(qr(call(
        "mergedValues.put",
        vec![s("__typename"), s(model)],
    )));
    if !index_fields.is_empty() {
        body.push(set("nullIndexFields", list(vec![])));
        body.push(set(
            "indexFields",
            list(index_fields.iter().map(s).collect()),
        ));
        body.push(for_each(
            "entry",
            r("util.map.copyAndRetainAllKeys($mergedValues, $indexFields).entrySet()"),
            vec![iff(
                raw("$util.isNull($entry.value)"),
                vec![qr(call("nullIndexFields.add", vec![r("entry.key")]))],
            )],
        ));
        body.push(set(
            "mergedValues",
            r("util.map.copyAndRemoveAllKeys($mergedValues, $nullIndexFields)"),
        ));
    }
    body.push(set(
        "PutObject",
        obj(vec![
            ("version", s("2018-05-29")),
            ("operation", s("PutItem")),
            (
                "attributeValues",
                call("util.dynamodb.toMapValues", vec![r("mergedValues")]),
            ),
            ("condition", r("condition")),
        ]),
    ));
    body.push(add_client_condition());
    body.extend(key_condition(false));
    body.push(condition_block());
    body.push(apply_conditions("PutObject"));
    body.push(if_else(
        r("ctx.stash.metadata.modelObjectKey"),
        vec![qr(call(
            "PutObject.put",
            vec![s("key"), r("ctx.stash.metadata.modelObjectKey")],
        ))],
        vec![
            set(
                "Key",
                obj(vec![(
                    "id",
                    call("util.dynamodb.toDynamoDB", vec![r("mergedValues.id")]),
                )]),
            ),
            qr(call("PutObject.put", vec![s("key"), r("Key")])),
        ],
    ));
    body.push(to_json(r("PutObject")));
    vec![block("Create Request template", body)]
}

fn key_of(source: &str) -> Stmt {
    if_else(
        r("ctx.stash.metadata.modelObjectKey"),
        vec![set("Key", r("ctx.stash.metadata.modelObjectKey"))],
        vec![set(
            "Key",
            obj(vec![(
                "id",
                call("util.dynamodb.toDynamoDB", vec![r(source)]),
            )]),
        )],
    )
}

/// `Mutation.update<T>.req.vtl`: UpdateItem with SET/REMOVE built from the input.
pub fn update_request(sync: bool) -> Vec<Stmt> {
    let mut body = merged_values();
    body.push(comment("Initialize the vars for creating ddb expression"));
    for name in ["expNames", "expValues", "expSet", "expAdd"] {
        body.push(set(name, obj(vec![])));
    }
    body.push(set("expRemove", list(vec![])));
    body.push(key_of("args.input.id"));
    body.push(comment("Model key"));
    let sync_fields = || vec![s("_version"), s("_deleted"), s("_lastChangedAt")];
    let mut key_fields = vec![s("id")];
    if sync {
        key_fields.extend(sync_fields());
    }
    body.push(if_else(
        r("ctx.stash.metadata.modelObjectKey"),
        vec![
            set("keyFields", list(if sync { sync_fields() } else { vec![] })),
            for_each(
                "entry",
                r("ctx.stash.metadata.modelObjectKey.entrySet()"),
                vec![qr(raw("$keyFields.add(\"$entry.key\")"))],
            ),
        ],
        vec![set("keyFields", list(key_fields))],
    ));
    body.push(for_each(
        "entry",
        r("util.map.copyAndRemoveAllKeys($mergedValues, $keyFields).entrySet()"),
        vec![
            if_else(
                raw("!$util.isNull($ctx.stash.metadata.dynamodbNameOverrideMap) && $ctx.stash.metadata.dynamodbNameOverrideMap.containsKey(\"$entry.key\")"),
                vec![set(
                    "entryKeyAttributeName",
                    raw("$ctx.stash.metadata.dynamodbNameOverrideMap.get(\"$entry.key\")"),
                )],
                vec![set("entryKeyAttributeName", raw("$entry.key"))],
            ),
            if_else(
                r("util.isNull($entry.value)"),
                vec![
                    set("discard", r("expRemove.add(\"#$entryKeyAttributeName\")")),
                    qr(raw("$expNames.put(\"#$entryKeyAttributeName\", \"$entry.key\")")),
                ],
                vec![
                    qr(raw("$expSet.put(\"#$entryKeyAttributeName\", \":$entryKeyAttributeName\")")),
                    qr(raw("$expNames.put(\"#$entryKeyAttributeName\", \"$entry.key\")")),
                    qr(raw("$expValues.put(\":$entryKeyAttributeName\", $util.dynamodb.toDynamoDB($entry.value))")),
                ],
            ),
        ],
    ));
    body.push(set("expression", s("")));
    for (map, start, each) in [
        ("expSet", "SET", "$expression $entry.key = $entry.value"),
        (
            "expAdd",
            "$expression ADD",
            "$expression $entry.key $entry.value",
        ),
        ("expRemove", "$expression REMOVE", "$expression $entry"),
    ] {
        let collection = if map == "expRemove" {
            r(map)
        } else {
            r(format!("{map}.entrySet()"))
        };
        body.push(iff(
            raw(format!("!${map}.isEmpty()")),
            vec![
                set("expression", s(start)),
                for_each(
                    "entry",
                    collection,
                    vec![
                        set("expression", s(each)),
                        iff(
                            r("foreach.hasNext()"),
                            vec![set("expression", s("$expression,"))],
                        ),
                    ],
                ),
            ],
        ));
    }
    body.push(set("update", obj(vec![])));
    body.push(qr(raw("$update.put(\"expression\", \"$expression\")")));
    body.push(iff(
        raw("!$expNames.isEmpty()"),
        vec![qr(raw("$update.put(\"expressionNames\", $expNames)"))],
    ));
    body.push(iff(
        raw("!$expValues.isEmpty()"),
        vec![qr(raw("$update.put(\"expressionValues\", $expValues)"))],
    ));
    body.extend(key_condition(true));
    body.push(add_client_condition());
    body.push(condition_block());
    let mut item = vec![
        ("version", s("2018-05-29")),
        ("operation", s("UpdateItem")),
        ("key", r("Key")),
        ("update", r("update")),
    ];
    if sync {
        item.push((
            "_version",
            r("util.defaultIfNull($args.input[\"_version\"], 0)"),
        ));
    }
    body.push(set("UpdateItem", obj(item)));
    body.push(apply_conditions("UpdateItem"));
    body.push(to_json(r("UpdateItem")));
    vec![block("Mutation Update resolver", body)]
}

/// `Mutation.delete<T>.req.vtl`: DeleteItem of an existing key.
pub fn delete_request(sync: bool) -> Vec<Stmt> {
    let mut body = vec![
        set_args(),
        set(
            "DeleteRequest",
            obj(vec![
                ("version", s("2018-05-29")),
                ("operation", s("DeleteItem")),
            ]),
        ),
        key_of("args.input.id"),
        qr(call("DeleteRequest.put", vec![s("key"), r("Key")])),
    ];
    body.extend(key_condition(true));
    body.push(add_client_condition());
    body.push(condition_block());
    body.push(apply_conditions("DeleteRequest"));
    if sync {
        body.push(qr(call(
            "DeleteRequest.put",
            vec![
                s("_version"),
                r("util.defaultIfNull($args.input[\"_version\"], 0)"),
            ],
        )));
    }
    body.push(to_json(r("DeleteRequest")));
    vec![block("Delete Request template", body)]
}

fn put_default(field: &str, value: Expr) -> Stmt {
    qr(call("ctx.stash.defaultValues.put", vec![s(field), value]))
}

fn init_payload() -> Stmt {
    to_json(obj(vec![
        ("version", s("2018-05-29")),
        ("payload", obj(vec![])),
    ]))
}

fn init_defaults() -> Stmt {
    qr(call(
        "ctx.stash.put",
        vec![
            s("defaultValues"),
            call(
                "util.defaultIfNull",
                vec![r("ctx.stash.defaultValues"), obj(vec![])],
            ),
        ],
    ))
}

/// Timestamps as the resolvers see them: `None` when `timestamps: null`; otherwise the
/// configured names (a name left out of a given map is not set by the resolvers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamps {
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// `Mutation.create<T>.init.1.req.vtl`: an id and the timestamps.
pub fn create_init(auto_id: bool, timestamps: Option<&Timestamps>) -> Vec<Stmt> {
    let mut body = vec![init_defaults()];
    if auto_id {
        body.push(put_default("id", call("util.autoId", vec![])));
    }
    if let Some(ts) = timestamps {
        body.push(set("createdAt", call("util.time.nowISO8601", vec![])));
        if let Some(c) = &ts.created_at {
            body.push(put_default(c, r("createdAt")));
        }
        if let Some(u) = &ts.updated_at {
            body.push(put_default(u, r("createdAt")));
        }
    }
    body.push(init_payload());
    vec![block("Initialization default values", body)]
}

/// `Mutation.create<T>.init.2.req.vtl`: the `@default` values of fields the input leaves out,
/// in field order; `None` without `@default`. Numbers, booleans, timestamps and JSON go in as
/// written, anything else as a string: quoted as written, without escaping, as the reference
/// does.
pub fn default_values_init(model: &crate::model::ObjectModel) -> Option<Vec<Stmt>> {
    const AS_WRITTEN: [&str; 5] = ["Int", "Float", "Boolean", "AWSTimestamp", "AWSJSON"];
    let mut body: Vec<Stmt> = model
        .fields
        .iter()
        .filter_map(|f| {
            let d = f.directives.iter().find(|d| d.name.text == "default")?;
            let value = match &d.arguments.first()?.value.kind {
                crate::ast::ValueKind::String(v) => v.clone(),
                _ => return None,
            };
            let name = &f.name.text;
            let default = if AS_WRITTEN.contains(&f.ty.base()) {
                raw(value.clone())
            } else {
                raw(format!("\"{value}\""))
            };
            Some(block(
                format!("Setting \"{name}\" to default value of \"{value}\""),
                vec![qr(call(
                    "context.args.input.put",
                    vec![
                        s(name),
                        call(
                            "util.defaultIfNull",
                            vec![r(format!("ctx.args.input.{name}")), default],
                        ),
                    ],
                ))],
            ))
        })
        .collect();
    if body.is_empty() {
        return None;
    }
    body.push(raw_line("{}"));
    Some(body)
}

/// `Mutation.update<T>.init.1.req.vtl`: the update timestamp.
pub fn update_init(timestamps: Option<&Timestamps>) -> Vec<Stmt> {
    let mut body = vec![init_defaults()];
    if let Some(u) = timestamps.and_then(|t| t.updated_at.as_ref()) {
        body.push(set("updatedAt", call("util.time.nowISO8601", vec![])));
        body.push(put_default(u, r("updatedAt")));
    }
    body.push(init_payload());
    vec![block("Initialization default values", body)]
}

/// `Subscription.<on…>.req.vtl`.
pub fn subscription_request() -> Vec<Stmt> {
    vec![block("Subscription Request template", vec![init_payload()])]
}

/// `Subscription.<on…>.res.vtl`: installs the runtime filter the auth step built.
pub fn subscription_response() -> Vec<Stmt> {
    vec![block(
        "Subscription Response template",
        vec![
            iff(
                not(call("util.isNullOrEmpty", vec![r("ctx.args.filter")])),
                vec![stmt(r(
                    "extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter($ctx.args.filter))",
                ))],
            ),
            to_json(Expr::Null),
        ],
    )]
}

/// The caller's auth filter and the client's filter, AND-ed, as the request's DynamoDB filter
/// (list and index queries; `args` is how the template names the arguments, `request` the
/// request object).
pub fn filter_steps(args: &str, request: &str) -> Stmt {
    let not_empty = |e: Expr| not(call("util.isNullOrEmpty", vec![e]));
    Stmt::Group(vec![
        if_else(
            not_empty(r("ctx.stash.authFilter")),
            vec![
                set("filter", r("ctx.stash.authFilter")),
                iff(
                    not_empty(r(format!("{args}.filter"))),
                    vec![set(
                        "filter",
                        obj(vec![(
                            "and",
                            list(vec![r("filter"), r(format!("{args}.filter"))]),
                        )]),
                    )],
                ),
            ],
            vec![iff(
                not_empty(r(format!("{args}.filter"))),
                vec![set("filter", r(format!("{args}.filter")))],
            )],
        ),
        filter_as_expression(&format!("{request}.filter"), true),
    ])
}

/// `$util.parseJson($util.transform.toDynamoDBFilterExpression($<source>))`.
pub fn dynamodb_filter(source: &str) -> Expr {
    call(
        "util.parseJson",
        vec![call(
            "util.transform.toDynamoDBFilterExpression",
            vec![r(source)],
        )],
    )
}

/// `$filter` (when set) turned into a DynamoDB filter expression and stored in `$<into>`,
/// without empty expression values; `refuse_unrecognised` errors on a filter that gives no
/// expression (list and index queries do, relational pages and sync queries do not).
pub fn filter_as_expression(into: &str, refuse_unrecognised: bool) -> Stmt {
    let mut body = vec![set("filterExpression", dynamodb_filter("filter"))];
    if refuse_unrecognised {
        body.push(iff(
            call("util.isNullOrEmpty", vec![r("filterExpression")]),
            vec![stmt(call(
                "util.error",
                vec![
                    s("Unable to process the filter expression"),
                    s("Unrecognized Filter"),
                ],
            ))],
        ));
    }
    body.push(iff(
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
            set(into, r("filterExpression")),
        ],
    ));
    iff(not(call("util.isNullOrEmpty", vec![r("filter")])), body)
}
