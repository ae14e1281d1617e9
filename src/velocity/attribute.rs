//! Values as DynamoDB typed attributes (`{"S": "x"}`, `{"N": "2"}`, `{"M": {…}}`).

use indexmap::IndexMap;

use super::value::Value;

/// A value as a typed attribute the way behave's expression builder writes placeholders:
/// numbers as their text (`{"N": "2"}`), nothing converted (the in-memory DynamoDB's own
/// conversion of plain values).
pub fn to_dynamodb_attribute(v: &Value) -> Value {
    Value::from_json(&crate::dynamodb::attribute::to_typed(&v.to_json()))
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
