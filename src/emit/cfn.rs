//! Printing CloudFormation templates and `parameters.json` the way the reference writes them:
//! `JSON.stringify(value, null, indent)`, keys in their order, no trailing newline. Templates
//! are printed straight from the stacks' data, without building a JSON tree first.

use serde_json::Value as Json;

use crate::stacks::template::{
    Cfn, Element, Hole, Key, Printed, Resource, Stack, StackName, TopLevel, object_entries,
};

/// JSON text in `JSON.stringify`'s layout, written into one buffer.
struct Printer {
    out: String,
    /// Spaces per level.
    unit: usize,
    /// Printing ahead for a stack: its references to other stacks are left as holes.
    ahead: Option<Ahead>,
}

struct Ahead {
    home: StackName,
    holes: Vec<Hole>,
    /// An object with a key twice prints its keys in another order than the references are
    /// resolved in: such a value is not printed ahead.
    refused: bool,
}

impl Printer {
    fn new(unit: usize) -> Printer {
        Printer {
            out: String::new(),
            unit,
            ahead: None,
        }
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        if let Some(ahead) = &mut self.ahead {
            // Printed ahead, a line break is followed by its depth, not by its indentation
            // (a third of a template's bytes): `Printed` text prints it as spaces.
            match u8::try_from(depth + DEPTH_MARK) {
                Ok(d) if d.is_ascii() => self.out.push(char::from(d)),
                _ => ahead.refused = true,
            }
            return;
        }
        for _ in 0..depth * self.unit {
            self.out.push(' ');
        }
    }

    /// Text printed ahead: each line break is followed by the mark of the next line's depth.
    fn printed_text(&mut self, text: &str) {
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.out.push_str(first);
        }
        for line in lines {
            let (depth, rest) = line.split_at(1);
            self.newline(usize::from(depth.as_bytes()[0]) - DEPTH_MARK);
            self.out.push_str(rest);
        }
    }

    /// `{…}` of `entries`: `{}` when there are none.
    fn object<T>(
        &mut self,
        depth: usize,
        entries: impl IntoIterator<Item = T>,
        entry: impl FnMut(&mut Printer, T),
    ) {
        self.bracketed(('{', '}'), depth, entries, entry);
    }

    /// `[…]` of `items`: `[]` when there are none.
    fn array<T>(
        &mut self,
        depth: usize,
        items: impl IntoIterator<Item = T>,
        item: impl FnMut(&mut Printer, T),
    ) {
        self.bracketed(('[', ']'), depth, items, item);
    }

    /// Members one per line, indented one level deeper than the brackets.
    fn bracketed<T>(
        &mut self,
        (open, close): (char, char),
        depth: usize,
        members: impl IntoIterator<Item = T>,
        mut member: impl FnMut(&mut Printer, T),
    ) {
        self.out.push(open);
        let mut any = false;
        for m in members {
            if any {
                self.out.push(',');
            }
            any = true;
            self.newline(depth + 1);
            member(self, m);
        }
        if any {
            self.newline(depth);
        }
        self.out.push(close);
    }

    fn key(&mut self, key: &str) {
        self.string(key);
        self.out.push_str(": ");
    }

    /// A string literal, escaped as `JSON.stringify` escapes it.
    fn string(&mut self, s: &str) {
        self.out.push('"');
        let mut start = 0;
        // Every character to escape is ASCII, so a byte scan finds them, and the byte
        // positions it cuts at are character boundaries.
        for (i, b) in s.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                b if b < 0x20 => "",
                _ => continue,
            };
            self.out.push_str(&s[start..i]);
            if escape.is_empty() {
                self.out.push_str(&format!("\\u{:04x}", b));
            } else {
                self.out.push_str(escape);
            }
            start = i + 1;
        }
        self.out.push_str(&s[start..]);
        self.out.push('"');
    }

    fn json(&mut self, v: &Json, depth: usize) {
        match v {
            Json::Null => self.out.push_str("null"),
            Json::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => self.number(n),
            Json::String(s) => self.string(s),
            Json::Array(items) => self.array(depth, items, |p, i| p.json(i, depth + 1)),
            Json::Object(m) => self.object(depth, m, |p, (k, v)| {
                p.key(k);
                p.json(v, depth + 1);
            }),
        }
    }

    /// JavaScript's printing of a number: integral values without a fraction (`1.0` is `1`).
    fn number(&mut self, n: &serde_json::Number) {
        if n.is_i64() || n.is_u64() {
            self.out.push_str(&n.to_string());
            return;
        }
        let value = n.as_f64().unwrap_or(f64::NAN);
        if value.fract() == 0.0 && value.abs() < 1e21 {
            self.out.push_str(&(value as i128).to_string());
        } else if value.is_finite() {
            let text = n.to_string();
            self.out.push_str(text.strip_suffix(".0").unwrap_or(&text));
        } else {
            self.out.push_str("null");
        }
    }

    fn value(&mut self, v: &Cfn, depth: usize) {
        if let Some(ahead) = &mut self.ahead {
            match v {
                Cfn::Ref(t) | Cfn::GetAtt(t, _) if t.stack != ahead.home => {
                    ahead.holes.push(Hole {
                        at: self.out.len(),
                        depth,
                        value: v.clone(),
                    });
                    return;
                }
                _ => {}
            }
        }
        match v {
            Cfn::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Cfn::Int(n) => self.out.push_str(&n.to_string()),
            Cfn::Str(s) => self.string(s),
            Cfn::List(items) => self.array(depth, items, |p, i| p.value(i, depth + 1)),
            Cfn::Map(entries) => {
                let printed = effective(entries);
                if printed.len() != entries.len()
                    && let Some(ahead) = &mut self.ahead
                {
                    ahead.refused = true;
                }
                self.object(depth, printed, |p, (k, v)| {
                    p.key(k);
                    p.value(v, depth + 1);
                })
            }
            Cfn::Ref(t) => self.reference(&t.logical_id, depth),
            Cfn::Pseudo(name) => self.reference(name, depth),
            Cfn::GetAtt(t, attribute) => self.object(depth, [()], |p, ()| {
                p.key("Fn::GetAtt");
                p.array(
                    depth + 1,
                    [t.logical_id.as_str(), attribute.as_ref()],
                    |p, s| p.string(s),
                );
            }),
            Cfn::Json(j) => self.json(j, depth),
            Cfn::Printed(printed) => {
                let mut from = 0;
                for hole in &printed.holes {
                    self.printed_text(&printed.text[from..hole.at]);
                    self.value(&hole.value, hole.depth);
                    from = hole.at;
                }
                self.printed_text(&printed.text[from..]);
            }
        }
    }

    fn reference(&mut self, name: &str, depth: usize) {
        self.object(depth, [name], |p, name| {
            p.key("Ref");
            p.string(name);
        });
    }

    fn resource(&mut self, r: &Resource, depth: usize) {
        let properties = r.properties.as_ref().filter(|p| !is_empty_object(p));
        let mut keys: Vec<&str> = vec!["Type"];
        keys.extend(properties.map(|_| "Properties"));
        if !r.depends_on.is_empty() {
            keys.push("DependsOn");
        }
        keys.extend(r.update_replace_policy.map(|_| "UpdateReplacePolicy"));
        keys.extend(r.deletion_policy.map(|_| "DeletionPolicy"));
        self.object(depth, keys, |p, key| {
            p.key(key);
            match key {
                "Type" => p.string(r.kind),
                "Properties" => p.value(properties.expect("listed when present"), depth + 1),
                "DependsOn" => p.array(depth + 1, &r.depends_on, |p, d| p.string(&d.logical_id)),
                "UpdateReplacePolicy" => p.string(r.update_replace_policy.unwrap_or_default()),
                _ => p.string(r.deletion_policy.unwrap_or_default()),
            }
        });
    }

    fn stack(&mut self, stack: &Stack) {
        self.object(0, stack.layout(), |p, (key, body)| {
            p.key(key);
            match body {
                TopLevel::Whole(v) => p.value(v, 1),
                TopLevel::Named(entries) => p.object(1, entries, |p, (name, e)| {
                    p.key(name);
                    match e {
                        Element::Resource(r) => p.resource(r, RESOURCE_DEPTH),
                        Element::Parameter(_, v)
                        | Element::Condition(_, v)
                        | Element::Output(_, v)
                        | Element::Section(_, v) => p.value(v, 2),
                        Element::Verbatim(_, _, j) => p.json(j, 2),
                        Element::Nested(_) | Element::Resolves(_) => {}
                    }
                }),
            }
        });
    }
}

fn is_empty_object(v: &Cfn) -> bool {
    match v {
        Cfn::Map(entries) => entries.is_empty(),
        Cfn::Json(j) => j.as_object().is_some_and(|m| m.is_empty()),
        _ => false,
    }
}

/// The entries an object prints: a key given twice keeps its first place and its last value,
/// as in a JavaScript object.
fn effective(entries: &[(Key, Cfn)]) -> Vec<(&str, &Cfn)> {
    object_entries(entries.iter().map(|(k, v)| (k.as_ref(), v)).collect())
}

/// `JSON.stringify(value, null, indent)`.
pub fn stringify(value: &Json, indent: usize) -> String {
    let mut p = Printer::new(indent);
    p.json(value, 0);
    p.out
}

/// The root stack (`cloudformation-template.json`): 4-space indentation.
pub fn root_template(stack: &Stack) -> String {
    let mut p = Printer::new(4);
    p.stack(stack);
    p.out
}

/// In text printed ahead, the depth after a line break is the character of code
/// `DEPTH_MARK + depth`: printable, never a line break itself.
const DEPTH_MARK: usize = 32;

/// Spaces per level in a nested stack's template.
const NESTED_INDENT: usize = 2;
/// The depth a resource prints at: in the template, in `Resources`.
const RESOURCE_DEPTH: usize = 2;

/// A nested stack (`stacks/<Name>.json`): 2-space indentation.
pub fn nested_template(stack: &Stack) -> String {
    let mut p = Printer::new(NESTED_INDENT);
    p.stack(stack);
    p.out
}

/// The properties of a resource of nested stack `home`, printed where a nested template
/// prints them, with its references to other stacks left as holes; `None` for a value that
/// must wait for the whole template (an empty object, an object with a key twice).
pub fn nested_properties(properties: &Cfn, home: &StackName) -> Option<Printed> {
    if is_empty_object(properties) {
        return None;
    }
    let mut p = Printer::new(NESTED_INDENT);
    p.ahead = Some(Ahead {
        home: home.clone(),
        holes: Vec::new(),
        refused: false,
    });
    p.value(properties, RESOURCE_DEPTH + 1);
    let mut ahead = p.ahead.take().expect("set above");
    if ahead.refused {
        return None;
    }
    // Kept until the stack prints: no room to spare.
    p.out.shrink_to_fit();
    ahead.holes.shrink_to_fit();
    Some(Printed {
        text: p.out,
        holes: ahead.holes,
    })
}

/// `build/parameters.json`: 4-space indentation.
pub fn parameters(value: &Json) -> String {
    stringify(value, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_json_stringify() {
        let v: Json = serde_json::from_str(
            r#"{"b": [1, 2.5, 3.0, "x\ny"], "a": {}, "c": [], "d": {"e": null, "f": true}}"#,
        )
        .unwrap();
        assert_eq!(
            stringify(&v, 2),
            "{\n  \"b\": [\n    1,\n    2.5,\n    3,\n    \"x\\ny\"\n  ],\n  \"a\": {},\n  \"c\": [],\n  \"d\": {\n    \"e\": null,\n    \"f\": true\n  }\n}"
        );
    }
}
