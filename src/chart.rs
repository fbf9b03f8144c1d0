//! Timeseries graphs on a `<canvas>`: time on x in the browser's zone, one line (or area, or bars)
//! per series in its query's palette, for `anomalies()` a grey band of expected values with the
//! points outside it in red, and dashed markers. Everything is drawn straight onto the 2D context:
//! the data after being reduced to what the pixels can show (`decimate`), which keeps a graph of a
//! hundred thousand points as quick to draw as one of a hundred, and the frame (grid, axes, labels)
//! from round ticks (`axis`). This replaced plotters, whose per-label font and color strings and
//! per-tick date conversions cost more than the whole data path. The pure parts (series
//! extraction, bounds, hover lookup, ticks, labels, colors) live in `geometry`, `decimate`, `axis`,
//! `palette` and `format`; this file holds the options and the drawing.

mod axis;
mod decimate;
mod format;
mod geometry;
mod observe;
mod palette;

use std::collections::BTreeSet;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::QueryResponse;
use leptos::prelude::{LocalStorage, StoredValue, UpdateValue, WithValue};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use decimate::decimate_counting;
pub use decimate::{Columns, decimate};
pub use format::{
    clock_time, fixed_offset, format_value, time_of_day, time_of_day_at, window_label,
};
pub use geometry::{Hover, Line, PlotBox, anomalies, hover_at, lines, selected_range};
pub use observe::{Observers, on_screen_now};
pub use palette::{Rgb, css, series_colors};

/// A query answer and the window it covers: what a graph shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphData {
    pub response: Arc<QueryResponse>,
    pub range: TimeRange,
}

/// How a graph is drawn, as a dashboard widget's editor sets it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartOptions {
    /// Per query (index = QuerySeries.query_index); missing entries use the defaults.
    pub styles: Vec<QueryStyle>,
    pub y_axis: YAxis,
    pub markers: Vec<Marker>,
    /// Stretches of time shaded across the plot's height, under the data (the monitor preview's
    /// alert, warning and no-data spans).
    pub regions: Vec<Region>,
    /// Series hidden by the legend, by line label (the legend toggles them; also settable).
    pub hidden: BTreeSet<String>,
    /// Times on the axis and in the tooltip in UTC rather than in the browser's zone.
    pub utc: bool,
}

impl ChartOptions {
    /// The style of query `query_index`: its entry, or the default.
    pub fn style(&self, query_index: usize) -> QueryStyle {
        self.styles.get(query_index).copied().unwrap_or_default()
    }
}

/// How a query's series are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Display {
    #[default]
    Line,
    Area,
    Bars,
}

impl Display {
    pub const ALL: [Display; 3] = [Display::Line, Display::Area, Display::Bars];

    /// The name Datadog's JSON uses (`display_type`).
    pub fn name(self) -> &'static str {
        match self {
            Display::Line => "line",
            Display::Area => "area",
            Display::Bars => "bars",
        }
    }

    pub fn from_name(name: &str) -> Option<Display> {
        Display::ALL.into_iter().find(|d| d.name() == name)
    }
}

/// Datadog's palettes (`style.palette`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    #[default]
    Classic,
    Cool,
    Warm,
    Purple,
    Orange,
    Gray,
}

impl Palette {
    pub const ALL: [Palette; 6] = [
        Palette::Classic,
        Palette::Cool,
        Palette::Warm,
        Palette::Purple,
        Palette::Orange,
        Palette::Gray,
    ];

    /// The name Datadog's JSON uses (`style.palette`).
    pub fn name(self) -> &'static str {
        match self {
            Palette::Classic => "classic",
            Palette::Cool => "cool",
            Palette::Warm => "warm",
            Palette::Purple => "purple",
            Palette::Orange => "orange",
            Palette::Gray => "gray",
        }
    }

    pub fn from_name(name: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The style of one query's series.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueryStyle {
    pub display: Display,
    pub palette: Palette,
}

/// The value axis: fixed ends where set, and linear or logarithmic.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YAxis {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub log: bool,
}

/// A horizontal line across the plot at `value`, its label drawn as canvas text.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub value: f64,
    pub label: String,
}

/// A stretch of time `[from_ms, to_ms]` shaded in `fill` (any CSS color, translucent so the
/// grid shows through).
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub from_ms: i64,
    pub to_ms: i64,
    pub fill: &'static str,
}

/// The time under the pointer on any graph sharing this context, so that every graph draws its
/// crosshair there. Provided by a page holding several graphs.
///
/// Graphs subscribe a callback, and the hovered graph calls the others' at once, in its pointer
/// handler. This was a signal read by an effect in every graph: Leptos runs effects in a microtask
/// (queued through the async executor), which at every pointer move cost a `queueMicrotask`, a
/// wake-up and an effect run in each graph, the hovered one included, for a handful of writes.
#[derive(Clone, Copy)]
pub struct CrosshairSync(StoredValue<SyncState, LocalStorage>);

type OnCrosshair = std::rc::Rc<dyn Fn(Option<i64>)>;

#[derive(Default)]
struct SyncState {
    ts_ms: Option<i64>,
    next_id: u64,
    subscribers: Vec<(u64, OnCrosshair)>,
}

impl CrosshairSync {
    pub fn new() -> CrosshairSync {
        CrosshairSync(StoredValue::new_local(SyncState::default()))
    }

    /// The time last hovered on a graph of this context.
    pub fn ts_ms(&self) -> Option<i64> {
        self.0.try_with_value(|s| s.ts_ms).flatten()
    }

    /// Calls `on_change` with the time hovered whenever another graph's hover changes; returns the
    /// id to [`CrosshairSync::publish`] and [`CrosshairSync::unsubscribe`] with.
    pub fn subscribe(&self, on_change: impl Fn(Option<i64>) + 'static) -> u64 {
        self.0
            .try_update_value(|s| {
                s.next_id += 1;
                s.subscribers.push((s.next_id, std::rc::Rc::new(on_change)));
                s.next_id
            })
            .unwrap_or_default()
    }

    pub fn unsubscribe(&self, id: u64) {
        self.0
            .try_update_value(|s| s.subscribers.retain(|(i, _)| *i != id));
    }

    /// The time now hovered on graph `from` (`None` once the pointer left it): every other graph
    /// hears of it before this returns.
    pub fn publish(&self, from: u64, ts_ms: Option<i64>) {
        let others: Vec<OnCrosshair> = self
            .0
            .try_update_value(|s| {
                s.ts_ms = ts_ms;
                s.subscribers
                    .iter()
                    .filter(|(id, _)| *id != from)
                    .map(|(_, f)| f.clone())
                    .collect()
            })
            .unwrap_or_default();
        // Called with no borrow held, so that a callback may use this context too.
        for on_change in others {
            on_change(ts_ms);
        }
    }
}

impl Default for CrosshairSync {
    fn default() -> CrosshairSync {
        CrosshairSync::new()
    }
}

impl std::fmt::Debug for CrosshairSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CrosshairSync").field(&self.ts_ms()).finish()
    }
}

const GRID_CSS: &str = "rgb(232, 235, 240)";
const AXIS_CSS: &str = "rgb(200, 205, 214)";
const LABEL_CSS: &str = "rgb(98, 106, 120)";
/// The expected-value band: a translucent grey, so lines and the grid show through it.
const BAND_FILL: &str = "rgba(110, 118, 130, 0.28)";
/// Room around the plotting area, in CSS pixels: the value labels on the left, the time labels
/// below, a little air above and to the right for the last labels.
const MARGIN_TOP: f64 = 10.0;
const MARGIN_RIGHT: f64 = 18.0;
const MARGIN_LEFT: f64 = 56.0;
const MARGIN_BOTTOM: f64 = 26.0;
/// Markers: dashed, a dark grey that no palette line is mistaken for.
const MARKER_CSS: &str = "rgb(70, 78, 90)";

/// The band and anomaly colors as CSS, for the legend.
pub const BAND_CSS: &str = BAND_FILL;
/// Points outside their band: a red that no palette color is close to.
pub const ANOMALY_CSS: &str = "rgb(230, 25, 25)";

/// What one draw put on the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Series drawn (hidden ones are not).
    pub series: usize,
    /// Points with a value, summed over the series drawn, before decimation.
    pub points: usize,
    /// Vertices (or bars) actually drawn after decimation, summed over the series drawn.
    pub drawn_points: usize,
    /// Series hidden from the legend.
    pub hidden: usize,
    /// Regions shaded (those inside the window).
    pub regions: usize,
    /// Series drawn with an `anomalies()` band.
    pub bands: usize,
    /// Points drawn as anomalies (outside their band).
    pub anomalies: usize,
    /// The plotting area in CSS pixels, for hover lookups.
    pub plot: PlotBox,
    /// The plotting area in canvas (device) pixels: left, top, right, bottom.
    pub device_box: (i32, i32, i32, i32),
}

/// Draws `lines` over `range` onto `canvas` with `options`, each line in `colors[i]`. The canvas is
/// sized to its CSS box at the device pixel ratio so that lines and text stay crisp on high-density
/// screens.
pub fn draw(
    canvas: &HtmlCanvasElement,
    lines: &[Line],
    colors: &[Rgb],
    range: TimeRange,
    options: &ChartOptions,
) -> Result<Drawn, String> {
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let css_width = f64::from(canvas.client_width().max(1));
    let css_height = f64::from(canvas.client_height().max(1));
    canvas.set_width(scale_u32(css_width, dpr));
    canvas.set_height(scale_u32(css_height, dpr));
    let px = |css: f64| scale_u32(css, dpr);

    let shown: Vec<(&Line, Rgb)> = lines
        .iter()
        .zip(colors.iter().copied().chain(std::iter::repeat((0, 0, 0))))
        .filter(|(line, _)| !options.hidden.contains(&line.label))
        .collect();
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or("the browser gave the graph's canvas no 2D context")?;
    let device_box = (
        px(MARGIN_LEFT) as i32,
        px(MARGIN_TOP) as i32,
        (px(css_width - MARGIN_RIGHT) as i32).max(px(MARGIN_LEFT) as i32 + 1),
        (px(css_height - MARGIN_BOTTOM) as i32).max(px(MARGIN_TOP) as i32 + 1),
    );
    // The data first, reduced to what the pixels can show: the value axis then comes from the
    // reduced lines, which keep every column's extremes, rather than from another walk over every
    // point.
    let y_axis = options.y_axis;
    let columns = Columns {
        from_ms: range.from_ms,
        to_ms: range.to_ms,
        count: (device_box.2 - device_box.0).max(1) as usize,
    };
    let keep = |v: f64| v.is_finite() && (!y_axis.log || v > 0.0);
    let reduced: Vec<Reduced> = shown
        .iter()
        .map(|&(line, _)| Reduced::of(line, columns, keep))
        .collect();
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in &reduced {
        let bands = r
            .bands
            .iter()
            .flat_map(|(upper, lower)| upper.iter().chain(lower));
        for &(_, v) in r.points.iter().chain(bands) {
            min = min.min(v);
            max = max.max(v);
        }
    }
    let (y_lo, y_hi) = geometry::axis_from_extent(min, max, &y_axis);
    let area = Area {
        left: f64::from(device_box.0),
        top: f64::from(device_box.1),
        right: f64::from(device_box.2),
        bottom: f64::from(device_box.3),
        range,
        y_lo,
        y_hi,
        log: y_axis.log,
    };
    draw_frame(&ctx, &area, css_width, css_height, dpr, options.utc);

    // The data, clipped to the plotting area (a fixed axis min or max cuts lines off at the edge
    // rather than drawing them over the labels).
    ctx.save();
    ctx.begin_path();
    ctx.rect(
        area.left,
        area.top,
        area.right - area.left,
        area.bottom - area.top,
    );
    ctx.clip();
    let counts = draw_data(&ctx, &area, &shown, &reduced, options, dpr);
    draw_markers(&ctx, &area, &options.markers, dpr);
    ctx.restore();

    Ok(Drawn {
        series: shown.len(),
        points: counts.points,
        drawn_points: counts.drawn_points,
        hidden: lines.len() - shown.len(),
        regions: counts.regions,
        bands: counts.bands,
        anomalies: counts.anomalies,
        plot: PlotBox {
            left: area.left / dpr,
            right: area.right / dpr,
            top: area.top / dpr,
            bottom: area.bottom / dpr,
            range,
        },
        device_box,
    })
}

/// The plotting area in canvas pixels, and how times and values map into it.
struct Area {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    range: TimeRange,
    /// The value axis in axis units (log10 of the value on a log axis).
    y_lo: f64,
    y_hi: f64,
    log: bool,
}

/// One shown line reduced to what the pixels can show.
struct Reduced {
    /// How many of its points have a finite value.
    valued: usize,
    points: Vec<(i64, f64)>,
    /// Per run of its band: the upper and lower edges.
    bands: Vec<(Vertices, Vertices)>,
}

/// Decimated `(ts_ms, value)` points.
type Vertices = Vec<(i64, f64)>;

impl Reduced {
    fn of(line: &Line, columns: Columns, keep: impl Fn(f64) -> bool + Copy) -> Reduced {
        let decimated = decimate_counting(&line.points, columns, keep);
        let bands = geometry::band_runs(line)
            .into_iter()
            .map(|run| {
                let upper: Vec<_> = run.iter().map(|&(ts, _, hi)| (ts, Some(hi))).collect();
                let lower: Vec<_> = run.iter().map(|&(ts, lo, _)| (ts, Some(lo))).collect();
                (
                    decimate(&upper, columns, keep),
                    decimate(&lower, columns, keep),
                )
            })
            .collect();
        Reduced {
            valued: decimated.valued,
            points: decimated.points,
            bands,
        }
    }
}

impl Area {
    fn x(&self, ts_ms: i64) -> f64 {
        let duration = self.range.duration_ms().max(1) as f64;
        self.left + (ts_ms - self.range.from_ms) as f64 / duration * (self.right - self.left)
    }

    /// The x of a time, at the left edge of its pixel column. Lines go through these: every vertex of
    /// a column (its first, lowest, highest and last point) then lies on one vertical, which Chromium
    /// rasterises about twice as fast as the same zig-zag spread over sub-pixel x positions, and
    /// which looks the same at one point per pixel.
    fn column_x(&self, ts_ms: i64) -> f64 {
        (self.x(ts_ms) - self.left).floor() + self.left
    }

    /// The y of a value, on a whole pixel (as plotters drew): a 2-pixel line then covers two rows
    /// exactly instead of smearing over three, and band edges stay sharp.
    fn y(&self, value: f64) -> f64 {
        self.y_of_axis(if self.log { value.log10() } else { value })
            .round()
    }

    /// The y of a value in axis units (log10 of the value on a log axis).
    fn y_of_axis(&self, v: f64) -> f64 {
        self.bottom - (v - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)
    }

    /// Values the axis can place: anything finite on a linear axis, only positive values on a log
    /// axis (zero and negatives have no logarithm, so they are skipped and the line bridges them).
    fn accepts(&self, value: f64) -> bool {
        value.is_finite() && (!self.log || value > 0.0)
    }

    /// The y that areas and bars grow from: zero, kept inside the plot (the bottom on a log axis).
    fn base_y(&self) -> f64 {
        if self.log {
            self.bottom
        } else {
            self.y(0.0).clamp(self.top, self.bottom)
        }
    }
}

#[derive(Default)]
struct Counts {
    regions: usize,
    points: usize,
    drawn_points: usize,
    bands: usize,
    anomalies: usize,
}

/// The white background, the value grid, both axes with their ticks, and the labels. Lines sit on
/// half pixels so that one-pixel lines stay sharp.
fn draw_frame(
    ctx: &CanvasRenderingContext2d,
    area: &Area,
    css_width: f64,
    css_height: f64,
    dpr: f64,
    utc: bool,
) {
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(
        0.0,
        0.0,
        (css_width * dpr).round(),
        (css_height * dpr).round(),
    );
    let crisp = |v: f64| v.round() + 0.5;
    let tick = (3.0 * dpr).round();
    ctx.set_line_width(dpr.round().max(1.0));

    let y_ticks = axis::value_ticks(
        area.y_lo,
        area.y_hi,
        ((css_height / 55.0) as usize).clamp(3, 8),
    );
    ctx.set_stroke_style_str(GRID_CSS);
    ctx.begin_path();
    for &v in &y_ticks {
        let y = crisp(area.y_of_axis(v));
        ctx.move_to(area.left, y);
        ctx.line_to(area.right, y);
    }
    ctx.stroke();

    let range = area.range;
    let offset_at = |ts_ms| {
        if utc {
            0
        } else {
            format::local_offset_ms(ts_ms)
        }
    };
    let offset_ms = offset_at(range.from_ms);
    let x_ticks = axis::time_ticks(
        range.from_ms,
        range.to_ms,
        ((css_width / 120.0) as usize).clamp(4, 10),
        offset_ms,
    );
    ctx.set_stroke_style_str(AXIS_CSS);
    ctx.begin_path();
    let (left, bottom) = (crisp(area.left) - 1.0, crisp(area.bottom));
    ctx.move_to(left, area.top);
    ctx.line_to(left, bottom);
    ctx.line_to(area.right, bottom);
    for &v in &y_ticks {
        let y = crisp(area.y_of_axis(v));
        ctx.move_to(left - tick, y);
        ctx.line_to(left, y);
    }
    for &t in &x_ticks {
        let x = crisp(area.x(t));
        ctx.move_to(x, bottom);
        ctx.line_to(x, bottom + tick);
    }
    ctx.stroke();

    ctx.set_fill_style_str(LABEL_CSS);
    ctx.set_font(&format!("{}px sans-serif", (11.0 * dpr).round()));
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for &v in &y_ticks {
        // On a log axis the axis unit is log10 of the value: label ticks with the value itself,
        // in scientific notation below 0.01, which two decimals would show as 0.
        let label = match area.log {
            true if 10f64.powf(v) < 0.01 => format!("{:.0e}", 10f64.powf(v)),
            true => format_value(10f64.powf(v)),
            false => format_value(v),
        };
        let _ = ctx.fill_text(&label, left - tick - 3.0 * dpr, area.y_of_axis(v));
    }
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    let range_ms = range.duration_ms();
    for &t in &x_ticks {
        let label = format::axis_time_label(t, offset_at(t), range_ms);
        let _ = ctx.fill_text(&label, area.x(t), bottom + tick + 3.0 * dpr);
    }
    ctx.set_text_align("start");
    ctx.set_text_baseline("alphabetic");
}

/// Regions, then bands under everything, then each series in its display, then the anomalies on top.
fn draw_data(
    ctx: &CanvasRenderingContext2d,
    area: &Area,
    shown: &[(&Line, Rgb)],
    reduced: &[Reduced],
    options: &ChartOptions,
    dpr: f64,
) -> Counts {
    let mut counts = Counts::default();

    for region in &options.regions {
        let from = area.column_x(region.from_ms.max(area.range.from_ms));
        let to = area.column_x(region.to_ms.min(area.range.to_ms));
        if to > from {
            counts.regions += 1;
            ctx.set_fill_style_str(region.fill);
            ctx.fill_rect(from, area.top, to - from, area.bottom - area.top);
        }
    }

    ctx.set_fill_style_str(BAND_FILL);
    for r in reduced {
        counts.bands += usize::from(!r.bands.is_empty());
        for (upper, lower) in &r.bands {
            ctx.begin_path();
            let mut outline = upper.iter().chain(lower.iter().rev());
            if let Some(&(ts, v)) = outline.next() {
                ctx.move_to(area.column_x(ts), area.y(v));
                outline.for_each(|&(ts, v)| ctx.line_to(area.column_x(ts), area.y(v)));
                ctx.close_path();
                ctx.fill();
            }
        }
    }

    // Mitred joins, bevelled past a low limit: as quick to rasterise as bevels, without the spikes
    // a high miter limit draws on sharp peaks. Round joins cost about a third more.
    ctx.set_line_join("miter");
    ctx.set_miter_limit(2.0);
    ctx.set_line_width(2.0 * dpr);
    for (&(line, color), r) in shown.iter().zip(reduced) {
        counts.points += r.valued;
        let points = &r.points;
        counts.drawn_points += points.len();
        let css = css(color);
        match options.style(line.query_index).display {
            _ if points.len() == 1 => {
                // A lone point has no line to draw; show it as a dot.
                ctx.set_fill_style_str(&css);
                dots(ctx, area, points, 3.0 * dpr);
            }
            Display::Line => {
                ctx.set_stroke_style_str(&css);
                stroke_path(ctx, area, points);
            }
            Display::Area => {
                fill_area(ctx, area, points, color);
                ctx.set_stroke_style_str(&css);
                stroke_path(ctx, area, points);
            }
            Display::Bars => {
                ctx.set_fill_style_str(&css);
                fill_bars(ctx, area, points, dpr);
            }
        }
    }

    // Points outside their band, on top of everything.
    ctx.set_fill_style_str(ANOMALY_CSS);
    for (line, _) in shown {
        let outside: Vec<(i64, f64)> = anomalies(line)
            .into_iter()
            .filter(|&(_, v)| area.accepts(v))
            .collect();
        counts.anomalies += outside.len();
        dots(ctx, area, &outside, 3.5 * dpr);
    }
    counts
}

/// One path through the points. Missing buckets were dropped by `decimate`, so they are bridged, as
/// Datadog does for sparse metrics (one point every 45 s on a 5-minute graph would otherwise be a row
/// of dots).
fn stroke_path(ctx: &CanvasRenderingContext2d, area: &Area, points: &[(i64, f64)]) {
    let Some((&(ts, v), rest)) = points.split_first() else {
        return;
    };
    ctx.begin_path();
    ctx.move_to(area.column_x(ts), area.y(v));
    for &(ts, v) in rest {
        ctx.line_to(area.column_x(ts), area.y(v));
    }
    ctx.stroke();
}

/// The region between the line and zero, in a translucent version of the line's color.
fn fill_area(ctx: &CanvasRenderingContext2d, area: &Area, points: &[(i64, f64)], color: Rgb) {
    let (Some(&(first_ts, _)), Some(&(last_ts, _))) = (points.first(), points.last()) else {
        return;
    };
    let base = area.base_y();
    ctx.begin_path();
    ctx.move_to(area.column_x(first_ts), base);
    for &(ts, v) in points {
        ctx.line_to(area.column_x(ts), area.y(v));
    }
    ctx.line_to(area.column_x(last_ts), base);
    ctx.close_path();
    let (r, g, b) = color;
    ctx.set_fill_style_str(&format!("rgba({r}, {g}, {b}, 0.3)"));
    ctx.fill();
}

/// A bar from zero to each point, as wide as the points' spacing allows (at least one pixel).
fn fill_bars(ctx: &CanvasRenderingContext2d, area: &Area, points: &[(i64, f64)], dpr: f64) {
    let spacing = (area.right - area.left) / points.len().max(1) as f64;
    let width = (spacing * 0.7).clamp(dpr, 24.0 * dpr);
    let base = area.base_y();
    ctx.begin_path();
    for &(ts, v) in points {
        let (x, y) = (area.x(ts), area.y(v));
        ctx.rect(
            x - width / 2.0,
            y.min(base),
            width,
            (y - base).abs().max(1.0),
        );
    }
    ctx.fill();
}

fn dots(ctx: &CanvasRenderingContext2d, area: &Area, points: &[(i64, f64)], radius: f64) {
    if points.is_empty() {
        return;
    }
    ctx.begin_path();
    for &(ts, v) in points {
        let (x, y) = (area.x(ts), area.y(v));
        ctx.move_to(x + radius, y);
        // Only fails for a negative radius.
        let _ = ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
    }
    ctx.fill();
}

/// Dashed horizontal lines with their label above the line at the left; labels are canvas text, so
/// nothing in them is ever read as HTML.
fn draw_markers(ctx: &CanvasRenderingContext2d, area: &Area, markers: &[Marker], dpr: f64) {
    if markers.is_empty() {
        return;
    }
    let dash = js_sys::Array::of2(&JsValue::from(6.0 * dpr), &JsValue::from(4.0 * dpr));
    let _ = ctx.set_line_dash(&dash);
    ctx.set_line_width(dpr.max(1.0));
    ctx.set_stroke_style_str(MARKER_CSS);
    ctx.set_fill_style_str(MARKER_CSS);
    ctx.set_font(&format!("{}px sans-serif", (11.0 * dpr).round()));
    for marker in markers.iter().filter(|m| area.accepts(m.value)) {
        // On a half pixel: a one-pixel line centred there fills one row.
        let y = area.y(marker.value) + 0.5;
        ctx.begin_path();
        ctx.move_to(area.left, y);
        ctx.line_to(area.right, y);
        ctx.stroke();
        // Above the line, or below it when the line is too near the top for the text.
        let text_y = if y - area.top < 14.0 * dpr {
            y + 13.0 * dpr
        } else {
            y - 4.0 * dpr
        };
        let _ = ctx.fill_text(&marker.label, area.left + 4.0 * dpr, text_y);
    }
    let _ = ctx.set_line_dash(&js_sys::Array::new());
}

fn scale_u32(css: f64, dpr: f64) -> u32 {
    (css * dpr).round().max(1.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_as_in_datadog_json() {
        for p in Palette::ALL {
            assert_eq!(Palette::from_name(p.name()), Some(p));
        }
        assert_eq!(Palette::Classic.name(), "classic");
        assert_eq!(Palette::from_name("gray"), Some(Palette::Gray));
        assert_eq!(Palette::from_name("grey"), None);
        for d in Display::ALL {
            assert_eq!(Display::from_name(d.name()), Some(d));
        }
        assert_eq!(Display::from_name("bars"), Some(Display::Bars));
        assert_eq!(Display::from_name("dots"), None);
    }

    #[test]
    fn a_query_without_a_style_gets_the_default() {
        let options = ChartOptions {
            styles: vec![QueryStyle {
                display: Display::Area,
                palette: Palette::Warm,
            }],
            ..ChartOptions::default()
        };
        assert_eq!(options.style(0).display, Display::Area);
        assert_eq!(options.style(3), QueryStyle::default());
    }
}
