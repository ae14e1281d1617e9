//! `diff` on pairs of schemas made for it (`fixtures/diff/NAME.base.graphql` and
//! `NAME.head.graphql`, optional `NAME.flags.json` for both): snapshots of the text and JSON
//! reports, the exit codes `--fail-on` gives, SARIF that validates, and a base read from a
//! git revision of a project.

mod common;

use std::path::Path;
use std::process::Command;

use common::binary::{run_in, scratch, write};
use serde_json::Value as Json;

fn pairs() -> Vec<String> {
    let dir = common::root().join("fixtures/diff");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".base.graphql").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

fn args(name: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = vec![
        "diff".into(),
        "--base".into(),
        format!("fixtures/diff/{name}.base.graphql"),
        "--head".into(),
        format!("fixtures/diff/{name}.head.graphql"),
    ];
    let flags = format!("fixtures/diff/{name}.flags.json");
    if common::root().join(&flags).is_file() {
        v.push("--feature-flags".into());
        v.push(flags);
    }
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn diff(name: &str, extra: &[&str]) -> common::binary::Run {
    let a = args(name, extra);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    run_in(common::root(), &a)
}

#[test]
fn every_pair_reports_as_its_snapshot() {
    let names = pairs();
    assert!(names.len() >= 6, "{names:?}");
    for name in &names {
        let text = diff(name, &["--fail-on", "none"]);
        text.assert_ok();
        insta::assert_snapshot!(format!("diff__{name}.text"), text.stdout);
        let json = diff(name, &["--format", "json", "--fail-on", "none"]);
        json.assert_ok();
        let doc: Json = serde_json::from_str(&json.stdout).unwrap();
        insta::assert_snapshot!(format!("diff__{name}.json"), json.stdout);
        assert!(doc.is_object());
    }
}

#[test]
fn findings_are_what_each_change_does() {
    let doc = |name: &str| -> Json {
        serde_json::from_str(&diff(name, &["--format", "json", "--fail-on", "none"]).stdout)
            .unwrap()
    };
    // A field rule that adds public read: public gains the reads of `secret`, nothing else.
    let d = doc("grant-public-field");
    let access = d["access"].as_array().unwrap();
    assert!(!access.is_empty());
    for c in access {
        assert_eq!(c["change"], "granted");
        assert_eq!(c["field"], "secret");
        assert_eq!(c["role"], "apiKey:public");
        assert_eq!(
            c["rule"]["file"],
            "fixtures/diff/grant-public-field.head.graphql"
        );
        assert_eq!(c["rule"]["line"], 4);
    }
    let ops: Vec<&str> = access
        .iter()
        .map(|c| c["operation"].as_str().unwrap())
        .collect();
    assert!(ops.contains(&"get") && ops.contains(&"list"), "{ops:?}");
    assert!(!ops.contains(&"create"), "{ops:?}");
    assert_eq!(d["data"], Json::Array(vec![]));

    // Dropping `update` from a private rule: private loses update on every field.
    let d = doc("revoke-private-update");
    let access = d["access"].as_array().unwrap();
    assert!(access.iter().all(|c| c["change"] == "revoked"
        && c["operation"] == "update"
        && c["role"] == "userPools:private"));
    let fields: Vec<&str> = access
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"id"),
        "{fields:?}"
    );
    assert_eq!(
        access[0]["rule"]["file"],
        "fixtures/diff/revoke-private-update.base.graphql"
    );

    // A new primary key replaces the table.
    let d = doc("key-change");
    assert_eq!(d["data"][0]["change"], "replaced");
    assert_eq!(d["data"][0]["model"], "Order");
    let reasons = d["data"][0]["reasons"].to_string();
    assert!(
        reasons.contains("customerId HASH, placedAt RANGE"),
        "{reasons}"
    );

    // A removed model deletes its table, its resolvers and its stack's resources.
    let d = doc("model-removed");
    assert_eq!(d["data"].as_array().unwrap().len(), 1);
    assert_eq!(d["data"][0]["change"], "deleted");
    assert_eq!(d["data"][0]["model"], "Draft");
    assert!(
        d["resolvers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["change"] == "removed")
    );
    assert!(
        d["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["change"] == "removed"
                && r["type"] == "AWS::DynamoDB::Table"
                && r["stack"] == "Draft")
    );

    // Two new indexes in one deploy, without iterative updates.
    let d = doc("two-indexes");
    assert_eq!(d["data"][0]["change"], "indexes");
    assert_eq!(d["data"][0]["iterative"], false);
    assert_eq!(d["data"][0]["added"].as_array().unwrap().len(), 2);

    let d = doc("unchanged");
    for key in ["access", "data", "resolvers", "resources", "limits"] {
        assert_eq!(d[key], Json::Array(vec![]), "{key}");
    }
}

#[test]
fn fail_on_decides_the_exit_code() {
    // The default fails on replaced and deleted tables and on limits, not on access.
    diff("grant-public-field", &[]).assert_ok();
    diff("grant-public-field", &["--fail-on", "grant"]).assert_failed();
    diff("revoke-private-update", &["--fail-on", "grant"]).assert_ok();
    diff("revoke-private-update", &["--fail-on", "revoke"]).assert_failed();
    diff("key-change", &[]).assert_failed();
    diff("key-change", &["--fail-on", "delete"]).assert_ok();
    diff("model-removed", &[]).assert_failed();
    diff("model-removed", &["--fail-on", "replace"]).assert_ok();
    diff("two-indexes", &[]).assert_failed();
    diff(
        "unchanged",
        &["--fail-on", "grant,revoke,replace,delete,limit"],
    )
    .assert_ok();
}

#[test]
fn ci_formats_annotate_the_rules_and_models() {
    let run = diff(
        "grant-public-field",
        &["--format", "github", "--fail-on", "grant"],
    );
    run.assert_failed();
    assert!(
        run.stdout.starts_with(
            "::error file=fixtures/diff/grant-public-field.head.graphql,line=4,col=50,"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("title=W0301::"), "{}", run.stdout);
    let run = diff("key-change", &["--format", "sarif"]);
    run.assert_failed();
    let log: Json = serde_json::from_str(&run.stdout).unwrap();
    assert!(common::sarif_validator().is_valid(&log));
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "W0303");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(1), Some(6))
    );
}

#[test]
fn patch_prints_the_resolvers_unified_diffs() {
    let run = diff("two-indexes", &["--patch", "--fail-on", "none"]);
    run.assert_ok();
    assert!(run.stdout.contains("--- a/resolvers/Mutation.createTicket.req.vtl\n+++ b/resolvers/Mutation.createTicket.req.vtl\n"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/resolvers/Query.ticketsByStatus.req.vtl\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with("@@ ")),
        "{}",
        run.stdout
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_git_revision_of_the_project_is_the_base() {
    let dir = scratch("diff", "git-project");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&common::root().join("examples/blog-project"), &dir);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let schema = dir.join("amplify/backend/api/blogapi/schema.graphql");
    let text = std::fs::read_to_string(&schema).unwrap();
    let opened = text.replacen(
        "{ allow: owner }, { allow: groups, groups: [\"Editors\"], operations: [read, update] }",
        "{ allow: owner }, { allow: groups, groups: [\"Editors\"], operations: [read, update] }, { allow: private, operations: [read] }",
        1,
    );
    assert_ne!(text, opened);
    write(&schema, &opened);
    let run = run_in(&dir, &["diff", "--base", "HEAD", "--format", "json"]);
    run.assert_ok();
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    let access = doc["access"].as_array().unwrap();
    assert!(!access.is_empty());
    assert!(access.iter().all(|c| c["change"] == "granted"
        && c["model"] == "Post"
        && c["field"] == "internalNotes"
        && c["role"] == "userPools:private"));
    // Nothing of the base is left behind in the temporary folder, and the work tree is as it was.
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), opened);
    // The base's own rule is shown at the revision.
    let closed = text.replacen(
        "      { allow: public, operations: [read] }\n    ]\n  ) {\n  id: ID!\n  name",
        "    ]\n  ) {\n  id: ID!\n  name",
        1,
    );
    assert_ne!(text, closed);
    write(&schema, &closed);
    let run = run_in(&dir, &["diff", "--base", "HEAD", "--format", "json"]);
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    let revoked: Vec<&Json> = doc["access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "revoked")
        .collect();
    assert!(!revoked.is_empty(), "{}", run.stdout);
    assert!(
        revoked
            .iter()
            .all(|c| c["model"] == "Blog" && c["role"] == "apiKey:public")
    );
    let file = revoked[0]["rule"]["file"].as_str().unwrap();
    assert!(
        file.starts_with("HEAD:") && file.ends_with("amplify/backend/api/blogapi/schema.graphql"),
        "{file}"
    );
    // A revision that does not exist is a coded error.
    let run = run_in(&dir, &["diff", "--base", "no-such-rev"]);
    run.assert_failed()
        .assert_stderr_has(&["error[E1201]", "no-such-rev"]);
}

#[test]
fn a_stack_mapping_moves_resources_between_stacks() {
    let base = scratch("diff", "mapping-base");
    let head = scratch("diff", "mapping-head");
    copy_dir(&common::root().join("examples/blog-project"), &base);
    copy_dir(&common::root().join("examples/blog-project"), &head);
    write(
        &head.join("amplify/backend/api/blogapi/transform.conf.json"),
        r#"{"Version": 5, "StackMapping": {"CreatePostResolver": "PostWrites"}}"#,
    );
    let run = run_in(
        common::root(),
        &[
            "diff",
            "--base",
            base.to_str().unwrap(),
            "--head",
            head.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    run.assert_ok();
    let doc: Json = serde_json::from_str(&run.stdout).unwrap();
    let moved: Vec<&Json> = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["change"] == "moved")
        .collect();
    assert!(
        moved.iter().any(|r| r["id"] == "CreatePostResolver"
            && r["from"] == "Post"
            && r["to"] == "PostWrites"
            && r["type"] == "AWS::AppSync::Resolver"),
        "{moved:?}"
    );
    // The new stack itself is a resource of the root; no table moves, no access changes.
    assert!(
        doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["change"] == "added" && r["id"] == "PostWrites")
    );
    assert_eq!(doc["data"], Json::Array(vec![]));
    assert_eq!(doc["access"], Json::Array(vec![]));
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    }
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        if out[i].is_dir() {
            let mut inside: Vec<_> = std::fs::read_dir(&out[i])
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| !p.ends_with("build"))
                .collect();
            inside.sort();
            out.extend(inside);
        }
        i += 1;
    }
    out
}
