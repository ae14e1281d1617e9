//! Our own syntax tree of the input schema. Every name and value carries the `Span` of its
//! token so later passes can point at exactly what is wrong. Only `parse` builds it.

use crate::source::Span;

pub mod build;

/// A name and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

impl Ident {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A description; `block` when written as a `"""block string"""` (it prints differently).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    pub text: String,
    pub block: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    pub definitions: Vec<Definition>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Definition {
    Object(ObjectType),
    Interface(ObjectType),
    Input(InputType),
    Enum(EnumType),
    Union(UnionType),
    Scalar(ScalarType),
    /// A definition we keep for validation but never interpret (schema, directive definitions).
    Other {
        kind: &'static str,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectType {
    pub name: Ident,
    pub description: Option<Description>,
    pub interfaces: Vec<Ident>,
    pub directives: Vec<Directive>,
    pub fields: Vec<FieldDef>,
    /// `extend type X { ... }`.
    pub is_extension: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: Ident,
    pub description: Option<Description>,
    pub arguments: Vec<InputValue>,
    pub ty: TypeRef,
    pub directives: Vec<Directive>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputValue {
    pub name: Ident,
    pub description: Option<Description>,
    pub ty: TypeRef,
    pub default: Option<Value>,
    pub directives: Vec<Directive>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InputType {
    pub name: Ident,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub fields: Vec<InputValue>,
    pub is_extension: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumType {
    pub name: Ident,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub values: Vec<EnumValue>,
    pub is_extension: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    pub name: Ident,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionType {
    pub name: Ident,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub members: Vec<Ident>,
    pub is_extension: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScalarType {
    pub name: Ident,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub is_extension: bool,
}

/// A type reference such as `[String!]!`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    /// The innermost named type.
    pub fn base(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(t) | TypeRef::NonNull(t) => t.base(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeRef::NonNull(_))
    }

    pub fn is_list(&self) -> bool {
        match self {
            TypeRef::List(_) => true,
            TypeRef::NonNull(t) => t.is_list(),
            TypeRef::Named(_) => false,
        }
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::Named(n) => f.write_str(n),
            TypeRef::List(t) => write!(f, "[{t}]"),
            TypeRef::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: Ident,
    pub arguments: Vec<Argument>,
    /// From `@` to the closing parenthesis.
    pub span: Span,
}

impl Directive {
    pub fn argument(&self, name: &str) -> Option<&Argument> {
        self.arguments.iter().find(|a| a.name.text == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub name: Ident,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Null,
    Enum(String),
    Variable(String),
    String(String),
    /// Int and Float keep their source text.
    Int(String),
    Float(String),
    Boolean(bool),
    List(Vec<Value>),
    Object(Vec<(Ident, Value)>),
}

impl Value {
    /// A string, or the strings of a list (GraphQL coerces a single value to a list);
    /// anything else gives nothing.
    pub fn strings(&self) -> Vec<String> {
        match &self.kind {
            ValueKind::String(s) => vec![s.clone()],
            ValueKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    ValueKind::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What kind of value this is, for messages ("a string", "a list").
    pub fn describe(&self) -> &'static str {
        match self.kind {
            ValueKind::Null => "null",
            ValueKind::Enum(_) => "an enum value",
            ValueKind::Variable(_) => "a variable",
            ValueKind::String(_) => "a string",
            ValueKind::Int(_) => "an integer",
            ValueKind::Float(_) => "a number",
            ValueKind::Boolean(_) => "a boolean",
            ValueKind::List(_) => "a list",
            ValueKind::Object(_) => "an object",
        }
    }
}

impl Definition {
    /// The defined name (the kind, for definitions without one).
    pub fn name(&self) -> &str {
        match self {
            Definition::Object(o) | Definition::Interface(o) => &o.name.text,
            Definition::Input(i) => &i.name.text,
            Definition::Enum(e) => &e.name.text,
            Definition::Union(u) => &u.name.text,
            Definition::Scalar(s) => &s.name.text,
            Definition::Other { kind, .. } => kind,
        }
    }

    /// Whether this is an `extend ...` of a definition.
    pub fn is_extension(&self) -> bool {
        match self {
            Definition::Object(o) | Definition::Interface(o) => o.is_extension,
            Definition::Input(i) => i.is_extension,
            Definition::Enum(e) => e.is_extension,
            Definition::Union(u) => u.is_extension,
            Definition::Scalar(s) => s.is_extension,
            Definition::Other { .. } => false,
        }
    }

    /// The directives of the definition, then those of its fields, input fields or values.
    pub fn directives_within(&self) -> Vec<&Directive> {
        let mut out: Vec<&Directive> = Vec::new();
        match self {
            Definition::Object(o) | Definition::Interface(o) => {
                out.extend(&o.directives);
                out.extend(o.fields.iter().flat_map(|f| &f.directives));
            }
            Definition::Input(i) => {
                out.extend(&i.directives);
                out.extend(i.fields.iter().flat_map(|f| &f.directives));
            }
            Definition::Enum(e) => {
                out.extend(&e.directives);
                out.extend(e.values.iter().flat_map(|v| &v.directives));
            }
            Definition::Union(u) => out.extend(&u.directives),
            Definition::Scalar(s) => out.extend(&s.directives),
            Definition::Other { .. } => {}
        }
        out
    }

    /// Turns an extension into a definition (for an extension with nothing to extend).
    pub fn clear_extension(&mut self) {
        match self {
            Definition::Object(o) | Definition::Interface(o) => o.is_extension = false,
            Definition::Input(i) => i.is_extension = false,
            Definition::Enum(e) => e.is_extension = false,
            Definition::Union(u) => u.is_extension = false,
            Definition::Scalar(s) => s.is_extension = false,
            Definition::Other { .. } => {}
        }
    }
}

impl Document {
    pub fn objects(&self) -> impl Iterator<Item = &ObjectType> {
        self.definitions.iter().filter_map(|d| match d {
            Definition::Object(o) => Some(o),
            _ => None,
        })
    }
}
