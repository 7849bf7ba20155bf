//! Fluid-mode accounting: between two changes of a workload's endpoint view
//! the outcome counts are Poisson draws with the integrated rate as mean, so
//! the cost is one draw per outcome per change, whatever the request rate.

use rand_distr::{Distribution as _, Poisson};

use super::{Capacity, RateProfile};
use crate::sim::{SimTime, Stream};

/// What a request sent to an endpoint in kube-proxy's view meets.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EndpointClass {
    /// The app answers.
    Serving,
    /// The container runs but the app has not finished starting (a pod
    /// without a readiness probe is Ready, and routed to, from container start).
    NotStarted,
    /// Nothing answers: the container or its node is gone, but the view
    /// still lists it.
    Stale,
    /// The process runs and accepts connections but its app never answers.
    Hung,
}

impl EndpointClass {
    const ALL: [EndpointClass; 4] = [
        EndpointClass::Serving,
        EndpointClass::NotStarted,
        EndpointClass::Stale,
        EndpointClass::Hung,
    ];

    fn outcome(self) -> Outcome {
        match self {
            EndpointClass::Serving => Outcome::Ok,
            EndpointClass::NotStarted => Outcome::NotStarted,
            EndpointClass::Stale => Outcome::StaleEndpoint,
            EndpointClass::Hung => Outcome::Hung,
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
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::DroppedInFlight,
        Outcome::NoEndpoints,
        Outcome::StaleEndpoint,
        Outcome::NotStarted,
        Outcome::Hung,
        Outcome::Overload,
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
            Outcome::NotStarted => "routed to a Ready pod whose app had not finished starting",
            Outcome::Hung => "routed to a pod whose app hangs: its process runs, nothing answers",
            Outcome::Overload => "beyond what the pods' CPU limits can process",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Request counts by outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutcomeCounts([u64; 7]);

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
    capacity: Capacity,
    settled_until: SimTime,
    usage: Usage,
    view: [u32; 4],
    arrivals: Stream,
    in_flight: Stream,
    counts: OutcomeCounts,
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
            capacity,
            settled_until: SimTime::ZERO,
            usage: Usage::default(),
            view: [0; 4],
            arrivals,
            in_flight,
            counts: OutcomeCounts::default(),
        }
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

    pub fn capacity(&self) -> &Capacity {
        &self.capacity
    }

    /// Requests per second each endpoint in the view receives now.
    pub fn rate_per_endpoint(&self, now: SimTime) -> f64 {
        match self.view_size() {
            0 => 0.0,
            size => self.profile.rate_at(now) / f64::from(size),
        }
    }

    /// Requests per second sent to the Service now.
    pub fn offered_rate_now(&self, now: SimTime) -> f64 {
        self.profile.rate_at(now)
    }

    /// CPU cores the serving endpoints use now.
    pub fn cpu_cores_now(&self, now: SimTime) -> f64 {
        f64::from(self.serving()) * self.capacity.cpu_cores(self.rate_per_endpoint(now))
    }

    /// Draws the outcomes of the requests sent since the last settlement,
    /// spread evenly over the view as it stood.
    pub fn settle(&mut self, now: SimTime) {
        if now <= self.settled_until {
            return;
        }
        let expected = self.profile.expected_requests(self.settled_until, now);
        let seconds = (now - self.settled_until).as_secs_f64();
        self.settled_until = now;
        if expected <= 0.0 {
            return;
        }
        let size = self.view_size();
        // The rate is constant between changes (rate steps are changes), so
        // the segment's mean rate is its rate.
        let rate = expected / seconds;
        self.usage.offered_requests += expected;
        self.usage.offered_rate_max = self.usage.offered_rate_max.max(rate);
        if size == 0 {
            let n = poisson(&mut self.arrivals, expected);
            self.counts.0[Outcome::NoEndpoints.index()] += n;
            return;
        }
        for class in EndpointClass::ALL {
            let share = self.view[class as usize];
            if share == 0 {
                continue;
            }
            let mean = expected * f64::from(share) / f64::from(size);
            if class == EndpointClass::Serving {
                let per_endpoint = rate / f64::from(size);
                let served = self.capacity.served_share(per_endpoint);
                let ok = poisson(&mut self.arrivals, mean * served);
                let overload = poisson(&mut self.arrivals, mean * (1.0 - served));
                self.counts.0[Outcome::Ok.index()] += ok;
                self.counts.0[Outcome::Overload.index()] += overload;
                let cores = f64::from(share) * self.capacity.cpu_cores(per_endpoint);
                self.usage.cpu_core_seconds += cores * seconds;
                self.usage.cpu_max_cores = self.usage.cpu_max_cores.max(cores);
            } else {
                let n = poisson(&mut self.arrivals, mean);
                self.counts.0[class.outcome().index()] += n;
            }
        }
    }

    /// An endpoint joins, leaves, or changes class in the view; outcomes up to
    /// `now` are settled first with the view as it was.
    pub fn endpoint_changed(
        &mut self,
        now: SimTime,
        from: Option<EndpointClass>,
        to: Option<EndpointClass>,
    ) {
        if from == to {
            return;
        }
        self.settle(now);
        if let Some(c) = from {
            self.view[c as usize] -= 1;
        }
        if let Some(c) = to {
            self.view[c as usize] += 1;
        }
    }

    /// A serving endpoint stopped abruptly: the requests in flight on it die.
    /// Their number is Poisson with the endpoint's mean occupancy (λ_pod ×
    /// E[S] below the CPU limit's pressure, the M/G/∞ count; more as the
    /// limit nears); they had been counted as answered, and move to dropped.
    pub fn drop_in_flight(&mut self, now: SimTime) -> u64 {
        self.settle(now);
        let size = self.view_size();
        if size == 0 {
            return 0;
        }
        let per_pod = self.profile.rate_at(now) / f64::from(size);
        let dropped = poisson(&mut self.in_flight, self.capacity.in_flight(per_pod));
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
        let s = RngStreams::new(3);
        let capacity = Capacity {
            mean_service_time_s: 0.1,
            cpu_per_request_s: 0.01,
            cpu_limit_cores: None,
        };
        FluidTraffic::new(
            RateProfile::constant(rate),
            capacity,
            s.stream("a"),
            s.stream("b"),
        )
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
        t.endpoint_changed(SimTime::ZERO, None, Some(EndpointClass::Serving));
        t.endpoint_changed(SimTime::ZERO, None, Some(EndpointClass::Serving));
        t.endpoint_changed(SimTime::ZERO, None, Some(EndpointClass::Stale));
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
}
