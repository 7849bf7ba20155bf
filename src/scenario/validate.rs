//! From the file as written to a runnable [`Scenario`]: YAML errors located
//! with their field path, then every semantic check, all problems reported
//! together.

use std::cell::RefCell;

use serde_saphyr::Spanned;

use super::defaults::limits;
use super::error::{Diagnostic, ScenarioError, closest, with_suggestion};
use super::file::{self, ScenarioFile};
use super::*;
use crate::traffic::RateProfile;
use crate::units::Distribution;

pub(super) fn parse(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
    let invalid = |diagnostics| ScenarioError::Invalid {
        file: file_name.to_string(),
        source_text: text.to_string(),
        diagnostics,
    };
    if is_blank(text) {
        return Err(invalid(vec![Diagnostic {
            path: String::new(),
            line: None,
            column: None,
            message: "the scenario is empty: expected a mapping with `name`, `duration`, \
                      `cluster` and `workloads`"
                .into(),
        }]));
    }
    let raw = deserialize(text).map_err(|d| invalid(vec![d]))?;
    let mut checker = Checker::default();
    let scenario = checker.scenario(raw);
    if checker.diagnostics.is_empty() {
        Ok(scenario)
    } else {
        Err(invalid(checker.diagnostics))
    }
}

fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#') || l == "---")
}

/// Deserializes with the field path recorded, so a type error names
/// `workloads[0].readinessProbe.periodSeconds`, not just a line.
fn deserialize(text: &str) -> Result<ScenarioFile, Diagnostic> {
    let failure: RefCell<Option<(String, serde_saphyr::Error)>> = RefCell::new(None);
    let result = serde_saphyr::with_deserializer_from_str(text, |de| {
        serde_path_to_error::deserialize::<_, ScenarioFile>(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let surrogate = <serde_saphyr::Error as serde::de::Error>::custom(inner.to_string());
            *failure.borrow_mut() = Some((path, inner));
            surrogate
        })
    });
    match result {
        Ok(raw) => Ok(raw),
        Err(outer) => {
            let (path, error) = failure.into_inner().unwrap_or((String::new(), outer));
            Err(diagnostic_from_yaml(&path, &error, text))
        }
    }
}

fn diagnostic_from_yaml(path: &str, error: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let location = error.location().filter(|l| l.line() > 0);
    let mut message = error.without_snippet().to_string();
    if let Some(l) = location {
        let suffix = format!(" at line {}, column {}", l.line(), l.column());
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    let message = message.trim_start_matches("error: ");
    let token = location.and_then(|l| token_at(text, l.line(), l.column()));
    Diagnostic {
        path: user_path(path),
        line: location.map(|l| l.line()),
        column: location.map(|l| l.column()),
        message: plain_message(message, token, path),
    }
}

/// The field path as the user wrote it: without the `value` step that a
/// located (`Spanned`) field adds, nor the `?` of a key the parser never
/// finished reading.
fn user_path(path: &str) -> String {
    let mut steps: Vec<&str> = Vec::new();
    for step in path.split('.') {
        // `httpHeaders[i].value` is the one real field named `value`.
        let header_value = steps.last().is_some_and(|s| s.starts_with("httpHeaders["));
        if step.is_empty() || step == "?" || (step == "value" && !header_value) {
            continue;
        }
        steps.push(step);
    }
    steps.join(".")
}

/// The YAML library's wording where it speaks of itself, in the user's terms.
fn plain_message(message: &str, token: Option<String>, path: &str) -> String {
    let token = token.unwrap_or_default();
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key);
        return format!("duplicate key `{key}`: each key may appear once in a mapping");
    }
    if matches!(message, "invalid u32" | "invalid u64" | "invalid u16") {
        return format!("expected a whole number, zero or more, got `{token}`");
    }
    if message.starts_with("non-finite float") {
        return format!("expected a finite number, got `{token}`");
    }
    if message == "expected mapping start" && (path.is_empty() || path == ".") {
        return "a scenario is a mapping with `name`, `duration`, `cluster` and `workloads`"
            .to_string();
    }
    with_suggestion(message)
}

/// The scalar that starts at a line and column, for messages that must quote it.
fn token_at(text: &str, line: u64, column: u64) -> Option<String> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let rest: String = line
        .chars()
        .skip(usize::try_from(column).ok()?.saturating_sub(1))
        .collect();
    let token: String = rest
        .chars()
        .take_while(|c| !matches!(c, ',' | '}' | ']' | '#'))
        .collect();
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}

/// What a fault may name.
#[derive(Clone, Copy)]
struct Targets<'a> {
    workloads: &'a [String],
    nodes: &'a [String],
    pools: &'a [String],
    zones: &'a [String],
    control_plane: ControlPlane,
}

/// Gathers every semantic problem instead of stopping at the first.
#[derive(Default)]
struct Checker {
    diagnostics: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        });
    }

    fn error_at<T>(
        &mut self,
        path: impl Into<String>,
        at: &Spanned<T>,
        message: impl Into<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            path: path.into(),
            line: Some(at.referenced.line()),
            column: Some(at.referenced.column()),
            message: message.into(),
        });
    }

    fn error_near<T>(
        &mut self,
        at: &Spanned<T>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.error_at(path, at, message);
    }

    /// Resolves a name against the valid ones, or reports it with the closest.
    fn resolve(
        &mut self,
        path: &str,
        kind: &str,
        given: &Spanned<String>,
        valid: &[String],
    ) -> Option<usize> {
        if let Some(i) = valid.iter().position(|v| *v == given.value) {
            return Some(i);
        }
        let hint = match closest(&given.value, valid.iter().map(String::as_str)) {
            Some(best) => format!("; did you mean `{best}`?"),
            None if valid.is_empty() => String::new(),
            None => format!(
                "; valid: {}",
                valid
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        self.error_at(
            path,
            given,
            format!("unknown {kind} `{}`{hint}", given.value),
        );
        None
    }

    fn scenario(&mut self, raw: ScenarioFile) -> Scenario {
        if raw.name.value.trim().is_empty() {
            self.error_at("name", &raw.name, "must not be empty");
        }
        let settings = self.settings(&raw.cluster.settings);
        let control_plane = raw.cluster.control_plane.as_ref().map_or(
            ControlPlane {
                api_servers: 1,
                etcd_members: 1,
                managed: None,
                stacked: true,
                backup_interval: None,
                restore_time: Distribution::Fixed(defaults::ETCD_RESTORE_TIME),
            },
            |cp| ControlPlane {
                api_servers: cp.api_servers.unwrap_or(1).max(1),
                etcd_members: cp.etcd_members.unwrap_or(1).max(1),
                stacked: cp.topology != Some(file::Topology::External),
                backup_interval: cp.backup_interval.map(|b| b.get()),
                restore_time: cp
                    .restore_time
                    .unwrap_or(Distribution::Fixed(defaults::ETCD_RESTORE_TIME)),
                managed: cp.managed.as_ref().map(|m| Managed {
                    sla: m.sla.fraction(),
                    outage: m.outage.unwrap_or(Distribution::Exponential {
                        mean: defaults::MANAGED_OUTAGE_MEAN,
                    }),
                }),
            },
        );
        let (zones, pools, nodes) = self.cluster(&raw.cluster);
        let mut workloads = self.workloads(&raw.workloads);
        self.traffic(&raw.traffic, &mut workloads);
        let workload_names: Vec<String> = workloads.iter().map(|w| w.name.clone()).collect();
        let node_names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let faults: Vec<Fault> = raw
            .faults
            .iter()
            .enumerate()
            .take(limits::MAX_FAULTS)
            .filter_map(|(i, f)| {
                let targets = Targets {
                    workloads: &workload_names,
                    nodes: &node_names,
                    pools: &pools,
                    zones: &zones,
                    control_plane,
                };
                self.fault(i, f, &targets)
            })
            .collect();
        self.fault_names_and_times(&raw.faults, raw.duration.value.get());
        let slo = raw.slo.map(|s| self.slo(&s)).unwrap_or_default();
        if raw.duration.value.get() > limits::MAX_DURATION {
            self.error_at(
                "duration",
                &raw.duration,
                format!(
                    "`{}` is longer than the limit of 100 years",
                    raw.duration.value.get()
                ),
            );
        }
        if raw.faults.len() > limits::MAX_FAULTS {
            self.error(
                "faults",
                format!(
                    "{} faults; the limit is {}",
                    raw.faults.len(),
                    limits::MAX_FAULTS
                ),
            );
        }
        Scenario {
            name: raw.name.value,
            description: raw.description,
            duration: raw.duration.value.get(),
            seed: raw.seed,
            cold_start: raw.cold_start,
            zones,
            pools,
            nodes,
            settings,
            control_plane,
            workloads,
            faults,
            slo,
        }
    }

    fn settings(&mut self, s: &file::SettingsSpec) -> Settings {
        let rate = |c: &mut Self, name: &str, v: Option<f64>, default: f64| {
            let v = v.unwrap_or(default);
            if !(v.is_finite() && v >= 0.0) {
                c.error(
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
            self.error(
                "cluster.settings.unhealthyZoneThreshold",
                format!("must be a fraction in (0, 1], got `{threshold}`"),
            );
        }
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
        }
    }

    fn cluster(&mut self, c: &file::ClusterSpec) -> (Vec<String>, Vec<String>, Vec<NodeSpec>) {
        if let Some(cp) = &c.control_plane {
            if let Some(m) = &cp.managed {
                let sla = m.sla.fraction();
                if !(sla > 0.0 && sla < 1.0) {
                    self.error(
                        "cluster.controlPlane.managed.sla",
                        format!("must be above 0% and below 100%, got `{}`", m.sla),
                    );
                }
                if m.outage.is_some_and(|o| o.mean().is_zero()) {
                    self.error(
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
                self.error(
                    "cluster.controlPlane",
                    "in the stacked topology (the default) each control-plane node runs an API server and \
                     an etcd member, so `apiServers` and `etcdMembers` are equal; say `topology: external` \
                     for etcd on hosts of its own",
                );
            }
            if cp.managed.is_some() && (cp.api_servers.is_some() || cp.etcd_members.is_some()) {
                self.error(
                    "cluster.controlPlane",
                    "a `managed` control plane has no `apiServers` or `etcdMembers` to set",
                );
            }
            for (field, n) in [
                ("apiServers", cp.api_servers),
                ("etcdMembers", cp.etcd_members),
            ] {
                if n == Some(0) {
                    self.error(
                        format!("cluster.controlPlane.{field}"),
                        "must be at least 1",
                    );
                }
            }
        }
        if c.node_pools.is_empty() {
            self.error(
                "cluster.nodePools",
                "a cluster needs at least one node pool",
            );
        }
        let mut zones: Vec<String> = Vec::new();
        let mut pools: Vec<String> = Vec::new();
        let mut nodes = Vec::new();
        let mut total_nodes = 0u64;
        for (p, pool) in c.node_pools.iter().enumerate() {
            let path = format!("cluster.nodePools[{p}]");
            let name = pool.name.value.clone();
            if !is_dns_label(&name) {
                self.error_at(
                    format!("{path}.name"),
                    &pool.name,
                    format!("`{name}` is not a valid name: lowercase letters, digits and `-`"),
                );
            }
            if pools.contains(&name) {
                self.error_at(
                    format!("{path}.name"),
                    &pool.name,
                    format!("duplicate pool `{name}`"),
                );
            }
            let count = u64::from(pool.count.value);
            if count == 0 {
                self.error_at(
                    format!("{path}.count"),
                    &pool.count,
                    "a pool needs at least one node",
                );
            }
            if total_nodes + count > limits::MAX_NODES {
                self.error_at(
                    format!("{path}.count"),
                    &pool.count,
                    format!(
                        "{count} nodes make the cluster larger than the limit of {} nodes",
                        limits::MAX_NODES
                    ),
                );
                pools.push(name);
                continue;
            }
            total_nodes += count;
            let allocatable = Resources {
                cpu_millis: pool.allocatable.value.cpu.map_or(0, |c| c.millicores()),
                memory_bytes: pool.allocatable.value.memory.map_or(0, |m| m.bytes()),
            };
            if allocatable.cpu_millis == 0 || allocatable.memory_bytes == 0 {
                self.error_at(
                    format!("{path}.allocatable"),
                    &pool.allocatable,
                    "needs both `cpu` and `memory`, greater than zero (e.g. `{cpu: \"4\", memory: 16Gi}`)",
                );
            }
            let pool_zones = match &pool.zones {
                Some(z) if z.value.is_empty() => {
                    self.error_at(
                        format!("{path}.zones"),
                        z,
                        "must list at least one zone, or be left out",
                    );
                    vec![defaults::ZONE.to_string()]
                }
                Some(z) => {
                    for (i, zone) in z.value.iter().enumerate() {
                        if z.value[..i].contains(zone) {
                            self.error_at(
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
                self.error_at(
                    format!("{path}.name"),
                    &pool.name,
                    format!(
                        "node names `{name}-<n>` would be longer than Kubernetes' 63 characters"
                    ),
                );
            }
            let zone_ids: Vec<usize> = pool_zones
                .iter()
                .map(|z| match zones.iter().position(|known| known == z) {
                    Some(i) => i,
                    None => {
                        zones.push(z.clone());
                        zones.len() - 1
                    }
                })
                .collect();
            for n in 0..count as usize {
                nodes.push(NodeSpec {
                    name: format!("{name}-{}", n + 1),
                    pool: p,
                    zone: zone_ids[n % zone_ids.len()],
                    allocatable,
                });
            }
            pools.push(name);
        }
        (zones, pools, nodes)
    }

    fn workloads(&mut self, specs: &[file::WorkloadSpec]) -> Vec<Workload> {
        if specs.is_empty() {
            self.error("workloads", "a scenario needs at least one workload");
        }
        if specs.len() > limits::MAX_WORKLOADS {
            self.error(
                "workloads",
                format!(
                    "{} workloads; the limit is {}",
                    specs.len(),
                    limits::MAX_WORKLOADS
                ),
            );
        }
        let mut names: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let mut total_pods = 0u64;
        for (i, w) in specs.iter().enumerate().take(limits::MAX_WORKLOADS) {
            let path = format!("workloads[{i}]");
            total_pods += u64::from(w.replicas.value);
            if total_pods > limits::MAX_PODS {
                self.error_at(
                    format!("{path}.replicas"),
                    &w.replicas,
                    format!(
                        "{} replicas make more pods than the limit of {}",
                        w.replicas.value,
                        limits::MAX_PODS
                    ),
                );
            }
            let name = w.name.value.clone();
            if !is_dns_label(&name) {
                self.error_at(
                    format!("{path}.name"),
                    &w.name,
                    format!("`{name}` is not a valid name: lowercase letters, digits and `-`"),
                );
            }
            if names.contains(&name) {
                self.error_at(
                    format!("{path}.name"),
                    &w.name,
                    format!("duplicate workload `{name}`"),
                );
            }
            names.push(name.clone());
            if let Some(policy) = w
                .restart_policy
                .as_ref()
                .filter(|p| p.value != file::RestartPolicy::Always)
            {
                self.error_at(
                    format!("{path}.restartPolicy"),
                    policy,
                    format!(
                        "a workload is a Deployment, whose pods Kubernetes only accepts with \
                         `restartPolicy: Always`; `{:?}` is for Jobs and bare Pods",
                        policy.value
                    ),
                );
            }
            let min_ready = match &w.min_ready {
                Some(m) if m.value == 0 => {
                    self.error_at(format!("{path}.minReady"), m, "must be at least 1");
                    1
                }
                Some(m) if m.value > w.replicas.value => {
                    self.error_at(
                        format!("{path}.minReady"),
                        m,
                        format!(
                            "{} is more than the {} replicas: the workload could never be up",
                            m.value, w.replicas.value
                        ),
                    );
                    m.value
                }
                Some(m) => m.value,
                None => defaults::MIN_READY,
            };
            let resources = |list: &Option<file::ResourceList>| {
                list.as_ref().map_or(Resources::default(), |r| Resources {
                    cpu_millis: r.cpu.map_or(0, |c| c.millicores()),
                    memory_bytes: r.memory.map_or(0, |m| m.bytes()),
                })
            };
            let spec = w.resources.as_ref().map(|r| &r.value);
            let limits = resources(spec.map_or(&None, |r| &r.limits));
            // A limit without a request is also the request, as in Kubernetes.
            let asked = spec.and_then(|r| r.requests.as_ref());
            let requests = Resources {
                cpu_millis: asked
                    .and_then(|r| r.cpu)
                    .map_or(limits.cpu_millis, |c| c.millicores()),
                memory_bytes: asked
                    .and_then(|r| r.memory)
                    .map_or(limits.memory_bytes, |m| m.bytes()),
            };
            for (field, request, limit) in [
                ("cpu", requests.cpu_millis, limits.cpu_millis),
                ("memory", requests.memory_bytes, limits.memory_bytes),
            ] {
                if let Some(at) = w
                    .resources
                    .as_ref()
                    .filter(|_| limit > 0 && request > limit)
                {
                    self.error_at(
                        format!("{path}.resources.requests.{field}"),
                        at,
                        format!("the {field} request is above its limit, which Kubernetes rejects"),
                    );
                }
            }
            let probe =
                |c: &mut Self, field: &str, spec: &Option<Spanned<file::ProbeSpec>>, kind| {
                    spec.as_ref()
                        .and_then(|p| c.probe(&format!("{path}.{field}"), p, kind))
                };
            let startup_probe = probe(self, "startupProbe", &w.startup_probe, ProbeKind::Startup);
            let readiness_probe = probe(
                self,
                "readinessProbe",
                &w.readiness_probe,
                ProbeKind::Readiness,
            );
            let liveness_probe = probe(
                self,
                "livenessProbe",
                &w.liveness_probe,
                ProbeKind::Liveness,
            );
            let app = App {
                image_pull: w
                    .app
                    .image_pull
                    .unwrap_or(Distribution::Fixed(defaults::APP_IMAGE_PULL)),
                startup: w
                    .app
                    .startup
                    .unwrap_or(Distribution::Fixed(defaults::APP_STARTUP)),
                service_time: w
                    .app
                    .service_time
                    .unwrap_or(Distribution::Fixed(defaults::APP_SERVICE_TIME)),
                cpu_per_request: w
                    .app
                    .cpu_per_request
                    .map_or(defaults::APP_CPU_PER_REQUEST, |d| d.get()),
                memory: {
                    let m = w.app.memory.as_ref();
                    let bytes =
                        |v: Option<crate::units::Memory>| v.map_or(0.0, |m| m.bytes() as f64);
                    AppMemory {
                        // An app sized by its request uses it, unless told otherwise.
                        base_bytes: m
                            .and_then(|m| m.base)
                            .map_or(requests.memory_bytes as f64, |b| b.bytes() as f64),
                        leak_per_hour_bytes: bytes(m.and_then(|m| m.leak_per_hour)),
                        per_request_bytes: bytes(m.and_then(|m| m.per_request)),
                    }
                },
            };
            if limits.memory_bytes > 0 && app.memory.base_bytes > limits.memory_bytes as f64 {
                self.error_at(
                    format!("{path}.app.memory.base"),
                    &w.name,
                    "the app starts above its memory limit: it would be OOMKilled at every start",
                );
            }
            out.push(Workload {
                name,
                replicas: w.replicas.value,
                min_ready,
                requests,
                limits,
                startup_probe,
                readiness_probe,
                liveness_probe,
                termination_grace_period: SimDuration::from_secs(u64::from(
                    w.termination_grace_period_seconds
                        .unwrap_or(defaults::TERMINATION_GRACE_PERIOD_SECONDS),
                )),
                app,
                traffic: RateProfile::constant(0.0),
            });
        }
        out
    }

    fn probe(
        &mut self,
        path: &str,
        spanned: &Spanned<file::ProbeSpec>,
        kind: ProbeKind,
    ) -> Option<Probe> {
        let p = &spanned.value;
        let handlers = [
            (p.http_get.is_some(), ProbeHandler::HttpGet),
            (p.tcp_socket.is_some(), ProbeHandler::TcpSocket),
            (p.exec.is_some(), ProbeHandler::Exec),
            (p.grpc.is_some(), ProbeHandler::Grpc),
        ];
        let given: Vec<ProbeHandler> = handlers
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, h)| *h)
            .collect();
        if given.len() != 1 {
            self.error_at(
                path,
                spanned,
                format!(
                    "a probe needs exactly one handler of `httpGet`, `tcpSocket`, `exec`, `grpc`; found {}",
                    given.len()
                ),
            );
            return None;
        }
        let at_least_one =
            |c: &mut Self, field: &str, v: &Option<Spanned<u32>>, default: u32| match v {
                Some(s) if s.value == 0 => {
                    c.error_at(format!("{path}.{field}"), s, "must be at least 1");
                    default
                }
                Some(s) => s.value,
                None => default,
            };
        let period = at_least_one(
            self,
            "periodSeconds",
            &p.period_seconds,
            defaults::PROBE_PERIOD_SECONDS,
        );
        let timeout = at_least_one(
            self,
            "timeoutSeconds",
            &p.timeout_seconds,
            defaults::PROBE_TIMEOUT_SECONDS,
        );
        let success = at_least_one(
            self,
            "successThreshold",
            &p.success_threshold,
            defaults::PROBE_SUCCESS_THRESHOLD,
        );
        let failure = at_least_one(
            self,
            "failureThreshold",
            &p.failure_threshold,
            defaults::PROBE_FAILURE_THRESHOLD,
        );
        if let Some(s) = p
            .success_threshold
            .as_ref()
            .filter(|s| kind != ProbeKind::Readiness && s.value != 1)
        {
            {
                self.error_at(
                    format!("{path}.successThreshold"),
                    s,
                    format!(
                        "must be 1 for a {} probe, as Kubernetes requires; got {}",
                        kind.name().to_lowercase(),
                        s.value
                    ),
                );
            }
        }
        let termination_grace_period = match &p.termination_grace_period_seconds {
            Some(g) if kind == ProbeKind::Readiness => {
                self.error_at(
                    format!("{path}.terminationGracePeriodSeconds"),
                    g,
                    "a readiness probe never kills the container: only liveness and startup probes take it",
                );
                None
            }
            Some(g) if g.value == 0 => {
                self.error_at(
                    format!("{path}.terminationGracePeriodSeconds"),
                    g,
                    "must be at least 1",
                );
                None
            }
            Some(g) => Some(SimDuration::from_secs(u64::from(g.value))),
            None => None,
        };
        Some(Probe {
            termination_grace_period,
            handler: given[0],
            initial_delay: SimDuration::from_secs(u64::from(
                p.initial_delay_seconds
                    .unwrap_or(defaults::PROBE_INITIAL_DELAY_SECONDS),
            )),
            period: SimDuration::from_secs(u64::from(period)),
            timeout: SimDuration::from_secs(u64::from(timeout)),
            success_threshold: success,
            failure_threshold: failure,
        })
    }

    fn traffic(&mut self, specs: &[file::TrafficSpec], workloads: &mut [Workload]) {
        let names: Vec<String> = workloads.iter().map(|w| w.name.clone()).collect();
        let mut seen = vec![false; workloads.len()];
        for (i, t) in specs.iter().enumerate() {
            let path = format!("traffic[{i}]");
            let Some(w) =
                self.resolve(&format!("{path}.workload"), "workload", &t.workload, &names)
            else {
                continue;
            };
            if std::mem::replace(&mut seen[w], true) {
                self.error_at(
                    format!("{path}.workload"),
                    &t.workload,
                    format!(
                        "workload `{}` already has traffic; give it one entry",
                        names[w]
                    ),
                );
            }
            workloads[w].traffic = match &t.rate.value {
                file::RateSpec::Constant(r) => RateProfile::constant(r.per_second()),
                file::RateSpec::Steps(steps) => {
                    if steps.is_empty() {
                        self.error_at(
                            format!("{path}.rate.steps"),
                            &t.rate,
                            "needs at least one step",
                        );
                    }
                    let mut prev = None;
                    for (s, step) in steps.iter().enumerate() {
                        let at = step.at.value.get();
                        if prev.is_some_and(|p| at <= p) {
                            self.error_at(
                                format!("{path}.rate.steps[{s}].at"),
                                &step.at,
                                "steps must be in increasing order of `at`",
                            );
                        }
                        prev = Some(at);
                    }
                    RateProfile::steps(
                        steps
                            .iter()
                            .map(|s| (SimTime::ZERO + s.at.value.get(), s.rate.per_second()))
                            .collect(),
                    )
                }
            };
        }
    }

    fn fault(
        &mut self,
        i: usize,
        spanned: &Spanned<file::FaultSpec>,
        targets: &Targets,
    ) -> Option<Fault> {
        let Targets {
            workloads,
            nodes,
            pools,
            zones,
            control_plane,
        } = *targets;
        let f = &spanned.value;
        let path = format!("faults[{i}]");
        let kinds = usize::from(f.pod_crash.is_some())
            + usize::from(f.app_hang.is_some())
            + usize::from(f.memory_leak.is_some())
            + usize::from(f.node_crash.is_some())
            + usize::from(f.api_server_down.is_some())
            + usize::from(f.etcd_member_down.is_some())
            + usize::from(f.controller_manager_crash.is_some())
            + usize::from(f.scheduler_crash.is_some())
            + usize::from(f.control_plane_node_crash.is_some())
            + usize::from(f.etcd_leader_loss.is_some())
            + usize::from(f.etcd_loss.is_some());
        if kinds != 1 {
            self.error_near(
                spanned,
                &path,
                format!("a fault needs exactly one kind (`podCrash`, `appHang`, `memoryLeak`, `nodeCrash`, `apiServerDown`, `etcdMemberDown`, `controllerManagerCrash`, `schedulerCrash`, `controlPlaneNodeCrash`, `etcdLeaderLoss`, `etcdLoss`); found {kinds}"),
            );
            return None;
        }
        let (kind, mtbf, kind_path) = if let Some(p) = &f.pod_crash {
            let kind_path = format!("{path}.podCrash");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &p.workload,
                workloads,
            );
            let count = self.count(&kind_path, p.count.as_ref());
            (
                workload.map(|workload| FaultKind::PodCrash { workload, count }),
                &p.mtbf,
                kind_path,
            )
        } else if f.etcd_loss.is_some() {
            if control_plane.managed.is_some() {
                self.error_near(
                    spanned,
                    &path,
                    "a managed control plane's etcd is the provider's",
                );
            }
            (Some(FaultKind::EtcdLoss), &None, format!("{path}.etcdLoss"))
        } else if f.etcd_leader_loss.is_some() {
            (
                Some(FaultKind::EtcdLeaderLoss),
                &None,
                format!("{path}.etcdLeaderLoss"),
            )
        } else if f.controller_manager_crash.is_some() || f.scheduler_crash.is_some() {
            let (component, name) = if f.controller_manager_crash.is_some() {
                (LeaderComponent::ControllerManager, "controllerManagerCrash")
            } else {
                (LeaderComponent::Scheduler, "schedulerCrash")
            };
            (
                Some(FaultKind::LeaderCrash { component }),
                &None,
                format!("{path}.{name}"),
            )
        } else if let Some(c) = &f.control_plane_node_crash {
            if control_plane.managed.is_some() {
                self.error_near(
                    spanned,
                    &path,
                    "a managed control plane's nodes are the provider's: its outages come from its SLA",
                );
            }
            (
                Some(FaultKind::ControlPlaneNodeCrash {
                    duration: c.duration,
                }),
                &None,
                format!("{path}.controlPlaneNodeCrash"),
            )
        } else if let Some((c, name)) = f
            .api_server_down
            .as_ref()
            .map(|c| (c, "apiServerDown"))
            .or(f.etcd_member_down.as_ref().map(|c| (c, "etcdMemberDown")))
        {
            let kind_path = format!("{path}.{name}");
            if c.all && c.count.is_some() {
                self.error_near(spanned, &kind_path, "give `count` or `all: true`, not both");
            }
            let count = if c.all {
                None
            } else {
                Some(self.count(&kind_path, c.count.as_ref()))
            };
            let (total, field) = if f.api_server_down.is_some() {
                (control_plane.api_servers, "apiServers")
            } else {
                (control_plane.etcd_members, "etcdMembers")
            };
            if let Some(over) = c.count.as_ref().filter(|n| n.value > total) {
                self.error_at(
                    format!("{kind_path}.count"),
                    over,
                    format!(
                        "the cluster has {total} (`cluster.controlPlane.{field}`); \
                         `all: true` stops every one"
                    ),
                );
            }
            let duration = c.duration;
            let kind = if f.api_server_down.is_some() {
                FaultKind::ApiServerDown { count, duration }
            } else {
                FaultKind::EtcdMemberDown { count, duration }
            };
            if let Some(m) = &c.mtbf {
                if !matches!(m.0, Distribution::Exponential { .. }) {
                    self.error_near(
                        spanned,
                        format!("{kind_path}.mtbf"),
                        "the mtbf of API servers and etcd members is a mean (an exponential time to failure), \
                         e.g. `mtbf: 90d`",
                    );
                }
                if c.all || c.count.is_some() {
                    self.error_near(
                        spanned,
                        &kind_path,
                        "with `mtbf` every instance fails on its own: no `count` or `all`",
                    );
                }
            }
            (Some(kind), &c.mtbf, kind_path)
        } else if let Some(m) = &f.memory_leak {
            let kind_path = format!("{path}.memoryLeak");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &m.workload,
                workloads,
            );
            if f.at.is_none() || f.every.is_some() {
                self.error_near(
                    spanned,
                    &path,
                    "a memory leak starts once: give it `at` (and no `every`)",
                );
                return None;
            }
            (
                workload.map(|workload| FaultKind::MemoryLeak {
                    workload,
                    leak_per_hour_bytes: m.leak_per_hour.bytes() as f64,
                    recover_after: m.recover_after,
                }),
                &None,
                kind_path,
            )
        } else if let Some(h) = &f.app_hang {
            let kind_path = format!("{path}.appHang");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &h.workload,
                workloads,
            );
            let count = self.count(&kind_path, h.count.as_ref());
            if let (Some(_), Some(count)) = (&h.mtbf, &h.count) {
                self.error_at(
                    format!("{kind_path}.count"),
                    count,
                    "with `mtbf` every pod hangs on its own: no `count`",
                );
            }
            let recover_after = h.recover_after;
            (
                workload.map(|workload| FaultKind::AppHang {
                    workload,
                    count,
                    recover_after,
                }),
                &h.mtbf,
                kind_path,
            )
        } else {
            let n = f.node_crash.as_ref()?;
            let kind_path = format!("{path}.nodeCrash");
            let chosen = usize::from(n.node.is_some())
                + usize::from(n.pool.is_some())
                + usize::from(n.zone.is_some());
            let target = if chosen > 1 {
                self.error_near(
                    spanned,
                    &kind_path,
                    "give at most one of `node`, `pool`, `zone`",
                );
                None
            } else if let Some(node) = &n.node {
                self.resolve(&format!("{kind_path}.node"), "node", node, nodes)
                    .map(NodeTarget::Node)
            } else if let Some(pool) = &n.pool {
                self.resolve(&format!("{kind_path}.pool"), "node pool", pool, pools)
                    .map(NodeTarget::Pool)
            } else if let Some(zone) = &n.zone {
                self.resolve(&format!("{kind_path}.zone"), "zone", zone, zones)
                    .map(NodeTarget::Zone)
            } else {
                Some(NodeTarget::Any)
            };
            if n.node.is_some() && n.count.as_ref().is_some_and(|c| c.value > 1) {
                self.error_near(
                    spanned,
                    format!("{kind_path}.count"),
                    "a fault on one `node` crashes just that node",
                );
            }
            if let (Some(_), Some(count)) = (&n.mtbf, &n.count) {
                self.error_at(
                    format!("{kind_path}.count"),
                    count,
                    "with `mtbf` every node fails on its own: no `count`",
                );
            }
            if n.mtbf.is_some() && n.recover_after.is_none() {
                self.error_near(spanned,
                    format!("{kind_path}.recoverAfter"),
                    "a stochastic node crash needs `recoverAfter` (or `repair`): how long a node takes \
                     to come back; without it every node would eventually be lost for good",
                );
            }
            let count = self.count(&kind_path, n.count.as_ref());
            let recover_after = n.recover_after;
            (
                target.map(|target| FaultKind::NodeCrash {
                    target,
                    count,
                    recover_after,
                }),
                &n.mtbf,
                kind_path,
            )
        };
        let trigger = match (f.at, f.every, mtbf) {
            (_, _, Some(_)) if f.at.is_some() || f.every.is_some() => {
                self.error_near(
                    spanned,
                    &path,
                    format!(
                        "`{kind_path}.mtbf` makes the fault stochastic: give it no `at` or `every`"
                    ),
                );
                return None;
            }
            (_, _, Some(m)) => {
                if f.pod_crash.as_ref().is_some_and(|p| p.count.is_some()) {
                    self.error_near(
                        spanned,
                        format!("{kind_path}.count"),
                        "with `mtbf` every pod fails on its own: no `count`",
                    );
                }
                Trigger::Mtbf(m.0)
            }
            (Some(at), None, None) => Trigger::At(SimTime::ZERO + at.get()),
            (at, Some(period), None) => Trigger::Every {
                first: SimTime::ZERO + at.map_or(period.get(), |a| a.get()),
                period: period.get(),
            },
            (None, None, None) => {
                self.error_near(
                    spanned,
                    &path,
                    "a fault needs `at`, `every`, or an `mtbf` in its kind",
                );
                return None;
            }
        };
        Some(Fault {
            stream: f.name.clone().unwrap_or_else(|| path.clone()),
            trigger,
            kind: kind?,
        })
    }

    /// Faults that would never fire, and names that would share a random stream.
    fn fault_names_and_times(
        &mut self,
        faults: &[Spanned<file::FaultSpec>],
        duration: SimDuration,
    ) {
        let mut names: Vec<&str> = Vec::new();
        for (i, f) in faults.iter().enumerate().take(limits::MAX_FAULTS) {
            if let Some(name) = &f.value.name {
                if names.contains(&name.as_str()) {
                    self.error_at(
                        format!("faults[{i}].name"),
                        f,
                        format!(
                            "fault name `{name}` is used twice; it names the fault's random stream"
                        ),
                    );
                }
                names.push(name);
            }
            let first = f
                .value
                .at
                .map(|a| a.get())
                .or(f.value.every.map(|e| e.get()));
            if let Some(first) = first.filter(|t| *t > duration) {
                self.error_at(
                    format!("faults[{i}].at"),
                    f,
                    format!(
                        "the fault would first fire at {first}, after the end of the run ({duration}); \
                         it would never happen"
                    ),
                );
            }
        }
    }

    fn count(&mut self, kind_path: &str, count: Option<&Spanned<u32>>) -> u32 {
        match count {
            Some(c) if c.value == 0 => {
                self.error_at(format!("{kind_path}.count"), c, "must be at least 1");
                1
            }
            Some(c) => c.value,
            None => 1,
        }
    }

    fn slo(&mut self, s: &file::SloSpec) -> Slo {
        Slo {
            request_availability: s.request_availability.map(|p| p.fraction()),
            uptime: s.uptime.map(|p| p.fraction()),
            max_dropped_in_flight: s.max_dropped_in_flight,
            max_outage: s.max_outage.map(|d| d.get()),
            expect: s.expect,
        }
    }
}

/// Kubernetes object names (RFC 1123 labels), since nodes and pods are named after them.
fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}
