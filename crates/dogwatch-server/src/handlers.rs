//! HTTP handlers, one module per resource: extract, call the store or core, map to the wire type.

pub mod apm;
pub mod contacts;
pub mod dash;
pub mod dashboards;
pub mod downtimes;
pub mod events;
pub mod intake;
pub mod keys;
pub mod markdown;
pub mod metrics;
pub mod monitor_search;
pub mod monitors;
pub mod notifications;
pub mod query;
pub mod session;
pub mod settings;
pub mod snapshots;
pub mod traces;
pub mod validate;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use http_body_util::BodyExt;

use crate::error::AppError;

/// Reads a request body of at most `limit` bytes; beyond it, 413 with `too_large` as the message.
/// A declared Content-Length over the limit is refused before anything is read.
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    too_large: impl Fn() -> String,
) -> Result<Bytes, AppError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge(too_large()));
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(AppError::PayloadTooLarge(too_large()))
        }
        Err(e) => Err(AppError::BadRequest(format!(
            "could not read the request body: {e}"
        ))),
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
