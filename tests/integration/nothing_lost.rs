//! Nothing lost: a command that fails writes no file, not even a part of
//! one; files already in an output directory that the command does not
//! write stay as they were; the scenario file is never changed.

use std::ffi::OsStr;
use std::path::Path;

use crate::support::{TempDir, TempFile, bundled_scenarios, nines};

fn node_loss() -> std::path::PathBuf {
    bundled_scenarios()
        .into_iter()
        .find(|p| p.ends_with("node-loss.yaml"))
        .expect("bundled")
}

fn args<'a>(list: &'a [&'a OsStr]) -> Vec<&'a OsStr> {
    list.to_vec()
}

#[test]
fn a_run_that_fails_writes_neither_its_report_nor_its_trace() {
    let dir = TempDir::new("lost-run");
    let (out, trace) = (dir.path.join("out"), dir.path.join("events.csv"));
    let scenario = node_loss();
    let outcome = nines(&args(&[
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--trace"),
        trace.as_os_str(),
        OsStr::new("--max-events"),
        OsStr::new("3"),
    ]));
    outcome.bad_input(&["event budget of 3 events", "`--max-events`"]);
    assert!(dir.entries().is_empty(), "left: {:?}", dir.entries());
}

#[test]
fn a_run_of_many_seeds_that_fails_writes_nothing() {
    let dir = TempDir::new("lost-seeds");
    let out = dir.path.join("out");
    let scenario = node_loss();
    nines(&args(&[
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--seeds"),
        OsStr::new("3"),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--max-events"),
        OsStr::new("3"),
    ]))
    .bad_input(&["event budget"]);
    assert!(dir.entries().is_empty(), "left: {:?}", dir.entries());
}

#[test]
fn a_sweep_with_a_bad_point_or_a_runaway_run_writes_nothing() {
    let dir = TempDir::new("lost-sweep");
    let out = dir.path.join("out");
    let scenario = node_loss();
    for extra in [
        ["--vary", "workloads.web.replicas=2,many"],
        ["--max-events", "3"],
    ] {
        let mut list = vec![
            OsStr::new("sweep"),
            scenario.as_os_str(),
            OsStr::new("--vary"),
            OsStr::new("workloads.web.minReady=1,2"),
            OsStr::new("--out"),
            out.as_os_str(),
        ];
        list.extend(extra.iter().map(OsStr::new));
        nines(&list).bad_input(&[]);
        assert!(dir.entries().is_empty(), "left: {:?}", dir.entries());
    }
}

#[test]
fn a_report_with_a_bad_scenario_writes_no_page() {
    let dir = TempDir::new("lost-report");
    let scenarios = dir.path.join("scenarios");
    std::fs::create_dir(&scenarios).expect("create");
    std::fs::copy(node_loss(), scenarios.join("a.yaml")).expect("copy");
    std::fs::write(scenarios.join("b.yaml"), "name: b\nduration: 1x\n").expect("write");
    let out = dir.path.join("out");
    nines(&args(&[
        OsStr::new("report"),
        scenarios.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
    ]))
    .bad_input(&["error[E003]", "b.yaml:2:11"]);
    assert!(
        !out.exists(),
        "left: {:?}",
        crate::support::file_names(&out)
    );
}

/// Every file under `dir`, with its contents.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    (crate::support::files_under(dir).into_iter())
        .map(|name| {
            let contents = std::fs::read(dir.join(&name)).expect("readable");
            (name.display().to_string(), contents)
        })
        .collect()
}

#[test]
fn unrelated_files_in_an_output_directory_stay_as_they_were() {
    let scenario = node_loss();
    let runs: [&[&str]; 3] = [
        &["run", "--out"],
        &["sweep", "--vary", "workloads.web.replicas=2,3", "--out"],
        &["report", "--out"],
    ];
    for command in runs {
        let dir = TempDir::new("lost-unrelated");
        std::fs::create_dir_all(dir.path.join("notes")).expect("create");
        std::fs::write(dir.path.join("README.txt"), "mine\n").expect("write");
        std::fs::write(dir.path.join("notes/plan.md"), "keep me\n").expect("write");
        let before = snapshot(&dir.path);
        let (name, rest) = command.split_first().expect("a command");
        let mut list = vec![OsStr::new(name), scenario.as_os_str()];
        list.extend(rest.iter().map(OsStr::new));
        list.push(dir.path.as_os_str());
        let outcome = nines(&list);
        assert_eq!(outcome.code, Some(0), "{command:?}: {}", outcome.stderr);
        let after = snapshot(&dir.path);
        for file in &before {
            assert!(after.contains(file), "{command:?} changed {}", file.0);
        }
        assert!(after.len() > before.len(), "{command:?} wrote nothing");
    }
}

#[test]
fn no_command_changes_the_scenario_file() {
    let original = std::fs::read(node_loss()).expect("bundled");
    let file = TempFile::new("lost-scenario", &original);
    let dir = TempDir::new("lost-scenario-out");
    let modified = || {
        std::fs::metadata(&file.path)
            .and_then(|m| m.modified())
            .ok()
    };
    let before = modified();
    let name = file.name();
    let out = dir.path.join("out").display().to_string();
    let trace = dir.path.join("t.csv").display().to_string();
    let commands: [&[&str]; 6] = [
        &["validate", &name],
        &["run", &name, "--out", &out, "--trace", &trace],
        &[
            "run",
            &name,
            "--set",
            "workloads.web.replicas=5",
            "--seeds",
            "2",
        ],
        &["check", &name],
        &["sweep", &name, "--vary", "workloads.web.replicas=2,3"],
        &["report", &name, "--out", &out],
    ];
    for command in commands {
        let outcome = nines(command);
        assert!(
            matches!(outcome.code, Some(0 | 1)),
            "{command:?}: {}",
            outcome.stderr
        );
        assert!(
            std::fs::read(&file.path).expect("still there") == original,
            "{command:?} changed the scenario"
        );
        assert_eq!(modified(), before, "{command:?} touched the scenario");
    }
}

#[test]
fn a_trace_written_into_the_output_directory_is_whole() {
    // `--trace DIR/events.csv` with `--out DIR`: two writers of one file
    // as the run goes, each into a temporary file of its own.
    let dir = TempDir::new("lost-same-trace");
    let scenario = node_loss();
    let (out, alone) = (dir.path.join("out"), dir.path.join("alone.csv"));
    let into_out = out.join("events.csv");
    let both = nines(&args(&[
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--out"),
        out.as_os_str(),
        OsStr::new("--trace"),
        into_out.as_os_str(),
    ]));
    assert_eq!(both.code, Some(0), "{}", both.stderr);
    let single = nines(&args(&[
        OsStr::new("run"),
        scenario.as_os_str(),
        OsStr::new("--trace"),
        alone.as_os_str(),
    ]));
    assert_eq!(single.code, Some(0), "{}", single.stderr);
    let read = |p: &Path| std::fs::read_to_string(p).expect("written");
    assert_eq!(read(&into_out), read(&alone));
    let names = crate::support::file_names(&out);
    assert!(
        names.iter().all(|n| !n.contains(".tmp-")),
        "left: {names:?}"
    );
}
