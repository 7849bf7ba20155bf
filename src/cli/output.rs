//! Output files are written whole or not at all: to a temporary file beside
//! the target, then renamed over it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::CliError;

pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let (pending, mut out) = PendingFile::create(path)?;
    write(&mut out).map_err(|source| pending.error(source))?;
    pending.commit(out)
}

/// A file being written under a temporary name beside its own: renamed
/// over it by [`PendingFile::commit`], removed if dropped before that, so
/// that a failure at any point, even while a run is still writing into
/// it, leaves no partial file.
pub struct PendingFile {
    path: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl PendingFile {
    pub fn create(path: &Path) -> Result<(PendingFile, BufWriter<File>), CliError> {
        let error = |source| CliError::Write {
            path: path.display().to_string(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file_name = path.file_name().ok_or_else(|| {
            error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file name",
            ))
        })?;
        // Two pending files of one process may have one target (`--trace
        // DIR/events.csv` with `--out DIR`): each writes its own.
        static PENDING: AtomicUsize = AtomicUsize::new(0);
        let tmp = dir.join(format!(
            ".{}.tmp-{}-{}",
            file_name.to_string_lossy(),
            std::process::id(),
            PENDING.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create(&tmp).map_err(error)?;
        let pending = PendingFile {
            path: path.to_path_buf(),
            tmp,
            committed: false,
        };
        Ok((pending, BufWriter::new(file)))
    }

    /// The error of a write to this file, naming it.
    pub fn error(&self, source: std::io::Error) -> CliError {
        CliError::Write {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Flushes `out`, this file's writer, to disk and puts the file in
    /// its place.
    pub fn commit(mut self, mut out: BufWriter<File>) -> Result<(), CliError> {
        let result = (|| {
            out.flush()?;
            out.get_ref().sync_all()?;
            drop(out);
            std::fs::rename(&self.tmp, &self.path)
        })();
        result.map_err(|source| self.error(source))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A file's name in an output directory and its whole contents.
pub type OutputFile = (String, Vec<u8>);

/// Writes every file into `dir` (created if missing), each whole or not at
/// all; files already there that are not among them are left alone.
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<(), CliError> {
    create_dir(dir)?;
    for (name, contents) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        write_atomically(&path, |out| out.write_all(contents))?;
    }
    Ok(())
}

/// Creates the directory and its parents where missing.
fn create_dir(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.display().to_string(),
        source,
    })
}

/// An output directory the command made: removed again, if still empty,
/// should the command fail before [`NewDir::keep`], so that a failed run
/// leaves no trace of its own (its events were written into the directory
/// as it ran, under temporary names, and are gone).
pub struct NewDir {
    made: Option<PathBuf>,
}

impl NewDir {
    pub fn create(dir: &Path) -> Result<NewDir, CliError> {
        let made = (!dir.exists()).then(|| dir.to_path_buf());
        create_dir(dir)?;
        Ok(NewDir { made })
    }

    pub fn keep(mut self) {
        self.made = None;
    }
}

impl Drop for NewDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.made {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// A chart's two files: `NAME.svg` and `NAME.png`.
pub fn chart_files(chart: nines::report::charts::RenderedChart) -> [OutputFile; 2] {
    [
        (format!("{}.svg", chart.name), chart.svg.into_bytes()),
        (format!("{}.png", chart.name), chart.png),
    ]
}

/// A CSV writer into memory fails only as a bug would.
pub fn in_memory(e: csv::Error) -> CliError {
    CliError::Write {
        path: "(memory)".to_string(),
        source: std::io::Error::other(e),
    }
}
