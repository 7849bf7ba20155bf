//! The scenario: what a user writes (YAML, [`file`]) and what the simulator
//! runs ([`Scenario`], validated, defaults resolved, names turned into
//! indices). Nothing downstream re-checks what is validated here.

mod autoscaling;
mod codes;
pub mod defaults;
mod error;
pub mod file;
mod overrides;
mod places;
pub mod schema;
mod validate;

pub use autoscaling::{
    Hpa, HpaBehavior, HpaMetric, NodeGroup, PolicyKind, ResourceName, ResourceTarget,
    ScalingPolicy, ScalingRules, SelectPolicy,
};
pub use codes::{Code, Severity};
pub use error::{Diagnostic, ScenarioError, Warnings, closest};
pub use overrides::{load_varied, load_with};

use crate::limits::{Limits, MAX_FILE_BYTES};
use crate::sim::{SimDuration, SimTime};
use crate::traffic::RateProfile;
use crate::units::{Distribution, IntOrPercent};

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub duration: SimDuration,
    /// The seed from the file, if it gives one.
    pub seed: Option<u64>,
    /// Start from empty nodes instead of the steady state.
    pub cold_start: bool,
    pub zones: Vec<String>,
    pub pools: Vec<String>,
    /// Per pool, the cluster autoscaler's node group, if it has one.
    pub node_groups: Vec<Option<NodeGroup>>,
    /// Every node the cluster can have: those of an autoscaled pool up to
    /// its `maxNodes`, the ones beyond its `count` not yet provisioned.
    pub nodes: Vec<NodeSpec>,
    pub settings: Settings,
    pub control_plane: ControlPlane,
    pub workloads: Vec<Workload>,
    pub faults: Vec<Fault>,
    pub rollouts: Vec<Rollout>,
    pub slo: Slo,
    /// What the checks found that Kubernetes accepts but that is likely a
    /// mistake; the commands print them, and the run goes on.
    pub warnings: Warnings,
}

/// A new version of a workload's pod template.
#[derive(Debug, Clone)]
pub struct Rollout {
    /// `At` or `Every`.
    pub trigger: Trigger,
    pub workload: usize,
    /// The new version's behaviour: the workload's, with the rollout's changes.
    pub app: App,
    pub breaks_previous_version: bool,
    pub rollback_on_failure: bool,
}

/// How a Deployment replaces its pods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    /// Surge and unavailability are resolved against `replicas` at each
    /// step: `maxSurge` rounds up, `maxUnavailable` down.
    RollingUpdate {
        max_surge: IntOrPercent,
        max_unavailable: IntOrPercent,
    },
    /// Every old pod is gone before the first new one is created.
    Recreate,
}

impl Strategy {
    /// `ResolveFenceposts`: the surge (rounded up) and the unavailability
    /// (rounded down) for `replicas`; if both are 0, one may be unavailable.
    pub fn fenceposts(self, replicas: u32) -> (u32, u32) {
        match self {
            Strategy::RollingUpdate {
                max_surge,
                max_unavailable,
            } => {
                let surge = max_surge.resolve(replicas, true);
                let unavailable = max_unavailable.resolve(replicas, false);
                if surge == 0 && unavailable == 0 {
                    (0, 1)
                } else {
                    (surge, unavailable)
                }
            }
            Strategy::Recreate => (0, replicas),
        }
    }
}

/// The control plane's replicated parts. The API is writable while at
/// least one API server runs and etcd has a quorum of ⌊n/2⌋ + 1 members.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlPlane {
    pub api_servers: u32,
    pub etcd_members: u32,
    /// A provider-run control plane, whose outages are drawn to match its SLA.
    pub managed: Option<Managed>,
    /// Stacked: every control-plane node also runs an etcd member.
    pub stacked: bool,
    /// Snapshots of etcd are taken at every multiple of this.
    pub backup_interval: Option<SimDuration>,
    pub restore_time: Distribution,
}

/// Outages of a managed control plane form an alternating renewal process:
/// up for an exponential time, down for a draw of `outage`, with the mean
/// up time chosen so that the long-run availability, up / (up + down), is
/// the SLA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Managed {
    pub sla: f64,
    pub outage: Distribution,
}

impl Managed {
    /// Mean time between outages: E[down] × SLA / (1 − SLA).
    pub fn mean_time_between_outages(&self) -> SimDuration {
        let down = self.outage.mean().as_secs_f64();
        SimDuration::from_secs_f64(down * self.sla / (1.0 - self.sla))
    }
}

impl ControlPlane {
    /// etcd's quorum: a majority of the members.
    pub fn etcd_quorum(&self) -> u32 {
        quorum(self.etcd_members)
    }
}

/// The components that run one active leader among replicas, each holding
/// a Lease in `kube-system`: the control plane's two, and the cluster
/// autoscaler, a Deployment on the workers with leader election on by
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaderComponent {
    ControllerManager,
    Scheduler,
    ClusterAutoscaler,
}

impl LeaderComponent {
    pub const ALL: [LeaderComponent; 3] = [
        LeaderComponent::ControllerManager,
        LeaderComponent::Scheduler,
        LeaderComponent::ClusterAutoscaler,
    ];

    /// The Lease's name, which is the component's.
    pub fn name(self) -> &'static str {
        match self {
            LeaderComponent::ControllerManager => "kube-controller-manager",
            LeaderComponent::Scheduler => "kube-scheduler",
            LeaderComponent::ClusterAutoscaler => "cluster-autoscaler",
        }
    }
}

/// ⌊n/2⌋ + 1: the members a Raft group needs to commit a write.
pub fn quorum(members: u32) -> u32 {
    members / 2 + 1
}

/// One node, named `<pool>-<n>` as the pool's nodes are numbered from 1.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub name: String,
    pub pool: usize,
    pub zone: usize,
    pub allocatable: Resources,
    /// Part of the cluster at t = 0; the others are the autoscaler's to add.
    pub initial: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// Controller and kubelet settings; see [`defaults`] for what each mirrors.
#[derive(Debug, Clone)]
pub struct Settings {
    pub node_monitor_grace_period: SimDuration,
    pub node_monitor_period: SimDuration,
    pub node_lease_duration: SimDuration,
    pub not_ready_toleration: SimDuration,
    pub unreachable_toleration: SimDuration,
    pub node_eviction_rate: f64,
    pub secondary_node_eviction_rate: f64,
    pub unhealthy_zone_threshold: f64,
    pub large_cluster_size_threshold: u32,
    pub endpoint_propagation_delay: SimDuration,
    pub hpa_sync_period: SimDuration,
    pub hpa_cpu_initialization_period: SimDuration,
    pub hpa_initial_readiness_delay: SimDuration,
    pub metric_resolution: SimDuration,
    pub scan_interval: SimDuration,
    pub scale_down_unneeded_time: SimDuration,
    pub scale_down_delay_after_add: SimDuration,
    pub scale_down_utilization_threshold: f64,
    pub max_node_provision_time: SimDuration,
}

impl Settings {
    /// How often a kubelet renews its node Lease.
    pub fn node_lease_renew_interval(&self) -> SimDuration {
        SimDuration::from_nanos(
            self.node_lease_duration.as_nanos() / defaults::NODE_LEASE_RENEW_FRACTION_DIVISOR,
        )
    }
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub replicas: u32,
    /// Endpoints that must serve for the workload to count as up.
    pub min_ready: u32,
    pub requests: Resources,
    /// `resources.limits`; zero where none is set.
    pub limits: Resources,
    pub startup_probe: Option<Probe>,
    pub readiness_probe: Option<Probe>,
    pub liveness_probe: Option<Probe>,
    /// From the start of a pod's termination to SIGKILL: the `preStop`
    /// hook and the app's own shutdown share it.
    pub termination_grace_period: SimDuration,
    /// How long the `preStop` hook runs before SIGTERM; zero without one.
    pub pre_stop: Distribution,
    pub strategy: Strategy,
    /// `minReadySeconds`: a Ready pod counts as available this much later.
    pub min_ready_seconds: SimDuration,
    /// `progressDeadlineSeconds`.
    pub progress_deadline: SimDuration,
    pub app: App,
    pub traffic: RateProfile,
    pub hpa: Option<Hpa>,
    pub disruption_budget: Option<DisruptionBudget>,
    /// `nodeSelector: {topology.kubernetes.io/zone: …}`: the one zone its
    /// pods may run in.
    pub zone: Option<usize>,
}

/// A PodDisruptionBudget over the workload's pods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DisruptionBudget {
    MinAvailable(IntOrPercent),
    MaxUnavailable(IntOrPercent),
}

impl DisruptionBudget {
    /// `status.desiredHealthy` of the disruption controller for this many
    /// expected pods: `minAvailable` (a percentage rounds up), or the
    /// expected count less `maxUnavailable` (a percentage rounds up too).
    pub fn desired_healthy(self, expected: u32) -> u32 {
        match self {
            DisruptionBudget::MinAvailable(n) => n.resolve(expected, true),
            DisruptionBudget::MaxUnavailable(n) => {
                expected.saturating_sub(n.resolve(expected, true))
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub handler: ProbeHandler,
    pub initial_delay: SimDuration,
    pub period: SimDuration,
    pub timeout: SimDuration,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    /// Overrides the pod's grace period when this (liveness or startup)
    /// probe kills the container.
    pub termination_grace_period: Option<SimDuration>,
}

/// The three probes of a container, named as in the Pod spec.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    Startup,
    Readiness,
    Liveness,
}

impl ProbeKind {
    /// Every kind, in the order a pod keeps its probers' state.
    pub const ALL: [ProbeKind; 3] = [
        ProbeKind::Startup,
        ProbeKind::Readiness,
        ProbeKind::Liveness,
    ];

    /// As the kubelet names it in `Unhealthy` events.
    pub fn name(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeHandler {
    HttpGet,
    TcpSocket,
    Exec,
    Grpc,
}

#[derive(Debug, Clone)]
pub struct App {
    pub crash_on_start: bool,
    pub image_pull: Distribution,
    pub startup: Distribution,
    pub service_time: Distribution,
    /// How `--exact` draws a request's service time around `service_time`.
    pub service_time_shape: crate::traffic::ServiceTimeShape,
    pub cpu_per_request: SimDuration,
    pub memory: AppMemory,
}

impl Workload {
    /// The pods' QoS class, from their requests and limits: Guaranteed when
    /// CPU and memory limits are set and equal the requests, BestEffort when
    /// nothing is set, Burstable otherwise.
    pub fn qos_class(&self) -> &'static str {
        let (r, l) = (self.requests, self.limits);
        if l.cpu_millis > 0 && l.memory_bytes > 0 && r == l {
            "Guaranteed"
        } else if r == Resources::default() && l == Resources::default() {
            "BestEffort"
        } else {
            "Burstable"
        }
    }
}

/// Bytes: at start, leaked per hour, and per request in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppMemory {
    pub base_bytes: f64,
    pub leak_per_hour_bytes: f64,
    pub per_request_bytes: f64,
}

#[derive(Debug, Clone)]
pub struct Fault {
    /// Names the fault's random stream, so that adding a fault never shifts
    /// another's draws.
    pub stream: String,
    pub trigger: Trigger,
    pub kind: FaultKind,
}

#[derive(Debug, Clone)]
pub enum Trigger {
    At(SimTime),
    Every {
        first: SimTime,
        period: SimDuration,
    },
    /// Each target object fails on its own, after a time to failure drawn
    /// from this distribution while it runs.
    Mtbf(Distribution),
}

#[derive(Debug, Clone)]
pub enum FaultKind {
    PodCrash {
        workload: usize,
        count: u32,
    },
    AppHang {
        workload: usize,
        count: u32,
        recover_after: Option<Distribution>,
    },
    MemoryLeak {
        workload: usize,
        leak_per_hour_bytes: f64,
        recover_after: Option<Distribution>,
    },
    /// `count` API servers (all of them with `None`) stop for `duration`.
    ApiServerDown {
        count: Option<u32>,
        duration: Distribution,
    },
    EtcdMemberDown {
        count: Option<u32>,
        duration: Distribution,
    },
    /// The leader fails over: no controllers (or no scheduling) until a
    /// replica holds the lease again.
    LeaderCrash {
        component: LeaderComponent,
    },
    ControlPlaneNodeCrash {
        duration: Distribution,
    },
    /// etcd's leader goes; no write commits until a new one is elected.
    EtcdLeaderLoss,
    /// Every etcd member and its data: the cluster is restored from the last
    /// snapshot, losing the writes made since.
    EtcdLoss,
    NodeCrash {
        target: NodeTarget,
        count: u32,
        recover_after: Option<Distribution>,
    },
    /// `kubectl drain` of `count` nodes.
    NodeDrain {
        target: NodeTarget,
        count: u32,
        uncordon_after: Option<Distribution>,
    },
    /// `count` nodes are cut off from the control plane, their kubelets and
    /// pods running on.
    NodePartition {
        target: NodeTarget,
        count: u32,
        recover_after: Option<Distribution>,
        traffic_reachable: bool,
    },
    /// The workload's request rate is multiplied for a while.
    TrafficSpike {
        workload: usize,
        multiplier: f64,
        duration: Distribution,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeTarget {
    Node(usize),
    Pool(usize),
    Zone(usize),
    Any,
}

/// The `count` of a node fault that takes every node it targets: a
/// `zoneOutage`'s.
pub const EVERY_NODE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub struct Slo {
    pub request_availability: Option<f64>,
    pub uptime: Option<f64>,
    pub max_dropped_in_flight: Option<u64>,
    pub max_outage: Option<SimDuration>,
    /// `violated` for a pitfall: the scenario exists to show the SLO missed.
    pub expect: file::SloExpectation,
}

impl Slo {
    pub fn is_empty(&self) -> bool {
        self.request_availability.is_none()
            && self.uptime.is_none()
            && self.max_dropped_in_flight.is_none()
            && self.max_outage.is_none()
    }
}

impl Scenario {
    /// The probe of this kind, if the workload has one.
    pub fn probe(workload: &Workload, kind: ProbeKind) -> Option<&Probe> {
        match kind {
            ProbeKind::Startup => workload.startup_probe.as_ref(),
            ProbeKind::Readiness => workload.readiness_probe.as_ref(),
            ProbeKind::Liveness => workload.liveness_probe.as_ref(),
        }
    }

    pub fn workload_index(&self, name: &str) -> Option<usize> {
        self.workloads.iter().position(|w| w.name == name)
    }

    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }
}

/// Reads and validates a scenario file, held to the default [`Limits`].
pub fn load(path: &std::path::Path) -> Result<Scenario, ScenarioError> {
    let text = read(path)?;
    parse(&text, &path.display().to_string())
}

/// Parses and validates scenario text, held to the default [`Limits`];
/// `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    parse_with(text, file, &Limits::DEFAULT)
}

/// Parses and validates scenario text, held to `limits`.
pub fn parse_with(text: &str, file: &str, limits: &Limits) -> Result<Scenario, ScenarioError> {
    validate::parse(text, file, limits)
}

/// The text of a scenario file, refused past [`MAX_FILE_BYTES`] without
/// reading further, so that no path (a FIFO, `/dev/zero`) is read for ever.
fn read(path: &std::path::Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let file = path.display().to_string();
    let io = |source| ScenarioError::Io {
        file: file.clone(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ScenarioError::one(
            &file,
            Code::ReaderBudget,
            "",
            format!(
                "the file is larger than {} MiB: a scenario is kilobytes of YAML",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        // Where the text stops being UTF-8, as a line and a column.
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        ScenarioError::Invalid {
            file: file.clone(),
            source_text: String::new(),
            diagnostics: vec![Diagnostic {
                line: Some(line as u64),
                column: Some(column as u64),
                ..Diagnostic::new(
                    Code::Syntax,
                    "",
                    "the file is not UTF-8 text: a scenario is a YAML text file",
                )
            }],
            not_shown: 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(requests: Resources, limits: Resources) -> Workload {
        let s = parse(
            "name: t\nduration: 1h\ncluster: { nodePools: [ { name: w, count: 1, allocatable: { cpu: \"1\", memory: 1Gi } } ] }\nworkloads: [ { name: web, replicas: 1 } ]\n",
            "t.yaml",
        )
        .expect("valid");
        Workload {
            requests,
            limits,
            ..s.workloads[0].clone()
        }
    }

    #[test]
    fn qos_class_follows_kubernetes_rules() {
        let some = Resources {
            cpu_millis: 500,
            memory_bytes: 1 << 28,
        };
        let more = Resources {
            cpu_millis: 1000,
            ..some
        };
        assert_eq!(workload(some, some).qos_class(), "Guaranteed");
        assert_eq!(workload(some, more).qos_class(), "Burstable");
        assert_eq!(
            workload(some, Resources::default()).qos_class(),
            "Burstable"
        );
        let none = Resources::default();
        assert_eq!(workload(none, none).qos_class(), "BestEffort");
    }
}
