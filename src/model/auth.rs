//! The vocabulary of `@auth` and the rules as the user wrote them (before defaults).

use std::fmt;

use crate::source::Span;

/// `allow:` — who a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    Owner,
    Groups,
    Private,
    Public,
    Custom,
}

/// `provider:` — how the caller authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    ApiKey,
    Iam,
    IdentityPool,
    Oidc,
    UserPools,
    Function,
}

/// One of the eight operations of the access-control matrix, in its column order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    Create,
    Update,
    Delete,
    Get,
    List,
    Search,
    Listen,
    Sync,
}

/// An operation as written in a rule: the eight, plus `read` which stands for five of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleOperation {
    Op(Operation),
    Read,
}

macro_rules! names {
    ($ty:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $ty {
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($ty::$variant),)* _ => None }
            }
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text,)* }
            }
            pub const NAMES: &'static [&'static str] = &[$($text),*];
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

names!(Strategy { Owner = "owner", Groups = "groups", Private = "private", Public = "public", Custom = "custom" });
names!(Provider { ApiKey = "apiKey", Iam = "iam", IdentityPool = "identityPool", Oidc = "oidc", UserPools = "userPools", Function = "function" });
names!(Operation { Create = "create", Update = "update", Delete = "delete", Get = "get", List = "list", Search = "search", Listen = "listen", Sync = "sync" });

impl Operation {
    pub const ALL: [Operation; 8] = [
        Operation::Create,
        Operation::Update,
        Operation::Delete,
        Operation::Get,
        Operation::List,
        Operation::Search,
        Operation::Listen,
        Operation::Sync,
    ];
    /// The operations `read` stands for.
    pub const READS: [Operation; 5] = [
        Operation::Get,
        Operation::List,
        Operation::Listen,
        Operation::Search,
        Operation::Sync,
    ];

    pub fn is_read(self) -> bool {
        Operation::READS.contains(&self)
    }
}

impl RuleOperation {
    pub const NAMES: &'static [&'static str] = &[
        "create", "update", "delete", "read", "list", "get", "sync", "listen", "search",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        if s == "read" {
            Some(RuleOperation::Read)
        } else {
            Operation::parse(s).map(RuleOperation::Op)
        }
    }
}

impl Provider {
    /// `iam` and `identityPool` are one provider under two names.
    pub fn same_as(self, other: Provider) -> bool {
        self.canonical() == other.canonical()
    }

    pub fn canonical(self) -> Provider {
        match self {
            Provider::Iam => Provider::IdentityPool,
            p => p,
        }
    }
}

/// A set of operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OperationSet(u8);

impl OperationSet {
    pub const NONE: OperationSet = OperationSet(0);
    pub const ALL: OperationSet = OperationSet(0xff);

    pub fn contains(self, op: Operation) -> bool {
        self.0 & (1 << op as u8) != 0
    }

    pub fn insert(&mut self, op: Operation) {
        self.0 |= 1 << op as u8;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Operation> {
        Operation::ALL
            .into_iter()
            .filter(move |op| self.contains(*op))
    }
}

impl FromIterator<Operation> for OperationSet {
    fn from_iter<I: IntoIterator<Item = Operation>>(iter: I) -> Self {
        let mut s = OperationSet::NONE;
        for op in iter {
            s.insert(op);
        }
        s
    }
}

/// A value and the span of the token it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One rule exactly as written (well-typed, no defaults applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAuthRule {
    /// The whole `{ ... }` object.
    pub span: Span,
    pub allow: Spanned<Strategy>,
    pub provider: Option<Spanned<Provider>>,
    /// The list and its items.
    pub operations: Option<Spanned<Vec<Spanned<RuleOperation>>>>,
    pub owner_field: Option<Spanned<String>>,
    pub identity_claim: Option<Spanned<String>>,
    pub group_claim: Option<Spanned<String>>,
    /// The list and its items.
    pub groups: Option<Spanned<Vec<Spanned<GroupName>>>>,
    pub groups_field: Option<Spanned<String>>,
}

/// A static group as written. `groups` is `[String]`, so an item may be null: the reference
/// keeps it, names its role after the text `null`, and its templates compare the caller's
/// groups with a JSON `null` (not the string).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupName {
    Name(String),
    Null,
}

impl GroupName {
    /// The name, or `None` for a null group.
    pub fn name(&self) -> Option<&str> {
        match self {
            GroupName::Name(n) => Some(n),
            GroupName::Null => None,
        }
    }
}

/// The text in role names and the `status -acm` table.
impl std::fmt::Display for GroupName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name().unwrap_or("null"))
    }
}

/// An `@auth(rules: [...])` application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthDirective {
    /// From `@auth` to its closing parenthesis.
    pub span: Span,
    /// The `@auth` name token.
    pub name_span: Span,
    /// The rules that could be read; rules with errors are left out (and reported).
    pub rules: Vec<RawAuthRule>,
    /// The span of `[]` when the directive was written with an empty rule list. Kept apart
    /// from `rules.is_empty()` so that a rule dropped for an error is not also reported as
    /// "no rules".
    pub empty_rules: Option<Span>,
}
