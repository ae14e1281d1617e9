//! Fixture discovery and loading shared by the integration tests, and (`binary`) running the
//! built executable.
//!
//! A fixture is `fixtures/<kind>/<name>.graphql` or a folder `fixtures/<kind>/<name>/` (read as
//! a `schema/` folder), with optional sidecars `<name>.auth.json` (auth modes, AppSync's shape),
//! `<name>.flags.json` (feature flags) and `<name>.transform.json` (a `transform.conf.json`, for
//! DataStore's `ResolverConfig`). Paths shown in outputs are relative to the crate.

#![allow(dead_code)]

pub mod binary;

use std::path::{Path, PathBuf};

use amplify_gql::config::{AuthConfig, Config, FeatureFlags, ResolverConfig};
use amplify_gql::diagnostics::Diagnostics;
use amplify_gql::source::SourceMap;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub struct Fixture {
    /// Relative to the crate root, with `/` separators: `fixtures/ok/smoke-blog.graphql`.
    pub rel: String,
    pub path: PathBuf,
    /// The snapshot name: `<kind>__<name>`.
    pub name: String,
    pub auth: Option<PathBuf>,
    pub flags: Option<PathBuf>,
    pub transform: Option<PathBuf>,
}

/// The fixtures of `fixtures/<kind>/`, sorted by name.
pub fn fixtures(kind: &str) -> Vec<Fixture> {
    let dir = root().join("fixtures").join(kind);
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
        .into_iter()
        .filter(|p| {
            let hidden = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            !hidden && (p.is_dir() || p.extension().is_some_and(|e| e == "graphql"))
        })
        .map(|path| {
            let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = file_name
                .strip_suffix(".graphql")
                .unwrap_or(&file_name)
                .to_string();
            let sidecar = |ext: &str| {
                let p = dir.join(format!("{stem}.{ext}.json"));
                p.is_file().then_some(p)
            };
            Fixture {
                rel: format!("fixtures/{kind}/{file_name}"),
                name: format!("{kind}__{stem}"),
                auth: sidecar("auth"),
                flags: sidecar("flags"),
                transform: sidecar("transform"),
                path,
            }
        })
        .collect()
}

/// The SARIF 2.1.0 schema shipped with the tests, compiled for validation.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is shipped with the tests");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// Shows `path` relative to the crate, with `/` separators.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a fixture's schema and configuration; paths in diagnostics are relative.
pub fn load(f: &Fixture) -> (SourceMap, Config, Diagnostics) {
    let mut sources =
        SourceMap::load(&f.path).unwrap_or_else(|d| panic!("{}: cannot load: {d}", f.rel));
    for file in &mut sources.files {
        file.name = relative(Path::new(&file.name));
    }
    let mut config = Config::default();
    let mut diagnostics = Diagnostics::default();
    if let Some(path) = &f.auth {
        let text = std::fs::read_to_string(path).unwrap();
        match AuthConfig::from_json_text(&text, &relative(path)) {
            Ok(auth) => config.auth = auth,
            Err(ds) => diagnostics.extend(ds),
        }
    }
    if let Some(path) = &f.flags {
        let text = std::fs::read_to_string(path).unwrap();
        let (flags, ds) = FeatureFlags::from_json_text(&text, &relative(path));
        config.flags = flags;
        diagnostics.extend(ds);
    }
    if let Some(path) = &f.transform {
        let text = std::fs::read_to_string(path).unwrap();
        match ResolverConfig::from_transform_conf_text(&text, &relative(path)) {
            Ok(c) => config.datastore = c,
            Err(ds) => diagnostics.extend(ds),
        }
    }
    (sources, config, diagnostics)
}

/// Compiles a valid fixture; panics with the rendered diagnostics if it has errors.
pub fn compile(f: &Fixture) -> amplify_gql::output::BuildOutput {
    let (sources, config, mut diagnostics) = load(f);
    let (normalised, ds) = amplify_gql::analyse(&sources, &config);
    diagnostics.extend(ds.iter().cloned());
    match normalised {
        Some(n) if !diagnostics.has_errors() => amplify_gql::compile(&n, &config),
        _ => panic!(
            "{} has errors:\n{}",
            f.rel,
            amplify_gql::render_diagnostics(&diagnostics, &sources, false)
        ),
    }
}
