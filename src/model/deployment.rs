//! The Deployment controller (k8s-reference §6): one ReplicaSet per version
//! of the pod template, and a rollout that moves the pods from the old ones
//! to the new one. `RollingUpdate` keeps at most `replicas + maxSurge` pods
//! (surge rounded up) and at least `replicas − maxUnavailable` available
//! (rounded down; both 0 make it 1), a pod being available once Ready for
//! `minReadySeconds` counted from its Ready time in whole seconds;
//! `Recreate` deletes every old pod before creating new ones. Without
//! progress for `progressDeadlineSeconds` the Deployment
//! reports `ProgressDeadlineExceeded` and stays as it is; an opt-in
//! `rollbackOnFailure` models the pipeline that then runs `kubectl rollout
//! undo`. The controller syncs when a rollout starts and, while one runs,
//! whenever a pod's readiness or existence changes, one of its ReplicaSets
//! was resized, or a Ready pod's `minReadySeconds` are over.

use super::{ModelEvent, PodId, World, names};
use crate::scenario::{App, Resources, Strategy, Trigger};
use crate::sim::{Engine, SimDuration, SimTime};
use crate::traffic::{Capacity, OutcomeCounts};
use std::rc::Rc;

/// What one endpoint of this version of the app can take.
pub(super) fn capacity(app: &App, limits: Resources) -> Capacity {
    Capacity {
        mean_service_time_s: app.service_time.mean().as_secs_f64(),
        cpu_per_request_s: app.cpu_per_request.as_secs_f64(),
        // Without a limit the pod is never throttled.
        cpu_limit_cores: (limits.cpu_millis > 0).then(|| limits.cpu_millis as f64 / 1000.0),
    }
}

/// When a pod Ready since `ready` becomes available: its Ready condition's
/// `lastTransitionTime` plus `minReadySeconds`. The API stores that time in
/// whole seconds (`metav1.Time` marshals as RFC 3339 without a fraction), so
/// the controller reads the Ready instant truncated to the second: a pod is
/// available up to a second before `minReadySeconds` have passed.
fn available_from(ready: SimTime, min_ready: SimDuration) -> SimTime {
    const SECOND_NS: u64 = 1_000_000_000;
    SimTime::from_nanos(ready.as_nanos() / SECOND_NS * SECOND_NS) + min_ready
}

/// One version of the pod template, and its ReplicaSet's `replicas`.
#[derive(Debug, Clone)]
pub(super) struct Version {
    /// Its ReplicaSet's name, `<deployment>-<pod-template-hash>`, which
    /// its pods' names start with: shared, as a rollout names hundreds of
    /// pods and resizes the ReplicaSet as often.
    pub name: Rc<str>,
    pub app: App,
    pub replicas: u32,
    /// Its ReplicaSet exists. A rollout's is created by the Deployment
    /// controller's first sync of it (`getNewReplicaSet`), at the size the
    /// strategy then allows: `Recreate`'s once the old pods are gone.
    pub exists: bool,
    /// A newer version's migration broke it.
    pub broken: bool,
    /// Its pods not gone, those not being deleted, and those of them
    /// Ready: kept up to date by [`World::update_pod`], so that a sync
    /// counts nothing.
    pub present: u32,
    pub active: u32,
    pub ready: u32,
    /// Its pods whose container runs (starting or answering): kept as
    /// containers start and stop, for the mean memory a time series samples.
    pub running: u32,
    /// Its pods not gone, in creation order: what a scale-down ranks,
    /// without a pass over the other versions' pods of a rollout.
    pub pods: super::created::CreatedPods,
    /// Per node, when its image is (or will be) present there, once
    /// pulled. Kept by version rather than by node: a rollout's pods,
    /// admitted across the nodes, read one short list, where a node's list
    /// of every version a year of daily deploys pulled is out of the cache.
    pub images: Vec<Option<SimTime>>,
}

impl Version {
    pub fn first(workload: &str, app: App, replicas: u32, nodes: usize) -> Self {
        let hash = names::template_hash(workload);
        Version {
            name: format!("{workload}-{hash}").into(),
            app,
            replicas,
            exists: true,
            broken: false,
            present: 0,
            active: 0,
            ready: 0,
            running: 0,
            pods: Default::default(),
            images: vec![None; nodes],
        }
    }
}

/// How a rollout ended, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutOutcome {
    /// Every pod runs the new version and is available.
    Complete,
    /// `ProgressDeadlineExceeded`, and nobody rolled back.
    Stalled,
    /// `ProgressDeadlineExceeded`, then `kubectl rollout undo`.
    RolledBack,
    /// A newer rollout replaced it before it was done.
    Superseded,
    /// Still going when the run ended.
    InProgress,
}

impl RolloutOutcome {
    pub fn key(self) -> &'static str {
        match self {
            RolloutOutcome::Complete => "complete",
            RolloutOutcome::Stalled => "stalled",
            RolloutOutcome::RolledBack => "rolled_back",
            RolloutOutcome::Superseded => "superseded",
            RolloutOutcome::InProgress => "in_progress",
        }
    }
}

/// A rollout as the report lists it.
#[derive(Debug, Clone)]
pub struct RolloutRecord {
    pub workload: usize,
    /// The Deployment's revision it created (the first version is 1).
    pub revision: usize,
    pub start: SimTime,
    pub end: Option<SimTime>,
    pub outcome: RolloutOutcome,
    /// Requests of the workload between its start and its end.
    pub requests: OutcomeCounts,
}

/// The rollout in progress of a workload.
#[derive(Debug)]
pub(super) struct Progress {
    record: usize,
    counts_at_start: OutcomeCounts,
    rollback_on_failure: bool,
    /// `ProgressDeadlineExceeded` was reported.
    stalled: bool,
    /// The Deployment's status as the controller last computed it: what
    /// its next sync compares with to tell progress.
    status: DeploymentStatus,
    /// The template before this rollout: where an undo goes back to.
    previous: usize,
    last_progress: SimTime,
}

/// The counts of a Deployment's status, each over all its ReplicaSets
/// (`calculateStatus`): pods not being deleted (`replicas`), those of the
/// current template (`updatedReplicas`), those Ready (`readyReplicas`) and
/// those available (`availableReplicas`).
#[derive(Debug, Clone, Copy, Default)]
struct DeploymentStatus {
    replicas: u32,
    updated_replicas: u32,
    ready_replicas: u32,
    available_replicas: u32,
}

impl DeploymentStatus {
    /// `DeploymentProgressing`: more pods of the template, fewer old ones,
    /// more Ready or more available than at the last sync. An old pod
    /// turning Ready again is progress too, as is a new one replacing a
    /// lost one once it is Ready.
    fn progressed_since(&self, last: &DeploymentStatus) -> bool {
        let old = |s: &DeploymentStatus| s.replicas - s.updated_replicas;
        self.updated_replicas > last.updated_replicas
            || old(self) < old(last)
            || self.ready_replicas > last.ready_replicas
            || self.available_replicas > last.available_replicas
    }
}

impl World<'_> {
    /// A rollout's time has come: the Deployment's template changes.
    pub(super) fn rollout_starts(&mut self, index: usize, engine: &mut Engine<ModelEvent>) {
        let spec = &self.scenario.rollouts[index];
        if let Trigger::Every { period, .. } = spec.trigger {
            engine.schedule_in(period, ModelEvent::RolloutStarts { rollout: index });
        }
        if !self.api_writable() {
            // `kubectl apply` fails; the pipeline retries when the API is back.
            self.control_plane.deferred_rollouts.push(index);
            return;
        }
        self.apply_rollout(index, engine);
    }

    pub(super) fn apply_rollout(&mut self, index: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let spec = &self.scenario.rollouts[index];
        let w = spec.workload;
        self.end_rollout(w, now, RolloutOutcome::Superseded);
        let ws = &mut self.workloads[w];
        let previous = ws.current;
        let version = ws.versions.len();
        let name = &self.scenario.workloads[w].name;
        let hash = names::template_hash(&format!("{name}-{version}"));
        ws.versions.push(Version {
            name: format!("{name}-{hash}").into(),
            app: spec.app.clone(),
            replicas: 0,
            exists: false,
            broken: false,
            present: 0,
            active: 0,
            ready: 0,
            running: 0,
            pods: Default::default(),
            images: vec![None; self.nodes.len()],
        });
        ws.traffic.add_version(
            capacity(&spec.app, self.scenario.workloads[w].limits),
            spec.app.service_time,
        );
        ws.any_version_leaks |= spec.app.memory.leak_per_hour_bytes > 0.0;
        ws.any_version_holds_requests |= spec.app.memory.per_request_bytes > 0.0;
        ws.current = version;
        ws.make_live(version);
        ws.traffic.settle(now);
        self.begin_rollout_record(w, now, previous, spec.rollback_on_failure);
        let rs = &self.workloads[w].versions[version].name;
        self.trace
            .emit(now, true, "Deployment", name, "RolloutStarted", || {
                format!(
                    "new pod template: ReplicaSet {rs}, revision {}",
                    self.workloads[w].revision
                )
            });
        if spec.breaks_previous_version {
            self.migrate(w, version, engine);
        }
        self.progressed(w, engine);
        self.sync_deployment(w, engine);
    }

    /// The new version's migration runs: every older version's pods now
    /// answer with errors.
    fn migrate(&mut self, w: usize, version: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let name = &self.scenario.workloads[w].name;
        self.trace.emit(
            now,
            true,
            "Job",
            format!("{name}-migrate"),
            "Completed",
            || {
                format!(
                    "the migration of revision {} ran: older versions cannot read the data",
                    version + 1
                )
            },
        );
        for v in 0..version {
            self.workloads[w].versions[v].broken = true;
        }
        // Copied, as the loop changes the world that holds the list.
        let pods = self.workloads[w].pods.to_vec();
        for pod in pods {
            if self.pods[pod].version < version {
                self.pods[pod].incompatible = true;
                self.pods[pod].cause =
                    format!("{} runs a version the migration broke", self.pods[pod].name).into();
                self.refresh_endpoint(pod, engine);
            }
        }
    }

    /// A pod of a workload with a rollout in progress changed: the
    /// controller syncs once the current event is done.
    pub(super) fn deployment_pod_changed(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let ws = &mut self.workloads[w];
        if ws.progress.is_none() || ws.sync_pending {
            return;
        }
        ws.sync_pending = true;
        engine.schedule_in(
            crate::sim::SimDuration::ZERO,
            ModelEvent::DeploymentSync { workload: w },
        );
    }

    /// A pod of the workload is gone. `Recreate` waits for the old pods
    /// to be gone, and a pod gone without being deleted leaves the active
    /// ones: the controller syncs. A `RollingUpdate` reads only the pods not
    /// being deleted, which a deleted pod had already left.
    pub(super) fn deployment_pod_gone(
        &mut self,
        w: usize,
        deleted: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        if !deleted || self.scenario.workloads[w].strategy == Strategy::Recreate {
            self.deployment_pod_changed(w, engine);
        }
    }

    /// kube-proxy dropped one of the workload's endpoints. The Deployment
    /// controller reads nothing of kube-proxy, but a rollout lasts until
    /// its last old endpoint is dropped: that is the one thing to check. A
    /// sync pending checks it; without one, every change the controller
    /// reads was synced already, and a sync would decide nothing new.
    pub(super) fn endpoint_dropped(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let ws = &self.workloads[w];
        if ws.progress.is_some() && !ws.sync_pending {
            self.check_rollout_done(w, engine);
        }
    }

    pub(super) fn deployment_sync_due(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        self.workloads[w].sync_pending = false;
        self.sync_deployment(w, engine);
    }

    /// Whether the pod counts as available, as `IsPodAvailable` decides
    /// (k8s.io/kubernetes pkg/api/v1/pod/util.go): Ready, and its Ready
    /// condition's `lastTransitionTime` plus `minReadySeconds` not after
    /// now (`<=` since Kubernetes 1.34, kubernetes#132122).
    fn available(&self, pod: PodId, now: SimTime) -> bool {
        let p = &self.pods[pod];
        let min_ready = self.scenario.workloads[p.workload].min_ready_seconds;
        p.api_ready && !p.deleting && available_from(p.ready_transition, min_ready) <= now
    }

    /// The version's pods that are available. Without `minReadySeconds`
    /// that is those Ready, which the version counts as pods change.
    fn available_pods(&self, w: usize, version: usize, now: SimTime) -> u32 {
        if self.scenario.workloads[w].min_ready_seconds.is_zero() {
            return self.workloads[w].versions[version].ready;
        }
        let pods = self.workloads[w].versions[version].pods.iter();
        pods.filter(|&&p| self.available(p, now)).count() as u32
    }

    /// The Deployment's status as `calculateStatus` computes it.
    fn deployment_status(&self, w: usize, now: SimTime) -> DeploymentStatus {
        let ws = &self.workloads[w];
        let mut status = DeploymentStatus {
            updated_replicas: ws.versions[ws.current].active,
            ..DeploymentStatus::default()
        };
        // The versions not live have no pods.
        for &v in &ws.live_versions {
            status.replicas += ws.versions[v].active;
            status.ready_replicas += ws.versions[v].ready;
            status.available_replicas += self.available_pods(w, v, now);
        }
        status
    }

    /// The old versions that still have replicas, oldest first.
    fn old_versions_with_replicas(&self, w: usize) -> impl Iterator<Item = usize> + use<'_> {
        let ws = &self.workloads[w];
        (ws.live_versions.iter().copied())
            .filter(|&v| v != ws.current && ws.versions[v].replicas > 0)
    }

    /// The ReplicaSet of `version` scales to `to`, with the Deployment's
    /// event worded as Kubernetes words it: `scaleReplicaSet`'s "Scaled up
    /// replica set web-5tkszj9wl9 to 3 from 2", or, for a ReplicaSet not yet
    /// created, `getNewReplicaSet`'s "Scaled up replica set web-nrtc69hcxw
    /// to 1" (none when it is created with 0 replicas).
    fn scale_version(&mut self, w: usize, version: usize, to: u32, now: SimTime) {
        let existed = std::mem::replace(&mut self.workloads[w].versions[version].exists, true);
        let from = self.workloads[w].versions[version].replicas;
        if from == to {
            return;
        }
        let ws = &mut self.workloads[w];
        ws.replica_sets_resized = true;
        ws.versions[version].replicas = to;
        if to > 0 {
            ws.make_live(version);
        }
        let name = &self.scenario.workloads[w].name;
        let rs = &self.workloads[w].versions[version].name;
        let direction = if to > from { "up" } else { "down" };
        self.trace
            .emit(now, false, "Deployment", name, "ScalingReplicaSet", || {
                if existed {
                    format!("Scaled {direction} replica set {rs} to {to} from {from}")
                } else {
                    format!("Scaled up replica set {rs} to {to}")
                }
            });
    }

    /// The Deployment controller's sync: the ReplicaSets' sizes for the
    /// strategy, then the ReplicaSet controller acts on them.
    pub(super) fn sync_deployment(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            return;
        }
        let now = engine.now();
        let replicas = self.workloads[w].replicas;
        let current = self.workloads[w].current;
        self.workloads[w].replica_sets_resized = false;
        // Resizing ReplicaSets moves no pod: the counts hold for the whole
        // step, until the ReplicaSet controller acts on the new sizes.
        match self.scenario.workloads[w].strategy {
            Strategy::Recreate => self.sync_recreate(w, replicas, current, now),
            strategy => self.sync_rolling(w, strategy, replicas, current, now),
        }
        let resized = self.workloads[w].replica_sets_resized;
        // `syncRolloutStatus`. The resizes move no pod yet: the status
        // shows them once the ReplicaSets have acted, at the next sync.
        // Only a rollout under way reads it: a sync without one does not
        // pass over the pods for it.
        let status = (self.workloads[w].progress.is_some()).then(|| self.deployment_status(w, now));
        let progressing = status.is_some_and(|status| {
            let p = self.workloads[w].progress.as_mut().expect("a rollout");
            let last = std::mem::replace(&mut p.status, status);
            status.progressed_since(&last)
        });
        if progressing {
            self.progressed(w, engine);
        }
        self.reconcile_replicas(w, engine);
        self.check_rollout_done(w, engine);
        self.workloads[w].prune_versions();
        // The ReplicaSets' update is itself an event the controller
        // watches: scaling one may let it scale another.
        if resized {
            self.deployment_pod_changed(w, engine);
        }
        // With `minReadySeconds`, a Ready pod becomes available later: sync
        // then. `syncReplicaSet` requeues the ReplicaSet for the earliest
        // pod's availability (`FindMinNextPodAvailabilityCheck`, since
        // Kubernetes 1.34, kubernetes#132121): the new `availableReplicas`
        // wakes the Deployment controller at that instant.
        let min_ready = self.scenario.workloads[w].min_ready_seconds;
        let timer = self.workloads[w].available_timer;
        let next = (self.workloads[w].progress.is_some() && !min_ready.is_zero())
            .then(|| {
                self.workloads[w]
                    .pods
                    .iter()
                    .map(|&p| &self.pods[p])
                    .filter(|p| p.api_ready && !p.deleting)
                    .map(|p| available_from(p.ready_transition, min_ready))
                    .filter(|&t| t > now)
                    .min()
            })
            .flatten();
        match next {
            Some(at) => engine
                .set_timer(timer, at, ModelEvent::DeploymentSync { workload: w })
                .expect("in the future"),
            None => engine.cancel_timer(timer),
        }
    }

    fn sync_recreate(&mut self, w: usize, replicas: u32, current: usize, now: SimTime) {
        for v in self.workloads[w].live_versions.clone() {
            if v != current {
                self.scale_version(w, v, 0, now);
            }
        }
        let old_pods_left = self.workloads[w]
            .pods
            .iter()
            .any(|&p| self.pods[p].version != current);
        if !old_pods_left {
            self.scale_version(w, current, replicas, now);
        }
    }

    /// `rolloutRolling`: `reconcileNewReplicaSet`, then
    /// `reconcileOldReplicaSets` with `cleanupUnhealthyReplicas` and
    /// `scaleDownOldReplicaSetsForRollingUpdate`.
    fn sync_rolling(
        &mut self,
        w: usize,
        strategy: Strategy,
        replicas: u32,
        current: usize,
        now: SimTime,
    ) {
        let (surge, unavailable) = strategy.fenceposts(replicas);
        let spec_total = |world: &World| -> u32 {
            let ws = &world.workloads[w];
            ws.live_versions
                .iter()
                .map(|&v| ws.versions[v].replicas)
                .sum()
        };
        // `NewRSNewReplicas`. Sized even when unchanged: that creates the
        // new ReplicaSet at its first sync, with 0 replicas if it must wait.
        let new_replicas = self.workloads[w].versions[current].replicas;
        let max_total = replicas + surge;
        let total = spec_total(self);
        let new_size = if new_replicas > replicas {
            replicas
        } else if total < max_total {
            new_replicas + (max_total - total).min(replicas - new_replicas)
        } else {
            new_replicas
        };
        self.scale_version(w, current, new_size, now);
        if self.old_versions_with_replicas(w).next().is_none() {
            return;
        }
        let min_available = replicas.saturating_sub(unavailable);
        let new_spec = self.workloads[w].versions[current].replicas;
        let new_unavailable = new_spec.saturating_sub(self.available_pods(w, current, now));
        let all = spec_total(self);
        let mut max_scaled_down =
            i64::from(all) - i64::from(min_available) - i64::from(new_unavailable);
        if max_scaled_down <= 0 {
            return;
        }
        // Old ReplicaSets' unavailable pods go first. Resizing an old
        // version leaves the live versions as they are.
        let old_version = |world: &World, i: usize| {
            let ws = &world.workloads[w];
            ws.live_versions
                .get(i)
                .map(|&v| (v != current).then_some(v))
        };
        let mut i = 0;
        while let Some(old) = old_version(self, i) {
            i += 1;
            let Some(v) = old else { continue };
            if max_scaled_down <= 0 {
                break;
            }
            let spec = self.workloads[w].versions[v].replicas;
            let unhealthy = i64::from(spec.saturating_sub(self.available_pods(w, v, now)));
            let down = unhealthy.min(max_scaled_down);
            if down > 0 {
                self.scale_version(w, v, spec - down as u32, now);
                max_scaled_down -= down;
            }
        }
        // Then available ones, as long as enough stay available.
        let ws = &self.workloads[w];
        let available: u32 = (ws.live_versions.iter())
            .map(|&v| self.available_pods(w, v, now).min(ws.versions[v].replicas))
            .sum();
        let mut to_scale_down = i64::from(available) - i64::from(min_available);
        let mut i = 0;
        while let Some(old) = old_version(self, i) {
            i += 1;
            let Some(v) = old else { continue };
            if to_scale_down <= 0 {
                break;
            }
            let spec = self.workloads[w].versions[v].replicas;
            let down = i64::from(spec).min(to_scale_down);
            if down > 0 {
                self.scale_version(w, v, spec - down as u32, now);
                to_scale_down -= down;
            }
        }
    }

    /// The rollout moved: its progress deadline starts again.
    fn progressed(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let deadline = self.scenario.workloads[w].progress_deadline;
        let ws = &mut self.workloads[w];
        if let Some(progress) = ws.progress.as_mut() {
            progress.stalled = false;
            progress.last_progress = engine.now();
            engine.set_timer_in(
                ws.progress_timer,
                deadline,
                ModelEvent::ProgressDeadline { workload: w },
            );
        }
    }

    /// Done when every pod runs the new version and is available.
    fn check_rollout_done(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let ws = &self.workloads[w];
        if ws.progress.is_none() {
            return;
        }
        let current = ws.current;
        // Until kube-proxy has dropped the last old endpoint, requests still
        // reach the old version: the rollout is not over for its clients.
        // Read last: the counts settle most calls.
        let old_left = || {
            (ws.pods.iter().chain(&ws.leaving))
                .map(|&p| &self.pods[p])
                .any(|p| p.version != current && (!p.deleting || p.in_view))
        };
        let done = ws.versions[current].replicas == ws.replicas
            && self.available_pods(w, current, now) == ws.replicas
            && !old_left();
        if !done {
            return;
        }
        let rs = &self.workloads[w].versions[current].name;
        let name = &self.scenario.workloads[w].name;
        self.trace.emit(
            now,
            true,
            "Deployment",
            name,
            "NewReplicaSetAvailable",
            || format!("ReplicaSet \"{rs}\" has successfully progressed."),
        );
        self.end_rollout(w, now, RolloutOutcome::Complete);
    }

    /// `progressDeadlineSeconds` without progress.
    pub(super) fn progress_deadline(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            // The controller checks when it runs again (`catch_up_deadline`).
            return;
        }
        let now = engine.now();
        let ws = &mut self.workloads[w];
        let Some(progress) = ws.progress.as_mut() else {
            return;
        };
        if progress.stalled {
            return;
        }
        progress.stalled = true;
        let rollback = progress.rollback_on_failure;
        let record = progress.record;
        ws.rollouts[record].outcome = RolloutOutcome::Stalled;
        let rs = &ws.versions[ws.current].name;
        let name = &self.scenario.workloads[w].name;
        self.trace.emit(
            now,
            true,
            "Deployment",
            name,
            "ProgressDeadlineExceeded",
            || format!("ReplicaSet \"{rs}\" has timed out progressing."),
        );
        if rollback {
            self.roll_back(w, engine);
        }
    }

    /// After a controller outage: a deadline that passed meanwhile is
    /// reported at once.
    pub(super) fn catch_up_deadline(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let deadline = self.scenario.workloads[w].progress_deadline;
        let overdue = self.workloads[w]
            .progress
            .as_ref()
            .is_some_and(|p| !p.stalled && p.last_progress + deadline <= engine.now());
        if overdue {
            self.progress_deadline(w, engine);
        }
    }

    /// `kubectl rollout undo`: the previous version's template becomes the
    /// Deployment's again, and the failed ReplicaSet is scaled away.
    fn roll_back(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let failed = self.workloads[w].current;
        let Some(previous) = self.workloads[w].progress.as_ref().map(|p| p.previous) else {
            return;
        };
        let name = &self.scenario.workloads[w].name;
        let rs = &self.workloads[w].versions[previous].name;
        self.trace
            .emit(now, true, "Deployment", name, "DeploymentRollback", || {
                format!("Rolled back deployment \"{name}\" to the template of ReplicaSet {rs}")
            });
        self.end_rollout(w, now, RolloutOutcome::RolledBack);
        // The undo is a rollout of its own, back to the previous template.
        self.workloads[w].current = previous;
        self.workloads[w].make_live(previous);
        self.begin_rollout_record(w, now, failed, false);
        self.progressed(w, engine);
        self.sync_deployment(w, engine);
    }

    /// A change of `replicas` in the middle of a rolling update is shared
    /// among the ReplicaSets with pods in proportion to their sizes
    /// (`scale` in the Deployment controller's sync.go, with
    /// `GetProportion`), the largest taking the rounding's leftover: an
    /// HPA's scale-up during a broken release adds old pods too.
    fn scale_proportionally(&mut self, w: usize, before: u32, after: u32, now: SimTime) {
        let strategy = self.scenario.workloads[w].strategy;
        if strategy == Strategy::Recreate {
            return;
        }
        let ws = &self.workloads[w];
        let mut active: Vec<usize> = (ws.live_versions.iter().copied())
            .filter(|&v| ws.versions[v].replicas > 0)
            .collect();
        if active.len() < 2 {
            return;
        }
        let size = |v: usize| i64::from(ws.versions[v].replicas);
        let allowed = i64::from(after + strategy.fenceposts(after).0);
        let total: i64 = active.iter().map(|&v| size(v)).sum();
        let to_add = allowed - total;
        if to_add == 0 {
            return;
        }
        // `ReplicaSetsBySizeNewer` to add, `BySizeOlder` to remove.
        if to_add > 0 {
            active.sort_by_key(|&v| (std::cmp::Reverse(size(v)), std::cmp::Reverse(v)));
        } else {
            active.sort_by_key(|&v| (std::cmp::Reverse(size(v)), v));
        }
        // The `max-replicas` annotation: the size the ReplicaSets were
        // proportioned for.
        let annotated = i64::from(before + strategy.fenceposts(before).0).max(1);
        let deployment_size = allowed;
        let mut added = 0;
        let mut sizes: Vec<(usize, i64)> = Vec::new();
        for &v in &active {
            let fraction =
                ((size(v) * deployment_size) as f64 / annotated as f64).round() as i64 - size(v);
            let left = to_add - added;
            let proportion = if left == 0 {
                0
            } else if to_add > 0 {
                fraction.min(left)
            } else {
                fraction.max(left)
            };
            added += proportion;
            sizes.push((v, size(v) + proportion));
        }
        sizes[0].1 = (sizes[0].1 + to_add - added).max(0);
        for (v, to) in sizes {
            self.scale_version(w, v, u32::try_from(to).unwrap_or(0), now);
        }
    }

    /// A new revision of the Deployment starts rolling out.
    fn begin_rollout_record(
        &mut self,
        w: usize,
        now: SimTime,
        previous: usize,
        rollback_on_failure: bool,
    ) {
        let status = self.deployment_status(w, now);
        let ws = &mut self.workloads[w];
        ws.traffic.settle(now);
        ws.revision += 1;
        ws.rollouts.push(RolloutRecord {
            workload: w,
            revision: ws.revision,
            start: now,
            end: None,
            outcome: RolloutOutcome::InProgress,
            requests: OutcomeCounts::default(),
        });
        ws.progress = Some(Progress {
            record: ws.rollouts.len() - 1,
            counts_at_start: ws.traffic.counts().clone(),
            rollback_on_failure,
            stalled: false,
            status,
            previous,
            last_progress: now,
        });
    }

    /// Closes the rollout in progress, if any, with its requests.
    pub(super) fn end_rollout(&mut self, w: usize, now: SimTime, outcome: RolloutOutcome) {
        let ws = &mut self.workloads[w];
        let Some(progress) = ws.progress.take() else {
            return;
        };
        ws.traffic.settle(now);
        let record = &mut ws.rollouts[progress.record];
        // A stalled rollout stays stalled when superseded, or at the end.
        let stalled = record.outcome == RolloutOutcome::Stalled;
        match outcome {
            RolloutOutcome::InProgress => record.end = None,
            RolloutOutcome::Superseded if stalled => record.end = Some(now),
            _ => {
                record.outcome = outcome;
                record.end = Some(now);
            }
        }
        record.requests = ws.traffic.counts().since(&progress.counts_at_start);
        ws.sync_pending = false;
    }

    /// With no rollout in progress, the Deployment's replicas are its one
    /// ReplicaSet's; during one, the rollout's sync sizes them.
    pub(super) fn scale_deployment(
        &mut self,
        w: usize,
        replicas: u32,
        engine: &mut Engine<ModelEvent>,
    ) {
        let before = std::mem::replace(&mut self.workloads[w].replicas, replicas);
        if self.workloads[w].progress.is_some() {
            self.scale_proportionally(w, before, replicas, engine.now());
            self.sync_deployment(w, engine);
        } else {
            let now = engine.now();
            let current = self.workloads[w].current;
            self.scale_version(w, current, replicas, now);
            self.reconcile_replicas(w, engine);
        }
    }
}
