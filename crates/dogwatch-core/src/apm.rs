//! APM spans as dogwatch keeps them (the Datadog agent's span model); the decoders of what the
//! tracers send, Datadog's msgpack payloads `/v0.4/traces` and `/v0.5/traces` (`msgpack.rs`,
//! feature `traces`: the server's); the trace metrics the agent derives from top-level spans
//! (`metrics.rs`); the figures of the APM views (`stats.rs`); and a trace's shape: exec times and
//! its critical path (`tree.rs`), which the server and the UI's trace view both read; two traces
//! compared by kind of span (`compare.rs`).

pub mod compare;
pub mod metrics;
#[cfg(feature = "traces")]
mod msgpack;
pub mod stats;
pub mod tree;

use std::collections::{BTreeMap, HashMap};

#[cfg(feature = "traces")]
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

    /// `meta[key]`, when the tracer set it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.meta.get(key).map(String::as_str)
    }
}

/// Marks the top-level spans of a chunk of one trace as the Datadog agent does
/// (`traceutil.ComputeTopLevel`): a root, a span whose parent is not in the chunk (it ran in another
/// process), or one whose parent belongs to another service. Sets `_dd.top_level` = 1 on them.
pub fn mark_top_level(chunk: &mut [Span]) {
    let services: HashMap<u64, String> = chunk
        .iter()
        .map(|s| (s.span_id, s.service.clone()))
        .collect();
    for s in chunk.iter_mut() {
        let top = s.parent_id == 0
            || services
                .get(&s.parent_id)
                .is_none_or(|parent| *parent != s.service);
        if top {
            s.metrics.insert("_dd.top_level".to_owned(), 1.0);
        }
    }
}
