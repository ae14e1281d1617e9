//! Bringing a build folder up to date with a build, one file at a time as the compiler makes
//! them: a file whose bytes are already there is left alone (same inode, same modification
//! time), and the folder is swapped in whole, so `build/` is always either the old build or
//! the whole new one.
//!
//! Nothing is written while every file so far equals the folder's. At the first difference a
//! staging folder is made beside the target, and from then on an unchanged file is a hard link
//! to the old one and a changed file is written new. `finish` swaps the staging folder in with
//! two renames; a build equal to the folder writes nothing at all. Dropping an update before
//! `finish` (a failed compile) removes the staging folder and leaves the target as it was.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

/// How a path of the folder differs from the build.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Added(PathBuf),
    /// A folder the build has (even empty) and the target lacks.
    AddedFolder(PathBuf),
    Modified(PathBuf),
    Removed(PathBuf),
}

impl Change {
    pub fn path(&self) -> &Path {
        match self {
            Change::Added(p)
            | Change::AddedFolder(p)
            | Change::Modified(p)
            | Change::Removed(p) => p,
        }
    }

    /// `A`, `M` or `D`, as `git status --short` prints them.
    pub fn letter(&self) -> char {
        match self {
            Change::Added(_) | Change::AddedFolder(_) => 'A',
            Change::Modified(_) => 'M',
            Change::Removed(_) => 'D',
        }
    }
}

/// `A resolvers/Query.getPost.req.vtl`, and a folder with a trailing `/`.
impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let slash = if matches!(self, Change::AddedFolder(_)) {
            "/"
        } else {
            ""
        };
        write!(f, "{} {}{slash}", self.letter(), self.path().display())
    }
}

/// Whether an update writes (`gql-compile`) or only compares (`--check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// Files a compile keeps in the build folder (the Amplify CLI never deletes them).
fn is_preserved(relative: &Path) -> bool {
    relative.components().count() == 1
        && relative
            .to_str()
            .is_some_and(|n| n.ends_with("tsconfig.resource.json"))
}

/// The files of a folder (relative path → size) and its folders.
#[derive(Default)]
struct Listing {
    files: HashMap<PathBuf, u64>,
    dirs: HashSet<PathBuf>,
}

fn list(dir: &Path) -> io::Result<Listing> {
    let mut listing = Listing::default();
    if !dir.is_dir() {
        return Ok(listing);
    }
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let path = rel.join(entry.file_name());
            let kind = entry.file_type()?;
            if kind.is_dir() {
                listing.dirs.insert(path.clone());
                stack.push(path);
            } else {
                let len = entry.metadata()?.len();
                listing.files.insert(path, len);
            }
        }
    }
    Ok(listing)
}

/// A build folder being brought up to date.
pub struct Update {
    mode: Mode,
    /// The folder (a linked folder is updated where the link points).
    dir: PathBuf,
    staging: PathBuf,
    retired: PathBuf,
    existing: Listing,
    /// Path → whether the build's bytes equal the folder's; a path given twice counts once,
    /// with its last contents.
    produced: HashMap<PathBuf, bool>,
    dirs: BTreeSet<PathBuf>,
    /// Whether `staging` has been made (and holds every file produced so far).
    staged: bool,
    /// Folders made inside `staging`: thousands of files share a few folders, so each is
    /// made once, not once per file.
    made: HashSet<PathBuf>,
    /// The first error met while writing; reported by `finish`.
    failed: Option<io::Error>,
}

impl Update {
    pub fn begin(dir: &Path, mode: Mode) -> io::Result<Update> {
        let dir = if dir.is_symlink() {
            dir.canonicalize()?
        } else {
            dir.to_path_buf()
        };
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dir
            .file_name()
            .map_or("build".into(), |n| n.to_string_lossy().into_owned());
        let pid = std::process::id();
        Ok(Update {
            mode,
            staging: parent.join(format!(".{name}.new-{pid}")),
            retired: parent.join(format!(".{name}.old-{pid}")),
            existing: list(&dir)?,
            dir,
            produced: HashMap::new(),
            dirs: BTreeSet::new(),
            staged: false,
            made: HashSet::new(),
            failed: None,
        })
    }

    /// One file of the build.
    pub fn file(&mut self, path: &Path, contents: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        let same = self.existing.files.get(path) == Some(&(contents.len() as u64))
            && std::fs::read(self.dir.join(path)).is_ok_and(|old| old == contents);
        let again = self.produced.insert(path.to_path_buf(), same).is_some();
        if self.mode == Mode::Check {
            return;
        }
        let result = if self.staged {
            self.stage(path, contents, same, again)
        } else if same {
            Ok(())
        } else {
            self.start_staging()
                .and_then(|()| self.stage(path, contents, same, again))
        };
        if let Err(e) = result {
            self.failed = Some(e);
        }
    }

    /// A folder that exists in the build even when nothing is written into it.
    pub fn dir(&mut self, path: &Path) {
        self.dirs.insert(path.to_path_buf());
    }

    /// Makes the staging folder and links every file that was the same so far into it.
    fn start_staging(&mut self) -> io::Result<()> {
        let _ = std::fs::remove_dir_all(&self.staging);
        std::fs::create_dir_all(&self.staging)?;
        self.staged = true;
        self.made.clear();
        let same: Vec<PathBuf> = self
            .produced
            .iter()
            .filter(|(_, same)| **same)
            .map(|(p, _)| p.clone())
            .collect();
        for path in same {
            self.link(&path)?;
        }
        Ok(())
    }

    fn stage(&mut self, path: &Path, contents: &[u8], same: bool, again: bool) -> io::Result<()> {
        let target = self.staging.join(path);
        if again {
            // Never write through a link to the old build.
            let _ = std::fs::remove_file(&target);
        }
        if same {
            return self.link(path);
        }
        self.make_parent(path)?;
        std::fs::write(&target, contents)
    }

    /// The old file, unchanged, in the staging folder: a hard link, or a copy where the file
    /// system has none.
    fn link(&mut self, path: &Path) -> io::Result<()> {
        self.make_parent(path)?;
        let (from, to) = (self.dir.join(path), self.staging.join(path));
        std::fs::hard_link(&from, &to).or_else(|_| std::fs::copy(&from, &to).map(|_| ()))
    }

    /// The folder of `path` in the staging folder.
    fn make_parent(&mut self, path: &Path) -> io::Result<()> {
        let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
            return Ok(());
        };
        if !self.made.contains(parent) {
            std::fs::create_dir_all(self.staging.join(parent))?;
            self.made.insert(parent.to_path_buf());
        }
        Ok(())
    }

    /// What the build changes in the folder, sorted by path.
    fn changes(&self) -> Vec<Change> {
        let mut out = Vec::new();
        for (path, same) in &self.produced {
            if !self.existing.files.contains_key(path) {
                out.push(Change::Added(path.clone()));
            } else if !same {
                out.push(Change::Modified(path.clone()));
            }
        }
        for d in &self.dirs {
            if !self.existing.dirs.contains(d) {
                out.push(Change::AddedFolder(d.clone()));
            }
        }
        for path in self.existing.files.keys() {
            if !self.produced.contains_key(path) && !is_preserved(path) {
                out.push(Change::Removed(path.clone()));
            }
        }
        out.sort_by(|a, b| a.path().cmp(b.path()));
        out
    }

    /// Ends the update: in `Check` mode returns the changes; in `Write` mode swaps the new
    /// folder in (when anything changed) and returns what changed.
    pub fn finish(mut self) -> io::Result<Vec<Change>> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let changes = self.changes();
        if self.mode == Mode::Check || changes.is_empty() {
            return Ok(changes);
        }
        if !self.staged {
            self.start_staging()?;
        }
        for d in &self.dirs {
            std::fs::create_dir_all(self.staging.join(d))?;
        }
        let preserved: Vec<PathBuf> = self
            .existing
            .files
            .keys()
            .filter(|p| is_preserved(p) && !self.produced.contains_key(*p))
            .cloned()
            .collect();
        for path in preserved {
            self.link(&path)?;
        }
        if self.dir.exists() {
            std::fs::rename(&self.dir, &self.retired)?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.dir) {
            // Put the old build back before reporting.
            let _ = std::fs::rename(&self.retired, &self.dir);
            return Err(e);
        }
        self.staged = false;
        let _ = std::fs::remove_dir_all(&self.retired);
        Ok(changes)
    }
}

impl Drop for Update {
    fn drop(&mut self) {
        if self.staged {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
