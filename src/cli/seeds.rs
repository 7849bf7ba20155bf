//! Many seeds from the command line: on `--jobs` threads, with a progress
//! bar on stderr only when stderr is a terminal, so that logs and pipes get
//! no escape codes.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use nines::report::Report;
use nines::scenario::Scenario;

use super::CliError;

/// The reports of seeds `seed .. seed + runs`, in seed order.
pub fn reports(
    scenario: &Scenario,
    seed: u64,
    runs: usize,
    jobs: Option<u64>,
    options: &nines::RunOptions,
) -> Result<Vec<Report>, CliError> {
    let bar = seeds_bar(runs, &scenario.name);
    let reports = nines::experiment::run_seeds_keeping(
        scenario,
        seed,
        runs,
        threads(jobs),
        options,
        &tick(&bar),
        |o| o.report,
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(reports)
}

/// `--jobs`, or every core the machine offers.
pub fn threads(asked: Option<u64>) -> usize {
    asked.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        |j| j as usize,
    )
}

/// A bar counting `runs`, or none off a terminal.
pub fn seeds_bar(runs: usize, what: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(runs as u64);
    let style = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} seeds, {eta} left")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    Some(bar)
}

/// What `run_seeds` calls after each run.
pub fn tick(bar: &Option<ProgressBar>) -> impl Fn(usize) + Sync + '_ {
    move |done| {
        if let Some(bar) = bar {
            bar.set_position(done as u64);
        }
    }
}
