//! YAML read into JSON values, each mapping and sequence item with the line it starts on, so
//! that a failing step can name its line.

use serde_json::{Map, Value as Json};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A value and the 1-based line it starts on; mappings and sequences keep their children's.
#[derive(Clone, Debug)]
pub struct Located {
    pub value: Json,
    pub line: usize,
    pub children: Vec<(String, Located)>,
}

impl Located {
    pub fn get(&self, key: &str) -> Option<&Located> {
        self.children.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn items(&self) -> impl Iterator<Item = &Located> {
        self.children.iter().map(|(_, v)| v)
    }
}

/// A YAML syntax error: message and 1-based line and column.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub line: usize,
    pub col: usize,
}

enum Frame {
    Seq(Located),
    Map(Located, Option<String>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    done: Option<Located>,
}

fn scalar(text: String, style: TScalarStyle) -> Json {
    if style != TScalarStyle::Plain {
        return Json::String(text);
    }
    match text.as_str() {
        "~" | "null" | "Null" | "NULL" | "" => Json::Null,
        "true" | "True" | "TRUE" => Json::Bool(true),
        "false" | "False" | "FALSE" => Json::Bool(false),
        t => t
            .parse::<i64>()
            .map(Json::from)
            .ok()
            .or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Json::Number)
            })
            .unwrap_or(Json::String(text)),
    }
}

impl Builder {
    fn push(&mut self, v: Located) {
        match self.stack.last_mut() {
            None => self.done = Some(v),
            Some(Frame::Seq(s)) => {
                if let Json::Array(a) = &mut s.value {
                    a.push(v.value.clone());
                }
                let i = s.children.len().to_string();
                s.children.push((i, v));
            }
            Some(Frame::Map(m, key)) => match key.take() {
                None => {
                    *key = Some(match &v.value {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                }
                Some(k) => {
                    if let Json::Object(o) = &mut m.value {
                        o.insert(k.clone(), v.value.clone());
                    }
                    m.children.push((k, v));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line().max(1);
        match ev {
            Event::Scalar(text, style, _, _) => self.push(Located {
                value: scalar(text, style),
                line,
                children: Vec::new(),
            }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(Located {
                value: Json::Array(Vec::new()),
                line,
                children: Vec::new(),
            })),
            Event::MappingStart(..) => self.stack.push(Frame::Map(
                Located {
                    value: Json::Object(Map::new()),
                    line,
                    children: Vec::new(),
                },
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Frame::Seq(v) | Frame::Map(v, _)) = self.stack.pop() {
                    self.push(v);
                }
            }
            Event::Alias(_) => self.push(Located {
                value: Json::Null,
                line,
                children: Vec::new(),
            }),
            _ => {}
        }
    }
}

pub fn parse(text: &str) -> Result<Located, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| SyntaxError {
        message: e.info().to_string(),
        line: e.marker().line().max(1),
        col: e.marker().col() + 1,
    })?;
    Ok(builder.done.unwrap_or(Located {
        value: Json::Null,
        line: 1,
        children: Vec::new(),
    }))
}
