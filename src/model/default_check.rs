//! `@default(value:)`: only on scalar or enum fields of @model types, with a value of the
//! field's type, judged as the reference judges it (`TypeValidators` of the default-value
//! transformer: `parseInt`, `parseFloat`, `JSON.parse`, RFC 3339 dates and times, an e-mail
//! pattern, IP addresses, URLs, phone numbers).

use std::collections::HashMap;
use std::net::IpAddr;

use super::ObjectModel;
use super::relations_check::KEY_SCALARS;
use crate::ast::ValueKind;
use crate::diagnostics::{Code, Diagnostic};

pub(crate) fn check(t: &ObjectModel, enums: &HashMap<&str, Vec<&str>>, out: &mut Vec<Diagnostic>) {
    for f in t.fields.iter().filter(|f| !f.from_extension) {
        for d in f.directives.iter().filter(|d| d.name.text == "default") {
            if !t.is_model() {
                out.push(
                    Diagnostic::error(
                        Code::DefaultPlacement,
                        format!(
                            "@default on `{}.{}`, but `{}` is not a @model",
                            t.name.text, f.name.text, t.name.text
                        ),
                    )
                    .at(d.name.span, "only on fields of @model types")
                    .with_help("default values are set when a model's item is created: remove @default here"),
                );
                continue;
            }
            let base = f.ty.base();
            let scalar = KEY_SCALARS.contains(&base) || enums.contains_key(base);
            if f.ty.is_list() || !scalar {
                out.push(
                    Diagnostic::error(
                        Code::DefaultPlacement,
                        format!(
                            "@default on `{}.{}: {}`; only scalar and enum fields can have a default value",
                            t.name.text, f.name.text, f.ty
                        ),
                    )
                    .at(f.name.span, if f.ty.is_list() { "a list" } else { "not a scalar or enum" })
                    .with_help("remove @default, or set the value when the item is created"),
                );
                continue;
            }
            let Some(arg) = d.argument("value") else {
                continue; // a missing `value` is an SDL error
            };
            let ValueKind::String(value) = &arg.value.kind else {
                continue;
            };
            let problem = match enums.get(base) {
                Some(values) if !values.contains(&value.as_str()) => Some((
                    format!("is not a value of enum `{base}`"),
                    format!("not a value of {base}"),
                    format!("use one of {}", values.join(", ")),
                )),
                Some(_) => None,
                None => match valid(base, value) {
                    Some(true) => None,
                    Some(false) => Some((
                        format!("is not a valid {base}"),
                        format!("not a valid {base}"),
                        example(base),
                    )),
                    None => Some((
                        format!("cannot be checked for type {base}"),
                        format!("no default values for {base}"),
                        "the reference has no default values for this type: remove @default"
                            .to_string(),
                    )),
                },
            };
            if let Some((what, label, help)) = problem {
                out.push(
                    Diagnostic::error(
                        Code::DefaultValueInvalid,
                        format!(
                            "default value \"{value}\" of `{}.{}` {what}",
                            t.name.text, f.name.text
                        ),
                    )
                    .at(arg.value.span, label)
                    .with_help(help),
                );
            }
        }
    }
}

fn example(base: &str) -> String {
    let e = match base {
        "Int" | "AWSTimestamp" => "value: \"42\"",
        "Float" => "value: \"1.5\"",
        "Boolean" => "value: \"true\" or value: \"false\"",
        "AWSJSON" => "value: \"{\\\"a\\\": 1}\" (JSON text)",
        "AWSDate" => "value: \"2024-01-31\"",
        "AWSTime" => "value: \"12:30:00Z\"",
        "AWSDateTime" => "value: \"2024-01-31T12:30:00Z\"",
        "AWSEmail" => "value: \"someone@example.com\"",
        "AWSURL" => "value: \"https://example.com\"",
        "AWSPhone" => "value: \"+14155550123\"",
        "AWSIPAddress" => "value: \"192.0.2.1\"",
        _ => "a value of the field's type",
    };
    format!("write a value of type {base}, for example {e}")
}

/// Whether `value` is a valid default for the scalar `base`; `None` for scalars the
/// reference has no validator for (its check then fails).
fn valid(base: &str, value: &str) -> Option<bool> {
    Some(match base {
        "ID" | "String" => true,
        "Int" | "AWSTimestamp" => parses_int(value),
        "Float" => parses_float(value),
        "Boolean" => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
        "AWSJSON" => serde_json::from_str::<serde_json::Value>(value).is_ok(),
        "AWSDate" => date(value),
        "AWSTime" => time(value),
        "AWSDateTime" => date_time(value),
        "AWSEmail" => email(value),
        "AWSURL" => url(value),
        "AWSPhone" => phone(value),
        "AWSIPAddress" => value.parse::<IpAddr>().is_ok(),
        _ => return None,
    })
}

/// JavaScript's white space, which `parseInt` and `parseFloat` skip.
fn trim_js(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// `!isNaN(parseInt(x, 10))`: a sign and at least one digit after leading white space.
fn parses_int(s: &str) -> bool {
    let s = trim_js(s);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    s.starts_with(|c: char| c.is_ascii_digit())
}

/// `!isNaN(parseFloat(x))`: a decimal literal prefix, or `Infinity`.
fn parses_float(s: &str) -> bool {
    let s = trim_js(s);
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    s.starts_with("Infinity")
        || s.starts_with(|c: char| c.is_ascii_digit())
        || (s.starts_with('.') && s[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
}

/// `YYYY-MM-DD` with a real day of the month.
fn date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 => d <= if leap { 29 } else { 28 },
        4 | 6 | 9 | 11 => d <= 30,
        _ => true,
    }
}

/// `hh:mm:ss[.fff](Z|±hh:mm)`.
fn time(s: &str) -> bool {
    let (clock, zone) = if let Some(c) = s.strip_suffix('Z') {
        (c, None)
    } else if s.len() > 6 && matches!(s.as_bytes()[s.len() - 6], b'+' | b'-' | b'|') {
        (&s[..s.len() - 6], Some(&s[s.len() - 5..]))
    } else {
        return false;
    };
    if let Some(z) = zone {
        let Some((h, m)) = z.split_once(':') else {
            return false;
        };
        let (Some(h), Some(m)) = (digits(h, 2), digits(m, 2)) else {
            return false;
        };
        if h > 23 || m > 59 {
            return false;
        }
    }
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    matches!(
        (digits(h, 2), digits(m, 2), digits(sec, 2)),
        (Some(h), Some(m), Some(sec)) if h <= 23 && m <= 59 && sec <= 59
    )
}

fn date_time(s: &str) -> bool {
    s.split_once('T').is_some_and(|(d, t)| date(d) && time(t))
}

/// The reference's e-mail pattern: a local part of allowed characters, `@`, dot-separated
/// labels of letters, digits and inner hyphens, each at most 63 characters.
fn email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// Close to `new URL(x)` succeeding: a scheme, and a host for the schemes that need one.
fn url(s: &str) -> bool {
    let s = s.trim_matches(|c: char| c <= ' ');
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" | "ws" | "wss" | "ftp" => {
            let host = rest
                .trim_start_matches(['/', '\\'])
                .split(['/', '\\', '?', '#'])
                .next()
                .unwrap_or("");
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            !host.is_empty() && !host.contains(|c: char| c.is_whitespace() || "<>^|%".contains(c))
        }
        _ => true,
    }
}

/// Close to libphonenumber's `isValidNumber` without a default country: an international
/// number, `+` then 7 to 15 digits, with spaces, dots, hyphens and parentheses allowed.
fn phone(s: &str) -> bool {
    let Some(rest) = s.trim().strip_prefix('+') else {
        return false;
    };
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    rest.chars()
        .all(|c| c.is_ascii_digit() || " .-()".contains(c))
        && (7..=15).contains(&digits)
        && !rest.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_like_javascript() {
        assert!(parses_int("3abc") && parses_int(" -7") && !parses_int("abc") && !parses_int("-"));
        assert!(parses_float(".5") && parses_float("-Infinity") && parses_float("1e3"));
        assert!(!parses_float("x") && !parses_float("."));
    }

    #[test]
    fn dates_and_times() {
        assert!(date("2024-02-29") && !date("2023-02-29") && !date("2024-04-31"));
        assert!(!date("x") && !date("2024-1-01"));
        assert!(time("12:30:00Z") && time("23:59:59.123+05:30") && !time("24:00:00Z"));
        assert!(!time("12:30:00") && !time("x"));
        assert!(date_time("2020-01-01T00:00:00Z") && !date_time("2020-01-01"));
    }

    #[test]
    fn other_scalars() {
        assert_eq!(valid("Boolean", "TRUE"), Some(true));
        assert_eq!(valid("Boolean", "yes"), Some(false));
        assert_eq!(valid("AWSJSON", "{x"), Some(false));
        assert_eq!(valid("AWSJSON", " [1] "), Some(true));
        assert!(email("a.b@example.com") && !email("x") && !email("a@-b.com"));
        assert!(url("https://example.com/x") && url("mailto:a@b") && !url("x") && !url("http://"));
        assert!(phone("+1 415 555 0123") && !phone("x") && !phone("4155550123"));
        assert_eq!(valid("AWSIPAddress", "10.0.0.1"), Some(true));
        assert_eq!(valid("AWSIPAddress", "x"), Some(false));
        assert_eq!(valid("BigInt", "1"), None);
    }
}
