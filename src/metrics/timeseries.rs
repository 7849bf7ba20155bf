//! The cluster's state over time, for `timeseries.csv` and the charts: a
//! sample at every change of a count (serving pods, desired replicas, Ready
//! nodes, the API), and on an even grid, so that what varies continuously
//! between changes (a diurnal load, a leak) is drawn as a curve.

use crate::sim::{SimDuration, SimTime};

/// One workload at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSample {
    /// Endpoints in kube-proxy's view whose app answers.
    pub serving: u32,
    /// Endpoints in the view, serving or not.
    pub endpoints: u32,
    /// The Deployment's `replicas`.
    pub desired: u32,
    /// Requests per second sent to the Service.
    pub request_rate: f64,
    /// Requests per second failing now: sent to endpoints that do not
    /// answer, to none, or past the CPU limit. In-flight drops are point
    /// events and not in it.
    pub error_rate: f64,
    pub cpu_cores: f64,
    /// Memory of one running container, on average.
    pub memory_bytes: f64,
}

/// A workload's counts: serving endpoints, endpoints, desired replicas. A
/// change in one of them is a change point.
pub type Counts = (u32, u32, u32);

impl WorkloadSample {
    fn counts(&self) -> Counts {
        (self.serving, self.endpoints, self.desired)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub time: SimTime,
    /// Nodes registered and seen Ready by the node lifecycle controller.
    pub nodes_ready: u32,
    pub api_writable: bool,
    pub workloads: Vec<WorkloadSample>,
}

/// Where a run's samples go, in time order and at most one per instant, as
/// the run makes them: a year's are some 850,000, half a gigabyte that a
/// list kept to the end would hold only to be written out and drawn then.
pub trait SampleSink {
    fn sample(&mut self, sample: &Sample);
}

/// The samples kept in memory: a short run's, or a test's.
impl SampleSink for Vec<Sample> {
    fn sample(&mut self, sample: &Sample) {
        self.push(sample.clone());
    }
}

/// The sampling of a run: when to sample, and the last sample held back
/// until the next, since a later change at the same instant replaces it.
pub struct TimeSeries<'s> {
    last: Option<Sample>,
    step: SimDuration,
    next_grid: SimTime,
    end: SimTime,
    sink: &'s mut dyn SampleSink,
}

impl std::fmt::Debug for TimeSeries<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeSeries")
            .field("last", &self.last)
            .field("step", &self.step)
            .field("next_grid", &self.next_grid)
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

/// Grid intervals in a run at least: a chart's curves look smooth at any
/// width a screen gives them.
pub const GRID_POINTS_MIN: u64 = 1_000;

/// The grid's step at most: a daily cycle gets 96 samples, so that a long
/// run's charts show its range instead of aliasing it.
pub const GRID_STEP_MAX: SimDuration = SimDuration::from_secs(15 * 60);

impl<'s> TimeSeries<'s> {
    /// An even grid over `[0, end]` of [`GRID_POINTS_MIN`] intervals, or of
    /// [`GRID_STEP_MAX`] if that is finer.
    pub fn for_run(end: SimTime, sink: &'s mut dyn SampleSink) -> Self {
        Self::with_step(end, grid_step(end), sink)
    }

    fn with_step(end: SimTime, step: SimDuration, sink: &'s mut dyn SampleSink) -> Self {
        TimeSeries {
            last: None,
            step,
            next_grid: SimTime::ZERO,
            end,
            sink,
        }
    }

    /// The next grid instant, up to the end of the run. The model samples it
    /// once its clock has passed it: the state there is the state the last
    /// change left.
    pub fn next_grid_point(&self) -> Option<SimTime> {
        (self.next_grid <= self.end).then_some(self.next_grid)
    }

    /// A sample at the instant [`TimeSeries::next_grid_point`] gave.
    pub fn record_grid(&mut self, sample: Sample) {
        self.next_grid += self.step;
        self.push(sample);
    }

    /// Whether a sample with these counts would differ from the last one:
    /// the caller then takes the whole sample, which costs more.
    pub fn counts_changed(
        &self,
        nodes_ready: u32,
        api_writable: bool,
        workloads: impl IntoIterator<Item = Counts>,
    ) -> bool {
        self.last.as_ref().is_none_or(|last| {
            last.nodes_ready != nodes_ready
                || last.api_writable != api_writable
                || last
                    .workloads
                    .iter()
                    .zip(workloads)
                    .any(|(a, b)| a.counts() != b)
        })
    }

    /// A sample after a change (see [`TimeSeries::counts_changed`]), or a
    /// step of the load.
    pub fn record_change(&mut self, sample: Sample) {
        self.push(sample);
    }

    fn push(&mut self, sample: Sample) {
        if let Some(last) = self.last.take()
            && last.time != sample.time
        {
            self.sink.sample(&last);
        }
        self.last = Some(sample);
    }

    /// Sends the last sample: the run is over.
    pub fn finish(mut self) {
        if let Some(last) = self.last.take() {
            self.sink.sample(&last);
        }
    }
}

/// The grid's step for a run ending at `end`.
fn grid_step(end: SimTime) -> SimDuration {
    SimDuration::from_nanos((end.as_nanos() / GRID_POINTS_MIN).clamp(1, GRID_STEP_MAX.as_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t: u64, serving: u32) -> Sample {
        Sample {
            time: SimTime::from_secs(t),
            nodes_ready: 3,
            api_writable: true,
            workloads: vec![WorkloadSample {
                serving,
                endpoints: serving,
                desired: 3,
                request_rate: t as f64,
                error_rate: 0.0,
                cpu_cores: 0.0,
                memory_bytes: 0.0,
            }],
        }
    }

    #[test]
    fn a_change_of_a_count_is_a_change_point() {
        let mut samples = Vec::new();
        let mut ts = TimeSeries::with_step(
            SimTime::from_secs(100),
            SimDuration::from_secs(10),
            &mut samples,
        );
        assert!(ts.counts_changed(3, true, [(3, 3, 3)]));
        ts.record_change(sample(0, 3));
        assert!(!ts.counts_changed(3, true, [(3, 3, 3)]));
        assert!(ts.counts_changed(3, true, [(2, 3, 3)]));
        assert!(ts.counts_changed(2, true, [(3, 3, 3)]));
        assert!(ts.counts_changed(3, false, [(3, 3, 3)]));
    }

    #[test]
    fn the_grid_is_even_whatever_the_changes_between() {
        let mut samples = Vec::new();
        let mut ts = TimeSeries::with_step(
            SimTime::from_secs(100),
            SimDuration::from_secs(10),
            &mut samples,
        );
        assert_eq!(ts.next_grid_point(), Some(SimTime::ZERO));
        ts.record_grid(sample(0, 3));
        assert_eq!(ts.next_grid_point(), Some(SimTime::from_secs(10)));
        ts.record_grid(sample(10, 3));
        ts.record_change(sample(15, 2));
        assert_eq!(ts.next_grid_point(), Some(SimTime::from_secs(20)));
        for t in (20..=100).step_by(10) {
            ts.record_grid(sample(t, 2));
        }
        assert_eq!(ts.next_grid_point(), None);
        ts.finish();
        let times: Vec<u64> = samples
            .iter()
            .map(|s| s.time.as_nanos() / 1_000_000_000)
            .collect();
        assert_eq!(times, [0, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    }

    #[test]
    fn a_long_run_is_sampled_every_fifteen_minutes() {
        let hour = grid_step(SimTime::from_secs(3600));
        assert_eq!(hour, SimDuration::from_nanos(3_600_000_000));
        let year = grid_step(SimTime::from_secs(365 * 86_400));
        assert_eq!(year, GRID_STEP_MAX);
    }

    #[test]
    fn a_second_sample_at_one_instant_replaces_the_first() {
        let mut samples = Vec::new();
        let mut ts = TimeSeries::with_step(
            SimTime::from_secs(100),
            SimDuration::from_secs(10),
            &mut samples,
        );
        ts.record_change(sample(5, 3));
        ts.record_change(sample(5, 1));
        ts.record_change(sample(6, 2));
        ts.finish();
        let serving: Vec<u32> = samples.iter().map(|s| s.workloads[0].serving).collect();
        assert_eq!(serving, [1, 2]);
    }
}
