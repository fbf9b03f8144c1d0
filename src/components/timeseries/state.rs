//! A graph's state between draws, as plain data: what a draw depends on (to skip an equal one), what
//! the pointer handlers read of the last draw, and what the canvas tells tests and tools.

use std::sync::Arc;

use dogwatch_chart::{ChartOptions, Line, PlotBox, Rgb, Zone};
use dogwatch_core::timeframe::TimeRange;

use crate::chart::Painted;

/// Everything one draw depends on. Two equal inputs draw the same picture, so the second is skipped.
#[derive(Debug, Clone)]
pub struct DrawInput {
    pub lines: Arc<Vec<Line>>,
    pub colors: Arc<Vec<Rgb>>,
    pub range: TimeRange,
    pub options: ChartOptions,
    /// The graph's CSS box: width, height.
    pub size: (i32, i32),
}

impl PartialEq for DrawInput {
    fn eq(&self, other: &Self) -> bool {
        // The lines come from a memo that already compared them by value: the same Arc means the
        // same lines, and comparing pointers spares walking every point again.
        Arc::ptr_eq(&self.lines, &other.lines)
            && self.colors == other.colors
            && self.range == other.range
            && self.options == other.options
            && self.size == other.size
    }
}

/// What the pointer handlers need of the last draw, in one place: reading it is one borrow, where
/// the signals and memos it comes from cost a lookup, a lock and a guard each, at every move.
#[derive(Default)]
pub struct DrawnView {
    pub plot: Option<PlotBox>,
    pub lines: Arc<Vec<Line>>,
    /// Per line: whether it is shown (not hidden from the legend).
    pub shown: Vec<bool>,
    /// The zone of the tooltip's times: fixed over the window drawn when it can be, so that a time
    /// is formatted without asking the browser's `Date` each time.
    pub zone: Option<Zone>,
}

impl DrawnView {
    pub fn of(input: &DrawInput, plot: PlotBox) -> DrawnView {
        DrawnView {
            plot: Some(plot),
            shown: input
                .lines
                .iter()
                .map(|l| !input.options.hidden.contains(&l.label))
                .collect(),
            lines: Arc::clone(&input.lines),
            zone: Some(input.options.zone().fixed_over(input.range)),
        }
    }

    /// The lines not hidden.
    pub fn shown(&self) -> impl Iterator<Item = &Line> + Clone {
        self.lines
            .iter()
            .zip(&self.shown)
            .filter_map(|(l, &shown)| shown.then_some(l))
    }
}

/// The data attributes of the data canvas after a draw, for tests and tools: what was drawn, the
/// plotting area in its own pixels (it is the plotting area), how many times the data was drawn
/// (`draws`) and how many times the frame was (`frame_draws`).
pub fn canvas_attributes(
    painted: &Painted,
    draws: u64,
    frame_draws: u64,
) -> [(&'static str, String); 10] {
    let d = painted.drawn;
    let (w, h) = painted.layout.plot_size_px();
    [
        ("data-series", d.series.to_string()),
        ("data-points", d.points.to_string()),
        ("data-drawn-points", d.drawn_points.to_string()),
        ("data-hidden", d.hidden.to_string()),
        ("data-bands", d.bands.to_string()),
        ("data-anomalies", d.anomalies.to_string()),
        ("data-regions", d.regions.to_string()),
        ("data-plot-area", format!("0,0,{w},{h}")),
        ("data-draws", draws.to_string()),
        ("data-frame-draws", frame_draws.to_string()),
    ]
}

/// The drag selection's box (left, width, top, height in CSS pixels) between pointer positions `a`
/// and `b`, kept inside the plot.
pub fn selection_box((a, b): (f64, f64), p: &PlotBox) -> (f64, f64, f64, f64) {
    let (l, r) = (
        a.min(b).clamp(p.left, p.right),
        a.max(b).clamp(p.left, p.right),
    );
    (l, r - l, p.top, p.bottom - p.top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_stays_inside_the_plot() {
        let plot = PlotBox {
            left: 50.0,
            right: 150.0,
            top: 10.0,
            bottom: 90.0,
            range: TimeRange {
                from_ms: 0,
                to_ms: 1,
            },
        };
        assert_eq!(selection_box((80.0, 60.0), &plot), (60.0, 20.0, 10.0, 80.0));
        assert_eq!(
            selection_box((0.0, 500.0), &plot),
            (50.0, 100.0, 10.0, 80.0)
        );
    }
}
