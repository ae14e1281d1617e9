//! What to build, decided once from the normalised schema: the access-control matrices and
//! the checks that need them.

pub mod acm;
mod auth_checks;
pub mod invocations;

pub use acm::{Acm, AcmRole, RoleNaming};
pub use auth_checks::check;
pub mod keys;
pub mod operations;
pub mod plural;
pub mod relations;
pub mod resolvers;
pub mod schema;
pub mod stacks;
