//! The operations a model gets and their names, from `@model(queries:, mutations:,
//! subscriptions:, timestamps:)` and the model's name.

use crate::ast::{Value, ValueKind};
use crate::config::Config;
use crate::model::{ObjectModel, SubscriptionLevel};

/// The three mutation kinds, in the order the reference generates them by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MutationKind {
    Create,
    Update,
    Delete,
}

impl MutationKind {
    fn key(self) -> &'static str {
        match self {
            MutationKind::Create => "create",
            MutationKind::Update => "update",
            MutationKind::Delete => "delete",
        }
    }

    fn subscription_key(self) -> &'static str {
        match self {
            MutationKind::Create => "onCreate",
            MutationKind::Update => "onUpdate",
            MutationKind::Delete => "onDelete",
        }
    }
}

/// A subscription field and the mutation it listens to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub name: String,
    pub kind: MutationKind,
    pub mutation: String,
}

/// Everything `@model` decides about a model's operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelOperations {
    pub get: Option<String>,
    pub list: Option<String>,
    /// The DataStore `sync` query.
    pub sync: Option<String>,
    /// Mutations in the order of the `mutations` map.
    pub mutations: Vec<(MutationKind, String)>,
    pub subscriptions: Vec<Subscription>,
    pub level: SubscriptionLevel,
    /// Timestamp field names; `None` when switched off.
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl ModelOperations {
    pub fn mutation(&self, kind: MutationKind) -> Option<&str> {
        self.mutations
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, n)| n.as_str())
    }

    pub fn of(model: &ObjectModel, config: &Config) -> ModelOperations {
        // Generated names start with a capital even for a model named in lower case.
        let name = &crate::ast::build::upper_first(&model.name.text);
        let deep = config.flags.shoulddeepmergedirectiveconfigdefaults;
        let args = model.model_args();
        let arg =
            |f: fn(&crate::model::ModelArgs) -> &Option<Value>| args.and_then(|a| f(a).as_ref());
        let plural = plural(name);

        let mut query_defaults = vec![
            ("get", format!("get{name}")),
            ("list", format!("list{plural}")),
        ];
        if config.datastore.is_some() {
            query_defaults.push(("sync", format!("sync{plural}")));
        }
        let queries = settings(arg(|a| &a.queries), &query_defaults, deep);
        let lookup = |map: &Vec<(String, Option<String>)>, key: &str| {
            map.iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.clone())
        };
        let mutation_defaults = [
            MutationKind::Create,
            MutationKind::Update,
            MutationKind::Delete,
        ]
        .map(|k| (k.key(), format!("{}{name}", k.key())));
        let mutations: Vec<(MutationKind, String)> =
            settings(arg(|a| &a.mutations), &mutation_defaults, deep)
                .into_iter()
                .filter_map(|(k, v)| {
                    let kind = [
                        MutationKind::Create,
                        MutationKind::Update,
                        MutationKind::Delete,
                    ]
                    .into_iter()
                    .find(|m| m.key() == k)?;
                    Some((kind, v?))
                })
                .collect();

        let level = args.map_or(SubscriptionLevel::On, |a| a.subscription_level());
        let subscriptions = if level == SubscriptionLevel::Off {
            Vec::new()
        } else {
            subscription_names(arg(|a| &a.subscriptions), name, deep)
                .into_iter()
                .flat_map(|(kind, names)| {
                    let mutation = mutations
                        .iter()
                        .find(|(k, _)| *k == kind)
                        .map(|(_, n)| n.clone());
                    names.into_iter().filter_map(move |n| {
                        mutation.clone().map(|m| Subscription {
                            name: truncate_subscription_name(&n),
                            kind,
                            mutation: m,
                        })
                    })
                })
                .collect()
        };

        let (created_at, updated_at) = timestamps(arg(|a| &a.timestamps));
        ModelOperations {
            get: lookup(&queries, "get"),
            list: lookup(&queries, "list"),
            // Only with DataStore: a `sync` name in `queries` is ignored otherwise.
            sync: lookup(&queries, "sync").filter(|_| config.datastore.is_some()),
            mutations,
            subscriptions,
            level,
            created_at,
            updated_at,
        }
    }
}

/// Reads an operation map (`{get: "x", list: null}`) over its defaults. Without deep merge
/// (the CLI's default) a given map replaces the defaults entirely; `null` removes everything.
fn settings(
    value: Option<&Value>,
    defaults: &[(&str, String)],
    deep: bool,
) -> Vec<(String, Option<String>)> {
    let defaults: Vec<(String, Option<String>)> = defaults
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.clone())))
        .collect();
    let Some(value) = value else {
        return defaults;
    };
    let ValueKind::Object(fields) = &value.kind else {
        return Vec::new(); // null
    };
    let mut out = if deep { defaults } else { Vec::new() };
    for (k, v) in fields {
        let name = match &v.kind {
            ValueKind::String(s) => Some(s.clone()),
            _ => None,
        };
        match out.iter_mut().find(|(key, _)| *key == k.text) {
            Some(slot) => slot.1 = name,
            None => out.push((k.text.clone(), name)),
        }
    }
    out
}

fn subscription_names(
    value: Option<&Value>,
    name: &str,
    deep: bool,
) -> Vec<(MutationKind, Vec<String>)> {
    let kinds = [
        MutationKind::Create,
        MutationKind::Update,
        MutationKind::Delete,
    ];
    let default = || {
        kinds
            .iter()
            .map(|k| (*k, vec![format!("{}{name}", k.subscription_key())]))
            .collect()
    };
    let Some(value) = value else {
        return default();
    };
    let ValueKind::Object(fields) = &value.kind else {
        return Vec::new();
    };
    let given: Vec<_> = fields
        .iter()
        .filter(|(k, _)| kinds.iter().any(|m| m.subscription_key() == k.text))
        .collect();
    if given.is_empty() {
        // Only `level` was given: without deep merge the default names come back only for
        // `level: public`; `level: on` alone leaves no subscriptions.
        let public = fields.iter().any(|(k, v)| {
            k.text == "level" && matches!(&v.kind, ValueKind::Enum(l) if l == "public")
        });
        return if deep || public {
            default()
        } else {
            Vec::new()
        };
    }
    let mut out: Vec<(MutationKind, Vec<String>)> = if deep { default() } else { Vec::new() };
    for (k, v) in given {
        let kind = *kinds
            .iter()
            .find(|m| m.subscription_key() == k.text)
            .expect("filtered above");
        let names = v.strings();
        match out.iter_mut().find(|(m, _)| *m == kind) {
            Some(slot) => slot.1 = names,
            None => out.push((kind, names)),
        }
    }
    out
}

/// Timestamp field names: a given map renames or removes (`null`) each; a name left out of
/// the map keeps its default field (the reference's behaviour without deep merge).
fn timestamps(value: Option<&Value>) -> (Option<String>, Option<String>) {
    let defaults = (Some("createdAt".to_string()), Some("updatedAt".to_string()));
    let Some(value) = value else {
        return defaults;
    };
    let ValueKind::Object(fields) = &value.kind else {
        return (None, None);
    };
    let read = |key: &str, default: Option<String>| match fields.iter().find(|(k, _)| k.text == key)
    {
        None => default,
        Some((_, v)) => match &v.kind {
            ValueKind::String(s) => Some(s.clone()),
            _ => None,
        },
    };
    (read("createdAt", defaults.0), read("updatedAt", defaults.1))
}

/// The plural the reference uses in operation names (npm `pluralize` 8.0.0).
pub fn plural(name: &str) -> String {
    super::plural::pluralize(name)
}

/// Subscription names longer than 50 characters are cut to 45 plus 5 hex digits of their MD5.
fn truncate_subscription_name(name: &str) -> String {
    use md5::{Digest, Md5};
    if name.len() <= 50 {
        return name.to_string();
    }
    let digest = Md5::digest(name.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}{}", &name[..45], &hex[..5])
}
