//! Every default in one place, each named after the Kubernetes flag or field
//! it mirrors (`../shared/k8s-reference.md`). A user who knows Kubernetes
//! finds here the numbers their own cluster runs with.

use crate::sim::SimDuration;

/// kube-controller-manager `--node-monitor-grace-period`: 50 s since v1.32
/// (40 s before).
pub const NODE_MONITOR_GRACE_PERIOD: SimDuration = SimDuration::from_secs(50);

/// kube-controller-manager `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD: SimDuration = SimDuration::from_secs(5);

/// kubelet `nodeLeaseDurationSeconds`.
pub const NODE_LEASE_DURATION: SimDuration = SimDuration::from_secs(40);

/// The kubelet renews its Lease every `nodeLeaseDurationSeconds × 0.25`
/// (`nodeLeaseRenewIntervalFraction` in kubelet.go): 10 s by default.
pub const NODE_LEASE_RENEW_FRACTION_DIVISOR: u64 = 4;

/// kube-apiserver `--default-not-ready-toleration-seconds`.
pub const NOT_READY_TOLERATION_SECONDS: u64 = 300;

/// kube-apiserver `--default-unreachable-toleration-seconds`.
pub const UNREACHABLE_TOLERATION_SECONDS: u64 = 300;

/// kube-controller-manager `--node-eviction-rate`, nodes per second per zone.
pub const NODE_EVICTION_RATE: f64 = 0.1;

/// kube-controller-manager `--secondary-node-eviction-rate`.
pub const SECONDARY_NODE_EVICTION_RATE: f64 = 0.01;

/// kube-controller-manager `--unhealthy-zone-threshold`.
pub const UNHEALTHY_ZONE_THRESHOLD: f64 = 0.55;

/// kube-controller-manager `--large-cluster-size-threshold`.
pub const LARGE_CLUSTER_SIZE_THRESHOLD: u32 = 50;

/// Time for an endpoint change to reach every kube-proxy: kube-proxy's
/// `--iptables-min-sync-period` (1 s); the EndpointSlice controller's own
/// batching is 0 by default.
pub const ENDPOINT_PROPAGATION_DELAY: SimDuration = SimDuration::from_secs(1);

/// kube-controller-manager `--horizontal-pod-autoscaler-sync-period`.
pub const HPA_SYNC_PERIOD: SimDuration = SimDuration::from_secs(15);

/// kube-controller-manager `--horizontal-pod-autoscaler-tolerance`.
pub const HPA_TOLERANCE: f64 = 0.1;

/// kube-controller-manager `--horizontal-pod-autoscaler-downscale-stabilization`.
pub const HPA_DOWNSCALE_STABILIZATION: SimDuration = SimDuration::from_secs(300);

/// kube-controller-manager `--horizontal-pod-autoscaler-cpu-initialization-period`.
pub const HPA_CPU_INITIALIZATION_PERIOD: SimDuration = SimDuration::from_secs(300);

/// kube-controller-manager `--horizontal-pod-autoscaler-initial-readiness-delay`.
pub const HPA_INITIAL_READINESS_DELAY: SimDuration = SimDuration::from_secs(30);

/// HPA `minReplicas` when unset.
pub const HPA_MIN_REPLICAS: u32 = 1;

/// The HPA's metric when `metrics` is empty: 80 % average CPU utilization.
pub const HPA_CPU_UTILIZATION: u32 = 80;

/// metrics-server `--metric-resolution` as its official manifest sets it
/// (the binary's own default is 60 s).
pub const METRIC_RESOLUTION: SimDuration = SimDuration::from_secs(15);

/// cluster-autoscaler `--scan-interval`.
pub const CA_SCAN_INTERVAL: SimDuration = SimDuration::from_secs(10);

/// cluster-autoscaler `--scale-down-unneeded-time`.
pub const CA_SCALE_DOWN_UNNEEDED_TIME: SimDuration = SimDuration::from_secs(600);

/// cluster-autoscaler `--scale-down-delay-after-add`.
pub const CA_SCALE_DOWN_DELAY_AFTER_ADD: SimDuration = SimDuration::from_secs(600);

/// cluster-autoscaler `--scale-down-utilization-threshold`.
pub const CA_SCALE_DOWN_UTILIZATION_THRESHOLD: f64 = 0.5;

/// cluster-autoscaler `--max-scale-down-parallelism`: node removals in
/// progress at once, empty and drained.
pub const CA_MAX_SCALE_DOWN_PARALLELISM: usize = 10;

/// cluster-autoscaler `--max-drain-parallelism`: nodes drained at once.
pub const CA_MAX_DRAIN_PARALLELISM: usize = 1;

/// cluster-autoscaler `--max-node-provision-time`.
pub const CA_MAX_NODE_PROVISION_TIME: SimDuration = SimDuration::from_secs(900);

/// cluster-autoscaler `--initial-node-group-backoff-duration`,
/// `--max-node-group-backoff-duration` and
/// `--node-group-backoff-reset-timeout`: a node group whose scale-up failed
/// is not asked again for 5 min, doubling per failure up to 30 min, and
/// forgiven after 3 h without one.
pub const CA_INITIAL_NODE_GROUP_BACKOFF: SimDuration = SimDuration::from_secs(300);
pub const CA_MAX_NODE_GROUP_BACKOFF: SimDuration = SimDuration::from_secs(1800);
pub const CA_NODE_GROUP_BACKOFF_RESET: SimDuration = SimDuration::from_secs(3 * 3600);

/// From a scale-up request to a Ready node: "about 3–4 min on GCE" (the
/// cluster autoscaler's FAQ); no upstream figure exists for other clouds.
pub const NODE_PROVISIONING_MIN: SimDuration = SimDuration::from_secs(180);
pub const NODE_PROVISIONING_MAX: SimDuration = SimDuration::from_secs(240);

/// Probe fields (`k8s.io/api` core/v1 `Probe`).
pub const PROBE_PERIOD_SECONDS: u32 = 10;
pub const PROBE_TIMEOUT_SECONDS: u32 = 1;
pub const PROBE_SUCCESS_THRESHOLD: u32 = 1;
pub const PROBE_FAILURE_THRESHOLD: u32 = 3;
pub const PROBE_INITIAL_DELAY_SECONDS: u32 = 0;

/// Deployment `strategy.rollingUpdate.maxSurge` and `maxUnavailable`.
pub const MAX_SURGE_PERCENT: f64 = 25.0;
pub const MAX_UNAVAILABLE_PERCENT: f64 = 25.0;

/// Deployment `progressDeadlineSeconds`.
pub const PROGRESS_DEADLINE_SECONDS: u32 = 600;

/// Pod `terminationGracePeriodSeconds`: SIGTERM, then SIGKILL this much later.
pub const TERMINATION_GRACE_PERIOD_SECONDS: u32 = 30;

/// kubelet CrashLoopBackOff: `initialCrashLoopBackOff` 10 s doubling to
/// `MaxCrashLoopBackOff` 300 s, reset after the container runs for twice the
/// cap (10 min) without a problem.
pub const CRASH_LOOP_BACK_OFF_INITIAL: SimDuration = SimDuration::from_secs(10);
pub const CRASH_LOOP_BACK_OFF_MAX: SimDuration = SimDuration::from_secs(300);
pub const CRASH_LOOP_BACK_OFF_RESET: SimDuration = SimDuration::from_secs(600);

/// The app's own behaviour has no Kubernetes default; these are modest
/// figures for a small web service, to be overridden per workload.
pub const APP_IMAGE_PULL: SimDuration = SimDuration::from_secs(10);
pub const APP_STARTUP: SimDuration = SimDuration::from_secs(5);
pub const APP_SERVICE_TIME: SimDuration = SimDuration::from_millis(50);
pub const APP_CPU_PER_REQUEST: SimDuration = SimDuration::from_millis(5);

/// The length of a managed control plane's outage when the scenario does
/// not say: providers publish SLAs, not outage lengths; ten minutes, on
/// average, exponentially distributed.
pub const MANAGED_OUTAGE_MEAN: SimDuration = SimDuration::from_secs(600);

/// Restoring etcd from a snapshot (`etcdutl snapshot restore` on every
/// member, then the control plane restarted) when the scenario does not say.
pub const ETCD_RESTORE_TIME: SimDuration = SimDuration::from_secs(30 * 60);

/// Nodes without `zones` are in one zone of this name.
pub const ZONE: &str = "default";

/// Runs without `seed` in the file or `--seed` on the command line use this.
pub const SEED: u64 = 1;

/// `minReady` when unset: a workload is up while one endpoint serves.
pub const MIN_READY: u32 = 1;
