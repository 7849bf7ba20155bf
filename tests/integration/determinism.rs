//! Same scenario and seed: byte-identical JSON and trace, for every bundled
//! scenario at three seeds. A mismatch names the first event where the
//! traces diverge.

use nines::model::TraceEvent;
use nines::report::write_trace_csv;

use crate::support::{bundled, bundled_scenarios, run_traced};

fn csv(trace: &[TraceEvent]) -> String {
    let mut out = Vec::new();
    write_trace_csv(trace, &mut out).expect("in-memory CSV");
    String::from_utf8(out).expect("UTF-8")
}

/// One event as its line of `--trace` CSV.
fn line(event: &TraceEvent) -> String {
    csv(std::slice::from_ref(event))
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// The first event where two traces differ, by index, with both lines as
/// `--trace` writes them.
fn first_divergence(a: &[TraceEvent], b: &[TraceEvent]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!(
            "first divergence at event {i}:\n  first run:  {}\n  second run: {}",
            line(&a[i]),
            line(&b[i])
        ),
        None => format!(
            "one trace is a prefix of the other ({} vs {} events)",
            a.len(),
            b.len()
        ),
    }
}

/// Runs of more events than this are checked at their own seed only: the
/// year of a hundred nodes is a few million.
const SEVERAL_SEEDS_UP_TO: u64 = 1_000_000;

#[test]
fn same_seed_gives_identical_json_and_trace_for_every_bundled_scenario() {
    for path in bundled_scenarios() {
        let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let base = scenario.seed.unwrap_or(1);
        for seed in base..base + 3 {
            let a = run_traced(&scenario, seed);
            let b = run_traced(&scenario, seed);
            assert!(
                a.trace == b.trace,
                "{}: reproduce with `nines run {} --seed {seed} --trace t.csv` twice; {}",
                path.display(),
                path.display(),
                first_divergence(&a.trace, &b.trace)
            );
            assert_eq!(csv(&a.trace), csv(&b.trace));
            assert_eq!(a.report.to_json(), b.report.to_json(), "{}", path.display());
            if a.report.events > SEVERAL_SEEDS_UP_TO {
                break;
            }
        }
    }
}

#[test]
fn a_divergence_is_shown_as_the_two_trace_lines() {
    let scenario = bundled("node-failures-30d.yaml");
    let (a, b) = (run_traced(&scenario, 1), run_traced(&scenario, 2));
    let i = a
        .trace
        .iter()
        .zip(&b.trace)
        .position(|(x, y)| x != y)
        .expect("two seeds differ");
    let (first, second) = (line(&a.trace[i]), line(&b.trace[i]));
    assert!(first.contains(a.trace[i].reason), "a trace line: {first}");
    assert_eq!(
        first_divergence(&a.trace, &b.trace),
        format!("first divergence at event {i}:\n  first run:  {first}\n  second run: {second}")
    );
}

#[test]
fn another_seed_changes_a_stochastic_scenario() {
    let scenario = bundled("node-failures-30d.yaml");
    let a = run_traced(&scenario, 1);
    let b = run_traced(&scenario, 2);
    assert_ne!(a.report.to_json(), b.report.to_json());
    assert_ne!(a.trace, b.trace);
}

#[test]
fn the_binary_prints_the_same_json_twice() {
    let path = bundled_scenarios()
        .into_iter()
        .next()
        .expect("a bundled scenario");
    let run = || {
        crate::support::nines_bin()
            .args([
                "run",
                path.to_str().expect("UTF-8 path"),
                "--format",
                "json",
                "--seed",
                "5",
            ])
            .output()
            .expect("runs")
    };
    let (a, b) = (run(), run());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).expect("valid JSON");
    for key in [
        "scenario",
        "seed",
        "duration_s",
        "events",
        "requests",
        "availability",
        "nines",
        "incidents",
        "workloads",
    ] {
        assert!(json.get(key).is_some(), "stable key `{key}` missing");
    }
    assert_eq!(json["seed"], 5);
}

/// Each bundled scenario's report at its seed, pinned: a change to the model
/// that moves any figure shows here, to be accepted on purpose
/// (`cargo insta review`, or `INSTA_UPDATE=always cargo test`).
#[test]
fn bundled_reports_match_their_snapshots() {
    for path in bundled_scenarios() {
        let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let seed = scenario.seed.expect("bundled scenarios pin their seed");
        let out = crate::support::run(&scenario, seed);
        let name = path
            .file_stem()
            .expect("a file")
            .to_string_lossy()
            .to_string();
        insta::assert_snapshot!(name, pinned(&out.report));
    }
}

/// A report's JSON, or for one too large to review (a year of a hundred
/// nodes lists thousands of rollouts) its headline: the figures and counts
/// every part of the model feeds, without the lists.
fn pinned(report: &nines::report::Report) -> String {
    const REVIEWABLE: usize = 200_000;
    let json = report.to_json();
    if json.len() <= REVIEWABLE {
        return json;
    }
    let full: serde_json::Value = serde_json::from_str(&json).expect("a report parses");
    let mut headline = serde_json::Map::new();
    for key in [
        "scenario",
        "seed",
        "duration_s",
        "events",
        "requests",
        "availability",
        "nines",
        "downtime_s",
        "capacity",
        "slo",
    ] {
        headline.insert(key.to_string(), full[key].clone());
    }
    for list in ["incidents", "rollouts", "drains", "lost_changes"] {
        let count = full[list].as_array().map_or(0, Vec::len);
        headline.insert(format!("{list}_count"), count.into());
    }
    let workloads = full["workloads"].as_object().expect("workloads");
    let per_workload: serde_json::Map<String, serde_json::Value> = workloads
        .iter()
        .map(|(name, w)| {
            let mut brief = serde_json::Map::new();
            for key in [
                "requests",
                "availability",
                "downtime_s",
                "incidents",
                "restarts",
                "autoscaling",
            ] {
                brief.insert(key.to_string(), w[key].clone());
            }
            (name.clone(), brief.into())
        })
        .collect();
    headline.insert("workloads".to_string(), per_workload.into());
    serde_json::to_string_pretty(&headline).expect("serializes") + "\n"
}

/// The events a sink receives as the run makes them, kept in a list here.
#[derive(Default)]
struct Collected(Vec<TraceEvent>);

impl nines::model::EventSink for Collected {
    fn event(&mut self, event: &TraceEvent) {
        self.0.push(event.clone());
    }
}

#[test]
fn a_sink_receives_the_whole_trace_while_the_run_keeps_only_its_key_events() {
    // The year's thirty days reach past the thousand key events a run keeps.
    let mut year = bundled("year-100-nodes.yaml");
    year.duration = nines::sim::SimDuration::from_secs(30 * 86_400);
    for scenario in [
        bundled("node-loss.yaml"),
        bundled("rolling-deploy.yaml"),
        year,
    ] {
        let seed = 3;
        let full = run_traced(&scenario, seed);
        let plain = crate::support::run(&scenario, seed);
        let mut sink = Collected::default();
        let sinks = nines::Sinks {
            events: Some(&mut sink),
            ..nines::Sinks::default()
        };
        let streamed = nines::run_with_sinks(&scenario, &nines::RunOptions::new(seed), sinks)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sink.0 == full.trace,
            "{}: {}",
            scenario.name,
            first_divergence(&sink.0, &full.trace)
        );
        assert_eq!(streamed.trace, plain.trace, "{}", scenario.name);
        assert_eq!(streamed.key_events_not_kept, plain.key_events_not_kept);
        if scenario.name == "year-100-nodes" {
            assert!(plain.key_events_not_kept > 0, "the bound is reached");
        }
        assert_eq!(streamed.report.to_json(), plain.report.to_json());
    }
}

#[test]
fn a_sampled_run_reports_what_an_unsampled_one_does_and_samples_it_end_to_end() {
    for name in [
        "node-loss.yaml",
        "rolling-deploy.yaml",
        "diurnal-capacity.yaml",
    ] {
        let scenario = bundled(name);
        let seed = 2;
        let mut samples: Vec<nines::metrics::Sample> = Vec::new();
        let sinks = nines::Sinks {
            samples: Some(&mut samples),
            ..nines::Sinks::default()
        };
        let sampled = nines::run_with_sinks(&scenario, &nines::RunOptions::new(seed), sinks)
            .unwrap_or_else(|e| panic!("{e}"));
        let plain = crate::support::run(&scenario, seed);
        assert_eq!(sampled.report.to_json(), plain.report.to_json(), "{name}");
        // In time order, one sample an instant, from the start to the end.
        let times: Vec<u64> = samples.iter().map(|s| s.time.as_nanos()).collect();
        assert!(times.windows(2).all(|t| t[0] < t[1]), "{name}");
        assert_eq!(times.first(), Some(&0), "{name}");
        assert_eq!(times.last(), Some(&scenario.duration.as_nanos()), "{name}");
        // The grid's thousand intervals at least, and a change between.
        assert!(samples.len() > 1_001, "{name}: {}", samples.len());
    }
}
