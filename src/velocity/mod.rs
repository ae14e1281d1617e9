//! An interpreter for AppSync's dialect of the Velocity Template Language: what `simulate`,
//! `explain` and `test` run a build's resolvers with. It reads any template (ours or the
//! reference's) and knows nothing of the compiler; nothing in the compile path imports it.
//!
//! - `parse` reads a template into `ast` nodes;
//! - `eval` renders it against a context (`$ctx`), in an `Env` that holds what AppSync
//!   supplies (the clock, generated ids, the caller's auth type);
//! - `util` is `$util` and its namespaces, `transform` its filter and condition builders; an
//!   unknown function is an error that names it;
//! - `value` holds the values, shared by reference as Java's are, `attribute` turns them
//!   into DynamoDB's typed attributes, and `state` is what a run carries besides them.

mod ast;
mod attribute;
mod eval;
mod parse;
mod state;
mod transform;
mod util;
pub mod value;

use std::fmt;

pub use eval::Outcome;
pub use state::{Env, RaisedError};
pub use value::Value;

/// A template that does not parse, or whose run went wrong in a way AppSync would report as
/// a template error (an unknown function, a call with arguments of the wrong kind).
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub message: String,
    /// Byte offset in the template.
    pub at: usize,
}

impl Error {
    pub(crate) fn at(message: impl Into<String>, at: usize) -> Error {
        Error {
            message: message.into(),
            at,
        }
    }

    /// The same error in a text that starts `by` bytes later (a string inside a template).
    pub(crate) fn shifted(mut self, by: usize) -> Error {
        self.at += by;
        self
    }

    /// 1-based line and column of the error in `source`.
    pub fn line_col(&self, source: &str) -> (usize, usize) {
        let upto = &source[..self.at.min(source.len())];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rfind('\n').map_or(upto.len(), |i| upto.len() - i - 1) + 1;
        (line, col)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.at)
    }
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<ast::Node>,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, Error> {
        Ok(Template {
            nodes: parse::parse(text)?,
        })
    }

    /// Renders the template with `$ctx` (and `$context`) bound to `ctx`.
    pub fn render(&self, ctx: &Value, env: &mut Env) -> Result<Outcome, Error> {
        eval::render(&self.nodes, ctx, env)
    }
}

/// Milliseconds since the epoch of an ISO 8601 time (`2024-06-01T12:00:00.000Z`).
pub fn parse_time(text: &str) -> Option<i64> {
    util::parse_iso8601(text)
}

#[cfg(test)]
mod tests;
