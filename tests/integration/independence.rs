//! Replicas that fail independently: the fraction of time with none
//! serving is the product of each one's down fraction, here the square of
//! the single replica's.

use crate::support::{mean_and_se, run, scenario};

fn crashing(replicas: u32) -> nines::scenario::Scenario {
    // Crashes every 5 min on average; each costs a CrashLoopBackOff (which
    // grows, as runs are shorter than 10 min) and a 20 s startup.
    scenario(&format!(
        "name: independent
duration: 5d
cluster:
  nodePools: [ {{ name: w, count: 2, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: {replicas}, app: {{ startup: 20s }} }} ]
faults: [ {{ podCrash: {{ workload: web, mtbf: 5m }} }} ]
"
    ))
}

#[test]
fn two_independent_replicas_are_both_down_the_square_of_the_time() {
    let seeds = 1..=20;
    let one: Vec<f64> = seeds
        .clone()
        .map(|s| 1.0 - run(&crashing(1), s).report.availability.time)
        .collect();
    let two: Vec<f64> = seeds
        .map(|s| 1.0 - run(&crashing(2), s + 1000).report.availability.time)
        .collect();
    let (p1, se1) = mean_and_se(&one);
    let (p2, se2) = mean_and_se(&two);
    // The square's standard error by the delta method, and the difference's
    // from both; four of them is the tolerance.
    let se = (se2.powi(2) + (2.0 * p1 * se1).powi(2)).sqrt();
    assert!(p1 > 0.1 && p1 < 0.9, "a down fraction worth testing: {p1}");
    assert!(
        (p2 - p1 * p1).abs() < 4.0 * se,
        "both down {p2:.5}, one down squared {:.5} (± {:.5})",
        p1 * p1,
        4.0 * se
    );
}
