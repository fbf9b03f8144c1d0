//! A real SMTP server for the delivery and evaluator tests: aiosmtpd from the test venv
//! (`target/venv`, made by `cargo xtask setup`), writing each accepted message to a directory; and
//! the real binary pointed at it.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::Killed;
use super::real_server::RealServer;

/// aiosmtpd writing each accepted message to `<dir>/<uuid>.json` (with the time it arrived) before
/// it answers 250; shared with the browser tests.
const SMTP_SINK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/support/smtp_sink.py"
);

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
        .arg(SMTP_SINK)
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

/// One leaf part of a MIME message.
#[derive(Debug)]
pub struct MimePart {
    /// `text/plain`, `image/png`, …
    pub kind: String,
    pub content_id: Option<String>,
    /// Its body with its transfer encoding undone.
    pub body: Vec<u8>,
}

/// Python's `email` package reads the message and prints its leaf parts.
const MIME_PARTS: &str = r#"
import email, json, sys
message = email.message_from_string(sys.stdin.read())
print(json.dumps([{"kind": p.get_content_type(), "content_id": p.get("Content-ID"),
                   "body": list(p.get_payload(decode=True) or b"")}
                  for p in message.walk() if not p.is_multipart()]))
"#;

/// The leaf parts of a raw message, in order, decoded by Python's standard `email` package.
pub fn mime_parts(raw: &str) -> Vec<MimePart> {
    use std::io::Write;
    let mut child = Command::new(python())
        .args(["-c", MIME_PARTS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(raw.as_bytes())
        .expect("write the message");
    let out = child.wait_with_output().expect("python's answer");
    assert!(out.status.success(), "python could not read the message");
    let parts: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    parts
        .into_iter()
        .map(|p| MimePart {
            kind: p["kind"].as_str().unwrap_or_default().to_owned(),
            content_id: p["content_id"].as_str().map(str::to_owned),
            body: p["body"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect(),
        })
        .collect()
}

/// dogwatch's settings for the test SMTP server on `port` (plain SMTP, sender
/// `dogwatch@example.com`).
pub fn smtp_config(port: u16) -> std::sync::Arc<dogwatch_server::delivery::SmtpConfig> {
    let url = format!("smtp://127.0.0.1:{port}");
    let config = dogwatch_server::delivery::SmtpConfig::parse(&url, Some("dogwatch@example.com"));
    std::sync::Arc::new(config.expect("smtp config"))
}

/// The real binary sending mail to the test SMTP server on `smtp_port` (which may not be up yet).
pub fn start_dogwatch(data: &Path, smtp_port: u16, flags: &[&str]) -> RealServer {
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let mut all = vec![
        "--smtp-url",
        &smtp_url,
        "--smtp-from",
        "dogwatch@example.com",
    ];
    all.extend_from_slice(flags);
    RealServer::start(data, &all)
}
