//! End-to-end tests through the built binary, on the shipped example project and on small
//! projects written into a scratch folder.

use std::path::{Path, PathBuf};

mod common;

use common::binary::{Run, run_in, write, write_files};

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    crate_root().join("examples/blog-project")
}

fn run(args: &[&str]) -> Run {
    run_in(crate_root(), args)
}

/// A fresh scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    common::binary::scratch("cli", name)
}

/// A fresh scratch folder holding `files` (relative path, text).
fn scratch_with(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(name);
    write_files(&dir, files);
    dir
}

/// Writes `text` as `schema.graphql` into the scratch folder `name` and runs
/// `status -acm model --schema schema.graphql` there, with `extra` arguments.
fn status_of(name: &str, text: &str, model: &str, extra: &[&str]) -> Run {
    let dir = scratch(name);
    write(&dir.join("schema.graphql"), text);
    let args = [
        &["status", "-acm", model, "--schema", "schema.graphql"],
        extra,
    ]
    .concat();
    run_in(&dir, &args)
}

/// The role names of a `status -acm` table, in order.
fn roles(table: &str) -> Vec<&str> {
    table
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .collect()
}

/// The cells of one field's row in one role's table.
fn row<'a>(table: &'a str, role: &str, field: &str) -> Vec<&'a str> {
    table
        .lines()
        .skip_while(|l| *l != role)
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .map(|l| {
            l.split('│')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first() == Some(&field))
        .unwrap_or_else(|| panic!("no row {field} for role {role} in\n{table}"))
        .split_off(1)
}

// ---------------------------------------------------------------------------------------------
// The example project

#[test]
fn status_in_the_example_project_with_project_flag() {
    let r = run(&[
        "status",
        "-acm",
        "Post",
        "--project",
        "examples/blog-project",
    ]);
    r.assert_ok();
    assert_eq!(r.stderr, "", "the example has no warnings");
    assert_eq!(
        roles(&r.stdout),
        [
            "userPools:owner:owner",
            "userPools:staticGroup:Editors",
            "userPools:private",
            "apiKey:public"
        ]
    );
    assert!(r.stdout.contains(
        "│ (index)       │ create │ update │ delete │ get  │ list │ search │ listen │ sync │"
    ));
    // The owner may not reassign the post; editors may not create one.
    assert_eq!(
        row(&r.stdout, "userPools:owner:owner", "owner"),
        [
            "true", "false", "true", "true", "true", "true", "true", "true"
        ]
    );
    assert_eq!(
        row(&r.stdout, "userPools:staticGroup:Editors", "title"),
        [
            "false", "true", "true", "true", "true", "true", "true", "true"
        ]
    );
    // Field-level rule: internal notes are hidden from signed-in readers and the API key.
    assert_eq!(
        row(&r.stdout, "apiKey:public", "internalNotes"),
        ["false"; 8]
    );
    assert_eq!(
        row(&r.stdout, "userPools:private", "title"),
        [
            "false", "false", "false", "true", "true", "true", "true", "true"
        ]
    );
}

#[test]
fn status_finds_the_project_from_the_current_folder() {
    let with_flag = run(&[
        "status",
        "-acm",
        "Post",
        "--project",
        "examples/blog-project",
    ]);
    with_flag.assert_ok();
    let at_root = run_in(&example(), &["status", "-acm", "Post"]);
    at_root.assert_ok();
    assert_eq!(at_root.stdout, with_flag.stdout);
    // From deep inside the project, the root is found by walking up.
    let inside = run_in(
        &example().join("amplify/backend/api/blogapi/resolvers"),
        &["status", "-acm", "Post"],
    );
    inside.assert_ok();
    assert_eq!(inside.stdout, with_flag.stdout);
}

#[test]
fn every_spelling_of_acm_gives_the_same_table() {
    let reference = run_in(&example(), &["status", "-acm", "Comment"]);
    reference.assert_ok();
    assert!(reference.stdout.starts_with("userPools:owner:owner\n"));
    for args in [
        &["status", "--acm", "Comment"][..],
        &["status", "-ACM", "Comment"],
        &["status", "-Acm", "Comment"],
        &["status", "--acm=Comment"],
        &["status", "api", "-acm", "Comment"],
    ] {
        let r = run_in(&example(), args);
        r.assert_ok();
        assert_eq!(r.stdout, reference.stdout, "{args:?}");
    }
}

#[test]
fn crud_view_has_four_columns() {
    let r = run_in(&example(), &["status", "-acm", "Comment", "--crud"]);
    r.assert_ok();
    assert!(
        r.stdout
            .contains("│ (index) │ create │ read │ update │ delete │"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("listen"));
    assert_eq!(
        row(&r.stdout, "userPools:owner:owner", "content"),
        ["true", "true", "false", "true"]
    );
    assert_eq!(
        row(&r.stdout, "userPools:staticGroup:Editors", "post"),
        ["false", "true", "false", "true"]
    );
    assert_eq!(
        row(&r.stdout, "userPools:private", "id"),
        ["false", "true", "false", "false"]
    );
}

#[test]
fn json_format_is_the_matrix() {
    let r = run_in(&example(), &["status", "-acm", "Post", "--format", "json"]);
    r.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    let roles: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The Amplify CLI's order: roles as the table lists them, fields in source order,
    // operations in column order.
    assert_eq!(
        roles,
        [
            "userPools:owner:owner",
            "userPools:staticGroup:Editors",
            "userPools:private",
            "apiKey:public"
        ]
    );
    let fields: Vec<&str> = json["apiKey:public"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "id",
            "title",
            "content",
            "status",
            "blog",
            "comments",
            "owner",
            "internalNotes"
        ]
    );
    let ops: Vec<&str> = json["apiKey:public"]["id"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        ops,
        [
            "create", "update", "delete", "get", "list", "search", "listen", "sync"
        ]
    );
    for role in [
        "userPools:owner:owner",
        "userPools:staticGroup:Editors",
        "userPools:private",
        "apiKey:public",
    ] {
        let fields = json[role].as_object().expect(role);
        assert_eq!(fields.len(), 8, "every declared field of Post");
        for ops in fields.values() {
            assert_eq!(ops.as_object().unwrap().len(), 8, "eight operations");
        }
    }
    let cell = |role: &str, field: &str, op: &str| json[role][field][op].as_bool().unwrap();
    assert!(cell("userPools:owner:owner", "title", "update"));
    assert!(!cell("userPools:owner:owner", "owner", "update"));
    assert!(cell("userPools:owner:owner", "owner", "create"));
    assert!(!cell("userPools:staticGroup:Editors", "title", "create"));
    assert!(cell(
        "userPools:staticGroup:Editors",
        "internalNotes",
        "update"
    ));
    assert!(!cell(
        "userPools:staticGroup:Editors",
        "internalNotes",
        "delete"
    ));
    assert!(cell("apiKey:public", "comments", "listen"));
    assert!(!cell("apiKey:public", "internalNotes", "get"));
    assert!(!cell("userPools:private", "id", "delete"));

    let crud = run_in(
        &example(),
        &["status", "-acm", "Post", "--format", "json", "--crud"],
    );
    crud.assert_ok();
    let crud: serde_json::Value = serde_json::from_str(&crud.stdout).expect("valid JSON");
    let ops: Vec<&str> = crud["apiKey:public"]["title"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(ops, ["create", "read", "update", "delete"]);
    assert_eq!(crud["apiKey:public"]["title"]["read"], true);
    assert_eq!(crud["apiKey:public"]["internalNotes"]["read"], false);
    assert_eq!(crud["userPools:owner:owner"]["owner"]["update"], false);
}

#[test]
fn markdown_format() {
    let r = run_in(
        &example(),
        &["status", "-acm", "Blog", "--format", "markdown"],
    );
    r.assert_ok();
    let md = &r.stdout;
    assert!(md.starts_with("### Access control: `Blog`\n"), "{md}");
    for role in [
        "userPools:staticGroup:Admin",
        "userPools:private",
        "apiKey:public",
    ] {
        assert!(md.contains(&format!("#### `{role}`")), "{role} in\n{md}");
    }
    assert!(
        md.contains("| field | create | update | delete | get | list | search | listen | sync |")
    );
    assert!(md.contains("| `name` | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ | ✅ |"));
    assert!(md.contains("| `posts` | ❌ | ❌ | ❌ | ✅ | ✅ | ✅ | ✅ | ✅ |"));
    let crud = run_in(
        &example(),
        &["status", "-acm", "Blog", "--format", "markdown", "--crud"],
    );
    crud.assert_ok();
    assert!(
        crud.stdout
            .contains("| field | create | read | update | delete |")
    );
}

#[test]
fn unknown_model_lists_the_models() {
    let r = run_in(&example(), &["status", "-acm", "Article"]);
    r.assert_failed();
    assert_eq!(r.stdout, "");
    r.assert_stderr_has(&["error[E0301]"]);
    assert!(r.stderr.contains("Model \"Article\" does not exist."));
    assert!(
        r.stderr
            .contains("help: the schema's models are: Blog, Post, Comment"),
        "{}",
        r.stderr
    );
    // A type that exists but is not a @model is not a model either.
    let r = run_in(&example(), &["status", "-acm", "PostStatus"]);
    r.assert_failed();
    assert!(r.stderr.contains("Model \"PostStatus\" does not exist."));
    // Model names are case-sensitive.
    run_in(&example(), &["status", "-acm", "post"]).assert_failed();
}

// ---------------------------------------------------------------------------------------------
// Schemas with mistakes

#[test]
fn invalid_schema_points_at_the_token() {
    let r = status_of(
        "invalid",
        "type Post @model @auth(rules: [{ allow: public, provider: userPools }]) {\n  id: ID!\n  title: String!\n}\n",
        "Post",
        &[],
    );
    r.assert_failed();
    assert_eq!(r.stdout, "", "no table for an invalid schema");
    let e = &r.stderr;
    assert!(e.contains("error[E0201]"), "{e}");
    assert!(e.contains(" --> schema.graphql:1:59\n"), "{e}");
    assert!(
        e.contains(
            "1 | type Post @model @auth(rules: [{ allow: public, provider: userPools }]) {\n"
        ),
        "{e}"
    );
    // The carets sit under `userPools`, exactly.
    let caret_line = e.lines().find(|l| l.contains('^')).expect("an underline");
    let start = caret_line.find('^').unwrap();
    let width = caret_line.matches('^').count();
    let source_line = e.lines().find(|l| l.starts_with("1 | ")).unwrap();
    assert_eq!(&source_line[start..start + width], "userPools", "{e}");
    assert!(e.contains("= help: "), "{e}");
    assert!(e.contains("1 error and 0 warnings"), "{e}");
    assert!(
        !e.contains('\x1b'),
        "no colour when stderr is not a terminal"
    );
}

#[test]
fn syntax_error_is_located() {
    let r = status_of(
        "syntax",
        "type Post @model {\n  id: ID!\n  title String\n}\n",
        "Post",
        &[],
    );
    r.assert_failed()
        .assert_stderr_has(&["error[E0001]", " --> schema.graphql:3:", "^"]);
}

#[test]
fn deny_warnings_turns_the_owner_warning_into_an_error() {
    let lenient = status_of(
        "deny-warnings",
        "type Note @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  text: String\n}\n",
        "Note",
        &[],
    );
    lenient.assert_ok();
    assert!(lenient.stdout.starts_with("userPools:owner:owner\n"));
    lenient.assert_stderr_has(&["warning[W0001]", " --> schema.graphql:1:32"]);

    let strict = status_of(
        "deny-warnings",
        "type Note @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  text: String\n}\n",
        "Note",
        &["--deny-warnings"],
    );
    strict.assert_failed();
    assert_eq!(strict.stdout, "");
    strict.assert_stderr_has(&["error[W0001]", "1 error and 0 warnings"]);
}

#[test]
fn three_independent_mistakes_are_all_reported() {
    let r = status_of(
        "three-mistakes",
        r#"type Post @model @auth(rules: [{ allow: public, provider: userPools }]) {
  id: ID!
}

type Comment @model @auth(rules: [{ allow: private }]) {
  id: ID!
  body: String @auth(rules: [{ allow: private, operations: [list] }])
}

type Tag @model @auth(rules: [{ allow: groups, operations: [read] }]) {
  id: ID!
}
"#,
        "Post",
        &[],
    );
    r.assert_failed();
    let headers: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error["))
        .collect();
    assert_eq!(headers.len(), 3, "{}", r.stderr);
    for line in [
        "schema.graphql:1:",
        "schema.graphql:7:",
        "schema.graphql:10:",
    ] {
        assert!(r.stderr.contains(line), "{line} in\n{}", r.stderr);
    }
    r.assert_stderr_has(&["3 errors"]);
    assert_eq!(r.stderr.matches("= help: ").count(), 3, "{}", r.stderr);
}

#[test]
fn schema_folder_is_read_recursively_in_name_order() {
    let dir = scratch("schema-folder");
    let api = dir.join("amplify/backend/api/shop");
    write_files(
        &api,
        &[
            (
                "schema/a-product.graphql",
                "type Product @model @auth(rules: [{ allow: public }]) {\n  id: ID!\n  name: String!\n}\n",
            ),
            (
                "schema/b-orders/order.graphql",
                "# orders\ntype Order @model @auth(rules: [{ allow: owner, provider: apiKey }]) {\n  id: ID!\n}\n",
            ),
        ],
    );
    // Hidden files are not part of the schema.
    write(&api.join("schema/.draft.graphql"), "this is not GraphQL {");
    let r = run_in(&dir, &["status", "-acm", "Product"]);
    r.assert_failed();
    let e = &r.stderr;
    let want = Path::new("b-orders").join("order.graphql");
    let located = e
        .lines()
        .find(|l| l.trim_start().starts_with("-->"))
        .expect("a location");
    assert!(
        located.ends_with(&format!("{}:2:59", want.display())),
        "{located}\n{e}"
    );
    assert!(e.contains("2 | type Order @model"), "{e}");
    assert!(!e.contains("draft"), "{e}");

    // Fixed, both files count: the models of both are found, in file order.
    write(
        &api.join("schema/b-orders/order.graphql"),
        "# orders\ntype Order @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n}\n",
    );
    let r = run_in(&dir, &["status", "-acm", "Missing"]);
    r.assert_failed()
        .assert_stderr_has(&["the schema's models are: Product, Order"]);
    let r = run_in(&dir, &["status", "-acm", "Order"]);
    r.assert_ok();
    assert!(r.stdout.starts_with("userPools:owner:owner\n"));
}

// ---------------------------------------------------------------------------------------------
// Options and configuration

#[test]
fn auth_config_decides_which_providers_are_enabled() {
    let dir = scratch_with(
        "auth-config",
        &[(
            "userpools-only.json",
            r#"{"defaultAuthentication": {"authenticationType": "AMAZON_COGNITO_USER_POOLS"},
            "additionalAuthenticationProviders": []}"#,
        )],
    );
    let auth = dir.join("userpools-only.json");
    let r = run(&[
        "status",
        "-acm",
        "Post",
        "--project",
        "examples/blog-project",
        "--auth-config",
        auth.to_str().unwrap(),
    ]);
    r.assert_failed()
        .assert_stderr_has(&["error[E0203]", "help:"]);
}

#[test]
fn unknown_feature_flags_warn() {
    let dir = scratch_with(
        "flags",
        &[(
            "flags.json",
            r#"{"features": {"graphqltransformer": {"nosuchflag": true}}}"#,
        )],
    );
    let r = run_in(
        &dir,
        &[
            "status",
            "-acm",
            "Post",
            "--project",
            example().to_str().unwrap(),
            "--feature-flags",
            "flags.json",
        ],
    );
    r.assert_ok()
        .assert_stderr_has(&["warning[W0007]", "nosuchflag", "--> flags.json"]);
}

#[test]
fn color_always_paints_and_never_does_not() {
    let dir = scratch_with(
        "color",
        &[(
            "s.graphql",
            "type T @model @auth(rules: [{ allow: public, provider: userPools }]) { id: ID! }\n",
        )],
    );
    let painted = run_in(
        &dir,
        &[
            "status",
            "-acm",
            "T",
            "--schema",
            "s.graphql",
            "--color",
            "always",
        ],
    );
    painted.assert_failed();
    assert!(painted.stderr.contains("\x1b["), "{}", painted.stderr);
    let plain = run_in(
        &dir,
        &[
            "status",
            "-acm",
            "T",
            "--schema",
            "s.graphql",
            "--color",
            "never",
        ],
    );
    plain.assert_failed();
    assert!(!plain.stderr.contains('\x1b'));
}

#[test]
fn model_without_rules_prints_the_cli_line() {
    let r = status_of(
        "no-rules",
        "type Open @model @auth(rules: [{ allow: public }]) { id: ID! }\ntype Shut @model { id: ID! }\n",
        "Shut",
        &[],
    );
    r.assert_ok();
    assert!(
        r.stdout
            .contains("No auth rules have been configured for the \"Shut\" model."),
        "{}",
        r.stdout
    );
}

#[test]
fn missing_inputs_fail_cleanly() {
    let dir = scratch("missing");
    let r = run_in(
        &dir,
        &["status", "-acm", "Post", "--schema", "nope.graphql"],
    );
    r.assert_failed()
        .assert_stderr_has(&["error[E0005]", "help:"]);

    // No Amplify project above an empty folder in the target dir.
    let r = run_in(&dir, &["status", "-acm", "Post"]);
    r.assert_failed().assert_stderr_has(&["error[E0008]"]);

    // Usage errors are clap's: exit code 2.
    let r = run_in(&dir, &["status"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = run_in(&dir, &["status", "-acm", "Post", "--format", "yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn help_and_version() {
    let r = run(&["--version"]);
    r.assert_ok();
    assert!(r.stdout.starts_with("amplify-gql "));
    let r = run(&["status", "--help"]);
    r.assert_ok();
    for option in [
        "--acm",
        "--crud",
        "--format",
        "--schema",
        "--project",
        "--auth-config",
        "--feature-flags",
        "--deny-warnings",
        "--color",
    ] {
        assert!(r.stdout.contains(option), "{option} in\n{}", r.stdout);
    }
}

#[test]
fn api_name_chooses_among_several_apis() {
    let dir = scratch_with(
        "several-apis",
        &[
            (
                "amplify/backend/api/blog/schema.graphql",
                "type Post @model @auth(rules: [{ allow: private }]) {\n  id: ID!\n}\n",
            ),
            (
                "amplify/backend/api/shop/schema.graphql",
                "type Order @model @auth(rules: [{ allow: private }]) {\n  id: ID!\n}\n",
            ),
        ],
    );
    let r = run_in(&dir, &["status", "-acm", "Post"]);
    r.assert_failed()
        .assert_stderr_has(&["error[E0008]", "blog, shop", "--api-name"]);

    let r = run_in(&dir, &["status", "-acm", "Order", "--api-name", "shop"]);
    r.assert_ok();
    assert!(r.stdout.starts_with("userPools:private\n"), "{}", r.stdout);
    let r = run_in(&dir, &["status", "-acm", "Order", "--api-name", "blog"]);
    r.assert_failed()
        .assert_stderr_has(&["the schema's models are: Post"]);
    let r = run_in(&dir, &["status", "-acm", "Order", "--api-name", "nope"]);
    r.assert_failed().assert_stderr_has(&["error[E0008]"]);
}

#[test]
fn project_auth_modes_come_from_cli_inputs() {
    let dir = scratch("cli-inputs");
    let api = dir.join("amplify/backend/api/notes");
    write(
        &api.join("schema.graphql"),
        "type Note @model @auth(rules: [{ allow: public }]) {\n  id: ID!\n}\n",
    );
    // A user pools only API: the public rule's API key provider is not enabled.
    write(
        &api.join("cli-inputs.json"),
        r#"{"version": 1, "serviceConfiguration": {"apiName": "notes", "serviceName": "AppSync",
            "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS", "cognitoUserPoolId": "authnotes"},
            "additionalAuthTypes": []}}"#,
    );
    let r = run_in(&dir, &["status", "-acm", "Note"]);
    r.assert_failed().assert_stderr_has(&["error[E0203]"]);
    // Adding the API key mode fixes it.
    write(
        &api.join("cli-inputs.json"),
        r#"{"version": 1, "serviceConfiguration": {"apiName": "notes", "serviceName": "AppSync",
            "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS", "cognitoUserPoolId": "authnotes"},
            "additionalAuthTypes": [{"mode": "API_KEY", "expirationTime": 7}]}}"#,
    );
    let r = run_in(&dir, &["status", "-acm", "Note"]);
    r.assert_ok();
    assert!(r.stdout.starts_with("apiKey:public\n"), "{}", r.stdout);
    // A broken cli-inputs.json is reported against that file.
    write(&api.join("cli-inputs.json"), "{ not json");
    let r = run_in(&dir, &["status", "-acm", "Note"]);
    r.assert_failed()
        .assert_stderr_has(&["error[E0006]", "cli-inputs.json"]);
}

#[test]
fn project_feature_flags_come_from_cli_json() {
    let dir = scratch_with(
        "cli-json",
        &[(
            "amplify/backend/api/notes/schema.graphql",
            "type Note @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  owner: String @auth(rules: [{ allow: owner, operations: [create, read, delete] }])\n}\n",
        )],
    );
    let r = run_in(&dir, &["status", "-acm", "Note"]);
    r.assert_ok();
    assert_eq!(r.stderr, "");
    // An older project: the default identity claim is `username`, which W0006 warns about.
    write(
        &dir.join("amplify/cli.json"),
        r#"{"features": {"graphqltransformer": {"UseSubUsernameForDefaultIdentityClaim": false}}}"#,
    );
    let r = run_in(&dir, &["status", "-acm", "Note"]);
    r.assert_ok().assert_stderr_has(&["warning[W0006]"]);
}

#[test]
fn windows_line_endings_are_located_like_unix_ones() {
    let r = status_of(
        "crlf",
        "type Post @model {\r\n  id: ID!\r\n  title: String @auth(rules: [{ allow: publik }])\r\n}\r\n",
        "Post",
        &[],
    );
    r.assert_failed();
    assert!(
        r.stderr.contains(" --> schema.graphql:3:40\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains('\r'), "{:?}", r.stderr);
    r.assert_stderr_has(&["did you mean `public`?"]);
}

/// Three models, one mistake each: diagnostics must come out in the same order every run.
const ONE_ERROR_EACH: &str = "type A @model @auth(rules: [{ allow: owner, provider: apiKey }]) { id: ID! }\ntype B @model @auth(rules: [{ allow: groups }]) { id: ID! }\ntype C @model @auth(rules: [{ allow: owner }]) { id: ID! }\n";

#[test]
fn output_is_the_same_on_every_run() {
    for model in ["Blog", "Post", "Comment"] {
        for format in ["table", "json", "markdown"] {
            let args = ["status", "-acm", model, "--format", format];
            let first = run_in(&example(), &args);
            first.assert_ok();
            for _ in 0..2 {
                let again = run_in(&example(), &args);
                assert_eq!(again.stdout, first.stdout, "{args:?}");
                assert_eq!(again.stderr, first.stderr, "{args:?}");
            }
        }
    }
    let first = status_of("determinism", ONE_ERROR_EACH, "A", &[]);
    first.assert_failed();
    for _ in 0..3 {
        let again = status_of("determinism", ONE_ERROR_EACH, "A", &[]);
        assert_eq!(again.stderr, first.stderr);
    }
}

#[test]
fn function_and_http_fields_get_their_stacks_and_an_auth_function_first() {
    let dir = scratch_with(
        "function-and-http",
        &[(
            "schema.graphql",
            r#"type Query {
  echo(msg: String): String @function(name: "echo-${env}") @auth(rules: [{ allow: private }])
  weather(city: String!): String @http(url: "https://api.example.com/weather/:city")
}
"#,
        )],
    );
    run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "build",
        ],
    )
    .assert_ok();
    let build = dir.join("build");
    for file in [
        "resolvers/InvokeEchoLambdaDataSource.req.vtl",
        "resolvers/InvokeEchoLambdaDataSource.res.vtl",
        "resolvers/Query.echo.auth.req.vtl",
        "resolvers/Query.echo.res.vtl",
        "resolvers/Query.weather.DataResolver.req.vtl",
        "resolvers/Query.weather.DataResolver.res.vtl",
        "resolvers/Query.weather.res.vtl",
    ] {
        assert!(build.join(file).is_file(), "{file} is written");
    }
    let stack: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(build.join("stacks/FunctionDirectiveStack.json")).unwrap(),
    )
    .unwrap();
    let functions =
        &stack["Resources"]["QueryechoResolver"]["Properties"]["PipelineConfig"]["Functions"];
    let first = functions[0]["Fn::GetAtt"][0].as_str().unwrap();
    assert!(
        first.starts_with("QueryEchoAuthFN"),
        "auth runs first: {first}"
    );
    assert_eq!(
        stack["Resources"]["EchoLambdaDataSource"]["Properties"]["Type"],
        "AWS_LAMBDA"
    );
    let http = std::fs::read_to_string(build.join("stacks/HttpStack.json")).unwrap();
    assert!(http.contains("\"Endpoint\": \"https://api.example.com\""));
    let schema = std::fs::read_to_string(build.join("schema.graphql")).unwrap();
    assert!(schema.contains("weather(params: QueryWeatherParamsInput!): String"));
    assert!(schema.contains("input QueryWeatherParamsInput {\n  city: String!\n}"));
    let root = std::fs::read_to_string(build.join("cloudformation-template.json")).unwrap();
    assert!(root.contains("\"FunctionDirectiveStack\": {"));
    assert!(root.contains("\"HttpStack\": {"));
}

#[test]
fn predictions_is_refused_at_the_directive() {
    let dir = scratch_with(
        "predictions",
        &[(
            "schema.graphql",
            "type Query {\n  speak(text: String): String @predictions(actions: [convertTextToSpeech])\n}\n",
        )],
    );
    let run = run_in(
        &dir,
        &[
            "gql-compile",
            "--schema",
            "schema.graphql",
            "--out",
            "build",
        ],
    );
    run.assert_failed()
        .assert_stderr_has(&["error[E0901]", "schema.graphql:2:31"]);
    assert!(!dir.join("build").exists());
}
