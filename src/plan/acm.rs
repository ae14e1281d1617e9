//! The access-control matrix: for one model, which role may perform which operation on which
//! field. Built once from the normalised rule table.
//!
//! Two namings exist. The transformer's own roles (`RoleNaming::Transformer`) decide the
//! resolvers and the schema; the `status -acm` printer of the Amplify CLI uses shorter names
//! (`RoleNaming::Printed`), with its own collisions. Both are built by the same code.

use crate::model::{GroupName, ObjectModel, Operation, OperationSet, Provider, Strategy};
use crate::normalise::{AuthRule, TypeAuth};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleNaming {
    Transformer,
    Printed,
}

/// A role: one name, the rule it came from, its access per resource.
#[derive(Clone, Debug, PartialEq)]
pub struct AcmRole {
    pub name: String,
    pub rule: AuthRule,
    /// Static group rules make one role per group.
    pub group: Option<GroupName>,
    /// Indexed like `Acm::resources`.
    pub access: Vec<OperationSet>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Acm {
    pub model: String,
    /// The field names declared in the model's definition, in source order (fields added
    /// by `extend type` are not columns, as in the reference).
    pub resources: Vec<String>,
    pub roles: Vec<AcmRole>,
}

/// A type-level rule that makes a role already made by an earlier type-level rule.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateRole {
    pub role: String,
    pub rule: AuthRule,
    pub first: AuthRule,
}

impl Acm {
    /// Builds the matrix: type-level rules on every field; then each field's rules replace
    /// the access of every existing role to that field.
    pub fn build(
        model: &ObjectModel,
        auth: &TypeAuth,
        naming: RoleNaming,
    ) -> Result<Acm, DuplicateRole> {
        let resources: Vec<String> = model
            .fields
            .iter()
            .filter(|f| !f.from_extension)
            .map(|f| f.name.text.clone())
            .collect();
        let mut acm = Acm {
            model: model.name.text.clone(),
            resources,
            roles: Vec::new(),
        };
        for rule in auth.type_rules.iter().flatten() {
            for (name, group) in role_names(rule, naming) {
                if let Some(pos) = acm.roles.iter().position(|r| r.name == name)
                    && model.is_join
                {
                    // A join model repeats the rules of both sides: the later one wins.
                    acm.roles[pos].rule = rule.clone();
                    acm.roles[pos].access = vec![rule.operations; acm.resources.len()];
                    continue;
                }
                if let Some(first) = acm.roles.iter().find(|r| r.name == name) {
                    return Err(DuplicateRole {
                        role: name,
                        rule: rule.clone(),
                        first: first.rule.clone(),
                    });
                }
                let access = vec![rule.operations; acm.resources.len()];
                acm.roles.push(AcmRole {
                    name,
                    rule: rule.clone(),
                    group,
                    access,
                });
            }
        }
        let has_type_rules = auth.type_rules.is_some();
        for (field, rules) in &auth.field_rules {
            let Some(col) = acm.resources.iter().position(|r| r == field) else {
                continue;
            };
            if has_type_rules {
                for role in &mut acm.roles {
                    role.access[col] = OperationSet::NONE;
                }
            }
            for rule in rules {
                for (name, group) in role_names(rule, naming) {
                    match acm.roles.iter_mut().find(|r| r.name == name) {
                        Some(role) => role.access[col] = rule.operations,
                        None => {
                            let mut access = vec![OperationSet::NONE; acm.resources.len()];
                            access[col] = rule.operations;
                            acm.roles.push(AcmRole {
                                name,
                                rule: rule.clone(),
                                group,
                                access,
                            });
                        }
                    }
                }
            }
        }
        Ok(acm)
    }

    pub fn is_allowed(&self, role: &AcmRole, resource: &str, op: Operation) -> bool {
        self.resources
            .iter()
            .position(|r| r == resource)
            .is_some_and(|i| role.access[i].contains(op))
    }

    /// Roles allowed `op` on at least one resource.
    pub fn roles_with(&self, op: Operation) -> impl Iterator<Item = &AcmRole> {
        self.roles
            .iter()
            .filter(move |r| r.access.iter().any(|a| a.contains(op)))
    }
}

/// The role name(s) a rule makes, with the group for static group rules.
pub fn role_names(rule: &AuthRule, naming: RoleNaming) -> Vec<(String, Option<GroupName>)> {
    let p = rule.provider;
    if rule.is_static_groups() {
        return rule
            .groups
            .iter()
            .map(|g| {
                let name = match naming {
                    RoleNaming::Printed => format!("{p}:staticGroup:{g}"),
                    RoleNaming::Transformer => format!(
                        "{p}:staticGroup:{g}:{}",
                        rule.group_claim.as_deref().unwrap_or("cognito:groups")
                    ),
                };
                (name, Some(g.clone()))
            })
            .collect();
    }
    let name = match (p, rule.strategy, naming) {
        (Provider::ApiKey, _, _) => "apiKey:public".to_string(),
        (Provider::Function, _, _) => "function:custom".to_string(),
        (Provider::Iam, s, _) => format!("iam:{s}"),
        (Provider::IdentityPool, s, RoleNaming::Transformer) => format!("iam:{s}"),
        // The Amplify CLI's printer has no name for these and fails; we show them.
        (Provider::IdentityPool, s, RoleNaming::Printed) => format!("identityPool:{s}"),
        (_, Strategy::Groups, naming) => {
            let field = rule.groups_field.as_deref().unwrap_or("groups");
            let claim = rule.group_claim.as_deref().unwrap_or("cognito:groups");
            match naming {
                RoleNaming::Printed => format!("{p}:dynamicGroup:{claim}:{field}"),
                RoleNaming::Transformer => format!("{p}:dynamicGroup:{field}:{claim}"),
            }
        }
        (_, Strategy::Owner, naming) => {
            let field = rule.owner_field.as_deref().unwrap_or("owner");
            match naming {
                RoleNaming::Printed => format!("{p}:owner:{field}"),
                RoleNaming::Transformer => format!(
                    "{p}:owner:{field}:{}",
                    rule.identity_claim.as_deref().unwrap_or("")
                ),
            }
        }
        (_, s, _) => format!("{p}:{s}"),
    };
    vec![(name, None)]
}
