//! Snapshot tests over every fixture.
//!
//! - `fixtures/ok/<name>.graphql`, or a folder `fixtures/ok/<name>/` (read as a `schema/`
//!   folder: recursively, in name order): must analyse without errors. The snapshot holds the
//!   `status -acm` table of every `@model`, in source order, then the rendered warnings.
//! - `fixtures/invalid/<name>.graphql` or `fixtures/invalid/<name>/`: must fail with at least
//!   one error that points into the schema and says how to fix it. The snapshot holds the
//!   rendered diagnostics.
//!
//! Sidecars beside a fixture: `<name>.auth.json` (the API's auth modes, AppSync's shape),
//! `<name>.flags.json` (feature flags: a cli.json or a flat map) and `<name>.transform.json`
//! (a transform.conf.json whose `ResolverConfig` turns on DataStore).
//!
//! Paths in snapshots are relative to the crate (`fixtures/ok/x.graphql`), so they are the
//! same on every machine. Every fixture is checked before the test fails, so one run writes
//! every pending snapshot (`cargo insta review`, or `INSTA_UPDATE=always cargo test`).

mod common;

use std::fmt::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};

use amplify_gql::emit::acm::{self, Columns};
use amplify_gql::plan::{Acm, RoleNaming};
use amplify_gql::render_diagnostics;
use common::{Fixture, fixtures, load, root};

/// The ACM of every model and the warnings, as one text; `Err` when the fixture has errors.
fn ok_output(f: &Fixture) -> Result<String, String> {
    let (sources, config, mut diagnostics) = load(f);
    let (normalised, ds) = amplify_gql::analyse(&sources, &config);
    diagnostics.extend(ds.iter().cloned());
    let rendered = render_diagnostics(&diagnostics, &sources, false);
    let normalised = match normalised {
        Some(n) if !diagnostics.has_errors() => n,
        _ => return Err(rendered),
    };
    let mut out = String::new();
    let models: Vec<_> = normalised.schema.models().collect();
    if models.is_empty() {
        out.push_str("(no @model types)\n\n");
    }
    for model in models {
        let name = &model.name.text;
        let _ = writeln!(out, "## {name}\n");
        let auth = normalised.auth_of(name).cloned().unwrap_or_default();
        match Acm::build(model, &auth, RoleNaming::Printed) {
            Ok(matrix) => out.push_str(&acm::table(&matrix, Columns::Operations)),
            Err(dup) => {
                let _ = writeln!(out, "@auth {} already exists for {name}", dup.role);
            }
        }
        out.push('\n');
    }
    out.push_str("## warnings\n\n");
    if rendered.is_empty() {
        out.push_str("(none)\n");
    } else {
        out.push_str(&rendered);
    }
    Ok(out)
}

/// The rendered diagnostics; `Err` when the fixture is not invalid in a well-reported way.
fn invalid_output(f: &Fixture) -> Result<String, String> {
    let (sources, config, mut diagnostics) = load(f);
    let (_, ds) = amplify_gql::analyse(&sources, &config);
    diagnostics.extend(ds.iter().cloned());
    let rendered = render_diagnostics(&diagnostics, &sources, false);
    if !diagnostics.has_errors() {
        return Err(format!("expected at least one error, got:\n{rendered}"));
    }
    let well_reported = diagnostics
        .errors()
        .any(|d| d.span.is_some() && !d.help.is_empty());
    if !well_reported {
        return Err(format!(
            "no error is located in the schema with a help line:\n{rendered}"
        ));
    }
    if !rendered.contains('^') || !rendered.contains("= help: ") {
        return Err(format!(
            "the rendering lacks an underline or help:\n{rendered}"
        ));
    }
    Ok(rendered)
}

/// Runs `check` over every fixture of `kind`, snapshotting each result; fails at the end
/// with the list of fixtures that failed.
fn run(kind: &str, check: fn(&Fixture) -> Result<String, String>) {
    let all = fixtures(kind);
    assert!(!all.is_empty(), "no fixtures in fixtures/{kind}");
    let mut failures = Vec::new();
    for f in &all {
        let outcome = catch_unwind(AssertUnwindSafe(|| match check(f) {
            Ok(text) => {
                insta::with_settings!({
                    snapshot_path => root().join("tests/snapshots/fixtures"),
                    prepend_module_to_snapshot => false,
                    description => f.rel.clone(),
                    omit_expression => true,
                }, {
                    insta::assert_snapshot!(f.name.clone(), text);
                });
                Ok(())
            }
            Err(message) => Err(message),
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(message)) => failures.push(format!("{}: {message}", f.rel)),
            Err(_) => failures.push(format!("{}: snapshot mismatch or panic (see above)", f.rel)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures in fixtures/{kind} failed:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

#[test]
fn ok_fixtures() {
    run("ok", ok_output);
}

#[test]
fn invalid_fixtures() {
    run("invalid", invalid_output);
}

/// Guards the fixture walk itself: sidecars are picked up and folders are one fixture.
#[test]
fn fixture_discovery() {
    let ok = fixtures("ok");
    let config = ok
        .iter()
        .find(|f| f.name == "ok__smoke-config")
        .expect("smoke-config fixture");
    assert!(config.auth.is_some() && config.flags.is_some());
    let datastore = ok
        .iter()
        .find(|f| f.name == "ok__datastore-per-model")
        .expect("datastore-per-model fixture");
    assert!(datastore.transform.is_some());
    let (_, config, ds) = load(datastore);
    assert!(ds.is_empty());
    let rc = config.datastore.expect("a ResolverConfig");
    assert_eq!(rc.for_model("Note").unwrap().handler_name(), "LAMBDA");
    // An entry without ConflictDetection falls back to the project's strategy.
    assert_eq!(rc.for_model("Board").unwrap().handler_name(), "AUTOMERGE");
    let folder = ok
        .iter()
        .find(|f| f.name == "ok__smoke-folder")
        .expect("smoke-folder fixture");
    assert!(folder.path.is_dir());
    let (sources, _, _) = load(folder);
    let names: Vec<&str> = sources.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "fixtures/ok/smoke-folder/a-blog.graphql",
            "fixtures/ok/smoke-folder/models/comment.graphql"
        ]
    );
    assert!(
        fixtures("invalid")
            .iter()
            .all(|f| f.rel.starts_with("fixtures/invalid/"))
    );
}
