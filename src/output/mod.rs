//! The files of a build, and writing them so that a folder is either the old build or the
//! whole new one, never a mix. `changes` compares a build with a folder for `--check`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Relative path → contents, and folders that exist even when empty. Sorted, so writing and
/// comparing are deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOutput {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Folders to create even without files (`functions/`).
    pub dirs: BTreeSet<PathBuf>,
}

/// How a path of the folder differs from the build.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added(PathBuf),
    Modified(PathBuf),
    Removed(PathBuf),
}

impl Change {
    pub fn path(&self) -> &Path {
        match self {
            Change::Added(p) | Change::Modified(p) | Change::Removed(p) => p,
        }
    }

    /// `A`, `M` or `D`, as `git status --short` prints them.
    pub fn letter(&self) -> char {
        match self {
            Change::Added(_) => 'A',
            Change::Modified(_) => 'M',
            Change::Removed(_) => 'D',
        }
    }
}

/// Files a compile keeps in the build folder (the Amplify CLI never deletes them).
fn is_preserved(relative: &Path) -> bool {
    relative.components().count() == 1
        && relative
            .to_str()
            .is_some_and(|n| n.ends_with("tsconfig.resource.json"))
}

/// Every file and folder under `dir`, relative to it, sorted.
fn walk(dir: &Path) -> std::io::Result<(BTreeSet<PathBuf>, BTreeSet<PathBuf>)> {
    let mut files = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                dirs.insert(path.clone());
                stack.push(path);
            } else {
                files.insert(path);
            }
        }
    }
    Ok((files, dirs))
}

impl BuildOutput {
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// A folder that exists in the build even when nothing is written into it.
    pub fn add_dir(&mut self, path: impl Into<PathBuf>) {
        self.dirs.insert(path.into());
    }

    pub fn get(&self, path: impl AsRef<Path>) -> Option<&[u8]> {
        self.files.get(path.as_ref()).map(Vec::as_slice)
    }

    /// What writing this build into `dir` would change: files added, modified or removed,
    /// and required folders that are missing. A missing `dir` adds everything.
    pub fn changes(&self, dir: &Path) -> std::io::Result<Vec<Change>> {
        let (files, dirs) = if dir.is_dir() {
            walk(dir)?
        } else {
            Default::default()
        };
        let mut out = Vec::new();
        for (path, contents) in &self.files {
            if !files.contains(path) {
                out.push(Change::Added(path.clone()));
            } else if std::fs::read(dir.join(path))? != *contents {
                out.push(Change::Modified(path.clone()));
            }
        }
        for d in &self.dirs {
            if !dirs.contains(d) {
                out.push(Change::Added(d.clone()));
            }
        }
        for path in files {
            if !self.files.contains_key(&path) && !is_preserved(&path) {
                out.push(Change::Removed(path));
            }
        }
        out.sort_by(|a, b| a.path().cmp(b.path()));
        Ok(out)
    }

    /// Replaces `dir` with exactly these files (keeping the Amplify CLI's
    /// `*tsconfig.resource.json` files). The new folder is written beside the old one and
    /// swapped in with renames, so an interrupted write leaves the old folder in place.
    pub fn write_atomically(&self, dir: &Path) -> std::io::Result<()> {
        // A linked build folder is replaced where the link points.
        let resolved;
        let dir = if dir.is_symlink() {
            resolved = dir.canonicalize()?;
            resolved.as_path()
        } else {
            dir
        };
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = dir
            .file_name()
            .map_or("build".into(), |n| n.to_string_lossy().into_owned());
        let pid = std::process::id();
        let staging = parent.join(format!(".{name}.new-{pid}"));
        let retired = parent.join(format!(".{name}.old-{pid}"));
        let _ = std::fs::remove_dir_all(&staging);
        let result = (|| {
            std::fs::create_dir_all(&staging)?;
            for d in &self.dirs {
                std::fs::create_dir_all(staging.join(d))?;
            }
            for (path, contents) in &self.files {
                let target = staging.join(path);
                if let Some(p) = target.parent() {
                    std::fs::create_dir_all(p)?;
                }
                std::fs::write(&target, contents)?;
            }
            if dir.is_dir() {
                for entry in std::fs::read_dir(dir)? {
                    let entry = entry?;
                    let rel = PathBuf::from(entry.file_name());
                    if is_preserved(&rel) && !self.files.contains_key(&rel) {
                        std::fs::copy(entry.path(), staging.join(&rel))?;
                    }
                }
            }
            if dir.exists() {
                std::fs::rename(dir, &retired)?;
            }
            if let Err(e) = std::fs::rename(&staging, dir) {
                // Put the old build back before reporting.
                let _ = std::fs::rename(&retired, dir);
                return Err(e);
            }
            let _ = std::fs::remove_dir_all(&retired);
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("amplify-gql-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        root
    }

    #[test]
    fn replaces_the_whole_folder() {
        let root = scratch("replace");
        let dir = root.join("build");
        std::fs::create_dir_all(dir.join("stale")).unwrap();
        std::fs::write(dir.join("stale/old.txt"), "old").unwrap();
        std::fs::write(dir.join("tsconfig.resource.json"), "{}").unwrap();
        let mut out = BuildOutput::default();
        out.add("schema.graphql", "type A {\n  a: Int\n}\n");
        out.add("resolvers/A.a.req.vtl", "x");
        out.add_dir("functions");
        out.write_atomically(&dir).unwrap();
        assert!(!dir.join("stale").exists());
        assert!(dir.join("functions").is_dir());
        assert_eq!(
            std::fs::read_to_string(dir.join("resolvers/A.a.req.vtl")).unwrap(),
            "x"
        );
        assert!(dir.join("tsconfig.resource.json").exists(), "kept");
        let leftovers: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only build/ remains");
        assert_eq!(out.changes(&dir).unwrap(), []);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_folder_is_replaced_where_it_points() {
        let root = scratch("link");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/old.txt"), "old").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("build")).unwrap();
        let mut out = BuildOutput::default();
        out.add("new.txt", "new");
        out.write_atomically(&root.join("build")).unwrap();
        assert!(root.join("build").is_symlink());
        assert_eq!(
            std::fs::read_to_string(root.join("real/new.txt")).unwrap(),
            "new"
        );
        assert!(!root.join("real/old.txt").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn lists_changes() {
        let root = scratch("changes");
        let dir = root.join("build");
        let mut old = BuildOutput::default();
        old.add("a.txt", "1");
        old.add("gone.txt", "x");
        old.write_atomically(&dir).unwrap();
        let mut new = BuildOutput::default();
        new.add("a.txt", "2");
        new.add("b/c.txt", "3");
        new.add_dir("functions");
        let letters: Vec<String> = new
            .changes(&dir)
            .unwrap()
            .iter()
            .map(|c| format!("{} {}", c.letter(), c.path().display()))
            .collect();
        assert_eq!(
            letters,
            ["M a.txt", "A b/c.txt", "A functions", "D gone.txt"]
        );
        assert_eq!(new.changes(&root.join("missing")).unwrap().len(), 3);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
