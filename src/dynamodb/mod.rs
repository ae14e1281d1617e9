//! An in-memory DynamoDB that takes the requests AppSync's resolvers send (the JSON a request
//! mapping template renders: `GetItem`, `PutItem`, `UpdateItem`, `DeleteItem`, `Query`,
//! `Scan`, `BatchGetItem`, `BatchPutItem`, `BatchDeleteItem`), checks them as DynamoDB does
//! (`ValidationException`, `ConditionalCheckFailedException`) and answers as AppSync hands
//! the result to the response template. Every request is logged.
//!
//! - `attribute`: typed attribute values, their equality and order;
//! - `expression`: the condition and update expression languages with their placeholders;
//! - this file: tables, keys, the requests.
//!
//! Its reference for behaviour is the database `../shared/behave` runs. It imports nothing of
//! ours, and nothing in the compile path imports it.

pub mod attribute;
mod expression;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value as Json, json};

use attribute::{Item, canon, check, compare, item_from_typed, to_typed, type_of};
use expression::{Condition, KeyTest, Placeholders, UpdateExpr};

/// An error DynamoDB (or AppSync's DynamoDB resolver) returns.
#[derive(Clone, Debug, PartialEq)]
pub struct DdbError {
    /// As AppSync reports it: `DynamoDB:ValidationException`,
    /// `DynamoDB:ConditionalCheckFailedException`, …
    pub error_type: String,
    pub message: String,
    /// For a failed condition: the item as it is.
    pub data: Option<Json>,
}

impl DdbError {
    pub fn validation(message: String) -> DdbError {
        DdbError {
            error_type: "DynamoDB:ValidationException".into(),
            message,
            data: None,
        }
    }

    fn new(error_type: &str, message: &str, data: Option<Json>) -> DdbError {
        DdbError {
            error_type: format!("DynamoDB:{error_type}"),
            message: message.into(),
            data,
        }
    }
}

impl fmt::Display for DdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.message)
    }
}

/// A table's key schema: its hash key and optional range key, and its indexes'.
#[derive(Clone, Debug, PartialEq)]
pub struct KeySchema {
    pub hash: String,
    pub range: Option<String>,
}

/// A table: its name, the label the simulator shows it under (the model's name), its key
/// schema and indexes, and its items by canonical key.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub label: String,
    pub key: KeySchema,
    pub indexes: BTreeMap<String, KeySchema>,
    items: BTreeMap<String, Item>,
}

impl Table {
    pub fn new(
        name: &str,
        label: &str,
        key: KeySchema,
        indexes: BTreeMap<String, KeySchema>,
    ) -> Table {
        Table {
            name: name.into(),
            label: label.into(),
            key,
            indexes,
            items: BTreeMap::new(),
        }
    }

    /// The canonical key of an item that has the table's key attributes.
    fn key_of(&self, item: &Item) -> Option<String> {
        let h = item.get(&self.key.hash)?;
        let r = match &self.key.range {
            Some(r) => item.get(r)?.clone(),
            None => Json::Null,
        };
        Some(canon(&json!([h, r])))
    }

    /// The canonical key of a request's `key`, which must name exactly the key attributes.
    fn validate_key(&self, key: Option<&Json>) -> Result<String, DdbError> {
        let mismatch =
            || DdbError::validation("The provided key element does not match the schema".into());
        let key = key.and_then(Json::as_object).ok_or_else(mismatch)?;
        let mut names: Vec<&String> = key.keys().collect();
        names.sort();
        let mut want: Vec<&String> = std::iter::once(&self.key.hash)
            .chain(self.key.range.as_ref())
            .collect();
        want.sort();
        if names != want {
            return Err(mismatch());
        }
        for k in names {
            check(&key[k], "key")?;
            match type_of(&key[k]) {
                Some("S") if key[k]["S"] == "" => {
                    return Err(DdbError::validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value.".into()));
                }
                Some("S" | "N" | "B") => {}
                _ => return Err(mismatch()),
            }
        }
        let r = match &self.key.range {
            Some(r) => key[r].clone(),
            None => Json::Null,
        };
        Ok(canon(&json!([key[&self.key.hash], r])))
    }

    /// The items, each as plain JSON, in key order.
    pub fn items(&self) -> impl Iterator<Item = Json> + '_ {
        self.items.values().map(item_from_typed)
    }

    /// The items by their canonical key (`[{"S":"p1"},null]`: hash and range attributes).
    pub fn records(&self) -> impl Iterator<Item = (&str, Json)> + '_ {
        self.items
            .iter()
            .map(|(k, v)| (k.as_str(), item_from_typed(v)))
    }
}

/// The tables of one simulation and the log of the requests they served.
#[derive(Clone, Debug, Default)]
pub struct Database {
    tables: BTreeMap<String, Table>,
    /// One entry per request: its table, operation, and what it asked (placeholders filled).
    pub log: Vec<Json>,
}

fn sorted(v: &Json) -> Json {
    serde_json::from_str(&canon(v)).unwrap_or(Json::Null)
}

impl Database {
    pub fn new(tables: Vec<Table>) -> Database {
        Database {
            tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
            log: Vec::new(),
        }
    }

    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    fn table(&mut self, name: &str) -> Result<&mut Table, DdbError> {
        self.tables.get_mut(name).ok_or_else(|| {
            DdbError::new(
                "ResourceNotFoundException",
                &format!("Requested resource not found: Table: {name} not found"),
                None,
            )
        })
    }

    /// Puts a record (plain JSON) into a table, as a seed file gives it.
    pub fn seed(&mut self, table: &str, record: &Map<String, Json>) -> Result<(), DdbError> {
        let t = self.table(table)?;
        let item: Item = record
            .iter()
            .map(|(k, v)| (k.clone(), to_typed(v)))
            .collect();
        let key = t.key_of(&item).ok_or_else(|| {
            DdbError::validation(format!(
                "a record of {} lacks its key {}",
                t.label, t.key.hash
            ))
        })?;
        t.items.insert(key, item);
        Ok(())
    }

    /// Runs one request against `table` and returns what AppSync hands the response template.
    pub fn execute(&mut self, table: &str, request: &Json) -> Result<Json, DdbError> {
        let label = self
            .tables
            .get(table)
            .map_or(table.to_string(), |t| t.label.clone());
        let mut entry = Map::new();
        entry.insert("table".into(), Json::String(label));
        entry.insert(
            "operation".into(),
            request.get("operation").cloned().unwrap_or(Json::Null),
        );
        let result = self.run(table, request, &mut entry);
        if let Err(e) = &result {
            entry.insert("error".into(), Json::String(e.error_type.clone()));
        }
        self.log.push(Json::Object(entry));
        result
    }

    fn run(
        &mut self,
        table: &str,
        req: &Json,
        entry: &mut Map<String, Json>,
    ) -> Result<Json, DdbError> {
        if !req.is_object() {
            return Err(DdbError::validation(
                "Request mapping template is not an object".into(),
            ));
        }
        let op = req
            .get("operation")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        if matches!(
            op.as_str(),
            "BatchGetItem" | "BatchPutItem" | "BatchDeleteItem"
        ) {
            self.table(table)?;
            return self.batch(&op, req, entry);
        }
        let t = self.table(table)?;
        let failed = |existing: Option<&Item>| {
            DdbError::new(
                "ConditionalCheckFailedException",
                "The conditional request failed",
                existing.map(item_from_typed),
            )
        };
        match op.as_str() {
            "GetItem" => {
                let k = t.validate_key(req.get("key"))?;
                entry.insert("key".into(), sorted(&req["key"]));
                if let Some(p) = req.get("projection") {
                    entry.insert("projection".into(), sorted(p));
                }
                Ok(t.items.get(&k).map_or(Json::Null, item_from_typed))
            }
            "PutItem" => {
                let k = t.validate_key(req.get("key"))?;
                let mut item = Item::new();
                for (n, v) in req
                    .get("attributeValues")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                {
                    check(v, &format!("attributeValues.{n}"))?;
                    item.insert(n.clone(), v.clone());
                }
                for (n, v) in req["key"].as_object().into_iter().flatten() {
                    item.insert(n.clone(), v.clone());
                }
                let condition = condition_of(req.get("condition"))?;
                entry.insert("key".into(), sorted(&req["key"]));
                entry.insert("item".into(), sorted(&Json::Object(item.clone())));
                if let Some(c) = &condition {
                    entry.insert("condition".into(), Json::String(c.print()));
                }
                let existing = t.items.get(&k);
                if condition.as_ref().is_some_and(|c| !c.test(existing)) {
                    return Err(failed(existing));
                }
                let out = item_from_typed(&item);
                t.items.insert(k, item);
                Ok(out)
            }
            "UpdateItem" => {
                let k = t.validate_key(req.get("key"))?;
                let Some(update) = req.get("update").filter(|u| !u.is_null()) else {
                    return Err(DdbError::validation(
                        "UpdateItem requires an update expression".into(),
                    ));
                };
                let condition = req.get("condition").filter(|c| !c.is_null());
                let mut p = Placeholders::merge(&[Some(update), condition])?;
                let update = UpdateExpr::parse(update, &mut p)?;
                let condition = condition
                    .map(|c| Condition::parse(c, "condition", &mut p))
                    .transpose()?;
                p.check_unused()?;
                entry.insert("key".into(), sorted(&req["key"]));
                entry.insert("update".into(), Json::String(update.print()));
                if let Some(c) = &condition {
                    entry.insert("condition".into(), Json::String(c.print()));
                }
                let existing = t.items.get(&k);
                if condition.as_ref().is_some_and(|c| !c.test(existing)) {
                    return Err(failed(existing));
                }
                let mut item = existing
                    .cloned()
                    .unwrap_or_else(|| req["key"].as_object().cloned().unwrap_or_default());
                update.apply(&mut item, &t.key.hash, t.key.range.as_deref())?;
                let out = item_from_typed(&item);
                t.items.insert(k, item);
                Ok(out)
            }
            "DeleteItem" => {
                let k = t.validate_key(req.get("key"))?;
                let condition = condition_of(req.get("condition"))?;
                entry.insert("key".into(), sorted(&req["key"]));
                if let Some(c) = &condition {
                    entry.insert("condition".into(), Json::String(c.print()));
                }
                let existing = t.items.get(&k);
                if condition.as_ref().is_some_and(|c| !c.test(existing)) {
                    return Err(failed(existing));
                }
                Ok(t.items
                    .remove(&k)
                    .as_ref()
                    .map_or(Json::Null, item_from_typed))
            }
            "Query" | "Scan" => read_many(t, &op, req, entry),
            other => Err(DdbError::validation(format!(
                "Unsupported operation '{other}'"
            ))),
        }
    }

    fn batch(
        &mut self,
        op: &str,
        req: &Json,
        entry: &mut Map<String, Json>,
    ) -> Result<Json, DdbError> {
        let mut data = Map::new();
        let mut unprocessed = Map::new();
        let mut logged = Map::new();
        for (name, spec) in req
            .get("tables")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let t = self.table(name)?;
            let list: Vec<Json> = match spec {
                Json::Array(l) => l.clone(),
                other => other
                    .get("keys")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default(),
            };
            let mut shown: Vec<String> = list.iter().map(canon).collect();
            shown.sort();
            logged.insert(
                t.label.clone(),
                Json::Array(
                    shown
                        .iter()
                        .map(|s| serde_json::from_str(s).unwrap_or(Json::Null))
                        .collect(),
                ),
            );
            let mut out = Vec::new();
            for x in &list {
                out.push(match op {
                    "BatchGetItem" => {
                        let k = t.validate_key(Some(x))?;
                        t.items.get(&k).map_or(Json::Null, item_from_typed)
                    }
                    "BatchDeleteItem" => {
                        let k = t.validate_key(Some(x))?;
                        t.items
                            .remove(&k)
                            .as_ref()
                            .map_or(Json::Null, item_from_typed)
                    }
                    _ => {
                        let item = x.as_object().cloned().unwrap_or_default();
                        let k = t.key_of(&item).ok_or_else(|| {
                            DdbError::validation(
                                "The provided key element does not match the schema".into(),
                            )
                        })?;
                        let plain = item_from_typed(&item);
                        t.items.insert(k, item);
                        plain
                    }
                });
            }
            data.insert(name.clone(), Json::Array(out));
            unprocessed.insert(name.clone(), json!([]));
        }
        entry.insert("tables".into(), Json::Object(logged));
        Ok(if op == "BatchGetItem" {
            json!({ "data": data, "unprocessedKeys": unprocessed })
        } else {
            json!({ "data": data, "unprocessedItems": unprocessed, "unprocessedKeys": unprocessed })
        })
    }
}

fn condition_of(spec: Option<&Json>) -> Result<Option<Condition>, DdbError> {
    let Some(spec) = spec.filter(|s| !s.is_null()) else {
        return Ok(None);
    };
    let mut p = Placeholders::merge(&[Some(spec)])?;
    let c = Condition::parse(spec, "condition", &mut p)?;
    p.check_unused()?;
    Ok(Some(c))
}

/// `Query` and `Scan`: the items of the table or index that carry its key, those that match
/// the key condition, in key order; `limit` counts the items read, before the filter.
fn read_many(
    t: &Table,
    op: &str,
    req: &Json,
    entry: &mut Map<String, Json>,
) -> Result<Json, DdbError> {
    let index = ["index", "indexName", "IndexName"]
        .iter()
        .find_map(|k| req.get(*k).and_then(Json::as_str))
        .map(str::to_string);
    let key = match &index {
        Some(ix) => t.indexes.get(ix).cloned().ok_or_else(|| {
            DdbError::validation(format!("The table does not have the specified index: {ix}"))
        })?,
        None => t.key.clone(),
    };
    let query = req.get("query").filter(|q| !q.is_null());
    let filter = req.get("filter").filter(|f| !f.is_null());
    let mut p = Placeholders::merge(&[if op == "Query" { query } else { None }, filter])?;
    let key_condition = match (op, query) {
        ("Query", Some(q)) => Some(Condition::parse(q, "query", &mut p)?),
        ("Query", None) => {
            return Err(DdbError::validation(
                "Query requires a key condition expression".into(),
            ));
        }
        _ => None,
    };
    let filter = filter
        .map(|f| Condition::parse(f, "filter", &mut p))
        .transpose()?;
    p.check_unused()?;
    if let Some(kc) = &key_condition {
        check_key_condition(kc, &key)?;
    }
    let limit = req.get("limit").filter(|l| !l.is_null()).map(|l| {
        l.as_f64()
            .or_else(|| l.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(0.0) as usize
    });
    let forward = req.get("scanIndexForward") != Some(&Json::Bool(false));
    if let Some(ix) = &index {
        entry.insert("index".into(), Json::String(ix.clone()));
    }
    if let Some(kc) = &key_condition {
        entry.insert("query".into(), Json::String(kc.print()));
    }
    if let Some(f) = &filter {
        entry.insert("filter".into(), Json::String(f.print()));
    }
    if let Some(l) = limit {
        entry.insert("limit".into(), json!(l));
    }
    if op == "Query" {
        entry.insert("scanIndexForward".into(), Json::Bool(forward));
    }
    let next_token = req
        .get("nextToken")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    if let Some(n) = next_token {
        entry.insert("nextToken".into(), n.clone());
    }
    if let Some(s) = req.get("select") {
        entry.insert("select".into(), s.clone());
    }
    let mut items: Vec<&Item> = t
        .items
        .values()
        .filter(|it| {
            it.contains_key(&key.hash) && key.range.as_ref().is_none_or(|r| it.contains_key(r))
        })
        .filter(|it| key_condition.as_ref().is_none_or(|kc| kc.test(Some(it))))
        .collect();
    let canon_of = |it: &Item, k: &str| it.get(k).map_or_else(|| "null".to_string(), canon);
    let table_key = |it: &Item| {
        canon(&json!([
            it.get(&t.key.hash),
            t.key.range.as_ref().and_then(|r| it.get(r))
        ]))
    };
    items.sort_by(|a, b| {
        let mut c = canon_of(a, &key.hash).cmp(&canon_of(b, &key.hash));
        if let Some(r) = &key.range {
            if op == "Query" {
                if let (Some(x), Some(y)) = (a.get(r), b.get(r))
                    && let Some(o) = compare(x, y)
                {
                    c = o;
                }
            } else if c.is_eq() {
                c = canon_of(a, r).cmp(&canon_of(b, r));
            }
        }
        c.then_with(|| table_key(a).cmp(&table_key(b)))
    });
    if op == "Query" && !forward {
        items.reverse();
    }
    let full_key = |it: &Item| {
        canon(&json!([
            it.get(&t.key.hash),
            t.key.range.as_ref().and_then(|r| it.get(r)),
            index.as_ref().and_then(|_| it.get(&key.hash)),
            index
                .as_ref()
                .and(key.range.as_ref())
                .and_then(|r| it.get(r)),
        ]))
    };
    let mut start = 0;
    if let Some(n) = next_token.and_then(Json::as_str) {
        let after = base64_decode(n);
        let pos = items.iter().position(|it| Some(full_key(it)) == after);
        match pos {
            Some(p) => start = p + 1,
            None => {
                return Err(DdbError::new(
                    "InvalidNextTokenException",
                    "Invalid pagination token",
                    None,
                ));
            }
        }
    }
    let end = match limit {
        Some(l) => (start + l).min(items.len()),
        None => items.len(),
    };
    let evaluated = &items[start.min(items.len())..end];
    let more = limit.is_some() && end < items.len();
    let out: Vec<Json> = evaluated
        .iter()
        .filter(|it| filter.as_ref().is_none_or(|f| f.test(Some(it))))
        .map(|it| item_from_typed(it))
        .collect();
    entry.insert("returned".into(), json!(out.len()));
    let next = match evaluated.last() {
        Some(last) if more => Json::String(base64_encode(full_key(last).as_bytes())),
        _ => Json::Null,
    };
    Ok(json!({ "items": out, "nextToken": next, "scannedCount": evaluated.len() }))
}

fn check_key_condition(kc: &Condition, key: &KeySchema) -> Result<(), DdbError> {
    let mut hash_ok = false;
    for (attr, test) in kc.key_terms()? {
        if attr == key.hash && test == KeyTest::Equals {
            hash_ok = true;
        } else if !(key.range.as_deref() == Some(attr.as_str()) && test != KeyTest::NotEquals) {
            let missed = if attr == key.hash {
                key.hash.clone()
            } else {
                key.range.clone().unwrap_or_else(|| key.hash.clone())
            };
            return Err(DdbError::validation(format!(
                "Query condition missed key schema element: {missed}"
            )));
        }
    }
    if !hash_ok {
        return Err(DdbError::validation(format!(
            "Query condition missed key schema element: {}",
            key.hash
        )));
    }
    Ok(())
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = BASE64.iter().position(|x| *x == c)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
