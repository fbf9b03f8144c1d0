//! A timeseries graph drawn with plotters on any `DrawingBackend`: time on x, one line (or area, or
//! bars) per series in its query's palette, for `anomalies()` a grey band of expected values with
//! the points outside it in red, shaded regions and dashed markers.
//!
//! A draw is split so that a backend that can keep pictures (the UI's canvases) redraws only what
//! changed: [`prepare`] reduces the lines to what the pixels can show and fixes the [`Layout`]
//! (sizes, window, value scale, zone); [`draw_frame`] draws the grid, axes and labels for a layout,
//! and [`draw_data`] the data inside the plotting area. [`render`] does all three on one backend
//! (a bitmap on the server). Everything is drawn in whole device pixels: axis-aligned lines are
//! filled one-pixel rectangles, which stay sharp on every backend. No text is measured: labels are
//! placed by their anchor, which the backend honours (plotters' canvas backend hands it to the
//! browser's `textAlign`/`textBaseline`), so nothing reaches plotters' DOM text measurement.

use dogwatch_core::timeframe::TimeRange;
use plotters::coord::Shift;
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::decimate::{Columns, decimate, decimate_counting};
use crate::format::{Zone, axis_time_label, format_value};
use crate::geometry::{self, Line, PlotBox};
use crate::options::{ChartOptions, Display, Marker};
use crate::palette::{self, ANOMALY, AXIS, BAND, GRID, LABEL, MARKER, Rgb};
use crate::ticks::{time_ticks, value_ticks};

/// Room around the plotting area, in CSS pixels: the value labels on the left, the time labels
/// below, a little air above and to the right for the last labels.
const MARGIN_TOP: f64 = 10.0;
const MARGIN_RIGHT: f64 = 18.0;
const MARGIN_LEFT: f64 = 56.0;
const MARGIN_BOTTOM: f64 = 26.0;
/// The labels' font size in CSS pixels.
const FONT_PX: f64 = 11.0;

/// The error of a draw on backend `DB`.
pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// The value axis in axis units: values on a linear axis, log10 of values on a log axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueScale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl ValueScale {
    /// A value in axis units, `None` where the axis cannot place it (not finite; zero or less on a
    /// log axis, which has no logarithm for it, so lines bridge it).
    pub fn to_axis(&self, value: f64) -> Option<f64> {
        match self.log {
            _ if !value.is_finite() => None,
            true if value > 0.0 => Some(value.log10()),
            true => None,
            false => Some(value),
        }
    }
}

/// Everything the frame depends on: two draws with equal layouts have the same frame, so a backend
/// that keeps it (the UI's back canvas) need not draw it again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// The whole graph in device pixels.
    pub size_px: (u32, u32),
    /// Device pixels per CSS pixel.
    pub dpr: f64,
    /// The plotting area in device pixels: left, top, right, bottom (the last two excluded).
    pub plot_px: (i32, i32, i32, i32),
    pub range: TimeRange,
    pub y: ValueScale,
    pub zone: Zone,
}

impl Layout {
    fn new(size_px: (u32, u32), dpr: f64, range: TimeRange, y: ValueScale, zone: Zone) -> Layout {
        let dpr = if dpr.is_finite() && dpr >= 1.0 {
            dpr
        } else {
            1.0
        };
        let px = |css: f64| (css * dpr).round() as i32;
        let (width, height) = (size_px.0 as i32, size_px.1 as i32);
        let (left, top) = (px(MARGIN_LEFT), px(MARGIN_TOP));
        Layout {
            size_px,
            dpr,
            plot_px: (
                left,
                top,
                (width - px(MARGIN_RIGHT)).max(left + 1),
                (height - px(MARGIN_BOTTOM)).max(top + 1),
            ),
            range,
            y,
            zone,
        }
    }

    /// The plotting area's width and height in device pixels.
    pub fn plot_size_px(&self) -> (u32, u32) {
        let (l, t, r, b) = self.plot_px;
        ((r - l) as u32, (b - t) as u32)
    }

    /// The plotting area in CSS pixels from the graph's top left, for hover lookups.
    pub fn plot_box(&self) -> PlotBox {
        let (l, t, r, b) = self.plot_px;
        let css = |px: i32| f64::from(px) / self.dpr;
        PlotBox {
            left: css(l),
            top: css(t),
            right: css(r),
            bottom: css(b),
            range: self.range,
        }
    }

    /// Times and axis values to pixels of a plotting area whose top left is `origin`. As plotters'
    /// `ChartBuilder` sets it up: the window's ends on the first and last pixel column, and the value
    /// axis upwards, from the bottom pixel row to the top one.
    fn coord(&self, origin: (i32, i32)) -> Cartesian2d<RangedCoordi64, RangedCoordf64> {
        let (w, h) = self.plot_size_px();
        let (x, y) = origin;
        Cartesian2d::new(
            self.range.from_ms..self.range.to_ms,
            self.y.lo..self.y.hi,
            (x..x + w as i32 - 1, y + h as i32 - 1..y),
        )
    }

    /// A length of `css` CSS pixels in whole device pixels, at least one.
    fn px(&self, css: f64) -> i32 {
        ((css * self.dpr).round() as i32).max(1)
    }

    fn font(&self) -> TextStyle<'static> {
        ("sans-serif", (FONT_PX * self.dpr).round())
            .into_font()
            .color(&LABEL)
    }
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

/// The lines of one draw reduced to the pixels, and the layout they fix.
pub struct Prepared<'a> {
    pub layout: Layout,
    /// The lines shown (not hidden), each with its color.
    shown: Vec<(&'a Line, Rgb)>,
    reduced: Vec<Reduced>,
    /// Lines hidden from the legend.
    pub hidden: usize,
}

/// Reduces the shown `lines` (each in `colors[i]`) to one pixel column each of a graph of `size_px`
/// device pixels at `dpr` device pixels per CSS pixel, and fixes the layout: the value axis comes
/// from the reduced lines, which keep every column's extremes, rather than from another walk over
/// every point.
pub fn prepare<'a>(
    lines: &'a [Line],
    colors: &[Rgb],
    range: TimeRange,
    options: &ChartOptions,
    size_px: (u32, u32),
    dpr: f64,
) -> Prepared<'a> {
    let shown: Vec<(&Line, Rgb)> = lines
        .iter()
        .zip(colors.iter().copied().chain(std::iter::repeat((0, 0, 0))))
        .filter(|(line, _)| !options.hidden.contains(&line.label))
        .collect();
    let y_axis = options.y_axis;
    // The columns only depend on the plot's width, which does not depend on the scale.
    let probe = Layout::new(
        size_px,
        dpr,
        range,
        ValueScale {
            lo: 0.0,
            hi: 1.0,
            log: y_axis.log,
        },
        options.zone(),
    );
    let columns = Columns {
        from_ms: range.from_ms,
        to_ms: range.to_ms,
        count: probe.plot_size_px().0.max(1) as usize,
    };
    let keep = |v: f64| v.is_finite() && (!y_axis.log || v > 0.0);
    let reduced: Vec<Reduced> = shown
        .iter()
        .map(|&(line, _)| reduce(line, columns, keep))
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
    let (lo, hi) = geometry::axis_from_extent(min, max, &y_axis);
    Prepared {
        layout: Layout {
            y: ValueScale {
                lo,
                hi,
                log: y_axis.log,
            },
            ..probe
        },
        hidden: lines.len() - shown.len(),
        shown,
        reduced,
    }
}

fn reduce(line: &Line, columns: Columns, keep: impl Fn(f64) -> bool + Copy) -> Reduced {
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

/// The frame of `layout` on `root`, which covers the whole graph: the white background and the
/// value grid under where the data goes, then the margins, both axes with their ticks, and the
/// labels.
pub fn draw_frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
) -> Result<(), DrawError<DB>> {
    draw_frame_under(root, layout)?;
    draw_frame_over(root, layout)
}

/// The background and the value grid.
fn draw_frame_under<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
) -> Result<(), DrawError<DB>> {
    root.fill(&WHITE)?;
    let (l, _, r, _) = layout.plot_px;
    let line = layout.px(1.0);
    for (_, y) in y_ticks(layout) {
        root.draw(&Rectangle::new([(l, y), (r, y + line)], GRID.filled()))?;
    }
    Ok(())
}

/// The margins (white, covering whatever data strayed past the plot), the axes, ticks and labels.
fn draw_frame_over<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layout: &Layout,
) -> Result<(), DrawError<DB>> {
    let (w, h) = (layout.size_px.0 as i32, layout.size_px.1 as i32);
    let (l, t, r, b) = layout.plot_px;
    for margin in [
        [(0, 0), (w, t)],
        [(0, b), (w, h)],
        [(0, t), (l, b)],
        [(r, t), (w, b)],
    ] {
        root.draw(&Rectangle::new(margin, WHITE.filled()))?;
    }
    let line = layout.px(1.0);
    let tick = layout.px(3.0);
    let gap = layout.px(3.0);
    // The axes just outside the plot: left of it and below it.
    root.draw(&Rectangle::new(
        [(l - line, t), (l, b + line)],
        AXIS.filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(l - line, b), (r, b + line)],
        AXIS.filled(),
    ))?;

    let value_label = ("sans-serif", (FONT_PX * layout.dpr).round())
        .into_font()
        .color(&LABEL)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (v, y) in y_ticks(layout) {
        root.draw(&Rectangle::new(
            [(l - line - tick, y), (l - line, y + line)],
            AXIS.filled(),
        ))?;
        // On a log axis the axis unit is log10 of the value: label ticks with the value itself,
        // in scientific notation below 0.01, which two decimals would show as 0.
        let label = match layout.y.log {
            true if 10f64.powf(v) < 0.01 => format!("{:.0e}", 10f64.powf(v)),
            true => format_value(10f64.powf(v)),
            false => format_value(v),
        };
        root.draw(&Text::new(
            label,
            (l - line - tick - gap, y),
            value_label.clone(),
        ))?;
    }

    let time_label = layout.font().pos(Pos::new(HPos::Center, VPos::Top));
    let coord = layout.coord((l, t));
    let range = layout.range;
    let (css_width, _) = css_size(layout);
    let offset = layout.zone.offset_at(range.from_ms);
    let max_ticks = ((css_width / 120.0) as usize).clamp(4, 10) + 1;
    for ts_ms in time_ticks(range, max_ticks, offset) {
        let (x, _) = coord.translate(&(ts_ms, layout.y.lo));
        root.draw(&Rectangle::new(
            [(x, b + line), (x + line, b + line + tick)],
            AXIS.filled(),
        ))?;
        let label = axis_time_label(ts_ms, layout.zone, range.duration_ms());
        root.draw(&Text::new(
            label,
            (x, b + line + tick + gap),
            time_label.clone(),
        ))?;
    }
    Ok(())
}

fn css_size(layout: &Layout) -> (f64, f64) {
    (
        f64::from(layout.size_px.0) / layout.dpr,
        f64::from(layout.size_px.1) / layout.dpr,
    )
}

/// The value ticks of `layout`, each with its y in device pixels.
fn y_ticks(layout: &Layout) -> Vec<(f64, i32)> {
    let (l, t, _, _) = layout.plot_px;
    let coord = layout.coord((l, t));
    let (_, css_height) = css_size(layout);
    let max_ticks = ((css_height / 55.0) as usize).clamp(3, 8) + 1;
    value_ticks(layout.y.lo, layout.y.hi, max_ticks)
        .into_iter()
        .map(|v| (v, coord.translate(&(layout.range.from_ms, v)).1))
        .collect()
}

/// What one draw put on the plot.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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
}

/// The data of `prepared` on `plot`, an area exactly the size of the layout's plotting area:
/// regions, then bands under everything, then each series in its display, the anomalies and the
/// markers on top. Data outside the window or the value axis is left to the backend to clip (the
/// UI's front canvas is the plotting area) or to the frame's margins to cover ([`render`]).
pub fn draw_data<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    prepared: &Prepared<'_>,
    options: &ChartOptions,
) -> Result<Drawn, DrawError<DB>> {
    let layout = &prepared.layout;
    let area = Plot {
        coord: layout.coord((0, 0)),
        layout,
    };
    let mut drawn = Drawn {
        series: prepared.shown.len(),
        hidden: prepared.hidden,
        ..Drawn::default()
    };
    let (w, h) = layout.plot_size_px();
    let (w, h) = (w as i32, h as i32);

    for region in &options.regions {
        let from = region.from_ms.max(layout.range.from_ms);
        let to = region.to_ms.min(layout.range.to_ms);
        let (x0, x1) = (area.x(from), area.x(to));
        if x1 > x0 {
            drawn.regions += 1;
            plot.draw(&Rectangle::new([(x0, 0), (x1, h)], region.fill.filled()))?;
        }
    }

    for r in &prepared.reduced {
        drawn.bands += usize::from(!r.bands.is_empty());
        for (upper, lower) in &r.bands {
            let outline = area.pixels(upper.iter().chain(lower.iter().rev()));
            plot.draw(&Polygon::new(outline, BAND.filled()))?;
        }
    }

    let line_px = (2.0 * layout.dpr).round() as u32;
    for (&(line, color), r) in prepared.shown.iter().zip(&prepared.reduced) {
        drawn.points += r.valued;
        drawn.drawn_points += r.points.len();
        let color = palette::rgb(color);
        let vertices = area.pixels(r.points.iter());
        match options.style(line.query_index).display {
            _ if vertices.len() == 1 => {
                // A lone point has no line to draw; show it as a dot.
                let radius = layout.px(3.0) as u32;
                plot.draw(&Circle::new(vertices[0], radius, color.filled()))?;
            }
            Display::Line => {
                plot.draw(&PathElement::new(vertices, color.stroke_width(line_px)))?;
            }
            Display::Area => {
                // The region between the line and zero, in a translucent version of its color.
                if let (Some(&(x0, _)), Some(&(x1, _))) = (vertices.first(), vertices.last()) {
                    let base = area.base_y();
                    let outline: Vec<_> = std::iter::once((x0, base))
                        .chain(vertices.iter().copied())
                        .chain(std::iter::once((x1, base)))
                        .collect();
                    plot.draw(&Polygon::new(outline, color.mix(0.3).filled()))?;
                }
                plot.draw(&PathElement::new(vertices, color.stroke_width(line_px)))?;
            }
            Display::Bars => {
                // A bar from zero to each point, as wide as the points' spacing allows.
                let spacing = f64::from(w) / vertices.len().max(1) as f64;
                let half = ((spacing * 0.7).clamp(layout.dpr, 24.0 * layout.dpr) / 2.0).round();
                let half = (half as i32).max(1);
                let base = area.base_y();
                for &(x, y) in &vertices {
                    let (top, bottom) = (y.min(base), y.max(base).max(y.min(base) + 1));
                    plot.draw(&Rectangle::new(
                        [(x - half, top), (x + half, bottom)],
                        color.filled(),
                    ))?;
                }
            }
        }
    }

    // Points outside their band, on top of everything.
    let radius = (3.5 * layout.dpr).round() as u32;
    for (line, _) in &prepared.shown {
        for (ts_ms, v) in geometry::anomalies(line) {
            if let Some(p) = area.pixel(ts_ms, v) {
                drawn.anomalies += 1;
                plot.draw(&Circle::new(p, radius, ANOMALY.filled()))?;
            }
        }
    }

    draw_markers(plot, &area, &options.markers)?;
    Ok(drawn)
}

/// Dashed horizontal lines with their label above the line at the left (below it when the line is
/// too near the top for the text). Labels are text for the backend, never markup.
fn draw_markers<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    area: &Plot<'_>,
    markers: &[Marker],
) -> Result<(), DrawError<DB>> {
    let layout = area.layout;
    let (w, _) = layout.plot_size_px();
    let (line, dash, gap) = (layout.px(1.0), layout.px(6.0), layout.px(4.0));
    for marker in markers {
        let Some((_, y)) = area.pixel(layout.range.from_ms, marker.value) else {
            continue;
        };
        for x in (0..w as i32).step_by((dash + gap) as usize) {
            plot.draw(&Rectangle::new(
                [(x, y), ((x + dash).min(w as i32), y + line)],
                MARKER.filled(),
            ))?;
        }
        let (text_y, v_pos) = if y < layout.px(14.0) {
            (y + line + layout.px(2.0), VPos::Top)
        } else {
            (y - layout.px(3.0), VPos::Bottom)
        };
        let style = layout
            .font()
            .color(&MARKER)
            .pos(Pos::new(HPos::Left, v_pos));
        plot.draw(&Text::new(
            marker.label.clone(),
            (layout.px(4.0), text_y),
            style,
        ))?;
    }
    Ok(())
}

/// The plotting area's mapping from times and values to its own pixels.
struct Plot<'a> {
    coord: Cartesian2d<RangedCoordi64, RangedCoordf64>,
    layout: &'a Layout,
}

impl Plot<'_> {
    fn x(&self, ts_ms: i64) -> i32 {
        self.coord.translate(&(ts_ms, self.layout.y.lo)).0
    }

    /// The pixel of a point, `None` where the value axis cannot place its value.
    fn pixel(&self, ts_ms: i64, value: f64) -> Option<(i32, i32)> {
        let v = self.layout.y.to_axis(value)?;
        Some(self.coord.translate(&(ts_ms, v)))
    }

    /// The pixels of points (decimated ones, which the axis can all place).
    fn pixels<'p>(&self, points: impl Iterator<Item = &'p (i64, f64)>) -> Vec<(i32, i32)> {
        points
            .filter_map(|&(ts_ms, v)| self.pixel(ts_ms, v))
            .collect()
    }

    /// The y that areas and bars grow from: zero, kept inside the plot (the bottom on a log axis).
    fn base_y(&self) -> i32 {
        let (_, h) = self.layout.plot_size_px();
        let bottom = h as i32;
        match self.pixel(self.layout.range.from_ms, 0.0) {
            Some((_, y)) => y.clamp(0, bottom),
            None => bottom,
        }
    }
}

/// A whole graph on one backend: frame, data, and the frame's margins and labels over any data
/// that strayed out of the plot. For backends that keep no layers, such as a bitmap.
pub fn render<DB: DrawingBackend>(
    backend: DB,
    lines: &[Line],
    colors: &[Rgb],
    range: TimeRange,
    options: &ChartOptions,
    dpr: f64,
) -> Result<(Layout, Drawn), DrawError<DB>> {
    let root = backend.into_drawing_area();
    let prepared = prepare(lines, colors, range, options, root.dim_in_pixel(), dpr);
    let layout = prepared.layout;
    draw_frame_under(&root, &layout)?;
    let (l, t, _, _) = layout.plot_px;
    let plot = root.clone().shrink((l, t), layout.plot_size_px());
    let drawn = draw_data(&plot, &prepared, options)?;
    draw_frame_over(&root, &layout)?;
    root.present()?;
    Ok((layout, drawn))
}
