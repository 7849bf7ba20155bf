//! The autoscalers of a validated scenario: a HorizontalPodAutoscaler
//! (autoscaling/v2) per workload that has one, and the cluster autoscaler's
//! bounds per node pool. Defaults are resolved here, so the model reads
//! every field as Kubernetes would after defaulting.

use crate::sim::SimDuration;
use crate::units::Distribution;

/// A HorizontalPodAutoscaler on the workload's Deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Hpa {
    pub min_replicas: u32,
    pub max_replicas: u32,
    /// At least one: without `metrics` Kubernetes defaults to 80 % CPU.
    pub metrics: Vec<HpaMetric>,
    pub behavior: HpaBehavior,
}

impl Hpa {
    /// Whether a `Resource` metric of this resource is among the metrics.
    pub fn uses(&self, resource: ResourceName) -> bool {
        self.metrics
            .iter()
            .any(|m| matches!(m, HpaMetric::Resource { resource: r, .. } if *r == resource))
    }
}

/// What one metric asks for: with several, the largest proposal wins.
#[derive(Debug, Clone, PartialEq)]
pub enum HpaMetric {
    /// A `Resource` metric: the pods' CPU or memory usage, from metrics-server.
    Resource {
        resource: ResourceName,
        target: ResourceTarget,
    },
    /// A `Pods` metric: requests per second each pod receives, averaged.
    /// The only custom metric the model can produce.
    RequestsPerSecond { average_value: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceName {
    Cpu,
    Memory,
}

impl ResourceName {
    pub fn name(self) -> &'static str {
        match self {
            ResourceName::Cpu => "cpu",
            ResourceName::Memory => "memory",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ResourceTarget {
    /// `averageUtilization`: percent of the pods' request.
    Utilization(u32),
    /// `averageValue`: millicores for CPU, bytes for memory, per pod.
    AverageValue(f64),
}

/// `spec.behavior`, with Kubernetes' defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct HpaBehavior {
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

/// `HPAScalingRules`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingRules {
    pub stabilization_window: SimDuration,
    pub select_policy: SelectPolicy,
    pub policies: Vec<ScalingPolicy>,
    /// The band around 1.0 of the usage ratio inside which nothing scales:
    /// the rule's `tolerance` (KEP-4951) or the controller's
    /// `--horizontal-pod-autoscaler-tolerance`.
    pub tolerance: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy allowing the largest change (the default).
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub kind: PolicyKind,
    pub value: u32,
    pub period: SimDuration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Pods,
    Percent,
}

impl HpaBehavior {
    /// `pkg/apis/autoscaling/v2/defaults.go`: scale up by the larger of 4
    /// pods or 100 % every 15 s at once; scale down by up to 100 % every
    /// 15 s, after the controller's downscale stabilization window.
    pub fn kubernetes_default(downscale_stabilization: SimDuration, tolerance: f64) -> Self {
        let period = SimDuration::from_secs(15);
        HpaBehavior {
            scale_up: ScalingRules {
                stabilization_window: SimDuration::ZERO,
                select_policy: SelectPolicy::Max,
                policies: vec![
                    ScalingPolicy {
                        kind: PolicyKind::Pods,
                        value: 4,
                        period,
                    },
                    ScalingPolicy {
                        kind: PolicyKind::Percent,
                        value: 100,
                        period,
                    },
                ],
                tolerance,
            },
            scale_down: ScalingRules {
                stabilization_window: downscale_stabilization,
                select_policy: SelectPolicy::Max,
                policies: vec![ScalingPolicy {
                    kind: PolicyKind::Percent,
                    value: 100,
                    period,
                }],
                tolerance,
            },
        }
    }
}

/// The cluster autoscaler's node group for one pool.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroup {
    pub min_nodes: u32,
    pub max_nodes: u32,
    /// From the cloud's scale-up request to a Ready node.
    pub provisioning_time: Distribution,
}
