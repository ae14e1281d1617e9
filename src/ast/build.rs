//! Constructors for generated syntax: nodes the compiler adds have no source span.

use super::*;
use crate::source::Span;

pub fn ident(text: &str) -> Ident {
    Ident {
        text: text.to_string(),
        span: Span::default(),
    }
}

pub fn named(name: &str) -> TypeRef {
    TypeRef::Named(name.to_string())
}

pub fn non_null(name: &str) -> TypeRef {
    TypeRef::NonNull(Box::new(named(name)))
}

pub fn strip_non_null(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::NonNull(inner) => *inner,
        t => t,
    }
}

pub fn directive(name: &str, arguments: Vec<Argument>) -> Directive {
    Directive {
        name: ident(name),
        arguments,
        span: Span::default(),
    }
}

pub fn list_of_strings(items: &[String]) -> Value {
    Value {
        kind: ValueKind::List(
            items
                .iter()
                .map(|s| Value {
                    kind: ValueKind::String(s.clone()),
                    span: Span::default(),
                })
                .collect(),
        ),
        span: Span::default(),
    }
}

pub fn field_def(name: &str, ty: TypeRef, arguments: Vec<InputValue>) -> FieldDef {
    FieldDef {
        name: ident(name),
        description: None,
        arguments,
        ty,
        directives: Vec::new(),
    }
}

pub fn field_with_args(name: &str, arguments: Vec<InputValue>, ty: TypeRef) -> FieldDef {
    field_def(name, ty, arguments)
}

pub fn get_field(name: &str, model: &str) -> FieldDef {
    field_with_args(name, vec![input_value("id", non_null("ID"))], named(model))
}

pub fn input_value(name: &str, ty: TypeRef) -> InputValue {
    InputValue {
        name: ident(name),
        description: None,
        ty,
        default: None,
        directives: Vec::new(),
    }
}

pub fn object(name: &str, fields: Vec<FieldDef>) -> ObjectType {
    ObjectType {
        name: ident(name),
        description: None,
        interfaces: Vec::new(),
        directives: Vec::new(),
        fields,
        is_extension: false,
        span: Span::default(),
    }
}

pub fn input(name: &str, fields: Vec<InputValue>) -> InputType {
    InputType {
        name: ident(name),
        description: None,
        directives: Vec::new(),
        fields,
        is_extension: false,
    }
}

pub fn enumeration(name: &str, values: &[&str]) -> Definition {
    Definition::Enum(EnumType {
        name: ident(name),
        description: None,
        directives: Vec::new(),
        values: values
            .iter()
            .map(|v| EnumValue {
                name: ident(v),
                description: None,
                directives: Vec::new(),
            })
            .collect(),
        is_extension: false,
    })
}

/// `post` → `Post`: generated names join words in camel case.
pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// `Post` → `post`.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_lowercase().collect::<String>() + c.as_str()
    })
}

/// graphql-transformer-common's `toPascalCase`: each word with its first letter upper-cased.
pub fn pascal_case(words: &[&str]) -> String {
    words.iter().map(|w| upper_first(w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_case_upper_cases_each_word() {
        assert_eq!(
            pascal_case(&["Query", "getPost", "DataResolverFn"]),
            "QueryGetPostDataResolverFn"
        );
    }
}
