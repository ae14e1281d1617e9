//! `@searchable`: which models are indexed into OpenSearch and the name of their `search`
//! query. Everything else the directive brings (schema types, the search pipeline, the
//! `SearchableStack`) is derived from this list by the stage that builds it.

use crate::ast::build::upper_first;
use std::collections::HashMap;

use crate::ast::{Definition, Directive, ValueKind};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::ObjectModel;
use crate::model::operations::plural;
use crate::normalise::Normalised;
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
    // Model name → its `@searchable` (in the first definition that has one), found in one
    // pass over the document.
    let mut directives: HashMap<&str, &Directive> = HashMap::new();
    for d in &n.schema.document.definitions {
        if let Definition::Object(o) = d
            && !o.is_extension
            && let Some(s) = o.directives.iter().find(|d| d.name.text == "searchable")
        {
            directives.entry(o.name.text.as_str()).or_insert(s);
        }
    }
    n.schema
        .models()
        .filter_map(|m| Some(searchable(m, directives.get(m.name.text.as_str())?)))
        .collect()
}

/// The streaming function's code: file name in the archive, contents. Ours, not the
/// reference's (see docs/compatibility.md); the handler parameter's default names it.
pub const STREAMING_FUNCTION: (&str, &[u8]) = (
    "python_streaming_function.py",
    include_bytes!("../../templates/opensearch-streaming/python_streaming_function.py"),
);

/// The instance type of a new domain.
pub const DEFAULT_INSTANCE_TYPE: &str = "t2.small.elasticsearch";

/// The reference warns that the default OpenSearch instance type is not for production; a
/// schema compiled alone always gets it (the instance type is a deployment parameter).
pub fn check(n: &Normalised) -> Vec<Diagnostic> {
    of(n)
        .first()
        .map(|s| {
            Diagnostic::warning(
                Code::SearchableInstanceType,
                format!(
                    "your instance type for OpenSearch is {}, you may experience performance issues or data loss",
                    DEFAULT_INSTANCE_TYPE
                ),
            )
            .at(s.span, "indexed in OpenSearch")
            .with_help("set OpenSearchInstanceType for production, see https://docs.amplify.aws/cli/graphql/search-and-result-aggregations/#set-up-opensearch-for-production-environments")
        })
        .into_iter()
        .collect()
}

fn searchable(model: &ObjectModel, directive: &Directive) -> Searchable {
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
    Searchable {
        model: model.name.text.clone(),
        query,
        span: directive.name.span,
    }
}
