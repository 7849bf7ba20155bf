//! The event queue and the clock.
//!
//! # Ordering guarantee
//!
//! Events come out in order of their scheduled time; events scheduled for the
//! same instant come out in the order they were scheduled (set, for a timer),
//! whoever scheduled them. A run is therefore a pure function of the order of
//! the calls made on the engine, which is what makes a seed reproducible.
//!
//! # Cancellation
//!
//! One-shot events cannot be cancelled; timers can, without touching the heap.
//! Each timer has at most one entry in the heap that counts, its *carrier*;
//! any other entry of the timer is dead and is dropped when it reaches the
//! front, or all at once when the dead come to outnumber the live, so that a
//! timer cancelled and set again over and over cannot grow the queue without
//! bound.
//!
//! A timer set again *later* than its carrier (a deadline pushed back by a
//! heartbeat, the commonest use) pushes nothing: the firing waits in the
//! slot, and when the carrier reaches the front it is re-queued with the time
//! and sequence number it was set with, so the order is exactly as if it had
//! been queued at once.

use std::mem;

use super::heap::{Keyed, RadixHeap};
use super::time::{SimDuration, SimTime};

/// A reusable, cancellable timer slot: probes, back-offs, grace periods and
/// tolerations re-arm one slot instead of piling up events.
///
/// Only meaningful to the engine that created it. After
/// [`Engine::release_timer`] the id may be handed out again by
/// [`Engine::new_timer`], so a released id must not be used any more.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimerId(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("cannot schedule an event at {at}, before the current time {now}")]
    InPast { at: SimTime, now: SimTime },
}

/// Marks a one-shot entry, which is always live. Timer indices stay below it
/// because `new_timer` refuses to hand it out.
const ONE_SHOT: u32 = u32::MAX;

/// A queued event. `seq` is unique per entry, so it also tells a timer's
/// carrier from its dead entries: no generation counter to wrap, and a
/// smaller entry.
struct Entry<E> {
    at: SimTime,
    seq: u64,
    timer: u32,
    event: E,
}

/// Earliest first, then the first scheduled among those at the same
/// instant.
impl<E> Keyed for Entry<E> {
    fn time(&self) -> u64 {
        self.at.as_nanos()
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// The key of a timer's entry that counts: its time decides whether a new
/// setting can ride on it, its `seq` tells it from the timer's dead entries.
#[derive(Copy, Clone)]
struct Carrier {
    at: SimTime,
    seq: u64,
}

enum Armed<E> {
    No,
    /// The carrier is the firing itself and holds the event.
    Queued {
        at: SimTime,
    },
    /// The carrier comes earlier; the firing waits here to be re-queued.
    Deferred {
        at: SimTime,
        seq: u64,
        event: E,
    },
}

struct TimerSlot<E> {
    /// Invariant: `Some` whenever `armed` is not `No`.
    carrier: Option<Carrier>,
    armed: Armed<E>,
}

impl<E> TimerSlot<E> {
    fn is_armed(&self) -> bool {
        !matches!(self.armed, Armed::No)
    }
}

/// The clock, the event queue and the timer slots. See the module docs for
/// the ordering guarantee.
pub struct Engine<E> {
    now: SimTime,
    heap: RadixHeap<Entry<E>>,
    next_seq: u64,
    timers: Vec<TimerSlot<E>>,
    free_timers: Vec<u32>,
    /// Queued entries known to be dead, to decide when to compact.
    stale: usize,
    delivered: u64,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Engine<E> {
    pub fn new() -> Self {
        Engine {
            now: SimTime::ZERO,
            heap: RadixHeap::new(),
            next_seq: 0,
            timers: Vec::new(),
            free_timers: Vec::new(),
            stale: 0,
            delivered: 0,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules a one-shot event; not cancellable. Scheduling at `now`
    /// is allowed: the event fires after those already queued for `now`.
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<(), ScheduleError> {
        self.check_not_past(at)?;
        let seq = self.next_seq();
        self.push(at, seq, ONE_SHOT, event);
        Ok(())
    }

    /// Never fails: a delay past the end of time saturates to
    /// [`SimTime::MAX`], an instant that a finite horizon never reaches.
    pub fn schedule_in(&mut self, delay: SimDuration, event: E) {
        let seq = self.next_seq();
        self.push(self.now + delay, seq, ONE_SHOT, event);
    }

    /// A slot for a cancellable timer, reusing a released one if any.
    ///
    /// # Panics
    ///
    /// If more than `u32::MAX - 1` timers are alive at once, far beyond any
    /// model's size.
    pub fn new_timer(&mut self) -> TimerId {
        if let Some(index) = self.free_timers.pop() {
            return TimerId(index);
        }
        let index = u32::try_from(self.timers.len())
            .ok()
            .filter(|&index| index != ONE_SHOT)
            .expect("more timers alive at once than a TimerId can name");
        self.timers.push(TimerSlot {
            carrier: None,
            armed: Armed::No,
        });
        TimerId(index)
    }

    /// Arms the timer; any firing it had pending is cancelled first, so a
    /// timer has at most one pending firing. On error the timer is left as
    /// it was.
    pub fn set_timer(
        &mut self,
        timer: TimerId,
        at: SimTime,
        event: E,
    ) -> Result<(), ScheduleError> {
        self.check_not_past(at)?;
        self.arm(timer, at, event);
        Ok(())
    }

    /// Like [`Engine::set_timer`], `delay` from now; saturates like
    /// [`Engine::schedule_in`].
    pub fn set_timer_in(&mut self, timer: TimerId, delay: SimDuration, event: E) {
        self.arm(timer, self.now + delay, event);
    }

    /// A no-op if the timer is not armed.
    pub fn cancel_timer(&mut self, timer: TimerId) {
        let slot = &mut self.timers[timer.0 as usize];
        if slot.is_armed() {
            slot.armed = Armed::No;
            self.stale += 1;
            self.compact_if_mostly_stale();
        }
    }

    /// When the timer will fire; `None` once it has fired or been cancelled.
    pub fn timer_deadline(&self, timer: TimerId) -> Option<SimTime> {
        match self.timers[timer.0 as usize].armed {
            Armed::No => None,
            Armed::Queued { at } | Armed::Deferred { at, .. } => Some(at),
        }
    }

    /// Cancels the timer and gives its slot back for a later
    /// [`Engine::new_timer`]; entries it left in the queue stay dead. Release
    /// a timer once: twice would hand the same slot to two owners.
    pub fn release_timer(&mut self, timer: TimerId) {
        self.cancel_timer(timer);
        self.free_timers.push(timer.0);
    }

    /// Pops the next live event at or before `horizon` and advances the clock
    /// to its time. `None` when nothing is left up to the horizon: the clock
    /// then stays put and later events stay queued for a later call.
    /// Inlined into the run loop that calls it for every event: as the
    /// crate grew the compiler stopped doing so, for 1 % more instructions.
    #[inline]
    pub fn pop_until(&mut self, horizon: SimTime) -> Option<E> {
        loop {
            if self.heap.peek()?.at > horizon {
                return None;
            }
            let entry = self.heap.pop()?;
            if entry.timer == ONE_SHOT || self.settle_timer_entry(entry.timer, entry.seq) {
                self.now = entry.at;
                self.delivered += 1;
                return Some(entry.event);
            }
        }
    }

    /// The time of the next live event. Settles the timer entries in front
    /// of it on the way, which changes nothing that can be observed.
    pub(crate) fn next_event_time(&mut self) -> Option<SimTime> {
        loop {
            let front = self.heap.peek()?;
            if front.timer == ONE_SHOT {
                return Some(front.at);
            }
            let slot = &self.timers[front.timer as usize];
            if slot.carrier.is_some_and(|carrier| carrier.seq == front.seq)
                && matches!(slot.armed, Armed::Queued { .. })
            {
                return Some(front.at);
            }
            if let Some(entry) = self.heap.pop() {
                self.settle_timer_entry(entry.timer, entry.seq);
            }
        }
    }

    /// Moves the clock forward to `at`, never back.
    pub(crate) fn advance_to(&mut self, at: SimTime) {
        self.now = self.now.max(at);
    }

    pub fn events_delivered(&self) -> u64 {
        self.delivered
    }

    /// Queued entries, counting cancelled timer firings not yet dropped: a
    /// measure of memory, not of the events still to come.
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    fn check_not_past(&self, at: SimTime) -> Result<(), ScheduleError> {
        if at < self.now {
            Err(ScheduleError::InPast { at, now: self.now })
        } else {
            Ok(())
        }
    }

    fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn push(&mut self, at: SimTime, seq: u64, timer: u32, event: E) {
        self.heap.push(Entry {
            at,
            seq,
            timer,
            event,
        });
    }

    fn arm(&mut self, timer: TimerId, at: SimTime, event: E) {
        let seq = self.next_seq();
        let slot = &mut self.timers[timer.0 as usize];
        let was_armed = slot.is_armed();
        match slot.carrier {
            // The carrier comes first in any case, so it can bring the firing.
            Some(carrier) if carrier.at <= at => {
                slot.armed = Armed::Deferred { at, seq, event };
                if !was_armed {
                    self.stale -= 1;
                }
            }
            previous => {
                slot.carrier = Some(Carrier { at, seq });
                slot.armed = Armed::Queued { at };
                self.push(at, seq, timer.0, event);
                if previous.is_some() && was_armed {
                    self.stale += 1;
                    self.compact_if_mostly_stale();
                }
            }
        }
    }

    /// Deals with a timer entry just popped: true if it is a firing to
    /// deliver; otherwise it was dead, or it was a carrier and has re-queued
    /// its timer's deferred firing.
    fn settle_timer_entry(&mut self, timer: u32, seq: u64) -> bool {
        let slot = &mut self.timers[timer as usize];
        if slot.carrier.is_none_or(|carrier| carrier.seq != seq) {
            self.stale -= 1;
            return false;
        }
        match mem::replace(&mut slot.armed, Armed::No) {
            Armed::Queued { .. } => {
                slot.carrier = None;
                true
            }
            Armed::Deferred { at, seq, event } => {
                slot.carrier = Some(Carrier { at, seq });
                slot.armed = Armed::Queued { at };
                self.push(at, seq, timer, event);
                false
            }
            Armed::No => {
                slot.carrier = None;
                self.stale -= 1;
                false
            }
        }
    }

    /// Rebuilding costs one pass over the heap, paid for by the at least
    /// `len / 2` cancellations since the last one: amortised O(1) each.
    fn compact_if_mostly_stale(&mut self) {
        if self.stale * 2 <= self.heap.len() {
            return;
        }
        let timers = &mut self.timers;
        self.heap.retain(|entry| {
            if entry.timer == ONE_SHOT {
                return true;
            }
            let slot = &mut timers[entry.timer as usize];
            if slot.carrier.is_none_or(|carrier| carrier.seq != entry.seq) {
                return false;
            }
            if !slot.is_armed() {
                slot.carrier = None;
            }
            slot.is_armed()
        });
        self.stale = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn secs(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    fn drain(engine: &mut Engine<u32>) -> Vec<(SimTime, u32)> {
        std::iter::from_fn(|| engine.pop_until(SimTime::MAX).map(|e| (engine.now(), e))).collect()
    }

    #[test]
    fn events_fire_by_time_then_insertion_order() {
        let mut engine = Engine::new();
        for i in 0..1000 {
            engine.schedule_at(secs(5), i).unwrap();
        }
        engine.schedule_at(secs(3), 2000).unwrap();
        let timer = engine.new_timer();
        engine.set_timer(timer, secs(5), 3000).unwrap();
        engine.schedule_at(secs(5), 4000).unwrap();

        let delivered = drain(&mut engine);
        let mut expected = vec![(secs(3), 2000)];
        expected.extend((0..1000).map(|i| (secs(5), i)));
        expected.extend([(secs(5), 3000), (secs(5), 4000)]);
        assert_eq!(delivered, expected);
        assert_eq!(engine.events_delivered(), 1003);
    }

    #[test]
    fn events_scheduled_at_now_fire_after_those_already_queued() {
        let mut engine = Engine::new();
        engine.schedule_at(secs(1), 1).unwrap();
        engine.schedule_at(secs(1), 2).unwrap();
        assert_eq!(engine.pop_until(SimTime::MAX), Some(1));
        engine.schedule_in(SimDuration::ZERO, 3);
        assert_eq!(drain(&mut engine), [(secs(1), 2), (secs(1), 3)]);
    }

    #[test]
    fn cancelled_timer_never_fires() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.set_timer(timer, secs(2), 1).unwrap();
        engine.schedule_at(secs(3), 2).unwrap();
        engine.cancel_timer(timer);
        engine.cancel_timer(timer);
        assert_eq!(engine.timer_deadline(timer), None);
        assert_eq!(drain(&mut engine), [(secs(3), 2)]);
    }

    #[test]
    fn rearmed_timer_fires_only_its_last_setting() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.set_timer(timer, secs(2), 1).unwrap();
        engine.set_timer(timer, secs(9), 2).unwrap();
        engine.set_timer_in(timer, SimDuration::from_secs(4), 3);
        assert_eq!(engine.timer_deadline(timer), Some(secs(4)));
        assert_eq!(drain(&mut engine), [(secs(4), 3)]);
        assert_eq!(engine.timer_deadline(timer), None);
    }

    #[test]
    fn fired_timer_can_be_set_again() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.set_timer(timer, secs(1), 1).unwrap();
        assert_eq!(engine.pop_until(SimTime::MAX), Some(1));
        engine.set_timer_in(timer, SimDuration::from_secs(1), 2);
        assert_eq!(drain(&mut engine), [(secs(2), 2)]);
    }

    #[test]
    fn reused_slot_does_not_resurrect_old_firings() {
        let mut engine = Engine::new();
        let old = engine.new_timer();
        engine.set_timer(old, secs(5), 1).unwrap();
        engine.release_timer(old);
        let reused = engine.new_timer();
        assert_eq!(reused, old);
        assert_eq!(engine.timer_deadline(reused), None);
        engine.set_timer(reused, secs(7), 2).unwrap();
        assert_eq!(drain(&mut engine), [(secs(7), 2)]);
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut engine = Engine::new();
        engine.schedule_at(secs(10), 1).unwrap();
        engine.pop_until(SimTime::MAX);
        let in_past = ScheduleError::InPast {
            at: secs(4),
            now: secs(10),
        };
        assert_eq!(engine.schedule_at(secs(4), 2), Err(in_past.clone()));
        assert_eq!(
            in_past.to_string(),
            "cannot schedule an event at 4s, before the current time 10s"
        );

        let timer = engine.new_timer();
        engine.set_timer(timer, secs(12), 3).unwrap();
        assert_eq!(engine.set_timer(timer, secs(4), 4), Err(in_past));
        assert_eq!(engine.timer_deadline(timer), Some(secs(12)));
        assert_eq!(drain(&mut engine), [(secs(12), 3)]);
    }

    #[test]
    fn delays_past_the_end_of_time_saturate() {
        let mut engine = Engine::new();
        engine.schedule_at(secs(1), 1).unwrap();
        engine.pop_until(SimTime::MAX);
        engine.schedule_in(SimDuration::MAX, 2);
        assert_eq!(engine.pop_until(secs(1_000_000)), None);
        assert_eq!(drain(&mut engine), [(SimTime::MAX, 2)]);
    }

    #[test]
    fn pop_until_stops_at_the_horizon_and_keeps_later_events() {
        let mut engine = Engine::new();
        engine.schedule_at(secs(1), 1).unwrap();
        engine.schedule_at(secs(5), 2).unwrap();
        engine.schedule_at(secs(9), 3).unwrap();
        assert_eq!(engine.pop_until(secs(5)), Some(1));
        assert_eq!(engine.pop_until(secs(5)), Some(2));
        assert_eq!(engine.pop_until(secs(5)), None);
        assert_eq!(engine.now(), secs(5));
        assert_eq!(engine.pop_until(secs(8)), None);
        assert_eq!(engine.now(), secs(5));
        assert_eq!(engine.pending(), 1);
        assert_eq!(engine.pop_until(secs(9)), Some(3));
        assert_eq!(engine.now(), secs(9));
    }

    #[test]
    fn cancelled_firings_do_not_pile_up() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.schedule_at(secs(1), 0).unwrap();
        for i in 0..10_000 {
            engine.set_timer(timer, secs(20_000 - i), 1).unwrap();
        }
        assert!(engine.pending() <= 4, "{} entries queued", engine.pending());
        assert_eq!(drain(&mut engine), [(secs(1), 0), (secs(10_001), 1)]);
    }

    #[test]
    fn pushing_a_deadline_back_queues_nothing_more() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.schedule_at(secs(2), 0).unwrap();
        for i in 0..1_000 {
            engine.set_timer(timer, secs(1 + i), i as u32).unwrap();
        }
        engine.schedule_at(secs(999), 5000).unwrap();
        assert_eq!(engine.pending(), 3);
        assert_eq!(
            drain(&mut engine),
            [(secs(2), 0), (secs(999), 5000), (secs(1000), 999)]
        );
    }

    #[test]
    fn a_deadline_pushed_back_keeps_its_place_among_ties() {
        let mut engine = Engine::new();
        let timer = engine.new_timer();
        engine.set_timer(timer, secs(1), 1).unwrap();
        engine.schedule_at(secs(5), 2).unwrap();
        engine.set_timer(timer, secs(5), 3).unwrap();
        engine.schedule_at(secs(5), 4).unwrap();
        assert_eq!(
            drain(&mut engine),
            [(secs(5), 2), (secs(5), 3), (secs(5), 4)]
        );
    }

    /// The entries the engine would drop unseen, counted the slow way.
    fn dead_entries(engine: &Engine<u32>) -> usize {
        let is_dead = |entry: &Entry<u32>| {
            entry.timer != ONE_SHOT && {
                let slot = &engine.timers[entry.timer as usize];
                slot.carrier.is_none_or(|carrier| carrier.seq != entry.seq) || !slot.is_armed()
            }
        };
        engine.heap.iter().filter(|entry| is_dead(entry)).count()
    }

    /// Does what the engine must, the obvious way: a list searched for its
    /// earliest entry, cancellation by removal.
    #[derive(Default)]
    struct Reference {
        now: SimTime,
        next_seq: u64,
        /// (time, seq, event, timer)
        queued: Vec<(SimTime, u64, u32, Option<TimerId>)>,
    }

    impl Reference {
        fn push(&mut self, at: SimTime, event: u32, timer: Option<TimerId>) {
            if timer.is_some() {
                self.cancel(timer);
            }
            self.queued.push((at, self.next_seq, event, timer));
            self.next_seq += 1;
        }

        fn cancel(&mut self, timer: Option<TimerId>) {
            self.queued.retain(|entry| entry.3 != timer);
        }

        fn deadline(&self, timer: TimerId) -> Option<SimTime> {
            let entry = self.queued.iter().find(|entry| entry.3 == Some(timer));
            entry.map(|entry| entry.0)
        }

        fn pop_until(&mut self, horizon: SimTime) -> Option<u32> {
            let (index, _) = self
                .queued
                .iter()
                .enumerate()
                .filter(|(_, entry)| entry.0 <= horizon)
                .min_by_key(|(_, entry)| (entry.0, entry.1))?;
            let (at, _, event, _) = self.queued.remove(index);
            self.now = at;
            Some(event)
        }
    }

    /// A random mix of every operation, checked step by step against
    /// [`Reference`]; returns what was delivered, and when.
    fn random_workload(seed: u64, steps: u32) -> Vec<(SimTime, u32)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut engine = Engine::new();
        let mut reference = Reference::default();
        let mut timers: Vec<TimerId> = Vec::new();
        let mut delivered = Vec::new();
        let ns = SimDuration::from_nanos;
        for event in 0..steps {
            let op = rng.random_range(0..100);
            let delay = ns(rng.random_range(0..20));
            let timer = (!timers.is_empty()).then(|| timers[rng.random_range(0..timers.len())]);
            match (op, timer) {
                (0..35, _) => {
                    engine.schedule_in(delay, event);
                    reference.push(reference.now + delay, event, None);
                }
                (35..45, _) => {
                    let at = SimTime::from_nanos(engine.now().as_nanos().saturating_sub(5)) + delay;
                    let result = engine.schedule_at(at, event);
                    if at < reference.now {
                        assert_eq!(
                            result,
                            Err(ScheduleError::InPast {
                                at,
                                now: reference.now
                            })
                        );
                    } else {
                        assert_eq!(result, Ok(()));
                        reference.push(at, event, None);
                    }
                }
                (45..65, Some(timer)) => {
                    engine.set_timer_in(timer, delay, event);
                    reference.push(reference.now + delay, event, Some(timer));
                }
                (65..72, Some(timer)) => {
                    engine.cancel_timer(timer);
                    reference.cancel(Some(timer));
                }
                (72..76, Some(timer)) => {
                    engine.release_timer(timer);
                    reference.cancel(Some(timer));
                    timers.retain(|&t| t != timer);
                }
                (72..82, _) => timers.push(engine.new_timer()),
                _ => {
                    let horizon = engine.now() + ns(rng.random_range(0..10));
                    let got = engine.pop_until(horizon);
                    assert_eq!(got, reference.pop_until(horizon));
                    if let Some(event) = got {
                        delivered.push((engine.now(), event));
                    }
                }
            }
            assert_eq!(engine.now(), reference.now);
            for &timer in &timers {
                assert_eq!(engine.timer_deadline(timer), reference.deadline(timer));
            }
            assert_eq!(engine.stale, dead_entries(&engine));
            assert_eq!(engine.pending() - engine.stale, reference.queued.len());
        }
        while let Some(event) = engine.pop_until(SimTime::MAX) {
            assert_eq!(Some(event), reference.pop_until(SimTime::MAX));
            delivered.push((engine.now(), event));
        }
        assert!(reference.queued.is_empty());
        delivered
    }

    #[test]
    fn matches_a_naive_reference_on_random_workloads() {
        for seed in 0..50 {
            random_workload(seed, 2_000);
        }
    }

    #[test]
    fn same_seed_gives_same_deliveries() {
        let first = random_workload(7, 5_000);
        assert_eq!(first, random_workload(7, 5_000));
        assert_ne!(first, random_workload(8, 5_000));
    }
}
