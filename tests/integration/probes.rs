//! Probes against Kubernetes' rules (k8s-reference §2): verdicts on the
//! prober's own grid of ticks, `failureThreshold` failures or
//! `successThreshold` passes in a row, the verdict taken at the tick that
//! completes the run, and what each handler can see of a hung app.

use nines::model::TraceEvent;

use crate::support::{run_traced, scenario, times};

const HANG_S: f64 = 600.0;
const GRACE_S: f64 = 30.0;

fn hung(handler: &str, extra_fault: &str) -> nines::scenario::Scenario {
    on_one_node(
        "hang",
        "30m",
        &format!(
            "  - name: web
    replicas: 1
    readinessProbe: {{ {handler}: {{ port: 8080 }}, periodSeconds: 5, successThreshold: 2 }}
    livenessProbe: {{ {handler}: {{ port: 8080 }}, periodSeconds: 10, failureThreshold: 3 }}
    app: {{ startup: 2s }}
traffic: [ {{ workload: web, rate: 100 }} ]
faults:
  - at: 10m
    appHang: {{ workload: web{extra_fault} }}
"
        ),
    )
}

/// A scenario on one node of 4 CPUs and 8Gi: `workloads` are the YAML
/// list's items, and whatever follows them (`traffic`, `faults`).
fn on_one_node(name: &str, duration: &str, workloads: &str) -> nines::scenario::Scenario {
    scenario(&format!(
        "name: {name}
duration: {duration}
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
{workloads}"
    ))
}

fn reasons<'a>(trace: &'a [TraceEvent], reason: &str, starting: &str) -> Vec<&'a TraceEvent> {
    trace
        .iter()
        .filter(|e| e.reason == reason && e.message.starts_with(starting))
        .collect()
}

fn is_multiple_of(x: f64, period: f64) -> bool {
    let k = (x / period).round();
    (x - k * period).abs() < 1e-6
}

#[test]
fn an_http_liveness_probe_kills_a_hung_app_at_its_third_failing_tick() {
    for seed in 1..=30 {
        let out = run_traced(&hung("httpGet", ""), seed);
        let killed = times(&out.trace, "Pod", "Killing", "web-");
        assert_eq!(killed.len(), 1, "seed {seed}");
        // Ticks every 10 s: the 3rd failing one is 20–30 s after the hang.
        let after = killed[0] - HANG_S;
        assert!(
            (20.0..30.0).contains(&after),
            "seed {seed}: killed {after} s after the hang"
        );
        // The hung app ignores SIGTERM: SIGKILL after the grace period, and
        // a first restart at once, with no back-off.
        assert!(times(&out.trace, "Pod", "BackOff", "web-").is_empty());
        let restarted = times(&out.trace, "Pod", "Started", "web-");
        assert_eq!(restarted, vec![killed[0] + GRACE_S], "seed {seed}");
        assert_eq!(out.report.workloads[0].1.restarts, 1);
    }
}

#[test]
fn a_pod_killed_by_its_liveness_probe_stays_ready_until_its_container_exits() {
    // A liveness probe and no readiness probe: the kubelet computes Ready
    // from the container's state alone, and the hung container runs until
    // its SIGKILL, the grace period after the kill. Its requests keep
    // failing as `hung` until then, and kube-proxy drops it a second after.
    let s = on_one_node(
        "liveness-only",
        "30m",
        "  - name: web
    replicas: 2
    livenessProbe: { httpGet: { port: 8080 }, periodSeconds: 10, failureThreshold: 3 }
    app: { startup: 2s, serviceTime: 50ms }
traffic: [ { workload: web, rate: 100 } ]
faults:
  - at: 10m
    appHang: { workload: web }
",
    );
    for seed in 1..=5 {
        let out = run_traced(&s, seed);
        let killed = times(&out.trace, "Pod", "Killing", "web-");
        assert_eq!(killed.len(), 1, "seed {seed}");
        let removed = times(&out.trace, "Service", "EndpointRemoved", "web");
        assert_eq!(removed, vec![killed[0] + GRACE_S + 1.0], "seed {seed}");
        // Half the traffic, from the hang to the SIGKILL, within four
        // Poisson standard deviations.
        let hung = out.report.requests.by_cause["hung"] as f64;
        let mean = 50.0 * (killed[0] + GRACE_S - HANG_S);
        assert!(
            (hung - mean).abs() < 4.0 * mean.sqrt(),
            "seed {seed}: {hung} against {mean}"
        );
    }
}

#[test]
fn the_readiness_probe_runs_at_once_when_the_startup_probe_passes() {
    // The kubelet triggers a readiness run as soon as the startup probe
    // passes (`UpdatePodStatus`), not at the readiness probe's next tick:
    // with a 1-s startup probe and a 30-s readiness probe, a container
    // restarted at the crash is Ready within a second of its app's 5-s
    // start, not up to 30 s later.
    let s = on_one_node(
        "startup-ready",
        "5m",
        "  - name: web
    replicas: 1
    startupProbe: { httpGet: { port: 8080 }, periodSeconds: 1, failureThreshold: 60 }
    readinessProbe: { httpGet: { port: 8080 }, periodSeconds: 30 }
    app: { startup: 5s }
traffic: [ { workload: web, rate: 10 } ]
faults: [ { at: 1m, podCrash: { workload: web } } ]
",
    );
    for seed in 1..=10 {
        let out = run_traced(&s, seed);
        let started = times(&out.trace, "Pod", "Started", "web-");
        let ready = times(&out.trace, "Pod", "Ready", "web-");
        assert_eq!(started, vec![60.0], "seed {seed}");
        let after = ready[0] - started[0];
        assert!(
            (5.0..6.0).contains(&after),
            "seed {seed}: Ready {after} s after the start"
        );
    }
}

#[test]
fn a_prestop_hook_that_fills_the_grace_period_still_leaves_two_seconds_before_sigkill() {
    // The kubelet takes the hook's whole seconds off the grace period and
    // leaves at least 2 s between SIGTERM and SIGKILL: a 30-s sleep in a
    // 30-s grace period sends SIGTERM at 30 s and SIGKILL at 32 s, which
    // the hung app waits for, and it restarts then.
    let s = on_one_node(
        "hook-fills-grace",
        "30m",
        "  - name: web
    replicas: 1
    livenessProbe: { httpGet: { port: 8080 }, periodSeconds: 10, failureThreshold: 3 }
    lifecycle: { preStop: { sleep: { seconds: 30 } } }
    app: { startup: 2s }
traffic: [ { workload: web, rate: 100 } ]
faults:
  - at: 10m
    appHang: { workload: web }
",
    );
    let out = run_traced(&s, 1);
    let killed = times(&out.trace, "Pod", "Killing", "web-");
    let restarted = times(&out.trace, "Pod", "Started", "web-");
    assert_eq!(restarted, vec![killed[0] + GRACE_S + 2.0]);
}

#[test]
fn a_tcp_liveness_probe_never_sees_a_hung_app() {
    let out = run_traced(&hung("tcpSocket", ""), 1);
    assert!(times(&out.trace, "Pod", "Killing", "").is_empty());
    assert!(times(&out.trace, "Pod", "Unhealthy", "").is_empty());
    // Still in the Service: every request from the hang on hangs with it.
    let hung = out.report.requests.by_cause["hung"] as f64;
    let expected = 100.0 * (1800.0 - HANG_S);
    assert!((hung - expected).abs() < 4.0 * expected.sqrt(), "{hung}");
}

#[test]
fn readiness_verdicts_fall_on_the_probers_grid() {
    // The app hangs at 10 min and answers again 15 s later: the readiness
    // probe (period 5 s) fails 3 times, then needs 2 passes to be Ready.
    for seed in 1..=30 {
        let s = hung("httpGet", ", recoverAfter: 15s");
        let out = run_traced(&s, seed);
        let failed = reasons(&out.trace, "Unhealthy", "Readiness");
        assert_eq!(failed.len(), 1, "seed {seed}");
        let not_ready = failed[0].time.as_secs_f64();
        assert!(
            (HANG_S + 10.0..HANG_S + 15.0).contains(&not_ready),
            "seed {seed}: {not_ready}"
        );
        let ready = times(&out.trace, "Pod", "Ready", "web-");
        assert_eq!(ready.len(), 1, "seed {seed}: Ready again once");
        let back = HANG_S + 15.0;
        assert!(
            (back + 5.0..back + 10.0).contains(&ready[0]),
            "seed {seed}: {}",
            ready[0]
        );
        // Both verdicts are ticks of the same prober.
        assert!(is_multiple_of(ready[0] - not_ready, 5.0), "seed {seed}");
        // Recovered before the liveness probe's 3rd failure: no restart.
        assert!(
            times(&out.trace, "Pod", "Killing", "").is_empty(),
            "seed {seed}"
        );
    }
}

#[test]
fn a_startup_probe_holds_liveness_off_and_kills_an_app_too_slow_to_start() {
    // The app needs 40 s; the startup probe allows 3 × 10 s: it is killed
    // (gracefully: it does not hang) and restarted, forever.
    let slow = |failure_threshold: u32| {
        scenario(&format!(
            "name: slow
duration: 10m
coldStart: true
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 1
    startupProbe: {{ httpGet: {{ port: 8080 }}, periodSeconds: 10, failureThreshold: {failure_threshold} }}
    livenessProbe: {{ httpGet: {{ port: 8080 }}, periodSeconds: 10, failureThreshold: 1 }}
    app: {{ imagePull: 5s, startup: 40s }}
"
        ))
    };
    let out = run_traced(&slow(3), 1);
    let killings = reasons(&out.trace, "Killing", "Container web failed startup probe");
    assert!(killings.len() >= 3, "{}", killings.len());
    assert!(times(&out.trace, "Pod", "Ready", "").is_empty());
    // Refused connections fail at once: the kill is on a tick, 20–30 s after start.
    let started = times(&out.trace, "Pod", "Started", "web-")[0];
    let first_kill = killings[0].time.as_secs_f64();
    assert!(
        (20.0..30.0).contains(&(first_kill - started)),
        "{}",
        first_kill - started
    );

    // Enough failures allowed: Ready once the app is up, and the liveness
    // probe, held off until then, never fires.
    let out = run_traced(&slow(6), 1);
    assert!(reasons(&out.trace, "Killing", "").is_empty());
    let ready = times(&out.trace, "Pod", "Ready", "web-");
    assert_eq!(ready.len(), 1);
    assert!((45.0..55.0).contains(&ready[0]), "{}", ready[0]);
}

#[test]
fn liveness_and_startup_probes_need_a_success_threshold_of_one() {
    let err = nines::scenario::parse(
        "name: t
duration: 1h
cluster: { nodePools: [ { name: w, count: 1, allocatable: { cpu: \"1\", memory: 1Gi } } ] }
workloads: [ { name: web, replicas: 1, livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } } ]
",
        "t.yaml",
    )
    .expect_err("Kubernetes rejects it");
    assert_eq!(
        err.diagnostics()[0].path,
        "workloads[0].livenessProbe.successThreshold"
    );
}
