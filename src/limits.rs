//! Limits on everything a scenario or a command line controls, so that no
//! input can make the tool allocate without bound or run for ever. Each is
//! far beyond what a real cluster's scenario needs; those a user may
//! legitimately reach have a flag that raises them, and the error that
//! reports one names it.

use crate::sim::SimDuration;

/// Scenario files larger than this are refused before they are parsed: a
/// hand-written or generated scenario is kilobytes, and without a bound a
/// path such as `/dev/zero` would be read for ever.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The YAML reader's budget. Aliases (`*name`) replay what their anchor
/// holds, so a few lines can stand for billions of values (the "billion
/// laughs"); these bound what a file may expand to, and a breach is
/// reported at once instead of being expanded.
pub const MAX_ALIAS_REPLAYED_EVENTS: usize = 100_000;
/// Mappings, sequences and values in the whole file, aliases expanded.
pub const MAX_YAML_NODES: usize = 250_000;
/// Bytes of text in every value together, aliases expanded.
pub const MAX_YAML_TEXT_BYTES: usize = 16 << 20;

/// How many problems a scenario's check reports in full; past it they are
/// counted, so that a generated file with thousands of mistakes neither
/// floods the terminal nor spends minutes looking for closest names.
pub const MAX_DIAGNOSTICS: usize = 100;

/// Limits a user may raise, each with its flag. The defaults hold any real
/// cluster's scenario; the flags exist for the rare study that needs more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `--max-duration`: the longest simulated time a scenario may ask for.
    pub duration: SimDuration,
    /// `--max-nodes`: the nodes of every pool, an autoscaled pool counted at
    /// its `maxNodes`.
    pub nodes: u64,
    /// `--max-pods`: every workload's `replicas`, or its HPA's `maxReplicas`
    /// where larger.
    pub pods: u64,
    /// `--max-workloads`.
    pub workloads: u64,
    /// `--max-faults`: the entries of `faults`, and of `rollouts`.
    pub faults: u64,
    /// `--max-events`: the events one run may deliver; the guard against a
    /// scenario whose changes never settle.
    pub events: u64,
    /// `--max-seeds`: the runs of `--seeds N`, whose reports are all kept.
    pub seeds: u64,
    /// `--max-sweep-points`: the combinations of a sweep's `--vary` values.
    pub sweep_points: u64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        duration: SimDuration::from_secs(100 * 365 * 86_400),
        nodes: 10_000,
        pods: 100_000,
        workloads: 1_000,
        faults: 10_000,
        events: 50_000_000,
        seeds: 100_000,
        sweep_points: 10_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The end of a message about a limit: what it is and the flag that raises it.
pub fn over_limit(limit: impl std::fmt::Display, flag: &str) -> String {
    format!("the limit is {limit}; raise it with `{flag}`")
}
