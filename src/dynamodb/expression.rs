//! DynamoDB's expression languages: conditions (key conditions, filters, condition checks)
//! and updates (`SET`, `REMOVE`, `ADD`, `DELETE`), with `#name` and `:value` placeholders.
//! Every placeholder an expression uses must be given, and every one given must be used.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use super::DdbError;
use super::attribute::{self, Attribute, Item, canon, compare, equals, type_of};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Value(String),
    Keyword(&'static str),
    Ident(String),
    Number(usize),
    Punct(&'static str),
}

const KEYWORDS: &[&str] = &[
    "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
];
const PUNCT: &[&str] = &[
    "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", "[", "]", ".", "+", "-",
];

fn invalid(msg: String) -> DdbError {
    DdbError::validation(msg)
}

fn tokenize(src: &str) -> Result<Vec<Token>, DdbError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if (c == b'#' || c == b':') && b.get(i + 1).is_some_and(|c| word(*c)) {
            let start = i;
            i += 1;
            while i < b.len() && word(b[i]) {
                i += 1;
            }
            let t = src[start..i].to_string();
            out.push(if c == b'#' {
                Token::Name(t)
            } else {
                Token::Value(t)
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (word(b[i]) || b[i] == b'-') {
                i += 1;
            }
            let w = &src[start..i];
            let up = w.to_ascii_uppercase();
            out.push(match KEYWORDS.iter().find(|k| **k == up) {
                Some(k) => Token::Keyword(k),
                None => Token::Ident(w.to_string()),
            });
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Token::Number(src[start..i].parse().unwrap_or(usize::MAX)));
            continue;
        }
        match PUNCT.iter().find(|p| src[i..].starts_with(**p)) {
            Some(p) => {
                out.push(Token::Punct(p));
                i += p.len();
            }
            None => {
                let ch = src[i..].chars().next().unwrap_or(' ');
                return Err(invalid(format!(
                    "Invalid expression: unexpected character '{ch}' in \"{src}\""
                )));
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Debug)]
enum Part {
    Ref(String),
    Name(String),
    Index(usize),
}

type Path = Vec<Part>;

#[derive(Clone, Debug)]
enum Operand {
    Value(String),
    Path(Path),
    Size(Path),
}

#[derive(Clone, Debug)]
enum Cond {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(&'static str, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Func(String, Vec<Operand>),
}

#[derive(Clone, Debug)]
enum SetValue {
    Operand(Operand),
    Arith(&'static str, Box<SetValue>, Box<SetValue>),
    IfNotExists(Path, Box<SetValue>),
    ListAppend(Box<SetValue>, Box<SetValue>),
}

#[derive(Clone, Debug, Default)]
struct Update {
    set: Vec<(Path, SetValue)>,
    remove: Vec<Path>,
    add: Vec<(Path, Operand)>,
    delete: Vec<(Path, Operand)>,
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self, o: usize) -> Option<&Token> {
        self.tokens.get(self.at + o)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn is_punct(&self, p: &str, o: usize) -> bool {
        matches!(self.peek(o), Some(Token::Punct(x)) if *x == p)
    }

    fn is_keyword(&self, k: &str) -> bool {
        matches!(self.peek(0), Some(Token::Keyword(x)) if *x == k)
    }

    fn is_ident(&self, name: &str) -> bool {
        matches!(self.peek(0), Some(Token::Ident(x)) if x == name)
    }

    fn error(&self, what: &str) -> DdbError {
        invalid(format!(
            "Invalid expression: expected {what} in \"{}\"",
            self.src
        ))
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), DdbError> {
        if self.is_punct(p, 0) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(p))
        }
    }

    fn end(&self) -> Result<(), DdbError> {
        match self.peek(0) {
            None => Ok(()),
            Some(t) => Err(invalid(format!(
                "Invalid expression: unexpected '{t:?}' in \"{}\"",
                self.src
            ))),
        }
    }

    fn cond(&mut self) -> Result<Cond, DdbError> {
        self.joined("OR", Self::and, Cond::Or)
    }

    fn and(&mut self) -> Result<Cond, DdbError> {
        self.joined("AND", Self::not, Cond::And)
    }

    /// Terms read by `term`, joined by the keyword `kw` into `join` when there are several.
    fn joined(
        &mut self,
        kw: &str,
        term: fn(&mut Self) -> Result<Cond, DdbError>,
        join: fn(Vec<Cond>) -> Cond,
    ) -> Result<Cond, DdbError> {
        let mut items = vec![term(self)?];
        while self.is_keyword(kw) {
            self.at += 1;
            items.push(term(self)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            join(items)
        })
    }

    fn not(&mut self) -> Result<Cond, DdbError> {
        if self.is_keyword("NOT") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, DdbError> {
        if self.is_punct("(", 0) {
            self.at += 1;
            let e = self.cond()?;
            self.expect_punct(")")?;
            return Ok(e);
        }
        const FUNCTIONS: &[(&str, usize)] = &[
            ("attribute_exists", 1),
            ("attribute_not_exists", 1),
            ("attribute_type", 2),
            ("begins_with", 2),
            ("contains", 2),
        ];
        if let Some(Token::Ident(name)) = self.peek(0).cloned()
            && let Some((_, arity)) = FUNCTIONS.iter().find(|(f, _)| *f == name)
            && self.is_punct("(", 1)
        {
            self.at += 2;
            let mut args = vec![self.operand()?];
            while self.is_punct(",", 0) {
                self.at += 1;
                args.push(self.operand()?);
            }
            self.expect_punct(")")?;
            if args.len() != *arity {
                return Err(invalid(format!(
                    "Invalid function {name} arity in \"{}\"",
                    self.src
                )));
            }
            return Ok(Cond::Func(name, args));
        }
        let left = self.operand()?;
        if self.is_keyword("BETWEEN") {
            self.at += 1;
            let lo = self.operand()?;
            if !self.is_keyword("AND") {
                return Err(self.error("AND"));
            }
            self.at += 1;
            let hi = self.operand()?;
            return Ok(Cond::Between(left, lo, hi));
        }
        if self.is_keyword("IN") {
            self.at += 1;
            self.expect_punct("(")?;
            let mut list = vec![self.operand()?];
            while self.is_punct(",", 0) {
                self.at += 1;
                list.push(self.operand()?);
            }
            self.expect_punct(")")?;
            return Ok(Cond::In(left, list));
        }
        match self.next() {
            Some(Token::Punct(op)) if ["=", "<>", "<", "<=", ">", ">="].contains(&op) => {
                Ok(Cond::Cmp(op, left, self.operand()?))
            }
            _ => Err(self.error("comparator")),
        }
    }

    fn operand(&mut self) -> Result<Operand, DdbError> {
        if let Some(Token::Value(v)) = self.peek(0).cloned() {
            self.at += 1;
            return Ok(Operand::Value(v));
        }
        if self.is_ident("size") && self.is_punct("(", 1) {
            self.at += 2;
            let p = self.path()?;
            self.expect_punct(")")?;
            return Ok(Operand::Size(p));
        }
        Ok(Operand::Path(self.path()?))
    }

    fn path(&mut self) -> Result<Path, DdbError> {
        let mut parts = vec![self.path_name()?];
        loop {
            if self.is_punct(".", 0) {
                self.at += 1;
                parts.push(self.path_name()?);
            } else if self.is_punct("[", 0) {
                self.at += 1;
                match self.next() {
                    Some(Token::Number(n)) => parts.push(Part::Index(n)),
                    _ => return Err(self.error("num")),
                }
                self.expect_punct("]")?;
            } else {
                return Ok(parts);
            }
        }
    }

    fn path_name(&mut self) -> Result<Part, DdbError> {
        match self.next() {
            Some(Token::Name(n)) => Ok(Part::Ref(n)),
            Some(Token::Ident(n)) => Ok(Part::Name(n)),
            None => Err(invalid(format!(
                "Invalid expression: unexpected end in \"{}\"",
                self.src
            ))),
            Some(t) => Err(invalid(format!(
                "Invalid expression: unexpected '{t:?}' in \"{}\"",
                self.src
            ))),
        }
    }

    fn update(&mut self) -> Result<Update, DdbError> {
        let mut u = Update::default();
        let mut seen = BTreeSet::new();
        if self.peek(0).is_none() {
            return Err(invalid("Invalid UpdateExpression: empty expression".into()));
        }
        while self.peek(0).is_some() {
            let kw = match self.next() {
                Some(Token::Keyword(k)) if ["SET", "REMOVE", "ADD", "DELETE"].contains(&k) => k,
                _ => {
                    return Err(invalid(format!(
                        "Invalid UpdateExpression: \"{}\"",
                        self.src
                    )));
                }
            };
            if !seen.insert(kw) {
                return Err(invalid(format!(
                    "Invalid UpdateExpression: \"{}\"",
                    self.src
                )));
            }
            loop {
                match kw {
                    "SET" => {
                        let p = self.path()?;
                        self.expect_punct("=")?;
                        u.set.push((p, self.set_value()?));
                    }
                    "REMOVE" => u.remove.push(self.path()?),
                    _ => {
                        let p = self.path()?;
                        let v = self.operand()?;
                        if kw == "ADD" {
                            u.add.push((p, v));
                        } else {
                            u.delete.push((p, v));
                        }
                    }
                }
                if self.is_punct(",", 0) {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        Ok(u)
    }

    fn set_value(&mut self) -> Result<SetValue, DdbError> {
        let l = self.set_operand()?;
        for op in ["+", "-"] {
            if self.is_punct(op, 0) {
                self.at += 1;
                let op = if op == "+" { "+" } else { "-" };
                return Ok(SetValue::Arith(
                    op,
                    Box::new(l),
                    Box::new(self.set_operand()?),
                ));
            }
        }
        Ok(l)
    }

    fn set_operand(&mut self) -> Result<SetValue, DdbError> {
        if self.is_ident("if_not_exists") && self.is_punct("(", 1) {
            self.at += 2;
            let p = self.path()?;
            self.expect_punct(",")?;
            let v = self.set_value()?;
            self.expect_punct(")")?;
            return Ok(SetValue::IfNotExists(p, Box::new(v)));
        }
        if self.is_ident("list_append") && self.is_punct("(", 1) {
            self.at += 2;
            let a = self.set_value()?;
            self.expect_punct(",")?;
            let b = self.set_value()?;
            self.expect_punct(")")?;
            return Ok(SetValue::ListAppend(Box::new(a), Box::new(b)));
        }
        Ok(SetValue::Operand(self.operand()?))
    }
}

/// The placeholders of every expression of one request: AppSync merges them, and those
/// given twice must agree.
#[derive(Debug, Default)]
pub struct Placeholders {
    names: Map<String, Json>,
    values: Map<String, Json>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
    given: Vec<(Vec<String>, Vec<String>)>,
}

impl Placeholders {
    pub fn merge(specs: &[Option<&Json>]) -> Result<Placeholders, DdbError> {
        let mut p = Placeholders::default();
        for spec in specs.iter().flatten() {
            let names = spec.get("expressionNames").and_then(Json::as_object);
            let values = spec.get("expressionValues").and_then(Json::as_object);
            let mut given = (Vec::new(), Vec::new());
            for (k, v) in names.into_iter().flatten() {
                if p.names.get(k).is_some_and(|x| x != v) {
                    return Err(invalid(format!(
                        "Conflicting expression attribute name {k}"
                    )));
                }
                p.names.insert(k.clone(), v.clone());
                given.0.push(k.clone());
            }
            for (k, v) in values.into_iter().flatten() {
                if p.values.get(k).is_some_and(|x| canon(x) != canon(v)) {
                    return Err(invalid(format!(
                        "Conflicting expression attribute value {k}"
                    )));
                }
                p.values.insert(k.clone(), v.clone());
                given.1.push(k.clone());
            }
            p.given.push(given);
        }
        for (k, v) in &p.values {
            attribute::check(v, &format!("expressionValues {k}"))?;
        }
        Ok(p)
    }

    /// After every expression is parsed: a placeholder given but not used is an error.
    pub fn check_unused(&self) -> Result<(), DdbError> {
        for (names, values) in &self.given {
            if let Some(k) = names.iter().find(|k| !self.used_names.contains(*k)) {
                return Err(invalid(format!(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{k}}}"
                )));
            }
            if let Some(k) = values.iter().find(|k| !self.used_values.contains(*k)) {
                return Err(invalid(format!(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{k}}}"
                )));
            }
        }
        Ok(())
    }

    fn use_path(&mut self, p: &Path) -> Result<(), DdbError> {
        for part in p {
            if let Part::Ref(r) = part {
                if !self.names.contains_key(r) {
                    return Err(invalid(format!(
                        "Value provided in ExpressionAttributeNames unused or undefined: An expression attribute name used in the document path is not defined; attribute name: {r}"
                    )));
                }
                self.used_names.insert(r.clone());
            }
        }
        Ok(())
    }

    fn use_operand(&mut self, o: &Operand) -> Result<(), DdbError> {
        match o {
            Operand::Value(v) => {
                if !self.values.contains_key(v) {
                    return Err(invalid(format!(
                        "An expression attribute value used in expression is not defined; attribute value: {v}"
                    )));
                }
                self.used_values.insert(v.clone());
                Ok(())
            }
            Operand::Path(p) | Operand::Size(p) => self.use_path(p),
        }
    }

    fn use_cond(&mut self, c: &Cond) -> Result<(), DdbError> {
        match c {
            Cond::Or(items) | Cond::And(items) => items.iter().try_for_each(|x| self.use_cond(x)),
            Cond::Not(e) => self.use_cond(e),
            Cond::Cmp(_, a, b) => {
                self.use_operand(a)?;
                self.use_operand(b)
            }
            Cond::Between(a, b, c) => [a, b, c].into_iter().try_for_each(|x| self.use_operand(x)),
            Cond::In(a, list) => {
                self.use_operand(a)?;
                list.iter().try_for_each(|x| self.use_operand(x))
            }
            Cond::Func(_, args) => args.iter().try_for_each(|x| self.use_operand(x)),
        }
    }

    fn use_set_value(&mut self, v: &SetValue) -> Result<(), DdbError> {
        match v {
            SetValue::Operand(o) => self.use_operand(o),
            SetValue::Arith(_, a, b) | SetValue::ListAppend(a, b) => {
                self.use_set_value(a)?;
                self.use_set_value(b)
            }
            SetValue::IfNotExists(p, v) => {
                self.use_path(p)?;
                self.use_set_value(v)
            }
        }
    }
}

fn spec_text(spec: &Json, kind: &str) -> Result<String, DdbError> {
    match spec.get("expression") {
        Some(Json::String(s)) => Ok(s.clone()),
        Some(Json::Null) | None => Err(invalid(format!("Missing expression in {kind}"))),
        Some(other) => Ok(other.to_string()),
    }
}

/// A parsed condition with the placeholders it reads.
pub struct Condition {
    cond: Cond,
    names: Map<String, Json>,
    values: Map<String, Json>,
}

/// A parsed update expression.
pub struct UpdateExpr {
    update: Update,
    names: Map<String, Json>,
    values: Map<String, Json>,
}

impl Condition {
    pub fn parse(spec: &Json, kind: &str, p: &mut Placeholders) -> Result<Condition, DdbError> {
        let src = spec_text(spec, kind)?;
        let mut parser = Parser {
            src: &src,
            tokens: tokenize(&src)?,
            at: 0,
        };
        let cond = parser.cond()?;
        parser.end()?;
        p.use_cond(&cond)?;
        Ok(Condition {
            cond,
            names: p.names.clone(),
            values: p.values.clone(),
        })
    }

    /// Whether `item` (absent: an empty one) satisfies the condition.
    pub fn test(&self, item: Option<&Item>) -> bool {
        let empty = Item::new();
        test(
            &self.cond,
            item.unwrap_or(&empty),
            &self.names,
            &self.values,
        )
    }

    /// The attribute names a key condition tests and how: for a Query's key checks.
    pub fn key_terms(&self) -> Result<Vec<(String, KeyTest)>, DdbError> {
        let terms: Vec<&Cond> = match &self.cond {
            Cond::And(items) => items.iter().collect(),
            c => vec![c],
        };
        let unsupported = || invalid("Query key condition not supported".into());
        if terms.len() > 2 {
            return Err(unsupported());
        }
        let name = |p: &Path| path_name(p, &self.names);
        terms
            .into_iter()
            .map(|t| match t {
                Cond::Cmp(op, Operand::Path(p), Operand::Value(_))
                | Cond::Cmp(op, Operand::Value(_), Operand::Path(p)) => Ok((
                    name(p),
                    if *op == "=" {
                        KeyTest::Equals
                    } else if *op == "<>" {
                        KeyTest::NotEquals
                    } else {
                        KeyTest::Range
                    },
                )),
                Cond::Between(Operand::Path(p), _, _) => Ok((name(p), KeyTest::Range)),
                Cond::Func(f, args) if f == "begins_with" => match args.first() {
                    Some(Operand::Path(p)) => Ok((name(p), KeyTest::Range)),
                    _ => Err(unsupported()),
                },
                _ => Err(unsupported()),
            })
            .collect()
    }

    /// The condition with placeholders filled in, for the request log.
    pub fn print(&self) -> String {
        print_cond(&self.cond, &self.names, &self.values)
    }
}

/// How a key condition tests one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyTest {
    Equals,
    NotEquals,
    Range,
}

impl UpdateExpr {
    pub fn parse(spec: &Json, p: &mut Placeholders) -> Result<UpdateExpr, DdbError> {
        let src = spec_text(spec, "update")?;
        let mut parser = Parser {
            src: &src,
            tokens: tokenize(&src)?,
            at: 0,
        };
        let update = parser.update()?;
        parser.end()?;
        for (path, v) in &update.set {
            p.use_path(path)?;
            p.use_set_value(v)?;
        }
        for path in &update.remove {
            p.use_path(path)?;
        }
        for (path, v) in update.add.iter().chain(&update.delete) {
            p.use_path(path)?;
            p.use_operand(v)?;
        }
        Ok(UpdateExpr {
            update,
            names: p.names.clone(),
            values: p.values.clone(),
        })
    }

    /// Applies the update to `item`; `hash` and `range` are the key, which no update may touch.
    pub fn apply(&self, item: &mut Item, hash: &str, range: Option<&str>) -> Result<(), DdbError> {
        let u = &self.update;
        let top = |p: &Path| match p.first() {
            Some(Part::Ref(r)) => self
                .names
                .get(r)
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string(),
            Some(Part::Name(n)) => n.clone(),
            _ => String::new(),
        };
        let touched: Vec<String> = u
            .set
            .iter()
            .map(|(p, _)| top(p))
            .chain(u.remove.iter().map(top))
            .chain(u.add.iter().chain(&u.delete).map(|(p, _)| top(p)))
            .collect();
        for k in &touched {
            if k == hash || Some(k.as_str()) == range {
                return Err(invalid(format!(
                    "One or more parameter values were invalid: Cannot update attribute {k}. This attribute is part of the key"
                )));
            }
        }
        let mut seen = BTreeSet::new();
        for k in &touched {
            if !seen.insert(k) {
                return Err(invalid(format!(
                    "Invalid UpdateExpression: Two document paths overlap with each other; path one: [{k}], path two: [{k}]"
                )));
            }
        }
        let snapshot = item.clone();
        let mut sets = Vec::new();
        for (p, v) in &u.set {
            sets.push((p, self.set_value(&snapshot, v)?));
        }
        for (p, v) in sets {
            set_path(item, &self.parts(p), Some(v))?;
        }
        for p in &u.remove {
            set_path(item, &self.parts(p), None)?;
        }
        let bad_type =
            || invalid("An operand in the update expression has an incorrect data type".into());
        for (p, v) in &u.add {
            let v = operand_value(&snapshot, v, &self.names, &self.values).ok_or_else(bad_type)?;
            let cur = resolve(item, &self.parts(p)).cloned();
            let new = match type_of(&v) {
                Some("N") => {
                    let n =
                        |a: &Attribute| a["N"].as_str().and_then(attribute::number).unwrap_or(0.0);
                    let sum = cur.as_ref().map_or(0.0, n) + n(&v);
                    serde_json::json!({ "N": attribute::number_text(sum) })
                }
                Some(t @ ("SS" | "NS" | "BS")) => {
                    let mut members: Vec<Json> = cur
                        .as_ref()
                        .and_then(|c| c[t].as_array().cloned())
                        .unwrap_or_default();
                    for x in v[t].as_array().into_iter().flatten() {
                        if !members.contains(x) {
                            members.push(x.clone());
                        }
                    }
                    serde_json::json!({ t: members })
                }
                _ => return Err(bad_type()),
            };
            set_path(item, &self.parts(p), Some(new))?;
        }
        for (p, v) in &u.delete {
            let v = operand_value(&snapshot, v, &self.names, &self.values).ok_or_else(bad_type)?;
            let parts = self.parts(p);
            let Some(cur) = resolve(item, &parts).cloned() else {
                continue;
            };
            let t = type_of(&v).unwrap_or("SS").to_string();
            let drop: Vec<Json> = v[&t].as_array().cloned().unwrap_or_default();
            let rest: Vec<Json> = cur[&t]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|x| !drop.contains(x))
                .cloned()
                .collect();
            if rest.is_empty() {
                set_path(item, &parts, None)?;
            } else {
                set_path(item, &parts, Some(serde_json::json!({ t: rest })))?;
            }
        }
        Ok(())
    }

    fn parts(&self, p: &Path) -> Vec<Step> {
        steps(p, &self.names)
    }

    fn set_value(&self, item: &Item, v: &SetValue) -> Result<Attribute, DdbError> {
        let bad_type =
            || invalid("An operand in the update expression has an incorrect data type".into());
        match v {
            SetValue::Arith(op, a, b) => {
                let (a, b) = (self.set_value(item, a)?, self.set_value(item, b)?);
                if type_of(&a) != Some("N") || type_of(&b) != Some("N") {
                    return Err(bad_type());
                }
                let n = |x: &Attribute| x["N"].as_str().and_then(attribute::number).unwrap_or(0.0);
                let r = if *op == "+" { n(&a) + n(&b) } else { n(&a) - n(&b) };
                Ok(serde_json::json!({ "N": attribute::number_text(r) }))
            }
            SetValue::IfNotExists(p, v) => match resolve(item, &self.parts(p)) {
                Some(x) => Ok(x.clone()),
                None => self.set_value(item, v),
            },
            SetValue::ListAppend(a, b) => {
                let (a, b) = (self.set_value(item, a)?, self.set_value(item, b)?);
                match (a.get("L").and_then(Json::as_array), b.get("L").and_then(Json::as_array)) {
                    (Some(x), Some(y)) if type_of(&a) == Some("L") && type_of(&b) == Some("L") => {
                        let mut all = x.clone();
                        all.extend(y.iter().cloned());
                        Ok(serde_json::json!({ "L": all }))
                    }
                    _ => Err(bad_type()),
                }
            }
            SetValue::Operand(o) => operand_value(item, o, &self.names, &self.values).ok_or_else(|| {
                invalid("The provided expression refers to an attribute that does not exist in the item".into())
            }),
        }
    }

    /// The update with placeholders filled in, for the request log.
    pub fn print(&self) -> String {
        let (names, values) = (&self.names, &self.values);
        let u = &self.update;
        let mut out = Vec::new();
        let mut clause = |kw: &str, mut parts: Vec<String>| {
            if !parts.is_empty() {
                parts.sort();
                out.push(format!("{kw} {}", parts.join(", ")));
            }
        };
        clause(
            "SET",
            u.set
                .iter()
                .map(|(p, v)| {
                    format!(
                        "{} = {}",
                        print_path(p, names),
                        print_set_value(v, names, values)
                    )
                })
                .collect(),
        );
        clause(
            "REMOVE",
            u.remove.iter().map(|p| print_path(p, names)).collect(),
        );
        for (kw, list) in [("ADD", &u.add), ("DELETE", &u.delete)] {
            clause(
                kw,
                list.iter()
                    .map(|(p, v)| {
                        format!(
                            "{} {}",
                            print_path(p, names),
                            print_operand(v, names, values)
                        )
                    })
                    .collect(),
            );
        }
        out.join(" ")
    }
}

/// A path step with its placeholder resolved.
enum Step {
    Name(String),
    Index(usize),
}

fn steps(p: &Path, names: &Map<String, Json>) -> Vec<Step> {
    p.iter()
        .map(|part| match part {
            Part::Ref(r) => Step::Name(
                names
                    .get(r)
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string(),
            ),
            Part::Name(n) => Step::Name(n.clone()),
            Part::Index(i) => Step::Index(*i),
        })
        .collect()
}

fn path_name(p: &Path, names: &Map<String, Json>) -> String {
    steps(p, names)
        .into_iter()
        .filter_map(|s| match s {
            Step::Name(n) => Some(n),
            Step::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn resolve<'a>(item: &'a Item, steps: &[Step]) -> Option<&'a Attribute> {
    let mut cur: Option<&Attribute> = None;
    for (i, s) in steps.iter().enumerate() {
        cur = match (i, s, cur) {
            (0, Step::Name(n), _) => item.get(n),
            (0, Step::Index(_), _) => None,
            (_, Step::Name(n), Some(c)) if type_of(c) == Some("M") => c["M"].get(n),
            (_, Step::Index(k), Some(c)) if type_of(c) == Some("L") => c["L"].get(*k),
            _ => None,
        };
        cur?;
    }
    cur
}

fn set_path(item: &mut Item, steps: &[Step], value: Option<Attribute>) -> Result<(), DdbError> {
    let bad = || {
        invalid("The document path provided in the update expression is invalid for update".into())
    };
    let Some((last, init)) = steps.split_last() else {
        return Err(bad());
    };
    if init.is_empty() {
        let Step::Name(n) = last else {
            return Err(bad());
        };
        match value {
            Some(v) => {
                item.insert(n.clone(), v);
            }
            None => {
                item.remove(n);
            }
        }
        return Ok(());
    }
    let mut cur: &mut Attribute = match &init[0] {
        Step::Name(n) => item.get_mut(n).ok_or_else(bad)?,
        Step::Index(_) => return Err(bad()),
    };
    for s in &init[1..] {
        cur = match s {
            Step::Name(n) => cur
                .get_mut("M")
                .and_then(|m| m.get_mut(n))
                .ok_or_else(bad)?,
            Step::Index(k) => cur
                .get_mut("L")
                .and_then(|l| l.get_mut(*k))
                .ok_or_else(bad)?,
        };
    }
    match last {
        Step::Index(k) => {
            let l = cur
                .get_mut("L")
                .and_then(Json::as_array_mut)
                .ok_or_else(bad)?;
            match value {
                None if *k < l.len() => {
                    l.remove(*k);
                }
                None => {}
                Some(v) if *k >= l.len() => l.push(v),
                Some(v) => l[*k] = v,
            }
        }
        Step::Name(n) => {
            let m = cur
                .get_mut("M")
                .and_then(Json::as_object_mut)
                .ok_or_else(bad)?;
            match value {
                Some(v) => {
                    m.insert(n.clone(), v);
                }
                None => {
                    m.remove(n);
                }
            }
        }
    }
    Ok(())
}

fn operand_value(
    item: &Item,
    o: &Operand,
    names: &Map<String, Json>,
    values: &Map<String, Json>,
) -> Option<Attribute> {
    match o {
        Operand::Value(v) => values.get(v).cloned(),
        Operand::Path(p) => resolve(item, &steps(p, names)).cloned(),
        Operand::Size(p) => {
            let v = resolve(item, &steps(p, names))?;
            let t = type_of(v)?;
            let n = match t {
                "S" | "B" => v[t].as_str()?.len(),
                "L" | "SS" | "NS" | "BS" => v[t].as_array()?.len(),
                "M" => v[t].as_object()?.len(),
                _ => return None,
            };
            Some(serde_json::json!({ "N": n.to_string() }))
        }
    }
}

fn test(c: &Cond, item: &Item, names: &Map<String, Json>, values: &Map<String, Json>) -> bool {
    let val = |o: &Operand| operand_value(item, o, names, values);
    match c {
        Cond::And(items) => items.iter().all(|x| test(x, item, names, values)),
        Cond::Or(items) => items.iter().any(|x| test(x, item, names, values)),
        Cond::Not(e) => !test(e, item, names, values),
        Cond::Cmp(op, l, r) => {
            let (a, b) = (val(l), val(r));
            match *op {
                "=" => matches!((&a, &b), (Some(a), Some(b)) if equals(a, b)),
                "<>" => !matches!((&a, &b), (Some(a), Some(b)) if equals(a, b)),
                _ => {
                    let (Some(a), Some(b)) = (a, b) else {
                        return false;
                    };
                    let Some(ord) = compare(&a, &b) else {
                        return false;
                    };
                    match *op {
                        "<" => ord.is_lt(),
                        "<=" => ord.is_le(),
                        ">" => ord.is_gt(),
                        _ => ord.is_ge(),
                    }
                }
            }
        }
        Cond::Between(v, lo, hi) => {
            let (Some(v), Some(lo), Some(hi)) = (val(v), val(lo), val(hi)) else {
                return false;
            };
            matches!((compare(&v, &lo), compare(&v, &hi)), (Some(a), Some(b)) if a.is_ge() && b.is_le())
        }
        Cond::In(v, list) => {
            val(v).is_some_and(|v| list.iter().any(|x| val(x).is_some_and(|y| equals(&v, &y))))
        }
        Cond::Func(name, args) => {
            let p = &args[0];
            match name.as_str() {
                "attribute_exists" => return val(p).is_some(),
                "attribute_not_exists" => return val(p).is_none(),
                _ => {}
            }
            let (Some(v), Some(a)) = (val(p), args.get(1).and_then(val)) else {
                return false;
            };
            let (tv, ta) = (type_of(&v).unwrap_or(""), type_of(&a).unwrap_or(""));
            match name.as_str() {
                "attribute_type" => ta == "S" && a["S"].as_str() == Some(tv),
                "begins_with" => {
                    (tv == "S" || tv == "B")
                        && ta == tv
                        && v[tv]
                            .as_str()
                            .zip(a[ta].as_str())
                            .is_some_and(|(x, y)| x.starts_with(y))
                }
                "contains" => match tv {
                    "S" => {
                        ta == "S"
                            && v["S"]
                                .as_str()
                                .zip(a["S"].as_str())
                                .is_some_and(|(x, y)| x.contains(y))
                    }
                    "SS" | "NS" | "BS" => {
                        let needle = a[ta]
                            .as_str()
                            .map_or_else(|| a[ta].to_string(), str::to_string);
                        v[tv].as_array().into_iter().flatten().any(|x| {
                            x.as_str().map_or_else(|| x.to_string(), str::to_string) == needle
                        })
                    }
                    "L" => v["L"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|x| equals(x, &a)),
                    _ => false,
                },
                _ => false,
            }
        }
    }
}

fn print_path(p: &Path, names: &Map<String, Json>) -> String {
    let mut out = String::new();
    for (i, s) in steps(p, names).into_iter().enumerate() {
        match s {
            Step::Name(n) => {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(&n);
            }
            Step::Index(k) => out.push_str(&format!("[{k}]")),
        }
    }
    out
}

fn print_operand(o: &Operand, names: &Map<String, Json>, values: &Map<String, Json>) -> String {
    match o {
        Operand::Value(v) => values
            .get(v)
            .map_or_else(|| v.clone(), attribute::print_value),
        Operand::Path(p) => print_path(p, names),
        Operand::Size(p) => format!("size({})", print_path(p, names)),
    }
}

fn print_set_value(v: &SetValue, names: &Map<String, Json>, values: &Map<String, Json>) -> String {
    match v {
        SetValue::Operand(o) => print_operand(o, names, values),
        SetValue::Arith(op, a, b) => format!(
            "{} {op} {}",
            print_set_value(a, names, values),
            print_set_value(b, names, values)
        ),
        SetValue::IfNotExists(p, v) => format!(
            "if_not_exists({}, {})",
            print_path(p, names),
            print_set_value(v, names, values)
        ),
        SetValue::ListAppend(a, b) => format!(
            "list_append({}, {})",
            print_set_value(a, names, values),
            print_set_value(b, names, values)
        ),
    }
}

/// Canonical text: placeholders filled in, `AND`/`OR` flattened and sorted, attributes
/// before values, so that two equivalent requests print alike.
fn print_cond(c: &Cond, names: &Map<String, Json>, values: &Map<String, Json>) -> String {
    let op_text = |o: &Operand| print_operand(o, names, values);
    match c {
        Cond::And(_) | Cond::Or(_) => {
            let and = matches!(c, Cond::And(_));
            let mut flat = Vec::new();
            fn visit(
                x: &Cond,
                and: bool,
                flat: &mut Vec<String>,
                names: &Map<String, Json>,
                values: &Map<String, Json>,
            ) {
                match x {
                    Cond::And(items) if and => items
                        .iter()
                        .for_each(|y| visit(y, and, flat, names, values)),
                    Cond::Or(items) if !and => items
                        .iter()
                        .for_each(|y| visit(y, and, flat, names, values)),
                    other => flat.push(print_cond(other, names, values)),
                }
            }
            visit(c, and, &mut flat, names, values);
            flat.sort();
            format!("({})", flat.join(if and { " AND " } else { " OR " }))
        }
        Cond::Not(e) => format!("NOT {}", print_cond(e, names, values)),
        Cond::Cmp(op, l, r) => {
            let (mut a, mut b, mut op) = (op_text(l), op_text(r), *op);
            let rank = |o: &Operand| matches!(o, Operand::Value(_)) as u8;
            if rank(l) > rank(r) || (rank(l) == rank(r) && (op == "=" || op == "<>") && b < a) {
                std::mem::swap(&mut a, &mut b);
                op = match op {
                    "<" => ">",
                    ">" => "<",
                    "<=" => ">=",
                    ">=" => "<=",
                    o => o,
                };
            }
            format!("{a} {op} {b}")
        }
        Cond::Between(v, lo, hi) => {
            format!("{} BETWEEN {} AND {}", op_text(v), op_text(lo), op_text(hi))
        }
        Cond::In(v, list) => {
            let mut items: Vec<String> = list.iter().map(op_text).collect();
            items.sort();
            format!("{} IN ({})", op_text(v), items.join(", "))
        }
        Cond::Func(name, args) => format!(
            "{name}({})",
            args.iter().map(op_text).collect::<Vec<_>>().join(", ")
        ),
    }
}
