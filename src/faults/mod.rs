//! The scenario's faults as sources of events: when each fires and which
//! targets it picks, each fault drawing from its own random stream so that
//! adding one never shifts another's draws (or the traffic's).

use rand::RngExt;

use crate::scenario::{Fault, Trigger};
use crate::sim::{RngStreams, SimDuration, SimTime, Stream};
use crate::units::Distribution;

#[derive(Debug)]
pub struct FaultInjector {
    streams: Vec<Stream>,
}

impl FaultInjector {
    pub fn new(faults: &[Fault], streams: &RngStreams) -> Self {
        FaultInjector {
            streams: faults
                .iter()
                .map(|f| streams.stream(&format!("fault/{}", f.stream)))
                .collect(),
        }
    }

    /// The first firing of a scheduled fault; `None` for a stochastic one,
    /// whose clocks run per target.
    pub fn first_firing(fault: &Fault) -> Option<SimTime> {
        match fault.trigger {
            Trigger::At(at) => Some(at),
            Trigger::Every { first, .. } => Some(first),
            Trigger::Mtbf(_) => None,
        }
    }

    /// The next firing of a repeating fault after the one at `now`.
    pub fn next_firing(fault: &Fault, now: SimTime) -> Option<SimTime> {
        match fault.trigger {
            Trigger::Every { period, .. } => Some(now + period),
            _ => None,
        }
    }

    /// Up to `count` targets chosen uniformly without replacement, in the
    /// candidates' order (so the trace reads naturally).
    pub fn pick<T: Copy>(&mut self, fault: usize, candidates: &[T], count: u32) -> Vec<T> {
        let k = (count as usize).min(candidates.len());
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        let rng = &mut self.streams[fault];
        for i in 0..k {
            let j = rng.random_range(i..order.len());
            order.swap(i, j);
        }
        let mut chosen = order[..k].to_vec();
        chosen.sort_unstable();
        chosen.into_iter().map(|i| candidates[i]).collect()
    }

    /// A draw from one of the fault's distributions: time to failure of a
    /// target, or time to repair.
    pub fn draw(&mut self, fault: usize, distribution: &Distribution) -> SimDuration {
        distribution.sample(&mut self.streams[fault])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{FaultKind, NodeTarget};

    fn fault() -> Fault {
        Fault {
            stream: "f".into(),
            trigger: Trigger::At(SimTime::from_secs(1)),
            kind: FaultKind::NodeCrash {
                target: NodeTarget::Any,
                count: 1,
                recover_after: None,
            },
        }
    }

    #[test]
    fn picks_distinct_targets_in_candidate_order() {
        let mut inj = FaultInjector::new(&[fault()], &RngStreams::new(9));
        let picked = inj.pick(0, &[10, 20, 30, 40, 50], 3);
        assert_eq!(picked.len(), 3);
        assert!(picked.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(inj.pick(0, &[1, 2], 5), vec![1, 2]);
    }

    #[test]
    fn every_fault_repeats_by_its_period() {
        let f = Fault {
            trigger: Trigger::Every {
                first: SimTime::from_secs(60),
                period: SimDuration::from_secs(3600),
            },
            ..fault()
        };
        assert_eq!(
            FaultInjector::first_firing(&f),
            Some(SimTime::from_secs(60))
        );
        assert_eq!(
            FaultInjector::next_firing(&f, SimTime::from_secs(60)),
            Some(SimTime::from_secs(3660))
        );
    }
}
