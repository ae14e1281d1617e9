//! The auth step of subscriptions: static roles authorise; an owner argument, when given, must
//! be the caller; owner and dynamic group roles install a runtime filter on the events, which
//! the data step hands to AppSync.

use super::checks::*;
use super::roles::{Providers, Role, Split};
use crate::vtl::*;

const HAS_VALID_OWNER_ARGUMENT: &str = "hasValidOwnerArgument";

/// `Subscription.<on…>.auth.1.req.vtl`.
pub fn subscription_auth(p: &Providers, roles: &[Role]) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![set_has_auth(), set_authorized(false)];
    body.extend(read_mode_blocks(p, &split, None));
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = static_roles(statics, false);
        block.extend(runtime_filters(dynamics));
        block
    }));
    body.push(iff(not_authorized(), vec![unauthorized()]));
    body.push(empty_payload());
    vec![block("Authorization Steps", body)]
}

fn runtime_filters(roles: &[Role]) -> Vec<Stmt> {
    let checks = owners_then_groups(
        roles,
        |idx, role| {
            let entity = role.def.entity();
            let claim = role.def.claim();
            let claim_var = format!("ownerClaim{idx}");
            let list_var = format!("ownerClaimsList{idx}");
            let entity_var = format!("ownerEntity{idx}");
            let last = last_claim_part_ref(claim, &claim_var);
            let op = if role.def.entity_is_list {
                "contains"
            } else {
                "eq"
            };
            vec![
                owner_claim_reads(claim, &claim_var),
                iff(
                    claims_present(claim, &claim_var),
                    vec![
                        join_claim_parts(claim, &claim_var),
                        claim_parts_list(claim, &list_var),
                        qr(call(
                            "authOwnerRuntimeFilter.add",
                            vec![raw(format!("{{ \"{entity}\": {{ \"{op}\": ${last} }} }}"))],
                        )),
                        set_entity(&entity_var, "ctx.args", entity, Expr::Null),
                        iff(
                            and(vec![
                                not_authorized(),
                                not(call("util.isNullOrEmpty", vec![r(&entity_var)])),
                            ]),
                            vec![if_else(
                                or(vec![
                                    eq(r(&entity_var), r(&claim_var)),
                                    call(format!("{list_var}.contains"), vec![r(&entity_var)]),
                                ]),
                                vec![
                                    set_authorized(true),
                                    set(HAS_VALID_OWNER_ARGUMENT, Expr::Bool(true)),
                                ],
                                vec![stmt(call("util.unauthorized", vec![]))],
                            )],
                        ),
                    ],
                ),
            ]
        },
        |idx, role| {
            if role.def.is_static {
                return Vec::new();
            }
            let entity = role.def.entity();
            let claim_var = format!("groupClaim{idx}");
            let op = if role.def.entity_is_list {
                "containsAny"
            } else {
                "in"
            };
            vec![
                set_group_claim(idx, role.def.claim()),
                group_claim_as_list(&claim_var),
                iff(
                    not(call("util.isNullOrEmpty", vec![r(&claim_var)])),
                    vec![qr(call(
                        "authGroupRuntimeFilter.add",
                        vec![raw(format!(
                            "{{ \"{entity}\": {{ \"{op}\": ${claim_var} }} }}"
                        ))],
                    ))],
                ),
            ]
        },
    );
    let mut out = vec![
        set(HAS_VALID_OWNER_ARGUMENT, Expr::Bool(false)),
        set("authRuntimeFilter", list(vec![])),
        set("authOwnerRuntimeFilter", list(vec![])),
        set("authGroupRuntimeFilter", list(vec![])),
    ];
    out.extend(checks);
    out.extend([
        comment("Apply dynamic roles auth if not previously authorized by static groups and owner argument"),
        iff(
            raw("$authOwnerRuntimeFilter.size() > 0"),
            vec![qr(call("authRuntimeFilter.addAll", vec![r("authOwnerRuntimeFilter")]))],
        ),
        iff(
            raw("$authGroupRuntimeFilter.size() > 0"),
            vec![qr(call("authRuntimeFilter.addAll", vec![r("authGroupRuntimeFilter")]))],
        ),
        set("filterArgsSize", Expr::Int(0)),
        iff(
            not(call("util.isNullOrEmpty", vec![r("ctx.args.filter")])),
            vec![set("filterArgsSize", call("ctx.args.filter.size", vec![]))],
        ),
        set(
            "isOwnerAuthAuthorizedAndNoOtherFilters",
            and(vec![
                r(HAS_VALID_OWNER_ARGUMENT),
                eq(call("authRuntimeFilter.size", vec![]), Expr::Int(1)),
                eq(r("filterArgsSize"), Expr::Int(0)),
            ]),
        ),
        set(
            "isOwnerOrDynamicAuthAuthorizedWithFilters",
            and(vec![
                parens(or(vec![not_authorized(), r(HAS_VALID_OWNER_ARGUMENT)])),
                raw("$authRuntimeFilter.size() > 0"),
            ]),
        ),
        iff(
            and(vec![
                not(r("isOwnerAuthAuthorizedAndNoOtherFilters")),
                r("isOwnerOrDynamicAuthAuthorizedWithFilters"),
            ]),
            vec![
                if_else(
                    call("util.isNullOrEmpty", vec![r("ctx.args.filter")]),
                    vec![set("ctx.args.filter", raw("{ \"or\": $authRuntimeFilter }"))],
                    vec![set(
                        "ctx.args.filter",
                        raw("{ \"and\": [ { \"or\": $authRuntimeFilter }, $ctx.args.filter ]}"),
                    )],
                ),
                set_authorized(true),
            ],
        ),
    ]);
    out
}
