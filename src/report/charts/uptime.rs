//! The uptime timeline: a band per workload, and one for the control
//! plane's API, coloured up, degraded or down, with the incidents marked
//! and the longest ones labelled with their cause.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{DEGRADED, DOWN, UP};
use super::samples::DrawnSeries;
use super::time_axis::{TimeAxis, tick};
use super::{Chart, Drawn, font};
use crate::report::Report;

/// Incidents labelled with their cause, the longest first: more would
/// cover one another.
const LABELLED_INCIDENTS: usize = 6;

struct Band {
    name: String,
    /// `[start, end)` in seconds, each.
    degraded: Vec<(f64, f64)>,
    down: Vec<(f64, f64, String)>,
}

pub struct UptimeTimeline {
    title: String,
    duration_s: f64,
    /// Top to bottom: the workloads, then the control plane.
    bands: Vec<Band>,
}

impl UptimeTimeline {
    pub(crate) fn new(report: &Report, series: &DrawnSeries) -> UptimeTimeline {
        let mut bands: Vec<Band> = report
            .workloads
            .iter()
            .zip(&series.workloads)
            .map(|((name, _), drawn)| Band {
                name: name.clone(),
                degraded: drawn.degraded.clone(),
                down: report
                    .incidents
                    .iter()
                    .filter(|i| &i.workload == name)
                    .map(|i| (i.start_s, i.end_s, i.cause.clone()))
                    .collect(),
            })
            .collect();
        bands.push(Band {
            name: "control plane API".to_string(),
            degraded: Vec::new(),
            down: report
                .control_plane
                .incidents
                .iter()
                .map(|i| (i.start_s, i.end_s, i.cause.clone()))
                .collect(),
        });
        UptimeTimeline {
            title: format!("{}: uptime", report.scenario),
            duration_s: report.duration_s,
            bands,
        }
    }
}

impl Chart for UptimeTimeline {
    fn name(&self) -> String {
        "uptime".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (1000, 150 + 56 * self.bands.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let axis = TimeAxis::for_duration(self.duration_s);
        let root = root.titled(&self.title, font(22)).drawn()?;
        let (height, width) = (root.dim_in_pixel().1, root.dim_in_pixel().0);
        let (plot, legend) = root.split_vertically(height - 36);
        let n = self.bands.len() as u32;
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..axis.at(self.duration_s), (0..n - 1).into_segmented())
            .drawn()?;
        // Band `i` from the top sits at segment n − 1 − i.
        let row = |i: usize| n - 1 - i as u32;
        let names: Vec<&str> = self.bands.iter().map(|b| b.name.as_str()).collect();
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(axis.label())
            .x_label_formatter(&tick)
            .label_style(font(14))
            .axis_desc_style(font(14))
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(r) => n
                    .checked_sub(r + 1)
                    .and_then(|i| names.get(i as usize))
                    .map_or(String::new(), |name| name.to_string()),
                _ => String::new(),
            })
            .draw()
            .drawn()?;
        // A pixel of the plot in seconds: nothing is drawn narrower, so that
        // a rollout's seconds of degradation show on a month.
        let pixel = self.duration_s / f64::from(chart.plotting_area().dim_in_pixel().0.max(1));
        let rect = |i: usize, from: f64, to: f64, color: RGBColor| {
            let r = row(i);
            Rectangle::new(
                [
                    (axis.at(from), SegmentValue::Exact(r)),
                    (axis.at(to.max(from + pixel)), SegmentValue::Exact(r + 1)),
                ],
                color.filled(),
            )
        };
        for (i, band) in self.bands.iter().enumerate() {
            chart
                .draw_series(std::iter::once(rect(i, 0.0, self.duration_s, UP)))
                .drawn()?;
            let degraded = coalesce(band.degraded.iter().copied(), pixel);
            chart
                .draw_series(degraded.iter().map(|&(a, b)| rect(i, a, b, DEGRADED)))
                .drawn()?;
            let down = coalesce(band.down.iter().map(|(a, b, _)| (*a, *b)), pixel);
            chart
                .draw_series(down.iter().map(|&(a, b)| rect(i, a, b, DOWN)))
                .drawn()?;
            // An outage of seconds in a month is narrower than a pixel: a
            // marker shows it anyway, one per pixel.
            chart
                .draw_series(down.iter().map(|&(a, _)| {
                    TriangleMarker::new(
                        (axis.at(a), SegmentValue::Exact(row(i) + 1)),
                        6,
                        DOWN.filled(),
                    )
                }))
                .drawn()?;
        }
        // White lines between the bands.
        for r in 1..n {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![
                        (0.0, SegmentValue::Exact(r)),
                        (axis.at(self.duration_s), SegmentValue::Exact(r)),
                    ],
                    WHITE.stroke_width(3),
                )))
                .drawn()?;
        }
        let mut longest: Vec<(usize, &(f64, f64, String))> = self
            .bands
            .iter()
            .enumerate()
            .flat_map(|(i, b)| b.down.iter().map(move |d| (i, d)))
            .collect();
        longest.sort_by(|a, b| (b.1.1 - b.1.0).total_cmp(&(a.1.1 - a.1.0)));
        for (i, (start, end, cause)) in longest.into_iter().take(LABELLED_INCIDENTS) {
            let anchor = if *start > 0.7 * self.duration_s {
                HPos::Right
            } else {
                HPos::Left
            };
            let label = format!("{cause} ({})", duration_label(end - start));
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (axis.at(*start), SegmentValue::CenterOf(row(i))),
                    font(13).pos(Pos::new(anchor, VPos::Center)),
                )))
                .drawn()?;
        }
        draw_legend(&legend, width)
    }
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    width: u32,
) -> Result<(), String> {
    let entries = [
        (UP, "up"),
        (
            DEGRADED,
            "degraded: fewer serving than desired, or failing requests",
        ),
        (DOWN, "down: fewer serving than minReady; ▲ an incident"),
    ];
    let mut x = 170i32;
    for (color, label) in entries {
        let (text_width, _) = area.estimate_text_size(label, &font(14)).drawn()?;
        if x + 20 + text_width as i32 > width as i32 {
            break;
        }
        area.draw(&Rectangle::new([(x, 8), (x + 14, 22)], color.filled()))
            .drawn()?;
        area.draw(&Text::new(label, (x + 20, 8), font(14)))
            .drawn()?;
        x += 40 + text_width as i32;
    }
    Ok(())
}

/// Intervals in order of start, those less than `gap` apart made one: a
/// year's thousands of short degradations drawn as the pixels they cover.
fn coalesce(intervals: impl Iterator<Item = (f64, f64)>, gap: f64) -> Vec<(f64, f64)> {
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (start, end) in intervals {
        match merged.last_mut() {
            Some(last) if start <= last.1 + gap => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// `42 s`, `12 min`, `3.5 h`, `2.1 d`.
pub(crate) fn duration_label(seconds: f64) -> String {
    if seconds < 120.0 {
        format!("{seconds:.0} s")
    } else if seconds < 2.0 * 3600.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds < 2.0 * 86400.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} d", seconds / 86400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_closer_than_a_pixel_are_drawn_as_one() {
        let merged = coalesce([(0.0, 1.0), (1.5, 2.0), (10.0, 11.0)].into_iter(), 1.0);
        assert_eq!(merged, vec![(0.0, 2.0), (10.0, 11.0)]);
    }
}
