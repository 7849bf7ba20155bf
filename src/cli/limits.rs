//! The limits every command shares, as flags: one group, shown under its
//! own heading in each command's help, turned into [`Limits`] in one step.

use clap::Args;
use nines::limits::{Limits, over_limit};

use super::CliError;

/// `--max-duration`'s default as the help shows it; a test holds it equal
/// to [`Limits::DEFAULT`].
const DEFAULT_DURATION: &str = "36500d";

#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Limits (an error names the one it hits)")]
pub struct LimitArgs {
    /// The longest simulated duration a scenario may ask for.
    #[arg(long, value_name = "DURATION", default_value = DEFAULT_DURATION)]
    max_duration: nines::units::PositiveDuration,
    /// Nodes in a scenario, an autoscaled pool counted at its `maxNodes`.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.nodes)]
    max_nodes: u64,
    /// Pods in a scenario: every workload's replicas, or its HPA's
    /// `maxReplicas` where larger.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.pods)]
    max_pods: u64,
    /// Workloads in a scenario.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.workloads)]
    max_workloads: u64,
    /// Entries of a scenario's `faults`, and of its `rollouts`.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.faults)]
    max_faults: u64,
    /// Events one run may deliver before it stops with an error.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.events)]
    max_events: u64,
    /// Runs of `--seeds N`.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.seeds)]
    max_seeds: u64,
    /// Points of a sweep: the product of the numbers of `--vary` values.
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.sweep_points)]
    max_sweep_points: u64,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            duration: self.max_duration.get(),
            nodes: self.max_nodes,
            pods: self.max_pods,
            workloads: self.max_workloads,
            faults: self.max_faults,
            events: self.max_events,
            seeds: self.max_seeds,
            sweep_points: self.max_sweep_points,
        }
    }
}

/// `--seeds N` held to its limit.
pub fn check_seeds(runs: u64, limits: &Limits) -> Result<usize, CliError> {
    if runs > limits.seeds {
        return Err(CliError::Usage(format!(
            "`--seeds {runs}`: too many runs, {}",
            over_limit(limits.seeds, "--max-seeds")
        )));
    }
    usize::try_from(runs).map_err(|_| CliError::Usage(format!("`--seeds {runs}`: too many runs")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_duration_is_the_library_default() {
        let parsed: nines::units::PositiveDuration = DEFAULT_DURATION.parse().expect("valid");
        assert_eq!(parsed.get(), Limits::DEFAULT.duration);
    }
}
