//! `build/schema.graphql`: a snapshot per ok fixture, the round trip through our parser and
//! printer, and determinism within a process and across processes.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;

use amplify_gql::source::SourceMap;
use common::{compile, fixtures, root};

fn schema_of(build: &amplify_gql::output::BuildOutput) -> String {
    let bytes = build
        .files
        .get(std::path::Path::new("schema.graphql"))
        .expect("every build has a schema.graphql");
    String::from_utf8(bytes.clone()).expect("the schema is UTF-8")
}

#[test]
fn schema_snapshots_of_every_ok_fixture() {
    let mut failures = Vec::new();
    for f in fixtures("ok") {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let schema = schema_of(&compile(&f));
            insta::with_settings!({
                snapshot_path => root().join("tests/snapshots/schema"),
                prepend_module_to_snapshot => false,
                description => f.rel.clone(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(f.name.clone(), schema);
            });
        }));
        if outcome.is_err() {
            failures.push(f.rel.clone());
        }
    }
    assert!(failures.is_empty(), "schema snapshots failed: {failures:?}");
}

#[test]
fn emitted_schema_reparses_and_reprints_to_the_same_bytes() {
    for f in fixtures("ok") {
        let schema = schema_of(&compile(&f));
        let parsed = amplify_gql::parse::parse(&SourceMap::from_text("schema.graphql", &schema));
        let syntax: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.code == amplify_gql::diagnostics::Code::SyntaxError)
            .collect();
        assert!(
            syntax.is_empty(),
            "{}: output does not parse: {syntax:?}",
            f.rel
        );
        let reprinted = amplify_gql::emit::sdl::print(&parsed.document);
        assert_eq!(
            reprinted, schema,
            "{}: round trip changed the schema",
            f.rel
        );
    }
}

#[test]
fn compiling_twice_in_one_process_gives_the_same_build() {
    for f in fixtures("ok") {
        assert_eq!(compile(&f), compile(&f), "{}: two compiles differ", f.rel);
    }
}

#[test]
fn two_processes_write_identical_builds() {
    let bin = env!("CARGO_BIN_EXE_amplify-gql");
    let schema = root().join("fixtures/ok/groups-oidc.graphql");
    let tmp = std::env::temp_dir().join(format!("amplify-gql-determinism-{}", std::process::id()));
    let mut outputs = Vec::new();
    for run in ["a", "b"] {
        let out = tmp.join(run);
        let status = Command::new(bin)
            .args(["gql-compile", "--schema"])
            .arg(&schema)
            .arg("--out")
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "0")
            .status()
            .expect("the binary runs");
        assert!(status.success());
        outputs.push(read_tree(&out));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(!outputs[0].is_empty());
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_schema_with_errors_writes_nothing_and_exits_1() {
    let bin = env!("CARGO_BIN_EXE_amplify-gql");
    let tmp = std::env::temp_dir().join(format!("amplify-gql-nowrite-{}", std::process::id()));
    let schema = tmp.join("schema.graphql");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(
        &schema,
        "type Post @model @auth(rules: [{ allow: public, provider: userPools }]) { id: ID! }\n",
    )
    .unwrap();
    let out = tmp.join("build");
    let result = Command::new(bin)
        .args(["gql-compile", "--schema"])
        .arg(&schema)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).contains("E0201"));
    assert!(!out.exists(), "nothing may be written");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Every file below `dir`, relative path → bytes, sorted.
fn read_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}
