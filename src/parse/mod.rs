//! The only module that sees the parser crate (`apollo-compiler`). It parses the schema text
//! with error recovery, lowers the result to our own `ast`, and runs GraphQL SDL validation
//! against the definitions of the directives Amplify accepts.

use apollo_compiler::ast as gql;
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::{Name, Node, Schema};

use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceMap, Span};

const AMPLIFY_DEFINITIONS: &str = include_str!("../../templates/amplify-directives.graphql");

/// Directives whose arguments later passes check themselves, with better messages than
/// generic SDL validation can give; SDL errors located inside them are dropped.
const SELF_CHECKED: &[&str] = &["auth", "connection", "key", "versioned"];

/// The result of parsing: a (possibly partial) document and every problem found.
pub struct Parsed {
    pub document: Document,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and validates the schema text of `sources`.
pub fn parse(sources: &SourceMap) -> Parsed {
    let mut diagnostics = Vec::new();
    let name = sources
        .files
        .first()
        .map_or("schema.graphql", |f| f.name.as_str());
    let gql_doc = match gql::Document::parser()
        .recursion_limit(256)
        .parse_ast(sources.text.as_str(), name)
    {
        Ok(doc) => doc,
        Err(with_errors) => {
            for e in with_errors.errors.iter() {
                let span = e
                    .error
                    .location()
                    .map(|l| Span::new(l.offset(), l.end_offset()));
                let message = e.error.to_string();
                let message = message.strip_prefix("syntax error: ").unwrap_or(&message);
                let mut d =
                    Diagnostic::error(Code::SyntaxError, format!("syntax error: {message}"))
                        .with_help("fix the GraphQL syntax at this position");
                if let Some(span) = span {
                    d = d.at(span, "here");
                }
                diagnostics.push(d);
            }
            with_errors.partial
        }
    };
    let document = lower_document(&gql_doc);
    if diagnostics.is_empty() {
        diagnostics.extend(validate_sdl(&gql_doc, &document));
    }
    Parsed {
        document,
        diagnostics,
    }
}

/// GraphQL SDL validation (unknown types, duplicate names, directive arguments …) of the user's
/// schema together with Amplify's own definitions.
fn validate_sdl(gql_doc: &gql::Document, document: &Document) -> Vec<Diagnostic> {
    let owned: Vec<Span> = all_directives(document)
        .filter(|d| SELF_CHECKED.contains(&d.name.as_str()))
        .map(|d| d.span)
        .collect();
    let mut doc = gql_doc.clone();
    // Amplify adds an empty Query type when the schema has none (the transformer fills it).
    let has_query = doc.definitions.iter().any(
        |d| matches!(d, gql::Definition::ObjectTypeDefinition(o) if o.name.as_str() == "Query"),
    );
    // Object types may legitimately have no fields of their own before extensions are merged;
    // only the transformer's output must be complete, so we give validation a placeholder.
    if !has_query {
        doc.definitions
            .push(gql::Definition::ObjectTypeDefinition(Node::new(
                gql::ObjectTypeDefinition {
                    description: None,
                    name: Name::new_static_unchecked("Query"),
                    implements_interfaces: vec![],
                    directives: Default::default(),
                    fields: vec![Node::new(gql::FieldDefinition {
                        description: None,
                        name: Name::new_static_unchecked("_amplify_placeholder"),
                        arguments: vec![],
                        ty: gql::Type::Named(Name::new_static_unchecked("String")),
                        directives: Default::default(),
                    })],
                },
            )));
    }
    // The Amplify definitions are parsed first so their file id differs from the user's; errors
    // are reported only when they point into the user's text.
    let user_file = doc.sources.keys().next().copied();
    let builder = Schema::builder()
        .adopt_orphan_extensions()
        .parse(AMPLIFY_DEFINITIONS, "amplify-directives.graphql")
        .add_ast(&doc);
    let schema = match builder.build() {
        Ok(s) => Some(s),
        Err(with_errors) => {
            let mut out = Vec::new();
            for e in with_errors.errors.iter() {
                out.extend(sdl_diagnostic(e.error, user_file, &owned));
            }
            if !out.is_empty() {
                return out;
            }
            Some(with_errors.partial)
        }
    };
    let mut out = Vec::new();
    if let Some(schema) = schema
        && let Err(with_errors) = schema.validate()
    {
        for e in with_errors.errors.iter() {
            out.extend(sdl_diagnostic(e.error, user_file, &owned));
        }
    }
    out
}

fn sdl_diagnostic(
    error: &apollo_compiler::validation::DiagnosticData,
    user_file: Option<apollo_compiler::parser::FileId>,
    owned: &[Span],
) -> Option<Diagnostic> {
    let location = error.location()?;
    if Some(location.file_id()) != user_file {
        return None;
    }
    let span = Span::new(location.offset(), location.end_offset());
    if owned
        .iter()
        .any(|o| o.start <= span.start && span.end <= o.end)
    {
        return None;
    }
    let message = error.to_string();
    let help = if message.contains("cannot find directive")
        || message.contains("undefined directive")
    {
        "remove the directive or use one Amplify supports (@model, @auth, @primaryKey, @index, @hasOne, @hasMany, @belongsTo, @manyToMany, @default, @searchable, @function, @http, @mapsTo)"
    } else if message.contains("cannot find type") || message.contains("undefined type") {
        "define the type, or use a GraphQL or AWS AppSync scalar"
    } else {
        "correct the schema so that it is valid GraphQL"
    };
    Some(
        Diagnostic::error(Code::SchemaValidation, message)
            .at(span, "here")
            .with_help(help),
    )
}

/// Every directive application in the document (types, fields, arguments, values).
pub fn all_directives(doc: &Document) -> impl Iterator<Item = &Directive> {
    doc.definitions
        .iter()
        .flat_map(|d| -> Box<dyn Iterator<Item = &Directive>> {
            match d {
                Definition::Object(o) | Definition::Interface(o) => {
                    Box::new(o.directives.iter().chain(o.fields.iter().flat_map(|f| {
                        f.directives
                            .iter()
                            .chain(f.arguments.iter().flat_map(|a| a.directives.iter()))
                    })))
                }
                Definition::Input(i) => Box::new(
                    i.directives
                        .iter()
                        .chain(i.fields.iter().flat_map(|f| f.directives.iter())),
                ),
                Definition::Enum(e) => Box::new(
                    e.directives
                        .iter()
                        .chain(e.values.iter().flat_map(|v| v.directives.iter())),
                ),
                Definition::Union(u) => Box::new(u.directives.iter()),
                Definition::Scalar(s) => Box::new(s.directives.iter()),
                Definition::Other { .. } => Box::new(std::iter::empty()),
            }
        })
}

fn span_of<T>(node: &Node<T>) -> Span {
    node.location()
        .map_or(Span::default(), |l| Span::new(l.offset(), l.end_offset()))
}

fn ident(name: &Name) -> Ident {
    Ident {
        text: name.to_string(),
        span: name
            .location()
            .map_or(Span::default(), |l| Span::new(l.offset(), l.end_offset())),
    }
}

fn description(d: &Option<Node<str>>) -> Option<String> {
    d.as_ref().map(|s| s.to_string())
}

fn lower_document(doc: &gql::Document) -> Document {
    use gql::Definition as D;
    let definitions = doc
        .definitions
        .iter()
        .map(|def| match def {
            D::ObjectTypeDefinition(o) => Definition::Object(ObjectType {
                name: ident(&o.name),
                description: description(&o.description),
                interfaces: o.implements_interfaces.iter().map(ident).collect(),
                directives: lower_directives(&o.directives),
                fields: o.fields.iter().map(lower_field).collect(),
                is_extension: false,
                span: span_of(o),
            }),
            D::ObjectTypeExtension(o) => Definition::Object(ObjectType {
                name: ident(&o.name),
                description: None,
                interfaces: o.implements_interfaces.iter().map(ident).collect(),
                directives: lower_directives(&o.directives),
                fields: o.fields.iter().map(lower_field).collect(),
                is_extension: true,
                span: span_of(o),
            }),
            D::InterfaceTypeDefinition(o) => Definition::Interface(ObjectType {
                name: ident(&o.name),
                description: description(&o.description),
                interfaces: o.implements_interfaces.iter().map(ident).collect(),
                directives: lower_directives(&o.directives),
                fields: o.fields.iter().map(lower_field).collect(),
                is_extension: false,
                span: span_of(o),
            }),
            D::InterfaceTypeExtension(o) => Definition::Interface(ObjectType {
                name: ident(&o.name),
                description: None,
                interfaces: o.implements_interfaces.iter().map(ident).collect(),
                directives: lower_directives(&o.directives),
                fields: o.fields.iter().map(lower_field).collect(),
                is_extension: true,
                span: span_of(o),
            }),
            D::InputObjectTypeDefinition(i) => Definition::Input(InputType {
                name: ident(&i.name),
                description: description(&i.description),
                directives: lower_directives(&i.directives),
                fields: i.fields.iter().map(lower_input_value).collect(),
                is_extension: false,
            }),
            D::InputObjectTypeExtension(i) => Definition::Input(InputType {
                name: ident(&i.name),
                description: None,
                directives: lower_directives(&i.directives),
                fields: i.fields.iter().map(lower_input_value).collect(),
                is_extension: true,
            }),
            D::EnumTypeDefinition(e) => Definition::Enum(EnumType {
                name: ident(&e.name),
                description: description(&e.description),
                directives: lower_directives(&e.directives),
                values: e.values.iter().map(lower_enum_value).collect(),
                is_extension: false,
            }),
            D::EnumTypeExtension(e) => Definition::Enum(EnumType {
                name: ident(&e.name),
                description: None,
                directives: lower_directives(&e.directives),
                values: e.values.iter().map(lower_enum_value).collect(),
                is_extension: true,
            }),
            D::UnionTypeDefinition(u) => Definition::Union(UnionType {
                name: ident(&u.name),
                description: description(&u.description),
                directives: lower_directives(&u.directives),
                members: u.members.iter().map(ident).collect(),
                is_extension: false,
            }),
            D::UnionTypeExtension(u) => Definition::Union(UnionType {
                name: ident(&u.name),
                description: None,
                directives: lower_directives(&u.directives),
                members: u.members.iter().map(ident).collect(),
                is_extension: true,
            }),
            D::ScalarTypeDefinition(s) => Definition::Scalar(ScalarType {
                name: ident(&s.name),
                description: description(&s.description),
                directives: lower_directives(&s.directives),
                is_extension: false,
            }),
            D::ScalarTypeExtension(s) => Definition::Scalar(ScalarType {
                name: ident(&s.name),
                description: None,
                directives: lower_directives(&s.directives),
                is_extension: true,
            }),
            D::SchemaDefinition(s) => Definition::Other {
                kind: "schema definition",
                span: span_of(s),
            },
            D::SchemaExtension(s) => Definition::Other {
                kind: "schema extension",
                span: span_of(s),
            },
            D::DirectiveDefinition(d) => Definition::Other {
                kind: "directive definition",
                span: span_of(d),
            },
            D::OperationDefinition(o) => Definition::Other {
                kind: "operation",
                span: span_of(o),
            },
            D::FragmentDefinition(f) => Definition::Other {
                kind: "fragment",
                span: span_of(f),
            },
        })
        .collect();
    Document { definitions }
}

fn lower_field(f: &Node<gql::FieldDefinition>) -> FieldDef {
    FieldDef {
        name: ident(&f.name),
        description: description(&f.description),
        arguments: f.arguments.iter().map(lower_input_value).collect(),
        ty: lower_type(&f.ty),
        directives: lower_directives(&f.directives),
    }
}

fn lower_input_value(v: &Node<gql::InputValueDefinition>) -> InputValue {
    InputValue {
        name: ident(&v.name),
        description: description(&v.description),
        ty: lower_type(&v.ty),
        default: v.default_value.as_ref().map(lower_value),
        directives: lower_directives(&v.directives),
    }
}

fn lower_enum_value(v: &Node<gql::EnumValueDefinition>) -> EnumValue {
    EnumValue {
        name: ident(&v.value),
        description: description(&v.description),
        directives: lower_directives(&v.directives),
    }
}

fn lower_type(t: &gql::Type) -> TypeRef {
    match t {
        gql::Type::Named(n) => TypeRef::Named(n.to_string()),
        gql::Type::NonNullNamed(n) => TypeRef::NonNull(Box::new(TypeRef::Named(n.to_string()))),
        gql::Type::List(inner) => TypeRef::List(Box::new(lower_type(inner))),
        gql::Type::NonNullList(inner) => {
            TypeRef::NonNull(Box::new(TypeRef::List(Box::new(lower_type(inner)))))
        }
    }
}

fn lower_directives(list: &gql::DirectiveList) -> Vec<Directive> {
    list.iter()
        .map(|d| Directive {
            name: ident(&d.name),
            arguments: d
                .arguments
                .iter()
                .map(|a| Argument {
                    name: ident(&a.name),
                    value: lower_value(&a.value),
                })
                .collect(),
            span: span_of(d),
        })
        .collect()
}

fn lower_value(v: &Node<gql::Value>) -> Value {
    let kind = match &**v {
        gql::Value::Null => ValueKind::Null,
        gql::Value::Enum(n) => ValueKind::Enum(n.to_string()),
        gql::Value::Variable(n) => ValueKind::Variable(n.to_string()),
        gql::Value::String(s) => ValueKind::String(s.clone()),
        gql::Value::Float(f) => ValueKind::Float(f.as_str().to_string()),
        gql::Value::Int(i) => ValueKind::Int(i.as_str().to_string()),
        gql::Value::Boolean(b) => ValueKind::Boolean(*b),
        gql::Value::List(items) => ValueKind::List(items.iter().map(lower_value).collect()),
        gql::Value::Object(fields) => ValueKind::Object(
            fields
                .iter()
                .map(|(k, v)| (ident(k), lower_value(v)))
                .collect(),
        ),
    };
    Value {
        kind,
        span: span_of(v),
    }
}
