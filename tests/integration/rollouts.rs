//! Rollouts against Kubernetes' rules: the RollingUpdate bounds at every
//! instant, the termination race and its `preStop` fix, a broken release
//! that stalls, and a migration that breaks the old version.

use std::collections::BTreeSet;

use nines::model::TraceEvent;

use crate::support::{run_traced, scenario, times};

fn workload(replicas: u32, strategy: &str, extra: &str, rollouts: &str, rate: u32) -> String {
    format!(
        "name: roll
duration: 40m
cluster:
  nodePools: [ {{ name: w, count: 4, allocatable: {{ cpu: \"8\", memory: 32Gi }} }} ]
workloads:
  - name: web
    replicas: {replicas}
    resources: {{ requests: {{ cpu: 100m, memory: 128Mi }} }}
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 2 }}
    strategy: {strategy}
    app: {{ imagePull: 5s, startup: {{ uniform: [5s, 25s] }}, serviceTime: 50ms }}
{extra}
traffic: [ {{ workload: web, rate: {rate} }} ]
rollouts: {rollouts}
"
    )
}

/// The pod a `Created pod: X` / `Deleted pod: X` message names.
fn pod_in(message: &str) -> &str {
    message.rsplit(' ').next().unwrap_or_default()
}

/// Checks, after every instant of the trace, that the pods not being
/// deleted are at most `replicas + surge` and the available (Ready) ones at
/// least `replicas − unavailable`. The steady state's `replicas` pods, Ready
/// before the trace starts, are those deleted without having been created.
fn assert_rolling_bounds(trace: &[TraceEvent], replicas: u32, surge: u32, unavailable: u32) {
    let mut created: BTreeSet<&str> = BTreeSet::new();
    let mut ready: BTreeSet<&str> = BTreeSet::new();
    let mut steady_state_left = replicas;
    let mut i = 0;
    while i < trace.len() {
        let t = trace[i].time;
        while i < trace.len() && trace[i].time == t {
            let e = &trace[i];
            match (e.kind, e.reason) {
                ("ReplicaSet", "SuccessfulCreate") => {
                    created.insert(pod_in(&e.message));
                }
                ("ReplicaSet", "SuccessfulDelete") => {
                    let pod = pod_in(&e.message);
                    if created.remove(pod) {
                        ready.remove(pod);
                    } else {
                        steady_state_left -= 1;
                    }
                }
                ("Pod", "Ready") if created.contains(e.name.as_str()) => {
                    ready.insert(e.name.as_str());
                }
                _ => {}
            }
            i += 1;
        }
        let total = steady_state_left + created.len() as u32;
        let available = steady_state_left + ready.len() as u32;
        assert!(
            total <= replicas + surge,
            "at {t}: {total} pods, more than {replicas} + {surge}"
        );
        assert!(
            available + unavailable >= replicas,
            "at {t}: {available} available, fewer than {replicas} − {unavailable}"
        );
    }
}

#[test]
fn a_rolling_update_stays_within_its_surge_and_unavailability() {
    // (replicas, maxSurge, maxUnavailable) → (surge, unavailable), with
    // Kubernetes' rounding: surge up, unavailable down, 0/0 → 0/1.
    for (replicas, surge, unavailable, bounds) in [
        (10, "25%", "25%", (3, 2)),
        (6, "1", "0", (1, 0)),
        (3, "25%", "25%", (1, 0)),
        (4, "0", "1", (0, 1)),
        (3, "0", "25%", (0, 1)),
        (8, "50%", "50%", (4, 4)),
    ] {
        let strategy = format!(
            "{{ type: RollingUpdate, rollingUpdate: {{ maxSurge: {surge}, maxUnavailable: {unavailable} }} }}"
        );
        let s = scenario(&workload(
            replicas,
            &strategy,
            "",
            "[ { at: 5m, workload: web } ]",
            100,
        ));
        for seed in 1..=3 {
            let out = run_traced(&s, seed);
            assert_rolling_bounds(&out.trace, replicas, bounds.0, bounds.1);
            let rollout = &out.report.rollouts[0];
            assert_eq!(
                rollout.outcome, "complete",
                "{replicas} {surge} {unavailable}"
            );
        }
    }
}

#[test]
fn a_prestop_sleep_longer_than_the_propagation_delay_closes_the_race() {
    // Without preStop, SIGTERM and the endpoint removal start together: for
    // the 1 s kube-proxy takes, the pod's share of requests is refused. Six
    // pods replaced, each about 1/6 of 600 req/s for 1 s: ~600 failures
    // (the share varies between 1/8 and 1/5 as the view changes). With a
    // 5 s sleep the pod serves until kube-proxy has dropped it: none.
    let strategy = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }";
    let rollout = "[ { at: 5m, workload: web } ]";
    let bare = scenario(&workload(6, strategy, "", rollout, 600));
    for seed in 1..=3 {
        let stale = run_traced(&bare, seed).report.requests.by_cause["stale_endpoint"] as f64;
        let (low, high): (f64, f64) = (6.0 * 600.0 / 8.0, 6.0 * 600.0 / 5.0);
        let sd = high.sqrt();
        assert!(
            stale >= low - 4.0 * sd && stale <= high + 4.0 * sd,
            "seed {seed}: {stale} stale, expected {low}..{high}"
        );
    }
    let hooked = scenario(&workload(
        6,
        strategy,
        "    lifecycle: { preStop: { sleep: { seconds: 5 } } }",
        rollout,
        600,
    ));
    for seed in 1..=3 {
        let out = run_traced(&hooked, seed);
        assert_eq!(out.report.requests.failed, 0, "seed {seed}");
        assert_eq!(out.report.rollouts[0].outcome, "complete");
    }
}

#[test]
fn a_release_that_crashes_on_start_stalls_and_the_old_pods_keep_serving() {
    let strategy = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }";
    let s = scenario(&workload(
        4,
        strategy,
        "",
        "[ { at: 5m, workload: web, app: { crashOnStart: true } } ]",
        200,
    ));
    let out = run_traced(&s, 4);
    let stalled: Vec<f64> = out
        .trace
        .iter()
        .filter(|e| e.reason == "ProgressDeadlineExceeded")
        .map(|e| e.time.as_secs_f64())
        .collect();
    assert_eq!(
        stalled,
        vec![300.0 + 600.0],
        "the deadline counts from the last progress"
    );
    assert_eq!(
        out.report.requests.failed, 0,
        "the old pods serve throughout"
    );
    let r = &out.report.rollouts[0];
    assert_eq!((r.outcome, r.end_s), ("stalled", None));
    assert!(out.report.workloads[0].1.restarts > 3, "CrashLoopBackOff");

    // With the pipeline rolling back, the failed version is scaled away.
    let s = scenario(&workload(
        4,
        strategy,
        "",
        "[ { at: 5m, workload: web, app: { crashOnStart: true }, rollbackOnFailure: true } ]",
        200,
    ));
    let out = run_traced(&s, 4);
    let outcomes: Vec<(&str, usize)> = out
        .report
        .rollouts
        .iter()
        .map(|r| (r.outcome, r.revision))
        .collect();
    // The undo is a revision of its own, as `kubectl rollout undo` makes it.
    assert_eq!(outcomes, vec![("rolled_back", 2), ("complete", 3)]);
    assert_eq!(out.report.rollouts[0].end_s, Some(900.0));
}

/// The Deployment's `ScalingReplicaSet` events, worded as `kubectl get
/// events` shows them: `getNewReplicaSet` creates the new ReplicaSet at the
/// size the strategy allows, "Scaled up replica set X to 1" with no "from"
/// (and no event when that size is 0); `scaleReplicaSet` words every
/// resize after it "Scaled down replica set X to 3 from 4".
#[test]
fn scaling_replica_set_events_are_worded_as_kubernetes_words_them() {
    let scaled = |strategy: &str, count: usize| -> Vec<String> {
        let s = scenario(&workload(
            4,
            strategy,
            "",
            "[ { at: 5m, workload: web } ]",
            100,
        ));
        let out = run_traced(&s, 1);
        let replica_set = |reason: &str| {
            let e = out.trace.iter().find(|e| e.reason == reason);
            e.expect(reason).name.clone()
        };
        let (old, new) = (
            replica_set("SuccessfulDelete"),
            replica_set("SuccessfulCreate"),
        );
        out.trace
            .iter()
            .filter(|e| e.reason == "ScalingReplicaSet")
            .take(count)
            .map(|e| e.message.replace(&old, "OLD").replace(&new, "NEW"))
            .collect()
    };
    let surge = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }";
    assert_eq!(
        scaled(surge, 3),
        [
            "Scaled up replica set NEW to 1",
            "Scaled down replica set OLD to 3 from 4",
            "Scaled up replica set NEW to 2 from 1",
        ]
    );
    // Without surge the new ReplicaSet is created with 0 replicas.
    let no_surge = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }";
    assert_eq!(
        scaled(no_surge, 2),
        [
            "Scaled down replica set OLD to 3 from 4",
            "Scaled up replica set NEW to 1 from 0",
        ]
    );
    // `Recreate` creates it once the old pods are gone, at full size.
    assert_eq!(
        scaled("{ type: Recreate }", 2),
        [
            "Scaled down replica set OLD to 0 from 4",
            "Scaled up replica set NEW to 4",
        ]
    );
}

/// Regression test for review finding F1: `DeploymentProgressing` compares
/// the status with the last one, over all the Deployment's ReplicaSets, so
/// more Ready pods is progress even when they are old ones. A broken
/// release stalls with its one new pod crash-looping; old pods crashed at 7
/// and 12 min turn Ready again, and each time the 600 s deadline starts
/// over, where it used to run out at 15 min whatever the old pods did.
#[test]
fn old_pods_turning_ready_again_restart_the_progress_deadline() {
    let strategy = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }";
    let rollout = "[ { at: 5m, workload: web, app: { crashOnStart: true } } ]";
    let faults =
        "[ { at: 7m, podCrash: { workload: web } }, { at: 12m, podCrash: { workload: web } } ]";
    let s = scenario(&format!(
        "{}faults: {faults}\n",
        workload(4, strategy, "", rollout, 200)
    ));
    for seed in 1..=3 {
        let out = run_traced(&s, seed);
        // The new pod never turns Ready: every Ready after 5 min is an old
        // pod's, and each within 600 s of the last progress is progress.
        let mut last_progress = 300.0;
        for ready in times(&out.trace, "Pod", "Ready", "web") {
            if ready > last_progress && ready <= last_progress + 600.0 {
                last_progress = ready;
            }
        }
        let stalled = times(&out.trace, "Deployment", "ProgressDeadlineExceeded", "web");
        assert_eq!(stalled.len(), 1, "seed {seed}: {stalled:?}");
        assert!(
            last_progress > 720.0 && (stalled[0] - (last_progress + 600.0)).abs() < 1e-6,
            "seed {seed}: stalled at {stalled:?}, the last progress at {last_progress}"
        );
    }
}

/// λ × ∫ (old pods routed to and not yet deleted) / (endpoints routed to) dt
/// from the migration on, from the Service's and the pods' events.
fn expected_incompatible(trace: &[TraceEvent], from: f64, rate: f64, old_hash: &str) -> f64 {
    let mut view: BTreeSet<String> = BTreeSet::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut expected = 0.0;
    let mut last = 0.0;
    for e in trace {
        let t = e.time.as_secs_f64();
        if t > last {
            if last >= from && !view.is_empty() {
                let old = view
                    .iter()
                    .filter(|p| p.contains(old_hash) && !deleted.contains(*p))
                    .count();
                expected += rate * (t - last) * old as f64 / view.len() as f64;
            }
            last = t;
        }
        match (e.kind, e.reason) {
            ("Service", "EndpointAdded") => {
                view.insert(e.message.split(' ').next().unwrap_or_default().to_string());
            }
            ("Service", "EndpointRemoved") => {
                view.remove(e.message.split(' ').next().unwrap_or_default());
            }
            ("Pod", "Killing") => {
                deleted.insert(e.name.clone());
            }
            _ => {}
        }
    }
    expected
}

/// The pod-template hash of the version a rollout replaces: the first
/// endpoint kube-proxy drops is an old pod's.
fn old_version_hash(trace: &[TraceEvent]) -> String {
    trace
        .iter()
        .find(|e| e.kind == "Service" && e.reason == "EndpointRemoved")
        .map(|e| e.message.split('-').nth(1).unwrap_or_default().to_string())
        .expect("old pods leave")
}

#[test]
fn a_migration_fails_the_old_versions_share_until_it_is_replaced() {
    // Two pods, one new at a time, a slow start: after the migration at
    // 5 min every request to an old pod fails as `incompatible`, all of
    // them until the first new pod serves, then their share.
    let strategy = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }";
    let s = scenario(&workload(
        2,
        strategy,
        "",
        "[ { at: 5m, workload: web, breaksPreviousVersion: true, app: { startup: 60s } } ]",
        100,
    ));
    for seed in 1..=3 {
        let out = run_traced(&s, seed);
        let old_hash = old_version_hash(&out.trace);
        // The steady state's two pods are in the view from the start.
        let mut trace = out.trace.clone();
        let old: Vec<String> = trace
            .iter()
            .filter(|e| e.reason == "Killing")
            .map(|e| e.name.clone())
            .collect();
        for name in old.iter().rev() {
            trace.insert(
                0,
                TraceEvent {
                    time: nines::sim::SimTime::ZERO,
                    kind: "Service",
                    name: "web".into(),
                    reason: "EndpointAdded",
                    message: format!("{name} (w-1) added to kube-proxy's rules"),
                    key: false,
                },
            );
        }
        let expected = expected_incompatible(&trace, 300.0, 100.0, &old_hash);
        let incompatible = out.report.requests.by_cause["incompatible"] as f64;
        assert!(
            expected > 6_000.0,
            "a minute of every request at least: {expected}"
        );
        assert!(
            (incompatible - expected).abs() < 5.0 * expected.sqrt(),
            "seed {seed}: {incompatible} incompatible, expected {expected:.0}"
        );
    }
}

#[test]
fn deployment_mistakes_are_errors_naming_the_field() {
    let error = |fields: &str| {
        nines::scenario::parse(
            &format!(
                "name: bad
duration: 1h
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 2
{fields}
"
            ),
            "bad.yaml",
        )
        .expect_err("invalid")
        .to_string()
    };
    let e = error("    strategy: { type: Recreate, rollingUpdate: { maxSurge: 1 } }");
    assert!(e.contains("workloads[0].strategy.rollingUpdate"), "{e}");
    let e = error("    minReadySeconds: 30\n    progressDeadlineSeconds: 20");
    assert!(e.contains("workloads[0].progressDeadlineSeconds"), "{e}");
    let e = error("    lifecycle: { preStop: { sleep: { seconds: 5 }, exec: { command: [sh] } } }");
    assert!(e.contains("workloads[0].lifecycle.preStop"), "{e}");
    let e = error("rollouts: [ { at: 2h, workload: web } ]");
    assert!(
        e.contains("rollouts[0].at") && e.contains("after the end of the run"),
        "{e}"
    );
    let e = error("rollouts: [ { at: 1m, workload: wbe } ]");
    assert!(
        e.contains("rollouts[0].workload") && e.contains("did you mean `web`"),
        "{e}"
    );
}

#[test]
fn recreate_falls_back_on_terminating_pods_while_their_prestop_runs() {
    // Recreate deletes every old pod at 5 min. kube-proxy drops them 1 s
    // later and, with no ready endpoint left, routes to the terminating
    // pods that still serve (KEP-1669): with a 10 s preStop, until their
    // SIGTERM at 310 s; without one they refuse from 300 s. From then until
    // the first new pod is routed to (Ready + 1 s), nothing answers.
    let run_with = |extra: &str| {
        let s = scenario(&workload(
            3,
            "{ type: Recreate }",
            extra,
            "[ { at: 5m, workload: web, app: { startup: 30s } } ]",
            100,
        ));
        run_traced(&s, 5)
    };
    for (extra, unanswered_from) in [
        ("", 301.0),
        (
            "    lifecycle: { preStop: { sleep: { seconds: 10 } } }",
            310.0,
        ),
    ] {
        let out = run_with(extra);
        let first_new = times(&out.trace, "Pod", "Ready", "web")
            .into_iter()
            .find(|&t| t > 300.0)
            .expect("new pods");
        let expected = 100.0 * (first_new + 1.0 - unanswered_from);
        let no_endpoints = out.report.requests.by_cause["no_endpoints"] as f64;
        assert!(
            (no_endpoints - expected).abs() < 5.0 * expected.sqrt(),
            "{extra:?}: {no_endpoints} without endpoints, expected {expected:.0}"
        );
    }
}

#[test]
fn a_rollout_that_takes_a_quorum_below_min_ready_is_an_outage() {
    // Three members, two needed (`minReady: 2`). maxUnavailable 1 keeps two
    // serving throughout; maxUnavailable 2 takes two down at once.
    let quorum = |unavailable: u32| {
        let strategy = format!(
            "{{ type: RollingUpdate, rollingUpdate: {{ maxSurge: 0, maxUnavailable: {unavailable} }} }}"
        );
        let s = scenario(&workload(
            3,
            &strategy,
            "    minReady: 2\n    lifecycle: { preStop: { sleep: { seconds: 5 } } }",
            "[ { at: 5m, workload: web } ]",
            100,
        ));
        run_traced(&s, 6).report
    };
    let safe = quorum(1);
    assert!(safe.incidents.is_empty(), "{:?}", safe.incidents);
    assert_eq!(safe.rollouts[0].outcome, "complete");
    let unsafe_ = quorum(2);
    assert_eq!(unsafe_.incidents.len(), 1, "{:?}", unsafe_.incidents);
    let i = &unsafe_.incidents[0];
    assert!(i.start_s >= 300.0 && i.duration_s > 5.0, "{i:?}");
    assert!(i.cause.contains("scaled down"), "{}", i.cause);
}

#[test]
fn a_new_version_serves_at_its_own_speed() {
    // The new version needs 20 ms of CPU per request instead of 5. Each of
    // the 4 pods gets 25 req/s: the old version used 0.125 cores of its
    // 250m limit; the new one would need 0.5, so the limit caps it at
    // 12.5 req/s and the rest overloads. Once every pod runs it, the
    // workload uses 4 × 250m = 1 core.
    let s = scenario(
        "name: slower
duration: 20m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - name: web
    replicas: 4
    resources: { requests: { cpu: 250m, memory: 128Mi }, limits: { cpu: 250m, memory: 256Mi } }
    readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2 }
    app: { startup: 5s, serviceTime: 20ms, cpuPerRequest: 5ms }
traffic: [ { workload: web, rate: 100 } ]
rollouts: [ { at: 5m, workload: web, app: { cpuPerRequest: 20ms } } ]
",
    );
    let out = run_traced(&s, 7);
    let w = &out.report.workloads[0].1;
    assert!(
        (w.cpu_cores.current - 1.0).abs() < 1e-9,
        "{}",
        w.cpu_cores.current
    );
    let overload = out.report.requests.by_cause["overload"] as f64;
    // Each pod gets 25 req/s and processes 12.5 from the rollout's end on.
    let end = out.report.rollouts[0].end_s.expect("complete");
    let expected = 50.0 * (1200.0 - end);
    assert!(
        overload >= expected - 5.0 * expected.sqrt(),
        "{overload} overloaded, at least {expected}"
    );
}

#[test]
fn a_liveness_kill_runs_the_prestop_hook_first() {
    // Past its CPU limit the app answers too slowly for its liveness
    // probe; the kubelet kills it, running the 5 s preStop sleep before
    // SIGTERM, as kuberuntime's killContainer does. The restart (BackOff)
    // follows the kill by the hook's 5 s instead of at once.
    let run_with = |hook: &str| {
        let s = scenario(&format!(
            "name: liveness
duration: 10m
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"8\", memory: 32Gi }} }} ]
workloads:
  - name: web
    replicas: 1
    resources: {{ requests: {{ cpu: 500m, memory: 128Mi }}, limits: {{ cpu: 500m, memory: 256Mi }} }}
    livenessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5, failureThreshold: 1 }}
{hook}
    app: {{ startup: 5s, serviceTime: 100ms, cpuPerRequest: 10ms }}
traffic: [ {{ workload: web, rate: {{ steps: [ {{ at: 0s, rate: 10 }}, {{ at: 2m, rate: 60 }} ] }} }} ]
"
        ));
        let out = run_traced(&s, 8);
        let killed = crate::support::times(&out.trace, "Pod", "Killing", "web")[0];
        // Restarted as it exits: a first restart has no back-off (the pod
        // runs from before the run, so this is its first `Started`).
        let restarted = crate::support::times(&out.trace, "Pod", "Started", "web")[0];
        restarted - killed
    };
    assert_eq!(run_with(""), 0.0);
    assert!((run_with("    lifecycle: { preStop: { sleep: { seconds: 5 } } }") - 5.0).abs() < 1e-9);
}

#[test]
fn an_hpa_scale_up_during_a_stalled_rollout_adds_old_pods_too() {
    // A broken release stalls with 4 old pods and 1 crashing new one
    // (maxSurge 1, maxUnavailable 0). The load then triples and the HPA
    // asks for 8: the Deployment shares the 4 more in proportion to the
    // ReplicaSets' sizes against the 5 they were sized for (9 allowed):
    // the old one round(4 × 9 / 5) = 7, the new one round(1 × 9 / 5) = 2.
    let s = scenario(
        "name: proportional
duration: 30m
cluster:
  nodePools: [ { name: w, count: 4, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - name: web
    replicas: 4
    resources: { requests: { cpu: 500m, memory: 128Mi } }
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 2 }
    strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
    app: { startup: 5s, cpuPerRequest: 10ms }
    autoscaling:
      minReplicas: 4
      maxReplicas: 8
      metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } } ]
traffic: [ { workload: web, rate: { steps: [ { at: 0s, rate: 100 }, { at: 10m, rate: 300 } ] } } ]
rollouts: [ { at: 5m, workload: web, app: { crashOnStart: true } } ]
",
    );
    let out = run_traced(&s, 3);
    let scaled: Vec<&str> = out
        .trace
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet" && e.time.as_secs_f64() > 600.0)
        .map(|e| e.message.as_str())
        .collect();
    assert!(
        scaled
            .iter()
            .any(|m| m.starts_with("Scaled up replica set web-5tkszj9wl9 to 7 from 4")),
        "{scaled:?}"
    );
    assert!(
        scaled.iter().any(|m| m.ends_with("to 2 from 1")),
        "{scaled:?}"
    );
    assert_eq!(out.report.rollouts[0].outcome, "stalled");
}

#[test]
fn a_new_version_that_needs_more_memory_than_its_limit_is_oom_killed_and_stalls() {
    // The new version starts at 600Mi in a 512Mi limit: the kernel kills
    // it as it starts, again and again, and the rollout stalls while the
    // old version (200Mi) serves.
    let s = scenario(
        "name: memory
duration: 30m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - name: web
    replicas: 3
    resources: { requests: { cpu: 100m, memory: 256Mi }, limits: { memory: 512Mi } }
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 2 }
    strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
    app: { startup: 5s, memory: { base: 200Mi } }
traffic: [ { workload: web, rate: 50 } ]
rollouts: [ { at: 5m, workload: web, app: { memory: { base: 600Mi } } } ]
",
    );
    let out = run_traced(&s, 2);
    let oom = out.report.workloads[0].1.pod_oom_kills.len();
    assert_eq!(oom, 1, "the one surge pod");
    assert!(crate::support::times(&out.trace, "Pod", "OOMKilled", "web").len() > 3);
    assert_eq!(out.report.rollouts[0].outcome, "stalled");
    assert_eq!(out.report.requests.failed, 0);
}

/// A rollout is over for its clients when kube-proxy drops the last old
/// endpoint. Without `maxUnavailable`, that comes after the Deployment
/// controller has done its part (the last old pod is deleted once the last
/// new one is Ready): the rollout ends then, not at the controller's last
/// sync, with its `NewReplicaSetAvailable` event.
#[test]
fn a_rollout_ends_when_kube_proxy_drops_its_last_old_endpoint() {
    let strategy = "{ type: RollingUpdate, rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } }";
    let s = scenario(&workload(
        6,
        strategy,
        "",
        "[ { at: 5m, workload: web, app: { startup: 10s } } ]",
        100,
    ));
    for seed in 1..=3 {
        let out = run_traced(&s, seed);
        let old_hash = old_version_hash(&out.trace);
        let last_dropped = out
            .trace
            .iter()
            .filter(|e| e.reason == "EndpointRemoved" && e.message.contains(&old_hash))
            .map(|e| e.time.as_secs_f64())
            .fold(0.0, f64::max);
        let last_ready = out
            .trace
            .iter()
            .filter(|e| e.reason == "Ready" && !e.name.contains(&old_hash))
            .map(|e| e.time.as_secs_f64())
            .fold(0.0, f64::max);
        let available = times(&out.trace, "Deployment", "NewReplicaSetAvailable", "web");
        assert!(last_dropped > last_ready, "seed {seed}");
        assert_eq!(
            out.report.rollouts[0].end_s,
            Some(last_dropped),
            "seed {seed}"
        );
        assert_eq!(available, [last_dropped], "seed {seed}");
    }
}

/// Regression test for review finding F2, resolved by Kubernetes 1.34+'s
/// rule rather than the 1 s later one the finding proposed. A pod is
/// available once its Ready condition's `lastTransitionTime` plus
/// `minReadySeconds` is not after now (`IsPodAvailable`, `<=` since
/// kubernetes#132122), and that time is stored in whole seconds; the
/// ReplicaSet controller requeues itself for exactly that instant
/// (`FindMinNextPodAvailabilityCheck`, kubernetes#132121). With maxSurge 1
/// and maxUnavailable 0 each old pod waits for one new pod to be available:
/// it is scaled down at the new pod's Ready instant truncated to the second,
/// plus 10 s, to the nanosecond; nines used to wait the Ready instant plus
/// 10 s.
#[test]
fn min_ready_seconds_count_from_the_ready_second_as_the_api_stores_it() {
    const SECOND_NS: u64 = 1_000_000_000;
    let s = scenario(&workload(
        4,
        "{ type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }",
        "    minReadySeconds: 10",
        "[ { at: 5m, workload: web } ]",
        100,
    ));
    let out = run_traced(&s, 1);
    let new_rs = &out.trace.iter().find(|e| e.reason == "SuccessfulCreate");
    let new_rs = new_rs.expect("the rollout creates pods").name.clone();
    let new_ready: Vec<_> = (out.trace.iter())
        .filter(|e| e.kind == "Pod" && e.reason == "Ready" && e.name.starts_with(&new_rs))
        .map(|e| e.time)
        .collect();
    let scaled_down: Vec<_> = (out.trace.iter())
        .filter(|e| e.reason == "ScalingReplicaSet" && e.message.starts_with("Scaled down"))
        .map(|e| e.time)
        .collect();
    assert_eq!(new_ready.len(), 4, "{new_ready:?}");
    assert_eq!(scaled_down.len(), 4, "{scaled_down:?}");
    // The Ready instants are not whole seconds: truncating them matters.
    assert!(new_ready.iter().all(|t| t.as_nanos() % SECOND_NS != 0));
    for (ready, down) in new_ready.iter().zip(&scaled_down) {
        let ready_second = ready.as_nanos() / SECOND_NS * SECOND_NS;
        assert_eq!(
            down.as_nanos(),
            ready_second + 10 * SECOND_NS,
            "Ready at {ready}, old pod scaled down at {down}"
        );
    }
}
