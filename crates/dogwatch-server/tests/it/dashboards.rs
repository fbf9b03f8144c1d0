//! The dashboards API through `app()` with `oneshot`: `/api/v1/dashboard` and the legacy `/api/v1/dash`
//! that datadogpy's `api.Timeboard` calls, with Datadog's exact shapes, 400s naming the field and 404s.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{ADMIN, Env, call, env, get, post};
use dogwatch_server::app;

fn is_iso8601_utc(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.len() == 32 && s.ends_with("+00:00") && s.as_bytes()[10] == b'T'
}

fn is_new_style_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            p.len() == 3
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn board() -> Value {
    json!({
        "title": "My Board",
        "description": "CPU & memory",
        "layout_type": "ordered",
        "widgets": [
            {"definition": {"type": "timeseries", "title": "cpu",
                            "requests": [{"q": "avg:system.cpu.user{*} by {host}", "display_type": "line"}]}},
            {"definition": {"type": "note", "content": "hello"}}
        ]
    })
}

fn seed_dash() -> Value {
    json!({
        "title": "Seed board",
        "description": "from a script",
        "graphs": [{"title": "my metric", "definition": {"events": [], "requests": [
            {"q": "avg:my_metric{host:ubuntu}"},
            {"q": "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)", "type": "area"},
            {"q": "avg:my_metric{host:ubuntu}.rollup(sum, 3600)"}
        ], "viz": "timeseries"}}],
        "template_variables": [{"name": "host1", "prefix": "host", "default": "host:ubuntu"}],
        "read_only": "True"
    })
}

#[tokio::test]
async fn dashboard_crud_in_datadogs_shape() {
    let env = env();
    let (status, created) = post(&env, "/api/v1/dashboard", board()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(is_new_style_id(&id), "{id}");
    assert_eq!(created["url"], json!(format!("/dashboard/{id}/my-board")));
    assert_eq!(
        created["author_handle"], ADMIN,
        "made by the signed-in admin"
    );
    assert!(is_iso8601_utc(&created["created_at"]), "{created}");
    assert!(is_iso8601_utc(&created["modified_at"]), "{created}");
    assert_eq!(created["title"], "My Board");
    assert_eq!(created["description"], "CPU & memory");
    assert_eq!(created["layout_type"], "ordered");
    assert_eq!(created["widgets"][0]["id"], 1);
    assert_eq!(created["widgets"][1]["id"], 2);
    assert_eq!(
        created["widgets"][0]["definition"],
        board()["widgets"][0]["definition"]
    );

    let (status, got) = get(&env, &format!("/api/v1/dashboard/{id}")).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));

    let mut free = json!({
        "title": "Free board",
        "layout_type": "free",
        "widgets": [{"id": 7, "definition": {"type": "timeseries", "requests": [{"q": "sum:hits{*}"}]},
                     "layout": {"x": 0, "y": 0, "width": 4, "height": 2}},
                    {"definition": {"type": "note"}, "layout": {"x": 4, "y": 0, "width": 2, "height": 2}}]
    });
    let (status, updated) = call(
        &env,
        Method::PUT,
        &format!("/api/v1/dashboard/{id}"),
        Some(free.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["id"], json!(id));
    assert_eq!(updated["title"], "Free board");
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["url"], json!(format!("/dashboard/{id}/free-board")));
    assert_eq!(updated["created_at"], created["created_at"]);
    assert_eq!(updated["widgets"][0]["id"], 7);
    assert_eq!(updated["widgets"][1]["id"], 8);
    assert_eq!(
        updated["widgets"][1]["layout"],
        free["widgets"][1]["layout"]
    );

    let (_, other) = post(&env, "/api/v1/dashboard", board()).await;
    let other_id = other["id"].as_str().expect("id").to_owned();
    assert_ne!(other_id, id);
    // Touch the first board again so it is the most recently modified.
    free["title"] = json!("Free board 2");
    std::thread::sleep(std::time::Duration::from_millis(5));
    call(
        &env,
        Method::PUT,
        &format!("/api/v1/dashboard/{id}"),
        Some(free),
    )
    .await;

    let (status, list) = get(&env, "/api/v1/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    let rows = list["dashboards"].as_array().expect("dashboards");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], json!(id));
    assert_eq!(rows[1]["id"], json!(other_id));
    let keys: Vec<&str> = rows[1]
        .as_object()
        .expect("row")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "author_handle",
        "created_at",
        "description",
        "id",
        "is_read_only",
        "layout_type",
        "modified_at",
        "title",
        "url",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(
        rows[1]["url"],
        json!(format!("/dashboard/{other_id}/my-board"))
    );
    assert_eq!(rows[1]["is_read_only"], false);

    let (status, deleted) = call(
        &env,
        Method::DELETE,
        &format!("/api/v1/dashboard/{id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, deleted),
        (StatusCode::OK, json!({"deleted_dashboard_id": id}))
    );
    let (status, body) = get(&env, &format!("/api/v1/dashboard/{id}")).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"errors": [format!("Dashboard {id} not found")]})
        )
    );
    for method in [Method::DELETE, Method::PUT] {
        let (status, body) =
            call(&env, method, "/api/v1/dashboard/abc-123-def", Some(board())).await;
        assert_eq!(
            (status, body),
            (
                StatusCode::NOT_FOUND,
                json!({"errors": ["Dashboard abc-123-def not found"]})
            )
        );
    }
    let (_, list) = get(&env, "/api/v1/dashboard").await;
    assert_eq!(list["dashboards"].as_array().map(Vec::len), Some(1));
}

async fn expect_400(env: &Env, method: Method, uri: &str, body: Value, needle: &str) {
    let (status, res) = call(env, method, uri, Some(body.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {res}");
    let msg = res["errors"][0].as_str().unwrap_or_default();
    assert!(
        msg.contains(needle),
        "error for {body} was `{msg}`, expected `{needle}`"
    );
}

#[tokio::test]
async fn bad_dashboards_get_400_naming_the_field() {
    let env = env();
    let url = "/api/v1/dashboard";
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = board();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("title"));
            }),
            "title is required",
        ),
        (with(&|b| b["title"] = json!(3)), "title must be a string"),
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("layout_type"));
            }),
            "layout_type is required",
        ),
        (
            with(&|b| b["layout_type"] = json!("grid")),
            "layout_type must be `ordered` or `free`",
        ),
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("widgets"));
            }),
            "widgets is required",
        ),
        (
            with(&|b| b["widgets"] = json!({})),
            "widgets must be an array",
        ),
        (
            with(&|b| b["widgets"][1] = json!({"id": 1})),
            "widgets[1].definition is required",
        ),
        (
            with(&|b| b["widgets"][1]["definition"] = json!({"title": "x"})),
            "widgets[1].definition.type is required",
        ),
        (
            with(&|b| b["widgets"][0]["definition"]["requests"][0]["q"] = json!("avg:cpu{")),
            "widgets[0].definition.requests[0].q: ",
        ),
        (
            with(&|b| b["layout_type"] = json!("free")),
            "widgets[0].layout is required when layout_type is free",
        ),
        (
            with(&|b| {
                b["layout_type"] = json!("free");
                for w in b["widgets"].as_array_mut().into_iter().flatten() {
                    w["layout"] = json!({"x": 0, "y": 0, "width": 1});
                }
            }),
            "widgets[0].layout.height is required",
        ),
    ];
    for (body, needle) in cases {
        expect_400(&env, Method::POST, url, body.clone(), needle).await;
    }
    let (_, created) = post(&env, url, board()).await;
    let id = created["id"].as_str().expect("id");
    expect_400(
        &env,
        Method::PUT,
        &format!("{url}/{id}"),
        json!({"title": "t", "widgets": []}),
        "layout_type is required",
    )
    .await;

    let req = Request::post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("DD-APPLICATION-KEY", "test-app-key")
        .body(Body::from("{not json"))
        .expect("request");
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(1_100_000));
    let req = Request::post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("DD-APPLICATION-KEY", "test-app-key")
        .body(Body::from(huge))
        .expect("request");
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // The server still serves, and nothing bad was stored.
    let (_, list) = get(&env, url).await;
    assert_eq!(list["dashboards"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn legacy_dash_crud_in_datadogs_shape() {
    let env = env();
    let (status, created) = post(&env, "/api/v1/dash", seed_dash()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let n = created["dash"]["id"].as_i64().expect("numeric id");
    assert_eq!(created["resource"], json!(format!("/api/v1/dash/{n}")));
    assert_eq!(created["url"], json!(format!("/dash/dash/{n}")));
    let dash = &created["dash"];
    assert_eq!(dash["title"], "Seed board");
    assert_eq!(dash["description"], "from a script");
    assert_eq!(dash["graphs"], seed_dash()["graphs"]);
    assert_eq!(
        dash["template_variables"],
        seed_dash()["template_variables"]
    );
    assert_eq!(dash["read_only"], true);
    assert!(
        is_iso8601_utc(&dash["created"]) && is_iso8601_utc(&dash["modified"]),
        "{dash}"
    );
    let keys: Vec<&str> = dash
        .as_object()
        .expect("dash")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 8, "{keys:?}");

    let (status, got) = get(&env, &format!("/api/v1/dash/{n}")).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));

    // It is also a new-style dashboard, listed by both APIs.
    let (_, list) = get(&env, "/api/v1/dashboard").await;
    let row = &list["dashboards"][0];
    assert_eq!(row["title"], "Seed board");
    assert_eq!(row["layout_type"], "ordered");
    assert_eq!(row["is_read_only"], true);
    let id = row["id"].as_str().expect("id");
    let (_, board) = get(&env, &format!("/api/v1/dashboard/{id}")).await;
    assert_eq!(
        board["widgets"],
        json!([{"id": 1, "definition": {"type": "timeseries", "title": "my metric", "requests": [
            {"q": "avg:my_metric{host:ubuntu}", "display_type": "line"},
            {"q": "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)", "display_type": "area"},
            {"q": "avg:my_metric{host:ubuntu}.rollup(sum, 3600)", "display_type": "line"}
        ]}}])
    );
    assert_eq!(
        board["template_variables"],
        json!([{"name": "host1", "prefix": "host", "default": "host:ubuntu"}])
    );

    let (status, list) = get(&env, "/api/v1/dash").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list,
        json!({"dashes": [{
            "id": n.to_string(), "resource": format!("/api/v1/dash/{n}"), "title": "Seed board",
            "description": "from a script", "created": dash["created"], "modified": dash["modified"],
            "read_only": true
        }]})
    );

    // Edited as a new-style dashboard (as the board page saves it), it is still a legacy dash, with
    // the graphs as they now are.
    let mut edited = board.clone();
    for key in ["id", "url", "author_handle", "created_at", "modified_at"] {
        edited.as_object_mut().expect("board").remove(key);
    }
    edited["layout_type"] = json!("free");
    edited["widgets"][0]["layout"] = json!({"x": 0, "y": 0, "width": 6, "height": 3});
    edited["widgets"][0]["definition"]["requests"]
        .as_array_mut()
        .expect("requests")
        .truncate(1);
    let (status, body) = call(
        &env,
        Method::PUT,
        &format!("/api/v1/dashboard/{id}"),
        Some(edited),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, got) = get(&env, &format!("/api/v1/dash/{n}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        got["dash"]["graphs"],
        json!([{"title": "my metric", "definition": {"events": [], "viz": "timeseries",
            "requests": [{"q": "avg:my_metric{host:ubuntu}", "type": "line"}]}}])
    );
    assert_eq!(
        got["dash"]["template_variables"],
        seed_dash()["template_variables"]
    );
    assert_eq!(got["dash"]["read_only"], true);

    let mut changed = seed_dash();
    changed["title"] = json!("Renamed");
    changed["read_only"] = json!(false);
    let (status, updated) = call(
        &env,
        Method::PUT,
        &format!("/api/v1/dash/{n}"),
        Some(changed),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["dash"]["id"], n);
    assert_eq!(updated["dash"]["title"], "Renamed");
    assert_eq!(updated["dash"]["read_only"], false);
    assert_eq!(updated["dash"]["created"], dash["created"]);

    let (status, body) = call(&env, Method::DELETE, &format!("/api/v1/dash/{n}"), None).await;
    assert_eq!((status, body), (StatusCode::OK, Value::Null));
    let missing = json!({"errors": ["No dashboard matches that dash_id."]});
    for (method, uri) in [
        (Method::GET, format!("/api/v1/dash/{n}")),
        (Method::DELETE, format!("/api/v1/dash/{n}")),
        (Method::GET, "/api/v1/dash/abc".to_owned()),
    ] {
        assert_eq!(
            call(&env, method, &uri, None).await,
            (StatusCode::NOT_FOUND, missing.clone())
        );
    }
    let (status, body) = call(&env, Method::PUT, "/api/v1/dash/999", Some(seed_dash())).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, missing));
    let (_, list) = get(&env, "/api/v1/dash").await;
    assert_eq!(list, json!({"dashes": []}));
    let (_, list) = get(&env, "/api/v1/dashboard").await;
    assert_eq!(list, json!({"dashboards": []}));
}

#[tokio::test]
async fn bad_legacy_dashes_get_400_naming_the_field() {
    let env = env();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = seed_dash();
        f(&mut b);
        b
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("title"));
            }),
            "title is required",
        ),
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("description"));
            }),
            "description is required",
        ),
        (
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("graphs"));
            }),
            "graphs is required",
        ),
        (
            with(&|b| b["graphs"][0]["definition"] = Value::Null),
            "graphs[0].definition is required",
        ),
        (
            with(&|b| b["graphs"][0]["definition"]["requests"][1] = json!({"type": "line"})),
            "graphs[0].definition.requests[1].q is required",
        ),
        (
            with(&|b| {
                b["graphs"][0]["definition"]["requests"][1]["q"] =
                    json!("avg:my_metric{host:ubuntu")
            }),
            "graphs[0].definition.requests[1].q: ",
        ),
        (
            with(&|b| b["graphs"][0]["definition"]["requests"][0]["type"] = json!("pie")),
            "graphs[0].definition.requests[0].type must be line, area or bars",
        ),
        (
            with(&|b| b["template_variables"][0] = json!({"prefix": "host"})),
            "template_variables[0].name is required",
        ),
        (
            with(&|b| b["read_only"] = json!("maybe")),
            "read_only must be true or false",
        ),
    ];
    for (body, needle) in cases {
        expect_400(&env, Method::POST, "/api/v1/dash", body, needle).await;
    }
    let (_, list) = get(&env, "/api/v1/dash").await;
    assert_eq!(list, json!({"dashes": []}));
}

#[tokio::test]
async fn a_new_style_dashboard_is_not_a_legacy_dash() {
    let env = env();
    let (_, created) = post(&env, "/api/v1/dashboard", board()).await;
    assert!(created["id"].is_string());
    let (_, list) = get(&env, "/api/v1/dash").await;
    assert_eq!(list, json!({"dashes": []}));
    let (status, _) = get(&env, "/api/v1/dash/1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_application_key_is_refused() {
    let env = env();
    for (method, uri) in [
        (Method::GET, "/api/v1/dashboard"),
        (Method::POST, "/api/v1/dashboard"),
        (Method::GET, "/api/v1/dash"),
        (Method::POST, "/api/v1/dash"),
        (Method::DELETE, "/api/v1/dash/1"),
    ] {
        let req = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("DD-APPLICATION-KEY", "nope")
            .body(Body::from(seed_dash().to_string()))
            .expect("request");
        let res = app(env.state.clone()).oneshot(req).await.expect("response");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {uri}");
        let param = format!("{uri}?application_key=nope");
        let res = app(env.state.clone())
            .oneshot(
                Request::builder()
                    .method(method.clone())
                    .uri(&param)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {param}");
    }
    let req = Request::post("/api/v1/dash")
        .header("DD-APPLICATION-KEY", "test-app-key")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(seed_dash().to_string()))
        .expect("request");
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn queries_with_template_variables_are_stored_and_still_checked() {
    let env = env();
    let body = json!({
        "title": "Templated",
        "layout_type": "free",
        "template_variables": [{"name": "host", "prefix": "host", "default": "ubuntu"}],
        "widgets": [{"definition": {"type": "timeseries", "requests": [
            {"q": "avg:my_metric{$host}"},
            {"q": "anomalies(avg:mysql.performance.cpu_time{$host,env:prod}, 'basic', 2)"}
        ]}, "layout": {"x": 0, "y": 0, "width": 4, "height": 3}}]
    });
    let (status, created) = post(&env, "/api/v1/dashboard", body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created["widgets"][0]["definition"]["requests"][0]["q"],
        "avg:my_metric{$host}"
    );
    // A variable does not excuse a broken query.
    let broken = json!({"title": "t", "layout_type": "ordered", "widgets": [
        {"definition": {"type": "timeseries", "requests": [{"q": "avg:my_metric{$host"}]}}]});
    expect_400(
        &env,
        Method::POST,
        "/api/v1/dashboard",
        broken,
        "widgets[0].definition.requests[0].q",
    )
    .await;
}

#[tokio::test]
async fn note_markdown_is_rendered_and_sanitized() {
    let env = env();
    let text = "# Deploys\n\n<img src=x onerror=alert(1)> [x](javascript:alert(2)) <script>alert(3)</script> **ok**";
    let (status, body) = post(&env, "/api/v1/dogwatch/markdown", json!({ "text": text })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let html = body["html"].as_str().expect("html");
    assert!(html.starts_with("<h1>Deploys</h1>"), "{html}");
    assert!(html.contains("<strong>ok</strong>"), "{html}");
    for bad in ["onerror", "javascript:", "<script", "alert(3)"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    let (status, body) = post(
        &env,
        "/api/v1/dogwatch/markdown",
        json!({ "content": text }),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"errors": ["text is required"]})
        )
    );
}
