//! An in-memory AppSync: reads a build folder (`build`), takes a caller (`identity`) and runs
//! GraphQL operations against it (`execute`) with the build's resolvers on the VTL engine
//! (`velocity`) and an in-memory DynamoDB (`dynamodb`). What `simulate` runs.
//!
//! Its reference for behaviour is `../shared/behave`'s executor. Nothing in the compile path
//! imports it.

pub mod build;
mod coerce;
pub mod execute;
pub mod identity;
pub mod subscription;

pub use crate::dynamodb::Database;
pub use build::Build;
pub use execute::{Api, Response, ResponseError};
pub use identity::Identity;

/// Milliseconds since the epoch of an ISO 8601 time (`2024-06-01T12:00:00.000Z`).
pub fn parse_time(text: &str) -> Option<i64> {
    crate::velocity::parse_time(text)
}
