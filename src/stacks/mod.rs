//! The CloudFormation stacks of the build: which resources exist, in which stack, under
//! which logical id, and how the stacks pass values to each other.
//!
//! - `root`: the root stack's parameters, the API, its auth modes, schema, key and outputs;
//! - `model`: one nested stack per `@model` (table, role, data source);
//! - `pipelines`: the resolver plan's functions (de-duplicated) and pipeline resolvers;
//! - `iam`: managed policies for identity-pool rules;
//! - `refs`: CDK's cross-stack parameters and outputs;
//! - `user`: the project's own stacks;
//! - `datastore`: DataStore's delta-sync table and the versioned models' additions;
//! - `cdk`: CDK's logical-id algorithm and Amplify's names.
//!
//! Everything is decided here; `emit::cfn` only prints the templates.

pub mod cdk;
pub mod datastore;
pub mod iam;
pub mod invoke;
pub mod model;
pub mod pipelines;
pub mod policy;
pub mod refs;
pub mod root;
pub mod searchable;
pub mod template;
pub mod user;

use std::collections::HashMap;

pub use model::{AttributeType, SecondaryIndex, TableKeys};
pub use refs::{Release, Resolved};

use crate::ast::TypeRef;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::ObjectModel;
use crate::model::keys;
use crate::model::operations::MutationKind;
use crate::plan::relations::RelationKind;
use crate::plan::{ModelPlan, Plan};
use crate::project::StackSettings;
use crate::resolvers::{DataSourceRef, Resolver, ResolverKind, ResolverPlan};
use template::{Cfn, Element, Resource, StackName, StackSet, join, map, pseudo};

/// The name of the nested stack of relational resolvers.
pub const CONNECTION_STACK: &str = "ConnectionStack";

/// Builds every template. `Err` carries a problem with the project's own stacks.
pub fn build(
    plan: &Plan,
    resolvers: &ResolverPlan,
    settings: &StackSettings,
) -> Result<Resolved, Diagnostic> {
    let mut nested = Vec::new();
    let root = build_with(
        plan,
        resolvers,
        settings,
        None,
        Release::AtEnd,
        &mut |_, s| nested.push(s),
    )?;
    Ok(Resolved { root, nested })
}

/// Builds every template, handing each nested stack to `done` as soon as it is finished
/// (with its position in the order of creation, the project's own last), and returns the
/// root; until then nested stacks keep their resources' properties as `print_ahead`'s text.
/// The same templates as `build`'s, with a fraction of them in memory at once.
pub fn build_streaming(
    plan: &Plan,
    resolvers: &ResolverPlan,
    settings: &StackSettings,
    print_ahead: template::PrintAhead,
    done: &mut dyn FnMut(usize, template::Stack),
) -> Result<template::Stack, Diagnostic> {
    let release = Release::WhenFinished;
    build_with(plan, resolvers, settings, Some(print_ahead), release, done)
}

fn build_with(
    plan: &Plan,
    resolvers: &ResolverPlan,
    settings: &StackSettings,
    print_ahead: Option<template::PrintAhead>,
    release: Release,
    done: &mut dyn FnMut(usize, template::Stack),
) -> Result<template::Stack, Diagnostic> {
    if let Some((id, stack)) = settings.stack_mapping.iter().find(|(id, _)| {
        resolvers
            .invoke_resolvers
            .iter()
            .any(|r| cdk::generic_logical_id(&r.type_name, &r.field_name) == *id)
    }) {
        return Err(Diagnostic::error(
            Code::InvokeOverrideUnsupported,
            format!("StackMapping moves {id}, the resolver of a @function or @http field, to {stack}: amplify-gql does not move those resolvers yet"),
        )
        .in_file(settings.stack_mapping_file.clone())
        .with_help("remove the entry from StackMapping in transform.conf.json (the resolver stays in FunctionDirectiveStack or HttpStack), or compile with the Amplify CLI"));
    }
    let config = plan.config;
    let mut set = StackSet::new();
    set.print_ahead = print_ahead;
    let searchable_models = &plan.searchable;
    let root = root::build(
        &mut set.root,
        &config.auth,
        !plan.models.is_empty(),
        if searchable_models.is_empty() {
            Vec::new()
        } else {
            searchable::root_parameters()
        },
        settings,
    );
    if crate::plan::datastore::enabled(config) {
        datastore::add_root(&mut set.root, &root);
    }

    let mut model_refs = HashMap::new();
    for m in &plan.models {
        let name = m.model.name.text.clone();
        let stack = add_nested_stack(&mut set, &root, &name, true);
        let keys = table_keys(m, plan);
        let sync = crate::plan::datastore::sync_config(config, &name);
        let refs = model::build(set.stack_mut(&stack), &name, &keys, &root, sync);
        model_refs.insert(name, refs);
    }
    let invoke_ctx = invoke::InvokeContext {
        root: &root,
        iam: config.auth.has(crate::config::AuthModeKind::Iam),
        identity_pool_id: config.identity_pool_id.as_deref(),
        admin_roles: &config.admin_roles,
        disable_deduping: settings.disable_resolver_deduping,
    };
    invoke::add(&mut set, resolvers, &invoke_ctx, &mut |set, name| {
        add_nested_stack(set, &root, name, false)
    });
    let logical_id_of = |r: &Resolver| resolver_logical_id(r, plan);
    let mapped = |r: &Resolver| -> Option<String> {
        let id = logical_id_of(r);
        settings
            .stack_mapping
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, s)| s.clone())
    };
    let needs_connection_stack = resolvers
        .resolvers
        .iter()
        .any(|r| r.model.is_none() && r.kind == ResolverKind::Relational && mapped(r).is_none());
    // Stacks that StackMapping names come before the connection stack, as in the reference.
    for r in &resolvers.resolvers {
        if let Some(s) = mapped(r)
            && !set.has_nested(&s)
        {
            add_nested_stack(&mut set, &root, &s, false);
        }
    }
    if needs_connection_stack {
        add_nested_stack(&mut set, &root, CONNECTION_STACK, false);
    }
    let search = (!searchable_models.is_empty()).then(|| {
        let stack = add_nested_stack(&mut set, &root, searchable::STACK, false);
        let tables: Vec<searchable::Streamed> = searchable_models
            .iter()
            .filter_map(|s| {
                let refs = model_refs.get(&s.model)?;
                Some(searchable::Streamed {
                    index: s.model.clone(),
                    stream_arn: refs.table.get_att("StreamArn"),
                })
            })
            .collect();
        let versioned = crate::plan::datastore::enabled(config);
        searchable::build(
            set.stack_mut(&stack),
            &root,
            &tables,
            versioned,
            settings.search_node_to_node_encryption,
        )
    });
    iam::add_policies(&mut set.root, plan, &root);
    let stack_of = |r: &Resolver| -> StackName {
        if let Some(s) = mapped(r) {
            return StackName::Nested(s);
        }
        if r.data_source == DataSourceRef::OpenSearch {
            return StackName::Nested(searchable::STACK.into());
        }
        match (&r.model, r.kind) {
            (Some(m), _) => StackName::Nested(m.clone()),
            (None, ResolverKind::Relational) => StackName::Nested(CONNECTION_STACK.into()),
            (None, _) => StackName::Root,
        }
    };
    let ctx = pipelines::PipelineContext {
        root: &root,
        models: &model_refs,
        disable_deduping: settings.disable_resolver_deduping,
        stack_of: &stack_of,
        logical_id_of: &logical_id_of,
        identity_pool_id: config.identity_pool_id.as_deref(),
        admin_roles: &config.admin_roles,
        search: search.as_ref(),
        sync_config: &|m: &str| crate::plan::datastore::sync_config(config, m),
    };
    pipelines::add(&mut set, resolvers, &ctx);
    user::check_names(&set, &settings.user_stacks).map_err(|m| {
        Diagnostic::error(Code::ProjectInvalid, m)
            .with_help("rename the stack in the API's stacks/ folder")
    })?;
    let generated = set.nested.len();
    let mut root = refs::resolve(set, release, done);
    for (i, stack) in user::merge(&mut root, &settings.user_stacks)
        .into_iter()
        .enumerate()
    {
        done(generated + i, stack);
    }
    Ok(root)
}

/// Creates a nested stack and its resource in the root; model stacks pass the DynamoDB
/// parameters on.
fn add_nested_stack(
    set: &mut StackSet,
    root: &root::RootRefs,
    name: &str,
    dynamodb: bool,
) -> StackName {
    let stack = StackName::Nested(name.to_string());
    let position = set.add_nested(name);
    set.root.elements.push(Element::Nested(position));
    let parameters: Vec<(template::Key, Cfn)> = if dynamodb {
        root::dynamodb_parameters()
            .into_iter()
            .map(|(p, _)| (p.into(), template::Target::root_parameter(p).reference()))
            .collect()
    } else {
        Vec::new()
    };
    let url = join(
        "",
        [
            "https://s3.".into(),
            pseudo("AWS::Region"),
            ".".into(),
            pseudo("AWS::URLSuffix"),
            "/".into(),
            root.bucket.reference(),
            "/".into(),
            root.root_key.reference(),
            format!("/stacks/{name}.json").into(),
        ],
    );
    let target = refs::nested_stack_resource(name);
    let path: Vec<&str> = target.path.iter().map(String::as_str).collect();
    set.root.resource(Resource::new(
        target.logical_id.clone(),
        &path,
        "AWS::CloudFormation::Stack",
        map([("Parameters", Cfn::Map(parameters)), ("TemplateURL", url)]),
    ));
    stack
}

/// The logical id of a resolver: the model's own operations are `Get<T>Resolver`,
/// `List<T>Resolver`, `Sync<T>Resolver`, `Create<T>Resolver`, …, `Search<T>Resolver`; every
/// other resolver is
/// `<Type><field>Resolver`.
pub fn resolver_logical_id(r: &Resolver, plan: &Plan) -> String {
    if let (Some(m), DataSourceRef::OpenSearch) = (&r.model, &r.data_source) {
        return format!("Search{}Resolver", cdk::resource_name(m));
    }
    if let Some(m) = &r.model
        && let Some(ops) = plan.model(m).map(|m| &m.operations)
        && matches!(r.kind, ResolverKind::Query | ResolverKind::Mutation)
    {
        let field = Some(r.field_name.as_str());
        let verb = match r.type_name.as_str() {
            "Query" if ops.get.as_deref() == field => Some("Get"),
            "Query" if ops.list.as_deref() == field => Some("List"),
            "Query" if ops.sync.as_deref() == field => Some("Sync"),
            "Mutation" if ops.mutation(MutationKind::Create) == field => Some("Create"),
            "Mutation" if ops.mutation(MutationKind::Update) == field => Some("Update"),
            "Mutation" if ops.mutation(MutationKind::Delete) == field => Some("Delete"),
            _ => None,
        };
        if let Some(verb) = verb {
            return format!("{verb}{}Resolver", cdk::resource_name(m));
        }
    }
    cdk::generic_logical_id(&r.type_name, &r.field_name)
}

/// The DynamoDB type of a key field.
fn attribute_type(model: &ObjectModel, field: &str) -> AttributeType {
    let named = keys::field_type(model, field).map(|t| {
        let mut t = t;
        while let TypeRef::NonNull(inner) | TypeRef::List(inner) = t {
            t = inner;
        }
        match t {
            TypeRef::Named(n) => n.clone(),
            _ => String::new(),
        }
    });
    match named.as_deref() {
        Some("Int" | "Float" | "AWSTimestamp" | "BigInt" | "Double") => AttributeType::Number,
        _ => AttributeType::String,
    }
}

/// The table keys of a model: `@primaryKey` (or `id`), its `@index`es as secondary indexes,
/// then a `gsi-<Parent>.<field>` index on the foreign keys of each implicit `@hasMany`, and
/// of each `@hasMany`/`@hasOne` with `references:`, that points at the model. A composite sort key is stored as one string attribute `a#b`.
pub fn table_keys(m: &ModelPlan, plan: &Plan) -> TableKeys {
    let (model, config) = (m.model, plan.config);
    let pk = &m.key;
    let mut attributes: Vec<(String, AttributeType)> = Vec::new();
    let define = |attrs: &mut Vec<(String, AttributeType)>, name: String, t: AttributeType| {
        if !attrs.iter().any(|(a, _)| *a == name) {
            attrs.push((name, t));
        }
    };
    let sort_attribute = |fields: &[String]| -> Option<(String, AttributeType)> {
        match fields {
            [] => None,
            [one] => Some((one.clone(), attribute_type(model, one))),
            many => Some((many.join("#"), AttributeType::String)),
        }
    };
    define(
        &mut attributes,
        pk.partition.clone(),
        attribute_type(model, &pk.partition),
    );
    let sort = sort_attribute(&pk.sort);
    if let Some((s, t)) = &sort {
        define(&mut attributes, s.clone(), *t);
    }
    let mut global_indexes = Vec::new();
    let mut local_indexes = Vec::new();
    for index in keys::indexes(model, config) {
        define(
            &mut attributes,
            index.partition.clone(),
            attribute_type(model, &index.partition),
        );
        let isort = sort_attribute(&index.sort);
        if let Some((s, t)) = &isort {
            define(&mut attributes, s.clone(), *t);
        }
        let secondary = SecondaryIndex {
            name: index.name.clone(),
            partition: index.partition.clone(),
            sort: isort.map(|(s, _)| s),
        };
        if !config.flags.secondarykeyasgsi && index.partition == pk.partition {
            local_indexes.push(secondary);
        } else {
            global_indexes.push(secondary);
        }
    }
    // The relational transformers add theirs after the @index ones: `@hasMany` first (implicit
    // or `references:`), then `@hasOne(references:)`.
    let typed = |f: &String| {
        let ty = model
            .field(f)
            .map_or("ID".to_string(), |d| d.ty.base().to_string());
        (f.clone(), ty)
    };
    let keyed = plan.relations_keyed_on(&model.name.text);
    let related_keys = keyed
        .clone()
        .filter(|r| r.kind == RelationKind::HasMany)
        .chain(keyed.filter(|r| r.kind == RelationKind::HasOne))
        .filter_map(|r| {
            if !r.references.is_empty() {
                if r.related != model.name.text {
                    return None;
                }
                let keys: Vec<(String, String)> = r.references.iter().map(typed).collect();
                return Some((r, keys[0].clone(), keys[1..].to_vec()));
            }
            let added = r.added.as_ref()?;
            if r.kind != RelationKind::HasMany
                || added.on != model.name.text
                || r.index_name.is_some()
            {
                return None;
            }
            let (first, rest) = added.index_key();
            Some((r, first.clone(), rest.to_vec()))
        });
    for (r, (first, first_type), rest) in related_keys {
        let scalar = |t: &str| match t {
            "Int" | "Float" | "AWSTimestamp" => AttributeType::Number,
            _ => AttributeType::String,
        };
        define(&mut attributes, first.clone(), scalar(&first_type));
        let sort = match rest.as_slice() {
            [] => None,
            [(one, t)] => Some((one.clone(), scalar(t))),
            many => Some((
                many.iter()
                    .map(|(f, _)| f.as_str())
                    .collect::<Vec<_>>()
                    .join("#"),
                AttributeType::String,
            )),
        };
        if let Some((s, t)) = &sort {
            define(&mut attributes, s.clone(), *t);
        }
        global_indexes.push(SecondaryIndex {
            name: format!("gsi-{}.{}", r.model, r.field),
            partition: first.clone(),
            sort: sort.map(|(s, _)| s),
        });
    }
    TableKeys {
        partition: pk.partition.clone(),
        sort: sort.map(|(s, _)| s),
        attributes,
        global_indexes,
        local_indexes,
    }
}
