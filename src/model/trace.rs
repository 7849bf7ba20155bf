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

/// Where every event goes as it happens, when a run's whole trace is
/// written out: a year's trace is millions of events, which a list kept to
/// the end would hold in memory (gigabytes) only to be written out then.
pub trait EventSink {
    fn event(&mut self, event: &TraceEvent);
}

pub struct Trace<'s> {
    level: TraceLevel,
    events: Vec<TraceEvent>,
    key_events_not_kept: u64,
    sink: Option<&'s mut dyn EventSink>,
}

impl std::fmt::Debug for Trace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("level", &self.level)
            .field("events", &self.events.len())
            .field("key_events_not_kept", &self.key_events_not_kept)
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

impl<'s> Trace<'s> {
    pub fn new(level: TraceLevel) -> Self {
        Trace {
            level,
            events: Vec::new(),
            key_events_not_kept: 0,
            sink: None,
        }
    }

    /// Sends every event to `sink` from now on, whatever the level keeps.
    pub fn send_to(&mut self, sink: &'s mut dyn EventSink) {
        self.sink = Some(sink);
    }

    /// Records an event; `name` and `message` are only written out when it
    /// is kept or there is a sink. Inlined, so that an event neither kept
    /// nor sent (nearly all of a long run's, past the first thousand key
    /// events) costs its caller a test or two.
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
        let keep = match self.level {
            TraceLevel::All => true,
            TraceLevel::Key if !key => false,
            TraceLevel::Key => self.events.len() < KEY_EVENTS_MAX,
        };
        if !keep {
            if key {
                self.key_events_not_kept += 1;
            }
            if self.sink.is_none() {
                return;
            }
        }
        let event = TraceEvent {
            time,
            kind,
            name: name.to_string(),
            reason,
            message: message(),
            key,
        };
        if let Some(sink) = &mut self.sink {
            sink.event(&event);
        }
        if keep {
            self.events.push(event);
        }
    }

    pub fn into_events(self) -> (Vec<TraceEvent>, u64) {
        (self.events, self.key_events_not_kept)
    }
}
