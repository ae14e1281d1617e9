//! `amplify-gql status -acm <Model>`: validate the schema, then print who may do what on each
//! field of the model.

use clap::{Args, ValueEnum};

use super::{InputArgs, Outcome, ReportFormat};
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
    /// How to print the matrix; `github` and `sarif` report the diagnostics in those formats
    /// (annotations before the table, or a SARIF log instead of it).
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
    Github,
    Sarif,
}

impl Format {
    /// How the diagnostics are reported: the matrix formats keep the human rendering.
    fn report(self) -> ReportFormat {
        match self {
            Format::Github => ReportFormat::Github,
            Format::Sarif => ReportFormat::Sarif,
            Format::Table | Format::Json | Format::Markdown => ReportFormat::Human,
        }
    }
}

pub fn run(args: &StatusArgs) -> Outcome {
    let color = args.input.color.for_stderr();
    let inputs = match args.input.load_or_stop(color, args.format.report()) {
        Ok(i) => i,
        Err(stop) => return stop,
    };
    let mut diagnostics = inputs.diagnostics;
    let (normalised, ds) = crate::analyse(&inputs.sources, &inputs.config);
    diagnostics.extend(ds.iter().cloned());
    if args.input.deny_warnings {
        diagnostics.deny_warnings();
    }
    let Some(normalised) = normalised.filter(|_| !diagnostics.has_errors()) else {
        return Outcome::failed_as(args.format.report(), &diagnostics, &inputs.sources, color);
    };
    let columns = if args.crud {
        AcmColumns::Crud
    } else {
        AcmColumns::Operations
    };
    let format = match args.format {
        Format::Table | Format::Github | Format::Sarif => AcmFormat::Table,
        Format::Json => AcmFormat::Json,
        Format::Markdown => AcmFormat::Markdown,
    };
    let stdout = match crate::access_matrix(&normalised, &args.acm, columns, format) {
        Ok(text) => text,
        Err(d) => {
            diagnostics.push(d);
            return Outcome::failed_as(args.format.report(), &diagnostics, &inputs.sources, color);
        }
    };
    Outcome::reported(
        args.format.report(),
        &diagnostics,
        &inputs.sources,
        color,
        stdout,
        serde_json::Map::new(),
        0,
    )
}
