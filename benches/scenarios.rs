//! Every bundled scenario, run whole at its own seed as `nines run` runs it
//! (fluid traffic, key events only): what a user waits for, less the process
//! start, the parsing and the printing. A change to the model that makes any
//! story dearer shows here, per scenario; the throughput is the scenario's
//! events per second.
//!
//! The year scenario has a bench of its own (`benches/year.rs`): one of its
//! runs takes longer than all the others together.
//!
//! Each run takes milliseconds, so ten samples of one second's measurement
//! after a second's warm-up suffice and the bench runs in about a minute;
//! `--warm-up-time` and `--measurement-time` override these. Criterion's
//! charts are left out: drawing them would take twice as long as measuring.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nines::RunOptions;

/// Benched apart, in `benches/year.rs`.
const YEAR: &str = "year-100-nodes.yaml";

/// The bundled scenarios but the year, in file-name order.
fn bundled() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with(YEAR))
        .collect();
    paths.sort();
    paths
}

fn scenarios(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenarios");
    group.sample_size(10);
    for path in bundled() {
        let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let options = RunOptions::new(scenario.seed.unwrap_or(1));
        let events = nines::run(&scenario, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .report
            .events;
        group.throughput(Throughput::Elements(events));
        let name = path.file_stem().expect("a file name").to_string_lossy();
        group.bench_function(name.as_ref(), |b| {
            b.iter(|| {
                nines::run(black_box(&scenario), &options)
                    .expect("ran once already")
                    .report
                    .events
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(1))
        .without_plots();
    targets = scenarios
}
criterion_main!(benches);
