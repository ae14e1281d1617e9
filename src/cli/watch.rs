//! `gql-compile --watch`: compiles, then looks at the inputs every few hundred milliseconds
//! (modification time and size of every file of the schema, the API folder but its build,
//! the project's settings and the files the options name) and compiles again when one
//! changed. Each compile prints only what changed: the build files it added, modified or
//! deleted, or its diagnostics when they differ from the last compile's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::Outcome;
use super::gql_compile::{GqlCompileArgs, compile_once, out_dir};
use crate::project::Project;

/// How often the inputs are looked at.
const POLL: Duration = Duration::from_millis(250);

/// Each input file with its modification time and size, in a stable order.
type Fingerprint = Vec<(PathBuf, Option<SystemTime>, u64)>;

/// The files a compile reads.
fn inputs(args: &GqlCompileArgs) -> Vec<PathBuf> {
    let i = &args.input;
    let mut roots: Vec<PathBuf> = Vec::new();
    match &i.schema {
        Some(s) => roots.push(s.clone()),
        None => {
            let start = i.project.clone().unwrap_or_else(|| PathBuf::from("."));
            if let Ok(p) = Project::find(&start, i.api_name.as_deref()) {
                roots.push(p.api_dir.clone());
                for f in [
                    "amplify/cli.json",
                    "amplify/backend/backend-config.json",
                    "amplify/backend/amplify-meta.json",
                    "amplify/team-provider-info.json",
                    "amplify/.config/local-env-info.json",
                    ".env",
                ] {
                    roots.push(p.root.join(f));
                }
            }
        }
    }
    roots.extend(
        [&i.auth_config, &i.feature_flags, &i.transform_conf]
            .into_iter()
            .flatten()
            .cloned(),
    );
    roots
}

fn fingerprint(roots: &[PathBuf], build: &Path) -> Fingerprint {
    let mut out = Vec::new();
    for root in roots {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.path() != build)
            .flatten()
        {
            if entry.file_type().is_dir() {
                continue;
            }
            let meta = entry.metadata().ok();
            out.push((
                entry.path().to_path_buf(),
                meta.as_ref().and_then(|m| m.modified().ok()),
                meta.map_or(0, |m| m.len()),
            ));
        }
    }
    out
}

/// The build folder the compile writes (its own writes are no change of the inputs).
fn build_dir(args: &GqlCompileArgs) -> PathBuf {
    let project = match &args.input.schema {
        Some(_) => None,
        None => {
            let start = args
                .input
                .project
                .clone()
                .unwrap_or_else(|| PathBuf::from("."));
            Project::find(&start, args.input.api_name.as_deref()).ok()
        }
    };
    out_dir(args.out.as_deref(), project.as_ref())
}

fn print(stdout: &str, stderr: &str) {
    let _ = std::io::stdout().write_all(stdout.as_bytes());
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().write_all(stderr.as_bytes());
}

/// Runs until the process is interrupted; only a build folder that cannot be watched ends it.
pub fn run(args: &GqlCompileArgs) -> Outcome {
    let build = build_dir(args);
    let mut last_diagnostics = String::new();
    let mut seen: Option<Fingerprint> = None;
    loop {
        // The project may appear or move: its files are looked for again each time.
        let now = fingerprint(&inputs(args), &build);
        if seen.as_ref() != Some(&now) {
            let first = seen.is_none();
            seen = Some(now);
            let mut changed = None;
            let outcome = compile_once(args, &mut changed);
            let stderr = if outcome.stderr != last_diagnostics {
                last_diagnostics = outcome.stderr.clone();
                outcome.stderr.clone()
            } else {
                String::new()
            };
            let stdout = match (&changed, outcome.code) {
                (Some(_), 0) if first => {
                    format!("{}watching for changes (Ctrl-C to stop)\n", outcome.stdout)
                }
                (Some(changes), 0) if changes.is_empty() => {
                    "compiled: the build is unchanged\n".to_string()
                }
                (Some(changes), 0) => {
                    let mut text = format!(
                        "compiled: {} path{} changed\n",
                        changes.len(),
                        if changes.len() == 1 { "" } else { "s" }
                    );
                    for c in changes {
                        text.push_str(&format!("{c}\n"));
                    }
                    text
                }
                _ => "compile failed: the build is as it was\n".to_string(),
            };
            print(&stdout, &stderr);
        }
        std::thread::sleep(POLL);
    }
}
