//! Diagnostics in the formats CI shows: a JSON document, GitHub workflow annotations, and
//! SARIF 2.1.0 for code scanning. Each carries what the human rendering does: code, severity,
//! message, the place (file, line and column of both ends of the underlined token), the
//! label, the notes and the `help:` line.

use serde_json::{Value as Json, json};

use super::{Code, Diagnostic, Diagnostics, Severity};
use crate::source::{SourceMap, Span};

/// Where a diagnostic points: a span resolved to file and 1-based lines and columns, or a
/// whole file (configuration files), or nowhere (command-line arguments).
struct Place {
    file: Option<String>,
    /// Start and end (exclusive end column) when the diagnostic has a span.
    region: Option<(usize, usize, usize, usize)>,
}

fn place(span: Option<Span>, file: Option<&str>, sources: &SourceMap) -> Place {
    if let Some(span) = span
        && let Some(start) = sources.locate(span.start)
    {
        let end = sources.locate(span.end.max(span.start));
        let (end_line, end_column) = match end {
            Some(e) if e.file == start.file => (e.line, e.column),
            _ => (start.line, start.column + 1),
        };
        // An empty span still underlines one character.
        let end_column = if (end_line, end_column) == (start.line, start.column) {
            end_column + 1
        } else {
            end_column
        };
        return Place {
            file: Some(relative(start.file)),
            region: Some((start.line, start.column, end_line, end_column)),
        };
    }
    Place {
        file: file.map(relative),
        region: None,
    }
}

/// A file below the working folder by its path from there, as CI tools (and GitHub's
/// annotations) expect paths from the checkout; other paths as they are.
fn relative(file: &str) -> String {
    let path = std::path::Path::new(file);
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rest) = path.strip_prefix(&cwd)
    {
        return rest.to_string_lossy().into_owned();
    }
    file.to_string()
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn place_json(p: &Place) -> serde_json::Map<String, Json> {
    let mut o = serde_json::Map::new();
    o.insert("file".into(), json!(p.file));
    if let Some((line, column, end_line, end_column)) = p.region {
        o.insert("line".into(), json!(line));
        o.insert("column".into(), json!(column));
        o.insert("endLine".into(), json!(end_line));
        o.insert("endColumn".into(), json!(end_column));
    }
    o
}

/// One diagnostic as a JSON object (`docs/diagnostics.md#json`).
pub fn to_json(d: &Diagnostic, sources: &SourceMap) -> Json {
    let mut o = serde_json::Map::new();
    o.insert("code".into(), json!(d.code.as_str()));
    o.insert("severity".into(), json!(severity_name(d.severity)));
    o.insert("message".into(), json!(d.message));
    o.extend(place_json(&place(d.span, d.file.as_deref(), sources)));
    o.insert("label".into(), json!(d.label));
    o.insert("help".into(), json!(d.help));
    let notes: Vec<Json> = d
        .notes
        .iter()
        .map(|n| {
            let mut o = place_json(&place(Some(n.span), None, sources));
            o.insert("message".into(), json!(n.message));
            Json::Object(o)
        })
        .collect();
    o.insert("notes".into(), Json::Array(notes));
    Json::Object(o)
}

/// Every diagnostic, in the human rendering's order, as a JSON array.
pub fn json_array(diagnostics: &Diagnostics, sources: &SourceMap) -> Json {
    Json::Array(
        diagnostics
            .sorted()
            .into_iter()
            .map(|d| to_json(d, sources))
            .collect(),
    )
}

/// GitHub Actions workflow commands (`::error file=…,line=…::message`), one line each.
pub fn github(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics.sorted() {
        let p = place(d.span, d.file.as_deref(), sources);
        let mut props = Vec::new();
        if let Some(f) = &p.file {
            props.push(format!("file={}", escape_property(f)));
        }
        if let Some((line, column, end_line, end_column)) = p.region {
            props.push(format!("line={line}"));
            props.push(format!("col={column}"));
            props.push(format!("endLine={end_line}"));
            // GitHub's end column is inclusive.
            props.push(format!(
                "endColumn={}",
                end_column.saturating_sub(1).max(column)
            ));
        }
        props.push(format!("title={}", escape_property(d.code.as_str())));
        let mut message = d.message.clone();
        if !d.help.is_empty() {
            message.push_str(&format!("\nhelp: {}", d.help));
        }
        out.push_str(&format!(
            "::{} {}::{}\n",
            severity_name(d.severity),
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log of one run of `amplify-gql`: one rule per code that occurs (with its
/// catalogue title), one result per diagnostic, with its region and related locations.
pub fn sarif(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let sorted = diagnostics.sorted();
    let mut codes: Vec<Code> = sorted.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Json> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.title()},
                "help": {"text": format!("docs/diagnostics.md#{}", anchor(*c))},
            })
        })
        .collect();
    let results: Vec<Json> = sorted
        .iter()
        .map(|d| {
            let p = place(d.span, d.file.as_deref(), sources);
            let mut text = d.message.clone();
            if !d.help.is_empty() {
                text.push_str(&format!("\nhelp: {}", d.help));
            }
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": codes.binary_search(&d.code).unwrap_or(0),
                "level": severity_name(d.severity),
                "message": {"text": text},
            });
            if let Some(location) = sarif_location(&p, &d.label) {
                result["locations"] = json!([location]);
            }
            let related: Vec<Json> = d
                .notes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    let mut l = sarif_location(&place(Some(n.span), None, sources), &n.message)?;
                    l["id"] = json!(i);
                    Some(l)
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = Json::Array(related);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "amplify-gql",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a JSON value prints");
    text.push('\n');
    text
}

/// The Markdown anchor of a code's section in `docs/diagnostics.md` (headed `CODE: title`),
/// as GitHub makes it: lower case, punctuation dropped, spaces as hyphens.
fn anchor(code: Code) -> String {
    format!("{}: {}", code.as_str(), code.title())
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn sarif_location(p: &Place, label: &str) -> Option<Json> {
    let file = p.file.as_ref()?;
    let mut physical = json!({"artifactLocation": {"uri": artifact_uri(file)}});
    if let Some((line, column, end_line, end_column)) = p.region {
        physical["region"] = json!({
            "startLine": line, "startColumn": column,
            "endLine": end_line, "endColumn": end_column,
        });
    }
    let mut location = json!({"physicalLocation": physical});
    if !label.is_empty() {
        location["message"] = json!({"text": label});
    }
    Some(location)
}

/// A file name as a relative URI reference: forward slashes, no leading `./`, spaces and
/// other characters outside URIs percent-encoded.
fn artifact_uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::from(if path.starts_with('/') { "file://" } else { "" });
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
