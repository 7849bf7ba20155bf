//! `--exact` against the fluid account. With one seed both modes see the
//! same cluster timeline (requests draw from streams of their own), so they
//! differ only in how requests are counted within it: the fluid account
//! draws Poisson counts of the integrated rate, exact mode draws every
//! request. For each cause, the sums over seeds of the two counts are then
//! two estimates of one mean, each with variance at most its mean (Poisson,
//! or binomial thinning of a Poisson process), so their difference has
//! variance at most their sum: they must agree within 5 of those standard
//! deviations (plus one request, for causes near zero). Over the ~180
//! comparisons the chance that an exact model fails one is below 10⁻⁴.

use nines::traffic::Outcome;

use crate::support::bundled_scenarios;

/// Bundled scenarios of at most this many requests a run: the exact runs
/// of the ~20 of them take a few seconds.
const MAX_REQUESTS: u64 = 2_500_000;

const SEEDS: u64 = 4;

#[test]
fn fluid_and_exact_modes_agree_on_every_cause() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for path in bundled_scenarios() {
        let scenario = nines::scenario::load(&path).expect("bundled");
        let base = scenario.seed.unwrap_or(1);
        let fluid = nines::RunOptions::new(base);
        let exact = nines::RunOptions {
            exact: true,
            ..fluid.clone()
        };
        let end = nines::sim::SimTime::ZERO + scenario.duration;
        let expected: f64 = scenario
            .workloads
            .iter()
            .map(|w| w.traffic.expected_requests(nines::sim::SimTime::ZERO, end))
            .sum();
        if expected > MAX_REQUESTS as f64 {
            continue;
        }
        let sums = |options: &nines::RunOptions| {
            let outputs =
                nines::experiment::run_seeds(&scenario, base, SEEDS as usize, 2, options, &|_| {})
                    .expect("runs");
            let mut sums = [0u64; 8];
            for o in &outputs {
                for (i, outcome) in Outcome::ALL.iter().enumerate() {
                    let key = outcome.key();
                    sums[i] += match outcome {
                        Outcome::Ok => o.report.requests.ok,
                        _ => o.report.requests.by_cause.get(key).copied().unwrap_or(0),
                    };
                }
            }
            sums
        };
        let (f, e) = (sums(&fluid), sums(&exact));
        for (i, outcome) in Outcome::ALL.iter().enumerate() {
            let (f, e) = (f[i] as f64, e[i] as f64);
            let tolerance = 5.0 * (f + e).sqrt() + 1.0;
            if (f - e).abs() > tolerance {
                failures.push(format!(
                    "{}: {}: fluid {f} vs exact {e} over {SEEDS} seeds (tolerance {tolerance:.0})",
                    scenario.name,
                    outcome.key()
                ));
            }
        }
        compared += 1;
    }
    assert!(compared >= 15, "only {compared} scenarios compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
