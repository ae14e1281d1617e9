//! `@searchable` schemas (`fixtures/ok/searchable-*`): the schema they compile to, their
//! access-control matrices and their search resolvers are snapshots; the `SearchableStack`,
//! the root parameters and the streaming function are checked as a user deploying them would.

mod common;

use amplify_gql::emit::acm::{self, Columns};
use amplify_gql::output::BuildOutput;
use amplify_gql::plan::{Acm, RoleNaming};
use common::{Fixture, fixtures, load, root};
use serde_json::Value;

fn searchable_fixtures() -> Vec<Fixture> {
    let all: Vec<Fixture> = fixtures("ok")
        .into_iter()
        .filter(|f| f.name.starts_with("ok__searchable-"))
        .collect();
    assert_eq!(all.len(), 4, "the four @searchable fixtures");
    all
}

fn fixture(name: &str) -> Fixture {
    searchable_fixtures()
        .into_iter()
        .find(|f| f.name == format!("ok__{name}"))
        .expect("fixture")
}

fn build(f: &Fixture) -> BuildOutput {
    let (sources, config, _) = load(f);
    let (normalised, ds) = amplify_gql::analyse(&sources, &config);
    assert!(!ds.has_errors(), "{} has errors", f.rel);
    let n = normalised.expect("parsed");
    let inputs = amplify_gql::project::BuildInputs::standalone("amplifyapi", &config, 0, "local");
    match amplify_gql::compile_with(&n, &config, &inputs) {
        Ok(b) => b,
        Err(_) => panic!("{}: no build", f.rel),
    }
}

fn text(b: &BuildOutput, path: &str) -> String {
    String::from_utf8(
        b.get(path)
            .unwrap_or_else(|| panic!("{path} written"))
            .to_vec(),
    )
    .expect("utf-8")
}

fn json(b: &BuildOutput, path: &str) -> Value {
    serde_json::from_str(&text(b, path)).expect("JSON")
}

fn snapshot(name: &str, description: &str, text: String) {
    insta::with_settings!({
        snapshot_path => root().join("tests/snapshots/searchable"),
        prepend_module_to_snapshot => false,
        description => description.to_string(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name.to_string(), text);
    });
}

#[test]
fn searchable_schemas_and_matrices() {
    for f in &searchable_fixtures() {
        let (sources, config, mut diagnostics) = load(f);
        let (normalised, ds) = amplify_gql::analyse(&sources, &config);
        diagnostics.extend(ds.iter().cloned());
        assert!(!diagnostics.has_errors(), "{} has errors", f.rel);
        let n = normalised.expect("parsed");
        let mut text = amplify_gql::emit::sdl::print(&amplify_gql::schema::build(
            &amplify_gql::plan::Plan::new(&n, &config),
        ));
        for model in n.schema.models() {
            let auth = n.auth_of(&model.name.text).cloned().unwrap_or_default();
            let matrix = Acm::build(model, &auth, RoleNaming::Printed).expect("no duplicate roles");
            text.push_str(&format!("\n## ACM {}\n\n", model.name.text));
            text.push_str(&acm::table(&matrix, Columns::Operations));
        }
        snapshot(&f.name[4..], &f.rel, text);
    }
}

#[test]
fn search_resolvers() {
    for f in &searchable_fixtures() {
        let b = build(f);
        let mut files: Vec<(String, String)> = b
            .files
            .iter()
            .filter_map(|(path, bytes)| {
                let name = path.strip_prefix("resolvers/").ok()?.to_str()?;
                let search = name.starts_with("Query.search") || name.starts_with("Query.find");
                search.then(|| {
                    (
                        name.to_string(),
                        String::from_utf8_lossy(bytes).into_owned(),
                    )
                })
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: no search resolver", f.rel);
        let out: String = files
            .iter()
            .map(|(name, t)| format!("===== {name}\n{t}\n"))
            .collect();
        snapshot(&format!("{}-resolvers", &f.name[4..]), &f.rel, out);
    }
}

#[test]
fn the_search_column_reads_like_the_other_read_operations() {
    // `read` grants search with get, list, listen and sync; a model without @searchable shows
    // the column too, as the reference prints it.
    let f = fixture("searchable-owner-groups-public-field-rules");
    let (sources, config, _) = load(&f);
    let (normalised, _) = amplify_gql::analyse(&sources, &config);
    let n = normalised.expect("parsed");
    let model = n.schema.model("Post").expect("Post");
    let auth = n.auth_of("Post").cloned().unwrap_or_default();
    let matrix = Acm::build(model, &auth, RoleNaming::Printed).expect("roles");
    let table = acm::table(&matrix, Columns::Operations);
    assert!(table.contains("search"), "{table}");
}

#[test]
fn the_searchable_stack_streams_every_model_into_one_domain() {
    let f = fixture("searchable-query-name-keys-relations");
    let b = build(&f);
    let stack = json(&b, "stacks/SearchableStack.json");
    let resources = stack["Resources"].as_object().expect("resources");
    let of_type = |t: &str| -> Vec<&String> {
        resources
            .iter()
            .filter(|(_, r)| r["Type"] == t)
            .map(|(k, _)| k)
            .collect()
    };
    assert_eq!(of_type("AWS::Elasticsearch::Domain"), ["OpenSearchDomain"]);
    assert_eq!(of_type("AWS::IAM::Role").len(), 2);
    assert_eq!(of_type("AWS::Lambda::Function").len(), 1);
    assert_eq!(of_type("AWS::Lambda::EventSourceMapping").len(), 2);
    let ds = &resources[of_type("AWS::AppSync::DataSource")[0]];
    assert_eq!(ds["Properties"]["Type"], "AMAZON_ELASTICSEARCH");
    // One resolver per searchable model, under the query name the directive gives.
    let book = &resources["SearchBookResolver"]["Properties"];
    assert_eq!(book["FieldName"], "findBooks");
    let init = book["RequestMappingTemplate"].to_string();
    assert!(init.contains("AMAZON_ELASTICSEARCH"), "{init}");
    assert!(init.contains("endpoint"), "{init}");
    assert_eq!(
        resources["SearchAuthorResolver"]["Properties"]["FieldName"],
        "searchAuthors"
    );
    // The function reads its code from the deployment bucket, where the build puts it.
    let function = &resources[of_type("AWS::Lambda::Function")[0]]["Properties"];
    assert!(
        function["Code"]["S3Key"]
            .to_string()
            .contains("/functions/OpenSearchStreamingLambdaFunction.zip")
    );
    assert_eq!(function["Runtime"], "python3.12");

    // Each model stack exports its table's stream for the mappings.
    for model in ["Book", "Author"] {
        let outputs = json(&b, &format!("stacks/{model}.json"))["Outputs"].clone();
        assert!(
            outputs
                .as_object()
                .expect("outputs")
                .keys()
                .any(|k| k.ends_with("StreamArn") && k.contains(&format!("{model}Table"))),
            "{model}: {outputs}"
        );
    }
    // The root stack declares the OpenSearch parameters and nests the stack.
    let root_template = json(&b, "cloudformation-template.json");
    let params: Vec<&String> = root_template["Parameters"]
        .as_object()
        .expect("parameters")
        .keys()
        .filter(|k| k.starts_with("OpenSearch"))
        .collect();
    assert_eq!(params.len(), 11, "{params:?}");
    assert_eq!(
        root_template["Parameters"]["OpenSearchInstanceType"]["Default"],
        "t2.small.elasticsearch"
    );
    assert_eq!(
        root_template["Resources"]["SearchableStack"]["Type"],
        "AWS::CloudFormation::Stack"
    );
}

#[test]
fn the_streaming_function_is_ours_and_byte_stable() {
    let f = fixture("searchable-no-auth");
    let a = build(&f);
    let zip = a
        .get("functions/OpenSearchStreamingLambdaFunction.zip")
        .expect("the function is written");
    assert_eq!(&zip[..4], b"PK\x03\x04");
    // The handler the stack's parameter names, stored uncompressed.
    let handler = b"python_streaming_function.py";
    assert!(zip.windows(handler.len()).any(|w| w == handler));
    let code = amplify_gql::plan::searchable::STREAMING_FUNCTION.1;
    assert!(zip.windows(code.len()).any(|w| w == code));
    assert_eq!(
        zip,
        build(&f)
            .get("functions/OpenSearchStreamingLambdaFunction.zip")
            .expect("again")
    );
    // A schema without @searchable ships no function.
    let plain = fixtures("ok")
        .into_iter()
        .find(|f| f.name == "ok__owner-default")
        .expect("fixture");
    assert!(
        build(&plain)
            .get("functions/OpenSearchStreamingLambdaFunction.zip")
            .is_none()
    );
}

/// The `#if( $util.authType() == "<mode>" )` block of a template, up to its `#end`.
fn mode_block<'a>(template: &'a str, mode: &str) -> &'a str {
    let start = template
        .find(&format!("#if( $util.authType() == \"{mode}\" )"))
        .unwrap_or_else(|| panic!("no {mode} block"));
    let rest = &template[start..];
    let end = rest.find("\n#end").expect("block end");
    &rest[..end]
}

#[test]
fn an_owner_searches_only_documents_it_owns() {
    let b = build(&fixture("searchable-owner-groups-public-field-rules"));
    let auth = text(&b, "resolvers/Query.searchPosts.auth.1.req.vtl");
    let pools = mode_block(&auth, "User Pool Authorization");
    // The owner's identity (sub, username, sub::username) must be in the document's owner
    // field; a dynamic group's members match on the groups field (a list: no `.keyword`).
    assert!(pools.contains("\"owner.keyword\": {"), "{pools}");
    assert!(pools.contains("\"terms\": $ownerClaimsList0"), "{pools}");
    assert!(pools.contains("\"editors\": {"), "{pools}");
    // The filter applies unless a static role (the Admin group) already authorised the caller.
    assert!(pools.contains("#if( !$isAuthorized && !$authFilterConditions.isEmpty() )"));
    assert!(pools.contains("$util.qr($ctx.stash.put(\"authFilter\""));
    // The request combines the caller's filter with the auth filter (both must match).
    let req = text(&b, "resolvers/Query.searchPosts.req.vtl");
    assert!(req.contains("\"must\":     [$ctx.stash.authFilter, $util.parseJson"));
    assert!(req.contains("#set( $indexPath = \"/post/_search\" )"));
    // Without a static role and without a filter, the request is refused.
    assert!(auth.contains(
        "#if( !$isAuthorized && $util.isNull($ctx.stash.authFilter) )\n$util.unauthorized()"
    ));
}

#[test]
fn a_role_cannot_aggregate_on_fields_it_may_not_read() {
    let b = build(&fixture("searchable-owner-groups-public-field-rules"));
    let auth = text(&b, "resolvers/Query.searchPosts.auth.1.req.vtl");
    // `secret` is readable by the owner and Admin only: it is not aggregatable by default,
    // the API key (public read) adds every field but `secret`, Admin gets every field.
    assert!(auth.contains(
        "#set( $allowedAggFields = [\"createdAt\",\"updatedAt\",\"owner\",\"id\",\"title\",\"status\",\"editors\",\"views\"] )"
    ));
    let api_key = mode_block(&auth, "API Key Authorization");
    assert!(
        api_key.contains(
            "$allowedAggFields.addAll([\"id\",\"title\",\"status\",\"editors\",\"views\"])"
        )
    );
    assert!(!api_key.contains("secret"));
    // An owner aggregates on `secret` over its own documents only.
    assert!(
        auth.contains("$util.qr($ctx.stash.put(\"aggFieldsFilterMap\", {\"secret\":[$owner0]}))")
    );
    // The request refuses an aggregation outside both lists.
    let req = text(&b, "resolvers/Query.searchPosts.req.vtl");
    assert!(req.contains("#if( $allowedAggFields.contains($aggItem.field) )"));
    assert!(req.contains(
        "$util.error(\"Unauthorized to run aggregation on field: ${aggItem.field}\", \"Unauthorized\")"
    ));
}

#[test]
fn sandbox_lets_the_api_key_search_and_aggregate_on_declared_fields() {
    let b = build(&fixture("searchable-sandbox"));
    let post_auth = text(&b, "resolvers/Query.searchTodos.postAuth.1.res.vtl");
    assert!(post_auth.contains("#if( $util.authType() == \"API Key Authorization\" )"));
    assert!(
        post_auth
            .contains("$ctx.stash.put(\"allowedAggFields\", [\"id\",\"name\",\"due\",\"rank\"])")
    );
    // Dates and numbers are sorted and aggregated on as they are, text on `.keyword`.
    let req = text(&b, "resolvers/Query.searchTodos.req.vtl");
    assert!(
        req.contains(
            "#set( $nonKeywordFields = [\"due\", \"rank\", \"createdAt\", \"updatedAt\"] )"
        )
    );
}
