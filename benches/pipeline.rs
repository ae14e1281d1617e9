//! Benchmark of the compiler on generated schemas: load, parse, lower to the typed model,
//! normalise the auth rules, the matrix-level checks, the ACM of every model, rendering the
//! warnings (the generated schemas are valid but warn, as real ones do), and the whole
//! `build/` in memory (schema, resolvers, stacks). Prints a Markdown table (median of several
//! runs per size).
//!
//! ```sh
//! cargo bench --bench pipeline              # 1, 200 and 5000 models
//! cargo bench --bench pipeline -- 10 1000   # other sizes
//! cargo bench --bench pipeline -- --emit DIR 200 5000   # write DIR/schema-N.graphql, no timing
//! ```
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs each phase once on small
//! schemas, as a smoke test.

use std::hint::black_box;
use std::time::{Duration, Instant};

use amplify_gql::config::Config;
use amplify_gql::plan::{Acm, RoleNaming};
use amplify_gql::source::SourceMap;

/// Model-level rule sets, the extra fields they need, and a field-level rule set for the
/// `notes` field (which reuses a model-level role, so every required field stays readable).
const TEMPLATES: &[(&str, &[&str], &str)] = &[
    (
        r#"{ allow: owner }, { allow: public, operations: [read] }"#,
        &[],
        r#"{ allow: owner }"#,
    ),
    (
        r#"{ allow: groups, groups: ["Admin", "Support"] }, { allow: private, operations: [read] }"#,
        &[],
        r#"{ allow: groups, groups: ["Admin"] }"#,
    ),
    (
        r#"{ allow: groups, groupsField: "teams" }, { allow: owner, ownerField: "createdBy", operations: [create, read, delete] }"#,
        &["teams: [String]", "createdBy: String"],
        r#"{ allow: groups, groupsField: "teams", operations: [read, update] }"#,
    ),
    (
        r#"{ allow: private }, { allow: public, provider: iam, operations: [read] }, { allow: private, provider: iam }"#,
        &[],
        r#"{ allow: private, operations: [read] }, { allow: private, provider: iam, operations: [read] }"#,
    ),
    (
        r#"{ allow: owner, provider: oidc, ownerField: "sub", identityClaim: "sub" }, { allow: groups, provider: oidc, groupClaim: "roles", groups: ["Editors"] }"#,
        &["sub: String"],
        r#"{ allow: groups, provider: oidc, groupClaim: "roles", groups: ["Editors"] }"#,
    ),
    (
        r#"{ allow: owner, ownerField: "editors", operations: [read, update] }, { allow: owner, operations: [create, read, delete] }, { allow: public, operations: [read] }"#,
        &["editors: [String]"],
        r#"{ allow: owner, operations: [read, update] }"#,
    ),
];

/// A schema of `n` models (`Item0000`, …) with mixed model- and field-level rules, valid
/// under the default auth configuration (user pools, API key, IAM, OIDC).
fn generate(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (rules, extra, field_rules) = TEMPLATES[i % TEMPLATES.len()];
        out.push_str(&format!(
            "type Item{i:04} @model @auth(rules: [{rules}]) {{\n  id: ID!\n  name: String!\n  description: String\n  quantity: Int\n  price: Float\n  available: Boolean\n  tags: [String]\n"
        ));
        for f in extra {
            out.push_str(&format!("  {f}\n"));
        }
        if i % 3 == 1 {
            out.push_str(&format!(
                "  notes: String @auth(rules: [{field_rules}])\n  audit: String @auth(rules: [{field_rules}])\n"
            ));
        }
        // Every fifth model has many of the next one, which belongs to it, and an index.
        if i % 5 == 0 && i + 1 < n {
            out.push_str(&format!("  parts: [Item{:04}] @hasMany\n", i + 1));
        }
        if i % 5 == 1 {
            out.push_str(&format!("  whole: Item{:04} @belongsTo\n", i - 1));
            out.push_str("  sku: String @index(name: \"bySku\", queryField: null)\n");
        }
        out.push_str("}\n\n");
    }
    out
}

/// The time of each phase of one run.
#[derive(Clone, Copy, Default)]
struct Phases {
    load: Duration,
    parse: Duration,
    lower: Duration,
    normalise: Duration,
    check: Duration,
    acm: Duration,
    render: Duration,
    build: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.load
            + self.parse
            + self.lower
            + self.normalise
            + self.check
            + self.acm
            + self.render
            + self.build
    }
}

fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    *slot = start.elapsed();
    value
}

/// One run of the pipeline on the schema file at `path`; checks that it is valid.
fn run_once(path: &std::path::Path, models: usize, config: &Config) -> Phases {
    let mut t = Phases::default();
    let sources = timed(&mut t.load, || SourceMap::load(path).expect("schema loads"));
    let parsed = timed(&mut t.parse, || amplify_gql::parse::parse(&sources));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let (schema, ds) = timed(&mut t.lower, || {
        amplify_gql::model::lower(parsed.document, config)
    });
    let mut diagnostics = amplify_gql::diagnostics::Diagnostics::from(ds);
    let (normalised, ds) = timed(&mut t.normalise, || {
        amplify_gql::normalise::normalise(schema, config)
    });
    diagnostics.extend(ds);
    let ds = timed(&mut t.check, || {
        amplify_gql::plan::check(&normalised, config)
    });
    diagnostics.extend(ds);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let built = timed(&mut t.acm, || {
        let mut roles = 0;
        for model in normalised.schema.models() {
            let auth = normalised
                .auth_of(&model.name.text)
                .cloned()
                .unwrap_or_default();
            let acm = Acm::build(model, &auth, RoleNaming::Printed).expect("no role collision");
            roles += black_box(acm).roles.len();
        }
        roles
    });
    let rendered = timed(&mut t.render, || {
        amplify_gql::render_diagnostics(&diagnostics, &sources, false)
    });
    black_box(rendered);
    let files = timed(&mut t.build, || {
        amplify_gql::compile(&normalised, config).files.len()
    });
    assert!(files > models);
    assert_eq!(normalised.schema.models().count(), models);
    assert!(built >= models);
    t
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 100.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = match (sizes.is_empty(), bench) {
        (false, _) => sizes,
        (true, true) => vec![1, 200, 5000],
        (true, false) => vec![1, 20],
    };
    if let Some(i) = args.iter().position(|a| a == "--emit") {
        let out = std::path::Path::new(args.get(i + 1).expect("--emit DIR"));
        std::fs::create_dir_all(out).expect("output folder");
        for n in sizes {
            let path = out.join(format!("schema-{n}.graphql"));
            std::fs::write(&path, generate(n)).expect("write schema");
            println!("{}", path.display());
        }
        return;
    }
    let config = Config::default();
    let dir = std::env::temp_dir().join(format!("amplify-gql-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");

    println!(
        "| models | schema KiB | runs | load ms | parse ms | lower ms | normalise ms | check ms | ACM ms | render ms | build ms | total ms | µs/model |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let text = generate(n);
        let path = dir.join(format!("schema-{n}.graphql"));
        std::fs::write(&path, &text).expect("write schema");
        let runs = if bench {
            (2000 / n.max(1)).clamp(5, 200)
        } else {
            1
        };
        // Warm-up (page cache, allocator).
        run_once(&path, n, &config);
        let all: Vec<Phases> = (0..runs).map(|_| run_once(&path, n, &config)).collect();
        let pick = |f: fn(&Phases) -> Duration| median(all.iter().map(f).collect());
        let total = pick(Phases::total);
        println!(
            "| {n} | {:.1} | {runs} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            text.len() as f64 / 1024.0,
            ms(pick(|p| p.load)),
            ms(pick(|p| p.parse)),
            ms(pick(|p| p.lower)),
            ms(pick(|p| p.normalise)),
            ms(pick(|p| p.check)),
            ms(pick(|p| p.acm)),
            ms(pick(|p| p.render)),
            ms(pick(|p| p.build)),
            ms(total),
            total.as_secs_f64() * 1e6 / n as f64,
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
