//! Access tests: YAML files of callers, seed records and steps (an operation, the caller, and
//! whether it must be allowed or denied, optionally the data it returns), run in order on the
//! in-memory AppSync against a build. What `amplify-gql test` runs.
//!
//! ```yaml
//! identities:
//!   alice: { userPools: { username: alice } }          # sub: alice-sub
//!   editor: { userPools: { username: editor, groups: [Editors] } }
//!   visitor: apiKey
//!   guest: { iam: unauth }                             # or auth, or a role name
//! seed:
//!   Post: [{ id: p1, title: Hello, owner: "alice-sub::alice" }]
//! steps:
//!   - name: an author updates her post
//!     as: alice
//!     query: 'mutation { updatePost(input: {id: "p1", title: "New"}) { id title } }'
//!     expect: allow
//!     data: { updatePost: { id: p1, title: New } }
//! ```

pub mod explain;
mod yaml;

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::appsync::{Api, Database, Identity, Response};

/// What a step expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No error at all.
    Allow,
    /// Refused: the request, or a field, with `Unauthorized`.
    Deny,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub name: String,
    pub line: usize,
    pub caller: String,
    pub query: String,
    pub variables: Map<String, Json>,
    pub expect: Expect,
    pub data: Option<Json>,
}

#[derive(Clone, Debug)]
pub struct TestFile {
    pub identities: BTreeMap<String, Identity>,
    pub seed: Map<String, Json>,
    pub steps: Vec<Step>,
}

/// A problem with a test file: its line and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct FileError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

fn error(line: usize, message: impl Into<String>) -> FileError {
    FileError {
        line,
        col: 1,
        message: message.into(),
    }
}

/// The names the identity pool's roles have in the build, for `iam: auth` and `iam: unauth`.
pub struct Roles<'a> {
    pub auth: &'a str,
    pub unauth: &'a str,
}

fn identity_of(v: &yaml::Located, roles: &Roles) -> Result<Identity, FileError> {
    let bad = |m: &str| error(v.line, m.to_string());
    let shorthand = |mode: &str, id: Json| {
        Identity::from_json(&json!({"authMode": mode, "identity": id}))
            .map_err(|m| error(v.line, m))
    };
    match &v.value {
        Json::String(s) if s == "apiKey" => shorthand("API_KEY", Json::Null),
        Json::String(s) if s == "none" => shorthand("NONE", Json::Null),
        Json::Object(o) if o.contains_key("authMode") => {
            Identity::from_json(&v.value).map_err(|m| error(v.line, m))
        }
        Json::Object(o) if o.len() == 1 => {
            let (kind, spec) = o
                .iter()
                .next()
                .map(|(k, s)| (k.as_str(), s))
                .unwrap_or(("", &Json::Null));
            let text = |k: &str| spec.get(k).and_then(Json::as_str).map(str::to_string);
            match kind {
                "userPools" | "oidc" => {
                    let username =
                        text("username").ok_or_else(|| bad("a user needs a username"))?;
                    let sub = text("sub").unwrap_or_else(|| format!("{username}-sub"));
                    let groups = spec.get("groups").cloned().unwrap_or(json!([]));
                    let mut claims = json!({"sub": sub, "username": username, "cognito:username": username, "token_use": "id", "cognito:groups": groups});
                    if let Some(Json::Object(extra)) = spec.get("claims") {
                        for (k, x) in extra {
                            claims[k] = x.clone();
                        }
                    }
                    let issuer = if kind == "oidc" {
                        "https://oidc.example.com/"
                    } else {
                        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
                    };
                    let mode = if kind == "oidc" {
                        "OPENID_CONNECT"
                    } else {
                        "AMAZON_COGNITO_USER_POOLS"
                    };
                    shorthand(
                        mode,
                        json!({"sub": sub, "username": username, "issuer": issuer, "claims": claims,
                        "sourceIp": ["203.0.113.1"], "defaultAuthStrategy": "ALLOW", "groups": groups}),
                    )
                }
                "iam" => {
                    let which = spec
                        .as_str()
                        .ok_or_else(|| bad("iam takes auth, unauth or a role name"))?;
                    let (role, auth_type) = match which {
                        "auth" => (roles.auth.to_string(), Json::String("authenticated".into())),
                        "unauth" => (
                            roles.unauth.to_string(),
                            Json::String("unauthenticated".into()),
                        ),
                        other => (other.to_string(), Json::Null),
                    };
                    let session = if auth_type.is_null() {
                        "session"
                    } else {
                        "CognitoIdentityCredentials"
                    };
                    shorthand(
                        "AWS_IAM",
                        json!({"accountId": "123456789012",
                        "userArn": format!("arn:aws:sts::123456789012:assumed-role/{role}/{session}"),
                        "username": format!("AROA:{session}"), "sourceIp": ["203.0.113.3"],
                        "cognitoIdentityAuthType": auth_type,
                        "cognitoIdentityPoolId": if auth_type.is_null() { Json::Null } else { json!("us-east-1:pool") },
                        "cognitoIdentityId": if auth_type.is_null() { Json::Null } else { json!("us-east-1:identity") }}),
                    )
                }
                "lambda" => shorthand(
                    "AWS_LAMBDA",
                    json!({"resolverContext": spec.get("resolverContext").cloned().unwrap_or(json!({}))}),
                ),
                other => Err(bad(&format!(
                    "unknown kind of identity `{other}`: use userPools, oidc, iam, lambda, apiKey or none"
                ))),
            }
        }
        _ => Err(bad(
            "an identity is apiKey, none, {userPools: {...}}, {oidc: {...}}, {iam: auth|unauth|ROLE}, {lambda: {...}} or {authMode, identity}",
        )),
    }
}

impl TestFile {
    /// Reads a test file; every problem is reported, each with its line.
    pub fn parse(text: &str, roles: &Roles) -> Result<TestFile, Vec<FileError>> {
        let doc = yaml::parse(text).map_err(|e| {
            vec![FileError {
                line: e.line,
                col: e.col,
                message: format!("not YAML: {}", e.message),
            }]
        })?;
        let mut errors = Vec::new();
        if !doc.value.is_object() {
            return Err(vec![error(
                doc.line,
                "a test file is a mapping of identities, seed and steps",
            )]);
        }
        for (k, v) in &doc.children {
            if !matches!(k.as_str(), "identities" | "seed" | "steps") {
                errors.push(error(
                    v.line,
                    format!("unknown key `{k}`: use identities, seed and steps"),
                ));
            }
        }
        let mut identities = BTreeMap::new();
        for (name, v) in doc
            .get("identities")
            .map(|i| i.children.as_slice())
            .unwrap_or_default()
        {
            match identity_of(v, roles) {
                Ok(i) => {
                    identities.insert(name.clone(), i);
                }
                Err(e) => errors.push(e),
            }
        }
        let seed = match doc.get("seed") {
            None => Map::new(),
            Some(s) => match &s.value {
                Json::Object(m) => m.clone(),
                _ => {
                    errors.push(error(
                        s.line,
                        "seed is a mapping of models to lists of records",
                    ));
                    Map::new()
                }
            },
        };
        let mut steps = Vec::new();
        let step_list = doc.get("steps");
        if step_list.is_none_or(|s| !s.value.is_array()) {
            errors.push(error(
                step_list.map_or(doc.line, |s| s.line),
                "steps is a list of steps",
            ));
        }
        for (i, s) in step_list
            .map(|l| l.items().collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let text = |k: &str| s.get(k).and_then(|v| v.value.as_str()).map(str::to_string);
            let name = text("name").unwrap_or_else(|| format!("step {}", i + 1));
            let Some(caller) = text("as") else {
                errors.push(error(
                    s.line,
                    format!("{name}: says not who calls (as: NAME)"),
                ));
                continue;
            };
            if !identities.contains_key(&caller) {
                errors.push(error(
                    s.get("as").map_or(s.line, |v| v.line),
                    format!("{name}: no identity named `{caller}`"),
                ));
            }
            let Some(query) = text("query") else {
                errors.push(error(s.line, format!("{name}: has no query")));
                continue;
            };
            let expect = match text("expect").as_deref() {
                Some("allow") => Expect::Allow,
                Some("deny") => Expect::Deny,
                _ => {
                    errors.push(error(
                        s.get("expect").map_or(s.line, |v| v.line),
                        format!("{name}: expect is allow or deny"),
                    ));
                    continue;
                }
            };
            let variables = match s.get("variables").map(|v| &v.value) {
                None | Some(Json::Null) => Map::new(),
                Some(Json::Object(m)) => m.clone(),
                Some(_) => {
                    errors.push(error(s.line, format!("{name}: variables is a mapping")));
                    continue;
                }
            };
            steps.push(Step {
                name,
                line: s.line,
                caller,
                query,
                variables,
                expect,
                data: s.get("data").map(|d| d.value.clone()),
            });
        }
        if errors.is_empty() {
            Ok(TestFile {
                identities,
                seed,
                steps,
            })
        } else {
            Err(errors)
        }
    }
}

/// One step's outcome.
#[derive(Debug)]
pub struct StepResult {
    pub step: Step,
    pub response: Response,
    /// Why the step failed; `None` when it passed.
    pub failure: Option<String>,
}

/// Whether a response refused the caller.
pub fn denied(r: &Response) -> bool {
    r.request_denied
        || r.errors.iter().any(|e| {
            matches!(
                e.error_type.as_deref(),
                Some("Unauthorized" | "UnauthorizedException")
            )
        })
}

/// Runs the file's steps in order on a database seeded from the file.
pub fn run(api: &Api, file: &TestFile, now_millis: i64) -> Result<Vec<StepResult>, String> {
    let mut db = Database::new(api.build.tables.clone());
    for (model, records) in &file.seed {
        let table = db
            .tables()
            .find(|t| &t.label == model)
            .map(|t| t.name.clone())
            .ok_or_else(|| format!("seed: the build has no table for model {model}"))?;
        for r in records.as_array().into_iter().flatten() {
            let record = r
                .as_object()
                .ok_or_else(|| format!("seed: a record of {model} is not a mapping"))?;
            db.seed(&table, record)
                .map_err(|e| format!("seed: {}", e.message))?;
        }
    }
    let mut out = Vec::new();
    for step in &file.steps {
        let identity = &file.identities[&step.caller];
        let response = api.run(&step.query, &step.variables, identity, &mut db, now_millis);
        let first_error = || {
            response
                .errors
                .first()
                .map(|e| {
                    format!(
                        ": {} {}",
                        e.error_type.as_deref().unwrap_or("error"),
                        e.message
                    )
                })
                .unwrap_or_default()
        };
        let failure = match step.expect {
            Expect::Allow if !response.errors.is_empty() || response.request_denied => {
                Some(format!(
                    "expected allow, got {}{}",
                    if denied(&response) {
                        "deny"
                    } else {
                        "an error"
                    },
                    first_error()
                ))
            }
            Expect::Deny if !denied(&response) => {
                Some(format!("expected deny, got allow{}", first_error()))
            }
            _ => match &step.data {
                Some(want) if *want != response.data => {
                    Some(format!("expected data {want}, got {}", response.data))
                }
                _ => None,
            },
        };
        out.push(StepResult {
            step: step.clone(),
            response,
            failure,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: Roles = Roles {
        auth: "authRole",
        unauth: "unauthRole",
    };

    #[test]
    fn steps_keep_their_lines_and_identities_their_shorthands() {
        let text = "identities:\n  alice: { userPools: { username: alice, groups: [Admin] } }\n  guest: { iam: unauth }\n  key: apiKey\nsteps:\n  - name: one\n    as: alice\n    query: '{ a }'\n    expect: allow\n  - as: key\n    query: '{ b }'\n    expect: deny\n    variables: { n: 1 }\n";
        let f = TestFile::parse(text, &ROLES).unwrap();
        assert_eq!((f.steps[0].line, f.steps[1].line), (6, 10));
        assert_eq!(f.steps[1].name, "step 2");
        assert_eq!(f.steps[1].variables["n"], 1);
        let alice = &f.identities["alice"];
        assert_eq!(
            (alice.mode.as_str(), alice.groups()),
            ("AMAZON_COGNITO_USER_POOLS", vec!["Admin".to_string()])
        );
        assert_eq!(alice.identity["sub"], "alice-sub");
        assert_eq!(
            f.identities["guest"].role_name().as_deref(),
            Some("unauthRole")
        );
    }

    #[test]
    fn every_problem_of_a_file_is_reported_with_its_line() {
        let text = "identities:\n  bad: { magic: 1 }\nsteps:\n  - as: nobody\n    query: x\n    expect: maybe\n  - query: y\n    expect: allow\nextra: 1\n";
        let errors = TestFile::parse(text, &ROLES).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![9, 2, 4, 6, 7], "{errors:?}");
        let e = TestFile::parse("steps: [a, {b: ]", &ROLES).unwrap_err();
        assert!(e[0].message.starts_with("not YAML"), "{e:?}");
    }
}
