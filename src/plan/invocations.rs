//! Fields resolved by something outside the API: `@function` (one or more Lambda functions run
//! as a pipeline) and `@http` (a request to an HTTP endpoint). Read once from the document, in
//! the order the reference's transformers visit them (definitions and extensions as written,
//! fields in order), and shared by the schema (the arguments `@http` rewrites), the resolvers
//! and the stacks.

use crate::ast::build::pascal_case;
use crate::ast::{Definition, Directive, FieldDef, InputValue, TypeRef, ValueKind};
use crate::model::Schema;

/// A field with `@function`: the Lambda functions its pipeline calls, in directive order.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionField {
    pub type_name: String,
    pub field_name: String,
    pub calls: Vec<LambdaCall>,
}

/// One `@function(name:, region:, accountId:)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaCall {
    /// As written, `${env}` included.
    pub name: String,
    pub region: Option<String>,
    pub account_id: Option<String>,
}

impl LambdaCall {
    /// `<Name><Region><account>LambdaDataSource`, names without `${...}` and in PascalCase.
    pub fn data_source_id(&self) -> String {
        format!(
            "{}{}{}LambdaDataSource",
            simplify_name(&self.name),
            simplify_name(self.region.as_deref().unwrap_or("")),
            self.account_id.as_deref().unwrap_or("")
        )
    }

    /// The AppSync function that invokes it (also its template files' base name).
    pub fn function_id(&self) -> String {
        format!("Invoke{}", self.data_source_id())
    }

    /// The function's ARN as a `Fn::Sub` template.
    pub fn arn_template(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{name}",
            self.region.as_deref().unwrap_or("${AWS::Region}"),
            self.account_id.as_deref().unwrap_or("${AWS::AccountId}")
        )
    }
}

/// One `@http` field.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpField {
    pub type_name: String,
    pub field_name: String,
    /// `GET`, `POST`, `PUT`, `DELETE` or `PATCH`.
    pub method: String,
    /// Scheme and host: the data source's endpoint.
    pub origin: String,
    /// The rest of the URL, with `:param` replaced by `${ctx.args.params.param}`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// The `:param` names of the path, which become `params: <T><F>ParamsInput!`.
    pub params: Vec<String>,
    /// The field's arguments sent as query (and body): every argument, or without path
    /// parameters only the scalar ones that are not path parameters.
    pub query_and_body_args: Vec<InputValue>,
}

impl HttpField {
    pub fn supports_body(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH")
    }

    /// `<origin without punctuation>DataSource`.
    pub fn data_source_id(&self) -> String {
        format!("{}DataSource", graphql_name(&self.origin))
    }

    pub fn function_id(&self) -> String {
        format!(
            "{}{}{}Function",
            self.data_source_id(),
            self.type_name,
            self.field_name
        )
    }

    pub fn params_input(&self) -> String {
        input_name(&self.type_name, &self.field_name, "ParamsInput")
    }

    pub fn query_input(&self) -> String {
        input_name(&self.type_name, &self.field_name, "QueryInput")
    }

    pub fn body_input(&self) -> String {
        input_name(&self.type_name, &self.field_name, "BodyInput")
    }
}

/// Every `@function` and `@http` field of the document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Invocations {
    pub functions: Vec<FunctionField>,
    pub http: Vec<HttpField>,
}

impl Invocations {
    pub fn of(schema: &Schema) -> Invocations {
        let mut out = Invocations::default();
        for def in &schema.document.definitions {
            let Definition::Object(o) = def else {
                continue;
            };
            for field in &o.fields {
                let calls: Vec<LambdaCall> = field
                    .directives
                    .iter()
                    .filter(|d| d.name.text == "function")
                    .filter_map(lambda_call)
                    .collect();
                if !calls.is_empty() {
                    out.functions.push(FunctionField {
                        type_name: o.name.text.clone(),
                        field_name: field.name.text.clone(),
                        calls,
                    });
                }
                for d in field.directives.iter().filter(|d| d.name.text == "http") {
                    if let Some(h) = http_field(&o.name.text, field, d) {
                        out.http.push(h);
                    }
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty() && self.http.is_empty()
    }

    pub fn function(&self, type_name: &str, field_name: &str) -> Option<&FunctionField> {
        self.functions
            .iter()
            .find(|f| f.type_name == type_name && f.field_name == field_name)
    }
}

fn string_arg(d: &Directive, name: &str) -> Option<String> {
    match &d.argument(name)?.value.kind {
        ValueKind::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn lambda_call(d: &Directive) -> Option<LambdaCall> {
    Some(LambdaCall {
        name: string_arg(d, "name")?,
        region: string_arg(d, "region"),
        account_id: string_arg(d, "accountId"),
    })
}

fn http_field(type_name: &str, field: &FieldDef, d: &Directive) -> Option<HttpField> {
    let url = string_arg(d, "url")?;
    let method = match d.argument("method").map(|a| &a.value.kind) {
        Some(ValueKind::Enum(m)) => m.clone(),
        _ => "GET".to_string(),
    };
    let (origin, path) = split_url(&url);
    let headers = match d.argument("headers").map(|a| &a.value.kind) {
        Some(ValueKind::List(items)) => items.iter().filter_map(header).collect(),
        Some(ValueKind::Object(_)) => d
            .argument("headers")
            .and_then(|a| header(&a.value))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let params = path_params(&path);
    let mut args = field.arguments.clone();
    let mut path = path;
    if !params.is_empty() {
        args.retain(|a| is_scalar(&a.ty) && !params.contains(&a.name.text));
        for p in &params {
            path = path.replacen(&format!(":{p}"), &format!("${{ctx.args.params.{p}}}"), 1);
        }
    }
    Some(HttpField {
        type_name: type_name.to_string(),
        field_name: field.name.text.clone(),
        method,
        origin,
        path,
        headers,
        params,
        query_and_body_args: args,
    })
}

fn header(v: &crate::ast::Value) -> Option<(String, String)> {
    let ValueKind::Object(fields) = &v.kind else {
        return None;
    };
    let get = |k: &str| {
        fields.iter().find_map(|(n, v)| match &v.kind {
            ValueKind::String(s) if n.text == k => Some(s.clone()),
            _ => None,
        })
    };
    Some((get("key")?, get("value")?))
}

/// `https://host/rest` → (`https://host`, `/rest`); the path is `/` when there is none. Only
/// the first `/` after the scheme starts the path.
fn split_url(url: &str) -> (String, String) {
    let scheme_end = if url.starts_with("https://") {
        8
    } else if url.starts_with("http://") {
        7
    } else {
        0
    };
    match url[scheme_end..].find('/') {
        Some(i) => (
            url[..scheme_end + i].to_string(),
            url[scheme_end + i..].to_string(),
        ),
        None => (url.to_string(), "/".to_string()),
    }
}

/// The `:name` parts of a path, in order (a name is word characters).
fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(i) = rest.find(':') {
        let after = &rest[i + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 {
            out.push(after[..len].to_string());
        }
        rest = &after[len..];
    }
    out
}

/// Whether the innermost type is a scalar AppSync knows (not an enum, input or object).
pub fn is_scalar(ty: &TypeRef) -> bool {
    matches!(
        ty.base(),
        "String"
            | "Int"
            | "Float"
            | "Boolean"
            | "ID"
            | "BigInt"
            | "Double"
            | "AWSDate"
            | "AWSTime"
            | "AWSDateTime"
            | "AWSTimestamp"
            | "AWSEmail"
            | "AWSJSON"
            | "AWSURL"
            | "AWSPhone"
            | "AWSIPAddress"
    )
}

/// A name without `${...}` placeholders, each run of other characters starting a new word.
pub fn simplify_name(name: &str) -> String {
    if name.trim().is_empty() {
        return String::new();
    }
    let without = remove_placeholders(name);
    // A leading run of characters that cannot start a name, and every character that is not
    // a name character, separate words.
    let lead = without
        .find(|c: char| c.is_ascii_alphabetic() || c == '_')
        .unwrap_or(without.len());
    let mut words: Vec<String> = Vec::new();
    if lead > 0 {
        words.push(String::new());
    }
    let mut current = String::new();
    for c in without[lead..].chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            current.push(c);
        } else {
            words.push(std::mem::take(&mut current));
        }
    }
    words.push(current);
    let refs: Vec<&str> = words.iter().map(String::as_str).collect();
    pascal_case(&refs)
}

/// Removes `${...}` with an optional `-` and `_` before it.
fn remove_placeholders(name: &str) -> String {
    let mut out = String::new();
    let mut rest = name;
    while let Some(i) = rest.find("${") {
        let Some(close) = rest[i..].find('}') else {
            break;
        };
        let mut start = i;
        if rest[..start].ends_with('_') {
            start -= 1;
        }
        if rest[..start].ends_with('-') {
            start -= 1;
        }
        out.push_str(&rest[..start]);
        rest = &rest[i + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Keeps the characters a GraphQL name may have, dropping a leading run that cannot start one.
pub fn graphql_name(value: &str) -> String {
    let lead = value
        .find(|c: char| c.is_ascii_alphabetic() || c == '_')
        .unwrap_or(value.len());
    value[lead..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn input_name(type_name: &str, field_name: &str, suffix: &str) -> String {
    graphql_name(&format!(
        "{}{}{suffix}",
        upper_first(type_name),
        upper_first(field_name)
    ))
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_names_drop_the_env_placeholder_and_punctuation() {
        let call = |name: &str| LambdaCall {
            name: name.into(),
            region: None,
            account_id: None,
        };
        assert_eq!(
            call("summarise-${env}").data_source_id(),
            "SummariseLambdaDataSource"
        );
        assert_eq!(
            call("my-func_name").function_id(),
            "InvokeMyFunc_nameLambdaDataSource"
        );
        assert_eq!(
            graphql_name("https://api.example.com"),
            "httpsapiexamplecom"
        );
    }

    #[test]
    fn urls_split_into_origin_and_path_with_parameters() {
        assert_eq!(
            split_url("https://a.b/c/:id?x=1"),
            ("https://a.b".to_string(), "/c/:id?x=1".to_string())
        );
        assert_eq!(
            split_url("http://www.a.org"),
            ("http://www.a.org".to_string(), "/".to_string())
        );
        assert_eq!(path_params("/w/:city/:lang?u=1"), vec!["city", "lang"]);
    }
}
