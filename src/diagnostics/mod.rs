//! Diagnostics: every error and warning a run can produce, with a stable code, the exact
//! token it is about, and a `help:` line. Passes collect them; nothing fails fast.

mod codes;
pub mod formats;
mod render;

pub use codes::Code;
pub use render::render;

use crate::source::{LoadError, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary pointer into the schema ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The token the diagnostic is about; `None` for problems outside the schema text
    /// (a configuration file, a command-line argument).
    pub span: Option<Span>,
    /// Text printed under the underlined token.
    pub label: String,
    pub notes: Vec<Label>,
    pub help: String,
    /// For diagnostics about a file other than the schema (configuration files).
    pub file: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: String::new(),
            notes: Vec::new(),
            help: String::new(),
            file: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = label.into();
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    pub fn with_note(mut self, span: Span, message: impl Into<String>) -> Self {
        self.notes.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The diagnostics of a run, in the order they were found, each printed once.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        for d in ds {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `--deny-warnings`: every warning becomes an error.
    pub fn deny_warnings(&mut self) {
        for d in &mut self.items {
            d.severity = Severity::Error;
        }
    }

    /// Errors first in source order, then warnings in source order: a stable reading order
    /// that does not depend on which pass found what.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| (d.severity, d.span.map(|s| s.start)));
        v
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        let mut ds = Diagnostics::default();
        ds.extend(v);
        ds
    }
}

impl From<LoadError> for Diagnostic {
    fn from(e: LoadError) -> Self {
        let file = e.path().display().to_string();
        let (code, help) = match &e {
            LoadError::Missing { .. } => (
                Code::SchemaNotFound,
                "pass --schema with a schema.graphql file or a schema/ folder",
            ),
            LoadError::Unreadable { .. } => (
                Code::SchemaUnreadable,
                "make the file readable, or move it out of the schema folder",
            ),
            LoadError::LinkLoop { .. } => (
                Code::SchemaUnreadable,
                "remove the link, or point it outside the schema folder",
            ),
        };
        let d = Diagnostic::error(code, e.to_string()).with_help(help);
        // A missing schema's path is in the message already.
        match e {
            LoadError::Missing { .. } => d,
            _ => d.in_file(file),
        }
    }
}
