//! A legend beside the plot rather than on it, where no curve can hide
//! under it.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{Drawn, font};

/// How a series is drawn, for its legend entry.
#[derive(Clone, Copy)]
pub(crate) enum Stroke {
    Solid(u32),
    Dashed,
}

/// Width of the area a legend takes to the right of a plot.
pub(crate) const LEGEND_WIDTH: u32 = 190;

/// The entries top to bottom, a line sample and a label each.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(RGBColor, Stroke, String)],
) -> Result<(), String> {
    for (i, (color, stroke, label)) in entries.iter().enumerate() {
        let y = 24 + 20 * i as i32;
        match stroke {
            Stroke::Solid(width) => area
                .draw(&PathElement::new(
                    vec![(4, y), (26, y)],
                    color.stroke_width(*width),
                ))
                .drawn()?,
            Stroke::Dashed => area
                .draw(&DashedPathElement::new(
                    vec![(4, y), (26, y)],
                    5,
                    3,
                    color.stroke_width(1),
                ))
                .drawn()?,
        }
        area.draw(&Text::new(label.clone(), (32, y - 7), font(13)))
            .drawn()?;
    }
    Ok(())
}
