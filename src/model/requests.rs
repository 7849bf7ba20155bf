//! Exact mode in the model: the Service's arrival timer, and the answers
//! that come back from the pods, unless their container stopped first.

use super::{ModelEvent, World};
use crate::scenario::Workload;
use crate::sim::{Engine, RngStreams, SimDuration};
use crate::traffic::{Arrival, ExactRequests};

/// The workload's requests, on streams of their own: arrivals, the
/// endpoint each goes to, and how long each takes.
pub(super) fn exact_requests(streams: &RngStreams, w: &Workload) -> ExactRequests {
    ExactRequests::new(
        streams.stream(&format!("requests/{}/arrivals", w.name)),
        streams.stream(&format!("requests/{}/routing", w.name)),
        streams.stream(&format!("requests/{}/service", w.name)),
        w.app.service_time_shape,
        w.app.service_time,
    )
}

impl World<'_> {
    /// Sets the workload's arrival timer to its next request, if any; in
    /// fluid mode there is none.
    pub(super) fn schedule_arrival(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let state = &mut self.workloads[w];
        if !state.traffic.is_exact() {
            return;
        }
        match state.traffic.next_arrival(now) {
            Some(at) => engine.set_timer_in(
                state.arrival_timer,
                at - now,
                ModelEvent::RequestArrives { workload: w },
            ),
            None => engine.cancel_timer(state.arrival_timer),
        }
    }

    pub(super) fn request_arrives(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        if let Some(Arrival::Served {
            key,
            incarnation,
            after,
        }) = self.workloads[w].traffic.arrive(now)
        {
            engine.schedule_in(
                after,
                ModelEvent::RequestAnswered {
                    workload: w,
                    endpoint: key,
                    incarnation,
                    after,
                },
            );
        }
        self.schedule_arrival(w, engine);
    }

    pub(super) fn request_answered(
        &mut self,
        w: usize,
        endpoint: usize,
        incarnation: u32,
        after: SimDuration,
    ) {
        self.workloads[w]
            .traffic
            .complete(endpoint, incarnation, after);
    }
}
