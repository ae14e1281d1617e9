//! The user documentation stays true:
//!
//! - every diagnostic code of `Code::ALL` has a section in `docs/diagnostics.md`, headed by
//!   its code and title, with an example whose output shows that code;
//! - every example in `docs/diagnostics.md` prints what the document says it prints. An
//!   example is a section's files (fenced blocks with `title="path"`) and its ```` ```console ````
//!   blocks (`$ amplify-gql …` then the output), run in a scratch folder through the built
//!   binary (a ```` ```symlink title="path" ```` block makes a link to the path it holds).
//!   After an intended change of a message, refresh the outputs with
//!   `UPDATE_DOCS=1 cargo test --test docs` and review the diff;
//! - `docs/commands.md` documents every option of `status`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use amplify_gql::diagnostics::Code;

const BIN: &str = env!("CARGO_BIN_EXE_amplify-gql");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A fenced block of a Markdown document.
struct Block {
    /// The info string after the opening fence.
    info: String,
    /// Line index of the first content line, and the content lines.
    start: usize,
    lines: Vec<String>,
}

/// One `## ` section: its heading and its fenced blocks.
struct Section {
    heading: String,
    blocks: Vec<Block>,
}

fn sections(doc: &str) -> Vec<Section> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out: Vec<Section> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(h) = line.strip_prefix("## ") {
            out.push(Section {
                heading: h.to_string(),
                blocks: Vec::new(),
            });
        } else if let Some(info) = line.strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && lines[end] != "```" {
                end += 1;
            }
            assert!(end < lines.len(), "unclosed fence at line {i}");
            if let Some(section) = out.last_mut() {
                section.blocks.push(Block {
                    info: info.to_string(),
                    start,
                    lines: lines[start..end].iter().map(|l| l.to_string()).collect(),
                });
            }
            i = end;
        }
        i += 1;
    }
    out
}

/// `title="x"` in a fence's info string.
fn title(info: &str) -> Option<&str> {
    let rest = &info[info.find("title=\"")? + 7..];
    Some(&rest[..rest.find('"')?])
}

/// Runs one `$ amplify-gql …` line in `dir`: stdout (unless redirected to /dev/null), then
/// stderr, with the scratch folder's path removed.
fn run(dir: &Path, command: &str) -> String {
    let mut words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"amplify-gql"), "{command}");
    words.remove(0);
    let quiet = words.ends_with(&[">", "/dev/null"]);
    if quiet {
        words.truncate(words.len() - 2);
    }
    let out = Command::new(BIN)
        .args(&words)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    let mut text = String::new();
    if !quiet {
        text.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let prefix = format!("{}/", dir.display());
    text.replace(&prefix, "")
}

fn scratch(name: &str) -> PathBuf {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    common::binary::scratch("docs", &slug)
        .canonicalize()
        .unwrap()
}

/// Runs every example of a document; returns the document with the actual outputs and the
/// list of examples whose output differed.
fn check_examples(rel: &str) -> (String, Vec<String>) {
    let doc = read(rel);
    let mut lines: Vec<String> = doc.lines().map(str::to_string).collect();
    let mut mismatches = Vec::new();
    // Replacements are applied bottom-up so that line numbers stay valid.
    let mut replacements: Vec<(usize, usize, Vec<String>)> = Vec::new();
    for section in sections(&doc) {
        let dir = scratch(&section.heading);
        for block in &section.blocks {
            if let Some(path) = title(&block.info) {
                let file = dir.join(path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                // ```symlink title="link"``` holds the link's target.
                if block.info.starts_with("symlink") {
                    #[cfg(unix)]
                    std::os::unix::fs::symlink(block.lines.join(""), &file).unwrap();
                    continue;
                }
                let mut text = block.lines.join("\n");
                text.push('\n');
                std::fs::write(file, text).unwrap();
            } else if block.info == "console" {
                let Some(command) = block.lines.first().and_then(|l| l.strip_prefix("$ ")) else {
                    continue;
                };
                let actual = run(&dir, command);
                let actual: Vec<String> = actual.lines().map(str::to_string).collect();
                let expected = &block.lines[1..];
                if expected != actual.as_slice() {
                    mismatches.push(format!(
                        "{rel}:{}: `{command}` in section `{}`\n--- documented\n{}\n--- actual\n{}",
                        block.start,
                        section.heading,
                        expected.join("\n"),
                        actual.join("\n")
                    ));
                }
                replacements.push((block.start + 1, block.start + block.lines.len(), actual));
            }
        }
    }
    for (from, to, new) in replacements.into_iter().rev() {
        lines.splice(from..to, new);
    }
    let mut updated = lines.join("\n");
    updated.push('\n');
    (updated, mismatches)
}

#[test]
fn every_code_is_documented_with_an_example() {
    let doc = read("docs/diagnostics.md");
    let sections = sections(&doc);
    let mut missing = Vec::new();
    for code in Code::ALL {
        let heading = format!("{}: {}", code.as_str(), code.title());
        let Some(section) = sections.iter().find(|s| s.heading == heading) else {
            missing.push(format!("no section `## {heading}`"));
            continue;
        };
        // As rendered for people (`error[E0001]`) or for CI (`title=E1003` in an annotation).
        let shown = format!("[{}]", code.as_str());
        let annotated = format!("title={},", code.as_str());
        let annotated_last = format!("title={}::", code.as_str());
        let has_example = section.blocks.iter().any(|b| {
            b.info == "console"
                && b.lines.iter().any(|l| {
                    l.contains(&shown) || l.contains(&annotated) || l.contains(&annotated_last)
                })
        });
        if !has_example {
            missing.push(format!(
                "section `{heading}` has no example that prints {shown}"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/diagnostics.md is incomplete:\n{}",
        missing.join("\n")
    );
    // And no section for a code that does not exist.
    for s in &sections {
        if let Some((code, _)) = s.heading.split_once(": ")
            && code.len() == 5
            && (code.starts_with('E') || code.starts_with('W'))
        {
            assert!(
                Code::ALL.iter().any(|c| c.as_str() == code),
                "docs/diagnostics.md documents {code}, which is not in Code::ALL"
            );
        }
    }
}

#[test]
fn diagnostics_examples_print_what_the_docs_say() {
    for rel in [
        "docs/diagnostics.md",
        "docs/commands.md",
        "docs/compatibility.md",
        "docs/diff.md",
        "docs/limits.md",
        "docs/lint.md",
    ] {
        let (updated, mismatches) = check_examples(rel);
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(root().join(rel), updated).unwrap();
            continue;
        }
        assert!(
            mismatches.is_empty(),
            "{} example(s) in {rel} print something else now; if the change is intended, run \
             `UPDATE_DOCS=1 cargo test --test docs` and review the diff.\n\n{}",
            mismatches.len(),
            mismatches.join("\n\n")
        );
    }
}

#[test]
fn commands_doc_covers_every_status_option() {
    let doc = read("docs/commands.md");
    let help = Command::new(BIN)
        .args(["status", "--help"])
        .output()
        .expect("the binary runs");
    let help = String::from_utf8(help.stdout).unwrap();
    // The option column of the help: the first words of lines that start with `-`.
    let options: Vec<&str> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .flat_map(|l| l.split_whitespace().take(3))
        .map(|w| w.trim_end_matches(','))
        .filter(|w| w.starts_with("--"))
        .collect();
    assert!(options.contains(&"--acm"), "{help}");
    for option in options {
        if option == "--help" {
            continue;
        }
        assert!(
            doc.contains(&format!("`{option}")),
            "docs/commands.md does not document `{option}`"
        );
    }
}

#[test]
fn compatibility_doc_names_the_deliberate_differences() {
    let doc = read("docs/compatibility.md");
    for needle in [
        "function:custom",
        "identityPool:private",
        "identityPool:public",
        "Could not create a role",
        "stderr",
        "exit",
        "W0007",
    ] {
        assert!(
            doc.contains(needle),
            "docs/compatibility.md lacks `{needle}`"
        );
    }
}

#[test]
fn readme_shows_the_commands_that_work() {
    let readme = read("README.md");
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("cargo run -- status -acm Post --project examples/blog-project"));
    assert!(readme.contains("cargo test"));
    let ci = read(".ci/run");
    assert!(ci.contains("cargo fmt --all -- --check"));
    assert!(ci.contains("cargo clippy --all-targets -- -D warnings"));
    assert!(ci.contains("cargo test"));
}
