//! The auth steps of create, update and delete. Create checks the input; update and delete
//! first read the stored item (the request half, on the model's table) and check the caller
//! against it (the response half). Roles limited to some fields give allowed-field lists
//! instead of a full authorisation; input keys outside them are refused.

use super::checks::*;
use super::roles::{Providers, Role, Split};
use crate::emit::vtl::*;
use crate::model::{ObjectModel, Strategy};

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
        let mut iam = Vec::new();
        if p.admin_roles {
            iam.push(admin_roles_check(None));
        }
        if split.iam.is_empty() {
            iam.push(unauthorized());
        }
        for role in &split.iam {
            if role.all_fields_allowed {
                iam.push(iam_check(
                    role.def.claim(),
                    vec![set_authorized(true)],
                    p.identity_pool_id,
                ));
            } else {
                iam.push(iam_check(
                    role.def.claim(),
                    vec![Stmt::Group(vec![set(
                        ALLOWED,
                        fields_json(&role.allowed_fields),
                    )])],
                    false,
                ));
            }
        }
        body.push(mode_block(IAM, iam));
    }
    if p.lambda {
        body.push(single(LAMBDA, &split.lambda));
    }
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = create_static_roles(statics);
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

/// `#if( $cond ) #set( $isAuthorized = true ) [#break] #else allowed.addAll #end`
fn allowed_if_else(allowed_var: &str, condition: &str, break_loop: bool) -> Stmt {
    let mut then = vec![set_authorized(true)];
    if break_loop {
        then.push(raw_line("#break"));
    }
    if_else(
        r(condition),
        then,
        vec![qr(call(format!("{ALLOWED}.addAll"), vec![r(allowed_var)]))],
    )
}

fn create_static_roles(roles: &[Role]) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut rest: Vec<&Role> = roles.iter().collect();
    if let Some(i) = rest
        .iter()
        .position(|r| r.def.strategy == Strategy::Private)
    {
        let private = rest.remove(i);
        if private.all_fields_allowed {
            out.push(set_authorized(true));
        } else {
            out.push(qr(call(
                format!("{ALLOWED}.addAll"),
                vec![fields_json(&private.allowed_fields)],
            )));
        }
    }
    if !rest.is_empty() {
        let groups = Json::Array(
            rest.iter()
                .map(|r| {
                    Json::object(vec![
                        ("claim", Json::Str(r.def.claim().to_string())),
                        (
                            "entity",
                            r.def.entity_json().unwrap_or(Json::Str(String::new())),
                        ),
                        ("allowedFields", Json::strings(&r.allowed_fields)),
                        ("isAuthorizedOnAllFields", Json::Bool(r.all_fields_allowed)),
                    ])
                })
                .collect(),
        );
        out.push(iff(
            not_authorized(),
            vec![
                set("staticGroupRoles", json(groups)),
                for_each(
                    "groupRole",
                    r("staticGroupRoles"),
                    vec![
                        set(
                            "groupsInToken",
                            claim_or(r("groupRole.claim"), list(vec![])),
                        ),
                        iff(
                            call("groupsInToken.contains", vec![r("groupRole.entity")]),
                            vec![allowed_if_else(
                                "groupRole.allowedFields",
                                "groupRole.isAuthorizedOnAllFields",
                                true,
                            )],
                        ),
                    ],
                ),
            ],
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
        then.push(allowed_if_else(allowed_var, condition, false));
    }
    Stmt::Group(vec![iff(and(conds), then)])
}

fn create_dynamic_roles(
    roles: &[Role],
    model: &ObjectModel,
    populate_for_static: bool,
) -> Vec<Stmt> {
    let mut owners = Vec::new();
    let mut groups = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        let entity = role.def.entity();
        let entity_is_list = is_list(model, entity);
        let claim = role.def.claim();
        let entity_var = format!("ownerEntity{idx}");
        let claim_var = format!("ownerClaim{idx}");
        let list_var = format!("ownerClaimsList{idx}");
        let allowed_var = format!("ownerAllowedFields{idx}");
        let all_var = format!("isAuthorizedOnAllFields{idx}");
        match role.def.strategy {
            Strategy::Owner => {
                owners.push(Stmt::Group(vec![
                    set(
                        &entity_var,
                        call(
                            "util.defaultIfNull",
                            vec![r(format!("ctx.args.input.{entity}")), Expr::Null],
                        ),
                    ),
                    owner_claim_reads(claim, &claim_var),
                ]));
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
                let mut check = vec![
                    claim_parts_list(claim, &list_var),
                    set(&allowed_var, fields_json(&role.allowed_fields)),
                    set(&all_var, Expr::Bool(role.all_fields_allowed)),
                ];
                if entity_is_list {
                    check.push(for_each(
                        "allowedOwner",
                        r(&entity_var),
                        vec![iff(
                            or(vec![
                                eq(r("allowedOwner"), r(&claim_var)),
                                call(format!("{list_var}.contains"), vec![r("allowedOwner")]),
                            ]),
                            vec![allowed_if_else(&allowed_var, &all_var, true)],
                        )],
                    ));
                } else {
                    check.push(iff(
                        or(vec![
                            eq(r(&claim_var), r(&entity_var)),
                            call(format!("{list_var}.contains"), vec![r(&entity_var)]),
                        ]),
                        vec![allowed_if_else(&allowed_var, &all_var, false)],
                    ));
                }
                check.push(populate_owner(
                    &claim_var,
                    entity,
                    &entity_var,
                    entity_is_list,
                    false,
                    Some((&allowed_var, &all_var)),
                ));
                then.push(iff(not_authorized(), check));
                owners.push(iff(claims_present(claim, &claim_var), then));
            }
            Strategy::Groups => {
                let entity_var = format!("groupEntity{idx}");
                let claim_var = format!("groupClaim{idx}");
                let allowed_var = format!("groupAllowedFields{idx}");
                groups.push(iff(
                    not_authorized(),
                    vec![
                        set(
                            &entity_var,
                            call(
                                "util.defaultIfNull",
                                vec![
                                    r(format!("ctx.args.input.{entity}")),
                                    if entity_is_list {
                                        list(vec![])
                                    } else {
                                        Expr::Null
                                    },
                                ],
                            ),
                        ),
                        set(&claim_var, claim_or(s(claim), list(vec![]))),
                        group_claim_as_list(&claim_var),
                        set(&allowed_var, fields_json(&role.allowed_fields)),
                        set(&all_var, Expr::Bool(role.all_fields_allowed)),
                        for_each(
                            "userGroup",
                            r(&claim_var),
                            vec![iff(
                                if entity_is_list {
                                    call(format!("{entity_var}.contains"), vec![r("userGroup")])
                                } else {
                                    eq(r(&entity_var), r("userGroup"))
                                },
                                vec![allowed_if_else(&allowed_var, &all_var, true)],
                            )],
                        ),
                    ],
                ));
            }
            _ => {}
        }
    }
    owners.extend(groups);
    owners
}

/// The request half of update/delete auth: read the stored item by key.
pub fn read_item_request() -> Vec<Stmt> {
    vec![block(
        "Get Request template",
        vec![
            set(
                "GetRequest",
                obj(vec![
                    ("version", s("2018-05-29")),
                    ("operation", s("GetItem")),
                ]),
            ),
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
            to_json(r("GetRequest")),
        ],
    )]
}

/// `#if( $cond ) authorise [#break] #else add the allowed and null-allowed lists #end`
fn allowed_both_if_else(
    allowed_var: &str,
    null_var: &str,
    condition: &str,
    break_loop: bool,
) -> Stmt {
    let mut then = vec![set_authorized(true)];
    if break_loop {
        then.push(raw_line("#break"));
    }
    if_else(
        r(condition),
        then,
        vec![
            qr(call(format!("{ALLOWED}.addAll"), vec![r(allowed_var)])),
            qr(call(format!("{NULL_ALLOWED}.addAll"), vec![r(null_var)])),
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
        let mut iam = Vec::new();
        if p.admin_roles {
            iam.push(admin_roles_check(None));
        }
        if split.iam.is_empty() {
            iam.push(unauthorized());
        }
        for role in &split.iam {
            let then = if full(role) {
                vec![set_authorized(true)]
            } else {
                vec![Stmt::Group(lists(role))]
            };
            iam.push(iam_check(role.def.claim(), then, p.identity_pool_id));
        }
        body.push(mode_block(IAM, iam));
    }
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = update_static_roles(statics);
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

fn update_static_roles(roles: &[Role]) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut rest: Vec<&Role> = roles.iter().collect();
    if let Some(i) = rest
        .iter()
        .position(|r| r.def.strategy == Strategy::Private)
    {
        let private = rest.remove(i);
        if private.all_fields_allowed && private.all_fields_null_allowed {
            out.push(set_authorized(true));
        } else {
            out.push(qr(call(
                format!("{ALLOWED}.addAll"),
                vec![fields_json(&private.allowed_fields)],
            )));
            out.push(qr(call(
                format!("{NULL_ALLOWED}.addAll"),
                vec![fields_json(&private.null_allowed_fields)],
            )));
        }
    }
    if !rest.is_empty() {
        let groups = Json::Array(
            rest.iter()
                .map(|r| {
                    Json::object(vec![
                        ("claim", Json::Str(r.def.claim().to_string())),
                        (
                            "entity",
                            r.def.entity_json().unwrap_or(Json::Str(String::new())),
                        ),
                        ("allowedFields", Json::strings(&r.allowed_fields)),
                        ("nullAllowedFields", Json::strings(&r.null_allowed_fields)),
                        (
                            "isAuthorizedOnAllFields",
                            Json::Bool(r.all_fields_allowed && r.all_fields_null_allowed),
                        ),
                    ])
                })
                .collect(),
        );
        out.push(iff(
            not_authorized(),
            vec![
                set("staticGroupRoles", json(groups)),
                for_each(
                    "groupRole",
                    r("staticGroupRoles"),
                    vec![
                        set(
                            "groupsInToken",
                            claim_or(r("groupRole.claim"), list(vec![])),
                        ),
                        iff(
                            call("groupsInToken.contains", vec![r("groupRole.entity")]),
                            vec![allowed_both_if_else(
                                "groupRole.allowedFields",
                                "groupRole.nullAllowedFields",
                                "groupRole.isAuthorizedOnAllFields",
                                true,
                            )],
                        ),
                    ],
                ),
            ],
        ));
    }
    out
}

fn update_dynamic_roles(roles: &[Role], model: &ObjectModel) -> Vec<Stmt> {
    let mut owners = Vec::new();
    let mut groups = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        let entity = role.def.entity();
        let entity_is_list = is_list(model, entity);
        let claim = role.def.claim();
        let all = role.all_fields_allowed && role.all_fields_null_allowed;
        let all_var = format!("isAuthorizedOnAllFields{idx}");
        let default = if entity_is_list {
            list(vec![])
        } else {
            Expr::Null
        };
        match role.def.strategy {
            Strategy::Owner => {
                let entity_var = format!("ownerEntity{idx}");
                let claim_var = format!("ownerClaim{idx}");
                let list_var = format!("ownerClaimsList{idx}");
                let allowed_var = format!("ownerAllowedFields{idx}");
                let null_var = format!("ownerNullAllowedFields{idx}");
                let mut then = vec![
                    join_claim_parts(claim, &claim_var),
                    claim_parts_list(claim, &list_var),
                    set(&allowed_var, fields_json(&role.allowed_fields)),
                    set(&null_var, fields_json(&role.null_allowed_fields)),
                    set(&all_var, Expr::Bool(all)),
                ];
                if entity_is_list {
                    then.push(for_each(
                        "allowedOwner",
                        r(&entity_var),
                        vec![iff(
                            or(vec![
                                eq(r("allowedOwner"), r(&claim_var)),
                                call(format!("{list_var}.contains"), vec![r("allowedOwner")]),
                            ]),
                            vec![allowed_both_if_else(
                                &allowed_var,
                                &null_var,
                                &all_var,
                                true,
                            )],
                        )],
                    ));
                } else {
                    then.push(iff(
                        or(vec![
                            eq(r(&entity_var), r(&claim_var)),
                            call(format!("{list_var}.contains"), vec![r(&entity_var)]),
                        ]),
                        vec![allowed_both_if_else(
                            &allowed_var,
                            &null_var,
                            &all_var,
                            false,
                        )],
                    ));
                }
                owners.push(iff(
                    not_authorized(),
                    vec![
                        set(
                            &entity_var,
                            call(
                                "util.defaultIfNull",
                                vec![r(format!("ctx.result.{entity}")), default],
                            ),
                        ),
                        owner_claim_reads(claim, &claim_var),
                        iff(claims_present(claim, &claim_var), then),
                    ],
                ));
            }
            Strategy::Groups => {
                let entity_var = format!("groupEntity{idx}");
                let claim_var = format!("groupClaim{idx}");
                let allowed_var = format!("groupAllowedFields{idx}");
                let null_var = format!("groupNullAllowedFields{idx}");
                groups.push(iff(
                    not_authorized(),
                    vec![
                        set(
                            &entity_var,
                            call(
                                "util.defaultIfNull",
                                vec![r(format!("ctx.result.{entity}")), default],
                            ),
                        ),
                        set(&claim_var, claim_or(s(claim), list(vec![]))),
                        set(&allowed_var, fields_json(&role.allowed_fields)),
                        set(&null_var, fields_json(&role.null_allowed_fields)),
                        set(&all_var, Expr::Bool(all)),
                        group_claim_as_list(&claim_var),
                        for_each(
                            "userGroup",
                            r(&claim_var),
                            vec![iff(
                                if entity_is_list {
                                    call(format!("{entity_var}.contains"), vec![r("userGroup")])
                                } else {
                                    eq(r(&entity_var), r("userGroup"))
                                },
                                vec![allowed_both_if_else(
                                    &allowed_var,
                                    &null_var,
                                    &all_var,
                                    true,
                                )],
                            )],
                        ),
                    ],
                ));
            }
            _ => {}
        }
    }
    owners.extend(groups);
    owners
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
        let mut iam = Vec::new();
        if p.admin_roles {
            iam.push(admin_roles_check(None));
        }
        if split.iam.is_empty() {
            iam.push(unauthorized());
        }
        for role in &split.iam {
            iam.push(iam_check(
                role.def.claim(),
                vec![set_authorized(true)],
                p.identity_pool_id,
            ));
        }
        body.push(mode_block(IAM, iam));
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
    let mut owners = Vec::new();
    let mut groups = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        let entity = role.def.entity();
        let entity_is_list = is_list(model, entity);
        let claim = role.def.claim();
        match role.def.strategy {
            Strategy::Owner => {
                let entity_var = format!("ownerEntity{idx}");
                let claim_var = format!("ownerClaim{idx}");
                let list_var = format!("ownerClaimsList{idx}");
                let mut then = vec![
                    join_claim_parts(claim, &claim_var),
                    claim_parts_list(claim, &list_var),
                ];
                if entity_is_list {
                    then.push(for_each(
                        "allowedOwner",
                        r(&entity_var),
                        vec![iff(
                            or(vec![
                                eq(r("allowedOwner"), r(&claim_var)),
                                call(format!("{list_var}.contains"), vec![r("allowedOwner")]),
                            ]),
                            vec![set_authorized(true)],
                        )],
                    ));
                } else {
                    then.push(iff(
                        or(vec![
                            eq(r(&entity_var), r(&claim_var)),
                            call(format!("{list_var}.contains"), vec![r(&entity_var)]),
                        ]),
                        vec![set_authorized(true)],
                    ));
                }
                owners.push(iff(
                    not_authorized(),
                    vec![
                        set(
                            &entity_var,
                            call(
                                "util.defaultIfNull",
                                vec![r(format!("ctx.result.{entity}")), Expr::Null],
                            ),
                        ),
                        owner_claim_reads(claim, &claim_var),
                        iff(claims_present(claim, &claim_var), then),
                    ],
                ));
            }
            Strategy::Groups => {
                let entity_var = format!("groupEntity{idx}");
                let claim_var = format!("groupClaim{idx}");
                groups.push(iff(
                    not_authorized(),
                    vec![
                        set(
                            &entity_var,
                            call(
                                "util.defaultIfNull",
                                vec![
                                    r(format!("ctx.result.{entity}")),
                                    if entity_is_list {
                                        list(vec![])
                                    } else {
                                        Expr::Null
                                    },
                                ],
                            ),
                        ),
                        set(&claim_var, claim_or(s(claim), list(vec![]))),
                        group_claim_as_list(&claim_var),
                        for_each(
                            "userGroup",
                            r(&claim_var),
                            vec![iff(
                                if entity_is_list {
                                    call(format!("{entity_var}.contains"), vec![r("userGroup")])
                                } else {
                                    eq(r(&entity_var), r("userGroup"))
                                },
                                vec![set_authorized(true)],
                            )],
                        ),
                    ],
                ));
            }
            _ => {}
        }
    }
    owners.extend(groups);
    owners
}
