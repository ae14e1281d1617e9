//! Constructors of VTL trees, to keep the code that builds templates short.

use super::{Expr, Json, Stmt};

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
