//! Amplify's `graphqltransformer` feature flags, read from a `cli.json` or a flat map, and
//! from `AMPLIFYCLI…` environment variables over them, as the Amplify CLI reads them.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};

macro_rules! flags {
    ($($field:ident: $ty:ty = $default:expr,)*) => {
        /// The flags, with the values a new Amplify project writes into `cli.json`.
        #[derive(Clone, Debug, PartialEq)]
        pub struct FeatureFlags { $(pub $field: $ty,)* }

        impl Default for FeatureFlags {
            fn default() -> Self { FeatureFlags { $($field: $default,)* } }
        }

        impl FeatureFlags {
            /// Flag names as Amplify spells them in `cli.json` (lower case).
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field),)*];

            /// Sets a flag by its case-insensitive name; `Err` carries what was expected.
            fn set(&mut self, name: &str, value: &Json) -> Result<bool, &'static str> {
                let lower = name.to_ascii_lowercase();
                $(
                    if lower == stringify!($field) {
                        self.$field = <$ty as FlagValue>::read(value).ok_or(<$ty as FlagValue>::EXPECTED)?;
                        return Ok(true);
                    }
                )*
                Ok(false)
            }

            /// `name = value  (where it was read)` lines, for `--print-config`.
            pub fn describe(&self, origins: &FlagOrigins) -> Vec<String> {
                vec![$(format!(
                    "{} = {:?}  ({})",
                    stringify!($field),
                    self.$field,
                    origins.of(stringify!($field))
                ),)*]
            }

            /// A variable's text as the JSON value of the flag `name` (lower case); a text
            /// that is not of the flag's kind stays a string, which `set` refuses.
            fn value_of_text(name: &str, text: &str) -> Json {
                $(
                    if name == stringify!($field) {
                        if let Some(v) = <$ty as FlagValue>::from_text(text) {
                            return v;
                        }
                    }
                )*
                Json::String(text.to_string())
            }
        }
    };
}

flags! {
    addmissingownerfields: bool = true,
    improvepluralization: bool = false,
    validatetypenamereservedwords: bool = true,
    useexperimentalpipelinedtransformer: bool = true,
    enableiterativegsiupdates: bool = true,
    secondarykeyasgsi: bool = true,
    skipoverridemutationinputtypes: bool = true,
    transformerversion: i64 = 2,
    suppressschemamigrationprompt: bool = true,
    securityenhancementnotification: bool = false,
    showfieldauthnotification: bool = false,
    usesubusernamefordefaultidentityclaim: bool = true,
    usefieldnameforprimarykeyconnectionfield: bool = false,
    enableautoindexquerynames: bool = true,
    respectprimarykeyattributesonconnectionfield: bool = true,
    shoulddeepmergedirectiveconfigdefaults: bool = false,
    populateownerfieldforstaticgroupauth: bool = true,
    subscriptionsinheritprimaryauth: bool = false,
    enablegen2migration: bool = false,
}

trait FlagValue: Sized {
    const EXPECTED: &'static str;
    fn read(v: &Json) -> Option<Self>;
    /// From an environment variable's text, as the Amplify CLI reads it.
    fn from_text(s: &str) -> Option<Json>;
}

impl FlagValue for bool {
    const EXPECTED: &'static str = "true or false";
    fn read(v: &Json) -> Option<Self> {
        v.as_bool()
    }
    fn from_text(s: &str) -> Option<Json> {
        match s {
            "true" => Some(Json::Bool(true)),
            "false" => Some(Json::Bool(false)),
            _ => None,
        }
    }
}

impl FlagValue for i64 {
    const EXPECTED: &'static str = "a number";
    fn read(v: &Json) -> Option<Self> {
        v.as_i64()
    }
    fn from_text(s: &str) -> Option<Json> {
        parse_int(s).map(Json::from)
    }
}

impl FeatureFlags {
    /// Reads `cli.json` (`{"features": {"graphqltransformer": {...}}}`) or a flat `{flag: value}`
    /// map over the new-project defaults. Unknown flags are warnings, wrong values errors.
    pub fn from_json_text(text: &str, file: &str) -> (FeatureFlags, Vec<Diagnostic>) {
        FeatureFlags::read_json_text(text, file, &mut FlagOrigins::default())
    }

    /// `from_json_text`, noting `file` as the origin of every flag the text sets.
    pub fn read_json_text(
        text: &str,
        file: &str,
        origins: &mut FlagOrigins,
    ) -> (FeatureFlags, Vec<Diagnostic>) {
        let mut flags = FeatureFlags::default();
        let mut diags = Vec::new();
        let json: Json = match serde_json::from_str(text) {
            Ok(j) => j,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        Code::FlagsInvalid,
                        format!("the feature flags file is not valid JSON: {e}"),
                    )
                    .in_file(file)
                    .with_help("use Amplify's cli.json or a {\"flag\": value} map"),
                );
                return (flags, diags);
            }
        };
        let section = json
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("features")))
            .and_then(|(_, f)| f.as_object())
            .map(|f| {
                f.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("graphqltransformer"))
                    .map(|(_, v)| v)
            });
        let map = match section {
            Some(Some(s)) => s.as_object(),
            Some(None) => None,
            None => json.as_object(),
        };
        for (name, value) in map.into_iter().flatten() {
            match flags.set(name, value) {
                Ok(true) => origins.record(name, file),
                Ok(false) => diags.push(unknown_flag(name, file)),
                Err(expected) => diags.push(wrong_value(
                    name,
                    expected,
                    value,
                    file,
                    &format!("`{name}`"),
                )),
            }
        }
        diags.extend(flags.version_check(file));
        (flags, diags)
    }

    /// The transformer version must be one amplify-gql implements.
    fn version_check(&self, file: &str) -> Option<Diagnostic> {
        if !matches!(self.transformerversion, 1 | 2) {
            return Some(
                Diagnostic::error(
                    Code::FlagsInvalid,
                    format!(
                        "transformerversion must be 1 or 2, found {}",
                        self.transformerversion
                    ),
                )
                .in_file(file)
                .with_help("set transformerversion to 2"),
            );
        } else if self.transformerversion == 1 && !self.useexperimentalpipelinedtransformer {
            return Some(
                Diagnostic::error(
                    Code::FlagsInvalid,
                    "this project uses the v1 GraphQL transformer, which amplify-gql does not implement",
                )
                .in_file(file)
                .with_help("migrate the project to transformer v2 (transformerversion 2)"),
            );
        }
        None
    }

    /// Sets flags from `AMPLIFYCLI…` variables over the flags read from files, in the Amplify
    /// CLI's order: `AMPLIFYCLI_<SECTION>__<FLAG>` (every environment), then
    /// `AMPLIFYCLI-<env>_<SECTION>__<FLAG>` for the current environment `env`. Names are
    /// read in lower case; an empty value sets nothing; booleans are `true` or `false`,
    /// numbers are read as JavaScript's `parseInt` reads them. Sections other than
    /// `graphqltransformer` are not read (as in `cli.json`).
    pub fn apply_variables(
        &mut self,
        vars: &[FlagVariable],
        env: Option<&str>,
        origins: &mut FlagOrigins,
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let mut every_env = Vec::new();
        let mut this_env = Vec::new();
        for var in vars
            .iter()
            .filter(|v| v.name.starts_with(FlagVariable::PREFIX))
        {
            match var.target() {
                Err(()) => diags.push(
                    Diagnostic::error(
                        Code::FlagsInvalid,
                        format!("invalid variable name format: `{}`", var.name),
                    )
                    .in_file(var.origin())
                    .with_help(
                        "name it AMPLIFYCLI_GRAPHQLTRANSFORMER__<FLAG>, or AMPLIFYCLI-<env>_GRAPHQLTRANSFORMER__<FLAG> for one environment",
                    ),
                ),
                Ok(_) if var.value.is_empty() => {}
                Ok((None, section, flag)) => every_env.push((var, section, flag)),
                Ok((Some(e), section, flag)) if Some(e.as_str()) == env => {
                    this_env.push((var, section, flag))
                }
                Ok(_) => {}
            }
        }
        // The flags that choose the transformer are checked again when a variable sets one.
        let mut sets_version = None;
        for (var, section, flag) in every_env.into_iter().chain(this_env) {
            if section != "graphqltransformer" {
                continue;
            }
            let value = FeatureFlags::value_of_text(&flag, &var.value);
            let origin = var.origin();
            match self.set(&flag, &value) {
                Ok(true) => {
                    origins.record(&flag, &origin);
                    if flag == "transformerversion" || flag == "useexperimentalpipelinedtransformer"
                    {
                        sets_version = Some(origin);
                    }
                }
                Ok(false) => diags.push(unknown_flag(&flag, &origin)),
                Err(expected) => {
                    diags.push(wrong_value(&flag, expected, &value, &origin, &var.name))
                }
            }
        }
        if let Some(origin) = sets_version {
            diags.extend(self.version_check(&origin));
        }
        diags
    }
}

fn unknown_flag(name: &str, origin: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::UnknownFlag,
        format!("unknown feature flag `{name}` is ignored"),
    )
    .in_file(origin)
    .with_help(format!(
        "known graphqltransformer flags: {}",
        FeatureFlags::NAMES.join(", ")
    ))
}

/// `set`: what the help tells to set (the flag, or the variable).
fn wrong_value(name: &str, expected: &str, found: &Json, origin: &str, set: &str) -> Diagnostic {
    Diagnostic::error(
        Code::FlagsInvalid,
        format!("feature flag `{name}` must be {expected}, found {found}"),
    )
    .in_file(origin)
    .with_help(format!("set {set} to {expected}"))
}

/// An environment variable that may set a flag, and where it was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagVariable {
    pub name: String,
    pub value: String,
    /// The `.env` file it was read from; `None`: the process environment.
    pub file: Option<String>,
}

impl FlagVariable {
    /// The prefix of the variables the Amplify CLI reads flags from (case-sensitive).
    pub const PREFIX: &'static str = "AMPLIFYCLI";

    fn origin(&self) -> String {
        match &self.file {
            Some(f) => format!("{f}: {}", self.name),
            None => format!("environment variable {}", self.name),
        }
    }

    /// (environment, section, flag), in lower case; `Err` when the name has neither form.
    /// The name starts with `PREFIX`.
    fn target(&self) -> Result<(Option<String>, String, String), ()> {
        let lower = self.name[Self::PREFIX.len()..].to_lowercase();
        // Only the first `__` separates the section from the flag.
        let rest = lower.replacen("__", ":", 1);
        let (env, rest) = if let Some(r) = rest.strip_prefix('-') {
            let (env, r) = split_once_nonempty(r, '_')?;
            (Some(env.to_string()), r)
        } else if let Some(r) = rest.strip_prefix('_') {
            (None, r)
        } else {
            return Err(());
        };
        let (section, flag) = split_once_nonempty(rest, ':')?;
        Ok((env, section.to_string(), flag.to_string()))
    }
}

fn split_once_nonempty(s: &str, sep: char) -> Result<(&str, &str), ()> {
    match s.split_once(sep) {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a, b)),
        _ => Err(()),
    }
}

/// A number as JavaScript's `parseInt(s, 10)` reads it: leading white space, a sign, then
/// as many digits as there are (`"2x"` is 2).
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, t.strip_prefix('+').unwrap_or(t)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().ok().map(|n| sign * n)
}

/// Where each flag's value was read, for `--print-config`; a flag not named has the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagOrigins {
    map: BTreeMap<String, String>,
    default: String,
}

impl Default for FlagOrigins {
    fn default() -> Self {
        FlagOrigins::with_default("default")
    }
}

impl FlagOrigins {
    /// `default`: what to say of a flag no source sets.
    pub fn with_default(default: &str) -> FlagOrigins {
        FlagOrigins {
            map: BTreeMap::new(),
            default: default.to_string(),
        }
    }

    pub fn record(&mut self, name: &str, origin: &str) {
        let name = name.to_ascii_lowercase();
        if FeatureFlags::NAMES.contains(&name.as_str()) {
            self.map.insert(name, origin.to_string());
        }
    }

    pub fn of(&self, name: &str) -> &str {
        self.map.get(name).unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cli_json_case_insensitively() {
        let (f, d) = FeatureFlags::from_json_text(
            r#"{"features": {"GraphQLTransformer": {"UseSubUsernameForDefaultIdentityClaim": false}}}"#,
            "cli.json",
        );
        assert!(d.is_empty(), "{d:?}");
        assert!(!f.usesubusernamefordefaultidentityclaim);
        assert!(f.populateownerfieldforstaticgroupauth);
    }

    #[test]
    fn flat_map_unknown_flag_warns_and_bad_value_errors() {
        let (_, d) = FeatureFlags::from_json_text(
            r#"{"nosuchflag": true, "secondarykeyasgsi": "yes"}"#,
            "flags.json",
        );
        assert_eq!(d.len(), 2);
        assert!(!d[0].is_error());
        assert!(d[1].is_error());
    }

    #[test]
    fn variable_names_and_numbers_are_read_as_the_amplify_cli_reads_them() {
        let var = |name: &str| FlagVariable {
            name: name.into(),
            value: "1".into(),
            file: None,
        };
        let t = |name: &str| var(name).target();
        assert_eq!(
            t("AMPLIFYCLI_GraphQLTransformer__TransformerVersion"),
            Ok((
                None,
                "graphqltransformer".into(),
                "transformerversion".into()
            ))
        );
        assert_eq!(
            t("AMPLIFYCLI-dev_graphqltransformer__a__b"),
            Ok((
                Some("dev".into()),
                "graphqltransformer".into(),
                "a__b".into()
            ))
        );
        for bad in [
            "AMPLIFYCLIX",
            "AMPLIFYCLI_GRAPHQLTRANSFORMER",
            "AMPLIFYCLI-dev",
            "AMPLIFYCLI___X",
        ] {
            assert_eq!(t(bad), Err(()), "{bad}");
        }
        assert_eq!(parse_int(" 2x"), Some(2));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("x2"), None);
    }
}
