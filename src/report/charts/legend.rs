//! A legend beside the plot rather than on it, where no curve can hide
//! under it.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{Drawn, font};

/// How a line is drawn.
#[derive(Clone, Copy)]
pub(crate) enum Stroke {
    Solid(u32),
    Dashed,
}

/// What a legend entry shows: a line, a shaded range, or only its words.
#[derive(Clone, Copy)]
pub(crate) enum Swatch {
    Line(Stroke),
    Band,
    Note,
}

/// Width of the area a legend takes to the right of a plot.
pub(crate) const LEGEND_WIDTH: u32 = 200;

/// The entries top to bottom, a line sample and a label each.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(RGBColor, Swatch, String)],
) -> Result<(), String> {
    // 20 pixels an entry, closer if that is what the area holds.
    let height = area.dim_in_pixel().1 as i32;
    let step = ((height - 30) / entries.len().max(1) as i32).clamp(12, 20);
    for (i, (color, swatch, label)) in entries.iter().enumerate() {
        let y = 24 + step * i as i32;
        match swatch {
            Swatch::Line(Stroke::Solid(width)) => area
                .draw(&PathElement::new(
                    vec![(4, y), (26, y)],
                    color.stroke_width(*width),
                ))
                .drawn()?,
            Swatch::Line(Stroke::Dashed) => area
                .draw(&DashedPathElement::new(
                    vec![(4, y), (26, y)],
                    5,
                    3,
                    color.stroke_width(1),
                ))
                .drawn()?,
            Swatch::Band => area
                .draw(&Rectangle::new(
                    [(4, y - 5), (26, y + 5)],
                    color.mix(0.25).filled(),
                ))
                .drawn()?,
            Swatch::Note => {}
        }
        area.draw(&Text::new(label.clone(), (32, y - 7), font(13)))
            .drawn()?;
    }
    Ok(())
}
