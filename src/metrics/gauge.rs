//! A count that changes at instants (replicas, nodes): its range, its last
//! value, its time-weighted mean, and the time spent at a watched value,
//! all kept in constant space however long the run.

use crate::sim::{SimDuration, SimTime};

#[derive(Debug, Clone)]
pub struct Gauge {
    value: u32,
    since: SimTime,
    min: u32,
    max: u32,
    /// ∫ value dt, in value-seconds.
    area: f64,
    /// The value whose time is counted (a workload's `maxReplicas`).
    watched: Option<u32>,
    at_watched: SimDuration,
}

/// A gauge's figures at the end of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct GaugeSummary {
    pub min: u32,
    pub max: u32,
    pub last: u32,
    pub mean: f64,
    /// Time at or above the watched value.
    pub at_watched: SimDuration,
}

impl Gauge {
    pub fn new(value: u32, watched: Option<u32>) -> Self {
        Gauge {
            value,
            since: SimTime::ZERO,
            min: value,
            max: value,
            area: 0.0,
            watched,
            at_watched: SimDuration::ZERO,
        }
    }

    pub fn value(&self) -> u32 {
        self.value
    }

    pub fn set(&mut self, now: SimTime, value: u32) {
        self.advance(now);
        self.value = value;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    fn advance(&mut self, now: SimTime) {
        let held = now - self.since;
        self.area += f64::from(self.value) * held.as_secs_f64();
        if self.watched.is_some_and(|w| self.value >= w) {
            self.at_watched = self.at_watched + held;
        }
        self.since = now;
    }

    pub fn finish(mut self, end: SimTime) -> GaugeSummary {
        self.advance(end);
        let seconds = end.since_start().as_secs_f64();
        GaugeSummary {
            min: self.min,
            max: self.max,
            last: self.value,
            // A constant is its own mean, exactly.
            mean: if seconds > 0.0 && self.min != self.max {
                self.area / seconds
            } else {
                f64::from(self.value)
            },
            at_watched: self.at_watched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_is_time_weighted_and_watched_time_counts_the_top() {
        let mut g = Gauge::new(2, Some(6));
        g.set(SimTime::from_secs(10), 6);
        g.set(SimTime::from_secs(40), 4);
        let s = g.finish(SimTime::from_secs(100));
        assert_eq!((s.min, s.max, s.last), (2, 6, 4));
        // (2 × 10 + 6 × 30 + 4 × 60) / 100
        assert!((s.mean - 4.4).abs() < 1e-12);
        assert_eq!(s.at_watched, SimDuration::from_secs(30));
    }
}
