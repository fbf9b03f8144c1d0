//! [`Backend`] over HTTP against the built-in dogwatch server, with `fetch`. The read API is open on
//! loopback, so no keys are sent.

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{AllTags, DashboardList, MetricsList, QueryResponse};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::json::{self, Reader};
use super::{ApiError, ApiFuture, Backend, Event, MonitorSummary, User, Webhook, monitor, wire};

/// Reads an answer's JSON into its type.
type Read<T> = fn(&mut Reader) -> json::Result<T>;

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
        get_json(
            url,
            params,
            abort.cloned(),
            self.origin(),
            wire::metrics_list,
        )
    }

    fn all_tags(&self, metric: &str, abort: Option<&AbortSignal>) -> ApiFuture<AllTags> {
        let name = String::from(js_sys::encode_uri_component(metric));
        let url = format!("{}/api/v2/metrics/{name}/all-tags", self.base);
        get_json(
            url,
            Vec::new(),
            abort.cloned(),
            self.origin(),
            wire::all_tags,
        )
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
        get_json(
            url,
            params,
            abort.cloned(),
            self.origin(),
            wire::query_response,
        )
    }

    fn dashboards(&self, abort: Option<&AbortSignal>) -> ApiFuture<DashboardList> {
        let url = format!("{}/api/v1/dashboard", self.base);
        get_json(
            url,
            Vec::new(),
            abort.cloned(),
            self.origin(),
            wire::dashboard_list,
        )
    }

    fn dashboard(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<serde_json::Value> {
        let url = self.dashboard_url(id);
        get_json(url, Vec::new(), abort.cloned(), self.origin(), json::value)
    }

    fn create_dashboard(&self, body: serde_json::Value) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/dashboard", self.base);
        send_json("POST", url, Some(body), None, self.origin())
    }

    fn update_dashboard(&self, id: &str, body: serde_json::Value) -> ApiFuture<serde_json::Value> {
        let url = self.dashboard_url(id);
        send_json("PUT", url, Some(body), None, self.origin())
    }

    fn markdown(&self, text: &str, abort: Option<&AbortSignal>) -> ApiFuture<String> {
        let (url, origin) = (self.markdown_url(), self.origin());
        let mut body = serde_json::Map::new();
        body.insert("text".to_owned(), text.into());
        let body = json::to_string(&serde_json::Value::Object(body));
        let text = fetch_text("POST", url, Some(body), abort.cloned(), origin.clone());
        parsed(text, origin, wire::markdown_html)
    }

    fn delete_dashboard(&self, id: &str) -> ApiFuture<()> {
        let url = self.dashboard_url(id);
        let origin = self.origin();
        let text = fetch_text("DELETE", url, None, None, origin.clone());
        parsed(text, origin, |r| r.skip())
    }

    fn monitors(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<MonitorSummary>> {
        let url = format!("{}/api/v1/monitor", self.base);
        get_json(
            url,
            Vec::new(),
            abort.cloned(),
            self.origin(),
            monitor::monitors,
        )
    }

    fn monitor(&self, id: i64, abort: Option<&AbortSignal>) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/monitor/{id}", self.base);
        let params = vec![("group_states", "all".to_owned())];
        get_json(url, params, abort.cloned(), self.origin(), json::value)
    }

    fn save_monitor(
        &self,
        id: Option<i64>,
        body: serde_json::Value,
    ) -> ApiFuture<serde_json::Value> {
        let (method, url) = match id {
            Some(id) => ("PUT", format!("{}/api/v1/monitor/{id}", self.base)),
            None => ("POST", format!("{}/api/v1/monitor", self.base)),
        };
        send_json(method, url, Some(body), None, self.origin())
    }

    fn delete_monitor(&self, id: i64) -> ApiFuture<()> {
        self.delete(format!("{}/api/v1/monitor/{id}", self.base))
    }

    fn mute_monitor(&self, id: i64, mute: bool) -> ApiFuture<serde_json::Value> {
        let (what, body) = if mute {
            ("mute", serde_json::Map::new())
        } else {
            let mut all = serde_json::Map::new();
            all.insert("all_scopes".to_owned(), true.into());
            ("unmute", all)
        };
        let url = format!("{}/api/v1/monitor/{id}/{what}", self.base);
        let body = Some(serde_json::Value::Object(body));
        send_json("POST", url, body, None, self.origin())
    }

    fn monitor_history(
        &self,
        id: i64,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/dogwatch/monitor/{id}/history", self.base);
        let params = vec![("limit", "200".to_owned())];
        get_json(url, params, abort.cloned(), self.origin(), json::value)
    }

    fn events(
        &self,
        monitor_id: Option<i64>,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<Vec<Event>> {
        let url = format!("{}/api/v1/events", self.base);
        let (start, end) = range.to_secs();
        let mut params = vec![("start", start.to_string()), ("end", end.to_string())];
        if let Some(id) = monitor_id {
            params.push(("monitor_id", id.to_string()));
        }
        get_json(url, params, abort.cloned(), self.origin(), monitor::events)
    }

    fn users(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<User>> {
        let url = format!("{}/api/v1/dogwatch/users", self.base);
        get_json(
            url,
            Vec::new(),
            abort.cloned(),
            self.origin(),
            monitor::users,
        )
    }

    fn webhooks(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<Webhook>> {
        let url = format!("{}/api/v1/dogwatch/webhooks", self.base);
        get_json(
            url,
            Vec::new(),
            abort.cloned(),
            self.origin(),
            monitor::webhooks,
        )
    }

    fn save_contact(&self, kind: &str, body: serde_json::Value) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/dogwatch/{kind}", self.base);
        send_json("POST", url, Some(body), None, self.origin())
    }

    fn delete_contact(&self, kind: &str, name: &str) -> ApiFuture<()> {
        let name = String::from(js_sys::encode_uri_component(name));
        self.delete(format!("{}/api/v1/dogwatch/{kind}/{name}", self.base))
    }

    fn inbox(&self, handle: &str, abort: Option<&AbortSignal>) -> ApiFuture<serde_json::Value> {
        let handle = String::from(js_sys::encode_uri_component(handle));
        let url = format!("{}/api/v1/dogwatch/inbox/{handle}", self.base);
        get_json(url, Vec::new(), abort.cloned(), self.origin(), json::value)
    }

    fn settings(&self, abort: Option<&AbortSignal>) -> ApiFuture<serde_json::Value> {
        let url = format!("{}/api/v1/dogwatch/settings", self.base);
        get_json(url, Vec::new(), abort.cloned(), self.origin(), json::value)
    }
}

impl HttpBackend {
    /// A `DELETE` whose answer only matters for its status.
    fn delete(&self, url: String) -> ApiFuture<()> {
        let origin = self.origin();
        let text = fetch_text("DELETE", url, None, None, origin.clone());
        parsed(text, origin, |r| r.skip())
    }

    fn markdown_url(&self) -> String {
        format!("{}/api/v1/dogwatch/markdown", self.base)
    }

    fn dashboard_url(&self, id: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(id));
        format!("{}/api/v1/dashboard/{id}", self.base)
    }
}

/// A write: the JSON body out, the JSON answer back.
fn send_json(
    method: &'static str,
    url: String,
    body: Option<serde_json::Value>,
    abort: Option<AbortSignal>,
    origin: String,
) -> ApiFuture<serde_json::Value> {
    let body = body.map(|b| json::to_string(&b));
    parsed(
        fetch_text(method, url, body, abort, origin.clone()),
        origin,
        json::value,
    )
}

fn window() -> web_sys::Window {
    leptos::prelude::window()
}

/// A read: `params` go into the query string.
fn get_json<T: 'static>(
    mut url: String,
    params: Vec<(&'static str, String)>,
    abort: Option<AbortSignal>,
    origin: String,
    read: Read<T>,
) -> ApiFuture<T> {
    for (i, (key, value)) in params.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(key);
        url.push('=');
        url.push_str(&String::from(js_sys::encode_uri_component(value)));
    }
    parsed(
        fetch_text("GET", url, None, abort, origin.clone()),
        origin,
        read,
    )
}

/// The answer of `text` read with `read` when it arrives. The request itself is the one untyped
/// future below; only this small wrapper is compiled once per answer type.
fn parsed<T: 'static>(
    text: impl Future<Output = Result<String, ApiError>> + 'static,
    origin: String,
    read: Read<T>,
) -> ApiFuture<T> {
    struct Parsed<T> {
        text: Pin<Box<dyn Future<Output = Result<String, ApiError>>>>,
        origin: String,
        read: Read<T>,
    }
    impl<T> Future for Parsed<T> {
        type Output = Result<T, ApiError>;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = self.get_mut();
            this.text.as_mut().poll(cx).map(|answer| {
                let origin = std::mem::take(&mut this.origin);
                answer.and_then(|text| parse(&text, origin, this.read))
            })
        }
    }
    Box::pin(Parsed {
        text: Box::pin(text),
        origin,
        read,
    })
}

/// One request with `fetch`: the answer's body, or the error its status stands for.
async fn fetch_text(
    method: &'static str,
    url: String,
    body: Option<String>,
    abort: Option<AbortSignal>,
    origin: String,
) -> Result<String, ApiError> {
    let origin = origin.as_str();
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_signal(abort.as_ref());
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|e| transport_error(e, origin))?;
        let _ = headers.set("content-type", "application/json");
        init.set_headers(&headers);
        init.set_body(&body.into());
    }
    let fetched = JsFuture::from(window().fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|e| transport_error(e, origin))?;
    let response: web_sys::Response = fetched.unchecked_into();
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map_err(|e| transport_error(e, origin))?,
        Err(e) => return Err(transport_error(e, origin)),
    };
    let text = text.as_string().unwrap_or_default();
    if !response.ok() {
        return Err(ApiError::Rejected {
            status,
            message: error_message(status, &text),
        });
    }
    Ok(text)
}

fn parse<T>(body: &str, origin: String, read: Read<T>) -> Result<T, ApiError> {
    Reader::parse(body, read).map_err(|reason| ApiError::Malformed { origin, reason })
}

/// The first of Datadog's `{"errors": [...]}`, or the status when the body is something else.
fn error_message(status: u16, body: &str) -> String {
    Reader::parse(body, wire::errors)
        .ok()
        .and_then(|e| e.errors.into_iter().next())
        .unwrap_or_else(|| format!("HTTP status {status}"))
}

/// What `fetch` rejected with: an abort (a `DOMException` named `AbortError`), or a failure to reach
/// the server. fetch() says only "Failed to fetch" for a refused connection; that is still the
/// right words.
fn transport_error(error: wasm_bindgen::JsValue, origin: &str) -> ApiError {
    let error = error.dyn_into::<js_sys::Error>().ok();
    if error.as_ref().is_some_and(|e| e.name() == "AbortError") {
        return ApiError::Aborted;
    }
    ApiError::Unreachable {
        origin: origin.to_owned(),
        reason: error.map_or_else(|| "the request failed".to_owned(), |e| e.message().into()),
    }
}
