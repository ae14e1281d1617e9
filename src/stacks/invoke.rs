//! The nested stacks of `@function` (`FunctionDirectiveStack`) and `@http` (`HttpStack`):
//! per Lambda function or HTTP origin a data source with its service role, per call an AppSync
//! function, per field a pipeline resolver; and the auth functions `@auth` puts first in those
//! pipelines.

use std::collections::HashSet;

use super::cdk::generic_logical_id;
use super::cdk::unique_id;
use super::policy;
use super::root::RootRefs;
use super::template::{
    Cfn, Element, Resource, StackName, StackSet, Target, TokenString, equals, fn_if, join, list,
    map, not, pseudo, sub,
};
use crate::resolvers::EMPTY_TEMPLATE;
use crate::resolvers::{
    AuthFunction, HttpRequest, InvokeResolver, InvokeTarget, LambdaFunction, ResolverPlan,
};

pub const FUNCTION_STACK: &str = "FunctionDirectiveStack";
pub const HTTP_STACK: &str = "HttpStack";
const HAS_ENV: &str = "HasEnvironmentParameter";

/// What the invoke stacks need from the rest of the build.
pub struct InvokeContext<'a> {
    pub root: &'a RootRefs,
    /// The auth modes include IAM: resolvers stash the Cognito role ARNs.
    pub iam: bool,
    pub identity_pool_id: Option<&'a str>,
    pub admin_roles: &'a [String],
    pub disable_deduping: bool,
}

/// Creates the two stacks (when they have fields) with their resources. `add_nested` creates
/// an empty nested stack and its resource in the root.
pub fn add(
    set: &mut StackSet,
    plan: &ResolverPlan,
    ctx: &InvokeContext,
    add_nested: &mut dyn FnMut(&mut StackSet, &str) -> StackName,
) {
    let lambda: Vec<&InvokeResolver> = plan
        .invoke_resolvers
        .iter()
        .filter(|r| matches!(r.target, InvokeTarget::Lambda(_)))
        .collect();
    let http: Vec<&InvokeResolver> = plan
        .invoke_resolvers
        .iter()
        .filter(|r| matches!(r.target, InvokeTarget::Http(_)))
        .collect();
    if !plan.auth_functions.is_empty() {
        // The auth functions create the NONE data source before the pipelines would, without
        // a description.
        if let Some(ds) = set
            .root
            .find_resource_mut(&ctx.root.none_data_source.logical_id)
            && let Some(Cfn::Map(props)) = &mut ds.properties
        {
            props.retain(|(k, _)| k != "Description");
        }
    }
    if !lambda.is_empty() {
        let stack = add_nested(set, FUNCTION_STACK);
        let s = set.stack_mut(&stack);
        s.elements.push(Element::Section(
            "Description".into(),
            "An auto-generated nested stack for the @function directive.".into(),
        ));
        s.elements.push(Element::Section(
            "AWSTemplateFormatVersion".into(),
            "2010-09-09".into(),
        ));
        s.condition(
            HAS_ENV,
            not(equals(ctx.root.env.reference(), "NONE".into())),
        );
        let mut made: HashSet<String> = HashSet::new();
        for r in lambda {
            let InvokeTarget::Lambda(functions) = &r.target else {
                continue;
            };
            let mut ids: Vec<Cfn> = auth_target(plan, r, !ctx.disable_deduping)
                .map(|t| t.get_att("FunctionId"))
                .into_iter()
                .collect();
            ids.extend(
                functions
                    .iter()
                    .map(|f| function_target(&stack, &f.call.function_id()).get_att("FunctionId")),
            );
            // The resolver is made with its first function; the others join it later.
            for (i, f) in functions.iter().enumerate() {
                let ds_id = f.call.data_source_id();
                if made.insert(ds_id.clone()) {
                    add_lambda_data_source(set, &stack, f, ctx);
                }
                if made.insert(f.call.function_id()) {
                    let ds = Target::new(&stack, ds_id.clone(), &[&ds_id, "Resource"]);
                    add_function(
                        set,
                        &stack,
                        &f.call.function_id(),
                        &ds,
                        (
                            "RequestMappingTemplateS3Location",
                            file_location(ctx, &f.request),
                        ),
                        file_location(ctx, &f.response),
                        ctx,
                    );
                }
                if i == 0 {
                    add_resolver(set, &stack, r, std::mem::take(&mut ids), true, ctx);
                }
            }
        }
    }
    if !http.is_empty() {
        let stack = add_nested(set, HTTP_STACK);
        let s = set.stack_mut(&stack);
        s.elements.push(Element::Section(
            "Description".into(),
            "An auto-generated nested stack for the @http directive.".into(),
        ));
        s.elements.push(Element::Section(
            "AWSTemplateFormatVersion".into(),
            "2010-09-09".into(),
        ));
        let mut made: HashSet<String> = HashSet::new();
        for r in http {
            let InvokeTarget::Http(h) = &r.target else {
                continue;
            };
            if made.insert(h.data_source.clone()) {
                let role = service_role(set, &stack, &h.data_source);
                let endpoint = with_env_and_region(&h.origin, ctx);
                set.stack_mut(&stack).resource(Resource::new(
                    h.data_source.clone(),
                    &[&h.data_source, "Resource"],
                    "AWS::AppSync::DataSource",
                    map([
                        ("ApiId", ctx.root.api.get_att("ApiId")),
                        ("HttpConfig", map([("Endpoint", endpoint)])),
                        ("Name", h.data_source.as_str().into()),
                        ("ServiceRoleArn", role.get_att("Arn")),
                        ("Type", "HTTP".into()),
                    ]),
                ));
            }
            let ds = Target::new(&stack, h.data_source.clone(), &[&h.data_source, "Resource"]);
            let request = match &h.request {
                HttpRequest::File(f) => ("RequestMappingTemplateS3Location", file_location(ctx, f)),
                HttpRequest::Inline(text) => {
                    ("RequestMappingTemplate", with_env_and_region(text, ctx))
                }
            };
            add_function(
                set,
                &stack,
                &h.function,
                &ds,
                request,
                file_location(ctx, &h.response),
                ctx,
            );
            let function = function_target(&stack, &h.function);
            let mut ids: Vec<Cfn> = auth_target(plan, r, !ctx.disable_deduping)
                .map(|t| t.get_att("FunctionId"))
                .into_iter()
                .collect();
            ids.push(function.get_att("FunctionId"));
            add_resolver(set, &stack, r, ids, false, ctx);
        }
    }
}

/// The stack of an auth function: the `@function` stack, else the model's, else the root.
pub fn auth_function_stack(f: &AuthFunction) -> StackName {
    if f.is_function {
        StackName::Nested(FUNCTION_STACK.into())
    } else if let Some(m) = &f.model {
        StackName::Nested(m.clone())
    } else {
        StackName::Root
    }
}

/// The auth function a resolver runs first: its own, or an earlier one with the same
/// template, which AppSync functions are de-duplicated to.
fn auth_target(plan: &ResolverPlan, r: &InvokeResolver, dedupe: bool) -> Option<Target> {
    let f = plan
        .auth_functions
        .iter()
        .find(|f| f.type_name == r.type_name && f.field_name == r.field_name)?;
    let f = if dedupe { first_alike(plan, f) } else { f };
    Some(function_target(&auth_function_stack(f), &f.name()))
}

/// The first auth function whose template is the same as `f`'s.
fn first_alike<'a>(plan: &'a ResolverPlan, f: &'a AuthFunction) -> &'a AuthFunction {
    let text = plan.digest_of(&f.request);
    plan.auth_functions
        .iter()
        .find(|g| plan.digest_of(&g.request) == text)
        .unwrap_or(f)
}

/// Whether an auth function is made (not de-duplicated to an earlier one).
pub fn is_first_alike(plan: &ResolverPlan, f: &AuthFunction) -> bool {
    std::ptr::eq(first_alike(plan, f), f)
}

fn function_target(stack: &StackName, name: &str) -> Target {
    Target::of(
        stack.clone(),
        function_logical_id(name),
        function_path(name),
    )
}

/// Creates an auth function (on the `NONE` data source, request template only).
pub fn add_auth_function(set: &mut StackSet, f: &AuthFunction, root: &RootRefs) {
    let stack = auth_function_stack(f);
    let name = f.name();
    let path = function_path(&name);
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let resource = Resource::new(
        function_logical_id(&name),
        &path,
        "AWS::AppSync::FunctionConfiguration",
        map([
            ("ApiId", root.api.get_att("ApiId")),
            ("DataSourceName", root.none_data_source.get_att("Name")),
            ("FunctionVersion", "2018-05-29".into()),
            ("Name", name.as_str().into()),
            (
                "RequestMappingTemplateS3Location",
                s3_location(root, &f.request),
            ),
            ("ResponseMappingTemplate", EMPTY_TEMPLATE.into()),
        ]),
    )
    .depending_on(root.schema.clone());
    set.stack_mut(&stack).resource(resource);
}

fn function_logical_id(name: &str) -> String {
    unique_id(&[name, &format!("{name}.AppSyncFunction")])
}

fn function_path(name: &str) -> Vec<String> {
    vec![name.to_string(), format!("{name}.AppSyncFunction")]
}

fn s3_location(root: &RootRefs, file: &str) -> Cfn {
    join(
        "",
        [
            "s3://".into(),
            root.bucket.reference(),
            "/".into(),
            root.root_key.reference(),
            format!("/resolvers/{file}").into(),
        ],
    )
}

fn file_location(ctx: &InvokeContext, file: &str) -> Cfn {
    s3_location(ctx.root, file)
}

/// The role AppSync assumes to call a data source.
fn service_role(set: &mut StackSet, stack: &StackName, ds_id: &str) -> Target {
    set.stack_mut(stack).resource(Resource::new(
        unique_id(&[ds_id, "ServiceRole", "Resource"]),
        &[ds_id, "ServiceRole", "Resource"],
        "AWS::IAM::Role",
        map([(
            "AssumeRolePolicyDocument",
            policy::assumed_by("appsync.amazonaws.com"),
        )]),
    ))
}

/// The function's ARN: with the environment's name where the name has `${env}`, without it
/// (and its `-`) when the project has no environment.
fn lambda_arn(f: &LambdaFunction, ctx: &InvokeContext) -> Cfn {
    let call = &f.call;
    let with_env = if call.name.contains("${env}") {
        sub(
            &call.arn_template(&call.name),
            [("env", ctx.root.env.reference())],
        )
    } else {
        sub(&call.arn_template(&call.name), [])
    };
    let without = call.name.replacen("-${env}", "", 1);
    fn_if(
        HAS_ENV,
        with_env,
        map([("Fn::Sub", call.arn_template(&without).into())]),
    )
}

fn add_lambda_data_source(
    set: &mut StackSet,
    stack: &StackName,
    f: &LambdaFunction,
    ctx: &InvokeContext,
) {
    let ds_id = f.call.data_source_id();
    let role = service_role(set, stack, &ds_id);
    let arn = lambda_arn(f, ctx);
    let s = set.stack_mut(stack);
    policy::attach(
        s,
        &[ds_id.as_str(), "ServiceRole", "DefaultPolicy", "Resource"],
        vec![policy::allow(
            "lambda:InvokeFunction".into(),
            list([arn.clone(), join("", [arn.clone(), ":*".into()])]),
        )],
        &role,
    );
    s.resource(Resource::new(
        ds_id.clone(),
        &[&ds_id, "Resource"],
        "AWS::AppSync::DataSource",
        map([
            ("ApiId", ctx.root.api.get_att("ApiId")),
            ("LambdaConfig", map([("LambdaFunctionArn", arn)])),
            ("Name", ds_id.as_str().into()),
            ("ServiceRoleArn", role.get_att("Arn")),
            ("Type", "AWS_LAMBDA".into()),
        ]),
    ));
}

fn add_function(
    set: &mut StackSet,
    stack: &StackName,
    name: &str,
    ds: &Target,
    request: (&'static str, Cfn),
    response: Cfn,
    ctx: &InvokeContext,
) -> Target {
    let path = function_path(name);
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let mut props = vec![
        ("ApiId".into(), ctx.root.api.get_att("ApiId")),
        ("DataSourceName".into(), ds.get_att("Name")),
        ("FunctionVersion".into(), "2018-05-29".into()),
        ("Name".into(), name.into()),
    ];
    props.push((request.0.into(), request.1));
    props.push(("ResponseMappingTemplateS3Location".into(), response));
    let resource = Resource::new(
        function_logical_id(name),
        &path,
        "AWS::AppSync::FunctionConfiguration",
        Cfn::Map(props),
    )
    .depending_on(ctx.root.schema.clone())
    .depending_on(ds.clone());
    set.stack_mut(stack).resource(resource)
}

/// `Fn::Sub` of a text with `${env}` or `${aws_region}`; the text itself otherwise.
fn with_env_and_region(text: &str, ctx: &InvokeContext) -> Cfn {
    let mut vars = Vec::new();
    if text.contains("${env}") {
        vars.push(("env".into(), ctx.root.env.reference()));
    }
    if text.contains("${aws_region}") {
        vars.push(("aws_region".into(), pseudo("AWS::Region")));
    }
    if vars.is_empty() {
        return text.into();
    }
    map([("Fn::Sub", list([text.into(), Cfn::Map(vars)]))])
}

/// The pipeline resolver: its request template stashes the field's names (and, with IAM,
/// the Cognito roles), its response returns the last function's result.
fn add_resolver(
    set: &mut StackSet,
    stack: &StackName,
    r: &InvokeResolver,
    functions: Vec<Cfn>,
    lambda: bool,
    ctx: &InvokeContext,
) {
    let logical_id = generic_logical_id(&r.type_name, &r.field_name);
    let mut t = TokenString::new().text(&format!(
        "## [Start] Stash resolver specific context.. **\n$util.qr($ctx.stash.put(\"typeName\", \"{}\"))\n$util.qr($ctx.stash.put(\"fieldName\", \"{}\"))\n",
        r.type_name, r.field_name
    ));
    if ctx.iam {
        t = ctx.root.stash_role_arns(t, "", "\n");
        if lambda {
            if let Some(id) = ctx.identity_pool_id {
                t = t.text(&format!(
                    "$util.qr($ctx.stash.put(\"identityPoolId\", \"{id}\"))\n"
                ));
            }
            let roles =
                serde_json::to_string(ctx.admin_roles).expect("a list of strings serialises");
            t = t.text(&format!(
                "$util.qr($ctx.stash.put(\"adminRoles\", {roles}))\n"
            ));
        }
    }
    let request = t
        .text("{}\n## [End] Stash resolver specific context.. **")
        .build();
    let resource = ctx.root.pipeline_resolver(
        &logical_id,
        (&r.type_name, &r.field_name),
        functions,
        request,
        (
            "ResponseMappingTemplateS3Location",
            s3_location(ctx.root, &r.response),
        ),
    );
    set.stack_mut(stack).resource(resource);
}
