//! The cluster: nodes, pods, Services and the controllers that act on them,
//! as handlers of [`ModelEvent`]s. The model does no I/O and reads no clock;
//! everything it observes goes to the [`Recorder`], the traffic accounts and
//! the [`Trace`].

mod cluster_autoscaler;
mod control_plane;
mod created;
mod deployment;
mod drain;
mod endpoints;
mod etcd;
mod events;
mod fault_injection;
mod hpa;
mod kubelet;
mod load;
mod memory;
mod names;
mod node;
mod node_lifecycle;
mod partition;
mod pod;
mod prober;
mod recycling;
mod replicaset;
mod requests;
mod sampling;
mod scheduler;
mod termination;
mod trace;

pub use control_plane::{ControlPlaneComponent, ControlPlaneIncident};
pub use deployment::{RolloutOutcome, RolloutRecord};
pub use drain::DrainRecord;
pub use etcd::LostChange;
pub use events::ModelEvent;
pub use trace::{EventSink, TraceEvent, TraceLevel};

use crate::faults::FaultInjector;
use crate::metrics::{Gauge, GaugeSummary, Recorder, TimeSeries, UptimeMetrics};
use crate::scenario::{FaultKind, Scenario, Trigger};
use crate::sim::{Engine, Handler, RngStreams, SimTime, Stream};
use crate::traffic::{FluidTraffic, OutcomeCounts, Usage};
use node::{Node, NodeResources, Zone};
use pod::Pod;
use trace::Trace;

/// The monitoring view's "current" column: the state at the end of the run.
#[derive(Debug, Clone, Copy)]
pub struct UsageNow {
    pub cpu_cores: f64,
    pub offered_rate: f64,
    /// Mean memory of the running containers.
    pub memory_bytes: f64,
}

/// Memory of a workload's containers over the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryUsage {
    /// Integral of every running container's memory over time.
    pub byte_seconds: f64,
    /// Integral of the number of running containers over time.
    pub pod_seconds: f64,
    /// The most any one container held.
    pub max_pod_bytes: f64,
}

pub type NodeId = usize;
pub type PodId = usize;
pub type ZoneId = usize;

/// Removes `pod` from a list that holds it once, keeping the others in
/// order. Lists of pods in creation order lose their oldest most often: the
/// search from the front is short, and the shift a copy of memory.
fn remove_pod(list: &mut Vec<PodId>, pod: PodId) {
    if let Some(i) = list.iter().position(|&p| p == pod) {
        list.remove(i);
    }
}

/// Per-workload state that is not a pod: its Service's traffic, its
/// ReplicaSet's bookkeeping, and the random stream of its kubelet draws.
#[derive(Debug)]
struct WorkloadState {
    traffic: FluidTraffic,
    /// Exact mode: the next request's arrival.
    arrival_timer: crate::sim::TimerId,
    /// Per version with pods and probe, whether the load let a pod in the
    /// view answer within the probe's timeout at the last load change.
    probe_sides: Vec<(usize, bool)>,
    /// Its probes as the load decides them.
    probe_timeouts: Vec<prober::ProbeTimeout>,
    /// The stochastic faults that crash or hang its pods.
    pod_faults: Vec<usize>,
    /// The Deployment's `spec.replicas`: the scenario's, then the HPA's.
    replicas: u32,
    /// The versions of its pod template, one ReplicaSet each, oldest first.
    versions: Vec<deployment::Version>,
    /// The versions with pods or replicas, and the current one, oldest
    /// first: a daily deploy makes hundreds of versions in a year, and the
    /// passes over versions skip those long scaled to zero.
    live_versions: Vec<usize>,
    /// Some version's app leaks memory, or holds memory per request in
    /// flight: what decides whether time or load moves its memory.
    any_version_leaks: bool,
    any_version_holds_requests: bool,
    /// The Deployment's template: the version new pods get.
    current: usize,
    /// The rollout in progress, and every rollout so far.
    progress: Option<deployment::Progress>,
    rollouts: Vec<RolloutRecord>,
    progress_timer: crate::sim::TimerId,
    /// The next instant a Ready pod becomes available (`minReadySeconds`).
    available_timer: crate::sim::TimerId,
    /// A `DeploymentSync` is scheduled.
    sync_pending: bool,
    /// The Deployment controller resized a ReplicaSet since its sync
    /// began: it watches its own update, and syncs again.
    replica_sets_resized: bool,
    /// The Deployment's revision counter: each rollout and undo adds one.
    revision: usize,
    /// Pods gone whose endpoint kube-proxy still routes to.
    leaving: Vec<PodId>,
    /// kube-proxy routed to terminating endpoints at the last look, none
    /// ready being left.
    falls_back: bool,
    /// The workload's pods that are not gone, in creation order.
    pods: created::CreatedPods,
    /// Per node and per zone, its pods bound there and not being deleted:
    /// what PodTopologySpread counts, kept as pods change so that placing a
    /// pod costs a pass over the nodes only.
    pods_on_node: Vec<u32>,
    pods_in_zone: Vec<u32>,
    pods_created: u64,
    /// `replicas` over time, watching `maxReplicas` of its HPA.
    replicas_gauge: Gauge,
    /// The HPA's controller state, if the workload has one.
    hpa: Option<hpa::HpaState>,
    /// Since the last rescale the ready pods differ from `replicas`; the
    /// failed requests counted when it began.
    scaling_since_failed: Option<u64>,
    failed_while_scaling: u64,
    rescales: u32,
    /// The multipliers of the `trafficSpike`s in progress.
    spikes: Vec<f64>,
    /// Fires when the load per endpoint next crosses a level that matters.
    load_timer: crate::sim::TimerId,
    /// Bytes per hour leaked on top of the app's own, while a `memoryLeak` runs.
    extra_leak_per_hour_bytes: f64,
    /// A `memoryLeak` fault hits it: the bytes it adds stay in a container
    /// after it ends, until the container restarts.
    leak_fault: bool,
    memory: MemoryUsage,
    /// Image pulls and app startups: one stream per workload keeps a
    /// workload's draws independent of the others'.
    kubelet_rng: Stream,
}

impl WorkloadState {
    /// The version takes part in the passes over versions again: it has
    /// replicas, or is the Deployment's template.
    fn make_live(&mut self, version: usize) {
        if let Err(at) = self.live_versions.binary_search(&version) {
            self.live_versions.insert(at, version);
        }
    }

    /// Drops the versions with neither pods nor replicas that are not the
    /// template: they take part in nothing until a rollback makes one live.
    fn prune_versions(&mut self) {
        let (versions, current) = (&self.versions, self.current);
        self.live_versions
            .retain(|&v| v == current || versions[v].replicas > 0 || versions[v].present > 0);
    }
}

/// What a finished run leaves behind.
#[derive(Debug)]
pub struct Observations {
    pub requests: Vec<OutcomeCounts>,
    pub uptime: UptimeMetrics,
    pub restarts: Vec<u64>,
    /// Per workload, the pods that restarted and how often, oldest first.
    pub pod_restarts: Vec<Vec<(String, u32)>>,
    /// Per workload, what its pods consumed, and at the end.
    pub usage: Vec<(Usage, UsageNow)>,
    pub memory: Vec<MemoryUsage>,
    /// The intervals without a writable API, with what caused them.
    pub control_plane_incidents: Vec<ControlPlaneIncident>,
    /// Writes undone by etcd restores.
    pub lost_changes: Vec<LostChange>,
    /// Per workload, the pods the OOM killer hit and how often.
    pub pod_oom_kills: Vec<Vec<(String, u32)>>,
    /// Per workload, its Deployment's `replicas` over time.
    pub replicas: Vec<GaugeSummary>,
    /// Per workload, HPA rescales and the requests that failed while the
    /// ready pods were catching up with one.
    pub rescales: Vec<u32>,
    pub failed_while_scaling: Vec<u64>,
    /// Per node pool, its registered nodes over time.
    pub nodes: Vec<GaugeSummary>,
    /// Every rollout, in the order they started.
    pub rollouts: Vec<RolloutRecord>,
    /// Every drain, in the order they started.
    pub drains: Vec<DrainRecord>,
    /// Exact mode: per workload, p50, p95 and p99 of the answers' latency
    /// in milliseconds.
    pub latency_ms: Vec<Option<[f64; 3]>>,
    pub trace: Vec<TraceEvent>,
    pub key_events_not_kept: u64,
}

pub struct World<'s> {
    scenario: &'s Scenario,
    nodes: Vec<Node>,
    /// Per node, what the scheduler fits pods into.
    node_resources: Vec<NodeResources>,
    zones: Vec<Zone>,
    pods: Vec<Pod>,
    slots: recycling::PodSlots,
    workloads: Vec<WorkloadState>,
    /// Pods waiting for the scheduler, in creation order.
    pending: Vec<PodId>,
    /// The list a scheduling pass goes through, kept empty between passes
    /// so that its allocation serves the next.
    scheduling: Vec<PodId>,
    scheduler_timer: crate::sim::TimerId,
    /// Offset of the node lifecycle controller's monitor passes.
    monitor_phase: SimTime,
    /// When the node lifecycle controller's process started leading: it
    /// heard from no node before (`Missing timestamp for Node. Assuming
    /// now as a timestamp`).
    node_controller_since: SimTime,
    control_plane: control_plane::ControlPlaneState,
    /// Nodes whose pods' toleration ran out while the API was down.
    deferred_evictions: Vec<NodeId>,
    /// The failure clocks of stochastic control-plane faults.
    control_plane_clocks: Vec<(usize, ControlPlaneComponent, crate::sim::TimerId)>,
    /// The API writes since the last etcd snapshot.
    api_journal: Vec<(SimTime, etcd::ApiWrite)>,
    lost_changes: Vec<LostChange>,
    /// Set while every zone is fully disrupted: the controller then assumes
    /// its own connectivity is at fault and evicts nothing.
    master_disruption: bool,
    faults: FaultInjector,
    /// Per node, the `kubectl drain` in progress.
    drains: Vec<Option<drain::Drain>>,
    drain_records: Vec<DrainRecord>,
    /// Drains with evictions to retry: pod changes concern them.
    drains_waiting: u32,
    /// No container can hold more than its memory request (see
    /// [`World::memory_within_requests`]): no node is ever short of memory.
    memory_within_requests: bool,
    /// Present when some node pool has a node group.
    autoscaler: Option<cluster_autoscaler::ClusterAutoscaler>,
    /// Per node pool, the registered nodes.
    node_counts: Vec<Gauge>,
    probe_rng: Stream,
    recorder: Recorder,
    /// Present when the run's state over time is asked for.
    timeseries: Option<TimeSeries<'s>>,
    trace: Trace<'s>,
    /// The workloads whose HPA listing a pod changed during the current
    /// event: each syncs at its next tick, the first that sees the change.
    hpa_woken: Vec<usize>,
}

impl<'s> World<'s> {
    /// Builds the cluster at time zero: in its steady state (every replica
    /// placed, pulled, started, Ready and in every kube-proxy's view), or empty
    /// with `coldStart`.
    /// With `exact`, every request is drawn on its own (`--exact`).
    pub fn new(
        scenario: &'s Scenario,
        streams: &RngStreams,
        trace_level: TraceLevel,
        exact: bool,
        engine: &mut Engine<ModelEvent>,
    ) -> Self {
        use rand::RngExt;

        let mut controller_rng = streams.stream("node-lifecycle-controller");
        let monitor_period = scenario.settings.node_monitor_period.as_nanos();
        let monitor_phase = SimTime::from_nanos(controller_rng.random_range(0..monitor_period));
        let mut lease_rng = streams.stream("kubelet-lease");
        let renew = scenario
            .settings
            .node_lease_renew_interval()
            .as_nanos()
            .max(1);
        let mut nodes: Vec<Node> = scenario
            .nodes
            .iter()
            .map(|_| {
                // The kubelet's Lease renewals keep a phase of their own per node.
                let offset = SimTime::from_nanos(lease_rng.random_range(0..renew));
                // So does its eviction manager, checking every 10 s.
                let eviction = SimTime::from_nanos(lease_rng.random_range(0..10_000_000_000));
                Node::new(offset, eviction, engine)
            })
            .collect();
        for (node, spec) in nodes.iter_mut().zip(&scenario.nodes) {
            if !spec.initial {
                node.registered = false;
                node.up = false;
                node.no_schedule = true;
            }
        }
        let node_counts = (0..scenario.pools.len())
            .map(|p| {
                let count = scenario
                    .nodes
                    .iter()
                    .filter(|n| n.pool == p && n.initial)
                    .count();
                Gauge::new(count as u32, None)
            })
            .collect();
        let autoscaler = scenario.node_groups.iter().any(Option::is_some).then(|| {
            let mut rng = streams.stream("cluster-autoscaler");
            let period = scenario.settings.scan_interval.as_nanos().max(1);
            let phase = SimTime::from_nanos(rng.random_range(0..period));
            cluster_autoscaler::ClusterAutoscaler::new(
                scenario.nodes.len(),
                scenario.pools.len(),
                phase,
                rng,
                engine.new_timer(),
            )
        });
        let zones = (0..scenario.zones.len())
            .map(|z| Zone::new(z, &scenario.nodes, engine))
            .collect();
        let workloads = scenario
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| WorkloadState {
                replicas: w.replicas,
                versions: vec![deployment::Version::first(
                    &w.name,
                    w.app.clone(),
                    w.replicas,
                    scenario.nodes.len(),
                )],
                live_versions: vec![0],
                pods_on_node: vec![0; scenario.nodes.len()],
                pods_in_zone: vec![0; scenario.zones.len()],
                any_version_leaks: w.app.memory.leak_per_hour_bytes > 0.0,
                any_version_holds_requests: w.app.memory.per_request_bytes > 0.0,
                current: 0,
                progress: None,
                rollouts: Vec::new(),
                progress_timer: engine.new_timer(),
                available_timer: engine.new_timer(),
                sync_pending: false,
                replica_sets_resized: false,
                revision: 1,
                leaving: Vec::new(),
                falls_back: false,
                replicas_gauge: Gauge::new(w.replicas, w.hpa.as_ref().map(|h| h.max_replicas)),
                hpa: w.hpa.as_ref().map(|_| {
                    hpa::HpaState::new(
                        streams.stream(&format!("hpa/{}", w.name)),
                        scenario.settings.hpa_sync_period,
                        scenario.settings.metric_resolution,
                        engine.new_timer(),
                    )
                }),
                scaling_since_failed: None,
                failed_while_scaling: 0,
                rescales: 0,
                traffic: {
                    let mut traffic = FluidTraffic::new(
                        w.traffic.clone(),
                        deployment::capacity(&w.app, w.limits),
                        streams.stream(&format!("traffic/{}", w.name)),
                        streams.stream(&format!("in-flight/{}", w.name)),
                    );
                    if exact {
                        traffic.enable_exact(requests::exact_requests(streams, w));
                    }
                    traffic
                },
                arrival_timer: engine.new_timer(),
                probe_sides: Vec::new(),
                probe_timeouts: prober::ProbeTimeout::of(w),
                pod_faults: fault_injection::pod_faults(&scenario.faults, i),
                pods: Default::default(),
                pods_created: 0,
                spikes: Vec::new(),
                load_timer: engine.new_timer(),
                extra_leak_per_hour_bytes: 0.0,
                leak_fault: scenario.faults.iter().any(
                    |f| matches!(f.kind, FaultKind::MemoryLeak { workload, .. } if workload == i),
                ),
                memory: MemoryUsage::default(),
                kubelet_rng: streams.stream(&format!("kubelet/{}", w.name)),
            })
            .collect();
        let mut world = World {
            scenario,
            nodes,
            node_resources: (scenario.nodes.iter()).map(NodeResources::new).collect(),
            zones,
            pods: Vec::new(),
            slots: recycling::PodSlots::new(scenario.workloads.len()),
            workloads,
            pending: Vec::new(),
            scheduling: Vec::new(),
            scheduler_timer: engine.new_timer(),
            monitor_phase,
            node_controller_since: SimTime::ZERO,
            master_disruption: false,
            control_plane: control_plane::ControlPlaneState::new(
                scenario.control_plane,
                streams.stream("control-plane/managed"),
                streams.stream("control-plane/leader-election"),
                engine.new_timer(),
            ),
            deferred_evictions: Vec::new(),
            api_journal: Vec::new(),
            control_plane_clocks: scenario
                .faults
                .iter()
                .enumerate()
                .filter(|(_, f)| matches!(f.trigger, Trigger::Mtbf(_)))
                .filter_map(|(i, f)| match f.kind {
                    FaultKind::ApiServerDown { .. } => Some((i, ControlPlaneComponent::ApiServers)),
                    FaultKind::EtcdMemberDown { .. } => {
                        Some((i, ControlPlaneComponent::EtcdMembers))
                    }
                    _ => None,
                })
                .map(|(i, c)| (i, c, engine.new_timer()))
                .collect(),
            lost_changes: Vec::new(),
            faults: FaultInjector::new(&scenario.faults, streams),
            autoscaler,
            node_counts,
            drains: (0..scenario.nodes.len()).map(|_| None).collect(),
            drain_records: Vec::new(),
            drains_waiting: 0,
            memory_within_requests: Self::memory_within_requests(scenario),
            probe_rng: streams.stream("probes"),
            recorder: Recorder::new(scenario.workloads.len()),
            timeseries: None,
            trace: Trace::new(trace_level),
            hpa_woken: Vec::new(),
        };
        world.start(engine);
        world
    }

    fn start(&mut self, engine: &mut Engine<ModelEvent>) {
        self.plan_managed_outage(engine);
        for w in 0..self.workloads.len() {
            self.schedule_arrival(w, engine);
        }
        self.arm_control_plane_clocks(engine);
        // A rate step changes every endpoint's load, and so what its probes see.
        for (w, workload) in self.scenario.workloads.iter().enumerate() {
            for at in workload.traffic.changes() {
                engine
                    .schedule_at(at, ModelEvent::RateChanged { workload: w })
                    .expect("rate steps are not negative");
            }
        }
        for (f, fault) in self.scenario.faults.iter().enumerate() {
            if let Some(at) = FaultInjector::first_firing(fault) {
                engine
                    .schedule_at(at, ModelEvent::FaultFires { fault: f })
                    .expect("fault times are not negative");
            }
            // A workload's stochastic spikes run on one clock of the fault's.
            if let (Trigger::Mtbf(ttf), FaultKind::TrafficSpike { .. }) =
                (&fault.trigger, &fault.kind)
            {
                let first = self.faults.draw(f, ttf);
                engine.schedule_in(first, ModelEvent::FaultFires { fault: f });
            }
        }
        for w in 0..self.workloads.len() {
            self.wake_hpa(w, engine);
        }
        self.wake_cluster_autoscaler(engine);
        for (r, rollout) in self.scenario.rollouts.iter().enumerate() {
            let first = match rollout.trigger {
                Trigger::At(at) | Trigger::Every { first: at, .. } => at,
                Trigger::Mtbf(_) => continue,
            };
            engine
                .schedule_at(first, ModelEvent::RolloutStarts { rollout: r })
                .expect("rollout times are not negative");
        }
        for node in 0..self.nodes.len() {
            if self.nodes[node].registered {
                self.arm_node_failure(node, engine);
            }
        }
        if self.scenario.cold_start {
            for w in 0..self.workloads.len() {
                self.recorder.set_up(w, false, SimTime::ZERO, "coldStart");
                self.reconcile_replicas(w, engine);
            }
        } else {
            for w in 0..self.workloads.len() {
                self.place_steady_state(w, engine);
                let up =
                    self.workloads[w].traffic.serving() >= self.scenario.workloads[w].min_ready;
                if !up {
                    let cause = if self.scenario.workloads[w].replicas == 0 {
                        "scaledToZero"
                    } else {
                        "insufficientCapacity"
                    };
                    self.recorder.set_up(w, false, SimTime::ZERO, cause);
                }
            }
        }
    }

    /// Sends every event of the trace to `sink` as it happens, beside the
    /// events the trace's level keeps for the report.
    pub fn send_events_to(&mut self, sink: &'s mut dyn EventSink) {
        self.trace.send_to(sink);
    }

    /// Turns the world's observations into the run's results.
    pub fn finish(mut self, end: SimTime) -> Observations {
        self.finish_timeseries(end);
        for w in &mut self.workloads {
            w.traffic.settle(end);
        }
        self.account_all_memory(end);
        self.close_drains(end);
        self.control_plane.finish(end);
        let mut pod_restarts = vec![Vec::new(); self.workloads.len()];
        let mut pod_oom_kills = vec![Vec::new(); self.workloads.len()];
        let (restarts, records) = self.pod_records();
        for pod in records {
            if pod.restarts > 0 {
                pod_restarts[pod.workload].push((pod.name.to_string(), pod.restarts));
            }
            if pod.oom_kills > 0 {
                pod_oom_kills[pod.workload].push((pod.name.to_string(), pod.oom_kills));
            }
        }
        let usage = (0..self.workloads.len())
            .map(|w| {
                let traffic = &self.workloads[w].traffic;
                let now = UsageNow {
                    cpu_cores: traffic.cpu_cores_now(end),
                    offered_rate: traffic.offered_rate_now(end),
                    memory_bytes: self.memory_now(w, end),
                };
                (traffic.usage().clone(), now)
            })
            .collect();
        let memory = self.workloads.iter().map(|w| w.memory).collect();
        let replicas = self
            .workloads
            .iter()
            .map(|w| w.replicas_gauge.clone().finish(end))
            .collect();
        let rescales = self.workloads.iter().map(|w| w.rescales).collect();
        let failed_while_scaling = self
            .workloads
            .iter()
            .map(|w| {
                let open = w
                    .scaling_since_failed
                    .map_or(0, |at_start| w.traffic.counts().failed() - at_start);
                w.failed_while_scaling + open
            })
            .collect();
        for w in 0..self.workloads.len() {
            self.end_rollout(w, end, RolloutOutcome::InProgress);
        }
        let mut rollouts: Vec<RolloutRecord> = self
            .workloads
            .iter_mut()
            .flat_map(|w| std::mem::take(&mut w.rollouts))
            .collect();
        rollouts.sort_by_key(|r| (r.start, r.workload));
        let nodes = std::mem::take(&mut self.node_counts)
            .into_iter()
            .map(|g| g.finish(end))
            .collect();
        let (trace, key_events_not_kept) = self.trace.into_events();
        Observations {
            requests: self
                .workloads
                .iter()
                .map(|w| w.traffic.counts().clone())
                .collect(),
            uptime: self.recorder.finish(end),
            restarts,
            pod_restarts,
            usage,
            memory,
            pod_oom_kills,
            replicas,
            rescales,
            failed_while_scaling,
            nodes,
            rollouts,
            drains: std::mem::take(&mut self.drain_records),
            control_plane_incidents: std::mem::take(&mut self.control_plane.incidents),
            lost_changes: std::mem::take(&mut self.lost_changes),
            latency_ms: self
                .workloads
                .iter()
                .map(|w| w.traffic.latency_ms())
                .collect(),
            trace,
            key_events_not_kept,
        }
    }
}

impl Handler<ModelEvent> for World<'_> {
    fn handle(&mut self, engine: &mut Engine<ModelEvent>, event: ModelEvent) {
        if self.timeseries.is_some() {
            let now = engine.now();
            self.sample_grid_before(now);
            self.dispatch(engine, event);
            self.sample_after(now, &event);
        } else {
            self.dispatch(engine, event);
        }
        while let Some(w) = self.hpa_woken.pop() {
            self.wake_hpa(w, engine);
        }
        self.free_done_slots();
    }
}

impl World<'_> {
    fn dispatch(&mut self, engine: &mut Engine<ModelEvent>, event: ModelEvent) {
        match event {
            ModelEvent::ContainerStarted { pod } => self.container_started(pod, engine),
            ModelEvent::AppStarted { pod } => self.app_started(pod, engine),
            ModelEvent::ReadinessProbeSucceeded { pod } => {
                self.readiness_probe_succeeded(pod, engine)
            }
            ModelEvent::BackOffExpired { pod } => self.back_off_expired(pod, engine),
            ModelEvent::ReadinessProbeFailed { pod } => self.readiness_probe_failed(pod, engine),
            ModelEvent::StartupProbeSucceeded { pod } => self.startup_probe_succeeded(pod, engine),
            ModelEvent::ProbeKilled { pod, probe } => self.probe_killed(pod, probe, engine),
            ModelEvent::ContainerKilled { pod } => self.container_exited(pod, false, engine),
            ModelEvent::PreStopDone { pod } => self.send_sigterm(pod, engine),
            ModelEvent::ContainerTerminated { pod, killed } => {
                self.container_terminated(pod, killed, engine)
            }
            ModelEvent::AppRecovers { pod } => self.app_recovers(pod, engine),
            ModelEvent::RateChanged { workload } | ModelEvent::LoadCrossing { workload } => {
                self.load_changed(workload, engine)
            }
            ModelEvent::RequestArrives { workload } => self.request_arrives(workload, engine),
            ModelEvent::RequestAnswered {
                workload,
                endpoint,
                incarnation,
                after,
            } => self.request_answered(workload, endpoint, incarnation, after),
            ModelEvent::TrafficSpikeEnds {
                workload,
                multiplier,
            } => self.spike_ends(workload, multiplier, engine),
            ModelEvent::SchedulingBackOffExpired => self.schedule_pending(engine),
            ModelEvent::OomKilled { pod } => self.oom_killed(pod, engine),
            ModelEvent::ManagedOutage => self.managed_outage(engine),
            ModelEvent::LeaderElected { component } => self.leader_elected(component, engine),
            ModelEvent::LeaseRenewDeadline => self.renew_deadline_passed(engine),
            ModelEvent::EtcdLeaderElected => self.etcd_leader_elected(engine),
            ModelEvent::ControlPlaneFailureDue { fault } => {
                self.control_plane_fault_fires(fault, engine)
            }
            ModelEvent::EtcdRestored { snapshot } => self.etcd_restored(snapshot, engine),
            ModelEvent::ControlPlaneInstancesBack { component, count } => {
                self.control_plane_instances_back(component, count, engine)
            }
            ModelEvent::NodeMemoryPressure { node } => self.node_memory_pressure(node, engine),
            ModelEvent::MemoryPressureEnds { node } => self.memory_pressure_ends(node, engine),
            ModelEvent::MemoryLeakEnds {
                workload,
                bytes_per_hour,
            } => self.add_extra_leak(workload, -bytes_per_hour, engine),
            ModelEvent::EndpointPropagated { pod, ready } => {
                self.endpoint_propagated(pod, ready, engine)
            }
            ModelEvent::NodeMonitorGracePeriodExceeded { node } => {
                self.node_became_unknown(node, engine)
            }
            ModelEvent::NodeReadyObserved { node } => self.node_ready_observed(node, engine),
            ModelEvent::ZoneTaintPass { zone } => self.zone_taint_pass(zone, engine),
            ModelEvent::TolerationExpired { node } => self.toleration_expired(node, engine),
            ModelEvent::FaultFires { fault } => self.fault_fires(fault, engine),
            ModelEvent::ClusterAutoscalerScan => self.cluster_autoscaler_scan(engine),
            ModelEvent::NodeRegistered { node } => self.node_registered(node, engine),
            ModelEvent::NodeProvisioningFailed { node } => {
                self.node_provisioning_failed(node, engine)
            }
            ModelEvent::HpaSync { workload } => self.hpa_sync(workload, engine),
            ModelEvent::EvictionRetry { node } => self.evict_pods(node, engine),
            ModelEvent::Uncordon { node } => self.uncordon(node, engine),
            ModelEvent::RolloutStarts { rollout } => self.rollout_starts(rollout, engine),
            ModelEvent::DeploymentSync { workload } => self.deployment_sync_due(workload, engine),
            ModelEvent::ProgressDeadline { workload } => self.progress_deadline(workload, engine),
            ModelEvent::PodFailureDue { pod, fault } => self.inject_pod_fault(pod, fault, engine),
            ModelEvent::NodeFailureDue { node, fault } => {
                self.inject_node_crash(node, fault, engine)
            }
            ModelEvent::NodeRecovers { node } => self.node_recovers(node, engine),
        }
    }
}

/// Runs the scenario `text` for two days at most, with `seed`, and shows
/// the world at the end to `inspect`.
#[cfg(test)]
fn run_two_days(text: &str, name: &str, seed: u64, inspect: impl FnOnce(&World)) {
    use crate::sim::{RunLimits, SimDuration};

    let mut scenario = crate::scenario::parse(text, name).expect("a bundled scenario");
    scenario.duration = scenario.duration.min(SimDuration::from_secs(2 * 86_400));
    let streams = RngStreams::new(seed);
    let mut engine = Engine::new();
    let mut world = World::new(&scenario, &streams, TraceLevel::Key, false, &mut engine);
    let limits = RunLimits {
        horizon: SimTime::ZERO + scenario.duration,
        max_events: u64::MAX,
    };
    crate::sim::run(&mut engine, &mut world, limits).expect("the run ends");
    inspect(&world);
}
