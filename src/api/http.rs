//! [`Backend`] over HTTP against the built-in dogwatch server, with gloo-net. The read API is open on
//! loopback, so no keys are sent.

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{AllTags, DashboardList, Errors, MetricsList, QueryResponse};
use gloo_net::http::{Method, Request, RequestBuilder};
use serde::de::DeserializeOwned;
use web_sys::AbortSignal;

use super::{ApiError, ApiFuture, Backend};

/// The built-in server, reached at `base` (empty: the origin that served the UI).
pub struct HttpBackend {
    base: String,
}

impl HttpBackend {
    /// The server that served this page: the usual set-up, since `dogwatch serve` serves the UI too.
    pub fn same_origin() -> HttpBackend {
        HttpBackend {
            base: String::new(),
        }
    }
}

impl Backend for HttpBackend {
    fn origin(&self) -> String {
        if self.base.is_empty() {
            window()
                .location()
                .origin()
                .unwrap_or_else(|_| "this page's server".to_owned())
        } else {
            self.base.clone()
        }
    }

    fn metrics(&self, from_secs: i64, abort: Option<&AbortSignal>) -> ApiFuture<MetricsList> {
        let url = format!("{}/api/v1/metrics", self.base);
        let params = vec![("from", from_secs.to_string())];
        Box::pin(get_json(url, params, abort.cloned(), self.origin()))
    }

    fn all_tags(&self, metric: &str, abort: Option<&AbortSignal>) -> ApiFuture<AllTags> {
        let name = String::from(js_sys::encode_uri_component(metric));
        let url = format!("{}/api/v2/metrics/{name}/all-tags", self.base);
        Box::pin(get_json(url, Vec::new(), abort.cloned(), self.origin()))
    }

    fn query(
        &self,
        query: &str,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<QueryResponse> {
        let url = format!("{}/api/v1/query", self.base);
        let (from_secs, to_secs) = range.to_secs();
        let params = vec![
            ("from", from_secs.to_string()),
            ("to", to_secs.to_string()),
            ("query", query.to_owned()),
        ];
        Box::pin(get_json(url, params, abort.cloned(), self.origin()))
    }

    fn dashboards(&self, abort: Option<&AbortSignal>) -> ApiFuture<DashboardList> {
        let url = format!("{}/api/v1/dashboard", self.base);
        Box::pin(get_json(url, Vec::new(), abort.cloned(), self.origin()))
    }

    fn dashboard(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<serde_json::Value> {
        let url = self.dashboard_url(id);
        Box::pin(get_json(url, Vec::new(), abort.cloned(), self.origin()))
    }

    fn create_dashboard(&self, body: serde_json::Value) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/dashboard", self.base);
        Box::pin(send_json(
            Method::POST,
            url,
            Some(body),
            None,
            self.origin(),
        ))
    }

    fn update_dashboard(&self, id: &str, body: serde_json::Value) -> ApiFuture<serde_json::Value> {
        let url = self.dashboard_url(id);
        Box::pin(send_json(Method::PUT, url, Some(body), None, self.origin()))
    }

    fn markdown(&self, text: &str, abort: Option<&AbortSignal>) -> ApiFuture<String> {
        let (url, origin) = (self.markdown_url(), self.origin());
        let body = serde_json::json!({ "text": text });
        let abort = abort.cloned();
        Box::pin(async move {
            let answer: serde_json::Value =
                send_json(Method::POST, url, Some(body), abort, origin.clone()).await?;
            answer["html"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| ApiError::Malformed {
                    origin,
                    reason: "the markdown answer has no html".to_owned(),
                })
        })
    }

    fn delete_dashboard(&self, id: &str) -> ApiFuture<()> {
        let url = self.dashboard_url(id);
        let origin = self.origin();
        Box::pin(async move {
            send_json::<serde_json::Value>(Method::DELETE, url, None, None, origin)
                .await
                .map(|_| ())
        })
    }
}

impl HttpBackend {
    fn markdown_url(&self) -> String {
        format!("{}/api/v1/dogwatch/markdown", self.base)
    }

    fn dashboard_url(&self, id: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(id));
        format!("{}/api/v1/dashboard/{id}", self.base)
    }
}

/// A write: the JSON body out, the JSON answer back.
async fn send_json<T: DeserializeOwned>(
    method: Method,
    url: String,
    body: Option<serde_json::Value>,
    abort: Option<AbortSignal>,
    origin: String,
) -> Result<T, ApiError> {
    let body = send_text(method, url, body, abort, &origin).await?;
    parse(&body, origin)
}

/// The untyped half of [`send_json`]: one copy of the request code, whatever the answer's type.
async fn send_text(
    method: Method,
    url: String,
    body: Option<serde_json::Value>,
    abort: Option<AbortSignal>,
    origin: &str,
) -> Result<String, ApiError> {
    let builder = RequestBuilder::new(&url)
        .method(method)
        .abort_signal(abort.as_ref());
    let request = match body {
        Some(body) => builder.json(&body),
        None => builder.build(),
    }
    .map_err(|e| transport_error(e, origin))?;
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(e, origin))?;
    answer(response, origin).await
}

fn window() -> web_sys::Window {
    leptos::prelude::window()
}

async fn get_json<T: DeserializeOwned>(
    url: String,
    params: Vec<(&'static str, String)>,
    abort: Option<AbortSignal>,
    origin: String,
) -> Result<T, ApiError> {
    let body = get_text(url, params, abort, &origin).await?;
    parse(&body, origin)
}

/// The untyped half of [`get_json`]: one copy of the request code, whatever the answer's type.
async fn get_text(
    url: String,
    params: Vec<(&'static str, String)>,
    abort: Option<AbortSignal>,
    origin: &str,
) -> Result<String, ApiError> {
    let response = Request::get(&url)
        .query(params.iter().map(|(k, v)| (*k, v.as_str())))
        .abort_signal(abort.as_ref())
        .send()
        .await
        .map_err(|e| transport_error(e, origin))?;
    answer(response, origin).await
}

/// The answer's body, or the error its status stands for.
async fn answer(response: gloo_net::http::Response, origin: &str) -> Result<String, ApiError> {
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| transport_error(e, origin))?;
    if !response.ok() {
        return Err(ApiError::Rejected {
            status,
            message: error_message(status, &body),
        });
    }
    Ok(body)
}

fn parse<T: DeserializeOwned>(body: &str, origin: String) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|e| ApiError::Malformed {
        origin,
        reason: e.to_string(),
    })
}

/// The first of Datadog's `{"errors": [...]}`, or the status when the body is something else.
fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<Errors>(body)
        .ok()
        .and_then(|e| e.errors.into_iter().next())
        .unwrap_or_else(|| format!("HTTP status {status}"))
}

fn transport_error(error: gloo_net::Error, origin: &str) -> ApiError {
    match error {
        gloo_net::Error::JsError(js) if js.name == "AbortError" => ApiError::Aborted,
        // fetch() says only "Failed to fetch" for a refused connection; that is still the right words.
        gloo_net::Error::JsError(js) => ApiError::Unreachable {
            origin: origin.to_owned(),
            reason: js.message,
        },
        other => ApiError::Unreachable {
            origin: origin.to_owned(),
            reason: other.to_string(),
        },
    }
}
