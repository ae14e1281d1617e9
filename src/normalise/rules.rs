//! Rule normalisation: defaults for provider, claims and fields, and `read` expanded. The
//! resulting `AuthRule` is what every later stage reads.

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{
    GroupName, Operation, OperationSet, Provider, RawAuthRule, RuleOperation, Strategy,
};
use crate::source::Span;

/// Where a rule was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleSite {
    Type,
    Field,
}

/// A rule with every default applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthRule {
    pub strategy: Strategy,
    pub provider: Provider,
    pub operations: OperationSet,
    /// Owner rules: the field holding the owner(s) (default `owner`).
    pub owner_field: Option<String>,
    /// Owner rules: the claim(s) identifying the caller (default `sub::username`, or
    /// `username` without `useSubUsernameForDefaultIdentityClaim`).
    pub identity_claim: Option<String>,
    /// Groups rules (and any rule given one): the claim holding the caller's groups
    /// (default `cognito:groups`).
    pub group_claim: Option<String>,
    /// Static groups.
    pub groups: Vec<GroupName>,
    /// Dynamic groups: the field holding the allowed group(s).
    pub groups_field: Option<String>,
    pub site: RuleSite,
    /// Whether `identityClaim` was left to its default.
    pub default_identity_claim: bool,
    /// The rule as written, for diagnostics.
    pub raw: RawAuthRule,
}

impl AuthRule {
    pub fn is_static_groups(&self) -> bool {
        self.raw.groups.is_some() && self.groups_field.is_none()
    }

    pub fn is_dynamic_groups(&self) -> bool {
        self.strategy == Strategy::Groups && self.groups_field.is_some()
    }

    /// The token to point at when the provider is wrong: the provider, or `allow` when the
    /// provider was defaulted from it.
    pub fn provider_span(&self) -> Span {
        self.raw
            .provider
            .as_ref()
            .map_or(self.raw.allow.span, |p| p.span)
    }

    /// Whether the provider was written or defaulted.
    pub fn provider_is_explicit(&self) -> bool {
        self.raw.provider.is_some()
    }
}

pub fn default_provider(strategy: Strategy) -> Provider {
    match strategy {
        Strategy::Owner | Strategy::Groups | Strategy::Private => Provider::UserPools,
        Strategy::Public => Provider::ApiKey,
        Strategy::Custom => Provider::Function,
    }
}

/// Normalises one rule; the two operation-list checks of the reference happen here (a rule
/// that fails them is still returned, so the other checks can run on it).
pub fn normalise_rule(
    raw: &RawAuthRule,
    site: RuleSite,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> AuthRule {
    let strategy = raw.allow.value;
    let provider = raw
        .provider
        .as_ref()
        .map_or(default_provider(strategy), |p| p.value);
    let operations = match &raw.operations {
        None => OperationSet::ALL,
        Some(list) => {
            let specific_reads: Vec<_> = list
                .value
                .iter()
                .filter(|o| matches!(o.value, RuleOperation::Op(op) if op.is_read()))
                .collect();
            if site == RuleSite::Field && !specific_reads.is_empty() {
                let names: Vec<_> = specific_reads.iter().map(|o| op_name(o.value)).collect();
                diags.push(
                    Diagnostic::error(
                        Code::SpecificReadOnField,
                        format!(
                            "'{}' operation is not allowed at the field level",
                            names.join(", ")
                        ),
                    )
                    .at(specific_reads[0].span, "not allowed on a field")
                    .with_help("field-level rules take create, update, delete and read"),
                );
            }
            if let Some(read) = list.value.iter().find(|o| o.value == RuleOperation::Read)
                && !specific_reads.is_empty()
            {
                let names: Vec<_> = specific_reads.iter().map(|o| op_name(o.value)).collect();
                diags.push(
                    Diagnostic::error(
                        Code::ReadWithSpecificReads,
                        format!("'{}' operations are specified in addition to 'read'", names.join(", ")),
                    )
                    .at(specific_reads[0].span, "already covered by `read`")
                    .with_note(read.span, "`read` is here")
                    .with_help("`read` already grants get, list, listen, search and sync: remove one or the other"),
                );
            }
            list.value
                .iter()
                .flat_map(|o| match o.value {
                    RuleOperation::Op(op) => vec![op],
                    RuleOperation::Read => Operation::READS.to_vec(),
                })
                .collect()
        }
    };
    let owner = strategy == Strategy::Owner;
    let default_claim = if config.flags.usesubusernamefordefaultidentityclaim {
        "sub::username"
    } else {
        "username"
    };
    AuthRule {
        strategy,
        provider,
        operations,
        owner_field: owner.then(|| {
            raw.owner_field
                .as_ref()
                .map_or("owner".to_string(), |f| f.value.clone())
        }),
        identity_claim: owner.then(|| {
            raw.identity_claim
                .as_ref()
                .map_or(default_claim.to_string(), |f| f.value.clone())
        }),
        // Static group roles take the rule's groupClaim whatever the strategy (`groups` on a
        // private rule makes static group roles too).
        group_claim: raw
            .group_claim
            .as_ref()
            .map(|f| f.value.clone())
            .or_else(|| (strategy == Strategy::Groups).then(|| "cognito:groups".to_string())),
        groups: raw
            .groups
            .as_ref()
            .map(|g| g.value.iter().map(|n| n.value.clone()).collect())
            .unwrap_or_default(),
        groups_field: raw.groups_field.as_ref().map(|f| f.value.clone()),
        site,
        default_identity_claim: raw.identity_claim.is_none(),
        raw: raw.clone(),
    }
}

fn op_name(op: RuleOperation) -> &'static str {
    match op {
        RuleOperation::Op(o) => o.as_str(),
        RuleOperation::Read => "read",
    }
}
