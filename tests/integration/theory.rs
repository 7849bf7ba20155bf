//! The simulator against closed-form results of reliability theory: the
//! renewal-reward theorem for one crashing replica, CrashLoopBackOff's mean
//! delay from its Markov chain, and the binomial availability of a k-of-n
//! quorum. (In-flight drops per abrupt stop against λ·E[S], the M/G/∞
//! occupancy, are tested in `traffic`.)
//!
//! Each tolerance is a number of standard errors estimated from the spread
//! of the per-seed figures, never a figure picked to pass; the seeds are
//! fixed, so nothing flakes.

use crate::support::{mean_and_se, run, scenario};

/// The mean time between crashes of a running container, in seconds.
const MTBF: f64 = 600.0;
/// The app's startup, in seconds: fixed, and longer than the 1 s
/// `endpointPropagationDelay`, so a pod serves exactly this long after its
/// container starts (without a readiness probe it is Ready at once).
const STARTUP: f64 = 5.0;
/// Standard errors allowed between a measured figure and the formula. With
/// the standard error estimated from 20 seeds the gap over it follows
/// Student's t with 19 degrees of freedom, which exceeds 4.5 in absolute
/// value with probability 2.5 · 10⁻⁴: a true formula fails one comparison
/// in 4,000, a wrong one fails as soon as it is off by 4.5 of them.
const K: f64 = 4.5;
const SEEDS: u64 = 20;

/// One workload of `replicas` pods, each crashing on its own with an
/// exponential time to failure (mean `MTBF`) counted from its container's
/// start, and restarted in place after CrashLoopBackOff; a node per replica
/// with room to spare.
fn crashing(replicas: u32, min_ready: u32) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: theory
duration: 365d
cluster:
  nodePools: [ {{ name: w, count: {replicas}, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - {{ name: web, replicas: {replicas}, minReady: {min_ready}, app: {{ startup: {STARTUP}s }} }}
faults: [ {{ podCrash: {{ workload: web, mtbf: {MTBF}s }} }} ]
"
    ))
}

/// Per seed: the uptime and the mean duration of the finished incidents.
fn uptime_and_mean_incident(
    replicas: u32,
    min_ready: u32,
    seeds: std::ops::Range<u64>,
) -> Vec<(f64, f64)> {
    let s = crashing(replicas, min_ready);
    seeds
        .map(|seed| {
            let report = run(&s, seed).report;
            let durations: Vec<f64> = report
                .incidents
                .iter()
                .filter(|i| !i.ongoing)
                .map(|i| i.duration_s)
                .collect();
            assert!(durations.len() > 1000, "seed {seed}: many cycles");
            let mean = durations.iter().sum::<f64>() / durations.len() as f64;
            (report.availability.time, mean)
        })
        .collect()
}

/// CrashLoopBackOff's mean delay in the long run. The first restart of a
/// run of crashes is at once, restart number j ≥ 2 waits 10 s · 2^(j−2),
/// capped at 300 s; the run starts again (at once) when the container had
/// run 10 minutes. With run times exponential of mean m, a crash resets the
/// run with probability q = e^(−600/m), else moves it one step on, so the
/// delays form a Markov chain on 0, 10, 20, 40, 80, 160, 300 s whose
/// stationary law is π_k = q(1−q)^k for the first six and (1−q)^6 for
/// 300 s: E[B] = Σ_k π_k · b_k.
fn mean_back_off(mtbf: f64) -> f64 {
    let q = (-600.0 / mtbf).exp();
    let delays = [0.0, 10.0, 20.0, 40.0, 80.0, 160.0];
    let below_cap: f64 = delays
        .iter()
        .enumerate()
        .map(|(k, b)| b * q * (1.0 - q).powi(k as i32))
        .sum();
    below_cap + 300.0 * (1.0 - q).powi(6)
}

/// Renewal-reward: a replica alternates up periods U and incidents D, so
/// its long-run uptime is E[U] / (E[U] + E[D]). An up period starts with
/// the app answering and ends at the next crash; the time to failure is
/// exponential, hence memoryless, so E[U] = MTBF whatever the container
/// had already run. With E[D] the mean incident measured in the same run,
/// uptime = MTBF / (MTBF + E[D]).
///
/// The tolerance: the per-seed differences between the uptime and that
/// formula, their mean within 4.5 standard errors of 0 (the standard error
/// from their spread over 20 seeds).
#[test]
fn one_replica_is_up_mtbf_over_mtbf_plus_the_mean_incident() {
    let runs = uptime_and_mean_incident(1, 1, 1..SEEDS + 1);
    let gaps: Vec<f64> = runs
        .iter()
        .map(|&(uptime, down)| uptime - MTBF / (MTBF + down))
        .collect();
    let (gap, se) = mean_and_se(&gaps);
    let (uptime, _) = mean_and_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    let (down, _) = mean_and_se(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
    assert!(
        gap.abs() < K * se,
        "uptime {uptime:.5} vs MTBF/(MTBF + {down:.2} s) = {:.5}: off by {gap:.2e} (± {:.2e})",
        MTBF / (MTBF + down),
        K * se
    );
}

/// The incident and the uptime by Kubernetes' rules. A container runs
/// X ~ Exp(m) (m = MTBF) from its start, is down its first s = 5 s
/// (the app's startup), then waits out the back-off B. Per container run
/// the downtime is B + min(X, s) and the uptime max(X − s, 0), and an
/// incident ends only in a run that outlives its startup (probability
/// e^(−s/m)), so
///
/// E[D] = (E[B] + m(1 − e^(−s/m))) / e^(−s/m),
/// uptime = m·e^(−s/m) / (m + E[B]),
///
/// with E[B] CrashLoopBackOff's stationary mean (`mean_back_off`): 38.8 s
/// at m = 10 min. Tolerances: 4.5 standard errors of the per-seed figures.
#[test]
fn one_replica_down_time_follows_crash_loop_back_off() {
    let runs = uptime_and_mean_incident(1, 1, 101..101 + SEEDS);
    let (m, s) = (MTBF, STARTUP);
    let b = mean_back_off(m);
    let survives = (-s / m).exp();
    let expected_down = (b + m * (1.0 - survives)) / survives;
    let expected_uptime = m * survives / (m + b);
    let (down, se_down) = mean_and_se(&runs.iter().map(|r| r.1).collect::<Vec<_>>());
    let (uptime, se_up) = mean_and_se(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    assert!(
        (down - expected_down).abs() < K * se_down,
        "mean incident {down:.3} s, expected {expected_down:.3} s ± {:.3}",
        K * se_down
    );
    assert!(
        (uptime - expected_uptime).abs() < K * se_up,
        "uptime {uptime:.5}, expected {expected_uptime:.5} ± {:.2e}",
        K * se_up
    );
}

/// A quorum of 2 among 3 replicas that fail independently, each up with
/// probability p, is up with probability P(at least 2 of 3) =
/// p³ + 3p²(1 − p). p is the uptime measured from runs of one replica
/// (20 seeds), the quorum's from runs of three with `minReady: 2` (20
/// other seeds). With p ≈ 0.93 the quorum is up about 98.7 % of the time,
/// where one replica of three (`minReady: 1`) would be 99.9 %. The tolerance: 4.5 standard errors of the difference,
/// from both estimates' standard errors, the formula's by the delta method
/// (its derivative is 6p(1 − p)).
#[test]
fn two_of_three_replicas_are_up_as_the_binomial_gives() {
    let one: Vec<f64> = uptime_and_mean_incident(1, 1, 201..201 + SEEDS)
        .iter()
        .map(|r| r.0)
        .collect();
    let quorum: Vec<f64> = uptime_and_mean_incident(3, 2, 301..301 + SEEDS)
        .iter()
        .map(|r| r.0)
        .collect();
    let (p, se_p) = mean_and_se(&one);
    let (measured, se_measured) = mean_and_se(&quorum);
    let expected = p.powi(3) + 3.0 * p * p * (1.0 - p);
    let se = (se_measured.powi(2) + (6.0 * p * (1.0 - p) * se_p).powi(2)).sqrt();
    assert!(
        (measured - expected).abs() < K * se,
        "2 of 3 up {measured:.5}, p³ + 3p²(1 − p) at p = {p:.5}: {expected:.5} ± {:.2e}",
        K * se
    );
}
