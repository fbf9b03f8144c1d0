//! What the `oneshot` test binaries share: an app over a fresh store in a temporary directory, and a
//! request helper that returns the status and the JSON body.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dogwatch_server::keys::Keys;
use dogwatch_server::store::Store;
use dogwatch_server::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

pub mod smtp;

pub const API_KEY: &str = "test-api-key";
pub const APP_KEY: &str = "test-app-key";

pub struct Env {
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
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
        state: AppState {
            store,
            keys: Arc::new(keys),
            ui_dir: None,
            smtp: None,
        },
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
