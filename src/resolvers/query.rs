//! The auth step of queries (get, list, and — later — sync, index queries and relational
//! reads): static roles authorise outright, owner and dynamic group roles become an
//! `authFilter` the data step applies, and owner or group fields that are part of the key are
//! checked against (or put into) the key arguments instead.

use super::checks::*;
use super::roles::{Providers, Role, Split};
use crate::model::{ObjectModel, Strategy};
use crate::vtl::*;

/// The key the query reads: the table's key for get/list, an index's for index queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryKey {
    /// Key attribute names: partition, then the sort key (`a#b` for a composite one).
    pub attributes: Vec<String>,
    /// The sort key attribute, if any.
    pub sort: Vec<String>,
    /// The partition key of the table (`None` for an index query).
    pub partition: Option<String>,
    pub is_index: bool,
}

/// `Query.<get|list>.auth.1.req.vtl`.
pub fn query_auth(p: &Providers, roles: &[Role], model: &ObjectModel, key: &QueryKey) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![
        set_has_auth(),
        set_authorized(false),
        set("primaryFieldMap", obj(vec![])),
    ];
    body.extend(read_mode_blocks(p, &split, None));
    let not_key_field = |roles: &[Role]| -> Vec<Role> {
        roles
            .iter()
            .filter(|r| !key.attributes.iter().any(|a| a == r.def.entity()))
            .cloned()
            .collect()
    };
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = static_roles(statics, false);
        block.extend(auth_filter(&not_key_field(dynamics), model));
        block.extend(key_field_checks(dynamics, key));
        block
    }));
    filtered_read_steps(body)
}

/// When `$<name>` (a caller's claim) is set: `{ "<entity>": { "<op>": $<name> } }` joins the
/// filter.
fn add_owner_filter(entity: &str, op: &str, name: &str) -> Stmt {
    iff(
        not(call("util.isNull", vec![r(name)])),
        vec![qr(call(
            "authFilter.add",
            vec![raw(format!("{{\"{entity}\": {{ \"{op}\": ${name} }}}}"))],
        ))],
    )
}

/// The OR filter of the owner and dynamic group roles, stashed as `authFilter`.
pub fn auth_filter(roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    if roles.is_empty() {
        return Vec::new();
    }
    let is_list = |f: &str| model.field(f).is_some_and(|fd| fd.ty.is_list());
    let mut collect = Vec::new();
    // Group claims whose groups field is a list: one `contains` per caller group.
    let mut group_lists: Vec<(String, Vec<String>)> = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        let entity = role.def.entity();
        let entity_is_list = is_list(entity);
        match role.def.strategy {
            Strategy::Owner => {
                let claim = role.def.claim();
                let op = if entity_is_list { "contains" } else { "eq" };
                if role.def.has_multi_claim() {
                    let name = format!("ownerClaim{idx}");
                    collect.push(owner_claim_reads(claim, &name));
                    collect.push(iff(
                        claims_present(claim, &name),
                        vec![
                            join_claim_parts(claim, &name),
                            add_owner_filter(entity, op, &name),
                        ],
                    ));
                    for (sec, part) in role.def.claim_parts().iter().enumerate() {
                        let name = format!("role{idx}_{sec}");
                        collect.push(set(&name, owner_claim(part)));
                        collect.push(add_owner_filter(entity, op, &name));
                    }
                } else {
                    let name = format!("role{idx}");
                    collect.push(set(&name, owner_claim(claim)));
                    collect.push(add_owner_filter(entity, op, &name));
                }
            }
            Strategy::Groups => {
                if entity_is_list {
                    let claim = role.def.claim().to_string();
                    match group_lists.iter_mut().find(|(c, _)| *c == claim) {
                        Some((_, fields)) => fields.push(entity.to_string()),
                        None => group_lists.push((claim, vec![entity.to_string()])),
                    }
                } else {
                    let name = format!("role{idx}");
                    collect.push(set(&name, claim_or(s(role.def.claim()), list(vec![]))));
                    collect.push(group_claim_as_list(&name));
                    collect.push(iff(
                        not(call(format!("{name}.isEmpty"), vec![])),
                        vec![qr(call(
                            "authFilter.add",
                            vec![raw(format!("{{ \"{entity}\": {{ \"in\": ${name} }} }}"))],
                        ))],
                    ));
                }
            }
            _ => {}
        }
    }
    let mut then = vec![set("authFilter", list(vec![]))];
    then.extend(collect);
    for (claim, fields) in group_lists {
        then.push(for_each(
            "group",
            r(format!(
                "util.defaultIfNull($ctx.identity.claims.get(\"{claim}\"), [])"
            )),
            fields
                .iter()
                .map(|f| {
                    iff(
                        not(call("group.isEmpty", vec![])),
                        vec![qr(call(
                            "authFilter.add",
                            vec![raw(format!("{{\"{f}\": {{ \"contains\": $group }}}}"))],
                        ))],
                    )
                })
                .collect(),
        ));
    }
    then.push(iff(
        not(call("authFilter.isEmpty", vec![])),
        vec![qr(call(
            "ctx.stash.put",
            vec![s("authFilter"), raw("{ \"or\": $authFilter }")],
        ))],
    ));
    vec![iff(not_authorized(), then)]
}

/// Owner and dynamic group roles whose field is part of the key: the caller's claim is
/// compared with the key argument, or becomes the key condition when the argument is absent.
pub fn key_field_checks(roles: &[Role], key: &QueryKey) -> Vec<Stmt> {
    let key_roles: Vec<&Role> = roles
        .iter()
        .filter(|r| key.attributes.iter().any(|a| a == r.def.entity()))
        .collect();
    if key_roles.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (idx, role) in key_roles.iter().enumerate() {
        let entity = role.def.entity();
        let claim = role.def.claim();
        let claim_var = format!("{entity}Claim");
        let list_var = format!("ownerClaimsList{idx}");
        let cond_var = format!("{entity}Condition");
        let arg = format!("ctx.args.{entity}");
        let eq_arg = raw(format!("$ctx.args.{entity}.get(\"eq\")"));
        out.push(owner_claim_reads(claim, &claim_var));
        out.push(iff(
            claims_present(claim, &claim_var),
            vec![
                join_claim_parts(claim, &claim_var),
                claim_parts_list(claim, &list_var),
                group_claim_as_list(&claim_var),
                qr(call(format!("{list_var}.addAll"), vec![r(&claim_var)])),
                if_else(
                    not(r(format!("util.isNull(${arg})"))),
                    vec![
                        if_else(
                            r(format!("util.isString(${arg})")),
                            vec![set(
                                &cond_var,
                                parens(or(vec![
                                    parens(eq(r(&claim_var), r(&arg))),
                                    call(format!("{list_var}.contains"), vec![r(&arg)]),
                                ])),
                            )],
                            vec![
                                set(
                                    &cond_var,
                                    parens(or(vec![
                                        eq(
                                            r(&claim_var),
                                            call(
                                                "util.defaultIfNull",
                                                vec![eq_arg.clone(), Expr::Null],
                                            ),
                                        ),
                                        call(
                                            format!("{list_var}.contains"),
                                            vec![call(
                                                "util.defaultIfNull",
                                                vec![eq_arg, Expr::Null],
                                            )],
                                        ),
                                    ])),
                                ),
                                iff(
                                    not(r(&cond_var)),
                                    vec![
                                        set("entityValues", raw("0")),
                                        for_each(
                                            "argEntity",
                                            r(format!("ctx.args.{entity}.get(\"eq\")")),
                                            vec![iff(
                                                call(
                                                    format!("{list_var}.contains"),
                                                    vec![r("argEntity")],
                                                ),
                                                vec![set("entityValues", raw("$entityValues + 1"))],
                                            )],
                                        ),
                                        iff(
                                            eq(
                                                r("entityValues"),
                                                r(format!("ctx.args.{entity}.get(\"eq\").size()")),
                                            ),
                                            vec![set(&cond_var, Expr::Bool(true))],
                                        ),
                                    ],
                                ),
                            ],
                        ),
                        iff(
                            r(&cond_var),
                            vec![
                                set_authorized(true),
                                qr(call("ctx.stash.put", vec![s("authFilter"), Expr::Null])),
                            ],
                        ),
                    ],
                    vec![qr(call(
                        "primaryFieldMap.put",
                        vec![
                            s(entity),
                            r(if role.def.has_multi_claim() {
                                &list_var
                            } else {
                                &claim_var
                            }),
                        ],
                    ))],
                ),
            ],
        ));
    }
    if key.is_index {
        out.push(iff(
            and(vec![
                not_authorized(),
                call("util.isNull", vec![r("ctx.stash.authFilter")]),
                not(r("primaryFieldMap.isEmpty()")),
            ]),
            vec![
                set("sortKeyFields", list(key.sort.iter().map(s).collect())),
                for_each(
                    "entry",
                    r("primaryFieldMap.entrySet()"),
                    vec![
                        if_else(
                            call("sortKeyFields.contains", vec![r("entry.key")]),
                            vec![
                                set("entryVal", r("entry.value")),
                                set("lastIdx", r("entryVal.size() - 1")),
                                set("lastItem", r("entryVal.get($lastIdx)")),
                                qr(call(
                                    "ctx.args.put",
                                    vec![r("entry.key"), obj(vec![("eq", r("lastItem"))])],
                                )),
                            ],
                            vec![qr(call(
                                "ctx.args.put",
                                vec![r("entry.key"), r("entry.value")],
                            ))],
                        ),
                        set_authorized(true),
                    ],
                ),
            ],
        ));
        return out;
    }
    let partition = key.partition.clone().unwrap_or_default();
    out.push(iff(
        and(vec![not_authorized(), not(r("primaryFieldMap.isEmpty()"))]),
        vec![if_else(
            call("util.isNull", vec![r(format!("ctx.args.{partition}"))]),
            vec![
                set(
                    "authFilter",
                    call(
                        "util.defaultIfNull",
                        vec![r("ctx.stash.get(\"authFilter\").get(\"or\")"), list(vec![])],
                    ),
                ),
                for_each(
                    "entry",
                    r("primaryFieldMap.entrySet()"),
                    vec![
                        set("filterMap", obj(vec![])),
                        if_else(
                            call("util.isList", vec![r("entry.value")]),
                            vec![qr(call(
                                "filterMap.put",
                                vec![r("entry.key"), raw("{ \"in\": $entry.value }")],
                            ))],
                            vec![qr(call(
                                "filterMap.put",
                                vec![r("entry.key"), raw("{ \"eq\": $entry.value }")],
                            ))],
                        ),
                        qr(call("authFilter.add", vec![r("filterMap")])),
                    ],
                ),
                qr(call(
                    "ctx.stash.put",
                    vec![s("authFilter"), raw("{ \"or\": $authFilter }")],
                )),
            ],
            vec![iff(
                call("util.isNull", vec![r("ctx.stash.authFilter")]),
                vec![
                    set("modelQueryExpression", r("ctx.stash.modelQueryExpression")),
                    for_each(
                        "entry",
                        r("primaryFieldMap.entrySet()"),
                        vec![
                            set(
                                "modelQueryExpression.expression",
                                s("${modelQueryExpression.expression} AND #${entry.key} = :${entry.key}"),
                            ),
                            qr(r("modelQueryExpression.expressionNames.put(\"#${entry.key}\", $entry.key)")),
                            if_else(
                                call("util.isList", vec![r("entry.value")]),
                                vec![
                                    set("lastClaim", raw("$entry.value.size() - 1")),
                                    qr(r("modelQueryExpression.expressionValues.put(\":${entry.key}\", $util.dynamodb.toDynamoDB($entry.value[$lastClaim]))")),
                                ],
                                vec![qr(r("modelQueryExpression.expressionValues.put(\":${entry.key}\", $util.dynamodb.toDynamoDB($entry.value))"))],
                            ),
                        ],
                    ),
                    qr(call(
                        "ctx.stash.put",
                        vec![s("modelQueryExpression"), r("modelQueryExpression")],
                    )),
                    set_authorized(true),
                ],
            )],
        )],
    ));
    out
}
