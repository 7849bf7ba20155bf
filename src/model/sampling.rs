//! The state [`TimeSeries`] samples: what `kubectl get` and a dashboard
//! would show at an instant, read off the world without changing it.

use super::{ModelEvent, World};
use crate::metrics::{Sample, SampleSink, TimeSeries, WorkloadSample};
use crate::sim::SimTime;

impl<'s> World<'s> {
    /// Samples the cluster over the run, on an even grid and at every
    /// change, and sends each sample to `sink` as it is made.
    pub fn send_samples_to(&mut self, end: SimTime, sink: &'s mut dyn SampleSink) {
        self.timeseries = Some(TimeSeries::for_run(end, sink));
    }
}

impl World<'_> {
    /// Before an event at `now`: the grid instants passed since the last
    /// one, in the state it left.
    pub(super) fn sample_grid_before(&mut self, now: SimTime) {
        while let Some(t) = self
            .timeseries
            .as_ref()
            .and_then(TimeSeries::next_grid_point)
            .filter(|&t| t < now)
        {
            let sample = self.sample(t);
            if let Some(ts) = &mut self.timeseries {
                ts.record_grid(sample);
            }
        }
    }

    /// After an event: a sample if it changed a count, or stepped the load.
    /// Most events change neither, and are told apart by the counts alone.
    pub(super) fn sample_after(&mut self, now: SimTime, event: &ModelEvent) {
        let Some(ts) = &self.timeseries else {
            return;
        };
        let forced = matches!(
            event,
            ModelEvent::RateChanged { .. }
                | ModelEvent::FaultFires { .. }
                | ModelEvent::TrafficSpikeEnds { .. }
        );
        let counts = (self.workloads.iter())
            .map(|s| (s.traffic.serving(), s.traffic.view_size(), s.replicas));
        if !forced && !ts.counts_changed(self.nodes_ready(), self.api_writable(), counts) {
            return;
        }
        let sample = self.sample(now);
        if let Some(ts) = &mut self.timeseries {
            ts.record_change(sample);
        }
    }

    fn nodes_ready(&self) -> u32 {
        self.nodes
            .iter()
            .filter(|n| n.registered && n.ready_condition)
            .count() as u32
    }

    /// Completes the grid to the end of the run and sends the last sample.
    pub(super) fn finish_timeseries(&mut self, end: SimTime) {
        self.sample_grid_before(SimTime::from_nanos(end.as_nanos() + 1));
        if let Some(ts) = self.timeseries.take() {
            ts.finish();
        }
    }

    fn sample(&self, t: SimTime) -> Sample {
        Sample {
            time: t,
            nodes_ready: self.nodes_ready(),
            api_writable: self.api_writable(),
            workloads: self
                .workloads
                .iter()
                .enumerate()
                .map(|(w, state)| WorkloadSample {
                    serving: state.traffic.serving(),
                    endpoints: state.traffic.view_size(),
                    desired: state.replicas,
                    request_rate: state.traffic.offered_rate_now(t),
                    error_rate: state.traffic.failing_rate_now(t),
                    cpu_cores: state.traffic.cpu_cores_now(t),
                    memory_bytes: self.memory_now(w, t),
                })
                .collect(),
        }
    }
}
