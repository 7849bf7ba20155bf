//! Voluntary and correlated disruptions: a drain held back by a
//! PodDisruptionBudget, a zone outage against pods spread over zones, and
//! a network partition whose pods run on while replaced elsewhere.

use crate::support::{run, run_traced, scenario, times};

#[test]
fn a_drain_blocked_by_a_budget_waits_until_the_replacement_is_ready() {
    // A 3-member quorum with `minAvailable: 2`. Draining workers-1 evicts
    // one member; its replacement needs 30 s of pull and 40 s of startup.
    // Draining workers-2 ten seconds later is refused (429) every 5 s until
    // the replacement is Ready, then evicts — so the quorum never drops
    // below two serving members.
    let s = scenario(
        "name: drain
duration: 30m
cluster:
  nodePools:
    - { name: workers, count: 4, zones: [a, b, c], allocatable: { cpu: \"4\", memory: 16Gi } }
workloads:
  - name: db
    replicas: 3
    minReady: 2
    resources: { requests: { cpu: 500m, memory: 512Mi } }
    readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 5 }
    app: { imagePull: 30s, startup: 40s }
    disruptionBudget: { minAvailable: 2 }
traffic: [ { workload: db, rate: 100 } ]
faults:
  - { at: 5m, nodeDrain: { node: workers-1 } }
  - { at: 310s, nodeDrain: { node: workers-2 } }
",
    );
    for seed in 1..=3 {
        let out = run_traced(&s, seed);
        let ready = times(&out.trace, "Pod", "Ready", "db");
        let first_replacement_ready = ready
            .iter()
            .copied()
            .find(|&t| t > 300.0)
            .expect("replaced");
        let evicted = times(&out.trace, "Pod", "Evicted", "db");
        assert_eq!(evicted.len(), 2, "seed {seed}: {evicted:?}");
        assert_eq!(evicted[0], 300.0);
        let second = evicted[1];
        assert!(
            second >= first_replacement_ready && second <= first_replacement_ready + 5.0,
            "seed {seed}: evicted at {second}, replacement Ready at {first_replacement_ready}"
        );
        let drain = &out.report.drains[1];
        assert_eq!(drain.node, "workers-2");
        assert!((drain.waited_on_budget_s - (second - 310.0)).abs() < 1e-6);
        assert!(
            drain.evictions_refused >= 10,
            "retried every 5 s: {}",
            drain.evictions_refused
        );
        assert!(
            out.report.incidents.is_empty(),
            "seed {seed}: the quorum held"
        );
    }
}

fn zonal(zones: &str, outage_zone: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: zones
duration: 2h
cluster:
  nodePools:
    - {{ name: workers, count: 6, zones: {zones}, allocatable: {{ cpu: \"4\", memory: 16Gi }} }}
workloads:
  - name: web
    replicas: 6
    resources: {{ requests: {{ cpu: 500m, memory: 512Mi }} }}
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
traffic: [ {{ workload: web, rate: 200 }} ]
faults:
  - {{ at: 30m, zoneOutage: {{ zone: {outage_zone}, recoverAfter: 1h }} }}
"
    ))
}

#[test]
fn a_zone_outage_spares_pods_spread_over_three_zones() {
    let spread = run(&zonal("[a, b, c]", "a"), 7);
    assert!(spread.report.incidents.is_empty(), "two zones keep serving");
    assert!(
        spread
            .report
            .requests
            .by_cause
            .contains_key("stale_endpoint")
    );
    let single = run(&zonal("[a]", "a"), 7);
    assert_eq!(single.report.incidents.len(), 1);
    let down = single.report.incidents[0].duration_s;
    assert!(down >= 3600.0, "down until the zone is back: {down} s");
    assert!(single.report.availability.time < 0.51);
}

#[test]
fn a_partitioned_node_keeps_its_pods_while_they_are_replaced() {
    // workers-1 is cut off at 10 min for an hour. Its pods turn NotReady at
    // the first monitor pass past the 50 s grace; the NoExecute taint
    // follows, and 300 s later the pods are deleted and replaced on the
    // other nodes — but they keep running until the partition heals, when
    // their kubelet learns of the deletion and stops them.
    let s = scenario(
        "name: partition
duration: 2h
cluster:
  nodePools:
    - { name: workers, count: 3, zones: [a, b, c], allocatable: { cpu: \"4\", memory: 16Gi } }
workloads:
  - name: web
    replicas: 3
    resources: { requests: { cpu: 500m, memory: 512Mi } }
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 5 }
traffic: [ { workload: web, rate: 300 } ]
faults:
  - { at: 10m, nodePartition: { node: workers-1, recoverAfter: 1h } }
",
    );
    let out = run_traced(&s, 9);
    let t = &out.trace;
    let not_ready = times(t, "Node", "NodeNotReady", "workers-1");
    // The last renewal is at most 10 s before the partition; the grace is
    // 50 s; a monitor pass comes within 5 s.
    assert!(
        (640.0..=655.0).contains(&not_ready[0]),
        "grace 50 s after the last renewal, at a 5 s monitor pass: {not_ready:?}"
    );
    let evicted = times(t, "Pod", "TaintManagerEviction", "web");
    assert_eq!(evicted.len(), 1);
    assert!(evicted[0] >= not_ready[0] + 300.0 && evicted[0] <= not_ready[0] + 301.0);
    let stopped = times(t, "Pod", "Killing", "web");
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert_eq!(stopped[0], 4200.0, "stopped when the partition heals");
    assert!(out.report.incidents.is_empty());
    // Until kube-proxy dropped the endpoint, its third of the requests failed.
    let stale = out.report.requests.by_cause["stale_endpoint"] as f64;
    let window = not_ready[0] + 1.0 - 600.0;
    let expected = 100.0 * window;
    assert!(
        (stale - expected).abs() < 5.0 * expected.sqrt(),
        "{stale} stale, expected {expected}"
    );
}
