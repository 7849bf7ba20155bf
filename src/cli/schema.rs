//! `nines schema`: the scenario format as a JSON Schema, or as the
//! reference page rendered from it.

use std::process::ExitCode;

use clap::Args;

use super::CliError;

/// Prints the JSON Schema (draft-07) of the scenario format, so that editors
/// complete and check scenario files. `docs/scenario.schema.json` is this
/// output; a scenario points its editor at it with a first line
/// `# yaml-language-server: $schema=<path to the schema>`.
///
/// Examples:
///   nines schema > docs/scenario.schema.json
///   nines schema --markdown > docs/scenario-reference.md
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SchemaArgs {
    /// Print the scenario reference (Markdown: every field with its type,
    /// default, constraints and an example) instead of the schema.
    #[arg(long)]
    markdown: bool,
}

pub fn execute(args: SchemaArgs) -> Result<ExitCode, CliError> {
    let text = if args.markdown {
        nines::scenario::schema::reference_markdown()
    } else {
        nines::scenario::schema::scenario_schema_json()
    };
    out!("{text}");
    Ok(ExitCode::SUCCESS)
}
