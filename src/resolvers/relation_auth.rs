//! The auth step of a relational field's resolver. The caller must be allowed to read the
//! related model (its read roles, as a query would check them, with the related model's key
//! taken from the parent object), and, when the relational field has field-level rules of
//! its own, to read that field of the parent too.
//!
//! Redaction: a relational field that some readers of a mutation's subscription may not see
//! comes back empty when the parent object is a mutation result (`deniedField`).

use super::checks::*;
use super::field;
use super::post_auth;
use super::query::auth_filter;
use super::roles::{Providers, Role, RoleDef, Split, roles_for};
use super::{Builder, Slot, Step, field_subscriptions_on};
use crate::model::keys::{PrimaryKey, indexes, lower_first, string_arg, string_list, upper_first};
use crate::model::{ObjectModel, Operation, Provider, Strategy};
use crate::plan::ModelPlan;
use crate::plan::acm::Acm;
use crate::plan::auth_checks::field_readers;
use crate::vtl::*;

impl Builder<'_> {
    /// The auth steps of the resolver of relational field `field` of `parent`; empty when the
    /// parent has no `@auth`.
    pub(super) fn relation_auth_steps(&self, parent: &ModelPlan, field: &str) -> Vec<Step> {
        let (Some(acm), Some(f)) = (&parent.acm, parent.model.field(field)) else {
            return Vec::new();
        };
        let p = self.providers;
        let field_readers = field_readers(acm, field);
        let readers: Vec<Role> = field_readers
            .allowed
            .into_iter()
            .map(|r| Role::plain(RoleDef::of(r, parent.model)))
            .collect();
        let field_protected = !field_readers.blind.is_empty();
        let required = f.ty.is_non_null();
        let mut redact = field_protected && !required;
        let related = self.model_plans.model(f.ty.base());
        let mut check = match related.and_then(|m| m.acm.as_ref().map(|a| (m.model, a))) {
            Some((related, related_acm)) => {
                let roles = related_read_roles(related_acm, related);
                if !required && !redact {
                    redact = differs_from_related(&readers, &roles);
                }
                let keys = self.key_sources(parent.model, field, related);
                relation_query_auth(&p, &roles, related, &keys)
            }
            // A related model without rules: nobody may read it through the field.
            None => post_auth::field_post_auth(self.sandbox),
        };
        let subscriptions_on = field_subscriptions_on(parent.model, self.config);
        let denied =
            if subscriptions_on && redact && !self.config.flags.subscriptionsinheritprimaryauth {
                Some(denied_field_flag(true))
            } else if field_protected {
                Some(denied_field_flag(subscriptions_on))
            } else {
                None
            };
        if let Some(flag) = denied {
            check.insert(0, flag);
        }
        if field_protected {
            vec![Step {
                slot: Some(Slot::Auth),
                data_source: super::DataSourceRef::None,
                request: Some(field::field_auth(&p, &readers, Some(parent.model), None)),
                response: Some(check),
                request_suffix: "req",
            }]
        } else {
            vec![Step::slot(Slot::Auth, check)]
        }
    }

    /// Where each key attribute of the related model comes from when the field is read: a
    /// field of the parent object (`source`) or an argument of the field (`args`). Empty for
    /// a `@hasMany` without `indexName`/`fields` and for `@manyToMany`.
    fn key_sources(&self, parent: &ObjectModel, field: &str, related: &ObjectModel) -> KeySources {
        let Some(f) = parent.field(field) else {
            return Vec::new();
        };
        if let Some(d) = f.directives.iter().find(|d| d.name.text == "hasMany") {
            // A `@manyToMany` side, rewritten to a `@hasMany` of the join model: the
            // reference reads the directive as written and finds no key there.
            if related.is_join {
                return Vec::new();
            }
            let index_name = string_arg(d, "indexName");
            let fields = string_list(d, "fields");
            if index_name.is_none() && d.argument("fields").is_none() {
                return Vec::new();
            }
            let fields = if d.argument("fields").is_some() {
                fields
            } else {
                vec![PrimaryKey::of(parent).partition]
            };
            let attributes: Vec<String> = match &index_name {
                Some(name) => indexes(related, self.config)
                    .into_iter()
                    .find(|i| &i.name == name)
                    .map(|i| {
                        std::iter::once(i.partition.clone())
                            .chain((!i.sort.is_empty()).then(|| i.sort.join("#")))
                            .collect()
                    })
                    .unwrap_or_default(),
                None => PrimaryKey::of(related)
                    .fields()
                    .map(str::to_string)
                    .collect(),
            };
            return attributes
                .into_iter()
                .enumerate()
                .map(|(i, attribute)| match fields.get(i) {
                    Some(source) => (attribute, KeySource::Source(source.clone())),
                    None => (attribute.clone(), KeySource::Args(attribute)),
                })
                .collect();
        }
        let Some(d) = f
            .directives
            .iter()
            .find(|d| d.name.text == "hasOne" || d.name.text == "belongsTo")
        else {
            return Vec::new();
        };
        let related_key = PrimaryKey::of(related);
        let fields = if d.argument("fields").is_some() {
            string_list(d, "fields")
        } else {
            // The reference's default names the related *type* where the connection field
            // names the related key field.
            let prefix = format!("{}{}", lower_first(&parent.name.text), upper_first(field));
            let suffix = if self
                .config
                .flags
                .respectprimarykeyattributesonconnectionfield
            {
                upper_first(&related.name.text)
            } else {
                "Id".to_string()
            };
            std::iter::once(format!("{prefix}{suffix}"))
                .chain(
                    related_key
                        .sort
                        .iter()
                        .map(|k| format!("{prefix}{}", upper_first(k))),
                )
                .collect()
        };
        related_key
            .fields()
            .zip(fields)
            .map(|(k, source)| (k.to_string(), KeySource::Source(source)))
            .collect()
    }
}

/// Where a related key attribute's value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KeySource {
    /// `$ctx.source.<field>`; an authorised claim goes to `$ctx.stash.connectionAttributes`.
    Source(String),
    /// `$ctx.args.<field>`; an authorised claim goes to `$ctx.args`.
    Args(String),
}

/// Related key attribute → where its value comes from, in key order.
type KeySources = Vec<(String, KeySource)>;

/// The related model's roles that may read it some way, each once, in the order the
/// reference gathers them (get, list, sync, search, listen).
fn related_read_roles(acm: &Acm, model: &ObjectModel) -> Vec<Role> {
    let mut names: Vec<&str> = Vec::new();
    let mut roles = Vec::new();
    for op in [
        Operation::Get,
        Operation::List,
        Operation::Sync,
        Operation::Search,
        Operation::Listen,
    ] {
        for r in roles_for(acm, op, false) {
            if !names.contains(&r.name.as_str()) {
                names.push(&r.name);
                roles.push(Role::plain(RoleDef::of(r, model)));
            }
        }
    }
    roles
}

/// Whether the field's readers differ from the related model's readers, so that a
/// subscriber could see through the field what the related model would not show: decided
/// on the first field reader that the related model also lets in (the same role, or a
/// `private` one on either side for the same signed-in provider). A private user-pool (or
/// OIDC) role of the related model stands for its other roles of that provider.
fn differs_from_related(readers: &[Role], related: &[Role]) -> bool {
    let mut related: Vec<&RoleDef> = related.iter().map(|r| &r.def).collect();
    for provider in [Provider::UserPools, Provider::Oidc] {
        let private = related
            .iter()
            .any(|r| r.provider == provider && r.strategy == Strategy::Private);
        if private {
            related.retain(|r| !(r.provider == provider && r.strategy != Strategy::Private));
        }
    }
    let signed_in = |p: Provider| {
        matches!(
            p,
            Provider::UserPools | Provider::Oidc | Provider::IdentityPool
        )
    };
    for reader in readers.iter().map(|r| &r.def) {
        let both_sides = related.iter().any(|rel| {
            same_role(rel, reader)
                || (rel.provider == reader.provider
                    && signed_in(rel.provider)
                    && (reader.strategy == Strategy::Private || rel.strategy == Strategy::Private))
        });
        if both_sides {
            let identical = readers.len() == related.len()
                && related.iter().all(|rel| {
                    readers
                        .iter()
                        .any(|fr| same_role(&fr.def, rel) && !is_dynamic_or_custom(&fr.def))
                });
            return !identical;
        }
    }
    false
}

fn same_role(a: &RoleDef, b: &RoleDef) -> bool {
    a.provider == b.provider
        && a.strategy == b.strategy
        && a.is_static == b.is_static
        && a.claim == b.claim
        && a.entity == b.entity
}

fn is_dynamic_or_custom(role: &RoleDef) -> bool {
    (!role.is_static && matches!(role.strategy, Strategy::Owner | Strategy::Groups))
        || role.strategy == Strategy::Custom
}

/// `## [Start] Check if subscriptions is protected. **`: a relational field read under a
/// mutation result is denied. Without subscriptions, the reference writes an empty line.
fn denied_field_flag(subscriptions_on: bool) -> Stmt {
    if !subscriptions_on {
        return Stmt::Blank;
    }
    block(
        "Check if subscriptions is protected",
        vec![iff(
            eq(
                call(
                    "util.defaultIfNull",
                    vec![call("ctx.source.get", vec![s("__operation")]), Expr::Null],
                ),
                s("Mutation"),
            ),
            vec![qr(call(
                "ctx.stash.put",
                vec![s("deniedField"), Expr::Bool(true)],
            ))],
        )],
    )
}

/// The related model's read check: like a query's, with the key fields of owner and dynamic
/// group roles compared with the parent's values.
fn relation_query_auth(
    p: &Providers,
    roles: &[Role],
    related: &ObjectModel,
    keys: &KeySources,
) -> Vec<Stmt> {
    let split = Split::of(roles);
    let mut body = vec![set_has_auth(), set_authorized(false)];
    body.extend(read_mode_blocks(p, &split, None));
    let is_key = |r: &Role| keys.iter().any(|(k, _)| k == r.def.entity());
    body.extend(claim_mode_blocks(p, &split, |statics, dynamics| {
        let filtered: Vec<Role> = dynamics.iter().filter(|r| !is_key(r)).cloned().collect();
        let keyed: Vec<&Role> = dynamics.iter().filter(|r| is_key(r)).collect();
        let mut block = static_roles(statics, false);
        block.extend(auth_filter(&filtered, related));
        block.extend(key_checks(&keyed, keys));
        block
    }));
    filtered_read_steps(body)
}

/// Owner and dynamic group roles on a key attribute of the related model: the parent's value
/// must be the caller's claim; without a value, the claim becomes the key to read.
fn key_checks(roles: &[&Role], keys: &KeySources) -> Vec<Stmt> {
    if roles.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (idx, role) in roles.iter().enumerate() {
        let Some((_, source)) = keys.iter().find(|(k, _)| k == role.def.entity()) else {
            continue;
        };
        let (value, put) = match source {
            KeySource::Source(f) => (
                format!("ctx.source.{f}"),
                ("ctx.stash.connectionAttributes.put", f),
            ),
            KeySource::Args(f) => (format!("ctx.args.{f}"), ("ctx.args.put", f)),
        };
        let claim = role.def.claim();
        let name = format!("primaryRole{idx}");
        let list_var = format!("ownerClaimsList{idx}");
        out.push(owner_claim_reads(claim, &name));
        out.push(iff(
            claims_present(claim, &name),
            vec![
                join_claim_parts(claim, &name),
                claim_parts_list(claim, &list_var),
                if_else(
                    and(vec![
                        parens(not(r(format!("util.isNull(${value})")))),
                        parens(or(vec![
                            parens(eq(r(&value), r(&name))),
                            call(format!("{list_var}.contains"), vec![r(&value)]),
                        ])),
                    ]),
                    vec![
                        set_authorized(true),
                        qr(call("ctx.stash.put", vec![s("authFilter"), Expr::Null])),
                    ],
                    vec![iff(
                        and(vec![
                            not_authorized(),
                            call("util.isNull", vec![r("ctx.stash.authFilter")]),
                        ]),
                        vec![
                            qr(call(put.0, vec![s(put.1), r(&name)])),
                            set_authorized(true),
                        ],
                    )],
                ),
            ],
        ));
    }
    vec![iff(not_authorized(), out)]
}
