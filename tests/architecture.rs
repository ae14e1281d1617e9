//! The layout rules of `docs/architecture.md`, checked on the sources: no import circle between
//! top-level modules or between the files of a stage, every import pointing down the documented
//! order of stages, the command line on the library's public API only, and no top-level folder
//! holding more than 30% of the lines.
//!
//! A module "imports" another when one of its files names `crate::<other>` (in a `use`, grouped
//! `use crate::{a, b::c}` included, or in a path in code). Comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The code of a file without its comments (line comments, doc comments and block comments).
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if !in_string && rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        if !in_string && rest.starts_with("/*") {
            let end = rest.find("*/").map_or(rest.len(), |i| i + 2);
            rest = &rest[end..];
            continue;
        }
        if c == '"' && !out.ends_with('\\') && !out.ends_with('\'') {
            in_string = !in_string;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The top-level names a text refers to through `crate::`.
fn crate_references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let after = &code[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // `crate::{a::b, c, d::{e, f}}`: the first name of each top-level item.
            let mut depth = 0usize;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphanumeric() || c == '_') => {
                        out.insert(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Module → (module it imports → the files that import it).
fn import_graph() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let modules: BTreeSet<String> = rust_files(&src())
        .iter()
        .filter_map(|f| module_of(f))
        .collect();
    let mut graph: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let Some(from) = module_of(&file) else {
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let rel = file.strip_prefix(src()).unwrap().display().to_string();
        let entry = graph.entry(from.clone()).or_default();
        for to in crate_references(&code) {
            if to != from && modules.contains(&to) {
                entry.entry(to).or_default().insert(rel.clone());
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan's algorithm).
fn circles(graph: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(edges) = s.graph.get(v) {
            for w in edges.keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if s.on_stack.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.out.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Inside a stage's folder: file module → sibling it names (`super::x` or `crate::stage::x`).
fn stage_graphs() -> BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeSet<String>>>> {
    let mut out: BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeSet<String>>>> =
        BTreeMap::new();
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // Only the files directly in a stage's folder (its own mod.rs aside).
        if parts.len() != 2 || parts[1] == "mod.rs" {
            continue;
        }
        let (stage, me) = (&parts[0], parts[1].trim_end_matches(".rs").to_string());
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        let mut names = BTreeSet::new();
        for prefix in ["super::".to_string(), format!("crate::{stage}::")] {
            for (i, _) in code.match_indices(&prefix) {
                let name: String = code[i + prefix.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
        let graph = out.entry(stage.clone()).or_default();
        let edges = graph.entry(me.clone()).or_default();
        for name in names {
            let sibling = src().join(stage).join(format!("{name}.rs"));
            let folder = src().join(stage).join(&name).join("mod.rs");
            if name != me && (sibling.is_file() || folder.is_file()) {
                edges
                    .entry(name)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }
    out
}

#[test]
fn no_import_circle_between_the_modules_of_a_stage() {
    let mut report = String::new();
    for (stage, graph) in stage_graphs() {
        for component in circles(&graph) {
            report.push_str(&format!("circle in {stage}/: {}\n", component.join(", ")));
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let graph = import_graph();
    let found = circles(&graph);
    let mut report = String::new();
    for component in &found {
        report.push_str(&format!("circle: {}\n", component.join(", ")));
        for from in component {
            for (to, files) in &graph[from] {
                if component.contains(to) {
                    let files: Vec<_> = files.iter().cloned().collect();
                    report.push_str(&format!("  {from} -> {to} ({})\n", files.join(", ")));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "import circles between top-level modules:\n{report}"
    );
}

/// The order of the stages as `docs/architecture.md` states it: the line of the form
/// `` `a`, `b` (leaves) → `c` → … ``, each step's modules ranked one above the step before.
fn layers() -> BTreeMap<String, usize> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .unwrap();
    // The paragraph that starts with the leaves, joined across its line breaks.
    let start = doc
        .find("(leaves) →")
        .and_then(|i| doc[..i].rfind("\n\n"))
        .expect("docs/architecture.md states the order of the stages");
    let paragraph = &doc[start + 2..];
    let line = paragraph[..paragraph.find("\n\n").unwrap_or(paragraph.len())].replace('\n', " ");
    let mut out = BTreeMap::new();
    for (rank, step) in line.split('→').enumerate() {
        for name in step.split('`').skip(1).step_by(2) {
            out.insert(name.to_string(), rank);
        }
    }
    out
}

#[test]
fn every_import_points_down_the_documented_order_of_stages() {
    let layers = layers();
    let mut report = String::new();
    for (from, edges) in import_graph() {
        let Some(&rank) = layers.get(&from) else {
            report.push_str(&format!(
                "{from} is not in the order of docs/architecture.md\n"
            ));
            continue;
        };
        for (to, files) in edges {
            if layers.get(&to).is_none_or(|&r| r >= rank) {
                let files: Vec<_> = files.into_iter().collect();
                report.push_str(&format!("{from} -> {to} ({})\n", files.join(", ")));
            }
        }
    }
    assert!(
        report.is_empty(),
        "imports against the documented order:\n{report}"
    );
}

/// The stages the command line may use: the library's entry points (`crate::analyse` …) and
/// the data it hands in and gets back. Back ends and plan internals stay behind the API.
#[test]
fn the_command_line_uses_the_public_api_only() {
    const ALLOWED: [&str; 10] = [
        "access",
        "appsync",
        "config",
        "diagnostics",
        "output",
        "project",
        "source",
        "report",
        "review",
        "lint",
    ];
    let graph = import_graph();
    let reaching: Vec<String> = graph
        .get("cli")
        .into_iter()
        .flatten()
        .filter(|(to, _)| !ALLOWED.contains(&to.as_str()))
        .map(|(to, files)| {
            format!(
                "cli -> {to} ({})",
                files.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        reaching.is_empty(),
        "the command line reaches into the library's stages:\n{}",
        reaching.join("\n")
    );
}

#[test]
fn no_top_level_folder_holds_more_than_30_percent_of_the_lines() {
    let mut lines: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for file in rust_files(&src()) {
        let n = std::fs::read_to_string(&file).unwrap().lines().count();
        total += n;
        *lines
            .entry(module_of(&file).unwrap_or_default())
            .or_default() += n;
    }
    let over: Vec<String> = lines
        .iter()
        .filter(|(_, n)| **n * 100 > total * 30)
        .map(|(m, n)| format!("{m}: {n} of {total} lines"))
        .collect();
    assert!(over.is_empty(), "folders over 30% of the lines: {over:?}");
}

#[test]
fn the_reference_reader_sees_grouped_and_plain_imports() {
    let code = code_of(
        "use crate::{a::b, c, d::{e, f}};\n// crate::commented\nfn x() { crate::g::h(); }\n",
    );
    let names: Vec<String> = crate_references(&code).into_iter().collect();
    assert_eq!(names, ["a", "c", "d", "g"]);
}
