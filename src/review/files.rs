//! Resolver changes: the templates under `resolvers/` that a change adds, removes or
//! changes, and (for `--patch`) their unified diffs.

use crate::output::BuildOutput;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Added,
    Removed,
    Changed,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Added => "added",
            FileKind::Removed => "removed",
            FileKind::Changed => "changed",
        }
    }

    pub fn letter(self) -> char {
        match self {
            FileKind::Added => 'A',
            FileKind::Removed => 'D',
            FileKind::Changed => 'M',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub kind: FileKind,
    /// The path in `build/`.
    pub path: String,
    pub base: Option<Vec<u8>>,
    pub head: Option<Vec<u8>>,
}

impl FileChange {
    /// The change as a unified diff with three lines of context (`a/` and `b/` prefixes, as
    /// git prints them).
    pub fn patch(&self) -> String {
        let text = |b: &Option<Vec<u8>>| {
            b.as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        let (old, new) = (text(&self.base), text(&self.head));
        let from = match self.kind {
            FileKind::Added => "/dev/null".to_string(),
            _ => format!("a/{}", self.path),
        };
        let to = match self.kind {
            FileKind::Removed => "/dev/null".to_string(),
            _ => format!("b/{}", self.path),
        };
        similar::TextDiff::from_lines(&old, &new)
            .unified_diff()
            .context_radius(3)
            .header(&from, &to)
            .missing_newline_hint(true)
            .to_string()
    }
}

/// The files below `prefix` that differ between the builds, by path.
pub fn compare(base: &BuildOutput, head: &BuildOutput, prefix: &str) -> Vec<FileChange> {
    let under = |b: &BuildOutput| -> std::collections::BTreeMap<String, Vec<u8>> {
        b.files
            .iter()
            .map(|(p, bytes)| (p.to_string_lossy().replace('\\', "/"), bytes))
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(p, bytes)| (p, bytes.clone()))
            .collect()
    };
    let (before, mut after) = (under(base), under(head));
    let mut out = Vec::new();
    for (path, old) in before {
        match after.remove(&path) {
            None => out.push(FileChange {
                kind: FileKind::Removed,
                path,
                base: Some(old),
                head: None,
            }),
            Some(new) if new != old => out.push(FileChange {
                kind: FileKind::Changed,
                path,
                base: Some(old),
                head: Some(new),
            }),
            Some(_) => {}
        }
    }
    for (path, new) in after {
        out.push(FileChange {
            kind: FileKind::Added,
            path,
            base: None,
            head: Some(new),
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
