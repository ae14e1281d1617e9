//! The typed view of the schema: which types are models, what their `@model` arguments are,
//! and the `@auth` rules on types and fields, read from the syntax tree with every value
//! checked against the shape Amplify expects.

mod auth;
mod auth_args;
mod default_check;
mod global;
mod invocation_check;
mod join_models;
pub mod keys;
pub mod operations;
pub mod plural;
mod relations_check;

pub use auth::*;
pub use global::GlobalAuthRule;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::ast::{
    Definition, Directive, Document, FieldDef, Ident, ObjectType, TypeRef, Value, ValueKind,
};
use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// The relational directives.
pub const RELATIONS: &[&str] = &["hasOne", "hasMany", "belongsTo", "manyToMany"];

/// Every directive a schema may use: those a transformer of the reference handles, AppSync's
/// own, and `@deprecated`. Exactly the directives `templates/amplify-directives.graphql`
/// defines (a unit test of `parse` keeps the two equal); any other directive is refused.
pub const KNOWN_DIRECTIVES: &[&str] = &[
    "model",
    "auth",
    "primaryKey",
    "index",
    "hasOne",
    "hasMany",
    "belongsTo",
    "manyToMany",
    "default",
    "searchable",
    "function",
    "http",
    "mapsTo",
    "predictions",
    "sql",
    "refersTo",
    "aws_subscribe",
    "aws_auth",
    "aws_api_key",
    "aws_iam",
    "aws_oidc",
    "aws_lambda",
    "aws_cognito_user_pools",
    "deprecated",
];

pub const ROOT_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

/// What an object type is, for the rules that depend on it.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Model(Box<ModelArgs>),
    /// `Query`, `Mutation` or `Subscription`.
    Root,
    /// An object type without `@model`.
    Plain,
    Interface,
}

/// Subscription level of a model (`@model(subscriptions: {level: ...})`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionLevel {
    On,
    Public,
    Off,
}

/// The arguments of `@model`. `None` means the argument was not given; a value of kind
/// `ValueKind::Null` means it was given as `null` (that operation group is switched off).
#[derive(Clone, Debug, PartialEq)]
pub struct ModelArgs {
    pub span: Span,
    pub queries: Option<Value>,
    pub mutations: Option<Value>,
    pub subscriptions: Option<Value>,
    pub timestamps: Option<Value>,
}

impl ModelArgs {
    pub fn subscription_level(&self) -> SubscriptionLevel {
        let Some(v) = &self.subscriptions else {
            return SubscriptionLevel::On;
        };
        match &v.kind {
            ValueKind::Null => SubscriptionLevel::Off,
            ValueKind::Object(fields) => {
                match fields
                    .iter()
                    .find(|(k, _)| k.text == "level")
                    .map(|(_, v)| &v.kind)
                {
                    Some(ValueKind::Enum(l)) if l == "off" => SubscriptionLevel::Off,
                    Some(ValueKind::Enum(l)) if l == "public" => SubscriptionLevel::Public,
                    _ => SubscriptionLevel::On,
                }
            }
            _ => SubscriptionLevel::On,
        }
    }

    /// The `level` key of `subscriptions`, `On` when not written. Unlike
    /// `subscription_level`, `subscriptions: null` counts as `On` here: the reference's
    /// field-auth checks read only the `level` key, so switching subscriptions off with null
    /// does not lift the required-field check (§14 item 32).
    pub fn declared_subscription_level(&self) -> SubscriptionLevel {
        match self.subscriptions.as_ref().map(|v| &v.kind) {
            Some(ValueKind::Object(_)) => self.subscription_level(),
            _ => SubscriptionLevel::On,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: Ident,
    pub ty: TypeRef,
    pub auth: Option<AuthDirective>,
    /// Every directive on the field, for the stages that implement them.
    pub directives: Vec<Directive>,
    /// Added by `extend type`: part of the type, but not a column of its access-control
    /// matrix (the reference builds the matrix from the definition's own fields).
    pub from_extension: bool,
}

impl Field {
    pub fn has_directive(&self, name: &str) -> bool {
        self.directives.iter().any(|d| d.name.text == name)
    }
}

/// An object type or interface with its extensions merged in.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectModel {
    pub name: Ident,
    pub kind: TypeKind,
    pub auth: Option<AuthDirective>,
    pub fields: Vec<Field>,
    /// A join model generated for `@manyToMany`: it carries the rules of both sides, so
    /// repeated roles are allowed (the later one wins).
    pub is_join: bool,
}

impl ObjectModel {
    pub fn is_model(&self) -> bool {
        matches!(self.kind, TypeKind::Model(_))
    }

    pub fn model_args(&self) -> Option<&ModelArgs> {
        match &self.kind {
            TypeKind::Model(a) => Some(a),
            _ => None,
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.text == name)
    }

    /// Whether any `@auth` sits on the type or one of its fields.
    pub fn has_any_auth(&self) -> bool {
        self.auth.is_some() || self.fields.iter().any(|f| f.auth.is_some())
    }
}

/// The typed schema every later stage reads. The syntax tree is kept for printing.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub document: Document,
    /// Object types and interfaces in source order, extensions merged.
    pub types: Vec<ObjectModel>,
    pub global_auth: Option<GlobalAuthRule>,
    /// Name → position in `types` (the first of that name), built on first lookup: later
    /// stages look types up by name for every field of every model.
    by_name: OnceLock<HashMap<String, usize>>,
    /// Type name → the (type, field) positions of the fields whose base type it is, in source
    /// order, built on first lookup: relations look for the fields pointing at a model.
    pointing_at: OnceLock<HashMap<String, Vec<(usize, usize)>>>,
    /// The names of the enums, built on first lookup: filters and keys ask for every field.
    enums: OnceLock<HashSet<String>>,
}

impl Schema {
    pub fn models(&self) -> impl Iterator<Item = &ObjectModel> {
        self.types.iter().filter(|t| t.is_model())
    }

    pub fn model(&self, name: &str) -> Option<&ObjectModel> {
        self.object(name).filter(|t| t.is_model())
    }

    pub fn object(&self, name: &str) -> Option<&ObjectModel> {
        let index = self.by_name.get_or_init(|| {
            let mut map = HashMap::with_capacity(self.types.len());
            for (i, t) in self.types.iter().enumerate() {
                map.entry(t.name.text.clone()).or_insert(i);
            }
            map
        });
        index.get(name).map(|i| &self.types[*i])
    }

    /// The fields of any type whose base type is `name`, with their type, in source order.
    pub fn fields_of_type(&self, name: &str) -> impl Iterator<Item = (&ObjectModel, &Field)> {
        let index = self.pointing_at.get_or_init(|| {
            let mut map: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
            for (t, ty) in self.types.iter().enumerate() {
                for (f, field) in ty.fields.iter().enumerate() {
                    map.entry(field.ty.base().to_string())
                        .or_default()
                        .push((t, f));
                }
            }
            map
        });
        index
            .get(name)
            .into_iter()
            .flatten()
            .map(|&(t, f)| (&self.types[t], &self.types[t].fields[f]))
    }

    /// Whether `name` is an enum of the document.
    pub fn is_enum(&self, name: &str) -> bool {
        self.enums
            .get_or_init(|| {
                self.document
                    .definitions
                    .iter()
                    .filter_map(|d| match d {
                        Definition::Enum(e) => Some(e.name.text.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .contains(name)
    }

    pub fn sandbox(&self) -> bool {
        self.global_auth.is_some()
    }
}

/// Builds the typed schema, reporting every problem with directives and their arguments.
pub fn lower(mut document: Document, config: &Config) -> (Schema, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let joins = join_models::expand(
        &mut document,
        config.flags.respectprimarykeyattributesonconnectionfield,
        &mut diags,
    );
    let mut types: Vec<ObjectModel> = Vec::new();
    let mut global_auth = None;
    // As in the reference, every definition is known before any extension is applied, so an
    // extension may come before the type it extends. `AMPLIFY` is not a type of the API.
    let defined: HashSet<&str> = document
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::Object(o) | Definition::Interface(o) if !o.is_extension => {
                Some(o.name.as_str())
            }
            Definition::Input(i) if !i.is_extension && i.name.text != "AMPLIFY" => {
                Some(i.name.as_str())
            }
            Definition::Enum(e) if !e.is_extension => Some(e.name.as_str()),
            Definition::Union(u) if !u.is_extension => Some(u.name.as_str()),
            Definition::Scalar(s) if !s.is_extension => Some(s.name.as_str()),
            _ => None,
        })
        .collect();
    let mut extensions = Vec::new();

    for def in &document.definitions {
        match def {
            Definition::Object(o) | Definition::Interface(o) => {
                let interface = matches!(def, Definition::Interface(_));
                if o.is_extension {
                    extensions.push((o, interface));
                } else {
                    types.push(lower_object(o, interface, &mut diags));
                }
            }
            Definition::Input(i) if i.name.text == "AMPLIFY" && !i.is_extension => {
                if let Some(rule) = global::read(i, &mut diags) {
                    global_auth = Some(rule);
                }
            }
            Definition::Input(_)
            | Definition::Enum(_)
            | Definition::Union(_)
            | Definition::Scalar(_) => {
                // What an extension must extend, and how diagnostics name the definition.
                let (extended, placement) = match def {
                    Definition::Input(i) => (Some((&i.name, "input")), "an input type"),
                    Definition::Enum(e) => (Some((&e.name, "enum")), "an enum"),
                    Definition::Union(u) => (Some((&u.name, "union")), "a union"),
                    _ => (None, "a scalar"),
                };
                if let Some((name, kind)) = extended
                    && def.is_extension()
                {
                    check_extended_exists(name, kind, &defined, &mut diags);
                }
                for d in def.directives_within() {
                    check_misplaced(d, placement, &mut diags);
                }
            }
            Definition::Other { .. } => {}
        }
    }
    for (o, interface) in extensions {
        let kind = if interface { "interface" } else { "type" };
        if check_extended_exists(&o.name, kind, &defined, &mut diags) {
            merge_extension(&mut types, o, interface, &mut diags);
        } else {
            // Still read it, so that its directives and rules are checked too.
            lower_object(o, interface, &mut diags);
        }
    }
    for t in &mut types {
        t.is_join = joins.contains(&t.name.text);
    }
    let schema = Schema {
        document,
        types,
        global_auth,
        by_name: OnceLock::new(),
        pointing_at: OnceLock::new(),
        enums: OnceLock::new(),
    };
    diags.extend(relations_check::check(&schema, config));
    (schema, diags)
}

fn lower_object(o: &ObjectType, interface: bool, diags: &mut Vec<Diagnostic>) -> ObjectModel {
    let mut auth = None;
    let mut model_args = None;
    for d in &o.directives {
        check_v1(d, diags);
        match d.name.as_str() {
            "auth" if interface => diags.push(
                Diagnostic::error(
                    Code::AuthLocation,
                    format!("@auth cannot be used on interface `{}`", o.name.text),
                )
                .at(d.name.span, "not allowed on an interface")
                .with_help("put @auth on the @model types that implement the interface"),
            ),
            "auth" => {
                if let Some(prev) = &auth {
                    diags.push(repeated(d, prev));
                } else {
                    auth = Some(auth_args::read(d, diags));
                }
            }
            "model" if !interface => {
                if model_args.is_some() {
                    continue; // repeated @model is reported by SDL validation
                }
                if ROOT_TYPES.contains(&o.name.as_str()) {
                    diags.push(
                        Diagnostic::error(
                            Code::ReservedModelName,
                            format!(
                                "`{}` is a reserved type name and cannot be a @model",
                                o.name.text
                            ),
                        )
                        .at(o.name.span, "reserved name")
                        .with_help(format!(
                            "rename the type, for example to `{}Item`",
                            o.name.text
                        )),
                    );
                }
                model_args = Some(ModelArgs {
                    span: d.span,
                    queries: d.argument("queries").map(|a| a.value.clone()),
                    mutations: d.argument("mutations").map(|a| a.value.clone()),
                    subscriptions: d.argument("subscriptions").map(|a| a.value.clone()),
                    timestamps: d.argument("timestamps").map(|a| a.value.clone()),
                });
            }
            _ => {}
        }
    }
    let kind = if interface {
        TypeKind::Interface
    } else if let Some(args) = model_args {
        TypeKind::Model(Box::new(args))
    } else if ROOT_TYPES.contains(&o.name.as_str()) {
        TypeKind::Root
    } else {
        TypeKind::Plain
    };
    if matches!(kind, TypeKind::Plain | TypeKind::Root)
        && let Some(d) = o.directives.iter().find(|d| d.name.text == "searchable")
    {
        diags.push(
            Diagnostic::error(
                Code::SearchableWithoutModel,
                format!("@searchable on `{}`, which is not a @model", o.name.text),
            )
            .at(d.name.span, "types with @searchable must also have @model")
            .with_help(format!(
                "add @model to `{}` (only model tables are streamed to OpenSearch), or remove @searchable",
                o.name.text
            )),
        );
    }
    // The reference keeps a renamed model's table (and its stack) under the original name and
    // maps the resolvers' fields; building it under the new name would replace the table.
    if matches!(kind, TypeKind::Model(_))
        && let Some(d) = o.directives.iter().find(|d| d.name.text == "mapsTo")
    {
        diags.push(
            Diagnostic::error(
                Code::MapsToUnsupported,
                format!(
                    "`{}` uses @mapsTo, which amplify-gql does not build yet",
                    o.name.text
                ),
            )
            .at(d.span, "not supported")
            .with_help(
                "compile this schema with the Amplify CLI; building the model under its new name would deploy a new, empty table",
            ),
        );
    }
    if let (Some(a), TypeKind::Plain | TypeKind::Root) = (&auth, &kind) {
        diags.push(
            Diagnostic::error(
                Code::AuthWithoutModel,
                format!("@auth on `{}`, which is not a @model", o.name.text),
            )
            .at(a.name_span, "types with @auth must also have @model")
            .with_help(format!(
                "add @model to `{}`, or move the rules to its fields",
                o.name.text
            )),
        );
    }
    let mut obj = ObjectModel {
        is_join: false,
        name: o.name.clone(),
        kind,
        auth,
        fields: Vec::new(),
    };
    for f in &o.fields {
        let field = lower_field(&obj, f, diags);
        obj.fields.push(field);
    }
    obj
}

fn lower_field(owner: &ObjectModel, f: &FieldDef, diags: &mut Vec<Diagnostic>) -> Field {
    let mut auth: Option<AuthDirective> = None;
    for d in &f.directives {
        check_v1(d, diags);
        if d.name.as_str() != "auth" {
            continue;
        }
        if let Some(prev) = &auth {
            diags.push(repeated(d, prev));
            continue;
        }
        if owner.kind == TypeKind::Interface {
            diags.push(
                Diagnostic::error(
                    Code::AuthOnInterfaceField,
                    format!(
                        "@auth cannot be placed on an interface's field. See {}.{}",
                        owner.name.text, f.name.text
                    ),
                )
                .at(d.name.span, "on an interface field")
                .with_help(
                    "put the rule on the field of each @model type that implements the interface",
                ),
            );
            continue;
        }
        auth = Some(auth_args::read(d, diags));
    }
    for arg in &f.arguments {
        for d in &arg.directives {
            check_misplaced(d, "an argument", diags);
        }
    }
    Field {
        name: f.name.clone(),
        ty: f.ty.clone(),
        auth,
        directives: f.directives.clone(),
        from_extension: false,
    }
}

/// Directives that one of the reference's transformers handles. Only these are refused on
/// type extensions and on their fields; others (`@deprecated`, `@aws_*`) pass through.
const TRANSFORMER_DIRECTIVES: &[&str] = &[
    "model",
    "auth",
    "primaryKey",
    "index",
    "hasOne",
    "hasMany",
    "belongsTo",
    "manyToMany",
    "default",
    "function",
    "http",
    "predictions",
    "searchable",
    "mapsTo",
    "sql",
    "refersTo",
];

/// Directives whose transformers also handle fields of `extend type Query|Mutation|Subscription`.
const ROOT_EXTENSION_FIELD_DIRECTIVES: &[&str] = &["auth", "function", "http"];

/// `extend ... X`: the reference refuses an extension of a type that is not defined.
fn check_extended_exists(
    name: &Ident,
    kind: &str,
    defined: &HashSet<&str>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    if defined.contains(name.as_str()) {
        return true;
    }
    diags.push(
        Diagnostic::error(
            Code::ExtendMissingType,
            format!("cannot extend nonexistent {kind} '{}'", name.text),
        )
        .at(name.span, "not defined anywhere")
        .with_help(format!(
            "define `{kind} {}` (or write the definition instead of `extend {kind}`)",
            name.text
        )),
    );
    false
}

/// `extend type X { ... }`: fields are appended (they are not columns of X's access-control
/// matrix); transformer directives are not allowed on the extension or on its fields, except
/// the few that handle fields of root type extensions.
fn merge_extension(
    types: &mut [ObjectModel],
    o: &ObjectType,
    interface: bool,
    diags: &mut Vec<Diagnostic>,
) {
    for d in o
        .directives
        .iter()
        .filter(|d| TRANSFORMER_DIRECTIVES.contains(&d.name.as_str()))
    {
        diags.push(
            Diagnostic::error(
                Code::DirectiveOnExtension,
                format!(
                    "directives are not supported on type extensions (`extend type {}`)",
                    o.name.text
                ),
            )
            .at(d.span, "on an extension")
            .with_help(format!(
                "move @{} to the definition of `{}`",
                d.name.text, o.name.text
            )),
        );
    }
    let Some(index) = types
        .iter()
        .position(|t| t.name.text == o.name.text && (t.kind == TypeKind::Interface) == interface)
    else {
        // A type of the other kind (`extend interface` of an object type): SDL validation
        // reports it.
        return;
    };
    let root = ROOT_TYPES.contains(&o.name.as_str());
    for f in &o.fields {
        for d in f
            .directives
            .iter()
            .filter(|d| TRANSFORMER_DIRECTIVES.contains(&d.name.as_str()))
        {
            if !root {
                diags.push(
                    Diagnostic::error(
                        Code::DirectiveOnExtension,
                        format!("@{} cannot be used on fields of type extensions other than Query, Mutation and Subscription (`{}.{}`)", d.name.text, o.name.text, f.name.text),
                    )
                    .at(d.span, "on a field of an extension")
                    .with_help(format!("declare the field in `type {}` itself", o.name.text)),
                );
            } else if !ROOT_EXTENSION_FIELD_DIRECTIVES.contains(&d.name.as_str()) {
                diags.push(
                    Diagnostic::error(
                        Code::DirectiveOnExtension,
                        format!(
                            "@{} is not supported on fields of extended types (`extend type {}`)",
                            d.name.text, o.name.text
                        ),
                    )
                    .at(d.span, "on a field of an extension")
                    .with_help(format!(
                        "declare the field in `type {}` itself",
                        o.name.text
                    )),
                );
            }
        }
        let mut field = lower_field(&types[index], f, diags);
        field.from_extension = true;
        types[index].fields.push(field);
    }
}

fn repeated(d: &Directive, prev: &AuthDirective) -> Diagnostic {
    Diagnostic::error(
        Code::AuthRepeated,
        "@auth can only be used once at this location",
    )
    .at(d.name.span, "second @auth")
    .with_note(prev.name_span, "first @auth is here")
    .with_help("merge the rules into one @auth(rules: [...])")
}

fn check_v1(d: &Directive, diags: &mut Vec<Diagnostic>) {
    let replacement = match d.name.as_str() {
        "connection" => "@hasOne, @hasMany, @belongsTo or @manyToMany",
        "key" => "@primaryKey for the table key and @index for secondary indexes",
        "versioned" => "DataStore conflict resolution (conflictResolution in the API settings)",
        _ => return,
    };
    diags.push(
        Diagnostic::error(
            Code::V1Directive,
            format!(
                "@{} is a directive of the v1 GraphQL transformer",
                d.name.text
            ),
        )
        .at(d.name.span, "not supported by transformer v2")
        .with_help(format!(
            "use {replacement}; see https://docs.amplify.aws/cli/migration/transformer-migration/"
        )),
    );
}

fn check_misplaced(d: &Directive, place: &str, diags: &mut Vec<Diagnostic>) {
    check_v1(d, diags);
    if d.name.as_str() == "auth" {
        diags.push(
            Diagnostic::error(
                Code::AuthLocation,
                format!("@auth may not be used on {place}"),
            )
            .at(d.name.span, "not allowed here")
            .with_help("@auth goes on @model types and on fields of object types"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn template_defines_exactly_the_known_directives() {
        let mut template: Vec<&str> = crate::parse::amplify_directive_names().collect();
        let mut known = super::KNOWN_DIRECTIVES.to_vec();
        template.sort_unstable();
        known.sort_unstable();
        assert_eq!(template, known);
    }
}
