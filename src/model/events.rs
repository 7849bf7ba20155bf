//! Every event of the model, each with who schedules it and who handles it.
//! The engine orders them by time, then by the order they were scheduled.

use super::{ControlPlaneComponent, NodeId, PodId, ZoneId};
use crate::scenario::{LeaderComponent, ProbeKind};

#[derive(Copy, Clone, Debug, PartialEq)]
pub enum ModelEvent {
    /// kubelet → itself (pod timer): the image is present and the
    /// container process starts.
    ContainerStarted { pod: PodId },
    /// kubelet → itself (pod timer): the app finished its startup and answers.
    AppStarted { pod: PodId },
    /// kubelet prober → pod status (readiness timer): the readiness probe
    /// has passed `successThreshold` times in a row.
    ReadinessProbeSucceeded { pod: PodId },
    /// kubelet prober → pod status (readiness timer): the readiness probe
    /// has failed `failureThreshold` times in a row.
    ReadinessProbeFailed { pod: PodId },
    /// kubelet prober → itself (liveness timer): the startup probe passed;
    /// the liveness and readiness probes take over.
    StartupProbeSucceeded { pod: PodId },
    /// kubelet prober → kubelet (liveness timer): the liveness or startup
    /// probe failed `failureThreshold` times in a row; the container is killed.
    ProbeKilled { pod: PodId, probe: ProbeKind },
    /// kubelet → container (termination timer): the `preStop` hook of a
    /// deleted pod is done; SIGTERM follows.
    PreStopDone { pod: PodId },
    /// container → kubelet (termination timer): a deleted pod's container
    /// exited after SIGTERM, or was SIGKILLed at the end of the grace period.
    ContainerTerminated { pod: PodId, killed: bool },
    /// kubelet → container (pod timer): the grace period after SIGTERM is
    /// over and a container still running gets SIGKILL.
    ContainerKilled { pod: PodId },
    /// kubelet eviction manager → node (pressure timer): the containers hold
    /// more memory than the node's allocatable; one pod is evicted.
    NodeMemoryPressure { node: NodeId },
    /// kubelet → node (memory pressure timer): no pressure seen for
    /// `evictionPressureTransitionPeriod`; the condition clears.
    MemoryPressureEnds { node: NodeId },
    /// fault injector → control plane (clock timer): one more API server or
    /// etcd member fails, from a stochastic fault.
    ControlPlaneFailureDue { fault: usize },
    /// fault injector → control plane (one-shot): stopped API servers or
    /// etcd members run again.
    ControlPlaneInstancesBack {
        component: ControlPlaneComponent,
        count: u32,
    },
    /// operators → etcd (one-shot): the snapshot taken at `snapshot` is
    /// restored on new members and the control plane runs again.
    EtcdRestored { snapshot: crate::sim::SimTime },
    /// etcd followers → etcd (one-shot): a new Raft leader is elected.
    EtcdLeaderElected,
    /// standby replica → lease (one-shot): it acquires the expired lease and
    /// leads.
    LeaderElected { component: LeaderComponent },
    /// leaders → their leases (renew-deadline timer): the API has been
    /// unwritable for `--leader-elect-renew-deadline`; the leaders give up.
    LeaseRenewDeadline,
    /// provider → control plane (one-shot): a managed control plane's outage
    /// begins.
    ManagedOutage,
    /// kernel → container (OOM timer): its memory reached the limit.
    OomKilled { pod: PodId },
    /// fault injector → workload (one-shot): a `memoryLeak` ends.
    MemoryLeakEnds {
        workload: usize,
        bytes_per_hour: f64,
    },
    /// fault injector → Service (one-shot): a `trafficSpike` is over.
    TrafficSpikeEnds { workload: usize, multiplier: f64 },
    /// traffic → workload (load timer): the load per endpoint crosses a level
    /// where a probe's verdict or the memory of requests in flight changes.
    LoadCrossing { workload: usize },
    /// cluster autoscaler → itself (scan timer): a scan of pending pods and
    /// unneeded nodes.
    ClusterAutoscalerScan,
    /// cloud → cluster (one-shot): a machine the autoscaler asked for boots
    /// and its kubelet registers the Node.
    NodeRegistered { node: NodeId },
    /// cluster autoscaler → itself (one-shot): the node did not register
    /// within `maxNodeProvisionTime`.
    NodeProvisioningFailed { node: NodeId },
    /// operator or pipeline → Deployment (one-shot): a new version's
    /// template is applied.
    RolloutStarts { rollout: usize },
    /// Deployment controller → itself (one-shot): a pod of a workload with
    /// a rollout in progress changed, or became available.
    DeploymentSync { workload: usize },
    /// Deployment controller → itself (progress timer): no progress for
    /// `progressDeadlineSeconds`.
    ProgressDeadline { workload: usize },
    /// kubectl drain → Eviction API (one-shot): refused evictions are tried again.
    EvictionRetry { node: NodeId },
    /// operator → node (one-shot): `kubectl uncordon` after a drain.
    Uncordon { node: NodeId },
    /// HPA controller → itself (HPA timer): a sync of the workload's HPA.
    HpaSync { workload: usize },
    /// fault injector → app (hang timer): a hung app answers again.
    AppRecovers { pod: PodId },
    /// kubelet → itself (pod timer): the CrashLoopBackOff delay is over and
    /// the container restarts.
    BackOffExpired { pod: PodId },
    /// EndpointSlice controller → kube-proxy: a pod's Ready change reaches the
    /// rules traffic is routed by, `endpointPropagationDelay` after the API saw it.
    EndpointPropagated { pod: PodId, ready: bool },
    /// kube-scheduler → itself (scheduler timer): a pending pod's back-off
    /// is over while capacity has appeared meanwhile.
    SchedulingBackOffExpired,
    /// node lifecycle controller → itself (node timer): a monitor pass finds
    /// the node's Lease older than `nodeMonitorGracePeriod`.
    NodeMonitorGracePeriodExceeded { node: NodeId },
    /// node lifecycle controller → itself (node timer): a monitor pass sees
    /// the Ready status the restarted kubelet posted.
    NodeReadyObserved { node: NodeId },
    /// node lifecycle controller → itself (zone timer): the zone's rate
    /// limiter lets one more node receive the NoExecute taint.
    ZoneTaintPass { zone: ZoneId },
    /// taint-eviction controller → itself (node toleration timer): the pods'
    /// `tolerationSeconds` for the node's NoExecute taint ran out.
    TolerationExpired { node: NodeId },
    /// traffic → Service (one-shot): a rate step; the load per endpoint changes.
    RateChanged { workload: usize },
    /// Service → itself (arrival timer, exact mode): the next request.
    RequestArrives { workload: usize },
    /// pod → Service (exact mode): a request's answer, `after` its arrival,
    /// unless the container it ran in stopped meanwhile (`incarnation`).
    /// The endpoint is the pod's uid, which outlives the pod.
    RequestAnswered {
        workload: usize,
        endpoint: usize,
        incarnation: u32,
        after: crate::sim::SimDuration,
    },
    /// fault injector → world: a scheduled (`at`/`every`) fault fires.
    FaultFires { fault: usize },
    /// fault injector → pod (pod failure timer): a stochastic pod crash is due.
    PodFailureDue { pod: PodId, fault: usize },
    /// fault injector → node (node failure timer): a stochastic node crash is due.
    NodeFailureDue { node: NodeId, fault: usize },
    /// fault injector → node (node recovery timer): the crashed node boots
    /// and its kubelet starts.
    NodeRecovers { node: NodeId },
}
