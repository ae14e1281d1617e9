//! The catalogue of diagnostic codes. Codes are stable: a code is never reused for another
//! meaning. `docs/diagnostics.md` documents each one with an example.

macro_rules! codes {
    ($($name:ident = $code:literal, $title:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($name,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// One-line summary, used by the documentation test.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title,)* }
            }
        }
    };
}

codes! {
    // Input and syntax
    SyntaxError = "E0001", "GraphQL syntax error";
    SchemaValidation = "E0002", "the schema is not valid GraphQL";
    V1Directive = "E0003", "directive from the v1 transformer";
    DirectiveOnExtension = "E0004", "directives on a type extension";
    SchemaNotFound = "E0005", "no schema to read";
    ConfigInvalid = "E0006", "invalid auth configuration";
    FlagsInvalid = "E0007", "invalid feature flags";
    ProjectInvalid = "E0008", "the Amplify project cannot be read";
    ExtendMissingType = "E0009", "extension of a type that does not exist";
    ResolverOverride = "E0010", "a resolvers/ file names no resolver or slot";
    SchemaUnreadable = "E0011", "a file or folder of the schema cannot be read";
    // Shape of @auth and its rules
    AuthArgument = "E0101", "malformed @auth argument";
    UnknownRuleKey = "E0102", "unknown key in an auth rule";
    UnknownEnumValue = "E0103", "unknown strategy, provider or operation";
    AuthRepeated = "E0104", "@auth used twice on one definition";
    AuthLocation = "E0105", "@auth where it is not allowed";
    ReadWithSpecificReads = "E0106", "`read` together with a specific read operation";
    SpecificReadOnField = "E0107", "specific read operation in a field-level rule";
    EmptyRules = "E0108", "@auth without rules";
    // Strategy, provider and configuration
    ProviderNotAllowed = "E0201", "provider not allowed for the strategy";
    GroupsRuleIncomplete = "E0202", "groups rule without groups or groupsField";
    ProviderNotEnabled = "E0203", "provider not enabled in the API's auth modes";
    IdentityClaimMisplaced = "E0204", "identityClaim on a rule that is not an owner rule";
    GroupClaimMisplaced = "E0205", "groupClaim on an owner rule";
    GroupsAndGroupsField = "E0206", "both groups and groupsField in one rule";
    EmptyGroups = "E0207", "empty groups list";
    OperationsOnRootField = "E0208", "operations on a Query, Mutation or Subscription field rule";
    OperationsOnNonModelField = "E0209", "operations on a field of a non-model type";
    AuthOnInterfaceField = "E0210", "@auth on an interface field";
    RequiredFieldNeedsAuth = "E0211", "required field that not every reader can read";
    AuthWithoutModel = "E0212", "@auth on a type without @model";
    DuplicateRole = "E0213", "two rules of one type make the same role";
    GlobalAuthRule = "E0214", "invalid global auth rule";
    ReservedModelName = "E0215", "@model on a root type name";
    SortKeyOwnerField = "E0216", "sort key field used as owner field";
    NullOwnerGroup = "E0217", "null group on an owner rule";
    // Relations
    ManyToManyInvalid = "E0401", "invalid @manyToMany relation";
    RelationNotOnModel = "E0402", "relation on a field of a type without @model";
    RelatedNotModel = "E0403", "related type is not a @model";
    RelationCardinality = "E0404", "relation directive does not fit the field's list type";
    RelationFieldUnknown = "E0405", "`fields` or `references` names a field that does not exist";
    RelationFieldNotScalar = "E0406", "`fields` or `references` names a field that is not a scalar";
    RelationFieldType = "E0407", "relation field of another type than the key it matches";
    RelationFieldCount = "E0408", "relation fields do not match the size of the key";
    BelongsToWithoutParent = "E0409", "@belongsTo without @hasOne or @hasMany on the related model";
    RelationIndexUnknown = "E0410", "@hasMany(indexName:) names no index of the related model";
    RelationArguments = "E0411", "empty or conflicting relation arguments";
    ReferencesInvalid = "E0412", "`references` relation without a matching counterpart";
    // Keys and indexes
    KeyNotOnModel = "E0501", "@primaryKey or @index on a type without @model";
    PrimaryKeyRepeated = "E0502", "more than one @primaryKey on a type";
    KeyFieldNullable = "E0503", "primary key field that can be null";
    KeyFieldNotScalar = "E0504", "key field that is not a scalar or enum";
    KeyFieldBoolean = "E0505", "Boolean key field";
    SortKeyUnknown = "E0506", "sortKeyFields names a field that does not exist";
    SortKeySelf = "E0507", "sortKeyFields names the key field itself";
    IndexNameInvalid = "E0508", "invalid index name or query field name";
    IndexNameRepeated = "E0509", "two @index with the same name on a type";
    IndexOnPrimaryKey = "E0510", "@index on the primary key field without a sort key";
    RootFieldRepeated = "E0511", "query, mutation or subscription field defined twice";
    // @default
    DefaultPlacement = "E0601", "@default on a field that cannot have a default";
    DefaultValueInvalid = "E0602", "@default value that is not valid for the field's type";
    // @searchable
    SearchableWithoutModel = "E0801", "@searchable on a type that is not a @model";
    // DataStore conflict resolution
    ConflictResolutionInvalid = "E0701", "invalid conflict resolution configuration";
    ModelWithoutConflictResolution = "E0702", "a model without a conflict resolution strategy";
    DataStoreMutualRelation = "E0703", "models that refer to each other via @hasOne or @hasMany under DataStore";
    DataStoreFieldName = "E0704", "a model field named like a field DataStore adds";
    // @function, @http, @predictions
    PredictionsUnsupported = "E0901", "@predictions is not supported";
    HttpUrlScheme = "E0902", "@http url without http:// or https://";
    InvokeOverrideUnsupported = "E0903", "slot files and StackMapping of @function and @http resolvers are not supported";
    MapsToUnsupported = "E0904", "@mapsTo is not supported";
    SimulationInputInvalid = "E1001", "a simulation input cannot be used";
    AccessTestInvalid = "E1002", "an access test file cannot be used";
    AccessStepFailed = "E1003", "an access test step did not have its expected outcome";
    // Limits and reviews
    StackLimitOver = "E1101", "a stack is over a CloudFormation limit";
    LimitInvalid = "E1102", "a --limit cannot be read";
    VersionUnreadable = "E1201", "a version to compare cannot be read";
    LintSettingsInvalid = "E1301", "invalid lint settings";
    // status -acm
    UnknownModel = "E0301", "no @model of that name";
    AcmRoleCollision = "E0302", "two rules print as the same ACM role";
    // Warnings
    OwnerReassign = "W0001", "owners may reassign ownership";
    IamDeprecated = "W0002", "provider `iam` is deprecated";
    OwnerFieldCase = "W0003", "implicit owner field differs only in case from a field";
    RootFieldAuth = "W0004", "@auth on a root field keeps static rules only";
    ModelsWithoutAuth = "W0005", "models without authorization rules are denied";
    DefaultIdentityClaim = "W0006", "default owner identity claim will change";
    UnknownFlag = "W0007", "unknown feature flag";
    SandboxApiKey = "W0008", "sandbox mode opens every model to the API key";
    PipelineFunctionsFolder = "W0009", "the pipelineFunctions/ folder is deprecated";
    SearchableInstanceType = "W0010", "the default OpenSearch instance type is not for production";
    IncompleteModelConflictConfig = "W0011", "incomplete per-model conflict resolution entry";
    NodeToNodeEncryptionDeployed = "W0012", "node-to-node encryption is on in the deployed search domain";
    StackLimitNear = "W0013", "a stack is near a CloudFormation limit";
    StackMappingMovesDeployed = "W0014", "StackMapping moves a deployed resolver to another stack";
    PublicWrites = "W0201", "public callers may write";
    ApiKeyDefaultWithOwners = "W0202", "the API key is the default auth mode of a schema with owner rules";
    FieldReadWider = "W0203", "a field rule reads wider than its model's rules";
    RelationWider = "W0204", "a relation leads to a model with narrower rules";
    SubscriptionUnfiltered = "W0205", "subscriptions deliver every change of a protected model";
    PrivateIam = "W0206", "`allow: private` with IAM admits every IAM principal";
    RootFieldWithoutAuth = "W0207", "a custom query, mutation or subscription without auth";
    AccessGranted = "W0301", "a change grants access";
    AccessRevoked = "W0302", "a change revokes access";
    TableReplaced = "W0303", "a change replaces a table";
    TableDeleted = "W0304", "a change deletes a table";
    IndexChanges = "W0305", "more index changes than one deploy takes";
}
