//! `SearchableStack`: the OpenSearch domain of `@searchable`, the role AppSync reads it with
//! and its data source, and the streaming Lambda function (with its role) that indexes each
//! searchable table's DynamoDB stream. The search resolvers are added by `pipelines`.

use super::cdk::{md5_hex, unique_id};
use super::policy;
use super::root::RootRefs;
use super::template::{
    Cfn, Element, Resource, Stack, Target, equals, fn_if, join, list, map, no_value, not,
};

/// The name of the nested stack.
pub const STACK: &str = "SearchableStack";

/// The file the streaming function's code is uploaded as (under `functions/`).
pub const FUNCTION_ZIP: &str = "OpenSearchStreamingLambdaFunction.zip";

/// What the search resolvers use of the stack.
#[derive(Clone, Debug)]
pub struct SearchRefs {
    pub domain: Target,
    pub data_source: Target,
}

/// The instance types the `OpenSearchInstanceType` parameter allows, each with the
/// `.elasticsearch` and the `.search` suffix.
const INSTANCE_TYPES: [&str; 95] = [
    "t2.small",
    "t2.medium",
    "c4.large",
    "c4.xlarge",
    "c4.2xlarge",
    "c4.4xlarge",
    "c4.8xlarge",
    "m3.medium",
    "m3.large",
    "m3.xlarge",
    "m3.2xlarge",
    "m4.large",
    "m4.xlarge",
    "m4.2xlarge",
    "m4.4xlarge",
    "m4.10xlarge",
    "r3.large",
    "r3.xlarge",
    "r3.2xlarge",
    "r3.4xlarge",
    "r3.8xlarge",
    "r4.large",
    "r4.xlarge",
    "r4.2xlarge",
    "r4.4xlarge",
    "r4.8xlarge",
    "r4.16xlarge",
    "i2.xlarge",
    "i2.2xlarge",
    "i3.large",
    "i3.xlarge",
    "i3.2xlarge",
    "i3.4xlarge",
    "i3.8xlarge",
    "i3.16xlarge",
    "r6gd.12xlarge",
    "ultrawarm1.xlarge",
    "m5.4xlarge",
    "t3.xlarge",
    "m6g.xlarge",
    "m6g.12xlarge",
    "t2.micro",
    "r6gd.16xlarge",
    "d2.2xlarge",
    "t3.micro",
    "m5.large",
    "d2.4xlarge",
    "t3.small",
    "c5.2xlarge",
    "c6g.2xlarge",
    "d2.8xlarge",
    "c5.4xlarge",
    "t4g.medium",
    "c6g.4xlarge",
    "c6g.xlarge",
    "c6g.12xlarge",
    "c5.xlarge",
    "c5.large",
    "t4g.small",
    "c5.9xlarge",
    "c6g.8xlarge",
    "c6g.large",
    "d2.xlarge",
    "ultrawarm1.medium",
    "t3.nano",
    "t3.medium",
    "m6g.2xlarge",
    "t3.2xlarge",
    "c5.18xlarge",
    "m6g.4xlarge",
    "r6gd.2xlarge",
    "m5.xlarge",
    "r6gd.4xlarge",
    "r6g.2xlarge",
    "r5.2xlarge",
    "m5.12xlarge",
    "m6g.8xlarge",
    "m6g.large",
    "m5.24xlarge",
    "r6g.4xlarge",
    "t3.large",
    "r5.4xlarge",
    "ultrawarm1.large",
    "r6gd.8xlarge",
    "r6gd.large",
    "r6g.xlarge",
    "r5.xlarge",
    "r6g.12xlarge",
    "r5.12xlarge",
    "m5.2xlarge",
    "r6gd.xlarge",
    "r6g.8xlarge",
    "r6g.large",
    "r5.24xlarge",
    "r5.large",
];

/// The root stack's OpenSearch parameters, in order.
pub fn root_parameters() -> Vec<(&'static str, Cfn)> {
    let string = |default: &str, description: &str| {
        map([
            ("Type", "String".into()),
            ("Default", default.into()),
            ("Description", description.into()),
        ])
    };
    let number = |default: i64, description: &str| {
        map([
            ("Type", "Number".into()),
            ("Default", default.into()),
            ("Description", description.into()),
        ])
    };
    let instance_types = INSTANCE_TYPES
        .iter()
        .map(|t| Cfn::from(format!("{t}.elasticsearch")))
        .chain(
            INSTANCE_TYPES
                .iter()
                .map(|t| Cfn::from(format!("{t}.search"))),
        );
    vec![
        (
            "OpenSearchAccessIAMRoleName",
            string(
                "AppSyncOpenSearchRole",
                "The name of the IAM role assumed by AppSync for OpenSearch.",
            ),
        ),
        (
            "OpenSearchStreamingLambdaHandlerName",
            string(
                "python_streaming_function.lambda_handler",
                "The name of the lambda handler.",
            ),
        ),
        (
            "OpenSearchStreamingLambdaRuntime",
            string(
                "python3.6",
                "The lambda runtime                 (https://docs.aws.amazon.com/lambda/latest/dg/API_CreateFunction.html#SSS-CreateFunction-request-Runtime)",
            ),
        ),
        (
            "OpenSearchStreamingFunctionName",
            string("DdbToEsFn", "The name of the streaming lambda function."),
        ),
        (
            "OpenSearchStreamBatchSize",
            number(
                100,
                "The maximum number of records to stream to OpenSearch per batch.",
            ),
        ),
        (
            "OpenSearchStreamMaximumBatchingWindowInSeconds",
            number(
                1,
                "The maximum amount of time in seconds to wait for DynamoDB stream records before sending to streaming lambda.",
            ),
        ),
        (
            "OpenSearchStreamingIAMRoleName",
            string(
                "SearchLambdaIAMRole",
                "The name of the streaming lambda function IAM role.",
            ),
        ),
        (
            "OpenSearchDebugStreamingLambda",
            map([
                ("Type", "Number".into()),
                ("Default", 0.into()),
                ("AllowedValues", list(["0".into(), "1".into()])),
                (
                    "Description",
                    "Enable debug logs for the Dynamo -> OpenSearch streaming lambda.".into(),
                ),
            ]),
        ),
        (
            "OpenSearchInstanceCount",
            number(
                1,
                "The number of instances to launch into the OpenSearch domain.",
            ),
        ),
        (
            "OpenSearchInstanceType",
            map([
                ("Type", "String".into()),
                (
                    "Default",
                    crate::plan::searchable::DEFAULT_INSTANCE_TYPE.into(),
                ),
                ("AllowedValues", list(instance_types)),
                (
                    "Description",
                    "The type of instance to launch into the OpenSearch domain.".into(),
                ),
            ]),
        ),
        (
            "OpenSearchEBSVolumeGB",
            number(
                10,
                "The size in GB of the EBS volumes that contain our data.",
            ),
        ),
    ]
}

/// One searchable table: its index name and its stream.
pub struct Streamed {
    pub index: String,
    pub stream_arn: Cfn,
}

/// Builds the stack's own resources (the resolvers come later). `versioned`: DataStore, whose
/// documents are written with external versioning.
pub fn build(
    stack: &mut Stack,
    root: &RootRefs,
    tables: &[Streamed],
    versioned: bool,
    node_to_node_encryption: bool,
) -> SearchRefs {
    let param = Target::root_parameter;
    let this = stack.name.clone();
    let api_id = root.api.get_att("ApiId");
    stack.elements.push(Element::Section(
        "Description".into(),
        "An auto-generated nested stack for searchable.".into(),
    ));
    stack.elements.push(Element::Section(
        "AWSTemplateFormatVersion".into(),
        "2010-09-09".into(),
    ));
    stack.condition(
        "HasEnvironmentParameter",
        not(equals(root.env.reference(), "NONE".into())),
    );

    let mut domain = Resource::new(
        "OpenSearchDomain",
        &["OpenSearchDomain", "Resource"],
        "AWS::Elasticsearch::Domain",
        map([
            ("CognitoOptions", map([("Enabled", false.into())])),
            (
                "DomainEndpointOptions",
                map([
                    ("EnforceHTTPS", true.into()),
                    ("TLSSecurityPolicy", "Policy-Min-TLS-1-0-2019-07".into()),
                ]),
            ),
            (
                "DomainName",
                fn_if(
                    "HasEnvironmentParameter",
                    no_value(),
                    join("", ["d".into(), api_id.clone()]),
                ),
            ),
            (
                "EBSOptions",
                map([
                    ("EBSEnabled", true.into()),
                    ("VolumeSize", param("OpenSearchEBSVolumeGB").reference()),
                    ("VolumeType", "gp2".into()),
                ]),
            ),
            (
                "ElasticsearchClusterConfig",
                map([
                    (
                        "InstanceCount",
                        param("OpenSearchInstanceCount").reference(),
                    ),
                    ("InstanceType", param("OpenSearchInstanceType").reference()),
                ]),
            ),
            ("ElasticsearchVersion", "7.10".into()),
            ("EncryptionAtRestOptions", map([("Enabled", false.into())])),
            ("LogPublishingOptions", map([])),
            (
                "NodeToNodeEncryptionOptions",
                map([("Enabled", node_to_node_encryption.into())]),
            ),
        ]),
    );
    domain.update_replace_policy = Some("Delete");
    domain.deletion_policy = Some("Delete");
    let domain = stack.resource(domain);
    let domain_arns = || {
        list([
            domain.get_att("Arn"),
            join("", [domain.get_att("Arn"), "/*".into()]),
        ])
    };
    let endpoint = || join("", ["https://".into(), domain.get_att("DomainEndpoint")]);
    let region = || {
        map([(
            "Fn::Select",
            list([
                3.into(),
                map([("Fn::Split", list([":".into(), domain.get_att("Arn")]))]),
            ]),
        )])
    };
    let role_name = |prefix: Vec<Cfn>| {
        let mut parts = prefix;
        parts.extend([api_id.clone(), "-".into(), root.env.reference()]);
        join("", parts)
    };
    let es_statement =
        |actions: &[&str]| policy::allow(policy::actions("es", actions), domain_arns());

    // The reference names this role after the streaming role's name parameter, with a
    // six-character prefix CDK derives from its own token numbering; ours is fixed.
    let streaming_role_name = param("OpenSearchStreamingIAMRoleName");
    let access_role = stack.resource(Resource::new(
        unique_id(&["OpenSearchAccessIAMRole", "Resource"]),
        &["OpenSearchAccessIAMRole", "Resource"],
        "AWS::IAM::Role",
        map([
            (
                "AssumeRolePolicyDocument",
                policy::assumed_by("appsync.amazonaws.com"),
            ),
            (
                "RoleName",
                role_name(vec![
                    streaming_role_name.reference(),
                    format!("{}-", &md5_hex("OpenSearchAccessIAMRoleName")[..6]).into(),
                ]),
            ),
        ]),
    ));
    policy::attach(
        stack,
        &["OpenSearchAccessIAMRole", "DefaultPolicy", "Resource"],
        vec![es_statement(&[
            "ESHttpGet",
            "ESHttpHead",
            "ESHttpDelete",
            "ESHttpPost",
            "ESHttpPut",
            "ESHttpPatch",
        ])],
        &access_role,
    );
    let data_source = stack.resource(Resource::new(
        unique_id(&["OpenSearchDataSource", "Resource"]),
        &["OpenSearchDataSource", "Resource"],
        "AWS::AppSync::DataSource",
        map([
            ("ApiId", api_id.clone()),
            (
                "ElasticsearchConfig",
                map([("AwsRegion", region()), ("Endpoint", endpoint())]),
            ),
            ("Name", "OpenSearchDataSource".into()),
            ("ServiceRoleArn", access_role.get_att("Arn")),
            ("Type", "AMAZON_ELASTICSEARCH".into()),
        ]),
    ));

    // The streaming role's name has the prefix of an empty name (md5 of "").
    let lambda_role = stack.resource(Resource::new(
        unique_id(&["OpenSearchStreamingLambdaIAMRole", "Resource"]),
        &["OpenSearchStreamingLambdaIAMRole", "Resource"],
        "AWS::IAM::Role",
        map([
            (
                "AssumeRolePolicyDocument",
                policy::assumed_by("lambda.amazonaws.com"),
            ),
            (
                "RoleName",
                role_name(vec![format!("{}-", &md5_hex("")[..6]).into()]),
            ),
        ]),
    ));
    let mut statements = vec![
        es_statement(&["ESHttpDelete", "ESHttpPost", "ESHttpPut", "ESHttpPatch"]),
        map([
            ("Action", "dynamodb:ListStreams".into()),
            ("Effect", "Allow".into()),
            ("Resource", "*".into()),
        ]),
    ];
    for t in tables {
        statements.push(map([
            (
                "Action",
                list([
                    "dynamodb:DescribeStream".into(),
                    "dynamodb:GetRecords".into(),
                    "dynamodb:GetShardIterator".into(),
                ]),
            ),
            ("Effect", "Allow".into()),
            ("Resource", t.stream_arn.clone()),
        ]));
    }
    let lambda_policy = policy::attach(
        stack,
        &[
            "OpenSearchStreamingLambdaIAMRole",
            "DefaultPolicy",
            "Resource",
        ],
        statements,
        &lambda_role,
    );
    policy::attach(
        stack,
        &["CloudwatchLogsAccess", "Resource"],
        vec![map([
            (
                "Action",
                list([
                    "logs:CreateLogGroup".into(),
                    "logs:CreateLogStream".into(),
                    "logs:PutLogEvents".into(),
                ]),
            ),
            ("Effect", "Allow".into()),
            ("Resource", "arn:aws:logs:*:*:*".into()),
        ])],
        &lambda_role,
    );

    let bucket = root.bucket.reference();
    let root_key = root.root_key.reference();
    // CDK reads the code's key before its bucket.
    stack
        .elements
        .push(Element::Resolves(vec![root_key.clone(), bucket.clone()]));
    let function = stack.resource(
        Resource::new(
            unique_id(&["OpenSearchStreamingLambdaFunction", "Resource"]),
            &["OpenSearchStreamingLambdaFunction", "Resource"],
            "AWS::Lambda::Function",
            map([
                (
                    "Code",
                    map([
                        ("S3Bucket", bucket),
                        (
                            "S3Key",
                            join("", [root_key, format!("/functions/{FUNCTION_ZIP}").into()]),
                        ),
                    ]),
                ),
                (
                    "Environment",
                    map([(
                        "Variables",
                        map([
                            ("OPENSEARCH_ENDPOINT", endpoint()),
                            ("OPENSEARCH_REGION", region()),
                            ("DEBUG", param("OpenSearchDebugStreamingLambda").reference()),
                            (
                                "OPENSEARCH_USE_EXTERNAL_VERSIONING",
                                versioned.to_string().into(),
                            ),
                        ]),
                    )]),
                ),
                (
                    "Handler",
                    param("OpenSearchStreamingLambdaHandlerName").reference(),
                ),
                ("Role", lambda_role.get_att("Arn")),
                ("Runtime", "python3.12".into()),
            ]),
        )
        .depending_on(lambda_policy)
        .depending_on(lambda_role.clone()),
    );
    for t in tables {
        let construct = format!("Searchable{}LambdaMapping", t.index);
        stack.resource(Resource::new(
            unique_id(&[&construct, "Resource"]),
            &[&construct, "Resource"],
            "AWS::Lambda::EventSourceMapping",
            map([
                ("BatchSize", param("OpenSearchStreamBatchSize").reference()),
                ("Enabled", true.into()),
                ("EventSourceArn", t.stream_arn.clone()),
                ("FunctionName", function.reference()),
                (
                    "MaximumBatchingWindowInSeconds",
                    param("OpenSearchStreamMaximumBatchingWindowInSeconds").reference(),
                ),
                ("StartingPosition", "LATEST".into()),
            ]),
        ));
    }
    let export = |what: &str| {
        map([(
            "Name",
            join(
                ":",
                [api_id.clone(), format!("GetAtt:OpenSearch:{what}").into()],
            ),
        )])
    };
    stack.output(
        "OpenSearchDomainArn",
        map([
            ("Description", "OpenSearch instance Domain ARN.".into()),
            ("Value", domain.get_att("Arn")),
            ("Export", export("DomainArn")),
        ]),
    );
    stack.output(
        "OpenSearchDomainEndpoint",
        map([
            ("Description", "OpenSearch instance Domain Endpoint.".into()),
            ("Value", endpoint()),
            ("Export", export("DomainEndpoint")),
        ]),
    );
    debug_assert_eq!(this, stack.name);
    SearchRefs {
        domain,
        data_source,
    }
}
