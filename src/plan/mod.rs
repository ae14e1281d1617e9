//! What to build, decided once from the normalised schema, for every back end to read: the
//! operations, keys and access-control matrix of each model, the relations, the `@function`
//! and `@http` fields, the `@searchable` models, and the checks that need them.
//!
//! `Plan::new` runs once per build; the schema, resolver and stack back ends each take the
//! same `&Plan` and never compute these again.

pub mod acm;
pub mod auth_checks;
pub mod collation;
pub mod datastore;
pub mod invocations;
pub mod relations;
pub mod searchable;

pub use acm::{Acm, AcmRole, RoleNaming};

use std::collections::HashMap;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::ObjectModel;
use crate::model::keys::PrimaryKey;
use crate::model::operations::ModelOperations;
use crate::normalise::Normalised;
use invocations::Invocations;
use relations::Relation;
use searchable::Searchable;

/// The checks that read the whole plan: the access-control matrices and DataStore.
pub fn check(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let mut out = auth_checks::check(n, config);
    out.extend(datastore::check(n, config));
    out.extend(searchable::check(n));
    out
}

/// One model, as every back end sees it.
pub struct ModelPlan<'a> {
    pub model: &'a ObjectModel,
    pub operations: ModelOperations,
    pub key: PrimaryKey,
    /// The matrix with the transformer's role names; `None` for a model without `@auth`
    /// (its operations have no auth step).
    pub acm: Option<Acm>,
}

/// The decisions shared by the back ends, made once per build.
pub struct Plan<'a> {
    pub normalised: &'a Normalised,
    pub config: &'a Config,
    /// Every `@model`, in source order.
    pub models: Vec<ModelPlan<'a>>,
    pub relations: Vec<Relation>,
    pub invocations: Invocations,
    pub searchable: Vec<Searchable>,
    by_name: HashMap<String, usize>,
    /// Model name → the relations whose keys are on its table, by index in `relations`.
    keyed_on: HashMap<String, Vec<usize>>,
    /// Model name → the relations declared on its fields, by index in `relations`.
    declared_on: HashMap<String, Vec<usize>>,
}

impl<'a> Plan<'a> {
    pub fn new(normalised: &'a Normalised, config: &'a Config) -> Plan<'a> {
        let models: Vec<ModelPlan> = normalised
            .schema
            .models()
            .map(|model| ModelPlan {
                model,
                operations: ModelOperations::of(model, config),
                key: PrimaryKey::of(model),
                acm: normalised
                    .auth_of(&model.name.text)
                    .and_then(|a| Acm::build(model, a, RoleNaming::Transformer).ok()),
            })
            .collect();
        let by_name = models
            .iter()
            .enumerate()
            .map(|(i, m)| (m.model.name.text.clone(), i))
            .collect();
        let relations = relations::relations(&normalised.schema, config);
        let mut keyed_on: HashMap<String, Vec<usize>> = HashMap::new();
        let mut declared_on: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in relations.iter().enumerate() {
            declared_on.entry(r.model.clone()).or_default().push(i);
            let on = if !r.references.is_empty() {
                Some(&r.related)
            } else {
                r.added.as_ref().map(|a| &a.on)
            };
            if let Some(on) = on {
                keyed_on.entry(on.clone()).or_default().push(i);
            }
        }
        Plan {
            normalised,
            config,
            relations,
            keyed_on,
            declared_on,
            invocations: Invocations::of(&normalised.schema),
            searchable: searchable::of(normalised),
            models,
            by_name,
        }
    }

    /// The plan of the model named `name`.
    pub fn model(&self, name: &str) -> Option<&ModelPlan<'a>> {
        self.by_name.get(name).map(|i| &self.models[*i])
    }

    /// The relations declared on the fields of `model`, in source order.
    pub fn relations_of(&self, model: &str) -> impl Iterator<Item = &Relation> {
        let at = self.declared_on.get(model).map_or(&[][..], Vec::as_slice);
        at.iter().map(|&i| &self.relations[i])
    }

    /// The relations that put keys on `model`'s table (with `references:` pointing at it,
    /// or keys the relation adds to it), in source order.
    pub fn relations_keyed_on(&self, model: &str) -> impl Iterator<Item = &Relation> + Clone {
        let at = self.keyed_on.get(model).map_or(&[][..], Vec::as_slice);
        at.iter().map(|&i| &self.relations[i])
    }
}
