//! A small typed AST for AppSync's Velocity templates, and the one printer that turns it into
//! text formatted exactly like the reference's mapping templates.
//!
//! The plan builds `Stmt`/`Expr` trees; nothing else writes VTL text. The layout rules, which
//! the reference's files follow byte for byte:
//!
//! * statements are joined with `\n`; the body of `#if`/`#else`/`#foreach` is indented two
//!   spaces more than the directive;
//! * a bare reference used as a statement (`$util.unauthorized()`) is printed at column 0,
//!   whatever the nesting; method calls, `$util.qr(..)`, `#set`, comments and raw lines get the
//!   current indentation;
//! * an empty body, or an absent step (`Stmt::Blank`), prints as an empty line;
//! * object literals print one attribute per line, indented relative to the indentation they
//!   are printed at — which is "none" inside `#set( .. )`, `$util.qr( .. )`, call arguments and
//!   conditions, so an object assigned in a nested block has its attributes at column 2 and
//!   its closing brace at column 0; lists print inline; an attribute value that is a raw
//!   snippet, a list or an operator expression is printed with the attribute's indentation in
//!   front of it (so `"key":   $raw` has three spaces), as the reference does;
//! * JSON values (`Expr::Json`) are printed compactly, as `JSON.stringify` does.
//!
//! Text is escaped in one place: `Expr::Str` (a double-quoted VTL string) goes through
//! `string_literal`, JSON through `serde_json`. Raw snippets are trusted VTL written by the
//! plan from names that are GraphQL identifiers.

const TAB: &str = "  ";

/// A VTL expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `$name`, where `name` may be a path or a call chain (`ctx.args.input.keySet()`).
    Ref(String),
    /// `"text"`; `$` and `#` inside keep their VTL meaning (interpolation).
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    /// VTL text printed as it is.
    Raw(String),
    /// A JSON value, printed compactly.
    Json(Json),
    /// `{ "key": value, ... }`, printed one attribute per line.
    Object(Vec<(String, Expr)>),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `a && b && ...`
    And(Vec<Expr>),
    /// `a || b || ...`
    Or(Vec<Expr>),
    /// `!a`
    Not(Box<Expr>),
    /// `(a)`
    Parens(Box<Expr>),
    /// `a == b`
    Eq(Box<Expr>, Box<Expr>),
    /// `a != b`
    Ne(Box<Expr>, Box<Expr>),
    /// `a > b`
    Gt(Box<Expr>, Box<Expr>),
    /// `$target(arg, arg)`: a method call on a reference.
    Call(String, Vec<Expr>),
    /// `#if( cond )` … `#else` … `#end` used as a value (an attribute of a request object):
    /// the directives on lines of their own at the value's indentation, each branch on the
    /// next line.
    IfElse(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// A VTL statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `#set( $name = value )`
    Set(String, Expr),
    /// `#if( cond )` … [`#else` …] `#end`
    If {
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Option<Vec<Stmt>>,
    },
    /// `#foreach( $var in collection )` … `#end`
    ForEach {
        var: String,
        collection: Expr,
        body: Vec<Stmt>,
    },
    /// `$util.qr(expr)`: evaluate and discard.
    Qr(Expr),
    /// `## text **`
    Comment(String),
    /// `## [Start] title. **` … `## [End] title. **`
    Block(String, Vec<Stmt>),
    /// A line of VTL printed as it is (after the indentation).
    Raw(String),
    /// `#return` or `#return(expr)`
    Return(Option<Expr>),
    /// `$util.toJson(expr)`
    ToJson(Expr),
    /// An expression used as a statement (a bare reference prints at column 0).
    Expr(Expr),
    /// `#if( cond ) stmt #end` on one line, never indented.
    InlineIf(Expr, Box<Stmt>),
    /// Statements printed one after the other at the same indentation; when empty, an empty
    /// line.
    Group(Vec<Stmt>),
    /// A line break of its own: two empty lines between its neighbours.
    NewLine,
    /// An empty line (where the reference prints an absent step).
    Blank,
}

// Constructors, to keep the plan's code short.

pub fn r(name: impl Into<String>) -> Expr {
    Expr::Ref(name.into())
}

pub fn s(text: impl Into<String>) -> Expr {
    Expr::Str(text.into())
}

pub fn raw(text: impl Into<String>) -> Expr {
    Expr::Raw(text.into())
}

pub fn call(target: impl Into<String>, args: Vec<Expr>) -> Expr {
    Expr::Call(target.into(), args)
}

pub fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

pub fn parens(e: Expr) -> Expr {
    Expr::Parens(Box::new(e))
}

pub fn eq(a: Expr, b: Expr) -> Expr {
    Expr::Eq(Box::new(a), Box::new(b))
}

pub fn ne(a: Expr, b: Expr) -> Expr {
    Expr::Ne(Box::new(a), Box::new(b))
}

pub fn and(items: Vec<Expr>) -> Expr {
    Expr::And(items)
}

pub fn or(items: Vec<Expr>) -> Expr {
    Expr::Or(items)
}

pub fn list(items: Vec<Expr>) -> Expr {
    Expr::List(items)
}

pub fn obj(attrs: Vec<(&str, Expr)>) -> Expr {
    Expr::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

pub fn if_else_value(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
    Expr::IfElse(Box::new(cond), Box::new(then), Box::new(otherwise))
}

pub fn json(value: Json) -> Expr {
    Expr::Json(value)
}

/// A JSON value with its object keys in the order given (as `JSON.stringify` keeps them).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A list of strings.
    pub fn strings<S: AsRef<str>>(items: &[S]) -> Json {
        Json::Array(
            items
                .iter()
                .map(|s| Json::Str(s.as_ref().to_string()))
                .collect(),
        )
    }

    pub fn object(attrs: Vec<(&str, Json)>) -> Json {
        Json::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// Compact JSON text.
    pub fn to_text(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Str(s) => json_string(s),
            Json::Array(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Json::to_text)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Json::Object(attrs) => format!(
                "{{{}}}",
                attrs
                    .iter()
                    .map(|(k, v)| format!("{}:{}", json_string(k), v.to_text()))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        }
    }
}

/// A JSON string literal: the one place JSON text is escaped.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

pub fn set(name: impl Into<String>, value: Expr) -> Stmt {
    Stmt::Set(name.into(), value)
}

pub fn qr(e: Expr) -> Stmt {
    Stmt::Qr(e)
}

pub fn iff(cond: Expr, then: Vec<Stmt>) -> Stmt {
    Stmt::If {
        cond,
        then,
        otherwise: None,
    }
}

pub fn if_else(cond: Expr, then: Vec<Stmt>, otherwise: Vec<Stmt>) -> Stmt {
    Stmt::If {
        cond,
        then,
        otherwise: Some(otherwise),
    }
}

pub fn for_each(var: impl Into<String>, collection: Expr, body: Vec<Stmt>) -> Stmt {
    Stmt::ForEach {
        var: var.into(),
        collection,
        body,
    }
}

pub fn comment(text: impl Into<String>) -> Stmt {
    Stmt::Comment(text.into())
}

pub fn block(title: impl Into<String>, body: Vec<Stmt>) -> Stmt {
    Stmt::Block(title.into(), body)
}

pub fn raw_line(text: impl Into<String>) -> Stmt {
    Stmt::Raw(text.into())
}

pub fn to_json(e: Expr) -> Stmt {
    Stmt::ToJson(e)
}

/// A bare expression used as a statement.
pub fn stmt(e: Expr) -> Stmt {
    Stmt::Expr(e)
}

/// Prints a template: its statements joined by newlines, no trailing newline.
pub fn print(stmts: &[Stmt]) -> String {
    let mut out = String::with_capacity(1024);
    write_body(&mut out, stmts, "");
    out
}

/// Prints one statement at the top level.
pub fn print_stmt(stmt: &Stmt) -> String {
    let mut out = String::new();
    write_stmt(&mut out, stmt, "");
    out
}

/// A double-quoted VTL string literal. Names the plan puts in strings are identifiers; a
/// double quote, which would end the literal, is escaped the way Velocity reads it (doubled).
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    write_string_literal(&mut out, text);
    out
}

fn write_string_literal(out: &mut String, text: &str) {
    out.push('"');
    for part in text.split_inclusive('"') {
        out.push_str(part);
        if part.ends_with('"') {
            out.push('"');
        }
    }
    out.push('"');
}

// The printer writes into one buffer: templates are printed by the thousand in large APIs.

fn write_body(out: &mut String, stmts: &[Stmt], indent: &str) {
    for (i, s) in stmts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_stmt(out, s, indent);
    }
}

fn write_stmt(out: &mut String, stmt: &Stmt, indent: &str) {
    let deeper = || format!("{indent}{TAB}");
    match stmt {
        Stmt::Set(name, value) => {
            push_all(out, &[indent, "#set( $", name, " = "]);
            write_expr(out, value, "");
            out.push_str(" )");
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            let deeper = deeper();
            push_all(out, &[indent, "#if( "]);
            write_expr(out, cond, "");
            out.push_str(" )\n");
            write_body(out, then, &deeper);
            out.push('\n');
            if let Some(otherwise) = otherwise {
                push_all(out, &[indent, "#else\n"]);
                write_body(out, otherwise, &deeper);
                out.push('\n');
            }
            push_all(out, &[indent, "#end"]);
        }
        Stmt::ForEach {
            var,
            collection,
            body,
        } => {
            push_all(out, &[indent, "#foreach( $", var, " in "]);
            write_expr(out, collection, "");
            out.push_str(" )\n");
            write_body(out, body, &deeper());
            push_all(out, &["\n", indent, "#end"]);
        }
        Stmt::Qr(e) => {
            push_all(out, &[indent, "$util.qr("]);
            write_expr(out, e, "");
            out.push(')');
        }
        Stmt::Comment(text) => push_all(out, &[indent, "## ", text, " **"]),
        Stmt::Block(title, body) => {
            push_all(out, &[indent, "## [Start] ", title, ". **\n"]);
            write_body(out, body, indent);
            push_all(out, &["\n", indent, "## [End] ", title, ". **"]);
        }
        Stmt::Raw(text) => push_all(out, &[indent, text]),
        Stmt::Return(None) => push_all(out, &[indent, "#return"]),
        Stmt::Return(Some(e)) => {
            push_all(out, &[indent, "#return("]);
            write_expr(out, e, "");
            out.push(')');
        }
        Stmt::ToJson(e) => {
            push_all(out, &[indent, "$util.toJson("]);
            write_expr(out, e, "");
            out.push(')');
        }
        Stmt::Expr(e) => write_expr(out, e, indent),
        Stmt::InlineIf(cond, then) => {
            out.push_str("#if( ");
            write_expr(out, cond, "");
            out.push_str(" ) ");
            write_stmt(out, then, "");
            out.push_str(" #end");
        }
        Stmt::Group(stmts) => write_body(out, stmts, indent),
        Stmt::NewLine => out.push('\n'),
        Stmt::Blank => {}
    }
}

fn push_all(out: &mut String, parts: &[&str]) {
    for p in parts {
        out.push_str(p);
    }
}

/// Prints an expression. `indent` is the indentation of the position it is printed at: it
/// prefixes the kinds the reference indents (raw text, lists, operators, calls) and sets the
/// attribute indentation of objects; references and literals ignore it.
fn write_expr(out: &mut String, e: &Expr, indent: &str) {
    match e {
        Expr::Ref(name) => push_all(out, &["$", name]),
        Expr::Str(text) => write_string_literal(out, text),
        Expr::Int(i) => out.push_str(&i.to_string()),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Null => out.push_str("null"),
        Expr::Raw(text) => push_all(out, &[indent, text]),
        Expr::Json(value) => push_all(out, &[indent, &value.to_text()]),
        Expr::Object(attrs) => {
            if attrs.is_empty() {
                out.push_str("{}");
                return;
            }
            let deeper = format!("{indent}{TAB}");
            out.push('{');
            for (i, (k, v)) in attrs.iter().enumerate() {
                push_all(out, &["\n", indent, &deeper]);
                write_string_literal(out, k);
                out.push_str(": ");
                write_expr(out, v, &deeper);
                if i + 1 < attrs.len() {
                    out.push(',');
                }
            }
            push_all(out, &["\n", indent, "}"]);
        }
        Expr::List(items) => {
            push_all(out, &[indent, "["]);
            write_joined(out, items, ", ");
            out.push(']');
        }
        Expr::And(items) => {
            out.push_str(indent);
            write_joined(out, items, " && ");
        }
        Expr::Or(items) => {
            out.push_str(indent);
            write_joined(out, items, " || ");
        }
        Expr::Not(e) => {
            push_all(out, &[indent, "!"]);
            write_expr(out, e, "");
        }
        Expr::Parens(e) => {
            push_all(out, &[indent, "("]);
            write_expr(out, e, "");
            out.push(')');
        }
        Expr::Eq(a, b) => write_binary(out, indent, a, " == ", b),
        Expr::Ne(a, b) => write_binary(out, indent, a, " != ", b),
        Expr::Gt(a, b) => write_binary(out, indent, a, " > ", b),
        Expr::Call(target, args) => {
            push_all(out, &[indent, "$", target, "("]);
            write_joined(out, args, ", ");
            out.push(')');
        }
        Expr::IfElse(cond, then, otherwise) => {
            let deeper = format!("{indent}{TAB}");
            push_all(out, &[indent, "#if( "]);
            write_expr(out, cond, "");
            out.push_str(" )\n");
            write_expr(out, then, &deeper);
            push_all(out, &["\n", indent, "#else\n"]);
            write_expr(out, otherwise, &deeper);
            push_all(out, &["\n", indent, "#end"]);
        }
    }
}

fn write_binary(out: &mut String, indent: &str, a: &Expr, op: &str, b: &Expr) {
    out.push_str(indent);
    write_expr(out, a, "");
    out.push_str(op);
    write_expr(out, b, "");
}

fn write_joined(out: &mut String, items: &[Expr], sep: &str) {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write_expr(out, e, "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_references_print_at_column_zero_calls_are_indented() {
        let t = [iff(
            r("ctx.error"),
            vec![
                stmt(call("util.error", vec![r("ctx.error.message")])),
                iff(r("x"), vec![stmt(r("util.unauthorized()"))]),
            ],
        )];
        assert_eq!(
            print(&t),
            "#if( $ctx.error )\n  $util.error($ctx.error.message)\n  #if( $x )\n$util.unauthorized()\n  #end\n#end"
        );
    }

    #[test]
    fn empty_bodies_and_blank_steps_are_empty_lines() {
        let t = [
            iff(eq(r("util.authType()"), s("API Key Authorization")), vec![]),
            Stmt::Blank,
            Stmt::Group(vec![]),
            set("a", Expr::Int(1)),
        ];
        assert_eq!(
            print(&t),
            "#if( $util.authType() == \"API Key Authorization\" )\n\n#end\n\n\n#set( $a = 1 )"
        );
    }

    #[test]
    fn objects_in_set_start_at_column_zero_whatever_the_nesting() {
        let t = [iff(
            r("c"),
            vec![set(
                "key",
                obj(vec![(
                    "id",
                    call("util.dynamodb.toDynamoDB", vec![r("ctx.args.input.id")]),
                )]),
            )],
        )];
        assert_eq!(
            print(&t),
            "#if( $c )\n  #set( $key = {\n  \"id\":   $util.dynamodb.toDynamoDB($ctx.args.input.id)\n} )\n#end"
        );
    }

    #[test]
    fn nested_objects_double_their_indentation() {
        let e = obj(vec![(
            "id",
            obj(vec![("attributeExists", Expr::Bool(false))]),
        )]);
        assert_eq!(
            print(&[qr(call("ctx.stash.conditions.add", vec![e]))]),
            "$util.qr($ctx.stash.conditions.add({\n  \"id\": {\n      \"attributeExists\": false\n  }\n}))"
        );
        assert_eq!(print(&[set("a", obj(vec![]))]), "#set( $a = {} )");
    }

    #[test]
    fn blocks_foreach_else_return_and_operators() {
        let t = [block(
            "Title",
            vec![
                for_each(
                    "x",
                    r("list"),
                    vec![if_else(
                        and(vec![
                            not(r("a")),
                            or(vec![
                                parens(eq(r("b"), Expr::Null)),
                                ne(r("c"), Expr::Int(0)),
                            ]),
                        ]),
                        vec![raw_line("#break")],
                        vec![Stmt::Return(Some(call("util.toJson", vec![obj(vec![])])))],
                    )],
                ),
                comment("note"),
                to_json(json(Json::object(vec![
                    ("version", Json::Str("2018-05-29".into())),
                    ("payload", Json::object(vec![])),
                ]))),
            ],
        )];
        assert_eq!(
            print(&t),
            "## [Start] Title. **\n#foreach( $x in $list )\n  #if( !$a && ($b == null) || $c != 0 )\n    #break\n  #else\n    #return($util.toJson({}))\n  #end\n#end\n## note **\n$util.toJson({\"version\":\"2018-05-29\",\"payload\":{}})\n## [End] Title. **"
        );
    }

    #[test]
    fn inline_ifs_ignore_indentation_and_new_lines_add_two_empty_lines() {
        let t = [for_each(
            "k",
            r("keys"),
            vec![
                Stmt::InlineIf(raw("$a"), Box::new(set("b", Expr::Bool(true)))),
                Stmt::NewLine,
                comment("end"),
            ],
        )];
        assert_eq!(
            print(&t),
            "#foreach( $k in $keys )\n#if( $a ) #set( $b = true ) #end\n\n\n  ## end **\n#end"
        );
    }

    #[test]
    fn lists_are_inline_and_json_is_compact() {
        assert_eq!(
            print(&[set("l", list(vec![s("a"), r("b"), list(vec![])]))]),
            "#set( $l = [\"a\", $b, []] )"
        );
        assert_eq!(
            print(&[set(
                "g",
                json(Json::Array(vec![Json::object(vec![
                    ("claim", Json::Str("cognito:groups".into())),
                    ("entity", Json::Str("A\"dmin".into())),
                    ("all", Json::Bool(true)),
                    ("none", Json::Null),
                ])]))
            )]),
            r#"#set( $g = [{"claim":"cognito:groups","entity":"A\"dmin","all":true,"none":null}] )"#
        );
    }

    #[test]
    fn if_else_values_keep_the_attribute_indentation() {
        let e = obj(vec![(
            "forward",
            if_else_value(
                r("dir"),
                if_else_value(eq(r("dir"), s("ASC")), Expr::Bool(true), Expr::Bool(false)),
                Expr::Null,
            ),
        )]);
        assert_eq!(
            print(&[stmt(e)]),
            "{\n  \"forward\":   #if( $dir )\n    #if( $dir == \"ASC\" )\ntrue\n    #else\nfalse\n    #end\n  #else\nnull\n  #end\n}"
        );
    }

    #[test]
    fn string_literals_escape_double_quotes_only() {
        assert_eq!(string_literal("$expression,"), "\"$expression,\"");
        assert_eq!(string_literal("a\"b"), "\"a\"\"b\"");
    }
}
