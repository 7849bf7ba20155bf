//! `nines check`, the CI gate: its verdicts, exit codes and JUnit XML.

use crate::support::nines_bin;

/// A scenario file in a fresh directory of its own.
fn scenario_dir(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nines-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
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
    std::fs::remove_dir_all(&dir).expect("removable");
}
