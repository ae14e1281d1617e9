//! The API's authorization modes, in AppSync's shape (`defaultAuthentication` and
//! `additionalAuthenticationProviders`).

use serde_json::Value as Json;

use crate::diagnostics::{Code, Diagnostic};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthModeKind {
    ApiKey,
    Iam,
    UserPools,
    Oidc,
    Lambda,
}

impl AuthModeKind {
    pub fn from_appsync(s: &str) -> Option<Self> {
        Some(match s {
            "API_KEY" => AuthModeKind::ApiKey,
            "AWS_IAM" => AuthModeKind::Iam,
            "AMAZON_COGNITO_USER_POOLS" => AuthModeKind::UserPools,
            "OPENID_CONNECT" => AuthModeKind::Oidc,
            "AWS_LAMBDA" => AuthModeKind::Lambda,
            _ => return None,
        })
    }

    pub fn appsync_name(self) -> &'static str {
        match self {
            AuthModeKind::ApiKey => "API_KEY",
            AuthModeKind::Iam => "AWS_IAM",
            AuthModeKind::UserPools => "AMAZON_COGNITO_USER_POOLS",
            AuthModeKind::Oidc => "OPENID_CONNECT",
            AuthModeKind::Lambda => "AWS_LAMBDA",
        }
    }
}

/// One configured mode with the settings that come with it (kept as JSON: later stages copy
/// them into CloudFormation as they are).
#[derive(Clone, Debug, PartialEq)]
pub struct AuthMode {
    pub kind: AuthModeKind,
    pub settings: serde_json::Map<String, Json>,
}

impl AuthMode {
    /// `apiKeyConfig.apiKeyExpirationDays` as a number; 0 counts as not given.
    pub fn api_key_expiration_days(&self) -> Option<f64> {
        let days = self
            .settings
            .get("apiKeyConfig")?
            .get("apiKeyExpirationDays")?;
        match days {
            Json::Number(n) => n.as_f64(),
            Json::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|d| *d != 0.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthConfig {
    pub default: AuthMode,
    pub additional: Vec<AuthMode>,
}

impl Default for AuthConfig {
    /// What a new Amplify API has: user pools by default, plus API key, IAM and OIDC.
    fn default() -> Self {
        let parsed = AuthConfig::from_json_text(
            r#"{
              "defaultAuthentication": {
                "authenticationType": "AMAZON_COGNITO_USER_POOLS",
                "userPoolConfig": { "userPoolId": "authoracleuserpool" }
              },
              "additionalAuthenticationProviders": [
                { "authenticationType": "API_KEY", "apiKeyConfig": { "apiKeyExpirationDays": 7, "description": "" } },
                { "authenticationType": "AWS_IAM" },
                { "authenticationType": "OPENID_CONNECT",
                  "openIDConnectConfig": { "name": "oidc", "issuerUrl": "https://oidc.example.com/", "clientId": "oidc-client-id" } }
              ]
            }"#,
            "default",
        );
        parsed.expect("the built-in default auth configuration is valid")
    }
}

impl AuthConfig {
    /// Every configured mode, default first.
    pub fn modes(&self) -> impl Iterator<Item = &AuthMode> {
        std::iter::once(&self.default).chain(self.additional.iter())
    }

    pub fn has(&self, kind: AuthModeKind) -> bool {
        self.modes().any(|m| m.kind == kind)
    }

    /// An API key's expiry must be 1 to 365 days, as AppSync allows.
    pub fn check_api_key(&self) -> Result<(), Diagnostic> {
        let days = self
            .modes()
            .find(|m| m.kind == AuthModeKind::ApiKey)
            .and_then(AuthMode::api_key_expiration_days);
        match days {
            Some(d) if !(1.0..=365.0).contains(&d) => Err(Diagnostic::error(
                Code::ConfigInvalid,
                format!("API key expiration must be between 1 and 365 days, not {d}"),
            )
            .with_help(
                "set apiKeyExpirationDays (expirationTime in cli-inputs.json) to 1 to 365 days",
            )),
            _ => Ok(()),
        }
    }

    /// Reads an AppSync-shaped auth configuration (`--auth-config`).
    pub fn from_json_text(text: &str, file: &str) -> Result<Self, Vec<Diagnostic>> {
        let bad = |message: String, help: &str| {
            Diagnostic::error(Code::ConfigInvalid, message)
                .in_file(file)
                .with_help(help)
        };
        let json: Json = serde_json::from_str(text).map_err(|e| {
            vec![bad(
                format!("the auth configuration is not valid JSON: {e}"),
                "write it as AppSync's {\"defaultAuthentication\": {...}, \"additionalAuthenticationProviders\": [...]}",
            )]
        })?;
        let mut errors = Vec::new();
        let mut read_mode = |v: &Json, place: &str| -> Option<AuthMode> {
            let obj = v.as_object();
            let kind = obj
                .and_then(|o| o.get("authenticationType"))
                .and_then(Json::as_str);
            match kind.and_then(AuthModeKind::from_appsync) {
                Some(kind) => Some(AuthMode {
                    kind,
                    settings: obj.cloned().unwrap_or_default(),
                }),
                None => {
                    errors.push(bad(
                        format!(
                            "{place} has an invalid authenticationType {}",
                            kind.map_or("(missing)".to_string(), |k| format!("`{k}`"))
                        ),
                        "use one of API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT, AWS_LAMBDA",
                    ));
                    None
                }
            }
        };
        let default = json
            .get("defaultAuthentication")
            .and_then(|v| read_mode(v, "defaultAuthentication"));
        let mut additional = Vec::new();
        match json.get("additionalAuthenticationProviders") {
            None | Some(Json::Null) => {}
            Some(Json::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(m) =
                        read_mode(item, &format!("additionalAuthenticationProviders[{i}]"))
                    {
                        additional.push(m);
                    }
                }
            }
            Some(_) => errors.push(bad(
                "additionalAuthenticationProviders must be a list".into(),
                "write [] when there are no additional modes",
            )),
        }
        if json.get("defaultAuthentication").is_none() {
            errors.push(bad(
                "the auth configuration has no defaultAuthentication".into(),
                "add {\"defaultAuthentication\": {\"authenticationType\": \"AMAZON_COGNITO_USER_POOLS\", ...}}",
            ));
        }
        let Some(default) = default else {
            return Err(errors);
        };
        let config = AuthConfig {
            default,
            additional,
        };
        errors.extend(config.check(file));
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// The reference refuses two API key or two IAM modes, and OIDC or Lambda without settings.
    fn check(&self, file: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for kind in [AuthModeKind::ApiKey, AuthModeKind::Iam] {
            if self.modes().filter(|m| m.kind == kind).count() > 1 {
                out.push(
                    Diagnostic::error(
                        Code::ConfigInvalid,
                        format!("the {} auth mode is configured twice", kind.appsync_name()),
                    )
                    .in_file(file)
                    .with_help("keep one entry per mode"),
                );
            }
        }
        for (kind, key) in [
            (AuthModeKind::Oidc, "openIDConnectConfig"),
            (AuthModeKind::Lambda, "lambdaAuthorizerConfig"),
        ] {
            if self
                .modes()
                .any(|m| m.kind == kind && !m.settings.get(key).is_some_and(Json::is_object))
            {
                out.push(
                    Diagnostic::error(
                        Code::ConfigInvalid,
                        format!("the {} auth mode has no {key}", kind.appsync_name()),
                    )
                    .in_file(file)
                    .with_help(format!("add \"{key}\": {{...}} to that mode")),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_a_new_amplify_api() {
        let c = AuthConfig::default();
        assert_eq!(c.default.kind, AuthModeKind::UserPools);
        let kinds: Vec<_> = c.additional.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [AuthModeKind::ApiKey, AuthModeKind::Iam, AuthModeKind::Oidc]
        );
    }

    #[test]
    fn reports_every_problem() {
        let errs = AuthConfig::from_json_text(
            r#"{"defaultAuthentication": {"authenticationType": "API_KEY"},
                "additionalAuthenticationProviders": [{"authenticationType": "NOPE"}, {"authenticationType": "API_KEY"}, {"authenticationType": "OPENID_CONNECT"}]}"#,
            "auth.json",
        )
        .unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:#?}");
    }
}
