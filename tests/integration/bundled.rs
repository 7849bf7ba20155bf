//! Every bundled scenario meets the SLO it states, at its own seed, and tells
//! the story its description promises.

use crate::support::{bundled, bundled_scenarios, run, times};

#[test]
fn every_bundled_scenario_meets_its_slo_or_shows_its_pitfall() {
    for path in bundled_scenarios() {
        let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !scenario.description.is_empty(),
            "{}: no description",
            path.display()
        );
        assert!(!scenario.slo.is_empty(), "{}: no slo", path.display());
        let seed = scenario.seed.expect("bundled scenarios pin their seed");
        let out = run(&scenario, seed);
        let slo = out.report.slo.as_ref().expect("an slo block");
        assert!(
            slo.as_expected,
            "{}: SLO not as expected ({}); reproduce with `nines run {} --seed {seed}`: {:?}",
            path.display(),
            slo.expect,
            path.display(),
            slo.checks
        );
    }
}

#[test]
fn single_host_is_a_full_outage_until_the_host_is_back() {
    let out = crate::support::run_traced(&bundled("single-host.yaml"), 3);
    let incidents = &out.report.incidents;
    assert_eq!(incidents.len(), 1);
    // Down from the crash (every endpoint dead) until the containers restart,
    // pass their probe and reach kube-proxy: 20 min + startup + probe + 1 s.
    assert_eq!(incidents[0].start_s, 6.0 * 3600.0);
    let back = times(&out.trace, "Node", "Starting", "host-1")[0];
    assert_eq!(back, 6.0 * 3600.0 + 1200.0);
    let after = incidents[0].end_s - back;
    assert!(
        (11.0..16.0).contains(&after),
        "serving {after} s after the host is back"
    );
    assert!(times(&out.trace, "Pod", "TaintManagerEviction", "").is_empty());
}

#[test]
fn node_loss_keeps_two_replicas_serving() {
    let out = run(&bundled("node-loss.yaml"), 42);
    assert!(out.report.incidents.is_empty());
    assert!(out.report.requests.by_cause.contains_key("stale_endpoint"));
}

/// The HPA report of the bundled scenario's first workload of that name.
fn autoscaling<'r>(
    report: &'r nines::report::Report,
    workload: &str,
) -> &'r nines::report::AutoscalingReport {
    report
        .workloads
        .iter()
        .find(|(name, _)| name == workload)
        .and_then(|(_, w)| w.autoscaling.as_ref())
        .expect("the workload has an HPA")
}

#[test]
fn a_spike_is_absorbed_by_the_hpa_after_its_lag() {
    let out = crate::support::run_traced(&bundled("traffic-spike-hpa.yaml"), 11);
    let rescales = times(
        &out.trace,
        "HorizontalPodAutoscaler",
        "SuccessfulRescale",
        "web",
    );
    // The spike starts at 600 s: seen at the next scrape, acted on at the
    // next sync; then at most a doubling per 15 s.
    assert!((600.0..=630.0).contains(&rescales[0]), "{rescales:?}");
    let a = autoscaling(&out.report, "web");
    assert!(
        a.replicas.max >= 12,
        "500 req/s × 5 ms at 60 % of 250m: 17 pods"
    );
    assert_eq!(a.replicas.last, 4, "back to minReplicas after the window");
    // The only failures are the lag's: overload until the new pods serve.
    let overload = out.report.requests.by_cause["overload"];
    assert!(overload > 0 && a.failed_while_scaling > 0);
}

#[test]
fn a_short_scale_down_window_flaps_where_the_default_holds() {
    let out = run(&bundled("hpa-flapping.yaml"), 12);
    let flappy = autoscaling(&out.report, "flappy");
    let steady = autoscaling(&out.report, "steady");
    assert!(
        flappy.rescales >= 40,
        "a rescale each way per burst: {}",
        flappy.rescales
    );
    assert_eq!(steady.rescales, 1, "up once, then held by the window");
    let text = nines::report::render_text(&out.report, "", &out.trace, 0);
    let line =
        (text.lines()).find(|l| l.trim_start().starts_with("steady ") && l.contains("replicas"));
    assert!(
        line.is_some_and(|l| l.contains(" 1 rescale  at maxReplicas")),
        "{line:?}"
    );
    let failed = |name: &str| {
        out.report
            .workloads
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, w)| w.requests.failed)
            .expect("bundled workload")
    };
    assert!(failed("flappy") > 0);
    assert_eq!(failed("steady"), 0);
}

#[test]
fn a_day_of_traffic_grows_and_shrinks_pods_and_nodes() {
    let out = run(&bundled("diurnal-capacity.yaml"), 13);
    let a = autoscaling(&out.report, "web");
    // 1,000 req/s × 10 ms at 70 % of 500m: 29 pods at the peak; the
    // night's 50 req/s needs 2.
    assert!(
        a.replicas.max >= 25 && a.replicas.min <= 4,
        "{:?}",
        a.replicas
    );
    let nodes = &out.report.node_pools[0].1.nodes;
    assert!(nodes.max >= 6, "29 pods of 500m need 8 CPUs: {nodes:?}");
    assert_eq!(nodes.last, 2, "the night goes back to minNodes");
}

#[test]
fn pending_pods_wait_for_the_new_node() {
    let out = crate::support::run_traced(&bundled("node-autoscaling.yaml"), 14);
    let pending = times(&out.trace, "Pod", "FailedScheduling", "web");
    let asked = times(&out.trace, "ClusterAutoscaler", "ScaledUpGroup", "");
    let registered = times(&out.trace, "Node", "RegisteredNode", "");
    assert!(!pending.is_empty() && !asked.is_empty() && !registered.is_empty());
    assert!(asked[0] - pending[0] <= 10.0, "within one scan");
    let provisioning = registered[0] - asked[0];
    assert!((180.0..=240.0).contains(&provisioning), "{provisioning} s");
    assert!(out.report.requests.by_cause["overload"] > 0);
}

/// The master down from 9 to 14 minutes around node-autoscaling's spike:
/// the autoscalers act only after the new leaders' elections.
#[test]
fn a_master_down_during_a_spike_holds_both_autoscalers_until_new_leaders() {
    let out = crate::support::run_traced(&bundled("master-down-during-spike.yaml"), 14);
    let (down, back) = (540.0, 840.0);
    // Every leader fails to renew within the 10 s renew deadline.
    for lease in ["kube-controller-manager", "cluster-autoscaler"] {
        assert_eq!(
            times(&out.trace, "Lease", "LeaderElectionLost", lease),
            [down + 10.0],
            "{lease}"
        );
        // A new one takes the Lease a lease duration (15 s) after the API
        // returns, at its next try (every 2 s).
        let elected = times(&out.trace, "Lease", "LeaderElection", lease);
        assert!(
            elected.len() == 1 && (back + 15.0..back + 17.0).contains(&elected[0]),
            "{lease}: {elected:?}"
        );
    }
    let manager = times(
        &out.trace,
        "Lease",
        "LeaderElection",
        "kube-controller-manager",
    )[0];
    let autoscaler = times(&out.trace, "Lease", "LeaderElection", "cluster-autoscaler")[0];
    // The HPA rescales at its first sync (every 15 s) under the new leader.
    let rescales = times(
        &out.trace,
        "HorizontalPodAutoscaler",
        "SuccessfulRescale",
        "web",
    );
    assert!(
        manager < rescales[0] && rescales[0] <= manager + 15.0,
        "{rescales:?}"
    );
    // The pods that do not fit trigger a scale-up at the new cluster
    // autoscaler's next scan (every 10 s).
    let pending = times(&out.trace, "Pod", "FailedScheduling", "web")[0];
    let asked = times(&out.trace, "ClusterAutoscaler", "ScaledUpGroup", "");
    assert!(
        autoscaler < pending && pending < asked[0] && asked[0] <= pending + 10.0,
        "{asked:?}"
    );
    // Four pods of a 1-CPU limit at 10 ms a request take 400 of the 480
    // requests a second: at least the outage's 80 a second fail, within
    // four Poisson standard deviations.
    let mean = 80.0 * (back - 600.0);
    let overload = out.report.requests.by_cause["overload"] as f64;
    assert!(overload >= mean - 4.0 * mean.sqrt(), "{overload}");
}

#[test]
fn a_max_replicas_below_the_peak_overloads_the_pods() {
    let out = run(&bundled("max-replicas-too-low.yaml"), 15);
    let a = autoscaling(&out.report, "web");
    assert_eq!(a.replicas.max, 6);
    assert!(
        a.at_max_replicas_s > 6.0 * 3600.0,
        "{} s at maxReplicas",
        a.at_max_replicas_s
    );
    assert!(out.report.requests.by_cause["overload"] > 100_000);
}

/// The workload's report in a bundled run.
fn workload<'r>(
    report: &'r nines::report::Report,
    name: &str,
) -> &'r nines::report::WorkloadReport {
    report
        .workloads
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, w)| w)
        .expect("a bundled workload")
}

#[test]
fn a_rolling_deploy_with_a_prestop_loses_nothing_and_without_one_loses_the_race() {
    for name in ["rolling-deploy.yaml", "rolling-deploy-prestop.yaml"] {
        let s = bundled(name);
        let out = run(&s, s.seed.expect("pinned"));
        assert_eq!(out.report.requests.failed, 0, "{name}");
        assert_eq!(out.report.rollouts[0].outcome, "complete", "{name}");
    }
    let s = bundled("rolling-deploy-no-prestop.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    let stale = out.report.requests.by_cause["stale_endpoint"];
    assert_eq!(out.report.requests.failed, stale, "only the race fails");
    assert_eq!(
        out.report.rollouts[0].requests.failed, stale,
        "all within the rollout"
    );
}

#[test]
fn a_broken_release_stalls_while_the_old_version_serves() {
    let s = bundled("broken-release.yaml");
    let out = crate::support::run_traced(&s, s.seed.expect("pinned"));
    assert_eq!(out.report.rollouts[0].outcome, "stalled");
    assert_eq!(out.report.requests.failed, 0);
    let deadline = times(&out.trace, "Deployment", "ProgressDeadlineExceeded", "");
    assert_eq!(deadline.len(), 1);
    assert_eq!(deadline[0], out.report.rollouts[0].start_s + 600.0);
}

#[test]
fn a_breaking_migration_fails_requests_as_incompatible_until_the_old_pods_go() {
    let s = bundled("migration.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    let r = &out.report.rollouts[0];
    assert_eq!(r.outcome, "complete");
    let incompatible = out.report.requests.by_cause["incompatible"];
    assert_eq!(
        r.requests.failed, incompatible,
        "every failure is the migration's, during the rollout"
    );
}

#[test]
fn daily_deploys_cost_only_the_workload_without_a_prestop() {
    let s = bundled("daily-deploys-30d.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    assert_eq!(out.report.rollouts.len(), 60, "two workloads, thirty days");
    assert!(out.report.rollouts.iter().all(|r| r.outcome == "complete"));
    let cost = |name: &str| -> u64 {
        out.report
            .rollouts
            .iter()
            .filter(|r| r.workload == name)
            .map(|r| {
                r.requests
                    .by_cause
                    .get("stale_endpoint")
                    .copied()
                    .unwrap_or(0)
            })
            .sum()
    };
    assert_eq!(cost("web"), 0, "the preStop sleep covers the race");
    assert!(cost("api") > 1_000, "about 100 per deploy: {}", cost("api"));
}

#[test]
fn a_quorum_survives_max_unavailable_one_but_not_two() {
    let s = bundled("clustered-quorum.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    assert_eq!(workload(&out.report, "etcd-like-safe").incidents, 0);
    assert_eq!(workload(&out.report, "etcd-like-unsafe").incidents, 1);
}

#[test]
fn a_second_drain_waits_on_the_budget_and_the_quorum_holds() {
    let s = bundled("node-drain-pdb.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    let drains = &out.report.drains;
    assert_eq!(drains.len(), 2);
    assert_eq!(drains[0].waited_on_budget_s, 0.0);
    assert!(drains[1].waited_on_budget_s > 0.0 && drains[1].evictions_refused > 0);
    assert!(out.report.incidents.is_empty());
}

#[test]
fn a_zone_outage_downs_only_the_workload_pinned_to_the_zone() {
    let s = bundled("zone-outage.yaml");
    let out = run(&s, s.seed.expect("pinned"));
    assert_eq!(workload(&out.report, "web-spread").incidents, 0);
    let pinned = workload(&out.report, "web-one-zone");
    assert_eq!(pinned.incidents, 1);
    assert!(pinned.downtime_s >= 3600.0);
    // The incident names the outage, not one of the zone's nodes alone.
    let cause = &out.report.incidents[0].cause;
    assert!(
        cause.starts_with("zoneOutage a (zone-a-power): nodeCrash workers-"),
        "{cause}"
    );
}
