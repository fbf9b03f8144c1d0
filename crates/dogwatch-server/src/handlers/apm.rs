//! The APM views' answers, worked out from the stored spans over a timeframe:
//! - `GET /api/v1/dogwatch/apm/services`: every service's requests, errors, latency, Apdex;
//! - `GET /api/v1/dogwatch/apm/services/{service}`: one service, its latency distribution, where
//!   its requests spend their time, its resources and its calls to databases and other services;
//! - `GET /api/v1/dogwatch/apm/resource`: one endpoint, its span summary and slowest traces;
//! - `GET /api/v1/dogwatch/apm/traces`: the trace search.
//!
//! Requests are a service's entry spans (top level, as the agent counts them); percentiles are
//! exact over their durations. What is read is bounded: at most [`ENTRY_LIMIT`] entry spans (the
//! newest; the answer says `truncated`) and the newest [`TRACES_READ`] traces for the time shares,
//! calls and span summaries (the answer says how many).

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use dogwatch_core::apm::stats::{apdex, histogram, latency_stats};
use dogwatch_core::apm::tree::{Node, Tree, exec_times};
use dogwatch_core::wire::{
    ApmResource, ApmService, ApmServices, CallRow, LatencyStats, ResourceRow, ServiceRow,
    SpanSummaryRow, StatsBucket, TimeShare, TraceHit, TraceSearch,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::handlers::now_ms;
use crate::handlers::query::parse_secs;
use crate::store::traces::{EntryFilter, EntrySpan, SpanShape};

/// Most entry spans one answer reads.
pub const ENTRY_LIMIT: usize = 200_000;
/// Most traces read whole for time shares, calls and span summaries.
pub const TRACES_READ: usize = 200;
/// Bins of a latency histogram.
const BINS: usize = 30;
/// Most buckets of a timeframe's graphs.
const MAX_BUCKETS: i64 = 120;
/// Span types that are calls out of a service (the agent's client types).
const CALL_KINDS: &[&str] = &[
    "sql",
    "db",
    "http",
    "redis",
    "cache",
    "memcached",
    "mongodb",
    "cassandra",
    "elasticsearch",
    "grpc",
    "rpc",
    "queue",
];

#[derive(Deserialize)]
pub struct WindowParams {
    from: Option<String>,
    to: Option<String>,
    env: Option<String>,
    apdex_t: Option<String>,
}

/// The timeframe asked for, in ms, with its graphs' bucket width.
struct Window {
    from_ms: i64,
    to_ms: i64,
    interval_ms: i64,
}

impl Window {
    /// `from`/`to` in seconds; the past hour when not given.
    fn of(from: Option<&str>, to: Option<&str>) -> Result<Window, AppError> {
        let to_ms = match to {
            Some(raw) => parse_secs("to", raw)? * 1000,
            None => now_ms(),
        };
        let from_ms = match from {
            Some(raw) => parse_secs("from", raw)? * 1000,
            None => to_ms - 3_600_000,
        };
        if from_ms >= to_ms {
            return Err(AppError::BadRequest(
                "parameter `from` must be before `to`".to_owned(),
            ));
        }
        let steps = [
            10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400,
        ];
        let span_s = (to_ms - from_ms) / 1000;
        let interval_s = steps
            .into_iter()
            .find(|s| span_s / s <= MAX_BUCKETS)
            .unwrap_or_else(|| (span_s / MAX_BUCKETS).max(86400));
        Ok(Window {
            from_ms,
            to_ms,
            interval_ms: interval_s * 1000,
        })
    }

    fn filter(&self) -> EntryFilter {
        EntryFilter {
            from_ns: self.from_ms.saturating_mul(1_000_000),
            to_ns: self.to_ms.saturating_mul(1_000_000),
            ..EntryFilter::default()
        }
    }

    fn seconds(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let s = (self.to_ms - self.from_ms) as f64 / 1000.0;
        s
    }

    /// The spans' stats per bucket, every bucket of the timeframe (empty ones too).
    fn buckets(&self, spans: &[&EntrySpan]) -> Vec<StatsBucket> {
        let first = self.from_ms - self.from_ms.rem_euclid(self.interval_ms);
        let mut by_bucket: BTreeMap<i64, (Vec<i64>, u64)> = BTreeMap::new();
        let mut ts = first;
        while ts < self.to_ms {
            by_bucket.insert(ts, (Vec::new(), 0));
            ts += self.interval_ms;
        }
        for s in spans {
            let ms = s.start_ns / 1_000_000;
            let b = ms - ms.rem_euclid(self.interval_ms);
            if let Some((durations, errors)) = by_bucket.get_mut(&b) {
                durations.push(s.duration_ns);
                *errors += u64::from(s.error);
            }
        }
        by_bucket
            .into_iter()
            .map(|(ts_ms, (mut d, errors))| StatsBucket {
                ts_ms,
                stats: latency_stats(&mut d, errors),
            })
            .collect()
    }
}

fn env_of(raw: Option<String>) -> Option<String> {
    raw.filter(|e| !e.is_empty() && e != "*")
}

/// Apdex's T in ms: `apdex_t` seconds, 0.5 when not given.
fn apdex_t_ms(raw: Option<&str>) -> Result<i64, AppError> {
    let Some(raw) = raw else { return Ok(500) };
    match raw.trim().parse::<f64>() {
        #[allow(clippy::cast_possible_truncation)]
        Ok(t) if t.is_finite() && t > 0.0 && t <= 3600.0 => {
            Ok((t * 1000.0).round().max(1.0) as i64)
        }
        _ => Err(AppError::BadRequest(format!(
            "parameter `apdex_t` must be seconds between 0 and 3600, got `{raw}`"
        ))),
    }
}

fn stats_of(spans: &[&EntrySpan]) -> LatencyStats {
    let mut durations: Vec<i64> = spans.iter().map(|s| s.duration_ns).collect();
    let errors = spans.iter().filter(|s| s.error).count() as u64;
    latency_stats(&mut durations, errors)
}

#[allow(clippy::cast_precision_loss)]
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The value most of these spans have (ties: the first in order).
fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(v, n)| (*n, std::cmp::Reverse(*v)))
        .map(|(v, _)| v.to_owned())
        .unwrap_or_default()
}

fn service_row(window: &Window, service: &str, spans: &[&EntrySpan], t_ms: i64) -> ServiceRow {
    let stats = stats_of(spans);
    #[allow(clippy::cast_precision_loss)]
    let rate_per_s = stats.hits as f64 / window.seconds();
    ServiceRow {
        service: service.to_owned(),
        kind: most_common(spans.iter().map(|s| s.kind.as_str())),
        name: most_common(spans.iter().map(|s| s.name.as_str())),
        rate_per_s,
        error_rate: ratio(stats.errors, stats.hits),
        apdex: apdex(
            spans.iter().map(|s| (s.duration_ns, s.error)),
            t_ms.saturating_mul(1_000_000),
        ),
        buckets: window.buckets(spans),
        stats,
    }
}

async fn entries(
    state: &AppState,
    filter: EntryFilter,
) -> Result<(Vec<EntrySpan>, bool), AppError> {
    state
        .store
        .entry_spans(filter, ENTRY_LIMIT)
        .await
        .map_err(AppError::internal)
}

fn by_key(
    spans: &[EntrySpan],
    key: impl Fn(&EntrySpan) -> &str,
) -> BTreeMap<String, Vec<&EntrySpan>> {
    let mut out: BTreeMap<String, Vec<&EntrySpan>> = BTreeMap::new();
    for s in spans {
        out.entry(key(s).to_owned()).or_default().push(s);
    }
    out
}

pub async fn services(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<WindowParams>,
) -> Result<Json<ApmServices>, AppError> {
    let window = Window::of(p.from.as_deref(), p.to.as_deref())?;
    let t_ms = apdex_t_ms(p.apdex_t.as_deref())?;
    let filter = EntryFilter {
        env: env_of(p.env),
        ..window.filter()
    };
    let envs = state
        .store
        .trace_envs(filter.from_ns, filter.to_ns)
        .await
        .map_err(AppError::internal)?;
    let (spans, truncated) = entries(&state, filter).await?;
    let services = by_key(&spans, |s| &s.service)
        .into_iter()
        .map(|(service, spans)| service_row(&window, &service, &spans, t_ms))
        .collect();
    Ok(Json(ApmServices {
        from_ms: window.from_ms,
        to_ms: window.to_ms,
        interval_ms: window.interval_ms,
        apdex_t_ms: t_ms,
        envs,
        services,
        truncated,
    }))
}

/// The spans of the newest traces among `spans`, at most [`TRACES_READ`].
async fn newest_traces(
    state: &AppState,
    spans: &[EntrySpan],
) -> Result<Vec<(u64, Vec<SpanShape>)>, AppError> {
    let mut seen = HashSet::new();
    let ids: Vec<u64> = spans
        .iter()
        .map(|s| s.trace_id)
        .filter(|id| seen.insert(*id))
        .take(TRACES_READ)
        .collect();
    state
        .store
        .trace_shapes(ids)
        .await
        .map_err(AppError::internal)
}

/// A trace's spans under the entry spans given, each once: `(span index, exec time)`, with the
/// trace's tree.
fn under_entries(
    trace_id: u64,
    spans: &[SpanShape],
    entries: &HashSet<(u64, u64)>,
) -> (Tree, Vec<(usize, i64)>) {
    let nodes: Vec<Node> = spans
        .iter()
        .map(|s| Node {
            id: s.span_id,
            parent: s.parent_id,
            start_ns: s.start_ns,
            duration_ns: s.duration_ns,
        })
        .collect();
    let tree = Tree::of(&nodes);
    let exec = exec_times(&nodes, &tree);
    let mut seen = vec![false; spans.len()];
    let mut stack: Vec<usize> = (0..spans.len())
        .filter(|&i| entries.contains(&(trace_id, spans[i].span_id)))
        .collect();
    let mut out = Vec::new();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        out.push((i, exec[i]));
        stack.extend(&tree.children[i]);
    }
    (tree, out)
}

pub async fn service(
    State(state): State<AppState>,
    Path(service): Path<String>,
    ApiQuery(p): ApiQuery<WindowParams>,
) -> Result<Json<ApmService>, AppError> {
    let window = Window::of(p.from.as_deref(), p.to.as_deref())?;
    let t_ms = apdex_t_ms(p.apdex_t.as_deref())?;
    let filter = EntryFilter {
        service: Some(service.clone()),
        env: env_of(p.env),
        ..window.filter()
    };
    let (spans, truncated) = entries(&state, filter).await?;
    if spans.is_empty() {
        return Err(AppError::NotFound(format!(
            "Service {service} has no requests in this timeframe"
        )));
    }
    let all: Vec<&EntrySpan> = spans.iter().collect();
    let summary = service_row(&window, &service, &all, t_ms);
    let mut sorted: Vec<i64> = spans.iter().map(|s| s.duration_ns).collect();
    sorted.sort_unstable();
    let resources = by_key(&spans, |s| &s.resource)
        .into_iter()
        .map(|(resource, spans)| resource_row(&window, resource, &spans))
        .collect();

    let traces = newest_traces(&state, &spans).await?;
    let entry_ids: HashSet<(u64, u64)> = spans.iter().map(|s| (s.trace_id, s.span_id)).collect();
    let mut time: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut calls: BTreeMap<(String, String, String), (Vec<i64>, u64)> = BTreeMap::new();
    for (trace_id, trace) in &traces {
        let (_, under) = under_entries(*trace_id, trace, &entry_ids);
        let by_id: HashMap<u64, &SpanShape> = trace.iter().map(|s| (s.span_id, s)).collect();
        for (i, exec) in under {
            let s = &trace[i];
            *time.entry((s.service.clone(), s.kind.clone())).or_default() += exec;
            let Some(parent) = by_id.get(&s.parent_id) else {
                continue;
            };
            let parent_is_call = CALL_KINDS.contains(&parent.kind.as_str());
            let is_call =
                CALL_KINDS.contains(&s.kind.as_str()) || (s.service != service && !parent_is_call);
            if parent.service == service && is_call {
                let call = calls
                    .entry((s.service.clone(), s.kind.clone(), s.resource.clone()))
                    .or_default();
                call.0.push(s.duration_ns);
                call.1 += u64::from(s.error);
            }
        }
    }
    let total: i64 = time.values().sum();
    let mut downstream: Vec<TimeShare> = time
        .into_iter()
        .map(|((service, kind), exec_ns)| TimeShare {
            service,
            kind,
            exec_ns,
            #[allow(clippy::cast_precision_loss)]
            share: if total > 0 {
                exec_ns as f64 / total as f64
            } else {
                0.0
            },
        })
        .collect();
    downstream.sort_by_key(|t| std::cmp::Reverse(t.exec_ns));
    let mut calls: Vec<CallRow> = calls
        .into_iter()
        .map(|((service, kind, resource), (mut d, errors))| CallRow {
            service,
            kind,
            resource,
            stats: latency_stats(&mut d, errors),
        })
        .collect();
    calls.sort_by_key(|c| std::cmp::Reverse(c.stats.total_ns));
    Ok(Json(ApmService {
        from_ms: window.from_ms,
        to_ms: window.to_ms,
        interval_ms: window.interval_ms,
        apdex_t_ms: t_ms,
        summary,
        histogram: histogram(&sorted, BINS),
        downstream,
        resources,
        calls,
        traces_read: traces.len() as u64,
        truncated,
    }))
}

fn resource_row(window: &Window, resource: String, spans: &[&EntrySpan]) -> ResourceRow {
    let stats = stats_of(spans);
    #[allow(clippy::cast_precision_loss)]
    let rate_per_s = stats.hits as f64 / window.seconds();
    ResourceRow {
        resource,
        name: most_common(spans.iter().map(|s| s.name.as_str())),
        rate_per_s,
        error_rate: ratio(stats.errors, stats.hits),
        stats,
    }
}

fn hit(s: &EntrySpan) -> TraceHit {
    TraceHit {
        trace_id: s.trace_id.to_string(),
        span_id: s.span_id.to_string(),
        service: s.service.clone(),
        name: s.name.clone(),
        resource: s.resource.clone(),
        start_ns: s.start_ns,
        duration_ns: s.duration_ns,
        error: s.error,
        status_code: s.status_code.clone(),
    }
}

#[derive(Deserialize)]
pub struct ResourceParams {
    service: Option<String>,
    resource: Option<String>,
    from: Option<String>,
    to: Option<String>,
    env: Option<String>,
    version: Option<String>,
}

pub async fn resource(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ResourceParams>,
) -> Result<Json<ApmResource>, AppError> {
    let window = Window::of(p.from.as_deref(), p.to.as_deref())?;
    let (Some(service), Some(resource)) = (p.service, p.resource) else {
        return Err(AppError::BadRequest(
            "parameters `service` and `resource` are required".to_owned(),
        ));
    };
    let filter = EntryFilter {
        service: Some(service.clone()),
        resource: Some(resource.clone()),
        env: env_of(p.env),
        ..window.filter()
    };
    let (mut spans, truncated) = entries(&state, filter).await?;
    let mut versions: Vec<String> = spans
        .iter()
        .map(|s| s.version.clone())
        .filter(|v| !v.is_empty())
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let version = p.version.filter(|v| !v.is_empty());
    if let Some(v) = &version {
        spans.retain(|s| s.version == *v);
    }
    if spans.is_empty() {
        return Err(AppError::NotFound(format!(
            "Resource {resource} of {service} has no requests{} in this timeframe",
            version
                .as_ref()
                .map(|v| format!(" of version {v}"))
                .unwrap_or_default()
        )));
    }
    let all: Vec<&EntrySpan> = spans.iter().collect();
    let summary = resource_row(&window, resource, &all);
    let mut sorted: Vec<i64> = spans.iter().map(|s| s.duration_ns).collect();
    sorted.sort_unstable();

    let traces = newest_traces(&state, &spans).await?;
    let entry_ids: HashSet<(u64, u64)> = spans.iter().map(|s| (s.trace_id, s.span_id)).collect();
    // (service, name) → (spans, traces with one, total duration, total exec)
    let mut kinds: BTreeMap<(String, String), (u64, u64, i64, i64)> = BTreeMap::new();
    let mut total_exec = 0i64;
    for (trace_id, trace) in &traces {
        let (_, under) = under_entries(*trace_id, trace, &entry_ids);
        let mut here = HashSet::new();
        for (i, exec) in under {
            let s = &trace[i];
            let key = (s.service.clone(), s.name.clone());
            let k = kinds.entry(key.clone()).or_default();
            k.0 += 1;
            k.2 += s.duration_ns;
            k.3 += exec;
            total_exec += exec;
            if here.insert(key) {
                k.1 += 1;
            }
        }
    }
    let n = traces.len() as u64;
    let mut span_summary: Vec<SpanSummaryRow> = kinds
        .into_iter()
        .map(
            |((service, name), (count, with, duration, exec))| SpanSummaryRow {
                service,
                name,
                avg_spans_per_trace: ratio(count, n),
                trace_share: ratio(with, n),
                avg_duration_ns: duration / i64::try_from(count.max(1)).unwrap_or(1),
                #[allow(clippy::cast_precision_loss)]
                exec_share: if total_exec > 0 {
                    exec as f64 / total_exec as f64
                } else {
                    0.0
                },
            },
        )
        .collect();
    span_summary.sort_by(|a, b| b.exec_share.total_cmp(&a.exec_share));
    let mut slowest: Vec<&EntrySpan> = spans.iter().collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.duration_ns));
    Ok(Json(ApmResource {
        from_ms: window.from_ms,
        to_ms: window.to_ms,
        interval_ms: window.interval_ms,
        service,
        version,
        versions,
        buckets: window.buckets(&all),
        summary,
        histogram: histogram(&sorted, BINS),
        span_summary,
        traces: slowest.into_iter().take(20).map(hit).collect(),
        traces_read: n,
        truncated,
    }))
}

#[derive(Deserialize)]
pub struct SearchParams {
    from: Option<String>,
    to: Option<String>,
    service: Option<String>,
    resource: Option<String>,
    env: Option<String>,
    status: Option<String>,
    min_ms: Option<String>,
    max_ms: Option<String>,
    tags: Option<String>,
    limit: Option<String>,
}

/// Most tag filters one search takes.
const MAX_TAG_FILTERS: usize = 10;

fn millis(name: &str, raw: Option<&str>) -> Result<Option<i64>, AppError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    match raw.trim().parse::<f64>() {
        #[allow(clippy::cast_possible_truncation)]
        Ok(ms) if (0.0..1e12).contains(&ms) => Ok(Some((ms * 1e6).round() as i64)),
        _ => Err(AppError::BadRequest(format!(
            "parameter `{name}` must be milliseconds, got `{raw}`"
        ))),
    }
}

/// `k:v,k:v*` → pairs; a key may not hold `"` or `\` (it is a JSON path).
fn tag_filters(raw: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once(':') else {
            return Err(AppError::BadRequest(format!(
                "tag filter `{part}` must be key:value (value may use *)"
            )));
        };
        let key = key.trim();
        if key.is_empty() || key.contains(['"', '\\']) {
            return Err(AppError::BadRequest(format!(
                "tag filter `{part}` has no usable key"
            )));
        }
        out.push((key.to_owned(), value.trim().to_owned()));
    }
    if out.len() > MAX_TAG_FILTERS {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_TAG_FILTERS} tag filters"
        )));
    }
    Ok(out)
}

pub async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<TraceSearch>, AppError> {
    let window = Window::of(p.from.as_deref(), p.to.as_deref())?;
    let error = match p.status.as_deref().map(str::trim) {
        None | Some("" | "all" | "*") => None,
        Some("error") => Some(true),
        Some("ok") => Some(false),
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "parameter `status` is ok or error, not `{other}`"
            )));
        }
    };
    let limit = match p.limit.as_deref() {
        None => 100,
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                AppError::BadRequest(format!("parameter `limit` must be 1 to 1000, got `{raw}`"))
            })?,
    };
    let filter = EntryFilter {
        service: p.service.filter(|s| !s.is_empty()),
        resource: p.resource.filter(|s| !s.is_empty()),
        env: env_of(p.env),
        error,
        min_duration_ns: millis("min_ms", p.min_ms.as_deref())?,
        max_duration_ns: millis("max_ms", p.max_ms.as_deref())?,
        tags: tag_filters(p.tags.as_deref().unwrap_or(""))?,
        ..window.filter()
    };
    let (spans, truncated) = state
        .store
        .entry_spans(filter, limit)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(TraceSearch {
        traces: spans.iter().map(hit).collect(),
        truncated,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_has_at_most_its_bucket_count_of_buckets() {
        let w = Window::of(Some("1000"), Some("1300")).expect("window");
        assert_eq!(w.interval_ms, 10_000);
        assert_eq!(w.buckets(&[]).len(), 30);
        let w = Window::of(Some("0"), Some("86400")).expect("window");
        assert_eq!(w.interval_ms, 1_800_000);
        assert!(Window::of(Some("5"), Some("5")).is_err());
    }

    #[test]
    fn tag_filters_read_key_value_pairs() {
        assert_eq!(
            tag_filters("http.status_code:500, http.url:*orders*").expect("ok"),
            vec![
                ("http.status_code".to_owned(), "500".to_owned()),
                ("http.url".to_owned(), "*orders*".to_owned())
            ]
        );
        assert!(tag_filters("nocolon").is_err());
        assert!(tag_filters("a\"b:1").is_err());
    }
}
