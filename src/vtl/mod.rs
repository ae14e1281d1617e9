//! AppSync's Velocity templates (VTL) as data: a small typed syntax tree (`ast`), its
//! constructors (`build`) and the one printer that turns it into text formatted exactly like
//! the reference's mapping templates (`print`).
//!
//! The resolver back end builds `Stmt`/`Expr` trees; nothing else writes VTL text. The layout
//! rules, which the reference's files follow byte for byte:
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

mod ast;
mod build;
mod print;

pub use ast::{Expr, Json, Stmt};
pub use build::*;
pub use print::{print, print_stmt, string_literal};
