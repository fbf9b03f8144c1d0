//! The real `dogwatch` binary over real sockets: HTTP and UDP on loopback, kill -9 durability,
//! graceful shutdown flushing DogStatsD, and one-line start-up errors.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::smtp::{between, listening_line, raw_http};

const API_KEY: &str = "proc-api-key";

struct Server {
    child: Child,
    http: String,
    statsd: String,
}

fn start(data: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--statsd-addr",
            "127.0.0.1:0",
            "--api-key",
            API_KEY,
            "--app-key",
            "proc-app-key",
        ])
        .arg("--data")
        .arg(data)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dogwatch");
    let line = listening_line(&mut child);
    let http = between(&line, "http://", " ");
    let statsd = between(&line, "udp://", ",");
    Server {
        child,
        http,
        statsd,
    }
}

/// A minimal HTTP/1.1 client with the API key: one request per connection.
fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    raw_http(addr, (API_KEY, None), method, path, body)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn pointlist(addr: &str, q: &str, from: i64, to: i64) -> Value {
    let (status, res) = http(
        addr,
        "GET",
        &format!("/api/v1/query?from={from}&to={to}&query={q}"),
        "",
    );
    assert_eq!(status, 200, "{res}");
    res["series"][0]["pointlist"].clone()
}

#[test]
fn acknowledged_points_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = start(dir.path(), &[]);
    let t = now() - 60;
    let points: Vec<Value> = (0..50).map(|i| json!([t + i, i as f64])).collect();
    let body =
        json!({"series": [{"metric": "durable", "points": points, "host": "ubuntu"}]}).to_string();
    let (status, _) = http(&server.http, "POST", "/api/v1/series", &body);
    assert_eq!(status, 202);
    // SIGKILL right after the 202: no chance to flush anything that was not already committed.
    server.child.kill().expect("kill -9");
    server.child.wait().expect("wait");

    let mut server = start(dir.path(), &[]);
    let got = pointlist(&server.http, "avg:durable{host:ubuntu}", t - 1, t + 60);
    assert_eq!(got.as_array().map(Vec::len), Some(50), "{got}");
    assert_eq!(got[49], json!([(t + 49) * 1000, 49.0]));
    server.child.kill().expect("kill");
    let _ = server.child.wait();
}

#[test]
fn dogstatsd_over_udp_shows_up_after_the_flush_and_bad_lines_are_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = start(dir.path(), &["--statsd-flush-secs", "1"]);
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.send_to(
        b"garbage\nmy_metric:42|g|#env:test\nbad:1|zz",
        &server.statsd,
    )
    .expect("send");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = now();
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
    assert_eq!(http(&server.http, "GET", "/api/v1/validate", "").0, 200);
    server.child.kill().expect("kill");
    let _ = server.child.wait();
}

#[test]
fn sigterm_flushes_dogstatsd_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A flush interval far longer than the test: only the shutdown flush can store the point.
    let mut server = start(dir.path(), &["--statsd-flush-secs", "3600"]);
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.send_to(b"shutdown.gauge:7|g", &server.statsd)
        .expect("send");
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
    let exit = server.child.wait().expect("wait");
    assert!(exit.success(), "dogwatch exited with {exit}");

    let mut server = start(dir.path(), &[]);
    let t = now();
    let got = pointlist(&server.http, "avg:shutdown.gauge{*}", t - 3700, t + 1);
    assert!(
        got.as_array()
            .is_some_and(|p| p.iter().any(|p| p[1] == json!(7.0))),
        "{got}"
    );
    server.child.kill().expect("kill");
    let _ = server.child.wait();
}

fn start_error(args: &[&str], data: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
        .args(["serve", "--statsd-addr", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run dogwatch");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
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
    let line = start_error(&["--addr", "127.0.0.1:0"], &file.join("data"));
    assert!(
        line.contains("data directory") && line.contains("not usable"),
        "{line}"
    );
}

#[test]
fn unusable_smtp_settings_are_one_clear_line_without_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let line = start_error(
        &[
            "--addr",
            "127.0.0.1:0",
            "--smtp-url",
            "smtps://me:s3cret@mail.example.com",
        ],
        dir.path(),
    );
    assert_eq!(
        line,
        "error: cannot use the SMTP settings: --smtp-from ADDR is required with --smtp-url"
    );
    let line = start_error(
        &[
            "--addr",
            "127.0.0.1:0",
            "--smtp-url",
            "imap://me:s3cret@x",
            "--smtp-from",
            "a@b.c",
        ],
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--statsd-addr",
                "127.0.0.1:0",
            ])
            .arg("--data")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut printed = Vec::new();
        for l in lines.by_ref() {
            let l = l.expect("line");
            let done = l.contains("listening on");
            printed.push(l);
            if done {
                break;
            }
        }
        child.kill().expect("kill");
        let _ = child.wait();
        printed.join("\n")
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
fn binding_beyond_loopback_warns_loudly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
        .args([
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--statsd-addr",
            "127.0.0.1:0",
        ])
        .arg("--data")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    assert!(lines.any(|l| l.is_ok_and(|l| l.contains("listening on"))));
    child.kill().expect("kill");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WARNING: dogwatch is bound to 0.0.0.0") && stderr.contains("no login yet"),
        "{stderr}"
    );
}
