//! Colours: one per workload, and the states of the uptime timeline.
//! The workloads' first seven are Okabe and Ito's palette, told apart by
//! people with the common forms of colour blindness; past seven, three of
//! Paul Tol's "muted" hues (indigo, wine, olive), unlike any of those, so
//! that ten workloads get ten colours. None is the grey that stands for every workload in a
//! legend.

use plotters::style::RGBColor;

const SERIES: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
    RGBColor(51, 34, 136),
    RGBColor(136, 34, 85),
    RGBColor(153, 153, 51),
];

/// The colour of the `i`th series.
pub(crate) fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

pub(crate) const UP: RGBColor = RGBColor(102, 187, 106);
pub(crate) const DEGRADED: RGBColor = RGBColor(255, 193, 7);
pub(crate) const DOWN: RGBColor = RGBColor(211, 47, 47);
/// What stands for every workload: the legend's samples of a kind of
/// line, the Ready nodes.
pub(crate) const GREY: RGBColor = RGBColor(128, 128, 128);
/// The minor grid lines: there, but quieter than any data.
pub(crate) const LIGHT_GRID: RGBColor = RGBColor(240, 240, 240);

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::Color;

    #[test]
    fn ten_workloads_get_ten_colours_none_of_them_the_legends_grey() {
        let colours: Vec<_> = (0..10).map(|i| series(i).rgb()).collect();
        for (i, c) in colours.iter().enumerate() {
            assert!(!colours[..i].contains(c), "workload {i} repeats {c:?}");
            assert_ne!(*c, GREY.rgb());
        }
    }
}
