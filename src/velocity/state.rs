//! What one run of a template carries besides its variables: the request's `Env`, the
//! errors appended so far, and why a run stopped early.

use super::Error;
use super::value::Value;

/// What AppSync supplies to every template of one request.
#[derive(Clone, Debug)]
pub struct Env {
    /// Milliseconds since the epoch that `$util.time.now…` reads (a frozen clock).
    pub now_millis: i64,
    /// What `$util.authType()` returns: `"User Pool Authorization"`, `"API Key
    /// Authorization"`, `"IAM Authorization"`, `"Open ID Connect Authorization"` or `"Lambda
    /// Authorization"`.
    pub auth_type: String,
    /// The filter a subscription's response template set with
    /// `$extensions.setSubscriptionFilter`.
    pub subscription_filter: Option<Value>,
    /// Ids `$util.autoId()` has handed out.
    ids: u64,
}

impl Env {
    pub fn new(now_millis: i64, auth_type: &str) -> Env {
        Env {
            now_millis,
            auth_type: auth_type.to_string(),
            subscription_filter: None,
            ids: 0,
        }
    }

    /// The next id, shaped like a UUID and the same in every run (a simulation must be
    /// repeatable).
    pub fn auto_id(&mut self) -> String {
        self.ids += 1;
        let n = xxhash_rust::xxh3::xxh3_128(&self.ids.to_le_bytes());
        let h = format!("{n:032x}");
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// An error a template raised for the caller (`$util.error`, `$util.unauthorized`,
/// `$util.appendError`), as AppSync returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct RaisedError {
    pub message: String,
    pub error_type: Option<String>,
    pub data: Value,
    pub info: Value,
}

/// Why rendering stopped before the end.
pub(crate) enum Halt {
    Fail(Error),
    Raise(RaisedError),
    Return(Value),
    Break,
    Stop,
}

impl From<Error> for Halt {
    fn from(e: Error) -> Halt {
        Halt::Fail(e)
    }
}

pub(crate) type Run<T> = Result<T, Halt>;

/// The mutable state `$util` works on during one run.
pub(crate) struct State<'e> {
    pub env: &'e mut Env,
    pub appended: Vec<RaisedError>,
}
