//! `amplify-gql lint`: the compile's checks plus the security lints (`lint`), with
//! `--deny CODE` (a warning becomes an error), `--allow CODE` (it is not reported) and the
//! same lists in a settings file: `amplify-gql.json` in the API folder (or beside the schema
//! with `--schema`), or `--config FILE`:
//!
//! ```json
//! { "lint": { "deny": ["W0201"], "allow": ["W0206"] } }
//! ```

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::Value as Json;

use super::{InputArgs, Outcome, ReportFormat};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Codes whose warnings fail the run (repeat, or separate with commas).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Codes not to report (repeat, or separate with commas).
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub allow: Vec<String>,
    /// The settings file (default: amplify-gql.json in the API folder, or beside --schema).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

/// The codes of `deny` and `allow`, from the settings file then the command line (which wins).
#[derive(Default)]
struct Settings {
    deny: Vec<Code>,
    allow: Vec<Code>,
}

fn code_of(text: &str) -> Option<Code> {
    Code::ALL
        .iter()
        .copied()
        .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
}

fn bad(message: String, file: Option<&str>) -> Diagnostic {
    let d = Diagnostic::error(Code::LintSettingsInvalid, message).with_help(
        "name codes of docs/diagnostics.md, as in { \"lint\": { \"deny\": [\"W0201\"], \"allow\": [\"W0206\"] } }",
    );
    match file {
        Some(f) => d.in_file(f.to_string()),
        None => d,
    }
}

fn read_settings(path: &Path, explicit: bool, out: &mut Settings, problems: &mut Diagnostics) {
    let file = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) if !explicit => return,
        Err(e) => {
            problems.push(bad(format!("cannot read {file}: {e}"), Some(&file)));
            return;
        }
    };
    let json: Json = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            problems.push(bad(format!("{file} is not valid JSON: {e}"), Some(&file)));
            return;
        }
    };
    let Some(lint) = json.get("lint") else {
        return;
    };
    for (key, into) in [("deny", &mut out.deny), ("allow", &mut out.allow)] {
        let Some(value) = lint.get(key) else {
            continue;
        };
        let Some(items) = value.as_array() else {
            problems.push(bad(
                format!("lint.{key} in {file} is not a list of codes"),
                Some(&file),
            ));
            continue;
        };
        for item in items {
            match item.as_str().and_then(code_of) {
                Some(c) => into.push(c),
                None => problems.push(bad(
                    format!("lint.{key} in {file} names {item}, which is no diagnostic code"),
                    Some(&file),
                )),
            }
        }
    }
}

pub fn run(args: &LintArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load_or_stop(color, args.format) {
        Ok(i) => i,
        Err(stop) => return stop,
    };
    let mut problems = Diagnostics::default();
    let mut settings = Settings::default();
    let default_file = match (&inputs.project, &args.input.schema) {
        (Some(p), _) => Some(p.api_dir.join("amplify-gql.json")),
        (None, Some(s)) => {
            let dir = if s.is_dir() {
                s.clone()
            } else {
                s.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            Some(dir.join("amplify-gql.json"))
        }
        (None, None) => None,
    };
    match (&args.config, default_file) {
        (Some(f), _) => read_settings(f, true, &mut settings, &mut problems),
        (None, Some(f)) => read_settings(&f, false, &mut settings, &mut problems),
        (None, None) => {}
    }
    // The command line over the file: a code named by both lists counts as its own flag says.
    for (values, flag) in [(&args.deny, "--deny"), (&args.allow, "--allow")] {
        for v in values {
            match code_of(v) {
                Some(c) if flag == "--deny" => {
                    settings.allow.retain(|a| *a != c);
                    settings.deny.push(c);
                }
                Some(c) => {
                    settings.deny.retain(|d| *d != c);
                    settings.allow.push(c);
                }
                None => problems.push(bad(format!("{flag} {v} is no diagnostic code"), None)),
            }
        }
    }
    if problems.has_errors() {
        return Outcome::failed_as(args.format, &problems, &inputs.sources, color);
    }
    let mut diagnostics = inputs.diagnostics.clone();
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    diagnostics.extend(ds.iter().cloned());
    if let Some(n) = &normalised
        && !diagnostics.has_errors()
    {
        diagnostics.extend(crate::lint::lint(n, &inputs.config));
    }
    // Errors stay errors: `allow` and `deny` are about warnings.
    let mut kept = Diagnostics::default();
    for mut d in diagnostics.iter().cloned() {
        if d.severity == Severity::Warning {
            if settings.allow.contains(&d.code) {
                continue;
            }
            if settings.deny.contains(&d.code) {
                d.severity = Severity::Error;
            }
        }
        kept.push(d);
    }
    if args.input.deny_warnings {
        kept.deny_warnings();
    }
    let errors = kept.errors().count();
    let warnings = kept.warnings().count();
    let text = if errors == 0 {
        format!(
            "lint: {warnings} warning{}\n",
            if warnings == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    let mut document = serde_json::Map::new();
    document.insert("ok".into(), (errors == 0).into());
    Outcome::reported(
        args.format,
        &kept,
        &inputs.sources,
        color,
        text,
        document,
        i32::from(errors > 0),
    )
}
