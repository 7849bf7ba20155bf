//! A workload's request rate over time, integrated exactly so that a
//! changing rate never needs an event of its own.

use crate::sim::SimTime;

/// Piecewise-constant requests per second: `steps[i].1` holds from
/// `steps[i].0` until the next step. Before the first step the rate is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    steps: Vec<(SimTime, f64)>,
}

impl RateProfile {
    pub fn constant(per_second: f64) -> Self {
        RateProfile {
            steps: vec![(SimTime::ZERO, per_second)],
        }
    }

    /// `steps` sorted by time (the scenario checks it).
    pub fn steps(steps: Vec<(SimTime, f64)>) -> Self {
        RateProfile { steps }
    }

    /// The instants after the start at which the rate changes.
    pub fn changes(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.steps
            .iter()
            .map(|(at, _)| *at)
            .filter(|at| *at > SimTime::ZERO)
    }

    /// The rate in force at `t`.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        match self.steps.partition_point(|(at, _)| *at <= t) {
            0 => 0.0,
            i => self.steps[i - 1].1,
        }
    }

    /// Expected requests in `[from, to)`: the integral of the rate.
    pub fn expected_requests(&self, from: SimTime, to: SimTime) -> f64 {
        if to <= from {
            return 0.0;
        }
        let mut total = 0.0;
        for (i, &(start, rate)) in self.steps.iter().enumerate() {
            let end = self.steps.get(i + 1).map_or(SimTime::MAX, |s| s.0);
            let lo = start.max(from);
            let hi = end.min(to);
            if hi > lo {
                total += rate * (hi - lo).as_secs_f64();
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_steps_exactly() {
        let p = RateProfile::steps(vec![
            (SimTime::ZERO, 100.0),
            (SimTime::from_secs(600), 1000.0),
            (SimTime::from_secs(2400), 100.0),
        ]);
        assert_eq!(p.rate_at(SimTime::from_secs(599)), 100.0);
        assert_eq!(p.rate_at(SimTime::from_secs(600)), 1000.0);
        let n = p.expected_requests(SimTime::from_secs(500), SimTime::from_secs(700));
        assert!((n - (100.0 * 100.0 + 1000.0 * 100.0)).abs() < 1e-6);
        assert_eq!(
            p.expected_requests(SimTime::from_secs(5), SimTime::from_secs(5)),
            0.0
        );
    }

    #[test]
    fn zero_before_the_first_step() {
        let p = RateProfile::steps(vec![(SimTime::from_secs(10), 5.0)]);
        assert_eq!(p.rate_at(SimTime::ZERO), 0.0);
        assert!((p.expected_requests(SimTime::ZERO, SimTime::from_secs(20)) - 50.0).abs() < 1e-9);
    }
}
