//! Data changes: what CloudFormation would do to the DynamoDB tables. A table is replaced
//! (a new, empty one made and the old one deleted with all its items) when its logical id,
//! its stack, its name, its key schema, the types of its key attributes or its local
//! secondary indexes change; it is deleted when the head no longer has it. DynamoDB creates
//! or deletes one global secondary index per table update, so more than one index change in
//! one deploy fails.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::Template;

/// A table of one version, as its template declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub stack: String,
    /// The build file of its stack.
    pub file: String,
    pub logical_id: String,
    name: Json,
    key_schema: Json,
    /// The types of the attributes the key schemas use.
    key_types: BTreeMap<String, String>,
    lsis: Json,
    /// Global secondary indexes by name: key schema and projection.
    gsis: BTreeMap<String, Json>,
}

impl Table {
    /// The model the table stores, from its name (`Post-<api id>-<env>`), else its id.
    pub fn model(&self) -> String {
        self.name
            .pointer("/Fn::Join/1/0")
            .and_then(Json::as_str)
            .and_then(|s| s.strip_suffix('-'))
            .map(str::to_string)
            .or_else(|| self.name.as_str().map(str::to_string))
            .unwrap_or_else(|| self.logical_id.clone())
    }
}

fn tables(templates: &[Template]) -> Vec<Table> {
    let mut out = Vec::new();
    for t in templates {
        for (id, r) in t.resources() {
            if r.get("Type").and_then(Json::as_str) != Some("AWS::DynamoDB::Table") {
                continue;
            }
            let p = r.get("Properties").cloned().unwrap_or(Json::Null);
            let types: BTreeMap<&str, &str> = p
                .get("AttributeDefinitions")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    Some((
                        d.get("AttributeName")?.as_str()?,
                        d.get("AttributeType")?.as_str()?,
                    ))
                })
                .collect();
            let gsis: BTreeMap<String, Json> = p
                .get("GlobalSecondaryIndexes")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|g| {
                    let name = g.get("IndexName")?.as_str()?.to_string();
                    let shape = serde_json::json!({
                        "KeySchema": g.get("KeySchema"),
                        "Projection": g.get("Projection"),
                    });
                    Some((name, shape))
                })
                .collect();
            let lsis = p
                .get("LocalSecondaryIndexes")
                .cloned()
                .unwrap_or(Json::Null);
            // Every attribute a key schema names: the table's and its indexes'.
            let mut key_types = BTreeMap::new();
            let mut key_names = Vec::new();
            let mut collect = |schema: Option<&Json>| {
                for k in schema.and_then(Json::as_array).into_iter().flatten() {
                    if let Some(n) = k.get("AttributeName").and_then(Json::as_str) {
                        key_names.push(n.to_string());
                    }
                }
            };
            collect(p.get("KeySchema"));
            for l in lsis.as_array().into_iter().flatten() {
                collect(l.get("KeySchema"));
            }
            for name in key_names {
                if let Some(ty) = types.get(name.as_str()) {
                    key_types.insert(name, ty.to_string());
                }
            }
            out.push(Table {
                stack: t.stack.clone(),
                file: t.file.clone(),
                logical_id: id.clone(),
                name: p.get("TableName").cloned().unwrap_or(Json::Null),
                key_schema: p.get("KeySchema").cloned().unwrap_or(Json::Null),
                key_types,
                lsis,
                gsis,
            });
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataChange {
    /// The head makes a new table in place of the base's: every item of it is lost.
    Replaced {
        base: Box<Table>,
        head: Box<Table>,
        reasons: Vec<String>,
    },
    /// The head has no such table: it is deleted with every item.
    Deleted { base: Table },
    /// A new, empty table.
    Added { head: Table },
    /// More global secondary indexes change than one deploy can: DynamoDB takes one
    /// creation or deletion per table update.
    Indexes {
        head: Table,
        added: Vec<String>,
        removed: Vec<String>,
        /// Changed in place, which is a deletion and a creation.
        changed: Vec<String>,
        /// The Amplify CLI's `enableiterativegsiupdates`: it then deploys the changes one at
        /// a time (and a changed index as a deletion, then a creation); other deploys fail.
        iterative: bool,
    },
}

impl DataChange {
    pub fn kind(&self) -> &'static str {
        match self {
            DataChange::Replaced { .. } => "replaced",
            DataChange::Deleted { .. } => "deleted",
            DataChange::Added { .. } => "added",
            DataChange::Indexes { .. } => "indexes",
        }
    }

    pub fn table(&self) -> &Table {
        match self {
            DataChange::Replaced { head, .. } => head,
            DataChange::Added { head } | DataChange::Indexes { head, .. } => head,
            DataChange::Deleted { base } => base,
        }
    }
}

pub fn compare(base: &[Template], head: &[Template], iterative: bool) -> Vec<DataChange> {
    let before = tables(base);
    let after = tables(head);
    let mut out = Vec::new();
    let mut matched = vec![false; after.len()];
    for b in &before {
        // The same resource, else the same physical table under another id or stack.
        let found = after
            .iter()
            .position(|a| a.logical_id == b.logical_id && a.stack == b.stack)
            .or_else(|| after.iter().position(|a| a.name == b.name))
            .or_else(|| {
                after
                    .iter()
                    .position(|a| a.logical_id == b.logical_id && !matched_id(&before, a))
            });
        let Some(i) = found else {
            out.push(DataChange::Deleted { base: b.clone() });
            continue;
        };
        matched[i] = true;
        let a = &after[i];
        let mut reasons = Vec::new();
        if a.logical_id != b.logical_id {
            reasons.push(format!(
                "its logical id changes from {} to {}",
                b.logical_id, a.logical_id
            ));
        }
        if a.stack != b.stack {
            reasons.push(format!(
                "it moves from stack {} to stack {}",
                b.stack, a.stack
            ));
        }
        if a.name != b.name {
            reasons.push("its TableName changes".to_string());
        }
        if a.key_schema != b.key_schema {
            reasons.push(format!(
                "its key schema changes from {} to {}",
                key_text(&b.key_schema),
                key_text(&a.key_schema)
            ));
        }
        for (attr, ty) in &a.key_types {
            if let Some(old) = b.key_types.get(attr)
                && old != ty
            {
                reasons.push(format!(
                    "key attribute {attr} changes type from {old} to {ty}"
                ));
            }
        }
        if a.lsis != b.lsis {
            reasons.push("its local secondary indexes change".to_string());
        }
        if !reasons.is_empty() {
            out.push(DataChange::Replaced {
                base: Box::new(b.clone()),
                head: Box::new(a.clone()),
                reasons,
            });
            continue;
        }
        let added: Vec<String> = a
            .gsis
            .keys()
            .filter(|k| !b.gsis.contains_key(*k))
            .cloned()
            .collect();
        let removed: Vec<String> = b
            .gsis
            .keys()
            .filter(|k| !a.gsis.contains_key(*k))
            .cloned()
            .collect();
        let changed: Vec<String> = a
            .gsis
            .iter()
            .filter(|(k, v)| b.gsis.get(*k).is_some_and(|old| old != *v))
            .map(|(k, _)| k.clone())
            .collect();
        if added.len() + removed.len() + 2 * changed.len() > 1 {
            out.push(DataChange::Indexes {
                head: a.clone(),
                added,
                removed,
                changed,
                iterative,
            });
        }
    }
    for (a, m) in after.iter().zip(&matched) {
        if !m {
            out.push(DataChange::Added { head: a.clone() });
        }
    }
    out
}

/// Whether a head table's id is one of the base's (then it is that table, not another's).
fn matched_id(before: &[Table], a: &Table) -> bool {
    before
        .iter()
        .any(|b| b.logical_id == a.logical_id && b.stack == a.stack)
}

/// `id HASH, createdAt RANGE`.
fn key_text(schema: &Json) -> String {
    let parts: Vec<String> = schema
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| {
            Some(format!(
                "{} {}",
                k.get("AttributeName")?.as_str()?,
                k.get("KeyType")?.as_str()?
            ))
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}
