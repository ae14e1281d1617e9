//! `@manyToMany(relationName: "R")`: two fields that name the same relation are replaced by a
//! generated join model `R`, as the reference does. The join model holds the keys of both
//! sides, an index per side and a `@belongsTo` to each; each side's field becomes a
//! `@hasMany` to the join model through that index. The join model carries the type-level
//! rules of both sides. The rewrite is done on the syntax tree, before lowering, so every
//! later stage sees an ordinary model.

use crate::ast::build::*;
use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::operations::plural;
use crate::source::Span;

/// One `@manyToMany` field.
struct Side {
    def: usize,
    field: usize,
    model: String,
    related: String,
    /// The join model's name: `relationName` with a capital first letter and without the
    /// characters a GraphQL name cannot have (the reference's `graphqlName(toUpper(...))`).
    relation: String,
    /// `relationName` as written, and the span of its value.
    written: String,
    value_span: Span,
    field_span: Span,
}

/// The join model name the reference derives from a `relationName`.
fn relation_type_name(written: &str) -> String {
    let upper = upper_first(written);
    upper
        .trim_start_matches(|c: char| !(c == '_' || c.is_ascii_alphabetic()))
        .chars()
        .filter(|c| *c == '_' || c.is_ascii_alphanumeric())
        .collect()
}

fn is_model_type(doc: &Document, name: &str) -> bool {
    doc.definitions.iter().any(|d| {
        matches!(d, Definition::Object(o)
            if !o.is_extension && o.name.text == name && o.directives.iter().any(|d| d.name.text == "model"))
    })
}

/// Rewrites the document; returns the names of the join models it added.
pub fn expand(
    doc: &mut Document,
    respect_primary_keys: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let (sides, refused) = collect(doc, diags);
    let mut relations: Vec<(String, Vec<&Side>)> = Vec::new();
    for side in &sides {
        match relations.iter_mut().find(|(r, _)| *r == side.relation) {
            Some((_, v)) => v.push(side),
            None => relations.push((side.relation.clone(), vec![side])),
        }
    }
    let mut joins = Vec::new();
    for (relation, pair) in relations {
        // A side whose field type is not a @model is reported by the relation checks.
        if refused.contains(&relation) || pair.iter().any(|s| !is_model_type(doc, &s.related)) {
            continue;
        }
        let [a, b] = pair.as_slice() else {
            let named = |s: &Side| format!("{}.{}", s.model, doc_field_name(doc, s));
            let mut d = Diagnostic::error(
                Code::ManyToManyInvalid,
                format!(
                    "@manyToMany relation \"{}\" must be used by exactly two fields, found {}",
                    pair[0].written,
                    pair.len()
                ),
            );
            d = if let [only] = pair.as_slice() {
                d.at(
                    only.value_span,
                    format!("only {} names this relation", named(only)),
                )
                .with_help(format!(
                    "add a field `{}: [{}] @manyToMany(relationName: \"{}\")` to `{}`",
                    lower_first(&plural(&only.model)),
                    only.model,
                    only.written,
                    only.related
                ))
            } else {
                let mut d = d
                    .at(pair[2].value_span, format!("{} is one use too many", named(pair[2])))
                    .with_help("name the relation on one field of each of the two related models; give other pairs their own relationName");
                for s in &pair[..2] {
                    d = d.with_note(s.value_span, format!("also named by {}", named(s)));
                }
                d
            };
            diags.push(d);
            continue;
        };
        if a.model == b.model && a.related != a.model {
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!(
                        "@manyToMany relation \"{}\" is named twice on `{}`; its other side belongs on `{}`",
                        a.written, a.model, a.related
                    ),
                )
                .at(b.value_span, format!("second use on `{}`", b.model))
                .with_note(a.value_span, "first use")
                .with_help(format!(
                    "name the relation once on `{}` and once on a list field of `{}`, such as `{}: [{}] @manyToMany(relationName: \"{}\")`",
                    a.model,
                    a.related,
                    lower_first(&plural(&a.model)),
                    a.model,
                    a.written
                )),
            );
            continue;
        }
        if a.related != b.model || b.related != a.model {
            let (wrong, other) = if b.related != a.model { (b, a) } else { (a, b) };
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!(
                        "@manyToMany relation \"{}\" connects `{}` and `{}`, but `{}.{}` is a list of `{}`",
                        a.written,
                        a.model,
                        b.model,
                        wrong.model,
                        doc_field_name(doc, wrong),
                        wrong.related
                    ),
                )
                .at(wrong.field_span, format!("should be a list of `{}`", other.model))
                .with_note(
                    other.field_span,
                    format!("{}.{} is the other side", other.model, doc_field_name(doc, other)),
                )
                .with_help(format!(
                    "declare it as `{}: [{}]`, or give the two relations different names",
                    doc_field_name(doc, wrong),
                    other.model
                )),
            );
            continue;
        }
        if a.model == b.model {
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!(
                        "@manyToMany relation \"{}\" connects `{}` with itself",
                        a.written, a.model
                    ),
                )
                .at(b.value_span, "both sides are the same model")
                .with_note(a.value_span, "first side")
                .with_help(format!(
                    "the join model would have two indexes named by{0}: declare a join model of your own with two @belongsTo fields to `{0}`",
                    a.model
                )),
            );
            continue;
        }
        if doc
            .definitions
            .iter()
            .any(|d| d.name() == relation && !d.is_extension())
        {
            let derived = if relation == a.written {
                String::new()
            } else {
                format!(" (the join model of \"{}\")", a.written)
            };
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!("@manyToMany relation \"{}\" needs a type `{relation}`{derived}, which already exists", a.written),
                )
                .at(a.value_span, format!("would define type `{relation}`"))
                .with_help("choose a relationName that is not the name of another type"),
            );
            continue;
        }
        let keys_a = keys_of(doc, a.def, &a.model, respect_primary_keys);
        let keys_b = keys_of(doc, b.def, &b.model, respect_primary_keys);
        let join = join_type(&relation, a, b, &keys_a, &keys_b, doc);
        rewrite_side(doc, a, &relation, &keys_a);
        rewrite_side(doc, b, &relation, &keys_b);
        doc.definitions.push(Definition::Object(join));
        joins.push(relation);
    }
    joins
}

fn doc_field_name(doc: &Document, side: &Side) -> String {
    match &doc.definitions[side.def] {
        Definition::Object(o) => o.fields[side.field].name.text.clone(),
        _ => String::new(),
    }
}

/// The `@manyToMany` fields of @model types, and the relations of which a field was refused
/// (its other side is then left alone).
fn collect(doc: &Document, diags: &mut Vec<Diagnostic>) -> (Vec<Side>, Vec<String>) {
    let mut out = Vec::new();
    let mut refused = Vec::new();
    for (def, d) in doc.definitions.iter().enumerate() {
        let Definition::Object(o) = d else { continue };
        if o.is_extension || !o.directives.iter().any(|d| d.name.text == "model") {
            continue;
        }
        for (field, f) in o.fields.iter().enumerate() {
            let Some(dir) = f.directives.iter().find(|d| d.name.text == "manyToMany") else {
                continue;
            };
            // Without `relationName` (or with another value than a string), SDL validation
            // has reported the argument.
            let Some((ValueKind::String(written), value_span)) = dir
                .argument("relationName")
                .map(|a| (&a.value.kind, a.value.span))
            else {
                continue;
            };
            let (written, value_span) = (written.clone(), value_span);
            let relation = relation_type_name(&written);
            if relation.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::ManyToManyInvalid,
                        if written.is_empty() {
                            "@manyToMany needs a relationName".to_string()
                        } else {
                            format!("@manyToMany relationName \"{written}\" gives no type name")
                        },
                    )
                    .at(value_span, "no relationName")
                    .with_help(
                        "write @manyToMany(relationName: \"PostTags\"): the name of the join model",
                    ),
                );
                continue;
            }
            if !f.ty.is_list() {
                refused.push(relation.clone());
                diags.push(
                    Diagnostic::error(
                        Code::ManyToManyInvalid,
                        format!(
                            "@manyToMany field `{}.{}` must be a list",
                            o.name.text, f.name.text
                        ),
                    )
                    .at(f.name.span, "not a list")
                    .with_help(format!(
                        "declare it as `{}: [{}]`",
                        f.name.text,
                        f.ty.base()
                    )),
                );
                continue;
            }
            out.push(Side {
                def,
                field,
                model: o.name.text.clone(),
                related: f.ty.base().to_string(),
                relation,
                written,
                value_span,
                field_span: f.name.span,
            });
        }
    }
    (out, refused)
}

/// A key field of one side: its name in that model, its name in the join model, its type.
struct JoinKey {
    field: String,
    join_field: String,
    ty: String,
}

/// The key fields of a model (`@primaryKey` field and its sort keys, else `id`) as the join
/// model holds them.
fn keys_of(doc: &Document, def: usize, model: &str, respect: bool) -> Vec<JoinKey> {
    let Definition::Object(o) = &doc.definitions[def] else {
        return Vec::new();
    };
    let mut key: Vec<String> = vec!["id".into()];
    for f in &o.fields {
        if let Some(pk) = f.directives.iter().find(|d| d.name.text == "primaryKey") {
            key = vec![f.name.text.clone()];
            if let Some(arg) = pk.argument("sortKeyFields") {
                key.extend(arg.value.strings());
            }
        }
    }
    // The partition key's field is `<model><Key>` (`<model>ID` without
    // respectPrimaryKeyAttributesOnConnectionField); sort key fields are `<model><key>`, the
    // key's name as written (`courseterm`).
    let prefix = lower_first(model);
    key.iter()
        .enumerate()
        .map(|(i, k)| JoinKey {
            join_field: match i {
                0 if respect => format!("{prefix}{}", upper_first(k)),
                0 => format!("{prefix}ID"),
                _ => format!("{prefix}{k}"),
            },
            ty: o
                .fields
                .iter()
                .find(|f| f.name.text == *k)
                .map_or("ID".to_string(), |f| f.ty.base().to_string()),
            field: k.clone(),
        })
        .collect()
}

fn join_type(
    relation: &str,
    a: &Side,
    b: &Side,
    keys_a: &[JoinKey],
    keys_b: &[JoinKey],
    doc: &Document,
) -> ObjectType {
    let mut fields = vec![field_def("id", non_null("ID"), Vec::new())];
    for (side, keys) in [(a, keys_a), (b, keys_b)] {
        for (i, key) in keys.iter().enumerate() {
            let mut f = field_def(&key.join_field, non_null(&key.ty), Vec::new());
            if i == 0 {
                let sort: Vec<String> = keys[1..].iter().map(|k| k.join_field.clone()).collect();
                let mut args = vec![string_argument("name", &format!("by{}", side.model))];
                if !sort.is_empty() {
                    args.push(Argument {
                        name: ident("sortKeyFields"),
                        value: list_of_strings(&sort),
                    });
                }
                f.directives.push(directive("index", args));
            }
            fields.push(f);
        }
    }
    for (side, keys) in [(a, keys_a), (b, keys_b)] {
        let names: Vec<String> = keys.iter().map(|k| k.join_field.clone()).collect();
        let mut f = field_def(&lower_first(&side.model), non_null(&side.model), Vec::new());
        f.directives.push(directive(
            "belongsTo",
            vec![Argument {
                name: ident("fields"),
                value: list_of_strings(&names),
            }],
        ));
        fields.push(f);
    }
    let mut join = object(relation, fields);
    join.directives.push(directive("model", Vec::new()));
    // The rules of both sides, in order; the join model's roles may repeat (last one wins).
    let rules: Vec<Value> = [a.def, b.def]
        .iter()
        .filter_map(|d| match &doc.definitions[*d] {
            Definition::Object(o) => o.directives.iter().find(|d| d.name.text == "auth"),
            _ => None,
        })
        .filter_map(|d| match d.argument("rules").map(|r| &r.value.kind) {
            Some(ValueKind::List(items)) => Some(items.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if !rules.is_empty() {
        join.directives.push(directive(
            "auth",
            vec![Argument {
                name: ident("rules"),
                value: Value {
                    kind: ValueKind::List(rules),
                    span: Span::default(),
                },
            }],
        ));
    }
    join
}

/// The `@manyToMany` field becomes a `@hasMany` to the join model through this side's index.
fn rewrite_side(doc: &mut Document, side: &Side, relation: &str, keys: &[JoinKey]) {
    let Definition::Object(o) = &mut doc.definitions[side.def] else {
        return;
    };
    let model_keys: Vec<String> = keys.iter().map(|k| k.field.clone()).collect();
    let f = &mut o.fields[side.field];
    f.ty = wrap_like(&f.ty, relation);
    for d in &mut f.directives {
        if d.name.text == "manyToMany" {
            let span = d.span;
            // The page size the side asks for is kept.
            let limit = d.argument("limit").cloned();
            let mut arguments = vec![
                string_argument("indexName", &format!("by{}", side.model)),
                Argument {
                    name: ident("fields"),
                    value: list_of_strings(&model_keys),
                },
            ];
            arguments.extend(limit);
            *d = directive("hasMany", arguments);
            d.span = span;
        }
    }
}

/// `[Tag]!` → `[R]!`: the same wrappers around another named type.
fn wrap_like(ty: &TypeRef, name: &str) -> TypeRef {
    match ty {
        TypeRef::Named(_) => named(name),
        TypeRef::List(t) => TypeRef::List(Box::new(wrap_like(t, name))),
        TypeRef::NonNull(t) => TypeRef::NonNull(Box::new(wrap_like(t, name))),
    }
}

fn string_argument(name: &str, value: &str) -> Argument {
    Argument {
        name: ident(name),
        value: Value {
            kind: ValueKind::String(value.to_string()),
            span: Span::default(),
        },
    }
}
