//! `amplify-gql gql-compile`: compile the schema and write the build folder.
//!
//! In an Amplify project (found upwards from the current folder, or `--project`) the build is
//! the API's `build/` folder, replaced as a whole only after a successful compile. With
//! `--schema` a schema is compiled alone, as a new API named after its folder would be.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::Value as Json;

use super::{InputArgs, Outcome, ReportFormat};
use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::output::{BackgroundUpdate, Change, Mode};
use crate::project::BuildInputs;
use crate::source::SourceMap;

#[derive(Args, Debug)]
pub struct GqlCompileArgs {
    /// Where to write the build (default: the API's build/ folder in a project, ./build with
    /// --schema).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write nothing: list the files a compile would add (A), modify (M) or delete (D), and
    /// exit with 1 when there is any.
    #[arg(long)]
    pub check: bool,
    /// Print the effective auth modes, feature flags, conflict resolution and build settings, and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Compile, then compile again on every change of the schema or the project's files,
    /// printing only what each compile changed in the build (until interrupted).
    #[arg(long, conflicts_with_all = ["check", "print_config"])]
    pub watch: bool,
    /// Accepted for compatibility with `amplify api gql-compile --force`: every compile is a
    /// full one, and the schema is not touched.
    #[arg(long, hide = true)]
    pub force: bool,
    /// Accepted for compatibility: amplify-gql does not compare with the deployed build.
    #[arg(long, hide = true)]
    pub allow_destructive_graphql_schema_updates: bool,
    /// How to report diagnostics and the result.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Seconds since the epoch: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
pub(super) fn now() -> (i64, bool) {
    if let Some(s) = std::env::var_os("SOURCE_DATE_EPOCH")
        && let Some(n) = s.to_str().and_then(|s| s.trim().parse::<i64>().ok())
    {
        return (n, true);
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    (secs, false)
}

/// The API name of a schema compiled alone: `--api-name`, else the name of the folder that
/// holds the schema (`schema/` folders: the folder above).
pub(super) fn standalone_api_name(schema: &Path) -> String {
    let abs = schema
        .canonicalize()
        .unwrap_or_else(|_| schema.to_path_buf());
    let folder = if abs.is_dir() && abs.file_name().is_some_and(|n| n != "schema") {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    folder
        .and_then(|f| f.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "amplifyapi".to_string())
}

/// One compile (`--watch` is `watch::run`).
pub fn run(args: &GqlCompileArgs) -> Outcome {
    compile_once(args, &mut None)
}

/// One compile (or `--check`); `changed` gets what it changed in the build folder when it
/// got that far.
pub(super) fn compile_once(args: &GqlCompileArgs, changed: &mut Option<Vec<Change>>) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load_or_stop(color, args.format) {
        Ok(i) => i,
        Err(stop) => return stop,
    };
    let mut diagnostics = inputs.diagnostics.clone();
    let (now, reproducible) = now();
    let (mut build_inputs, ds) = args.input.build_inputs(&inputs, now);
    diagnostics.extend(ds);
    let out_dir = out_dir(args.out.as_deref(), inputs.project.as_ref());
    if args.print_config {
        let code = if diagnostics.has_errors() { 1 } else { 0 };
        let text = describe(
            &inputs.config,
            &build_inputs,
            inputs.project.as_ref(),
            &out_dir,
        );
        let mut document = serde_json::Map::new();
        document.insert("ok".into(), (code == 0).into());
        document.insert("config".into(), text.clone().into());
        return Outcome::reported(
            args.format,
            &diagnostics,
            &inputs.sources,
            color,
            text,
            document,
            code,
        );
    }
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    diagnostics.extend(ds.iter().cloned());
    if args.input.deny_warnings {
        diagnostics.deny_warnings();
    }
    let Some(normalised) = normalised.filter(|_| !diagnostics.has_errors()) else {
        return Outcome::failed_as(args.format, &diagnostics, &inputs.sources, color);
    };
    if (args.check || args.watch) && !reproducible {
        // The key's expiry counts from the clock: keep the one of the build being checked
        // (or watched, where a new expiry on every compile would be noise).
        build_inputs.stacks.keep_expires = existing_expires(&out_dir);
    }
    // A mapping that moves a resolver the build in place has elsewhere fails on deploy.
    if !build_inputs.stacks.stack_mapping.is_empty()
        && let Ok(previous) = crate::output::BuildOutput::read_templates(&out_dir)
    {
        let moves = crate::review::limits::moves_of_deployed(
            &crate::review::templates(&previous),
            &build_inputs.stacks.stack_mapping,
        );
        diagnostics.extend(crate::review::report::moved_deployed(
            &moves,
            &build_inputs.stacks.stack_mapping_file,
        ));
    }
    let mode = if args.check { Mode::Check } else { Mode::Write };
    // The build streams into the folder as it is made; a failed compile drops the update,
    // which leaves the folder as it was.
    let mut update = BackgroundUpdate::begin(&out_dir, mode);
    if let Err(ds) = crate::compile_into(&normalised, &inputs.config, &build_inputs, &mut update) {
        update.abandon();
        diagnostics.extend(ds.iter().cloned());
        return Outcome::failed_as(args.format, &diagnostics, &inputs.sources, color);
    }
    let changes = match update.finish() {
        Ok(c) => c,
        Err(e) => {
            let verb = if args.check { "read" } else { e.verb() };
            return cannot(
                args.format,
                &diagnostics,
                &inputs.sources,
                color,
                verb,
                &out_dir,
                e.into_io(),
            );
        }
    };
    let (text, code) = if args.check {
        check(&changes, &out_dir)
    } else {
        (
            format!(
                "GraphQL schema compiled successfully: {}\n",
                out_dir.display()
            ),
            0,
        )
    };
    let mut document = serde_json::Map::new();
    document.insert("ok".into(), true.into());
    document.insert("build".into(), out_dir.display().to_string().into());
    document.insert("written".into(), (!args.check).into());
    // Only the JSON report lists the changes (a first build has hundreds of thousands).
    if args.format == ReportFormat::Json {
        let changes: Vec<Json> = changes
            .iter()
            .map(|c| {
                serde_json::json!({
                    "change": c.letter().to_string(),
                    "path": c.path().display().to_string(),
                    "folder": matches!(c, Change::AddedFolder(_)),
                })
            })
            .collect();
        document.insert("changes".into(), Json::Array(changes));
    }
    *changed = Some(changes);
    Outcome::reported(
        args.format,
        &diagnostics,
        &inputs.sources,
        color,
        text,
        document,
        code,
    )
}

/// Where the build goes: `--out`, else the project API's `build/`, else `./build`.
pub(super) fn out_dir(out: Option<&Path>, project: Option<&crate::project::Project>) -> PathBuf {
    match (out, project) {
        (Some(dir), _) => dir.to_path_buf(),
        (None, Some(project)) => project.api_dir.join("build"),
        (None, None) => PathBuf::from("build"),
    }
}

/// The build folder could not be read or written.
fn cannot(
    format: ReportFormat,
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    color: bool,
    verb: &str,
    dir: &Path,
    e: std::io::Error,
) -> Outcome {
    let mut outcome = Outcome::failed_as(format, diagnostics, sources, color);
    outcome
        .stderr
        .push_str(&format!("error: cannot {verb} {}: {e}\n", dir.display()));
    outcome
}

/// `--check`: what writing the build would change, and the exit code.
fn check(changes: &[Change], out_dir: &Path) -> (String, i32) {
    if changes.is_empty() {
        return (format!("{} is up to date\n", out_dir.display()), 0);
    }
    let mut stdout = format!(
        "{} is out of date; gql-compile would change {} path{}:\n",
        out_dir.display(),
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    for c in changes {
        use std::fmt::Write;
        let _ = writeln!(stdout, "{c}");
    }
    (stdout, 1)
}

/// The API key `Expires` of the build in `dir`, if it has one. The root template is large
/// (50 MB at 5,000 models): only the API key's resource is parsed into values.
fn existing_expires(dir: &Path) -> Option<i64> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    struct Root<'a> {
        #[serde(rename = "Resources", borrow)]
        resources: std::collections::HashMap<String, &'a RawValue>,
    }
    let text = std::fs::read_to_string(dir.join("cloudformation-template.json")).ok()?;
    let root: Root = serde_json::from_str(&text).ok()?;
    root.resources
        .iter()
        .filter(|(_, r)| r.get().contains("AWS::AppSync::ApiKey"))
        .filter_map(|(_, r)| serde_json::from_str::<Json>(r.get()).ok())
        .find(|r| r.get("Type").and_then(Json::as_str) == Some("AWS::AppSync::ApiKey"))?
        .pointer("/Properties/Expires")?
        .as_i64()
}

/// `--print-config`.
fn describe(
    config: &Config,
    inputs: &BuildInputs,
    project: Option<&crate::project::Project>,
    out_dir: &Path,
) -> String {
    let mut out = String::new();
    match project {
        Some(p) => {
            out.push_str(&format!("project: {}\n", p.root.display()));
            out.push_str(&format!("api: {} ({})\n", p.api_name, p.api_dir.display()));
            out.push_str(&format!(
                "environment: {}\n",
                p.env.as_deref().unwrap_or("(none)")
            ));
        }
        None => out.push_str(&format!(
            "api: {} (schema compiled alone)\n",
            inputs.api_name
        )),
    }
    out.push_str(&format!("build: {}\n", out_dir.display()));
    out.push_str("\nauth modes:\n");
    for (i, mode) in config.auth.modes().enumerate() {
        let settings: serde_json::Map<String, Json> = mode
            .settings
            .iter()
            .filter(|(k, _)| *k != "authenticationType")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push_str(&format!(
            "  {} {}{}\n",
            if i == 0 { "default   " } else { "additional" },
            mode.kind.appsync_name(),
            if settings.is_empty() {
                String::new()
            } else {
                format!(" {}", Json::Object(settings))
            }
        ));
    }
    out.push_str(&format!(
        "  admin roles: {}\n",
        if config.admin_roles.is_empty() {
            "(none)".to_string()
        } else {
            config.admin_roles.join(", ")
        }
    ));
    out.push_str(&format!(
        "  identity pool: {}\n",
        config.identity_pool_id.as_deref().unwrap_or("(none)")
    ));
    out.push_str("\nfeature flags (graphqltransformer):\n");
    for line in config.flags.describe(&config.flag_origins) {
        out.push_str(&format!("  {line}\n"));
    }
    match &config.datastore {
        None => out.push_str("\nconflict resolution (DataStore): off\n"),
        Some(rc) => {
            out.push_str(&format!(
                "\nconflict resolution (DataStore, from {}):\n",
                rc.source
            ));
            for line in rc.describe() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    let s = &inputs.stacks;
    out.push_str("\nbuild settings:\n");
    out.push_str(&format!("  create API key: {}\n", s.create_api_key));
    out.push_str(&format!(
        "  resolver de-duplication: {}\n",
        if s.disable_resolver_deduping {
            "off"
        } else {
            "on"
        }
    ));
    out.push_str(&format!(
        "  search node-to-node encryption: {}\n",
        if s.search_node_to_node_encryption {
            "on"
        } else {
            "off"
        }
    ));
    if !s.stack_mapping.is_empty() {
        let m: Vec<String> = s
            .stack_mapping
            .iter()
            .map(|(k, v)| format!("{k} -> {v}"))
            .collect();
        out.push_str(&format!("  stack mapping: {}\n", m.join(", ")));
    }
    let names = |v: &[(String, Vec<u8>)]| -> String {
        if v.is_empty() {
            "(none)".into()
        } else {
            v.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    out.push_str(&format!(
        "  user resolvers: {}\n",
        names(&inputs.user_resolvers)
    ));
    let stacks: Vec<&str> = s.user_stacks.iter().map(|u| u.file_name.as_str()).collect();
    out.push_str(&format!(
        "  user stacks: {}\n",
        if stacks.is_empty() {
            "(none)".into()
        } else {
            stacks.join(", ")
        }
    ));
    out.push_str(&format!("  functions: {}\n", names(&inputs.functions)));
    out.push_str(&format!(
        "  S3DeploymentBucket: {:?}\n  S3DeploymentRootKey: {:?}\n",
        inputs.deployment_bucket, inputs.root_key
    ));
    out
}
