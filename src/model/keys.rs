//! Table keys and secondary indexes: `@primaryKey(sortKeyFields:)` and
//! `@index(name:, sortKeyFields:, queryField:)`.

pub use crate::ast::build::{lower_first, upper_first};
use crate::ast::{Directive, TypeRef, ValueKind};
use crate::config::Config;
use crate::model::ObjectModel;

/// The key of a model's table: `id` unless `@primaryKey` says otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryKey {
    pub partition: String,
    pub sort: Vec<String>,
    /// Whether `@primaryKey` was used (the default `id` key otherwise).
    pub explicit: bool,
}

impl PrimaryKey {
    pub fn of(model: &ObjectModel) -> PrimaryKey {
        for f in &model.fields {
            if let Some(d) = f.directives.iter().find(|d| d.name.text == "primaryKey") {
                return PrimaryKey {
                    partition: f.name.text.clone(),
                    sort: string_list(d, "sortKeyFields"),
                    explicit: true,
                };
            }
        }
        PrimaryKey {
            partition: "id".into(),
            sort: Vec::new(),
            explicit: false,
        }
    }

    /// Partition key then sort keys.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.partition.as_str()).chain(self.sort.iter().map(String::as_str))
    }

    pub fn contains(&self, field: &str) -> bool {
        self.fields().any(|f| f == field)
    }
}

/// A secondary index declared with `@index`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub partition: String,
    pub sort: Vec<String>,
    /// The query field, given or generated (`enableAutoIndexQueryNames`).
    pub query_field: Option<String>,
}

/// The model's `@index`es in field order.
pub fn indexes(model: &ObjectModel, config: &Config) -> Vec<Index> {
    let mut out = Vec::new();
    for f in &model.fields {
        for d in f.directives.iter().filter(|d| d.name.text == "index") {
            let sort = string_list(d, "sortKeyFields");
            let generated = || generated_index_name(&model.name.text, &f.name.text, &sort);
            // Without a name (or with an empty one) the index is named like its query.
            let name = string_arg(d, "name")
                .filter(|n| !n.is_empty())
                .unwrap_or_else(generated);
            // `queryField: null` asks for no query field.
            let query_field = match d.argument("queryField").map(|a| &a.value.kind) {
                Some(ValueKind::Null) => None,
                _ => string_arg(d, "queryField")
                    .or_else(|| config.flags.enableautoindexquerynames.then(generated)),
            };
            out.push(Index {
                name,
                partition: f.name.text.clone(),
                sort,
                query_field,
            });
        }
    }
    out
}

/// The name the reference gives an `@index` without `name:`, and its query field when
/// `enableAutoIndexQueryNames` is on: `postsByTitleAndDate`.
pub fn generated_index_name(model: &str, field: &str, sort: &[String]) -> String {
    let mut q = lower_first(&super::operations::plural(model));
    q.push_str("By");
    let parts: Vec<String> = std::iter::once(field)
        .chain(sort.iter().map(String::as_str))
        .map(upper_first)
        .collect();
    q.push_str(&parts.join("And"));
    q
}

/// A directive argument that is a string or a list of strings (GraphQL coerces one to the other).
pub fn string_list(d: &Directive, arg: &str) -> Vec<String> {
    d.argument(arg)
        .map(|a| a.value.strings())
        .unwrap_or_default()
}

pub fn string_arg(d: &Directive, arg: &str) -> Option<String> {
    match &d.argument(arg)?.value.kind {
        ValueKind::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// The declared type of a field of the model, if declared.
pub fn field_type<'a>(model: &'a ObjectModel, field: &str) -> Option<&'a TypeRef> {
    model.field(field).map(|f| &f.ty)
}
