//! The text summary a person reads at a glance: the headline nines, a line
//! per workload, why requests failed, the incidents, the key events of the
//! timeline, and the SLO verdict.

use std::fmt::Write;

use super::columns::{Column, header, left, right, write_table};
use super::numbers::thousands;
use super::{CountOverTime, NinesReport, Report};
use crate::model::TraceEvent;
use crate::sim::SimTime;
use crate::traffic::Outcome;

/// Key events shown in the timeline; the full trace is for `--trace`.
const TIMELINE_MAX: usize = 40;

/// Incidents listed one by one; `--format json` has them all.
const INCIDENTS_MAX: usize = 20;

/// Pods listed under "Restarts by pod".
const PODS_MAX: usize = 10;

/// `key_events_not_kept` counts the key events past the trace's bound, which
/// the "more" line adds to those not shown.
pub fn render_text(
    report: &Report,
    description: &str,
    key_events: &[TraceEvent],
    key_events_not_kept: u64,
) -> String {
    let mut out = String::new();
    let r = report;
    let _ = writeln!(out, "{}", r.scenario);
    if !description.is_empty() {
        let _ = writeln!(out, "{}", description.trim());
    }
    let _ = writeln!(
        out,
        "seed {} · {} simulated · {}\n",
        r.seed,
        duration(r.duration_s),
        counted(r.events, "event", "events")
    );
    let _ = writeln!(out, "  {:<20} {:>12}  {:>8}", "", "availability", "nines");
    let _ = writeln!(
        out,
        "  {:<20} {:>12}  {:>8}  {} ok of {} requests",
        "requests",
        percent(r.availability.requests),
        nines_figure(r.nines.requests, r.nines.requests_is_lower_bound),
        thousands(r.requests.ok),
        thousands(r.requests.total)
    );
    let downtime = r.duration_s * (1.0 - r.availability.time);
    let _ = writeln!(
        out,
        "  {:<20} {:>12}  {:>8}  {}",
        "uptime",
        percent(r.availability.time),
        nines_figure(r.nines.time, r.nines.time_is_lower_bound),
        if r.nines.time_is_lower_bound {
            "no downtime".to_string()
        } else {
            format!("{} down", duration(downtime))
        }
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>12}",
        "dropped in flight",
        thousands(r.requests.dropped_in_flight)
    );
    if r.nines.requests_is_lower_bound || r.nines.time_is_lower_bound {
        let _ = writeln!(
            out,
            "  (≥: nothing failed, so the figure is the rule-of-three bound at 95 %: failure rate ≤ 3/N)"
        );
    }

    let _ = writeln!(out, "\nWorkloads");
    let mut rows = vec![header(&[
        "name",
        "requests",
        "failed",
        "availability",
        "nines",
        "uptime",
        "downtime",
        "incidents",
        "restarts",
    ])];
    for (name, w) in &r.workloads {
        rows.push(vec![
            name.clone(),
            thousands(w.requests.total),
            thousands(w.requests.failed),
            percent(w.availability.requests),
            nines_short(&w.nines),
            percent(w.availability.time),
            duration(w.downtime_s),
            thousands(w.incidents as u64),
            thousands(w.restarts),
        ]);
    }
    let columns = [
        left("  ", 16),
        right(" ", 12),
        right(" ", 10),
        right(" ", 12),
        right(" ", 7),
        right(" ", 12),
        right(" ", 10),
        right(" ", 9),
        right(" ", 8),
    ];
    write_table(&mut out, &columns, &rows);

    if r.workloads.iter().any(|(_, w)| w.latency_ms.is_some()) {
        let _ = writeln!(
            out,
            "\nLatency of the answered requests (exact mode: every request drawn)"
        );
        for (name, w) in &r.workloads {
            if let Some(l) = &w.latency_ms {
                let _ = writeln!(
                    out,
                    "  {:<16} p50 {:>9.3} ms   p95 {:>9.3} ms   p99 {:>9.3} ms",
                    name, l.p50, l.p95, l.p99
                );
            }
        }
    }

    let _ = writeln!(out, "\nMonitoring (max / avg / at the end)");
    let mut rows = vec![header(&[
        "name",
        "CPU cores",
        "avg of request",
        "avg of limit",
        "memory MiB per pod",
        "requests/s",
    ])];
    for (name, w) in &r.workloads {
        let of = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
        rows.push(vec![
            name.clone(),
            gauge(&w.cpu_cores, 2),
            of(w.cpu_of_request),
            of(w.cpu_of_limit),
            gauge(&w.memory_mib, 0),
            gauge(&w.requests_per_second, 1),
        ]);
    }
    let columns = [
        left("  ", 16),
        right(" ", 26),
        right("  ", 14),
        right("  ", 12),
        right(" ", 26),
        right(" ", 26),
    ];
    write_table(&mut out, &columns, &rows);

    let scaled: Vec<_> = r
        .workloads
        .iter()
        .filter_map(|(name, w)| w.autoscaling.as_ref().map(|a| (name, a)))
        .collect();
    if !scaled.is_empty() || !r.node_pools.is_empty() {
        let _ = writeln!(out, "\nAutoscaling (min / mean / max / at the end)");
        let mut rows = Vec::new();
        for (name, a) in scaled {
            rows.push(vec![
                name.clone(),
                "replicas".to_string(),
                count(&a.replicas),
                format!(
                    "  {}  at maxReplicas ({}) {}  {} requests failed while scaling",
                    counted(u64::from(a.rescales), "rescale", "rescales"),
                    a.max_replicas,
                    duration(a.at_max_replicas_s),
                    thousands(a.failed_while_scaling)
                ),
            ]);
        }
        for (name, p) in &r.node_pools {
            rows.push(vec![
                name.clone(),
                "nodes".to_string(),
                count(&p.nodes),
                String::new(),
            ]);
        }
        let columns = [left("  ", 16), left(" ", 8), right(" ", 20), left("", 0)];
        write_table(&mut out, &columns, &rows);
    }

    // Most restarts first, the pod whose restarts matter most; ties by name,
    // so that the order does not depend on which pod restarted first.
    let mut restarted: Vec<_> = r
        .workloads
        .iter()
        .flat_map(|(_, w)| w.pod_restarts.iter())
        .collect();
    restarted.sort_by(|a, b| b.restarts.cmp(&a.restarts).then_with(|| a.pod.cmp(&b.pod)));
    if !restarted.is_empty() {
        let _ = writeln!(out, "\nRestarts by pod, most first (of which OOMKilled)");
        let oom_kills = |pod: &str| {
            r.workloads
                .iter()
                .flat_map(|(_, w)| w.pod_oom_kills.iter())
                .find(|k| k.pod == pod)
                .map_or(0, |k| k.oom_kills)
        };
        let rows: Vec<_> = (restarted.iter().take(PODS_MAX))
            .map(|p| {
                vec![
                    p.pod.clone(),
                    thousands(u64::from(p.restarts)),
                    format!("({})", thousands(u64::from(oom_kills(&p.pod)))),
                ]
            })
            .collect();
        write_table(
            &mut out,
            &[left("  ", 40), right(" ", 6), right(" ", 6)],
            &rows,
        );
        more_in_json(&mut out, restarted.len(), PODS_MAX, ("pod", "pods"));
    }

    if !r.rollouts.is_empty() {
        let _ = writeln!(out, "\nRollouts");
        let rows: Vec<_> = (r.rollouts.iter().take(INCIDENTS_MAX))
            .map(|ro| {
                let end = ro.end_s.map_or("…".to_string(), clock);
                let lasted = ro.end_s.map_or(String::new(), |e| {
                    format!(" {:>8}", duration(e - ro.start_s))
                });
                vec![
                    ro.workload.clone(),
                    ro.revision.to_string(),
                    clock(ro.start_s),
                    end,
                    lasted,
                    ro.outcome.to_string(),
                    format!(
                        "{} of {} requests failed",
                        thousands(ro.requests.failed),
                        thousands(ro.requests.total)
                    ),
                ]
            })
            .collect();
        let columns = [
            left("  ", 16),
            left(" revision ", 3),
            right(" ", 0),
            right(" → ", 0),
            right("", 0),
            left("  ", 11),
            left(" ", 0),
        ];
        write_table(&mut out, &columns, &rows);
        more_in_json(
            &mut out,
            r.rollouts.len(),
            INCIDENTS_MAX,
            ("rollout", "rollouts"),
        );
    }

    if !r.drains.is_empty() {
        let _ = writeln!(out, "\nDrains");
        for d in r.drains.iter().take(INCIDENTS_MAX) {
            let end = d.end_s.map_or("…".to_string(), clock);
            let _ = writeln!(
                out,
                "  {:<16} {} → {}  waited {} on disruption budgets ({} refused)",
                d.node,
                clock(d.start_s),
                end,
                duration(d.waited_on_budget_s),
                counted(u64::from(d.evictions_refused), "eviction", "evictions")
            );
        }
        more_in_json(&mut out, r.drains.len(), INCIDENTS_MAX, ("drain", "drains"));
    }

    if r.requests.failed > 0 {
        let _ = writeln!(out, "\nFailed requests by cause");
        let rows: Vec<_> = (Outcome::ALL.iter())
            .filter_map(|o| {
                let n = r.requests.by_cause.get(o.key())?;
                Some(vec![
                    o.key().to_string(),
                    thousands(*n),
                    o.explanation().to_string(),
                ])
            })
            .collect();
        write_table(
            &mut out,
            &[left("  ", 18), right(" ", 10), left("  ", 0)],
            &rows,
        );
    }

    if !r.incidents.is_empty() {
        let _ = writeln!(
            out,
            "\nIncidents (a workload with fewer than minReady endpoints serving)"
        );
        let rows: Vec<_> = (r.incidents.iter().take(INCIDENTS_MAX))
            .map(|i| {
                let mut row = vec![i.workload.clone()];
                row.extend(interval(
                    i.start_s,
                    i.end_s,
                    i.duration_s,
                    &i.cause,
                    i.ongoing,
                ));
                row
            })
            .collect();
        let mut columns = vec![left("  ", 16)];
        columns.extend(interval_columns(" "));
        write_table(&mut out, &columns, &rows);
        more_in_json(
            &mut out,
            r.incidents.len(),
            INCIDENTS_MAX,
            ("incident", "incidents"),
        );
    }

    let cp = &r.control_plane;
    if !cp.incidents.is_empty() {
        let _ = writeln!(
            out,
            "\nControl plane: API writable {} of the time ({} down)",
            percent(cp.availability),
            duration(cp.downtime_s)
        );
        let rows: Vec<_> = (cp.incidents.iter().take(INCIDENTS_MAX))
            .map(|i| interval(i.start_s, i.end_s, i.duration_s, &i.cause, i.ongoing).to_vec())
            .collect();
        write_table(&mut out, &interval_columns("  "), &rows);
        more_in_json(
            &mut out,
            cp.incidents.len(),
            INCIDENTS_MAX,
            ("control-plane outage", "control-plane outages"),
        );
    }

    if !r.lost_changes.is_empty() {
        let _ = writeln!(
            out,
            "\nLost in the etcd restore (written after the snapshot)"
        );
        for c in r.lost_changes.iter().take(INCIDENTS_MAX) {
            let _ = writeln!(out, "  {}  {:<40} {}", clock(c.time_s), c.object, c.change);
        }
        more_in_json(
            &mut out,
            r.lost_changes.len(),
            INCIDENTS_MAX,
            ("lost change", "lost changes"),
        );
    }

    if !key_events.is_empty() {
        let _ = writeln!(out, "\nTimeline (key events)");
        let timeline = super::timeline::correlate(key_events);
        let rows: Vec<_> = (timeline.iter().take(TIMELINE_MAX))
            .map(|e| {
                let message = if e.combined {
                    format!(
                        "{}{} ({} events, the last at {})",
                        super::timeline::COMBINED,
                        e.message,
                        e.count,
                        clock_exact(e.last).trim_start()
                    )
                } else {
                    e.message.to_string()
                };
                vec![
                    clock_exact(e.time),
                    e.kind.to_string(),
                    e.name.to_string(),
                    e.reason.to_string(),
                    message,
                ]
            })
            .collect();
        let columns = [
            right("  ", 16),
            left("  ", 10),
            left(" ", 26),
            left(" ", 21),
            left(" ", 0),
        ];
        write_table(&mut out, &columns, &rows);
        let not_shown: u64 = timeline.iter().skip(TIMELINE_MAX).map(|e| e.count).sum();
        let more = not_shown + key_events_not_kept;
        if more > 0 {
            let _ = writeln!(
                out,
                "  … {} more {}; `--trace FILE` writes every event",
                thousands(more),
                if more == 1 { "key event" } else { "key events" }
            );
        }
    }

    if let Some(slo) = &r.slo {
        let verdict = match (slo.passed, slo.as_expected) {
            (true, true) => "met",
            (false, false) => "NOT met",
            (false, true) => "NOT met, as expected: this scenario demonstrates a pitfall",
            (true, false) => "met, but this scenario should demonstrate a pitfall that violates it",
        };
        let _ = writeln!(out, "\nSLO {verdict}");
        for c in &slo.checks {
            let mark = if c.passed { "✓" } else { "✗" };
            let (target, actual) = match c.name {
                "requestAvailability" | "uptime" => {
                    (format!("≥ {}", percent(c.target)), percent(c.actual))
                }
                "maxOutage" => (format!("≤ {}", duration(c.target)), duration(c.actual)),
                _ => (format!("≤ {}", c.target), format!("{}", c.actual)),
            };
            let budget = c
                .error_budget_used
                .map(|b| format!("  error budget used {:.0}%", b * 100.0))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {mark} {:<20} {:>14}  actual {}{budget}",
                c.name, target, actual
            );
        }
    }
    out
}

/// The line that says how many were left out of a list, and where they
/// are; `what` is the thing listed, as one and as many.
fn more_in_json(out: &mut String, listed: usize, shown: usize, what: (&str, &str)) {
    if listed > shown {
        let _ = writeln!(
            out,
            "  … {} more {}; `--format json` lists them all",
            thousands((listed - shown) as u64),
            if listed - shown == 1 { what.0 } else { what.1 }
        );
    }
}

/// A count and what it counts, in the singular for one: `1 event`,
/// `1,234 events`.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A down interval as the incident lists show it, a cell per column of
/// [`interval_columns`]: `00:10:00 → 00:10:52  52s  cause`.
fn interval(start_s: f64, end_s: f64, duration_s: f64, cause: &str, ongoing: bool) -> [String; 4] {
    let tail = if ongoing {
        " (still down at the end)"
    } else {
        ""
    };
    [
        clock(start_s),
        clock(end_s),
        duration(duration_s),
        format!("{cause}{tail}"),
    ]
}

/// The columns of an [`interval`], after `gap`. In columns, not one
/// string: a clock past the hundredth day is a character wider, and
/// pushed the rest of its row out of line.
const fn interval_columns(gap: &'static str) -> [Column; 4] {
    [
        right(gap, 0),
        right(" → ", 0),
        right("  ", 9),
        left("  ", 0),
    ]
}

fn gauge(g: &super::Gauge, decimals: usize) -> String {
    format!(
        "{:.d$} / {:.d$} / {:.d$}",
        g.max,
        g.avg,
        g.current,
        d = decimals
    )
}

pub(crate) fn nines_figure(n: f64, lower_bound: bool) -> String {
    nines_figure_with(format!("{n:.2}"), lower_bound)
}

/// A figure as written, marked `≥` when it is a lower bound.
pub(crate) fn nines_figure_with(figure: String, lower_bound: bool) -> String {
    if lower_bound {
        format!("≥ {figure}")
    } else {
        figure
    }
}

fn nines_short(n: &NinesReport) -> String {
    nines_figure(n.requests, n.requests_is_lower_bound)
}

/// Enough digits to tell 99.99 % from 99.999 %.
pub(crate) fn percent(fraction: f64) -> String {
    if fraction >= 1.0 {
        "100%".to_string()
    } else {
        format!("{:.4}%", fraction * 100.0)
    }
}

/// A duration the way an operator says it: `52s`, `5m 12s`, `2h 03m`, `3d 04h`.
pub(crate) fn duration(secs: f64) -> String {
    crate::units::duration::for_people(secs)
}

/// An instant of the run as a clock: `00:10:52`, `12d 04:00:00`.
fn clock(secs: f64) -> String {
    let s = secs.round() as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// A clock to the millisecond, for the timeline.
fn clock_exact(t: SimTime) -> String {
    let ms = t.as_nanos() / 1_000_000;
    format!("{}.{:03}", clock((ms / 1000) as f64), ms % 1000)
}

fn count(c: &CountOverTime) -> String {
    format!("{} / {:.1} / {} / {}", c.min, c.mean, c.max, c.last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_for_people() {
        assert_eq!(duration(52.0), "52s");
        assert_eq!(duration(312.0), "5m 12s");
        assert_eq!(duration(7380.0), "2h 03m");
        assert_eq!(clock(652.0), "00:10:52");
        assert_eq!(
            clock_exact(SimTime::from_nanos(652_250_000_000)),
            "00:10:52.250"
        );
        assert_eq!(percent(0.99833), "99.8330%");
    }

    #[test]
    fn what_is_not_shown_is_counted_as_the_shown_figures_are() {
        let mut out = String::new();
        more_in_json(&mut out, 44_745, 10, ("pod", "pods"));
        assert_eq!(
            out,
            "  … 44,735 more pods; `--format json` lists them all\n"
        );
    }

    #[test]
    fn one_of_a_thing_is_counted_in_the_singular() {
        // The review's `· 1 events` (hung-app-tcp-probe).
        assert_eq!(counted(1, "event", "events"), "1 event");
        assert_eq!(counted(0, "event", "events"), "0 events");
        assert_eq!(counted(1_234, "event", "events"), "1,234 events");
        let mut out = String::new();
        more_in_json(&mut out, 21, 20, ("incident", "incidents"));
        assert_eq!(out, "  … 1 more incident; `--format json` lists them all\n");
    }
}
