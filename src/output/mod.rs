//! The files of a build, and writing them so that a folder is either the old build or the
//! whole new one, never a mix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Relative path → contents. Sorted, so writing and comparing are deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOutput {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

impl BuildOutput {
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// Replaces `dir` with exactly these files. The new folder is written beside the old one
    /// and swapped in with renames, so an interrupted write leaves the old folder in place.
    pub fn write_atomically(&self, dir: &Path) -> std::io::Result<()> {
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
            for (path, contents) in &self.files {
                let target = staging.join(path);
                if let Some(p) = target.parent() {
                    std::fs::create_dir_all(p)?;
                }
                std::fs::write(&target, contents)?;
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

    #[test]
    fn replaces_the_whole_folder() {
        let root = std::env::temp_dir().join(format!("amplify-gql-out-{}", std::process::id()));
        let dir = root.join("build");
        std::fs::create_dir_all(dir.join("stale")).unwrap();
        std::fs::write(dir.join("stale/old.txt"), "old").unwrap();
        let mut out = BuildOutput::default();
        out.add("schema.graphql", "type A {\n  a: Int\n}\n");
        out.add("resolvers/A.a.req.vtl", "x");
        out.write_atomically(&dir).unwrap();
        assert!(!dir.join("stale").exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("resolvers/A.a.req.vtl")).unwrap(),
            "x"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only build/ remains");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
