//! Prints a schema document the way graphql-js `print` does (graphql 15), which is how the
//! reference writes `build/schema.graphql`: two-space indentation, definitions separated by a
//! blank line, arguments on one line unless one of them has a description, block-string
//! descriptions kept as block strings.

use crate::ast::*;

/// Prints a whole document, ending with a newline.
pub fn print(doc: &Document) -> String {
    let defs: Vec<String> = doc.definitions.iter().filter_map(definition).collect();
    let mut out = defs.join("\n\n");
    out.push('\n');
    out
}

fn definition(def: &Definition) -> Option<String> {
    Some(match def {
        Definition::Object(o) => object("type", o),
        Definition::Interface(o) => object("interface", o),
        Definition::Input(i) => with_description(
            &i.description,
            join(
                &[
                    "input".into(),
                    i.name.text.clone(),
                    directives(&i.directives),
                    block(i.fields.iter().map(input_value).collect()),
                ],
                " ",
            ),
        ),
        Definition::Enum(e) => with_description(
            &e.description,
            join(
                &[
                    "enum".into(),
                    e.name.text.clone(),
                    directives(&e.directives),
                    block(
                        e.values
                            .iter()
                            .map(|v| {
                                with_description(
                                    &v.description,
                                    join(&[v.name.text.clone(), directives(&v.directives)], " "),
                                )
                            })
                            .collect(),
                    ),
                ],
                " ",
            ),
        ),
        Definition::Union(u) => {
            let members: Vec<&str> = u.members.iter().map(|m| m.as_str()).collect();
            let types = if members.is_empty() {
                String::new()
            } else {
                format!("= {}", members.join(" | "))
            };
            with_description(
                &u.description,
                join(
                    &[
                        "union".into(),
                        u.name.text.clone(),
                        directives(&u.directives),
                        types,
                    ],
                    " ",
                ),
            )
        }
        Definition::Scalar(s) => with_description(
            &s.description,
            join(
                &[
                    "scalar".into(),
                    s.name.text.clone(),
                    directives(&s.directives),
                ],
                " ",
            ),
        ),
        Definition::Other { .. } => return None,
    })
}

fn object(keyword: &str, o: &ObjectType) -> String {
    let interfaces: Vec<&str> = o.interfaces.iter().map(|i| i.as_str()).collect();
    let implements = if interfaces.is_empty() {
        String::new()
    } else {
        format!("implements {}", interfaces.join(" & "))
    };
    with_description(
        &o.description,
        join(
            &[
                keyword.into(),
                o.name.text.clone(),
                implements,
                directives(&o.directives),
                block(o.fields.iter().map(field).collect()),
            ],
            " ",
        ),
    )
}

fn field(f: &FieldDef) -> String {
    let args: Vec<String> = f.arguments.iter().map(input_value).collect();
    let args = if args.is_empty() {
        String::new()
    } else if args.iter().any(|a| a.contains('\n')) {
        format!("(\n{}\n)", indent(&args.join("\n")))
    } else {
        format!("({})", args.join(", "))
    };
    let dirs = directives(&f.directives);
    let dirs = if dirs.is_empty() {
        dirs
    } else {
        format!(" {dirs}")
    };
    with_description(
        &f.description,
        format!("{}{args}: {}{dirs}", f.name.text, f.ty),
    )
}

fn input_value(v: &InputValue) -> String {
    let default = v
        .default
        .as_ref()
        .map_or(String::new(), |d| format!("= {}", value(d)));
    with_description(
        &v.description,
        join(
            &[
                format!("{}: {}", v.name.text, v.ty),
                default,
                directives(&v.directives),
            ],
            " ",
        ),
    )
}

fn directives(ds: &[Directive]) -> String {
    let printed: Vec<String> = ds
        .iter()
        .map(|d| {
            if d.arguments.is_empty() {
                format!("@{}", d.name.text)
            } else {
                let args: Vec<String> = d
                    .arguments
                    .iter()
                    .map(|a| format!("{}: {}", a.name.text, value(&a.value)))
                    .collect();
                format!("@{}({})", d.name.text, args.join(", "))
            }
        })
        .collect();
    printed.join(" ")
}

/// Prints a value literal.
pub fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::Null => "null".into(),
        ValueKind::Enum(e) => e.clone(),
        ValueKind::Variable(n) => format!("${n}"),
        ValueKind::String(s) => json_string(s),
        ValueKind::Int(t) | ValueKind::Float(t) => t.clone(),
        ValueKind::Boolean(b) => b.to_string(),
        ValueKind::List(items) => {
            let items: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{}: {}", k.text, value(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

fn with_description(d: &Option<Description>, body: String) -> String {
    match d {
        None => body,
        Some(d) if d.block => format!("{}\n{body}", block_string(&d.text)),
        Some(d) => format!("{}\n{body}", json_string(&d.text)),
    }
}

/// A description as a `"""block string"""`.
fn block_string(text: &str) -> String {
    let single_line = !text.contains('\n');
    let leading_space = text.starts_with(' ') || text.starts_with('\t');
    let multiple_lines = !single_line || text.ends_with('"') || text.ends_with('\\');
    let mut out = String::new();
    if multiple_lines && !(single_line && leading_space) {
        out.push('\n');
    }
    out.push_str(text);
    if multiple_lines {
        out.push('\n');
    }
    format!("\"\"\"{}\"\"\"", out.replace("\"\"\"", "\\\"\"\""))
}

fn block(items: Vec<String>) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{{\n{}\n}}", indent(&items.join("\n")))
    }
}

fn indent(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("  {}", s.replace('\n', "\n  "))
    }
}

/// Joins the non-empty parts.
fn join(parts: &[String], sep: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn reprint(text: &str) -> String {
        let parsed = crate::parse::parse(&SourceMap::from_text("t.graphql", text));
        print(&parsed.document)
    }

    #[test]
    fn prints_like_graphql_js() {
        let text = "\"\"\"\nA post.\n  Indented.\n\"\"\"\ntype Post implements Node & Entity @aws_api_key {\n  \"plain\"\n  id: ID!\n  \"\"\"block\"\"\"\n  tags(first: Int = 10, after: String): [String!]!\n  search(\n    \"the q\"\n    q: String\n  ): [U] @aws_subscribe(mutations: [\"a\", \"b\"])\n}\n\nunion U = A | B\n\nenum E {\n  A\n  B\n}\n\ninput I {\n  o: AuthRule = {allow: public, groups: [\"x\"]}\n}\n\nscalar S\n";
        assert_eq!(reprint(text), text);
    }
}
