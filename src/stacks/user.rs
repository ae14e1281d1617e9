//! The project's own CloudFormation stacks (`stacks/*.json`): each becomes a nested stack of
//! the root, fed with the root's parameters, after every generated API resource.

use serde_json::{Map, Value as Json, json};

use super::template::{Cfn, Element, Section, Stack, StackName, StackSet};
use crate::project::UserStack;

/// The root resource id of a user stack: its file name without anything but letters
/// (`CustomResources.json` → `CustomResourcesjson`).
pub fn resource_id(file_name: &str) -> String {
    file_name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// `Err` names a project stack that would replace a generated one.
pub fn check_names(generated: &StackSet, user: &[UserStack]) -> Result<(), String> {
    match user.iter().find(|s| generated.has_nested(stem(s))) {
        Some(s) => Err(format!(
            "stacks/{} would replace the generated stack {}.json",
            s.file_name,
            stem(s)
        )),
        None => Ok(()),
    }
}

fn stem(stack: &UserStack) -> &str {
    stack
        .file_name
        .strip_suffix(".json")
        .unwrap_or(&stack.file_name)
}

/// Adds the user stacks (checked with `check_names`) to the resolved root: a nested stack
/// resource each (parameters the root does not declare are copied into it); returns the
/// templates themselves.
pub fn merge(root: &mut Stack, user: &[UserStack]) -> Vec<Stack> {
    let mut templates = Vec::new();
    if user.is_empty() {
        return templates;
    }
    // They come after the API, its schema and every nested stack.
    let depend_on: Vec<Json> = root
        .resources()
        .into_iter()
        .filter(|r| {
            matches!(
                r.kind,
                "AWS::CloudFormation::Stack"
                    | "AWS::AppSync::GraphQLApi"
                    | "AWS::AppSync::GraphQLSchema"
            )
        })
        .map(|r| Json::String(r.logical_id.clone()))
        .collect();
    let mut values: Map<String, Json> = root
        .entries(Section::Parameters)
        .into_iter()
        .map(|(k, _)| (k.to_string(), json!({ "Ref": k })))
        .collect();
    values.insert(
        "AppSyncApiId".into(),
        json!({ "Fn::GetAtt": ["GraphQLAPI", "ApiId"] }),
    );
    for stack in user {
        let stem = stem(stack);
        let declared: Vec<(String, Json)> = stack
            .template
            .get("Parameters")
            .and_then(Json::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut parameters = Map::new();
        for (k, definition) in declared {
            if !values.contains_key(&k) {
                values.insert(k.clone(), json!({ "Ref": k }));
                root.parameter(&k, Cfn::Json(Box::new(definition)));
            }
            parameters.insert(k.clone(), values[&k].clone());
        }
        let resource = json!({
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "Parameters": parameters,
                "TemplateURL": { "Fn::Join": ["/", [
                    "https://s3.amazonaws.com",
                    { "Ref": "S3DeploymentBucket" },
                    { "Ref": "S3DeploymentRootKey" },
                    "stacks",
                    stack.file_name,
                ]] },
            },
            "DependsOn": depend_on,
        });
        root.verbatim(Section::Resources, &resource_id(&stack.file_name), resource);
        // The template prints as it was read.
        let mut nested = Stack::new(StackName::Nested(stem.to_string()));
        if let Json::Object(sections) = &stack.template {
            for (key, body) in sections {
                nested.elements.push(Element::Section(
                    key.clone(),
                    Cfn::Json(Box::new(body.clone())),
                ));
            }
        }
        templates.push(nested);
    }
    templates
}
