//! A corpus of malformed scenarios under `corpus/`, a file each, named
//! after the code it must give: syntax and type errors, unknown fields, bad
//! units and quantities, zero, negative and huge values, dangling
//! references, empty, binary and non-UTF-8 files, an alias bomb, and every
//! semantic rule. Each error exits 2 within a second with its code, place
//! and words, and writes nothing, though asked for a report and a trace;
//! each warning is printed and the file still validates and runs.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nines::scenario::{Code, Severity};

use crate::support::{Outcome, TempDir, nines_bounded};

/// A corpus file, the flags it is run with, where its first problem is
/// (`LINE:COLUMN`, or empty where it has no place in the file) and words
/// the message must hold.
struct Case {
    file: &'static str,
    args: &'static [&'static str],
    place: &'static str,
    says: &'static str,
}

const fn case(file: &'static str, place: &'static str, says: &'static str) -> Case {
    Case {
        file,
        args: &[],
        place,
        says,
    }
}

const CASES: &[Case] = &[
    case(
        "E001-bad-indentation.yaml",
        "11:15",
        "mapping values are not allowed",
    ),
    case("E001-binary.yaml", "1:1", "unexpected character"),
    case("E001-not-utf8.yaml", "1:7", "not UTF-8 text"),
    case("E001-tab-indentation.yaml", "10:11", "found a tab"),
    case("E001-unclosed-bracket.yaml", "17:9", "unclosed bracket"),
    case(
        "E002-unknown-field.yaml",
        "11:5",
        "`workloads[0].replicsa`: unknown field `replicsa`",
    ),
    case(
        "E002-unknown-top-level-field.yaml",
        "17:1",
        "did you mean `slo`?",
    ),
    case(
        "E003-cpu-unknown-suffix.yaml",
        "8:27",
        "invalid quantity `4x`",
    ),
    case(
        "E003-duration-unknown-unit.yaml",
        "2:11",
        "invalid duration `1x`",
    ),
    case(
        "E003-duration-without-unit.yaml",
        "2:11",
        "`30` has no unit",
    ),
    case(
        "E003-empty-value.yaml",
        "2:1",
        "expected a duration with a unit",
    ),
    case("E003-huge-duration.yaml", "2:11", "too large"),
    case(
        "E003-huge-rate.yaml",
        "16:11",
        "more than 1e9 requests per second",
    ),
    case(
        "E003-huge-replicas.yaml",
        "11:15",
        "expected a whole number",
    ),
    case(
        "E003-list-for-a-string.yaml",
        "1:7",
        "`name`: expected string",
    ),
    case(
        "E003-memory-unknown-suffix.yaml",
        "8:40",
        "invalid quantity `16GB`",
    ),
    case("E003-nan-rate.yaml", "16:11", "expected a finite number"),
    case("E003-negative-duration.yaml", "2:11", "cannot be negative"),
    case("E003-negative-replicas.yaml", "11:15", "got `-1`"),
    case(
        "E003-percent-over-100.yaml",
        "18:24",
        "invalid percentage `200%`",
    ),
    case("E003-string-for-a-number.yaml", "11:15", "got `three`"),
    case(
        "E003-unknown-distribution.yaml",
        "12:21",
        "unknown distribution `gaussian`",
    ),
    case("E003-zero-duration.yaml", "2:11", "greater than zero"),
    case("E003-zero-mtbf.yaml", "18:38", "greater than zero"),
    case("E004-missing-field.yaml", "15:5", "missing field `rate`"),
    case("E005-duplicate-key.yaml", "17:1", "duplicate key `name`"),
    case("E006-comments-only.yaml", "", "the scenario is empty"),
    case("E006-empty.yaml", "", "the scenario is empty"),
    case("E007-alias-bomb.yaml", "22:25", "an alias bomb"),
    Case {
        file: "E008-bad-set.yaml",
        args: &["--set", "workloads.wbe.replicas=5"],
        place: "",
        says: "no element named `wbe` (or index wbe); did you mean `web`?",
    },
    case("E010-huge-spike.yaml", "19:48", "between 0 and 1000000"),
    case("E010-zero-pool-count.yaml", "6:14", "at least one node"),
    case("E010-zero-probe-period.yaml", "13:63", "at least 1"),
    case(
        "E011-invalid-name.yaml",
        "10:11",
        "`Web_1` is not a valid name",
    ),
    case("E011-name-too-long.yaml", "10:11", "at most 63"),
    case(
        "E012-duplicate-workload.yaml",
        "14:11",
        "duplicate workload `web`",
    ),
    case(
        "E013-unknown-node.yaml",
        "19:24",
        "unknown node `workers-9`; did you mean `workers-1`?",
    ),
    case(
        "E013-unknown-pool.yaml",
        "19:24",
        "unknown node pool `worker`; did you mean `workers`?",
    ),
    case(
        "E013-unknown-workload.yaml",
        "15:15",
        "unknown workload `wbe`; did you mean `web`?",
    ),
    case(
        "E013-unknown-zone-in-a-selector.yaml",
        "12:19",
        "no node is in zone `bb`; did you mean `b`?",
    ),
    case("E013-unknown-zone.yaml", "19:25", "unknown zone `d`"),
    case("E014-no-workloads.yaml", "", "at least one workload"),
    case("E015-fault-with-two-kinds.yaml", "18:5", "exactly one kind"),
    case(
        "E016-mtbf-and-at.yaml",
        "18:5",
        "give it no `at` or `every`",
    ),
    case(
        "E017-fault-without-trigger.yaml",
        "18:5",
        "needs `at` or `every`",
    ),
    case(
        "E018-stochastic-crash-without-repair.yaml",
        "18:5",
        "needs `recoverAfter`",
    ),
    case(
        "E019-unknown-node-label.yaml",
        "12:19",
        "unknown node label `disktype`",
    ),
    case(
        "E020-fault-after-the-end.yaml",
        "18:5",
        "after the end of the run",
    ),
    case("E021-unordered-steps.yaml", "16:50", "increasing order"),
    case(
        "E022-min-replicas-above-max.yaml",
        "12:49",
        "2 is less than `minReplicas` (5)",
    ),
    case(
        "E023-replicas-outside-hpa-bounds.yaml",
        "11:15",
        "outside its HPA's bounds 4..=8",
    ),
    case(
        "E024-liveness-success-threshold.yaml",
        "12:67",
        "must be 1 for a liveness probe",
    ),
    case(
        "E025-request-above-limit.yaml",
        "12:16",
        "request is above its limit",
    ),
    case(
        "E026-restart-policy-never.yaml",
        "12:20",
        "`restartPolicy: Always`",
    ),
    case(
        "E027-min-ready-above-replicas.yaml",
        "12:15",
        "could never be up",
    ),
    case(
        "E028-oom-at-start.yaml",
        "13:28",
        "OOMKilled at every start",
    ),
    case("E029-pod-fits-no-node.yaml", "12:16", "would stay Pending"),
    case(
        "E030-more-api-servers-than-exist.yaml",
        "19:29",
        "the cluster has 1",
    ),
    case(
        "E040-too-long.yaml",
        "2:11",
        "the limit is 36500d (100 years); raise it with `--max-duration`",
    ),
    case(
        "E040-too-many-nodes.yaml",
        "6:14",
        "the limit is 10000; raise it with `--max-nodes`",
    ),
    case(
        "E040-too-many-replicas.yaml",
        "11:15",
        "the limit is 100000; raise it with `--max-pods`",
    ),
    case(
        "W001-pdb-blocks-drains.yaml",
        "12:23",
        "allows no voluntary disruption",
    ),
    case("W002-pool-too-small.yaml", "15:16", "pool `tiny`"),
    case(
        "W003-probe-timeout-over-period.yaml",
        "13:82",
        "longer than",
    ),
    case(
        "W004-prestop-outlasts-grace.yaml",
        "13:27",
        "not less than `terminationGracePeriodSeconds`",
    ),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/corpus")
}

/// The code a corpus file is named after.
fn code_of(file: &str) -> &str {
    &file[..4]
}

/// `nines ARGS` bounded in memory and time, with how long it took.
fn timed(case: &Case, args: &[OsString]) -> (Outcome, Duration) {
    let args: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
    let start = Instant::now();
    let outcome = nines_bounded(code_of(case.file), &args, Duration::from_secs(10));
    (outcome, start.elapsed())
}

/// What the first line of the problem starts with: its label, the file and
/// its place.
fn heading(case: &Case, path: &Path) -> String {
    let code = code_of(case.file);
    let severity = if code.starts_with('W') {
        "warning"
    } else {
        "error"
    };
    let place = if case.place.is_empty() {
        String::new()
    } else {
        format!(":{}", case.place)
    };
    format!("{severity}[{code}]: {}{place}: ", path.display())
}

#[test]
fn every_corpus_file_has_a_case_and_every_case_a_file() {
    let on_disk = crate::support::file_names(&corpus_dir());
    let mut listed: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_code_has_a_corpus_file() {
    for code in Code::ALL {
        assert!(
            CASES.iter().any(|c| code_of(c.file) == code.as_str()),
            "no file in tests/integration/corpus/ gives {code}"
        );
    }
}

#[test]
#[cfg(unix)]
fn each_error_exits_2_within_a_second_naming_the_problem_and_writes_nothing() {
    for case in CASES.iter().filter(|c| c.file.starts_with('E')) {
        let path = corpus_dir().join(case.file);
        let out = TempDir::new(&format!("corpus-{}", code_of(case.file)));
        let mut runs: Vec<Vec<OsString>> = vec![
            [
                OsStr::new("run"),
                path.as_os_str(),
                OsStr::new("--out"),
                out.path.join("report").as_os_str(),
                OsStr::new("--trace"),
                out.path.join("events.csv").as_os_str(),
            ]
            .iter()
            .map(|a| a.to_os_string())
            .chain(case.args.iter().map(OsString::from))
            .collect(),
        ];
        if case.args.is_empty() {
            runs.push(vec!["validate".into(), path.clone().into_os_string()]);
        }
        for args in runs {
            let (outcome, took) = timed(case, &args);
            outcome.bad_input(&[&heading(case, &path), case.says]);
            assert!(took < Duration::from_secs(1), "{}: {took:?}", case.file);
            assert!(
                out.entries().is_empty(),
                "{}: left {:?}",
                case.file,
                out.entries()
            );
        }
    }
}

#[test]
#[cfg(unix)]
fn each_warning_is_printed_and_the_scenario_still_validates_and_runs() {
    for case in CASES.iter().filter(|c| c.file.starts_with('W')) {
        let path = corpus_dir().join(case.file);
        for command in ["validate", "run"] {
            let args = [OsString::from(command), path.clone().into_os_string()];
            let (outcome, _) = timed(case, &args);
            assert_eq!(outcome.code, Some(0), "{}:\n{}", case.file, outcome.stderr);
            for needle in [heading(case, &path).as_str(), case.says] {
                assert!(
                    outcome.stderr.contains(needle),
                    "{}: stderr lacks `{needle}`:\n{}",
                    case.file,
                    outcome.stderr
                );
            }
            assert!(!outcome.stderr.contains("error["), "{}", outcome.stderr);
        }
    }
}

#[test]
fn warnings_reach_the_library_caller_and_do_not_stop_the_load() {
    for case in CASES.iter().filter(|c| c.file.starts_with('W')) {
        let scenario = nines::scenario::load(&corpus_dir().join(case.file))
            .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        let codes: Vec<&str> = scenario
            .warnings
            .diagnostics()
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, [code_of(case.file)], "{}", case.file);
        assert!(
            scenario
                .warnings
                .diagnostics()
                .iter()
                .all(|d| d.code.severity() == Severity::Warning)
        );
    }
}

#[test]
fn a_set_elsewhere_leaves_each_problem_where_the_file_has_it() {
    // A scenario changed by `--set` is checked as a document of its own:
    // its problems were once shown at lines of that document, quoting it.
    let limits = nines::limits::Limits::default();
    let unrelated = ["description=changed".to_string()];
    let shown =
        |result: Result<nines::scenario::Scenario, nines::scenario::ScenarioError>| match result {
            Ok(scenario) => scenario.warnings.to_string(),
            Err(e) => e.to_string(),
        };
    let mut moved = Vec::new();
    for case in CASES.iter().filter(|c| c.args.is_empty()) {
        let path = corpus_dir().join(case.file);
        let plain = shown(nines::scenario::load_with(&path, &[], &limits));
        let changed = shown(nines::scenario::load_with(&path, &unrelated, &limits));
        if changed != plain {
            moved.push(format!("{}:\n{changed}\ninstead of\n{plain}", case.file));
        }
    }
    assert!(moved.is_empty(), "{}", moved.join("\n\n"));
}
