//! The AppSync functions and pipeline resolvers of the resolver plan, placed in their stacks.
//!
//! Each resolver creates its request-slot functions, then its response-slot functions, then
//! its data function, then itself (the order CDK creates them in). Unless de-duplication is
//! off, a function whose data source and template contents equal those of a function made
//! earlier is not created again: the resolver uses the first one, in whatever stack it is.

use std::collections::HashMap;

use super::cdk::unique_id;
use super::model::ModelRefs;
use super::root::RootRefs;
use super::template::{Cfn, Resource, StackName, StackSet, Target, TokenString, join};
use crate::ast::build::pascal_case;
use crate::config::SyncConfig;
use crate::resolvers::{DataSourceRef, Function, Resolver, ResolverPlan};
use crate::resolvers::{Digest, EMPTY_TEMPLATE, digest};

/// What placing resolvers needs to know besides the plan.
pub struct PipelineContext<'a> {
    pub root: &'a RootRefs,
    pub models: &'a HashMap<String, ModelRefs>,
    pub disable_deduping: bool,
    /// The stack of each resolver.
    pub stack_of: &'a (dyn Fn(&Resolver) -> StackName + Sync),
    /// The logical id of each resolver.
    pub logical_id_of: &'a (dyn Fn(&Resolver) -> String + Sync),
    pub identity_pool_id: Option<&'a str>,
    pub admin_roles: &'a [String],
    /// The OpenSearch domain and data source, with `@searchable`.
    pub search: Option<&'a super::searchable::SearchRefs>,
    /// A model's DataStore strategy; `None` without DataStore.
    pub sync_config: &'a (dyn Fn(&str) -> Option<&'a SyncConfig> + Sync),
}

/// A resolver of a batch, placed: its stack, the functions it creates and the function of
/// each of its steps.
struct Placed<'p> {
    resolver: &'p Resolver,
    stack: StackName,
    logical_id: String,
    /// Steps whose function this resolver creates, in creation order, with its target.
    creates: Vec<(usize, Target)>,
    /// The function of each step (in pipeline order).
    functions: Vec<Target>,
}

/// Resolvers placed, built and printed at a time: which functions exist is decided in
/// order, one resolver after another; building and printing their resources, most of the
/// work, runs on every core; the resources then join their stacks in the same order.
const BATCH: usize = 64;

/// Adds every function and resolver of `plan` to the stacks.
pub fn add(set: &mut StackSet, plan: &ResolverPlan, ctx: &PipelineContext) {
    use rayon::prelude::*;
    let mut made: HashMap<(String, Digest, Digest), Target> = HashMap::new();
    let auth_functions_at = |set: &mut StackSet, position: usize| {
        for f in plan
            .auth_functions
            .iter()
            .filter(|f| f.position == position)
        {
            if ctx.disable_deduping || super::invoke::is_first_alike(plan, f) {
                super::invoke::add_auth_function(set, f, ctx.root);
            }
        }
    };
    let print = set.print_ahead;
    for (b, batch) in plan.resolvers.chunks(BATCH).enumerate() {
        let placed: Vec<Placed> = batch
            .iter()
            .map(|resolver| place(resolver, plan, ctx, &mut made))
            .collect();
        let built: Vec<Vec<Resource>> = placed
            .par_iter()
            .map(|p| {
                let mut resources: Vec<Resource> = p
                    .creates
                    .iter()
                    .map(|(i, t)| function_resource(&p.resolver.functions[*i], t, ctx))
                    .collect();
                resources.push(resolver_resource(p, ctx));
                if let Some(print) = print {
                    for r in &mut resources {
                        super::template::print_ahead(r, print, &p.stack);
                    }
                }
                resources
            })
            .collect();
        for (k, (p, resources)) in placed.iter().zip(built).enumerate() {
            auth_functions_at(set, b * BATCH + k);
            let stack = set.stack_mut(&p.stack);
            for r in resources {
                stack.resource(r);
            }
        }
    }
    auth_functions_at(set, plan.resolvers.len());
}

/// Decides which functions `resolver` creates and which it shares with a resolver before
/// it (unless de-duplication is off, a function whose data source and templates equal an
/// earlier one's).
fn place<'p>(
    resolver: &'p Resolver,
    plan: &ResolverPlan,
    ctx: &PipelineContext,
    made: &mut HashMap<(String, Digest, Digest), Target>,
) -> Placed<'p> {
    let stack = (ctx.stack_of)(resolver);
    let data_at = resolver
        .functions
        .iter()
        .position(|f| f.slot.is_none())
        .unwrap_or(resolver.functions.len());
    // Request slots, response slots, then the data function: the order CDK creates them in.
    let creation = (0..data_at)
        .chain(data_at + 1..resolver.functions.len())
        .chain((data_at < resolver.functions.len()).then_some(data_at));
    let mut ids: Vec<Option<Target>> = vec![None; resolver.functions.len()];
    let mut creates = Vec::new();
    for i in creation {
        let f = &resolver.functions[i];
        let key = (
            data_source_name(&f.data_source),
            template_digest(plan, f.request.as_deref()),
            template_digest(plan, f.response.as_deref()),
        );
        let target = match made.get(&key) {
            Some(t) if !ctx.disable_deduping => t.clone(),
            _ => {
                let t = function_target(&stack, resolver, f);
                made.entry(key).or_insert_with(|| t.clone());
                creates.push((i, t.clone()));
                t
            }
        };
        ids[i] = Some(target);
    }
    Placed {
        resolver,
        logical_id: (ctx.logical_id_of)(resolver),
        stack,
        creates,
        functions: ids.into_iter().flatten().collect(),
    }
}

fn resolver_resource(p: &Placed, ctx: &PipelineContext) -> Resource {
    let resolver = p.resolver;
    let functions: Vec<Cfn> = p
        .functions
        .iter()
        .map(|t| t.get_att("FunctionId"))
        .collect();
    ctx.root.pipeline_resolver(
        &p.logical_id,
        (&resolver.type_name, &resolver.field_name),
        functions,
        init_stash(resolver, ctx),
        (
            "ResponseMappingTemplate",
            "$util.toJson($ctx.prev.result)".into(),
        ),
    )
}

fn data_source_name(ds: &DataSourceRef) -> String {
    match ds {
        DataSourceRef::None => "NONE_DS".to_string(),
        DataSourceRef::Model(m) => format!("{m}Table"),
        DataSourceRef::OpenSearch => "OpenSearchDataSource".to_string(),
    }
}

/// What de-duplication compares of a function's template: the digest of its text (of the
/// inline default when it has no file).
fn template_digest(plan: &ResolverPlan, file: Option<&str>) -> Digest {
    match file {
        Some(f) => plan.digest_of(f).unwrap_or_else(|| digest("")),
        None => digest(EMPTY_TEMPLATE),
    }
}

/// The construct id (and `Name`) of a function.
pub fn function_name(resolver: &Resolver, f: &Function) -> String {
    match f.slot {
        Some((slot, index)) => format!(
            "{}{}{}{index}Function",
            resolver.type_name,
            resolver.field_name,
            slot.as_str()
        ),
        None => pascal_case(&[&resolver.type_name, &resolver.field_name, "DataResolverFn"]),
    }
}

/// The function `f` of `resolver` made in `stack`: its logical id and construct path
/// (`[name, "<name>.AppSyncFunction"]`).
fn function_target(stack: &StackName, resolver: &Resolver, f: &Function) -> Target {
    let name = function_name(resolver, f);
    let child = format!("{name}.AppSyncFunction");
    Target::of(
        stack.clone(),
        unique_id(&[&name, &child]),
        vec![name, child],
    )
}

/// The resource of function `f`, made as `target` (see [`function_target`]).
fn function_resource(f: &Function, target: &Target, ctx: &PipelineContext) -> Resource {
    let name = &target.path[0];
    let s3 = |file: &str| {
        join(
            "",
            [
                "s3://".into(),
                ctx.root.bucket.reference(),
                "/".into(),
                ctx.root.root_key.reference(),
                format!("/resolvers/{file}").into(),
            ],
        )
    };
    let (data_source, ds_dependency) = match &f.data_source {
        DataSourceRef::None => (ctx.root.none_data_source.get_att("Name"), None),
        DataSourceRef::OpenSearch => (search_refs(ctx).data_source.get_att("Name"), None),
        DataSourceRef::Model(m) => {
            let ds = &ctx.models[m].data_source;
            (ds.get_att("Name"), Some(ds.clone()))
        }
    };
    let mut props = vec![
        ("ApiId".into(), ctx.root.api.get_att("ApiId")),
        ("DataSourceName".into(), data_source),
        ("FunctionVersion".into(), "2018-05-29".into()),
        ("Name".into(), name.as_str().into()),
    ];
    match &f.request {
        Some(file) => props.push(("RequestMappingTemplateS3Location".into(), s3(file))),
        None => props.push(("RequestMappingTemplate".into(), EMPTY_TEMPLATE.into())),
    }
    match &f.response {
        Some(file) => props.push(("ResponseMappingTemplateS3Location".into(), s3(file))),
        None => props.push(("ResponseMappingTemplate".into(), EMPTY_TEMPLATE.into())),
    }
    // The data function of a versioned table settles conflicts.
    if f.slot.is_none()
        && let DataSourceRef::Model(m) = &f.data_source
        && let Some(sync) = (ctx.sync_config)(m)
    {
        props.push((
            "SyncConfig".into(),
            super::datastore::function_sync_config(sync, &ctx.root.env.reference()),
        ));
    }
    let path: Vec<&str> = target.path.iter().map(String::as_str).collect();
    let mut resource = Resource::new(
        target.logical_id.as_str(),
        &path,
        "AWS::AppSync::FunctionConfiguration",
        Cfn::Map(props),
    )
    .depending_on(ctx.root.schema.clone());
    if let Some(ds) = ds_dependency {
        resource = resource.depending_on(ds);
    }
    resource
}

/// The resolver's own request template: it fills the stash the functions read.
fn init_stash(resolver: &Resolver, ctx: &PipelineContext) -> Cfn {
    let source_type = match resolver.data_source {
        DataSourceRef::None => "NONE",
        DataSourceRef::Model(_) => "AMAZON_DYNAMODB",
        DataSourceRef::OpenSearch => "AMAZON_ELASTICSEARCH",
    };
    let mut t = TokenString::new()
        .text(&format!(
            "$util.qr($ctx.stash.put(\"typeName\", \"{}\"))\n",
            resolver.type_name
        ))
        .text(&format!(
            "$util.qr($ctx.stash.put(\"fieldName\", \"{}\"))\n",
            resolver.field_name
        ))
        .text("$util.qr($ctx.stash.put(\"conditions\", []))\n")
        .text("$util.qr($ctx.stash.put(\"metadata\", {}))\n")
        .text(&format!(
            "$util.qr($ctx.stash.metadata.put(\"dataSourceType\", \"{source_type}\"))\n"
        ))
        .text("$util.qr($ctx.stash.metadata.put(\"apiId\", \"")
        .token(ctx.root.api.get_att("ApiId"))
        .text("\"))\n")
        .text("$util.qr($ctx.stash.put(\"connectionAttributes\", {}))\n");
    if resolver.data_source == DataSourceRef::OpenSearch {
        t = t
            .text("$util.qr($ctx.stash.put(\"endpoint\", \"https://")
            .token(search_refs(ctx).domain.get_att("DomainEndpoint"))
            .text("\"))");
    }
    if let DataSourceRef::Model(m) = &resolver.data_source {
        t = t
            .text("$util.qr($ctx.stash.put(\"tableName\", \"")
            .token(ctx.models[m].table.reference())
            .text("\"))");
        if (ctx.sync_config)(m).is_some() {
            t = t.text("\n$util.qr($ctx.stash.put(\"deltaSyncTableTtl\", 30))");
        }
    }
    t = ctx.root.stash_role_arns(t, "\n", "");
    if let Some(id) = ctx.identity_pool_id {
        t = t.text(&format!(
            "\n$util.qr($ctx.stash.put(\"identityPoolId\", \"{id}\"))"
        ));
    }
    let roles = serde_json::to_string(ctx.admin_roles).expect("a list of strings serialises");
    t.text(&format!(
        "\n$util.qr($ctx.stash.put(\"adminRoles\", {roles}))"
    ))
    .text("\n$util.toJson({})")
    .build()
}

fn search_refs<'a>(ctx: &PipelineContext<'a>) -> &'a super::searchable::SearchRefs {
    ctx.search
        .expect("the searchable stack exists when a resolver reads OpenSearch")
}
