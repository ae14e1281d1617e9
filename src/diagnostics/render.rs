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

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Renders one diagnostic through `annotate-snippets` (the renderer rustc uses); `color`
/// adds ANSI colours for a terminal. The primary label underlines the token the diagnostic
/// is about; notes in the schema are secondary labels on their own lines of source.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let mut snippets: Vec<Snippet<'_, annotate_snippets::Annotation<'_>>> = Vec::new();
    let mut unplaced_notes = Vec::new();
    if let Some(primary) = d.span.and_then(|s| place(sources, s.start, s.end)) {
        let mut annotations = vec![(primary, true, d.label.as_str())];
        for note in &d.notes {
            match place(sources, note.span.start, note.span.end) {
                Some(p) => annotations.push((p, false, note.message.as_str())),
                None => unplaced_notes.push(note.message.as_str()),
            }
        }
        // One snippet per file, the primary label's file first.
        let mut files: Vec<usize> = Vec::new();
        for (p, _, _) in &annotations {
            if !files.contains(&p.file) {
                files.push(p.file);
            }
        }
        for file in files {
            let here: Vec<&(Placed, bool, &str)> = annotations
                .iter()
                .filter(|(p, _, _)| p.file == file)
                .collect();
            let first = here
                .iter()
                .map(|(p, _, _)| p.lines.start)
                .min()
                .unwrap_or(0);
            let last = here.iter().map(|(p, _, _)| p.lines.end).max().unwrap_or(0);
            let f = &sources.files[file];
            let body = &sources.text[f.offset..(f.offset + f.len).min(sources.text.len())];
            let excerpt = &body[first..last];
            let mut snippet = Snippet::source(excerpt)
                .path(f.name.as_str())
                .line_start(here.iter().map(|(p, _, _)| p.first_line).min().unwrap_or(1))
                .fold(true);
            for (p, primary, label) in here {
                let kind = if *primary {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                let span = p.span.start - first..p.span.end - first;
                let mut a = kind.span(span);
                if !label.is_empty() {
                    a = a.label(*label);
                }
                snippet = snippet.annotation(a);
            }
            snippets.push(snippet);
        }
    }
    let mut group = Group::with_title(title);
    if snippets.is_empty()
        && let Some(file) = &d.file
    {
        group = group.element(Origin::path(file.as_str()));
    }
    for snippet in snippets {
        group = group.element(snippet);
    }
    for note in unplaced_notes {
        group = group.element(Level::NOTE.message(note));
    }
    if !d.help.is_empty() {
        group = group.element(Level::HELP.message(d.help.as_str()));
    }
    // Lines are shown whole: a schema line is never cut to a terminal's width.
    let renderer = if color { styled() } else { Renderer::plain() }.term_width(usize::MAX / 2);
    let mut out = renderer.render(&[group]);
    out.push('\n');
    out
}

/// Our colours: bold red errors, bold yellow warnings, bold blue margins.
fn styled() -> Renderer {
    let bold = |c: AnsiColor| Style::new().bold().fg_color(Some(c.into()));
    Renderer::styled()
        .error(bold(AnsiColor::Red))
        .warning(bold(AnsiColor::Yellow))
        .line_num(bold(AnsiColor::Blue))
        .help(bold(AnsiColor::Cyan))
        .note(bold(AnsiColor::Green))
        .emphasis(Style::new().bold())
}

/// A span placed in its file: the file's index, the span relative to the file (clamped to
/// the span's first line, at least one character), the byte range of the lines it is on, and
/// the number of its first line.
struct Placed {
    file: usize,
    span: Range<usize>,
    lines: Range<usize>,
    first_line: usize,
}

fn place(sources: &SourceMap, start: usize, end: usize) -> Option<Placed> {
    let loc = sources.locate(start)?;
    let file = sources.files.iter().rposition(|f| f.name == loc.file)?;
    let f = &sources.files[file];
    let body = &sources.text[f.offset..(f.offset + f.len).min(sources.text.len())];
    let at = (start - f.offset.min(start)).min(body.len());
    let at = floor_boundary(body, at);
    let line_start = body[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = body[at..].find('\n').map_or(body.len(), |i| at + i);
    let line_end_trimmed = if body[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    // A position after a line's closing `\r` (a lone one at the end of the file) is shown at
    // the `\r`: the underline must not start beyond the line it is on.
    let at = at.min(line_end_trimmed);
    // The underline stays on the token's first line, and covers at least one character.
    let mut span_end = (end.saturating_sub(f.offset)).clamp(at, line_end_trimmed);
    if span_end == at {
        span_end = body[at..line_end_trimmed]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
    }
    Some(Placed {
        file,
        span: at..span_end,
        lines: line_start..line_end,
        first_line: loc.line,
    })
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::source::Span;

    #[test]
    fn carets_follow_tabs() {
        let src = SourceMap::from_text("s.graphql", "type A @model {\n\tid: ID! @bogus\n}\n");
        let start = src.text.find("@bogus").unwrap();
        let d = Diagnostic::error(Code::SchemaValidation, "unknown directive `@bogus`")
            .at(Span::new(start, start + 6), "here");
        let text = render(&d, &src, false);
        // Tabs are shown as four spaces, and the carets stay under the token.
        assert!(
            text.contains("2 |     id: ID! @bogus\n  |             ^^^^^^ here"),
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
            "error[E0002]: unknown directive `@bogus`\n --> s.graphql:2:11\n  |\n2 |   id: ID! @bogus\n  |           ^^^^^^ not defined\n  |\n  = help: remove it\n"
        );
    }

    #[test]
    fn a_note_in_the_schema_is_a_secondary_label() {
        let text = "type A @model {\n  id: ID!\n  name: String\n  id: ID!\n}\n";
        let src = SourceMap::from_text("s.graphql", text);
        let first = text.find("id").unwrap();
        let again = text.rfind("id").unwrap();
        let d = Diagnostic::error(Code::SchemaValidation, "field `id` defined twice")
            .at(Span::new(again, again + 2), "defined again")
            .with_note(Span::new(first, first + 2), "first defined here")
            .with_help("remove one of them");
        let rendered = render(&d, &src, false);
        assert_eq!(
            rendered,
            "error[E0002]: field `id` defined twice\n --> s.graphql:4:3\n  |\n2 |   id: ID!\n  |   -- first defined here\n3 |   name: String\n4 |   id: ID!\n  |   ^^ defined again\n  |\n  = help: remove one of them\n"
        );
    }

    #[test]
    fn a_problem_outside_the_schema_names_its_file() {
        let d = Diagnostic::error(Code::ConfigInvalid, "bad key")
            .in_file("cli-inputs.json")
            .with_help("fix it");
        let rendered = render(&d, &SourceMap::default(), false);
        assert_eq!(
            rendered,
            "error[E0006]: bad key\n--> cli-inputs.json\n = help: fix it\n"
        );
    }

    #[test]
    fn colours_only_when_asked() {
        let d = Diagnostic::warning(Code::IamDeprecated, "old").with_help("new");
        assert!(!render(&d, &SourceMap::default(), false).contains('\x1b'));
        assert!(render(&d, &SourceMap::default(), true).contains("\x1b["));
    }
}
