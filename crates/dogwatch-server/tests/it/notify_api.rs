//! The notification management API through `app()` with `oneshot`: users and webhooks (400s naming
//! the field, 404s), the outbox and inbox listings, and the settings (SMTP unconfigured here).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::support::{ADMIN, APP_KEY, call, env, first_error, get, post, send};
use dogwatch_server::store::{Channel, NewNotification};

#[tokio::test]
async fn users_are_created_listed_replaced_and_deleted() {
    let env = env();
    let (status, created) = post(
        &env,
        "/api/v1/dogwatch/users",
        json!({"handle": "alice.ops", "name": "Alice", "email": "alice@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created,
        json!({"handle": "alice.ops", "name": "Alice", "email": "alice@example.com",
               "role": "standard", "has_password": false})
    );
    // No name: the handle stands in. The same handle again replaces the email.
    post(
        &env,
        "/api/v1/dogwatch/users",
        json!({"handle": "bob", "email": "bob@example.com"}),
    )
    .await;
    let (status, _) = post(
        &env,
        "/api/v1/dogwatch/users",
        json!({"handle": "bob", "email": "robert@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, list) = get(&env, "/api/v1/dogwatch/users").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"users": [
            {"handle": "alice.ops", "name": "Alice", "email": "alice@example.com",
             "role": "standard", "has_password": false},
            {"handle": "bob", "name": "bob", "email": "robert@example.com",
             "role": "standard", "has_password": false},
            {"handle": ADMIN, "name": ADMIN, "email": format!("{ADMIN}@example.com"),
             "role": "admin", "has_password": false},
        ]})
    );

    let (status, body) = call(&env, Method::DELETE, "/api/v1/dogwatch/users/bob", None).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"deleted_user": "bob"}))
    );
    let (status, body) = call(&env, Method::DELETE, "/api/v1/dogwatch/users/bob", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error(&body), "No user @bob");
}

#[tokio::test]
async fn user_validation_names_the_field() {
    let env = env();
    let cases = [
        (json!({"email": "a@example.com"}), "handle is required"),
        (
            json!({"handle": "Alice", "email": "a@example.com"}),
            "handle must be",
        ),
        (
            json!({"handle": "al ice", "email": "a@example.com"}),
            "handle must be",
        ),
        (
            json!({"handle": "", "email": "a@example.com"}),
            "handle must be",
        ),
        (
            json!({"handle": 7, "email": "a@example.com"}),
            "handle must be a string",
        ),
        (json!({"handle": "alice"}), "email is required"),
        (
            json!({"handle": "alice", "email": "alice.example.com"}),
            "email must be",
        ),
        (
            json!({"handle": "alice", "email": "a@b@example.com"}),
            "email must be",
        ),
        (
            json!({"handle": "alice", "email": "@example.com"}),
            "email must be",
        ),
        (
            json!({"handle": "alice", "email": "a b@example.com"}),
            "email must be",
        ),
        (
            json!({"handle": "alice", "email": "a@example.com", "name": 1}),
            "name must be a string",
        ),
    ];
    for (body, want) in cases {
        let (status, got) = post(&env, "/api/v1/dogwatch/users", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {got}");
        assert!(first_error(&got).starts_with(want), "{body} → {got}");
    }
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/dogwatch/users")
        .header("content-type", "application/json")
        .header("DD-APPLICATION-KEY", APP_KEY)
        .body(Body::from("[1]"))
        .expect("request");
    let (status, got) = send(&env, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(first_error(&got), "the body must be a JSON object");
    let (_, list) = get(&env, "/api/v1/dogwatch/users").await;
    assert_eq!(
        list["users"].as_array().map(Vec::len),
        Some(1),
        "only the test's own admin: {list}"
    );
}

#[tokio::test]
async fn webhooks_are_validated_and_managed() {
    let env = env();
    let cases = [
        (json!({"url": "http://x"}), "name is required"),
        (json!({"name": "a b", "url": "http://x"}), "name must be"),
        (json!({"name": "ops"}), "url is required"),
        (
            json!({"name": "ops", "url": "ftp://example.com/x"}),
            "url must start with http:// or https://",
        ),
        (
            json!({"name": "ops", "url": "not a url"}),
            "url is not a URL",
        ),
        (
            json!({"name": "ops", "url": "http://example.com", "slack_compatible": "yes"}),
            "slack_compatible must be true or false",
        ),
    ];
    for (body, want) in cases {
        let (status, got) = post(&env, "/api/v1/dogwatch/webhooks", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {got}");
        assert!(first_error(&got).starts_with(want), "{body} → {got}");
    }

    let (status, created) = post(&env, "/api/v1/dogwatch/webhooks", json!({"name": "slack-ops", "url": "https://hooks.example.com/T1/B2", "slack_compatible": true}))
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    post(
        &env,
        "/api/v1/dogwatch/webhooks",
        json!({"name": "pager", "url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    let (_, list) = get(&env, "/api/v1/dogwatch/webhooks").await;
    assert_eq!(
        list,
        json!({"webhooks": [
            {"name": "pager", "url": "http://127.0.0.1:9/hook", "slack_compatible": false},
            {"name": "slack-ops", "url": "https://hooks.example.com/T1/B2", "slack_compatible": true},
        ]})
    );
    let (status, body) = call(
        &env,
        Method::DELETE,
        "/api/v1/dogwatch/webhooks/pager",
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"deleted_webhook": "pager"}))
    );
    let (status, body) = call(
        &env,
        Method::DELETE,
        "/api/v1/dogwatch/webhooks/pager",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error(&body), "No webhook pager");
}

#[tokio::test]
async fn a_wrong_application_key_is_refused() {
    let env = env();
    let req = Request::builder()
        .uri("/api/v1/dogwatch/users")
        .header("DD-APPLICATION-KEY", format!("{APP_KEY}-wrong"))
        .body(Body::empty())
        .expect("request");
    let (status, _) = send(&env, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn note(key: &str, channel: Channel, target: &str) -> NewNotification {
    NewNotification {
        dedupe_key: key.to_owned(),
        channel,
        target: target.to_owned(),
        subject: format!("subject {key}"),
        body: format!("body {key}"),
        payload: Some(json!({"key": key}).to_string()),
        snapshot_id: None,
    }
}

#[tokio::test]
async fn the_outbox_lists_latest_first_and_enqueue_is_idempotent() {
    let env = env();
    let store = &env.state.store;
    let first = vec![
        note("k1", Channel::Email, "a@example.com"),
        note("k2", Channel::Webhook, "ops"),
    ];
    assert_eq!(store.enqueue(first.clone()).await.expect("enqueue"), 2);
    assert_eq!(store.enqueue(first).await.expect("enqueue"), 0);
    assert_eq!(
        store
            .enqueue(vec![
                note("k2", Channel::Webhook, "ops"),
                note("k3", Channel::Inbox, "alice")
            ])
            .await
            .expect("enqueue"),
        1
    );

    let (status, body) = get(&env, "/api/v1/dogwatch/notifications").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = body["notifications"].as_array().expect("list");
    let keys: Vec<&str> = list
        .iter()
        .filter_map(|n| n["dedupe_key"].as_str())
        .collect();
    assert_eq!(keys, ["k3", "k2", "k1"]);
    let k2 = &list[1];
    assert_eq!(k2["channel"], "webhook");
    assert_eq!(k2["target"], "ops");
    assert_eq!(k2["subject"], "subject k2");
    assert_eq!(k2["payload"], json!({"key": "k2"}));
    assert_eq!(k2["state"], "pending");
    assert_eq!(k2["attempts"], 0);
    assert_eq!(k2["last_error"], Value::Null);
    assert_eq!(k2["sent_ms"], Value::Null);
    assert!(k2["next_attempt_ms"].as_i64().is_some(), "{k2}");

    let (_, sent) = get(&env, "/api/v1/dogwatch/notifications?state=sent").await;
    assert_eq!(sent, json!({"notifications": []}));
    let (_, limited) = get(&env, "/api/v1/dogwatch/notifications?limit=1").await;
    assert_eq!(limited["notifications"].as_array().map(Vec::len), Some(1));
    let (status, bad) = get(&env, "/api/v1/dogwatch/notifications?state=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        first_error(&bad),
        "state must be pending, sent or failed, got `lost`"
    );
    let (status, bad) = get(&env, "/api/v1/dogwatch/notifications?limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        first_error(&bad).starts_with("limit must be between 1 and"),
        "{bad}"
    );
}

#[tokio::test]
async fn inbox_of_an_unknown_user_is_404_and_settings_say_smtp_is_off() {
    let env = env();
    let (status, body) = get(&env, "/api/v1/dogwatch/inbox/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(first_error(&body), "No user @nobody");
    post(
        &env,
        "/api/v1/dogwatch/users",
        json!({"handle": "carol", "email": "carol@example.com"}),
    )
    .await;
    let (status, body) = get(&env, "/api/v1/dogwatch/inbox/carol").await;
    assert_eq!(
        (status, body),
        (
            StatusCode::OK,
            json!({"handle": "carol", "messages": [], "unread": 0})
        )
    );

    let (status, body) = get(&env, "/api/v1/dogwatch/settings").await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"smtp": {"configured": false}}))
    );
}
