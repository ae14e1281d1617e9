//! Checks and warnings that need the access-control matrix: duplicate roles, required fields
//! that some readers may not see, sort keys used as owner fields, and the warnings the
//! reference prints about auth.

use super::acm::{Acm, AcmRole, RoleNaming};
use crate::ast::ValueKind;
use crate::config::{AuthModeKind, Config};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{ObjectModel, Operation, Provider, Strategy, SubscriptionLevel, TypeKind};
use crate::normalise::{Normalised, TypeAuth};

/// Runs every ACM-level check over the schema.
pub fn check(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut reassign: Vec<(String, Vec<String>, crate::source::Span)> = Vec::new();
    for model in n.schema.models() {
        let Some(auth) = n.auth_of(&model.name.text) else {
            continue;
        };
        let acm = match Acm::build(model, auth, RoleNaming::Transformer) {
            Ok(acm) => acm,
            Err(dup) => {
                out.push(
                    Diagnostic::error(
                        Code::DuplicateRole,
                        format!(
                            "@auth {}:{} already exists for {}",
                            model.name.text, dup.role, model.name.text
                        ),
                    )
                    .at(dup.rule.raw.span, "makes the same role again")
                    .with_note(dup.first.raw.span, "first made by this rule")
                    .with_help("remove one of the rules, or merge their operations into one rule"),
                );
                continue;
            }
        };
        out.extend(required_fields(model, &acm));
        out.extend(sort_key_owner(model, auth, config));
        let fields = reassignable_owner_fields(model, &acm);
        if let Some(first) = acm
            .roles
            .iter()
            .find(|r| r.rule.strategy == Strategy::Owner)
            && !fields.is_empty()
        {
            reassign.push((model.name.text.clone(), fields, first.rule.raw.span));
        }
    }
    if let Some((_, _, span)) = reassign.first() {
        let list: Vec<String> = reassign
            .iter()
            .map(|(m, f, _)| format!("{m}: [{}]", f.join(", ")))
            .collect();
        out.push(
            Diagnostic::warning(
                Code::OwnerReassign,
                format!("owners may reassign ownership for the following model(s) and role(s): {}", list.join(", ")),
            )
            .at(*span, "owners may change their owner field")
            .with_help("if this is not intended, add a field-level rule on the owner field that leaves out `update`; see https://docs.amplify.aws/cli/graphql/authorization-rules/#per-user--owner-based-data-access"),
        );
    }
    out.extend(rule_warnings(n, config));
    out
}

/// Condition 32: a non-null field that needs a field resolver (not every reader of the model
/// can read it) while the model's subscriptions are on.
fn required_fields(model: &ObjectModel, acm: &Acm) -> Vec<Diagnostic> {
    let level = model
        .model_args()
        .map_or(SubscriptionLevel::On, |a| a.declared_subscription_level());
    if level != SubscriptionLevel::On {
        return Vec::new();
    }
    let mut out = Vec::new();
    for field in model.fields.iter().filter(|f| !f.from_extension) {
        // The reference checks the output type, where @hasMany and @manyToMany fields have
        // become nullable connections whatever was declared.
        if !field.ty.is_non_null()
            || field.has_directive("hasMany")
            || field.has_directive("manyToMany")
        {
            continue;
        }
        let blind = field_readers(acm, &field.name.text).blind;
        if blind.is_empty() {
            continue;
        }
        let names: Vec<&str> = blind.iter().map(|r| r.name.as_str()).collect();
        let mut d = Diagnostic::error(
                Code::RequiredFieldNeedsAuth,
                format!(
                    "required field `{}.{}` is not readable by every role that can read `{}`",
                    model.name.text, field.name.text, model.name.text
                ),
            )
            .at(field.name.span, format!("not readable by {}", names.join(", ")))
            .with_help("make the field nullable, give those roles read access to it, or set @model(subscriptions: { level: off }) or { level: public }");
        // The rules that let those roles read the model, where they are written.
        let mut noted = Vec::new();
        for role in &blind {
            let span = role.rule.raw.span;
            if !noted.contains(&span) {
                noted.push(span);
                d = d.with_note(
                    span,
                    format!(
                        "{} reads `{}` through this rule",
                        role.name, model.name.text
                    ),
                );
            }
        }
        out.push(d);
    }
    out
}

/// The readers of one field, as the reference sees them: "readers" are the roles with `get`
/// on some field of the model, and a user-pool (or OIDC) `private` role that reads the whole
/// field stands for the other roles of its provider, which are then in neither list.
pub struct FieldReaders<'a> {
    /// The readers that may read the field: the roles its resolver checks.
    pub allowed: Vec<&'a AcmRole>,
    /// The readers that may not: when there are any, the reference protects the field with
    /// its own resolver.
    pub blind: Vec<&'a AcmRole>,
}

pub fn field_readers<'a>(acm: &'a Acm, field: &str) -> FieldReaders<'a> {
    let readers: Vec<&AcmRole> = acm.roles_with(Operation::Get).collect();
    let reads_all = |r: &AcmRole| {
        Operation::READS
            .iter()
            .all(|op| acm.is_allowed(r, field, *op))
    };
    let covering: Vec<Provider> = [Provider::UserPools, Provider::Oidc]
        .into_iter()
        .filter(|p| {
            readers.iter().any(|r| {
                r.rule.provider == *p && r.rule.strategy == Strategy::Private && reads_all(r)
            })
        })
        .collect();
    let (allowed, blind) = readers
        .into_iter()
        .filter(|r| !(covering.contains(&r.rule.provider) && r.rule.strategy != Strategy::Private))
        .partition(|r| {
            Operation::READS
                .iter()
                .any(|op| acm.is_allowed(r, field, *op))
        });
    FieldReaders { allowed, blind }
}

/// Condition 38: a sort key field cannot be the owner field of a rule whose identity claim has
/// several parts (`sub::username`). The reference looks at the type-level rules only: a
/// field-level owner rule on a sort key field is accepted.
fn sort_key_owner(model: &ObjectModel, auth: &TypeAuth, config: &Config) -> Vec<Diagnostic> {
    if !config.flags.usesubusernamefordefaultidentityclaim {
        return Vec::new();
    }
    let mut out = Vec::new();
    for field in &model.fields {
        let Some(pk) = field
            .directives
            .iter()
            .find(|d| d.name.text == "primaryKey")
        else {
            continue;
        };
        let Some(arg) = pk.argument("sortKeyFields") else {
            continue;
        };
        let items: Vec<_> = match &arg.value.kind {
            ValueKind::List(items) => items.iter().collect(),
            _ => vec![&arg.value],
        };
        for item in items {
            let ValueKind::String(name) = &item.kind else {
                continue;
            };
            let owner = auth.type_rules.iter().flatten().find(|r| {
                r.strategy == Strategy::Owner
                    && r.owner_field.as_deref() == Some(name)
                    && r.identity_claim
                        .as_deref()
                        .is_some_and(|c| c.contains("::"))
            });
            if let Some(rule) = owner {
                out.push(
                    Diagnostic::error(
                        Code::SortKeyOwnerField,
                        format!("sort key field `{name}` of `{}` cannot also be the owner field of an owner @auth rule", model.name.text),
                    )
                    .at(item.span, "sort key and owner field")
                    .with_note(rule.raw.span, "owner rule")
                    .with_help("give the owner rule a single-part identityClaim (for example \"sub\"), or key the table differently"),
                );
            }
        }
    }
    out
}

/// Owner fields that their owners may update.
fn reassignable_owner_fields(model: &ObjectModel, acm: &Acm) -> Vec<String> {
    let mut fields = Vec::new();
    for role in acm
        .roles
        .iter()
        .filter(|r| r.rule.strategy == Strategy::Owner)
    {
        let Some(field) = role.rule.owner_field.as_deref() else {
            continue;
        };
        // An undeclared field named `owner` always counts, whatever the rule's operations:
        // the reference treats it as updatable.
        let can_update = if model.field(field).is_some() {
            acm.is_allowed(role, field, Operation::Update)
        } else {
            field == "owner"
        };
        // Listed once per owner role, as the reference does.
        if can_update {
            fields.push(field.to_string());
        }
    }
    fields
}

/// Warnings about individual rules and about models left without rules.
fn rule_warnings(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ta in &n.auth {
        let ty = n.schema.object(&ta.type_name);
        for rule in ta.all_rules() {
            if rule.provider == Provider::Iam
                && let Some(p) = &rule.raw.provider
            {
                out.push(
                    Diagnostic::warning(
                        Code::IamDeprecated,
                        "provider `iam` is deprecated; it means `identityPool`",
                    )
                    .at(p.span, "deprecated")
                    .with_help("write provider: identityPool"),
                );
            }
            if rule.strategy == Strategy::Owner
                && rule.default_identity_claim
                && !config.flags.usesubusernamefordefaultidentityclaim
            {
                out.push(
                    Diagnostic::warning(
                        Code::DefaultIdentityClaim,
                        "the default identity claim of owner rules will change from `username` to `sub::username`",
                    )
                    .at(rule.raw.allow.span, "no identityClaim")
                    .with_help("set identityClaim: \"username\" to keep today's behaviour, or turn on useSubUsernameForDefaultIdentityClaim"),
                );
            }
            if rule.strategy == Strategy::Owner
                && let (Some(ty), Some(owner)) = (ty, rule.owner_field.as_deref())
                && ty.field(owner).is_none()
                && let Some(similar) = ty
                    .fields
                    .iter()
                    .find(|f| f.name.text.eq_ignore_ascii_case(owner))
            {
                out.push(
                    Diagnostic::warning(
                        Code::OwnerFieldCase,
                        format!(
                            "owner field `{owner}` differs only in case from field `{}` of `{}`",
                            similar.name.text, ta.type_name
                        ),
                    )
                    .at(
                        rule.raw
                            .owner_field
                            .as_ref()
                            .map_or(rule.raw.span, |f| f.span),
                        "adds a new field",
                    )
                    .with_help(format!(
                        "use ownerField: \"{}\" if that field holds the owner",
                        similar.name.text
                    )),
                );
            }
        }
        if let Some(ty) = ty
            && ty.kind == TypeKind::Root
        {
            for (field, rules) in &ta.field_rules {
                if rules.iter().any(|r| {
                    !(r.is_static_groups()
                        || matches!(
                            r.strategy,
                            Strategy::Private | Strategy::Public | Strategy::Custom
                        ))
                }) {
                    let span = ty.field(field).map(|f| f.name.span).unwrap_or_default();
                    out.push(
                        Diagnostic::warning(
                            Code::RootFieldAuth,
                            format!("owner and dynamic group rules on {}.{field} are ignored", ta.type_name),
                        )
                        .at(span, "only static rules apply here")
                        .with_help("on Query, Mutation and Subscription fields only static group, private, public and custom rules can be checked; protect the data in its @model"),
                    );
                }
            }
        }
    }
    let unprotected: Vec<&ObjectModel> = n.schema.models().filter(|m| !m.has_any_auth()).collect();
    if n.sandbox {
        if config.auth.has(AuthModeKind::ApiKey)
            && let Some(g) = &n.schema.global_auth
        {
            out.push(
                Diagnostic::warning(
                    Code::SandboxApiKey,
                    "your GraphQL API allows public create, read, update and delete access to all models via an API key",
                )
                .at(g.span, "global rule { allow: public }")
                .with_help("to configure production-ready authorization rules, see https://docs.amplify.aws/cli/graphql/authorization-rules"),
            );
        }
    } else if let Some(first) = unprotected.first() {
        let names: Vec<_> = unprotected.iter().map(|m| m.name.text.as_str()).collect();
        out.push(
            Diagnostic::warning(
                Code::ModelsWithoutAuth,
                format!(
                    "some types do not have authorization rules configured, so every request to them is denied: {}",
                    names.join(", ")
                ),
            )
            .at(first.name.span, "no @auth")
            .with_help("add @auth rules; see https://docs.amplify.aws/cli/graphql/authorization-rules"),
        );
    }
    out
}
