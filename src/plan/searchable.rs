//! `@searchable`: which models are indexed into OpenSearch and the name of their `search`
//! query. Everything else the directive brings (schema types, the search pipeline, the
//! `SearchableStack`) is derived from this list by the stage that builds it.

use crate::ast::build::upper_first;
use crate::ast::{Definition, ValueKind};
use crate::model::ObjectModel;
use crate::normalise::Normalised;
use crate::plan::operations::plural;

/// One `@searchable` model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Searchable {
    pub model: String,
    /// The search query field; `None` when `queries:` leaves `search` out (the table is
    /// still streamed to OpenSearch, but nothing queries it).
    pub query: Option<String>,
}

/// The `@searchable` models, in the order of the document.
pub fn of(n: &Normalised) -> Vec<Searchable> {
    n.schema.models().filter_map(|m| searchable(n, m)).collect()
}

/// Whether any model is `@searchable` (which adds the OpenSearch stack and parameters).
pub fn any(n: &Normalised) -> bool {
    n.schema.models().any(|m| searchable(n, m).is_some())
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
    })
}
