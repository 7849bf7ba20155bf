//! A quantity held from one sample to the next (a count of pods, a rate
//! between changes), drawn as a step line, or, when it changes more often
//! than the chart has pixels, as the band of its range over each column of
//! time with its time-weighted mean: a year of daily cycles drawn as a line
//! is a moiré, as a band it is the daily range.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::Drawn;
use super::legend::Stroke;

/// The corners of the step line through `points` up to `end`.
pub(crate) fn steps(points: impl IntoIterator<Item = (f64, f64)>, end: f64) -> Vec<(f64, f64)> {
    let mut line: Vec<(f64, f64)> = Vec::new();
    for (t, v) in points {
        match line.last() {
            // Held on: no corner.
            Some(&(_, held)) if held == v => continue,
            Some(&(_, held)) => line.push((t, held)),
            None => {}
        }
        line.push((t, v));
    }
    if let Some(&(_, held)) = line.last() {
        line.push((end, held));
    }
    line
}

/// One column of time: the least and the most the quantity held in it,
/// and its time-weighted mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Column {
    pub from: f64,
    pub to: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
}

/// `points` (in time order, each held until the next) over `count` equal
/// columns of `[start, end]`.
pub(crate) fn columns(points: &[(f64, f64)], start: f64, end: f64, count: usize) -> Vec<Column> {
    let width = (end - start) / count as f64;
    let mut out = Vec::with_capacity(count);
    let mut i = 0;
    let mut held = points.first().map_or(0.0, |p| p.1);
    for c in 0..count {
        let from = start + width * c as f64;
        let to = if c + 1 == count { end } else { from + width };
        let (mut min, mut max, mut area) = (held, held, 0.0);
        let mut since = from;
        while i < points.len() && points[i].0 < to {
            let (t, v) = points[i];
            let t = t.max(from);
            area += held * (t - since);
            since = t;
            held = v;
            min = min.min(v);
            max = max.max(v);
            i += 1;
        }
        area += held * (to - since);
        out.push(Column {
            from,
            to,
            min,
            max,
            mean: if to > from { area / (to - from) } else { held },
        });
    }
    out
}

/// Draws `points` (held until the next, the last until `end`); as a band
/// over `count` columns if it has more corners than twice as many. True if
/// it was drawn as a band.
pub(crate) fn draw_held<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    end: f64,
    count: usize,
    color: RGBColor,
    stroke: Stroke,
) -> Result<bool, String> {
    let corners = steps(points.iter().copied(), end);
    if corners.len() <= 2 * count {
        line(chart, corners, color, stroke)?;
        return Ok(false);
    }
    let start = points.first().map_or(0.0, |p| p.0);
    let cols = columns(points, start, end, count);
    let upper = cols.iter().flat_map(|c| [(c.from, c.max), (c.to, c.max)]);
    let lower = cols
        .iter()
        .rev()
        .flat_map(|c| [(c.to, c.min), (c.from, c.min)]);
    chart
        .draw_series(std::iter::once(Polygon::new(
            upper.chain(lower).collect::<Vec<_>>(),
            color.mix(0.25).filled(),
        )))
        .drawn()?;
    let mean = cols.iter().flat_map(|c| [(c.from, c.mean), (c.to, c.mean)]);
    line(chart, mean.collect(), color, stroke)?;
    Ok(true)
}

fn line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    corners: Vec<(f64, f64)>,
    color: RGBColor,
    stroke: Stroke,
) -> Result<(), String> {
    match stroke {
        Stroke::Solid(width) => chart
            .draw_series(LineSeries::new(corners, color.stroke_width(width)))
            .drawn()
            .map(|_| ()),
        Stroke::Dashed => chart
            .draw_series(DashedLineSeries::new(corners, 6, 4, color.stroke_width(1)))
            .drawn()
            .map(|_| ()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_line_holds_each_value_until_the_next() {
        assert_eq!(
            steps([(0.0, 3.0), (5.0, 3.0), (10.0, 2.0)], 20.0),
            vec![(0.0, 3.0), (10.0, 3.0), (10.0, 2.0), (20.0, 2.0)]
        );
    }

    #[test]
    fn a_column_has_the_range_and_the_time_weighted_mean_it_held() {
        // 3 over [0, 5), 1 over [5, 8), 2 from 8 on; columns of 10.
        let cols = columns(&[(0.0, 3.0), (5.0, 1.0), (8.0, 2.0)], 0.0, 20.0, 2);
        assert_eq!((cols[0].min, cols[0].max), (1.0, 3.0));
        assert!((cols[0].mean - (15.0 + 3.0 + 4.0) / 10.0).abs() < 1e-12);
        assert_eq!((cols[1].min, cols[1].max, cols[1].mean), (2.0, 2.0, 2.0));
    }
}
