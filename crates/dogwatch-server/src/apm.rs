//! The trace agent's port (`--apm-addr`, 127.0.0.1:8126 as the Datadog agent's): what ddtrace
//! calls on an agent, answered so that the tracer logs nothing at its default level.
//!
//! - `GET /info` lists only the endpoints dogwatch decodes, and `client_drop_p0s: false` (a tracer
//!   told otherwise would drop traces it did not keep); `/v0.6/stats` is never listed.
//! - `PUT|POST /v0.4/traces`, `/v0.5/traces` (msgpack, decoded by core's `apm`): 200
//!   `{"rate_by_service":{}}` once the spans are committed; a payload that cannot be read is a
//!   400 saying why, a body that is not msgpack a 415.
//! - `POST /telemetry/proxy/api/v2/apmtelemetry`: 202, discarded.
//!
//! Like the Datadog agent's, this port takes no key: it binds loopback unless told otherwise.
//!
//! [`otlp_router`] is the OpenTelemetry collector's `POST /v1/traces` (`--otlp-addr`, 4318),
//! decoded and mapped in `otlp.rs`.

pub mod otlp;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use dogwatch_core::apm::{DecodeError, Span, decode_v04, decode_v05};
use serde_json::json;

use crate::AppState;
use crate::error::AppError;

/// Deletes traces older than `retention` at start and then every hour, until `stop`.
pub async fn retain(
    store: crate::store::Store,
    retention: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let keep_ns = i64::try_from(retention.as_nanos()).unwrap_or(i64::MAX);
    loop {
        let now_ns = crate::handlers::now_ms().saturating_mul(1_000_000);
        match store.purge_traces(now_ns.saturating_sub(keep_ns)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(spans = n, "deleted traces past their retention"),
            Err(e) => tracing::error!(error = %e, "cannot delete old traces"),
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
}

/// Reads one payload version into its traces.
type Decoder = fn(&[u8]) -> Result<Vec<Vec<Span>>, DecodeError>;

/// Largest trace payload accepted (the Datadog agent's default is 25 MB).
pub const MAX_PAYLOAD: usize = 25 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/info", get(info))
        .route("/v0.4/traces", put(traces_v04).post(traces_v04))
        .route("/v0.5/traces", put(traces_v05).post(traces_v05))
        .route("/telemetry/proxy/api/v2/apmtelemetry", post(telemetry))
        .fallback(not_found)
        .with_state(state)
}

/// The OTLP/HTTP port's routes.
pub fn otlp_router(state: AppState) -> Router {
    Router::new()
        .route("/v1/traces", post(otlp_traces))
        .fallback(not_found)
        .with_state(state)
}

/// `POST /v1/traces`: 200 with an empty `ExportTraceServiceResponse` in the request's encoding
/// once the spans are committed; 415 for an encoding OTLP does not have, 400 for a body that is
/// not a request.
async fn otlp_traces(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let answer = async {
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let encoding = otlp::Encoding::of(kind).ok_or_else(|| {
            AppError::UnsupportedMediaType(format!(
                "OTLP traces are application/x-protobuf or application/json, not '{kind}'"
            ))
        })?;
        let bytes = crate::handlers::read_limited(&headers, body, MAX_PAYLOAD, || {
            format!("an OTLP request is at most {MAX_PAYLOAD} bytes")
        })
        .await?;
        let bytes = match headers
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
        {
            None | Some("identity") => bytes.to_vec(),
            Some("gzip") => gunzip(&bytes)?,
            Some(other) => {
                return Err(AppError::UnsupportedMediaType(format!(
                    "Content-Encoding {other} is not gzip"
                )));
            }
        };
        let spans = otlp::decode(encoding, &bytes).map_err(AppError::BadRequest)?;
        state
            .store
            .write_spans(spans)
            .await
            .map_err(AppError::internal)?;
        Ok::<_, AppError>(encoding.empty_response())
    }
    .await;
    match answer {
        Ok((kind, body)) => ([(header::CONTENT_TYPE, kind)], body).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A gzip'd body, at most [`MAX_PAYLOAD`] bytes once inflated.
fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_PAYLOAD as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| AppError::BadRequest(format!("the gzip body cannot be read: {e}")))?;
    if out.len() > MAX_PAYLOAD {
        return Err(AppError::PayloadTooLarge(format!(
            "an OTLP request is at most {MAX_PAYLOAD} bytes once inflated"
        )));
    }
    Ok(out)
}

async fn info() -> Response {
    axum::Json(json!({
        "version": concat!("dogwatch-", env!("CARGO_PKG_VERSION")),
        "endpoints": ["/v0.4/traces", "/v0.5/traces"],
        "client_drop_p0s": false,
        "feature_flags": [],
        "config": {},
    }))
    .into_response()
}

async fn telemetry() -> StatusCode {
    StatusCode::ACCEPTED
}

async fn not_found() -> AppError {
    AppError::NotFound("the trace agent answers /info, /v0.4/traces and /v0.5/traces".to_owned())
}

async fn traces_v04(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    intake(&state, &headers, body, decode_v04).await
}

async fn traces_v05(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    intake(&state, &headers, body, decode_v05).await
}

async fn intake(state: &AppState, headers: &HeaderMap, body: Body, decode: Decoder) -> Response {
    match accept(state, headers, body, decode).await {
        Ok(()) => axum::Json(json!({"rate_by_service": {}})).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    decode: Decoder,
) -> Result<(), AppError> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/msgpack");
    if !kind.starts_with("application/msgpack") {
        return Err(AppError::UnsupportedMediaType(format!(
            "trace payloads are application/msgpack, not {kind}"
        )));
    }
    let bytes = crate::handlers::read_limited(headers, body, MAX_PAYLOAD, || {
        format!("a trace payload is at most {MAX_PAYLOAD} bytes")
    })
    .await?;
    let spans: Vec<Span> = decode(&bytes)
        .map_err(|e| AppError::BadRequest(e.to_string()))?
        .into_iter()
        .flat_map(|mut chunk| {
            dogwatch_core::apm::mark_top_level(&mut chunk);
            chunk
        })
        .collect();
    state
        .store
        .write_spans(spans)
        .await
        .map_err(AppError::internal)
}
