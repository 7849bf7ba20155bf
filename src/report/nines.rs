//! Availability as nines, −log10(1 − availability), with an honest figure
//! when nothing failed: the rule of three (with no failure in N independent
//! trials, the failure probability is below 3/N at 95 % confidence).

use crate::sim::SimDuration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nines {
    pub availability: f64,
    pub nines: f64,
    pub is_lower_bound: bool,
}

/// Nines of `1 − failed/total`; with no failure, the rule-of-three bound
/// −log10(3/N), never below 0.
pub fn nines(failed: f64, trials: f64) -> Nines {
    if trials <= 0.0 {
        return Nines {
            availability: 1.0,
            nines: 0.0,
            is_lower_bound: true,
        };
    }
    if failed <= 0.0 {
        return Nines {
            availability: 1.0,
            nines: (-(3.0 / trials).log10()).max(0.0),
            is_lower_bound: true,
        };
    }
    let unavailability = (failed / trials).min(1.0);
    Nines {
        availability: 1.0 - unavailability,
        // `+ 0.0` turns the −0 of a total failure into 0.
        nines: -unavailability.log10() + 0.0,
        is_lower_bound: false,
    }
}

pub fn for_requests(failed: u64, total: u64) -> Nines {
    nines(failed as f64, total as f64)
}

/// For time, the trials are the run's seconds: a run with no downtime has
/// watched `duration_s` one-second intervals without an outage.
pub fn for_time(downtime: SimDuration, duration: SimDuration) -> Nines {
    nines(downtime.as_secs_f64(), duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_nines() {
        let n = for_requests(1, 1000);
        assert!((n.nines - 3.0).abs() < 1e-12);
        assert!(!n.is_lower_bound);
        assert!((n.availability - 0.999).abs() < 1e-12);
    }

    #[test]
    fn rule_of_three_when_nothing_failed() {
        let n = for_requests(0, 3_000_000);
        assert!((n.nines - 6.0).abs() < 1e-12);
        assert!(n.is_lower_bound);
        // A day without downtime: 86,400 one-second trials.
        let t = for_time(SimDuration::ZERO, SimDuration::from_secs(86_400));
        assert!((t.nines - (86_400f64 / 3.0).log10()).abs() < 1e-12);
    }

    #[test]
    fn everything_failed_is_zero_nines() {
        assert_eq!(for_requests(10, 10).nines, 0.0);
        assert!(for_requests(10, 10).nines.is_sign_positive());
        assert_eq!(for_requests(0, 0).nines, 0.0);
    }
}
