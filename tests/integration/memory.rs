//! Memory against its limit: OOM kills at the instant the leak reaches the
//! limit, restarts from `base`, and the `memoryLeak` fault.

use crate::support::{run_traced, scenario, times};

fn leaking(extra: &str, faults: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: leak
duration: 24h
coldStart: true
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 1
    resources: {{ limits: {{ memory: 512Mi }} }}
    app: {{ imagePull: 10s, startup: 3s, memory: {{ base: 112Mi, {extra} }} }}
traffic: [ {{ workload: web, rate: 50 }} ]
faults: {faults}
"
    ))
}

/// One node of 2Gi allocatable running `workloads` (a YAML list's items),
/// and whatever follows them (`traffic`, `faults`).
fn on_a_2gi_node(name: &str, duration: &str, workloads: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: {name}
duration: {duration}
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 2Gi }} }} ]
workloads:
{workloads}"
    ))
}

#[test]
fn a_leak_is_oom_killed_every_limit_minus_base_over_leak_plus_the_restart() {
    // (512 − 112) MiB at 100 MiB/h: 4 h after each start. The container
    // starts at 10 s (cold pull) and again at once after each kill (the
    // first restart has no back-off, and 4 h of running reset it).
    let out = run_traced(&leaking("leakPerHour: 100Mi", "[]"), 1);
    let killed = times(&out.trace, "Pod", "OOMKilled", "web-");
    let started = times(&out.trace, "Pod", "Started", "web-");
    let cycle = 4.0 * 3600.0;
    assert_eq!(killed.len(), 5, "{killed:?}");
    for (i, k) in killed.iter().enumerate() {
        assert!(
            (k - started[i] - cycle).abs() < 1e-6,
            "kill {i} at {k}, started {}",
            started[i]
        );
        assert!((started[i + 1] - k).abs() < 1e-6);
    }
    let w = &out.report.workloads[0].1;
    assert_eq!(w.pod_oom_kills[0].oom_kills, 5);
    assert!((w.memory_mib.max - 512.0).abs() < 1e-6);
    // The memory climbs from 112 to 512 MiB each cycle: its mean is 312.
    assert!(
        (w.memory_mib.avg - 312.0).abs() < 1.0,
        "{}",
        w.memory_mib.avg
    );
}

#[test]
fn a_memory_leak_fault_adds_to_every_container_from_its_time_on() {
    // No leak of its own; from 2 h on, 200 MiB/h: the limit is reached
    // 2 h after the fault.
    let out = run_traced(
        &leaking(
            "leakPerHour: 0Mi",
            "[ { at: 2h, memoryLeak: { workload: web, leakPerHour: 200Mi } } ]",
        ),
        1,
    );
    let killed = times(&out.trace, "Pod", "OOMKilled", "web-");
    assert!((killed[0] - 4.0 * 3600.0).abs() < 1e-6, "{killed:?}");
    // After the restart (at once: no back-off yet) the leak goes on: every 2 h.
    assert!(
        (killed[1] - killed[0] - 2.0 * 3600.0).abs() < 1e-6,
        "{killed:?}"
    );
}

#[test]
fn memory_per_request_in_flight_counts_toward_the_limit() {
    // 50 req/s × 50 ms in flight = 2.5 requests × 100 MiB = 250 MiB on top of
    // 112 MiB base and 100 MiB/h of leak: the limit comes 1.5 h after start.
    let out = run_traced(&leaking("leakPerHour: 100Mi, perRequest: 100Mi", "[]"), 1);
    let killed = times(&out.trace, "Pod", "OOMKilled", "web-");
    let started = times(&out.trace, "Pod", "Started", "web-");
    let first = killed[0] - started[0];
    // Until the pod is in kube-proxy's view it gets no requests, so the
    // per-request part starts a few seconds after the container.
    assert!((first - 1.5 * 3600.0).abs() < 60.0, "{first}");
}

#[test]
fn node_memory_pressure_evicts_the_pod_furthest_over_its_request() {
    // One 2Gi node: a leaking pod (256Mi request, no limit, +512Mi/h) next
    // to a steady one (512Mi). Together they reach 2Gi after
    // (2048 − 768) / 512 = 2.5 h; the eviction manager, checking every
    // 10 s, evicts the leaking pod, the one most over its request.
    let s = on_a_2gi_node(
        "pressure",
        "4h",
        "  - name: leaky
    replicas: 1
    resources: { requests: { memory: 256Mi } }
    app: { memory: { leakPerHour: 512Mi } }
  - name: steady
    replicas: 1
    resources: { requests: { memory: 512Mi } }
",
    );
    let out = run_traced(&s, 1);
    let evicted: Vec<_> = out.trace.iter().filter(|e| e.reason == "Evicted").collect();
    assert_eq!(evicted.len(), 1, "{evicted:?}");
    assert!(evicted[0].name.starts_with("leaky-"));
    let t = evicted[0].time.as_secs_f64();
    assert!((9000.0..9010.0).contains(&t), "{t}");
    assert!(
        evicted[0]
            .message
            .starts_with("The node was low on resource: memory.")
    );
    let replaced = times(&out.trace, "ReplicaSet", "SuccessfulCreate", "leaky-");
    assert_eq!(replaced, vec![t]);
}

#[test]
fn node_memory_pressure_evicts_the_leaking_pod_whatever_the_order_of_the_workloads() {
    // Two steady pods at their 300Mi request and a leaking one (256Mi,
    // +10Gi/h) on a 2Gi node: full after (2048 − 856) / 10240 h = 419 s,
    // evicted at the next 10-s check. Each pod is ranked by its own
    // memory over its request, wherever its workload is listed.
    let workloads = [
        "  - name: steady
    replicas: 2
    resources: { requests: { cpu: 100m, memory: 300Mi } }
    app: { memory: { base: 300Mi } }
",
        "  - name: leaky
    replicas: 1
    resources: { requests: { cpu: 100m, memory: 256Mi } }
    app: { memory: { base: 256Mi, leakPerHour: 10Gi } }
",
    ];
    let evictions = |first: usize| {
        let s = on_a_2gi_node(
            "pressure",
            "10m",
            &format!("{}{}", workloads[first], workloads[1 - first]),
        );
        let out = run_traced(&s, 1);
        let evicted: Vec<(f64, String, String)> = (out.trace.iter())
            .filter(|e| e.reason == "Evicted")
            .map(|e| (e.time.as_secs_f64(), e.name.clone(), e.message.clone()))
            .collect();
        evicted
    };
    for first in [0, 1] {
        let evicted = evictions(first);
        assert_eq!(evicted.len(), 1, "{evicted:?}");
        let (t, name, message) = &evicted[0];
        assert!(name.starts_with("leaky-"), "{evicted:?}");
        assert!((419.0..430.0).contains(t), "{t}");
        // What it holds: its base and 10Gi an hour since its start.
        let using_kib = 256.0 * 1024.0 + 10.0 * 1024.0 * 1024.0 * t / 3600.0;
        let reported: f64 = message
            .split("was using ")
            .nth(1)
            .and_then(|m| m.split("Ki").next())
            .and_then(|m| m.parse().ok())
            .expect("the message gives the usage");
        assert!(
            (reported - using_kib).abs() < 2.0,
            "{reported} Ki against {using_kib} Ki"
        );
    }
}

#[test]
fn an_evicted_pods_replacement_back_on_the_node_is_evicted_at_the_next_poll_not_at_once() {
    // A pod holding 1Gi over a 100Mi request, next to a leaking one: once
    // the node is short it is evicted, and its replacement, bound to the
    // same node at once, is over too. The eviction manager sees the node
    // again only at its first cleanup poll, a second later, so the run
    // goes on instead of evicting without end at one instant.
    let s = on_a_2gi_node(
        "churn",
        "6m",
        "  - name: leaky
    replicas: 1
    resources: { requests: { cpu: 100m, memory: 256Mi } }
    app: { memory: { base: 256Mi, leakPerHour: 10Gi } }
  - name: fat
    replicas: 1
    resources: { requests: { cpu: 100m, memory: 100Mi } }
    app: { memory: { base: 1Gi } }
",
    );
    let out = run_traced(&s, 1);
    let evicted = times(&out.trace, "Pod", "Evicted", "");
    assert!(evicted.len() > 1, "{evicted:?}");
    for pair in evicted.windows(2) {
        assert!(pair[1] - pair[0] >= 1.0, "{evicted:?}");
    }
}

#[test]
fn an_evicted_pod_gets_a_second_of_grace_and_finishes_its_requests() {
    // A hard eviction stops the pod with a 1-s grace period
    // (`immediateEvictionGracePeriodSeconds`), not a SIGKILL: its app gets
    // SIGTERM, finishes the requests it holds (1 s each, about 100 at
    // 100 a second) and exits, so none is dropped in flight.
    let s = on_a_2gi_node(
        "graceful-eviction",
        "10m",
        "  - name: leaky
    replicas: 1
    resources: { requests: { cpu: 100m, memory: 256Mi } }
    app: { serviceTime: 1s, memory: { base: 256Mi, leakPerHour: 10Gi } }
  - name: steady
    replicas: 2
    resources: { requests: { cpu: 100m, memory: 300Mi } }
    app: { memory: { base: 300Mi } }
traffic: [ { workload: leaky, rate: 100 } ]
",
    );
    let out = run_traced(&s, 1);
    let evicted = times(&out.trace, "Pod", "Evicted", "leaky-");
    assert_eq!(evicted.len(), 1, "{evicted:?}");
    assert_eq!(out.report.requests.dropped_in_flight, 0);
}

#[test]
fn memory_pressure_keeps_best_effort_pods_off_the_node_for_five_minutes() {
    // The leaking pod is BestEffort (no requests): evicted at ~3 h, its
    // replacement may not land on the node until the MemoryPressure
    // condition clears, evictionPressureTransitionPeriod (5 min) later.
    let s = on_a_2gi_node(
        "best-effort",
        "4h",
        "  - name: leaky
    replicas: 1
    app: { memory: { leakPerHour: 512Mi } }
  - name: steady
    replicas: 1
    resources: { requests: { memory: 512Mi } }
",
    );
    let out = run_traced(&s, 1);
    let evicted = times(&out.trace, "Pod", "Evicted", "leaky-");
    assert_eq!(evicted.len(), 1);
    let failed: Vec<_> = out
        .trace
        .iter()
        .filter(|e| e.reason == "FailedScheduling")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .message
            .contains("node.kubernetes.io/memory-pressure"),
        "{}",
        failed[0].message
    );
    let scheduled = times(&out.trace, "Pod", "Scheduled", "leaky-");
    assert_eq!(scheduled, vec![evicted[0] + 300.0]);
}

#[test]
fn memory_leak_faults_add_up_and_each_ends_on_its_own() {
    // From 1 h two leaks of 100 MiB/h, the first for 1 h only: 200 MiB by
    // 2 h, then 100 MiB/h: the 400 MiB of room are gone at 4 h.
    let out = run_traced(
        &leaking(
            "leakPerHour: 0Mi",
            "[ { at: 1h, memoryLeak: { workload: web, leakPerHour: 100Mi, recoverAfter: 1h } },
               { at: 1h, memoryLeak: { workload: web, leakPerHour: 100Mi } } ]",
        ),
        1,
    );
    let killed = times(&out.trace, "Pod", "OOMKilled", "web-");
    assert!((killed[0] - 4.0 * 3600.0).abs() < 1e-6, "{killed:?}");
}
