//! The real `dogwatch` binary over real sockets: HTTP and UDP on loopback, kill -9 durability,
//! graceful shutdown flushing DogStatsD, and one-line start-up errors.

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::now_secs;
use crate::support::real_server::{RealServer, http};

fn pointlist(addr: &str, q: &str, from: i64, to: i64) -> Value {
    let (status, res) = http(
        addr,
        "GET",
        &format!("/api/v1/query?from={from}&to={to}&query={q}"),
        None,
    );
    assert_eq!(status, 200, "{res}");
    res["series"][0]["pointlist"].clone()
}

#[test]
fn acknowledged_points_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(dir.path(), &[]);
    let t = now_secs() - 60;
    let points: Vec<Value> = (0..50).map(|i| json!([t + i, i as f64])).collect();
    let body = json!({"series": [{"metric": "durable", "points": points, "host": "ubuntu"}]});
    let (status, _) = http(&server.http, "POST", "/api/v1/series", Some(&body));
    assert_eq!(status, 202);
    // Dropped, it is killed with SIGKILL right after the 202: no chance to flush anything that was
    // not already committed.
    drop(server);

    let server = RealServer::start(dir.path(), &[]);
    let got = pointlist(&server.http, "avg:durable{host:ubuntu}", t - 1, t + 60);
    assert_eq!(got.as_array().map(Vec::len), Some(50), "{got}");
    assert_eq!(got[49], json!([(t + 49) * 1000, 49.0]));
}

#[test]
fn dogstatsd_over_udp_shows_up_after_the_flush_and_bad_lines_are_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(dir.path(), &["--statsd-flush-secs", "1"]);
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.send_to(
        b"garbage\nmy_metric:42|g|#env:test\nbad:1|zz",
        &server.statsd,
    )
    .expect("send");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = now_secs();
        let got = pointlist(&server.http, "avg:my_metric{env:test}", t - 60, t + 1);
        if got
            .as_array()
            .is_some_and(|p| p.iter().any(|p| p[1] == json!(42.0)))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the DogStatsD gauge never showed up: {got}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Still serving after the malformed lines.
    assert_eq!(http(&server.http, "GET", "/api/v1/validate", None).0, 200);
}

#[test]
fn sigterm_flushes_dogstatsd_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A flush interval far longer than the test: only the shutdown flush can store the point.
    let server = RealServer::start(dir.path(), &["--statsd-flush-secs", "3600"]);
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.send_to(b"shutdown.gauge:7|g", &server.statsd)
        .expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let exit = server.terminate();
    assert!(exit.success(), "dogwatch exited with {exit}");

    let server = RealServer::start(dir.path(), &[]);
    let t = now_secs();
    let got = pointlist(&server.http, "avg:shutdown.gauge{*}", t - 3700, t + 1);
    assert!(
        got.as_array()
            .is_some_and(|p| p.iter().any(|p| p[1] == json!(7.0))),
        "{got}"
    );
}

/// The one `error: …` line of a start that must fail.
fn start_error(args: &[&str], data: &Path) -> String {
    let stderr = RealServer::refuses_to_start(data, args);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "expected one error line, got: {stderr}");
    errors[0].to_owned()
}

#[test]
fn a_taken_port_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let line = start_error(&["--addr", &addr], dir.path());
    assert!(
        line.contains(&format!("cannot listen for HTTP on {addr}")),
        "{line}"
    );
    assert!(
        line.to_lowercase().contains("address already in use"),
        "{line}"
    );
}

#[test]
fn an_unusable_data_dir_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    // A path below a regular file can never be created, even by root.
    let line = start_error(&[], &file.join("data"));
    assert!(
        line.contains("data directory") && line.contains("not usable"),
        "{line}"
    );
}

#[test]
fn unusable_smtp_settings_are_one_clear_line_without_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = start_error(
        &["--smtp-url", "smtps://me:s3cret@mail.example.com"],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: cannot use the SMTP settings: --smtp-from ADDR is required with --smtp-url"
    );
    let line = start_error(
        &["--smtp-url", "imap://me:s3cret@x", "--smtp-from", "a@b.c"],
        dir.path(),
    );
    assert!(
        line.contains("--smtp-url must start with smtp:// or smtps://"),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
}

#[test]
fn keys_are_generated_once_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = || {
        RealServer::start_with_own_keys(dir.path(), &[])
            .printed()
            .to_owned()
    };
    let first = run();
    assert!(first.contains("API key (DD-API-KEY)"), "{first}");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("keys.json")).expect("keys.json"))
            .expect("json");
    let api_key = saved["api_key"].as_str().expect("api_key");
    assert_eq!(api_key.len(), 32);
    assert!(first.contains(api_key));
    let second = run();
    assert!(
        !second.contains("API key"),
        "keys must be printed only once: {second}"
    );
}

#[test]
fn anonymous_viewing_beyond_loopback_warns_loudly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = RealServer::start(dir.path(), &["--addr", "0.0.0.0:0", "--anonymous-viewer"]);
    let log = server.log();
    assert!(
        log.contains("--anonymous-viewer on a non-loopback address"),
        "{log}"
    );
}
