//! Datadog's trace payloads, decoded with rmp-serde (the agent's `pkg/trace/api` and ddtrace's
//! `_encoding.pyx` define them):
//! - v0.4: an array of traces, each an array of spans, each a map (`trace_id`, `span_id`,
//!   `parent_id`, `service`, `name`, `resource`, `type`, `start`, `duration` in ns, `error`,
//!   `meta`, `metrics`; unknown members such as `meta_struct` or `span_links` are skipped);
//! - v0.5: `[strings, traces]`, each span a 12-array whose texts are indexes into `strings`.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::Span;

/// Why a payload could not be read: said to the tracer in the 400.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

#[derive(Deserialize)]
struct SpanV04 {
    trace_id: u64,
    span_id: u64,
    #[serde(default)]
    parent_id: Option<u64>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    start: i64,
    duration: i64,
    #[serde(default)]
    error: Option<i64>,
    #[serde(default)]
    meta: Option<HashMap<String, String>>,
    #[serde(default)]
    metrics: Option<HashMap<String, f64>>,
}

/// Reads a `/v0.4/traces` body.
pub fn decode_v04(body: &[u8]) -> Result<Vec<Vec<Span>>, DecodeError> {
    let traces: Vec<Vec<SpanV04>> = rmp_serde::from_slice(body)
        .map_err(|e| DecodeError(format!("not a v0.4 trace payload: {e}")))?;
    Ok(traces
        .into_iter()
        .map(|t| {
            t.into_iter()
                .map(|s| Span {
                    trace_id: s.trace_id,
                    span_id: s.span_id,
                    parent_id: s.parent_id.unwrap_or(0),
                    service: s.service.unwrap_or_default(),
                    name: s.name.unwrap_or_default(),
                    resource: s.resource.unwrap_or_default(),
                    kind: s.kind.unwrap_or_default(),
                    start_ns: s.start,
                    duration_ns: s.duration,
                    error: s.error.unwrap_or(0) != 0,
                    meta: s.meta.unwrap_or_default().into_iter().collect(),
                    metrics: s.metrics.unwrap_or_default().into_iter().collect(),
                })
                .collect()
        })
        .collect())
}

/// `[service, name, resource, trace_id, span_id, parent_id, start, duration, error, meta,
/// metrics, type]`, texts as string-table indexes.
type SpanV05 = (
    u32,
    u32,
    u32,
    u64,
    u64,
    u64,
    i64,
    i64,
    i64,
    HashMap<u32, u32>,
    HashMap<u32, f64>,
    u32,
);

/// Reads a `/v0.5/traces` body.
pub fn decode_v05(body: &[u8]) -> Result<Vec<Vec<Span>>, DecodeError> {
    let (strings, traces): (Vec<String>, Vec<Vec<SpanV05>>) = rmp_serde::from_slice(body)
        .map_err(|e| DecodeError(format!("not a v0.5 trace payload: {e}")))?;
    let text = |i: u32| -> Result<String, DecodeError> {
        strings.get(i as usize).cloned().ok_or_else(|| {
            DecodeError(format!(
                "string index {i} is past the string table ({} strings)",
                strings.len()
            ))
        })
    };
    let mut out = Vec::with_capacity(traces.len());
    for trace in traces {
        let mut spans = Vec::with_capacity(trace.len());
        for (
            service,
            name,
            resource,
            trace_id,
            span_id,
            parent_id,
            start,
            duration,
            error,
            meta,
            metrics,
            kind,
        ) in trace
        {
            let meta = meta
                .into_iter()
                .map(|(k, v)| Ok((text(k)?, text(v)?)))
                .collect::<Result<BTreeMap<_, _>, DecodeError>>()?;
            let metrics = metrics
                .into_iter()
                .map(|(k, v)| Ok((text(k)?, v)))
                .collect::<Result<BTreeMap<_, _>, DecodeError>>()?;
            spans.push(Span {
                trace_id,
                span_id,
                parent_id,
                service: text(service)?,
                name: text(name)?,
                resource: text(resource)?,
                kind: text(kind)?,
                start_ns: start,
                duration_ns: duration,
                error: error != 0,
                meta,
                metrics,
            });
        }
        out.push(spans);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    /// A v0.4 span as ddtrace writes it (a map), with a member dogwatch does not read.
    #[derive(Serialize)]
    struct V04<'a> {
        trace_id: u64,
        span_id: u64,
        parent_id: u64,
        service: &'a str,
        name: &'a str,
        resource: &'a str,
        r#type: &'a str,
        start: i64,
        duration: i64,
        error: i32,
        meta: HashMap<&'a str, &'a str>,
        metrics: HashMap<&'a str, f64>,
        meta_struct: HashMap<&'a str, Vec<u8>>,
    }

    fn named(value: &impl Serialize) -> Vec<u8> {
        rmp_serde::to_vec_named(value).expect("msgpack")
    }

    #[test]
    fn a_v04_payload_is_read_member_by_member() {
        let root = V04 {
            trace_id: 7,
            span_id: 1,
            parent_id: 0,
            service: "web-app",
            name: "flask.request",
            resource: "GET /boom",
            r#type: "web",
            start: 1_700_000_000_000_000_000,
            duration: 2_500_000,
            error: 1,
            meta: HashMap::from([("http.status_code", "500")]),
            metrics: HashMap::from([("_dd.top_level", 1.0)]),
            meta_struct: HashMap::from([("x", vec![1, 2])]),
        };
        let traces = decode_v04(&named(&vec![vec![root]])).expect("decoded");
        let s = &traces[0][0];
        assert_eq!(
            (s.trace_id, s.span_id, s.parent_id, s.error, s.duration_ns),
            (7, 1, 0, true, 2_500_000)
        );
        assert_eq!((s.service.as_str(), s.kind.as_str()), ("web-app", "web"));
        assert_eq!(s.meta["http.status_code"], "500");
        assert!(s.is_top_level());
    }

    #[test]
    fn a_v05_payload_reads_its_texts_from_the_string_table() {
        let strings = vec![
            "",
            "web-app",
            "flask.request",
            "GET /",
            "web",
            "http.method",
            "GET",
            "_dd.top_level",
        ];
        let span: SpanV05 = (
            1,
            2,
            3,
            9,
            2,
            1,
            1_700_000_000_000_000_000,
            1_000,
            0,
            HashMap::from([(5, 6)]),
            HashMap::from([(7, 1.0)]),
            4,
        );
        let body =
            rmp_serde::to_vec(&(strings.clone(), vec![vec![span.clone()]])).expect("msgpack");
        let traces = decode_v05(&body).expect("decoded");
        let s = &traces[0][0];
        assert_eq!(
            (
                s.service.as_str(),
                s.name.as_str(),
                s.resource.as_str(),
                s.kind.as_str()
            ),
            ("web-app", "flask.request", "GET /", "web")
        );
        assert_eq!(
            (s.trace_id, s.span_id, s.parent_id, s.error),
            (9, 2, 1, false)
        );
        assert_eq!(s.meta["http.method"], "GET");
        assert!(s.is_top_level());

        let mut bad = span;
        bad.0 = 99;
        let body = rmp_serde::to_vec(&(strings, vec![vec![bad]])).expect("msgpack");
        assert_eq!(
            decode_v05(&body),
            Err(DecodeError(
                "string index 99 is past the string table (8 strings)".into()
            ))
        );
        assert!(decode_v04(b"\\xc1 not msgpack").is_err());
        assert!(decode_v05(&named(&vec![vec![1u8]])).is_err());
    }

    proptest::proptest! {
        /// Any bytes: an answer, never a panic (the fuzz target `traces` goes further).
        #[test]
        fn any_bytes_are_read_or_refused(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = decode_v04(&body);
            let _ = decode_v05(&body);
        }
    }
}
