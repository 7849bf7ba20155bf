//! Many seeds of one scenario. Seed `i` of a batch is `base + i`; the runs
//! go to `jobs` threads, each taking the next index, and the results are
//! collected by index, so the output is the same for any number of jobs.

mod summary;

pub use summary::Summary;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::run::{RunOptions, RunOutput, run};
use crate::scenario::Scenario;
use crate::sim::SimError;

/// Runs `runs` seeds from `base` on `jobs` threads; the outputs are in seed
/// order. The first error, by seed order, wins.
pub fn run_seeds(
    scenario: &Scenario,
    base: u64,
    runs: usize,
    jobs: usize,
    options: &RunOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<RunOutput>, SimError> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<RunOutput, SimError>>>> =
        (0..runs).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, runs.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= runs {
                        break;
                    }
                    let options = RunOptions {
                        seed: base.wrapping_add(i as u64),
                        ..options.clone()
                    };
                    let result = run(scenario, &options);
                    *slots[i].lock().expect("no run panics") = Some(result);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("no run panics")
                .expect("every index was run")
        })
        .collect()
}
