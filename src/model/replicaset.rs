//! The ReplicaSet controller: as many pods as `replicas`, not counting those
//! being deleted, so an evicted pod is replaced at once; when `replicas`
//! drops, the surplus pods go in the order Kubernetes deletes them.

use super::etcd::ApiWrite;
use super::pod::{Cause, Pod};
use super::{ModelEvent, PodId, World, names};
use crate::sim::{Engine, SimTime};
use std::cmp::Reverse;

impl World<'_> {
    pub(super) fn create_pod(
        &mut self,
        w: usize,
        version: usize,
        engine: &mut Engine<ModelEvent>,
    ) -> PodId {
        let workload = &self.scenario.workloads[w].name;
        let state = &mut self.workloads[w];
        let replica_set = &state.versions[version].name;
        let name = names::PodName::new(workload, replica_set, state.pods_created);
        state.pods_created += 1;
        let mut pod = Pod::new(self.slots.next_uid(), name, w, version, engine);
        pod.incompatible = state.versions[version].broken;
        state.versions[version].present += 1;
        state.versions[version].active += 1;
        let id = match self.slots.take_free() {
            Some(slot) => {
                self.pods[slot] = pod;
                slot
            }
            None => {
                self.pods.push(pod);
                self.pods.len() - 1
            }
        };
        let uid = self.pods[id].uid;
        state.pods.push(id, uid);
        state.versions[version].pods.push(id, uid);
        self.hpa_pod_changed(id);
        self.journal(engine.now(), ApiWrite::PodCreated(id));
        id
    }

    /// Changes the pod, keeping its version's counts of active and Ready
    /// pods true.
    pub(super) fn update_pod(&mut self, pod: PodId, change: impl FnOnce(&mut Pod)) {
        self.hpa_pod_changed(pod);
        let before = self.pods[pod].counted();
        change(&mut self.pods[pod]);
        let after = self.pods[pod].counted();
        if before == after {
            return;
        }
        let p = &self.pods[pod];
        let ws = &mut self.workloads[p.workload];
        if let (Some(node), true) = (p.node, before[1] != after[1]) {
            let zone = self.scenario.nodes[node].zone;
            if after[1] {
                ws.pods_on_node[node] += 1;
                ws.pods_in_zone[zone] += 1;
            } else {
                ws.pods_on_node[node] -= 1;
                ws.pods_in_zone[zone] -= 1;
            }
        }
        let version = &mut ws.versions[p.version];
        let moved = |count: u32, was: bool, is: bool| count + u32::from(is) - u32::from(was);
        version.present = moved(version.present, before[0], after[0]);
        version.active = moved(version.active, before[1], after[1]);
        version.ready = moved(version.ready, before[2], after[2]);
    }

    /// Each ReplicaSet of the workload (one per version) creates its
    /// missing pods or deletes its surplus, and the scheduler places the new.
    pub(super) fn reconcile_replicas(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            // No pod can be created; the controller resyncs when the API returns.
            return;
        }
        // Creating and deleting pods leaves the live versions as they are.
        let mut i = 0;
        while let Some(&version) = self.workloads[w].live_versions.get(i) {
            i += 1;
            let v = &self.workloads[w].versions[version];
            if v.active != v.replicas {
                self.reconcile_replica_set(w, version, engine);
            }
        }
        self.schedule_pending(engine);
    }

    fn reconcile_replica_set(&mut self, w: usize, version: usize, engine: &mut Engine<ModelEvent>) {
        let active = self.workloads[w].versions[version].active as usize;
        let desired = self.workloads[w].versions[version].replicas as usize;
        let now = engine.now();
        if active > desired {
            for pod in self.pods_to_delete(w, version, active - desired) {
                let rs = &self.workloads[w].versions[version].name;
                let p = &mut self.pods[pod];
                p.cause = Cause::ScaledDown;
                let name = &p.name;
                self.trace
                    .emit(now, true, "ReplicaSet", rs, "SuccessfulDelete", || {
                        format!("Deleted pod: {name}")
                    });
                self.terminate_pod(pod, engine);
            }
            return;
        }
        for _ in active..desired {
            let pod = self.create_pod(w, version, engine);
            let rs = &self.workloads[w].versions[version].name;
            let name = &self.pods[pod].name;
            self.trace
                .emit(now, true, "ReplicaSet", rs, "SuccessfulCreate", || {
                    format!("Created pod: {name}")
                });
            self.pending.push(pod);
        }
    }

    /// The `count` pods of `version` a scale-down removes, in the
    /// ReplicaSet controller's order (`ActivePodsWithRanks`): unscheduled
    /// before scheduled, pending before running, not ready before ready,
    /// those sharing their node with more of the Deployment's active pods
    /// first (of any of its ReplicaSets: `getPodsRankedByRelatedPodsOnSameNode`
    /// ranks by the pods of every ReplicaSet with the same owner), the most
    /// recently ready, the most restarted, then the newest.
    fn pods_to_delete(&self, w: usize, version: usize, count: usize) -> Vec<PodId> {
        let ws = &self.workloads[w];
        let pods = ws.versions[version].pods.iter().copied();
        let candidates = pods.filter(|&p| !self.pods[p].deleting);
        if count == 1 {
            // A rolling update's usual step: the first alone (the pod's uid
            // makes every key unique). Most candidates lose on the head of
            // the key, and the rest of theirs is never read.
            let mut first: Option<(u64, PodId)> = None;
            for p in candidates {
                let head = self.deletion_head(w, p);
                let better = first.is_none_or(|(first_head, q)| {
                    head < first_head
                        || (head == first_head && self.deletion_tail(p) < self.deletion_tail(q))
                });
                if better {
                    first = Some((head, p));
                }
            }
            return first.map(|(_, p)| p).into_iter().collect();
        }
        let candidates = candidates.map(|p| {
            let key = (self.deletion_head(w, p), self.deletion_tail(p));
            (key, p)
        });
        let mut ranked = Vec::with_capacity(ws.versions[version].active as usize);
        ranked.extend(candidates);
        // Only the first `count` need their order: a selection, then a sort
        // of those.
        if count < ranked.len() {
            ranked.select_nth_unstable(count);
            ranked.truncate(count);
        }
        ranked.sort_unstable();
        ranked.into_iter().map(|(_, p)| p).collect()
    }

    /// The head of a pod's key in the scale-down ranking: scheduled,
    /// started, Ready, and the fewer the workload's active pods it shares
    /// its node with, the later (the spreading counts are kept per node).
    /// Packed into one integer, in that order from the highest bit, so that
    /// the scan over a version's pods compares one number a pod.
    fn deletion_head(&self, w: usize, p: PodId) -> u64 {
        let pod = &self.pods[p];
        let colocated = pod.node.map_or(0, |n| self.workloads[w].pods_on_node[n]);
        u64::from(pod.node.is_some()) << 34
            | u64::from(pod.ever_started) << 33
            | u64::from(pod.api_ready) << 32
            | u64::from(u32::MAX - colocated)
    }

    /// The rest of the key, between pods of one head: the most recently
    /// Ready, the most restarted, then the newest go first.
    fn deletion_tail(&self, p: PodId) -> (Reverse<SimTime>, Reverse<u32>, Reverse<u64>) {
        let pod = &self.pods[p];
        (
            Reverse(pod.ready_transition),
            Reverse(pod.restarts),
            Reverse(pod.uid),
        )
    }

    /// The pod object is deleted: it leaves the endpoints, and its node's
    /// kubelet stops it — at once if the node runs, or whenever the node comes
    /// back (it stays `Terminating` until then, holding its place).
    pub(super) fn delete_pod(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        if self.pods[pod].deleting {
            return;
        }
        self.terminate_pod(pod, engine);
        let w = self.pods[pod].workload;
        self.reconcile_replicas(w, engine);
    }

    /// Deletes the pod object without asking its ReplicaSet for a
    /// replacement: a scale-down's own deletions.
    fn terminate_pod(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.pods[pod].ready_when_deleted = self.pods[pod].api_ready;
        self.update_pod(pod, |p| p.deleting = true);
        self.journal(engine.now(), ApiWrite::PodDeleted(pod));
        self.set_api_ready(pod, false, engine);
        match self.pods[pod].node {
            None => self.release_pod(pod, engine),
            Some(n) if self.nodes[n].up && !self.nodes[n].partitioned => {
                self.begin_termination(pod, engine)
            }
            // The node's kubelet finishes it whenever the node comes back.
            Some(_) => {}
        }
        let w = self.pods[pod].workload;
        self.route_to_terminating(w, engine);
    }

    /// The kubelet finishes a deleted pod: the container stops and the node's
    /// resources are freed.
    pub(super) fn release_pod(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        self.stop_container(pod, false, engine);
        let node = self.pods[pod].node;
        self.unbind(pod);
        self.update_pod(pod, |p| p.gone = true);
        let p = &self.pods[pod];
        // The timers go back to the engine, so that their number follows the
        // pods alive, not the pods ever created.
        for timer in p.timers() {
            engine.release_timer(timer);
        }
        let (w, version, uid) = (p.workload, p.version, p.uid);
        self.workloads[w].pods.remove(uid);
        let version_pods = &mut self.workloads[w].versions[version].pods;
        version_pods.remove(uid);
        version_pods.release_if_empty();
        if self.pods[pod].in_view {
            self.workloads[w].leaving.push(pod);
        }
        super::remove_pod(&mut self.pending, pod);
        self.schedule_pending(engine);
        if let Some(node) = node {
            self.node_drained(node, engine);
            self.drain_progress(node, engine);
            if let Some(evicted_at) = self.pods[pod].evicted_at {
                self.evicted_pod_gone(node, evicted_at, engine);
            }
        }
        let deleted = self.pods[pod].deleting;
        if !deleted {
            // Its object was back (an etcd restore undid the deletion) when
            // its kubelet finished it: the ReplicaSet replaces it.
            self.reconcile_replicas(w, engine);
        }
        self.deployment_pod_gone(w, deleted, engine);
        self.drains_may_proceed(engine);
        self.wake_cluster_autoscaler(engine);
        self.pod_may_be_done(pod);
    }
}

#[cfg(test)]
impl World<'_> {
    /// The counts kept as pods change equal a recount: per version, its
    /// pods there, not being deleted, and Ready; per node and zone, the
    /// pods spreading counts. Every version with pods or replicas is live.
    fn assert_counts_kept(&self) {
        for (w, ws) in self.workloads.iter().enumerate() {
            let mut versions = vec![[0u32; 3]; ws.versions.len()];
            let mut on_node = vec![0u32; ws.pods_on_node.len()];
            let mut in_zone = vec![0u32; ws.pods_in_zone.len()];
            for &p in ws.pods.iter() {
                let pod = &self.pods[p];
                let counted = pod.counted();
                for (count, yes) in versions[pod.version].iter_mut().zip(counted) {
                    *count += u32::from(yes);
                }
                if let (Some(n), true) = (pod.node, counted[1]) {
                    on_node[n] += 1;
                    in_zone[self.scenario.nodes[n].zone] += 1;
                }
            }
            let uids = ws.pods.iter().map(|&p| self.pods[p].uid);
            assert!(uids.is_sorted(), "workload {w}: pods in creation order");
            for (v, version) in ws.versions.iter().enumerate() {
                let listed: Vec<PodId> = (ws.pods.iter().copied())
                    .filter(|&p| self.pods[p].version == v)
                    .collect();
                assert_eq!(*version.pods, listed, "workload {w}, version {v}");
                let kept = [version.present, version.active, version.ready];
                assert_eq!(kept, versions[v], "workload {w}, version {v}");
                let running = listed.iter().filter(|&&p| self.pods[p].container_runs());
                assert_eq!(version.running as usize, running.count(), "version {v}");
                let idle = version.replicas == 0 && version.present == 0 && v != ws.current;
                assert!(
                    idle || ws.live_versions.contains(&v),
                    "workload {w}, version {v}"
                );
            }
            assert_eq!(ws.pods_on_node, on_node, "workload {w}");
            assert_eq!(ws.pods_in_zone, in_zone, "workload {w}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ModelEvent, TraceLevel};
    use super::*;
    use crate::sim::{Handler, RngStreams, RunLimits, SimDuration, SimTime};

    /// The world, with its kept counts checked after every event.
    struct Recounted<'a, 's>(&'a mut World<'s>);

    impl Handler<ModelEvent> for Recounted<'_, '_> {
        fn handle(&mut self, engine: &mut Engine<ModelEvent>, event: ModelEvent) {
            self.0.handle(engine, event);
            self.0.assert_counts_kept();
        }
    }

    /// Kubernetes ranks the pods a scale-down removes by how many of the
    /// Deployment's active pods share their node, counting every
    /// ReplicaSet's: an old pod among new ones goes before an old pod
    /// among old ones.
    #[test]
    fn a_scale_down_removes_first_the_pod_whose_node_holds_most_of_the_deployment() {
        let text = "name: ranks
duration: 1m
cluster:
  nodePools: [ { name: w, count: 2, allocatable: { cpu: \"8\", memory: 32Gi } } ]
workloads:
  - name: web
    replicas: 5
    resources: { requests: { cpu: 100m, memory: 128Mi } }
traffic: [ { workload: web, rate: 10 } ]
";
        let scenario = crate::scenario::parse(text, "ranks").expect("a scenario");
        let streams = RngStreams::new(1);
        let mut engine = Engine::new();
        let mut world = World::new(&scenario, &streams, TraceLevel::Key, false, &mut engine);
        let pods = world.workloads[0].pods.to_vec();
        let nodes: Vec<_> = pods.iter().map(|&p| world.pods[p].node).collect();
        // Spreading alternates, ties to the first node.
        assert_eq!(
            nodes,
            [Some(0), Some(1), Some(0), Some(1), Some(0)],
            "placement"
        );
        // Pods 2 and 4 run a newer version: the first node holds one old
        // pod among three of the Deployment's, the second two old ones.
        for &p in &[pods[2], pods[4]] {
            world.pods[p].version = 1;
        }
        let mut old = super::super::created::CreatedPods::default();
        for p in [pods[0], pods[1], pods[3]] {
            old.push(p, world.pods[p].uid);
        }
        world.workloads[0].versions[0].pods = old;
        // Counting only the old version's pods would pick the newest on the
        // second node, pod 3, instead.
        let first = world.pods_to_delete(0, 0, 1);
        assert_eq!(
            first,
            [pods[0]],
            "the old pod sharing its node with two new ones"
        );
        // The whole ranking, as a selection finds it: then the newest of
        // the two on the second node.
        assert_eq!(world.pods_to_delete(0, 0, 3), [pods[0], pods[3], pods[1]]);
        assert_eq!(world.pods_to_delete(0, 0, 2), [pods[0], pods[3]]);
    }

    /// The world, with the one pod a scale-down of one would remove
    /// checked after every event against the head of the whole ranking.
    struct RankedFirst<'a, 's>(&'a mut World<'s>, u64);

    impl Handler<ModelEvent> for RankedFirst<'_, '_> {
        fn handle(&mut self, engine: &mut Engine<ModelEvent>, event: ModelEvent) {
            self.0.handle(engine, event);
            let world = &*self.0;
            for (w, ws) in world.workloads.iter().enumerate() {
                for &v in &ws.live_versions {
                    let all = ws.versions[v].active as usize;
                    if all < 2 {
                        continue;
                    }
                    let ranking = world.pods_to_delete(w, v, all);
                    assert_eq!(world.pods_to_delete(w, v, 1), ranking[..1]);
                    // Ties on the head (same node, readiness and spreading)
                    // are where the rest of the key decides.
                    let heads = ranking.iter().map(|&p| world.deletion_head(w, p));
                    let tied = heads.clone().zip(heads.skip(1)).any(|(a, b)| a == b);
                    self.1 += u64::from(tied);
                }
            }
        }
    }

    /// A scale-down of one pod (a rolling update's step) reads only the
    /// head of each candidate's key where it decides: the pod it removes is
    /// the first of the whole ranking, through rollouts, crashes (restarts
    /// and Ready transitions) and node losses.
    #[test]
    fn the_one_pod_a_step_removes_heads_the_whole_ranking() {
        let scenarios = [
            (
                "rolling-deploy",
                include_str!("../../scenarios/rolling-deploy.yaml"),
            ),
            (
                "zone-outage",
                include_str!("../../scenarios/zone-outage.yaml"),
            ),
            ("year", include_str!("../../scenarios/year-100-nodes.yaml")),
        ];
        for (name, text) in scenarios {
            let mut scenario = crate::scenario::parse(text, name).expect("a bundled scenario");
            scenario.duration = scenario.duration.min(SimDuration::from_secs(86_400));
            let streams = RngStreams::new(7);
            let mut engine = Engine::new();
            let mut world = World::new(&scenario, &streams, TraceLevel::Key, false, &mut engine);
            let limits = RunLimits {
                horizon: SimTime::ZERO + scenario.duration,
                max_events: u64::MAX,
            };
            let mut checked = RankedFirst(&mut world, 0);
            crate::sim::run(&mut engine, &mut checked, limits).expect("the run ends");
            assert!(checked.1 > 0, "{name}: no ranking tied on its head");
        }
    }

    #[test]
    fn counts_kept_as_pods_change_equal_a_recount() {
        // Rollouts, a rollback, deletions undone by an etcd restore, drains,
        // node losses, crashes and an HPA: every way a pod's count changes.
        let scenarios = [
            (
                "rolling-deploy",
                include_str!("../../scenarios/rolling-deploy.yaml"),
            ),
            (
                "broken-release",
                include_str!("../../scenarios/broken-release.yaml"),
            ),
            ("migration", include_str!("../../scenarios/migration.yaml")),
            (
                "etcd",
                include_str!("../../scenarios/etcd-disaster-restore.yaml"),
            ),
            ("drain", include_str!("../../scenarios/node-drain-pdb.yaml")),
            (
                "zone-outage",
                include_str!("../../scenarios/zone-outage.yaml"),
            ),
            ("year", include_str!("../../scenarios/year-100-nodes.yaml")),
        ];
        for (name, text) in scenarios {
            let mut scenario = crate::scenario::parse(text, name).expect("a bundled scenario");
            scenario.duration = scenario.duration.min(SimDuration::from_secs(2 * 86_400));
            let streams = RngStreams::new(7);
            let mut engine = Engine::new();
            let mut world = World::new(&scenario, &streams, TraceLevel::Key, false, &mut engine);
            world.assert_counts_kept();
            let limits = RunLimits {
                horizon: SimTime::ZERO + scenario.duration,
                max_events: u64::MAX,
            };
            let stats = crate::sim::run(&mut engine, &mut Recounted(&mut world), limits)
                .expect("the run ends");
            assert!(stats.events > 0, "{name}");
        }
    }
}
