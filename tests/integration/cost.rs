//! Cost follows change, not time or rate: fluid mode draws outcome counts
//! per change of the endpoint view, and no periodic loop (probes included)
//! runs while nothing changes.

use crate::support::{run, scenario};

fn cluster(duration: &str, rate: f64, faults: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: cost
duration: {duration}
cluster:
  nodePools: [ {{ name: w, count: 5, zones: [a, b, c], allocatable: {{ cpu: \"4\", memory: 16Gi }} }} ]
workloads:
  - name: web
    replicas: 4
    resources: {{ limits: {{ cpu: \"2\", memory: 1Gi }} }}
    app: {{ cpuPerRequest: 5ms, memory: {{ base: 200Mi, perRequest: 1Mi }} }}
    startupProbe: {{ httpGet: {{ port: 80 }}, failureThreshold: 30 }}
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
    livenessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 10 }}
  - name: api
    replicas: 2
    livenessProbe: {{ tcpSocket: {{ port: 9000 }} }}
traffic: [ {{ workload: web, rate: {rate} }}, {{ workload: api, rate: {rate} }} ]
faults: {faults}
"
    ))
}

const STOCHASTIC: &str = "[ { nodeCrash: { pool: w, mtbf: 10d, recoverAfter: 30m } }, { podCrash: { workload: web, mtbf: 3d } } ]";

#[test]
fn thirty_quiet_days_cost_no_events() {
    let out = run(&cluster("30d", 500.0, "[]"), 1);
    assert_eq!(
        out.report.events, 0,
        "nothing changes, so nothing is scheduled"
    );
    assert!(out.report.requests.total > 2_000_000_000);
}

#[test]
fn a_hundred_times_the_rate_costs_the_same_events() {
    let slow = run(&cluster("30d", 10.0, STOCHASTIC), 3);
    let fast = run(&cluster("30d", 1000.0, STOCHASTIC), 3);
    assert!(
        slow.report.events > 50,
        "the faults make work: {}",
        slow.report.events
    );
    let diff = slow.report.events.abs_diff(fast.report.events) as f64;
    assert!(
        diff < 0.01 * slow.report.events as f64,
        "{} events at 10 req/s, {} at 1000 req/s",
        slow.report.events,
        fast.report.events
    );
}

#[test]
fn doubling_the_duration_about_doubles_the_events_of_stochastic_faults() {
    // Events follow the faults, whose count is Poisson: over 8 seeds the
    // ratio of the totals is 2 within a few standard errors.
    let (mut month, mut two_months) = (0u64, 0u64);
    for seed in 1..=8 {
        month += run(&cluster("30d", 100.0, STOCHASTIC), seed).report.events;
        two_months += run(&cluster("60d", 100.0, STOCHASTIC), seed).report.events;
    }
    let ratio = two_months as f64 / month as f64;
    assert!(
        (1.7..2.3).contains(&ratio),
        "ratio {ratio}: {month} vs {two_months} events"
    );
}
