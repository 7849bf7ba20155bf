//! A figure over many seeds: its mean with a 95 % confidence interval, its
//! percentiles and its range. Each seed is one independent sample, so the
//! interval is Student's t on the sample mean: mean ± t(0.975, n − 1) × s/√n.
//! For an availability that is the interval of the mean availability over
//! runs like these, not of one run's.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub mean: f64,
    /// The 95 % confidence interval of the mean; a single run's value twice
    /// when there is one run, and the mean twice when every run agrees.
    pub ci95: [f64; 2],
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// `values` in seed order; empty gives zeros.
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        if n == 0 {
            return Summary::constant(0.0);
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let half_width = if n > 1 {
            let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
                .map(|d| d.inverse_cdf(0.975))
                .unwrap_or(f64::INFINITY);
            t * (variance / n as f64).sqrt()
        } else {
            0.0
        };
        Summary {
            mean,
            ci95: [mean - half_width, mean + half_width],
            p5: percentile(&sorted, 0.05),
            p50: percentile(&sorted, 0.50),
            p95: percentile(&sorted, 0.95),
            min: sorted[0],
            max: sorted[n - 1],
        }
    }

    fn constant(v: f64) -> Summary {
        Summary {
            mean: v,
            ci95: [v, v],
            p5: v,
            p50: v,
            p95: v,
            min: v,
            max: v,
        }
    }
}

/// The `q` quantile of sorted values, interpolating linearly between ranks
/// (the "type 7" definition of R and NumPy).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_is_students_t_on_the_mean() {
        // 1..=5: mean 3, s = √2.5, t(0.975, 4) = 2.7764451.
        let s = Summary::of(&[3.0, 1.0, 4.0, 5.0, 2.0]);
        assert_eq!(s.mean, 3.0);
        let half = 2.776_445_105_197_8 * (2.5_f64 / 5.0).sqrt();
        assert!((s.ci95[0] - (3.0 - half)).abs() < 1e-9);
        assert!((s.ci95[1] - (3.0 + half)).abs() < 1e-9);
        assert_eq!((s.min, s.p50, s.max), (1.0, 3.0, 5.0));
        assert!((s.p5 - 1.2).abs() < 1e-12 && (s.p95 - 4.8).abs() < 1e-12);
    }

    #[test]
    fn one_run_or_identical_runs_have_no_width() {
        assert_eq!(Summary::of(&[7.0]).ci95, [7.0, 7.0]);
        assert_eq!(Summary::of(&[2.0, 2.0, 2.0]).ci95, [2.0, 2.0]);
    }
}
