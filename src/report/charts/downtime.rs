//! Over many seeds: how the downtime of one run is distributed, with its
//! mean and the mean's 95 % interval.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{LIGHT_GRID, series};
use super::time_axis::{count_tick, tick};
use super::{Chart, Drawn, draw_series_labels, font};
use crate::experiment::Summary;

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

    /// `bins` equal bins over `[0, top]` and the runs in each.
    fn counts(&self, bins: usize, top: f64) -> Vec<u32> {
        let mut counts = vec![0u32; bins];
        for &d in &self.downtime_s {
            let i = ((d / top * bins as f64) as usize).min(bins - 1);
            counts[i] += 1;
        }
        counts
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
        // About √n bins, as many as the runs can fill.
        let bins = (self.downtime_s.len() as f64)
            .sqrt()
            .ceil()
            .clamp(1.0, 40.0) as usize;
        let max = self.downtime_s.iter().copied().fold(0.0, f64::max);
        let top = if max > 0.0 { max * 1.0001 } else { 1.0 };
        let counts = self.counts(bins, top);
        let highest = counts.iter().copied().max().unwrap_or(0);
        let width = top / bins as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..top, 0.0..f64::from(highest + 1))
            .drawn()?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_label_formatter(&tick)
            .y_label_formatter(&count_tick)
            .x_desc("downtime of a run (s)")
            .y_desc("runs")
            .label_style(font(13))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        let bar = series(0);
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x = i as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, f64::from(c))], bar.mix(0.8).filled())
            }))
            .drawn()?;
        let summary = Summary::of(&self.downtime_s);
        let ci = series(5);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (summary.ci95[0], 0.0),
                    (
                        summary.ci95[1].max(summary.ci95[0] + top / 500.0),
                        f64::from(highest + 1),
                    ),
                ],
                ci.mix(0.25).filled(),
            )))
            .drawn()?
            .label(format!(
                "mean {:.1} s, 95 % interval [{:.1}, {:.1}] s",
                summary.mean, summary.ci95[0], summary.ci95[1]
            ))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], ci.mix(0.4).filled())
            });
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(summary.mean, 0.0), (summary.mean, f64::from(highest + 1))],
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

    #[test]
    fn every_run_falls_in_one_bin() {
        let h = DowntimeHistogram::new("x", vec![0.0, 1.0, 2.0, 10.0]);
        let counts = h.counts(4, 10.0001);
        assert_eq!(counts, vec![3, 0, 0, 1]);
    }
}
