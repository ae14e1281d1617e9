//! Printing CloudFormation templates and `parameters.json` the way the reference writes them:
//! `JSON.stringify(value, null, indent)`, keys in their order, no trailing newline.

use serde::Serialize;
use serde_json::Value as Json;
use serde_json::ser::{Formatter, PrettyFormatter, Serializer};

/// JavaScript's number printing for the numbers JSON templates hold: integral values without
/// a fraction (`1.0` prints as `1`).
struct JsFormatter<'a>(PrettyFormatter<'a>);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            self.0.$name(w $(, $arg)*)
        })*
    };
}

impl Formatter for JsFormatter<'_> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_f64<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        value: f64,
    ) -> std::io::Result<()> {
        if value.fract() == 0.0 && value.abs() < 1e21 {
            write!(w, "{}", value as i128)
        } else if value.is_finite() {
            let mut buf = ryu_like(value);
            if let Some(stripped) = buf.strip_suffix(".0") {
                buf = stripped.to_string();
            }
            w.write_all(buf.as_bytes())
        } else {
            w.write_all(b"null")
        }
    }
}

fn ryu_like(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(|| "null".to_string(), |n| n.to_string())
}

/// `JSON.stringify(value, null, indent)`.
pub fn stringify(value: &Json, indent: usize) -> String {
    let spaces = " ".repeat(indent);
    let mut out = Vec::new();
    let mut ser = Serializer::with_formatter(
        &mut out,
        JsFormatter(PrettyFormatter::with_indent(spaces.as_bytes())),
    );
    value
        .serialize(&mut ser)
        .expect("JSON values always serialise");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The root stack (`cloudformation-template.json`): 4-space indentation.
pub fn root_template(value: &Json) -> String {
    stringify(value, 4)
}

/// A nested stack (`stacks/<Name>.json`): 2-space indentation.
pub fn nested_template(value: &Json) -> String {
    stringify(value, 2)
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
