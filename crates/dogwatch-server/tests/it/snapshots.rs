//! Snapshots: the server freezes a graph (its answers are never evaluated again), draws its PNG,
//! shares it with its @mentions (inbox, mail to the user's address, webhook with its links) and
//! keeps its comments as events related to the one that shared it. Who may read, delete and
//! comment; expiry; `api.Graph.create`'s GET; and a comment's mail sent exactly once across a
//! restart of the real binary, with the picture inline.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use dogwatch_core::wire::Role;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::accounts::{browser, exchange_app};
use crate::support::real_server::{http, raw_http};
use crate::support::smtp::{free_port, mails, start_dogwatch, start_smtp};
use crate::support::{APP_KEY, Env, call, env, env_in, feed_gauge, get, get_app, now_secs, post};

/// The first colour of the classic palette, which the first series gets.
const LINE: [u8; 3] = [63, 127, 224];

fn is_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A snapshot body for `q` over the last `secs` seconds.
fn body(q: &str, secs: i64, message: &str, public: bool) -> Value {
    let now = now_secs();
    json!({
        "title": "my_metric right now",
        "message": message,
        "definition": {"type": "timeseries", "requests": [{"q": q, "display_type": "line"}]},
        "from_ms": (now - secs) * 1000,
        "to_ms": now * 1000,
        "public": public,
    })
}

/// Takes a snapshot as the admin; its JSON.
async fn take(env: &Env, body: Value) -> Value {
    let (status, snap) = post(env, "/api/v1/dogwatch/snapshots", body).await;
    assert_eq!(status, StatusCode::CREATED, "{snap}");
    snap
}

/// A GET without any credential: status, content type and bytes.
async fn anonymous_get(env: &Env, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::get(uri)
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .expect("request");
    raw(env, req).await
}

/// A snapshot's picture, asked for with the application key.
async fn picture_of(env: &Env, id: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(format!("/api/v1/dogwatch/snapshot/view/{id}.png"))
        .header("DD-APPLICATION-KEY", APP_KEY)
        .body(Body::empty())
        .expect("request");
    let (status, _, bytes) = raw(env, req).await;
    (status, bytes)
}

async fn raw(env: &Env, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res = dogwatch_server::app(env.state.clone())
        .oneshot(req)
        .await
        .expect("response");
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, kind, bytes.to_vec())
}

/// A PNG's size and its RGB pixels.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let pixels = buf[..info.buffer_size()]
        .chunks(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, pixels)
}

fn count_near(pixels: &[[u8; 3]], color: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| {
            p.iter()
                .zip(color)
                .map(|(a, b)| u32::from(a.abs_diff(b)))
                .sum::<u32>()
                <= 30
        })
        .count()
}

fn values(snap: &Value) -> Vec<f64> {
    snap["answers"][0]["series"][0]["pointlist"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p[1].as_f64())
        .collect()
}

#[tokio::test]
async fn a_snapshot_is_frozen_drawn_and_shared_with_its_mentions() {
    let env = env();
    env.user("carol", Role::Standard).await;
    let now = now_secs();
    feed_gauge(&env, "my_metric", "", now - 600, now, 10.0).await;
    let message = "@carol look at this <img src=x onerror=alert(1)>";
    let snap = take(&env, body("avg:my_metric{*}", 300, message, false)).await;
    let id = snap["id"].as_str().expect("id").to_owned();
    assert!(is_id(&id), "{id}");
    assert_eq!(snap["url"], format!("/snapshot/{id}"));
    assert_eq!(
        snap["png_url"],
        format!("/api/v1/dogwatch/snapshot/view/{id}.png")
    );
    assert_eq!(
        (&snap["sender"]["handle"], &snap["message"], &snap["public"]),
        (&json!("root"), &json!(message), &json!(false))
    );
    assert_eq!(snap["comments"], json!([]));
    assert!(!values(&snap).is_empty() && values(&snap).iter().all(|v| *v == 10.0));
    let (status, picture) = picture_of(&env, &id).await;
    assert_eq!(status, StatusCode::OK);
    let (w, h, pixels) = decode_png(&picture);
    assert_eq!((w, h), (600, 300));
    assert!(count_near(&pixels, LINE) > 200, "the line in the picture");

    // New points for the same window: the query answers them, the snapshot does not.
    feed_gauge(&env, "my_metric", "", now - 600, now, 99.0).await;
    let (_, live) = get_app(
        &env,
        &format!(
            "/api/v1/query?from={}&to={now}&query=avg:my_metric{{*}}",
            now - 300
        ),
    )
    .await;
    assert!(
        live["series"][0]["pointlist"][0][1].as_f64() == Some(99.0),
        "{live}"
    );
    let (status, again) = get(&env, &format!("/api/v1/dogwatch/snapshots/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["answers"], snap["answers"]);
    let (_, picture_again) = picture_of(&env, &id).await;
    assert_eq!(picture_again, picture, "the picture does not change");

    // @carol: her inbox and her address, once each, with the snapshot's link; text stays text.
    let (_, outbox) = get(&env, "/api/v1/dogwatch/notifications").await;
    let notes = outbox["notifications"].as_array().expect("notifications");
    let mut targets: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["channel"].as_str().unwrap_or_default(),
                n["target"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        [("email", "carol@example.com"), ("inbox", "carol")]
    );
    for n in notes {
        assert_eq!(n["subject"], "my_metric right now");
        assert_eq!(
            n["body"],
            format!("{message}\n\nSnapshot: http://localhost/snapshot/{id}")
        );
    }

    // The event stream: the snapshot is an event with its picture and author.
    let (_, events) = get_app(
        &env,
        &format!("/api/v1/events?start={}&end={}", now - 60, now + 60),
    )
    .await;
    let event = &events["events"][0];
    assert_eq!(
        (
            &event["alert_type"],
            &event["snapshot_id"],
            &event["author"]
        ),
        (&json!("snapshot"), &json!(id), &json!("root"))
    );
    assert_eq!(event["id"], snap["event_id"]);
}

#[tokio::test]
async fn comments_thread_under_the_snapshot_and_notify_with_its_links() {
    let env = env();
    env.user("carol", Role::Standard).await;
    let (status, _) = post(
        &env,
        "/api/v1/dogwatch/webhooks",
        json!({"name": "ops", "url": "http://127.0.0.1:9/hook", "slack_compatible": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let snap = take(&env, body("avg:my_metric{*}", 300, "", false)).await;
    let id = snap["id"].as_str().expect("id").to_owned();
    let text = "<img src=x onerror=alert(1)> [see](javascript:alert(1)) @carol @webhook-ops";
    let carol = env.session_for("carol", Role::Standard).await;
    let (status, _, comment) = exchange_app(
        &env,
        browser(
            Method::POST,
            &format!("/api/v1/dogwatch/snapshots/{id}/comments"),
            Some(&carol),
            Some(json!({"text": text})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["author"]["handle"], "carol");

    // A reply posted with the API key (`api.Event.create(related_event_id=…)`) joins the thread.
    let reply = Request::post("/api/v1/events")
        .header("DD-API-KEY", crate::support::API_KEY)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"title": "Re", "text": "from a script", "related_event_id": snap["event_id"]})
                .to_string(),
        ))
        .expect("request");
    let (status, posted) = crate::support::send(&env, reply).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{posted}");
    assert_eq!(posted["event"]["snapshot_id"], id);

    let (_, got) = get(&env, &format!("/api/v1/dogwatch/snapshots/{id}")).await;
    let comments = got["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 2, "{got}");
    assert_eq!(
        (&comments[0]["text"], &comments[0]["author"]["handle"]),
        (&json!(text), &json!("carol"))
    );
    assert_eq!(
        (&comments[1]["text"], &comments[1]["author"]),
        (&json!("from a script"), &Value::Null)
    );

    // The webhook's JSON names the page and the picture; the text is a JSON string as written.
    let (_, outbox) = get(&env, "/api/v1/dogwatch/notifications").await;
    let hook = outbox["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .find(|n| n["channel"] == "webhook")
        .expect("a webhook notification")
        .clone();
    assert_eq!(
        (
            &hook["payload"]["snapshot_url"],
            &hook["payload"]["snapshot_png_url"]
        ),
        (
            &json!(format!("http://localhost/snapshot/{id}")),
            &json!(format!(
                "http://localhost/api/v1/dogwatch/snapshot/view/{id}.png"
            ))
        )
    );
    assert_eq!(
        hook["payload"]["body"],
        format!("{text}\n\nSnapshot: http://localhost/snapshot/{id}")
    );
    let carol_mails = outbox["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["target"] == "carol@example.com")
        .count();
    assert_eq!(carol_mails, 1, "{outbox}");

    // Empty and oversized comments are refused, naming the problem.
    let (status, err) = post(
        &env,
        &format!("/api/v1/dogwatch/snapshots/{id}/comments"),
        json!({"text": "  "}),
    )
    .await;
    assert_eq!(
        (status, &err["errors"][0]),
        (StatusCode::BAD_REQUEST, &json!("text is required"))
    );
}

#[tokio::test]
async fn who_may_read_delete_and_how_long_a_snapshot_lives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = env_in(dir.path());
    let carol = env.session_for("carol", Role::Standard).await;
    let dave = env.session_for("dave", Role::Standard).await;
    let reader = env.session_for("rita", Role::ReadOnly).await;

    let (status, _, private) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dogwatch/snapshots",
            Some(&carol),
            Some(body("avg:my_metric{*}", 300, "private note @dave", false)),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{private}");
    let id = private["id"].as_str().expect("id").to_owned();
    let page = format!("/api/v1/dogwatch/snapshots/{id}");
    let png = format!("/api/v1/dogwatch/snapshot/view/{id}.png");

    // Nobody signed in: refused; a read-only user reads it all but may not delete it.
    assert_eq!(anonymous_get(&env, &page).await.0, StatusCode::FORBIDDEN);
    assert_eq!(anonymous_get(&env, &png).await.0, StatusCode::FORBIDDEN);
    let (status, _, seen) =
        exchange_app(&env, browser(Method::GET, &page, Some(&reader), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["message"], "private note @dave");
    assert_eq!(seen["can_delete"], false);
    let (status, _, _) =
        exchange_app(&env, browser(Method::DELETE, &page, Some(&dave), None)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A public one: anyone with the link gets the graph and the title, not who or what was said.
    let mut public_body = body("avg:my_metric{*}", 300, "public note @dave", true);
    public_body["expires"] = json!("1h");
    let (status, _, public) = exchange_app(
        &env,
        browser(
            Method::POST,
            "/api/v1/dogwatch/snapshots",
            Some(&carol),
            Some(public_body),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    let public_id = public["id"].as_str().expect("id").to_owned();
    let (status, _, bytes) =
        anonymous_get(&env, &format!("/api/v1/dogwatch/snapshots/{public_id}")).await;
    assert_eq!(status, StatusCode::OK);
    let view: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(view["title"], "my_metric right now");
    for hidden in ["sender", "message", "comments", "event_id"] {
        assert!(view.get(hidden).is_none(), "{hidden} in {view}");
    }
    assert!(!String::from_utf8_lossy(&bytes).contains("dave"));
    let (status, kind, _) = anonymous_get(
        &env,
        &format!("/api/v1/dogwatch/snapshot/view/{public_id}.png"),
    )
    .await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert!(public["expires_ms"].as_i64().is_some_and(|t| {
        let in_an_hour = public["created_ms"].as_i64().unwrap_or_default() + 3_600_000;
        t == in_an_hour
    }));

    // Its sender deletes it: gone for everyone, with its events.
    let (status, _, deleted) =
        exchange_app(&env, browser(Method::DELETE, &page, Some(&carol), None)).await;
    assert_eq!(
        (status, &deleted["deleted_snapshot_id"]),
        (StatusCode::OK, &json!(id))
    );
    assert_eq!(get(&env, &page).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&env, Method::GET, &png, None).await.0,
        StatusCode::NOT_FOUND
    );
    let now = now_secs();
    let (_, events) = get_app(
        &env,
        &format!("/api/v1/events?start={}&end={}", now - 60, now + 60),
    )
    .await;
    let shared: Vec<&Value> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e.get("snapshot_id"))
        .collect();
    assert_eq!(shared, [&json!(public_id)], "{events}");

    // Past its expiry, the public one is gone too (its time moved back, as an hour passing would).
    let db = rusqlite::Connection::open(dir.path().join("db.sqlite3")).expect("db");
    db.execute("UPDATE snapshots SET expires_ms = 1", [])
        .expect("expire");
    let public_page = format!("/api/v1/dogwatch/snapshots/{public_id}");
    assert_eq!(
        anonymous_get(&env, &public_page).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&env, &public_page).await.0, StatusCode::NOT_FOUND);

    // Unknown and malformed ids, and bad bodies.
    for bad in ["0123456789abcdef0123456789abcdef", "../etc", "ZZ"] {
        let (status, err) = get(&env, &format!("/api/v1/dogwatch/snapshots/{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {err}");
    }
    let mut wrong = body("avg:my_metric{*}", 300, "", false);
    wrong["definition"]["type"] = json!("query_value");
    wrong["expires"] = json!("2w");
    wrong["to_ms"] = wrong["from_ms"].clone();
    let (status, err) = post(&env, "/api/v1/dogwatch/snapshots", wrong).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["errors"].as_array().map(Vec::len), Some(3), "{err}");
    let (status, err) = post(
        &env,
        "/api/v1/dogwatch/snapshots",
        body("avg:my_metric{*", 300, "", false),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        err["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("definition.requests[0].q: ")),
        "{err}"
    );
}

#[tokio::test]
async fn graph_create_answers_a_public_png_of_the_size_asked() {
    let env = env();
    let now = now_secs();
    feed_gauge(&env, "my_metric", "", now - 3600, now, 5.0).await;
    let (status, answer) = get_app(
        &env,
        &format!(
            "/api/v1/graph/snapshot?metric_query=avg:my_metric%7B*%7D&start={}&end={now}&width=500&height=250",
            now - 3600
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["metric_query"], "avg:my_metric{*}");
    let url = answer["snapshot_url"].as_str().expect("url");
    let path = url.strip_prefix("http://localhost").expect("absolute");
    let id = path
        .split("/snapshot/view/")
        .nth(1)
        .and_then(|p| p.strip_suffix(".png"))
        .expect("datadogpy's shape");
    assert!(is_id(id), "{id}");
    let (status, kind, png) = anonymous_get(&env, path).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    let (w, h, pixels) = decode_png(&png);
    assert_eq!((w, h), (500, 250));
    assert!(count_near(&pixels, LINE) > 100);
    let (status, done) = get_app(&env, &format!("/api/v1/graph/snapshot_status/{id}")).await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"status_code": 200}))
    );

    // A legacy graph definition instead of a query.
    let def = r#"{"viz":"timeseries","requests":[{"q":"avg:my_metric{*}","type":"bars"}]}"#;
    let (status, answer) = get_app(
        &env,
        &format!(
            "/api/v1/graph/snapshot?graph_def={}&start={}&end={now}",
            url::form_urlencoded::byte_serialize(def.as_bytes()).collect::<String>(),
            now - 600
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["graph_def"], def);

    for (query, want) in [
        (
            format!("metric_query=m&end={now}"),
            "missing required parameter `start`",
        ),
        (format!("metric_query=m&start={now}&end={now}"), "start ("),
        (
            format!("metric_query=m&start=1&end={now}&width=5000"),
            "parameter `width` must be a whole number of pixels from 100 to 2000",
        ),
        (
            format!("graph_def=%7Bnope&start=1&end={now}"),
            "graph_def: not valid JSON",
        ),
    ] {
        let (status, err) = get_app(&env, &format!("/api/v1/graph/snapshot?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert!(
            err["errors"][0]
                .as_str()
                .is_some_and(|e| e.starts_with(want)),
            "{query}: {err}"
        );
    }
}

#[test]
fn a_comment_mailed_across_a_restart_arrives_once_with_the_picture_inline() {
    let data = tempfile::tempdir().expect("tempdir");
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let smtp_port = free_port();
    // SMTP is down at first.
    let server = start_dogwatch(data.path(), smtp_port, &[]);
    let (status, _) = http(
        &server.http,
        "POST",
        "/api/v1/dogwatch/users",
        Some(&json!({"handle": "carol", "name": "Carol", "email": "carol@example.com"})),
    );
    assert_eq!(status, 200);
    let now = now_secs();
    let points: Vec<Value> = (0..20).map(|i| json!([now - 300 + i * 15, 42.0])).collect();
    let (status, _) = raw_http(
        &server.http,
        ("k", None),
        "POST",
        "/api/v1/series",
        &json!({"series": [{"metric": "my_metric", "points": points, "type": "gauge"}]})
            .to_string(),
    );
    assert_eq!(status, 202);
    let (status, snap) = http(
        &server.http,
        "POST",
        "/api/v1/dogwatch/snapshots",
        Some(&body("avg:my_metric{*}", 300, "", false)),
    );
    assert_eq!(status, 201, "{snap}");
    let id = snap["id"].as_str().expect("id").to_owned();
    let text = "@carol <img src=x onerror=alert(1)> see javascript:alert(1)";
    let (status, comment) = http(
        &server.http,
        "POST",
        &format!("/api/v1/dogwatch/snapshots/{id}/comments"),
        Some(&json!({"text": text})),
    );
    assert_eq!(status, 201, "{comment}");
    let mail_to_carol = |list: &Value| -> Value {
        list["notifications"]
            .as_array()
            .and_then(|l| l.iter().find(|n| n["target"] == "carol@example.com"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while mail_to_carol(&http(&server.http, "GET", "/api/v1/dogwatch/notifications", None).1)
        ["attempts"]
        .as_u64()
        .is_none_or(|a| a < 1)
    {
        assert!(Instant::now() < deadline, "never attempted");
        std::thread::sleep(Duration::from_millis(100));
    }

    drop(server);
    let _smtp = start_smtp(mail_dir.path(), smtp_port);
    let server = start_dogwatch(data.path(), smtp_port, &[]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while mail_to_carol(&http(&server.http, "GET", "/api/v1/dogwatch/notifications", None).1)["state"]
        != "sent"
    {
        assert!(Instant::now() < deadline, "never sent");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(800));
    let got = mails(mail_dir.path());
    assert_eq!(got.len(), 1, "exactly one mail: {got:#?}");
    assert_eq!(got[0]["rcpt_tos"], json!(["carol@example.com"]));
    let raw = got[0]["content"].as_str().expect("content");
    let parts = crate::support::smtp::mime_parts(raw);
    let kinds: Vec<&str> = parts.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["text/plain", "text/html", "image/png"], "{raw}");
    let plain = String::from_utf8_lossy(&parts[0].body);
    assert!(plain.starts_with(text), "{plain}");
    let html = String::from_utf8_lossy(&parts[1].body);
    assert!(html.contains("src=\"cid:graph\""), "{html}");
    assert!(
        !html.contains("<img src=x") && !html.contains("href"),
        "user text stays text: {html}"
    );
    assert!(html.contains("&lt;img&#32;src&#61;x"), "{html}");
    assert_eq!(parts[2].content_id.as_deref(), Some("<graph>"));
    let (w, h, pixels) = decode_png(&parts[2].body);
    assert_eq!((w, h), (600, 300));
    assert!(
        count_near(&pixels, LINE) > 200,
        "the graph's line in the mailed picture"
    );
}
