//! What the tests share: an app over a fresh store in a temporary directory with request helpers
//! that return the status and the JSON body (`oneshot`); the real binary (`real_server`), the SMTP
//! server and the webhook receiver.

use std::process::Child;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
use dogwatch_core::wire::Role;
use dogwatch_server::keys::Keys;
use dogwatch_server::store::Store;
use dogwatch_server::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

pub mod real_server;
pub mod smtp;
pub mod webhook;

pub const API_KEY: &str = "test-api-key";
pub const APP_KEY: &str = "test-app-key";

/// A child process, killed (SIGKILL) and reaped when this is dropped, also when a test panics.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Seconds since the Unix epoch, now.
pub fn now_secs() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    i64::try_from(since_epoch.as_secs()).expect("seconds fit in i64")
}

/// Polls `done` every 100 ms until it holds; fails after `secs` seconds, naming `what`.
pub fn eventually(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The first message of a `{"errors": [...]}` answer (empty when there is none).
pub fn first_error(body: &Value) -> &str {
    body["errors"][0].as_str().unwrap_or_default()
}

pub struct Env {
    pub state: AppState,
    /// The session token [`call`] signs in with (an admin's), made on first use.
    session: tokio::sync::OnceCell<String>,
    _dir: Option<tempfile::TempDir>,
}

/// The handle of the admin whose session [`call`] uses.
pub const ADMIN: &str = "root";

impl Env {
    /// A user `handle` with `role` (email `handle@example.com`, no password), made straight in the
    /// store.
    pub async fn user(&self, handle: &str, role: Role) {
        self.state
            .store
            .put_user(
                handle.into(),
                handle.into(),
                format!("{handle}@example.com"),
                Some(role),
                0,
            )
            .await
            .expect("user");
    }

    /// A session cookie for a user with `role`, made straight in the store (no password needed).
    pub async fn session_for(&self, handle: &str, role: Role) -> String {
        self.user(handle, role).await;
        let token = dogwatch_server::auth::random_token().expect("token");
        self.state
            .store
            .create_session(
                dogwatch_server::auth::secret_hash(&token),
                handle.into(),
                dogwatch_server::handlers::now_ms(),
            )
            .await
            .expect("session");
        token
    }

    /// The admin session [`call`] uses.
    pub async fn admin_session(&self) -> String {
        self.session
            .get_or_init(|| self.session_for(ADMIN, Role::Admin))
            .await
            .clone()
    }
}

pub fn env() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = env_in(dir.path());
    env._dir = Some(dir);
    env
}

/// An app over the store in `dir` (a restart: a second `env_in` on the same directory opens the
/// same store again); the caller keeps the directory.
pub fn env_in(dir: &std::path::Path) -> Env {
    let store = Store::open(&dir.join("db.sqlite3")).expect("store");
    let keys = Keys {
        api_key: API_KEY.into(),
        app_key: APP_KEY.into(),
    };
    Env {
        state: AppState::new(store, keys),
        session: tokio::sync::OnceCell::new(),
        _dir: None,
    }
}

/// Sends one request; a body that is not JSON comes back as a JSON string of its text.
pub async fn send(env: &Env, req: Request<Body>) -> (StatusCode, Value) {
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, body)
}

/// A JSON request as the UI sends it (an admin's session cookie, and `Origin` on changes), answered
/// with the status and the JSON body.
pub async fn call(
    env: &Env,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    json_request(env, method, uri, body, None).await
}

/// `GET uri`, as [`call`].
pub async fn get(env: &Env, uri: &str) -> (StatusCode, Value) {
    call(env, Method::GET, uri, None).await
}

/// `GET uri` with the application key, as [`call_app`].
pub async fn get_app(env: &Env, uri: &str) -> (StatusCode, Value) {
    call_app(env, Method::GET, uri, None).await
}

/// `POST uri` with a JSON body, as [`call`].
pub async fn post(env: &Env, uri: &str, body: Value) -> (StatusCode, Value) {
    call(env, Method::POST, uri, Some(body)).await
}

/// `POST uri` with a JSON body and the application key, as [`call_app`].
pub async fn post_app(env: &Env, uri: &str, body: Value) -> (StatusCode, Value) {
    call_app(env, Method::POST, uri, Some(body)).await
}

/// [`call`] with the application key in `DD-APPLICATION-KEY`, as the API's clients send it.
pub async fn call_app(
    env: &Env,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    json_request(env, method, uri, body, Some(APP_KEY)).await
}

async fn json_request(
    env: &Env,
    method: Method,
    uri: &str,
    body: Option<Value>,
    app_key: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = app_key {
        req = req.header("DD-APPLICATION-KEY", key);
    } else {
        let token = env.admin_session().await;
        req = req.header(header::COOKIE, format!("dogwatch_session={token}"));
        if method != Method::GET {
            req = req
                .header(header::HOST, "localhost")
                .header(header::ORIGIN, "http://localhost");
        }
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request");
    send(env, req).await
}

/// Creates a monitor through `POST /api/v1/monitor`; panics unless it is accepted. Its id.
pub async fn create_monitor(env: &Env, body: Value) -> i64 {
    let (status, m) = call_app(env, Method::POST, "/api/v1/monitor", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    m["id"].as_i64().expect("id")
}

/// A gauge `metric{tags}` (canonical tags, `host:ubuntu`) = `value` every 15 s over
/// `[from_secs, to_secs]`, written straight into the store.
pub async fn feed_gauge(
    env: &Env,
    metric: &str,
    tags: &str,
    from_secs: i64,
    to_secs: i64,
    value: f64,
) {
    let key = SeriesKey {
        metric: metric.into(),
        tags: TagSet::from_canonical(tags),
    };
    let samples = (from_secs..=to_secs)
        .step_by(15)
        .map(|ts_secs| Sample {
            key: key.clone(),
            ts_secs,
            value,
            kind: MetricType::Gauge,
            interval_secs: None,
        })
        .collect();
    env.state.store.write_samples(samples).await.expect("write");
}
