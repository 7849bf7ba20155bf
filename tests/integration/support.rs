//! What every test needs: scenarios from text, runs with a full trace, and
//! the `nines` binary.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Every file under `dir`, at any depth, by its path relative to `dir`,
/// in order.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a directory") {
            let path = entry.expect("readable").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).expect("under dir").to_path_buf());
            }
        }
    }
    files.sort();
    files
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

/// Instants, in seconds, at which a kube-controller-manager replica
/// became leader.
pub fn controller_manager_elections(trace: &[TraceEvent]) -> Vec<f64> {
    times(trace, "Lease", "LeaderElection", "kube-controller-manager")
}

/// Mean and standard error of the mean of seeded results.
pub fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// A scenario file in the temp directory, removed when dropped.
pub struct TempFile {
    pub path: PathBuf,
}

impl TempFile {
    pub fn new(test: &str, text: impl AsRef<[u8]>) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("nines-test-{test}-{}.yaml", std::process::id()));
        std::fs::write(&path, text).expect("write the scenario");
        TempFile { path }
    }

    pub fn name(&self) -> String {
        self.path.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A directory in the temp directory, removed with its contents when dropped.
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new(test: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("nines-test-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the temp dir");
        TempDir { path }
    }

    pub fn entries(&self) -> Vec<String> {
        file_names(&self.path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub command: String,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn nines<S: AsRef<OsStr>>(args: &[S]) -> Outcome {
    let output = nines_bin().args(args).output().expect("run nines");
    Outcome {
        command: args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Outcome {
    /// Exit code 2, nothing on stdout, no panic, and each of `needles` on stderr.
    pub fn bad_input(&self, needles: &[&str]) -> &Self {
        assert!(
            !self.stderr.contains("panicked"),
            "`nines {}` panicked:\n{}",
            self.command,
            self.stderr
        );
        assert_eq!(
            self.code,
            Some(2),
            "`nines {}` should exit 2 for bad input\nstderr:\n{}",
            self.command,
            self.stderr
        );
        assert!(
            self.stdout.is_empty(),
            "`nines {}` printed on stdout for bad input:\n{}",
            self.command,
            self.stdout
        );
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "`nines {}`: stderr lacks `{needle}`:\n{}",
                self.command,
                self.stderr
            );
        }
        self
    }
}

/// Runs `nines` with its address space capped at 2 GiB and a wall-clock
/// deadline, so that a missing limit fails the test instead of the machine.
#[cfg(unix)]
pub fn nines_bounded(test: &str, args: &[&OsStr], deadline: Duration) -> Outcome {
    let out = TempFile::new(&format!("{test}-stdout"), "");
    let err = TempFile::new(&format!("{test}-stderr"), "");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 2097152; exec "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_nines"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out.path).expect("create"))
        .stderr(std::fs::File::create(&err.path).expect("create"))
        .spawn()
        .expect("run nines");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let outcome = Outcome {
        command: args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        code: status.and_then(|s| s.code()),
        stdout: std::fs::read_to_string(&out.path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err.path).unwrap_or_default(),
    };
    assert!(
        status.is_some(),
        "`nines {}` still running after {deadline:?}",
        outcome.command
    );
    outcome
}
