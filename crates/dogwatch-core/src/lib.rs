//! dogwatch-core: the pure domain of dogwatch — wire types, tags, the metric query language and its
//! evaluator, DogStatsD parsing and aggregation, timeframes (presets, typed ranges, zones), dashboard
//! template variables, the 12-column grid layout rules, and metric monitors (query, thresholds,
//! states and transitions, message templates, @-mentions).
//!
//! No IO, no clock, no logging: anything that needs the time takes `now` as an argument. It compiles to
//! native code for the server and to wasm32 for the UI.

pub mod apm;
#[cfg(feature = "schedule")]
pub mod downtime;
pub mod eval;
pub mod grid;
pub mod model;
pub mod monitor;
pub mod query;
pub mod series;
pub mod sort;
pub mod statsd;
pub mod template_vars;
pub mod timeframe;
pub mod wire;
