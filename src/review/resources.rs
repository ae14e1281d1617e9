//! Stack changes: CloudFormation resources (by logical id) that a change adds, removes or
//! moves from one stack to another. A moved resource is deleted from its old stack and made
//! in the new one; for names that must be unique (resolvers of one field) the creation can
//! fail while the old one still exists.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::Template;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceChange {
    Added {
        id: String,
        kind: String,
        stack: String,
    },
    Removed {
        id: String,
        kind: String,
        stack: String,
    },
    Moved {
        id: String,
        kind: String,
        from: String,
        to: String,
    },
}

impl ResourceChange {
    pub fn id(&self) -> &str {
        match self {
            ResourceChange::Added { id, .. }
            | ResourceChange::Removed { id, .. }
            | ResourceChange::Moved { id, .. } => id,
        }
    }
}

/// Logical id → (type, stacks holding it).
fn resources(templates: &[Template]) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for t in templates {
        for (id, r) in t.resources() {
            let kind = r
                .get("Type")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            out.entry(id.clone())
                .or_insert_with(|| (kind, Vec::new()))
                .1
                .push(t.stack.clone());
        }
    }
    out
}

pub fn compare(base: &[Template], head: &[Template]) -> Vec<ResourceChange> {
    let before = resources(base);
    let after = resources(head);
    let mut out = Vec::new();
    for (id, (kind, stacks)) in &before {
        match after.get(id) {
            None => {
                for stack in stacks {
                    out.push(ResourceChange::Removed {
                        id: id.clone(),
                        kind: kind.clone(),
                        stack: stack.clone(),
                    });
                }
            }
            Some((_, now)) if now != stacks => {
                if let ([from], [to]) = (stacks.as_slice(), now.as_slice()) {
                    out.push(ResourceChange::Moved {
                        id: id.clone(),
                        kind: kind.clone(),
                        from: from.clone(),
                        to: to.clone(),
                    });
                    continue;
                }
                // The same id in several stacks: what each stack gains and loses.
                for s in stacks.iter().filter(|s| !now.contains(s)) {
                    out.push(ResourceChange::Removed {
                        id: id.clone(),
                        kind: kind.clone(),
                        stack: s.clone(),
                    });
                }
                for s in now.iter().filter(|s| !stacks.contains(s)) {
                    out.push(ResourceChange::Added {
                        id: id.clone(),
                        kind: kind.clone(),
                        stack: s.clone(),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for (id, (kind, stacks)) in &after {
        if !before.contains_key(id) {
            for stack in stacks {
                out.push(ResourceChange::Added {
                    id: id.clone(),
                    kind: kind.clone(),
                    stack: stack.clone(),
                });
            }
        }
    }
    out
}
