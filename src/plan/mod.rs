//! What to build, decided once from the normalised schema: the access-control matrices and
//! the checks that need them.

pub mod acm;
pub mod auth_checks;
pub mod datastore;
pub mod invocations;

pub use acm::{Acm, AcmRole, RoleNaming};
pub mod relations;
pub mod searchable;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::normalise::Normalised;

/// The checks that read the whole plan: the access-control matrices and DataStore.
pub fn check(n: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let mut out = auth_checks::check(n, config);
    out.extend(datastore::check(n, config));
    out.extend(searchable::check(n));
    out
}
