//! The resolvers `gql-compile` writes: snapshots of representative fixtures, determinism, and
//! behaviour checks on the templates — what a reviewer would look for in a generated auth
//! template, asserted on the text.

mod common;

use amplify_gql::config::{AuthConfig, Config, FeatureFlags};
use amplify_gql::plan::Plan;
use amplify_gql::resolvers::{
    self, DataSourceRef, HttpRequest, InvokeTarget, ResolverKind, ResolverPlan, Slot,
};
use amplify_gql::schema;
use amplify_gql::source::SourceMap;

/// The resolver plan of a schema given as text.
fn plan_of(schema: &str, config: &Config) -> ResolverPlan {
    let sources = SourceMap::from_text("schema.graphql", schema);
    let (n, diagnostics) = amplify_gql::analyse(&sources, config);
    assert!(
        !diagnostics.has_errors(),
        "{}",
        amplify_gql::render_diagnostics(&diagnostics, &sources, false)
    );
    let n = n.unwrap();
    let plan = Plan::new(&n, config);
    resolvers::build(&plan, &schema::build(&plan))
}

fn file<'a>(plan: &'a ResolverPlan, name: &str) -> &'a str {
    plan.files
        .get(name)
        .unwrap_or_else(|| panic!("no {name}; files: {:#?}", plan.files.keys()))
}

/// The text of one `#if( $util.authType() == "<mode>" )` block, up to its `#end`.
fn mode_block<'a>(template: &'a str, mode: &str) -> &'a str {
    let start = template
        .find(&format!("#if( $util.authType() == \"{mode}\" )"))
        .unwrap_or_else(|| panic!("no {mode} block in:\n{template}"));
    let end = template[start..]
        .find("\n#end")
        .map_or(template.len(), |e| start + e + 5);
    &template[start..end]
}

fn auth_config(json: &str) -> Config {
    Config {
        auth: AuthConfig::from_json_text(json, "auth.json").unwrap(),
        ..Config::default()
    }
}

const API_KEY_ONLY: &str = r#"{"defaultAuthentication": {"authenticationType": "API_KEY"},
    "additionalAuthenticationProviders": []}"#;

/// Every file of a fixture's plan, and its pipelines, as one text.
fn render(plan: &ResolverPlan) -> String {
    let mut out = String::from("# pipelines\n");
    for r in &plan.resolvers {
        out.push_str(&format!(
            "{}.{} ({:?}, model {:?}, stash {:?})\n",
            r.type_name, r.field_name, r.kind, r.model, r.data_source
        ));
        for f in &r.functions {
            let slot = f
                .slot
                .map_or("data".to_string(), |(s, i)| format!("{}[{i}]", s.as_str()));
            out.push_str(&format!(
                "  {slot}: {:?} req={} res={}\n",
                f.data_source,
                f.request.as_deref().unwrap_or("(inline)"),
                f.response.as_deref().unwrap_or("(inline)")
            ));
        }
    }
    for r in &plan.invoke_resolvers {
        out.push_str(&format!(
            "{}.{} (invoke) res={}\n",
            r.type_name, r.field_name, r.response
        ));
        if let Some(a) = plan
            .auth_functions
            .iter()
            .find(|a| a.type_name == r.type_name && a.field_name == r.field_name)
        {
            out.push_str(&format!("  auth: {} req={}\n", a.name(), a.request));
        }
        match &r.target {
            InvokeTarget::Lambda(fs) => {
                for f in fs {
                    out.push_str(&format!(
                        "  lambda {}: req={} res={}\n",
                        f.call.data_source_id(),
                        f.request,
                        f.response
                    ));
                }
            }
            InvokeTarget::Http(h) => out.push_str(&format!(
                "  http {} {}: req={:?} res={}\n",
                h.data_source, h.origin, h.request, h.response
            )),
        }
    }
    for (name, text) in &plan.files {
        out.push_str(&format!("\n===== {name}\n{text}\n"));
    }
    out
}

fn fixture_plan(f: &common::Fixture) -> ResolverPlan {
    let (sources, config, mut diagnostics) = common::load(f);
    let (n, ds) = amplify_gql::analyse(&sources, &config);
    diagnostics.extend(ds.iter().cloned());
    assert!(
        !diagnostics.has_errors(),
        "{}",
        amplify_gql::render_diagnostics(&diagnostics, &sources, false)
    );
    let n = n.unwrap();
    let plan = Plan::new(&n, &config);
    resolvers::build(&plan, &schema::build(&plan))
}

/// A few fixtures that together use every strategy, provider and field-level combination.
const SNAPSHOTTED: &[&str] = &[
    "owner-default",
    "groups-dynamic",
    "identity-pool-rules",
    "field-rules-restrict",
    "global-sandbox",
    "custom-lambda",
    "root-and-plain-field-rules",
    "subscriptions-public-required-field",
    "function-and-http",
];

#[test]
fn snapshots_of_representative_fixtures() {
    snapshot_each(SNAPSHOTTED, |name, plan| {
        (format!("ok__{name}"), render(plan))
    });
}

/// Snapshots `render` of each named ok fixture's plan, under the name `render` gives.
fn snapshot_each(names: &[&str], render: impl Fn(&str, &ResolverPlan) -> (String, String)) {
    let fixtures = common::fixtures("ok");
    for name in names {
        let f = fixtures
            .iter()
            .find(|f| f.name == format!("ok__{name}"))
            .unwrap_or_else(|| panic!("fixture {name} is gone"));
        let (snapshot, text) = render(name, &fixture_plan(f));
        insta::with_settings!({ snapshot_path => "snapshots/resolvers", prepend_module_to_snapshot => false, description => f.rel.clone() }, {
            insta::assert_snapshot!(snapshot, text);
        });
    }
}

#[test]
fn every_ok_fixture_gives_the_same_plan_twice() {
    for f in common::fixtures("ok") {
        let a = fixture_plan(&f);
        let b = fixture_plan(&f);
        assert_eq!(a, b, "{}", f.rel);
        assert!(!a.files.is_empty() || a.resolvers.is_empty(), "{}", f.rel);
        // Every file a function names exists, and every file is used by a function.
        let named: Vec<&String> = a
            .resolvers
            .iter()
            .flat_map(|r| &r.functions)
            .flat_map(|f| [f.request.as_ref(), f.response.as_ref()])
            .flatten()
            .chain(a.invoke_resolvers.iter().flat_map(|r| {
                let mut files = vec![&r.response];
                match &r.target {
                    InvokeTarget::Lambda(fs) => {
                        files.extend(fs.iter().flat_map(|f| [&f.request, &f.response]))
                    }
                    InvokeTarget::Http(h) => {
                        files.push(&h.response);
                        if let HttpRequest::File(f) = &h.request {
                            files.push(f);
                        }
                    }
                }
                files
            }))
            .chain(a.auth_functions.iter().map(|f| &f.request))
            .collect();
        for name in &named {
            assert!(a.files.contains_key(*name), "{}: {name} missing", f.rel);
        }
        for name in a.files.keys() {
            assert!(named.contains(&name), "{}: {name} unused", f.rel);
        }
    }
}

#[test]
fn templates_end_without_a_line_break_and_balance_their_directives() {
    for f in common::fixtures("ok") {
        for (name, text) in &fixture_plan(&f).files {
            // The sync query's key steps are the one kind the reference ends with a line break.
            let sync_key_step = name.starts_with("Query.sync") && name.contains(".preAuth.");
            assert_eq!(text.ends_with('\n'), sync_key_step, "{}: {name}", f.rel);
            // One-line `#if( … ) … #end` statements open and close on the same line.
            let opens = text
                .lines()
                .map(str::trim_start)
                .filter(|t| {
                    (t.starts_with("#if(") || t.starts_with("#foreach(")) && !t.ends_with("#end")
                })
                .count();
            let ends = text.lines().filter(|l| l.trim_start() == "#end").count();
            assert_eq!(opens, ends, "{}: {name}\n{text}", f.rel);
        }
    }
}

#[test]
fn update_owner_check_compares_the_stored_owner_with_the_callers_claims() {
    let plan = plan_of(
        "type Post @model @auth(rules: [{ allow: owner }]) { id: ID! title: String }",
        &Config::default(),
    );
    let t = file(&plan, "Mutation.updatePost.auth.1.res.vtl");
    let user_pools = mode_block(t, "User Pool Authorization");
    // The stored item (read by the request half) is what is compared, not the input.
    assert!(
        user_pools.contains("#set( $ownerEntity0 = $util.defaultIfNull($ctx.result.owner, null) )")
    );
    assert!(!user_pools.contains("$ctx.args.input.owner"));
    // The caller: `sub::username`, or either part alone.
    assert!(user_pools.contains(r#"$ctx.identity.claims.get("sub")"#));
    assert!(user_pools.contains(r#"$ctx.identity.claims.get("cognito:username")"#));
    assert!(user_pools.contains(r#"#set( $ownerClaim0 = "$ownerClaim0::$currentClaim1" )"#));
    assert!(user_pools.contains(
        "#if( $ownerEntity0 == $ownerClaim0 || $ownerClaimsList0.contains($ownerEntity0) )"
    ));
    // The request half reads the item by key on the model's table.
    let read = file(&plan, "Mutation.updatePost.auth.1.req.vtl");
    assert!(read.contains(r#""operation": "GetItem""#));
    let update = plan
        .resolvers
        .iter()
        .find(|r| r.field_name == "updatePost")
        .unwrap();
    let auth = update
        .functions
        .iter()
        .find(|f| f.slot == Some((Slot::Auth, 0)))
        .unwrap();
    assert_eq!(auth.data_source, DataSourceRef::Model("Post".into()));
    // No other mode may update: API key and IAM are refused outright.
    assert!(mode_block(t, "API Key Authorization").contains("$util.unauthorized()"));
    assert!(mode_block(t, "IAM Authorization").contains("$util.unauthorized()"));
}

#[test]
fn api_key_read_only_model_refuses_api_key_writes_and_allows_reads() {
    let plan = plan_of(
        "type Post @model @auth(rules: [{ allow: public, operations: [read] }]) { id: ID! title: String }",
        &auth_config(API_KEY_ONLY),
    );
    for (name, mode) in [
        (
            "Mutation.createPost.auth.1.req.vtl",
            "API Key Authorization",
        ),
        (
            "Mutation.updatePost.auth.1.res.vtl",
            "API Key Authorization",
        ),
        (
            "Mutation.deletePost.auth.1.res.vtl",
            "API Key Authorization",
        ),
    ] {
        let block = mode_block(file(&plan, name), mode);
        assert!(block.contains("$util.unauthorized()"), "{name}:\n{block}");
        assert!(!block.contains("$isAuthorized = true"), "{name}");
    }
    for name in [
        "Query.getPost.auth.1.req.vtl",
        "Query.listPosts.auth.1.req.vtl",
        "Subscription.onCreatePost.auth.1.req.vtl",
    ] {
        let block = mode_block(file(&plan, name), "API Key Authorization");
        assert!(block.contains("#set( $isAuthorized = true )"), "{name}");
    }
    // Only the configured mode has a block.
    assert!(!file(&plan, "Query.getPost.auth.1.req.vtl").contains("User Pool Authorization"));
}

#[test]
fn queries_filter_by_owner_and_the_data_step_applies_the_filter() {
    let plan = plan_of(
        "type Post @model @auth(rules: [{ allow: owner, ownerField: \"author\", identityClaim: \"sub\" }]) { id: ID! author: String }",
        &Config::default(),
    );
    let list_auth = file(&plan, "Query.listPosts.auth.1.req.vtl");
    assert!(list_auth.contains(r#"$util.qr($authFilter.add({"author": { "eq": $role0 }}))"#));
    assert!(list_auth.contains(r#"$util.qr($ctx.stash.put("authFilter", { "or": $authFilter }))"#));
    assert!(list_auth.contains("#if( !$isAuthorized && $util.isNull($ctx.stash.authFilter) )"));
    let list = file(&plan, "Query.listPosts.req.vtl");
    assert!(list.contains("#set( $filter = $ctx.stash.authFilter )"));
    // A get whose record the filter rejects is unauthorised, not "not found".
    let get = file(&plan, "Query.getPost.res.vtl");
    assert!(get.contains("#if( $ctx.result.items.isEmpty() && $ctx.result.scannedCount == 1 )"));
    // A single claim: no read-back resolver for the owner field.
    assert!(!plan.files.contains_key("Post.author.res.vtl"));
}

#[test]
fn create_sets_the_owner_and_field_limited_roles_get_allowed_field_lists() {
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
             title: String
             rating: Int @auth(rules: [{ allow: private, operations: [read, create] }])
           }"#,
        &Config::default(),
    );
    let t = file(&plan, "Mutation.createPost.auth.1.req.vtl");
    // The owner may create every field but `rating`.
    assert!(
        t.contains(r#"#set( $ownerAllowedFields0 = ["title"] )"#),
        "{t}"
    );
    assert!(t.contains("#set( $isAuthorizedOnAllFields0 = false )"));
    assert!(t.contains(r#"$util.qr($ctx.args.input.put("owner", $ownerClaim0))"#));
    // A private user may only set `rating`.
    assert!(t.contains(r#"$util.qr($allowedFields.addAll(["rating"]))"#));
    assert!(t.contains(r#"$util.error("Unauthorized on ${deniedFields}", "Unauthorized")"#));
    // API key users read posts but not `rating`: the field has its own read check, and is
    // kept out of mutation results (subscriptions are on).
    let field = file(&plan, "Post.rating.req.vtl");
    assert!(field.contains("## [Start] Field Authorization Steps. **"));
    assert!(!mode_block(field, "API Key Authorization").contains("$isAuthorized = true"));
    assert!(mode_block(field, "User Pool Authorization").contains("#set( $isAuthorized = true )"));
    let res = file(&plan, "Post.rating.res.vtl");
    assert!(res.contains(r#"#if( $operation == "Mutation" )"#));
}

#[test]
fn delete_needs_delete_on_every_field() {
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Editors"] }]) {
             id: ID!
             title: String @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Editors"], operations: [read, update] }])
           }"#,
        &Config::default(),
    );
    let t = file(&plan, "Mutation.deletePost.auth.1.res.vtl");
    // Editors lost delete on `title`, so they cannot delete at all.
    assert!(!t.contains("Editors"), "{t}");
    assert!(t.contains("$ctx.result.owner"));
    let update = file(&plan, "Mutation.updatePost.auth.1.res.vtl");
    assert!(update.contains(r#""entity":"Editors""#));
}

#[test]
fn iam_rules_check_the_role_arns_and_admin_roles_pass() {
    let config = Config {
        admin_roles: vec!["adminFn-dev".into()],
        identity_pool_id: Some("us-east-1:pool".into()),
        ..Config::default()
    };
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: private, provider: identityPool }, { allow: public, provider: identityPool, operations: [read] }]) { id: ID! }"#,
        &config,
    );
    let get = mode_block(
        file(&plan, "Query.getPost.auth.1.req.vtl"),
        "IAM Authorization",
    );
    assert!(get.contains("#foreach( $adminRole in $ctx.stash.adminRoles )"));
    assert!(get.contains("#return($util.toJson({}))"));
    assert!(get.contains("$ctx.identity.userArn == $ctx.stash.unauthRole"));
    assert!(get.contains(r#"$ctx.identity.cognitoIdentityAuthType == "authenticated""#));
    let create = mode_block(
        file(&plan, "Mutation.createPost.auth.1.req.vtl"),
        "IAM Authorization",
    );
    assert!(create.contains("#if( ($ctx.identity.userArn == $ctx.stash.authRole) || "));
    assert!(
        !create.contains("== $ctx.stash.unauthRole"),
        "public IAM may not create:\n{create}"
    );
}

#[test]
fn models_without_auth_are_denied_unless_sandbox_and_api_key() {
    let denied = plan_of("type Todo @model { id: ID! }", &Config::default());
    let post = file(&denied, "Query.getTodo.postAuth.1.req.vtl");
    assert!(post.contains("## [Start] Sandbox Mode Disabled, IAM Access Disabled. **"));
    assert!(post.contains("#if( !$ctx.stash.get(\"hasAuth\") )\n  $util.unauthorized()\n#end"));
    assert!(!denied.files.contains_key("Query.getTodo.auth.1.req.vtl"));
    let sandbox = plan_of(
        "input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\ntype Todo @model { id: ID! }",
        &Config::default(),
    );
    let post = file(&sandbox, "Query.getTodo.postAuth.1.req.vtl");
    assert!(post.contains(r#"#if( $util.authType() == "API Key Authorization" )"#));
    assert!(post.contains("#return($util.toJson({}))"));
}

#[test]
fn subscriptions_filter_events_by_owner_and_level_public_has_no_auth() {
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: owner }]) { id: ID! }
           type Note @model(subscriptions: { level: public }) @auth(rules: [{ allow: owner }]) { id: ID! }"#,
        &Config::default(),
    );
    let t = file(&plan, "Subscription.onCreatePost.auth.1.req.vtl");
    assert!(t.contains(
        r#"$util.qr($authOwnerRuntimeFilter.add({ "owner": { "eq": $currentClaim1 } }))"#
    ));
    assert!(t.contains("#set( $ownerEntity0 = $util.defaultIfNull($ctx.args.owner, null) )"));
    assert!(
        file(&plan, "Subscription.onCreatePost.res.vtl")
            .contains("$extensions.setSubscriptionFilter")
    );
    let note = plan
        .resolvers
        .iter()
        .find(|r| r.field_name == "onCreateNote")
        .unwrap();
    assert_eq!(note.kind, ResolverKind::Subscription);
    assert_eq!(note.functions.len(), 1, "only the data function");
    assert!(note.functions[0].slot.is_none());
}

#[test]
fn owner_read_back_only_with_a_multi_part_claim_and_the_flag() {
    let schema = "type Post @model @auth(rules: [{ allow: owner }]) { id: ID! }";
    let plan = plan_of(schema, &Config::default());
    let res = file(&plan, "Post.owner.res.vtl");
    assert!(res.contains(r#"#set( $ownerEntities = $ctx.source.owner.split("::") )"#));
    assert_eq!(
        file(&plan, "Post.owner.req.vtl"),
        r#"$util.toJson({"version":"2018-05-29","payload":{}})"#
    );
    let (flags, _) = FeatureFlags::from_json_text(
        r#"{"usesubusernamefordefaultidentityclaim": false}"#,
        "flags.json",
    );
    let legacy = plan_of(
        schema,
        &Config {
            flags,
            ..Config::default()
        },
    );
    assert!(!legacy.files.contains_key("Post.owner.res.vtl"));
}

#[test]
fn model_arguments_rename_and_remove_operations() {
    let plan = plan_of(
        r#"type Post @model(queries: { get: "fetchPost" }, mutations: { create: "addPost" }, subscriptions: null, timestamps: { createdAt: "made" })
             @auth(rules: [{ allow: owner }]) { id: ID! }"#,
        &Config::default(),
    );
    let fields: Vec<String> = plan
        .resolvers
        .iter()
        .map(|r| format!("{}.{}", r.type_name, r.field_name))
        .collect();
    assert_eq!(
        fields,
        ["Query.fetchPost", "Mutation.addPost", "Post.owner"]
    );
    let init = file(&plan, "Mutation.addPost.init.1.req.vtl");
    assert!(init.contains(r#"$util.qr($ctx.stash.defaultValues.put("made", $createdAt))"#));
    assert!(
        !init.contains("updatedAt"),
        "a given timestamps map replaces the defaults"
    );
}

#[test]
fn root_fields_keep_only_static_rules() {
    let plan = plan_of(
        r#"type Query { stats: String @auth(rules: [{ allow: groups, groups: ["Admin"] }, { allow: owner }]) }"#,
        &Config::default(),
    );
    let t = file(&plan, "Query.stats.req.vtl");
    assert!(
        t.contains(r#"#set( $staticGroupRoles = [{"claim":"cognito:groups","entity":"Admin"}] )"#)
    );
    assert!(!t.contains("owner"));
    let r = &plan.resolvers[0];
    assert_eq!(r.kind, ResolverKind::CustomRoot);
    assert_eq!(r.model, None);
    assert_eq!(
        file(&plan, "Query.stats.res.vtl"),
        "## [Start] Return Source Field. **\n$util.toJson($context.source[\"stats\"])\n## [End] Return Source Field. **"
    );
}

#[test]
fn a_null_group_is_compared_as_json_null_not_as_the_text_null() {
    let plan = plan_of(
        r#"type Board @model @auth(rules: [{ allow: groups, groups: ["Admin", null] }, { allow: private }]) {
          id: ID!
          secret: String @auth(rules: [{ allow: groups, groups: [null] }])
        }
        type Query { hello: String @auth(rules: [{ allow: groups, groups: [null] }]) }"#,
        &Config::default(),
    );
    let null_group = r#"{"claim":"cognito:groups","entity":null"#;
    for name in [
        "Query.getBoard.auth.1.req.vtl",
        "Mutation.createBoard.auth.1.req.vtl",
        "Mutation.updateBoard.auth.1.res.vtl",
        "Mutation.deleteBoard.auth.1.res.vtl",
        "Subscription.onCreateBoard.auth.1.req.vtl",
        "Board.secret.req.vtl",
        "Query.hello.req.vtl",
    ] {
        let t = file(&plan, name);
        assert!(t.contains(null_group), "{name}:\n{t}");
        assert!(!t.contains(r#""entity":"null""#), "{name}:\n{t}");
    }
    assert!(file(&plan, "Query.getBoard.auth.1.req.vtl").contains(r#""entity":"Admin""#));
}

#[test]
fn primary_keys_set_the_item_key_and_owner_sort_keys_become_key_conditions() {
    let (flags, _) = FeatureFlags::from_json_text(
        r#"{"usesubusernamefordefaultidentityclaim": false}"#,
        "flags.json",
    );
    let config = Config {
        flags,
        ..Config::default()
    };
    let plan = plan_of(
        r#"type Entry @model @auth(rules: [{ allow: owner }]) {
             id: ID! @primaryKey(sortKeyFields: ["owner"])
             owner: String!
           }"#,
        &config,
    );
    let get = plan
        .resolvers
        .iter()
        .find(|r| r.field_name == "getEntry")
        .unwrap();
    let slots: Vec<_> = get.functions.iter().map(|f| f.slot).collect();
    assert_eq!(
        slots,
        [
            Some((Slot::PreAuth, 0)),
            Some((Slot::Auth, 0)),
            Some((Slot::PostAuth, 0)),
            None
        ]
    );
    let key = file(&plan, "Query.getEntry.preAuth.1.req.vtl");
    assert!(key.contains(r#""owner": $util.dynamodb.toDynamoDB($ctx.args.owner)"#));
    let list = file(&plan, "Query.listEntries.preAuth.1.req.vtl");
    assert!(list.contains(r##"#set( $modelQueryExpression.expression = "#id = :id" )"##));
    // The owner is part of the key: the list check puts the caller into the key condition
    // instead of filtering.
    let auth = file(&plan, "Query.listEntries.auth.1.req.vtl");
    assert!(auth.contains(r#"$util.qr($primaryFieldMap.put("owner", $ownerClaim))"#));
    assert!(auth.contains("#set( $modelQueryExpression = $ctx.stash.modelQueryExpression )"));
    assert!(!auth.contains(r#"$authFilter.add({"owner""#));
    let create = file(&plan, "Mutation.createEntry.preAuth.1.req.vtl");
    assert!(create.contains(r#""id": $util.dynamodb.toDynamoDB($mergedValues.id)"#));
    // A declared `id: ID!` key still gets a generated default (the input may override it).
    assert!(file(&plan, "Mutation.createEntry.init.1.req.vtl").contains("$util.autoId()"));
}

#[test]
fn index_queries_check_the_list_roles_on_the_index_key() {
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: owner }, { allow: private, operations: [get] }]) {
             id: ID!
             status: String! @index(name: "byStatus", queryField: "postsByStatus", sortKeyFields: ["owner"])
             owner: String
           }"#,
        &Config::default(),
    );
    let r = plan
        .resolvers
        .iter()
        .find(|r| r.field_name == "postsByStatus")
        .unwrap();
    assert_eq!(r.kind, ResolverKind::Query);
    let names: Vec<_> = r
        .functions
        .iter()
        .map(|f| f.request.as_deref().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Query.postsByStatus.auth.1.req.vtl",
            "Query.postsByStatus.postAuth.1.res.vtl",
            "Query.postsByStatus.req.vtl"
        ]
    );
    // Private users may only get: they pass get's check outright, not the index query's.
    let private_first =
        "#if( $util.authType() == \"User Pool Authorization\" )\n  #set( $isAuthorized = true )";
    let auth = file(&plan, "Query.postsByStatus.auth.1.req.vtl");
    assert!(!auth.contains(private_first));
    assert!(file(&plan, "Query.getPost.auth.1.req.vtl").contains(private_first));
    // The owner sort key of the index is injected as `eq` when the caller gives none.
    assert!(auth.contains(r#"#set( $sortKeyFields = ["owner"] )"#));
    let data = file(&plan, "Query.postsByStatus.req.vtl");
    assert!(data.contains(r#""index": "byStatus""#));
}

/// The fixtures with relations, whose relational field resolvers are snapshotted.
const RELATIONAL: &[&str] = &[
    "relations-and-keys",
    "rel-composite-keys",
    "rel-composite-sort-keys",
    "rel-connection-field-ids",
    "rel-explicit-fields",
    "rel-implicit-and-indexes",
    "rel-many-to-many-auth",
    "rel-references",
    "required-relations",
    "rel-field-rules",
    "rel-field-rules-inherit-auth",
    "rel-key-owner-and-iam",
    "rel-subscriptions-off",
    "rel-sandbox-unprotected-related",
    "rel-related-owner-key",
];

/// The relational field resolvers of a plan, in order, with their templates: the auth step
/// (when the parent has rules), then the data step.
fn render_relational(plan: &ResolverPlan) -> String {
    let mut out = String::new();
    for r in plan
        .resolvers
        .iter()
        .filter(|r| r.kind == ResolverKind::Relational)
    {
        out.push_str(&format!(
            "# {}.{} (stash {:?})\n",
            r.type_name, r.field_name, r.data_source
        ));
        for f in &r.functions {
            if f.slot.is_none() {
                assert_eq!(
                    f.data_source, r.data_source,
                    "{}.{}",
                    r.type_name, r.field_name
                );
            }
            for name in [&f.request, &f.response].into_iter().flatten() {
                out.push_str(&format!("===== {name}\n{}\n", plan.files[name]));
            }
        }
    }
    out
}

#[test]
fn snapshots_of_relational_field_resolvers() {
    snapshot_each(RELATIONAL, |name, plan| {
        (format!("relational__{name}"), render_relational(plan))
    });
}

#[test]
fn relational_fields_read_the_related_table_with_the_parents_key() {
    let plan = plan_of(
        "type Blog @model { id: ID! posts: [Post] @hasMany }\n\
         type Post @model { id: ID! blog: Blog @belongsTo }",
        &Config::default(),
    );
    let order: Vec<String> = plan
        .resolvers
        .iter()
        .filter(|r| r.kind == ResolverKind::Relational)
        .map(|r| format!("{}.{}", r.type_name, r.field_name))
        .collect();
    assert_eq!(order, ["Blog.posts", "Post.blog"]);
    let posts = plan
        .resolvers
        .iter()
        .find(|r| r.field_name == "posts")
        .unwrap();
    // In the connection stack, with the related table in the stash.
    assert_eq!(posts.model, None);
    assert_eq!(posts.data_source, DataSourceRef::Model("Post".into()));
    // A page of posts from the index on the key the blog gave them.
    let req = file(&plan, "Blog.posts.req.vtl");
    assert!(req.contains(r#"$ctx.stash.connectionAttributes.get("id"), $ctx.source.id"#));
    assert!(req.contains(r##""#partitionKey": "blogPostsId""##));
    assert!(req.contains(r#""index": "gsi-Blog.posts""#));
    assert!(req.contains("$util.defaultIfNull($context.args.limit, 100)"));
    // The blog of a post, by its key; nothing to read when the post has none.
    let req = file(&plan, "Post.blog.req.vtl");
    assert!(req.contains(r#"$ctx.stash.connectionAttibutes.get("blogPostsId")"#));
    assert!(req.contains("#if( $util.isNull($partitionKeyValue) )\n  #return"));
    let res = file(&plan, "Post.blog.res.vtl");
    assert!(res.contains("$util.unauthorized()"));
}

/// The auth function of a relational field's pipeline.
fn relation_auth<'a>(
    plan: &'a ResolverPlan,
    type_name: &str,
    field: &str,
) -> &'a resolvers::Function {
    let resolver = plan
        .resolvers
        .iter()
        .find(|r| r.type_name == type_name && r.field_name == field)
        .unwrap_or_else(|| panic!("no resolver for {type_name}.{field}"));
    assert_eq!(resolver.kind, ResolverKind::Relational);
    resolver
        .functions
        .iter()
        .find(|f| f.slot == Some((Slot::Auth, 0)))
        .expect("an auth function")
}

#[test]
fn relational_fields_apply_the_related_models_read_rules() {
    let plan = plan_of(
        r#"type Blog @model @auth(rules: [{ allow: public, operations: [read] }, { allow: owner }]) {
             id: ID! posts: [Post] @hasMany }
           type Post @model @auth(rules: [{ allow: owner }]) {
             id: ID! title: String blog: Blog @belongsTo }"#,
        &Config::default(),
    );
    // Blog.posts: the caller must own the posts, whoever may read the blog.
    let posts = relation_auth(&plan, "Blog", "posts");
    let t = file(&plan, posts.request.as_deref().unwrap());
    assert!(!mode_block(t, "API Key Authorization").contains("#set( $isAuthorized = true )"));
    let user_pools = mode_block(t, "User Pool Authorization");
    assert!(user_pools.contains(r#"$util.qr($authFilter.add({"owner": { "eq": $role0_0 }}))"#));
    assert!(
        user_pools.contains(r#"$util.qr($ctx.stash.put("authFilter", { "or": $authFilter }))"#)
    );
    // Post.blog: the blog is public to read, so an API key may follow the link.
    let blog = relation_auth(&plan, "Post", "blog");
    let t = file(&plan, blog.request.as_deref().unwrap());
    assert!(mode_block(t, "API Key Authorization").contains("#set( $isAuthorized = true )"));
    // Both hide the related data from subscribers of a mutation unless they are the same
    // readers (the owner may read posts but not every reader of the blog may).
    assert!(t.starts_with("## [Start] Check if subscriptions is protected. **"));
}

#[test]
fn a_field_rule_on_a_relational_field_checks_the_parent_then_the_related_model() {
    let plan = plan_of(
        r#"type Post @model @auth(rules: [{ allow: owner }, { allow: groups, groups: ["Admin"] }]) {
             id: ID! meta: Meta @hasOne @auth(rules: [{ allow: groups, groups: ["Admin"] }]) }
           type Meta @model @auth(rules: [{ allow: groups, groups: ["Admin"] }]) { id: ID! text: String }"#,
        &Config::default(),
    );
    let f = relation_auth(&plan, "Post", "meta");
    // The request half is the parent's field check: only Admin, against the parent object.
    let parent_check = file(&plan, f.request.as_deref().unwrap());
    assert_eq!(f.request.as_deref(), Some("Post.meta.auth.1.req.vtl"));
    assert!(parent_check.contains("Field Authorization Steps"));
    assert!(parent_check.contains(r#""entity":"Admin""#));
    assert!(!parent_check.contains("ownerClaim"));
    // The response half is the related model's read check, denied under a mutation result.
    let related_check = file(&plan, f.response.as_deref().unwrap());
    assert_eq!(f.response.as_deref(), Some("Post.meta.auth.1.res.vtl"));
    assert!(related_check.contains(r#"$util.qr($ctx.stash.put("deniedField", true))"#));
    assert!(related_check.contains("## [Start] Authorization Steps. **"));
}

#[test]
fn a_related_model_without_rules_cannot_be_read_through_a_relation() {
    let schema = r#"type Post @model @auth(rules: [{ allow: public }]) { id: ID! meta: Meta @hasOne }
                    type Meta @model { id: ID! text: String }"#;
    let plan = plan_of(schema, &auth_config(API_KEY_ONLY));
    let f = relation_auth(&plan, "Post", "meta");
    let t = file(&plan, f.request.as_deref().unwrap());
    assert!(t.contains("Sandbox Mode Disabled"));
    assert!(t.contains("$util.unauthorized()"));
    assert!(!t.contains("isAuthorized"));
    // With the global sandbox rule, API-key callers get through.
    let sandboxed =
        format!("input AMPLIFY {{ globalAuthRule: AuthRule = {{ allow: public }} }}\n{schema}");
    let plan = plan_of(&sandboxed, &auth_config(API_KEY_ONLY));
    let f = relation_auth(&plan, "Post", "meta");
    let t = file(&plan, f.request.as_deref().unwrap());
    assert!(t.contains(r#"#if( $util.authType() == "API Key Authorization" )"#));
    assert!(t.contains("#return($util.toJson({}))"));
}

#[test]
fn an_owner_key_of_the_related_model_is_compared_with_the_parents_value() {
    let plan = plan_of(
        r#"type Team @model @auth(rules: [{ allow: private }]) {
             id: ID! profile: Profile @hasOne(fields: ["profileOwner"]) profileOwner: String }
           type Profile @model @auth(rules: [{ allow: owner, ownerField: "owner", identityClaim: "sub" }]) {
             owner: String! @primaryKey name: String }"#,
        &Config::default(),
    );
    let f = relation_auth(&plan, "Team", "profile");
    let t = file(&plan, f.request.as_deref().unwrap());
    let user_pools = mode_block(t, "User Pool Authorization");
    // The parent's `profileOwner` must be the caller's `sub`; no filter on a key field.
    assert!(user_pools.contains("$ctx.source.profileOwner == $primaryRole0"));
    assert!(user_pools.contains(
        r#"$util.qr($ctx.stash.connectionAttributes.put("profileOwner", $primaryRole0))"#
    ));
    assert!(!user_pools.contains("authFilter.add"));
}

/// Under DataStore a model with custom keys gets preAuth steps on its sync query that map the
/// filter's key fields to an index: one step for the `@index`es, then one for `@primaryKey`.
#[test]
fn sync_queries_of_keyed_models_prepare_a_key_query() {
    let f = common::fixtures("ok")
        .into_iter()
        .find(|f| f.name == "ok__datastore-keys")
        .expect("fixture datastore-keys");
    let plan = fixture_plan(&f);
    let pre_auth = |field: &str| -> Vec<&str> {
        let r = plan
            .resolvers
            .iter()
            .find(|r| r.type_name == "Query" && r.field_name == field)
            .unwrap_or_else(|| panic!("no Query.{field}"));
        r.functions
            .iter()
            .filter(|f| f.slot.is_some_and(|(s, _)| s == Slot::PreAuth))
            .map(|f| file(&plan, f.request.as_deref().unwrap()))
            .collect()
    };
    // @index and @primaryKey: the indexes' step first.
    let shop = pre_auth("syncShops");
    assert_eq!(shop.len(), 2);
    assert!(shop[0].contains("$util.qr($QueryMap.put('name' , 'byName'))"));
    assert!(shop[0].contains("$util.qr($SkMap.put(\"byName\", []))"));
    assert!(shop[1].contains("$util.qr($QueryMap.put('region+code' , 'dbTable'))"));
    assert!(shop[1].contains("$util.qr($SkMap.put(\"dbTable\", [\"code\"]))"));
    // Several indexes share one step, in field order; composite sort keys stay separate fields.
    let item = pre_auth("syncItems");
    assert_eq!(item.len(), 1);
    let by_shop = item[0].find("'shopRegion+shopCode' , 'byShop'").unwrap();
    let by_label = item[0].find("'label+size+colour' , 'byLabel'").unwrap();
    assert!(by_shop < by_label);
    // The @manyToMany join model's two indexes.
    let join = pre_auth("syncItemTags");
    assert!(join[0].contains("$util.qr($PkMap.put('itemId' , 'byItem'))"));
    assert!(join[0].contains("$util.qr($PkMap.put('tagSlug' , 'byTag'))"));
    // A later step returns early when an earlier one prepared the query, and every step hands
    // the data step a keyed Sync through the stash only when a partition key was matched.
    for t in shop.iter().chain(&item) {
        assert!(t.contains("#if( $ctx.stash.QueryRequest )\n  #return\n#end"));
        assert!(t.contains("#if( !$scan )"));
        assert!(t.contains("\"operation\": \"Sync\""));
        assert!(t.contains("#set( $ctx.stash.QueryRequest.index = $index )"));
    }
    // A model keyed by `id` alone has no such step.
    let f = common::fixtures("ok")
        .into_iter()
        .find(|f| f.name == "ok__datastore-automerge")
        .expect("fixture datastore-automerge");
    let plain = fixture_plan(&f);
    assert!(!plain.files.keys().any(|k| k.contains("preAuth")));
}
