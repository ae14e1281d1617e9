//! `limits` counts what CloudFormation counts: checked against the build `gql-compile`
//! writes (parsed here independently), with lowered limits to reach each finding, and with
//! the suggested StackMapping compiled again.

mod common;

use std::path::Path;

use common::binary::{run_in, scratch, write};
use serde_json::Value as Json;

fn json_of(run: &common::binary::Run) -> Json {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout))
}

fn counts<'a>(doc: &'a Json, limit: &str) -> Vec<&'a Json> {
    doc["counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["limit"] == limit)
        .collect()
}

const SCHEMA: &str = "type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }, { allow: private, provider: identityPool, operations: [read] }]) {\n  id: ID!\n  title: String!\n}\n\ntype Note @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  body: String\n}\n";

/// A scratch folder of its own for each test (they run in parallel).
fn project(name: &str) -> std::path::PathBuf {
    let dir = scratch("limits", name);
    write(&dir.join("schema.graphql"), SCHEMA);
    dir
}

#[test]
fn counts_are_those_of_the_written_build() {
    let dir = project("written");
    run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "build",
        ],
    )
    .assert_ok();
    let doc = json_of(
        run_in(
            &dir,
            &["limits", "--schema", "schema.graphql", "--format", "json"],
        )
        .assert_ok(),
    );
    assert_eq!(doc["ok"], true);
    let files: Vec<String> = std::iter::once("cloudformation-template.json".to_string())
        .chain(
            std::fs::read_dir(dir.join("build/stacks"))
                .unwrap()
                .map(|e| format!("stacks/{}", e.unwrap().file_name().to_string_lossy())),
        )
        .collect();
    let resources = counts(&doc, "resources");
    assert_eq!(resources.len(), files.len());
    for file in &files {
        let bytes = std::fs::read(dir.join("build").join(file)).unwrap();
        let template: Json = serde_json::from_slice(&bytes).unwrap();
        let of = |limit: &str| {
            counts(&doc, limit)
                .into_iter()
                .find(|c| c["file"] == file.as_str() && c["subject"].is_null())
                .unwrap_or_else(|| panic!("{limit} of {file}"))
                .clone()
        };
        let len = |section: &str| {
            template
                .get(section)
                .and_then(Json::as_object)
                .map_or(0, |o| o.len())
        };
        assert_eq!(of("resources")["count"], len("Resources"), "{file}");
        assert_eq!(of("outputs")["count"], len("Outputs"), "{file}");
        assert_eq!(of("parameters")["count"], len("Parameters"), "{file}");
        assert_eq!(of("template-bytes")["count"], bytes.len(), "{file}");
        assert_eq!(
            of("template-bytes")["minified"],
            serde_json::to_string(&template).unwrap().len(),
            "{file}"
        );
    }
    // The identity pool's read rule makes a managed policy for each role.
    let policies = counts(&doc, "policy-bytes");
    assert!(!policies.is_empty());
    for p in &policies {
        let n = p["count"].as_u64().unwrap();
        assert!(n > 100 && n < 6144, "{p}");
    }
    let roles: Vec<&str> = counts(&doc, "role-policies")
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["authRoleName"],
        "a private rule gives the signed-in role only"
    );
    // --build counts the folder the same way.
    let from_folder =
        json_of(run_in(&dir, &["limits", "--build", "build", "--format", "json"]).assert_ok());
    assert_eq!(from_folder["counts"], doc["counts"]);
}

#[test]
fn lowered_limits_give_warnings_then_errors() {
    let dir = project("lowered");
    let post_resources = {
        let doc = json_of(&run_in(
            &dir,
            &["limits", "--schema", "schema.graphql", "--format", "json"],
        ));
        counts(&doc, "resources")
            .into_iter()
            .find(|c| c["stack"] == "Post")
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    // At exactly 80%: a warning, exit 0.
    assert_eq!(
        post_resources % 4,
        0,
        "pick a schema whose count splits into fifths: {post_resources}"
    );
    let near = format!("resources={}", post_resources * 5 / 4);
    let run = run_in(
        &dir,
        &["limits", "--schema", "schema.graphql", "--limit", &near],
    );
    run.assert_ok()
        .assert_stderr_has(&["warning[W0013]", "stack Post:"]);
    let over = format!("resources={}", post_resources - 1);
    let run = run_in(
        &dir,
        &["limits", "--schema", "schema.graphql", "--limit", &over],
    );
    run.assert_failed().assert_stderr_has(&[
        "error[E1101]",
        &format!(
            "stack Post: {post_resources} resources of {}",
            post_resources - 1
        ),
    ]);
    let run = run_in(
        &dir,
        &[
            "limits",
            "--schema",
            "schema.graphql",
            "--limit",
            "role-policies=1",
            "--limit",
            "policy-bytes=200",
        ],
    );
    run.assert_failed().assert_stderr_has(&[
        "authRoleName in stack root: 1 managed policies of 1 (100%)",
        "characters of policy of 200",
    ]);
    let run = run_in(
        &dir,
        &["limits", "--schema", "schema.graphql", "--limit", "size=3"],
    );
    run.assert_failed()
        .assert_stderr_has(&["error[E1102]", "--limit size=3 is not NAME=N"]);
    // SARIF for code scanning.
    let run = run_in(
        &dir,
        &[
            "limits",
            "--schema",
            "schema.graphql",
            "--limit",
            &over,
            "--format",
            "sarif",
        ],
    );
    run.assert_failed();
    let log = json_of(&run);
    assert!(common::sarif_validator().is_valid(&log));
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E1101");
}

#[test]
fn the_suggested_mapping_compiles_under_the_limits() {
    let dir = project("suggested");
    let limit = "resources=20";
    let doc = json_of(&run_in(
        &dir,
        &[
            "limits",
            "--schema",
            "schema.graphql",
            "--limit",
            limit,
            "--suggest-stack-mapping",
            "--format",
            "json",
        ],
    ));
    let mapping = doc["stackMapping"].as_object().unwrap();
    assert!(!mapping.is_empty());
    assert!(
        mapping.keys().all(|k| k.ends_with("Resolver")),
        "{mapping:?}"
    );
    // Put it in a transform.conf.json and count again, in another run.
    write(
        &dir.join("transform.conf.json"),
        &serde_json::json!({"Version": 5, "StackMapping": mapping}).to_string(),
    );
    let run = run_in(
        &dir,
        &[
            "limits",
            "--schema",
            "schema.graphql",
            "--transform-conf",
            "transform.conf.json",
            "--limit",
            limit,
            "--format",
            "json",
        ],
    );
    run.assert_ok();
    let after = json_of(&run);
    let near: Vec<&Json> = after["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "W0013" || d["code"] == "E1101")
        .collect();
    assert!(near.is_empty(), "{near:?}");
    // Tables stay in their stacks.
    run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--transform-conf",
            "transform.conf.json",
            "--out",
            "mapped",
        ],
    )
    .assert_ok();
    for model in ["Post", "Note"] {
        let text =
            std::fs::read_to_string(dir.join(format!("mapped/stacks/{model}.json"))).unwrap();
        assert!(text.contains(&format!("\"{model}Table\"")), "{model}");
    }
}

#[test]
fn moving_a_deployed_resolver_is_a_warning() {
    let dir = project("deployed");
    run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "build",
        ],
    )
    .assert_ok();
    write(
        &dir.join("transform.conf.json"),
        r#"{"Version": 5, "StackMapping": {"CreatePostResolver": "Writes"}}"#,
    );
    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--transform-conf",
            "transform.conf.json",
            "--out",
            "build",
            "--check",
        ],
    );
    run.assert_stderr_has(&["warning[W0014]", "StackMapping moves CreatePostResolver from stack Post, where the current build has it, to Writes"]);
    // A fresh folder has nothing deployed to move.
    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--transform-conf",
            "transform.conf.json",
            "--out",
            "fresh",
        ],
    );
    run.assert_ok();
    assert!(!run.stderr.contains("W0014"), "{}", run.stderr);
    assert!(Path::new(&dir.join("fresh/stacks/Writes.json")).is_file());
}

#[test]
fn every_limit_is_counted_and_reported() {
    let dir = project("every");
    // Lowered to 1, every count the build has passes its limit (each role has one managed
    // policy here, which is at its limit, not over: see lowered_limits_give_warnings_then_errors).
    for limit in [
        "resources",
        "template-bytes",
        "outputs",
        "parameters",
        "policy-bytes",
    ] {
        let arg = format!("{limit}=1");
        let run = run_in(
            &dir,
            &[
                "limits",
                "--schema",
                "schema.graphql",
                "--limit",
                &arg,
                "--format",
                "json",
            ],
        );
        run.assert_failed();
        let doc = json_of(&run);
        let over: Vec<&Json> = doc["counts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["limit"] == limit && c["over"] == true)
            .collect();
        assert!(!over.is_empty(), "{limit}");
        let reported = doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "E1101")
            .count();
        assert_eq!(reported, over.len(), "{limit}");
    }
    // No stack of ours has mappings: the count is 0 of 200.
    let doc = json_of(&run_in(
        &dir,
        &["limits", "--schema", "schema.graphql", "--format", "json"],
    ));
    assert!(
        counts(&doc, "mappings")
            .iter()
            .all(|c| c["count"] == 0 && c["max"] == 200)
    );
}

#[test]
fn reports_of_the_example_project() {
    let example = common::root().join("examples/blog-project");
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    let human =
        common::binary::run_with_env(&example, &["limits", "--limit", "resources=30"], &env);
    human.assert_ok();
    insta::assert_snapshot!(
        "limits__example.human",
        format!("{}\n--- stderr\n{}", human.stdout, human.stderr)
    );
    let json = common::binary::run_with_env(&example, &["limits", "--format", "json"], &env);
    json.assert_ok();
    insta::assert_snapshot!("limits__example.json", json.stdout);
}
