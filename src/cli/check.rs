//! `nines check`: the CI gate. Each scenario's `slo:` is run at its seed;
//! exit 0 when every scenario is as its `slo.expect` says (met, or violated
//! for a pitfall), 1 when some is not, 2 on bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use nines::report::{Report, SloReport};
use nines::scenario::defaults;
use nines::{RunOptions, run};

use super::CliError;
use super::limits::{LimitArgs, check_seeds};
use super::output::write_atomically;

/// Exit code when some scenario's SLO is not as expected.
const EXIT_SLO_NOT_MET: u8 = 1;

/// Runs every scenario's SLO and says, one line each, whether it holds.
/// A scenario with `slo.expect: violated` demonstrates a pitfall: it passes
/// when its SLO is missed. Exit code 0 when all pass, 1 when some do not,
/// 2 on bad input (reported, the other scenarios still run).
///
/// Examples:
///   nines check scenarios/
///   nines check scenarios/node-loss.yaml --junit report.xml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CheckArgs {
    /// Scenario files, or directories whose `*.yaml` files are all checked.
    #[arg(required = true, value_name = "SCENARIO_OR_DIR")]
    paths: Vec<PathBuf>,
    /// Also write the verdicts as JUnit XML: a test suite per scenario, a
    /// test case per SLO check.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Run this many seeds of each scenario, from its own: an SLO then holds
    /// when the 95 % confidence interval of each figure's mean is on the
    /// right side of its target (the lower end reaches an availability
    /// target, the upper end stays within a maximum).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    seeds: Option<u64>,
    /// Change a field of every scenario before it runs, e.g.
    /// `cluster.settings.endpointPropagationDelay=3s`; repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Threads for `--seeds` (default: every core).
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u64).range(1..=1024))]
    jobs: Option<u64>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// One scenario's verdict.
struct Verdict {
    path: PathBuf,
    name: String,
    seed: u64,
    /// The `--set` flags, as the reproducing command repeats them.
    sets: String,
    slo: Option<SloReport>,
}

impl Verdict {
    fn passed(&self) -> bool {
        self.slo.as_ref().is_none_or(|s| s.as_expected)
    }
}

/// The scenario files the arguments name, directories expanded in order.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let read = std::fs::read_dir(path).map_err(|source| CliError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let mut found: Vec<PathBuf> = read
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

pub fn execute(args: CheckArgs) -> Result<ExitCode, CliError> {
    let limits = args.limits.limits();
    let runs = args.seeds.map(|n| check_seeds(n, &limits)).transpose()?;
    // Scenarios that could not be read, loaded or run: bad input.
    let mut unchecked = 0;
    let mut verdicts = Vec::new();
    let (mut checked, mut failed_seeded) = (0, 0);
    for path in scenario_files(&args.paths)? {
        let scenario = match nines::scenario::load_with(&path, &args.sets, &limits) {
            Ok(s) => {
                super::print_warnings(&s);
                s
            }
            Err(e) => {
                unchecked += 1;
                super::print_error(&e);
                continue;
            }
        };
        let seed = scenario.seed.unwrap_or(defaults::SEED);
        let options = RunOptions {
            max_events: limits.events,
            ..RunOptions::new(seed)
        };
        if let Some(runs) = runs {
            match check_seeds_of(&path, &scenario, seed, runs, &args, &options) {
                Ok(Some(passed)) => {
                    checked += 1;
                    failed_seeded += usize::from(!passed);
                }
                Ok(None) => {}
                Err(e) => {
                    unchecked += 1;
                    super::print_error(&e);
                }
            }
            continue;
        }
        let output = match run(&scenario, &options) {
            Ok(o) => o,
            Err(e) => {
                unchecked += 1;
                super::print_error(&CliError::from(e));
                continue;
            }
        };
        let verdict = Verdict {
            path,
            name: scenario.name.clone(),
            seed,
            sets: set_flags(&args.sets),
            slo: output.report.slo.clone(),
        };
        print_verdict(&verdict, &output.report);
        verdicts.push(verdict);
    }
    if let Some(file) = &args.junit {
        write_atomically(file, |out| write_junit(&verdicts, out))?;
    }
    let failed = verdicts.iter().filter(|v| !v.passed()).count() + failed_seeded;
    let checked = checked + verdicts.iter().filter(|v| v.slo.is_some()).count();
    outln!("\n{}", summary(checked, failed, unchecked));
    Ok(if unchecked > 0 {
        ExitCode::from(super::EXIT_BAD_INPUT)
    } else if failed > 0 {
        ExitCode::from(EXIT_SLO_NOT_MET)
    } else {
        ExitCode::SUCCESS
    })
}

/// The last line: how many of the scenarios checked are as expected, and
/// how many could not be checked at all.
fn summary(checked: usize, failed: usize, unchecked: usize) -> String {
    let mut line = format!("{} of {checked} scenarios as expected", checked - failed);
    if failed > 0 {
        line.push_str("; see above");
    }
    if unchecked > 0 {
        line.push_str(&format!("; {unchecked} not checked: bad input, see above"));
    }
    line
}

/// One scenario over many seeds: the verdict at 95 % confidence, with the
/// figures and a seed that reproduces a miss. `None` without an SLO.
fn check_seeds_of(
    path: &std::path::Path,
    scenario: &nines::scenario::Scenario,
    seed: u64,
    runs: usize,
    args: &CheckArgs,
    options: &RunOptions,
) -> Result<Option<bool>, CliError> {
    let reports = super::seeds::reports(scenario, seed, runs, args.jobs, options)?;
    let aggregate = nines::report::AggregateReport::new(seed, &reports);
    let Some(passed) = aggregate.as_expected() else {
        outln!("SKIP  {}  {}: no `slo`", path.display(), scenario.name);
        return Ok(None);
    };
    let slo = aggregate.slo.as_ref().expect("an SLO");
    outln!(
        "{}  {}  {}: SLO met in {:.1}% of {runs} runs{}",
        if passed { "PASS" } else { "FAIL" },
        path.display(),
        scenario.name,
        slo.probability_met * 100.0,
        if slo.expect == "violated" {
            " (a pitfall: it should be missed)"
        } else {
            ""
        }
    );
    if !passed {
        for c in &slo.checks {
            outln!(
                "        {} {:<20} 95 % interval [{:.6}, {:.6}] against {}",
                if c.met_at_95 { "ok  " } else { "MISS" },
                c.name,
                c.actual.ci95[0],
                c.actual.ci95[1],
                c.target
            );
        }
        let missed = reports
            .iter()
            .zip(0u64..)
            .find(|(r, _)| r.slo.as_ref().is_some_and(|s| !s.passed));
        if let Some((_, i)) = missed {
            outln!(
                "        reproduce a miss: nines run {} --seed {}{}",
                path.display(),
                seed + i,
                set_flags(&args.sets)
            );
        }
    }
    Ok(Some(passed))
}

/// ` --set 'A=1' --set 'B=2'`, quoted for a shell.
fn set_flags(sets: &[String]) -> String {
    sets.iter()
        .map(|s| format!(" --set '{}'", s.replace('\'', "'\\''")))
        .collect()
}

fn percent(fraction: f64) -> String {
    format!("{:.4}%", fraction * 100.0)
}

/// A check's target and actual value as a person reads them.
fn figures(check: &nines::report::SloCheck) -> String {
    match check.name {
        "requestAvailability" | "uptime" => {
            format!(
                "{} (target {})",
                percent(check.actual),
                percent(check.target)
            )
        }
        "maxOutage" => format!("{:.1}s (at most {:.1}s)", check.actual, check.target),
        _ => format!("{} (at most {})", check.actual, check.target),
    }
}

fn print_verdict(v: &Verdict, report: &Report) {
    let Some(slo) = &v.slo else {
        outln!("SKIP  {}  {}: no `slo`", v.path.display(), v.name);
        return;
    };
    let status = if slo.as_expected { "PASS" } else { "FAIL" };
    let how = match (slo.expect, slo.passed) {
        ("violated", false) => "pitfall: SLO missed, as it should be",
        ("violated", true) => "pitfall: SLO met, but the scenario exists to miss it",
        (_, true) => "SLO met",
        (_, false) => "SLO not met",
    };
    outln!("{status}  {}  {}: {how}", v.path.display(), v.name);
    if slo.as_expected {
        return;
    }
    for check in &slo.checks {
        let mark = if check.passed { "ok  " } else { "MISS" };
        outln!("        {mark} {:<20} {}", check.name, figures(check));
    }
    if let Some(longest) = report
        .incidents
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s))
    {
        outln!(
            "        longest incident: {} for {:.1}s, {}",
            longest.workload,
            longest.duration_s,
            longest.cause
        );
    }
    outln!(
        "        reproduce: nines run {} --seed {}{}",
        v.path.display(),
        v.seed,
        v.sets
    );
}

/// XML text and attribute values with `&`, `<`, `>`, `"` and `'` escaped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML as CI systems read it: a `<testsuite>` per scenario, a
/// `<testcase>` per SLO check. A scenario that is not as expected fails
/// the checks responsible: those missed when it should be met, all of them
/// when a pitfall's SLO was met after all.
fn write_junit(verdicts: &[Verdict], out: &mut impl Write) -> std::io::Result<()> {
    let checked: Vec<&Verdict> = verdicts.iter().filter(|v| v.slo.is_some()).collect();
    let tests: usize = checked
        .iter()
        .map(|v| v.slo.as_ref().map_or(0, |s| s.checks.len()))
        .sum();
    let failing = |v: &Verdict, check: &nines::report::SloCheck| {
        let slo = v.slo.as_ref().expect("checked scenarios have an SLO");
        !slo.as_expected && (slo.expect == "violated" || !check.passed)
    };
    let failures: usize = checked
        .iter()
        .map(|v| {
            let slo = v.slo.as_ref().expect("checked");
            slo.checks.iter().filter(|c| failing(v, c)).count()
        })
        .sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="nines check" tests="{tests}" failures="{failures}">"#
    )?;
    for v in checked {
        let slo = v.slo.as_ref().expect("checked");
        let suite_failures = slo.checks.iter().filter(|c| failing(v, c)).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{suite_failures}">"#,
            xml(&v.name),
            slo.checks.len()
        )?;
        let file = xml(&v.path.display().to_string());
        for check in &slo.checks {
            write!(
                out,
                r#"    <testcase name="{}" classname="{}" file="{file}""#,
                xml(check.name),
                xml(&v.name)
            )?;
            if failing(v, check) {
                let message = if slo.expect == "violated" {
                    "the pitfall's SLO was met: the scenario no longer shows what it is for"
                        .to_string()
                } else {
                    format!("{}: {}", check.name, figures(check))
                };
                writeln!(out, ">")?;
                writeln!(
                    out,
                    r#"      <failure message="{}">reproduce: nines run {} --seed {}{}</failure>"#,
                    xml(&message),
                    file,
                    v.seed,
                    xml(&v.sets)
                )?;
                writeln!(out, "    </testcase>")?;
            } else {
                writeln!(out, "/>")?;
            }
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{7}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }

    #[test]
    fn directories_expand_to_their_yaml_files_in_order() {
        let dir = std::env::temp_dir().join(format!("nines-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        for name in ["b.yaml", "a.yaml", "notes.txt"] {
            std::fs::write(dir.join(name), "").expect("writable");
        }
        let files = scenario_files(std::slice::from_ref(&dir)).expect("readable");
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().and_then(|n| n.to_str()).unwrap_or_default())
            .collect();
        assert_eq!(names, vec!["a.yaml", "b.yaml"]);
        std::fs::remove_dir_all(&dir).expect("removable");
    }
}
