//! The HTTP edge: what every connection and request passes before a handler sees it.
//!
//! - `conn.rs` accepts connections: at most `--max-connections` at once, a request head must
//!   arrive within `--header-timeout`, and hyper's own answers to requests it cannot parse get a
//!   JSON body like every other error.
//! - The middleware below, outermost first: security headers on every answer; every 4xx/5xx
//!   answer in Datadog's `{"errors": [...]}` shape; `Host` must name this server (DNS rebinding);
//!   the request line and headers are bounded (414/431); a request has `--request-timeout` to be
//!   answered (408); writes to the API must be same-site JSON (403/415), so that no other web page
//!   a user has open can drive the API with a form or a simple `fetch`.

pub mod conn;

use std::net::IpAddr;
use std::time::Duration;

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use crate::AppState;
use crate::error::AppError;

/// Longest request target (path and query) answered; beyond it, 414. A query URL with many
/// comma-separated queries stays well below it (the query budget stops those first).
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// Most request headers; beyond, 431.
pub const MAX_HEADERS: usize = 100;
/// Most bytes of request headers (names, values and their separators); beyond, 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// The Content-Security-Policy of every answer: the UI's own files only, its wasm compiled
/// (`wasm-unsafe-eval`), no inline script or style, images also from https (markdown notes), and no
/// framing by other sites.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// `--request-timeout`'s default.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 60;

/// What the edge checks, from the command line.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// The host of `--public-url`, lower-cased, if one was given.
    pub public_host: Option<String>,
    pub request_timeout: Duration,
}

impl Default for EdgeConfig {
    fn default() -> Self {
        EdgeConfig {
            public_host: None,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
        }
    }
}

/// Sets the browser-facing security headers on every answer.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// Gives every 4xx/5xx answer that is not already JSON (axum's 405, a path it cannot decode, the
/// "UI not built" page) Datadog's error shape, keeping its text as the message.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(res.headers()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // The bodies that reach here are short texts; a long one is cut rather than read whole.
    let text = match http_body_util::Limited::new(body, 4096).collect().await {
        Ok(c) => String::from_utf8_lossy(&c.to_bytes()).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    let mut json = (status, AppError::json_body(vec![message])).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Refuses requests whose `Host` names neither an IP address, `localhost`, nor `--public-url`'s
/// host: a page on `evil.example` whose name was re-pointed at 127.0.0.1 reaches dogwatch with
/// `Host: evil.example` and is refused before it can read anything.
pub async fn check_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let named = req
        .headers()
        .get(header::HOST)
        .map(|v| v.to_str().unwrap_or("\u{fffd}"))
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match named {
        Some(host) if !host_allowed(host, state.edge.public_host.as_deref()) => {
            AppError::Refused(format!(
                "this server does not answer for host `{}`; open it by IP address or localhost, or start it with --public-url naming this host",
                host.chars().take(100).collect::<String>()
            ))
            .into_response()
        }
        // A request without Host (HTTP/1.0, tests) names no other site.
        _ => next.run(req).await,
    }
}

/// Whether `host` (a `Host` header value, with or without a port) may be answered.
pub fn host_allowed(host: &str, public_host: Option<&str>) -> bool {
    let name = host_name(host);
    if name.is_empty() {
        return false;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return true;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || public_host.is_some_and(|p| p == name)
}

/// The host part of a `Host` value: `[::1]:8600` → `[::1]`, `example.com:80` → `example.com`.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// 414 for a request target over [`MAX_URI_BYTES`], 431 for more than [`MAX_HEADERS`] headers or
/// [`MAX_HEADER_BYTES`] of them.
pub async fn limit_head(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return AppError::UriTooLong(format!(
            "the request target is {uri_len} bytes long; the limit is {MAX_URI_BYTES}: send fewer or shorter queries per request"
        ))
        .into_response();
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return AppError::HeadersTooLarge(format!(
            "the request has {} headers in {bytes} bytes; the limits are {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes",
            headers.len()
        ))
        .into_response();
    }
    next.run(req).await
}

/// Answers 408 when a request is not answered within `--request-timeout` (a body sent too slowly,
/// a handler that waits too long). The handler's future is dropped, which cancels its work.
pub async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.edge.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => AppError::Timeout(format!(
            "the request was not complete within {} s (--request-timeout); send the body faster or ask for less",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// For writes to the API (any method but GET, HEAD and OPTIONS): refuses cross-site requests (an
/// `Origin` that is not this server, `Sec-Fetch-Site: cross-site`) with 403, and bodies that are
/// not declared `application/json` with 415. HTML forms can only send form encodings and
/// `text/plain`, and a page's `fetch` with `application/json` to another origin needs a CORS
/// preflight, which dogwatch never grants; Datadog's clients send `application/json`.
pub async fn api_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if let Some(why) = cross_site(headers, state.edge.public_host.as_deref()) {
        return AppError::Refused(why).into_response();
    }
    let has_body = !req.body().is_end_stream()
        || headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    if (has_body || headers.contains_key(header::CONTENT_TYPE)) && !is_json(headers) {
        let sent = headers
            .get(header::CONTENT_TYPE)
            .map_or("none".to_owned(), |v| {
                String::from_utf8_lossy(v.as_bytes())
                    .chars()
                    .take(100)
                    .collect()
            });
        return AppError::UnsupportedMediaType(format!(
            "Content-Type must be application/json (got {sent})"
        ))
        .into_response();
    }
    next.run(req).await
}

/// Why a write comes from another site, if it does.
fn cross_site(headers: &HeaderMap, public_host: Option<&str>) -> Option<String> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value("sec-fetch-site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return Some("cross-site requests may not change anything here".to_owned());
    }
    let origin = value("origin")?;
    // `Origin: null` comes from sandboxed frames and file pages: never this server's own UI.
    let origin_host = url::Url::parse(origin).ok().and_then(|u| {
        Some(format!(
            "{}{}",
            u.host_str()?,
            u.port().map_or(String::new(), |p| format!(":{p}"))
        ))
    });
    let same = match (origin_host, value("host")) {
        (Some(o), Some(h)) => {
            o.eq_ignore_ascii_case(h)
                || public_host.is_some_and(|p| host_name(&o).eq_ignore_ascii_case(p))
        }
        // Without a Host to compare with, only the public URL's origin is known to be ours.
        (Some(o), None) => public_host.is_some_and(|p| host_name(&o).eq_ignore_ascii_case(p)),
        (None, _) => false,
    };
    (!same).then(|| {
        format!(
            "a request from the page at `{}` may not change anything here",
            origin.chars().take(100).collect::<String>()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_by_address_localhost_or_the_public_url_are_answered() {
        for ok in [
            "127.0.0.1:8600",
            "127.0.0.1",
            "[::1]:8600",
            "10.0.0.7:80",
            "localhost:8600",
            "LOCALHOST.",
        ] {
            assert!(host_allowed(ok, None), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8600",
            "localhost.evil.example",
            "",
            ":80",
        ] {
            assert!(!host_allowed(refused, None), "{refused}");
        }
        assert!(host_allowed(
            "dogwatch.example.com:443",
            Some("dogwatch.example.com")
        ));
        assert!(!host_allowed("evil.example", Some("dogwatch.example.com")));
    }

    #[test]
    fn writes_from_other_origins_are_cross_site() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        assert_eq!(
            cross_site(&headers(&[("host", "127.0.0.1:8600")]), None),
            None
        );
        assert_eq!(
            cross_site(
                &headers(&[
                    ("host", "127.0.0.1:8600"),
                    ("origin", "http://127.0.0.1:8600")
                ]),
                None
            ),
            None
        );
        assert!(
            cross_site(
                &headers(&[
                    ("host", "127.0.0.1:8600"),
                    ("origin", "http://evil.example")
                ]),
                None
            )
            .is_some()
        );
        assert!(
            cross_site(
                &headers(&[
                    ("host", "127.0.0.1:8600"),
                    ("origin", "http://127.0.0.1:9999")
                ]),
                None
            )
            .is_some()
        );
        assert!(cross_site(&headers(&[("origin", "null")]), None).is_some());
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")]), None).is_some());
        assert_eq!(
            cross_site(
                &headers(&[
                    ("host", "10.0.0.1"),
                    ("origin", "https://dogwatch.example.com")
                ]),
                Some("dogwatch.example.com")
            ),
            None
        );
    }
}
