//! The only place that talks HTTP. Pages read the dogwatch JSON API through the [`Backend`] trait;
//! [`HttpBackend`] is the built-in server's implementation. [`use_latest`] runs a view's requests so
//! that a newer request, or the view going away, aborts the one in flight.

mod http;
mod latest;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{
    AllTags, ApmResource, ApmService, ApmServices, Dashboard, DashboardList, DowntimePreview,
    DowntimeV2, DowntimeV2Body, Event, Inbox, KeyData, KeyKind, LoginRequest, Me, MetricsList,
    Monitor, MonitorDefinition, MonitorHistory, Open, PasswordChange, QueryResponse, Settings,
    Snapshot, SnapshotComment, SnapshotRequest, Trace, TraceSearch, User, Webhook,
};
use leptos::prelude::*;
use web_sys::AbortSignal;

pub use http::HttpBackend;
pub use latest::{Load, use_latest};

/// What every backend call returns. Not `Send`: browser futures live on the one JS thread.
pub type ApiFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The JSON API the UI reads. Every call takes an optional abort signal so that a superseded request
/// stops using the network instead of finishing for nobody.
pub trait Backend {
    /// Where the API lives, in words for messages ("dogwatch API not reachable at …").
    fn origin(&self) -> String;

    /// Who the browser is signed in as (`GET /api/v1/dogwatch/me`); a 403 when nobody.
    fn me(&self, abort: Option<&AbortSignal>) -> ApiFuture<Me>;

    /// Signs in; the server sets the session cookie (`POST /api/v1/dogwatch/login`).
    fn login(&self, login: LoginRequest) -> ApiFuture<Me>;

    /// Ends the session and clears its cookie (`POST /api/v1/dogwatch/logout`).
    fn logout(&self) -> ApiFuture<()>;

    /// Changes the signed-in person's password; their other sessions end
    /// (`POST /api/v1/dogwatch/me/password`).
    fn change_password(&self, change: PasswordChange) -> ApiFuture<()>;

    /// Names of the metrics that reported since `from_secs` (`GET /api/v1/metrics`).
    fn metrics(&self, from_secs: i64, abort: Option<&AbortSignal>) -> ApiFuture<MetricsList>;

    /// Every `key:value` tag seen on `metric` (`GET /api/v2/metrics/{metric}/all-tags`).
    fn all_tags(&self, metric: &str, abort: Option<&AbortSignal>) -> ApiFuture<AllTags>;

    /// Evaluates a metric query over `range` (`GET /api/v1/query`).
    fn query(
        &self,
        query: &str,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<QueryResponse>;

    /// Every dashboard, most recently modified first (`GET /api/v1/dashboard`).
    fn dashboards(&self, abort: Option<&AbortSignal>) -> ApiFuture<DashboardList>;

    /// One dashboard in Datadog's JSON shape (`GET /api/v1/dashboard/{id}`).
    fn dashboard(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Open<Dashboard>>;

    /// Stores a new dashboard and answers it with its id (`POST /api/v1/dashboard`).
    fn create_dashboard(&self, body: Open<Dashboard>) -> ApiFuture<Open<Dashboard>>;

    /// Replaces a dashboard's definition (`PUT /api/v1/dashboard/{id}`).
    fn update_dashboard(&self, id: &str, body: Open<Dashboard>) -> ApiFuture<Open<Dashboard>>;

    /// Deletes a dashboard (`DELETE /api/v1/dashboard/{id}`).
    fn delete_dashboard(&self, id: &str) -> ApiFuture<()>;

    /// A note's markdown as safe HTML (`POST /api/v1/dogwatch/markdown`): rendered and sanitized on
    /// the server, which keeps the markdown and sanitizer libraries out of the wasm.
    fn markdown(&self, text: &str, abort: Option<&AbortSignal>) -> ApiFuture<String>;

    /// Every monitor with its overall state (`GET /api/v1/monitor`).
    fn monitors(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<Monitor>>;

    /// One monitor with its groups' states (`GET /api/v1/monitor/{id}?group_states=all`).
    fn monitor(&self, id: i64, abort: Option<&AbortSignal>) -> ApiFuture<Monitor>;

    /// Creates a monitor (`POST /api/v1/monitor`) or replaces one (`PUT /api/v1/monitor/{id}`).
    fn save_monitor(&self, id: Option<i64>, body: MonitorDefinition) -> ApiFuture<Monitor>;

    /// Deletes a monitor (`DELETE /api/v1/monitor/{id}`).
    fn delete_monitor(&self, id: i64) -> ApiFuture<()>;

    /// Mutes (`POST /api/v1/monitor/{id}/mute`) or unmutes (`…/unmute`, every scope) a monitor.
    fn mute_monitor(&self, id: i64, mute: bool) -> ApiFuture<Monitor>;

    /// A monitor's groups, transitions and notifications sent
    /// (`GET /api/v1/dogwatch/monitor/{id}/history`).
    fn monitor_history(&self, id: i64, abort: Option<&AbortSignal>) -> ApiFuture<MonitorHistory>;

    /// Events between two times, newest first, optionally of one monitor (`GET /api/v1/events`).
    fn events(
        &self,
        monitor_id: Option<i64>,
        range: TimeRange,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<Vec<Event>>;

    /// The users to @mention (`GET /api/v1/dogwatch/users`).
    fn users(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<User>>;

    /// The webhooks to @mention (`GET /api/v1/dogwatch/webhooks`).
    fn webhooks(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<Webhook>>;

    /// Adds a user, or replaces the one with the same handle (`POST /api/v1/dogwatch/users`).
    fn save_user(&self, user: User) -> ApiFuture<User>;

    /// Adds a webhook, or replaces the one with the same name (`POST /api/v1/dogwatch/webhooks`).
    fn save_webhook(&self, hook: Webhook) -> ApiFuture<Webhook>;

    /// Removes a user by handle or a webhook by name: `DELETE /api/v1/dogwatch/{kind}/{name}`.
    fn delete_contact(&self, kind: &str, name: &str) -> ApiFuture<()>;

    /// A user's in-app messages, newest first (`GET /api/v1/dogwatch/inbox/{handle}`).
    fn inbox(&self, handle: &str, abort: Option<&AbortSignal>) -> ApiFuture<Inbox>;

    /// Keys of a kind (`GET /api/v2/api_keys`; the caller's own application keys:
    /// `GET /api/v2/current_user/application_keys`).
    fn keys(&self, kind: KeyKind, abort: Option<&AbortSignal>) -> ApiFuture<Vec<KeyData>>;

    /// Makes a key; the answer holds it whole, the only time it is shown.
    fn create_key(&self, kind: KeyKind, name: &str) -> ApiFuture<KeyData>;

    /// Revokes a key: requests with it are refused from now on.
    fn revoke_key(&self, kind: KeyKind, id: &str) -> ApiFuture<()>;

    /// Sets a user's password, ending their sessions (`POST /api/v1/dogwatch/users/{handle}/password`).
    fn set_password(&self, handle: &str, password: &str) -> ApiFuture<()>;

    /// Marks a user's whole inbox read (`POST /api/v1/dogwatch/inbox/{handle}/read`).
    fn mark_inbox_read(&self, handle: &str) -> ApiFuture<()>;

    /// How the server is configured, SMTP included (`GET /api/v1/dogwatch/settings`).
    fn settings(&self, abort: Option<&AbortSignal>) -> ApiFuture<Settings>;

    /// Every downtime (`GET /api/v2/downtime`).
    fn downtimes(&self, abort: Option<&AbortSignal>) -> ApiFuture<Vec<DowntimeV2>>;

    /// Schedules a downtime (`POST /api/v2/downtime`).
    fn create_downtime(&self, body: DowntimeV2Body) -> ApiFuture<DowntimeV2>;

    /// Cancels a downtime (`DELETE /api/v2/downtime/{id}`).
    fn cancel_downtime(&self, id: &str) -> ApiFuture<()>;

    /// When a downtime would be active and what it would silence
    /// (`POST /api/v1/dogwatch/downtime/preview`).
    fn downtime_preview(
        &self,
        body: DowntimeV2Body,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<DowntimePreview>;

    /// Freezes a graph: the server runs its queries over the window once and keeps the answers
    /// (`POST /api/v1/dogwatch/snapshots`); the message's @mentions are notified.
    fn create_snapshot(&self, body: SnapshotRequest) -> ApiFuture<Snapshot>;

    /// One snapshot (`GET /api/v1/dogwatch/snapshots/{id}`): whole for whoever is signed in, the
    /// graph and title only through a public link, 403 for a private one, 404 once gone.
    fn snapshot(&self, id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Snapshot>;

    /// Deletes a snapshot, for its sender or an admin (`DELETE /api/v1/dogwatch/snapshots/{id}`).
    fn delete_snapshot(&self, id: &str) -> ApiFuture<()>;

    /// Adds a comment to a snapshot's thread; its @mentions are notified
    /// (`POST /api/v1/dogwatch/snapshots/{id}/comments`).
    fn comment_snapshot(&self, id: &str, text: &str) -> ApiFuture<SnapshotComment>;

    /// Every service that sent spans in the window, with its requests, errors, latency and Apdex
    /// (`GET /api/v1/dogwatch/apm/services`; `params`: `from`, `to`, `env`, `apdex_t`).
    fn apm_services(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<ApmServices>;

    /// One service: its graphs, resources, downstream time and calls
    /// (`GET /api/v1/dogwatch/apm/services/{service}`); a 404 when it sent nothing in the window.
    fn apm_service(
        &self,
        service: &str,
        params: Params,
        abort: Option<&AbortSignal>,
    ) -> ApiFuture<ApmService>;

    /// One resource of a service (`GET /api/v1/dogwatch/apm/resource`; `params`: `service`,
    /// `resource`, `from`, `to`, `env`).
    fn apm_resource(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<ApmResource>;

    /// Top-level spans that match a search, newest first (`GET /api/v1/dogwatch/apm/traces`).
    fn trace_search(&self, params: Params, abort: Option<&AbortSignal>) -> ApiFuture<TraceSearch>;

    /// One whole trace (`GET /api/v1/dogwatch/traces/{trace_id}`).
    fn trace(&self, trace_id: &str, abort: Option<&AbortSignal>) -> ApiFuture<Trace>;
}

/// A query string as name and value pairs, for the calls whose filters are many and optional.
pub type Params = Vec<(&'static str, String)>;

/// The backend the app was started with, shared through context.
pub type SharedBackend = Arc<dyn Backend + Send + Sync>;

/// The backend provided by the app shell.
pub fn use_backend() -> SharedBackend {
    expect_context::<SharedBackend>()
}

/// Why a call gave no answer, in terms a page can put into words.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No HTTP answer at all: the server is down, the network is gone, or the browser refused.
    Unreachable { origin: String, reason: String },
    /// The API answered with an error status. `message` is the first of its `errors`, or the status.
    Rejected { status: u16, message: String },
    /// A success status with a body that is not the JSON the UI expects.
    Malformed { origin: String, reason: String },
    /// The request was aborted because nobody waits for it any more. Never shown.
    Aborted,
}

impl ApiError {
    /// A `400`: the request itself is wrong (for a query, the message says where).
    pub fn is_bad_request(&self) -> bool {
        matches!(self, ApiError::Rejected { status: 400, .. })
    }

    /// Datadog's 403 for a missing or wrong credential: nobody (any more) signed in.
    pub fn is_signed_out(&self) -> bool {
        matches!(self, ApiError::Rejected { status: 403, message } if message == "Forbidden")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unreachable { origin, reason } => {
                write!(f, "dogwatch API not reachable at {origin}: {reason}")
            }
            ApiError::Rejected {
                status: 400,
                message,
            } => f.write_str(message),
            ApiError::Rejected { status, message } => {
                write!(f, "dogwatch API answered {status}: {message}")
            }
            ApiError::Malformed { origin, reason } => {
                write!(
                    f,
                    "dogwatch API at {origin} sent an answer the UI cannot read: {reason}"
                )
            }
            ApiError::Aborted => f.write_str("request aborted"),
        }
    }
}

/// Owns an `AbortController`; dropping it aborts the request that was given its signal. Dropping it
/// after the request finished is harmless.
pub struct Abort(Option<web_sys::AbortController>);

impl Abort {
    pub fn new() -> Abort {
        // Every browser that runs wasm has AbortController; without one, requests just cannot be aborted.
        Abort(web_sys::AbortController::new().ok())
    }

    pub fn signal(&self) -> Option<AbortSignal> {
        self.0.as_ref().map(web_sys::AbortController::signal)
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}
