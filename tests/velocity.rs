//! The VTL interpreter on every template the compiler writes: each parses, and each renders
//! against a signed-in caller's request without a template error. A function the engine does
//! not run yet is counted and listed, never taken for a pass.

mod common;

use std::collections::BTreeMap;

use amplify_gql::velocity::{Env, Template, Value};
use serde_json::json;

/// A request as AppSync hands it to a resolver: a user-pool caller in a group, arguments of
/// every shape the templates read, an empty stash, a source record and a result.
fn context(type_name: &str, field: &str) -> Value {
    Value::from_json(&json!({
        "arguments": {},
        "args": {
            "id": "p1",
            "input": {"id": "p1", "title": "t", "owner": "sub1::user1"},
            "condition": {"title": {"eq": "t"}},
            "filter": {"title": {"beginsWith": "t"}, "or": [{"owner": {"eq": "sub1::user1"}}, {"id": {"ne": "x"}}]},
            "limit": 10,
            "nextToken": null,
        },
        "identity": {
            "sub": "sub1",
            "username": "user1",
            "issuer": "https://cognito-idp.us-east-1.amazonaws.com/pool",
            "claims": {"sub": "sub1", "username": "user1", "cognito:username": "user1", "cognito:groups": ["Admin"]},
            "groups": ["Admin"],
            "sourceIp": ["127.0.0.1"],
            "defaultAuthStrategy": "ALLOW",
        },
        "source": {"id": "s1", "owner": "sub1::user1", "postId": "p1"},
        "stash": {},
        "prev": {"result": {"id": "p1", "owner": "sub1::user1", "items": []}},
        "result": {"id": "p1", "owner": "sub1::user1", "items": [], "scannedCount": 0},
        "info": {"fieldName": field, "parentTypeName": type_name, "variables": {}, "selectionSetList": ["id"]},
        "request": {"headers": {}},
    }))
}

/// Parses and runs one template; `Err` for a failure of the engine, `Ok(Some(function))` for a
/// function it does not run.
fn run_template(name: &str, text: &str) -> Result<Option<String>, String> {
    let mut parts = name.split('.');
    let (type_name, field) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let template = Template::parse(text).map_err(|e| {
        let (l, c) = e.line_col(text);
        format!("{name}:{l}:{c}: {}", e.message)
    })?;
    let mut env = Env::new(0, "User Pool Authorization");
    match template.render(&context(type_name, field), &mut env) {
        Ok(_) => Ok(None),
        Err(e) if e.message.ends_with("is not a function amplify-gql can run") => {
            Ok(Some(e.message))
        }
        Err(e) => {
            let (l, c) = e.line_col(text);
            Err(format!("{name}:{l}:{c}: {}", e.message))
        }
    }
}

#[test]
fn every_generated_template_parses_and_runs() {
    let mut files = 0;
    let mut not_run: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for f in common::fixtures("ok") {
        let build = common::compile(&f);
        for (path, bytes) in &build.files {
            if path.extension().is_none_or(|e| e != "vtl") {
                continue;
            }
            files += 1;
            let text = String::from_utf8_lossy(bytes);
            // The reference writes a default value with quotes into a string literal
            // unescaped; AppSync's parser rejects that template too.
            if f.rel.ends_with("default-values-quirks.graphql") && text.contains("\"say \"hi\"\"") {
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            match run_template(&name, &text) {
                Ok(None) => {}
                Ok(Some(function)) => *not_run.entry(function).or_default() += 1,
                Err(e) => failures.push(format!("{} {e}", f.rel)),
            }
        }
    }
    assert!(files > 1000, "only {files} templates");
    assert!(
        failures.is_empty(),
        "{} of {files} templates failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // OpenSearch queries are out of the simulator's reach: it has no search domain.
    not_run.retain(|f, _| !f.starts_with("$util.transform.toElasticsearchQueryDSL"));
    assert!(
        not_run.is_empty(),
        "functions the engine does not run: {not_run:#?}"
    );
}

/// The same over other build folders, such as the reference's:
/// `VTL_BUILDS=dir1:dir2 cargo test --test velocity -- --ignored`.
#[test]
#[ignore]
fn templates_of_other_builds_run() {
    let dirs = std::env::var("VTL_BUILDS").expect("VTL_BUILDS names build folders");
    let mut failures = Vec::new();
    let mut files = 0;
    for dir in dirs.split(':') {
        let Ok(rd) = std::fs::read_dir(std::path::Path::new(dir).join("resolvers")) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).unwrap();
            files += 1;
            match run_template(&name, &text) {
                Ok(None) => {}
                Ok(Some(function)) => failures.push(format!("{dir} {name}: {function}")),
                Err(err) => failures.push(format!("{dir} {err}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {files} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
