//! DataStore's resources: the `AmplifyDataStore` delta-sync table and its role in the root
//! stack, and what a versioned model stack adds (delta sync on the data source, the `_ttl`
//! attribute, the functions' `SyncConfig`, the Lambda conflict handler's invoke policy).

use super::cdk::{iam_role_name_prefix, unique_id};
use super::policy;
use super::root::RootRefs;
use super::template::{Cfn, Resource, Stack, Target, fn_if, join, list, map, sub};
use crate::config::{LambdaHandler, SyncConfig};

/// The delta-sync table's name prefix (`AmplifyDataStore-<api id>-<env>`).
const TABLE: &str = "AmplifyDataStore";

/// The table's name, in whichever stack `api_id` and `env` are read.
pub fn table_name(api_id: Cfn, env: Cfn) -> Cfn {
    join("", [format!("{TABLE}-").into(), api_id, "-".into(), env])
}

/// `table/<name>` and `table/<name>/*` ARNs of a table, as the model roles write them.
pub fn table_arns(name: impl Fn() -> Cfn) -> [Cfn; 2] {
    ["", "/*"].map(|suffix| {
        sub(
            &format!(
                "arn:aws:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{tablename}}{suffix}"
            ),
            [("tablename", name())],
        )
    })
}

/// The root stack's `DataStore` table, its role and the role's access policy.
pub fn add_root(stack: &mut Stack, root: &RootRefs) {
    let name = || table_name(root.api.get_att("ApiId"), root.env.reference());
    let key =
        |attr: &str, kind: &str| map([("AttributeName", attr.into()), ("KeyType", kind.into())]);
    let attribute = |attr: &str| {
        map([
            ("AttributeName", attr.into()),
            ("AttributeType", "S".into()),
        ])
    };
    let mut table = Resource::new(
        "DataStore",
        &["DataStore", "Resource"],
        "AWS::DynamoDB::Table",
        map([
            (
                "KeySchema",
                list([key("ds_pk", "HASH"), key("ds_sk", "RANGE")]),
            ),
            (
                "AttributeDefinitions",
                list([attribute("ds_pk"), attribute("ds_sk")]),
            ),
            ("BillingMode", "PAY_PER_REQUEST".into()),
            (
                "StreamSpecification",
                map([("StreamViewType", "NEW_AND_OLD_IMAGES".into())]),
            ),
            ("TableName", name()),
            (
                "TimeToLiveSpecification",
                map([("AttributeName", "_ttl".into()), ("Enabled", true.into())]),
            ),
        ]),
    );
    table.update_replace_policy = Some("Delete");
    table.deletion_policy = Some("Delete");
    stack.resource(table);

    let role_construct = "AmplifyDataStoreIAMRole";
    let role = stack.resource(Resource::new(
        unique_id(&[role_construct, "Resource"]),
        &[role_construct, "Resource"],
        "AWS::IAM::Role",
        map([
            (
                "AssumeRolePolicyDocument",
                policy::assumed_by("appsync.amazonaws.com"),
            ),
            (
                "RoleName",
                join(
                    "",
                    [
                        format!("{}-", iam_role_name_prefix(role_construct)).into(),
                        root.api.get_att("ApiId"),
                        "-".into(),
                        root.env.reference(),
                    ],
                ),
            ),
        ]),
    ));
    policy::attach(
        stack,
        &["DynamoDBAccess", "Resource"],
        vec![policy::allow(
            policy::actions("dynamodb", &policy::TABLE_ACCESS),
            list(table_arns(name)),
        )],
        &role,
    );
}

/// The data source's `DeltaSyncConfig`.
pub fn delta_sync_config(api_id: Cfn, env: Cfn) -> Cfn {
    map([
        ("BaseTableTTL", "43200".into()),
        ("DeltaSyncTableName", table_name(api_id, env)),
        ("DeltaSyncTableTTL", "30".into()),
    ])
}

/// The ARN of a Lambda conflict handler: the given one, else made from its name and region;
/// without an environment, the name loses its `-${env}` suffix.
fn lambda_arn(handler: &LambdaHandler, env: &Cfn, use_given: bool) -> Cfn {
    if use_given && let Some(arn) = &handler.arn {
        return arn.as_str().into();
    }
    let arn = |name: &str| match &handler.region {
        Some(region) => format!("arn:aws:lambda:{region}:${{AWS::AccountId}}:function:{name}"),
        None => format!("arn:aws:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"),
    };
    let with_env = if handler.name.contains("${env}") {
        sub(&arn(&handler.name), [("env", env.clone())])
    } else {
        sub(&arn(&handler.name), [])
    };
    let without_env = sub(&arn(&handler.name.replacen("-${env}", "", 1)), []);
    fn_if("HasEnvironmentParameter", with_env, without_env)
}

/// The `SyncConfig` of a data function.
pub fn function_sync_config(sync: &SyncConfig, env: &Cfn) -> Cfn {
    let mut entries = vec![
        ("ConflictDetection".into(), sync.detection.as_str().into()),
        ("ConflictHandler".into(), sync.handler_name().into()),
    ];
    if let Some(l) = sync.lambda() {
        entries.push((
            "LambdaConflictHandlerConfig".into(),
            map([("LambdaConflictHandlerArn", lambda_arn(l, env, true))]),
        ));
    }
    Cfn::Map(entries)
}

/// The policy that lets a model's role invoke its Lambda conflict handler (made from the
/// handler's name, even when an ARN is given).
pub fn add_lambda_policy(stack: &mut Stack, handler: &LambdaHandler, env: &Cfn, role: &Target) {
    policy::attach(
        stack,
        &["InvokeLambdaFunction", "Resource"],
        vec![policy::allow(
            "lambda:InvokeFunction".into(),
            lambda_arn(handler, env, false),
        )],
        role,
    );
}
