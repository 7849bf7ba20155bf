//! A quantity held from one sample to the next (a count of pods, a rate
//! between changes), drawn as a step line, or, when it changes more often
//! than the chart has pixels, as the band of its range over each column of
//! time with its time-weighted mean (or that mean alone, for spikes): a
//! year of daily cycles drawn as a line is a moiré, as a band it is the
//! daily range.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::Drawn;
use super::legend::Stroke;

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

/// What a held quantity is drawn as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Held {
    /// The corners of its step line, to the end of the run.
    Line(Vec<(f64, f64)>),
    /// Its columns, when its step line has more corners than twice as many.
    Band(Vec<Column>),
}

/// A quantity held from one point to the next, reduced as its points come
/// to what is drawn of it: the corners of its step line while they are few
/// enough to draw, and its columns. A year's points are never all held.
#[derive(Debug)]
pub(crate) struct HeldSeries {
    end: f64,
    count: usize,
    /// `None` once there are more than a line is drawn with.
    corners: Option<Vec<(f64, f64)>>,
    /// From the first point on.
    columns: Option<Columns>,
}

impl HeldSeries {
    /// A quantity over `count` equal columns from its first point to `end`.
    pub fn new(end: f64, count: usize) -> Self {
        HeldSeries {
            end,
            count,
            corners: Some(Vec::new()),
            columns: None,
        }
    }

    /// The next point, in time order: the quantity holds `value` from `t`.
    pub fn push(&mut self, t: f64, value: f64) {
        self.push_corner(t, value);
        let (end, count) = (self.end, self.count);
        self.columns
            .get_or_insert_with(|| Columns::new(t, value, end, count))
            .push(t, value);
    }

    fn push_corner(&mut self, t: f64, value: f64) {
        let Some(line) = &mut self.corners else {
            return;
        };
        match line.last() {
            // Held on: no corner.
            Some(&(_, held)) if held == value => return,
            Some(&(_, held)) => line.push((t, held)),
            None => {}
        }
        line.push((t, value));
        // With the corner at the end still to come, more than the columns
        // can show.
        if line.len() + 1 > 2 * self.count {
            self.corners = None;
        }
    }

    pub fn finish(self) -> Held {
        match (self.corners, self.columns) {
            (Some(mut line), _) => {
                if let Some(&(_, held)) = line.last() {
                    line.push((self.end, held));
                }
                Held::Line(line)
            }
            (None, Some(columns)) => Held::Band(columns.finish()),
            (None, None) => unreachable!("corners are dropped only past the first point"),
        }
    }
}

/// Equal columns of `[start, end]`, each closed once a point falls past it.
#[derive(Debug)]
struct Columns {
    start: f64,
    end: f64,
    width: f64,
    count: usize,
    done: Vec<Column>,
    /// The column open: its span, and the range and area held in it so far.
    from: f64,
    to: f64,
    min: f64,
    max: f64,
    area: f64,
    since: f64,
    held: f64,
}

impl Columns {
    fn new(start: f64, held: f64, end: f64, count: usize) -> Self {
        let mut columns = Columns {
            start,
            end,
            width: (end - start) / count as f64,
            count,
            done: Vec::with_capacity(count),
            from: start,
            to: end,
            min: held,
            max: held,
            area: 0.0,
            since: start,
            held,
        };
        columns.open();
        columns
    }

    fn open(&mut self) {
        let c = self.done.len();
        self.from = self.start + self.width * c as f64;
        self.to = if c + 1 == self.count {
            self.end
        } else {
            self.from + self.width
        };
        (self.min, self.max, self.area) = (self.held, self.held, 0.0);
        self.since = self.from;
    }

    fn close(&mut self) {
        self.area += self.held * (self.to - self.since);
        self.done.push(Column {
            from: self.from,
            to: self.to,
            min: self.min,
            max: self.max,
            mean: if self.to > self.from {
                self.area / (self.to - self.from)
            } else {
                self.held
            },
        });
        if self.done.len() < self.count {
            self.open();
        }
    }

    fn push(&mut self, t: f64, value: f64) {
        while self.done.len() < self.count && t >= self.to {
            self.close();
        }
        if self.done.len() == self.count {
            // Past the end: not drawn.
            return;
        }
        let t = t.max(self.from);
        self.area += self.held * (t - self.since);
        self.since = t;
        self.held = value;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    fn finish(mut self) -> Vec<Column> {
        while self.done.len() < self.count {
            self.close();
        }
        self.done
    }
}

/// What is drawn of a held quantity's columns.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dense {
    /// Each column's range as a band, and its mean.
    Band,
    /// Each column's mean alone: for a quantity in spikes (failing
    /// requests), whose range would fill every column of a long run.
    Mean,
}

impl Held {
    /// The most its line reaches, or as columns their highest mean.
    pub fn top_drawn_as_means(&self) -> f64 {
        match self {
            Held::Line(corners) => corners.iter().map(|c| c.1).fold(0.0, f64::max),
            Held::Band(cols) => cols.iter().map(|c| c.mean).fold(0.0, f64::max),
        }
    }
}

/// Draws a held quantity as its step line, or as its columns. True if it
/// was drawn as columns.
pub(crate) fn draw_held<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    held: &Held,
    dense: Dense,
    color: RGBColor,
    stroke: Stroke,
) -> Result<bool, String> {
    let cols = match held {
        Held::Line(corners) => {
            line(chart, corners.clone(), color, stroke)?;
            return Ok(false);
        }
        Held::Band(cols) => cols,
    };
    let mean = cols.iter().flat_map(|c| [(c.from, c.mean), (c.to, c.mean)]);
    if dense == Dense::Mean {
        line(chart, mean.collect(), color, stroke)?;
        return Ok(true);
    }
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
        Stroke::Solid(width) => {
            let pieces = unfolded(corners, width, |p| chart.backend_coord(&p));
            chart
                .draw_series(
                    (pieces.into_iter())
                        .map(|piece| PathElement::new(piece, color.stroke_width(width))),
                )
                .drawn()
                .map(|_| ())
        }
        Stroke::Dashed => chart
            .draw_series(DashedLineSeries::new(corners, 6, 4, color.stroke_width(1)))
            .drawn()
            .map(|_| ()),
    }
}

/// The line cut in pieces where, in pixels, it turns back on itself
/// closer than its `width`: a spike up and down within a pixel or two of
/// time. plotters' bitmap backend outlines a line wider than a pixel as a
/// polygon, and takes a turn straight back for a straight continuation
/// and one round a pixel for a loop, so that such a spike enclosed no area
/// and was missing from the PNG, or drawn hollow (the SVG had it).
fn unfolded(
    corners: Vec<(f64, f64)>,
    width: u32,
    pixel: impl Fn((f64, f64)) -> (i32, i32),
) -> Vec<Vec<(f64, f64)>> {
    let width = i64::from(width);
    let mut pieces = Vec::new();
    let mut piece: Vec<(f64, f64)> = Vec::new();
    let mut last: Option<(i32, i32)> = None;
    // The direction of the last segment, and of the one before it if the
    // last is shorter than the width.
    let mut heading: Option<(i64, i64)> = None;
    let mut before: Option<(i64, i64)> = None;
    for corner in corners {
        let at = pixel(corner);
        if let Some(from) = last.filter(|&from| from != at) {
            let step = (i64::from(at.0 - from.0), i64::from(at.1 - from.1));
            let back =
                |h: (i64, i64)| h.0 * step.1 == h.1 * step.0 && h.0 * step.0 + h.1 * step.1 < 0;
            if heading.is_some_and(back) || before.is_some_and(back) {
                let turn = *piece.last().expect("a piece has its first corner");
                pieces.push(std::mem::replace(&mut piece, vec![turn]));
            }
            let short = step.0 * step.0 + step.1 * step.1 < width * width;
            before = if short { heading } else { None };
            heading = Some(step);
        }
        last = Some(at);
        piece.push(corner);
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(points: &[(f64, f64)], end: f64, count: usize) -> Held {
        let mut series = HeldSeries::new(end, count);
        for &(t, v) in points {
            series.push(t, v);
        }
        series.finish()
    }

    #[test]
    fn a_step_line_holds_each_value_until_the_next() {
        assert_eq!(
            held(&[(0.0, 3.0), (5.0, 3.0), (10.0, 2.0)], 20.0, 2),
            Held::Line(vec![(0.0, 3.0), (10.0, 3.0), (10.0, 2.0), (20.0, 2.0)])
        );
    }

    #[test]
    fn a_line_is_cut_where_it_turns_back_closer_than_its_width() {
        let pixel = |(t, v): (f64, f64)| (t as i32, -(v as i32));
        // Up at 1 and down again at 1.2, within the pixel of 1.
        let spike = vec![
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 5.0),
            (1.2, 5.0),
            (1.2, 0.0),
            (3.0, 0.0),
        ];
        assert_eq!(
            unfolded(spike, 2, pixel),
            [
                vec![(0.0, 0.0), (1.0, 0.0), (1.0, 5.0), (1.2, 5.0)],
                vec![(1.2, 5.0), (1.2, 0.0), (3.0, 0.0)],
            ]
        );
        // Down at 1 and up again a pixel later, under a line 2 pixels wide.
        let dip = vec![
            (0.0, 5.0),
            (1.0, 5.0),
            (1.0, 0.0),
            (2.0, 0.0),
            (2.0, 5.0),
            (4.0, 5.0),
        ];
        assert_eq!(
            unfolded(dip.clone(), 2, pixel),
            [
                vec![(0.0, 5.0), (1.0, 5.0), (1.0, 0.0), (2.0, 0.0)],
                vec![(2.0, 0.0), (2.0, 5.0), (4.0, 5.0)],
            ]
        );
        // A pixel is wide enough for a line of one.
        assert_eq!(unfolded(dip.clone(), 1, pixel), [dip]);
        // A step that goes on is not cut.
        let steps = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 5.0), (3.0, 5.0), (3.0, 0.0)];
        assert_eq!(unfolded(steps.clone(), 2, pixel), [steps]);
    }

    #[test]
    fn a_spike_narrower_than_a_pixel_is_drawn_in_the_png() {
        // A failing rate of 50 for one second of a day, drawn 2 pixels wide.
        let (width, height) = (200, 100);
        let mut pixels = vec![255u8; width * height * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (width as u32, height as u32))
                .into_drawing_area();
            let mut chart = ChartBuilder::on(&root)
                .build_cartesian_2d(0.0..86_400.0, 0.0..60.0)
                .expect("a chart");
            let corners = vec![
                (0.0, 0.0),
                (40_000.0, 0.0),
                (40_000.0, 50.0),
                (40_001.0, 50.0),
                (40_001.0, 0.0),
                (86_400.0, 0.0),
            ];
            line(&mut chart, corners, RGBColor(0, 0, 255), Stroke::Solid(2)).expect("drawn");
            root.present().expect("presented");
        }
        let blue = |x: usize, y: usize| {
            let i = (y * width + x) * 3;
            pixels[i] < 100 && pixels[i + 2] > 200
        };
        let x = 40_000 * width / 86_400;
        let drawn = (20..80)
            .filter(|&y| (x - 2..=x + 2).any(|x| blue(x, y)))
            .count();
        assert_eq!(drawn, 60, "the spike's pixels from y = 20 to 80");
    }

    #[test]
    fn more_corners_than_twice_the_columns_make_a_band() {
        // Four corners with the end's: a line over two columns, a band over one.
        let points = [(0.0, 3.0), (10.0, 2.0)];
        assert!(matches!(held(&points, 20.0, 2), Held::Line(_)));
        assert!(matches!(held(&points, 20.0, 1), Held::Band(_)));
    }

    #[test]
    fn a_column_has_the_range_and_the_time_weighted_mean_it_held() {
        // 3 over [0, 5), 1 over [5, 8), 2 from 8 on; columns of 10.
        let Held::Band(cols) = held(&[(0.0, 3.0), (5.0, 1.0), (8.0, 2.0)], 20.0, 1) else {
            panic!("a band");
        };
        assert_eq!((cols[0].min, cols[0].max), (1.0, 3.0));
        assert!((cols[0].mean - (15.0 + 3.0 + 24.0) / 20.0).abs() < 1e-12);
        let mut series = HeldSeries::new(20.0, 2);
        series.corners = None;
        for (t, v) in [(0.0, 3.0), (5.0, 1.0), (8.0, 2.0)] {
            series.push(t, v);
        }
        let Held::Band(cols) = series.finish() else {
            panic!("a band");
        };
        assert_eq!((cols[0].min, cols[0].max), (1.0, 3.0));
        assert!((cols[0].mean - (15.0 + 3.0 + 4.0) / 10.0).abs() < 1e-12);
        assert_eq!((cols[1].min, cols[1].max, cols[1].mean), (2.0, 2.0, 2.0));
    }

    /// The columns as a pass over every point kept would make them: how
    /// they were made before the points came one at a time.
    fn columns_of_all(points: &[(f64, f64)], start: f64, end: f64, count: usize) -> Vec<Column> {
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

    #[test]
    fn columns_made_point_by_point_are_bit_for_bit_those_of_a_pass_over_all() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..200 {
            let n = rng.random_range(1..400);
            // Half the cases on whole seconds, with columns of a second:
            // points fall on the columns' edges.
            let aligned = case % 2 == 0;
            let mut t: f64 = rng.random_range(0.0..5.0);
            if aligned {
                t = t.floor();
            }
            let mut points = Vec::with_capacity(n);
            for _ in 0..n {
                points.push((t, rng.random_range(0.0..100.0_f64).round() / 7.0));
                // Some points share an instant, some land past the end.
                let step = rng.random_range(0.0..3.0_f64).floor();
                t += if aligned {
                    step
                } else {
                    step * rng.random_range(0.0..1.0)
                };
            }
            let count = rng.random_range(1..60);
            let end = if aligned {
                points[0].0 + count as f64
            } else {
                rng.random_range(points[n / 2].0..t + 2.0)
            };
            let mut series = HeldSeries::new(end, count);
            series.corners = None;
            for &(t, v) in &points {
                series.push(t, v);
            }
            let Held::Band(cols) = series.finish() else {
                panic!("a band");
            };
            let expected = columns_of_all(&points, points[0].0, end, count);
            assert_eq!(cols.len(), expected.len(), "case {case}");
            for (a, b) in cols.iter().zip(&expected) {
                let bits = |c: &Column| [c.from, c.to, c.min, c.max, c.mean].map(f64::to_bits);
                assert_eq!(bits(a), bits(b), "case {case}");
            }
        }
    }
}
