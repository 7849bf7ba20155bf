//! Commands, one module each with its own arguments; errors are printed with
//! their whole chain and become exit code 2.

/// `print!` that never panics: a closed stdout (`nines run … | head`) is a
/// reader that has had enough, so the command goes on quietly, its files
/// still written and its exit code still its verdict; `print!` would panic.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_out(false, format_args!($($arg)*)) };
}

/// `println!` that never panics, as [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::write_out(false, format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that never panics, as [`out!`], for a closed stderr.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::write_out(true, format_args!("{}\n", format_args!($($arg)*))) };
}

mod check;
mod event_files;
mod limits;
mod merge;
mod output;
mod report;
mod run;
mod sample_files;
mod schema;
mod seeds;
mod sweep;
mod validate;

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use nines::scenario::ScenarioError;

/// A deterministic simulator of a Kubernetes cluster's high availability:
/// how many nines, how many requests die in flight, and why.
#[derive(Parser)]
#[command(name = "nines", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Run(run::RunArgs),
    Check(check::CheckArgs),
    Sweep(sweep::SweepArgs),
    Merge(merge::MergeArgs),
    Report(report::ReportArgs),
    Validate(validate::ValidateArgs),
    Schema(schema::SchemaArgs),
}

/// Exit code for bad input or usage.
pub const EXIT_BAD_INPUT: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::execute(args),
        Command::Check(args) => check::execute(args),
        Command::Sweep(args) => sweep::execute(args),
        Command::Merge(args) => merge::execute(args),
        Command::Report(args) => report::execute(args),
        Command::Validate(args) => validate::execute(args),
        Command::Schema(args) => schema::execute(args),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            ExitCode::from(EXIT_BAD_INPUT)
        }
    };
    if OUTPUT_LOST.load(Ordering::Relaxed) {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        code
    }
}

/// Set when stdout or stderr refused a write for another reason than a
/// closed pipe (a full disk under a redirection): the output is incomplete,
/// so the command fails.
static OUTPUT_LOST: AtomicBool = AtomicBool::new(false);

/// What [`out!`], [`outln!`] and [`errln!`] write with.
pub fn write_out(to_stderr: bool, args: std::fmt::Arguments) {
    let written = if to_stderr {
        std::io::stderr().lock().write_fmt(args)
    } else {
        std::io::stdout().lock().write_fmt(args)
    };
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && !OUTPUT_LOST.swap(true, Ordering::Relaxed)
        && !to_stderr
    {
        let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
    }
}

impl From<nines::sim::SimError> for CliError {
    fn from(e: nines::sim::SimError) -> Self {
        CliError::Sim(e)
    }
}

/// `error: <message>` then each cause on its own `caused by:` line; a
/// scenario's problems are printed as they are, each with its own
/// `error[E…]` or `warning[W…]` label.
pub fn print_error(e: &(dyn std::error::Error + 'static)) {
    let scenario =
        e.downcast_ref::<ScenarioError>()
            .or_else(|| match e.downcast_ref::<CliError>() {
                Some(CliError::Scenario(s)) => Some(s),
                _ => None,
            });
    if let Some(invalid @ ScenarioError::Invalid { .. }) = scenario {
        errln!("{invalid}");
        return;
    }
    errln!("error: {e}");
    let mut source = e.source();
    while let Some(cause) = source {
        errln!("  caused by: {cause}");
        source = cause.source();
    }
}

/// A scenario's warnings, on stderr like errors; the command goes on.
pub fn print_warnings(scenario: &nines::scenario::Scenario) {
    if !scenario.warnings.is_empty() {
        errln!("{}", scenario.warnings);
    }
}

/// Errors the commands report; all of them mean exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}; raise it with `--max-events`")]
    Sim(nines::sim::SimError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot read `{path}`")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Chart(#[from] nines::report::charts::ChartError),
    #[error("cannot write `{path}`")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn every_argument_of_every_command_says_what_it_is_for() {
        // The review found `run --format` and `sweep --seed` bare in `--help`.
        let cli = Cli::command();
        let bare: Vec<String> = (cli.get_subcommands())
            .flat_map(|command| {
                (command.get_arguments())
                    .filter(|arg| arg.get_help().is_none() && arg.get_long_help().is_none())
                    .map(|arg| format!("nines {} {}", command.get_name(), arg.get_id()))
            })
            .collect();
        assert!(bare.is_empty(), "no help: {bare:?}");
    }

    #[test]
    fn merge_counts_the_shards_from_0_to_n_minus_1() {
        // The review: `merge --help` said `shards 0..N`, one too many.
        let mut cli = Cli::command();
        let merge = cli.find_subcommand_mut("merge").expect("merge");
        let help = merge.render_long_help().to_string();
        assert!(help.contains("0 to N − 1"), "{help}");
        assert!(!help.contains("0..N"), "{help}");
    }
}
