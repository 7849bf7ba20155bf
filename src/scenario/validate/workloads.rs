//! Checks of the workloads: names, resources, probes, the app, their traffic.

use serde_saphyr::Spanned;

use super::{Checker, dns_label, in_all};
use crate::limits::over_limit;
use crate::scenario::file;
use crate::scenario::*;
use crate::traffic::RateProfile;
use crate::units::Distribution;

impl Checker {
    pub(super) fn workloads(
        &mut self,
        specs: &[file::WorkloadSpec],
        zones: &[String],
    ) -> Vec<Workload> {
        if specs.is_empty() {
            self.report(
                Code::EmptyList,
                "workloads",
                "a scenario needs at least one workload",
            );
        }
        let max_workloads = self.limits.workloads;
        if specs.len() as u64 > max_workloads {
            self.report(
                Code::OverLimit,
                "workloads",
                format!(
                    "{} workloads: {}",
                    specs.len(),
                    over_limit(max_workloads, "--max-workloads")
                ),
            );
        }
        let mut names: Vec<String> = Vec::new();
        let mut out = Vec::new();
        let mut total_pods = 0u64;
        for (i, w) in specs
            .iter()
            .enumerate()
            .take(usize::try_from(max_workloads).unwrap_or(usize::MAX))
        {
            let path = format!("workloads[{i}]");
            // An HPA may take the workload to its `maxReplicas`.
            let most = w
                .autoscaling
                .as_ref()
                .map_or(0, |h| h.value.max_replicas.value)
                .max(w.replicas.value);
            let before = total_pods;
            total_pods += u64::from(most);
            // Said once, at the workload that crosses the limit.
            if total_pods > self.limits.pods && before <= self.limits.pods {
                self.report_at(
                    Code::OverLimit,
                    format!("{path}.replicas"),
                    &w.replicas,
                    format!(
                        "{}: {}",
                        in_all(u64::from(most), total_pods, "pods"),
                        over_limit(self.limits.pods, "--max-pods")
                    ),
                );
            }
            let name = w.name.value.clone();
            if let Err(why) = dns_label(&name) {
                self.report_at(Code::InvalidName, format!("{path}.name"), &w.name, why);
            }
            if names.contains(&name) {
                self.report_at(
                    Code::DuplicateName,
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
                self.report_at(
                    Code::RejectedByKubernetes,
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
                    self.report_at(
                        Code::OutOfRange,
                        format!("{path}.minReady"),
                        m,
                        "must be at least 1",
                    );
                    1
                }
                Some(m) if m.value > w.replicas.value => {
                    self.report_at(
                        Code::MinReadyAboveReplicas,
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
                    self.report_at(
                        Code::RequestAboveLimit,
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
            let defaults = App {
                crash_on_start: false,
                image_pull: Distribution::Fixed(defaults::APP_IMAGE_PULL),
                startup: Distribution::Fixed(defaults::APP_STARTUP),
                service_time: Distribution::Fixed(defaults::APP_SERVICE_TIME),
                service_time_shape: crate::traffic::ServiceTimeShape::default(),
                cpu_per_request: defaults::APP_CPU_PER_REQUEST,
                // An app sized by its request uses it, unless told otherwise.
                memory: AppMemory {
                    base_bytes: requests.memory_bytes as f64,
                    leak_per_hour_bytes: 0.0,
                    per_request_bytes: 0.0,
                },
            };
            let app = app(&w.app, &defaults);
            if limits.memory_bytes > 0 && app.memory.base_bytes > limits.memory_bytes as f64 {
                let message =
                    "the app starts above its memory limit: it would be OOMKilled at every start";
                let path = format!("{path}.app.memory.base");
                // Without a `base`, the app starts at its memory request.
                match (
                    w.app.memory.as_ref().and_then(|m| m.base.as_ref()),
                    &w.resources,
                ) {
                    (Some(base), _) => self.report_at(Code::OomAtStart, path, base, message),
                    (None, Some(resources)) => {
                        self.report_at(Code::OomAtStart, path, resources, message)
                    }
                    (None, None) => self.report_at(Code::OomAtStart, path, &w.name, message),
                }
            }
            let hpa = w
                .autoscaling
                .as_ref()
                .and_then(|h| self.hpa(&path, h, &w.replicas, requests));
            let disruption_budget = w.disruption_budget.as_ref().and_then(|b| {
                let budget = self.disruption_budget(&path, b)?;
                self.budget_allows_disruption(&path, b, budget, most);
                Some(budget)
            });
            let termination_grace_period = SimDuration::from_secs(u64::from(
                w.termination_grace_period_seconds
                    .unwrap_or(defaults::TERMINATION_GRACE_PERIOD_SECONDS),
            ));
            let pre_stop = self.pre_stop(&path, w.lifecycle.as_ref(), termination_grace_period);
            let zone = w
                .node_selector
                .as_ref()
                .and_then(|selector| self.node_selector(&path, selector, zones));
            let strategy = self.strategy(&path, w.strategy.as_ref());
            let progress_deadline = match &w.progress_deadline_seconds {
                Some(d) if d.value <= w.min_ready_seconds.unwrap_or(0) => {
                    self.report_at(
                        Code::RejectedByKubernetes,
                        format!("{path}.progressDeadlineSeconds"),
                        d,
                        "must be greater than `minReadySeconds`, as Kubernetes requires",
                    );
                    d.value
                }
                Some(d) => d.value,
                None => {
                    if w.min_ready_seconds.unwrap_or(0) >= defaults::PROGRESS_DEADLINE_SECONDS {
                        self.report_at(
                            Code::RejectedByKubernetes,
                            format!("{path}.minReadySeconds"),
                            &w.name,
                            "must be less than `progressDeadlineSeconds` (600 by default)",
                        );
                    }
                    defaults::PROGRESS_DEADLINE_SECONDS
                }
            };
            out.push(Workload {
                name,
                replicas: w.replicas.value,
                min_ready,
                requests,
                limits,
                startup_probe,
                readiness_probe,
                liveness_probe,
                termination_grace_period,
                pre_stop,
                strategy,
                min_ready_seconds: SimDuration::from_secs(u64::from(
                    w.min_ready_seconds.unwrap_or(0),
                )),
                progress_deadline: SimDuration::from_secs(u64::from(progress_deadline)),
                app,
                traffic: RateProfile::constant(0.0),
                hpa,
                disruption_budget,
                zone,
            });
        }
        out
    }

    /// Whether one pod of each workload fits a node it may run on, as the
    /// scheduler's `NodeResourcesFit` filter decides (requests against
    /// allocatable). Kubernetes accepts a Deployment whose pods fit nowhere
    /// (they stay Pending), but a scenario of one measures nothing: an
    /// error. A pool that is too small for a workload others can host is a
    /// warning, since mixed pools are common.
    pub(super) fn pods_fit(
        &mut self,
        specs: &[file::WorkloadSpec],
        workloads: &[Workload],
        pools: &[String],
        nodes: &[NodeSpec],
    ) {
        for (i, (spec, w)) in specs.iter().zip(workloads).enumerate() {
            let Some(at) = spec.resources.as_ref() else {
                continue;
            };
            let path = format!("workloads[{i}].resources.requests");
            let fits = |r: Resources| {
                w.requests.cpu_millis <= r.cpu_millis && w.requests.memory_bytes <= r.memory_bytes
            };
            // Each pool's allocatable, if some node of it is in the workload's zone.
            let mut reachable: Vec<(usize, Resources)> = Vec::new();
            for n in nodes.iter().filter(|n| w.zone.is_none_or(|z| z == n.zone)) {
                if reachable.last().is_none_or(|(p, _)| *p != n.pool) {
                    reachable.push((n.pool, n.allocatable));
                }
            }
            if reachable.is_empty() {
                continue;
            }
            let (fit, too_small): (Vec<_>, Vec<_>) =
                reachable.iter().partition(|(_, alloc)| fits(*alloc));
            let request = format!(
                "a pod of `{}` requests {}m CPU and {} MiB",
                w.name,
                w.requests.cpu_millis,
                w.requests.memory_bytes >> 20
            );
            if fit.is_empty() {
                self.report_at(
                    Code::FitsNoNode,
                    path,
                    at,
                    format!(
                        "{request}, more than any node it may run on has allocatable: every pod \
                         would stay Pending (FailedScheduling)"
                    ),
                );
                continue;
            }
            for (pool, alloc) in too_small {
                self.report_at(
                    Code::PoolTooSmall,
                    path.clone(),
                    at,
                    format!(
                        "{request}; the nodes of pool `{}` have {}m and {} MiB allocatable, \
                         so its pods never go there",
                        pools[pool],
                        alloc.cpu_millis,
                        alloc.memory_bytes >> 20
                    ),
                );
            }
        }
    }

    /// The zone a `nodeSelector` pins the pods to; the zone label is the
    /// only one the model's nodes carry.
    fn node_selector(
        &mut self,
        path: &str,
        selector: &Spanned<std::collections::BTreeMap<String, String>>,
        zones: &[String],
    ) -> Option<usize> {
        const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
        let mut zone = None;
        for (key, value) in &selector.value {
            if key != ZONE_LABEL {
                self.report_at(
                    Code::NotModelled,
                    format!("{path}.nodeSelector"),
                    selector,
                    format!("unknown node label `{key}`; the model's nodes carry `{ZONE_LABEL}`"),
                );
                continue;
            }
            match zones.iter().position(|z| z == value) {
                Some(z) => zone = Some(z),
                None => {
                    let hint = closest(value, zones.iter().map(String::as_str))
                        .map_or(String::new(), |best| format!("; did you mean `{best}`?"));
                    self.report_at(
                        Code::UnknownName,
                        format!("{path}.nodeSelector.{ZONE_LABEL}"),
                        selector,
                        format!("no node is in zone `{value}`{hint}"),
                    );
                }
            }
        }
        zone
    }

    fn strategy(&mut self, path: &str, spec: Option<&Spanned<file::StrategySpec>>) -> Strategy {
        let percent = |p: f64| {
            crate::units::IntOrPercent::Percent(
                crate::units::Percent::new(p).expect("a valid default percentage"),
            )
        };
        let rolling = |r: Option<&file::RollingUpdateSpec>| Strategy::RollingUpdate {
            max_surge: r
                .and_then(|r| r.max_surge)
                .unwrap_or(percent(defaults::MAX_SURGE_PERCENT)),
            max_unavailable: r
                .and_then(|r| r.max_unavailable)
                .unwrap_or(percent(defaults::MAX_UNAVAILABLE_PERCENT)),
        };
        let Some(spec) = spec else {
            return rolling(None);
        };
        match spec.value.kind.unwrap_or(file::StrategyType::RollingUpdate) {
            file::StrategyType::RollingUpdate => {
                let r = spec.value.rolling_update.as_ref();
                let zero = |v: Option<crate::units::IntOrPercent>| {
                    v.is_some_and(|v| v.resolve(100, true) == 0)
                };
                if r.is_some_and(|r| zero(r.max_surge) && zero(r.max_unavailable)) {
                    self.report_at(
                        Code::RejectedByKubernetes,
                        format!("{path}.strategy.rollingUpdate.maxUnavailable"),
                        spec,
                        "may not be 0 when `maxSurge` is 0, as Kubernetes requires",
                    );
                }
                rolling(r)
            }
            file::StrategyType::Recreate => {
                if spec.value.rolling_update.is_some() {
                    self.report_at(
                        Code::RejectedByKubernetes,
                        format!("{path}.strategy.rollingUpdate"),
                        spec,
                        "may not be given with `type: Recreate`, as Kubernetes rejects it",
                    );
                }
                Strategy::Recreate
            }
        }
    }

    /// A PodDisruptionBudget that lets no pod go even when all are healthy,
    /// at the most pods the workload can have: Kubernetes accepts it ("you
    /// can prevent all voluntary evictions", policy/v1), and every drain of
    /// a node with one of its pods then waits for ever.
    fn budget_allows_disruption(
        &mut self,
        path: &str,
        spec: &Spanned<file::DisruptionBudgetSpec>,
        budget: DisruptionBudget,
        most: u32,
    ) {
        let healthy = budget.desired_healthy(most);
        if healthy < most {
            return;
        }
        let why = if healthy > most {
            format!(
                "it asks for {healthy} healthy pods, more than the {most} the workload can have"
            )
        } else {
            let s = if most == 1 { "" } else { "s" };
            format!("it allows no voluntary disruption, even with all {most} pod{s} healthy")
        };
        self.report_at(
            Code::PdbBlocksDrains,
            format!("{path}.disruptionBudget"),
            spec,
            format!(
                "{why}, so a `nodeDrain` of a node running one of them waits until the run ends \
                 (Kubernetes accepts such a budget, and `kubectl drain` retries for ever)"
            ),
        );
    }

    fn pre_stop(
        &mut self,
        path: &str,
        lifecycle: Option<&file::LifecycleSpec>,
        grace: SimDuration,
    ) -> Distribution {
        let none = Distribution::Fixed(SimDuration::ZERO);
        let Some(hook) = lifecycle.and_then(|l| l.pre_stop.as_ref()) else {
            return none;
        };
        let duration = self.pre_stop_hook(path, hook);
        let mean = duration.mean();
        if !mean.is_zero() && mean >= grace {
            self.report_at(
                Code::PreStopOutlastsGrace,
                format!("{path}.lifecycle.preStop"),
                hook,
                format!(
                    "the hook takes {mean}, not less than `terminationGracePeriodSeconds` ({grace}): \
                     the kubelet sends SIGTERM when the grace period ends and SIGKILL 2 s later, \
                     so requests in flight are cut off"
                ),
            );
        }
        duration
    }

    fn pre_stop_hook(&mut self, path: &str, hook: &Spanned<file::PreStopSpec>) -> Distribution {
        let none = Distribution::Fixed(SimDuration::ZERO);
        match (&hook.value.sleep, &hook.value.exec) {
            (Some(sleep), None) => {
                Distribution::Fixed(SimDuration::from_secs(u64::from(sleep.seconds)))
            }
            (None, Some(exec)) => {
                if exec.command.is_empty() {
                    self.report_at(
                        Code::EmptyList,
                        format!("{path}.lifecycle.preStop.exec.command"),
                        hook,
                        "an exec hook needs a command",
                    );
                }
                exec.duration.unwrap_or(none)
            }
            _ => {
                self.report_at(
                    Code::ExactlyOne,
                    format!("{path}.lifecycle.preStop"),
                    hook,
                    "a preStop hook has exactly one of `sleep: {seconds: N}` and \
                     `exec: {command: [...], duration: D}`",
                );
                none
            }
        }
    }

    pub(super) fn probe(
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
            self.report_at(Code::ExactlyOne, path, spanned, format!(
                    "a probe needs exactly one handler of `httpGet`, `tcpSocket`, `exec`, `grpc`; found {}",
                    given.len()
                ));
            return None;
        }
        let at_least_one =
            |c: &mut Self, field: &str, v: &Option<Spanned<u32>>, default: u32| match v {
                Some(s) if s.value == 0 => {
                    c.report_at(
                        Code::OutOfRange,
                        format!("{path}.{field}"),
                        s,
                        "must be at least 1",
                    );
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
        if timeout > period {
            let message = format!(
                "`timeoutSeconds` ({timeout}) is longer than `periodSeconds` ({period}): the kubelet \
                 runs one probe at a time, so a probe that hangs delays the next and a hung \
                 container is found after `failureThreshold` × {timeout} s, not × {period} s"
            );
            let field = format!("{path}.timeoutSeconds");
            match &p.timeout_seconds {
                Some(at) => self.report_at(Code::ProbeTimeoutOverPeriod, field, at, message),
                None => self.report_at(Code::ProbeTimeoutOverPeriod, field, spanned, message),
            }
        }
        if let Some(s) = p
            .success_threshold
            .as_ref()
            .filter(|s| kind != ProbeKind::Readiness && s.value != 1)
        {
            {
                self.report_at(
                    Code::SuccessThreshold,
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
                self.report_at(Code::RejectedByKubernetes, format!("{path}.terminationGracePeriodSeconds"), g, "a readiness probe never kills the container: only liveness and startup probes take it");
                None
            }
            Some(g) if g.value == 0 => {
                self.report_at(
                    Code::OutOfRange,
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

    pub(super) fn traffic(&mut self, specs: &[file::TrafficSpec], workloads: &mut [Workload]) {
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
                self.report_at(
                    Code::DuplicateName,
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
                        self.report_at(
                            Code::EmptyList,
                            format!("{path}.rate.steps"),
                            &t.rate,
                            "needs at least one step",
                        );
                    }
                    let mut prev = None;
                    for (s, step) in steps.iter().enumerate() {
                        let at = step.at.value.get();
                        if prev.is_some_and(|p| at <= p) {
                            self.report_at(
                                Code::Unordered,
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
                file::RateSpec::Ramp(r) => RateProfile::ramp(
                    r.from.per_second(),
                    r.to.per_second(),
                    SimTime::ZERO + r.at.map_or(SimDuration::ZERO, |d| d.get()),
                    r.over.get(),
                ),
                file::RateSpec::Diurnal(d) => {
                    let period = d.period.map_or(SimDuration::from_secs(86_400), |p| p.get());
                    if d.min.per_second() > d.max.per_second() {
                        self.report_at(
                            Code::MinAboveMax,
                            format!("{path}.rate.diurnal.min"),
                            &t.rate,
                            "`min` is above `max`",
                        );
                    }
                    if d.peak_at.get() >= period {
                        self.report_at(
                            Code::OutOfRange,
                            format!("{path}.rate.diurnal.peakAt"),
                            &t.rate,
                            format!(
                                "`peakAt` is a time of day: less than the period ({}h)",
                                period.as_secs_f64() / 3600.0
                            ),
                        );
                    }
                    RateProfile::diurnal(
                        d.min.per_second(),
                        d.max.per_second(),
                        d.peak_at.get(),
                        period,
                    )
                }
            };
        }
    }
}

/// The app as `spec` describes it, each field not given taken from `base`:
/// the defaults for a workload, the running version for a rollout.
pub(super) fn app(spec: &file::AppSpec, base: &App) -> App {
    let memory = spec.memory.as_ref();
    let bytes =
        |v: Option<crate::units::Memory>, default: f64| v.map_or(default, |m| m.bytes() as f64);
    App {
        crash_on_start: spec.crash_on_start,
        image_pull: spec.image_pull.unwrap_or(base.image_pull),
        startup: spec.startup.unwrap_or(base.startup),
        service_time: spec.service_time.unwrap_or(base.service_time),
        service_time_shape: spec
            .service_time_distribution
            .map_or(base.service_time_shape, Into::into),
        cpu_per_request: spec
            .cpu_per_request
            .map_or(base.cpu_per_request, |d| d.get()),
        memory: AppMemory {
            base_bytes: bytes(
                memory.and_then(|m| m.base.as_ref()).map(|b| b.value),
                base.memory.base_bytes,
            ),
            leak_per_hour_bytes: bytes(
                memory.and_then(|m| m.leak_per_hour),
                base.memory.leak_per_hour_bytes,
            ),
            per_request_bytes: bytes(
                memory.and_then(|m| m.per_request),
                base.memory.per_request_bytes,
            ),
        },
    }
}
