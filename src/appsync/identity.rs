//! The caller of a simulated request: the auth mode and what AppSync puts in `$ctx.identity`.
//!
//! ```json
//! {"authMode": "AMAZON_COGNITO_USER_POOLS",
//!  "identity": {"sub": "alice-sub", "username": "alice",
//!               "claims": {"sub": "alice-sub", "cognito:username": "alice", "cognito:groups": ["Admin"]}}}
//! ```
//! For `AWS_IAM` the identity's `userArn` (`arn:aws:sts::…:assumed-role/ROLE/session`) names
//! the role whose policies decide; `API_KEY` has no identity; `AWS_LAMBDA` carries the
//! authorizer's `resolverContext`; `NONE` is a request without credentials.

use serde_json::Value as Json;

pub const MODES: &[&str] = &[
    "API_KEY",
    "AWS_IAM",
    "AMAZON_COGNITO_USER_POOLS",
    "OPENID_CONNECT",
    "AWS_LAMBDA",
    "NONE",
];

#[derive(Clone, Debug)]
pub struct Identity {
    pub mode: String,
    /// `$ctx.identity` (null for an API key).
    pub identity: Json,
}

impl Identity {
    /// Reads the identity file's JSON; the error says what is wrong.
    pub fn from_json(v: &Json) -> Result<Identity, String> {
        let mode = v
            .get("authMode")
            .and_then(Json::as_str)
            .ok_or("the identity has no authMode (a string)")?;
        if !MODES.contains(&mode) {
            return Err(format!(
                "authMode {mode} is not one of {}",
                MODES.join(", ")
            ));
        }
        let identity = v.get("identity").cloned().unwrap_or(Json::Null);
        if !identity.is_null() && !identity.is_object() {
            return Err("identity must be an object".into());
        }
        Ok(Identity {
            mode: mode.to_string(),
            identity,
        })
    }

    pub fn claims(&self) -> Option<&Json> {
        self.identity.get("claims")
    }

    /// The groups of a user-pool caller (`cognito:groups`).
    pub fn groups(&self) -> Vec<String> {
        self.claims()
            .and_then(|c| c.get("cognito:groups"))
            .and_then(Json::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The IAM role of the caller, from its assumed-role ARN.
    pub fn role_name(&self) -> Option<String> {
        let arn = self.identity.get("userArn").and_then(Json::as_str)?;
        let rest = arn.split_once(":assumed-role/")?.1;
        Some(rest.split('/').next().unwrap_or(rest).to_string())
    }

    /// What `$util.authType()` says for the mode.
    pub fn auth_type(&self) -> &'static str {
        match self.mode.as_str() {
            "AWS_IAM" => "IAM Authorization",
            "AMAZON_COGNITO_USER_POOLS" => "User Pool Authorization",
            "OPENID_CONNECT" => "Open ID Connect Authorization",
            "AWS_LAMBDA" => "Lambda Authorization",
            _ => "API Key Authorization",
        }
    }
}
