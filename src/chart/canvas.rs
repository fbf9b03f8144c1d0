//! Graphs onto `<canvas>` elements with plotters-canvas. A graph has two canvases: the back one holds
//! the frame (grid, axes, labels) and is drawn again only when the frame's layout changes (size,
//! window, value scale, zone); the front one is exactly the plotting area, laid over it, and holds
//! the data, so a draw with new data but the same layout costs only the data and a copy of the
//! plot's background from the back canvas (which keeps the front's pixels opaque, with the grid
//! under translucent bands and regions, as one canvas would show them). Being the plotting area,
//! the front canvas also clips what lies outside it. Both are sized at the device pixel
//! ratio, so that lines and text stay sharp on high-density screens.

use dogwatch_chart::{ChartOptions, Drawn, Layout, Line, Rgb, draw_data, draw_frame, prepare};
use dogwatch_core::timeframe::TimeRange;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// The frame last drawn on a graph's back canvas, and how many frames it has drawn.
#[derive(Debug, Default)]
pub struct Frames {
    last: Option<Layout>,
    pub count: u64,
}

/// What a paint did.
#[derive(Debug, Clone, Copy)]
pub struct Painted {
    pub layout: Layout,
    pub drawn: Drawn,
}

/// Draws `lines` (each in `colors[i]`) over `range` with `options`: the frame on `back` when its
/// layout differs from the last one `frames` drew, the data on `front`.
pub fn paint(
    back: &HtmlCanvasElement,
    front: &HtmlCanvasElement,
    frames: &mut Frames,
    lines: &[Line],
    colors: &[Rgb],
    range: TimeRange,
    options: &ChartOptions,
) -> Result<Painted, String> {
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let size_px = (
        device_px(back.client_width(), dpr),
        device_px(back.client_height(), dpr),
    );
    let prepared = prepare(lines, colors, range, options, size_px, dpr);
    let layout = prepared.layout;
    if frames.last != Some(layout) {
        resize(back, size_px);
        let root = backend(back)?.into_drawing_area();
        draw_frame(&root, &layout).map_err(|e| e.to_string())?;
        frames.last = Some(layout);
        frames.count += 1;
        place(front, &layout);
    }

    let (width, height) = layout.plot_size_px();
    let ctx = context(front)?;
    resize(front, (width, height));
    let (l, t, w, h) = (
        f64::from(layout.plot_px.0),
        f64::from(layout.plot_px.1),
        f64::from(width),
        f64::from(height),
    );
    ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        back, l, t, w, h, 0.0, 0.0, w, h,
    )
    .map_err(|_| "the graph's frame could not be copied".to_owned())?;
    // Mitred joins, bevelled past a low limit: as quick to rasterise as bevels, without the spikes
    // the default limit (10) draws on the sharp peaks of a noisy line. plotters-canvas leaves the
    // join alone, and a resize resets it, so it is set at every draw.
    ctx.set_line_join("miter");
    ctx.set_miter_limit(2.0);
    let root = backend(front)?.into_drawing_area();
    let drawn = draw_data(&root, &prepared, options).map_err(|e| e.to_string())?;
    Ok(Painted { layout, drawn })
}

/// Draws a heatmap over `range` on `canvas`, sized to its CSS box; returns the cells drawn.
pub fn paint_heatmap(
    canvas: &HtmlCanvasElement,
    range: TimeRange,
    times_ms: &[i64],
    counts: &[Vec<u32>],
    max_count: u32,
) -> Result<usize, String> {
    paint_whole(canvas, |root, _| {
        dogwatch_chart::draw_heatmap(root, range, times_ms, counts, max_count)
            .map_err(|e| e.to_string())
    })
}

/// Sizes `canvas` to its CSS box at the device pixel ratio, clears it, and hands `draw` its whole
/// area and that ratio: for the pictures drawn in one go (the APM pages' sparklines, histograms,
/// scatter, and a trace's waterfall, flame graph and minimap; a board's heatmap).
pub fn paint_whole<R>(
    canvas: &HtmlCanvasElement,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, f64) -> Result<R, String>,
) -> Result<R, String> {
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let size_px = (
        device_px(canvas.client_width(), dpr),
        device_px(canvas.client_height(), dpr),
    );
    if !resize(canvas, size_px) {
        context(canvas)?.clear_rect(0.0, 0.0, f64::from(size_px.0), f64::from(size_px.1));
    }
    let root = backend(canvas)?.into_drawing_area();
    draw(&root, dpr)
}

const NO_CONTEXT: &str = "the browser gave the graph's canvas no 2D context";

fn backend(canvas: &HtmlCanvasElement) -> Result<CanvasBackend, String> {
    CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| NO_CONTEXT.to_owned())
}

fn context(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        .ok_or_else(|| NO_CONTEXT.to_owned())
}

/// Sizes `canvas` to `(width, height)` device pixels; true when that changed its size (which also
/// cleared it).
fn resize(canvas: &HtmlCanvasElement, (width, height): (u32, u32)) -> bool {
    let changed = canvas.width() != width || canvas.height() != height;
    if changed {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    changed
}

/// Lays the front canvas over the plotting area, in CSS pixels. Property by property: a `style`
/// attribute is refused by the Content-Security-Policy.
fn place(front: &HtmlCanvasElement, layout: &Layout) {
    let (l, t, r, b) = layout.plot_px;
    let css = |px: i32| format!("{}px", f64::from(px) / layout.dpr);
    let style = front.style();
    for (name, value) in [
        ("left", css(l)),
        ("top", css(t)),
        ("width", css(r - l)),
        ("height", css(b - t)),
    ] {
        let _ = style.set_property(name, &value);
    }
}

fn device_px(css_px: i32, dpr: f64) -> u32 {
    (f64::from(css_px.max(1)) * dpr).round().max(1.0) as u32
}
