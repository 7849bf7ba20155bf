//! A pod's graceful termination (k8s-reference §5). Deleting a pod starts
//! two things at once: the control plane takes it out of the EndpointSlice
//! (kube-proxy learns it `endpointPropagationDelay` later), and its kubelet
//! runs the `preStop` hook, then sends SIGTERM. On SIGTERM the app stops
//! accepting connections and finishes the requests it holds; it exits when
//! they are done, or is SIGKILLed when `terminationGracePeriodSeconds`
//! (counted from the start, hook included) runs out. Between SIGTERM and
//! kube-proxy's update, requests still routed to the pod are refused
//! (`stale_endpoint`): the termination race, which a `preStop` sleep
//! longer than the propagation delay closes.

use super::{ModelEvent, PodId, World};
use crate::sim::{Engine, SimDuration};

/// The least time the kubelet leaves between SIGTERM and SIGKILL, however
/// much of the grace period the `preStop` hook took
/// (`minimumGracePeriodInSeconds` in kuberuntime).
const MINIMUM_GRACE_PERIOD: SimDuration = SimDuration::from_secs(2);

/// When the kubelet's `killContainer` sends SIGTERM and SIGKILL, counted
/// from the start of a stop with grace period `grace` and a `preStop` hook
/// that takes `hook`: the hook runs at most the grace period, SIGTERM
/// follows it, and SIGKILL comes after what is left of the grace period
/// once the hook's whole seconds are taken off, but never within
/// [`MINIMUM_GRACE_PERIOD`] of SIGTERM.
pub(super) fn kill_times(grace: SimDuration, hook: SimDuration) -> (SimDuration, SimDuration) {
    let sigterm = hook.min(grace);
    let whole_seconds = SimDuration::from_secs(sigterm.as_nanos() / 1_000_000_000);
    let left = grace
        .saturating_sub(whole_seconds)
        .max(MINIMUM_GRACE_PERIOD);
    (sigterm, sigterm + left)
}

impl World<'_> {
    /// The kubelet starts stopping a deleted pod's container.
    pub(super) fn begin_termination(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        if !self.pods[pod].container_runs() {
            self.release_pod(pod, engine);
            return;
        }
        if std::mem::replace(&mut self.pods[pod].terminating, true) {
            // Already under way (it began before a partition, say).
            return;
        }
        let now = engine.now();
        let w = self.pods[pod].workload;
        let workload = &self.scenario.workloads[w];
        let grace = match self.pods[pod].evicted_at {
            Some(_) => super::memory::IMMEDIATE_EVICTION_GRACE_PERIOD,
            None => workload.termination_grace_period,
        };
        let hook = workload.pre_stop.sample(&mut self.workloads[w].kubelet_rng);
        let name = &self.pods[pod].name;
        self.trace.emit(now, false, "Pod", name, "Killing", || {
            format!("Stopping container {}", workload.name)
        });
        let p = &mut self.pods[pod];
        let (sigterm, sigkill) = kill_times(grace, hook);
        p.termination_deadline = now + sigkill;
        if sigterm.is_zero() {
            self.send_sigterm(pod, engine);
        } else {
            engine.set_timer_in(
                p.termination_timer,
                sigterm,
                ModelEvent::PreStopDone { pod },
            );
        }
    }

    /// The hook is done (or the grace period ran out during it): SIGTERM.
    pub(super) fn send_sigterm(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let p = &mut self.pods[pod];
        if !p.container_runs() {
            return;
        }
        p.sigterm = true;
        let deadline = p.termination_deadline.max(now);
        let w = p.workload;
        // A hung app never gets to exit: SIGKILL at the deadline. An
        // answering one is done when its requests are, about a response
        // time at its load.
        let (exit_at, killed) = if p.hung {
            (deadline, false)
        } else {
            let traffic = &self.workloads[w].traffic;
            let load = if p.in_view {
                traffic.rate_per_endpoint(now)
            } else {
                0.0
            };
            let response = traffic.capacity(p.version).response_time_s(load);
            let drained = if response.is_finite() {
                now + SimDuration::from_secs_f64(response)
            } else {
                deadline
            };
            (drained.min(deadline), drained > deadline)
        };
        engine
            .set_timer(
                p.termination_timer,
                exit_at,
                ModelEvent::ContainerTerminated { pod, killed },
            )
            .expect("the exit is not in the past");
        self.container_changed(pod, engine);
    }

    /// The container is gone: it exited, or SIGKILL took it with whatever
    /// it still held in flight.
    pub(super) fn container_terminated(
        &mut self,
        pod: PodId,
        killed: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        if killed {
            let now = engine.now();
            let p = &self.pods[pod];
            let serving = p.endpoint == Some(crate::traffic::EndpointClass::Serving);
            let (w, version) = (p.workload, p.version);
            self.workloads[w]
                .traffic
                .drop_in_flight(now, version, pod, serving);
        }
        self.release_pod(pod, engine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> SimDuration {
        SimDuration::from_secs_f64(s)
    }

    #[test]
    fn sigkill_comes_after_the_grace_period_left_and_never_within_two_seconds_of_sigterm() {
        let grace = secs(30.0);
        let cases = [
            // No hook: SIGTERM at once, SIGKILL at the grace period.
            (0.0, 0.0, 30.0),
            // A whole-second hook leaves the rest of the grace period.
            (5.0, 5.0, 30.0),
            // Only the hook's whole seconds are taken off the grace period.
            (5.5, 5.5, 30.5),
            // A hook ending within 2 s of the grace period still leaves 2 s.
            (29.0, 29.0, 31.0),
            (30.0, 30.0, 32.0),
            // A hook outlasting the grace period is cut there, then 2 s.
            (45.0, 30.0, 32.0),
        ];
        for (hook, sigterm, sigkill) in cases {
            assert_eq!(
                kill_times(grace, secs(hook)),
                (secs(sigterm), secs(sigkill)),
                "hook {hook} s"
            );
        }
    }
}
