//! Over the run: each workload's pods (serving, and the Deployment's
//! `replicas`) with the Ready nodes, its load, and its failing requests.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::held::draw_held;
use super::legend::{LEGEND_WIDTH, Stroke, Swatch, draw_legend};
use super::palette::{LIGHT_GRID, series};
use super::time_axis::{TimeAxis, columns_for, count_tick, tick};
use super::{Chart, Drawn, font};
use crate::metrics::Sample;
use crate::report::Report;

/// The legend's word for a band: a line per column of time would be a
/// moiré; a band shows what each column spans.
const DENSE_NOTE: &str = "band: range; line: mean";

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
        let (pods_area, pods_legend) = panels[0].split_horizontally(self.size().0 - LEGEND_WIDTH);
        let mut legend = Vec::new();
        let mut pods = ChartBuilder::on(&pods_area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..end, 0.0..f64::from(top + 1))
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
        let mut dense = false;
        let columns = columns_for(self.duration_s);
        let held = |f: &dyn Fn(&Sample) -> u32| -> Vec<(f64, f64)> {
            self.samples
                .iter()
                .map(|s| (t(s), f64::from(f(s))))
                .collect()
        };
        for (w, name) in self.workloads.iter().enumerate() {
            let color = series(w);
            let serving = held(&|s| s.workloads[w].serving);
            dense |= draw_held(&mut pods, &serving, end, columns, color, Stroke::Solid(2))?;
            let desired = held(&|s| s.workloads[w].desired);
            dense |= draw_held(&mut pods, &desired, end, columns, color, Stroke::Dashed)?;
            legend.push((color, Swatch::Line(Stroke::Solid(2)), name.clone()));
        }
        let grey = RGBColor(128, 128, 128);
        legend.push((grey, Swatch::Line(Stroke::Solid(2)), "serving".to_string()));
        legend.push((grey, Swatch::Line(Stroke::Dashed), "replicas".to_string()));
        let nodes = held(&|s| s.nodes_ready);
        dense |= draw_held(&mut pods, &nodes, end, columns, grey, Stroke::Solid(1))?;
        legend.push((
            grey,
            Swatch::Line(Stroke::Solid(1)),
            "nodes Ready".to_string(),
        ));
        if dense {
            legend.push((grey, Swatch::Band, DENSE_NOTE.to_string()));
        }
        draw_legend(&pods_legend, &legend)?;

        rate_panel(
            &panels[1],
            &axis,
            self.duration_s,
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
            self.duration_s,
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
    duration_s: f64,
    workloads: &[String],
    samples: &[Sample],
    y_desc: &str,
    rate: impl Fn(&Sample, usize) -> f64,
) -> Result<(), String> {
    let end = axis.at(duration_s);
    let top = samples
        .iter()
        .flat_map(|s| (0..workloads.len()).map(|w| rate(s, w)))
        .fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let (plot, legend_area) = area.split_horizontally(area.dim_in_pixel().0 - LEGEND_WIDTH);
    let mut chart = ChartBuilder::on(&plot)
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
    let mut dense = false;
    let columns = columns_for(duration_s);
    for w in 0..workloads.len() {
        let points: Vec<(f64, f64)> = samples
            .iter()
            .map(|s| (axis.at(s.time.as_secs_f64()), rate(s, w)))
            .collect();
        dense |= draw_held(
            &mut chart,
            &points,
            end,
            columns,
            series(w),
            Stroke::Solid(2),
        )?;
    }
    let mut legend: Vec<_> = workloads
        .iter()
        .enumerate()
        .map(|(w, name)| (series(w), Swatch::Line(Stroke::Solid(2)), name.clone()))
        .collect();
    if dense {
        legend.push((
            RGBColor(128, 128, 128),
            Swatch::Band,
            DENSE_NOTE.to_string(),
        ));
    }
    draw_legend(&legend_area, &legend)
}
