//! What a run means, for people and machines: the [`Report`] (its JSON keys
//! are the stable interface, DESIGN.md), the text summary, and the trace as
//! CSV. The report computes figures from observations; it never simulates.

mod aggregate;
pub mod charts;
mod columns;
pub mod markdown;
mod nines;
pub mod numbers;
mod run_figures;
mod text;
mod timeline;
mod timeseries_csv;
mod trace_csv;

pub use aggregate::{AggregateCheck, AggregateNines, AggregateReport};
pub use nines::{Nines, nines};
pub use run_figures::{FIGURES, FiguresSummary, RunFigures, write_runs_csv};
pub use text::render_text;
pub use timeseries_csv::TimeseriesCsvWriter;
pub use trace_csv::{TraceCsvWriter, write_trace_csv};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::{GaugeSummary, Incident};
use crate::model::Observations;
use crate::scenario::Scenario;
use crate::scenario::file::SloExpectation;
use crate::sim::SimDuration;
use crate::traffic::{Outcome, OutcomeCounts};

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    /// Events the engine delivered: a measure of how much happened.
    pub events: u64,
    pub requests: Requests,
    pub availability: Availability,
    pub nines: NinesReport,
    /// Time during which some workload was down.
    pub downtime_s: f64,
    pub incidents: Vec<IncidentReport>,
    /// The control plane apart: the time its API was writable.
    pub control_plane: ControlPlaneReport,
    /// Writes undone by an etcd restore: made after the snapshot restored.
    pub lost_changes: Vec<LostChangeReport>,
    /// What the availability cost: the capacity a sweep charts it against.
    pub capacity: CapacityReport,
    #[serde(serialize_with = "ordered_map")]
    pub workloads: Vec<(String, WorkloadReport)>,
    /// The node pools the cluster autoscaler sizes: their node counts.
    #[serde(serialize_with = "ordered_map", skip_serializing_if = "Vec::is_empty")]
    pub node_pools: Vec<(String, NodePoolReport)>,
    /// Every rollout, in the order they started.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rollouts: Vec<RolloutReport>,
    /// Every `kubectl drain`, in the order they started.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drains: Vec<DrainReport>,
    pub slo: Option<SloReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrainReport {
    pub node: String,
    pub start_s: f64,
    /// When its last pod terminated; absent if it had not by the end.
    pub end_s: Option<f64>,
    /// Time during which PodDisruptionBudgets refused some eviction.
    pub waited_on_budget_s: f64,
    /// Evictions refused (429) and retried.
    pub evictions_refused: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct RolloutReport {
    pub workload: String,
    /// The Deployment revision it rolled out (the scenario's version is 1).
    pub revision: usize,
    pub start_s: f64,
    /// When it completed, stalled for good, was rolled back or superseded;
    /// absent while still in progress at the end.
    pub end_s: Option<f64>,
    /// `complete`, `stalled`, `rolled_back`, `superseded` or `in_progress`.
    pub outcome: &'static str,
    /// The workload's requests from its start to its end.
    pub requests: Requests,
}

/// A count over the run: its range, its value at the end, its time-weighted mean.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CountOverTime {
    pub min: u32,
    pub max: u32,
    #[serde(rename = "final")]
    pub last: u32,
    pub mean: f64,
}

impl CountOverTime {
    fn of(g: &GaugeSummary) -> Self {
        CountOverTime {
            min: g.min,
            max: g.max,
            last: g.last,
            mean: g.mean,
        }
    }
}

/// Time-weighted means over the run, so that an autoscaled cluster's cost
/// is what it ran, not what it could have.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CapacityReport {
    /// Registered nodes, every pool together.
    pub nodes: f64,
    /// The Deployments' `replicas`, every workload together.
    pub replicas: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodePoolReport {
    /// Registered nodes.
    pub nodes: CountOverTime,
}

/// What the workload's HorizontalPodAutoscaler did.
#[derive(Debug, Clone, Serialize)]
pub struct AutoscalingReport {
    /// The Deployment's `replicas` as the HPA set it.
    pub replicas: CountOverTime,
    pub max_replicas: u32,
    /// Time spent at `maxReplicas`: load the HPA was not allowed to follow.
    pub at_max_replicas_s: f64,
    /// `SuccessfulRescale` events.
    pub rescales: u32,
    /// Requests that failed between a rescale and the moment the Service
    /// routed to exactly the new number of serving pods.
    pub failed_while_scaling: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Requests {
    pub total: u64,
    pub ok: u64,
    pub failed: u64,
    pub dropped_in_flight: u64,
    /// Failed requests by cause; causes that never happened are left out.
    pub by_cause: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    /// ok / total.
    pub requests: f64,
    /// Fraction of the time up: for a workload, at least `minReady`
    /// endpoints serving; for the scenario, every workload up.
    pub time: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NinesReport {
    pub requests: f64,
    pub time: f64,
    /// Nothing failed: the figure is the rule-of-three 95 % lower bound.
    pub requests_is_lower_bound: bool,
    pub time_is_lower_bound: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LostChangeReport {
    pub time_s: f64,
    pub object: String,
    pub change: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlPlaneReport {
    /// Fraction of the time the API was writable.
    pub availability: f64,
    pub downtime_s: f64,
    pub incidents: Vec<ControlPlaneIncidentReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlPlaneIncidentReport {
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    /// Which component failed: no API server, or no etcd quorum.
    pub cause: String,
    pub ongoing: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentReport {
    pub workload: String,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    pub cause: String,
    /// Still going when the run ended.
    pub ongoing: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadReport {
    /// Guaranteed, Burstable or BestEffort, as Kubernetes derives it.
    pub qos_class: &'static str,
    pub requests: Requests,
    pub availability: Availability,
    pub nines: NinesReport,
    pub downtime_s: f64,
    pub incidents: usize,
    pub restarts: u64,
    /// The pods that restarted, with their restart counts.
    pub pod_restarts: Vec<PodRestarts>,
    /// The talk's monitoring view: CPU cores used by the workload's pods.
    pub cpu_cores: Gauge,
    /// Average CPU use over the requests and limits of `replicas` pods.
    pub cpu_of_request: Option<f64>,
    pub cpu_of_limit: Option<f64>,
    /// Requests per second sent to the workload's Service.
    pub requests_per_second: Gauge,
    /// Memory of one running container, in MiB: the most any held, the
    /// mean over time, the mean at the end.
    pub memory_mib: Gauge,
    /// The pods the OOM killer hit, with their counts.
    pub pod_oom_kills: Vec<PodOomKills>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<AutoscalingReport>,
    /// With `--exact`: how long the answered requests took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<LatencyReport>,
}

/// Percentiles of the answered requests' latency, in milliseconds, to the
/// histogram's three significant digits.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LatencyReport {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PodOomKills {
    pub pod: String,
    pub oom_kills: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct PodRestarts {
    pub pod: String,
    pub restarts: u32,
}

/// A quantity as a monitoring dashboard shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Gauge {
    pub max: f64,
    pub avg: f64,
    pub current: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SloReport {
    /// Every check passed.
    pub passed: bool,
    /// `met`, or `violated` for a scenario that demonstrates a pitfall.
    pub expect: &'static str,
    /// `passed` is what `expect` says: the scenario shows what it is for.
    pub as_expected: bool,
    pub checks: Vec<SloCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SloCheck {
    pub name: &'static str,
    pub target: f64,
    pub actual: f64,
    pub passed: bool,
    /// For availability targets: the share of the allowed failures used,
    /// (1 − actual) / (1 − target); above 1 the budget is overspent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_budget_used: Option<f64>,
}

const MIB: f64 = (1 << 20) as f64;

/// Average cores over what `replicas` pods (on average over the run) of
/// `millis` each amount to.
fn share(avg_cores: f64, millis: u64, replicas: &GaugeSummary) -> Option<f64> {
    let mean = if replicas.min == replicas.max {
        f64::from(replicas.min)
    } else {
        replicas.mean
    };
    let total = millis as f64 / 1000.0 * mean;
    (total > 0.0).then(|| avg_cores / total)
}

fn ordered_map<S: serde::Serializer, V: Serialize>(
    entries: &[(String, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(entries.iter().map(|(k, v)| (k, v)))
}

fn requests(counts: &OutcomeCounts) -> Requests {
    let by_cause = Outcome::ALL
        .into_iter()
        .filter(|o| *o != Outcome::Ok)
        .filter(|&o| counts.get(o) > 0)
        .map(|o| (o.key(), counts.get(o)))
        .collect();
    Requests {
        total: counts.total(),
        ok: counts.get(Outcome::Ok),
        failed: counts.failed(),
        dropped_in_flight: counts.get(Outcome::DroppedInFlight),
        by_cause,
    }
}

fn availability_and_nines(
    counts: &OutcomeCounts,
    downtime: SimDuration,
    duration: SimDuration,
) -> (Availability, NinesReport) {
    let r = nines::for_requests(counts.failed(), counts.total());
    let t = nines::for_time(downtime, duration);
    (
        Availability {
            requests: r.availability,
            time: t.availability,
        },
        NinesReport {
            requests: r.nines,
            time: t.nines,
            requests_is_lower_bound: r.is_lower_bound,
            time_is_lower_bound: t.is_lower_bound,
        },
    )
}

impl Report {
    pub fn new(scenario: &Scenario, seed: u64, events: u64, obs: &Observations) -> Report {
        let duration = obs.uptime.duration;
        let seconds = duration.as_secs_f64();
        let mut total = OutcomeCounts::default();
        for c in &obs.requests {
            total.add(c);
        }
        let (availability, nines) =
            availability_and_nines(&total, obs.uptime.scenario_downtime, duration);
        let workloads = scenario
            .workloads
            .iter()
            .enumerate()
            .map(|(w, spec)| {
                let (availability, nines) = availability_and_nines(
                    &obs.requests[w],
                    obs.uptime.workload_downtime[w],
                    duration,
                );
                (
                    spec.name.clone(),
                    WorkloadReport {
                        qos_class: spec.qos_class(),
                        pod_restarts: obs.pod_restarts[w]
                            .iter()
                            .map(|(pod, restarts)| PodRestarts {
                                pod: pod.clone(),
                                restarts: *restarts,
                            })
                            .collect(),
                        cpu_cores: Gauge {
                            max: obs.usage[w].0.cpu_max_cores,
                            avg: obs.usage[w].0.cpu_core_seconds / seconds,
                            current: obs.usage[w].1.cpu_cores,
                        },
                        cpu_of_request: share(
                            obs.usage[w].0.cpu_core_seconds / seconds,
                            spec.requests.cpu_millis,
                            &obs.replicas[w],
                        ),
                        cpu_of_limit: share(
                            obs.usage[w].0.cpu_core_seconds / seconds,
                            spec.limits.cpu_millis,
                            &obs.replicas[w],
                        ),
                        requests_per_second: Gauge {
                            max: obs.usage[w].0.offered_rate_max,
                            avg: obs.usage[w].0.offered_requests / seconds,
                            current: obs.usage[w].1.offered_rate,
                        },
                        memory_mib: {
                            let m = &obs.memory[w];
                            Gauge {
                                max: m.max_pod_bytes / MIB,
                                avg: if m.pod_seconds > 0.0 {
                                    m.byte_seconds / m.pod_seconds / MIB
                                } else {
                                    0.0
                                },
                                current: obs.usage[w].1.memory_bytes / MIB,
                            }
                        },
                        pod_oom_kills: obs.pod_oom_kills[w]
                            .iter()
                            .map(|(pod, oom_kills)| PodOomKills {
                                pod: pod.clone(),
                                oom_kills: *oom_kills,
                            })
                            .collect(),
                        requests: requests(&obs.requests[w]),
                        availability,
                        nines,
                        downtime_s: obs.uptime.workload_downtime[w].as_secs_f64(),
                        incidents: obs
                            .uptime
                            .incidents
                            .iter()
                            .filter(|i| i.workload == w)
                            .count(),
                        restarts: obs.restarts[w],
                        autoscaling: spec.hpa.as_ref().map(|hpa| AutoscalingReport {
                            replicas: CountOverTime::of(&obs.replicas[w]),
                            max_replicas: hpa.max_replicas,
                            at_max_replicas_s: obs.replicas[w].at_watched.as_secs_f64(),
                            rescales: obs.rescales[w],
                            failed_while_scaling: obs.failed_while_scaling[w],
                        }),
                        latency_ms: obs.latency_ms[w].map(|[p50, p95, p99]| LatencyReport {
                            p50,
                            p95,
                            p99,
                        }),
                    },
                )
            })
            .collect();
        let incidents = obs
            .uptime
            .incidents
            .iter()
            .map(|i: &Incident| IncidentReport {
                workload: scenario.workloads[i.workload].name.clone(),
                start_s: i.start.as_secs_f64(),
                end_s: i.end.as_secs_f64(),
                duration_s: i.duration().as_secs_f64(),
                cause: i.cause.clone(),
                ongoing: i.ongoing,
            })
            .collect();
        let cp_incidents: Vec<ControlPlaneIncidentReport> = obs
            .control_plane_incidents
            .iter()
            .map(|i| ControlPlaneIncidentReport {
                start_s: i.start.as_secs_f64(),
                end_s: i.end.as_secs_f64(),
                duration_s: (i.end - i.start).as_secs_f64(),
                cause: i.cause.clone(),
                ongoing: i.ongoing,
            })
            .collect();
        // A fold from +0.0, not `sum()`: an empty f64 sum is -0.0, which the
        // JSON would print as a negative downtime.
        let cp_downtime = cp_incidents
            .iter()
            .fold(0.0, |total, i| total + i.duration_s);
        let control_plane = ControlPlaneReport {
            availability: if seconds > 0.0 {
                1.0 - cp_downtime / seconds
            } else {
                1.0
            },
            downtime_s: cp_downtime,
            incidents: cp_incidents,
        };
        let lost_changes = obs
            .lost_changes
            .iter()
            .map(|c| LostChangeReport {
                time_s: c.time.as_secs_f64(),
                object: c.object.clone(),
                change: c.change.clone(),
            })
            .collect();
        let capacity = CapacityReport {
            nodes: obs.nodes.iter().map(|g| g.mean).sum(),
            replicas: obs.replicas.iter().map(|g| g.mean).sum(),
        };
        let mut report = Report {
            control_plane,
            lost_changes,
            capacity,
            scenario: scenario.name.clone(),
            seed,
            duration_s: duration.as_secs_f64(),
            events,
            requests: requests(&total),
            availability,
            nines,
            downtime_s: obs.uptime.scenario_downtime.as_secs_f64(),
            incidents,
            workloads,
            node_pools: scenario
                .node_groups
                .iter()
                .enumerate()
                .filter(|(_, group)| group.is_some())
                .map(|(p, _)| {
                    (
                        scenario.pools[p].clone(),
                        NodePoolReport {
                            nodes: CountOverTime::of(&obs.nodes[p]),
                        },
                    )
                })
                .collect(),
            rollouts: obs
                .rollouts
                .iter()
                .map(|r| RolloutReport {
                    workload: scenario.workloads[r.workload].name.clone(),
                    revision: r.revision,
                    start_s: r.start.as_secs_f64(),
                    end_s: r.end.map(|e| e.as_secs_f64()),
                    outcome: r.outcome.key(),
                    requests: requests(&r.requests),
                })
                .collect(),
            drains: obs
                .drains
                .iter()
                .map(|d| DrainReport {
                    node: scenario.nodes[d.node].name.clone(),
                    start_s: d.start.as_secs_f64(),
                    end_s: d.end.map(|e| e.as_secs_f64()),
                    waited_on_budget_s: d.waited_on_budget.as_secs_f64(),
                    evictions_refused: d.evictions_refused,
                })
                .collect(),
            slo: None,
        };
        report.slo = slo(scenario, &report);
        report
    }

    /// The longest incident, in seconds (0 without incidents).
    pub fn longest_outage_s(&self) -> f64 {
        self.incidents
            .iter()
            .map(|i| i.duration_s)
            .fold(0.0, f64::max)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serializes");
        s.push('\n');
        s
    }
}

fn slo(scenario: &Scenario, report: &Report) -> Option<SloReport> {
    let s = &scenario.slo;
    if s.is_empty() {
        return None;
    }
    // An availability must reach its target, and uses part of the error
    // budget; a maximum must not be exceeded.
    let at_least = |name, target: f64, actual: f64| SloCheck {
        name,
        target,
        actual,
        passed: actual >= target,
        error_budget_used: (target < 1.0).then(|| (1.0 - actual) / (1.0 - target)),
    };
    let at_most = |name, max: f64, actual: f64| SloCheck {
        name,
        target: max,
        actual,
        passed: actual <= max,
        error_budget_used: None,
    };
    let checks: Vec<SloCheck> = [
        s.request_availability
            .map(|t| at_least("requestAvailability", t, report.availability.requests)),
        s.uptime
            .map(|t| at_least("uptime", t, report.availability.time)),
        s.max_dropped_in_flight.map(|m| {
            at_most(
                "maxDroppedInFlight",
                m as f64,
                report.requests.dropped_in_flight as f64,
            )
        }),
        s.max_outage
            .map(|m| at_most("maxOutage", m.as_secs_f64(), report.longest_outage_s())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let passed = checks.iter().all(|c| c.passed);
    let expect_met = s.expect == SloExpectation::Met;
    Some(SloReport {
        passed,
        expect: if expect_met { "met" } else { "violated" },
        as_expected: passed == expect_met,
        checks,
    })
}
