//! The one printer of VTL trees, formatted exactly like the reference's mapping templates
//! (the layout rules are in the module's documentation).

use super::{Expr, Stmt};

const TAB: &str = "  ";

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
    use crate::vtl::*;

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
