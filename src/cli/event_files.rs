//! A run's events written to CSV as the run makes them (`--trace FILE`,
//! and `events.csv` under `--out`): a year's trace is millions of events,
//! over a gigabyte held in memory until the end when it was written from
//! a list.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use nines::model::{EventSink, TraceEvent};
use nines::report::TraceCsvWriter;

use super::CliError;
use super::output::PendingFile;

/// Each file under its temporary name until [`EventFiles::commit`]; a
/// failure to write stops the writing and is reported there, and dropping
/// them uncommitted (the run failed) removes them.
#[derive(Default)]
pub struct EventFiles {
    files: Vec<(PendingFile, TraceCsvWriter<BufWriter<File>>)>,
    error: Option<CliError>,
}

impl EventFiles {
    /// Writes the events to `path` too, starting with the header.
    pub fn add(&mut self, path: &Path) -> Result<(), CliError> {
        let (pending, out) = PendingFile::create(path)?;
        let writer = TraceCsvWriter::new(out).map_err(|e| pending.error(e.into()))?;
        self.files.push((pending, writer));
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Puts every file in its place, or reports the first write that failed.
    pub fn commit(self) -> Result<(), CliError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        for (pending, writer) in self.files {
            let out = writer.finish().map_err(|e| pending.error(e.into()))?;
            pending.commit(out)?;
        }
        Ok(())
    }
}

impl EventSink for EventFiles {
    fn event(&mut self, event: &TraceEvent) {
        if self.error.is_some() {
            return;
        }
        for (pending, writer) in &mut self.files {
            if let Err(e) = writer.write(event) {
                self.error = Some(pending.error(e.into()));
                return;
            }
        }
    }
}
