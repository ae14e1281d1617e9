//! The IAM documents the stacks share: trust policies, `Allow` statements, and the inline
//! `AWS::IAM::Policy` CDK makes for a role's grants, each built in one place so that every
//! stack writes them with the same keys in the same order.

use super::cdk::unique_id;
use super::template::{Cfn, Resource, Stack, Target, list, map};

/// `{"Statement": [...], "Version": "2012-10-17"}`.
pub fn document(statements: Vec<Cfn>) -> Cfn {
    map([
        ("Statement", Cfn::List(statements)),
        ("Version", "2012-10-17".into()),
    ])
}

/// A statement allowing `action` (one action, or a list) on `resource`.
pub fn allow(action: Cfn, resource: Cfn) -> Cfn {
    map([
        ("Action", action),
        ("Effect", "Allow".into()),
        ("Resource", resource),
    ])
}

/// The trust policy that lets `service` (`appsync.amazonaws.com`) assume a role.
pub fn assumed_by(service: &str) -> Cfn {
    document(vec![map([
        ("Action", "sts:AssumeRole".into()),
        ("Effect", "Allow".into()),
        ("Principal", map([("Service", service.into())])),
    ])])
}

/// `["<service>:<name>", ...]`.
pub fn actions(service: &str, names: &[&str]) -> Cfn {
    list(names.iter().map(|a| Cfn::from(format!("{service}:{a}"))))
}

/// The DynamoDB actions AppSync's DynamoDB data sources are granted on a table.
pub const TABLE_ACCESS: [&str; 8] = [
    "BatchGetItem",
    "BatchWriteItem",
    "PutItem",
    "DeleteItem",
    "GetItem",
    "Scan",
    "Query",
    "UpdateItem",
];

/// Adds the `AWS::IAM::Policy` of `role` at `construct`, named after its own logical id.
pub fn attach(
    stack: &mut Stack,
    construct: &[&str],
    statements: Vec<Cfn>,
    role: &Target,
) -> Target {
    let id = unique_id(construct);
    stack.resource(Resource::new(
        id.clone(),
        construct,
        "AWS::IAM::Policy",
        map([
            ("PolicyDocument", document(statements)),
            ("PolicyName", id.as_str().into()),
            ("Roles", list([role.reference()])),
        ]),
    ))
}
