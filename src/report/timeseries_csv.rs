//! The state over time as CSV, a row per sample and workload (tidy, for a
//! spreadsheet's pivot or a dataframe): `time_s,workload,serving,endpoints,
//! desired,request_rate,error_rate,cpu_cores,memory_mib,nodes_ready,api_writable`.

use crate::metrics::Sample;

const MIB: f64 = (1 << 20) as f64;

/// The rows written a sample at a time, as the run makes them: a year's
/// are over half a gigabyte, which need not be held to be written.
pub struct TimeseriesCsvWriter<W: std::io::Write> {
    csv: csv::Writer<W>,
    workloads: Vec<String>,
}

impl<W: std::io::Write> TimeseriesCsvWriter<W> {
    /// Writes the header; `workloads` names the samples' workloads in order.
    pub fn new(workloads: Vec<String>, out: W) -> Result<Self, csv::Error> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record([
            "time_s",
            "workload",
            "serving",
            "endpoints",
            "desired",
            "request_rate",
            "error_rate",
            "cpu_cores",
            "memory_mib",
            "nodes_ready",
            "api_writable",
        ])?;
        Ok(TimeseriesCsvWriter { csv, workloads })
    }

    /// A row per workload.
    pub fn write(&mut self, s: &Sample) -> Result<(), csv::Error> {
        let time = s.time.to_string();
        let time = time.trim_end_matches('s');
        for (name, ws) in self.workloads.iter().zip(&s.workloads) {
            self.csv.write_record([
                time,
                name,
                &ws.serving.to_string(),
                &ws.endpoints.to_string(),
                &ws.desired.to_string(),
                &round(ws.request_rate),
                &round(ws.error_rate),
                &round(ws.cpu_cores),
                &round(ws.memory_bytes / MIB),
                &s.nodes_ready.to_string(),
                if s.api_writable { "true" } else { "false" },
            ])?;
        }
        Ok(())
    }

    /// Flushes the rows and gives the output back.
    pub fn finish(self) -> Result<W, csv::Error> {
        self.csv
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Six decimals: a millionth of a request per second, of a core or of a
/// MiB is below anything a chart or a reader resolves.
fn round(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::WorkloadSample;
    use crate::sim::SimTime;

    #[test]
    fn a_row_per_sample_and_workload() {
        let sample = Sample {
            time: SimTime::from_nanos(1_500_000_000),
            nodes_ready: 3,
            api_writable: true,
            workloads: vec![WorkloadSample {
                serving: 2,
                endpoints: 3,
                desired: 3,
                request_rate: 100.0,
                error_rate: 100.0 / 3.0,
                cpu_cores: 0.25,
                memory_bytes: 200.0 * MIB,
            }],
        };
        let mut writer = TimeseriesCsvWriter::new(vec!["web".to_string()], Vec::new()).unwrap();
        writer.write(&sample).expect("in memory");
        let text = String::from_utf8(writer.finish().unwrap()).expect("utf-8");
        let row = text.lines().nth(1).expect("a row");
        assert_eq!(row, "1.5,web,2,3,3,100,33.333333,0.25,200,3,true");
    }
}
