//! Prints access-control matrices: the Amplify CLI's `status -acm` tables (Node's
//! `console.group` + `console.table`, left-aligned cells), the 4-column CRUD view, JSON and
//! Markdown.

use std::fmt::Write;

use crate::model::Operation;
use crate::plan::Acm;

/// Which columns to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Columns {
    /// create, update, delete, get, list, search, listen, sync.
    Operations,
    /// create, read, update, delete; read only when all five read operations are allowed.
    Crud,
}

impl Columns {
    fn headers(self) -> &'static [&'static str] {
        match self {
            Columns::Operations => &[
                "create", "update", "delete", "get", "list", "search", "listen", "sync",
            ],
            Columns::Crud => &["create", "read", "update", "delete"],
        }
    }

    fn cells(self, access: crate::model::OperationSet) -> Vec<bool> {
        match self {
            Columns::Operations => Operation::ALL
                .iter()
                .map(|op| access.contains(*op))
                .collect(),
            Columns::Crud => vec![
                access.contains(Operation::Create),
                Operation::READS.iter().all(|op| access.contains(*op)),
                access.contains(Operation::Update),
                access.contains(Operation::Delete),
            ],
        }
    }
}

/// The line printed for a model without any rule.
pub fn no_rules_line(model: &str) -> String {
    format!("\u{26a0}\u{fe0f} No auth rules have been configured for the \"{model}\" model.\n")
}

/// `status -acm` as the Amplify CLI prints it.
pub fn table(acm: &Acm, columns: Columns) -> String {
    if acm.roles.is_empty() {
        return no_rules_line(&acm.model);
    }
    let mut out = String::new();
    let headers = columns.headers();
    for role in &acm.roles {
        out.push_str(&role.name);
        out.push('\n');
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("(index)".to_string())
                .chain(headers.iter().map(|h| h.to_string()))
                .collect(),
        ];
        for (field, access) in acm.resources.iter().zip(&role.access) {
            let mut row = vec![field.clone()];
            row.extend(columns.cells(*access).iter().map(|b| b.to_string()));
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0) + 2)
            .collect();
        let border = |l: &str, m: &str, r: &str| {
            let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
            format!("  {l}{}{r}\n", parts.join(m))
        };
        let line = |row: &[String]| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(t, w)| format!(" {t}{}", " ".repeat(w - t.chars().count() - 1)))
                .collect();
            format!("  │{}│\n", cells.join("│"))
        };
        out.push_str(&border("┌", "┬", "┐"));
        out.push_str(&line(&rows[0]));
        out.push_str(&border("├", "┼", "┤"));
        for row in &rows[1..] {
            out.push_str(&line(row));
        }
        out.push_str(&border("└", "┴", "┘"));
    }
    out
}

/// `{role: {field: {operation: bool}}}`, 2-space indented; `{}` for a model without rules.
pub fn json(acm: &Acm, columns: Columns) -> String {
    let mut roles = serde_json::Map::new();
    for role in &acm.roles {
        let mut fields = serde_json::Map::new();
        for (field, access) in acm.resources.iter().zip(&role.access) {
            let ops: serde_json::Map<String, serde_json::Value> = columns
                .headers()
                .iter()
                .zip(columns.cells(*access))
                .map(|(h, b)| (h.to_string(), b.into()))
                .collect();
            fields.insert(field.clone(), ops.into());
        }
        roles.insert(role.name.clone(), fields.into());
    }
    let mut s = serde_json::to_string_pretty(&serde_json::Value::Object(roles))
        .expect("a JSON map always serialises");
    s.push('\n');
    s
}

/// Markdown tables, one section per role, for a pull-request comment.
pub fn markdown(acm: &Acm, columns: Columns) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Access control: `{}`\n", acm.model);
    if acm.roles.is_empty() {
        let _ = writeln!(
            out,
            "No auth rules have been configured for this model: every request is denied."
        );
        return out;
    }
    let headers = columns.headers();
    for role in &acm.roles {
        let _ = writeln!(out, "#### `{}`\n", role.name);
        let _ = writeln!(out, "| field | {} |", headers.join(" | "));
        let _ = writeln!(out, "|---|{}", ":---:|".repeat(headers.len()));
        for (field, access) in acm.resources.iter().zip(&role.access) {
            let cells: Vec<&str> = columns
                .cells(*access)
                .iter()
                .map(|b| if *b { "✅" } else { "❌" })
                .collect();
            let _ = writeln!(out, "| `{field}` | {} |", cells.join(" | "));
        }
        out.push('\n');
    }
    out
}
