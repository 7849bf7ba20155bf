//! The scenario file as written: serde types that mirror the YAML one to one
//! (camelCase, unknown fields rejected). Nothing here is validated beyond
//! what a value's own type checks; [`super::validate`] turns it into a
//! [`super::Scenario`].

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::units::{
    Cpu, Distribution, Duration, IntOrPercent, Memory, Percent, PositiveDuration, Quantity, Rate,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioFile {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub duration: Spanned<PositiveDuration>,
    pub seed: Option<u64>,
    #[serde(default)]
    pub cold_start: bool,
    pub cluster: ClusterSpec,
    pub workloads: Vec<WorkloadSpec>,
    #[serde(default)]
    pub traffic: Vec<TrafficSpec>,
    #[serde(default)]
    pub faults: Vec<Spanned<FaultSpec>>,
    #[serde(default)]
    pub rollouts: Vec<Spanned<RolloutSpec>>,
    pub slo: Option<SloSpec>,
}

/// A new version of a workload shipped: its Deployment's template changes
/// (`kubectl set image`, a CI pipeline), once (`at`) or repeatedly (`every`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RolloutSpec {
    pub at: Option<Duration>,
    pub every: Option<PositiveDuration>,
    pub workload: Spanned<String>,
    /// What changes in the new version's behaviour.
    #[serde(default)]
    pub app: AppSpec,
    /// A migration run as the rollout starts breaks the old version: its
    /// pods fail requests (`incompatible`) until replaced.
    #[serde(default)]
    pub breaks_previous_version: bool,
    /// A pipeline that rolls back (`kubectl rollout undo`) when the
    /// Deployment reports `ProgressDeadlineExceeded`.
    #[serde(default)]
    pub rollback_on_failure: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    pub control_plane: Option<ControlPlaneSpec>,
    pub node_pools: Vec<NodePoolSpec>,
    #[serde(default)]
    pub settings: SettingsSpec,
}

/// The API servers and etcd members; `managed` is parsed and checked, and
/// modelled in a later version.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneSpec {
    pub api_servers: Option<u32>,
    pub etcd_members: Option<u32>,
    pub topology: Option<Topology>,
    pub managed: Option<ManagedSpec>,
    /// `etcdctl snapshot save` every this long; without it a lost etcd
    /// cannot be restored.
    pub backup_interval: Option<PositiveDuration>,
    /// From the loss of etcd to a restored, running control plane.
    pub restore_time: Option<Distribution>,
}

/// kubeadm's two layouts: `stacked` puts an etcd member on every
/// control-plane node, `external` runs etcd on hosts of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Topology {
    Stacked,
    External,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedSpec {
    pub sla: Percent,
    /// How long one outage lasts; the time between outages follows from
    /// the SLA.
    pub outage: Option<Distribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePoolSpec {
    pub name: Spanned<String>,
    pub count: Spanned<u32>,
    pub zones: Option<Spanned<Vec<String>>>,
    pub allocatable: Spanned<ResourceList>,
    /// The cluster autoscaler's bounds for this pool's node group.
    pub autoscaling: Option<Spanned<NodeGroupSpec>>,
    /// From the autoscaler's request to a Ready node.
    pub provisioning_time: Option<Distribution>,
}

/// A node group of the cluster autoscaler (`--nodes=min:max:pool`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeGroupSpec {
    pub min_nodes: Spanned<u32>,
    pub max_nodes: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceList {
    pub cpu: Option<Cpu>,
    pub memory: Option<Memory>,
}

/// Controller and kubelet settings, each named after its Kubernetes flag or
/// field; absent ones take Kubernetes' defaults ([`super::defaults`]).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsSpec {
    pub node_monitor_grace_period: Option<PositiveDuration>,
    pub node_monitor_period: Option<PositiveDuration>,
    pub node_lease_duration: Option<PositiveDuration>,
    pub not_ready_toleration_seconds: Option<u64>,
    pub unreachable_toleration_seconds: Option<u64>,
    pub node_eviction_rate: Option<f64>,
    pub secondary_node_eviction_rate: Option<f64>,
    pub unhealthy_zone_threshold: Option<f64>,
    pub large_cluster_size_threshold: Option<u32>,
    pub endpoint_propagation_delay: Option<Duration>,
    pub horizontal_pod_autoscaler_sync_period: Option<PositiveDuration>,
    pub horizontal_pod_autoscaler_tolerance: Option<f64>,
    pub horizontal_pod_autoscaler_downscale_stabilization: Option<Duration>,
    pub horizontal_pod_autoscaler_cpu_initialization_period: Option<Duration>,
    pub horizontal_pod_autoscaler_initial_readiness_delay: Option<Duration>,
    /// metrics-server `--metric-resolution`.
    pub metric_resolution: Option<PositiveDuration>,
    /// cluster-autoscaler flags.
    pub scan_interval: Option<PositiveDuration>,
    pub scale_down_unneeded_time: Option<Duration>,
    pub scale_down_delay_after_add: Option<Duration>,
    pub scale_down_utilization_threshold: Option<f64>,
    pub max_node_provision_time: Option<PositiveDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadSpec {
    pub name: Spanned<String>,
    pub replicas: Spanned<u32>,
    pub min_ready: Option<Spanned<u32>>,
    pub resources: Option<Spanned<ResourcesSpec>>,
    pub startup_probe: Option<Spanned<ProbeSpec>>,
    pub readiness_probe: Option<Spanned<ProbeSpec>>,
    pub liveness_probe: Option<Spanned<ProbeSpec>>,
    pub termination_grace_period_seconds: Option<u32>,
    pub lifecycle: Option<LifecycleSpec>,
    /// The Deployment's `strategy`.
    pub strategy: Option<Spanned<StrategySpec>>,
    pub min_ready_seconds: Option<u32>,
    pub progress_deadline_seconds: Option<Spanned<u32>>,
    pub restart_policy: Option<Spanned<RestartPolicy>>,
    #[serde(default)]
    pub app: AppSpec,
    /// A HorizontalPodAutoscaler's spec on the workload's Deployment.
    pub autoscaling: Option<Spanned<HpaSpec>>,
    /// A PodDisruptionBudget selecting the workload's pods.
    pub disruption_budget: Option<Spanned<DisruptionBudgetSpec>>,
    /// The pod's `nodeSelector`; the model's nodes carry the
    /// `topology.kubernetes.io/zone` label.
    pub node_selector: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// `HorizontalPodAutoscalerSpec` (autoscaling/v2) without `scaleTargetRef`:
/// the workload is the target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaSpec {
    pub min_replicas: Option<Spanned<u32>>,
    pub max_replicas: Spanned<u32>,
    pub metrics: Option<Vec<Spanned<MetricSpec>>>,
    pub behavior: Option<HpaBehaviorSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MetricSourceType {
    Resource,
    Pods,
    Object,
    External,
    ContainerResource,
}

/// `MetricSpec`: a `type` and the source of that type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricSpec {
    #[serde(rename = "type")]
    pub kind: MetricSourceType,
    pub resource: Option<ResourceMetricSource>,
    pub pods: Option<PodsMetricSource>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceMetricSource {
    pub name: String,
    pub target: MetricTarget,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodsMetricSource {
    pub metric: MetricIdentifier,
    pub target: MetricTarget,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricIdentifier {
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MetricTargetType {
    Utilization,
    AverageValue,
    Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricTarget {
    #[serde(rename = "type")]
    pub kind: MetricTargetType,
    pub average_utilization: Option<u32>,
    pub average_value: Option<Quantity>,
    pub value: Option<Quantity>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaBehaviorSpec {
    pub scale_up: Option<ScalingRulesSpec>,
    pub scale_down: Option<ScalingRulesSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingRulesSpec {
    pub stabilization_window_seconds: Option<Spanned<u32>>,
    pub select_policy: Option<SelectPolicySpec>,
    pub policies: Option<Vec<Spanned<ScalingPolicySpec>>>,
    pub tolerance: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SelectPolicySpec {
    Max,
    Min,
    Disabled,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingPolicySpec {
    #[serde(rename = "type")]
    pub kind: PolicyTypeSpec,
    pub value: u32,
    pub period_seconds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PolicyTypeSpec {
    Pods,
    Percent,
}

/// `PodDisruptionBudgetSpec`: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DisruptionBudgetSpec {
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesSpec {
    pub requests: Option<ResourceList>,
    pub limits: Option<ResourceList>,
}

/// `DeploymentStrategy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StrategySpec {
    #[serde(rename = "type")]
    pub kind: Option<StrategyType>,
    pub rolling_update: Option<RollingUpdateSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum StrategyType {
    RollingUpdate,
    Recreate,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RollingUpdateSpec {
    pub max_surge: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

/// The container's `lifecycle`; only `preStop` matters to availability.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifecycleSpec {
    pub pre_stop: Option<Spanned<PreStopSpec>>,
}

/// A `preStop` handler: the native `sleep` action, or an `exec` whose
/// command takes `duration` (the model's addition: how long it runs).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreStopSpec {
    pub sleep: Option<SleepAction>,
    pub exec: Option<PreStopExec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SleepAction {
    pub seconds: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreStopExec {
    pub command: Vec<String>,
    pub duration: Option<Distribution>,
}

/// The Pod's `restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

/// A container probe as in a Pod manifest, so one can be pasted in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeSpec {
    pub http_get: Option<HttpGetAction>,
    pub tcp_socket: Option<TcpSocketAction>,
    pub exec: Option<ExecAction>,
    pub grpc: Option<GrpcAction>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: Option<Spanned<u32>>,
    pub timeout_seconds: Option<Spanned<u32>>,
    pub success_threshold: Option<Spanned<u32>>,
    pub failure_threshold: Option<Spanned<u32>>,
    pub termination_grace_period_seconds: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpGetAction {
    pub path: Option<String>,
    pub port: PortSpec,
    pub host: Option<String>,
    pub scheme: Option<String>,
    pub http_headers: Option<Vec<HttpHeader>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpSocketAction {
    pub port: PortSpec,
    pub host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecAction {
    pub command: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcAction {
    pub port: u16,
    pub service: Option<String>,
}

/// A port number or a named container port, as Kubernetes' IntOrString.
#[derive(Debug)]
pub enum PortSpec {
    Number(u16),
    Name(String),
}

impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        use std::fmt;

        struct PortVisitor;
        impl Visitor<'_> for PortVisitor {
            type Value = PortSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a port number (1 to 65535) or a named container port")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PortSpec, E> {
                match u16::try_from(v) {
                    Ok(port) if port > 0 => Ok(PortSpec::Number(port)),
                    _ => Err(E::custom(format!("port `{v}` is not between 1 and 65535"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PortSpec, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => Err(E::custom(format!("port `{v}` is not between 1 and 65535"))),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PortSpec, E> {
                // IANA_SVC_NAME: at most 15 lowercase letters, digits and `-`.
                let valid = !v.is_empty()
                    && v.len() <= 15
                    && v.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && v.bytes().any(|b| b.is_ascii_lowercase());
                if valid {
                    Ok(PortSpec::Name(v.to_string()))
                } else {
                    Err(E::custom(format!(
                        "`{v}` is not a port name: up to 15 lowercase letters, digits and `-`"
                    )))
                }
            }
        }
        deserializer.deserialize_any(PortVisitor)
    }
}

/// How the software behaves: what Kubernetes cannot know and the user must say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppSpec {
    /// The app exits with an error as soon as it has started: a broken release.
    #[serde(default)]
    pub crash_on_start: bool,
    pub image_pull: Option<Distribution>,
    pub startup: Option<Distribution>,
    pub service_time: Option<Distribution>,
    /// How `--exact` draws each request's service time.
    pub service_time_distribution: Option<crate::traffic::ServiceTimeShape>,
    pub cpu_per_request: Option<Duration>,
    pub memory: Option<MemorySpec>,
}

/// The app's memory: `base` at start, growing by `leakPerHour`, plus
/// `perRequest` for each request in flight.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemorySpec {
    pub base: Option<Memory>,
    pub leak_per_hour: Option<Memory>,
    pub per_request: Option<Memory>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrafficSpec {
    pub workload: Spanned<String>,
    pub rate: Spanned<RateSpec>,
}

/// A constant rate (`300`, `"300/s"`) or a profile over time.
#[derive(Debug)]
pub enum RateSpec {
    Constant(Rate),
    Steps(Vec<RateStep>),
    Ramp(RampSpec),
    Diurnal(DiurnalSpec),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RateProfileSpec {
    steps: Option<Vec<RateStep>>,
    ramp: Option<RampSpec>,
    diurnal: Option<DiurnalSpec>,
}

/// `from` until `at`, then a straight line to `to` over `over`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RampSpec {
    pub from: Rate,
    pub to: Rate,
    pub at: Option<Duration>,
    pub over: Duration,
}

/// A daily cycle: a cosine from `min` up to `max` at `peakAt` (time of
/// day) and back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiurnalSpec {
    pub min: Rate,
    pub max: Rate,
    pub peak_at: Duration,
    pub period: Option<PositiveDuration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateStep {
    pub at: Spanned<Duration>,
    pub rate: Rate,
}

impl<'de> Deserialize<'de> for RateSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
        use std::fmt;

        struct RateSpecVisitor;
        impl<'de> Visitor<'de> for RateSpecVisitor {
            type Value = RateSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a rate in requests per second (`300`, `\"300/s\"`), `{steps: [...]}`, \
                     `{ramp: {...}}` or `{diurnal: {...}}`",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RateSpec, E> {
                Rate::deserialize(v.into_deserializer()).map(RateSpec::Constant)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RateSpec, E> {
                Rate::deserialize(v.into_deserializer()).map(RateSpec::Constant)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RateSpec, E> {
                Rate::deserialize(v.into_deserializer()).map(RateSpec::Constant)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RateSpec, E> {
                Rate::deserialize(v.into_deserializer()).map(RateSpec::Constant)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RateSpec, A::Error> {
                let profile =
                    RateProfileSpec::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (profile.steps, profile.ramp, profile.diurnal) {
                    (Some(steps), None, None) => Ok(RateSpec::Steps(steps)),
                    (None, Some(ramp), None) => Ok(RateSpec::Ramp(ramp)),
                    (None, None, Some(diurnal)) => Ok(RateSpec::Diurnal(diurnal)),
                    _ => Err(de::Error::custom(
                        "a rate profile needs exactly one of `steps`, `ramp` or `diurnal`",
                    )),
                }
            }
        }
        deserializer.deserialize_any(RateSpecVisitor)
    }
}

/// One fault: when it fires (`at`, `every`, or the kind's own `mtbf`) and
/// exactly one kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultSpec {
    /// A stable name for the fault's random stream; defaults to its position.
    pub name: Option<String>,
    pub at: Option<Duration>,
    pub every: Option<PositiveDuration>,
    pub pod_crash: Option<PodCrashSpec>,
    pub app_hang: Option<AppHangSpec>,
    pub memory_leak: Option<MemoryLeakSpec>,
    pub node_crash: Option<NodeCrashSpec>,
    pub api_server_down: Option<ControlPlaneFaultSpec>,
    pub etcd_member_down: Option<ControlPlaneFaultSpec>,
    pub controller_manager_crash: Option<LeaderCrashSpec>,
    pub scheduler_crash: Option<LeaderCrashSpec>,
    pub control_plane_node_crash: Option<ControlPlaneNodeCrashSpec>,
    pub etcd_leader_loss: Option<LeaderCrashSpec>,
    pub etcd_loss: Option<LeaderCrashSpec>,
    pub traffic_spike: Option<TrafficSpikeSpec>,
    pub node_drain: Option<NodeDrainSpec>,
    pub node_partition: Option<NodePartitionSpec>,
    pub zone_outage: Option<ZoneOutageSpec>,
}

/// `kubectl drain`: cordon, then evict every pod through the Eviction API,
/// which honours PodDisruptionBudgets; optionally uncordon after the
/// maintenance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeDrainSpec {
    pub node: Option<Spanned<String>>,
    pub pool: Option<Spanned<String>>,
    pub zone: Option<Spanned<String>>,
    pub count: Option<Spanned<u32>>,
    pub uncordon_after: Option<Distribution>,
}

/// The node runs on but the control plane cannot reach it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePartitionSpec {
    pub node: Option<Spanned<String>>,
    pub pool: Option<Spanned<String>>,
    pub zone: Option<Spanned<String>>,
    pub count: Option<Spanned<u32>>,
    pub recover_after: Option<Distribution>,
    /// Whether clients and the load balancer can still reach its pods.
    #[serde(default)]
    pub traffic_reachable: bool,
}

/// Every node of a zone goes at once: a power or network failure.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ZoneOutageSpec {
    pub zone: Spanned<String>,
    pub recover_after: Option<Distribution>,
    /// The nodes keep running, cut off from the control plane and from
    /// clients, instead of going down.
    #[serde(default)]
    pub partition: bool,
}

/// The workload's request rate is multiplied by `multiplier` for
/// `duration` (a launch, a retry storm, a bot).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrafficSpikeSpec {
    pub workload: Spanned<String>,
    pub multiplier: Spanned<f64>,
    pub duration: Distribution,
    pub mtbf: Option<Mtbf>,
}

/// The leader of kube-controller-manager or kube-scheduler crashes; a
/// standby (or the restarted process) takes over once the lease expires.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LeaderCrashSpec {}

/// The control-plane node that hosts the leaders stops: its API server, its
/// controller-manager and scheduler, and (stacked) its etcd member.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneNodeCrashSpec {
    pub duration: Distribution,
}

/// Some (`count`, default 1) or every (`all: true`) API server or etcd
/// member stops for `duration`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneFaultSpec {
    pub count: Option<Spanned<u32>>,
    #[serde(default)]
    pub all: bool,
    pub duration: Distribution,
    /// Each instance fails on its own, this long apart on average.
    pub mtbf: Option<Mtbf>,
}

/// From `at` on, every container of the workload leaks this much more
/// memory per hour (a bug shipped, a cache without a bound).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemoryLeakSpec {
    pub workload: Spanned<String>,
    pub leak_per_hour: Memory,
    pub recover_after: Option<Distribution>,
}

/// The app stops answering while its process lives and its port stays open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppHangSpec {
    pub workload: Spanned<String>,
    pub count: Option<Spanned<u32>>,
    pub mtbf: Option<Mtbf>,
    pub recover_after: Option<Distribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodCrashSpec {
    pub workload: Spanned<String>,
    pub count: Option<Spanned<u32>>,
    pub mtbf: Option<Mtbf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeCrashSpec {
    pub node: Option<Spanned<String>>,
    pub pool: Option<Spanned<String>>,
    pub zone: Option<Spanned<String>>,
    pub count: Option<Spanned<u32>>,
    pub mtbf: Option<Mtbf>,
    #[serde(alias = "repair")]
    pub recover_after: Option<Distribution>,
}

/// Mean time between failures of each target: a plain duration is the mean
/// of an exponential (memoryless) time to failure; a distribution gives the
/// time to failure itself.
#[derive(Debug)]
pub struct Mtbf(pub Distribution);

impl<'de> Deserialize<'de> for Mtbf {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let distribution = Distribution::deserialize(deserializer)?;
        Ok(Mtbf(match distribution {
            Distribution::Fixed(mean) if mean.is_zero() => {
                return Err(serde::de::Error::custom(
                    "an mtbf must be greater than zero, got `0s`",
                ));
            }
            Distribution::Fixed(mean) => Distribution::Exponential { mean },
            other => other,
        }))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SloSpec {
    pub request_availability: Option<Percent>,
    pub uptime: Option<Percent>,
    pub max_dropped_in_flight: Option<u64>,
    pub max_outage: Option<Duration>,
    #[serde(default)]
    pub expect: SloExpectation,
}

/// Whether the scenario should meet its SLO, or demonstrates a pitfall
/// that violates it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SloExpectation {
    #[default]
    Met,
    Violated,
}
