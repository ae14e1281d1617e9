//! The root stack: parameters, the GraphQL API with its auth modes, the schema, the API key,
//! the NONE data source and the API's outputs.

use serde_json::Value as Json;

use super::StackSettings;
use super::cdk::unique_id;
use super::template::{Cfn, Resource, Stack, Target, TokenString, join, list, map, pseudo};
use crate::config::{AuthConfig, AuthMode, AuthModeKind};

/// Elements of the root stack the other stacks refer to.
#[derive(Clone, Debug)]
pub struct RootRefs {
    pub api: Target,
    pub schema: Target,
    pub none_data_source: Target,
    pub env: Target,
    pub bucket: Target,
    pub root_key: Target,
    /// `authRoleName` / `unauthRoleName`, with an IAM auth mode.
    pub auth_role_name: Option<Target>,
    pub unauth_role_name: Option<Target>,
}

impl RootRefs {
    /// A pipeline resolver of the API; `response` is the response template's property
    /// (`ResponseMappingTemplate` or `…S3Location`) and value.
    pub fn pipeline_resolver(
        &self,
        logical_id: &str,
        (type_name, field_name): (&str, &str),
        functions: Vec<Cfn>,
        request: Cfn,
        response: (&'static str, Cfn),
    ) -> Resource {
        Resource::new(
            logical_id.to_string(),
            &[logical_id],
            "AWS::AppSync::Resolver",
            map([
                ("ApiId", self.api.get_att("ApiId")),
                ("FieldName", field_name.into()),
                ("Kind", "PIPELINE".into()),
                ("PipelineConfig", map([("Functions", list(functions))])),
                ("RequestMappingTemplate", request),
                response,
                ("TypeName", type_name.into()),
            ]),
        )
        .depending_on(self.schema.clone())
    }

    /// The stash lines of a resolver's init template that record the identity pool's roles
    /// (`authRole`, `unauthRole`), each between `before` and `after`.
    pub fn stash_role_arns(&self, mut t: TokenString, before: &str, after: &str) -> TokenString {
        for (key, role) in [
            ("authRole", &self.auth_role_name),
            ("unauthRole", &self.unauth_role_name),
        ] {
            if let Some(role) = role {
                t = t
                    .text(&format!(
                        "{before}$util.qr($ctx.stash.put(\"{key}\", \"arn:aws:sts::"
                    ))
                    .token(pseudo("AWS::AccountId"))
                    .text(":assumed-role/")
                    .token(role.reference())
                    .text(&format!("/CognitoIdentityCredentials\")){after}"));
            }
        }
        t
    }
}

/// The five DynamoDB parameters every model stack declares, in order.
pub fn dynamodb_parameters() -> Vec<(&'static str, Cfn)> {
    let allowed = |a: &str, b: &str| list([a.into(), b.into()]);
    vec![
        (
            "DynamoDBModelTableReadIOPS",
            map([
                ("Type", "Number".into()),
                ("Default", 5.into()),
                (
                    "Description",
                    "The number of read IOPS the table should support.".into(),
                ),
            ]),
        ),
        (
            "DynamoDBModelTableWriteIOPS",
            map([
                ("Type", "Number".into()),
                ("Default", 5.into()),
                (
                    "Description",
                    "The number of write IOPS the table should support.".into(),
                ),
            ]),
        ),
        (
            "DynamoDBBillingMode",
            map([
                ("Type", "String".into()),
                ("Default", "PAY_PER_REQUEST".into()),
                ("AllowedValues", allowed("PAY_PER_REQUEST", "PROVISIONED")),
                (
                    "Description",
                    "Configure @model types to create DynamoDB tables with PAY_PER_REQUEST or PROVISIONED billing modes.".into(),
                ),
            ]),
        ),
        (
            "DynamoDBEnablePointInTimeRecovery",
            map([
                ("Type", "String".into()),
                ("Default", "false".into()),
                ("AllowedValues", allowed("true", "false")),
                (
                    "Description",
                    "Whether to enable Point in Time Recovery on the table.".into(),
                ),
            ]),
        ),
        (
            "DynamoDBEnableServerSideEncryption",
            map([
                ("Type", "String".into()),
                ("Default", "true".into()),
                ("AllowedValues", allowed("true", "false")),
                (
                    "Description",
                    "Enable server side encryption powered by KMS.".into(),
                ),
            ]),
        ),
    ]
}

/// Adds the root parameters and the API resources; `has_models` adds the DynamoDB parameters.
pub fn build(
    root: &mut Stack,
    auth: &AuthConfig,
    has_models: bool,
    search_parameters: Vec<(&str, Cfn)>,
    settings: &StackSettings,
) -> RootRefs {
    let string = || map([("Type", "String".into())]);
    let env = root.parameter(
        "env",
        map([("Type", "String".into()), ("Default", "NONE".into())]),
    );
    let api_name = root.parameter(
        "AppSyncApiName",
        map([
            ("Type", "String".into()),
            ("Default", "AppSyncSimpleTransform".into()),
        ]),
    );
    let iam = auth.has(AuthModeKind::Iam);
    let (auth_role_name, unauth_role_name) = if iam {
        (
            Some(root.parameter("authRoleName", string())),
            Some(root.parameter("unauthRoleName", string())),
        )
    } else {
        (None, None)
    };
    let user_pool = auth
        .has(AuthModeKind::UserPools)
        .then(|| root.parameter("AuthCognitoUserPoolId", string()));
    if has_models {
        for (name, body) in dynamodb_parameters() {
            root.parameter(name, body);
        }
    }
    // `@searchable`'s OpenSearch parameters follow the DynamoDB ones.
    for (name, body) in search_parameters {
        root.parameter(name, body);
    }
    let bucket = root.parameter(
        "S3DeploymentBucket",
        map([
            ("Type", "String".into()),
            (
                "Description",
                "An S3 Bucket name where assets are deployed".into(),
            ),
        ]),
    );
    let root_key = root.parameter(
        "S3DeploymentRootKey",
        map([
            ("Type", "String".into()),
            (
                "Description",
                "An S3 key relative to the S3DeploymentBucket that points to the root of the deployment directory.".into(),
            ),
        ]),
    );

    let api_id_of = |api: &Target| api.get_att("ApiId");
    let mut props = Vec::new();
    if !auth.additional.is_empty() {
        props.push((
            "AdditionalAuthenticationProviders".into(),
            list(
                auth.additional
                    .iter()
                    .map(|m| auth_provider(m, false, &env, user_pool.as_ref())),
            ),
        ));
    }
    if let Cfn::Map(default) = auth_provider(&auth.default, true, &env, user_pool.as_ref()) {
        props.extend(default);
    }
    props.push((
        "Name".into(),
        join("", [api_name.reference(), "-".into(), env.reference()]),
    ));
    // CDK prints the properties in alphabetical order.
    props.sort_by(|a, b| a.0.cmp(&b.0));
    let api = root.resource(Resource::new(
        "GraphQLAPI",
        &["GraphQLAPI", "Resource"],
        "AWS::AppSync::GraphQLApi",
        Cfn::Map(props),
    ));
    let s3 = |file: &str| {
        join(
            "",
            [
                "s3://".into(),
                bucket.reference(),
                "/".into(),
                root_key.reference(),
                format!("/{file}").into(),
            ],
        )
    };
    let schema = root.resource(Resource::new(
        unique_id(&["GraphQLAPI", "TransformerSchema"]),
        &["GraphQLAPI", "TransformerSchema"],
        "AWS::AppSync::GraphQLSchema",
        map([
            ("ApiId", api_id_of(&api)),
            ("DefinitionS3Location", s3("schema.graphql")),
        ]),
    ));
    let api_key = api_key(auth, settings).map(|(description, expires)| {
        let mut p = vec![("ApiId".into(), api_id_of(&api))];
        if let Some(d) = description {
            p.push(("Description".into(), d.into()));
        }
        if let Some(e) = expires {
            p.push(("Expires".into(), e.into()));
        }
        root.resource(Resource::new(
            unique_id(&["GraphQLAPI", "DefaultApiKey"]),
            &["GraphQLAPI", "DefaultApiKey"],
            "AWS::AppSync::ApiKey",
            Cfn::Map(p),
        ))
    });
    let none_data_source = root.resource(Resource::new(
        unique_id(&["GraphQLAPI", "NONE_DS", "Resource"]),
        &["GraphQLAPI", "NONE_DS", "Resource"],
        "AWS::AppSync::DataSource",
        map([
            ("ApiId", api_id_of(&api)),
            (
                "Description",
                "None Data Source for Pipeline functions".into(),
            ),
            ("Name", "NONE_DS".into()),
            ("Type", "NONE".into()),
        ]),
    ));
    let export = |name: &str| map([("Name", join(":", [pseudo("AWS::StackName"), name.into()]))]);
    if let Some(key) = &api_key {
        root.output(
            "GraphQLAPIKeyOutput",
            map([
                ("Description", "Your GraphQL API ID.".into()),
                ("Value", key.get_att("ApiKey")),
                ("Export", export("GraphQLApiKey")),
            ]),
        );
    }
    root.output(
        "GraphQLAPIIdOutput",
        map([
            ("Description", "Your GraphQL API ID.".into()),
            ("Value", api_id_of(&api)),
            ("Export", export("GraphQLApiId")),
        ]),
    );
    root.output(
        "GraphQLAPIEndpointOutput",
        map([
            ("Description", "Your GraphQL API endpoint.".into()),
            ("Value", api.get_att("GraphQLUrl")),
            ("Export", export("GraphQLApiEndpoint")),
        ]),
    );
    RootRefs {
        api,
        schema,
        none_data_source,
        env,
        bucket,
        root_key,
        auth_role_name,
        unauth_role_name,
    }
}

/// One auth mode in CloudFormation's shape. The default mode's user pool gets `DefaultAction`.
fn auth_provider(mode: &AuthMode, default: bool, env: &Target, user_pool: Option<&Target>) -> Cfn {
    let mut p = vec![(
        "AuthenticationType".into(),
        Cfn::from(mode.kind.appsync_name()),
    )];
    let setting = |key: &str, sub: &str| mode.settings.get(key).and_then(|c| c.get(sub)).cloned();
    match mode.kind {
        AuthModeKind::Lambda => {
            let mut l = Vec::new();
            if let Some(ttl) = setting("lambdaAuthorizerConfig", "ttlSeconds").and_then(number) {
                l.push(("AuthorizerResultTtlInSeconds".into(), ttl));
            }
            let uri = match setting("lambdaAuthorizerConfig", "lambdaArn") {
                Some(Json::String(arn)) if !arn.is_empty() => Cfn::Str(arn),
                _ => {
                    let function = setting("lambdaAuthorizerConfig", "lambdaFunction")
                        .and_then(|f| f.as_str().map(str::to_string))
                        .unwrap_or_default();
                    join(
                        "",
                        [
                            "arn:".into(),
                            pseudo("AWS::Partition"),
                            ":lambda:".into(),
                            pseudo("AWS::Region"),
                            ":".into(),
                            pseudo("AWS::AccountId"),
                            format!(":function:{function}-").into(),
                            env.reference(),
                        ],
                    )
                }
            };
            l.push(("AuthorizerUri".into(), uri));
            l.push(("IdentityValidationExpression".into(), "".into()));
            p.push(("LambdaAuthorizerConfig".into(), Cfn::Map(l)));
        }
        AuthModeKind::Oidc => {
            let mut o = Vec::new();
            if let Some(v) = setting("openIDConnectConfig", "authTTL").and_then(number) {
                o.push(("AuthTTL".into(), v));
            }
            if let Some(Json::String(v)) = setting("openIDConnectConfig", "clientId") {
                o.push(("ClientId".into(), v.into()));
            }
            if let Some(v) = setting("openIDConnectConfig", "iatTTL").and_then(number) {
                o.push(("IatTTL".into(), v));
            }
            if let Some(Json::String(v)) = setting("openIDConnectConfig", "issuerUrl") {
                o.push(("Issuer".into(), v.into()));
            }
            p.push(("OpenIDConnectConfig".into(), Cfn::Map(o)));
        }
        AuthModeKind::UserPools => {
            let mut u = vec![("AwsRegion".into(), pseudo("AWS::Region"))];
            if default {
                u.push(("DefaultAction".into(), "ALLOW".into()));
            }
            if let Some(pool) = user_pool {
                u.push(("UserPoolId".into(), pool.reference()));
            }
            p.push(("UserPoolConfig".into(), Cfn::Map(u)));
        }
        AuthModeKind::ApiKey | AuthModeKind::Iam => {}
    }
    Cfn::Map(p)
}

/// A TTL as the reference reads it: numbers as they are, strings through `parseInt`.
fn number(v: Json) -> Option<Cfn> {
    match v {
        Json::Number(n) => n
            .as_i64()
            .map(Cfn::Int)
            .or(Some(Cfn::Json(Box::new(Json::Number(n))))),
        Json::String(s) => {
            let digits: String = s
                .trim_start()
                .chars()
                .enumerate()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
                .map(|(_, c)| c)
                .collect();
            digits.parse::<i64>().ok().map(Cfn::Int)
        }
        _ => None,
    }
}

/// The API key, when the API has an API_KEY mode and the project does not switch it off:
/// its description and `Expires` (epoch seconds).
fn api_key(auth: &AuthConfig, settings: &StackSettings) -> Option<(Option<String>, Option<i64>)> {
    if !settings.create_api_key {
        return None;
    }
    let mode = auth.modes().find(|m| m.kind == AuthModeKind::ApiKey)?;
    let config = mode.settings.get("apiKeyConfig");
    let description = config
        .and_then(|c| c.get("description"))
        .and_then(Json::as_str)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let expires = api_key_expires(mode, settings);
    Some((description, expires))
}

/// `Expires`: the stored expiry date when there is one, else now + `apiKeyExpirationDays`.
pub fn api_key_expires(mode: &AuthMode, settings: &StackSettings) -> Option<i64> {
    let config = mode.settings.get("apiKeyConfig");
    if let Some(date) = config
        .and_then(|c| c.get("apiKeyExpirationDate"))
        .and_then(Json::as_str)
        .and_then(parse_iso_date)
    {
        return Some(date);
    }
    if let Some(kept) = settings.keep_expires {
        return Some(kept);
    }
    let days = mode.api_key_expiration_days()?;
    Some(settings.now + (days * 86400.0).round() as i64)
}

/// Seconds since the epoch of an ISO-8601 UTC date (`2030-01-01T00:00:00.000Z` or
/// `2030-01-01`).
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = 0;
    if let Some(t) = time {
        let t = t.trim_end_matches('Z');
        let t = t.split(['+']).next()?;
        let mut parts = t.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let mi: i64 = parts.next().unwrap_or("0").parse().ok()?;
        let sec: f64 = parts.next().unwrap_or("0").parse().ok()?;
        secs = h * 3600 + mi * 60 + sec.floor() as i64;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    Some(days * 86400 + secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(parse_iso_date("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_iso_date("2030-01-01T00:00:00.000Z"), Some(1893456000));
        assert_eq!(parse_iso_date("2000-03-01"), Some(951868800));
        assert_eq!(parse_iso_date("nope"), None);
    }

    #[test]
    fn ttl_numbers() {
        assert_eq!(number(Json::from("300")), Some(Cfn::Int(300)));
        assert_eq!(number(Json::from(60)), Some(Cfn::Int(60)));
        assert_eq!(number(Json::from("x")), None);
    }
}
