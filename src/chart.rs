//! The UI's side of the charts. Drawing is dogwatch-chart's (plotters), re-exported here: `canvas`
//! puts it onto the page's canvases through plotters-canvas, with the frame cached on a back canvas;
//! `observe` tells a graph when it is on screen and its size; `sync` shares the hovered time
//! between the graphs of a page.

mod canvas;
mod observe;
mod sync;

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::QueryResponse;

pub use canvas::{Frames, Painted, paint, paint_heatmap, paint_whole};
pub use dogwatch_chart::*;
pub use observe::{Observers, on_screen_now};
pub use sync::CrosshairSync;

/// A query answer and the window it covers: what a graph shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphData {
    pub response: Arc<QueryResponse>,
    pub range: TimeRange,
}
