//! The HPA and the cluster autoscaler against Kubernetes' rules: the
//! replica formula at a plateau, the scale-up policies, the scale-down
//! stabilization window, the cluster autoscaler's timeline, and the cost of
//! both when nothing changes.

use nines::model::TraceEvent;

use crate::support::{run, run_traced, scenario};

/// Instants and messages of the events of a kind and reason.
fn events<'t>(trace: &'t [TraceEvent], kind: &str, reason: &str) -> Vec<(f64, &'t str)> {
    trace
        .iter()
        .filter(|e| e.kind == kind && e.reason == reason)
        .map(|e| (e.time.as_secs_f64(), e.message.as_str()))
        .collect()
}

/// `New size: N; reason: …` → N.
fn new_size(message: &str) -> u32 {
    message
        .strip_prefix("New size: ")
        .and_then(|m| m.split(';').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not a rescale message: {message}"))
}

/// One workload of `cpuPerRequest` 10 ms and a 500m request, without a CPU
/// limit (so the metric is never capped), on nodes with room for 64 pods.
fn hpa_scenario(replicas: u32, min: u32, max: u32, target: u32, rate: &str, extra: &str) -> String {
    format!(
        "name: hpa
duration: 1h
cluster:
  nodePools: [ {{ name: w, count: 4, allocatable: {{ cpu: \"8\", memory: 64Gi }} }} ]
workloads:
  - name: web
    replicas: {replicas}
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
    app: {{ startup: 5s, serviceTime: 20ms, cpuPerRequest: 10ms }}
    autoscaling:
      minReplicas: {min}
      maxReplicas: {max}
      metrics: [ {{ type: Resource, resource: {{ name: cpu, target: {{ type: Utilization, averageUtilization: {target} }} }} }} ]
{extra}
traffic: [ {{ workload: web, rate: {rate} }} ]
"
    )
}

#[test]
fn the_plateau_holds_the_replicas_the_formula_gives() {
    // 550 req/s × 10 ms = 5.5 cores; at 60 % of a 500m request each pod
    // takes 0.3 cores: ceil(5.5 / 0.3) = 19 pods. The tolerance band lets
    // the HPA stop one pod either side.
    let s = scenario(&hpa_scenario(
        4,
        2,
        50,
        60,
        "{ steps: [ { at: 0s, rate: 80 }, { at: 5m, rate: 550 } ] }",
        "",
    ));
    let out = run(&s, 1);
    let a = out.report.workloads[0]
        .1
        .autoscaling
        .as_ref()
        .expect("an HPA");
    let expected = (550.0_f64 * 0.010 / (0.5 * 0.6)).ceil() as i64;
    assert!(
        (i64::from(a.replicas.max) - expected).abs() <= 1,
        "peak {} replicas, formula {expected}",
        a.replicas.max
    );
    assert!((i64::from(a.replicas.last) - expected).abs() <= 1);
    // Without a CPU limit nothing overloads. (The first window's end, at
    // 5 min, scales the 4 pods down to 3 on the metric scraped before the
    // step: the pod deleted is still routed to for a moment.)
    let by_cause = &out.report.requests.by_cause;
    assert_eq!(by_cause.get("overload"), None, "no limit");
    assert_eq!(
        by_cause.keys().copied().collect::<Vec<_>>(),
        ["stale_endpoint"]
    );
}

#[test]
fn the_first_scale_up_from_two_pods_is_at_most_six() {
    // Default scale-up: the larger of +4 pods and +100 % per 15 s: from 2,
    // max(2 + 4, 2 × 2) = 6, then from 6 at most 12, whatever the metric asks.
    let s = scenario(&hpa_scenario(
        2,
        2,
        100,
        50,
        "{ steps: [ { at: 0s, rate: 40 }, { at: 5m, rate: 2000 } ] }",
        "",
    ));
    let out = run_traced(&s, 2);
    let rescales = events(&out.trace, "HorizontalPodAutoscaler", "SuccessfulRescale");
    assert!(rescales.len() >= 2, "{rescales:?}");
    let (t0, first) = rescales[0];
    assert_eq!(new_size(first), 6, "{first}");
    assert!(
        first.ends_with("reason: cpu resource utilization (percentage of request) above target")
    );
    // The load rises at 300 s; metrics-server sees it at its next scrape
    // (≤ 15 s) and the HPA at its next sync (≤ 15 s).
    assert!((300.0..=330.0).contains(&t0), "first rescale at {t0}");
    let (t1, second) = rescales[1];
    assert!(new_size(second) <= 12, "{second}");
    assert!(t1 - t0 >= 15.0, "the policy's 15 s period");
}

#[test]
fn a_scale_down_waits_out_the_window_and_takes_its_highest_recommendation() {
    // 400 req/s on 10 pods at 80 % of 500m: ratio 1.0, steady. The load
    // drops to 200 at 20 min (5 pods' worth) and to 100 at 22 min (3 pods,
    // ceil(2.5)). With the 300 s window, the first scale-down comes 300 s
    // after the last sync that saw 400 req/s — between one sync period
    // before the drop and the drop plus the metric lag and a sync — and goes
    // to 5, the highest recommendation in the window; the next, 300 s
    // after the last sync that saw 200, goes to 3.
    let s = scenario(&hpa_scenario(
        10,
        1,
        20,
        80,
        "{ steps: [ { at: 0s, rate: 400 }, { at: 20m, rate: 200 }, { at: 22m, rate: 100 } ] }",
        "",
    ));
    for seed in 1..=5 {
        let out = run_traced(&s, seed);
        let rescales = events(&out.trace, "HorizontalPodAutoscaler", "SuccessfulRescale");
        let sizes: Vec<u32> = rescales.iter().map(|(_, m)| new_size(m)).collect();
        assert_eq!(sizes, vec![5, 3], "seed {seed}: {rescales:?}");
        let window = 300.0;
        let (sync, lag) = (15.0, 15.0);
        for ((t, _), drop) in rescales.iter().zip([1200.0, 1320.0]) {
            assert!(
                *t >= drop + window - sync && *t <= drop + window + lag + sync,
                "seed {seed}: scale-down at {t} for a drop at {drop}"
            );
        }
        assert!(
            rescales
                .iter()
                .all(|(_, m)| m.ends_with("reason: All metrics below target"))
        );
    }
}

#[test]
fn a_load_ramping_while_new_pods_initialize_is_followed_sync_by_sync() {
    // 100 req/s on 4 pods is 50 % of their 500m: 25 req/s a pod at the
    // target. From 5 min the load ramps to 400 req/s over 20 min, 0.25
    // req/s more each second. Each scale-up leaves new pods in their 5 min
    // of CPU initialization, which the HPA waits for at rest; but the ramp
    // leaves the tolerance band before, and the HPA must wake for that.
    // After a rescale to N pods, the load leaves the band once it has
    // grown by a tenth of N pods' target, plus at most a pod's worth for
    // the rounding up: (2.5 N + 25) / 0.25 s, and metrics-server's scrape
    // and the next sync add up to 30 s. Waiting out the initialization
    // would leave 5 min between rescales.
    let s = scenario(&hpa_scenario(
        4,
        2,
        60,
        50,
        "{ ramp: { from: 100, to: 400, at: 5m, over: 20m } }",
        "",
    ));
    let out = run_traced(&s, 6);
    let rescales = events(&out.trace, "HorizontalPodAutoscaler", "SuccessfulRescale");
    for pair in rescales.windows(2) {
        let ((t, to), (next, _)) = (pair[0], pair[1]);
        let n = f64::from(new_size(to));
        assert!(
            next - t <= (2.5 * n + 25.0) / 0.25 + 30.0,
            "{n} pods from {t} s until {next} s: {rescales:?}"
        );
    }
    // The ramp's end is 16 pods' target; a size whose ratio is within
    // the tolerance of 1 stays: 400 / (25 × n) in [0.9, 1.1] for n of 15
    // to 17.
    let last = new_size(rescales.last().expect("rescales").1);
    assert!((15..=17).contains(&last), "{rescales:?}");
}

#[test]
fn a_steady_load_never_rescales_and_costs_no_syncs() {
    // Thirty days at a constant rate, with an HPA and a cluster autoscaler:
    // once the first syncs are done, neither loop schedules anything, so a
    // month costs what a day does.
    let month = |days: u32| {
        scenario(&format!(
            "name: steady
duration: {days}d
cluster:
  nodePools:
    - {{ name: w, count: 2, allocatable: {{ cpu: \"4\", memory: 16Gi }}, autoscaling: {{ minNodes: 1, maxNodes: 5 }} }}
workloads:
  - name: web
    replicas: 4
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    app: {{ cpuPerRequest: 10ms }}
    autoscaling: {{ minReplicas: 2, maxReplicas: 10 }}
traffic: [ {{ workload: web, rate: 160 }} ]
"
        ))
    };
    let day = run(&month(1), 3);
    let thirty = run(&month(30), 3);
    let a = thirty.report.workloads[0]
        .1
        .autoscaling
        .as_ref()
        .expect("an HPA");
    assert_eq!(
        a.rescales, 0,
        "160 req/s × 10 ms on 4 pods is 80 % of the request"
    );
    assert_eq!(
        thirty.report.events, day.report.events,
        "a month costs a day's events"
    );
    assert!(thirty.report.events < 50, "{} events", thirty.report.events);
}

#[test]
fn a_diurnal_load_costs_a_bounded_number_of_events_per_day() {
    let days = |n: u32| {
        scenario(&format!(
            "name: diurnal
duration: {n}d
cluster:
  nodePools: [ {{ name: w, count: 4, allocatable: {{ cpu: \"8\", memory: 64Gi }} }} ]
workloads:
  - name: web
    replicas: 2
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    readinessProbe: {{ httpGet: {{ port: 80 }}, periodSeconds: 5 }}
    app: {{ startup: 5s, cpuPerRequest: 10ms }}
    autoscaling: {{ minReplicas: 2, maxReplicas: 40 }}
traffic: [ {{ workload: web, rate: {{ diurnal: {{ min: 50, max: 1000, peakAt: 14h }} }} }} ]
"
        ))
    };
    let two = run(&days(2), 4).report.events as f64;
    let eight = run(&days(8), 4).report.events as f64;
    let ratio = eight / two;
    assert!(
        (3.6..=4.4).contains(&ratio),
        "8 days cost {ratio:.2} × 2 days"
    );
    assert!(eight / 8.0 < 3000.0, "{} events a day", eight / 8.0);
}

#[test]
fn pending_pods_get_a_node_from_the_cluster_autoscaler_and_lose_it_after() {
    // Two 2-CPU nodes hold 8 pods of 500m. At 5 min the load triples and the
    // HPA wants 12: four pods are Pending. The autoscaler sees them at its
    // next scan (≤ 10 s), the node registers 3 min later (a fixed
    // provisioning time here), the pods are scheduled to it at once, pull
    // their image cold (30 s) and start. At 30 min the load drops back, the
    // HPA scales down after its window, and the emptied node is removed
    // after 10 min unneeded.
    let s = scenario(
        "name: ca
duration: 1h
cluster:
  nodePools:
    - name: w
      count: 2
      allocatable: { cpu: \"2\", memory: 8Gi }
      autoscaling: { minNodes: 2, maxNodes: 4 }
      provisioningTime: 3m
workloads:
  - name: web
    replicas: 4
    resources: { requests: { cpu: 500m, memory: 256Mi } }
    readinessProbe: { httpGet: { port: 80 }, periodSeconds: 5 }
    app: { imagePull: 30s, startup: 5s, cpuPerRequest: 10ms }
    autoscaling:
      minReplicas: 4
      maxReplicas: 12
      metrics: [ { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } } ]
traffic: [ { workload: web, rate: { steps: [ { at: 0s, rate: 100 }, { at: 5m, rate: 300 }, { at: 30m, rate: 100 } ] } } ]
",
    );
    let out = run_traced(&s, 5);
    let t = &out.trace;
    let pending = events(t, "Pod", "FailedScheduling");
    let (first_pending, message) = pending[0];
    assert_eq!(message, "0/2 nodes are available: 2 Insufficient cpu.");
    let scale_up = events(t, "ClusterAutoscaler", "ScaledUpGroup");
    let (asked, what) = scale_up[0];
    assert!(
        asked > first_pending && asked <= first_pending + 10.0,
        "Pending at {first_pending}, scale-up at {asked}"
    );
    assert!(
        what.starts_with("Scale-up: setting group w size to 3 instead of 2"),
        "{what}"
    );
    let registered = events(t, "Node", "RegisteredNode");
    assert!(
        (registered[0].0 - asked - 180.0).abs() < 1e-6,
        "the provisioning time"
    );
    assert_eq!(
        registered[0].1,
        "Node w-3 event: Registered Node w-3 in Controller"
    );
    let on_new_node: Vec<&TraceEvent> = t
        .iter()
        .filter(|e| e.reason == "Scheduled" && e.message.ends_with("to w-3"))
        .collect();
    assert!(!on_new_node.is_empty());
    assert!((on_new_node[0].time.as_secs_f64() - registered[0].0).abs() < 1e-6);
    let pod = &on_new_node[0].name;
    let pulled: Vec<&TraceEvent> = t
        .iter()
        .filter(|e| &e.name == pod && e.reason == "Pulled")
        .collect();
    assert!(
        (pulled[0].time.as_secs_f64() - registered[0].0 - 30.0).abs() < 1e-6,
        "a new node has no image cached: a 30 s pull"
    );
    let hpa_down = events(t, "HorizontalPodAutoscaler", "SuccessfulRescale")
        .into_iter()
        .find(|(_, m)| m.ends_with("All metrics below target"))
        .expect("the HPA scales down after the drop")
        .0;
    let removed = events(t, "Node", "ScaleDown");
    assert_eq!(removed.len(), 1, "{removed:?}");
    let unneeded = 600.0;
    assert!(
        removed[0].0 >= hpa_down + unneeded && removed[0].0 <= hpa_down + unneeded + 10.0,
        "HPA scale-down at {hpa_down}, node removed at {}",
        removed[0].0
    );
    let nodes = &out.report.node_pools[0].1.nodes;
    assert_eq!((nodes.min, nodes.max, nodes.last), (2, 3, 2));
}

/// Two full nodes and a third added for a burst of pods, with a budget.
fn node_group(pool: &str, budget: &str) -> String {
    format!(
        "name: ca
duration: 2h
cluster:
  nodePools:
    - {{ name: w, count: 2, allocatable: {{ cpu: \"2\", memory: 8Gi }}, {pool} }}
workloads:
  - name: web
    replicas: 4
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    app: {{ cpuPerRequest: 10ms }}
    {budget}
    autoscaling:
      minReplicas: 4
      maxReplicas: 12
      metrics: [ {{ type: Resource, resource: {{ name: cpu, target: {{ type: Utilization, averageUtilization: 50 }} }} }} ]
traffic: [ {{ workload: web, rate: {{ steps: [ {{ at: 0s, rate: 100 }}, {{ at: 5m, rate: 300 }}, {{ at: 30m, rate: 100 }} ] }} }} ]
"
    )
}

/// Three 2-CPU nodes, each running one pod of 500m: 25 % used, under the
/// 0.5 threshold, and the pods fit on the other two, so one node is
/// unneeded (down to `minNodes: 2`). `workload` is added to the Deployment,
/// `rest` to the scenario.
fn one_node_unneeded(workload: &str, rest: &str) -> String {
    format!(
        "name: ca
duration: 1h
cluster:
  nodePools:
    - {{ name: w, count: 3, allocatable: {{ cpu: \"2\", memory: 8Gi }}, autoscaling: {{ minNodes: 2, maxNodes: 3 }} }}
workloads:
  - name: web
    replicas: 3
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    {workload}
{rest}
"
    )
}

#[test]
fn a_disruption_budget_that_allows_nothing_keeps_the_node() {
    // Three 2-CPU nodes each run one pod of 500m: 25 % used, under the
    // 0.5 threshold, and the pods fit on the other two. After 10 minutes
    // unneeded the autoscaler drains one node (down to `minNodes: 2`).
    // `maxUnavailable: 0` allows no eviction, so it keeps all three.
    let cluster = |budget: &str| scenario(&one_node_unneeded(budget, ""));
    let free = run_traced(&cluster(""), 8);
    let removed = events(&free.trace, "Node", "ScaleDown");
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(
        removed[0].0 >= 600.0 && removed[0].0 <= 610.0,
        "unneeded for 10 min"
    );
    assert_eq!(free.report.node_pools[0].1.nodes.last, 2);
    let guarded = run_traced(&cluster("disruptionBudget: { maxUnavailable: 0 }"), 8);
    assert!(events(&guarded.trace, "Node", "ScaleDown").is_empty());
    assert_eq!(guarded.report.node_pools[0].1.nodes.last, 3);
}

#[test]
fn a_cluster_autoscaler_that_loses_its_lease_counts_unneeded_time_afresh() {
    // As above, a node is removed after 10 minutes unneeded. The API goes
    // down at 5 min. For 8 s, under the 10-s renew deadline, the
    // autoscaler keeps its lease and its count: the node goes at the same
    // instant. For 30 s, it loses the lease (`LeaderElectionLost` at
    // 5m10s); a new replica leads 15 to 17 s after the API returns, with
    // no node unneeded yet, and the node goes 10 minutes after its first
    // scan.
    let cluster = |faults: &str| scenario(&one_node_unneeded("", &format!("faults: [ {faults} ]")));
    let outage = |seconds: u32| {
        format!("{{ at: 5m, apiServerDown: {{ all: true, duration: {seconds}s }} }}")
    };
    let lease = |trace: &[TraceEvent], reason: &str| -> Vec<f64> {
        trace
            .iter()
            .filter(|e| e.kind == "Lease" && e.reason == reason && e.name == "cluster-autoscaler")
            .map(|e| e.time.as_secs_f64())
            .collect()
    };
    for seed in 1..=5 {
        let quiet = run_traced(&cluster(""), seed);
        let removed = events(&quiet.trace, "Node", "ScaleDown");
        assert_eq!(removed.len(), 1, "seed {seed}: {removed:?}");

        let short = run_traced(&cluster(&outage(8)), seed);
        assert!(
            lease(&short.trace, "LeaderElectionLost").is_empty(),
            "seed {seed}"
        );
        assert_eq!(
            events(&short.trace, "Node", "ScaleDown")[0].0,
            removed[0].0,
            "seed {seed}"
        );

        let long = run_traced(&cluster(&outage(30)), seed);
        assert_eq!(
            lease(&long.trace, "LeaderElectionLost"),
            vec![310.0],
            "seed {seed}"
        );
        let elected = lease(&long.trace, "LeaderElection");
        assert!(
            elected.len() == 1 && elected[0] >= 345.0 && elected[0] < 347.0,
            "seed {seed}: {elected:?}"
        );
        let removed_after = events(&long.trace, "Node", "ScaleDown");
        assert_eq!(removed_after.len(), 1, "seed {seed}");
        let scan = 10.0;
        assert!(
            removed_after[0].0 >= elected[0] + 600.0
                && removed_after[0].0 <= elected[0] + 600.0 + 2.0 * scan,
            "seed {seed}: removed at {} after an election at {}",
            removed_after[0].0,
            elected[0]
        );
    }
}

#[test]
fn a_node_that_never_registers_is_given_up_after_the_provision_time() {
    // Every machine takes 20 min, past `maxNodeProvisionTime` (15 min): the
    // autoscaler gives each up at 15 min, backs the group off for 5 min
    // (`--initial-node-group-backoff-duration`), then asks again.
    let pool = "autoscaling: { minNodes: 2, maxNodes: 4 }, provisioningTime: 20m";
    let out = run_traced(&scenario(&node_group(pool, "")), 9);
    let asked = events(&out.trace, "ClusterAutoscaler", "ScaledUpGroup");
    let failed = events(&out.trace, "ClusterAutoscaler", "FailedToScaleUpGroup");
    assert!(events(&out.trace, "Node", "RegisteredNode").is_empty());
    assert!(!failed.is_empty());
    assert!(
        (failed[0].0 - asked[0].0 - 900.0).abs() < 1e-6,
        "{asked:?} {failed:?}"
    );
    assert!(asked.len() >= 2, "{asked:?}");
    let retry = asked[1].0 - failed[0].0;
    assert!(
        (300.0..=310.0).contains(&retry),
        "asked again {retry} s after giving up"
    );
}

#[test]
fn stochastic_spikes_come_at_their_mean_rate() {
    // A 1-minute spike, then an exponential wait of mean 59 minutes: one an
    // hour on average, so 720 spikes over 30 days, Poisson-like (sd ≈ 27).
    let s = scenario(
        "name: spikes
duration: 30d
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"8\", memory: 16Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
traffic: [ { workload: web, rate: 10 } ]
faults: [ { trafficSpike: { workload: web, multiplier: 2, duration: 1m, mtbf: 59m } } ]
",
    );
    let out = run_traced(&s, 10);
    let spikes = events(&out.trace, "Fault", "TrafficSpike").len() as f64;
    assert!(
        (spikes - 720.0).abs() < 5.0 * 720.0_f64.sqrt(),
        "{spikes} spikes"
    );
}

#[test]
fn a_spike_multiplies_the_requests_for_its_duration() {
    // 100 req/s for an hour, ×3 for 10 minutes: 360,000 + 2 × 60,000.
    let s = scenario(
        "name: spike
duration: 1h
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 16Gi } } ]
workloads: [ { name: web, replicas: 2 } ]
traffic: [ { workload: web, rate: 100 } ]
faults: [ { at: 20m, trafficSpike: { workload: web, multiplier: 3, duration: 10m } } ]
",
    );
    let out = run(&s, 6);
    let expected = 100.0 * 3600.0 + 200.0 * 600.0;
    let total = out.report.requests.total as f64;
    assert!(
        (total - expected).abs() < 5.0 * expected.sqrt(),
        "{total} requests, expected {expected}"
    );
    assert_eq!(out.report.workloads[0].1.requests_per_second.max, 300.0);
}

#[test]
fn a_diurnal_day_sends_its_integral() {
    // The cosine averages to (min + max) / 2 over whole days.
    let s = scenario(
        "name: day
duration: 2d
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 16Gi } } ]
workloads: [ { name: web, replicas: 2 } ]
traffic: [ { workload: web, rate: { diurnal: { min: 20, max: 180, peakAt: 14h } } } ]
",
    );
    let out = run(&s, 7);
    let expected = 100.0 * 2.0 * 86_400.0;
    let total = out.report.requests.total as f64;
    assert!(
        (total - expected).abs() < 5.0 * expected.sqrt(),
        "{total} requests, expected {expected}"
    );
    let rps = &out.report.workloads[0].1.requests_per_second;
    assert!(
        (rps.max - 180.0).abs() < 1e-6,
        "the peak is max: {}",
        rps.max
    );
}

#[test]
fn hpa_mistakes_are_errors_naming_the_field() {
    let base = |hpa: &str| {
        format!(
            "name: bad
duration: 1h
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 2
    resources: {{ requests: {{ memory: 256Mi }} }}
    autoscaling: {hpa}
"
        )
    };
    let error = |hpa: &str| {
        nines::scenario::parse(&base(hpa), "bad.yaml")
            .expect_err("invalid")
            .to_string()
    };
    let e = error(
        "{ minReplicas: 5, maxReplicas: 3, metrics: [ { type: Pods, pods: { metric: { name: requests_per_second }, target: { type: AverageValue, averageValue: \"50\" } } } ] }",
    );
    assert!(
        e.contains("workloads[0].autoscaling.maxReplicas") && e.contains("less than `minReplicas`"),
        "{e}"
    );
    let e = error("{ maxReplicas: 3 }");
    assert!(
        e.contains("a cpu utilization target needs a cpu request"),
        "{e}"
    );
    let e = error(
        "{ maxReplicas: 3, metrics: [ { type: Pods, pods: { metric: { name: http_requests }, target: { type: AverageValue, averageValue: \"5\" } } } ] }",
    );
    assert!(
        e.contains("workloads[0].autoscaling.metrics[0].pods.metric.name")
            && e.contains("requests_per_second"),
        "{e}"
    );
    let e = error(
        "{ maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 4000 } }, metrics: [ { type: Resource, resource: { name: memory, target: { type: Utilization, averageUtilization: 80 } } } ] }",
    );
    assert!(
        e.contains("stabilizationWindowSeconds") && e.contains("3600"),
        "{e}"
    );
}

#[test]
fn a_pool_must_start_within_its_autoscaling_bounds() {
    let e = nines::scenario::parse(
        "name: bad
duration: 1h
cluster:
  nodePools: [ { name: w, count: 6, allocatable: { cpu: \"4\", memory: 8Gi }, autoscaling: { minNodes: 1, maxNodes: 4 } } ]
workloads: [ { name: web, replicas: 1 } ]
",
        "bad.yaml",
    )
    .expect_err("invalid")
    .to_string();
    assert!(
        e.contains("cluster.nodePools[0].count")
            && e.contains("outside its autoscaling bounds 1..=4"),
        "{e}"
    );
}

#[test]
fn traffic_shape_mistakes_are_errors_naming_the_field() {
    let error = |rate: &str, faults: &str| {
        nines::scenario::parse(
            &format!(
                "name: bad
duration: 1h
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: 1 }} ]
traffic: [ {{ workload: web, rate: {rate} }} ]
faults: {faults}
"
            ),
            "bad.yaml",
        )
        .expect_err("invalid")
        .to_string()
    };
    let e = error("{ diurnal: { min: 500, max: 100, peakAt: 14h } }", "[]");
    assert!(
        e.contains("traffic[0].rate.diurnal.min") && e.contains("above `max`"),
        "{e}"
    );
    let e = error("{ diurnal: { min: 1, max: 100, peakAt: 25h } }", "[]");
    assert!(e.contains("traffic[0].rate.diurnal.peakAt"), "{e}");
    let e = error(
        "{ steps: [ { at: 0s, rate: 1 } ], ramp: { from: 1, to: 2, over: 1m } }",
        "[]",
    );
    assert!(
        e.contains("exactly one of `steps`, `ramp` or `diurnal`"),
        "{e}"
    );
    let e = error(
        "10",
        "[ { at: 1m, trafficSpike: { workload: wbe, multiplier: 2, duration: 1m } } ]",
    );
    assert!(
        e.contains("faults[0].trafficSpike.workload") && e.contains("did you mean `web`"),
        "{e}"
    );
    let e = error(
        "10",
        "[ { at: 1m, trafficSpike: { workload: web, multiplier: -2, duration: 1m } } ]",
    );
    assert!(e.contains("faults[0].trafficSpike.multiplier"), "{e}");
}

/// `count` 2-CPU nodes down to `minNodes: 1`, and `replicas` pods of 500m,
/// which the scheduler spreads one to a node: every node is under the 0.5
/// threshold. A pod takes 20 s to terminate (its preStop hook), and so does
/// a node's drain.
fn idle_pool(count: u32, replicas: u32) -> String {
    format!(
        "name: idle
duration: 30m
cluster:
  nodePools:
    - {{ name: w, count: {count}, allocatable: {{ cpu: \"2\", memory: 8Gi }}, autoscaling: {{ minNodes: 1, maxNodes: {count} }} }}
workloads:
  - name: web
    replicas: {replicas}
    resources: {{ requests: {{ cpu: 500m, memory: 256Mi }} }}
    app: {{ startup: 5s, serviceTime: 10ms }}
    lifecycle: {{ preStop: {{ sleep: {{ seconds: 20 }} }} }}
"
    )
}

#[test]
fn empty_nodes_go_first_and_together_and_the_pool_keeps_its_minimum() {
    // Six nodes, one pod: all six unneeded from the first scan. The
    // actuator sorts empty nodes first (`EmptySorting`) and deletes up to
    // `--max-scale-down-parallelism` (10) at once: the five empty ones go
    // in one scan, 10 minutes after the first, and the pool is then at
    // `minNodes`, so the pod's node stays and the pod is never evicted.
    let out = run_traced(&scenario(&idle_pool(6, 1)), 5);
    let removed = events(&out.trace, "Node", "ScaleDown");
    assert_eq!(removed.len(), 5, "{removed:?}");
    assert!(removed.iter().all(|(t, _)| *t == removed[0].0));
    assert!((600.0..=610.0).contains(&removed[0].0), "{removed:?}");
    assert!(
        removed
            .iter()
            .all(|(_, m)| m.ends_with("utilization: 0.00, pods to reschedule: ")),
        "{removed:?}"
    );
    assert!(events(&out.trace, "Pod", "ScaleDown").is_empty());
    assert!(out.report.incidents.is_empty());
    assert_eq!(out.report.node_pools[0].1.nodes.last, 1);
}

#[test]
fn nodes_to_drain_go_one_after_another() {
    // Three nodes, one pod each, all three fitting on one node: two nodes
    // can go, both by a drain. `--max-drain-parallelism` (1) drains the
    // first, and the second waits until the first node is gone, 20 s
    // later, where the next scan comes after 10 s.
    let out = run_traced(&scenario(&idle_pool(3, 3)), 5);
    let removed = events(&out.trace, "Node", "ScaleDown");
    let gone = events(&out.trace, "Node", "RemovingNode");
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(gone.len(), 2, "{gone:?}");
    assert!(
        removed[1].0 >= gone[0].0,
        "the second drain at {} began before the first node went at {}",
        removed[1].0,
        gone[0].0
    );
    assert_eq!(out.report.node_pools[0].1.nodes.last, 1);
}

#[test]
fn the_least_waste_expander_picks_the_pool_and_the_next_scan_asks_for_the_rest() {
    // Five pods of 1500m and one of 3 CPUs, Pending. Five 2-CPU nodes
    // leave (0.25 + 0.875) of them unused, one 16-CPU node takes all six
    // and leaves (0.34 + 0.91): `least-waste` picks the small nodes,
    // however many pods the big one would help. The 3-CPU pod fits no
    // small node, so the next scan, 10 s on, asks for a big one.
    let s = scenario(
        "name: expander
duration: 10m
cluster:
  nodePools:
    - { name: base, count: 1, allocatable: { cpu: 500m, memory: 2Gi } }
    - { name: small, count: 0, allocatable: { cpu: \"2\", memory: 8Gi }, autoscaling: { minNodes: 0, maxNodes: 10 } }
    - { name: big, count: 0, allocatable: { cpu: \"16\", memory: 64Gi }, autoscaling: { minNodes: 0, maxNodes: 5 } }
workloads:
  - { name: a, replicas: 5, resources: { requests: { cpu: 1500m, memory: 1Gi } } }
  - { name: b, replicas: 1, resources: { requests: { cpu: \"3\", memory: 1Gi } } }
",
    );
    let out = run_traced(&s, 3);
    let asked = events(&out.trace, "ClusterAutoscaler", "ScaledUpGroup");
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0]
            .1
            .starts_with("Scale-up: setting group small size to 5 instead of 0")
    );
    assert!(
        asked[1]
            .1
            .starts_with("Scale-up: setting group big size to 1 instead of 0")
    );
    assert!((asked[1].0 - asked[0].0 - 10.0).abs() < 1e-6, "{asked:?}");
}
