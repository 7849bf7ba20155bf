//! nines: a deterministic discrete-event simulator of a Kubernetes cluster's
//! high availability.

#![forbid(unsafe_code)]

pub mod sim;
pub mod units;
