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
