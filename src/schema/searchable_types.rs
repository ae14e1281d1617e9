//! What `@searchable` adds to the schema, in the three places the reference adds it: the
//! connection, aggregate types and `search` field when it reads the directive (before the
//! model types are generated), the auth directives with the model's other operations, and
//! the filter, sort and aggregation inputs at the very end.

use super::{Context, Family, OutputSchema, scalar_family};
use crate::ast::build::*;
use crate::ast::*;
use crate::model::Provider;
use crate::plan::searchable::Searchable;

/// The result types of aggregations, shared by every searchable model.
pub const AGGREGATE_TYPES: [&str; 4] = [
    "SearchableAggregateResult",
    "SearchableAggregateScalarResult",
    "SearchableAggregateBucketResult",
    "SearchableAggregateBucketResultItem",
];

fn list_of(name: &str) -> TypeRef {
    TypeRef::List(Box::new(named(name)))
}

/// `Searchable<Scalar>FilterInput` of a scalar type.
fn filter_input_of(base: &str) -> String {
    let family = match scalar_family(base) {
        Some(Family::String) => "String",
        Some(Family::Int) => "Int",
        Some(Family::Float) => "Float",
        Some(Family::Boolean) => "Boolean",
        Some(Family::Id) => "ID",
        None => base,
    };
    format!("Searchable{family}FilterInput")
}

impl Context<'_> {
    /// The search query field of a model, if it is searchable and has one.
    pub(super) fn search_query(&self, model: &str) -> Option<String> {
        self.searchable
            .iter()
            .find(|s| s.model == model)
            .and_then(|s| s.query.clone())
    }

    /// The aggregate result types answer to every provider of every searchable model's rules.
    pub(super) fn searchable_aggregate_auth(&self, out: &mut OutputSchema) {
        let mut providers: Vec<Provider> = Vec::new();
        for s in self.searchable {
            let Some(acm) = self.plan.model(&s.model).and_then(|m| m.acm.as_ref()) else {
                continue;
            };
            for r in &acm.roles {
                if !providers.contains(&r.rule.provider) {
                    providers.push(r.rule.provider);
                }
            }
        }
        if providers.is_empty() {
            return;
        }
        let dirs = self.directives_for(&providers, false);
        for t in AGGREGATE_TYPES {
            out.extend_type(t, &dirs);
        }
    }

    /// The connection, the aggregate result types and the `search` query field.
    pub(super) fn searchable_object_stage(&self, s: &Searchable, out: &mut OutputSchema) {
        let Some(query) = &s.query else { return };
        let name = &s.model;
        out.insert(Definition::Object(object(
            &format!("Searchable{name}Connection"),
            vec![
                field_def(
                    "items",
                    TypeRef::NonNull(Box::new(list_of(name))),
                    Vec::new(),
                ),
                field_def("nextToken", named("String"), Vec::new()),
                field_def("total", named("Int"), Vec::new()),
                field_def(
                    "aggregateItems",
                    TypeRef::NonNull(Box::new(list_of("SearchableAggregateResult"))),
                    Vec::new(),
                ),
            ],
        )));
        out.insert(Definition::Object(object(
            "SearchableAggregateResult",
            vec![
                field_def("name", non_null("String"), Vec::new()),
                field_def(
                    "result",
                    named("SearchableAggregateGenericResult"),
                    Vec::new(),
                ),
            ],
        )));
        out.insert(Definition::Object(object(
            "SearchableAggregateScalarResult",
            vec![field_def("value", non_null("Float"), Vec::new())],
        )));
        out.insert(Definition::Object(object(
            "SearchableAggregateBucketResult",
            vec![field_def(
                "buckets",
                list_of("SearchableAggregateBucketResultItem"),
                Vec::new(),
            )],
        )));
        out.insert(Definition::Object(object(
            "SearchableAggregateBucketResultItem",
            vec![
                field_def("key", non_null("String"), Vec::new()),
                field_def("doc_count", non_null("Int"), Vec::new()),
            ],
        )));
        out.insert(Definition::Union(UnionType {
            name: ident("SearchableAggregateGenericResult"),
            description: None,
            directives: Vec::new(),
            members: vec![
                ident("SearchableAggregateScalarResult"),
                ident("SearchableAggregateBucketResult"),
            ],
            is_extension: false,
        }));
        let mut field = field_with_args(
            query,
            vec![
                input_value("filter", named(&format!("Searchable{name}FilterInput"))),
                input_value("sort", list_of(&format!("Searchable{name}SortInput"))),
                input_value("limit", named("Int")),
                input_value("nextToken", named("String")),
                input_value("from", named("Int")),
                input_value(
                    "aggregates",
                    list_of(&format!("Searchable{name}AggregationInput")),
                ),
            ],
            named(&format!("Searchable{name}Connection")),
        );
        // Without @auth the auth stage never sees the field: sandbox mode opens it here.
        let has_auth = self.n.schema.model(name).is_some_and(|m| m.auth.is_some());
        if !has_auth && self.n.sandbox && self.default != Provider::ApiKey {
            field.directives.push(directive("aws_api_key", Vec::new()));
        }
        out.add_root_field("Query", field);
    }

    /// The inputs and enums of the search arguments, made from the finished model type.
    pub(super) fn searchable_inputs_stage(
        &self,
        s: &Searchable,
        fields: &[FieldDef],
        out: &mut OutputSchema,
    ) {
        if s.query.is_none() {
            return;
        }
        let name = &s.model;
        for (scalar, ops) in [
            ("String", STRING_CONDITIONS),
            ("Int", NUMBER_CONDITIONS),
            ("Float", NUMBER_CONDITIONS),
            ("Boolean", &["eq", "ne"][..]),
            ("ID", STRING_CONDITIONS),
        ] {
            let values = ops
                .iter()
                .map(|op| {
                    let ty = match *op {
                        "range" => list_of(scalar),
                        "exists" => named("Boolean"),
                        _ => named(scalar),
                    };
                    input_value(op, ty)
                })
                .collect();
            out.insert(Definition::Input(input(
                &format!("Searchable{scalar}FilterInput"),
                values,
            )));
        }
        let is_scalar = |f: &FieldDef| scalar_family(f.ty.base()).is_some();
        let is_enum = |f: &FieldDef| self.is_enum(f.ty.base());
        let filter = format!("Searchable{name}FilterInput");
        let mut values: Vec<InputValue> = fields
            .iter()
            .filter(|f| is_scalar(f))
            .map(|f| input_value(&f.name.text, named(&filter_input_of(f.ty.base()))))
            .collect();
        values.extend(
            fields
                .iter()
                .filter(|f| is_enum(f))
                .map(|f| input_value(&f.name.text, named("SearchableStringFilterInput"))),
        );
        values.push(input_value("and", list_of(&filter)));
        values.push(input_value("or", list_of(&filter)));
        values.push(input_value("not", named(&filter)));
        out.insert(Definition::Input(input(&filter, values)));
        out.insert(enumeration("SearchableSortDirection", &["asc", "desc"]));
        let names = |keep: &dyn Fn(&FieldDef) -> bool| -> Vec<&str> {
            fields
                .iter()
                .filter(|f| keep(f))
                .map(|f| f.name.text.as_str())
                .collect()
        };
        out.insert(enumeration(
            &format!("Searchable{name}SortableFields"),
            &names(&is_scalar),
        ));
        out.insert(Definition::Input(input(
            &format!("Searchable{name}SortInput"),
            vec![
                input_value("field", named(&format!("Searchable{name}SortableFields"))),
                input_value("direction", named("SearchableSortDirection")),
            ],
        )));
        out.insert(enumeration(
            "SearchableAggregateType",
            &["terms", "avg", "min", "max", "sum", "cardinality"],
        ));
        out.insert(enumeration(
            &format!("Searchable{name}AggregateField"),
            &names(&|f| is_scalar(f) || is_enum(f)),
        ));
        out.insert(Definition::Input(input(
            &format!("Searchable{name}AggregationInput"),
            vec![
                input_value("name", non_null("String")),
                input_value("type", non_null("SearchableAggregateType")),
                input_value(
                    "field",
                    non_null(&format!("Searchable{name}AggregateField")),
                ),
            ],
        )));
    }
}

const STRING_CONDITIONS: &[&str] = &[
    "ne",
    "gt",
    "lt",
    "gte",
    "lte",
    "eq",
    "match",
    "matchPhrase",
    "matchPhrasePrefix",
    "multiMatch",
    "exists",
    "wildcard",
    "regexp",
    "range",
];

const NUMBER_CONDITIONS: &[&str] = &["ne", "gt", "lt", "gte", "lte", "eq", "range"];
