//! The IAM managed policies of identity-pool rules (auth-rules.md §11): which AppSync types
//! and fields the authenticated and unauthenticated roles may call.

use indexmap::IndexSet;

use super::cdk::unique_id;
use super::policy;
use super::root::RootRefs;
use super::template::{Cfn, Resource, Stack, list, map, sub};
use crate::ast::{Definition, TypeRef};
use crate::config::AuthModeKind;
use crate::model::keys;
use crate::model::operations::{ModelOperations, MutationKind};
use crate::model::{Provider, Strategy, SubscriptionLevel, TypeKind};
use crate::normalise::{AuthRule, Normalised};
use crate::plan::Plan;

/// A policy resource: a type (`None`: every field) or one field of it.
type PolicyResource = (String, Option<String>);

#[derive(Default)]
struct Collected {
    auth: IndexSet<PolicyResource>,
    unauth: IndexSet<PolicyResource>,
    auth_policy: bool,
    unauth_policy: bool,
}

fn is_iam(p: Provider) -> bool {
    matches!(p, Provider::Iam | Provider::IdentityPool)
}

impl Collected {
    fn flags(&mut self, rules: &[AuthRule]) {
        let iam = |r: &&AuthRule| is_iam(r.provider);
        self.auth_policy |= rules
            .iter()
            .filter(iam)
            .any(|r| matches!(r.strategy, Strategy::Private | Strategy::Public));
        self.unauth_policy |= rules
            .iter()
            .filter(iam)
            .any(|r| r.strategy == Strategy::Public);
    }

    fn add(&mut self, resource: PolicyResource, rules: &[AuthRule]) {
        let public = rules
            .iter()
            .any(|r| is_iam(r.provider) && r.strategy == Strategy::Public);
        let private = rules
            .iter()
            .any(|r| is_iam(r.provider) && r.strategy == Strategy::Private);
        if public {
            self.unauth.insert(resource.clone());
            self.auth.insert(resource.clone());
        }
        if private {
            self.auth.insert(resource);
        }
    }
}

/// The operations of a model, in the order the auth transformer protects them: get, list,
/// mutations, `@index` queries, the `@searchable` query, subscriptions.
fn operations(
    ops: &ModelOperations,
    index_queries: &[String],
    search: Option<String>,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(g) = &ops.get {
        out.push(("Query", g.clone()));
    }
    if let Some(l) = &ops.list {
        out.push(("Query", l.clone()));
    }
    if let Some(s) = &ops.sync {
        out.push(("Query", s.clone()));
    }
    for kind in [
        MutationKind::Create,
        MutationKind::Update,
        MutationKind::Delete,
    ] {
        if let Some(m) = ops.mutation(kind) {
            out.push(("Mutation", m.to_string()));
        }
    }
    for q in index_queries {
        out.push(("Query", q.clone()));
    }
    if let Some(q) = search {
        out.push(("Query", q));
    }
    if ops.level == SubscriptionLevel::On {
        for kind in [
            MutationKind::Create,
            MutationKind::Update,
            MutationKind::Delete,
        ] {
            for s in ops.subscriptions.iter().filter(|s| s.kind == kind) {
                out.push(("Subscription", s.name.clone()));
            }
        }
    }
    out
}

fn base_type(t: &TypeRef) -> &str {
    match t {
        TypeRef::Named(n) => n,
        TypeRef::List(inner) | TypeRef::NonNull(inner) => base_type(inner),
    }
}

/// Adds the `AuthRolePolicyNN` / `UnauthRolePolicyNN` managed policies to the root stack.
pub fn add_policies(root: &mut Stack, plan: &Plan, refs: &RootRefs) {
    let (n, config) = (plan.normalised, plan.config);
    let mut c = Collected::default();
    // Visiting the definitions in document order: type rules, then field rules.
    for def in &n.schema.document.definitions {
        let (Definition::Object(o) | Definition::Interface(o)) = def else {
            continue;
        };
        let Some(auth) = n.auth_of(&o.name.text) else {
            continue;
        };
        if !o.is_extension
            && o.directives.iter().any(|d| d.name.text == "auth")
            && let Some(rules) = &auth.type_rules
        {
            c.flags(rules);
            c.add((o.name.text.clone(), None), rules);
        }
        for f in &o.fields {
            if !f.directives.iter().any(|d| d.name.text == "auth") {
                continue;
            }
            if let Some((_, rules)) = auth
                .field_rules
                .iter()
                .find(|(name, _)| *name == f.name.text)
            {
                c.flags(rules);
                c.add((o.name.text.clone(), Some(f.name.text.clone())), rules);
            }
        }
    }
    // Then per model with rules: its operations, then the non-model types it reaches.
    let admin = !config.admin_roles.is_empty() && config.auth.has(AuthModeKind::Iam);
    let default_iam = config.auth.default.kind == AuthModeKind::Iam;
    let mut seen: Vec<String> = Vec::new();
    let searchable = &plan.searchable;
    for auth in &n.auth {
        let Some(planned) = plan.model(&auth.type_name) else {
            continue;
        };
        let model = planned.model;
        let rules: Vec<AuthRule> = auth.all_rules().cloned().collect();
        let index_queries: Vec<String> = keys::indexes(model, config)
            .into_iter()
            .filter_map(|i| i.query_field)
            .collect();
        let search = searchable
            .iter()
            .find(|s| s.model == model.name.text)
            .and_then(|s| s.query.clone());
        for (ty, field) in operations(&planned.operations, &index_queries, search) {
            c.add((ty.to_string(), Some(field)), &rules);
        }
        let providers_have_iam = rules.iter().any(|r| is_iam(r.provider)) || admin;
        let has_providers = !rules.is_empty() || admin;
        let has_iam = default_iam || (has_providers && providers_have_iam);
        // A `@hasMany` field returns its connection type by then, which counts as a
        // non-model type of the model.
        let connections: Vec<String> = model
            .fields
            .iter()
            .map(|f| {
                if f.has_directive("hasMany") {
                    format!("Model{}Connection", keys::upper_first(base_type(&f.ty)))
                } else {
                    base_type(&f.ty).to_string()
                }
            })
            .collect();
        let field_types: Vec<&str> = connections.iter().map(String::as_str).collect();
        visit_non_model(n, &field_types, &mut seen, &mut |name| {
            if has_iam {
                c.unauth.insert((name.to_string(), None));
                c.auth.insert((name.to_string(), None));
            }
        });
    }
    if c.auth_policy && !c.auth.is_empty() {
        add_documents(root, "AuthRolePolicy", &c.auth, refs, false);
    }
    if c.unauth_policy && !c.unauth.is_empty() {
        add_documents(root, "UnauthRolePolicy", &c.unauth, refs, true);
    }
}

/// Depth-first over the non-model object types reachable from `fields`, each once.
fn visit_non_model<'a>(
    n: &'a Normalised,
    field_types: &[&'a str],
    seen: &mut Vec<String>,
    on_first: &mut dyn FnMut(&str),
) {
    for t in field_types {
        if seen.iter().any(|s| s == t) {
            continue;
        }
        let Some(obj) = n.schema.object(t) else {
            // A relation's connection type: no fields to follow.
            if t.starts_with("Model") && t.ends_with("Connection") {
                seen.push(t.to_string());
                on_first(t);
            }
            continue;
        };
        if obj.kind != TypeKind::Plain {
            continue;
        }
        seen.push(t.to_string());
        on_first(t);
        let inner: Vec<&str> = obj.fields.iter().map(|f| base_type(&f.ty)).collect();
        visit_non_model(n, &inner, seen, on_first);
    }
}

fn add_documents(
    root: &mut Stack,
    prefix: &str,
    resources: &IndexSet<PolicyResource>,
    refs: &RootRefs,
    unauth: bool,
) {
    const MAX_BUILT_SIZE_BYTES: usize = 6000;
    const RESOURCE_OVERHEAD: usize = 100;
    let mut documents: Vec<Vec<PolicyResource>> = Vec::new();
    let mut current: Vec<PolicyResource> = Vec::new();
    let mut size = 0;
    for r in resources {
        current.push(r.clone());
        size += RESOURCE_OVERHEAD + r.0.len() + r.1.as_ref().map_or(0, String::len);
        if size > MAX_BUILT_SIZE_BYTES {
            let last = current.pop().expect("just pushed");
            documents.push(std::mem::take(&mut current));
            current.push(last);
            size = 0;
        }
    }
    if !current.is_empty() {
        documents.push(current);
    }
    let role = if unauth {
        &refs.unauth_role_name
    } else {
        &refs.auth_role_name
    };
    let Some(role) = role else {
        return;
    };
    for (i, doc) in documents.iter().enumerate() {
        let name = format!("{prefix}{:02}", i + 1);
        let arns: Vec<Cfn> = doc
            .iter()
            .map(|(ty, field)| match field {
                Some(f) => sub(
                    "arn:aws:appsync:${AWS::Region}:${AWS::AccountId}:apis/${apiId}/types/${typeName}/fields/${fieldName}",
                    [
                        ("apiId", refs.api.get_att("ApiId")),
                        ("typeName", ty.as_str().into()),
                        ("fieldName", f.as_str().into()),
                    ],
                ),
                None => sub(
                    "arn:aws:appsync:${AWS::Region}:${AWS::AccountId}:apis/${apiId}/types/${typeName}/*",
                    [
                        ("apiId", refs.api.get_att("ApiId")),
                        ("typeName", ty.as_str().into()),
                    ],
                ),
            })
            .collect();
        let resource = if arns.len() == 1 {
            arns.into_iter().next().expect("one")
        } else {
            list(arns)
        };
        root.resource(Resource::new(
            unique_id(&[&name, "Resource"]),
            &[&name, "Resource"],
            "AWS::IAM::ManagedPolicy",
            map([
                ("Description", "".into()),
                ("Path", "/".into()),
                (
                    "PolicyDocument",
                    policy::document(vec![policy::allow("appsync:GraphQL".into(), resource)]),
                ),
                ("Roles", list([role.reference()])),
            ]),
        ));
    }
}
