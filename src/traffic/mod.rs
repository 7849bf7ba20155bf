//! Demand over time and what becomes of it: the rate profile of each
//! workload (steps, ramps, daily cycles), the spikes on top of it, and
//! accounting of request outcomes, fluid or one request at a time.

mod capacity;
mod exact;
mod fluid;
mod profile;

pub use capacity::Capacity;
pub use exact::{Arrival, ExactRequests, ServiceTimeShape};
pub use fluid::{EndpointClass, FluidTraffic, Outcome, OutcomeCounts, Usage};
pub use profile::RateProfile;
