//! `gql-compile` in an Amplify project, through the built binary: the build folder, `--check`,
//! `--print-config`, user resolvers and stacks, and a failed compile that leaves everything as
//! it was. Each test works on its own copy of `examples/blog-project`.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

mod common;

use common::binary::{read_tree, run_in, run_with_env, write, write_files};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            if e.file_name() != "build" {
                copy_dir(&e.path(), &target);
            }
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A fresh copy of the example project for one test.
fn project(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("project")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/blog-project"),
        &dir,
    );
    dir
}

fn api(dir: &Path) -> PathBuf {
    dir.join("amplify/backend/api/blogapi")
}

fn build(dir: &Path) -> PathBuf {
    api(dir).join("build")
}

fn json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Hidden entries beside the build folder: what a compile's staging would leave behind.
fn staging_leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(api(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// A copy of the example project, compiled once, and its build as it is then.
fn compiled_project(name: &str) -> (PathBuf, std::collections::BTreeMap<String, Vec<u8>>) {
    let dir = project(name);
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let before = read_tree(&build(&dir));
    (dir, before)
}

/// Appends a `Tag` model to the project's schema (a stack and resolvers more, a changed root).
fn add_tag_model(dir: &Path) {
    let schema = api(dir).join("schema.graphql");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &schema,
        format!("{text}\ntype Tag @model @auth(rules: [{{ allow: private }}]) {{\n  id: ID!\n  name: String\n}}\n"),
    )
    .unwrap();
}

#[test]
fn compiles_the_example_project_into_its_build_folder() {
    let dir = project("compile");
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(0);
    assert!(r.stdout.contains("compiled successfully"), "{}", r.stdout);
    let b = build(&dir);
    for f in [
        "schema.graphql",
        "cloudformation-template.json",
        "parameters.json",
        "stacks/Blog.json",
        "stacks/Post.json",
        "stacks/Comment.json",
        "stacks/CustomResources.json",
    ] {
        assert!(b.join(f).is_file(), "{f}");
    }
    assert!(b.join("functions").is_dir(), "functions/ is always created");
    assert!(b.join("resolvers").is_dir());

    let root = json(&b.join("cloudformation-template.json"));
    let resources = root["Resources"].as_object().unwrap();
    assert_eq!(
        resources["GraphQLAPI"]["Properties"]["AuthenticationType"],
        "AMAZON_COGNITO_USER_POOLS"
    );
    // The stored expiry date of cli-inputs.json, not the clock.
    assert_eq!(
        resources["GraphQLAPIDefaultApiKey215A6DD7"]["Properties"]["Expires"],
        1893456000
    );
    assert_eq!(
        resources["GraphQLAPIDefaultApiKey215A6DD7"]["Properties"]["Description"],
        "public read access"
    );
    // The user stack: a nested stack of the root fed with the root's parameters, after the API.
    let custom = &resources["CustomResourcesjson"];
    assert_eq!(custom["Type"], "AWS::CloudFormation::Stack");
    assert_eq!(
        custom["Properties"]["Parameters"]["AppSyncApiId"],
        serde_json::json!({"Fn::GetAtt": ["GraphQLAPI", "ApiId"]})
    );
    let depends: Vec<&str> = custom["DependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        &depends[..2],
        ["GraphQLAPI", "GraphQLAPITransformerSchema3CB2AE18"]
    );
    for model in ["Blog", "Post", "Comment"] {
        assert!(depends.contains(&model), "{depends:?}");
    }
    // Copied as JSON.stringify(_, null, 2) writes it.
    let copied = std::fs::read_to_string(b.join("stacks/CustomResources.json")).unwrap();
    assert!(copied.contains("\"Fn::Equals\": [\n        \"true\",\n        \"false\"\n      ]"));
    assert!(!copied.ends_with('\n'));

    let params = json(&b.join("parameters.json"));
    assert_eq!(params["AppSyncApiName"], "blogapi");
    assert_eq!(
        params["S3DeploymentBucket"],
        "amplify-blogproject-dev-123456-deployment"
    );
    assert!(
        params["S3DeploymentRootKey"]
            .as_str()
            .unwrap()
            .starts_with("amplify-appsync-files/")
    );
    let keys: Vec<&String> = params.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "AppSyncApiName",
            "DynamoDBBillingMode",
            "DynamoDBEnableServerSideEncryption",
            "AuthCognitoUserPoolId",
            "S3DeploymentBucket",
            "S3DeploymentRootKey"
        ]
    );
}

#[test]
fn a_second_compile_is_byte_identical_and_check_passes() {
    let dir = project("twice");
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let first = read_tree(&build(&dir));
    run_in(&dir, &["gql-compile"]).assert_code(0);
    assert_eq!(first, read_tree(&build(&dir)));
    let r = run_in(&dir, &["gql-compile", "--check"]);
    r.assert_code(0);
    assert!(r.stdout.contains("is up to date"), "{}", r.stdout);
}

/// Inode and modification time of every file under `dir`, by relative path.
fn identities(dir: &Path) -> std::collections::BTreeMap<String, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    read_tree(dir)
        .into_keys()
        .map(|rel| {
            let meta = std::fs::metadata(dir.join(&rel)).unwrap();
            let id = (meta.ino(), meta.modified().unwrap());
            (rel, id)
        })
        .collect()
}

#[test]
fn a_recompile_leaves_unchanged_files_alone() {
    let dir = project("unchanged");
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let first = identities(&build(&dir));
    // The same build again writes nothing at all: not even the folder is replaced.
    run_in(&dir, &["gql-compile"]).assert_code(0);
    assert_eq!(first, identities(&build(&dir)));

    // A new model changes the schema, the root stack and adds files; everything else keeps
    // its inode and modification time.
    add_tag_model(&dir);
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let second = identities(&build(&dir));
    let changed: Vec<&String> = second
        .iter()
        .filter(|(rel, id)| first.get(*rel) != Some(id))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        changed.contains(&&"schema.graphql".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&&"stacks/Tag.json".to_string()),
        "{changed:?}"
    );
    assert!(
        !changed
            .iter()
            .any(|rel| rel.starts_with("resolvers/Query.getPost")),
        "{changed:?}"
    );
    let kept = second.len() - changed.len();
    assert!(kept > changed.len(), "{kept} kept, {changed:?} changed");
    assert_eq!(staging_leftovers(&dir), Vec::<String>::new());
}

#[test]
fn a_compile_that_fails_midway_leaves_the_build_as_it_was() {
    let (dir, before) = compiled_project("midway");
    let ids = identities(&build(&dir));
    // The new model changes files written before the override is found to be wrong.
    add_tag_model(&dir);
    write(
        &api(&dir).join("resolvers/Query.getTag.preUpdate.1.req.vtl"),
        "## wrong slot",
    );
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&["error[E0010]"]);
    assert_eq!(before, read_tree(&build(&dir)));
    assert_eq!(ids, identities(&build(&dir)));
    assert_eq!(staging_leftovers(&dir), Vec::<String>::new());
}

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let (dir, before) = compiled_project("check");
    add_tag_model(&dir);
    std::fs::write(build(&dir).join("stale.txt"), "x").unwrap();
    let r = run_in(&dir, &["gql-compile", "--check"]);
    r.assert_code(1);
    for line in [
        "A stacks/Tag.json",
        "M cloudformation-template.json",
        "M schema.graphql",
        "D stale.txt",
    ] {
        assert!(r.stdout.lines().any(|l| l == line), "{line}\n{}", r.stdout);
    }
    let mut expected = before;
    expected.insert("stale.txt".into(), b"x".to_vec());
    assert_eq!(expected, read_tree(&build(&dir)), "--check writes nothing");
}

#[test]
fn check_without_a_build_fails() {
    let dir = project("check-missing");
    let r = run_in(&dir, &["gql-compile", "--check"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("A cloudformation-template.json"),
        "{}",
        r.stdout
    );
    assert!(!build(&dir).exists());
}

#[test]
fn errors_leave_the_build_untouched() {
    let (dir, before) = compiled_project("errors");
    let schema = api(&dir).join("schema.graphql");
    let good = std::fs::read_to_string(&schema).unwrap();

    // A schema error.
    std::fs::write(&schema, good.replace("title: String!", "title String!")).unwrap();
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(1).assert_stderr_has(&["error[E0001]"]);
    assert_eq!(before, read_tree(&build(&dir)));

    // A resolver override that names no resolver, one that names a slot the resolver does not
    // have, and one whose slot is no slot name at all.
    std::fs::write(&schema, &good).unwrap();
    let resolvers = api(&dir).join("resolvers");
    write_files(
        &resolvers,
        &[
            ("Query.getPots.auth.1.req.vtl", "## typo"),
            ("Query.getPost.preUpdate.1.req.vtl", "## wrong slot"),
            ("Query.getPost.bogusSlot.1.req.vtl", "## no such slot"),
        ],
    );
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(1);
    assert_eq!(r.stderr.matches("error[E0010]").count(), 3, "{}", r.stderr);
    r.assert_stderr_has(&[
        "getPost, listPosts",
        "Query.getPost.bogusSlot.1.req.vtl adds to the slot bogusSlot of Query.getPost, which is not a slot name",
        "resolvers/Query.getPost.bogusSlot.1.req.vtl",
    ]);
    assert!(
        r.stderr
            .contains("init, preAuth, auth, postAuth, preDataLoad, postDataLoad, finish"),
        "{}",
        r.stderr
    );
    assert_eq!(before, read_tree(&build(&dir)));
    assert_eq!(staging_leftovers(&dir), Vec::<String>::new());

    // A user stack that is not JSON.
    std::fs::remove_file(resolvers.join("Query.getPots.auth.1.req.vtl")).unwrap();
    std::fs::remove_file(resolvers.join("Query.getPost.preUpdate.1.req.vtl")).unwrap();
    std::fs::remove_file(resolvers.join("Query.getPost.bogusSlot.1.req.vtl")).unwrap();
    write(&api(&dir).join("stacks/Broken.json"), "{ nope");
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(1)
        .assert_stderr_has(&["error[E0008]", "Broken.json"]);
    assert_eq!(before, read_tree(&build(&dir)));
}

#[test]
fn user_resolvers_extend_pipelines_and_replace_files() {
    let dir = project("resolvers");
    let resolvers = api(&dir).join("resolvers");
    write_files(
        &resolvers,
        &[
            ("Query.getPost.preAuth.1.req.vtl", "## before auth\n"),
            ("Query.getPost.res.vtl", "## my response\n"),
        ],
    );
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let b = build(&dir);
    assert_eq!(
        std::fs::read_to_string(b.join("resolvers/Query.getPost.preAuth.1.req.vtl")).unwrap(),
        "## before auth\n"
    );
    assert_eq!(
        std::fs::read_to_string(b.join("resolvers/Query.getPost.res.vtl")).unwrap(),
        "## my response\n"
    );
    assert!(!b.join("resolvers/README.md").exists());
    let post = json(&b.join("stacks/Post.json"));
    let resources = post["Resources"].as_object().unwrap();
    let function = resources
        .values()
        .find(|r| r["Properties"]["Name"] == "QuerygetPostpreAuth0Function")
        .expect("a function for the user slot");
    assert_eq!(
        function["Properties"]["ResponseMappingTemplate"],
        "$util.toJson({})"
    );
    let first = &resources["GetPostResolver"]["Properties"]["PipelineConfig"]["Functions"][0];
    let id = first["Fn::GetAtt"][0].as_str().unwrap();
    assert!(id.starts_with("QuerygetPostpreAuth0Function"), "{id}");
}

#[test]
fn project_settings_reach_the_build() {
    let dir = project("settings");
    let a = api(&dir);
    // No API key when parameters.json says so; a user stack with a parameter of its own.
    let mut params = json(&a.join("parameters.json"));
    params["CreateAPIKey"] = serde_json::json!(0);
    write_files(
        &a,
        &[
            ("parameters.json", &params.to_string()),
            (
                "stacks/Extra.json",
                r#"{"Parameters": {"env": {"Type": "String"}, "Threshold": {"Type": "Number", "Default": 3}}, "Resources": {}}"#,
            ),
            ("functions/handler.zip", "zip"),
        ],
    );
    write(&build(&dir).join("tsconfig.resource.json"), "{}");
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let b = build(&dir);
    let root = json(&b.join("cloudformation-template.json"));
    assert!(
        root["Resources"]
            .as_object()
            .unwrap()
            .values()
            .all(|r| r["Type"] != "AWS::AppSync::ApiKey")
    );
    assert!(root["Outputs"].get("GraphQLAPIKeyOutput").is_none());
    assert_eq!(
        root["Parameters"]["Threshold"],
        serde_json::json!({"Type": "Number", "Default": 3})
    );
    assert_eq!(
        root["Resources"]["Extrajson"]["Properties"]["Parameters"],
        serde_json::json!({"env": {"Ref": "env"}, "Threshold": {"Ref": "Threshold"}})
    );
    assert_eq!(
        std::fs::read(b.join("functions/handler.zip")).unwrap(),
        b"zip"
    );
    assert!(b.join("tsconfig.resource.json").is_file(), "kept");
    assert_eq!(json(&b.join("parameters.json"))["CreateAPIKey"], 0);
}

#[test]
fn print_config_shows_modes_and_flags() {
    let dir = project("print-config");
    let cli = dir.join("amplify/cli.json");
    let mut flags = json(&cli);
    flags["features"]["graphqltransformer"]["nosuchflag"] = serde_json::json!(true);
    flags["features"]["graphqltransformer"]
        .as_object_mut()
        .unwrap()
        .remove("secondarykeyasgsi");
    write(&cli, &flags.to_string());
    write(
        &dir.join("amplify/cli.dev.json"),
        r#"{"features": {"graphqltransformer": {"populateownerfieldforstaticgroupauth": false}}}"#,
    );
    let r = run_in(&dir, &["gql-compile", "--print-config"]);
    r.assert_code(0);
    for line in [
        "api: blogapi",
        "environment: dev",
        "default    AMAZON_COGNITO_USER_POOLS",
        "additional AWS_IAM",
        // Missing from cli.json: the existing-project default.
        "secondarykeyasgsi = false",
        // cli.<env>.json wins over cli.json.
        "populateownerfieldforstaticgroupauth = false",
        "usesubusernamefordefaultidentityclaim = true",
        "user stacks: CustomResources.json",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
    r.assert_stderr_has(&["warning[W0007]", "nosuchflag"]);
    assert!(
        r.stdout.contains("conflict resolution (DataStore): off"),
        "{}",
        r.stdout
    );
    assert!(!build(&dir).exists(), "--print-config writes nothing");
}

#[test]
fn amplifycli_variables_override_the_flag_files_in_the_clis_order() {
    let dir = project("flag-variables");
    // Each layer sets its own flag, and one more that the next layer overrides.
    write_files(
        &dir,
        &[
            (
                "amplify/cli.dev.json",
                r#"{"features": {"graphqltransformer": {"improvepluralization": true, "enableautoindexquerynames": false}}}"#,
            ),
            (
                ".env",
                "AMPLIFYCLI_GRAPHQLTRANSFORMER__ENABLEAUTOINDEXQUERYNAMES=true\n\
         AMPLIFYCLI_GRAPHQLTRANSFORMER__SUBSCRIPTIONSINHERITPRIMARYAUTH = \"true\"\n\
         AMPLIFYCLI_GRAPHQLTRANSFORMER__SHOWFIELDAUTHNOTIFICATION=true\n",
            ),
        ],
    );
    let every_env = "AMPLIFYCLI_GRAPHQLTRANSFORMER__USESUBUSERNAMEFORDEFAULTIDENTITYCLAIM";
    let this_env = "AMPLIFYCLI-dev_graphqltransformer__usesubusernamefordefaultidentityclaim";
    let r = run_with_env(
        &dir,
        &["gql-compile", "--print-config"],
        &[
            (every_env, "true"),
            (this_env, "false"),
            (
                "AMPLIFYCLI-prod_graphqltransformer__improvepluralization",
                "false",
            ),
            // The process environment wins over `.env`.
            (
                "AMPLIFYCLI_GRAPHQLTRANSFORMER__SHOWFIELDAUTHNOTIFICATION",
                "false",
            ),
        ],
    );
    r.assert_code(0);
    for line in [
        "improvepluralization = true  (amplify/cli.dev.json)",
        "enableautoindexquerynames = true  (.env: AMPLIFYCLI_GRAPHQLTRANSFORMER__ENABLEAUTOINDEXQUERYNAMES)",
        "subscriptionsinheritprimaryauth = true  (.env: AMPLIFYCLI_GRAPHQLTRANSFORMER__SUBSCRIPTIONSINHERITPRIMARYAUTH)",
        "showfieldauthnotification = false  (environment variable AMPLIFYCLI_GRAPHQLTRANSFORMER__SHOWFIELDAUTHNOTIFICATION)",
        &format!(
            "usesubusernamefordefaultidentityclaim = false  (environment variable {this_env})"
        ),
        "secondarykeyasgsi = true  (amplify/cli.json)",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }

    // The compile follows: owner rules read the `username` claim alone, not `sub::username`.
    let r = run_with_env(&dir, &["gql-compile"], &[(this_env, "false")]);
    r.assert_code(0);
    let auth = std::fs::read_to_string(build(&dir).join("resolvers/Query.getPost.auth.1.req.vtl"))
        .unwrap();
    assert!(!auth.contains("::$currentClaim1"), "{auth}");
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(0);
    let auth = std::fs::read_to_string(build(&dir).join("resolvers/Query.getPost.auth.1.req.vtl"))
        .unwrap();
    assert!(auth.contains("::$currentClaim1"), "{auth}");
}

#[test]
fn a_malformed_amplifycli_variable_stops_the_compile() {
    let dir = project("flag-variables-bad");
    let r = run_with_env(
        &dir,
        &["gql-compile"],
        &[
            ("AMPLIFYCLI_GRAPHQLTRANSFORMER", "true"),
            ("AMPLIFYCLI_GRAPHQLTRANSFORMER__SECONDARYKEYASGSI", "TRUE"),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stderr.contains(
            "error[E0007]: invalid variable name format: `AMPLIFYCLI_GRAPHQLTRANSFORMER`"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "error[E0007]: feature flag `secondarykeyasgsi` must be true or false, found \"TRUE\""
        ),
        "{}",
        r.stderr
    );
    assert!(!build(&dir).exists());
}

#[test]
fn a_schema_alone_is_an_api_named_after_its_folder() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("project")
        .join("standalone")
        .join("shopapi");
    let _ = std::fs::remove_dir_all(&dir);
    write(
        &dir.join("schema.graphql"),
        "type Order @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n}\n",
    );
    let r = run_with_env(
        &dir,
        &["gql-compile", "--schema", "schema.graphql", "--out", "out"],
        &[("SOURCE_DATE_EPOCH", "1000")],
    );
    r.assert_code(0);
    let params = json(&dir.join("out/parameters.json"));
    assert_eq!(params["AppSyncApiName"], "shopapi");
    assert_eq!(params["S3DeploymentBucket"], "");
    let root = json(&dir.join("out/cloudformation-template.json"));
    assert_eq!(
        root["Resources"]["GraphQLAPIDefaultApiKey215A6DD7"]["Properties"]["Expires"],
        1000 + 7 * 86400
    );
    run_with_env(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "out",
            "--api-name",
            "orders",
        ],
        &[],
    )
    .assert_code(0);
    assert_eq!(
        json(&dir.join("out/parameters.json"))["AppSyncApiName"],
        "orders"
    );
}

#[test]
fn an_api_key_lives_one_to_365_days() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("project")
        .join("api-key-days");
    let _ = std::fs::remove_dir_all(&dir);
    write(
        &dir.join("schema.graphql"),
        "type Q @model @auth(rules: [{ allow: public }]) {\n  id: ID!\n}\n",
    );
    let auth = |days: i64| {
        format!(
            r#"{{"defaultAuthentication": {{"authenticationType": "API_KEY", "apiKeyConfig": {{"apiKeyExpirationDays": {days}}}}}}}"#
        )
    };
    write(&dir.join("auth.json"), &auth(400));
    let args = [
        "gql-compile",
        "--schema",
        "schema.graphql",
        "--auth-config",
        "auth.json",
        "--out",
        "out",
    ];
    let r = run_in(&dir, &args);
    r.assert_code(1)
        .assert_stderr_has(&["between 1 and 365 days"]);
    // 0 means no expiry of the reference's own choosing: the key has no `Expires`.
    write(&dir.join("auth.json"), &auth(0));
    run_in(&dir, &args).assert_code(0);
    let root = json(&dir.join("out/cloudformation-template.json"));
    assert_eq!(
        root["Resources"]["GraphQLAPIDefaultApiKey215A6DD7"]["Properties"],
        serde_json::json!({"ApiId": {"Fn::GetAtt": ["GraphQLAPI", "ApiId"]}})
    );
}

#[test]
fn pipeline_functions_work_like_resolvers_with_a_warning() {
    let dir = project("pipeline-functions");
    let a = api(&dir);
    write_files(
        &a,
        &[
            ("pipelineFunctions/Query.getPost.preAuth.1.req.vtl", "PF"),
            ("pipelineFunctions/Query.listPosts.preAuth.1.req.vtl", "PFL"),
            ("pipelineFunctions/Query.listPosts.req.vtl", "PF-REQ"),
        ],
    );
    // resolvers/ wins: its slot files of getPost replace those of pipelineFunctions/.
    write_files(
        &a,
        &[
            ("resolvers/Query.getPost.finish.1.res.vtl", "R"),
            ("resolvers/Query.listPosts.req.vtl", "R-REQ"),
        ],
    );
    let r = run_in(&dir, &["gql-compile"]);
    r.assert_code(0).assert_stderr_has(&["warning[W0009]"]);
    let b = build(&dir);
    assert_eq!(
        std::fs::read_to_string(b.join("resolvers/Query.listPosts.req.vtl")).unwrap(),
        "R-REQ"
    );
    assert!(!b.join("pipelineFunctions").exists());
    let post = json(&b.join("stacks/Post.json"));
    let names: Vec<&str> = post["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|r| r["Properties"]["Name"].as_str())
        .collect();
    assert!(
        names.contains(&"QuerylistPostspreAuth0Function"),
        "{names:?}"
    );
    assert!(names.contains(&"QuerygetPostfinish0Function"), "{names:?}");
    assert!(
        !names.contains(&"QuerygetPostpreAuth0Function"),
        "{names:?}"
    );
}

#[test]
fn resolver_config_of_the_project_turns_on_datastore() {
    let dir = project("datastore");
    let a = api(&dir);
    write(
        &a.join("transform.conf.json"),
        r#"{"Version": 5, "ElasticsearchWarning": true, "ResolverConfig": {"project": {"ConflictHandler": "AUTOMERGE", "ConflictDetection": "VERSION"}, "models": {"Post": {"ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION", "LambdaConflictHandler": {"name": "postResolver"}}}}}"#,
    );
    // --print-config shows the strategies and where they were read.
    let r = run_in(&dir, &["gql-compile", "--print-config"]);
    r.assert_code(0);
    for line in [
        "transform.conf.json):",
        "  project: AUTOMERGE, detection VERSION\n",
        "  model Post: LAMBDA, detection VERSION, function postResolver\n",
        "  other models: the project's\n",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let b = build(&dir);
    let schema = std::fs::read_to_string(b.join("schema.graphql")).unwrap();
    assert!(
        schema.contains("  _version: Int!\n  _deleted: Boolean\n  _lastChangedAt: AWSTimestamp!\n")
    );
    assert!(schema.contains("syncPosts(filter: ModelPostFilterInput, limit: Int, nextToken: String, lastSync: AWSTimestamp): ModelPostConnection"));
    assert!(b.join("resolvers/Query.syncPosts.req.vtl").is_file());
    let root = json(&b.join("cloudformation-template.json"));
    assert_eq!(
        root["Resources"]["DataStore"]["Type"],
        "AWS::DynamoDB::Table"
    );
    let post = json(&b.join("stacks/Post.json"));
    let sync_configs: Vec<&Json> = post["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|r| r["Properties"].get("SyncConfig"))
        .collect();
    assert!(!sync_configs.is_empty());
    assert!(
        sync_configs
            .iter()
            .all(|c| c["ConflictHandler"] == "LAMBDA")
    );
    assert_eq!(
        post["Resources"]["PostDataSource"]["Properties"]["DynamoDBConfig"]["Versioned"],
        true
    );
    let blog = json(&b.join("stacks/Blog.json"));
    assert!(
        blog["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|r| r["Properties"].get("SyncConfig"))
            .all(|c| c["ConflictHandler"] == "AUTOMERGE")
    );

    // A malformed strategy is refused with the file named.
    write(
        &a.join("transform.conf.json"),
        r#"{"Version": 5, "ResolverConfig": {"project": {"ConflictHandler": "NEWEST", "ConflictDetection": "VERSION"}}}"#,
    );
    let run = run_in(&dir, &["gql-compile"]);
    run.assert_code(1)
        .assert_stderr_has(&["error[E0701]", "transform.conf.json"]);
}

#[test]
fn slot_files_and_stack_mapping_of_function_resolvers_are_refused() {
    let dir = project("invoke-overrides");
    let schema = api(&dir).join("schema.graphql");
    let mut text = std::fs::read_to_string(&schema).unwrap();
    text.push_str(
        "\ntype Query {\n  echo(msg: String): String @function(name: \"echo-${env}\")\n}\n",
    );
    std::fs::write(&schema, text).unwrap();
    run_in(&dir, &["gql-compile"]).assert_code(0);
    let before = read_tree(&build(&dir));

    // A slot file of the @function field's resolver: the reference's pipeline would have it.
    let slot = api(&dir).join("resolvers/Query.echo.init.1.req.vtl");
    write(&slot, "## my init");
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&[
            "error[E0903]",
            "Query.echo.init.1.req.vtl adds to the resolver of the @function field Query.echo",
            "resolvers/Query.echo.init.1.req.vtl",
        ]);
    assert_eq!(before, read_tree(&build(&dir)));
    std::fs::remove_file(&slot).unwrap();

    // A StackMapping entry for it.
    let conf = api(&dir).join("transform.conf.json");
    std::fs::write(
        &conf,
        r#"{ "Version": 5, "StackMapping": { "QueryechoResolver": "Custom" } }"#,
    )
    .unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&[
            "error[E0903]",
            "StackMapping moves QueryechoResolver",
            "transform.conf.json",
        ]);
    assert_eq!(before, read_tree(&build(&dir)));
}

#[test]
fn project_files_of_the_wrong_shape_are_coded_errors_naming_file_and_key() {
    let (dir, before) = compiled_project("bad-files");
    let conf = api(&dir).join("transform.conf.json");
    let good = std::fs::read_to_string(&conf).unwrap();
    for (text, expected) in [
        (
            r#"{ "Version": 5, "StackMapping": { "GetPostResolver": 3 } }"#,
            "StackMapping.GetPostResolver in transform.conf.json is a number, not a stack name",
        ),
        (
            r#"{ "Version": 5, "StackMapping": ["GetPostResolver"] }"#,
            "StackMapping in transform.conf.json is a list, not an object",
        ),
        (
            r#"{ "Version": 5, "DisableResolverDeduping": "false" }"#,
            "DisableResolverDeduping in transform.conf.json is a string, not true or false",
        ),
    ] {
        std::fs::write(&conf, text).unwrap();
        run_in(&dir, &["gql-compile"])
            .assert_code(1)
            .assert_stderr_has(&["error[E0008]", expected, "transform.conf.json"]);
        assert_eq!(before, read_tree(&build(&dir)), "{text}");
    }
    // A file that exists but cannot be read is not taken for a missing one.
    std::fs::remove_file(&conf).unwrap();
    std::fs::create_dir(&conf).unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&["error[E0008]", "transform.conf.json cannot be read"]);
    assert_eq!(before, read_tree(&build(&dir)));
    std::fs::remove_dir(&conf).unwrap();
    std::fs::write(&conf, good).unwrap();

    // custom-roles.json: a role that is not a name.
    let roles = api(&dir).join("custom-roles.json");
    std::fs::write(&roles, r#"{ "adminRoleNames": ["ops", 7] }"#).unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&[
            "adminRoleNames in custom-roles.json holds a number, not a role name",
            "custom-roles.json",
        ]);
    assert_eq!(before, read_tree(&build(&dir)));
    std::fs::remove_file(&roles).unwrap();

    // cli-inputs.json, parameters.json and cli.json: each key of the wrong shape is named,
    // all of them in one run.
    let cases: [(&str, &str, &[&str]); 6] = [
        (
            "cli-inputs.json",
            r#"{ "serviceConfiguration": { "defaultAuthType": { "mode": 3 }, "additionalAuthTypes": [{ "mode": "API_KEY" }, "AWS_IAM"] } }"#,
            &[
                "error[E0006]: serviceConfiguration.defaultAuthType.mode in cli-inputs.json is a number, not an auth mode (a string)",
                "error[E0006]: serviceConfiguration.additionalAuthTypes[1] in cli-inputs.json is a string, not an object",
            ],
        ),
        (
            "cli-inputs.json",
            r#"{ "serviceConfiguration": { "defaultAuthType": { "mode": "AWS_IAM" }, "additionalAuthTypes": { "mode": "API_KEY" } } }"#,
            &[
                "serviceConfiguration.additionalAuthTypes in cli-inputs.json is an object, not a list",
            ],
        ),
        (
            "cli-inputs.json",
            r#"{ "serviceConfiguration": [] }"#,
            &["serviceConfiguration in cli-inputs.json is a list, not an object"],
        ),
        (
            "parameters.json",
            r#"{ "AppSyncApiName": 5, "CreateAPIKey": "yes" }"#,
            &[
                "error[E0008]: AppSyncApiName in parameters.json is a number, not the API's name (a string)",
                "error[E0008]: CreateAPIKey in parameters.json is \"yes\", not a number",
            ],
        ),
        (
            "../../../cli.json",
            r#"{ "features": { "graphqltransformer": [true] } }"#,
            &[
                "error[E0007]: features.graphqltransformer in amplify/cli.json is a list, not an object",
            ],
        ),
        (
            "../../../cli.json",
            r#"[]"#,
            &["error[E0007]: amplify/cli.json is a list, not an object"],
        ),
    ];
    for (file, text, expected) in cases {
        let path = api(&dir).join(file);
        let good = std::fs::read(&path).ok();
        std::fs::write(&path, text).unwrap();
        run_in(&dir, &["gql-compile"])
            .assert_code(1)
            .assert_stderr_has(expected);
        assert_eq!(before, read_tree(&build(&dir)), "{text}");
        match good {
            Some(good) => std::fs::write(&path, good).unwrap(),
            None => std::fs::remove_file(&path).unwrap(),
        }
    }
    // An override folder that cannot be listed is an error, not a folder without overrides.
    let resolvers = api(&dir).join("resolvers");
    let _ = std::fs::remove_dir_all(&resolvers);
    std::fs::write(&resolvers, "not a folder").unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&["error[E0008]: cannot read", "resolvers"]);
    assert_eq!(before, read_tree(&build(&dir)));
}

/// `@searchable`'s node-to-node encryption: on when the deployed domain has it (with W0012),
/// `transform.conf.json`'s `NodeToNodeEncryption` deciding over that, a value that is not a
/// boolean refused.
#[test]
fn node_to_node_encryption_follows_the_deployed_domain_unless_the_config_says() {
    let dir = project("node-to-node");
    let schema = api(&dir).join("schema.graphql");
    std::fs::write(
        &schema,
        "type Post @model @searchable @auth(rules: [{ allow: private }]) {\n  id: ID!\n  title: String\n}\n",
    )
    .unwrap();
    let enabled = |dir: &Path| {
        json(&build(dir).join("stacks/SearchableStack.json"))
            ["Resources"]["OpenSearchDomain"]["Properties"]["NodeToNodeEncryptionOptions"]["Enabled"]
            .clone()
    };
    run_in(&dir, &["gql-compile"]).assert_code(0);
    assert_eq!(enabled(&dir), Json::Bool(false));

    let deployed = dir.join("amplify/#current-cloud-backend/api/blogapi/build/stacks");
    std::fs::create_dir_all(&deployed).unwrap();
    std::fs::write(
        deployed.join("SearchableStack.json"),
        r#"{"Resources": {"OpenSearchDomain": {"Properties": {"NodeToNodeEncryptionOptions": {"Enabled": true}}}}}"#,
    )
    .unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(0)
        .assert_stderr_has(&["warning[W0012]"]);
    assert_eq!(enabled(&dir), Json::Bool(true));

    let conf = api(&dir).join("transform.conf.json");
    std::fs::write(&conf, r#"{"Version": 5, "NodeToNodeEncryption": false}"#).unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(0)
        .assert_stderr_has(&["warning[W0012]"]);
    assert_eq!(enabled(&dir), Json::Bool(false));

    let before = read_tree(&build(&dir));
    std::fs::write(&conf, r#"{"Version": 5, "NodeToNodeEncryption": "yes"}"#).unwrap();
    run_in(&dir, &["gql-compile"])
        .assert_code(1)
        .assert_stderr_has(&[
            "error[E0008]: NodeToNodeEncryption in transform.conf.json is a string, not true or false",
        ]);
    assert_eq!(before, read_tree(&build(&dir)));
}

#[test]
fn check_keeps_the_api_keys_expiry_of_the_build_it_checks() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("project")
        .join("check-expiry");
    let _ = std::fs::remove_dir_all(&dir);
    write(
        &dir.join("schema.graphql"),
        "type Note @model @auth(rules: [{ allow: public }]) {\n  id: ID!\n}\n",
    );
    let args = ["gql-compile", "--schema", "schema.graphql", "--out", "out"];
    // The key's expiry counts from the clock; a later --check must not see it as a change.
    run_with_env(&dir, &args, &[("SOURCE_DATE_EPOCH", "1000")]).assert_code(0);
    let r = run_with_env(&dir, &[&args[..], &["--check"]].concat(), &[]);
    r.assert_code(0);
    assert!(r.stdout.contains("is up to date"), "{}", r.stdout);
}
