//! The figures of one run that many seeds are summarised from, as a CSV
//! record: `runs.csv` has one per seed, a sweep's shard files one per point
//! and seed. Numbers are written in Rust's shortest form that reads back to
//! the same `f64`, so summaries made from a file equal those made in memory
//! bit for bit, which is what lets `nines merge` reproduce a sweep exactly.

use super::Report;
use crate::experiment::Summary;

#[derive(Debug, Clone, PartialEq)]
pub struct RunFigures {
    /// In the order of [`FIGURES`].
    pub values: [f64; FIGURES.len()],
    /// Whether every SLO check passed; `None` without an SLO.
    pub slo_passed: Option<bool>,
}

/// The figures' names, in the order of a record, `slo_passed` last. `nodes`
/// and `replicas` are time-weighted means: what the run's availability cost.
pub const FIGURES: [&str; 11] = [
    "request_availability",
    "uptime",
    "nines_requests",
    "nines_time",
    "failed_requests",
    "dropped_in_flight",
    "downtime_s",
    "incidents",
    "longest_outage_s",
    "nodes",
    "replicas",
];

impl RunFigures {
    pub fn of(r: &Report) -> RunFigures {
        RunFigures {
            values: [
                r.availability.requests,
                r.availability.time,
                r.nines.requests,
                r.nines.time,
                r.requests.failed as f64,
                r.requests.dropped_in_flight as f64,
                r.downtime_s,
                r.incidents.len() as f64,
                r.longest_outage_s(),
                r.capacity.nodes,
                r.capacity.replicas,
            ],
            slo_passed: r.slo.as_ref().map(|s| s.passed),
        }
    }

    /// The CSV header of a record, after any leading columns of the caller.
    pub fn header() -> impl Iterator<Item = &'static str> {
        FIGURES.into_iter().chain(["slo_passed"])
    }

    pub fn record(&self) -> Vec<String> {
        self.values
            .iter()
            .map(f64::to_string)
            .chain([self.slo_passed.map_or(String::new(), |p| p.to_string())])
            .collect()
    }

    /// Reads back what [`RunFigures::record`] wrote; the error names the
    /// column.
    pub fn parse(fields: &[&str]) -> Result<RunFigures, String> {
        if fields.len() != FIGURES.len() + 1 {
            return Err(format!(
                "{} figure columns where {} were expected",
                fields.len(),
                FIGURES.len() + 1
            ));
        }
        let mut values = [0.0; FIGURES.len()];
        for ((value, name), field) in values.iter_mut().zip(FIGURES).zip(fields) {
            // A run's figures are finite; anything else is a damaged file.
            *value = field
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("`{name}` is `{field}`, not a finite number"))?;
        }
        let slo_passed = match fields[FIGURES.len()] {
            "" => None,
            "true" => Some(true),
            "false" => Some(false),
            other => return Err(format!("`slo_passed` is `{other}`, not true or false")),
        };
        Ok(RunFigures { values, slo_passed })
    }
}

/// Each figure's [`Summary`] over runs, and the share that met the SLO.
#[derive(Debug, Clone)]
pub struct FiguresSummary {
    pub runs: usize,
    /// In the order of [`FIGURES`].
    pub figures: Vec<Summary>,
    pub slo_probability_met: Option<f64>,
}

impl FiguresSummary {
    /// `runs` in seed order.
    pub fn of(runs: &[RunFigures]) -> FiguresSummary {
        let figures = (0..FIGURES.len())
            .map(|i| {
                let values: Vec<f64> = runs.iter().map(|r| r.values[i]).collect();
                Summary::of(&values)
            })
            .collect();
        let with_slo = runs.iter().filter(|r| r.slo_passed.is_some()).count();
        FiguresSummary {
            runs: runs.len(),
            figures,
            slo_probability_met: (with_slo > 0).then(|| {
                runs.iter().filter(|r| r.slo_passed == Some(true)).count() as f64
                    / runs.len() as f64
            }),
        }
    }

    pub fn get(&self, figure: &str) -> &Summary {
        let i = FIGURES
            .iter()
            .position(|f| *f == figure)
            .expect("a figure of FIGURES");
        &self.figures[i]
    }
}

/// `runs.csv`: a row per seed.
pub fn write_runs_csv<W: std::io::Write>(reports: &[Report], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["seed"].into_iter().chain(RunFigures::header()))?;
    for r in reports {
        let mut record = vec![r.seed.to_string()];
        record.extend(RunFigures::of(r).record());
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_bit_for_bit() {
        let f = RunFigures {
            values: [
                0.999_123_456_789_012_3,
                1.0 - 1e-17,
                3.058_1,
                f64::MIN_POSITIVE,
                1234.0,
                0.0,
                45.533_000_001,
                2.0,
                40.1,
                3.0,
                7.25,
            ],
            slo_passed: Some(false),
        };
        let record = f.record();
        let fields: Vec<&str> = record.iter().map(String::as_str).collect();
        assert_eq!(RunFigures::parse(&fields), Ok(f));
    }

    #[test]
    fn a_bad_field_is_named() {
        let mut fields = vec!["1"; 11];
        fields[3] = "x";
        fields.push("");
        let e = RunFigures::parse(&fields).unwrap_err();
        assert!(e.contains("nines_time"), "{e}");
    }
}
