//! The `search<Models>` query of `@searchable`: an OpenSearch request built from the
//! arguments (filter, sort, paging, aggregations), the response mapped back to the
//! connection type, and its auth step.
//!
//! The auth step authorises like a list query, but owner and dynamic group roles become an
//! OpenSearch `terms_set` filter on the owner or group field, and it also decides which fields
//! the caller may aggregate on (`allowedAggFields`): a role that may not read a field cannot
//! aggregate on it, except, for owner and group roles, over the documents it owns
//! (`aggFieldsFilterMap`).

use super::checks::*;
use super::roles::{Providers, RoleDef, roles_for};
use super::{Builder, DataSourceRef, ResolverKind, Slot, Step};
use crate::ast::Definition;
use crate::ast::Document;
use crate::model::keys::PrimaryKey;
use crate::model::{ObjectModel, Operation, Provider, Strategy};
use crate::plan::acm::Acm;
use crate::vtl::*;

/// One role of the search check, with the fields it may read when that is not every field
/// (or when the role is dynamic: its filter limits the fields it aggregates on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRole {
    pub def: RoleDef,
    pub allowed_fields: Option<Vec<String>>,
}

const ALLOWED_AGG_FIELDS: &str = "allowedAggFields";
const TOTAL_FIELDS: &str = "totalFields";

/// What the request template needs of the model.
pub struct SearchIndex<'a> {
    /// `/<lower model name>/_search`.
    pub index: &'a str,
    pub primary_key: &'a str,
    /// Fields OpenSearch maps as numbers, booleans and dates: sorted and aggregated on as
    /// they are, every other field on its `.keyword` sub-field.
    pub non_keyword_fields: &'a [String],
    /// The key fields, used to make the sort order total.
    pub key_fields: &'a [String],
    /// DataStore: documents carry `_version`.
    pub versioned: bool,
}

/// `Query.<search>.req.vtl`.
pub fn request(ix: &SearchIndex) -> Vec<Stmt> {
    let strings = |items: &[String]| list(items.iter().map(|f| s(f.as_str())).collect());
    let keyword_or_plain = |field: &str| {
        if_else(
            r(format!("nonKeywordFields.contains(${field})")),
            vec![set("sortField", r(format!("util.toJson(${field})")))],
            vec![set(
                "sortField",
                r(format!("util.toJson(\"${{{field}}}.keyword\")")),
            )],
        )
    };
    let sort_item_field = "sortItem.field";
    let body = vec![
        set(
            "args",
            call(
                "util.defaultIfNull",
                vec![r("ctx.stash.transformedArgs"), r("ctx.args")],
            ),
        ),
        set(
            "indexPath",
            s(format!("/{}/_search", ix.index.to_lowercase())),
        ),
        set(
            ALLOWED_AGG_FIELDS,
            call(
                "util.defaultIfNull",
                vec![r("ctx.stash.allowedAggFields"), list(vec![])],
            ),
        ),
        set(
            "aggFieldsFilterMap",
            call(
                "util.defaultIfNull",
                vec![r("ctx.stash.aggFieldsFilterMap"), obj(vec![])],
            ),
        ),
        set("nonKeywordFields", strings(ix.non_keyword_fields)),
        set("keyFields", strings(ix.key_fields)),
        set("sortValues", list(vec![])),
        set("sortFields", list(vec![])),
        set("aggregateValues", obj(vec![])),
        set("primaryKey", s(ix.primary_key)),
        iff(
            not(r("util.isNullOrEmpty($args.sort)")),
            vec![for_each(
                "sortItem",
                r("args.sort"),
                vec![
                    if_else(
                        r("util.isNullOrEmpty($sortItem.field)"),
                        vec![qr(raw("$sortFields.add($primaryKey)"))],
                        vec![qr(raw("$sortFields.add($sortItem.field)"))],
                    ),
                    if_else(
                        r("util.isNullOrEmpty($sortItem.field)"),
                        vec![keyword_or_plain("primaryKey")],
                        vec![keyword_or_plain(sort_item_field)],
                    ),
                    if_else(
                        r("util.isNullOrEmpty($sortItem.direction)"),
                        vec![set(
                            "sortDirection",
                            r("util.toJson({\"order\": \"desc\"})"),
                        )],
                        vec![set(
                            "sortDirection",
                            r("util.toJson({\"order\": $sortItem.direction})"),
                        )],
                    ),
                    qr(raw("$sortValues.add(\"{$sortField: $sortDirection}\")")),
                ],
            )],
        ),
        for_each(
            "keyItem",
            r("keyFields"),
            vec![iff(
                not(r("sortFields.contains($keyItem)")),
                vec![
                    keyword_or_plain("keyItem"),
                    set("sortDirection", r("util.toJson({\"order\": \"desc\"})")),
                    qr(raw("$sortValues.add(\"{$sortField: $sortDirection}\")")),
                ],
            )],
        ),
        for_each(
            "aggItem",
            r("args.aggregates"),
            vec![
                // An aggregation runs over every document for a field the caller may read,
                // over the documents its owner/group filter selects for a field only those
                // roles may read, and not at all otherwise.
                raw_line(
                    "#if( $allowedAggFields.contains($aggItem.field) )\n    #set( $aggFilter = { \"match_all\": {} } )\n  #elseif( $aggFieldsFilterMap.containsKey($aggItem.field) )\n    #set( $aggFilter = { \"bool\": { \"should\": $aggFieldsFilterMap.get($aggItem.field) } } )\n  #else\n    $util.error(\"Unauthorized to run aggregation on field: ${aggItem.field}\", \"Unauthorized\")\n  #end",
                ),
                Stmt::Group(vec![
                    set("aggregateValue", obj(vec![])),
                    qr(raw("$aggregateValue.put(\"filter\", $aggFilter)")),
                    set("aggsValue", obj(vec![])),
                    set("aggItemType", obj(vec![])),
                    if_else(
                        r("nonKeywordFields.contains($aggItem.field)"),
                        vec![qr(raw(
                            "$aggItemType.put(\"$aggItem.type\", { \"field\": \"$aggItem.field\" })",
                        ))],
                        vec![qr(raw(
                            "$aggItemType.put(\"$aggItem.type\", { \"field\": \"${aggItem.field}.keyword\" })",
                        ))],
                    ),
                    qr(raw("$aggsValue.put(\"$aggItem.name\", $aggItemType)")),
                    qr(raw("$aggregateValue.put(\"aggs\", $aggsValue)")),
                    qr(raw(
                        "$aggregateValues.put(\"$aggItem.name\", $aggregateValue)",
                    )),
                ]),
            ],
        ),
        if_else(
            not(call("util.isNullOrEmpty", vec![r("ctx.stash.authFilter")])),
            vec![
                set("filter", r("ctx.stash.authFilter")),
                iff(
                    not(call("util.isNullOrEmpty", vec![r("args.filter")])),
                    vec![set(
                        "filter",
                        obj(vec![(
                            "bool",
                            obj(vec![(
                                "must",
                                list(vec![r("ctx.stash.authFilter"), query_dsl()]),
                            )]),
                        )]),
                    )],
                ),
            ],
            vec![iff(
                not(call("util.isNullOrEmpty", vec![r("args.filter")])),
                vec![set("filter", query_dsl())],
            )],
        ),
        iff(
            call("util.isNullOrEmpty", vec![r("filter")]),
            vec![set("filter", obj(vec![("match_all", obj(vec![]))]))],
        ),
        stmt(obj(vec![
            ("version", s("2018-05-29")),
            ("operation", s("GET")),
            ("path", s("$indexPath")),
            (
                "params",
                obj(vec![("body", raw(search_body(ix.versioned)))]),
            ),
        ])),
    ];
    body
}

fn query_dsl() -> Expr {
    r("util.parseJson($util.transform.toElasticsearchQueryDSL($args.filter))")
}

/// The OpenSearch query body: written out as one snippet because its optional members
/// (`search_after`, `from`) are spliced in with inline `#if`s.
fn search_body(versioned: bool) -> String {
    let pad = " ".repeat(16);
    [
        "{".to_string(),
        format!(
            "{pad}#if( $context.args.nextToken )\"search_after\": $util.base64Decode($args.nextToken), #end"
        ),
        format!("{pad}#if( $context.args.from )\"from\": $args.from, #end"),
        format!("{pad}\"size\": #if( $args.limit ) $args.limit #else 100 #end,"),
        format!("{pad}\"sort\": $sortValues,"),
        format!("{pad}\"version\": {versioned},"),
        format!("{pad}\"query\": $util.toJson($filter),"),
        format!("{pad}\"aggs\": $util.toJson($aggregateValues)"),
        format!("{pad}}}"),
    ]
    .join("\n")
}

/// `Query.<search>.res.vtl`.
pub fn response(versioned: bool) -> Vec<Stmt> {
    let mut hit = vec![iff(
        raw("!$foreach.hasNext"),
        vec![set(
            "nextToken",
            r("util.base64Encode($util.toJson($entry.sort))"),
        )],
    )];
    if versioned {
        hit.push(set("row", call("entry.get", vec![s("_source")])));
        hit.push(qr(raw("$row.put(\"_version\", $entry.get(\"_version\"))")));
        hit.push(qr(raw("$es_items.add($row)")));
    } else {
        hit.push(qr(raw("$es_items.add($entry.get(\"_source\"))")));
    }
    let put_result = |typename: &str, key: &str| {
        vec![
            qr(raw(format!(
                "$aggResultValue.put(\"__typename\", \"{typename}\")"
            ))),
            qr(raw(format!(
                "$aggResultValue.put(\"{key}\", $currentAggItem.get($aggItem).{key})"
            ))),
        ]
    };
    vec![
        set("es_items", list(vec![])),
        set("aggregateValues", list(vec![])),
        for_each("entry", r("context.result.hits.hits"), hit),
        for_each(
            "aggItem",
            r("context.result.aggregations.keySet()"),
            vec![
                set("aggResult", obj(vec![])),
                set("aggResultValue", obj(vec![])),
                set("currentAggItem", r("ctx.result.aggregations.get($aggItem)")),
                qr(raw("$aggResult.put(\"name\", $aggItem)")),
                iff(
                    raw("!$util.isNullOrEmpty($currentAggItem)"),
                    vec![
                        iff(
                            raw("!$util.isNullOrEmpty($currentAggItem.get($aggItem).buckets)"),
                            put_result("SearchableAggregateBucketResult", "buckets"),
                        ),
                        iff(
                            raw("!$util.isNullOrEmpty($currentAggItem.get($aggItem).value)"),
                            put_result("SearchableAggregateScalarResult", "value"),
                        ),
                    ],
                ),
                qr(raw("$aggResult.put(\"result\", $aggResultValue)")),
                qr(raw("$aggregateValues.add($aggResult)")),
            ],
        ),
        to_json(obj(vec![
            ("items", r("es_items")),
            ("total", r("ctx.result.hits.total.value")),
            ("nextToken", r("nextToken")),
            ("aggregateItems", r("aggregateValues")),
        ])),
    ]
}

/// `Query.<search>.postAuth.1.res.vtl`: deny unless an auth step ran; in sandbox mode the API
/// key passes and may aggregate on every declared field.
pub fn post_auth(sandbox: bool, fields: &[String]) -> Vec<Stmt> {
    let mut deny = Vec::new();
    if sandbox {
        deny.push(iff(
            eq(call("util.authType", vec![]), s(API_KEY)),
            vec![
                qr(call(
                    "ctx.stash.put",
                    vec![s(ALLOWED_AGG_FIELDS), json(Json::strings(fields))],
                )),
                Stmt::Return(Some(call("util.toJson", vec![obj(vec![])]))),
            ],
        ));
    }
    deny.push(stmt(call("util.unauthorized", vec![])));
    vec![block(
        format!(
            "Sandbox Mode {}, IAM Access Disabled",
            if sandbox { "Enabled" } else { "Disabled" }
        ),
        vec![
            iff(not(r("ctx.stash.get(\"hasAuth\")")), deny),
            to_json(obj(vec![])),
        ],
    )]
}

/// `Query.<search>.auth.1.req.vtl`. `total_fields`: the fields of the model's type;
/// `allowed_agg_fields`: those every role that may search can read.
pub fn auth(
    p: &Providers,
    roles: &[SearchRole],
    total_fields: &[String],
    allowed_agg_fields: &[String],
) -> Vec<Stmt> {
    let of = |provider: Provider, is_static: Option<bool>| -> Vec<&SearchRole> {
        roles
            .iter()
            .filter(|r| {
                r.def.provider.same_as(provider) && is_static.is_none_or(|s| r.def.is_static == s)
            })
            .collect()
    };
    let mut body = vec![
        set_has_auth(),
        set_authorized(false),
        set(TOTAL_FIELDS, json(Json::strings(total_fields))),
        set(ALLOWED_AGG_FIELDS, json(Json::strings(allowed_agg_fields))),
    ];
    if p.api_key {
        body.push(first_role_block(API_KEY, &of(Provider::ApiKey, None)));
    }
    if p.lambda {
        body.push(first_role_block(LAMBDA, &of(Provider::Function, None)));
    }
    if p.iam {
        body.push(iam_block(p, &of(Provider::IdentityPool, None)));
    }
    for (present, mode, provider) in [
        (p.user_pools, USER_POOLS, Provider::UserPools),
        (p.oidc, OIDC, Provider::Oidc),
    ] {
        if present {
            let mut block = static_roles(&of(provider, Some(true)));
            block.extend(auth_filter(&of(provider, Some(false)), allowed_agg_fields));
            body.push(mode_block(mode, block));
        }
    }
    body.push(qr(call(
        "ctx.stash.put",
        vec![s(ALLOWED_AGG_FIELDS), r(ALLOWED_AGG_FIELDS)],
    )));
    filtered_read_steps(body)
}

/// A role's fields join the aggregatable ones: all of them, or those it may read.
fn grant_fields(role: &SearchRole) -> Stmt {
    match &role.allowed_fields {
        Some(fields) => qr(call(
            format!("{ALLOWED_AGG_FIELDS}.addAll"),
            vec![json(Json::strings(fields))],
        )),
        None => set(ALLOWED_AGG_FIELDS, r(TOTAL_FIELDS)),
    }
}

/// API key and Lambda: the first role of the provider decides.
fn first_role_block(mode: &str, roles: &[&SearchRole]) -> Stmt {
    let body = match roles.first() {
        None => vec![unauthorized()],
        Some(role) => vec![set_authorized(true), grant_fields(role)],
    };
    mode_block(mode, body)
}

fn iam_block(p: &Providers, roles: &[&SearchRole]) -> Stmt {
    let mut body = Vec::new();
    if p.admin_roles {
        body.push(for_each(
            "adminRole",
            r("ctx.stash.adminRoles"),
            vec![iff(
                and(vec![
                    call("ctx.identity.userArn.contains", vec![r("adminRole")]),
                    ne(r("ctx.identity.userArn"), r("ctx.stash.authRole")),
                    ne(r("ctx.identity.userArn"), r("ctx.stash.unauthRole")),
                ]),
                vec![
                    set(ALLOWED_AGG_FIELDS, r(TOTAL_FIELDS)),
                    qr(call(
                        "ctx.stash.put",
                        vec![s(ALLOWED_AGG_FIELDS), r(ALLOWED_AGG_FIELDS)],
                    )),
                    raw_line("#return($util.toJson({}))"),
                ],
            )],
        ));
    }
    if roles.is_empty() {
        body.push(unauthorized());
    }
    for role in roles {
        body.push(iff(
            not_authorized(),
            vec![iam_check(
                role.def.claim(),
                vec![set_authorized(true), grant_fields(role)],
                p.identity_pool_id,
            )],
        ));
    }
    mode_block(IAM, body)
}

/// Static user-pool/OIDC roles: `private` authorises; static groups are looked up in the
/// caller's group claims, each bringing the fields it may read.
fn static_roles(roles: &[&SearchRole]) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut rest: Vec<&SearchRole> = roles.to_vec();
    if let Some(i) = rest
        .iter()
        .position(|r| r.def.strategy == Strategy::Private)
    {
        out.push(grant_fields(rest[i]));
        out.push(set_authorized(true));
        rest.remove(i);
    }
    if rest.is_empty() {
        return out;
    }
    let groups = Json::Array(
        rest.iter()
            .map(|r| {
                let mut attrs = vec![
                    ("claim", Json::Str(r.def.claim().to_string())),
                    ("entity", Json::Str(r.def.entity().to_string())),
                ];
                if let Some(fields) = &r.allowed_fields {
                    attrs.push(("allowedFields", Json::strings(fields)));
                }
                Json::object(attrs)
            })
            .collect(),
    );
    out.push(static_group_loop(
        groups,
        vec![
            set_authorized(true),
            if_else(
                call("util.isNull", vec![r("groupRole.allowedFields")]),
                vec![set(ALLOWED_AGG_FIELDS, r(TOTAL_FIELDS)), raw_line("#break")],
                vec![qr(call(
                    format!("{ALLOWED_AGG_FIELDS}.addAll"),
                    vec![r("groupRole.allowedFields")],
                ))],
            ),
        ],
    ));
    out
}

/// Owner and dynamic group roles: a `terms_set` query per role, any of which a document must
/// match; fields only these roles may read are aggregated on over the documents they match.
fn auth_filter(roles: &[&SearchRole], allowed_agg_fields: &[String]) -> Vec<Stmt> {
    if roles.is_empty() {
        return Vec::new();
    }
    let conditions = "authFilterConditions";
    let mut out = vec![set(conditions, list(vec![]))];
    // Field → the filters of the roles that may read it, in the order first seen.
    let mut agg_map: Vec<(String, Vec<String>)> = Vec::new();
    let terms_set = |field: &str, terms: &str| {
        obj(vec![(
            "terms_set",
            obj(vec![(
                field,
                obj(vec![
                    ("terms", r(terms)),
                    ("minimum_should_match_script", obj(vec![("source", s("1"))])),
                ]),
            )]),
        )])
    };
    for (idx, role) in roles.iter().enumerate() {
        let entity = role.def.entity();
        // Lists are matched as they are; a single value on its keyword sub-field.
        let key = if role.def.entity_is_list {
            entity.to_string()
        } else {
            format!("{entity}.keyword")
        };
        let filter = match role.def.strategy {
            Strategy::Owner => {
                let claim = role.def.claim();
                let name = format!("ownerClaim{idx}");
                let list_name = format!("ownerClaimsList{idx}");
                let filter = format!("owner{idx}");
                out.push(owner_claim_reads(claim, &name));
                out.push(iff(
                    claims_present(claim, &name),
                    vec![
                        join_claim_parts(claim, &name),
                        claim_parts_list(claim, &list_name),
                        qr(call(format!("{list_name}.add"), vec![r(&name)])),
                        set(&filter, terms_set(&key, &list_name)),
                        qr(call(format!("{conditions}.add"), vec![r(&filter)])),
                    ],
                ));
                filter
            }
            Strategy::Groups => {
                let name = format!("groupClaim{idx}");
                let filter = format!("group{idx}");
                out.push(set(&name, claim_or(s(role.def.claim()), list(vec![]))));
                out.push(iff(
                    not(raw(format!("${name}.isEmpty()"))),
                    vec![
                        set(&filter, terms_set(&key, &name)),
                        qr(call(format!("{conditions}.add"), vec![r(&filter)])),
                    ],
                ));
                filter
            }
            _ => continue,
        };
        for field in role.allowed_fields.iter().flatten() {
            if allowed_agg_fields.contains(field) {
                continue;
            }
            match agg_map.iter_mut().find(|(f, _)| f == field) {
                Some((_, filters)) => filters.push(filter.clone()),
                None => agg_map.push((field.clone(), vec![filter.clone()])),
            }
        }
    }
    out.push(iff(
        and(vec![
            not_authorized(),
            not(raw(format!("${conditions}.isEmpty()"))),
        ]),
        vec![qr(call(
            "ctx.stash.put",
            vec![
                s("authFilter"),
                obj(vec![("bool", obj(vec![("should", r(conditions))]))]),
            ],
        ))],
    ));
    if !agg_map.is_empty() {
        let entries: Vec<String> = agg_map
            .iter()
            .map(|(field, filters)| {
                let refs: Vec<String> = filters.iter().map(|f| format!("${f}")).collect();
                format!(
                    "{}:[{}]",
                    Json::Str(field.clone()).to_text(),
                    refs.join(",")
                )
            })
            .collect();
        out.push(iff(
            ne(
                r(format!("{ALLOWED_AGG_FIELDS}.size()")),
                r(format!("{TOTAL_FIELDS}.size()")),
            ),
            vec![qr(call(
                "ctx.stash.put",
                vec![
                    s("aggFieldsFilterMap"),
                    raw(format!("{{{}}}", entries.join(","))),
                ],
            ))],
        ));
    }
    out
}

impl Builder<'_> {
    /// The search query of every `@searchable` model that has one: auth (with `@auth`),
    /// postAuth, then the OpenSearch request, in `SearchableStack`.
    pub(super) fn search_queries(&mut self, schema: &Document) {
        let searchable = &self.model_plans.searchable;
        if searchable.iter().all(|s| s.query.is_none()) {
            return;
        }
        // The templates read the fields of the model's type as the schema has them (with
        // timestamps, owner fields and connection keys).
        let versioned = crate::plan::datastore::enabled(self.config);
        for s in searchable {
            let Some(field) = &s.query else { continue };
            let Some(m) = self.model_plans.model(&s.model) else {
                continue;
            };
            let output: Vec<(String, String)> = schema
                .definitions
                .iter()
                .find_map(|d| match d {
                    Definition::Object(o) if !o.is_extension && o.name.text == s.model => Some(
                        o.fields
                            .iter()
                            .map(|f| (f.name.text.clone(), f.ty.base().to_string()))
                            .collect(),
                    ),
                    _ => None,
                })
                .unwrap_or_default();
            let non_keyword: Vec<String> = output
                .iter()
                .filter(|(name, ty)| {
                    NON_KEYWORD_TYPES.contains(&ty.as_str())
                        && !crate::plan::datastore::SYNC_FIELDS.contains(&name.as_str())
                })
                .map(|(name, _)| name.clone())
                .collect();
            let key = PrimaryKey::of(m.model);
            let mut key_fields = vec![key.partition.clone()];
            key_fields.extend(key.sort.iter().cloned());
            let declared: Vec<String> = m
                .model
                .fields
                .iter()
                .filter(|f| !f.from_extension)
                .map(|f| f.name.text.clone())
                .collect();
            let total: Vec<String> = output.iter().map(|(n, _)| n.clone()).collect();
            let mut steps = Vec::new();
            if let Some(acm) = &m.acm {
                let (roles, allowed_agg) = search_roles(acm, m.model, &total);
                steps.push(Step::slot(
                    Slot::Auth,
                    auth(&self.providers, &roles, &total, &allowed_agg),
                ));
            }
            let mut post = Step::slot(Slot::PostAuth, post_auth(self.sandbox, &declared));
            post.request_suffix = "res";
            steps.push(post);
            let index = SearchIndex {
                index: &s.model,
                primary_key: &key.partition,
                non_keyword_fields: &non_keyword,
                key_fields: &key_fields,
                versioned,
            };
            steps.push(Step::data(
                DataSourceRef::OpenSearch,
                request(&index),
                response(versioned),
            ));
            self.add(
                "Query",
                field,
                ResolverKind::Query,
                Some(&s.model),
                DataSourceRef::OpenSearch,
                steps,
            );
        }
    }
}

/// Field types OpenSearch does not map as text (no `.keyword` sub-field).
const NON_KEYWORD_TYPES: [&str; 6] = [
    "Int",
    "Float",
    "Boolean",
    "AWSTimestamp",
    "AWSDate",
    "AWSDateTime",
];

/// The roles that may search, with the fields each may read when they are not all of them
/// (always for owner and group roles), and the fields everyone may aggregate on: those the
/// matrix does not cover, then those every restricted role may read.
fn search_roles(
    acm: &Acm,
    model: &ObjectModel,
    total: &[String],
) -> (Vec<SearchRole>, Vec<String>) {
    let mut allowed_agg: Vec<String> = total
        .iter()
        .filter(|f| !acm.resources.contains(f))
        .cloned()
        .collect();
    let mut least: Vec<String> = acm.resources.clone();
    let roles = roles_for(acm, Operation::Search, false)
        .into_iter()
        .map(|role| {
            let def = RoleDef::of(role, model);
            let readable: Vec<String> = acm
                .resources
                .iter()
                .zip(&role.access)
                .filter(|(_, a)| a.contains(Operation::Search))
                .map(|(f, _)| f.clone())
                .collect();
            let allowed_fields = if readable.len() != acm.resources.len() || !def.is_static {
                least.retain(|f| readable.contains(f));
                Some(readable)
            } else {
                None
            };
            SearchRole {
                def,
                allowed_fields,
            }
        })
        .collect();
    allowed_agg.extend(least);
    (roles, allowed_agg)
}
