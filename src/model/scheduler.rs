//! kube-scheduler: a pod goes to a node whose allocatable fits its requests
//! (`NodeResourcesFit`) and that has no `NoSchedule` taint; among those, the
//! default topology spreading comes first (fewest pods of the same workload
//! in the zone, then on the node), then `LeastAllocated`, then node order, so
//! ties break the same way every run.

use super::{ModelEvent, NodeId, PodId, World};
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

/// Lower is better: pods of the workload in the zone, then on the node, then
/// the node's free share after placement (negated).
type PlacementKey = (u32, u32, std::cmp::Reverse<u64>);

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

impl World<'_> {
    /// The node the scheduler would bind the pod to now, if any.
    pub(super) fn pick_node(&self, pod: PodId) -> Option<NodeId> {
        self.filter_and_score(pod).0
    }

    fn filter_and_score(&self, pod: PodId) -> (Option<NodeId>, Rejections) {
        let w = self.pods[pod].workload;
        let requests = self.scenario.workloads[w].requests;
        // Spreading counts the workload's pods that are not terminating, as
        // PodTopologySpread does.
        let in_zone = &self.workloads[w].pods_in_zone;
        let on_node = &self.workloads[w].pods_on_node;
        let mut rejections = Rejections::default();
        let mut best: Option<(NodeId, PlacementKey)> = None;
        let best_effort = self.scenario.workloads[w].qos_class() == "BestEffort";
        for (n, node) in self.nodes.iter().enumerate() {
            let spec = &self.scenario.nodes[n];
            if !node.registered {
                continue;
            }
            if self.scenario.workloads[w]
                .zone
                .is_some_and(|z| spec.zone != z)
            {
                rejections.selector += 1;
                continue;
            }
            if node.cordoned {
                rejections.unschedulable += 1;
                continue;
            }
            if node.no_schedule {
                rejections.tainted += 1;
                continue;
            }
            // Under MemoryPressure the kubelet's taint keeps BestEffort pods off.
            if node.memory_pressure && best_effort {
                rejections.memory_pressure += 1;
                continue;
            }
            let cpu_free = spec
                .allocatable
                .cpu_millis
                .saturating_sub(node.allocated.cpu_millis);
            let mem_free = spec
                .allocatable
                .memory_bytes
                .saturating_sub(node.allocated.memory_bytes);
            let cpu_fits = requests.cpu_millis <= cpu_free;
            let mem_fits = requests.memory_bytes <= mem_free;
            if !cpu_fits || !mem_fits {
                rejections.insufficient_cpu += usize::from(!cpu_fits);
                rejections.insufficient_memory += usize::from(!mem_fits);
                continue;
            }
            // Spreading decides first: a node that loses on it loses, and its
            // LeastAllocated score (two divisions) is not needed.
            let spread = (in_zone[spec.zone], on_node[n]);
            if best.as_ref().is_some_and(|(_, k)| spread > (k.0, k.1)) {
                continue;
            }
            // LeastAllocated: the mean free fraction after placing the pod, in
            // parts per million so that it compares exactly.
            let free = |alloc: u64, free_now: u64, req: u64| -> u64 {
                ((free_now - req) * 1_000_000)
                    .checked_div(alloc)
                    .unwrap_or(0)
            };
            let least_allocated =
                (free(spec.allocatable.cpu_millis, cpu_free, requests.cpu_millis)
                    + free(
                        spec.allocatable.memory_bytes,
                        mem_free,
                        requests.memory_bytes,
                    ))
                    / 2;
            let key = (spread.0, spread.1, std::cmp::Reverse(least_allocated));
            if best.as_ref().is_none_or(|(_, k)| key < *k) {
                best = Some((n, key));
            }
        }
        (best.map(|(n, _)| n), rejections)
    }

    pub(super) fn bind(&mut self, pod: PodId, node: NodeId, now: SimTime) {
        let requests = self.scenario.workloads[self.pods[pod].workload].requests;
        let n = &mut self.nodes[node];
        n.allocated.cpu_millis += requests.cpu_millis;
        n.allocated.memory_bytes += requests.memory_bytes;
        n.pods.push(pod);
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
        let n = &mut self.nodes[node];
        n.allocated.cpu_millis -= requests.cpu_millis;
        n.allocated.memory_bytes -= requests.memory_bytes;
        n.pods.retain(|&p| p != pod);
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
        let now = engine.now();
        let pending = std::mem::take(&mut self.pending);
        let mut retry_at: Option<SimTime> = None;
        for pod in pending {
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
            let (_, r) = self.filter_and_score(pod);
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
}
