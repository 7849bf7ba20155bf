//! `nines sweep`: the same scenario at every combination of some settings,
//! each point with the same seeds (common random numbers, so that the
//! differences between points are the settings', not the noise's).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use nines::report::AggregateReport;
use nines::scenario::defaults;
use nines::{RunOptions, experiment::Summary};

use super::CliError;
use super::output::write_atomically;

/// Runs a scenario at every combination of the values given with `--vary`
/// (the last `--vary` changing fastest), each point over the same seeds,
/// and prints a row per point; `--out DIR` writes them to `DIR/sweep.csv`.
///
/// Examples:
///   nines sweep scenarios/node-loss.yaml --vary workloads.web.replicas=1,2,3
///   nines sweep scenarios/node-loss.yaml --vary workloads.web.replicas=2,3 \
///       --vary cluster.settings.nodeMonitorGracePeriod=20s,50s --seeds 20 --out sweep/
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SweepArgs {
    /// The scenario file.
    scenario: PathBuf,
    /// A setting and its values, `PATH=V1,V2,...`; repeatable.
    #[arg(long, required = true, value_name = "PATH=V1,V2,...")]
    vary: Vec<String>,
    /// Seeds per point, from the scenario's (or `--seed`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    seeds: u64,
    #[arg(long)]
    seed: Option<u64>,
    /// Threads (default: every core); the result is the same for any number.
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    /// Fixed changes to the scenario, as with `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Write `sweep.csv` into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[arg(long, default_value_t = nines::DEFAULT_MAX_EVENTS)]
    max_events: u64,
}

/// At most this many points: a sweep beyond it is a mistake more often
/// than a plan.
const MAX_POINTS: usize = 10_000;

/// `PATH=V1,V2` into the path and its values.
fn parse_vary(vary: &str) -> Result<(String, Vec<String>), CliError> {
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
    Ok((path.to_string(), values))
}

/// Every combination, the last dimension changing fastest.
fn points(dimensions: &[(String, Vec<String>)]) -> Vec<Vec<String>> {
    let mut points = vec![Vec::new()];
    for (_, values) in dimensions {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut next = p.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    points
}

/// The figures a row gives, each as its mean and 95 % interval.
fn figures(a: &AggregateReport) -> Vec<(&'static str, &Summary)> {
    vec![
        ("request_availability", &a.availability.requests),
        ("uptime", &a.availability.time),
        ("nines_requests", &a.nines.requests),
        ("nines_time", &a.nines.time),
        ("failed_requests", &a.requests.failed),
        ("dropped_in_flight", &a.requests.dropped_in_flight),
        ("incidents", &a.incidents),
        ("longest_outage_s", &a.longest_outage_s),
    ]
}

pub fn execute(args: SweepArgs) -> Result<ExitCode, CliError> {
    let dimensions = args
        .vary
        .iter()
        .map(|v| parse_vary(v))
        .collect::<Result<Vec<_>, _>>()?;
    let points = points(&dimensions);
    if points.len() > MAX_POINTS {
        return Err(CliError::Usage(format!(
            "{} points; the limit is {MAX_POINTS}",
            points.len()
        )));
    }
    let mut rows = Vec::new();
    for point in &points {
        let mut sets = args.sets.clone();
        sets.extend(
            dimensions
                .iter()
                .zip(point)
                .map(|((path, _), value)| format!("{path}={value}")),
        );
        let scenario = nines::scenario::load_with(&args.scenario, &sets)?;
        let seed = args.seed.or(scenario.seed).unwrap_or(defaults::SEED);
        let options = RunOptions {
            max_events: args.max_events,
            ..RunOptions::new(seed)
        };
        let reports =
            super::seeds::reports(&scenario, seed, args.seeds as usize, args.jobs, &options)?;
        let aggregate = AggregateReport::new(seed, &reports);
        let probability = aggregate.slo.as_ref().map(|s| s.probability_met);
        println!(
            "{}  availability {:.4}%  uptime {:.4}%  nines {:.2}  failed {:.1}{}",
            point_label(&dimensions, point),
            aggregate.availability.requests.mean * 100.0,
            aggregate.availability.time.mean * 100.0,
            aggregate.nines.requests.mean,
            aggregate.requests.failed.mean,
            probability.map_or(String::new(), |p| format!("  SLO met {:.0}%", p * 100.0))
        );
        rows.push((point.clone(), aggregate));
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
            path: dir.display().to_string(),
            source,
        })?;
        write_atomically(&dir.join("sweep.csv"), |out| {
            write_csv(&dimensions, &rows, out)
        })?;
    }
    Ok(ExitCode::SUCCESS)
}

fn point_label(dimensions: &[(String, Vec<String>)], point: &[String]) -> String {
    dimensions
        .iter()
        .zip(point)
        .map(|((path, _), value)| format!("{path}={value}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_csv(
    dimensions: &[(String, Vec<String>)],
    rows: &[(Vec<String>, AggregateReport)],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let mut header: Vec<String> = dimensions.iter().map(|(p, _)| p.clone()).collect();
    header.push("runs".to_string());
    if let Some((_, first)) = rows.first() {
        for (name, _) in figures(first) {
            header.extend([
                format!("{name}_mean"),
                format!("{name}_ci95_lo"),
                format!("{name}_ci95_hi"),
            ]);
        }
    }
    header.push("slo_probability_met".to_string());
    csv.write_record(&header)?;
    for (point, a) in rows {
        let mut record: Vec<String> = point.clone();
        record.push(a.runs.to_string());
        for (_, s) in figures(a) {
            record.extend([
                s.mean.to_string(),
                s.ci95[0].to_string(),
                s.ci95[1].to_string(),
            ]);
        }
        record.push(
            a.slo
                .as_ref()
                .map_or(String::new(), |s| s.probability_met.to_string()),
        );
        csv.write_record(&record)?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_the_cartesian_product_last_fastest() {
        let dims = vec![
            ("a".to_string(), vec!["1".to_string(), "2".to_string()]),
            (
                "b".to_string(),
                vec!["x".to_string(), "y".to_string(), "z".to_string()],
            ),
        ];
        let p = points(&dims);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec!["1", "x"]);
        assert_eq!(p[1], vec!["1", "y"]);
        assert_eq!(p[5], vec!["2", "z"]);
    }

    #[test]
    fn a_vary_needs_a_path_and_values() {
        assert!(parse_vary("workloads.web.replicas").is_err());
        assert!(parse_vary("workloads.web.replicas=1,,3").is_err());
        let (path, values) = parse_vary("a.b=1,2").expect("valid");
        assert_eq!((path.as_str(), values.len()), ("a.b", 2));
    }
}
