//! amplify-gql: a compiler for AWS AppSync GraphQL APIs, compatible with the Amplify GraphQL
//! transformer v2. The modules are the pipeline, in order: `source` → `parse` → `model` →
//! `normalise` → `plan` → the back ends `schema`, `resolvers` (building `vtl` trees) and
//! `stacks` → `emit` → `output`; `config` and `project` feed it. `docs/architecture.md` says
//! what each stage reads, writes and may import.

pub mod access;
pub mod appsync;
pub mod ast;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod dynamodb;
pub mod emit;
pub mod lint;
pub mod model;
pub mod normalise;
pub mod output;
pub mod parse;
pub mod plan;
pub mod project;
pub mod resolvers;
pub mod review;
pub mod schema;
pub mod source;
pub mod stacks;
pub mod velocity;
pub mod vtl;

use config::Config;
use diagnostics::{Diagnostic, Diagnostics};
pub use normalise::Normalised;
use source::SourceMap;

/// The front half of the compiler: parse, build the typed model, normalise and validate the
/// auth rules. Returns the normalised schema (when the text could be parsed) and every
/// diagnostic found; callers must not emit anything when `diagnostics.has_errors()`.
pub fn analyse(sources: &SourceMap, config: &Config) -> (Option<Normalised>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let parsed = parse::parse(sources);
    let syntax_failed = parsed
        .diagnostics
        .iter()
        .any(|d| d.code == diagnostics::Code::SyntaxError);
    diagnostics.extend(parsed.diagnostics);
    if syntax_failed {
        return (None, diagnostics);
    }
    let (schema, ds) = model::lower(parsed.document, config);
    diagnostics.extend(ds);
    let (normalised, ds) = normalise::normalise(schema, config);
    diagnostics.extend(ds);
    // Matrix-level checks read every rule; after a rule error they would only repeat it.
    if !diagnostics.has_errors() {
        diagnostics.extend(plan::check(&normalised, config));
    }
    (Some(normalised), diagnostics)
}

/// The back half: everything `gql-compile` writes, from a schema without errors, as for a
/// schema compiled alone (see `compile_with`).
pub fn compile(normalised: &Normalised, config: &Config) -> output::BuildOutput {
    let inputs = project::BuildInputs::standalone("amplifyapi", config, 0, "local");
    compile_with(normalised, config, &inputs).expect("a build without project files cannot fail")
}

/// The back half, kept in memory: see `compile_into`.
pub fn compile_with(
    normalised: &Normalised,
    config: &Config,
    inputs: &project::BuildInputs,
) -> Result<output::BuildOutput, Diagnostics> {
    let mut build = output::BuildOutput::default();
    compile_into(normalised, config, inputs, &mut build)?;
    Ok(build)
}

/// The back half: everything `gql-compile` writes, from a schema without errors, handed to
/// `sink` file by file as it is made (a file given twice keeps its last contents). `inputs`
/// is what the build reads besides the schema: the project's API folder, or what `amplify
/// add api` would have written. `Err` carries problems with the project's resolvers and
/// stacks; the sink has then received part of the build and must be discarded.
pub fn compile_into(
    normalised: &Normalised,
    config: &Config,
    inputs: &project::BuildInputs,
    sink: &mut dyn output::Sink,
) -> Result<(), Diagnostics> {
    let plan = plan::Plan::new(normalised, config);
    // The API schema is built and printed on a second core while the resolvers, which
    // need it only for the `@searchable` queries at the end, are made.
    let mut emit_template =
        |name: &str, text: String| sink.file(&format!("resolvers/{name}"), text.into_bytes());
    let (mut resolvers, schema, sdl) = std::thread::scope(|scope| {
        let api = scope.spawn(|| {
            let schema = schema::build(&plan);
            let sdl = emit::sdl::print(&schema);
            (schema, sdl)
        });
        let unfinished = resolvers::build_into(&plan, &mut emit_template);
        let (schema, sdl) = api
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (unfinished.finish(&schema), schema, sdl)
    });
    sink.file("schema.graphql", sdl.into_bytes());
    // The API schema is a large tree that nothing after the resolvers reads.
    drop(schema);
    let problems = Diagnostics::from(resolvers::overrides::apply_folders(
        &mut resolvers,
        &[
            (
                &inputs.pipeline_functions,
                &inputs.pipeline_functions_folder,
            ),
            (&inputs.user_resolvers, &inputs.resolvers_folder),
        ],
    ));
    if problems.has_errors() {
        return Err(problems);
    }
    let mut printer = NestedStackPrinter {
        batch: Vec::new(),
        sink,
    };
    let root = stacks::build_streaming(
        &plan,
        &resolvers,
        &inputs.stacks,
        emit::cfn::nested_properties,
        &mut |_, stack| printer.push(stack),
    )
    .map_err(|d| Diagnostics::from(vec![d]))?;
    printer.flush();
    drop(resolvers);
    // The root last: it is the largest file, and by then every nested stack has been printed
    // and dropped.
    sink.file(
        "cloudformation-template.json",
        emit::cfn::root_template(&root).into_bytes(),
    );
    drop(root);
    sink.file(
        "parameters.json",
        emit::cfn::parameters(&inputs.build_parameters()).into_bytes(),
    );
    for dir in ["functions", "resolvers", "stacks"] {
        sink.dir(dir);
    }
    for (name, bytes) in inputs
        .pipeline_functions
        .iter()
        .chain(&inputs.user_resolvers)
    {
        sink.file(&format!("resolvers/{name}"), bytes.clone());
    }
    if !plan.searchable.is_empty() {
        let (name, code) = plan::searchable::STREAMING_FUNCTION;
        sink.file(
            &format!("functions/{}", stacks::searchable::FUNCTION_ZIP),
            emit::zip::archive(&[emit::zip::Entry { name, data: code }]),
        );
    }
    for (name, bytes) in &inputs.functions {
        sink.file(&format!("functions/{name}"), bytes.clone());
    }
    Ok(())
}

/// Nested stacks print independently of each other: as they are finished, a batch at a time
/// is printed (and dropped) on every core and handed to the sink in order, so the output is
/// the same as one thread's and at most a batch of texts waits in memory.
struct NestedStackPrinter<'a> {
    batch: Vec<stacks::template::Stack>,
    sink: &'a mut dyn output::Sink,
}

impl NestedStackPrinter<'_> {
    const BATCH: usize = 32;

    fn push(&mut self, stack: stacks::template::Stack) {
        self.batch.push(stack);
        if self.batch.len() == Self::BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        use rayon::prelude::*;
        let printed: Vec<(String, String)> = std::mem::take(&mut self.batch)
            .into_par_iter()
            .map(|stack| {
                let text = emit::cfn::nested_template(&stack);
                (stack.name.file(), text)
            })
            .collect();
        for (path, text) in printed {
            self.sink.file(&path, text.into_bytes());
        }
    }
}

pub use emit::acm::Columns as AcmColumns;

/// How `status -acm` prints a matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcmFormat {
    /// The Amplify CLI's tables.
    Table,
    Json,
    Markdown,
}

/// `status -acm MODEL`: the access-control matrix of one model of a schema without errors,
/// printed. `Err` when there is no such model, or two of its rules print as one role.
pub fn access_matrix(
    normalised: &Normalised,
    model_name: &str,
    columns: AcmColumns,
    format: AcmFormat,
) -> Result<String, Diagnostic> {
    let Some(model) = normalised.schema.model(model_name) else {
        let models: Vec<_> = normalised
            .schema
            .models()
            .map(|m| m.name.text.as_str())
            .collect();
        return Err(Diagnostic::error(
            diagnostics::Code::UnknownModel,
            format!("Model \"{model_name}\" does not exist."),
        )
        .with_help(if models.is_empty() {
            "the schema has no @model types".to_string()
        } else {
            format!("the schema's models are: {}", models.join(", "))
        }));
    };
    let auth = normalised.auth_of(model_name).cloned().unwrap_or_default();
    let matrix = plan::Acm::build(model, &auth, plan::RoleNaming::Printed).map_err(|dup| {
        Diagnostic::error(
            diagnostics::Code::AcmRoleCollision,
            format!("@auth {} already exists for {model_name}", dup.role),
        )
        .at(dup.rule.raw.span, "prints as the same role")
        .with_note(dup.first.raw.span, "as this rule")
        .with_help("the ACM names owner roles by field and static group roles by group only; the two rules differ only in their claim, which the matrix cannot show")
    })?;
    Ok(match format {
        AcmFormat::Table => emit::acm::table(&matrix, columns),
        AcmFormat::Json => emit::acm::json(&matrix, columns),
        AcmFormat::Markdown => emit::acm::markdown(&matrix, columns),
    })
}

/// Renders diagnostics for a terminal or a log, in a stable order.
pub fn render_diagnostics(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let sorted: Vec<&Diagnostic> = diagnostics.sorted();
    let mut out = String::new();
    for d in &sorted {
        out.push_str(&diagnostics::render(d, sources, color));
        out.push('\n');
    }
    let errors = diagnostics.errors().count();
    let warnings = diagnostics.warnings().count();
    if errors > 0 {
        out.push_str(&format!(
            "{errors} error{} and {warnings} warning{}: nothing was written\n",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ));
    }
    out
}
