//! The configuration every pass reads: the API's auth modes and the feature flags. One
//! `Config` value is built per run and passed down; nothing here reads globals or the
//! environment (the command line hands the `AMPLIFYCLI…` variables in).

mod auth;
mod datastore;
mod flags;

pub use auth::{AuthConfig, AuthMode, AuthModeKind};
pub use datastore::{ConflictHandler, LambdaHandler, ResolverConfig, SyncConfig};
pub use flags::{FeatureFlags, FlagOrigins, FlagVariable};

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub auth: AuthConfig,
    pub flags: FeatureFlags,
    /// Where each flag was read (`--print-config`).
    pub flag_origins: FlagOrigins,
    /// Admin IAM role names (`custom-roles.json`, Lambda functions that use the API).
    pub admin_roles: Vec<String>,
    /// The Cognito identity pool id, when the project has one.
    pub identity_pool_id: Option<String>,
    /// DataStore conflict resolution (`ResolverConfig`); `None` when the API does not use it.
    pub datastore: Option<ResolverConfig>,
}
