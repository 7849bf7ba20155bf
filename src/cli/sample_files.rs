//! `--out`'s samples, taken as the run makes them: written to
//! `timeseries.csv` and reduced to what the charts draw. A year's are some
//! 850,000, half a gigabyte when they were kept to the end.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use nines::metrics::{Sample, SampleSink};
use nines::report::TimeseriesCsvWriter;
use nines::report::charts::ChartSamples;

use super::CliError;
use super::output::PendingFile;

/// `timeseries.csv` under its temporary name until the caller commits it;
/// a failure to write stops the writing and is reported by
/// [`SampleFiles::finish`], and dropping it (the run failed) removes it.
pub struct SampleFiles {
    csv: (PendingFile, TimeseriesCsvWriter<BufWriter<File>>),
    charts: ChartSamples,
    error: Option<CliError>,
}

impl SampleFiles {
    /// Writes the samples of `workloads` (named in order) to `path`,
    /// starting with the header, and gathers the charts of a run of
    /// `duration_s` seconds.
    pub fn create(path: &Path, workloads: Vec<String>, duration_s: f64) -> Result<Self, CliError> {
        let (pending, out) = PendingFile::create(path)?;
        let count = workloads.len();
        let writer =
            TimeseriesCsvWriter::new(workloads, out).map_err(|e| pending.error(e.into()))?;
        Ok(SampleFiles {
            csv: (pending, writer),
            charts: ChartSamples::new(duration_s, count),
            error: None,
        })
    }

    /// The charts' series, and the file still to be committed; or the
    /// first write that failed.
    pub fn finish(self) -> Result<(ChartSamples, PendingFile, BufWriter<File>), CliError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let (pending, writer) = self.csv;
        let out = writer.finish().map_err(|e| pending.error(e.into()))?;
        Ok((self.charts, pending, out))
    }
}

impl SampleSink for SampleFiles {
    fn sample(&mut self, sample: &Sample) {
        self.charts.sample(sample);
        if self.error.is_some() {
            return;
        }
        let (pending, writer) = &mut self.csv;
        if let Err(e) = writer.write(sample) {
            self.error = Some(pending.error(e.into()));
        }
    }
}
