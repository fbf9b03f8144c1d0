//! Widgets shared by pages, one public component per file.

pub mod suggest_input;
pub mod timeframe_picker;
pub mod timeseries;
