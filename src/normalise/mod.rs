//! Normalisation and validation of the auth rules: every rule gets its defaults, every
//! condition the reference enforces is checked (all problems are reported, not the first),
//! and the result is the rule table the later stages read.

mod checks;
mod rules;

pub use rules::{AuthRule, RuleSite, default_provider};

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{AuthDirective, ObjectModel, Schema, TypeKind};

/// The rules of one object type: on the type and on its fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeAuth {
    pub type_name: String,
    /// `None` when the type has no type-level `@auth`.
    pub type_rules: Option<Vec<AuthRule>>,
    /// Fields with `@auth`, in source order.
    pub field_rules: Vec<(String, Vec<AuthRule>)>,
}

impl TypeAuth {
    pub fn is_empty(&self) -> bool {
        self.type_rules.is_none() && self.field_rules.is_empty()
    }

    pub fn all_rules(&self) -> impl Iterator<Item = &AuthRule> {
        self.type_rules
            .iter()
            .flatten()
            .chain(self.field_rules.iter().flat_map(|(_, r)| r.iter()))
    }
}

/// The schema with its normalised rule table.
#[derive(Clone, Debug, Default)]
pub struct Normalised {
    pub schema: Schema,
    /// One entry per object type that has `@auth` anywhere, in source order.
    pub auth: Vec<TypeAuth>,
    pub sandbox: bool,
    /// Type name → position in `auth`, built on first lookup.
    by_name: OnceLock<HashMap<String, usize>>,
}

impl Normalised {
    pub fn auth_of(&self, type_name: &str) -> Option<&TypeAuth> {
        let index = self.by_name.get_or_init(|| {
            let mut map = HashMap::with_capacity(self.auth.len());
            for (i, a) in self.auth.iter().enumerate() {
                map.entry(a.type_name.clone()).or_insert(i);
            }
            map
        });
        index.get(type_name).map(|i| &self.auth[*i])
    }
}

/// Normalises and validates every `@auth` of the schema.
pub fn normalise(schema: Schema, config: &Config) -> (Normalised, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut auth = Vec::new();
    for ty in &schema.types {
        let ta = normalise_type(ty, config, &mut diags);
        if !ta.is_empty() {
            auth.push(ta);
        }
    }
    let sandbox = schema.sandbox();
    let normalised = Normalised {
        schema,
        auth,
        sandbox,
        by_name: OnceLock::new(),
    };
    diags.extend(checks::schema_checks(&normalised, config));
    (normalised, diags)
}

fn normalise_type(ty: &ObjectModel, config: &Config, diags: &mut Vec<Diagnostic>) -> TypeAuth {
    let mut out = TypeAuth {
        type_name: ty.name.text.clone(),
        ..Default::default()
    };
    // Interfaces and @auth-without-@model types were rejected while lowering.
    if !matches!(
        ty.kind,
        TypeKind::Model(_) | TypeKind::Root | TypeKind::Plain
    ) {
        return out;
    }
    if let Some(d) = &ty.auth
        && ty.is_model()
    {
        out.type_rules = Some(normalise_directive(ty, None, d, config, diags));
    }
    for f in &ty.fields {
        if let Some(d) = &f.auth {
            let rules = normalise_directive(ty, Some(&f.name.text), d, config, diags);
            out.field_rules.push((f.name.text.clone(), rules));
        }
    }
    out
}

fn normalise_directive(
    ty: &ObjectModel,
    field: Option<&str>,
    d: &AuthDirective,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> Vec<AuthRule> {
    let site = if field.is_some() {
        RuleSite::Field
    } else {
        RuleSite::Type
    };
    let rules: Vec<AuthRule> = d
        .rules
        .iter()
        .map(|r| rules::normalise_rule(r, site, config, diags))
        .collect();
    diags.extend(checks::directive_checks(ty, field, d, &rules, config));
    rules
}
