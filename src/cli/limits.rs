//! `amplify-gql limits`: counts, per stack of the build (a fresh compile in memory, or
//! `--build DIR`), what CloudFormation limits: resources, template bytes, outputs,
//! parameters, mappings, IAM policy sizes and each role's managed policies. 80% of a limit is
//! a warning (W0013), over it an error (E1101). `--suggest-stack-mapping` prints the
//! `StackMapping` that brings every stack under 80% by moving resolvers only, checked by
//! compiling with it.

use std::path::PathBuf;

use clap::Args;
use serde_json::{Value as Json, json};

use super::{Compiled, InputArgs, Outcome, ReportFormat};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::output::BuildOutput;
use crate::review::limits::{self, LimitFinding, Limits};
use crate::review::{Template, report, templates};
use crate::source::SourceMap;

#[derive(Args, Debug)]
pub struct LimitsArgs {
    /// Count an existing build folder instead of compiling.
    #[arg(long, value_name = "DIR")]
    pub build: Option<PathBuf>,
    /// Count against another limit than AWS's: NAME=N (resources, template-bytes, outputs,
    /// parameters, mappings, policy-bytes, role-policies).
    #[arg(long = "limit", value_name = "NAME=N")]
    pub limits: Vec<String>,
    /// Print a StackMapping for transform.conf.json that keeps every stack under 80% of
    /// its limits by moving resolvers (never tables), checked by compiling with it.
    #[arg(long)]
    pub suggest_stack_mapping: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub input: InputArgs,
}

fn table(counts: &[LimitFinding]) -> String {
    let mut out = String::new();
    let mut stacks: Vec<&str> = Vec::new();
    for c in counts {
        if !stacks.contains(&c.stack.as_str()) {
            stacks.push(&c.stack);
        }
    }
    let width = stacks.iter().map(|s| s.len()).max().unwrap_or(5).max(5);
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>15}  {:>8}  {:>10}  {:>8}\n",
        "stack", "resources", "template bytes", "outputs", "parameters", "mappings"
    ));
    for s in &stacks {
        let get = |l: limits::Limit| {
            counts
                .iter()
                .find(|c| c.stack == *s && c.limit == l && c.subject.is_none())
        };
        let cell = |l: limits::Limit| get(l).map_or(0, |c| c.count);
        out.push_str(&format!(
            "{:<width$}  {:>9}  {:>15}  {:>8}  {:>10}  {:>8}\n",
            s,
            cell(limits::Limit::Resources),
            cell(limits::Limit::TemplateBytes),
            cell(limits::Limit::Outputs),
            cell(limits::Limit::Parameters),
            cell(limits::Limit::Mappings),
        ));
    }
    let max = |l: limits::Limit| {
        counts
            .iter()
            .find(|c| c.limit == l)
            .map_or(l.default_max(), |c| c.max)
    };
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>15}  {:>8}  {:>10}  {:>8}\n",
        "limit",
        max(limits::Limit::Resources),
        max(limits::Limit::TemplateBytes),
        max(limits::Limit::Outputs),
        max(limits::Limit::Parameters),
        max(limits::Limit::Mappings),
    ));
    let subjects: Vec<&LimitFinding> = counts.iter().filter(|c| c.subject.is_some()).collect();
    if !subjects.is_empty() {
        out.push('\n');
        for c in subjects {
            out.push_str(&format!("{}\n", report::limit_line(c)));
        }
    }
    out
}

fn finding_json(c: &LimitFinding) -> Json {
    report::limit_json(c, true)
}

pub fn run(args: &LimitsArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let stop =
        |ds: &Diagnostics, sources: &SourceMap| Outcome::failed_as(args.format, ds, sources, color);
    let limits = match Limits::from_args(&args.limits).map_err(Diagnostics::from) {
        Ok(l) => l,
        Err(ds) => return stop(&ds, &SourceMap::default()),
    };
    let mut diagnostics = Diagnostics::default();
    // The build to count, and (to compile again with a mapping) what made it.
    let compiled: Option<Compiled>;
    let found = match &args.build {
        Some(dir) => match BuildOutput::read_templates(dir) {
            Ok(b) => {
                compiled = None;
                templates(&b)
            }
            Err(e) => {
                let d = Diagnostic::error(
                    Code::VersionUnreadable,
                    format!("cannot read the build in {}: {e}", dir.display()),
                )
                .with_help("give --build a folder gql-compile wrote");
                return stop(&Diagnostics::from(vec![d]), &SourceMap::default());
            }
        },
        None => {
            let (now, _) = super::gql_compile::now();
            let c = match args
                .input
                .compile_in_memory(now, None, args.input.deny_warnings)
            {
                Ok(c) => c,
                Err((ds, sources)) => return stop(&ds, &sources),
            };
            diagnostics.extend(c.diagnostics.iter().cloned());
            let found = templates(&c.build);
            compiled = Some(c);
            found
        }
    };
    let counts = limits::counts(&found, &limits);
    for c in limits::near(counts.clone()) {
        diagnostics.push(report::limit_diagnostic(&c, true));
    }
    // The build already in the API's folder, read once: a mapping (in force, or suggested)
    // must not move what it has placed.
    let previous: Option<Vec<Template>> = compiled
        .as_ref()
        .and_then(|c| c.inputs.project.as_ref())
        .and_then(|p| BuildOutput::read_templates(&p.api_dir.join("build")).ok())
        .map(|b| templates(&b));
    if let (Some(c), Some(previous)) = (&compiled, &previous) {
        let stacks = &c.build_inputs.stacks;
        let moves = limits::moves_of_deployed(previous, &stacks.stack_mapping);
        diagnostics.extend(report::moved_deployed(&moves, &stacks.stack_mapping_file));
    }
    let mut text = table(&counts);
    let mut document = serde_json::Map::new();
    document.insert("ok".into(), (!diagnostics.has_errors()).into());
    document.insert(
        "counts".into(),
        Json::Array(counts.iter().map(finding_json).collect()),
    );
    if args.suggest_stack_mapping {
        match &compiled {
            None => {
                let d = Diagnostic::error(
                    Code::VersionUnreadable,
                    "--suggest-stack-mapping compiles the schema: it cannot work from --build",
                )
                .with_help("leave out --build");
                return stop(&Diagnostics::from(vec![d]), &SourceMap::default());
            }
            Some(c) => {
                let (mapping, after) = suggest(c, &limits, &found);
                let moved = mapping.len() - c.build_inputs.stacks.stack_mapping.len();
                let still: Vec<&LimitFinding> = after.iter().filter(|c| c.is_near()).collect();
                let entries: serde_json::Map<String, Json> = mapping
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::String(v.clone())))
                    .collect();
                let conf = json!({ "StackMapping": entries });
                text.push_str(&format!(
                    "\nStackMapping for transform.conf.json ({moved} resolver{} moved):\n{}\n",
                    if moved == 1 { "" } else { "s" },
                    serde_json::to_string_pretty(&conf).unwrap_or_default()
                ));
                text.push_str("\ncompiled with it:\n");
                text.push_str(&table(&after));
                if still.is_empty() {
                    text.push_str("every stack is under 80% of its limits\n");
                } else {
                    text.push_str(
                        "still at 80% or more (moving resolvers does not lower these):\n",
                    );
                    for c in &still {
                        text.push_str(&format!("  {}\n", report::limit_line(c)));
                    }
                }
                if let Some(previous) = &previous {
                    let moves = limits::moves_of_deployed(previous, &mapping);
                    diagnostics
                        .extend(report::moved_deployed(&moves, "the suggested StackMapping"));
                }
                document.insert("stackMapping".into(), conf["StackMapping"].clone());
                document.insert(
                    "after".into(),
                    Json::Array(after.iter().map(finding_json).collect()),
                );
            }
        }
    }
    let code = i32::from(diagnostics.has_errors());
    let none = SourceMap::default();
    let sources = compiled.as_ref().map_or(&none, |c| &c.inputs.sources);
    Outcome::reported(
        args.format,
        &diagnostics,
        sources,
        color,
        text,
        document,
        code,
    )
}

/// Adds moves to the mapping in force until every movable count is under 80% (measured by
/// compiling), or no move helps any more; returns the whole mapping (what goes into
/// transform.conf.json) and the counts with it.
fn suggest(
    compiled: &Compiled,
    limits: &Limits,
    first: &[Template],
) -> (Vec<(String, String)>, Vec<LimitFinding>) {
    let mut build_inputs = compiled.build_inputs.clone();
    let mut mapping = build_inputs.stacks.stack_mapping.clone();
    let mut current: Vec<Template> = Vec::new();
    let mut counts = limits::counts(first, limits);
    for _ in 0..8 {
        let source = if current.is_empty() { first } else { &current };
        let moves = limits::suggest_moves(source, limits, &mapping);
        if moves.is_empty() {
            break;
        }
        mapping.extend(moves);
        build_inputs.stacks.stack_mapping = mapping.clone();
        let Ok(build) =
            crate::compile_with(&compiled.normalised, &compiled.inputs.config, &build_inputs)
        else {
            break;
        };
        current = templates(&build);
        counts = limits::counts(&current, limits);
    }
    (mapping, counts)
}
