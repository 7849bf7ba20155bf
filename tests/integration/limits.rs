//! Limits on everything: going past one is an error that names it and the
//! flag that raises it, and the flag does raise it; what has no flag (a
//! file's size, what its aliases expand to, the problems shown) is refused
//! or cut quickly all the same.

use std::ffi::OsStr;
use std::time::Duration;

use crate::support::{TempDir, TempFile, nines, nines_bounded};

const SCENARIO: &str = "name: t
duration: 2h
cluster:
  nodePools:
    - name: workers
      count: 3
      allocatable: { cpu: \"4\", memory: 16Gi }
workloads:
  - name: web
    replicas: 3
traffic:
  - workload: web
    rate: 300
faults:
  - at: 10m
    nodeCrash: { node: workers-1, recoverAfter: 5m }
";

/// `nines ARGS FLAG LOW` fails naming FLAG; with `FLAG HIGH` it passes.
fn raised_by(command: &[&str], flag: &str, low: &str, high: &str, says: &str) {
    let file = TempFile::new(&format!("limit{flag}"), SCENARIO);
    let name = file.name();
    let with = |value: &str| {
        let mut args: Vec<&str> = command
            .iter()
            .map(|a| if *a == "FILE" { name.as_str() } else { a })
            .collect();
        args.extend([flag, value]);
        nines(&args)
    };
    with(low).bad_input(&[says, &format!("raise it with `{flag}`")]);
    let passed = with(high);
    assert_eq!(passed.code, Some(0), "{flag} {high}: {}", passed.stderr);
}

#[test]
fn each_scenario_limit_names_its_flag_which_raises_it() {
    let validate = ["validate", "FILE"];
    raised_by(
        &validate,
        "--max-duration",
        "1h",
        "2h",
        "`7200s` is longer than a run may be: the limit is 3600s",
    );
    raised_by(
        &validate,
        "--max-nodes",
        "2",
        "3",
        "3 nodes: the limit is 2",
    );
    raised_by(&validate, "--max-pods", "2", "3", "3 pods: the limit is 2");
    raised_by(
        &validate,
        "--max-workloads",
        "0",
        "1",
        "1 workloads: the limit is 0",
    );
    raised_by(
        &validate,
        "--max-faults",
        "0",
        "1",
        "1 faults: the limit is 0",
    );
}

#[test]
fn the_event_budget_seeds_and_sweep_points_name_their_flags() {
    raised_by(
        &["run", "FILE"],
        "--max-events",
        "2",
        "1000000",
        "event budget of 2 events",
    );
    raised_by(
        &["run", "FILE", "--seeds", "3"],
        "--max-seeds",
        "2",
        "3",
        "`--seeds 3`: too many runs",
    );
    raised_by(
        &["sweep", "FILE", "--vary", "workloads.web.replicas=1,2,3"],
        "--max-sweep-points",
        "2",
        "3",
        "make 3 points",
    );
}

#[test]
fn a_sweep_too_large_to_count_is_refused_before_anything_is_made() {
    let file = TempFile::new("limit-points-overflow", SCENARIO);
    let values = (0..1000)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let vary = format!("workloads.web.replicas={values}");
    let mut args = vec!["sweep".to_string(), file.name()];
    for _ in 0..8 {
        args.extend(["--vary".to_string(), vary.clone()]);
    }
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    nines_bounded("points-overflow", &args, Duration::from_secs(10))
        .bad_input(&["too many points", "`--max-sweep-points`"]);
}

#[test]
#[cfg(unix)]
fn an_endless_file_is_refused_at_its_size() {
    nines_bounded(
        "dev-zero",
        &[OsStr::new("validate"), OsStr::new("/dev/zero")],
        Duration::from_secs(5),
    )
    .bad_input(&["error[E007]", "larger than 16 MiB"]);
}

#[test]
#[cfg(unix)]
fn an_alias_bomb_is_refused_quickly_also_through_set() {
    let mut text = SCENARIO.to_string();
    text.push_str("laughs0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("laughs{i}: &a{i} [{refs}]\n"));
    }
    let file = TempFile::new("limit-bomb", &text);
    for extra in [&[][..], &["--set", "duration=1h"][..]] {
        let mut args = vec![OsStr::new("run"), file.path.as_os_str()];
        args.extend(extra.iter().map(OsStr::new));
        let start = std::time::Instant::now();
        nines_bounded("bomb", &args, Duration::from_secs(10))
            .bad_input(&["error[E007]", "alias bomb"]);
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }
}

#[test]
fn a_flood_of_problems_is_cut_at_a_hundred_and_counted() {
    let mut text = SCENARIO.replace("faults:\n", "");
    text = text.replace(
        "  - at: 10m\n    nodeCrash: { node: workers-1, recoverAfter: 5m }\n",
        "",
    );
    text.push_str("faults:\n");
    for i in 0..150 {
        text.push_str(&format!(
            "  - {{ at: 10m, nodeCrash: {{ node: nowhere-{i} }} }}\n"
        ));
    }
    let file = TempFile::new("limit-flood", &text);
    let outcome = nines(&[OsStr::new("validate"), file.path.as_os_str()]);
    outcome.bad_input(&["… and 50 more problems, not shown", "100 errors in"]);
    assert_eq!(outcome.stderr.matches("error[E013]").count(), 100);
}

#[test]
fn merge_refuses_a_shard_that_cannot_be() {
    let dir = TempDir::new("limit-merge");
    let header = r#"{ "plan": { "scenario": "t", "vary": [ { "path": "a", "values": ["1"] } ],
        "sets": [], "first_seed": 1, "seeds": 1 }, "shard": { "index": 7, "count": 2 } }"#;
    std::fs::write(dir.path.join("shard-7-of-2.json"), header).expect("write");
    std::fs::write(dir.path.join("shard-7-of-2.csv"), "").expect("write");
    let out = dir.path.join("out");
    nines(&[
        OsStr::new("merge"),
        dir.path.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ])
    .bad_input(&["shard 7 of 2 cannot be"]);
    assert!(!out.exists());
}

/// Regression: duplicate zones were found by scanning the zones before
/// each, and each zone's index by a scan of all: 18 s for this file, 0.2 s
/// now (the bound leaves room for a busy machine).
#[test]
#[cfg(unix)]
fn a_pool_of_a_hundred_thousand_zones_is_checked_in_seconds() {
    let zones: Vec<String> = (0..100_000).map(|i| format!("z{i}")).collect();
    let text = SCENARIO.replace(
        "      count: 3\n",
        &format!("      count: 3\n      zones: [{}]\n", zones.join(", ")),
    );
    let file = TempFile::new("limit-zones", &text);
    let start = std::time::Instant::now();
    let outcome = nines_bounded(
        "zones",
        &[OsStr::new("validate"), file.path.as_os_str()],
        Duration::from_secs(30),
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

/// Regression: a shard file whose figures were not finite made `merge`
/// draw an axis from infinity, and plotters never returned.
#[test]
#[cfg(unix)]
fn merge_refuses_figures_that_are_not_finite() {
    let dir = TempDir::new("limit-merge-nan");
    let header = r#"{ "plan": { "scenario": "t", "vary": [ { "path": "a", "values": ["1"] } ],
        "sets": [], "first_seed": 1, "seeds": 1 }, "shard": { "index": 0, "count": 1 } }"#;
    std::fs::write(dir.path.join("shard-0-of-1.json"), header).expect("write");
    let csv = "item,point,seed,request_availability,uptime,nines_requests,nines_time,\
               failed_requests,dropped_in_flight,downtime_s,incidents,longest_outage_s,\
               nodes,replicas,slo_passed\n\
               0,0,1,NaN,inf,1,1,0,0,0,0,0,3,2,true\n";
    std::fs::write(dir.path.join("shard-0-of-1.csv"), csv).expect("write");
    let out = dir.path.join("out");
    nines_bounded(
        "merge-nan",
        &[
            OsStr::new("merge"),
            dir.path.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
        ],
        Duration::from_secs(10),
    )
    .bad_input(&["`request_availability` is `NaN`, not a finite number"]);
    assert!(!out.exists());
}
