//! Many runs in parallel. Seed `i` of a batch is `base + i`; the runs go
//! to `jobs` threads, each taking the next index, and the results are
//! collected by index, so the output is the same for any number of jobs.

mod summary;
pub mod sweep;

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
    run_seeds_keeping(scenario, base, runs, jobs, options, progress, |o| o)
}

/// [`run_seeds`], keeping of each output only what `keep` takes from it as
/// the run ends: many seeds then hold their reports, not their traces.
pub fn run_seeds_keeping<T: Send>(
    scenario: &Scenario,
    base: u64,
    runs: usize,
    jobs: usize,
    options: &RunOptions,
    progress: &(dyn Fn(usize) + Sync),
    keep: impl Fn(RunOutput) -> T + Sync,
) -> Result<Vec<T>, SimError> {
    map_parallel(runs, jobs, progress, |i| {
        let options = RunOptions {
            seed: base.wrapping_add(i as u64),
            ..options.clone()
        };
        run(scenario, &options).map(&keep)
    })
}

/// `work(0) .. work(n − 1)` on `jobs` threads, the results in index order;
/// `progress` hears how many are done after each. The first error, by
/// index, wins.
pub fn map_parallel<T: Send, E: Send>(
    n: usize,
    jobs: usize,
    progress: &(dyn Fn(usize) + Sync),
    work: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<T, E>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let result = work(i);
                    *slots[i].lock().expect("no work panics") = Some(result);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("no work panics")
                .expect("every index was run")
        })
        .collect()
}
