//! One GraphQL operation, run as AppSync runs it: the caller's auth mode must be enabled on
//! the API; each field's auth directives (on the field, else its type, else the default mode)
//! and, for IAM callers of the identity-pool roles, the roles' policies decide whether it may
//! be read; a field with a resolver runs it (before template, pipeline functions with their
//! data sources, after template, one stash), others are read from the parent's result. Errors
//! and null propagation follow the GraphQL specification (with graphql-js's messages).

use std::collections::BTreeSet;

use apollo_compiler::ast::{Type, Value as AstValue};
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use serde_json::{Map, Value as Json, json};

use super::build::{API_ID, Build, DataSource, Function, TemplateText};
use super::coerce::literal;
use super::identity::Identity;
use crate::dynamodb::Database;
use crate::velocity::{Env, Template, Value};

/// An error in the response: where, of what type, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseError {
    /// The response path, joined with `.` (empty for a request error).
    pub path: String,
    pub error_type: Option<String>,
    pub message: String,
    /// Added by `$util.appendError` (the field still has its value).
    pub appended: bool,
}

/// What a request came to.
#[derive(Debug, Default)]
pub struct Response {
    /// Refused before any field ran (no credentials, or a mode the API does not have).
    pub request_denied: bool,
    pub data: Json,
    pub errors: Vec<ResponseError>,
    /// The filters subscribe-time templates set, in order.
    pub subscription_filters: Vec<Json>,
}

const AUTH_DIRECTIVES: &[(&str, &str)] = &[
    ("aws_api_key", "API_KEY"),
    ("aws_iam", "AWS_IAM"),
    ("aws_cognito_user_pools", "AMAZON_COGNITO_USER_POOLS"),
    ("aws_auth", "AMAZON_COGNITO_USER_POOLS"),
    ("aws_oidc", "OPENID_CONNECT"),
    ("aws_lambda", "AWS_LAMBDA"),
];

const AWS_SCALARS: &[&str] = &[
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
    "BigInt",
    "Double",
];

/// The API of a build, ready to take requests.
pub struct Api {
    pub build: Build,
    schema: Valid<Schema>,
    /// Templates parsed once, by their text: a test file runs the same resolvers many times.
    templates: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<Template>>>,
}

impl Api {
    pub fn new(build: Build) -> Result<Api, String> {
        // AppSync defines its scalars and directives; the build's schema uses them undeclared.
        let mut sdl = build.schema.clone();
        for s in AWS_SCALARS {
            if !sdl.contains(&format!("scalar {s}")) {
                sdl.push_str(&format!("\nscalar {s}"));
            }
        }
        sdl.push_str(
            "\ndirective @aws_api_key on OBJECT | FIELD_DEFINITION\n\
             directive @aws_iam on OBJECT | FIELD_DEFINITION\n\
             directive @aws_oidc on OBJECT | FIELD_DEFINITION\n\
             directive @aws_lambda on OBJECT | FIELD_DEFINITION\n\
             directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION\n\
             directive @aws_auth(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION\n\
             directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION\n\
             directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION\n",
        );
        let schema = match Schema::parse_and_validate(&sdl, "schema.graphql") {
            Ok(s) => s,
            Err(with) => Valid::assume_valid(with.partial),
        };
        Ok(Api {
            build,
            schema,
            templates: Default::default(),
        })
    }

    /// The auth modes (and `cognito_groups`) that may read `parent.field`: its directives, else
    /// its type's, else the API's default mode.
    pub fn field_modes(&self, parent: &str, field: &str) -> (Vec<&'static str>, Vec<String>) {
        let auth = |d: &&apollo_compiler::Node<apollo_compiler::ast::Directive>| {
            AUTH_DIRECTIVES.iter().any(|(n, _)| *n == d.name.as_str())
        };
        let (on_field, on_type): (Vec<_>, Vec<_>) = match self.schema.types.get(parent) {
            Some(ExtendedType::Object(o)) => (
                o.fields
                    .get(field)
                    .map(|f| f.directives.iter().filter(auth).cloned().collect())
                    .unwrap_or_default(),
                o.directives
                    .iter()
                    .map(|d| d.node.clone())
                    .collect::<Vec<_>>()
                    .iter()
                    .filter(auth)
                    .cloned()
                    .collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let chosen = if on_field.is_empty() {
            on_type
        } else {
            on_field
        };
        let mut modes: Vec<&'static str> = Vec::new();
        let mut groups = Vec::new();
        for d in &chosen {
            if let Some((_, m)) = AUTH_DIRECTIVES.iter().find(|(n, _)| *n == d.name.as_str())
                && !modes.contains(m)
            {
                modes.push(m);
            }
            if matches!(d.name.as_str(), "aws_cognito_user_pools" | "aws_auth")
                && let Some(v) = d.specified_argument_by_name("cognito_groups")
                && let Json::Array(l) = literal(v, &Map::new())
            {
                groups.extend(l.iter().filter_map(Json::as_str).map(str::to_string));
            }
        }
        if chosen.is_empty() {
            let default = AUTH_DIRECTIVES
                .iter()
                .map(|(_, m)| *m)
                .find(|m| *m == self.build.default_mode)
                .unwrap_or("API_KEY");
            modes.push(default);
        }
        (modes, groups)
    }

    /// The fields of an input type of the API.
    pub fn input_fields(&self, input_type: &str) -> Vec<String> {
        match self.schema.types.get(input_type) {
            Some(ExtendedType::InputObject(i)) => i.fields.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    /// A value for every required field of an input type: `"sample"` for text, 1 for numbers,
    /// the first value of an enum, a date or time where AppSync's scalars want one.
    pub fn sample_input(&self, input_type: &str) -> Map<String, Json> {
        let mut out = Map::new();
        let Some(ExtendedType::InputObject(input)) = self.schema.types.get(input_type) else {
            return out;
        };
        for (name, def) in &input.fields {
            if !def.ty.is_non_null() || def.default_value.is_some() {
                continue;
            }
            let base = def.ty.inner_named_type().as_str();
            let v = match self.schema.types.get(base) {
                Some(ExtendedType::Enum(e)) => e
                    .values
                    .keys()
                    .next()
                    .map_or(Json::Null, |k| json!(k.as_str())),
                Some(ExtendedType::InputObject(_)) => Json::Object(self.sample_input(base)),
                _ => match base {
                    "Int" | "Float" | "AWSTimestamp" => json!(1),
                    "Boolean" => json!(true),
                    "AWSDate" => json!("2024-06-01"),
                    "AWSTime" => json!("12:00:00.000Z"),
                    "AWSDateTime" => json!("2024-06-01T12:00:00.000Z"),
                    "AWSEmail" => json!("someone@example.com"),
                    "AWSJSON" => json!("{}"),
                    "AWSURL" => json!("https://example.com/"),
                    "AWSPhone" => json!("+15550000000"),
                    "AWSIPAddress" => json!("192.0.2.1"),
                    _ => json!("sample"),
                },
            };
            let v = if matches!(def.ty.as_ref(), Type::List(_) | Type::NonNullList(_)) {
                json!([v])
            } else {
                v
            };
            out.insert(name.to_string(), v);
        }
        out
    }

    /// Runs `query` with `variables` for `identity` against `db` at `now_millis`.
    pub fn run(
        &self,
        query: &str,
        variables: &Map<String, Json>,
        identity: &Identity,
        db: &mut Database,
        now_millis: i64,
    ) -> Response {
        let request_error = |error_type: &str, message: String| ResponseError {
            path: String::new(),
            error_type: Some(error_type.to_string()),
            message,
            appended: false,
        };
        let mut response = Response::default();
        let enabled: BTreeSet<&str> = std::iter::once(self.build.default_mode.as_str())
            .chain(self.build.additional_modes.iter().map(String::as_str))
            .collect();
        if identity.mode == "NONE" {
            response.request_denied = true;
            response.errors.push(request_error(
                "UnauthorizedException",
                "Valid authorization header not provided.".into(),
            ));
            return response;
        }
        if !enabled.contains(identity.mode.as_str()) {
            response.request_denied = true;
            response.errors.push(request_error(
                "UnauthorizedException",
                format!("{} authorization is not enabled on this API", identity.mode),
            ));
            return response;
        }
        let doc = match ExecutableDocument::parse_and_validate(&self.schema, query, "query.graphql")
        {
            Ok(d) => d,
            Err(with) => {
                for e in with.errors.iter() {
                    response
                        .errors
                        .push(request_error("ValidationError", e.error.to_string()));
                }
                return response;
            }
        };
        let Ok(operation) = doc.operations.get(None) else {
            response.errors.push(request_error(
                "ValidationError",
                "no single operation to run".into(),
            ));
            return response;
        };
        let variables = match super::coerce::variables(&self.schema, operation, variables) {
            Ok(v) => v,
            Err(messages) => {
                // graphql-js reports these as errors without a type of their own.
                for m in messages {
                    response.errors.push(request_error("GraphQLError", m));
                }
                return response;
            }
        };
        let mut run = Run {
            api: self,
            doc: &doc,
            identity,
            db,
            variables,
            env: Env::new(now_millis, identity.auth_type()),
            errors: Vec::new(),
            appended: Vec::new(),
        };
        let root = operation.object_type().to_string();
        let data = run.selection_set(&root, &operation.selection_set, &Json::Null, &[]);
        response.subscription_filters = run
            .env
            .subscription_filters
            .iter()
            .map(Value::to_json)
            .collect();
        response.data = data.unwrap_or(Json::Null);
        response.errors = run.errors;
        response.errors.extend(run.appended);
        response
    }
}

/// A field error raised while resolving.
struct FieldError {
    message: String,
    error_type: Option<String>,
}

fn field_error(message: impl Into<String>, error_type: &str) -> FieldError {
    FieldError {
        message: message.into(),
        error_type: Some(error_type.to_string()),
    }
}

/// A value that had to be null where null is not allowed; the error is recorded.
struct Failed;

struct Run<'a> {
    api: &'a Api,
    doc: &'a Valid<ExecutableDocument>,
    identity: &'a Identity,
    db: &'a mut Database,
    variables: Map<String, Json>,
    env: Env,
    errors: Vec<ResponseError>,
    appended: Vec<ResponseError>,
}

/// A step of a response path.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => k.clone(),
            Step::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Run<'_> {
    fn schema(&self) -> &Schema {
        &self.api.schema
    }

    fn record(&mut self, path: &[Step], error_type: Option<String>, message: String) {
        self.errors.push(ResponseError {
            path: path_text(path),
            error_type,
            message,
            appended: false,
        });
    }

    /// The fields of a selection set for `type_name`, grouped by response key, in order.
    fn collect<'s>(
        &self,
        doc: &'s ExecutableDocument,
        type_name: &str,
        set: &'s SelectionSet,
        out: &mut Vec<(String, Vec<&'s Node<Field>>)>,
        seen: &mut BTreeSet<String>,
    ) {
        for sel in &set.selections {
            if !self.included(sel) {
                continue;
            }
            match sel {
                Selection::Field(f) => {
                    let key = f.response_key().to_string();
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, list)) => list.push(f),
                        None => out.push((key, vec![f])),
                    }
                }
                Selection::FragmentSpread(s) => {
                    if !seen.insert(s.fragment_name.to_string()) {
                        continue;
                    }
                    if let Some(frag) = doc.fragments.get(&s.fragment_name)
                        && self.applies(frag.type_condition().as_str(), type_name)
                    {
                        self.collect(doc, type_name, &frag.selection_set, out, seen);
                    }
                }
                Selection::InlineFragment(i) => {
                    if i.type_condition
                        .as_ref()
                        .is_none_or(|t| self.applies(t.as_str(), type_name))
                    {
                        self.collect(doc, type_name, &i.selection_set, out, seen);
                    }
                }
            }
        }
    }

    fn included(&self, sel: &Selection) -> bool {
        let directives = match sel {
            Selection::Field(f) => &f.directives,
            Selection::FragmentSpread(s) => &s.directives,
            Selection::InlineFragment(i) => &i.directives,
        };
        let flag = |name: &str| {
            directives
                .get(name)
                .and_then(|d| d.specified_argument_by_name("if"))
                .map(|v| literal(v, &self.variables) == Json::Bool(true))
        };
        flag("skip") != Some(true) && flag("include") != Some(false)
    }

    fn applies(&self, condition: &str, type_name: &str) -> bool {
        if condition == type_name {
            return true;
        }
        match self.schema().types.get(condition) {
            Some(ExtendedType::Interface(_)) => self
                .schema()
                .types
                .get(type_name)
                .and_then(|t| match t {
                    ExtendedType::Object(o) => {
                        Some(o.implements_interfaces.iter().any(|i| i.name == condition))
                    }
                    _ => None,
                })
                .unwrap_or(false),
            Some(ExtendedType::Union(u)) => u.members.iter().any(|m| m.name == type_name),
            _ => false,
        }
    }

    fn selection_set(
        &mut self,
        type_name: &str,
        set: &SelectionSet,
        source: &Json,
        path: &[Step],
    ) -> Result<Json, Failed> {
        let mut fields = Vec::new();
        let doc = self.doc;
        self.collect(doc, type_name, set, &mut fields, &mut BTreeSet::new());
        let mut out = Map::new();
        for (key, nodes) in fields {
            let mut p = path.to_vec();
            p.push(Step::Key(key.clone()));
            // A null where null is not allowed makes the whole object null at once: the
            // fields after it are not resolved (graphql-js executes them in order).
            let v = self.field(type_name, &nodes, source, &p)?;
            out.insert(key, v);
        }
        Ok(Json::Object(out))
    }

    fn field(
        &mut self,
        parent: &str,
        nodes: &[&Node<Field>],
        source: &Json,
        path: &[Step],
    ) -> Result<Json, Failed> {
        let field = nodes[0];
        let name = field.name.as_str();
        if name == "__typename" {
            return Ok(Json::String(parent.to_string()));
        }
        let ty = field.definition.ty.clone();
        let resolved = self.resolve(parent, field, source, path);
        let completed = match resolved {
            Ok(v) => self.complete(&ty, parent, name, nodes, v, path),
            Err(e) => {
                self.record(path, e.error_type, e.message);
                Err(Failed)
            }
        };
        match completed {
            Err(Failed) if !ty.is_non_null() => Ok(Json::Null),
            other => other,
        }
    }

    fn arguments(&self, field: &Field) -> Map<String, Json> {
        let mut args = Map::new();
        for def in &field.definition.arguments {
            let name = def.name.as_str();
            let given = field.arguments.iter().find(|a| a.name == def.name);
            let value = match given {
                Some(a) => match a.value.as_ref() {
                    AstValue::Variable(v) if !self.variables.contains_key(v.as_str()) => def
                        .default_value
                        .as_ref()
                        .map(|d| literal(d, &self.variables)),
                    v => Some(literal(v, &self.variables)),
                },
                None => def
                    .default_value
                    .as_ref()
                    .map(|d| literal(d, &self.variables)),
            };
            if let Some(v) = value {
                args.insert(name.to_string(), self.with_input_defaults(&def.ty, v));
            }
        }
        args
    }

    /// Input objects get the default values of the fields they leave out.
    fn with_input_defaults(&self, ty: &Type, v: Json) -> Json {
        match (ty, v) {
            (Type::List(inner) | Type::NonNullList(inner), Json::Array(items)) => Json::Array(
                items
                    .into_iter()
                    .map(|x| self.with_input_defaults(inner, x))
                    .collect(),
            ),
            (ty, Json::Object(mut o)) => {
                if let Some(ExtendedType::InputObject(input)) =
                    self.schema().types.get(ty.inner_named_type())
                {
                    for (name, def) in &input.fields {
                        match o.remove(name.as_str()) {
                            Some(x) => {
                                let x = self.with_input_defaults(&def.ty, x);
                                o.insert(name.to_string(), x);
                            }
                            None => {
                                if let Some(d) = &def.default_value {
                                    o.insert(name.to_string(), literal(d, &Map::new()));
                                }
                            }
                        }
                    }
                }
                Json::Object(o)
            }
            (_, v) => v,
        }
    }

    fn field_auth(&self, parent: &str, field: &Field) -> (Vec<&'static str>, Vec<String>) {
        self.api.field_modes(parent, field.name.as_str())
    }

    fn is_root(&self, type_name: &str) -> bool {
        let roots = &self.schema().schema_definition;
        [&roots.query, &roots.mutation, &roots.subscription]
            .into_iter()
            .flatten()
            .any(|r| r.name == type_name)
    }

    fn iam_allowed(&self, type_name: &str, field: &str) -> bool {
        let role = self.identity.role_name().unwrap_or_default();
        let b = &self.api.build;
        let policies: Vec<_> = b
            .policies
            .iter()
            .filter(|p| p.roles.contains(&role))
            .collect();
        let identity_pool_role = role == b.auth_role_name || role == b.unauth_role_name;
        if policies.is_empty() {
            // Other roles are taken to hold appsync:GraphQL on the API (admin roles).
            return !identity_pool_role;
        }
        let arn = format!(
            "arn:aws:appsync:us-east-1:123456789012:apis/{API_ID}/types/{type_name}/fields/{field}"
        );
        if policies
            .iter()
            .any(|p| p.deny.iter().any(|x| glob(x, &arn)))
        {
            return false;
        }
        policies
            .iter()
            .any(|p| p.allow.iter().any(|x| glob(x, &arn)))
    }

    fn check(&self, parent: &str, field: &Field) -> Result<(), FieldError> {
        let name = field.name.as_str();
        let deny = || {
            Err(field_error(
                format!("Not Authorized to access {name} on type {parent}"),
                "Unauthorized",
            ))
        };
        let (modes, groups) = self.field_auth(parent, field);
        let mode = self.identity.mode.as_str();
        if !modes.contains(&mode) {
            return deny();
        }
        if mode == "AMAZON_COGNITO_USER_POOLS" && !groups.is_empty() {
            let mine = self.identity.groups();
            if !groups.iter().any(|g| mine.contains(g)) {
                return deny();
            }
        }
        if mode == "AWS_IAM" && self.is_root(parent) && !self.iam_allowed(parent, name) {
            return deny();
        }
        Ok(())
    }

    fn resolve(
        &mut self,
        parent: &str,
        field: &Node<Field>,
        source: &Json,
        path: &[Step],
    ) -> Result<Json, FieldError> {
        self.check(parent, field)?;
        let key = format!("{parent}.{}", field.name);
        let Some(resolver) = self.api.build.resolvers.get(&key) else {
            return Ok(source
                .get(field.name.as_str())
                .cloned()
                .unwrap_or(Json::Null));
        };
        let args = self.arguments(field);
        let mut selection = Vec::new();
        selection_list(self.doc, &field.selection_set, None, &mut selection);
        let mut info = Map::new();
        info.insert("fieldName".into(), Json::String(field.name.to_string()));
        info.insert("parentTypeName".into(), Json::String(parent.to_string()));
        info.insert("variables".into(), Json::Object(self.variables.clone()));
        info.insert("selectionSetList".into(), json!(selection));
        info.insert("selectionSetGraphQL".into(), Json::String(String::new()));
        let shared = Shared {
            args: Value::from_json(&Json::Object(args)),
            stash: Value::empty_map(),
            identity: if self.identity.identity.is_null() {
                Value::Null
            } else {
                Value::from_json(&self.identity.identity)
            },
            source: Value::from_json(source),
            info: Value::from_json(&Json::Object(info)),
            path: path_text(path),
        };
        if resolver.pipeline {
            let before = self.step(resolver.request.as_ref(), "{}", &shared, Extra::default())?;
            if before.returned {
                return Ok(before.value);
            }
            let mut prev = before.value;
            for id in &resolver.functions {
                let Some(f) = self.api.build.functions.get(id) else {
                    return Err(field_error(
                        format!("Pipeline function {id} not found"),
                        "SimulatorMissingFunction",
                    ));
                };
                prev = self.function(f, &shared, prev)?;
            }
            let after = Extra {
                result: Some(prev.clone()),
                prev: Some(prev),
                error: None,
            };
            return Ok(self
                .step(
                    resolver.response.as_ref(),
                    "$util.toJson($ctx.prev.result)",
                    &shared,
                    after,
                )?
                .value);
        }
        let unit = Function {
            name: key,
            data_source: resolver.data_source.clone().unwrap_or_default(),
            request: resolver.request.clone(),
            response: resolver.response.clone(),
        };
        self.function(&unit, &shared, Json::Null)
    }

    fn function(&mut self, f: &Function, shared: &Shared, prev: Json) -> Result<Json, FieldError> {
        let extra = Extra {
            prev: Some(prev.clone()),
            ..Extra::default()
        };
        let req = self.step(f.request.as_ref(), "", shared, extra)?;
        if req.returned {
            return Ok(req.value);
        }
        let (result, error) = self.invoke(&f.data_source, &req.value)?;
        let extra = Extra {
            prev: Some(prev),
            result: Some(result),
            error,
        };
        Ok(self
            .step(
                f.response.as_ref(),
                "$util.toJson($ctx.result)",
                shared,
                extra,
            )?
            .value)
    }

    fn invoke(
        &mut self,
        data_source: &str,
        request: &Json,
    ) -> Result<(Json, Option<Json>), FieldError> {
        match self.api.build.data_sources.get(data_source) {
            None => Err(field_error(
                format!("Data source {data_source} not found"),
                "SimulatorMissingDataSource",
            )),
            Some(DataSource::None) => {
                Ok((request.get("payload").cloned().unwrap_or(Json::Null), None))
            }
            Some(DataSource::DynamoDb { table }) => match self.db.execute(table, request) {
                Ok(r) => Ok((r, None)),
                Err(e) => Ok((
                    Json::Null,
                    Some(json!({ "message": e.message, "type": e.error_type, "data": e.data })),
                )),
            },
            Some(DataSource::Other(kind)) => Ok((
                Json::Null,
                Some(
                    json!({ "message": format!("data source type {kind} is not simulated"), "type": "SimulatorUnsupportedDataSource", "data": null }),
                ),
            )),
        }
    }

    /// Renders one template (`fallback` when the resolver has none; empty: pass the result on).
    fn step(
        &mut self,
        text: Option<&TemplateText>,
        fallback: &str,
        shared: &Shared,
        extra: Extra,
    ) -> Result<Rendered, FieldError> {
        let text = match text {
            Some(TemplateText::Text(t)) => t.as_str(),
            Some(TemplateText::Missing(loc)) => {
                return Err(field_error(
                    format!("Mapping template {loc} not found"),
                    "SimulatorMissingTemplate",
                ));
            }
            None if fallback.is_empty() => {
                return Ok(Rendered {
                    value: extra.result.unwrap_or(Json::Null),
                    returned: false,
                });
            }
            None => fallback,
        };
        let cached = self.api.templates.borrow().get(text).cloned();
        let template = match cached {
            Some(t) => t,
            None => {
                let t = std::rc::Rc::new(Template::parse(text).map_err(|e| {
                    field_error(
                        format!("Template parse error: {}", e.message),
                        "MappingTemplate",
                    )
                })?);
                self.api
                    .templates
                    .borrow_mut()
                    .insert(text.to_string(), t.clone());
                t
            }
        };
        let mut ctx = indexmap::IndexMap::new();
        ctx.insert("arguments".to_string(), shared.args.clone());
        ctx.insert("args".to_string(), shared.args.clone());
        ctx.insert("identity".to_string(), shared.identity.clone());
        ctx.insert("source".to_string(), shared.source.clone());
        ctx.insert("stash".to_string(), shared.stash.clone());
        ctx.insert(
            "result".to_string(),
            extra.result.as_ref().map_or(Value::Null, Value::from_json),
        );
        let mut prev = indexmap::IndexMap::new();
        prev.insert(
            "result".to_string(),
            extra.prev.as_ref().map_or(Value::Null, Value::from_json),
        );
        ctx.insert("prev".to_string(), Value::map(prev));
        ctx.insert("info".to_string(), shared.info.clone());
        ctx.insert(
            "error".to_string(),
            extra.error.as_ref().map_or(Value::Null, Value::from_json),
        );
        ctx.insert(
            "request".to_string(),
            Value::from_json(&json!({ "headers": { "x-simulator": "true" } })),
        );
        let outcome = template
            .render(&Value::map(ctx), &mut self.env)
            .map_err(|e| {
                field_error(
                    format!("Template runtime error: {}", e.message),
                    "MappingTemplate",
                )
            })?;
        for e in &outcome.appended {
            self.appended.push(ResponseError {
                path: shared.path.clone(),
                error_type: e.error_type.clone(),
                message: e.message.clone(),
                appended: true,
            });
        }
        if let Some(e) = outcome.raised {
            return Err(FieldError {
                message: e.message,
                error_type: e.error_type,
            });
        }
        let text = outcome.output;
        if outcome.returned && text.trim().is_empty() {
            return Ok(Rendered {
                value: Json::Null,
                returned: true,
            });
        }
        match serde_json::from_str::<Json>(&text) {
            Ok(value) => Ok(Rendered {
                value,
                returned: outcome.returned,
            }),
            Err(_) if outcome.returned => Ok(Rendered {
                value: Json::String(text),
                returned: true,
            }),
            Err(_) => Err(field_error(
                format!(
                    "Unable to parse the JSON document: {}",
                    text.trim().chars().take(120).collect::<String>()
                ),
                "MappingTemplate",
            )),
        }
    }

    fn complete(
        &mut self,
        ty: &Type,
        parent: &str,
        field: &str,
        nodes: &[&Node<Field>],
        v: Json,
        path: &[Step],
    ) -> Result<Json, Failed> {
        if ty.is_non_null() {
            let inner = ty.clone().nullable();
            return match self.complete(&inner, parent, field, nodes, v, path)? {
                Json::Null => {
                    self.record(
                        path,
                        Some("NonNullViolation".into()),
                        format!("Cannot return null for non-nullable field {parent}.{field}."),
                    );
                    Err(Failed)
                }
                x => Ok(x),
            };
        }
        if v.is_null() {
            return Ok(Json::Null);
        }
        if let Type::List(item) = ty {
            let Json::Array(items) = v else {
                self.record(
                    path,
                    None,
                    format!(
                        "Expected Iterable, but did not find one for field \"{parent}.{field}\"."
                    ),
                );
                return Err(Failed);
            };
            let mut out = Vec::new();
            for (i, x) in items.into_iter().enumerate() {
                let mut p = path.to_vec();
                p.push(Step::Index(i));
                match self.complete(item, parent, field, nodes, x, &p) {
                    Ok(x) => out.push(x),
                    Err(Failed) if item.is_non_null() => return Err(Failed),
                    Err(Failed) => out.push(Json::Null),
                }
            }
            return Ok(Json::Array(out));
        }
        let name = ty.inner_named_type().as_str();
        match self.schema().types.get(name) {
            Some(ExtendedType::Scalar(_)) => match serialize_scalar(name, &v) {
                Ok(x) => Ok(x),
                Err(message) => {
                    self.record(path, None, message);
                    Err(Failed)
                }
            },
            Some(ExtendedType::Enum(e)) => {
                match v.as_str().filter(|s| e.values.keys().any(|k| k == s)) {
                    Some(_) => Ok(v),
                    None => {
                        self.record(
                            path,
                            None,
                            format!("Enum \"{name}\" cannot represent value: {v}"),
                        );
                        Err(Failed)
                    }
                }
            }
            Some(ExtendedType::Object(_)) => self.sub_selection(name, nodes, &v, path),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                match v
                    .get("__typename")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                {
                    Some(concrete) => self.sub_selection(&concrete, nodes, &v, path),
                    None => {
                        self.record(path, None, format!("Abstract type \"{name}\" must resolve to an Object type at runtime for field \"{parent}.{field}\". Either the \"{name}\" type should provide a \"resolveType\" function or each possible type should provide an \"isTypeOf\" function."));
                        Err(Failed)
                    }
                }
            }
            _ => Ok(v),
        }
    }

    fn sub_selection(
        &mut self,
        type_name: &str,
        nodes: &[&Node<Field>],
        v: &Json,
        path: &[Step],
    ) -> Result<Json, Failed> {
        let source = if v.is_object() {
            v.clone()
        } else {
            Json::Object(Map::new())
        };
        let mut merged = SelectionSet::new(apollo_compiler::Name::new_unchecked(type_name));
        for n in nodes {
            merged
                .selections
                .extend(n.selection_set.selections.iter().cloned());
        }
        self.selection_set(type_name, &merged, &source, path)
    }
}

/// What every template of one field shares.
struct Shared {
    args: Value,
    stash: Value,
    identity: Value,
    source: Value,
    info: Value,
    path: String,
}

/// What differs between a field's templates.
#[derive(Default)]
struct Extra {
    result: Option<Json>,
    prev: Option<Json>,
    error: Option<Json>,
}

struct Rendered {
    value: Json,
    returned: bool,
}

/// `$ctx.info.selectionSetList`: every field below the resolver's, as `a`, `a/b`.
fn selection_list(
    doc: &ExecutableDocument,
    set: &SelectionSet,
    prefix: Option<&str>,
    out: &mut Vec<String>,
) {
    for sel in &set.selections {
        match sel {
            Selection::Field(f) => {
                let name = match prefix {
                    Some(p) => format!("{p}/{}", f.response_key()),
                    None => f.response_key().to_string(),
                };
                out.push(name.clone());
                selection_list(doc, &f.selection_set, Some(&name), out);
            }
            Selection::FragmentSpread(s) => {
                if let Some(frag) = doc.fragments.get(&s.fragment_name) {
                    selection_list(doc, &frag.selection_set, prefix, out);
                }
            }
            Selection::InlineFragment(i) => selection_list(doc, &i.selection_set, prefix, out),
        }
    }
}

fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn js_text(v: &Json) -> String {
    v.to_string()
}

/// A leaf value as graphql-js serializes the built-in scalars; AppSync's scalars pass through.
fn serialize_scalar(name: &str, v: &Json) -> Result<Json, String> {
    let number = |v: &Json| -> Option<f64> {
        match v {
            Json::Number(n) => n.as_f64(),
            Json::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Json::String(s) if !s.trim().is_empty() => s.trim().parse().ok(),
            _ => None,
        }
    };
    match name {
        "Int" => match number(v) {
            Some(f) if f.fract() == 0.0 && (-2_147_483_648.0..=2_147_483_647.0).contains(&f) => {
                Ok(json!(f as i64))
            }
            Some(f) if f.fract() == 0.0 => Err(format!(
                "Int cannot represent non 32-bit signed integer value: {}",
                js_text(v)
            )),
            _ => Err(format!(
                "Int cannot represent non-integer value: {}",
                js_text(v)
            )),
        },
        "Float" => match number(v) {
            Some(f) if f.is_finite() => {
                Ok(serde_json::Number::from_f64(f).map_or(Json::Null, |n| {
                    if f.fract() == 0.0 {
                        json!(f as i64)
                    } else {
                        Json::Number(n)
                    }
                }))
            }
            _ => Err(format!(
                "Float cannot represent non numeric value: {}",
                js_text(v)
            )),
        },
        "String" => match v {
            Json::String(_) => Ok(v.clone()),
            Json::Bool(b) => Ok(Json::String(b.to_string())),
            Json::Number(n) => Ok(Json::String(crate::dynamodb::attribute::number_text(
                n.as_f64().unwrap_or(0.0),
            ))),
            _ => Err(format!("String cannot represent value: {}", js_text(v))),
        },
        "Boolean" => match v {
            Json::Bool(_) => Ok(v.clone()),
            Json::Number(n) => Ok(Json::Bool(n.as_f64() != Some(0.0))),
            _ => Err(format!(
                "Boolean cannot represent a non boolean value: {}",
                js_text(v)
            )),
        },
        "ID" => match v {
            Json::String(_) => Ok(v.clone()),
            Json::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                Ok(Json::String(n.to_string()))
            }
            _ => Err(format!("ID cannot represent value: {}", js_text(v))),
        },
        _ => Ok(v.clone()),
    }
}
