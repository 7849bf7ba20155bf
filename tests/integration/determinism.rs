//! Same scenario and seed: byte-identical JSON and trace, for every bundled
//! scenario. A mismatch names the first event where the traces diverge.

use nines::model::TraceEvent;
use nines::report::write_trace_csv;

use crate::support::{bundled, bundled_scenarios, run_traced};

fn csv(trace: &[TraceEvent]) -> String {
    let mut out = Vec::new();
    write_trace_csv(trace, &mut out).expect("in-memory CSV");
    String::from_utf8(out).expect("UTF-8")
}

fn first_divergence(a: &[TraceEvent], b: &[TraceEvent]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("first divergence at event {i}: {:?} vs {:?}", a[i], b[i]),
        None => format!(
            "one trace is a prefix of the other ({} vs {} events)",
            a.len(),
            b.len()
        ),
    }
}

#[test]
fn same_seed_gives_identical_json_and_trace_for_every_bundled_scenario() {
    for path in bundled_scenarios() {
        let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let seed = scenario.seed.unwrap_or(1);
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
    }
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
        insta::assert_snapshot!(name, out.report.to_json());
    }
}
