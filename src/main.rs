//! The `amplify-gql` executable: parses the command line and runs one subcommand of `cli`.

use std::io::Write;
use std::process::ExitCode;

use amplify_gql::cli::diff::{self, DiffArgs};
use amplify_gql::cli::explain::{self, ExplainArgs};
use amplify_gql::cli::gql_compile::{self, GqlCompileArgs};
use amplify_gql::cli::limits::{self, LimitsArgs};
use amplify_gql::cli::lint::{self, LintArgs};
use amplify_gql::cli::simulate::{self, SimulateArgs};
use amplify_gql::cli::status::{self, StatusArgs};
use amplify_gql::cli::test::{self, TestArgs};
use clap::{Parser, Subcommand};

/// A compile makes and drops millions of small values (templates, stack values); mimalloc
/// serves them in about half the time of the system allocator. Built without transparent
/// huge pages (`no_thp`), which would count whole 2 MiB pages as resident.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, by its number in mimalloc 3's `mi_option_e` (the
/// crate exports no name for it; the versions are pinned in Cargo.toml and a test checks the
/// number against the default it stands for).
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// Returns freed memory to the system after 5 ms instead of a second: the peak RSS is then
/// close to what is in use (about a tenth lower at 1,000 models than with the default),
/// while memory freed and taken again within a few milliseconds (the texts handed to the
/// writer, the templates' trees) is not faulted in again, as it is when returned at once
/// (5-10% of the time at 200 and at 5,000 models, for 1-3 MiB more).
fn tune_allocator() {
    // SAFETY: a plain setter of a global option, called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 5) };
}

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
    /// Run one GraphQL operation against a build folder, offline, and show what it does.
    Simulate(SimulateArgs),
    /// Run the access tests (YAML) on a fresh compile, offline.
    Test(TestArgs),
    /// Explain who may do what on a model for one caller, confirmed in the simulator.
    Explain(ExplainArgs),
    /// Compare two versions of the API: access, data, resolvers, stacks and limits.
    Diff(DiffArgs),
    /// Count each stack against CloudFormation's limits before deploying.
    Limits(LimitsArgs),
    /// The compile's checks plus the security lints.
    Lint(LintArgs),
}

fn main() -> ExitCode {
    tune_allocator();
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
        Command::GqlCompile(args) if args.watch => amplify_gql::cli::watch::run(args),
        Command::GqlCompile(args) => gql_compile::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Test(args) => test::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Limits(args) => limits::run(args),
        Command::Lint(args) => lint::run(args),
    };
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.code as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocator_option_numbers_name_the_options_we_mean() {
        // mimalloc 3's default purge delay: 1,000 ms.
        // SAFETY: a plain getter of a global option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
