//! The scenario file as written: serde types that mirror the YAML one to one
//! (camelCase, unknown fields rejected). Nothing here is validated beyond
//! what a value's own type checks; [`super::validate`] turns it into a
//! [`super::Scenario`].
//!
//! The same types derive the JSON Schema that `nines schema` prints
//! ([`super::schema`]), so every doc comment on a field is also the
//! description an editor shows for it: each says the field's unit, its
//! default and the Kubernetes flag or field it mirrors, and its
//! constraints. A located value (`Spanned<T>`) is described as its `T`.
//! Defaults that are a plain value are also given as the schema's
//! `default`, which a test checks against the loader.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::units::{
    Cpu, Distribution, Duration, IntOrPercent, Memory, Percent, PositiveDuration, Quantity, Rate,
};

/// # nines scenario
///
/// A failure scenario for `nines`: a cluster, the workloads that run on it,
/// the traffic they serve, the faults that hit them, and the SLO to check.
/// Keys are camelCase and follow Kubernetes where Kubernetes has the
/// concept; an unknown key is an error.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioFile {
    /// The scenario's name in reports and in `nines check`'s JUnit XML.
    /// Required; must not be empty.
    #[schemars(with = "String", extend("examples" = ["node-loss"]))]
    pub name: Spanned<String>,
    /// Printed at the top of the text report. Default: `""`.
    #[serde(default)]
    pub description: String,
    /// Simulated time. Required; greater than zero and at most 100 years of
    /// 365 days (`36500d`).
    #[schemars(with = "PositiveDuration", extend("examples" = ["1h", "30d"]))]
    pub duration: Spanned<PositiveDuration>,
    /// The master random seed, 0 to 2⁶⁴ − 1; every random stream is derived
    /// from it. Default: 1. `nines run --seed N` overrides it.
    #[schemars(extend("examples" = [42]))]
    pub seed: Option<u64>,
    /// Start from empty nodes (every image pulled, every pod started)
    /// instead of the steady state. Default: `false`.
    #[serde(default)]
    pub cold_start: bool,
    /// The nodes, the control plane and the controllers' settings. Required.
    pub cluster: ClusterSpec,
    /// What runs: each workload is a Deployment with a Service in front of
    /// it. Required; at least 1, at most 1,000.
    pub workloads: Vec<WorkloadSpec>,
    /// The requests sent to each workload; a workload with no entry gets
    /// none. Default: `[]`.
    #[serde(default)]
    pub traffic: Vec<TrafficSpec>,
    /// What goes wrong, and when. Default: `[]`; at most 10,000.
    #[serde(default)]
    #[schemars(with = "Vec<FaultSpec>")]
    pub faults: Vec<Spanned<FaultSpec>>,
    /// New versions of the workloads shipped during the run. Default: `[]`.
    #[serde(default)]
    #[schemars(with = "Vec<RolloutSpec>")]
    pub rollouts: Vec<Spanned<RolloutSpec>>,
    /// The targets the report checks, and `nines check` gates on. Default:
    /// none, nothing checked.
    pub slo: Option<SloSpec>,
}

/// A new version of a workload shipped: its Deployment's template changes
/// (`kubectl set image`, a CI pipeline), once (`at`) or repeatedly (`every`).
/// Needs `at` or `every`; its first time must fall within `duration`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RolloutSpec {
    /// When the new version is shipped, from the start of the run. `0`
    /// allowed. Default: `every` when that is given.
    #[schemars(extend("examples" = ["10m"]))]
    pub at: Option<Duration>,
    /// Ship a new version this often: at `at`, then every `every`. Greater
    /// than zero. Default: once.
    #[schemars(extend("examples" = ["24h"]))]
    pub every: Option<PositiveDuration>,
    /// The workload whose Deployment changes (the name of one of
    /// `workloads`). Required.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// How the new version behaves (the new image): each field given
    /// replaces the workload's `app`; the others stay the workload's (not
    /// the previous rollout's). Default: the workload's `app`.
    #[serde(default)]
    pub app: AppSpec,
    /// The new version runs a migration as the rollout starts that breaks
    /// the old version: its pods fail every request (`incompatible`) until
    /// replaced. Not a Kubernetes field. Default: `false`.
    #[serde(default)]
    pub breaks_previous_version: bool,
    /// Roll back (`kubectl rollout undo`, as a pipeline would) when the
    /// Deployment reports `ProgressDeadlineExceeded`; Kubernetes itself
    /// never does. Default: `false`.
    #[serde(default)]
    pub rollback_on_failure: bool,
}

/// The cluster: its nodes, its control plane, and the settings of the
/// controllers that run it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterSpec {
    /// The API servers, etcd and the controllers' leaders. Default: one API
    /// server and one etcd member, stacked on one control-plane node.
    pub control_plane: Option<ControlPlaneSpec>,
    /// Groups of identical nodes. Required; at least one pool, at most
    /// 10,000 nodes in all (an autoscaled pool counting as its `maxNodes`).
    pub node_pools: Vec<NodePoolSpec>,
    /// Controller, kubelet and kube-proxy settings, each named after the flag
    /// it mirrors. Default: Kubernetes' defaults for every one.
    #[serde(default)]
    pub settings: SettingsSpec,
}

/// The API servers and etcd members, as kubeadm lays them out, or a
/// provider-run (`managed`) control plane. The API is writable while one API
/// server runs and etcd has its quorum (⌊n/2⌋ + 1 of n members).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneSpec {
    /// kube-apiserver replicas, behind a load balancer. At least 1; equal
    /// to `etcdMembers` when `stacked`; not with `managed`. Default: 1.
    #[schemars(range(min = 1), extend("examples" = [3]))]
    pub api_servers: Option<u32>,
    /// etcd cluster members. At least 1; not with `managed`. Default: 1.
    #[schemars(range(min = 1), extend("examples" = [3]))]
    pub etcd_members: Option<u32>,
    /// kubeadm's layout of etcd. Default: `stacked`.
    #[schemars(extend("default" = "stacked"))]
    pub topology: Option<Topology>,
    /// A provider-run control plane (GKE, EKS, AKS), modelled by its SLA:
    /// outages form an alternating renewal process whose long-run up share
    /// is the SLA. Default: none, a self-run control plane.
    pub managed: Option<ManagedSpec>,
    /// An etcd snapshot (`etcdctl snapshot save`) at every multiple of this.
    /// Greater than zero. Default: none, so a lost etcd cannot be restored.
    #[schemars(extend("examples" = ["1h"]))]
    pub backup_interval: Option<PositiveDuration>,
    /// From the loss of etcd to a restored, running control plane
    /// (`etcdutl snapshot restore` on every member, then a restart).
    /// Default: `30m`.
    #[schemars(extend("default" = "30m"))]
    pub restore_time: Option<Distribution>,
}

/// kubeadm's two layouts of etcd.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Topology {
    /// Each control-plane node runs an API server, a controller-manager, a
    /// scheduler and an etcd member.
    Stacked,
    /// etcd runs on hosts of its own.
    External,
}

/// A provider-run control plane, known by its SLA.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedSpec {
    /// The provider's uptime SLA for the API: the long-run share of time it
    /// is writable. Required; above `0%` and below `100%`.
    #[schemars(extend("examples" = ["99.95%"]))]
    pub sla: Percent,
    /// How long one outage lasts; the time between outages follows from
    /// the SLA. Default: `{exponential: 10m}` (providers publish SLAs, not
    /// outage lengths).
    pub outage: Option<Distribution>,
}

/// A group of identical nodes, named `<pool>-1`, `<pool>-2`…, spread over
/// its zones in order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePoolSpec {
    /// Names the pool and its nodes. Required; a DNS label (lowercase
    /// letters, digits and `-`), unique among pools.
    #[schemars(with = "String", extend("examples" = ["workers"]))]
    pub name: Spanned<String>,
    /// Number of nodes; with `autoscaling`, the number at the start.
    /// Required; at least 1, or between `minNodes` and `maxNodes` with
    /// `autoscaling`.
    #[schemars(with = "u32", extend("examples" = [3]))]
    pub count: Spanned<u32>,
    /// Zones the nodes are spread over, round robin in order: node i goes
    /// to zone (i − 1) mod the number of zones. At least one entry if given.
    /// Default: one zone named `default`.
    #[schemars(with = "Option<Vec<String>>", extend("examples" = [["a", "b", "c"]]))]
    pub zones: Option<Spanned<Vec<String>>>,
    /// Each node's allocatable resources, as in the Node's
    /// `status.allocatable`: what the scheduler fits pods' requests into.
    /// Required; both `cpu` and `memory`, greater than zero.
    #[schemars(with = "ResourceList", extend("examples" = [{"cpu": "4", "memory": "16Gi"}]))]
    pub allocatable: Spanned<ResourceList>,
    /// The cluster autoscaler's bounds for this pool's node group. Default:
    /// none, the pool never changes size.
    #[schemars(with = "Option<NodeGroupSpec>")]
    pub autoscaling: Option<Spanned<NodeGroupSpec>>,
    /// From the autoscaler's scale-up request to a registered, Ready node,
    /// drawn per node. Only with `autoscaling`. Default: `{uniform: [3m,
    /// 4m]}` (the cluster autoscaler FAQ's figure for GCE).
    pub provisioning_time: Option<Distribution>,
}

/// A node group of the cluster autoscaler, as its `--nodes=min:max:pool`
/// flag gives it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeGroupSpec {
    /// The autoscaler removes no node below this. Required; at most
    /// `maxNodes`.
    #[schemars(with = "u32", extend("examples" = [2]))]
    pub min_nodes: Spanned<u32>,
    /// The autoscaler asks for no node above this; the pool has this many
    /// node names. Required; at least 1.
    #[schemars(with = "u32", range(min = 1), extend("examples" = [10]))]
    pub max_nodes: Spanned<u32>,
}

/// CPU and memory, as a Kubernetes `ResourceList`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceList {
    /// CPU, in cores (`250m` is a quarter core). Default: none.
    #[schemars(extend("examples" = ["500m"]))]
    pub cpu: Option<Cpu>,
    /// Memory, in bytes (`512Mi`). Default: none.
    #[schemars(extend("examples" = ["512Mi"]))]
    pub memory: Option<Memory>,
}

/// Controller and kubelet settings, each named after its Kubernetes flag or
/// field; an absent one takes Kubernetes' default. The HPA and cluster
/// autoscaler settings do nothing without an HPA or an autoscaled pool.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SettingsSpec {
    /// How long after a node's last Lease renewal the node lifecycle
    /// controller marks it `Ready=Unknown`; its pods then leave the
    /// Service's endpoints. Greater than zero. Default: `50s`,
    /// kube-controller-manager `--node-monitor-grace-period` (50 s since
    /// v1.32, 40 s before).
    #[schemars(extend("default" = "50s"))]
    pub node_monitor_grace_period: Option<PositiveDuration>,
    /// How often the node lifecycle controller checks the nodes. Greater
    /// than zero. Default: `5s`, kube-controller-manager
    /// `--node-monitor-period`.
    #[schemars(extend("default" = "5s"))]
    pub node_monitor_period: Option<PositiveDuration>,
    /// The node Lease's duration, written as a duration; the kubelet renews
    /// its Lease every quarter of it. Greater than zero. Default: `40s`,
    /// kubelet `nodeLeaseDurationSeconds`.
    #[schemars(extend("default" = "40s"))]
    pub node_lease_duration: Option<PositiveDuration>,
    /// Seconds pods tolerate the `node.kubernetes.io/not-ready:NoExecute`
    /// taint. No effect yet: a crashed or cut-off node goes `Unknown`, never
    /// `NotReady`. Default: `300`, kube-apiserver
    /// `--default-not-ready-toleration-seconds`.
    #[schemars(extend("default" = 300))]
    pub not_ready_toleration_seconds: Option<u64>,
    /// Seconds pods stay on a node after it gets the
    /// `node.kubernetes.io/unreachable:NoExecute` taint; then they are
    /// deleted and replaced. Default: `300`, kube-apiserver
    /// `--default-unreachable-toleration-seconds`.
    #[schemars(extend("default" = 300))]
    pub unreachable_toleration_seconds: Option<u64>,
    /// Nodes per second of one zone that get the NoExecute taint (`0`
    /// never taints). At least 0. Default: `0.1`, kube-controller-manager
    /// `--node-eviction-rate`.
    #[schemars(range(min = 0.0), extend("default" = 0.1))]
    pub node_eviction_rate: Option<f64>,
    /// Nodes per second tainted in a partially disrupted zone of more than
    /// `largeClusterSizeThreshold` nodes. At least 0. Default: `0.01`,
    /// kube-controller-manager `--secondary-node-eviction-rate`.
    #[schemars(range(min = 0.0), extend("default" = 0.01))]
    pub secondary_node_eviction_rate: Option<f64>,
    /// The share of a zone's nodes not Ready (and more than 2) that makes
    /// the zone partially disrupted. Above 0, at most 1. Default: `0.55`,
    /// kube-controller-manager `--unhealthy-zone-threshold`.
    #[schemars(range(max = 1.0), extend("exclusiveMinimum" = 0.0, "default" = 0.55))]
    pub unhealthy_zone_threshold: Option<f64>,
    /// A partially disrupted zone of this many nodes or fewer gets no
    /// taints at all. Default: `50`, kube-controller-manager
    /// `--large-cluster-size-threshold`.
    #[schemars(extend("default" = 50))]
    pub large_cluster_size_threshold: Option<u32>,
    /// From a pod's `Ready` change to kube-proxy routing by it; until then
    /// requests still reach a pod that no longer serves. `0` allowed.
    /// Default: `1s`, kube-proxy `--iptables-min-sync-period` (the
    /// EndpointSlice controller adds no batching by default).
    #[schemars(extend("default" = "1s"))]
    pub endpoint_propagation_delay: Option<Duration>,
    /// How often the HPA controller syncs each HPA. Greater than zero.
    /// Default: `15s`, kube-controller-manager
    /// `--horizontal-pod-autoscaler-sync-period`.
    #[schemars(extend("default" = "15s"))]
    pub horizontal_pod_autoscaler_sync_period: Option<PositiveDuration>,
    /// No scaling while the metric is within this fraction of its target;
    /// the default of each HPA's `behavior.*.tolerance`. At least 0, and
    /// below 1. Default: `0.1`, kube-controller-manager
    /// `--horizontal-pod-autoscaler-tolerance`.
    #[schemars(range(min = 0.0), extend("exclusiveMaximum" = 1.0, "default" = 0.1))]
    pub horizontal_pod_autoscaler_tolerance: Option<f64>,
    /// The default of each HPA's `behavior.scaleDown.stabilizationWindowSeconds`.
    /// `0` allowed. Default: `5m`, kube-controller-manager
    /// `--horizontal-pod-autoscaler-downscale-stabilization`.
    #[schemars(extend("default" = "5m"))]
    pub horizontal_pod_autoscaler_downscale_stabilization: Option<Duration>,
    /// For this long after a pod starts, its CPU sample counts only if the
    /// pod is Ready and the sample's window came after that. `0` allowed.
    /// Default: `5m`, kube-controller-manager
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`.
    #[schemars(extend("default" = "5m"))]
    pub horizontal_pod_autoscaler_cpu_initialization_period: Option<Duration>,
    /// A not-Ready pod whose readiness last changed within this long of its
    /// start has never been Ready, and its CPU sample is set aside. `0`
    /// allowed. Default: `30s`, kube-controller-manager
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`.
    #[schemars(extend("default" = "30s"))]
    pub horizontal_pod_autoscaler_initial_readiness_delay: Option<Duration>,
    /// How often metrics-server scrapes the pods; the HPA sees the last
    /// scrape. Greater than zero. Default: `15s`, metrics-server
    /// `--metric-resolution` as its official manifest sets it (the binary's
    /// own default is 60 s).
    #[schemars(extend("default" = "15s"))]
    pub metric_resolution: Option<PositiveDuration>,
    /// How often the cluster autoscaler looks for Pending pods and unneeded
    /// nodes. Greater than zero. Default: `10s`, cluster-autoscaler
    /// `--scan-interval`.
    #[schemars(extend("default" = "10s"))]
    pub scan_interval: Option<PositiveDuration>,
    /// How long a node must stay unneeded before the cluster autoscaler
    /// removes it. `0` allowed. Default: `10m`, cluster-autoscaler
    /// `--scale-down-unneeded-time`.
    #[schemars(extend("default" = "10m"))]
    pub scale_down_unneeded_time: Option<Duration>,
    /// No scale-down for this long after a scale-up. `0` allowed. Default:
    /// `10m`, cluster-autoscaler `--scale-down-delay-after-add`.
    #[schemars(extend("default" = "10m"))]
    pub scale_down_delay_after_add: Option<Duration>,
    /// A node whose pods' requests are below this share of its allocatable
    /// (the larger of CPU and memory) may be removed. Above 0, at most 1.
    /// Default: `0.5`, cluster-autoscaler
    /// `--scale-down-utilization-threshold`.
    #[schemars(range(max = 1.0), extend("exclusiveMinimum" = 0.0, "default" = 0.5))]
    pub scale_down_utilization_threshold: Option<f64>,
    /// A requested node not registered within this is given up and its
    /// group backed off. Greater than zero. Default: `15m`,
    /// cluster-autoscaler `--max-node-provision-time`.
    #[schemars(extend("default" = "15m"))]
    pub max_node_provision_time: Option<PositiveDuration>,
}

/// A workload: a Deployment with a Service in front of it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadSpec {
    /// Names the Deployment, its pods and its Service. Required; a DNS label
    /// (lowercase letters, digits and `-`), unique among workloads.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub name: Spanned<String>,
    /// Desired pods, the Deployment's `spec.replicas`; with `autoscaling`,
    /// the number at the start. Required; `0` allowed; all workloads
    /// together at most 100,000.
    #[schemars(with = "u32", extend("examples" = [3]))]
    pub replicas: Spanned<u32>,
    /// Endpoints that must be serving for the workload to count as up: for
    /// clustered software, its quorum (2 of 3). Not a Kubernetes field. At
    /// least 1, at most `replicas`. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 1))]
    pub min_ready: Option<Spanned<u32>>,
    /// The container's `resources`: requests place the pod, limits throttle
    /// its CPU and OOM-kill it past its memory. Default: none.
    #[schemars(with = "Option<ResourcesSpec>")]
    pub resources: Option<Spanned<ResourcesSpec>>,
    /// The container's `startupProbe`: holds the other probes off until the
    /// app has started, and kills a container that takes too long.
    /// `successThreshold` must be 1. Default: none.
    #[schemars(with = "Option<ProbeSpec>")]
    pub startup_probe: Option<Spanned<ProbeSpec>>,
    /// The container's `readinessProbe`: when the pod is Ready, and so an
    /// endpoint. Default: none, Ready as soon as the container starts.
    #[schemars(with = "Option<ProbeSpec>")]
    pub readiness_probe: Option<Spanned<ProbeSpec>>,
    /// The container's `livenessProbe`: kills a container that stops
    /// answering. `successThreshold` must be 1. Default: none.
    #[schemars(with = "Option<ProbeSpec>")]
    pub liveness_probe: Option<Spanned<ProbeSpec>>,
    /// Seconds from the start of a pod's termination (its `preStop` hook
    /// included) to SIGKILL. Default: `30`, the Pod's
    /// `spec.terminationGracePeriodSeconds`.
    #[schemars(extend("default" = 30))]
    pub termination_grace_period_seconds: Option<u32>,
    /// The container's `lifecycle`: its `preStop` hook. Default: none.
    pub lifecycle: Option<LifecycleSpec>,
    /// The Deployment's `spec.strategy`: how a rollout replaces the pods.
    /// Default: `RollingUpdate` with `maxSurge` and `maxUnavailable` 25%.
    #[schemars(with = "Option<StrategySpec>")]
    pub strategy: Option<Spanned<StrategySpec>>,
    /// Seconds a new pod must be Ready to count as available. Less than
    /// `progressDeadlineSeconds`. Default: `0`, the Deployment's
    /// `spec.minReadySeconds`.
    #[schemars(extend("default" = 0))]
    pub min_ready_seconds: Option<u32>,
    /// Seconds without progress after which a rollout reports
    /// `ProgressDeadlineExceeded` (with no automatic rollback). Greater than
    /// `minReadySeconds`. Default: `600`, the Deployment's
    /// `spec.progressDeadlineSeconds`.
    #[schemars(with = "Option<u32>", extend("default" = 600))]
    pub progress_deadline_seconds: Option<Spanned<u32>>,
    /// The Pod's `spec.restartPolicy`. Only `Always`: Kubernetes rejects the
    /// others in a Deployment. Default: `Always`.
    #[schemars(with = "Option<RestartPolicy>", extend("default" = "Always"))]
    pub restart_policy: Option<Spanned<RestartPolicy>>,
    /// How the software behaves: what Kubernetes cannot know. Default: the
    /// defaults of each field.
    #[serde(default)]
    pub app: AppSpec,
    /// A HorizontalPodAutoscaler's spec on the workload's Deployment.
    /// Default: none, `replicas` never changes.
    #[schemars(with = "Option<HpaSpec>")]
    pub autoscaling: Option<Spanned<HpaSpec>>,
    /// A PodDisruptionBudget selecting the workload's pods, honoured by
    /// drains and the cluster autoscaler. Default: none.
    #[schemars(with = "Option<DisruptionBudgetSpec>")]
    pub disruption_budget: Option<Spanned<DisruptionBudgetSpec>>,
    /// The Pod's `spec.nodeSelector`. The model's nodes carry one label,
    /// `topology.kubernetes.io/zone`, so that is the only key, with a zone
    /// of the cluster. Default: none, any node.
    #[schemars(
        with = "Option<std::collections::BTreeMap<String, String>>",
        extend("examples" = [{"topology.kubernetes.io/zone": "a"}])
    )]
    pub node_selector: Option<Spanned<std::collections::BTreeMap<String, String>>>,
}

/// `HorizontalPodAutoscalerSpec` (autoscaling/v2) without `scaleTargetRef`:
/// the workload is the target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaSpec {
    /// The fewest replicas the HPA sets. At least 1 (scaling to zero needs
    /// the alpha `HPAScaleToZero` gate). Default: `1`, as in Kubernetes.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 1))]
    pub min_replicas: Option<Spanned<u32>>,
    /// The most replicas it sets, whatever the load. Required; at least
    /// `minReplicas`, and `replicas` must lie between the two.
    #[schemars(with = "u32", range(min = 1), extend("examples" = [10]))]
    pub max_replicas: Spanned<u32>,
    /// What it scales on; the largest proposal wins. At least one if given.
    /// Default: 80% average CPU utilization.
    #[schemars(with = "Option<Vec<MetricSpec>>")]
    pub metrics: Option<Vec<Spanned<MetricSpec>>>,
    /// How fast it scales up and down. Default: Kubernetes' rules (below).
    pub behavior: Option<HpaBehaviorSpec>,
}

/// The kind of a metric source. The model has `Resource` (CPU, memory) and
/// `Pods` (`requests_per_second`); the others are errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum MetricSourceType {
    Resource,
    Pods,
    Object,
    External,
    ContainerResource,
}

/// `MetricSpec`: a `type` and the source of that type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricSpec {
    /// The kind of source; only its own source field may be given.
    /// Required.
    #[serde(rename = "type")]
    pub kind: MetricSourceType,
    /// With `type: Resource`: the pods' CPU or memory.
    pub resource: Option<ResourceMetricSource>,
    /// With `type: Pods`: a per-pod metric from a custom-metrics adapter.
    pub pods: Option<PodsMetricSource>,
}

/// `ResourceMetricSource`: a resource of the pods' containers.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceMetricSource {
    /// The resource: `cpu` or `memory`. Required.
    #[schemars(extend("examples" = ["cpu"]))]
    pub name: String,
    /// The value to keep it at. Required.
    pub target: MetricTarget,
}

/// `PodsMetricSource`: a metric each pod reports.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodsMetricSource {
    /// Which metric. Required.
    pub metric: MetricIdentifier,
    /// The value to keep it at: `{type: AverageValue, averageValue: Q}`.
    /// Required.
    pub target: MetricTarget,
}

/// `MetricIdentifier`: a metric's name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricIdentifier {
    /// The metric: the model produces `requests_per_second`, each pod's
    /// share of the Service's requests. Required.
    #[schemars(extend("examples" = ["requests_per_second"]))]
    pub name: String,
}

/// The kind of a metric's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum MetricTargetType {
    Utilization,
    AverageValue,
    Value,
}

/// `MetricTarget`: `{type: Utilization, averageUtilization: N}` or
/// `{type: AverageValue, averageValue: Q}` (`Value` is not modelled).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricTarget {
    /// The kind of target. Required.
    #[serde(rename = "type")]
    pub kind: MetricTargetType,
    /// With `Utilization`: the average usage as a whole percentage of the
    /// pods' request, written without `%`. Above 0.
    #[schemars(range(min = 1), extend("examples" = [60]))]
    pub average_utilization: Option<u32>,
    /// With `AverageValue`: the average per pod, a quantity above 0 (`300m`
    /// of CPU, `400Mi` of memory, `50` requests per second).
    #[schemars(extend("examples" = ["300m"]))]
    pub average_value: Option<Quantity>,
    /// With `Value`, which the model does not have.
    pub value: Option<Quantity>,
}

/// `HorizontalPodAutoscalerBehavior`: the rules for each direction.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaBehaviorSpec {
    /// Default: a `0` s window, policies `{Pods, 4, 15}` and
    /// `{Percent, 100, 15}`, `selectPolicy: Max`.
    pub scale_up: Option<ScalingRulesSpec>,
    /// Default: a window of `horizontalPodAutoscalerDownscaleStabilization`
    /// (300 s), policy `{Percent, 100, 15}`, `selectPolicy: Max`.
    pub scale_down: Option<ScalingRulesSpec>,
}

/// `HPAScalingRules`; a field left out takes its default for the direction.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingRulesSpec {
    /// Seconds of past proposals the HPA looks at: a scale-up goes no higher
    /// than their lowest, a scale-down no lower than their highest. At most
    /// 3600 s. Default: `0` up, `horizontalPodAutoscalerDownscaleStabilization`
    /// (300) down.
    #[schemars(with = "Option<u32>", range(max = 3600), extend("examples" = [300]))]
    pub stabilization_window_seconds: Option<Spanned<u32>>,
    /// Which policy applies when several do. Default: `Max`.
    #[schemars(extend("default" = "Max"))]
    pub select_policy: Option<SelectPolicySpec>,
    /// How much the replicas may change within a period. At least one if
    /// given. Default: `[{type: Pods, value: 4, periodSeconds: 15}, {type:
    /// Percent, value: 100, periodSeconds: 15}]` up, `[{type: Percent,
    /// value: 100, periodSeconds: 15}]` down.
    #[schemars(with = "Option<Vec<ScalingPolicySpec>>")]
    pub policies: Option<Vec<Spanned<ScalingPolicySpec>>>,
    /// The tolerance for this direction (KEP-4951, beta in 1.35). At least
    /// 0, below 1. Default: `horizontalPodAutoscalerTolerance` (0.1).
    #[schemars(range(min = 0.0), extend("exclusiveMaximum" = 1.0, "examples" = [0.05]))]
    pub tolerance: Option<f64>,
}

/// `selectPolicy`: which policy's bound applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum SelectPolicySpec {
    /// The policy allowing the largest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// `HPAScalingPolicy`: at most `value` pods or percent within
/// `periodSeconds`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalingPolicySpec {
    /// Whether `value` counts pods or percent. Required.
    #[serde(rename = "type")]
    pub kind: PolicyTypeSpec,
    /// The change allowed. Required; above 0.
    #[schemars(range(min = 1), extend("examples" = [4]))]
    pub value: u32,
    /// The window the change is counted over, in seconds. Required; 1 to
    /// 1800.
    #[schemars(range(min = 1, max = 1800), extend("examples" = [15]))]
    pub period_seconds: u32,
}

/// The unit of a scaling policy's `value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PolicyTypeSpec {
    /// Pods more or fewer.
    Pods,
    /// Percent of the replicas at the start of the period.
    Percent,
}

/// `PodDisruptionBudgetSpec` without its selector: exactly one of the two.
/// A percentage is of the Deployment's current `replicas`, rounded up.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DisruptionBudgetSpec {
    /// Ready pods that must remain after an eviction: a count or a
    /// percentage.
    #[schemars(extend("examples" = [2, "50%"]))]
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be missing from the desired replicas: a count or a
    /// percentage.
    #[schemars(extend("examples" = [1, "25%"]))]
    pub max_unavailable: Option<IntOrPercent>,
}

/// The container's `resources`. A limit without a request is also the
/// request; a request above its limit is an error.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourcesSpec {
    /// What the scheduler reserves on the pod's node; a `Utilization` target
    /// is a percentage of it. Default: the limits, else none.
    pub requests: Option<ResourceList>,
    /// CPU (CFS quota) caps the requests a pod processes per second; memory
    /// past it is OOM-killed. Default: none, nothing throttled or killed.
    pub limits: Option<ResourceList>,
}

/// The Deployment's `spec.strategy` (`DeploymentStrategy`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StrategySpec {
    /// Replace the pods a few at a time, or all at once. Default:
    /// `RollingUpdate`, `spec.strategy.type`.
    #[serde(rename = "type")]
    #[schemars(extend("default" = "RollingUpdate"))]
    pub kind: Option<StrategyType>,
    /// The bounds of a rolling update; not with `Recreate`. Default: 25% and
    /// 25%.
    pub rolling_update: Option<RollingUpdateSpec>,
}

/// `DeploymentStrategyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StrategyType {
    /// New pods replace old ones a few at a time, within `maxSurge` and
    /// `maxUnavailable`.
    RollingUpdate,
    /// Every old pod is gone before the first new one is created.
    Recreate,
}

/// `RollingUpdateDeployment`: with `replicas` r, at most r + surge pods and
/// at least r − unavailable available during the rollout.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RollingUpdateSpec {
    /// Pods the rollout may run above `replicas`: a count or a percentage of
    /// `replicas` rounded up, up to `100%`. Default: `25%`,
    /// `spec.strategy.rollingUpdate.maxSurge`.
    #[schemars(extend("default" = "25%"))]
    pub max_surge: Option<IntOrPercent>,
    /// Pods below `replicas` that may be unavailable: a count or a
    /// percentage rounded down (if both come to 0, one may be). Default:
    /// `25%`, `spec.strategy.rollingUpdate.maxUnavailable`.
    #[schemars(extend("default" = "25%"))]
    pub max_unavailable: Option<IntOrPercent>,
}

/// The container's `lifecycle`; only `preStop` matters to availability.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LifecycleSpec {
    /// What the kubelet runs before SIGTERM when the pod is deleted,
    /// `lifecycle.preStop`. Exactly one of `sleep` and `exec`. Default:
    /// none, SIGTERM at once.
    #[schemars(with = "Option<PreStopSpec>")]
    pub pre_stop: Option<Spanned<PreStopSpec>>,
}

/// A `preStop` handler: the native `sleep` action, or an `exec` whose
/// command takes `duration` (the model's addition: how long it runs).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreStopSpec {
    /// `lifecycle.preStop.sleep` (GA in 1.34).
    pub sleep: Option<SleepAction>,
    /// `lifecycle.preStop.exec`, with how long the command runs.
    pub exec: Option<PreStopExec>,
}

/// `SleepAction`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SleepAction {
    /// Seconds the kubelet waits before SIGTERM; longer than
    /// `endpointPropagationDelay` closes the termination race. Required;
    /// `0` allowed (KEP-4818).
    #[schemars(extend("examples" = [5]))]
    pub seconds: u32,
}

/// `ExecAction` plus how long it runs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PreStopExec {
    /// The command the hook runs; only its duration matters here.
    /// Required; not empty.
    #[schemars(extend("examples" = [["sh", "-c", "nginx -s quit; sleep 3"]]))]
    pub command: Vec<String>,
    /// How long the command runs, drawn at each termination. The model's
    /// addition. Default: `0`.
    #[schemars(extend("examples" = [{"uniform": ["2s", "4s"]}]))]
    pub duration: Option<Distribution>,
}

/// The Pod's `restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum RestartPolicy {
    /// Restart after every exit: the only policy a Deployment allows.
    Always,
    /// For Jobs and bare Pods; an error here.
    OnFailure,
    /// For Jobs and bare Pods; an error here.
    Never,
}

/// A container probe as in a Pod manifest (`Probe`), so one can be pasted
/// in. Exactly one handler.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProbeSpec {
    /// Passes while the app has started, is not hung, and answers within
    /// `timeoutSeconds` at the pod's load.
    pub http_get: Option<HttpGetAction>,
    /// Passes while the app's port accepts connections, which a hung or
    /// overloaded app's still does.
    pub tcp_socket: Option<TcpSocketAction>,
    /// Passes as `httpGet` does: the command talks to the app.
    pub exec: Option<ExecAction>,
    /// Passes as `httpGet` does.
    pub grpc: Option<GrpcAction>,
    /// Seconds after the container starts before the first probe. Default:
    /// `0`, `Probe.initialDelaySeconds`.
    #[schemars(extend("default" = 0))]
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes. At least 1. Default: `10`,
    /// `Probe.periodSeconds`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 10))]
    pub period_seconds: Option<Spanned<u32>>,
    /// Seconds the probe waits for an answer; an `httpGet`, `exec` or `grpc`
    /// probe fails when the app's response time is longer. At least 1.
    /// Default: `1`, `Probe.timeoutSeconds`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 1))]
    pub timeout_seconds: Option<Spanned<u32>>,
    /// Passing probes in a row that make the verdict "success". At least 1;
    /// exactly 1 for liveness and startup probes. Default: `1`,
    /// `Probe.successThreshold`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 1))]
    pub success_threshold: Option<Spanned<u32>>,
    /// Failing probes in a row that make the verdict "failure". At least 1.
    /// Default: `3`, `Probe.failureThreshold`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("default" = 3))]
    pub failure_threshold: Option<Spanned<u32>>,
    /// Seconds from a kill by this probe to SIGKILL. Liveness and startup
    /// probes only; at least 1. Default: the pod's
    /// `terminationGracePeriodSeconds`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [10]))]
    pub termination_grace_period_seconds: Option<Spanned<u32>>,
}

/// `HTTPGetAction`; only `port` matters to the model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpGetAction {
    /// The path requested. Default: none.
    #[schemars(extend("examples" = ["/ready"]))]
    pub path: Option<String>,
    /// Where the app listens. Required.
    pub port: PortSpec,
    /// The host to connect to. Default: the pod's IP.
    pub host: Option<String>,
    /// `HTTP` or `HTTPS`. Default: `HTTP`.
    #[schemars(extend("examples" = ["HTTP"]))]
    pub scheme: Option<String>,
    /// Headers sent with the request. Default: none.
    pub http_headers: Option<Vec<HttpHeader>>,
}

/// `HTTPHeader`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpHeader {
    /// The header's name. Required.
    #[schemars(extend("examples" = ["X-Probe"]))]
    pub name: String,
    /// The header's value. Required.
    #[schemars(extend("examples" = ["kubelet"]))]
    pub value: String,
}

/// `TCPSocketAction`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TcpSocketAction {
    /// Where the app listens. Required.
    pub port: PortSpec,
    /// The host to connect to. Default: the pod's IP.
    pub host: Option<String>,
}

/// `ExecAction`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExecAction {
    /// The command run in the container. Required.
    #[schemars(extend("examples" = [["cat", "/tmp/healthy"]]))]
    pub command: Vec<String>,
}

/// `GRPCAction`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GrpcAction {
    /// The port of the gRPC health service, a number. Required.
    #[schemars(extend("examples" = [9090]))]
    pub port: u16,
    /// The service name sent in the health check. Default: none.
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

impl JsonSchema for PortSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortSpec".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "title": "port",
            "description": "A port number (1 to 65535) or the name of a container port: \
                            up to 15 lowercase letters, digits and `-`, with at least one letter \
                            (IANA_SVC_NAME), as Kubernetes' IntOrString.",
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 65535 },
                { "type": "string", "maxLength": 15, "pattern": "^[a-z0-9-]*[a-z][a-z0-9-]*$" }
            ],
            "examples": [8080, "http"]
        })
    }
}

/// How the software behaves: what Kubernetes cannot know and the user must
/// say. The defaults are modest figures for a small web service, not
/// Kubernetes values. In a rollout, a field left out is the workload's.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppSpec {
    /// The process exits with an error as soon as the app has started (after
    /// `startup`): a broken release, which never turns Ready and restarts
    /// with CrashLoopBackOff. Default: `false`.
    #[serde(default)]
    pub crash_on_start: bool,
    /// Time to pull the image on a node that does not have it; a node pulls
    /// one image at a time and keeps it. Default: `10s`.
    #[schemars(extend("examples" = ["20s"]))]
    pub image_pull: Option<Distribution>,
    /// Time from container start until the app answers, drawn at every
    /// start. Default: `5s`.
    #[schemars(extend("examples" = [{"lognormal": {"median": "8s", "sigma": 0.3}}]))]
    pub startup: Option<Distribution>,
    /// Time to serve one request on an idle pod; under load the response
    /// time is its mean ÷ (1 − CPU utilization of the limit). Default:
    /// `50ms`.
    #[schemars(extend("examples" = ["40ms"]))]
    pub service_time: Option<Distribution>,
    /// How `nines run --exact` draws each request's service time around the
    /// response time of the moment; the fluid account ignores it. Default:
    /// `exponential`.
    pub service_time_distribution: Option<ServiceTimeDistribution>,
    /// CPU time one request uses: with `limits.cpu` it sets the requests per
    /// second a pod can process. `0` allowed: requests cost no CPU.
    /// Default: `5ms`.
    #[schemars(extend("examples" = ["4ms"]))]
    pub cpu_per_request: Option<Duration>,
    /// The app's memory, checked against `limits.memory`. Default: `base`
    /// the memory request, no leak, nothing per request.
    pub memory: Option<MemorySpec>,
}

/// How a request's service time is drawn in exact mode
/// (`app.serviceTimeDistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ServiceTimeDistribution {
    /// Exponential with the mean of `serviceTime`: the M/M/∞ of the fluid
    /// account.
    Exponential,
    /// Every request takes exactly the mean.
    Constant,
    /// `serviceTime` sampled as written (`{lognormal: …}`, `{uniform: …}`),
    /// scaled to the mean.
    AsWritten,
}

impl From<ServiceTimeDistribution> for crate::traffic::ServiceTimeShape {
    fn from(written: ServiceTimeDistribution) -> Self {
        match written {
            ServiceTimeDistribution::Exponential => Self::Exponential,
            ServiceTimeDistribution::Constant => Self::Constant,
            ServiceTimeDistribution::AsWritten => Self::AsWritten,
        }
    }
}

/// The app's memory: `base` at start, growing by `leakPerHour`, plus
/// `perRequest` for each request in flight; past `limits.memory` the
/// container is OOMKilled.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemorySpec {
    /// Memory the app uses once started. At most `limits.memory`. Default:
    /// `resources.requests.memory`.
    #[schemars(with = "Option<Memory>", extend("examples" = ["200Mi"]))]
    pub base: Option<Spanned<Memory>>,
    /// Memory the app gains per hour while its container runs. Default:
    /// `0`.
    #[schemars(extend("examples" = ["64Mi"]))]
    pub leak_per_hour: Option<Memory>,
    /// Memory each request in flight holds. Default: `0`.
    #[schemars(extend("examples" = ["1Mi"]))]
    pub per_request: Option<Memory>,
}

/// The requests sent to one workload's Service.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrafficSpec {
    /// The workload whose Service receives the requests. Required; the
    /// name of one of `workloads`, one entry per workload.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// Requests per second: constant, or a profile over time. Required.
    #[schemars(with = "RateSpec")]
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RampSpec {
    /// The rate until `at`. Required.
    #[schemars(extend("examples" = [10]))]
    pub from: Rate,
    /// The rate from `at` + `over` on; below `from` for a ramp down.
    /// Required.
    #[schemars(extend("examples" = [400]))]
    pub to: Rate,
    /// When the ramp starts. Default: `0s`.
    #[schemars(extend("examples" = ["30m"]))]
    pub at: Option<Duration>,
    /// How long the line from `from` to `to` takes; `0` is a step.
    /// Required.
    #[schemars(extend("examples" = ["2h"]))]
    pub over: Duration,
}

/// A daily cycle: a cosine from `min` up to `max` at `peakAt` (time of
/// day) and back; it averages (min + max) ÷ 2.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DiurnalSpec {
    /// The rate half a period from the peak. Required; at most `max`.
    #[schemars(extend("examples" = [50]))]
    pub min: Rate,
    /// The rate at `peakAt`. Required.
    #[schemars(extend("examples" = [1000]))]
    pub max: Rate,
    /// The time of day of the peak; the run starts at 00:00, so `14h` is
    /// 2 pm. Required; less than `period`.
    #[schemars(extend("examples" = ["14h"]))]
    pub peak_at: Duration,
    /// The length of the cycle. Greater than zero. Default: `24h`.
    #[schemars(extend("examples" = ["24h"]))]
    pub period: Option<PositiveDuration>,
}

/// One step of a rate profile: `rate` from `at` until the next step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RateStep {
    /// When this rate starts; the steps' `at` increase strictly, and before
    /// the first the rate is 0. Required.
    #[schemars(with = "Duration", extend("examples" = ["10m"]))]
    pub at: Spanned<Duration>,
    /// The rate from `at` on. Required.
    #[schemars(extend("examples" = [1000]))]
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

impl JsonSchema for RateSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RateSpec".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let profile = |key: &str, description: &str, value: schemars::Schema| {
            schemars::json_schema!({
                "type": "object",
                "description": description,
                "properties": { key: value },
                "required": [key],
                "additionalProperties": false
            })
        };
        schemars::json_schema!({
            "title": "rate or profile",
            "description": "Requests per second: a constant rate, or a profile over time with \
                            exactly one of `steps`, `ramp` and `diurnal`.",
            "anyOf": [
                generator.subschema_for::<Rate>(),
                profile(
                    "steps",
                    "Rates in steps: each holds from its `at` until the next. At least one step.",
                    generator.subschema_for::<Vec<RateStep>>(),
                ),
                profile(
                    "ramp",
                    "A straight line from one rate to another.",
                    generator.subschema_for::<RampSpec>(),
                ),
                profile(
                    "diurnal",
                    "A daily cycle.",
                    generator.subschema_for::<DiurnalSpec>(),
                ),
            ],
            "examples": [300, {"steps": [{"at": "0s", "rate": 100}, {"at": "10m", "rate": 1000}]}]
        })
    }
}

/// One fault: when it fires and exactly one kind. It fires at `at`, from
/// `at` (default `every`) every `every`, or, with the kind's `mtbf` and
/// neither, on its own for each target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultSpec {
    /// Names the fault's random stream, so adding or removing another fault
    /// never changes its draws. Unique among faults. Default: its position,
    /// `faults[<index>]`.
    #[schemars(extend("examples" = ["zone-a-power"]))]
    pub name: Option<String>,
    /// When the fault fires, from the start of the run; within `duration`.
    /// `0` allowed; not with `mtbf`.
    #[schemars(extend("examples" = ["10m"]))]
    pub at: Option<Duration>,
    /// Fire repeatedly, this long apart. Greater than zero; not with `mtbf`.
    #[schemars(extend("examples" = ["7d"]))]
    pub every: Option<PositiveDuration>,
    /// A container exits with an error and restarts after CrashLoopBackOff.
    pub pod_crash: Option<PodCrashSpec>,
    /// An app stops answering while its process and port stay alive.
    pub app_hang: Option<AppHangSpec>,
    /// Every container of a workload starts to leak memory. `at` only.
    pub memory_leak: Option<MemoryLeakSpec>,
    /// A machine stops, with every container on it.
    pub node_crash: Option<NodeCrashSpec>,
    /// API servers stop.
    pub api_server_down: Option<ControlPlaneFaultSpec>,
    /// etcd members stop.
    pub etcd_member_down: Option<ControlPlaneFaultSpec>,
    /// The kube-controller-manager leader crashes; a replica leads 15–17 s
    /// later. `at` or `every` only.
    pub controller_manager_crash: Option<LeaderCrashSpec>,
    /// The kube-scheduler leader crashes; nothing is bound until a replica
    /// leads. `at` or `every` only.
    pub scheduler_crash: Option<LeaderCrashSpec>,
    /// The control-plane node hosting both leaders stops. Not with a
    /// `managed` control plane; `at` or `every` only.
    pub control_plane_node_crash: Option<ControlPlaneNodeCrashSpec>,
    /// etcd's Raft leader is lost: the API is unwritable for 1–2 s, until
    /// an election. `at` or `every` only.
    pub etcd_leader_loss: Option<LeaderCrashSpec>,
    /// Every etcd member and its data are lost, until the last snapshot is
    /// restored. Not with a `managed` control plane; `at` or `every` only.
    pub etcd_loss: Option<LeaderCrashSpec>,
    /// A workload's request rate is multiplied for a while.
    pub traffic_spike: Option<TrafficSpikeSpec>,
    /// `kubectl drain`: a node cordoned and its pods evicted, honouring
    /// PodDisruptionBudgets. `at` or `every` only.
    pub node_drain: Option<NodeDrainSpec>,
    /// A node runs on, cut off from the control plane. `at` or `every` only.
    pub node_partition: Option<NodePartitionSpec>,
    /// Every node of a zone crashes, or is cut off. `at` or `every` only.
    pub zone_outage: Option<ZoneOutageSpec>,
}

/// `kubectl drain`: cordon, then evict every pod through the Eviction API,
/// which honours PodDisruptionBudgets; optionally uncordon after the
/// maintenance. At most one of `node`, `pool` and `zone`; with none, any
/// node.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeDrainSpec {
    /// Drain this node (`<pool>-<n>`).
    #[schemars(with = "Option<String>", extend("examples" = ["workers-1"]))]
    pub node: Option<Spanned<String>>,
    /// Pick among this pool's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["workers"]))]
    pub pool: Option<Spanned<String>>,
    /// Pick among this zone's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["a"]))]
    pub zone: Option<Spanned<String>>,
    /// Nodes drained at each firing, picked at random among those up and
    /// schedulable. At least 1. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// From the end of the drain to `kubectl uncordon`, drawn per node.
    /// Default: none, the node stays cordoned.
    #[schemars(extend("examples" = ["20m"]))]
    pub uncordon_after: Option<Distribution>,
}

/// The node runs on but the control plane cannot reach it. At most one of
/// `node`, `pool` and `zone`; with none, any node.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePartitionSpec {
    /// Cut this node off (`<pool>-<n>`).
    #[schemars(with = "Option<String>", extend("examples" = ["workers-1"]))]
    pub node: Option<Spanned<String>>,
    /// Pick among this pool's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["workers"]))]
    pub pool: Option<Spanned<String>>,
    /// Pick among this zone's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["b"]))]
    pub zone: Option<Spanned<String>>,
    /// Nodes cut off at each firing. At least 1. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// Time until the partition heals, drawn per node. Default: none, to
    /// the end of the run.
    #[schemars(extend("examples" = ["10m"]))]
    pub recover_after: Option<Distribution>,
    /// Whether clients and the other nodes' kube-proxies still reach its
    /// pods: `true` when only the control plane is cut off. Default: `false`.
    #[serde(default)]
    pub traffic_reachable: bool,
}

/// Every node of a zone goes at once: a power or network failure.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ZoneOutageSpec {
    /// The zone that goes out. Required; a zone of the cluster.
    #[schemars(with = "String", extend("examples" = ["a"]))]
    pub zone: Spanned<String>,
    /// Time until the nodes come back, drawn per node. Default: none, the
    /// zone is lost for good.
    #[schemars(extend("examples" = ["1h"]))]
    pub recover_after: Option<Distribution>,
    /// The nodes keep running, cut off from the control plane and from
    /// clients, instead of going down. Default: `false`.
    #[serde(default)]
    pub partition: bool,
}

/// The workload's request rate is multiplied by `multiplier` for
/// `duration` (a launch, a retry storm, a bot); overlapping spikes multiply.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrafficSpikeSpec {
    /// Whose traffic spikes. Required; a workload's name.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// The factor on the workload's rate: below 1 a dip, `0` no traffic.
    /// Required; 0 to 1,000,000.
    #[schemars(with = "f64", range(min = 0.0, max = 1_000_000.0), extend("examples" = [5]))]
    pub multiplier: Spanned<f64>,
    /// How long each spike lasts. Required; mean above 0.
    #[schemars(extend("examples" = ["20m"]))]
    pub duration: Distribution,
    /// Time from the end of one spike to the start of the next; without
    /// `at` or `every`.
    #[schemars(extend("examples" = ["1d"]))]
    pub mtbf: Option<Mtbf>,
}

/// A leader or all of etcd lost; nothing to say but when.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LeaderCrashSpec {}

/// The control-plane node that hosts the leaders stops: its API server, its
/// controller-manager and scheduler, and (stacked) its etcd member.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneNodeCrashSpec {
    /// How long the node stays down. Required.
    #[schemars(extend("examples" = ["30m"]))]
    pub duration: Distribution,
}

/// Some (`count`) or every (`all: true`) API server or etcd member stops for
/// `duration`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlaneFaultSpec {
    /// Instances stopped at each firing. At least 1, at most the instances
    /// there are; not with `all` or `mtbf`. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// Stop every instance. Not with `mtbf`. Default: `false`.
    #[serde(default)]
    pub all: bool,
    /// Time until they run again. Required.
    #[schemars(extend("examples" = ["15m"]))]
    pub duration: Distribution,
    /// Each instance fails on its own, this long apart on average, for
    /// `duration` each time; without `at` or `every`.
    #[schemars(extend("examples" = ["90d"]))]
    pub mtbf: Option<Mtbf>,
}

/// From `at` on, every container of the workload leaks this much more
/// memory per hour (a bug shipped, a cache without a bound).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemoryLeakSpec {
    /// Whose containers leak. Required; a workload's name.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// Memory each container gains per hour, on top of
    /// `app.memory.leakPerHour`. Required.
    #[schemars(extend("examples" = ["256Mi"]))]
    pub leak_per_hour: Memory,
    /// Time until the extra leak stops (a fix rolled out). Default: none,
    /// to the end of the run.
    #[schemars(extend("examples" = ["6h"]))]
    pub recover_after: Option<Distribution>,
}

/// The app stops answering while its process lives and its port stays open:
/// requests and `httpGet`, `exec` and `grpc` probes fail, `tcpSocket` probes
/// pass.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppHangSpec {
    /// Whose apps hang. Required; a workload's name.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// Apps hung at each firing. At least 1; not with `mtbf`. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// Time to a hang of each pod's app while it runs; without `at` or
    /// `every`.
    #[schemars(extend("examples" = ["7d"]))]
    pub mtbf: Option<Mtbf>,
    /// Time until the app answers again by itself. Default: none, only a
    /// restart ends the hang.
    #[schemars(extend("examples" = ["5m"]))]
    pub recover_after: Option<Distribution>,
}

/// A container exits with an error: its requests in flight are dropped and
/// the kubelet restarts it after the CrashLoopBackOff delay (10 s doubling
/// to 300 s).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodCrashSpec {
    /// Whose pods crash. Required; a workload's name.
    #[schemars(with = "String", extend("examples" = ["web"]))]
    pub workload: Spanned<String>,
    /// Containers crashed at each firing. At least 1; not with `mtbf`.
    /// Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// Time to failure of each pod's container, drawn at every start;
    /// without `at` or `every`.
    #[schemars(extend("examples" = ["7d"]))]
    pub mtbf: Option<Mtbf>,
}

/// A machine stops: its containers die, and after the grace period and the
/// toleration its pods are replaced elsewhere. At most one of `node`, `pool`
/// and `zone`; with none, any node.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(transform = recover_after_alias)]
pub struct NodeCrashSpec {
    /// Crash this node (`<pool>-<n>`).
    #[schemars(with = "Option<String>", extend("examples" = ["workers-1"]))]
    pub node: Option<Spanned<String>>,
    /// Pick among this pool's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["workers"]))]
    pub pool: Option<Spanned<String>>,
    /// Pick among this zone's nodes.
    #[schemars(with = "Option<String>", extend("examples" = ["a"]))]
    pub zone: Option<Spanned<String>>,
    /// Nodes crashed at each firing, picked at random among those up. At
    /// least 1; 1 with `node`; not with `mtbf`. Default: `1`.
    #[schemars(with = "Option<u32>", range(min = 1), extend("examples" = [2]))]
    pub count: Option<Spanned<u32>>,
    /// Time to failure of each targeted node, from the start and from each
    /// recovery; without `at` or `every`, and needs `recoverAfter`.
    #[schemars(extend("examples" = ["30d"]))]
    pub mtbf: Option<Mtbf>,
    /// Time until a crashed node comes back, drawn per crash; also written
    /// `repair`. Default: none, the node is lost for good.
    #[serde(alias = "repair")]
    #[schemars(extend("examples" = [{"lognormal": {"median": "20m", "sigma": 0.5}}]))]
    pub recover_after: Option<Distribution>,
}

/// serde's `alias` is invisible to schemars: `repair` is given the schema of
/// `recoverAfter`, and the two are not allowed together, as serde refuses a
/// duplicate field.
fn recover_after_alias(schema: &mut schemars::Schema) {
    let Some(properties) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    if let Some(recover_after) = properties.get("recoverAfter").cloned() {
        let mut repair = recover_after;
        if let Some(object) = repair.as_object_mut() {
            object.remove("examples");
            object.insert(
                "description".into(),
                "Another name for `recoverAfter`; not with it.".into(),
            );
        }
        properties.insert("repair".into(), repair);
        schema.insert(
            "not".into(),
            serde_json::json!({ "required": ["recoverAfter", "repair"] }),
        );
    }
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

impl JsonSchema for Mtbf {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Mtbf".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "title": "mtbf",
            "description": "Mean time between failures of each target, greater than zero: a \
                            plain duration is the mean of an exponential (memoryless) time to \
                            failure (`7d` is `{exponential: 7d}`); a distribution gives the time \
                            to failure itself.",
            "allOf": [generator.subschema_for::<Distribution>()],
            "not": { "anyOf": [{ "const": 0 }, { "type": "string", "pattern": "^[^1-9]*$" }] },
            "examples": ["7d", {"weibull": {"scale": "30d", "shape": 0.7}}]
        })
    }
}

/// The targets the report checks; each is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SloSpec {
    /// The share of successful requests, all workloads together, must be at
    /// least this. Default: none, not checked.
    #[schemars(extend("examples" = ["99.9%"]))]
    pub request_availability: Option<Percent>,
    /// The share of time with every workload up (at least `minReady`
    /// endpoints serving) must be at least this. Default: none.
    #[schemars(extend("examples" = ["99.99%"]))]
    pub uptime: Option<Percent>,
    /// Requests dropped in flight (by crashes, OOM kills, node losses and
    /// SIGKILLs) must be at most this. Default: none.
    #[schemars(extend("examples" = [100]))]
    pub max_dropped_in_flight: Option<u64>,
    /// The longest incident must last at most this. Default: none.
    #[schemars(extend("examples" = ["5m"]))]
    pub max_outage: Option<Duration>,
    /// Whether the scenario should meet its SLO; a scenario that
    /// demonstrates a pitfall expects `violated`. Default: `met`.
    #[serde(default)]
    #[schemars(extend("default" = "met"))]
    pub expect: SloExpectation,
}

/// Whether the scenario should meet its SLO, or demonstrates a pitfall
/// that violates it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SloExpectation {
    /// The SLO holds; `nines check` fails when it does not.
    #[default]
    Met,
    /// The SLO is missed; `nines check` fails when it holds.
    Violated,
}
