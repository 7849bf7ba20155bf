//! Never a panic: arbitrary scenario text gives a scenario or located
//! errors, and a scenario that loads runs to its end or stops with a clean
//! error. Two sources of text: the bundled scenarios mutated (lines deleted,
//! duplicated, swapped, characters flipped, values replaced with extremes),
//! and small scenarios generated from the format's own pieces. The loader
//! and a short run go through the library under `catch_unwind`; a few
//! cases also go through the binary, report, trace and charts written,
//! whose exit code must be 0, 1 or 2.
//!
//! Bounded for CI: 96 cases each from a fixed seed, two hours of simulated
//! time at most and 100,000 events a run. A longer local hunt:
//! `PROPTEST_CASES=5000 PROPTEST_RNG_SEED=$RANDOM cargo test --release
//! --test integration fuzz`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use nines::limits::Limits;
use nines::sim::SimDuration;
use nines::{RunOptions, run};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner, contextualize_config};

use crate::support::{TempDir, TempFile, bundled_scenarios, nines};

/// Tight enough that a case costs milliseconds whatever the text asks for.
const LIMITS: Limits = Limits {
    duration: SimDuration::from_secs(100 * 365 * 86_400),
    nodes: 200,
    pods: 2_000,
    workloads: 20,
    faults: 50,
    events: 100_000,
    seeds: 1,
    sweep_points: 1,
};

/// A run's simulated time is cut to this, so that most runs end before
/// their event budget and their report is made too.
const LONGEST_RUN: SimDuration = SimDuration::from_secs(2 * 3600);

fn runner() -> TestRunner {
    TestRunner::new(contextualize_config(Config {
        cases: 96,
        rng_seed: RngSeed::Fixed(9),
        failure_persistence: None,
        ..Config::default()
    }))
}

/// Loads `text` and, if it loads, runs it briefly at a seed: any panic
/// fails the case, with the text that caused it.
fn never_panics(text: &str, seed: u64, exact: bool) -> Result<(), TestCaseError> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let file = "fuzz.yaml";
        let Ok(mut scenario) = nines::scenario::parse_with(text, file, &LIMITS) else {
            return;
        };
        scenario.duration = scenario.duration.min(LONGEST_RUN);
        let options = RunOptions {
            exact,
            max_events: LIMITS.events,
            ..RunOptions::new(seed)
        };
        // A run ends or stops at its event budget; either is fine.
        if let Ok(output) = run(&scenario, &options) {
            let _ = output.report.to_json();
            let _ = nines::report::render_text(
                &output.report,
                &scenario.description,
                &output.trace,
                output.key_events_not_kept,
            );
        }
    }));
    prop_assert!(outcome.is_ok(), "panicked on:\n{text}");
    Ok(())
}

/// One change to a scenario's text.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    FlipChar(usize, char),
    ReplaceValue(usize, String),
    Truncate(usize),
}

/// Values at the edges: zero, negative, huge, empty, not a number, long.
fn extreme() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("4294967295".to_string()),
        Just("99999999999999999999".to_string()),
        Just("0s".to_string()),
        Just("1ns".to_string()),
        Just("-5s".to_string()),
        Just("36500d".to_string()),
        Just("0.000000001s".to_string()),
        Just("100%".to_string()),
        Just("0%".to_string()),
        Just("101%".to_string()),
        Just("0m".to_string()),
        Just("1Ei".to_string()),
        Just(".nan".to_string()),
        Just(".inf".to_string()),
        Just("''".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("~".to_string()),
        Just("x".repeat(10_000)),
        Just("{ exponential: 1ns }".to_string()),
        Just("{ lognormal: { median: 1s, sigma: 50 } }".to_string()),
        Just("{ weibull: { scale: 1s, shape: 0.01 } }".to_string()),
        Just("{ uniform: [0s, 36500d] }".to_string()),
        "[a-z0-9-]{1,12}",
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let flips = prop::sample::select(vec![
        ' ', ':', '-', '[', ']', '{', '}', '#', '&', '*', '\t', '0', '9', 'a', '"', '\n', '!', '%',
        '\u{0}', 'é',
    ]);
    // Mostly values replaced, which keeps the file readable so that the
    // checks and the model see the extremes.
    prop_oneof![
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (any::<usize>(), flips).prop_map(|(at, c)| Mutation::FlipChar(at, c)),
        8 => (any::<usize>(), extreme()).prop_map(|(at, v)| Mutation::ReplaceValue(at, v)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return String::new();
    }
    let n = lines.len();
    match mutation {
        Mutation::DeleteLine(i) => {
            lines.remove(i % n);
        }
        Mutation::DuplicateLine(i) => {
            let line = lines[i % n].clone();
            lines.insert(i % n, line);
        }
        Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
        Mutation::FlipChar(at, c) => {
            let chars: Vec<char> = text.chars().collect();
            let mut chars = chars;
            let i = at % chars.len().max(1);
            if let Some(slot) = chars.get_mut(i) {
                *slot = *c;
            }
            return chars.into_iter().collect();
        }
        Mutation::ReplaceValue(i, value) => {
            // The value after the line's first `key: `, or the line's
            // last scalar in a flow mapping.
            let line = &mut lines[i % n];
            if let Some(colon) = line.rfind(": ") {
                let end = line[colon..]
                    .find([',', '}', ']'])
                    .map_or(line.len(), |e| colon + e);
                line.replace_range(colon + 2..end, value);
            }
        }
        Mutation::Truncate(at) => {
            let chars: Vec<char> = text.chars().collect();
            return chars[..at % chars.len().max(1)].iter().collect();
        }
    }
    lines.join("\n") + "\n"
}

/// The text of every bundled scenario, for mutating.
fn bundled_texts() -> Vec<String> {
    bundled_scenarios()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("readable"))
        .collect()
}

#[test]
fn mutated_bundled_scenarios_never_panic() {
    let texts = bundled_texts();
    let strategy = (
        0..texts.len(),
        prop::collection::vec(mutation(), 1..3),
        any::<u64>(),
        any::<bool>(),
    );
    let result = runner().run(&strategy, |(which, mutations, seed, exact)| {
        let text = mutations
            .iter()
            .fold(texts[which].clone(), |t, m| apply(&t, m));
        never_panics(&text, seed, exact)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Pieces of a scenario, each either valid or near the edge of validity.
fn generated() -> impl Strategy<Value = String> {
    let quantity = |values: &'static [&'static str]| prop::sample::select(values.to_vec());
    let pool = (
        1u32..5,
        quantity(&["100m", "1", "4", "64"]),
        quantity(&["1Mi", "1Gi", "16Gi", "1Ti"]),
        prop::sample::select(vec!["[a]", "[a, b]", "[a, b, c]"]),
        prop::option::of((0u32..3, 0u32..4)),
    )
        .prop_map(|(count, cpu, memory, zones, autoscaling)| {
            // Autoscaling bounds around the count, so that the pool is valid.
            let autoscaling = autoscaling.map_or(String::new(), |(below, above)| {
                format!(
                    ", autoscaling: {{ minNodes: {}, maxNodes: {} }}",
                    count.saturating_sub(below),
                    count + above
                )
            });
            format!(
                "    - {{ name: p, count: {count}, zones: {zones}, \
                 allocatable: {{ cpu: \"{cpu}\", memory: {memory} }}{autoscaling} }}\n"
            )
        });
    let probe =
        (1u32..4, 1u32..6, 1u32..4, 1u32..3).prop_map(|(period, timeout, failure, delay)| {
            format!(
                "{{ httpGet: {{ port: 8080 }}, periodSeconds: {period}, timeoutSeconds: {timeout}, \
                 failureThreshold: {failure}, initialDelaySeconds: {delay} }}"
            )
        });
    let workload = (
        0u32..6,
        1u32..3,
        quantity(&["0", "10m", "250m", "2"]),
        quantity(&["0", "1Mi", "256Mi", "8Gi"]),
        prop::option::of(probe.clone()),
        prop::option::of(probe),
        prop::option::of((0u32..4, 0u32..8)),
        prop::sample::select(vec![
            "",
            "disruptionBudget: { maxUnavailable: 0 }",
            "disruptionBudget: { minAvailable: 100% }",
            "disruptionBudget: { minAvailable: 1 }",
            "strategy: { type: Recreate }",
            "strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 100% } }",
            "lifecycle: { preStop: { sleep: { seconds: 40 } } }",
            "app: { startup: 0s, imagePull: 0s, serviceTime: 1ns }",
            "app: { crashOnStart: true }",
            "app: { memory: { base: 1Mi, leakPerHour: 1Ti } }",
            "resources: { limits: { cpu: 1m, memory: 1Mi } }",
        ]),
    )
        .prop_map(
            |(replicas, min_ready, cpu, memory, readiness, liveness, hpa, extra)| {
                // Within the HPA's bounds and above `minReady`, so that it loads.
                let replicas = match hpa {
                    Some((min, max)) => replicas.clamp(min.max(1), (min + max).max(1)),
                    None => replicas,
                };
                let min_ready = min_ready.min(replicas.max(1));
                let mut w = format!(
                    "  - name: web\n    replicas: {replicas}\n    minReady: {min_ready}\n    \
                     resources: {{ requests: {{ cpu: \"{cpu}\", memory: {memory} }} }}\n"
                );
                if let Some(p) = readiness {
                    w.push_str(&format!("    readinessProbe: {p}\n"));
                }
                if let Some(p) = liveness {
                    w.push_str(&format!("    livenessProbe: {p}\n"));
                }
                if let Some((min, max)) = hpa {
                    w.push_str(&format!(
                        "    autoscaling: {{ minReplicas: {}, maxReplicas: {} }}\n",
                        min.max(1),
                        (min + max).max(1)
                    ));
                }
                if !extra.is_empty() && !extra.starts_with("resources") {
                    w.push_str(&format!("    {extra}\n"));
                }
                w
            },
        );
    let fault = prop::sample::select(vec![
        "  - { at: 1m, podCrash: { workload: web, count: 3 } }",
        "  - { podCrash: { workload: web, mtbf: 1s } }",
        "  - { at: 1m, nodeCrash: { node: p-1, recoverAfter: 1s } }",
        "  - { nodeCrash: { pool: p, mtbf: 10s, recoverAfter: 1s } }",
        "  - { at: 0s, zoneOutage: { zone: a, recoverAfter: 1m } }",
        "  - { at: 1m, nodeDrain: { pool: p, count: 5 } }",
        "  - { at: 1m, nodePartition: { zone: b, recoverAfter: 30s } }",
        "  - { at: 1m, apiServerDown: { all: true, duration: 1h } }",
        "  - { every: 1s, etcdLeaderLoss: {} }",
        "  - { at: 1m, etcdLoss: {} }",
        "  - { at: 1m, appHang: { workload: web, recoverAfter: 1m } }",
        "  - { at: 1m, memoryLeak: { workload: web, leakPerHour: 1Ti } }",
        "  - { at: 1m, trafficSpike: { workload: web, multiplier: 1000000, duration: 1h } }",
        "  - { every: 1ns, podCrash: { workload: web } }",
        "  - { at: 1m, controlPlaneNodeCrash: { duration: 1m } }",
        "  - { at: 1m, schedulerCrash: {} }",
    ]);
    (
        prop::sample::select(vec!["1s", "10m", "1h", "1d", "36500d"]),
        prop::collection::vec(pool, 1..3),
        workload,
        prop::sample::select(vec![
            "0",
            "1",
            "300",
            "1000000000",
            "{ diurnal: { min: 0, max: 1000, peakAt: 14h } }",
            "{ steps: [ { at: 0s, rate: 10 }, { at: 1s, rate: 100000 } ] }",
        ]),
        prop::collection::vec(fault, 0..4),
        prop::sample::select(vec![
            "",
            "rollouts: [ { every: 1s, workload: web, app: { startup: 1s } } ]\n",
            "rollouts: [ { at: 1m, workload: web, app: { crashOnStart: true } } ]\n",
        ]),
        any::<bool>(),
    )
        .prop_map(
            |(duration, pools, workload, rate, faults, rollouts, cold)| {
                // Pools share a name on purpose now and then: the check says so.
                let pools: String = pools
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        if i == 0 {
                            p.clone()
                        } else {
                            p.replacen("name: p,", &format!("name: p{i},"), 1)
                        }
                    })
                    .collect();
                let faults = if faults.is_empty() {
                    String::new()
                } else {
                    format!("faults:\n{}\n", faults.join("\n"))
                };
                format!(
                    "name: g\nduration: {duration}\ncoldStart: {cold}\ncluster:\n  nodePools:\n{pools}\
                     workloads:\n{workload}traffic:\n  - {{ workload: web, rate: {rate} }}\n\
                     {faults}{rollouts}"
                )
            },
        )
}

#[test]
fn generated_scenarios_never_panic() {
    let strategy = (generated(), any::<u64>(), any::<bool>());
    let result = runner().run(&strategy, |(text, seed, exact)| {
        never_panics(&text, seed, exact)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_binary_exits_0_1_or_2_on_mutated_scenarios() {
    let texts = bundled_texts();
    let strategy = (0..texts.len(), prop::collection::vec(mutation(), 1..4));
    let mut runner = TestRunner::new(contextualize_config(Config {
        cases: 24,
        rng_seed: RngSeed::Fixed(11),
        failure_persistence: None,
        ..Config::default()
    }));
    let result = runner.run(&strategy, |(which, mutations)| {
        let text = mutations
            .iter()
            .fold(texts[which].clone(), |t, m| apply(&t, m));
        let file = TempFile::new("fuzz-binary", &text);
        let out = TempDir::new("fuzz-binary-out");
        let (name, dir) = (file.name(), out.path.join("out").display().to_string());
        let outcome = nines(&[
            "run",
            name.as_str(),
            "--out",
            dir.as_str(),
            "--set",
            "duration=10m",
            "--max-events",
            "100000",
            "--max-pods",
            "2000",
        ]);
        prop_assert!(
            matches!(outcome.code, Some(0..=2)),
            "exit {:?} on:\n{text}\n{}",
            outcome.code,
            outcome.stderr
        );
        prop_assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
