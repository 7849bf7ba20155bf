//! The node-loss timeline against Kubernetes' rules (k8s-reference §1, §5):
//! Lease renewals every 10 s, monitor passes every 5 s, NotReady once the
//! Lease is older than the grace period G, endpoints gone after the
//! propagation delay, eviction 300 s after the NoExecute taint, and a
//! replacement serving after scheduling + cold pull + startup + probe.
//!
//! Four nodes in three zones (a, b, c, a) run three replicas, so the
//! replacement spreads to the zone that lost its pod, on the node without the
//! image: workers-4.

use crate::support::{run_traced, scenario, times};

const CRASH_S: f64 = 600.0;
const PULL_S: f64 = 20.0;
const STARTUP_S: f64 = 8.0;
const PROBE_PERIOD_S: f64 = 5.0;
const PROPAGATION_S: f64 = 1.0;
const RATE: f64 = 300.0;

fn node_loss(grace: Option<&str>) -> nines::scenario::Scenario {
    let settings = grace.map_or(String::new(), |g| {
        format!("  settings: {{ nodeMonitorGracePeriod: {g} }}\n")
    });
    scenario(&format!(
        "name: node-loss-test
duration: 20m
cluster:
  nodePools:
    - name: workers
      count: 4
      zones: [a, b, c]
      allocatable: {{ cpu: \"4\", memory: 16Gi }}
{settings}workloads:
  - name: web
    replicas: 3
    resources: {{ requests: {{ cpu: 250m, memory: 256Mi }} }}
    readinessProbe: {{ httpGet: {{ path: /ready, port: 8080 }}, periodSeconds: 5 }}
    app: {{ imagePull: 20s, startup: 8s, serviceTime: 40ms }}
traffic:
  - workload: web
    rate: {RATE}
faults:
  - at: 10m
    nodeCrash: {{ node: workers-1 }}
"
    ))
}

/// The pod on the crashed node leaves kube-proxy's view, as the trace says.
fn removed_from_view(trace: &[nines::model::TraceEvent]) -> f64 {
    let removed: Vec<f64> = trace
        .iter()
        .filter(|e| e.reason == "EndpointRemoved" && e.message.contains("(workers-1)"))
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert_eq!(removed.len(), 1, "one pod ran on workers-1");
    removed[0]
}

fn check_timeline(grace_s: f64, grace: Option<&str>) {
    let scenario = node_loss(grace);
    let mut detection_delays = Vec::new();
    for seed in 1..=40 {
        let out = run_traced(&scenario, seed);
        let trace = &out.trace;
        let not_ready = times(trace, "Node", "NodeNotReady", "workers-1");
        assert_eq!(not_ready.len(), 1, "seed {seed}");
        let delay = not_ready[0] - CRASH_S;
        // The last renewal is in (crash − 10 s, crash]; the first monitor pass
        // past renewal + G comes within the next 5 s.
        assert!(
            delay > grace_s - 10.0 && delay <= grace_s + 5.0,
            "seed {seed}: NotReady {delay} s after the crash, outside (G − 10, G + 5] for G = {grace_s}"
        );
        detection_delays.push(delay);
        let gone = removed_from_view(trace);
        assert!(
            (gone - not_ready[0] - PROPAGATION_S).abs() < 1e-9,
            "seed {seed}"
        );

        // The taint goes on at once (a healthy zone's bucket is full), the
        // eviction 300 s later, the replacement at the same instant.
        let evicted = times(trace, "Pod", "TaintManagerEviction", "web-");
        assert_eq!(evicted.len(), 1, "seed {seed}");
        assert!(
            (evicted[0] - not_ready[0] - 300.0).abs() < 1e-9,
            "seed {seed}"
        );
        let created = times(trace, "ReplicaSet", "SuccessfulCreate", "web-");
        assert_eq!(
            created, evicted,
            "seed {seed}: the ReplicaSet replaces at once"
        );

        // The replacement lands on a surviving node, pulls cold, starts, and
        // passes its first probe within one period of the app being up.
        let scheduled: Vec<_> = trace.iter().filter(|e| e.reason == "Scheduled").collect();
        assert_eq!(scheduled.len(), 1, "seed {seed}");
        assert!(
            scheduled[0].message.ends_with("to workers-4"),
            "seed {seed}: {}",
            scheduled[0].message
        );
        let started = times(trace, "Pod", "Started", &scheduled[0].name);
        assert_eq!(started, vec![evicted[0] + PULL_S], "seed {seed}");
        let added: Vec<f64> = trace
            .iter()
            .filter(|e| e.reason == "EndpointAdded" && e.message.starts_with(&scheduled[0].name))
            .map(|e| e.time.as_secs_f64())
            .collect();
        assert_eq!(added.len(), 1, "seed {seed}");
        let serving_after = added[0] - evicted[0];
        let earliest = PULL_S + STARTUP_S + PROPAGATION_S;
        assert!(
            serving_after >= earliest - 1e-9 && serving_after < earliest + PROBE_PERIOD_S,
            "seed {seed}: replacement serving {serving_after} s after the eviction"
        );
    }
    // The phases are random: over 40 seeds the detection delay spreads over
    // most of its 15 s window.
    let spread = detection_delays.iter().cloned().fold(f64::MIN, f64::max)
        - detection_delays.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread > 9.0,
        "detection delays barely vary: {detection_delays:?}"
    );
}

#[test]
fn node_loss_timeline_with_the_default_grace_period_of_50s() {
    check_timeline(50.0, None);
}

#[test]
fn node_loss_timeline_with_a_grace_period_of_40s() {
    check_timeline(40.0, Some("40s"));
}

#[test]
fn stale_endpoint_failures_match_rate_share_and_window() {
    let scenario = node_loss(None);
    for seed in 1..=10 {
        let out = run_traced(&scenario, seed);
        let window = removed_from_view(&out.trace) - CRASH_S;
        // One of three endpoints is dead for the window: a third of the requests.
        let expected = RATE / 3.0 * window;
        let stale = out
            .report
            .requests
            .by_cause
            .get("stale_endpoint")
            .copied()
            .unwrap_or(0) as f64;
        let sd = expected.sqrt();
        assert!(
            (stale - expected).abs() < 4.0 * sd,
            "seed {seed}: {stale} stale failures, expected {expected:.0} ± {:.0}",
            4.0 * sd
        );
    }
}

#[test]
fn three_nodes_in_one_zone_keep_the_zone_normal_and_evict() {
    // 1 of 3 not ready is below the "more than 2 nodes" rule of a partial
    // disruption, so the healthy rate applies.
    let s = scenario(
        "name: one-zone
duration: 20m
cluster:
  nodePools: [ { name: w, count: 3, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 3 } ]
faults: [ { at: 1m, nodeCrash: { node: w-2 } } ]
",
    );
    let out = run_traced(&s, 1);
    assert_eq!(
        times(&out.trace, "Pod", "TaintManagerEviction", "web-").len(),
        1
    );
}

#[test]
fn a_fully_disrupted_cluster_evicts_nothing() {
    let s = scenario(
        "name: all-down
duration: 30m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 2 } ]
faults: [ { at: 1m, nodeCrash: { pool: w, count: 2 } } ]
",
    );
    let out = run_traced(&s, 1);
    assert!(times(&out.trace, "Pod", "TaintManagerEviction", "").is_empty());
    assert_eq!(
        times(&out.trace, "Controller", "MasterDisruption", "").len(),
        1
    );
    let incident = &out.report.incidents[0];
    assert!(incident.ongoing);
    assert_eq!(
        incident.start_s, 60.0,
        "down from the crash itself: every endpoint dead"
    );
}

#[test]
fn evictions_in_a_zone_are_paced_by_the_node_eviction_rate() {
    // Two of four nodes die at once in one zone (2 not ready is not "more
    // than 2": the zone stays Normal): the second taint waits 1/0.1 = 10 s.
    let s = scenario(
        "name: paced
duration: 20m
cluster:
  nodePools: [ { name: w, count: 4, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 4 } ]
faults: [ { at: 1m, nodeCrash: { node: w-1 } }, { at: 1m, nodeCrash: { node: w-2 } } ]
",
    );
    let out = run_traced(&s, 1);
    let tainted = times(&out.trace, "Node", "TaintAdded", "w-");
    let not_ready = times(&out.trace, "Node", "NodeNotReady", "w-");
    assert_eq!(tainted.len(), 2);
    let first = not_ready.iter().cloned().fold(f64::MAX, f64::min);
    assert!((tainted[0] - first).abs() < 1e-9);
    assert!((tainted[1] - tainted[0] - 10.0).abs() < 1e-6, "{tainted:?}");
}

#[test]
fn a_node_back_before_detection_is_never_marked_not_ready() {
    let s = scenario(
        "name: blip
duration: 10m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 2, app: { startup: 2s } } ]
faults: [ { at: 1m, nodeCrash: { node: w-1, recoverAfter: 20s } } ]
",
    );
    let out = run_traced(&s, 1);
    assert!(times(&out.trace, "Node", "NodeNotReady", "").is_empty());
    // The kubelet restarts the pod's container when the node boots.
    assert_eq!(out.report.workloads[0].1.restarts, 1);
    assert!(out.report.incidents.is_empty());
}
