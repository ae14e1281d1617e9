//! Renders diagnostics in the familiar compiler layout:
//!
//! ```text
//! error[E0201]: `public` rules cannot use the `userPools` provider
//!  --> schema.graphql:1:59
//!   |
//! 1 | type Post @model @auth(rules: [{ allow: public, provider: userPools }]) {
//!   |                                                           ^^^^^^^^^ not allowed with `allow: public`
//!   |
//!   = help: use apiKey, identityPool or iam
//! ```

use std::fmt::Write;

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders one diagnostic; `color` adds ANSI colours for a terminal.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let paint = |style: &'static str| if color { style } else { "" };
    let reset = paint(RESET);
    let (word, style) = match d.severity {
        Severity::Error => ("error", RED),
        Severity::Warning => ("warning", YELLOW),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}{word}[{}]{reset}{}: {}{reset}",
        paint(style),
        d.code.as_str(),
        paint(BOLD),
        d.message
    );
    let located = d.span.and_then(|s| sources.locate(s.start).map(|l| (s, l)));
    match located {
        Some((span, loc)) => {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            let blue = paint(BLUE);
            let _ = writeln!(
                out,
                "{pad}{blue}-->{reset} {}:{}:{}",
                loc.file, loc.line, loc.column
            );
            let _ = writeln!(out, "{pad} {blue}|{reset}");
            let _ = writeln!(
                out,
                "{blue}{}{reset} {blue}|{reset} {}",
                loc.line, loc.line_text
            );
            let width = underline_width(sources, span, loc.line_text, loc.line_offset);
            // Tabs stay tabs so the carets line up under the token however wide a tab is.
            let indent: String = loc.line_text[..loc.line_offset.min(loc.line_text.len())]
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let carets = "^".repeat(width);
            let label = if d.label.is_empty() {
                String::new()
            } else {
                format!(" {}", d.label)
            };
            let _ = writeln!(
                out,
                "{pad} {blue}|{reset} {indent}{}{carets}{label}{reset}",
                paint(style)
            );
            for note in &d.notes {
                if let Some(nl) = sources.locate(note.span.start) {
                    let _ = writeln!(
                        out,
                        "{pad} {blue}={reset} note: {} ({}:{}:{})",
                        note.message, nl.file, nl.line, nl.column
                    );
                }
            }
            if !d.help.is_empty() {
                let _ = writeln!(out, "{pad} {blue}={reset} help: {}", d.help);
            }
        }
        None => {
            if let Some(file) = &d.file {
                let _ = writeln!(out, " {}-->{reset} {file}", paint(BLUE));
            }
            if !d.help.is_empty() {
                let _ = writeln!(out, "  {}={reset} help: {}", paint(BLUE), d.help);
            }
        }
    }
    out
}

/// Number of characters to underline: the span's text on its first line, at least one.
fn underline_width(sources: &SourceMap, span: Span, line_text: &str, line_offset: usize) -> usize {
    let on_line = line_text.len().saturating_sub(line_offset);
    let len = span.end.saturating_sub(span.start).min(on_line);
    let text = sources.text.get(span.start..span.start + len).unwrap_or("");
    text.chars().count().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    #[test]
    fn carets_follow_tabs() {
        let src = SourceMap::from_text("s.graphql", "type A @model {\n\tid: ID! @bogus\n}\n");
        let start = src.text.find("@bogus").unwrap();
        let d = Diagnostic::error(Code::SchemaValidation, "unknown directive `@bogus`")
            .at(Span::new(start, start + 6), "here");
        let text = render(&d, &src, false);
        assert!(
            text.contains("2 | \tid: ID! @bogus\n  | \t        ^^^^^^ here"),
            "{text}"
        );
    }

    #[test]
    fn underlines_the_exact_token_with_help() {
        let src = SourceMap::from_text("s.graphql", "type A @model {\n  id: ID! @bogus\n}\n");
        let start = src.text.find("@bogus").unwrap();
        let d = Diagnostic::error(Code::SchemaValidation, "unknown directive `@bogus`")
            .at(Span::new(start, start + 6), "not defined")
            .with_help("remove it");
        let text = render(&d, &src, false);
        assert_eq!(
            text,
            "error[E0002]: unknown directive `@bogus`\n --> s.graphql:2:11\n  |\n2 |   id: ID! @bogus\n  |           ^^^^^^ not defined\n  = help: remove it\n"
        );
    }
}
