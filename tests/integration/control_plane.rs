//! The control plane (k8s-reference §9, §10): without a writable API the
//! cluster freezes — kube-proxy keeps its last rules, nothing is marked
//! NotReady, replaced or evicted — and catches up when the API returns,
//! once new leaders are elected if the outage outlasted their leases.

use crate::support::{controller_manager_elections, mean_and_se, run_traced, scenario, times};

const RATE: f64 = 300.0;

/// The control plane's availability over seeds 1..=n: mean and standard error.
fn mean_control_plane_availability(s: &nines::scenario::Scenario, n: u64) -> (f64, f64) {
    let availability: Vec<f64> = (1..=n)
        .map(|seed| {
            crate::support::run(s, seed)
                .report
                .control_plane
                .availability
        })
        .collect();
    mean_and_se(&availability)
}

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
fn a_control_plane_that_never_fails_reports_zero_downtime_not_minus_zero() {
    let out = crate::support::run(&cluster("{}", "[]"), 1);
    let downtime = out.report.control_plane.downtime_s;
    assert!(
        downtime == 0.0 && downtime.is_sign_positive(),
        "{downtime:?}"
    );
    let json = serde_json::to_string(&out.report.control_plane).unwrap();
    assert!(json.contains(r#""downtime_s":0.0"#), "{json}");
}

#[test]
fn a_node_lost_while_the_api_is_down_stays_in_the_view_until_it_returns() {
    // API down from 10 to 25 min; w-1 dies at 15. The leaders cannot renew
    // their leases: 10 s into the outage they give them up and exit. When
    // the API returns, a new controller-manager takes the lease 15 s after
    // its first try (at a 2-s retry), and its node lifecycle controller,
    // having heard from no node, gives w-1 a whole grace period from then:
    // NotReady at the first monitor pass 50 s after the election, and
    // kube-proxy drops it 1 s later.
    for seed in 1..=10 {
        let s = cluster(
            "{ apiServers: 1 }",
            "[ { at: 10m, apiServerDown: { all: true, duration: 15m } }, { at: 15m, nodeCrash: { node: w-1 } } ]",
        );
        let out = run_traced(&s, seed);
        for component in ["kube-controller-manager", "kube-scheduler"] {
            let lost = times(&out.trace, "Lease", "LeaderElectionLost", component);
            assert_eq!(lost, vec![610.0], "seed {seed}: {component}");
        }
        let elected = controller_manager_elections(&out.trace);
        assert_eq!(elected.len(), 1, "seed {seed}");
        assert!(
            (1515.0..1517.0).contains(&elected[0]),
            "seed {seed}: {}",
            elected[0]
        );
        let not_ready = times(&out.trace, "Node", "NodeNotReady", "w-1");
        assert_eq!(not_ready.len(), 1, "seed {seed}");
        let grace_over = elected[0] + 50.0;
        assert!(
            not_ready[0] > grace_over && not_ready[0] <= grace_over + 5.0,
            "seed {seed}: {} after an election at {}",
            not_ready[0],
            elected[0]
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
        times(&out.trace, "Pod", "Started", "web-")
            .iter()
            .filter(|&&t| t == 720.0)
            .count(),
        1,
        "the kubelet still restarts, at once"
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
    let (mean, se) = mean_control_plane_availability(&s, 50);
    assert!(se > 0.0, "outages are random");
    assert!((mean - 0.99).abs() < 4.0 * se, "{mean} ± {}", 4.0 * se);
}

/// The scenario `with` makes, with the controller-manager's leader crashing
/// at `crash` seconds: the run, and its one election.
fn controller_manager_crash(
    with: impl Fn(&str) -> nines::scenario::Scenario,
    crash: f64,
    seed: u64,
) -> (nines::RunOutput, f64) {
    let fault = format!(", {{ at: {crash:.9}s, controllerManagerCrash: {{}} }}");
    let out = run_traced(&with(&fault), seed);
    let elected = controller_manager_elections(&out.trace);
    assert_eq!(elected.len(), 1, "seed {seed}: {elected:?}");
    (out, elected[0])
}

#[test]
fn a_controller_manager_failover_leaves_15_to_17_seconds_without_controllers() {
    // Three stacked control-plane nodes. A worker dies at 10 min; its pod's
    // eviction falls at E. The controller-manager's leader crashes 5 s
    // before E: a standby takes the lease 15 s after the crash, at its next
    // 2-s try. Its taint-eviction controller starts with an empty queue, as
    // every new leader's does, and plans the eviction anew: 300 s on.
    let with = |extra: &str| {
        cluster(
            "{ apiServers: 3, etcdMembers: 3 }",
            &format!("[ {{ at: 10m, nodeCrash: {{ node: w-1 }} }}{extra} ]"),
        )
    };
    for seed in 1..=10 {
        let baseline = run_traced(&with(""), seed);
        let evicted = times(&baseline.trace, "Pod", "TaintManagerEviction", "web-")[0];
        let crash = evicted - 5.0;
        let (out, elected) = controller_manager_crash(with, crash, seed);
        let gap = elected - crash;
        assert!(
            (15.0..17.0).contains(&gap),
            "seed {seed}: failover took {gap} s"
        );
        // The new leader's taint-eviction controller has queued nothing:
        // it plans the pod's eviction a whole toleration from its start.
        let evicted = times(&out.trace, "Pod", "TaintManagerEviction", "web-");
        assert!(
            evicted.len() == 1 && (evicted[0] - (elected + 300.0)).abs() < 1e-6,
            "seed {seed}: {evicted:?} after an election at {}",
            elected
        );
        let created = times(&out.trace, "ReplicaSet", "SuccessfulCreate", "web-");
        assert_eq!(
            created, evicted,
            "seed {seed}: nothing replaced before the eviction"
        );
    }
}

#[test]
fn a_new_controller_manager_leader_taints_with_a_full_token_bucket() {
    // Two of ten nodes in one zone die together; at one taint every 100 s
    // (`nodeEvictionRate: 0.01`) the first is tainted at T, the second
    // would be at T + 100 s. The leader crashes at T + 20 s: the standby's
    // tainter starts with a full bucket and taints the second node as soon
    // as it leads, not when the old leader's next token was due.
    let with = |extra: &str| {
        scenario(&format!(
            "name: cp
duration: 1h
cluster:
  controlPlane: {{ apiServers: 3, etcdMembers: 3 }}
  settings: {{ nodeEvictionRate: 0.01 }}
  nodePools: [ {{ name: w, count: 10, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: 10 }} ]
faults: [ {{ at: 10m, nodeCrash: {{ node: w-1 }} }}, {{ at: 10m, nodeCrash: {{ node: w-2 }} }}{extra} ]
"
        ))
    };
    for seed in 1..=5 {
        let baseline = run_traced(&with(""), seed);
        let tainted = times(&baseline.trace, "Node", "TaintAdded", "w-");
        assert!(
            tainted.len() == 2 && (tainted[1] - tainted[0] - 100.0).abs() < 1e-6,
            "seed {seed}: {tainted:?}"
        );
        let (out, elected) = controller_manager_crash(with, tainted[0] + 20.0, seed);
        let tainted_after = times(&out.trace, "Node", "TaintAdded", "w-");
        assert!(
            tainted_after.len() == 2
                && (tainted_after[0] - tainted[0]).abs() < 1e-6
                && (tainted_after[1] - elected).abs() < 1e-6,
            "seed {seed}: {tainted_after:?} after an election at {}",
            elected
        );
    }
}

#[test]
fn an_api_outage_shorter_than_the_renew_deadline_keeps_the_leaders() {
    // w-1 dies at 10 min; without an outage its Lease is found stale at a
    // monitor pass D. The API goes down 4 s before D. Back within the 10-s
    // renew deadline (8 s), the leaders kept their leases and the
    // controller its memory: NotReady at the next pass, D + 5 s. Down for
    // 12 s, both leaders gave up at D + 6 s; the controller-manager elected
    // 15 to 17 s after the API returns has heard from no node, and waits a
    // whole grace period.
    let with = |extra: &str| {
        cluster(
            "{ apiServers: 1 }",
            &format!("[ {{ at: 10m, nodeCrash: {{ node: w-1 }} }}{extra} ]"),
        )
    };
    let outage = |start: f64, seconds: u32| {
        format!(", {{ at: {start:.9}s, apiServerDown: {{ all: true, duration: {seconds}s }} }}")
    };
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    for seed in 1..=10 {
        let baseline = run_traced(&with(""), seed);
        let detected = times(&baseline.trace, "Node", "NodeNotReady", "w-1")[0];

        let short = run_traced(&with(&outage(detected - 4.0, 8)), seed);
        assert!(
            short.trace.iter().all(|e| e.kind != "Lease"),
            "seed {seed}: no lease changes hands"
        );
        let not_ready = times(&short.trace, "Node", "NodeNotReady", "w-1");
        assert!(
            not_ready.len() == 1 && close(not_ready[0], detected + 5.0),
            "seed {seed}: {not_ready:?}, {detected} without the outage"
        );

        let long = run_traced(&with(&outage(detected - 4.0, 12)), seed);
        let lost = times(
            &long.trace,
            "Lease",
            "LeaderElectionLost",
            "kube-controller-manager",
        );
        assert!(
            lost.len() == 1 && close(lost[0], detected + 6.0),
            "seed {seed}: {lost:?}"
        );
        let elected = controller_manager_elections(&long.trace);
        let back = detected + 8.0;
        assert!(
            elected.len() == 1 && elected[0] >= back + 15.0 - 1e-6 && elected[0] < back + 17.0,
            "seed {seed}: {elected:?}, the API back at {back}"
        );
        let not_ready = times(&long.trace, "Node", "NodeNotReady", "w-1");
        assert_eq!(not_ready.len(), 1, "seed {seed}");
        assert!(
            not_ready[0] > elected[0] + 50.0 && not_ready[0] <= elected[0] + 55.0,
            "seed {seed}: {} after an election at {}",
            not_ready[0],
            elected[0]
        );
    }
}

#[test]
fn losing_the_only_control_plane_node_stops_everything_until_it_is_back() {
    let s = cluster(
        "{ apiServers: 1 }",
        "[ { at: 10m, controlPlaneNodeCrash: { duration: 5m } } ]",
    );
    let out = run_traced(&s, 1);
    let cp = &out.report.control_plane;
    assert_eq!(cp.incidents.len(), 1);
    assert!((cp.incidents[0].duration_s - 300.0).abs() < 1e-9);
    // The leaders' processes restart with their node. A fresh process
    // trusts no lease's renew time, only its own clock: it takes the
    // long-expired lease a lease duration (15 s) after it first reads it,
    // at a 2-s retry.
    let elected = times(&out.trace, "Lease", "LeaderElection", "");
    assert_eq!(elected.len(), 2);
    assert!(
        elected.iter().all(|t| (915.0..917.0).contains(t)),
        "{elected:?}"
    );
}

#[test]
fn an_etcd_leader_loss_pauses_writes_for_one_to_two_election_timeouts() {
    let s = cluster(
        "{ apiServers: 3, etcdMembers: 3 }",
        "[ { at: 10m, etcdLeaderLoss: {} } ]",
    );
    for seed in 1..=10 {
        let out = run_traced(&s, seed);
        let cp = &out.report.control_plane;
        assert_eq!(cp.incidents.len(), 1, "seed {seed}");
        assert_eq!(cp.incidents[0].cause, "etcd leader election");
        assert!(
            (1.0..2.0).contains(&cp.incidents[0].duration_s),
            "seed {seed}"
        );
    }
}

#[test]
fn a_stacked_control_plane_has_as_many_etcd_members_as_api_servers() {
    let err = nines::scenario::parse(
        "name: t
duration: 1h
cluster:
  controlPlane: { apiServers: 3, etcdMembers: 5 }
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"1\", memory: 1Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
",
        "t.yaml",
    )
    .expect_err("stacked by default");
    assert!(err.to_string().contains("topology: external"), "{err}");
}

#[test]
fn an_etcd_restore_loses_exactly_the_writes_after_the_last_snapshot() {
    // Snapshots every 10 min. A worker dies at 12 min: NotReady, taint,
    // eviction and replacement all come after the 10-min snapshot, and are
    // lost when etcd, lost at 19 min, is restored 15 min later.
    let s = cluster(
        "{ apiServers: 3, etcdMembers: 3, backupInterval: 10m, restoreTime: 15m }",
        "[ { at: 12m, nodeCrash: { node: w-1 } }, { at: 19m, etcdLoss: {} } ]",
    );
    for seed in 1..=5 {
        let out = run_traced(&s, seed);
        let changes: Vec<(&str, &str)> = out
            .report
            .lost_changes
            .iter()
            .map(|c| (c.object.split('/').next().unwrap_or(""), c.change.as_str()))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("Node", "tainted unreachable:NoExecute"),
                ("Node", "marked NotReady"),
                ("Pod", "created"),
                ("Pod", "deleted (it is back)"),
            ],
            "seed {seed}"
        );
        assert!(
            out.report
                .lost_changes
                .iter()
                .all(|c| c.time_s > 600.0 && c.time_s < 1140.0)
        );
        // The API is down for the restore; the controllers then start over.
        let cp = &out.report.control_plane;
        assert_eq!(
            (cp.incidents[0].start_s, cp.incidents[0].end_s),
            (1140.0, 2040.0)
        );
        // The leaders gave up their leases 10 s into the loss; the
        // controller-manager elected after the restore has heard from no
        // node, and finds w-1 silent a whole grace period later.
        let elected = controller_manager_elections(&out.trace);
        assert!(
            elected.len() == 1 && (2055.0..2057.0).contains(&elected[0]),
            "seed {seed}: {elected:?}"
        );
        let not_ready = times(&out.trace, "Node", "NodeNotReady", "w-1");
        assert_eq!(not_ready.len(), 2, "seed {seed}");
        assert!(
            not_ready[1] > elected[0] + 50.0 && not_ready[1] <= elected[0] + 55.0,
            "seed {seed}: {not_ready:?}"
        );
        let evicted = times(&out.trace, "Pod", "TaintManagerEviction", "web-");
        assert_eq!(
            evicted.len(),
            2,
            "seed {seed}: evicted again after the restore"
        );
    }
}

#[test]
fn without_backups_a_lost_etcd_is_never_back() {
    let s = cluster("{ apiServers: 1 }", "[ { at: 10m, etcdLoss: {} } ]");
    let out = run_traced(&s, 1);
    let incident = &out.report.control_plane.incidents[0];
    assert!(incident.ongoing);
    assert!(incident.cause.contains("no backup"), "{}", incident.cause);
}

#[test]
fn api_servers_failing_at_random_are_down_mttr_over_mtbf_plus_mttr() {
    // One API server failing every day on average, down for an hour each
    // time: available 24 / 25 of the time in the long run.
    let s = scenario(
        "name: random-api
duration: 365d
cluster:
  nodePools: [ { name: w, count: 1, allocatable: { cpu: \"4\", memory: 8Gi } } ]
workloads: [ { name: web, replicas: 1 } ]
faults: [ { apiServerDown: { mtbf: 1d, duration: 1h } } ]
",
    );
    let (mean, se) = mean_control_plane_availability(&s, 50);
    assert!(
        (mean - 24.0 / 25.0).abs() < 4.0 * se,
        "{mean} ± {}",
        4.0 * se
    );
}
