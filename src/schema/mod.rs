//! The API schema the reference deploys: the input document with its models completed
//! (implicit fields), the generated inputs and connections, the operations, and the AppSync
//! auth-mode directives derived from the access-control matrices.
//!
//! The reference builds its output by inserting into an ordered map of types, and re-appends a
//! root field at the end whenever it adds a directive to it; both orders show in the printed
//! schema, so `OutputSchema` reproduces them literally.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::ast::build::*;
use crate::ast::*;
use crate::config::{AuthModeKind, Config};
use crate::model::keys::{self, PrimaryKey, lower_first, upper_first};
use crate::model::operations::{ModelOperations, MutationKind};
use crate::model::{
    ObjectModel, Operation, Provider, ROOT_TYPES, Strategy, SubscriptionLevel, TypeKind,
};
use crate::normalise::Normalised;
use crate::plan::invocations::Invocations;
use crate::plan::relations::{Relation, RelationKind};
use crate::plan::searchable::Searchable;
use crate::plan::{ModelPlan, Plan};

mod searchable_types;

/// Builds the output schema document.
pub fn build(plan: &Plan) -> Document {
    let n = plan.normalised;
    let mut out = OutputSchema::default();
    let ctx = Context::new(plan);
    ctx.copy_input_document(&mut out);
    for s in ctx.searchable {
        ctx.searchable_object_stage(s, &mut out);
    }
    http_stage(&plan.invocations, &mut out);
    if n.schema.models().next().is_some() {
        for def in builtin_inputs() {
            out.insert(def);
        }
    }
    for model in n.schema.models() {
        ctx.model_stage(model, &mut out);
    }
    for model in n.schema.models() {
        ctx.primary_key_stage(model, &mut out);
    }
    for model in n.schema.models() {
        ctx.index_stage(model, &mut out);
    }
    for kind in [
        RelationKind::HasMany,
        RelationKind::HasOne,
        RelationKind::BelongsTo,
    ] {
        for rel in ctx.relations.iter().filter(|r| r.kind == kind) {
            ctx.relation_stage(rel, &mut out);
        }
    }
    // The searchable inputs see the model types without the owner fields @auth adds.
    let before_auth: Vec<Vec<FieldDef>> = ctx
        .searchable
        .iter()
        .map(|s| {
            out.object_mut(&s.model)
                .map(|o| o.fields.clone())
                .unwrap_or_default()
        })
        .collect();
    for model in n.schema.models() {
        ctx.auth_stage(model, &mut out);
    }
    ctx.non_model_field_auth(&mut out);
    ctx.searchable_aggregate_auth(&mut out);
    for (s, fields) in ctx.searchable.iter().zip(&before_auth) {
        ctx.searchable_inputs_stage(s, fields, &mut out);
    }
    if !ctx.searchable.is_empty() && n.sandbox && ctx.default != Provider::ApiKey {
        for t in searchable_types::AGGREGATE_TYPES {
            out.extend_type(t, &["aws_api_key"]);
        }
    }
    out.settle_roots();
    for root in ROOT_TYPES {
        if let Some(Definition::Object(o)) = out.defs.get(*root)
            && o.fields.is_empty()
        {
            out.defs.shift_remove(*root);
        }
    }
    Document {
        definitions: out.defs.into_values().collect(),
    }
}

/// `@http` fields take their arguments in inputs: `params` (the URL's `:name` parts), `query`
/// and, for methods with a body, `body`; a field whose arguments change moves to the end of
/// its type.
fn http_stage(invocations: &Invocations, out: &mut OutputSchema) {
    for h in &invocations.http {
        let mut args = Vec::new();
        if !h.params.is_empty() {
            let fields = h.params.iter().map(|p| input_value(p, non_null("String")));
            out.insert(Definition::Input(input(
                &h.params_input(),
                fields.collect(),
            )));
            args.push(input_value("params", non_null(&h.params_input())));
        }
        if !h.query_and_body_args.is_empty() {
            // Other methods than GET may send an argument in the query or the body: both
            // inputs then make every argument optional.
            let fields: Vec<InputValue> = h
                .query_and_body_args
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    if h.method != "GET" {
                        a.ty = strip_non_null(a.ty);
                    }
                    a
                })
                .collect();
            let required = fields.iter().any(|f| f.ty.is_non_null());
            let arg = |name: &str, ty: &str| {
                input_value(name, if required { non_null(ty) } else { named(ty) })
            };
            out.insert(Definition::Input(input(&h.query_input(), fields.clone())));
            args.push(arg("query", &h.query_input()));
            if h.supports_body() {
                out.insert(Definition::Input(input(&h.body_input(), fields)));
                args.push(arg("body", &h.body_input()));
            }
        }
        if args.is_empty() {
            continue;
        }
        if let Some(f) = out.root_field_mut(&h.type_name, &h.field_name, true) {
            f.arguments = args;
        }
    }
}

/// Ordered output types, by name.
#[derive(Default)]
struct OutputSchema {
    defs: IndexMap<String, Definition>,
    /// The fields of each root type by name, and when each was last appended or moved.
    roots: HashMap<String, RootFields>,
    /// The clock of `RootFields::last_touched`.
    clock: u64,
}

/// A root type's fields while the schema is built. Re-appending a field at the end of a list
/// of thousands on every directive added to it would cost a scan and a shift each time; the
/// fields stay where they are and remember when they were last touched, and `settle_roots`
/// orders them by that once: the order the reference's removals and pushes leave.
#[derive(Default)]
struct RootFields {
    position: HashMap<String, usize>,
    /// Parallel to the type's fields.
    last_touched: Vec<u64>,
}

impl RootFields {
    /// The fields a root type already has, untouched.
    fn of(fields: &[FieldDef]) -> RootFields {
        RootFields {
            position: (fields.iter().enumerate())
                .map(|(i, f)| (f.name.text.clone(), i))
                .collect(),
            last_touched: vec![0; fields.len()],
        }
    }
}

impl OutputSchema {
    fn insert(&mut self, def: Definition) {
        let name = def.name().to_string();
        self.defs.entry(name).or_insert(def);
    }

    fn object_mut(&mut self, name: &str) -> Option<&mut ObjectType> {
        match self.defs.get_mut(name) {
            Some(Definition::Object(o)) => Some(o),
            _ => None,
        }
    }

    fn input_mut(&mut self, name: &str) -> Option<&mut InputType> {
        match self.defs.get_mut(name) {
            Some(Definition::Input(i)) => Some(i),
            _ => None,
        }
    }

    /// Appends a field to a root type, creating the type on first use.
    fn ensure_root(&mut self, root: &str) {
        if !self.defs.contains_key(root) {
            self.insert(Definition::Object(object(root, Vec::new())));
        }
    }

    fn add_root_field(&mut self, root: &str, field: FieldDef) {
        self.ensure_root(root);
        let now = self.tick();
        let Some(Definition::Object(o)) = self.defs.get_mut(root) else {
            return;
        };
        let index = self
            .roots
            .entry(root.to_string())
            .or_insert_with(|| RootFields::of(&o.fields));
        index
            .position
            .insert(field.name.text.clone(), o.fields.len());
        index.last_touched.push(now);
        o.fields.push(field);
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// A field of a root type, by name; `moved` takes it to the end of its type.
    fn root_field_mut(&mut self, root: &str, field: &str, moved: bool) -> Option<&mut FieldDef> {
        let now = self.tick();
        let Some(Definition::Object(o)) = self.defs.get_mut(root) else {
            return None;
        };
        let index = self
            .roots
            .entry(root.to_string())
            .or_insert_with(|| RootFields::of(&o.fields));
        let &i = index.position.get(field)?;
        if moved {
            index.last_touched[i] = now;
        }
        o.fields.get_mut(i)
    }

    /// Puts every root type's fields in the order the reference's re-appends leave them.
    fn settle_roots(&mut self) {
        for (root, index) in std::mem::take(&mut self.roots) {
            if let Some(Definition::Object(o)) = self.defs.get_mut(&root) {
                debug_assert_eq!(o.fields.len(), index.last_touched.len());
                let mut keyed: Vec<(u64, FieldDef)> = index
                    .last_touched
                    .into_iter()
                    .zip(o.fields.drain(..))
                    .collect();
                // Stable: untouched fields keep their order, before every touched one.
                keyed.sort_by_key(|(t, _)| *t);
                o.fields = keyed.into_iter().map(|(_, f)| f).collect();
            }
        }
    }

    /// Adds directives a type does not have yet, after the ones it has.
    fn extend_type(&mut self, name: &str, directives: &[&str]) {
        let Some(def) = self.defs.get_mut(name) else {
            return;
        };
        let list = match def {
            Definition::Object(o) | Definition::Interface(o) => &mut o.directives,
            _ => return,
        };
        for d in directives {
            if !list.iter().any(|x| x.name.text == *d) {
                list.push(directive(d, Vec::new()));
            }
        }
    }

    /// Adds directives to a field of a root type; the field then moves to the end of its type,
    /// as in the reference.
    fn extend_root_field(&mut self, root: &str, field: &str, directives: &[&str]) {
        if directives.is_empty() {
            return;
        }
        let Some(f) = self.root_field_mut(root, field, true) else {
            return;
        };
        for d in directives {
            if !f.directives.iter().any(|x| x.name.text == *d) {
                f.directives.push(directive(d, Vec::new()));
            }
        }
    }
}

struct Context<'a> {
    plan: &'a Plan<'a>,
    n: &'a Normalised,
    config: &'a Config,
    relations: &'a [Relation],
    default: Provider,
    /// Admin roles with an IAM mode: IAM is added to every role set.
    admin_iam: bool,
    searchable: &'a [Searchable],
}

/// The AppSync directive of each provider, in the order the reference lists them.
const PROVIDER_ORDER: [(Provider, &str); 5] = [
    (Provider::ApiKey, "aws_api_key"),
    (Provider::IdentityPool, "aws_iam"),
    (Provider::Oidc, "aws_oidc"),
    (Provider::UserPools, "aws_cognito_user_pools"),
    (Provider::Function, "aws_lambda"),
];

impl<'a> Context<'a> {
    fn new(plan: &'a Plan<'a>) -> Self {
        let (n, config) = (plan.normalised, plan.config);
        let default = match config.auth.default.kind {
            AuthModeKind::ApiKey => Provider::ApiKey,
            AuthModeKind::Iam => Provider::IdentityPool,
            AuthModeKind::UserPools => Provider::UserPools,
            AuthModeKind::Oidc => Provider::Oidc,
            AuthModeKind::Lambda => Provider::Function,
        };
        Context {
            plan,
            n,
            config,
            relations: &plan.relations,
            default,
            admin_iam: !config.admin_roles.is_empty() && config.auth.has(AuthModeKind::Iam),
            searchable: &plan.searchable,
        }
    }

    /// The plan of a model of the schema.
    fn planned(&self, model: &ObjectModel) -> &'a ModelPlan<'a> {
        self.plan
            .model(&model.name.text)
            .expect("every model is planned")
    }

    fn is_model(&self, name: &str) -> bool {
        self.n.schema.model(name).is_some()
    }

    fn is_enum(&self, name: &str) -> bool {
        self.n.schema.is_enum(name)
    }

    fn is_non_model_object(&self, name: &str) -> bool {
        self.n
            .schema
            .object(name)
            .is_some_and(|t| t.kind == TypeKind::Plain)
    }

    /// The input document as the output starts: extensions merged, `input AMPLIFY` dropped,
    /// only AppSync directives and `@deprecated` kept.
    fn copy_input_document(&self, out: &mut OutputSchema) {
        // Definitions first, then extensions merged into them: GraphQL does not order them.
        let (extensions, definitions): (Vec<&Definition>, Vec<&Definition>) = self
            .n
            .schema
            .document
            .definitions
            .iter()
            .partition(|d| d.is_extension());
        for def in definitions.into_iter().chain(extensions) {
            let mut def = def.clone();
            strip_directives(&mut def);
            let name = def.name().to_string();
            if name == "AMPLIFY" && matches!(def, Definition::Input(_)) {
                continue;
            }
            if matches!(def, Definition::Other { .. }) {
                continue;
            }
            match (out.defs.get_mut(&name), def) {
                (Some(Definition::Object(base)), Definition::Object(ext))
                | (Some(Definition::Interface(base)), Definition::Interface(ext)) => {
                    base.fields.extend(ext.fields);
                    base.interfaces.extend(ext.interfaces);
                    base.directives.extend(ext.directives);
                }
                (Some(Definition::Input(base)), Definition::Input(ext)) => {
                    base.fields.extend(ext.fields)
                }
                (Some(Definition::Enum(base)), Definition::Enum(ext)) => {
                    base.values.extend(ext.values)
                }
                (Some(Definition::Union(base)), Definition::Union(ext)) => {
                    base.members.extend(ext.members)
                }
                (Some(_), _) => {}
                (None, mut def) => {
                    def.clear_extension();
                    out.insert(def);
                }
            }
        }
    }

    /// What the model transformer adds for one model.
    fn model_stage(&self, model: &ObjectModel, out: &mut OutputSchema) {
        let name = &model.name.text;
        let ops = &self.planned(model).operations;
        let datastore = crate::plan::datastore::enabled(self.config);
        let declared: Vec<FieldDef> = out
            .object_mut(name)
            .map(|o| o.fields.clone())
            .unwrap_or_default();

        // Implicit fields.
        let mut implicit = Vec::new();
        if !declared.iter().any(|f| f.name.text == "id") {
            implicit.push(field_def("id", non_null("ID"), Vec::new()));
        }
        for ts in [&ops.created_at, &ops.updated_at].into_iter().flatten() {
            if !declared.iter().any(|f| f.name.text == *ts) {
                implicit.push(field_def(ts, non_null("AWSDateTime"), Vec::new()));
            }
        }
        if let Some(o) = out.object_mut(name) {
            o.fields.extend(implicit);
        }
        let all_fields: Vec<FieldDef> = out
            .object_mut(name)
            .map(|o| o.fields.clone())
            .unwrap_or_default();

        // Inputs of the non-model object types the model's fields use.
        if !ops.mutations.is_empty() {
            for f in &declared {
                self.non_model_inputs(f.ty.base(), out);
            }
        }

        if let Some(list) = &ops.list {
            out.insert(Definition::Object(object(
                &format!("Model{}Connection", upper_first(name)),
                vec![
                    field_def(
                        "items",
                        TypeRef::NonNull(Box::new(TypeRef::List(Box::new(named(name))))),
                        Vec::new(),
                    ),
                    field_def("nextToken", named("String"), Vec::new()),
                ]
                .into_iter()
                .chain(datastore.then(|| field_def("startedAt", named("AWSTimestamp"), Vec::new())))
                .collect(),
            )));
            let filter = format!("Model{}FilterInput", upper_first(name));
            let mut fields = self.filter_fields(&all_fields, out);
            fields.push(input_value("and", TypeRef::List(Box::new(named(&filter)))));
            fields.push(input_value("or", TypeRef::List(Box::new(named(&filter)))));
            fields.push(input_value("not", named(&filter)));
            if datastore {
                fields.push(input_value("_deleted", named("ModelBooleanInput")));
            }
            out.insert(Definition::Input(input(&filter, fields)));
            if let Some(get) = &ops.get {
                out.add_root_field("Query", get_field(get, name));
            }
            // list and sync page through the same connection with the same arguments; sync
            // adds the time of the last sync.
            let connection = named(&format!("Model{}Connection", upper_first(name)));
            let page_args = || {
                vec![
                    input_value("filter", named(&filter)),
                    input_value("limit", named("Int")),
                    input_value("nextToken", named("String")),
                ]
            };
            out.add_root_field(
                "Query",
                field_with_args(list, page_args(), connection.clone()),
            );
            if let Some(sync) = &ops.sync {
                let mut args = page_args();
                args.push(input_value("lastSync", named("AWSTimestamp")));
                out.add_root_field("Query", field_with_args(sync, args, connection));
            }
        } else if let Some(get) = &ops.get {
            out.add_root_field("Query", get_field(get, name));
        }
        // The reference makes the root types as it meets the first model, whether that model
        // has operations of the kind or not (empty ones are dropped at the end).
        out.ensure_root("Query");

        if !ops.mutations.is_empty() {
            let condition = format!("Model{}ConditionInput", upper_first(name));
            let mut fields: Vec<InputValue> = self
                .filter_fields(&declared, out)
                .into_iter()
                .filter(|f| !(f.name.text == "id" && f.ty.base() == "ModelIDInput"))
                .collect();
            fields.push(input_value(
                "and",
                TypeRef::List(Box::new(named(&condition))),
            ));
            fields.push(input_value(
                "or",
                TypeRef::List(Box::new(named(&condition))),
            ));
            fields.push(input_value("not", named(&condition)));
            if datastore {
                fields.push(input_value("_deleted", named("ModelBooleanInput")));
            }
            for ts in [&ops.created_at, &ops.updated_at].into_iter().flatten() {
                if !fields.iter().any(|f| f.name.text == *ts) {
                    fields.push(input_value(ts, named("ModelStringInput")));
                }
            }
            out.insert(Definition::Input(input(&condition, fields)));
            for (kind, _) in &ops.mutations {
                let input_name = mutation_input_name(*kind, name);
                let mut fields = self.mutation_input_fields(*kind, &declared, ops);
                if datastore {
                    fields.push(input_value("_version", named("Int")));
                }
                out.insert(Definition::Input(input(&input_name, fields)));
            }
            // The Mutation type comes after all of the model's inputs.
            for (kind, op_name) in &ops.mutations {
                let input_name = mutation_input_name(*kind, name);
                out.add_root_field(
                    "Mutation",
                    field_with_args(
                        op_name,
                        vec![
                            input_value("input", non_null(&input_name)),
                            input_value("condition", named(&condition)),
                        ],
                        named(name),
                    ),
                );
            }
        }

        out.ensure_root("Mutation");

        if !ops.subscriptions.is_empty() {
            let filter = format!("ModelSubscription{}FilterInput", upper_first(name));
            let mut fields: Vec<InputValue> = all_fields
                .iter()
                .filter_map(|f| {
                    self.subscription_filter_type(f.ty.base())
                        .map(|t| input_value(&f.name.text, named(t)))
                })
                .collect();
            fields.push(input_value("and", TypeRef::List(Box::new(named(&filter)))));
            fields.push(input_value("or", TypeRef::List(Box::new(named(&filter)))));
            if datastore {
                fields.push(input_value("_deleted", named("ModelBooleanInput")));
            }
            out.insert(Definition::Input(input(&filter, fields)));
            for s in &ops.subscriptions {
                let mut f = field_with_args(
                    &s.name,
                    vec![input_value("filter", named(&filter))],
                    named(name),
                );
                f.directives.push(directive(
                    "aws_subscribe",
                    vec![Argument {
                        name: ident("mutations"),
                        value: list_of_strings(std::slice::from_ref(&s.mutation)),
                    }],
                ));
                out.add_root_field("Subscription", f);
            }
        }

        out.ensure_root("Subscription");

        // DataStore's fields come after the inputs, which therefore do not have them.
        if datastore && let Some(o) = out.object_mut(name) {
            o.fields
                .push(field_def("_version", non_null("Int"), Vec::new()));
            o.fields
                .push(field_def("_deleted", named("Boolean"), Vec::new()));
            o.fields.push(field_def(
                "_lastChangedAt",
                non_null("AWSTimestamp"),
                Vec::new(),
            ));
        }

        // Sandbox: models without type-level rules are opened to the API key.
        if self.n.sandbox && model.auth.is_none() && self.default != Provider::ApiKey {
            let key = ["aws_api_key"];
            out.extend_type(name, &key);
            for (root, field, ret) in self.operation_fields(model, ops) {
                out.extend_root_field(root, &field, &key);
                out.extend_type(&ret, &key);
            }
            for t in self.nested_non_model_types(model) {
                out.extend_type(&t, &key);
            }
        }
    }

    /// `@primaryKey`: key arguments for get and list, key fields in the mutation inputs, no
    /// implicit `id` on the type.
    fn primary_key_stage(&self, model: &ObjectModel, out: &mut OutputSchema) {
        let planned = self.planned(model);
        let (key, ops) = (&planned.key, &planned.operations);
        if !key.explicit {
            return;
        }
        let name = &model.name.text;
        let key_type = |f: &str| -> String {
            keys::field_type(model, f).map_or("ID".to_string(), |t| t.base().to_string())
        };
        if model.field("id").is_none() {
            if let Some(o) = out.object_mut(name) {
                o.fields.retain(|f| f.name.text != "id");
            }
            for input_name in [
                format!("Create{}Input", upper_first(name)),
                format!("Update{}Input", upper_first(name)),
            ] {
                if let Some(i) = out.input_mut(&input_name) {
                    i.fields.retain(|f| f.name.text != "id");
                }
            }
        }
        let key_args: Vec<InputValue> = key
            .fields()
            .map(|f| input_value(f, non_null(&key_type(f))))
            .collect();
        if let Some(get) = &ops.get
            && let Some(f) = out.root_field_mut("Query", get, false)
        {
            f.arguments = key_args.clone();
        }
        if let Some(list) = &ops.list {
            let mut args = vec![input_value(
                &key.partition,
                named(&key_type(&key.partition)),
            )];
            if let Some(arg) = self.sort_key_arg(
                model,
                &key.sort,
                &format!("Model{}PrimaryCompositeKey", upper_first(name)),
                out,
            ) {
                args.push(arg);
            }
            if let Some(f) = out.root_field_mut("Query", list, false) {
                args.append(&mut f.arguments);
                args.push(input_value("sortDirection", named("ModelSortDirection")));
                f.arguments = args;
            }
        }
        if let Some(i) = out.input_mut(&format!("Update{}Input", upper_first(name))) {
            for f in &mut i.fields {
                if key.contains(&f.name.text) {
                    f.ty = non_null(f.ty.base());
                }
            }
        }
        if let Some(i) = out.input_mut(&format!("Delete{}Input", upper_first(name))) {
            i.fields = key_args;
            if crate::plan::datastore::enabled(self.config) {
                i.fields.push(input_value("_version", named("Int")));
            }
        }
        if let Some(i) = out.input_mut(&format!("Model{}ConditionInput", upper_first(name))) {
            i.fields.retain(|f| !key.contains(&f.name.text));
        }
    }

    /// `@index` query fields.
    fn index_stage(&self, model: &ObjectModel, out: &mut OutputSchema) {
        let name = &model.name.text;
        for index in keys::indexes(model, self.config) {
            let Some(q) = &index.query_field else {
                continue;
            };
            let pk_type = keys::field_type(model, &index.partition)
                .map_or("ID".to_string(), |t| t.base().to_string());
            let mut args = vec![input_value(&index.partition, non_null(&pk_type))];
            let composite = format!(
                "Model{}{}CompositeKey",
                upper_first(name),
                upper_first(&index.name)
            );
            if let Some(arg) = self.sort_key_arg(model, &index.sort, &composite, out) {
                args.push(arg);
            }
            args.push(input_value("sortDirection", named("ModelSortDirection")));
            args.push(input_value(
                "filter",
                named(&format!("Model{}FilterInput", upper_first(name))),
            ));
            args.push(input_value("limit", named("Int")));
            args.push(input_value("nextToken", named("String")));
            out.add_root_field(
                "Query",
                field_with_args(
                    q,
                    args,
                    named(&format!("Model{}Connection", upper_first(name))),
                ),
            );
        }
    }

    /// The key-condition argument for sort keys: one field's condition, or a composite one.
    fn sort_key_arg(
        &self,
        model: &ObjectModel,
        sort: &[String],
        composite: &str,
        out: &mut OutputSchema,
    ) -> Option<InputValue> {
        match sort {
            [] => None,
            [one] => {
                let base = keys::field_type(model, one)
                    .map_or("String".to_string(), |t| t.base().to_string());
                let input_name = key_condition_input(&base, self.is_enum(&base), out);
                Some(input_value(one, named(&input_name)))
            }
            [first, rest @ ..] => {
                let arg_name = std::iter::once(first.clone())
                    .chain(rest.iter().map(|s| upper_first(s)))
                    .collect::<String>();
                let condition = format!("{composite}ConditionInput");
                let key_input = format!("{composite}Input");
                let ops = ["eq", "le", "lt", "ge", "gt", "between", "beginsWith"];
                out.insert(Definition::Input(input(
                    &condition,
                    ops.iter()
                        .map(|op| {
                            let ty = if *op == "between" {
                                TypeRef::List(Box::new(named(&key_input)))
                            } else {
                                named(&key_input)
                            };
                            input_value(op, ty)
                        })
                        .collect(),
                )));
                // Each field keeps its type but the last, whose scalar becomes its GraphQL
                // scalar (`AWSDate` → `String`, `AWSTimestamp` → `Int`), as the reference
                // builds this input.
                out.insert(Definition::Input(input(
                    &key_input,
                    sort.iter()
                        .enumerate()
                        .map(|(i, f)| {
                            let base = keys::field_type(model, f)
                                .map_or("String".to_string(), |t| t.base().to_string());
                            let ty = match scalar_family(&base) {
                                Some(family) if i == sort.len() - 1 => family.graphql_scalar(),
                                _ => &base,
                            };
                            input_value(f, named(ty))
                        })
                        .collect(),
                )));
                Some(input_value(&lower_first(&arg_name), named(&condition)))
            }
        }
    }

    /// What one relation adds: connection arguments for `@hasMany`, foreign keys for implicit
    /// relations.
    fn relation_stage(&self, rel: &Relation, out: &mut OutputSchema) {
        let Some(related) = self.n.schema.model(&rel.related) else {
            return;
        };
        if rel.kind == RelationKind::HasMany {
            let sort: Vec<String> = match &rel.index_name {
                Some(index_name) => keys::indexes(related, self.config)
                    .into_iter()
                    .find(|i| i.name == *index_name)
                    .map(|i| i.sort)
                    .unwrap_or_default(),
                None => PrimaryKey::of(related).sort,
            };
            let composite = match &rel.index_name {
                Some(i) => format!(
                    "Model{}{}CompositeKey",
                    upper_first(&rel.related),
                    upper_first(i)
                ),
                None => format!("Model{}PrimaryCompositeKey", upper_first(&rel.related)),
            };
            let mut args = Vec::new();
            // With two or more `fields` the sort keys are given by the parent: no argument.
            if rel.fields.len() < 2
                && let Some(arg) = self.sort_key_arg(related, &sort, &composite, out)
            {
                args.push(arg);
            }
            args.push(input_value(
                "filter",
                named(&format!("Model{}FilterInput", upper_first(&rel.related))),
            ));
            args.push(input_value("sortDirection", named("ModelSortDirection")));
            args.push(input_value("limit", named("Int")));
            args.push(input_value("nextToken", named("String")));
            if let Some(o) = out.object_mut(&rel.model)
                && let Some(f) = o.fields.iter_mut().find(|f| f.name.text == rel.field)
            {
                f.arguments = args;
                f.ty = named(&format!("Model{}Connection", upper_first(&rel.related)));
            }
        }
        let Some(added) = &rel.added else { return };
        // The reference puts a @hasMany's keys into the parent's subscription filter.
        let subscription_owner = if rel.kind == RelationKind::HasMany {
            &rel.model
        } else {
            &added.on
        };
        let on = &added.on;
        // A required @hasMany field makes its keys required on the child and on create.
        let required = rel.kind == RelationKind::HasMany
            && self
                .n
                .schema
                .model(&rel.model)
                .and_then(|m| m.field(&rel.field))
                .is_some_and(|f| f.ty.is_non_null());
        let key_type = |base: &str| {
            if required {
                non_null(base)
            } else {
                named(base)
            }
        };
        for (field, base) in &added.fields {
            let exists = out
                .object_mut(on)
                .is_some_and(|o| o.fields.iter().any(|f| f.name.text == *field));
            if exists {
                continue;
            }
            if let Some(o) = out.object_mut(on) {
                o.fields.push(field_def(field, key_type(base), Vec::new()));
            }
            let filter = scalar_filter(base).unwrap_or("ModelIDInput");
            for input_name in [
                format!("Model{}FilterInput", upper_first(on)),
                format!("Model{}ConditionInput", upper_first(on)),
            ] {
                if let Some(i) = out.input_mut(&input_name) {
                    i.fields.push(input_value(field, named(filter)));
                }
            }
            if let Some(i) = out.input_mut(&format!("Create{}Input", upper_first(on))) {
                i.fields.push(input_value(field, key_type(base)));
            }
            if let Some(i) = out.input_mut(&format!("Update{}Input", upper_first(on))) {
                i.fields.push(input_value(field, named(base)));
            }
            if let Some(t) = self.subscription_filter_type(base)
                && let Some(i) = out.input_mut(&format!(
                    "ModelSubscription{}FilterInput",
                    upper_first(subscription_owner)
                ))
            {
                i.fields.push(input_value(field, named(t)));
            }
        }
    }

    /// Every root field of a model with its return type, in the reference's auth order.
    fn operation_fields(
        &self,
        model: &ObjectModel,
        ops: &ModelOperations,
    ) -> Vec<(&'static str, String, String)> {
        let name = &model.name.text;
        let mut v = Vec::new();
        if let Some(g) = &ops.get {
            v.push(("Query", g.clone(), name.clone()));
        }
        if let Some(l) = &ops.list {
            v.push((
                "Query",
                l.clone(),
                format!("Model{}Connection", upper_first(name)),
            ));
        }
        if let Some(sync) = &ops.sync {
            v.push((
                "Query",
                sync.clone(),
                format!("Model{}Connection", upper_first(name)),
            ));
        }
        for kind in [
            MutationKind::Create,
            MutationKind::Update,
            MutationKind::Delete,
        ] {
            if let Some(m) = ops.mutation(kind) {
                v.push(("Mutation", m.to_string(), name.clone()));
            }
        }
        for s in &ops.subscriptions {
            v.push(("Subscription", s.name.clone(), name.clone()));
        }
        v
    }

    /// What the auth transformer adds for one model.
    fn auth_stage(&self, model: &ObjectModel, out: &mut OutputSchema) {
        let name = &model.name.text;
        let planned = self.planned(model);
        let Some(acm) = &planned.acm else {
            return;
        };
        let ops = &planned.operations;

        // Owner fields missing from the type are added as nullable strings, and to the
        // filter and condition inputs. As in the reference, presence is judged against the
        // definitions as they were before this stage, once per owner role: two owner rules on
        // one undeclared field add it twice.
        let owner_fields: Vec<String> = acm
            .roles
            .iter()
            .filter(|r| r.rule.strategy == Strategy::Owner)
            .filter_map(owner_entity)
            .collect();
        let names_before = |fields: Vec<String>| move |f: &String| !fields.contains(f);
        if let Some(o) = out.object_mut(name) {
            let missing = names_before(o.fields.iter().map(|x| x.name.text.clone()).collect());
            for f in owner_fields.iter().filter(|f| missing(f)) {
                o.fields.push(field_def(f, named("String"), Vec::new()));
            }
        }
        for input_name in [
            format!("Model{}FilterInput", upper_first(name)),
            format!("Model{}ConditionInput", upper_first(name)),
        ] {
            if let Some(i) = out.input_mut(&input_name) {
                let missing = names_before(i.fields.iter().map(|x| x.name.text.clone()).collect());
                for f in owner_fields.iter().filter(|f| missing(f)) {
                    i.fields.push(input_value(f, named("ModelStringInput")));
                }
            }
        }
        // Subscription filters cannot filter on fields the runtime filter already uses.
        let dynamic: Vec<String> = acm
            .roles
            .iter()
            .filter_map(|r| match r.rule.strategy {
                Strategy::Owner => owner_entity(r),
                Strategy::Groups if r.rule.is_dynamic_groups() => r.rule.groups_field.clone(),
                _ => None,
            })
            .collect();
        if let Some(i) = out.input_mut(&format!(
            "ModelSubscription{}FilterInput",
            upper_first(name)
        )) {
            i.fields.retain(|f| !dynamic.contains(&f.name.text));
            for f in &owner_fields {
                i.fields.push(input_value(f, named("ModelStringInput")));
            }
        }

        // The model type: every provider of the matrix, the default mode last.
        let all: Vec<Provider> = acm.roles.iter().map(|r| r.rule.provider).collect();
        let type_dirs = self.directives_for(&all, false);
        out.extend_type(name, &type_dirs);

        let providers_with = |op: Operation| -> Vec<Provider> {
            acm.roles_with(op).map(|r| r.rule.provider).collect()
        };
        let delete_providers: Vec<Provider> = acm
            .roles
            .iter()
            .filter(|r| {
                !r.access.is_empty() && r.access.iter().all(|a| a.contains(Operation::Delete))
            })
            .map(|r| r.rule.provider)
            .collect();
        let apply = |out: &mut OutputSchema,
                     root: &str,
                     field: &str,
                     ret: &str,
                     providers: Vec<Provider>| {
            let include_default = providers.iter().any(|p| p.same_as(self.default))
                || (providers.is_empty() && self.admin_iam);
            let dirs = self.directives_for(&providers, include_default);
            out.extend_root_field(root, field, &dirs);
            out.extend_type(ret, &dirs);
        };
        if let Some(g) = &ops.get {
            apply(out, "Query", g, name, providers_with(Operation::Get));
        }
        if let Some(l) = &ops.list {
            apply(
                out,
                "Query",
                l,
                &format!("Model{}Connection", upper_first(name)),
                providers_with(Operation::List),
            );
        }
        if let Some(sync) = &ops.sync {
            apply(
                out,
                "Query",
                sync,
                &format!("Model{}Connection", upper_first(name)),
                providers_with(Operation::Sync),
            );
        }
        for kind in [
            MutationKind::Create,
            MutationKind::Update,
            MutationKind::Delete,
        ] {
            if let Some(m) = ops.mutation(kind) {
                let providers = match kind {
                    MutationKind::Create => providers_with(Operation::Create),
                    MutationKind::Update => providers_with(Operation::Update),
                    MutationKind::Delete => delete_providers.clone(),
                };
                apply(out, "Mutation", m, name, providers);
            }
        }
        // Index queries take the list roles, then the get roles.
        for index in keys::indexes(model, self.config) {
            if let Some(q) = &index.query_field {
                let ret = format!("Model{}Connection", upper_first(name));
                apply(out, "Query", q, &ret, providers_with(Operation::List));
                apply(out, "Query", q, &ret, providers_with(Operation::Get));
            }
        }
        if let Some(q) = self.search_query(name) {
            apply(
                out,
                "Query",
                &q,
                &format!("Searchable{name}Connection"),
                providers_with(Operation::Search),
            );
        }
        if ops.level == SubscriptionLevel::On && !ops.subscriptions.is_empty() {
            // One owner argument per single-valued owner field of a listening owner rule.
            let mut args: Vec<String> = Vec::new();
            for role in acm.roles_with(Operation::Listen) {
                if role.rule.strategy != Strategy::Owner {
                    continue;
                }
                let Some(f) = &owner_entity(role) else {
                    continue;
                };
                let is_list = model.field(f).is_some_and(|fd| fd.ty.is_list());
                if !is_list {
                    args.push(f.clone());
                }
            }
            for s in &ops.subscriptions {
                if let Some(field) = out.root_field_mut("Subscription", &s.name, false) {
                    for a in &args {
                        field.arguments.push(input_value(a, named("String")));
                    }
                }
                apply(
                    out,
                    "Subscription",
                    &s.name,
                    name,
                    providers_with(Operation::Listen),
                );
            }
        }
        for t in self.nested_non_model_types(model) {
            out.extend_type(&t, &type_dirs);
        }
    }

    /// Fields of non-model and root types with `@auth`: the directives of their static rules.
    fn non_model_field_auth(&self, out: &mut OutputSchema) {
        for ta in &self.n.auth {
            let Some(ty) = self.n.schema.object(&ta.type_name) else {
                continue;
            };
            if ty.is_model() {
                continue;
            }
            for (field, rules) in &ta.field_rules {
                let providers: Vec<Provider> = rules
                    .iter()
                    .filter(|r| !(r.strategy == Strategy::Owner || r.is_dynamic_groups()))
                    .map(|r| r.provider)
                    .collect();
                let dirs = self.directives_for(&providers, false);
                if ty.kind == TypeKind::Root {
                    out.extend_root_field(&ta.type_name, field, &dirs);
                } else if let Some(o) = out.object_mut(&ta.type_name)
                    && let Some(f) = o.fields.iter_mut().find(|f| f.name.text == *field)
                {
                    for d in &dirs {
                        if !f.directives.iter().any(|x| x.name.text == *d) {
                            f.directives.push(directive(d, Vec::new()));
                        }
                    }
                }
            }
        }
    }

    /// The AppSync directives for a set of providers (`getServiceDirectives` in the reference).
    fn directives_for(&self, providers: &[Provider], include_default: bool) -> Vec<&'static str> {
        let mut set: Vec<Provider> = providers.iter().map(|p| p.canonical()).collect();
        if self.admin_iam {
            set.push(Provider::IdentityPool);
        }
        if set.is_empty() {
            return if self.admin_iam {
                vec![directive_name(self.default)]
            } else {
                Vec::new()
            };
        }
        let default = self.default.canonical();
        let has_default = set.contains(&default);
        let has_other = set.iter().any(|p| *p != default);
        let mut out = Vec::new();
        for (p, d) in PROVIDER_ORDER {
            if !set.contains(&p) {
                continue;
            }
            if p != default || (has_other && include_default) {
                out.push(d);
            }
        }
        if has_default && has_other && !out.contains(&directive_name(default)) {
            out.push(directive_name(default));
        }
        out
    }

    /// Non-model object types reachable from a model's fields, recursively.
    fn nested_non_model_types(&self, model: &ObjectModel) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut stack: Vec<String> = model
            .fields
            .iter()
            .map(|f| f.ty.base().to_string())
            .collect();
        // Connection types of relation fields count as nested types of the model.
        for rel in self.plan.relations_of(&model.name.text) {
            if rel.kind == RelationKind::HasMany {
                seen.push(format!("Model{}Connection", upper_first(&rel.related)));
            }
        }
        while let Some(t) = stack.pop() {
            if seen.contains(&t) || !self.is_non_model_object(&t) {
                continue;
            }
            if let Some(obj) = self.n.schema.object(&t) {
                stack.extend(obj.fields.iter().rev().map(|f| f.ty.base().to_string()));
            }
            seen.push(t);
        }
        seen
    }

    /// `<Type>Input` for a non-model object type and the ones its fields use.
    fn non_model_inputs(&self, type_name: &str, out: &mut OutputSchema) {
        if !self.is_non_model_object(type_name)
            || out.defs.contains_key(&format!("{type_name}Input"))
        {
            return;
        }
        let Some(obj) = self.n.schema.object(type_name) else {
            return;
        };
        let fields: Vec<InputValue> = obj
            .fields
            .iter()
            .map(|f| input_value(&f.name.text, self.input_type(&f.ty)))
            .collect();
        out.insert(Definition::Input(input(
            &format!("{type_name}Input"),
            fields,
        )));
        for f in &obj.fields {
            self.non_model_inputs(f.ty.base(), out);
        }
    }

    /// A field type as it appears in an input: non-model object types become their input.
    fn input_type(&self, ty: &TypeRef) -> TypeRef {
        match ty {
            // Like the reference, every type that is not a scalar or an enum is replaced by
            // `<Type>Input`, which exists only for object types.
            TypeRef::Named(n) if scalar_family(n).is_none() && !self.is_enum(n) => {
                named(&format!("{n}Input"))
            }
            TypeRef::Named(n) => named(n),
            TypeRef::List(t) => TypeRef::List(Box::new(self.input_type(t))),
            TypeRef::NonNull(t) => TypeRef::NonNull(Box::new(self.input_type(t))),
        }
    }

    fn mutation_input_fields(
        &self,
        kind: MutationKind,
        declared: &[FieldDef],
        ops: &ModelOperations,
    ) -> Vec<InputValue> {
        if kind == MutationKind::Delete {
            return vec![input_value("id", non_null("ID"))];
        }
        let timestamps = [&ops.created_at, &ops.updated_at];
        let mut fields: Vec<InputValue> = declared
            .iter()
            .filter(|f| !self.is_model(f.ty.base()))
            .map(|f| {
                let mut ty = self.input_type(&f.ty);
                let is_timestamp = timestamps
                    .iter()
                    .any(|t| t.as_deref() == Some(f.name.text.as_str()))
                    && matches!(f.ty.base(), "String" | "AWSDateTime");
                // `id: ID` is optional on create and required on update; a declared `id` of
                // another type is kept as written in both.
                if f.name.text == "id" {
                    if f.ty.base() == "ID" {
                        ty = match kind {
                            MutationKind::Update => non_null("ID"),
                            _ => strip_non_null(ty),
                        };
                    }
                } else if kind == MutationKind::Update || is_timestamp {
                    ty = strip_non_null(ty);
                }
                input_value(&f.name.text, ty)
            })
            .collect();
        if !declared.iter().any(|f| f.name.text == "id") {
            let ty = if kind == MutationKind::Update {
                non_null("ID")
            } else {
                named("ID")
            };
            fields.push(input_value("id", ty));
        }
        fields
    }

    /// Filter input entries for scalar and enum fields; enum inputs are created on demand.
    fn filter_fields(&self, fields: &[FieldDef], out: &mut OutputSchema) -> Vec<InputValue> {
        let mut v = Vec::new();
        for f in fields {
            let base = f.ty.base();
            let ty = if let Some(t) = scalar_filter(base) {
                t.to_string()
            } else if self.is_enum(base) {
                let list = enum_filters_as_list(&f.ty);
                let name = if list {
                    format!("Model{base}ListInput")
                } else {
                    format!("Model{base}Input")
                };
                out.insert(Definition::Input(enum_filter_input(base, list)));
                name
            } else {
                continue;
            };
            v.push(input_value(&f.name.text, named(&ty)));
        }
        v
    }

    fn subscription_filter_type(&self, base: &str) -> Option<&'static str> {
        match scalar_family(base) {
            Some(Family::String) => Some("ModelSubscriptionStringInput"),
            Some(Family::Int) => Some("ModelSubscriptionIntInput"),
            Some(Family::Float) => Some("ModelSubscriptionFloatInput"),
            Some(Family::Boolean) => Some("ModelSubscriptionBooleanInput"),
            Some(Family::Id) => Some("ModelSubscriptionIDInput"),
            None if self.is_enum(base) => Some("ModelSubscriptionStringInput"),
            None => None,
        }
    }
}

enum Family {
    String,
    Int,
    Float,
    Boolean,
    Id,
}

impl Family {
    /// The GraphQL scalar of the family.
    fn graphql_scalar(&self) -> &'static str {
        match self {
            Family::String => "String",
            Family::Int => "Int",
            Family::Float => "Float",
            Family::Boolean => "Boolean",
            Family::Id => "ID",
        }
    }
}

/// The family of a scalar: the GraphQL scalar an AppSync one is written as.
fn scalar_family(name: &str) -> Option<Family> {
    Some(match name {
        "String" | "AWSDate" | "AWSTime" | "AWSDateTime" | "AWSEmail" | "AWSJSON" | "AWSURL"
        | "AWSPhone" | "AWSIPAddress" => Family::String,
        "Int" | "AWSTimestamp" | "BigInt" => Family::Int,
        "Float" | "Double" => Family::Float,
        "Boolean" => Family::Boolean,
        "ID" => Family::Id,
        _ => return None,
    })
}

fn scalar_filter(name: &str) -> Option<&'static str> {
    Some(match scalar_family(name)? {
        Family::String => "ModelStringInput",
        Family::Int => "ModelIntInput",
        Family::Float => "ModelFloatInput",
        Family::Boolean => "ModelBooleanInput",
        Family::Id => "ModelIDInput",
    })
}

/// The field an owner-strategy role names. An owner rule with `groups` makes static group
/// roles whose "field" is the group name; the reference adds those as fields too.
fn owner_entity(role: &crate::plan::acm::AcmRole) -> Option<String> {
    role.group
        .as_ref()
        .map(ToString::to_string)
        .or_else(|| role.rule.owner_field.clone())
}

/// `Model<Scalar>KeyConditionInput`, created on first use.
fn key_condition_input(base: &str, is_enum: bool, out: &mut OutputSchema) -> String {
    let (name, scalar, begins_with) = match scalar_family(base) {
        Some(Family::Int) => ("ModelIntKeyConditionInput", "Int", false),
        Some(Family::Float) => ("ModelFloatKeyConditionInput", "Float", false),
        Some(Family::Id) => ("ModelIDKeyConditionInput", "ID", true),
        Some(Family::Boolean) => ("ModelBooleanKeyConditionInput", "Boolean", false),
        Some(Family::String) | None => {
            let _ = is_enum;
            ("ModelStringKeyConditionInput", "String", true)
        }
    };
    let mut ops = vec!["eq", "le", "lt", "ge", "gt", "between"];
    if begins_with {
        ops.push("beginsWith");
    }
    out.insert(Definition::Input(input(
        name,
        ops.iter()
            .map(|op| {
                let ty = if *op == "between" {
                    TypeRef::List(Box::new(named(scalar)))
                } else {
                    named(scalar)
                };
                input_value(op, ty)
            })
            .collect(),
    )));
    name.to_string()
}

fn mutation_input_name(kind: MutationKind, model: &str) -> String {
    match kind {
        MutationKind::Create => format!("Create{}Input", upper_first(model)),
        MutationKind::Update => format!("Update{}Input", upper_first(model)),
        MutationKind::Delete => format!("Delete{}Input", upper_first(model)),
    }
}

/// Whether an enum field filters as a list (`Model<E>ListInput`: `eq`/`ne` of lists,
/// `contains`) or as one value (`Model<E>Input`), by its wrappers as the reference decides:
///
/// | field | filter |
/// |---|---|
/// | `E`, `E!` | `Model<E>Input` |
/// | `[E]`, `[E!]` | `Model<E>ListInput` |
/// | `[E]!`, `[E!]!` | `Model<E>Input` (its filter generator looks at the outer type only) |
///
/// Scalar fields filter with their scalar's input whatever their wrappers (`scalar_filter`).
fn enum_filters_as_list(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::List(_) => true,
        TypeRef::NonNull(_) | TypeRef::Named(_) => false,
    }
}

fn enum_filter_input(name: &str, list: bool) -> InputType {
    if list {
        input(
            &format!("Model{name}ListInput"),
            vec![
                input_value("eq", TypeRef::List(Box::new(named(name)))),
                input_value("ne", TypeRef::List(Box::new(named(name)))),
                input_value("contains", named(name)),
                input_value("notContains", named(name)),
            ],
        )
    } else {
        input(
            &format!("Model{name}Input"),
            vec![
                input_value("eq", named(name)),
                input_value("ne", named(name)),
            ],
        )
    }
}

/// The scalar filter inputs and enums every model API has, in the reference's order.
fn builtin_inputs() -> Vec<Definition> {
    let ops = |t: &str, names: &[&str]| -> Vec<InputValue> {
        names
            .iter()
            .map(|n| {
                let ty = match *n {
                    "between" | "in" | "notIn" => TypeRef::List(Box::new(named(t))),
                    "attributeExists" => named("Boolean"),
                    "attributeType" => named("ModelAttributeTypes"),
                    "size" => named("ModelSizeInput"),
                    _ => named(t),
                };
                input_value(n, ty)
            })
            .collect()
    };
    let cmp = ["ne", "eq", "le", "lt", "ge", "gt"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        cmp.iter().copied().chain(extra.iter().copied()).collect()
    };
    let string_like = with(&[
        "contains",
        "notContains",
        "between",
        "beginsWith",
        "attributeExists",
        "attributeType",
        "size",
    ]);
    let number = with(&["between", "attributeExists", "attributeType"]);
    let sub_string = with(&[
        "contains",
        "notContains",
        "between",
        "beginsWith",
        "in",
        "notIn",
    ]);
    let sub_number = with(&["between", "in", "notIn"]);
    let mut defs = vec![
        Definition::Input(input("ModelStringInput", ops("String", &string_like))),
        Definition::Input(input("ModelIntInput", ops("Int", &number))),
        Definition::Input(input("ModelFloatInput", ops("Float", &number))),
        Definition::Input(input(
            "ModelBooleanInput",
            ops("Boolean", &["ne", "eq", "attributeExists", "attributeType"]),
        )),
        Definition::Input(input("ModelIDInput", ops("ID", &string_like))),
        Definition::Input(input(
            "ModelSubscriptionStringInput",
            ops("String", &sub_string),
        )),
        Definition::Input(input("ModelSubscriptionIntInput", ops("Int", &sub_number))),
        Definition::Input(input(
            "ModelSubscriptionFloatInput",
            ops("Float", &sub_number),
        )),
        Definition::Input(input(
            "ModelSubscriptionBooleanInput",
            ops("Boolean", &["ne", "eq"]),
        )),
        Definition::Input(input("ModelSubscriptionIDInput", ops("ID", &sub_string))),
    ];
    defs.push(enumeration(
        "ModelAttributeTypes",
        &[
            "binary",
            "binarySet",
            "bool",
            "list",
            "map",
            "number",
            "numberSet",
            "string",
            "stringSet",
            "_null",
        ],
    ));
    defs.push(Definition::Input(input(
        "ModelSizeInput",
        ops("Int", &with(&["between"])),
    )));
    defs.push(enumeration("ModelSortDirection", &["ASC", "DESC"]));
    defs
}

/// Keeps only the directives AppSync understands; Amplify's own are consumed by the compile.
fn strip_directives(def: &mut Definition) {
    fn keep(ds: &mut Vec<Directive>) {
        ds.retain(|d| d.name.text.starts_with("aws_") || d.name.text == "deprecated");
    }
    match def {
        Definition::Object(o) | Definition::Interface(o) => {
            keep(&mut o.directives);
            for f in &mut o.fields {
                keep(&mut f.directives);
                for a in &mut f.arguments {
                    keep(&mut a.directives);
                }
            }
        }
        Definition::Input(i) => {
            keep(&mut i.directives);
            for f in &mut i.fields {
                keep(&mut f.directives);
            }
        }
        Definition::Enum(e) => {
            keep(&mut e.directives);
            for v in &mut e.values {
                keep(&mut v.directives);
            }
        }
        Definition::Union(u) => keep(&mut u.directives),
        Definition::Scalar(s) => keep(&mut s.directives),
        Definition::Other { .. } => {}
    }
}

fn directive_name(p: Provider) -> &'static str {
    PROVIDER_ORDER
        .iter()
        .find(|(q, _)| *q == p.canonical())
        .map(|(_, d)| *d)
        .unwrap_or("aws_iam")
}
