//! A webhook receiver on a real socket: `{url}/ok` answers 200, `{url}/broken` always 500 and
//! `{url}/flaky` 500 twice then 200; every call is recorded with its JSON body.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;

#[derive(Clone, Default)]
pub struct Received {
    calls: Arc<Mutex<Vec<(String, Value, Instant)>>>,
}

impl Received {
    /// What `/hook/{hook}` received, in order, with when.
    pub fn of(&self, hook: &str) -> Vec<(Value, Instant)> {
        self.calls
            .lock()
            .expect("lock")
            .iter()
            .filter(|(h, _, _)| h == hook)
            .map(|(_, v, t)| (v.clone(), *t))
            .collect()
    }
}

/// `/hook/ok` answers 200; `/hook/broken` always 500; `/hook/flaky` 500 twice, then 200.
async fn hook(
    State(rx): State<Received>,
    UrlPath(name): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    let value = serde_json::from_slice(&body).unwrap_or(Value::String("not JSON".into()));
    let mut calls = rx.calls.lock().expect("lock");
    calls.push((name.clone(), value, Instant::now()));
    let seen = calls.iter().filter(|(h, _, _)| *h == name).count();
    match name.as_str() {
        "broken" => StatusCode::INTERNAL_SERVER_ERROR,
        "flaky" if seen <= 2 => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    }
}

/// Starts the receiver; returns its base URL (`http://127.0.0.1:port/hook`) and what it records.
pub async fn start_receiver() -> (String, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/hook/{name}", post(hook))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), received)
}
