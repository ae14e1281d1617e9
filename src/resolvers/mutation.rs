//! The auth steps of create, update and delete. Create checks the input; update and delete
//! first read the stored item (the request half, on the model's table) and check the caller
//! against it (the response half). Roles limited to some fields give allowed-field lists
//! instead of a full authorisation; input keys outside them are refused.

use super::checks::*;
use super::roles::{Providers, Role, Split};
use crate::model::{ObjectModel, Strategy};
use crate::vtl::*;

const ALLOWED: &str = "allowedFields";
const NULL_ALLOWED: &str = "nullAllowedFields";
const DENIED: &str = "deniedFields";

fn is_list(model: &ObjectModel, field: &str) -> bool {
    model.field(field).is_some_and(|f| f.ty.is_list())
}

fn fields_json(fields: &[String]) -> Expr {
    json(Json::strings(fields))
}

/// `$inputFields`: the keys of the input.
fn input_fields() -> Stmt {
    set(
        "inputFields",
        call(
            "util.parseJson",
            vec![call("util.toJson", vec![r("ctx.args.input.keySet()")])],
        ),
    )
}

/// `Mutation.create<T>.auth.1.req.vtl`.
pub fn create_auth(
    p: &Providers,
    roles: &[Role],
    model: &ObjectModel,
    populate_for_static: bool,
) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![
        set_has_auth(),
        input_fields(),
        set_authorized(false),
        set(ALLOWED, list(vec![])),
    ];
    let single = |mode: &str, roles: &[Role]| -> Stmt {
        match roles.first() {
            None => mode_block(mode, vec![unauthorized()]),
            Some(role) if role.all_fields_allowed => mode_block(mode, vec![set_authorized(true)]),
            Some(role) => mode_block(mode, vec![set(ALLOWED, fields_json(&role.allowed_fields))]),
        }
    };
    if p.api_key {
        body.push(single(API_KEY, &split.api_key));
    }
    if p.iam {
        body.push(mutation_iam_block(p, &split.iam, |role| {
            if role.all_fields_allowed {
                iam_check(
                    role.def.claim(),
                    vec![set_authorized(true)],
                    p.identity_pool_id,
                )
            } else {
                iam_check(
                    role.def.claim(),
                    vec![Stmt::Group(vec![set(
                        ALLOWED,
                        fields_json(&role.allowed_fields),
                    )])],
                    false,
                )
            }
        }));
    }
    if p.lambda {
        body.push(single(LAMBDA, &split.lambda));
    }
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = input_static_roles(statics, false);
        block.extend(create_dynamic_roles(dynamics, model, populate_for_static));
        block
    }));
    body.push(iff(
        and(vec![not_authorized(), r(format!("{ALLOWED}.isEmpty()"))]),
        vec![unauthorized()],
    ));
    body.push(iff(
        not_authorized(),
        vec![
            set(
                DENIED,
                call(
                    "util.list.copyAndRemoveAll",
                    vec![r("inputFields"), r(ALLOWED)],
                ),
            ),
            iff(
                r(format!("{DENIED}.size() > 0")),
                vec![stmt(call(
                    "util.error",
                    vec![
                        s(format!("Unauthorized on ${{{DENIED}}}")),
                        s("Unauthorized"),
                    ],
                ))],
            ),
        ],
    ));
    body.push(empty_payload());
    vec![block("Authorization Steps", body)]
}

/// `#if( $cond ) #set( $isAuthorized = true ) [#break] #else allowed.addAll #end`, and with
/// `null_var` (updates) `nullAllowed.addAll` too.
fn allowed_if_else(
    allowed_var: &str,
    null_var: Option<&str>,
    condition: &str,
    break_loop: bool,
) -> Stmt {
    let mut then = vec![set_authorized(true)];
    if break_loop {
        then.push(raw_line("#break"));
    }
    let mut otherwise = vec![qr(call(format!("{ALLOWED}.addAll"), vec![r(allowed_var)]))];
    if let Some(null_var) = null_var {
        otherwise.push(qr(call(
            format!("{NULL_ALLOWED}.addAll"),
            vec![r(null_var)],
        )));
    }
    if_else(r(condition), then, otherwise)
}

/// The first attributes of a static group role in a create or update check.
fn group_role_attrs(r: &Role) -> Vec<(&'static str, Json)> {
    vec![
        ("claim", Json::Str(r.def.claim().to_string())),
        (
            "entity",
            r.def.entity_json().unwrap_or(Json::Str(String::new())),
        ),
        ("allowedFields", Json::strings(&r.allowed_fields)),
    ]
}

/// The static roles of a create (`nulls: false`) or update (`nulls: true`) check: a private
/// role authorises or allows its fields, group roles are matched in a loop. An update also
/// tracks the fields each role may set to null.
fn input_static_roles(roles: &[Role], nulls: bool) -> Vec<Stmt> {
    let all_allowed = |r: &Role| r.all_fields_allowed && (!nulls || r.all_fields_null_allowed);
    let mut out = Vec::new();
    let mut rest: Vec<&Role> = roles.iter().collect();
    if let Some(i) = rest
        .iter()
        .position(|r| r.def.strategy == Strategy::Private)
    {
        let private = rest.remove(i);
        if all_allowed(private) {
            out.push(set_authorized(true));
        } else {
            out.push(qr(call(
                format!("{ALLOWED}.addAll"),
                vec![fields_json(&private.allowed_fields)],
            )));
            if nulls {
                out.push(qr(call(
                    format!("{NULL_ALLOWED}.addAll"),
                    vec![fields_json(&private.null_allowed_fields)],
                )));
            }
        }
    }
    if !rest.is_empty() {
        let groups = Json::Array(
            rest.iter()
                .map(|r| {
                    let mut attrs = group_role_attrs(r);
                    if nulls {
                        attrs.push(("nullAllowedFields", Json::strings(&r.null_allowed_fields)));
                    }
                    attrs.push(("isAuthorizedOnAllFields", Json::Bool(all_allowed(r))));
                    Json::object(attrs)
                })
                .collect(),
        );
        out.push(static_group_loop(
            groups,
            vec![allowed_if_else(
                "groupRole.allowedFields",
                nulls.then_some("groupRole.nullAllowedFields"),
                "groupRole.isAuthorizedOnAllFields",
                true,
            )],
        ));
    }
    out
}

/// Sets the owner field to the caller when the input leaves it out.
fn populate_owner(
    claim_var: &str,
    field: &str,
    entity_var: &str,
    entity_is_list: bool,
    check_authorized: bool,
    allowed: Option<(&str, &str)>,
) -> Stmt {
    let mut conds = Vec::new();
    if check_authorized {
        conds.push(r(IS_AUTHORIZED));
    }
    conds.push(r(format!("util.isNull(${entity_var})")));
    conds.push(not(call("ctx.args.input.containsKey", vec![s(field)])));
    let value = if entity_is_list {
        list(vec![r(claim_var)])
    } else {
        r(claim_var)
    };
    let mut then = vec![qr(call("ctx.args.input.put", vec![s(field), value]))];
    if let Some((allowed_var, condition)) = allowed {
        then.push(allowed_if_else(allowed_var, None, condition, false));
    }
    Stmt::Group(vec![iff(and(conds), then)])
}

fn create_dynamic_roles(
    roles: &[Role],
    model: &ObjectModel,
    populate_for_static: bool,
) -> Vec<Stmt> {
    let all_var = |idx: usize| format!("isAuthorizedOnAllFields{idx}");
    owners_then_groups(
        roles,
        |idx, role| {
            let entity = role.def.entity();
            let entity_is_list = is_list(model, entity);
            let claim = role.def.claim();
            let entity_var = format!("ownerEntity{idx}");
            let claim_var = format!("ownerClaim{idx}");
            let allowed_var = format!("ownerAllowedFields{idx}");
            let mut then = vec![join_claim_parts(claim, &claim_var)];
            if populate_for_static {
                then.push(populate_owner(
                    &claim_var,
                    entity,
                    &entity_var,
                    entity_is_list,
                    true,
                    None,
                ));
            }
            let allowed = |in_list| allowed_if_else(&allowed_var, None, &all_var(idx), in_list);
            let check = vec![
                claim_parts_list(claim, &format!("ownerClaimsList{idx}")),
                set(&allowed_var, fields_json(&role.allowed_fields)),
                set(all_var(idx), Expr::Bool(role.all_fields_allowed)),
                owner_match(
                    idx,
                    entity_is_list,
                    true,
                    vec![allowed(true)],
                    vec![allowed(false)],
                ),
                populate_owner(
                    &claim_var,
                    entity,
                    &entity_var,
                    entity_is_list,
                    false,
                    Some((&allowed_var, &all_var(idx))),
                ),
            ];
            then.push(iff(not_authorized(), check));
            vec![
                Stmt::Group(vec![
                    set_entity(&entity_var, "ctx.args.input", entity, Expr::Null),
                    owner_claim_reads(claim, &claim_var),
                ]),
                iff(claims_present(claim, &claim_var), then),
            ]
        },
        |idx, role| {
            let entity_is_list = is_list(model, role.def.entity());
            let allowed_var = format!("groupAllowedFields{idx}");
            vec![iff(
                not_authorized(),
                vec![
                    set_entity(
                        &format!("groupEntity{idx}"),
                        "ctx.args.input",
                        role.def.entity(),
                        empty_entity(entity_is_list),
                    ),
                    set_group_claim(idx, role.def.claim()),
                    group_claim_as_list(&format!("groupClaim{idx}")),
                    set(&allowed_var, fields_json(&role.allowed_fields)),
                    set(all_var(idx), Expr::Bool(role.all_fields_allowed)),
                    user_group_loop(
                        idx,
                        entity_is_list,
                        vec![allowed_if_else(&allowed_var, None, &all_var(idx), true)],
                    ),
                ],
            )]
        },
    )
}

/// The request half of update/delete auth: read the stored item by key.
pub fn read_item_request() -> Vec<Stmt> {
    super::model_data::get_request_template(
        "GetItem",
        vec![
            if_else(
                r("ctx.stash.metadata.modelObjectKey"),
                vec![set("key", r("ctx.stash.metadata.modelObjectKey"))],
                vec![set(
                    "key",
                    obj(vec![(
                        "id",
                        call("util.dynamodb.toDynamoDB", vec![r("ctx.args.input.id")]),
                    )]),
                )],
            ),
            qr(call("GetRequest.put", vec![s("key"), r("key")])),
        ],
    )
}

/// `Mutation.update<T>.auth.1.res.vtl`.
pub fn update_auth(p: &Providers, roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![
        set_has_auth(),
        iff(
            r("ctx.error"),
            vec![stmt(call(
                "util.error",
                vec![r("ctx.error.message"), r("ctx.error.type")],
            ))],
        ),
        input_fields(),
        set_authorized(false),
        set(ALLOWED, list(vec![])),
        set(NULL_ALLOWED, list(vec![])),
        set(DENIED, obj(vec![])),
    ];
    let full = |r: &Role| r.all_fields_allowed && r.all_fields_null_allowed;
    let lists = |r: &Role| {
        vec![
            set(ALLOWED, fields_json(&r.allowed_fields)),
            set(NULL_ALLOWED, fields_json(&r.null_allowed_fields)),
        ]
    };
    let single = |mode: &str, roles: &[Role]| -> Stmt {
        match roles.first() {
            None => mode_block(mode, vec![unauthorized()]),
            Some(role) if full(role) => mode_block(mode, vec![set_authorized(true)]),
            Some(role) => mode_block(mode, lists(role)),
        }
    };
    if p.api_key {
        body.push(single(API_KEY, &split.api_key));
    }
    if p.lambda {
        body.push(single(LAMBDA, &split.lambda));
    }
    if p.iam {
        body.push(mutation_iam_block(p, &split.iam, |role| {
            let then = if full(role) {
                vec![set_authorized(true)]
            } else {
                vec![Stmt::Group(lists(role))]
            };
            iam_check(role.def.claim(), then, p.identity_pool_id)
        }));
    }
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = input_static_roles(statics, true);
        block.extend(update_dynamic_roles(dynamics, model));
        block
    }));
    body.push(iff(
        and(vec![
            not_authorized(),
            r(format!("{ALLOWED}.isEmpty()")),
            r(format!("{NULL_ALLOWED}.isEmpty()")),
        ]),
        vec![unauthorized()],
    ));
    body.push(iff(
        not_authorized(),
        vec![
            for_each(
                "entry",
                r("util.map.copyAndRetainAllKeys($ctx.args.input, $inputFields).entrySet()"),
                vec![iff(
                    and(vec![
                        call("util.isNull", vec![r("entry.value")]),
                        not(r(format!("{NULL_ALLOWED}.contains($entry.key)"))),
                    ]),
                    vec![qr(call(
                        format!("{DENIED}.put"),
                        vec![r("entry.key"), s("")],
                    ))],
                )],
            ),
            for_each(
                "deniedField",
                r(format!(
                    "util.list.copyAndRemoveAll($inputFields, ${ALLOWED})"
                )),
                vec![qr(call(
                    format!("{DENIED}.put"),
                    vec![r("deniedField"), s("")],
                ))],
            ),
        ],
    ));
    body.push(iff(
        r(format!("{DENIED}.keySet().size() > 0")),
        vec![stmt(call(
            "util.error",
            vec![
                s(format!("Unauthorized on ${{{DENIED}.keySet()}}")),
                s("Unauthorized"),
            ],
        ))],
    ));
    body.push(to_json(obj(vec![])));
    vec![block("Authorization Steps", body)]
}

fn update_dynamic_roles(roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    let all_var = |idx: usize| format!("isAuthorizedOnAllFields{idx}");
    let all = |role: &Role| Expr::Bool(role.all_fields_allowed && role.all_fields_null_allowed);
    owners_then_groups(
        roles,
        |idx, role| {
            let entity_is_list = is_list(model, role.def.entity());
            let allowed_var = format!("ownerAllowedFields{idx}");
            let null_var = format!("ownerNullAllowedFields{idx}");
            let allowed =
                |in_list| allowed_if_else(&allowed_var, Some(&null_var), &all_var(idx), in_list);
            let then = vec![
                set(&allowed_var, fields_json(&role.allowed_fields)),
                set(&null_var, fields_json(&role.null_allowed_fields)),
                set(all_var(idx), all(role)),
                owner_match(
                    idx,
                    entity_is_list,
                    false,
                    vec![allowed(true)],
                    vec![allowed(false)],
                ),
            ];
            vec![stored_owner_check(
                idx,
                role,
                "ctx.result",
                empty_entity(entity_is_list),
                then,
            )]
        },
        |idx, role| {
            let entity_is_list = is_list(model, role.def.entity());
            let allowed_var = format!("groupAllowedFields{idx}");
            let null_var = format!("groupNullAllowedFields{idx}");
            vec![iff(
                not_authorized(),
                vec![
                    set_entity(
                        &format!("groupEntity{idx}"),
                        "ctx.result",
                        role.def.entity(),
                        empty_entity(entity_is_list),
                    ),
                    set_group_claim(idx, role.def.claim()),
                    set(&allowed_var, fields_json(&role.allowed_fields)),
                    set(&null_var, fields_json(&role.null_allowed_fields)),
                    set(all_var(idx), all(role)),
                    group_claim_as_list(&format!("groupClaim{idx}")),
                    user_group_loop(
                        idx,
                        entity_is_list,
                        vec![allowed_if_else(
                            &allowed_var,
                            Some(&null_var),
                            &all_var(idx),
                            true,
                        )],
                    ),
                ],
            )]
        },
    )
}

/// `Mutation.delete<T>.auth.1.res.vtl`: only roles that may delete every field.
pub fn delete_auth(p: &Providers, roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![set_has_auth(), set_authorized(false)];
    let single = |mode: &str, roles: &[Role]| -> Stmt {
        if roles.is_empty() {
            mode_block(mode, vec![unauthorized()])
        } else {
            mode_block(mode, vec![set_authorized(true)])
        }
    };
    if p.api_key {
        body.push(single(API_KEY, &split.api_key));
    }
    if p.iam {
        body.push(mutation_iam_block(p, &split.iam, |role| {
            iam_check(
                role.def.claim(),
                vec![set_authorized(true)],
                p.identity_pool_id,
            )
        }));
    }
    if p.lambda {
        body.push(single(LAMBDA, &split.lambda));
    }
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = static_roles(statics, true);
        block.extend(delete_dynamic_roles(dynamics, model));
        block
    }));
    body.push(iff(not_authorized(), vec![unauthorized()]));
    body.push(empty_payload());
    vec![block("Authorization Steps", body)]
}

fn delete_dynamic_roles(roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    owners_then_groups(
        roles,
        |idx, role| {
            let entity_is_list = is_list(model, role.def.entity());
            let matches = owner_match(
                idx,
                entity_is_list,
                false,
                vec![set_authorized(true)],
                vec![set_authorized(true)],
            );
            vec![stored_owner_check(
                idx,
                role,
                "ctx.result",
                Expr::Null,
                vec![matches],
            )]
        },
        |idx, role| {
            let entity_is_list = is_list(model, role.def.entity());
            vec![iff(
                not_authorized(),
                vec![
                    set_entity(
                        &format!("groupEntity{idx}"),
                        "ctx.result",
                        role.def.entity(),
                        empty_entity(entity_is_list),
                    ),
                    set_group_claim(idx, role.def.claim()),
                    group_claim_as_list(&format!("groupClaim{idx}")),
                    user_group_loop(idx, entity_is_list, vec![set_authorized(true)]),
                ],
            )]
        },
    )
}
