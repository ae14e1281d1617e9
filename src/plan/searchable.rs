//! `@searchable`: which models are indexed into OpenSearch and the name of their `search`
//! query. Everything else the directive brings (schema types, the search pipeline, the
//! `SearchableStack`) is derived from this list by the stage that builds it.

use crate::ast::build::upper_first;
use crate::ast::{Definition, ValueKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::ObjectModel;
use crate::normalise::Normalised;
use crate::plan::operations::plural;
use crate::source::Span;

/// One `@searchable` model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Searchable {
    pub model: String,
    /// The search query field; `None` when `queries:` leaves `search` out (the table is
    /// still streamed to OpenSearch, but nothing queries it).
    pub query: Option<String>,
    /// The directive's name, for diagnostics.
    pub span: Span,
}

/// The `@searchable` models, in the order of the document.
pub fn of(n: &Normalised) -> Vec<Searchable> {
    n.schema.models().filter_map(|m| searchable(n, m)).collect()
}

/// `gql-compile` refuses `@searchable` until the search resolvers and the `SearchableStack`
/// are generated: a build with the schema part only would deploy a `search` query that
/// nothing resolves. (`status -acm` is complete: `search` is an operation of every model.)
pub fn not_compiled(n: &Normalised) -> Vec<Diagnostic> {
    of(n)
        .into_iter()
        .map(|s| {
            Diagnostic::error(
                Code::SearchableNotCompiled,
                format!(
                    "@searchable on `{}`: its search resolver and the OpenSearch stack are not generated yet",
                    s.model
                ),
            )
            .at(s.span, "not compiled yet")
            .with_help("compile this API with the Amplify CLI for now, or remove @searchable")
        })
        .collect()
}

fn searchable(n: &Normalised, model: &ObjectModel) -> Option<Searchable> {
    let directive = n.schema.document.definitions.iter().find_map(|d| match d {
        Definition::Object(o) if !o.is_extension && o.name.text == model.name.text => {
            o.directives.iter().find(|d| d.name.text == "searchable")
        }
        _ => None,
    })?;
    let default = format!("search{}", plural(&upper_first(&model.name.text)));
    let query = match directive.argument("queries").map(|a| &a.value.kind) {
        None | Some(ValueKind::Null) => Some(default),
        Some(ValueKind::Object(fields)) => fields
            .iter()
            .find(|(k, _)| k.text == "search")
            .and_then(|(_, v)| match &v.kind {
                ValueKind::String(s) => Some(s.clone()),
                _ => None,
            }),
        Some(_) => Some(default),
    };
    Some(Searchable {
        model: model.name.text.clone(),
        query,
        span: directive.name.span,
    })
}
