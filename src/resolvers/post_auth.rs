//! The postAuth step every model operation gets: deny unless an auth step ran (sandbox mode
//! lets API-key requests through).

use super::checks::API_KEY;
use crate::vtl::*;

/// `<Type>.<field>.postAuth.1.req.vtl`.
pub fn post_auth(sandbox: bool) -> Vec<Stmt> {
    vec![block(
        title(sandbox),
        vec![
            iff(not(r("ctx.stash.get(\"hasAuth\")")), deny(sandbox)),
            to_json(obj(vec![])),
        ],
    )]
}

/// The auth step of a relational field whose related model has no rules: nobody gets
/// through (sandbox mode lets API-key requests through).
pub fn field_post_auth(sandbox: bool) -> Vec<Stmt> {
    vec![block(title(sandbox), deny(sandbox))]
}

/// Unauthorised, except an API key in sandbox mode. (IAM access for non-Cognito principals is
/// a CDK-only setting the Gen1 CLI never sets.)
fn deny(sandbox: bool) -> Vec<Stmt> {
    let mut deny = Vec::new();
    if sandbox {
        deny.push(iff(
            eq(call("util.authType", vec![]), s(API_KEY)),
            vec![Stmt::Return(Some(call("util.toJson", vec![obj(vec![])])))],
        ));
    }
    deny.push(stmt(call("util.unauthorized", vec![])));
    deny
}

fn title(sandbox: bool) -> String {
    format!(
        "Sandbox Mode {}, IAM Access Disabled",
        if sandbox { "Enabled" } else { "Disabled" }
    )
}
