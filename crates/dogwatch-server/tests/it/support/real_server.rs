//! The real `dogwatch` binary, started the one way every test starts it: `dogwatch serve` on a data
//! directory, on ports the kernel picks, with the test's flags; and a raw HTTP/1.1 client to talk to
//! it over a real socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Killed;

/// Longest a start may take to print its `listening on …` line (a debug build, a busy machine).
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// `dogwatch serve` running on a data directory; killed with SIGKILL (no chance to flush anything)
/// and reaped when dropped.
pub struct RealServer {
    child: Killed,
    /// `host:port` of its HTTP API.
    pub http: String,
    /// `host:port` of its DogStatsD socket.
    pub statsd: String,
    /// `host:port` of its trace agent's endpoints.
    pub apm: String,
    /// `host:port` of its OTLP/HTTP endpoint.
    pub otlp: String,
    /// What it printed on stdout up to its `listening on …` line.
    printed: String,
    /// Where its stderr (the log) goes.
    log: tempfile::NamedTempFile,
}

impl RealServer {
    /// Starts `dogwatch serve` on `data` with `flags` and returns once it listens. Unless `flags`
    /// say otherwise: HTTP and DogStatsD on loopback ports the kernel picks (read back from the
    /// `listening on` line, so two tests never race for a port), the keys `k` (API) and `a`
    /// (application), and retries of failed notifications from 200 ms.
    pub fn start(data: &Path, flags: &[&str]) -> Self {
        Self::spawn(serve(data, flags, Keys::Given))
    }

    /// [`RealServer::start`] without keys: dogwatch generates its own, saves and prints them.
    pub fn start_with_own_keys(data: &Path, flags: &[&str]) -> Self {
        Self::spawn(serve(data, flags, Keys::Generated))
    }

    /// Runs `dogwatch serve` on `data` with `flags` (defaults as [`RealServer::start`]), which
    /// must exit with a failure rather than listen: what it wrote on stderr.
    pub fn refuses_to_start(data: &Path, flags: &[&str]) -> String {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = serve(data, flags, Keys::Given)
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("run dogwatch");
        let mut child = Killed(child);
        let deadline = Instant::now() + START_TIMEOUT;
        let exit = loop {
            if let Some(exit) = child.0.try_wait().expect("wait") {
                break exit;
            }
            assert!(
                Instant::now() < deadline,
                "dogwatch kept running instead of refusing to start"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = std::fs::read_to_string(log.path()).expect("log");
        assert!(!exit.success(), "dogwatch started: {stderr}");
        stderr
    }

    fn spawn(mut command: Command) -> Self {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let child = command
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("log file"))
            .spawn()
            .expect("start dogwatch");
        let mut child = Killed(child);
        // Its stdout is read on a thread to the end, so that it never blocks on a full pipe; the
        // lines up to `listening on` come back here, with a deadline.
        let stdout = child.0.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let mut printed = String::new();
        let listening = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = rx.recv_timeout(left) else {
                let log = std::fs::read_to_string(log.path()).unwrap_or_default();
                panic!("dogwatch did not start listening:\n{printed}{log}");
            };
            printed.push_str(&line);
            printed.push('\n');
            if line.contains("listening on") {
                break line;
            }
        };
        Self {
            http: between(&listening, "http://", " "),
            statsd: between(&listening, "udp://", ","),
            apm: between(&listening, "traces on http://", ","),
            otlp: between(&listening, "OTLP on http://", ","),
            child,
            printed,
            log,
        }
    }

    /// The process id, to read its memory, CPU time, environment and command line from `/proc`.
    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// What it has logged on stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// What it printed on stdout before it listened (generated keys, the `listening on` line).
    pub fn printed(&self) -> &str {
        &self.printed
    }

    /// Sends SIGTERM and waits for it to exit: how it exited.
    pub fn terminate(mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success());
        self.child.0.wait().expect("wait")
    }
}

enum Keys {
    /// `--api-key k --app-key a`, unless the flags name a key or a key file.
    Given,
    /// None: dogwatch generates them (or reads them from the data directory).
    Generated,
}

/// The `dogwatch serve` command for [`RealServer`]: its defaults, then `flags`, then `--data`.
fn serve(data: &Path, flags: &[&str], keys: Keys) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dogwatch"));
    // Settings in the environment the tests run in (DOGWATCH_API_KEY, DOGWATCH_LOG, …) would
    // change what a test starts; it gets only its flags.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("DOGWATCH_") {
            command.env_remove(name);
        }
    }
    command.arg("serve");
    let mut defaults = vec![
        ("--addr", "127.0.0.1:0"),
        ("--statsd-addr", "127.0.0.1:0"),
        ("--apm-addr", "127.0.0.1:0"),
        ("--otlp-addr", "127.0.0.1:0"),
        ("--retry-base-ms", "200"),
    ];
    if let Keys::Given = keys {
        defaults.extend([("--api-key", "k"), ("--app-key", "a")]);
    }
    for (flag, value) in defaults {
        // A flag the test gives itself, or its `-file` form, replaces the default: clap refuses a
        // flag given twice, and a key together with a key file.
        let file = format!("{flag}-file");
        if !flags.iter().any(|f| *f == flag || *f == file) {
            command.args([flag, value]);
        }
    }
    command.args(flags).arg("--data").arg(data);
    command
}

/// The text of `s` between `start` and the next `end` (or the end of `s`).
fn between(s: &str, start: &str, end: &str) -> String {
    let from = s
        .find(start)
        .map(|i| i + start.len())
        .expect("address in the listening line");
    let rest = &s[from..];
    rest[..rest.find(end).unwrap_or(rest.len())].to_owned()
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
