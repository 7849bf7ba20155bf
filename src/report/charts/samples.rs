//! A run's samples reduced, as the run makes them, to what its charts
//! draw: a year's 850,000 samples are half a gigabyte, what is drawn of
//! them a few megabytes.

use super::held::{Held, HeldSeries};
use super::time_axis::{TimeAxis, columns_for};
use crate::metrics::{Sample, SampleSink};

/// What the run's charts draw, gathered a sample at a time: send it the
/// samples ([`crate::Sinks::samples`]), then draw it with
/// [`run_charts`](super::run_charts).
#[derive(Debug)]
pub struct ChartSamples {
    axis: TimeAxis,
    duration_s: f64,
    workloads: Vec<WorkloadSeries>,
    nodes_ready: HeldSeries,
    tops: Tops,
}

/// The most each panel's series reach, for its scale.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tops {
    /// Pods serving or desired, or Ready nodes.
    pub pods: u32,
    pub request_rate: f64,
    pub error_rate: f64,
}

#[derive(Debug)]
struct WorkloadSeries {
    serving: HeldSeries,
    desired: HeldSeries,
    request_rate: HeldSeries,
    error_rate: HeldSeries,
    degraded: Degraded,
}

/// The intervals in which a workload served, but with fewer pods than its
/// Deployment wants, or failing some requests.
#[derive(Debug, Default)]
struct Degraded {
    intervals: Vec<(f64, f64)>,
    /// Degraded from this instant (seconds), the last sample's.
    since: Option<f64>,
}

impl Degraded {
    /// The last sample held until `t`.
    fn held_until(&mut self, t: f64) {
        let Some(start) = self.since else {
            return;
        };
        match self.intervals.last_mut() {
            Some(last) if last.1 == start => last.1 = t,
            _ => self.intervals.push((start, t)),
        }
    }
}

/// [`ChartSamples`] at the end of the run.
pub(crate) struct DrawnSeries {
    pub workloads: Vec<DrawnWorkload>,
    pub nodes_ready: Held,
    pub tops: Tops,
}

pub(crate) struct DrawnWorkload {
    pub serving: Held,
    pub desired: Held,
    pub request_rate: Held,
    pub error_rate: Held,
    /// `[start, end)` in seconds, each.
    pub degraded: Vec<(f64, f64)>,
}

impl ChartSamples {
    /// For a run of `duration_s` seconds with `workloads` workloads.
    pub fn new(duration_s: f64, workloads: usize) -> Self {
        let axis = TimeAxis::for_duration(duration_s);
        let (end, count) = (axis.at(duration_s), columns_for(duration_s));
        let series = || HeldSeries::new(end, count);
        ChartSamples {
            axis,
            duration_s,
            workloads: (0..workloads)
                .map(|_| WorkloadSeries {
                    serving: series(),
                    desired: series(),
                    request_rate: series(),
                    error_rate: series(),
                    degraded: Degraded::default(),
                })
                .collect(),
            nodes_ready: series(),
            tops: Tops::default(),
        }
    }

    pub(crate) fn finish(self) -> DrawnSeries {
        let end = self.duration_s;
        DrawnSeries {
            workloads: (self.workloads.into_iter())
                .map(|mut w| {
                    w.degraded.held_until(end);
                    DrawnWorkload {
                        serving: w.serving.finish(),
                        desired: w.desired.finish(),
                        request_rate: w.request_rate.finish(),
                        error_rate: w.error_rate.finish(),
                        degraded: w.degraded.intervals,
                    }
                })
                .collect(),
            nodes_ready: self.nodes_ready.finish(),
            tops: self.tops,
        }
    }
}

impl SampleSink for ChartSamples {
    fn sample(&mut self, sample: &Sample) {
        let seconds = sample.time.as_secs_f64();
        let t = self.axis.at(seconds);
        for (series, w) in self.workloads.iter_mut().zip(&sample.workloads) {
            series.serving.push(t, f64::from(w.serving));
            series.desired.push(t, f64::from(w.desired));
            series.request_rate.push(t, w.request_rate);
            series.error_rate.push(t, w.error_rate);
            series.degraded.held_until(seconds);
            let degraded = w.serving < w.desired || w.error_rate > 0.0;
            series.degraded.since = degraded.then_some(seconds);
            let tops = &mut self.tops;
            tops.pods = tops.pods.max(w.serving).max(w.desired);
            tops.request_rate = tops.request_rate.max(w.request_rate);
            tops.error_rate = tops.error_rate.max(w.error_rate);
        }
        self.nodes_ready.push(t, f64::from(sample.nodes_ready));
        self.tops.pods = self.tops.pods.max(sample.nodes_ready);
    }
}
