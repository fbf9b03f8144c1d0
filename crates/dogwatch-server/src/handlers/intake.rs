//! `POST /api/v1/series` and `POST /api/v2/series`: Datadog's metric intake (`intake.rs` reads,
//! checks and stores the payload). A 202 is sent only after every point is committed.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::error::AppError;
use crate::handlers::{now_secs, read_limited};
use crate::intake::{self, Encoding, MAX_COMPRESSED_BYTES, Version};

pub async fn submit_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    submit(&state, Version::V1, &headers, body).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "ok" }))).into_response())
}

pub async fn submit_v2(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    submit(&state, Version::V2, &headers, body).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "errors": [] }))).into_response())
}

/// Reads the body within its size limit, then decompresses, checks and stores it on the blocking
/// pool (it may be 62 MiB of JSON), writing through the store's writer.
async fn submit(
    state: &AppState,
    version: Version,
    headers: &HeaderMap,
    body: Body,
) -> Result<(), AppError> {
    let encoding = Encoding::from_header(
        headers
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap_or("\u{fffd}")),
    )?;
    let raw = read_limited(headers, body, MAX_COMPRESSED_BYTES, || {
        format!(
            "payload is larger than {MAX_COMPRESSED_BYTES} bytes; send fewer points per request"
        )
    })
    .await?;
    let store = state.store.clone();
    let runtime = tokio::runtime::Handle::current();
    let now = now_secs();
    let points = tokio::task::spawn_blocking(move || {
        intake::ingest(version, encoding, &raw, now, |batch| {
            runtime
                .block_on(store.write(batch))
                .map_err(AppError::internal)
        })
    })
    .await
    .map_err(AppError::internal)??;
    let endpoint = match version {
        Version::V1 => "endpoint:v1",
        Version::V2 => "endpoint:v2",
    };
    state
        .telemetry
        .count("dogwatch.intake.points", points as f64, &[endpoint]);
    Ok(())
}
