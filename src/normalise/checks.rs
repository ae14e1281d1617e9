//! The validation conditions of the reference transformer that concern one `@auth` directive
//! and its rules (strategy/provider pairs, enabled providers, claims, groups, placement).

use super::{AuthRule, Normalised};
use crate::config::{AuthModeKind, Config};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{AuthDirective, GroupName, ObjectModel, Provider, Strategy, TypeKind};

pub fn directive_checks(
    ty: &ObjectModel,
    field: Option<&str>,
    d: &AuthDirective,
    rules: &[AuthRule],
    config: &Config,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(field) = field {
        for rule in rules {
            // The reference accepts an empty list here (it grants nothing either way).
            if let Some(ops) = &rule.raw.operations
                && !ops.value.is_empty()
            {
                match ty.kind {
                    TypeKind::Root => out.push(
                        Diagnostic::error(
                            Code::OperationsOnRootField,
                            format!("@auth rules on {}.{field} cannot specify operations: it is already an operation", ty.name.text),
                        )
                        .at(ops.span, "remove `operations`")
                        .with_help("rules on Query, Mutation and Subscription fields apply to the whole operation; drop `operations`"),
                    ),
                    TypeKind::Plain => out.push(
                        Diagnostic::error(
                            Code::OperationsOnNonModelField,
                            format!("@auth rules on {}.{field} cannot specify operations: `{}` is not a @model", ty.name.text, ty.name.text),
                        )
                        .at(ops.span, "remove `operations`")
                        .with_help("operations only apply to fields of @model types; drop `operations`"),
                    ),
                    _ => {}
                }
            }
        }
    }
    if let Some(empty) = d.empty_rules {
        let what = field.unwrap_or(&ty.name.text);
        out.push(
            Diagnostic::error(
                Code::EmptyRules,
                format!("@auth on {what} does not have any auth rules"),
            )
            .at(empty, "no rules")
            .with_help("add a rule such as { allow: owner }, or remove @auth"),
        );
    }
    for rule in rules {
        match strategy_provider(rule) {
            Some(diag) => out.push(diag),
            None => out.extend(provider_enabled(rule, config)),
        }
        out.extend(common(rule));
    }
    out
}

/// Conditions 8–13: the providers each strategy allows; groups rules need groups.
fn strategy_provider(rule: &AuthRule) -> Option<Diagnostic> {
    let allowed: &[Provider] = match rule.strategy {
        Strategy::Owner | Strategy::Groups => &[Provider::UserPools, Provider::Oidc],
        Strategy::Private => &[
            Provider::UserPools,
            Provider::Oidc,
            Provider::IdentityPool,
            Provider::Iam,
        ],
        Strategy::Public => &[Provider::ApiKey, Provider::IdentityPool, Provider::Iam],
        Strategy::Custom => &[Provider::Function],
    };
    if !allowed.contains(&rule.provider) {
        let names: Vec<_> = allowed.iter().map(|p| p.as_str()).collect();
        return Some(
            Diagnostic::error(
                Code::ProviderNotAllowed,
                format!(
                    "@auth `{}` rules cannot use the `{}` provider",
                    rule.strategy, rule.provider
                ),
            )
            .at(
                rule.provider_span(),
                format!("not allowed with `allow: {}`", rule.strategy),
            )
            .with_help(format!("use provider {}", or_list(&names))),
        );
    }
    if rule.strategy == Strategy::Groups
        && rule.raw.groups.is_none()
        && rule.raw.groups_field.is_none()
    {
        return Some(
            Diagnostic::error(
                Code::GroupsRuleIncomplete,
                "@auth `groups` rule should have a defined groups list or a groupsField",
            )
            .at(rule.raw.allow.span, "which groups?")
            .with_help("add groups: [\"Admin\"] for static groups or groupsField: \"groups\" for groups stored on the record"),
        );
    }
    None
}

/// Conditions 14–19: the rule's provider must be one of the API's auth modes.
fn provider_enabled(rule: &AuthRule, config: &Config) -> Option<Diagnostic> {
    let (mode, label) = match rule.provider {
        Provider::ApiKey => (AuthModeKind::ApiKey, "API key"),
        Provider::Oidc => (AuthModeKind::Oidc, "OpenID Connect"),
        Provider::UserPools => (AuthModeKind::UserPools, "Cognito user pools"),
        Provider::Iam | Provider::IdentityPool => (AuthModeKind::Iam, "IAM"),
        Provider::Function => (AuthModeKind::Lambda, "Lambda"),
    };
    if config.auth.has(mode) {
        return None;
    }
    let how = if rule.provider_is_explicit() {
        String::new()
    } else {
        format!(" (the default provider of `allow: {}`)", rule.strategy)
    };
    Some(
        Diagnostic::error(
            Code::ProviderNotEnabled,
            format!(
                "@auth rule uses the `{}` provider{how}, but the API has no {label} ({}) auth mode",
                rule.provider,
                mode.appsync_name()
            ),
        )
        .at(rule.provider_span(), format!("needs {}", mode.appsync_name()))
        .with_help(format!(
            "add {} to the API's auth modes (--auth-config / `amplify update api`), or use a provider the API has",
            mode.appsync_name()
        )),
    )
}

/// Conditions 21–24.
fn common(rule: &AuthRule) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let raw = &rule.raw;
    if let (Some(claim), Strategy::Groups) = (&raw.identity_claim, rule.strategy) {
        out.push(
            Diagnostic::error(
                Code::IdentityClaimMisplaced,
                "@auth identityClaim can only be used for 'allow: owner'",
            )
            .at(claim.span, "on a groups rule")
            .with_help(
                "remove identityClaim; a groups rule reads the caller's groups from groupClaim",
            ),
        );
    }
    if let (Some(claim), Strategy::Owner) = (&raw.group_claim, rule.strategy) {
        out.push(
            Diagnostic::error(
                Code::GroupClaimMisplaced,
                "@auth groupClaim can only be used with 'allow: groups'",
            )
            .at(claim.span, "on an owner rule")
            .with_help("remove groupClaim; an owner rule identifies the caller with identityClaim"),
        );
    }
    if let (Some(groups), Some(field)) = (&raw.groups, &raw.groups_field) {
        out.push(
            Diagnostic::error(Code::GroupsAndGroupsField, "this rule has groupsField and groups, please use one or the other")
                .at(field.span, "groupsField")
                .with_note(groups.span, "groups is here")
                .with_help("use groups for fixed group names or groupsField for groups stored on the record, in two rules if you need both"),
        );
    }
    if let (Some(groups), Strategy::Groups) = (&raw.groups, rule.strategy)
        && groups.value.is_empty()
    {
        out.push(
            Diagnostic::error(
                Code::EmptyGroups,
                "@auth rules using groups cannot have an empty list",
            )
            .at(groups.span, "empty")
            .with_help("name at least one group: groups: [\"Admin\"]"),
        );
    }
    // An owner rule's groups are added to the model as fields; the reference stops with a
    // TypeError on a null one, which could not be a field anyway.
    if let (Some(groups), Strategy::Owner) = (&raw.groups, rule.strategy)
        && let Some(null) = groups.value.iter().find(|g| g.value == GroupName::Null)
    {
        out.push(
            Diagnostic::error(
                Code::NullOwnerGroup,
                "an owner @auth rule cannot have a null group",
            )
            .at(null.span, "null group")
            .with_help("remove null from groups, or quote the group's name: groups: [\"Admin\"]"),
        );
    }
    out
}

fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Checks over the whole schema once every directive is normalised.
pub fn schema_checks(n: &Normalised, _config: &Config) -> Vec<Diagnostic> {
    let _ = n;
    Vec::new()
}
