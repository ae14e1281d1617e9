//! The files of a build and where they go. A compile hands each file to a [`Sink`] as soon as
//! it is made: [`BuildOutput`] keeps them in memory (tests, the library's `compile`), and
//! [`Update`] brings a build folder up to date with them, or lists what that would change
//! (`--check`).

mod background;
mod batch;
mod folder;
mod writer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use background::BackgroundUpdate;
pub use folder::{Change, Failure, Mode, Update};

/// Where a compile puts the files of a build, one by one. A path given twice keeps its last
/// contents.
pub trait Sink {
    fn file(&mut self, path: &str, contents: Vec<u8>);
    /// A folder that exists in the build even when nothing is written into it.
    fn dir(&mut self, path: &str);
}

/// Relative path → contents, and folders that exist even when empty. Sorted, so writing and
/// comparing are deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOutput {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Folders to create even without files (`functions/`).
    pub dirs: BTreeSet<PathBuf>,
}

impl Sink for BuildOutput {
    fn file(&mut self, path: &str, contents: Vec<u8>) {
        self.add(path, contents);
    }

    fn dir(&mut self, path: &str) {
        self.add_dir(path);
    }
}

impl Sink for Update {
    fn file(&mut self, path: &str, contents: Vec<u8>) {
        Update::file(self, path, contents);
    }

    fn dir(&mut self, path: &str) {
        Update::dir(self, path);
    }
}

impl BuildOutput {
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// A folder that exists in the build even when nothing is written into it.
    pub fn add_dir(&mut self, path: impl Into<PathBuf>) {
        self.dirs.insert(path.into());
    }

    /// The CloudFormation templates of a build folder (`cloudformation-template.json` and
    /// `stacks/*.json`), for tools that count or compare them. `Err` when the folder has no
    /// root template.
    pub fn read_templates(dir: &Path) -> std::io::Result<BuildOutput> {
        let mut build = BuildOutput::default();
        let root = std::fs::read(dir.join("cloudformation-template.json"))?;
        build.add("cloudformation-template.json", root);
        if let Ok(entries) = std::fs::read_dir(dir.join("stacks")) {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect();
            names.sort();
            for name in names {
                let bytes = std::fs::read(dir.join("stacks").join(&name))?;
                build.add(format!("stacks/{name}"), bytes);
            }
        }
        Ok(build)
    }

    pub fn get(&self, path: impl AsRef<Path>) -> Option<&[u8]> {
        self.files.get(path.as_ref()).map(Vec::as_slice)
    }

    fn update(&self, dir: &Path, mode: Mode) -> std::io::Result<Vec<Change>> {
        let mut update = Update::begin(dir, mode)?;
        for (path, contents) in &self.files {
            update.file(&slashed(path), contents.clone());
        }
        for d in &self.dirs {
            update.dir(&slashed(d));
        }
        update.finish().map_err(Failure::into_io)
    }

    /// What writing this build into `dir` would change: files added, modified or removed,
    /// and required folders that are missing. A missing `dir` adds everything.
    pub fn changes(&self, dir: &Path) -> std::io::Result<Vec<Change>> {
        self.update(dir, Mode::Check)
    }

    /// Replaces `dir` with exactly these files (keeping the Amplify CLI's
    /// `*tsconfig.resource.json` files), leaving unchanged files as they are; see [`Update`].
    pub fn write_atomically(&self, dir: &Path) -> std::io::Result<()> {
        self.update(dir, Mode::Write).map(|_| ())
    }
}

/// A relative path as the compile names it: `/`-separated.
fn slashed(path: &Path) -> String {
    let parts: Vec<_> = path.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
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

    #[test]
    fn a_path_given_twice_keeps_its_last_contents_and_spares_the_old_build() {
        let root = scratch("twice");
        let dir = root.join("build");
        let mut old = BuildOutput::default();
        old.add("a.txt", "old");
        old.write_atomically(&dir).unwrap();
        let kept = root.join("kept.txt");
        std::fs::hard_link(dir.join("a.txt"), &kept).unwrap();
        let mut update = Update::begin(&dir, Mode::Write).unwrap();
        // The first time equal to the folder (linked into the new one), then changed: the
        // change must not go through the link into the old file.
        update.file("a.txt", b"old".to_vec());
        for i in 0..200 {
            update.file(&format!("many/{i}.txt"), i.to_string().into_bytes());
        }
        update.file("a.txt", b"new".to_vec());
        update.file("many/7.txt", b"last".to_vec());
        let changes = update.finish().unwrap();
        assert_eq!(changes.len(), 201);
        assert_eq!(std::fs::read_to_string(dir.join("a.txt")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "old");
        assert_eq!(
            std::fs::read_to_string(dir.join("many/7.txt")).unwrap(),
            "last"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("many/199.txt")).unwrap(),
            "199"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn files_with_the_same_bytes_share_one_file_and_a_later_change_splits_them() {
        use std::os::unix::fs::MetadataExt;
        let root = scratch("twins");
        let dir = root.join("build");
        let inode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().ino();
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
        let mut first = BuildOutput::default();
        for i in 0..100 {
            first.add(format!("r/{i}.vtl"), "same");
        }
        first.add("other.txt", "different");
        first.write_atomically(&dir).unwrap();
        assert!((1..100).all(|i| inode(&format!("r/{i}.vtl")) == inode("r/0.vtl")));
        assert_ne!(inode("other.txt"), inode("r/0.vtl"));
        // One of them changes: written new, never through the link into its twins.
        let mut second = first.clone();
        second.add("r/5.vtl", "changed");
        second.write_atomically(&dir).unwrap();
        assert_eq!(read("r/5.vtl"), "changed");
        assert!(
            (0..100)
                .filter(|i| *i != 5)
                .all(|i| read(&format!("r/{i}.vtl")) == "same")
        );
        assert_eq!(second.changes(&dir).unwrap(), []);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_path_given_twice_is_never_a_stale_source_of_twins() {
        let root = scratch("twins-twice");
        let dir = root.join("build");
        let mut update = Update::begin(&dir, Mode::Write).unwrap();
        // `s` is written with "one", then replaced: a later "one" must not link to it.
        update.file("s.txt", b"one".to_vec());
        update.file("s.txt", b"two".to_vec());
        update.file("t.txt", b"one".to_vec());
        // `u` is a twin of `t`, then given its own bytes.
        update.file("u.txt", b"one".to_vec());
        for i in 0..300 {
            update.file(&format!("many/{i}.txt"), b"one".to_vec());
        }
        update.file("u.txt", b"three".to_vec());
        update.file("many/9.txt", b"four".to_vec());
        update.finish().unwrap();
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap();
        assert_eq!(
            [
                read("s.txt"),
                read("t.txt"),
                read("u.txt"),
                read("many/9.txt")
            ],
            ["two", "one", "three", "four"]
        );
        assert!(
            (0..300)
                .filter(|i| *i != 9)
                .all(|i| read(&format!("many/{i}.txt")) == "one")
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn more_than_the_writer_may_hold_waits_and_is_all_written() {
        let root = scratch("budget");
        let dir = root.join("build");
        let mut update = BackgroundUpdate::begin(&dir, Mode::Write);
        // 40 MiB of distinct contents: more than may wait for the writer at once.
        for i in 0..40u8 {
            Sink::file(&mut update, &format!("big/{i}.bin"), vec![i; 1 << 20]);
        }
        assert_eq!(update.finish().unwrap().len(), 40);
        for i in 0..40u8 {
            assert_eq!(
                std::fs::read(dir.join(format!("big/{i}.bin"))).unwrap(),
                vec![i; 1 << 20]
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_dropped_update_leaves_the_folder_and_no_staging() {
        let root = scratch("dropped");
        let dir = root.join("build");
        let mut old = BuildOutput::default();
        old.add("a.txt", "old");
        old.write_atomically(&dir).unwrap();
        let mut update = BackgroundUpdate::begin(&dir, Mode::Write);
        for i in 0..500 {
            Sink::file(&mut update, &format!("r/{i}.vtl"), vec![b'x'; 100]);
        }
        update.abandon();
        let left: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["build"]);
        assert_eq!(old.changes(&dir).unwrap(), []);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_cannot_be_read_is_a_read_failure() {
        let root = scratch("unreadable");
        std::fs::create_dir_all(&root).unwrap();
        let dir = root.join("build");
        std::os::unix::fs::symlink(root.join("nowhere"), &dir).unwrap();
        let mut update = BackgroundUpdate::begin(&dir, Mode::Write);
        Sink::file(&mut update, "a.txt", b"a".to_vec());
        let failure = update.finish().unwrap_err();
        assert_eq!(failure.verb(), "read");
        assert!(!root.join("nowhere").exists());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
