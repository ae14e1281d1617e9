//! Which records a subscription would deliver: those whose fields equal the subscription's
//! arguments and that every filter its templates set accepts (the model filter each was made
//! from, kept under `__raw`).

use serde_json::{Map, Value as Json};

/// The records of `records` a subscription with `arguments` (its `filter` argument aside)
/// and the filters `filters` would deliver.
pub fn deliveries<'r>(
    records: &'r [Json],
    arguments: &Map<String, Json>,
    filters: &[Json],
) -> Vec<&'r Json> {
    let raws: Vec<&Json> = filters.iter().filter_map(|f| f.get("__raw")).collect();
    records
        .iter()
        .filter(|r| {
            arguments
                .iter()
                .filter(|(k, _)| k.as_str() != "filter")
                .all(|(k, v)| r.get(k).unwrap_or(&Json::Null) == v)
        })
        .filter(|r| raws.iter().all(|raw| raw.is_null() || matches(raw, r)))
        .collect()
}

/// A model filter (`{title: {eq: "x"}, and: [...], or: [...], not: {...}}`) on a record.
pub fn matches(filter: &Json, item: &Json) -> bool {
    let Some(f) = filter.as_object() else {
        return true;
    };
    let list = |v: &Json| match v {
        Json::Array(l) => l.clone(),
        other => vec![other.clone()],
    };
    f.iter().all(|(k, v)| match k.as_str() {
        "and" => list(v).iter().all(|x| matches(x, item)),
        "or" => list(v).iter().any(|x| matches(x, item)),
        "not" => !matches(v, item),
        field => {
            let a = item.get(field);
            v.as_object()
                .into_iter()
                .flatten()
                .all(|(op, x)| operator(op, a, x))
        }
    })
}

fn less(a: &Json, b: &Json) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn operator(op: &str, a: Option<&Json>, x: &Json) -> bool {
    let present = a.filter(|v| !v.is_null());
    let cmp =
        |want: fn(std::cmp::Ordering) -> bool| present.and_then(|a| less(a, x)).is_some_and(want);
    let contains = || match a {
        Some(Json::Array(l)) => l.contains(x),
        Some(Json::String(s)) => x.as_str().is_some_and(|n| s.contains(n)),
        _ => false,
    };
    match op {
        "eq" => a.is_some_and(|a| a == x),
        "ne" => a != Some(x),
        "lt" => cmp(|o| o.is_lt()),
        "le" => cmp(|o| o.is_le()),
        "gt" => cmp(|o| o.is_gt()),
        "ge" => cmp(|o| o.is_ge()),
        "between" => present.is_some_and(|a| {
            let (lo, hi) = (
                x.get(0).unwrap_or(&Json::Null),
                x.get(1).unwrap_or(&Json::Null),
            );
            less(a, lo).is_some_and(|o| o.is_ge()) && less(a, hi).is_some_and(|o| o.is_le())
        }),
        "beginsWith" => {
            matches!((a, x), (Some(Json::String(s)), Json::String(p)) if s.starts_with(p.as_str()))
        }
        "contains" => contains(),
        "notContains" => !contains(),
        "in" => x.as_array().is_some_and(|l| l.iter().any(|y| Some(y) == a)),
        "notIn" => !x.as_array().is_some_and(|l| l.iter().any(|y| Some(y) == a)),
        "attributeExists" => {
            a.is_some()
                == (x.as_bool() == Some(true)
                    || (x.is_number() && x.as_f64() != Some(0.0))
                    || (x.is_string() && x != ""))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deliveries_follow_the_arguments_and_every_filter() {
        let records = vec![
            json!({"id": "a", "owner": "ann", "n": 1, "tags": ["x"]}),
            json!({"id": "b", "owner": "bob", "n": 5}),
        ];
        let args = json!({"owner": "ann", "filter": {"n": {"gt": 100}}});
        let ids = |filters: &[Json]| -> Vec<String> {
            deliveries(&records, args.as_object().unwrap(), filters)
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        };
        // The argument `owner` selects, the `filter` argument is for the templates.
        assert_eq!(ids(&[]), ["a"]);
        assert_eq!(
            ids(&[json!({"__raw": {"or": [{"n": {"ge": 1}}, {"tags": {"contains": "y"}}]}})]),
            ["a"]
        );
        assert!(ids(&[json!({"__raw": {"not": {"tags": {"contains": "x"}}}})]).is_empty());
        assert!(matches(
            &json!({"n": {"between": [1, 5]}, "owner": {"beginsWith": "b"}}),
            &records[1]
        ));
        assert!(!matches(
            &json!({"missing": {"attributeExists": true}}),
            &records[1]
        ));
    }
}
