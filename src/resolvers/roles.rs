//! What the auth templates are built from: the API's configured auth providers, and each role of
//! a model's access-control matrix seen the way the checks need it (provider, strategy, the
//! claim to read and the entity to compare it with).

use crate::config::{AuthModeKind, Config};
use crate::model::{GroupName, ObjectModel, Operation, Provider, Strategy};
use crate::normalise::AuthRule;
use crate::plan::acm::{Acm, AcmRole};
use crate::vtl::Json;

/// The auth modes of the API, as the templates need them: one `#if( $util.authType() == … )`
/// block is written per configured mode, whether a rule uses it or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Providers {
    pub api_key: bool,
    pub lambda: bool,
    pub iam: bool,
    pub user_pools: bool,
    pub oidc: bool,
    /// Admin IAM roles are known and the API has an IAM mode: every IAM block starts by letting
    /// them through.
    pub admin_roles: bool,
    /// The Cognito identity pool id is known: private IAM checks also accept its
    /// authenticated identities.
    pub identity_pool_id: bool,
}

impl Providers {
    pub fn of(config: &Config) -> Providers {
        let has = |k| config.auth.has(k);
        Providers {
            api_key: has(AuthModeKind::ApiKey),
            lambda: has(AuthModeKind::Lambda),
            iam: has(AuthModeKind::Iam),
            user_pools: has(AuthModeKind::UserPools),
            oidc: has(AuthModeKind::Oidc),
            admin_roles: has(AuthModeKind::Iam) && !config.admin_roles.is_empty(),
            identity_pool_id: config.identity_pool_id.is_some(),
        }
    }
}

/// One role as the checks read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDef {
    pub provider: Provider,
    pub strategy: Strategy,
    /// Decided without reading data (public, private, custom, static groups).
    pub is_static: bool,
    /// Static and dynamic groups: the groups claim; owner: the identity claim (`sub::username`);
    /// IAM: `authRole` (private) or `unauthRole` (public).
    pub claim: Option<String>,
    /// Static groups: the group (`None` for a null group); dynamic groups: the groups field;
    /// owner: the owner field.
    pub entity: Option<String>,
    /// A static group written as `null`.
    pub null_group: bool,
    /// Whether the entity field is a list (multi-owner, list of groups).
    pub entity_is_list: bool,
}

impl RoleDef {
    pub fn of(role: &AcmRole, model: &ObjectModel) -> RoleDef {
        RoleDef::from_rule(&role.rule, role.group.as_ref(), Some(model))
    }

    /// The role a rule makes (`group`: the group of a static group rule's role).
    pub fn from_rule(
        rule: &AuthRule,
        group: Option<&GroupName>,
        model: Option<&ObjectModel>,
    ) -> RoleDef {
        let is_list = |f: &str| {
            model
                .and_then(|m| m.field(f))
                .is_some_and(|fd| fd.ty.is_list())
        };
        let base = RoleDef {
            provider: rule.provider,
            strategy: rule.strategy,
            is_static: true,
            claim: None,
            entity: None,
            null_group: false,
            entity_is_list: false,
        };
        if rule.is_static_groups() {
            return RoleDef {
                claim: Some(group_claim(rule)),
                entity: group.and_then(GroupName::name).map(str::to_string),
                null_group: group == Some(&GroupName::Null),
                ..base
            };
        }
        match rule.provider {
            Provider::ApiKey | Provider::Function => base,
            Provider::Iam | Provider::IdentityPool => RoleDef {
                claim: Some(
                    if rule.strategy == Strategy::Private {
                        "authRole"
                    } else {
                        "unauthRole"
                    }
                    .to_string(),
                ),
                ..base
            },
            Provider::UserPools | Provider::Oidc => match rule.strategy {
                Strategy::Groups => {
                    let field = rule.groups_field.clone().unwrap_or_else(|| "groups".into());
                    RoleDef {
                        is_static: false,
                        claim: Some(group_claim(rule)),
                        entity_is_list: is_list(&field),
                        entity: Some(field),
                        ..base
                    }
                }
                Strategy::Owner => {
                    let field = rule.owner_field.clone().unwrap_or_else(|| "owner".into());
                    RoleDef {
                        is_static: false,
                        claim: rule.identity_claim.clone(),
                        entity_is_list: is_list(&field),
                        entity: Some(field),
                        ..base
                    }
                }
                _ => base,
            },
        }
    }

    pub fn claim(&self) -> &str {
        self.claim.as_deref().unwrap_or("")
    }

    pub fn entity(&self) -> &str {
        self.entity.as_deref().unwrap_or("")
    }

    /// The entity in a template's `$staticGroupRoles` list: JSON `null` for a null group.
    pub fn entity_json(&self) -> Option<Json> {
        if self.null_group {
            return Some(Json::Null);
        }
        self.entity.as_ref().map(|e| Json::Str(e.clone()))
    }

    /// The identity claim's parts (`sub::username` → `sub`, `username`).
    pub fn claim_parts(&self) -> Vec<&str> {
        self.claim().split("::").collect()
    }

    pub fn has_multi_claim(&self) -> bool {
        self.claim().contains("::")
    }
}

fn group_claim(rule: &AuthRule) -> String {
    rule.group_claim
        .clone()
        .unwrap_or_else(|| "cognito:groups".into())
}

/// A role with the field lists a mutation check gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub def: RoleDef,
    /// Create/update: the fields it may set (with generated key and connection fields).
    pub allowed_fields: Vec<String>,
    /// Update: the fields it may set to null.
    pub null_allowed_fields: Vec<String>,
    pub all_fields_allowed: bool,
    pub all_fields_null_allowed: bool,
}

impl Role {
    pub fn plain(def: RoleDef) -> Role {
        Role {
            def,
            allowed_fields: Vec::new(),
            null_allowed_fields: Vec::new(),
            all_fields_allowed: false,
            all_fields_null_allowed: false,
        }
    }
}

/// A template's roles, split by the block that checks them.
#[derive(Clone, Debug, Default)]
pub struct Split {
    pub api_key: Vec<Role>,
    pub lambda: Vec<Role>,
    pub iam: Vec<Role>,
    pub user_pools_static: Vec<Role>,
    pub user_pools_dynamic: Vec<Role>,
    pub oidc_static: Vec<Role>,
    pub oidc_dynamic: Vec<Role>,
}

impl Split {
    pub fn of(roles: &[Role]) -> Split {
        let pick = |p: Provider, static_: Option<bool>| -> Vec<Role> {
            roles
                .iter()
                .filter(|r| {
                    r.def.provider.same_as(p) && static_.is_none_or(|s| r.def.is_static == s)
                })
                .cloned()
                .collect()
        };
        Split {
            api_key: pick(Provider::ApiKey, None),
            lambda: pick(Provider::Function, None),
            iam: pick(Provider::IdentityPool, None),
            user_pools_static: pick(Provider::UserPools, Some(true)),
            user_pools_dynamic: pick(Provider::UserPools, Some(false)),
            oidc_static: pick(Provider::Oidc, Some(true)),
            oidc_dynamic: pick(Provider::Oidc, Some(false)),
        }
    }
}

/// The roles allowed `op` on at least one field (`all_fields`: on every field), in matrix
/// order.
pub fn roles_for(acm: &Acm, op: Operation, all_fields: bool) -> Vec<&AcmRole> {
    acm.roles
        .iter()
        .filter(|r| {
            if all_fields {
                r.access.iter().all(|a| a.contains(op))
            } else {
                r.access.iter().any(|a| a.contains(op))
            }
        })
        .collect()
}
