//! Reads a template into `ast` nodes: text, references, and the directives AppSync's VTL
//! has (`#set`, `#if`/`#elseif`/`#else`, `#foreach`, `#break`, `#return`, `#stop`), with
//! `##` and `#* *#` comments. A `#` that starts no directive (`#sort` in an expression
//! name) is text, as in Velocity.

use super::Error;
use super::ast::{BinaryOp, Expr, Node, Reference, Segment};
use super::value::Value;

pub fn parse(src: &str) -> Result<Vec<Node>, Error> {
    let mut p = Parser { src, pos: 0 };
    let (nodes, end) = p.block()?;
    match end {
        BlockEnd::Eof => Ok(nodes),
        BlockEnd::End(at) => Err(Error::at("#end without a directive to close", at)),
        BlockEnd::Else(at) | BlockEnd::ElseIf(_, at) => {
            Err(Error::at("#else outside of an #if", at))
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

enum BlockEnd {
    Eof,
    End(usize),
    Else(usize),
    ElseIf(Expr, usize),
}

const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "break", "return", "stop",
];

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + n).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), Error> {
        self.skip_space();
        if self.eat(s) {
            Ok(())
        } else {
            Err(Error::at(format!("expected `{s}`"), self.pos))
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.pos;
        if !self.peek().is_some_and(ident_start) {
            return None;
        }
        while self.peek().is_some_and(ident_char) {
            self.pos += 1;
        }
        Some(self.src[start..self.pos].to_string())
    }

    /// Text, references and directives up to the `#end`, `#else`, `#elseif` or end of input
    /// that closes the block.
    fn block(&mut self) -> Result<(Vec<Node>, BlockEnd), Error> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        let flush = |text: &mut String, nodes: &mut Vec<Node>| {
            if !text.is_empty() {
                nodes.push(Node::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = self.peek() {
            if c == b'#' {
                if self.eat("##") {
                    // A line comment takes its newline with it.
                    match self.rest().find('\n') {
                        Some(i) => self.pos += i + 1,
                        None => self.pos = self.src.len(),
                    }
                    continue;
                }
                if self.eat("#*") {
                    match self.rest().find("*#") {
                        Some(i) => self.pos += i + 2,
                        None => return Err(Error::at("unclosed #* comment", self.pos - 2)),
                    }
                    continue;
                }
                if let Some((name, len)) = self.directive_name() {
                    flush(&mut text, &mut nodes);
                    let at = self.pos;
                    self.pos += len;
                    match name {
                        "end" => return Ok((nodes, BlockEnd::End(at))),
                        "else" => return Ok((nodes, BlockEnd::Else(at))),
                        "elseif" => {
                            let cond = self.paren_expr()?;
                            return Ok((nodes, BlockEnd::ElseIf(cond, at)));
                        }
                        "set" => nodes.push(self.set()?),
                        "if" => nodes.push(self.if_directive(at)?),
                        "foreach" => nodes.push(self.foreach(at)?),
                        "break" => nodes.push(Node::Break),
                        "stop" => nodes.push(Node::Stop),
                        "return" => {
                            let save = self.pos;
                            self.skip_space_inline();
                            if self.peek() == Some(b'(') {
                                let e = self.paren_expr()?;
                                nodes.push(Node::Return(Some(e)));
                            } else {
                                self.pos = save;
                                nodes.push(Node::Return(None));
                            }
                        }
                        _ => unreachable!("every directive name is handled"),
                    }
                    continue;
                }
                text.push('#');
                self.pos += 1;
                continue;
            }
            if c == b'$' {
                let start = self.pos;
                if let Some((reference, quiet)) = self.reference_in_text()? {
                    flush(&mut text, &mut nodes);
                    nodes.push(Node::Ref {
                        reference,
                        quiet,
                        source: self.src[start..self.pos].to_string(),
                    });
                    continue;
                }
                self.pos = start + 1;
                text.push('$');
                continue;
            }
            let next = self.rest()[1..]
                .find(['#', '$'])
                .map_or(self.src.len(), |i| self.pos + 1 + i);
            text.push_str(&self.src[self.pos..next]);
            self.pos = next;
        }
        flush(&mut text, &mut nodes);
        Ok((nodes, BlockEnd::Eof))
    }

    fn skip_space_inline(&mut self) {
        while self.peek().is_some_and(|c| c == b' ' || c == b'\t') {
            self.pos += 1;
        }
    }

    /// The directive at `#` (or `#{`), with the length of `#name` / `#{name}`.
    fn directive_name(&self) -> Option<(&'static str, usize)> {
        let rest = &self.rest()[1..];
        let (body, braced) = match rest.strip_prefix('{') {
            Some(b) => (b, true),
            None => (rest, false),
        };
        let len = body.bytes().take_while(|c| ident_char(*c)).count();
        let name = DIRECTIVES.iter().find(|d| **d == &body[..len])?;
        if braced {
            body[len..].starts_with('}').then_some((name, len + 3))
        } else {
            Some((name, len + 1))
        }
    }

    fn set(&mut self) -> Result<Node, Error> {
        self.expect("(")?;
        self.skip_space();
        if !self.eat("$") {
            return Err(Error::at(
                "#set needs a reference: #set($name = …)",
                self.pos,
            ));
        }
        let target = self.reference_body()?;
        self.expect("=")?;
        let value = self.expr()?;
        self.expect(")")?;
        Ok(Node::Set { target, value })
    }

    fn if_directive(&mut self, at: usize) -> Result<Node, Error> {
        let mut cond = self.paren_expr()?;
        let mut branches = Vec::new();
        loop {
            let (body, end) = self.block()?;
            branches.push((cond, body));
            match end {
                BlockEnd::End(_) => {
                    return Ok(Node::If {
                        branches,
                        otherwise: None,
                    });
                }
                BlockEnd::ElseIf(c, _) => cond = c,
                BlockEnd::Else(_) => {
                    let (otherwise, end) = self.block()?;
                    return match end {
                        BlockEnd::End(_) => Ok(Node::If {
                            branches,
                            otherwise: Some(otherwise),
                        }),
                        BlockEnd::Eof => Err(Error::at("#if without #end", at)),
                        BlockEnd::Else(at) | BlockEnd::ElseIf(_, at) => {
                            Err(Error::at("#else after #else", at))
                        }
                    };
                }
                BlockEnd::Eof => return Err(Error::at("#if without #end", at)),
            }
        }
    }

    fn foreach(&mut self, at: usize) -> Result<Node, Error> {
        self.expect("(")?;
        self.skip_space();
        if !self.eat("$") {
            return Err(Error::at(
                "#foreach needs a variable: #foreach($x in …)",
                self.pos,
            ));
        }
        let var = self
            .ident()
            .ok_or_else(|| Error::at("expected a variable name", self.pos))?;
        self.skip_space();
        if !self.eat("in") {
            return Err(Error::at("expected `in`", self.pos));
        }
        let items = self.expr()?;
        self.expect(")")?;
        let (body, end) = self.block()?;
        match end {
            BlockEnd::End(_) => Ok(Node::Foreach { var, items, body }),
            BlockEnd::Eof => Err(Error::at("#foreach without #end", at)),
            BlockEnd::Else(e) | BlockEnd::ElseIf(_, e) => {
                Err(Error::at("#else inside #foreach without #if", e))
            }
        }
    }

    fn paren_expr(&mut self) -> Result<Expr, Error> {
        self.expect("(")?;
        let e = self.expr()?;
        self.expect(")")?;
        Ok(e)
    }

    /// A reference in text: `$name…`, `$!name…`, `${name…}`, `$!{name…}`. `None` when the
    /// `$` starts none (a price, a lone `$`).
    fn reference_in_text(&mut self) -> Result<Option<(Reference, bool)>, Error> {
        self.pos += 1;
        let quiet = self.eat("!");
        let braced = self.peek() == Some(b'{');
        let ident_at = if braced { 1 } else { 0 };
        if !self.peek_at(ident_at).is_some_and(ident_start) {
            return Ok(None);
        }
        if braced {
            self.pos += 1;
        }
        let r = self.reference_body()?;
        if braced && !self.eat("}") {
            return Err(Error::at("expected `}` to close the reference", self.pos));
        }
        Ok(Some((r, quiet)))
    }

    /// After `$`: the name and its properties, calls and indexes. A `.` that no name follows
    /// ends the reference (`$a.` is `$a` and a full stop).
    fn reference_body(&mut self) -> Result<Reference, Error> {
        let at = self.pos.saturating_sub(1);
        let root = self
            .ident()
            .ok_or_else(|| Error::at("expected a name after `$`", self.pos))?;
        let mut path = Vec::new();
        loop {
            if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(ident_start) {
                self.pos += 1;
                let name = self.ident().unwrap_or_default();
                if self.peek() == Some(b'(') {
                    self.pos += 1;
                    let args = self.args(")")?;
                    path.push(Segment::Call(name, args));
                } else {
                    path.push(Segment::Property(name));
                }
            } else if self.peek() == Some(b'[') {
                self.pos += 1;
                let e = self.expr()?;
                self.expect("]")?;
                path.push(Segment::Index(e));
            } else {
                break;
            }
        }
        Ok(Reference { root, path, at })
    }

    /// Comma-separated expressions up to `close`.
    fn args(&mut self, close: &str) -> Result<Vec<Expr>, Error> {
        let mut out = Vec::new();
        self.skip_space();
        if self.eat(close) {
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            self.skip_space();
            if self.eat(close) {
                return Ok(out);
            }
            if !self.eat(",") {
                return Err(Error::at(format!("expected `,` or `{close}`"), self.pos));
            }
        }
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        self.binary(0)
    }

    /// Operators by precedence, loosest first.
    fn binary(&mut self, level: usize) -> Result<Expr, Error> {
        const LEVELS: &[&[(&str, BinaryOp)]] = &[
            &[("||", BinaryOp::Or), ("or", BinaryOp::Or)],
            &[("&&", BinaryOp::And), ("and", BinaryOp::And)],
            &[
                ("==", BinaryOp::Eq),
                ("!=", BinaryOp::Ne),
                ("eq", BinaryOp::Eq),
                ("ne", BinaryOp::Ne),
            ],
            &[
                ("<=", BinaryOp::Le),
                (">=", BinaryOp::Ge),
                ("<", BinaryOp::Lt),
                (">", BinaryOp::Gt),
                ("le", BinaryOp::Le),
                ("ge", BinaryOp::Ge),
                ("lt", BinaryOp::Lt),
                ("gt", BinaryOp::Gt),
            ],
            &[("+", BinaryOp::Add), ("-", BinaryOp::Sub)],
            &[
                ("*", BinaryOp::Mul),
                ("/", BinaryOp::Div),
                ("%", BinaryOp::Rem),
            ],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        'outer: loop {
            self.skip_space();
            for (token, op) in LEVELS[level] {
                let word = token.as_bytes()[0].is_ascii_alphabetic();
                let follows = self.src.as_bytes().get(self.pos + token.len()).copied();
                if self.rest().starts_with(token) && !(word && follows.is_some_and(ident_char)) {
                    self.pos += token.len();
                    let right = self.binary(level + 1)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        self.skip_space();
        if self.peek() == Some(b'!') && self.peek_at(1) != Some(b'=') {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.rest().starts_with("not") && !self.peek_at(3).is_some_and(ident_char) {
            self.pos += 3;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(b'-') && !self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, Error> {
        self.skip_space();
        let at = self.pos;
        match self.peek() {
            Some(b'$') => {
                self.pos += 1;
                let _quiet = self.eat("!");
                let braced = self.eat("{");
                let r = self.reference_body()?;
                if braced && !self.eat("}") {
                    return Err(Error::at("expected `}` to close the reference", self.pos));
                }
                Ok(Expr::Ref(r))
            }
            Some(b'"') => {
                self.pos += 1;
                let end = self.string_end(b'"')?;
                let inner = &self.src[self.pos..end];
                self.pos = end + 1;
                let nodes = parse(inner).map_err(|e| e.shifted(at + 1))?;
                Ok(match nodes.as_slice() {
                    [] => Expr::Literal(Value::str("")),
                    [Node::Text(t)] => Expr::Literal(Value::str(t.as_str())),
                    _ => Expr::Interpolated(nodes),
                })
            }
            Some(b'\'') => {
                self.pos += 1;
                let end = self.string_end(b'\'')?;
                let s = self.src[self.pos..end].to_string();
                self.pos = end + 1;
                Ok(Expr::Literal(Value::str(s)))
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_space();
                if self.eat("]") {
                    return Ok(Expr::List(Vec::new()));
                }
                let first = self.expr()?;
                self.skip_space();
                if self.eat("..") {
                    let last = self.expr()?;
                    self.expect("]")?;
                    return Ok(Expr::Range(Box::new(first), Box::new(last)));
                }
                let mut items = vec![first];
                loop {
                    self.skip_space();
                    if self.eat("]") {
                        return Ok(Expr::List(items));
                    }
                    if !self.eat(",") {
                        return Err(Error::at("expected `,` or `]`", self.pos));
                    }
                    items.push(self.expr()?);
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries = Vec::new();
                self.skip_space();
                if self.eat("}") {
                    return Ok(Expr::Map(entries));
                }
                loop {
                    let k = self.expr()?;
                    self.expect(":")?;
                    let v = self.expr()?;
                    entries.push((k, v));
                    self.skip_space();
                    if self.eat("}") {
                        return Ok(Expr::Map(entries));
                    }
                    if !self.eat(",") {
                        return Err(Error::at("expected `,` or `}`", self.pos));
                    }
                }
            }
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'-' => {
                let start = self.pos;
                self.pos += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                let float = self.peek() == Some(b'.')
                    && self.peek_at(1).is_some_and(|c| c.is_ascii_digit());
                if float {
                    self.pos += 1;
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                }
                let text = &self.src[start..self.pos];
                let value = if float {
                    text.parse().map(Value::Float).ok()
                } else {
                    text.parse().map(Value::Int).ok()
                };
                value
                    .map(Expr::Literal)
                    .ok_or_else(|| Error::at(format!("`{text}` is not a number"), start))
            }
            _ => {
                let save = self.pos;
                match self.ident().as_deref() {
                    Some("true") => Ok(Expr::Literal(Value::Bool(true))),
                    Some("false") => Ok(Expr::Literal(Value::Bool(false))),
                    Some("null") => Ok(Expr::Literal(Value::Null)),
                    _ => {
                        self.pos = save;
                        Err(Error::at("expected a value", at))
                    }
                }
            }
        }
    }

    /// The offset of the quote that closes a string opened just before `pos`; a backslash
    /// keeps the next character in the string.
    fn string_end(&self, quote: u8) -> Result<usize, Error> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                c if c == quote => return Ok(i),
                _ => i += 1,
            }
        }
        Err(Error::at("unclosed string", self.pos - 1))
    }
}
