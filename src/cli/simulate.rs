//! `amplify-gql simulate`: one GraphQL operation against a build folder (ours or the
//! reference's), run offline by the in-memory AppSync, with its outcome: the status, the
//! errors, the data, every DynamoDB request and the tables as they end.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{Map, Value as Json, json};

use super::gql_compile::now;
use super::{InputArgs, Inputs, Outcome};
use crate::appsync::{Api, Build, Database, Identity, Response};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::SourceMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    #[default]
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// The build folder to run (`build/` of a compile, ours or the reference's).
    #[arg(long, value_name = "DIR")]
    pub build: PathBuf,
    /// The caller: a JSON file with `authMode` and `identity` ($ctx.identity), see docs/simulate.md.
    #[arg(long, value_name = "FILE")]
    pub identity: PathBuf,
    /// The GraphQL operation, or @FILE to read it from a file.
    #[arg(long, value_name = "QUERY")]
    pub query: String,
    /// The operation's variables, a JSON object.
    #[arg(long, value_name = "JSON")]
    pub variables: Option<String>,
    /// Records to start with: a JSON file of {"Model": [record, …]}.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// The clock `$util.time` reads, ISO 8601 (default 2024-06-01T12:00:00.000Z).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: SimulateFormat,
}

/// The clock of a simulation unless `--now` says otherwise: 2024-06-01T12:00:00.000Z.
pub const DEFAULT_NOW_MILLIS: i64 = 1_717_243_200_000;

fn input_error(file: &Path, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::SimulationInputInvalid, message)
        .in_file(file.display().to_string())
        .with_help(help)
}

fn read_json(path: &Path, what: &str) -> Result<Json, Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        input_error(
            path,
            format!("the {what} cannot be read: {e}"),
            "check the path",
        )
    })?;
    serde_json::from_str(&text)
        .map_err(|e| input_error(path, format!("the {what} is not JSON: {e}"), "fix the JSON"))
}

/// Everything `run` needs, read and checked; all problems are reported together.
struct SimulationInputs {
    api: Api,
    identity: Identity,
    query: String,
    variables: Map<String, Json>,
    db: Database,
    now: i64,
}

fn load(args: &SimulateArgs) -> Result<SimulationInputs, Diagnostics> {
    let mut errors = Vec::new();
    let build = Build::read(&args.build).map_err(|e| {
        input_error(
            &args.build,
            format!("the build folder cannot be read: {e}"),
            "compile first, or pass a build folder with --build",
        )
    });
    let identity = read_json(&args.identity, "identity file").and_then(|j| {
        Identity::from_json(&j).map_err(|m| {
            input_error(
                &args.identity,
                m,
                "see docs/simulate.md for the identity file",
            )
        })
    });
    let query = match args.query.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file).map_err(|e| {
            input_error(
                Path::new(file),
                format!("the query cannot be read: {e}"),
                "check the path after @",
            )
        }),
        None => Ok(args.query.clone()),
    };
    let variables = match &args.variables {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str::<Json>(text) {
            Ok(Json::Object(m)) => Ok(m),
            _ => Err(Diagnostic::error(
                Code::SimulationInputInvalid,
                "--variables is not a JSON object",
            )
            .with_help("write the variables as {\"name\": value}")),
        },
    };
    let now = match &args.now {
        None => Ok(DEFAULT_NOW_MILLIS),
        Some(t) => crate::appsync::parse_time(t).ok_or_else(|| {
            Diagnostic::error(
                Code::SimulationInputInvalid,
                format!("--now {t} is not an ISO 8601 time"),
            )
            .with_help("write it as 2024-06-01T12:00:00.000Z")
        }),
    };
    let seed = match &args.seed {
        None => Ok(None),
        Some(p) => read_json(p, "seed file").and_then(|j| match j {
            Json::Object(m) => Ok(Some((p.clone(), m))),
            _ => Err(input_error(
                p,
                "the seed file is not an object of models".into(),
                "write {\"Post\": [{\"id\": \"p1\"}]}",
            )),
        }),
    };
    let (build, identity, query, variables, now, seed) =
        match (build, identity, query, variables, now, seed) {
            (Ok(b), Ok(i), Ok(q), Ok(v), Ok(n), Ok(s)) => (b, i, q, v, n, s),
            (b, i, q, v, n, s) => {
                errors.extend(b.err());
                errors.extend(i.err());
                errors.extend(q.err());
                errors.extend(v.err());
                errors.extend(n.err());
                errors.extend(s.err());
                return Err(Diagnostics::from(errors));
            }
        };
    let mut db = Database::new(build.tables.clone());
    if let Some((path, models)) = seed {
        for (model, records) in &models {
            let Some(table) = db
                .tables()
                .find(|t| &t.label == model)
                .map(|t| t.name.clone())
            else {
                errors.push(input_error(
                    &path,
                    format!("the build has no table for model {model}"),
                    "name the models of the schema",
                ));
                continue;
            };
            for (i, r) in records.as_array().into_iter().flatten().enumerate() {
                let Some(record) = r.as_object() else {
                    errors.push(input_error(
                        &path,
                        format!("{model}[{i}] is not an object"),
                        "give each record as an object",
                    ));
                    continue;
                };
                if let Err(e) = db.seed(&table, record) {
                    errors.push(input_error(
                        &path,
                        format!("{model}[{i}]: {}", e.message),
                        "give each record its key fields",
                    ));
                }
            }
            if !records.is_array() {
                errors.push(input_error(
                    &path,
                    format!("{model} is not a list of records"),
                    "write {\"Post\": [{\"id\": \"p1\"}]}",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::from(errors));
    }
    let api = Api::new(build)
        .map_err(|m| Diagnostics::from(vec![input_error(&args.build, m, "pass a build folder")]))?;
    Ok(SimulationInputs {
        api,
        identity,
        query,
        variables,
        db,
        now,
    })
}

/// The four outcomes a reader checks first.
pub fn status(r: &Response) -> &'static str {
    if r.request_denied {
        return "request-denied";
    }
    if r.errors.is_empty() {
        return "ok";
    }
    let root = r
        .errors
        .iter()
        .filter(|e| !e.appended && !e.path.contains('.'));
    let mut any_root = false;
    for e in root {
        any_root = true;
        if e.error_type.as_deref() == Some("Unauthorized") {
            return "denied";
        }
    }
    if any_root || !r.errors.is_empty() {
        "error"
    } else {
        "ok"
    }
}

pub fn run(args: &SimulateArgs) -> Outcome {
    let mut inputs = match load(args) {
        Ok(i) => i,
        Err(ds) => return Outcome::failed(&ds, &SourceMap::default(), false),
    };
    let response = inputs.api.run(
        &inputs.query,
        &inputs.variables,
        &inputs.identity,
        &mut inputs.db,
        inputs.now,
    );
    let errors: Vec<Json> = response
        .errors
        .iter()
        .map(|e| {
            let mut o = json!({ "path": e.path, "errorType": e.error_type, "message": e.message });
            if e.appended {
                o["appended"] = Json::Bool(true);
            }
            o
        })
        .collect();
    let mut tables = Map::new();
    for t in inputs.db.tables() {
        tables.insert(t.label.clone(), Json::Array(t.items().collect()));
    }
    let report = json!({
        "status": status(&response),
        "errors": errors,
        "data": response.data,
        "requests": inputs.db.log,
        "tables": tables,
        "subscriptionFilters": response.subscription_filters,
    });
    let stdout = match args.format {
        SimulateFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        SimulateFormat::Human => human(&report),
    };
    Outcome {
        stdout,
        stderr: String::new(),
        code: 0,
    }
}

fn human(r: &Json) -> String {
    let pretty = |v: &Json| serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = format!("status: {}\n", r["status"].as_str().unwrap_or(""));
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    if !errors.is_empty() {
        out.push_str("errors:\n");
        for e in &errors {
            let path = e["path"]
                .as_str()
                .filter(|p| !p.is_empty())
                .unwrap_or("<request>");
            out.push_str(&format!(
                "  {path}: {}: {}{}\n",
                e["errorType"].as_str().unwrap_or("-"),
                e["message"].as_str().unwrap_or(""),
                if e.get("appended").is_some() {
                    " (appended)"
                } else {
                    ""
                }
            ));
        }
    }
    out.push_str(&format!(
        "data: {}\n",
        pretty(&r["data"]).replace('\n', "\n  ")
    ));
    let requests = r["requests"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("requests: {}\n", requests.len()));
    for (i, q) in requests.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", i + 1, q));
    }
    out.push_str("tables:\n");
    for (label, items) in r["tables"].as_object().into_iter().flatten() {
        out.push_str(&format!(
            "  {label}: {} records\n",
            items.as_array().map_or(0, Vec::len)
        ));
        for item in items.as_array().into_iter().flatten() {
            out.push_str(&format!("    {item}\n"));
        }
    }
    out
}

/// The API a schema without errors compiles to, held in memory and ready for the simulator
/// (`test` and `explain` run on it; nothing is written). `diagnostics` are the run's so far;
/// an error among them or the project's stops with all of them.
pub(super) fn compiled_api(
    inputs: &Inputs,
    normalised: &crate::Normalised,
    input: &InputArgs,
    mut diagnostics: Diagnostics,
    color: bool,
) -> Result<Api, Outcome> {
    let (now_secs, _) = now();
    let (build_inputs, ds) = input.build_inputs(inputs, now_secs);
    diagnostics.extend(ds);
    if diagnostics.has_errors() {
        return Err(Outcome::failed(&diagnostics, &inputs.sources, color));
    }
    let output = crate::compile_with(normalised, &inputs.config, &build_inputs)
        .map_err(|ds| Outcome::failed(&ds, &inputs.sources, color))?;
    let files = output
        .files
        .into_iter()
        .map(|(p, b)| (p.to_string_lossy().replace('\\', "/"), b))
        .collect();
    Build::from_files(Path::new("build"), &files)
        .and_then(Api::new)
        .map_err(|m| {
            let d = Diagnostic::error(
                Code::AccessTestInvalid,
                format!("the compiled build cannot be simulated: {m}"),
            )
            .with_help("report this: a compile the simulator cannot read is a bug");
            Outcome::failed(&Diagnostics::from(vec![d]), &SourceMap::default(), color)
        })
}
