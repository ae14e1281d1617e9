//! Renders a parsed template: text is copied, references are looked up and printed, the
//! directives run. `$util.error` stops the template with an error for the caller,
//! `$util.appendError` records one and goes on, `#return` ends it with a value.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::Error;
use super::ast::{BinaryOp, Expr, Node, Reference, Segment};
use super::state::{Env, Halt, Run, State};
use super::util;
use super::value::Value;

/// What one run of a template produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The rendered text (the request AppSync sends, or the response it parses).
    pub output: String,
    /// `#return(value)` (or `#return`: null) ended the template; `output` then ends with the
    /// value's JSON.
    pub returned: bool,
    /// `$util.error` or `$util.unauthorized` ended the template.
    pub raised: Option<super::state::RaisedError>,
    /// `$util.appendError` calls, in order.
    pub appended: Vec<super::state::RaisedError>,
}

pub fn render(nodes: &[Node], ctx: &Value, env: &mut Env) -> Result<Outcome, Error> {
    let mut interp = Interp {
        vars: HashMap::new(),
        ctx: ctx.clone(),
        state: State {
            env,
            appended: Vec::new(),
        },
    };
    let mut out = String::new();
    let mut outcome = Outcome::default();
    match interp.nodes(nodes, &mut out) {
        Ok(()) | Err(Halt::Stop) | Err(Halt::Break) => {}
        Err(Halt::Return(_)) | Err(Halt::Returned) => outcome.returned = true,
        Err(Halt::Raise(e)) => outcome.raised = Some(e),
        Err(Halt::Fail(e)) => return Err(e),
    }
    outcome.output = out;
    outcome.appended = interp.state.appended;
    Ok(outcome)
}

struct Interp<'e> {
    vars: HashMap<String, Value>,
    ctx: Value,
    state: State<'e>,
}

impl Interp<'_> {
    /// A block of nodes. `#return(value)` replaces what this block (not its enclosing ones)
    /// has written with the value's JSON, as the engine behave runs does.
    fn nodes(&mut self, nodes: &[Node], out: &mut String) -> Run<()> {
        let start = out.len();
        for node in nodes {
            match self.node(node, out) {
                Err(Halt::Return(v)) => {
                    out.truncate(start);
                    out.push_str(&v.to_json_text());
                    return Err(Halt::Returned);
                }
                other => other?,
            }
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, out: &mut String) -> Run<()> {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Ref {
                reference,
                quiet,
                source,
            } => {
                let v = self.reference(reference)?;
                match v {
                    Value::Null if *quiet => {}
                    Value::Null => out.push_str(source),
                    v => out.push_str(&v.render()),
                }
            }
            Node::Set { target, value } => {
                let v = self.expr(value)?;
                self.assign(target, v)?;
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.expr(cond)?.truthy() {
                        return self.nodes(body, out);
                    }
                }
                if let Some(body) = otherwise {
                    self.nodes(body, out)?;
                }
            }
            Node::Foreach { var, items, body } => {
                let items: Vec<Value> = match self.expr(items)? {
                    Value::List(l) => l.borrow().clone(),
                    Value::Map(m) => m.borrow().values().cloned().collect(),
                    Value::Null => Vec::new(),
                    other => vec![other],
                };
                let saved_var = self.vars.get(var).cloned();
                let saved_foreach = self.vars.get("foreach").cloned();
                let n = items.len();
                for (i, item) in items.into_iter().enumerate() {
                    let mut f = IndexMap::new();
                    f.insert("index".to_string(), Value::Int(i as i64));
                    f.insert("count".to_string(), Value::Int(i as i64 + 1));
                    f.insert("hasNext".to_string(), Value::Bool(i + 1 < n));
                    f.insert("first".to_string(), Value::Bool(i == 0));
                    f.insert("last".to_string(), Value::Bool(i + 1 == n));
                    self.vars.insert("foreach".into(), Value::map(f));
                    self.vars
                        .insert("velocityCount".into(), Value::Int(i as i64 + 1));
                    self.vars.insert(var.clone(), item);
                    match self.nodes(body, out) {
                        Ok(()) => {}
                        Err(Halt::Break) => break,
                        Err(other) => return Err(other),
                    }
                }
                // Velocity puts back what the names held before the loop.
                for (name, saved) in [(var.as_str(), saved_var), ("foreach", saved_foreach)] {
                    match saved {
                        Some(v) => self.vars.insert(name.to_string(), v),
                        None => self.vars.remove(name),
                    };
                }
            }
            Node::Return(value) => {
                let v = match value {
                    Some(e) => self.expr(e)?,
                    None => Value::Null,
                };
                return Err(Halt::Return(v));
            }
            Node::Break => return Err(Halt::Break),
            Node::Stop => return Err(Halt::Stop),
        }
        Ok(())
    }

    fn assign(&mut self, target: &Reference, v: Value) -> Run<()> {
        let Some((last, init)) = target.path.split_last() else {
            if matches!(target.root.as_str(), "ctx" | "context") {
                return Err(Error::at("$ctx cannot be replaced", target.at).into());
            }
            self.vars.insert(target.root.clone(), v);
            return Ok(());
        };
        let holder = self.walk(&target.root, init, target.at)?;
        match (holder, last) {
            (Value::Map(m), Segment::Property(k)) => {
                m.borrow_mut().insert(k.clone(), v);
            }
            (Value::Map(m), Segment::Index(e)) => {
                let k = self.expr(e)?.render();
                m.borrow_mut().insert(k, v);
            }
            (Value::List(l), Segment::Index(e)) => {
                let i = self.expr(e)?;
                let mut l = l.borrow_mut();
                match i.number().map(|n| n as usize).filter(|i| *i < l.len()) {
                    Some(i) => l[i] = v,
                    None => return Err(Error::at("list index out of range", target.at).into()),
                }
            }
            // Setting a property of null or of a scalar does nothing, as in Velocity.
            _ => {}
        }
        Ok(())
    }

    fn reference(&mut self, r: &Reference) -> Run<Value> {
        self.walk(&r.root, &r.path, r.at)
    }

    /// The value of `$root` followed by `path`.
    fn walk(&mut self, root: &str, path: &[Segment], at: usize) -> Run<Value> {
        let mut rest = path;
        let mut v = match root {
            "ctx" | "context" if !self.vars.contains_key(root) => self.ctx.clone(),
            "util" if !self.vars.contains_key(root) => {
                // `$util.ns.fn(…)`: namespaces up to the first call.
                let mut names = Vec::new();
                loop {
                    match rest.split_first() {
                        Some((Segment::Property(n), tail)) => {
                            names.push(n.as_str());
                            rest = tail;
                        }
                        Some((Segment::Call(n, args), tail)) => {
                            let args = self.args(args)?;
                            rest = tail;
                            let info = property(&self.ctx, "info");
                            let v = util::call(&mut self.state, &info, &names, n, args, at)?;
                            break v;
                        }
                        _ => {
                            return Err(Error::at(
                                format!("$util.{} is not a function", names.join(".")),
                                at,
                            )
                            .into());
                        }
                    }
                }
            }
            "extensions" if !self.vars.contains_key(root) => match rest.split_first() {
                Some((Segment::Call(n, args), tail)) => {
                    let args = self.args(args)?;
                    rest = tail;
                    util::extensions(&mut self.state, n, args, at)?
                }
                _ => return Err(Error::at("$extensions has only methods", at).into()),
            },
            name => self.vars.get(name).cloned().unwrap_or(Value::Null),
        };
        for seg in rest {
            v = match seg {
                Segment::Property(name) => property(&v, name),
                Segment::Index(e) => {
                    let i = self.expr(e)?;
                    index(&v, &i)
                }
                Segment::Call(name, args) => {
                    let args = self.args(args)?;
                    method(&v, name, args, at)?
                }
            };
        }
        Ok(v)
    }

    fn args(&mut self, args: &[Expr]) -> Run<Vec<Value>> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    fn expr(&mut self, e: &Expr) -> Run<Value> {
        Ok(match e {
            Expr::Literal(v) => match v {
                // A literal list or map is a new one every time it is evaluated.
                Value::List(_) | Value::Map(_) => Value::from_json(&v.to_json()),
                v => v.clone(),
            },
            Expr::Interpolated(nodes) => {
                let mut s = String::new();
                self.nodes(nodes, &mut s)?;
                Value::str(s)
            }
            Expr::Ref(r) => self.reference(r)?,
            Expr::List(items) => Value::list(self.args(items)?),
            Expr::Map(entries) => {
                let mut m = IndexMap::new();
                for (k, v) in entries {
                    let k = self.expr(k)?.render();
                    let v = self.expr(v)?;
                    m.insert(k, v);
                }
                Value::map(m)
            }
            Expr::Range(a, b) => {
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                match (a.number(), b.number()) {
                    (Some(a), Some(b)) => {
                        let (a, b) = (a as i64, b as i64);
                        let items: Vec<Value> = if a <= b {
                            (a..=b).map(Value::Int).collect()
                        } else {
                            (b..=a).rev().map(Value::Int).collect()
                        };
                        Value::list(items)
                    }
                    _ => Value::Null,
                }
            }
            Expr::Not(e) => Value::Bool(!self.expr(e)?.truthy()),
            Expr::Negate(e) => match self.expr(e)? {
                Value::Int(i) => Value::Int(-i),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Null,
            },
            Expr::Binary(op, a, b) => {
                // `&&` and `||` look at their right side only when they must.
                match op {
                    BinaryOp::And => {
                        return Ok(Value::Bool(
                            self.expr(a)?.truthy() && self.expr(b)?.truthy(),
                        ));
                    }
                    BinaryOp::Or => {
                        return Ok(Value::Bool(
                            self.expr(a)?.truthy() || self.expr(b)?.truthy(),
                        ));
                    }
                    _ => {}
                }
                let (a, b) = (self.expr(a)?, self.expr(b)?);
                binary(*op, &a, &b)
            }
        })
    }
}

/// `==` as Velocity 1.7 has it: numbers by value, values of different kinds by their text.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        (a, b) if a.number().is_some() && b.number().is_some() => a.number() == b.number(),
        (Value::Str(_), Value::Str(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::List(_), Value::List(_))
        | (Value::Map(_), Value::Map(_)) => a.equals(b),
        (a, b) => a.render() == b.render(),
    }
}

fn binary(op: BinaryOp, a: &Value, b: &Value) -> Value {
    use BinaryOp::*;
    match op {
        Eq => Value::Bool(loosely_equal(a, b)),
        Ne => Value::Bool(!loosely_equal(a, b)),
        Lt | Le | Gt | Ge => {
            let ord = match (a, b) {
                (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
                _ => match (a.number(), b.number()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y),
                    _ => None,
                },
            };
            let Some(ord) = ord else {
                return Value::Bool(false);
            };
            Value::Bool(match op {
                Lt => ord.is_lt(),
                Le => ord.is_le(),
                Gt => ord.is_gt(),
                _ => ord.is_ge(),
            })
        }
        Add if matches!(a, Value::Str(_)) || matches!(b, Value::Str(_)) => {
            let text = |v: &Value| {
                if v.is_null() {
                    String::new()
                } else {
                    v.render()
                }
            };
            Value::str(format!("{}{}", text(a), text(b)))
        }
        Add | Sub | Mul | Div | Rem => match (a, b) {
            (Value::Int(x), Value::Int(y)) => match op {
                Add => Value::Int(x.wrapping_add(*y)),
                Sub => Value::Int(x.wrapping_sub(*y)),
                Mul => Value::Int(x.wrapping_mul(*y)),
                Div if *y != 0 => Value::Int(x.wrapping_div(*y)),
                Rem if *y != 0 => Value::Int(x.wrapping_rem(*y)),
                _ => Value::Null,
            },
            _ => match (a.number(), b.number()) {
                (Some(x), Some(y)) => match op {
                    Add => Value::Float(x + y),
                    Sub => Value::Float(x - y),
                    Mul => Value::Float(x * y),
                    Div if y != 0.0 => Value::Float(x / y),
                    Rem if y != 0.0 => Value::Float(x % y),
                    _ => Value::Null,
                },
                _ => Value::Null,
            },
        },
        And | Or => unreachable!("handled before both sides are evaluated"),
    }
}

/// `$v.name`: a map's entry, else the Java getter `getName()` / `isName()` / `name()`.
fn property(v: &Value, name: &str) -> Value {
    if let Value::Map(m) = v {
        return m.borrow().get(name).cloned().unwrap_or(Value::Null);
    }
    let upper = |p: &str| {
        let mut c = name.chars();
        c.next()
            .map(|f| format!("{p}{}{}", f.to_ascii_uppercase(), c.as_str()))
            .unwrap_or_default()
    };
    for candidate in [upper("get"), upper("is"), name.to_string()] {
        if let Ok(v) = method(v, &candidate, Vec::new(), 0) {
            return v;
        }
    }
    Value::Null
}

fn index(v: &Value, i: &Value) -> Value {
    match v {
        Value::List(l) => {
            let l = l.borrow();
            let n = l.len() as i64;
            i.number()
                .map(|x| x as i64)
                .map(|x| if x < 0 { n + x } else { x })
                .filter(|x| (0..n).contains(x))
                .map_or(Value::Null, |x| l[x as usize].clone())
        }
        Value::Map(m) => m.borrow().get(&i.render()).cloned().unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

fn arg_error(name: &str, at: usize) -> Halt {
    Halt::Fail(Error::at(
        format!("wrong arguments for the method `{name}`"),
        at,
    ))
}

/// The Java methods of strings, lists, maps and numbers that templates call. A method the
/// value does not have yields null, as in Java Velocity (a template calls `put` on a field
/// that may hold a list); null has no methods at all.
pub(crate) fn method(v: &Value, name: &str, args: Vec<Value>, at: usize) -> Run<Value> {
    let unknown = || Value::Null;
    let a = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let int = |i: usize| -> Run<i64> {
        a(i).number()
            .map(|n| n as i64)
            .ok_or_else(|| arg_error(name, at))
    };
    let text = |i: usize| -> Run<String> {
        match a(i) {
            Value::Str(s) => Ok(s.to_string()),
            _ => Err(arg_error(name, at)),
        }
    };
    Ok(match (v, name) {
        (_, "toString") => Value::str(v.render()),
        (_, "equals") => Value::Bool(v.equals(&a(0))),
        (_, "hashCode") => Value::Int(v.render().len() as i64),
        (Value::Str(s), _) => {
            let chars: Vec<char> = s.chars().collect();
            match name {
                "length" => Value::Int(chars.len() as i64),
                "isEmpty" => Value::Bool(s.is_empty()),
                "trim" => Value::str(s.trim()),
                "toLowerCase" => Value::str(s.to_lowercase()),
                "toUpperCase" => Value::str(s.to_uppercase()),
                "contains" => Value::Bool(s.contains(text(0)?.as_str())),
                "startsWith" => Value::Bool(s.starts_with(text(0)?.as_str())),
                "endsWith" => Value::Bool(s.ends_with(text(0)?.as_str())),
                "equalsIgnoreCase" => Value::Bool(s.eq_ignore_ascii_case(&a(0).render())),
                "concat" => Value::str(format!("{s}{}", text(0)?)),
                "indexOf" => {
                    let needle = text(0)?;
                    Value::Int(
                        s.find(needle.as_str())
                            .map_or(-1, |b| s[..b].chars().count() as i64),
                    )
                }
                "lastIndexOf" => {
                    let needle = text(0)?;
                    Value::Int(
                        s.rfind(needle.as_str())
                            .map_or(-1, |b| s[..b].chars().count() as i64),
                    )
                }
                "charAt" => {
                    let i = int(0)?;
                    chars
                        .get(i as usize)
                        .map(|c| Value::str(c.to_string()))
                        .ok_or_else(|| arg_error(name, at))?
                }
                "substring" => {
                    let from = int(0)? as usize;
                    let to = if args.len() > 1 {
                        int(1)? as usize
                    } else {
                        chars.len()
                    };
                    if from > to || to > chars.len() {
                        return Err(arg_error(name, at));
                    }
                    Value::str(chars[from..to].iter().collect::<String>())
                }
                "replace" => Value::str(s.replace(&a(0).render(), &a(1).render())),
                "replaceAll" | "replaceFirst" | "matches" | "split" => {
                    let re = regex::Regex::new(&text(0)?).map_err(|_| arg_error(name, at))?;
                    match name {
                        "replaceAll" => Value::str(re.replace_all(s, java_replacement(&text(1)?))),
                        "replaceFirst" => Value::str(re.replace(s, java_replacement(&text(1)?))),
                        "matches" => Value::Bool(
                            re.find(s)
                                .is_some_and(|m| m.start() == 0 && m.end() == s.len()),
                        ),
                        _ => {
                            // Java drops the empty strings at the end.
                            let mut parts: Vec<&str> = re.split(s).collect();
                            while parts.last().is_some_and(|p| p.is_empty()) {
                                parts.pop();
                            }
                            Value::list(parts.into_iter().map(Value::str).collect())
                        }
                    }
                }
                _ => unknown(),
            }
        }
        (Value::List(l), _) => match name {
            "size" => Value::Int(l.borrow().len() as i64),
            "isEmpty" => Value::Bool(l.borrow().is_empty()),
            "add" if args.len() == 2 => {
                let i = int(0)? as usize;
                let mut l = l.borrow_mut();
                if i > l.len() {
                    return Err(arg_error(name, at));
                }
                l.insert(i, a(1));
                Value::Null
            }
            "add" => {
                l.borrow_mut().push(a(0));
                Value::Bool(true)
            }
            "addAll" => {
                let items = match a(0) {
                    Value::List(o) => o.borrow().clone(),
                    _ => return Err(arg_error(name, at)),
                };
                l.borrow_mut().extend(items);
                Value::Bool(true)
            }
            "get" => {
                let i = int(0)?;
                l.borrow()
                    .get(i as usize)
                    .cloned()
                    .ok_or_else(|| arg_error(name, at))?
            }
            "set" => {
                let i = int(0)? as usize;
                let mut l = l.borrow_mut();
                let slot = l.get_mut(i).ok_or_else(|| arg_error(name, at))?;
                std::mem::replace(slot, a(1))
            }
            "contains" => Value::Bool(l.borrow().iter().any(|x| x.equals(&a(0)))),
            "indexOf" => Value::Int(
                l.borrow()
                    .iter()
                    .position(|x| x.equals(&a(0)))
                    .map_or(-1, |i| i as i64),
            ),
            "remove" => {
                let mut l = l.borrow_mut();
                match a(0) {
                    Value::Int(i) if (i as usize) < l.len() => l.remove(i as usize),
                    other => {
                        let found = l.iter().position(|x| x.equals(&other));
                        Value::Bool(found.map(|i| l.remove(i)).is_some())
                    }
                }
            }
            "clear" => {
                l.borrow_mut().clear();
                Value::Null
            }
            _ => unknown(),
        },
        (Value::Map(m), _) => match name {
            "size" => Value::Int(m.borrow().len() as i64),
            "isEmpty" => Value::Bool(m.borrow().is_empty()),
            "get" => m
                .borrow()
                .get(&a(0).render())
                .cloned()
                .unwrap_or(Value::Null),
            "getOrDefault" => m.borrow().get(&a(0).render()).cloned().unwrap_or(a(1)),
            "put" => m
                .borrow_mut()
                .insert(a(0).render(), a(1))
                .unwrap_or(Value::Null),
            "putAll" => {
                let entries = match a(0) {
                    Value::Map(o) => o.borrow().clone(),
                    Value::Null => IndexMap::new(),
                    _ => return Err(arg_error(name, at)),
                };
                m.borrow_mut().extend(entries);
                Value::Null
            }
            "containsKey" => Value::Bool(m.borrow().contains_key(&a(0).render())),
            "containsValue" => Value::Bool(m.borrow().values().any(|x| x.equals(&a(0)))),
            "remove" => m
                .borrow_mut()
                .shift_remove(&a(0).render())
                .unwrap_or(Value::Null),
            "keySet" => Value::list(m.borrow().keys().map(|k| Value::str(k.as_str())).collect()),
            "values" => Value::list(m.borrow().values().cloned().collect()),
            "entrySet" => Value::list(
                m.borrow()
                    .iter()
                    .map(|(k, v)| {
                        let mut e = IndexMap::new();
                        e.insert("key".to_string(), Value::str(k.as_str()));
                        e.insert("value".to_string(), v.clone());
                        Value::map(e)
                    })
                    .collect(),
            ),
            // A getter of an object we hold as a map (`$foreach.hasNext()`, an entry's
            // `getKey()`): its property.
            _ if args.is_empty() => {
                let m = m.borrow();
                let key = ["get", "is"]
                    .iter()
                    .find_map(|p| name.strip_prefix(p))
                    .filter(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
                    .map(|k| {
                        let mut c = k.chars();
                        c.next().map_or(String::new(), |f| {
                            format!("{}{}", f.to_ascii_lowercase(), c.as_str())
                        })
                    });
                m.get(name)
                    .or_else(|| key.and_then(|k| m.get(&k)))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            "clear" => {
                m.borrow_mut().clear();
                Value::Null
            }
            _ => unknown(),
        },
        (Value::Int(_) | Value::Float(_), _) => {
            let n = v.number().unwrap_or(0.0);
            match name {
                "intValue" | "longValue" => Value::Int(n as i64),
                "doubleValue" | "floatValue" => Value::Float(n),
                _ => unknown(),
            }
        }
        (Value::Bool(b), "booleanValue") => Value::Bool(*b),
        _ => unknown(),
    })
}

/// Java's `$1` group references in a replacement, in the regex crate's `${1}` form.
fn java_replacement(r: &str) -> String {
    let mut out = String::new();
    let mut chars = r.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if n == '$' {
                        out.push_str("$$");
                    } else {
                        out.push(n);
                    }
                }
            }
            '$' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            c => out.push(c),
        }
    }
    out
}
