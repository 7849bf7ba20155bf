//! What a run observed: each workload's up and down intervals, the incidents
//! (contiguous down intervals with their cause), and the scenario as a whole
//! (up while every workload is up).

mod gauge;
mod timeseries;

pub use gauge::{Gauge, GaugeSummary};
pub use timeseries::{Counts, Sample, SampleSink, TimeSeries, WorkloadSample};

use crate::sim::{SimDuration, SimTime};

/// A contiguous interval during which a workload had fewer than `minReady`
/// endpoints serving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub workload: usize,
    pub start: SimTime,
    pub end: SimTime,
    /// What took the workload down: the fault or condition behind the last
    /// serving endpoint's loss.
    pub cause: String,
    /// Still down when the run ended.
    pub ongoing: bool,
}

impl Incident {
    pub fn duration(&self) -> SimDuration {
        self.end - self.start
    }
}

#[derive(Debug)]
struct WorkloadUptime {
    down_since: Option<(SimTime, String)>,
    downtime: SimDuration,
}

/// Receives state changes as they happen; [`Recorder::finish`] closes the
/// intervals still open at the end.
#[derive(Debug)]
pub struct Recorder {
    workloads: Vec<WorkloadUptime>,
    incidents: Vec<Incident>,
    workloads_down: usize,
    scenario_down_since: Option<SimTime>,
    scenario_downtime: SimDuration,
    /// The scenario's last down interval, to reopen it if a workload goes
    /// down again at the instant it ended.
    scenario_last_down: Option<(SimTime, SimTime)>,
}

/// Uptime figures at the end of a run.
#[derive(Debug, Clone)]
pub struct UptimeMetrics {
    pub duration: SimDuration,
    /// Per workload, time spent down.
    pub workload_downtime: Vec<SimDuration>,
    /// Time during which at least one workload was down.
    pub scenario_downtime: SimDuration,
    /// In order of start, then workload.
    pub incidents: Vec<Incident>,
}

impl Recorder {
    /// Every workload starts up; the model reports those that are not with
    /// [`Recorder::set_up`] at time zero.
    pub fn new(workloads: usize) -> Self {
        Recorder {
            workloads: (0..workloads)
                .map(|_| WorkloadUptime {
                    down_since: None,
                    downtime: SimDuration::ZERO,
                })
                .collect(),
            incidents: Vec::new(),
            workloads_down: 0,
            scenario_down_since: None,
            scenario_downtime: SimDuration::ZERO,
            scenario_last_down: None,
        }
    }

    pub fn is_up(&self, workload: usize) -> bool {
        self.workloads[workload].down_since.is_none()
    }

    /// Records a workload going down (with its cause) or coming back up; a
    /// call that changes nothing is ignored.
    pub fn set_up(&mut self, workload: usize, up: bool, now: SimTime, cause: &str) {
        let w = &mut self.workloads[workload];
        match (&w.down_since, up) {
            (None, false) => {
                // Down again at the instant it came back (one endpoint
                // replaced another): the same incident goes on.
                let reopened = self
                    .incidents
                    .iter()
                    .rposition(|i| i.workload == workload)
                    .filter(|&i| self.incidents[i].end == now);
                let (since, cause) = match reopened {
                    Some(i) => {
                        let incident = self.incidents.remove(i);
                        w.downtime = w.downtime - incident.duration();
                        (incident.start, incident.cause)
                    }
                    None => (now, cause.to_string()),
                };
                w.down_since = Some((since, cause));
                self.workloads_down += 1;
                if self.workloads_down == 1 {
                    self.scenario_down_since = match self.scenario_last_down {
                        Some((start, end)) if end == now => {
                            self.scenario_downtime = self.scenario_downtime - (end - start);
                            Some(start)
                        }
                        _ => Some(now),
                    };
                }
            }
            (Some(_), true) => {
                let (start, cause) = w.down_since.take().expect("matched Some");
                w.downtime = w.downtime + (now - start);
                // Down and up at one instant (while the steady state is
                // being placed, say) is no outage.
                if start < now {
                    self.incidents.push(Incident {
                        workload,
                        start,
                        end: now,
                        cause,
                        ongoing: false,
                    });
                }
                self.workloads_down -= 1;
                if self.workloads_down == 0 {
                    let since = self.scenario_down_since.take().unwrap_or(now);
                    self.scenario_downtime = self.scenario_downtime + (now - since);
                    self.scenario_last_down = Some((since, now));
                }
            }
            _ => {}
        }
    }

    pub fn finish(mut self, end: SimTime) -> UptimeMetrics {
        for (workload, w) in self.workloads.iter_mut().enumerate() {
            if let Some((start, cause)) = w.down_since.take() {
                w.downtime = w.downtime + (end - start);
                self.incidents.push(Incident {
                    workload,
                    start,
                    end,
                    cause,
                    ongoing: true,
                });
            }
        }
        if let Some(since) = self.scenario_down_since.take() {
            self.scenario_downtime = self.scenario_downtime + (end - since);
        }
        self.incidents.sort_by_key(|i| (i.start, i.workload));
        UptimeMetrics {
            duration: end.since_start(),
            workload_downtime: self.workloads.iter().map(|w| w.downtime).collect(),
            scenario_downtime: self.scenario_downtime,
            incidents: self.incidents,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    #[test]
    fn overlapping_outages_count_once_for_the_scenario() {
        let mut r = Recorder::new(2);
        r.set_up(0, false, t(10), "a");
        r.set_up(1, false, t(15), "b");
        r.set_up(0, true, t(20), "");
        r.set_up(1, true, t(30), "");
        r.set_up(1, true, t(40), "");
        let m = r.finish(t(100));
        assert_eq!(
            m.workload_downtime,
            vec![SimDuration::from_secs(10), SimDuration::from_secs(15)]
        );
        assert_eq!(m.scenario_downtime, SimDuration::from_secs(20));
        assert_eq!(m.incidents.len(), 2);
        assert_eq!(m.incidents[0].cause, "a");
    }

    #[test]
    fn down_again_at_the_instant_it_came_back_is_one_incident() {
        let mut r = Recorder::new(1);
        r.set_up(0, false, t(10), "first");
        r.set_up(0, true, t(20), "");
        r.set_up(0, false, t(20), "second");
        r.set_up(0, true, t(30), "");
        let m = r.finish(t(100));
        assert_eq!(m.incidents.len(), 1);
        assert_eq!((m.incidents[0].start, m.incidents[0].end), (t(10), t(30)));
        assert_eq!(m.incidents[0].cause, "first");
        assert_eq!(m.workload_downtime[0], SimDuration::from_secs(20));
        assert_eq!(m.scenario_downtime, SimDuration::from_secs(20));
    }

    #[test]
    fn down_and_up_at_one_instant_is_no_incident() {
        let mut r = Recorder::new(1);
        r.set_up(0, false, t(0), "");
        r.set_up(0, true, t(0), "");
        let m = r.finish(t(100));
        assert!(m.incidents.is_empty());
        assert_eq!(m.scenario_downtime, SimDuration::ZERO);
    }

    #[test]
    fn an_outage_open_at_the_end_is_an_ongoing_incident() {
        let mut r = Recorder::new(1);
        r.set_up(0, false, t(90), "x");
        let m = r.finish(t(100));
        assert!(m.incidents[0].ongoing);
        assert_eq!(m.scenario_downtime, SimDuration::from_secs(10));
    }
}
