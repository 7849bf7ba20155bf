//! What every test needs: scenarios from text, runs with a full trace, and
//! the `nines` binary.

use std::process::Command;

use nines::model::{TraceEvent, TraceLevel};
use nines::scenario::Scenario;
use nines::{RunOptions, RunOutput};

pub fn scenario(yaml: &str) -> Scenario {
    nines::scenario::parse(yaml, "test.yaml").unwrap_or_else(|e| panic!("{e}"))
}

pub fn run_traced(scenario: &Scenario, seed: u64) -> RunOutput {
    let options = RunOptions {
        trace: TraceLevel::All,
        ..RunOptions::new(seed)
    };
    nines::run(scenario, &options).unwrap_or_else(|e| panic!("seed {seed}: {e}"))
}

pub fn run(scenario: &Scenario, seed: u64) -> RunOutput {
    nines::run(scenario, &RunOptions::new(seed)).unwrap_or_else(|e| panic!("seed {seed}: {e}"))
}

/// An empty directory of this test process's own.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nines-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// The names of the files in `dir`, sorted.
pub fn file_names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("a readable directory")
        .map(|e| {
            e.expect("readable")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

pub fn nines_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nines"))
}

/// The bundled scenarios, by path.
pub fn bundled_scenarios() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
}

/// A bundled scenario, by file name.
pub fn bundled(name: &str) -> Scenario {
    let path = bundled_scenarios()
        .into_iter()
        .find(|p| p.ends_with(name))
        .unwrap_or_else(|| panic!("{name} is bundled"));
    nines::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Instants, in seconds, of the events matching kind, reason and a name prefix.
pub fn times(trace: &[TraceEvent], kind: &str, reason: &str, name_prefix: &str) -> Vec<f64> {
    trace
        .iter()
        .filter(|e| e.kind == kind && e.reason == reason && e.name.starts_with(name_prefix))
        .map(|e| e.time.as_secs_f64())
        .collect()
}

/// Mean and standard error of the mean of seeded results.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}
