//! The CloudFormation stacks: CDK's logical ids, determinism, function de-duplication and
//! cross-stack references with a hand-made resolver plan, and snapshots of the stacks of a few
//! fixtures (their layout, and whole root templates).

mod common;

use amplify_gql::config::Config;
use amplify_gql::emit;
use amplify_gql::normalise::Normalised;
use amplify_gql::plan::Plan;
use amplify_gql::project::StackSettings;
use amplify_gql::resolvers::{DataSourceRef, Function, Resolver, ResolverKind, ResolverPlan, Slot};
use amplify_gql::source::SourceMap;
use amplify_gql::stacks::{self, cdk};
use serde_json::Value as Json;

/// A template as the build writes it, read back as JSON.
fn rendered(text: &str) -> Json {
    serde_json::from_str(text).expect("a rendered template is JSON")
}

#[test]
fn cdk_unique_ids_from_the_spec() {
    for (path, id) in [
        (&["PostIAMRole", "Resource"][..], "PostIAMRole83BF708F"),
        (
            &["GraphQLAPI", "NONE_DS", "Resource"],
            "GraphQLAPINONEDS95A13CF0",
        ),
        (
            &["GraphQLAPI", "TransformerSchema"],
            "GraphQLAPITransformerSchema3CB2AE18",
        ),
        (
            &["GraphQLAPI", "DefaultApiKey"],
            "GraphQLAPIDefaultApiKey215A6DD7",
        ),
        (
            &["AuthRolePolicy01", "Resource"],
            "AuthRolePolicy01921FC820",
        ),
        (
            &["UnauthRolePolicy01", "Resource"],
            "UnauthRolePolicy019D4A6CE4",
        ),
        (
            &["PostIAMRole", "DefaultPolicy", "Resource"],
            "PostIAMRoleDefaultPolicy04190CA0",
        ),
        (
            &["transformer-root-stack", "GraphQLAPI", "Resource"],
            "transformerrootstackGraphQLAPI20497F53",
        ),
        (
            &["transformer-root-stack", "S3DeploymentBucket"],
            "transformerrootstackS3DeploymentBucket7592718A",
        ),
        (
            &["transformer-root-stack", "Post", "PostTable", "Resource"],
            "transformerrootstackPostPostTable34CAE87B",
        ),
        (
            &[
                "QuerygetPostauth0Function",
                "QuerygetPostauth0Function.AppSyncFunction",
            ],
            "QuerygetPostauth0FunctionQuerygetPostauth0FunctionAppSyncFunctionB1D588DF",
        ),
        (&["GraphQLAPI"], "GraphQLAPI"),
        (&["my_typeTable", "Resource"], "mytypeTable80A03854"),
    ] {
        assert_eq!(cdk::unique_id(path), id, "{path:?}");
    }
    assert_eq!(cdk::resource_name("my_type"), "mytypeedbc");
    assert_eq!(
        cdk::iam_role_name_prefix("PostIAMRole"),
        "PostIAMRolebbce9b"
    );
}

fn analyse(schema: &str) -> Normalised {
    let sources = SourceMap::from_text("schema.graphql", schema);
    let (n, ds) = amplify_gql::analyse(&sources, &Config::default());
    assert!(!ds.has_errors(), "{ds:?}");
    n.unwrap()
}

/// Two models whose `get` resolvers share one function (same data source and template).
fn shared_plan() -> ResolverPlan {
    let resolver = |model: &str| {
        let field = format!("get{model}");
        Resolver {
            type_name: "Query".into(),
            field_name: field.clone(),
            kind: ResolverKind::Query,
            model: Some(model.into()),
            data_source: DataSourceRef::Model(model.into()),
            functions: vec![
                Function {
                    slot: Some((Slot::PostAuth, 0)),
                    data_source: DataSourceRef::None,
                    request: Some(format!("Query.{field}.postAuth.1.req.vtl")),
                    response: None,
                },
                Function {
                    slot: None,
                    data_source: DataSourceRef::Model(model.into()),
                    request: Some(format!("Query.{field}.req.vtl")),
                    response: Some(format!("Query.{field}.res.vtl")),
                },
            ],
        }
    };
    let mut plan = ResolverPlan::default();
    plan.resolvers = vec![resolver("A"), resolver("B")];
    for m in ["A", "B"] {
        plan.add_file(&format!("Query.get{m}.postAuth.1.req.vtl"), "## same");
        plan.add_file(&format!("Query.get{m}.req.vtl"), &format!("## get {m}"));
        plan.add_file(&format!("Query.get{m}.res.vtl"), "## res");
    }
    plan
}

const TWO_MODELS: &str = "type A @model(mutations: null, subscriptions: null, queries: { get: \"getA\" }) { id: ID! }\ntype B @model(mutations: null, subscriptions: null, queries: { get: \"getB\" }) { id: ID! }\n";

#[test]
fn functions_are_shared_across_stacks_through_outputs_and_parameters() {
    let n = analyse(TWO_MODELS);
    let config = Config::default();
    let built = stacks::build(
        &Plan::new(&n, &config),
        &shared_plan(),
        &StackSettings::default(),
    )
    .unwrap();
    let nested: std::collections::HashMap<&str, Json> = built
        .nested()
        .map(|(name, stack)| (name, rendered(&emit::cfn::nested_template(stack))))
        .collect();
    let root = rendered(&emit::cfn::root_template(&built.root));
    let stack = |name: &str| &nested[name];
    let fid = cdk::unique_id(&[
        "QuerygetApostAuth0Function",
        "QuerygetApostAuth0Function.AppSyncFunction",
    ]);
    // A creates the function and exports it.
    assert!(stack("A")["Resources"].get(&fid).is_some());
    let output = format!(
        "{}FunctionId",
        cdk::unique_id(&[
            "transformer-root-stack",
            "A",
            "QuerygetApostAuth0Function",
            "QuerygetApostAuth0Function.AppSyncFunction"
        ])
    );
    assert_eq!(
        stack("A")["Outputs"][&output]["Value"],
        serde_json::json!({"Fn::GetAtt": [fid, "FunctionId"]})
    );
    // B has no function of its own for it: a parameter fed by the root from A's output.
    assert!(
        stack("B")["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("postAuth"))
    );
    let param = format!(
        "referenceto{}Outputs{output}",
        cdk::unique_id(&[
            "transformer-root-stack",
            "A.NestedStack",
            "A.NestedStackResource"
        ])
    );
    assert_eq!(
        stack("B")["Parameters"][&param],
        serde_json::json!({"Type": "String"})
    );
    assert_eq!(
        stack("B")["Resources"]["GetBResolver"]["Properties"]["PipelineConfig"]["Functions"][0],
        serde_json::json!({"Ref": param})
    );
    assert_eq!(
        root["Resources"]["B"]["Properties"]["Parameters"][&param],
        serde_json::json!({"Fn::GetAtt": ["A", format!("Outputs.{output}")]})
    );
    // Root values reach the nested stacks as parameters too.
    assert_eq!(
        root["Resources"]["A"]["Properties"]["Parameters"]["referencetotransformerrootstackGraphQLAPI20497F53ApiId"],
        serde_json::json!({"Fn::GetAtt": ["GraphQLAPI", "ApiId"]})
    );
    assert_eq!(
        root["Resources"]["B"]["DependsOn"],
        serde_json::json!(["GraphQLAPITransformerSchema3CB2AE18"])
    );
}

#[test]
fn without_deduplication_each_resolver_has_its_functions() {
    let n = analyse(TWO_MODELS);
    let settings = StackSettings {
        disable_resolver_deduping: true,
        ..Default::default()
    };
    let config = Config::default();
    let built = stacks::build(&Plan::new(&n, &config), &shared_plan(), &settings).unwrap();
    for (name, stack) in built.nested() {
        let template = rendered(&emit::cfn::nested_template(stack));
        let functions = template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::AppSync::FunctionConfiguration")
            .count();
        assert_eq!(functions, 2, "{name}");
        assert!(template.get("Outputs").unwrap().as_object().unwrap().len() == 3);
    }
}

#[test]
fn stacks_are_deterministic() {
    for f in common::fixtures("ok") {
        let a = common::compile(&f);
        let b = common::compile(&f);
        assert_eq!(a, b, "{}", f.rel);
        assert!(a.get("cloudformation-template.json").is_some(), "{}", f.rel);
    }
}

/// A schema of `n` models, with owner and public rules, a field-level rule on every third
/// model and every fourth one with many of the next (relations go to the ConnectionStack).
fn many_models(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let rules = match i % 3 {
            0 => "{ allow: owner }, { allow: public, operations: [read] }",
            1 => "{ allow: private }",
            _ => "{ allow: groups, groups: [\"Admin\"] }, { allow: owner, ownerField: \"editor\" }",
        };
        out.push_str(&format!(
            "type M{i:03} @model @auth(rules: [{rules}]) {{\n  id: ID!\n  name: String\n"
        ));
        if i % 3 == 0 {
            out.push_str("  secret: String @auth(rules: [{ allow: owner }])\n");
        }
        if i % 4 == 0 && i + 1 < n {
            out.push_str(&format!("  next: [M{:03}] @hasMany\n", i + 1));
        }
        if i % 4 == 1 {
            out.push_str(&format!(
                "  m{:03}NextId: ID @index(name: \"byPrevious\")\n",
                i - 1
            ));
        }
        out.push_str("}\n\n");
    }
    out
}

#[test]
fn a_build_on_every_core_is_the_build_of_one_thread() {
    // Enough models for several parallel batches of model operations and of pipelines.
    let n = analyse(&many_models(90));
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| amplify_gql::compile(&n, &Config::default()))
    };
    let one = on(1);
    assert!(one.files.len() > 3000, "{}", one.files.len());
    assert_eq!(one, on(4));
}

/// Parameters, conditions, resources (type and `DependsOn`) and outputs of every stack.
fn layout(build: &amplify_gql::output::BuildOutput) -> String {
    let mut out = String::new();
    let files = std::iter::once("cloudformation-template.json".to_string()).chain(
        build
            .files
            .keys()
            .map(|p| p.display().to_string())
            .filter(|p| p.starts_with("stacks/")),
    );
    for file in files {
        let json: Json = serde_json::from_slice(build.get(&file).unwrap()).unwrap();
        out.push_str(&format!("== {file}\n"));
        for (section, body) in json.as_object().unwrap() {
            let Some(entries) = body.as_object() else {
                // `Description`, `AWSTemplateFormatVersion`.
                out.push_str(&format!("{section}: {body}\n"));
                continue;
            };
            out.push_str(&format!("{section}:\n"));
            for (k, v) in entries {
                if section == "Resources" {
                    let deps = v
                        .get("DependsOn")
                        .map(|d| format!(" <- {d}"))
                        .unwrap_or_default();
                    out.push_str(&format!("  {k} {}{deps}\n", v["Type"].as_str().unwrap()));
                } else {
                    out.push_str(&format!("  {k}\n"));
                }
            }
        }
    }
    out
}

fn fixture(name: &str) -> common::Fixture {
    common::fixtures("ok")
        .into_iter()
        .find(|f| f.name == format!("ok__{name}"))
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

#[test]
fn layout_snapshots() {
    for name in [
        "owner-default",
        "smoke-folder",
        "iam-default-api",
        "root-and-plain-field-rules",
        "apikey-only-api",
        "function-and-http",
    ] {
        let build = common::compile(&fixture(name));
        insta::with_settings!({
            snapshot_path => common::root().join("tests/snapshots/stacks"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("layout__{name}"), layout(&build));
        });
    }
}

#[test]
fn root_template_snapshots() {
    for name in ["iam-default-api", "custom-lambda"] {
        let build = common::compile(&fixture(name));
        let root =
            String::from_utf8(build.get("cloudformation-template.json").unwrap().to_vec()).unwrap();
        insta::with_settings!({
            snapshot_path => common::root().join("tests/snapshots/stacks"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("root__{name}"), root);
        });
    }
}

#[test]
fn function_and_http_stack_snapshots() {
    let build = common::compile(&fixture("function-and-http"));
    for stack in ["FunctionDirectiveStack", "HttpStack"] {
        let text =
            String::from_utf8(build.get(format!("stacks/{stack}.json")).unwrap().to_vec()).unwrap();
        insta::with_settings!({
            snapshot_path => common::root().join("tests/snapshots/stacks"),
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(format!("invoke__{stack}"), text);
        });
    }
}

/// The compile prints nested stacks as each is finished and keeps resources' properties as
/// text until then; templates printed from the plain values, after everything is resolved,
/// must be the same bytes. The schema shares functions across model stacks, sends relational
/// resolvers to the ConnectionStack (which exports from stacks finished long before) and has a
/// model no other stack refers to.
#[test]
fn streamed_and_printed_ahead_stacks_equal_the_plain_ones() {
    let schema = r#"
        type Blog @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
          id: ID!
          name: String!
          posts: [Post] @hasMany
        }
        type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
          id: ID!
          title: String! @index(name: "byTitle", queryField: "postsByTitle")
          blog: Blog @belongsTo
          secret: String @auth(rules: [{ allow: owner }])
        }
        type Note @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {
          id: ID!
          body: String
        }
        type Tag @model @auth(rules: [{ allow: private, provider: iam }]) {
          id: ID!
          label: String
        }
    "#;
    let n = analyse(schema);
    let config = Config::default();
    let inputs = amplify_gql::project::BuildInputs::standalone("api", &config, 0, "digest");
    let built = amplify_gql::compile_with(&n, &config, &inputs).expect("compiles");
    let plan = Plan::new(&n, &config);
    let api = amplify_gql::schema::build(&plan);
    let resolvers = amplify_gql::resolvers::build(&plan, &api);
    let plain = stacks::build(&plan, &resolvers, &inputs.stacks).unwrap();
    let file =
        |path: &str| String::from_utf8(built.files[std::path::Path::new(path)].clone()).unwrap();
    assert_eq!(
        file("cloudformation-template.json"),
        emit::cfn::root_template(&plain.root)
    );
    let names: Vec<&str> = plain.nested().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["Blog", "Post", "Note", "Tag", stacks::CONNECTION_STACK]
    );
    for (name, stack) in plain.nested() {
        assert_eq!(
            file(&format!("stacks/{name}.json")),
            emit::cfn::nested_template(stack),
            "stacks/{name}.json"
        );
    }
    // The ConnectionStack reads the Blog and Post data sources through outputs those stacks
    // gained after their own elements were resolved.
    assert!(file("stacks/Post.json").contains("\"Outputs\""));
}
