//! The control plane (k8s-reference §9, §10): API servers behind a load
//! balancer, and etcd, which needs a quorum of ⌊n/2⌋ + 1 members to write.
//! While no API server runs or etcd has no quorum the API is not writable,
//! and the cluster runs on what it has: kubelets keep their pods, probe them
//! and restart their containers; kube-proxy keeps its last rules (the
//! endpoint view freezes); nothing is scheduled, replaced, marked NotReady
//! or evicted. What could not be written is written when the API returns.

use super::{ModelEvent, NodeId, PodId, World};
use crate::scenario::{ControlPlane, LeaderComponent, Trigger};
use crate::sim::{Engine, SimDuration, SimTime, Stream, TimerId};
use crate::units::Distribution;

/// `--leader-elect-lease-duration`.
const LEASE_DURATION: SimDuration = SimDuration::from_secs(15);

/// `--leader-elect-renew-deadline`: a leader that cannot renew its lease
/// for this long gives it up, and its process exits.
const RENEW_DEADLINE: SimDuration = SimDuration::from_secs(10);

/// `--leader-elect-retry-period`.
const RETRY_PERIOD: SimDuration = SimDuration::from_secs(2);

/// Where in `--leader-elect-retry-period` a candidate's next try falls.
pub(super) fn retry_phase() -> Distribution {
    Distribution::Uniform {
        low: SimDuration::ZERO,
        high: RETRY_PERIOD,
    }
}

/// Where a leader-elected component (kube-controller-manager,
/// kube-scheduler, cluster-autoscaler) stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Leadership {
    Leading,
    /// A replica takes the lease at a `LeaderElected` already queued.
    Electing,
    /// No replica can take the lease before the API is writable again: a
    /// candidate must first read the lease, then wait out its duration.
    AwaitingApi,
}

/// A contiguous interval without a writable API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlaneIncident {
    pub start: SimTime,
    pub end: SimTime,
    pub cause: String,
    pub ongoing: bool,
}

#[derive(Debug)]
pub(super) struct ControlPlaneState {
    spec: ControlPlane,
    api_servers_up: u32,
    etcd_members_up: u32,
    down_since: Option<(SimTime, String)>,
    pub incidents: Vec<ControlPlaneIncident>,
    /// Changes kube-proxy has not heard of, delivered when the API returns.
    frozen_propagations: Vec<(PodId, bool)>,
    /// Pods whose Ready condition the kubelet could not write.
    unwritten_status: Vec<PodId>,
    /// Nodes whose health the node lifecycle controller could not act on.
    deferred_nodes: Vec<NodeId>,
    /// Rollouts whose `kubectl apply` failed for want of an API.
    pub deferred_rollouts: Vec<usize>,
    /// Draws the outages of a managed control plane.
    managed_rng: Stream,
    /// Of each [`LeaderComponent`], in its order.
    leaders: [Leadership; 3],
    /// Fires `--leader-elect-renew-deadline` into an outage of the API.
    renew_deadline_timer: TimerId,
    /// Draws where in the retry period a candidate first reads the lease
    /// once the API is back.
    election_rng: Stream,
    /// etcd is electing a leader: no write commits meanwhile.
    etcd_electing: bool,
    /// etcd's data is gone, and why: until a restore, nothing is writable.
    etcd_lost: Option<String>,
}

impl ControlPlaneState {
    pub fn new(
        spec: ControlPlane,
        managed_rng: Stream,
        election_rng: Stream,
        renew_deadline_timer: TimerId,
    ) -> Self {
        ControlPlaneState {
            spec,
            api_servers_up: spec.api_servers,
            etcd_members_up: spec.etcd_members,
            down_since: None,
            incidents: Vec::new(),
            frozen_propagations: Vec::new(),
            unwritten_status: Vec::new(),
            deferred_nodes: Vec::new(),
            deferred_rollouts: Vec::new(),
            managed_rng,
            leaders: [Leadership::Leading; 3],
            renew_deadline_timer,
            election_rng,
            etcd_electing: false,
            etcd_lost: None,
        }
    }

    /// The API answers writes: one API server runs and etcd has its quorum.
    pub fn writable(&self) -> bool {
        self.api_servers_up > 0
            && self.etcd_members_up >= self.spec.etcd_quorum()
            && !self.etcd_electing
            && self.etcd_lost.is_none()
    }

    fn up(&self, component: ControlPlaneComponent) -> u32 {
        match component {
            ControlPlaneComponent::ApiServers => self.api_servers_up,
            ControlPlaneComponent::EtcdMembers => self.etcd_members_up,
        }
    }

    fn leader(&self, component: LeaderComponent) -> bool {
        self.leaders[component as usize] == Leadership::Leading
    }

    /// Why the API is not writable, for the incident and the trace.
    fn why_down(&self) -> String {
        if let Some(cause) = &self.etcd_lost {
            cause.clone()
        } else if self.etcd_electing {
            "etcd leader election".to_string()
        } else if let Some(m) = &self.spec.managed {
            format!("managed control plane outage (SLA {:.3}%)", m.sla * 100.0)
        } else if self.api_servers_up == 0 {
            format!("apiServerDown: 0/{} API servers up", self.spec.api_servers)
        } else {
            format!(
                "etcd quorum lost: {}/{} members up, quorum {}",
                self.etcd_members_up,
                self.spec.etcd_members,
                self.spec.etcd_quorum()
            )
        }
    }

    /// Closes an incident still open at the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        if let Some((start, cause)) = self.down_since.take() {
            self.incidents.push(ControlPlaneIncident {
                start,
                end,
                cause,
                ongoing: true,
            });
        }
    }
}

/// Which replicated part a control-plane fault stops.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ControlPlaneComponent {
    ApiServers,
    EtcdMembers,
}

impl World<'_> {
    pub(super) fn api_writable(&self) -> bool {
        self.control_plane.writable()
    }

    /// The controllers (ReplicaSet, EndpointSlice, node lifecycle,
    /// taint-eviction) act: the API is writable and a controller-manager
    /// replica leads.
    pub(super) fn controllers_running(&self) -> bool {
        self.acts(LeaderComponent::ControllerManager)
    }

    /// The cluster autoscaler scans: the API is writable and a replica leads.
    pub(super) fn cluster_autoscaler_running(&self) -> bool {
        self.acts(LeaderComponent::ClusterAutoscaler)
    }

    /// Pods are bound: the API is writable and a scheduler replica leads.
    pub(super) fn scheduler_running(&self) -> bool {
        self.acts(LeaderComponent::Scheduler)
    }

    /// A leader-elected component acts: a replica leads, and the API it
    /// reads and writes is writable.
    fn acts(&self, component: LeaderComponent) -> bool {
        self.control_plane.writable() && self.control_plane.leader(component)
    }

    /// The leader stops renewing its lease. Another replica (or the leader's
    /// restarted process, under a new identity) takes it once it expires,
    /// `--leader-elect-lease-duration` (15 s) after the last renewal, at its
    /// next try (every `--leader-elect-retry-period`, 2 s): `retry_phase`
    /// is where in that period the try falls. Without a writable API no
    /// replica can read the lease: the election waits for the API.
    pub(super) fn leader_lost(
        &mut self,
        component: LeaderComponent,
        retry_phase: SimDuration,
        engine: &mut Engine<ModelEvent>,
    ) {
        let cp = &mut self.control_plane;
        if cp.leaders[component as usize] != Leadership::Leading {
            return;
        }
        if !cp.writable() {
            cp.leaders[component as usize] = Leadership::AwaitingApi;
            return;
        }
        self.elect(component, retry_phase, engine);
    }

    /// A candidate takes the lease a lease duration after it first read
    /// it, at its try `retry_phase` into the retry period.
    fn elect(
        &mut self,
        component: LeaderComponent,
        retry_phase: SimDuration,
        engine: &mut Engine<ModelEvent>,
    ) {
        self.control_plane.leaders[component as usize] = Leadership::Electing;
        engine.schedule_in(
            LEASE_DURATION + retry_phase,
            ModelEvent::LeaderElected { component },
        );
    }

    /// The API has been unwritable for `--leader-elect-renew-deadline`:
    /// each leader failed to renew its lease, gives it up and exits
    /// (`leaderelection lost`). The kubelet restarts the process, whose
    /// new identity can only take the lease once the API is back.
    pub(super) fn renew_deadline_passed(&mut self, engine: &mut Engine<ModelEvent>) {
        if self.control_plane.writable() {
            return;
        }
        let now = engine.now();
        for component in LeaderComponent::ALL {
            if component == LeaderComponent::ClusterAutoscaler && self.autoscaler.is_none() {
                // No pool autoscales: the scenario runs no cluster autoscaler.
                continue;
            }
            let leadership = &mut self.control_plane.leaders[component as usize];
            if *leadership != Leadership::Leading {
                continue;
            }
            *leadership = Leadership::AwaitingApi;
            let name = component.name();
            self.trace
                .emit(now, true, "Lease", name, "LeaderElectionLost", || {
                    format!(
                        "failed to renew lease kube-system/{name} within {RENEW_DEADLINE}: \
                         the leader exits, and a new one waits for the API"
                    )
                });
        }
    }

    /// The API is writable again: a candidate of each component that lost
    /// its leader reads the lease at its next try, and takes it a lease
    /// duration later, when the lease it read has not been renewed.
    fn elect_leaders_after_outage(&mut self, engine: &mut Engine<ModelEvent>) {
        for component in LeaderComponent::ALL {
            let cp = &mut self.control_plane;
            if cp.leaders[component as usize] != Leadership::AwaitingApi {
                continue;
            }
            let phase = retry_phase().sample(&mut cp.election_rng);
            self.elect(component, phase, engine);
        }
    }

    pub(super) fn leader_elected(
        &mut self,
        component: LeaderComponent,
        engine: &mut Engine<ModelEvent>,
    ) {
        if !self.api_writable() {
            self.control_plane.leaders[component as usize] = Leadership::AwaitingApi;
            return;
        }
        let now = engine.now();
        self.control_plane.leaders[component as usize] = Leadership::Leading;
        let name = component.name();
        self.trace
            .emit(now, true, "Lease", name, "LeaderElection", || {
                format!("{name} replica became leader")
            });
        match component {
            LeaderComponent::ControllerManager => {
                self.hpa_controller_restarted();
                self.node_lifecycle_restarted(engine);
            }
            LeaderComponent::ClusterAutoscaler => self.cluster_autoscaler_restarted(now),
            LeaderComponent::Scheduler => {}
        }
        self.catch_up(engine);
    }

    /// etcd's leader is lost: the followers wait out their election timeout
    /// (`--election-timeout`, 1000 ms, randomized by Raft up to twice that,
    /// which `pause` is drawn from), then elect a new leader.
    pub(super) fn etcd_leader_lost(&mut self, pause: SimDuration, engine: &mut Engine<ModelEvent>) {
        self.control_plane.etcd_electing = true;
        engine.schedule_in(pause, ModelEvent::EtcdLeaderElected);
        self.control_plane_changed(engine);
    }

    pub(super) fn control_plane_lost_etcd(
        &mut self,
        cause: String,
        engine: &mut Engine<ModelEvent>,
    ) {
        self.control_plane.etcd_lost = Some(cause);
        self.control_plane_changed(engine);
    }

    pub(super) fn control_plane_restored_etcd(&mut self, engine: &mut Engine<ModelEvent>) {
        self.control_plane.etcd_lost = None;
        self.control_plane_changed(engine);
    }

    pub(super) fn etcd_leader_elected(&mut self, engine: &mut Engine<ModelEvent>) {
        self.control_plane.etcd_electing = false;
        self.control_plane_changed(engine);
    }

    /// The control-plane node hosting the leaders stops for `duration`: its
    /// API server, (stacked) its etcd member, and both leaders, which fail
    /// over to another node's replicas, or, when no other API server is
    /// left, wait for this node to come back.
    pub(super) fn control_plane_node_crash(
        &mut self,
        duration: SimDuration,
        retry_phase: SimDuration,
        engine: &mut Engine<ModelEvent>,
    ) {
        if self.scenario.control_plane.stacked {
            self.control_plane_instances_down(
                ControlPlaneComponent::EtcdMembers,
                Some(1),
                duration,
                engine,
            );
        }
        self.control_plane_instances_down(
            ControlPlaneComponent::ApiServers,
            Some(1),
            duration,
            engine,
        );
        for component in [
            LeaderComponent::ControllerManager,
            LeaderComponent::Scheduler,
        ] {
            self.leader_lost(component, retry_phase, engine);
        }
    }

    /// `count` instances (every one with `None`) stop, and come back after
    /// `duration`.
    pub(super) fn control_plane_instances_down(
        &mut self,
        component: ControlPlaneComponent,
        count: Option<u32>,
        duration: SimDuration,
        engine: &mut Engine<ModelEvent>,
    ) {
        let cp = &mut self.control_plane;
        let up = match component {
            ControlPlaneComponent::ApiServers => &mut cp.api_servers_up,
            ControlPlaneComponent::EtcdMembers => &mut cp.etcd_members_up,
        };
        let stopped = count.unwrap_or(*up).min(*up);
        *up -= stopped;
        if stopped > 0 {
            engine.schedule_in(
                duration,
                ModelEvent::ControlPlaneInstancesBack {
                    component,
                    count: stopped,
                },
            );
        }
        self.arm_control_plane_clocks(engine);
        self.control_plane_changed(engine);
    }

    pub(super) fn control_plane_instances_back(
        &mut self,
        component: ControlPlaneComponent,
        count: u32,
        engine: &mut Engine<ModelEvent>,
    ) {
        let cp = &mut self.control_plane;
        match component {
            ControlPlaneComponent::ApiServers => cp.api_servers_up += count,
            ControlPlaneComponent::EtcdMembers => cp.etcd_members_up += count,
        }
        self.arm_control_plane_clocks(engine);
        self.control_plane_changed(engine);
    }

    fn control_plane_changed(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let writable = self.control_plane.writable();
        match (self.control_plane.down_since.is_some(), writable) {
            (false, false) => {
                engine.set_timer_in(
                    self.control_plane.renew_deadline_timer,
                    RENEW_DEADLINE,
                    ModelEvent::LeaseRenewDeadline,
                );
                let why = self.control_plane.why_down();
                self.trace.emit(now, true, "ControlPlane", "kube-apiserver", "APIUnavailable", || {
                    format!("{why}: nothing is scheduled, replaced or evicted, and kube-proxy keeps its last rules")
                });
                self.control_plane.down_since = Some((now, why));
            }
            (true, true) => {
                let (start, cause) = self.control_plane.down_since.take().expect("was down");
                self.control_plane.incidents.push(ControlPlaneIncident {
                    start,
                    end: now,
                    cause,
                    ongoing: false,
                });
                self.trace.emit(
                    now,
                    true,
                    "ControlPlane",
                    "kube-apiserver",
                    "APIAvailable",
                    || "the API is writable again: the controllers catch up".to_string(),
                );
                engine.cancel_timer(self.control_plane.renew_deadline_timer);
                self.elect_leaders_after_outage(engine);
                self.catch_up(engine);
            }
            _ => {}
        }
    }

    /// What was held back is written, in a catch-up that starts now: when the
    /// API returns, or a leader is elected. Whatever still cannot run is
    /// held back again.
    fn catch_up(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        // kubelets renew their Leases as soon as they reach an API server.
        for node in 0..self.nodes.len() {
            if self.nodes[node].up && !self.nodes[node].partitioned {
                self.nodes[node].lease_origin = now;
            }
        }
        for pod in std::mem::take(&mut self.control_plane.unwritten_status) {
            self.update_ready(pod, engine);
            self.unpin_pod(pod);
        }
        // The EndpointSlice changes of before the outage reach kube-proxy now.
        let delay = self.scenario.settings.endpoint_propagation_delay;
        // Each pins its pod as its frozen change did.
        for (pod, ready) in std::mem::take(&mut self.control_plane.frozen_propagations) {
            engine.schedule_in(delay, ModelEvent::EndpointPropagated { pod, ready });
        }
        // The node lifecycle controller sees again: a node silent for longer
        // than the grace period is found at its next monitor pass.
        let mut deferred = std::mem::take(&mut self.control_plane.deferred_nodes);
        deferred.sort_unstable();
        deferred.dedup();
        for node in deferred {
            self.node_health_deferred(node, engine);
        }
        for w in 0..self.workloads.len() {
            self.sync_deployment(w, engine);
            self.catch_up_deadline(w, engine);
        }
        for rollout in std::mem::take(&mut self.control_plane.deferred_rollouts) {
            self.apply_rollout(rollout, engine);
        }
        self.schedule_pending(engine);
        self.resume_evictions(engine);
        self.wake_cluster_autoscaler(engine);
        self.drains_may_proceed(engine);
        for w in 0..self.workloads.len() {
            self.wake_hpa(w, engine);
        }
    }

    /// The stochastic (`mtbf`) faults of API servers and etcd members: with
    /// `u` instances up, each failing at rate 1/mtbf, the next failure comes
    /// an exponential time of mean mtbf/u from now. Being memoryless, the
    /// clock can be drawn anew whenever `u` changes.
    pub(super) fn arm_control_plane_clocks(&mut self, engine: &mut Engine<ModelEvent>) {
        for i in 0..self.control_plane_clocks.len() {
            let (fault, component, timer) = self.control_plane_clocks[i];
            let Trigger::Mtbf(Distribution::Exponential { mean }) =
                self.scenario.faults[fault].trigger
            else {
                continue;
            };
            let up = self.control_plane.up(component);
            if up == 0 {
                engine.cancel_timer(timer);
                continue;
            }
            let next = Distribution::Exponential {
                mean: SimDuration::from_nanos(mean.as_nanos() / u64::from(up)),
            };
            let d = self.faults.draw(fault, &next);
            engine.set_timer_in(timer, d, ModelEvent::ControlPlaneFailureDue { fault });
        }
    }

    /// The next outage of a managed control plane, an exponential time from now.
    pub(super) fn plan_managed_outage(&mut self, engine: &mut Engine<ModelEvent>) {
        let Some(m) = self.scenario.control_plane.managed else {
            return;
        };
        let up = Distribution::Exponential {
            mean: m.mean_time_between_outages(),
        };
        let d = up.sample(&mut self.control_plane.managed_rng);
        engine.schedule_in(d, ModelEvent::ManagedOutage);
    }

    /// The provider's control plane goes away for a while, then the next
    /// outage is planned from its end.
    pub(super) fn managed_outage(&mut self, engine: &mut Engine<ModelEvent>) {
        let Some(m) = self.scenario.control_plane.managed else {
            return;
        };
        let now = engine.now();
        let d = m.outage.sample(&mut self.control_plane.managed_rng);
        self.trace.emit(
            now,
            true,
            "Fault",
            "managed-control-plane",
            "ControlPlaneOutage",
            || {
                format!(
                    "the provider's control plane is unavailable for {}",
                    crate::units::duration::for_people(d.as_secs_f64())
                )
            },
        );
        self.control_plane_instances_down(ControlPlaneComponent::ApiServers, None, d, engine);
        let up = Distribution::Exponential {
            mean: m.mean_time_between_outages(),
        };
        let next = d + up.sample(&mut self.control_plane.managed_rng);
        engine.schedule_in(next, ModelEvent::ManagedOutage);
    }

    /// kube-proxy cannot hear of the change while the API is down.
    pub(super) fn freeze_propagation(&mut self, pod: PodId, ready: bool) {
        self.pin_pod(pod);
        self.control_plane.frozen_propagations.push((pod, ready));
    }

    /// The kubelet could not write the pod's Ready condition: it will when
    /// the API returns.
    pub(super) fn status_unwritten(&mut self, pod: PodId) {
        self.pin_pod(pod);
        self.control_plane.unwritten_status.push(pod);
    }

    /// The node lifecycle controller could not act on this node now.
    pub(super) fn defer_node(&mut self, node: NodeId) {
        self.control_plane.deferred_nodes.push(node);
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::quorum;

    #[test]
    fn etcd_quorum_and_tolerated_failures() {
        let tolerated: Vec<u32> = (1..=7).map(|n| n - quorum(n)).collect();
        assert_eq!(tolerated, vec![0, 0, 1, 1, 2, 2, 3]);
        let quorums: Vec<u32> = (1..=7).map(quorum).collect();
        assert_eq!(quorums, vec![1, 2, 2, 3, 3, 4, 4]);
    }
}
