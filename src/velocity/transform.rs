//! `$util.transform`: a model filter or condition input (`{title: {eq: "x"}, or: [...]}`) as
//! a DynamoDB expression with its name and value placeholders, and as a subscription filter
//! (`filterGroup`). Placeholders are named after the path to the operator
//! (`:and_0_title_eq`), so that two conditions on one field never collide.

use indexmap::IndexMap;

use super::attribute::to_dynamodb_attribute;
use super::value::Value;

/// An expression and its placeholders, as `toDynamoDBFilterExpression` returns them.
#[derive(Default)]
struct Bundle {
    parts: Vec<String>,
    names: IndexMap<String, Value>,
    values: IndexMap<String, Value>,
}

impl Bundle {
    fn push(
        &mut self,
        expr: String,
        names: IndexMap<String, Value>,
        values: IndexMap<String, Value>,
    ) {
        if expr.is_empty() {
            return;
        }
        if !self.parts.is_empty() {
            self.parts.push("AND".into());
        }
        self.parts.push(expr);
        self.names.extend(names);
        self.values.extend(values);
    }

    fn joined(&self) -> String {
        self.parts.join(" ")
    }
}

fn comparison(op: &str) -> Option<&'static str> {
    Some(match op {
        "ne" => "<>",
        "eq" => "=",
        "lt" => "<",
        "le" => "<=",
        "gt" => ">",
        "ge" => ">=",
        _ => return None,
    })
}

fn entries(v: &Value) -> Vec<(String, Value)> {
    match v {
        Value::Map(m) => m
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.borrow().clone(),
        other => vec![other.clone()],
    }
}

fn generate(filter: &Value, prefix: Option<&str>, parent: Option<&str>) -> Bundle {
    let mut out = Bundle::default();
    let placeholder = |op: &str| {
        let parts: Vec<&str> = [prefix, parent, Some(op)]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        format!(":{}", parts.join("_"))
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let field = format!("#{}", parent.unwrap_or("null"));
    let name_of = || {
        let mut n = IndexMap::new();
        n.insert(field.clone(), Value::str(parent.unwrap_or("null")));
        n
    };
    let one = |k: String, v: &Value| {
        let mut m = IndexMap::new();
        m.insert(k, to_dynamodb_attribute(v));
        m
    };
    let sub_prefix = |name: &str, idx: Option<usize>| {
        let mut parts: Vec<String> = prefix.map(str::to_string).into_iter().collect();
        parts.push(name.to_string());
        parts.extend(idx.map(|i| i.to_string()));
        parts.join("_")
    };
    for (name, value) in entries(filter) {
        match name.as_str() {
            "and" | "or" => {
                let joiner = if name == "or" { " OR " } else { " AND " };
                let mut parts = Vec::new();
                let (mut names, mut values) = (IndexMap::new(), IndexMap::new());
                for (idx, sub) in items(&value).iter().enumerate() {
                    let g = generate(sub, Some(&sub_prefix(&name, Some(idx))), None);
                    if !g.parts.is_empty() {
                        parts.push(g.joined());
                        names.extend(g.names);
                        values.extend(g.values);
                    }
                }
                if !parts.is_empty() {
                    let expr = if parts.len() > 1 {
                        format!("({})", parts.join(joiner))
                    } else {
                        parts.remove(0)
                    };
                    out.push(expr, names, values);
                }
            }
            "not" => {
                let g = generate(&value, Some(&sub_prefix("not", None)), None);
                if !g.parts.is_empty() {
                    out.push(format!("(NOT ({}))", g.joined()), g.names, g.values);
                }
            }
            "between" => {
                let bounds = items(&value);
                let (a, b) = (placeholder("between_1"), placeholder("between_2"));
                let mut values = one(a.clone(), bounds.first().unwrap_or(&Value::Null));
                values.extend(one(b.clone(), bounds.get(1).unwrap_or(&Value::Null)));
                out.push(format!("{field} BETWEEN {a} AND {b}"), name_of(), values);
            }
            op if comparison(op).is_some() => {
                let p = placeholder(op);
                let expr = format!("{field} {} {p}", comparison(op).unwrap_or("="));
                out.push(expr, name_of(), one(p, &value));
            }
            "attributeExists" => {
                let f = if value.truthy() {
                    "attribute_exists"
                } else {
                    "attribute_not_exists"
                };
                out.push(format!("{f}({field})"), name_of(), IndexMap::new());
            }
            "attributeType" => {
                let p = placeholder("attributeType");
                out.push(
                    format!("attribute_type({field}, {p})"),
                    name_of(),
                    one(p, &value),
                );
            }
            "contains" | "notContains" | "beginsWith" => {
                let f = match name.as_str() {
                    "contains" => "contains",
                    "notContains" => "NOT contains",
                    _ => "begins_with",
                };
                let p = placeholder(&name);
                out.push(format!("{f}({field}, {p})"), name_of(), one(p, &value));
            }
            "in" | "notIn" => {
                let mut values = IndexMap::new();
                let refs: Vec<String> = items(&value)
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let p = placeholder(&format!("{name}_{i}"));
                        values.insert(p.clone(), to_dynamodb_attribute(v));
                        p
                    })
                    .collect();
                if refs.is_empty() {
                    continue;
                }
                let e = format!("{field} IN ({})", refs.join(", "));
                let expr = if name == "in" {
                    e
                } else {
                    format!("(NOT {e})")
                };
                out.push(expr, name_of(), values);
            }
            "size" => {
                let mut parts = Vec::new();
                let mut values = IndexMap::new();
                for (op, v) in entries(&value) {
                    if op == "between" {
                        let bounds = items(&v);
                        let (a, b) = (placeholder("size_between_1"), placeholder("size_between_2"));
                        parts.push(format!("size({field}) BETWEEN {a} AND {b}"));
                        values.insert(
                            a,
                            to_dynamodb_attribute(bounds.first().unwrap_or(&Value::Null)),
                        );
                        values.insert(
                            b,
                            to_dynamodb_attribute(bounds.get(1).unwrap_or(&Value::Null)),
                        );
                    } else if let Some(c) = comparison(&op) {
                        let p = placeholder(&format!("size_{op}"));
                        parts.push(format!("size({field}) {c} {p}"));
                        values.insert(p, to_dynamodb_attribute(&v));
                    }
                }
                if !parts.is_empty() {
                    let expr = if parts.len() > 1 {
                        format!("({})", parts.join(" AND "))
                    } else {
                        parts.remove(0)
                    };
                    out.push(expr, name_of(), values);
                }
            }
            _ => {
                let g = generate(&value, prefix, Some(&name));
                if !g.parts.is_empty() {
                    let expr = if g.parts.len() > 1 {
                        format!("({})", g.joined())
                    } else {
                        g.parts[0].clone()
                    };
                    out.push(expr, g.names, g.values);
                }
            }
        }
    }
    out
}

/// `toDynamoDBFilterExpression` and `toDynamoDBConditionExpression`: the JSON text of
/// `{expression, expressionNames, expressionValues}`.
pub fn dynamodb_expression(filter: &Value) -> Value {
    let g = generate(filter, None, None);
    let mut m = IndexMap::new();
    m.insert("expression".to_string(), Value::str(g.joined().trim()));
    m.insert("expressionNames".to_string(), Value::map(g.names));
    m.insert("expressionValues".to_string(), Value::map(g.values));
    Value::str(Value::map(m).to_json_text())
}

/// `toSubscriptionFilter`: AppSync's `filterGroup` form, one group per alternative of an
/// `or`, each a list of `{fieldName, operator, value}`. The input filter is kept under
/// `__raw` (and the ignored fields under `__ignoredFields`) for deciding deliveries.
pub fn subscription_filter(filter: &Value, ignored: &Value) -> Value {
    // A list's entries are its indexes and items, as JavaScript's `Object.entries` gives them:
    // the alternatives kept under `__or` become filters of their own, as in behave.
    fn pairs(v: &Value) -> Vec<(String, Value)> {
        match v {
            Value::List(l) => l
                .borrow()
                .iter()
                .enumerate()
                .map(|(i, x)| (i.to_string(), x.clone()))
                .collect(),
            other => entries(other),
        }
    }
    fn leafs(f: &IndexMap<String, Value>) -> Vec<Value> {
        let mut out = Vec::new();
        for (field, ops) in f {
            if matches!(field.as_str(), "and" | "or" | "not") {
                continue;
            }
            for (op, value) in pairs(ops) {
                let mut m = IndexMap::new();
                m.insert("fieldName".to_string(), Value::str(field.as_str()));
                m.insert("operator".to_string(), Value::str(op));
                m.insert("value".to_string(), value);
                out.push(Value::map(m));
            }
        }
        out
    }
    fn group(filters: Vec<Value>) -> Value {
        let mut m = IndexMap::new();
        m.insert("filters".to_string(), Value::list(filters));
        Value::map(m)
    }
    fn flatten(x: &Value, merged: &mut IndexMap<String, Value>) {
        for (k, v) in entries(x) {
            match (k.as_str(), &v) {
                ("and", Value::List(l)) => {
                    for sub in l.borrow().iter() {
                        flatten(sub, merged);
                    }
                }
                ("or", Value::List(l)) => {
                    let mut all = match merged.get("__or") {
                        Some(Value::List(o)) => o.borrow().clone(),
                        _ => Vec::new(),
                    };
                    all.extend(l.borrow().iter().cloned());
                    merged.insert("__or".to_string(), Value::list(all));
                }
                _ => {
                    let mut ops: IndexMap<String, Value> = match merged.get(&k) {
                        Some(Value::Map(m)) => m.borrow().clone(),
                        _ => IndexMap::new(),
                    };
                    ops.extend(entries(&v));
                    merged.insert(k, Value::map(ops));
                }
            }
        }
    }
    fn walk(f: &Value, groups: &mut Vec<Value>) {
        let Value::Map(m) = f else {
            return;
        };
        let m = m.borrow().clone();
        match (m.get("or"), m.get("and")) {
            (Some(Value::List(or)), _) => {
                for x in or.borrow().iter() {
                    walk(x, groups);
                }
            }
            (_, Some(Value::List(and))) => {
                let mut merged = IndexMap::new();
                for sub in and.borrow().iter() {
                    flatten(sub, &mut merged);
                }
                let alternatives: Vec<Value> = match merged.get("__or") {
                    Some(Value::List(o)) => o.borrow().clone(),
                    _ => Vec::new(),
                };
                let base = leafs(&merged);
                if alternatives.is_empty() {
                    groups.push(group(base));
                } else {
                    for o in &alternatives {
                        let mut filters = base.clone();
                        if let Value::Map(om) = o {
                            filters.extend(leafs(&om.borrow()));
                        }
                        groups.push(group(filters));
                    }
                }
            }
            _ => groups.push(group(leafs(&m))),
        }
    }
    let mut groups = Vec::new();
    walk(filter, &mut groups);
    let mut out = IndexMap::new();
    out.insert("filterGroup".to_string(), Value::list(groups));
    if ignored.truthy() {
        out.insert(
            "__ignoredFields".to_string(),
            Value::from_json(&ignored.to_json()),
        );
    }
    out.insert("__raw".to_string(), Value::from_json(&filter.to_json()));
    Value::map(out)
}
