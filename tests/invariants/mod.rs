//! What must hold for any input, however hostile: shared by the property tests
//! (`tests/properties.rs`) and the libFuzzer target (`fuzz/`), which includes this file by path.
//!
//! `analyse`, ACM building, the compile of what is accepted and rendering never panic; every
//! diagnostic has a catalogued code and a message, every span it carries lies within the
//! schema text, and every stack compiled is JSON. A broken invariant is an `Err` naming it.

use amplify_gql::config::{AuthConfig, Config, FeatureFlags};
use amplify_gql::diagnostics::{Code, Diagnostics};
use amplify_gql::emit::acm::{self, Columns};
use amplify_gql::plan::{Acm, RoleNaming};
use amplify_gql::project::BuildInputs;
use amplify_gql::render_diagnostics;
use amplify_gql::source::{SourceMap, Span};

/// Fails with the message when `cond` does not hold.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Runs the whole pipeline on `text` and checks the invariants, rendering in `color` or not.
pub fn check(text: &str, config: &Config, color: bool) -> Result<(), String> {
    let sources = SourceMap::from_text("schema.graphql", text);
    let (normalised, mut diagnostics) = amplify_gql::analyse(&sources, config);
    check_diagnostics(&diagnostics, text.len())?;
    if let Some(n) = &normalised {
        for model in n.schema.models() {
            let auth = n.auth_of(&model.name.text).cloned().unwrap_or_default();
            for naming in [RoleNaming::Printed, RoleNaming::Transformer] {
                if let Ok(matrix) = Acm::build(model, &auth, naming) {
                    ensure!(
                        matrix.model == model.name.text,
                        "ACM of {} names {}",
                        model.name.text,
                        matrix.model
                    );
                    for role in &matrix.roles {
                        ensure!(
                            role.access.len() == matrix.resources.len(),
                            "ACM role {} has {} cells for {} resources",
                            role.name,
                            role.access.len(),
                            matrix.resources.len()
                        );
                    }
                    for columns in [Columns::Operations, Columns::Crud] {
                        ensure!(!acm::table(&matrix, columns).is_empty(), "empty ACM table");
                        let json = acm::json(&matrix, columns);
                        ensure!(
                            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
                            "ACM json is not JSON"
                        );
                        let _ = acm::markdown(&matrix, columns);
                    }
                }
            }
        }
    }
    // The back half, on what the front half accepts: every stack is JSON.
    if let Some(n) = &normalised
        && !diagnostics.has_errors()
    {
        let inputs = BuildInputs::standalone("api", config, 0, "digest");
        match amplify_gql::compile_with(n, config, &inputs) {
            Ok(build) => {
                for (path, bytes) in &build.files {
                    if path.extension().is_some_and(|e| e == "json") {
                        ensure!(
                            serde_json::from_slice::<serde_json::Value>(bytes).is_ok(),
                            "{} is not JSON",
                            path.display()
                        );
                    }
                }
                // The lints and the limits run; a build compared with itself changes nothing.
                let lints =
                    amplify_gql::diagnostics::Diagnostics::from(amplify_gql::lint::lint(n, config));
                check_diagnostics(&lints, text.len())?;
                let version = amplify_gql::review::Version {
                    label: "v".into(),
                    sources: &sources,
                    normalised: n,
                    config,
                    build: &build,
                };
                let limits = amplify_gql::review::limits::Limits::default();
                let review = amplify_gql::review::Review::compare(&version, &version, &limits);
                ensure!(
                    review.access.is_empty()
                        && review.data.is_empty()
                        && review.resolvers.is_empty()
                        && review.resources.is_empty(),
                    "a build compared with itself has changes"
                );
                let sarif = amplify_gql::diagnostics::formats::sarif(&lints, &sources);
                ensure!(
                    serde_json::from_str::<serde_json::Value>(&sarif).is_ok(),
                    "SARIF is not JSON"
                );
            }
            Err(ds) => check_diagnostics(&ds, text.len())?,
        }
    }
    // Rendering once is enough: it is the slowest step, and colour changes only the styling.
    let rendered = render_diagnostics(&diagnostics, &sources, color);
    ensure!(
        rendered.is_empty() == diagnostics.is_empty(),
        "rendered {} bytes for {} diagnostics",
        rendered.len(),
        diagnostics.iter().count()
    );
    for d in diagnostics.iter() {
        ensure!(
            rendered.contains(d.code.as_str()),
            "{:?} not rendered",
            d.code
        );
    }
    diagnostics.deny_warnings();
    ensure!(
        diagnostics.has_errors() != diagnostics.is_empty(),
        "--deny-warnings left a diagnostic that is not an error"
    );
    Ok(())
}

fn check_diagnostics(diagnostics: &Diagnostics, len: usize) -> Result<(), String> {
    let within = |s: Span| s.start <= s.end && s.end <= len;
    for d in diagnostics.iter() {
        ensure!(
            Code::ALL.contains(&d.code),
            "uncatalogued code {:?}",
            d.code
        );
        ensure!(!d.code.as_str().is_empty(), "empty code");
        ensure!(!d.message.is_empty(), "{:?} has no message", d.code);
        if let Some(span) = d.span {
            ensure!(
                within(span),
                "{:?} span {:?} outside 0..{}",
                d.code,
                span,
                len
            );
        }
        for note in &d.notes {
            ensure!(
                within(note.span),
                "{:?} note span {:?} outside 0..{}",
                d.code,
                note.span,
                len
            );
        }
    }
    Ok(())
}

/// The auth modes a configuration may enable, in the order `config` reads them.
pub const MODES: &[&str] = &[
    "AMAZON_COGNITO_USER_POOLS",
    "API_KEY",
    "AWS_IAM",
    "OPENID_CONNECT",
    "AWS_LAMBDA",
];

/// A configuration whose default mode is `modes[0]` and whose other modes are additional,
/// with the two feature flags that change how owner and group rules compile.
pub fn config(modes: &[&str], sub_username: bool, populate: bool) -> Config {
    let mode = |m: &str| {
        match m {
        "AMAZON_COGNITO_USER_POOLS" => {
            r#"{"authenticationType": "AMAZON_COGNITO_USER_POOLS", "userPoolConfig": {"userPoolId": "authpool"}}"#.to_string()
        }
        "API_KEY" => r#"{"authenticationType": "API_KEY", "apiKeyConfig": {"apiKeyExpirationDays": 7}}"#.to_string(),
        "OPENID_CONNECT" => r#"{"authenticationType": "OPENID_CONNECT", "openIDConnectConfig": {"name": "oidc", "issuerUrl": "https://example.com/"}}"#.to_string(),
        "AWS_LAMBDA" => r#"{"authenticationType": "AWS_LAMBDA", "lambdaAuthorizerConfig": {"lambdaFunction": "fn", "ttlSeconds": 300}}"#.to_string(),
        other => format!(r#"{{"authenticationType": "{other}"}}"#),
    }
    };
    let additional: Vec<String> = modes[1..].iter().map(|m| mode(m)).collect();
    let json = format!(
        r#"{{"defaultAuthentication": {}, "additionalAuthenticationProviders": [{}]}}"#,
        mode(modes[0]),
        additional.join(", ")
    );
    let auth = AuthConfig::from_json_text(&json, "auth.json")
        .unwrap_or_else(|d| panic!("generated auth config rejected: {d:?}\n{json}"));
    let (flags, _) = FeatureFlags::from_json_text(
        &format!(
            r#"{{"usesubusernamefordefaultidentityclaim": {sub_username}, "populateownerfieldforstaticgroupauth": {populate}}}"#
        ),
        "flags.json",
    );
    Config {
        auth,
        flags,
        ..Config::default()
    }
}

/// The configuration one byte selects: bits 0-4 pick modes from `MODES` (none picked: all),
/// bits 5 and 6 the two flags, bit 7 whether the last picked mode is the default.
pub fn config_of_byte(byte: u8) -> Config {
    let mut modes: Vec<&str> = MODES
        .iter()
        .enumerate()
        .filter(|(i, _)| byte & (1 << i) != 0)
        .map(|(_, m)| *m)
        .collect();
    if modes.is_empty() {
        modes = MODES.to_vec();
    }
    if byte & 0x80 != 0 {
        modes.rotate_right(1);
    }
    config(&modes, byte & 0x20 != 0, byte & 0x40 != 0)
}
