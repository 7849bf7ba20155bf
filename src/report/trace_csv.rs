//! The trace as CSV, like `kubectl get events`: `time_s,kind,name,reason,message`.

use crate::model::TraceEvent;

pub fn write_trace_csv<W: std::io::Write>(events: &[TraceEvent], out: W) -> Result<(), csv::Error> {
    let mut w = TraceCsvWriter::new(out)?;
    for e in events {
        w.write(e)?;
    }
    w.finish()?;
    Ok(())
}

/// The trace written an event at a time, as the run makes it: a year's is
/// millions of rows, which need not all be held in memory to be written.
pub struct TraceCsvWriter<W: std::io::Write> {
    csv: csv::Writer<W>,
}

impl<W: std::io::Write> TraceCsvWriter<W> {
    /// Writes the header.
    pub fn new(out: W) -> Result<Self, csv::Error> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(["time_s", "kind", "name", "reason", "message"])?;
        Ok(TraceCsvWriter { csv })
    }

    pub fn write(&mut self, e: &TraceEvent) -> Result<(), csv::Error> {
        self.csv.write_record([
            // Exact: the nanosecond clock written as decimal seconds.
            e.time.to_string().trim_end_matches('s'),
            e.kind,
            &e.name,
            e.reason,
            &e.message,
        ])
    }

    /// Flushes the rows and gives the output back.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.csv
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}
