//! DynamoDB's typed attribute values (`{"S": "x"}`, `{"N": "2"}`, `{"L": […]}`, `{"M": {…}}`),
//! held as JSON, and the comparisons DynamoDB makes between them.

use std::cmp::Ordering;

use serde_json::{Map, Value as Json};

use super::DdbError;

/// A typed attribute.
pub type Attribute = Json;
/// An item: attribute name → typed attribute.
pub type Item = Map<String, Json>;

const TYPES: &[&str] = &["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"];

/// The type tag of an attribute (`"S"`, `"N"`, …).
pub fn type_of(a: &Attribute) -> Option<&str> {
    a.as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.keys().next())
        .map(String::as_str)
}

fn inner<'a>(a: &'a Attribute, t: &str) -> Option<&'a Json> {
    a.get(t)
}

/// Checks that `a` is a well-formed attribute; `where_` names its place in the request.
pub fn check(a: &Attribute, where_: &str) -> Result<(), DdbError> {
    let invalid = || DdbError::validation(format!("Invalid attribute value in {where_}: {a}"));
    let Some(t) = type_of(a).filter(|t| TYPES.contains(t)) else {
        return Err(invalid());
    };
    let v = &a[t];
    match t {
        "L" => {
            for x in v.as_array().ok_or_else(invalid)? {
                check(x, where_)?;
            }
        }
        "M" => {
            for x in v.as_object().ok_or_else(invalid)?.values() {
                check(x, where_)?;
            }
        }
        "N" if v.as_str().is_none_or(|s| number(s).is_none()) => {
            return Err(DdbError::validation(format!("Invalid number in {where_}")));
        }
        _ => {}
    }
    Ok(())
}

/// The value of a number's text, as JavaScript's `Number` reads it (`""` is 0).
pub fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    t.parse::<f64>().ok()
}

/// A number as JavaScript's `String(n)` prints it: `3`, `3.5`, `1e+21`. The VTL engine and
/// the simulated API print numbers this way too (the engine behave runs is JavaScript).
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i64);
    }
    if f.abs() >= 1e21 {
        let e = format!("{f:e}");
        return match e.split_once('e') {
            Some((m, x)) if !x.starts_with('-') => format!("{m}e+{x}"),
            _ => e,
        };
    }
    format!("{f}")
}

/// A JSON number's text: integers exactly, others as JavaScript prints them.
fn json_number_text(n: &serde_json::Number) -> String {
    n.as_i64()
        .map_or_else(|| number_text(n.as_f64().unwrap_or(0.0)), |i| i.to_string())
}

/// Canonical JSON: keys sorted at every level, for keys, comparisons and logs.
pub fn canon(v: &Json) -> String {
    let mut out = String::new();
    write_canon(v, &mut out);
    out
}

fn write_canon(v: &Json, out: &mut String) {
    match v {
        Json::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canon(x, out);
            }
            out.push(']');
        }
        Json::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::String(k.clone()).to_string());
                out.push(':');
                write_canon(&o[k], out);
            }
            out.push('}');
        }
        Json::Number(n) => out.push_str(&number_text(n.as_f64().unwrap_or(0.0))),
        other => out.push_str(&other.to_string()),
    }
}

/// A plain JSON value as an attribute (numbers as their text).
pub fn to_typed(v: &Json) -> Attribute {
    let one = |t: &str, x: Json| {
        let mut m = Map::new();
        m.insert(t.to_string(), x);
        Json::Object(m)
    };
    match v {
        Json::Null => one("NULL", Json::Bool(true)),
        Json::String(_) => one("S", v.clone()),
        Json::Number(n) => one("N", Json::String(json_number_text(n))),
        Json::Bool(_) => one("BOOL", v.clone()),
        Json::Array(items) => one("L", Json::Array(items.iter().map(to_typed).collect())),
        Json::Object(o) => one(
            "M",
            Json::Object(o.iter().map(|(k, x)| (k.clone(), to_typed(x))).collect()),
        ),
    }
}

fn plain_number(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}

/// An attribute as the plain JSON AppSync hands a response template.
pub fn from_typed(a: &Attribute) -> Json {
    let Some(t) = type_of(a) else {
        return a.clone();
    };
    let v = &a[t];
    match t {
        "S" | "B" => v.clone(),
        "N" => plain_number(v.as_str().and_then(number).unwrap_or(0.0)),
        "BOOL" => Json::Bool(v.as_bool().unwrap_or(false)),
        "NULL" => Json::Null,
        "L" => Json::Array(
            v.as_array()
                .map(|l| l.iter().map(from_typed).collect())
                .unwrap_or_default(),
        ),
        "M" => Json::Object(
            v.as_object()
                .map(|o| o.iter().map(|(k, x)| (k.clone(), from_typed(x))).collect())
                .unwrap_or_default(),
        ),
        "NS" => Json::Array(
            v.as_array()
                .map(|l| {
                    l.iter()
                        .map(|x| plain_number(x.as_str().and_then(number).unwrap_or(0.0)))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => v.clone(),
    }
}

pub fn item_from_typed(item: &Item) -> Json {
    Json::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), from_typed(v)))
            .collect(),
    )
}

fn set_members(a: &Attribute, t: &str) -> Vec<String> {
    inner(a, t)
        .and_then(Json::as_array)
        .map(|l| {
            l.iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Equality of two attributes: same type, numbers by value, sets in any order.
pub fn equals(a: &Attribute, b: &Attribute) -> bool {
    let (Some(ta), Some(tb)) = (type_of(a), type_of(b)) else {
        return false;
    };
    if ta != tb {
        return false;
    }
    match ta {
        "N" => {
            let n = |x: &Attribute| x[ta].as_str().and_then(number);
            n(a) == n(b)
        }
        "SS" | "NS" | "BS" => {
            let (mut x, mut y) = (set_members(a, ta), set_members(b, tb));
            x.sort();
            y.sort();
            x == y
        }
        _ => canon(a) == canon(b),
    }
}

/// Order of two attributes of the same scalar type (N, S, B); `None` when not comparable.
pub fn compare(a: &Attribute, b: &Attribute) -> Option<Ordering> {
    let (ta, tb) = (type_of(a)?, type_of(b)?);
    if ta != tb {
        return None;
    }
    match ta {
        "N" => {
            let n = |x: &Attribute| x[ta].as_str().and_then(number);
            n(a)?.partial_cmp(&n(b)?)
        }
        "S" | "B" => Some(a[ta].as_str()?.as_bytes().cmp(b[tb].as_str()?.as_bytes())),
        _ => None,
    }
}

/// An attribute as the request log shows it: strings quoted, numbers bare.
pub fn print_value(a: &Attribute) -> String {
    match type_of(a) {
        Some("S") => a["S"].to_string(),
        Some("N") => number_text(a["N"].as_str().and_then(number).unwrap_or(0.0)),
        Some("BOOL") => a["BOOL"].as_bool().unwrap_or(false).to_string(),
        Some("NULL") => "null".into(),
        _ => canon(a),
    }
}
