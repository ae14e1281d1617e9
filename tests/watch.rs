//! `gql-compile --watch` through the built binary: it compiles, then compiles again when the
//! schema changes, printing only the build files that changed; a broken schema leaves the
//! build as it was and prints its diagnostics.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::binary::{scratch, write};

const BIN: &str = env!("CARGO_BIN_EXE_amplify-gql");

/// Waits for a line of stdout containing `needle` (a minute at most, so that a broken watch
/// fails the test instead of hanging it); returns the lines read on the way.
fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let done = line.contains(needle);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("no line with {needle:?}; read {seen:#?}"),
        }
    }
}

#[test]
fn watch_recompiles_on_change_and_prints_what_changed() {
    let dir = scratch("watch", "schema");
    let schema = dir.join("schema.graphql");
    write(
        &schema,
        "type Post @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  title: String!\n}\n",
    );
    let mut child = Command::new(BIN)
        .args([
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--watch",
            "--color",
            "never",
        ])
        .current_dir(&dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    wait_for(&rx, "watching for changes");
    let first = std::fs::read_to_string(dir.join("build/schema.graphql")).unwrap();
    // A new field: the schema and the create/update templates change, the key's expiry not.
    std::thread::sleep(Duration::from_millis(50));
    write(
        &schema,
        "type Post @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  title: String!\n  body: String\n}\n",
    );
    let seen = wait_for(&rx, "compiled:");
    let summary = seen.last().unwrap();
    assert!(summary.contains("paths changed"), "{seen:?}");
    let changes = wait_for(&rx, "M schema.graphql");
    assert!(
        !changes
            .iter()
            .any(|l| l.contains("cloudformation-template.json")),
        "{changes:?}"
    );
    let second = std::fs::read_to_string(dir.join("build/schema.graphql")).unwrap();
    assert_ne!(first, second);
    assert!(second.contains("body: String"));
    // A broken schema: the build stays.
    write(&schema, "type Post @model {\n");
    wait_for(&rx, "compile failed: the build is as it was");
    assert_eq!(
        std::fs::read_to_string(dir.join("build/schema.graphql")).unwrap(),
        second
    );
    child.kill().unwrap();
    let _ = child.wait();
}
