//! The real binary as an attacker or a careless client would use it: half-sent requests, oversized
//! heads, other hosts, cross-site writes, slow bodies, the files it leaves on disk.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::real_server::{RealServer, exchange, raw_http};
use crate::support::{self, eventually, first_error, now_secs};

/// A GET with the keys, as raw bytes, with `extra` header lines.
fn get(addr: &str, path: &str, extra: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nDD-API-KEY: k\r\nDD-APPLICATION-KEY: a\r\n{extra}\r\n"
    )
    .into_bytes()
}

#[test]
fn half_sent_requests_are_closed_by_the_header_timeout_while_others_are_served() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &["--header-timeout", "2"]);
    let started = Instant::now();
    let mut hanging: Vec<TcpStream> = (0..1000)
        .map(|_| {
            let mut s = TcpStream::connect(&server.http).expect("connect");
            s.write_all(b"GET /api/v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .expect("half a request");
            s
        })
        .collect();
    // A whole request is still answered while they hang.
    let (status, _) = raw_http(&server.http, ("k", None), "GET", "/api/v1/validate", "");
    assert_eq!(status, 200);
    for s in &mut hanging {
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut buf = [0u8; 64];
        // Closed: end of file (or a reset); a timeout would be an error of kind WouldBlock.
        match s.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => panic!(
                "a half-sent request was answered: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        }
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "1,000 half-sent requests were held {took:?} with a 2 s header timeout"
    );
}

#[test]
fn connections_over_the_limit_wait_until_a_slot_frees() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(
        data.path(),
        &["--max-connections", "4", "--header-timeout", "2"],
    );
    // Four idle connections hold every slot.
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(&server.http).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut fifth = TcpStream::connect(&server.http).expect("the kernel still accepts");
    fifth
        .write_all(&get(&server.http, "/api/v1/validate", ""))
        .expect("write");
    fifth
        .set_read_timeout(Some(Duration::from_millis(1000)))
        .expect("timeout");
    let mut buf = [0u8; 64];
    let early = fifth.read(&mut buf);
    assert!(
        early.is_err(),
        "answered while all four slots were taken: {early:?}"
    );
    // The idle ones are closed by the header timeout; then the fifth is served.
    fifth
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = fifth.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    drop(idle);
}

#[test]
fn oversized_and_malformed_request_heads_are_answered_in_json() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    let addr = &server.http;
    let long_path = |n: usize| format!("/api/v1/query?query={}", "a".repeat(n));
    // Caught by the middleware (over 16 KiB) and by hyper itself (over 64 KiB).
    for n in [20_000, 70_000] {
        let (status, head, body) = exchange(addr, &get(addr, &long_path(n), ""));
        assert_eq!(status, 414, "{head}");
        assert!(head.contains("application/json"), "{head}");
        assert!(first_error(&body).contains("request target"), "{body}");
    }
    let big_header = format!("X-Big: {}\r\n", "b".repeat(40_000));
    let huge_header = format!("X-Big: {}\r\n", "b".repeat(200_000));
    let many = |n: usize| (0..n).map(|i| format!("X-H{i}: v\r\n")).collect::<String>();
    for extra in [big_header, huge_header, many(150), many(500)] {
        let (status, head, body) = exchange(addr, &get(addr, "/api/v1/validate", &extra));
        assert_eq!(status, 431, "{head}");
        assert!(head.contains("application/json"), "{head}");
        assert!(!first_error(&body).is_empty(), "{body}");
    }
    let (status, head, body) = exchange(addr, b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(status, 400, "{head}");
    assert!(!first_error(&body).is_empty(), "{body}");
    // The server is still there.
    let (status, _) = raw_http(addr, ("k", None), "GET", "/api/v1/validate", "");
    assert_eq!(status, 200);
}

#[test]
fn a_body_sent_too_slowly_gets_a_json_408() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &["--request-timeout", "1"]);
    let mut s = TcpStream::connect(&server.http).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let head = format!(
        "POST /api/v1/series HTTP/1.1\r\nHost: {}\r\nDD-API-KEY: k\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"series\"",
        server.http
    );
    s.write_all(head.as_bytes()).expect("write");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    assert!(raw.starts_with("HTTP/1.1 408 "), "{raw}");
    assert!(raw.contains("--request-timeout"), "{raw}");
}

#[test]
fn a_request_naming_another_host_is_refused() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(
        data.path(),
        &["--public-url", "https://dogwatch.example.com"],
    );
    let addr = &server.http;
    let with_host = |host: &str| {
        format!("GET /api/v1/metrics?from=0 HTTP/1.1\r\nHost: {host}\r\nDD-APPLICATION-KEY: a\r\nConnection: close\r\n\r\n")
            .into_bytes()
    };
    let (status, _, body) = exchange(addr, &with_host("evil.example"));
    assert_eq!(status, 403);
    assert!(first_error(&body).contains("evil.example"), "{body}");
    let port = addr.rsplit(':').next().expect("port");
    for ok in [
        addr.to_owned(),
        format!("localhost:{port}"),
        "dogwatch.example.com".to_owned(),
    ] {
        let (status, _, body) = exchange(addr, &with_host(&ok));
        assert_eq!(status, 200, "{ok}: {body}");
    }
}

#[test]
fn a_new_data_dir_and_its_files_are_private_and_keys_can_come_from_files() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = root.path().join("data");
    let key_file = root.path().join("api.key");
    std::fs::write(&key_file, "secret-from-a-file\n").expect("key file");
    let server = RealServer::start(
        &data,
        &["--api-key-file", key_file.to_str().expect("utf-8")],
    );
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&data), 0o700);
    for file in [
        "dogwatch.sqlite3",
        "dogwatch.sqlite3-wal",
        "dogwatch.sqlite3-shm",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    // It restarted itself with a bounded number of malloc arenas (main.rs), as the same process.
    let environ = std::fs::read(format!("/proc/{}/environ", server.pid())).expect("environ");
    assert!(
        String::from_utf8_lossy(&environ).contains("MALLOC_ARENA_MAX="),
        "no arena limit"
    );
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", server.pid())).expect("cmdline");
    assert!(
        !String::from_utf8_lossy(&cmdline).contains("secret-from-a-file"),
        "the key is on the command line"
    );
    let (status, _) = raw_http(
        &server.http,
        ("secret-from-a-file", None),
        "GET",
        "/api/v1/validate",
        "",
    );
    assert_eq!(status, 200);
}

/// A write to the API as a browser page (with its session cookie) or a script (with the application
/// key) might send it.
async fn write_from(
    env: &support::Env,
    content_type: Option<&str>,
    origin: Option<&str>,
    as_script: bool,
) -> (u16, Value) {
    use axum::body::Body;
    use axum::http::Request;
    let mut req = Request::post("/api/v1/dashboard").header("host", "127.0.0.1:8600");
    if as_script {
        req = req.header("DD-APPLICATION-KEY", support::APP_KEY);
    } else {
        let token = env.admin_session().await;
        req = req.header("cookie", format!("dogwatch_session={token}"));
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let body = r#"{"title":"from a page","layout_type":"ordered","widgets":[]}"#;
    let (status, body) = support::send(env, req.body(Body::from(body)).expect("request")).await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn api_writes_must_be_same_site_json() {
    let env = support::env();
    let own = Some("http://127.0.0.1:8600");
    // What an HTML form or a simple cross-site fetch can send.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, body) = write_from(&env, Some(ct), own, false).await;
        assert_eq!(status, 415, "{ct}: {body}");
        assert!(first_error(&body).contains("application/json"), "{body}");
    }
    let (status, _) = write_from(&env, None, own, false).await;
    assert_eq!(status, 415, "a body without a Content-Type");
    // A page of another site posting with the user's valid session cookie.
    for ct in ["application/json", "text/plain"] {
        let (status, body) = write_from(&env, Some(ct), Some("http://evil.example"), false).await;
        assert_eq!(status, 403, "{body}");
        assert!(first_error(&body).contains("evil.example"), "{body}");
    }
    // A cookie-carrying change that does not say where it comes from is refused too.
    let (status, body) = write_from(&env, Some("application/json"), None, false).await;
    assert_eq!(status, 403, "{body}");
    assert!(first_error(&body).contains("session cookie"), "{body}");
    // The UI's own writes (same origin) and scripts' (a key, no origin) go through.
    let (status, body) =
        write_from(&env, Some("application/json; charset=utf-8"), own, false).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = write_from(&env, Some("application/json"), None, true).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_errors_are_json() {
    use axum::body::Body;
    use axum::http::Request;
    let mut env = support::env();
    let ui = tempfile::tempdir().expect("tempdir");
    std::fs::write(ui.path().join("index.html"), "<html></html>").expect("write");
    env.state.ui_dir = Some(ui.path().to_path_buf());
    let app = || dogwatch_server::app(env.state.clone());
    let res =
        tower::ServiceExt::oneshot(app(), Request::get("/").body(Body::empty()).expect("req"))
            .await
            .expect("response");
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().expect("csp");
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "no-referrer");
    // axum's own 405 and a path it cannot decode come back in Datadog's shape too.
    let (status, body) = support::send(
        &env,
        Request::patch("/api/v1/monitor/1")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(status.as_u16(), 405);
    assert_eq!(first_error(&body), "Method Not Allowed", "{body}");
    let (status, body) = support::get(&env, "/api/v1/monitor/not-a-number").await;
    assert!(status.is_client_error(), "{status}");
    assert!(!first_error(&body).is_empty(), "{body}");
}

// ---- the query budget ---------------------------------------------------------------------------

/// `budget.metric{host:h}` = 1.0 every 10 s over the last `n × 10` seconds.
async fn feed_points(env: &support::Env, n: i64) {
    use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
    let key = SeriesKey {
        metric: "budget.metric".into(),
        tags: TagSet::from_tags(["host:h"]),
    };
    let end = now_secs() - 60;
    let samples = (0..n)
        .map(|i| Sample {
            key: key.clone(),
            kind: MetricType::Gauge,
            interval_secs: None,
            ts_secs: end - i * 10,
            value: 1.0,
        })
        .collect();
    env.state.store.write_samples(samples).await.expect("write");
}

#[tokio::test]
async fn a_query_over_its_budget_gets_422_saying_which_limit_and_how_to_narrow_it() {
    let mut env = support::env();
    // 400 comma-separated queries over a year: refused before anything is read.
    let year_ago = now_secs() - 365 * 86_400;
    let many = vec!["avg:budget.metric{*}"; 400].join(",");
    let (status, body) = support::get(
        &env,
        &format!(
            "/api/v1/query?from={year_ago}&to={}&query={many}",
            now_secs()
        ),
    )
    .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert!(
        first_error(&body).contains("400 comma-separated queries"),
        "{body}"
    );

    feed_points(&env, 1_000).await;
    let day = format!(
        "/api/v1/query?from={}&to={}&query=avg:budget.metric{{*}}",
        now_secs() - 86_400,
        now_secs()
    );
    env.state.query.max_points = 500;
    let (status, body) = support::get(&env, &day).await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert!(first_error(&body).contains("--query-max-points"), "{body}");
    assert!(first_error(&body).contains("narrow"), "{body}");
    // Within the budget it answers.
    env.state.query.max_points = 1_000;
    let (status, body) = support::get(&env, &day).await;
    assert_eq!(status.as_u16(), 200, "{body}");
}

#[tokio::test]
async fn a_monitor_over_its_budget_reports_an_evaluation_error_and_keeps_its_state() {
    use dogwatch_server::budget::QueryLimits;
    use dogwatch_server::evaluator::run_cycle_within;
    let env = support::env();
    feed_points(&env, 100).await;
    let id = support::create_monitor(
        &env,
        serde_json::json!({
            "type": "metric alert",
            "query": "avg(last_1h):avg:budget.metric{*} > 0.5",
            "name": "budget",
            "message": "m",
        }),
    )
    .await;
    let (_, before) = support::get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    let now_ms = now_secs() * 1000;
    let tight = QueryLimits {
        max_points: 10,
        ..QueryLimits::default()
    };
    run_cycle_within(&env.state.store, tight, now_ms)
        .await
        .expect("cycle");
    let (_, m) = support::get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    let error = m["evaluation_error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("--query-max-points"), "{m}");
    assert!(m["evaluation_error"]["since"].is_string(), "{m}");
    // Not evaluated, so not alerting either: the monitor keeps the state it had.
    assert_eq!(m["overall_state"], before["overall_state"], "{m}");

    run_cycle_within(&env.state.store, QueryLimits::default(), now_ms + 60_000)
        .await
        .expect("cycle");
    let (_, m) = support::get_app(&env, &format!("/api/v1/monitor/{id}")).await;
    assert_eq!(m["evaluation_error"], Value::Null, "{m}");
    assert_eq!(m["overall_state"], "Alert", "{m}");
}

/// A data dir whose `budget.metric{host:h}` has `n` points, 10 s apart, ending a minute ago: one
/// point through the store (which makes the series), the rest in one SQL statement (fast even in
/// a debug build).
async fn heavy_data_dir(n: i64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let env = support::env_in(dir.path());
        feed_points(&env, 1).await;
        env.state.store.close().await;
    }
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite3")).expect("open");
    let end = now_secs() - 70;
    conn.execute(
        "INSERT INTO points (series_id, ts, value)
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1)
         SELECT (SELECT id FROM series WHERE metric = 'budget.metric'), ?2 - i * 10, 1.0 FROM c",
        rusqlite::params![n, end],
    )
    .expect("bulk insert");
    std::fs::rename(
        dir.path().join("db.sqlite3"),
        dir.path().join("dogwatch.sqlite3"),
    )
    .expect("rename");
    dir
}

/// The CPU seconds a process has used so far (user + system, from /proc).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')').expect(")") + 2..].split(' ').collect();
    let ticks: f64 =
        fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
    ticks / 100.0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_query_stops_at_its_deadline_and_when_its_client_goes_away() {
    let data = heavy_data_dir(2_000_000).await;
    let year_ago = now_secs() - 360 * 86_400;
    let heavy = vec!["avg:budget.metric{*}"; 60].join(",");
    let path = format!(
        "/api/v1/query?from={year_ago}&to={}&query={heavy}",
        now_secs()
    );

    let server = RealServer::start(
        data.path(),
        &["--query-timeout", "1", "--query-max-points", "1000000000"],
    );
    let started = Instant::now();
    let (status, _, body) = exchange(&server.http, &get(&server.http, &path, ""));
    assert_eq!(status, 422, "{body}");
    assert!(first_error(&body).contains("--query-timeout"), "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    drop(server);

    let server = RealServer::start(
        data.path(),
        &["--query-timeout", "600", "--query-max-points", "1000000000"],
    );
    let mut s = TcpStream::connect(&server.http).expect("connect");
    s.write_all(&get(&server.http, &path, "")).expect("write");
    std::thread::sleep(Duration::from_millis(1500));
    let busy = cpu_secs(server.pid());
    drop(s);
    // The evaluation sees the cancel flag within a few thousand rows; give it a moment.
    std::thread::sleep(Duration::from_millis(500));
    let after_cancel = cpu_secs(server.pid());
    std::thread::sleep(Duration::from_secs(2));
    let idle = cpu_secs(server.pid()) - after_cancel;
    assert!(
        busy > 0.5,
        "the query did not run long enough to show anything ({busy} s of CPU)"
    );
    assert!(
        idle < 0.3,
        "{idle} s of CPU in the 2 s after the client left: the query kept running"
    );
}

// ---- markdown ---------------------------------------------------------------------------------

fn post_note(addr: &str, text: &str) -> (u16, Value) {
    let body = serde_json::json!({ "text": text }).to_string();
    raw_http(
        addr,
        ("k", Some("a")),
        "POST",
        "/api/v1/dogwatch/markdown",
        &body,
    )
}

#[test]
fn nested_markdown_is_refused_and_rendering_never_stalls_other_requests() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    let addr = server.http.clone();

    let started = Instant::now();
    let (status, body) = post_note(&addr, &">".repeat(250_000));
    assert_eq!(status, 400, "{body}");
    assert!(first_error(&body).contains("65536 bytes"), "{body}");
    let (status, body) = post_note(&addr, &">".repeat(60_000));
    assert_eq!(status, 400, "{body}");
    assert!(
        first_error(&body).contains("more than 100 levels deep"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // The heaviest notes accepted (64 KiB, nested 100 deep), eight at once, while GETs go on.
    let deepest = format!("{}{}", ">".repeat(98), "*a* <b>x</b> ".repeat(5_000));
    let deepest: String = deepest.chars().take(64 * 1024).collect();
    let notes: Vec<_> = (0..8)
        .map(|_| {
            let (addr, note) = (addr.clone(), deepest.clone());
            std::thread::spawn(move || post_note(&addr, &note))
        })
        .collect();
    let mut gets: Vec<Duration> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let (status, _) = raw_http(&addr, ("k", None), "GET", "/api/v1/validate", "");
            assert_eq!(status, 200);
            std::thread::sleep(Duration::from_millis(50));
            t.elapsed() - Duration::from_millis(50)
        })
        .collect();
    for n in notes {
        let (status, body) = n.join().expect("thread");
        // Rendered, or told to wait when the queue is longer than the deadline.
        assert!(status == 200 || status == 422, "{status} {body}");
    }
    gets.sort();
    assert!(
        gets[2] < Duration::from_millis(100),
        "GETs took {gets:?} while notes were rendered"
    );
}

// ---- intake memory ------------------------------------------------------------------------------

/// The most memory the process has held at once so far (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kib / 1024.0
}

/// `body` gzipped, posted to `/api/v1/series`: the status and the answer.
fn post_gzipped(addr: &str, body: &[u8]) -> (u16, Value) {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(body).expect("gzip");
    let gz = z.finish().expect("gzip");
    assert!(gz.len() <= 3_200_000, "{} bytes compressed", gz.len());
    let mut request = format!(
        "POST /api/v1/series HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nDD-API-KEY: k\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        gz.len()
    )
    .into_bytes();
    request.extend_from_slice(&gz);
    let (status, _, body) = exchange(addr, &request);
    (status, body)
}

#[test]
fn the_largest_accepted_payloads_keep_memory_bounded() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &[]);
    let addr = &server.http;
    let t = now_secs() - 60;
    // Warm up: the first request sets up the store's connections and caches.
    let (status, body) = post_gzipped(
        addr,
        format!(r#"{{"series":[{{"metric":"warm","points":[[{t},1]]}}]}}"#).as_bytes(),
    );
    assert_eq!(status, 202, "{body}");
    let idle = peak_rss_mib(server.pid());

    // The amplification payload: one series with 1,000 tags and 10,000 points (0.17 MB), ten times.
    let tags: Vec<String> = (0..1000).map(|i| format!("tag{i}:v")).collect();
    let points: Vec<String> = (0..10_000).map(|i| format!("[{},{i}]", t - i)).collect();
    let amplification = format!(
        r#"{{"series":[{{"metric":"amplified","tags":{},"points":[{}]}}]}}"#,
        serde_json::to_string(&tags).expect("tags"),
        points.join(",")
    );
    for _ in 0..10 {
        let (status, body) = post_gzipped(addr, amplification.as_bytes());
        assert_eq!(status, 202, "{body}");
    }
    // 62 MiB decompressed: four series of 1,000,000 points each (the most a series may have).
    let mut big = String::from(r#"{"series":["#);
    for s in 0..4 {
        if s > 0 {
            big.push(',');
        }
        big.push_str(&format!(r#"{{"metric":"big","host":"h{s}","points":["#));
        big.push_str(&vec![format!("[{t},1]"); 1_000_000].join(","));
        big.push_str("]}");
    }
    big.push_str("]}");
    assert!(
        big.len() > 50 << 20 && big.len() <= 62 << 20,
        "{}",
        big.len()
    );
    let (status, body) = post_gzipped(addr, big.as_bytes());
    assert_eq!(status, 202, "{body}");
    // And as many distinct series as fit, each with 1,000 tags of 200 characters.
    let filler = "x".repeat(190);
    let mut wide = String::from(r#"{"series":["#);
    for s in 0..280 {
        if s > 0 {
            wide.push(',');
        }
        let tags: Vec<String> = (0..1000).map(|j| format!("k{j}:{s}{filler}")).collect();
        wide.push_str(&format!(
            r#"{{"metric":"wide","points":[[{t},1]],"tags":{}}}"#,
            serde_json::to_string(&tags).expect("tags")
        ));
    }
    wide.push_str("]}");
    let (status, body) = post_gzipped(addr, wide.as_bytes());
    assert_eq!(status, 202, "{body}");

    let grown = peak_rss_mib(server.pid()) - idle;
    assert!(
        grown < 64.0,
        "peak memory grew by {grown:.1} MiB over idle ({idle:.1} MiB)"
    );
    // All of it was stored.
    let (status, q) = raw_http(
        addr,
        ("k", Some("a")),
        "GET",
        &format!(
            "/api/v1/query?from={}&to={}&query=sum:big{{*}}",
            t - 60,
            t + 60
        ),
        "",
    );
    assert_eq!(status, 200, "{q}");
    let values: Vec<f64> = q["series"][0]["pointlist"]
        .as_array()
        .expect("points")
        .iter()
        .filter_map(|p| p[1].as_f64())
        .collect();
    assert_eq!(values, [4.0], "{q}");
    eprintln!("peak memory: {idle:.1} MiB idle, +{grown:.1} MiB with the largest payloads");
}

// ---- DogStatsD ----------------------------------------------------------------------------------

/// The sum of the values of `query` over the last five minutes, as a count.
fn total(addr: &str, query: &str) -> f64 {
    let t = now_secs();
    let (status, q) = raw_http(
        addr,
        ("k", Some("a")),
        "GET",
        &format!("/api/v1/query?from={}&to={}&query={query}", t - 300, t + 5),
        "",
    );
    assert_eq!(status, 200, "{q}");
    q["series"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["pointlist"].as_array().cloned().unwrap_or_default())
        .filter_map(|p| p[1].as_f64())
        .sum()
}

#[test]
fn dogstatsd_drops_far_future_timestamps_and_counts_and_summarises_what_it_refuses() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &["--statsd-flush-secs", "1"]);
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let far = now_secs() + 3_600;
    udp.send_to(
        format!("future:1|g|T{far}\nfuture:1|g|T99999999999\npresent:2|g").as_bytes(),
        &server.statsd,
    )
    .expect("send");
    for i in 0..1000 {
        udp.send_to(format!("junk line {i}").as_bytes(), &server.statsd)
            .expect("send");
    }
    let addr = &server.http;
    eventually(20, "the drops counted", || {
        total(
            addr,
            "sum:dogwatch.dogstatsd.dropped{reason:future_timestamp}.as_count()",
        ) == 2.0
    });
    eventually(20, "the malformed lines counted", || {
        total(addr, "sum:dogwatch.dogstatsd.malformed{*}.as_count()") == 1000.0
    });
    assert_eq!(total(addr, "avg:present{*}"), 2.0);
    // Nothing of the far future was kept to be written later.
    let (status, q) = raw_http(
        addr,
        ("k", Some("a")),
        "GET",
        &format!(
            "/api/v1/query?from={}&to={}&query=avg:future{{*}}",
            now_secs(),
            far + 60
        ),
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(q["series"], serde_json::json!([]), "{q}");
    // A thousand bad lines are a summary line per 1 s flush in the log, not a thousand. (Under a
    // loaded machine the UDP reads may spread over several flushes: a few summaries, never many.)
    let log = server.log();
    let summaries = log
        .lines()
        .filter(|l| l.contains("malformed DogStatsD lines"))
        .count();
    assert!((1..=10).contains(&summaries), "{log}");
    // A fresh store logs each of its migrations; the rest of the log stays short.
    let other = log
        .lines()
        .filter(|l| !l.contains("migrated the store"))
        .count();
    assert!(other < 20, "{log}");
}

#[test]
fn a_burst_of_dogstatsd_packets_is_received_or_counted_as_dropped() {
    let data = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(data.path(), &["--statsd-flush-secs", "1"]);
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let sent = 100_000;
    for _ in 0..sent {
        udp.send_to(b"burst:1|c", &server.statsd).expect("send");
    }
    let addr = &server.http;
    let mut seen = (0.0, 0.0);
    eventually(20, "every packet accounted for", || {
        seen = (
            total(addr, "sum:dogwatch.dogstatsd.packets{*}.as_count()"),
            total(
                addr,
                "sum:dogwatch.dogstatsd.dropped{reason:kernel}.as_count()",
            ),
        );
        seen.0 + seen.1 >= f64::from(sent)
    });
    assert_eq!(
        seen.0 + seen.1,
        f64::from(sent),
        "received, dropped: {seen:?}"
    );
    // What was received was aggregated: the count of `burst` is the packets received.
    assert_eq!(total(addr, "sum:burst{*}.as_count()"), seen.0);
    eprintln!(
        "of {sent} packets: {} received, {} dropped by the kernel",
        seen.0, seen.1
    );
}
