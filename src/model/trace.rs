//! The model's event log, like `kubectl get events`: Kubernetes' reasons and,
//! where Kubernetes has one, its message wording.

use crate::sim::SimTime;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub time: SimTime,
    /// The object's kind: `Node`, `Pod`, `ReplicaSet`, `Service`, or `Fault`
    /// for what the scenario injects.
    pub kind: &'static str,
    pub name: String,
    pub reason: &'static str,
    pub message: String,
    /// One of the few events the report's timeline shows.
    pub key: bool,
}

/// How much of the log to keep: a full trace costs memory and time in long
/// runs, so by default only the key events (faults and node-level changes,
/// evictions, scheduling failures) are kept, up to a bound, for the report's timeline.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TraceLevel {
    Key,
    All,
}

/// Key events kept for the report's timeline when no full trace is asked for.
const KEY_EVENTS_MAX: usize = 1_000;

#[derive(Debug)]
pub struct Trace {
    level: TraceLevel,
    events: Vec<TraceEvent>,
    key_events_not_kept: u64,
}

impl Trace {
    pub fn new(level: TraceLevel) -> Self {
        Trace {
            level,
            events: Vec::new(),
            key_events_not_kept: 0,
        }
    }

    /// Records an event; `name` and `message` are only written out when it
    /// is kept. Inlined, so that an event not kept (nearly all of a long
    /// run's, past the first thousand key events) costs its caller a test.
    #[inline]
    pub fn emit(
        &mut self,
        time: SimTime,
        key: bool,
        kind: &'static str,
        name: impl std::fmt::Display,
        reason: &'static str,
        message: impl FnOnce() -> String,
    ) {
        match self.level {
            TraceLevel::All => {}
            TraceLevel::Key if !key => return,
            TraceLevel::Key if self.events.len() >= KEY_EVENTS_MAX => {
                self.key_events_not_kept += 1;
                return;
            }
            TraceLevel::Key => {}
        }
        self.events.push(TraceEvent {
            time,
            kind,
            name: name.to_string(),
            reason,
            message: message(),
            key,
        });
    }

    pub fn into_events(self) -> (Vec<TraceEvent>, u64) {
        (self.events, self.key_events_not_kept)
    }
}
