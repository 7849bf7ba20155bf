//! A sweep's charts: the nines against each varied setting, a line per
//! combination of the others, with 95 % whiskers; and the nines against
//! what they cost, in nodes or replicas.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{LIGHT_GRID, series};
use super::time_axis::{count_tick, tick};
use super::{Chart, Drawn, draw_series_labels, font};
use crate::experiment::Summary;

/// One point of a sweep: its settings, in the order of the varied paths.
#[derive(Debug, Clone)]
pub struct SweepChartPoint {
    pub values: Vec<String>,
    /// Nines by requests over the point's seeds.
    pub nines: Summary,
    /// Mean registered nodes and Deployment replicas.
    pub nodes: f64,
    pub replicas: f64,
}

/// Every chart of a sweep over `paths`.
pub fn sweep_charts(
    scenario: &str,
    paths: &[String],
    points: &[SweepChartPoint],
) -> (Vec<NinesAgainstSetting>, AvailabilityAgainstCost) {
    let by_setting = (0..paths.len())
        .map(|d| NinesAgainstSetting::new(scenario, paths, points, d))
        .collect();
    (
        by_setting,
        AvailabilityAgainstCost::new(scenario, paths, points),
    )
}

/// A setting's values as positions on an axis: numbers, percentages and
/// durations (in seconds) where every value is one, else their ranks.
struct Axis {
    positions: Vec<f64>,
    label: String,
    /// Text under each rank when the values are not numbers.
    categories: Option<Vec<String>>,
}

impl Axis {
    fn of(path: &str, values: &[String]) -> Axis {
        let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse().ok()).collect();
        if let Some(positions) = numbers {
            return Axis {
                positions,
                label: path.to_string(),
                categories: None,
            };
        }
        let percents: Option<Vec<f64>> = values
            .iter()
            .map(|v| v.strip_suffix('%').and_then(|n| n.parse().ok()))
            .collect();
        if let Some(positions) = percents {
            return Axis {
                positions,
                label: format!("{path} (%)"),
                categories: None,
            };
        }
        let seconds: Option<Vec<f64>> = values
            .iter()
            .map(|v| humantime::parse_duration(v).ok().map(|d| d.as_secs_f64()))
            .collect();
        if let Some(positions) = seconds {
            return Axis {
                positions,
                label: format!("{path} (s)"),
                categories: None,
            };
        }
        let mut distinct: Vec<String> = Vec::new();
        for v in values {
            if !distinct.contains(v) {
                distinct.push(v.clone());
            }
        }
        Axis {
            positions: values
                .iter()
                .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0) as f64)
                .collect(),
            label: path.to_string(),
            categories: Some(distinct),
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        padded(self.positions.iter().copied(), 0.08, f64::NEG_INFINITY)
    }
}

/// The span of the finite `values`, widened by `fraction` of itself on each
/// side (0.5 when it is a single value) and kept above `floor`. Never empty
/// or infinite, whatever the values: plotters loops for ever on an axis
/// from infinity, and a sweep's values or a shard file's figures may be
/// anything.
fn padded(values: impl Iterator<Item = f64>, fraction: f64, floor: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return floor.max(0.0)..1.0;
    }
    let pad = if hi > lo { (hi - lo) * fraction } else { 0.5 };
    let range = (lo - pad).max(floor)..(hi + pad);
    if range.start.is_finite() && range.end.is_finite() && range.start < range.end {
        range
    } else {
        lo.max(floor)..hi.max(lo.max(floor) + 1.0)
    }
}

/// The nines' range over the points' intervals, with a margin.
fn nines_range<'a>(nines: impl Iterator<Item = &'a Summary> + Clone) -> std::ops::Range<f64> {
    let ends = || nines.clone().flat_map(|n| n.ci95).filter(|v| v.is_finite());
    let lo = ends().fold(f64::INFINITY, f64::min);
    let hi = ends().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
    // At least 0.1 nines of margin, so that a flat line is not on an edge.
    let pad = ((hi - lo) * 0.1).max(0.1);
    let range = (lo - pad).max(0.0)..(hi + pad);
    if range.end.is_finite() {
        range
    } else {
        padded(ends(), 0.1, 0.0)
    }
}

fn whisker(x: f64, ci: [f64; 2], cap: f64, color: RGBColor) -> [PathElement<(f64, f64)>; 3] {
    let style = color.stroke_width(1);
    [
        PathElement::new(vec![(x, ci[0]), (x, ci[1])], style),
        PathElement::new(vec![(x - cap, ci[0]), (x + cap, ci[0])], style),
        PathElement::new(vec![(x - cap, ci[1]), (x + cap, ci[1])], style),
    ]
}

pub struct NinesAgainstSetting {
    title: String,
    file: String,
    axis: Axis,
    /// A line per combination of the other settings: its legend and its
    /// points, as indexes into `points`.
    lines: Vec<(String, Vec<usize>)>,
    points: Vec<SweepChartPoint>,
}

impl NinesAgainstSetting {
    fn new(scenario: &str, paths: &[String], points: &[SweepChartPoint], d: usize) -> Self {
        let values: Vec<String> = points.iter().map(|p| p.values[d].clone()).collect();
        let mut lines: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, p) in points.iter().enumerate() {
            let others: Vec<String> = paths
                .iter()
                .zip(&p.values)
                .enumerate()
                .filter(|(j, _)| *j != d)
                .map(|(_, (path, v))| format!("{}={v}", last_segment(path)))
                .collect();
            let legend = others.join(", ");
            match lines.iter_mut().find(|(l, _)| *l == legend) {
                Some((_, members)) => members.push(i),
                None => lines.push((legend, vec![i])),
            }
        }
        NinesAgainstSetting {
            title: format!("{scenario}: nines against {}", paths[d]),
            file: format!("nines-vs-{}", slug(&paths[d])),
            axis: Axis::of(&paths[d], &values),
            lines,
            points: points.to_vec(),
        }
    }
}

impl Chart for NinesAgainstSetting {
    fn name(&self) -> String {
        self.file.clone()
    }

    fn size(&self) -> (u32, u32) {
        (900, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let root = root.titled(&self.title, font(20)).drawn()?;
        let x_range = self.axis.range();
        let cap = (x_range.end - x_range.start) / 150.0;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(x_range, nines_range(self.points.iter().map(|p| &p.nines)))
            .drawn()?;
        let categories = self.axis.categories.clone();
        let integral = self.axis.positions.iter().all(|p| p.fract() == 0.0);
        let format_x = move |x: &f64| match &categories {
            Some(names) => {
                let rank = x.round();
                if (x - rank).abs() < 1e-9 && rank >= 0.0 {
                    names.get(rank as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            None if integral => count_tick(x),
            None => tick(x),
        };
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_desc(self.axis.label.as_str())
            .y_label_formatter(&tick)
            .y_desc("nines (requests)")
            .x_label_formatter(&format_x)
            .label_style(font(13))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        for (l, (legend, members)) in self.lines.iter().enumerate() {
            let color = series(l);
            let mut line: Vec<(f64, f64)> = members
                .iter()
                .map(|&i| (self.axis.positions[i], self.points[i].nines.mean))
                .collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            let drawn = chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
                .drawn()?;
            if !legend.is_empty() {
                drawn.label(legend.clone()).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2))
                });
            }
            chart
                .draw_series(line.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .drawn()?;
            for &i in members {
                let x = self.axis.positions[i];
                chart
                    .draw_series(whisker(x, self.points[i].nines.ci95, cap, color))
                    .drawn()?;
            }
        }
        if self.lines.len() > 1 {
            draw_series_labels(&mut chart, SeriesLabelPosition::LowerRight)?;
        }
        Ok(())
    }
}

pub struct AvailabilityAgainstCost {
    title: String,
    cost_label: &'static str,
    /// Per point: its cost, its nines, and its settings as a label.
    points: Vec<(f64, Summary, String)>,
}

/// The points no other beats: none cheaper or as cheap has as many nines.
/// These are the settings worth paying for, in order of cost.
fn frontier(points: &[(f64, Summary, String)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(points[b].1.mean.total_cmp(&points[a].1.mean))
    });
    let mut best = f64::NEG_INFINITY;
    order
        .into_iter()
        .filter(|&i| {
            let better = points[i].1.mean > best;
            best = best.max(points[i].1.mean);
            better
        })
        .collect()
}

impl AvailabilityAgainstCost {
    fn new(scenario: &str, paths: &[String], points: &[SweepChartPoint]) -> Self {
        // Nodes, if the settings changed them; else the replicas.
        let nodes_vary = points.windows(2).any(|w| w[0].nodes != w[1].nodes);
        let (cost_label, cost): (&'static str, fn(&SweepChartPoint) -> f64) = if nodes_vary {
            ("nodes (mean over the run)", |p| p.nodes)
        } else {
            ("replicas (mean over the run, all workloads)", |p| {
                p.replicas
            })
        };
        AvailabilityAgainstCost {
            title: format!("{scenario}: nines against cost"),
            cost_label,
            points: points
                .iter()
                .map(|p| {
                    let label = paths
                        .iter()
                        .zip(&p.values)
                        .map(|(path, v)| format!("{}={v}", last_segment(path)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (cost(p), p.nines.clone(), label)
                })
                .collect(),
        }
    }
}

impl Chart for AvailabilityAgainstCost {
    fn name(&self) -> String {
        "availability-vs-cost".to_string()
    }

    fn size(&self) -> (u32, u32) {
        (900, 520)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let root = root.titled(&self.title, font(20)).drawn()?;
        let costs = || self.points.iter().map(|p| p.0).filter(|c| c.is_finite());
        let lo = costs().fold(f64::INFINITY, f64::min);
        let hi = costs().fold(f64::NEG_INFINITY, f64::max);
        let x_range = padded(costs(), 0.12, 0.0);
        let cap = (x_range.end - x_range.start) / 150.0;
        let integral = self.points.iter().all(|p| p.0.fract() == 0.0);
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(56)
            .build_cartesian_2d(x_range, nines_range(self.points.iter().map(|p| &p.1)))
            .drawn()?;
        chart
            .configure_mesh()
            .light_line_style(LIGHT_GRID)
            .x_label_formatter(if integral { &count_tick } else { &tick })
            .y_label_formatter(&tick)
            .x_desc(self.cost_label)
            .y_desc("nines (requests)")
            .label_style(font(13))
            .axis_desc_style(font(14))
            .draw()
            .drawn()?;
        let (dominated, best) = (series(6), series(0));
        for (cost, nines, _) in &self.points {
            chart
                .draw_series(whisker(*cost, nines.ci95, cap, dominated))
                .drawn()?;
            chart
                .draw_series([Circle::new((*cost, nines.mean), 3, dominated.filled())])
                .drawn()?;
        }
        let frontier = frontier(&self.points);
        let line: Vec<(f64, f64)> = frontier
            .iter()
            .map(|&i| (self.points[i].0, self.points[i].1.mean))
            .collect();
        chart
            .draw_series(LineSeries::new(line, best.stroke_width(2)))
            .drawn()?
            .label("the best nines for the cost")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], best.stroke_width(2)));
        let right_edge = hi - (hi - lo) * 0.3;
        for &i in &frontier {
            let (cost, nines, label) = &self.points[i];
            let anchor = if *cost > right_edge && hi > lo {
                HPos::Right
            } else {
                HPos::Left
            };
            chart
                .draw_series([
                    Circle::new((*cost, nines.mean), 5, best.filled()).into_dyn(),
                    Text::new(
                        format!(" {label} "),
                        (*cost, nines.mean),
                        font(12).pos(Pos::new(anchor, VPos::Bottom)),
                    )
                    .into_dyn(),
                ])
                .drawn()?;
        }
        draw_series_labels(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}

/// `workloads.web.replicas` → `replicas`: enough in a legend.
fn last_segment(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A path as a file name: `workloads.web.replicas` → `workloads-web-replicas`.
fn slug(path: &str) -> String {
    path.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn settings_become_numbers_where_they_can() {
        assert_eq!(
            Axis::of("r", &strings(&["1", "3"])).positions,
            vec![1.0, 3.0]
        );
        let pct = Axis::of("s", &strings(&["25%", "50%"]));
        assert_eq!(
            (pct.positions, pct.label.as_str()),
            (vec![25.0, 50.0], "s (%)")
        );
        let d = Axis::of("g", &strings(&["20s", "1m"]));
        assert_eq!((d.positions, d.label.as_str()), (vec![20.0, 60.0], "g (s)"));
        let c = Axis::of("t", &strings(&["Recreate", "RollingUpdate", "Recreate"]));
        assert_eq!(c.positions, vec![0.0, 1.0, 0.0]);
        assert_eq!(c.categories.unwrap().len(), 2);
    }

    #[test]
    fn the_frontier_keeps_the_points_no_cheaper_one_beats() {
        let p = |cost: f64, nines: f64| (cost, Summary::of(&[nines]), String::new());
        let points = vec![
            p(3.0, 2.0),
            p(1.0, 1.0),
            p(2.0, 2.5),
            p(2.0, 2.2),
            p(4.0, 2.4),
        ];
        assert_eq!(frontier(&points), vec![1, 2]);
    }

    #[test]
    fn a_path_becomes_a_file_name() {
        assert_eq!(slug("workloads.web.replicas"), "workloads-web-replicas");
        assert_eq!(last_segment("workloads.web.replicas"), "replicas");
    }

    #[test]
    fn an_axis_is_finite_and_not_empty_whatever_the_values() {
        let cases: [&[f64]; 5] = [
            &[],
            &[f64::NAN, f64::INFINITY],
            &[1.0, f64::NAN, 2.0, f64::NEG_INFINITY],
            &[f64::MAX, -f64::MAX],
            &[3.0],
        ];
        for values in cases {
            let r = padded(values.iter().copied(), 0.1, f64::NEG_INFINITY);
            assert!(
                r.start.is_finite() && r.end.is_finite(),
                "{values:?}: {r:?}"
            );
            assert!(r.start < r.end, "{values:?}: {r:?}");
        }
        let r = padded([1.0, 2.0].into_iter(), 0.1, 0.0);
        assert!(
            (r.start - 0.9).abs() < 1e-12 && (r.end - 2.1).abs() < 1e-12,
            "{r:?}"
        );
    }
}
