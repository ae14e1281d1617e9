//! The `amplify-gql` executable: parses the command line and runs one subcommand of `cli`.

use std::io::Write;
use std::process::ExitCode;

use amplify_gql::cli::gql_compile::{self, GqlCompileArgs};
use amplify_gql::cli::status::{self, StatusArgs};
use clap::{Parser, Subcommand};

/// A compiler for AWS AppSync GraphQL APIs, compatible with the Amplify GraphQL transformer v2.
#[derive(Parser)]
#[command(name = "amplify-gql", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the access-control matrix of a model (`status -acm Model`).
    Status(StatusArgs),
    /// Compile the schema into a build folder (`api gql-compile`).
    GqlCompile(GqlCompileArgs),
}

fn main() -> ExitCode {
    // The Amplify CLI spells the option `-acm` (any case); clap wants `--acm`.
    let args = std::env::args().map(|a| {
        if a.eq_ignore_ascii_case("-acm") || a.eq_ignore_ascii_case("--acm") {
            "--acm".to_string()
        } else {
            a
        }
    });
    let cli = Cli::parse_from(args);
    let outcome = match &cli.command {
        Command::Status(args) => status::run(args),
        Command::GqlCompile(args) => gql_compile::run(args),
    };
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.code as u8)
}
