//! etcd's data: snapshots every `backupInterval`, and what a restore from
//! the last one undoes (k8s-reference §10). Every write the model makes
//! through the API is journaled since the last snapshot; when etcd is lost
//! the API is down until the restore is done, and then the writes made
//! after the snapshot are gone: pods created since no longer exist (their
//! kubelets stop them), pods deleted since are back, node conditions and
//! taints are as they were. The controllers then reconverge from there, and
//! the lost writes are reported.

use super::{ModelEvent, NodeId, PodId, World};
use crate::sim::{Engine, SimDuration, SimTime};

/// One write through the API, with what undoing it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ApiWrite {
    PodCreated(PodId),
    PodDeleted(PodId),
    PodReady {
        pod: PodId,
        was: bool,
    },
    NodeNotReady(NodeId),
    NodeTainted(NodeId),
    NodeReady(NodeId),
    /// The HPA set the Deployment's replicas, from `was`.
    Scaled {
        workload: usize,
        was: u32,
    },
}

impl ApiWrite {
    /// The pod the write names, if any: its slot is kept while the
    /// journal holds the write.
    fn pod(self) -> Option<PodId> {
        match self {
            ApiWrite::PodCreated(pod)
            | ApiWrite::PodDeleted(pod)
            | ApiWrite::PodReady { pod, .. } => Some(pod),
            _ => None,
        }
    }
}

/// A write undone by a restore, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostChange {
    pub time: SimTime,
    /// `Pod/web-…` or `Node/workers-1`.
    pub object: String,
    pub change: String,
}

/// The last snapshot at or before `t`: snapshots are taken at every
/// multiple of the interval, the state at time zero being the first.
fn last_snapshot(t: SimTime, interval: SimDuration) -> SimTime {
    let i = interval.as_nanos().max(1);
    SimTime::from_nanos(t.as_nanos() / i * i)
}

impl World<'_> {
    /// Keeps the write while a restore could undo it.
    pub(super) fn journal(&mut self, now: SimTime, write: ApiWrite) {
        let Some(interval) = self.scenario.control_plane.backup_interval else {
            return;
        };
        let snapshot = last_snapshot(now, interval);
        let kept = self.api_journal.partition_point(|(t, _)| *t <= snapshot);
        let dropped: Vec<PodId> = (self.api_journal.drain(..kept))
            .filter_map(|(_, write)| write.pod())
            .collect();
        for pod in dropped {
            self.unpin_pod(pod);
        }
        if let Some(pod) = write.pod() {
            self.pin_pod(pod);
        }
        self.api_journal.push((now, write));
    }

    /// Every member and its data are gone. With snapshots, the operators
    /// restore the last one; without, the cluster's configuration is lost.
    pub(super) fn etcd_lost(&mut self, restore: SimDuration, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let cause = match self.scenario.control_plane.backup_interval {
            Some(interval) => {
                engine.schedule_in(
                    restore,
                    ModelEvent::EtcdRestored {
                        snapshot: last_snapshot(now, interval),
                    },
                );
                format!(
                    "etcd lost: restoring the snapshot taken at {}",
                    last_snapshot(now, interval)
                )
            }
            None => {
                "etcd lost with no backup: the cluster's configuration must be rebuilt".to_string()
            }
        };
        self.control_plane_lost_etcd(cause, engine);
    }

    /// The snapshot is restored: what was written after it is undone, the
    /// kubelets report their pods again, and the API comes back.
    pub(super) fn etcd_restored(&mut self, snapshot: SimTime, engine: &mut Engine<ModelEvent>) {
        let journal = std::mem::take(&mut self.api_journal);
        let lost: Vec<(SimTime, ApiWrite)> = journal
            .iter()
            .copied()
            .filter(|(t, _)| *t > snapshot)
            .collect();
        for &(time, write) in lost.iter().rev() {
            self.undo(time, write, engine);
        }
        for pod in journal.iter().filter_map(|(_, write)| write.pod()) {
            self.unpin_pod(pod);
        }
        self.lost_changes.sort_by_key(|c| c.time);
        // kubelets resync with the restored API, and the EndpointSlices are
        // rebuilt from what it now says.
        for pod in self.pods_by_uid() {
            let p = &self.pods[pod];
            // A pod the restore removed leaves the rules too.
            let listed = p.api_ready && !p.gone;
            if p.in_view != listed {
                self.freeze_propagation(pod, listed);
            }
            if !self.pods[pod].gone {
                self.status_unwritten(pod);
            }
        }
        self.control_plane_restored_etcd(engine);
    }

    fn undo(&mut self, time: SimTime, write: ApiWrite, engine: &mut Engine<ModelEvent>) {
        let lost = |object: String, change: &str| LostChange {
            time,
            object,
            change: change.to_string(),
        };
        match write {
            ApiWrite::PodCreated(pod) => {
                self.lost_changes
                    .push(lost(format!("Pod/{}", self.pods[pod].name), "created"));
                if !self.pods[pod].gone {
                    // Its kubelet finds the pod gone from the API and stops it.
                    let p = &mut self.pods[pod];
                    p.cause = format!("{} removed by the etcd restore", p.name).into();
                    let name = &self.pods[pod].name;
                    self.trace
                        .emit(engine.now(), true, "Pod", name, "Killing", || {
                            "Stopping container: the pod no longer exists after the etcd restore"
                                .to_string()
                        });
                    self.update_pod(pod, |p| p.deleting = true);
                    self.release_pod(pod, engine);
                }
            }
            ApiWrite::PodDeleted(pod) => {
                let change = if self.pods[pod].gone {
                    "deleted (its node had already released it: it stays gone)"
                } else {
                    self.update_pod(pod, |p| p.deleting = false);
                    "deleted (it is back)"
                };
                self.lost_changes
                    .push(lost(format!("Pod/{}", self.pods[pod].name), change));
            }
            ApiWrite::PodReady { pod, was } => self.update_pod(pod, |p| p.api_ready = was),
            ApiWrite::NodeNotReady(node) => {
                self.lost_changes.push(lost(
                    format!("Node/{}", self.scenario.nodes[node].name),
                    "marked NotReady",
                ));
                let n = &mut self.nodes[node];
                n.ready_condition = true;
                n.no_schedule = false;
                let zone = self.scenario.nodes[node].zone;
                self.zones[zone].taint_queue.retain(|&q| q != node);
                self.defer_node(node);
            }
            ApiWrite::NodeTainted(node) => {
                self.lost_changes.push(lost(
                    format!("Node/{}", self.scenario.nodes[node].name),
                    "tainted unreachable:NoExecute",
                ));
                let n = &mut self.nodes[node];
                n.no_execute = false;
                engine.cancel_timer(n.toleration_timer);
            }
            ApiWrite::Scaled { workload, was } => {
                let name = &self.scenario.workloads[workload].name;
                let to = self.workloads[workload].replicas;
                self.lost_changes.push(lost(
                    format!("Deployment/{name}"),
                    &format!("scaled from {was} to {to} (back to {was})"),
                ));
                self.workloads[workload]
                    .replicas_gauge
                    .set(engine.now(), was);
                self.scale_deployment(workload, was, engine);
            }
            ApiWrite::NodeReady(node) => {
                self.lost_changes.push(lost(
                    format!("Node/{}", self.scenario.nodes[node].name),
                    "marked Ready",
                ));
                let n = &mut self.nodes[node];
                n.ready_condition = false;
                n.no_schedule = true;
                self.defer_node(node);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_fall_on_multiples_of_the_interval() {
        let hour = SimDuration::from_secs(3600);
        assert_eq!(
            last_snapshot(SimTime::from_secs(5400), hour),
            SimTime::from_secs(3600)
        );
        assert_eq!(
            last_snapshot(SimTime::from_secs(3600), hour),
            SimTime::from_secs(3600)
        );
        assert_eq!(last_snapshot(SimTime::from_secs(10), hour), SimTime::ZERO);
    }
}
