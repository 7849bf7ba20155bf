//! A progress bar for many seeds, on stderr and only when stderr is a
//! terminal, so that logs and pipes get no escape codes.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

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
