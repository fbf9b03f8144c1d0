//! The trace agent's port of the real binary, as ddtrace calls it: `/info` lists only what
//! dogwatch decodes, `/v0.4/traces` and `/v0.5/traces` (msgpack) answer `rate_by_service` once the
//! spans are committed, and the trace reads back through the API; bad payloads are refused with a
//! reason and the server stays up.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::support::real_server::{RealServer, exchange, http};

/// One request with a binary body to the trace port: status and JSON answer.
fn put(addr: &str, path: &str, kind: &str, body: &[u8]) -> (u16, Value) {
    let mut request = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {kind}\r\n\
         Datadog-Meta-Lang: python\r\nX-Datadog-Trace-Count: 1\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let (status, _, answer) = exchange(addr, &request);
    (status, answer)
}

fn get_raw(addr: &str, path: &str) -> (u16, Value) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let (status, _, answer) = exchange(addr, request.as_bytes());
    (status, answer)
}

/// A v0.4 span as ddtrace writes it (a map).
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
}

#[test]
fn spans_sent_as_ddtrace_sends_them_are_stored_and_read_back_as_a_trace() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    let apm = server.apm.clone();

    let (status, info) = get_raw(&apm, "/info");
    assert_eq!(status, 200);
    assert_eq!(info["endpoints"], json!(["/v0.4/traces", "/v0.5/traces"]));
    assert_eq!(info["client_drop_p0s"], false);

    // A trace across two services: the web app's request (v0.4) and the API it called (v0.5).
    let trace_id = u64::MAX - 5;
    let root = V04 {
        trace_id,
        span_id: 1,
        parent_id: 0,
        service: "web-app",
        name: "flask.request",
        resource: "GET /boom",
        r#type: "web",
        start: 1_700_000_000_000_000_000,
        duration: 30_000_000,
        error: 1,
        meta: HashMap::from([
            ("http.status_code", "500"),
            ("error.msg", "<script>x</script>"),
        ]),
        metrics: HashMap::from([("_dd.top_level", 1.0)]),
    };
    let body = rmp_serde::to_vec_named(&vec![vec![root]]).expect("msgpack");
    let (status, answer) = put(&apm, "/v0.4/traces", "application/msgpack", &body);
    assert_eq!((status, answer), (200, json!({"rate_by_service": {}})));

    let strings = vec![
        "",
        "api",
        "flask.request",
        "GET /data",
        "web",
        "_dd.top_level",
    ];
    type V05 = (
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
    let child: V05 = (
        1,
        2,
        3,
        trace_id,
        2,
        1,
        1_700_000_000_005_000_000,
        10_000_000,
        0,
        HashMap::new(),
        HashMap::from([(5, 1.0)]),
        4,
    );
    let body = rmp_serde::to_vec(&(strings, vec![vec![child]])).expect("msgpack");
    let (status, _) = put(&apm, "/v0.5/traces", "application/msgpack", &body);
    assert_eq!(status, 200);
    // Sent again (a tracer retrying): the span replaces itself.
    let (status, _) = put(&apm, "/v0.5/traces", "application/msgpack", &body);
    assert_eq!(status, 200);

    let (status, trace) = http(
        &server.http,
        "GET",
        &format!("/api/v1/dogwatch/traces/{trace_id}"),
        None,
    );
    assert_eq!(status, 200, "{trace}");
    assert_eq!(trace["trace_id"], trace_id.to_string());
    let spans = trace["spans"].as_array().expect("spans");
    assert_eq!(spans.len(), 2, "{trace}");
    assert_eq!(
        (
            &spans[0]["service"],
            &spans[0]["parent_id"],
            &spans[0]["error"]
        ),
        (&json!("web-app"), &json!("0"), &json!(true))
    );
    assert_eq!(spans[0]["meta"]["error.msg"], "<script>x</script>");
    assert_eq!(
        (
            &spans[1]["service"],
            &spans[1]["parent_id"],
            &spans[1]["resource"]
        ),
        (&json!("api"), &json!("1"), &json!("GET /data"))
    );
    assert_eq!(spans[1]["duration_ns"], 10_000_000);

    // Refused with a reason; the server stays up.
    let (status, err) = put(&apm, "/v0.4/traces", "application/msgpack", b"\xc1garbage");
    assert_eq!(status, 400, "{err}");
    assert!(
        err["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("not a v0.4 trace payload")),
        "{err}"
    );
    let (status, err) = put(&apm, "/v0.5/traces", "application/json", b"[]");
    assert_eq!(status, 415, "{err}");
    let (status, _) = put(&apm, "/v0.6/stats", "application/msgpack", b"");
    assert_eq!(status, 404);
    let (status, _) = http(&server.http, "GET", "/api/v1/dogwatch/traces/12345", None);
    assert_eq!(status, 404);
    assert_eq!(get_raw(&apm, "/info").0, 200);
}

fn post(addr: &str, path: &str, kind: &str, body: &[u8]) -> (u16, String, Value) {
    post_encoded(addr, path, kind, "identity", body)
}

fn post_encoded(
    addr: &str,
    path: &str,
    kind: &str,
    encoding: &str,
    body: &[u8],
) -> (u16, String, Value) {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {kind}\r\n\
         Content-Encoding: {encoding}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    exchange(addr, &request)
}

#[test]
fn otlp_json_spans_are_mapped_stored_and_bad_requests_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    // OTLP/JSON: ids in hex, 64-bit times as text, the kind as a number.
    let body = json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
        "scopeSpans": [{"spans": [{
            "traceId": "000000000000000a0000000000000063",
            "spanId": "0000000000000007",
            "name": "POST /pay",
            "kind": 2,
            "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": "1700000000250000000",
            "attributes": [
                {"key": "http.request.method", "value": {"stringValue": "POST"}},
                {"key": "http.route", "value": {"stringValue": "/pay"}}
            ],
            "status": {"code": 2, "message": "card declined"}
        }]}]
    }]});
    let (status, head, answer) = post(
        &server.otlp,
        "/v1/traces",
        "application/json",
        body.to_string().as_bytes(),
    );
    assert_eq!((status, answer), (200, json!({})), "{head}");
    // The same spans gzip'd, as exporters configured for compression send them.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, body.to_string().as_bytes()).expect("gzip");
    let (status, _, _) = post_encoded(
        &server.otlp,
        "/v1/traces",
        "application/json",
        "gzip",
        &gz.finish().expect("gzip"),
    );
    assert_eq!(status, 200);
    let (status, trace) = http(&server.http, "GET", "/api/v1/dogwatch/traces/99", None);
    assert_eq!(status, 200, "{trace}");
    let span = &trace["spans"][0];
    assert_eq!(
        (
            &span["service"],
            &span["name"],
            &span["resource"],
            &span["type"]
        ),
        (
            &json!("checkout"),
            &json!("http.server.request"),
            &json!("POST /pay"),
            &json!("web")
        )
    );
    assert_eq!(
        (&span["error"], &span["duration_ns"]),
        (&json!(true), &json!(250_000_000))
    );
    assert_eq!(span["meta"]["error.msg"], "card declined");
    assert_eq!(span["meta"]["_dd.p.tid"], "000000000000000a");

    let (status, _, err) = post(&server.otlp, "/v1/traces", "text/plain", b"x");
    assert_eq!(status, 415, "{err}");
    let (status, _, err) = post(
        &server.otlp,
        "/v1/traces",
        "application/x-protobuf",
        b"\xff\xff\xff",
    );
    assert_eq!(status, 400, "{err}");
    assert!(
        err["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("not an OTLP ExportTraceServiceRequest")),
        "{err}"
    );
    let (status, _, answer) = post(&server.otlp, "/v1/traces", "application/x-protobuf", b"");
    assert_eq!(
        (status, answer),
        (200, Value::Null),
        "an empty request is an empty success"
    );
}

#[tokio::test]
async fn retention_deletes_whole_traces_whose_last_span_is_too_old() {
    use dogwatch_core::apm::Span;
    let env = crate::support::env();
    let span = |trace_id, span_id, start_ns| Span {
        trace_id,
        span_id,
        service: "web".into(),
        name: "op".into(),
        resource: "r".into(),
        start_ns,
        duration_ns: 1,
        ..Span::default()
    };
    // Trace 1 is old; trace 2 began as long ago but its last span is recent.
    env.state
        .store
        .write_spans(vec![
            span(1, 1, 100),
            span(1, 2, 150),
            span(2, 1, 100),
            span(2, 2, 900),
        ])
        .await
        .expect("write");
    let deleted = env.state.store.purge_traces(500).await.expect("purge");
    assert_eq!(deleted, 2);
    assert!(env.state.store.trace(1).await.expect("read").is_empty());
    assert_eq!(env.state.store.trace(2).await.expect("read").len(), 2);
}
