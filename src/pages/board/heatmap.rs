//! A heatmap widget's canvas: time across, value bands up, each cell shaded by how many series fall
//! in it, drawn by dogwatch-chart through plotters-canvas.

use dogwatch_core::timeframe::TimeRange;
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::chart::{format_value, paint_heatmap};
use crate::pages::board::values::Heatmap;

#[component]
pub fn HeatmapCanvas(heatmap: Heatmap, range: TimeRange) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let cells = heatmap.counts.iter().flatten().filter(|c| **c > 0).count();
    let (low, high) = (format_value(heatmap.low), format_value(heatmap.high));
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        if let Err(e) = paint_heatmap(
            &canvas,
            range,
            &heatmap.times_ms,
            &heatmap.counts,
            heatmap.max_count,
        ) {
            leptos::logging::warn!("heatmap: {e}");
        }
    });
    view! {
        <div class="heatmap">
            <span class="heatmap-axis">{high}</span>
            <canvas node_ref=canvas class="heatmap-canvas" role="img" aria-label="Heatmap" data-cells=cells.to_string()></canvas>
            <span class="heatmap-axis">{low}</span>
        </div>
    }
}
