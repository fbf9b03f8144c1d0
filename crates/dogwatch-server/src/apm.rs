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
        .flatten()
        .collect();
    state
        .store
        .write_spans(spans)
        .await
        .map_err(AppError::internal)
}
