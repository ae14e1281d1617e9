//! The resolvers of the API: for every operation and protected field, the AppSync pipeline
//! (slot functions and the data function) and the VTL file of each function.
//!
//! This is the contract between the resolver generation (which fills it) and the stacks
//! (which turn it into `AWS::AppSync::FunctionConfiguration` and `AWS::AppSync::Resolver`
//! resources): the stacks never look inside a template except to de-duplicate functions.
//!
//! How the plan is made (`build`): each pipeline is a list of steps (a slot, a data source,
//! request and response templates built as VTL trees); `Builder::add` orders them as AppSync
//! runs them, names every template after its resolver, slot and position, and prints it.
//!
//! * `model_data` — the data steps (DynamoDB requests, subscriptions) and the init steps;
//! * `key_steps` — the preAuth steps of `@primaryKey` and composite `@index` keys, and the
//!   data step of index queries;
//! * `query`, `mutation`, `subscription`, `field` — the auth steps, one per kind of operation,
//!   from the roles of the model's access-control matrix (`roles`) and the pieces in `checks`;
//! * `post_auth` — the deny-unless-authorised step of every model operation;
//! * `relation_data`, `relation_auth` — the resolvers of relational fields: the related
//!   model's read check, with the key taken from the parent, and the read of the related
//!   table (`ResolverKind::Relational`, in `ConnectionStack`);
//! * `invoke` — the resolvers of `@function` and `@http` fields (`invoke_resolvers`) and the
//!   auth functions `@auth` puts first in them (`auth_functions`);
//! * `search` — the `@searchable` queries (OpenSearch request and response, their auth step);
//! * `sync` — DataStore's `sync<Models>` queries: the data step, and the preAuth steps of
//!   models with `@index` or `@primaryKey` that turn a key filter into a keyed `Sync`.
//!
//! `@predictions` is refused before planning (E0901).

use std::collections::{BTreeMap, HashMap};

/// Pipeline slots, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Init,
    PreAuth,
    Auth,
    PostAuth,
    PreDataLoad,
    Validate,
    PreUpdate,
    PreSubscribe,
    PostDataLoad,
    PostUpdate,
    Finish,
}

impl Slot {
    /// The slot's name in file names and function ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Slot::Init => "init",
            Slot::PreAuth => "preAuth",
            Slot::Auth => "auth",
            Slot::PostAuth => "postAuth",
            Slot::PreDataLoad => "preDataLoad",
            Slot::Validate => "validate",
            Slot::PreUpdate => "preUpdate",
            Slot::PreSubscribe => "preSubscribe",
            Slot::PostDataLoad => "postDataLoad",
            Slot::PostUpdate => "postUpdate",
            Slot::Finish => "finish",
        }
    }
}

/// What a resolver is, which decides its slots and the stack it lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolverKind {
    /// get, list, sync, index queries, search.
    Query,
    /// create, update, delete.
    Mutation,
    Subscription,
    /// A field resolver made by `@auth` (field protection, owner read-back).
    Field,
    /// `@hasOne`, `@hasMany`, `@belongsTo`, `@manyToMany` fields.
    Relational,
    /// A Query/Mutation/Subscription field declared by the user and protected by `@auth`.
    CustomRoot,
}

/// The data source a function (or a resolver's init stash) talks to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataSourceRef {
    /// The API's `NONE_DS`.
    None,
    /// The DynamoDB data source of a model (`<Model>DataSource`, table `<Model>Table`).
    Model(String),
    /// The OpenSearch domain of `@searchable` (`OpenSearchDataSource`, in `SearchableStack`).
    OpenSearch,
}

/// The inline template of a function half that has no file.
pub const EMPTY_TEMPLATE: &str = "$util.toJson({})";

/// One function of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// `Some((slot, index))` for a slot function (index 0-based within the slot); `None` for
    /// the data function.
    pub slot: Option<(Slot, usize)>,
    pub data_source: DataSourceRef,
    /// File names under `build/resolvers/`; `None` means the inline default `$util.toJson({})`.
    /// The names are the reference's, quirks included: the postAuth request template of an
    /// index query is `Query.<field>.postAuth.1.res.vtl`.
    pub request: Option<String>,
    pub response: Option<String>,
}

/// One AppSync pipeline resolver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolver {
    pub type_name: String,
    pub field_name: String,
    pub kind: ResolverKind,
    /// The model whose stack holds this resolver (model operations and model field
    /// resolvers); `None` for relational (ConnectionStack) and custom root resolvers.
    pub model: Option<String>,
    /// What the init stash records (`metadata.dataSourceType`, `tableName`).
    pub data_source: DataSourceRef,
    /// In pipeline order, the data function among them.
    pub functions: Vec<Function>,
}

/// Every resolver of the API and every template file, in the reference's order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolverPlan {
    pub resolvers: Vec<Resolver>,
    /// File name (under `build/resolvers/`) → template text (no trailing newline): every
    /// template of a plan made by `build`; of one made by `build_into`, which hands the
    /// generated texts out as they are made, only the project's slot files.
    pub files: BTreeMap<String, String>,
    /// Digest of a file name → digest of its text, for every template: what de-duplicating
    /// functions by their templates compares (see `digest_of`). Keyed by digest, not by a
    /// copy of every file name: a large API has hundreds of thousands.
    digests: HashMap<Digest, Digest>,
    /// Resolvers of `@function` and `@http` fields, in the order their transformers make them.
    pub invoke_resolvers: Vec<InvokeResolver>,
    /// The auth functions `@auth` puts in front of those resolvers.
    pub auth_functions: Vec<AuthFunction>,
}

mod checks;
mod field;
mod invoke;
mod key_steps;
mod model_data;
mod mutation;
pub mod overrides;
mod post_auth;
mod query;
mod relation_auth;
mod relation_data;
mod roles;
mod search;
mod subscription;
mod sync;

pub use invoke::{
    AuthFunction, HttpFunction, HttpRequest, InvokeResolver, InvokeTarget, LambdaFunction,
};

use crate::ast::Document;
use crate::ast::ValueKind;
use crate::config::Config;
use crate::model::keys::{PrimaryKey, indexes, lower_first, upper_first};
use crate::model::operations::MutationKind;
use crate::model::{ObjectModel, Operation, Schema, Strategy, SubscriptionLevel, TypeKind};
use crate::normalise::Normalised;
use crate::plan::acm::{Acm, AcmRole, RoleNaming, role_names};
use crate::plan::auth_checks;
use crate::plan::invocations::Invocations;
use crate::plan::{ModelPlan, Plan};
use crate::vtl::{self, Stmt};
use key_steps::KeyOp;
use model_data::Timestamps;
use query::QueryKey;
use roles::{Providers, Role, RoleDef, roles_for};

/// A 128-bit digest of a template's text (XXH3): equal texts have equal digests, and two
/// different texts of one build sharing one is as likely as a random 128-bit collision.
pub type Digest = u128;

pub fn digest(text: &str) -> Digest {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

impl ResolverPlan {
    /// Records a template file kept in memory.
    pub fn add_file(&mut self, name: &str, text: &str) {
        self.record_digest(name, text);
        self.files.insert(name.to_string(), text.to_string());
    }

    fn record_digest(&mut self, name: &str, text: &str) {
        self.digests.insert(digest(name), digest(text));
    }

    /// The digest of the text of template file `name`, if the plan has it.
    pub fn digest_of(&self, name: &str) -> Option<Digest> {
        self.digests.get(&digest(name)).copied()
    }
}

/// Every resolver of the API and its templates: model operations (with or without `@auth`),
/// field resolvers of protected fields and owner fields, and `@auth` on fields of other types;
/// kept in memory.
pub fn build(plan: &Plan, api_schema: &Document) -> ResolverPlan {
    Unfinished::start(plan, None).finish(api_schema)
}

/// Receives each generated template (file name, text) as it is made.
pub type TextSink<'a> = &'a mut dyn FnMut(&str, String);

/// Like `build`, but every generated template is handed to `out` (file name, text) as soon
/// as it is made instead of being kept: the plan holds names and digests only. Everything
/// but the `@searchable` queries is made before the API schema is needed, so the schema can
/// be built meanwhile; [`Unfinished::finish`] adds those.
pub fn build_into<'a>(plan: &'a Plan<'a>, out: TextSink<'a>) -> Unfinished<'a> {
    Unfinished::start(plan, Some(out))
}

/// The resolvers of the API but the `@searchable` queries, which read the API schema.
pub struct Unfinished<'a>(Builder<'a>);

impl<'a> Unfinished<'a> {
    fn start(plan: &'a Plan<'a>, out: Option<TextSink<'a>>) -> Unfinished<'a> {
        let n = plan.normalised;
        let mut b = Builder::new(plan, out);
        let models = &plan.models;
        // In the reference's order: the model transformer makes every model's operations,
        // the index transformer the index queries, the relational transformers their field
        // resolvers, and the auth transformer the field resolvers of protected fields.
        b.all_model_operations(models);
        b.invoke_resolvers(&plan.invocations);
        for m in models {
            b.index_queries(m);
        }
        b.relational_fields();
        for m in models {
            b.model_field_resolvers(m);
        }
        b.other_field_resolvers(n);
        Unfinished(b)
    }

    /// `@searchable` adds its queries after every other resolver exists.
    pub fn finish(mut self, api_schema: &Document) -> ResolverPlan {
        self.0.search_queries(api_schema);
        self.0.plan
    }
}

struct Builder<'a> {
    /// Where generated texts go; `None` keeps them in `plan.files`.
    out: Option<TextSink<'a>>,
    plan: ResolverPlan,
    /// The decisions shared with the other back ends.
    model_plans: &'a Plan<'a>,
    providers: Providers,
    sandbox: bool,
    config: &'a Config,
    schema: &'a Schema,
    /// `(type, field)` → the first resolver of `plan.resolvers` on it: looked up for each
    /// owner field of each model, so not a scan.
    resolver_of: HashMap<(String, String), usize>,
}

/// One function of a pipeline being assembled, with its templates.
struct Step {
    slot: Option<Slot>,
    data_source: DataSourceRef,
    request: Option<Vec<Stmt>>,
    response: Option<Vec<Stmt>>,
    /// The request template's file suffix: `req`, except where the reference names it `res`
    /// (the postAuth step of index queries).
    request_suffix: &'static str,
}

impl Step {
    fn slot(slot: Slot, request: Vec<Stmt>) -> Step {
        Step {
            slot: Some(slot),
            data_source: DataSourceRef::None,
            request: Some(request),
            response: None,
            request_suffix: "req",
        }
    }

    fn data(data_source: DataSourceRef, request: Vec<Stmt>, response: Vec<Stmt>) -> Step {
        Step {
            slot: None,
            data_source,
            request: Some(request),
            response: Some(response),
            request_suffix: "req",
        }
    }
}

impl<'a> Builder<'a> {
    fn new(plan: &'a Plan<'a>, out: Option<TextSink<'a>>) -> Builder<'a> {
        Builder {
            out,
            plan: ResolverPlan::default(),
            model_plans: plan,
            providers: Providers::of(plan.config),
            sandbox: plan.normalised.sandbox,
            config: plan.config,
            schema: &plan.normalised.schema,
            resolver_of: HashMap::new(),
        }
    }
}

impl Builder<'_> {
    /// Adds a resolver: names every template after its slot and position, and records it.
    fn add(
        &mut self,
        type_name: &str,
        field_name: &str,
        kind: ResolverKind,
        model: Option<&str>,
        data_source: DataSourceRef,
        steps: Vec<Step>,
    ) {
        let mut functions = Vec::new();
        let mut per_slot: BTreeMap<Slot, usize> = BTreeMap::new();
        // Pipeline order: the request slots, the data function, the response slots (a stable
        // sort keeps the order of functions within a slot).
        let mut steps = steps;
        steps.sort_by_key(|s| match s.slot {
            Some(slot) if slot < Slot::PostDataLoad => (0, slot),
            None => (1, Slot::Init),
            Some(slot) => (2, slot),
        });
        for step in steps {
            let (slot, base) = match step.slot {
                Some(slot) => {
                    let index = per_slot.entry(slot).or_insert(0);
                    let i = *index;
                    *index += 1;
                    (
                        Some((slot, i)),
                        format!("{type_name}.{field_name}.{}.{}", slot.as_str(), i + 1),
                    )
                }
                None => (None, format!("{type_name}.{field_name}")),
            };
            let request = step
                .request
                .map(|t| self.file(format!("{base}.{}.vtl", step.request_suffix), &t));
            let response = step
                .response
                .map(|t| self.file(format!("{base}.res.vtl"), &t));
            functions.push(Function {
                slot,
                data_source: step.data_source,
                request,
                response,
            });
        }
        self.record(Resolver {
            type_name: type_name.to_string(),
            field_name: field_name.to_string(),
            kind,
            model: model.map(str::to_string),
            data_source,
            functions,
        });
    }

    fn record(&mut self, r: Resolver) {
        self.resolver_of
            .entry((r.type_name.clone(), r.field_name.clone()))
            .or_insert(self.plan.resolvers.len());
        self.plan.resolvers.push(r);
    }

    fn file(&mut self, name: String, template: &[Stmt]) -> String {
        self.text(&name, vtl::print(template));
        name
    }

    fn text(&mut self, name: &str, text: String) {
        self.plan.record_digest(name, &text);
        self.hand_out(name, text);
    }

    fn hand_out(&mut self, name: &str, text: String) {
        match &mut self.out {
            Some(out) => out(name, text),
            None => {
                self.plan.files.insert(name.to_string(), text);
            }
        }
    }

    fn post_auth(&self) -> Step {
        Step::slot(Slot::PostAuth, post_auth::post_auth(self.sandbox))
    }

    /// The preAuth steps of custom keys (`@primaryKey`, composite `@index` sort keys).
    fn key_steps(&self, m: &ModelPlan, op: KeyOp) -> Vec<Step> {
        key_steps::pre_auth(self.schema, m.model, op)
            .into_iter()
            .map(|t| Step::slot(Slot::PreAuth, t))
            .collect()
    }

    /// The roles of a read operation.
    fn read_roles(&self, m: &ModelPlan, op: Operation) -> Vec<Role> {
        let Some(acm) = &m.acm else {
            return Vec::new();
        };
        roles_for(acm, op, false)
            .into_iter()
            .map(|r| Role::plain(RoleDef::of(r, m.model)))
            .collect()
    }

    /// A get, list or sync query: its preAuth steps, the query auth over the roles of `op`
    /// (when the model has rules), postAuth and the data step.
    fn read_query(
        &mut self,
        m: &ModelPlan,
        field: &str,
        op: Operation,
        key: &QueryKey,
        mut steps: Vec<Step>,
        data: Step,
    ) {
        if m.acm.is_some() {
            let roles = self.read_roles(m, op);
            steps.push(Step::slot(
                Slot::Auth,
                query::query_auth(&self.providers, &roles, m.model, key),
            ));
        }
        steps.push(self.post_auth());
        steps.push(data);
        let name = m.model.name.text.as_str();
        self.add(
            "Query",
            field,
            ResolverKind::Query,
            Some(name),
            DataSourceRef::Model(name.to_string()),
            steps,
        );
    }

    /// Every model's operations. A model's operations depend on nothing but the model, so
    /// a batch of models at a time is built on every core; the batch's resolvers and texts
    /// then join the plan in the models' order, as one thread would have made them, and at
    /// most a batch of texts waits in memory.
    fn all_model_operations(&mut self, models: &[ModelPlan]) {
        use rayon::prelude::*;
        const BATCH: usize = 8;
        for batch in models.chunks(BATCH * rayon::current_num_threads()) {
            let parts: Vec<(ResolverPlan, Vec<(String, String)>)> = batch
                .par_iter()
                .map(|m| {
                    let mut texts = Vec::new();
                    let mut out = |name: &str, text: String| texts.push((name.to_string(), text));
                    let mut worker = Builder::new(self.model_plans, Some(&mut out));
                    worker.model_operations(m);
                    let made = worker.plan;
                    (made, texts)
                })
                .collect();
            for (made, texts) in parts {
                // Model operations make resolvers and templates only.
                debug_assert!(made.invoke_resolvers.is_empty() && made.auth_functions.is_empty());
                self.plan.digests.extend(made.digests);
                for (name, text) in texts {
                    self.hand_out(&name, text);
                }
                for r in made.resolvers {
                    self.record(r);
                }
            }
        }
    }

    fn model_operations(&mut self, m: &ModelPlan) {
        let name = m.model.name.text.as_str();
        let table = DataSourceRef::Model(name.to_string());
        let p = self.providers;
        let datastore = crate::plan::datastore::enabled(self.config);
        let key = PrimaryKey::of(m.model);
        let query_key = QueryKey {
            attributes: table_key_attributes(&key),
            sort: sort_key_attribute(&key).into_iter().collect(),
            partition: Some(key.partition.clone()),
            is_index: false,
        };
        if let Some(get) = &m.operations.get {
            let pre_auth = self.key_steps(m, KeyOp::Get);
            let data = Step::data(
                table.clone(),
                model_data::get_request(),
                model_data::get_response(datastore),
            );
            self.read_query(m, get, Operation::Get, &query_key, pre_auth, data);
        }
        if let Some(list) = &m.operations.list {
            let pre_auth = self.key_steps(m, KeyOp::List);
            let data = Step::data(
                table.clone(),
                model_data::list_request(),
                model_data::default_response(datastore, false),
            );
            self.read_query(m, list, Operation::List, &query_key, pre_auth, data);
        }
        if let Some(sync) = &m.operations.sync {
            // The auth step is the query auth over the `sync` roles.
            let pre_auth = sync::sync_pre_auth(m.model, &indexes(m.model, self.config))
                .into_iter()
                .map(|t| Step::slot(Slot::PreAuth, t))
                .collect();
            let data = Step::data(
                table.clone(),
                sync::sync_request(),
                model_data::default_response(true, false),
            );
            self.read_query(m, sync, Operation::Sync, &query_key, pre_auth, data);
        }
        let timestamps = resolver_timestamps(m.model, self.config);
        for (kind, field) in &m.operations.mutations {
            let mut steps = self.key_steps(
                m,
                match kind {
                    MutationKind::Create => KeyOp::Create,
                    MutationKind::Update => KeyOp::Update,
                    MutationKind::Delete => KeyOp::Delete,
                },
            );
            let response = model_data::default_response(datastore, true);
            match kind {
                MutationKind::Create => {
                    steps.push(Step::slot(
                        Slot::Init,
                        model_data::create_init(auto_id(m.model), timestamps.as_ref()),
                    ));
                    // `@default` finds the create resolver by its default name only.
                    if *field == format!("create{}", upper_first(name))
                        && let Some(defaults) = model_data::default_values_init(m.model)
                    {
                        steps.push(Step::slot(Slot::Init, defaults));
                    }
                    if let Some(acm) = &m.acm {
                        let roles = self.create_roles(m, acm);
                        steps.push(Step::slot(
                            Slot::Auth,
                            mutation::create_auth(
                                &p,
                                &roles,
                                m.model,
                                self.config.flags.populateownerfieldforstaticgroupauth,
                            ),
                        ));
                    }
                    steps.push(self.post_auth());
                    steps.push(Step::data(
                        table.clone(),
                        model_data::create_request(name, &index_fields(m.model)),
                        response,
                    ));
                }
                MutationKind::Update => {
                    steps.push(Step::slot(
                        Slot::Init,
                        model_data::update_init(timestamps.as_ref()),
                    ));
                    if let Some(acm) = &m.acm {
                        let roles = self.update_roles(m, acm, &key);
                        steps.push(Step {
                            slot: Some(Slot::Auth),
                            data_source: table.clone(),
                            request: Some(mutation::read_item_request()),
                            response: Some(mutation::update_auth(&p, &roles, m.model)),
                            request_suffix: "req",
                        });
                    }
                    steps.push(self.post_auth());
                    steps.push(Step::data(
                        table.clone(),
                        model_data::update_request(datastore),
                        response,
                    ));
                }
                MutationKind::Delete => {
                    if let Some(acm) = &m.acm {
                        let roles: Vec<Role> = roles_for(acm, Operation::Delete, true)
                            .into_iter()
                            .map(|r| Role::plain(RoleDef::of(r, m.model)))
                            .collect();
                        steps.push(Step {
                            slot: Some(Slot::Auth),
                            data_source: table.clone(),
                            request: Some(mutation::read_item_request()),
                            response: Some(mutation::delete_auth(&p, &roles, m.model)),
                            request_suffix: "req",
                        });
                    }
                    steps.push(self.post_auth());
                    steps.push(Step::data(
                        table.clone(),
                        model_data::delete_request(datastore),
                        response,
                    ));
                }
            }
            self.add(
                "Mutation",
                field,
                ResolverKind::Mutation,
                Some(name),
                table.clone(),
                steps,
            );
        }
        for sub in &m.operations.subscriptions {
            let mut steps = Vec::new();
            if m.operations.level == SubscriptionLevel::On {
                if m.acm.is_some() {
                    let roles = self.read_roles(m, Operation::Listen);
                    steps.push(Step::slot(
                        Slot::Auth,
                        subscription::subscription_auth(&p, &roles),
                    ));
                }
                steps.push(self.post_auth());
            }
            steps.push(Step::data(
                DataSourceRef::None,
                model_data::subscription_request(),
                model_data::subscription_response(),
            ));
            self.add(
                "Subscription",
                &sub.name,
                ResolverKind::Subscription,
                Some(name),
                DataSourceRef::None,
                steps,
            );
        }
    }

    /// The queries of `@index(queryField:)`: list auth on the index's key, and a key `Query`
    /// on the index.
    fn index_queries(&mut self, m: &ModelPlan) {
        let name = m.model.name.text.as_str();
        let table = DataSourceRef::Model(name.to_string());
        let p = self.providers;
        for index in indexes(m.model, self.config) {
            let Some(field) = &index.query_field else {
                continue;
            };
            let sort_attribute = (!index.sort.is_empty()).then(|| index.sort.join("#"));
            let mut steps = Vec::new();
            if m.acm.is_some() {
                let roles = self.read_roles(m, Operation::List);
                let key = QueryKey {
                    attributes: std::iter::once(index.partition.clone())
                        .chain(sort_attribute.clone())
                        .collect(),
                    sort: sort_attribute.into_iter().collect(),
                    partition: None,
                    is_index: true,
                };
                steps.push(Step::slot(
                    Slot::Auth,
                    query::query_auth(&p, &roles, m.model, &key),
                ));
            }
            steps.push(Step {
                request_suffix: "res",
                ..self.post_auth()
            });
            steps.push(Step::data(
                table.clone(),
                key_steps::index_query_request(
                    self.schema,
                    m.model,
                    &index.name,
                    &index.partition,
                    &index.sort,
                ),
                key_steps::index_query_response(),
            ));
            self.add(
                "Query",
                field,
                ResolverKind::Query,
                Some(name),
                table.clone(),
                steps,
            );
        }
    }

    /// Create: roles with create on some field, limited to those fields (plus the fields the
    /// API generates) unless they have them all.
    fn create_roles(&self, m: &ModelPlan, acm: &Acm) -> Vec<Role> {
        roles_for(acm, Operation::Create, false)
            .into_iter()
            .map(|r| {
                let allowed = fields_with(acm, r, Operation::Create);
                Role {
                    all_fields_allowed: allowed.len() == acm.resources.len(),
                    allowed_fields: with_generated_fields(
                        self.schema,
                        m.model,
                        allowed,
                        &acm.resources,
                        self.config,
                    ),
                    ..Role::plain(RoleDef::of(r, m.model))
                }
            })
            .collect()
    }

    /// Update: roles with update or delete on some field; delete on a field means it may be
    /// set to null. The key is always allowed.
    fn update_roles(&self, m: &ModelPlan, acm: &Acm, key: &PrimaryKey) -> Vec<Role> {
        let mut roles: Vec<&AcmRole> = roles_for(acm, Operation::Update, false);
        for r in roles_for(acm, Operation::Delete, false) {
            if !roles.iter().any(|x| x.name == r.name) {
                roles.push(r);
            }
        }
        roles
            .into_iter()
            .map(|r| {
                let allowed = fields_with(acm, r, Operation::Update);
                let null_allowed = fields_with(acm, r, Operation::Delete);
                let mut with_key = allowed.clone();
                with_key.push(key.partition.clone());
                Role {
                    all_fields_allowed: allowed.len() == acm.resources.len(),
                    all_fields_null_allowed: null_allowed.len() == acm.resources.len(),
                    allowed_fields: with_generated_fields(
                        self.schema,
                        m.model,
                        with_key,
                        &acm.resources,
                        self.config,
                    ),
                    null_allowed_fields: null_allowed,
                    ..Role::plain(RoleDef::of(r, m.model))
                }
            })
            .collect()
    }

    /// Field resolvers the auth rules of a model need: protected fields, then owner fields
    /// shown without their `sub::` part.
    fn model_field_resolvers(&mut self, m: &ModelPlan) {
        let Some(acm) = &m.acm else {
            return;
        };
        let name = m.model.name.text.as_str();
        let p = self.providers;
        let subscriptions_on = field_subscriptions_on(m.model, self.config);
        for field in &acm.resources {
            let is_relation = m.model.field(field).is_some_and(|f| {
                ["hasOne", "hasMany", "belongsTo", "manyToMany"]
                    .iter()
                    .any(|d| f.has_directive(d))
            });
            if is_relation {
                // Relational fields get their auth with the relation resolvers.
                continue;
            }
            let readers = auth_checks::field_readers(acm, field);
            if readers.blind.is_empty() {
                continue;
            }
            let roles: Vec<Role> = readers
                .allowed
                .into_iter()
                .map(|r| Role::plain(RoleDef::of(r, m.model)))
                .collect();
            if let Some(f) = m.model.field(field).filter(|f| has_directive_resolver(f)) {
                self.auth_function(name, f, Some(name), &roles);
                continue;
            }
            self.add(
                name,
                field,
                ResolverKind::Field,
                Some(name),
                DataSourceRef::None,
                vec![Step::data(
                    DataSourceRef::None,
                    field::field_auth(&p, &roles, Some(m.model), Some(field)),
                    field::field_response(field, subscriptions_on),
                )],
            );
        }
        if !self.config.flags.usesubusernamefordefaultidentityclaim {
            return;
        }
        for role in &acm.roles {
            let def = RoleDef::of(role, m.model);
            if def.strategy != Strategy::Owner || !def.has_multi_claim() {
                continue;
            }
            let field = def.entity().to_string();
            let template = field::owner_read_back(&field);
            let existing = self
                .resolver_of
                .get(&(name.to_string(), field.clone()))
                .copied();
            match existing {
                Some(i) => self.append_finish(i, template),
                None => self.add(
                    name,
                    &field,
                    ResolverKind::Field,
                    Some(name),
                    DataSourceRef::None,
                    vec![Step::data(
                        DataSourceRef::None,
                        field::empty_request(),
                        template,
                    )],
                ),
            }
        }
    }

    /// The resolvers of `@function` fields (the function transformer runs first), then of
    /// `@http` fields.
    fn invoke_resolvers(&mut self, inv: &Invocations) {
        for f in &inv.functions {
            let mut functions = Vec::new();
            for call in &f.calls {
                let id = call.function_id();
                let request = self.file(format!("{id}.req.vtl"), &invoke::lambda_request(call));
                let response = self.file(format!("{id}.res.vtl"), &invoke::lambda_response());
                functions.push(LambdaFunction {
                    call: call.clone(),
                    request,
                    response,
                });
            }
            let response = self.invoke_response(&f.type_name, &f.field_name);
            self.plan.invoke_resolvers.push(InvokeResolver {
                type_name: f.type_name.clone(),
                field_name: f.field_name.clone(),
                target: InvokeTarget::Lambda(functions),
                response,
            });
        }
        for h in &inv.http {
            let base = format!("{}.{}", h.type_name, h.field_name);
            let text = vtl::print(&invoke::http_request(h));
            let request = if text.contains("${env}") || text.contains("${aws_region}") {
                HttpRequest::Inline(text)
            } else {
                let name = format!("{base}.DataResolver.req.vtl");
                self.text(&name, text);
                HttpRequest::File(name)
            };
            let response = self.file(
                format!("{base}.DataResolver.res.vtl"),
                &invoke::http_response(h),
            );
            let resolver_response = self.invoke_response(&h.type_name, &h.field_name);
            self.plan.invoke_resolvers.push(InvokeResolver {
                type_name: h.type_name.clone(),
                field_name: h.field_name.clone(),
                target: InvokeTarget::Http(HttpFunction {
                    data_source: h.data_source_id(),
                    origin: h.origin.clone(),
                    function: h.function_id(),
                    request,
                    response,
                }),
                response: resolver_response,
            });
        }
    }

    fn invoke_response(&mut self, type_name: &str, field_name: &str) -> String {
        self.file(
            format!("{type_name}.{field_name}.res.vtl"),
            &invoke::resolver_response(),
        )
    }

    /// The auth step of a field whose resolver `@function` or `@http` makes. Its check reads
    /// no field of the parent: only the static rules and the caller's identity count.
    fn auth_function(
        &mut self,
        type_name: &str,
        field: &crate::model::Field,
        model: Option<&str>,
        roles: &[Role],
    ) {
        let has_resolver = self
            .plan
            .invoke_resolvers
            .iter()
            .any(|r| r.type_name == type_name && r.field_name == field.name.text);
        if !has_resolver {
            // `@predictions` makes no resolver here (it is refused before planning).
            return;
        }
        let p = self.providers;
        let name = field.name.text.as_str();
        let request = self.file(
            format!("{type_name}.{name}.auth.req.vtl"),
            &field::field_auth(&p, roles, None, Some(name)),
        );
        let position = self.plan.resolvers.len();
        self.plan.auth_functions.push(AuthFunction {
            type_name: type_name.to_string(),
            field_name: name.to_string(),
            request,
            model: model.map(str::to_string),
            is_function: field.has_directive("function"),
            position,
        });
    }

    /// Adds a response-only function to the finish slot of an existing resolver.
    fn append_finish(&mut self, index: usize, template: Vec<Stmt>) {
        let resolver = &self.plan.resolvers[index];
        let n = resolver
            .functions
            .iter()
            .filter(|f| matches!(f.slot, Some((Slot::Finish, _))))
            .count();
        let file = format!(
            "{}.{}.finish.{}.res.vtl",
            resolver.type_name,
            resolver.field_name,
            n + 1
        );
        let file = self.file(file, &template);
        self.plan.resolvers[index].functions.push(Function {
            slot: Some((Slot::Finish, n)),
            data_source: DataSourceRef::None,
            request: None,
            response: Some(file),
        });
    }

    /// `@auth` on fields of `Query`/`Mutation`/`Subscription` and of non-model types: only the
    /// static rules can be checked there.
    fn other_field_resolvers(&mut self, n: &Normalised) {
        let p = self.providers;
        for ta in &n.auth {
            let Some(ty) = n.schema.object(&ta.type_name) else {
                continue;
            };
            if !matches!(ty.kind, TypeKind::Root | TypeKind::Plain) {
                continue;
            }
            let kind = if ty.kind == TypeKind::Root {
                ResolverKind::CustomRoot
            } else {
                ResolverKind::Field
            };
            for (field, rules) in &ta.field_rules {
                let mut names: Vec<String> = Vec::new();
                let mut roles: Vec<Role> = Vec::new();
                for rule in rules
                    .iter()
                    .filter(|r| r.strategy != Strategy::Owner && r.groups_field.is_none())
                {
                    for (role_name, group) in role_names(rule, RoleNaming::Transformer) {
                        if names.contains(&role_name) {
                            continue;
                        }
                        names.push(role_name);
                        roles.push(Role::plain(RoleDef::from_rule(rule, group.as_ref(), None)));
                    }
                }
                if let Some(f) = ty.field(field).filter(|f| has_directive_resolver(f)) {
                    self.auth_function(&ta.type_name, f, None, &roles);
                    continue;
                }
                self.add(
                    &ta.type_name,
                    field,
                    kind,
                    None,
                    DataSourceRef::None,
                    vec![Step::data(
                        DataSourceRef::None,
                        field::field_auth(&p, &roles, None, Some(field)),
                        field::field_response(field, false),
                    )],
                );
            }
        }
    }
}

/// A field whose resolver another directive makes (`@function`, `@http`, `@predictions`):
/// `@auth` then puts an auth function (`<Type><Field>AuthFN`, `<Type>.<field>.auth.req.vtl`)
/// first in that resolver's pipeline instead of making a resolver.
fn has_directive_resolver(field: &crate::model::Field) -> bool {
    ["function", "http", "predictions"]
        .iter()
        .any(|d| field.has_directive(d))
}

/// The fields a role may `op`, in field order.
fn fields_with(acm: &Acm, role: &AcmRole, op: Operation) -> Vec<String> {
    acm.resources
        .iter()
        .zip(&role.access)
        .filter(|(_, a)| a.contains(op))
        .map(|(f, _)| f.clone())
        .collect()
}

/// Adds the fields the API itself writes to a role's allowed fields: the connection fields of
/// implicit relations (`blogPostsId`), and composite sort keys of `@primaryKey`/`@index`
/// (`a#b`) whose parts are all allowed.
fn with_generated_fields(
    schema: &Schema,
    model: &ObjectModel,
    allowed: Vec<String>,
    resources: &[String],
    config: &Config,
) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    let add = |unique: &mut Vec<String>, f: String| {
        if !unique.contains(&f) {
            unique.push(f);
        }
    };
    for f in allowed {
        add(&mut unique, f);
    }
    let name = &model.name.text;
    let respect_key = config.flags.respectprimarykeyattributesonconnectionfield;
    let connection = |ty: &str, field: &str, key_field: &str| {
        let suffix = if respect_key { key_field } else { "id" };
        format!(
            "{}{}{}",
            lower_first(ty),
            upper_first(field),
            upper_first(suffix)
        )
    };
    let sort_connection = |ty: &str, field: &str, sk: &str| {
        format!(
            "{}{}{}",
            lower_first(ty),
            upper_first(field),
            upper_first(sk)
        )
    };
    // `@hasMany` fields of other types that point here: the child holds the parent's key.
    // (A join model of `@manyToMany` is pointed at by rewritten fields, which the reference
    // does not see: it reads the document as written.)
    for (parent, f) in schema
        .fields_of_type(name)
        .filter(|(_, f)| !model.is_join && f.has_directive("hasMany"))
    {
        let key = PrimaryKey::of(parent);
        add(
            &mut unique,
            connection(&parent.name.text, &f.name.text, &key.partition),
        );
        for sk in &key.sort {
            add(
                &mut unique,
                sort_connection(&parent.name.text, &f.name.text, sk),
            );
        }
    }
    // Implicit `@hasOne` (and `@belongsTo` of a `@hasOne`) fields of this model.
    for field in resources {
        let Some(f) = model.field(field) else {
            continue;
        };
        for d in f.directives.iter().filter(|d| {
            (d.name.text == "hasOne" || d.name.text == "belongsTo")
                && d.argument("fields").is_none()
        }) {
            let Some(related) = schema.object(f.ty.base()) else {
                continue;
            };
            let applies = d.name.text == "hasOne"
                || related
                    .fields
                    .iter()
                    .any(|rf| rf.ty.base() == name && rf.has_directive("hasOne"));
            if applies {
                add(
                    &mut unique,
                    connection(name, field, &PrimaryKey::of(related).partition),
                );
                for sk in &PrimaryKey::of(model).sort {
                    add(&mut unique, sort_connection(name, field, sk));
                }
            }
        }
    }
    for f in &model.fields {
        for d in f
            .directives
            .iter()
            .filter(|d| d.name.text == "primaryKey" || d.name.text == "index")
        {
            let Some(arg) = d.argument("sortKeyFields") else {
                continue;
            };
            let ValueKind::List(items) = &arg.value.kind else {
                continue;
            };
            if items.len() < 2 {
                continue;
            }
            let names: Vec<&str> = items
                .iter()
                .filter_map(|i| match &i.kind {
                    ValueKind::String(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            if names.len() == items.len() && names.iter().all(|n| unique.iter().any(|u| u == n)) {
                add(&mut unique, names.join("#"));
            }
        }
    }
    if crate::plan::datastore::enabled(config) {
        for f in crate::plan::datastore::SYNC_FIELDS {
            add(&mut unique, f.to_string());
        }
    }
    unique
}

/// Key attributes of the table: the partition key, then the sort key (`a#b` when composite).
fn table_key_attributes(key: &PrimaryKey) -> Vec<String> {
    let mut v = vec![key.partition.clone()];
    v.extend(sort_key_attribute(key));
    v
}

fn sort_key_attribute(key: &PrimaryKey) -> Option<String> {
    (!key.sort.is_empty()).then(|| key.sort.join("#"))
}

/// Whether create generates the id: the model's `id` is an `ID` or `String` scalar (an
/// implicit `id` is `ID!`, and there is none when `@primaryKey` is on another field).
fn auto_id(model: &ObjectModel) -> bool {
    match model.field("id") {
        None => !PrimaryKey::of(model).explicit,
        Some(f) => !f.ty.is_list() && matches!(f.ty.base(), "ID" | "String"),
    }
}

/// Fields with `@index`, whose null values create leaves out of the item.
fn index_fields(model: &ObjectModel) -> Vec<String> {
    model
        .fields
        .iter()
        .filter(|f| f.has_directive("index"))
        .map(|f| f.name.text.clone())
        .collect()
}

/// Timestamps as the init steps see them. Without deep merge (the CLI's default) a given
/// `timestamps` map replaces the defaults, so a name it leaves out is not set.
fn resolver_timestamps(model: &ObjectModel, config: &Config) -> Option<Timestamps> {
    let default = Timestamps {
        created_at: Some("createdAt".into()),
        updated_at: Some("updatedAt".into()),
    };
    let Some(value) = model.model_args().and_then(|a| a.timestamps.as_ref()) else {
        return Some(default);
    };
    let ValueKind::Object(fields) = &value.kind else {
        return None;
    };
    let deep = config.flags.shoulddeepmergedirectiveconfigdefaults;
    let read = |key: &str, default: Option<String>| match fields.iter().find(|(k, _)| k.text == key)
    {
        None if deep => default,
        None => None,
        Some((_, v)) => match &v.kind {
            ValueKind::String(s) => Some(s.clone()),
            _ => None,
        },
    };
    Some(Timestamps {
        created_at: read("createdAt", default.created_at.clone()),
        updated_at: read("updatedAt", default.updated_at.clone()),
    })
}

/// Whether a protected field hides its value from mutation results. The reference reads the
/// `level` of the model's subscription settings as the directive gives them: absent settings
/// mean `on`, `subscriptions: null` or a map without `level` (without deep merge) do not.
fn field_subscriptions_on(model: &ObjectModel, config: &Config) -> bool {
    let Some(value) = model.model_args().and_then(|a| a.subscriptions.as_ref()) else {
        return true;
    };
    let ValueKind::Object(fields) = &value.kind else {
        return false;
    };
    match fields.iter().find(|(k, _)| k.text == "level") {
        Some((_, v)) => matches!(&v.kind, ValueKind::Enum(l) if l == "on"),
        None => config.flags.shoulddeepmergedirectiveconfigdefaults,
    }
}
