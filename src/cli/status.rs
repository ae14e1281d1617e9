//! `amplify-gql status -acm <Model>`: validate the schema, then print who may do what on each
//! field of the model.

use clap::{Args, ValueEnum};

use super::InputArgs;
use crate::diagnostics::Diagnostics;
use crate::source::SourceMap;
use crate::{AcmColumns, AcmFormat};

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
    let columns = if args.crud {
        AcmColumns::Crud
    } else {
        AcmColumns::Operations
    };
    let format = match args.format {
        Format::Table => AcmFormat::Table,
        Format::Json => AcmFormat::Json,
        Format::Markdown => AcmFormat::Markdown,
    };
    let stdout = match crate::access_matrix(&normalised, &args.acm, columns, format) {
        Ok(text) => text,
        Err(d) => {
            diagnostics.push(d);
            return Outcome::failed(&diagnostics, &inputs.sources, color);
        }
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
