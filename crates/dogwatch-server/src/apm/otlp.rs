//! OTLP/HTTP traces (`POST /v1/traces` on `--otlp-addr`): `ExportTraceServiceRequest` as protobuf
//! (prost, opentelemetry-proto's messages) or JSON, optionally gzip'd, mapped to the Datadog span
//! model the way the Datadog agent maps it (`pkg/trace/traceutil/otel_util.go`): service from
//! `service.name`, the span kind to a type, the status to `error`, the `exception` event to
//! `error.msg`/`error.type`/`error.stack`, string attributes to meta and numbers to metrics.

use std::collections::BTreeMap;

use dogwatch_core::apm::Span;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{Span as OtelSpan, span::SpanKind, status::StatusCode};
use prost::Message;

/// How the body is encoded, by its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    pub fn of(content_type: &str) -> Option<Encoding> {
        let mime = content_type.split(';').next().unwrap_or("").trim();
        match mime {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    /// The empty `ExportTraceServiceResponse`, in this encoding: what a full success answers.
    pub fn empty_response(self) -> (&'static str, Vec<u8>) {
        match self {
            Encoding::Protobuf => ("application/x-protobuf", Vec::new()),
            Encoding::Json => ("application/json", b"{}".to_vec()),
        }
    }
}

/// Reads a request body into spans, or says why it cannot.
pub fn decode(encoding: Encoding, body: &[u8]) -> Result<Vec<Span>, String> {
    let request = match encoding {
        Encoding::Protobuf => ExportTraceServiceRequest::decode(body)
            .map_err(|e| format!("not an OTLP ExportTraceServiceRequest (protobuf): {e}"))?,
        Encoding::Json => serde_json::from_slice::<ExportTraceServiceRequest>(body)
            .map_err(|e| format!("not an OTLP ExportTraceServiceRequest (JSON): {e}"))?,
    };
    let mut out = Vec::new();
    for rs in request.resource_spans {
        let resource: Vec<KeyValue> = rs.resource.map(|r| r.attributes).unwrap_or_default();
        for ss in rs.scope_spans {
            for span in ss.spans {
                out.push(map(&resource, span)?);
            }
        }
    }
    Ok(out)
}

/// An attribute's value as text (strings as they are), and as a number when it is one.
fn value_of(v: &AnyValue) -> (Option<String>, Option<f64>) {
    match &v.value {
        Some(any_value::Value::StringValue(s)) => (Some(s.clone()), None),
        Some(any_value::Value::BoolValue(b)) => (Some(b.to_string()), None),
        Some(any_value::Value::IntValue(i)) => (None, Some(*i as f64)),
        Some(any_value::Value::DoubleValue(d)) => (None, Some(*d)),
        Some(other) => (Some(format!("{other:?}")), None),
        None => (None, None),
    }
}

fn text<'a>(attrs: &'a BTreeMap<String, String>, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| attrs.get(*k))
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// An 8-byte id (or the low 8 bytes of a 16-byte one), big-endian; 0 when absent.
fn low_u64(bytes: &[u8]) -> u64 {
    let tail = &bytes[bytes.len().saturating_sub(8)..];
    tail.iter().fold(0, |acc, b| (acc << 8) | u64::from(*b))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn map(resource: &[KeyValue], s: OtelSpan) -> Result<Span, String> {
    if s.trace_id.len() != 16 || s.span_id.len() != 8 {
        return Err(format!(
            "span '{}': trace_id must be 16 bytes and span_id 8, not {} and {}",
            s.name,
            s.trace_id.len(),
            s.span_id.len()
        ));
    }
    let mut meta = BTreeMap::new();
    let mut metrics = BTreeMap::new();
    // The resource's attributes first, then the span's, which win.
    for kv in resource.iter().chain(s.attributes.iter()) {
        if let Some(v) = &kv.value {
            match value_of(v) {
                (Some(t), _) => {
                    meta.insert(kv.key.clone(), t);
                }
                (None, Some(n)) => {
                    metrics.insert(kv.key.clone(), n);
                }
                (None, None) => {}
            }
        }
    }
    let kind = SpanKind::try_from(s.kind).unwrap_or(SpanKind::Unspecified);
    let service = text(&meta, &["service.name"])
        .unwrap_or("otlpresourcenoservicename")
        .to_owned();
    let method = text(&meta, &["http.request.method", "http.method"]).map(str::to_owned);
    let db = text(&meta, &["db.system.name", "db.system"]).map(str::to_owned);
    let messaging = text(&meta, &["messaging.system"]).map(str::to_owned);
    let rpc = text(&meta, &["rpc.system"]).map(str::to_owned);
    let server = matches!(kind, SpanKind::Server);
    let client = matches!(kind, SpanKind::Client);
    let kind_name = kind
        .as_str_name()
        .trim_start_matches("SPAN_KIND_")
        .to_lowercase();
    let name = match text(&meta, &["operation.name"]) {
        Some(n) => n.to_owned(),
        None if method.is_some() && server => "http.server.request".to_owned(),
        None if method.is_some() && client => "http.client.request".to_owned(),
        None if db.is_some() && client => format!("{}.query", db.clone().unwrap_or_default()),
        None if messaging.is_some() => format!(
            "{}.{}",
            messaging.clone().unwrap_or_default(),
            text(&meta, &["messaging.operation.type", "messaging.operation"]).unwrap_or(&kind_name)
        ),
        None if rpc.is_some() && (server || client) => format!(
            "{}.{}.request",
            rpc.clone().unwrap_or_default(),
            if server { "server" } else { "client" }
        ),
        None if server => "server.request".to_owned(),
        None if client => "client.request".to_owned(),
        None => kind_name.clone(),
    };
    let resource_name = match text(&meta, &["resource.name"]) {
        Some(r) => r.to_owned(),
        None => match (&method, text(&meta, &["http.route"])) {
            (Some(m), Some(route)) if server => format!("{m} {route}"),
            (Some(m), _) if server || client => m.clone(),
            _ => text(&meta, &["db.query.text", "db.statement"])
                .filter(|_| db.is_some())
                .map_or_else(|| s.name.clone(), str::to_owned),
        },
    };
    let span_type = if server {
        "web".to_owned()
    } else if client {
        match db.as_deref() {
            Some("redis") => "redis".to_owned(),
            Some("memcached") => "memcached".to_owned(),
            Some("mongodb") => "mongodb".to_owned(),
            Some("elasticsearch" | "opensearch") => "elasticsearch".to_owned(),
            Some("cassandra") => "cassandra".to_owned(),
            Some(_) => "sql".to_owned(),
            None => "http".to_owned(),
        }
    } else {
        "custom".to_owned()
    };
    let status = s.status.clone().unwrap_or_default();
    let error = status.code == StatusCode::Error as i32;
    if error {
        if !status.message.is_empty() {
            meta.insert("error.msg".to_owned(), status.message.clone());
        }
        if let Some(e) = s.events.iter().find(|e| e.name == "exception") {
            for (from, to) in [
                ("exception.message", "error.msg"),
                ("exception.type", "error.type"),
                ("exception.stacktrace", "error.stack"),
            ] {
                if let Some((Some(t), _)) = e
                    .attributes
                    .iter()
                    .find(|kv| kv.key == from)
                    .and_then(|kv| kv.value.as_ref())
                    .map(value_of)
                {
                    meta.insert(to.to_owned(), t);
                }
            }
        }
    }
    meta.insert("span.kind".to_owned(), kind_name);
    // The tags Datadog's views and trace metrics read, as the agent sets them: `env` from the
    // deployment's environment, `version` from the service's, the HTTP status as text.
    for (tag, sources) in [
        (
            "env",
            &["deployment.environment.name", "deployment.environment"][..],
        ),
        ("version", &["service.version"][..]),
    ] {
        if !meta.contains_key(tag)
            && let Some(v) = text(&meta, sources).map(str::to_owned)
        {
            meta.insert(tag.to_owned(), v);
        }
    }
    if !meta.contains_key("http.status_code") {
        let code = ["http.response.status_code", "http.status_code"]
            .iter()
            .find_map(|k| {
                meta.get(*k).cloned().or_else(|| {
                    metrics
                        .get(*k)
                        .filter(|v| v.is_finite() && v.fract() == 0.0)
                        .map(|v| format!("{v:.0}"))
                })
            });
        if let Some(code) = code {
            meta.insert("http.status_code".to_owned(), code);
        }
    }
    let high = &s.trace_id[..8];
    if high.iter().any(|b| *b != 0) {
        meta.insert("_dd.p.tid".to_owned(), hex(high));
    }
    let parent_id = low_u64(&s.parent_span_id);
    if parent_id == 0 || server || matches!(kind, SpanKind::Consumer) {
        metrics.insert("_dd.top_level".to_owned(), 1.0);
    }
    let start_ns = i64::try_from(s.start_time_unix_nano).unwrap_or(i64::MAX);
    let duration_ns = i64::try_from(s.end_time_unix_nano.saturating_sub(s.start_time_unix_nano))
        .unwrap_or(i64::MAX);
    Ok(Span {
        trace_id: low_u64(&s.trace_id),
        span_id: low_u64(&s.span_id),
        parent_id,
        service,
        name,
        resource: resource_name,
        kind: span_type,
        start_ns,
        duration_ns,
        error,
        meta,
        metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::AnyValue;
    use opentelemetry_proto::tonic::resource::v1::Resource;
    use opentelemetry_proto::tonic::trace::v1::span::Event;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Status};

    fn kv(key: &str, value: any_value::Value) -> KeyValue {
        KeyValue {
            key: key.to_owned(),
            value: Some(AnyValue { value: Some(value) }),
            ..KeyValue::default()
        }
    }

    fn s(v: &str) -> any_value::Value {
        any_value::Value::StringValue(v.to_owned())
    }

    #[test]
    fn a_server_span_with_an_exception_maps_as_the_datadog_agent_maps_it() {
        let mut trace_id = vec![0, 0, 0, 0, 0, 0, 0, 9];
        trace_id.extend([0, 0, 0, 0, 0, 0, 1, 2]);
        let span = OtelSpan {
            trace_id,
            span_id: vec![0, 0, 0, 0, 0, 0, 0, 5],
            name: "GET /boom".to_owned(),
            kind: SpanKind::Server as i32,
            start_time_unix_nano: 1_000,
            end_time_unix_nano: 4_000,
            attributes: vec![
                kv("http.request.method", s("GET")),
                kv("http.route", s("/boom")),
                kv("http.response.status_code", any_value::Value::IntValue(500)),
            ],
            events: vec![Event {
                name: "exception".to_owned(),
                attributes: vec![
                    kv("exception.type", s("RuntimeError")),
                    kv("exception.message", s("<script>x</script>")),
                ],
                ..Event::default()
            }],
            status: Some(Status {
                code: StatusCode::Error as i32,
                message: String::new(),
            }),
            ..OtelSpan::default()
        };
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![
                        kv("service.name", s("otel-app")),
                        kv("deployment.environment.name", s("staging")),
                        kv("service.version", s("2.1")),
                    ],
                    ..Resource::default()
                }),
                scope_spans: vec![ScopeSpans {
                    spans: vec![span],
                    ..ScopeSpans::default()
                }],
                ..ResourceSpans::default()
            }],
        };
        let spans = decode(Encoding::Protobuf, &request.encode_to_vec()).expect("decoded");
        let d = &spans[0];
        assert_eq!((d.trace_id, d.span_id, d.parent_id), (0x0102, 5, 0));
        assert_eq!(
            (
                d.service.as_str(),
                d.name.as_str(),
                d.resource.as_str(),
                d.kind.as_str()
            ),
            ("otel-app", "http.server.request", "GET /boom", "web")
        );
        assert_eq!((d.start_ns, d.duration_ns, d.error), (1_000, 3_000, true));
        assert_eq!(d.meta["error.type"], "RuntimeError");
        assert_eq!(d.meta["error.msg"], "<script>x</script>");
        assert_eq!(d.meta["_dd.p.tid"], "0000000000000009");
        assert_eq!(d.metrics["http.response.status_code"], 500.0);
        assert_eq!(d.meta["http.status_code"], "500");
        assert_eq!(
            (d.tag("env"), d.tag("version")),
            (Some("staging"), Some("2.1"))
        );
        assert!(d.is_top_level());

        let json = serde_json::to_vec(&request).expect("json");
        assert_eq!(decode(Encoding::Json, &json).expect("decoded"), spans);
        assert!(decode(Encoding::Protobuf, b"\xff\xff").is_err());
        assert!(decode(Encoding::Json, b"[1]").is_err());
        assert_eq!(
            Encoding::of("application/json; charset=utf-8"),
            Some(Encoding::Json)
        );
        assert_eq!(Encoding::of("text/plain"), None);
    }
}
