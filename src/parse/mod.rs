//! The only module that sees the parser crate (`apollo-compiler`). It parses the schema text
//! with error recovery, lowers the result to our own `ast`, and runs GraphQL SDL validation
//! against the definitions of the directives Amplify accepts.

use apollo_compiler::ast as gql;
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::{Name, Node, Schema};

use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceMap, Span};

mod lower;

const AMPLIFY_DEFINITIONS: &str = include_str!("../../templates/amplify-directives.graphql");

/// Directives whose arguments later passes check themselves, with better messages than
/// generic SDL validation can give; SDL errors located inside them are dropped.
const SELF_CHECKED: &[&str] = &["auth", "connection", "key", "versioned"];

/// Checks of apollo-compiler that graphql-js's SDL validation, which the reference runs, does
/// not make: the reference accepts such schemas (an input type as a field type, a type without
/// fields, a union of scalars, an object that does not implement its interface's fields, …),
/// so we must too.
const NOT_CHECKED_BY_REFERENCE: &[&str] = &[
    "MissingInterfaceField",
    "TransitiveImplementedInterfaces",
    "InvalidImplementationFieldType",
    "MissingInterfaceFieldArgument",
    "InvalidImplementationFieldArgumentType",
    "ExtraRequiredImplementationFieldArgument",
    "OutputType",
    "InputType",
    "QueryRootOperationType",
    "RootOperationObjectType",
    "UnionMemberObjectType",
    "EmptyFieldSet",
    "EmptyValueSet",
    "EmptyMemberSet",
    "EmptyInputValueSet",
    "ReservedName",
    "RecursiveInterfaceDefinition",
    "RecursiveInputObjectDefinition",
    "RecursiveDirectiveDefinition",
];

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
    let document = lower::document(&gql_doc, &sources.text);
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
    if out.is_empty() {
        out.extend(user_defined_directives(document));
    }
    out
}

/// The names of the directives Amplify defines (`directive @name` lines of the template).
pub(crate) fn amplify_directive_names() -> impl Iterator<Item = &'static str> {
    AMPLIFY_DEFINITIONS.lines().filter_map(|line| {
        let rest = line.strip_prefix("directive @")?;
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    })
}

/// A schema may define its own directives, which passes GraphQL validation, but the reference
/// refuses to compile any directive that none of its transformers handles.
fn user_defined_directives(document: &Document) -> Vec<Diagnostic> {
    let known: Vec<&str> = amplify_directive_names().collect();
    // v1 directives get their own diagnostic with the migration advice (E0003).
    let v1 = ["connection", "key", "versioned"];
    all_directives(document)
        .filter(|d| !known.contains(&d.name.as_str()) && !v1.contains(&d.name.as_str()))
        .map(|d| {
            Diagnostic::error(
                Code::SchemaValidation,
                format!("unknown directive `@{}`: Amplify has no transformer for it", d.name.text),
            )
            .at(d.span, "not handled by Amplify")
            .with_help("remove the directive; Amplify compiles only its own directives, AppSync's @aws_* directives and @deprecated")
        })
        .collect()
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
    if error
        .unstable_error_name()
        .is_some_and(|n| NOT_CHECKED_BY_REFERENCE.contains(&n))
    {
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
    } else if message.contains("is not supported for") {
        "this directive cannot be used at this kind of definition; remove it or move it to where it applies"
    } else if message.contains("defined multiple times") {
        "rename or remove one of the definitions (the names of Amplify's own directives and inputs, such as AuthRule, are taken)"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let parsed = parse(&SourceMap::from_text("s.graphql", text));
        parsed
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn accepts_what_graphql_js_sdl_validation_accepts() {
        // An input type as a field type, a type without fields, a union of scalars and an
        // incomplete interface implementation pass the reference's validation.
        let text = "input I { a: String }\ntype Empty\nunion U = String\ninterface N { id: ID! }\ntype T implements N { i: I }\n";
        assert_eq!(errors(text), Vec::<String>::new());
    }

    #[test]
    fn refuses_directives_amplify_does_not_handle() {
        let text = "directive @upper on FIELD_DEFINITION\ntype T { a: String @upper }\n";
        let errs = errors(text);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("@upper"), "{errs:?}");
    }
}
