//! The resolvers of the API: for every operation and protected field, the AppSync pipeline
//! (slot functions and the data function) and the VTL file of each function.
//!
//! This is the contract between the resolver generation (which fills it) and the stacks
//! (which turn it into `AWS::AppSync::FunctionConfiguration` and `AWS::AppSync::Resolver`
//! resources): the stacks never look inside a template except to de-duplicate functions.

use std::collections::BTreeMap;

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
}

/// One function of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// `Some((slot, index))` for a slot function (index 0-based within the slot); `None` for
    /// the data function.
    pub slot: Option<(Slot, usize)>,
    pub data_source: DataSourceRef,
    /// File names under `build/resolvers/`; `None` means the inline default `$util.toJson({})`.
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
    /// File name (under `build/resolvers/`) → template text (no trailing newline).
    pub files: BTreeMap<String, String>,
}
