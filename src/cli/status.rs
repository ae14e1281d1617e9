//! `amplify-gql status -acm <Model>`: validate the schema, then print who may do what on each
//! field of the model.

use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::emit::acm::{self, Columns};
use crate::plan::{Acm, RoleNaming};
use crate::source::SourceMap;

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Accepted for compatibility with `amplify status api -acm Model`.
    #[arg(value_parser = ["api"], hide = true)]
    pub category: Option<String>,
    /// The @model whose access-control matrix to print (`-acm` works too).
    #[arg(long = "acm", value_name = "MODEL")]
    pub acm: String,
    /// Print the 4-column create/read/update/delete view.
    #[arg(long)]
    pub crud: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

/// What `status` prints: stdout text, rendered diagnostics, exit code.
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn run(args: &StatusArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load() {
        Ok(i) => i,
        Err(ds) => return Outcome::failed(&ds, &SourceMap::default(), color),
    };
    let mut diagnostics = inputs.diagnostics;
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    diagnostics.extend(ds.iter().cloned());
    if args.input.deny_warnings {
        diagnostics.deny_warnings();
    }
    let Some(normalised) = normalised.filter(|_| !diagnostics.has_errors()) else {
        return Outcome::failed(&diagnostics, &inputs.sources, color);
    };
    let Some(model) = normalised.schema.model(&args.acm) else {
        let models: Vec<_> = normalised
            .schema
            .models()
            .map(|m| m.name.text.as_str())
            .collect();
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownModel,
                format!("Model \"{}\" does not exist.", args.acm),
            )
            .with_help(if models.is_empty() {
                "the schema has no @model types".to_string()
            } else {
                format!("the schema's models are: {}", models.join(", "))
            }),
        );
        return Outcome::failed(&diagnostics, &inputs.sources, color);
    };
    let auth = normalised.auth_of(&args.acm).cloned().unwrap_or_default();
    let matrix = match Acm::build(model, &auth, RoleNaming::Printed) {
        Ok(m) => m,
        Err(dup) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::AcmRoleCollision,
                    format!("@auth {} already exists for {}", dup.role, args.acm),
                )
                .at(dup.rule.raw.span, "prints as the same role")
                .with_note(dup.first.raw.span, "as this rule")
                .with_help("the ACM names owner roles by field and static group roles by group only; the two rules differ only in their claim, which the matrix cannot show"),
            );
            return Outcome::failed(&diagnostics, &inputs.sources, color);
        }
    };
    let columns = if args.crud {
        Columns::Crud
    } else {
        Columns::Operations
    };
    let stdout = match args.format {
        Format::Table => acm::table(&matrix, columns),
        Format::Json => acm::json(&matrix, columns),
        Format::Markdown => acm::markdown(&matrix, columns),
    };
    Outcome {
        stdout,
        stderr: crate::render_diagnostics(&diagnostics, &inputs.sources, color),
        code: 0,
    }
}

impl Outcome {
    /// A run that stops on errors: diagnostics only, exit code 1.
    pub fn failed(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr: crate::render_diagnostics(diagnostics, sources, color),
            code: 1,
        }
    }
}
