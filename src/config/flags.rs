//! Amplify's `graphqltransformer` feature flags, read from a `cli.json` or a flat map.

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

            /// `name = value` lines, for `--print-config`.
            pub fn describe(&self) -> Vec<String> {
                vec![$(format!("{} = {:?}", stringify!($field), self.$field),)*]
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
}

impl FlagValue for bool {
    const EXPECTED: &'static str = "true or false";
    fn read(v: &Json) -> Option<Self> {
        v.as_bool()
    }
}

impl FlagValue for i64 {
    const EXPECTED: &'static str = "a number";
    fn read(v: &Json) -> Option<Self> {
        v.as_i64()
    }
}

impl FeatureFlags {
    /// Reads `cli.json` (`{"features": {"graphqltransformer": {...}}}`) or a flat `{flag: value}`
    /// map over the new-project defaults. Unknown flags are warnings, wrong values errors.
    pub fn from_json_text(text: &str, file: &str) -> (FeatureFlags, Vec<Diagnostic>) {
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
                Ok(true) => {}
                Ok(false) => diags.push(
                    Diagnostic::warning(
                        Code::UnknownFlag,
                        format!("unknown feature flag `{name}` is ignored"),
                    )
                    .in_file(file)
                    .with_help(format!(
                        "known graphqltransformer flags: {}",
                        FeatureFlags::NAMES.join(", ")
                    )),
                ),
                Err(expected) => diags.push(
                    Diagnostic::error(
                        Code::FlagsInvalid,
                        format!("feature flag `{name}` must be {expected}, found {value}"),
                    )
                    .in_file(file)
                    .with_help(format!("set `{name}` to {expected}")),
                ),
            }
        }
        if !matches!(flags.transformerversion, 1 | 2) {
            diags.push(
                Diagnostic::error(
                    Code::FlagsInvalid,
                    format!(
                        "transformerversion must be 1 or 2, found {}",
                        flags.transformerversion
                    ),
                )
                .in_file(file)
                .with_help("set transformerversion to 2"),
            );
        } else if flags.transformerversion == 1 && !flags.useexperimentalpipelinedtransformer {
            diags.push(
                Diagnostic::error(
                    Code::FlagsInvalid,
                    "this project uses the v1 GraphQL transformer, which amplify-gql does not implement",
                )
                .in_file(file)
                .with_help("migrate the project to transformer v2 (transformerversion 2)"),
            );
        }
        (flags, diags)
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
}
