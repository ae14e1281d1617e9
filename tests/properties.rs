//! Properties of the compiler on hostile input: random bytes, damaged versions of real
//! schemas, and random `@auth` rules built from the rule vocabulary (valid and invalid keys,
//! values of the wrong kind, nested lists) never make `analyse`, ACM building, the compile of
//! what is accepted or rendering panic; every diagnostic has a catalogued code, every span it
//! carries lies within the schema text, and every stack compiled is JSON.

mod invariants;

use std::path::{Path, PathBuf};

use amplify_gql::config::Config;
use amplify_gql::source::SourceMap;
use proptest::prelude::*;
use proptest::sample::select;

/// Runs the whole pipeline on `text` and checks the invariants, rendering in colour for every
/// other length (so both renderings are exercised without paying for two).
/// In a campaign (`scripts/fuzz-campaign`), `HANG_LIMIT_MS` makes a slower case a failure.
fn check(text: &str, config: &Config) -> Result<(), TestCaseError> {
    let started = std::time::Instant::now();
    invariants::check(text, config, text.len() % 2 == 1).map_err(TestCaseError::fail)?;
    if let Some(limit) = hang_limit() {
        let took = started.elapsed();
        prop_assert!(
            took <= limit,
            "took {took:?}, over the {limit:?} hang limit"
        );
    }
    Ok(())
}

fn hang_limit() -> Option<std::time::Duration> {
    static LIMIT: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        let ms = std::env::var("HANG_LIMIT_MS").ok()?.parse().ok()?;
        Some(std::time::Duration::from_millis(ms))
    })
}

/// Every schema text shipped with the crate: fixtures and the example project.
fn corpus() -> &'static [String] {
    static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(read_corpus)
}

fn read_corpus() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "graphql") {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    walk(&root.join("fixtures"), &mut paths);
    walk(&root.join("examples"), &mut paths);
    let mut texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    texts.push(
        "type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {\n  id: ID!\n  title: String!\n  secret: String @auth(rules: [{ allow: owner }])\n}\n"
            .to_string(),
    );
    texts
}

// ---------------------------------------------------------------------------------------------
// Rule vocabulary

const STRATEGIES: &[&str] = &["owner", "groups", "private", "public", "custom", "everyone"];
const PROVIDERS: &[&str] = &[
    "userPools",
    "oidc",
    "iam",
    "identityPool",
    "apiKey",
    "function",
    "lambda",
];
const OPERATIONS: &[&str] = &[
    "create", "read", "update", "delete", "get", "list", "listen", "search", "sync", "write",
];
const KEYS: &[&str] = &[
    "allow",
    "provider",
    "ownerField",
    "identityClaim",
    "groupClaim",
    "groups",
    "groupsField",
    "operations",
    "mutations",
    "queries",
    "ownerfield",
    "color",
];
const NAMES: &[&str] = &[
    "owner",
    "author",
    "editors",
    "id",
    "title",
    "sub",
    "username",
    "sub::username",
    "cognito:groups",
    "Admin",
    "",
];

/// A GraphQL value of any kind, mostly from the vocabulary, nested up to `depth`.
fn value(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        select(STRATEGIES).prop_map(str::to_string),
        select(PROVIDERS).prop_map(str::to_string),
        select(OPERATIONS).prop_map(str::to_string),
        select(NAMES).prop_map(|s| format!("{s:?}")),
        any::<i32>().prop_map(|i| i.to_string()),
        Just("1.5".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        Just("$var".to_string()),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        2 => prop::collection::vec(value(depth - 1), 0..4)
            .prop_map(|v| format!("[{}]", v.join(", "))),
        1 => prop::collection::vec((select(KEYS), value(depth - 1)), 0..3).prop_map(|kv| {
            let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{ {} }}", fields.join(", "))
        }),
    ]
    .boxed()
}

/// A value that fits the key most of the time, and anything at all otherwise.
fn value_for(key: &'static str) -> BoxedStrategy<String> {
    let fitting = match key {
        "allow" => select(STRATEGIES).prop_map(str::to_string).boxed(),
        "provider" => select(PROVIDERS).prop_map(str::to_string).boxed(),
        "operations" | "mutations" | "queries" => prop::collection::vec(select(OPERATIONS), 0..5)
            .prop_map(|ops| format!("[{}]", ops.join(", ")))
            .boxed(),
        "groups" => prop_oneof![
            prop::collection::vec(select(NAMES), 0..3).prop_map(|g| format!("{g:?}")),
            select(NAMES).prop_map(|s| format!("{s:?}")),
        ]
        .boxed(),
        _ => select(NAMES).prop_map(|s| format!("{s:?}")).boxed(),
    };
    prop_oneof![4 => fitting, 1 => value(2)].boxed()
}

/// One rule object: `allow` usually first, then random keys (some unknown, some repeated).
fn rule() -> impl Strategy<Value = String> {
    let allow = prop::option::weighted(0.9, value_for("allow"));
    let others = prop::collection::vec(
        select(KEYS).prop_flat_map(|k| value_for(k).prop_map(move |v| format!("{k}: {v}"))),
        0..4,
    );
    (allow, others).prop_map(|(allow, others)| {
        let mut fields: Vec<String> = allow.map(|a| format!("allow: {a}")).into_iter().collect();
        fields.extend(others);
        format!("{{ {} }}", fields.join(", "))
    })
}

/// A rule that makes sense on its own (whether it is valid depends on the auth modes and
/// the rest of the schema).
fn sensible_rule() -> impl Strategy<Value = String> {
    let ops = prop::option::weighted(
        0.4,
        prop::collection::vec(select(&["create", "read", "update", "delete"][..]), 1..4)
            .prop_map(|ops| format!(", operations: [{}]", ops.join(", "))),
    );
    let provider = |choices: &'static [&'static str]| {
        prop::option::weighted(
            0.3,
            select(choices).prop_map(|p| format!(", provider: {p}")),
        )
    };
    let body = prop_oneof![
        (
            provider(&["userPools", "oidc"]),
            prop::option::of(select(&["owner", "author"][..]))
        )
            .prop_map(|(p, f)| format!(
                "allow: owner{}{}",
                p.unwrap_or_default(),
                f.map(|f| format!(", ownerField: \"{f}\""))
                    .unwrap_or_default()
            )),
        (provider(&["userPools", "oidc"]), any::<bool>()).prop_map(|(p, dynamic)| format!(
            "allow: groups{}, {}",
            p.unwrap_or_default(),
            if dynamic {
                "groupsField: \"editors\""
            } else {
                "groups: [\"Admin\"]"
            }
        )),
        provider(&["userPools", "oidc", "iam", "identityPool"])
            .prop_map(|p| format!("allow: private{}", p.unwrap_or_default())),
        provider(&["apiKey", "iam", "identityPool"])
            .prop_map(|p| format!("allow: public{}", p.unwrap_or_default())),
        Just("allow: custom".to_string()),
    ];
    (body, ops).prop_map(|(b, o)| format!("{{ {b}{} }}", o.unwrap_or_default()))
}

/// An `@auth` directive made of sensible rules.
fn sensible_auth() -> BoxedStrategy<String> {
    prop::collection::vec(sensible_rule(), 1..3)
        .prop_map(|r| format!("@auth(rules: [{}])", r.join(", ")))
        .boxed()
}

/// An `@auth` directive: usually a list of rules, sometimes a malformed argument.
fn auth() -> BoxedStrategy<String> {
    prop_oneof![
        2 => sensible_auth(),
        6 => prop::collection::vec(rule(), 0..4)
            .prop_map(|r| format!("@auth(rules: [{}])", r.join(", "))),
        1 => rule().prop_map(|r| format!("@auth(rules: {r})")),
        1 => value(2).prop_map(|v| format!("@auth(rules: {v})")),
        1 => Just("@auth".to_string()),
        1 => (select(KEYS), value(1)).prop_map(|(k, v)| format!("@auth({k}: {v})")),
    ]
    .boxed()
}

/// A schema with random rules: two times in three only sensible ones on models and their
/// fields, otherwise anything, also on a non-model type, a root type and an interface, with
/// sometimes a global auth rule.
fn schema() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => schema_with(sensible_auth(), 0.01),
        1 => schema_with(auth(), 0.2),
    ]
}

fn schema_with(auth: BoxedStrategy<String>, odd: f64) -> impl Strategy<Value = String> {
    let auth = move || auth.clone();
    (
        prop::collection::vec(
            (
                prop::option::weighted(0.8, auth()),
                prop::option::weighted(0.4, auth()),
                prop::option::weighted(0.2, auth()),
                any::<bool>(),
                select(&["owner", "author", "editors", "id"][..]),
            ),
            1..4,
        ),
        prop::option::weighted(odd, auth()),
        prop::option::weighted(odd, auth()),
        prop::option::weighted(odd / 2.0, value(1)),
    )
        .prop_map(|(models, on_plain, on_query, global)| {
            let mut s = String::new();
            if let Some(g) = global {
                s.push_str(&format!("input AMPLIFY {{ globalAuthRule: AuthRule = {g} }}\n\n"));
            }
            for (i, (type_auth, field_auth, id_auth, required, extra)) in
                models.into_iter().enumerate()
            {
                let bang = if required { "!" } else { "" };
                s.push_str(&format!(
                    "type M{i} @model {} {{\n  id: ID! {}\n  title: String{bang} {}\n  {extra}: [String]\n}}\n\n",
                    type_auth.unwrap_or_default(),
                    id_auth.unwrap_or_default(),
                    field_auth.unwrap_or_default(),
                ));
            }
            if let Some(a) = on_plain {
                s.push_str(&format!("type Plain {a} {{\n  x: Int {a}\n}}\n\n"));
            }
            if let Some(a) = on_query {
                s.push_str(&format!(
                    "type Query {{\n  hello: String {a}\n}}\n\ninterface Named {{\n  name: String {a}\n}}\n"
                ));
            }
            s
        })
}

/// A configuration with a random subset of auth modes and a few flags flipped.
fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![
            Just(invariants::MODES.to_vec()),
            prop::sample::subsequence(invariants::MODES, 1..=invariants::MODES.len()),
        ],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(modes, sub_username, populate)| {
            invariants::config(&modes, sub_username, populate)
        })
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Found by `random_bytes_never_panic`: an error at the end of a file whose last character is
/// a lone `\r` was underlined from beyond its line.
/// Cases per property: `default`, or `PROPTEST_CASES` for a longer campaign
/// (`PROPTEST_CASES=100000 cargo test --release --test properties`).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn an_error_after_a_final_carriage_return_is_rendered() {
    for text in ["\\\0\r", "type A @model {\r", "type\r"] {
        check(text, &Config::default()).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        check(&text, &Config::default())?;
    }

    #[test]
    fn random_graphqlish_text_never_panics(
        tokens in prop::collection::vec(
            select(&[
                "type", "input", "interface", "extend", "enum", "Post", "@model", "@auth",
                "(", ")", "{", "}", "[", "]", ":", ",", "rules", "allow", "owner", "!", "ID",
                "String", "\"", "\"\"\"", "#", "\n", " ", "=", "AMPLIFY", "globalAuthRule",
                "@hasMany", "@primaryKey", "é", "\u{1F600}", "\r\n", "$", "...", "1",
            ][..]),
            0..80,
        )
    ) {
        check(&tokens.concat(), &Config::default())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(250), ..ProptestConfig::default() })]

    #[test]
    fn truncated_schemas_never_panic(pick in any::<prop::sample::Index>(), cut in any::<prop::sample::Index>()) {
        let text = pick.get(corpus());
        let bytes = &text.as_bytes()[..cut.index(text.len() + 1)];
        check(&String::from_utf8_lossy(bytes), &Config::default())?;
    }

    #[test]
    fn byte_flips_never_panic(
        pick in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = pick.get(corpus()).clone().into_bytes();
        if !bytes.is_empty() {
            for (at, byte) in flips {
                let i = at.index(bytes.len());
                bytes[i] = byte;
            }
        }
        check(&String::from_utf8_lossy(&bytes), &Config::default())?;
    }

    #[test]
    fn random_rules_never_panic(text in schema(), config in config()) {
        check(&text, &config)?;
    }
}

/// The generators reach deep: some random schemas are accepted and some are not.
#[test]
fn random_rules_are_sometimes_valid_and_sometimes_not() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    let mut runner = TestRunner::new(RunnerConfig::default());
    let (mut valid, mut invalid) = (0, 0);
    let strategy = (schema(), config());
    for _ in 0..300 {
        let (text, config) = strategy.new_tree(&mut runner).unwrap().current();
        let sources = SourceMap::from_text("schema.graphql", &text);
        let (normalised, diagnostics) = amplify_gql::analyse(&sources, &config);
        if normalised.is_some() && !diagnostics.has_errors() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    assert!(valid >= 20, "only {valid} of 300 random schemas were valid");
    assert!(
        invalid >= 20,
        "only {invalid} of 300 random schemas were invalid"
    );
}

/// The inputs kept for the libFuzzer target (`fuzz/`): its seeds and every input that ever
/// crashed it, replayed here on every test run. Each file is one configuration byte
/// (`invariants::config_of_byte`) and then the schema text.
#[test]
fn fuzz_seeds_and_regressions_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["seeds", "regressions"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("fuzz/{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.ends_with("README.md"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let Some((&byte, text)) = data.split_first() else {
                continue;
            };
            let text = String::from_utf8_lossy(text);
            let color = data.len() % 2 == 1;
            if let Err(broken) = invariants::check(&text, &invariants::config_of_byte(byte), color)
            {
                panic!("{}: {broken}", file.display());
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 32, "only {replayed} fuzz inputs replayed");
}

/// Writes the seeds of `fuzz/seeds/` from the rule generators:
/// `cargo test --test properties -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    std::fs::create_dir_all(&dir).unwrap();
    let mut runner = TestRunner::new(RunnerConfig::default());
    let strategy = (schema(), any::<u8>());
    for i in 0..64 {
        let (text, byte) = strategy.new_tree(&mut runner).unwrap().current();
        let mut data = vec![byte];
        data.extend_from_slice(text.as_bytes());
        std::fs::write(dir.join(format!("rules-{i:02}")), data).unwrap();
    }
}
