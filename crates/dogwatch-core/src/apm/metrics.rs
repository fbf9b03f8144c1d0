//! Trace metrics, derived from top-level spans as the Datadog agent derives them:
//! `trace.<span name>.hits`, `.errors` and `.duration` (seconds, summed), counts over 10-second
//! buckets of the spans' end times, tagged `service`, `resource_name`, `env`, `version` and
//! `http.status_code` when the span has them. So `sum:trace.flask.request.hits{*}.as_count()`
//! graphs and alerts like any other metric.

use std::collections::BTreeMap;

use super::Span;
use crate::model::{MetricType, Sample, SeriesKey, TagSet, normalize_metric_name};

/// Seconds each point covers, as the agent's stats buckets.
pub const BUCKET_SECS: i64 = 10;

/// A tag value as Datadog's intake normalises it: lower case; characters other than letters,
/// digits and `_ - : . /` become `_`, runs of `_` one; at most 200 characters.
pub fn tag_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '/') {
            c
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
        if out.len() >= 200 {
            break;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The metric name of a span's stats: `trace.` and its name, normalised; `trace.unnamed` for a
/// name that cannot be one.
pub fn metric_prefix(span_name: &str) -> String {
    normalize_metric_name(&format!("trace.{}", span_name.to_lowercase()))
        .unwrap_or_else(|_| "trace.unnamed".to_owned())
}

/// The `http.status_code` a tracer recorded, in meta (ddtrace) or metrics (some others).
pub fn status_code(span: &Span) -> Option<String> {
    span.tag("http.status_code").map(str::to_owned).or_else(|| {
        span.metrics
            .get("http.status_code")
            .filter(|v| v.is_finite() && v.fract() == 0.0)
            .map(|v| format!("{v:.0}"))
    })
}

/// The series a top-level span counts in: its metric prefix (`trace.flask.request`) and tags.
fn series_of(s: &Span) -> (String, TagSet) {
    let mut tags = vec![
        format!("service:{}", tag_value(&s.service)),
        format!("resource_name:{}", tag_value(&s.resource)),
    ];
    for key in ["env", "version"] {
        if let Some(v) = s.tag(key).filter(|v| !v.is_empty()) {
            tags.push(format!("{key}:{}", tag_value(v)));
        }
    }
    if let Some(code) = status_code(s) {
        tags.push(format!("http.status_code:{}", tag_value(&code)));
    }
    (metric_prefix(&s.name), TagSet::from_tags(tags))
}

/// The start of the `secs`-wide bucket a span ends in.
fn bucket_of(s: &Span, secs: i64) -> i64 {
    let end_secs = s.start_ns.saturating_add(s.duration_ns.max(0)) / 1_000_000_000;
    end_secs - end_secs.rem_euclid(secs)
}

#[allow(clippy::cast_precision_loss)]
fn seconds(duration_ns: i64) -> f64 {
    duration_ns.max(0) as f64 / 1e9
}

/// The points these spans add to the trace metrics, summed per series and bucket. Only top-level
/// spans count; the caller passes each span once (a span sent again must not count twice).
pub fn samples<'a>(spans: impl IntoIterator<Item = &'a Span>) -> Vec<Sample> {
    // (prefix, tags, bucket) → (hits, errors, seconds)
    let mut sums: BTreeMap<(String, TagSet, i64), (f64, f64, f64)> = BTreeMap::new();
    for s in spans.into_iter().filter(|s| s.is_top_level()) {
        let (prefix, tags) = series_of(s);
        let sum = sums
            .entry((prefix, tags, bucket_of(s, BUCKET_SECS)))
            .or_default();
        sum.0 += 1.0;
        sum.1 += if s.error { 1.0 } else { 0.0 };
        sum.2 += seconds(s.duration_ns);
    }
    let mut out = Vec::with_capacity(sums.len() * 3);
    for ((prefix, tags, bucket), (hits, errors, seconds)) in sums {
        for (suffix, value) in [("hits", hits), ("errors", errors), ("duration", seconds)] {
            out.push(Sample {
                key: SeriesKey {
                    metric: format!("{prefix}.{suffix}"),
                    tags: tags.clone(),
                },
                kind: MetricType::Count,
                interval_secs: Some(BUCKET_SECS),
                ts_secs: bucket,
                value,
            });
        }
    }
    out
}

/// Seconds each latency sketch covers (the percentile gauges are one point a minute).
pub const SKETCH_SECS: i64 = 60;

/// The percentile gauges kept from each sketch: `trace.<name>.duration.<suffix>`, named as
/// DogStatsD's histogram series are.
pub const PERCENTILES: [(&str, f64); 6] = [
    ("median", 0.5),
    ("75percentile", 0.75),
    ("90percentile", 0.9),
    ("95percentile", 0.95),
    ("99percentile", 0.99),
    ("max", 1.0),
];

/// The durations (seconds) of these top-level spans by series (`trace.<name>.duration` and its
/// tags) and minute: what the latency sketches take in.
pub fn durations<'a>(
    spans: impl IntoIterator<Item = &'a Span>,
) -> BTreeMap<(SeriesKey, i64), Vec<f64>> {
    let mut out: BTreeMap<(SeriesKey, i64), Vec<f64>> = BTreeMap::new();
    for s in spans.into_iter().filter(|s| s.is_top_level()) {
        let (prefix, tags) = series_of(s);
        let key = SeriesKey {
            metric: format!("{prefix}.duration"),
            tags,
        };
        out.entry((key, bucket_of(s, SKETCH_SECS)))
            .or_default()
            .push(seconds(s.duration_ns));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, parent: u64, start_s: i64, ms: i64, error: bool) -> Span {
        let mut meta = BTreeMap::new();
        meta.insert("env".to_owned(), "Prod".to_owned());
        meta.insert("http.status_code".to_owned(), "500".to_owned());
        Span {
            trace_id: 1,
            span_id: id,
            parent_id: parent,
            service: "web-app".to_owned(),
            name: "flask.request".to_owned(),
            resource: "GET /boom".to_owned(),
            start_ns: start_s * 1_000_000_000,
            duration_ns: ms * 1_000_000,
            error,
            meta,
            ..Span::default()
        }
    }

    #[test]
    fn top_level_spans_sum_into_ten_second_buckets() {
        // Two roots ending in the bucket of 100 s, one in 110 s; a child is not counted.
        let spans = [
            span(1, 0, 101, 250, true),
            span(2, 0, 105, 750, false),
            span(3, 0, 109, 2000, false),
            span(4, 1, 101, 100, false),
        ];
        let out = samples(&spans);
        let find = |metric: &str, ts: i64| {
            out.iter()
                .find(|s| s.key.metric == metric && s.ts_secs == ts)
                .map(|s| s.value)
        };
        assert_eq!(find("trace.flask.request.hits", 100), Some(2.0));
        assert_eq!(find("trace.flask.request.errors", 100), Some(1.0));
        assert_eq!(find("trace.flask.request.duration", 100), Some(1.0));
        assert_eq!(find("trace.flask.request.hits", 110), Some(1.0));
        assert_eq!(out.len(), 6);
        let tags = out[0].key.tags.canonical();
        assert_eq!(
            tags,
            "env:prod,http.status_code:500,resource_name:get_/boom,service:web-app"
        );
        assert!(out.iter().all(|s| s.kind == MetricType::Count));
        // The minute's sketch takes the three roots' durations (the child is not top level).
        let d = durations(&spans);
        assert_eq!(d.len(), 1);
        let ((key, minute), values) = d.iter().next().expect("one");
        assert_eq!(
            (key.metric.as_str(), *minute),
            ("trace.flask.request.duration", 60)
        );
        assert_eq!(values, &[0.25, 0.75, 2.0]);
    }

    #[test]
    fn tag_values_are_normalised_as_datadog_does() {
        assert_eq!(tag_value("GET /users/<id>"), "get_/users/_id");
        assert_eq!(tag_value("SELECT  *  FROM t"), "select_from_t");
        assert_eq!(metric_prefix("Flask.Request"), "trace.flask.request");
        assert_eq!(metric_prefix("http request"), "trace.http_request");
    }
}
