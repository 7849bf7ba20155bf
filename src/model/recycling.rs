//! Pod slots. A year of daily deploys creates hundreds of thousands of
//! pods, of which a thousand or two live at once: the slot of a pod gone
//! for good is given to the next pod created, so that the pods in memory
//! follow the live ones and a workload's pods sit close together.
//!
//! A pod is gone for good once nothing can name it any more: it is gone
//! (its kubelet released it), out of kube-proxy's view, and not pinned:
//! no `EndpointPropagated` event is on its way, no propagation or status
//! write waits for the API, and no journal entry an etcd restore could
//! undo names it. Slots are freed at the end of the event that leaves
//! their pod done, so no handler ever sees a slot change hands under it.

use super::{PodId, World};

/// What the report keeps of a pod: its restarts and OOM kills, by name.
#[derive(Debug)]
pub(super) struct PodRecord {
    pub uid: u64,
    pub workload: usize,
    pub name: super::names::PodName,
    pub restarts: u32,
    pub oom_kills: u32,
}

/// The pod slots: which are free, and which pods may be done.
#[derive(Debug, Default)]
pub(super) struct PodSlots {
    free: Vec<PodId>,
    /// Pods that may have become done during the current event.
    maybe_done: Vec<PodId>,
    /// The records of the pods whose slots were freed, with restarts or
    /// OOM kills to report.
    records: Vec<PodRecord>,
    /// Per workload, the restarts of the pods whose slots were freed.
    restarts: Vec<u64>,
    /// The next pod's `metadata.uid`.
    next_uid: u64,
}

impl PodSlots {
    pub fn new(workloads: usize) -> Self {
        PodSlots {
            restarts: vec![0; workloads],
            ..PodSlots::default()
        }
    }

    /// The uid of a new pod: unique over the run, in creation order.
    pub fn next_uid(&mut self) -> u64 {
        let uid = self.next_uid;
        self.next_uid += 1;
        uid
    }

    /// A free slot for a new pod, if any: the last freed, whose memory is
    /// the likeliest in cache.
    pub fn take_free(&mut self) -> Option<PodId> {
        self.free.pop()
    }
}

impl World<'_> {
    /// Something names the pod outside its workload's and its node's lists.
    pub(super) fn pin_pod(&mut self, pod: PodId) {
        let p = &mut self.pods[pod];
        assert!(!p.recycled, "a freed pod slot is named again");
        p.pins += 1;
    }

    /// One thing less names the pod.
    pub(super) fn unpin_pod(&mut self, pod: PodId) {
        self.pods[pod].pins -= 1;
        self.pod_may_be_done(pod);
    }

    /// The pod may be gone for good: looked at when the event is over.
    pub(super) fn pod_may_be_done(&mut self, pod: PodId) {
        self.slots.maybe_done.push(pod);
    }

    /// Frees the slots of the pods gone for good during the event now over.
    pub(super) fn free_done_slots(&mut self) {
        while let Some(pod) = self.slots.maybe_done.pop() {
            let p = &mut self.pods[pod];
            if p.recycled || !p.gone || p.in_view || p.pins > 0 {
                continue;
            }
            p.recycled = true;
            p.cause = super::pod::Cause::None;
            self.record_pod(pod);
            self.slots.free.push(pod);
        }
    }

    /// Keeps what the report says of the pod: its restarts, and its name
    /// if it restarted or was OOM-killed.
    fn record_pod(&mut self, pod: PodId) {
        let p = &mut self.pods[pod];
        self.slots.restarts[p.workload] += u64::from(p.restarts);
        if p.restarts > 0 || p.oom_kills > 0 {
            self.slots.records.push(PodRecord {
                uid: p.uid,
                workload: p.workload,
                name: std::mem::take(&mut p.name),
                restarts: p.restarts,
                oom_kills: p.oom_kills,
            });
        }
    }

    /// The slots holding a pod, in the order the pods were created: what
    /// a pass over every pod follows, so that no result depends on which
    /// slot a pod was given.
    pub(super) fn pods_by_uid(&self) -> Vec<PodId> {
        let mut pods: Vec<PodId> = (0..self.pods.len())
            .filter(|&p| !self.pods[p].recycled)
            .collect();
        pods.sort_unstable_by_key(|&p| self.pods[p].uid);
        pods
    }

    /// At the end of the run: per workload, its pods' restarts in all; and
    /// the records of every pod with restarts or OOM kills, in creation
    /// order. The pods still in their slots give their names up.
    pub(super) fn pod_records(&mut self) -> (Vec<u64>, Vec<PodRecord>) {
        for pod in self.pods_by_uid() {
            self.record_pod(pod);
        }
        let mut records = std::mem::take(&mut self.slots.records);
        records.sort_unstable_by_key(|r| r.uid);
        (std::mem::take(&mut self.slots.restarts), records)
    }
}

#[cfg(test)]
mod tests {
    use super::super::run_two_days;

    /// Two days of the year scenario replace its 1,000 pods twice over
    /// (a deploy of each workload a day, and crashes): the slots follow
    /// the pods alive at once (the 1,000, a rollout's surge and those
    /// terminating), not the pods ever created.
    #[test]
    fn slots_follow_the_pods_alive_not_the_pods_created() {
        let text = include_str!("../../scenarios/year-100-nodes.yaml");
        run_two_days(text, "year", 1, |world| {
            let created = world.slots.next_uid;
            assert!(created > 3_000, "{created} pods created");
            assert!(world.pods.len() < 1_500, "{} slots", world.pods.len());
            let alive = world.pods.iter().filter(|p| !p.recycled).count();
            assert_eq!(alive + world.slots.free.len(), world.pods.len());
        });
    }
}
