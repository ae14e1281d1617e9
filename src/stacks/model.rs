//! A model's nested stack: its DynamoDB table, the IAM role AppSync assumes to reach it, the
//! data source, and the outputs other stacks import.

use super::cdk::{iam_role_name_prefix, unique_id};
use super::datastore;
use super::policy;
use super::root::{RootRefs, dynamodb_parameters};
use super::template::{
    Cfn, Key, Resource, Stack, StackName, Target, equals, fn_if, join, list, map, no_value, not,
    pseudo, sub,
};
use crate::config::SyncConfig;

/// A DynamoDB attribute type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeType {
    String,
    Number,
}

impl AttributeType {
    fn code(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
        }
    }
}

/// A secondary index of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondaryIndex {
    pub name: String,
    pub partition: String,
    pub sort: Option<String>,
}

/// The keys of a model's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableKeys {
    pub partition: String,
    pub sort: Option<String>,
    /// `AttributeDefinitions`, in order: every key attribute of the table and its indexes.
    pub attributes: Vec<(String, AttributeType)>,
    pub global_indexes: Vec<SecondaryIndex>,
    pub local_indexes: Vec<SecondaryIndex>,
}

impl TableKeys {
    /// The default key: `id` as partition key.
    pub fn id() -> TableKeys {
        TableKeys {
            partition: "id".into(),
            sort: None,
            attributes: vec![("id".into(), AttributeType::String)],
            global_indexes: Vec::new(),
            local_indexes: Vec::new(),
        }
    }
}

/// What other stacks use of a model stack.
#[derive(Clone, Debug)]
pub struct ModelRefs {
    pub table: Target,
    pub data_source: Target,
}

fn key_schema(partition: &str, sort: Option<&str>) -> Cfn {
    let mut keys = vec![map([
        ("AttributeName", partition.into()),
        ("KeyType", "HASH".into()),
    ])];
    if let Some(s) = sort {
        keys.push(map([
            ("AttributeName", s.into()),
            ("KeyType", "RANGE".into()),
        ]));
    }
    Cfn::List(keys)
}

/// Builds the model stack `name` (parameters, conditions, table, role, policy, data source,
/// outputs).
/// `sync` is the model's DataStore strategy: its table and data source are then versioned.
pub fn build(
    stack: &mut Stack,
    name: &str,
    keys: &TableKeys,
    root: &RootRefs,
    sync: Option<&SyncConfig>,
) -> ModelRefs {
    let this = stack.name.clone();
    let mut params = Vec::new();
    for (p, body) in dynamodb_parameters() {
        params.push(stack.parameter(p, body));
    }
    let [read_iops, write_iops, billing, pitr, sse] = [0, 1, 2, 3, 4].map(|i| params[i].clone());
    let api_id = root.api.get_att("ApiId");
    stack.condition(
        "HasEnvironmentParameter",
        not(equals(root.env.reference(), "NONE".into())),
    );
    stack.condition(
        "ShouldUseServerSideEncryption",
        equals(sse.reference(), "true".into()),
    );
    stack.condition(
        "ShouldUsePayPerRequestBilling",
        equals(billing.reference(), "PAY_PER_REQUEST".into()),
    );
    stack.condition(
        "ShouldUsePointInTimeRecovery",
        equals(pitr.reference(), "true".into()),
    );

    let table_name = || {
        join(
            "",
            [
                format!("{name}-").into(),
                api_id.clone(),
                "-".into(),
                root.env.reference(),
            ],
        )
    };
    let throughput = || {
        fn_if(
            "ShouldUsePayPerRequestBilling",
            no_value(),
            map([
                ("ReadCapacityUnits", read_iops.reference()),
                ("WriteCapacityUnits", write_iops.reference()),
            ]),
        )
    };
    let table_construct = format!("{name}Table");
    let table_id = if name.chars().all(|c| c.is_ascii_alphanumeric()) {
        table_construct.clone()
    } else {
        unique_id(&[&table_construct, "Resource"])
    };
    let mut props: Vec<(Key, Cfn)> = vec![(
        "AttributeDefinitions".into(),
        list(keys.attributes.iter().map(|(a, t)| {
            map([
                ("AttributeName", a.as_str().into()),
                ("AttributeType", t.code().into()),
            ])
        })),
    )];
    props.push((
        "BillingMode".into(),
        fn_if(
            "ShouldUsePayPerRequestBilling",
            "PAY_PER_REQUEST".into(),
            no_value(),
        ),
    ));
    if !keys.global_indexes.is_empty() {
        props.push((
            "GlobalSecondaryIndexes".into(),
            list(keys.global_indexes.iter().map(|g| {
                map([
                    ("IndexName", g.name.as_str().into()),
                    ("KeySchema", key_schema(&g.partition, g.sort.as_deref())),
                    ("Projection", map([("ProjectionType", "ALL".into())])),
                    ("ProvisionedThroughput", throughput()),
                ])
            })),
        ));
    }
    props.push((
        "KeySchema".into(),
        key_schema(&keys.partition, keys.sort.as_deref()),
    ));
    if !keys.local_indexes.is_empty() {
        props.push((
            "LocalSecondaryIndexes".into(),
            list(keys.local_indexes.iter().map(|l| {
                map([
                    ("IndexName", l.name.as_str().into()),
                    ("KeySchema", key_schema(&l.partition, l.sort.as_deref())),
                    ("Projection", map([("ProjectionType", "ALL".into())])),
                ])
            })),
        ));
    }
    props.push((
        "PointInTimeRecoverySpecification".into(),
        fn_if(
            "ShouldUsePointInTimeRecovery",
            map([("PointInTimeRecoveryEnabled", true.into())]),
            no_value(),
        ),
    ));
    props.push(("ProvisionedThroughput".into(), throughput()));
    props.push((
        "SSESpecification".into(),
        map([(
            "SSEEnabled",
            fn_if("ShouldUseServerSideEncryption", true.into(), false.into()),
        )]),
    ));
    props.push((
        "StreamSpecification".into(),
        map([("StreamViewType", "NEW_AND_OLD_IMAGES".into())]),
    ));
    props.push(("TableName".into(), table_name()));
    if sync.is_some() {
        props.push((
            "TimeToLiveSpecification".into(),
            map([("AttributeName", "_ttl".into()), ("Enabled", true.into())]),
        ));
    }
    let mut table = Resource::new(
        table_id,
        &[&table_construct, "Resource"],
        "AWS::DynamoDB::Table",
        Cfn::Map(props),
    );
    table.update_replace_policy = Some("Delete");
    table.deletion_policy = Some("Delete");
    let table = stack.resource(table);

    let role_construct = format!("{name}IAMRole");
    let table_arn = |suffix: &str| {
        sub(
            &format!(
                "arn:aws:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{tablename}}{suffix}"
            ),
            [("tablename", table_name())],
        )
    };
    let role = stack.resource(Resource::new(
        unique_id(&[&role_construct, "Resource"]),
        &[&role_construct, "Resource"],
        "AWS::IAM::Role",
        map([
            (
                "AssumeRolePolicyDocument",
                policy::assumed_by("appsync.amazonaws.com"),
            ),
            (
                "Policies",
                list([map([
                    (
                        "PolicyDocument",
                        policy::document(vec![policy::allow(
                            policy::actions(
                                "dynamodb",
                                &[
                                    &policy::TABLE_ACCESS[..],
                                    &[
                                        "ConditionCheckItem",
                                        "DescribeTable",
                                        "GetRecords",
                                        "GetShardIterator",
                                    ],
                                ]
                                .concat(),
                            ),
                            list([table_arn(""), table_arn("/*")].into_iter().chain(
                                sync.into_iter().flat_map(|_| {
                                    datastore::table_arns(|| {
                                        datastore::table_name(api_id.clone(), root.env.reference())
                                    })
                                }),
                            )),
                        )]),
                    ),
                    ("PolicyName", "DynamoDBAccess".into()),
                ])]),
            ),
            (
                "RoleName",
                join(
                    "",
                    [
                        format!("{}-", iam_role_name_prefix(&role_construct)).into(),
                        api_id.clone(),
                        "-".into(),
                        root.env.reference(),
                    ],
                ),
            ),
        ]),
    ));

    let has_indexes = !keys.global_indexes.is_empty() || !keys.local_indexes.is_empty();
    policy::attach(
        stack,
        &[&role_construct, "DefaultPolicy", "Resource"],
        vec![policy::allow(
            policy::actions(
                "dynamodb",
                &[
                    "BatchGetItem",
                    "GetRecords",
                    "GetShardIterator",
                    "Query",
                    "GetItem",
                    "Scan",
                    "ConditionCheckItem",
                    "BatchWriteItem",
                    "PutItem",
                    "UpdateItem",
                    "DeleteItem",
                    "DescribeTable",
                ],
            ),
            list([
                table.get_att("Arn"),
                if has_indexes {
                    join("", [table.get_att("Arn"), "/index/*".into()])
                } else {
                    no_value()
                },
            ]),
        )],
        &role,
    );

    if let Some(lambda) = sync.and_then(SyncConfig::lambda) {
        datastore::add_lambda_policy(stack, lambda, &root.env.reference(), &role);
    }

    let ds_construct = format!("{name}DataSource");
    let data_source = stack.resource(
        Resource::new(
            ds_construct.clone(),
            &[&ds_construct, "Resource"],
            "AWS::AppSync::DataSource",
            map([
                ("ApiId", api_id.clone()),
                ("DynamoDBConfig", {
                    let mut config = vec![("AwsRegion".into(), pseudo("AWS::Region"))];
                    if sync.is_some() {
                        config.push((
                            "DeltaSyncConfig".into(),
                            datastore::delta_sync_config(api_id.clone(), root.env.reference()),
                        ));
                    }
                    config.push(("TableName".into(), table.reference()));
                    if sync.is_some() {
                        config.push(("Versioned".into(), true.into()));
                    }
                    Cfn::Map(config)
                }),
                ("Name", format!("{name}Table").into()),
                ("ServiceRoleArn", role.get_att("Arn")),
                ("Type", "AMAZON_DYNAMODB".into()),
            ]),
        )
        .depending_on(role.clone()),
    );

    let export = |what: &str| {
        map([(
            "Name",
            join(":", [api_id.clone(), format!("GetAtt:{what}").into()]),
        )])
    };
    let output_name = |s: String| super::cdk::remove_non_alphanumeric(&s);
    stack.output(
        &output_name(format!("GetAtt{name}TableStreamArn")),
        map([
            ("Description", "Your DynamoDB table StreamArn.".into()),
            ("Value", table.get_att("StreamArn")),
            ("Export", export(&format!("{name}Table:StreamArn"))),
        ]),
    );
    stack.output(
        &output_name(format!("GetAtt{name}TableName")),
        map([
            ("Description", "Your DynamoDB table name.".into()),
            ("Value", table.reference()),
            ("Export", export(&format!("{name}Table:Name"))),
        ]),
    );
    stack.output(
        &output_name(format!("GetAtt{name}DataSourceName")),
        map([
            ("Description", "Your model DataSource name.".into()),
            ("Value", data_source.get_att("Name")),
            ("Export", export(&format!("{name}DataSource:Name"))),
        ]),
    );
    debug_assert_eq!(this, StackName::Nested(name.to_string()));
    ModelRefs { table, data_source }
}
