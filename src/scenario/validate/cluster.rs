//! Checks of the cluster: settings, node pools and zones, the control plane.

use super::{Checker, dns_label, in_all};
use crate::limits::over_limit;
use crate::scenario::file;
use crate::scenario::*;

impl Checker {
    pub(super) fn settings(&mut self, s: &file::SettingsSpec) -> Settings {
        let rate = |c: &mut Self, name: &str, v: Option<f64>, default: f64| {
            let v = v.unwrap_or(default);
            if !(v.is_finite() && v >= 0.0) {
                c.report(
                    Code::OutOfRange,
                    format!("cluster.settings.{name}"),
                    format!("must be a non-negative number of nodes per second, got `{v}`"),
                );
            }
            v
        };
        let threshold = s
            .unhealthy_zone_threshold
            .unwrap_or(defaults::UNHEALTHY_ZONE_THRESHOLD);
        if !(threshold > 0.0 && threshold <= 1.0) {
            self.report(
                Code::OutOfRange,
                "cluster.settings.unhealthyZoneThreshold",
                format!("must be a fraction in (0, 1], got `{threshold}`"),
            );
        }
        let utilization = s
            .scale_down_utilization_threshold
            .unwrap_or(defaults::CA_SCALE_DOWN_UTILIZATION_THRESHOLD);
        if !(utilization > 0.0 && utilization <= 1.0) {
            self.report(
                Code::OutOfRange,
                "cluster.settings.scaleDownUtilizationThreshold",
                format!("must be a fraction in (0, 1], got `{utilization}`"),
            );
        }
        let tolerance = s
            .horizontal_pod_autoscaler_tolerance
            .unwrap_or(defaults::HPA_TOLERANCE);
        if !(tolerance.is_finite() && (0.0..1.0).contains(&tolerance)) {
            self.report(
                Code::OutOfRange,
                "cluster.settings.horizontalPodAutoscalerTolerance",
                format!("must be a fraction in [0, 1), got `{tolerance}`"),
            );
        }
        self.hpa_tolerance = tolerance;
        self.hpa_downscale_stabilization = s
            .horizontal_pod_autoscaler_downscale_stabilization
            .map_or(defaults::HPA_DOWNSCALE_STABILIZATION, |d| d.get());
        Settings {
            node_monitor_grace_period: s
                .node_monitor_grace_period
                .map_or(defaults::NODE_MONITOR_GRACE_PERIOD, |d| d.get()),
            node_monitor_period: s
                .node_monitor_period
                .map_or(defaults::NODE_MONITOR_PERIOD, |d| d.get()),
            node_lease_duration: s
                .node_lease_duration
                .map_or(defaults::NODE_LEASE_DURATION, |d| d.get()),
            not_ready_toleration: SimDuration::from_secs(
                s.not_ready_toleration_seconds
                    .unwrap_or(defaults::NOT_READY_TOLERATION_SECONDS),
            ),
            unreachable_toleration: SimDuration::from_secs(
                s.unreachable_toleration_seconds
                    .unwrap_or(defaults::UNREACHABLE_TOLERATION_SECONDS),
            ),
            node_eviction_rate: rate(
                self,
                "nodeEvictionRate",
                s.node_eviction_rate,
                defaults::NODE_EVICTION_RATE,
            ),
            secondary_node_eviction_rate: rate(
                self,
                "secondaryNodeEvictionRate",
                s.secondary_node_eviction_rate,
                defaults::SECONDARY_NODE_EVICTION_RATE,
            ),
            unhealthy_zone_threshold: threshold,
            large_cluster_size_threshold: s
                .large_cluster_size_threshold
                .unwrap_or(defaults::LARGE_CLUSTER_SIZE_THRESHOLD),
            endpoint_propagation_delay: s
                .endpoint_propagation_delay
                .map_or(defaults::ENDPOINT_PROPAGATION_DELAY, |d| d.get()),
            hpa_sync_period: s
                .horizontal_pod_autoscaler_sync_period
                .map_or(defaults::HPA_SYNC_PERIOD, |d| d.get()),
            hpa_cpu_initialization_period: s
                .horizontal_pod_autoscaler_cpu_initialization_period
                .map_or(defaults::HPA_CPU_INITIALIZATION_PERIOD, |d| d.get()),
            hpa_initial_readiness_delay: s
                .horizontal_pod_autoscaler_initial_readiness_delay
                .map_or(defaults::HPA_INITIAL_READINESS_DELAY, |d| d.get()),
            metric_resolution: s
                .metric_resolution
                .map_or(defaults::METRIC_RESOLUTION, |d| d.get()),
            scan_interval: s
                .scan_interval
                .map_or(defaults::CA_SCAN_INTERVAL, |d| d.get()),
            scale_down_unneeded_time: s
                .scale_down_unneeded_time
                .map_or(defaults::CA_SCALE_DOWN_UNNEEDED_TIME, |d| d.get()),
            scale_down_delay_after_add: s
                .scale_down_delay_after_add
                .map_or(defaults::CA_SCALE_DOWN_DELAY_AFTER_ADD, |d| d.get()),
            scale_down_utilization_threshold: utilization,
            max_node_provision_time: s
                .max_node_provision_time
                .map_or(defaults::CA_MAX_NODE_PROVISION_TIME, |d| d.get()),
        }
    }

    pub(super) fn cluster(
        &mut self,
        c: &file::ClusterSpec,
    ) -> (
        Vec<String>,
        Vec<String>,
        Vec<Option<NodeGroup>>,
        Vec<NodeSpec>,
    ) {
        if let Some(cp) = &c.control_plane {
            if let Some(m) = &cp.managed {
                let sla = m.sla.fraction();
                if !(sla > 0.0 && sla < 1.0) {
                    self.report(
                        Code::OutOfRange,
                        "cluster.controlPlane.managed.sla",
                        format!("must be above 0% and below 100%, got `{}`", m.sla),
                    );
                }
                if m.outage.is_some_and(|o| o.mean().is_zero()) {
                    self.report(
                        Code::OutOfRange,
                        "cluster.controlPlane.managed.outage",
                        "an outage must last some time",
                    );
                }
            }
            let stacked = cp.topology != Some(file::Topology::External);
            if stacked
                && cp.managed.is_none()
                && cp.api_servers.unwrap_or(1) != cp.etcd_members.unwrap_or(1)
            {
                self.report(Code::Conflict, "cluster.controlPlane", "in the stacked topology (the default) each control-plane node runs an API server and \
                     an etcd member, so `apiServers` and `etcdMembers` are equal; say `topology: external` \
                     for etcd on hosts of its own");
            }
            if cp.managed.is_some() && (cp.api_servers.is_some() || cp.etcd_members.is_some()) {
                self.report(
                    Code::Conflict,
                    "cluster.controlPlane",
                    "a `managed` control plane has no `apiServers` or `etcdMembers` to set",
                );
            }
            for (field, n) in [
                ("apiServers", cp.api_servers),
                ("etcdMembers", cp.etcd_members),
            ] {
                if n == Some(0) {
                    self.report(
                        Code::OutOfRange,
                        format!("cluster.controlPlane.{field}"),
                        "must be at least 1",
                    );
                }
            }
        }
        if c.node_pools.is_empty() {
            self.report(
                Code::EmptyList,
                "cluster.nodePools",
                "a cluster needs at least one node pool",
            );
        }
        let mut zones: Vec<String> = Vec::new();
        // Each zone's place in `zones`, found without a scan of them.
        let mut zone_index: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        let mut pools: Vec<String> = Vec::new();
        let mut node_groups = Vec::new();
        let mut nodes = Vec::new();
        let mut total_nodes = 0u64;
        for (p, pool) in c.node_pools.iter().enumerate() {
            let path = format!("cluster.nodePools[{p}]");
            let name = pool.name.value.clone();
            if let Err(why) = dns_label(&name) {
                self.report_at(Code::InvalidName, format!("{path}.name"), &pool.name, why);
            }
            if pools.contains(&name) {
                self.report_at(
                    Code::DuplicateName,
                    format!("{path}.name"),
                    &pool.name,
                    format!("duplicate pool `{name}`"),
                );
            }
            let group = self.node_group(&path, pool);
            let initial = u64::from(pool.count.value);
            if initial == 0 && group.is_none() {
                self.report_at(
                    Code::OutOfRange,
                    format!("{path}.count"),
                    &pool.count,
                    "a pool needs at least one node",
                );
            }
            let count = group
                .as_ref()
                .map_or(initial, |g| initial.max(u64::from(g.max_nodes)));
            if total_nodes + count > self.limits.nodes {
                self.report_at(
                    Code::OverLimit,
                    format!("{path}.count"),
                    &pool.count,
                    format!(
                        "{}: {}",
                        in_all(count, total_nodes + count, "nodes"),
                        over_limit(self.limits.nodes, "--max-nodes")
                    ),
                );
                pools.push(name);
                node_groups.push(None);
                continue;
            }
            total_nodes += count;
            let allocatable = Resources {
                cpu_millis: pool.allocatable.value.cpu.map_or(0, |c| c.millicores()),
                memory_bytes: pool.allocatable.value.memory.map_or(0, |m| m.bytes()),
            };
            if allocatable.cpu_millis == 0 || allocatable.memory_bytes == 0 {
                self.report_at(Code::MissingCompanion, format!("{path}.allocatable"), &pool.allocatable, "needs both `cpu` and `memory`, greater than zero (e.g. `{cpu: \"4\", memory: 16Gi}`)");
            }
            let pool_zones = match &pool.zones {
                Some(z) if z.value.is_empty() => {
                    self.report_at(
                        Code::EmptyList,
                        format!("{path}.zones"),
                        z,
                        "must list at least one zone, or be left out",
                    );
                    vec![defaults::ZONE.to_string()]
                }
                Some(z) => {
                    // A set, not a scan of the zones before: a generated
                    // file may list thousands.
                    let mut seen = std::collections::BTreeSet::new();
                    for (i, zone) in z.value.iter().enumerate() {
                        if !seen.insert(zone) {
                            self.report_at(
                                Code::DuplicateName,
                                format!("{path}.zones[{i}]"),
                                z,
                                format!("zone `{zone}` is listed twice"),
                            );
                        }
                    }
                    z.value.clone()
                }
                None => vec![defaults::ZONE.to_string()],
            };
            let longest_node_name = name.len() + 1 + count.to_string().len();
            if longest_node_name > 63 {
                self.report_at(
                    Code::InvalidName,
                    format!("{path}.name"),
                    &pool.name,
                    format!(
                        "node names `{name}-<n>` would be longer than Kubernetes' 63 characters"
                    ),
                );
            }
            let zone_ids: Vec<usize> = pool_zones
                .iter()
                .map(|z| {
                    *zone_index.entry(z.clone()).or_insert_with(|| {
                        zones.push(z.clone());
                        zones.len() - 1
                    })
                })
                .collect();
            for n in 0..count as usize {
                nodes.push(NodeSpec {
                    name: format!("{name}-{}", n + 1),
                    pool: p,
                    zone: zone_ids[n % zone_ids.len()],
                    allocatable,
                    initial: (n as u64) < initial,
                });
            }
            pools.push(name);
            node_groups.push(group);
        }
        (zones, pools, node_groups, nodes)
    }

    /// The pool's node group: `count` is where it starts, between the bounds.
    fn node_group(&mut self, path: &str, pool: &file::NodePoolSpec) -> Option<NodeGroup> {
        if pool.provisioning_time.is_some() && pool.autoscaling.is_none() {
            self.report(
                Code::Conflict,
                format!("{path}.provisioningTime"),
                "only a pool with `autoscaling` gets new nodes",
            );
        }
        let spec = pool.autoscaling.as_ref()?;
        let (min, max) = (spec.value.min_nodes.value, spec.value.max_nodes.value);
        if max == 0 {
            self.report_at(
                Code::OutOfRange,
                format!("{path}.autoscaling.maxNodes"),
                &spec.value.max_nodes,
                "must be at least 1",
            );
        }
        if min > max {
            self.report_at(
                Code::MinAboveMax,
                format!("{path}.autoscaling.minNodes"),
                &spec.value.min_nodes,
                format!("{min} is more than `maxNodes` ({max})"),
            );
        }
        let count = pool.count.value;
        if count < min || count > max {
            self.report_at(Code::OutsideBounds, format!("{path}.count"), &pool.count, format!(
                    "the pool starts with {count} node{}, outside its autoscaling bounds {min}..={max}",
                    if count == 1 { "" } else { "s" }
                ));
        }
        Some(NodeGroup {
            min_nodes: min,
            max_nodes: max,
            provisioning_time: pool.provisioning_time.unwrap_or(Distribution::Uniform {
                low: defaults::NODE_PROVISIONING_MIN,
                high: defaults::NODE_PROVISIONING_MAX,
            }),
        })
    }
}
