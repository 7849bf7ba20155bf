//! The discrete-event engine: simulated time, the event queue with
//! cancellable timers, named random streams and the run loop. It knows
//! nothing of Kubernetes.

pub mod time;

pub use time::{SimDuration, SimTime};
