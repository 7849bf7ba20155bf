//! Charts, each as SVG and PNG, drawn with plotters on the bundled DejaVu
//! Sans: no system font is looked up, so they render the same on any
//! machine. A chart is drawn once per backend from the same description,
//! into memory; writing files is the caller's.

mod downtime;
mod held;
mod legend;
mod palette;
mod replicas;
mod samples;
mod sweep;
mod time_axis;
mod uptime;

pub use downtime::DowntimeHistogram;
pub use replicas::{ErrorRateChart, ReplicasChart};
pub use samples::ChartSamples;
pub use sweep::{SweepChartPoint, sweep_charts};
pub use uptime::UptimeTimeline;

use std::sync::Once;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::FontStyle;

/// A chart in both formats, with the file stem it goes under.
#[derive(Debug, Clone)]
pub struct RenderedChart {
    pub name: String,
    pub svg: String,
    pub png: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart `{chart}`: {message}")]
pub struct ChartError {
    chart: String,
    message: String,
}

/// What a chart knows how to draw, whatever the backend.
pub trait Chart {
    /// The file stem: `uptime` becomes `uptime.svg` and `uptime.png`.
    fn name(&self) -> String;
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// A plotters result as one whose error is its message: the backends'
/// error types differ, the caller only reports them.
pub(crate) trait Drawn<T> {
    fn drawn(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Drawn<T> for Result<T, E> {
    fn drawn(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// The font every chart names; registered once, from the binary.
pub(crate) const FONT: &str = "sans-serif";

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bytes are DejaVu Sans itself: they parse.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// Draws `chart` as SVG and as PNG.
pub fn render(chart: &impl Chart) -> Result<RenderedChart, ChartError> {
    register_font();
    let error = |message| ChartError {
        chart: chart.name(),
        message,
    };
    let size = chart.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).drawn().map_err(error)?;
        chart.draw(&root).map_err(error)?;
        root.present().drawn().map_err(error)?;
    }
    let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE).drawn().map_err(error)?;
        chart.draw(&root).map_err(error)?;
        root.present().drawn().map_err(error)?;
    }
    let png = encode_png(&pixels, size).map_err(|e| error(e.to_string()))?;
    Ok(RenderedChart {
        name: chart.name(),
        svg,
        png,
    })
}

/// One run's charts: the uptime timeline, pods and load, failing requests.
pub fn run_charts(
    report: &crate::report::Report,
    samples: ChartSamples,
) -> Result<[RenderedChart; 3], ChartError> {
    let series = samples.finish();
    Ok([
        render(&UptimeTimeline::new(report, &series))?,
        render(&ReplicasChart::new(report, &series))?,
        render(&ErrorRateChart::new(report, &series))?,
    ])
}

fn encode_png(rgb: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(png)
}

/// The legend of the series drawn with labels, boxed at `position`.
pub(crate) fn draw_series_labels<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(font(13))
        .draw()
        .drawn()
}

/// A style of the bundled font at `size` pixels.
pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}
