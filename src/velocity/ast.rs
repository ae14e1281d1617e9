//! The syntax tree of a template. Every node keeps the byte offset it starts at, so that an
//! error names the line and column of the template it comes from.

use super::value::Value;

#[derive(Clone, Debug)]
pub enum Node {
    Text(String),
    /// `$a.b(…)`, `$!a`, `${a}`: rendered in place. `source` is the reference as written,
    /// which Velocity prints when a loud reference is null.
    Ref {
        reference: Reference,
        quiet: bool,
        source: String,
    },
    Set {
        target: Reference,
        value: Expr,
    },
    If {
        branches: Vec<(Expr, Vec<Node>)>,
        otherwise: Option<Vec<Node>>,
    },
    Foreach {
        var: String,
        items: Expr,
        body: Vec<Node>,
    },
    Return(Option<Expr>),
    Break,
    Stop,
}

/// `$root` followed by properties, method calls and indexes.
#[derive(Clone, Debug)]
pub struct Reference {
    pub root: String,
    pub path: Vec<Segment>,
    pub at: usize,
}

#[derive(Clone, Debug)]
pub enum Segment {
    Property(String),
    Call(String, Vec<Expr>),
    Index(Expr),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Literal(Value),
    /// A double-quoted string: its references are interpolated.
    Interpolated(Vec<Node>),
    Ref(Reference),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Range(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}
