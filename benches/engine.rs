//! The hold (PHOLD) loop of DESIGN.md's performance table: N events pending,
//! each delivery schedules one more at an exponential delay (mean 1 s), so
//! the queue stays at N and every delivery costs one pop and one push.
//!
//! `baseline` is the bare `BinaryHeap` loop; `engine` is the real engine where
//! every fourth held event also sets one of N/10 timers at an exponential
//! delay, so that timers are cancelled, pushed back and brought forward as in
//! a model. A timer's firing counts as a delivery and schedules nothing.
//! The target is `engine` at 0.8x `baseline` or better, in the same run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nines::sim::{Engine, RngStreams, SimDuration, SimTime, Stream, TimerId};
use rand_distr::{Distribution, Exp};

/// Deliveries per measured iteration: enough to cycle a 100,000-event queue.
const DELIVERIES: u64 = 100_000;

/// Tells a timer's firing from a held event, which carries its own index.
const TIMER_FIRED: u32 = u32::MAX;

/// The same draws for both loops: one ChaCha8 stream, Exp(mean 1 s) in
/// nanoseconds.
struct Delays {
    rng: Stream,
    exp: Exp<f64>,
}

impl Delays {
    fn new() -> Self {
        Delays {
            rng: RngStreams::new(42).stream("bench/hold"),
            exp: Exp::new(1e-9).expect("a positive rate"),
        }
    }

    fn next_ns(&mut self) -> u64 {
        self.exp.sample(&mut self.rng) as u64
    }
}

struct Baseline {
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    seq: u64,
    delays: Delays,
}

impl Baseline {
    fn new(pending: usize) -> Self {
        let mut hold = Baseline {
            heap: BinaryHeap::with_capacity(pending + 1),
            seq: 0,
            delays: Delays::new(),
        };
        for _ in 0..pending {
            hold.push(0);
        }
        hold
    }

    fn push(&mut self, now: u64) {
        let at = now.saturating_add(self.delays.next_ns());
        self.heap.push(Reverse((at, self.seq)));
        self.seq += 1;
    }

    fn deliver(&mut self) {
        let Reverse((now, _)) = self.heap.pop().expect("the hold loop never empties");
        self.push(now);
    }
}

struct EngineHold {
    engine: Engine<u32>,
    timers: Vec<TimerId>,
    held: u64,
    delays: Delays,
}

impl EngineHold {
    fn new(pending: usize) -> Self {
        let mut engine = Engine::new();
        let mut delays = Delays::new();
        for id in 0..pending as u32 {
            engine.schedule_in(SimDuration::from_nanos(delays.next_ns()), id);
        }
        let timers = (0..pending / 10).map(|_| engine.new_timer()).collect();
        EngineHold {
            engine,
            timers,
            held: 0,
            delays,
        }
    }

    fn deliver(&mut self) {
        let event = self
            .engine
            .pop_until(SimTime::MAX)
            .expect("the hold loop never empties");
        if event == TIMER_FIRED {
            return;
        }
        let delay = SimDuration::from_nanos(self.delays.next_ns());
        self.engine.schedule_in(delay, event);
        self.held += 1;
        if self.held.is_multiple_of(4) {
            let timer = self.timers[(self.held / 4) as usize % self.timers.len()];
            let delay = SimDuration::from_nanos(self.delays.next_ns());
            self.engine.set_timer_in(timer, delay, TIMER_FIRED);
        }
    }
}

fn hold(c: &mut Criterion) {
    for pending in [1_000, 100_000] {
        let mut group = c.benchmark_group(format!("hold/{pending}"));
        group.throughput(Throughput::Elements(DELIVERIES));

        let mut baseline = Baseline::new(pending);
        group.bench_function("baseline", |b| {
            b.iter(|| {
                for _ in 0..DELIVERIES {
                    baseline.deliver();
                }
                black_box(baseline.heap.len())
            })
        });

        let mut engine = EngineHold::new(pending);
        group.bench_function("engine", |b| {
            b.iter(|| {
                for _ in 0..DELIVERIES {
                    engine.deliver();
                }
                black_box(engine.engine.pending())
            })
        });

        group.finish();
    }
}

// Criterion's charts are off: it draws them with plotters, which this crate
// builds with `ab_glyph` and no system font, so they would fail.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = hold
}
criterion_main!(benches);
