//! Loading schema text the way Amplify does, and mapping byte offsets back to files.
//!
//! A `schema/` folder is read recursively, entries sorted by name, dot-files skipped, and the
//! files joined with `\n` into one text. We parse that one text (so a definition that spans two
//! files behaves as in Amplify) and keep a table of where each file starts, so that every
//! diagnostic can still name the file, line and column it came from.

use std::fmt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// A byte range in the concatenated schema text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// One input file and where its text starts in the concatenation.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as shown to users (relative to the working directory when given so).
    pub name: String,
    pub offset: usize,
    pub len: usize,
}

/// The schema text of a run and the files it was made of.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    pub text: String,
    pub files: Vec<SourceFile>,
    /// Positions of every newline in `text`, built on the first `locate` (rendering many
    /// diagnostics of a large schema would otherwise count lines from the start each time).
    /// `text` must not change after that.
    newlines: std::sync::OnceLock<Vec<usize>>,
}

/// A resolved position: file, 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    /// The full text of the line, without its newline.
    pub line_text: &'a str,
    /// Byte offset of the position within `line_text`.
    pub line_offset: usize,
}

impl SourceMap {
    /// A source made of one in-memory text (tests, generated schemas).
    pub fn from_text(name: &str, text: &str) -> Self {
        SourceMap {
            text: text.to_string(),
            files: vec![SourceFile {
                name: name.to_string(),
                offset: 0,
                len: text.len(),
            }],
            newlines: Default::default(),
        }
    }

    /// Adds one more in-memory file after the others (several test files in one report).
    pub fn push(&mut self, name: &str, text: &str) {
        self.files.push(SourceFile {
            name: name.to_string(),
            offset: self.text.len(),
            len: text.len(),
        });
        self.text.push_str(text);
        self.newlines = Default::default();
    }

    /// Loads a schema file, or a folder of schema files, as Amplify's CLI does.
    pub fn load(path: &Path) -> Result<Self, LoadError> {
        let meta = std::fs::metadata(path).map_err(|e| LoadError::missing(path, e))?;
        let paths = if meta.is_dir() {
            schema_files(path)?
        } else {
            vec![path.to_path_buf()]
        };
        let mut map = SourceMap::default();
        for (i, p) in paths.iter().enumerate() {
            let bytes = std::fs::read(p).map_err(|e| LoadError::unreadable(p, e))?;
            let text = String::from_utf8_lossy(&bytes);
            if i > 0 {
                map.text.push('\n');
            }
            map.files.push(SourceFile {
                name: p.display().to_string(),
                offset: map.text.len(),
                len: text.len(),
            });
            map.text.push_str(&text);
        }
        Ok(map)
    }

    /// The file a byte offset belongs to (the last file starting at or before it).
    fn file_at(&self, offset: usize) -> Option<&SourceFile> {
        self.files.iter().rev().find(|f| f.offset <= offset)
    }

    /// Renames every file (a schema read from a copy shown under its original name).
    pub fn rename_files(&mut self, rename: impl Fn(&str) -> String) {
        for f in &mut self.files {
            f.name = rename(&f.name);
        }
    }

    /// Resolves a byte offset to file, line and column.
    pub fn locate(&self, offset: usize) -> Option<Location<'_>> {
        let file = self.file_at(offset)?;
        let end = (file.offset + file.len).min(self.text.len());
        let offset = offset.min(end);
        let body = &self.text[file.offset..end];
        let local = floor_char_boundary(body, offset - file.offset);
        let line_start = body[..local].rfind('\n').map_or(0, |i| i + 1);
        let line_end = body[local..].find('\n').map_or(body.len(), |i| local + i);
        let newlines = self.newlines.get_or_init(|| {
            self.text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect()
        });
        let before = |at: usize| newlines.partition_point(|n| *n < at);
        let line = before(file.offset + line_start) - before(file.offset) + 1;
        let line_text = body[line_start..line_end].trim_end_matches('\r');
        let column = body[line_start..local].chars().count() + 1;
        Some(Location {
            file: &file.name,
            line,
            column,
            line_text,
            line_offset: local - line_start,
        })
    }

    /// The text a span covers.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Every non-hidden file below `dir`, depth first, entries sorted by name, links followed
/// (a link that leads back into its own folder is an error, not an endless walk).
fn schema_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    let walk = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| LoadError::from_walk(dir, e))?;
        if !entry.file_type().is_dir() {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Why a schema could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The schema path itself does not exist or cannot be opened.
    Missing { path: PathBuf, reason: String },
    /// A file or folder of a schema folder cannot be read.
    Unreadable { path: PathBuf, reason: String },
    /// A link in a schema folder leads back to a folder that contains it.
    LinkLoop { path: PathBuf, ancestor: PathBuf },
}

impl LoadError {
    fn missing(path: &Path, e: std::io::Error) -> Self {
        LoadError::Missing {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    fn unreadable(path: &Path, e: std::io::Error) -> Self {
        LoadError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    fn from_walk(dir: &Path, e: walkdir::Error) -> Self {
        let path = e.path().unwrap_or(dir).to_path_buf();
        if let Some(ancestor) = e.loop_ancestor() {
            return LoadError::LinkLoop {
                path,
                ancestor: ancestor.to_path_buf(),
            };
        }
        let reason = e
            .io_error()
            .map_or_else(|| e.to_string(), std::io::Error::to_string);
        LoadError::Unreadable { path, reason }
    }

    /// The file or folder the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Missing { path, .. }
            | LoadError::Unreadable { path, .. }
            | LoadError::LinkLoop { path, .. } => path,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Missing { path, reason } => {
                write!(f, "cannot read schema at {}: {reason}", path.display())
            }
            LoadError::Unreadable { path, reason } => {
                write!(f, "cannot read {} of the schema: {reason}", path.display())
            }
            LoadError::LinkLoop { path, ancestor } => write!(
                f,
                "{} links back to {}, which contains it",
                path.display(),
                ancestor.display()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns_across_files() {
        let mut map = SourceMap::from_text("a.graphql", "type A {\n  x: Int\n}");
        map.text.push('\n');
        let offset = map.text.len();
        map.files.push(SourceFile {
            name: "b.graphql".into(),
            offset,
            len: 8,
        });
        map.text.push_str("type B {");
        let loc = map.locate(11).unwrap();
        assert_eq!((loc.file, loc.line, loc.column), ("a.graphql", 2, 3));
        let loc = map.locate(offset + 5).unwrap();
        assert_eq!((loc.file, loc.line, loc.column), ("b.graphql", 1, 6));
        assert_eq!(loc.line_text, "type B {");
    }
}
