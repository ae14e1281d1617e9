//! Benchmark of `amplify-gql test`: 10,000 access-test steps on a 20-model schema, run on the
//! in-memory AppSync after one in-process compile (docs/performance.md).
//!
//! ```sh
//! cargo bench --bench access              # 20 models, 10,000 steps
//! cargo bench --bench access -- 50 100000 # other sizes: models, steps
//! ```
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs 200 steps as a smoke test.

use std::path::Path;
use std::time::Instant;

use amplify_gql::access::{Expect, Roles, Step, TestFile};
use amplify_gql::appsync::{Api, Build};
use amplify_gql::config::Config;
use amplify_gql::project::BuildInputs;
use amplify_gql::source::SourceMap;
use serde_json::{Map, json};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `n` models, each owned by its author, readable by signed-in users and with the API key.
fn schema(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "type Note{i} @model @auth(rules: [{{ allow: owner }}, {{ allow: private, operations: [read] }}, {{ allow: public, operations: [read] }}]) {{\n  id: ID!\n  title: String!\n  body: String\n}}\n\n"
            )
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let numbers: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let models = numbers.first().copied().unwrap_or(20);
    let steps = numbers
        .get(1)
        .copied()
        .unwrap_or(if bench { 10_000 } else { 200 });

    let started = Instant::now();
    let config = Config::default();
    let sources = SourceMap::from_text("schema.graphql", &schema(models));
    let (normalised, diagnostics) = amplify_gql::analyse(&sources, &config);
    assert!(!diagnostics.has_errors(), "the generated schema has errors");
    let inputs = BuildInputs::standalone("bench", &config, 0, "digest");
    let output = amplify_gql::compile_with(&normalised.expect("a schema"), &config, &inputs)
        .expect("a build");
    let files = output
        .files
        .into_iter()
        .map(|(p, b)| (p.to_string_lossy().into_owned(), b))
        .collect();
    let api =
        Api::new(Build::from_files(Path::new("build"), &files).expect("a build")).expect("an API");
    let compiled = started.elapsed();

    let roles = Roles {
        auth: &api.build.auth_role_name,
        unauth: &api.build.unauth_role_name,
    };
    let text = "identities:\n  alice: { userPools: { username: alice } }\n  bob: { userPools: { username: bob } }\n  visitor: apiKey\nsteps:\n  - { as: alice, query: x, expect: allow }\n";
    let mut file = TestFile::parse(text, &roles).expect("identities");
    file.steps.clear();
    let mut seed = Map::new();
    for m in 0..models {
        seed.insert(format!("Note{m}"), json!([{"id": "seed", "title": "t", "owner": "alice-sub::alice", "__typename": format!("Note{m}")}]));
    }
    file.seed = seed;
    // Creates, reads by id, lists, updates by the owner and by another user, writes with the
    // API key: allowed and denied in turn, over every model.
    for i in 0..steps {
        let m = i % models;
        let (caller, query, expect) = match i % 6 {
            0 => (
                "alice",
                format!(
                    "mutation {{ createNote{m}(input: {{id: \"n{i}\", title: \"t\"}}) {{ id owner }} }}"
                ),
                Expect::Allow,
            ),
            1 => (
                "bob",
                format!("{{ getNote{m}(id: \"seed\") {{ id title }} }}"),
                Expect::Allow,
            ),
            2 => (
                "visitor",
                format!("{{ listNote{m}s(limit: 5) {{ items {{ id }} }} }}"),
                Expect::Allow,
            ),
            3 => (
                "alice",
                format!(
                    "mutation {{ updateNote{m}(input: {{id: \"seed\", body: \"b{i}\"}}) {{ id body }} }}"
                ),
                Expect::Allow,
            ),
            4 => (
                "bob",
                format!(
                    "mutation {{ updateNote{m}(input: {{id: \"seed\", body: \"x\"}}) {{ id }} }}"
                ),
                Expect::Deny,
            ),
            _ => (
                "visitor",
                format!("mutation {{ createNote{m}(input: {{title: \"spam\"}}) {{ id }} }}"),
                Expect::Deny,
            ),
        };
        file.steps.push(Step {
            name: format!("step {i}"),
            line: i + 1,
            caller: caller.to_string(),
            query,
            variables: Map::new(),
            expect,
            data: None,
        });
    }
    let ran = Instant::now();
    let results = amplify_gql::access::run(&api, &file, 1_717_243_200_000).expect("the steps run");
    let took = ran.elapsed();
    let failed: Vec<_> = results.iter().filter(|r| r.failure.is_some()).collect();
    assert!(
        failed.is_empty(),
        "{} steps failed, first: {:?}",
        failed.len(),
        failed[0].failure
    );
    println!(
        "| models | steps | compile ms | steps ms | steps/s |\n|---:|---:|---:|---:|---:|\n| {models} | {steps} | {:.0} | {:.0} | {:.0} |",
        compiled.as_secs_f64() * 1000.0,
        took.as_secs_f64() * 1000.0,
        steps as f64 / took.as_secs_f64()
    );
}
