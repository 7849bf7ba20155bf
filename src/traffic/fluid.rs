//! Fluid-mode accounting: between two changes of a workload's endpoint view
//! the outcome counts are Poisson draws with the integrated rate as mean, so
//! the cost is one draw per outcome per change, whatever the request rate
//! and however it varies in between.

use std::cell::Cell;

use rand_distr::{Distribution as _, Poisson};

use super::exact::{Arrival, ExactRequests};
use super::{Capacity, RateProfile};
use crate::sim::{SimDuration, SimTime, Stream};
use crate::units::Distribution;

/// How far back [`FluidTraffic::offered_rate_at`] must answer: the
/// autoscaler's metrics lag by about a minute; ten leave a wide margin.
const MULTIPLIER_MEMORY: SimDuration = SimDuration::from_secs(600);

/// What a request sent to an endpoint in kube-proxy's view meets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EndpointClass {
    /// The app answers.
    Serving,
    /// The container runs but the app has not finished starting: a pod
    /// without a readiness probe is Ready, and routed to, from container
    /// start; one with a probe is not Ready, but kube-proxy's rules still
    /// list it while an API outage freezes them, or before they catch up.
    NotStarted,
    /// Nothing answers: the container or its node is gone, but the view
    /// still lists it.
    Stale,
    /// The process runs and accepts connections but its app never answers.
    Hung,
    /// The app answers, with an error: a newer version migrated its data.
    Incompatible,
}

impl EndpointClass {
    const ALL: [EndpointClass; 5] = [
        EndpointClass::Serving,
        EndpointClass::NotStarted,
        EndpointClass::Stale,
        EndpointClass::Hung,
        EndpointClass::Incompatible,
    ];

    pub(super) fn outcome(self) -> Outcome {
        match self {
            EndpointClass::Serving => Outcome::Ok,
            EndpointClass::NotStarted => Outcome::NotStarted,
            EndpointClass::Stale => Outcome::StaleEndpoint,
            EndpointClass::Hung => Outcome::Hung,
            EndpointClass::Incompatible => Outcome::Incompatible,
        }
    }
}

/// The fate of a request; the names are the report's stable cause keys.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    DroppedInFlight,
    NoEndpoints,
    StaleEndpoint,
    NotStarted,
    Hung,
    Overload,
    Incompatible,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::Ok,
        Outcome::DroppedInFlight,
        Outcome::NoEndpoints,
        Outcome::StaleEndpoint,
        Outcome::NotStarted,
        Outcome::Hung,
        Outcome::Overload,
        Outcome::Incompatible,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::DroppedInFlight => "dropped_in_flight",
            Outcome::NoEndpoints => "no_endpoints",
            Outcome::StaleEndpoint => "stale_endpoint",
            Outcome::NotStarted => "not_started",
            Outcome::Hung => "hung",
            Outcome::Overload => "overload",
            Outcome::Incompatible => "incompatible",
        }
    }

    /// One line on what the cause means, for the text report.
    pub fn explanation(self) -> &'static str {
        match self {
            Outcome::Ok => "answered",
            Outcome::DroppedInFlight => "in flight on a pod or node that stopped abruptly",
            Outcome::NoEndpoints => "the Service had no endpoint at all",
            Outcome::StaleEndpoint => {
                "routed to an endpoint whose pod no longer serves, before kube-proxy learnt it"
            }
            Outcome::NotStarted => {
                "routed to an endpoint in kube-proxy's rules whose app had not finished starting (no readiness probe, or rules frozen by an API outage)"
            }
            Outcome::Hung => "routed to a pod whose app hangs: its process runs, nothing answers",
            Outcome::Overload => "beyond what the pods' CPU limits can process",
            Outcome::Incompatible => {
                "answered with an error by an old version after a migration it cannot read"
            }
        }
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// Request counts by outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts([u64; 8]);

impl OutcomeCounts {
    pub fn get(&self, outcome: Outcome) -> u64 {
        self.0[outcome.index()]
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn failed(&self) -> u64 {
        self.total() - self.get(Outcome::Ok)
    }

    /// What was counted after `earlier`, a copy of these counts taken then.
    pub fn since(&self, earlier: &OutcomeCounts) -> OutcomeCounts {
        let mut diff = self.clone();
        for (a, b) in diff.0.iter_mut().zip(earlier.0) {
            *a -= b;
        }
        diff
    }

    pub fn add(&mut self, other: &OutcomeCounts) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a += b;
        }
    }
}

/// What the workload's pods consumed, for the monitoring view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub cpu_core_seconds: f64,
    pub cpu_max_cores: f64,
    pub offered_requests: f64,
    pub offered_rate_max: f64,
}

/// One workload's traffic: its rate, its endpoint view by class, and the
/// outcomes so far.
#[derive(Debug)]
pub struct FluidTraffic {
    profile: RateProfile,
    /// The profile's rate at the instant last asked: probes, the load
    /// watch and the autoscaler ask for the rate at one instant several
    /// times, and a diurnal's costs a cosine each time.
    last_rate: Cell<Option<(SimTime, f64)>>,
    /// Per version of the workload's app: what one endpoint can take, and
    /// how many serving endpoints run it. Versions differ while a rollout
    /// mixes them.
    capacities: Vec<Capacity>,
    /// Some version's endpoints are limited by a CPU limit: kept as versions
    /// are added, as it is read at every change of the load, and a year of
    /// daily rollouts makes 365 versions to search.
    cpu_bound: bool,
    serving_by_version: Vec<u32>,
    /// The versions with a serving endpoint, in order: a settlement goes
    /// over these, not over every version a year of rollouts made.
    serving_versions: Vec<usize>,
    settled_until: SimTime,
    usage: Usage,
    view: [u32; 5],
    arrivals: Stream,
    in_flight: Stream,
    counts: OutcomeCounts,
    /// The `trafficSpike` multipliers, each with the instant it took over,
    /// oldest first; the last is in force. Those superseded long enough ago
    /// are dropped, so a year of spikes holds a few entries.
    multipliers: Vec<(SimTime, f64)>,
    /// In exact mode, the requests one by one; the counts are theirs.
    exact: Option<ExactRequests>,
}

impl FluidTraffic {
    /// `arrivals` and `in_flight` are separate streams so that a fault, which
    /// adds in-flight draws, never shifts the arrival counts.
    pub fn new(
        profile: RateProfile,
        capacity: Capacity,
        arrivals: Stream,
        in_flight: Stream,
    ) -> Self {
        FluidTraffic {
            profile,
            last_rate: Cell::new(None),
            capacities: vec![capacity],
            cpu_bound: capacity.max_rate().is_some(),
            serving_by_version: vec![0],
            serving_versions: Vec::new(),
            settled_until: SimTime::ZERO,
            usage: Usage::default(),
            view: [0; 5],
            arrivals,
            in_flight,
            counts: OutcomeCounts::default(),
            multipliers: vec![(SimTime::ZERO, 1.0)],
            exact: None,
        }
    }

    /// From now on requests are drawn one by one (`--exact`): the counts
    /// come from them, the fluid account keeps only the usage.
    pub fn enable_exact(&mut self, exact: ExactRequests) {
        self.exact = Some(exact);
    }

    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    /// In exact mode, the next request's arrival after `now`.
    pub fn next_arrival(&mut self, now: SimTime) -> Option<SimTime> {
        let multiplier = self.multiplier();
        let exact = self.exact.as_mut()?;
        exact.next_arrival(now, &self.profile, multiplier)
    }

    /// In exact mode, a request arrives now: where it goes, counted.
    pub fn arrive(&mut self, now: SimTime) -> Option<Arrival> {
        let per_endpoint = self.rate_per_endpoint(now);
        let exact = self.exact.as_mut()?;
        let arrival = exact.arrive(per_endpoint, &self.capacities);
        let outcome = match arrival {
            Arrival::Failed(outcome) => outcome,
            Arrival::Served { .. } => Outcome::Ok,
        };
        self.counts.0[outcome.index()] += 1;
        Some(arrival)
    }

    /// In exact mode, a request's answer is due: whether it was answered.
    pub fn complete(&mut self, key: usize, incarnation: u32, after: SimDuration) -> bool {
        self.exact
            .as_mut()
            .is_some_and(|e| e.complete(key, incarnation, after))
    }

    /// In exact mode, p50, p95 and p99 of the answered requests' latency.
    pub fn latency_ms(&self) -> Option<[f64; 3]> {
        self.exact.as_ref().and_then(ExactRequests::latency_ms)
    }

    pub fn view_size(&self) -> u32 {
        self.view.iter().sum()
    }

    /// Endpoints in the view whose app answers.
    pub fn serving(&self) -> u32 {
        self.view[0]
    }

    pub fn counts(&self) -> &OutcomeCounts {
        &self.counts
    }

    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// What one endpoint running `version` can take.
    pub fn capacity(&self, version: usize) -> &Capacity {
        &self.capacities[version]
    }

    /// A new version of the app (a rollout), with its own speed.
    pub fn add_version(&mut self, capacity: Capacity, service_time: Distribution) {
        self.capacities.push(capacity);
        self.cpu_bound |= capacity.max_rate().is_some();
        self.serving_by_version.push(0);
        if let Some(exact) = &mut self.exact {
            exact.add_version(service_time);
        }
    }

    /// Whether any version's endpoints are limited by a CPU limit.
    pub fn cpu_bound(&self) -> bool {
        self.cpu_bound
    }

    /// Requests per second each endpoint in the view receives now.
    pub fn rate_per_endpoint(&self, now: SimTime) -> f64 {
        match self.view_size() {
            0 => 0.0,
            size => self.offered_rate_now(now) / f64::from(size),
        }
    }

    /// Requests per second sent to the Service now.
    pub fn offered_rate_now(&self, now: SimTime) -> f64 {
        self.profile_rate_at(now) * self.multiplier()
    }

    /// Requests per second sent to the Service at `t`, a recent past instant
    /// (up to ten minutes back): what a lagging metric reports, with the
    /// spike that was in force then.
    pub fn offered_rate_at(&self, t: SimTime) -> f64 {
        let i = self.multipliers.partition_point(|(since, _)| *since <= t);
        let (_, multiplier) = self.multipliers[i.saturating_sub(1)];
        self.profile_rate_at(t) * multiplier
    }

    /// [`RateProfile::rate_at`], remembered for the last instant asked.
    fn profile_rate_at(&self, t: SimTime) -> f64 {
        if let Some((at, rate)) = self.last_rate.get()
            && at == t
        {
            return rate;
        }
        let rate = self.profile.rate_at(t);
        self.last_rate.set(Some((t, rate)));
        rate
    }

    /// A `trafficSpike` starts or ends: from `now` the offered rate is the
    /// profile's times `multiplier`. Outcomes up to `now` are settled first
    /// at the old rate.
    pub fn set_multiplier(&mut self, now: SimTime, multiplier: f64) {
        self.settle(now);
        match self.multipliers.last_mut() {
            Some(last) if last.0 == now => last.1 = multiplier,
            _ => self.multipliers.push((now, multiplier)),
        }
        // An entry is needed while its successor took over within the
        // memory of the latest change.
        let horizon = SimTime::ZERO + now.since_start().saturating_sub(MULTIPLIER_MEMORY);
        let needed = self.multipliers[1..].partition_point(|(since, _)| *since < horizon);
        self.multipliers.drain(..needed);
    }

    /// The first instant after `now` at which the load per endpoint crosses
    /// any of `levels` (requests per second per endpoint), with the view and
    /// spikes as they are: the model re-evaluates probes then, instead of
    /// sampling a continuously varying load. `None` with an empty view, or
    /// if no level is ever crossed.
    pub fn next_rate_crossing(
        &self,
        now: SimTime,
        levels: impl IntoIterator<Item = f64>,
    ) -> Option<SimTime> {
        let size = f64::from(self.view_size());
        let multiplier = self.multiplier();
        if size == 0.0 || multiplier <= 0.0 {
            return None;
        }
        levels
            .into_iter()
            .filter_map(|level| self.profile.next_crossing(now, level * size / multiplier))
            .min()
    }

    /// The first instant after `now` at which the offered rate, spikes
    /// included, crosses `level`: the autoscaler sleeps until its load
    /// leaves the tolerance band.
    pub fn next_offered_crossing(&self, now: SimTime, level: f64) -> Option<SimTime> {
        let multiplier = self.multiplier();
        if multiplier <= 0.0 {
            return None;
        }
        self.profile.next_crossing(now, level / multiplier)
    }

    /// The lowest and the highest offered rate from `now` to `until`, with
    /// the spikes as they are now.
    pub fn offered_rate_range(&self, now: SimTime, until: SimTime) -> (f64, f64) {
        let multiplier = self.multiplier();
        let low = self.profile.min_rate_in(now, until) * multiplier;
        let high = self.profile.max_rate_in(now, until) * multiplier;
        (low, high)
    }

    fn multiplier(&self) -> f64 {
        self.multipliers.last().map_or(1.0, |&(_, m)| m)
    }

    /// CPU cores the serving endpoints use now.
    pub fn cpu_cores_now(&self, now: SimTime) -> f64 {
        let load = self.rate_per_endpoint(now);
        (self.serving_versions.iter())
            .map(|&v| f64::from(self.serving_by_version[v]) * self.capacities[v].cpu_cores(load))
            .fold(0.0, |sum, cores| sum + cores)
    }

    /// Requests per second failing now: all of them with no endpoint, the
    /// share sent to endpoints that do not answer, and what serving
    /// endpoints past their CPU limit cannot process.
    pub fn failing_rate_now(&self, now: SimTime) -> f64 {
        let offered = self.offered_rate_now(now);
        let size = self.view_size();
        if size == 0 {
            return offered;
        }
        let per_endpoint = offered / f64::from(size);
        let answered: f64 = (self.serving_versions.iter())
            .map(|&v| {
                let (n, capacity) = (self.serving_by_version[v], &self.capacities[v]);
                f64::from(n) * per_endpoint * capacity.served_share(per_endpoint)
            })
            .fold(0.0, |sum, rate| sum + rate);
        (offered - answered).max(0.0)
    }

    /// Draws the outcomes of the requests sent since the last settlement,
    /// spread evenly over the view as it stood; the view and the multiplier
    /// have not changed since (changing them settles first), the rate may
    /// have.
    pub fn settle(&mut self, now: SimTime) {
        let from = self.settled_until;
        if now <= from {
            return;
        }
        let multiplier = self.multiplier();
        let expected = self.profile.expected_requests(from, now) * multiplier;
        self.settled_until = now;
        if expected <= 0.0 {
            return;
        }
        let size = self.view_size();
        let last = SimTime::from_nanos(now.as_nanos() - 1);
        let peak_rate = self.peak_rate_in(from, last, multiplier, size);
        self.usage.offered_requests += expected;
        self.usage.offered_rate_max = self.usage.offered_rate_max.max(peak_rate);
        let exact = self.exact.is_some();
        if size == 0 {
            if !exact {
                let n = poisson(&mut self.arrivals, expected);
                self.counts.0[Outcome::NoEndpoints.index()] += n;
            }
            return;
        }
        for class in EndpointClass::ALL {
            let share = self.view[class as usize];
            if share == 0 {
                continue;
            }
            if class == EndpointClass::Serving {
                // One draw per outcome for all versions together, so that
                // a rollout adds no draw to the stream.
                let (mut ok_mean, mut overload_mean) = (0.0, 0.0);
                for i in 0..self.serving_versions.len() {
                    let version = self.serving_versions[i];
                    let share = self.serving_by_version[version];
                    let (ok, overload) = self.serve(from, now, expected, version, share, size);
                    ok_mean += ok;
                    overload_mean += overload;
                }
                let peak_cores = self.serving_cores(peak_rate, size);
                if !exact {
                    let ok = poisson(&mut self.arrivals, ok_mean);
                    let overload = poisson(&mut self.arrivals, overload_mean);
                    self.counts.0[Outcome::Ok.index()] += ok;
                    self.counts.0[Outcome::Overload.index()] += overload;
                }
                self.usage.cpu_max_cores = self.usage.cpu_max_cores.max(peak_cores);
            } else if !exact {
                let mean = expected * f64::from(share) / f64::from(size);
                let n = poisson(&mut self.arrivals, mean);
                self.counts.0[class.outcome().index()] += n;
            }
        }
    }

    /// The highest offered rate in `[from, last]`, for the maxima the
    /// usage keeps (the rate, and the serving endpoints' cores at it). Once
    /// a cycle has peaked, both are at the profile's top: the top then
    /// stands in for the peak, which leaves them as they are, without the
    /// two cosines of the peak itself. It does exactly when no rate up to
    /// the top could raise them: every serving version below its CPU limit
    /// there, where cores grow with the rate, so that no lower rate gives
    /// more cores than the top does, to the last bit.
    fn peak_rate_in(&self, from: SimTime, last: SimTime, multiplier: f64, size: u32) -> f64 {
        let top = self.profile.top().map(|top| top * multiplier);
        let stands_in = top.is_some_and(|top| {
            let serving = self.view[EndpointClass::Serving as usize] > 0;
            let below_limits = || {
                (self.serving_versions.iter())
                    .all(|&v| self.capacities[v].utilization(top / f64::from(size)) <= 1.0)
            };
            top <= self.usage.offered_rate_max
                && (!serving
                    || (below_limits()
                        && self.serving_cores(top, size) <= self.usage.cpu_max_cores))
        });
        match top {
            Some(top) if stands_in => top,
            _ => self.profile.max_rate_in(from, last) * multiplier,
        }
    }

    /// Cores the serving endpoints use, each taking `rate / size`.
    fn serving_cores(&self, rate: f64, size: u32) -> f64 {
        let per_endpoint = rate / f64::from(size);
        (self.serving_versions.iter())
            .map(|&v| {
                f64::from(self.serving_by_version[v]) * self.capacities[v].cpu_cores(per_endpoint)
            })
            .fold(0.0, |sum, cores| sum + cores)
    }

    /// The mean numbers of requests the `share` serving endpoints of
    /// `version` answered
    /// and failed as `overload` in `[from, to)`, where `expected` requests
    /// were sent in all; the CPU they used goes to the usage.
    /// Below the CPU limit every request is answered; above it the
    /// endpoints process exactly their limit's worth. So the interval is
    /// cut where the load crosses the limit, and within each piece the
    /// piece's mean rate gives the exact split, whatever the shape of the
    /// rate in it. The means are summed before any draw: the number of
    /// draws, and so the random streams, do not depend on the pieces.
    fn serve(
        &mut self,
        from: SimTime,
        to: SimTime,
        expected: f64,
        version: usize,
        share: u32,
        size: u32,
    ) -> (f64, f64) {
        let multiplier = self.multiplier();
        let capacity = self.capacities[version];
        let (share, size) = (f64::from(share), f64::from(size));
        let limit = capacity
            .max_rate()
            .map_or(f64::INFINITY, |max| max * size / multiplier);
        let (mut ok, mut overload) = (0.0, 0.0);
        for (a, b, above) in self.profile.pieces(from, to, limit) {
            // Most intervals are one piece: its integral is the settlement's.
            let expected = if (a, b) == (from, to) {
                expected
            } else {
                self.profile.expected_requests(a, b) * multiplier
            };
            let seconds = (b - a).as_secs_f64();
            let mean = expected * share / size;
            let per_endpoint = expected / seconds / size;
            let served = if above {
                capacity.served_share(per_endpoint)
            } else {
                1.0
            };
            ok += mean * served;
            overload += mean * (1.0 - served);
            let cores = share * (per_endpoint * served * capacity.cpu_per_request_s);
            self.usage.cpu_core_seconds += cores * seconds;
        }
        (ok, overload)
    }

    /// An endpoint running `version` joins, leaves, or changes class in the
    /// view; outcomes up to `now` are settled first with the view as it was.
    pub fn endpoint_changed(
        &mut self,
        now: SimTime,
        version: usize,
        key: usize,
        from: Option<EndpointClass>,
        to: Option<EndpointClass>,
    ) {
        if from == to {
            return;
        }
        self.settle(now);
        if let Some(exact) = &mut self.exact {
            exact.endpoint_changed(key, version, to);
        }
        if let Some(c) = from {
            self.view[c as usize] -= 1;
            if c == EndpointClass::Serving {
                self.serving_by_version[version] -= 1;
                if self.serving_by_version[version] == 0
                    && let Ok(i) = self.serving_versions.binary_search(&version)
                {
                    self.serving_versions.remove(i);
                }
            }
        }
        if let Some(c) = to {
            self.view[c as usize] += 1;
            if c == EndpointClass::Serving {
                self.serving_by_version[version] += 1;
                if let Err(i) = self.serving_versions.binary_search(&version) {
                    self.serving_versions.insert(i, version);
                }
            }
        }
    }

    /// The container behind endpoint `key` stopped abruptly: the requests
    /// in flight on it die. In exact mode, exactly those. In the fluid
    /// account, if it was serving in the view (one out of it has drained),
    /// a Poisson number with the endpoint's mean occupancy (λ_pod × E[S]
    /// below the CPU limit's pressure, the M/G/∞ count; more as the limit
    /// nears). They had been counted as answered, and move to dropped.
    pub fn drop_in_flight(
        &mut self,
        now: SimTime,
        version: usize,
        key: usize,
        serving: bool,
    ) -> u64 {
        if self.exact.is_none() && !serving {
            return 0;
        }
        self.settle(now);
        if let Some(exact) = &mut self.exact {
            let dropped = exact.drop_in_flight(key);
            self.counts.0[Outcome::Ok.index()] -= dropped;
            self.counts.0[Outcome::DroppedInFlight.index()] += dropped;
            return dropped;
        }
        let size = self.view_size();
        if size == 0 {
            return 0;
        }
        let per_pod = self.offered_rate_now(now) / f64::from(size);
        let occupancy = self.capacities[version].in_flight(per_pod);
        let dropped = poisson(&mut self.in_flight, occupancy);
        let moved = dropped.min(self.counts.0[Outcome::Ok.index()]);
        self.counts.0[Outcome::Ok.index()] -= moved;
        self.counts.0[Outcome::DroppedInFlight.index()] += moved;
        moved
    }
}

fn poisson(rng: &mut Stream, mean: f64) -> u64 {
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    match Poisson::new(mean) {
        Ok(p) => p.sample(rng) as u64,
        // Means beyond Poisson::MAX_LAMBDA (1.8e19 requests) are a scenario
        // no cluster sees; their relative noise is nil, so the mean itself is exact enough.
        Err(_) => mean as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::RngStreams;

    fn traffic(rate: f64) -> FluidTraffic {
        let capacity = Capacity {
            mean_service_time_s: 0.1,
            cpu_per_request_s: 0.01,
            cpu_limit_cores: None,
        };
        with(RateProfile::constant(rate), capacity)
    }

    fn with(profile: RateProfile, capacity: Capacity) -> FluidTraffic {
        let s = RngStreams::new(3);
        FluidTraffic::new(profile, capacity, s.stream("a"), s.stream("b"))
    }

    fn serving(t: &mut FluidTraffic, n: u32) {
        for _ in 0..n {
            t.endpoint_changed(SimTime::ZERO, 0, 0, None, Some(EndpointClass::Serving));
        }
    }

    fn secs(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    /// A Poisson count against its mean: within five standard deviations.
    fn assert_poisson(count: u64, mean: f64) {
        let sd = mean.sqrt();
        assert!(
            (count as f64 - mean).abs() < 5.0 * sd,
            "{count} vs mean {mean} (sd {sd:.1})"
        );
    }

    fn assert_close(actual: f64, expected: f64, relative: f64) {
        let error = (actual - expected).abs() / expected.abs();
        assert!(error < relative, "{actual} vs {expected}: {error:e}");
    }

    #[test]
    fn one_version_with_a_cpu_limit_makes_the_traffic_cpu_bound() {
        let mut t = traffic(100.0);
        let unlimited = *t.capacity(0);
        let limited = Capacity {
            cpu_limit_cores: Some(0.5),
            ..unlimited
        };
        t.add_version(unlimited, Distribution::Fixed(SimDuration::ZERO));
        assert!(!t.cpu_bound(), "no version has a limit");
        t.add_version(limited, Distribution::Fixed(SimDuration::ZERO));
        t.add_version(unlimited, Distribution::Fixed(SimDuration::ZERO));
        assert!(t.cpu_bound(), "the second rollout's version has one");
        assert!(with(RateProfile::constant(1.0), limited).cpu_bound());
    }

    #[test]
    fn empty_view_fails_everything_as_no_endpoints() {
        let mut t = traffic(100.0);
        t.settle(SimTime::from_secs(100));
        let c = t.counts();
        assert_eq!(c.get(Outcome::Ok), 0);
        // 10,000 expected; Poisson sd 100: within 5 sd.
        assert!((c.get(Outcome::NoEndpoints) as f64 - 10_000.0).abs() < 500.0);
    }

    #[test]
    fn shares_follow_the_view() {
        let mut t = traffic(1000.0);
        t.endpoint_changed(SimTime::ZERO, 0, 0, None, Some(EndpointClass::Serving));
        t.endpoint_changed(SimTime::ZERO, 0, 0, None, Some(EndpointClass::Serving));
        t.endpoint_changed(SimTime::ZERO, 0, 0, None, Some(EndpointClass::Stale));
        t.settle(SimTime::from_secs(300));
        let c = t.counts();
        // 300,000 requests, a third stale: mean 100,000, sd 316.
        assert!((c.get(Outcome::StaleEndpoint) as f64 - 100_000.0).abs() < 1_600.0);
        assert!((c.get(Outcome::Ok) as f64 - 200_000.0).abs() < 2_300.0);
    }

    #[test]
    fn settling_twice_at_one_instant_adds_nothing() {
        let mut t = traffic(10.0);
        t.settle(SimTime::from_secs(10));
        let before = t.counts().clone();
        t.settle(SimTime::from_secs(10));
        assert_eq!(&before, t.counts());
    }

    #[test]
    fn a_ramps_counts_follow_its_integral() {
        // 0 → 2000 req/s over 100 s, then flat: 100,000 + 100,000 by 150 s.
        let profile = RateProfile::ramp(0.0, 2000.0, SimTime::ZERO, SimDuration::from_secs(100));
        let mut t = with(profile, *traffic(0.0).capacity(0));
        serving(&mut t, 2);
        for at in [30, 70, 150] {
            t.settle(secs(at));
        }
        assert_poisson(t.counts().get(Outcome::Ok), 200_000.0);
        assert_eq!(t.counts().failed(), 0);
        assert_close(t.usage().offered_requests, 200_000.0, 1e-12);
        assert_eq!(t.usage().offered_rate_max, 2000.0);
        assert_close(t.usage().cpu_core_seconds, 200_000.0 * 0.01, 1e-12);
        assert_close(t.usage().cpu_max_cores, 2000.0 * 0.01, 1e-12);
    }

    #[test]
    fn overload_under_a_diurnal_is_its_excess_over_the_limit() {
        // Twelve endpoints of 100 req/s each (1 core, 10 ms a request): 1200
        // req/s in all, under an hourly cycle between 200 and 1800 req/s.
        let (min, max, limit) = (200.0, 1800.0, 1200.0);
        let period_s = 3600.0;
        let profile = RateProfile::diurnal(
            min,
            max,
            SimDuration::from_secs(600),
            SimDuration::from_secs(3600),
        );
        let capacity = Capacity {
            mean_service_time_s: 0.05,
            cpu_per_request_s: 0.01,
            cpu_limit_cores: Some(1.0),
        };
        let mut t = with(profile, capacity);
        serving(&mut t, 12);
        // Five whole periods, settled at instants unrelated to the cycle.
        let mut at = 0;
        while at < 5 * 3600 {
            at = (at + 1_234).min(5 * 3600);
            t.settle(secs(at));
        }
        // Per period ∫(rate − limit)+ = P/2π · (2α(mid − limit) + 2·amp·sin α),
        // with cos α = (limit − mid)/amp.
        let (mid, amp) = ((min + max) / 2.0, (max - min) / 2.0);
        let alpha = ((limit - mid) / amp).acos();
        let excess = period_s / std::f64::consts::TAU
            * (2.0 * alpha * (mid - limit) + 2.0 * amp * alpha.sin());
        let offered = mid * period_s;
        let c = t.counts();
        assert_poisson(c.get(Outcome::Overload), 5.0 * excess);
        assert_poisson(c.get(Outcome::Ok), 5.0 * (offered - excess));
        // CPU is deterministic: the served requests' worth, capped at the limit.
        assert_close(
            t.usage().cpu_core_seconds,
            5.0 * (offered - excess) * 0.01,
            1e-9,
        );
        assert_close(t.usage().cpu_max_cores, 12.0, 1e-12);
        assert_eq!(t.usage().offered_rate_max, max);
    }

    /// The maxima the usage keeps are those of each settled interval's
    /// own peak, to the bit, though the profile's top stands in for the
    /// peak where it changes nothing: with no endpoint at first, then
    /// endpoints joining and leaving, sometimes past their CPU limit at
    /// the top (below 18) and sometimes not.
    #[test]
    fn the_usage_maxima_are_each_intervals_peak_to_the_bit() {
        let profile = || {
            RateProfile::diurnal(
                200.0,
                1800.0,
                // Two intervals rise before the first peak.
                SimDuration::from_secs(3000),
                SimDuration::from_secs(3600),
            )
        };
        let capacity = Capacity {
            mean_service_time_s: 0.05,
            cpu_per_request_s: 0.01,
            cpu_limit_cores: Some(1.0),
        };
        let mut t = with(profile(), capacity);
        let (mut rate_max, mut cores_max) = (0.0_f64, 0.0_f64);
        let (mut at, mut size) = (0, 0);
        for step in 0..40 {
            let from = secs(at);
            at += 1_234;
            let last = SimTime::from_nanos(secs(at).as_nanos() - 1);
            let peak = profile().max_rate_in(from, last);
            rate_max = rate_max.max(peak);
            if size > 0 {
                let cores = f64::from(size) * capacity.cpu_cores(peak / f64::from(size));
                cores_max = cores_max.max(cores);
            }
            let (joining, leaving) = match step {
                0 => (12, 0),
                _ if step % 10 < 6 => (1, 0),
                _ => (0, 1),
            };
            for _ in 0..joining {
                t.endpoint_changed(secs(at), 0, 0, None, Some(EndpointClass::Serving));
            }
            for _ in 0..leaving {
                t.endpoint_changed(secs(at), 0, 0, Some(EndpointClass::Serving), None);
            }
            size = size + joining - leaving;
            let usage = t.usage();
            let kept = (usage.offered_rate_max, usage.cpu_max_cores);
            assert_eq!(kept.0.to_bits(), rate_max.to_bits(), "{at} s");
            assert_eq!(kept.1.to_bits(), cores_max.to_bits(), "{at} s");
        }
    }

    #[test]
    fn a_multiplier_doubles_the_counts_over_its_window() {
        let mut t = traffic(1000.0);
        serving(&mut t, 1);
        t.settle(secs(100));
        let before = t.counts().get(Outcome::Ok);
        t.set_multiplier(secs(100), 2.0);
        assert_eq!(t.offered_rate_now(secs(150)), 2000.0);
        assert_eq!(t.rate_per_endpoint(secs(150)), 2000.0);
        t.set_multiplier(secs(200), 1.0);
        assert_poisson(t.counts().get(Outcome::Ok) - before, 200_000.0);
        assert_close(t.usage().offered_requests, 300_000.0, 1e-12);
        assert_eq!(t.usage().offered_rate_max, 2000.0);
        // A lagging metric sees the spike that was in force then.
        assert_eq!(t.offered_rate_at(secs(50)), 1000.0);
        assert_eq!(t.offered_rate_at(secs(100)), 2000.0);
        assert_eq!(t.offered_rate_at(secs(199)), 2000.0);
        assert_eq!(t.offered_rate_at(secs(250)), 1000.0);
    }

    #[test]
    fn the_multiplier_log_stays_small_over_a_year_of_spikes() {
        let mut t = traffic(10.0);
        for minute in 1..=365 * 24 * 60 {
            t.set_multiplier(secs(minute * 60), if minute % 2 == 0 { 1.0 } else { 3.0 });
        }
        assert!(t.multipliers.len() <= 12, "{}", t.multipliers.len());
        // The last change was at an even minute (×1), the one before ×3.
        let now = secs(365 * 24 * 3600);
        assert_eq!(t.offered_rate_at(now), 10.0);
        assert_eq!(t.offered_rate_at(secs(365 * 24 * 3600 - 30)), 30.0);
        assert_eq!(t.offered_rate_at(secs(365 * 24 * 3600 - 90)), 10.0);
    }

    #[test]
    fn the_next_rate_crossing_is_where_the_load_per_endpoint_reaches_the_level() {
        // rate(t) = t req/s for 1000 s; four endpoints and a ×2 spike: each
        // endpoint sees t/2 req/s.
        let profile = RateProfile::ramp(0.0, 1000.0, SimTime::ZERO, SimDuration::from_secs(1000));
        let mut t = with(profile, *traffic(0.0).capacity(0));
        assert_eq!(
            t.next_rate_crossing(SimTime::ZERO, [100.0]),
            None,
            "no view"
        );
        serving(&mut t, 4);
        t.set_multiplier(SimTime::ZERO, 2.0);
        let at = t
            .next_rate_crossing(secs(10), [300.0, 100.0, 400.0])
            .unwrap();
        // 100 req/s per endpoint at 200 s; above it from the next nanosecond.
        assert_eq!(at, SimTime::from_nanos(200 * 1_000_000_000 + 1));
        assert!(t.rate_per_endpoint(at) > 100.0);
        assert!(t.rate_per_endpoint(secs(200)) <= 100.0);
        assert_eq!(t.next_rate_crossing(secs(10), [600.0]), None);
        // The whole offered rate, 2t, reaches 500 at 250 s.
        let at = t.next_offered_crossing(secs(10), 500.0).unwrap();
        assert_eq!(at, SimTime::from_nanos(250 * 1_000_000_000 + 1));
    }

    #[test]
    fn the_failing_rate_is_the_share_not_answered() {
        // 100 ms of CPU per request on a 1-core limit: 10 req/s per endpoint.
        let capacity = Capacity {
            mean_service_time_s: 0.1,
            cpu_per_request_s: 0.1,
            cpu_limit_cores: Some(1.0),
        };
        let mut t = with(RateProfile::constant(30.0), capacity);
        assert_eq!(t.failing_rate_now(secs(1)), 30.0);
        serving(&mut t, 3);
        t.endpoint_changed(secs(1), 0, 0, None, Some(EndpointClass::Stale));
        // 7.5 req/s each: the stale one's share fails, the others keep up.
        assert_close(t.failing_rate_now(secs(1)), 7.5, 1e-12);
        t.endpoint_changed(secs(2), 0, 0, Some(EndpointClass::Serving), None);
        t.endpoint_changed(secs(2), 0, 0, Some(EndpointClass::Serving), None);
        // 15 req/s each: the serving one processes 10, the stale one none.
        assert_close(t.failing_rate_now(secs(2)), 20.0, 1e-12);
    }

    #[test]
    fn the_remembered_rate_is_the_profiles_at_each_instant_asked() {
        let profile = RateProfile::diurnal(
            100.0,
            1000.0,
            SimDuration::from_secs(600),
            SimDuration::from_secs(3600),
        );
        let t = with(profile.clone(), *traffic(0.0).capacity(0));
        for at in [10, 10, 11, 10, 2000, 2000, 11] {
            let want = profile.rate_at(secs(at));
            assert_eq!(
                t.offered_rate_now(secs(at)).to_bits(),
                want.to_bits(),
                "{at}"
            );
            assert_eq!(
                t.offered_rate_at(secs(at)).to_bits(),
                want.to_bits(),
                "{at}"
            );
        }
    }
}
