//! A review printed: as text for a terminal, as Markdown for a pull-request comment, and as
//! JSON (`docs/diff.md` documents its shape).

use serde_json::{Value as Json, json};

use super::Review;
use super::access::{self, AccessKind};
use super::data::DataChange;
use super::limits::LimitFinding;
use super::resources::ResourceChange;
use crate::diagnostics::{Code, Diagnostic};

/// A group's fields as `Model.field`, each between `quote`s.
fn qualified(g: &access::AccessGroup, quote: &str) -> Vec<String> {
    g.fields
        .iter()
        .map(|f| format!("{quote}{}.{f}{quote}", g.model))
        .collect()
}

fn ops(operations: &[crate::model::Operation]) -> String {
    operations
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `Post: 12 resources of 500` style line of a limit finding.
pub fn limit_line(f: &LimitFinding) -> String {
    let what = match &f.subject {
        Some(s) => format!("{} in stack {}", s, f.stack),
        None => format!("stack {}", f.stack),
    };
    let minified = f
        .minified
        .map(|m| format!(" ({m} minified)"))
        .unwrap_or_default();
    format!(
        "{what}: {} {}{minified} of {} ({}%)",
        f.count,
        f.limit.noun(),
        f.max,
        f.count * 100 / f.max.max(1)
    )
}

fn data_lines(c: &DataChange) -> (String, Vec<String>) {
    let t = c.table();
    let head = format!("{} ({} in stack {})", t.model(), t.logical_id, t.stack);
    match c {
        DataChange::Replaced { reasons, .. } => (
            format!("REPLACED {head}: every item is lost"),
            reasons.clone(),
        ),
        DataChange::Deleted { .. } => (format!("DELETED {head}: every item is lost"), vec![]),
        DataChange::Added { .. } => (format!("added {head}"), vec![]),
        DataChange::Indexes {
            added,
            removed,
            changed,
            iterative,
            ..
        } => {
            let mut lines = Vec::new();
            for (what, names) in [("added", added), ("removed", removed), ("changed", changed)] {
                if !names.is_empty() {
                    lines.push(format!("{what}: {}", names.join(", ")));
                }
            }
            lines.push(if *iterative {
                "the Amplify CLI deploys them one at a time (enableiterativegsiupdates); a single CloudFormation update fails".to_string()
            } else {
                "DynamoDB takes one index creation or deletion per update: this deploy fails (enableiterativegsiupdates is off)".to_string()
            });
            (
                format!("indexes of {head}: more than one change in one deploy"),
                lines,
            )
        }
    }
}

fn resource_line(c: &ResourceChange) -> String {
    match c {
        ResourceChange::Added { id, kind, stack } => format!("+ {id} ({kind}) in {stack}"),
        ResourceChange::Removed { id, kind, stack } => format!("- {id} ({kind}) from {stack}"),
        ResourceChange::Moved { id, kind, from, to } => {
            format!("~ {id} ({kind}) moves from {from} to {to}")
        }
    }
}

/// The text report; `patch` adds the resolvers' unified diffs.
pub fn text(review: &Review, base: &str, head: &str, patch: bool) -> String {
    let mut out = format!("diff {base} → {head}\n");
    let groups = access::grouped(&review.access);
    out.push_str(&format!("\naccess: {}\n", count(groups.len(), "change")));
    for g in &groups {
        let sign = if g.kind == AccessKind::Granted {
            "+"
        } else {
            "-"
        };
        let fields = qualified(g, "");
        out.push_str(&format!(
            "  {sign} {} {} {} on {}\n",
            g.role,
            g.kind.as_str(),
            ops(&g.operations),
            fields.join(", ")
        ));
        if let Some(rule) = &g.rule {
            let verb = if g.kind == AccessKind::Granted {
                "by"
            } else {
                "was given by"
            };
            out.push_str(&format!(
                "      {verb} {} at {}\n",
                rule.text,
                rule.location()
            ));
        }
    }
    let data: Vec<&DataChange> = review.data.iter().collect();
    out.push_str(&format!("\ndata: {}\n", count(data.len(), "change")));
    for c in data {
        let (line, details) = data_lines(c);
        out.push_str(&format!("  {line}\n"));
        for d in details {
            out.push_str(&format!("      {d}\n"));
        }
    }
    out.push_str(&format!(
        "\nresolvers: {}\n",
        count(review.resolvers.len(), "file")
    ));
    for f in &review.resolvers {
        out.push_str(&format!("  {} {}\n", f.kind.letter(), f.path));
    }
    out.push_str(&format!(
        "\nstacks: {}\n",
        count(review.resources.len(), "resource change")
    ));
    for r in &review.resources {
        out.push_str(&format!("  {}\n", resource_line(r)));
    }
    out.push_str(&format!(
        "\nlimits: {}\n",
        match review.limits.len() {
            0 => "none".to_string(),
            n => format!("{} at 80% of a limit or more", count(n, "count")),
        }
    ));
    for l in &review.limits {
        let level = if l.is_over() { "OVER" } else { "near" };
        out.push_str(&format!("  {level} {}\n", limit_line(l)));
    }
    if patch {
        for f in &review.resolvers {
            out.push('\n');
            out.push_str(&f.patch());
        }
    }
    out
}

fn count(n: usize, what: &str) -> String {
    if n == 0 {
        "none".to_string()
    } else {
        format!("{n} {what}{}", if n == 1 { "" } else { "s" })
    }
}

/// Markdown for a pull-request comment: a summary line, then a section per kind that has
/// findings (the resolvers' diffs folded away when `patch`).
pub fn markdown(review: &Review, base: &str, head: &str, patch: bool) -> String {
    let groups = access::grouped(&review.access);
    let grants = groups
        .iter()
        .filter(|g| g.kind == AccessKind::Granted)
        .count();
    let revokes = groups.len() - grants;
    let destructive = review
        .data
        .iter()
        .filter(|c| matches!(c, DataChange::Replaced { .. } | DataChange::Deleted { .. }))
        .count();
    let mut out = format!("### amplify-gql diff `{base}` → `{head}`\n\n");
    out.push_str(&format!(
        "| access granted | access revoked | tables replaced or deleted | resolver files | resource changes | limits at 80%+ |\n|---:|---:|---:|---:|---:|---:|\n| {grants} | {revokes} | {destructive} | {} | {} | {} |\n",
        review.resolvers.len(),
        review.resources.len(),
        review.limits.len()
    ));
    if !groups.is_empty() {
        out.push_str(
            "\n#### Access\n\n| | role | operations | fields | rule |\n|---|---|---|---|---|\n",
        );
        for g in &groups {
            let sign = if g.kind == AccessKind::Granted {
                "➕ granted"
            } else {
                "➖ revoked"
            };
            let rule = g
                .rule
                .as_ref()
                .map(|r| format!("`{}` ({})", r.text.replace('|', "\\|"), r.location()))
                .unwrap_or_default();
            let fields = qualified(g, "`");
            out.push_str(&format!(
                "| {sign} | `{}` | {} | {} | {rule} |\n",
                g.role,
                ops(&g.operations),
                fields.join(", ")
            ));
        }
    }
    if !review.data.is_empty() {
        out.push_str("\n#### Data\n\n");
        for c in &review.data {
            let (line, details) = data_lines(c);
            let line = if matches!(c, DataChange::Replaced { .. } | DataChange::Deleted { .. }) {
                format!("**{line}**")
            } else {
                line
            };
            out.push_str(&format!("- {line}\n"));
            for d in details {
                out.push_str(&format!("  - {d}\n"));
            }
        }
    }
    if !review.resolvers.is_empty() {
        out.push_str("\n#### Resolvers\n\n");
        for f in &review.resolvers {
            out.push_str(&format!("- {} `{}`\n", f.kind.as_str(), f.path));
        }
        if patch {
            out.push_str("\n<details><summary>diff</summary>\n\n```diff\n");
            for f in &review.resolvers {
                out.push_str(&f.patch());
            }
            out.push_str("```\n\n</details>\n");
        }
    }
    if !review.resources.is_empty() {
        out.push_str("\n#### Stacks\n\n");
        for r in &review.resources {
            out.push_str(&format!("- `{}`\n", resource_line(r)));
        }
    }
    if !review.limits.is_empty() {
        out.push_str("\n#### Limits\n\n");
        for l in &review.limits {
            let level = if l.is_over() { "**over**" } else { "near" };
            out.push_str(&format!("- {level}: {}\n", limit_line(l)));
        }
    }
    out
}

/// A count as JSON; `with_near` adds whether it is at 80% or more (`limits` lists every
/// count, `diff` only those).
pub fn limit_json(l: &LimitFinding, with_near: bool) -> Json {
    let mut o = json!({
        "limit": l.limit.name(), "stack": l.stack, "file": l.file, "subject": l.subject,
        "count": l.count, "max": l.max, "minified": l.minified,
    });
    if with_near {
        o["near"] = json!(l.is_near());
    }
    o["over"] = json!(l.is_over());
    o
}

/// Every finding, ungrouped: one entry per (model, field, role, operation) for access.
pub fn json(review: &Review, base: &str, head: &str, patch: bool) -> serde_json::Map<String, Json> {
    let access: Vec<Json> = review
        .access
        .iter()
        .map(|c| {
            json!({
                "change": c.kind.as_str(), "model": c.model, "field": c.field, "role": c.role,
                "operation": c.operation.as_str(),
                "rule": c.rule.as_ref().map(|r| json!({
                    "text": r.text, "file": r.file, "line": r.line, "column": r.column,
                })),
            })
        })
        .collect();
    let data: Vec<Json> = review
        .data
        .iter()
        .map(|c| {
            let t = c.table();
            let mut o = json!({
                "change": c.kind(), "model": t.model(), "table": t.logical_id, "stack": t.stack,
            });
            match c {
                DataChange::Replaced { base, reasons, .. } => {
                    o["from"] = json!({"table": base.logical_id, "stack": base.stack});
                    o["reasons"] = json!(reasons);
                }
                DataChange::Indexes {
                    added,
                    removed,
                    changed,
                    iterative,
                    ..
                } => {
                    o["added"] = json!(added);
                    o["removed"] = json!(removed);
                    o["changed"] = json!(changed);
                    o["iterative"] = json!(iterative);
                }
                _ => {}
            }
            o
        })
        .collect();
    let resolvers: Vec<Json> = review
        .resolvers
        .iter()
        .map(|f| {
            let mut o = json!({"change": f.kind.as_str(), "path": f.path});
            if patch {
                o["patch"] = json!(f.patch());
            }
            o
        })
        .collect();
    let resources: Vec<Json> = review
        .resources
        .iter()
        .map(|r| match r {
            ResourceChange::Added { id, kind, stack } => {
                json!({"change": "added", "id": id, "type": kind, "stack": stack})
            }
            ResourceChange::Removed { id, kind, stack } => {
                json!({"change": "removed", "id": id, "type": kind, "stack": stack})
            }
            ResourceChange::Moved { id, kind, from, to } => {
                json!({"change": "moved", "id": id, "type": kind, "from": from, "to": to})
            }
        })
        .collect();
    let mut o = serde_json::Map::new();
    o.insert("base".into(), json!(base));
    o.insert("head".into(), json!(head));
    o.insert("access".into(), Json::Array(access));
    o.insert("data".into(), Json::Array(data));
    o.insert("resolvers".into(), Json::Array(resolvers));
    o.insert("resources".into(), Json::Array(resources));
    o.insert(
        "limits".into(),
        Json::Array(review.limits.iter().map(|l| limit_json(l, false)).collect()),
    );
    o
}

/// The findings as diagnostics, for the CI formats: a grant at the rule that gives it, a
/// revocation at the base's rule (by name: it is in the base's sources), a table at its
/// model in the head (a deleted one by its place in the base), limits at their build files. A finding
/// `fail_on` names is an error, the rest warnings.
pub fn diagnostics(
    review: &Review,
    base: &super::Version,
    head: &super::Version,
    fail_on: &[super::FailOn],
) -> Vec<Diagnostic> {
    use super::FailOn;
    let level = |kind: FailOn, code: Code, message: String| {
        if fail_on.contains(&kind) {
            Diagnostic::error(code, message)
        } else {
            Diagnostic::warning(code, message)
        }
    };
    let mut out = Vec::new();
    for g in access::grouped(&review.access) {
        let fields = qualified(&g, "");
        let what = format!("{} on {}", ops(&g.operations), fields.join(", "));
        let d = match g.kind {
            AccessKind::Granted => {
                let d = level(
                    FailOn::Grant,
                    Code::AccessGranted,
                    format!("this change lets {} {what}", g.role),
                )
                .with_help("if the new access is not intended, narrow the rule's operations or move it to a field");
                match &g.rule {
                    Some(r) => d.at(r.span, "gives the new access"),
                    None => d,
                }
            }
            AccessKind::Revoked => {
                let d = level(
                    FailOn::Revoke,
                    Code::AccessRevoked,
                    format!(
                        "this change takes {what} from {}{}",
                        g.role,
                        g.rule
                            .as_ref()
                            .map(|r| format!(" (given by {} at {})", r.text, r.location()))
                            .unwrap_or_default()
                    ),
                )
                .with_help("callers of this role get Unauthorized where they had access; check the clients that use it");
                match &g.rule {
                    Some(r) => d.in_file(r.file.clone()),
                    None => d,
                }
            }
        };
        out.push(d);
    }
    for c in &review.data {
        let t = c.table();
        let (line, details) = data_lines(c);
        let message = if details.is_empty() {
            line
        } else {
            format!("{line}: {}", details.join("; "))
        };
        let file = t.file.clone();
        let d = match c {
            DataChange::Replaced { .. } => level(FailOn::Replace, Code::TableReplaced, message)
                .with_help("keep the model's name, key and stack; to change a key, add a model, copy the data, then remove the old one"),
            DataChange::Deleted { .. } => level(FailOn::Delete, Code::TableDeleted, message)
                .with_help("export the table's items before deploying, or keep the model"),
            DataChange::Indexes { iterative, .. } => {
                let d = if *iterative {
                    Diagnostic::warning(Code::IndexChanges, message)
                } else {
                    level(FailOn::Limit, Code::IndexChanges, message)
                };
                d.with_help("deploy one index change at a time, or turn on enableiterativegsiupdates in cli.json")
            }
            DataChange::Added { .. } => continue,
        };
        // A deleted table's model is in the base's sources: named, not underlined.
        let deleted = matches!(c, DataChange::Deleted { .. });
        let version = if deleted { base } else { head };
        let place = version
            .normalised
            .schema
            .model(&t.model())
            .map(|m| m.name.span);
        out.push(match place {
            Some(span) if !deleted => d.at(span, "the model whose table this is"),
            Some(span) => match base.sources.locate(span.start) {
                Some(at) => {
                    let file = at.file.to_string();
                    let line = format!(" (the model was at {file}:{}:{})", at.line, at.column);
                    Diagnostic {
                        message: d.message.clone() + &line,
                        ..d
                    }
                    .in_file(file)
                }
                None => d.in_file(file),
            },
            None => d.in_file(file),
        });
    }
    for l in &review.limits {
        out.push(limit_diagnostic(l, fail_on.contains(&FailOn::Limit)));
    }
    out
}

/// A count at 80% of its limit (a warning) or over it (an error when `over_is_error`).
pub fn limit_diagnostic(l: &LimitFinding, over_is_error: bool) -> Diagnostic {
    let d = if l.is_over() && over_is_error {
        Diagnostic::error(
            Code::StackLimitOver,
            format!("over CloudFormation's limit: {}", limit_line(l)),
        )
    } else if l.is_over() {
        Diagnostic::warning(
            Code::StackLimitOver,
            format!("over CloudFormation's limit: {}", limit_line(l)),
        )
    } else {
        Diagnostic::warning(
            Code::StackLimitNear,
            format!("near CloudFormation's limit: {}", limit_line(l)),
        )
    };
    use super::limits::Limit;
    let help = match l.limit {
        Limit::Resources | Limit::Outputs | Limit::Parameters | Limit::TemplateBytes => {
            "move resolvers to stacks of their own with StackMapping in transform.conf.json (`amplify-gql limits --suggest-stack-mapping` prints one)"
        }
        Limit::Mappings => "split the stack's mappings over more stacks",
        Limit::PolicyBytes => {
            "fewer fields per IAM rule, or rules at the type level, make the policy shorter"
        }
        Limit::RolePolicies => {
            "ask AWS to raise the role's managed policy quota (up to 20), or use fewer IAM rules"
        }
    };
    d.with_help(help).in_file(l.file.clone())
}

/// W0014 for mapping entries that move deployed resolvers: one per pair of stacks.
pub fn moved_deployed(moves: &[(String, String, String)], file: &str) -> Vec<Diagnostic> {
    let mut pairs: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for (id, from, to) in moves {
        match pairs.iter_mut().find(|(f, t, _)| f == from && t == to) {
            Some(p) => p.2.push(id),
            None => pairs.push((from, to, vec![id])),
        }
    }
    pairs
        .into_iter()
        .map(|(from, to, ids)| {
            Diagnostic::warning(
                Code::StackMappingMovesDeployed,
                format!(
                    "StackMapping moves {} from stack {from}, where the current build has {}, to {to}: the deploy fails",
                    ids.join(", "),
                    if ids.len() == 1 { "it" } else { "them" }
                ),
            )
            .in_file(file.to_string())
            .with_help("CloudFormation makes a moved resolver in its new stack before it deletes the old one, and AppSync allows one resolver per field: deploy the field's removal first, or leave the resolver where it is")
        })
        .collect()
}
