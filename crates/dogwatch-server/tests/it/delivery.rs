//! Delivery with real parts: a real SMTP server (Python's aiosmtpd from the test venv), a webhook
//! receiver on a real socket, the inbox, retries with backoff, and a restart of the real binary
//! between an enqueue and its delivery. Nothing is skipped: without the venv the tests fail and say
//! how to make one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use dogwatch_server::delivery::{self, DeliveryConfig, SMTP_NOT_CONFIGURED, SmtpConfig};
use dogwatch_server::store::{Channel, NewNotification, Store};
use serde_json::{Value, json};

use crate::support;
use crate::support::real_server::http;
use crate::support::smtp::{
    free_port, mails, smtp_config, start_dogwatch, start_smtp, subject_and_body,
};
use crate::support::webhook::start_receiver;
use crate::support::{Env, env, get, send};

// ---- helpers -----------------------------------------------------------------------------------------

async fn outbox(env: &Env) -> Vec<Value> {
    let (status, body) = get(env, "/api/v1/dogwatch/notifications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["notifications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn by_key<'a>(list: &'a [Value], key: &str) -> &'a Value {
    list.iter()
        .find(|n| n["dedupe_key"] == key)
        .unwrap_or_else(|| panic!("no notification {key} in {list:?}"))
}

/// Polls the outbox until `done` holds for it, or fails after `secs` seconds.
async fn wait_for(env: &Env, secs: u64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let list = outbox(env).await;
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "timed out; outbox: {list:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn all_settled(list: &[Value]) -> bool {
    list.iter().all(|n| n["state"] != "pending")
}

fn start_worker(
    store: &Store,
    config: DeliveryConfig,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(delivery::run(store.clone(), config, stop_rx));
    (stop_tx, task)
}

fn quick(smtp: Option<Arc<SmtpConfig>>) -> DeliveryConfig {
    DeliveryConfig::new(smtp, Duration::from_millis(150))
}

fn note(key: &str, channel: Channel, target: &str, subject: &str, body: &str) -> NewNotification {
    NewNotification {
        dedupe_key: key.to_owned(),
        channel,
        target: target.to_owned(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        payload: None,
        snapshot_id: None,
    }
}

// ---- the tests ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_webhook_and_inbox_each_arrive_exactly_once() {
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _smtp = start_smtp(mail_dir.path(), port);
    let (hook_url, received) = start_receiver().await;
    let smtp = smtp_config(port);
    let mut env = env();
    env.state.smtp = Some(smtp.clone());

    for (path, body) in [
        (
            "/api/v1/dogwatch/users",
            json!({"handle": "alice", "name": "Alice", "email": "alice@example.com"}),
        ),
        (
            "/api/v1/dogwatch/webhooks",
            json!({"name": "ops", "url": format!("{hook_url}/ok")}),
        ),
        (
            "/api/v1/dogwatch/webhooks",
            json!({"name": "chat", "url": format!("{hook_url}/slack"), "slack_compatible": true}),
        ),
    ] {
        let (status, res) = support::post(&env, path, body).await;
        assert_eq!(status, StatusCode::OK, "{res}");
    }

    let subject = "[Triggered] my_metric is above 800 on host:ubuntu";
    let body = "Value 900.0 on ubuntu (10.0.0.1).\n<script>alert(\"x\")</script> & more";
    let payload = json!({"monitor": 1, "state": "Alert", "value": 900.0, "message": body,
                         "link": "http://127.0.0.1:8600/monitors/1"});
    let batch = vec![
        note(
            "m1:t1:email:someone@example.com",
            Channel::Email,
            "someone@example.com",
            subject,
            body,
        ),
        NewNotification {
            payload: Some(payload.to_string()),
            ..note("m1:t1:webhook:ops", Channel::Webhook, "ops", subject, body)
        },
        note(
            "m1:t1:webhook:chat",
            Channel::Webhook,
            "chat",
            subject,
            body,
        ),
        note("m1:t1:inbox:alice", Channel::Inbox, "alice", subject, body),
        note("m1:t1:inbox:ghost", Channel::Inbox, "ghost", subject, body),
    ];
    // Enqueued before the worker starts and again after: the keys make the second time a no-op.
    assert_eq!(
        env.state
            .store
            .enqueue(batch.clone())
            .await
            .expect("enqueue"),
        5
    );
    let (stop, worker) = start_worker(&env.state.store, quick(Some(smtp)));
    assert_eq!(env.state.store.enqueue(batch).await.expect("enqueue"), 0);

    let list = wait_for(&env, 20, all_settled).await;
    for key in [
        "m1:t1:email:someone@example.com",
        "m1:t1:webhook:ops",
        "m1:t1:webhook:chat",
        "m1:t1:inbox:alice",
    ] {
        let n = by_key(&list, key);
        assert_eq!(n["state"], "sent", "{n}");
        assert_eq!(n["attempts"], 1, "{n}");
        assert!(n["sent_ms"].as_i64().is_some(), "{n}");
        assert_eq!(n["last_error"], Value::Null, "{n}");
    }
    let ghost = by_key(&list, "m1:t1:inbox:ghost");
    assert_eq!(ghost["state"], "failed");
    assert_eq!(ghost["last_error"], "no user @ghost");

    // Give a duplicate the chance to show up before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = mails(mail_dir.path());
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0]["mail_from"], "dogwatch@example.com");
    assert_eq!(got[0]["rcpt_tos"], json!(["someone@example.com"]));
    let content = got[0]["content"].as_str().expect("content");
    assert!(content.contains("Content-Type: text/plain"), "{content}");
    assert_eq!(
        subject_and_body(content),
        (subject.to_owned(), body.to_owned())
    );

    let ops = received.of("ok");
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].0, payload);
    let chat = received.of("slack");
    assert_eq!(chat.len(), 1);
    // Slack reads `&`, `<` and `>` as markup: they arrive escaped, and Slack shows them as written.
    let slack_text = format!("{subject}\n{body}")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert_eq!(chat[0].0, json!({ "text": slack_text }));

    let (status, inbox) = get(&env, "/api/v1/dogwatch/inbox/alice").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    let messages = inbox["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{inbox}");
    assert_eq!(messages[0]["subject"], subject);
    assert_eq!(messages[0]["body"], body);
    assert_eq!(messages[0]["read"], false);
    assert_eq!(inbox["unread"], 1);
    // Alice's own session may read and mark her inbox, another user's may not.
    let alice = env
        .session_for("alice", dogwatch_core::wire::Role::ReadOnly)
        .await;
    let bob = env
        .session_for("bob", dogwatch_core::wire::Role::Standard)
        .await;
    let as_user = |token: &str, method: Method, uri: &str| {
        Request::builder()
            .method(method.clone())
            .uri(uri)
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://localhost")
            .header(header::COOKIE, format!("dogwatch_session={token}"))
            .body(Body::empty())
            .expect("request")
    };
    let (status, _) = send(
        &env,
        as_user(&bob, Method::GET, "/api/v1/dogwatch/inbox/alice"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not bob's inbox");
    let (status, _) = send(
        &env,
        as_user(&bob, Method::POST, "/api/v1/dogwatch/inbox/alice/read"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(
        &env,
        as_user(&alice, Method::POST, "/api/v1/dogwatch/inbox/alice/read"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, inbox) = send(
        &env,
        as_user(&alice, Method::GET, "/api/v1/dogwatch/inbox/alice"),
    )
    .await;
    assert_eq!(
        (
            inbox["unread"].as_u64(),
            inbox["messages"][0]["read"].as_bool()
        ),
        (Some(0), Some(true))
    );

    let (_, settings) = get(&env, "/api/v1/dogwatch/settings").await;
    assert_eq!(
        settings,
        json!({"smtp": {"configured": true, "host": "127.0.0.1", "port": port, "tls": "none",
                        "from": "dogwatch@example.com"}})
    );

    stop.send(true).expect("stop");
    worker.await.expect("worker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_is_retried_with_backoff_and_its_errors_are_visible() {
    let (hook_url, received) = start_receiver().await;
    let env = env();
    for name in ["broken", "flaky"] {
        let (status, res) = support::post(
            &env,
            "/api/v1/dogwatch/webhooks",
            json!({"name": name, "url": format!("{hook_url}/{name}")}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{res}");
    }
    let config = DeliveryConfig {
        max_attempts: 4,
        ..quick(None)
    };
    let (stop, worker) = start_worker(&env.state.store, config);
    env.state
        .store
        .enqueue(vec![
            note("k:broken", Channel::Webhook, "broken", "s", "b"),
            note("k:flaky", Channel::Webhook, "flaky", "s", "b"),
        ])
        .await
        .expect("enqueue");

    let list = wait_for(&env, 30, all_settled).await;
    let broken = by_key(&list, "k:broken");
    assert_eq!(broken["state"], "failed", "{broken}");
    assert_eq!(broken["attempts"], 4, "{broken}");
    assert_eq!(
        broken["last_error"],
        "webhook broken answered 500 Internal Server Error"
    );
    let flaky = by_key(&list, "k:flaky");
    assert_eq!(flaky["state"], "sent", "{flaky}");
    assert_eq!(flaky["attempts"], 3, "{flaky}");
    assert_eq!(flaky["last_error"], Value::Null, "{flaky}");

    // 150 ms, 300 ms, 600 ms between the calls (a little slack for the clock's granularity).
    let calls = received.of("broken");
    assert_eq!(calls.len(), 4);
    for (i, pair) in calls.windows(2).enumerate() {
        let gap = pair[1].1 - pair[0].1;
        let want = Duration::from_millis(150 << i);
        assert!(
            gap + Duration::from_millis(20) >= want,
            "gap {i}: {gap:?} < {want:?}"
        );
    }
    assert_eq!(received.of("flaky").len(), 3);

    let (_, failed) = get(&env, "/api/v1/dogwatch/notifications?state=failed").await;
    let keys: Vec<&Value> = failed["notifications"]
        .as_array()
        .expect("list")
        .iter()
        .map(|n| &n["dedupe_key"])
        .collect();
    assert_eq!(keys, [&json!("k:broken")]);

    // While a delivery is failing, its state is visible before it settles too.
    env.state
        .store
        .enqueue(vec![note(
            "k:unknown",
            Channel::Webhook,
            "nowhere",
            "s",
            "b",
        )])
        .await
        .expect("enqueue");
    let list = wait_for(&env, 10, all_settled).await;
    let unknown = by_key(&list, "k:unknown");
    assert_eq!(unknown["state"], "failed");
    assert_eq!(unknown["attempts"], 1);
    assert_eq!(unknown["last_error"], "no webhook nowhere");

    stop.send(true).expect("stop");
    worker.await.expect("worker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_waits_while_smtp_is_not_configured() {
    let env = env();
    let (stop, worker) = start_worker(&env.state.store, quick(None));
    env.state
        .store
        .enqueue(vec![note(
            "k:mail",
            Channel::Email,
            "a@example.com",
            "s",
            "b",
        )])
        .await
        .expect("enqueue");
    let list = wait_for(&env, 10, |l| {
        l.first()
            .is_some_and(|n| n["last_error"] == SMTP_NOT_CONFIGURED)
    })
    .await;
    assert_eq!(list[0]["state"], "pending");
    assert_eq!(list[0]["attempts"], 0);
    stop.send(true).expect("stop");
    worker.await.expect("worker");
}

// ---- the real binary across a restart ----------------------------------------------------------------

fn get_json(addr: &str, path: &str) -> Value {
    http(addr, "GET", path, None).1
}

#[test]
fn a_mail_enqueued_while_smtp_is_down_arrives_exactly_once_after_a_restart() {
    let data = tempfile::tempdir().expect("tempdir");
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let smtp_port = free_port();
    let server = start_dogwatch(data.path(), smtp_port, &[]);

    // Enqueue through the store, as the evaluator will; the running server finds the row at its
    // next look at the outbox.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Store::open(&data.path().join("dogwatch.sqlite3")).expect("store");
        let n = store
            .enqueue(vec![note(
                "monitor:1:group:host:ubuntu:transition:1:email:someone@example.com",
                Channel::Email,
                "someone@example.com",
                "[Triggered] restart",
                "sent once",
            )])
            .await
            .expect("enqueue");
        assert_eq!(n, 1);
        store.close().await;
    });

    // The SMTP port is closed: the attempt fails and says why.
    let deadline = Instant::now() + Duration::from_secs(20);
    let failed_once = loop {
        let list = get_json(&server.http, "/api/v1/dogwatch/notifications");
        let n = list["notifications"][0].clone();
        if n["attempts"].as_u64().is_some_and(|a| a >= 1) {
            break n;
        }
        assert!(Instant::now() < deadline, "never attempted: {list}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(failed_once["state"], "pending", "{failed_once}");
    let error = failed_once["last_error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("SMTP: Connection error: Connection refused"),
        "{failed_once}"
    );

    drop(server);
    let _smtp = start_smtp(mail_dir.path(), smtp_port);
    let server = start_dogwatch(data.path(), smtp_port, &[]);

    let deadline = Instant::now() + Duration::from_secs(30);
    let sent = loop {
        let list = get_json(&server.http, "/api/v1/dogwatch/notifications");
        let n = list["notifications"][0].clone();
        if n["state"] == "sent" {
            break n;
        }
        assert!(Instant::now() < deadline, "never sent: {list}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(sent["attempts"].as_u64().is_some_and(|a| a >= 2), "{sent}");
    std::thread::sleep(Duration::from_millis(800));
    let got = mails(mail_dir.path());
    assert_eq!(got.len(), 1, "{got:#?}");
    let content = got[0]["content"].as_str().expect("content");
    assert_eq!(
        subject_and_body(content),
        ("[Triggered] restart".to_owned(), "sent once".to_owned())
    );
}
