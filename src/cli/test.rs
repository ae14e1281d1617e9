//! `amplify-gql test`: runs the project's access tests (YAML files of callers, seed records
//! and steps) on a fresh compile held in memory, with the in-memory AppSync. One line per
//! failing step with its file and line; exit 1 when any step fails.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{InputArgs, Outcome};
use crate::access::{Roles, TestFile};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    #[default]
    Human,
    Json,
    /// GitHub Actions workflow annotations.
    Github,
    /// A SARIF 2.1.0 log of the failing steps.
    Sarif,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Test files, or folders of them (*.yaml, *.yml). Default: the API folder's tests/.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// The clock `$util.time` reads, ISO 8601 (default 2024-06-01T12:00:00.000Z).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: TestFormat,
}

fn test_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            inside.retain(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml"));
            inside.sort();
            out.extend(inside);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// The span of a 1-based line (and column) of `text`, for a diagnostic in a test file.
fn line_span(text: &str, line: usize, col: usize) -> Span {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    let len = rest.find('\n').unwrap_or(rest.len());
    let first = rest[..len].len() - rest[..len].trim_start().len();
    let at = start + (col.saturating_sub(1)).max(first).min(len);
    Span {
        start: at,
        end: (start + len).max(at),
    }
}

pub fn run(args: &TestArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load_or_stop(color, super::ReportFormat::Human) {
        Ok(i) => i,
        Err(stop) => return stop,
    };
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    let mut diagnostics = inputs.diagnostics.clone();
    diagnostics.extend(ds.iter().cloned());
    let Some(normalised) = normalised.filter(|_| !diagnostics.has_errors()) else {
        return Outcome::failed(&diagnostics, &inputs.sources, color);
    };
    let api = match super::simulate::compiled_api(
        &inputs,
        &normalised,
        &args.input,
        diagnostics,
        color,
    ) {
        Ok(a) => a,
        Err(stop) => return stop,
    };
    let paths = if args.paths.is_empty() {
        match &inputs.project {
            Some(p) => vec![p.api_dir.join("tests")],
            None => Vec::new(),
        }
    } else {
        args.paths.clone()
    };
    let files = test_files(&paths);
    if files.is_empty() {
        let d = Diagnostic::error(Code::AccessTestInvalid, "no access test files to run")
            .with_help(
                "name test files or folders, or put *.yaml files in the API folder's tests/",
            );
        return Outcome::failed(&Diagnostics::from(vec![d]), &SourceMap::default(), color);
    }
    let now = match &args.now {
        None => super::simulate::DEFAULT_NOW_MILLIS,
        Some(t) => match crate::appsync::parse_time(t) {
            Some(n) => n,
            None => {
                let d = Diagnostic::error(
                    Code::AccessTestInvalid,
                    format!("--now {t} is not an ISO 8601 time"),
                )
                .with_help("write it as 2024-06-01T12:00:00.000Z");
                return Outcome::failed(&Diagnostics::from(vec![d]), &SourceMap::default(), color);
            }
        },
    };
    let roles = Roles {
        auth: &api.build.auth_role_name,
        unauth: &api.build.unauth_role_name,
    };
    // Read every file first: a broken file stops the run with all its problems.
    let mut parsed = Vec::new();
    let mut problems = Diagnostics::default();
    let mut texts = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                problems.push(
                    Diagnostic::error(
                        Code::AccessTestInvalid,
                        format!("{name} cannot be read: {e}"),
                    )
                    .in_file(name)
                    .with_help("check the path"),
                );
                continue;
            }
        };
        let base = texts
            .iter()
            .map(|(_, t): &(String, String)| t.len())
            .sum::<usize>();
        match TestFile::parse(&text, &roles) {
            Ok(t) => {
                parsed.push((name.clone(), base, t));
                texts.push((name, text));
            }
            Err(errors) => {
                for e in errors {
                    let span = line_span(&text, e.line, e.col);
                    problems.push(
                        Diagnostic::error(Code::AccessTestInvalid, e.message)
                            .at(
                                Span {
                                    start: base + span.start,
                                    end: base + span.end,
                                },
                                "here",
                            )
                            .with_help("see docs/testing.md for the test file format"),
                    );
                }
                texts.push((name, text));
            }
        }
    }
    let mut sources = SourceMap::default();
    for (name, text) in &texts {
        sources.push(name, text);
    }
    if problems.has_errors() {
        return Outcome::failed(&problems, &sources, color);
    }
    // Failing steps as diagnostics, for the CI formats.
    let mut failures = Diagnostics::default();
    let mut lines = Vec::new();
    let mut steps = Vec::new();
    let (mut passed, mut failed) = (0, 0);
    for (name, base, file) in &parsed {
        let results = match crate::access::run(&api, file, now) {
            Ok(r) => r,
            Err(m) => {
                let d = Diagnostic::error(Code::AccessTestInvalid, format!("{name}: {m}"))
                    .in_file(name.clone())
                    .with_help("seed only the schema's models, each record with its key fields");
                return Outcome::failed(&Diagnostics::from(vec![d]), &SourceMap::default(), color);
            }
        };
        for r in results {
            let status = super::simulate::status(&r.response);
            steps.push(
                json!({"file": name, "line": r.step.line, "name": r.step.name, "as": r.step.caller,
                "expect": format!("{:?}", r.step.expect).to_lowercase(), "status": status,
                "passed": r.failure.is_none(), "failure": r.failure}),
            );
            match &r.failure {
                None => passed += 1,
                Some(why) => {
                    failed += 1;
                    lines.push(format!(
                        "{name}:{}: {} (as {}): {why}",
                        r.step.line, r.step.name, r.step.caller
                    ));
                    let text = &sources.text[*base..];
                    let span = line_span(text, r.step.line, 1);
                    failures.push(
                        Diagnostic::error(
                            Code::AccessStepFailed,
                            format!("{} (as {}): {why}", r.step.name, r.step.caller),
                        )
                        .at(
                            Span {
                                start: base + span.start,
                                end: base + span.end,
                            },
                            "this step",
                        )
                        .with_help("fix the schema's rules, or the step's expect"),
                    );
                }
            }
        }
    }
    let stdout = match args.format {
        TestFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(
                &json!({"steps": steps, "passed": passed, "failed": failed})
            )
            .unwrap_or_default()
        ),
        TestFormat::Github => format!(
            "{}test: {} steps, {passed} passed, {failed} failed\n",
            crate::diagnostics::formats::github(&failures, &sources),
            passed + failed
        ),
        TestFormat::Sarif => crate::diagnostics::formats::sarif(&failures, &sources),
        TestFormat::Human => {
            let mut out = lines.join("\n");
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "test: {} steps, {passed} passed, {failed} failed\n",
                passed + failed
            ));
            out
        }
    };
    Outcome {
        stdout,
        stderr: String::new(),
        code: if failed > 0 { 1 } else { 0 },
    }
}
