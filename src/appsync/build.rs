//! Reads a build folder (ours or the reference's) the way CloudFormation would deploy it:
//! resolves the intrinsics of the root and nested stacks (`Ref`, `Fn::GetAtt` across
//! nested-stack outputs, `Fn::Join`, `Fn::Sub`, `Fn::If` with conditions, `Fn::Select`,
//! `Fn::Split`) to find the API's auth modes, its data sources, tables, resolvers with their
//! pipeline functions and templates, and the IAM policies of the identity-pool roles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::dynamodb::{KeySchema, Table};

/// The id the simulated API has in ARNs and table names.
pub const API_ID: &str = "simapi";
const ACCOUNT: &str = "123456789012";
const ROOT: &str = "$root";

/// A data source: NONE returns its payload, DynamoDB reads and writes a table.
#[derive(Clone, Debug)]
pub enum DataSource {
    None,
    DynamoDb {
        table: String,
    },
    /// A kind the simulator does not run (Lambda, OpenSearch, HTTP): named in the error.
    Other(String),
}

/// A template: its text, or the S3 location that names a file the build lacks.
#[derive(Clone, Debug)]
pub enum TemplateText {
    Text(String),
    Missing(String),
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub data_source: String,
    pub request: Option<TemplateText>,
    pub response: Option<TemplateText>,
}

#[derive(Clone, Debug)]
pub struct Resolver {
    pub type_name: String,
    pub field_name: String,
    pub pipeline: bool,
    /// Function ids, in order (pipeline resolvers).
    pub functions: Vec<String>,
    pub data_source: Option<String>,
    pub request: Option<TemplateText>,
    pub response: Option<TemplateText>,
}

/// An IAM policy granting or denying `appsync:GraphQL` on resources to roles.
#[derive(Clone, Debug)]
pub struct Policy {
    pub roles: Vec<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

/// A build folder, read.
#[derive(Debug)]
pub struct Build {
    pub dir: PathBuf,
    pub schema: String,
    pub default_mode: String,
    pub additional_modes: Vec<String>,
    pub data_sources: BTreeMap<String, DataSource>,
    pub functions: BTreeMap<String, Function>,
    /// By `Type.field`.
    pub resolvers: BTreeMap<String, Resolver>,
    pub tables: Vec<Table>,
    pub policies: Vec<Policy>,
    pub auth_role_name: String,
    pub unauth_role_name: String,
    /// What could not be read (an unresolvable value, a duplicate resolver).
    pub problems: Vec<String>,
}

struct Cfn {
    root: Json,
    params: Map<String, Json>,
    stacks: BTreeMap<String, Json>,
    stack_by_nested: BTreeMap<String, String>,
    nested_by_stack: BTreeMap<String, String>,
}

fn as_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Cfn {
    fn template(&self, at: &str) -> &Json {
        if at == ROOT {
            &self.root
        } else {
            self.stacks.get(at).unwrap_or(&Json::Null)
        }
    }

    fn resource(&self, at: &str, id: &str) -> Option<&Json> {
        self.template(at).get("Resources").and_then(|r| r.get(id))
    }

    fn text(&self, v: &Json, at: &str) -> Option<String> {
        match self.eval(v, at) {
            Json::Null => None,
            v => Some(as_text(&v)),
        }
    }

    fn ref_resource(&self, at: &str, id: &str) -> String {
        let r = self.resource(at, id).unwrap_or(&Json::Null);
        let p = r.get("Properties").unwrap_or(&Json::Null);
        let named = |k: &str| p.get(k).and_then(|v| self.text(v, at));
        match r.get("Type").and_then(Json::as_str).unwrap_or("") {
            "AWS::DynamoDB::Table" => named("TableName").unwrap_or_else(|| format!("{at}.{id}")),
            "AWS::AppSync::DataSource" => named("Name").unwrap_or_default(),
            "AWS::IAM::Role" => named("RoleName").unwrap_or_else(|| format!("{at}.{id}")),
            "AWS::AppSync::FunctionConfiguration" => format!("fn:{at}:{id}"),
            "AWS::AppSync::GraphQLApi" => {
                format!("arn:aws:appsync:us-east-1:{ACCOUNT}:apis/{API_ID}")
            }
            _ => format!("{at}.{id}"),
        }
    }

    fn get_att(&self, at: &str, id: &str, attr: &str) -> Json {
        let Some(r) = self.resource(at, id) else {
            return Json::String(format!("{id}.{attr}"));
        };
        let kind = r.get("Type").and_then(Json::as_str).unwrap_or("");
        if kind == "AWS::CloudFormation::Stack"
            && at == ROOT
            && let Some(output) = attr.strip_prefix("Outputs.")
        {
            if let Some(stack) = self.stack_by_nested.get(id)
                && let Some(v) = self.stacks[stack].pointer(&format!("/Outputs/{output}/Value"))
            {
                return self.eval(v, stack);
            }
            return Json::String(format!("{id}.{attr}"));
        }
        Json::String(match kind {
            "AWS::AppSync::GraphQLApi" => match attr {
                "ApiId" => API_ID.to_string(),
                "Arn" => format!("arn:aws:appsync:us-east-1:{ACCOUNT}:apis/{API_ID}"),
                _ => format!("{API_ID}.{attr}"),
            },
            "AWS::AppSync::DataSource" => {
                let name = self.ref_resource(at, id);
                if attr == "Name" {
                    name
                } else {
                    format!("datasource:{name}")
                }
            }
            "AWS::AppSync::FunctionConfiguration" => format!("fn:{at}:{id}"),
            "AWS::DynamoDB::Table" => format!(
                "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{}{}",
                self.ref_resource(at, id),
                if attr == "StreamArn" { "/stream" } else { "" }
            ),
            "AWS::IAM::Role" => {
                format!("arn:aws:iam::{ACCOUNT}:role/{}", self.ref_resource(at, id))
            }
            _ => format!("{at}.{id}.{attr}"),
        })
    }

    fn param(&self, at: &str, name: &str) -> Json {
        if at == ROOT {
            if let Some(v) = self.params.get(name) {
                return if v.is_object() || v.is_array() {
                    Json::String(format!("<param:{name}>"))
                } else {
                    v.clone()
                };
            }
            match name {
                "authRoleName" => return Json::String("sim-authRole".into()),
                "unauthRoleName" => return Json::String("sim-unauthRole".into()),
                "env" => return Json::String("NONE".into()),
                _ => {}
            }
            return self
                .root
                .pointer(&format!("/Parameters/{name}/Default"))
                .cloned()
                .unwrap_or_else(|| Json::String(format!("<param:{name}>")));
        }
        if let Some(nested) = self.nested_by_stack.get(at)
            && let Some(v) = self
                .root
                .pointer(&format!("/Resources/{nested}/Properties/Parameters/{name}"))
        {
            return self.eval(v, ROOT);
        }
        self.template(at)
            .pointer(&format!("/Parameters/{name}/Default"))
            .cloned()
            .unwrap_or_else(|| Json::String(format!("<param:{at}:{name}>")))
    }

    fn condition(&self, at: &str, name: &str) -> bool {
        self.template(at)
            .pointer(&format!("/Conditions/{name}"))
            .is_some_and(|c| truthy(&self.eval(c, at)))
    }

    /// The value of `v` in stack `at`; `Ref: AWS::NoValue` is `Null` and dropped from lists
    /// and maps.
    fn eval(&self, v: &Json, at: &str) -> Json {
        match v {
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|x| self.eval(x, at))
                    .filter(|x| !is_no_value(x))
                    .collect(),
            ),
            Json::Object(o) if o.len() == 1 => {
                let (k, a) = o
                    .iter()
                    .next()
                    .map(|(k, a)| (k.as_str(), a))
                    .unwrap_or(("", &Json::Null));
                match k {
                    "Ref" => {
                        let name = a.as_str().unwrap_or("");
                        match name {
                            "AWS::NoValue" => no_value(),
                            "AWS::Region" => "us-east-1".into(),
                            "AWS::AccountId" => ACCOUNT.into(),
                            "AWS::Partition" => "aws".into(),
                            "AWS::URLSuffix" => "amazonaws.com".into(),
                            "AWS::StackName" => "sim-stack".into(),
                            "AWS::StackId" => "sim-stack-id".into(),
                            "AWS::NotificationARNs" => "".into(),
                            _ if self.resource(at, name).is_some() => {
                                Json::String(self.ref_resource(at, name))
                            }
                            _ => self.param(at, name),
                        }
                    }
                    "Fn::GetAtt" => {
                        let (id, attr) = match a {
                            Json::Array(l) => (
                                l.first().and_then(Json::as_str).unwrap_or("").to_string(),
                                l.get(1).map(as_text).unwrap_or_default(),
                            ),
                            other => {
                                let s = as_text(other);
                                match s.split_once('.') {
                                    Some((i, r)) => (i.to_string(), r.to_string()),
                                    None => (s, String::new()),
                                }
                            }
                        };
                        self.get_att(at, &id, &attr)
                    }
                    "Fn::Join" => {
                        let sep = a.get(0).map(as_text).unwrap_or_default();
                        let parts = match self.eval(a.get(1).unwrap_or(&Json::Null), at) {
                            Json::Array(l) => l.iter().map(as_text).collect::<Vec<_>>(),
                            other => vec![as_text(&other)],
                        };
                        Json::String(parts.join(&sep))
                    }
                    "Fn::Sub" => {
                        let (s, vars) = match a {
                            Json::Array(l) => (
                                l.first().map(as_text).unwrap_or_default(),
                                l.get(1).cloned().unwrap_or(Json::Null),
                            ),
                            other => (as_text(other), Json::Null),
                        };
                        let mut out = String::new();
                        let mut rest = s.as_str();
                        while let Some(i) = rest.find("${") {
                            out.push_str(&rest[..i]);
                            let after = &rest[i + 2..];
                            let Some(end) = after.find('}') else {
                                out.push_str(&rest[i..]);
                                rest = "";
                                break;
                            };
                            let name = &after[..end];
                            let value = if let Some(v) = vars.get(name) {
                                self.eval(v, at)
                            } else if let Some((id, attr)) = name.split_once('.') {
                                self.get_att(at, id, attr)
                            } else {
                                self.eval(&serde_json::json!({ "Ref": name }), at)
                            };
                            out.push_str(&as_text(&value));
                            rest = &after[end + 1..];
                        }
                        out.push_str(rest);
                        Json::String(out)
                    }
                    "Fn::If" => {
                        let name = a.get(0).and_then(Json::as_str).unwrap_or("");
                        let pick = if self.condition(at, name) { 1 } else { 2 };
                        self.eval(a.get(pick).unwrap_or(&Json::Null), at)
                    }
                    "Fn::Equals" => Json::Bool(
                        self.eval(a.get(0).unwrap_or(&Json::Null), at)
                            == self.eval(a.get(1).unwrap_or(&Json::Null), at),
                    ),
                    "Fn::Not" => {
                        Json::Bool(!truthy(&self.eval(a.get(0).unwrap_or(&Json::Null), at)))
                    }
                    "Fn::And" => Json::Bool(
                        a.as_array()
                            .into_iter()
                            .flatten()
                            .all(|x| truthy(&self.eval(x, at))),
                    ),
                    "Fn::Or" => Json::Bool(
                        a.as_array()
                            .into_iter()
                            .flatten()
                            .any(|x| truthy(&self.eval(x, at))),
                    ),
                    "Condition" => Json::Bool(self.condition(at, a.as_str().unwrap_or(""))),
                    "Fn::Select" => {
                        let i = as_text(&self.eval(a.get(0).unwrap_or(&Json::Null), at))
                            .parse::<usize>()
                            .unwrap_or(0);
                        match self.eval(a.get(1).unwrap_or(&Json::Null), at) {
                            Json::Array(l) => l.get(i).cloned().unwrap_or(Json::Null),
                            _ => Json::Null,
                        }
                    }
                    "Fn::Split" => {
                        let sep = a.get(0).map(as_text).unwrap_or_default();
                        let s = as_text(&self.eval(a.get(1).unwrap_or(&Json::Null), at));
                        Json::Array(
                            s.split(sep.as_str())
                                .map(|x| Json::String(x.into()))
                                .collect(),
                        )
                    }
                    "Fn::ImportValue" => {
                        Json::String(format!("<import:{}>", as_text(&self.eval(a, at))))
                    }
                    _ => self.eval_map(o, at),
                }
            }
            Json::Object(o) => self.eval_map(o, at),
            other => other.clone(),
        }
    }

    fn eval_map(&self, o: &Map<String, Json>, at: &str) -> Json {
        Json::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), self.eval(v, at)))
                .filter(|(_, v)| !is_no_value(v))
                .collect(),
        )
    }
}

/// `AWS::NoValue`: a marker no template holds.
fn no_value() -> Json {
    serde_json::json!({ "\u{0}NoValue": true })
}

fn is_no_value(v: &Json) -> bool {
    v.get("\u{0}NoValue").is_some()
}

fn truthy(v: &Json) -> bool {
    !matches!(v, Json::Null | Json::Bool(false))
}

/// A build's files by relative path (`stacks/Post.json`, `resolvers/Query.getPost.req.vtl`).
pub type Files = BTreeMap<String, Vec<u8>>;

impl Build {
    /// Reads the build folder `dir` (`schema.graphql`, `cloudformation-template.json`,
    /// `parameters.json`, `stacks/`, `resolvers/`, `pipelineFunctions/`).
    pub fn read(dir: &Path) -> Result<Build, String> {
        let mut files = Files::new();
        for name in [
            "schema.graphql",
            "cloudformation-template.json",
            "parameters.json",
        ] {
            if let Ok(bytes) = std::fs::read(dir.join(name)) {
                files.insert(name.to_string(), bytes);
            }
        }
        for sub in ["stacks", "resolvers", "pipelineFunctions", "functions"] {
            let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
                continue;
            };
            for e in rd.filter_map(Result::ok) {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    files.insert(format!("{sub}/{}", e.file_name().to_string_lossy()), bytes);
                }
            }
        }
        for name in ["cloudformation-template.json", "schema.graphql"] {
            if !files.contains_key(name) {
                return Err(format!(
                    "{}: No such file or directory (os error 2)",
                    dir.join(name).display()
                ));
            }
        }
        Build::from_files(dir, &files)
    }

    /// A build from its files (a compile held in memory); `dir` names it in messages.
    pub fn from_files(dir: &Path, files: &Files) -> Result<Build, String> {
        let json = |name: &str| -> Result<Json, String> {
            let bytes = files
                .get(name)
                .ok_or_else(|| format!("{}: missing", dir.join(name).display()))?;
            serde_json::from_slice(bytes).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let root = json("cloudformation-template.json")?;
        let schema = String::from_utf8_lossy(
            files
                .get("schema.graphql")
                .ok_or_else(|| format!("{}: missing", dir.join("schema.graphql").display()))?,
        )
        .into_owned();
        let params = match json("parameters.json") {
            Ok(Json::Object(m)) => m,
            _ => Map::new(),
        };
        let mut stacks = BTreeMap::new();
        for name in files.keys() {
            if let Some(stem) = name
                .strip_prefix("stacks/")
                .and_then(|n| n.strip_suffix(".json"))
            {
                stacks.insert(stem.to_string(), json(name)?);
            }
        }
        let mut cfn = Cfn {
            root,
            params,
            stacks,
            stack_by_nested: BTreeMap::new(),
            nested_by_stack: BTreeMap::new(),
        };
        let nested: Vec<(String, String)> = cfn
            .root
            .get("Resources")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, r)| {
                r.get("Type").and_then(Json::as_str) == Some("AWS::CloudFormation::Stack")
            })
            .filter_map(|(id, r)| {
                let url = r
                    .pointer("/Properties/TemplateURL")
                    .and_then(|u| cfn.text(u, ROOT))
                    .unwrap_or_default();
                let name = url
                    .rsplit_once("/stacks/")
                    .and_then(|(_, f)| f.strip_suffix(".json"))
                    .unwrap_or(id)
                    .to_string();
                cfn.stacks.contains_key(&name).then(|| (id.clone(), name))
            })
            .collect();
        for (id, name) in nested {
            cfn.nested_by_stack.insert(name.clone(), id.clone());
            cfn.stack_by_nested.insert(id, name);
        }
        let mut build = Build {
            dir: dir.to_path_buf(),
            schema,
            default_mode: String::new(),
            additional_modes: Vec::new(),
            data_sources: BTreeMap::new(),
            functions: BTreeMap::new(),
            resolvers: BTreeMap::new(),
            tables: Vec::new(),
            policies: Vec::new(),
            auth_role_name: as_text(&cfn.param(ROOT, "authRoleName")),
            unauth_role_name: as_text(&cfn.param(ROOT, "unauthRoleName")),
            problems: Vec::new(),
        };
        let mut places: Vec<&str> = vec![ROOT];
        places.extend(cfn.stacks.keys().map(String::as_str));
        for at in places {
            let resources = cfn.template(at).get("Resources").and_then(Json::as_object);
            for (id, r) in resources.into_iter().flatten() {
                build.add_resource(&cfn, files, at, id, r);
            }
        }
        Ok(build)
    }

    fn add_resource(&mut self, cfn: &Cfn, files: &Files, at: &str, id: &str, r: &Json) {
        let p = r.get("Properties").unwrap_or(&Json::Null);
        let text = |k: &str| p.get(k).and_then(|v| cfn.text(v, at));
        let template = |inline: &str, s3: &str| -> Option<TemplateText> {
            if let Some(loc) = text(s3) {
                let file = ["resolvers/", "pipelineFunctions/", "functions/"]
                    .iter()
                    .find_map(|f| loc.rfind(f).map(|i| loc[i..].to_string()));
                return Some(match file.and_then(|f| files.get(&f)) {
                    Some(t) => TemplateText::Text(String::from_utf8_lossy(t).into_owned()),
                    None => TemplateText::Missing(loc),
                });
            }
            text(inline).map(TemplateText::Text)
        };
        let request = || template("RequestMappingTemplate", "RequestMappingTemplateS3Location");
        let response = || {
            template(
                "ResponseMappingTemplate",
                "ResponseMappingTemplateS3Location",
            )
        };
        match r.get("Type").and_then(Json::as_str).unwrap_or("") {
            "AWS::AppSync::GraphQLApi" => {
                self.default_mode = text("AuthenticationType").unwrap_or_default();
                self.additional_modes = p
                    .get("AdditionalAuthenticationProviders")
                    .map(|v| cfn.eval(v, at))
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|x| x.get("AuthenticationType").map(as_text))
                    .collect();
            }
            "AWS::AppSync::DataSource" => {
                let name = text("Name").unwrap_or_default();
                let kind = text("Type").unwrap_or_default();
                let ds = match kind.as_str() {
                    "NONE" => DataSource::None,
                    "AMAZON_DYNAMODB" => DataSource::DynamoDb {
                        table: p
                            .pointer("/DynamoDBConfig/TableName")
                            .and_then(|v| cfn.text(v, at))
                            .unwrap_or_default(),
                    },
                    other => DataSource::Other(other.to_string()),
                };
                self.data_sources.insert(name, ds);
            }
            "AWS::DynamoDB::Table" => {
                let name = cfn.ref_resource(at, id);
                let schema_of = |ks: &Json| {
                    let part = |kind: &str| {
                        ks.as_array()
                            .into_iter()
                            .flatten()
                            .find(|k| k.get("KeyType").and_then(Json::as_str) == Some(kind))
                            .and_then(|k| k.get("AttributeName"))
                            .map(as_text)
                    };
                    KeySchema {
                        hash: part("HASH").unwrap_or_default(),
                        range: part("RANGE"),
                    }
                };
                let key = schema_of(
                    &p.get("KeySchema")
                        .map(|k| cfn.eval(k, at))
                        .unwrap_or(Json::Null),
                );
                let mut indexes = BTreeMap::new();
                for kind in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
                    let list = p.get(kind).map(|v| cfn.eval(v, at)).unwrap_or(Json::Null);
                    for ix in list.as_array().into_iter().flatten() {
                        let name = ix.get("IndexName").map(as_text).unwrap_or_default();
                        indexes.insert(name, schema_of(ix.get("KeySchema").unwrap_or(&Json::Null)));
                    }
                }
                let marker = format!("-{API_ID}-");
                let label = name
                    .find(&marker)
                    .map_or(name.clone(), |i| name[..i].to_string());
                self.tables.push(Table::new(&name, &label, key, indexes));
            }
            "AWS::AppSync::FunctionConfiguration" => {
                self.functions.insert(
                    format!("fn:{at}:{id}"),
                    Function {
                        name: text("Name").unwrap_or_default(),
                        data_source: text("DataSourceName").unwrap_or_default(),
                        request: request(),
                        response: response(),
                    },
                );
            }
            "AWS::AppSync::Resolver" => {
                let type_name = text("TypeName").unwrap_or_default();
                let field_name = text("FieldName").unwrap_or_default();
                let pipeline = text("Kind").as_deref() == Some("PIPELINE");
                let functions = if pipeline {
                    p.pointer("/PipelineConfig/Functions")
                        .map(|v| cfn.eval(v, at))
                        .and_then(|v| v.as_array().cloned())
                        .unwrap_or_default()
                        .iter()
                        .map(as_text)
                        .collect()
                } else {
                    Vec::new()
                };
                let key = format!("{type_name}.{field_name}");
                if self.resolvers.contains_key(&key) {
                    self.problems.push(format!("duplicate resolver {key}"));
                }
                self.resolvers.insert(
                    key,
                    Resolver {
                        type_name,
                        field_name,
                        pipeline,
                        functions,
                        data_source: text("DataSourceName"),
                        request: request(),
                        response: response(),
                    },
                );
            }
            "AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy" => {
                let roles: Vec<String> = p
                    .get("Roles")
                    .map(|v| cfn.eval(v, at))
                    .and_then(|v| v.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(as_text)
                    .collect();
                let doc = p
                    .get("PolicyDocument")
                    .map(|v| cfn.eval(v, at))
                    .unwrap_or(Json::Null);
                let statements = match doc.get("Statement") {
                    Some(Json::Array(l)) => l.clone(),
                    Some(s) => vec![s.clone()],
                    None => Vec::new(),
                };
                let (mut allow, mut deny) = (Vec::new(), Vec::new());
                let list = |v: Option<&Json>| match v {
                    Some(Json::Array(l)) => l.iter().map(as_text).collect::<Vec<_>>(),
                    Some(s) => vec![as_text(s)],
                    None => Vec::new(),
                };
                for s in &statements {
                    let actions = list(s.get("Action"));
                    if !actions
                        .iter()
                        .any(|a| a == "appsync:GraphQL" || a == "appsync:*" || a == "*")
                    {
                        continue;
                    }
                    let target = if s.get("Effect").and_then(Json::as_str) == Some("Deny") {
                        &mut deny
                    } else {
                        &mut allow
                    };
                    target.extend(list(s.get("Resource")));
                }
                if !allow.is_empty() || !deny.is_empty() {
                    self.policies.push(Policy { roles, allow, deny });
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn files(root: Json, stacks: &[(&str, Json)]) -> Files {
        let mut f = Files::new();
        f.insert(
            "schema.graphql".into(),
            b"type Query { a: String }".to_vec(),
        );
        f.insert(
            "cloudformation-template.json".into(),
            root.to_string().into_bytes(),
        );
        for (name, s) in stacks {
            f.insert(format!("stacks/{name}.json"), s.to_string().into_bytes());
        }
        f.insert("resolvers/Query.a.req.vtl".into(), b"{}".to_vec());
        f
    }

    #[test]
    fn intrinsics_resolve_across_the_root_and_nested_stacks() {
        let root = json!({
            "Parameters": {"env": {"Type": "String"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "env"}, "prod"]}},
            "Resources": {
                "GraphQLAPI": {"Type": "AWS::AppSync::GraphQLApi", "Properties": {
                    "AuthenticationType": "API_KEY",
                    "AdditionalAuthenticationProviders": [{"AuthenticationType": "AWS_IAM"}]}},
                "Post": {"Type": "AWS::CloudFormation::Stack", "Properties": {
                    "TemplateURL": {"Fn::Join": ["/", ["https://s3", {"Ref": "AWS::URLSuffix"}, "stacks", "Post.json"]]},
                    "Parameters": {"apiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}}}},
                "QueryA": {"Type": "AWS::AppSync::Resolver", "Properties": {
                    "TypeName": "Query", "FieldName": "a", "Kind": "PIPELINE",
                    "PipelineConfig": {"Functions": [{"Fn::GetAtt": ["Post", "Outputs.FnId"]}]},
                    "RequestMappingTemplateS3Location": {"Fn::Sub": ["s3://${Bucket}/resolvers/Query.a.req.vtl", {"Bucket": "b"}]},
                    "ResponseMappingTemplate": {"Fn::If": ["IsProd", "prod", "$util.toJson($ctx.prev.result)"]}}}
            }
        });
        let post = json!({
            "Parameters": {"apiId": {"Type": "String"}},
            "Resources": {
                "PostTable": {"Type": "AWS::DynamoDB::Table", "Properties": {
                    "TableName": {"Fn::Join": ["-", ["Post", {"Ref": "apiId"}, "NONE"]]},
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "GlobalSecondaryIndexes": [{"IndexName": "byOwner", "KeySchema": [
                        {"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}]}]}},
                "PostDS": {"Type": "AWS::AppSync::DataSource", "Properties": {
                    "Name": "PostTable", "Type": "AMAZON_DYNAMODB", "DynamoDBConfig": {"TableName": {"Ref": "PostTable"}}}},
                "Fn": {"Type": "AWS::AppSync::FunctionConfiguration", "Properties": {
                    "Name": "get", "DataSourceName": {"Fn::GetAtt": ["PostDS", "Name"]},
                    "RequestMappingTemplate": "{}", "ResponseMappingTemplateS3Location": "s3://b/resolvers/Missing.vtl"}}
            },
            "Outputs": {"FnId": {"Value": {"Fn::GetAtt": ["Fn", "FunctionId"]}}}
        });
        let b = Build::from_files(Path::new("build"), &files(root, &[("Post", post)])).unwrap();
        assert_eq!(
            (b.default_mode.as_str(), b.additional_modes.as_slice()),
            ("API_KEY", &["AWS_IAM".to_string()][..])
        );
        assert_eq!(b.tables[0].name, format!("Post-{API_ID}-NONE"));
        assert_eq!(b.tables[0].label, "Post");
        assert_eq!(
            b.tables[0].indexes["byOwner"].range.as_deref(),
            Some("createdAt")
        );
        assert!(
            matches!(&b.data_sources["PostTable"], DataSource::DynamoDb { table } if table == &b.tables[0].name)
        );
        let r = &b.resolvers["Query.a"];
        assert_eq!(r.functions, ["fn:Post:Fn"]);
        assert!(matches!(&r.request, Some(TemplateText::Text(t)) if t == "{}"));
        assert!(
            matches!(&r.response, Some(TemplateText::Text(t)) if t == "$util.toJson($ctx.prev.result)")
        );
        let f = &b.functions["fn:Post:Fn"];
        assert_eq!(f.data_source, "PostTable");
        assert!(
            matches!(&f.response, Some(TemplateText::Missing(loc)) if loc.ends_with("resolvers/Missing.vtl"))
        );
    }
}
