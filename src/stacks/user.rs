//! The project's own CloudFormation stacks (`stacks/*.json`): each becomes a nested stack of
//! the root, fed with the root's parameters, after every generated API resource.

use serde_json::{Map, Value as Json, json};

use super::refs::Resolved;
use crate::project::UserStack;

/// The root resource id of a user stack: its file name without anything but letters
/// (`CustomResources.json` → `CustomResourcesjson`).
pub fn resource_id(file_name: &str) -> String {
    file_name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect()
}

/// Adds the user stacks to the resolved templates: a nested stack resource each in the root
/// (parameters the root does not declare are copied into it) and the template itself.
/// `Err` names a stack that clashes with a generated one.
pub fn merge(resolved: &mut Resolved, user: &[UserStack]) -> Result<(), String> {
    let root = resolved
        .root
        .as_object_mut()
        .expect("the root template is an object");
    let depend_on: Vec<Json> = root
        .get("Resources")
        .and_then(Json::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, v)| {
                    matches!(
                        v.get("Type").and_then(Json::as_str),
                        Some(
                            "AWS::CloudFormation::Stack"
                                | "AWS::AppSync::GraphQLApi"
                                | "AWS::AppSync::GraphQLSchema"
                        )
                    )
                })
                .map(|(k, _)| Json::String(k.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut values: Map<String, Json> = root
        .get("Parameters")
        .and_then(Json::as_object)
        .map(|p| p.keys().map(|k| (k.clone(), json!({ "Ref": k }))).collect())
        .unwrap_or_default();
    values.insert(
        "AppSyncApiId".into(),
        json!({ "Fn::GetAtt": ["GraphQLAPI", "ApiId"] }),
    );
    for stack in user {
        let stem = stack
            .file_name
            .strip_suffix(".json")
            .unwrap_or(&stack.file_name);
        if resolved.nested.iter().any(|(n, _)| n == stem) {
            return Err(format!(
                "stacks/{} would replace the generated stack {stem}.json",
                stack.file_name
            ));
        }
        let declared: Vec<(String, Json)> = stack
            .template
            .get("Parameters")
            .and_then(Json::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let root = resolved
            .root
            .as_object_mut()
            .expect("the root template is an object");
        let mut parameters = Map::new();
        for (k, definition) in &declared {
            if !values.contains_key(k) {
                values.insert(k.clone(), json!({ "Ref": k }));
                if let Some(Json::Object(p)) = root.get_mut("Parameters") {
                    p.insert(k.clone(), definition.clone());
                }
            }
            parameters.insert(k.clone(), values[k].clone());
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
        if let Some(Json::Object(r)) = root.get_mut("Resources") {
            r.insert(resource_id(&stack.file_name), resource);
        }
        resolved
            .nested
            .push((stem.to_string(), stack.template.clone()));
    }
    Ok(())
}
