//! Resolvers of `@function` and `@http` fields: a pipeline of functions that call a Lambda
//! function or an HTTP endpoint, whose result the resolver returns. The templates of a Lambda
//! function are shared by every field that calls it (`Invoke<Name>LambdaDataSource.req.vtl`);
//! an HTTP request is built per field (`<Type>.<field>.DataResolver.req.vtl`).

use crate::plan::invocations::{HttpField, LambdaCall};
use crate::vtl::*;

/// A resolver of a field with `@function` or `@http`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvokeResolver {
    pub type_name: String,
    pub field_name: String,
    pub target: InvokeTarget,
    /// `<Type>.<field>.res.vtl`: returns the last function's result.
    pub response: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvokeTarget {
    /// The Lambda functions of the field's `@function`s, in order.
    Lambda(Vec<LambdaFunction>),
    Http(HttpFunction),
}

/// A Lambda data source and the function that invokes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaFunction {
    pub call: LambdaCall,
    pub request: String,
    pub response: String,
}

/// An HTTP data source (one per origin) and the field's request function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpFunction {
    pub data_source: String,
    /// The endpoint, `${env}` and `${aws_region}` unresolved.
    pub origin: String,
    pub function: String,
    pub request: HttpRequest,
    pub response: String,
}

/// Where the request template of an HTTP function lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpRequest {
    File(String),
    /// Text with `${env}` or `${aws_region}`: inline in the stack, as a `Fn::Sub`.
    Inline(String),
}

/// The auth step `@auth` puts first in the pipeline of a `@function` or `@http` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFunction {
    pub type_name: String,
    pub field_name: String,
    /// `<Type>.<field>.auth.req.vtl`.
    pub request: String,
    /// The model whose stack holds it when the field is not a `@function` one.
    pub model: Option<String>,
    pub is_function: bool,
    /// How many resolvers of the plan were made before it (stack resources keep that order).
    pub position: usize,
}

impl AuthFunction {
    /// `<Type><Field>AuthFN`.
    pub fn name(&self) -> String {
        format!(
            "{}{}AuthFN",
            upper_first(&self.type_name),
            upper_first(&self.field_name)
        )
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The resolver's response: the result of the last function.
pub fn resolver_response() -> Vec<Stmt> {
    vec![to_json(r("ctx.prev.result"))]
}

/// Invokes the Lambda function with what the caller asked and who they are.
pub fn lambda_request(call: &LambdaCall) -> Vec<Stmt> {
    let payload = obj(vec![
        ("typeName", r("util.toJson($ctx.stash.get(\"typeName\"))")),
        ("fieldName", r("util.toJson($ctx.stash.get(\"fieldName\"))")),
        ("arguments", r("util.toJson($ctx.arguments)")),
        ("identity", r("util.toJson($ctx.identity)")),
        ("source", r("util.toJson($ctx.source)")),
        ("request", r("util.toJson($ctx.request)")),
        ("prev", r("util.toJson($ctx.prev)")),
    ]);
    vec![block(
        format!("Invoke AWS Lambda data source: {}", call.data_source_id()),
        vec![stmt(obj(vec![
            ("version", s("2018-05-29")),
            ("operation", s("Invoke")),
            ("payload", payload),
        ]))],
    )]
}

pub fn lambda_response() -> Vec<Stmt> {
    vec![block(
        "Handle error or return result",
        vec![
            iff(
                r("ctx.error"),
                vec![stmt(raw(
                    "$util.error($ctx.error.message, $ctx.error.type)",
                ))],
            ),
            stmt(raw("$util.toJson($ctx.result)")),
        ],
    )]
}

/// The HTTP request: the caller's headers plus the directive's, the path with its parameters,
/// the `query` argument and, for methods with a body, the `body` argument.
pub fn http_request(h: &HttpField) -> Vec<Stmt> {
    let mut body = Vec::new();
    let mut params = vec![("headers", r("util.toJson($headers)"))];
    if h.method != "DELETE" {
        params.push(("query", r("util.toJson($ctx.args.query)")));
    }
    if h.supports_body() {
        params.push(("body", r("util.toJson($ctx.args.body)")));
        let required: Vec<Expr> = h
            .query_and_body_args
            .iter()
            .filter(|a| a.ty.is_non_null())
            .map(|a| {
                let name = &a.name.text;
                parens(and(vec![
                    raw(format!("!$ctx.args.body.{name}")),
                    raw(format!("!$ctx.args.query.{name}")),
                ]))
            })
            .collect();
        if !required.is_empty() {
            // One of them must carry every required argument: the schema cannot say so.
            body.push(Stmt::Group(vec![
                comment("START: Manually checking that all non-null arguments are provided either in the query or the body"),
                iff(
                    or(required),
                    vec![stmt(r(
                        "util.error(\"An argument you marked as Non-Null is not present in the query nor the body of your request.\"))",
                    ))],
                ),
                comment("END: Manually checking that all non-null arguments are provided either in the query or the body"),
            ]));
        }
    }
    body.push(set(
        "headers",
        r("utils.http.copyHeaders($ctx.request.headers)"),
    ));
    body.push(put_header("accept-encoding", "application/json"));
    if h.supports_body() {
        body.push(put_header("Content-Type", "application/json"));
    }
    for (k, v) in &h.headers {
        body.push(put_header(k, v));
    }
    body.push(stmt(obj(vec![
        ("version", s("2018-05-29")),
        ("method", s(h.method.as_str())),
        ("resourcePath", s(h.path.as_str())),
        ("params", obj(params)),
    ])));
    vec![block("Create request", body)]
}

/// The header as written in the directive: not escaped.
fn put_header(key: &str, value: &str) -> Stmt {
    qr(raw(format!("$headers.put(\"{key}\", \"{value}\")")))
}

/// The body of a successful response (JSON, or XML converted to JSON); an error otherwise.
pub fn http_response(h: &HttpField) -> Vec<Stmt> {
    let ok = if h.supports_body() {
        raw("$ctx.result.statusCode == 200 || $ctx.result.statusCode == 201")
    } else {
        raw("$ctx.result.statusCode == 200")
    };
    vec![block(
        "Process response",
        vec![if_else(
            ok,
            vec![if_else(
                r("ctx.result.headers.get(\"Content-Type\").toLowerCase().contains(\"xml\")"),
                vec![stmt(r("utils.xml.toJsonString($ctx.result.body)"))],
                vec![stmt(r("ctx.result.body"))],
            )],
            vec![stmt(r(
                "util.qr($util.appendError($ctx.result.body, $ctx.result.statusCode))",
            ))],
        )],
    )]
}
