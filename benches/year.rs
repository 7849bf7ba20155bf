//! DESIGN.md's performance target: one simulated year of a 100-node,
//! 1,000-pod cluster with stochastic node and pod failures, HPAs, a daily
//! rollout of every workload and diurnal traffic
//! (`scenarios/year-100-nodes.yaml`) in under 1 s per seed in fluid mode.
//!
//! Each iteration is one whole run at the scenario's own seed, as `nines run`
//! does it (fluid traffic, key events only). The throughput is the run's
//! events per second, counted by a first run outside the measurement.
//!
//! A run takes seconds, so the samples are flat (one run each) rather than
//! criterion's default linear series, which would need 55 runs for ten
//! samples.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use nines::RunOptions;
fn year(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/year-100-nodes.yaml");
    let scenario = nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions::new(scenario.seed.unwrap_or(1));
    let events = nines::run(&scenario, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .report
        .events;

    let mut group = c.benchmark_group("year");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(events));
    group.bench_function("100-nodes", |b| {
        b.iter(|| {
            nines::run(black_box(&scenario), &options)
                .expect("ran once already")
                .report
                .events
        })
    });
    group.finish();
}

// Criterion's charts are off: it draws them with plotters, which this crate
// builds with `ab_glyph` and no system font, so they would fail.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = year
}
criterion_main!(benches);
