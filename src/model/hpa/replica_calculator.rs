//! The HPA's replica calculator: from the pods of the target and their
//! metrics at one sync, the replica count each metric asks for and the
//! largest of them. It follows `pkg/controller/podautoscaler/
//! replica_calculator.go`, `metrics/utilization.go` and the metric loop of
//! `horizontal.go` in kubernetes/kubernetes.
//!
//! Kubernetes compares integers: every value is a `Quantity.MilliValue()`,
//! and a utilization is truncated to a whole percent before it is divided by
//! the target. The same truncation is done here, because it decides cases
//! at the edges: 54.9 % against a target of 50 is 54 %, a ratio of 1.08,
//! inside the default tolerance, where 54.9 / 50 = 1.098 would be too.

use crate::scenario::{HpaMetric, ResourceName, ResourceTarget, Resources};
use crate::sim::{SimDuration, SimTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodPhase {
    Pending,
    Running,
    Failed,
}

/// One pod of the target as the controller sees it at a sync: the pod from
/// its informer and the pod's sample from the metrics APIs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PodSample {
    pub phase: PodPhase,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// `None` until the kubelet first posts a `Ready` condition.
    pub ready: Option<ReadyCondition>,
    /// `status.startTime`, set when the kubelet accepts the pod.
    pub start_time: Option<SimTime>,
    pub requests: Requests,
    /// `None` while metrics-server has no sample for the pod (it started
    /// after the last scrape, or its node stopped answering).
    pub usage: Option<Usage>,
    /// How many pods, all alike, this sample stands for: a Deployment's
    /// pods are mostly identical, and the controller's sums over them are
    /// sums over these classes (see [`Alike`]).
    pub count: u32,
}

/// The pod's resource requests, summed over its containers.
pub(crate) type Requests = Resources;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadyCondition {
    pub ready: bool,
    pub last_transition: SimTime,
}

/// One pod's sample: CPU and memory as metrics-server reports them, the
/// request rate as a custom-metrics adapter would.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Usage {
    pub cpu_millis: f64,
    pub memory_bytes: f64,
    pub requests_per_second: f64,
}

/// The controller's flags and the samples' freshness at one sync.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CalculatorSettings {
    /// The sync's instant: `groupPods` compares a pod's start with
    /// `time.Now()`.
    pub now: SimTime,
    /// `behavior.scaleUp.tolerance`: ratios up to `1 + tolerance_up` change
    /// nothing.
    pub tolerance_up: f64,
    /// `behavior.scaleDown.tolerance`: ratios down to `1 - tolerance_down`
    /// change nothing.
    pub tolerance_down: f64,
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`.
    pub cpu_initialization_period: SimDuration,
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`.
    pub initial_readiness_delay: SimDuration,
    /// The end of the interval metrics-server averaged the CPU over
    /// (`PodMetrics.timestamp`)...
    pub metric_timestamp: SimTime,
    /// ...and its length (`PodMetrics.window`).
    pub metric_window: SimDuration,
}

/// What the metrics ask for, and the metric that asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Proposal {
    pub replicas: u32,
    /// As the `SuccessfulRescale` event names it.
    pub metric_name: &'static str,
}

/// How `groupPods` sorts a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PodGroup {
    /// Its metric counts as measured.
    Ready,
    /// Left out, but counted as idle when the others call for a scale-up.
    Unready,
    /// Ready with no sample: counted at the target on a scale-down and idle
    /// on a scale-up, so that what is not measured never pushes further.
    Missing,
    /// Going away: left out altogether.
    Ignored,
}

/// `groupPods`. For CPU, a pod that is starting may burn CPU that says
/// nothing about its load (JIT warm-up, caches), so within
/// `cpu_initialization_period` of its start its sample counts only once it
/// is Ready and the sample's whole window lies after its condition last
/// changed. After that, an unready pod's sample still counts, unless the pod
/// has never been Ready: its condition went false within
/// `initial_readiness_delay` of its start and has not changed since.
fn group_pod(pod: &PodSample, resource: Option<ResourceName>, s: &CalculatorSettings) -> PodGroup {
    if pod.deleting || pod.phase == PodPhase::Failed {
        return PodGroup::Ignored;
    }
    if pod.phase == PodPhase::Pending {
        return PodGroup::Unready;
    }
    if pod.usage.is_none() {
        return PodGroup::Missing;
    }
    if resource == Some(ResourceName::Cpu) {
        let unready = match (pod.ready, pod.start_time) {
            (Some(condition), Some(start)) => {
                if start + s.cpu_initialization_period > s.now {
                    !condition.ready
                        || s.metric_timestamp < condition.last_transition + s.metric_window
                } else {
                    !condition.ready
                        && start + s.initial_readiness_delay > condition.last_transition
                }
            }
            _ => true,
        };
        if unready {
            return PodGroup::Unready;
        }
    }
    PodGroup::Ready
}

/// What [`group_pod`] can tell of a pod's `ready` condition and
/// `start_time` at a sync: it only compares them with the sync's instants,
/// so pods whose comparisons agree are alike however far apart they
/// started. During a rollout every pod is within its CPU initialization,
/// each with a start of its own, and would otherwise be a class alone.
/// The comparisons hold from one sync to the next until one of the
/// instants reaches them, so a pod's timing outlives the sync it was
/// found at; [`Timing::times`] gives the times it stands for at another.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Timing {
    /// No condition yet, no start, or a sync too early for the
    /// comparisons to be told apart: the times as they are.
    AsIs {
        ready: Option<ReadyCondition>,
        start_time: Option<SimTime>,
    },
    /// Within its CPU initialization; `fresh` if the sample's window did
    /// not begin after the condition last changed.
    Initializing { ready: bool, fresh: bool },
    /// Past its CPU initialization; `never_ready` if its condition last
    /// changed within the readiness delay of its start.
    Initialized { ready: bool, never_ready: bool },
}

/// The pod's [`Timing`] at the sync `s`.
pub(crate) fn timing(
    ready: Option<ReadyCondition>,
    start_time: Option<SimTime>,
    s: &CalculatorSettings,
) -> Timing {
    let as_is = Timing::AsIs { ready, start_time };
    let (Some(condition), Some(start)) = (ready, start_time) else {
        return as_is;
    };
    if start + s.cpu_initialization_period > s.now {
        let comparable = s.now.as_nanos() >= s.cpu_initialization_period.as_nanos()
            && s.metric_timestamp.as_nanos() >= s.metric_window.as_nanos();
        if !comparable {
            return as_is;
        }
        Timing::Initializing {
            ready: condition.ready,
            fresh: s.metric_timestamp < condition.last_transition + s.metric_window,
        }
    } else if s.cpu_initialization_period.as_nanos() < s.now.as_nanos() {
        Timing::Initialized {
            ready: condition.ready,
            never_ready: start + s.initial_readiness_delay > condition.last_transition,
        }
    } else {
        as_is
    }
}

impl Timing {
    /// A `ready` condition and `start_time` that [`group_pod`] answers for
    /// at the sync `s` as it does for the pods of this timing.
    pub(crate) fn times(self, s: &CalculatorSettings) -> (Option<ReadyCondition>, Option<SimTime>) {
        let nanos = |d: SimDuration| d.as_nanos();
        let (start, transition, ready) = match self {
            Timing::AsIs { ready, start_time } => return (ready, start_time),
            Timing::Initializing { ready, fresh } => {
                let young = s
                    .now
                    .as_nanos()
                    .saturating_sub(nanos(s.cpu_initialization_period));
                let window_start =
                    (s.metric_timestamp.as_nanos()).saturating_sub(nanos(s.metric_window));
                (young + 1, window_start + u64::from(fresh), ready)
            }
            Timing::Initialized { ready, never_ready } => {
                let delay = nanos(s.initial_readiness_delay);
                (1, if never_ready { 0 } else { 1 + delay }, ready)
            }
        };
        let condition = ReadyCondition {
            ready,
            last_transition: SimTime::from_nanos(transition),
        };
        (Some(condition), Some(SimTime::from_nanos(start)))
    }
}

/// A pod's `ready` condition and `start_time` replaced by ones that
/// [`group_pod`] answers the same for at this sync (see [`Timing`]).
#[cfg(test)]
fn canonical_times(
    ready: Option<ReadyCondition>,
    start_time: Option<SimTime>,
    s: &CalculatorSettings,
) -> (Option<ReadyCondition>, Option<SimTime>) {
    timing(ready, start_time, s).times(s)
}

/// The classes of `pods`, in the order of each class's first pod (see
/// [`Alike`]).
#[cfg(test)]
pub(crate) fn count_alike<C: PartialEq>(pods: impl IntoIterator<Item = C>) -> Vec<(C, u32)> {
    let mut alike = Alike::default();
    for pod in pods {
        alike.add(pod);
    }
    alike.classes
}

/// Classes of pods alike and how many pods each has, as pods join and
/// leave them. A class is what tells pods apart (for the controller, a
/// pod's sample with its [`Timing`] and what decides its usage: its groups
/// and sums then treat the pods of a class alike). The proposals are those
/// of the pods one by one; the cost of a proposal is then that of a few
/// classes, not of hundreds of pods. A class whose pods all left stays,
/// empty, so that the others keep their index.
#[derive(Debug)]
pub(crate) struct Alike<C> {
    classes: Vec<(C, u32)>,
    /// The class the last pod joined.
    last: usize,
}

impl<C> Default for Alike<C> {
    fn default() -> Self {
        Alike {
            classes: Vec::new(),
            last: 0,
        }
    }
}

impl<C: PartialEq> Alike<C> {
    /// A pod of class `pod` joins: the index of its class. Pods of one
    /// class tend to follow one another: the class the last pod joined is
    /// tried first, then the others from the last. A pod is alike at most
    /// one class, since no two classes are alike.
    pub(crate) fn add(&mut self, pod: C) -> usize {
        let alike = match self.classes.get(self.last) {
            Some((class, _)) if *class == pod => Some(self.last),
            _ => self.classes.iter().rposition(|(class, _)| *class == pod),
        };
        match alike {
            Some(class) => {
                self.classes[class].1 += 1;
                self.last = class;
            }
            None => {
                self.last = self.classes.len();
                self.classes.push((pod, 1));
            }
        }
        self.last
    }

    /// A pod of class `class` (an index [`Alike::add`] gave) leaves.
    pub(crate) fn remove(&mut self, class: usize) {
        self.classes[class].1 -= 1;
    }

    /// The classes with pods, and their counts.
    pub(crate) fn counted(&self) -> impl Iterator<Item = &(C, u32)> {
        self.classes.iter().filter(|(_, count)| *count > 0)
    }

    /// How many classes are left empty.
    pub(crate) fn empty(&self) -> usize {
        self.classes.iter().filter(|(_, count)| *count == 0).count()
    }

    pub(crate) fn len(&self) -> usize {
        self.classes.len()
    }
}

/// `Tolerances.isWithin`: the band is closed, so a ratio of exactly
/// `1 + tolerance_up` does not scale.
fn is_within(ratio: f64, s: &CalculatorSettings) -> bool {
    1.0 - s.tolerance_down <= ratio && ratio <= 1.0 + s.tolerance_up
}

/// `int32(math.Ceil(x))`.
fn ceil_replicas(x: f64) -> u32 {
    x.ceil() as u32
}

/// `Quantity.MilliValue()` of a value given in milli-units. The sample is
/// first rounded to the nanounit that metrics-server reports CPU in, so that
/// floating-point noise (`450.000000001`) is not rounded up to a whole
/// milli-unit; `MilliValue` then rounds up, as Kubernetes does.
fn milli_value(milli_units: f64) -> u64 {
    ((milli_units * 1e6).round() as u64).div_ceil(1_000_000)
}

/// Memory is reported in whole bytes, a thousand milli-units each.
fn memory_milli_value(bytes: f64) -> u64 {
    (bytes.round() as u64).saturating_mul(1000)
}

fn resource_request(requests: &Requests, resource: ResourceName) -> u64 {
    match resource {
        ResourceName::Cpu => requests.cpu_millis,
        ResourceName::Memory => requests.memory_bytes.saturating_mul(1000),
    }
}

/// Sums over the pods of one group, in milli-units: summing as the pods
/// are grouped spares the controller a list per group at each of the
/// dozens of proposals a sync's rest band asks for.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    usage: u64,
    requests: u64,
    pods: u64,
}

impl Tally {
    fn add(&mut self, usage: u64, request: u64, count: u32) {
        let n = u64::from(count);
        self.usage = self.usage.saturating_add(usage.saturating_mul(n));
        self.requests = self.requests.saturating_add(request.saturating_mul(n));
        self.pods += n;
    }

    fn and(self, other: Tally) -> Tally {
        Tally {
            usage: self.usage.saturating_add(other.usage),
            requests: self.requests.saturating_add(other.requests),
            pods: self.pods + other.pods,
        }
    }

    /// `GetResourceUtilizationRatio`: the utilization of the pods together,
    /// not the mean of each pod's, truncated to a whole percent. `None` when
    /// no pod requests the resource.
    fn utilization_ratio(self, target_utilization: u32) -> Option<f64> {
        if self.requests == 0 {
            return None;
        }
        let utilization = self.usage.saturating_mul(100) / self.requests;
        Some(utilization as f64 / f64::from(target_utilization))
    }

    /// `GetMetricUsageRatio`: the integer mean per pod over the target.
    fn usage_ratio(self, target_usage: u64) -> f64 {
        let mean = self.usage / self.pods;
        mean as f64 / target_usage as f64
    }
}

/// The end shared by `GetResourceReplicas` and `calcPlainMetricReplicas`,
/// once the pods set aside are counted back in: no change when that lands
/// inside the tolerance or turns the direction around, or when the count of
/// pods does.
fn rebalanced_replicas(
    current: u32,
    usage_ratio: f64,
    new_usage_ratio: f64,
    counted: usize,
    s: &CalculatorSettings,
) -> u32 {
    if is_within(new_usage_ratio, s)
        || (usage_ratio < 1.0 && new_usage_ratio > 1.0)
        || (usage_ratio > 1.0 && new_usage_ratio < 1.0)
    {
        return current;
    }
    let new_replicas = ceil_replicas(new_usage_ratio * counted as f64);
    if (new_usage_ratio < 1.0 && new_replicas > current)
        || (new_usage_ratio > 1.0 && new_replicas < current)
    {
        return current;
    }
    new_replicas
}

/// What a metric reads from a pod's sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    Cpu,
    Memory,
    RequestRate,
}

impl Measure {
    fn of(resource: ResourceName) -> Measure {
        match resource {
            ResourceName::Cpu => Measure::Cpu,
            ResourceName::Memory => Measure::Memory,
        }
    }

    /// A sample's value (CPU in millicores, memory in bytes, a rate in
    /// requests per second), or a target in the same unit, as the
    /// controller compares it, in milli-units.
    pub(crate) fn milli_value(self, value: f64) -> u64 {
        match self {
            Measure::Cpu => milli_value(value),
            Measure::Memory => memory_milli_value(value),
            Measure::RequestRate => milli_value(value * 1000.0),
        }
    }

    /// About the least value whose milli-value is above `milli`: where a
    /// sample that grows steadily steps from `milli` to the next. `None`
    /// for memory, reported in whole bytes.
    pub(crate) fn next_milli_step(self, milli: u64) -> Option<f64> {
        // `milli_value` rounds to the nano-unit, then up to the milli-unit.
        let step = milli as f64 + 5e-7;
        match self {
            Measure::Cpu => Some(step),
            Measure::Memory => None,
            Measure::RequestRate => Some(step / 1000.0),
        }
    }
}

/// What a metric compares the pods' usage with.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// `averageUtilization`: a percentage of the pods' requests
    /// (`GetResourceReplicas`).
    Utilization(u32),
    /// `averageValue`, in milli-units a pod (`calcPlainMetricReplicas`,
    /// behind `GetRawResourceReplicas` and `GetMetricReplicas`).
    AverageValue(u64),
}

/// One metric's reading of the pods at a sync, all but the usage of the
/// pods whose sample counts. How `groupPods` sorts the pods, and what they
/// request, does not depend on the load: the rest band's bisection, which
/// asks for the proposal at dozens of rates, groups them once and only sums
/// the counted pods' usage at each rate.
#[derive(Debug, Clone)]
struct MetricGroups {
    measure: Measure,
    target: Target,
    /// The classes whose sample counts, those alike for the measure as one:
    /// the first one's index, and their pods.
    ready: Vec<(usize, u64)>,
    /// The requests and pods of those classes; no usage yet.
    counted: Tally,
    unready: Tally,
    /// Missing pods as idle (on a scale-up)...
    missing_idle: Tally,
    /// ...and at the target (on a scale-down).
    missing_at_target: Tally,
    /// A pod, even one set aside, requests none of the resource: an error
    /// for a utilization target.
    unrequested: bool,
}

impl MetricGroups {
    /// `groupPods` and `calculateRequests` for `metric`. A pod that does
    /// not count as measured counts, if at all, with a usage of its own: a
    /// utilization target counts a missing pod at `max(target, 100 %)` of
    /// its request (a target above 100 % would make a pod at 100 % look
    /// idle), an average value target at the target.
    ///
    /// The counted classes that `alike` says read the same are summed as
    /// one: the sum of their usage, each saturating, is the same either way
    /// (all terms are non-negative, so it is the true sum or `u64::MAX`).
    /// `spare`: a list whose allocation the counted classes take.
    fn new(
        metric: &HpaMetric,
        pods: &[PodSample],
        alike: &impl Fn(usize, usize, Measure) -> bool,
        s: &CalculatorSettings,
        mut spare: Vec<(usize, u64)>,
    ) -> MetricGroups {
        let (measure, resource, target) = match *metric {
            HpaMetric::Resource {
                resource,
                target: ResourceTarget::Utilization(target),
            } => (
                Measure::of(resource),
                Some(resource),
                Target::Utilization(target),
            ),
            HpaMetric::Resource {
                resource,
                target: ResourceTarget::AverageValue(target),
            } => {
                let measure = Measure::of(resource);
                let target = Target::AverageValue(measure.milli_value(target));
                (measure, Some(resource), target)
            }
            HpaMetric::RequestsPerSecond { average_value } => {
                let measure = Measure::RequestRate;
                let target = Target::AverageValue(measure.milli_value(average_value));
                (measure, None, target)
            }
        };
        spare.clear();
        let mut groups = MetricGroups {
            measure,
            target,
            ready: spare,
            counted: Tally::default(),
            unready: Tally::default(),
            missing_idle: Tally::default(),
            missing_at_target: Tally::default(),
            unrequested: false,
        };
        for (class, pod) in pods.iter().enumerate() {
            // `calculateRequests` lists every pod, those set aside included.
            let request = match (target, resource) {
                (Target::Utilization(_), Some(resource)) => {
                    let request = resource_request(&pod.requests, resource);
                    groups.unrequested |= request == 0;
                    request
                }
                _ => 0,
            };
            match group_pod(pod, resource, s) {
                PodGroup::Ready => {
                    let count = u64::from(pod.count);
                    match groups
                        .ready
                        .iter_mut()
                        .find(|(first, _)| alike(*first, class, measure))
                    {
                        Some((_, pods)) => *pods += count,
                        None => groups.ready.push((class, count)),
                    }
                    groups.counted.add(0, request, pod.count);
                }
                PodGroup::Unready => groups.unready.add(0, request, pod.count),
                PodGroup::Missing => {
                    let at_target = match target {
                        Target::Utilization(utilization) => {
                            request * u64::from(utilization.max(100)) / 100
                        }
                        Target::AverageValue(usage) => usage,
                    };
                    groups.missing_idle.add(0, request, pod.count);
                    groups.missing_at_target.add(at_target, request, pod.count);
                }
                PodGroup::Ignored => {}
            }
        }
        groups
    }

    /// The ratio of the pods' usage to the target. `None` when no pod
    /// requests the resource of a utilization target.
    fn ratio(&self, tally: Tally) -> Option<f64> {
        match self.target {
            Target::Utilization(target) => tally.utilization_ratio(target),
            Target::AverageValue(target) => Some(tally.usage_ratio(target)),
        }
    }

    /// The metric's proposal when the counted classes' samples read
    /// `usage(class, measure)`. `None` where Kubernetes returns an error:
    /// no pods, no sample from a pod that counts, or, for a utilization
    /// target, a pod without a request for the resource.
    fn replicas(
        &self,
        current: u32,
        usage: impl Fn(usize, Measure) -> f64,
        s: &CalculatorSettings,
    ) -> Option<u32> {
        let mut sum: u64 = 0;
        for &(class, count) in &self.ready {
            let value = self.measure.milli_value(usage(class, self.measure));
            sum = sum.saturating_add(value.saturating_mul(count));
        }
        self.replicas_at(current, sum, s)
    }

    /// [`MetricGroups::replicas`] once the counted pods' usage is summed:
    /// `usage` milli-units in all.
    fn replicas_at(&self, current: u32, usage: u64, s: &CalculatorSettings) -> Option<u32> {
        let mut counted = self.counted;
        if counted.pods == 0 || self.unrequested {
            return None;
        }
        counted.usage = counted.usage.saturating_add(usage);
        let usage_ratio = self.ratio(counted)?;

        let scale_up_with_unready = self.unready.pods > 0 && usage_ratio > 1.0;
        if !scale_up_with_unready && self.missing_idle.pods == 0 {
            if is_within(usage_ratio, s) {
                return Some(current);
            }
            return Some(ceil_replicas(usage_ratio * counted.pods as f64));
        }
        if usage_ratio < 1.0 {
            counted = counted.and(self.missing_at_target);
        } else if usage_ratio > 1.0 {
            counted = counted.and(self.missing_idle);
        }
        if scale_up_with_unready {
            counted = counted.and(self.unready);
        }
        let new_usage_ratio = self.ratio(counted)?;
        Some(rebalanced_replicas(
            current,
            usage_ratio,
            new_usage_ratio,
            counted.pods as usize,
            s,
        ))
    }
}
fn metric_name(metric: &HpaMetric) -> &'static str {
    match metric {
        HpaMetric::Resource {
            resource: ResourceName::Cpu,
            target: ResourceTarget::Utilization(_),
        } => "cpu resource utilization (percentage of request)",
        HpaMetric::Resource {
            resource: ResourceName::Memory,
            target: ResourceTarget::Utilization(_),
        } => "memory resource utilization (percentage of request)",
        HpaMetric::Resource {
            resource: ResourceName::Cpu,
            target: ResourceTarget::AverageValue(_),
        } => "cpu resource",
        HpaMetric::Resource {
            resource: ResourceName::Memory,
            target: ResourceTarget::AverageValue(_),
        } => "memory resource",
        HpaMetric::RequestsPerSecond { .. } => "pods metric requests_per_second",
    }
}

/// What a calculation of one sum reads (see [`Calculation::single_sum`]):
/// the usage of class `class`, as `measure`, for each of `pods` pods.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SingleSum {
    pub class: usize,
    pub pods: u64,
    pub measure: Measure,
}

/// `computeReplicasForMetrics` at one sync: the pods grouped for each
/// metric once, the proposal then computed for any usage of the pods that
/// count (see [`MetricGroups`]).
pub(crate) struct Calculation<'a> {
    current: u32,
    metrics: &'a [HpaMetric],
    grouping: Grouping,
    settings: CalculatorSettings,
}

/// The pods grouped for each metric. It holds for as long as the pods'
/// classes do: their groups follow from their classes (see [`Timing`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Grouping(Vec<MetricGroups>);

impl Grouping {
    /// [`Grouping::regroup`] of no grouping.
    #[cfg(test)]
    pub(crate) fn new(
        metrics: &[HpaMetric],
        pods: &[PodSample],
        alike: impl Fn(usize, usize, Measure) -> bool,
        settings: &CalculatorSettings,
    ) -> Grouping {
        let mut grouping = Grouping::default();
        grouping.regroup(metrics, pods, alike, settings);
        grouping
    }

    /// Groups `pods` for each of `metrics`, in place of this grouping, whose
    /// lists keep their allocation (a sync regroups whenever a pod joined
    /// or left a class). Only whether a pod has a sample is read here, not
    /// the sample. `alike(a, b, measure)`: whether the samples of classes
    /// `a` and `b` read the same for `measure` at any load, so that their
    /// pods are summed as one.
    pub(crate) fn regroup(
        &mut self,
        metrics: &[HpaMetric],
        pods: &[PodSample],
        alike: impl Fn(usize, usize, Measure) -> bool,
        settings: &CalculatorSettings,
    ) {
        self.0.truncate(metrics.len());
        for (i, metric) in metrics.iter().enumerate() {
            let spare = (self.0.get_mut(i)).map_or_else(Vec::new, |g| std::mem::take(&mut g.ready));
            let groups = MetricGroups::new(metric, pods, &alike, settings, spare);
            match self.0.get_mut(i) {
                Some(g) => *g = groups,
                None => self.0.push(groups),
            }
        }
    }
}

impl<'a> Calculation<'a> {
    /// The calculation at the sync `settings`, of the pods as `grouping`
    /// grouped them for `metrics`.
    pub(crate) fn new(
        current: u32,
        metrics: &'a [HpaMetric],
        grouping: Grouping,
        settings: &CalculatorSettings,
    ) -> Calculation<'a> {
        Calculation {
            current,
            metrics,
            grouping,
            settings: *settings,
        }
    }

    /// The one sum of usage the proposal reads, where it reads one: a
    /// single metric whose counted pods all read alike. The proposal then
    /// moves with the load only as that sum does, and
    /// [`Calculation::proposal_at`] gives it for any sum without reading a
    /// sample.
    pub(crate) fn single_sum(&self) -> Option<SingleSum> {
        let [groups] = self.grouping.0.as_slice() else {
            return None;
        };
        let [(class, pods)] = groups.ready.as_slice() else {
            return None;
        };
        Some(SingleSum {
            class: *class,
            pods: *pods,
            measure: groups.measure,
        })
    }

    /// The proposal when the counted pods of a [`Calculation::single_sum`]
    /// read `milli` milli-units each: [`Calculation::proposal`] after its
    /// sum.
    pub(crate) fn proposal_at(&self, sum: &SingleSum, milli: u64) -> Option<Proposal> {
        let usage = milli.saturating_mul(sum.pods);
        let replicas = self.grouping.0[0].replicas_at(self.current, usage, &self.settings)?;
        Some(Proposal {
            replicas,
            metric_name: metric_name(&self.metrics[0]),
        })
    }

    /// The grouping, for a later sync that finds the pods classed alike.
    pub(crate) fn into_grouping(self) -> Grouping {
        self.grouping
    }

    /// The largest proposal when the sample of the pods of class `class`
    /// (an index into the pods grouped) reads `usage(class, measure)`. A
    /// metric that cannot be computed is skipped, but then a scale-down is
    /// not trusted (the missing metric might have asked for more), nor is
    /// anything when every metric failed: `None`, and the controller leaves
    /// the scale alone.
    pub(crate) fn proposal(&self, usage: impl Fn(usize, Measure) -> f64) -> Option<Proposal> {
        let mut replicas = 0;
        let mut metric = None;
        let mut invalid_metrics = 0;
        for (spec, groups) in self.metrics.iter().zip(&self.grouping.0) {
            let Some(proposal) = groups.replicas(self.current, &usage, &self.settings) else {
                invalid_metrics += 1;
                continue;
            };
            if replicas == 0 || proposal > replicas {
                replicas = proposal;
                metric = Some(spec);
            }
        }
        if invalid_metrics >= self.metrics.len() || (invalid_metrics > 0 && replicas < self.current)
        {
            return None;
        }
        Some(Proposal {
            replicas,
            metric_name: metric.map(metric_name).unwrap_or_default(),
        })
    }
}
/// The reason `reconcileAutoscaler` gives in its `SuccessfulRescale` event,
/// from the proposal before stabilization and rate limits; empty when the
/// metrics ask for no change, as in Kubernetes (no event is sent then).
pub(crate) fn rescale_reason(current: u32, desired: u32, metric_name: &str) -> String {
    if desired > current {
        format!("{metric_name} above target")
    } else if desired < current {
        "All metrics below target".to_owned()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field of the sample a metric reads.
    fn read(measure: Measure, usage: &Usage) -> f64 {
        match measure {
            Measure::Cpu => usage.cpu_millis,
            Measure::Memory => usage.memory_bytes,
            Measure::RequestRate => usage.requests_per_second,
        }
    }

    /// The calculator at one usage of the pods, as a sync runs it.
    fn compute_replicas_for_metrics(
        current: u32,
        metrics: &[HpaMetric],
        pods: &[PodSample],
        settings: &CalculatorSettings,
    ) -> Option<Proposal> {
        let grouping = Grouping::new(metrics, pods, |_, _, _| false, settings);
        Calculation::new(current, metrics, grouping, settings).proposal(|class, measure| {
            read(
                measure,
                &pods[class].usage.expect("a counted pod has a sample"),
            )
        })
    }

    /// The calculator as Kubernetes writes it: each proposal groups and
    /// sums the pods afresh, reading their samples as it goes. What
    /// [`Calculation`], grouping once for any usage, must agree with.
    mod pod_by_pod {
        use super::super::*;

        fn resource_usage(usage: &Usage, resource: ResourceName) -> u64 {
            match resource {
                ResourceName::Cpu => milli_value(usage.cpu_millis),
                ResourceName::Memory => memory_milli_value(usage.memory_bytes),
            }
        }

        /// `GetResourceReplicas`: a `Resource` metric with an `averageUtilization`
        /// target. `None` where Kubernetes returns an error: no pods, no sample
        /// from a pod that counts, or a pod without a request for the resource.
        fn resource_utilization_replicas(
            current: u32,
            target_utilization: u32,
            resource: ResourceName,
            pods: &[PodSample],
            s: &CalculatorSettings,
        ) -> Option<u32> {
            if pods.is_empty() {
                return None;
            }
            // A target above 100 % would make a pod at 100 % of its request look
            // idle: a missing pod counts at the target then, on a scale-down.
            let fallback_utilization = u64::from(target_utilization.max(100));
            let mut counted = Tally::default();
            let mut unready = Tally::default();
            let mut missing_idle = Tally::default();
            let mut missing_at_target = Tally::default();
            // `calculateRequests` lists every pod, those set aside included.
            let mut unrequested = false;
            for pod in pods {
                let request = resource_request(&pod.requests, resource);
                unrequested |= request == 0;
                match group_pod(pod, Some(resource), s) {
                    PodGroup::Ready => {
                        let usage = pod.usage.as_ref().expect("a ready pod has a sample");
                        counted.add(resource_usage(usage, resource), request, pod.count);
                    }
                    PodGroup::Unready => unready.add(0, request, pod.count),
                    PodGroup::Missing => {
                        missing_idle.add(0, request, pod.count);
                        missing_at_target.add(
                            request * fallback_utilization / 100,
                            request,
                            pod.count,
                        );
                    }
                    PodGroup::Ignored => {}
                }
            }
            if counted.pods == 0 || unrequested {
                return None;
            }
            let usage_ratio = counted.utilization_ratio(target_utilization)?;

            let scale_up_with_unready = unready.pods > 0 && usage_ratio > 1.0;
            if !scale_up_with_unready && missing_idle.pods == 0 {
                if is_within(usage_ratio, s) {
                    return Some(current);
                }
                return Some(ceil_replicas(usage_ratio * counted.pods as f64));
            }
            if usage_ratio < 1.0 {
                counted = counted.and(missing_at_target);
            } else if usage_ratio > 1.0 {
                counted = counted.and(missing_idle);
            }
            if scale_up_with_unready {
                counted = counted.and(unready);
            }
            let new_usage_ratio = counted.utilization_ratio(target_utilization)?;
            Some(rebalanced_replicas(
                current,
                usage_ratio,
                new_usage_ratio,
                counted.pods as usize,
                s,
            ))
        }

        /// `calcPlainMetricReplicas`, behind `GetRawResourceReplicas` (a `Resource`
        /// metric with an `averageValue` target: `resource` is set, and for CPU the
        /// initialization rules apply) and `GetMetricReplicas` (a `Pods` metric:
        /// `resource` is `None`). `value` reads a pod's sample in milli-units.
        fn plain_metric_replicas(
            current: u32,
            target_usage: u64,
            resource: Option<ResourceName>,
            value: impl Fn(&Usage) -> u64,
            pods: &[PodSample],
            s: &CalculatorSettings,
        ) -> Option<u32> {
            if pods.is_empty() {
                return None;
            }
            let mut counted = Tally::default();
            let mut unready_pods = 0;
            let mut missing_pods = 0;
            for pod in pods {
                match group_pod(pod, resource, s) {
                    PodGroup::Ready => counted.add(
                        value(pod.usage.as_ref().expect("a ready pod has a sample")),
                        0,
                        pod.count,
                    ),
                    PodGroup::Unready => unready_pods += pod.count,
                    PodGroup::Missing => missing_pods += pod.count,
                    PodGroup::Ignored => {}
                }
            }
            if counted.pods == 0 {
                return None;
            }
            let usage_ratio = counted.usage_ratio(target_usage);

            let scale_up_with_unready = unready_pods > 0 && usage_ratio > 1.0;
            if !scale_up_with_unready && missing_pods == 0 {
                if is_within(usage_ratio, s) {
                    return Some(current);
                }
                return Some(ceil_replicas(usage_ratio * counted.pods as f64));
            }
            if usage_ratio < 1.0 {
                counted.add(target_usage, 0, missing_pods);
            } else if usage_ratio > 1.0 {
                counted.add(0, 0, missing_pods);
            }
            if scale_up_with_unready {
                counted.add(0, 0, unready_pods);
            }
            let new_usage_ratio = counted.usage_ratio(target_usage);
            Some(rebalanced_replicas(
                current,
                usage_ratio,
                new_usage_ratio,
                counted.pods as usize,
                s,
            ))
        }

        /// `computeReplicasForMetric`, with the metric's name as
        /// `computeStatusFor{Resource,Pods}Metric` format it.
        fn replicas_for_metric(
            current: u32,
            metric: &HpaMetric,
            pods: &[PodSample],
            s: &CalculatorSettings,
        ) -> Option<u32> {
            match *metric {
                HpaMetric::Resource {
                    resource,
                    target: ResourceTarget::Utilization(target),
                } => resource_utilization_replicas(current, target, resource, pods, s),
                HpaMetric::Resource {
                    resource,
                    target: ResourceTarget::AverageValue(target),
                } => {
                    let target = match resource {
                        ResourceName::Cpu => milli_value(target),
                        ResourceName::Memory => memory_milli_value(target),
                    };
                    let value = move |usage: &Usage| resource_usage(usage, resource);
                    plain_metric_replicas(current, target, Some(resource), value, pods, s)
                }
                HpaMetric::RequestsPerSecond { average_value } => {
                    let value = |usage: &Usage| milli_value(usage.requests_per_second * 1000.0);
                    plain_metric_replicas(
                        current,
                        milli_value(average_value * 1000.0),
                        None,
                        value,
                        pods,
                        s,
                    )
                }
            }
        }

        /// `computeReplicasForMetrics`: the largest proposal. A metric that cannot
        /// be computed is skipped, but then a scale-down is not trusted (the
        /// missing metric might have asked for more), nor is anything when every
        /// metric failed: `None`, and the controller leaves the scale alone.
        pub(super) fn compute_replicas_for_metrics(
            current_replicas: u32,
            metrics: &[HpaMetric],
            pods: &[PodSample],
            settings: &CalculatorSettings,
        ) -> Option<Proposal> {
            let mut replicas = 0;
            let mut metric = None;
            let mut invalid_metrics = 0;
            for spec in metrics {
                let Some(proposal) = replicas_for_metric(current_replicas, spec, pods, settings)
                else {
                    invalid_metrics += 1;
                    continue;
                };
                if replicas == 0 || proposal > replicas {
                    replicas = proposal;
                    metric = Some(spec);
                }
            }
            if invalid_metrics >= metrics.len()
                || (invalid_metrics > 0 && replicas < current_replicas)
            {
                return None;
            }
            Some(Proposal {
                replicas,
                metric_name: metric.map(metric_name).unwrap_or_default(),
            })
        }
    }

    fn cpu(target: u32) -> HpaMetric {
        HpaMetric::Resource {
            resource: ResourceName::Cpu,
            target: ResourceTarget::Utilization(target),
        }
    }

    /// At 600 s, with the controller's defaults: CPU initialization 5 min,
    /// readiness delay 30 s, tolerance 0.1; a scrape at 590 s over 15 s.
    fn settings() -> CalculatorSettings {
        CalculatorSettings {
            now: SimTime::from_secs(600),
            tolerance_up: 0.1,
            tolerance_down: 0.1,
            cpu_initialization_period: SimDuration::from_secs(300),
            initial_readiness_delay: SimDuration::from_secs(30),
            metric_timestamp: SimTime::from_secs(590),
            metric_window: SimDuration::from_secs(15),
        }
    }

    /// Started at 0 s, Ready since 20 s, requesting 1000m CPU and 1 GB.
    fn pod(cpu_millis: f64, requests_per_second: f64) -> PodSample {
        PodSample {
            phase: PodPhase::Running,
            deleting: false,
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(20),
            }),
            start_time: Some(SimTime::ZERO),
            requests: Requests {
                cpu_millis: 1000,
                memory_bytes: 1_000_000_000,
            },
            usage: Some(Usage {
                cpu_millis,
                memory_bytes: 500_000_000.0,
                requests_per_second,
            }),
            count: 1,
        }
    }

    fn missing() -> PodSample {
        PodSample {
            usage: None,
            ..pod(0.0, 0.0)
        }
    }

    fn pending() -> PodSample {
        PodSample {
            phase: PodPhase::Pending,
            ready: None,
            usage: None,
            ..pod(0.0, 0.0)
        }
    }

    fn replicas(current: u32, metric: HpaMetric, pods: &[PodSample]) -> Option<u32> {
        compute_replicas_for_metrics(current, &[metric], pods, &settings()).map(|p| p.replicas)
    }

    #[test]
    fn desired_replicas_is_the_ceiling_of_the_ratio_times_the_pods() {
        // 4 pods at 900m of 1000m: 3600 × 100 / 4000 = 90 %; 90 / 50 = 1.8;
        // ceil(4 × 1.8) = ceil(7.2) = 8.
        let pods = vec![pod(900.0, 0.0); 4];
        assert_eq!(replicas(4, cpu(50), &pods), Some(8));
    }

    #[test]
    fn a_ratio_within_the_tolerance_changes_nothing() {
        // 52 % of a 50 % target: ratio 1.04, inside [0.9, 1.1].
        let pods = vec![pod(520.0, 0.0); 4];
        assert_eq!(replicas(4, cpu(50), &pods), Some(4));
        // 55 %: ratio 55 / 50 = 1.1, on the band's edge, which is inside.
        let pods = vec![pod(550.0, 0.0); 4];
        assert_eq!(replicas(4, cpu(50), &pods), Some(4));
        // 56 %: 1.12, outside: ceil(4 × 1.12) = ceil(4.48) = 5.
        let pods = vec![pod(560.0, 0.0); 4];
        assert_eq!(replicas(4, cpu(50), &pods), Some(5));
    }

    #[test]
    fn utilization_is_truncated_to_a_whole_percent() {
        // 559m of 1000m is 55.9 %, which Kubernetes reads as 55 %: ratio
        // 1.1, inside the band. Untruncated, 1.118 would scale to
        // ceil(4 × 1.118) = ceil(4.472) = 5.
        let pods = vec![pod(559.0, 0.0); 4];
        assert_eq!(replicas(4, cpu(50), &pods), Some(4));
    }

    #[test]
    fn the_largest_proposal_wins_and_names_its_metric() {
        // CPU: 100 % of request against 50 % → ratio 2, ceil(3 × 2) = 6.
        // Requests: 30/s each against 10/s → 30000m / 10000m = 3, ceil(3 × 3) = 9.
        let pods = vec![pod(1000.0, 30.0); 3];
        let metrics = [
            cpu(50),
            HpaMetric::RequestsPerSecond {
                average_value: 10.0,
            },
        ];
        let proposal = compute_replicas_for_metrics(3, &metrics, &pods, &settings());
        let proposal = proposal.expect("both metrics compute");
        assert_eq!(proposal.replicas, 9);
        assert_eq!(proposal.metric_name, "pods metric requests_per_second");
        assert_eq!(
            rescale_reason(3, proposal.replicas, proposal.metric_name),
            "pods metric requests_per_second above target"
        );
        assert_eq!(
            rescale_reason(3, 2, proposal.metric_name),
            "All metrics below target"
        );
    }

    #[test]
    fn metric_names_follow_kubernetes() {
        let pods = vec![pod(1000.0, 0.0); 2];
        let memory = HpaMetric::Resource {
            resource: ResourceName::Memory,
            target: ResourceTarget::AverageValue(100_000_000.0),
        };
        // Memory: 500 MB per pod against 100 MB → ratio 5, ceil(2 × 5) = 10.
        let proposal = compute_replicas_for_metrics(2, &[cpu(50), memory], &pods, &settings());
        assert_eq!(
            proposal,
            Some(Proposal {
                replicas: 10,
                metric_name: "memory resource"
            })
        );
        let proposal = compute_replicas_for_metrics(2, &[cpu(50)], &pods, &settings());
        assert_eq!(
            proposal.map(|p| p.metric_name),
            Some("cpu resource utilization (percentage of request)")
        );
    }

    #[test]
    fn missing_pods_count_at_their_request_on_a_scale_down() {
        // 3 pods at 100m of 1000m and one without a sample, target 50 %.
        // Measured: 300 × 100 / 3000 = 10 %, ratio 0.2.
        // The missing pod at 100 %: (300 + 1000) × 100 / 4000 = 32 %, 0.64;
        // ceil(4 × 0.64) = ceil(2.56) = 3, not ceil(3 × 0.2) = 1.
        let pods = vec![pod(100.0, 0.0), pod(100.0, 0.0), pod(100.0, 0.0), missing()];
        assert_eq!(replicas(4, cpu(50), &pods), Some(3));
    }

    #[test]
    fn missing_pods_count_at_a_target_above_100_percent() {
        // 3 pods at 150m of 1000m, one missing, target 200 %: 15 %, 0.075.
        // Missing at 200 %: (450 + 2000) × 100 / 4000 = 61 %, 0.305;
        // ceil(4 × 0.305) = ceil(1.22) = 2. At 100 % it would have been
        // (450 + 1000) × 100 / 4000 = 36 %, 0.18, ceil(0.72) = 1.
        let pods = vec![pod(150.0, 0.0), pod(150.0, 0.0), pod(150.0, 0.0), missing()];
        assert_eq!(replicas(4, cpu(200), &pods), Some(2));
    }

    #[test]
    fn missing_pods_count_as_idle_on_a_scale_up() {
        // 3 pods at 140 % of a 100 % target, one missing: ratio 1.4.
        // Missing at 0: 4200 × 100 / 4000 = 105 %, 1.05, inside the
        // tolerance: no change, where ceil(3 × 1.4) = 5 would scale.
        let pods = vec![
            pod(1400.0, 0.0),
            pod(1400.0, 0.0),
            pod(1400.0, 0.0),
            missing(),
        ];
        assert_eq!(replicas(4, cpu(100), &pods), Some(4));
    }

    #[test]
    fn a_pods_metric_counts_missing_pods_at_the_target_on_a_scale_down() {
        // 3 pods at 2/s against 10/s, one missing: mean 2000m, 0.2.
        // Missing at 10000m: 16000m / 4 = 4000m, 0.4; ceil(4 × 0.4) = 2.
        let mut pods = vec![pod(0.0, 2.0); 3];
        pods.push(missing());
        let rps = HpaMetric::RequestsPerSecond {
            average_value: 10.0,
        };
        assert_eq!(replicas(4, rps, &pods), Some(2));
    }

    #[test]
    fn unready_pods_count_as_idle_on_a_scale_up() {
        // 3 Ready pods at 200 % of a 100 % target, one Pending: ratio 2.
        // The Pending pod at 0: 6000 × 100 / 4000 = 150 %, 1.5;
        // ceil(4 × 1.5) = 6, not ceil(4 × 2) = 8.
        let pods = vec![
            pod(2000.0, 0.0),
            pod(2000.0, 0.0),
            pod(2000.0, 0.0),
            pending(),
        ];
        assert_eq!(replicas(4, cpu(100), &pods), Some(6));
    }

    #[test]
    fn a_scale_up_that_counting_unready_pods_reverses_changes_nothing() {
        // One Ready pod at 150 % of 100 %, three Pending: ratio 1.5, up.
        // With the Pending at 0: 1500 × 100 / 4000 = 37 %, 0.37: a
        // scale-down now. The direction turned: stay at 4, where
        // ceil(1 × 1.5) = 2 would have halved the Deployment.
        let pods = vec![pod(1500.0, 0.0), pending(), pending(), pending()];
        assert_eq!(replicas(4, cpu(100), &pods), Some(4));
    }

    #[test]
    fn unready_pods_are_left_out_of_a_scale_down() {
        // 3 Ready pods at 20 % of 100 %, one Pending: ceil(3 × 0.2) = 1.
        let pods = vec![pod(200.0, 0.0), pod(200.0, 0.0), pod(200.0, 0.0), pending()];
        assert_eq!(replicas(4, cpu(100), &pods), Some(1));
    }

    #[test]
    fn cpu_samples_of_starting_pods_wait_for_a_metric_window_after_ready() {
        let s = settings();
        let cpu = Some(ResourceName::Cpu);
        // Started a minute ago (540 s), Ready since 580 s: the scrape at
        // 590 s is before 580 + 15 = 595 s, so its window overlaps the
        // time before Ready.
        let fresh = PodSample {
            start_time: Some(SimTime::from_secs(540)),
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(580),
            }),
            ..pod(900.0, 0.0)
        };
        assert_eq!(group_pod(&fresh, cpu, &s), PodGroup::Unready);
        // Ready since 570 s: 590 ≥ 585, a whole window after: counted.
        let settled = PodSample {
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(570),
            }),
            ..fresh
        };
        assert_eq!(group_pod(&settled, cpu, &s), PodGroup::Ready);
        // Not Ready within the initialization period: unready.
        let starting = PodSample {
            ready: Some(ReadyCondition {
                ready: false,
                last_transition: SimTime::from_secs(540),
            }),
            ..fresh
        };
        assert_eq!(group_pod(&starting, cpu, &s), PodGroup::Unready);
        // The rules are CPU's: the same pod's memory counts.
        assert_eq!(
            group_pod(&fresh, Some(ResourceName::Memory), &s),
            PodGroup::Ready
        );
        assert_eq!(group_pod(&fresh, None, &s), PodGroup::Ready);
    }

    #[test]
    fn cpu_samples_of_pods_past_initialization_count_unless_never_ready() {
        let s = settings();
        let cpu = Some(ResourceName::Cpu);
        // Started 10 minutes ago, unready since 500 s (it was Ready before):
        // past the 5 min initialization, its sample counts.
        let lapsed = PodSample {
            ready: Some(ReadyCondition {
                ready: false,
                last_transition: SimTime::from_secs(500),
            }),
            ..pod(900.0, 0.0)
        };
        assert_eq!(group_pod(&lapsed, cpu, &s), PodGroup::Ready);
        // Unready since 10 s, within the 30 s readiness delay of its start:
        // it has never been Ready, and its sample does not count.
        let never_ready = PodSample {
            ready: Some(ReadyCondition {
                ready: false,
                last_transition: SimTime::from_secs(10),
            }),
            ..pod(900.0, 0.0)
        };
        assert_eq!(group_pod(&never_ready, cpu, &s), PodGroup::Unready);
        // No Ready condition yet, or no start time: unready.
        let no_condition = PodSample {
            ready: None,
            ..pod(900.0, 0.0)
        };
        assert_eq!(group_pod(&no_condition, cpu, &s), PodGroup::Unready);
    }

    #[test]
    fn deleting_and_failed_pods_are_ignored_and_pending_before_missing() {
        let s = settings();
        let deleting = PodSample {
            deleting: true,
            ..pod(900.0, 0.0)
        };
        let failed = PodSample {
            phase: PodPhase::Failed,
            ..pod(900.0, 0.0)
        };
        assert_eq!(group_pod(&deleting, None, &s), PodGroup::Ignored);
        assert_eq!(group_pod(&failed, None, &s), PodGroup::Ignored);
        assert_eq!(group_pod(&pending(), None, &s), PodGroup::Unready);
        assert_eq!(group_pod(&missing(), None, &s), PodGroup::Missing);
        // Only the two Running pods at 100 % count: ceil(2 × 2) = 4.
        let pods = vec![deleting, failed, pod(1000.0, 0.0), pod(1000.0, 0.0)];
        assert_eq!(replicas(4, cpu(50), &pods), Some(4));
    }

    #[test]
    fn no_scaling_without_a_sample_or_a_request() {
        // No pods, or none with a sample: an error in Kubernetes.
        assert_eq!(replicas(2, cpu(50), &[]), None);
        assert_eq!(replicas(2, cpu(50), &[missing(), pending()]), None);
        // A pod without a CPU request, even one set aside, fails a
        // utilization target...
        let no_request = PodSample {
            requests: Requests {
                cpu_millis: 0,
                memory_bytes: 1_000_000_000,
            },
            ..pending()
        };
        let pods = [pod(900.0, 0.0), no_request];
        assert_eq!(replicas(2, cpu(50), &pods), None);
        // ...but not an average value, which needs none.
        let average = HpaMetric::Resource {
            resource: ResourceName::Cpu,
            target: ResourceTarget::AverageValue(300.0),
        };
        // 900m against 300m: 3; the Pending pod at 0: 450m, 1.5; ceil(3).
        assert_eq!(replicas(2, average, &pods), Some(3));
    }

    #[test]
    fn a_failed_metric_blocks_a_scale_down_but_not_a_scale_up() {
        // Memory utilization fails (no memory request); CPU asks for more.
        let no_memory_request = |cpu_millis| PodSample {
            requests: Requests {
                cpu_millis: 1000,
                memory_bytes: 0,
            },
            ..pod(cpu_millis, 0.0)
        };
        let memory = HpaMetric::Resource {
            resource: ResourceName::Memory,
            target: ResourceTarget::Utilization(50),
        };
        // CPU at 100 % of 50 %: ceil(3 × 2) = 6, up: proceed.
        let busy = vec![no_memory_request(1000.0); 3];
        let proposal =
            compute_replicas_for_metrics(3, &[memory.clone(), cpu(50)], &busy, &settings());
        assert_eq!(proposal.map(|p| p.replicas), Some(6));
        // CPU at 10 %: ceil(3 × 0.2) = 1, down: the failed metric might
        // have asked for more, so nothing scales.
        let idle = vec![no_memory_request(100.0); 3];
        assert_eq!(
            compute_replicas_for_metrics(3, &[memory.clone(), cpu(50)], &idle, &settings()),
            None
        );
        // Every metric failed: nothing scales.
        assert_eq!(
            compute_replicas_for_metrics(3, &[memory], &busy, &settings()),
            None
        );
    }

    #[test]
    fn tolerances_apply_per_direction() {
        // KEP-4951, up 0.5 and down 0.01. 140 % of a 100 % target: 1.4 is
        // inside [0.99, 1.5], no change. 70 %: 0.7 is below, ceil(4 × 0.7) =
        // ceil(2.8) = 3.
        let s = CalculatorSettings {
            tolerance_up: 0.5,
            tolerance_down: 0.01,
            ..settings()
        };
        let up = vec![pod(1400.0, 0.0); 4];
        let down = vec![pod(700.0, 0.0); 4];
        let run = |pods: &[PodSample]| {
            compute_replicas_for_metrics(4, &[cpu(100)], pods, &s).map(|p| p.replicas)
        };
        assert_eq!(run(&up), Some(4));
        assert_eq!(run(&down), Some(3));
    }

    #[test]
    fn samples_are_read_as_kubernetes_quantities() {
        // Nanocores rounded up to millicores; float noise is not.
        assert_eq!(milli_value(450.000_000_000_1), 450);
        assert_eq!(milli_value(450.2), 451);
        assert_eq!(memory_milli_value(1024.0), 1_024_000);
    }

    #[test]
    fn merged_pods_propose_what_the_pods_one_by_one_do() {
        // Pods alike but for times that cannot matter merge: the old ones,
        // and the two fresh ones, within their CPU initialization, whose
        // samples' windows both began before they turned Ready. The stale
        // one, Ready before its window began, stays apart. Every metric, at
        // every load, gives the same proposal either way.
        let s = settings();
        let fresh = PodSample {
            start_time: Some(SimTime::from_secs(540)),
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(580),
            }),
            ..pod(0.0, 0.0)
        };
        let also_fresh = PodSample {
            start_time: Some(SimTime::from_secs(550)),
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(585),
            }),
            ..pod(0.0, 0.0)
        };
        let stale = PodSample {
            start_time: Some(SimTime::from_secs(500)),
            ready: Some(ReadyCondition {
                ready: true,
                last_transition: SimTime::from_secs(560),
            }),
            ..pod(0.0, 0.0)
        };
        let old = |t: u64| PodSample {
            start_time: Some(SimTime::from_secs(t)),
            ..pod(0.0, 0.0)
        };
        let pods = vec![
            old(0),
            old(10),
            fresh,
            old(30),
            missing(),
            also_fresh,
            pending(),
            stale,
            missing(),
        ];
        let merged: Vec<PodSample> = count_alike(pods.iter().map(|&pod| canonical(pod, &s)))
            .into_iter()
            .map(|(pod, count)| PodSample { count, ..pod })
            .collect();
        assert_eq!(
            merged.iter().map(|p| p.count).collect::<Vec<_>>(),
            vec![3, 2, 2, 1, 1]
        );
        for metric in [
            cpu(50),
            HpaMetric::RequestsPerSecond {
                average_value: 10.0,
            },
        ] {
            for load in [0.0, 100.0, 450.0, 900.0, 2000.0] {
                let with = |pods: &[PodSample]| -> Vec<PodSample> {
                    pods.iter()
                        .map(|p| PodSample {
                            usage: p.usage.map(|_| Usage {
                                cpu_millis: load,
                                memory_bytes: 0.0,
                                requests_per_second: load / 50.0,
                            }),
                            ..*p
                        })
                        .collect()
                };
                for current in [3, 7, 12] {
                    assert_eq!(
                        replicas(current, metric.clone(), &with(&pods)),
                        replicas(current, metric.clone(), &with(&merged)),
                        "{metric:?} at {load} from {current}"
                    );
                }
            }
        }
    }

    /// The pod with [`canonical_times`].
    fn canonical(pod: PodSample, s: &CalculatorSettings) -> PodSample {
        let (ready, start_time) = canonical_times(pod.ready, pod.start_time, s);
        PodSample {
            ready,
            start_time,
            ..pod
        }
    }

    /// Random runs of pods of a few kinds and keys are counted as the
    /// search of every class from the last counts them.
    #[test]
    fn counting_finds_the_classes_a_search_from_the_last_does() {
        use rand::{RngExt, SeedableRng};

        let s = settings();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for _ in 0..500 {
            let pods: Vec<(PodSample, u8)> = (0..rng.random_range(0..40))
                .map(|_| {
                    let kind = [pod(0.0, 0.0), missing(), pending()][rng.random_range(0..3)];
                    let start = SimTime::from_secs(rng.random_range(0..4) * 200);
                    let sample = PodSample {
                        start_time: Some(start),
                        ..kind
                    };
                    (canonical(sample, &s), rng.random_range(0..3))
                })
                .collect();
            let mut expected: Vec<((PodSample, u8), u32)> = Vec::new();
            for &pod in &pods {
                match expected.iter_mut().rev().find(|(class, _)| *class == pod) {
                    Some((_, count)) => *count += 1,
                    None => expected.push((pod, 1)),
                }
            }
            assert_eq!(count_alike(pods), expected);
        }
    }

    /// Random pods of every kind (pending, failed, deleting, unready,
    /// starting, without a sample or a request), random metrics, and for
    /// each grouping several random usages of the pods with a sample, the
    /// pods of one of three sources alike. Where the calculation reads one
    /// sum, proposing from the sum gives the same.
    #[test]
    fn grouping_once_proposes_what_grouping_at_each_usage_does() {
        use rand::{RngExt, SeedableRng};

        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut single_sums = 0;
        // Regrouped at each case from the last case's: metrics and pods of
        // their own, as a sync regroups in the last sync's lists.
        let mut regrouped = Grouping::default();
        let one_in = |n: u32, rng: &mut rand_chacha::ChaCha8Rng| rng.random_range(0..n) == 0;
        let secs = |rng: &mut rand_chacha::ChaCha8Rng| SimTime::from_secs(rng.random_range(0..700));
        for case in 0..3000 {
            let s = CalculatorSettings {
                tolerance_up: [0.0, 0.1, 0.5][rng.random_range(0..3)],
                tolerance_down: [0.0, 0.1, 0.01][rng.random_range(0..3)],
                ..settings()
            };
            let metrics: Vec<HpaMetric> = (0..rng.random_range(1..4))
                .map(|_| match rng.random_range(0..5) {
                    0 => cpu(rng.random_range(10..250)),
                    1 => HpaMetric::Resource {
                        resource: ResourceName::Memory,
                        target: ResourceTarget::Utilization(rng.random_range(10..250)),
                    },
                    2 => HpaMetric::Resource {
                        resource: ResourceName::Cpu,
                        target: ResourceTarget::AverageValue(rng.random_range(50.0..1500.0)),
                    },
                    3 => HpaMetric::Resource {
                        resource: ResourceName::Memory,
                        target: ResourceTarget::AverageValue(rng.random_range(1e8..1e9)),
                    },
                    _ => HpaMetric::RequestsPerSecond {
                        average_value: rng.random_range(0.5..50.0),
                    },
                })
                .collect();
            let pods: Vec<PodSample> = (0..rng.random_range(0..6))
                .map(|_| PodSample {
                    phase: [PodPhase::Running, PodPhase::Pending, PodPhase::Failed][if one_in(
                        4, &mut rng,
                    ) {
                        rng.random_range(1..3)
                    } else {
                        0
                    }],
                    deleting: one_in(10, &mut rng),
                    ready: (!one_in(10, &mut rng)).then(|| ReadyCondition {
                        ready: !one_in(4, &mut rng),
                        last_transition: secs(&mut rng),
                    }),
                    start_time: (!one_in(10, &mut rng)).then(|| secs(&mut rng)),
                    requests: Requests {
                        cpu_millis: if one_in(20, &mut rng) {
                            0
                        } else {
                            rng.random_range(100..1000)
                        },
                        memory_bytes: if one_in(20, &mut rng) {
                            0
                        } else {
                            rng.random_range(100_000_000..1_000_000_000)
                        },
                    },
                    usage: (!one_in(5, &mut rng)).then_some(Usage {
                        cpu_millis: 0.0,
                        memory_bytes: 0.0,
                        requests_per_second: 0.0,
                    }),
                    count: rng.random_range(1..5),
                })
                .collect();
            let current = rng.random_range(1..20);
            // Classes of one source read alike, for every measure.
            let sources: Vec<usize> = pods.iter().map(|_| rng.random_range(0..3)).collect();
            let alike = |a: usize, b: usize, _| sources[a] == sources[b];
            let grouping = Grouping::new(&metrics, &pods, alike, &s);
            regrouped.regroup(&metrics, &pods, alike, &s);
            assert_eq!(
                format!("{regrouped:?}"),
                format!("{grouping:?}"),
                "case {case}"
            );
            let calculation = Calculation::new(current, &metrics, grouping, &s);
            for _ in 0..8 {
                let by_source: Vec<Usage> = (0..3)
                    .map(|_| Usage {
                        cpu_millis: rng.random_range(0.0..1000.0),
                        memory_bytes: rng.random_range(0.0..1e9),
                        requests_per_second: rng.random_range(0.0..40.0),
                    })
                    .collect();
                let at_load: Vec<PodSample> = pods
                    .iter()
                    .zip(&sources)
                    .map(|(pod, &source)| PodSample {
                        usage: pod.usage.map(|_| by_source[source]),
                        ..*pod
                    })
                    .collect();
                let grouped_once = calculation.proposal(|class, measure| {
                    read(measure, &at_load[class].usage.expect("a sample"))
                });
                assert_eq!(
                    grouped_once,
                    pod_by_pod::compute_replicas_for_metrics(current, &metrics, &at_load, &s),
                    "case {case}: {metrics:?} from {current} with {at_load:?}"
                );
                // A calculation of one sum proposes the same from the sum.
                if let Some(sum) = calculation.single_sum() {
                    let usage = read(sum.measure, &at_load[sum.class].usage.expect("a sample"));
                    let milli = sum.measure.milli_value(usage);
                    assert_eq!(
                        calculation.proposal_at(&sum, milli),
                        grouped_once,
                        "case {case}: {metrics:?} from {current} with {at_load:?}"
                    );
                    single_sums += 1;
                }
            }
        }
        assert!(single_sums > 1000, "{single_sums} calculations of one sum");
    }

    /// The usage where a milli-value steps to the next is that of
    /// `milli_value`, to a billionth.
    #[test]
    fn the_next_milli_step_is_where_the_milli_value_steps() {
        for measure in [Measure::Cpu, Measure::RequestRate] {
            for milli in [0, 1, 7, 175, 999, 1000, 123_456] {
                let step = measure.next_milli_step(milli).expect("a step");
                assert_eq!(measure.milli_value(step * (1.0 + 1e-9)), milli + 1);
                assert_eq!(measure.milli_value(step * (1.0 - 1e-9)), milli);
            }
        }
        assert_eq!(Measure::Memory.next_milli_step(5), None);
    }
}
