//! The APM pages' small pictures on any plotters backend: a sparkline (a table cell's trend), a
//! latency histogram (bins of durations) and the trace search's duration-over-time scatter.

use dogwatch_core::timeframe::TimeRange;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::DrawError;
use crate::flame::ERROR;
use crate::format::{Zone, axis_time_label, format_duration_ns, format_value};
use crate::palette::{AXIS, GRID, LABEL, Rgb, rgb};
use crate::ticks::{time_ticks, value_ticks};

const FONT_PX: f64 = 11.0;

/// Draws `values` (one per bucket, evenly spaced) as a filled area from zero to the largest
/// value, in `color`, on the whole of `root`.
pub fn draw_sparkline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    values: &[f64],
    color: Rgb,
) -> Result<(), DrawError<DB>> {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let base = h - 1.0;
    let y = |v: f64| {
        if max > 0.0 {
            base - v.max(0.0) / max * (h - 2.0)
        } else {
            base
        }
    };
    let step = w / (values.len().max(2) - 1) as f64;
    let points: Vec<(i32, i32)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| ((i as f64 * step).round() as i32, y(v).round() as i32))
        .collect();
    if points.is_empty() {
        return Ok(());
    }
    let mut area = points.clone();
    area.push((w.round() as i32, base as i32));
    area.push((0, base as i32));
    root.draw(&Polygon::new(area, rgb(color).mix(0.25).filled()))?;
    root.draw(&PathElement::new(points, rgb(color).stroke_width(1)))?;
    Ok(())
}

/// Room for labels around the histogram's and the scatter's plotting area, in CSS pixels.
const LEFT: f64 = 60.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;
const RIGHT: f64 = 12.0;

/// Draws a histogram of durations: `bins` are `(lower_ns, upper_ns, count)`, drawn side by side
/// (the bins of a log scale are equally wide on it), the bounds below, the counts on the left.
/// Returns the bars drawn.
pub fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bins: &[(i64, i64, u64)],
    color: Rgb,
    dpr: f64,
) -> Result<usize, DrawError<DB>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let (l, t, r, b) = (LEFT * dpr, TOP * dpr, w - RIGHT * dpr, h - BOTTOM * dpr);
    let font = ("sans-serif", (FONT_PX * dpr).round())
        .into_font()
        .color(&LABEL);
    let max = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f64;
    let y_of = |v: f64| b - v / max * (b - t);
    for v in value_ticks(0.0, max, 4) {
        let y = y_of(v).round() as i32;
        root.draw(&Rectangle::new(
            [(l as i32, y), (r as i32, y + 1)],
            GRID.filled(),
        ))?;
        root.draw(&Text::new(
            format_value(v),
            ((l - 6.0 * dpr) as i32, y),
            font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(l as i32, b as i32), (r as i32, b as i32 + 1)],
        AXIS.filled(),
    ))?;
    let n = bins.len().max(1);
    let bar_w = (r - l) / n as f64;
    let gap = if bar_w > 6.0 * dpr { 1.0 * dpr } else { 0.0 };
    let mut drawn = 0;
    let every = (n as f64 / ((r - l) / (70.0 * dpr)).max(1.0))
        .ceil()
        .max(1.0) as usize;
    for (i, &(lower, upper, count)) in bins.iter().enumerate() {
        let x0 = l + i as f64 * bar_w;
        if count > 0 {
            root.draw(&Rectangle::new(
                [
                    ((x0 + gap).round() as i32, y_of(count as f64).round() as i32),
                    ((x0 + bar_w - gap).round() as i32, b as i32),
                ],
                rgb(color).filled(),
            ))?;
            drawn += 1;
        }
        if i % every == 0 || i + 1 == n {
            let (x, ns) = if i + 1 == n && i % every != 0 {
                (x0 + bar_w, upper)
            } else {
                (x0, lower)
            };
            // The label at the right end ends there rather than running off the picture.
            let anchor = if x + 30.0 * dpr > w {
                HPos::Right
            } else {
                HPos::Center
            };
            root.draw(&Text::new(
                format_duration_ns(ns),
                (x.round() as i32, (b + 4.0 * dpr) as i32),
                font.clone().pos(Pos::new(anchor, VPos::Top)),
            ))?;
        }
    }
    Ok(drawn)
}

/// A point of the duration scatter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterPoint {
    pub ts_ms: i64,
    pub duration_ns: i64,
    pub error: bool,
}

/// The longest duration of `points`: the top of the scatter's value axis.
fn longest(points: &[ScatterPoint]) -> f64 {
    points
        .iter()
        .map(|p| p.duration_ns)
        .max()
        .unwrap_or(0)
        .max(1) as f64
}

/// Where a time and a duration fall on a scatter of `size` pixels: x of a time, y of a duration.
fn scatter_axes(
    range: TimeRange,
    max_ns: f64,
    (w, h): (f64, f64),
    dpr: f64,
) -> (impl Fn(i64) -> f64, impl Fn(f64) -> f64) {
    let (l, t, r, b) = (LEFT * dpr, TOP * dpr, w - RIGHT * dpr, h - BOTTOM * dpr);
    let span_ms = range.duration_ms().max(1) as f64;
    (
        move |ts_ms: i64| l + (ts_ms - range.from_ms) as f64 / span_ms * (r - l),
        move |ns: f64| b - ns / max_ns * (b - t),
    )
}

/// The point of a scatter `size_px` (CSS pixels) large nearest to `(x, y)`, if one is within 8
/// pixels: what a click there opens.
pub fn scatter_point_at(
    range: TimeRange,
    points: &[ScatterPoint],
    size_px: (f64, f64),
    (x, y): (f64, f64),
) -> Option<usize> {
    let (x_of, y_of) = scatter_axes(range, longest(points), size_px, 1.0);
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (dx, dy) = (x_of(p.ts_ms) - x, y_of(p.duration_ns as f64) - y);
            (i, dx * dx + dy * dy)
        })
        .filter(|(_, d2)| *d2 <= 64.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Draws each point at its time across `range` and its duration up (from zero to the longest),
/// errors in red, others in `color`. Returns the points drawn.
pub fn draw_scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    range: TimeRange,
    points: &[ScatterPoint],
    color: Rgb,
    zone: Zone,
    dpr: f64,
) -> Result<usize, DrawError<DB>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let (l, t, r, b) = (LEFT * dpr, TOP * dpr, w - RIGHT * dpr, h - BOTTOM * dpr);
    let font = ("sans-serif", (FONT_PX * dpr).round())
        .into_font()
        .color(&LABEL);
    let max = longest(points);
    let (x_of, y_of) = scatter_axes(range, max, (w, h), dpr);
    for v in value_ticks(0.0, max, 4) {
        let y = y_of(v).round() as i32;
        root.draw(&Rectangle::new(
            [(l as i32, y), (r as i32, y + 1)],
            GRID.filled(),
        ))?;
        root.draw(&Text::new(
            format_duration_ns(v as i64),
            ((l - 6.0 * dpr) as i32, y),
            font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    let zone = zone.fixed_over(range);
    let max_ticks = ((r - l) / (90.0 * dpr)).max(2.0) as usize;
    for ts in time_ticks(range, max_ticks, zone.offset_at(range.from_ms)) {
        let x = x_of(ts).round() as i32;
        root.draw(&Rectangle::new(
            [(x, t as i32), (x + 1, b as i32)],
            GRID.filled(),
        ))?;
        root.draw(&Text::new(
            axis_time_label(ts, zone, range.duration_ms()),
            (x, (b + 4.0 * dpr) as i32),
            font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(l as i32, b as i32), (r as i32, b as i32 + 1)],
        AXIS.filled(),
    ))?;
    let radius = (3.0 * dpr).round() as i32;
    let mut drawn = 0;
    // Errors last, so that they show over the rest.
    for p in points
        .iter()
        .filter(|p| !p.error)
        .chain(points.iter().filter(|p| p.error))
    {
        if p.ts_ms < range.from_ms || p.ts_ms > range.to_ms {
            continue;
        }
        let at = (
            x_of(p.ts_ms).round() as i32,
            y_of(p.duration_ns as f64).round() as i32,
        );
        let style = if p.error {
            ERROR.mix(0.85).filled()
        } else {
            rgb(color).mix(0.7).filled()
        };
        root.draw(&Circle::new(at, radius, style))?;
        drawn += 1;
    }
    Ok(drawn)
}
