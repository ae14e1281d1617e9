//! Access changes: for every model of either version, each (role, field, operation) the head
//! allows and the base did not (granted) or the reverse (revoked), with the rule that gives
//! it (the head's for a grant, the base's for a revocation) and where that rule is written.
//! The roles are those of `status -acm`.

use std::collections::BTreeSet;

use crate::model::Operation;
use crate::normalise::{AuthRule, TypeAuth};
use crate::plan::acm::role_names;
use crate::plan::{Acm, RoleNaming};
use crate::source::SourceMap;

use super::Version;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessKind {
    Granted,
    Revoked,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::Granted => "granted",
            AccessKind::Revoked => "revoked",
        }
    }
}

/// Where a rule is written and how.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleSite {
    /// The rule as written (`{ allow: public, operations: [read] }`).
    pub text: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The rule's span in the sources of the version it is written in.
    pub span: crate::source::Span,
}

impl RuleSite {
    fn of(rule: &AuthRule, sources: &SourceMap) -> Option<RuleSite> {
        let span = rule.raw.span;
        let at = sources.locate(span.start)?;
        let text = sources.slice(span).split_whitespace().collect::<Vec<_>>();
        Some(RuleSite {
            text: text.join(" "),
            file: at.file.to_string(),
            line: at.line,
            column: at.column,
            span,
        })
    }

    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One operation on one field that one role gains or loses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessChange {
    pub kind: AccessKind,
    pub model: String,
    pub field: String,
    pub role: String,
    pub operation: Operation,
    /// The rule that gives (head) or gave (base) the access; `None` for the global sandbox
    /// rule, which is written in no schema.
    pub rule: Option<RuleSite>,
}

/// A model's matrix, with the rule behind each role's access to each field.
struct Matrix<'a> {
    acm: Acm,
    auth: Option<&'a TypeAuth>,
    naming: RoleNaming,
}

impl Matrix<'_> {
    fn of<'a>(version: &'a Version, model: &str) -> Option<Matrix<'a>> {
        let m = version.normalised.schema.model(model)?;
        let auth = version.normalised.auth_of(model);
        let empty = TypeAuth::default();
        let a = auth.unwrap_or(&empty);
        // The printed roles, unless two rules print as one (then the transformer's).
        let (acm, naming) = match Acm::build(m, a, RoleNaming::Printed) {
            Ok(acm) => (acm, RoleNaming::Printed),
            Err(_) => (
                Acm::build(m, a, RoleNaming::Transformer).ok()?,
                RoleNaming::Transformer,
            ),
        };
        Some(Matrix { acm, auth, naming })
    }

    fn allows(&self, role: &str, field: &str, op: Operation) -> bool {
        self.acm
            .roles
            .iter()
            .find(|r| r.name == role)
            .is_some_and(|r| self.acm.is_allowed(r, field, op))
    }

    /// The rule that gives `role` its access to `field`: the field's own rule when the field
    /// has rules, else the type-level rule that made the role.
    fn cause(&self, role: &str, field: &str) -> Option<&AuthRule> {
        if let Some((_, rules)) = self
            .auth
            .and_then(|a| a.field_rules.iter().find(|(f, _)| f == field))
            && let Some(rule) = rules.iter().find(|r| {
                role_names(r, self.naming)
                    .iter()
                    .any(|(name, _)| name == role)
            })
        {
            return Some(rule);
        }
        self.acm
            .roles
            .iter()
            .find(|r| r.name == role)
            .map(|r| &r.rule)
    }
}

pub fn compare(base: &Version, head: &Version) -> Vec<AccessChange> {
    let mut models: Vec<String> = Vec::new();
    for v in [head, base] {
        for m in v.normalised.schema.models() {
            if !models.contains(&m.name.text) {
                models.push(m.name.text.clone());
            }
        }
    }
    let mut out = Vec::new();
    for model in &models {
        let before = Matrix::of(base, model);
        let after = Matrix::of(head, model);
        for (kind, from, to, version) in [
            (AccessKind::Granted, &before, &after, head),
            (AccessKind::Revoked, &after, &before, base),
        ] {
            let Some(to) = to else { continue };
            for role in &to.acm.roles {
                for (i, field) in to.acm.resources.iter().enumerate() {
                    for op in role.access[i].iter() {
                        if from
                            .as_ref()
                            .is_some_and(|f| f.allows(&role.name, field, op))
                        {
                            continue;
                        }
                        let rule = to
                            .cause(&role.name, field)
                            .filter(|r| r.raw.span.end > r.raw.span.start)
                            .and_then(|r| RuleSite::of(r, version.sources));
                        out.push(AccessChange {
                            kind,
                            model: model.clone(),
                            field: field.clone(),
                            role: role.name.clone(),
                            operation: op,
                            rule,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Changes grouped as a reader takes them in: one line per (kind, model, role, rule,
/// operations), with the fields that share them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessGroup {
    pub kind: AccessKind,
    pub model: String,
    pub role: String,
    pub operations: Vec<Operation>,
    pub fields: Vec<String>,
    pub rule: Option<RuleSite>,
}

pub fn grouped(changes: &[AccessChange]) -> Vec<AccessGroup> {
    use indexmap::IndexMap;
    // A change's role and rule, as one key.
    type Key<'a> = (AccessKind, &'a str, &'a str, Option<&'a RuleSite>);
    // First each field's operations, then fields with the same operations together.
    let mut per_field: IndexMap<(Key, &str), Vec<Operation>> = IndexMap::new();
    for c in changes {
        let key = (c.kind, c.model.as_str(), c.role.as_str(), c.rule.as_ref());
        per_field
            .entry((key, c.field.as_str()))
            .or_default()
            .push(c.operation);
    }
    let mut groups: IndexMap<(Key, Vec<Operation>), Vec<String>> = IndexMap::new();
    for ((key, field), operations) in per_field {
        groups
            .entry((key, operations))
            .or_default()
            .push(field.to_string());
    }
    let mut out: Vec<AccessGroup> = groups
        .into_iter()
        .map(
            |(((kind, model, role, rule), operations), fields)| AccessGroup {
                kind,
                model: model.to_string(),
                role: role.to_string(),
                operations,
                fields,
                rule: rule.cloned(),
            },
        )
        .collect();
    out.sort_by(|a, b| (a.kind, &a.model, &a.role).cmp(&(b.kind, &b.model, &b.role)));
    out
}

/// The models whose access changes.
pub fn models(changes: &[AccessChange]) -> BTreeSet<&str> {
    changes.iter().map(|c| c.model.as_str()).collect()
}
