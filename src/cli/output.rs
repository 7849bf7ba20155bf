//! Output files are written whole or not at all: to a temporary file beside
//! the target, then renamed over it.

use std::io::Write;
use std::path::Path;

use super::CliError;

pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), CliError> {
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
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut out)?;
        out.flush()?;
        out.get_ref().sync_all()?;
        drop(out);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(error(e));
    }
    Ok(())
}

/// A file's name in an output directory and its whole contents.
pub type OutputFile = (String, Vec<u8>);

/// Writes every file into `dir` (created if missing), each whole or not at
/// all; files already there that are not among them are left alone.
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
        path: dir.display().to_string(),
        source,
    })?;
    for (name, contents) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CliError::Write {
                path: parent.display().to_string(),
                source,
            })?;
        }
        write_atomically(&path, |out| out.write_all(contents))?;
    }
    Ok(())
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
