//! The names CDK and the Amplify transformer give to CloudFormation elements: logical ids made
//! from construct paths ("unique ids" with an MD5 suffix), Amplify's resource-name sanitising,
//! IAM role names, and the order CDK sorts paths in.

use md5::{Digest, Md5};

/// The construct id of the root stack; the first component of every full path.
pub const ROOT_STACK_ID: &str = "transformer-root-stack";

/// Lower-case hex MD5 of a text.
pub fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps ASCII letters and digits.
pub fn remove_non_alphanumeric(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

const HIDDEN_ID: &str = "Default";
const HIDDEN_FROM_HUMAN_ID: &str = "Resource";
const MAX_ID_LEN: usize = 255;
const MAX_HUMAN_LEN: usize = 240;
const HASH_LEN: usize = 8;

/// CDK's unique id of a construct path: a single component is used as it is (letters and
/// digits only); longer paths get a human part (the components without `Resource`,
/// consecutive repeats dropped, letters and digits only) and the first 8 hex digits,
/// upper-case, of the MD5 of the path joined with `/`. `Default` components are ignored.
pub fn unique_id(components: &[&str]) -> String {
    let components: Vec<&str> = components
        .iter()
        .copied()
        .filter(|c| *c != HIDDEN_ID)
        .collect();
    assert!(
        !components.is_empty(),
        "a unique id needs at least one path component"
    );
    if let [one] = components.as_slice() {
        let candidate = remove_non_alphanumeric(one);
        if candidate.len() <= MAX_ID_LEN {
            return candidate;
        }
    }
    let hash = md5_hex(&components.join("/"))[..HASH_LEN].to_ascii_uppercase();
    let mut human = String::new();
    let mut kept: Vec<&str> = Vec::new();
    for c in &components {
        // CDK drops a component that the previous kept one ends with.
        if kept.last().is_some_and(|last| last.ends_with(c)) {
            continue;
        }
        kept.push(c);
    }
    for c in kept.iter().filter(|c| **c != HIDDEN_FROM_HUMAN_ID) {
        human.push_str(&remove_non_alphanumeric(c));
    }
    human.truncate(MAX_HUMAN_LEN);
    human + &hash
}

/// Amplify's `resourceName`: a name with characters other than letters and digits loses them
/// and gets the first 4 hex digits of the MD5 of the original name appended.
pub fn resource_name(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric()) {
        name.to_string()
    } else {
        remove_non_alphanumeric(name) + &md5_hex(name)[..4]
    }
}

/// The name part of an IAM role name: the first 20 characters of `name` and the first 6 hex
/// digits of its MD5 (the API id and environment follow).
pub fn iam_role_name_prefix(name: &str) -> String {
    let short: String = name.chars().take(20).collect();
    short + &md5_hex(name)[..6]
}

/// The logical id of a resolver that is not one of a model's own operations:
/// `<Type><field>Resolver`, the name sanitised with `resource_name`.
pub fn generic_logical_id(type_name: &str, field_name: &str) -> String {
    format!(
        "{}Resolver",
        resource_name(&format!("{type_name}{field_name}"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_from_the_spec() {
        assert_eq!(
            unique_id(&["PostIAMRole", "Resource"]),
            "PostIAMRole83BF708F"
        );
        assert_eq!(
            unique_id(&["GraphQLAPI", "NONE_DS", "Resource"]),
            "GraphQLAPINONEDS95A13CF0"
        );
        assert_eq!(
            unique_id(&["GraphQLAPI", "TransformerSchema"]),
            "GraphQLAPITransformerSchema3CB2AE18"
        );
        assert_eq!(
            unique_id(&["GraphQLAPI", "DefaultApiKey"]),
            "GraphQLAPIDefaultApiKey215A6DD7"
        );
        assert_eq!(
            unique_id(&["AuthRolePolicy01", "Resource"]),
            "AuthRolePolicy01921FC820"
        );
        assert_eq!(
            unique_id(&["PostIAMRole", "DefaultPolicy", "Resource"]),
            "PostIAMRoleDefaultPolicy04190CA0"
        );
        assert_eq!(
            unique_id(&[
                "QuerygetPostauth0Function",
                "QuerygetPostauth0Function.AppSyncFunction"
            ]),
            "QuerygetPostauth0FunctionQuerygetPostauth0FunctionAppSyncFunctionB1D588DF"
        );
    }

    #[test]
    fn unique_ids_of_full_paths() {
        assert_eq!(
            unique_id(&[ROOT_STACK_ID, "GraphQLAPI", "Resource"]),
            "transformerrootstackGraphQLAPI20497F53"
        );
        assert_eq!(
            unique_id(&[ROOT_STACK_ID, "env"]),
            "transformerrootstackenv10C5A902"
        );
        assert_eq!(
            unique_id(&[ROOT_STACK_ID, "Post", "PostTable", "Resource"]),
            "transformerrootstackPostPostTable34CAE87B"
        );
        assert_eq!(
            unique_id(&[
                ROOT_STACK_ID,
                "Post.NestedStack",
                "Post.NestedStackResource"
            ]),
            "transformerrootstackPostNestedStackPostNestedStackResource45FCAC5E"
        );
    }

    #[test]
    fn single_components_and_hidden_ones() {
        assert_eq!(unique_id(&["reference-to-x.y"]), "referencetoxy");
        assert_eq!(unique_id(&["A", "Default"]), "A");
        // Consecutive repeats leave the human part but not the hash.
        assert_eq!(unique_id(&["Stack", "Stack"]), "Stack2E7BB30F");
    }

    #[test]
    fn long_single_component_is_hashed() {
        let long = "x".repeat(300);
        let id = unique_id(&[&long]);
        assert_eq!(id.len(), 248);
        assert!(id.starts_with(&"x".repeat(240)));
    }

    #[test]
    fn names() {
        assert_eq!(resource_name("Post"), "Post");
        assert_eq!(resource_name("my_type"), "mytypeedbc");
        assert_eq!(
            resource_name("SubscriptiononCreateMy_type"),
            "SubscriptiononCreateMytype325c"
        );
        assert_eq!(iam_role_name_prefix("PostIAMRole"), "PostIAMRolebbce9b");
        assert_eq!(
            iam_role_name_prefix("VeryLongModelNameForTestingPurposesHereIAMRole"),
            "VeryLongModelNameFor3451c0"
        );
    }
}
