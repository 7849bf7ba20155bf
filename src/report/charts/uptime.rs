//! The uptime timeline: a band per workload, and one for the control
//! plane's API, coloured up, degraded or down, with the incidents marked
//! and the longest ones labelled with their cause.

use plotters::coord::Shift;
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

/// The least height of a band a pixel column with some degradation is
/// drawn with: a few pixels, that a minute of it in a column of hours
/// shows.
const LEAST_DEGRADED_SHARE: f64 = 1.0 / 12.0;

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
        let n = self.bands.len();
        // Band `i` from the top spans [n − 1 − i, n − i].
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..axis.at(self.duration_s), 0.0..n as f64)
            .drawn()?;
        let row = |i: usize| (n - 1 - i) as f64;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(axis.label())
            .x_label_formatter(&tick)
            .y_labels(0)
            .label_style(font(14))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        // The names beside the bands, where the y axis's labels would be.
        let base = plot.get_base_pixel();
        for (i, band) in self.bands.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, row(i) + 0.5));
            plot.draw(&Text::new(
                band.name.as_str(),
                (x - 8 - base.0, y - base.1),
                font(14).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .drawn()?;
        }
        // A pixel of the plot in seconds: no outage is drawn narrower, so
        // that seconds of one show on a month; degradation fills each
        // pixel column by its share.
        let columns = chart.plotting_area().dim_in_pixel().0.max(1) as usize;
        let pixel = self.duration_s / columns as f64;
        let rect = |i: usize, from: f64, to: f64, color: RGBColor| {
            let r = row(i);
            Rectangle::new(
                [(axis.at(from), r), (axis.at(to.max(from + pixel)), r + 1.0)],
                color.filled(),
            )
        };
        for (i, band) in self.bands.iter().enumerate() {
            chart
                .draw_series(std::iter::once(rect(i, 0.0, self.duration_s, UP)))
                .drawn()?;
            let shares = degraded_shares(&band.degraded, pixel, columns);
            if shares.iter().any(|&s| s > 0.0) {
                let outline = share_outline(&shares, pixel, row(i));
                let outline = outline.into_iter().map(|(t, y)| (axis.at(t), y));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline.collect::<Vec<_>>(),
                        DEGRADED.filled(),
                    )))
                    .drawn()?;
            }
            let down = coalesce(band.down.iter().map(|(a, b, _)| (*a, *b)), pixel);
            chart
                .draw_series(down.iter().map(|&(a, b)| rect(i, a, b, DOWN)))
                .drawn()?;
            // An outage of seconds in a month is narrower than a pixel: a
            // marker shows it anyway, one per pixel.
            chart
                .draw_series(down.iter().map(|&(a, _)| {
                    TriangleMarker::new((axis.at(a), row(i) + 1.0), 6, DOWN.filled())
                }))
                .drawn()?;
        }
        // White lines between the bands.
        for r in 1..n {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, r as f64), (axis.at(self.duration_s), r as f64)],
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
                    (axis.at(*start), row(i) + 0.5),
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
            "degraded (height: time share): fewer serving than desired, or errors",
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

/// The share of each of `columns` columns of `width` seconds that the
/// intervals (in order, apart) cover: a year's thousands of short
/// degradations, each a pixel wide, would cover every pixel.
fn degraded_shares(intervals: &[(f64, f64)], width: f64, columns: usize) -> Vec<f64> {
    let mut shares = vec![0.0; columns];
    for &(start, end) in intervals {
        let first = (start / width).floor().max(0.0) as usize;
        for (c, share) in shares.iter_mut().enumerate().skip(first) {
            let (from, to) = (c as f64 * width, (c + 1) as f64 * width);
            if from >= end {
                break;
            }
            *share += (end.min(to) - start.max(from)).max(0.0) / width;
        }
    }
    shares
}

/// The outline of the area the shares fill, on the band from `base` to
/// `base + 1`, in seconds: a column with any degradation is drawn at least
/// [`LEAST_DEGRADED_SHARE`] high.
fn share_outline(shares: &[f64], width: f64, base: f64) -> Vec<(f64, f64)> {
    let mut outline = vec![(0.0, base)];
    let mut last = 0.0;
    for (c, &share) in shares.iter().enumerate() {
        let height = if share > 0.0 {
            share.clamp(LEAST_DEGRADED_SHARE, 1.0)
        } else {
            0.0
        };
        if height != last {
            let t = c as f64 * width;
            outline.push((t, base + last));
            outline.push((t, base + height));
            last = height;
        }
    }
    let end = shares.len() as f64 * width;
    outline.push((end, base + last));
    outline.push((end, base));
    outline
}

/// Intervals in order of start, those less than `gap` apart made one: a
/// year's outages drawn as the pixels they cover.
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
    fn a_column_holds_the_share_of_its_time_the_intervals_cover() {
        let shares = degraded_shares(&[(0.5, 1.5), (2.0, 2.25), (2.75, 5.0)], 1.0, 4);
        assert_eq!(shares, [0.5, 0.5, 0.5, 1.0]);
    }

    #[test]
    fn a_minute_of_degradation_in_a_column_of_hours_is_a_sliver_not_the_band() {
        // A year's columns are half a day: a daily rollout's minute.
        let width = 43_200.0;
        let shares = degraded_shares(&[(100.0, 160.0)], width, 2);
        assert_eq!(shares, [60.0 / width, 0.0]);
        assert_eq!(
            share_outline(&shares, width, 3.0),
            [
                (0.0, 3.0),
                (0.0, 3.0),
                (0.0, 3.0 + LEAST_DEGRADED_SHARE),
                (width, 3.0 + LEAST_DEGRADED_SHARE),
                (width, 3.0),
                (2.0 * width, 3.0),
                (2.0 * width, 3.0)
            ]
        );
    }

    #[test]
    fn intervals_closer_than_a_pixel_are_drawn_as_one() {
        let merged = coalesce([(0.0, 1.0), (1.5, 2.0), (10.0, 11.0)].into_iter(), 1.0);
        assert_eq!(merged, vec![(0.0, 2.0), (10.0, 11.0)]);
    }
}
