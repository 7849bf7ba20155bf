//! `nines run`: one scenario, one seed, a report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use nines::model::TraceLevel;
use nines::report::{render_text, write_trace_csv};
use nines::scenario::defaults;
use nines::{RunOptions, run};

use super::CliError;
use super::output::write_atomically;

#[derive(Copy, Clone, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Runs a scenario and reports its availability: the nines by requests and by
/// time, the requests lost and why, the incidents and the key events.
///
/// Examples:
///   nines run scenarios/node-loss.yaml
///   nines run scenarios/node-loss.yaml --seed 7 --format json
///   nines run scenarios/pod-crash.yaml --trace events.csv
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct RunArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// The master seed (default: the scenario's `seed`, else 1).
    #[arg(long)]
    seed: Option<u64>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write every model event to FILE as CSV (time_s,kind,name,reason,message).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Stop with an error past this many events.
    #[arg(long, default_value_t = nines::DEFAULT_MAX_EVENTS)]
    max_events: u64,
}

pub fn execute(args: RunArgs) -> Result<ExitCode, CliError> {
    let scenario = nines::scenario::load(&args.scenario)?;
    let seed = args.seed.or(scenario.seed).unwrap_or(defaults::SEED);
    let options = RunOptions {
        trace: if args.trace.is_some() {
            TraceLevel::All
        } else {
            TraceLevel::Key
        },
        max_events: args.max_events,
        ..RunOptions::new(seed)
    };
    let output = run(&scenario, &options)?;
    if let Some(path) = &args.trace {
        write_atomically(path, |out| {
            write_trace_csv(&output.trace, out).map_err(std::io::Error::other)
        })?;
    }
    match args.format {
        Format::Json => print!("{}", output.report.to_json()),
        Format::Text => {
            let key: Vec<_> = match options.trace {
                TraceLevel::All => output.trace.iter().filter(|e| e.key).cloned().collect(),
                TraceLevel::Key => output.trace.clone(),
            };
            print!(
                "{}",
                render_text(
                    &output.report,
                    &scenario.description,
                    &key,
                    output.key_events_not_kept
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
