//! Values as DynamoDB typed attributes (`{"S": "x"}`, `{"N": "2"}`, `{"M": {…}}`).

use indexmap::IndexMap;

use super::value::{Value, js_number};

/// A value as a typed attribute the way behave's expression builder writes placeholders:
/// numbers as their text (`{"N": "2"}`), nothing converted.
pub fn to_dynamodb_attribute(v: &Value) -> Value {
    match v {
        Value::Null => tagged("NULL", Value::Bool(true)),
        Value::Bool(b) => tagged("BOOL", Value::Bool(*b)),
        Value::Int(_) | Value::Float(_) => tagged("N", Value::str(number_text(v))),
        Value::Str(s) => tagged("S", Value::Str(s.clone())),
        Value::List(l) => tagged(
            "L",
            Value::list(l.borrow().iter().map(to_dynamodb_attribute).collect()),
        ),
        Value::Map(m) => tagged(
            "M",
            Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), to_dynamodb_attribute(v)))
                    .collect(),
            ),
        ),
    }
}

fn number_text(v: &Value) -> String {
    match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => js_number(*f),
        _ => String::new(),
    }
}

pub fn tagged(kind: &str, v: Value) -> Value {
    let mut m = IndexMap::new();
    m.insert(kind.to_string(), v);
    Value::map(m)
}

/// `$util.dynamodb.toDynamoDB`: a value as a DynamoDB typed attribute, as the AWS SDK's
/// `marshall` makes it: numbers as text, and in a map or alone an empty string is `NULL`
/// (but not in a list given alone).
pub fn to_dynamodb(v: &Value) -> Value {
    match v {
        Value::List(l) => tagged(
            "L",
            Value::list(l.borrow().iter().map(|x| marshal(x, false)).collect()),
        ),
        v => marshal(v, true),
    }
}

pub fn marshal(v: &Value, empty_is_null: bool) -> Value {
    match v {
        Value::Str(s) if s.is_empty() && empty_is_null => tagged("NULL", Value::Bool(true)),
        Value::List(l) => tagged(
            "L",
            Value::list(
                l.borrow()
                    .iter()
                    .map(|x| marshal(x, empty_is_null))
                    .collect(),
            ),
        ),
        Value::Map(m) => tagged(
            "M",
            Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, x)| (k.clone(), marshal(x, empty_is_null)))
                    .collect(),
            ),
        ),
        v => to_dynamodb_attribute(v),
    }
}
