//! dogwatch's charts on plotters, generic over the drawing backend: the canvas in the UI
//! (plotters-canvas), a bitmap on the server. Holds everything about a graph that is not the
//! browser: the lines of a query answer, their reduction to pixel columns, ticks, colors, times in
//! words (chrono) and the drawing itself.

pub mod decimate;
pub mod draw;
pub mod flame;
pub mod format;
pub mod geometry;
pub mod heatmap;
pub mod options;
pub mod palette;
#[cfg(feature = "png")]
pub mod png;
pub mod spark;
pub mod textless;
pub mod ticks;

pub use decimate::{Columns, decimate};
pub use draw::{
    DrawError, Drawn, Layout, Prepared, ValueScale, draw_data, draw_frame, prepare, render,
};
pub use flame::{
    FlameBar, SpanBar, WaterfallLayout, WaterfallRow, Window, draw_flame, draw_minimap,
    draw_waterfall, service_color,
};
pub use format::{
    Zone, axis_time_label, clock_time, format_duration_ns, format_value, time_of_day, window_label,
};
pub use geometry::{
    Band, Hover, Line, PlotBox, anomalies, hover_at, lines, merge_answers, selected_range,
};
pub use heatmap::draw_heatmap;
pub use options::{
    ChartOptions, Display, Marker, Palette, QueryStyle, Region, YAxis, marker_value,
};
pub use palette::{ANOMALY_CSS, BAND_CSS, Rgb, css, series_colors};
pub use plotters::style::RGBAColor;
pub use spark::{ScatterPoint, draw_histogram, draw_scatter, draw_sparkline, scatter_point_at};
pub use textless::Textless;
