//! The subcommands. Each is thin: gather inputs, call the library, print, return an exit code.

pub mod diff;
pub mod explain;
pub mod gql_compile;
pub mod limits;
pub mod lint;
pub mod simulate;
pub mod status;
pub mod test;
pub mod watch;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::config::{AuthConfig, Config, FeatureFlags, FlagOrigins, FlagVariable, ResolverConfig};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::project::{BuildInputs, Project, TransformSettings};
use crate::source::SourceMap;

/// Where the schema and its configuration come from.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// A schema file, or a folder of schema files. Without it, the Amplify project around
    /// the current folder (or --project) is used.
    #[arg(long, value_name = "PATH")]
    pub schema: Option<PathBuf>,
    /// The root of an Amplify project (default: search upwards from the current folder).
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// The API to use when the project has several.
    #[arg(long, value_name = "NAME")]
    pub api_name: Option<String>,
    /// The API's auth modes in AppSync's shape (defaultAuthentication,
    /// additionalAuthenticationProviders). Default: user pools, plus API key, IAM and OIDC.
    #[arg(long, value_name = "FILE")]
    pub auth_config: Option<PathBuf>,
    /// Feature flags: Amplify's cli.json or a flat {flag: value} map.
    #[arg(long, value_name = "FILE")]
    pub feature_flags: Option<PathBuf>,
    /// A transform.conf.json whose ResolverConfig turns on DataStore conflict resolution
    /// (in a project: replaces the API's own).
    #[arg(long, value_name = "FILE")]
    pub transform_conf: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn for_stderr(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

/// Everything a command reads, with the diagnostics found while reading it.
pub struct Inputs {
    pub sources: SourceMap,
    pub config: Config,
    pub diagnostics: Diagnostics,
    pub project: Option<Project>,
}

/// What a command prints: stdout text, rendered diagnostics, exit code.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// How a reporting command prints its diagnostics (`docs/diagnostics.md#formats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Rendered with the token underlined, on stderr.
    #[default]
    Human,
    /// One JSON document on stdout, with a `diagnostics` array.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
    /// A SARIF 2.1.0 log on stdout (the human rendering on stderr).
    Sarif,
}

impl Outcome {
    /// A command's outcome with its diagnostics in `format`: `human` is the command's own
    /// text on stdout; `json` is `document` (the same facts) with a `diagnostics` array;
    /// `github` puts annotations before the text; `sarif` prints only the log on stdout and
    /// the rest on stderr.
    pub fn reported(
        format: ReportFormat,
        diagnostics: &Diagnostics,
        sources: &SourceMap,
        color: bool,
        text: String,
        document: serde_json::Map<String, serde_json::Value>,
        code: i32,
    ) -> Outcome {
        use crate::diagnostics::formats;
        let human = || crate::render_diagnostics(diagnostics, sources, color);
        match format {
            ReportFormat::Human => Outcome {
                stdout: text,
                stderr: human(),
                code,
            },
            ReportFormat::Json => {
                let mut document = document;
                document.insert(
                    "diagnostics".into(),
                    formats::json_array(diagnostics, sources),
                );
                let mut stdout = serde_json::to_string_pretty(&serde_json::Value::Object(document))
                    .expect("a JSON value prints");
                stdout.push('\n');
                Outcome {
                    stdout,
                    stderr: String::new(),
                    code,
                }
            }
            ReportFormat::Github => Outcome {
                stdout: formats::github(diagnostics, sources) + &text,
                stderr: String::new(),
                code,
            },
            ReportFormat::Sarif => Outcome {
                stdout: formats::sarif(diagnostics, sources),
                stderr: human() + &text,
                code,
            },
        }
    }

    /// A run that stops on errors, reported in `format`: exit code 1.
    pub fn failed_as(
        format: ReportFormat,
        diagnostics: &Diagnostics,
        sources: &SourceMap,
        color: bool,
    ) -> Outcome {
        let mut document = serde_json::Map::new();
        document.insert("ok".into(), false.into());
        Outcome::reported(
            format,
            diagnostics,
            sources,
            color,
            String::new(),
            document,
            1,
        )
    }

    /// A run that stops on errors: diagnostics only, exit code 1.
    pub fn failed(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> Outcome {
        Outcome::failed_as(ReportFormat::Human, diagnostics, sources, color)
    }
}

impl InputArgs {
    /// `load`, with a failure to read any schema already turned into the run's outcome
    /// (rendered with `color`, which the caller has decided once for the whole run).
    pub fn load_or_stop(&self, color: bool, format: ReportFormat) -> Result<Inputs, Outcome> {
        self.load()
            .map_err(|ds| Outcome::failed_as(format, &ds, &SourceMap::default(), color))
    }

    /// Reads the schema and configuration. `Err` carries diagnostics that stop the run before
    /// any schema could be read.
    pub fn load(&self) -> Result<Inputs, Diagnostics> {
        let mut diagnostics = Diagnostics::default();
        let mut config = Config::default();
        let mut project = None;
        let schema_path = match &self.schema {
            Some(p) => p.clone(),
            None => {
                let start = self.project.clone().unwrap_or_else(|| PathBuf::from("."));
                let p = Project::find(&start, self.api_name.as_deref())
                    .map_err(|d| Diagnostics::from(vec![d]))?;
                let (c, ds) = p.config();
                config = c;
                diagnostics.extend(ds);
                let path = p.schema_path().map_err(|d| Diagnostics::from(vec![d]))?;
                project = Some(p);
                path
            }
        };
        if let Some(path) = &self.auth_config {
            let file = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => match AuthConfig::from_json_text(&text, &file) {
                    Ok(auth) => {
                        config.auth = auth;
                        extra_auth_keys(&text, &mut config, project.as_ref());
                    }
                    Err(ds) => diagnostics.extend(ds),
                },
                Err(e) => diagnostics.push(
                    crate::diagnostics::Diagnostic::error(
                        crate::diagnostics::Code::ConfigInvalid,
                        format!("cannot read the auth configuration: {e}"),
                    )
                    .in_file(file)
                    .with_help("check the path given to --auth-config"),
                ),
            }
        }
        if let Some(path) = &self.feature_flags {
            let file = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let mut origins = FlagOrigins::default();
                    let (flags, ds) = FeatureFlags::read_json_text(&text, &file, &mut origins);
                    config.flags = flags;
                    config.flag_origins = origins;
                    diagnostics.extend(ds);
                }
                Err(e) => diagnostics.push(
                    crate::diagnostics::Diagnostic::error(
                        crate::diagnostics::Code::FlagsInvalid,
                        format!("cannot read the feature flags: {e}"),
                    )
                    .in_file(file)
                    .with_help("check the path given to --feature-flags"),
                ),
            }
        }
        if let Some(path) = &self.transform_conf {
            let file = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => match ResolverConfig::from_transform_conf_text(&text, &file) {
                    Ok(c) => config.datastore = c,
                    Err(ds) => diagnostics.extend(ds),
                },
                Err(e) => diagnostics.push(
                    crate::diagnostics::Diagnostic::error(
                        crate::diagnostics::Code::ConflictResolutionInvalid,
                        format!("cannot read the transform configuration: {e}"),
                    )
                    .in_file(file)
                    .with_help("check the path given to --transform-conf"),
                ),
            }
        }
        // Variables over every file, the process environment over the project's `.env`.
        let mut vars = flag_variables();
        if let Some(p) = &project {
            for v in p.dotenv_flag_variables() {
                if !vars.iter().any(|e| e.name == v.name) {
                    vars.push(v);
                }
            }
        }
        // A schema compiled alone is in `dev`, as for `extra_auth_keys`.
        let env = match &project {
            Some(p) => p.env.as_deref(),
            None => Some("dev"),
        };
        let ds = config
            .flags
            .apply_variables(&vars, env, &mut config.flag_origins);
        diagnostics.extend(ds);
        if let Err(d) = config.auth.check_api_key() {
            diagnostics.push(d);
        }
        let sources = SourceMap::load(&schema_path).map_err(|d| {
            let mut all = diagnostics.clone();
            all.push(d.into());
            all
        })?;
        Ok(Inputs {
            sources,
            config,
            diagnostics,
            project,
        })
    }
}

impl InputArgs {
    /// What the back half reads besides the schema: the project's files, or what `amplify add
    /// api` would write for a schema compiled alone (named by `--api-name` or its folder);
    /// `--transform-conf`'s build settings over either.
    pub fn build_inputs(&self, inputs: &Inputs, now: i64) -> (BuildInputs, Vec<Diagnostic>) {
        let (mut build_inputs, mut ds) = match &inputs.project {
            Some(p) => p.build_inputs(now),
            None => {
                let name = self.api_name.clone().unwrap_or_else(|| {
                    gql_compile::standalone_api_name(
                        self.schema.as_deref().unwrap_or(Path::new(".")),
                    )
                });
                let digest = crate::project::schema_digest(&inputs.sources);
                (
                    BuildInputs::standalone(&name, &inputs.config, now, &digest),
                    Vec::new(),
                )
            }
        };
        // `--transform-conf` stands for the API's transform.conf.json. (A file that cannot be
        // read or parsed is reported already.)
        if let Some(path) = &self.transform_conf
            && let Some(conf) = std::fs::read_to_string(path)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
        {
            let (transform, more) = TransformSettings::from_json(&conf, path);
            ds.extend(more);
            let s = &mut build_inputs.stacks;
            s.stack_mapping = transform.stack_mapping;
            s.stack_mapping_file = path.display().to_string();
            s.disable_resolver_deduping = transform.disable_resolver_deduping;
            if let Some(on) = transform.node_to_node_encryption {
                s.search_node_to_node_encryption = on;
            }
        }
        (build_inputs, ds)
    }
}

/// A version of the API compiled in memory, with what it was made from (nothing written).
pub struct Compiled {
    pub inputs: Inputs,
    pub normalised: crate::Normalised,
    pub build_inputs: BuildInputs,
    pub build: crate::output::BuildOutput,
    /// Every diagnostic of the compile (warnings only, since it succeeded).
    pub diagnostics: Diagnostics,
}

impl InputArgs {
    /// Loads, checks and compiles in memory, with the clock at `now`. `rename` renames the
    /// schema's files (a copy shown under its original name); `deny_warnings` makes the
    /// front half's warnings stop the run. `Err` is what stops it, with the sources to
    /// render it against.
    pub fn compile_in_memory(
        &self,
        now: i64,
        rename: Option<&dyn Fn(&str) -> String>,
        deny_warnings: bool,
    ) -> Result<Compiled, (Diagnostics, SourceMap)> {
        let mut inputs = self.load().map_err(|ds| (ds, SourceMap::default()))?;
        if let Some(rename) = rename {
            inputs.sources.rename_files(rename);
        }
        let mut diagnostics = inputs.diagnostics.clone();
        let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
        diagnostics.extend(ds.iter().cloned());
        if deny_warnings {
            diagnostics.deny_warnings();
        }
        let Some(normalised) = normalised.filter(|_| !diagnostics.has_errors()) else {
            return Err((diagnostics, inputs.sources));
        };
        let (build_inputs, ds) = self.build_inputs(&inputs, now);
        diagnostics.extend(ds);
        if diagnostics.has_errors() {
            return Err((diagnostics, inputs.sources));
        }
        match crate::compile_with(&normalised, &inputs.config, &build_inputs) {
            Ok(build) => Ok(Compiled {
                inputs,
                normalised,
                build_inputs,
                build,
                diagnostics,
            }),
            Err(ds) => {
                diagnostics.extend(ds.iter().cloned());
                Err((diagnostics, inputs.sources))
            }
        }
    }
}

/// The oracle's auth files may also name admin roles (`adminRoles`, as in `custom-roles.json`)
/// and the Cognito identity pool (`identityPoolId`). `${env}` in a role name is the project's
/// environment; a schema compiled alone is in `dev`, the first environment `amplify init` makes.
fn extra_auth_keys(text: &str, config: &mut Config, project: Option<&Project>) {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    let env = project.and_then(|p| p.env.as_deref()).unwrap_or("dev");
    match json.get("adminRoles") {
        Some(serde_json::Value::String(s)) => config.admin_roles = vec![s.replace("${env}", env)],
        Some(serde_json::Value::Array(items)) => {
            config.admin_roles = items
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(|s| s.replace("${env}", env))
                .collect()
        }
        _ => {}
    }
    if let Some(id) = json
        .get("identityPoolId")
        .and_then(serde_json::Value::as_str)
    {
        config.identity_pool_id = Some(id.to_string());
    }
}

/// The process's `AMPLIFYCLI…` variables, by name.
fn flag_variables() -> Vec<FlagVariable> {
    let mut vars: Vec<FlagVariable> = std::env::vars_os()
        .filter_map(|(k, v)| {
            let name = k.into_string().ok()?;
            name.starts_with(FlagVariable::PREFIX)
                .then(|| FlagVariable {
                    name,
                    value: v.to_string_lossy().into_owned(),
                    file: None,
                })
        })
        .collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    vars
}
