//! The state over time as CSV, a row per sample and workload (tidy, for a
//! spreadsheet's pivot or a dataframe): `time_s,workload,serving,endpoints,
//! desired,request_rate,error_rate,cpu_cores,memory_mib,nodes_ready,api_writable`.

use crate::metrics::Sample;

const MIB: f64 = (1 << 20) as f64;

pub fn write_timeseries_csv<W: std::io::Write>(
    workloads: &[String],
    samples: &[Sample],
    out: W,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
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
    for s in samples {
        let time = s.time.to_string();
        let time = time.trim_end_matches('s');
        for (name, ws) in workloads.iter().zip(&s.workloads) {
            w.write_record([
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
    }
    w.flush()?;
    Ok(())
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
        let mut out = Vec::new();
        write_timeseries_csv(&["web".to_string()], &[sample], &mut out).expect("in memory");
        let text = String::from_utf8(out).expect("utf-8");
        let row = text.lines().nth(1).expect("a row");
        assert_eq!(row, "1.5,web,2,3,3,100,33.333333,0.25,200,3,true");
    }
}
