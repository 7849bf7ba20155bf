//! Scenarios that once broke the model, each with what must hold now. The
//! scenario files are in `tests/integration/regressions/`.

use crate::support::{controller_manager_elections, run, run_traced, times};

fn load(name: &str) -> nines::scenario::Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/regressions")
        .join(name);
    nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn draining_a_node_whose_pod_is_still_pulling_finishes() {
    // The evicted pod, not yet running, is released inside the eviction
    // pass: the drain ends there instead of panicking.
    let out = run(&load("drain-of-a-pulling-pod.yaml"), 1);
    assert!(out.report.drains.iter().all(|d| d.end_s == Some(10.0)));
}

#[test]
fn a_terminating_pod_whose_container_exits_is_not_restarted() {
    // The crashing release is superseded while its pod starts: the pod,
    // deleted, crashes during its preStop and must go, not crash-loop.
    let out = run(&load("superseded-crashing-release.yaml"), 1);
    let outcomes: Vec<&str> = out.report.rollouts.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, vec!["superseded", "complete"]);
}

#[test]
fn a_rollout_goes_on_after_scaling_its_own_replica_sets() {
    // A node is down at the rollout: its old pod is deleted but never
    // terminates. The Deployment re-syncs on its own ReplicaSet updates and
    // does not count terminating pods, so the rollout completes.
    for name in [
        "rollout-after-a-node-crash.yaml",
        "rollout-with-terminating-old-pods.yaml",
    ] {
        let out = run(&load(name), 1);
        assert_eq!(out.report.rollouts[0].outcome, "complete", "{name}");
    }
}

#[test]
fn a_node_that_crashes_for_good_during_a_partition_stays_down() {
    let out = run_traced(&load("crash-during-a-partition.yaml"), 1);
    assert!(times(&out.trace, "Node", "Starting", "workers-1").is_empty());
    assert!(times(&out.trace, "Node", "PartitionHealed", "workers-1").is_empty());
}

#[test]
fn a_partition_found_after_an_api_outage_is_still_found() {
    // The grace period runs out while the API is down (5:10 to 7:10). The
    // controller-manager elected 15 to 17 s after the API returns has heard
    // from no node, and marks the node NotReady a grace period later.
    let out = run_traced(&load("partition-during-an-api-outage.yaml"), 1);
    let elected = controller_manager_elections(&out.trace);
    assert!(
        elected.len() == 1 && (445.0..447.0).contains(&elected[0]),
        "{elected:?}"
    );
    let not_ready = times(&out.trace, "Node", "NodeNotReady", "workers-1");
    assert_eq!(not_ready.len(), 1);
    assert!(
        not_ready[0] > elected[0] + 50.0 && not_ready[0] <= elected[0] + 55.0,
        "{not_ready:?}"
    );
    assert_eq!(
        times(&out.trace, "Pod", "TaintManagerEviction", "web").len(),
        1
    );
}

#[test]
fn an_undo_returns_to_the_template_before_the_failed_rollout() {
    // Two broken releases, each rolled back: the second undo goes back to
    // the working version, not to the first broken one.
    let out = run_traced(&load("two-failed-releases-rolled-back.yaml"), 1);
    let outcomes: Vec<(usize, &str)> = out
        .report
        .rollouts
        .iter()
        .map(|r| (r.revision, r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (2, "rolled_back"),
            (3, "complete"),
            (4, "rolled_back"),
            (5, "complete")
        ]
    );
    assert_eq!(out.report.workloads[0].1.requests.failed, 0);
}

#[test]
fn a_drain_blocked_for_a_month_costs_no_polling() {
    // `maxUnavailable: 0` refuses every eviction. kubectl would retry every
    // 5 s for 30 days; nothing changes, so the model retries nothing, and
    // counts the refusals those retries would have met.
    let out = run(&load("drain-blocked-for-a-month.yaml"), 1);
    assert!(out.report.events < 20, "{} events", out.report.events);
    let d = &out.report.drains[0];
    assert_eq!(d.end_s, None);
    let blocked = 30.0 * 86_400.0 - 3600.0;
    assert_eq!(d.waited_on_budget_s, blocked);
    // One pod refused at the first attempt and at each 5 s tick after.
    assert_eq!(u64::from(d.evictions_refused), (blocked / 5.0) as u64 + 1);
}
