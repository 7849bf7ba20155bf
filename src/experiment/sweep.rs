//! A sweep: the same scenario at every combination of some settings, each
//! point over the same seeds (common random numbers: the differences
//! between points are the settings', not the noise's). Its work is a list
//! of (point, seed) items that can be split into shards, run anywhere, and
//! merged into exactly what one machine would have computed.

use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::report::{FIGURES, FiguresSummary, RunFigures};

/// One varied setting: a dotted path and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimension {
    pub path: String,
    pub values: Vec<String>,
}

/// Everything that decides a sweep's results: two shards merge only if
/// their plans are equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepPlan {
    /// The scenario's name, for titles.
    pub scenario: String,
    pub vary: Vec<Dimension>,
    /// The fixed `--set` changes.
    pub sets: Vec<String>,
    pub first_seed: u64,
    pub seeds: u64,
    /// Every request drawn on its own (`--exact`): a fluid shard and an
    /// exact one do not merge. Absent from shard files written before it.
    #[serde(default)]
    pub exact: bool,
}

impl SweepPlan {
    /// Every combination of the values, the last dimension changing fastest.
    pub fn points(&self) -> Vec<Vec<String>> {
        let mut points = vec![Vec::new()];
        for d in &self.vary {
            points = points
                .into_iter()
                .flat_map(|p| {
                    d.values.iter().map(move |v| {
                        let mut next = p.clone();
                        next.push(v.clone());
                        next
                    })
                })
                .collect();
        }
        points
    }

    /// A point's values as `PATH=VALUE` changes, one per `--vary`, made
    /// after the `--set`s.
    pub fn varied_of(&self, point: &[String]) -> Vec<String> {
        self.vary
            .iter()
            .zip(point)
            .map(|(d, value)| format!("{}={value}", d.path))
            .collect()
    }

    /// Item `k` is the point `k / seeds` run with its `k % seeds`th seed.
    pub fn items(&self) -> usize {
        self.points().len() * self.seeds as usize
    }

    pub fn item(&self, k: usize) -> (usize, u64) {
        let seeds = self.seeds as usize;
        (k / seeds, self.first_seed.wrapping_add((k % seeds) as u64))
    }
}

/// `--shard I/N`: the `I`th of `N` slices, `I` from 0 as Kubernetes'
/// `JOB_COMPLETION_INDEX` counts. Items are dealt round-robin, so that
/// every shard gets its share of the costly points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    pub fn parse(text: &str) -> Result<Shard, String> {
        let expected = || format!("`--shard {text}`: expected I/N with 0 ≤ I < N, e.g. `0/4`");
        let (i, n) = text.split_once('/').ok_or_else(expected)?;
        let index: u32 = i.trim().parse().map_err(|_| expected())?;
        let count: u32 = n.trim().parse().map_err(|_| expected())?;
        if count == 0 || index >= count {
            return Err(expected());
        }
        Ok(Shard { index, count })
    }

    /// The items of `total` that are this shard's, in order.
    pub fn items(self, total: usize) -> impl Iterator<Item = usize> {
        (self.index as usize..total).step_by(self.count as usize)
    }

    /// `shard-I-of-N`, the stem of its files.
    pub fn file_stem(self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }
}

/// A point's settings and its figures over its seeds.
#[derive(Debug, Clone)]
pub struct SweepRow {
    pub values: Vec<String>,
    pub summary: FiguresSummary,
}

/// The rows of a sweep from the figures of every item, in item order.
pub fn rows(plan: &SweepPlan, figures: &[RunFigures]) -> Vec<SweepRow> {
    plan.points()
        .into_iter()
        .zip(figures.chunks(plan.seeds as usize))
        .map(|(values, runs)| SweepRow {
            values,
            summary: FiguresSummary::of(runs),
        })
        .collect()
}

/// `sweep.csv`: a row per point with the varied settings, `runs`, each
/// figure's mean and 95 % interval, and the share of runs that met the SLO.
pub fn write_sweep_csv(plan: &SweepPlan, rows: &[SweepRow], out: impl Write) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let mut header: Vec<String> = plan.vary.iter().map(|d| d.path.clone()).collect();
    header.push("runs".to_string());
    for name in FIGURES {
        header.extend([
            format!("{name}_mean"),
            format!("{name}_ci95_lo"),
            format!("{name}_ci95_hi"),
        ]);
    }
    header.push("slo_probability_met".to_string());
    csv.write_record(&header)?;
    for row in rows {
        let mut record = row.values.clone();
        record.push(row.summary.runs.to_string());
        for s in &row.summary.figures {
            record.extend([
                s.mean.to_string(),
                s.ci95[0].to_string(),
                s.ci95[1].to_string(),
            ]);
        }
        record.push(
            row.summary
                .slo_probability_met
                .map_or(String::new(), |p| p.to_string()),
        );
        csv.write_record(&record)?;
    }
    csv.flush()?;
    Ok(())
}

/// A shard's results: a row per item, `item,point,seed` then the figures.
pub fn write_shard_csv(
    plan: &SweepPlan,
    results: &[(usize, RunFigures)],
    out: impl Write,
) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(
        ["item", "point", "seed"]
            .into_iter()
            .chain(RunFigures::header()),
    )?;
    for (k, figures) in results {
        let (point, seed) = plan.item(*k);
        let mut record = vec![k.to_string(), point.to_string(), seed.to_string()];
        record.extend(figures.record());
        csv.write_record(&record)?;
    }
    csv.flush()?;
    Ok(())
}

/// Reads what [`write_shard_csv`] wrote; an error names the line.
pub fn read_shard_csv(input: impl Read) -> Result<Vec<(usize, RunFigures)>, String> {
    let mut csv = csv::Reader::from_reader(input);
    let mut results = Vec::new();
    for (line, record) in csv.records().enumerate() {
        let line = line + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let fields: Vec<&str> = record.iter().collect();
        let k = fields
            .first()
            .and_then(|k| k.parse().ok())
            .ok_or_else(|| format!("line {line}: `item` is not a number"))?;
        let figures = RunFigures::parse(fields.get(3..).unwrap_or_default())
            .map_err(|e| format!("line {line}: {e}"))?;
        results.push((k, figures));
    }
    Ok(results)
}

/// Why shards do not make a whole sweep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no shard to merge")]
    Empty,
    #[error(
        "{0} was planned differently from {1}: another scenario, --vary, --set, seeds or --exact"
    )]
    DifferentPlans(String, String),
    #[error("{0} is one of {1} shards, {2} one of {3}")]
    DifferentCounts(String, u32, String, u32),
    #[error("shard {0} of {1} is missing")]
    Missing(u32, u32),
    #[error("shard {0} of {1} is given twice")]
    Duplicate(u32, u32),
    #[error("{0}: item {1} is not one of this shard's, or is there twice")]
    StrayItem(String, usize),
    #[error("{0}: {1} items where the plan gives this shard {2}")]
    Incomplete(String, usize, usize),
    #[error("{0}: shard {1} of {2} cannot be: shards are 0 to N - 1")]
    NoSuchShard(String, u32, u32),
}

/// One shard as read back: where it came from, its plan, its results.
pub struct ShardResults {
    pub source: String,
    pub plan: SweepPlan,
    pub shard: Shard,
    pub results: Vec<(usize, RunFigures)>,
}

/// The whole sweep's figures, in item order, from every one of its shards.
pub fn merge(shards: Vec<ShardResults>) -> Result<(SweepPlan, Vec<RunFigures>), MergeError> {
    let first = shards.first().ok_or(MergeError::Empty)?;
    let (plan, count) = (first.plan.clone(), first.shard.count);
    // A set, not a flag per shard: the count comes from a file, and may be anything.
    let mut seen = std::collections::BTreeSet::new();
    for s in &shards {
        if s.shard.index >= s.shard.count {
            return Err(MergeError::NoSuchShard(
                s.source.clone(),
                s.shard.index,
                s.shard.count,
            ));
        }
        if s.plan != plan {
            return Err(MergeError::DifferentPlans(
                s.source.clone(),
                first.source.clone(),
            ));
        }
        if s.shard.count != count {
            return Err(MergeError::DifferentCounts(
                s.source.clone(),
                s.shard.count,
                first.source.clone(),
                count,
            ));
        }
        if !seen.insert(s.shard.index) {
            return Err(MergeError::Duplicate(s.shard.index, count));
        }
    }
    if let Some(missing) = (0..count).find(|i| !seen.contains(i)) {
        return Err(MergeError::Missing(missing, count));
    }
    let total = plan.items();
    let mut figures: Vec<Option<RunFigures>> = vec![None; total];
    for s in shards {
        let expected = s.shard.items(total).count();
        if s.results.len() != expected {
            return Err(MergeError::Incomplete(s.source, s.results.len(), expected));
        }
        for (k, f) in s.results {
            let theirs = k < total && k % count as usize == s.shard.index as usize;
            match figures.get_mut(k) {
                Some(slot @ None) if theirs => *slot = Some(f),
                _ => return Err(MergeError::StrayItem(s.source.clone(), k)),
            }
        }
    }
    let figures = figures
        .into_iter()
        .map(|f| f.expect("every shard complete, every item once"))
        .collect();
    Ok((plan, figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SweepPlan {
        SweepPlan {
            scenario: "s".to_string(),
            vary: vec![
                Dimension {
                    path: "a".to_string(),
                    values: vec!["1".to_string(), "2".to_string()],
                },
                Dimension {
                    path: "b".to_string(),
                    values: vec!["x".to_string(), "y".to_string(), "z".to_string()],
                },
            ],
            sets: Vec::new(),
            first_seed: 10,
            seeds: 4,
            exact: false,
        }
    }

    #[test]
    fn points_are_the_cartesian_product_last_fastest() {
        let p = plan().points();
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec!["1", "x"]);
        assert_eq!(p[1], vec!["1", "y"]);
        assert_eq!(p[5], vec!["2", "z"]);
    }

    #[test]
    fn items_are_points_times_seeds_and_shards_deal_them_round_robin() {
        let plan = plan();
        assert_eq!(plan.items(), 24);
        assert_eq!(plan.item(5), (1, 11));
        let shards: Vec<Vec<usize>> = (0..3)
            .map(|i| Shard { index: i, count: 3 }.items(24).collect())
            .collect();
        assert_eq!(shards[1][..3], [1, 4, 7]);
        let mut all: Vec<usize> = shards.concat();
        all.sort();
        assert_eq!(all, (0..24).collect::<Vec<_>>());
    }

    #[test]
    fn a_shard_is_i_of_n_from_zero() {
        assert_eq!(Shard::parse("2/5"), Ok(Shard { index: 2, count: 5 }));
        assert!(Shard::parse("5/5").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("x").is_err());
    }
}
