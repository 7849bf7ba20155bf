//! The app's memory and the kernel's OOM killer. A running container uses
//! `base`, plus what it has leaked since it started (`leakPerHour`, and any
//! `memoryLeak` fault), plus `perRequest` for each request in flight. The
//! leak makes it a straight line between changes of load or leak rate, so
//! the instant it reaches `resources.limits.memory` is computed, not
//! polled: there the container is `OOMKilled` (exit code 137) and restarts,
//! its memory back to `base`.

use super::{ModelEvent, NodeId, PodId, World};
use crate::scenario::AppMemory;
use crate::sim::{Engine, SimDuration, SimTime};

/// The eviction manager checks every 10 s (`evictionMonitoringPeriod`).
const EVICTION_MONITORING_PERIOD: SimDuration = SimDuration::from_secs(10);

/// After an eviction the eviction manager polls every second for the pod's
/// cleanup (`podCleanupPollFreq`) and checks again as soon as it sees it,
/// or after `podCleanupTimeout`, then every 10 s from there: its loop does
/// not sleep after an eviction.
const EVICTION_CLEANUP_POLL: SimDuration = SimDuration::from_secs(1);
const EVICTION_CLEANUP_TIMEOUT: SimDuration = SimDuration::from_secs(30);

/// A hard eviction's grace period (`immediateEvictionGracePeriodSeconds`):
/// the `preStop` hook gets at most a second, then SIGTERM, and SIGKILL the
/// kubelet's least 2 s after.
pub(super) const IMMEDIATE_EVICTION_GRACE_PERIOD: SimDuration = SimDuration::from_secs(1);

/// kubelet `evictionPressureTransitionPeriod`: a pressure condition stays
/// on this long after the last time it was observed.
const EVICTION_PRESSURE_TRANSITION_PERIOD: SimDuration = SimDuration::from_secs(300);

/// The first check of the eviction manager at or after `at`.
fn next_check(phase: SimTime, at: SimTime) -> SimTime {
    let period = EVICTION_MONITORING_PERIOD.as_nanos();
    let since = at.as_nanos().saturating_sub(phase.as_nanos());
    let ticks = since.div_ceil(period);
    SimTime::from_nanos(phase.as_nanos() + ticks * period).max(at)
}

impl World<'_> {
    /// The memory behaviour of the pod's version of the app.
    pub(super) fn app_memory(&self, pod: PodId) -> AppMemory {
        let p = &self.pods[pod];
        self.workloads[p.workload].versions[p.version].app.memory
    }

    /// Bytes per second the pod's container leaks: its version's leak and
    /// any `memoryLeak` fault's.
    pub(super) fn leak_per_second(&self, pod: PodId) -> f64 {
        let extra = self.workloads[self.pods[pod].workload].extra_leak_per_hour_bytes;
        (self.app_memory(pod).leak_per_hour_bytes + extra) / 3600.0
    }

    /// Whether no container can ever hold more than its memory request: no
    /// app of any version leaks or holds memory per request in flight, none
    /// starts above its request, and no `memoryLeak` fault is planned. The
    /// scheduler keeps the requests bound to a node within its allocatable,
    /// so no node can then be short of memory, and its eviction manager
    /// has nothing to plan at each container change.
    pub(super) fn memory_within_requests(scenario: &crate::scenario::Scenario) -> bool {
        let within = |app: &crate::scenario::App, w: usize| {
            let memory = &app.memory;
            let request = scenario.workloads[w].requests.memory_bytes as f64;
            memory.leak_per_hour_bytes == 0.0
                && memory.per_request_bytes == 0.0
                && memory.base_bytes <= request
        };
        let apps = (scenario.workloads.iter().enumerate())
            .map(|(w, workload)| (&workload.app, w))
            .chain(scenario.rollouts.iter().map(|r| (&r.app, r.workload)));
        let leak_fault = (scenario.faults.iter())
            .any(|f| matches!(f.kind, crate::scenario::FaultKind::MemoryLeak { .. }));
        !leak_fault && apps.into_iter().all(|(app, w)| within(app, w))
    }

    /// Whether some version of the workload's app, or a fault, leaks.
    pub(super) fn workload_leaks(&self, w: usize) -> bool {
        let ws = &self.workloads[w];
        ws.extra_leak_per_hour_bytes > 0.0 || ws.any_version_leaks
    }

    /// Memory held by the requests in flight on the pod at its current load.
    fn request_memory(&self, pod: PodId, now: SimTime) -> f64 {
        let p = &self.pods[pod];
        let per_request = self.app_memory(pod).per_request_bytes;
        if per_request == 0.0 || !p.in_view {
            return 0.0;
        }
        let traffic = &self.workloads[p.workload].traffic;
        per_request
            * traffic
                .capacity(p.version)
                .in_flight(traffic.rate_per_endpoint(now))
    }

    /// Adds the pod's memory since the last account to its workload's
    /// monitoring figures, and moves the account to `now`.
    fn account_memory(&mut self, pod: PodId, now: SimTime) {
        let leak = self.leak_per_second(pod);
        let p = &mut self.pods[pod];
        if !p.container_runs() {
            p.memory_since = now;
            return;
        }
        let seconds = (now - p.memory_since).as_secs_f64();
        let from = p.memory_leaked_from + p.memory_of_requests;
        let to = from + leak * seconds;
        // The kernel never lets a container hold more than its limit.
        let limit = self.scenario.workloads[p.workload].limits.memory_bytes as f64;
        let held = if limit > 0.0 { to.min(limit) } else { to };
        let m = &mut self.workloads[p.workload].memory;
        m.byte_seconds += (from + to) / 2.0 * seconds;
        m.pod_seconds += seconds;
        m.max_pod_bytes = m.max_pod_bytes.max(held);
        p.memory_leaked_from += leak * seconds;
        p.memory_since = now;
    }

    /// The memory the node's containers hold at `now`, and how fast it grows.
    fn node_memory(&self, node: NodeId, now: SimTime) -> (f64, f64) {
        let mut used = 0.0;
        let mut growth = 0.0;
        for &pod in &self.nodes[node].pods {
            let p = &self.pods[pod];
            if !p.container_runs() {
                continue;
            }
            // Most apps do not leak: their memory changes only at events.
            if self.workload_leaks(p.workload) {
                let leak = self.leak_per_second(pod);
                used += p.memory_leaked_from
                    + p.memory_of_requests
                    + leak * (now - p.memory_since).as_secs_f64();
                growth += leak;
            } else {
                used += p.memory_leaked_from + p.memory_of_requests;
            }
        }
        (used, growth)
    }

    /// Plans the kubelet's next eviction for memory pressure: at the first
    /// check of its eviction manager (every 10 s) once the containers hold
    /// more than the node's allocatable memory, which is its capacity less
    /// the `memory.available<100Mi` hard threshold and reservations.
    /// Inlined as far as the test of containers that cannot outgrow their
    /// requests, where it has nothing to plan: the call follows every
    /// change of a container.
    #[inline]
    pub(super) fn plan_node_pressure(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        if !self.memory_within_requests {
            self.plan_node_pressure_past_requests(node, engine);
        }
    }

    fn plan_node_pressure_past_requests(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let allocatable = self.scenario.nodes[node].allocatable.memory_bytes as f64;
        let (used, growth) = self.node_memory(node, now);
        let timer = self.nodes[node].pressure_timer;
        let over_at = if used > allocatable {
            Some(now)
        } else if growth > 0.0 {
            Some(now + SimDuration::from_secs_f64((allocatable - used) / growth))
        } else {
            None
        };
        match over_at {
            Some(at) if self.nodes[node].up => {
                let check = next_check(self.nodes[node].eviction_phase, at.max(now));
                engine
                    .set_timer(timer, check, ModelEvent::NodeMemoryPressure { node })
                    .expect("the next check is not in the past");
            }
            _ => engine.cancel_timer(timer),
        }
    }

    /// The eviction manager finds the node short of memory and evicts one
    /// pod, with [`IMMEDIATE_EVICTION_GRACE_PERIOD`]: first those using more
    /// than their request, the largest excess first (no pod priorities are
    /// modelled).
    pub(super) fn node_memory_pressure(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let allocatable = self.scenario.nodes[node].allocatable.memory_bytes as f64;
        let (used, _) = self.node_memory(node, now);
        if used <= allocatable {
            self.plan_node_pressure(node, engine);
            return;
        }
        let usage = |pod: PodId| {
            let p = &self.pods[pod];
            p.memory_leaked_from
                + p.memory_of_requests
                + self.leak_per_second(pod) * (now - p.memory_since).as_secs_f64()
        };
        let victim = self.nodes[node]
            .pods
            .iter()
            .copied()
            .filter(|&p| self.pods[p].container_runs() && !self.pods[p].deleting)
            .map(|p| {
                let request = self.scenario.workloads[self.pods[p].workload]
                    .requests
                    .memory_bytes as f64;
                (p, usage(p) - request)
            })
            .max_by(|a, b| {
                let uid = |p: PodId| self.pods[p].uid;
                a.1.total_cmp(&b.1).then(uid(b.0).cmp(&uid(a.0)))
            });
        let Some((pod, excess)) = victim else {
            return;
        };
        let using = usage(pod);
        let n = &mut self.nodes[node];
        if !std::mem::replace(&mut n.memory_pressure, true) {
            let name = &self.scenario.nodes[node].name;
            self.trace
                .emit(now, true, "Node", name, "NodeHasInsufficientMemory", || {
                    format!("Node {name} status is now: NodeHasInsufficientMemory")
                });
        }
        engine.set_timer_in(
            n.memory_pressure_timer,
            EVICTION_PRESSURE_TRANSITION_PERIOD,
            ModelEvent::MemoryPressureEnds { node },
        );
        let p = &mut self.pods[pod];
        p.cause = format!("Evicted {} (node memory pressure)", p.name).into();
        let container = &self.scenario.workloads[p.workload].name;
        let available_kib = ((allocatable - used) / 1024.0) as i64;
        let using_kib = (using / 1024.0) as i64;
        let request_kib = ((using - excess) / 1024.0) as i64;
        self.trace.emit(now, true, "Pod", &p.name, "Evicted", || {
            format!(
                "The node was low on resource: memory. Threshold quantity: 100Mi, available: {available_kib}Ki. \
                 Container {container} was using {using_kib}Ki, request is {request_kib}Ki, has larger consumption of memory."
            )
        });
        // No check until the pod is gone (`waitForPodsCleanup`).
        self.pods[pod].evicted_at = Some(now);
        self.nodes[node].eviction_phase = now + EVICTION_CLEANUP_TIMEOUT;
        self.delete_pod(pod, engine);
        self.plan_node_pressure(node, engine);
    }

    /// A pod the kubelet evicted is gone: its eviction manager sees it at
    /// its next cleanup poll and checks the node again then.
    pub(super) fn evicted_pod_gone(
        &mut self,
        node: NodeId,
        evicted_at: SimTime,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let poll = EVICTION_CLEANUP_POLL.as_nanos();
        let polls = (now - evicted_at).as_nanos().div_ceil(poll).max(1);
        let seen = evicted_at + SimDuration::from_nanos(polls * poll);
        let phase = &mut self.nodes[node].eviction_phase;
        *phase = (*phase).min(seen);
        self.plan_node_pressure(node, engine);
    }

    /// The node's MemoryPressure condition clears; BestEffort pods may come back.
    pub(super) fn memory_pressure_ends(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        self.nodes[node].memory_pressure = false;
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, true, "Node", name, "NodeHasSufficientMemory", || {
                format!("Node {name} status is now: NodeHasSufficientMemory")
            });
        self.schedule_pending(engine);
    }

    /// The container (re)starts with its `base` memory.
    pub(super) fn memory_starts(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let base = self.app_memory(pod).base_bytes;
        let p = &mut self.pods[pod];
        p.memory_since = now;
        p.memory_leaked_from = base;
        self.memory_changed(pod, engine);
    }

    /// A container of the steady state has been running for a while: a
    /// leaking one is at a uniformly random point of its way to the limit,
    /// as if the pods had started at different times.
    pub(super) fn memory_of_steady_state(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        use rand::RngExt;

        let w = self.pods[pod].workload;
        let app = self.app_memory(pod);
        let limit = self.scenario.workloads[w].limits.memory_bytes as f64;
        let room = limit - app.base_bytes - self.request_memory(pod, engine.now());
        let leaked = if self.leak_per_second(pod) > 0.0 && room > 0.0 {
            self.workloads[w].kubelet_rng.random::<f64>() * room
        } else {
            0.0
        };
        let p = &mut self.pods[pod];
        p.memory_since = engine.now();
        p.memory_leaked_from = app.base_bytes + leaked;
        self.memory_changed(pod, engine);
    }

    /// The container stopped: its memory is freed.
    pub(super) fn memory_stops(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.account_memory(pod, engine.now());
        engine.cancel_timer(self.pods[pod].oom_timer);
    }

    /// The load or the leak changed: account, then plan the OOM kill anew.
    pub(super) fn memory_changed(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        self.account_memory(pod, now);
        let request_memory = self.request_memory(pod, now);
        let w = self.pods[pod].workload;
        let leak = self.leak_per_second(pod);
        let limit = self.scenario.workloads[w].limits.memory_bytes as f64;
        let p = &mut self.pods[pod];
        p.memory_of_requests = request_memory;
        if let Some(node) = p.node {
            self.plan_node_pressure(node, engine);
        }
        let p = &mut self.pods[pod];
        if !p.container_runs() || limit == 0.0 {
            engine.cancel_timer(p.oom_timer);
            return;
        }
        // The kernel kills a container that tries to exceed its limit.
        let used = p.memory_leaked_from + p.memory_of_requests;
        if used > limit || (used == limit && leak > 0.0) {
            engine.set_timer_in(
                p.oom_timer,
                crate::sim::SimDuration::ZERO,
                ModelEvent::OomKilled { pod },
            );
        } else if leak > 0.0 {
            let seconds = (limit - used) / leak;
            let delay = crate::sim::SimDuration::from_secs_f64(seconds);
            engine.set_timer_in(p.oom_timer, delay, ModelEvent::OomKilled { pod });
        } else {
            engine.cancel_timer(p.oom_timer);
        }
    }

    /// The container reached its memory limit: the kernel kills it.
    pub(super) fn oom_killed(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let w = self.pods[pod].workload;
        let workload = &self.scenario.workloads[w];
        let p = &mut self.pods[pod];
        p.oom_kills += 1;
        p.cause = format!("OOMKilled {}", p.name).into();
        let limit = workload.limits.memory_bytes;
        self.trace.emit(now, true, "Pod", &p.name, "OOMKilled", || {
            format!(
                "Container {} was OOMKilled (exit code 137): memory reached its limit of {} MiB",
                workload.name,
                limit / (1 << 20)
            )
        });
        self.container_exited(pod, true, engine);
    }

    /// A `memoryLeak` fault starts (or, negative, ends): every running
    /// container of the workload leaks at the new rate from now on.
    pub(super) fn add_extra_leak(
        &mut self,
        workload: usize,
        bytes_per_hour: f64,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let pods = self.workloads[workload].pods.to_vec();
        for &pod in &pods {
            self.account_memory(pod, now);
        }
        let extra = &mut self.workloads[workload].extra_leak_per_hour_bytes;
        // Rounding of several faults' additions never leaves a negative leak.
        *extra = (*extra + bytes_per_hour).max(0.0);
        for pod in pods {
            self.memory_changed(pod, engine);
        }
    }

    /// Closes every running container's memory account at the end of the run.
    pub(super) fn account_all_memory(&mut self, end: SimTime) {
        for pod in self.pods_by_uid() {
            self.account_memory(pod, end);
        }
    }

    /// The memory of the workload's running containers now: their mean.
    /// Sampled at every change of a run's time series (some 850,000
    /// instants in the year), so nothing is collected: one pass counts
    /// and sums them.
    pub(super) fn memory_now(&self, workload: usize, now: SimTime) -> f64 {
        (self.base_memory_mean(workload)).unwrap_or_else(|| self.memory_by_pod(workload, now))
    }

    /// [`World::memory_now`], each running container read.
    fn memory_by_pod(&self, workload: usize, now: SimTime) -> f64 {
        let running =
            (self.workloads[workload].pods.iter()).filter(|&&p| self.pods[p].container_runs());
        let (count, total) = running.fold((0_u32, 0.0), |(count, total), &pod| {
            let p = &self.pods[pod];
            let memory = p.memory_leaked_from
                + p.memory_of_requests
                + self.leak_per_second(pod) * (now - p.memory_since).as_secs_f64();
            (count + 1, total + memory)
        });
        if count == 0 {
            return 0.0;
        }
        total / f64::from(count)
    }

    /// [`World::memory_now`] where every running container holds exactly
    /// its version's `base` (no leak, no memory per request): from the
    /// versions' counts of running containers, without a pass over the
    /// pods. Whole bytes sum exactly in any order below 2⁵³, so the mean is
    /// the pass's to the bit; `None` where that cannot be promised.
    fn base_memory_mean(&self, workload: usize) -> Option<f64> {
        let ws = &self.workloads[workload];
        if ws.any_version_leaks || ws.any_version_holds_requests || ws.leak_fault {
            return None;
        }
        let (mut count, mut total) = (0_u32, 0.0_f64);
        for &v in &ws.live_versions {
            let version = &ws.versions[v];
            let base = version.app.memory.base_bytes;
            count += version.running;
            total += f64::from(version.running) * base;
            if base.fract() != 0.0 || total >= 2_f64.powi(53) {
                return None;
            }
        }
        Some(if count == 0 {
            0.0
        } else {
            total / f64::from(count)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ModelEvent, TraceLevel, World};
    use crate::sim::{Engine, Handler, RngStreams, RunLimits, SimTime};

    /// After every event, each workload's mean memory from its versions'
    /// counts, where there is one, against the pass over its containers.
    struct MeansChecked<'a, 's> {
        world: &'a mut World<'s>,
        /// Per workload, the events after which the counts gave the mean.
        counted: Vec<u64>,
        /// Whether some of them found two versions running: a rollout's.
        mixed: bool,
    }

    impl Handler<ModelEvent> for MeansChecked<'_, '_> {
        fn handle(&mut self, engine: &mut Engine<ModelEvent>, event: ModelEvent) {
            self.world.handle(engine, event);
            for w in 0..self.world.workloads.len() {
                if let Some(mean) = self.world.base_memory_mean(w) {
                    let by_pod = self.world.memory_by_pod(w, engine.now());
                    assert_eq!(mean.to_bits(), by_pod.to_bits(), "workload {w}");
                    self.counted[w] += 1;
                    let ws = &self.world.workloads[w];
                    let versions = ws.versions.iter().filter(|v| v.running > 0);
                    self.mixed |= versions.count() > 1;
                }
            }
        }
    }

    /// The counts give the mean exactly where every running container holds
    /// its version's `base`: across a rollout to a larger `base`, crashes
    /// and restarts. Not for a workload a `memoryLeak` fault hit, even once
    /// the leak stopped: what it leaked stays.
    #[test]
    fn the_mean_memory_from_the_counts_is_the_pass_over_the_containers() {
        let text = "name: means
duration: 3h
cluster:
  nodePools: [ { name: w, count: 3, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - name: web
    replicas: 4
    resources: { requests: { cpu: 100m, memory: 256Mi } }
    app: { memory: { base: 200Mi } }
  - name: api
    replicas: 3
    resources: { requests: { cpu: 100m, memory: 256Mi } }
traffic: [ { workload: web, rate: 10 }, { workload: api, rate: 10 } ]
rollouts:
  - { at: 30m, workload: web, app: { memory: { base: 250Mi } } }
faults:
  - { at: 10m, podCrash: { workload: web, count: 2 } }
  - { at: 20m, memoryLeak: { workload: api, leakPerHour: 64Mi, recoverAfter: 30m } }
";
        let scenario = crate::scenario::parse(text, "means").expect("a scenario");
        let streams = RngStreams::new(3);
        let mut engine = Engine::new();
        let mut world = World::new(&scenario, &streams, TraceLevel::Key, false, &mut engine);
        let mut checked = MeansChecked {
            world: &mut world,
            counted: vec![0; 2],
            mixed: false,
        };
        let limits = RunLimits {
            horizon: SimTime::ZERO + scenario.duration,
            max_events: u64::MAX,
        };
        crate::sim::run(&mut engine, &mut checked, limits).expect("the run ends");
        assert!(checked.mixed, "web's rollout: {:?}", checked.counted);
        assert_eq!(checked.counted[1], 0, "api leaked");
        let api = &checked.world.workloads[1];
        assert!(api.versions[0].running > 0);
        let by_pod = checked
            .world
            .memory_by_pod(1, SimTime::ZERO + scenario.duration);
        assert!(
            by_pod > 256.0 * 1024.0 * 1024.0,
            "what api leaked stays: {by_pod}"
        );
    }

    fn within(text: &str) -> bool {
        let scenario = crate::scenario::parse(text, "test").expect("a scenario");
        World::memory_within_requests(&scenario)
    }

    /// The shortcut holds only where no container can outgrow its request.
    #[test]
    fn memory_stays_within_requests_only_without_growth_or_a_base_above_them() {
        assert!(within(include_str!("../../scenarios/year-100-nodes.yaml")));
        assert!(!within(include_str!("../../scenarios/memory-leak.yaml")));
        let workload = |memory: &str| {
            format!(
                "name: m
duration: 1h
cluster:
  nodePools: [ {{ name: w, count: 1, allocatable: {{ cpu: \"4\", memory: 8Gi }} }} ]
workloads:
  - name: web
    replicas: 2
    resources: {{ requests: {{ cpu: 100m, memory: 256Mi }} }}
    app: {{ memory: {memory} }}
"
            )
        };
        assert!(within(&workload("{ base: 256Mi }")));
        assert!(!within(&workload("{ base: 300Mi }")));
        assert!(!within(&workload("{ base: 100Mi, perRequest: 1Mi }")));
        assert!(!within(&workload("{ base: 100Mi, leakPerHour: 1Mi }")));
        let fault = workload("{ base: 100Mi }")
            + "faults: [ { at: 1m, memoryLeak: { workload: web, leakPerHour: 10Mi } } ]\n";
        assert!(!within(&fault));
        let rollout = workload("{ base: 100Mi }")
            + "rollouts: [ { workload: web, at: 1m, app: { memory: { base: 1Gi } } } ]\n";
        assert!(!within(&rollout));
    }
}
