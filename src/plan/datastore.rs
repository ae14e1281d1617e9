//! DataStore conflict resolution, decided once for the later stages: which strategy each model
//! uses, the fields a versioned model gets, and the checks on the configuration.

use crate::config::{Config, SyncConfig};
use crate::diagnostics::{Code, Diagnostic};
use crate::normalise::Normalised;

/// The fields DataStore adds to every model, in the order the reference adds them.
pub const SYNC_FIELDS: [&str; 3] = ["_version", "_deleted", "_lastChangedAt"];

/// Whether the API uses DataStore (a `ResolverConfig` with `project` or `models`).
pub fn enabled(config: &Config) -> bool {
    config.datastore.is_some()
}

/// The strategy of a model; `None` without DataStore.
pub fn sync_config<'a>(config: &'a Config, model: &str) -> Option<&'a SyncConfig> {
    config.datastore.as_ref()?.for_model(model)
}

/// Every model needs a strategy: with `models` but no `project`, a model left out has none,
/// which the reference fails on while building its resolvers.
pub fn check(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let Some(rc) = &config.datastore else {
        return Vec::new();
    };
    n.schema
        .models()
        .filter(|m| rc.for_model(&m.name.text).is_none())
        .map(|m| {
            Diagnostic::error(
                Code::ModelWithoutConflictResolution,
                format!(
                    "model {} has no conflict resolution strategy: ResolverConfig has no project strategy and no complete entry for it in models",
                    m.name.text
                ),
            )
            .at(m.name.span, "no ConflictHandler and ConflictDetection for this model")
            .with_help(format!(
                "add ResolverConfig.project, or ResolverConfig.models.{} with ConflictHandler and ConflictDetection",
                m.name.text
            ))
        })
        .collect()
}
