//! Exact mode (`--exact`): every request is drawn on its own. Arrivals form
//! the workload's Poisson process (its rate profile times any spike, drawn
//! by thinning); kube-proxy sends each to an endpoint of its view chosen
//! uniformly, as iptables' random rules do; one that reaches a serving
//! endpoint takes its own service time there, and dies with the container
//! if that stops abruptly first. Only counts are kept (in flight per
//! endpoint, outcomes, a latency histogram), so memory does not grow with
//! the number of requests.

use hdrhistogram::Histogram;
use rand::RngExt;
use rand_distr::Exp1;

use super::capacity::Capacity;
use super::fluid::{EndpointClass, Outcome};
use super::profile::RateProfile;
use crate::sim::{SimDuration, SimTime, Stream};
use crate::units::Distribution;

/// How a request's service time is drawn around the app's mean
/// (`app.serviceTimeDistribution`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceTimeShape {
    /// Exponential with the mean of `serviceTime`: the M/M/∞ of the fluid
    /// account.
    #[default]
    Exponential,
    /// Every request takes exactly the mean.
    Constant,
    /// `serviceTime` sampled as written (`{lognormal: …}`, `{uniform: …}`).
    AsWritten,
}

/// Thinning looks this far ahead for the highest rate it must beat.
const THINNING_WINDOW: SimDuration = SimDuration::from_secs(60);

/// The latency histogram's range, in microseconds: 1 µs to an hour, at
/// three significant digits (a few tens of KiB); longer answers count as
/// an hour.
const LATENCY_MAX_MICROS: u64 = 3_600_000_000;

/// Where one request went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arrival {
    /// Failed at once, for this reason.
    Failed(Outcome),
    /// In flight on endpoint `key` until `after` has passed; `incarnation`
    /// tells its completion from one of a container since stopped.
    Served {
        key: usize,
        incarnation: u32,
        after: SimDuration,
    },
}

#[derive(Debug, Clone, Copy, Default)]
struct InFlight {
    count: u32,
    incarnation: u32,
}

#[derive(Debug)]
pub struct ExactRequests {
    arrivals: Stream,
    routing: Stream,
    service: Stream,
    shape: ServiceTimeShape,
    /// Per version: what `serviceTime` says.
    service_times: Vec<Distribution>,
    /// kube-proxy's view: endpoint key, class, version.
    view: Vec<(usize, EndpointClass, usize)>,
    /// Indexed by endpoint key.
    in_flight: Vec<InFlight>,
    /// Microseconds from arrival to answer, of the requests answered.
    latency: Histogram<u64>,
}

impl ExactRequests {
    pub fn new(
        arrivals: Stream,
        routing: Stream,
        service: Stream,
        shape: ServiceTimeShape,
        service_time: Distribution,
    ) -> Self {
        ExactRequests {
            arrivals,
            routing,
            service,
            shape,
            service_times: vec![service_time],
            view: Vec::new(),
            in_flight: Vec::new(),
            latency: Histogram::new_with_bounds(1, LATENCY_MAX_MICROS, 3)
                .expect("bounds 1 µs to an hour at 3 digits are valid"),
        }
    }

    pub fn add_version(&mut self, service_time: Distribution) {
        self.service_times.push(service_time);
    }

    /// The endpoint joins, leaves or changes class in the view.
    pub fn endpoint_changed(&mut self, key: usize, version: usize, to: Option<EndpointClass>) {
        let at = self.view.iter().position(|e| e.0 == key);
        match (at, to) {
            (Some(i), Some(class)) => self.view[i] = (key, class, version),
            (Some(i), None) => {
                self.view.swap_remove(i);
            }
            (None, Some(class)) => self.view.push((key, class, version)),
            (None, None) => {}
        }
    }

    /// The next arrival after `now` at `rate` × `multiplier` by thinning:
    /// candidates at the window's highest rate, each kept with the ratio of
    /// the rate at its instant to that. `None` if the rate stays zero.
    pub fn next_arrival(
        &mut self,
        now: SimTime,
        profile: &RateProfile,
        multiplier: f64,
    ) -> Option<SimTime> {
        let mut t = now;
        loop {
            let until = t + THINNING_WINDOW;
            let peak = profile.max_rate_in(t, until) * multiplier;
            if peak.is_nan() || peak <= 0.0 {
                // Nothing arrives until the rate leaves zero.
                t = profile
                    .next_crossing(until, 0.0)
                    .filter(|_| multiplier > 0.0)?;
                continue;
            }
            let gap: f64 = self.arrivals.sample(Exp1);
            let candidate = t + SimDuration::from_secs_f64(gap / peak);
            if candidate > until {
                t = until;
                continue;
            }
            let keep: f64 = self.arrivals.random();
            if keep * peak <= profile.rate_at(candidate) * multiplier {
                return Some(candidate);
            }
            t = candidate;
        }
    }

    /// A request arrives now with `per_endpoint` requests per second on
    /// each endpoint; `capacities` are the versions' speeds.
    pub fn arrive(&mut self, per_endpoint: f64, capacities: &[Capacity]) -> Arrival {
        if self.view.is_empty() {
            return Arrival::Failed(Outcome::NoEndpoints);
        }
        let (key, class, version) = self.view[self.routing.random_range(0..self.view.len())];
        if class != EndpointClass::Serving {
            return Arrival::Failed(class.outcome());
        }
        let capacity = capacities[version];
        let processed: f64 = self.routing.random();
        if processed >= capacity.served_share(per_endpoint) {
            return Arrival::Failed(Outcome::Overload);
        }
        let mean = capacity.response_time_s(per_endpoint);
        let after = self.service_time(version, mean);
        if self.in_flight.len() <= key {
            self.in_flight.resize(key + 1, InFlight::default());
        }
        let slot = &mut self.in_flight[key];
        slot.count += 1;
        Arrival::Served {
            key,
            incarnation: slot.incarnation,
            after,
        }
    }

    /// A draw with mean `mean` (the response time at this load) in the
    /// shape asked for.
    fn service_time(&mut self, version: usize, mean: f64) -> SimDuration {
        let written = self.service_times[version];
        let seconds = match self.shape {
            ServiceTimeShape::Exponential => {
                let standard: f64 = self.service.sample(Exp1);
                mean * standard
            }
            ServiceTimeShape::Constant => mean,
            ServiceTimeShape::AsWritten => {
                let base = written.mean().as_secs_f64();
                let drawn = written.sample(&mut self.service).as_secs_f64();
                if base > 0.0 {
                    drawn * mean / base
                } else {
                    mean
                }
            }
        };
        SimDuration::from_secs_f64(seconds)
    }

    /// A request answered: true unless its container stopped meanwhile.
    pub fn complete(&mut self, key: usize, incarnation: u32, after: SimDuration) -> bool {
        match self.in_flight.get_mut(key) {
            Some(slot) if slot.incarnation == incarnation && slot.count > 0 => {
                slot.count -= 1;
                let micros = (after.as_nanos() / 1_000).max(1);
                self.latency.saturating_record(micros);
                true
            }
            _ => false,
        }
    }

    /// The container behind endpoint `key` stopped abruptly: the requests
    /// in flight on it die; how many.
    pub fn drop_in_flight(&mut self, key: usize) -> u64 {
        match self.in_flight.get_mut(key) {
            Some(slot) => {
                let dropped = u64::from(slot.count);
                slot.count = 0;
                slot.incarnation = slot.incarnation.wrapping_add(1);
                dropped
            }
            None => 0,
        }
    }

    /// Latency percentiles in milliseconds: p50, p95, p99; `None` before
    /// any answer.
    pub fn latency_ms(&self) -> Option<[f64; 3]> {
        (!self.latency.is_empty())
            .then(|| [0.50, 0.95, 0.99].map(|q| self.latency.value_at_quantile(q) as f64 / 1_000.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::RngStreams;

    fn requests(shape: ServiceTimeShape) -> ExactRequests {
        let s = RngStreams::new(7);
        ExactRequests::new(
            s.stream("a"),
            s.stream("r"),
            s.stream("s"),
            shape,
            Distribution::Fixed(SimDuration::from_millis(40)),
        )
    }

    #[test]
    fn latency_percentiles_are_those_of_the_service_time() {
        let capacity = Capacity {
            mean_service_time_s: 0.04,
            cpu_per_request_s: 0.0,
            cpu_limit_cores: None,
        };
        let mut r = requests(ServiceTimeShape::Exponential);
        r.endpoint_changed(0, 0, Some(EndpointClass::Serving));
        for _ in 0..20_000 {
            match r.arrive(10.0, &[capacity]) {
                Arrival::Served {
                    key,
                    incarnation,
                    after,
                } => assert!(r.complete(key, incarnation, after)),
                other => panic!("{other:?}"),
            }
        }
        // Exponential with mean 40 ms: the median is 40 ln 2 = 27.7 ms, the
        // 99th percentile 40 ln 100 = 184 ms.
        let [p50, _, p99] = r.latency_ms().expect("answers");
        assert!((p50 - 27.73).abs() < 1.0, "{p50}");
        assert!((p99 - 184.2).abs() < 10.0, "{p99}");
    }
}
