//! `@searchable` schemas (`fixtures/searchable/`): the schema they compile to and their
//! access-control matrices are snapshots; a build is refused (E0802) rather than written
//! without the search resolvers and the OpenSearch stack.

mod common;

use amplify_gql::diagnostics::Code;
use amplify_gql::emit::acm::{self, Columns};
use amplify_gql::plan::{Acm, RoleNaming};
use common::{fixtures, load, root};

#[test]
fn searchable_schemas_and_matrices() {
    let all = fixtures("searchable");
    assert!(!all.is_empty());
    for f in &all {
        let (sources, config, mut diagnostics) = load(f);
        let (normalised, ds) = amplify_gql::analyse(&sources, &config);
        diagnostics.extend(ds.iter().cloned());
        assert!(!diagnostics.has_errors(), "{} has errors", f.rel);
        let n = normalised.expect("parsed");
        let schema = amplify_gql::emit::sdl::print(&amplify_gql::plan::schema::build(&n, &config));
        let mut text = schema;
        for model in n.schema.models() {
            let auth = n.auth_of(&model.name.text).cloned().unwrap_or_default();
            let matrix = Acm::build(model, &auth, RoleNaming::Printed).expect("no duplicate roles");
            text.push_str(&format!("\n## ACM {}\n\n", model.name.text));
            text.push_str(&acm::table(&matrix, Columns::Operations));
        }
        insta::with_settings!({
            snapshot_path => root().join("tests/snapshots/searchable"),
            prepend_module_to_snapshot => false,
            description => f.rel.clone(),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(f.name.clone(), text);
        });
    }
}

#[test]
fn a_searchable_build_is_refused_at_the_directive() {
    for f in fixtures("searchable") {
        let (sources, config, _) = load(&f);
        let (normalised, _) = amplify_gql::analyse(&sources, &config);
        let n = normalised.expect("parsed");
        let inputs =
            amplify_gql::project::BuildInputs::standalone("amplifyapi", &config, 0, "local");
        let Err(ds) = amplify_gql::compile_with(&n, &config, &inputs) else {
            panic!("{}: a build was written", f.rel);
        };
        let refused: Vec<_> = ds
            .errors()
            .filter(|d| d.code == Code::SearchableNotCompiled)
            .collect();
        assert!(!refused.is_empty(), "{}: no E0802", f.rel);
        assert!(
            refused.iter().all(|d| d.span.is_some()),
            "{}: E0802 without a location",
            f.rel
        );
    }
}

#[test]
fn the_search_column_reads_like_the_other_read_operations() {
    // `read` grants search with get, list, listen and sync; a model without @searchable shows
    // the column too, as the reference prints it.
    let f = fixtures("searchable")
        .into_iter()
        .find(|f| f.rel.ends_with("owner-groups-public-field-rules.graphql"))
        .expect("fixture");
    let (sources, config, _) = load(&f);
    let (normalised, _) = amplify_gql::analyse(&sources, &config);
    let n = normalised.expect("parsed");
    let model = n.schema.model("Post").expect("Post");
    let auth = n.auth_of("Post").cloned().unwrap_or_default();
    let matrix = Acm::build(model, &auth, RoleNaming::Printed).expect("roles");
    let table = acm::table(&matrix, Columns::Operations);
    assert!(table.contains("search"), "{table}");
}
