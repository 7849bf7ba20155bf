//! Demand over time and what becomes of it: the rate profile of each
//! workload, and fluid-mode accounting of request outcomes.

mod fluid;
mod profile;

pub use fluid::{EndpointClass, FluidTraffic, Outcome, OutcomeCounts};
pub use profile::RateProfile;
