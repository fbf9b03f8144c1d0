//! Timeseries graphs drawn with plotters on a `<canvas>`: time on x in the browser's zone, one colored
//! line per series, and for `anomalies()` a grey band of expected values with the points outside it
//! in red. The pure parts (series extraction, bounds, hover lookup, labels) live in
//! `geometry` and `format`; this file holds the drawing itself.

mod format;
mod geometry;

use std::sync::Arc;

use chrono::{DateTime, Local, TimeZone};
use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::QueryResponse;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

pub use format::{clock_time, format_value, time_of_day, window_label};
pub use geometry::{Hover, Line, PlotBox, anomalies, hover_at, lines, y_bounds};

/// A query answer and the window it covers: what a graph shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphData {
    pub response: Arc<QueryResponse>,
    pub range: TimeRange,
}

/// Line colors, in series order (Datadog-like: distinct at a glance, readable on white).
pub const PALETTE: [(u8, u8, u8); 8] = [
    (63, 127, 224),
    (229, 116, 42),
    (42, 168, 118),
    (155, 89, 208),
    (214, 69, 93),
    (26, 163, 181),
    (201, 162, 39),
    (123, 135, 148),
];

/// The color of the `index`-th series, as plotters wants it.
fn color(index: usize) -> RGBColor {
    let (r, g, b) = PALETTE[index % PALETTE.len()];
    RGBColor(r, g, b)
}

/// The color of the `index`-th series as CSS, for the HTML legend and tooltip.
pub fn css_color(index: usize) -> String {
    let (r, g, b) = PALETTE[index % PALETTE.len()];
    format!("rgb({r}, {g}, {b})")
}

const GRID: RGBColor = RGBColor(232, 235, 240);
const AXIS: RGBColor = RGBColor(200, 205, 214);
const LABEL: RGBColor = RGBColor(98, 106, 120);
/// The expected-value band: a translucent grey, so lines and the grid show through it.
const BAND: RGBAColor = RGBAColor(110, 118, 130, 0.28);
/// Points outside their band: a red that no palette color is close to.
const ANOMALY: RGBColor = RGBColor(230, 25, 25);

/// The band and anomaly colors as CSS, for the legend.
pub const BAND_CSS: &str = "rgba(110, 118, 130, 0.28)";
pub const ANOMALY_CSS: &str = "rgb(230, 25, 25)";

/// What one draw put on the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    pub series: usize,
    /// Points with a value, summed over all series.
    pub points: usize,
    /// Series drawn with an `anomalies()` band.
    pub bands: usize,
    /// Points drawn as anomalies (outside their band).
    pub anomalies: usize,
    /// The plotting area in CSS pixels, for hover lookups.
    pub plot: PlotBox,
    /// The plotting area in canvas (device) pixels: left, top, right, bottom.
    pub device_box: (i32, i32, i32, i32),
}

/// Draws `lines` over `range` onto `canvas`, sized to its CSS box at the device pixel ratio so the
/// lines and text stay crisp on high-density screens.
pub fn draw(canvas: &HtmlCanvasElement, lines: &[Line], range: TimeRange) -> Result<Drawn, String> {
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let css_width = f64::from(canvas.client_width().max(1));
    let css_height = f64::from(canvas.client_height().max(1));
    canvas.set_width(scale_u32(css_width, dpr));
    canvas.set_height(scale_u32(css_height, dpr));
    let px = |css: f64| scale_u32(css, dpr);

    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("the browser gave the graph's canvas no 2D context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;

    let (from, to) = (local_time(range.from_ms)?, local_time(range.to_ms)?);
    let (y_min, y_max) = y_bounds(lines);
    let label_font = ("sans-serif", px(11.0)).into_font().color(&LABEL);
    let mut chart = ChartBuilder::on(&root)
        .margin_top(px(10.0))
        .margin_right(px(18.0))
        .margin_left(px(4.0))
        .x_label_area_size(px(26.0))
        .y_label_area_size(px(52.0))
        .build_cartesian_2d(from..to, y_min..y_max)
        .map_err(|e| e.to_string())?;

    let range_ms = range.duration_ms();
    let x_label_count = ((css_width / 120.0) as usize).clamp(4, 10);
    let y_label_count = ((css_height / 55.0) as usize).clamp(3, 8);
    chart
        .configure_mesh()
        .disable_x_mesh()
        // Not `max_light_lines(0)`: plotters' datetime axis then divides by zero points and panics
        // (u64 overflow in `compute_period_per_point`). Invisible light lines it is.
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(px(1.0)))
        .axis_style(AXIS.stroke_width(px(1.0)))
        .set_all_tick_mark_size(px(3.0))
        .x_labels(x_label_count)
        .y_labels(y_label_count)
        .x_label_style(label_font.clone())
        .y_label_style(label_font)
        .x_label_formatter(&|t: &DateTime<Local>| format::axis_time_label(t, range_ms))
        .y_label_formatter(&|v: &f64| format_value(*v))
        .draw()
        .map_err(|e| e.to_string())?;

    // Bands first, under every line: one translucent filled area per run of known band values.
    let mut bands = 0;
    for line in lines {
        let runs = geometry::band_runs(line);
        bands += usize::from(!runs.is_empty());
        for run in runs {
            let outline: Vec<(DateTime<Local>, f64)> = run
                .iter()
                .map(|&(ts, _, hi)| (ts, hi))
                .chain(run.iter().rev().map(|&(ts, lo, _)| (ts, lo)))
                .filter_map(|(ts, v)| Some((local_time(ts).ok()?, v)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, BAND.filled())))
                .map_err(|e| e.to_string())?;
        }
    }

    let mut points = 0;
    for (index, line) in lines.iter().enumerate() {
        let style = color(index).stroke_width(px(2.0));
        let drawn: Vec<(DateTime<Local>, f64)> = line
            .points
            .iter()
            .filter_map(|&(ts_ms, value)| Some((local_time(ts_ms).ok()?, value?)))
            .filter(|(_, v)| v.is_finite())
            .collect();
        points += drawn.len();
        if drawn.len() == 1 {
            // A lone point has no line to draw; show it as a dot.
            let dot = Circle::new(drawn[0], px(3.0), color(index).filled());
            chart
                .draw_series(std::iter::once(dot))
                .map_err(|e| e.to_string())?;
        } else {
            // Missing buckets are bridged, as Datadog does for sparse metrics (one point every 45 s
            // on a 5-minute graph would otherwise be a row of dots).
            chart
                .draw_series(LineSeries::new(drawn, style))
                .map_err(|e| e.to_string())?;
        }
    }

    // Points outside their band, on top of everything.
    let mut anomalies = 0;
    for line in lines {
        let dots: Vec<_> = geometry::anomalies(line)
            .into_iter()
            .filter_map(|(ts, v)| {
                Some(Circle::new(
                    (local_time(ts).ok()?, v),
                    px(3.5),
                    ANOMALY.filled(),
                ))
            })
            .collect();
        anomalies += dots.len();
        chart.draw_series(dots).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;

    let (x_px, y_px) = chart.plotting_area().get_pixel_range();
    Ok(Drawn {
        series: lines.len(),
        points,
        bands,
        anomalies,
        plot: PlotBox {
            left: f64::from(x_px.start) / dpr,
            right: f64::from(x_px.end) / dpr,
            top: f64::from(y_px.start) / dpr,
            bottom: f64::from(y_px.end) / dpr,
            range,
        },
        device_box: (x_px.start, y_px.start, x_px.end, y_px.end),
    })
}

fn scale_u32(css: f64, dpr: f64) -> u32 {
    (css * dpr).round().max(1.0) as u32
}

fn local_time(ts_ms: i64) -> Result<DateTime<Local>, String> {
    Local
        .timestamp_millis_opt(ts_ms)
        .single()
        .ok_or_else(|| format!("time {ts_ms} ms is out of range"))
}
