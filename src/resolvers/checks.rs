//! The pieces every auth template is made of: the per-mode blocks, the IAM and admin-role
//! checks, reading the caller's owner and group claims, and the static group loop.

use super::roles::{Providers, Role, Split};
use crate::model::Strategy;
use crate::vtl::*;

pub const API_KEY: &str = "API Key Authorization";
pub const LAMBDA: &str = "Lambda Authorization";
pub const IAM: &str = "IAM Authorization";
pub const USER_POOLS: &str = "User Pool Authorization";
pub const OIDC: &str = "Open ID Connect Authorization";

pub const IS_AUTHORIZED: &str = "isAuthorized";

/// `$util.qr($ctx.stash.put("hasAuth", true))`: the postAuth step lets the request through.
pub fn set_has_auth() -> Stmt {
    qr(call("ctx.stash.put", vec![s("hasAuth"), Expr::Bool(true)]))
}

pub fn set_authorized(value: bool) -> Stmt {
    set(IS_AUTHORIZED, Expr::Bool(value))
}

pub fn not_authorized() -> Expr {
    not(r(IS_AUTHORIZED))
}

/// `#if( $util.authType() == "<mode>" )`
pub fn auth_type_is(mode: &str) -> Expr {
    eq(r("util.authType()"), s(mode))
}

pub fn mode_block(mode: &str, body: Vec<Stmt>) -> Stmt {
    iff(auth_type_is(mode), body)
}

/// The user-pools and OIDC blocks, for the modes the API has: `checks` gives each block's body
/// from that provider's static and dynamic roles.
pub fn claim_mode_blocks(
    p: &Providers,
    split: &Split,
    mut checks: impl FnMut(&[Role], &[Role]) -> Vec<Stmt>,
) -> Vec<Stmt> {
    [
        (
            p.user_pools,
            USER_POOLS,
            &split.user_pools_static,
            &split.user_pools_dynamic,
        ),
        (p.oidc, OIDC, &split.oidc_static, &split.oidc_dynamic),
    ]
    .into_iter()
    .filter(|(present, ..)| *present)
    .map(|(_, mode, statics, dynamics)| mode_block(mode, checks(statics, dynamics)))
    .collect()
}

/// `$util.unauthorized()` as a statement.
pub fn unauthorized() -> Stmt {
    stmt(r("util.unauthorized()"))
}

/// The response every auth request template ends with.
pub fn empty_payload() -> Stmt {
    to_json(json(Json::object(vec![
        ("version", Json::Str("2018-05-29".into())),
        ("payload", Json::object(vec![])),
    ])))
}

/// `$util.defaultIfNull($ctx.identity.claims.get(<claim>), <default>)`
pub fn claim_or(claim: Expr, default: Expr) -> Expr {
    call(
        "util.defaultIfNull",
        vec![call("ctx.identity.claims.get", vec![claim]), default],
    )
}

/// The value of one identity claim; `username` falls back to `cognito:username`.
pub fn owner_claim(claim: &str) -> Expr {
    if claim == "username" {
        claim_or(s(claim), claim_or(s("cognito:username"), Expr::Null))
    } else {
        claim_or(s(claim), Expr::Null)
    }
}

/// Reads the parts of a (possibly multi-part) identity claim: the first into `name`, the
/// others into `$currentClaim<i>`.
pub fn owner_claim_reads(claim: &str, name: &str) -> Stmt {
    let parts: Vec<&str> = claim.split("::").collect();
    if parts.len() == 1 {
        return Stmt::Group(vec![set(name, owner_claim(claim))]);
    }
    Stmt::Group(
        parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                let target = if i == 0 {
                    name.to_string()
                } else {
                    format!("currentClaim{i}")
                };
                set(target, owner_claim(part))
            })
            .collect(),
    )
}

/// Every part of the claim is present.
pub fn claims_present(claim: &str, name: &str) -> Expr {
    let parts = claim.split("::").count();
    let first = not(call("util.isNull", vec![r(name)]));
    if parts == 1 {
        return first;
    }
    let mut all = vec![first];
    all.extend((1..parts).map(|i| not(call("util.isNull", vec![r(format!("currentClaim{i}"))]))));
    and(all)
}

/// For a multi-part claim, joins the parts into `name` (`"$ownerClaim0::$currentClaim1"`);
/// nothing (an empty line) otherwise.
pub fn join_claim_parts(claim: &str, name: &str) -> Stmt {
    let parts = claim.split("::").count();
    if parts == 1 {
        return Stmt::Blank;
    }
    let mut refs = vec![format!("${name}")];
    refs.extend((1..parts).map(|i| format!("$currentClaim{i}")));
    set(name, raw(format!("\"{}\"", refs.join("::"))))
}

/// The list of the claim's individual parts, also accepted as owners.
pub fn claim_parts_list(claim: &str, name: &str) -> Stmt {
    let parts: Vec<&str> = claim.split("::").collect();
    if parts.len() == 1 {
        return set(name, list(vec![]));
    }
    Stmt::Group(vec![
        set(name, list(vec![])),
        Stmt::Group(
            parts
                .iter()
                .map(|p| qr(call(format!("{name}.add"), vec![owner_claim(p)])))
                .collect(),
        ),
    ])
}

/// The variable holding the last part of a claim (the username of `sub::username`).
pub fn last_claim_part_ref(claim: &str, name: &str) -> String {
    let parts = claim.split("::").count();
    if parts > 1 {
        format!("currentClaim{}", parts - 1)
    } else {
        name.to_string()
    }
}

/// `#if( $userArn == $ctx.stash.authRole )` (or the identity pool's authenticated
/// identities, when its id is known and `pool` allows it).
pub fn iam_check(claim: &str, body: Vec<Stmt>, pool: bool) -> Stmt {
    let mut cond = eq(r("ctx.identity.userArn"), r(format!("ctx.stash.{claim}")));
    if pool && claim == "authRole" {
        cond = or(vec![
            parens(cond),
            parens(and(vec![
                eq(
                    r("ctx.identity.cognitoIdentityPoolId"),
                    r("ctx.stash.identityPoolId"),
                ),
                eq(
                    r("ctx.identity.cognitoIdentityAuthType"),
                    s("authenticated"),
                ),
            ])),
        ]);
    }
    iff(cond, body)
}

/// Admin roles return at once: with the field's value for a field resolver, else `{}`.
pub fn admin_roles_check(field: Option<&str>) -> Stmt {
    let ret = match field {
        Some(f) => raw_line(format!("#return($context.source.{f})")),
        None => raw_line("#return($util.toJson({}))"),
    };
    Stmt::Group(vec![for_each(
        "adminRole",
        r("ctx.stash.adminRoles"),
        vec![iff(
            and(vec![
                call("ctx.identity.userArn.contains", vec![r("adminRole")]),
                ne(r("ctx.identity.userArn"), r("ctx.stash.authRole")),
                ne(r("ctx.identity.userArn"), r("ctx.stash.unauthRole")),
            ]),
            vec![ret],
        )],
    )])
}

/// The API key / Lambda block of a read check: any role of the provider authorises.
pub fn read_static_block(mode: &str, roles: &[Role]) -> Stmt {
    let body = if roles.is_empty() {
        vec![]
    } else {
        vec![set_authorized(true)]
    };
    mode_block(mode, body)
}

/// The IAM block of a read check (queries, subscriptions, fields).
pub fn read_iam_block(p: &Providers, roles: &[Role], field: Option<&str>) -> Stmt {
    let mut body = Vec::new();
    if p.admin_roles {
        body.push(admin_roles_check(field));
    }
    if roles.is_empty() {
        body.push(unauthorized());
    }
    for role in roles {
        body.push(iff(
            not_authorized(),
            vec![iam_check(
                role.def.claim(),
                vec![set_authorized(true)],
                p.identity_pool_id,
            )],
        ));
    }
    mode_block(IAM, body)
}

/// The static user-pool/OIDC roles of a read or delete check: `private` authorises, then the
/// static groups are looked up in the caller's group claims. `keep_private` reproduces the
/// delete check, whose group list still holds the private role (as `{}`).
pub fn static_roles(roles: &[Role], keep_private: bool) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut rest: Vec<&Role> = roles.iter().collect();
    if let Some(i) = rest
        .iter()
        .position(|r| r.def.strategy == crate::model::Strategy::Private)
    {
        out.push(set_authorized(true));
        if !keep_private {
            rest.remove(i);
        }
    }
    if !rest.is_empty() {
        let groups = Json::Array(
            rest.iter()
                .map(|r| {
                    let mut attrs = Vec::new();
                    if let Some(c) = &r.def.claim {
                        attrs.push(("claim", Json::Str(c.clone())));
                    }
                    if let Some(e) = r.def.entity_json() {
                        attrs.push(("entity", e));
                    }
                    Json::object(attrs)
                })
                .collect(),
        );
        out.push(static_group_loop(
            groups,
            vec![set_authorized(true), raw_line("#break")],
        ));
    }
    out
}

/// `$groupClaim<i>` read as a list: a JSON list in a string is parsed, any other string is a
/// one-element list.
pub fn group_claim_as_list(name: &str) -> Stmt {
    iff(
        call("util.isString", vec![r(name)]),
        vec![if_else(
            call("util.isList", vec![call("util.parseJson", vec![r(name)])]),
            vec![set(name, call("util.parseJson", vec![r(name)]))],
            vec![set(name, list(vec![r(name)]))],
        )],
    )
}

/// The end of a read check that may leave the decision to the data step: unauthorised unless a
/// role authorised the caller or an `authFilter` was stashed; then the block is closed.
pub fn filtered_read_steps(mut body: Vec<Stmt>) -> Vec<Stmt> {
    body.push(iff(
        and(vec![
            not_authorized(),
            call("util.isNull", vec![r("ctx.stash.authFilter")]),
        ]),
        vec![unauthorized()],
    ));
    body.push(empty_payload());
    vec![block("Authorization Steps", body)]
}

/// The API key, Lambda and IAM blocks of a read check (`field`: the field a field resolver
/// protects), for the modes the API has.
pub fn read_mode_blocks(p: &Providers, split: &Split, field: Option<&str>) -> Vec<Stmt> {
    let mut out = Vec::new();
    if p.api_key {
        out.push(read_static_block(API_KEY, &split.api_key));
    }
    if p.lambda {
        out.push(read_static_block(LAMBDA, &split.lambda));
    }
    if p.iam {
        out.push(read_iam_block(p, &split.iam, field));
    }
    out
}

/// The checks of the owner and dynamic group roles, numbered by their place in `roles`: every
/// owner check first, then every group check, as the reference orders them.
pub fn owners_then_groups(
    roles: &[Role],
    mut owner: impl FnMut(usize, &Role) -> Vec<Stmt>,
    mut group: impl FnMut(usize, &Role) -> Vec<Stmt>,
) -> Vec<Stmt> {
    let mut owners = Vec::new();
    let mut groups = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        match role.def.strategy {
            Strategy::Owner => owners.extend(owner(idx, role)),
            Strategy::Groups => groups.extend(group(idx, role)),
            _ => {}
        }
    }
    owners.extend(groups);
    owners
}

/// What an owner or group field holds when the record has no value: `[]` for a list field.
pub fn empty_entity(entity_is_list: bool) -> Expr {
    if entity_is_list {
        list(vec![])
    } else {
        Expr::Null
    }
}

/// `$ownerEntity<i>` (or `$groupEntity<i>`) := the owner (groups) field of `record`
/// (`ctx.args.input`, `ctx.result`, `ctx.source`).
pub fn set_entity(var: &str, record: &str, entity: &str, default: Expr) -> Stmt {
    set(
        var,
        call(
            "util.defaultIfNull",
            vec![r(format!("{record}.{entity}")), default],
        ),
    )
}

/// Whether the caller owns the record: `$ownerClaim<i>` (the joined claim) or one of
/// `$ownerClaimsList<i>` (its parts) is the owner, or one of the owners of a list field.
/// Create compares the claim with the given owner, the other checks the stored owner with the
/// claim (the reference's two orders).
pub fn owner_match(
    idx: usize,
    entity_is_list: bool,
    claim_first: bool,
    on_list_match: Vec<Stmt>,
    on_match: Vec<Stmt>,
) -> Stmt {
    let entity_var = format!("ownerEntity{idx}");
    let claim_var = format!("ownerClaim{idx}");
    let list_var = format!("ownerClaimsList{idx}");
    if entity_is_list {
        return for_each(
            "allowedOwner",
            r(&entity_var),
            vec![iff(
                or(vec![
                    eq(r("allowedOwner"), r(&claim_var)),
                    call(format!("{list_var}.contains"), vec![r("allowedOwner")]),
                ]),
                on_list_match,
            )],
        );
    }
    let same = if claim_first {
        eq(r(&claim_var), r(&entity_var))
    } else {
        eq(r(&entity_var), r(&claim_var))
    };
    iff(
        or(vec![
            same,
            call(format!("{list_var}.contains"), vec![r(&entity_var)]),
        ]),
        on_match,
    )
}

/// The owner check of a stored record (`ctx.result`, `ctx.source`): read the owner field and
/// the caller's claims, and when the claims are there join them and run `then` (which ends
/// with the `owner_match`).
pub fn stored_owner_check(
    idx: usize,
    role: &Role,
    record: &str,
    default: Expr,
    then: Vec<Stmt>,
) -> Stmt {
    let claim = role.def.claim();
    let claim_var = format!("ownerClaim{idx}");
    let mut body = vec![
        join_claim_parts(claim, &claim_var),
        claim_parts_list(claim, &format!("ownerClaimsList{idx}")),
    ];
    body.extend(then);
    iff(
        not_authorized(),
        vec![
            set_entity(
                &format!("ownerEntity{idx}"),
                record,
                role.def.entity(),
                default,
            ),
            owner_claim_reads(claim, &claim_var),
            iff(claims_present(claim, &claim_var), body),
        ],
    )
}

/// `$groupClaim<i>` := the caller's groups claim (a list).
pub fn set_group_claim(idx: usize, claim: &str) -> Stmt {
    set(format!("groupClaim{idx}"), claim_or(s(claim), list(vec![])))
}

/// For each of the caller's groups: is it the groups field, or one of its groups?
pub fn user_group_loop(idx: usize, entity_is_list: bool, on_match: Vec<Stmt>) -> Stmt {
    let entity_var = format!("groupEntity{idx}");
    for_each(
        "userGroup",
        r(format!("groupClaim{idx}")),
        vec![iff(
            if entity_is_list {
                call(format!("{entity_var}.contains"), vec![r("userGroup")])
            } else {
                eq(r(&entity_var), r("userGroup"))
            },
            on_match,
        )],
    )
}

/// While not authorised: for each static group role (`groups`, a JSON list of objects with
/// `claim` and `entity`), is the group in the caller's groups claim?
pub fn static_group_loop(groups: Json, on_match: Vec<Stmt>) -> Stmt {
    iff(
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
                        on_match,
                    ),
                ],
            ),
        ],
    )
}

/// The IAM block of a mutation check: admin roles pass, no IAM role refuses, else one
/// `check` per IAM role.
pub fn mutation_iam_block(p: &Providers, roles: &[Role], check: impl Fn(&Role) -> Stmt) -> Stmt {
    let mut iam = Vec::new();
    if p.admin_roles {
        iam.push(admin_roles_check(None));
    }
    if roles.is_empty() {
        iam.push(unauthorized());
    }
    iam.extend(roles.iter().map(check));
    mode_block(IAM, iam)
}
