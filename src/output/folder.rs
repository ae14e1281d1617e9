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
//!
//! Files of one build with the same bytes (most resolver templates differ in their names,
//! not their text: 7,669 files but 451 distinct texts for the reference generator's 200
//! models) are written once and hard-linked: a link costs the kernel a third of a new file.
//! Nothing writes through a link: every write into the staging folder makes a new file.
//!
//! Paths are relative and `/`-separated, as the compile names them. The writes into the
//! staging folder run on [`Writer`]'s thread; comparing and deciding stay here, in order.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use super::writer::Writer;

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

/// Why an update failed: the folder could not be read (listed, or a file compared) or
/// could not be written.
#[derive(Debug)]
pub enum Failure {
    Read(io::Error),
    Write(io::Error),
}

impl Failure {
    /// `read` or `write`, for `cannot read build/: …`.
    pub fn verb(&self) -> &'static str {
        match self {
            Failure::Read(_) => "read",
            Failure::Write(_) => "write",
        }
    }

    pub fn into_io(self) -> io::Error {
        match self {
            Failure::Read(e) | Failure::Write(e) => e,
        }
    }
}

/// Files a compile keeps in the build folder (the Amplify CLI never deletes them).
fn is_preserved(relative: &str) -> bool {
    !relative.contains('/') && relative.ends_with("tsconfig.resource.json")
}

/// The order of paths as [`Path`] sorts them (component by component), without splitting
/// them: the separator sorts before every other byte.
fn path_order(a: &str, b: &str) -> Ordering {
    let key = |c: u8| if c == b'/' { 0 } else { c };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// The files of a folder and its folders.
#[derive(Default)]
struct Listing {
    files: HashMap<String, Existing>,
    dirs: HashSet<String>,
}

/// A file of the folder, and what the build made of its path: kept with the listing, so a
/// recompile (every path already there, 204,338 at 5,000 models) holds each path once.
struct Existing {
    /// `None` while the build has not given the path; then whether its bytes are the same.
    produced: Option<bool>,
}

fn list(dir: &Path) -> io::Result<Listing> {
    let mut listing = Listing::default();
    if !dir.is_dir() {
        return Ok(listing);
    }
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(dir.join(&rel))? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let path = if rel.is_empty() {
                name.into_owned()
            } else {
                format!("{rel}/{name}")
            };
            if entry.file_type()?.is_dir() {
                listing.dirs.insert(path.clone());
                stack.push(path);
            } else {
                // No size: comparing reads the file anyway, and a stat of each of 200,000
                // files costs more than the rare file of another size read for nothing.
                listing.files.insert(path, Existing { produced: None });
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
    /// Paths of the build the folder does not have (those it has are marked in `existing`);
    /// a path given twice counts once, with its last contents.
    added: HashSet<String>,
    dirs: BTreeSet<String>,
    /// Whether `staging` has been made (and holds, or is being given, every file produced
    /// so far).
    staged: bool,
    /// The thread writing into `staging`, from when it is made until `finish`.
    writer: Option<Writer>,
    /// The first path written new into `staging` with each text (by its digest), and the
    /// other way round: a later file with the same bytes is linked to it.
    written: HashMap<u128, String>,
    written_as: HashMap<String, u128>,
    /// Folders made inside `staging`: thousands of files share a few folders, so each is
    /// made once, not once per file.
    made: HashSet<String>,
    /// The first error met while comparing or writing; reported by `finish`.
    failed: Option<Failure>,
    /// A piece of the old file being compared: one buffer for every file.
    read: Vec<u8>,
}

/// Whether the file at `path` holds exactly `contents` (a file that cannot be read does
/// not). Read a piece at a time into one buffer: the root template is 50 MB at 5,000 models.
fn holds(path: &Path, contents: &[u8], buf: &mut Vec<u8>) -> bool {
    use std::io::Read;
    const PIECE: usize = 64 << 10;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    buf.resize(PIECE, 0);
    let mut rest = contents;
    loop {
        match file.read(buf) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && buf[..n] == rest[..n] => rest = &rest[n..],
            Ok(_) => return false,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

impl Update {
    /// Starts an update of `dir`, listing what it holds now.
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
            added: HashSet::new(),
            dirs: BTreeSet::new(),
            staged: false,
            writer: None,
            written: HashMap::new(),
            written_as: HashMap::new(),
            made: HashSet::new(),
            failed: None,
            read: Vec::new(),
        })
    }

    /// One file of the build, by its relative `/`-separated path.
    pub fn file(&mut self, path: &str, contents: Vec<u8>) {
        if self.failed.is_some() {
            return;
        }
        let (same, again) = match self.existing.files.get_mut(path) {
            Some(old) => {
                let same = holds(&self.dir.join(path), &contents, &mut self.read);
                (same, old.produced.replace(same).is_some())
            }
            None => (false, !self.added.insert(path.to_string())),
        };
        if self.mode == Mode::Check || (same && !self.staged) {
            return;
        }
        let result = if self.staged {
            Ok(())
        } else {
            self.start_staging()
        };
        if let Err(e) = result.and_then(|()| self.stage(path, contents, same, again)) {
            self.failed = Some(Failure::Write(e));
        }
    }

    /// A folder that exists in the build even when nothing is written into it.
    pub fn dir(&mut self, path: &str) {
        self.dirs.insert(path.to_string());
    }

    /// Makes the staging folder and links every file that was the same so far into it.
    fn start_staging(&mut self) -> io::Result<()> {
        let _ = std::fs::remove_dir_all(&self.staging);
        std::fs::create_dir_all(&self.staging)?;
        self.staged = true;
        self.writer = Some(Writer::start());
        self.made.clear();
        let same: Vec<String> = self
            .existing
            .files
            .iter()
            .filter(|(_, old)| old.produced == Some(true))
            .map(|(p, _)| p.clone())
            .collect();
        for path in same {
            self.link(&path, false)?;
        }
        Ok(())
    }

    fn stage(&mut self, path: &str, contents: Vec<u8>, same: bool, again: bool) -> io::Result<()> {
        if same {
            return self.link(path, again);
        }
        self.make_parent(path)?;
        let to = self.staging.join(path);
        if again && let Some(old) = self.written_as.remove(path) {
            // Its file is about to be replaced: no longer a source of links.
            self.written.remove(&old);
        }
        let text = xxhash_rust::xxh3::xxh3_128(&contents);
        if let Some(source) = self.written.get(&text) {
            let from = self.staging.join(source);
            self.writer().link(from, to, again);
        } else {
            self.written.insert(text, path.to_string());
            self.written_as.insert(path.to_string(), text);
            self.writer().write(to, contents, again);
        }
        Ok(())
    }

    /// The old file, unchanged, in the staging folder: a hard link, or a copy where the file
    /// system has none. `again`: the path was staged before, so what is there goes first.
    fn link(&mut self, path: &str, again: bool) -> io::Result<()> {
        self.make_parent(path)?;
        let (from, to) = (self.dir.join(path), self.staging.join(path));
        self.writer().link(from, to, again);
        Ok(())
    }

    fn writer(&mut self) -> &mut Writer {
        self.writer.get_or_insert_with(Writer::start)
    }

    /// The folder of `path` in the staging folder, made here, before any file of it is
    /// handed to a writer.
    fn make_parent(&mut self, path: &str) -> io::Result<()> {
        let Some((parent, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        if !self.made.contains(parent) {
            std::fs::create_dir_all(self.staging.join(parent))?;
            self.made.insert(parent.to_string());
        }
        Ok(())
    }

    /// What the build changes in the folder, sorted by path.
    fn changes(&self) -> Vec<Change> {
        // Sorted by path before the paths are made.
        type Made = fn(PathBuf) -> Change;
        let mut out: Vec<(&str, Made)> = Vec::new();
        for path in &self.added {
            out.push((path, Change::Added));
        }
        for (path, old) in &self.existing.files {
            match old.produced {
                Some(false) => out.push((path, Change::Modified)),
                None if !is_preserved(path) => out.push((path, Change::Removed)),
                _ => {}
            }
        }
        for d in &self.dirs {
            if !self.existing.dirs.contains(d) {
                out.push((d, Change::AddedFolder));
            }
        }
        out.sort_by(|a, b| path_order(a.0, b.0));
        out.into_iter()
            .map(|(path, change)| change(PathBuf::from(path)))
            .collect()
    }

    /// Ends the update: in `Check` mode returns the changes; in `Write` mode swaps the new
    /// folder in (when anything changed) and returns what changed.
    pub fn finish(mut self) -> Result<Vec<Change>, Failure> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let changes = self.changes();
        if self.mode == Mode::Check || changes.is_empty() {
            return Ok(changes);
        }
        self.swap_in().map_err(Failure::Write)?;
        Ok(changes)
    }

    /// Completes the staging folder and puts it in place of the target.
    fn swap_in(&mut self) -> io::Result<()> {
        if !self.staged {
            self.start_staging()?;
        }
        for d in &self.dirs {
            std::fs::create_dir_all(self.staging.join(d))?;
        }
        let preserved: Vec<String> = self
            .existing
            .files
            .iter()
            .filter(|(p, old)| is_preserved(p) && old.produced.is_none())
            .map(|(p, _)| p.clone())
            .collect();
        for path in preserved {
            self.link(&path, false)?;
        }
        if let Some(writer) = self.writer.take() {
            writer.finish()?;
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
        Ok(())
    }
}

impl Drop for Update {
    fn drop(&mut self) {
        // Every write ends before the folder goes.
        drop(self.writer.take());
        if self.staged {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_holds_exactly_its_bytes_whatever_its_size() {
        let dir = std::env::temp_dir().join(format!("amplify-gql-holds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        let mut buf = Vec::new();
        assert!(holds(&path, &big, &mut buf));
        let mut last = big.clone();
        *last.last_mut().unwrap() ^= 1;
        assert!(!holds(&path, &last, &mut buf));
        // The file is longer, or shorter, than what is compared.
        assert!(!holds(&path, &big[..big.len() - 1], &mut buf));
        assert!(!holds(&path, &[&big[..], b"x"].concat(), &mut buf));
        assert!(!holds(&dir.join("missing"), b"", &mut buf));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_sort_as_path_sorts_them() {
        let names = [
            "stacks/x.json",
            "stacks.json",
            "stacks-a",
            "stacks",
            "a/b/c",
            "a/b.c",
            "a.b/c",
            "resolvers/Query.getA.req.vtl",
            "resolvers/Query.get.req.vtl",
            "resolvers/Query/x",
        ];
        let mut ours = names.to_vec();
        ours.sort_by(|a, b| path_order(a, b));
        let mut std = names.to_vec();
        std.sort_by(|a, b| Path::new(a).cmp(Path::new(b)));
        assert_eq!(ours, std);
    }
}
