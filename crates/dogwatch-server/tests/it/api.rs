//! The HTTP API through `app()` with `oneshot`: exact Datadog shapes in and out, and every bad input
//! answered with the right 4xx and `{"errors": [...]}`, leaving the server able to serve the next request.

use std::io::Write;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use dogwatch_server::app;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{API_KEY, APP_KEY, Env, env, now_secs, send};

fn post(uri: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header("DD-API-KEY", API_KEY)
        .body(body.into())
        .expect("request")
}

/// A read as the API's clients make it, with the application key.
fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .header("DD-APPLICATION-KEY", APP_KEY)
        .body(Body::empty())
        .expect("request")
}

async fn query(env: &Env, q: &str, from: i64, to: i64) -> Value {
    let uri = format!("/api/v1/query?from={from}&to={to}&query={}", urlencode(q));
    let (status, body) = send(env, get(&uri)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn v1_series_is_acknowledged_and_queryable_in_datadogs_shape() {
    let env = env();
    let t = now_secs() - 100;
    let body = json!({"series": [{"metric": "my_metric", "points": [[t, 10.0], [t + 20, 30.0]], "type": "gauge",
                                   "host": "ubuntu", "tags": ["env:test", "region:france"]}]});
    let (status, res) = send(&env, post("/api/v1/series", body.to_string())).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(res, json!({"status": "ok"}));

    let res = query(&env, "avg:my_metric{host:ubuntu}", t - 50, t + 250).await;
    assert_eq!(res["status"], "ok");
    assert_eq!(res["res_type"], "time_series");
    assert_eq!(res["from_date"], (t - 50) * 1000);
    assert_eq!(res["to_date"], (t + 250) * 1000);
    let s = &res["series"][0];
    assert_eq!(s["metric"], "my_metric");
    assert_eq!(s["scope"], "host:ubuntu");
    assert_eq!(s["aggr"], "avg");
    assert_eq!(s["interval"], 1);
    assert_eq!(
        s["pointlist"],
        json!([[t * 1000, 10.0], [(t + 20) * 1000, 30.0]])
    );
    assert_eq!(s["length"], 2);
    assert_eq!(s["attributes"], json!({}));
}

#[tokio::test]
async fn v2_series_is_acknowledged_with_its_own_shape_and_host_resource() {
    let env = env();
    let t = now_secs() - 10;
    let body = json!({"series": [{"metric": "system.load.1", "type": 3, "points": [{"timestamp": t, "value": 0.7}],
                                   "resources": [{"name": "dummyhost", "type": "host"}], "tags": ["env:test"]}]});
    let (status, res) = send(&env, post("/api/v2/series", body.to_string())).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(res, json!({"errors": []}));
    let res = query(
        &env,
        "max:system.load.1{host:dummyhost,env:test}",
        t - 10,
        t + 10,
    )
    .await;
    assert_eq!(res["series"][0]["pointlist"], json!([[t * 1000, 0.7]]));
}

#[tokio::test]
async fn compressed_bodies_are_accepted() {
    let env = env();
    let t = now_secs() - 5;
    let body = json!({"series": [{"metric": "zipped", "points": [[t, 1.0]]}]}).to_string();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(body.as_bytes()).expect("zlib");
    let mut req = post("/api/v1/series", z.finish().expect("zlib"));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "deflate".parse().expect("header"));
    assert_eq!(send(&env, req).await.0, StatusCode::ACCEPTED);

    let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    g.write_all(body.replace("zipped", "gzipped").as_bytes())
        .expect("gzip");
    let mut req = post("/api/v1/series", g.finish().expect("gzip"));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().expect("header"));
    assert_eq!(send(&env, req).await.0, StatusCode::ACCEPTED);

    let res = query(&env, "avg:gzipped{*}", t - 5, t + 5).await;
    assert_eq!(res["series"][0]["pointlist"], json!([[t * 1000, 1.0]]));
}

#[tokio::test]
async fn api_key_is_required_by_header_or_query_parameter() {
    let env = env();
    let body = json!({"series": [{"metric": "m", "points": [[now_secs(), 1.0]]}]}).to_string();
    let no_key = Request::post("/api/v1/series")
        .body(Body::from(body.clone()))
        .expect("request");
    assert_eq!(
        send(&env, no_key).await,
        (StatusCode::FORBIDDEN, json!({"errors": ["Forbidden"]}))
    );
    let wrong = Request::post("/api/v1/series")
        .header("DD-API-KEY", "nope")
        .body(Body::from(body.clone()))
        .expect("request");
    assert_eq!(
        send(&env, wrong).await,
        (StatusCode::FORBIDDEN, json!({"errors": ["Forbidden"]}))
    );
    let by_param = Request::post(format!("/api/v1/series?api_key={API_KEY}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(send(&env, by_param).await.0, StatusCode::ACCEPTED);
    let validate = Request::get("/api/v1/validate")
        .header("DD-API-KEY", API_KEY)
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        send(&env, validate).await,
        (StatusCode::OK, json!({"valid": true}))
    );
}

#[tokio::test]
async fn reads_need_an_application_key_and_a_wrong_one_is_refused() {
    let env = env();
    let t = now_secs();
    let uri = format!("/api/v1/query?from={}&to={t}&query=avg:m{{*}}", t - 60);
    let bare = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
    let forbidden = (StatusCode::FORBIDDEN, json!({"errors": ["Forbidden"]}));
    assert_eq!(send(&env, bare(&uri)).await, forbidden, "no credential");
    assert_eq!(send(&env, get(&uri)).await.0, StatusCode::OK);
    let by_param = format!("{uri}&application_key={APP_KEY}");
    assert_eq!(send(&env, bare(&by_param)).await.0, StatusCode::OK);
    let wrong = Request::get(&uri)
        .header("DD-APPLICATION-KEY", "nope")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&env, wrong).await, forbidden);
    let wrong_param = format!("{uri}&application_key=nope");
    assert_eq!(send(&env, bare(&wrong_param)).await, forbidden);
    // The API key alone is for intake, not reads.
    let api_key_only = Request::get(&uri)
        .header("DD-API-KEY", API_KEY)
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&env, api_key_only).await, forbidden);
}

async fn expect_400(env: &Env, body: &str, needle: &str) {
    let (status, res) = send(env, post("/api/v1/series", body.to_owned())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {res}");
    let msg = res["errors"][0].as_str().unwrap_or_default();
    assert!(
        msg.contains(needle),
        "error for {body} was `{msg}`, expected it to mention `{needle}`"
    );
}

#[tokio::test]
async fn malformed_bodies_get_400_naming_the_problem_and_the_server_stays_up() {
    let env = env();
    let t = now_secs();
    expect_400(&env, "{not json", "invalid JSON").await;
    expect_400(&env, r#"{"series": [{"points": [[1, 2]]}]}"#, "metric").await;
    expect_400(
        &env,
        &format!(r#"{{"series": [{{"metric": "m", "points": [[{t}, "x"]]}}]}}"#),
        "series[0].points[0]",
    )
    .await;
    expect_400(
        &env,
        &format!(r#"{{"series": [{{"metric": "m", "points": [[{t}, 1]], "type": "histo"}}]}}"#),
        "series[0].type",
    )
    .await;
    expect_400(
        &env,
        &format!(r#"{{"series": [{{"metric": "9lives", "points": [[{t}, 1]]}}]}}"#),
        "series[0].metric",
    )
    .await;
    expect_400(
        &env,
        &format!(
            r#"{{"series": [{{"metric": "m", "points": [[{}, 1]]}}]}}"#,
            t + 3600
        ),
        "future",
    )
    .await;
    expect_400(&env, r#"{"serie": []}"#, "serie").await;
    // Nothing of the refused payloads was stored, and good input still works.
    let ok = json!({"series": [{"metric": "m", "points": [[t, 1.0]]}]}).to_string();
    assert_eq!(
        send(&env, post("/api/v1/series", ok)).await.0,
        StatusCode::ACCEPTED
    );
    let res = query(&env, "avg:m{*}", t - 10, t + 10).await;
    assert_eq!(res["series"][0]["pointlist"], json!([[t * 1000, 1.0]]));
}

#[tokio::test]
async fn oversized_payloads_get_413() {
    let env = env();
    let big = format!(
        r#"{{"series": [{{"metric": "m", "points": [], "tags": ["{}"]}}]}}"#,
        "a".repeat(3_300_000)
    );
    let (status, res) = send(&env, post("/api/v1/series", big.clone())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        res["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("larger than")
    );

    // A small deflate body that inflates past 62 MiB (of JSON whitespace).
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(br#"{"series": [{"metric": "m", "points": [], "tags": ["#)
        .expect("zlib");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..63 {
        z.write_all(&chunk).expect("zlib");
    }
    z.write_all(br#"]}]}"#).expect("zlib");
    let mut req = post("/api/v1/series", z.finish().expect("zlib"));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "deflate".parse().expect("header"));
    let (status, res) = send(&env, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{res}");
    assert!(
        res["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("decompressed")
    );

    // A string that would inflate to 20 MB is refused while it streams by, naming where it is.
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(br#"{"series": [{"metric": "m", "points": [], "tags": [""#)
        .expect("gzip");
    z.write_all(&vec![b'a'; 20_000_000]).expect("gzip");
    z.write_all(br#""]}]}"#).expect("gzip");
    let mut req = post("/api/v1/series", z.finish().expect("gzip"));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().expect("header"));
    let (status, res) = send(&env, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{res}");
    assert_eq!(
        res["errors"][0],
        "series[0].tags[0]: a string is longer than 4096 bytes"
    );

    let mut req = post("/api/v1/series", "{}");
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "br".parse().expect("header"));
    assert_eq!(send(&env, req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn query_parameters_are_validated() {
    let env = env();
    let (status, res) = send(&env, get("/api/v1/query?from=10&query=avg:m{*}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(res, json!({"errors": ["missing required parameter `to`"]}));
    let (status, res) = send(
        &env,
        get("/api/v1/query?from=yesterday&to=10&query=avg:m{*}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        res["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("`from`")
    );
    let (status, res) = send(&env, get("/api/v1/query?from=0&to=10&query=avg:m{host:a")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        res["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("column"),
        "{res}"
    );
    let (status, _) = send(&env, get("/api/v1/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn grouped_query_returns_one_series_per_host() {
    let env = env();
    let t = now_secs() - 30;
    let body = json!({"series": [
        {"metric": "cpu", "points": [[t, 10.0]], "host": "a", "tags": ["env:test"]},
        {"metric": "cpu", "points": [[t, 30.0]], "host": "b", "tags": ["env:test"]},
        {"metric": "cpu", "points": [[t, 99.0]], "host": "c", "tags": ["env:prod"]}]});
    assert_eq!(
        send(&env, post("/api/v1/series", body.to_string())).await.0,
        StatusCode::ACCEPTED
    );
    let res = query(&env, "avg:cpu{env:test} by {host}", t - 10, t + 10).await;
    let series = res["series"].as_array().expect("series");
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["tag_set"], json!(["host:a"]));
    assert_eq!(series[1]["tag_set"], json!(["host:b"]));
    assert_eq!(res["group_by"], json!(["host"]));
    let res = query(&env, "sum:cpu{env:test}", t - 10, t + 10).await;
    assert_eq!(res["series"][0]["pointlist"], json!([[t * 1000, 40.0]]));
}

#[tokio::test]
async fn metric_list_and_tags_for_autocomplete() {
    let env = env();
    let t = now_secs();
    let body = json!({"series": [
        {"metric": "b.metric", "points": [[t, 1.0]], "host": "x", "tags": ["env:test"]},
        {"metric": "a.metric", "points": [[t, 1.0]], "host": "y"},
        {"metric": "old.metric", "points": [[t - 7200, 1.0]]}]});
    assert_eq!(
        send(&env, post("/api/v1/series", body.to_string())).await.0,
        StatusCode::ACCEPTED
    );
    let (status, res) = send(&env, get(&format!("/api/v1/metrics?from={}", t - 60))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        res,
        json!({"metrics": ["a.metric", "b.metric"], "from": (t - 60).to_string()})
    );
    let (status, res) = send(&env, get("/api/v2/metrics/b.metric/all-tags")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        res,
        json!({"data": {"type": "metrics", "id": "b.metric", "attributes": {"tags": ["env:test", "host:x"]}}})
    );
    assert_eq!(
        send(&env, get("/api/v2/metrics/nothing/all-tags")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&env, get("/api/v1/metrics")).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn without_a_built_ui_pages_explain_how_to_build_it() {
    let env = env();
    let (status, body) = send(&env, get("/metric/explorer")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // Every error answer is JSON, this one too; its message is the page's text.
    assert!(
        body["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("cargo xtask run"),
        "{body}"
    );
}

#[tokio::test]
async fn the_ui_is_served_with_spa_fallback_compression_and_cache_headers() {
    let mut env = env();
    let ui = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        ui.path().join("index.html"),
        format!("<html>{}</html>", "x".repeat(2000)),
    )
    .expect("write");
    std::fs::write(
        ui.path().join("dogwatch-ui-0123456789abcdef_bg.wasm"),
        vec![0u8; 4096],
    )
    .expect("write");
    env.state.ui_dir = Some(ui.path().to_path_buf());

    let res = app(env.state.clone())
        .oneshot(get("/metric/explorer"))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    let req = Request::get("/dogwatch-ui-0123456789abcdef_bg.wasm")
        .header(header::ACCEPT_ENCODING, "gzip")
        .body(Body::empty())
        .expect("request");
    let res = app(env.state.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn the_seed_queries_evaluate_over_http() {
    let env = env();
    // Whole hours, so the hourly rollup buckets are easy to read.
    let h = (now_secs() / 3600 - 3) * 3600;
    let points: Vec<Value> = (0..12).map(|i| json!([h + i * 900, 1.0])).collect();
    let body = json!({"series": [
        {"metric": "my_metric", "points": points, "host": "ubuntu"},
        {"metric": "postgresql.rows_returned", "points": [[h, 5.0]], "host": "x", "type": "count", "interval": 10},
        {"metric": "mysql.performance.cpu_time", "points": [[h, 40.0], [h + 60, 41.0]], "host": "ubuntu"}]});
    assert_eq!(
        send(&env, post("/api/v1/series", body.to_string())).await.0,
        StatusCode::ACCEPTED
    );

    let res = query(
        &env,
        "avg:my_metric{host:ubuntu}.rollup(sum, 3600)",
        h,
        h + 3 * 3600,
    )
    .await;
    assert_eq!(res["series"][0]["interval"], 3600);
    // Four points of 1.0 in each of the three hours.
    assert_eq!(
        res["series"][0]["pointlist"],
        json!([
            [h * 1000, 4.0],
            [(h + 3600) * 1000, 4.0],
            [(h + 7200) * 1000, 4.0]
        ])
    );

    let res = query(&env, "sum:postgresql.rows_returned{host:x}", h, h + 3600).await;
    assert_eq!(res["series"][0]["pointlist"][0], json!([h * 1000, 5.0]));

    let res = query(
        &env,
        "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)",
        h,
        h + 3600,
    )
    .await;
    let band = &res["series"][0]["band"];
    assert_eq!(band["algorithm"], "basic");
    assert_eq!(
        band["upper"].as_array().map(Vec::len),
        res["series"][0]["pointlist"].as_array().map(Vec::len)
    );

    let res = query(
        &env,
        "avg:my_metric{*}, sum:postgresql.rows_returned{*}",
        h,
        h + 3600,
    )
    .await;
    let indexes: Vec<&Value> = res["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|s| &s["query_index"])
        .collect();
    assert_eq!(indexes, [&json!(0), &json!(1)]);

    let (status, res) = send(
        &env,
        get(&format!(
            "/api/v1/query?from={h}&to={}&query={}",
            h + 60,
            urlencode("avg:my_metric{*}.rolup(sum)")
        )),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        res["errors"][0],
        "invalid query: unknown modifier `rolup` at column 18; did you mean `rollup`?"
    );
}
