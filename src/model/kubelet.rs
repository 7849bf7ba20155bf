//! The kubelet's part: pulling images, starting containers, the app's own
//! startup and hangs, and stopping and restarting containers with
//! CrashLoopBackOff. The probes are in [`super::prober`].

use super::pod::Container;
use super::termination::kill_times;
use super::{ModelEvent, NodeId, PodId, World};
use crate::scenario::defaults;
use crate::sim::{Engine, SimDuration, SimTime};

/// The CrashLoopBackOff delay before restart number `crash_loop` (1-based):
/// none before the first, whose container the kubelet's back-off has no
/// entry for yet (`doBackOff` starts it at once and arms 10 s), then 10 s
/// doubling up to 300 s.
pub(super) fn crash_loop_back_off(crash_loop: u32) -> SimDuration {
    if crash_loop <= 1 {
        return SimDuration::ZERO;
    }
    let doublings = (crash_loop - 2).min(16);
    let delay = defaults::CRASH_LOOP_BACK_OFF_INITIAL.saturating_mul(1 << doublings);
    delay.min(defaults::CRASH_LOOP_BACK_OFF_MAX)
}

impl World<'_> {
    /// The kubelet takes a pod bound to its node: the image is pulled if the
    /// node lacks it (pulls run one at a time), then the container starts.
    pub(super) fn admit(&mut self, pod: PodId, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let w = self.pods[pod].workload;
        let version = self.pods[pod].version;
        let workload = &self.scenario.workloads[w];
        self.start_probers(pod, now);
        let n = &mut self.nodes[node];
        let start = match self.workloads[w].versions[version].images[node] {
            Some(ready) => {
                self.pods[pod].pulled_cold = false;
                ready.max(now)
            }
            None => {
                let ws = &mut self.workloads[w];
                let pull = ws.versions[version]
                    .app
                    .image_pull
                    .sample(&mut ws.kubelet_rng);
                let begin = n.pull_free_at.max(now);
                let ready = begin + pull;
                n.pull_free_at = ready;
                n.pulls.retain(|&(end, _, _)| end > now);
                n.pulls.push((ready, w, version));
                ws.versions[version].images[node] = Some(ready);
                self.pods[pod].pulled_cold = true;
                let name = &self.pods[pod].name;
                self.trace.emit(now, false, "Pod", name, "Pulling", || {
                    format!("Pulling image \"{}\"", image(&workload.name, version))
                });
                ready
            }
        };
        let timer = self.pods[pod].timer;
        engine
            .set_timer(timer, start, ModelEvent::ContainerStarted { pod })
            .expect("an image is never ready before now");
    }

    /// The machine is replaced: no image of any workload's version is on
    /// its disk.
    pub(super) fn forget_images(&mut self, node: NodeId) {
        self.nodes[node].pulls.clear();
        let versions = self.workloads.iter_mut().flat_map(|ws| &mut ws.versions);
        for version in versions {
            version.images[node] = None;
        }
    }

    /// The machine stops: the pulls still in progress die with it, and
    /// what was pulled stays on disk.
    pub(super) fn abort_pulls(&mut self, node: NodeId, now: SimTime) {
        for (end, w, version) in std::mem::take(&mut self.nodes[node].pulls) {
            if end > now {
                self.workloads[w].versions[version].images[node] = None;
            }
        }
    }

    pub(super) fn container_started(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let w = self.pods[pod].workload;
        let version = self.pods[pod].version;
        let workload = &self.scenario.workloads[w];
        let pulled_cold = std::mem::take(&mut self.pods[pod].pulled_cold);
        let name = &self.pods[pod].name;
        let image = || image(&workload.name, version);
        if pulled_cold {
            self.trace.emit(now, false, "Pod", name, "Pulled", || {
                format!("Successfully pulled image \"{}\"", image())
            });
        } else {
            self.trace.emit(now, false, "Pod", name, "Pulled", || {
                format!("Container image \"{}\" already present on machine", image())
            });
        }
        self.trace.emit(now, false, "Pod", name, "Created", || {
            format!("Created container: {}", workload.name)
        });
        self.trace.emit(now, false, "Pod", name, "Started", || {
            format!("Started container {}", workload.name)
        });
        let ws = &mut self.workloads[w];
        let startup = ws.versions[version].app.startup.sample(&mut ws.kubelet_rng);
        self.set_container(pod, Container::Starting);
        let p = &mut self.pods[pod];
        p.started_at = now;
        p.ever_started = true;
        p.hung = false;
        p.killing = false;
        p.started = workload.startup_probe.is_none();
        p.probing_since = now;
        p.readiness_triggered = false;
        p.probe_ready = false;
        engine.set_timer_in(p.timer, startup, ModelEvent::AppStarted { pod });
        self.arm_pod_failure(pod, engine);
        self.memory_starts(pod, engine);
        // Without a readiness probe the pod is Ready as soon as its container
        // runs (and its startup probe, if any, passed), whether or not the
        // app answers yet.
        self.container_changed(pod, engine);
    }

    pub(super) fn app_started(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let (w, version) = (self.pods[pod].workload, self.pods[pod].version);
        if self.workloads[w].versions[version].app.crash_on_start {
            // A broken release: the process exits with an error once started.
            self.pods[pod].cause = format!("{} crashed on start", self.pods[pod].name).into();
            self.crash_container(pod, engine);
            return;
        }
        self.set_container(pod, Container::Running);
        self.container_changed(pod, engine);
    }

    /// The app stops answering; its process lives on and its port stays
    /// open. It answers again after `recover_after`, if given.
    pub(super) fn app_hangs(
        &mut self,
        pod: PodId,
        recover_after: Option<SimDuration>,
        engine: &mut Engine<ModelEvent>,
    ) {
        let p = &mut self.pods[pod];
        p.hung = true;
        engine.cancel_timer(p.failure_timer);
        if let Some(d) = recover_after {
            engine.set_timer_in(p.hang_timer, d, ModelEvent::AppRecovers { pod });
        }
        self.container_changed(pod, engine);
    }

    pub(super) fn app_recovers(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.pods[pod].hung = false;
        self.arm_pod_failure(pod, engine);
        self.container_changed(pod, engine);
    }

    /// The container process dies of itself.
    pub(super) fn crash_container(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        if self.pods[pod].container_runs() {
            self.container_exited(pod, true, engine);
        }
    }

    /// The kubelet stops the container to restart it: the `preStop` hook
    /// runs first (within `grace`), then SIGTERM, which an answering app
    /// obeys at once; a hung one ignores it and is SIGKILLed when
    /// [`kill_times`] says.
    pub(super) fn kill_container(
        &mut self,
        pod: PodId,
        grace: SimDuration,
        engine: &mut Engine<ModelEvent>,
    ) {
        let w = self.pods[pod].workload;
        let ws = &mut self.workloads[w];
        let hook = self.scenario.workloads[w]
            .pre_stop
            .sample(&mut ws.kubelet_rng);
        let (sigterm, sigkill) = kill_times(grace, hook);
        let p = &mut self.pods[pod];
        p.killing = true;
        if p.hung || !sigterm.is_zero() {
            let exit_in = if p.hung { sigkill } else { sigterm };
            engine.set_timer_in(p.timer, exit_in, ModelEvent::ContainerKilled { pod });
            self.container_changed(pod, engine);
        } else {
            self.container_exited(pod, false, engine);
        }
    }

    /// The container is gone and the kubelet restarts it in place: at once
    /// the first time, then after the CrashLoopBackOff delay, which doubles
    /// with every exit, all forgotten once the container had run for 10
    /// minutes.
    pub(super) fn container_exited(
        &mut self,
        pod: PodId,
        abruptly: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        self.stop_container(pod, abruptly, engine);
        if self.pods[pod].deleting {
            // A terminating pod's containers are never restarted.
            self.release_pod(pod, engine);
            return;
        }
        let p = &mut self.pods[pod];
        if now - p.started_at >= defaults::CRASH_LOOP_BACK_OFF_RESET {
            p.crash_loop = 0;
        }
        p.crash_loop += 1;
        p.restarts += 1;
        let delay = crash_loop_back_off(p.crash_loop);
        engine.set_timer_in(p.timer, delay, ModelEvent::BackOffExpired { pod });
        if delay.is_zero() {
            return;
        }
        let container = &self.scenario.workloads[p.workload].name;
        let name = &p.name;
        // Key: the back-off, not the crash, is what keeps a crash-looping
        // pod out of service, and it doubles at each restart.
        self.trace.emit(now, true, "Pod", name, "BackOff", || {
            format!("Back-off {delay} restarting failed container={container} pod={name}")
        });
    }

    pub(super) fn back_off_expired(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.container_started(pod, engine);
    }

    /// The container's new state, with its version's count of running
    /// containers kept.
    fn set_container(&mut self, pod: PodId, to: Container) {
        let p = &mut self.pods[pod];
        let was = p.container_runs();
        p.container = to;
        let version = &mut self.workloads[p.workload].versions[p.version];
        match (was, p.container_runs()) {
            (false, true) => version.running += 1,
            (true, false) => version.running -= 1,
            _ => {}
        }
    }

    /// The process stops, and nothing the kubelet had planned for it happens.
    /// When it stops `abruptly` (crash, node loss) the requests in flight on
    /// it are lost.
    pub(super) fn stop_container(
        &mut self,
        pod: PodId,
        abruptly: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        self.memory_stops(pod, engine);
        let p = &self.pods[pod];
        if abruptly {
            let serving = p.endpoint == Some(crate::traffic::EndpointClass::Serving);
            self.workloads[p.workload].traffic.drop_in_flight(
                now,
                p.version,
                p.uid as usize,
                serving,
            );
        }
        self.set_container(pod, Container::Stopped);
        let p = &mut self.pods[pod];
        p.pulled_cold = false;
        p.hung = false;
        p.killing = false;
        for timer in p.timers() {
            engine.cancel_timer(timer);
        }
        self.container_changed(pod, engine);
    }

    /// The steady state the run starts from: every replica placed by the
    /// scheduler, its image cached, Running, Ready and in kube-proxy's view.
    pub(super) fn place_steady_state(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let mut placed = Vec::new();
        for _ in 0..self.workloads[w].replicas {
            let pod = self.create_pod(w, 0, engine);
            let Some(node) = self.pick_node(pod) else {
                // Too little capacity even at the start: the pod stays Pending.
                self.pending.push(pod);
                continue;
            };
            self.bind(pod, node, SimTime::ZERO);
            self.start_probers(pod, SimTime::ZERO);
            self.workloads[w].versions[0].images[node] = Some(SimTime::ZERO);
            self.update_pod(pod, |p| p.api_ready = true);
            self.set_container(pod, Container::Running);
            let p = &mut self.pods[pod];
            p.ever_started = true;
            p.started = true;
            p.probe_ready = true;
            p.in_view = true;
            p.pre_existing = true;
            self.arm_pod_failure(pod, engine);
            self.refresh_endpoint(pod, engine);
            placed.push(pod);
        }
        // The probes see the load of the whole view, once it is complete.
        for pod in placed {
            self.memory_of_steady_state(pod, engine);
            self.container_changed(pod, engine);
        }
        self.report_unschedulable(engine);
    }
}

/// The image of a workload's version, for the kubelet's messages.
fn image(workload: &str, version: usize) -> String {
    format!("{workload}:v{}", version + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_loop_back_off_restarts_at_once_then_doubles_to_five_minutes() {
        let secs: Vec<u64> = (1..=8)
            .map(|n| crash_loop_back_off(n).as_nanos() / 1_000_000_000)
            .collect();
        assert_eq!(secs, vec![0, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(crash_loop_back_off(1000), SimDuration::from_secs(300));
    }
}
