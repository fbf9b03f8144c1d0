//! A heatmap widget's canvas: time across, value bands up, each cell shaded by how many series fall
//! in it. Drawn straight onto a 2D context (a grid of rectangles needs nothing from plotters).

use dogwatch_core::timeframe::TimeRange;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::chart::format_value;
use crate::pages::board::values::Heatmap;

#[component]
pub fn HeatmapCanvas(heatmap: Heatmap, range: TimeRange) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let cells = heatmap.counts.iter().flatten().filter(|c| **c > 0).count();
    let (low, high) = (format_value(heatmap.low), format_value(heatmap.high));
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        draw(&canvas, &heatmap, range);
    });
    view! {
        <div class="heatmap">
            <span class="heatmap-axis">{high}</span>
            <canvas node_ref=canvas class="heatmap-canvas" role="img" aria-label="Heatmap" data-cells=cells.to_string()></canvas>
            <span class="heatmap-axis">{low}</span>
        </div>
    }
}

fn draw(canvas: &web_sys::HtmlCanvasElement, h: &Heatmap, range: TimeRange) {
    let dpr = window().device_pixel_ratio().max(1.0);
    let (w, ht) = (
        f64::from(canvas.client_width().max(1)) * dpr,
        f64::from(canvas.client_height().max(1)) * dpr,
    );
    canvas.set_width(w as u32);
    canvas.set_height(ht as u32);
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, w, ht);
    let bins = h.counts.first().map_or(1, Vec::len).max(1);
    let span = range.duration_ms().max(1) as f64;
    // Each column is as wide as the gap to the next bucket (the last one as the one before it).
    let step = h
        .times_ms
        .windows(2)
        .map(|p| p[1] - p[0])
        .min()
        .unwrap_or(range.duration_ms() / 60)
        .max(1) as f64;
    let col_w = (step / span * w).max(1.0);
    let row_h = ht / bins as f64;
    for (t, row) in h.times_ms.iter().zip(&h.counts) {
        let x = (*t - range.from_ms) as f64 / span * w;
        for (b, count) in row.iter().enumerate().filter(|(_, c)| **c > 0) {
            let alpha = 0.15 + 0.85 * f64::from(*count) / f64::from(h.max_count.max(1));
            ctx.set_fill_style_str(&format!("rgba(99, 44, 166, {alpha:.3})"));
            let y = ht - (b + 1) as f64 * row_h;
            ctx.fill_rect(x, y, col_w, row_h - 1.0);
        }
    }
}
