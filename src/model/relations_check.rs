//! The checks of the directives that shape tables and relations: `@primaryKey`, `@index`,
//! `@hasOne`, `@hasMany`, `@belongsTo`, `@manyToMany` (the pairing itself is checked while the
//! join models are generated, in `join_models`) and `@default`. Each condition is one under
//! which the reference refuses the schema; where the reference stops at the first, every one
//! is reported here, at the token to change: the `fields:`/`references:`/`sortKeyFields:`
//! entry, the argument value, the field or the directive name.
//!
//! Keys are read with `plan::keys` and `plan::relations` decides nothing here: only the
//! directives as written are judged. Join models generated for `@manyToMany` and the fields
//! rewritten to point at them are correct by construction and are not checked again.

use std::collections::{HashMap, HashSet};

use super::{Field, ObjectModel, Schema, TypeKind};
use super::{default_check, invocation_check};
use crate::ast::{Definition, Directive, TypeRef, Value, ValueKind};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::keys::{self, PrimaryKey};
use crate::model::operations::ModelOperations;
use crate::source::Span;

/// The scalars the reference accepts as key, relation and default-value fields
/// (`DEFAULT_SCALARS` of graphql-transformer-common). A custom `scalar` is not one of them.
pub(crate) const KEY_SCALARS: &[&str] = &[
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "BigInt",
    "Double",
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
];

use super::RELATIONS;

/// Runs every check over the lowered schema.
pub fn check(schema: &Schema, config: &Config) -> Vec<Diagnostic> {
    let mut c = Checker::new(schema, config);
    for t in &schema.types {
        if t.is_join {
            continue;
        }
        c.keys(t);
        c.relations(t);
        default_check::check(t, &c.enums, &mut c.out);
        invocation_check::check(t, &mut c.out);
    }
    c.query_fields();
    c.out
}

pub(crate) struct Checker<'a> {
    schema: &'a Schema,
    config: &'a Config,
    /// Enum names and their values (extensions merged).
    pub(crate) enums: HashMap<&'a str, Vec<&'a str>>,
    /// Every type name the document defines, to stay quiet about unknown types (SDL
    /// validation reports those).
    defined: HashSet<&'a str>,
    /// The join models `@manyToMany` makes: a relation field is checked once per field of
    /// every model, so this is a set, not a scan of the types.
    joins: HashSet<&'a str>,
    pub(crate) out: Vec<Diagnostic>,
}

/// Fields of `related` of type `t` with one of `directives`, each with the first of them.
fn fields_pointing_back<'a>(
    t: &ObjectModel,
    related: &'a ObjectModel,
    directives: &[&str],
) -> Vec<(&'a Field, &'a Directive)> {
    related
        .fields
        .iter()
        .filter(|rf| rf.ty.base() == t.name.text)
        .filter_map(|rf| {
            rf.directives
                .iter()
                .find(|d| directives.contains(&d.name.text.as_str()))
                .map(|d| (rf, d))
        })
        .collect()
}

/// A `fields:` or `references:` argument, as its diagnostics describe it.
struct KeyFieldsArg<'a> {
    argument: &'static str,
    /// The directive's name, the model and the field it is on.
    relation: (&'a str, &'a ObjectModel, &'a Field),
    /// The model whose fields the list names.
    holder: &'a ObjectModel,
    /// Whether a field is shown with its model's name (`Post.id`).
    qualified: bool,
    /// What the fields hold ("the related key").
    holds: String,
    not_scalar_help: String,
}

/// A string of a `[String]` argument and where it is written.
#[derive(Clone, Copy)]
struct Entry<'a> {
    text: &'a str,
    span: Span,
}

/// The strings of a `[String]` argument value; a single string counts as a list of one (GraphQL
/// input coercion). Other values are left to SDL validation.
fn entries(v: &Value) -> Vec<Entry<'_>> {
    match &v.kind {
        ValueKind::String(s) => vec![Entry {
            text: s,
            span: v.span,
        }],
        ValueKind::List(items) => items
            .iter()
            .filter_map(|i| match &i.kind {
                ValueKind::String(s) => Some(Entry {
                    text: s,
                    span: i.span,
                }),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn arg_entries<'a>(d: &'a Directive, name: &str) -> Vec<Entry<'a>> {
    d.argument(name)
        .map(|a| entries(&a.value))
        .unwrap_or_default()
}

fn is_empty_list(v: &Value) -> bool {
    matches!(&v.kind, ValueKind::List(items) if items.is_empty())
}

/// A name GraphQL accepts for a field.
fn is_graphql_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// DynamoDB's rule for index names, as the reference checks it.
fn is_index_name(s: &str) -> bool {
    (3..=255).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The name of an `@index`: `name:` when given and not empty, else the generated one.
fn index_name(model: &ObjectModel, field: &Field, d: &Directive) -> String {
    match keys::string_arg(d, "name") {
        Some(n) if !n.is_empty() => n,
        _ => keys::generated_index_name(
            &model.name.text,
            &field.name.text,
            &keys::string_list(d, "sortKeyFields"),
        ),
    }
}

/// Whether `@primaryKey` lists sort key fields in the form the reference counts when it
/// compares an `@index` with the primary key: a list with at least one entry (a single
/// string, which GraphQL also accepts, is not counted).
fn has_listed_sort_keys(pk: &Directive) -> bool {
    pk.argument("sortKeyFields")
        .is_some_and(|a| matches!(&a.value.kind, ValueKind::List(items) if !items.is_empty()))
}

impl<'a> Checker<'a> {
    fn new(schema: &'a Schema, config: &'a Config) -> Self {
        let mut enums: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut defined = HashSet::new();
        for d in &schema.document.definitions {
            match d {
                Definition::Enum(e) => {
                    enums
                        .entry(e.name.as_str())
                        .or_default()
                        .extend(e.values.iter().map(|v| v.name.as_str()));
                    defined.insert(e.name.as_str());
                }
                Definition::Other { .. } => {}
                _ => {
                    defined.insert(d.name());
                }
            }
        }
        let joins = schema
            .types
            .iter()
            .filter(|t| t.is_join)
            .map(|t| t.name.text.as_str())
            .collect();
        Checker {
            schema,
            config,
            enums,
            defined,
            joins,
            out: Vec::new(),
        }
    }

    /// A scalar or an enum, at any list depth (what the reference allows in `fields:`).
    fn scalar_or_enum(&self, ty: &TypeRef) -> bool {
        let base = ty.base();
        KEY_SCALARS.contains(&base) || self.enums.contains_key(base)
    }

    /// A scalar or an enum that is not a list: what a key field must be.
    fn key_type(&self, ty: &TypeRef) -> bool {
        self.scalar_or_enum(ty) && !ty.is_list()
    }

    fn known(&self, name: &str) -> bool {
        KEY_SCALARS.contains(&name) || self.defined.contains(name)
    }

    fn is_join(&self, name: &str) -> bool {
        self.joins.contains(name)
    }

    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// The fields a `fields:` or `references:` list names, each reported when the holder
    /// lacks it or it is not a scalar or enum; the ones that resolve, with their entries.
    fn key_fields<'e, 'r>(
        &mut self,
        list: &[Entry<'e>],
        arg: &KeyFieldsArg<'r>,
    ) -> Vec<(Entry<'e>, &'r Field)> {
        let (kind, t, f) = arg.relation;
        let holder = arg.holder;
        let mut resolved = Vec::new();
        for e in list {
            match holder.field(e.text) {
                None => self.push(
                    Diagnostic::error(
                        Code::RelationFieldUnknown,
                        format!(
                            "`{}` has no field `{}`, named in the `{}` of @{kind} on `{}.{}`",
                            holder.name.text, e.text, arg.argument, t.name.text, f.name.text
                        ),
                    )
                    .at(e.span, "no such field")
                    .with_help(format!(
                        "add a field `{}` to `{}` to hold {}, or correct the name",
                        e.text, holder.name.text, arg.holds
                    )),
                ),
                Some(hf) if !self.scalar_or_enum(&hf.ty) => {
                    let shown = if arg.qualified {
                        format!("{}.{}", holder.name.text, hf.name.text)
                    } else {
                        hf.name.text.clone()
                    };
                    self.push(
                        Diagnostic::error(
                            Code::RelationFieldNotScalar,
                            format!(
                                "`{}` of @{kind} on `{}.{}` must name scalar or enum fields, but `{shown}` is `{}`",
                                arg.argument, t.name.text, f.name.text, hf.ty
                            ),
                        )
                        .at(e.span, "not a scalar or enum field")
                        .with_note(hf.name.span, "declared here")
                        .with_help(arg.not_scalar_help.clone()),
                    )
                }
                Some(hf) => resolved.push((*e, hf)),
            }
        }
        resolved
    }

    // ---------------------------------------------------------------- keys and indexes

    fn keys(&mut self, t: &'a ObjectModel) {
        let first_pk = t.fields.iter().filter(|f| !f.from_extension).find_map(|f| {
            f.directives
                .iter()
                .find(|d| d.name.text == "primaryKey")
                .map(|d| (f, d))
        });
        let mut indexes: Vec<(String, Option<Entry<'a>>, Span)> = Vec::new();
        for f in t.fields.iter().filter(|f| !f.from_extension) {
            for d in &f.directives {
                match d.name.as_str() {
                    "primaryKey" => self.primary_key(t, f, d, first_pk),
                    "index" => {
                        if let Some(entry) = self.index(t, f, d) {
                            indexes.push(entry);
                        }
                    }
                    _ => {}
                }
            }
        }
        // Two indexes of one name: the reference compares each index's name with the
        // `name:` written on the others.
        for i in 0..indexes.len() {
            let (name_i, explicit_i, span_i) = &indexes[i];
            let clash = indexes[..i].iter().find(|(name_j, explicit_j, _)| {
                explicit_j.is_some_and(|e| e.text == name_i)
                    || explicit_i.is_some_and(|e| e.text == name_j)
            });
            if let Some((_, explicit_j, span_j)) = clash {
                let at = explicit_i.map_or(*span_i, |e| e.span);
                self.push(
                    Diagnostic::error(
                        Code::IndexNameRepeated,
                        format!("`{}` has two @index named \"{name_i}\"", t.name.text),
                    )
                    .at(at, "second index of this name")
                    .with_note(
                        explicit_j.map_or(*span_j, |e| e.span),
                        "first index of this name",
                    )
                    .with_help("give each @index of a type its own name"),
                );
            }
        }
    }

    fn primary_key(
        &mut self,
        t: &'a ObjectModel,
        f: &Field,
        d: &Directive,
        first: Option<(&Field, &Directive)>,
    ) {
        let sort = arg_entries(d, "sortKeyFields");
        self.self_reference(f, d, &sort);
        if !t.is_model() {
            self.not_on_model(t, d);
            return;
        }
        if let Some((first_field, first_d)) = first
            && !std::ptr::eq(first_d, d)
        {
            self.push(
                Diagnostic::error(
                    Code::PrimaryKeyRepeated,
                    format!("`{}` has more than one @primaryKey", t.name.text),
                )
                .at(d.name.span, "second primary key")
                .with_note(
                    first_field.name.span,
                    format!("`{}` is already the primary key", first_field.name.text),
                )
                .with_help(
                    "a table has one primary key: keep one @primaryKey and list the other fields in its sortKeyFields, or make them an @index",
                ),
            );
        }
        if !f.ty.is_non_null() {
            self.push(
                Diagnostic::error(
                    Code::KeyFieldNullable,
                    format!(
                        "the primary key of `{}` must be non-null, but `{}` is `{}`",
                        t.name.text, f.name.text, f.ty
                    ),
                )
                .at(f.name.span, "nullable key field")
                .with_help(format!("declare it as `{}: {}!`", f.name.text, f.ty)),
            );
        }
        self.key_field_type(t, f, f.name.span, "the primary key", None);
        for e in sort.iter().filter(|e| e.text != f.name.text) {
            let Some(sf) = self.sort_field(t, e, "the primary key") else {
                continue;
            };
            if self.key_field_type(t, sf, e.span, "the primary key's sort key", Some(sf))
                && !sf.ty.is_non_null()
            {
                self.push(
                    Diagnostic::error(
                        Code::KeyFieldNullable,
                        format!(
                            "the primary key of `{}` must be non-null, but its sort key `{}` is `{}`",
                            t.name.text, sf.name.text, sf.ty
                        ),
                    )
                    .at(e.span, "nullable sort key field")
                    .with_note(sf.name.span, "declared here")
                    .with_help(format!("declare it as `{}: {}!`", sf.name.text, sf.ty)),
                );
            }
        }
    }

    /// Checks one `@index`; returns its name, its written `name:` and the directive's span for
    /// the duplicate-name check (on @model types only).
    fn index(
        &mut self,
        t: &'a ObjectModel,
        f: &'a Field,
        d: &'a Directive,
    ) -> Option<(String, Option<Entry<'a>>, Span)> {
        let mut explicit = None;
        if let Some(a) = d.argument("name") {
            match &a.value.kind {
                ValueKind::Null => self.push(
                    Diagnostic::error(
                        Code::IndexNameInvalid,
                        "@index(name:) cannot be null",
                    )
                    .at(a.value.span, "null")
                    .with_help(format!(
                        "write a name such as name: \"by{}\", or leave `name` out to have one generated",
                        keys::upper_first(&f.name.text)
                    )),
                ),
                ValueKind::String(s) if !s.is_empty() => {
                    if !is_index_name(s) {
                        self.push(
                            Diagnostic::error(
                                Code::IndexNameInvalid,
                                format!("\"{s}\" is not a valid index name"),
                            )
                            .at(a.value.span, "invalid index name")
                            .with_help("an index name has 3 to 255 characters among A-Z, a-z, 0-9, `_`, `-` and `.`"),
                        );
                    }
                    explicit = Some(Entry {
                        text: s.as_str(),
                        span: a.value.span,
                    });
                }
                _ => {}
            }
        }
        if let Some(a) = d.argument("queryField")
            && let ValueKind::String(q) = &a.value.kind
            && !is_graphql_name(q)
        {
            self.push(
                Diagnostic::error(
                    Code::IndexNameInvalid,
                    format!("\"{q}\" is not a valid GraphQL field name for the index's query"),
                )
                .at(a.value.span, "not a GraphQL name")
                .with_help("a query field name starts with a letter or `_` and has only letters, digits and `_`"),
            );
        }
        let sort = arg_entries(d, "sortKeyFields");
        self.self_reference(f, d, &sort);
        if !t.is_model() {
            self.not_on_model(t, d);
            return None;
        }
        let name = index_name(t, f, d);
        // An index on the partition key of a primary key without sort key would be the table.
        if let Some(pk) = f.directives.iter().find(|p| p.name.text == "primaryKey")
            && !has_listed_sort_keys(pk)
        {
            self.push(
                Diagnostic::error(
                    Code::IndexOnPrimaryKey,
                    format!(
                        "@index \"{name}\" has the same partition key as the primary key of `{}`, which has no sort key",
                        t.name.text
                    ),
                )
                .at(d.name.span, "same key as the table")
                .with_note(pk.name.span, "primary key without sortKeyFields")
                .with_help("give the primary key a sort key (sortKeyFields: [\"...\"]) or put the index on another field"),
            );
        }
        self.key_field_type(t, f, f.name.span, &format!("index \"{name}\""), None);
        for e in sort.iter().filter(|e| e.text != f.name.text) {
            if let Some(sf) = self.sort_field(t, e, &format!("index \"{name}\"")) {
                self.key_field_type(
                    t,
                    sf,
                    e.span,
                    &format!("the sort key of index \"{name}\""),
                    Some(sf),
                );
            }
        }
        Some((name, explicit, d.name.span))
    }

    /// A sortKeyFields entry naming the key field itself.
    fn self_reference(&mut self, f: &Field, d: &Directive, sort: &[Entry]) {
        for e in sort.iter().filter(|e| e.text == f.name.text) {
            self.push(
                Diagnostic::error(
                    Code::SortKeySelf,
                    format!(
                        "@{} on `{}` lists `{}` as its own sort key",
                        d.name.text, f.name.text, f.name.text
                    ),
                )
                .at(e.span, "the key field itself")
                .with_help("a sort key is another field of the type; remove this entry"),
            );
        }
    }

    fn sort_field(&mut self, t: &'a ObjectModel, e: &Entry, key: &str) -> Option<&'a Field> {
        let found = t.field(e.text);
        if found.is_none() {
            self.push(
                Diagnostic::error(
                    Code::SortKeyUnknown,
                    format!(
                        "`{}` has no field `{}`, named as a sort key of {key}",
                        t.name.text, e.text
                    ),
                )
                .at(e.span, "no such field")
                .with_help(format!(
                    "add the field to `{}`, or correct the name",
                    t.name.text
                )),
            );
        }
        found
    }

    /// A key field must be a scalar or an enum, not a list, and not a Boolean (DynamoDB has no
    /// Boolean keys). Returns whether the type is fine.
    fn key_field_type(
        &mut self,
        t: &ObjectModel,
        f: &Field,
        at: Span,
        what: &str,
        declared: Option<&Field>,
    ) -> bool {
        let problem = if !self.key_type(&f.ty) {
            Some((
                Code::KeyFieldNotScalar,
                format!(
                    "{what} of `{}` is `{}: {}`, which is not a scalar or an enum",
                    t.name.text, f.name.text, f.ty
                ),
                "not a scalar or enum",
                "key fields are single values: String, ID, Int, Float, an AWS scalar such as AWSDateTime, or an enum",
            ))
        } else if f.ty.base() == "Boolean" {
            Some((
                Code::KeyFieldBoolean,
                format!(
                    "{what} of `{}` is `{}: {}`; Boolean fields cannot be keys",
                    t.name.text, f.name.text, f.ty
                ),
                "Boolean key",
                "DynamoDB keys are strings or numbers: use a String, an Int or an enum",
            ))
        } else {
            None
        };
        let Some((code, message, label, help)) = problem else {
            return true;
        };
        let mut d = Diagnostic::error(code, message)
            .at(at, label)
            .with_help(help);
        if let Some(field) = declared {
            d = d.with_note(field.name.span, "declared here");
        }
        self.push(d);
        false
    }

    fn not_on_model(&mut self, t: &ObjectModel, d: &Directive) {
        let what = match t.kind {
            TypeKind::Interface => "interface",
            _ => "type",
        };
        self.push(
            Diagnostic::error(
                Code::KeyNotOnModel,
                format!(
                    "@{} on a field of {what} `{}`, which is not a @model",
                    d.name.text, t.name.text
                ),
            )
            .at(d.name.span, "only on @model types")
            .with_help(format!(
                "keys and indexes are those of a model's table: add @model to `{}` or remove @{}",
                t.name.text, d.name.text
            )),
        );
    }

    /// The fields the models add to `Query`, `Mutation` and `Subscription` (their operations
    /// and the queries of their indexes) must not be declared twice: the reference fails when
    /// it adds a root field that exists already.
    fn query_fields(&mut self) {
        // (root type, field name) → what it is and where it is written, for the first field
        // of that name: one lookup per generated field, not a scan of all of them.
        let mut seen: HashMap<(&str, String), (RootFieldOrigin, Option<Span>)> = HashMap::new();
        for t in &self.schema.types {
            if t.kind == TypeKind::Root {
                for f in &t.fields {
                    seen.entry((root_name(&t.name.text), f.name.text.clone()))
                        .or_insert((RootFieldOrigin::Declared(&t.name.text), Some(f.name.span)));
                }
            }
        }
        for t in self.schema.models() {
            let ops = ModelOperations::of(t, self.config);
            let mut generated: Vec<(&str, String, &str)> = Vec::new();
            for (q, what) in [(&ops.get, "get query"), (&ops.list, "list query")] {
                if let Some(q) = q {
                    generated.push(("Query", q.clone(), what));
                }
            }
            for (_, m) in &ops.mutations {
                generated.push(("Mutation", m.clone(), "mutation"));
            }
            for sub in &ops.subscriptions {
                generated.push(("Subscription", sub.name.clone(), "subscription"));
            }
            for (root, name, what) in generated {
                if let Some((RootFieldOrigin::Declared(_), Some(span))) =
                    seen.get(&(root, name.clone()))
                {
                    self.push(
                        Diagnostic::error(
                            Code::RootFieldRepeated,
                            format!(
                                "`type {root}` declares `{name}`, which is also the {what} of @model `{}`",
                                t.name.text
                            ),
                        )
                        .at(*span, format!("`{name}` is generated for `{}`", t.name.text))
                        .with_note(t.name.span, format!("@model `{}` generates `{name}`", t.name.text))
                        .with_help(format!(
                            "rename this field, or give the model's operation another name in @model(...) on `{}`",
                            t.name.text
                        )),
                    );
                }
                seen.entry((root, name))
                    .or_insert((RootFieldOrigin::Operation(what, &t.name.text), None));
            }
        }
        for t in self.schema.models().filter(|t| !t.is_join) {
            for f in t.fields.iter().filter(|f| !f.from_extension) {
                for d in f.directives.iter().filter(|d| d.name.text == "index") {
                    let written = d.argument("queryField");
                    let span = written.map_or(d.name.span, |a| a.value.span);
                    let query = match written.map(|a| &a.value.kind) {
                        Some(ValueKind::String(q)) => q.clone(),
                        Some(_) => continue,
                        None if self.config.flags.enableautoindexquerynames => {
                            keys::generated_index_name(
                                &t.name.text,
                                &f.name.text,
                                &keys::string_list(d, "sortKeyFields"),
                            )
                        }
                        None => continue,
                    };
                    let index = index_name(t, f, d);
                    if let Some((first, first_span)) = seen.get(&("Query", query.clone())) {
                        let mut diag = Diagnostic::error(
                            Code::RootFieldRepeated,
                            format!(
                                "the query of index \"{index}\" on `{}.{}` is `{query}`, which is already {first}",
                                t.name.text, f.name.text
                            ),
                        )
                        .at(
                            span,
                            if written.is_some() {
                                "query field name already used"
                            } else {
                                "generated query field name already used"
                            },
                        )
                        .with_help("name the index's query with queryField: \"...\", a name no other query has");
                        if let Some(s) = first_span {
                            diag = diag.with_note(*s, format!("`{query}` is defined here"));
                        }
                        self.push(diag);
                    }
                    seen.entry(("Query", query))
                        .or_insert((RootFieldOrigin::Index(index, &t.name.text), Some(span)));
                }
            }
        }
    }

    // ---------------------------------------------------------------- relations

    fn relations(&mut self, t: &'a ObjectModel) {
        for f in t.fields.iter().filter(|f| !f.from_extension) {
            if self.is_join(f.ty.base()) {
                continue; // a @manyToMany side, rewritten to the join model
            }
            for d in f
                .directives
                .iter()
                .filter(|d| RELATIONS.contains(&d.name.as_str()))
            {
                self.relation(t, f, d);
            }
        }
    }

    fn relation(&mut self, t: &'a ObjectModel, f: &'a Field, d: &'a Directive) {
        let kind = d.name.as_str();
        if !t.is_model() {
            let what = match t.kind {
                TypeKind::Interface => "interface",
                _ => "type",
            };
            self.push(
                Diagnostic::error(
                    Code::RelationNotOnModel,
                    format!(
                        "@{kind} on `{}.{}`, but {what} `{}` is not a @model",
                        t.name.text, f.name.text, t.name.text
                    ),
                )
                .at(d.name.span, "relation on a type without @model")
                .with_help(format!(
                    "relations connect models: add @model to `{}`, or remove @{kind}",
                    t.name.text
                )),
            );
            return;
        }
        let base = f.ty.base();
        let related = self.schema.model(base);
        if related.is_none() && self.known(base) {
            let what = match self.schema.object(base).map(|o| &o.kind) {
                Some(TypeKind::Interface) => format!("`{base}` is an interface"),
                Some(_) => format!("`{base}` has no @model"),
                None if KEY_SCALARS.contains(&base) => format!("`{base}` is a scalar"),
                None => format!("`{base}` is not an object type"),
            };
            self.push(
                Diagnostic::error(
                    Code::RelatedNotModel,
                    format!(
                        "@{kind} on `{}.{}` relates to `{base}`, which is not a @model",
                        t.name.text, f.name.text
                    ),
                )
                .at(f.name.span, what)
                .with_help(if self.schema.object(base).is_some_and(|o| o.kind != TypeKind::Interface) {
                    format!(
                        "a relation field's type must be a @model type: add @model to `{base}` or change the field's type"
                    )
                } else {
                    format!("a relation field's type must be a @model type: change the type of `{}` or remove @{kind}", f.name.text)
                }),
            );
        }
        let list = f.ty.is_list();
        let misfit = match kind {
            "hasMany" if !list => Some((
                format!(
                    "@hasMany must be used on a list, but `{}.{}` is `{}`",
                    t.name.text, f.name.text, f.ty
                ),
                format!(
                    "declare the field as `{}: [{base}]`, or use @hasOne for a single related item",
                    f.name.text
                ),
            )),
            "hasOne" | "belongsTo" if list => Some((
                format!(
                    "@{kind} cannot be used on a list, but `{}.{}` is `{}`",
                    t.name.text, f.name.text, f.ty
                ),
                if kind == "hasOne" {
                    format!(
                        "use @hasMany for a list, or declare the field as `{}: {base}`",
                        f.name.text
                    )
                } else {
                    format!(
                        "a @belongsTo field holds one parent: declare it as `{}: {base}`",
                        f.name.text
                    )
                },
            )),
            _ => None,
        };
        if let Some((message, help)) = &misfit {
            self.push(
                Diagnostic::error(Code::RelationCardinality, message.clone())
                    .at(d.name.span, format!("@{kind} on `{}`", f.ty))
                    .with_help(help.clone()),
            );
        }
        // `@manyToMany` sides that reach this point were not paired; `join_models` said why.
        let Some(related) = related else { return };
        if kind == "manyToMany" || misfit.is_some() {
            return;
        }
        if let Some(refs) = d.argument("references") {
            self.references(t, f, d, related, refs);
            return;
        }
        self.fields(t, f, d, related);
        if kind == "belongsTo" && self.parent_fields(t, related).is_empty() {
            self.push(
                Diagnostic::error(
                    Code::BelongsToWithoutParent,
                    format!(
                        "@belongsTo on `{}.{}` needs a @hasOne or @hasMany field of type `{}` on `{}`",
                        t.name.text, f.name.text, t.name.text, related.name.text
                    ),
                )
                .at(d.name.span, format!("`{}` has no relation back to `{}`", related.name.text, t.name.text))
                .with_note(related.name.span, format!("`{}` is declared here", related.name.text))
                .with_help(format!(
                    "add a field such as `{}: {} @hasOne` (or a list with @hasMany) to `{}`, or use @hasOne here instead of @belongsTo",
                    keys::lower_first(&t.name.text),
                    t.name.text,
                    related.name.text
                )),
            );
        }
    }

    /// Fields of `related` that point back at `t` with @hasOne or @hasMany.
    fn parent_fields(
        &self,
        t: &ObjectModel,
        related: &'a ObjectModel,
    ) -> Vec<(&'a Field, &'a Directive)> {
        fields_pointing_back(t, related, &["hasOne", "hasMany"])
    }

    /// Fields of `related` that point back at `t` with @belongsTo.
    fn child_fields(
        &self,
        t: &ObjectModel,
        related: &'a ObjectModel,
    ) -> Vec<(&'a Field, &'a Directive)> {
        fields_pointing_back(t, related, &["belongsTo"])
    }

    /// `fields:` entries must be scalar or enum fields of the model; each entry's type must be
    /// the type of the related key field it matches, and there must be no more entries than
    /// the related key has fields.
    fn fields(&mut self, t: &'a ObjectModel, f: &Field, d: &Directive, related: &'a ObjectModel) {
        let kind = d.name.as_str();
        // The key the fields are matched with: an index of the related model (@hasMany with
        // indexName) or its primary key.
        let index_arg = d
            .argument("indexName")
            .filter(|_| kind == "hasMany")
            .and_then(|a| match &a.value.kind {
                ValueKind::String(s) if !s.is_empty() => Some((s.as_str(), a.value.span)),
                _ => None,
            });
        let key: Option<(String, Vec<String>)> = match index_arg {
            Some((name, span)) => {
                let found = related.fields.iter().find_map(|rf| {
                    rf.directives
                        .iter()
                        .find(|x| {
                            x.name.text == "index"
                                && keys::string_arg(x, "name").as_deref() == Some(name)
                        })
                        .map(|x| (rf.name.text.clone(), keys::string_list(x, "sortKeyFields")))
                });
                if found.is_none() {
                    let names: Vec<String> = related
                        .fields
                        .iter()
                        .flat_map(|rf| rf.directives.iter())
                        .filter(|x| x.name.text == "index")
                        .filter_map(|x| keys::string_arg(x, "name"))
                        .map(|n| format!("\"{n}\""))
                        .collect();
                    let help = if names.is_empty() {
                        format!(
                            "add @index(name: \"{name}\") to the field of `{}` that holds the key of `{}`",
                            related.name.text, t.name.text
                        )
                    } else {
                        format!(
                            "use one of the named indexes of `{}` ({}), or add @index(name: \"{name}\") there",
                            related.name.text,
                            names.join(", ")
                        )
                    };
                    self.push(
                        Diagnostic::error(
                            Code::RelationIndexUnknown,
                            format!(
                                "@hasMany on `{}.{}` uses index \"{name}\", but `{}` has no @index of that name",
                                t.name.text, f.name.text, related.name.text
                            ),
                        )
                        .at(span, "no such index")
                        .with_help(help),
                    );
                }
                found
            }
            None => {
                let pk = PrimaryKey::of(related);
                Some((pk.partition, pk.sort))
            }
        };
        let Some(arg) = d.argument("fields") else {
            return; // implicit: the reference adds the key fields itself
        };
        if is_empty_list(&arg.value) {
            self.push(
                Diagnostic::error(
                    Code::RelationArguments,
                    format!("@{kind} on `{}.{}` has an empty `fields` list", t.name.text, f.name.text),
                )
                .at(arg.value.span, "no fields")
                .with_help("name the fields that hold the related key, or remove `fields` to have them added"),
            );
            return;
        }
        let list = entries(&arg.value);
        let resolved = self.key_fields(
            &list,
            &KeyFieldsArg {
                argument: "fields",
                relation: (kind, t, f),
                holder: t,
                qualified: false,
                holds: "the related key".into(),
                not_scalar_help:
                    "name the scalar fields that hold the related key (for example `postID: ID`)"
                        .into(),
            },
        );
        let Some((partition, sort)) = key else { return };
        let mut count_reported = false;
        if resolved.len() == list.len() && !list.is_empty() {
            let key_type = |name: &str| {
                related
                    .field(name)
                    .map_or("ID".to_string(), |rf| rf.ty.base().to_string())
            };
            let key_desc = match index_arg {
                Some((name, _)) => format!("index \"{name}\" of `{}`", related.name.text),
                None => format!("the primary key of `{}`", related.name.text),
            };
            if list.len() > 1 && sort.len() != list.len() - 1 {
                count_reported = true;
                self.push(
                    Diagnostic::error(
                        Code::RelationFieldCount,
                        format!(
                            "`fields` of @{kind} on `{}.{}` has {} fields, but {key_desc} has {} ({})",
                            t.name.text,
                            f.name.text,
                            list.len(),
                            sort.len() + 1,
                            std::iter::once(&partition).chain(sort.iter()).cloned().collect::<Vec<_>>().join(", ")
                        ),
                    )
                    .at(arg.value.span, format!("{} fields", list.len()))
                    .with_help(format!(
                        "list one field per key field, in order: the partition key then the sort keys of {key_desc}"
                    )),
                );
            } else {
                for (i, (e, ff)) in resolved.iter().enumerate() {
                    let key_field = if i == 0 { &partition } else { &sort[i - 1] };
                    let expected = key_type(key_field);
                    if ff.ty.base() != expected {
                        // @hasOne and @belongsTo fields hold the related key; @hasMany fields
                        // are the parent's own key, looked up in the related key.
                        let help = if kind == "hasMany" {
                            format!(
                                "`{}.{}` and `{}.{key_field}` must have the same type: change one of them",
                                t.name.text, ff.name.text, related.name.text
                            )
                        } else {
                            format!(
                                "declare `{}` with type `{expected}`, the type of `{}.{key_field}`",
                                ff.name.text, related.name.text
                            )
                        };
                        let mut diag = Diagnostic::error(
                            Code::RelationFieldType,
                            format!(
                                "`{}.{}` is `{}`, but the key field it matches, `{}.{key_field}`, is `{expected}`",
                                t.name.text, ff.name.text, ff.ty, related.name.text
                            ),
                        )
                        .at(e.span, format!("should be of type {expected}"))
                        .with_help(help);
                        if let Some(rf) = related.field(key_field) {
                            diag = diag
                                .with_note(rf.name.span, format!("`{key_field}` is declared here"));
                        }
                        self.push(diag);
                    }
                }
            }
        }
        // §14 item 39: with @auth on both models, the reference reads a @hasOne or
        // @belongsTo's `fields` as the whole related primary key; written as one string, its
        // length in characters is what it counts.
        let first_relation = f
            .directives
            .iter()
            .find(|x| RELATIONS.contains(&x.name.as_str()));
        if (kind == "hasOne" || kind == "belongsTo")
            && !count_reported
            && first_relation.is_some_and(|x| std::ptr::eq(x, d))
            && t.has_any_auth()
            && related.has_any_auth()
        {
            let pk = PrimaryKey::of(related);
            let size = pk.fields().count();
            let (count, single) = match &arg.value.kind {
                ValueKind::String(s) => (s.encode_utf16().count(), true),
                ValueKind::List(items) => (items.len(), false),
                _ => return,
            };
            if count != size {
                let keys_text = pk.fields().collect::<Vec<_>>().join(", ");
                let (label, help) = if single {
                    (
                        format!("a string: read as {count} fields, one per character"),
                        format!(
                            "write the fields as a list: fields: [\"{}\"]{}",
                            entries(&arg.value).first().map_or("", |e| e.text),
                            if size > 1 {
                                format!(
                                    ", then one field for each sort key of `{}`",
                                    related.name.text
                                )
                            } else {
                                String::new()
                            }
                        ),
                    )
                } else {
                    (
                        format!("{count} field{}", if count == 1 { "" } else { "s" }),
                        format!(
                            "list one field for each key field of `{}` ({keys_text}), in order",
                            related.name.text
                        ),
                    )
                };
                self.push(
                    Diagnostic::error(
                        Code::RelationFieldCount,
                        format!(
                            "`fields` of @{kind} on `{}.{}` must match the whole primary key of `{}` ({keys_text}) when both models have @auth",
                            t.name.text, f.name.text, related.name.text
                        ),
                    )
                    .at(arg.value.span, label)
                    .with_help(help),
                );
            }
        }
    }

    /// `references:` relations (the related model holds the keys): one side's
    /// `references` must be the other side's, in both directions, of the key's size and types.
    fn references(
        &mut self,
        t: &'a ObjectModel,
        f: &Field,
        d: &Directive,
        related: &'a ObjectModel,
        refs: &crate::ast::Argument,
    ) {
        let kind = d.name.as_str();
        if let Some(fields) = d.argument("fields") {
            self.push(
                Diagnostic::error(
                    Code::RelationArguments,
                    format!(
                        "@{kind} on `{}.{}` has both `fields` and `references`",
                        t.name.text, f.name.text
                    ),
                )
                .at(fields.name.span, "remove `fields`")
                .with_help("use `references` (the fields of the related model that hold the key) on both sides of the relation"),
            );
            return;
        }
        if is_empty_list(&refs.value) {
            self.push(
                Diagnostic::error(
                    Code::RelationArguments,
                    format!(
                        "@{kind} on `{}.{}` has an empty `references` list",
                        t.name.text, f.name.text
                    ),
                )
                .at(refs.value.span, "no references")
                .with_help("name the fields of the related model that hold the key"),
            );
            return;
        }
        if kind != "belongsTo"
            && let Some(index) = d.argument("indexName")
            && matches!(&index.value.kind, ValueKind::String(s) if !s.is_empty())
        {
            self.push(
                Diagnostic::error(
                    Code::RelationArguments,
                    format!(
                        "@{kind} on `{}.{}` cannot use `indexName` with `references`",
                        t.name.text, f.name.text
                    ),
                )
                .at(index.name.span, "remove `indexName`")
                .with_help("a `references` relation makes its own index; remove `indexName`"),
            );
            return;
        }
        let item_required = matches!(&f.ty, TypeRef::List(inner) if inner.is_non_null());
        if f.ty.is_non_null() || item_required {
            let should = nullable_form(&f.ty);
            self.push(
                Diagnostic::error(
                    Code::ReferencesInvalid,
                    format!(
                        "@{kind} fields with `references` must not be required: `{}.{}` is `{}`",
                        t.name.text, f.name.text, f.ty
                    ),
                )
                .at(f.name.span, "required")
                .with_help(format!("declare it as `{}: {should}`", f.name.text)),
            );
        }
        let list = entries(&refs.value);
        let names: Vec<&str> = list.iter().map(|e| e.text).collect();
        // Parent side: the keys of `t`, held by `references` fields of `related`.
        // Child side (@belongsTo): the keys of `related`, held by fields of `t`.
        let (parent, holder) = if kind == "belongsTo" {
            (related, t)
        } else {
            (t, related)
        };
        let counterparts = if kind == "belongsTo" {
            self.parent_fields(t, related)
        } else {
            self.child_fields(t, related)
        };
        let matched = counterparts.iter().any(|(_, cd)| {
            cd.argument("references").is_some_and(|r| {
                entries(&r.value)
                    .iter()
                    .map(|e| e.text)
                    .eq(names.iter().copied())
            })
        });
        for (cf, cd) in counterparts
            .iter()
            .filter(|(_, cd)| cd.argument("references").is_none())
        {
            self.push(
                Diagnostic::error(
                    Code::ReferencesInvalid,
                    format!(
                        "@{kind} on `{}.{}` uses `references`, but its counterpart @{} on `{}.{}` does not",
                        t.name.text, f.name.text, cd.name.text, related.name.text, cf.name.text
                    ),
                )
                .at(refs.name.span, "references")
                .with_note(cd.name.span, "without `references`")
                .with_help(format!(
                    "write the same references on both sides: @{}(references: [{}])",
                    cd.name.text,
                    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
        if kind == "belongsTo" && counterparts.is_empty() {
            self.push(
                Diagnostic::error(
                    Code::BelongsToWithoutParent,
                    format!(
                        "@belongsTo on `{}.{}` needs a @hasOne or @hasMany field of type `{}` on `{}`",
                        t.name.text, f.name.text, t.name.text, related.name.text
                    ),
                )
                .at(d.name.span, format!("`{}` has no relation back to `{}`", related.name.text, t.name.text))
                .with_help(format!(
                    "add a field of type `[{}]` with @hasMany(references: [{}]) (or of type `{}` with @hasOne) to `{}`",
                    t.name.text,
                    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
                    t.name.text,
                    related.name.text
                )),
            );
        } else if !matched
            && kind != "belongsTo"
            && counterparts
                .iter()
                .all(|(_, cd)| cd.argument("references").is_some())
        {
            // (A @belongsTo whose parents use other references is reported by the parent.)
            let other = "@belongsTo";
            self.push(
                Diagnostic::error(
                    Code::ReferencesInvalid,
                    format!(
                        "@{kind} on `{}.{}` has no {other} on `{}` with the same references",
                        t.name.text, f.name.text, related.name.text
                    ),
                )
                .at(refs.value.span, "no counterpart with these references")
                .with_help(format!(
                    "relations with `references` go both ways: add a {other} field of type `{}` to `{}` with references: [{}]",
                    t.name.text,
                    related.name.text,
                    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                )),
            );
        }
        // A @belongsTo whose parent lists the same references leaves the rest to the parent's
        // checks, which judge the same fields.
        if kind == "belongsTo" && matched {
            return;
        }
        let pk = PrimaryKey::of(parent);
        let size = pk.fields().count();
        if size != list.len() {
            self.push(
                Diagnostic::error(
                    Code::RelationFieldCount,
                    format!(
                        "`references` of @{kind} on `{}.{}` has {} field{}, but the primary key of `{}` has {size} ({})",
                        t.name.text,
                        f.name.text,
                        list.len(),
                        if list.len() == 1 { "" } else { "s" },
                        parent.name.text,
                        pk.fields().collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(refs.value.span, format!("{} field{}", list.len(), if list.len() == 1 { "" } else { "s" }))
                .with_help(format!(
                    "name one field of `{}` for each key field of `{}`, in order",
                    holder.name.text, parent.name.text
                )),
            );
        }
        let resolved = self.key_fields(
            &list,
            &KeyFieldsArg {
                argument: "references",
                relation: (kind, t, f),
                holder,
                qualified: true,
                holds: format!("the key of `{}`", parent.name.text),
                not_scalar_help: format!(
                    "name the scalar fields of `{}` that hold the key",
                    holder.name.text
                ),
            },
        );
        if kind == "belongsTo" || resolved.len() != list.len() {
            return;
        }
        let required: Vec<&str> = resolved
            .iter()
            .filter(|(_, hf)| hf.ty.is_non_null())
            .map(|(e, _)| e.text)
            .collect();
        if !required.is_empty() && required.len() != resolved.len() {
            let nullable: Vec<&str> = resolved
                .iter()
                .filter(|(_, hf)| !hf.ty.is_non_null())
                .map(|(e, _)| e.text)
                .collect();
            self.push(
                Diagnostic::error(
                    Code::ReferencesInvalid,
                    format!(
                        "the `references` fields of @{kind} on `{}.{}` mix required ({}) and nullable ({}) fields",
                        t.name.text, f.name.text, required.join(", "), nullable.join(", ")
                    ),
                )
                .at(refs.value.span, "inconsistent nullability")
                .with_help(format!(
                    "make the fields of `{}` all required or all nullable",
                    holder.name.text
                )),
            );
        }
        if !matched || size != list.len() {
            return;
        }
        for ((e, hf), key_field) in resolved.iter().zip(pk.fields()) {
            let key_ty = parent
                .field(key_field)
                .map_or("ID".to_string(), |kf| kf.ty.base().to_string());
            let (a, b) = (key_ty.as_str(), hf.ty.base());
            let id_like = |s: &str| s == "ID" || s == "String";
            if a != b && !(id_like(a) && id_like(b)) {
                self.push(
                    Diagnostic::error(
                        Code::RelationFieldType,
                        format!(
                            "`{}.{}` is `{}`, but it holds `{}.{key_field}`, which is `{key_ty}`",
                            holder.name.text, hf.name.text, hf.ty, parent.name.text
                        ),
                    )
                    .at(e.span, format!("should be of type {key_ty}"))
                    .with_note(hf.name.span, "declared here")
                    .with_help(format!(
                        "declare `{}.{}` with type `{key_ty}` (ID and String are interchangeable here)",
                        holder.name.text, hf.name.text
                    )),
                );
            }
        }
    }
}

/// The root operation type a root type's fields belong to.
fn root_name(name: &str) -> &'static str {
    match name {
        "Mutation" => "Mutation",
        "Subscription" => "Subscription",
        _ => "Query",
    }
}

/// The type with every `!` removed: `[Post!]!` → `[Post]`.
fn nullable_form(ty: &TypeRef) -> TypeRef {
    match ty {
        TypeRef::NonNull(inner) => nullable_form(inner),
        TypeRef::List(inner) => TypeRef::List(Box::new(nullable_form(inner))),
        TypeRef::Named(n) => TypeRef::Named(n.clone()),
    }
}

/// Where a field of `Query`, `Mutation` or `Subscription` comes from, as a clash names it.
enum RootFieldOrigin<'a> {
    /// Written in `type <root>`.
    Declared(&'a str),
    /// An operation of a model (what it is: "get query", …; the model).
    Operation(&'static str, &'a str),
    /// The query of an index (its name; the model).
    Index(String, &'a str),
}

impl std::fmt::Display for RootFieldOrigin<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RootFieldOrigin::Declared(root) => write!(f, "a field of `type {root}`"),
            RootFieldOrigin::Operation(what, model) => write!(f, "the {what} of @model `{model}`"),
            RootFieldOrigin::Index(index, model) => {
                write!(f, "the query of index \"{index}\" on `{model}`")
            }
        }
    }
}
