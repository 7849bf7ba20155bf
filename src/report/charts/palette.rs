//! Colours: one per workload, told apart by people with the common forms
//! of colour blindness (Okabe and Ito's palette), and the states of the
//! uptime timeline.

use plotters::style::RGBColor;

const SERIES: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
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
