//! Diagnostics in the formats CI reads: every invalid fixture's diagnostics as SARIF validate
//! against the SARIF 2.1.0 schema and point where the human rendering points; JSON and GitHub
//! annotations carry the same places; the commands print them with `--format`.

mod common;

use amplify_gql::diagnostics::formats;
use common::binary::{run_in, scratch, write};
use serde_json::Value as Json;

/// `file:line:col` of each diagnostic as the human rendering prints it (` --> …`).
fn human_places(rendered: &str) -> Vec<String> {
    rendered
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .map(str::to_string)
        .collect()
}

#[test]
fn invalid_fixtures_give_valid_sarif_that_points_where_the_rendering_does() {
    let validator = common::sarif_validator();
    let mut checked = 0;
    for f in common::fixtures("invalid") {
        let (sources, config, mut diagnostics) = common::load(&f);
        let (_, ds) = amplify_gql::analyse(&sources, &config);
        diagnostics.extend(ds.iter().cloned());
        assert!(diagnostics.has_errors(), "{}", f.rel);
        let log: Json = serde_json::from_str(&formats::sarif(&diagnostics, &sources)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.rel);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), diagnostics.iter().count(), "{}", f.rel);
        // Each located result starts where the human rendering's `-->` points, in order.
        let sarif_places: Vec<String> = results
            .iter()
            .filter_map(|r| {
                let l = &r["locations"][0]["physicalLocation"];
                let region = l.get("region")?;
                Some(format!(
                    "{}:{}:{}",
                    l["artifactLocation"]["uri"].as_str()?,
                    region["startLine"],
                    region["startColumn"]
                ))
            })
            .collect();
        let rendered = amplify_gql::render_diagnostics(&diagnostics, &sources, false);
        let human: Vec<String> = human_places(&rendered)
            .into_iter()
            .filter(|p| p.contains("fixtures/"))
            .map(|p| p.replace(&format!("{}/", common::root().display()), ""))
            .collect();
        let sarif_places: Vec<String> = sarif_places
            .into_iter()
            .map(|p| p.replace(&format!("file://{}/", common::root().display()), ""))
            .collect();
        // Notes render their own `-->` only when in another file; compare the primaries.
        for p in &sarif_places {
            assert!(human.contains(p), "{}: {p} not in {human:?}", f.rel);
        }
        // JSON carries the same places and the codes, in the same order.
        let json = formats::json_array(&diagnostics, &sources);
        let codes: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        let sarif_codes: Vec<&str> = results
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        assert_eq!(codes, sarif_codes, "{}", f.rel);
        checked += 1;
    }
    assert!(checked > 50, "only {checked} invalid fixtures");
}

const BAD: &str =
    "type Post @model @auth(rules: [{ allow: public, provider: userPools }]) {\n  id: ID!\n}\n";
const GOOD: &str = "type Post @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n}\n";

#[test]
fn gql_compile_reports_in_every_format() {
    let dir = scratch("formats", "compile");
    write(&dir.join("bad.graphql"), BAD);
    write(&dir.join("good.graphql"), GOOD);

    let run = run_in(
        &dir,
        &["gql-compile", "--schema", "bad.graphql", "--format", "json"],
    );
    run.assert_failed();
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "E0201");
    assert_eq!(d["file"], "bad.graphql");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(59))
    );
    assert_eq!(d["endColumn"], 68, "the end of `userPools`, exclusive");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(
        !dir.join("build").exists(),
        "a failed compile writes nothing"
    );

    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "bad.graphql",
            "--format",
            "github",
        ],
    );
    run.assert_failed();
    assert!(
        run.stdout.starts_with(
            "::error file=bad.graphql,line=1,col=59,endLine=1,endColumn=67,title=E0201::@auth `public` rules"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("%0Ahelp: "), "{}", run.stdout);

    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "bad.graphql",
            "--format",
            "sarif",
        ],
    );
    run.assert_failed();
    let log: Json = serde_json::from_str(&run.stdout).unwrap();
    assert!(common::sarif_validator().is_valid(&log));
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0201");
    assert!(
        run.stderr.contains("error[E0201]"),
        "the human rendering stays on stderr"
    );

    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "good.graphql",
            "--format",
            "json",
        ],
    );
    run.assert_ok();
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["written"], true);
    assert_eq!(doc["diagnostics"][0]["code"], "W0001");
    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "good.graphql",
            "--check",
            "--format",
            "json",
        ],
    );
    run.assert_ok();
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["written"], false);
    assert_eq!(doc["changes"], Json::Array(vec![]), "up to date");

    // status keeps its matrix formats and adds the two CI ones.
    let run = run_in(
        &dir,
        &[
            "status",
            "-acm",
            "Post",
            "--schema",
            "good.graphql",
            "--format",
            "github",
        ],
    );
    run.assert_ok();
    assert!(
        run.stdout
            .starts_with("::warning file=good.graphql,line=1,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("owner"),
        "the table follows the annotations"
    );
}
