//! Units a scenario is written in: durations, Kubernetes quantities,
//! percentages, request rates and duration distributions.
//!
//! This is a base layer: it parses Kubernetes' quantity syntax but knows
//! nothing of Kubernetes objects. Every type validates once, at load, so
//! nothing downstream re-checks.

pub mod distribution;
pub mod duration;
pub mod error;
pub mod percent;
pub mod quantity;
pub mod rate;

pub use distribution::Distribution;
pub use duration::{Duration, PositiveDuration, parse_duration};
pub use error::UnitError;
pub use percent::{IntOrPercent, Percent, parse_percent};
pub use quantity::{Cpu, Memory, Quantity};
pub use rate::{Rate, parse_rate};
