//! `simulate` end to end: the smoke-blog fixture compiled, then requests by different callers,
//! checked for the decisions the schema's rules make (owner, groups, public, field rules).

mod common;

use std::path::{Path, PathBuf};

use common::binary::{run_in, scratch, write};
use serde_json::{Value as Json, json};

fn user(name: &str, groups: &[&str]) -> Json {
    json!({"authMode": "AMAZON_COGNITO_USER_POOLS", "identity": {
        "sub": format!("{name}-sub"), "username": name, "issuer": "https://cognito-idp.us-east-1.amazonaws.com/pool",
        "claims": {"sub": format!("{name}-sub"), "cognito:username": name, "token_use": "id", "cognito:groups": groups},
        "sourceIp": ["203.0.113.1"], "defaultAuthStrategy": "ALLOW", "groups": groups}})
}

/// A folder with the compiled smoke-blog build, identities and a seed.
fn setup(name: &str) -> PathBuf {
    let dir = scratch("simulate", name);
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ok/smoke-blog.graphql");
    run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            schema.to_str().unwrap(),
            "--out",
            "build",
        ],
    )
    .assert_code(0);
    write(&dir.join("alice.json"), &user("alice", &[]).to_string());
    write(&dir.join("bob.json"), &user("bob", &[]).to_string());
    write(
        &dir.join("editor.json"),
        &user("editor", &["Editors"]).to_string(),
    );
    write(&dir.join("key.json"), r#"{"authMode": "API_KEY"}"#);
    write(&dir.join("nobody.json"), r#"{"authMode": "NONE"}"#);
    write(&dir.join("seed.json"), &json!({"Post": [
        {"id": "p1", "title": "Alice's", "draftNotes": "secret", "owner": "alice-sub::alice", "__typename": "Post"},
    ]}).to_string());
    dir
}

fn simulate(dir: &Path, who: &str, query: &str) -> Json {
    let run = run_in(
        dir,
        &[
            "simulate",
            "--build",
            "build",
            "--identity",
            &format!("{who}.json"),
            "--seed",
            "seed.json",
            "--query",
            query,
            "--format",
            "json",
        ],
    );
    run.assert_code(0);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn owners_update_their_records_and_others_are_refused() {
    let dir = setup("owner");
    let update = r#"mutation { updatePost(input: {id: "p1", title: "new"}) { id title } }"#;
    let by_alice = simulate(&dir, "alice", update);
    assert_eq!(by_alice["status"], "ok", "{by_alice:#}");
    assert_eq!(by_alice["data"]["updatePost"]["title"], "new");
    assert_eq!(by_alice["tables"]["Post"][0]["title"], "new");
    let by_bob = simulate(&dir, "bob", update);
    assert_eq!(by_bob["status"], "denied", "{by_bob:#}");
    assert_eq!(by_bob["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(by_bob["data"]["updatePost"], Json::Null);
    assert_eq!(
        by_bob["tables"]["Post"][0]["title"], "Alice's",
        "bob's update changed nothing"
    );
    // Editors may update (a group rule with update).
    assert_eq!(simulate(&dir, "editor", update)["status"], "ok");
}

#[test]
fn field_rules_hide_fields_and_api_keys_read_but_do_not_write() {
    let dir = setup("fields");
    let get = r#"{ getPost(id: "p1") { id title draftNotes } }"#;
    assert_eq!(
        simulate(&dir, "alice", get)["data"]["getPost"]["draftNotes"],
        "secret"
    );
    let by_bob = simulate(&dir, "bob", get);
    assert_eq!(
        by_bob["data"]["getPost"]["title"], "Alice's",
        "private read"
    );
    assert_eq!(
        by_bob["data"]["getPost"]["draftNotes"],
        Json::Null,
        "{by_bob:#}"
    );
    assert_eq!(by_bob["errors"][0]["path"], "getPost.draftNotes");
    assert_eq!(by_bob["errors"][0]["errorType"], "Unauthorized");
    let by_key = simulate(&dir, "key", get);
    assert_eq!(
        by_key["data"]["getPost"]["title"], "Alice's",
        "public read with the API key"
    );
    let create = r#"mutation { createPost(input: {title: "spam"}) { id } }"#;
    let write_by_key = simulate(&dir, "key", create);
    assert_eq!(write_by_key["status"], "denied", "{write_by_key:#}");
    assert_eq!(write_by_key["tables"]["Post"].as_array().unwrap().len(), 1);
    assert_eq!(simulate(&dir, "nobody", get)["status"], "request-denied");
}

#[test]
fn a_create_records_its_owner_and_every_request_is_shown() {
    let dir = setup("create");
    let out = simulate(
        &dir,
        "bob",
        r#"mutation { createPost(input: {title: "hi"}) { id owner } }"#,
    );
    assert_eq!(
        out["data"]["createPost"],
        json!({"id": "00000000-0000-4000-8000-000000000001", "owner": "bob"})
    );
    let put = &out["requests"][0];
    assert_eq!(
        (put["table"].as_str(), put["operation"].as_str()),
        (Some("Post"), Some("PutItem"))
    );
    assert_eq!(put["item"]["owner"], json!({"S": "bob-sub::bob"}));
    assert_eq!(put["condition"], "attribute_not_exists(id)");
    let human = run_in(
        &dir,
        &[
            "simulate",
            "--build",
            "build",
            "--identity",
            "bob.json",
            "--query",
            r#"{ listPosts { items { id } } }"#,
        ],
    );
    human.assert_code(0);
    assert!(human.stdout.starts_with("status: ok\n"), "{}", human.stdout);
}
