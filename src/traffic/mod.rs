//! Demand over time and what becomes of it: the rate profile of each
//! workload (steps, ramps, daily cycles), the spikes on top of it, and
//! fluid-mode accounting of request outcomes.

mod capacity;
mod fluid;
mod profile;

pub use capacity::Capacity;
pub use fluid::{EndpointClass, FluidTraffic, Outcome, OutcomeCounts, Usage};
pub use profile::RateProfile;
