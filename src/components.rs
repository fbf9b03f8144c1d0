//! Widgets shared by pages, one public component per file.

pub mod message_editor;
pub mod query_editor;
pub mod query_problem;
pub mod send_snapshot;
pub mod suggest_input;
pub mod timeframe_picker;
pub mod timeseries;
