//! Reading an Amplify Gen1 project: where the API is, its schema, its auth modes
//! (`cli-inputs.json`), feature flags (`amplify/cli.json`), admin roles, and what the build
//! takes from the API folder (`parameters.json`, `transform.conf.json`, `resolvers/`,
//! `stacks/`, `functions/`). Standalone builds (`--schema`) get what `amplify add api` would
//! have written.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json, json};

use crate::config::{
    AuthConfig, AuthModeKind, Config, FeatureFlags, FlagOrigins, FlagVariable, ResolverConfig,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceMap;

/// An API resource folder of an Amplify project.
#[derive(Clone, Debug)]
pub struct Project {
    pub root: PathBuf,
    pub api_name: String,
    pub api_dir: PathBuf,
    pub env: Option<String>,
}

fn project_error(message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::ProjectInvalid, message).with_help(help)
}

fn read_json(path: &Path) -> Option<Result<Json, String>> {
    // Only a missing file means "not set": one that cannot be read is an error, never a
    // silent default.
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(format!("{} cannot be read: {e}", path.display()))),
    };
    Some(
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display())),
    )
}

/// How a diagnostic names the type of a JSON value.
fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

/// Whether `dir` is the root of an Amplify project (amplify-cli's `findProjectRoot`).
fn is_project_root(dir: &Path) -> bool {
    let amplify = dir.join("amplify");
    amplify.join(".config").is_dir()
        && (amplify.join(".config/project-config.json").is_file()
            || (amplify.join("#current-cloud-backend").is_dir()
                && amplify.join("backend").is_dir()))
}

/// The flag values Amplify uses for a key missing from an existing project's `cli.json`.
fn existing_project_flags() -> Map<String, Json> {
    let mut m = Map::new();
    for (k, v) in [
        ("addmissingownerfields", json!(false)),
        ("improvepluralization", json!(false)),
        ("validatetypenamereservedwords", json!(true)),
        ("useexperimentalpipelinedtransformer", json!(false)),
        ("enableiterativegsiupdates", json!(false)),
        ("secondarykeyasgsi", json!(false)),
        ("skipoverridemutationinputtypes", json!(false)),
        ("transformerversion", json!(1)),
        ("suppressschemamigrationprompt", json!(true)),
        ("securityenhancementnotification", json!(true)),
        ("showfieldauthnotification", json!(true)),
        ("usesubusernamefordefaultidentityclaim", json!(true)),
        ("usefieldnameforprimarykeyconnectionfield", json!(false)),
        ("enableautoindexquerynames", json!(false)),
        ("respectprimarykeyattributesonconnectionfield", json!(false)),
        ("shoulddeepmergedirectiveconfigdefaults", json!(false)),
        ("populateownerfieldforstaticgroupauth", json!(false)),
        ("subscriptionsinheritprimaryauth", json!(false)),
        ("enablegen2migration", json!(false)),
    ] {
        m.insert(k.to_string(), v);
    }
    m
}

/// The `graphqltransformer` section of a `cli.json`, keys lower-cased; a file, `features` or
/// section that is not an object is an error naming it (the Amplify CLI refuses such a file).
fn transformer_section(json: &Json, file: &str) -> Result<Map<String, Json>, String> {
    let not_object =
        |what: &str, v: &Json| format!("{what} in {file} is {}, not an object", json_kind(v));
    let Some(top) = json.as_object() else {
        return Err(format!("{file} is {}, not an object", json_kind(json)));
    };
    let mut out = Map::new();
    let Some((_, features)) = top.iter().find(|(k, _)| k.eq_ignore_ascii_case("features")) else {
        return Ok(out);
    };
    let features = features
        .as_object()
        .ok_or_else(|| not_object("features", features))?;
    let Some((_, section)) = features
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("graphqltransformer"))
    else {
        return Ok(out);
    };
    let section = section
        .as_object()
        .ok_or_else(|| not_object("features.graphqltransformer", section))?;
    for (k, v) in section {
        out.insert(k.to_ascii_lowercase(), v.clone());
    }
    Ok(out)
}

impl Project {
    /// Walks up from `start` to the project root (a folder with `amplify/.config/` and
    /// either `amplify/.config/project-config.json` or `amplify/#current-cloud-backend/` and
    /// `amplify/backend/`), then finds the AppSync API in `amplify/backend/api/`.
    pub fn find(start: &Path, api_name: Option<&str>) -> Result<Project, Diagnostic> {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        let root = start
            .ancestors()
            .find(|d| is_project_root(d) || d.join("amplify/backend/api").is_dir())
            .ok_or_else(|| {
                project_error(
                    format!(
                        "no Amplify backend project files detected in {} or its parents",
                        start.display()
                    ),
                    "run inside an Amplify project (it has amplify/backend/api/<name>/), pass --project, or compile a schema alone with --schema",
                )
            })?
            .to_path_buf();
        let apis_dir = root.join("amplify/backend/api");
        // The API of amplify-meta.json (service AppSync), else every folder of backend/api.
        let from_meta: Vec<String> = read_json(&root.join("amplify/backend/amplify-meta.json"))
            .and_then(Result::ok)
            .and_then(|m| m.get("api").and_then(Json::as_object).cloned())
            .map(|apis| {
                apis.iter()
                    .filter(|(_, v)| v.get("service").and_then(Json::as_str) == Some("AppSync"))
                    .map(|(k, _)| k.clone())
                    .filter(|k| apis_dir.join(k).is_dir())
                    .collect()
            })
            .unwrap_or_default();
        let mut apis: Vec<String> = if from_meta.is_empty() {
            std::fs::read_dir(&apis_dir)
                .map_err(|e| {
                    project_error(
                        format!("cannot read {}: {e}", apis_dir.display()),
                        "check that the project has amplify/backend/api/<name>/",
                    )
                })?
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        } else {
            from_meta
        };
        apis.sort();
        let api_name = match (api_name, apis.as_slice()) {
            (Some(name), _) if apis.iter().any(|a| a == name) => name.to_string(),
            (Some(name), _) => {
                return Err(project_error(
                    format!(
                        "the project has no API named `{name}`; it has: {}",
                        apis.join(", ")
                    ),
                    "pass --api-name with one of those names",
                ));
            }
            (None, [one]) => one.clone(),
            (None, []) => {
                return Err(project_error(
                    format!("{} holds no API", apis_dir.display()),
                    "add a GraphQL API with `amplify add api`",
                ));
            }
            (None, _) => {
                return Err(project_error(
                    format!("the project has several APIs: {}", apis.join(", ")),
                    "choose one with --api-name",
                ));
            }
        };
        let env = read_json(&root.join("amplify/.config/local-env-info.json"))
            .and_then(Result::ok)
            .and_then(|j| j.get("envName").and_then(Json::as_str).map(str::to_string));
        Ok(Project {
            api_dir: apis_dir.join(&api_name),
            root,
            api_name,
            env,
        })
    }

    /// `schema.graphql` wins over a `schema/` folder.
    pub fn schema_path(&self) -> Result<PathBuf, Diagnostic> {
        let file = self.api_dir.join("schema.graphql");
        let dir = self.api_dir.join("schema");
        if file.is_file() {
            Ok(file)
        } else if dir.is_dir() {
            Ok(dir)
        } else {
            Err(Diagnostic::error(
                Code::SchemaNotFound,
                format!("could not find a schema at {}", file.display()),
            )
            .with_help(
                "add schema.graphql or a schema/ folder of .graphql files to the API folder",
            ))
        }
    }

    fn meta(&self) -> Option<Json> {
        read_json(&self.root.join("amplify/backend/amplify-meta.json")).and_then(Result::ok)
    }

    /// The deployed build's stacks (`amplify/#current-cloud-backend/api/<api>/build/stacks/`).
    fn cloud_stacks_dir(&self) -> PathBuf {
        self.root
            .join("amplify/#current-cloud-backend/api")
            .join(&self.api_name)
            .join("build/stacks")
    }

    /// Whether a deployed stack's `OpenSearchDomain` has node-to-node encryption enabled. What
    /// cannot be read counts as not enabled, as in the CLI: the deployed build is a record of
    /// the last push, not an input the user edits.
    fn deployed_node_to_node_encryption(&self) -> bool {
        let Ok(entries) = std::fs::read_dir(self.cloud_stacks_dir()) else {
            return false;
        };
        entries.filter_map(Result::ok).any(|e| {
            read_json(&e.path()).and_then(Result::ok).is_some_and(|stack| {
                stack.pointer("/Resources/OpenSearchDomain/Properties/NodeToNodeEncryptionOptions/Enabled")
                    == Some(&Json::Bool(true))
            })
        })
    }

    /// The project's configuration: auth modes, feature flags, admin roles, identity pool.
    pub fn config(&self) -> (Config, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut config = Config::default();
        let inputs = self.api_dir.join("cli-inputs.json");
        let meta = self.meta();
        let read = std::fs::read_to_string(&inputs);
        if let Err(e) = &read
            && e.kind() != std::io::ErrorKind::NotFound
        {
            diags.push(
                Diagnostic::error(
                    Code::ConfigInvalid,
                    format!("{} cannot be read: {e}", inputs.display()),
                )
                .in_file(inputs.display().to_string())
                .with_help("make cli-inputs.json a readable file"),
            );
        } else if let Ok(text) = read {
            let file = inputs.display().to_string();
            match cli_inputs_to_appsync(&text) {
                Ok(appsync) => match AuthConfig::from_json_text(&appsync.to_string(), &file) {
                    Ok(auth) => config.auth = auth,
                    Err(ds) => diags.extend(ds),
                },
                Err(messages) => diags.extend(messages.into_iter().map(|message| {
                    Diagnostic::error(Code::ConfigInvalid, message)
                        .in_file(file.clone())
                        .with_help("fix the file or re-create it with `amplify update api`")
                })),
            }
        } else if let Some(auth) = meta
            .as_ref()
            .and_then(|m| m.pointer(&format!("/api/{}/output/authConfig", self.api_name)))
        {
            // Very old projects keep the auth modes in amplify-meta.json only.
            let file = self.root.join("amplify/backend/amplify-meta.json");
            match AuthConfig::from_json_text(&auth.to_string(), &file.display().to_string()) {
                Ok(auth) => config.auth = auth,
                Err(ds) => diags.extend(ds),
            }
        }
        let (flags, origins, ds) = self.flags();
        config.flags = flags;
        config.flag_origins = origins;
        diags.extend(ds);
        let (datastore, ds) = self.resolver_config();
        config.datastore = datastore;
        diags.extend(ds);
        if let Some(meta) = &meta {
            config.identity_pool_id = meta
                .get("auth")
                .and_then(Json::as_object)
                .and_then(|auth| {
                    auth.values()
                        .filter(|a| a.get("service").and_then(Json::as_str) == Some("Cognito"))
                        .find_map(|a| a.pointer("/output/IdentityPoolId").and_then(Json::as_str))
                })
                .map(str::to_string);
        }
        let Some(env) = self.env.as_deref() else {
            // Without a current environment the CLI has no admin roles.
            return (config, diags);
        };
        // Lambda functions that use the API act as admins (`<function>-<env>`).
        if let Some(functions) = meta
            .as_ref()
            .and_then(|m| m.get("function"))
            .and_then(Json::as_object)
        {
            for (name, f) in functions {
                let uses_api = f
                    .get("dependsOn")
                    .and_then(Json::as_array)
                    .is_some_and(|deps| {
                        deps.iter().any(|d| {
                            d.get("category").and_then(Json::as_str) == Some("api")
                                && d.get("resourceName").and_then(Json::as_str)
                                    == Some(self.api_name.as_str())
                        })
                    });
                if uses_api {
                    config.admin_roles.push(format!("{name}-{env}"));
                }
            }
        }
        let roles = self.api_dir.join("custom-roles.json");
        let roles_error = |message: String| {
            Diagnostic::error(Code::ConfigInvalid, message)
                .in_file(roles.display().to_string())
                .with_help("write {\"adminRoleNames\": [\"role-name\"]}")
        };
        if let Some(read) = read_json(&roles) {
            match read.map(|j| j.get("adminRoleNames").cloned()) {
                Err(message) => diags.push(roles_error(message)),
                Ok(Some(Json::String(s))) => config.admin_roles.push(s.replace("${env}", env)),
                Ok(Some(Json::Array(items))) => {
                    for item in &items {
                        match item.as_str() {
                            Some(s) => config.admin_roles.push(s.replace("${env}", env)),
                            None => diags.push(roles_error(format!(
                                "adminRoleNames in custom-roles.json holds {}, not a role name",
                                json_kind(item)
                            ))),
                        }
                    }
                }
                _ => diags.push(
                    Diagnostic::error(
                        Code::ConfigInvalid,
                        "custom-roles.json has no adminRoleNames list",
                    )
                    .in_file(roles.display().to_string())
                    .with_help("write {\"adminRoleNames\": [\"role-name\"]}"),
                ),
            }
        }
        (config, diags)
    }

    /// DataStore conflict resolution: `cli-inputs.json`'s `conflictResolution` when it is not
    /// empty (Amplify maps it onto a `ResolverConfig`), else `transform.conf.json`'s
    /// `ResolverConfig`. A malformed JSON file is reported by `build_inputs`.
    fn resolver_config(&self) -> (Option<ResolverConfig>, Vec<Diagnostic>) {
        let inputs = self.api_dir.join("cli-inputs.json");
        if let Some(cr) = read_json(&inputs).and_then(Result::ok).and_then(|j| {
            j.pointer("/serviceConfiguration/conflictResolution")
                .cloned()
        }) {
            match ResolverConfig::from_conflict_resolution(&cr, &inputs.display().to_string()) {
                Ok(Some(c)) => return (Some(c), Vec::new()),
                Ok(None) => {}
                Err(ds) => return (None, ds),
            }
        }
        let conf = self.api_dir.join("transform.conf.json");
        match read_json(&conf) {
            Some(Ok(j)) => match j.get("ResolverConfig") {
                Some(rc) => match ResolverConfig::from_json(rc, &conf.display().to_string()) {
                    Ok(c) => (c, Vec::new()),
                    Err(ds) => (None, ds),
                },
                None => (None, Vec::new()),
            },
            _ => (None, Vec::new()),
        }
    }

    /// Feature flags: values missing from `amplify/cli.json` take the defaults Amplify uses for
    /// an existing project (one with `amplify/.config/project-config.json`; during `amplify
    /// init` the new-project defaults); `amplify/cli.<env>.json` overrides `cli.json`.
    fn flags(&self) -> (FeatureFlags, FlagOrigins, Vec<Diagnostic>) {
        let existing = self
            .root
            .join("amplify/.config/project-config.json")
            .is_file();
        let mut origins = FlagOrigins::default();
        let mut merged = if existing {
            let defaults = existing_project_flags();
            for name in defaults.keys() {
                origins.record(name, "default for an existing project");
            }
            defaults
        } else {
            Map::new()
        };
        let mut files = vec!["amplify/cli.json".to_string()];
        if let Some(env) = &self.env {
            files.push(format!("amplify/cli.{env}.json"));
        }
        let mut diags = Vec::new();
        let mut read_any = false;
        for file in &files {
            let path = self.root.join(file);
            match read_json(&path) {
                None => {}
                Some(Ok(json)) => {
                    read_any = true;
                    match transformer_section(&json, file) {
                        Ok(section) => {
                            for name in section.keys() {
                                origins.record(name, file);
                            }
                            merged.extend(section);
                        }
                        Err(message) => diags.push(
                            Diagnostic::error(Code::FlagsInvalid, message)
                                .in_file(path.display().to_string())
                                .with_help(
                                    "write {\"features\": {\"graphqltransformer\": {\"flag\": value}}}",
                                ),
                        ),
                    }
                }
                Some(Err(message)) => diags.push(
                    Diagnostic::error(Code::FlagsInvalid, message)
                        .in_file(path.display().to_string())
                        .with_help("fix the JSON of the feature flags file"),
                ),
            }
        }
        if !read_any && diags.is_empty() {
            // A project without cli.json: the flags `amplify init` writes today.
            return (FeatureFlags::default(), FlagOrigins::default(), diags);
        }
        let text = json!({ "features": { "graphqltransformer": merged } }).to_string();
        let file = self.root.join(&files[0]).display().to_string();
        let (flags, ds) = FeatureFlags::from_json_text(&text, &file);
        diags.extend(ds);
        (flags, origins, diags)
    }

    /// The `AMPLIFYCLI…` variables of the project's `.env` file, read as the Amplify CLI reads
    /// it (dotenv 8: `KEY=VALUE` lines, one pair of surrounding quotes removed, `\n` in double
    /// quotes a newline, other values trimmed; no comments after a value).
    pub fn dotenv_flag_variables(&self) -> Vec<FlagVariable> {
        let Ok(text) = std::fs::read_to_string(self.root.join(".env")) else {
            return Vec::new();
        };
        let mut out: Vec<FlagVariable> = Vec::new();
        for line in text.split(['\n', '\r']) {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim();
            let valid = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
            if !valid || !key.starts_with(FlagVariable::PREFIX) {
                continue;
            }
            let value = value.trim_start();
            let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
            let value = if quoted('"') {
                value[1..value.len() - 1].replace("\\n", "\n")
            } else if quoted('\'') {
                value[1..value.len() - 1].to_string()
            } else {
                value.trim().to_string()
            };
            // A later line wins, as in an object.
            out.retain(|v| v.name != key);
            out.push(FlagVariable {
                name: key.to_string(),
                value,
                file: Some(".env".to_string()),
            });
        }
        out
    }

    /// What the build takes from the API folder.
    pub fn build_inputs(&self, now: i64) -> (BuildInputs, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let dir = &self.api_dir;
        let file_error = |path: &Path, message: String, help: &str| {
            Diagnostic::error(Code::ProjectInvalid, message)
                .in_file(path.display().to_string())
                .with_help(help)
        };
        let parameters_file = dir.join("parameters.json");
        let parameters = match read_json(&parameters_file) {
            None => Map::new(),
            Some(Ok(Json::Object(m))) => m,
            Some(Ok(_)) => {
                diags.push(file_error(
                    &parameters_file,
                    "parameters.json is not a JSON object".into(),
                    "write {\"AppSyncApiName\": \"...\", ...}",
                ));
                Map::new()
            }
            Some(Err(m)) => {
                diags.push(file_error(
                    &parameters_file,
                    m,
                    "fix the JSON of parameters.json",
                ));
                Map::new()
            }
        };
        // CloudFormation reads CreateAPIKey as a Number parameter and makes the key when it
        // equals 1; the API's name is a String parameter.
        let create_api_key = match parameters.get("CreateAPIKey") {
            None => true,
            Some(v) => {
                let number = match v {
                    Json::Number(n) => n.as_f64(),
                    Json::String(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                };
                if number.is_none() {
                    diags.push(file_error(
                        &parameters_file,
                        format!(
                            "CreateAPIKey in parameters.json is {}, not a number",
                            match v {
                                Json::String(s) => format!("{s:?}"),
                                other => json_kind(other).to_string(),
                            }
                        ),
                        "write CreateAPIKey as 1 (create the API key) or 0",
                    ));
                }
                number == Some(1.0)
            }
        };
        if let Some(v) = parameters.get("AppSyncApiName")
            && !v.is_string()
        {
            diags.push(file_error(
                &parameters_file,
                format!(
                    "AppSyncApiName in parameters.json is {}, not the API's name (a string)",
                    json_kind(v)
                ),
                "write AppSyncApiName as a string",
            ));
        }
        let conf_file = dir.join("transform.conf.json");
        let (transform, ds) = TransformSettings::read(&conf_file);
        diags.extend(ds);
        // The CLI keeps node-to-node encryption on when the deployed search domain has it
        // (and says so), unless transform.conf.json sets it either way.
        let deployed = self.deployed_node_to_node_encryption();
        if deployed {
            diags.push(
                Diagnostic::warning(
                    Code::NodeToNodeEncryptionDeployed,
                    "node-to-node encryption is on in the deployed search domain",
                )
                .in_file(self.cloud_stacks_dir().display().to_string())
                .with_help(
                    "keep it: turning it off (NodeToNodeEncryption: false in transform.conf.json) rebuilds the search index",
                ),
            );
        }
        let search_node_to_node_encryption = transform.node_to_node_encryption.unwrap_or(deployed);

        let user_resolvers = read_folder(&dir.join("resolvers"), &mut diags)
            .into_iter()
            .filter(|(name, _)| name != "README.md")
            .collect();
        let pipeline_functions: Vec<(String, Vec<u8>)> =
            read_folder(&dir.join("pipelineFunctions"), &mut diags)
                .into_iter()
                .filter(|(name, _)| name != "README.md")
                .collect();
        if !pipeline_functions.is_empty() {
            diags.push(
                Diagnostic::warning(
                    Code::PipelineFunctionsFolder,
                    "the pipelineFunctions/ folder is deprecated: its files are used like those of resolvers/",
                )
                .in_file(dir.join("pipelineFunctions").display().to_string())
                .with_help("move the files to resolvers/ (a file there wins over one of the same name in pipelineFunctions/)"),
            );
        }
        let functions = read_folder(&dir.join("functions"), &mut diags);
        let mut user_stacks = Vec::new();
        for (name, bytes) in read_folder(&dir.join("stacks"), &mut diags) {
            let path = dir.join("stacks").join(&name);
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".yaml") || lower.ends_with(".yml") {
                diags.push(file_error(
                    &path,
                    format!("Yaml is not yet supported. Please convert the CloudFormation stack {name} to json."),
                    "convert the template to JSON",
                ));
                continue;
            }
            if !lower.ends_with(".json") {
                diags.push(file_error(
                    &path,
                    format!(
                        "Invalid extension .{} for stack {name}",
                        name.rsplit('.').next().unwrap_or("")
                    ),
                    "user stacks are CloudFormation templates in JSON, named <Name>.json",
                ));
                continue;
            }
            match serde_json::from_slice::<Json>(&bytes) {
                Ok(template) if template.is_object() => user_stacks.push(UserStack {
                    file_name: name,
                    template,
                }),
                Ok(_) => diags.push(file_error(
                    &path,
                    format!("stacks/{name} is not a CloudFormation template (a JSON object)"),
                    "write the template as a JSON object with Parameters and Resources",
                )),
                Err(e) => diags.push(file_error(
                    &path,
                    format!("stacks/{name} is not valid JSON: {e}"),
                    "fix the JSON of the template",
                )),
            }
        }
        let meta = self.meta();
        let deployment_bucket = meta
            .as_ref()
            .and_then(|m| m.pointer("/providers/awscloudformation/DeploymentBucketName"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let pushed = self
            .root
            .join("amplify/#current-cloud-backend/api")
            .join(&self.api_name)
            .join("build/parameters.json");
        let root_key = read_json(&pushed)
            .and_then(Result::ok)
            .and_then(|p| {
                p.get("S3DeploymentRootKey")
                    .and_then(Json::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("amplify-appsync-files/{}", folder_hash(dir)));
        let inputs = BuildInputs {
            api_name: self.api_name.clone(),
            parameters,
            deployment_bucket,
            root_key,
            stacks: StackSettings {
                now,
                create_api_key,
                disable_resolver_deduping: transform.disable_resolver_deduping,
                search_node_to_node_encryption,
                stack_mapping: transform.stack_mapping,
                stack_mapping_file: conf_file.display().to_string(),
                user_stacks,
                keep_expires: None,
            },
            user_resolvers,
            resolvers_folder: dir.join("resolvers").display().to_string(),
            pipeline_functions,
            pipeline_functions_folder: dir.join("pipelineFunctions").display().to_string(),
            functions,
        };
        (inputs, diags)
    }
}

/// The files of a folder (not recursive, dot-files skipped), sorted by name.
fn read_folder(dir: &Path, diags: &mut Vec<Diagnostic>) -> Vec<(String, Vec<u8>)> {
    let cannot_read = |path: &Path, e: std::io::Error| {
        Diagnostic::error(
            Code::ProjectInvalid,
            format!("cannot read {}: {e}", path.display()),
        )
        .with_help("check the file's permissions")
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        // No folder: nothing to override. One that cannot be listed is not taken for none.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            diags.push(cannot_read(dir, e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diags.push(cannot_read(dir, e));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || entry.path().is_dir() {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => out.push((name, bytes)),
            Err(e) => diags.push(cannot_read(&entry.path(), e)),
        }
    }
    out.sort();
    out
}

/// A hex digest of a folder's files (paths and contents), `build/` excluded: the
/// `S3DeploymentRootKey` of a project that was never pushed. (The Amplify CLI uses another
/// hash; the key only names the upload folder.)
fn folder_hash(dir: &Path) -> String {
    let mut entries = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(read) = std::fs::read_dir(dir.join(&rel)) else {
            continue;
        };
        for e in read.filter_map(Result::ok) {
            let path = rel.join(e.file_name());
            if rel.as_os_str().is_empty() && e.file_name() == "build" {
                continue;
            }
            if e.path().is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(e.path()) {
                entries.push((path.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    entries.sort();
    let mut all = Vec::new();
    for (p, b) in entries {
        all.extend_from_slice(p.as_bytes());
        all.push(0);
        all.extend_from_slice(&b);
        all.push(0);
    }
    md5_hex(&all)
}

/// The `S3DeploymentRootKey` digest of a schema compiled alone: its text's.
pub fn schema_digest(sources: &SourceMap) -> String {
    md5_hex(sources.text.as_bytes())
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The build settings of a `transform.conf.json` (the API's, or `--transform-conf`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TransformSettings {
    /// `StackMapping`: resolver logical id → stack name.
    pub stack_mapping: Vec<(String, String)>,
    /// `DisableResolverDeduping`.
    pub disable_resolver_deduping: bool,
    /// `NodeToNodeEncryption`, when set.
    pub node_to_node_encryption: Option<bool>,
}

impl TransformSettings {
    /// Reads `path`; a missing file sets nothing. A key of the wrong type is an error, never a
    /// silent default: a mapping that is not applied moves nothing, and deduping that is not
    /// turned off changes every stack.
    pub fn read(path: &Path) -> (TransformSettings, Vec<Diagnostic>) {
        match read_json(path) {
            None => (TransformSettings::default(), Vec::new()),
            Some(Ok(conf)) => TransformSettings::from_json(&conf, path),
            Some(Err(m)) => (
                TransformSettings::default(),
                vec![
                    Diagnostic::error(Code::ProjectInvalid, m)
                        .in_file(path.display().to_string())
                        .with_help("fix the JSON of transform.conf.json"),
                ],
            ),
        }
    }

    /// The settings of a parsed `transform.conf.json` read from `path`.
    pub fn from_json(conf: &Json, path: &Path) -> (TransformSettings, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut out = TransformSettings::default();
        let error = |message: String, help: &str| {
            Diagnostic::error(Code::ProjectInvalid, message)
                .in_file(path.display().to_string())
                .with_help(help)
        };
        let mut wrong_type = |key: &str, expected: &str, found: &Json| {
            diags.push(error(
                format!(
                    "{key} in transform.conf.json is {}, not {expected}",
                    json_kind(found)
                ),
                &format!("write {key} as {expected}"),
            ));
        };
        match conf.get("StackMapping") {
            None | Some(Json::Null) => {}
            Some(Json::Object(m)) => {
                for (k, v) in m {
                    match v.as_str() {
                        Some(stack) => out.stack_mapping.push((k.clone(), stack.to_string())),
                        None => {
                            wrong_type(&format!("StackMapping.{k}"), "a stack name (a string)", v)
                        }
                    }
                }
            }
            Some(other) => wrong_type(
                "StackMapping",
                "an object of resolver ids to stack names",
                other,
            ),
        }
        let mut flag = |key: &str| match conf.get(key) {
            None | Some(Json::Null) => None,
            Some(Json::Bool(b)) => Some(*b),
            Some(other) => {
                wrong_type(key, "true or false", other);
                None
            }
        };
        out.disable_resolver_deduping = flag("DisableResolverDeduping").unwrap_or(false);
        out.node_to_node_encryption = flag("NodeToNodeEncryption");
        (out, diags)
    }
}

/// What the stacks take from the project besides the schema, the configuration and the
/// resolvers.
#[derive(Clone, Debug, PartialEq)]
pub struct StackSettings {
    /// Seconds since the epoch that the API key's `Expires` counts from.
    pub now: i64,
    /// `false` when the project's `parameters.json` sets `CreateAPIKey` to anything but 1.
    pub create_api_key: bool,
    /// `transform.conf.json` `DisableResolverDeduping`.
    pub disable_resolver_deduping: bool,
    /// Node-to-node encryption of the `@searchable` domain: `transform.conf.json`
    /// `NodeToNodeEncryption`, else whether the deployed domain has it.
    pub search_node_to_node_encryption: bool,
    /// `transform.conf.json` `StackMapping`: resolver logical id → stack name.
    pub stack_mapping: Vec<(String, String)>,
    /// The `transform.conf.json` it comes from, as diagnostics show it.
    pub stack_mapping_file: String,
    /// The project's `stacks/*.json`, by file name.
    pub user_stacks: Vec<UserStack>,
    /// The API key's `Expires` to keep (from the build `--check` compares with), used when
    /// the auth configuration stores no expiry date.
    pub keep_expires: Option<i64>,
}

impl Default for StackSettings {
    fn default() -> Self {
        StackSettings {
            now: 0,
            create_api_key: true,
            disable_resolver_deduping: false,
            search_node_to_node_encryption: false,
            stack_mapping: Vec::new(),
            stack_mapping_file: "transform.conf.json".to_string(),
            user_stacks: Vec::new(),
            keep_expires: None,
        }
    }
}

/// A user stack: its file name under `stacks/` and its template.
#[derive(Clone, Debug, PartialEq)]
pub struct UserStack {
    pub file_name: String,
    pub template: Json,
}

/// What a build reads besides the schema and the configuration: from the project's API
/// folder, or, for a schema alone, what `amplify add api` would have written.
#[derive(Clone, Debug)]
pub struct BuildInputs {
    pub api_name: String,
    /// The API folder's `parameters.json`.
    pub parameters: Map<String, Json>,
    /// `S3DeploymentBucket` of `build/parameters.json`.
    pub deployment_bucket: String,
    /// `S3DeploymentRootKey` of `build/parameters.json`.
    pub root_key: String,
    pub stacks: StackSettings,
    /// `resolvers/` files (README.md excluded), sorted by name.
    pub user_resolvers: Vec<(String, Vec<u8>)>,
    /// The `resolvers/` folder as diagnostics show it.
    pub resolvers_folder: String,
    /// The deprecated `pipelineFunctions/` folder: like `resolvers/`, which wins over it.
    pub pipeline_functions: Vec<(String, Vec<u8>)>,
    pub pipeline_functions_folder: String,
    /// `functions/` files, copied to `build/functions/`.
    pub functions: Vec<(String, Vec<u8>)>,
}

impl BuildInputs {
    /// A schema compiled alone: the API folder `amplify add api` creates for `api_name`.
    pub fn standalone(
        api_name: &str,
        config: &Config,
        now: i64,
        schema_digest: &str,
    ) -> BuildInputs {
        let mut parameters = Map::new();
        parameters.insert("AppSyncApiName".into(), json!(api_name));
        parameters.insert("DynamoDBBillingMode".into(), json!("PAY_PER_REQUEST"));
        parameters.insert("DynamoDBEnableServerSideEncryption".into(), json!(false));
        if let Some(pool) = config
            .auth
            .modes()
            .find(|m| m.kind == AuthModeKind::UserPools)
            .and_then(|m| m.settings.get("userPoolConfig"))
            .and_then(|c| c.get("userPoolId"))
            .and_then(Json::as_str)
        {
            parameters.insert(
                "AuthCognitoUserPoolId".into(),
                json!({ "Fn::GetAtt": [pool, "Outputs.UserPoolId"] }),
            );
        }
        BuildInputs {
            api_name: api_name.to_string(),
            parameters,
            deployment_bucket: String::new(),
            root_key: format!("amplify-appsync-files/{schema_digest}"),
            stacks: StackSettings {
                now,
                ..StackSettings::default()
            },
            user_resolvers: Vec::new(),
            resolvers_folder: "resolvers".into(),
            pipeline_functions: Vec::new(),
            pipeline_functions_folder: "pipelineFunctions".into(),
            functions: Vec::new(),
        }
    }

    /// `build/parameters.json`: the API's parameters with the deployment bucket and root key.
    pub fn build_parameters(&self) -> Json {
        let mut p = self.parameters.clone();
        p.insert("S3DeploymentBucket".into(), json!(self.deployment_bucket));
        p.insert("S3DeploymentRootKey".into(), json!(self.root_key));
        Json::Object(p)
    }
}

/// Converts `cli-inputs.json` (`serviceConfiguration.defaultAuthType`, `additionalAuthTypes`)
/// to AppSync's auth configuration shape.
fn cli_inputs_to_appsync(text: &str) -> Result<Json, Vec<String>> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| vec![format!("cli-inputs.json is not valid JSON: {e}")])?;
    // Every key of the wrong shape is reported, each with its path in the file.
    let mut wrong = Vec::new();
    let mut expect = |path: &str, v: Option<&Json>, ok: fn(&Json) -> bool, expected: &str| match v {
        None => {
            wrong.push(format!("cli-inputs.json has no {path}"));
            false
        }
        Some(v) if !ok(v) => {
            wrong.push(format!(
                "{path} in cli-inputs.json is {}, not {expected}",
                json_kind(v)
            ));
            false
        }
        Some(_) => true,
    };
    let service = json.get("serviceConfiguration");
    if !expect(
        "serviceConfiguration",
        service,
        Json::is_object,
        "an object",
    ) {
        return Err(wrong);
    }
    let service = service.unwrap_or(&Json::Null);
    let mut modes = Vec::new();
    let default = service.get("defaultAuthType");
    if expect(
        "serviceConfiguration.defaultAuthType",
        default,
        Json::is_object,
        "an object",
    ) {
        modes.push(("serviceConfiguration.defaultAuthType".to_string(), default));
    }
    match service.get("additionalAuthTypes") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("serviceConfiguration.additionalAuthTypes[{i}]");
                if expect(&path, Some(item), Json::is_object, "an object") {
                    modes.push((path, Some(item)));
                }
            }
        }
        Some(other) => {
            expect(
                "serviceConfiguration.additionalAuthTypes",
                Some(other),
                Json::is_array,
                "a list",
            );
        }
    }
    for (path, m) in &modes {
        let mode = m.and_then(|m| m.get("mode"));
        expect(
            &format!("{path}.mode"),
            mode,
            Json::is_string,
            "an auth mode (a string)",
        );
    }
    if !wrong.is_empty() {
        return Err(wrong);
    }
    let convert = |m: &Json| -> Json {
        let mode = m.get("mode").and_then(Json::as_str).unwrap_or("");
        let s = |k: &str| m.get(k).cloned().unwrap_or(Json::Null);
        let mut out = json!({ "authenticationType": mode });
        match mode {
            "API_KEY" => {
                let mut cfg = json!({ "apiKeyExpirationDays": s("expirationTime"), "description": s("keyDescription") });
                if let Some(date) = m.get("apiKeyExpirationDate") {
                    cfg["apiKeyExpirationDate"] = date.clone();
                }
                out["apiKeyConfig"] = cfg;
            }
            "AMAZON_COGNITO_USER_POOLS" => {
                out["userPoolConfig"] = json!({ "userPoolId": s("cognitoUserPoolId") })
            }
            "OPENID_CONNECT" => {
                let mut o = Map::new();
                for (from, to) in [
                    ("openIDProviderName", "name"),
                    ("openIDIssuerURL", "issuerUrl"),
                    ("openIDClientID", "clientId"),
                    ("openIDAuthTTL", "authTTL"),
                    ("openIDIatTTL", "iatTTL"),
                ] {
                    if let Some(v) = m.get(from) {
                        o.insert(to.into(), v.clone());
                    }
                }
                out["openIDConnectConfig"] = Json::Object(o);
            }
            "AWS_LAMBDA" => {
                out["lambdaAuthorizerConfig"] =
                    json!({ "lambdaFunction": s("lambdaFunction"), "ttlSeconds": s("ttlSeconds") })
            }
            _ => {}
        }
        out
    };
    let mut converted = modes.iter().filter_map(|(_, m)| m.map(convert));
    let default = converted.next().unwrap_or(Json::Null);
    let additional: Vec<Json> = converted.collect();
    Ok(json!({ "defaultAuthentication": default, "additionalAuthenticationProviders": additional }))
}
