//! Relations between models: `@hasOne`, `@hasMany`, `@belongsTo` (and, later,
//! `@manyToMany`), with the foreign-key fields the reference adds for implicit relations.

use super::keys::{PrimaryKey, lower_first, string_arg, string_list, upper_first};
use crate::config::Config;
use crate::model::{ObjectModel, Schema};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationKind {
    HasOne,
    HasMany,
    BelongsTo,
    ManyToMany,
}

impl RelationKind {
    pub fn directive(self) -> &'static str {
        match self {
            RelationKind::HasOne => "hasOne",
            RelationKind::HasMany => "hasMany",
            RelationKind::BelongsTo => "belongsTo",
            RelationKind::ManyToMany => "manyToMany",
        }
    }
}

/// Foreign-key fields a relation adds to a model: names and their (nullable) scalar types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedKeys {
    pub on: String,
    pub fields: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    pub model: String,
    pub field: String,
    pub kind: RelationKind,
    pub related: String,
    /// `fields:` as written.
    pub fields: Vec<String>,
    /// `@hasMany(indexName:)`.
    pub index_name: Option<String>,
    /// The foreign keys an implicit relation adds.
    pub added: Option<AddedKeys>,
}

/// Every relation of the schema, in model then field order.
pub fn relations(schema: &Schema, config: &Config) -> Vec<Relation> {
    let mut out = Vec::new();
    for model in schema.models() {
        for f in &model.fields {
            for kind in [
                RelationKind::HasOne,
                RelationKind::HasMany,
                RelationKind::BelongsTo,
                RelationKind::ManyToMany,
            ] {
                let Some(d) = f
                    .directives
                    .iter()
                    .find(|d| d.name.text == kind.directive())
                else {
                    continue;
                };
                let related = f.ty.base().to_string();
                let fields = string_list(d, "fields");
                let mut rel = Relation {
                    model: model.name.text.clone(),
                    field: f.name.text.clone(),
                    kind,
                    related: related.clone(),
                    fields,
                    index_name: string_arg(d, "indexName"),
                    added: None,
                };
                if rel.fields.is_empty() && d.argument("references").is_none() {
                    rel.added = implicit_keys(schema, model, &rel, config);
                }
                out.push(rel);
            }
        }
    }
    out
}

/// The foreign keys of an implicit relation (no `fields:`).
fn implicit_keys(
    schema: &Schema,
    model: &ObjectModel,
    rel: &Relation,
    config: &Config,
) -> Option<AddedKeys> {
    let related = schema.model(&rel.related)?;
    let (on, keyed_by) = match rel.kind {
        // The child holds the parent's key.
        RelationKind::HasMany => (related, model),
        RelationKind::HasOne => (model, related),
        RelationKind::BelongsTo => {
            // With a @hasMany counterpart the child already holds the parent's key.
            let has_many_back = related
                .fields
                .iter()
                .any(|f| f.ty.base() == model.name.text && f.has_directive("hasMany"));
            if has_many_back {
                return None;
            }
            (model, related)
        }
        RelationKind::ManyToMany => return None,
    };
    let prefix = format!("{}{}", lower_first(&rel.model), upper_first(&rel.field));
    let fields = if config.flags.respectprimarykeyattributesonconnectionfield {
        let key = PrimaryKey::of(keyed_by);
        key.fields()
            .map(|k| {
                let ty = keyed_by
                    .field(k)
                    .map_or("ID".to_string(), |f| f.ty.base().to_string());
                (format!("{prefix}{}", upper_first(k)), ty)
            })
            .collect()
    } else {
        vec![(format!("{prefix}Id"), "ID".to_string())]
    };
    Some(AddedKeys {
        on: on.name.text.clone(),
        fields,
    })
}
