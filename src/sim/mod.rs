//! The discrete-event engine: simulated time, the event queue with
//! cancellable timers, named random streams and the run loop. It knows
//! nothing of Kubernetes: the model supplies the event type and the
//! [`Handler`].
//!
//! # Ordering guarantee
//!
//! Events are delivered in order of time; events at the same instant are
//! delivered in the order they were scheduled, a timer's firing counting
//! from when it was last set. Cancelled timer firings are never delivered.
//! With the random draws coming from named [`RngStreams`], a run is a pure
//! function of its scenario and seed.

pub mod engine;
mod heap;
pub mod queue;
pub mod rng;
pub mod time;

pub use engine::{Handler, RunLimits, RunStats, SimError, run};
pub use queue::{Engine, ScheduleError, TimerId};
pub use rng::{RngStreams, Stream};
pub use time::{SimDuration, SimTime};
