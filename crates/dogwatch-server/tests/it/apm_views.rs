//! What the APM views and the trace metrics make of a shop's traces, sent to the real binary as
//! ddtrace's processes would send them: shop-web (Flask) calls price-api over HTTP and sqlite, and
//! its `/fail` raises. Every figure below is worked out by hand from the spans sent.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use dogwatch_core::wire::{ApmResource, ApmService, ApmServices, TraceSearch};

use crate::contract::decodes;
use crate::support::eventually;
use crate::support::real_server::{RealServer, exchange, http};

#[derive(Serialize, Clone)]
struct V04 {
    trace_id: u64,
    span_id: u64,
    parent_id: u64,
    service: String,
    name: String,
    resource: String,
    r#type: String,
    start: i64,
    duration: i64,
    error: i32,
    meta: HashMap<String, String>,
    metrics: HashMap<String, f64>,
}

#[allow(clippy::too_many_arguments)]
fn span(
    trace: u64,
    id: u64,
    parent: u64,
    service: &str,
    name: &str,
    resource: &str,
    kind: &str,
    start_ns: i64,
    ms: i64,
) -> V04 {
    V04 {
        trace_id: trace,
        span_id: id,
        parent_id: parent,
        service: service.to_owned(),
        name: name.to_owned(),
        resource: resource.to_owned(),
        r#type: kind.to_owned(),
        start: start_ns,
        duration: ms * 1_000_000,
        error: 0,
        meta: HashMap::from([("env".to_owned(), "test".to_owned())]),
        metrics: HashMap::new(),
    }
}

fn put_v04(addr: &str, chunks: &[Vec<V04>]) {
    let body = rmp_serde::to_vec_named(chunks).expect("msgpack");
    let mut request = format!(
        "PUT /v0.4/traces HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/msgpack\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let (status, _, answer) = exchange(addr, &request);
    assert_eq!(status, 200, "{answer}");
}

fn get(server: &RealServer, path: &str) -> Value {
    let (status, answer) = http(&server.http, "GET", path, None);
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

const MS: i64 = 1_000_000;

/// The sum of an answer's points (each series).
fn total(answer: &Value) -> f64 {
    answer["series"]
        .as_array()
        .expect("series")
        .iter()
        .flat_map(|s| s["pointlist"].as_array().expect("points").clone())
        .filter_map(|p| p[1].as_f64())
        .sum()
}

#[test]
fn services_resources_calls_search_and_trace_metrics_of_a_two_service_shop() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &["--eval-interval", "1"]);
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    // On a minute, so that every span falls in one minute's latency sketch.
    let base_ns = (now_s - 180) / 60 * 60 * 1_000_000_000;

    // Five checkouts (10, 20, 30, 40, 100 ms), each with a sqlite query (2 ms) and an HTTP call
    // (5 ms) to price-api, whose own process sends its span (4 ms) in its own payload; two /fail
    // (5 and 7 ms) that raise, each with a sqlite query.
    let mut web = Vec::new();
    let mut prices = Vec::new();
    for (i, ms) in [10, 20, 30, 40, 100].into_iter().enumerate() {
        let t = 100 + i as u64;
        let start = base_ns + i as i64 * 1_000 * MS;
        let mut root = span(
            t,
            1,
            0,
            "shop-web",
            "flask.request",
            "GET /checkout",
            "web",
            start,
            ms,
        );
        root.meta
            .insert("http.status_code".to_owned(), "200".to_owned());
        // A deploy between the third and the fourth checkout.
        root.meta.insert(
            "version".to_owned(),
            (if i < 3 { "1.0" } else { "2.0" }).to_owned(),
        );
        root.meta.insert(
            "http.url".to_owned(),
            format!("http://shop/checkout?order={i}"),
        );
        web.push(vec![
            root,
            span(
                t,
                2,
                1,
                "sqlite",
                "sqlite.query",
                "SELECT ?",
                "sql",
                start + MS,
                2,
            ),
            span(
                t,
                3,
                1,
                "shop-web",
                "requests.request",
                "GET /price",
                "http",
                start + 3 * MS,
                5,
            ),
        ]);
        prices.push(vec![span(
            t,
            4,
            3,
            "price-api",
            "flask.request",
            "GET /price",
            "web",
            start + 4 * MS,
            4,
        )]);
    }
    for (i, ms) in [5, 7].into_iter().enumerate() {
        let t = 200 + i as u64;
        let start = base_ns + (10 + i as i64) * 1_000 * MS;
        let mut root = span(
            t,
            1,
            0,
            "shop-web",
            "flask.request",
            "GET /fail",
            "web",
            start,
            ms,
        );
        root.error = 1;
        root.meta
            .insert("http.status_code".to_owned(), "500".to_owned());
        root.meta
            .insert("error.msg".to_owned(), "<script>x</script>".to_owned());
        web.push(vec![
            root,
            span(
                t,
                2,
                1,
                "sqlite",
                "sqlite.query",
                "SELECT ?",
                "sql",
                start + MS,
                2,
            ),
        ]);
    }
    put_v04(&server.apm, &web);
    put_v04(&server.apm, &prices);
    // A tracer retrying a payload whose answer it lost: counted once.
    put_v04(&server.apm, &web);

    let window = format!("from={}&to={}", now_s - 600, now_s + 60);
    let services = get(&server, &format!("/api/v1/dogwatch/apm/services?{window}"));
    decodes::<ApmServices>("services", &services);
    let rows: HashMap<&str, &Value> = services["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| (s["service"].as_str().expect("name"), s))
        .collect();
    let mut names: Vec<&str> = rows.keys().copied().collect();
    names.sort_unstable();
    assert_eq!(names, ["price-api", "shop-web", "sqlite"], "{services}");
    assert_eq!(services["envs"], json!(["test"]));
    let web_row = rows["shop-web"];
    assert_eq!(
        (&web_row["stats"]["hits"], &web_row["stats"]["errors"]),
        (&json!(7), &json!(2))
    );
    assert_eq!(web_row["name"], "flask.request");
    assert_eq!(web_row["type"], "web");
    // Sorted: 5 7 10 20 30 40 100 ms. Nearest rank: p50 = 4th, p99 = 7th.
    assert_eq!(web_row["stats"]["p50_ns"], 20 * MS);
    assert_eq!(web_row["stats"]["p99_ns"], 100 * MS);
    assert_eq!(web_row["stats"]["max_ns"], 100 * MS);
    assert!((web_row["error_rate"].as_f64().expect("rate") - 2.0 / 7.0).abs() < 1e-9);
    // Apdex at 0.5 s: all satisfied but the two failures.
    assert!((web_row["apdex"].as_f64().expect("apdex") - 5.0 / 7.0).abs() < 1e-9);
    assert_eq!(rows["price-api"]["stats"]["hits"], 5);
    assert_eq!(rows["sqlite"]["stats"]["hits"], 7);
    let sparkline: u64 = web_row["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["stats"]["hits"].as_u64().expect("hits"))
        .sum();
    assert_eq!(sparkline, 7);
    let other_env = get(
        &server,
        &format!("/api/v1/dogwatch/apm/services?{window}&env=prod"),
    );
    assert_eq!(other_env["services"], json!([]));

    let page = get(
        &server,
        &format!("/api/v1/dogwatch/apm/services/shop-web?{window}"),
    );
    decodes::<ApmService>("a service", &page);
    let resources: HashMap<&str, &Value> = page["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| (r["resource"].as_str().expect("resource"), r))
        .collect();
    assert_eq!(resources["GET /checkout"]["stats"]["hits"], 5);
    // 10 20 30 40 100: p50 = 3rd.
    assert_eq!(resources["GET /checkout"]["stats"]["p50_ns"], 30 * MS);
    assert_eq!(resources["GET /checkout"]["stats"]["total_ns"], 200 * MS);
    assert_eq!(resources["GET /fail"]["error_rate"], 1.0);
    let calls: Vec<(&str, &str, u64)> = page["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| {
            (
                c["type"].as_str().expect("type"),
                c["resource"].as_str().expect("resource"),
                c["stats"]["hits"].as_u64().expect("hits"),
            )
        })
        .collect();
    assert_eq!(calls, [("http", "GET /price", 5), ("sql", "SELECT ?", 7)]);
    // Exec time: shop-web's roots, 212 ms less their children's 7×2 + 5×5 ms, plus its HTTP
    // spans' 5×1 ms not covered by price-api; price-api 5×4; sqlite 7×2.
    let shares: HashMap<&str, i64> = page["downstream"]
        .as_array()
        .expect("downstream")
        .iter()
        .map(|t| {
            (
                t["service"].as_str().expect("service"),
                t["exec_ns"].as_i64().expect("ns"),
            )
        })
        .collect::<Vec<_>>()
        .into_iter()
        .fold(HashMap::new(), |mut m, (s, ns)| {
            *m.entry(s).or_default() += ns;
            m
        });
    assert_eq!(shares["shop-web"], (212 - 14 - 25 + 5) * MS);
    assert_eq!(shares["price-api"], 20 * MS);
    assert_eq!(shares["sqlite"], 14 * MS);
    assert_eq!(page["traces_read"], 7);
    assert_eq!(page["histogram"][0]["lower_ns"], 5 * MS);
    let (status, missing) = http(
        &server.http,
        "GET",
        &format!("/api/v1/dogwatch/apm/services/nobody?{window}"),
        None,
    );
    assert_eq!(status, 404, "{missing}");

    let query = |q: &str| {
        get(
            &server,
            &format!(
                "/api/v1/query?from={}&to={}&query={}",
                now_s - 600,
                now_s + 60,
                q.replace('{', "%7B")
                    .replace('}', "%7D")
                    .replace(' ', "%20")
                    .replace(',', "%2C")
            ),
        )
    };
    let resource = get(
        &server,
        &format!(
            "/api/v1/dogwatch/apm/resource?service=shop-web&resource=GET%20/checkout&{window}"
        ),
    );
    decodes::<ApmResource>("a resource", &resource);
    assert_eq!(resource["summary"]["stats"]["hits"], 5);
    assert_eq!(resource["traces"][0]["duration_ns"], 100 * MS);
    let price_rows: Vec<&Value> = resource["span_summary"]
        .as_array()
        .expect("summary")
        .iter()
        .filter(|r| r["service"] == "price-api")
        .collect();
    assert_eq!(price_rows.len(), 1, "{resource}");
    assert_eq!(price_rows[0]["avg_spans_per_trace"], 1.0);
    assert_eq!(price_rows[0]["trace_share"], 1.0);
    assert_eq!(price_rows[0]["avg_duration_ns"], 4 * MS);
    assert_eq!(resource["versions"], json!(["1.0", "2.0"]));
    let deploy = get(
        &server,
        &format!(
            "/api/v1/dogwatch/apm/resource?service=shop-web&resource=GET%20/checkout&version=2.0&{window}"
        ),
    );
    decodes::<ApmResource>("a version of a resource", &deploy);
    // The 40 and 100 ms checkouts.
    assert_eq!(deploy["summary"]["stats"]["hits"], 2);
    assert_eq!(deploy["summary"]["stats"]["p50_ns"], 40 * MS);
    assert_eq!(deploy["version"], "2.0");
    assert_eq!(
        total(&query(
            "sum:trace.flask.request.hits{resource_name:get_/checkout,version:1.0}.as_count()"
        )),
        3.0
    );

    let search = |q: &str| {
        let found = get(
            &server,
            &format!("/api/v1/dogwatch/apm/traces?{window}&{q}"),
        );
        decodes::<TraceSearch>("a search", &found);
        found["traces"]
            .as_array()
            .expect("traces")
            .iter()
            .map(|t| {
                (
                    t["service"].as_str().expect("s").to_owned(),
                    t["resource"].as_str().expect("r").to_owned(),
                    t["duration_ns"].as_i64().expect("d") / MS,
                )
            })
            .collect::<Vec<_>>()
    };
    let fail = |ms| ("shop-web".to_owned(), "GET /fail".to_owned(), ms);
    assert_eq!(search("status=error"), [fail(7), fail(5)]);
    assert_eq!(search("tags=http.status_code:5*"), [fail(7), fail(5)]);
    assert_eq!(
        search("service=shop-web&min_ms=30&max_ms=40").len(),
        2,
        "30 and 40 ms"
    );
    assert_eq!(search("tags=http.url:*order=3*").len(), 1);
    assert_eq!(search("service=price-api&limit=2").len(), 2);
    let (status, err) = http(
        &server.http,
        "GET",
        &format!("/api/v1/dogwatch/apm/traces?{window}&status=maybe"),
        None,
    );
    assert_eq!(status, 400, "{err}");
    assert!(err["errors"][0].as_str().expect("msg").contains("status"));

    // The trace metrics, queried and alerted on like any metric; the retried payload counted once.
    assert_eq!(
        total(&query("sum:trace.flask.request.hits{*}.as_count()")),
        12.0
    );
    assert_eq!(
        total(&query(
            "sum:trace.flask.request.hits{service:shop-web}.as_count()"
        )),
        7.0
    );
    assert_eq!(
        total(&query(
            "sum:trace.flask.request.errors{resource_name:get_/fail}.as_count()"
        )),
        2.0
    );
    let duration = total(&query(
        "sum:trace.flask.request.duration{service:shop-web,http.status_code:200}.as_count()",
    ));
    assert!((duration - 0.2).abs() < 1e-9, "{duration}");

    // Percentiles from the minute's DDSketch (1 % relative error; its rank is ⌊q·(n−1)⌋): the
    // 1.0 checkouts took 10, 20 and 30 ms. Counted twice (the retried payload), the 95th would be 30.
    let gauge = |q: &str| {
        let answer = query(q);
        let points: Vec<f64> = answer["series"][0]["pointlist"]
            .as_array()
            .expect("points")
            .iter()
            .filter_map(|p| p[1].as_f64())
            .collect();
        assert_eq!(points.len(), 1, "{answer}");
        points[0]
    };
    let v1 = "{resource_name:get_/checkout,version:1.0}";
    let median = gauge(&format!("avg:trace.flask.request.duration.median{v1}"));
    assert!((median - 0.02).abs() < 0.0002, "{median}");
    let p95 = gauge(&format!(
        "avg:trace.flask.request.duration.95percentile{v1}"
    ));
    assert!((p95 - 0.02).abs() < 0.0002, "{p95}");
    let max = gauge(&format!("avg:trace.flask.request.duration.max{v1}"));
    assert!((max - 0.03).abs() < 1e-12, "{max}");

    let (status, monitor) = http(
        &server.http,
        "POST",
        "/api/v1/monitor",
        Some(&json!({
            "type": "query alert",
            "name": "shop traffic",
            "query": "sum(last_1h):sum:trace.flask.request.hits{service:shop-web}.as_count() > 6",
            "message": "busy",
        })),
    );
    assert_eq!(status, 200, "{monitor}");
    let id = monitor["id"].as_i64().expect("id");
    eventually(20, "the trace-metric monitor alerting", || {
        http(
            &server.http,
            "GET",
            &format!("/api/v1/dogwatch/monitor/{id}/history"),
            None,
        )
        .1["overall_state"]
            == "Alert"
    });
}
