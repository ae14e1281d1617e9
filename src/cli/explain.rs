//! `amplify-gql explain Model[.field] --as IDENTITY`: for each operation, whether the caller
//! may do it, which `@auth` rules decide it (with their place in the schema), and on which
//! records; derived from the rules and confirmed by running the compiled resolvers in the
//! simulator. A disagreement between the two is an internal error (exit code 2).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Value as Json, json};

use super::{InputArgs, Outcome};
use crate::access::explain::{self, Confirmation, Decision, Operation};
use crate::appsync::Identity;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::SourceMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    #[default]
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainOp {
    Create,
    Get,
    List,
    Update,
    Delete,
    /// get and list
    Read,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The model, or one of its fields: `Post` or `Post.title`.
    pub target: String,
    /// The caller: an identity file as `simulate` takes it (docs/simulate.md).
    #[arg(long = "as", value_name = "FILE")]
    pub caller: PathBuf,
    /// Only this operation.
    #[arg(long, value_enum)]
    pub op: Option<ExplainOp>,
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: ExplainFormat,
}

fn op_name(op: Operation) -> &'static str {
    match op {
        Operation::Create => "create",
        Operation::Get => "get",
        Operation::List => "list",
        Operation::Update => "update",
        Operation::Delete => "delete",
        _ => "other",
    }
}

fn stop(message: String, help: &str, color: bool) -> Outcome {
    let d = Diagnostic::error(Code::SimulationInputInvalid, message).with_help(help);
    Outcome::failed(&Diagnostics::from(vec![d]), &SourceMap::default(), color)
}

pub fn run(args: &ExplainArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load_or_stop(color, super::ReportFormat::Human) {
        Ok(i) => i,
        Err(stop) => return stop,
    };
    let identity = match std::fs::read_to_string(&args.caller)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Json>(&t).map_err(|e| e.to_string()))
        .and_then(|j| Identity::from_json(&j))
    {
        Ok(i) => i,
        Err(m) => {
            return stop(
                format!("{}: {m}", args.caller.display()),
                "see docs/simulate.md for the identity file",
                color,
            );
        }
    };
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    let mut diagnostics = inputs.diagnostics.clone();
    diagnostics.extend(ds.iter().cloned());
    let Some(n) = normalised.filter(|_| !diagnostics.has_errors()) else {
        return Outcome::failed(&diagnostics, &inputs.sources, color);
    };
    let (model_name, field) = match args.target.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (args.target.as_str(), None),
    };
    let Some(model) = n.schema.model(model_name).filter(|m| m.is_model()) else {
        return stop(
            format!("{model_name} is not a @model of the schema"),
            "name a model, or Model.field",
            color,
        );
    };
    if let Some(f) = field
        && model.field(f).is_none()
    {
        return stop(
            format!("{model_name} has no field {f}"),
            "name a field of the model",
            color,
        );
    }
    let Some(rules) = n
        .auth_of(model_name)
        .and_then(|a| explain::rules_for(a, field))
    else {
        return stop(
            format!("{model_name} has no @auth rules: the API's default mode decides"),
            "add @auth rules, or use simulate",
            color,
        );
    };
    let api = match super::simulate::compiled_api(&inputs, &n, &args.input, diagnostics, color) {
        Ok(a) => a,
        Err(stop) => return stop,
    };
    let ops: Vec<Operation> = explain::OPERATIONS
        .iter()
        .copied()
        .filter(|op| match args.op {
            None => true,
            Some(ExplainOp::Read) => matches!(op, Operation::Get | Operation::List),
            Some(o) => op_name(*op) == format!("{o:?}").to_lowercase(),
        })
        .collect();
    let mut report = Vec::new();
    let mut text = format!(
        "{} as {} ({})\n",
        args.target,
        identity.mode,
        identity_name(&identity)
    );
    let mut disagreements = Vec::new();
    let operations = explain::model_operations(model, &inputs.config);
    let mut decided = explain::derive(rules, &identity, &inputs.sources, &ops);
    if field.is_none()
        && let Some(auth) = n.auth_of(model_name)
    {
        decided = explain::with_field_rules(decided, rules, auth, &identity, &inputs.sources);
    }
    if field.is_none() {
        decided =
            explain::with_create_input(decided, rules, &api, model, &identity, &inputs.sources);
    }
    let decided = explain::with_modes(decided, &api, &operations, &identity);
    for (op, decision, rules_used) in decided {
        let confirmation = if field.is_some() {
            Confirmation::NotRun("field-level decisions are derived only".into())
        } else {
            explain::confirm(
                &api,
                model,
                &operations,
                rules,
                &identity,
                op,
                &decision,
                super::simulate::DEFAULT_NOW_MILLIS,
            )
        };
        let verdict = match &decision {
            Decision::Allowed => "allowed".to_string(),
            Decision::AllowedIf(c) => format!("allowed on {}", c.join(", or on ")),
            Decision::Denied => "denied: no rule gives it to this caller".to_string(),
            Decision::FieldDenied(f) => {
                format!("denied: the rules of field `{f}` do not give it to this caller")
            }
            Decision::ModeDenied(why) => format!("denied: {why}"),
            Decision::Undecided(why) => format!("not decided by the rules: {why}"),
        };
        text.push_str(&format!("  {:<7} {verdict}\n", op_name(op)));
        let mut shown_rules = Vec::new();
        for r in &rules_used {
            let place = inputs
                .sources
                .locate(r.span.start)
                .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
                .unwrap_or_default();
            text.push_str(&format!(
                "          by {} at {place}\n",
                r.text.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
            shown_rules.push(json!({"rule": r.text, "at": place}));
        }
        let (state, detail) = match &confirmation {
            Confirmation::Agrees(d) => ("confirmed", d.clone()),
            Confirmation::Disagrees(d) => {
                disagreements.push(format!(
                    "{} {}: the rules say {verdict}, but the resolvers decide: {d}",
                    args.target,
                    op_name(op)
                ));
                ("DISAGREES", d.clone())
            }
            Confirmation::NotRun(why) => ("not run", why.clone()),
        };
        text.push_str(&format!("          {state} in the simulator: {detail}\n"));
        report.push(
            json!({"operation": op_name(op), "decision": verdict, "rules": shown_rules,
            "simulator": {"state": state, "detail": detail}}),
        );
    }
    let stdout = match args.format {
        ExplainFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(
                &json!({"target": args.target, "authMode": identity.mode, "operations": report})
            )
            .unwrap_or_default()
        ),
        ExplainFormat::Human => text,
    };
    let stderr: String = disagreements
        .iter()
        .map(|d| format!("internal error: {d}\n"))
        .collect();
    Outcome {
        stdout,
        stderr,
        code: if disagreements.is_empty() { 0 } else { 2 },
    }
}

fn identity_name(i: &Identity) -> String {
    i.identity
        .get("username")
        .or_else(|| i.identity.get("userArn"))
        .and_then(Json::as_str)
        .map_or_else(|| "no identity".to_string(), str::to_string)
}
