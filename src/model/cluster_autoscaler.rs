//! The cluster autoscaler (k8s-reference §8). Every `scanInterval` it asks
//! for nodes when pods are Pending as unschedulable and a node group could
//! fit them, and removes a node whose pods' requests stay under
//! `scaleDownUtilizationThreshold` of its allocatable for
//! `scaleDownUnneededTime`, if its pods fit elsewhere and their
//! PodDisruptionBudgets allow the evictions. Its loop is lazy: a scan runs
//! at the next tick of its phase after something it looks at changed (a pod
//! found unschedulable, a pod leaving a node, a node registered) or when an
//! unneeded node's time is up; a quiet cluster costs no scans.

use super::{ModelEvent, NodeId, PodId, World};
use crate::scenario::{Resources, defaults};
use crate::sim::{Engine, SimDuration, SimTime, Stream, TimerId};

#[derive(Debug)]
pub(super) struct ClusterAutoscaler {
    timer: TimerId,
    /// Scans run at `phase + k × scanInterval`.
    phase: SimTime,
    next_scan: Option<SimTime>,
    last_scale_up: Option<SimTime>,
    /// Per node: since when it has been unneeded.
    unneeded_since: Vec<Option<SimTime>>,
    /// Per pool: the last failed scale-up, and the back-off it set.
    backoff: Vec<Option<(SimTime, SimDuration)>>,
    /// Provisioning times, drawn in request order.
    rng: Stream,
}

impl ClusterAutoscaler {
    pub fn new(nodes: usize, pools: usize, phase: SimTime, rng: Stream, timer: TimerId) -> Self {
        ClusterAutoscaler {
            backoff: vec![None; pools],
            timer,
            phase,
            next_scan: None,
            last_scale_up: None,
            unneeded_since: vec![None; nodes],
            rng,
        }
    }
}

/// What is free on a node (or a node yet to come) for the simulation of
/// where pods would go.
#[derive(Clone, Copy, Debug)]
struct Room {
    cpu_millis: u64,
    memory_bytes: u64,
}

impl Room {
    fn of(free: Resources) -> Self {
        Room {
            cpu_millis: free.cpu_millis,
            memory_bytes: free.memory_bytes,
        }
    }

    fn take(&mut self, r: Resources) -> bool {
        let fits = r.cpu_millis <= self.cpu_millis && r.memory_bytes <= self.memory_bytes;
        if fits {
            self.cpu_millis -= r.cpu_millis;
            self.memory_bytes -= r.memory_bytes;
        }
        fits
    }
}

/// One node group's answer to the pending pods: how many nodes, which pods
/// they would take, and the least-waste expander's score (the mean share
/// of CPU and memory left unused on the new nodes).
struct ScaleUpOption {
    pool: usize,
    nodes: usize,
    helped: Vec<PodId>,
    waste: f64,
}

impl World<'_> {
    /// Something the autoscaler looks at changed: it scans at its next tick.
    pub(super) fn wake_cluster_autoscaler(&mut self, engine: &mut Engine<ModelEvent>) {
        // Strictly after now: a change made by a scan is looked at by the
        // next one, not by a second scan at the same instant.
        let after = engine.now() + SimDuration::from_nanos(1);
        self.schedule_scan(after, engine);
    }

    /// Arms the scan at the first tick at or after `not_before`, unless one
    /// is already due sooner.
    fn schedule_scan(&mut self, not_before: SimTime, engine: &mut Engine<ModelEvent>) {
        let period = self.scenario.settings.scan_interval;
        let Some(ca) = self.autoscaler.as_mut() else {
            return;
        };
        let at = super::prober::next_tick(ca.phase, period, not_before);
        if ca.next_scan.is_some_and(|due| due <= at) {
            return;
        }
        ca.next_scan = Some(at);
        engine
            .set_timer(ca.timer, at, ModelEvent::ClusterAutoscalerScan)
            .expect("a scan is not in the past");
    }

    pub(super) fn cluster_autoscaler_scan(&mut self, engine: &mut Engine<ModelEvent>) {
        let Some(ca) = self.autoscaler.as_mut() else {
            return;
        };
        ca.next_scan = None;
        if !self.cluster_autoscaler_running() {
            // It cannot read or write the API, or no replica leads; the
            // catch-up wakes it.
            return;
        }
        self.scale_up(engine);
        self.scale_down(engine);
    }

    /// A new cluster-autoscaler leader builds its state afresh
    /// (`NewStaticAutoscaler`): no node has been unneeded for any time yet,
    /// no node group is backed off, and its last scale-up is set an hour
    /// before its start "so as to not start in cooldown mode" (before the
    /// run's first hour, as none: the run starts long after the last).
    pub(super) fn cluster_autoscaler_restarted(&mut self, now: SimTime) {
        let Some(ca) = self.autoscaler.as_mut() else {
            return;
        };
        let hour = SimDuration::from_secs(3600).as_nanos();
        ca.last_scale_up = now.as_nanos().checked_sub(hour).map(SimTime::from_nanos);
        ca.unneeded_since.fill(None);
        ca.backoff.fill(None);
    }

    fn pool_size(&self, pool: usize) -> (usize, usize) {
        let mut registered = 0;
        let mut provisioning = 0;
        for (n, node) in self.nodes.iter().enumerate() {
            if self.scenario.nodes[n].pool == pool {
                registered += usize::from(node.registered);
                provisioning += usize::from(node.provisioning);
            }
        }
        (registered, provisioning)
    }

    fn scale_up(&mut self, engine: &mut Engine<ModelEvent>) {
        let requests = |w: &World, p: PodId| w.scenario.workloads[w.pods[p].workload].requests;
        let unschedulable: Vec<PodId> = self
            .pending
            .iter()
            .copied()
            .filter(|&p| self.pods[p].unschedulable_reported && self.pods[p].node.is_none())
            .collect();
        if unschedulable.is_empty() {
            return;
        }
        // Pods that nodes already on their way will take need nothing more.
        let mut upcoming: Vec<Room> = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].provisioning)
            .map(|n| Room::of(self.scenario.nodes[n].allocatable))
            .collect();
        let waiting: Vec<PodId> = unschedulable
            .into_iter()
            .filter(|&p| !upcoming.iter_mut().any(|room| room.take(requests(self, p))))
            .collect();
        if waiting.is_empty() {
            return;
        }
        let now = engine.now();
        let mut options = Vec::new();
        let mut backed_off_until: Option<SimTime> = None;
        for (pool, group) in self.scenario.node_groups.iter().enumerate() {
            let Some(group) = group else {
                continue;
            };
            let ca = self.autoscaler.as_ref().expect("scanning");
            if let Some((failed, backoff)) = ca.backoff[pool] {
                let until = failed + backoff;
                if until > now {
                    backed_off_until = Some(backed_off_until.map_or(until, |u| u.min(until)));
                    continue;
                }
            }
            let (registered, provisioning) = self.pool_size(pool);
            let room_left = (group.max_nodes as usize).saturating_sub(registered + provisioning);
            let Some(template) = self.scenario.nodes.iter().find(|n| n.pool == pool) else {
                continue;
            };
            let allocatable = template.allocatable;
            let mut bins: Vec<Room> = Vec::new();
            let mut helped = Vec::new();
            for &pod in &waiting {
                let r = requests(self, pod);
                if bins.iter_mut().any(|b| b.take(r)) {
                    helped.push(pod);
                } else if bins.len() < room_left {
                    let mut bin = Room::of(allocatable);
                    if bin.take(r) {
                        bins.push(bin);
                        helped.push(pod);
                    }
                }
            }
            if helped.is_empty() {
                continue;
            }
            let unused: f64 = bins
                .iter()
                .map(|b| {
                    (b.cpu_millis as f64 / allocatable.cpu_millis as f64
                        + b.memory_bytes as f64 / allocatable.memory_bytes as f64)
                        / 2.0
                })
                .sum();
            options.push(ScaleUpOption {
                pool,
                nodes: bins.len(),
                helped,
                waste: unused / bins.len() as f64,
            });
        }
        if let Some(until) = backed_off_until {
            // Ask again once a backed-off group may be tried.
            self.schedule_scan(until, engine);
        }
        // The `least-waste` expander, the default: the least CPU and memory
        // left unused on the new nodes, however many pods an option helps
        // (what it leaves waiting, the next scan asks for). Its ties go to
        // chance in the autoscaler, to the earlier pool here.
        let best = (0..options.len()).min_by(|&a, &b| {
            let (a, b) = (&options[a], &options[b]);
            a.waste.total_cmp(&b.waste).then(a.pool.cmp(&b.pool))
        });
        // Pods another pool would take and this one does not: the next
        // scan, a scan interval on, asks for them.
        let rest_helped = best.is_some_and(|best| {
            let helped = &options[best].helped;
            (options.iter()).any(|o| o.helped.iter().any(|p| !helped.contains(p)))
        });
        let best = best.map(|best| options.swap_remove(best));
        let Some(best) = best else {
            for &pod in &waiting {
                let name = &self.pods[pod].name;
                self.trace
                    .emit(now, false, "Pod", name, "NotTriggerScaleUp", || {
                        "pod didn't trigger scale-up: no node group can fit it or grow".to_string()
                    });
            }
            return;
        };
        let group = self.scenario.node_groups[best.pool]
            .as_ref()
            .expect("options come from node groups");
        let (registered, provisioning) = self.pool_size(best.pool);
        let from = registered + provisioning;
        let to = from + best.nodes;
        let pool_name = &self.scenario.pools[best.pool];
        self.trace.emit(
            now,
            true,
            "ClusterAutoscaler",
            "cluster-autoscaler",
            "ScaledUpGroup",
            || {
                format!(
                    "Scale-up: setting group {pool_name} size to {to} instead of {from} (max: {})",
                    group.max_nodes
                )
            },
        );
        for &pod in &best.helped {
            let name = &self.pods[pod].name;
            self.trace
                .emit(now, false, "Pod", name, "TriggeredScaleUp", || {
                    format!(
                        "pod triggered scale-up: [{{{pool_name} {from}->{to} (max: {})}}]",
                        group.max_nodes
                    )
                });
        }
        let slots: Vec<NodeId> = (0..self.nodes.len())
            .filter(|&n| {
                self.scenario.nodes[n].pool == best.pool
                    && !self.nodes[n].registered
                    && !self.nodes[n].provisioning
            })
            .take(best.nodes)
            .collect();
        let ca = self.autoscaler.as_mut().expect("scanning");
        ca.last_scale_up = Some(now);
        if rest_helped {
            self.wake_cluster_autoscaler(engine);
        }
        for node in slots {
            self.nodes[node].provisioning = true;
            let ca = self.autoscaler.as_mut().expect("scanning");
            let takes = group.provisioning_time.sample(&mut ca.rng);
            let limit = self.scenario.settings.max_node_provision_time;
            if takes > limit {
                engine.schedule_in(limit, ModelEvent::NodeProvisioningFailed { node });
            } else {
                engine.schedule_in(takes, ModelEvent::NodeRegistered { node });
            }
        }
    }

    /// The cloud's machine boots and its kubelet registers the Node: Ready,
    /// schedulable, with no image cached.
    pub(super) fn node_registered(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let n = &mut self.nodes[node];
        n.provisioning = false;
        n.registered = true;
        n.up = true;
        n.partitioned = false;
        n.memory_pressure = false;
        n.ready_condition = true;
        n.no_schedule = false;
        n.no_execute = false;
        n.cordoned = false;
        n.lease_origin = now;
        n.pull_free_at = now;
        self.forget_images(node);
        let zone = self.scenario.nodes[node].zone;
        self.zones[zone].nodes.push(node);
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, true, "Node", name, "RegisteredNode", || {
                format!("Node {name} event: Registered Node {name} in Controller")
            });
        self.count_nodes(now);
        self.arm_node_failure(node, engine);
        self.schedule_pending(engine);
        self.wake_cluster_autoscaler(engine);
    }

    /// `--max-node-provision-time` passed without the node registering: the
    /// autoscaler gives it up and may ask again.
    pub(super) fn node_provisioning_failed(
        &mut self,
        node: NodeId,
        engine: &mut Engine<ModelEvent>,
    ) {
        self.nodes[node].provisioning = false;
        let now = engine.now();
        let p = self.scenario.nodes[node].pool;
        if let Some(ca) = self.autoscaler.as_mut() {
            let backoff = match ca.backoff[p] {
                Some((failed, last)) if now - failed < defaults::CA_NODE_GROUP_BACKOFF_RESET => {
                    (last + last).min(defaults::CA_MAX_NODE_GROUP_BACKOFF)
                }
                _ => defaults::CA_INITIAL_NODE_GROUP_BACKOFF,
            };
            ca.backoff[p] = Some((now, backoff));
        }
        let pool = &self.scenario.pools[p];
        let limit = self.scenario.settings.max_node_provision_time;
        self.trace.emit(
            now,
            true,
            "ClusterAutoscaler",
            "cluster-autoscaler",
            "FailedToScaleUpGroup",
            || {
                format!(
                    "node group {pool}: a node did not register within {limit}; \
                     giving it up and backing the group off"
                )
            },
        );
        self.wake_cluster_autoscaler(engine);
    }

    /// The node-count gauges follow registrations and removals.
    fn count_nodes(&mut self, now: SimTime) {
        for (pool, gauge) in self.node_counts.iter_mut().enumerate() {
            let registered = self
                .nodes
                .iter()
                .zip(&self.scenario.nodes)
                .filter(|(n, spec)| n.registered && spec.pool == pool)
                .count();
            gauge.set(now, registered as u32);
        }
    }

    /// Requests of the pods on the node that are not terminating.
    fn requested_on(&self, node: NodeId) -> Resources {
        let mut sum = Resources::default();
        for &p in &self.nodes[node].pods {
            if !self.pods[p].deleting {
                let r = self.scenario.workloads[self.pods[p].workload].requests;
                sum.cpu_millis += r.cpu_millis;
                sum.memory_bytes += r.memory_bytes;
            }
        }
        sum
    }

    /// The larger of the CPU and memory shares of allocatable requested.
    fn utilization(&self, node: NodeId) -> f64 {
        let a = self.scenario.nodes[node].allocatable;
        let r = self.requested_on(node);
        (r.cpu_millis as f64 / a.cpu_millis as f64)
            .max(r.memory_bytes as f64 / a.memory_bytes as f64)
    }

    /// Whether the node's pods could all be evicted now (their budgets
    /// allow it) and placed on the other schedulable nodes.
    fn drainable(&self, node: NodeId) -> bool {
        let mut rooms: Vec<(NodeId, Room)> = (0..self.nodes.len())
            .filter(|&n| {
                let o = &self.nodes[n];
                n != node && o.registered && o.up && !o.no_schedule && !o.cordoned
            })
            .map(|n| (n, Room::of(self.node_resources[n].free)))
            .collect();
        let mut evictions = vec![0u32; self.workloads.len()];
        for &p in &self.nodes[node].pods {
            let pod = &self.pods[p];
            if pod.deleting {
                continue;
            }
            evictions[pod.workload] += 1;
            let r = self.scenario.workloads[pod.workload].requests;
            if !rooms.iter_mut().any(|(_, room)| room.take(r)) {
                return false;
            }
        }
        evictions
            .iter()
            .enumerate()
            .all(|(w, &n)| n == 0 || n <= self.disruptions_allowed(w))
    }

    /// The PodDisruptionBudget's `disruptionsAllowed`: healthy pods beyond
    /// `desiredHealthy`. Without a budget, any number.
    pub(super) fn disruptions_allowed(&self, w: usize) -> u32 {
        let Some(budget) = self.scenario.workloads[w].disruption_budget else {
            return u32::MAX;
        };
        let healthy = self.workloads[w]
            .pods
            .iter()
            .filter(|&&p| self.pods[p].api_ready && !self.pods[p].deleting)
            .count() as u32;
        healthy.saturating_sub(budget.desired_healthy(self.workloads[w].replicas))
    }

    fn scale_down(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let s = &self.scenario.settings;
        // Unneeded nodes are tracked through the cooldown after a scale-up;
        // only their removal waits for its end.
        let cooldown_ends = self
            .autoscaler
            .as_ref()
            .and_then(|ca| ca.last_scale_up)
            .map_or(SimTime::ZERO, |added| added + s.scale_down_delay_after_add);
        let mut removable = Vec::new();
        let mut next_due: Option<SimTime> = None;
        for node in 0..self.nodes.len() {
            let n = &self.nodes[node];
            let pool = self.scenario.nodes[node].pool;
            let candidate = n.registered
                && n.up
                && n.ready_condition
                && !n.cordoned
                && self.scenario.node_groups[pool]
                    .as_ref()
                    .is_some_and(|g| self.pool_size(pool).0 > g.min_nodes as usize)
                && self.utilization(node) < s.scale_down_utilization_threshold
                && self.drainable(node);
            let ca = self.autoscaler.as_mut().expect("scanning");
            if !candidate {
                ca.unneeded_since[node] = None;
                continue;
            }
            let since = *ca.unneeded_since[node].get_or_insert(now);
            let due = (since + s.scale_down_unneeded_time).max(cooldown_ends);
            if due <= now {
                removable.push(node);
            } else if next_due.is_none_or(|d| due < d) {
                next_due = Some(due);
            }
        }
        self.remove_unneeded(removable, engine);
        if let Some(due) = next_due {
            self.schedule_scan(due, engine);
        }
    }

    /// Removes the nodes unneeded long enough as the autoscaler's actuator
    /// crops them to its budgets (`cropNodesToBudgets`): the empty ones
    /// first (`EmptySorting`), at most `--max-scale-down-parallelism`
    /// removals in progress, of which at most `--max-drain-parallelism`
    /// drains, and no pool below its `minNodes`. A drain still in progress
    /// counts against both budgets, so drains go one after another.
    fn remove_unneeded(&mut self, removable: Vec<NodeId>, engine: &mut Engine<ModelEvent>) {
        let draining = self.nodes.iter().filter(|n| n.removing).count();
        let mut budget = defaults::CA_MAX_SCALE_DOWN_PARALLELISM.saturating_sub(draining);
        let mut drain_budget = defaults::CA_MAX_DRAIN_PARALLELISM.saturating_sub(draining);
        // Removing an empty node moves no pod: whether a node is occupied
        // holds through the scan.
        let mut removable: Vec<(bool, NodeId)> = (removable.into_iter())
            .map(|node| (self.holds_pods(node), node))
            .collect();
        // The empty first, each kind in node order.
        removable.sort_unstable();
        for (occupied, node) in removable {
            if budget == 0 || (occupied && drain_budget == 0) {
                continue;
            }
            let pool = self.scenario.nodes[node].pool;
            let min_nodes = self.scenario.node_groups[pool]
                .as_ref()
                .map_or(0, |g| g.min_nodes as usize);
            // The nodes removed before it in this scan are gone: the pool
            // is smaller, and a drain's pods cannot go to them.
            if self.pool_size_kept(pool) <= min_nodes || (occupied && !self.drainable(node)) {
                continue;
            }
            budget -= 1;
            drain_budget -= usize::from(occupied);
            self.remove_node(node, engine);
        }
    }

    /// Whether a pod not being deleted is on the node: a drain's work.
    fn holds_pods(&self, node: NodeId) -> bool {
        self.nodes[node]
            .pods
            .iter()
            .any(|&p| !self.pods[p].deleting)
    }

    /// The registered nodes of the pool that are not being removed.
    fn pool_size_kept(&self, pool: usize) -> usize {
        (self.nodes.iter().enumerate())
            .filter(|&(n, node)| {
                self.scenario.nodes[n].pool == pool && node.registered && !node.removing
            })
            .count()
    }

    /// Scale-down of one node: cordon it and evict its pods; the machine
    /// is deleted once they have terminated.
    fn remove_node(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        let utilization = self.utilization(node);
        let pods: Vec<PodId> = self.nodes[node]
            .pods
            .iter()
            .copied()
            .filter(|&p| !self.pods[p].deleting)
            .collect();
        let all_pods = &self.pods;
        self.trace.emit(now, true, "Node", name, "ScaleDown", || {
            let names: Vec<String> = pods.iter().map(|&p| all_pods[p].name.to_string()).collect();
            format!(
                "Scale-down: removing node {name}, utilization: {utilization:.2}, pods to reschedule: {}",
                names.join(",")
            )
        });
        self.nodes[node].cordoned = true;
        self.nodes[node].removing = true;
        if let Some(ca) = self.autoscaler.as_mut() {
            ca.unneeded_since[node] = None;
        }
        for pod in pods {
            let p = &mut self.pods[pod];
            p.cause = format!(
                "{} evicted: cluster autoscaler scale-down of {name}",
                p.name
            )
            .into();
            let pod_name = &self.pods[pod].name;
            self.trace
                .emit(now, false, "Pod", pod_name, "ScaleDown", || {
                    "deleting pod for node scale down".to_string()
                });
            self.delete_pod(pod, engine);
        }
        self.node_drained(node, engine);
    }

    /// A node being removed lost a pod: once it holds none, the machine is
    /// deleted and its Node object with it.
    pub(super) fn node_drained(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let n = &mut self.nodes[node];
        if !n.removing || !n.pods.is_empty() {
            return;
        }
        let now = engine.now();
        n.removing = false;
        n.registered = false;
        n.up = false;
        n.partitioned = false;
        n.memory_pressure = false;
        n.cordoned = false;
        n.no_schedule = true;
        for timer in [
            n.monitor_timer,
            n.toleration_timer,
            n.failure_timer,
            n.recover_timer,
            n.pressure_timer,
            n.memory_pressure_timer,
        ] {
            engine.cancel_timer(timer);
        }
        let zone = self.scenario.nodes[node].zone;
        self.zones[zone].nodes.retain(|&n| n != node);
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, false, "Node", name, "RemovingNode", || {
                format!("Node {name} event: Removing Node {name} from Controller")
            });
        self.count_nodes(now);
        self.wake_cluster_autoscaler(engine);
    }
}
