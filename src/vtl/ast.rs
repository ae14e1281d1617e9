//! The VTL syntax tree: statements, expressions and the JSON values templates embed.

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
