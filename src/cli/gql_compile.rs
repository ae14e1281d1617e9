//! `amplify-gql gql-compile`: compile the schema and write the build folder.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use super::status::Outcome;
use crate::source::SourceMap;

#[derive(Args, Debug)]
pub struct GqlCompileArgs {
    /// Where to write the build (default: the API's build/ folder in a project).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

pub fn run(args: &GqlCompileArgs) -> Outcome {
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
    let out_dir = match (&args.out, &inputs.project) {
        (Some(dir), _) => dir.clone(),
        (None, Some(project)) => project.api_dir.join("build"),
        (None, None) => PathBuf::from("build"),
    };
    let build = crate::compile(&normalised, &inputs.config);
    let mut stderr = crate::render_diagnostics(&diagnostics, &inputs.sources, color);
    if let Err(e) = build.write_atomically(&out_dir) {
        stderr.push_str(&format!("error: cannot write {}: {e}\n", out_dir.display()));
        return Outcome {
            stdout: String::new(),
            stderr,
            code: 1,
        };
    }
    Outcome {
        stdout: format!(
            "GraphQL schema compiled successfully: {}\n",
            out_dir.display()
        ),
        stderr,
        code: 0,
    }
}
