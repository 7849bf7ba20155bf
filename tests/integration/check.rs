//! `nines check`, the CI gate: its verdicts, exit codes and JUnit XML.

use crate::support::{nines_bin, scratch_dir};

/// A scenario file in a fresh directory of its own.
fn scenario_dir(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = scratch_dir(&format!("check-{name}"));
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("writable");
    }
    dir
}

fn web(slo: &str) -> String {
    format!(
        "name: web
duration: 1h
seed: 3
cluster:
  nodePools: [ {{ name: w, count: 2, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads: [ {{ name: web, replicas: 1 }} ]
traffic: [ {{ workload: web, rate: 10 }} ]
faults: [ {{ at: 10m, nodeCrash: {{ node: w-1 }} }} ]
slo: {slo}
"
    )
}

#[test]
fn every_bundled_scenario_passes_the_gate() {
    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let out = nines_bin()
        .arg("check")
        .arg(&scenarios)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("pitfall: SLO missed, as it should be"));
}

#[test]
fn a_missed_slo_exits_1_with_the_figures_and_how_to_reproduce() {
    // One replica on a node that crashes: down for minutes, far below 99.99 %.
    let dir = scenario_dir(
        "missed",
        &[
            ("bad.yaml", &web("{ uptime: 99.99% }")),
            ("pitfall.yaml", &web("{ uptime: 99.99%, expect: violated }")),
        ],
    );
    let junit = dir.join("report.xml");
    let out = nines_bin()
        .arg("check")
        .arg(&dir)
        .arg("--junit")
        .arg(&junit)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL") && stdout.contains("bad.yaml"),
        "{stdout}"
    );
    assert!(stdout.contains("MISS uptime"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "reproduce: nines run {} --seed 3",
            dir.join("bad.yaml").display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS") && stdout.contains("pitfall.yaml"),
        "{stdout}"
    );
    assert!(stdout.contains("1 of 2 scenarios as expected"), "{stdout}");
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert!(xml.starts_with("<?xml"));
    assert!(
        xml.contains(r#"<testsuites name="nines check" tests="2" failures="1">"#),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("uptime: "), "{xml}");
    std::fs::remove_dir_all(&dir).expect("removable");
}

#[test]
fn bad_input_exits_2_and_the_others_still_run() {
    let dir = scenario_dir(
        "bad",
        &[
            ("good.yaml", &web("{ uptime: 80% }")),
            ("broken.yaml", "name: broken\nduration: soon\n"),
        ],
    );
    let out = nines_bin().arg("check").arg(&dir).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("broken.yaml"), "{stderr}");
    assert!(
        stdout.contains("PASS") && stdout.contains("good.yaml"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 of 1 scenarios as expected; 1 not checked: bad input, see above\n"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).expect("removable");
}

#[test]
fn many_seeds_give_the_same_summary_for_any_number_of_jobs() {
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/pod-crash.yaml");
    let json = |jobs: &str| {
        let out = nines_bin()
            .args(["run", "--seeds", "12", "--jobs", jobs, "--format", "json"])
            .arg(&scenario)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stderr.is_empty(), "no progress bar off a terminal");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let one = json("1");
    assert_eq!(one, json("2"));
    assert_eq!(one, json("5"));
    let v: serde_json::Value = serde_json::from_str(&one).expect("JSON");
    assert_eq!(v["runs"], 12);
    let a = &v["availability"]["requests"];
    for key in ["mean", "p5", "p50", "p95", "min", "max"] {
        assert!(a[key].is_f64(), "{key}: {a}");
    }
    let (lo, hi) = (
        a["ci95"][0].as_f64().unwrap_or(2.0),
        a["ci95"][1].as_f64().unwrap_or(0.0),
    );
    let mean = a["mean"].as_f64().unwrap_or(-1.0);
    assert!(lo <= mean && mean <= hi, "{a}");
    assert!(v["slo"]["probability_met"].is_f64());
}

#[test]
fn the_95_interval_covers_the_true_mean_95_times_in_100() {
    // The API is down for exactly 1 h after exponential up times of mean
    // m = 1 d: an alternating renewal process started up. Its expected up
    // fraction over T is 1 − p_d + p_d·p_u·d/(2T) (p_d = d/(m + d); the last
    // term, 2e-6 here, is the head start of beginning up), so the truth is
    // known. Each run's availability sums ~350 cycles, close to normal, so
    // Student's t on 5 runs covers it with probability 0.95: over 400
    // disjoint batches the count of covering intervals is Binomial(400,
    // 0.95), mean 380, sd 4.36. Within 3.5 sd, [365, 395], a 90 % or a 99 %
    // interval (means 360 and 396), or z in place of t (about 88 %), fails.
    let s = crate::support::scenario(
        "name: api-renewal
duration: 365d
cluster:
  controlPlane: { apiServers: 1, etcdMembers: 1 }
  nodePools:
    - name: workers
      count: 1
      allocatable: { cpu: \"4\", memory: 16Gi }
workloads:
  - name: web
    replicas: 1
    resources: { requests: { cpu: 250m, memory: 256Mi } }
traffic:
  - workload: web
    rate: 1
faults:
  - apiServerDown: { mtbf: 1d, duration: 1h }
",
    );
    let (m, d, t) = (86_400.0, 3_600.0, 365.0 * 86_400.0);
    let (p_down, p_up) = (d / (m + d), m / (m + d));
    let truth = 1.0 - p_down + p_down * p_up * d / (2.0 * t);
    let (batches, per_batch) = (400, 5);
    let options = nines::RunOptions::new(1);
    let outputs = nines::experiment::run_seeds(&s, 1, batches * per_batch, 2, &options, &|_| {})
        .expect("runs");
    let availability: Vec<f64> = outputs
        .iter()
        .map(|o| o.report.control_plane.availability)
        .collect();
    let covering = availability
        .chunks(per_batch)
        .filter(|batch| {
            let ci = nines::experiment::Summary::of(batch).ci95;
            ci[0] <= truth && truth <= ci[1]
        })
        .count();
    assert!(
        (365..=395).contains(&covering),
        "{covering} of {batches} intervals cover {truth}"
    );
    let all = nines::experiment::Summary::of(&availability);
    assert!(
        all.ci95[0] <= truth && truth <= all.ci95[1],
        "the mean of all {} runs: {all:?} against {truth}",
        availability.len()
    );
}

#[test]
fn the_mean_over_seeds_matches_the_runs_one_by_one() {
    // The library's summary of 8 seeds against the same 8 runs done alone.
    let s = nines::scenario::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-failures-30d.yaml"),
    )
    .expect("bundled");
    let options = nines::RunOptions::new(100);
    let outputs = nines::experiment::run_seeds(&s, 100, 8, 2, &options, &|_| {}).expect("runs");
    let alone: Vec<f64> = (100..108)
        .map(|seed| {
            nines::run(&s, &nines::RunOptions::new(seed))
                .expect("runs")
                .report
                .requests
                .failed as f64
        })
        .collect();
    let together: Vec<f64> = outputs
        .iter()
        .map(|o| o.report.requests.failed as f64)
        .collect();
    assert_eq!(alone, together);
    let reports: Vec<_> = outputs.into_iter().map(|o| o.report).collect();
    let aggregate = nines::report::AggregateReport::new(100, &reports);
    let mean = alone.iter().sum::<f64>() / 8.0;
    assert!((aggregate.requests.failed.mean - mean).abs() < 1e-9);
}

#[test]
fn a_check_over_seeds_wants_the_interval_past_the_target() {
    // One replica on a node that crashes at 10 min: it is replaced about 6
    // minutes later, so uptime varies by seed around 90 %. 80 % is met with
    // confidence; 99.9 % is not.
    let dir = scenario_dir(
        "seeds",
        &[
            ("easy.yaml", &web("{ uptime: 80% }")),
            ("hard.yaml", &web("{ uptime: 99.9% }")),
        ],
    );
    let out = nines_bin()
        .args(["check", "--seeds", "10"])
        .arg(&dir)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("PASS") && stdout.contains("easy.yaml"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL") && stdout.contains("hard.yaml"),
        "{stdout}"
    );
    assert!(stdout.contains("95 % interval"), "{stdout}");
    assert!(stdout.contains("reproduce a miss: nines run"), "{stdout}");
    std::fs::remove_dir_all(&dir).expect("removable");
}

#[test]
fn set_changes_a_field_before_the_run_and_names_a_bad_path() {
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-loss.yaml");
    let json = |sets: &[&str]| {
        let mut cmd = nines_bin();
        cmd.args(["run", "--format", "json"]).arg(&scenario);
        for s in sets {
            cmd.args(["--set", s]);
        }
        let out = cmd.output().expect("runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // One replica instead of three: the node loss now takes the service down.
    let (code, stdout, _) = json(&["workloads.web.replicas=1"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["incidents"].as_array().map(Vec::len), Some(1));
    let (code, _, stderr) = json(&["workloads.wbe.replicas=1"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--set workloads.wbe.replicas") && stderr.contains("did you mean `web`"),
        "{stderr}"
    );
    let (code, _, stderr) = json(&["workloads.web.replicas=abc"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("workloads[0].replicas"), "{stderr}");
}

/// A point can warn where the scenario does not: its warnings are printed,
/// once, under the point's values, and the sweep still runs.
#[test]
fn a_sweep_prints_the_warnings_a_point_adds() {
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-loss.yaml");
    let output = nines_bin()
        .args(["sweep", "--seeds", "1"])
        .arg(&scenario)
        .args(["--vary", "workloads.web.readinessProbe.timeoutSeconds=1,30"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let at = "at workloads.web.readinessProbe.timeoutSeconds=30:\nwarning[W003]";
    assert!(stderr.contains(at), "{stderr}");
    assert_eq!(stderr.matches("W003").count(), 1, "{stderr}");
    assert!(!stderr.contains("timeoutSeconds=1:"), "{stderr}");
}

/// A warning of the scenario itself is printed once, not again at each
/// point: a point's, found in the scenario changed by its `--vary`, was
/// once located in that document and so differed from the scenario's.
#[test]
fn a_sweep_prints_the_scenarios_own_warnings_once() {
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/corpus/W003-probe-timeout-over-period.yaml");
    let output = nines_bin()
        .args(["sweep", "--seeds", "1"])
        .arg(&scenario)
        .args(["--vary", "duration=1h,2h"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("warning[W003]").count(), 1, "{stderr}");
    assert!(!stderr.contains("at duration="), "{stderr}");
}

#[test]
fn a_sweep_runs_every_point_over_the_same_seeds() {
    let scenario =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-loss.yaml");
    let dir = scenario_dir("sweep", &[]);
    let sweep = |vary: &[&str], jobs: &str, out: &std::path::Path| {
        let mut cmd = nines_bin();
        cmd.args(["sweep", "--seeds", "4", "--jobs", jobs, "--out"])
            .arg(out)
            .arg(&scenario);
        for v in vary {
            cmd.args(["--vary", v]);
        }
        let status = cmd.output().expect("runs").status;
        assert_eq!(status.code(), Some(0));
        std::fs::read_to_string(out.join("sweep.csv")).expect("sweep.csv")
    };
    let csv = sweep(&["workloads.web.replicas=1,2,3"], "2", &dir.join("a"));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "a header and a row per point:\n{csv}");
    assert!(rows[0].starts_with("workloads.web.replicas,runs,request_availability_mean"));
    let availability = |row: &str| -> f64 {
        row.split(',')
            .nth(2)
            .and_then(|v| v.parse().ok())
            .expect("a figure")
    };
    assert!(availability(rows[1]) < availability(rows[2]), "{csv}");
    assert!(availability(rows[2]) < availability(rows[3]), "{csv}");
    // Common random numbers: a setting that changes nothing gives the same
    // figures at every point, and the jobs change nothing either.
    let same = sweep(&["description=one,two"], "1", &dir.join("b"));
    let rows: Vec<Vec<&str>> = same
        .lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).collect())
        .collect();
    assert_eq!(rows[0], rows[1], "{same}");
    assert_eq!(
        sweep(&["workloads.web.replicas=1,2,3"], "1", &dir.join("c")),
        csv
    );
    std::fs::remove_dir_all(&dir).expect("removable");
}

#[test]
fn common_random_numbers_leave_a_workload_alone_when_another_changes() {
    // A sweep runs every point with the same seeds. Each workload draws from
    // streams of its own, so a point that changes only `api` gives `web`
    // the same crashes, the same requests and the same figures, exactly:
    // the difference between points is the setting's, not the noise's.
    let dir = scratch_dir("crn");
    let path = dir.join("two.yaml");
    std::fs::write(
        &path,
        "name: two
duration: 6h
seed: 5
cluster:
  nodePools: [ { name: w, count: 3, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - { name: web, replicas: 2, app: { startup: 20s } }
  - { name: api, replicas: 2, app: { startup: 5s } }
traffic:
  - { workload: web, rate: 100 }
  - { workload: api, rate: 50 }
faults:
  - podCrash: { workload: web, mtbf: 30m }
  - podCrash: { workload: api, mtbf: 1h }
",
    )
    .expect("writable");
    let web = |api_replicas: u32| {
        let sets = [format!("workloads.api.replicas={api_replicas}")];
        let s = nines::scenario::load_with(&path, &sets, &nines::limits::Limits::DEFAULT)
            .expect("valid");
        let report = nines::run(&s, &nines::RunOptions::new(5))
            .expect("runs")
            .report;
        let (name, web) = &report.workloads[0];
        assert_eq!(name, "web");
        let api = report.workloads[1].1.requests.failed;
        (serde_json::to_string(web).expect("serializes"), api)
    };
    let (web2, api2) = web(2);
    let (web4, api4) = web(4);
    let restarts: serde_json::Value = serde_json::from_str(&web2).expect("JSON");
    assert!(
        restarts["restarts"].as_u64() > Some(0),
        "web's pods crashed: {web2}"
    );
    assert_eq!(web2, web4, "web's figures moved with api's replicas");
    assert_ne!(api2, api4, "api's own figures do change");
}
