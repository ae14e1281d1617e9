//! `$util` and its namespaces (`dynamodb`, `time`, `list`, `map`, `str`, `math`), and
//! `$extensions`. A function AppSync has that we do not run yet, or one it does not have, is
//! an error naming it: a simulation never goes on with a silent null.

use super::Error;
use super::attribute::{marshal, tagged, to_dynamodb};
use super::state::{Halt, RaisedError, Run, State};
use super::value::Value;

/// What a void function renders as: nothing.
fn void() -> Value {
    Value::str("")
}

pub(crate) fn call(
    state: &mut State<'_>,
    info: &Value,
    namespace: &[&str],
    name: &str,
    args: Vec<Value>,
    at: usize,
) -> Run<Value> {
    let full = || {
        let mut parts = vec!["$util"];
        parts.extend_from_slice(namespace);
        parts.push(name);
        parts.join(".")
    };
    let a = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let wrong = || Halt::Fail(Error::at(format!("wrong arguments for {}", full()), at));
    let text = |i: usize| -> Run<String> {
        match a(i) {
            Value::Str(s) => Ok(s.to_string()),
            _ => Err(wrong()),
        }
    };
    let ns = namespace.join(".");
    Ok(match (ns.as_str(), name) {
        ("", "qr") | ("", "quiet") => void(),
        ("", "toJson") => Value::str(Value::to_json_text(&a(0))),
        ("", "parseJson") => {
            let t = a(0).render();
            match serde_json::from_str::<serde_json::Value>(&t) {
                Ok(j) => Value::from_json(&j),
                // A mapping-template error for the caller, as AppSync raises it.
                Err(_) => {
                    return Err(Halt::Raise(RaisedError {
                        message: format!(
                            "Unable to parse JSON document: {}",
                            t.chars().take(80).collect::<String>()
                        ),
                        error_type: Some("MappingTemplate".into()),
                        data: Value::Null,
                        info: Value::Null,
                    }));
                }
            }
        }
        ("", "isNull") => Value::Bool(a(0).is_null()),
        ("", "isNullOrEmpty") => Value::Bool(is_empty(&a(0))),
        ("", "isNullOrBlank") => Value::Bool(is_blank(&a(0))),
        // Without a default, the default is the empty string.
        ("", "defaultIfNull") => pick(
            a(0),
            args.get(1).cloned().unwrap_or(Value::str("")),
            Value::is_null,
        ),
        ("", "defaultIfNullOrEmpty") => pick(a(0), a(1), is_empty),
        ("", "defaultIfNullOrBlank") => pick(a(0), a(1), is_blank),
        ("", "isString") => Value::Bool(matches!(a(0), Value::Str(_))),
        ("", "isNumber") => Value::Bool(a(0).number().is_some()),
        ("", "isBoolean") => Value::Bool(matches!(a(0), Value::Bool(_))),
        ("", "isList") => Value::Bool(matches!(a(0), Value::List(_))),
        ("", "isMap") => Value::Bool(matches!(a(0), Value::Map(_))),
        ("", "typeOf") => Value::str(match a(0) {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) | Value::Float(_) => "Number",
            Value::Str(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
        }),
        ("", "error") => return Err(Halt::Raise(raised(&args))),
        ("", "appendError") => {
            state.appended.push(raised(&args));
            void()
        }
        ("", "unauthorized") => {
            let info = |k: &str| match info {
                Value::Map(m) => m.borrow().get(k).map(Value::render).unwrap_or_default(),
                _ => String::new(),
            };
            return Err(Halt::Raise(RaisedError {
                message: format!(
                    "Not Authorized to access {} on type {}",
                    info("fieldName"),
                    info("parentTypeName")
                ),
                error_type: Some("Unauthorized".into()),
                data: Value::Null,
                info: Value::Null,
            }));
        }
        ("", "autoId") => Value::str(state.env.auto_id()),
        ("", "authType") => Value::str(state.env.auth_type.as_str()),
        ("", "matches") => {
            let re = regex::Regex::new(&text(0)?).map_err(|_| wrong())?;
            let s = text(1)?;
            Value::Bool(
                re.find(&s)
                    .is_some_and(|m| m.start() == 0 && m.end() == s.len()),
            )
        }
        ("", "escapeJavaScript") => {
            let s = Value::to_json_text(&Value::str(text(0)?));
            Value::str(&s[1..s.len() - 1])
        }
        ("log", _) => void(),

        ("dynamodb", "toDynamoDB") => to_dynamodb(&a(0)),
        ("dynamodb", "toDynamoDBJson") => Value::str(Value::to_json_text(&to_dynamodb(&a(0)))),
        ("dynamodb", "toMapValues") => map_values(&a(0)).ok_or_else(wrong)?,
        ("dynamodb", "toMapValuesJson") => {
            Value::str(Value::to_json_text(&map_values(&a(0)).ok_or_else(wrong)?))
        }
        ("dynamodb", n) if typed(n).is_some() => {
            let (kind, json) = typed(n).unwrap_or(("S", false));
            let v = a(0);
            let attr = match kind {
                "NULL" => tagged("NULL", Value::Bool(true)),
                "L" | "M" => to_dynamodb(&v),
                "SS" | "NS" => match &v {
                    Value::List(l) => tagged(
                        kind,
                        Value::list(
                            l.borrow()
                                .iter()
                                .map(|x| {
                                    if kind == "NS" {
                                        x.clone()
                                    } else {
                                        Value::str(x.render())
                                    }
                                })
                                .collect(),
                        ),
                    ),
                    _ => return Err(wrong()),
                },
                kind => tagged(kind, v),
            };
            if json {
                Value::str(Value::to_json_text(&attr))
            } else {
                attr
            }
        }

        ("time", "nowEpochMilliSeconds") => Value::Int(state.env.now_millis),
        ("time", "nowEpochSeconds") => Value::Int(state.env.now_millis.div_euclid(1000)),
        ("time", "nowISO8601") => Value::str(iso8601(state.env.now_millis)),
        ("time", "epochMilliSecondsToISO8601") => {
            let ms = a(0).number().ok_or_else(wrong)? as i64;
            Value::str(iso8601(ms))
        }
        ("time", "epochMilliSecondsToSeconds") => {
            Value::Int((a(0).number().ok_or_else(wrong)? as i64).div_euclid(1000))
        }
        ("time", "parseISO8601ToEpochMilliSeconds") => {
            Value::Int(parse_iso8601(&text(0)?).ok_or_else(wrong)?)
        }

        ("list", "copyAndRemoveAll") | ("list", "copyAndRetainAll") => {
            let (Value::List(l), Value::List(other)) = (a(0), a(1)) else {
                return Err(wrong());
            };
            let other = other.borrow();
            let keep = name == "copyAndRetainAll";
            Value::list(
                l.borrow()
                    .iter()
                    .filter(|x| other.iter().any(|o| o.equals(x)) == keep)
                    .cloned()
                    .collect(),
            )
        }
        ("map", "copyAndRemoveAllKeys") | ("map", "copyAndRetainAllKeys") => {
            let (Value::Map(m), Value::List(keys)) = (a(0), a(1)) else {
                return Err(wrong());
            };
            let keys: Vec<String> = keys.borrow().iter().map(Value::render).collect();
            let keep = name == "copyAndRetainAllKeys";
            Value::map(
                m.borrow()
                    .iter()
                    .filter(|(k, _)| keys.contains(k) == keep)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        }
        ("transform", "toDynamoDBFilterExpression")
        | ("transform", "toDynamoDBConditionExpression") => {
            super::transform::dynamodb_expression(&a(0))
        }
        ("transform", "toSubscriptionFilter") => {
            super::transform::subscription_filter(&a(0), &a(1))
        }
        ("str", "toUpper") => Value::str(text(0)?.to_uppercase()),
        ("str", "toLower") => Value::str(text(0)?.to_lowercase()),
        ("str", "toReplace") => Value::str(text(0)?.replace(&text(1)?, &text(2)?)),
        ("math", "roundNum") => Value::Int(a(0).number().ok_or_else(wrong)?.round() as i64),
        ("math", "minVal") | ("math", "maxVal") => {
            let (x, y) = (
                a(0).number().ok_or_else(wrong)?,
                a(1).number().ok_or_else(wrong)?,
            );
            Value::Float(if name == "minVal" { x.min(y) } else { x.max(y) })
        }
        _ => {
            return Err(Halt::Fail(Error::at(
                format!("{} is not a function amplify-gql can run", full()),
                at,
            )));
        }
    })
}

/// `$extensions`: the subscription filters a subscribe-time template sets.
pub(crate) fn extensions(
    state: &mut State<'_>,
    name: &str,
    args: Vec<Value>,
    at: usize,
) -> Run<Value> {
    match name {
        "setSubscriptionFilter" | "setSubscriptionInvalidationFilter" => {
            state
                .env
                .subscription_filters
                .push(args.into_iter().next().unwrap_or(Value::Null));
            Ok(void())
        }
        "invalidateSubscriptions" | "evictFromApiCache" => Ok(void()),
        _ => Err(Halt::Fail(Error::at(
            format!("$extensions.{name} is not a function amplify-gql can run"),
            at,
        ))),
    }
}

fn raised(args: &[Value]) -> RaisedError {
    let a = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    RaisedError {
        message: if a(0).is_null() {
            String::new()
        } else {
            a(0).render()
        },
        error_type: match a(1) {
            Value::Null => None,
            v => Some(v.render()),
        },
        data: a(2),
        info: a(3),
    }
}

/// Null, or an empty string, list or map.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Str(s) => s.is_empty(),
        Value::List(l) => l.borrow().is_empty(),
        Value::Map(m) => m.borrow().is_empty(),
        _ => false,
    }
}

/// `is_empty`, with a string of only whitespace blank too.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Str(s) => s.trim().is_empty(),
        v => is_empty(v),
    }
}

fn pick(v: Value, default: Value, missing: fn(&Value) -> bool) -> Value {
    if missing(&v) { default } else { v }
}

/// The typed-attribute functions: name → (attribute type, returns JSON text).
fn typed(name: &str) -> Option<(&'static str, bool)> {
    let (base, json) = match name.strip_suffix("Json") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let kind = match base {
        "toString" => "S",
        "toNumber" => "N",
        "toBoolean" => "BOOL",
        "toNull" => "NULL",
        "toList" => "L",
        "toMap" => "M",
        "toStringSet" => "SS",
        "toNumberSet" => "NS",
        "toBinary" => "B",
        _ => return None,
    };
    Some((kind, json))
}

fn map_values(v: &Value) -> Option<Value> {
    match v {
        Value::Map(m) => Some(Value::map(
            m.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), marshal(v, true)))
                .collect(),
        )),
        _ => None,
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-12-07T11:28:00.000Z`.
pub fn iso8601(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Milliseconds of `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or `±HH:MM`).
pub(crate) fn parse_iso8601(s: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = s.get(19..)?;
    let mut ms = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        ms = format!("{digits:0<3}")[..3].parse().ok()?;
        rest = &frac[digits.len()..];
    }
    let offset = match rest {
        "Z" | "" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let oh: i64 = o.get(1..3)?.parse().ok()?;
            let om: i64 = o.get(4..6)?.parse().ok()?;
            sign * (oh * 60 + om) * 60_000
        }
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Some(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offset)
}
