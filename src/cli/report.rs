//! `nines report`: the pages of `reports/`, a summary and charts per
//! scenario and an index, regenerated whole by one command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use nines::report::Report;
use nines::report::charts::{ChartSamples, run_charts};
use nines::report::markdown::{IndexEntry, index_page, scenario_page};
use nines::scenario::defaults;
use nines::{RunOptions, Sinks, run_with_sinks};

use super::CliError;
use super::limits::LimitArgs;
use super::output::{OutputFile, write_files};

/// Runs each scenario once, with its own seed, and writes its page
/// (`NAME/README.md` with `uptime.svg`, `replicas.svg`, `errors.svg`) and
/// an index (`README.md`) into DIR. The pages say only what the scenarios
/// and the simulator make of them, so the same command rewrites them byte
/// for byte.
///
/// Example:
///   nines report scenarios/ --out reports/
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ReportArgs {
    /// Scenario files, or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Where the pages go (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn execute(args: ReportArgs) -> Result<ExitCode, CliError> {
    let limits = args.limits.limits();
    let mut files: Vec<OutputFile> = Vec::new();
    let mut reports: Vec<(String, Report)> = Vec::new();
    for path in super::check::scenario_files(&args.paths)? {
        let scenario = nines::scenario::load_with(&path, &[], &limits)?;
        super::print_warnings(&scenario);
        let options = RunOptions {
            max_events: limits.events,
            ..RunOptions::new(scenario.seed.unwrap_or(defaults::SEED))
        };
        let mut charts =
            ChartSamples::new(scenario.duration.as_secs_f64(), scenario.workloads.len());
        let sinks = Sinks {
            samples: Some(&mut charts),
            ..Sinks::default()
        };
        let output = run_with_sinks(&scenario, &options, sinks)?;
        let text = output.text(&scenario.description);
        let dir = path.file_stem().map_or_else(
            || scenario.name.clone(),
            |s| s.to_string_lossy().into_owned(),
        );
        let page = scenario_page(
            &output.report,
            &scenario.description,
            &path.display().to_string(),
            &text,
        );
        files.push((format!("{dir}/README.md"), page.into_bytes()));
        for chart in run_charts(&output.report, charts)? {
            files.push((format!("{dir}/{}.svg", chart.name), chart.svg.into_bytes()));
        }
        reports.push((dir, output.report));
    }
    let entries: Vec<IndexEntry> = reports
        .iter()
        .map(|(dir, report)| IndexEntry {
            dir: dir.clone(),
            report,
        })
        .collect();
    files.push(("README.md".to_string(), index_page(&entries).into_bytes()));
    write_files(&args.out, &files)?;
    outln!(
        "{} scenario pages and the index written to {}",
        reports.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
