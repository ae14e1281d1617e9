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
    /// The filters a subscription's templates set with `$extensions.setSubscriptionFilter`
    /// and `setSubscriptionInvalidationFilter`, in order.
    pub subscription_filters: Vec<Value>,
    /// Ids `$util.autoId()` has handed out.
    ids: u64,
}

impl Env {
    pub fn new(now_millis: i64, auth_type: &str) -> Env {
        Env {
            now_millis,
            auth_type: auth_type.to_string(),
            subscription_filters: Vec::new(),
            ids: 0,
        }
    }

    /// The next id: a UUID counting the ids of the request (`00000000-0000-4000-8000-000000000001`),
    /// so that a simulation is repeatable.
    pub fn auto_id(&mut self) -> String {
        self.ids += 1;
        format!("00000000-0000-4000-8000-{:012}", self.ids)
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
    /// A `#return` whose value is written: the enclosing blocks keep their text.
    Returned,
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
