//! Field resolvers made by `@auth`: the check of a protected field against its parent object
//! (`$ctx.source`), what it returns (nothing when the parent came from a mutation, so that
//! subscribers of the mutation don't see it), and the owner field read-back that shows only
//! the username part of `sub::username`.

use super::checks::*;
use super::roles::{Providers, Role, Split};
use crate::model::ObjectModel;
use crate::vtl::*;

/// `<Type>.<field>.req.vtl`: may the caller read this field of `$ctx.source`?
pub fn field_auth(
    p: &Providers,
    roles: &[Role],
    model: Option<&ObjectModel>,
    field: Option<&str>,
) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![set_authorized(false)];
    body.extend(read_mode_blocks(p, &split, field));
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let mut block = static_roles(statics, false);
        block.extend(source_checks(dynamics, model));
        block
    }));
    body.push(iff(not_authorized(), vec![unauthorized()]));
    body.push(empty_payload());
    vec![block("Field Authorization Steps", body)]
}

/// Owner and dynamic group roles, compared with the parent object.
fn source_checks(roles: &[Role], model: Option<&ObjectModel>) -> Vec<Stmt> {
    let is_list = |f: &str| {
        model
            .and_then(|m| m.field(f))
            .is_some_and(|fd| fd.ty.is_list())
    };
    owners_then_groups(
        roles,
        |idx, role| {
            let matches = owner_match(
                idx,
                is_list(role.def.entity()),
                false,
                vec![set_authorized(true), raw_line("#break")],
                vec![set_authorized(true)],
            );
            vec![stored_owner_check(
                idx,
                role,
                "ctx.source",
                Expr::Null,
                vec![matches],
            )]
        },
        |idx, role| {
            let entity_var = format!("groupEntity{idx}");
            let claim_var = format!("groupClaim{idx}");
            let check = if is_list(role.def.entity()) {
                for_each(
                    "userGroup",
                    r(&claim_var),
                    vec![iff(
                        call(format!("{entity_var}.contains"), vec![r("userGroup")]),
                        vec![set_authorized(true), raw_line("#break")],
                    )],
                )
            } else {
                iff(
                    r(format!("{claim_var}.contains(${entity_var})")),
                    vec![set_authorized(true)],
                )
            };
            vec![iff(
                not_authorized(),
                vec![
                    set_entity(&entity_var, "ctx.source", role.def.entity(), Expr::Null),
                    set_group_claim(idx, role.def.claim()),
                    group_claim_as_list(&claim_var),
                    check,
                ],
            )]
        },
    )
}

/// `<Type>.<field>.res.vtl`: the field's value; nothing when the parent object came from a
/// mutation and the model has subscriptions (protected fields stay out of their payloads).
pub fn field_response(field: &str, subscriptions_on: bool) -> Vec<Stmt> {
    let value = r(format!("context.source[\"{field}\"]"));
    if subscriptions_on {
        return vec![block(
            "Checking for allowed operations which can return this field",
            vec![
                set(
                    "operation",
                    call(
                        "util.defaultIfNull",
                        vec![call("ctx.source.get", vec![s("__operation")]), Expr::Null],
                    ),
                ),
                if_else(
                    eq(r("operation"), s("Mutation")),
                    vec![to_json(Expr::Null)],
                    vec![to_json(value)],
                ),
            ],
        )];
    }
    vec![block("Return Source Field", vec![to_json(value)])]
}

/// The request of a field resolver that only reads its parent.
pub fn empty_request() -> Vec<Stmt> {
    vec![to_json(json(Json::object(vec![
        ("version", Json::Str("2018-05-29".into())),
        ("payload", Json::object(vec![])),
    ])))]
}

/// Owner read-back: the stored `sub::username` (or each element of a list) shown as the part
/// after the last `::`.
pub fn owner_read_back(field: &str) -> Vec<Stmt> {
    let last = |source: Expr| {
        vec![
            set("ownerEntities", source),
            set("ownerEntitiesLastIdx", raw("$ownerEntities.size() - 1")),
            set(
                "ownerEntitiesLast",
                r("ownerEntities[$ownerEntitiesLastIdx]"),
            ),
        ]
    };
    let mut each = last(r("entities.split(\"::\")"));
    each.push(qr(call(
        "ownerEntitiesList.add",
        vec![r("ownerEntitiesLast")],
    )));
    let mut scalar = last(r(format!("ctx.source.{field}.split(\"::\")")));
    scalar.push(qr(call(
        "ctx.source.put",
        vec![s(field), r("ownerEntitiesLast")],
    )));
    scalar.push(to_json(r(format!("ctx.source.{field}"))));
    vec![block(
        "Parse owner field auth for Get",
        vec![if_else(
            call("util.isList", vec![r(format!("ctx.source.{field}"))]),
            vec![
                set("ownerEntitiesList", list(vec![])),
                set(field, r(format!("ctx.source.{field}"))),
                for_each("entities", r(field), each),
                qr(call(
                    format!("ctx.source.{field}.put"),
                    vec![r("ownerEntitiesList")],
                )),
                to_json(r("ownerEntitiesList")),
            ],
            scalar,
        )],
    )]
}
