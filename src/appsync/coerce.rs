//! A request's variables checked and completed against their declared types, as graphql-js
//! does it (the reference simulator's engine): required values present, input objects with
//! their default field values and no unknown fields, built-in scalars of the right kind, enum
//! values that exist; every problem one error, worded as graphql-js words it.

use apollo_compiler::Schema;
use apollo_compiler::ast::{Type, Value as AstValue};
use apollo_compiler::executable::Operation;
use apollo_compiler::schema::ExtendedType;
use serde_json::{Map, Value as Json, json};

/// The coerced variables, or every error found.
pub fn variables(
    schema: &Schema,
    op: &Operation,
    given: &Map<String, Json>,
) -> Result<Map<String, Json>, Vec<String>> {
    let mut out = Map::new();
    let mut errors = Vec::new();
    for v in &op.variables {
        let name = v.name.as_str();
        let Some(value) = given.get(name) else {
            match &v.default_value {
                Some(d) => {
                    out.insert(name.to_string(), literal(d, &Map::new()));
                }
                None if v.ty.is_non_null() => errors.push(format!(
                    "Variable \"${name}\" of required type \"{}\" was not provided.",
                    v.ty
                )),
                None => {}
            }
            continue;
        };
        if value.is_null() && v.ty.is_non_null() {
            errors.push(format!(
                "Variable \"${name}\" of non-null type \"{}\" must not be null.",
                v.ty
            ));
            continue;
        }
        let mut report = |path: &[String], invalid: &Json, message: String| {
            let at = if path.is_empty() {
                String::new()
            } else {
                format!(" at \"{name}{}\"", path.concat())
            };
            errors.push(format!(
                "Variable \"${name}\" got invalid value {}{at}; {message}",
                inspect(invalid, 0)
            ));
        };
        let coerced = coerce(schema, value, &v.ty, &mut Vec::new(), &mut report);
        out.insert(name.to_string(), coerced);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

type Report<'a> = dyn FnMut(&[String], &Json, String) + 'a;

fn coerce(
    schema: &Schema,
    v: &Json,
    ty: &Type,
    path: &mut Vec<String>,
    report: &mut Report,
) -> Json {
    if ty.is_non_null() {
        if v.is_null() {
            report(
                path,
                v,
                format!("Expected non-nullable type \"{ty}\" not to be null."),
            );
            return Json::Null;
        }
        return coerce(schema, v, &ty.clone().nullable(), path, report);
    }
    if v.is_null() {
        return Json::Null;
    }
    if let Type::List(item) = ty {
        return match v {
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        path.push(format!("[{i}]"));
                        let c = coerce(schema, x, item, path, report);
                        path.pop();
                        c
                    })
                    .collect(),
            ),
            single => Json::Array(vec![coerce(schema, single, item, path, report)]),
        };
    }
    let name = ty.inner_named_type().as_str();
    match schema.types.get(name) {
        Some(ExtendedType::InputObject(input)) => {
            let Json::Object(o) = v else {
                report(
                    path,
                    v,
                    format!("Expected type \"{name}\" to be an object."),
                );
                return Json::Null;
            };
            let mut out = Map::new();
            for (field, def) in &input.fields {
                match o.get(field.as_str()) {
                    None => match &def.default_value {
                        Some(d) => {
                            out.insert(field.to_string(), literal(d, &Map::new()));
                        }
                        None if def.ty.is_non_null() => report(
                            path,
                            v,
                            format!(
                                "Field \"{field}\" of required type \"{}\" was not provided.",
                                def.ty
                            ),
                        ),
                        None => {}
                    },
                    Some(x) => {
                        path.push(format!(".{field}"));
                        let c = coerce(schema, x, &def.ty, path, report);
                        path.pop();
                        out.insert(field.to_string(), c);
                    }
                }
            }
            let names: Vec<&str> = input.fields.keys().map(|k| k.as_str()).collect();
            for key in o.keys().filter(|k| !input.fields.contains_key(k.as_str())) {
                report(
                    path,
                    v,
                    format!(
                        "Field \"{key}\" is not defined by type \"{name}\".{}",
                        did_you_mean(key, &names)
                    ),
                );
            }
            Json::Object(out)
        }
        Some(ExtendedType::Enum(e)) => match v.as_str() {
            Some(s) if e.values.contains_key(s) => v.clone(),
            Some(s) => {
                let names: Vec<&str> = e.values.keys().map(|k| k.as_str()).collect();
                report(
                    path,
                    v,
                    format!(
                        "Value \"{s}\" does not exist in \"{name}\" enum.{}",
                        did_you_mean(s, &names)
                    ),
                );
                Json::Null
            }
            None => {
                let shown = inspect(v, 0);
                let names: Vec<&str> = e.values.keys().map(|k| k.as_str()).collect();
                report(
                    path,
                    v,
                    format!(
                        "Enum \"{name}\" cannot represent non-string value: {shown}.{}",
                        did_you_mean(&shown, &names)
                    ),
                );
                Json::Null
            }
        },
        _ => match scalar(name, v) {
            Ok(x) => x,
            Err(message) => {
                report(path, v, message);
                Json::Null
            }
        },
    }
}

fn scalar(name: &str, v: &Json) -> Result<Json, String> {
    let shown = || inspect(v, 0);
    match name {
        "String" => v
            .as_str()
            .map(|_| v.clone())
            .ok_or_else(|| format!("String cannot represent a non string value: {}", shown())),
        "Boolean" => v
            .as_bool()
            .map(|_| v.clone())
            .ok_or_else(|| format!("Boolean cannot represent a non boolean value: {}", shown())),
        "Int" => match v.as_f64() {
            Some(f) if v.is_number() && f.fract() == 0.0 => {
                if (-2_147_483_648.0..=2_147_483_647.0).contains(&f) {
                    Ok(v.clone())
                } else {
                    Err(format!(
                        "Int cannot represent non 32-bit signed integer value: {}",
                        shown()
                    ))
                }
            }
            _ => Err(format!(
                "Int cannot represent non-integer value: {}",
                shown()
            )),
        },
        "Float" => match v {
            Json::Number(_) => Ok(v.clone()),
            _ => Err(format!(
                "Float cannot represent non numeric value: {}",
                shown()
            )),
        },
        "ID" => match v {
            Json::String(_) => Ok(v.clone()),
            Json::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                Ok(Json::String(n.to_string()))
            }
            _ => Err(format!("ID cannot represent value: {}", shown())),
        },
        // AppSync's scalars are checked by AppSync, not by the engine behave runs.
        _ => Ok(v.clone()),
    }
}

/// A value as graphql-js's `inspect` shows it: `{ a: 1, b: "x" }`, `[1, 2]`, `"text"`.
pub fn inspect(v: &Json, depth: usize) -> String {
    match v {
        Json::String(s) => Json::String(s.clone()).to_string(),
        Json::Number(n) => crate::dynamodb::attribute::number_text(n.as_f64().unwrap_or(0.0)),
        Json::Array(items) if items.is_empty() => "[]".into(),
        Json::Array(_) if depth >= 2 => "[Array]".into(),
        Json::Array(items) => {
            let mut parts: Vec<String> = items
                .iter()
                .take(10)
                .map(|x| inspect(x, depth + 1))
                .collect();
            if items.len() > 10 {
                let more = items.len() - 10;
                parts.push(format!(
                    "... {more} more item{}",
                    if more == 1 { "" } else { "s" }
                ));
            }
            format!("[{}]", parts.join(", "))
        }
        Json::Object(o) if o.is_empty() => "{}".into(),
        Json::Object(_) if depth >= 2 => "[Object]".into(),
        Json::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .map(|(k, x)| format!("{k}: {}", inspect(x, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// graphql-js's suggestions: the options within a lexical distance of the input.
fn did_you_mean(input: &str, options: &[&str]) -> String {
    let lower = input.to_lowercase();
    let threshold = input.len() * 2 / 5 + 1;
    let mut close: Vec<(usize, &str)> = options
        .iter()
        .filter_map(|o| {
            let d = if o.to_lowercase() == lower {
                1
            } else {
                distance(&lower, &o.to_lowercase())
            };
            (d <= threshold).then_some((d, *o))
        })
        .collect();
    close.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let names: Vec<String> = close
        .iter()
        .take(5)
        .map(|(_, o)| format!("\"{o}\""))
        .collect();
    match names.len() {
        0 => String::new(),
        1 => format!(" Did you mean {}?", names[0]),
        2 => format!(" Did you mean {} or {}?", names[0], names[1]),
        n => format!(
            " Did you mean {}, or {}?",
            names[..n - 1].join(", "),
            names[n - 1]
        ),
    }
}

/// Optimal string alignment distance (adjacent transpositions count one).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// An argument or default value as JSON, variables filled in (an absent variable is absent).
pub(super) fn literal(v: &AstValue, vars: &Map<String, Json>) -> Json {
    match v {
        AstValue::Null => Json::Null,
        AstValue::Enum(e) => Json::String(e.to_string()),
        AstValue::Variable(n) => vars.get(n.as_str()).cloned().unwrap_or(Json::Null),
        AstValue::String(s) => Json::String(s.clone()),
        AstValue::Float(f) => f.try_to_f64().ok().and_then(serde_json::Number::from_f64).map_or(Json::Null, Json::Number),
        AstValue::Int(i) => i
            .try_to_i32()
            .map(Json::from)
            .or_else(|_| i.try_to_f64().map(|f| json!(f)))
            .unwrap_or(Json::Null),
        AstValue::Boolean(b) => Json::Bool(*b),
        AstValue::List(items) => Json::Array(
            items
                .iter()
                .filter(|x| !matches!(x.as_ref(), AstValue::Variable(n) if !vars.contains_key(n.as_str())))
                .map(|x| literal(x, vars))
                .collect(),
        ),
        AstValue::Object(fields) => Json::Object(
            fields
                .iter()
                .filter(|(_, x)| !matches!(x.as_ref(), AstValue::Variable(n) if !vars.contains_key(n.as_str())))
                .map(|(k, x)| (k.to_string(), literal(x, vars)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use apollo_compiler::{ExecutableDocument, Schema};
    use serde_json::json;

    fn errors(
        vars: serde_json::Value,
    ) -> Result<serde_json::Map<String, serde_json::Value>, Vec<String>> {
        let schema = Schema::parse_and_validate(
            "type Query { f(input: In!, n: Int, e: Color): Int }\ninput In { title: String!, size: Int = 3, tags: [String] }\nenum Color { RED BLUE }",
            "s.graphql",
        )
        .unwrap();
        let doc = ExecutableDocument::parse_and_validate(
            &schema,
            "query Q($input: In!, $n: Int, $e: Color) { f(input: $input, n: $n, e: $e) }",
            "q.graphql",
        )
        .unwrap();
        let op = doc.operations.get(None).unwrap();
        super::variables(&schema, op, vars.as_object().unwrap())
    }

    #[test]
    fn variables_are_checked_and_completed_as_graphql_js_does() {
        let ok = errors(json!({"input": {"title": "t", "tags": "one"}})).unwrap();
        assert_eq!(
            ok["input"],
            json!({"title": "t", "size": 3, "tags": ["one"]}),
            "defaults filled, a single value listed"
        );
        assert_eq!(
            errors(json!({})).unwrap_err(),
            ["Variable \"$input\" of required type \"In!\" was not provided."]
        );
        assert_eq!(
            errors(json!({"input": {"titel": "t"}, "n": 1.5, "e": "RDE"})).unwrap_err(),
            [
                "Variable \"$input\" got invalid value { titel: \"t\" }; Field \"title\" of required type \"String!\" was not provided.",
                "Variable \"$input\" got invalid value { titel: \"t\" }; Field \"titel\" is not defined by type \"In\". Did you mean \"title\" or \"size\"?",
                "Variable \"$n\" got invalid value 1.5; Int cannot represent non-integer value: 1.5",
                "Variable \"$e\" got invalid value \"RDE\"; Value \"RDE\" does not exist in \"Color\" enum. Did you mean \"RED\"?",
            ]
        );
        assert_eq!(
            errors(json!({"input": {"title": null}})).unwrap_err(),
            [
                "Variable \"$input\" got invalid value null at \"input.title\"; Expected non-nullable type \"String!\" not to be null."
            ]
        );
    }
}
