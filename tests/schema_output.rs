//! `build/schema.graphql`: a snapshot per ok fixture, the round trip through our parser and
//! printer, and determinism within a process and across processes.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use amplify_gql::source::SourceMap;
use common::binary::{read_tree, run_in, run_with_env, scratch, write};
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
    let schema = root().join("fixtures/ok/groups-oidc.graphql");
    let schema = schema.to_str().unwrap();
    let tmp = scratch("schema-output", "determinism");
    let mut outputs = Vec::new();
    for out in ["a", "b"] {
        run_with_env(
            &tmp,
            &["gql-compile", "--schema", schema, "--out", out],
            &[("SOURCE_DATE_EPOCH", "0")],
        )
        .assert_ok();
        outputs.push(read_tree(&tmp.join(out)));
    }
    assert!(!outputs[0].is_empty());
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_schema_with_errors_writes_nothing_and_exits_1() {
    let tmp = scratch("schema-output", "nowrite");
    write(
        &tmp.join("schema.graphql"),
        "type Post @model @auth(rules: [{ allow: public, provider: userPools }]) { id: ID! }\n",
    );
    run_in(
        &tmp,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "build",
        ],
    )
    .assert_failed()
    .assert_stderr_has(&["E0201"]);
    assert!(!tmp.join("build").exists(), "nothing may be written");
}
