//! The load on a workload's endpoints: what probes and memory see of it,
//! spikes on top of the traffic profile, and the one timer that wakes the
//! model when a continuously varying rate crosses a level that matters, so
//! that a diurnal cycle costs a few events a day instead of one a second.

use super::{ModelEvent, World};
use crate::sim::{Engine, SimTime};

/// With requests holding memory, the containers' memory is brought up to
/// date whenever the load per endpoint has moved by this factor.
const MEMORY_LOAD_STEP: f64 = 1.1;

impl World<'_> {
    /// The load per endpoint changed: every running pod's probes see it.
    pub(super) fn load_changed(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        self.wake_hpa(w, engine);
        let cpu_bound = self.workloads[w].traffic.cpu_bound();
        let memory_bound = self.workloads[w].any_version_holds_requests;
        if !cpu_bound && !memory_bound {
            // The load then changes neither what probes see nor the memory.
            return;
        }
        let now = engine.now();
        let per_endpoint = self.workloads[w].traffic.rate_per_endpoint(now);
        if !memory_bound {
            // A probe's verdict moves with the load only where the response
            // time crosses its timeout: while no version's does, no pod's
            // observation can change, and the pass over them is skipped.
            if self.probe_sides_hold(w, per_endpoint) {
                self.watch_load(w, engine);
                return;
            }
            self.workloads[w].probe_sides = self.probe_sides(w, per_endpoint).collect();
        }
        let pods = self.workloads[w].pods.to_vec();
        for pod in pods {
            if !self.pods[pod].container_runs() {
                continue;
            }
            if memory_bound {
                self.memory_changed(pod, engine);
            }
            // Only a probe that now sees otherwise needs its verdict planned
            // anew: most load changes move no probe across its timeout.
            if self.observe_at(pod, now, per_endpoint) {
                self.container_changed(pod, engine);
            }
        }
        self.watch_load(w, engine);
    }

    /// For each version with pods and each probe of the workload, whether a
    /// pod in the view at this load answers within the probe's timeout.
    fn probe_sides(&self, w: usize, per_endpoint: f64) -> impl Iterator<Item = (usize, bool)> {
        let ws = &self.workloads[w];
        self.versions_with_pods(w).flat_map(move |v| {
            let response_time = ws.traffic.capacity(v).response_time_s(per_endpoint);
            (ws.probe_timeouts.iter()).map(move |probe| (v, response_time <= probe.seconds))
        })
    }

    /// Whether [`World::probe_sides`] at this load are those known, in
    /// plain loops: nearly every load change finds them so.
    fn probe_sides_hold(&self, w: usize, per_endpoint: f64) -> bool {
        let ws = &self.workloads[w];
        let mut known = ws.probe_sides.iter();
        for v in self.versions_with_pods(w) {
            let response_time = ws.traffic.capacity(v).response_time_s(per_endpoint);
            for probe in &ws.probe_timeouts {
                if known.next() != Some(&(v, response_time <= probe.seconds)) {
                    return false;
                }
            }
        }
        known.next().is_none()
    }

    /// The versions some pod of the workload runs.
    fn versions_with_pods(&self, w: usize) -> impl Iterator<Item = usize> + '_ {
        let ws = &self.workloads[w];
        let live = ws.live_versions.iter().copied();
        live.filter(|&v| ws.versions[v].present > 0)
    }

    /// Arms the workload's load timer at the next instant the load per
    /// endpoint crosses a level where something changes: a probe's timeout
    /// (response time S/(1 − ρ) reaches `timeoutSeconds` at
    /// ρ = 1 − S/T), the CPU limit, or a step of the memory held by
    /// requests in flight. Only a continuously varying rate needs it: steps
    /// and spikes are events of their own.
    fn watch_load(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let timer = self.workloads[w].load_timer;
        if !self.scenario.workloads[w].traffic.is_continuous_varying() {
            return;
        }
        let ws = &self.workloads[w];
        let traffic = &ws.traffic;
        let now = engine.now();
        let mut next: Option<SimTime> = None;
        let mut watch = |level: f64| {
            if let Some(at) = traffic.next_rate_crossing(now, [level]) {
                next = Some(next.map_or(at, |next| next.min(at)));
            }
        };
        // Each version running has its own speed, and so its own levels.
        for version in self.versions_with_pods(w) {
            let capacity = traffic.capacity(version);
            let Some(max_rate) = capacity.max_rate() else {
                continue;
            };
            watch(max_rate);
            let service_time = capacity.mean_service_time_s;
            for probe in &ws.probe_timeouts {
                if probe.answered_by_app && service_time < probe.seconds {
                    watch(max_rate * (1.0 - service_time / probe.seconds));
                }
            }
        }
        if ws.any_version_holds_requests {
            let load = traffic.rate_per_endpoint(now);
            if load > 0.0 {
                watch(load * MEMORY_LOAD_STEP);
                watch(load / MEMORY_LOAD_STEP);
            } else {
                watch(f64::MIN_POSITIVE);
            }
        }
        match next {
            Some(at) => engine
                .set_timer(timer, at, ModelEvent::LoadCrossing { workload: w })
                .expect("a crossing is after now"),
            None => engine.cancel_timer(timer),
        }
    }

    /// A `trafficSpike` begins: the workload's rate is multiplied.
    pub(super) fn spike_starts(
        &mut self,
        w: usize,
        multiplier: f64,
        engine: &mut Engine<ModelEvent>,
    ) {
        self.workloads[w].spikes.push(multiplier);
        self.apply_spikes(w, engine);
    }

    pub(super) fn spike_ends(
        &mut self,
        w: usize,
        multiplier: f64,
        engine: &mut Engine<ModelEvent>,
    ) {
        let spikes = &mut self.workloads[w].spikes;
        if let Some(i) = spikes.iter().position(|&m| m == multiplier) {
            spikes.swap_remove(i);
        }
        let now = engine.now();
        let name = &self.scenario.workloads[w].name;
        self.trace
            .emit(now, false, "Service", name, "TrafficSpikeEnded", || {
                format!("the ×{multiplier} spike on `{name}` is over")
            });
        self.apply_spikes(w, engine);
    }

    /// Overlapping spikes multiply.
    fn apply_spikes(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let product = self.workloads[w].spikes.iter().product();
        self.workloads[w].traffic.set_multiplier(now, product);
        // The arrivals drawn at the old rate no longer hold.
        self.schedule_arrival(w, engine);
        self.load_changed(w, engine);
    }
}
