//! The trace as CSV, like `kubectl get events`: `time_s,kind,name,reason,message`.

use crate::model::TraceEvent;

pub fn write_trace_csv<W: std::io::Write>(events: &[TraceEvent], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["time_s", "kind", "name", "reason", "message"])?;
    for e in events {
        w.write_record([
            // Exact: the nanosecond clock written as decimal seconds.
            e.time.to_string().trim_end_matches('s'),
            e.kind,
            &e.name,
            e.reason,
            &e.message,
        ])?;
    }
    w.flush()?;
    Ok(())
}
