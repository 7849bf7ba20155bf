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

/// Incidents labelled with their cause at most, the longest first.
const LABELLED_INCIDENTS: usize = 6;

/// Rows of labels a band holds, one above the other.
const LABEL_LANES: usize = 2;

/// Pixels kept clear between two labels on a row, and between a label and
/// the plot's edge.
const LABEL_GAP: i32 = 6;

/// Pixels kept clear between the legend and the chart's right edge.
const LEGEND_MARGIN: i32 = 12;

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
        let labels: Vec<(usize, f64, String)> = longest
            .into_iter()
            .map(|(i, (start, end, cause))| {
                (
                    i,
                    *start,
                    format!("{cause} ({})", duration_label(end - start)),
                )
            })
            .collect();
        let mut candidates = Vec::with_capacity(labels.len());
        for (band, start, text) in &labels {
            let (text_width, _) = plot.estimate_text_size(text, &font(13)).drawn()?;
            candidates.push(LabelCandidate {
                band: *band,
                x: chart.backend_coord(&(axis.at(*start), 0.0)).0,
                width: text_width as i32,
            });
        }
        let (x_range, _) = chart.plotting_area().get_pixel_range();
        let placed = place_labels(&candidates, (x_range.start, x_range.end));
        let mut lanes = vec![0; n];
        for label in &placed {
            let band = candidates[label.index].band;
            lanes[band] = lanes[band].max(label.lane + 1);
        }
        for label in placed {
            let (band, start, text) = &labels[label.index];
            // The lanes a band uses top to bottom, evenly through it: one
            // in the middle.
            let y = row(*band) + 1.0 - (label.lane + 1) as f64 / (lanes[*band] + 1) as f64;
            let anchor = match label.side {
                Side::After => HPos::Left,
                Side::Before => HPos::Right,
            };
            // On a pale ground, that a band striped red and yellow does
            // not make hard to read.
            let (from, to) = label.pixels(&candidates[label.index]);
            let middle = chart.backend_coord(&(0.0, y)).1;
            plot.draw(&Rectangle::new(
                [
                    (from - 3 - base.0, middle - 9 - base.1),
                    (to + 3 - base.0, middle + 9 - base.1),
                ],
                WHITE.mix(0.7).filled(),
            ))
            .drawn()?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text.clone(),
                    (axis.at(*start), y),
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
    let mut text_widths = Vec::with_capacity(entries.len());
    for (_, label) in entries {
        let (text_width, _) = area.estimate_text_size(label, &font(14)).drawn()?;
        text_widths.push(text_width as i32);
    }
    for ((color, label), x) in entries
        .into_iter()
        .zip(legend_positions(&text_widths, width as i32))
    {
        area.draw(&Rectangle::new([(x, 8), (x + 14, 22)], color.filled()))
            .drawn()?;
        area.draw(&Text::new(label, (x + 20, 8), font(14)))
            .drawn()?;
    }
    Ok(())
}

/// Where the legend's entries start, for their texts' widths: in a row
/// from under the bands' left edge, or further left if that is what keeps
/// [`LEGEND_MARGIN`] clear at the right edge (the row reached within 2
/// pixels of it); the entries that fit, if even that is too little.
fn legend_positions(text_widths: &[i32], width: i32) -> Vec<i32> {
    // A swatch and its gap before the text, then a gap to the next entry.
    const SWATCH: i32 = 20;
    const GAP: i32 = 40;
    const UNDER_THE_BANDS: i32 = 170;
    let row: i32 = text_widths.iter().map(|w| SWATCH + w).sum::<i32>()
        + GAP * (text_widths.len() as i32 - 1).max(0);
    let mut x = UNDER_THE_BANDS
        .min(width - LEGEND_MARGIN - row)
        .max(LEGEND_MARGIN);
    let mut positions = Vec::with_capacity(text_widths.len());
    for w in text_widths {
        if x + SWATCH + w > width - LEGEND_MARGIN {
            break;
        }
        positions.push(x);
        x += SWATCH + w + GAP;
    }
    positions
}

/// An incident's label as it would be drawn: on the band `band`, from
/// pixel `x` (its start), `width` pixels wide.
struct LabelCandidate {
    band: usize,
    x: i32,
    width: i32,
}

/// Which side of its incident's start a label reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Rightwards from the start.
    After,
    /// Leftwards, ending at the start: an incident near the right edge.
    Before,
}

/// A label kept: the candidate's index, its lane in its band (0 the top),
/// and its side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlacedLabel {
    index: usize,
    lane: usize,
    side: Side,
}

impl PlacedLabel {
    /// The pixels `[from, to)` the label covers, of its candidate.
    fn pixels(&self, candidate: &LabelCandidate) -> (i32, i32) {
        match self.side {
            Side::After => (candidate.x, candidate.x + candidate.width),
            Side::Before => (candidate.x - candidate.width, candidate.x),
        }
    }
}

/// The labels to draw, of candidates in order of precedence: each in the
/// first of its band's [`LABEL_LANES`] where it keeps [`LABEL_GAP`] from
/// every label kept before it, after its incident's start or else before
/// it, inside the plot's pixels `[left, right)`; one that fits nowhere is
/// skipped, and past [`LABELLED_INCIDENTS`] the rest are. Drawn where they
/// fell, a crash loop's labels, and a managed control plane's outages,
/// were written over one another into a smear.
fn place_labels(candidates: &[LabelCandidate], (left, right): (i32, i32)) -> Vec<PlacedLabel> {
    // The pixels taken on each (band, lane), as [from, to).
    let mut taken: Vec<(usize, usize, i32, i32)> = Vec::new();
    let mut placed = Vec::new();
    for (index, c) in candidates.iter().enumerate() {
        if placed.len() == LABELLED_INCIDENTS {
            break;
        }
        let spot = [Side::After, Side::Before]
            .into_iter()
            .flat_map(|side| (0..LABEL_LANES).map(move |lane| PlacedLabel { index, lane, side }))
            .find(|p| {
                let (from, to) = p.pixels(c);
                from >= left + LABEL_GAP
                    && to <= right - LABEL_GAP
                    && taken.iter().all(|&(band, lane, a, b)| {
                        band != c.band
                            || lane != p.lane
                            || to + LABEL_GAP <= a
                            || b + LABEL_GAP <= from
                    })
            });
        if let Some(p) = spot {
            let (from, to) = p.pixels(c);
            taken.push((c.band, p.lane, from, to));
            placed.push(p);
        }
    }
    placed
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

    fn label(band: usize, x: i32, width: i32) -> LabelCandidate {
        LabelCandidate { band, x, width }
    }

    /// No two labels kept on a band's lane within [`LABEL_GAP`] of each
    /// other, and each inside the plot.
    fn apart(candidates: &[LabelCandidate], placed: &[PlacedLabel], plot: (i32, i32)) {
        for (i, p) in placed.iter().enumerate() {
            let (from, to) = p.pixels(&candidates[p.index]);
            assert!(
                from >= plot.0 + LABEL_GAP && to <= plot.1 - LABEL_GAP,
                "{p:?}"
            );
            for q in &placed[..i] {
                let (a, b) = q.pixels(&candidates[q.index]);
                let same_row =
                    candidates[p.index].band == candidates[q.index].band && p.lane == q.lane;
                assert!(
                    !same_row || to + LABEL_GAP <= a || b + LABEL_GAP <= from,
                    "{p:?} covers {q:?}"
                );
            }
        }
    }

    #[test]
    fn labels_that_would_cover_one_another_go_below_or_are_skipped() {
        // crash-loop: the longest incidents, close together on one band.
        let candidates = [
            label(0, 380, 230),
            label(0, 270, 230),
            label(0, 575, 230),
            label(0, 500, 230),
            label(0, 750, 230),
            label(0, 300, 230),
        ];
        let placed = place_labels(&candidates, (162, 988));
        apart(&candidates, &placed, (162, 988));
        let kept: Vec<(usize, usize)> = placed.iter().map(|p| (p.index, p.lane)).collect();
        assert_eq!(kept, [(0, 0), (1, 1), (2, 1), (4, 0)]);
    }

    #[test]
    fn a_label_near_the_right_edge_reads_leftwards_from_its_incident() {
        let candidates = [label(1, 900, 300), label(1, 100, 300)];
        let placed = place_labels(&candidates, (0, 1000));
        assert_eq!(
            placed,
            [
                PlacedLabel {
                    index: 0,
                    lane: 0,
                    side: Side::Before
                },
                PlacedLabel {
                    index: 1,
                    lane: 0,
                    side: Side::After
                }
            ]
        );
        // Too wide for either side: skipped, not drawn over the edge.
        assert!(place_labels(&[label(0, 500, 600)], (0, 1000)).is_empty());
    }

    #[test]
    fn bands_have_lanes_of_their_own_and_six_labels_at_most() {
        let candidates: Vec<LabelCandidate> = (0..10).map(|band| label(band, 200, 300)).collect();
        let placed = place_labels(&candidates, (0, 1000));
        assert_eq!(placed.len(), LABELLED_INCIDENTS);
        assert!(placed.iter().all(|p| p.lane == 0 && p.side == Side::After));
    }

    #[test]
    fn a_year_of_outages_on_one_band_keeps_only_labels_apart() {
        // managed-control-plane: twenty outages over a year, labels of
        // 300 pixels, the longest first.
        let candidates: Vec<LabelCandidate> = (0..20)
            .map(|i| label(1, 162 + (i * 379) % 820, 300))
            .collect();
        let placed = place_labels(&candidates, (162, 988));
        apart(&candidates, &placed, (162, 988));
        assert!(
            !placed.is_empty() && placed.len() < LABELLED_INCIDENTS,
            "{placed:?}"
        );
    }

    #[test]
    fn the_legend_keeps_a_margin_at_the_right_edge() {
        // The uptime chart's three entries, about as wide as DejaVu Sans
        // draws them: they ran to 2 pixels from the edge.
        let widths = [15, 430, 320];
        let positions = legend_positions(&widths, 1000);
        assert_eq!(positions.len(), 3);
        assert_eq!(positions[2] + 20 + 320, 1000 - LEGEND_MARGIN);
        // Narrow entries start under the bands.
        assert_eq!(legend_positions(&[15, 15], 1000)[0], 170);
        // Too wide even from the left margin: the first that fit.
        assert_eq!(legend_positions(&[400, 400, 400], 1000), [12, 472]);
    }

    #[test]
    fn intervals_closer_than_a_pixel_are_drawn_as_one() {
        let merged = coalesce([(0.0, 1.0), (1.5, 2.0), (10.0, 11.0)].into_iter(), 1.0);
        assert_eq!(merged, vec![(0.0, 2.0), (10.0, 11.0)]);
    }
}
