//! Request accounting in fluid mode: in-flight drops against the M/G/∞ mean,
//! independence of the traffic stream from faults, and the failures of a
//! pod without a readiness probe.

use crate::support::{run, run_traced, scenario, times};

#[test]
fn in_flight_drops_average_rate_times_mean_service_time() {
    // One replica, so λ_pod = λ; a crash every 10 minutes always finds it
    // serving (back-off ≤ 300 s, startup 1 s). Expected drops per crash:
    // λ × E[S] = 100 × 0.2 = 20, Poisson.
    let s = scenario(
        "name: drops
duration: 1000m
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads:
  - name: web
    replicas: 1
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 2 }
    app: { startup: 1s, serviceTime: 200ms }
traffic: [ { workload: web, rate: 100 } ]
faults: [ { every: 10m, podCrash: { workload: web } } ]
",
    );
    let out = run_traced(&s, 4);
    let crashes = times(&out.trace, "Fault", "PodCrash", "").len() as f64;
    assert_eq!(crashes, 100.0);
    assert_eq!(
        out.report.workloads[0].1.restarts, 100,
        "every crash hit a running container"
    );
    let expected = crashes * 100.0 * 0.2;
    let dropped = out.report.requests.dropped_in_flight as f64;
    let sd = expected.sqrt();
    assert!(
        (dropped - expected).abs() < 4.0 * sd,
        "{dropped} dropped, expected {expected} ± {}",
        4.0 * sd
    );
}

fn web(faults: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: streams
duration: 10m
cluster:
  nodePools: [ {{ name: w, count: 3, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: 3 }} ]
traffic: [ {{ workload: web, rate: 250 }} ]
faults: {faults}
"
    ))
}

#[test]
fn adding_faults_does_not_shift_the_traffic_draws() {
    // The added faults draw (a time to failure per pod at the start, the
    // in-flight drops of the node crash at the very end), yet the arrivals of
    // the ten minutes before are drawn identically.
    let plain = run(&web("[]"), 9);
    let with_faults = crate::support::run_traced(
        &web(
            "[ { podCrash: { workload: web, mtbf: 1000d } }, { at: 10m, nodeCrash: { node: w-1 } } ]",
        ),
        9,
    );
    assert_eq!(times(&with_faults.trace, "Fault", "NodeCrash", "").len(), 1);
    assert!(times(&with_faults.trace, "Fault", "PodCrash", "").is_empty());
    let (a, b) = (&plain.report.requests, &with_faults.report.requests);
    assert_eq!(a.total, b.total);
    assert_eq!(
        a.ok,
        b.ok + b.dropped_in_flight,
        "the dropped were among the answered"
    );
    let other_seed = run(&web("[]"), 10);
    assert_ne!(a.total, other_seed.report.requests.total);
}

#[test]
fn without_a_readiness_probe_requests_fail_while_the_app_starts() {
    // The pod is Ready at container start; the app answers 30 s later. The
    // restarted pod is one of two endpoints for those 30 s (after the 10 s
    // back-off and the 1 s propagation): half the requests, 100 req/s.
    let s = scenario(
        "name: no-probe
duration: 10m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 2, app: { startup: 30s } } ]
traffic: [ { workload: web, rate: 200 } ]
faults: [ { at: 1m, podCrash: { workload: web } } ]
",
    );
    let out = run(&s, 2);
    let not_started = out
        .report
        .requests
        .by_cause
        .get("not_started")
        .copied()
        .unwrap_or(0) as f64;
    // In view from back-off end + propagation (71 s) to app start (100 s): 29 s.
    let expected = 100.0 * 29.0;
    assert!(
        (not_started - expected).abs() < 4.0 * expected.sqrt(),
        "{not_started} vs {expected}"
    );
}
