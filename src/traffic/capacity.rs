//! What one endpoint can take. CPU demand is the request rate times
//! `cpuPerRequest`; the CPU limit caps it (CFS throttling, with no kill).
//! Response time follows an M/M/1 processor-sharing queue on the limit:
//! `serviceTime / (1 − ρ)` with ρ = demand / limit, so it grows without
//! bound as the pod nears its limit; past the limit, the requests beyond
//! what the limit can process fail as `overload`.

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Capacity {
    pub mean_service_time_s: f64,
    pub cpu_per_request_s: f64,
    /// `resources.limits.cpu`, if set: without a limit the pod is never
    /// throttled.
    pub cpu_limit_cores: Option<f64>,
}

impl Capacity {
    /// Requests per second one endpoint processes at its CPU limit.
    pub fn max_rate(&self) -> Option<f64> {
        let limit = self.cpu_limit_cores?;
        (self.cpu_per_request_s > 0.0).then(|| limit / self.cpu_per_request_s)
    }

    /// ρ: the share of the CPU limit the load asks for (0 without a limit).
    pub fn utilization(&self, rate_per_endpoint: f64) -> f64 {
        self.max_rate().map_or(0.0, |max| rate_per_endpoint / max)
    }

    /// Mean response time at this load; infinite at or past the limit.
    pub fn response_time_s(&self, rate_per_endpoint: f64) -> f64 {
        let rho = self.utilization(rate_per_endpoint);
        if rho >= 1.0 {
            f64::INFINITY
        } else {
            self.mean_service_time_s / (1.0 - rho)
        }
    }

    /// The share of requests processed; the rest fail as `overload`.
    pub fn served_share(&self, rate_per_endpoint: f64) -> f64 {
        let rho = self.utilization(rate_per_endpoint);
        if rho > 1.0 { 1.0 / rho } else { 1.0 }
    }

    /// Requests in one endpoint at this load, by Little's law: the rate it
    /// processes times the response time. Past the limit the queue has no
    /// steady state; it is counted as at ρ = 0.99, a hundred service times.
    pub fn in_flight(&self, rate_per_endpoint: f64) -> f64 {
        let served = rate_per_endpoint * self.served_share(rate_per_endpoint);
        let rho = self.utilization(rate_per_endpoint).min(0.99);
        served * self.mean_service_time_s / (1.0 - rho)
    }

    /// CPU cores one endpoint uses at this load.
    pub fn cpu_cores(&self, rate_per_endpoint: f64) -> f64 {
        rate_per_endpoint * self.served_share(rate_per_endpoint) * self.cpu_per_request_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Capacity {
        // 100 ms of CPU per request on a 1-core limit: 10 req/s at most.
        Capacity {
            mean_service_time_s: 0.2,
            cpu_per_request_s: 0.1,
            cpu_limit_cores: Some(1.0),
        }
    }

    #[test]
    fn response_time_grows_as_the_limit_nears() {
        let p = pod();
        assert_eq!(p.max_rate(), Some(10.0));
        assert!((p.response_time_s(5.0) - 0.4).abs() < 1e-12);
        assert!((p.response_time_s(9.0) - 2.0).abs() < 1e-9);
        assert_eq!(p.response_time_s(10.0), f64::INFINITY);
    }

    #[test]
    fn past_the_limit_the_excess_fails() {
        let p = pod();
        assert_eq!(p.served_share(5.0), 1.0);
        assert!((p.served_share(20.0) - 0.5).abs() < 1e-12);
        assert!(
            (p.cpu_cores(20.0) - 1.0).abs() < 1e-12,
            "throttled at the limit"
        );
    }

    #[test]
    fn in_flight_follows_littles_law() {
        let p = pod();
        assert!((p.in_flight(5.0) - 5.0 * 0.4).abs() < 1e-12);
        assert!((p.in_flight(20.0) - 10.0 * 0.2 / 0.01).abs() < 1e-9);
    }

    #[test]
    fn without_a_limit_nothing_throttles() {
        let p = Capacity {
            cpu_limit_cores: None,
            ..pod()
        };
        assert_eq!(p.utilization(1e6), 0.0);
        assert_eq!(p.response_time_s(1e6), 0.2);
        assert!((p.cpu_cores(100.0) - 10.0).abs() < 1e-9);
    }
}
