//! `amplify-gql diff --base REV_OR_PATH [--head PATH]`: compiles two versions of the API in
//! memory and prints what the change does to access, to the data, to the resolvers, to the
//! stacks, and how close the head's stacks are to CloudFormation's limits.
//!
//! The base is a git revision of the head (read with `git show`, copied into a scratch folder
//! that is removed afterwards) or a schema file, schema folder or project folder.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};

use super::{Compiled, InputArgs, Outcome, ReportFormat};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::review::limits::Limits;
use crate::review::{FailOn, Review, Version, report};
use crate::source::SourceMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    #[default]
    #[value(alias = "human")]
    Text,
    Json,
    /// For a pull-request comment.
    Markdown,
    /// The findings as GitHub workflow annotations.
    Github,
    /// The findings as a SARIF 2.1.0 log.
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// New access for some role.
    Grant,
    /// Access taken from some role.
    Revoke,
    /// A table replaced (its data lost).
    Replace,
    /// A table deleted.
    Delete,
    /// A stack over a limit, or index changes no deploy takes.
    Limit,
    /// Never fail on findings.
    None,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The version to compare with: a git revision (`main`, `HEAD~1`, a commit) of the
    /// project or schema, or a schema file, schema folder or project folder.
    #[arg(long, value_name = "REV_OR_PATH")]
    pub base: String,
    /// The version to review: a schema file, schema folder or project folder (default: the
    /// project, or --schema, as it is now).
    #[arg(long, value_name = "PATH")]
    pub head: Option<PathBuf>,
    /// Print the resolvers' unified diffs.
    #[arg(long)]
    pub patch: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
    /// The findings that make the exit code 1.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "replace,delete,limit"
    )]
    pub fail_on: Vec<FailOnArg>,
    /// Count against another limit than AWS's: NAME=N, NAME one of resources,
    /// template-bytes, outputs, parameters, mappings, policy-bytes, role-policies.
    #[arg(long = "limit", value_name = "NAME=N")]
    pub limits: Vec<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// A compiled version and what the reader calls it: a git revision, or a path.
struct Labelled {
    label: String,
    compiled: Compiled,
}

impl Labelled {
    fn version(&self) -> Version<'_> {
        let c = &self.compiled;
        Version {
            label: self.label.clone(),
            sources: &c.inputs.sources,
            normalised: &c.normalised,
            config: &c.inputs.config,
            build: &c.build,
        }
    }
}

/// Input arguments that read `path` instead: a project folder, else a schema.
fn reading(input: &InputArgs, path: &Path) -> InputArgs {
    let mut input = input.clone();
    if path.join("amplify").is_dir() {
        input.project = Some(path.to_path_buf());
        input.schema = None;
    } else {
        input.schema = Some(path.to_path_buf());
        input.project = None;
    }
    input
}

/// Loads and compiles one version; `Err` is what stops the run (its diagnostics rendered).
fn compile(
    label: &str,
    input: &InputArgs,
    now: i64,
    rename: Option<&dyn Fn(&str) -> String>,
) -> Result<Labelled, (Diagnostics, SourceMap)> {
    let compiled = input.compile_in_memory(now, rename, false)?;
    Ok(Labelled {
        label: label.to_string(),
        compiled,
    })
}

/// A folder of files copied out of git, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("git cannot be run: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(out.stdout)
}

/// Copies `paths` (relative to the repository's top `top`) as they are at `rev` into a
/// scratch folder.
fn checkout(rev: &str, top: &Path, paths: &[PathBuf]) -> Result<Scratch, String> {
    let commit = String::from_utf8_lossy(
        &git(
            top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| format!("{rev} is not a revision of the repository"))?,
    )
    .trim()
    .to_string();
    let mut args = vec!["ls-tree", "-r", "-z", "--name-only", commit.as_str(), "--"];
    let rel: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    args.extend(rel.iter().map(String::as_str));
    let listed = git(top, &args)?;
    let files: Vec<String> = listed
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    if files.is_empty() {
        return Err(format!("{rev} has no {}", rel.join(" or ")));
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let scratch = Scratch(
        std::env::temp_dir().join(format!("amplify-gql-diff-{}-{stamp}", std::process::id())),
    );
    for f in &files {
        let bytes = git(top, &["show", &format!("{commit}:{f}")])?;
        let to = scratch.0.join(f);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&to, bytes).map_err(|e| e.to_string())?;
    }
    Ok(scratch)
}

/// Where the head was read from: its project's root, or its schema.
fn head_path(head: &Labelled, input: &InputArgs) -> (PathBuf, bool) {
    match (&head.compiled.inputs.project, &input.schema) {
        (Some(p), _) => (p.root.clone(), true),
        (None, Some(s)) => (s.clone(), false),
        (None, None) => (PathBuf::from("."), false),
    }
}

fn unreadable(message: String, help: &str) -> Diagnostics {
    Diagnostics::from(vec![
        Diagnostic::error(Code::VersionUnreadable, message).with_help(help),
    ])
}

pub fn run(args: &DiffArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let report_format = match args.format {
        DiffFormat::Json => ReportFormat::Json,
        DiffFormat::Github => ReportFormat::Github,
        DiffFormat::Sarif => ReportFormat::Sarif,
        DiffFormat::Text | DiffFormat::Markdown => ReportFormat::Human,
    };
    let stop = |ds: &Diagnostics, sources: &SourceMap| {
        Outcome::failed_as(report_format, ds, sources, color)
    };
    let limits = match Limits::from_args(&args.limits).map_err(Diagnostics::from) {
        Ok(l) => l,
        Err(ds) => return stop(&ds, &SourceMap::default()),
    };
    let (now, _) = super::gql_compile::now();
    let head_input = match &args.head {
        Some(p) => reading(&args.input, p),
        None => args.input.clone(),
    };
    let head = match compile(
        &args
            .head
            .as_ref()
            .map_or("working tree".to_string(), |p| p.display().to_string()),
        &head_input,
        now,
        None,
    ) {
        Ok(c) => c,
        Err((ds, sources)) => return stop(&ds, &sources),
    };
    // The base: a path, else a revision of the head's files.
    let base_path = Path::new(&args.base);
    let (base, _scratch) = if base_path.exists() {
        match compile(&args.base, &reading(&args.input, base_path), now, None) {
            Ok(c) => (c, None),
            Err((ds, sources)) => return stop(&ds, &sources),
        }
    } else {
        let (path, is_project) = head_path(&head, &head_input);
        let abs = match path.canonicalize() {
            Ok(p) => p,
            Err(e) => {
                return stop(
                    &unreadable(format!("{}: {e}", path.display()), "check the path"),
                    &SourceMap::default(),
                );
            }
        };
        let near = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let top = match git(&near, &["rev-parse", "--show-toplevel"]) {
            Ok(t) => PathBuf::from(String::from_utf8_lossy(&t).trim()),
            Err(e) => {
                return stop(
                    &unreadable(
                        format!("{} is neither a file nor a git revision: {e}", args.base),
                        "give --base a revision of the repository the project is in, or a path",
                    ),
                    &SourceMap::default(),
                );
            }
        };
        let top = top.canonicalize().unwrap_or(top);
        let rel = abs
            .strip_prefix(&top)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let paths = if is_project {
            vec![rel.join("amplify"), rel.join(".env")]
        } else {
            vec![rel.clone()]
        };
        let scratch = match checkout(&args.base, &top, &paths) {
            Ok(s) => s,
            Err(e) => {
                return stop(
                    &unreadable(
                        format!("cannot read {} at {}: {e}", rel.display(), args.base),
                        "give --base a revision that has the project or schema, or a path",
                    ),
                    &SourceMap::default(),
                );
            }
        };
        let copied = scratch.0.join(&rel);
        let prefix = format!("{}/", scratch.0.display());
        let shown = format!("{}:", args.base);
        let rename = move |name: &str| match name.strip_prefix(&prefix) {
            Some(rest) => format!("{shown}{rest}"),
            None => name.to_string(),
        };
        match compile(
            &args.base,
            &reading(&args.input, &copied),
            now,
            Some(&rename),
        ) {
            Ok(c) => (c, Some(scratch)),
            Err((ds, sources)) => {
                let mut all = unreadable(
                    format!("the base version ({}) does not compile", args.base),
                    "diff compares two versions that compile; fix or pick another base",
                );
                all.extend(ds.iter().cloned());
                return stop(&all, &sources);
            }
        }
    };
    let review = Review::compare(&base.version(), &head.version(), &limits);
    let fail_on: Vec<FailOn> = args
        .fail_on
        .iter()
        .filter_map(|f| match f {
            FailOnArg::Grant => Some(FailOn::Grant),
            FailOnArg::Revoke => Some(FailOn::Revoke),
            FailOnArg::Replace => Some(FailOn::Replace),
            FailOnArg::Delete => Some(FailOn::Delete),
            FailOnArg::Limit => Some(FailOn::Limit),
            FailOnArg::None => None,
        })
        .collect();
    let failed = fail_on.iter().any(|k| review.has(*k));
    let code = i32::from(failed);
    let (b, h) = (base.label.as_str(), head.label.as_str());
    let mut diagnostics = head.compiled.diagnostics.clone();
    match args.format {
        DiffFormat::Text | DiffFormat::Markdown => {
            let text = if args.format == DiffFormat::Text {
                report::text(&review, b, h, args.patch)
            } else {
                report::markdown(&review, b, h, args.patch)
            };
            Outcome {
                stdout: text,
                stderr: crate::render_diagnostics(
                    &diagnostics,
                    &head.compiled.inputs.sources,
                    color,
                ),
                code,
            }
        }
        DiffFormat::Json => {
            let mut document = report::json(&review, b, h, args.patch);
            document.insert("failed".into(), failed.into());
            Outcome::reported(
                ReportFormat::Json,
                &diagnostics,
                &head.compiled.inputs.sources,
                color,
                String::new(),
                document,
                code,
            )
        }
        DiffFormat::Github | DiffFormat::Sarif => {
            diagnostics.extend(report::diagnostics(
                &review,
                &base.version(),
                &head.version(),
                &fail_on,
            ));
            Outcome::reported(
                report_format,
                &diagnostics,
                &head.compiled.inputs.sources,
                color,
                String::new(),
                serde_json::Map::new(),
                code,
            )
        }
    }
}
