//! Benchmark of `gql-compile` on generated schemas of 1 to 5,000 models with mixed model- and
//! field-level `@auth`, relations and indexes (docs/performance.md).
//!
//! Two tables. **Stages**, in process, median of several runs: parse (load and parse the
//! file), analyse (typed model, `@auth` normalisation and checks, rendering the warnings),
//! schema (the plan and the API schema), resolvers (every VTL template), stacks (the
//! CloudFormation stacks, references resolved), serialise (printing the schema and the
//! stacks) and write (one thread bringing an empty folder up to date with those files).
//! **Runs** of the release binary as a user runs it: a compile into a new folder, the same
//! compile again over it (the same schema), `--check`, and `cp -r` of the build to a new
//! folder (the disk's floor), each with wall time and peak RSS, and the build's files and bytes;
//! a run under a second is made five times and the median shown (with the largest peak RSS).
//! `--reference` also times the Amplify CLI's compile (`../shared/oracle/transform.js`) where
//! it is installed (up to three times).
//!
//! ```sh
//! cargo bench --bench pipeline                        # 1, 10, 200, 1000 and 5000 models
//! cargo bench --bench pipeline -- 10 1000             # other sizes
//! cargo bench --bench pipeline -- --schema FILE       # a schema of your own
//! cargo bench --bench pipeline -- --stages 5000       # the stages only (no runs of the binary)
//! cargo bench --bench pipeline -- --reference 1 200   # side by side with the reference
//! cargo bench --bench pipeline -- --emit DIR 200 5000 # write DIR/schema-N.graphql, no timing
//! ```
//!
//! Under `cargo test --all-targets` (no `--bench` argument) it runs every stage once on 1 and
//! 20 models and the binary once, as a smoke test.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use amplify_gql::config::Config;
use amplify_gql::output::{Mode, Update};
use amplify_gql::source::SourceMap;
use amplify_gql::{emit, plan, resolvers, schema, stacks};

// The allocator the binary uses, so the stages cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Model-level rule sets, the extra fields they need, and a field-level rule set for the
/// `notes` field (which reuses a model-level role, so every required field stays readable).
const TEMPLATES: &[(&str, &[&str], &str)] = &[
    (
        r#"{ allow: owner }, { allow: public, operations: [read] }"#,
        &[],
        r#"{ allow: owner }"#,
    ),
    (
        r#"{ allow: groups, groups: ["Admin", "Support"] }, { allow: private, operations: [read] }"#,
        &[],
        r#"{ allow: groups, groups: ["Admin"] }"#,
    ),
    (
        r#"{ allow: groups, groupsField: "teams" }, { allow: owner, ownerField: "createdBy", operations: [create, read, delete] }"#,
        &["teams: [String]", "createdBy: String"],
        r#"{ allow: groups, groupsField: "teams", operations: [read, update] }"#,
    ),
    (
        r#"{ allow: private }, { allow: public, provider: iam, operations: [read] }, { allow: private, provider: iam }"#,
        &[],
        r#"{ allow: private, operations: [read] }, { allow: private, provider: iam, operations: [read] }"#,
    ),
    (
        r#"{ allow: owner, provider: oidc, ownerField: "sub", identityClaim: "sub" }, { allow: groups, provider: oidc, groupClaim: "roles", groups: ["Editors"] }"#,
        &["sub: String"],
        r#"{ allow: groups, provider: oidc, groupClaim: "roles", groups: ["Editors"] }"#,
    ),
    (
        r#"{ allow: owner, ownerField: "editors", operations: [read, update] }, { allow: owner, operations: [create, read, delete] }, { allow: public, operations: [read] }"#,
        &["editors: [String]"],
        r#"{ allow: owner, operations: [read, update] }"#,
    ),
];

/// A schema of `n` models (`Item0000`, …) with mixed model- and field-level rules, valid
/// under the default auth configuration (user pools, API key, IAM, OIDC).
fn generate(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (rules, extra, field_rules) = TEMPLATES[i % TEMPLATES.len()];
        out.push_str(&format!(
            "type Item{i:04} @model @auth(rules: [{rules}]) {{\n  id: ID!\n  name: String!\n  description: String\n  quantity: Int\n  price: Float\n  available: Boolean\n  tags: [String]\n"
        ));
        for f in extra {
            out.push_str(&format!("  {f}\n"));
        }
        if i % 3 == 1 {
            out.push_str(&format!(
                "  notes: String @auth(rules: [{field_rules}])\n  audit: String @auth(rules: [{field_rules}])\n"
            ));
        }
        // Every fifth model has many of the next one, which belongs to it, and an index.
        if i % 5 == 0 && i + 1 < n {
            out.push_str(&format!("  parts: [Item{:04}] @hasMany\n", i + 1));
        }
        if i % 5 == 1 {
            out.push_str(&format!("  whole: Item{:04} @belongsTo\n", i - 1));
            out.push_str("  sku: String @index(name: \"bySku\", queryField: null)\n");
        }
        out.push_str("}\n\n");
    }
    out
}

/// The time of each stage of one in-process run.
#[derive(Clone, Copy, Default)]
struct Stages {
    parse: Duration,
    analyse: Duration,
    schema: Duration,
    resolvers: Duration,
    stacks: Duration,
    serialise: Duration,
    write: Duration,
}

impl Stages {
    const NAMES: [&str; 7] = [
        "parse",
        "analyse",
        "schema",
        "resolvers",
        "stacks",
        "serialise",
        "write",
    ];

    fn each(&self) -> [Duration; 7] {
        [
            self.parse,
            self.analyse,
            self.schema,
            self.resolvers,
            self.stacks,
            self.serialise,
            self.write,
        ]
    }
}

fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    *slot += start.elapsed();
    value
}

/// One in-process compile of the schema at `path`, written into `out` (a new folder) when
/// given; returns the stages' times and the number of models.
fn run_stages(path: &Path, out: Option<&Path>, config: &Config) -> (Stages, usize) {
    let mut t = Stages::default();
    let sources = timed(&mut t.parse, || {
        SourceMap::load(path).expect("schema loads")
    });
    let parsed = timed(&mut t.parse, || amplify_gql::parse::parse(&sources));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let normalised = timed(&mut t.analyse, || {
        let (schema, ds) = amplify_gql::model::lower(parsed.document, config);
        let mut diagnostics = amplify_gql::diagnostics::Diagnostics::from(ds);
        let (normalised, ds) = amplify_gql::normalise::normalise(schema, config);
        diagnostics.extend(ds);
        diagnostics.extend(plan::check(&normalised, config));
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        black_box(amplify_gql::render_diagnostics(
            &diagnostics,
            &sources,
            false,
        ));
        normalised
    });
    let (plan, api) = timed(&mut t.schema, || {
        let plan = plan::Plan::new(&normalised, config);
        let api = schema::build(&plan);
        (plan, api)
    });
    let resolved = timed(&mut t.resolvers, || resolvers::build(&plan, &api));
    let built = timed(&mut t.stacks, || {
        stacks::build(&plan, &resolved, &Default::default()).expect("stacks build")
    });
    let mut files: Vec<(String, Vec<u8>)> = resolved
        .files
        .iter()
        .map(|(name, text)| (format!("resolvers/{name}"), text.clone().into_bytes()))
        .collect();
    timed(&mut t.serialise, || {
        files.push(("schema.graphql".into(), emit::sdl::print(&api).into_bytes()));
        files.push((
            "cloudformation-template.json".into(),
            emit::cfn::root_template(&built.root).into_bytes(),
        ));
        for (name, stack) in built.nested() {
            files.push((
                format!("stacks/{name}.json"),
                emit::cfn::nested_template(stack).into_bytes(),
            ));
        }
    });
    if let Some(out) = out {
        timed(&mut t.write, || {
            let mut update = Update::begin(out, Mode::Write).expect("build folder");
            for (path, contents) in files {
                update.file(&path, contents);
            }
            update.finish().expect("build written");
        });
    }
    (t, normalised.schema.models().count())
}

/// Wall time and peak resident memory of one command.
struct Measured {
    wall: Duration,
    max_rss_kib: i64,
}

impl Measured {
    /// The median wall time of several runs, and the largest peak RSS.
    fn median(runs: Vec<Measured>) -> Measured {
        Measured {
            max_rss_kib: runs.iter().map(|m| m.max_rss_kib).max().unwrap_or(0),
            wall: median(runs.into_iter().map(|m| m.wall).collect()),
        }
    }
}

/// Runs `command` to completion through a fresh copy of this bench (`--measure`): a child
/// started from a process inherits that process's peak RSS, so the measuring process must be
/// small.
fn measure(command: &Command) -> Measured {
    let out = Command::new(std::env::current_exe().expect("bench binary"))
        .arg("--measure")
        .arg(command.get_program())
        .args(command.get_args())
        .output()
        .expect("measuring process starts");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace().map(|n| n.parse::<u64>());
    match (numbers.next(), numbers.next()) {
        (Some(Ok(nanos)), Some(Ok(kib))) if out.status.success() => Measured {
            wall: Duration::from_nanos(nanos),
            max_rss_kib: kib as i64,
        },
        _ => panic!(
            "{command:?} failed: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `--measure PROGRAM ARGS...`: runs the program and prints its wall time (ns) and peak RSS
/// (KiB) as the kernel counts them for the child (`wait4`).
fn measure_here(program: &str, args: &[String]) {
    use std::process::Stdio;
    let mut command = Command::new(program);
    command.args(args);
    let start = Instant::now();
    // Reaped by `wait4` below, which also gives its resource usage.
    #[allow(clippy::zombie_processes)]
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("command starts");
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct that wait4 fills in; `child`'s pid is ours to reap.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        eprintln!("{command:?} failed: {status}");
        std::process::exit(1);
    }
    println!("{} {}", wall.as_nanos(), usage.ru_maxrss);
}

/// Files and bytes under `dir`.
fn size_of(dir: &Path) -> (usize, u64) {
    let mut out = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable build") {
            let e = e.expect("entry");
            if e.file_type().expect("type").is_dir() {
                stack.push(e.path());
            } else {
                out.0 += 1;
                out.1 += e.metadata().expect("metadata").len();
            }
        }
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 100.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

fn mib(kib: i64) -> String {
    format!("{:.0}", kib as f64 / 1024.0)
}

/// One schema to measure: a generated one of `models` models, or a file of the user's.
struct Case {
    label: String,
    path: PathBuf,
}

/// A new, empty folder name under `root` (the disk is slowest at creating files where many
/// were just deleted, so every run writes to a name of its own; all is removed at the end).
fn fresh(root: &Path, label: &str, counter: &mut usize) -> PathBuf {
    *counter += 1;
    root.join(format!("{label}-{counter}"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--measure") {
        return measure_here(&args[1], &args[2..]);
    }
    let bench = args.iter().any(|a| a == "--bench");
    let reference = args.iter().any(|a| a == "--reference");
    let only_stages = args.iter().any(|a| a == "--stages");
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let own: Vec<PathBuf> = args
        .windows(2)
        .filter(|w| w[0] == "--schema")
        .map(|w| PathBuf::from(&w[1]))
        .collect();
    let sizes = match (sizes.is_empty() && own.is_empty(), bench) {
        (false, _) => sizes,
        (true, true) => vec![1, 10, 200, 1000, 5000],
        (true, false) => vec![1, 20],
    };
    if let Some(i) = args.iter().position(|a| a == "--emit") {
        let out = Path::new(args.get(i + 1).expect("--emit DIR"));
        std::fs::create_dir_all(out).expect("output folder");
        for n in sizes {
            let path = out.join(format!("schema-{n}.graphql"));
            std::fs::write(&path, generate(n)).expect("write schema");
            println!("{}", path.display());
        }
        return;
    }
    let config = Config::default();
    let root = std::env::temp_dir().join(format!("amplify-gql-bench-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("temp folder");
    let mut counter = 0;
    let mut cases: Vec<Case> = sizes
        .iter()
        .map(|n| {
            let path = root.join(format!("schema-{n}.graphql"));
            std::fs::write(&path, generate(*n)).expect("write schema");
            Case {
                label: n.to_string(),
                path,
            }
        })
        .collect();
    cases.extend(own.into_iter().map(|path| Case {
        label: path.display().to_string(),
        path,
    }));

    println!("Stages (in process, median ms):\n");
    println!(
        "| schema | models | runs | {} | total ms | µs/model |",
        Stages::NAMES.join(" | ")
    );
    println!(
        "|---|---:|---:|{}---:|---:|",
        "---:|".repeat(Stages::NAMES.len())
    );
    for case in &cases {
        let bytes = std::fs::metadata(&case.path).expect("schema").len();
        let runs = if bench {
            (400_000 / bytes.max(1) as usize).clamp(3, 100)
        } else {
            1
        };
        let mut all = Vec::new();
        let mut models = 0;
        // One warm-up run (page cache, allocator), then the measured ones. Writing is timed
        // once, into a new folder, and nothing is deleted before the end: creating files
        // right after deleting many is much slower on some disks.
        for i in 0..=runs {
            let out = (i == 1).then(|| fresh(&root, "stages", &mut counter).join("build"));
            let (t, m) = run_stages(&case.path, out.as_deref(), &config);
            models = m;
            if i > 0 {
                all.push(t);
            }
        }
        let write = all[0].write;
        for t in &mut all {
            t.write = write;
        }
        let each: Vec<Duration> = (0..Stages::NAMES.len())
            .map(|k| median(all.iter().map(|t| t.each()[k]).collect()))
            .collect();
        let total = median(all.iter().map(|t| t.each().iter().sum()).collect());
        println!(
            "| {} | {models} | {runs} | {} | {} | {:.0} |",
            case.label,
            each.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(" | "),
            ms(total),
            total.as_secs_f64() * 1e6 / models.max(1) as f64,
        );
    }

    if only_stages {
        let _ = std::fs::remove_dir_all(&root);
        return;
    }
    let binary = env!("CARGO_BIN_EXE_amplify-gql");
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/oracle/transform.js");
    println!(
        "\nRuns of `{}` (wall s / peak RSS MiB):\n",
        Path::new(binary).display()
    );
    println!(
        "| schema | files | MB | compile | again | --check | cp -r | compile ÷ cp -r |{}",
        if reference {
            " reference | ×faster |"
        } else {
            ""
        }
    );
    println!(
        "|---|---:|---:|---:|---:|---:|---:|---:|{}",
        if reference { "---:|---:|" } else { "" }
    );
    for case in &cases {
        let dir = fresh(&root, "run", &mut counter);
        let build = dir.join("build");
        let compile = |out: &Path, extra: &[&str]| {
            let mut c = Command::new(binary);
            c.arg("gql-compile")
                .args(extra)
                .arg("--schema")
                .arg(&case.path)
                .arg("--out")
                .arg(out);
            measure(&c)
        };
        // Small builds take a fraction of a second, where the machine's noise is as large
        // as the differences: those are run five times (each compile into a new folder) and
        // the median is shown, with the largest peak RSS.
        let first = compile(&build, &[]);
        let runs = if first.wall < Duration::from_secs(1) && bench {
            5
        } else {
            1
        };
        let mut compiles = vec![first];
        for _ in 1..runs {
            let other = fresh(&root, "run", &mut counter).join("build");
            compiles.push(compile(&other, &[]));
        }
        let first = Measured::median(compiles);
        let again = Measured::median((0..runs).map(|_| compile(&build, &[])).collect());
        let check = Measured::median((0..runs).map(|_| compile(&build, &["--check"])).collect());
        let (files, bytes) = size_of(&build);
        let copy_to = fresh(&root, "copy", &mut counter);
        let mut cp = Command::new("cp");
        cp.arg("-r").arg(&build).arg(&copy_to);
        let copy = measure(&cp);
        let cell = |m: &Measured| format!("{:.3} / {}", m.wall.as_secs_f64(), mib(m.max_rss_kib));
        let mut row = format!(
            "| {} | {files} | {:.1} | {} | {} | {} | {:.3} | {:.2} |",
            case.label,
            bytes as f64 / 1e6,
            cell(&first),
            cell(&again),
            cell(&check),
            copy.wall.as_secs_f64(),
            first.wall.as_secs_f64() / copy.wall.as_secs_f64(),
        );
        if reference && oracle.exists() {
            let reference_run = |counter: &mut usize| {
                let mut node = Command::new("node");
                node.arg(&oracle)
                    .arg("--schema")
                    .arg(&case.path)
                    .arg("--out")
                    .arg(fresh(&root, "reference", counter));
                measure(&node)
            };
            let r = Measured::median(
                (0..runs.min(3))
                    .map(|_| reference_run(&mut counter))
                    .collect(),
            );
            row.push_str(&format!(
                " {} | {:.0} |",
                cell(&r),
                r.wall.as_secs_f64() / first.wall.as_secs_f64()
            ));
        }
        println!("{row}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
