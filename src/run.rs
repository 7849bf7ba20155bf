//! One run of a scenario with one seed: the library's entry point, used by
//! the command line, the benches and the tests alike.

use crate::metrics::SampleSink;
use crate::model::{EventSink, TraceEvent, TraceLevel, World};
use crate::report::Report;
use crate::scenario::Scenario;
use crate::sim::{Engine, RngStreams, RunLimits, SimError, SimTime};

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: u64,
    /// Keep every model event in the output, or only the key ones;
    /// [`run_with_sinks`] sends every event to a sink either way, which is
    /// how `--trace` writes a long run's without holding it.
    pub trace: TraceLevel,
    /// Draw every request on its own (`--exact`) instead of the fluid
    /// account: slower, and the judge of the fluid account.
    pub exact: bool,
    /// The run stops with an error past this many events: far above what a
    /// year of a large cluster needs, low enough that a runaway scenario
    /// ends in seconds ([`Limits::events`](crate::limits::Limits::events)).
    pub max_events: u64,
}

impl RunOptions {
    pub fn new(seed: u64) -> Self {
        RunOptions {
            seed,
            trace: TraceLevel::Key,
            exact: false,
            max_events: crate::limits::Limits::DEFAULT.events,
        }
    }
}

#[derive(Debug)]
pub struct RunOutput {
    pub report: Report,
    /// Every event with [`TraceLevel::All`], the key ones otherwise.
    pub trace: Vec<TraceEvent>,
    /// Key events past the bound of a key-only trace, counted but not kept.
    pub key_events_not_kept: u64,
}

impl RunOutput {
    /// The report as `nines run` prints it, with the key events kept.
    pub fn text(&self, description: &str) -> String {
        crate::report::render_text(
            &self.report,
            description,
            &self.trace,
            self.key_events_not_kept,
        )
    }
}

/// Where a run sends what it makes as it makes it, for what is written out
/// or drawn rather than reported: a long run's would not fit in memory.
#[derive(Default)]
pub struct Sinks<'a> {
    /// Every event of the trace, whatever [`RunOptions::trace`] keeps.
    pub events: Option<&'a mut dyn EventSink>,
    /// The cluster's state over time (for `timeseries.csv` and the
    /// charts); without a sink the run does not sample, and costs nothing
    /// for it.
    pub samples: Option<&'a mut dyn SampleSink>,
}

/// Runs the scenario to its end. Same scenario and options, same output,
/// byte for byte.
pub fn run(scenario: &Scenario, options: &RunOptions) -> Result<RunOutput, SimError> {
    run_with_sinks(scenario, options, Sinks::default())
}

/// [`run`], sending the events and the samples to `sinks` as it makes
/// them.
pub fn run_with_sinks(
    scenario: &Scenario,
    options: &RunOptions,
    sinks: Sinks<'_>,
) -> Result<RunOutput, SimError> {
    let streams = RngStreams::new(options.seed);
    let mut engine = Engine::new();
    let mut world = World::new(
        scenario,
        &streams,
        options.trace,
        options.exact,
        &mut engine,
    );
    let end = SimTime::ZERO + scenario.duration;
    if let Some(sink) = sinks.samples {
        world.send_samples_to(end, sink);
    }
    if let Some(sink) = sinks.events {
        world.send_events_to(sink);
    }
    let stats = crate::sim::run(
        &mut engine,
        &mut world,
        RunLimits {
            horizon: end,
            max_events: options.max_events,
        },
    )?;
    let observations = world.finish(end);
    let report = Report::new(scenario, options.seed, stats.events, &observations);
    Ok(RunOutput {
        report,
        trace: observations.trace,
        key_events_not_kept: observations.key_events_not_kept,
    })
}
