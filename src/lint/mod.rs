//! Security lints: rules that are valid (the reference compiles them) but that a reviewer
//! should look at twice. Each lint is a located warning with a stable code; `lint` runs them
//! after the compile's own checks, and `--deny`/`--allow` (or a config file) decide which
//! fail the run. They read the normalised rules, the access-control matrix and the auth
//! modes; they change nothing in a build.

use crate::config::{AuthModeKind, Config};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::{ObjectModel, Operation, Provider, RELATIONS, Strategy, SubscriptionLevel};
use crate::normalise::{AuthRule, Normalised, TypeAuth};
use crate::plan::{Acm, RoleNaming};

/// Every lint's findings, in the order of the schema.
pub fn lint(normalised: &Normalised, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut first_owner_rule = None;
    for model in normalised.schema.models() {
        let Some(auth) = normalised.auth_of(&model.name.text) else {
            continue;
        };
        for rule in rules(auth) {
            public_writes(model, rule, &mut out);
            private_iam(model, rule, &mut out);
            if rule.strategy == Strategy::Owner && first_owner_rule.is_none() {
                first_owner_rule = Some((model, rule));
            }
        }
        let acm = Acm::build(model, auth, RoleNaming::Transformer).ok();
        if let Some(acm) = &acm {
            wider_field_reads(model, auth, &mut out);
            unfiltered_subscriptions(model, auth, acm, &mut out);
            wider_relations(normalised, model, auth, &mut out);
        }
    }
    if let Some((model, rule)) = first_owner_rule
        && config.auth.default.kind == AuthModeKind::ApiKey
    {
        out.push(
            Diagnostic::warning(
                Code::ApiKeyDefaultWithOwners,
                format!(
                    "the API's default auth mode is the API key, and {} has owner rules",
                    model.name.text
                ),
            )
            .at(rule.raw.span, "owners sign in; the default mode does not")
            .with_help("a request, subscription or custom field without a mode of its own runs as the API key: make user pools (or the owners' provider) the default mode"),
        );
    }
    root_fields_without_auth(normalised, config, &mut out);
    out
}

fn rules(auth: &TypeAuth) -> impl Iterator<Item = &AuthRule> {
    auth.type_rules
        .iter()
        .flatten()
        .chain(auth.field_rules.iter().flat_map(|(_, r)| r.iter()))
}

/// Whether every caller `rule` admits is also admitted by `by` (for reads): the same role,
/// or a `private` rule of the same provider, which admits every signed-in caller.
fn covered(rule: &AuthRule, by: &AuthRule) -> bool {
    let same_role = crate::plan::acm::role_names(rule, RoleNaming::Transformer)
        .iter()
        .all(|(n, _)| {
            crate::plan::acm::role_names(by, RoleNaming::Transformer)
                .iter()
                .any(|(m, _)| m == n)
        });
    same_role
        || (by.strategy == Strategy::Private
            && rule.strategy != Strategy::Public
            && by.provider.canonical() == rule.provider.canonical())
}

fn reads(rule: &AuthRule) -> bool {
    Operation::READS
        .iter()
        .any(|o| rule.operations.contains(*o))
}

/// A rule's role as `status -acm` prints it.
fn role_name(rule: &AuthRule) -> String {
    crate::plan::acm::role_names(rule, RoleNaming::Printed)
        .into_iter()
        .map(|(n, _)| n)
        .collect::<Vec<_>>()
        .join(", ")
}

const WRITES: [Operation; 3] = [Operation::Create, Operation::Update, Operation::Delete];

fn names(ops: impl Iterator<Item = Operation>) -> String {
    ops.map(|o| o.as_str()).collect::<Vec<_>>().join(", ")
}

/// W0201: `public` may write.
fn public_writes(model: &ObjectModel, rule: &AuthRule, out: &mut Vec<Diagnostic>) {
    if rule.strategy != Strategy::Public {
        return;
    }
    let writes: Vec<Operation> = WRITES
        .into_iter()
        .filter(|o| rule.operations.contains(*o))
        .collect();
    if writes.is_empty() {
        return;
    }
    let who = match rule.provider {
        Provider::ApiKey => "anyone with the API key",
        _ => "anyone, through the identity pool's unauthenticated role",
    };
    out.push(
        Diagnostic::warning(
            Code::PublicWrites,
            format!(
                "{who} may {} {}",
                names(writes.into_iter()),
                model.name.text
            ),
        )
        .at(rule.raw.span, "writes open to public callers")
        .with_help("give public callers `operations: [read]`, and writes to signed-in callers (owner, groups or private rules)"),
    );
}

/// W0206: `private` with IAM.
fn private_iam(model: &ObjectModel, rule: &AuthRule, out: &mut Vec<Diagnostic>) {
    if rule.strategy != Strategy::Private
        || !matches!(rule.provider, Provider::Iam | Provider::IdentityPool)
    {
        return;
    }
    out.push(
        Diagnostic::warning(
            Code::PrivateIam,
            format!(
                "`allow: private` with IAM admits to {} every IAM principal that may call the API, not only the identity pool's signed-in users",
                model.name.text
            ),
        )
        .at(rule.raw.span, "any IAM principal with appsync:GraphQL on the API")
        .with_help("keep the API's IAM policies to the roles that need it, or use `allow: private` with user pools for signed-in users"),
    );
}

fn read_ops(acm: &Acm, role: usize, column: usize) -> Vec<Operation> {
    Operation::READS
        .into_iter()
        .filter(|o| acm.roles[role].access[column].contains(*o))
        .collect()
}

/// W0203: a field rule lets a role read a field of a model whose type rules give it no read.
fn wider_field_reads(model: &ObjectModel, auth: &TypeAuth, out: &mut Vec<Diagnostic>) {
    let Some(type_rules) = &auth.type_rules else {
        return;
    };
    for (field, rules) in &auth.field_rules {
        for rule in rules.iter().filter(|r| reads(r)) {
            if type_rules.iter().any(|t| reads(t) && covered(rule, t)) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    Code::FieldReadWider,
                    format!(
                        "this rule lets {} read {}.{field}, but the rules of {} give it no read",
                        role_name(rule),
                        model.name.text,
                        model.name.text
                    ),
                )
                .at(rule.raw.span, "wider than the model's rules")
                .with_help("such callers see the field where the model reaches them without its own rules (a mutation's answer, a subscription, a relation); narrow the rule, or give the role read on the model if that is meant"),
            );
        }
    }
}

/// W0205: a protected model's subscriptions deliver every change to some caller.
fn unfiltered_subscriptions(
    model: &ObjectModel,
    auth: &TypeAuth,
    acm: &Acm,
    out: &mut Vec<Diagnostic>,
) {
    let Some(type_rules) = &auth.type_rules else {
        return;
    };
    let protected = type_rules.iter().find(|r| {
        (r.strategy == Strategy::Owner || r.is_dynamic_groups())
            && r.operations.contains(Operation::Listen)
    });
    let Some(protected) = protected else {
        return;
    };
    let level = model
        .model_args()
        .map_or(SubscriptionLevel::On, |a| a.subscription_level());
    if level == SubscriptionLevel::Public {
        out.push(
            Diagnostic::warning(
                Code::SubscriptionUnfiltered,
                format!(
                    "subscriptions of {} are public: every caller receives every change, whatever its owner",
                    model.name.text
                ),
            )
            .at(protected.raw.span, "not applied to subscriptions")
            .with_help("remove `subscriptions: { level: public }` from @model, or set it to off"),
        );
        return;
    }
    if level == SubscriptionLevel::Off {
        return;
    }
    // A role told of changes to fields it may not otherwise read.
    for (i, role) in acm.roles.iter().enumerate() {
        let r = &role.rule;
        if r.strategy == Strategy::Owner || r.is_dynamic_groups() {
            continue;
        }
        let leaked: Vec<&str> = (0..acm.resources.len())
            .filter(|c| {
                let ops = read_ops(acm, i, *c);
                ops.contains(&Operation::Listen)
                    && !ops.contains(&Operation::Get)
                    && !ops.contains(&Operation::List)
            })
            .map(|c| acm.resources[c].as_str())
            .collect();
        if !leaked.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::SubscriptionUnfiltered,
                    format!(
                        "{} receives every change of {} by subscription, with {} it may not get or list",
                        role_name(r),
                        model.name.text,
                        leaked.join(", ")
                    ),
                )
                .at(r.raw.span, "listens without a filter")
                .with_help("subscriptions filter by owner and group only for owner and group rules: leave `listen` out of this rule, or give it get and list as well"),
            );
        }
    }
}

/// W0204: a relation field readable by callers that the related model gives no read.
fn wider_relations(
    normalised: &Normalised,
    model: &ObjectModel,
    auth: &TypeAuth,
    out: &mut Vec<Diagnostic>,
) {
    for field in &model.fields {
        let Some(directive) = field
            .directives
            .iter()
            .find(|d| RELATIONS.contains(&d.name.text.as_str()))
        else {
            continue;
        };
        let target = field.ty.base();
        let Some(related) = normalised.auth_of(target) else {
            continue;
        };
        let related_rules: Vec<&AuthRule> = related.type_rules.iter().flatten().collect();
        // The rules that decide who reads the field: its own, else the model's.
        let field_rules = auth
            .field_rules
            .iter()
            .find(|(f, _)| *f == field.name.text)
            .map(|(_, r)| r.as_slice());
        let readers = field_rules.unwrap_or(auth.type_rules.as_deref().unwrap_or(&[]));
        let narrower: Vec<String> = readers
            .iter()
            .filter(|r| reads(r) && !related_rules.iter().any(|t| reads(t) && covered(r, t)))
            .map(role_name)
            .collect();
        if narrower.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::warning(
                Code::RelationWider,
                format!(
                    "{} may read {}.{}, which leads to {target}, whose rules give {} no read",
                    narrower.join(", "),
                    model.name.text,
                    field.name.text,
                    if narrower.len() == 1 { "it" } else { "them" }
                ),
            )
            .at(directive.span, "a relation to a model with narrower rules")
            .with_help(format!("the relation's resolver applies {target}'s rules, so these callers get errors or nulls there; give them read on {target}, or a field rule on {}.{} that leaves them out", model.name.text, field.name.text)),
        );
    }
}

/// W0207: a custom query, mutation or subscription with no auth directive.
fn root_fields_without_auth(normalised: &Normalised, config: &Config, out: &mut Vec<Diagnostic>) {
    const AUTH: [&str; 7] = [
        "auth",
        "aws_auth",
        "aws_api_key",
        "aws_iam",
        "aws_cognito_user_pools",
        "aws_oidc",
        "aws_lambda",
    ];
    for def in &normalised.schema.document.definitions {
        let crate::ast::Definition::Object(t) = def else {
            continue;
        };
        if !["Query", "Mutation", "Subscription"].contains(&t.name.text.as_str())
            || t.directives
                .iter()
                .any(|d| AUTH.contains(&d.name.text.as_str()))
        {
            continue;
        }
        for f in &t.fields {
            if f.directives
                .iter()
                .any(|d| AUTH.contains(&d.name.text.as_str()))
            {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    Code::RootFieldWithoutAuth,
                    format!(
                        "{}.{} has no auth directive: AppSync lets every caller of the default mode ({}) call it",
                        t.name.text,
                        f.name.text,
                        config.auth.default.kind.appsync_name()
                    ),
                )
                .at(f.name.span, "no @auth or @aws_* directive")
                .with_help("say who may call it with @auth(rules: [...]) or an @aws_* directive"),
            );
        }
    }
}
