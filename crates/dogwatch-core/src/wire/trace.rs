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

/// Requests, errors and latency of a set of top-level spans (a service's, a resource's, a time
/// bucket's). Percentiles are exact: nearest rank over the spans' durations.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct LatencyStats {
    pub hits: u64,
    pub errors: u64,
    /// Sum of the durations.
    pub total_ns: i64,
    pub avg_ns: i64,
    pub p50_ns: i64,
    pub p75_ns: i64,
    pub p90_ns: i64,
    pub p95_ns: i64,
    pub p99_ns: i64,
    pub max_ns: i64,
}

/// One time bucket of a service's or resource's requests.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct StatsBucket {
    /// Start of the bucket, milliseconds since the epoch.
    pub ts_ms: i64,
    pub stats: LatencyStats,
}

/// Durations `lower_ns <= d < upper_ns` (the last bin includes its upper bound).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HistogramBin {
    pub lower_ns: i64,
    pub upper_ns: i64,
    pub count: u64,
}

/// A service as the services list shows it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ServiceRow {
    pub service: String,
    /// The type of its top-level spans (`web`, `sql`, `http`, …; empty when the tracer gave none).
    #[serde(rename = "type")]
    pub kind: String,
    /// The operation of its top-level spans (`flask.request`): the `trace.<name>.*` metrics'.
    pub name: String,
    pub stats: LatencyStats,
    /// Requests per second over the timeframe.
    pub rate_per_s: f64,
    /// errors / hits (0 when no request).
    pub error_rate: f64,
    /// Apdex at the answer's `apdex_t_ms`; `None` without requests.
    pub apdex: Option<f64>,
    /// Requests over the timeframe, `interval_ms` apart: the sparkline.
    pub buckets: Vec<StatsBucket>,
}

/// `GET /api/v1/dogwatch/apm/services?from=&to=[&env=][&apdex_t=]` (seconds; `apdex_t` in seconds,
/// 0.5 by default).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ApmServices {
    pub from_ms: i64,
    pub to_ms: i64,
    pub interval_ms: i64,
    pub apdex_t_ms: i64,
    /// Every `env` the timeframe's spans carry, for the filter.
    pub envs: Vec<String>,
    pub services: Vec<ServiceRow>,
    /// Fewer spans were read than the timeframe holds (the answer covers the newest ones).
    pub truncated: bool,
}

/// One endpoint of a service, as the resources table shows it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ResourceRow {
    pub resource: String,
    pub name: String,
    pub stats: LatencyStats,
    pub rate_per_s: f64,
    pub error_rate: f64,
}

/// Where a service's requests spend their time: the exec time of spans of `service` (the service
/// itself included) under its top-level spans.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TimeShare {
    pub service: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub exec_ns: i64,
    /// exec_ns / the sum over every service (0..=1).
    pub share: f64,
}

/// Calls a service makes to others (databases, HTTP): child spans of another type or service.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct CallRow {
    pub service: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub resource: String,
    pub stats: LatencyStats,
}

/// `GET /api/v1/dogwatch/apm/services/{service}?from=&to=[&env=][&apdex_t=]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ApmService {
    pub from_ms: i64,
    pub to_ms: i64,
    pub interval_ms: i64,
    pub apdex_t_ms: i64,
    pub summary: ServiceRow,
    pub histogram: Vec<HistogramBin>,
    pub downstream: Vec<TimeShare>,
    pub resources: Vec<ResourceRow>,
    pub calls: Vec<CallRow>,
    /// How many traces `downstream` and `calls` were worked out from (the newest ones).
    pub traces_read: u64,
    pub truncated: bool,
}

/// One row of a resource's span summary: a kind of span found in its traces.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SpanSummaryRow {
    pub service: String,
    pub name: String,
    /// Spans of this kind per trace of the resource, on average.
    pub avg_spans_per_trace: f64,
    /// Share of the resource's traces that have one (0..=1).
    pub trace_share: f64,
    pub avg_duration_ns: i64,
    /// Share of the traces' exec time spent in these spans (0..=1).
    pub exec_share: f64,
}

/// `GET /api/v1/dogwatch/apm/resource?service=&resource=&from=&to=[&env=][&version=]`. With
/// `version`, every figure is of the requests of that version (the tracer's `version` tag): two
/// answers side by side compare two deploys.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct ApmResource {
    pub from_ms: i64,
    pub to_ms: i64,
    pub interval_ms: i64,
    pub service: String,
    /// The version asked for.
    pub version: Option<String>,
    /// Every version the resource's requests in the timeframe carry, sorted.
    pub versions: Vec<String>,
    pub summary: ResourceRow,
    pub buckets: Vec<StatsBucket>,
    pub histogram: Vec<HistogramBin>,
    pub span_summary: Vec<SpanSummaryRow>,
    /// Its slowest traces in the timeframe.
    pub traces: Vec<TraceHit>,
    pub traces_read: u64,
    pub truncated: bool,
}

/// A span a trace search found: a service's entry into a trace.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TraceHit {
    pub trace_id: String,
    pub span_id: String,
    pub service: String,
    pub name: String,
    pub resource: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub status_code: Option<String>,
}

/// `GET /api/v1/dogwatch/apm/traces?from=&to=[&service=][&resource=][&status=ok|error]
/// [&min_ms=][&max_ms=][&tags=k:v,k:v*][&limit=]`: top-level spans that match, newest first.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TraceSearch {
    pub traces: Vec<TraceHit>,
    /// More spans matched than `limit`.
    pub truncated: bool,
}
