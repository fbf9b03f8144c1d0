//! `/api/v1/monitor` through `oneshot`: the shapes datadogpy's `api.Monitor` reads, defaults, type
//! normalisation, validation errors naming their field, mute/unmute, validate, and the events and
//! history endpoints of a monitor that never ran.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::support::{APP_KEY, Env, call_app, env, get_app, now_secs, post_app, send};

const SEED_QUERY: &str = "avg(last_5m):avg:my_metric{host:ubuntu} > 800";

fn seed() -> Value {
    json!({
        "type": "metric alert",
        "query": SEED_QUERY,
        "name": "my_metric is high on <b>ubuntu</b>",
        "message": "{{#is_alert}}high {{value}}{{/is_alert}} @someone@example.com",
        "tags": ["app:web"],
        "options": {"thresholds": {"critical": 800, "warning": 500}, "notify_no_data": true, "no_data_timeframe": 10},
    })
}

async fn create(env: &Env, body: Value) -> Value {
    let (status, m) = post_app(env, "/api/v1/monitor", body).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    m
}

/// The errors of a 400, joined by newlines.
async fn bad(env: &Env, method: Method, uri: &str, body: Value) -> String {
    let (status, res) = call_app(env, method, uri, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{res}");
    res["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e.as_str().expect("string").to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn create_returns_the_monitor_with_defaults_and_a_normalised_type() {
    let env = env();
    let m = create(&env, seed()).await;
    let id = m["id"].as_i64().expect("id");
    assert!(id > 0);
    assert_eq!(m["type"], "query alert");
    assert_eq!(m["query"], SEED_QUERY);
    assert_eq!(m["name"], "my_metric is high on <b>ubuntu</b>");
    assert_eq!(m["overall_state"], "No Data");
    assert_eq!(m["multi"], false);
    assert_eq!(m["org_id"], 1);
    assert_eq!(m["tags"], json!(["app:web"]));
    assert!(m["creator"]["handle"].is_string());
    assert!(m["created"].as_str().is_some_and(|c| c.ends_with("+00:00")));
    assert_eq!(m["created"], m["modified"]);
    let o = &m["options"];
    assert_eq!(
        o["thresholds"],
        json!({"critical": 800, "warning": 500}),
        "{o}"
    );
    assert_eq!(o["notify_no_data"], true);
    assert_eq!(o["no_data_timeframe"], 10);
    assert_eq!(o["renotify_interval"], Value::Null);
    assert_eq!(o["evaluation_delay"], 0);
    assert_eq!(o["new_host_delay"], 300);
    assert_eq!(o["require_full_window"], false);
    assert_eq!(o["include_tags"], true);
    assert_eq!(o["notify_audit"], false);
    assert_eq!(o["silenced"], json!({}));

    // Minimal: the critical threshold comes from the query, the name from the query.
    let m2 = create(
        &env,
        json!({"type": "query alert", "query": "max(last_1h):sum:requests{*} by {host} < 3"}),
    )
    .await;
    assert_eq!(m2["options"]["thresholds"], json!({"critical": 3}));
    assert_eq!(m2["options"]["notify_no_data"], false);
    assert_eq!(m2["options"]["no_data_timeframe"], Value::Null);
    assert_eq!(m2["multi"], true);
    assert_eq!(m2["message"], "");
    assert!(m2["name"].as_str().is_some_and(|n| !n.is_empty()));

    let (status, got) = get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, m);
    assert!(got.get("state").is_none());
    let (_, got) = get_app(&env, &format!("/api/v1/monitor/{id}?group_states=all")).await;
    assert_eq!(got["state"], json!({"groups": {}}));

    let (status, list) = get_app(&env, "/api/v1/monitor").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    for (filter, want) in [
        ("name=HIGH", 1),
        ("name=nothing", 0),
        ("tags=host:ubuntu", 1),
        ("monitor_tags=app:web", 1),
        ("monitor_tags=app:db", 0),
        ("page=0&page_size=1", 1),
        ("page=2&page_size=1", 0),
    ] {
        let (status, list) = get_app(&env, &format!("/api/v1/monitor?{filter}")).await;
        assert_eq!(status, StatusCode::OK, "{filter}: {list}");
        assert_eq!(
            list.as_array().map(Vec::len),
            Some(want),
            "{filter}: {list}"
        );
    }
}

#[tokio::test]
async fn update_is_partial_and_delete_answers_the_id() {
    let env = env();
    let id = create(&env, seed()).await["id"].as_i64().expect("id");
    let uri = format!("/api/v1/monitor/{id}");

    let (status, m) = call_app(
        &env,
        Method::PUT,
        &uri,
        Some(json!({"name": "renamed", "options": {"renotify_interval": 30}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["name"], "renamed");
    assert_eq!(m["query"], SEED_QUERY);
    assert_eq!(m["options"]["renotify_interval"], 30);
    assert_eq!(m["options"]["thresholds"]["warning"], 500);
    assert_eq!(m["type"], "query alert");

    // A new query without new thresholds: critical follows it.
    let (status, m) = call_app(
        &env,
        Method::PUT,
        &uri,
        Some(json!({"query": "avg(last_5m):avg:my_metric{host:ubuntu} > 900"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["options"]["thresholds"]["critical"], 900);

    let errors = bad(
        &env,
        Method::PUT,
        &uri,
        json!({"options": {"thresholds": {"warning": 950}}}),
    )
    .await;
    assert!(errors.contains("options.thresholds.warning"), "{errors}");

    let (status, res) = call_app(&env, Method::DELETE, &uri, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(res, json!({"deleted_monitor_id": id}));
    let (status, res) = get_app(&env, &uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        res["errors"][0]
            .as_str()
            .is_some_and(|e| e.contains("not found"))
    );
    let (status, _) = call_app(&env, Method::DELETE, &uri, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_app(&env, "/api/v1/monitor/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_monitors_are_refused_with_the_field_named() {
    let env = env();
    let with = |patch: Value| {
        let mut body = seed();
        if let (Some(b), Some(p)) = (body.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    };
    let cases = [
        (
            with(json!({"query": "avg(last_5m):avg:my_metric{host:ubuntu} >"})),
            "query: expected a threshold number at column",
        ),
        (
            with(json!({"query": "avg(last_5m):avg:my_metric{host:ubuntu > 800"})),
            "query: ",
        ),
        (
            with(json!({"query": "avg(last_5x):avg:m{*} > 1"})),
            "column 5",
        ),
        (
            with(json!({"options": {"thresholds": {"critical": 700}}})),
            "options.thresholds.critical (700) must equal the query's threshold (800)",
        ),
        (
            with(json!({"options": {"thresholds": {"critical": 800, "warning": 900}}})),
            "warning threshold must be below the alert threshold for `>`: options.thresholds.warning is 900",
        ),
        (
            with(json!({"options": {"thresholds": {"warning": "high"}}})),
            "options.thresholds.warning must be a number",
        ),
        (
            with(json!({"type": "log alert"})),
            "type `log alert` is not supported",
        ),
        (with(json!({"type": null})), "type is required"),
        (with(json!({"query": null})), "query is required"),
        (with(json!({"tags": "app:web"})), "tags must be an array"),
        (
            with(json!({"priority": 7})),
            "priority must be an integer from 1 to 5",
        ),
        (
            with(json!({"message": "{{#is_alert}} never closed"})),
            "message: the section `is_alert` opened at line 1, column 1 is never closed",
        ),
        (
            with(json!({"options": {"no_data_timeframe": "ten"}})),
            "options.no_data_timeframe must be a whole number of minutes",
        ),
        (
            with(json!({"options": {"notify_no_data": "yes"}})),
            "options.notify_no_data must be true or false",
        ),
    ];
    for (body, want) in cases {
        let errors = bad(&env, Method::POST, "/api/v1/monitor", body.clone()).await;
        assert!(errors.contains(want), "{body}\nwant: {want}\ngot: {errors}");
        // validate says the same, and nothing was stored.
        let again = bad(&env, Method::POST, "/api/v1/monitor/validate", body).await;
        assert_eq!(again, errors);
    }
    let (_, list) = get_app(&env, "/api/v1/monitor").await;
    assert_eq!(list, json!([]));

    // Several problems at once, each its own error.
    let (status, res) = post_app(
        &env,
        "/api/v1/monitor",
        json!({"type": "bogus", "query": SEED_QUERY, "options": {"thresholds": {"critical": 1}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(res["errors"].as_array().map(Vec::len), Some(2), "{res}");

    for raw in ["not json", "[1, 2]"] {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/monitor")
            .header("content-type", "application/json")
            .header("DD-APPLICATION-KEY", APP_KEY)
            .body(Body::from(raw))
            .expect("request");
        let (status, res) = send(&env, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{res}");
        assert!(res["errors"].is_array());
    }

    let (status, ok) = post_app(&env, "/api/v1/monitor/validate", seed()).await;
    assert_eq!((status, ok), (StatusCode::OK, json!({})));

    // A wrong application key is refused, as on every other route.
    let req = Request::builder()
        .method(Method::GET)
        .uri("/api/v1/monitor")
        .header("DD-APPLICATION-KEY", "wrong")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&env, req).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn mute_and_unmute_set_options_silenced() {
    let env = env();
    let id = create(&env, seed()).await["id"].as_i64().expect("id");
    let (status, m) = call_app(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/mute"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["options"]["silenced"], json!({"*": null}));

    let end = now_secs() + 3600;
    let (status, m) = post_app(
        &env,
        &format!("/api/v1/monitor/{id}/mute"),
        json!({"scope": "host:ubuntu", "end": end}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        m["options"]["silenced"],
        json!({"*": null, "host:ubuntu": end})
    );
    let (_, got) = get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    assert_eq!(got["options"]["silenced"], m["options"]["silenced"]);

    let errors = bad(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/mute"),
        json!({"end": 5}),
    )
    .await;
    assert!(
        errors.contains("end (5) must be a time in the future"),
        "{errors}"
    );

    let (status, m) = call_app(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{id}/unmute?scope=host:ubuntu"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["options"]["silenced"], json!({"*": null}));
    let (_, m) = post_app(&env, &format!("/api/v1/monitor/{id}/unmute"), json!({})).await;
    assert_eq!(m["options"]["silenced"], json!({}));
    let (status, _) = call_app(&env, Method::POST, "/api/v1/monitor/999/mute", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn events_and_history_of_a_quiet_monitor() {
    let env = env();
    let id = create(&env, seed()).await["id"].as_i64().expect("id");
    let (status, res) = get_app(&env, "/api/v1/events?start=0&end=99999999999").await;
    assert_eq!((status, res), (StatusCode::OK, json!({"events": []})));
    let (status, res) = get_app(&env, "/api/v1/events").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{res}");
    let (status, h) = get_app(&env, &format!("/api/v1/dogwatch/monitor/{id}/history")).await;
    assert_eq!(status, StatusCode::OK, "{h}");
    assert_eq!(h["overall_state"], "No Data");
    assert_eq!(h["groups"], json!([]));
    assert_eq!(h["transitions"], json!([]));
    assert_eq!(h["notifications"], json!([]));
}

#[tokio::test]
async fn new_group_delay_is_checked_stored_and_echoed() {
    let env = env();
    let q = "avg(last_5m):avg:my_metric{*} by {host} > 800";
    let m = create(
        &env,
        json!({"type": "metric alert", "query": q, "options": {"new_group_delay": 60}}),
    )
    .await;
    assert_eq!(m["options"]["new_group_delay"], 60);
    assert_eq!(m["options"]["new_host_delay"], 300);
    let id = m["id"].as_i64().expect("id");
    let (status, got) = get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["options"]["new_group_delay"], 60);
    let (status, up) = call_app(
        &env,
        Method::PUT,
        &format!("/api/v1/monitor/{id}"),
        Some(json!({"options": {"new_group_delay": 0}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    assert_eq!(up["options"]["new_group_delay"], 0);
    // Not given: not invented (only the deprecated name has Datadog's default).
    let plain = create(&env, json!({"type": "metric alert", "query": q})).await;
    assert!(plain["options"].get("new_group_delay").is_none(), "{plain}");

    for (method, uri) in [
        (Method::POST, "/api/v1/monitor".to_owned()),
        (Method::POST, "/api/v1/monitor/validate".to_owned()),
        (Method::PUT, format!("/api/v1/monitor/{id}")),
    ] {
        for bad_value in [json!(-1), json!(604_801), json!("60")] {
            let errors = bad(
                &env,
                method.clone(),
                &uri,
                json!({"type": "metric alert", "query": q, "options": {"new_group_delay": bad_value}}),
            )
            .await;
            assert_eq!(
                errors,
                format!(
                    "options.new_group_delay must be a whole number of seconds from 0 to 604800, not {bad_value}"
                )
            );
        }
    }
    let (status, ok) = post_app(
        &env,
        "/api/v1/monitor/validate",
        json!({"type": "metric alert", "query": q, "options": {"new_group_delay": 604_800}}),
    )
    .await;
    assert_eq!((status, ok), (StatusCode::OK, json!({})));
}

#[tokio::test]
async fn search_filters_by_text_status_tag_and_muted_with_counts_and_pages() {
    use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
    let env = env();
    let web = create(&env, seed()).await["id"].as_i64().expect("id");
    let disk = create(
        &env,
        json!({"type": "metric alert", "name": "Disk full", "query": "max(last_5m):avg:disk.used{*} > 90",
               "tags": ["env:prod", "team:ops"]}),
    )
    .await["id"]
        .as_i64()
        .expect("id");
    let cpu = create(
        &env,
        json!({"type": "metric alert", "name": "CPU high", "query": "avg(last_5m):avg:cpu{env:prod} by {host} > 90",
               "tags": ["env:prod"], "message": "cpu @ops"}),
    )
    .await["id"]
        .as_i64()
        .expect("id");
    let (status, _) = call_app(
        &env,
        Method::POST,
        &format!("/api/v1/monitor/{cpu}/mute"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The disk monitor alerts.
    let now = now_secs();
    env.state
        .store
        .write_samples(vec![Sample {
            key: SeriesKey {
                metric: "disk.used".into(),
                tags: TagSet::from_canonical("host:a"),
            },
            ts_secs: now - 30,
            value: 95.0,
            kind: MetricType::Gauge,
            interval_secs: None,
        }])
        .await
        .expect("write");
    let r = dogwatch_server::evaluator::run_cycle(&env.state.store, now * 1000)
        .await
        .expect("cycle");
    assert!(r.transitions >= 1, "{r:?}");

    let search = |q: &str| {
        let uri = format!("/api/v1/monitor/search?{q}");
        let env = &env;
        async move {
            let (status, res) = get_app(env, &uri).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {res}");
            res
        }
    };
    let ids = |res: &Value| -> Vec<i64> {
        res["monitors"]
            .as_array()
            .expect("monitors")
            .iter()
            .map(|m| m["id"].as_i64().expect("id"))
            .collect()
    };

    let all = search("").await;
    // Sorted by name (case-insensitive) by default.
    assert_eq!(ids(&all), [cpu, disk, web], "{all}");
    assert_eq!(
        all["metadata"],
        json!({"page": 0, "per_page": 30, "page_count": 1, "total_count": 3})
    );
    assert_eq!(
        all["counts"]["status"],
        json!([{"name": "No Data", "count": 2}, {"name": "Alert", "count": 1}])
    );
    assert_eq!(
        all["counts"]["muted"],
        json!([{"name": false, "count": 2}, {"name": true, "count": 1}])
    );
    assert_eq!(
        all["counts"]["tag"],
        json!([{"name": "env:prod", "count": 2}, {"name": "app:web", "count": 1}, {"name": "team:ops", "count": 1}])
    );
    assert_eq!(
        all["counts"]["type"],
        json!([{"name": "metric", "count": 3}])
    );
    let d = &all["monitors"][1];
    assert_eq!(d["name"], "Disk full");
    assert_eq!(d["status"], "Alert");
    assert_eq!(d["type"], "query alert");
    assert_eq!(d["classification"], "metric");
    assert_eq!(d["metrics"], json!(["disk.used"]));
    assert_eq!(d["tags"], json!(["env:prod", "team:ops"]));
    assert_eq!(d["last_triggered_ts"], now);
    assert_eq!(
        d["creator"]["handle"], "dogwatch",
        "made with the operator's key"
    );
    assert_eq!(all["monitors"][0]["scopes"], json!(["env:prod"]));
    assert_eq!(
        all["monitors"][0]["notifications"],
        json!([{"handle": "ops", "name": "ops"}])
    );

    for (q, want) in [
        ("query=disk", vec![disk]),
        ("query=PROD", vec![cpu, disk]),
        ("query=status:alert", vec![disk]),
        ("query=status:%22no%20data%22", vec![cpu, web]),
        ("query=status:(alert%20OR%20no_data)", vec![cpu, disk, web]),
        ("query=tag:%22env:prod%22", vec![cpu, disk]),
        ("query=tag:%22env:prod%22%20muted:true", vec![cpu]),
        ("query=muted:false", vec![disk, web]),
        ("query=high%20tag:app:web", vec![web]),
        ("query=type:metric%20metric:cpu", vec![cpu]),
        (&format!("query=id:{web}"), vec![web]),
        ("query=nothing", vec![]),
        ("sort=status,asc", vec![disk, web, cpu]),
        ("sort=id,desc", vec![cpu, disk, web]),
        ("sort=name,desc&per_page=2", vec![web, disk]),
        ("sort=name,desc&per_page=2&page=1", vec![cpu]),
    ] {
        let res = search(q).await;
        assert_eq!(ids(&res), want, "{q}: {res}");
    }
    let narrowed = search("query=tag:%22env:prod%22&per_page=1").await;
    assert_eq!(
        narrowed["metadata"],
        json!({"page": 0, "per_page": 1, "page_count": 2, "total_count": 2})
    );
    assert_eq!(
        narrowed["counts"]["tag"],
        json!([{"name": "env:prod", "count": 2}, {"name": "team:ops", "count": 1}])
    );
    let (status, res) = get_app(&env, "/api/v1/monitor/search?sort=color").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{res}");
}
