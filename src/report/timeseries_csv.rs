//! The state over time as CSV, a row per sample and workload (tidy, for a
//! spreadsheet's pivot or a dataframe): `time_s,workload,serving,endpoints,
//! desired,request_rate,error_rate,cpu_cores,memory_mib,nodes_ready,api_writable`.

use std::fmt::Write;

use crate::metrics::Sample;

const MIB: f64 = (1 << 20) as f64;

/// The rows written a sample at a time, as the run makes them: a year's
/// are over half a gigabyte, which need not be held to be written.
pub struct TimeseriesCsvWriter<W: std::io::Write> {
    csv: csv::Writer<W>,
    workloads: Vec<String>,
    /// Where each number is formatted: a year's rows are 8 million, and a
    /// string made for each of their numbers was most of their cost.
    field: String,
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
        Ok(TimeseriesCsvWriter {
            csv,
            workloads,
            field: String::new(),
        })
    }

    /// A row per workload.
    pub fn write(&mut self, s: &Sample) -> Result<(), csv::Error> {
        let time = s.time.to_string();
        let time = time.trim_end_matches('s');
        let api_writable = if s.api_writable { "true" } else { "false" };
        for (name, ws) in self.workloads.iter().zip(&s.workloads) {
            let (csv, field) = (&mut self.csv, &mut self.field);
            csv.write_field(time)?;
            csv.write_field(name)?;
            for count in [ws.serving, ws.endpoints, ws.desired] {
                csv.write_field(formatted(field, count))?;
            }
            for x in [
                ws.request_rate,
                ws.error_rate,
                ws.cpu_cores,
                ws.memory_bytes / MIB,
            ] {
                csv.write_field(rounded(field, x))?;
            }
            csv.write_field(formatted(field, s.nodes_ready))?;
            csv.write_field(api_writable)?;
            csv.write_record(None::<&[u8]>)?;
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

fn formatted(field: &mut String, x: u32) -> &str {
    field.clear();
    write!(field, "{x}").expect("a String takes any write");
    field
}

/// Six decimals: a millionth of a request per second, of a core or of a
/// MiB is below anything a chart or a reader resolves.
fn rounded(field: &mut String, x: f64) -> &str {
    field.clear();
    write!(field, "{x:.6}").expect("a String takes any write");
    let kept = field.trim_end_matches('0').trim_end_matches('.').len();
    field.truncate(kept);
    if field == "-0" {
        field.replace_range(.., "0");
    }
    field
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

    #[test]
    fn six_decimals_without_trailing_zeros_and_no_negative_zero() {
        let mut field = String::new();
        assert_eq!(rounded(&mut field, 2.5), "2.5");
        assert_eq!(rounded(&mut field, 100.0), "100");
        assert_eq!(rounded(&mut field, 1e-7), "0");
        assert_eq!(rounded(&mut field, -1e-7), "0");
        assert_eq!(rounded(&mut field, -0.25), "-0.25");
        assert_eq!(rounded(&mut field, 0.1234567), "0.123457");
    }
}
