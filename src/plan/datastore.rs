//! DataStore conflict resolution, decided once for the later stages: which strategy each model
//! uses, the fields a versioned model gets, and the checks on the configuration.

use crate::ast::Directive;
use crate::config::{Config, ResolverConfig, SyncConfig};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{Field, ObjectModel};
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

/// The checks that only apply under DataStore, in the order the reference meets them: the
/// per-model entries, fields named like the sync fields, then relations.
pub fn check(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let Some(rc) = &config.datastore else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in n.schema.models() {
        out.extend(strategy_check(rc, m));
        out.extend(sync_field_names(m));
    }
    out.extend(mutual_relations(n));
    out
}

/// Every model needs a strategy: with `models` but no `project`, a model left out has none,
/// which the reference fails on while building its resolvers. An entry without both
/// `ConflictHandler` and `ConflictDetection` is ignored for the project's, with a warning.
fn strategy_check(rc: &ResolverConfig, m: &ObjectModel) -> Option<Diagnostic> {
    let name = &m.name.text;
    let incomplete = matches!(rc.models.get(name), Some(None));
    match &rc.project {
        None if rc.for_model(name).is_none() => Some(
            Diagnostic::error(
                Code::ModelWithoutConflictResolution,
                format!(
                    "model {name} has no conflict resolution strategy: ResolverConfig has no project strategy and no complete entry for it in models"
                ),
            )
            .at(m.name.span, "no ConflictHandler and ConflictDetection for this model")
            .with_help(format!(
                "add ResolverConfig.project, or ResolverConfig.models.{name} with ConflictHandler and ConflictDetection"
            )),
        ),
        Some(project) if incomplete => Some(
            Diagnostic::warning(
                Code::IncompleteModelConflictConfig,
                format!(
                    "ResolverConfig.models.{name} lacks ConflictHandler or ConflictDetection: model {name} uses the project strategy ({}) instead",
                    project.handler_name()
                ),
            )
            .at(m.name.span, "this model uses the project strategy")
            .with_help(format!(
                "give ResolverConfig.models.{name} both ConflictHandler and ConflictDetection, or remove the entry"
            )),
        ),
        _ => None,
    }
}

/// DataStore adds `_version`, `_deleted` and `_lastChangedAt` to every model (and `_version`
/// to its create input, `_deleted` to its filter): a field of that name collides.
fn sync_field_names(m: &ObjectModel) -> impl Iterator<Item = Diagnostic> + '_ {
    m.fields
        .iter()
        .filter(|f| SYNC_FIELDS.contains(&f.name.text.as_str()))
        .map(move |f| {
            Diagnostic::error(
                Code::DataStoreFieldName,
                format!(
                    "field {}.{} has the name of a field DataStore adds to every model",
                    m.name.text, f.name.text
                ),
            )
            .at(f.name.span, "DataStore adds a field of this name")
            .with_help(format!(
                "rename the field: with conflict resolution every model gets {}",
                SYNC_FIELDS.join(", ")
            ))
        })
}

fn is_has_relation(d: &Directive) -> bool {
    matches!(d.name.text.as_str(), "hasOne" | "hasMany")
}

/// Two models may not both point at each other with `@hasOne`/`@hasMany` (DataStore needs the
/// child side as `@belongsTo`). Reported once per pair, at the field the reference checks
/// first: every `@hasMany` of the schema before every `@hasOne`.
fn mutual_relations(n: &Normalised) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    let fields = ["hasMany", "hasOne"].into_iter().flat_map(|directive| {
        n.schema.models().flat_map(move |m| {
            m.fields.iter().filter_map(move |f| {
                f.directives
                    .iter()
                    .find(|d| d.name.text == directive)
                    .map(|d| (m, f, d))
            })
        })
    });
    for (m, f, d) in fields {
        let name = m.name.text.as_str();
        let related = f.ty.base();
        if related == name || seen.contains(&(related, name)) || seen.contains(&(name, related)) {
            continue;
        }
        let Some(other) = n.schema.model(related) else {
            continue;
        };
        let back = other.fields.iter().find_map(|g| {
            (g.ty.base() == name)
                .then(|| {
                    g.directives
                        .iter()
                        .find(|d| is_has_relation(d))
                        .map(|d| (g, d))
                })
                .flatten()
        });
        let Some((g, back)) = back else {
            continue;
        };
        seen.push((name, related));
        out.push(
            Diagnostic::error(
                Code::DataStoreMutualRelation,
                format!(
                    "{name} and {related} cannot refer to each other via @hasOne or @hasMany when DataStore is in use"
                ),
            )
            .at(d.span, format!("{name}.{} points at {related}", f.name.text))
            .with_note(
                back.span,
                format!("and {related}.{} points back at {name}", g.name.text),
            )
            .with_help(mutual_help(m, f, other, g)),
        );
    }
    out
}

/// Which side to turn into a `@belongsTo`: a single-valued one (a list cannot be one).
fn mutual_help(m: &ObjectModel, f: &Field, other: &ObjectModel, g: &Field) -> String {
    let see = "see https://docs.amplify.aws/cli/graphql/data-modeling/#belongs-to-relationship";
    let (owner, field) = if !g.ty.is_list() {
        (other, g)
    } else if !f.ty.is_list() {
        (m, f)
    } else {
        return format!(
            "keep @hasMany on one side only, or use @manyToMany for a relation that is many on both sides ({see})"
        );
    };
    format!(
        "make {}.{} a @belongsTo: `{}: {} @belongsTo` ({see})",
        owner.name.text, field.name.text, field.name.text, field.ty
    )
}
