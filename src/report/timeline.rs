//! The timeline's rows as `kubectl get events` shows them after client-go's
//! `EventCorrelator`: a burst of similar events (one object, one reason,
//! different messages: a ReplicaSet deleting 30 pods) shows its first nine
//! and then a single `(combined from similar events)` event that counts the
//! rest, instead of filling the timeline with one line a pod.

use std::collections::{BTreeMap, VecDeque};

use crate::model::TraceEvent;
use crate::sim::{SimDuration, SimTime};

/// `defaultAggregateMaxEvents`: the distinct messages a burst shows before
/// its events are combined.
const AGGREGATE_MAX_EVENTS: usize = 10;

/// `defaultAggregateIntervalInSeconds`: a burst ends once its object and
/// reason have had no event for this long.
const AGGREGATE_INTERVAL: SimDuration = SimDuration::from_secs(600);

/// What the combined event's message starts with (`EventAggregatorByReasonMessageFunc`).
pub const COMBINED: &str = "(combined from similar events): ";

/// One line of the timeline: an event, or the combined event of a burst.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow<'e> {
    /// When the event happened, or the combined event was first written.
    pub time: SimTime,
    pub kind: &'static str,
    pub name: &'e str,
    pub reason: &'static str,
    /// The event's message; for a combined event, the latest event's, as
    /// each one combined overwrites it.
    pub message: &'e str,
    /// The events the row stands for: 1, or a combined event's count.
    pub count: u64,
    /// A combined event's `lastTimestamp`.
    pub last: SimTime,
    pub combined: bool,
}

impl<'e> TimelineRow<'e> {
    /// The row of one event, standing alone or starting a combined event.
    fn of(e: &'e TraceEvent, combined: bool) -> Self {
        TimelineRow {
            time: e.time,
            kind: e.kind,
            name: &e.name,
            reason: e.reason,
            message: &e.message,
            count: 1,
            last: e.time,
            combined,
        }
    }
}

/// A burst of one object's events of one reason (`aggregateRecord`).
struct Burst<'e> {
    /// Its distinct messages, oldest first: at most ten, so a list.
    messages: VecDeque<&'e str>,
    last: SimTime,
    /// The row of its combined event, once it has one.
    combined: Option<usize>,
}

/// The events in order, each burst past its ninth distinct message folded
/// into one combined row, as `EventAggregate` does: the tenth distinct
/// message makes the combined event, and each later event of the burst
/// counts into it.
pub fn correlate(events: &[TraceEvent]) -> Vec<TimelineRow<'_>> {
    let mut rows: Vec<TimelineRow> = Vec::new();
    let mut bursts: BTreeMap<(&str, &str, &str), Burst> = BTreeMap::new();
    for e in events {
        let key = (e.kind, e.name.as_str(), e.reason);
        let burst = bursts.entry(key).or_insert_with(|| Burst {
            messages: VecDeque::new(),
            last: e.time,
            combined: None,
        });
        if e.time - burst.last > AGGREGATE_INTERVAL {
            burst.messages.clear();
            burst.combined = None;
        }
        burst.last = e.time;
        if !burst.messages.contains(&e.message.as_str()) {
            burst.messages.push_back(&e.message);
        }
        if burst.messages.len() < AGGREGATE_MAX_EVENTS {
            rows.push(TimelineRow::of(e, false));
            continue;
        }
        // The set grows no further: one message goes, so that the next
        // distinct one is counted at the threshold again. Kubernetes drops
        // any; the oldest here, so that a run's report is reproducible.
        burst.messages.pop_front();
        match burst.combined {
            Some(r) => {
                let row = &mut rows[r];
                row.count += 1;
                row.message = &e.message;
                row.last = e.time;
            }
            None => {
                burst.combined = Some(rows.len());
                rows.push(TimelineRow::of(e, true));
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(secs: u64, name: &str, reason: &'static str, message: &str) -> TraceEvent {
        TraceEvent {
            time: SimTime::from_secs(secs),
            kind: "ReplicaSet",
            name: name.to_string(),
            reason,
            message: message.to_string(),
            key: true,
        }
    }

    fn deletes(from: u64, n: u64) -> Vec<TraceEvent> {
        (0..n)
            .map(|i| {
                event(
                    from,
                    "web-1",
                    "SuccessfulDelete",
                    &format!("Deleted pod: web-1-{i}"),
                )
            })
            .collect()
    }

    #[test]
    fn a_burst_shows_nine_events_then_one_combined_with_the_rest() {
        let events = deletes(0, 30);
        let rows = correlate(&events);
        assert_eq!(rows.len(), 10);
        assert!(rows[..9].iter().all(|r| !r.combined && r.count == 1));
        assert_eq!(rows[8].message, "Deleted pod: web-1-8");
        let combined = &rows[9];
        assert!(combined.combined);
        assert_eq!(combined.count, 21);
        assert_eq!(combined.message, "Deleted pod: web-1-29");
        assert_eq!(rows.iter().map(|r| r.count).sum::<u64>(), 30);
    }

    #[test]
    fn other_objects_and_reasons_and_repeated_messages_are_not_combined() {
        let mut events = Vec::new();
        for i in 0..12 {
            events.push(event(
                i,
                "web-1",
                "SuccessfulCreate",
                &format!("Created pod: {i}"),
            ));
            events.push(event(
                i,
                "web-2",
                "SuccessfulDelete",
                &format!("Deleted pod: {i}"),
            ));
            events.push(event(
                i,
                "web-3",
                "BackOff",
                "Back-off restarting failed container",
            ));
        }
        let rows = correlate(&events);
        let combined: Vec<_> = rows.iter().filter(|r| r.combined).collect();
        assert_eq!(combined.len(), 2, "{combined:?}");
        assert!(combined.iter().all(|r| r.count == 3 && r.name != "web-3"));
        assert_eq!(rows.len(), 12 + 2 * 10);
    }

    #[test]
    fn a_burst_ends_after_ten_minutes_without_an_event() {
        let mut events = deletes(0, 12);
        events.extend(deletes(600, 2));
        events.extend(deletes(1201, 12));
        let rows = correlate(&events);
        let combined: Vec<u64> = rows
            .iter()
            .filter(|r| r.combined)
            .map(|r| r.count)
            .collect();
        // The second group came within ten minutes of the first: same burst.
        // The third came 601 s after the second: a burst of its own.
        assert_eq!(combined, vec![5, 3]);
        assert_eq!(rows.len(), 9 + 1 + 9 + 1);
    }
}
