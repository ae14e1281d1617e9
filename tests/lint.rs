//! The security lints on schemas made for them (`fixtures/lint/wNNNN-*.graphql`, each must
//! give its code, located in the schema), snapshots of the human and JSON reports, and the
//! `--deny`/`--allow` settings from the command line and from `amplify-gql.json`.

mod common;

use common::binary::{run_in, scratch, write};
use serde_json::Value as Json;

fn lint(name: &str, extra: &[&str]) -> common::binary::Run {
    let schema = format!("fixtures/lint/{name}.graphql");
    let auth = format!("fixtures/lint/{name}.auth.json");
    let mut args = vec!["lint", "--schema", schema.as_str(), "--color", "never"];
    if common::root().join(&auth).is_file() {
        args.extend(["--auth-config", auth.as_str()]);
    }
    args.extend(extra);
    run_in(common::root(), &args)
}

fn names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(common::root().join("fixtures/lint"))
        .unwrap()
        .filter_map(|e| {
            let n = e.ok()?.file_name().to_string_lossy().into_owned();
            n.strip_suffix(".graphql").map(str::to_string)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn each_lint_fixture_gives_its_code_at_the_schema() {
    let names = names();
    assert!(names.len() >= 8);
    for name in &names {
        let run = lint(name, &["--format", "json"]);
        run.assert_ok();
        let doc: Json = serde_json::from_str(&run.stdout).unwrap();
        let found: Vec<&Json> = doc["diagnostics"].as_array().unwrap().iter().collect();
        let lints: Vec<&Json> = found
            .iter()
            .copied()
            .filter(|d| d["code"].as_str().unwrap().starts_with("W02"))
            .collect();
        match name.split_once('-') {
            Some((code, _)) if code.starts_with('w') => {
                let code = code.to_uppercase();
                assert!(!lints.is_empty(), "{name}: no lint");
                for d in &lints {
                    assert_eq!(d["code"], code.as_str(), "{name}: {d}");
                    assert_eq!(d["file"], format!("fixtures/lint/{name}.graphql"), "{name}");
                    assert!(
                        d["line"].as_u64().is_some() && !d["help"].as_str().unwrap().is_empty(),
                        "{name}: {d}"
                    );
                }
            }
            _ => assert!(lints.is_empty(), "{name}: {lints:?}"),
        }
        insta::assert_snapshot!(format!("lint__{name}.human"), lint(name, &[]).stderr);
        insta::assert_snapshot!(format!("lint__{name}.json"), run.stdout);
    }
}

#[test]
fn deny_and_allow_decide_what_fails() {
    lint("w0201-public-writes", &[]).assert_ok();
    let run = lint("w0201-public-writes", &["--deny", "W0201"]);
    run.assert_failed().assert_stderr_has(&["error[W0201]"]);
    let run = lint("w0201-public-writes", &["--allow", "W0201,W0001"]);
    run.assert_ok();
    assert!(
        !run.stderr.contains("W0201") && !run.stderr.contains("W0001"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("lint: 0 warnings"), "{}", run.stdout);
    lint("w0201-public-writes", &["--deny-warnings"]).assert_failed();
    let run = lint("w0201-public-writes", &["--deny", "W9999"]);
    run.assert_failed()
        .assert_stderr_has(&["error[E1301]", "--deny W9999 is no diagnostic code"]);
}

#[test]
fn settings_file_beside_the_schema_and_the_command_line_over_it() {
    let dir = scratch("lint", "settings");
    write(
        &dir.join("schema.graphql"),
        &std::fs::read_to_string(common::root().join("fixtures/lint/w0201-public-writes.graphql"))
            .unwrap(),
    );
    write(
        &dir.join("amplify-gql.json"),
        r#"{ "lint": { "deny": ["W0201"], "allow": ["W0001"] } }"#,
    );
    let run = run_in(&dir, &["lint", "--schema", "schema.graphql"]);
    run.assert_failed().assert_stderr_has(&["error[W0201]"]);
    assert!(!run.stderr.contains("W0001"), "{}", run.stderr);
    run_in(
        &dir,
        &["lint", "--schema", "schema.graphql", "--allow", "W0201"],
    )
    .assert_ok();
    write(
        &dir.join("other.json"),
        r#"{ "lint": { "deny": "W0201" } }"#,
    );
    let run = run_in(
        &dir,
        &[
            "lint",
            "--schema",
            "schema.graphql",
            "--config",
            "other.json",
        ],
    );
    run.assert_failed().assert_stderr_has(&[
        "error[E1301]",
        "lint.deny in other.json is not a list of codes",
    ]);
}

#[test]
fn the_example_project_reports_its_one_finding() {
    let run = run_in(
        &common::root().join("examples/blog-project"),
        &["lint", "--format", "github"],
    );
    run.assert_ok();
    let lines: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].contains("title=W0204::apiKey:public may read Post.comments"),
        "{}",
        lines[0]
    );
}
