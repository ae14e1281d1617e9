//! `explain`: who may do what on a model (or one of its fields), for one caller. The decision
//! is derived from the normalised `@auth` rules (which rules apply to the caller's provider,
//! and whether they hold for every record or only for records whose owner or group field
//! names the caller), then confirmed by running the generated resolvers in the simulator on
//! two seeded records, one that meets those conditions and one that does not. A disagreement
//! is reported as an internal error, never hidden.

use serde_json::{Map, Value as Json, json};

use crate::appsync::Response;
use crate::appsync::{Api, Database, Identity};
use crate::config::Config;
pub use crate::model::Operation;
use crate::model::keys::PrimaryKey;
use crate::model::operations::{ModelOperations, MutationKind};
use crate::model::{ObjectModel, Provider, Strategy};
use crate::normalise::{AuthRule, TypeAuth};
use crate::source::{SourceMap, Span};

/// What the rules decide for one operation.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    Allowed,
    /// Allowed on the records that meet every one of these conditions' alternatives.
    AllowedIf(Vec<String>),
    Denied,
    /// The model's rules allow it, but no role that does is also given it by this field's rules.
    FieldDenied(String),
    /// The operation's field is not open to the caller's auth mode (its `@aws_*` directives).
    ModeDenied(String),
    /// The rules alone do not say (an IAM role outside the identity pool: its own policies
    /// decide, or a Lambda authorizer).
    Undecided(String),
}

/// A rule that takes part in a decision: as written, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleRef {
    pub text: String,
    pub span: Span,
}

/// What the simulator found.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirmation {
    Agrees(String),
    Disagrees(String),
    NotRun(String),
}

#[derive(Clone, Debug)]
pub struct OpExplanation {
    pub op: Operation,
    pub decision: Decision,
    pub rules: Vec<RuleRef>,
    pub confirmation: Confirmation,
}

fn mode_of(p: Provider) -> &'static str {
    match p {
        Provider::ApiKey => "API_KEY",
        Provider::Iam | Provider::IdentityPool => "AWS_IAM",
        Provider::Oidc => "OPENID_CONNECT",
        Provider::UserPools => "AMAZON_COGNITO_USER_POOLS",
        Provider::Function => "AWS_LAMBDA",
    }
}

fn claim_value(identity: &Identity, claim: &str) -> Option<String> {
    let claims = identity.claims()?;
    let parts: Option<Vec<String>> = claim
        .split("::")
        .map(|c| {
            let v = if c == "username" {
                claims
                    .get("username")
                    .or_else(|| claims.get("cognito:username"))
            } else {
                claims.get(c)
            };
            v.and_then(Json::as_str).map(str::to_string)
        })
        .collect();
    parts.map(|p| p.join("::"))
}

fn groups_of(identity: &Identity, claim: &str) -> Vec<String> {
    identity
        .claims()
        .and_then(|c| c.get(claim))
        .map(|v| match v {
            Json::Array(l) => l
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            Json::String(s) => vec![s.clone()],
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

/// How a rule applies to the caller: always, on a condition of the record, or not at all.
enum Applies {
    Always,
    If(String),
    Never,
    Undecided(String),
}

/// A static-groups check: the caller's group claim holds one of the rule's groups.
fn static_groups(rule: &AuthRule, identity: &Identity) -> Applies {
    let claim = rule.group_claim.as_deref().unwrap_or("cognito:groups");
    let mine = groups_of(identity, claim);
    if rule
        .groups
        .iter()
        .any(|g| mine.iter().any(|m| Some(m.as_str()) == g.name()))
    {
        Applies::Always
    } else {
        Applies::Never
    }
}

fn applies(rule: &AuthRule, identity: &Identity) -> Applies {
    if mode_of(rule.provider) != identity.mode {
        return Applies::Never;
    }
    let iam_type = identity
        .identity
        .get("cognitoIdentityAuthType")
        .and_then(Json::as_str);
    if identity.mode == "AWS_IAM" && iam_type.is_none() {
        return Applies::Undecided("an IAM role outside the identity pool: its policies decide (admin roles may do everything)".into());
    }
    // IAM callers are public or private by the identity pool's role they hold.
    let pool_role = |wanted: &str| {
        if iam_type == Some(wanted) {
            Applies::Always
        } else {
            Applies::Never
        }
    };
    match rule.strategy {
        Strategy::Public => match rule.provider {
            Provider::Iam | Provider::IdentityPool => pool_role("unauthenticated"),
            _ => Applies::Always,
        },
        Strategy::Private => match rule.provider {
            Provider::Iam | Provider::IdentityPool => pool_role("authenticated"),
            _ => Applies::Always,
        },
        Strategy::Custom => Applies::Undecided("a Lambda authorizer decides".into()),
        // A rule given static groups checks the groups, whatever it says it allows (the
        // reference's reading of `{ allow: owner, groups: [...] }`).
        _ if rule.is_static_groups() && rule.groups_field.is_none() => {
            static_groups(rule, identity)
        }
        Strategy::Groups => {
            let claim = rule.group_claim.as_deref().unwrap_or("cognito:groups");
            let mine = groups_of(identity, claim);
            match &rule.groups_field {
                // A caller in no group meets no group condition.
                Some(_) if mine.is_empty() => Applies::Never,
                Some(field) => Applies::If(format!(
                    "records whose `{field}` holds one of the caller's groups {mine:?}"
                )),
                None => static_groups(rule, identity),
            }
        }
        Strategy::Owner => {
            let field = rule.owner_field.as_deref().unwrap_or("owner");
            let claim = rule.identity_claim.as_deref().unwrap_or("sub::username");
            match claim_value(identity, claim) {
                Some(v) => Applies::If(format!(
                    "records whose `{field}` holds the caller's {claim} (\"{v}\")"
                )),
                None => Applies::Never,
            }
        }
    }
}

/// Whether the operation itself was refused: the request, or its root field. (A field the
/// caller may not read, below it, is a field-level decision.)
fn denied(r: &Response) -> bool {
    r.request_denied
        || r.errors.iter().any(|e| {
            !e.path.contains('.')
                && matches!(
                    e.error_type.as_deref(),
                    Some("Unauthorized" | "UnauthorizedException")
                )
        })
}

/// The operations an explanation covers.
pub const OPERATIONS: &[Operation] = &[
    Operation::Create,
    Operation::Get,
    Operation::List,
    Operation::Update,
    Operation::Delete,
];

/// The decisions of `rules` for `identity`, operation by operation.
pub fn derive(
    rules: &[AuthRule],
    identity: &Identity,
    sources: &SourceMap,
    ops: &[Operation],
) -> Vec<(Operation, Decision, Vec<RuleRef>)> {
    ops.iter()
        .map(|&op| {
            let mut conditions = Vec::new();
            let mut refs = Vec::new();
            let mut always = false;
            let mut undecided = None;
            for r in rules.iter().filter(|r| r.operations.contains(op)) {
                let hit = match applies(r, identity) {
                    Applies::Always => {
                        always = true;
                        true
                    }
                    Applies::If(c) => {
                        if !conditions.contains(&c) {
                            conditions.push(c);
                        }
                        true
                    }
                    Applies::Undecided(why) => {
                        undecided = Some(why);
                        true
                    }
                    Applies::Never => false,
                };
                if hit {
                    refs.push(RuleRef {
                        text: sources.slice(r.raw.span).to_string(),
                        span: r.raw.span,
                    });
                }
            }
            let decision = match (always, undecided, conditions.is_empty()) {
                (true, _, _) => Decision::Allowed,
                (false, Some(why), _) => Decision::Undecided(why),
                (false, None, false) => Decision::AllowedIf(conditions),
                (false, None, true) => Decision::Denied,
            };
            if decision == Decision::Allowed {
                // Only the rules that allow every record decide.
                refs.retain(|r| {
                    rules.iter().any(|x| {
                        x.raw.span == r.span && matches!(applies(x, identity), Applies::Always)
                    })
                });
            }
            (op, decision, refs)
        })
        .collect()
}

/// The records an owner or group condition reads, filled for the caller (`own`) or for
/// nobody (`other`).
fn sample_record(
    model: &ObjectModel,
    rules: &[AuthRule],
    identity: &Identity,
    id: &str,
    own: bool,
) -> Map<String, Json> {
    let mut r = Map::new();
    r.insert("id".into(), json!(id));
    r.insert("__typename".into(), json!(model.name.text));
    for rule in rules {
        let is_list = |field: &str| model.field(field).is_some_and(|f| f.ty.is_list());
        match (rule.strategy, &rule.owner_field, &rule.groups_field) {
            (Strategy::Owner, field, _) => {
                let field = field.as_deref().unwrap_or("owner");
                let claim = rule.identity_claim.as_deref().unwrap_or("sub::username");
                let v = if own {
                    claim_value(identity, claim).unwrap_or_default()
                } else {
                    "someone-else::someone-else".into()
                };
                r.insert(
                    field.to_string(),
                    if is_list(field) { json!([v]) } else { json!(v) },
                );
            }
            (Strategy::Groups, _, Some(field)) => {
                let claim = rule.group_claim.as_deref().unwrap_or("cognito:groups");
                let v = if own {
                    groups_of(identity, claim)
                } else {
                    vec!["NoSuchGroup".to_string()]
                };
                r.insert(
                    field.clone(),
                    if is_list(field) {
                        json!(v)
                    } else {
                        json!(v.first())
                    },
                );
            }
            _ => {}
        }
    }
    r
}

/// Runs the model's operations for the caller on a record that meets the rules' conditions and
/// one that does not, and says whether the resolvers decide as `decision` says.
#[allow(clippy::too_many_arguments)]
pub fn confirm(
    api: &Api,
    model: &ObjectModel,
    operations: &ModelOperations,
    rules: &[AuthRule],
    identity: &Identity,
    op: Operation,
    decision: &Decision,
    now: i64,
) -> Confirmation {
    let key = PrimaryKey::of(model);
    if key.partition != "id" || !key.sort.is_empty() {
        return Confirmation::NotRun("the model's key is not `id`".into());
    }
    if matches!(decision, Decision::Undecided(_)) {
        return Confirmation::NotRun("the rules do not decide".into());
    }
    let Some(table) = api
        .build
        .tables
        .iter()
        .find(|t| t.label == model.name.text)
        .map(|t| t.name.clone())
    else {
        return Confirmation::NotRun("the build has no table for the model".into());
    };
    // The records meet (or miss) the conditions of the rules that give this operation.
    let granting: Vec<AuthRule> = rules
        .iter()
        .filter(|r| r.operations.contains(op))
        .cloned()
        .collect();
    let rules = granting.as_slice();
    let own = sample_record(model, rules, identity, "explain-own", true);
    if own.keys().any(|k| {
        k != "__typename" && key.fields().any(|f| f == k) && own[k] != json!("explain-own")
    }) {
        return Confirmation::NotRun("an owner or group field is the record's key".into());
    }
    let other = sample_record(model, rules, identity, "explain-other", false);
    let mut base = Database::new(api.build.tables.clone());
    for r in [&own, &other] {
        if base.seed(&table, r).is_err() {
            return Confirmation::NotRun("the sample records cannot be seeded".into());
        }
    }
    let run = |query: String, variables: Json| {
        let mut db = base.clone();
        api.run(
            &query,
            variables.as_object().unwrap_or(&Map::new()),
            identity,
            &mut db,
            now,
        )
    };
    let mutation = |kind: MutationKind| operations.mutation(kind).map(str::to_string);
    let (own_ok, other_ok) = match op {
        Operation::Get => {
            let Some(get) = &operations.get else {
                return Confirmation::NotRun("the model has no get query".into());
            };
            let q = |id: &str| run(format!("{{ {get}(id: \"{id}\") {{ id }} }}"), json!({}));
            (!denied(&q("explain-own")), !denied(&q("explain-other")))
        }
        Operation::List => {
            let Some(list) = &operations.list else {
                return Confirmation::NotRun("the model has no list query".into());
            };
            let r = run(format!("{{ {list} {{ items {{ id }} }} }}"), json!({}));
            if denied(&r) {
                (false, false)
            } else {
                let ids: Vec<&str> = r.data[list.as_str()]["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["id"].as_str())
                    .collect();
                (ids.contains(&"explain-own"), ids.contains(&"explain-other"))
            }
        }
        Operation::Update | Operation::Delete => {
            let kind = if op == Operation::Update {
                MutationKind::Update
            } else {
                MutationKind::Delete
            };
            let Some(m) = mutation(kind) else {
                return Confirmation::NotRun("the model has no such mutation".into());
            };
            let q = |id: &str| {
                run(
                    format!("mutation {{ {m}(input: {{id: \"{id}\"}}) {{ id }} }}"),
                    json!({}),
                )
            };
            (!denied(&q("explain-own")), !denied(&q("explain-other")))
        }
        Operation::Create => {
            let Some(m) = mutation(MutationKind::Create) else {
                return Confirmation::NotRun("the model has no create mutation".into());
            };
            let input_type = format!("Create{}Input", model.name.text);
            let fields = api.input_fields(&input_type);
            let q = |record: &Map<String, Json>| {
                let mut input = api.sample_input(&input_type);
                for (k, v) in record {
                    if k != "__typename" && fields.contains(k) {
                        input.insert(k.clone(), v.clone());
                    }
                }
                input.insert("id".into(), json!("explain-new"));
                run(
                    format!(
                        "mutation Create($input: {input_type}!) {{ {m}(input: $input) {{ id }} }}"
                    ),
                    json!({"input": input}),
                )
            };
            // An owner rule whose field the create input lacks is met by every create: the
            // resolvers fill the field with the caller.
            let filled = rules.iter().any(|r| {
                r.strategy == Strategy::Owner
                    && matches!(applies(r, identity), Applies::If(_))
                    && !fields
                        .iter()
                        .any(|f| f == r.owner_field.as_deref().unwrap_or("owner"))
            });
            let settable = own
                .keys()
                .any(|k| k != "id" && k != "__typename" && fields.contains(k));
            if (filled || !settable) && matches!(decision, Decision::AllowedIf(_)) {
                // The condition's fields are not in the create input: the resolvers fill them
                // with the caller, so every record the caller creates meets them.
                let ok = !denied(&q(&own));
                let found = format!(
                    "a record the caller creates (its owner and group fields set by the resolvers): {}",
                    if ok { "allowed" } else { "denied" }
                );
                return if ok {
                    Confirmation::Agrees(found)
                } else {
                    Confirmation::Disagrees(found)
                };
            }
            (!denied(&q(&own)), !denied(&q(&other)))
        }
        _ => {
            return Confirmation::NotRun(
                "only create, get, list, update and delete are run".into(),
            );
        }
    };
    let expected = match decision {
        Decision::Allowed => (true, true),
        Decision::FieldDenied(_) | Decision::ModeDenied(_) => (false, false),
        Decision::AllowedIf(_) => (true, false),
        _ => (false, false),
    };
    let say = |ok: bool| if ok { "allowed" } else { "denied" };
    let found = format!(
        "a record that meets the conditions: {}; one that does not: {}",
        say(own_ok),
        say(other_ok)
    );
    if (own_ok, other_ok) == expected {
        Confirmation::Agrees(found)
    } else {
        Confirmation::Disagrees(found)
    }
}

/// What makes two rules the same role: who they let in, whatever operations they list.
fn role_of(r: &AuthRule) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        r.strategy,
        r.provider,
        r.owner_field,
        r.identity_claim,
        r.group_claim,
        r.groups,
        r.groups_field
    )
}

/// A model-level decision with the field-level rules that also bind it: deleting a record
/// removes every field, so a role may delete only when every field with rules of its own
/// gives that same role `delete`, as the reference's delete resolvers check.
pub fn with_field_rules(
    decided: Vec<(Operation, Decision, Vec<RuleRef>)>,
    rules: &[AuthRule],
    auth: &TypeAuth,
    identity: &Identity,
    sources: &SourceMap,
) -> Vec<(Operation, Decision, Vec<RuleRef>)> {
    decided
        .into_iter()
        .map(|(op, decision, refs)| {
            if op != Operation::Delete
                || auth.field_rules.is_empty()
                || matches!(decision, Decision::Denied | Decision::Undecided(_))
            {
                return (op, decision, refs);
            }
            let mut blocking = None;
            let kept: Vec<AuthRule> = rules
                .iter()
                .filter(|r| {
                    let role = role_of(r);
                    match auth.field_rules.iter().find(|(_, fr)| {
                        !fr.iter()
                            .any(|x| x.operations.contains(op) && role_of(x) == role)
                    }) {
                        Some((field, _)) => {
                            if r.operations.contains(op)
                                && !matches!(applies(r, identity), Applies::Never)
                            {
                                blocking.get_or_insert_with(|| field.clone());
                            }
                            false
                        }
                        None => true,
                    }
                })
                .cloned()
                .collect();
            match derive(&kept, identity, sources, &[op]).into_iter().next() {
                Some((_, Decision::Denied, _)) => (
                    op,
                    Decision::FieldDenied(blocking.unwrap_or_default()),
                    Vec::new(),
                ),
                Some(d) => d,
                None => (op, decision, refs),
            }
        })
        .collect()
}

/// A create with the rules that can give it: a dynamic-groups rule whose field the create
/// input lacks cannot (no created record can hold the caller's groups there).
pub fn with_create_input(
    decided: Vec<(Operation, Decision, Vec<RuleRef>)>,
    rules: &[AuthRule],
    api: &Api,
    model: &ObjectModel,
    identity: &Identity,
    sources: &SourceMap,
) -> Vec<(Operation, Decision, Vec<RuleRef>)> {
    let fields = api.input_fields(&format!("Create{}Input", model.name.text));
    let unusable = |r: &AuthRule| {
        r.strategy == Strategy::Groups
            && r.groups_field.as_ref().is_some_and(|f| !fields.contains(f))
    };
    if !rules.iter().any(unusable) {
        return decided;
    }
    let kept: Vec<AuthRule> = rules.iter().filter(|r| !unusable(r)).cloned().collect();
    decided
        .into_iter()
        .map(|d| match d.0 {
            Operation::Create => derive(&kept, identity, sources, &[Operation::Create])
                .into_iter()
                .next()
                .unwrap_or(d),
            _ => d,
        })
        .collect()
}

/// The decisions with the API's auth-mode directives applied: an operation whose field does
/// not admit the caller's mode is refused before any rule is read.
pub fn with_modes(
    decided: Vec<(Operation, Decision, Vec<RuleRef>)>,
    api: &Api,
    operations: &ModelOperations,
    identity: &Identity,
) -> Vec<(Operation, Decision, Vec<RuleRef>)> {
    decided
        .into_iter()
        .map(|(op, decision, refs)| {
            let root = match op {
                Operation::Get => operations.get.clone().map(|f| ("Query", f)),
                Operation::List => operations.list.clone().map(|f| ("Query", f)),
                Operation::Create => operations
                    .mutation(MutationKind::Create)
                    .map(|f| ("Mutation", f.to_string())),
                Operation::Update => operations
                    .mutation(MutationKind::Update)
                    .map(|f| ("Mutation", f.to_string())),
                Operation::Delete => operations
                    .mutation(MutationKind::Delete)
                    .map(|f| ("Mutation", f.to_string())),
                _ => None,
            };
            let modes = root
                .as_ref()
                .map(|(parent, field)| api.field_modes(parent, field).0);
            match (root, modes) {
                (Some((parent, field)), Some(modes))
                    if !modes.contains(&identity.mode.as_str()) =>
                {
                    let modes = modes.join(", ");
                    (
                        op,
                        Decision::ModeDenied(format!("`{parent}.{field}` admits only {modes}")),
                        Vec::new(),
                    )
                }
                _ => (op, decision, refs),
            }
        })
        .collect()
}

/// The names of a model's operations under `config`.
pub fn model_operations(model: &ObjectModel, config: &Config) -> ModelOperations {
    ModelOperations::of(model, config)
}

/// The rules that decide `field` of a model (its own, else the model's), or the model's.
pub fn rules_for<'a>(auth: &'a TypeAuth, field: Option<&str>) -> Option<&'a [AuthRule]> {
    if let Some(f) = field
        && let Some((_, rules)) = auth.field_rules.iter().find(|(n, _)| n == f)
    {
        return Some(rules);
    }
    auth.type_rules.as_deref()
}
