//! A real SMTP server for the delivery and evaluator tests: aiosmtpd from the test venv
//! (`target/venv`, made by `cargo xtask setup`), writing each accepted message to a directory; and
//! the real binary pointed at it, with a raw HTTP helper to talk to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

/// aiosmtpd writes each accepted message to `<dir>/<uuid>.json` (with the time it arrived) before
/// it answers 250.
const SMTP_SERVER: &str = r#"
import json, os, sys, time, uuid
from aiosmtpd.controller import Controller

out, port = sys.argv[1], int(sys.argv[2])

class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(out, uuid.uuid4().hex + ".json")
        with open(name + ".tmp", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "content": envelope.content.decode("utf-8", "replace"),
                       "at": time.time()}, f)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"

controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

/// A child process, killed when this is dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn python() -> PathBuf {
    let path = std::env::var_os("DOGWATCH_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "no Python for the SMTP test server at {} (set DOGWATCH_PYTHON, or run `cargo xtask setup`)",
        path.display()
    );
    path
}

/// Starts aiosmtpd on `port`, writing mails into `dir`; returns once it accepts connections.
pub fn start_smtp(dir: &Path, port: u16) -> Killed {
    let mut child = Command::new(python())
        .args(["-c", SMTP_SERVER])
        .arg(dir)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut line = String::new();
    let read = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line);
    if read.is_err() || line.trim() != "ready" {
        let mut err = String::new();
        let _ = child.kill();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        panic!(
            "aiosmtpd did not start ({err}); run `cargo xtask setup` to install it into target/venv"
        );
    }
    Killed(child)
}

/// A port nobody listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The mails received in `dir` (`mail_from`, `rcpt_tos`, `content`, `at`), in the order they arrived.
pub fn mails(dir: &Path) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for entry in std::fs::read_dir(dir).expect("mail dir").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("mail file");
            out.push(serde_json::from_str(&text).expect("mail json"));
        }
    }
    out.sort_by(|a, b| {
        a["at"]
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&b["at"].as_f64().unwrap_or(0.0))
    });
    out
}

/// The `Subject` header and the body (CRLF → LF, no trailing newline) of a raw message.
pub fn subject_and_body(raw: &str) -> (String, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").expect("header and body");
    let subject = head
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .expect("subject header")
        .to_owned();
    (subject, body.trim_end_matches('\n').to_owned())
}

/// dogwatch's settings for the test SMTP server on `port` (plain SMTP, sender
/// `dogwatch@example.com`).
pub fn smtp_config(port: u16) -> std::sync::Arc<dogwatch_server::delivery::SmtpConfig> {
    let url = format!("smtp://127.0.0.1:{port}");
    let config = dogwatch_server::delivery::SmtpConfig::parse(&url, Some("dogwatch@example.com"));
    std::sync::Arc::new(config.expect("smtp config"))
}

/// Reads a started `dogwatch serve`'s stdout up to its `listening on …` line and returns that line;
/// the rest is drained on a thread, so that the server never blocks on a full pipe.
pub fn listening_line(child: &mut Child) -> String {
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = loop {
        let l = lines
            .next()
            .expect("dogwatch exited before listening")
            .expect("read stdout");
        if l.contains("listening on") {
            break l;
        }
    };
    std::thread::spawn(move || for _ in lines {});
    line
}

/// The text of `s` between `start` and the next `end` (or the end of `s`).
pub fn between(s: &str, start: &str, end: &str) -> String {
    let from = s
        .find(start)
        .map(|i| i + start.len())
        .expect("address in the listening line");
    let rest = &s[from..];
    rest[..rest.find(end).unwrap_or(rest.len())].to_owned()
}

/// The real `dogwatch` binary on a data directory; killed when dropped.
pub struct Server {
    child: Killed,
    /// `host:port` of its HTTP API.
    pub http: String,
    /// `host:port` of its DogStatsD socket.
    pub statsd: String,
    /// Where its stderr (the log) goes.
    log: tempfile::NamedTempFile,
}

impl Server {
    /// The process id, to read its memory and command line from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

/// Starts `dogwatch serve` on free ports (keys `k`/`a` unless `extra` has `--api-key-file`, retries
/// from 200 ms) with `extra` flags and returns once it listens.
pub fn start_server(data: &Path, extra: &[&str]) -> Server {
    let api_key: &[&str] = if extra.contains(&"--api-key-file") {
        &[]
    } else {
        &["--api-key", "k"]
    };
    let log = tempfile::NamedTempFile::new().expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dogwatch"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--statsd-addr",
            "127.0.0.1:0",
        ])
        .args(api_key)
        .args(["--app-key", "a", "--retry-base-ms", "200"])
        .args(extra)
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(log.reopen().expect("log file"))
        .spawn()
        .expect("start dogwatch");
    let line = listening_line(&mut child);
    Server {
        http: between(&line, "http://", " "),
        statsd: between(&line, "udp://", ","),
        child: Killed(child),
        log,
    }
}

/// [`start_server`] sending mail to the SMTP server on `smtp_port`.
pub fn start_dogwatch(data: &Path, smtp_port: u16, extra: &[&str]) -> Server {
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let mut args = vec![
        "--smtp-url",
        &smtp_url,
        "--smtp-from",
        "dogwatch@example.com",
    ];
    args.extend_from_slice(extra);
    start_server(data, &args)
}

/// One HTTP/1.1 request with the keys `k`/`a` on a fresh connection: the status and the JSON body
/// (`null` when the body is not JSON).
pub fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let body = body.map(Value::to_string).unwrap_or_default();
    raw_http(addr, ("k", Some("a")), method, path, &body)
}

/// One HTTP/1.1 request on a fresh connection with the API key and, when given, the application
/// key: the status and the JSON body (`null` when the body is not JSON).
pub fn raw_http(
    addr: &str,
    (api_key, app_key): (&str, Option<&str>),
    method: &str,
    path: &str,
    body: &str,
) -> (u16, Value) {
    let app = app_key.map_or(String::new(), |k| format!("DD-APPLICATION-KEY: {k}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nDD-API-KEY: {api_key}\r\n\
         {app}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let (status, _, body) = exchange(addr, request.as_bytes());
    (status, body)
}

/// Sends `request` as it is on a fresh connection and reads until the server closes it: the
/// status (0 when there was no answer), the head, and the body as JSON (`null` when not JSON).
pub fn exchange(addr: &str, request: &[u8]) -> (u16, String, Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    // The server may answer and close before all of a too-large request is written.
    let _ = s.write_all(request);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw);
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    (
        status,
        head.to_owned(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}
