//! Lowering of the parser's syntax tree to our own `ast`.

use apollo_compiler::ast as gql;
use apollo_compiler::{Name, Node};

use crate::ast::*;
use crate::source::Span;

/// Lowers a parsed document; `text` is the source it was parsed from (to tell block-string
/// descriptions from plain ones, which print differently).
pub fn document(doc: &gql::Document, text: &str) -> Document {
    let l = Lower { text };
    Document {
        definitions: doc.definitions.iter().map(|d| l.definition(d)).collect(),
    }
}

struct Lower<'a> {
    text: &'a str,
}

fn span_of<T: ?Sized>(node: &Node<T>) -> Span {
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

impl Lower<'_> {
    fn description(&self, d: &Option<Node<str>>) -> Option<Description> {
        d.as_ref().map(|s| Description {
            text: s.to_string(),
            block: self
                .text
                .get(span_of(s).start..)
                .is_some_and(|t| t.starts_with("\"\"\"")),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn object(
        &self,
        name: &Name,
        description: Option<Description>,
        interfaces: &[Name],
        directives: &gql::DirectiveList,
        fields: &[Node<gql::FieldDefinition>],
        is_extension: bool,
        span: Span,
    ) -> ObjectType {
        ObjectType {
            name: ident(name),
            description,
            interfaces: interfaces.iter().map(ident).collect(),
            directives: directives_of(directives),
            fields: fields.iter().map(|f| self.field(f)).collect(),
            is_extension,
            span,
        }
    }

    fn input(
        &self,
        name: &Name,
        description: Option<Description>,
        directives: &gql::DirectiveList,
        fields: &[Node<gql::InputValueDefinition>],
        is_extension: bool,
    ) -> InputType {
        InputType {
            name: ident(name),
            description,
            directives: directives_of(directives),
            fields: fields.iter().map(|f| self.input_value(f)).collect(),
            is_extension,
        }
    }

    fn enumeration(
        &self,
        name: &Name,
        description: Option<Description>,
        directives: &gql::DirectiveList,
        values: &[Node<gql::EnumValueDefinition>],
        is_extension: bool,
    ) -> EnumType {
        EnumType {
            name: ident(name),
            description,
            directives: directives_of(directives),
            values: values
                .iter()
                .map(|v| EnumValue {
                    name: ident(&v.value),
                    description: self.description(&v.description),
                    directives: directives_of(&v.directives),
                })
                .collect(),
            is_extension,
        }
    }

    fn definition(&self, def: &gql::Definition) -> Definition {
        use gql::Definition as D;
        let other = |kind, span| Definition::Other { kind, span };
        // The parser has a type per kind of object definition and extension, of one shape.
        macro_rules! object {
            ($o:expr, $description:expr, $is_extension:expr) => {
                self.object(
                    &$o.name,
                    $description,
                    &$o.implements_interfaces,
                    &$o.directives,
                    &$o.fields,
                    $is_extension,
                    span_of($o),
                )
            };
        }
        match def {
            D::ObjectTypeDefinition(o) => {
                Definition::Object(object!(o, self.description(&o.description), false))
            }
            D::ObjectTypeExtension(o) => Definition::Object(object!(o, None, true)),
            D::InterfaceTypeDefinition(o) => {
                Definition::Interface(object!(o, self.description(&o.description), false))
            }
            D::InterfaceTypeExtension(o) => Definition::Interface(object!(o, None, true)),
            D::InputObjectTypeDefinition(i) => Definition::Input(self.input(
                &i.name,
                self.description(&i.description),
                &i.directives,
                &i.fields,
                false,
            )),
            D::InputObjectTypeExtension(i) => {
                Definition::Input(self.input(&i.name, None, &i.directives, &i.fields, true))
            }
            D::EnumTypeDefinition(e) => Definition::Enum(self.enumeration(
                &e.name,
                self.description(&e.description),
                &e.directives,
                &e.values,
                false,
            )),
            D::EnumTypeExtension(e) => {
                Definition::Enum(self.enumeration(&e.name, None, &e.directives, &e.values, true))
            }
            D::UnionTypeDefinition(u) => Definition::Union(UnionType {
                name: ident(&u.name),
                description: self.description(&u.description),
                directives: directives_of(&u.directives),
                members: u.members.iter().map(ident).collect(),
                is_extension: false,
            }),
            D::UnionTypeExtension(u) => Definition::Union(UnionType {
                name: ident(&u.name),
                description: None,
                directives: directives_of(&u.directives),
                members: u.members.iter().map(ident).collect(),
                is_extension: true,
            }),
            D::ScalarTypeDefinition(s) => Definition::Scalar(ScalarType {
                name: ident(&s.name),
                description: self.description(&s.description),
                directives: directives_of(&s.directives),
                is_extension: false,
            }),
            D::ScalarTypeExtension(s) => Definition::Scalar(ScalarType {
                name: ident(&s.name),
                description: None,
                directives: directives_of(&s.directives),
                is_extension: true,
            }),
            D::SchemaDefinition(s) => other("schema definition", span_of(s)),
            D::SchemaExtension(s) => other("schema extension", span_of(s)),
            D::DirectiveDefinition(d) => other("directive definition", span_of(d)),
            D::OperationDefinition(o) => other("operation", span_of(o)),
            D::FragmentDefinition(f) => other("fragment", span_of(f)),
        }
    }

    fn field(&self, f: &Node<gql::FieldDefinition>) -> FieldDef {
        FieldDef {
            name: ident(&f.name),
            description: self.description(&f.description),
            arguments: f.arguments.iter().map(|a| self.input_value(a)).collect(),
            ty: type_ref(&f.ty),
            directives: directives_of(&f.directives),
        }
    }

    fn input_value(&self, v: &Node<gql::InputValueDefinition>) -> InputValue {
        InputValue {
            name: ident(&v.name),
            description: self.description(&v.description),
            ty: type_ref(&v.ty),
            default: v.default_value.as_ref().map(value),
            directives: directives_of(&v.directives),
        }
    }
}

fn type_ref(t: &gql::Type) -> TypeRef {
    match t {
        gql::Type::Named(n) => TypeRef::Named(n.to_string()),
        gql::Type::NonNullNamed(n) => TypeRef::NonNull(Box::new(TypeRef::Named(n.to_string()))),
        gql::Type::List(inner) => TypeRef::List(Box::new(type_ref(inner))),
        gql::Type::NonNullList(inner) => {
            TypeRef::NonNull(Box::new(TypeRef::List(Box::new(type_ref(inner)))))
        }
    }
}

fn directives_of(list: &gql::DirectiveList) -> Vec<Directive> {
    list.iter()
        .map(|d| Directive {
            name: ident(&d.name),
            arguments: d
                .arguments
                .iter()
                .map(|a| Argument {
                    name: ident(&a.name),
                    value: value(&a.value),
                })
                .collect(),
            span: span_of(d),
        })
        .collect()
}

fn value(v: &Node<gql::Value>) -> Value {
    let kind = match &**v {
        gql::Value::Null => ValueKind::Null,
        gql::Value::Enum(n) => ValueKind::Enum(n.to_string()),
        gql::Value::Variable(n) => ValueKind::Variable(n.to_string()),
        gql::Value::String(s) => ValueKind::String(s.clone()),
        gql::Value::Float(f) => ValueKind::Float(f.as_str().to_string()),
        gql::Value::Int(i) => ValueKind::Int(i.as_str().to_string()),
        gql::Value::Boolean(b) => ValueKind::Boolean(*b),
        gql::Value::List(items) => ValueKind::List(items.iter().map(value).collect()),
        gql::Value::Object(fields) => {
            ValueKind::Object(fields.iter().map(|(k, v)| (ident(k), value(v))).collect())
        }
    };
    Value {
        kind,
        span: span_of(v),
    }
}
