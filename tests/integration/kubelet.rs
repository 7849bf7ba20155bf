//! The kubelet's side: image pulls, cold starts, and CrashLoopBackOff
//! (k8s-reference §3: 10 s doubling to 300 s, reset after 10 min running).

use crate::support::{run_traced, scenario, times};

fn back_off_delays(trace: &[nines::model::TraceEvent]) -> Vec<String> {
    trace
        .iter()
        .filter(|e| e.reason == "BackOff")
        .map(|e| {
            e.message
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// One replica on one node, its container crashing every minute it runs.
fn crash_loop(duration: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: crashloop
duration: {duration}
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: 1, app: {{ startup: 1s }} }} ]
faults: [ {{ every: 1m, podCrash: {{ workload: web }} }} ]
"
    ))
}

#[test]
fn crash_loop_back_off_doubles_then_resets_after_ten_minutes_running() {
    // One replica crashing every minute when running: restarted at once
    // the first time (the kubelet has no back-off for it yet), then after
    // 10 s, 20 s, 40 s, 80 s, then (the 360 s crash finds it in back-off)
    // 160 s, 300 s (capped)...
    let s = crash_loop("30m");
    let out = run_traced(&s, 1);
    let delays = back_off_delays(&out.trace);
    let first = times(&out.trace, "Fault", "PodCrash", "")[0];
    // The replica runs from before the run: its first `Started` is the
    // restart.
    assert_eq!(times(&out.trace, "Pod", "Started", "web-")[0], first);
    assert_eq!(delays[..6], ["10s", "20s", "40s", "80s", "160s", "300s"]);
    assert!(delays[6..].iter().all(|d| d == "300s"), "{delays:?}");

    // The same, but the crashes are 11 minutes apart: every one is the
    // first, restarted at once, with no back-off.
    let s = scenario(
        "name: crashloop-reset
duration: 1h
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 1, app: { startup: 1s } } ]
faults: [ { every: 11m, podCrash: { workload: web } } ]
",
    );
    let out = run_traced(&s, 1);
    assert!(back_off_delays(&out.trace).is_empty());
    let crashes = times(&out.trace, "Fault", "PodCrash", "");
    let started = times(&out.trace, "Pod", "Started", "web-");
    assert_eq!(crashes.len(), 5);
    assert_eq!(started, crashes);
}

#[test]
fn the_report_timeline_shows_each_back_off() {
    // The key events a run keeps for its report, without `--trace`: a
    // crash loop's back-offs, not only its crashes, are what keep the pod
    // out of service.
    let s = crash_loop("10m");
    let out = crate::support::run(&s, 1);
    assert!(out.trace.iter().all(|e| e.key));
    let delays = back_off_delays(&out.trace);
    assert_eq!(delays[..4], ["10s", "20s", "40s", "80s"], "{delays:?}");
}

#[test]
fn a_cold_start_pulls_each_image_once_per_node_and_is_down_until_ready() {
    // Two replicas on one node: the second waits for the first's pull rather
    // than pulling again, both start at 20 s, the app is up at 25 s, and the
    // first probe tick after that (period 5 s) makes them Ready.
    let s = scenario(
        "name: cold
duration: 5m
coldStart: true
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads:
  - name: web
    replicas: 2
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 5 }
    app: { imagePull: 20s, startup: 5s }
traffic: [ { workload: web, rate: 10 } ]
",
    );
    let out = run_traced(&s, 1);
    assert_eq!(
        times(&out.trace, "ReplicaSet", "SuccessfulCreate", "web-"),
        vec![0.0, 0.0]
    );
    assert_eq!(
        times(&out.trace, "Pod", "Pulling", "web-").len(),
        1,
        "one pull per node"
    );
    assert_eq!(
        times(&out.trace, "Pod", "Started", "web-"),
        vec![20.0, 20.0]
    );
    let ready = times(&out.trace, "Pod", "Ready", "web-");
    assert!(ready.iter().all(|t| (25.0..30.0).contains(t)), "{ready:?}");
    let incident = &out.report.incidents[0];
    assert_eq!(incident.cause, "coldStart");
    assert_eq!(incident.start_s, 0.0);
    let first_ready = ready.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        (incident.end_s - first_ready - 1.0).abs() < 1e-9,
        "up once kube-proxy routes to it"
    );
    assert!(out.report.requests.by_cause["no_endpoints"] > 0);
}

#[test]
fn rate_steps_are_integrated_exactly() {
    // 100 req/s for 10 min then 1000 req/s for 5 min: 60,000 + 300,000.
    let s = scenario(
        "name: steps
duration: 15m
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
traffic: [ { workload: web, rate: { steps: [ { at: 0s, rate: 100 }, { at: 10m, rate: 1000 } ] } } ]
",
    );
    let total = crate::support::run(&s, 1).report.requests.total as f64;
    let expected = 360_000.0;
    assert!((total - expected).abs() < 4.0 * expected.sqrt(), "{total}");
}

#[test]
fn a_crash_loses_the_pull_in_progress_but_not_an_image_already_pulled() {
    // A 20 s pull begins at time zero; the node crashes at 10 s, back a
    // minute later: the pod's container starts again only after a new pull.
    // The second crash, at 5 min, finds the image on disk: no pull after it.
    let s = scenario(
        "name: crash-while-pulling
duration: 10m
coldStart: true
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads:
  - name: web
    replicas: 1
    app: { imagePull: 20s, startup: 1s }
faults:
  - { at: 10s, nodeCrash: { pool: w, recoverAfter: 1m } }
  - { at: 5m, nodeCrash: { pool: w, recoverAfter: 1m } }
",
    );
    let out = run_traced(&s, 1);
    let pulls = times(&out.trace, "Pod", "Pulling", "web-");
    assert_eq!(pulls.len(), 2, "{pulls:?}");
    assert_eq!(pulls[0], 0.0);
    assert!((70.0..75.0).contains(&pulls[1]), "{pulls:?}");
    let started = times(&out.trace, "Pod", "Started", "web-");
    assert_eq!(started.len(), 2, "{started:?}");
    assert!(started[0] >= pulls[1] + 20.0, "{started:?}");
    assert!((360.0..375.0).contains(&started[1]), "{started:?}");
}
