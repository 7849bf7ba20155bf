//! The run loop: hands each event to the model until a horizon or an event
//! budget is reached.

use super::queue::Engine;
use super::time::SimTime;

/// Whoever reacts to events: the model implements it, and schedules the
/// consequences on the engine it is handed.
pub trait Handler<E> {
    fn handle(&mut self, engine: &mut Engine<E>, event: E);
}

/// Where a run stops. `max_events` is the guard against a model that
/// schedules without end (a zero-delay loop would otherwise never reach the
/// horizon).
#[derive(Copy, Clone, Debug)]
pub struct RunLimits {
    pub horizon: SimTime,
    pub max_events: u64,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunStats {
    /// Events delivered by this call, not since the engine was created.
    pub events: u64,
    pub end: SimTime,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("the run exceeded its event budget of {limit} events at simulated time {at}")]
    EventBudgetExceeded { limit: u64, at: SimTime },
}

/// Delivers the events up to `limits.horizon`, then advances the clock to
/// the horizon so that the caller can close open intervals at
/// `engine.now()`. Events past the horizon stay queued, so a later call with
/// a later horizon carries on where this one stopped.
///
/// The budget is exceeded only if an event remains at or before the horizon
/// once `max_events` have been delivered; the error's `at` is the time the
/// budget ran out, and the clock stays there.
pub fn run<E, H: Handler<E>>(
    engine: &mut Engine<E>,
    handler: &mut H,
    limits: RunLimits,
) -> Result<RunStats, SimError> {
    let mut events = 0;
    loop {
        if events == limits.max_events {
            if engine
                .next_event_time()
                .is_some_and(|at| at <= limits.horizon)
            {
                return Err(SimError::EventBudgetExceeded {
                    limit: limits.max_events,
                    at: engine.now(),
                });
            }
            break;
        }
        let Some(event) = engine.pop_until(limits.horizon) else {
            break;
        };
        handler.handle(engine, event);
        events += 1;
    }
    engine.advance_to(limits.horizon);
    Ok(RunStats {
        events,
        end: engine.now(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimDuration;

    /// Each event reschedules itself one second later, forever.
    struct Ticker {
        seen: Vec<(SimTime, u32)>,
    }

    impl Handler<u32> for Ticker {
        fn handle(&mut self, engine: &mut Engine<u32>, event: u32) {
            self.seen.push((engine.now(), event));
            engine.schedule_in(SimDuration::from_secs(1), event + 1);
        }
    }

    fn limits(horizon_s: u64, max_events: u64) -> RunLimits {
        RunLimits {
            horizon: SimTime::from_secs(horizon_s),
            max_events,
        }
    }

    #[test]
    fn run_stops_at_the_horizon_and_advances_the_clock_to_it() {
        let mut engine = Engine::new();
        engine.schedule_at(SimTime::from_secs(1), 0).unwrap();
        let mut ticker = Ticker { seen: Vec::new() };

        let stats = run(&mut engine, &mut ticker, limits(3, 100)).unwrap();
        assert_eq!(
            stats,
            RunStats {
                events: 3,
                end: SimTime::from_secs(3)
            }
        );
        assert_eq!(engine.now(), SimTime::from_secs(3));

        let stats = run(&mut engine, &mut ticker, limits(10, 100)).unwrap();
        assert_eq!(stats.events, 7);
        assert_eq!(ticker.seen.last(), Some(&(SimTime::from_secs(10), 9)));
    }

    #[test]
    fn run_with_nothing_queued_just_advances_the_clock() {
        let mut engine = Engine::<u32>::new();
        let mut ticker = Ticker { seen: Vec::new() };
        let stats = run(&mut engine, &mut ticker, limits(60, 0)).unwrap();
        assert_eq!(stats.end, SimTime::from_secs(60));
    }

    #[test]
    fn run_fails_when_the_budget_runs_out_before_the_horizon() {
        let mut engine = Engine::new();
        engine.schedule_at(SimTime::from_secs(1), 0).unwrap();
        let mut ticker = Ticker { seen: Vec::new() };
        let error = run(&mut engine, &mut ticker, limits(100, 5)).unwrap_err();
        assert_eq!(
            error,
            SimError::EventBudgetExceeded {
                limit: 5,
                at: SimTime::from_secs(5)
            }
        );
        assert_eq!(
            error.to_string(),
            "the run exceeded its event budget of 5 events at simulated time 5s"
        );
        assert_eq!(ticker.seen.len(), 5);
        assert_eq!(engine.now(), SimTime::from_secs(5));
    }

    #[test]
    fn a_budget_used_exactly_up_to_the_horizon_is_not_exceeded() {
        let mut engine = Engine::new();
        engine.schedule_at(SimTime::from_secs(1), 0).unwrap();
        let mut ticker = Ticker { seen: Vec::new() };
        let stats = run(&mut engine, &mut ticker, limits(5, 5)).unwrap();
        assert_eq!(stats.events, 5);
    }

    #[test]
    fn cancelled_firings_do_not_count_against_the_budget() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.set_timer(timer, SimTime::from_secs(2), 7).unwrap();
        engine.cancel_timer(timer);
        engine.schedule_at(SimTime::from_secs(3), 0).unwrap();
        let mut ticker = Ticker { seen: Vec::new() };
        let stats = run(&mut engine, &mut ticker, limits(3, 1)).unwrap();
        assert_eq!(stats.events, 1);
    }
}
