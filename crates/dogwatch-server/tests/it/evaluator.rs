//! The monitor evaluator end to end with real parts: the seed monitor driven through
//! `evaluator::run_cycle` with injected times, its notifications delivered by the real delivery
//! worker to a real SMTP server (aiosmtpd from the test venv) and a webhook receiver on a real
//! socket; and the real binary restarted between a trigger and its delivery.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
use dogwatch_server::delivery::{self, DeliveryConfig};
use dogwatch_server::evaluator::run_cycle;
use serde_json::{Value, json};

use crate::support;
use crate::support::real_server::http;
use crate::support::smtp::{
    self, free_port, smtp_config, start_dogwatch, start_smtp, subject_and_body,
};
use crate::support::webhook::start_receiver;
use crate::support::{
    Env, call_app, create_monitor, env, eventually, feed_gauge, get_app, now_secs, post_app,
};

// ---- the real SMTP server (support/smtp.rs) ------------------------------------------------------

/// Received mails as (subject, body), in the order they arrived.
fn mails(dir: &Path) -> Vec<(String, String)> {
    smtp::mails(dir)
        .iter()
        .map(|m| subject_and_body(m["content"].as_str().expect("content")))
        .collect()
}

// ---- helpers -----------------------------------------------------------------------------------------

/// The string `field` of each element of the array `list`.
fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list.as_array().expect("an array");
    items
        .iter()
        .map(|v| v[field].as_str().unwrap_or(""))
        .collect()
}

/// `my_metric{host:ubuntu, ip:10.0.0.7}` = `value` every 15 s over `[from_secs, to_secs]`.
async fn feed(env: &Env, from_secs: i64, to_secs: i64, value: f64) {
    let tags = "env:test,host:ubuntu,ip:10.0.0.7";
    feed_gauge(env, "my_metric", tags, from_secs, to_secs, value).await;
}

const MESSAGE: &str = "{{#is_alert}}ALERT: my_metric is {{value}} on {{host.name}} ({{host.ip}}), above {{threshold}}{{/is_alert}}\
{{#is_warning}}WARNING: my_metric is {{value}} on {{host.name}}, above {{warn_threshold}}{{/is_warning}}\
{{#is_no_data}}NO DATA from {{host.name}} for 10 minutes{{/is_no_data}}\
\n<script>alert(1)</script> & \"quotes\"\n@someone@example.com @webhook-hook";

const SCRIPT: &str = "<script>alert(1)</script> & \"quotes\"";

// ---- the seed monitor, end to end ------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_monitor_warns_alerts_and_reports_no_data_by_mail_and_webhook() {
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _smtp = start_smtp(mail_dir.path(), port);
    let (hook_url, received) = start_receiver().await;
    let smtp = smtp_config(port);
    let env = env();
    let (status, res) = post_app(
        &env,
        "/api/v1/dogwatch/webhooks",
        json!({"name": "hook", "url": format!("{hook_url}/ok")}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{res}");
    let id = create_monitor(&env, json!({
            "type": "metric alert",
            "name": "my_metric is high",
            "query": "avg(last_5m):avg:my_metric{host:ubuntu} > 800",
            "message": MESSAGE,
            "options": {"thresholds": {"critical": 800, "warning": 500}, "notify_no_data": true, "no_data_timeframe": 10},
        })).await;

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(delivery::run(
        env.state.store.clone(),
        DeliveryConfig::new(Some(smtp), Duration::from_millis(150)),
        stop_rx,
    ));

    // An hour ago, on a minute boundary, so every window below holds one phase's points only.
    let t0 = (now_secs() / 60 - 60) * 60;
    let store = &env.state.store;
    let at = |secs: i64| (t0 + secs) * 1000;

    feed(&env, t0 - 300, t0, 300.0).await;
    let r = run_cycle(store, at(0)).await.expect("cycle");
    assert_eq!((r.monitors, r.groups, r.transitions), (1, 1, 0), "{r:?}");

    feed(&env, t0 + 60, t0 + 360, 600.0).await;
    let r = run_cycle(store, at(360)).await.expect("cycle");
    assert_eq!(r.transitions, 1, "{r:?}");
    assert_eq!(r.committed.notifications, 2, "{r:?}");

    feed(&env, t0 + 420, t0 + 720, 900.0).await;
    let r = run_cycle(store, at(720)).await.expect("cycle");
    assert_eq!(r.transitions, 1, "{r:?}");
    // The same cycle again (as after a crash before the caller learnt of the commit): nothing new.
    let r = run_cycle(store, at(720)).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (0, 0), "{r:?}");

    // Data stops at t0+720: still in the window at t0+1020, then absent, then 10 minutes absent.
    for (secs, transitions) in [(1020, 0), (1080, 0), (1260, 0), (1320, 1), (1380, 0)] {
        let r = run_cycle(store, at(secs)).await.expect("cycle");
        assert_eq!(r.transitions, transitions, "at t0+{secs}: {r:?}");
    }

    let deadline = Instant::now() + Duration::from_secs(30);
    while mails(mail_dir.path()).len() < 3 || received.of("ok").len() < 3 {
        assert!(
            Instant::now() < deadline,
            "mails: {:#?}\nhooks: {:#?}",
            mails(mail_dir.path()),
            received.of("ok")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let got = mails(mail_dir.path());
    let want = [
        (
            "[Warn] my_metric is high",
            format!(
                "WARNING: my_metric is 600 on ubuntu, above 500\n{SCRIPT}\n@someone@example.com @webhook-hook"
            ),
        ),
        (
            "[Triggered] my_metric is high",
            format!(
                "ALERT: my_metric is 900 on ubuntu (10.0.0.7), above 800\n{SCRIPT}\n@someone@example.com @webhook-hook"
            ),
        ),
        (
            "[No Data] my_metric is high",
            format!(
                "NO DATA from ubuntu for 10 minutes\n{SCRIPT}\n@someone@example.com @webhook-hook"
            ),
        ),
    ];
    // The three were due together and delivered concurrently: compare them in transition order.
    let mut got = got;
    got.sort_by_key(|(subject, _)| want.iter().position(|(s, _)| s == subject));
    assert_eq!(got.len(), 3, "{got:#?}");
    for ((subject, body), (want_subject, want_body)) in got.iter().zip(&want) {
        assert_eq!(subject, want_subject);
        assert_eq!(body, want_body);
    }

    let hooks: Vec<Value> = received.of("ok").into_iter().map(|(v, _)| v).collect();
    let mut hooks_by_time = hooks.clone();
    hooks_by_time.sort_by_key(|h| h["ts_ms"].as_i64());
    let states: Vec<(&str, Value)> = hooks_by_time
        .iter()
        .map(|h| (h["state"].as_str().unwrap_or(""), h["value"].clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("Warn", json!(600.0)),
            ("Alert", json!(900.0)),
            ("No Data", Value::Null)
        ]
    );
    for (h, (subject, body)) in hooks_by_time.iter().zip(&want) {
        assert_eq!(h["monitor_id"], id);
        assert_eq!(h["subject"], *subject);
        assert_eq!(h["message"], *body);
        assert_eq!(h["link"], format!("/monitors/{id}"));
    }

    // The event stream and the status page show the same story.
    let (status, ev) = get_app(
        &env,
        &format!(
            "/api/v1/events?start={}&end={}&monitor_id={id}",
            t0,
            t0 + 3600
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ev}");
    let titles = strings(&ev["events"], "title");
    assert_eq!(
        titles,
        [
            "[No Data] my_metric is high",
            "[Triggered] my_metric is high",
            "[Warn] my_metric is high"
        ]
    );
    assert_eq!(ev["events"][1]["alert_type"], "error");
    assert!(
        ev["events"][1]["text"]
            .as_str()
            .is_some_and(|t| t.contains(SCRIPT))
    );

    let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
    assert_eq!(h["overall_state"], "No Data");
    let timeline: Vec<(&str, &str)> = h["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| {
            (
                t["from"].as_str().unwrap_or(""),
                t["to"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        timeline,
        [("OK", "Warn"), ("Warn", "Alert"), ("Alert", "No Data")]
    );
    assert_eq!(h["notifications"].as_array().map(Vec::len), Some(6), "{h}");
    let (_, got) = get_app(&env, &format!("/api/v1/monitor/{id}?group_states=all")).await;
    assert_eq!(got["overall_state"], "No Data");
    assert_eq!(got["state"]["groups"]["*"]["status"], "No Data");
    assert_eq!(
        got["state"]["groups"]["*"]["last_nodata_ts"],
        json!(t0 + 1320)
    );

    // Muted: the state still changes and is an event, but nobody is told.
    let (status, _) = call_app(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/mute"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    feed(&env, t0 + 1500, t0 + 1800, 950.0).await;
    let r = run_cycle(store, at(1800)).await.expect("cycle");
    assert_eq!(
        (r.transitions, r.committed.events, r.committed.notifications),
        (1, 1, 0),
        "{r:?}"
    );

    let _ = stop_tx.send(true);
    let _ = worker.await;
    assert_eq!(mails(mail_dir.path()).len(), 3);
}

#[tokio::test]
async fn groups_of_a_multi_alert_monitor_and_renotify() {
    let env = env();
    let id = create_monitor(
        &env,
        json!({
            "type": "metric alert",
            "name": "cpu",
            "query": "max(last_5m):avg:my_metric{*} by {host} > 800",
            "message": "{{#is_renotify}}again {{/is_renotify}}{{host.name}} is {{value}} @ops",
            "options": {"renotify_interval": 10, "new_group_delay": 0},
        }),
    )
    .await;
    let t0 = 1_700_000_000 / 60 * 60;
    let store = &env.state.store;
    let mut samples = Vec::new();
    for (host, value) in [("a", 100.0), ("b", 900.0)] {
        samples.push(Sample {
            key: SeriesKey {
                metric: "my_metric".into(),
                tags: TagSet::from_canonical(&format!("host:{host}")),
            },
            ts_secs: t0 - 30,
            value,
            kind: MetricType::Gauge,
            interval_secs: None,
        });
    }
    store.write_samples(samples).await.expect("write");
    let r = run_cycle(store, t0 * 1000).await.expect("cycle");
    assert_eq!((r.groups, r.transitions), (2, 1), "{r:?}");
    let r = run_cycle(store, (t0 + 120) * 1000).await.expect("cycle");
    assert_eq!(r.transitions, 0, "{r:?}");
    // Ten minutes after the trigger, still alerting (no data does not count: notify_no_data is off).
    let r = run_cycle(store, (t0 + 600) * 1000).await.expect("cycle");
    assert_eq!(r.transitions, 1, "{r:?}");

    let (_, got) = get_app(&env, &format!("/api/v1/monitor/{id}?group_states=alert")).await;
    assert_eq!(got["overall_state"], "Alert");
    assert_eq!(got["multi"], true);
    let groups = got["state"]["groups"].as_object().expect("groups");
    assert_eq!(groups.keys().collect::<Vec<_>>(), ["host:b"]);

    let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
    let bodies = strings(&h["notifications"], "body");
    assert_eq!(bodies, ["again b is 900 @ops", "b is 900 @ops"], "{h}");
    assert_eq!(h["notifications"][0]["channel"], "inbox");
    assert_eq!(
        h["notifications"][0]["subject"],
        "[Re-Triggered on {host:b}] cpu"
    );
}

#[tokio::test]
async fn a_simple_monitor_without_data_goes_to_no_data_after_the_timeframe_from_its_creation() {
    let env = env();
    // One metric with a series whose points are all long before the window, one never seen.
    let old = now_secs() - 86_400;
    env.state
        .store
        .write_samples(vec![Sample {
            key: SeriesKey {
                metric: "stale.metric".into(),
                tags: TagSet::from_canonical("host:ubuntu"),
            },
            ts_secs: old,
            value: 1.0,
            kind: MetricType::Gauge,
            interval_secs: None,
        }])
        .await
        .expect("write");
    let mut ids = Vec::new();
    for metric in ["stale.metric", "never.seen"] {
        let (status, m) = post_app(
            &env,
            "/api/v1/monitor",
            json!({
                "type": "metric alert",
                "query": format!("avg(last_5m):avg:{metric}{{host:ubuntu}} > 1"),
                "message": "{{#is_no_data}}silent{{/is_no_data}} @someone@example.com",
                "options": {"notify_no_data": true, "no_data_timeframe": 2},
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        ids.push(m["id"].as_i64().expect("id"));
    }
    let (_, m) = get_app(&env, &format!("/api/v1/monitor/{}", ids[0])).await;
    let created_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    assert_eq!(m["overall_state"], "No Data");
    let store = &env.state.store;
    let r = run_cycle(store, created_ms + 60_000).await.expect("cycle");
    assert_eq!(r.transitions, 0, "{r:?}");
    let r = run_cycle(store, created_ms + 121_000).await.expect("cycle");
    assert_eq!((r.transitions, r.committed.notifications), (2, 2), "{r:?}");
    let r = run_cycle(store, created_ms + 181_000).await.expect("cycle");
    assert_eq!(r.transitions, 0, "{r:?}");
    for id in ids {
        let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
        assert_eq!(h["overall_state"], "No Data", "{h}");
        assert_eq!(h["notifications"][0]["body"], "silent @someone@example.com");
    }
}

#[tokio::test]
async fn sum_min_and_max_over_an_hour_count_every_point() {
    let env = env();
    let t0 = 1_700_000_000 / 60 * 60;
    // A point every 5 s for an hour: an hour's graph buckets are 20 s, four points each.
    let samples = (0..720)
        .map(|i| Sample {
            key: SeriesKey {
                metric: "hits".into(),
                tags: TagSet::from_canonical("host:a"),
            },
            ts_secs: t0 - 3595 + i * 5,
            value: if i == 100 {
                50.0
            } else {
                1.0 + f64::from(i % 2 == 0)
            },
            kind: MetricType::Gauge,
            interval_secs: None,
        })
        .collect();
    env.state.store.write_samples(samples).await.expect("write");
    let mut ids = Vec::new();
    for (query, message) in [
        ("sum(last_1h):avg:hits{*} by {host} > 1000", "sum {{value}}"),
        ("max(last_1h):avg:hits{*} > 40", "max {{value}}"),
        ("min(last_1h):avg:hits{*} < 1.5", "min {{value}}"),
    ] {
        let (status, m) = post_app(
            &env,
            "/api/v1/monitor",
            json!({
                "type": "metric alert", "query": query, "message": format!("{message} @x"),
                "options": {"new_host_delay": 0},
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        ids.push(m["id"].as_i64().expect("id"));
    }
    let r = run_cycle(&env.state.store, t0 * 1000).await.expect("cycle");
    assert_eq!(r.transitions, 3, "{r:?}");
    let mut bodies = Vec::new();
    for id in ids {
        let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
        bodies.push(
            h["notifications"][0]["body"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        );
    }
    // 360 points of 1, 359 of 2 and the one 50: 360 + 718 + 50 = 1128 (bucket means would give 282).
    assert_eq!(bodies, ["sum 1128 @x", "max 50 @x", "min 1 @x"]);
}

#[tokio::test]
async fn evaluation_delay_shifts_the_window_and_require_full_window_waits_for_one() {
    let env = env();
    let t0 = 1_700_000_000 / 60 * 60;
    let point = |ts_secs: i64| Sample {
        key: SeriesKey {
            metric: "late.metric".into(),
            tags: TagSet::from_canonical("host:a"),
        },
        ts_secs,
        value: 900.0,
        kind: MetricType::Gauge,
        interval_secs: None,
    };
    env.state
        .store
        .write_samples(vec![point(t0 - 30)])
        .await
        .expect("write");
    let mut ids = Vec::new();
    for options in [
        json!({"evaluation_delay": 120}),
        json!({"require_full_window": true}),
        json!({}),
    ] {
        let query = if options.get("evaluation_delay").is_some() {
            "avg(last_1m):avg:late.metric{*} > 800"
        } else {
            "avg(last_5m):avg:late.metric{*} > 800"
        };
        let (status, m) = post_app(
            &env,
            "/api/v1/monitor",
            json!({"type": "metric alert", "query": query, "options": options}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        ids.push(m["id"].as_i64().expect("id"));
    }
    let states = |env: &Env| {
        let ids = ids.clone();
        let env_state = env.state.clone();
        async move {
            let mut out = Vec::new();
            for id in ids {
                let groups = env_state
                    .store
                    .monitor_groups(Some(id))
                    .await
                    .expect("groups");
                out.push(
                    groups
                        .first()
                        .map(|g| g.status.state.as_str())
                        .unwrap_or("-"),
                );
            }
            out
        }
    };
    // At t0 the delayed window [t0-180, t0-120] is empty; the point is at the end of the 5-minute
    // window, which is not full; the plain monitor alerts.
    run_cycle(&env.state.store, t0 * 1000).await.expect("cycle");
    assert_eq!(states(&env).await, ["-", "-", "Alert"]);
    // At t0+100 the delayed window [t0-80, t0-20] holds the point.
    run_cycle(&env.state.store, (t0 + 100) * 1000)
        .await
        .expect("cycle");
    assert_eq!(states(&env).await, ["Alert", "-", "Alert"]);
    // With data from the start of the window, the full-window monitor evaluates too.
    env.state
        .store
        .write_samples(vec![point(t0 - 190)])
        .await
        .expect("write");
    run_cycle(&env.state.store, (t0 + 100) * 1000 + 1)
        .await
        .expect("cycle");
    assert_eq!(states(&env).await, ["Alert", "Alert", "Alert"]);
}

// ---- the real binary across a restart ----------------------------------------------------------------

#[test]
fn a_trigger_whose_mail_waits_for_smtp_is_sent_once_across_a_restart() {
    let data = tempfile::tempdir().expect("tempdir");
    let mail_dir = tempfile::tempdir().expect("tempdir");
    let smtp_port = free_port();
    let server = start_dogwatch(data.path(), smtp_port, &["--eval-interval", "1"]);

    let (status, m) = http(
        &server.http,
        "POST",
        "/api/v1/monitor",
        Some(&json!({
            "type": "metric alert",
            "name": "restart",
            "query": "avg(last_5m):avg:restart.metric{host:ubuntu} > 800",
            "message": "{{#is_alert}}alert {{value}}{{/is_alert}} @someone@example.com",
        })),
    );
    assert_eq!(status, 200, "{m}");
    let id = m["id"].as_i64().expect("id");
    let now = now_secs();
    let points: Vec<Value> = (0..4).map(|i| json!([now - 30 + i * 10, 900])).collect();
    let (status, res) = http(
        &server.http,
        "POST",
        "/api/v1/series",
        Some(
            &json!({"series": [{"metric": "restart.metric", "points": points, "host": "ubuntu", "type": "gauge"}]}),
        ),
    );
    assert_eq!(status, 202, "{res}");

    // The evaluator triggers within a cycle or two; the mail cannot go out (SMTP is down).
    let history = || {
        http(
            &server.http,
            "GET",
            &format!("/api/v1/dogwatch/monitor/{id}/history"),
            None,
        )
        .1
    };
    eventually(20, "a delivery attempt", || {
        history()["notifications"][0]["attempts"]
            .as_u64()
            .is_some_and(|a| a >= 1)
    });
    let h = history();
    assert_eq!(h["overall_state"], "Alert", "{h}");
    assert_eq!(h["notifications"].as_array().map(Vec::len), Some(1), "{h}");
    assert_eq!(h["notifications"][0]["state"], "pending", "{h}");

    drop(server);
    let _smtp = start_smtp(mail_dir.path(), smtp_port);
    let server = start_dogwatch(data.path(), smtp_port, &["--eval-interval", "1"]);
    eventually(30, "the mail", || !mails(mail_dir.path()).is_empty());
    // Several more evaluation cycles: the restored state does not fire again.
    std::thread::sleep(Duration::from_secs(4));
    let got = mails(mail_dir.path());
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].0, "[Triggered] restart");
    assert_eq!(got[0].1, "alert 900 @someone@example.com");
    let h = http(
        &server.http,
        "GET",
        &format!("/api/v1/dogwatch/monitor/{id}/history"),
        None,
    )
    .1;
    assert_eq!(h["transitions"].as_array().map(Vec::len), Some(1), "{h}");
    assert_eq!(h["notifications"][0]["state"], "sent", "{h}");
}

#[tokio::test]
async fn a_new_group_waits_out_new_group_delay_even_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t0 = 1_700_000_000 / 60 * 60;
    let point = |host: &str, ts_secs: i64| Sample {
        key: SeriesKey {
            metric: "my_metric".into(),
            tags: TagSet::from_canonical(&format!("host:{host}")),
        },
        ts_secs,
        value: 900.0,
        kind: MetricType::Gauge,
        interval_secs: None,
    };
    let id;
    {
        let env = support::env_in(dir.path());
        id = create_monitor(
            &env,
            json!({
                "type": "metric alert",
                "query": "max(last_5m):avg:my_metric{*} by {host} > 800",
                "message": "{{host.name}} is {{value}} @ops",
                // new_group_delay wins over the deprecated name.
                "options": {"new_group_delay": 120, "new_host_delay": 0},
            }),
        )
        .await;
        let store = &env.state.store;
        // A new host appears above the threshold.
        store
            .write_samples(vec![point("new", t0 - 10)])
            .await
            .expect("write");
        let r = run_cycle(store, t0 * 1000).await.expect("cycle");
        assert_eq!((r.groups, r.transitions), (0, 0), "{r:?}");
        store
            .write_samples(vec![point("new", t0 + 50)])
            .await
            .expect("write");
        let r = run_cycle(store, (t0 + 60) * 1000).await.expect("cycle");
        assert_eq!((r.groups, r.transitions), (0, 0), "{r:?}");
        let (_, got) = get_app(&env, &format!("/api/v1/monitor/{id}?group_states=all")).await;
        assert_eq!(got["overall_state"], "No Data", "{got}");
        assert_eq!(got["state"]["groups"], json!({}), "{got}");
        let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
        assert_eq!(h["groups"][0]["pending"], true, "{h}");
        assert_eq!(h["groups"][0]["first_seen_ms"], t0 * 1000, "{h}");
        assert_eq!(h["transitions"], json!([]), "{h}");
        assert_eq!(h["notifications"], json!([]), "{h}");
    }
    // Restarted on the same data: the delay still counts from the first sighting.
    let env = support::env_in(dir.path());
    let store = &env.state.store;
    store
        .write_samples(vec![point("new", t0 + 110)])
        .await
        .expect("write");
    let r = run_cycle(store, (t0 + 119) * 1000).await.expect("cycle");
    assert_eq!((r.groups, r.transitions), (0, 0), "{r:?}");
    let r = run_cycle(store, (t0 + 120) * 1000).await.expect("cycle");
    assert_eq!((r.groups, r.transitions), (1, 1), "{r:?}");
    let (_, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
    assert_eq!(h["overall_state"], "Alert", "{h}");
    assert_eq!(h["groups"][0]["pending"], false, "{h}");
    let bodies = strings(&h["notifications"], "body");
    assert_eq!(bodies, ["new is 900 @ops"], "{h}");
}
