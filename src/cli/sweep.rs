//! `nines sweep`: the same scenario at every combination of some settings,
//! each point over the same seeds; `--shard I/N` runs one slice of the work
//! for `nines merge` to combine.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use nines::experiment::map_parallel;
use nines::experiment::sweep::{
    Dimension, Shard, SweepPlan, SweepRow, rows, write_shard_csv, write_sweep_csv,
};
use nines::limits::{Limits, over_limit};
use nines::report::RunFigures;
use nines::report::charts::{self, SweepChartPoint, sweep_charts};
use nines::report::numbers::decimal;
use nines::scenario::defaults;
use nines::{RunOptions, run};

use super::CliError;
use super::limits::{LimitArgs, check_seeds};
use super::output::{OutputFile, chart_files, write_files};

/// Runs a scenario at every combination of the values given with `--vary`
/// (the last `--vary` changing fastest), each point over the same seeds,
/// and prints a row per point; `--out DIR` writes `DIR/sweep.csv` and the
/// charts. `--shard I/N` runs the Ith of N slices (I from 0) and writes
/// them for `nines merge`.
///
/// Examples:
///   nines sweep scenarios/node-loss.yaml --vary workloads.web.replicas=1,2,3
///   nines sweep scenarios/node-loss.yaml --vary workloads.web.replicas=2,3 \
///       --vary cluster.settings.nodeMonitorGracePeriod=20s,50s --seeds 20 --out sweep/
///   nines sweep scenarios/node-loss.yaml --vary workloads.web.replicas=1,2,3 \
///       --seeds 100 --shard 0/4 --out shards/0
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SweepArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// A setting and its values, `PATH=V1,V2,...`; repeatable.
    #[arg(long, required = true, value_name = "PATH=V1,V2,...")]
    vary: Vec<String>,
    /// Seeds per point, from the scenario's (or `--seed`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    seeds: u64,
    /// The first seed of every point (default: the scenario's `seed`, else
    /// 1); its runs take seed, seed + 1, …
    #[arg(long)]
    seed: Option<u64>,
    /// Threads (default: every core); the result is the same for any number.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    /// Fixed changes to the scenario, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Draw every request on its own at every point, as `run --exact` does.
    #[arg(long)]
    exact: bool,
    /// Write `sweep.csv` and the charts into this directory (created if
    /// missing); with `--shard`, the shard's files.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only the Ith of N slices of the (point, seed) runs, I from 0
    /// (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX); needs `--out`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// `PATH=V1,V2` into the path and its values.
fn parse_vary(vary: &str) -> Result<Dimension, CliError> {
    let (path, values) = vary.split_once('=').ok_or_else(|| {
        CliError::Usage(format!(
            "`--vary {vary}`: expected PATH=V1,V2,..., e.g. `workloads.web.replicas=1,2,3`"
        ))
    })?;
    let values: Vec<String> = values.split(',').map(str::to_string).collect();
    if path.is_empty() || values.iter().any(String::is_empty) {
        return Err(CliError::Usage(format!(
            "`--vary {vary}`: a path and values separated by commas"
        )));
    }
    Ok(Dimension {
        path: path.to_string(),
        values,
    })
}

/// The number of points, the product of the dimensions' values, held to
/// its limit before any point is made.
pub fn check_points(vary: &[Dimension], limits: &Limits) -> Result<(), CliError> {
    let points = vary
        .iter()
        .try_fold(1u64, |n, d| n.checked_mul(d.values.len() as u64))
        .unwrap_or(u64::MAX);
    if points > limits.sweep_points {
        return Err(CliError::Usage(format!(
            "the `--vary` values make {} points: {}",
            if points == u64::MAX {
                "too many".to_string()
            } else {
                points.to_string()
            },
            over_limit(limits.sweep_points, "--max-sweep-points")
        )));
    }
    Ok(())
}

pub fn execute(args: SweepArgs) -> Result<ExitCode, CliError> {
    let vary = args
        .vary
        .iter()
        .map(|v| parse_vary(v))
        .collect::<Result<Vec<_>, _>>()?;
    let shard = match &args.shard {
        Some(text) => Shard::parse(text).map_err(CliError::Usage)?,
        None => Shard::WHOLE,
    };
    if args.shard.is_some() && args.out.is_none() {
        return Err(CliError::Usage(
            "`--shard` writes its results for `nines merge`: give it `--out DIR`".to_string(),
        ));
    }
    let limits = args.limits.limits();
    check_seeds(args.seeds, &limits)?;
    check_points(&vary, &limits)?;
    let base = nines::scenario::load_with(&args.scenario, &args.sets, &limits)?;
    super::print_warnings(&base);
    let plan = SweepPlan {
        scenario: base.name.clone(),
        vary,
        sets: args.sets.clone(),
        first_seed: args.seed.or(base.seed).unwrap_or(defaults::SEED),
        seeds: args.seeds,
        exact: args.exact,
    };
    let points = plan.points();
    // Every point is loaded and validated before anything runs.
    let scenarios = points
        .iter()
        .map(|p| {
            nines::scenario::load_varied(&args.scenario, &plan.sets, &plan.varied_of(p), &limits)
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (point, scenario) in points.iter().zip(&scenarios) {
        let warnings = scenario.warnings.beyond(&base.warnings);
        if !warnings.is_empty() {
            let sets = plan.varied_of(point).join(" ");
            errln!("at {sets}:\n{warnings}");
        }
    }
    let items: Vec<usize> = shard.items(plan.items()).collect();
    let bar = super::seeds::seeds_bar(items.len(), &plan.scenario);
    let figures = map_parallel(
        items.len(),
        super::seeds::threads(args.jobs),
        &super::seeds::tick(&bar),
        |i| {
            let (point, seed) = plan.item(items[i]);
            let options = RunOptions {
                max_events: limits.events,
                exact: plan.exact,
                ..RunOptions::new(seed)
            };
            run(&scenarios[point], &options).map(|o| RunFigures::of(&o.report))
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.shard.is_some() {
        let dir = args.out.as_deref().expect("checked above");
        let results: Vec<(usize, RunFigures)> = items.into_iter().zip(figures).collect();
        write_shard(dir, &plan, shard, &results)?;
        outln!(
            "shard {}/{}: {} runs written to {}",
            shard.index,
            shard.count,
            results.len(),
            dir.join(format!("{}.csv", shard.file_stem())).display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows = rows(&plan, &figures);
    out!("{}", rows_text(&plan, &rows));
    if let Some(dir) = &args.out {
        write_files(dir, &sweep_files(&plan, &rows)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_shard(
    dir: &Path,
    plan: &SweepPlan,
    shard: Shard,
    results: &[(usize, RunFigures)],
) -> Result<(), CliError> {
    let mut csv = Vec::new();
    write_shard_csv(plan, results, &mut csv).map_err(super::output::in_memory)?;
    let header = ShardHeader {
        plan: plan.clone(),
        shard,
    };
    let json = serde_json::to_string_pretty(&header).expect("a plan always serializes") + "\n";
    // The CSV first: a shard counts as written once its header is there.
    write_files(dir, &[(format!("{}.csv", shard.file_stem()), csv)])?;
    write_files(
        dir,
        &[(format!("{}.json", shard.file_stem()), json.into_bytes())],
    )
}

/// What a shard's JSON file holds: the plan it belongs to and its slice.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ShardHeader {
    pub plan: SweepPlan,
    pub shard: Shard,
}

/// A line per point.
pub fn rows_text(plan: &SweepPlan, rows: &[SweepRow]) -> String {
    let mut out = String::new();
    for row in rows {
        let s = &row.summary;
        let label = plan
            .vary
            .iter()
            .zip(&row.values)
            .map(|(d, value)| format!("{}={value}", d.path))
            .collect::<Vec<_>>()
            .join(" ");
        // A run with no failed request has the rule-of-three bound for its
        // nines, and a mean over it is a lower bound too, as with `--seeds`.
        let at_least = if s.get("failed_requests").min == 0.0 {
            "≥ "
        } else {
            ""
        };
        out.push_str(&format!(
            "{label}  availability {:.4}%  uptime {:.4}%  nines per run {at_least}{:.2}  failed {}{}\n",
            s.get("request_availability").mean * 100.0,
            s.get("uptime").mean * 100.0,
            s.get("nines_requests").mean,
            decimal(s.get("failed_requests").mean, 1),
            s.slo_probability_met
                .map_or(String::new(), |p| format!("  SLO met {:.0}%", p * 100.0))
        ));
    }
    out
}

/// `sweep.csv` and the charts, all made before any is written.
pub fn sweep_files(plan: &SweepPlan, rows: &[SweepRow]) -> Result<Vec<OutputFile>, CliError> {
    let mut csv = Vec::new();
    write_sweep_csv(plan, rows, &mut csv).map_err(super::output::in_memory)?;
    let mut files = vec![("sweep.csv".to_string(), csv)];
    let points: Vec<SweepChartPoint> = rows
        .iter()
        .map(|r| SweepChartPoint {
            values: r.values.clone(),
            nines: r.summary.get("nines_requests").clone(),
            nodes: r.summary.get("nodes").mean,
            replicas: r.summary.get("replicas").mean,
        })
        .collect();
    let paths: Vec<String> = plan.vary.iter().map(|d| d.path.clone()).collect();
    let (by_setting, cost) = sweep_charts(&plan.scenario, &paths, &points);
    for chart in &by_setting {
        files.extend(chart_files(charts::render(chart)?));
    }
    files.extend(chart_files(charts::render(&cost)?));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_writes_its_counts_with_their_thousands_and_names_its_nines_per_run() {
        // The review: `failed 573105.4`; `nines` the mean of each run's.
        let plan = SweepPlan {
            scenario: "s".to_string(),
            vary: vec![parse_vary("a=1").expect("valid")],
            sets: Vec::new(),
            first_seed: 1,
            seeds: 2,
            exact: false,
        };
        let run = |failed: f64| RunFigures {
            values: [0.99, 1.0, 2.0, 3.0, failed, 0.0, 0.0, 0.0, 0.0, 3.0, 3.0],
            slo_passed: None,
        };
        let text = rows_text(&plan, &rows(&plan, &[run(573_105.4), run(573_105.4)]));
        assert_eq!(
            text,
            "a=1  availability 99.0000%  uptime 100.0000%  nines per run 2.00  failed 573,105.4\n"
        );
        let text = rows_text(&plan, &rows(&plan, &[run(0.0), run(12.0)]));
        assert!(text.contains("nines per run ≥ 2.00  failed 6.0"), "{text}");
    }

    #[test]
    fn a_vary_needs_a_path_and_values() {
        assert!(parse_vary("workloads.web.replicas").is_err());
        assert!(parse_vary("workloads.web.replicas=1,,3").is_err());
        let d = parse_vary("a.b=1,2").expect("valid");
        assert_eq!((d.path.as_str(), d.values.len()), ("a.b", 2));
    }
}
