//! Downtimes through the API (v1 and v2 shapes, validation, cancel by scope) and in the evaluator:
//! a monitor alerting inside a downtime records its transition but sends no mail (real aiosmtpd);
//! the downtime's end re-notifies it exactly once, with injected times and across a restart of the
//! real binary.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use dogwatch_server::delivery::{self, DeliveryConfig};
use dogwatch_server::evaluator::run_cycle;
use serde_json::{Value, json};

use crate::support::real_server::http;
use crate::support::smtp::{
    self, free_port, smtp_config, start_dogwatch, start_smtp, subject_and_body,
};
use crate::support::{
    call_app, create_monitor, env, eventually, feed_gauge, get_app, now_secs, post_app,
};

fn mails(dir: &Path) -> Vec<(String, String)> {
    let mut all: Vec<(f64, String, String)> = smtp::mails(dir)
        .iter()
        .map(|m| {
            let (s, b) = subject_and_body(m["content"].as_str().expect("content"));
            (m["at"].as_f64().unwrap_or(0.0), s, b)
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    all.into_iter().map(|(_, s, b)| (s, b)).collect()
}

const MONITOR: &str = "avg(last_5m):avg:dt.metric{host:ubuntu} > 800";

#[tokio::test]
async fn v2_round_trips_and_v1_says_what_is_wrong() {
    let env = env();
    let monitor = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "m", "query": MONITOR, "message": "x"}),
    )
    .await;
    let body = json!({"data": {"type": "downtime", "attributes": {
        "scope": "env:prod AND host:ubuntu",
        "monitor_identifier": {"monitor_id": monitor},
        "display_timezone": "Europe/Paris",
        "message": "Nights @oncall",
        "notify_end_types": ["expired", "canceled"],
        "notify_end_states": ["alert", "warn"],
        "mute_first_recovery_notification": true,
        "schedule": {"timezone": "Europe/Paris", "recurrences": [
            {"start": "2026-10-19T19:00", "duration": "14h", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
            {"start": "2026-10-24T00:00", "duration": "1d", "rrule": "FREQ=WEEKLY;BYDAY=SA,SU"}
        ]}
    }}});
    let (status, made) = post_app(&env, "/api/v2/downtime", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let id = made["data"]["id"].as_str().expect("id").to_owned();
    let (status, got) = get_app(&env, &format!("/api/v2/downtime/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["data"]["type"], "downtime");
    let a = &got["data"]["attributes"];
    for member in [
        "scope",
        "monitor_identifier",
        "display_timezone",
        "message",
        "notify_end_types",
        "notify_end_states",
        "mute_first_recovery_notification",
    ] {
        assert_eq!(
            a[member], body["data"]["attributes"][member],
            "{member}: {got}"
        );
    }
    assert_eq!(
        a["schedule"]["recurrences"],
        body["data"]["attributes"]["schedule"]["recurrences"]
    );
    assert_eq!(a["schedule"]["timezone"], "Europe/Paris");
    assert!(
        a["schedule"]["current_downtime"]["start"].is_string(),
        "{got}"
    );
    assert!(["active", "scheduled"].contains(&a["status"].as_str().unwrap_or("")));
    assert_eq!(
        got["data"]["relationships"]["monitor"]["data"]["id"],
        monitor.to_string()
    );
    assert_eq!(
        got["data"]["relationships"]["created_by"]["data"]["id"],
        "dogwatch"
    );

    // PATCH changes what it is sent.
    let (status, patched) = call_app(
        &env,
        Method::PATCH,
        &format!("/api/v2/downtime/{id}"),
        Some(json!({"data": {"type": "downtime", "id": id, "attributes": {"message": "changed"}}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["data"]["attributes"]["message"], "changed");
    assert_eq!(
        patched["data"]["attributes"]["scope"],
        "env:prod AND host:ubuntu"
    );

    // The same downtime in v1's shape (its first recurrence); a v1 update of its message leaves
    // both recurrences as they were.
    let (_, v1) = get_app(&env, &format!("/api/v1/downtime/{id}")).await;
    assert_eq!(v1["scope"], json!(["env:prod", "host:ubuntu"]));
    assert_eq!(v1["recurrence"]["type"], "rrule");
    assert_eq!(v1["monitor_id"], monitor);
    let (status, put) = call_app(
        &env,
        Method::PUT,
        &format!("/api/v1/downtime/{id}"),
        Some(json!({"message": "from v1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{put}");
    let (_, after) = get_app(&env, &format!("/api/v2/downtime/{id}")).await;
    assert_eq!(after["data"]["attributes"]["message"], "from v1");
    assert_eq!(
        after["data"]["attributes"]["schedule"]["recurrences"],
        body["data"]["attributes"]["schedule"]["recurrences"]
    );

    // And the other way: a v2 update of a v1 downtime's message keeps its v1 recurrence.
    let (_, weekly) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"scope": "*", "start": 1_792_429_200, "end": 1_792_479_600, "timezone": "Europe/Paris",
               "recurrence": {"type": "weeks", "period": 1, "week_days": ["Mon", "Fri"]}}),
    )
    .await;
    let weekly_id = weekly["id"].as_i64().expect("id");
    let (status, _) = call_app(
        &env,
        Method::PATCH,
        &format!("/api/v2/downtime/{weekly_id}"),
        Some(json!({"data": {"type": "downtime", "attributes": {"message": "from v2"}}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, again) = get_app(&env, &format!("/api/v1/downtime/{weekly_id}")).await;
    assert_eq!(again["message"], "from v2");
    assert_eq!(again["recurrence"], weekly["recurrence"]);

    // v1's validation, every problem at once.
    let (status, err) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"scope": "*", "start": 1_792_000_000, "end": 1_792_050_400,
               "recurrence": {"type": "weeks", "week_days": ["mon"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err,
        json!({"errors": ["Invalid set of days in week_days. Be sure that the first letter is capitalized."]})
    );
    let (status, err) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"start": 10, "end": 5, "timezone": "Nowhere/City", "monitor_id": 999}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["errors"].as_array().map(Vec::len), Some(3), "{err}");
    let (status, err) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"scope": "*", "monitor_id": 999}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(
        err["errors"][0],
        "monitor_id 999: there is no such monitor."
    );
    let (status, err) = post_app(
        &env,
        "/api/v2/downtime",
        json!({"data": {"type": "downtime", "attributes": {"scope": "env:a OR env:b",
            "monitor_identifier": {"monitor_tags": ["*"]}}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(
        err["errors"][0].as_str().unwrap_or("").contains("OR"),
        "{err}"
    );
    let (status, _) = get_app(&env, "/api/v1/downtime/12345").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cancel_by_id_and_by_scope_and_list_the_current_ones() {
    let env = env();
    let now = now_secs();
    let mut ids = Vec::new();
    for (scope, start) in [
        ("env:prod", now - 60),
        ("env:prod,host:a", now - 60),
        ("env:dev", now + 3600),
    ] {
        let (status, d) = post_app(
            &env,
            "/api/v1/downtime",
            json!({"scope": scope, "start": start, "end": now + 7200}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{d}");
        assert_eq!(d["creator"], "dogwatch");
        ids.push(d["id"].as_i64().expect("id"));
    }
    let (_, current) = get_app(&env, "/api/v1/downtime?current_only=true").await;
    let active: Vec<i64> = current
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["id"].as_i64())
        .collect();
    assert_eq!(active, ids[..2]);
    let (_, all) = get_app(&env, "/api/v2/downtime").await;
    assert_eq!(all["meta"]["page"]["total_filtered_count"], 3);
    // A monitor lists the downtimes that apply to it (no monitor_tags: every monitor), active
    // first: what the monitor list's muted badge reads.
    let monitor = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "m", "query": MONITOR, "message": "x"}),
    )
    .await;
    let (_, m) = get_app(&env, &format!("/api/v1/monitor/{monitor}")).await;
    let matching = m["matching_downtimes"]
        .as_array()
        .expect("matching_downtimes");
    assert_eq!(matching.len(), 3, "{m}");
    assert_eq!(
        (
            &matching[0]["id"],
            &matching[0]["active"],
            &matching[0]["scope"]
        ),
        (&json!(ids[0]), &json!(true), &json!(["env:prod"]))
    );
    assert_eq!(
        (&matching[2]["id"], &matching[2]["active"]),
        (&json!(ids[2]), &json!(false))
    );

    let (status, body) = call_app(
        &env,
        Method::DELETE,
        &format!("/api/v1/downtime/{}", ids[2]),
        None,
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, d) = get_app(&env, &format!("/api/v2/downtime/{}", ids[2])).await;
    assert_eq!(d["data"]["attributes"]["status"], "canceled");
    assert!(d["data"]["attributes"]["canceled"].is_string());

    let (status, res) = post_app(
        &env,
        "/api/v1/downtime/cancel/by_scope",
        json!({"scope": "env:prod"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{res}");
    assert_eq!(res, json!({"cancelled_ids": [ids[0], ids[1]]}));
    let (status, _) = post_app(
        &env,
        "/api/v1/downtime/cancel/by_scope",
        json!({"scope": "env:prod"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, current) = get_app(&env, "/api/v1/downtime?current_only=true").await;
    assert_eq!(current, json!([]));
    let (_, list) = get_app(&env, "/api/v1/monitor").await;
    assert_eq!(list[0]["matching_downtimes"], json!([]), "{list}");
}

/// `dt.metric{host:ubuntu}` = `value` every 15 s over `[from, to]`.
async fn feed(env: &crate::support::Env, from: i64, to: i64, value: f64) {
    feed_gauge(env, "dt.metric", "env:prod,host:ubuntu", from, to, value).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_inside_a_downtime_mails_nobody_until_it_expires_once() {
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _smtp = start_smtp(mail_dir.path(), port);
    let env = env();
    let monitor = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "dt high", "query": MONITOR,
               "message": "{{#is_alert}}dt is {{value}}{{/is_alert}} @someone@example.com"}),
    )
    .await;
    let t0 = (now_secs() / 60 - 60) * 60;
    let at = |secs: i64| (t0 + secs) * 1000;
    let (status, d) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"scope": ["host:ubuntu"], "monitor_id": monitor, "start": t0 + 100,
               "end": t0 + 1000, "message": "Maintenance @quiet@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let downtime = d["id"].as_i64().expect("id");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(delivery::run(
        env.state.store.clone(),
        DeliveryConfig::new(Some(smtp_config(port)), Duration::from_millis(150)),
        stop_rx,
    ));
    let store = &env.state.store;

    feed(&env, t0 - 300, t0, 300.0).await;
    let r = run_cycle(store, at(0)).await.expect("cycle");
    assert_eq!(r.transitions, 0, "{r:?}");
    // In the downtime: the alert is recorded, and only the downtime's start is told.
    feed(&env, t0 + 60, t0 + 1300, 900.0).await;
    let r = run_cycle(store, at(360)).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (1, 1), "{r:?}");
    let (_, events) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{monitor}/history")).await;
    let transition = &events["transitions"][0];
    assert_eq!(transition["to"], "Alert", "{events}");
    assert_eq!(transition["downtime_id"], downtime, "{events}");
    for secs in [420, 600, 900] {
        let r = run_cycle(store, at(secs)).await.expect("cycle");
        assert_eq!(r.committed.notifications, 0, "at {secs}: {r:?}");
    }
    // It expires with the group still in Alert: the alert is told now, and the end.
    let r = run_cycle(store, at(1000)).await.expect("cycle");
    assert_eq!(r.committed.notifications, 2, "{r:?}");
    let r = run_cycle(store, at(1000)).await.expect("cycle");
    assert_eq!(r.committed.notifications, 0, "{r:?}");
    let r = run_cycle(store, at(1060)).await.expect("cycle");
    assert_eq!(r.committed.notifications, 0, "{r:?}");

    let deadline = Instant::now() + Duration::from_secs(30);
    while mails(mail_dir.path()).len() < 3 {
        assert!(Instant::now() < deadline, "{:#?}", mails(mail_dir.path()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = mails(mail_dir.path());
    let subjects: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects.len(), 3, "{got:#?}");
    assert_eq!(
        subjects[0],
        format!("Downtime started: monitor {monitor}, scope host:ubuntu")
    );
    assert!(subjects[1..].contains(&"[Triggered] dt high"), "{got:#?}");
    assert!(
        subjects[1..]
            .contains(&format!("Downtime ended: monitor {monitor}, scope host:ubuntu").as_str()),
        "{got:#?}"
    );
    let alert = got
        .iter()
        .find(|(s, _)| s == "[Triggered] dt high")
        .expect("alert");
    assert!(alert.1.contains("dt is 900"), "{alert:?}");
    let _ = stop_tx.send(true);
    let _ = worker.await;
}

#[test]
fn a_restart_inside_a_downtime_neither_repeats_nor_loses_its_start_or_end() {
    let data = tempfile::tempdir().expect("tempdir");
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let smtp_port = free_port();
    let _smtp = start_smtp(mail_dir.path(), smtp_port);
    let server = start_dogwatch(data.path(), smtp_port, &["--eval-interval", "1"]);
    let (status, m) = http(
        &server.http,
        "POST",
        "/api/v1/monitor",
        Some(&json!({"type": "metric alert", "name": "restart dt",
            "query": "avg(last_5m):avg:rdt.metric{host:ubuntu} > 800",
            "message": "{{#is_alert}}alert {{value}}{{/is_alert}} @someone@example.com"})),
    );
    assert_eq!(status, 200, "{m}");
    let monitor = m["id"].as_i64().expect("id");
    let now = now_secs();
    let (status, d) = http(
        &server.http,
        "POST",
        "/api/v1/downtime",
        Some(
            &json!({"scope": "*", "monitor_id": monitor, "start": now, "end": now + 10,
            "message": "@quiet@example.com"}),
        ),
    );
    assert_eq!(status, 200, "{d}");
    let points: Vec<Value> = (0..6).map(|i| json!([now - 50 + i * 10, 900])).collect();
    let (status, res) = http(
        &server.http,
        "POST",
        "/api/v1/series",
        Some(
            &json!({"series": [{"metric": "rdt.metric", "points": points, "host": "ubuntu", "type": "gauge"}]}),
        ),
    );
    assert_eq!(status, 202, "{res}");
    let history = |server: &crate::support::real_server::RealServer| {
        http(
            &server.http,
            "GET",
            &format!("/api/v1/dogwatch/monitor/{monitor}/history"),
            None,
        )
        .1
    };
    eventually(20, "the alert, in downtime", || {
        history(&server)["overall_state"] == "Alert"
    });
    eventually(20, "the downtime's start mail", || {
        !mails(mail_dir.path()).is_empty()
    });
    drop(server);
    let server = start_dogwatch(data.path(), smtp_port, &["--eval-interval", "1"]);
    // After the end (now + 10), the alert and the end are told once each.
    eventually(30, "three mails", || mails(mail_dir.path()).len() >= 3);
    std::thread::sleep(Duration::from_secs(4));
    let got = mails(mail_dir.path());
    let subjects: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects.len(), 3, "{got:#?}");
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("Downtime started"))
            .count(),
        1
    );
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("Downtime ended"))
            .count(),
        1
    );
    assert_eq!(
        subjects
            .iter()
            .filter(|s| **s == "[Triggered] restart dt")
            .count(),
        1
    );
    // The alert, silenced; and its renotification when the downtime ended.
    let h = history(&server);
    let t = h["transitions"].as_array().expect("transitions");
    assert_eq!(t.len(), 2, "{h}");
    assert_eq!(
        (&t[0]["transition"], &t[0]["downtime_id"]),
        (&json!("trigger"), &d["id"])
    );
    assert_eq!(
        (&t[1]["transition"], &t[1]["downtime_id"]),
        (&json!("renotify"), &Value::Null)
    );
}

#[tokio::test]
async fn the_preview_draws_overnight_windows_flags_the_clock_change_and_lists_what_it_silences() {
    let env = env();
    let web = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "web cpu", "query": "avg(last_5m):avg:cpu{env:prod} by {host} > 80",
               "message": "x", "tags": ["team:web"]}),
    )
    .await;
    let _other = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "db", "query": "avg(last_5m):avg:db{env:prod} > 80",
               "message": "x", "tags": ["team:db"]}),
    )
    .await;
    // Weekday nights in the week summer time ends in 2027 (Sunday 31 October).
    let (status, p) = post_app(
        &env,
        "/api/v1/dogwatch/downtime/preview",
        json!({"data": {"type": "downtime", "attributes": {
            "scope": "env:prod",
            "monitor_identifier": {"monitor_tags": ["team:web"]},
            "schedule": {"timezone": "Europe/Paris", "recurrences": [
                {"start": "2027-10-25T19:00", "duration": "14h", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}
            ]}
        }}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["calendar_start"], "2027-10-25");
    let blocks: Vec<(i64, i64)> = p["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .map(|b| {
            (
                b["start_minute"].as_i64().unwrap_or(-1),
                b["end_minute"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    // Mon 19:00 → Tue 09:00 is one block; Friday's runs into Saturday; then Monday 1 November.
    assert_eq!(blocks[0], (1140, 1980));
    assert_eq!(blocks[4], (4 * 1440 + 1140, 5 * 1440 + 540));
    assert_eq!(blocks[5], (7 * 1440 + 1140, 8 * 1440 + 540));
    assert_eq!(blocks.len(), 10);
    assert_eq!(
        p["clock_changes"],
        json!([{"minute": 6 * 1440 + 120, "label": "Sun 31 Oct 03:00 → 02:00 (UTC+02:00 → UTC+01:00)"}])
    );
    let first = &p["occurrences"][0];
    assert_eq!(first["start_local"], "Mon 2027-10-25 19:00");
    assert_eq!(first["start_utc"], "2027-10-25 17:00 UTC");
    assert_eq!(p["occurrences"][5]["start_utc"], "2027-11-01 18:00 UTC");
    assert_eq!(p["occurrences"].as_array().map(Vec::len), Some(10));
    let monitors = p["monitors"].as_array().expect("monitors");
    assert_eq!(monitors.len(), 1, "{p}");
    assert_eq!(monitors[0]["id"], web);
    assert_eq!(monitors[0]["name"], "web cpu");

    let (status, bad) = post_app(
        &env,
        "/api/v1/dogwatch/downtime/preview",
        json!({"data": {"type": "downtime", "attributes": {"scope": "*",
            "monitor_identifier": {"monitor_tags": ["*"]},
            "schedule": {"timezone": "Europe/Paris", "recurrences": [{"start": "2027-10-25T19:00", "duration": "14x", "rrule": "FREQ=DAILY"}]}}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        bad["errors"][0].as_str().unwrap_or("").contains("duration"),
        "{bad}"
    );
}

#[tokio::test]
async fn a_canceled_downtime_tells_its_end_only_when_asked_and_mutes_the_first_recovery() {
    let env = env();
    let monitor = create_monitor(
        &env,
        json!({"type": "metric alert", "name": "mfr", "query": MONITOR,
               "message": "{{#is_alert}}up{{/is_alert}}{{#is_recovery}}down{{/is_recovery}} @someone@example.com"}),
    )
    .await;
    let t0 = (now_secs() / 60 - 60) * 60;
    let at = |secs: i64| (t0 + secs) * 1000;
    let (_, d) = post_app(
        &env,
        "/api/v1/downtime",
        json!({"scope": "*", "monitor_id": monitor, "start": t0 + 100, "end": t0 + 3000,
               "message": "@quiet@example.com", "mute_first_recovery_notification": true}),
    )
    .await;
    let downtime = d["id"].as_i64().expect("id");
    let store = &env.state.store;
    feed(&env, t0 - 300, t0 + 600, 900.0).await;
    run_cycle(store, at(0)).await.expect("cycle");
    let r = run_cycle(store, at(360)).await.expect("cycle");
    assert_eq!(r.committed.notifications, 1, "the start: {r:?}");
    // Canceled (not in notify_end_types): no end notice and no re-notification; the group is
    // still in Alert, so its first recovery is muted too.
    let (status, _) = call_app(
        &env,
        Method::DELETE,
        &format!("/api/v1/downtime/{downtime}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = run_cycle(store, at(420)).await.expect("cycle");
    assert_eq!(
        (r.committed.events, r.committed.notifications),
        (1, 0),
        "{r:?}"
    );
    feed(&env, t0 + 615, t0 + 1200, 100.0).await;
    let r = run_cycle(store, at(1200)).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (1, 0), "{r:?}");
    // The next trigger and recovery notify as usual.
    feed(&env, t0 + 1215, t0 + 1500, 900.0).await;
    let r = run_cycle(store, at(1500)).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (1, 1), "{r:?}");
    feed(&env, t0 + 1515, t0 + 1800, 100.0).await;
    let r = run_cycle(store, at(1800)).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (1, 1), "{r:?}");
}
