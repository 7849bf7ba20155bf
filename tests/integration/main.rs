//! One integration-test binary, a module per behaviour, so the crate links once.

mod autoscaling;
mod bad_input;
mod bundled;
mod check;
mod control_plane;
mod corpus;
mod cost;
mod determinism;
mod disruptions;
mod error_codes;
mod exact;
mod independence;
mod kubelet;
mod memory;
mod node_loss;
mod outputs;
mod probes;
mod regressions;
mod resources;
mod rollouts;
mod support;
mod theory;
mod traffic;
mod validation;
