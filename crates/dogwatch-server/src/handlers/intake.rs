//! `POST /api/v1/series` and `POST /api/v2/series`: Datadog's metric intake.
//!
//! The body may be `deflate` (zlib) or `gzip` compressed. Limits are Datadog's: 3.2 MB as sent and
//! 62 MiB once decompressed (413 beyond either). A 202 is sent only after the points are committed.

use std::io::Read;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet, normalize_metric_name};
use dogwatch_core::wire::{SeriesPayloadV1, SeriesPayloadV2};
use serde_json::json;

use crate::AppState;
use crate::error::AppError;
use crate::handlers::{now_secs, read_limited};

/// Datadog's documented limit on a payload as sent (3.2 MB).
pub const MAX_COMPRESSED_BYTES: usize = 3_200_000;
/// Datadog's documented limit once decompressed (62 MiB).
pub const MAX_DECOMPRESSED_BYTES: usize = 62 * 1024 * 1024;
/// Datadog refuses points more than 10 minutes in the future.
const MAX_FUTURE_SECS: i64 = 600;

pub async fn submit_v1(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let bytes = read_body(&headers, body).await?;
    let payload: SeriesPayloadV1 = parse_json(&bytes)?;
    let samples = samples_v1(payload, now_secs())?;
    state
        .store
        .write(samples)
        .await
        .map_err(AppError::internal)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": "ok" }))).into_response())
}

pub async fn submit_v2(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    let bytes = read_body(&headers, body).await?;
    let payload: SeriesPayloadV2 = parse_json(&bytes)?;
    let samples = samples_v2(payload, now_secs())?;
    state
        .store
        .write(samples)
        .await
        .map_err(AppError::internal)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "errors": [] }))).into_response())
}

/// Reads the body within the size limit and undoes its `Content-Encoding`.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, AppError> {
    let raw = read_limited(headers, body, MAX_COMPRESSED_BYTES, || {
        format!(
            "payload is larger than {MAX_COMPRESSED_BYTES} bytes; send fewer points per request"
        )
    })
    .await?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "" | "identity" => Ok(raw.to_vec()),
        // HTTP's "deflate" is zlib-wrapped (what datadogpy's zlib.compress sends); some clients send
        // raw deflate, so fall back to that.
        "deflate" => match inflate(flate2::read::ZlibDecoder::new(&raw[..])) {
            Err(AppError::BadRequest(_)) => inflate(flate2::read::DeflateDecoder::new(&raw[..])),
            zlib => zlib,
        },
        "gzip" | "x-gzip" => inflate(flate2::read::MultiGzDecoder::new(&raw[..])),
        other => Err(AppError::UnsupportedMediaType(format!(
            "unsupported Content-Encoding `{other}`; use deflate or gzip"
        ))),
    }
}

fn inflate(reader: impl Read) -> Result<Vec<u8>, AppError> {
    let mut out = Vec::new();
    reader
        .take(MAX_DECOMPRESSED_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| AppError::BadRequest(format!("the body could not be decompressed: {e}")))?;
    if out.len() > MAX_DECOMPRESSED_BYTES {
        return Err(AppError::PayloadTooLarge(format!(
            "payload is larger than {MAX_DECOMPRESSED_BYTES} bytes once decompressed"
        )));
    }
    Ok(out)
}

/// JSON with errors that name the field, e.g. "series[0].points[1][1]: invalid type: string …".
fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_path_to_error says "." or "?" when the error is not inside a field.
        if path.is_empty() || path == "." || path == "?" {
            AppError::BadRequest(format!("invalid JSON body: {inner}"))
        } else {
            AppError::BadRequest(format!("{path}: {inner}"))
        }
    })
}

fn bad(path: String, what: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("{path}: {what}"))
}

fn series_key(
    i: usize,
    metric: &str,
    host: Option<&str>,
    tags: Option<Vec<String>>,
) -> Result<SeriesKey, AppError> {
    let metric =
        normalize_metric_name(metric).map_err(|why| bad(format!("series[{i}].metric"), why))?;
    let mut all = tags.unwrap_or_default();
    if let Some(h) = host.map(str::trim).filter(|h| !h.is_empty()) {
        all.push(format!("host:{h}"));
    }
    Ok(SeriesKey {
        metric,
        tags: TagSet::from_tags(all),
    })
}

fn check_ts(path: String, ts: f64, now: i64) -> Result<i64, AppError> {
    if !ts.is_finite() || ts <= 0.0 {
        return Err(bad(
            path,
            format!("timestamp {ts} is not a positive number of seconds"),
        ));
    }
    let secs = ts as i64;
    if secs > now + MAX_FUTURE_SECS {
        return Err(bad(
            path,
            format!("timestamp {secs} is more than 10 minutes in the future"),
        ));
    }
    Ok(secs)
}

pub fn samples_v1(payload: SeriesPayloadV1, now: i64) -> Result<Vec<Sample>, AppError> {
    let mut out = Vec::new();
    for (i, s) in payload.series.into_iter().enumerate() {
        let kind = match s.kind.as_deref().map(str::trim) {
            None | Some("") => MetricType::Gauge,
            Some(k) => MetricType::parse(k).ok_or_else(|| {
                bad(
                    format!("series[{i}].type"),
                    format!("unknown metric type `{k}`; expected gauge, count or rate"),
                )
            })?,
        };
        let key = series_key(i, &s.metric, s.host.as_deref(), s.tags)?;
        for (j, (ts, value)) in s.points.into_iter().enumerate() {
            let ts_secs = check_ts(format!("series[{i}].points[{j}][0]"), ts, now)?;
            out.push(Sample {
                key: key.clone(),
                kind,
                interval_secs: s.interval,
                ts_secs,
                value,
            });
        }
    }
    Ok(out)
}

pub fn samples_v2(payload: SeriesPayloadV2, now: i64) -> Result<Vec<Sample>, AppError> {
    let mut out = Vec::new();
    for (i, s) in payload.series.into_iter().enumerate() {
        let kind = match s.kind.unwrap_or(0) {
            0 | 3 => MetricType::Gauge,
            1 => MetricType::Count,
            2 => MetricType::Rate,
            k => {
                return Err(bad(
                    format!("series[{i}].type"),
                    format!(
                        "unknown metric type {k}; expected 0 (unspecified), 1 (count), 2 (rate) or 3 (gauge)"
                    ),
                ));
            }
        };
        let host = s
            .resources
            .as_ref()
            .and_then(|rs| rs.iter().find(|r| r.kind == "host"))
            .map(|r| r.name.as_str());
        let key = series_key(i, &s.metric, host, s.tags)?;
        for (j, p) in s.points.into_iter().enumerate() {
            let ts_secs = check_ts(
                format!("series[{i}].points[{j}].timestamp"),
                p.timestamp as f64,
                now,
            )?;
            out.push(Sample {
                key: key.clone(),
                kind,
                interval_secs: s.interval,
                ts_secs,
                value: p.value,
            });
        }
    }
    Ok(out)
}
