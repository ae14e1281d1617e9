//! Relations between models: `@hasOne`, `@hasMany`, `@belongsTo` (a `@manyToMany` is seen
//! here as it is rewritten: a join model with two key fields, and a `@hasMany` of it on each
//! side), with the foreign-key fields the reference adds for implicit relations and, for the
//! field resolvers, how each relation finds its related items (`Lookup`).

use crate::ast::ValueKind;
use crate::config::Config;
use crate::model::keys::{PrimaryKey, indexes, lower_first, string_arg, string_list, upper_first};
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
    /// Whether the index of an implicit `@hasMany` has the sort key fields as its sort key
    /// (only with respectPrimaryKeyAttributesOnConnectionField; its partition key alone
    /// otherwise).
    pub sort_indexed: bool,
}

impl AddedKeys {
    /// The partition key field and the sort key fields of the index on these keys.
    pub fn index_key(&self) -> (&(String, String), &[(String, String)]) {
        let (first, rest) = self
            .fields
            .split_first()
            .expect("a relation adds a key field");
        (first, if self.sort_indexed { rest } else { &[] })
    }
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
    /// `references:` as written (the related model's fields that hold this model's key, or
    /// for `@belongsTo` this model's fields that hold the related key).
    pub references: Vec<String>,
    /// `limit:` of `@hasMany` as written (its source text).
    pub limit: Option<String>,
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
                    references: string_list(d, "references"),
                    limit: match d.argument("limit").map(|a| &a.value.kind) {
                        Some(ValueKind::Int(n)) => Some(n.clone()),
                        _ => None,
                    },
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
    let key = PrimaryKey::of(keyed_by);
    let type_of = |k: &str| {
        keyed_by
            .field(k)
            .map_or("ID".to_string(), |f| f.ty.base().to_string())
    };
    // Without respectPrimaryKeyAttributesOnConnectionField the partition key's field is
    // `<prefix>Id: ID`; the sort key's fields are there either way.
    let respect = config.flags.respectprimarykeyattributesonconnectionfield;
    let partition = if respect {
        (
            format!("{prefix}{}", upper_first(&key.partition)),
            type_of(&key.partition),
        )
    } else {
        (format!("{prefix}Id"), "ID".to_string())
    };
    let fields = std::iter::once(partition)
        .chain(
            key.sort
                .iter()
                .map(|k| (format!("{prefix}{}", upper_first(k)), type_of(k))),
        )
        .collect();
    Some(AddedKeys {
        on: on.name.text.clone(),
        fields,
        sort_indexed: respect,
    })
}

/// When the reference makes the resolver of a relational field: its relational transformers
/// run one after the other, each over its fields in document order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    HasMany,
    /// `@hasOne` fields, then the two fields of each join model (`@hasOne`s in the reference).
    HasOne,
    /// The sides of each `@manyToMany`.
    ManyToMany,
    BelongsTo,
}

/// How the resolver of a relational field finds the related items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// `@hasMany` and `@manyToMany`: a page of items.
    Many(ManyLookup),
    /// `@hasOne` and `@belongsTo`: one item.
    One(OneLookup),
}

/// A `Query` on the related table, or one of its indexes, keyed by fields of the parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManyLookup {
    /// The parent's fields holding the key: the partition key's value, then the sort key's.
    pub source: Vec<String>,
    /// The partition attribute of the table or index queried.
    pub partition: String,
    pub sort: ManySort,
    pub index: Option<String>,
    /// The default page size (source text).
    pub limit: String,
}

/// The sort key of the table or index a `@hasMany` queries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManySort {
    None,
    /// The parent gives it: `parts` values (`source[1..]`), written as one string
    /// `"${sortKeyValue0}#…"` when `quoted`.
    FromSource {
        attribute: String,
        parts: usize,
        quoted: bool,
    },
    /// The parent does not: the field's sort key argument may narrow the query.
    Condition(SortCondition),
}

/// The key condition argument of a `@hasMany` whose key has a sort key the parent lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortCondition {
    /// A sort key field (its name is the argument and the attribute) and its DynamoDB type.
    Single {
        field: String,
        attribute_type: &'static str,
    },
    /// The parts of a composite sort key (`a#b`, argument `aB`).
    Composite(Vec<String>),
}

/// A `Query` for the one related item on its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneLookup {
    /// The parent's fields holding the key: the partition key's value first; the others must
    /// be set for the item to be looked up.
    pub source: Vec<String>,
    /// The partition attribute queried and the DynamoDB type of its value.
    pub partition: String,
    pub partition_type: &'static str,
    pub sort: Option<OneSort>,
    /// The index of a `@hasOne(references:)`.
    pub index: Option<String>,
    /// `@hasOne(references:)`: any item read but filtered out means unauthorized (the others
    /// expect exactly one item read).
    pub by_references: bool,
}

/// The sort key condition of a one-item lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneSort {
    pub attribute: String,
    pub value: OneSortValue,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OneSortValue {
    /// A field of the parent and its DynamoDB type.
    Field {
        name: String,
        attribute_type: &'static str,
    },
    /// Fields of the parent joined as `a#b`.
    Composite(Vec<String>),
}

impl Relation {
    /// A `@manyToMany` side: a `@hasMany` of a join model.
    pub fn is_many_to_many_side(&self, schema: &Schema) -> bool {
        self.kind == RelationKind::HasMany && schema.model(&self.related).is_some_and(|m| m.is_join)
    }

    pub fn stage(&self, schema: &Schema) -> Stage {
        match self.kind {
            RelationKind::HasMany if self.is_many_to_many_side(schema) => Stage::ManyToMany,
            RelationKind::HasMany => Stage::HasMany,
            RelationKind::HasOne => Stage::HasOne,
            RelationKind::BelongsTo if schema.model(&self.model).is_some_and(|m| m.is_join) => {
                Stage::HasOne
            }
            RelationKind::BelongsTo => Stage::BelongsTo,
            RelationKind::ManyToMany => Stage::ManyToMany,
        }
    }

    /// How the field's resolver finds the related items; `all` are the schema's relations
    /// (for the types of the key fields they add). `None` when a model is missing.
    pub fn lookup(&self, schema: &Schema, config: &Config, all: &[Relation]) -> Option<Lookup> {
        let model = schema.model(&self.model)?;
        let related = schema.model(&self.related)?;
        let key_type = |m: &ObjectModel, field: &str| key_attribute_type(schema, m, field, all);
        match self.kind {
            RelationKind::HasMany | RelationKind::ManyToMany => {
                let limit = self.limit.clone().unwrap_or_else(|| "100".into());
                let own_key: Vec<String> =
                    PrimaryKey::of(model).fields().map(str::to_string).collect();
                if !self.references.is_empty() {
                    let refs = &self.references;
                    let sort = match refs.len() {
                        1 => ManySort::None,
                        n => ManySort::FromSource {
                            attribute: refs[1..].join("#"),
                            parts: n - 1,
                            quoted: true,
                        },
                    };
                    return Some(Lookup::Many(ManyLookup {
                        source: own_key,
                        partition: refs[0].clone(),
                        sort,
                        index: Some(self.implicit_index()),
                        limit,
                    }));
                }
                let source = if self.fields.is_empty() {
                    own_key
                } else {
                    self.fields.clone()
                };
                let related_key = PrimaryKey::of(related);
                let table_key = (related_key.partition.clone(), related_key.sort.join("#"));
                let (index, (partition, sort)) = match (&self.index_name, &self.added) {
                    (Some(name), _) => (
                        Some(name.clone()),
                        indexes(related, config)
                            .into_iter()
                            .find(|i| i.name == *name)
                            .map_or(table_key, |i| (i.partition, i.sort.join("#"))),
                    ),
                    (None, Some(added)) => {
                        let ((partition, _), sort) = added.index_key();
                        let sort: Vec<&str> = sort.iter().map(|(f, _)| f.as_str()).collect();
                        (
                            Some(self.implicit_index()),
                            (partition.clone(), sort.join("#")),
                        )
                    }
                    (None, None) => (None, table_key),
                };
                let sort = match (sort.is_empty(), source.len()) {
                    (true, _) => ManySort::None,
                    (false, 1) => ManySort::Condition(match related.field(&sort) {
                        Some(_) => SortCondition::Single {
                            attribute_type: key_type(related, &sort),
                            field: sort,
                        },
                        None => {
                            SortCondition::Composite(sort.split('#').map(str::to_string).collect())
                        }
                    }),
                    (false, n) => ManySort::FromSource {
                        attribute: sort,
                        parts: n - 1,
                        quoted: n > 2,
                    },
                };
                Some(Lookup::Many(ManyLookup {
                    source,
                    partition,
                    sort,
                    index,
                    limit,
                }))
            }
            RelationKind::HasOne if !self.references.is_empty() => {
                let refs = &self.references;
                let source: Vec<String> =
                    PrimaryKey::of(model).fields().map(str::to_string).collect();
                let sort = match refs.len() {
                    1 => None,
                    2 => Some(OneSort {
                        attribute: refs[1].clone(),
                        value: OneSortValue::Field {
                            name: part(&source, 1),
                            attribute_type: key_type(model, &part(&source, 1)),
                        },
                    }),
                    _ => Some(OneSort {
                        attribute: refs[1..].join("#"),
                        value: OneSortValue::Composite(source[1..].to_vec()),
                    }),
                };
                Some(Lookup::One(OneLookup {
                    partition_type: key_type(related, &refs[0]),
                    partition: refs[0].clone(),
                    source,
                    sort,
                    index: Some(self.implicit_index()),
                    by_references: true,
                }))
            }
            RelationKind::HasOne | RelationKind::BelongsTo => {
                let related_key = PrimaryKey::of(related);
                let (source, key_len) = if !self.references.is_empty() {
                    (self.references.clone(), self.references.len())
                } else if !self.fields.is_empty() {
                    (self.fields.clone(), 1 + related_key.sort.len())
                } else {
                    (
                        self.connection_fields(schema, config),
                        1 + related_key.sort.len(),
                    )
                };
                let sort = match key_len {
                    1 => None,
                    2 => Some(OneSort {
                        attribute: related_key.sort.join("#"),
                        value: OneSortValue::Field {
                            name: part(&source, 1),
                            attribute_type: key_type(model, &part(&source, 1)),
                        },
                    }),
                    _ => Some(OneSort {
                        attribute: related_key.sort.join("#"),
                        value: OneSortValue::Composite(
                            source.get(1..).unwrap_or_default().to_vec(),
                        ),
                    }),
                };
                Some(Lookup::One(OneLookup {
                    partition_type: key_type(model, &part(&source, 0)),
                    partition: related_key.partition,
                    source,
                    sort,
                    index: None,
                    by_references: false,
                }))
            }
        }
    }

    /// `gsi-<Model>.<field>`: the index a `@hasMany` without `fields:`, or a `references:`
    /// relation, adds to the related table.
    fn implicit_index(&self) -> String {
        format!("gsi-{}.{}", self.model, self.field)
    }

    /// The parent's fields that hold the related key when neither `fields:` nor
    /// `references:` is given. They are named after the relation that adds them: this field
    /// for `@hasOne` (and a `@belongsTo` whose parent has a `@hasOne` back), the parent's
    /// `@hasMany` field for a `@belongsTo` child. Sort key parts are named after the key
    /// field whatever the flag.
    fn connection_fields(&self, schema: &Schema, config: &Config) -> Vec<String> {
        let Some(related) = schema.model(&self.related) else {
            return Vec::new();
        };
        let back = related.fields.iter().find_map(|f| {
            if f.ty.base() != self.model {
                return None;
            }
            f.directives
                .iter()
                .find(|d| d.name.text == "hasOne" || d.name.text == "hasMany")
                .map(|d| (f, d.name.text == "hasMany"))
        });
        let (owner, field) = match back {
            Some((f, true)) if self.kind == RelationKind::BelongsTo => {
                (related.name.text.as_str(), f.name.text.as_str())
            }
            _ => (self.model.as_str(), self.field.as_str()),
        };
        let key = PrimaryKey::of(related);
        let prefix = format!("{}{}", lower_first(owner), upper_first(field));
        let partition = if config.flags.respectprimarykeyattributesonconnectionfield {
            upper_first(&key.partition)
        } else {
            "Id".to_string()
        };
        std::iter::once(format!("{prefix}{partition}"))
            .chain(
                key.sort
                    .iter()
                    .map(|k| format!("{prefix}{}", upper_first(k))),
            )
            .collect()
    }
}

/// The `i`th name of a list; the reference reads past the end as `undefined`.
fn part(names: &[String], i: usize) -> String {
    names.get(i).cloned().unwrap_or_else(|| "undefined".into())
}

/// The DynamoDB type of a key field's values: `N` for numbers, else `S` (also for a field
/// the model does not have). The fields relations add have the types they were added with.
fn key_attribute_type(
    schema: &Schema,
    model: &ObjectModel,
    field: &str,
    relations: &[Relation],
) -> &'static str {
    let declared = model.field(field).map(|f| f.ty.base().to_string());
    let ty = declared.or_else(|| {
        relations
            .iter()
            .filter_map(|r| r.added.as_ref())
            .filter(|a| a.on == model.name.text)
            .flat_map(|a| &a.fields)
            .find(|(name, _)| name == field)
            .map(|(_, ty)| ty.clone())
    });
    let Some(ty) = ty else { return "S" };
    let is_enum = schema.is_enum(&ty);
    match ty.as_str() {
        _ if is_enum => "S",
        "Int" | "Float" | "BigInt" | "Double" | "AWSTimestamp" => "N",
        _ => "S",
    }
}
