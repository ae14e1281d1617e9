//! Reading an Amplify Gen1 project: where the API is, its schema, its auth modes
//! (`cli-inputs.json`), feature flags (`amplify/cli.json`) and admin roles.

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use crate::config::{AuthConfig, Config, FeatureFlags};
use crate::diagnostics::{Code, Diagnostic};

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

impl Project {
    /// Walks up from `start` to the first folder with `amplify/backend/api/`.
    pub fn find(start: &Path, api_name: Option<&str>) -> Result<Project, Diagnostic> {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        let root = start
            .ancestors()
            .find(|d| d.join("amplify/backend/api").is_dir())
            .ok_or_else(|| {
                project_error(
                    format!("no Amplify project found in {} or its parents", start.display()),
                    "run inside an Amplify project (it has amplify/backend/api/<name>/), or pass --schema",
                )
            })?
            .to_path_buf();
        let apis_dir = root.join("amplify/backend/api");
        let mut apis: Vec<String> = std::fs::read_dir(&apis_dir)
            .map_err(|e| {
                project_error(
                    format!("cannot read {}: {e}", apis_dir.display()),
                    "check the folder's permissions",
                )
            })?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
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
        let env = std::fs::read_to_string(root.join("amplify/.config/local-env-info.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Json>(&t).ok())
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

    /// The project's configuration: auth modes, feature flags, admin roles.
    pub fn config(&self) -> (Config, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let mut config = Config::default();
        let inputs = self.api_dir.join("cli-inputs.json");
        if let Ok(text) = std::fs::read_to_string(&inputs) {
            let file = inputs.display().to_string();
            match cli_inputs_to_appsync(&text) {
                Ok(appsync) => match AuthConfig::from_json_text(&appsync.to_string(), &file) {
                    Ok(auth) => config.auth = auth,
                    Err(ds) => diags.extend(ds),
                },
                Err(message) => diags.push(
                    Diagnostic::error(Code::ConfigInvalid, message)
                        .in_file(file)
                        .with_help("fix the file or re-create it with `amplify update api`"),
                ),
            }
        }
        let cli_json = self.root.join("amplify/cli.json");
        if let Ok(text) = std::fs::read_to_string(&cli_json) {
            let (flags, ds) = FeatureFlags::from_json_text(&text, &cli_json.display().to_string());
            config.flags = flags;
            diags.extend(ds);
        }
        let roles = self.api_dir.join("custom-roles.json");
        if let Ok(text) = std::fs::read_to_string(&roles) {
            let env = self.env.as_deref().unwrap_or("NONE");
            match serde_json::from_str::<Json>(&text)
                .ok()
                .and_then(|j| j.get("adminRoleNames").cloned())
            {
                Some(Json::String(s)) => config.admin_roles.push(s.replace("${env}", env)),
                Some(Json::Array(items)) => config.admin_roles.extend(
                    items
                        .iter()
                        .filter_map(Json::as_str)
                        .map(|s| s.replace("${env}", env)),
                ),
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
}

/// Converts `cli-inputs.json` (`serviceConfiguration.defaultAuthType`, `additionalAuthTypes`)
/// to AppSync's auth configuration shape.
fn cli_inputs_to_appsync(text: &str) -> Result<Json, String> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| format!("cli-inputs.json is not valid JSON: {e}"))?;
    let service = json
        .get("serviceConfiguration")
        .ok_or("cli-inputs.json has no serviceConfiguration")?;
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
                out["openIDConnectConfig"] = json!({
                    "name": s("openIDProviderName"), "issuerUrl": s("openIDIssuerURL"),
                    "clientId": s("openIDClientID"), "authTTL": s("openIDAuthTTL"), "iatTTL": s("openIDIatTTL"),
                })
            }
            "AWS_LAMBDA" => {
                out["lambdaAuthorizerConfig"] =
                    json!({ "lambdaFunction": s("lambdaFunction"), "ttlSeconds": s("ttlSeconds") })
            }
            _ => {}
        }
        out
    };
    let default = service
        .get("defaultAuthType")
        .ok_or("cli-inputs.json has no serviceConfiguration.defaultAuthType")?;
    let additional: Vec<Json> = service
        .get("additionalAuthTypes")
        .and_then(Json::as_array)
        .map(|a| a.iter().map(convert).collect())
        .unwrap_or_default();
    Ok(
        json!({ "defaultAuthentication": convert(default), "additionalAuthenticationProviders": additional }),
    )
}
