//! A heatmap on any plotters backend: time across, value bands up, each cell shaded by how many
//! series fall in it.

use dogwatch_core::timeframe::TimeRange;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::draw::DrawError;
use crate::palette::HEAT;

/// Draws on `root` (the whole heatmap) one column per time of `times_ms`, one row per band of
/// `counts[t]` (band 0 at the bottom), each cell more opaque the closer its count is to
/// `max_count`; returns how many cells were drawn (those with a count).
pub fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    range: TimeRange,
    times_ms: &[i64],
    counts: &[Vec<u32>],
    max_count: u32,
) -> Result<usize, DrawError<DB>> {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (f64::from(w), f64::from(h));
    let bins = counts.first().map_or(1, Vec::len).max(1);
    let span_ms = range.duration_ms().max(1) as f64;
    // Each column is as wide as the gap to the next time (the last one as the one before it).
    let step_ms = times_ms
        .windows(2)
        .map(|p| p[1] - p[0])
        .min()
        .unwrap_or(range.duration_ms() / 60)
        .max(1) as f64;
    let column_px = (step_ms / span_ms * w).max(1.0);
    let row_px = h / bins as f64;
    let mut cells = 0;
    for (&ts_ms, row) in times_ms.iter().zip(counts) {
        let x = (ts_ms - range.from_ms) as f64 / span_ms * w;
        for (band, &count) in row.iter().enumerate().filter(|(_, c)| **c > 0) {
            let alpha = 0.15 + 0.85 * f64::from(count) / f64::from(max_count.max(1));
            let top = h - (band + 1) as f64 * row_px;
            // A pixel row left between bands, so that they read as rows.
            let corners = [
                (x.round() as i32, top.round() as i32),
                (
                    (x + column_px).round() as i32,
                    (top + row_px - 1.0).round() as i32,
                ),
            ];
            root.draw(&Rectangle::new(corners, HEAT.mix(alpha).filled()))?;
            cells += 1;
        }
    }
    Ok(cells)
}
