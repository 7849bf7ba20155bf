//! nines: a deterministic discrete-event simulator of a Kubernetes cluster's
//! high availability.
//!
//! Load a scenario with [`scenario::load`], run it with [`run()`], read the
//! [`report::Report`]. The layers (DESIGN.md): [`units`] and [`sim`] know
//! nothing of Kubernetes; [`model`] is the cluster and does no I/O;
//! [`traffic`] and [`faults`] feed it; [`metrics`] and [`report`] say what
//! happened without simulating anything.

#![forbid(unsafe_code)]

pub mod experiment;
pub mod faults;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod report;
mod run;
pub mod scenario;
pub mod sim;
pub mod traffic;
pub mod units;

pub use run::{RunOptions, RunOutput, Sinks, run, run_with_sinks};
