//! Checks of a workload's HorizontalPodAutoscaler and PodDisruptionBudget,
//! with the API server's own validation rules where it has them.

use serde_saphyr::Spanned;

use super::Checker;
use crate::scenario::file;
use crate::scenario::*;

/// The one `Pods` metric the model produces: what each pod receives.
const REQUESTS_PER_SECOND: &str = "requests_per_second";

impl Checker {
    /// `replicas` is where the Deployment starts; the HPA's bounds must
    /// allow it, since the HPA would otherwise rescale at its first sync.
    pub(super) fn hpa(
        &mut self,
        path: &str,
        spec: &Spanned<file::HpaSpec>,
        replicas: &Spanned<u32>,
        requests: Resources,
    ) -> Option<Hpa> {
        let path = format!("{path}.autoscaling");
        let s = &spec.value;
        let min_replicas = match &s.min_replicas {
            Some(m) if m.value == 0 => {
                // HPAScaleToZero is an alpha feature gate; upstream rejects 0.
                self.report_at(
                    Code::OutOfRange,
                    format!("{path}.minReplicas"),
                    m,
                    "must be at least 1 (scaling to zero needs the alpha HPAScaleToZero gate)",
                );
                1
            }
            Some(m) => m.value,
            None => defaults::HPA_MIN_REPLICAS,
        };
        let max_replicas = s.max_replicas.value;
        if max_replicas < min_replicas {
            self.report_at(
                Code::MinAboveMax,
                format!("{path}.maxReplicas"),
                &s.max_replicas,
                format!("{max_replicas} is less than `minReplicas` ({min_replicas})"),
            );
        }
        if replicas.value < min_replicas || replicas.value > max_replicas {
            let workload = path.trim_end_matches(".autoscaling");
            self.report_at(Code::OutsideBounds, format!("{workload}.replicas"), replicas, format!(
                    "the workload starts with {} replicas, outside its HPA's bounds {min_replicas}..={max_replicas}",
                    replicas.value
                ));
        }
        let metrics = match &s.metrics {
            Some(list) if list.is_empty() => {
                self.report_at(
                    Code::EmptyList,
                    format!("{path}.metrics"),
                    spec,
                    "needs at least one metric, or leave it out for 80% CPU",
                );
                Vec::new()
            }
            Some(list) => list
                .iter()
                .enumerate()
                .filter_map(|(i, m)| self.hpa_metric(&format!("{path}.metrics[{i}]"), m, requests))
                .collect(),
            None => {
                let metric = HpaMetric::Resource {
                    resource: ResourceName::Cpu,
                    target: ResourceTarget::Utilization(defaults::HPA_CPU_UTILIZATION),
                };
                self.check_request(&path, spec, &metric, requests);
                vec![metric]
            }
        };
        let default =
            HpaBehavior::kubernetes_default(self.hpa_downscale_stabilization, self.hpa_tolerance);
        let behavior = s.behavior.as_ref();
        let scale_up = self.scaling_rules(
            &format!("{path}.behavior.scaleUp"),
            behavior.and_then(|b| b.scale_up.as_ref()),
            default.scale_up,
        );
        let scale_down = self.scaling_rules(
            &format!("{path}.behavior.scaleDown"),
            behavior.and_then(|b| b.scale_down.as_ref()),
            default.scale_down,
        );
        Some(Hpa {
            min_replicas,
            max_replicas,
            metrics,
            behavior: HpaBehavior {
                scale_up,
                scale_down,
            },
        })
    }

    fn hpa_metric(
        &mut self,
        path: &str,
        spec: &Spanned<file::MetricSpec>,
        requests: Resources,
    ) -> Option<HpaMetric> {
        let m = &spec.value;
        let metric = match m.kind {
            file::MetricSourceType::Resource => {
                let Some(source) = &m.resource else {
                    self.report_at(
                        Code::MissingCompanion,
                        path,
                        spec,
                        "a `Resource` metric needs `resource`",
                    );
                    return None;
                };
                let resource = match source.name.as_str() {
                    "cpu" => ResourceName::Cpu,
                    "memory" => ResourceName::Memory,
                    other => {
                        self.report_at(
                            Code::NotModelled,
                            format!("{path}.resource.name"),
                            spec,
                            format!("unknown resource `{other}`; the model has `cpu` and `memory`"),
                        );
                        return None;
                    }
                };
                let target = &source.target;
                let target = match (
                    target.kind,
                    target.average_utilization,
                    target.average_value,
                ) {
                    (file::MetricTargetType::Utilization, Some(u), None) if u > 0 => {
                        ResourceTarget::Utilization(u)
                    }
                    (file::MetricTargetType::AverageValue, None, Some(v)) if v.millis() > 0 => {
                        ResourceTarget::AverageValue(match resource {
                            ResourceName::Cpu => v.millis() as f64,
                            ResourceName::Memory => v.value() as f64,
                        })
                    }
                    _ => {
                        self.report_at(Code::InvalidValue, format!("{path}.resource.target"), spec, "a resource target is `{type: Utilization, averageUtilization: N}` \
                             (N > 0, percent of the request) or `{type: AverageValue, averageValue: Q}` (Q > 0)");
                        return None;
                    }
                };
                HpaMetric::Resource { resource, target }
            }
            file::MetricSourceType::Pods => {
                let Some(source) = &m.pods else {
                    self.report_at(
                        Code::MissingCompanion,
                        path,
                        spec,
                        "a `Pods` metric needs `pods`",
                    );
                    return None;
                };
                if source.metric.name != REQUESTS_PER_SECOND {
                    self.report_at(
                        Code::NotModelled,
                        format!("{path}.pods.metric.name"),
                        spec,
                        format!(
                            "unknown metric `{}`; the model produces `{REQUESTS_PER_SECOND}`",
                            source.metric.name
                        ),
                    );
                    return None;
                }
                match (source.target.kind, source.target.average_value) {
                    (file::MetricTargetType::AverageValue, Some(v)) if v.millis() > 0 => {
                        HpaMetric::RequestsPerSecond {
                            average_value: v.millis() as f64 / 1000.0,
                        }
                    }
                    _ => {
                        self.report_at(Code::InvalidValue, format!("{path}.pods.target"), spec, "a `Pods` metric's target is `{type: AverageValue, averageValue: Q}` with Q > 0");
                        return None;
                    }
                }
            }
            other => {
                self.report_at(
                    Code::NotModelled,
                    format!("{path}.type"),
                    spec,
                    format!("`{other:?}` metrics are not modelled; use `Resource` or `Pods`"),
                );
                return None;
            }
        };
        if (m.resource.is_some() && m.kind != file::MetricSourceType::Resource)
            || (m.pods.is_some() && m.kind != file::MetricSourceType::Pods)
        {
            self.report_at(
                Code::Conflict,
                path,
                spec,
                format!("a `{:?}` metric has only the source of its type", m.kind),
            );
        }
        self.check_request(path, spec, &metric, requests);
        Some(metric)
    }

    /// A `Utilization` target is a percentage of the request: without a
    /// request the HPA reports `FailedGetResourceMetric` and never scales.
    fn check_request<T>(
        &mut self,
        path: &str,
        at: &Spanned<T>,
        metric: &HpaMetric,
        requests: Resources,
    ) {
        if let HpaMetric::Resource {
            resource,
            target: ResourceTarget::Utilization(_),
        } = metric
        {
            let request = match resource {
                ResourceName::Cpu => requests.cpu_millis,
                ResourceName::Memory => requests.memory_bytes,
            };
            if request == 0 {
                let name = resource.name();
                self.report_at(
                    Code::MissingCompanion,
                    path,
                    at,
                    format!(
                        "a {name} utilization target needs a {name} request \
                         (`resources.requests.{name}`): utilization is a percentage of it"
                    ),
                );
            }
        }
    }

    fn scaling_rules(
        &mut self,
        path: &str,
        spec: Option<&file::ScalingRulesSpec>,
        default: ScalingRules,
    ) -> ScalingRules {
        let Some(spec) = spec else {
            return default;
        };
        let stabilization_window = match &spec.stabilization_window_seconds {
            Some(s) if s.value > 3600 => {
                self.report_at(
                    Code::OutOfRange,
                    format!("{path}.stabilizationWindowSeconds"),
                    s,
                    format!("{} is more than the API's maximum of 3600", s.value),
                );
                default.stabilization_window
            }
            Some(s) => SimDuration::from_secs(u64::from(s.value)),
            None => default.stabilization_window,
        };
        let policies = match &spec.policies {
            Some(list) if list.is_empty() => {
                self.report(
                    Code::EmptyList,
                    format!("{path}.policies"),
                    "must hold at least one policy, or be left out",
                );
                default.policies
            }
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let v = &p.value;
                    if v.value == 0 {
                        self.report_at(
                            Code::OutOfRange,
                            format!("{path}.policies[{i}].value"),
                            p,
                            "must be greater than 0",
                        );
                    }
                    if v.period_seconds == 0 || v.period_seconds > 1800 {
                        self.report_at(
                            Code::OutOfRange,
                            format!("{path}.policies[{i}].periodSeconds"),
                            p,
                            format!("must be in 1..=1800, got {}", v.period_seconds),
                        );
                    }
                    ScalingPolicy {
                        kind: match v.kind {
                            file::PolicyTypeSpec::Pods => PolicyKind::Pods,
                            file::PolicyTypeSpec::Percent => PolicyKind::Percent,
                        },
                        value: v.value,
                        period: SimDuration::from_secs(u64::from(v.period_seconds)),
                    }
                })
                .collect(),
            None => default.policies,
        };
        let tolerance = match spec.tolerance {
            Some(t) if !(t.is_finite() && (0.0..1.0).contains(&t)) => {
                self.report(
                    Code::OutOfRange,
                    format!("{path}.tolerance"),
                    format!("must be a fraction in [0, 1), got `{t}`"),
                );
                default.tolerance
            }
            Some(t) => t,
            None => default.tolerance,
        };
        ScalingRules {
            stabilization_window,
            select_policy: match spec.select_policy {
                Some(file::SelectPolicySpec::Min) => SelectPolicy::Min,
                Some(file::SelectPolicySpec::Disabled) => SelectPolicy::Disabled,
                Some(file::SelectPolicySpec::Max) | None => SelectPolicy::Max,
            },
            policies,
            tolerance,
        }
    }

    pub(super) fn disruption_budget(
        &mut self,
        path: &str,
        spec: &Spanned<file::DisruptionBudgetSpec>,
    ) -> Option<DisruptionBudget> {
        match (spec.value.min_available, spec.value.max_unavailable) {
            (Some(n), None) => Some(DisruptionBudget::MinAvailable(n)),
            (None, Some(n)) => Some(DisruptionBudget::MaxUnavailable(n)),
            _ => {
                self.report_at(
                    Code::ExactlyOne,
                    format!("{path}.disruptionBudget"),
                    spec,
                    "a PodDisruptionBudget has exactly one of `minAvailable` and `maxUnavailable`",
                );
                None
            }
        }
    }
}
