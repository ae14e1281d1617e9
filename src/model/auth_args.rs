//! Reads `@auth(rules: [...])` into `RawAuthRule`s, checking each value against the
//! `AuthRule` input type the way GraphQL validation would, but pointing at the exact token.

use super::auth::*;
use crate::ast::{Directive, Ident, Value, ValueKind};
use crate::diagnostics::{Code, Diagnostic};

const RULE_KEYS: &[&str] = &[
    "allow",
    "provider",
    "identityClaim",
    "groupClaim",
    "ownerField",
    "groupsField",
    "groups",
    "operations",
];

pub fn read(d: &Directive, diags: &mut Vec<Diagnostic>) -> AuthDirective {
    let mut out = AuthDirective {
        span: d.span,
        name_span: d.name.span,
        rules: Vec::new(),
        empty_rules: None,
    };
    for arg in &d.arguments {
        if arg.name.text != "rules" {
            diags.push(unknown_key(&arg.name, &["rules"], "argument of @auth"));
        }
    }
    let Some(rules) = d.argument("rules") else {
        diags.push(
            Diagnostic::error(Code::AuthArgument, "@auth needs a `rules` argument")
                .at(d.name.span, "missing `rules`")
                .with_help("write @auth(rules: [{ allow: owner }])"),
        );
        return out;
    };
    let ValueKind::List(items) = &rules.value.kind else {
        diags.push(
            Diagnostic::error(
                Code::AuthArgument,
                format!(
                    "`rules` must be a list of rules, found {}",
                    rules.value.describe()
                ),
            )
            .at(rules.value.span, "expected [ ... ]")
            .with_help("wrap the rule in a list: rules: [{ allow: ... }]"),
        );
        return out;
    };
    if items.is_empty() {
        out.empty_rules = Some(rules.value.span);
    }
    for item in items {
        if let Some(rule) = read_rule(item, diags) {
            out.rules.push(rule);
        }
    }
    out
}

fn read_rule(v: &Value, diags: &mut Vec<Diagnostic>) -> Option<RawAuthRule> {
    let ValueKind::Object(fields) = &v.kind else {
        diags.push(
            Diagnostic::error(
                Code::AuthArgument,
                format!("an auth rule must be an object, found {}", v.describe()),
            )
            .at(v.span, "expected { allow: ... }")
            .with_help("write each rule as { allow: owner } (or groups, private, public, custom)"),
        );
        return None;
    };
    let before = diags.len();
    let mut seen: Vec<&Ident> = Vec::new();
    let mut allow = None;
    let mut rule = RawAuthRule {
        span: v.span,
        allow: Spanned::new(Strategy::Owner, v.span),
        provider: None,
        operations: None,
        owner_field: None,
        identity_claim: None,
        group_claim: None,
        groups: None,
        groups_field: None,
    };
    for (key, value) in fields {
        if let Some(first) = seen.iter().find(|k| k.text == key.text) {
            diags.push(
                Diagnostic::error(
                    Code::AuthArgument,
                    format!("`{}` is given twice in one rule", key.text),
                )
                .at(key.span, "second time")
                .with_note(first.span, "first given here")
                .with_help(format!("keep one `{}`", key.text)),
            );
            continue;
        }
        seen.push(key);
        if matches!(value.kind, ValueKind::Null) && key.text != "allow" {
            continue; // an explicit null is the same as leaving the key out
        }
        match key.as_str() {
            "allow" => allow = read_enum(value, "allow", Strategy::NAMES, Strategy::parse, diags),
            "provider" => {
                rule.provider =
                    read_enum(value, "provider", Provider::NAMES, Provider::parse, diags)
            }
            "operations" => rule.operations = read_operations(value, diags),
            "ownerField" => rule.owner_field = read_string(value, "ownerField", diags),
            "identityClaim" => rule.identity_claim = read_string(value, "identityClaim", diags),
            "groupClaim" => rule.group_claim = read_string(value, "groupClaim", diags),
            "groupsField" => rule.groups_field = read_string(value, "groupsField", diags),
            "groups" => rule.groups = read_groups(value, diags),
            _ => diags.push(unknown_key(key, RULE_KEYS, "key of an auth rule")),
        }
    }
    match allow {
        Some(a) => rule.allow = a,
        None if !seen.iter().any(|k| k.text == "allow") => diags.push(
            Diagnostic::error(Code::AuthArgument, "auth rule without `allow`")
                .at(v.span, "missing `allow`")
                .with_help("add allow: owner, groups, private, public or custom"),
        ),
        None => {}
    }
    (diags.len() == before).then_some(rule)
}

fn read_enum<T: Copy>(
    v: &Value,
    key: &str,
    names: &[&str],
    parse: fn(&str) -> Option<T>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<T>> {
    let (text, quoted) = match &v.kind {
        ValueKind::Enum(t) => (t.as_str(), false),
        ValueKind::String(t) => (t.as_str(), true),
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::AuthArgument,
                    format!(
                        "`{key}` must be one of {}, found {}",
                        names.join(", "),
                        v.describe()
                    ),
                )
                .at(v.span, "not a valid value")
                .with_help(format!("write {key}: {}", names[0])),
            );
            return None;
        }
    };
    match (parse(text), quoted) {
        (Some(value), false) => Some(Spanned::new(value, v.span)),
        (Some(_), true) => {
            diags.push(
                Diagnostic::error(
                    Code::UnknownEnumValue,
                    format!("`{key}` takes an enum value, not the string \"{text}\""),
                )
                .at(v.span, "remove the quotes")
                .with_help(format!("write {key}: {text}")),
            );
            None
        }
        (None, _) => {
            let hint =
                suggest(text, names).map_or(String::new(), |s| format!("did you mean `{s}`? "));
            diags.push(
                Diagnostic::error(
                    Code::UnknownEnumValue,
                    format!("`{text}` is not a valid value for `{key}`"),
                )
                .at(v.span, "unknown value")
                .with_help(format!("{hint}valid values: {}", names.join(", "))),
            );
            None
        }
    }
}

fn read_operations(
    v: &Value,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<Vec<Spanned<RuleOperation>>>> {
    let ValueKind::List(items) = &v.kind else {
        // GraphQL would coerce a single value into a list, but the reference crashes on it.
        diags.push(
            Diagnostic::error(
                Code::AuthArgument,
                format!("`operations` must be a list, found {}", v.describe()),
            )
            .at(v.span, "expected [ ... ]")
            .with_help("wrap the operations in a list, for example operations: [read]"),
        );
        return None;
    };
    let mut ops: Vec<Spanned<RuleOperation>> = Vec::new();
    let mut ok = true;
    for item in items {
        match read_enum(
            item,
            "operations",
            RuleOperation::NAMES,
            RuleOperation::parse,
            diags,
        ) {
            Some(op) => {
                // The reference expands one `read` only; a second one fails its matrix.
                if op.value == RuleOperation::Read
                    && let Some(first) = ops.iter().find(|o| o.value == RuleOperation::Read)
                {
                    diags.push(
                        Diagnostic::error(
                            Code::AuthArgument,
                            "`read` is listed twice in `operations`",
                        )
                        .at(op.span, "second `read`")
                        .with_note(first.span, "first `read` is here")
                        .with_help("list `read` once"),
                    );
                    ok = false;
                }
                ops.push(op);
            }
            None => ok = false,
        }
    }
    ok.then(|| Spanned::new(ops, v.span))
}

fn read_string(v: &Value, key: &str, diags: &mut Vec<Diagnostic>) -> Option<Spanned<String>> {
    match &v.kind {
        // The reference tests these keys for truthiness, so "" is the same as leaving it out
        // (`ownerField: ""` means `owner`).
        ValueKind::String(s) if s.is_empty() => None,
        ValueKind::String(s) => Some(Spanned::new(s.clone(), v.span)),
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::AuthArgument,
                    format!("`{key}` must be a string, found {}", v.describe()),
                )
                .at(v.span, "expected a string")
                .with_help(format!("quote the value: {key}: \"...\"")),
            );
            None
        }
    }
}

fn read_groups(v: &Value, diags: &mut Vec<Diagnostic>) -> Option<Spanned<Vec<Spanned<GroupName>>>> {
    match &v.kind {
        // A single group name is accepted and means a one-element list; "" counts as no
        // groups at all, as in the reference.
        ValueKind::String(s) if s.is_empty() => None,
        ValueKind::String(s) => Some(Spanned::new(
            vec![Spanned::new(GroupName::Name(s.clone()), v.span)],
            v.span,
        )),
        ValueKind::List(items) => {
            let mut groups = Vec::new();
            for item in items {
                match &item.kind {
                    ValueKind::String(s) => {
                        groups.push(Spanned::new(GroupName::Name(s.clone()), item.span))
                    }
                    // `[String]` allows null items; the reference keeps them.
                    ValueKind::Null => groups.push(Spanned::new(GroupName::Null, item.span)),
                    _ => {
                        diags.push(
                            Diagnostic::error(
                                Code::AuthArgument,
                                format!("group names must be strings, found {}", item.describe()),
                            )
                            .at(item.span, "expected a string")
                            .with_help("quote each group name: groups: [\"Admin\"]"),
                        );
                        return None;
                    }
                }
            }
            Some(Spanned::new(groups, v.span))
        }
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::AuthArgument,
                    format!("`groups` must be a list of strings, found {}", v.describe()),
                )
                .at(v.span, "expected a list")
                .with_help("write groups: [\"Admin\"]"),
            );
            None
        }
    }
}

fn unknown_key(key: &Ident, known: &[&str], what: &str) -> Diagnostic {
    let hint = suggest(&key.text, known).map_or(String::new(), |s| format!("did you mean `{s}`? "));
    Diagnostic::error(
        Code::UnknownRuleKey,
        format!("`{}` is not a valid {what}", key.text),
    )
    .at(key.span, "unknown key")
    .with_help(format!("{hint}valid keys: {}", known.join(", ")))
}

/// The closest known name: same letters ignoring case, or within a small edit distance.
pub fn suggest<'a>(text: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(text)) {
        return Some(k);
    }
    known
        .iter()
        .map(|k| (edit_distance(&text.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest("ownerfield", RULE_KEYS), Some("ownerField"));
        assert_eq!(suggest("userPool", Provider::NAMES), Some("userPools"));
        assert_eq!(suggest("everyone", Strategy::NAMES), None);
    }
}
