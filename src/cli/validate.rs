//! `nines validate`: check scenario files without running them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::CliError;
use super::limits::LimitArgs;

/// Checks scenario files: YAML syntax, field names, units, references and
/// every semantic rule, reporting all problems with file:line:column and a
/// stable code (docs/error-codes.md). Errors (`E…`) fail the file;
/// warnings (`W…`) are printed and the file still passes.
///
/// Examples:
///   nines validate scenarios/node-loss.yaml
///   nines validate scenarios/*.yaml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ValidateArgs {
    /// Scenario files to check.
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn execute(args: ValidateArgs) -> Result<ExitCode, CliError> {
    let limits = args.limits.limits();
    let mut failed = false;
    for path in &args.scenarios {
        match nines::scenario::load_with(path, &[], &limits) {
            Ok(s) => {
                outln!("{}: ok ({})", path.display(), s.name);
                super::print_warnings(&s);
            }
            Err(e) => {
                failed = true;
                super::print_error(&e);
            }
        }
    }
    Ok(if failed {
        ExitCode::from(super::EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}
