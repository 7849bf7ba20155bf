//! `nines run`: one scenario, one seed, a report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use nines::report::charts::{self, ChartSamples, DowntimeHistogram};
use nines::report::{AggregateReport, Report, write_runs_csv};
use nines::scenario::defaults;
use nines::{RunOptions, Sinks, run_with_sinks};

use super::CliError;
use super::event_files::EventFiles;
use super::limits::{LimitArgs, check_seeds};
use super::output::{NewDir, OutputFile, chart_files, in_memory, write_files};
use super::sample_files::SampleFiles;

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
///   nines run scenarios/node-failures-30d.yaml --seeds 100 --jobs 2
///   nines run scenarios/node-loss.yaml --set workloads.web.replicas=5
///   nines run scenarios/node-loss.yaml --out out/node-loss
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct RunArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// The master seed (default: the scenario's `seed`, else 1); with
    /// `--seeds`, the first of them.
    #[arg(long)]
    seed: Option<u64>,
    /// Run this many seeds (seed, seed + 1, …) and report each figure's
    /// mean, 95 % confidence interval and percentiles over them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    seeds: Option<u64>,
    /// Threads for `--seeds` (default: every core); the result is the same
    /// for any number.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    /// How the report is printed: `text` for a person, `json` for a
    /// program (the stable keys of DESIGN.md's Report JSON).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write every model event to FILE as CSV (time_s,kind,name,reason,message).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Write the report (report.json, report.txt), the trace (events.csv),
    /// the state over time (timeseries.csv) and the charts (uptime,
    /// replicas, errors; SVG and PNG) into DIR; with `--seeds`, the
    /// aggregate report, runs.csv and the downtime histogram.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Draw every request on its own (its arrival, its endpoint, its service
    /// time, its death with the container) instead of the fluid account; adds
    /// latency percentiles. Costs two events per request.
    #[arg(long)]
    exact: bool,
    /// Change a field of the scenario before it runs, e.g.
    /// `workloads.web.replicas=5`; repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

pub fn execute(args: RunArgs) -> Result<ExitCode, CliError> {
    let limits = args.limits.limits();
    let scenario = nines::scenario::load_with(&args.scenario, &args.sets, &limits)?;
    super::print_warnings(&scenario);
    let seed = args.seed.or(scenario.seed).unwrap_or(defaults::SEED);
    if let Some(runs) = args.seeds {
        let runs = check_seeds(runs, &limits)?;
        if args.trace.is_some() {
            return Err(CliError::Usage(
                "`--trace` writes one run's events: it cannot go with `--seeds`".to_string(),
            ));
        }
        let options = RunOptions {
            exact: args.exact,
            max_events: limits.events,
            ..RunOptions::new(seed)
        };
        let reports = super::seeds::reports(&scenario, seed, runs, args.jobs, &options)?;
        let aggregate = AggregateReport::new(seed, &reports);
        if let Some(dir) = &args.out {
            write_files(dir, &seeds_files(&aggregate, &reports)?)?;
        }
        match args.format {
            Format::Json => out!("{}", aggregate.to_json()),
            Format::Text => out!("{}", aggregate.to_text()),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let options = RunOptions {
        exact: args.exact,
        max_events: limits.events,
        ..RunOptions::new(seed)
    };
    // The events and the samples go to their files as the run makes them;
    // the files are put in place once everything else is written. Dropped
    // before the directory they are in, should anything fail.
    let out_dir = args.out.as_deref().map(NewDir::create).transpose()?;
    let mut events = EventFiles::default();
    if let Some(path) = &args.trace {
        events.add(path)?;
    }
    let mut samples = None;
    if let Some(dir) = &args.out {
        events.add(&dir.join("events.csv"))?;
        let workloads = scenario.workloads.iter().map(|w| w.name.clone()).collect();
        let duration_s = scenario.duration.as_secs_f64();
        samples = Some(SampleFiles::create(
            &dir.join("timeseries.csv"),
            workloads,
            duration_s,
        )?);
    }
    let sinks = Sinks {
        events: (!events.is_empty()).then_some(&mut events as _),
        samples: samples.as_mut().map(|s| s as _),
    };
    let output = run_with_sinks(&scenario, &options, sinks)?;
    let text = output.text(&scenario.description);
    if let (Some(dir), Some(samples)) = (&args.out, samples) {
        let (charts, timeseries, csv) = samples.finish()?;
        // Everything that could fail is made before anything is written.
        let files = run_files(&output.report, &text, charts)?;
        write_files(dir, &files)?;
        timeseries.commit(csv)?;
    }
    events.commit()?;
    if let Some(dir) = out_dir {
        dir.keep();
    }
    match args.format {
        Format::Json => out!("{}", output.report.to_json()),
        Format::Text => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// One run's files for `--out` but its CSVs, all made before any is
/// written.
fn run_files(
    report: &Report,
    text: &str,
    charts: ChartSamples,
) -> Result<Vec<OutputFile>, CliError> {
    let mut files = vec![
        ("report.json".to_string(), report.to_json().into_bytes()),
        ("report.txt".to_string(), text.as_bytes().to_vec()),
    ];
    for chart in charts::run_charts(report, charts)? {
        files.extend(chart_files(chart));
    }
    Ok(files)
}

/// Many seeds' files for `--out`.
fn seeds_files(
    aggregate: &AggregateReport,
    reports: &[Report],
) -> Result<Vec<OutputFile>, CliError> {
    let mut runs = Vec::new();
    write_runs_csv(reports, &mut runs).map_err(in_memory)?;
    let downtime = reports.iter().map(|r| r.downtime_s).collect();
    let mut files = vec![
        ("report.json".to_string(), aggregate.to_json().into_bytes()),
        ("report.txt".to_string(), aggregate.to_text().into_bytes()),
        ("runs.csv".to_string(), runs),
    ];
    files.extend(chart_files(charts::render(&DowntimeHistogram::new(
        &aggregate.scenario,
        downtime,
    ))?));
    Ok(files)
}
