//! Over the run: each workload's pods (serving, and the Deployment's
//! `replicas`) with the Ready nodes, its load, and its failing requests.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{LIGHT_GRID, series};
use super::time_axis::{TimeAxis, count_tick, steps, tick};
use super::{Chart, Drawn, font};
use crate::metrics::Sample;
use crate::report::Report;

pub struct ReplicasChart<'a> {
    title: String,
    duration_s: f64,
    workloads: Vec<String>,
    samples: &'a [Sample],
}

impl<'a> ReplicasChart<'a> {
    pub fn new(report: &Report, samples: &'a [Sample]) -> Self {
        ReplicasChart {
            title: format!("{}: pods and load", report.scenario),
            duration_s: report.duration_s,
            workloads: report.workloads.iter().map(|(n, _)| n.clone()).collect(),
            samples,
        }
    }
}

impl Chart for ReplicasChart<'_> {
    fn name(&self) -> String {
        "replicas".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 700)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let axis = TimeAxis::for_duration(self.duration_s);
        let root = root.titled(&self.title, font(22)).drawn()?;
        let panels = root.split_evenly((2, 1));
        let end = axis.at(self.duration_s);
        let t = |s: &Sample| axis.at(s.time.as_secs_f64());

        let top = self
            .samples
            .iter()
            .flat_map(|s| {
                s.workloads
                    .iter()
                    .flat_map(|w| [w.serving, w.desired])
                    .chain([s.nodes_ready])
            })
            .max()
            .unwrap_or(0);
        let mut pods = ChartBuilder::on(&panels[0])
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..end, 0.0..(f64::from(top) * 1.3).ceil().max(1.0))
            .drawn()?;
        pods.configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_desc(axis.label())
            .x_label_formatter(&tick)
            .y_label_formatter(&count_tick)
            .y_labels((top as usize + 2).min(11))
            .y_desc("pods / nodes")
            .label_style(font(13))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        for (w, name) in self.workloads.iter().enumerate() {
            let color = series(w);
            let serving = steps(
                self.samples
                    .iter()
                    .map(|s| (t(s), f64::from(s.workloads[w].serving))),
                end,
            );
            pods.draw_series(LineSeries::new(serving, color.stroke_width(2)))
                .drawn()?
                .label(format!("{name} serving"))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2))
                });
            let desired = steps(
                self.samples
                    .iter()
                    .map(|s| (t(s), f64::from(s.workloads[w].desired))),
                end,
            );
            pods.draw_series(DashedLineSeries::new(desired, 6, 4, color.stroke_width(1)))
                .drawn()?
                .label(format!("{name} replicas"))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(1))
                });
        }
        let nodes = steps(
            self.samples
                .iter()
                .map(|s| (t(s), f64::from(s.nodes_ready))),
            end,
        );
        pods.draw_series(LineSeries::new(nodes, BLACK.mix(0.5).stroke_width(1)))
            .drawn()?
            .label("nodes Ready")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.mix(0.5)));
        pods.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(font(13))
            .draw()
            .drawn()?;

        rate_panel(
            &panels[1],
            &axis,
            end,
            &self.workloads,
            self.samples,
            "requests (req/s)",
            |s, w| s.workloads[w].request_rate,
        )
    }
}

/// Failing requests per second over the run, per workload.
pub struct ErrorRateChart<'a> {
    title: String,
    duration_s: f64,
    workloads: Vec<String>,
    samples: &'a [Sample],
}

impl<'a> ErrorRateChart<'a> {
    pub fn new(report: &Report, samples: &'a [Sample]) -> Self {
        ErrorRateChart {
            title: format!("{}: failing requests", report.scenario),
            duration_s: report.duration_s,
            workloads: report.workloads.iter().map(|(n, _)| n.clone()).collect(),
            samples,
        }
    }
}

impl Chart for ErrorRateChart<'_> {
    fn name(&self) -> String {
        "errors".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 400)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let axis = TimeAxis::for_duration(self.duration_s);
        let root = root.titled(&self.title, font(22)).drawn()?;
        rate_panel(
            &root,
            &axis,
            axis.at(self.duration_s),
            &self.workloads,
            self.samples,
            "failing (req/s)",
            |s, w| s.workloads[w].error_rate,
        )
    }
}

/// A rate per workload against time, held from one sample to the next: it
/// jumps where a count changes, and the grid between keeps a smoothly
/// varying load within a thousandth of the run of its curve.
fn rate_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    end: f64,
    workloads: &[String],
    samples: &[Sample],
    y_desc: &str,
    rate: impl Fn(&Sample, usize) -> f64,
) -> Result<(), String> {
    let top = samples
        .iter()
        .flat_map(|s| (0..workloads.len()).map(|w| rate(s, w)))
        .fold(0.0, f64::max);
    // Headroom for the legend above the curves.
    let top = if top > 0.0 { top * 1.3 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..end, 0.0..top)
        .drawn()?;
    chart
        .configure_mesh()
        .light_line_style(LIGHT_GRID)
        .x_desc(axis.label())
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .y_desc(y_desc)
        .label_style(font(13))
        .axis_desc_style(font(14))
        .draw()
        .drawn()?;
    for (w, name) in workloads.iter().enumerate() {
        let color = series(w);
        let line = steps(
            samples
                .iter()
                .map(|s| (axis.at(s.time.as_secs_f64()), rate(s, w))),
            end,
        );
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))
            .drawn()?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(font(13))
        .draw()
        .drawn()?;
    Ok(())
}
