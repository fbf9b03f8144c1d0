//! A trace's pictures on any plotters backend: the waterfall (one row per span, depth first, bars on
//! the trace's time axis), the flame graph (one row per depth) and the minimap (every row squeezed
//! into a strip, the shown window left clear). The caller hands over only the rows in view, so a
//! 20,000-span trace costs what fits on the canvas; bars that would land on a pixel already drawn
//! in their row are skipped, so a row of thousands of tiny spans costs its width in pixels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::draw::DrawError;
use crate::format::format_duration_ns;
use crate::palette::{AXIS, GRID, LABEL, Rgb, rgb};
use crate::ticks::value_ticks;

/// Colours of the services of a trace, in the order they first appear.
const SERVICE_COLORS: [Rgb; 10] = [
    (63, 127, 224),
    (229, 116, 42),
    (42, 168, 118),
    (155, 89, 208),
    (26, 163, 181),
    (201, 162, 39),
    (214, 69, 148),
    (96, 112, 200),
    (120, 160, 40),
    (160, 110, 70),
];
/// The critical path's strip along a bar.
pub const CRITICAL: RGBColor = RGBColor(25, 28, 36);
/// An errored span's outline.
pub const ERROR: RGBColor = RGBColor(220, 30, 40);
/// The selected row's background.
const SELECTED: RGBColor = RGBColor(222, 234, 252);
/// The minimap's shade over what is not shown.
const SHADE: RGBAColor = RGBAColor(90, 98, 110, 0.35);
const FONT_PX: f64 = 11.0;

/// The colour of the `index`th service of a trace (they repeat after ten).
pub fn service_color(index: usize) -> Rgb {
    SERVICE_COLORS[index % SERVICE_COLORS.len()]
}

/// A span as a bar: where it lies in time and how it looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanBar {
    pub start_ns: i64,
    pub end_ns: i64,
    pub color: Rgb,
    pub critical: bool,
    pub error: bool,
}

/// The stretch of time shown across, in nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_ns: i64,
    pub to_ns: i64,
}

impl Window {
    /// A window of at least one nanosecond.
    pub fn new(from_ns: i64, to_ns: i64) -> Window {
        Window {
            from_ns,
            to_ns: to_ns.max(from_ns.saturating_add(1)),
        }
    }

    pub fn duration_ns(self) -> i64 {
        self.to_ns - self.from_ns
    }

    /// Where `ns` falls across `width` pixels (outside `0..width` when outside the window).
    pub fn x(self, ns: i64, width: f64) -> f64 {
        (ns - self.from_ns) as f64 / self.duration_ns() as f64 * width
    }

    /// The time at `x` of `width` pixels.
    pub fn at(self, x: f64, width: f64) -> i64 {
        self.from_ns + (x / width.max(1.0) * self.duration_ns() as f64).round() as i64
    }

    /// This window scaled by `factor` (below 1 zooms in) around `center_ns`, kept inside `whole`
    /// and at least a microsecond long.
    pub fn zoom(self, factor: f64, center_ns: i64, whole: Window) -> Window {
        let span = ((self.duration_ns() as f64 * factor).round() as i64)
            .clamp(1_000.min(whole.duration_ns()), whole.duration_ns());
        let left = ((center_ns - self.from_ns) as f64 / self.duration_ns() as f64).clamp(0.0, 1.0);
        let from = center_ns - (span as f64 * left).round() as i64;
        let from = from.clamp(whole.from_ns, whole.to_ns - span);
        Window::new(from, from + span)
    }
}

/// A row of the waterfall.
#[derive(Debug, Clone, Copy)]
pub struct WaterfallRow<'a> {
    pub bar: SpanBar,
    pub depth: usize,
    /// `service  resource`, drawn in the label column.
    pub label: &'a str,
    pub selected: bool,
}

/// How the waterfall is laid out, in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterfallLayout {
    pub window: Window,
    /// The trace's start: the time axis counts from it.
    pub origin_ns: i64,
    /// The label column on the left.
    pub label_px: f64,
    pub row_px: f64,
    /// The time axis along the top.
    pub header_px: f64,
    /// How far the first row given lies above the top of the rows' area (0..row_px): scrolling
    /// by less than a row.
    pub scrolled_px: f64,
    pub dpr: f64,
}

impl WaterfallLayout {
    /// The row (counted from the first one given) at `y` CSS pixels from the canvas' top.
    pub fn row_at(&self, y: f64) -> Option<usize> {
        let y = y - self.header_px + self.scrolled_px;
        (y >= 0.0).then(|| (y / self.row_px) as usize)
    }

    /// How many rows a canvas `height_px` high shows (one more, partly, when scrolled).
    pub fn rows_in(&self, height_px: f64) -> usize {
        (((height_px - self.header_px).max(0.0) + self.scrolled_px) / self.row_px).ceil() as usize
    }
}

/// Draws `rows` on `root`; returns how many bars were drawn.
pub fn draw_waterfall<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[WaterfallRow],
    layout: &WaterfallLayout,
) -> Result<usize, DrawError<DB>> {
    root.fill(&WHITE)?;
    let d = layout.dpr;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let (label_w, header_h, row_h) = (layout.label_px * d, layout.header_px * d, layout.row_px * d);
    let plot_w = (w - label_w - 8.0 * d).max(1.0);
    let x_of = |ns: i64| label_w + layout.window.x(ns, plot_w);
    let font = ("sans-serif", (FONT_PX * d).round()).into_font();
    let px = |v: f64| v.round() as i32;

    // The time axis: round offsets from the trace's start, a grid line down through the rows
    // (under them); its labels are drawn last, over a row scrolled half under them.
    let from = (layout.window.from_ns - layout.origin_ns) as f64;
    let to = (layout.window.to_ns - layout.origin_ns) as f64;
    let ticks = value_ticks(from, to, (plot_w / (90.0 * d)).max(2.0) as usize);
    for t in &ticks {
        let x = px(x_of(layout.origin_ns + *t as i64));
        root.draw(&Rectangle::new(
            [(x, px(header_h)), (x + 1, px(h))],
            GRID.filled(),
        ))?;
    }
    let mut drawn = 0;
    for (i, row) in rows.iter().enumerate() {
        let top = header_h - layout.scrolled_px * d + i as f64 * row_h;
        if top >= h {
            break;
        }
        let bottom = top + row_h;
        let top_clipped = top.max(header_h);
        if row.selected {
            root.draw(&Rectangle::new(
                [(0, px(top_clipped)), (px(w), px(bottom))],
                SELECTED.filled(),
            ))?;
        }
        let color = rgb(row.bar.color);
        let mid = (top + bottom) / 2.0;
        if mid > header_h {
            // The label: indented by depth (up to a third of the column), the service's colour first.
            let indent = (row.depth as f64 * 10.0 * d).min(label_w / 3.0) + 4.0 * d;
            let sq = 8.0 * d;
            root.draw(&Rectangle::new(
                [
                    (px(indent), px(mid - sq / 2.0)),
                    (px(indent + sq), px(mid + sq / 2.0)),
                ],
                color.filled(),
            ))?;
            root.draw(&Text::new(
                clip_text(
                    row.label,
                    ((label_w - indent - sq - 8.0 * d) / (6.2 * d)) as usize,
                ),
                (px(indent + sq + 4.0 * d), px(mid)),
                font.clone()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        // The bar, at least a pixel wide, inside the plotting columns.
        let x0 = x_of(row.bar.start_ns).max(label_w);
        let x1 = x_of(row.bar.end_ns).min(label_w + plot_w);
        if x1 < label_w || x0 > label_w + plot_w {
            continue;
        }
        let x1 = x1.max(x0 + d);
        let (bar_top, bar_bottom) = ((top + row_h * 0.2).max(header_h), bottom - row_h * 0.2);
        if bar_bottom <= bar_top {
            continue;
        }
        root.draw(&Rectangle::new(
            [(px(x0), px(bar_top)), (px(x1), px(bar_bottom))],
            color.filled(),
        ))?;
        if row.bar.error {
            root.draw(&Rectangle::new(
                [(px(x0), px(bar_top)), (px(x1), px(bar_bottom))],
                ERROR.stroke_width(px(2.0 * d).max(1) as u32),
            ))?;
        }
        if row.bar.critical {
            let strip = (2.0 * d).max(1.0);
            root.draw(&Rectangle::new(
                [
                    (px(x0), px(mid - strip / 2.0)),
                    (px(x1), px(mid + strip / 2.0)),
                ],
                CRITICAL.filled(),
            ))?;
        }
        // The duration after the bar, or before it when the bar reaches the right edge.
        if mid > header_h {
            let text = format_duration_ns(row.bar.end_ns - row.bar.start_ns);
            let after = x1 + 60.0 * d < label_w + plot_w;
            let (x, anchor) = if after {
                (x1 + 4.0 * d, HPos::Left)
            } else {
                (x0 - 4.0 * d, HPos::Right)
            };
            if after || x0 - 60.0 * d > label_w {
                root.draw(&Text::new(
                    text,
                    (px(x), px(mid)),
                    font.clone()
                        .color(&LABEL)
                        .pos(Pos::new(anchor, VPos::Center)),
                ))?;
            }
        }
        drawn += 1;
    }
    root.draw(&Rectangle::new(
        [(0, 0), (px(w), px(header_h))],
        WHITE.filled(),
    ))?;
    for t in &ticks {
        let x = px(x_of(layout.origin_ns + *t as i64));
        // The last label would run off the right edge: it ends at its tick instead.
        let (x_text, anchor) = if f64::from(x) + 60.0 * d > w {
            (x - px(3.0 * d), HPos::Right)
        } else {
            (x + px(3.0 * d), HPos::Left)
        };
        root.draw(&Rectangle::new(
            [(x, px(header_h / 2.0)), (x + 1, px(header_h))],
            AXIS.filled(),
        ))?;
        root.draw(&Text::new(
            format_duration_ns(*t as i64),
            (x_text, px(header_h / 2.0)),
            font.clone()
                .color(&LABEL)
                .pos(Pos::new(anchor, VPos::Center)),
        ))?;
    }
    root.draw(&Rectangle::new(
        [(0, px(header_h) - 1), (px(w), px(header_h))],
        AXIS.filled(),
    ))?;
    Ok(drawn)
}

/// A bar of the flame graph: a span at `row` rows below the first depth shown.
#[derive(Debug, Clone, Copy)]
pub struct FlameBar<'a> {
    pub row: usize,
    pub bar: SpanBar,
    pub label: &'a str,
    pub selected: bool,
}

/// Draws the flame graph's `bars` across `window`, `row_px` CSS pixels a row; returns how many
/// were drawn (the others fell on pixels already drawn or outside).
pub fn draw_flame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[FlameBar],
    window: Window,
    row_px: f64,
    dpr: f64,
) -> Result<usize, DrawError<DB>> {
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let row_h = row_px * dpr;
    let rows = (h / row_h).ceil() as usize;
    let mut cells = Cells::new(w as usize, rows);
    let font = ("sans-serif", (FONT_PX * dpr).round()).into_font();
    let px = |v: f64| v.round() as i32;
    let mut drawn = 0;
    for b in bars {
        if b.row >= rows {
            continue;
        }
        let x0 = window.x(b.bar.start_ns, w).max(0.0);
        let x1 = window.x(b.bar.end_ns, w).min(w);
        if x1 < 0.0 || x0 >= w {
            continue;
        }
        let x1 = x1.max(x0 + dpr);
        // A bar whose every pixel is drawn already adds nothing to see.
        if !cells.cover(x0, x1, b.row) {
            continue;
        }
        let top = b.row as f64 * row_h;
        let (l, t, r, bt) = (px(x0), px(top), px(x1) - 1, px(top + row_h) - 1);
        let color = if b.selected {
            RGBColor(40, 60, 120)
        } else {
            rgb(b.bar.color)
        };
        root.draw(&Rectangle::new(
            [(l, t), (r.max(l + 1), bt)],
            color.filled(),
        ))?;
        if b.bar.error {
            root.draw(&Rectangle::new(
                [(l, t), (r.max(l + 1), bt)],
                ERROR.stroke_width(px(2.0 * dpr).max(1) as u32),
            ))?;
        }
        if b.bar.critical {
            root.draw(&Rectangle::new(
                [(l, bt - px(2.0 * dpr)), (r.max(l + 1), bt)],
                CRITICAL.filled(),
            ))?;
        }
        let chars = ((x1 - x0 - 8.0 * dpr) / (6.2 * dpr)) as usize;
        if chars >= 3 {
            root.draw(&Text::new(
                clip_text(b.label, chars),
                (l + px(4.0 * dpr), px(top + row_h / 2.0)),
                font.clone()
                    .color(&WHITE)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        drawn += 1;
    }
    Ok(drawn)
}

/// Draws the minimap: each of `total_rows` rows squeezed into the strip's height, the bars across
/// the whole trace (`whole`), and a shade outside `shown`. `bars` are `(row, bar)`; returns how
/// many bars were drawn.
pub fn draw_minimap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: impl IntoIterator<Item = (usize, SpanBar)>,
    total_rows: usize,
    whole: Window,
    shown: Window,
) -> Result<usize, DrawError<DB>> {
    root.fill(&RGBColor(248, 249, 251))?;
    let (w, h) = root.dim_in_pixel();
    let (wf, hf) = (f64::from(w), f64::from(h));
    let per_row = (hf / total_rows.max(1) as f64).min(6.0);
    let mut cells = Cells::new(w as usize, h as usize);
    let mut drawn = 0;
    for (row, bar) in bars {
        let y = (row as f64 * per_row) as usize;
        let x0 = whole.x(bar.start_ns, wf).max(0.0);
        let x1 = whole.x(bar.end_ns, wf).min(wf).max(x0 + 1.0);
        // One pixel row holds many spans of a big trace: each pixel is drawn once.
        if !cells.cover(x0, x1, y) {
            continue;
        }
        let top = y as i32;
        let bottom = (top + per_row.max(1.0) as i32 - i32::from(per_row >= 3.0)).max(top + 1);
        root.draw(&Rectangle::new(
            [(x0 as i32, top), (x1.round() as i32, bottom)],
            rgb(bar.color).filled(),
        ))?;
        drawn += 1;
    }
    let (l, r) = (whole.x(shown.from_ns, wf), whole.x(shown.to_ns, wf));
    if l > 0.5 {
        root.draw(&Rectangle::new(
            [(0, 0), (l.round() as i32, h as i32)],
            SHADE.filled(),
        ))?;
    }
    if r < wf - 0.5 {
        root.draw(&Rectangle::new(
            [(r.round() as i32, 0), (w as i32, h as i32)],
            SHADE.filled(),
        ))?;
    }
    Ok(drawn)
}

/// `text` cut to `chars` characters, with an ellipsis when cut.
fn clip_text(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(chars.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Which pixels of a grid (a column per pixel, a row per bar row) were drawn.
struct Cells {
    width: usize,
    seen: Vec<bool>,
}

impl Cells {
    fn new(width: usize, rows: usize) -> Cells {
        Cells {
            width: width.max(1),
            seen: vec![false; width.max(1) * rows.max(1)],
        }
    }

    /// Marks the cells from `x0` to `x1` (pixels) of `row`; true when one was not marked before.
    fn cover(&mut self, x0: f64, x1: f64, row: usize) -> bool {
        let from = (x0.max(0.0) as usize).min(self.width - 1);
        let to = (x1.max(0.0).ceil() as usize).min(self.width).max(from + 1);
        let start = row * self.width;
        let Some(cells) = self.seen.get_mut(start + from..start + to) else {
            return false;
        };
        let fresh = cells.iter().any(|c| !c);
        cells.iter_mut().for_each(|c| *c = true);
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_and_stays_inside() {
        let whole = Window::new(0, 1_000_000);
        let half = whole.zoom(0.5, 500_000, whole);
        assert_eq!(half, Window::new(250_000, 750_000));
        // Zooming out past the whole trace gives the whole trace.
        assert_eq!(half.zoom(4.0, 500_000, whole), whole);
        // Near an edge, the window is pushed back inside.
        let left = whole.zoom(0.5, 0, whole);
        assert_eq!(left, Window::new(0, 500_000));
        assert_eq!(whole.at(50.0, 100.0), 500_000);
    }

    #[test]
    fn rows_are_found_under_the_pointer() {
        let layout = WaterfallLayout {
            window: Window::new(0, 10),
            origin_ns: 0,
            label_px: 100.0,
            row_px: 20.0,
            header_px: 20.0,
            scrolled_px: 5.0,
            dpr: 1.0,
        };
        assert_eq!(layout.row_at(10.0), None);
        assert_eq!(layout.row_at(20.0), Some(0));
        assert_eq!(layout.row_at(36.0), Some(1));
        assert_eq!(layout.rows_in(120.0), 6);
        assert_eq!(clip_text("abcdef", 4), "abc…");
    }
}
