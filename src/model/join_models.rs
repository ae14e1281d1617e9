//! `@manyToMany(relationName: "R")`: two fields that name the same relation are replaced by a
//! generated join model `R`, as the reference does. The join model holds the keys of both
//! sides, an index per side and a `@belongsTo` to each; each side's field becomes a
//! `@hasMany` to the join model through that index. The join model carries the type-level
//! rules of both sides. The rewrite is done on the syntax tree, before lowering, so every
//! later stage sees an ordinary model.

use crate::ast::build::*;
use crate::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// One `@manyToMany` field.
struct Side {
    def: usize,
    field: usize,
    model: String,
    related: String,
    relation: String,
    span: Span,
}

/// Rewrites the document; returns the names of the join models it added.
pub fn expand(
    doc: &mut Document,
    respect_primary_keys: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let sides = collect(doc, diags);
    let mut relations: Vec<(String, Vec<&Side>)> = Vec::new();
    for side in &sides {
        match relations.iter_mut().find(|(r, _)| *r == side.relation) {
            Some((_, v)) => v.push(side),
            None => relations.push((side.relation.clone(), vec![side])),
        }
    }
    let mut joins = Vec::new();
    for (relation, pair) in relations {
        let [a, b] = pair.as_slice() else {
            let first = pair[0];
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!(
                        "@manyToMany relation \"{relation}\" must be used by exactly two fields, found {}",
                        pair.len()
                    ),
                )
                .at(first.span, "relation named here")
                .with_help("name the relation on one field of each of the two related models"),
            );
            continue;
        };
        if a.related != b.model || b.related != a.model {
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!(
                        "@manyToMany relation \"{relation}\" must connect two models that point at each other"
                    ),
                )
                .at(b.span, format!("{}.{} points at {}", b.model, doc_field_name(doc, b), b.related))
                .with_note(a.span, format!("{}.{} points at {}", a.model, doc_field_name(doc, a), a.related))
                .with_help("each side's field type must be the other side's model"),
            );
            continue;
        }
        if doc
            .definitions
            .iter()
            .any(|d| d.name() == relation && !d.is_extension())
        {
            diags.push(
                Diagnostic::error(
                    Code::ManyToManyInvalid,
                    format!("@manyToMany relation \"{relation}\" names a type that already exists"),
                )
                .at(a.span, "relation named here")
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

fn collect(doc: &Document, diags: &mut Vec<Diagnostic>) -> Vec<Side> {
    let mut out = Vec::new();
    for (def, d) in doc.definitions.iter().enumerate() {
        let Definition::Object(o) = d else { continue };
        if o.is_extension || !o.directives.iter().any(|d| d.name.text == "model") {
            continue;
        }
        for (field, f) in o.fields.iter().enumerate() {
            let Some(dir) = f.directives.iter().find(|d| d.name.text == "manyToMany") else {
                continue;
            };
            let relation = match dir.argument("relationName").map(|a| &a.value.kind) {
                Some(ValueKind::String(s)) if !s.is_empty() => s.clone(),
                _ => {
                    diags.push(
                        Diagnostic::error(
                            Code::ManyToManyInvalid,
                            "@manyToMany needs a relationName",
                        )
                        .at(dir.name.span, "no relationName")
                        .with_help("write @manyToMany(relationName: \"PostTags\")"),
                    );
                    continue;
                }
            };
            if !f.ty.is_list() {
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
                span: dir.span,
            });
        }
    }
    out
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
    let prefix = lower_first(model);
    if !respect {
        return vec![JoinKey {
            field: "id".into(),
            join_field: format!("{prefix}ID"),
            ty: "ID".into(),
        }];
    }
    key.iter()
        .map(|k| JoinKey {
            join_field: format!("{prefix}{}", upper_first(k)),
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
            *d = directive(
                "hasMany",
                vec![
                    string_argument("indexName", &format!("by{}", side.model)),
                    Argument {
                        name: ident("fields"),
                        value: list_of_strings(&model_keys),
                    },
                ],
            );
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
