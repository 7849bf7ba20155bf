//! The kubelet's prober (k8s-reference §2), evaluated lazily. What a probe
//! sees is a function of the container's state and load: an `httpGet`,
//! `exec` or `grpc` probe passes while the app answers within
//! `timeoutSeconds` (an app near its CPU limit answers slowly), a
//! `tcpSocket` probe while the app's port accepts connections — which a hung
//! app's still does. That state changes only at model events, so at each
//! change the next verdict of every probe is computed from its phase: the
//! `failureThreshold`-th failing tick (or `successThreshold`-th passing one)
//! from the change on. A probe whose verdict cannot change schedules nothing,
//! so a healthy pod costs no events.
//!
//! A verdict is taken at the tick that completes the run of results. A
//! probe that times out really returns `timeoutSeconds` later; counting it
//! at its tick keeps a verdict from straddling a change of the app's state,
//! at the cost of being early by at most `timeoutSeconds`.

use super::pod::{Container, Pod};
use super::{ModelEvent, PodId, World};
use crate::scenario::{Probe, ProbeHandler, ProbeKind, Scenario};
use crate::sim::{Engine, SimDuration, SimTime};

/// The first tick at or after `not_before` on the grid `origin + k × period`.
pub(super) fn next_tick(origin: SimTime, period: SimDuration, not_before: SimTime) -> SimTime {
    if not_before <= origin {
        return origin;
    }
    let period = period.as_nanos().max(1);
    let since = (not_before - origin).as_nanos();
    origin + SimDuration::from_nanos(since.div_ceil(period).saturating_mul(period))
}

/// The `n`-th tick (1-based) at or after `not_before`.
fn nth_tick(origin: SimTime, period: SimDuration, not_before: SimTime, n: u32) -> SimTime {
    next_tick(origin, period, not_before) + period.saturating_mul(u64::from(n.saturating_sub(1)))
}

fn slot(kind: ProbeKind) -> usize {
    match kind {
        ProbeKind::Startup => 0,
        ProbeKind::Readiness => 1,
        ProbeKind::Liveness => 2,
    }
}

/// What the load decides of a workload's probe: its kind, its
/// `timeoutSeconds`, and whether the app answers it (not a `tcpSocket`
/// probe, which the kernel does). Made once per workload: every
/// observation and every load change reads it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ProbeTimeout {
    pub kind: ProbeKind,
    pub seconds: f64,
    pub answered_by_app: bool,
}

impl ProbeTimeout {
    /// The workload's probes, in the order of [`ProbeKind::ALL`].
    pub(super) fn of(workload: &crate::scenario::Workload) -> Vec<ProbeTimeout> {
        (ProbeKind::ALL.iter())
            .filter_map(|&kind| {
                Scenario::probe(workload, kind).map(|probe| ProbeTimeout {
                    kind,
                    seconds: probe.timeout.as_secs_f64(),
                    answered_by_app: probe.handler != ProbeHandler::TcpSocket,
                })
            })
            .collect()
    }

    /// Whether the probe passes against the container as it is: a
    /// `tcpSocket` probe while the app's port is open (hung or not), the
    /// others while the app answers within `timeoutSeconds` at its current
    /// load.
    fn passes(&self, pod: &Pod, response_time_s: f64) -> bool {
        if self.answered_by_app {
            answers(pod) && response_time_s <= self.seconds
        } else {
            pod.container == Container::Running
        }
    }
}

/// Whether the app answers requests, and so probes, in a time that
/// depends on its load: its port is open and it is not hung.
fn answers(pod: &Pod) -> bool {
    pod.container == Container::Running && !pod.hung
}

/// The message of an `Unhealthy` event, in the prober's words.
fn failure_message(pod: &Pod, probe: &Probe, kind: ProbeKind) -> String {
    let why = match (probe.handler, pod.container == Container::Running) {
        (ProbeHandler::HttpGet, true) => {
            "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        }
        (ProbeHandler::Grpc, true) => "timeout: health rpc did not complete within timeoutSeconds",
        (ProbeHandler::Exec, true) => "command timed out",
        (_, _) => "dial tcp: connect: connection refused",
    };
    format!("{} probe failed: {why}", kind.name())
}

/// Why the probe failed, in the model's terms, for the incidents it causes.
fn failure_cause(pod: &Pod, kind: ProbeKind) -> String {
    let why = if pod.container != Container::Running {
        "app not listening"
    } else if pod.hung {
        "app hung"
    } else {
        "app too slow near its CPU limit"
    };
    format!(
        "{} probe failed on {} ({why})",
        kind.name().to_lowercase(),
        pod.name
    )
}

impl World<'_> {
    /// Each prober of the pod starts with it on its node, at a phase of its
    /// own within its `periodSeconds`.
    pub(super) fn start_probers(&mut self, pod: PodId, now: SimTime) {
        use rand::RngExt;

        let workload = &self.scenario.workloads[self.pods[pod].workload];
        for kind in ProbeKind::ALL {
            if let Some(probe) = Scenario::probe(workload, kind) {
                let period = probe.period.as_nanos().max(1);
                self.pods[pod].probe_origins[slot(kind)] =
                    now + SimDuration::from_nanos(self.probe_rng.random_range(0..period));
            }
        }
    }

    /// Records what each probe would now see, keeping the instant it last
    /// changed. An endpoint in kube-proxy's view answers at the Service's
    /// load per endpoint; one out of it gets no traffic.
    /// Returns whether any probe's observation changed.
    pub(super) fn observe(&mut self, pod: PodId, now: SimTime) -> bool {
        // Only an app that answers and gets traffic answers at the load;
        // the others' verdicts do not read it. That is most calls (a pod
        // starting, turning Ready, stopping), and the rate of a diurnal
        // profile costs a cosine.
        let p = &self.pods[pod];
        let per_endpoint = if p.in_view && answers(p) {
            self.workloads[p.workload].traffic.rate_per_endpoint(now)
        } else {
            0.0
        };
        self.observe_at(pod, now, per_endpoint)
    }

    /// [`World::observe`] with the Service's load per endpoint given: the
    /// same for every pod of the workload, so a pass over them computes it
    /// once.
    pub(super) fn observe_at(&mut self, pod: PodId, now: SimTime, per_endpoint: f64) -> bool {
        let ws = &self.workloads[self.pods[pod].workload];
        let p = &mut self.pods[pod];
        let load = if p.in_view { per_endpoint } else { 0.0 };
        let response_time_s = ws.traffic.capacity(p.version).response_time_s(load);
        let mut changed = false;
        for probe in &ws.probe_timeouts {
            let i = slot(probe.kind);
            let seen = probe.passes(p, response_time_s);
            if p.seen[i] != seen {
                p.seen[i] = seen;
                p.seen_since[i] = now;
                changed = true;
            }
        }
        changed
    }

    /// Plans the next verdict of each of the pod's probes after a change.
    pub(super) fn plan_probes(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let workload = &self.scenario.workloads[self.pods[pod].workload];
        let p = &self.pods[pod];
        // A container being killed keeps its readiness probe (the kubelet
        // stops only liveness and startup on hold), so a startup kill
        // leaves nothing to probe.
        if !p.container_runs() || (p.killing && !p.started) {
            engine.cancel_timer(p.liveness_timer);
            engine.cancel_timer(p.readiness_timer);
            return;
        }
        // Counting starts at the change (or when the probe may first run);
        // every change re-plans, so no verdict can fall before now.
        let from = |probe: &Probe, since: SimTime, kind| {
            let start = p.started_at + probe.initial_delay;
            let probing = if kind == ProbeKind::Startup {
                start
            } else {
                start.max(p.probing_since)
            };
            since.max(probing)
        };
        if !p.started {
            let probe = workload
                .startup_probe
                .as_ref()
                .expect("not started means a startup probe");
            let (passes, since) = (p.seen[0], p.seen_since[0]);
            let origin = p.probe_origins[slot(ProbeKind::Startup)];
            let from = from(probe, since, ProbeKind::Startup);
            let (at, event) = if passes {
                (
                    next_tick(origin, probe.period, from),
                    ModelEvent::StartupProbeSucceeded { pod },
                )
            } else {
                (
                    nth_tick(origin, probe.period, from, probe.failure_threshold),
                    ModelEvent::ProbeKilled {
                        pod,
                        probe: ProbeKind::Startup,
                    },
                )
            };
            engine
                .set_timer(p.liveness_timer, at, event)
                .expect("probe ticks are not in the past");
            engine.cancel_timer(p.readiness_timer);
            return;
        }
        match &workload.liveness_probe {
            Some(probe) if !p.seen[2] && !p.killing => {
                let since = p.seen_since[2];
                let origin = p.probe_origins[slot(ProbeKind::Liveness)];
                let at = nth_tick(
                    origin,
                    probe.period,
                    from(probe, since, ProbeKind::Liveness),
                    probe.failure_threshold,
                );
                let event = ModelEvent::ProbeKilled {
                    pod,
                    probe: ProbeKind::Liveness,
                };
                engine
                    .set_timer(p.liveness_timer, at, event)
                    .expect("probe ticks are not in the past");
            }
            _ => engine.cancel_timer(p.liveness_timer),
        }
        match &workload.readiness_probe {
            Some(probe) => {
                let (passes, since) = (p.seen[1], p.seen_since[1]);
                let origin = p.probe_origins[slot(ProbeKind::Readiness)];
                let from = from(probe, since, ProbeKind::Readiness);
                if passes && !p.probe_ready {
                    let at = if p.readiness_triggered && from == p.probing_since {
                        // The triggered run passes: the first of the
                        // `successThreshold`, the rest on the ticks after.
                        let after = from + SimDuration::from_nanos(1);
                        match probe.success_threshold {
                            0 | 1 => from,
                            k => nth_tick(origin, probe.period, after, k - 1),
                        }
                    } else {
                        nth_tick(origin, probe.period, from, probe.success_threshold)
                    };
                    let event = ModelEvent::ReadinessProbeSucceeded { pod };
                    engine
                        .set_timer(p.readiness_timer, at, event)
                        .expect("probe ticks are not in the past");
                } else if !passes && p.probe_ready {
                    let at = nth_tick(origin, probe.period, from, probe.failure_threshold);
                    let event = ModelEvent::ReadinessProbeFailed { pod };
                    engine
                        .set_timer(p.readiness_timer, at, event)
                        .expect("probe ticks are not in the past");
                } else {
                    engine.cancel_timer(p.readiness_timer);
                }
            }
            None => engine.cancel_timer(p.readiness_timer),
        }
    }

    /// The pod's `Ready` condition, as its node's kubelet reports it
    /// (`UpdatePodStatus`): the container runs, the startup probe passed,
    /// and the readiness probe (if any) says ready. A container being
    /// killed after a failed liveness probe runs until it exits, and stays
    /// Ready unless its readiness probe fails meanwhile.
    pub(super) fn update_ready(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let workload = &self.scenario.workloads[self.pods[pod].workload];
        let p = &self.pods[pod];
        if !p
            .node
            .is_some_and(|n| self.nodes[n].up && !self.nodes[n].partitioned)
        {
            // No kubelet to report: the API keeps what it last heard.
            return;
        }
        let ready = p.container_runs()
            && !p.deleting
            && p.started
            && (workload.readiness_probe.is_none() || p.probe_ready);
        self.set_api_ready(pod, ready, engine);
    }

    /// The state the probes see changed: observe, re-plan, and bring the
    /// endpoint and the Ready condition in line.
    pub(super) fn container_changed(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.hpa_pod_changed(pod);
        self.observe(pod, engine.now());
        self.plan_probes(pod, engine);
        self.update_ready(pod, engine);
        self.refresh_endpoint(pod, engine);
        if let Some(node) = self.pods[pod].node {
            self.plan_node_pressure(node, engine);
        }
    }

    pub(super) fn startup_probe_succeeded(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let p = &mut self.pods[pod];
        p.started = true;
        p.probing_since = engine.now();
        p.readiness_triggered = true;
        self.container_changed(pod, engine);
    }

    pub(super) fn readiness_probe_succeeded(
        &mut self,
        pod: PodId,
        engine: &mut Engine<ModelEvent>,
    ) {
        self.pods[pod].probe_ready = true;
        self.container_changed(pod, engine);
    }

    pub(super) fn readiness_probe_failed(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let workload = &self.scenario.workloads[self.pods[pod].workload];
        let probe = workload
            .readiness_probe
            .as_ref()
            .expect("a readiness probe failed");
        let p = &mut self.pods[pod];
        p.probe_ready = false;
        let message = failure_message(p, probe, ProbeKind::Readiness);
        p.cause = failure_cause(p, ProbeKind::Readiness).into();
        self.trace
            .emit(now, true, "Pod", &p.name, "Unhealthy", || message);
        self.container_changed(pod, engine);
    }

    /// A liveness or startup probe failed `failureThreshold` times in a row:
    /// the kubelet kills the container, which then restarts.
    pub(super) fn probe_killed(
        &mut self,
        pod: PodId,
        kind: ProbeKind,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let workload = &self.scenario.workloads[self.pods[pod].workload];
        let probe = Scenario::probe(workload, kind).expect("the probe that failed exists");
        let p = &mut self.pods[pod];
        let message = failure_message(p, probe, kind);
        p.cause = failure_cause(p, kind).into();
        self.trace
            .emit(now, true, "Pod", &p.name, "Unhealthy", || message);
        let container = &workload.name;
        let lower = kind.name().to_lowercase();
        self.trace.emit(now, true, "Pod", &p.name, "Killing", || {
            format!("Container {container} failed {lower} probe, will be restarted")
        });
        let grace = probe
            .termination_grace_period
            .unwrap_or(workload.termination_grace_period);
        self.kill_container(pod, grace, engine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_on_the_probers_grid() {
        let o = SimTime::from_secs(3);
        let p = SimDuration::from_secs(10);
        assert_eq!(
            next_tick(o, p, SimTime::from_secs(3)),
            SimTime::from_secs(3)
        );
        assert_eq!(
            next_tick(o, p, SimTime::from_secs(4)),
            SimTime::from_secs(13)
        );
        assert_eq!(
            next_tick(o, p, SimTime::from_secs(1)),
            SimTime::from_secs(3)
        );
        assert_eq!(
            nth_tick(o, p, SimTime::from_secs(4), 3),
            SimTime::from_secs(33)
        );
    }
}
