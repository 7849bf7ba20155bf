//! Pods: where they run, what their container is doing, and what the API
//! and kube-proxy believe about them.

use super::{ModelEvent, NodeId};
use crate::sim::{Engine, SimTime, TimerId};
use crate::traffic::EndpointClass;

/// The container as the node sees it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Container {
    /// Not running: not yet started (image pull), in CrashLoopBackOff, or
    /// stopped with its node.
    Stopped,
    /// The process runs; the app has not finished its startup.
    Starting,
    /// The app answers.
    Running,
}

/// What last took a pod out of service, for the incidents it causes,
/// written out only when an incident takes it: a year of rollouts scales
/// half a million pods down, and hardly one of them takes its workload
/// down.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) enum Cause {
    #[default]
    None,
    /// As the report shows it.
    Text(String),
    /// Its ReplicaSet scaled it down.
    ScaledDown,
}

impl From<String> for Cause {
    fn from(text: String) -> Self {
        Cause::Text(text)
    }
}

#[derive(Debug)]
pub(super) struct Pod {
    /// `metadata.uid`: unique over the run, and in creation order, which
    /// "the newest" of the ReplicaSet's ranking and the report follow.
    pub uid: u64,
    pub name: super::names::PodName,
    pub workload: usize,
    /// The workload's version (its ReplicaSet) the pod runs.
    pub version: usize,
    /// The data it relies on was migrated away by a newer version: its
    /// requests fail as `incompatible`.
    pub incompatible: bool,
    pub node: Option<NodeId>,
    pub container: Container,
    /// The pod's `Ready` condition in the API, which the EndpointSlice follows.
    pub api_ready: bool,
    /// The `Ready` condition's `lastTransitionTime`.
    pub ready_transition: SimTime,
    /// `status.startTime`: when its kubelet took the pod in.
    pub start_time: Option<SimTime>,
    /// Part of the steady state the run starts from: it started, and became
    /// Ready, long before time zero.
    pub pre_existing: bool,
    /// Listed as a ready endpoint in kube-proxy's rules.
    pub in_view: bool,
    /// What this pod contributes to its Service's traffic, as last told to it.
    pub endpoint: Option<EndpointClass>,
    /// Deletion requested (`Terminating`).
    pub deleting: bool,
    /// Its kubelet has begun stopping it (`preStop`, then SIGTERM).
    pub terminating: bool,
    /// SIGTERM sent: the app accepts no new connection.
    pub sigterm: bool,
    /// Its node is partitioned away from clients too.
    pub unreachable: bool,
    /// Terminating but still serving, and kube-proxy has no ready endpoint
    /// left: it routes here (KEP-1669).
    pub serving_terminating: bool,
    /// Its `Ready` condition when it was deleted.
    pub ready_when_deleted: bool,
    /// SIGKILL comes at this instant, if the app has not exited by then.
    pub termination_deadline: SimTime,
    /// When its kubelet evicted it for node memory pressure: it stops with
    /// the eviction's grace period, and the eviction manager waits for it.
    pub evicted_at: Option<SimTime>,
    /// Deleted and released by its node: nothing left but its endpoint's last
    /// propagation.
    pub gone: bool,
    /// Events and lists naming the pod outside its workload's and its
    /// node's: its slot is kept while any does (see [`super::recycling`]).
    pub pins: u32,
    /// Gone for good: its slot is free for a new pod.
    pub recycled: bool,
    pub restarts: u32,
    pub oom_kills: u32,
    /// Memory is accounted up to here; from here it grows by the leak.
    pub memory_since: SimTime,
    /// Base plus what leaked until `memory_since`, in bytes.
    pub memory_leaked_from: f64,
    /// Held by the requests in flight at the current load, in bytes.
    pub memory_of_requests: f64,
    /// The container ran at least once, so a new start is a restart.
    pub ever_started: bool,
    /// Consecutive crashes, for CrashLoopBackOff.
    pub crash_loop: u32,
    pub started_at: SimTime,
    /// The app stopped answering; its process runs and its port is open.
    pub hung: bool,
    /// The startup probe passed (or there is none): the other probes run.
    pub started: bool,
    /// When `started` became true: liveness and readiness probe from here.
    pub probing_since: SimTime,
    /// The kubelet ran the readiness probe at `probing_since`, off its
    /// ticks: it does when the startup probe passes (`UpdatePodStatus`
    /// triggers an immediate run for a started container not yet Ready).
    pub readiness_triggered: bool,
    /// The readiness probe's verdict (`successThreshold` passes make it
    /// true, `failureThreshold` failures false).
    pub probe_ready: bool,
    /// The kubelet is stopping the container (a liveness or startup probe
    /// failed): SIGTERM sent, exit pending.
    pub killing: bool,
    /// What each prober (startup, readiness, liveness) would get now, and
    /// since when: the run of results a verdict counts.
    pub seen: [bool; 3],
    pub seen_since: [SimTime; 3],
    /// Each prober ticks at `origin + k × periodSeconds`: startup,
    /// readiness, liveness.
    pub probe_origins: [SimTime; 3],
    /// The image was pulled for this start, so `Pulled` reports the pull.
    pub pulled_cold: bool,
    /// `FailedScheduling` was reported for the current wait.
    pub unschedulable_reported: bool,
    /// Failed scheduling attempts, and when the back-off lets it try again.
    pub scheduling_attempts: u32,
    pub schedulable_after: SimTime,
    /// What last took this pod out of service, for the incidents it causes.
    pub cause: Cause,
    /// Where it stands in its workload's HPA listing.
    pub hpa_listing: super::hpa::ListingEntry,
    /// The kubelet's next step for this pod (start, app ready, probe, back-off).
    pub timer: TimerId,
    pub failure_timer: TimerId,
    /// The startup probe's, then the liveness probe's, next verdict.
    pub liveness_timer: TimerId,
    pub readiness_timer: TimerId,
    /// The end of an `appHang` with `recoverAfter`.
    pub hang_timer: TimerId,
    /// When the memory reaches the limit.
    pub oom_timer: TimerId,
    /// The end of the `preStop` hook, then the container's exit.
    pub termination_timer: TimerId,
}

impl Pod {
    /// Whether it is still there (not gone), counts among its ReplicaSet's
    /// pods (not being deleted either), and among those Ready.
    pub fn counted(&self) -> [bool; 3] {
        let active = !self.deleting && !self.gone;
        [!self.gone, active, active && self.api_ready]
    }

    pub fn new(
        uid: u64,
        name: super::names::PodName,
        workload: usize,
        version: usize,
        engine: &mut Engine<ModelEvent>,
    ) -> Self {
        Pod {
            uid,
            name,
            workload,
            version,
            incompatible: false,
            node: None,
            container: Container::Stopped,
            api_ready: false,
            ready_transition: SimTime::ZERO,
            start_time: None,
            pre_existing: false,
            in_view: false,
            endpoint: None,
            deleting: false,
            terminating: false,
            sigterm: false,
            unreachable: false,
            serving_terminating: false,
            ready_when_deleted: false,
            termination_deadline: SimTime::ZERO,
            evicted_at: None,
            gone: false,
            pins: 0,
            recycled: false,
            restarts: 0,
            oom_kills: 0,
            memory_since: SimTime::ZERO,
            memory_leaked_from: 0.0,
            memory_of_requests: 0.0,
            ever_started: false,
            crash_loop: 0,
            started_at: SimTime::ZERO,
            hung: false,
            started: false,
            probing_since: SimTime::ZERO,
            readiness_triggered: false,
            probe_ready: false,
            killing: false,
            seen: [false; 3],
            seen_since: [SimTime::ZERO; 3],
            probe_origins: [SimTime::ZERO; 3],
            pulled_cold: false,
            unschedulable_reported: false,
            scheduling_attempts: 0,
            schedulable_after: SimTime::ZERO,
            cause: Cause::default(),
            hpa_listing: Default::default(),
            timer: engine.new_timer(),
            failure_timer: engine.new_timer(),
            liveness_timer: engine.new_timer(),
            readiness_timer: engine.new_timer(),
            hang_timer: engine.new_timer(),
            oom_timer: engine.new_timer(),
            termination_timer: engine.new_timer(),
        }
    }

    /// Every timer the pod holds, so that none is forgotten when they are
    /// cancelled or given back.
    pub fn timers(&self) -> [TimerId; 7] {
        [
            self.timer,
            self.failure_timer,
            self.liveness_timer,
            self.readiness_timer,
            self.hang_timer,
            self.oom_timer,
            self.termination_timer,
        ]
    }

    pub fn container_runs(&self) -> bool {
        matches!(self.container, Container::Starting | Container::Running)
    }

    /// What a request routed to this pod meets, if kube-proxy routes to it.
    pub fn endpoint_class(&self) -> Option<EndpointClass> {
        if !self.in_view {
            // `serving` in the EndpointSlice: Ready when deleted, and
            // still answering.
            let serving = self.serving_terminating
                && self.ready_when_deleted
                && !self.sigterm
                && !self.hung
                && !self.unreachable
                && self.container == Container::Running;
            return serving.then_some(EndpointClass::Serving);
        }
        if self.sigterm || self.unreachable {
            // The process refuses new connections, is gone, or is cut off.
            return Some(EndpointClass::Stale);
        }
        Some(match self.container {
            Container::Running if self.hung => EndpointClass::Hung,
            Container::Running if self.incompatible => EndpointClass::Incompatible,
            Container::Running => EndpointClass::Serving,
            Container::Starting => EndpointClass::NotStarted,
            Container::Stopped => EndpointClass::Stale,
        })
    }
}
