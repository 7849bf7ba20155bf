//! kube-scheduler: a pod goes to a node whose allocatable fits its requests
//! (`NodeResourcesFit`) and that has no `NoSchedule` taint; among those, the
//! default topology spreading comes first (fewest pods of the same workload
//! in the zone, then on the node), then `LeastAllocated`, then node order, so
//! ties break the same way every run.

use super::node::{Node, NodeResources, Zone};
use super::{ModelEvent, NodeId, PodId, World, ZoneId};
use crate::scenario::{NodeSpec, Resources};
use crate::sim::{Engine, SimDuration, SimTime};

/// kube-scheduler's back-off for a pod that could not be placed: 1 s
/// (`podInitialBackoffSeconds`) doubling per attempt up to 10 s
/// (`podMaxBackoffSeconds`).
fn scheduling_back_off(attempts: u32) -> SimDuration {
    let initial = SimDuration::from_secs(1);
    initial
        .saturating_mul(1 << attempts.saturating_sub(1).min(8))
        .min(SimDuration::from_secs(10))
}

/// Why a node was filtered out, for `FailedScheduling`'s message.
#[derive(Default)]
struct Rejections {
    selector: usize,
    unschedulable: usize,
    tainted: usize,
    memory_pressure: usize,
    insufficient_cpu: usize,
    insufficient_memory: usize,
}

/// The filter a node failed, past the zone selector.
enum Rejection {
    Unschedulable,
    Tainted,
    MemoryPressure,
    Insufficient { cpu: bool, memory: bool },
}

/// What one pod's placement reads: the cluster's nodes, the pod's requests
/// and selector, and its workload's spreading counts. Spreading counts the
/// workload's pods that are not terminating, as PodTopologySpread does.
struct Placement<'a> {
    specs: &'a [NodeSpec],
    nodes: &'a [Node],
    resources: &'a [NodeResources],
    /// Each zone's registered nodes, in no particular order.
    zones: &'a [Zone],
    requests: Resources,
    /// Under MemoryPressure the kubelet's taint keeps BestEffort pods off:
    /// pods with neither requests nor limits, as `qos_class` says, without
    /// its string for each placement.
    best_effort: bool,
    /// The `topology.kubernetes.io/zone` node selector.
    zone: Option<ZoneId>,
    in_zone: &'a [u32],
    on_node: &'a [u32],
}

impl Placement<'_> {
    /// The node's free resources, if the pod passes its filters other than
    /// the zone selector.
    fn filter(&self, n: NodeId) -> Result<Resources, Rejection> {
        let node = &self.nodes[n];
        if node.cordoned {
            return Err(Rejection::Unschedulable);
        }
        if node.no_schedule {
            return Err(Rejection::Tainted);
        }
        if node.memory_pressure && self.best_effort {
            return Err(Rejection::MemoryPressure);
        }
        let free = self.resources[n].free;
        let cpu = self.requests.cpu_millis > free.cpu_millis;
        let memory = self.requests.memory_bytes > free.memory_bytes;
        if cpu || memory {
            return Err(Rejection::Insufficient { cpu, memory });
        }
        Ok(free)
    }

    /// Whether the pod passes node `n`'s filters other than the zone
    /// selector: `filter`'s verdict without the reason, for the placement's
    /// scan, which has read the node's free resources already. They come
    /// first, so that the large `Node` is read only for a node they fit.
    #[inline(always)]
    fn fits(&self, n: NodeId, free: Resources) -> bool {
        let requests = self.requests;
        if requests.cpu_millis > free.cpu_millis || requests.memory_bytes > free.memory_bytes {
            return false;
        }
        let node = &self.nodes[n];
        !(node.cordoned | node.no_schedule | (node.memory_pressure & self.best_effort))
    }

    /// The node the scheduler binds the pod to: the least of (pods of the
    /// workload in the zone, pods on the node, reversed `LeastAllocated`,
    /// node index) over the nodes that pass the filters. The zone count
    /// comes first, so only the zones with the fewest pods are searched,
    /// the next fewest only when no node of those fits: with three zones
    /// and a spread workload, some 60 % of the nodes instead of all.
    fn best_node(&self) -> Option<NodeId> {
        if let Some(z) = self.zone {
            return self.best_in_zones(|zone| zone == z);
        }
        let mut searched_up_to: Option<u32> = None;
        loop {
            let fewest = self
                .in_zone
                .iter()
                .copied()
                .filter(|&c| searched_up_to.is_none_or(|s| c > s))
                .min()?;
            if let Some(n) = self.best_in_zones(|z| self.in_zone[z] == fewest) {
                return Some(n);
            }
            searched_up_to = Some(fewest);
        }
    }

    /// The least of (pods on the node, reversed `LeastAllocated`, node
    /// index) over the nodes of the chosen zones that pass the filters; the
    /// index makes it independent of the order the zones list their nodes.
    /// The zones list only registered nodes (the cluster autoscaler adds a
    /// node on registration and drops it on removal), so that is not read.
    fn best_in_zones(&self, chosen: impl Fn(ZoneId) -> bool) -> Option<NodeId> {
        // Cut to the length of the spreading counts, one per node, so that
        // a node's one bounds check serves both.
        let resources = &self.resources[..self.on_node.len()];
        let mut best = Best::NONE;
        for z in (0..self.zones.len()).filter(|&z| chosen(z)) {
            for &n in &self.zones[z].nodes {
                // Spreading decides first: a node that loses on it loses
                // whether it fits or not, and is not looked at further.
                let on_node = self.on_node[n];
                if on_node > best.on_node {
                    continue;
                }
                let resources = &resources[n];
                if on_node == best.on_node && best.outdoes(n, resources) {
                    continue;
                }
                let candidate = Best {
                    on_node,
                    n,
                    resources,
                    score: None,
                };
                self.weigh(&mut best, candidate);
            }
        }
        (best.n != Best::NONE.n).then_some(best.n)
    }

    /// Makes the candidate the best node if it passes the filters and has
    /// the lesser key. Apart from the scan's loop, which runs for every
    /// node, so that the loop keeps its few values in registers.
    #[inline(never)]
    fn weigh<'a>(&self, best: &mut Best<'a>, mut candidate: Best<'a>) {
        if self.fits(candidate.n, candidate.resources.free)
            && best.loses_to(&mut candidate, self.requests)
        {
            *best = candidate;
        }
    }

    /// Why each registered node was filtered out, when none fits.
    fn rejections(&self) -> Rejections {
        let mut rejections = Rejections::default();
        for n in (0..self.nodes.len()).filter(|&n| self.nodes[n].registered) {
            if self.zone.is_some_and(|z| self.specs[n].zone != z) {
                rejections.selector += 1;
                continue;
            }
            match self.filter(n) {
                Ok(_) => {}
                Err(Rejection::Unschedulable) => rejections.unschedulable += 1,
                Err(Rejection::Tainted) => rejections.tainted += 1,
                Err(Rejection::MemoryPressure) => rejections.memory_pressure += 1,
                Err(Rejection::Insufficient { cpu, memory }) => {
                    rejections.insufficient_cpu += usize::from(cpu);
                    rejections.insufficient_memory += usize::from(memory);
                }
            }
        }
        rejections
    }
}

/// `LeastAllocated`: the mean fraction of the node's allocatable left
/// after placing the pod, in parts per million so that it compares exactly.
/// It never falls as either amount left grows: `Best` relies on that.
fn least_allocated(allocatable: Resources, left: Resources) -> u64 {
    let share = |left: u64, alloc: u64| (left * 1_000_000).checked_div(alloc).unwrap_or(0);
    (share(left.cpu_millis, allocatable.cpu_millis)
        + share(left.memory_bytes, allocatable.memory_bytes))
        / 2
}

/// Whether `a` holds at least as much of each resource as `b`.
fn no_less(a: Resources, b: Resources) -> bool {
    a.cpu_millis >= b.cpu_millis && a.memory_bytes >= b.memory_bytes
}

/// Whether a node with `a` free, no less than `b` of each resource, scores
/// higher on `LeastAllocated` than one of the same allocatable with `b`
/// free, with the pod placed on either, without the divisions: by 2 ppm
/// of the allocatable more of one resource, its share is 2 more, the sum
/// of the shares at least 2 more and their mean at least 1 more.
fn clearly_more(a: Resources, b: Resources, allocatable: Resources) -> bool {
    let by = |a: u64, b: u64, alloc: u64| a > b && (a - b) * 1_000_000 >= 2 * alloc;
    by(a.cpu_millis, b.cpu_millis, allocatable.cpu_millis)
        || by(a.memory_bytes, b.memory_bytes, allocatable.memory_bytes)
}

/// A node that passes the filters, as the placement's scan weighs it: the
/// key (pods of the workload on it, reversed `LeastAllocated`, index), with
/// the score worked out only when the amounts left do not settle it.
#[derive(Clone, Copy)]
struct Best<'a> {
    on_node: u32,
    n: NodeId,
    resources: &'a NodeResources,
    score: Option<u64>,
}

impl Best<'_> {
    /// Before any node: every node's key is less (no node has the last
    /// index, nor `u32::MAX` pods).
    const NONE: Best<'static> = Best {
        on_node: u32::MAX,
        n: NodeId::MAX,
        resources: &NodeResources {
            free: Resources {
                cpu_millis: 0,
                memory_bytes: 0,
            },
            allocatable: Resources {
                cpu_millis: 0,
                memory_bytes: 0,
            },
            pool: usize::MAX,
        },
        score: Some(0),
    };

    /// `LeastAllocated` of the node with the pod placed, whose requests fit.
    fn score(&mut self, requests: Resources) -> u64 {
        let NodeResources {
            free, allocatable, ..
        } = *self.resources;
        *self.score.get_or_insert_with(|| {
            let left = Resources {
                cpu_millis: free.cpu_millis - requests.cpu_millis,
                memory_bytes: free.memory_bytes - requests.memory_bytes,
            };
            least_allocated(allocatable, left)
        })
    }

    /// Whether this node, a fitting one, has the lesser key than node `n`
    /// of the same spreading count, whatever `n`'s filters say: `n` is of
    /// the same pool, so of as much allocatable, and has no more of each
    /// resource free, so it would leave no more of either and score no
    /// higher, and it comes later in node order. Read before `n`'s filters:
    /// the usual case, nodes of a pool filling alike, costs four
    /// comparisons.
    #[inline(always)]
    fn outdoes(&self, n: NodeId, theirs: &NodeResources) -> bool {
        let mine = self.resources;
        self.n < n
            && theirs.pool == mine.pool
            && theirs.free.cpu_millis <= mine.free.cpu_millis
            && theirs.free.memory_bytes <= mine.free.memory_bytes
    }

    /// Whether `other` has the lesser key. Between nodes of one pool and
    /// spreading count, one with at least as much of both resources free
    /// scores at least as high, and higher by `clearly_more`, so it wins
    /// without the scores if it also comes first in node order or has
    /// clearly more: the usual case, nodes of a pool filling alike.
    #[inline(always)]
    fn loses_to(&mut self, other: &mut Best, requests: Resources) -> bool {
        if other.on_node != self.on_node {
            return other.on_node < self.on_node;
        }
        if other.resources.pool == self.resources.pool {
            let allocatable = self.resources.allocatable;
            let (a, b) = (other.resources.free, self.resources.free);
            if no_less(a, b) && (other.n < self.n || clearly_more(a, b, allocatable)) {
                return true;
            }
            if no_less(b, a) && (self.n < other.n || clearly_more(b, a, allocatable)) {
                return false;
            }
        }
        let (theirs, mine) = (other.score(requests), self.score(requests));
        (std::cmp::Reverse(theirs), other.n) < (std::cmp::Reverse(mine), self.n)
    }
}

impl World<'_> {
    /// What placing the pod reads of the world.
    fn placement(&self, pod: PodId) -> Placement<'_> {
        let w = self.pods[pod].workload;
        let workload = &self.scenario.workloads[w];
        Placement {
            specs: &self.scenario.nodes,
            nodes: &self.nodes,
            resources: &self.node_resources,
            zones: &self.zones,
            requests: workload.requests,
            best_effort: workload.requests == Resources::default()
                && workload.limits == Resources::default(),
            zone: workload.zone,
            in_zone: &self.workloads[w].pods_in_zone,
            on_node: &self.workloads[w].pods_on_node,
        }
    }

    /// The node the scheduler would bind the pod to now, if any.
    pub(super) fn pick_node(&self, pod: PodId) -> Option<NodeId> {
        self.placement(pod).best_node()
    }

    pub(super) fn bind(&mut self, pod: PodId, node: NodeId, now: SimTime) {
        self.hpa_pod_changed(pod);
        let requests = self.scenario.workloads[self.pods[pod].workload].requests;
        let free = &mut self.node_resources[node].free;
        free.cpu_millis -= requests.cpu_millis;
        free.memory_bytes -= requests.memory_bytes;
        self.nodes[node].pods.push(pod);
        self.pods[pod].node = Some(node);
        self.pods[pod].start_time = Some(now);
        if self.pods[pod].counted()[1] {
            let ws = &mut self.workloads[self.pods[pod].workload];
            ws.pods_on_node[node] += 1;
            ws.pods_in_zone[self.scenario.nodes[node].zone] += 1;
        }
    }

    /// Frees the pod's place on its node and forgets it.
    pub(super) fn unbind(&mut self, pod: PodId) {
        let Some(node) = self.pods[pod].node else {
            return;
        };
        let requests = self.scenario.workloads[self.pods[pod].workload].requests;
        let free = &mut self.node_resources[node].free;
        free.cpu_millis += requests.cpu_millis;
        free.memory_bytes += requests.memory_bytes;
        super::remove_pod(&mut self.nodes[node].pods, pod);
    }

    /// One scheduling pass over the pending pods, oldest first. Called
    /// whenever a pod is created or capacity appears, which is when the real
    /// scheduler's queue moves pods back to active; a pod that failed before
    /// waits out its back-off (1 s doubling to 10 s) first. With nothing
    /// changed a retry would fail the same way, so the scheduler's periodic
    /// flush of unschedulable pods is not modelled.
    pub(super) fn schedule_pending(&mut self, engine: &mut Engine<ModelEvent>) {
        if !self.scheduler_running() {
            // No binding can be written; the pass runs when the API returns.
            return;
        }
        if self.pending.is_empty() {
            // Most passes (one at each pod's release): no back-off to wait out.
            engine.cancel_timer(self.scheduler_timer);
            return;
        }
        let now = engine.now();
        let spare = std::mem::take(&mut self.scheduling);
        let mut pending = std::mem::replace(&mut self.pending, spare);
        let mut retry_at: Option<SimTime> = None;
        for pod in pending.drain(..) {
            if self.pods[pod].deleting {
                continue;
            }
            let not_before = self.pods[pod].schedulable_after;
            if not_before > now {
                retry_at = Some(retry_at.map_or(not_before, |r| r.min(not_before)));
                self.pending.push(pod);
                continue;
            }
            match self.pick_node(pod) {
                Some(node) => {
                    self.bind(pod, node, now);
                    let node_name = &self.scenario.nodes[node].name;
                    self.pods[pod].unschedulable_reported = false;
                    let name = &self.pods[pod].name;
                    self.trace.emit(now, true, "Pod", name, "Scheduled", || {
                        format!("Successfully assigned default/{name} to {node_name}")
                    });
                    if self.nodes[node].up {
                        self.admit(pod, node, engine);
                    }
                }
                None => {
                    let p = &mut self.pods[pod];
                    p.scheduling_attempts += 1;
                    p.schedulable_after = now + scheduling_back_off(p.scheduling_attempts);
                    self.pending.push(pod);
                }
            }
        }
        self.scheduling = pending;
        match retry_at {
            Some(at) => engine
                .set_timer(
                    self.scheduler_timer,
                    at,
                    ModelEvent::SchedulingBackOffExpired,
                )
                .expect("a back-off ends in the future"),
            None => engine.cancel_timer(self.scheduler_timer),
        }
        self.report_unschedulable(engine);
    }

    /// `FailedScheduling`, once per pod and wait, with the scheduler's wording.
    pub(super) fn report_unschedulable(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        for i in 0..self.pending.len() {
            let pod = self.pending[i];
            if std::mem::replace(&mut self.pods[pod].unschedulable_reported, true) {
                continue;
            }
            let r = self.placement(pod).rejections();
            let total = self.nodes.iter().filter(|n| n.registered).count();
            let mut reasons = Vec::new();
            if r.insufficient_cpu > 0 {
                reasons.push(format!("{} Insufficient cpu", r.insufficient_cpu));
            }
            if r.insufficient_memory > 0 {
                reasons.push(format!("{} Insufficient memory", r.insufficient_memory));
            }
            if r.selector > 0 {
                reasons.push(format!(
                    "{} node(s) didn't match Pod's node affinity/selector",
                    r.selector
                ));
            }
            if r.unschedulable > 0 {
                reasons.push(format!("{} node(s) were unschedulable", r.unschedulable));
            }
            if r.tainted > 0 {
                reasons.push(format!(
                    "{} node(s) had untolerated taint {{node.kubernetes.io/unreachable: }}",
                    r.tainted
                ));
            }
            if r.memory_pressure > 0 {
                reasons.push(format!(
                    "{} node(s) had untolerated taint {{node.kubernetes.io/memory-pressure: }}",
                    r.memory_pressure
                ));
            }
            self.wake_cluster_autoscaler(engine);
            let name = &self.pods[pod].name;
            self.trace
                .emit(now, true, "Pod", name, "FailedScheduling", || {
                    format!("0/{total} nodes are available: {}.", reasons.join(", "))
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_one_second_to_ten() {
        let secs: Vec<u64> = (1..=6)
            .map(|n| scheduling_back_off(n).as_nanos() / 1_000_000_000)
            .collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 10, 10]);
    }

    /// A xorshift generator: reproducible cluster states without a seed stream.
    struct Draws(u64);

    impl Draws {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % bound
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }

        fn pick<T: Copy>(&mut self, from: &[T]) -> T {
            from[self.below(from.len() as u64) as usize]
        }
    }

    /// A cluster state a placement reads.
    struct Cluster {
        specs: Vec<NodeSpec>,
        nodes: Vec<Node>,
        resources: Vec<NodeResources>,
        zones: Vec<Zone>,
        in_zone: Vec<u32>,
        on_node: Vec<u32>,
    }

    const GIB: u64 = 1 << 30;

    /// Each pool's allocatable: two pools of the same, so that nodes of
    /// one allocatable are not always of one pool.
    const POOLS: [Resources; 3] = [
        Resources {
            cpu_millis: 4000,
            memory_bytes: 16 * GIB,
        },
        Resources {
            cpu_millis: 8000,
            memory_bytes: 32 * GIB,
        },
        Resources {
            cpu_millis: 8000,
            memory_bytes: 32 * GIB,
        },
    ];

    /// Up to 12 nodes in up to 4 zones (some empty), some unregistered,
    /// cordoned, tainted, under memory pressure or full; spreading counts
    /// and allocations on a coarse grid so that every part of the key ties
    /// often, in half the states jittered by a few millicores and up to
    /// 100 kB (under the 34 kB a ppm of 32 GiB is), so that `LeastAllocated`
    /// ties between nodes that leave different amounts, and one node leaves
    /// more CPU but less memory than another; each zone lists its registered nodes in shuffled order, as
    /// the cluster autoscaler's registrations leave them.
    fn random_cluster(d: &mut Draws, engine: &mut Engine<ModelEvent>) -> Cluster {
        let jitter = d.chance(50);
        let zone_count = 1 + d.below(4) as usize;
        let specs: Vec<NodeSpec> = (0..1 + d.below(12))
            .map(|n| {
                let pool = d.below(3) as usize;
                NodeSpec {
                    name: format!("node-{n}"),
                    pool,
                    zone: d.below(zone_count as u64) as usize,
                    allocatable: POOLS[pool],
                    initial: true,
                }
            })
            .collect();
        let mut resources = Vec::new();
        let nodes: Vec<Node> = specs
            .iter()
            .map(|spec| {
                let mut node = Node::new(SimTime::ZERO, SimTime::ZERO, engine);
                node.registered = !d.chance(10);
                node.cordoned = d.chance(10);
                node.no_schedule = d.chance(10);
                node.memory_pressure = d.chance(20);
                let mut requested = Resources {
                    cpu_millis: 1000 * d.below(spec.allocatable.cpu_millis / 1000 + 2),
                    memory_bytes: 4 * GIB * d.below(spec.allocatable.memory_bytes / GIB / 4 + 2),
                };
                if jitter {
                    requested.cpu_millis += d.below(3);
                    requested.memory_bytes += d.below(100_000);
                }
                resources.push(bound(spec, requested));
                node
            })
            .collect();
        let zones = (0..zone_count)
            .map(|z| {
                let mut zone = Zone::new(z, &specs, engine);
                zone.nodes.retain(|&n| nodes[n].registered);
                for i in (1..zone.nodes.len()).rev() {
                    let j = d.below(i as u64 + 1) as usize;
                    zone.nodes.swap(i, j);
                }
                zone
            })
            .collect();
        Cluster {
            in_zone: (0..zone_count).map(|_| d.below(3) as u32).collect(),
            on_node: specs.iter().map(|_| d.below(3) as u32).collect(),
            specs,
            nodes,
            resources,
            zones,
        }
    }

    /// A node's resources with requests of `requested` bound, or of as
    /// much as fits: more makes the node full.
    fn bound(spec: &NodeSpec, requested: Resources) -> NodeResources {
        let mut resources = NodeResources::new(spec);
        let free = &mut resources.free;
        free.cpu_millis -= requested.cpu_millis.min(free.cpu_millis);
        free.memory_bytes -= requested.memory_bytes.min(free.memory_bytes);
        resources
    }

    /// The placement as a scan of every node in order finds it.
    fn full_scan(p: &Placement) -> Option<NodeId> {
        (0..p.nodes.len())
            .filter(|&n| p.nodes[n].registered && p.zone.is_none_or(|z| p.specs[n].zone == z))
            .filter_map(|n| {
                let free = p.filter(n).ok()?;
                let spread = (p.in_zone[p.specs[n].zone], p.on_node[n]);
                let share = |alloc: u64, free: u64, req: u64| {
                    ((free - req) * 1_000_000).checked_div(alloc).unwrap_or(0)
                };
                let allocatable = p.specs[n].allocatable;
                let score = (share(
                    allocatable.cpu_millis,
                    free.cpu_millis,
                    p.requests.cpu_millis,
                ) + share(
                    allocatable.memory_bytes,
                    free.memory_bytes,
                    p.requests.memory_bytes,
                )) / 2;
                Some((spread, std::cmp::Reverse(score), n))
            })
            .min()
            .map(|(.., n)| n)
    }

    /// `clearly_more` decides without the divisions only where they would
    /// agree: free amounts a few millicores and up to 100 kB apart, so that
    /// a memory difference is often within 2 ppm of the allocatable.
    #[test]
    fn clearly_more_free_scores_higher() {
        let mut d = Draws(0x2545_f491_4f6c_dd1d);
        let mut clearly = 0;
        for _ in 0..100_000 {
            let allocatable = d.pick(&POOLS);
            let b = Resources {
                cpu_millis: d.below(allocatable.cpu_millis + 1),
                memory_bytes: d.below(allocatable.memory_bytes + 1),
            };
            let a = Resources {
                cpu_millis: (b.cpu_millis + d.below(3)).min(allocatable.cpu_millis),
                memory_bytes: (b.memory_bytes + d.below(100_000)).min(allocatable.memory_bytes),
            };
            if clearly_more(a, b, allocatable) {
                clearly += 1;
                assert!(least_allocated(allocatable, a) > least_allocated(allocatable, b));
            }
        }
        assert!(clearly > 50_000, "{clearly}");
    }

    #[test]
    fn zones_with_fewest_pods_first_place_as_a_full_scan() {
        let mut engine = Engine::new();
        let mut d = Draws(0x9e37_79b9_7f4a_7c15);
        let (mut placed, mut fell_back) = (0, 0);
        for _ in 0..20_000 {
            let c = random_cluster(&mut d, &mut engine);
            let requests = Resources {
                cpu_millis: d.pick(&[0, 500, 1000, 3000]),
                memory_bytes: d.pick(&[0, GIB, 4 * GIB]),
            };
            let placement = Placement {
                specs: &c.specs,
                nodes: &c.nodes,
                resources: &c.resources,
                zones: &c.zones,
                requests,
                best_effort: requests == Resources::default(),
                zone: d.chance(25).then(|| d.below(c.zones.len() as u64) as usize),
                in_zone: &c.in_zone,
                on_node: &c.on_node,
            };
            let best = placement.best_node();
            assert_eq!(best, full_scan(&placement));
            if let Some(n) = best {
                placed += 1;
                let fewest = c.in_zone.iter().min().copied();
                fell_back += usize::from(
                    placement.zone.is_none() && Some(c.in_zone[c.specs[n].zone]) > fewest,
                );
            }
        }
        // The states cover both outcomes, and zones passed over for want
        // of a fitting node.
        assert!(placed > 5_000 && fell_back > 500, "{placed} {fell_back}");
    }
}
