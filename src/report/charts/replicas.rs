//! Over the run: each workload's pods (serving, and the Deployment's
//! `replicas`) with the Ready nodes, its load, and its failing requests.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::held::{Dense, Held, draw_held};
use super::legend::{LEGEND_WIDTH, Stroke, Swatch, draw_legend};
use super::palette::{GREY, LIGHT_GRID, series};
use super::samples::{DrawnSeries, DrawnWorkload};
use super::time_axis::{TimeAxis, column_label, count_tick, tick};
use super::{Chart, Drawn, font};
use crate::report::Report;

/// The legend's word for a band: a line per column of time would be a
/// moiré; a band shows what each column spans.
const DENSE_NOTE: &str = "band: range; line: mean";

/// The most workloads whose bands a panel draws. Each band is a quarter
/// opaque and covers the lines drawn before it: a year of ten workloads
/// was a wash of mixed colours with no line to follow. Past this, each
/// column's mean is drawn alone.
const MOST_BANDS: usize = 3;

/// How a panel draws its dense series: as `preferred`, unless more
/// workloads than [`MOST_BANDS`] would have bands.
fn panel_dense<'h>(preferred: Dense, held: impl Iterator<Item = &'h Held>) -> Dense {
    let bands = held.filter(|h| matches!(h, Held::Band(_))).count();
    if bands > MOST_BANDS {
        Dense::Mean
    } else {
        preferred
    }
}

/// The legend's note on what a dense series shows, drawn `dense_as`.
fn dense_note(dense_as: Dense, duration_s: f64) -> (RGBColor, Swatch, String) {
    match dense_as {
        Dense::Band => (GREY, Swatch::Band, DENSE_NOTE.to_string()),
        Dense::Mean => (
            GREY,
            Swatch::Note,
            format!("line: mean per {}", column_label(duration_s)),
        ),
    }
}

pub struct ReplicasChart<'a> {
    title: String,
    duration_s: f64,
    workloads: Vec<String>,
    series: &'a DrawnSeries,
}

impl<'a> ReplicasChart<'a> {
    pub(crate) fn new(report: &Report, series: &'a DrawnSeries) -> Self {
        ReplicasChart {
            title: format!("{}: pods and load", report.scenario),
            duration_s: report.duration_s,
            workloads: report.workloads.iter().map(|(n, _)| n.clone()).collect(),
            series,
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
        let top = self.series.tops.pods;
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
        let dense_as = panel_dense(
            Dense::Band,
            self.series.workloads.iter().map(|w| &w.serving),
        );
        let mut dense = false;
        for (w, (name, drawn)) in self
            .workloads
            .iter()
            .zip(&self.series.workloads)
            .enumerate()
        {
            let color = series(w);
            dense |= draw_held(&mut pods, &drawn.serving, dense_as, color, Stroke::Solid(2))?;
            dense |= draw_held(&mut pods, &drawn.desired, dense_as, color, Stroke::Dashed)?;
            legend.push((color, Swatch::Line(Stroke::Solid(2)), name.clone()));
        }
        legend.push((GREY, Swatch::Line(Stroke::Solid(2)), "serving".to_string()));
        legend.push((GREY, Swatch::Line(Stroke::Dashed), "replicas".to_string()));
        dense |= draw_held(
            &mut pods,
            &self.series.nodes_ready,
            dense_as,
            GREY,
            Stroke::Solid(1),
        )?;
        legend.push((
            GREY,
            Swatch::Line(Stroke::Solid(1)),
            "nodes Ready".to_string(),
        ));
        if dense {
            legend.push(dense_note(dense_as, self.duration_s));
        }
        draw_legend(&pods_legend, &legend)?;

        rate_panel(
            &panels[1],
            &axis,
            self.duration_s,
            &self.workloads,
            self.series,
            Rates {
                y_desc: "requests (req/s)",
                dense: Dense::Band,
                peak: self.series.tops.request_rate,
                of: |w| &w.request_rate,
            },
        )
    }
}

/// Failing requests per second over the run, per workload.
pub struct ErrorRateChart<'a> {
    title: String,
    duration_s: f64,
    workloads: Vec<String>,
    series: &'a DrawnSeries,
}

impl<'a> ErrorRateChart<'a> {
    pub(crate) fn new(report: &Report, series: &'a DrawnSeries) -> Self {
        ErrorRateChart {
            title: format!("{}: failing requests", report.scenario),
            duration_s: report.duration_s,
            workloads: report.workloads.iter().map(|(n, _)| n.clone()).collect(),
            series,
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
            self.series,
            Rates {
                y_desc: "failing (req/s)",
                dense: Dense::Mean,
                peak: self.series.tops.error_rate,
                of: |w| &w.error_rate,
            },
        )
    }
}

/// Which rate a panel draws, and how.
struct Rates {
    y_desc: &'static str,
    /// What is drawn of it where it changes more often than the plot has
    /// pixels.
    dense: Dense,
    /// The most any workload's reaches.
    peak: f64,
    of: fn(&DrawnWorkload) -> &Held,
}

/// A rate per workload against time, held from one sample to the next: it
/// jumps where a count changes, and the grid between keeps a smoothly
/// varying load within a thousandth of the run of its curve.
fn rate_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &TimeAxis,
    duration_s: f64,
    workloads: &[String],
    drawn: &DrawnSeries,
    rates: Rates,
) -> Result<(), String> {
    let Rates {
        y_desc,
        dense: preferred,
        peak,
        of: rate,
    } = rates;
    let dense_as = panel_dense(preferred, drawn.workloads.iter().map(rate));
    let end = axis.at(duration_s);
    let top = match dense_as {
        Dense::Band => peak,
        Dense::Mean => (drawn.workloads.iter())
            .map(|w| rate(w).top_drawn_as_means())
            .fold(0.0, f64::max),
    };
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
    for (w, workload) in drawn.workloads.iter().enumerate() {
        dense |= draw_held(
            &mut chart,
            rate(workload),
            dense_as,
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
        legend.push(dense_note(dense_as, duration_s));
        if dense_as == Dense::Mean {
            legend.push((GREY, Swatch::Note, format!("peak: {} req/s", tick(&peak))));
        }
    }
    draw_legend(&legend_area, &legend)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Sample, SampleSink, WorkloadSample};
    use crate::report::charts::{ChartSamples, render};
    use crate::sim::SimTime;

    /// The text of an SVG's `<text>` elements.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split('>').nth(1)?.split('<').next())
            .map(str::trim)
            .collect()
    }

    /// `workloads` workloads a year long, each scaled between 2 and 6
    /// pods and 100 and 300 req/s every day, drawn as pods and load.
    fn a_year_of_daily_cycles(workloads: usize) -> String {
        let duration_s = 365 * 86_400;
        let mut samples = ChartSamples::new(duration_s as f64, workloads);
        let at = |seconds: u64, high: bool| Sample {
            time: SimTime::from_secs(seconds),
            nodes_ready: 3,
            api_writable: true,
            workloads: vec![
                WorkloadSample {
                    serving: if high { 6 } else { 2 },
                    endpoints: if high { 6 } else { 2 },
                    desired: if high { 6 } else { 2 },
                    request_rate: if high { 300.0 } else { 100.0 },
                    error_rate: 0.0,
                    cpu_cores: 0.0,
                    memory_bytes: 0.0,
                };
                workloads
            ],
        };
        for day in (0..duration_s).step_by(86_400) {
            samples.sample(&at(day, false));
            samples.sample(&at(day + 43_200, true));
        }
        samples.sample(&at(duration_s, false));
        let series = samples.finish();
        let chart = ReplicasChart {
            title: "a year".to_string(),
            duration_s: duration_s as f64,
            workloads: (0..workloads).map(|w| format!("w{w}")).collect(),
            series: &series,
        };
        render(&chart).expect("drawn").svg
    }

    #[test]
    fn more_workloads_than_bands_a_panel_holds_are_drawn_as_their_daily_means() {
        // Three workloads: a band for each one's serving pods, replicas
        // and load (the Ready nodes, constant, are a line), and the
        // legend of each panel says what a band is.
        let three = a_year_of_daily_cycles(3);
        assert_eq!(three.matches("<polygon").count(), 3 * 3);
        assert_eq!(
            texts(&three).iter().filter(|&&t| t == DENSE_NOTE).count(),
            2
        );
        // Four: no band at all, and each panel's legend says its lines are
        // means, the load's with its peak.
        let four = a_year_of_daily_cycles(4);
        assert_eq!(four.matches("<polygon").count(), 0);
        let texts = texts(&four);
        assert!(!texts.contains(&DENSE_NOTE), "{texts:?}");
        let means = texts.iter().filter(|&&t| t == "line: mean per day");
        assert_eq!(means.count(), 2, "{texts:?}");
        assert!(texts.contains(&"peak: 300 req/s"), "{texts:?}");
    }

    fn sample(seconds: u64, error_rate: f64) -> Sample {
        Sample {
            time: SimTime::from_secs(seconds),
            nodes_ready: 3,
            api_writable: true,
            workloads: vec![WorkloadSample {
                serving: 3,
                endpoints: 3,
                desired: 3,
                request_rate: 100.0,
                error_rate,
                cpu_cores: 0.0,
                memory_bytes: 0.0,
            }],
        }
    }

    #[test]
    fn a_year_of_short_spikes_of_failures_is_drawn_as_its_daily_means() {
        // 50 req/s failing for 36 s every two hours: 0.25 req/s a day.
        let duration_s = 365 * 86_400;
        let mut samples = ChartSamples::new(duration_s as f64, 1);
        for start in (0..duration_s).step_by(7_200) {
            samples.sample(&sample(start, 0.0));
            samples.sample(&sample(start + 3_600, 50.0));
            samples.sample(&sample(start + 3_636, 0.0));
        }
        samples.sample(&sample(duration_s, 0.0));
        let series = samples.finish();
        let chart = ErrorRateChart {
            title: "a year".to_string(),
            duration_s: duration_s as f64,
            workloads: vec!["web".to_string()],
            series: &series,
        };
        let svg = render(&chart).expect("drawn").svg;
        let texts = texts(&svg);
        assert!(texts.contains(&"line: mean per day"), "{texts:?}");
        assert!(texts.contains(&"peak: 50 req/s"), "{texts:?}");
        // The y axis goes up to the means (0.25 and a tenth), not to the
        // peak, where it would have ticks of 10 to 50 (the x axis's are
        // days, by fifty).
        assert!(texts.contains(&"0.25"), "{texts:?}");
        assert!(
            !texts.contains(&"20") && !texts.contains(&"40"),
            "{texts:?}"
        );
    }
}
