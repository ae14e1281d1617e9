//! DataStore conflict resolution: the `ResolverConfig` of `transform.conf.json` (or the
//! `conflictResolution` of `cli-inputs.json`, which Amplify maps onto the same shape). A project
//! with one gets versioned tables, `sync` queries and the `AmplifyDataStore` delta table.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};

/// How conflicting writes are settled (`ConflictHandler`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConflictHandler {
    Automerge,
    OptimisticConcurrency,
    Lambda(LambdaHandler),
}

/// The Lambda function of a `LAMBDA` handler, by name (the ARN is made from it, with an
/// `-${env}` suffix dropped when the API has no environment) or by ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaHandler {
    pub name: String,
    pub region: Option<String>,
    pub arn: Option<String>,
}

/// One `SyncConfig`: the project's or a model's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    /// `ConflictDetection`: `VERSION` is the only value AppSync knows, kept as written.
    pub detection: String,
    pub handler: ConflictHandler,
}

impl SyncConfig {
    /// `LAMBDA, detection VERSION, function f, region r`: for `--print-config`.
    pub fn describe(&self) -> String {
        let mut out = format!("{}, detection {}", self.handler_name(), self.detection);
        if let Some(l) = self.lambda() {
            out.push_str(&format!(", function {}", l.name));
            if let Some(region) = &l.region {
                out.push_str(&format!(", region {region}"));
            }
            if let Some(arn) = &l.arn {
                out.push_str(&format!(", arn {arn}"));
            }
        }
        out
    }

    pub fn handler_name(&self) -> &'static str {
        match self.handler {
            ConflictHandler::Automerge => "AUTOMERGE",
            ConflictHandler::OptimisticConcurrency => "OPTIMISTIC_CONCURRENCY",
            ConflictHandler::Lambda(_) => "LAMBDA",
        }
    }

    pub fn lambda(&self) -> Option<&LambdaHandler> {
        match &self.handler {
            ConflictHandler::Lambda(l) => Some(l),
            _ => None,
        }
    }
}

/// `ResolverConfig`: a project-wide strategy and per-model ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolverConfig {
    pub project: Option<SyncConfig>,
    /// Model name → its strategy; an entry without both `ConflictDetection` and
    /// `ConflictHandler` falls back to the project's, as in the reference.
    pub models: IndexMap<String, Option<SyncConfig>>,
    /// The file it was read from (for `--print-config`).
    pub source: String,
}

impl ResolverConfig {
    /// The effective settings, one per line: the project's, then each `models` entry's.
    pub fn describe(&self) -> Vec<String> {
        let mut out = vec![format!(
            "project: {}",
            self.project
                .as_ref()
                .map_or("(none)".to_string(), SyncConfig::describe)
        )];
        for (model, entry) in &self.models {
            out.push(match (entry, &self.project) {
                (Some(c), _) => format!("model {model}: {}", c.describe()),
                (None, Some(p)) => format!(
                    "model {model}: {} (the project's: the entry lacks ConflictHandler or ConflictDetection)",
                    p.describe()
                ),
                (None, None) => format!(
                    "model {model}: (none: the entry lacks ConflictHandler or ConflictDetection)"
                ),
            });
        }
        out.push(if self.project.is_some() {
            "other models: the project's".to_string()
        } else {
            "other models: (none)".to_string()
        });
        out
    }

    /// The strategy of a model: its own when complete, else the project's.
    pub fn for_model(&self, model: &str) -> Option<&SyncConfig> {
        self.models
            .get(model)
            .and_then(Option::as_ref)
            .or(self.project.as_ref())
    }

    /// Reads the `ResolverConfig` value of a `transform.conf.json`; `Ok(None)` when the
    /// project does not use DataStore (no `project` and no `models`).
    pub fn from_json(value: &Json, file: &str) -> Result<Option<ResolverConfig>, Vec<Diagnostic>> {
        let bad = |message: String, help: &str| {
            Diagnostic::error(Code::ConflictResolutionInvalid, message)
                .in_file(file)
                .with_help(help)
        };
        let Some(obj) = value.as_object() else {
            if value.is_null() {
                return Ok(None);
            }
            return Err(vec![bad(
                "ResolverConfig must be an object".into(),
                "write {\"project\": {\"ConflictHandler\": \"AUTOMERGE\", \"ConflictDetection\": \"VERSION\"}}",
            )]);
        };
        let mut errors = Vec::new();
        let mut config = ResolverConfig {
            source: file.to_string(),
            ..ResolverConfig::default()
        };
        let present = |key: &str| obj.get(key).is_some_and(|v| !v.is_null());
        if present("project") {
            match read_sync_config(&obj["project"], "ResolverConfig.project") {
                Ok(Some(c)) => config.project = Some(c),
                Ok(None) => {}
                Err(m) => errors.push(bad(m.0, m.1)),
            }
        }
        if present("models") {
            match obj["models"].as_object() {
                Some(models) => {
                    for (name, v) in models {
                        match read_sync_config(v, &format!("ResolverConfig.models.{name}")) {
                            Ok(c) => {
                                config.models.insert(name.clone(), c);
                            }
                            Err(m) => errors.push(bad(m.0, m.1)),
                        }
                    }
                }
                None => errors.push(bad(
                    "ResolverConfig.models must be an object of model name to strategy".into(),
                    "write {\"models\": {\"Post\": {\"ConflictHandler\": \"AUTOMERGE\", \"ConflictDetection\": \"VERSION\"}}}",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((present("project") || present("models")).then_some(config))
    }

    /// Maps `cli-inputs.json`'s `serviceConfiguration.conflictResolution` onto a
    /// `ResolverConfig`, as Amplify does before a compile; `Ok(None)` when it is empty.
    pub fn from_conflict_resolution(
        value: &Json,
        file: &str,
    ) -> Result<Option<ResolverConfig>, Vec<Diagnostic>> {
        let Some(obj) = value.as_object().filter(|o| !o.is_empty()) else {
            return Ok(None);
        };
        let strategy = |s: &Json| -> Json {
            let mut out = serde_json::Map::new();
            let kind = s.get("type").and_then(Json::as_str).unwrap_or("NONE");
            if matches!(kind, "AUTOMERGE" | "OPTIMISTIC_CONCURRENCY" | "LAMBDA") {
                out.insert("ConflictHandler".into(), Json::from(kind));
                out.insert("ConflictDetection".into(), Json::from("VERSION"));
            }
            if kind == "LAMBDA" {
                let r = s.get("resolver").cloned().unwrap_or(Json::Null);
                let mut l = serde_json::Map::new();
                for (from, to) in [("name", "name"), ("region", "region"), ("arn", "lambdaArn")] {
                    if let Some(v) = r.get(from) {
                        l.insert(to.into(), v.clone());
                    }
                }
                out.insert("LambdaConflictHandler".into(), Json::Object(l));
            }
            Json::Object(out)
        };
        let mut rc = serde_json::Map::new();
        if let Some(d) = obj.get("defaultResolutionStrategy") {
            rc.insert("project".into(), strategy(d));
        }
        if let Some(list) = obj
            .get("perModelResolutionStrategy")
            .and_then(Json::as_array)
        {
            let mut models = serde_json::Map::new();
            for m in list {
                if let Some(name) = m.get("entityName").and_then(Json::as_str) {
                    let s = m.get("resolutionStrategy").cloned().unwrap_or(Json::Null);
                    models.insert(name.to_string(), strategy(&s));
                }
            }
            rc.insert("models".into(), Json::Object(models));
        }
        ResolverConfig::from_json(&Json::Object(rc), file)
    }

    /// Reads a whole `transform.conf.json` text (`--transform-conf`).
    pub fn from_transform_conf_text(
        text: &str,
        file: &str,
    ) -> Result<Option<ResolverConfig>, Vec<Diagnostic>> {
        let json: Json = serde_json::from_str(text).map_err(|e| {
            vec![
                Diagnostic::error(
                    Code::ConflictResolutionInvalid,
                    format!("the transform configuration is not valid JSON: {e}"),
                )
                .in_file(file)
                .with_help(
                    "write it as transform.conf.json: {\"Version\": 5, \"ResolverConfig\": {...}}",
                ),
            ]
        })?;
        match json.get("ResolverConfig") {
            None => Ok(None),
            Some(rc) => ResolverConfig::from_json(rc, file),
        }
    }
}

/// A `SyncConfig` object; `Ok(None)` when it lacks `ConflictDetection` or `ConflictHandler`
/// (the reference then uses the project's). `Err` carries the message and the help.
fn read_sync_config(v: &Json, place: &str) -> Result<Option<SyncConfig>, (String, &'static str)> {
    let Some(o) = v.as_object() else {
        return Err((
            format!("{place} must be an object"),
            "write {\"ConflictHandler\": \"AUTOMERGE\", \"ConflictDetection\": \"VERSION\"}",
        ));
    };
    let text = |k: &str| o.get(k).and_then(Json::as_str).filter(|s| !s.is_empty());
    let (Some(detection), Some(handler)) = (text("ConflictDetection"), text("ConflictHandler"))
    else {
        return Ok(None);
    };
    let handler = match handler {
        "AUTOMERGE" => ConflictHandler::Automerge,
        "OPTIMISTIC_CONCURRENCY" => ConflictHandler::OptimisticConcurrency,
        "LAMBDA" => {
            let Some(l) = o.get("LambdaConflictHandler").and_then(Json::as_object) else {
                return Err((
                    format!("{place} has ConflictHandler LAMBDA but no LambdaConflictHandler"),
                    "add \"LambdaConflictHandler\": {\"name\": \"<function name>\"} (or \"lambdaArn\")",
                ));
            };
            let field = |k: &str| l.get(k).and_then(Json::as_str).map(str::to_string);
            // The invoke policy is made from the name even when an ARN is given.
            let Some(name) = field("name") else {
                return Err((
                    format!("{place}.LambdaConflictHandler has no name"),
                    "add \"name\": \"<function name>\" (and \"region\" or \"lambdaArn\" if needed)",
                ));
            };
            ConflictHandler::Lambda(LambdaHandler {
                name,
                region: field("region"),
                arn: field("lambdaArn"),
            })
        }
        other => {
            return Err((
                format!("{place} has an unknown ConflictHandler `{other}`"),
                "use AUTOMERGE, OPTIMISTIC_CONCURRENCY or LAMBDA",
            ));
        }
    };
    Ok(Some(SyncConfig {
        detection: detection.to_string(),
        handler,
    }))
}
