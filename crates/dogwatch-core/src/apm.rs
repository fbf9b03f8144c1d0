//! APM spans as dogwatch keeps them (the Datadog agent's span model), and the decoders of what the
//! tracers send: Datadog's msgpack payloads `/v0.4/traces` and `/v0.5/traces` (`msgpack.rs`).

mod msgpack;

use std::collections::BTreeMap;

pub use msgpack::{DecodeError, decode_v04, decode_v05};

/// One span: a timed operation of a service within a trace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Span {
    /// The low 64 bits of the trace id (the high bits, when any, are in meta `_dd.p.tid`).
    pub trace_id: u64,
    pub span_id: u64,
    /// 0 for a trace's root.
    pub parent_id: u64,
    pub service: String,
    /// The operation, e.g. `flask.request`.
    pub name: String,
    /// What it acted on, e.g. `GET /api/trace` or a SQL statement.
    pub resource: String,
    /// `web`, `http`, `sql`, … (empty when the tracer gave none).
    pub kind: String,
    /// Nanoseconds since the Unix epoch.
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub meta: BTreeMap<String, String>,
    pub metrics: BTreeMap<String, f64>,
}

impl Span {
    /// Whether it starts a service's part of the trace (the tracer's `_dd.top_level`, or a root):
    /// the spans trace metrics count.
    pub fn is_top_level(&self) -> bool {
        self.parent_id == 0 || self.metrics.get("_dd.top_level").is_some_and(|v| *v == 1.0)
    }
}
