//! APM traces as the API answers them (`GET /api/v1/dogwatch/traces/{trace_id}`). Ids are 64-bit
//! unsigned numbers written as decimal text, which JavaScript's numbers cannot hold exactly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One span of a trace.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TraceSpan {
    pub trace_id: String,
    pub span_id: String,
    /// `"0"` for the root.
    pub parent_id: String,
    pub service: String,
    pub name: String,
    pub resource: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Nanoseconds since the Unix epoch.
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub meta: BTreeMap<String, String>,
    pub metrics: BTreeMap<String, f64>,
}

/// A whole trace, its spans by start time.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Trace {
    pub trace_id: String,
    pub spans: Vec<TraceSpan>,
}
