//! Many seeds' reports as one: each figure becomes its [`Summary`] over the
//! runs (DESIGN.md, Report JSON), and each SLO check the probability it is
//! met. Built from finished reports; it simulates nothing.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::Report;
use super::columns::{header, left, right, write_table};
use super::numbers::decimal;
use super::text::{counted, duration, nines_figure_with};
use crate::experiment::Summary;

#[derive(Debug, Clone, Serialize)]
pub struct AggregateReport {
    pub scenario: String,
    /// Seeds `first_seed .. first_seed + runs`.
    pub first_seed: u64,
    pub runs: usize,
    pub duration_s: f64,
    pub events: Summary,
    pub requests: AggregateRequests,
    pub availability: AggregateAvailability,
    /// Each run's nines, summarised: not the nines of the mean availability.
    pub nines: AggregateNines,
    pub downtime_s: Summary,
    pub incidents: Summary,
    pub longest_outage_s: Summary,
    #[serde(serialize_with = "super::ordered_map")]
    pub workloads: Vec<(String, AggregateWorkload)>,
    pub slo: Option<AggregateSlo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AggregateRequests {
    pub total: Summary,
    pub failed: Summary,
    pub dropped_in_flight: Summary,
    /// Causes that occurred in some run.
    pub by_cause: BTreeMap<&'static str, Summary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AggregateAvailability {
    pub requests: Summary,
    pub time: Summary,
}

/// The runs' nines. In a run where nothing failed the figure is the
/// rule-of-three lower bound; the mean and the percentiles over runs that
/// include one can only be higher for the true figures, so they are lower
/// bounds as soon as one run's is.
#[derive(Debug, Clone, Serialize)]
pub struct AggregateNines {
    pub requests: Summary,
    pub time: Summary,
    /// Some run's figure is a lower bound: so are the summary's.
    pub requests_is_lower_bound: bool,
    pub time_is_lower_bound: bool,
    /// How many runs' figures are lower bounds; `runs` of them when
    /// nothing failed in any.
    pub requests_lower_bound_runs: usize,
    pub time_lower_bound_runs: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AggregateWorkload {
    pub availability: AggregateAvailability,
    pub downtime_s: Summary,
    pub incidents: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct AggregateSlo {
    /// Share of the runs whose every check passed.
    pub probability_met: f64,
    /// `met`, or `violated` for a pitfall.
    pub expect: &'static str,
    pub checks: Vec<AggregateCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AggregateCheck {
    pub name: &'static str,
    pub target: f64,
    pub actual: Summary,
    /// Share of the runs in which this check passed.
    pub probability_met: f64,
    /// Met at 95 % confidence: for a target to reach (an availability), the
    /// interval's lower end reaches it; for a maximum, its upper end stays
    /// within it.
    pub met_at_95: bool,
}

impl AggregateReport {
    /// `reports` in seed order, from `first_seed` on; at least one.
    pub fn new(first_seed: u64, reports: &[Report]) -> AggregateReport {
        let first = &reports[0];
        let of = |f: &dyn Fn(&Report) -> f64| -> Summary {
            let values: Vec<f64> = reports.iter().map(f).collect();
            Summary::of(&values)
        };
        let causes: std::collections::BTreeSet<&'static str> = reports
            .iter()
            .flat_map(|r| r.requests.by_cause.keys().copied())
            .collect();
        let workloads = first
            .workloads
            .iter()
            .enumerate()
            .map(|(w, (name, _))| {
                fn wl(r: &Report, w: usize) -> &super::WorkloadReport {
                    &r.workloads[w].1
                }
                (
                    name.clone(),
                    AggregateWorkload {
                        availability: AggregateAvailability {
                            requests: of(&|r| wl(r, w).availability.requests),
                            time: of(&|r| wl(r, w).availability.time),
                        },
                        downtime_s: of(&|r| wl(r, w).downtime_s),
                        incidents: of(&|r| wl(r, w).incidents as f64),
                    },
                )
            })
            .collect();
        let slo = first.slo.as_ref().map(|s| {
            let share = |passed: &dyn Fn(&Report) -> bool| {
                reports.iter().filter(|r| passed(r)).count() as f64 / reports.len() as f64
            };
            AggregateSlo {
                probability_met: share(&|r| r.slo.as_ref().is_some_and(|s| s.passed)),
                expect: s.expect,
                checks: s
                    .checks
                    .iter()
                    .enumerate()
                    .map(|(c, check)| {
                        let actual = of(&|r| r.slo.as_ref().map_or(0.0, |s| s.checks[c].actual));
                        let is_maximum = !matches!(check.name, "requestAvailability" | "uptime");
                        let met_at_95 = if is_maximum {
                            actual.ci95[1] <= check.target
                        } else {
                            actual.ci95[0] >= check.target
                        };
                        AggregateCheck {
                            name: check.name,
                            target: check.target,
                            probability_met: share(&|r| {
                                r.slo.as_ref().is_some_and(|s| s.checks[c].passed)
                            }),
                            actual,
                            met_at_95,
                        }
                    })
                    .collect(),
            }
        });
        AggregateReport {
            scenario: first.scenario.clone(),
            first_seed,
            runs: reports.len(),
            duration_s: first.duration_s,
            events: of(&|r| r.events as f64),
            requests: AggregateRequests {
                total: of(&|r| r.requests.total as f64),
                failed: of(&|r| r.requests.failed as f64),
                dropped_in_flight: of(&|r| r.requests.dropped_in_flight as f64),
                by_cause: causes
                    .into_iter()
                    .map(|c| {
                        (
                            c,
                            of(&|r| r.requests.by_cause.get(c).copied().unwrap_or(0) as f64),
                        )
                    })
                    .collect(),
            },
            availability: AggregateAvailability {
                requests: of(&|r| r.availability.requests),
                time: of(&|r| r.availability.time),
            },
            nines: {
                let bounds =
                    |bound: &dyn Fn(&Report) -> bool| reports.iter().filter(|r| bound(r)).count();
                let requests_lower_bound_runs = bounds(&|r| r.nines.requests_is_lower_bound);
                let time_lower_bound_runs = bounds(&|r| r.nines.time_is_lower_bound);
                AggregateNines {
                    requests: of(&|r| r.nines.requests),
                    time: of(&|r| r.nines.time),
                    requests_is_lower_bound: requests_lower_bound_runs > 0,
                    time_is_lower_bound: time_lower_bound_runs > 0,
                    requests_lower_bound_runs,
                    time_lower_bound_runs,
                }
            },
            downtime_s: of(&|r| r.downtime_s),
            incidents: of(&|r| r.incidents.len() as f64),
            longest_outage_s: of(&|r| r.longest_outage_s()),
            workloads,
            slo,
        }
    }

    /// Whether the SLO holds at 95 % confidence as the scenario expects:
    /// every check met for `met`; some check not met for a pitfall.
    pub fn as_expected(&self) -> Option<bool> {
        self.slo.as_ref().map(|s| {
            let all = s.checks.iter().all(|c| c.met_at_95);
            if s.expect == "violated" { !all } else { all }
        })
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serializes");
        s.push('\n');
        s
    }

    /// A table of the main figures, one line each, then the SLO's checks.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}\n{}, seeds {}..{}\n",
            self.scenario,
            counted(self.runs as u64, "run", "runs"),
            self.first_seed,
            self.first_seed + self.runs as u64 - 1
        );
        let mut rows = vec![header(&[
            "",
            "mean",
            "95 % interval of the mean",
            "p5",
            "p50",
            "p95",
        ])];
        let percent = |v: f64| format!("{:.4}%", v * 100.0);
        let plain = |v: f64| decimal(v, 2);
        let mut row = |name: &str, s: &Summary, fmt: &dyn Fn(f64) -> String, bound: bool| {
            // A lower bound marks the figures it makes lower bounds: the
            // mean and the percentiles.
            let at_least = |v: f64| nines_figure_with(fmt(v), bound);
            rows.push(vec![
                name.to_string(),
                at_least(s.mean),
                format!("[{}, {}]", fmt(s.ci95[0]), fmt(s.ci95[1])),
                at_least(s.p5),
                at_least(s.p50),
                at_least(s.p95),
            ]);
        };
        let n = &self.nines;
        row(
            "request availability",
            &self.availability.requests,
            &percent,
            false,
        );
        row("uptime", &self.availability.time, &percent, false);
        row(
            "nines per run (requests)",
            &n.requests,
            &plain,
            n.requests_is_lower_bound,
        );
        row(
            "nines per run (time)",
            &n.time,
            &plain,
            n.time_is_lower_bound,
        );
        row("failed requests", &self.requests.failed, &plain, false);
        row(
            "dropped in flight",
            &self.requests.dropped_in_flight,
            &plain,
            false,
        );
        row("downtime (s)", &self.downtime_s, &plain, false);
        row("incidents", &self.incidents, &plain, false);
        row("longest outage (s)", &self.longest_outage_s, &plain, false);
        let columns = [
            left("  ", 24),
            right(" ", 12),
            right(" ", 27),
            right(" ", 12),
            right(" ", 12),
            right(" ", 12),
        ];
        write_table(&mut out, &columns, &rows);
        let _ = writeln!(out, "  {}", self.nines_note());
        if n.requests_is_lower_bound || n.time_is_lower_bound {
            let _ = writeln!(out, "  {}", self.lower_bound_note());
        }
        if let Some(slo) = &self.slo {
            let _ = writeln!(
                out,
                "\nSLO met in {:.1}% of the runs ({})",
                slo.probability_met * 100.0,
                if slo.expect == "violated" {
                    "a pitfall: it should be missed"
                } else {
                    "expected met"
                }
            );
            let rows: Vec<_> = (slo.checks.iter())
                .map(|c| {
                    let (target, show): (String, &dyn Fn(f64) -> String) = match c.name {
                        "requestAvailability" | "uptime" => {
                            (format!("≥ {}", percent(c.target)), &percent)
                        }
                        "maxOutage" => (format!("≤ {}", duration(c.target)), &duration),
                        // A maximum count: whole, its mean over runs not.
                        _ => (format!("≤ {}", decimal(c.target, 0)), &plain),
                    };
                    vec![
                        if c.met_at_95 { "✓" } else { "✗" }.to_string(),
                        c.name.to_string(),
                        target,
                        format!("[{}, {}]", show(c.actual.ci95[0]), show(c.actual.ci95[1])),
                        format!("{:.1}%", c.probability_met * 100.0),
                    ]
                })
                .collect();
            let mut table = vec![header(&[
                "",
                "",
                "target",
                "95 % interval of the mean",
                "met in runs",
            ])];
            table.extend(rows);
            let columns = [
                left("  ", 1),
                left(" ", 20),
                right(" ", 12),
                right("  ", 27),
                right("  ", 11),
            ];
            write_table(&mut out, &columns, &table);
        }
        out
    }

    /// What the nines rows are, and the nines of the mean availability an
    /// operator would compute from the rows above them.
    fn nines_note(&self) -> String {
        let of_mean: Vec<String> = [
            ("request availability", self.availability.requests.mean),
            ("uptime", self.availability.time.mean),
        ]
        .iter()
        .filter(|(_, mean)| *mean < 1.0)
        .map(|(name, mean)| {
            format!(
                "the mean {name}, {:.5}%, is {:.2} nines",
                mean * 100.0,
                -(1.0 - mean).log10()
            )
        })
        .collect();
        let mut note =
            "(nines per run: each run's −log10(1 − availability), then their mean and percentiles"
                .to_string();
        if !of_mean.is_empty() {
            let _ = write!(note, ";\n   {}", of_mean.join("; "));
        }
        note.push(')');
        note
    }

    /// What `≥` means, and in how many runs it held.
    fn lower_bound_note(&self) -> String {
        let n = &self.nines;
        let (r, t) = (n.requests_lower_bound_runs, n.time_lower_bound_runs);
        let of = |k: usize| format!("{k} of the {} runs", self.runs);
        let which = match (r, t) {
            (r, t) if r == t => format!("nothing failed in {}", of(r)),
            (0, t) => format!("there was no downtime in {}", of(t)),
            (r, 0) => format!("no request failed in {}", of(r)),
            (r, t) => format!("no request failed in {}, no downtime in {}", of(r), of(t)),
        };
        format!(
            "(≥: {which}: such a run's figure is the rule-of-three bound at 95 %,\n   \
             failure rate ≤ 3/N, and a mean or percentile over such runs is a lower bound too)"
        )
    }
}
