//! The control plane (k8s-reference §9, §10): without a writable API the
//! cluster freezes — kube-proxy keeps its last rules, nothing is marked
//! NotReady, replaced or evicted — and catches up when the API returns.

use crate::support::{run_traced, scenario, times};

const RATE: f64 = 300.0;

fn cluster(control_plane: &str, faults: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: cp
duration: 1h
cluster:
  controlPlane: {control_plane}
  nodePools: [ {{ name: w, count: 3, zones: [a, b, c], allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 3
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
    app: {{ startup: 5s }}
traffic: [ {{ workload: web, rate: {RATE} }} ]
faults: {faults}
"
    ))
}

#[test]
fn a_node_lost_while_the_api_is_down_stays_in_the_view_until_it_returns() {
    // API down from 10 to 25 min; w-1 dies at 15. Its Lease is far older than
    // the grace period when the API returns, so the first monitor pass after
    // 25 min marks it NotReady, and kube-proxy drops it 1 s later.
    for seed in 1..=10 {
        let s = cluster(
            "{ apiServers: 1 }",
            "[ { at: 10m, apiServerDown: { all: true, duration: 15m } }, { at: 15m, nodeCrash: { node: w-1 } } ]",
        );
        let out = run_traced(&s, seed);
        let not_ready = times(&out.trace, "Node", "NodeNotReady", "w-1");
        assert_eq!(not_ready.len(), 1, "seed {seed}");
        assert!(
            (1500.0..1505.0).contains(&not_ready[0]),
            "seed {seed}: {}",
            not_ready[0]
        );
        let removed: Vec<f64> = out
            .trace
            .iter()
            .filter(|e| e.reason == "EndpointRemoved" && e.message.contains("(w-1)"))
            .map(|e| e.time.as_secs_f64())
            .collect();
        assert_eq!(removed, vec![not_ready[0] + 1.0], "seed {seed}");
        // Nothing was replaced during the outage; the eviction comes 300 s
        // after the taint, once the API is back.
        let evicted = times(&out.trace, "Pod", "TaintManagerEviction", "web-");
        assert_eq!(evicted, vec![not_ready[0] + 300.0], "seed {seed}");
        // A third of the requests failed for the whole window.
        let window = removed[0] - 900.0;
        let expected = RATE / 3.0 * window;
        let stale = out.report.requests.by_cause["stale_endpoint"] as f64;
        assert!(
            (stale - expected).abs() < 4.0 * expected.sqrt(),
            "seed {seed}: {stale} vs {expected}"
        );
        // The control plane's own availability: 15 of 60 minutes down.
        assert!((out.report.control_plane.availability - 0.75).abs() < 1e-12);
        assert!(
            out.report.control_plane.incidents[0]
                .cause
                .starts_with("apiServerDown")
        );
    }
}

#[test]
fn losing_one_of_three_etcd_members_changes_nothing() {
    let s = cluster(
        "{ apiServers: 3, etcdMembers: 3 }",
        "[ { at: 10m, etcdMemberDown: { count: 1, duration: 30m } }, { at: 15m, nodeCrash: { node: w-1 } } ]",
    );
    let out = run_traced(&s, 1);
    assert!(times(&out.trace, "ControlPlane", "APIUnavailable", "").is_empty());
    assert_eq!(out.report.control_plane.availability, 1.0);
    // The node loss runs its normal course: NotReady within the grace period.
    let not_ready = times(&out.trace, "Node", "NodeNotReady", "w-1");
    assert!(
        (900.0 + 40.0..900.0 + 55.0).contains(&not_ready[0]),
        "{not_ready:?}"
    );
}

#[test]
fn losing_the_etcd_quorum_freezes_the_cluster_like_losing_the_api() {
    // Two of three members down: no quorum. A crash is restarted by its
    // kubelet, but the Service never learns the pod was not Ready.
    let s = cluster(
        "{ apiServers: 3, etcdMembers: 3 }",
        "[ { at: 10m, etcdMemberDown: { count: 2, duration: 10m } }, { at: 12m, podCrash: { workload: web } } ]",
    );
    let out = run_traced(&s, 1);
    let incidents = &out.report.control_plane.incidents;
    assert_eq!(incidents.len(), 1);
    assert!(
        incidents[0].cause.starts_with("etcd quorum lost: 1/3"),
        "{}",
        incidents[0].cause
    );
    assert!(
        !out.trace
            .iter()
            .any(|e| e.reason == "EndpointRemoved" && e.time.as_secs_f64() < 1200.0),
        "kube-proxy's rules are frozen"
    );
    assert_eq!(
        times(&out.trace, "Pod", "BackOff", "").len(),
        1,
        "the kubelet still restarts"
    );
}

#[test]
fn a_managed_control_plane_is_available_as_its_sla_says_in_the_long_run() {
    // 99 % with outages of 10 min on average: one every 990 min. Over 50
    // seeds of a year the mean availability is the SLA within 4 standard
    // errors of the spread between seeds.
    let s = scenario(
        "name: managed
duration: 365d
cluster:
  controlPlane: { managed: { sla: 99% } }
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
",
    );
    let availability: Vec<f64> = (1..=50)
        .map(|seed| {
            crate::support::run(&s, seed)
                .report
                .control_plane
                .availability
        })
        .collect();
    let n = availability.len() as f64;
    let mean = availability.iter().sum::<f64>() / n;
    let sd = (availability.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let se = sd / n.sqrt();
    assert!(sd > 0.0, "outages are random");
    assert!((mean - 0.99).abs() < 4.0 * se, "{mean} ± {}", 4.0 * se);
}
