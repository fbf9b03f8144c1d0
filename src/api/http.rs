//! [`Backend`] over HTTP against the built-in dogwatch server, with gloo-net: each answer decoded by
//! serde into core's wire types. The read API is open on loopback, so no keys are sent.

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{
    AllTags, ApmResource, ApmService, ApmServices, CommentRequest, Dashboard, DashboardList,
    DowntimePreview, DowntimeV2, DowntimeV2Body, DowntimeV2List, Errors, Event, EventList, Inbox,
    KeyAnswer, KeyData, KeyKind, KeyList, KeyName, KeyRequest, KeyRequestData, LoginRequest,
    MarkdownHtml, MarkdownRequest, Me, MetricsList, Monitor, MonitorDefinition, MonitorHistory,
    MuteRequest, Open, PasswordChange, PasswordSet, QueryResponse, Settings, Snapshot,
    SnapshotComment, SnapshotRequest, Trace, TraceSearch, User, UserList, Webhook, WebhookList,
};
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::{Notify, Trigger};
use serde::Serialize;
use serde::de::DeserializeOwned;
use web_sys::AbortSignal;

use super::{ApiError, ApiFuture, Backend, Params};

pub struct HttpBackend {
    /// Empty: the page's own server.
    base: String,
    /// Told when an answer says nobody is signed in (the session ended), so the app shows the
    /// login form.
    signed_out: Option<Trigger>,
}

impl HttpBackend {
    pub fn same_origin(signed_out: Trigger) -> HttpBackend {
        HttpBackend {
            base: String::new(),
            signed_out: Some(signed_out),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A `GET` of `path` with `params` in its query string.
    fn get<T: DeserializeOwned + 'static>(
        &self,
        path: &str,
        params: Vec<(&'static str, String)>,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<T> {
        let request = Request::get(&self.url(path))
            .query(params)
            .abort_signal(abort)
            .build();
        self.answered(request)
    }

    /// The answer to `request`, telling the app when it says nobody is signed in.
    fn answered<T: DeserializeOwned + 'static>(
        &self,
        request: Result<Request, gloo_net::Error>,
    ) -> ApiFuture<T> {
        let answer = answer(request, self.origin());
        let signed_out = self.signed_out;
        Box::pin(async move {
            let result = answer.await;
            if let (Err(e), Some(trigger)) = (&result, signed_out)
                && e.is_signed_out()
            {
                trigger.notify();
            }
            result
        })
    }

    /// A write with a JSON body (none for `DELETE`).
    fn send<B: Serialize, T: DeserializeOwned + 'static>(
        &self,
        builder: RequestBuilder,
        body: Option<&B>,
    ) -> ApiFuture<T> {
        let request = match body {
            Some(body) => builder.json(body),
            None => builder.build(),
        };
        self.answered(request)
    }

    fn delete(&self, path: &str) -> ApiFuture<()> {
        let request = Request::delete(&self.url(path)).build();
        mapped(self.answered::<serde::de::IgnoredAny>(request), drop)
    }
}

/// Where keys of a kind are managed: every API key (admins), or the caller's own application keys.
fn keys_path(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Api => "/api/v2/api_keys",
        KeyKind::Application => "/api/v2/current_user/application_keys",
    }
}

/// The part of an answer a caller wants (the list inside `{"users": [...]}`, say).
fn mapped<T: 'static, U: 'static>(answer: ApiFuture<T>, part: fn(T) -> U) -> ApiFuture<U> {
    Box::pin(async move { answer.await.map(part) })
}

/// A path segment with everything but unreserved characters percent-encoded.
fn segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

impl Backend for HttpBackend {
    fn origin(&self) -> String {
        if self.base.is_empty() {
            leptos::prelude::window()
                .location()
                .origin()
                .unwrap_or_else(|_| "this page's server".to_owned())
        } else {
            self.base.clone()
        }
    }

    fn me(&self, abort: Option<&AbortSignal>) -> ApiFuture<Me> {
        // Not through `answered`: a 403 here is how the app learns it must ask for a login.
        let request = Request::get(&self.url("/api/v1/dogwatch/me"))
            .abort_signal(abort)
            .build();
        Box::pin(answer(request, self.origin()))
    }

    fn login(&self, login: LoginRequest) -> ApiFuture<Me> {
        let request = Request::post(&self.url("/api/v1/dogwatch/login")).json(&login);
        Box::pin(answer(request, self.origin()))
    }

    fn logout(&self) -> ApiFuture<()> {
        let request = Request::post(&self.url("/api/v1/dogwatch/logout")).build();
        Box::pin(answer(request, self.origin()))
    }

    fn change_password(&self, change: PasswordChange) -> ApiFuture<()> {
        let url = self.url("/api/v1/dogwatch/me/password");
        let answer = self.send::<_, serde::de::IgnoredAny>(Request::post(&url), Some(&change));
        mapped(answer, drop)
    }

    fn metrics(&self, from_secs: i64, abort: Option<&AbortSignal>) -> ApiFuture<MetricsList> {
        self.get(
            "/api/v1/metrics",
            vec![("from", from_secs.to_string())],
            abort,
        )
    }

    fn all_tags(&self, metric: &str, abort: Option<&AbortSignal>) -> ApiFuture<AllTags> {
        let path = format!("/api/v2/metrics/{}/all-tags", segment(metric));
        self.get(&path, Vec::new(), abort)
    }

    fn query(
        &self,
        query: &str,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<QueryResponse> {
        let (from_secs, to_secs) = range.to_secs();
        let params = vec![
            ("from", from_secs.to_string()),
            ("to", to_secs.to_string()),
            ("query", query.to_owned()),
        ];
        self.get("/api/v1/query", params, abort)
    }

    fn dashboards(&self, abort: Option<&AbortSignal>) -> ApiFuture<DashboardList> {
        self.get("/api/v1/dashboard", Vec::new(), abort)
    }

    fn dashboard(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Open<Dashboard>> {
        self.get(
            &format!("/api/v1/dashboard/{}", segment(id)),
            Vec::new(),
            abort,
        )
    }

    fn create_dashboard(&self, body: Open<Dashboard>) -> ApiFuture<Open<Dashboard>> {
        self.send(Request::post(&self.url("/api/v1/dashboard")), Some(&body))
    }

    fn update_dashboard(&self, id: &str, body: Open<Dashboard>) -> ApiFuture<Open<Dashboard>> {
        let url = self.url(&format!("/api/v1/dashboard/{}", segment(id)));
        self.send(Request::put(&url), Some(&body))
    }

    fn delete_dashboard(&self, id: &str) -> ApiFuture<()> {
        self.delete(&format!("/api/v1/dashboard/{}", segment(id)))
    }

    fn markdown(&self, text: &str, abort: Option<&AbortSignal>) -> ApiFuture<String> {
        let body = MarkdownRequest {
            text: text.to_owned(),
        };
        let builder = Request::post(&self.url("/api/v1/dogwatch/markdown")).abort_signal(abort);
        mapped(self.send(builder, Some(&body)), |h: MarkdownHtml| h.html)
    }

    fn monitors(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<Monitor>> {
        self.get("/api/v1/monitor", Vec::new(), abort)
    }

    fn monitor(&self, id: i64, abort: Option<&AbortSignal>) -> ApiFuture<Monitor> {
        let params = vec![("group_states", "all".to_owned())];
        self.get(&format!("/api/v1/monitor/{id}"), params, abort)
    }

    fn save_monitor(&self, id: Option<i64>, body: MonitorDefinition) -> ApiFuture<Monitor> {
        let builder = match id {
            Some(id) => Request::put(&self.url(&format!("/api/v1/monitor/{id}"))),
            None => Request::post(&self.url("/api/v1/monitor")),
        };
        self.send(builder, Some(&body))
    }

    fn delete_monitor(&self, id: i64) -> ApiFuture<()> {
        self.delete(&format!("/api/v1/monitor/{id}"))
    }

    fn mute_monitor(&self, id: i64, mute: bool) -> ApiFuture<Monitor> {
        let (what, body) = if mute {
            ("mute", MuteRequest::default())
        } else {
            let all = MuteRequest {
                all_scopes: Some(true),
                ..MuteRequest::default()
            };
            ("unmute", all)
        };
        let url = self.url(&format!("/api/v1/monitor/{id}/{what}"));
        self.send(Request::post(&url), Some(&body))
    }

    fn monitor_history(&self, id: i64, abort: Option<&AbortSignal>) -> ApiFuture<MonitorHistory> {
        let path = format!("/api/v1/dogwatch/monitor/{id}/history");
        self.get(&path, vec![("limit", "200".to_owned())], abort)
    }

    fn events(
        &self,
        monitor_id: Option<i64>,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<Vec<Event>> {
        let (start, end) = range.to_secs();
        let mut params = vec![("start", start.to_string()), ("end", end.to_string())];
        if let Some(id) = monitor_id {
            params.push(("monitor_id", id.to_string()));
        }
        mapped(self.get("/api/v1/events", params, abort), |l: EventList| {
            l.events
        })
    }

    fn users(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<User>> {
        let list = self.get("/api/v1/dogwatch/users", Vec::new(), abort);
        mapped(list, |l: UserList| l.users)
    }

    fn webhooks(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<Webhook>> {
        let list = self.get("/api/v1/dogwatch/webhooks", Vec::new(), abort);
        mapped(list, |l: WebhookList| l.webhooks)
    }

    fn save_user(&self, user: User) -> ApiFuture<User> {
        self.send(
            Request::post(&self.url("/api/v1/dogwatch/users")),
            Some(&user),
        )
    }

    fn save_webhook(&self, hook: Webhook) -> ApiFuture<Webhook> {
        let url = self.url("/api/v1/dogwatch/webhooks");
        self.send(Request::post(&url), Some(&hook))
    }

    fn delete_contact(&self, kind: &str, name: &str) -> ApiFuture<()> {
        self.delete(&format!("/api/v1/dogwatch/{kind}/{}", segment(name)))
    }

    fn inbox(&self, handle: &str, abort: Option<&AbortSignal>) -> ApiFuture<Inbox> {
        let path = format!("/api/v1/dogwatch/inbox/{}", segment(handle));
        self.get(&path, Vec::new(), abort)
    }

    fn keys(&self, kind: KeyKind, abort: Option<&AbortSignal>) -> ApiFuture<Vec<KeyData>> {
        mapped(
            self.get(keys_path(kind), Vec::new(), abort),
            |l: KeyList| l.data,
        )
    }

    fn create_key(&self, kind: KeyKind, name: &str) -> ApiFuture<KeyData> {
        let body = KeyRequest {
            data: KeyRequestData {
                kind,
                attributes: KeyName {
                    name: name.to_owned(),
                },
            },
        };
        let made = self.send(Request::post(&self.url(keys_path(kind))), Some(&body));
        mapped(made, |a: KeyAnswer| a.data)
    }

    fn revoke_key(&self, kind: KeyKind, id: &str) -> ApiFuture<()> {
        self.delete(&format!("{}/{}", keys_path(kind), segment(id)))
    }

    fn set_password(&self, handle: &str, password: &str) -> ApiFuture<()> {
        let url = self.url(&format!(
            "/api/v1/dogwatch/users/{}/password",
            segment(handle)
        ));
        let body = PasswordSet {
            password: password.to_owned(),
        };
        let answer = self.send::<_, serde::de::IgnoredAny>(Request::post(&url), Some(&body));
        mapped(answer, drop)
    }

    fn mark_inbox_read(&self, handle: &str) -> ApiFuture<()> {
        let url = self.url(&format!("/api/v1/dogwatch/inbox/{}/read", segment(handle)));
        let answer = self.send::<(), serde::de::IgnoredAny>(Request::post(&url), None);
        mapped(answer, drop)
    }

    fn settings(&self, abort: Option<&AbortSignal>) -> ApiFuture<Settings> {
        self.get("/api/v1/dogwatch/settings", Vec::new(), abort)
    }

    fn downtimes(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<DowntimeV2>> {
        mapped(
            self.get("/api/v2/downtime", Vec::new(), abort),
            |l: DowntimeV2List| l.data,
        )
    }

    fn create_downtime(&self, body: DowntimeV2Body) -> ApiFuture<DowntimeV2> {
        let made = self.send(Request::post(&self.url("/api/v2/downtime")), Some(&body));
        mapped(made, |a: DowntimeV2Body| a.data)
    }

    fn cancel_downtime(&self, id: &str) -> ApiFuture<()> {
        self.delete(&format!("/api/v2/downtime/{}", segment(id)))
    }

    fn downtime_preview(
        &self,
        body: DowntimeV2Body,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<DowntimePreview> {
        let request = Request::post(&self.url("/api/v1/dogwatch/downtime/preview"))
            .abort_signal(abort)
            .json(&body);
        self.answered(request)
    }

    fn create_snapshot(&self, body: SnapshotRequest) -> ApiFuture<Snapshot> {
        let url = self.url("/api/v1/dogwatch/snapshots");
        self.send(Request::post(&url), Some(&body))
    }

    fn snapshot(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Snapshot> {
        let path = format!("/api/v1/dogwatch/snapshots/{}", segment(id));
        self.get(&path, Vec::new(), abort)
    }

    fn delete_snapshot(&self, id: &str) -> ApiFuture<()> {
        self.delete(&format!("/api/v1/dogwatch/snapshots/{}", segment(id)))
    }

    fn comment_snapshot(&self, id: &str, text: &str) -> ApiFuture<SnapshotComment> {
        let url = self.url(&format!(
            "/api/v1/dogwatch/snapshots/{}/comments",
            segment(id)
        ));
        let body = CommentRequest {
            text: Some(text.to_owned()),
        };
        self.send(Request::post(&url), Some(&body))
    }

    fn apm_services(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<ApmServices> {
        self.get("/api/v1/dogwatch/apm/services", params, abort)
    }

    fn apm_service(
        &self,
        service: &str,
        params: Params,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<ApmService> {
        let path = format!("/api/v1/dogwatch/apm/services/{}", segment(service));
        self.get(&path, params, abort)
    }

    fn apm_resource(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<ApmResource> {
        self.get("/api/v1/dogwatch/apm/resource", params, abort)
    }

    fn trace_search(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<TraceSearch> {
        self.get("/api/v1/dogwatch/apm/traces", params, abort)
    }

    fn trace(&self, trace_id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Trace> {
        let path = format!("/api/v1/dogwatch/traces/{}", segment(trace_id));
        self.get(&path, Vec::new(), abort)
    }
}

/// Sends `request` and decodes its answer: `T` from a success, the first of Datadog's
/// `{"errors": [...]}` (or the status) from a failure.
async fn answer<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
    origin: String,
) -> Result<T, ApiError> {
    let response = request
        .map_err(|e| transport_error(e, &origin))?
        .send()
        .await
        .map_err(|e| transport_error(e, &origin))?;
    if !response.ok() {
        let status = response.status();
        let message = match response.json::<Errors>().await {
            Ok(Errors { errors }) => errors.into_iter().next(),
            Err(_) => None,
        };
        return Err(ApiError::Rejected {
            status,
            message: message.unwrap_or_else(|| format!("HTTP status {status}")),
        });
    }
    if response.status() == 204 {
        // No content: what `()` (or `IgnoredAny`) reads from JSON's `null`.
        return serde_json::from_str("null").map_err(|e| ApiError::Malformed {
            origin,
            reason: e.to_string(),
        });
    }
    response.json::<T>().await.map_err(|e| match e {
        gloo_net::Error::SerdeError(e) => ApiError::Malformed {
            origin,
            reason: e.to_string(),
        },
        other => transport_error(other, &origin),
    })
}

/// What `fetch` failed with: an abort (a `DOMException` named `AbortError`), or a failure to reach
/// the server. fetch() says only "Failed to fetch" for a refused connection; that is still the
/// right words.
fn transport_error(error: gloo_net::Error, origin: &str) -> ApiError {
    let reason = match error {
        gloo_net::Error::JsError(e) if e.name == "AbortError" => return ApiError::Aborted,
        gloo_net::Error::JsError(e) => e.message,
        other => other.to_string(),
    };
    ApiError::Unreachable {
        origin: origin.to_owned(),
        reason,
    }
}
