//! Over many seeds: how the downtime of one run is distributed, with its
//! mean and the mean's 95 % interval.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{LIGHT_GRID, series};
use super::time_axis::{count_tick, tick};
use super::{Chart, Drawn, draw_series_labels, font};
use crate::experiment::Summary;

/// Bins across the runs' spread: about √n, but no fewer than this, so
/// that a few runs fall in bins of their own and their spread shows.
const LEAST_BINS: usize = 10;

/// Bins across the runs' spread at most: a thousand runs get 32.
const MOST_BINS: usize = 40;

/// Bins on the whole axis at most, however wide the mean's interval of a
/// few runs is beside their spread.
const MOST_AXIS_BINS: i64 = 200;

/// The least spread the bins divide, in seconds: runs that agree to the
/// tenth of a second the legend prints (every run at 0 s, say) get one bar
/// a tenth of a second wide, not bins of nanoseconds.
const LEAST_SPREAD_S: f64 = 1.0;

pub struct DowntimeHistogram {
    title: String,
    /// Seconds down per run, the scenario as a whole.
    downtime_s: Vec<f64>,
}

impl DowntimeHistogram {
    pub fn new(scenario: &str, downtime_s: Vec<f64>) -> Self {
        DowntimeHistogram {
            title: format!("{scenario}: downtime over {} seeds", downtime_s.len()),
            downtime_s,
        }
    }
}

/// The histogram's bins, `count` of `width` seconds, the first starting at
/// `first × width`: edges at multiples of a round width, so that ticks and
/// bars line up.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bins {
    first: i64,
    width: f64,
    count: usize,
}

impl Bins {
    /// Bins over the runs' values and the mean's interval `ci95`, with a
    /// bin to spare on each side (none below 0 s) and at least
    /// [`LEAST_BINS`] in all, added on both sides alike. The axis once ran
    /// from 0 s in √n bins: five runs between 5,443 s and 5,913 s were one
    /// bar, and the interval ran off the right edge.
    fn over(values: &[f64], ci95: [f64; 2]) -> Bins {
        let finite = || {
            values
                .iter()
                .chain(&ci95)
                .copied()
                .filter(|v| v.is_finite())
        };
        let runs = values.iter().copied().filter(|v| v.is_finite());
        let (min, max) = runs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (min, max) = if min <= max { (min, max) } else { (0.0, 0.0) };
        // Downtime is never negative: nor is the axis, whatever the interval.
        let zero = min.min(0.0);
        let lo = finite().fold(min, f64::min).max(zero);
        let hi = finite().fold(max, f64::max);
        let across = (values.len() as f64).sqrt().ceil() as usize;
        let across = across.clamp(LEAST_BINS, MOST_BINS) as f64;
        let width = round_step((max - min).max(LEAST_SPREAD_S) / across)
            .max(round_steps((hi - lo) / (MOST_AXIS_BINS - 4) as f64).1);
        let bin = |v: f64| (v / width).floor() as i64;
        let floor = bin(zero);
        let mut first = (bin(lo) - 1).max(floor);
        let mut last = bin(hi) + 1;
        let short = LEAST_BINS as i64 - (last - first + 1);
        if short > 0 {
            let left = (short / 2).min(first - floor);
            first -= left;
            last += short - left;
        }
        Bins {
            first,
            width,
            count: (last - first + 1) as usize,
        }
    }

    fn start(&self) -> f64 {
        self.first as f64 * self.width
    }

    fn end(&self) -> f64 {
        (self.first + self.count as i64) as f64 * self.width
    }

    /// The runs in each bin.
    fn counts(&self, values: &[f64]) -> Vec<u32> {
        let mut counts = vec![0u32; self.count];
        for &v in values {
            let i = ((v / self.width).floor() as i64 - self.first).clamp(0, self.count as i64 - 1);
            counts[i as usize] += 1;
        }
        counts
    }
}

/// The round widths (1, 2, 2.5 or 5 times a power of ten) on either side of
/// `raw`: the greatest not over it and the least not under it; zeros for
/// nothing to divide.
fn round_steps(raw: f64) -> (f64, f64) {
    if !(raw.is_finite() && raw > 0.0) {
        return (0.0, 0.0);
    }
    let power = 10f64.powi(raw.log10().floor() as i32);
    let steps = [0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0].map(|m| m * power);
    let below = steps
        .iter()
        .copied()
        .filter(|&s| s <= raw)
        .fold(0.0, f64::max);
    let above = steps.iter().copied().find(|&s| s >= raw).unwrap_or(raw);
    (below, above)
}

/// The round width nearest `raw`, by ratio: a spread of 1,100 s over ten
/// bins is eleven of 100 s, not six of 200 s.
fn round_step(raw: f64) -> f64 {
    match round_steps(raw) {
        (below, above) if below > 0.0 && raw / below <= above / raw => below,
        (_, above) => above,
    }
}

impl Chart for DowntimeHistogram {
    fn name(&self) -> String {
        "downtime".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (900, 500)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let root = root.titled(&self.title, font(22)).drawn()?;
        let summary = Summary::of(&self.downtime_s);
        let bins = Bins::over(&self.downtime_s, summary.ci95);
        let counts = bins.counts(&self.downtime_s);
        let top = f64::from(counts.iter().copied().max().unwrap_or(0) + 1);
        let (start, end) = (bins.start(), bins.end());
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(start..end, 0.0..top)
            .drawn()?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_label_formatter(&tick)
            // Whole runs: a tick each up to ten, no unlabelled ticks between.
            .y_labels((top as usize + 1).min(11))
            .y_label_formatter(&count_tick)
            .x_desc("downtime of a run (s)")
            .y_desc("runs")
            .label_style(font(13))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        let bar = series(0);
        chart
            .draw_series(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(i, &c)| {
                        let x = start + i as f64 * bins.width;
                        Rectangle::new(
                            [(x, 0.0), (x + bins.width, f64::from(c))],
                            bar.mix(0.8).filled(),
                        )
                    }),
            )
            .drawn()?;
        let ci = series(5);
        let (from, to) = (summary.ci95[0].max(start), summary.ci95[1].min(end));
        let label = if summary.min == summary.max {
            format!("every run {:.1} s", summary.mean)
        } else {
            format!(
                "mean {:.1} s, 95 % interval [{:.1}, {:.1}] s",
                summary.mean, summary.ci95[0], summary.ci95[1]
            )
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(from, 0.0), (to.max(from + (end - start) / 500.0), top)],
                ci.mix(0.25).filled(),
            )))
            .drawn()?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], ci.mix(0.4).filled())
            });
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(summary.mean, 0.0), (summary.mean, top)],
                ci.stroke_width(2),
            )))
            .drawn()?;
        draw_series_labels(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `crash-loop.yaml --seeds 5`: its runs' downtime and the mean's interval.
    const CRASH_LOOP: [f64; 5] = [5913.2, 5688.9, 5760.1, 5443.5, 5822.2];
    const CRASH_LOOP_CI95: [f64; 2] = [5504.6, 5946.5];

    #[test]
    fn the_axis_spans_the_runs_and_the_interval_not_zero_to_the_worst() {
        let bins = Bins::over(&CRASH_LOOP, CRASH_LOOP_CI95);
        // 470 s of spread in bins of 50 s, from the bin below the best run
        // to the one past the interval's end.
        assert_eq!(
            bins,
            Bins {
                first: 107,
                width: 50.0,
                count: 13
            }
        );
        assert!(bins.start() < 5443.5 && 5946.5 < bins.end(), "{bins:?}");
        let counts = bins.counts(&CRASH_LOOP);
        assert_eq!(counts.iter().sum::<u32>(), 5);
        assert_eq!(counts.iter().filter(|&&c| c > 0).count(), 5, "{counts:?}");
    }

    #[test]
    fn runs_that_agree_are_one_narrow_bar_on_a_wider_axis() {
        let bins = Bins::over(&[0.0; 5], [0.0, 0.0]);
        assert_eq!(
            bins,
            Bins {
                first: 0,
                width: 0.1,
                count: 10
            }
        );
        assert_eq!(bins.counts(&[0.0; 5])[0], 5);
        // Away from 0 s, the bar is in the middle.
        let bins = Bins::over(&[300.0; 4], [300.0, 300.0]);
        assert_eq!(bins.count, 10);
        let counts = bins.counts(&[300.0; 4]);
        let bar = counts.iter().position(|&c| c == 4).expect("one bar");
        assert!((4..=5).contains(&bar), "{counts:?}");
    }

    #[test]
    fn many_runs_get_about_their_square_root_in_bins() {
        let values: Vec<f64> = (0..400).map(|i| 1000.0 + f64::from(i)).collect();
        let bins = Bins::over(&values, [1180.0, 1220.0]);
        // 399 s over 20 bins: 20 s each, and one to spare each side.
        assert_eq!(bins.width, 20.0);
        assert_eq!((bins.start(), bins.end()), (980.0, 1420.0));
    }

    #[test]
    fn a_wide_interval_of_two_runs_widens_the_bins_not_their_number() {
        let bins = Bins::over(&[100.0, 101.0], [-5000.0, 5200.0]);
        assert!(bins.count as i64 <= MOST_AXIS_BINS, "{bins:?}");
        assert_eq!(bins.start(), 0.0);
        assert!(bins.end() > 5200.0);
        let bins = Bins::over(&[1.0, 2.0], [f64::NEG_INFINITY, f64::INFINITY]);
        assert!(
            bins.count >= LEAST_BINS && bins.end().is_finite(),
            "{bins:?}"
        );
    }

    #[test]
    fn steps_are_round_and_near() {
        assert_eq!(round_step(47.0), 50.0);
        assert_eq!(round_step(110.0), 100.0);
        assert_eq!(round_step(0.1), 0.1);
        assert_eq!(round_step(21.0), 20.0);
        assert_eq!(round_step(23.0), 25.0);
        assert_eq!(round_step(100.0), 100.0);
        assert_eq!(round_step(0.0), 0.0);
        assert_eq!(round_steps(21.0), (20.0, 25.0));
    }
}
