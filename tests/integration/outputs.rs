//! What `run --out`, `sweep --out`, `--shard` and `merge` write: whole
//! files, the state over time at its change points, charts that are valid
//! SVG and PNG of their stated size with their titles and axis labels, and
//! shards that merge into exactly the unsharded sweep.

use std::path::{Path, PathBuf};

use crate::support::{file_names, nines_bin, scratch_dir};

fn bundled_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn nines_ok(args: &[&std::ffi::OsStr]) -> String {
    let out = nines_bin().args(args).output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A chart's SVG parses as XML, has the stated size and says `texts`; its
/// PNG decodes to the same size.
fn assert_chart(dir: &Path, name: &str, size: (u32, u32), texts: &[&str]) {
    let svg = read(&dir.join(format!("{name}.svg")));
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some(size.0.to_string().as_str()));
    assert_eq!(root.attribute("height"), Some(size.1.to_string().as_str()));
    let words: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    for text in texts {
        assert!(words.contains(text), "{name}.svg lacks `{text}`:\n{words}");
    }
    let png = std::fs::read(dir.join(format!("{name}.png"))).expect("the PNG");
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{name}.png: {e}"));
    let info = reader.info();
    assert_eq!((info.width, info.height), size, "{name}.png");
}

#[test]
fn run_out_writes_the_report_the_trace_the_state_over_time_and_the_charts() {
    let dir = scratch_dir("run-out");
    std::fs::write(dir.join("notes.md"), "mine").expect("writable");
    let stdout = nines_ok(&[
        "run".as_ref(),
        bundled_path("node-loss.yaml").as_os_str(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    assert_eq!(
        read(&dir.join("report.txt")),
        stdout,
        "report.txt is what was printed"
    );
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir.join("report.json"))).expect("report.json parses");
    assert_eq!(json["scenario"], "node-loss");
    assert_eq!(
        read(&dir.join("notes.md")),
        "mine",
        "an unrelated file stays"
    );

    // The node-loss timeline, row by row: the crash makes one of three
    // endpoints stale (a third of 300 req/s fails), kube-proxy drops it a
    // second after NodeNotReady, and the replacement's endpoint restores 3.
    let events = read(&dir.join("events.csv"));
    let at = |reason: &str| -> String {
        events
            .lines()
            .find(|l| l.split(',').nth(3) == Some(reason))
            .and_then(|l| l.split(',').next())
            .unwrap_or_else(|| panic!("no {reason} in events.csv"))
            .to_string()
    };
    let series = read(&dir.join("timeseries.csv"));
    let row = |time: &str| -> Vec<String> {
        series
            .lines()
            .find(|l| l.split(',').next() == Some(time))
            .unwrap_or_else(|| panic!("no row at {time}:\n{series}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    assert!(series.starts_with(
        "time_s,workload,serving,endpoints,desired,request_rate,error_rate,cpu_cores,memory_mib,nodes_ready,api_writable\n"
    ));
    let crash = row(&at("NodeCrash"));
    assert_eq!(crash[2..7], ["2", "3", "3", "300", "100"]);
    let not_ready = row(&at("NodeNotReady"));
    assert_eq!(not_ready[9], "2", "one node fewer Ready");
    let removed = row(&at("EndpointRemoved"));
    assert_eq!(removed[2..7], ["2", "2", "3", "300", "0"]);
    let added = row(&at("EndpointAdded"));
    assert_eq!(added[2..7], ["3", "3", "3", "300", "0"]);
    // Besides the changes, an even grid of 1,000 intervals, and the end.
    let rows = series.lines().count() - 1;
    assert!((1001..=1010).contains(&rows), "{rows} rows");
    assert!(
        series
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("3600,"))
    );

    assert_chart(
        &dir,
        "uptime",
        (1000, 262),
        &[
            "node-loss: uptime",
            "time (min)",
            "web",
            "control plane API",
        ],
    );
    assert_chart(
        &dir,
        "replicas",
        (1000, 700),
        &[
            "node-loss: pods and load",
            "pods / nodes",
            "requests (req/s)",
            "serving",
            "replicas",
            "nodes Ready",
        ],
    );
    assert_chart(
        &dir,
        "errors",
        (1000, 400),
        &[
            "node-loss: failing requests",
            "failing (req/s)",
            "time (min)",
        ],
    );
}

#[test]
fn an_incident_is_labelled_with_its_cause_on_the_uptime_chart() {
    let dir = scratch_dir("run-out-incident");
    nines_ok(&[
        "run".as_ref(),
        bundled_path("node-loss.yaml").as_os_str(),
        "--set".as_ref(),
        "workloads.web.replicas=1".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir.join("report.json"))).expect("parses");
    let cause = json["incidents"][0]["cause"].as_str().expect("an incident");
    assert_chart(&dir, "uptime", (1000, 262), &[cause, "▲ an incident"]);
}

#[test]
fn run_out_with_seeds_writes_each_run_and_the_downtime_histogram() {
    let dir = scratch_dir("seeds-out");
    nines_ok(&[
        "run".as_ref(),
        bundled_path("pod-crash.yaml").as_os_str(),
        "--seeds".as_ref(),
        "12".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    let runs = read(&dir.join("runs.csv"));
    assert!(runs.starts_with("seed,request_availability,uptime,"));
    assert_eq!(runs.lines().count(), 13, "a header and a row per seed");
    let json: serde_json::Value =
        serde_json::from_str(&read(&dir.join("report.json"))).expect("parses");
    assert_eq!(json["runs"], 12);
    // No run of pod-crash is ever down: the histogram says so, with the
    // aggregate's mean, to the tenth it prints.
    let mean = json["downtime_s"]["mean"].as_f64().expect("a mean");
    assert_eq!(mean, 0.0);
    assert_chart(
        &dir,
        "downtime",
        (900, 500),
        &[
            "pod-crash: downtime over 12 seeds",
            "downtime of a run (s)",
            "runs",
            &format!("every run {mean:.1} s"),
        ],
    );
}

fn sweep_args(scenario: &Path, seeds: &str) -> Vec<std::ffi::OsString> {
    [
        "sweep".into(),
        scenario.into(),
        "--vary".into(),
        "workloads.web.replicas=1,2,3".into(),
        "--vary".into(),
        "cluster.settings.nodeMonitorGracePeriod=20s,40s".into(),
        "--seeds".into(),
        seeds.into(),
    ]
    .to_vec()
}

#[test]
fn three_shards_merge_into_exactly_the_unsharded_sweep() {
    let dir = scratch_dir("shards");
    let scenario = bundled_path("node-loss.yaml");
    let mut whole = sweep_args(&scenario, "5");
    whole.extend(["--out".into(), dir.join("whole").into()]);
    nines_ok(&whole.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    for i in 0..3 {
        let mut shard = sweep_args(&scenario, "5");
        shard.extend([
            "--shard".into(),
            format!("{i}/3").into(),
            "--jobs".into(),
            "1".into(),
            "--out".into(),
            dir.join(format!("shard{i}")).into(),
        ]);
        nines_ok(&shard.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    }
    // Given out of order: the merge is by item, not by argument.
    nines_ok(&[
        "merge".as_ref(),
        dir.join("shard2").as_os_str(),
        dir.join("shard0").as_os_str(),
        dir.join("shard1").as_os_str(),
        "--out".as_ref(),
        dir.join("merged").as_os_str(),
    ]);
    let names = file_names(&dir.join("whole"));
    assert_eq!(
        names,
        [
            "availability-vs-cost.png",
            "availability-vs-cost.svg",
            "nines-vs-cluster-settings-nodeMonitorGracePeriod.png",
            "nines-vs-cluster-settings-nodeMonitorGracePeriod.svg",
            "nines-vs-workloads-web-replicas.png",
            "nines-vs-workloads-web-replicas.svg",
            "sweep.csv",
        ]
    );
    assert_eq!(file_names(&dir.join("merged")), names);
    for name in &names {
        let a = std::fs::read(dir.join("whole").join(name)).expect("written");
        let b = std::fs::read(dir.join("merged").join(name)).expect("written");
        assert!(a == b, "{name} differs between the sweep and the merge");
    }
    assert_chart(
        &dir.join("whole"),
        "nines-vs-workloads-web-replicas",
        (900, 520),
        &[
            "node-loss: nines against workloads.web.replicas",
            "nines (requests)",
            "nodeMonitorGracePeriod=20s",
        ],
    );
    assert_chart(
        &dir.join("whole"),
        "availability-vs-cost",
        (900, 520),
        &[
            "node-loss: nines against cost",
            "replicas (mean over the run, all workloads)",
        ],
    );

    // A missing shard is named, and nothing is written.
    let out = nines_bin()
        .args([
            "merge".as_ref(),
            dir.join("shard0").as_os_str(),
            dir.join("shard2").as_os_str(),
        ])
        .args(["--out".as_ref(), dir.join("partial").as_os_str()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shard 1 of 3 is missing"), "{stderr}");
    assert!(!dir.join("partial").exists());
}

/// Runs the two sweeps as shards 0 and 1 of 2: `merge` refuses them as
/// slices of different plans.
fn assert_shards_do_not_merge(name: &str, sweeps: [Vec<std::ffi::OsString>; 2]) {
    let dir = scratch_dir(name);
    for (i, mut shard) in sweeps.into_iter().enumerate() {
        shard.extend([
            "--shard".into(),
            format!("{i}/2").into(),
            "--out".into(),
            dir.join(format!("shard{i}")).into(),
        ]);
        nines_ok(&shard.iter().map(|a| a.as_os_str()).collect::<Vec<_>>());
    }
    let out = nines_bin()
        .args([
            "merge".as_ref(),
            dir.join("shard0").as_os_str(),
            dir.join("shard1").as_os_str(),
        ])
        .args(["--out".as_ref(), dir.join("merged").as_os_str()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("planned differently"), "{stderr}");
}

#[test]
fn shards_of_different_sweeps_do_not_merge() {
    let scenario = bundled_path("node-loss.yaml");
    let sweeps = [sweep_args(&scenario, "5"), sweep_args(&scenario, "6")];
    assert_shards_do_not_merge("shards-mixed", sweeps);
}

#[test]
fn an_exact_sweep_runs_each_point_as_run_exact_does() {
    let scenario = bundled_path("node-loss.yaml");
    let sweep = |extra: &[&str]| {
        let mut args: Vec<std::ffi::OsString> = vec![
            "sweep".into(),
            scenario.clone().into(),
            "--vary".into(),
            "workloads.web.replicas=2,3".into(),
        ];
        args.extend(extra.iter().map(Into::into));
        nines_ok(&args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>())
    };
    let exact = sweep(&["--exact"]);
    assert_ne!(exact, sweep(&[]), "--exact changes nothing");
    for (line, replicas) in exact.lines().zip(["2", "3"]) {
        let json = nines_ok(&[
            "run".as_ref(),
            scenario.as_os_str(),
            "--exact".as_ref(),
            "--set".as_ref(),
            format!("workloads.web.replicas={replicas}").as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        let failed = report["requests"]["failed"].as_u64().expect("a count");
        assert!(
            line.contains(&format!(
                "failed {}.0",
                nines::report::numbers::thousands(failed)
            )),
            "{line} against `run --exact`: {failed} failed"
        );
    }

    // A fluid shard and an exact one are not slices of one sweep.
    let mut exact = sweep_args(&scenario, "2");
    exact.push("--exact".into());
    assert_shards_do_not_merge("shards-exact", [sweep_args(&scenario, "2"), exact]);
}

#[test]
fn the_committed_reports_are_what_the_command_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = scratch_dir("reports");
    let out = nines_bin()
        .current_dir(root)
        .args([
            "report".as_ref(),
            "scenarios/".as_ref(),
            "--out".as_ref(),
            dir.as_os_str(),
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let regenerate =
        "regenerate them with `cargo run --release -- report scenarios/ --out reports/`";
    let written = crate::support::files_under(&dir);
    let committed = crate::support::files_under(&root.join("reports"));
    let missing: Vec<_> = written.iter().filter(|f| !committed.contains(f)).collect();
    let extra: Vec<_> = committed.iter().filter(|f| !written.contains(f)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "reports/ lacks {missing:?} and has {extra:?} besides: {regenerate}"
    );
    assert_eq!(
        written.len(),
        1 + 4 * crate::support::bundled_scenarios().len(),
        "an index, and a page with three charts per scenario"
    );
    for file in &written {
        let new = std::fs::read(dir.join(file)).expect("written");
        let committed = std::fs::read(root.join("reports").join(file)).expect("committed");
        assert!(
            new == committed,
            "reports/{} is stale: {regenerate}",
            file.display()
        );
    }
}

/// Two workloads, one sent five hundred million requests a second: over
/// an hour its count runs to seventeen characters, wider than the twelve
/// its column was laid out for, as a year's does.
const A_HUGE_AND_A_SMALL_WORKLOAD: &str = r#"
name: huge-and-small
duration: 1h
cluster:
  nodePools:
    - { name: workers, count: 3, allocatable: { cpu: "4", memory: 16Gi } }
workloads:
  - { name: huge, replicas: 3, app: { serviceTime: 1ms } }
  - { name: small, replicas: 1, app: { serviceTime: 1ms } }
traffic:
  - { workload: huge, rate: 500000000 }
  - { workload: small, rate: 10 }
faults:
  - at: 10m
    nodeCrash: { node: workers-1 }
"#;

#[test]
fn the_text_tables_keep_their_columns_in_line_when_a_cell_outgrows_its_width() {
    let scenario = crate::support::scenario(A_HUGE_AND_A_SMALL_WORKLOAD);
    let text = crate::support::run(&scenario, 1).text("");
    for section in ["Workloads", "Monitoring"] {
        let table: Vec<&str> = (text.lines())
            .skip_while(|l| !l.starts_with(section))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(table.len(), 3, "{section}:\n{}", table.join("\n"));
        // Every column but the first is aligned right, the last too: the
        // lines are as long as one another when the columns line up.
        let width = table[0].chars().count();
        assert!(
            table.iter().all(|l| l.chars().count() == width),
            "{section}:\n{}",
            table.join("\n")
        );
    }
    let huge = (text.lines())
        .find(|l| l.trim_start().starts_with("huge "))
        .expect("the huge workload's row");
    let requests = huge.split_whitespace().nth(1).expect("its requests");
    assert!(requests.len() > 12, "{huge}");
}
