//! Bad input is answered with exit code 2, nothing on stdout, and a stderr
//! that names the file, the `line:column` where the problem has a place, and
//! the field path or the offending value (DESIGN "Principles: Clear errors").
//! Each scenario is written to its own temporary file and given to both
//! `nines run` and `nines validate`.

use std::ffi::OsStr;
use std::time::Duration;

use crate::support::{Outcome, TempDir, TempFile, bundled_scenarios, nines, nines_bounded};

/// A small valid scenario; the tests edit it. Line numbers used below:
/// 2 `duration`, 6 `count`, 7 `allocatable`, 10 `replicas`,
/// 11 `readinessProbe`, 13 `workload`, 14 `rate`; appended lines start at 15.
const BASE: &str = r#"name: t
duration: 1h
cluster:
  nodePools:
    - name: workers
      count: 3
      allocatable: { cpu: "4", memory: 16Gi }
workloads:
  - name: web
    replicas: 3
    readinessProbe: { httpGet: { port: 8080 }, periodSeconds: 5 }
traffic:
  - workload: web
    rate: 300
"#;

/// `BASE` with `from` replaced by `to`; fails if `from` is not in it.
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "`{from}` is not in the base scenario");
    BASE.replacen(from, to, 1)
}

/// `BASE` followed by more lines, the first of them line 15.
fn append(more: &str) -> String {
    format!("{BASE}{more}")
}

/// Writes `text` to a temp file and checks that `nines run` and `nines
/// validate` both reject it. `place` is the expected `line:column` (or `line`)
/// after the file name, `None` where the problem has no place in the file.
fn rejected(test: &str, text: &str, place: Option<&str>, needles: &[&str]) -> Vec<Outcome> {
    let file = TempFile::new(test, text);
    let located = match place {
        Some(place) => format!("{}:{place}", file.name()),
        None => file.name(),
    };
    let mut all: Vec<&str> = vec![&located];
    all.extend_from_slice(needles);
    ["run", "validate"]
        .into_iter()
        .map(|command| {
            let outcome = nines(&[OsStr::new(command), file.path.as_os_str()]);
            outcome.bad_input(&all);
            outcome
        })
        .collect()
}

// 1. YAML syntax errors name the line.

#[test]
fn unclosed_bracket_names_its_line() {
    rejected(
        "unclosed-bracket",
        &append("faults: [\n"),
        Some("15:9"),
        &["`faults`", "unclosed bracket"],
    );
}

#[test]
fn unclosed_bracket_in_a_value_names_its_line() {
    rejected(
        "unclosed-rate",
        &edit("rate: 300", "rate: [300"),
        Some("14:5"),
        &["`traffic[0].rate`"],
    );
}

#[test]
fn bad_indentation_names_its_line() {
    rejected(
        "bad-indentation",
        &edit("    replicas: 3", "      replicas: 3"),
        Some("10:15"),
        &["workloads[0]", "mapping values are not allowed"],
    );
}

#[test]
fn syntax_errors_show_no_unknown_path_segment() {
    for outcome in rejected(
        "indent-path",
        &edit("    replicas: 3", "      replicas: 3"),
        Some("10:15"),
        &[],
    ) {
        assert!(!outcome.stderr.contains('?'), "{}", outcome.stderr);
    }
    for outcome in rejected(
        "duplicate-key-path",
        &append("name: again\n"),
        Some("15:1"),
        &[],
    ) {
        assert!(!outcome.stderr.contains("`?`"), "{}", outcome.stderr);
    }
}

#[test]
fn duplicate_key_is_named_without_library_advice() {
    for outcome in rejected(
        "duplicate-key",
        &append("name: again\n"),
        Some("15:1"),
        &["duplicate", "name"],
    ) {
        assert!(
            !outcome.stderr.contains("DuplicateKeyPolicy"),
            "{}",
            outcome.stderr
        );
    }
}

// 2. Unknown fields name the path and suggest the closest valid name.

#[test]
fn unknown_field_suggests_the_closest() {
    rejected(
        "unknown-field",
        &edit("replicas: 3", "replicsa: 3"),
        Some("10:5"),
        &[
            "replicsa",
            "`workloads[0].replicsa`",
            "did you mean `replicas`",
        ],
    );
}

#[test]
fn unknown_field_in_a_probe_suggests_the_closest() {
    rejected(
        "unknown-probe-field",
        &edit("periodSeconds: 5", "perodSeconds: 5"),
        Some("11:48"),
        &[
            "`workloads[0].readinessProbe.perodSeconds`",
            "did you mean `periodSeconds`",
        ],
    );
}

// 3. Bad units quote the value.

#[test]
fn duration_with_an_unknown_unit() {
    rejected(
        "duration-1x",
        &edit("duration: 1h", "duration: 1x"),
        Some("2:11"),
        &["`duration`", "`1x`"],
    );
}

#[test]
fn duration_without_a_unit() {
    rejected(
        "duration-30",
        &edit("duration: 1h", "duration: 30"),
        Some("2:11"),
        &["`duration`", "`30`", "no unit"],
    );
}

#[test]
fn quantity_with_an_unknown_suffix() {
    rejected(
        "cpu-4x",
        &edit(r#"cpu: "4""#, "cpu: 4x"),
        Some("7:27"),
        &["`cluster.nodePools[0].allocatable.cpu`", "`4x`"],
    );
}

#[test]
fn bad_rate_and_percentage_are_quoted() {
    rejected(
        "rate-negative",
        &edit("rate: 300", "rate: -1"),
        Some("14:11"),
        &["`traffic[0].rate`", "`-1`"],
    );
    rejected(
        "percent-200",
        &append("slo:\n  requestAvailability: 200%\n"),
        Some("16:24"),
        &["`slo.requestAvailability`", "`200%`"],
    );
}

#[test]
fn negative_count_is_quoted() {
    rejected(
        "replicas-negative",
        &edit("replicas: 3", "replicas: -1"),
        Some("10:15"),
        &["`workloads[0].replicas`", "`-1`"],
    );
}

// 4. Negative or zero durations and periods.

#[test]
fn negative_duration() {
    rejected(
        "duration-negative",
        &edit("duration: 1h", "duration: -5m"),
        Some("2:11"),
        &["`duration`", "`-5m`", "negative"],
    );
}

#[test]
fn zero_duration() {
    rejected(
        "duration-zero",
        &edit("duration: 1h", "duration: 0s"),
        Some("2:11"),
        &["`duration`", "`0s`", "greater than zero"],
    );
}

#[test]
fn zero_probe_period() {
    rejected(
        "period-zero",
        &edit("periodSeconds: 5", "periodSeconds: 0"),
        Some("11:63"),
        &["`workloads[0].readinessProbe.periodSeconds`", "at least 1"],
    );
}

#[test]
fn zero_mtbf() {
    rejected(
        "mtbf-zero",
        &append("faults:\n  - podCrash: { workload: web, mtbf: 0s }\n"),
        Some("16:38"),
        &["`faults[0].podCrash.mtbf`", "`0s`"],
    );
}

// 5. Unknown references name the value and suggest a valid one.

#[test]
fn unknown_node() {
    rejected(
        "unknown-node",
        &append("faults:\n  - at: 10m\n    nodeCrash: { node: workers-9 }\n"),
        Some("17:24"),
        &[
            "`faults[0].nodeCrash.node`",
            "unknown node `workers-9`",
            "did you mean `workers-",
        ],
    );
}

#[test]
fn unknown_workload_in_traffic_suggests_the_closest() {
    rejected(
        "unknown-traffic-workload",
        &edit("workload: web", "workload: wbe"),
        Some("13:15"),
        &[
            "`traffic[0].workload`",
            "unknown workload `wbe`",
            "did you mean `web`",
        ],
    );
}

#[test]
fn unknown_workload_in_a_fault_lists_the_valid_ones() {
    rejected(
        "unknown-fault-workload",
        &append("faults:\n  - at: 10m\n    podCrash: {workload: nope}\n"),
        Some("17:26"),
        &[
            "`faults[0].podCrash.workload`",
            "unknown workload `nope`",
            "`web`",
        ],
    );
}

// Semantic errors have a place in the file too.

#[test]
fn semantic_errors_name_their_line() {
    rejected(
        "pool-count-zero",
        &edit("count: 3", "count: 0"),
        Some("6:"),
        &["`cluster.nodePools[0].count`"],
    );
    rejected(
        "probe-without-handler",
        &edit("httpGet: { port: 8080 }, ", ""),
        Some("11:"),
        &["`workloads[0].readinessProbe`", "handler"],
    );
    rejected(
        "fault-without-trigger",
        &append("faults:\n  - nodeCrash: { node: workers-1 }\n"),
        Some("16:"),
        &["`faults[0]`", "`at`"],
    );
    rejected(
        "fault-with-two-kinds",
        &append(
            "faults:\n  - at: 1m\n    nodeCrash: { node: workers-1 }\n    podCrash: { workload: web }\n",
        ),
        Some("16:"),
        &["`faults[0]`", "exactly one kind"],
    );
}

// 6. Empty files.

#[test]
fn empty_file_says_the_scenario_is_empty() {
    rejected("empty", "", None, &["the scenario is empty"]);
}

#[test]
fn comments_only_file_says_the_scenario_is_empty() {
    rejected(
        "comments-only",
        "# a scenario, one day\n\n   # nothing yet\n---\n",
        None,
        &["the scenario is empty"],
    );
}

// 7. Every independent semantic error is reported.

#[test]
fn independent_errors_are_all_reported() {
    let text = edit("replicas: 3\n", "replicas: 3\n    minReady: 5\n")
        + "faults:\n  - at: 10m\n    nodeCrash: { node: workers-9 }\n";
    for outcome in rejected(
        "several-errors",
        &text,
        None,
        &[
            ":11:15: `workloads[0].minReady`: 5 is more than the 3 replicas",
            ":18:24: `faults[0].nodeCrash.node`: unknown node `workers-9`",
            "2 errors in",
        ],
    ) {
        assert_eq!(
            outcome.stderr.matches("more than the 3 replicas").count(),
            1,
            "{}",
            outcome.stderr
        );
        assert_eq!(
            outcome.stderr.matches("unknown node").count(),
            1,
            "{}",
            outcome.stderr
        );
    }
}

// 8. Files that cannot be read.

#[test]
fn missing_file_is_named() {
    let path = std::env::temp_dir().join(format!(
        "nines-bad-input-missing-{}.yaml",
        std::process::id()
    ));
    let shown = format!("`{}`", path.display());
    for command in ["run", "validate"] {
        nines(&[OsStr::new(command), path.as_os_str()]).bad_input(&[&shown, "No such file"]);
    }
}

#[test]
fn directory_as_scenario_is_named() {
    let dir = TempDir::new("dir-as-scenario");
    let shown = format!("`{}`", dir.path.display());
    for command in ["run", "validate"] {
        nines(&[OsStr::new(command), dir.path.as_os_str()]).bad_input(&[&shown]);
    }
}

#[test]
fn non_utf8_file_is_named() {
    let file = TempFile::new("non-utf8", b"name: \xff\xfe\n");
    let shown = format!("error[E001]: {}:1:7: ", file.name());
    for command in ["run", "validate"] {
        nines(&[OsStr::new(command), file.path.as_os_str()]).bad_input(&[&shown, "UTF-8"]);
    }
}

#[test]
fn a_cause_is_printed_once() {
    let path = std::env::temp_dir().join(format!(
        "nines-bad-input-cause-once-{}.yaml",
        std::process::id()
    ));
    let outcome = nines(&[OsStr::new("run"), path.as_os_str()]);
    outcome.bad_input(&["No such file"]);
    assert_eq!(
        outcome.stderr.matches("No such file").count(),
        1,
        "{}",
        outcome.stderr
    );
}

// 9. Usage errors.

#[test]
fn usage_errors_exit_2() {
    let valid = TempFile::new("usage", BASE);
    let file = valid.name();
    nines(&["run"]).bad_input(&["<SCENARIO>"]);
    nines(&["validate"]).bad_input(&["<SCENARIOS>"]);
    nines(&["run", &file, "--format", "xml"]).bad_input(&["'xml'", "--format"]);
    nines(&["run", &file, "--seed", "abc"]).bad_input(&["abc", "--seed"]);
    nines(&["run", &file, "--no-such-flag"]).bad_input(&["--no-such-flag"]);
    nines(&["frobnicate"]).bad_input(&["frobnicate"]);
    nines::<&str>(&[]).bad_input(&["Usage"]);
}

// 10. `nines` never panics, whatever the input.

#[test]
fn odd_inputs_never_panic() {
    let inputs: Vec<(&str, String)> = vec![
        ("scalar", "hello\n".into()),
        ("sequence", "- a\n- b\n".into()),
        ("document-marker-only", "---\n".into()),
        ("null", "~\n".into()),
        ("nan-rate", edit("rate: 300", "rate: .nan")),
        ("infinite-rate", edit("rate: 300", "rate: .inf")),
        (
            "huge-duration",
            edit("duration: 1h", "duration: 99999999999999d"),
        ),
        (
            "huge-integer",
            edit("replicas: 3", "replicas: 99999999999999999999999"),
        ),
        ("float-replicas", edit("replicas: 3", "replicas: 2.5")),
        ("string-replicas", edit("replicas: 3", "replicas: three")),
        ("empty-name", edit("name: t", "name: ''")),
        (
            "no-workloads",
            edit("  - name: web\n    replicas: 3\n", "  []\n"),
        ),
        (
            "reversed-uniform",
            edit(
                "replicas: 3\n",
                "replicas: 3\n    app: { startup: { uniform: [30s, 10s] } }\n",
            ),
        ),
        (
            "negative-sigma",
            edit(
                "replicas: 3\n",
                "replicas: 3\n    app: { startup: { lognormal: { median: 8s, sigma: -1 } } }\n",
            ),
        ),
        (
            "zero-weibull-shape",
            edit(
                "replicas: 3\n",
                "replicas: 3\n    app: { startup: { weibull: { scale: 30d, shape: 0 } } }\n",
            ),
        ),
        (
            "unknown-distribution",
            edit(
                "replicas: 3\n",
                "replicas: 3\n    app: { startup: { gaussian: 8s } }\n",
            ),
        ),
        (
            "unordered-steps",
            edit(
                "rate: 300",
                "rate: { steps: [ { at: 10m, rate: 1 }, { at: 5m, rate: 2 } ] }",
            ),
        ),
        ("empty-steps", edit("rate: 300", "rate: { steps: [] }")),
        (
            "mtbf-with-at",
            append("faults:\n  - at: 1m\n    podCrash: { workload: web, mtbf: 7d }\n"),
        ),
        (
            "node-and-pool",
            append("faults:\n  - at: 1m\n    nodeCrash: { node: workers-1, pool: workers }\n"),
        ),
        (
            "stochastic-without-repair",
            append("faults:\n  - nodeCrash: { pool: workers, mtbf: 30d }\n"),
        ),
        ("binary", "\u{0}\u{1}\u{2}: [\n".into()),
        ("anchor-loop", "a: &a [*a]\n".into()),
    ];
    for (test, text) in inputs {
        let file = TempFile::new(test, &text);
        for command in ["run", "validate"] {
            let outcome = nines(&[OsStr::new(command), file.path.as_os_str()]);
            outcome.bad_input(&[&file.name()]);
        }
    }
}

#[test]
#[cfg(unix)]
fn huge_node_count_is_refused() {
    let file = TempFile::new("huge-count", edit("count: 3", "count: 4000000000"));
    for command in ["validate", "run"] {
        nines_bounded(
            "huge-count",
            &[OsStr::new(command), file.path.as_os_str()],
            Duration::from_secs(10),
        )
        .bad_input(&[
            &format!("{}:6:", file.name()),
            "`cluster.nodePools[0].count`",
        ]);
    }
}

#[test]
#[cfg(unix)]
fn huge_replica_count_is_refused() {
    let file = TempFile::new("huge-replicas", edit("replicas: 3", "replicas: 1000000000"));
    for command in ["validate", "run"] {
        nines_bounded(
            "huge-replicas",
            &[OsStr::new(command), file.path.as_os_str()],
            Duration::from_secs(10),
        )
        .bad_input(&[&format!("{}:10:", file.name()), "`workloads[0].replicas`"]);
    }
}

// 11. Output files are written whole or not at all.

#[test]
fn trace_into_a_missing_directory() {
    let scenario = TempFile::new("trace-missing-dir", BASE);
    let dir = TempDir::new("trace-missing-dir");
    let trace = dir.path.join("no-such-dir").join("events.csv");
    nines(&[
        OsStr::new("run"),
        scenario.path.as_os_str(),
        OsStr::new("--trace"),
        trace.as_os_str(),
    ])
    .bad_input(&[&format!("`{}`", trace.display())]);
    assert!(!trace.exists());
    assert!(dir.entries().is_empty(), "left behind: {:?}", dir.entries());
}

#[test]
fn trace_onto_a_directory_leaves_nothing_behind() {
    let scenario = TempFile::new("trace-onto-dir", BASE);
    let dir = TempDir::new("trace-onto-dir");
    let target = dir.path.join("events.csv");
    std::fs::create_dir(&target).expect("create");
    nines(&[
        OsStr::new("run"),
        scenario.path.as_os_str(),
        OsStr::new("--trace"),
        target.as_os_str(),
    ])
    .bad_input(&[&format!("`{}`", target.display())]);
    assert_eq!(
        dir.entries(),
        ["events.csv"],
        "a partial file was left behind"
    );
}

#[test]
fn trace_is_not_created_for_a_bad_scenario() {
    let scenario = TempFile::new("trace-bad-scenario", edit("duration: 1h", "duration: 1x"));
    let dir = TempDir::new("trace-bad-scenario");
    let trace = dir.path.join("events.csv");
    nines(&[
        OsStr::new("run"),
        scenario.path.as_os_str(),
        OsStr::new("--trace"),
        trace.as_os_str(),
    ])
    .bad_input(&[&format!("{}:2:11", scenario.name())]);
    assert!(dir.entries().is_empty(), "created: {:?}", dir.entries());
}

// 12. Sanity: valid input is accepted.

#[test]
fn valid_scenario_runs_and_validates() {
    let file = TempFile::new("valid", BASE);
    let run = nines(&[OsStr::new("run"), file.path.as_os_str()]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(!run.stdout.is_empty());
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let validate = nines(&[OsStr::new("validate"), file.path.as_os_str()]);
    assert_eq!(validate.code, Some(0), "stderr:\n{}", validate.stderr);
    assert_eq!(validate.stdout, format!("{}: ok (t)\n", file.name()));
    assert!(validate.stderr.is_empty(), "{}", validate.stderr);
}

#[test]
fn valid_trace_is_written_whole() {
    let scenario = TempFile::new("valid-trace", BASE);
    let dir = TempDir::new("valid-trace");
    let trace = dir.path.join("events.csv");
    let run = nines(&[
        OsStr::new("run"),
        scenario.path.as_os_str(),
        OsStr::new("--trace"),
        trace.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert_eq!(dir.entries(), ["events.csv"]);
    let csv = std::fs::read_to_string(&trace).expect("the trace");
    assert!(csv.starts_with("time_s,kind,name,reason,message"), "{csv}");
}

#[test]
fn validate_reports_each_file() {
    let good = TempFile::new("validate-each-good", BASE);
    let bad = TempFile::new("validate-each-bad", edit("duration: 1h", "duration: 1x"));
    let outcome = nines(&[
        OsStr::new("validate"),
        good.path.as_os_str(),
        bad.path.as_os_str(),
    ]);
    assert_eq!(outcome.code, Some(2), "stderr:\n{}", outcome.stderr);
    assert_eq!(outcome.stdout, format!("{}: ok (t)\n", good.name()));
    assert!(
        outcome.stderr.contains(&format!("{}:2:11", bad.name())),
        "{}",
        outcome.stderr
    );
}

#[test]
fn every_bundled_scenario_validates() {
    let paths = bundled_scenarios();
    assert!(!paths.is_empty(), "no bundled scenarios");
    let mut args = vec![OsStr::new("validate")];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let outcome = nines(&args);
    assert_eq!(outcome.code, Some(0), "stderr:\n{}", outcome.stderr);
    assert!(outcome.stderr.is_empty(), "{}", outcome.stderr);
    for path in &paths {
        assert!(
            outcome
                .stdout
                .contains(&format!("{}: ok (", path.display())),
            "`{}` not reported ok:\n{}",
            path.display(),
            outcome.stdout
        );
    }
}

// 13. A reader that stops early (`nines run … | head`) is not a panic.

/// Runs `nines` with a reader that is gone before it writes a byte: its
/// exit code and what it said on stderr.
fn with_closed_stdout<S: AsRef<OsStr>>(args: &[S]) -> (Option<i32>, String) {
    let mut child = crate::support::nines_bin()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn a_closed_stdout_is_not_a_panic_and_the_files_are_still_written() {
    let file = TempFile::new("closed-stdout", BASE);
    let dir = TempDir::new("closed-stdout");
    let trace = dir.path.join("events.csv");
    let (code, stderr) = with_closed_stdout(&[
        OsStr::new("run"),
        file.path.as_os_str(),
        OsStr::new("--trace"),
        trace.as_os_str(),
    ]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(trace.exists(), "the trace is written all the same");
}

#[test]
fn a_closed_stdout_ends_schema_quietly() {
    // As under `nines schema | head`: the reader is gone, nothing is wrong.
    for args in [&["schema"][..], &["schema", "--markdown"]] {
        let (code, stderr) = with_closed_stdout(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

// 14. A value given on the command line is named as given, not as a line
//     of the document the changes were checked in.

/// `nines ARGS` on a file of `text`: its exit code and stderr, with the
/// file's name.
fn stderr_of(test: &str, text: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let file = TempFile::new(test, text);
    let mut all = vec![OsStr::new(args[0]), file.path.as_os_str()];
    all.extend(args[1..].iter().map(OsStr::new));
    let outcome = nines(&all);
    (outcome.code, outcome.stderr, file.name())
}

#[test]
fn a_bad_value_given_with_set_names_the_argument_not_a_line_of_a_made_up_document() {
    // Was `FILE (with --set):3:15` and a snippet of a line that is neither in
    // the file nor on the command line: `3 |   "duration": "-5m",`.
    let (code, stderr, file) = stderr_of("set-negative", BASE, &["run", "--set", "duration=-5m"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "error[E003]: {file}: `--set duration=-5m`: `duration`: invalid duration `-5m`: \
             durations cannot be negative\n"
        )
    );
    // A value the field cannot hold is quoted as given, not as JSON writes it.
    let (_, stderr, file) = stderr_of(
        "set-not-a-count",
        BASE,
        &["run", "--set", "workloads.web.replicas=1e3"],
    );
    assert!(
        stderr.starts_with(&format!(
            "error[E003]: {file}: `--set workloads.web.replicas=1e3`: `workloads[0].replicas`: \
             expected a whole number, zero or more, got `1e3`"
        )),
        "{stderr}"
    );
}

#[test]
fn with_a_set_a_problem_of_the_file_is_still_shown_in_the_file() {
    let (code, stderr, file) = stderr_of(
        "set-file-problem",
        &edit("duration: 1h", "duration: 1x"),
        &["run", "--set", "workloads.web.replicas=2"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error[E003]: {file}:2:11: `duration`: invalid duration `1x`"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("2 | duration: 1x\n"), "{stderr}");
    assert!(!stderr.contains("--set"), "{stderr}");
}

#[test]
fn a_problem_in_an_object_a_set_added_names_that_set() {
    // `strategy` is not in the file: the set that made it is the place.
    let (code, stderr, file) = stderr_of(
        "set-added-object",
        BASE,
        &[
            "run",
            "--set",
            "workloads.web.strategy.rollingUpdate.maxSurge=0",
            "--set",
            "workloads.web.strategy.rollingUpdate.maxUnavailable=0",
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error[E026]: {file}: `--set workloads.web.strategy.rollingUpdate.maxUnavailable=0`: "
        )),
        "{stderr}"
    );
}

#[test]
fn a_bad_value_of_a_sweep_names_its_vary() {
    let (code, stderr, file) = stderr_of(
        "vary-negative",
        BASE,
        &["sweep", "--seeds", "1", "--vary", "duration=-5m,1h"],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error[E003]: {file}: `--vary duration=-5m`: `duration`: invalid duration `-5m`"
        )),
        "{stderr}"
    );
}
