//! Posting events (`POST /api/v1/events`, as datadogpy's `api.Event.create` does, with the API
//! key): the event in the stream and by id, follow-ups by `related_event_id`, one notification per
//! @mention committed with the event, and every problem of a bad event at once.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::{API_KEY, Env, env, get, get_app, now_secs, post, send};

async fn post_event(env: &Env, body: Value) -> (StatusCode, Value) {
    let req = Request::post("/api/v1/events")
        .header("DD-API-KEY", API_KEY)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    send(env, req).await
}

#[tokio::test]
async fn a_posted_event_is_in_the_stream_and_notifies_its_mentions_once() {
    let env = env();
    let (status, _) = post(
        &env,
        "/api/v1/dogwatch/users",
        json!({"handle": "carol", "name": "Carol", "email": "carol@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = "Deploy 42 done <img src=x onerror=alert(1)> @carol @ops@example.com";
    let (status, posted) = post_event(
        &env,
        json!({"title": "Deploy", "text": text, "tags": ["env:prod"], "alert_type": "success",
               "host": "web-1", "source_type_name": "deploys"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{posted}");
    assert_eq!(posted["status"], "ok");
    let event = &posted["event"];
    let id = event["id"].as_i64().expect("id");
    assert_eq!(
        (
            &event["title"],
            &event["text"],
            &event["tags"],
            &event["alert_type"]
        ),
        (
            &json!("Deploy"),
            &json!(text),
            &json!(["env:prod"]),
            &json!("success")
        )
    );
    assert_eq!(
        (&event["host"], &event["priority"]),
        (&json!("web-1"), &json!("normal"))
    );
    assert_eq!(event["source_type_name"], "deploys");

    let (status, one) = get_app(&env, &format!("/api/v1/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["event"], *event);
    let now = now_secs();
    let (_, list) = get_app(
        &env,
        &format!("/api/v1/events?start={}&end={}", now - 60, now + 60),
    )
    .await;
    assert_eq!(list["events"][0]["id"], id, "{list}");

    // Carol's inbox message and the mail are queued once each, the text as it was sent (plain
    // text: never HTML on any channel).
    let (_, outbox) = get(&env, "/api/v1/dogwatch/notifications").await;
    let inbox = outbox["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .find(|n| n["channel"] == "inbox")
        .expect("an inbox notification");
    assert_eq!(
        (&inbox["target"], &inbox["subject"], &inbox["body"]),
        (&json!("carol"), &json!("Deploy"), &json!(text))
    );
    let targets: Vec<&str> = outbox["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["target"].as_str())
        .collect();
    assert_eq!(
        targets.iter().filter(|t| **t == "ops@example.com").count(),
        1,
        "{outbox}"
    );
    assert_eq!(
        targets.iter().filter(|t| **t == "carol").count(),
        1,
        "{outbox}"
    );

    // A follow-up names the event it follows.
    let (status, reply) = post_event(
        &env,
        json!({"title": "Re: Deploy", "text": "rolled back", "related_event_id": id}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{reply}");
    assert_eq!(reply["event"]["related_event_id"], id);
    let (status, err) =
        post_event(&env, json!({"title": "Re", "related_event_id": id + 1000})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err["errors"][0],
        format!("related_event_id {}: there is no such event", id + 1000)
    );
}

#[tokio::test]
async fn a_bad_event_is_refused_with_every_problem_and_only_with_a_key() {
    let env = env();
    let (status, err) = post_event(
        &env,
        json!({"text": "x".repeat(4001), "alert_type": "panic", "priority": "high"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err["errors"],
        json!([
            "title is required",
            "text is longer than 4000 characters",
            "alert_type must be one of error, warning, info, success, user_update, recommendation, snapshot, not 'panic'",
            "priority must be normal or low, not 'high'"
        ])
    );
    let req = Request::post("/api/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"title": "x"}).to_string()))
        .expect("request");
    let (status, err) = send(&env, req).await;
    assert_eq!(
        (status, err),
        (StatusCode::FORBIDDEN, json!({"errors": ["Forbidden"]}))
    );
    let (status, _) = get_app(&env, "/api/v1/events/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
