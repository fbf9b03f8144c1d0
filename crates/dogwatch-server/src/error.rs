//! One error type for every handler, rendered in Datadog's shape `{"errors": ["…"]}`.
//!
//! Client errors say exactly what is wrong; server errors say nothing internal to the client and log
//! the detail once.

use axum::Json;
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use dogwatch_core::wire::Errors;

#[derive(Debug)]
pub enum AppError {
    /// 400: the request is malformed; the message names the field.
    BadRequest(String),
    /// 400 with several messages, each naming its field (a monitor with more than one problem).
    Invalid(Vec<String>),
    /// 401: a login with a wrong handle or password (one message for both).
    Unauthorized(String),
    /// 403: a missing or wrong credential, or a role that may not do this.
    Forbidden,
    /// 403 saying why: a host this server does not answer for, a cross-site write.
    Refused(String),
    /// 404: no such API route or resource.
    NotFound(String),
    /// 413: body over the documented limit.
    PayloadTooLarge(String),
    /// 408: the request was not complete within `--request-timeout`.
    Timeout(String),
    /// 414: the request target is too long.
    UriTooLong(String),
    /// 415: a `Content-Encoding` we do not speak, or a body that is not declared JSON.
    UnsupportedMediaType(String),
    /// 422: the request is well formed but asks for more work than one request may do (a query
    /// over its budget); the message says which limit and how to narrow the request.
    OverBudget(String),
    /// 429: too many failed logins; the seconds to wait go in `Retry-After`.
    TooManyAttempts(u64),
    /// 431: too many or too large request headers.
    HeadersTooLarge(String),
    /// 500: something failed on our side; the detail is logged, not sent.
    Internal(String),
}

impl AppError {
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        AppError::Internal(detail.to_string())
    }

    /// Datadog's error body: `{"errors": [...]}`.
    pub fn json_body(errors: Vec<String>) -> Json<Errors> {
        Json(Errors { errors })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            AppError::Invalid(errors) => {
                return (StatusCode::BAD_REQUEST, Json(Errors { errors })).into_response();
            }
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "Forbidden".to_owned()),
            AppError::TooManyAttempts(secs) => {
                let message = format!("too many failed logins; try again in {secs} s");
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(axum::http::header::RETRY_AFTER, secs.to_string())],
                    AppError::json_body(vec![message]),
                )
                    .into_response();
            }
            AppError::Refused(m) => (StatusCode::FORBIDDEN, m),
            AppError::Timeout(m) => (StatusCode::REQUEST_TIMEOUT, m),
            AppError::UriTooLong(m) => (StatusCode::URI_TOO_LONG, m),
            AppError::OverBudget(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            AppError::HeadersTooLarge(m) => (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, m),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, m),
            AppError::PayloadTooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, m),
            AppError::UnsupportedMediaType(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, m),
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error; the server log has the details".to_owned(),
                )
            }
        };
        (status, AppError::json_body(vec![message])).into_response()
    }
}

/// `Query<T>` whose rejection is a Datadog-shaped 400 instead of axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// A JSON request body of a wire type: read within the type's size limit (413 beyond), decoded with
/// the path of a wrong member in the 400's message (`email: invalid type: integer…`).
pub struct AppJson<T>(pub T);

/// What a JSON request body may be: its size limit, and whether an empty body means the default.
pub trait RequestBody: serde::de::DeserializeOwned {
    /// Largest body accepted.
    const MAX_BYTES: usize;

    /// The value an empty body stands for; `None`: an empty body is an error.
    fn when_empty() -> Option<Self> {
        None
    }
}

impl<S, T> axum::extract::FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: RequestBody,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let limit = T::MAX_BYTES;
        let bytes = crate::handlers::read_limited(&parts.headers, body, limit, || {
            format!("the body is larger than {limit} bytes")
        })
        .await?;
        if bytes.iter().all(u8::is_ascii_whitespace)
            && let Some(value) = T::when_empty()
        {
            return Ok(AppJson(value));
        }
        decode(&bytes).map(AppJson)
    }
}

/// Decodes a JSON body; the error names the member that is wrong, in the words of the rest of the
/// API (core's `wire::decode_body`): `handle is required`, `tags[2] must be a string`.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    dogwatch_core::wire::decode_body(bytes).map_err(AppError::BadRequest)
}
