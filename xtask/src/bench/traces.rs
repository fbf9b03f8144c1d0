//! `cargo xtask bench traces`: trace intake and the APM answers (issue 16's targets: at least 50,000
//! spans/s accepted through `/v0.5/traces`, each 200 durable, on the 2-core machine; the service page
//! and a 20,000-span trace quick to open).
//!
//! Payloads are built as ddtrace's writer builds them: v0.5 msgpack (`[strings, traces]`), 100
//! traces of 10 spans each (a web request with sql, cache and http children across two services)
//! per payload, sent by `--senders` threads at once, one connection per request. Then a 20,000-span
//! trace is sent and read back, and the services, service and resource answers are timed. Last,
//! tests/bench/traces.mjs opens the services list, a service page and a 20,000-span trace in
//! headless Chromium and scrolls that trace's waterfall (the UI built with `trunk build --release`).
//!
//! No peer runs beside it: Debian has no trace backend (no Jaeger, Tempo or OpenTelemetry
//! collector package), so the figures are set against the absolute targets.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Scratch, http, start_dogwatch};
use crate::{Result, build_ui, cmd, run, step};

const USAGE: &str =
    "usage: cargo xtask bench traces [--payloads N] [--senders N]   (defaults 200, 4)";
const SPANS_PER_TRACE: usize = 10;
const TRACES_PER_PAYLOAD: usize = 100;
const BIG_TRACE: usize = 20_000;
const TARGET_SPANS_PER_S: f64 = 50_000.0;
const TIMEOUT: Duration = Duration::from_secs(120);

/// A v0.5 span: indexes into the payload's strings, ids, times, error, meta, metrics, type.
type V05 = (
    u32,
    u32,
    u32,
    u64,
    u64,
    u64,
    i64,
    i64,
    i32,
    HashMap<u32, u32>,
    HashMap<u32, f64>,
    u32,
);

const STRINGS: [&str; 16] = [
    "",
    "shop-web",
    "flask.request",
    "GET /checkout",
    "web",
    "sqlite",
    "sqlite.query",
    "SELECT * FROM orders WHERE id = ?",
    "sql",
    "requests.request",
    "GET /price",
    "http",
    "price-api",
    "env",
    "bench",
    "http.status_code",
];

/// Payload `p`'s traces: ids unique over the run, times within the past ten minutes.
fn payload(p: usize, now_ns: i64) -> Vec<u8> {
    let mut traces = Vec::with_capacity(TRACES_PER_PAYLOAD);
    for t in 0..TRACES_PER_PAYLOAD {
        let trace_id = (p * TRACES_PER_PAYLOAD + t + 1) as u64;
        let start = now_ns - 600_000_000_000 + (trace_id as i64 % 590_000) * 1_000_000;
        let ms = 1_000_000i64;
        let duration = (20 + (trace_id % 80) as i64) * ms;
        let error = i32::from(trace_id.is_multiple_of(50));
        let meta = HashMap::from([(13, 14), (15, if error == 1 { 3 } else { 0 })]);
        let mut spans: Vec<V05> = vec![(
            1,
            2,
            3,
            trace_id,
            1,
            0,
            start,
            duration,
            error,
            meta,
            HashMap::new(),
            4,
        )];
        for i in 0..SPANS_PER_TRACE - 1 {
            let (service, name, resource, kind) = match i % 3 {
                0 => (5, 6, 7, 8),
                1 => (1, 9, 10, 11),
                _ => (12, 2, 10, 4),
            };
            spans.push((
                service,
                name,
                resource,
                trace_id,
                i as u64 + 2,
                1,
                start + (i as i64 + 1) * ms,
                ms,
                0,
                HashMap::from([(13, 14)]),
                HashMap::new(),
                kind,
            ));
        }
        traces.push(spans);
    }
    rmp_serde::to_vec(&(STRINGS, traces)).expect("msgpack of plain data")
}

fn put(addr: &str, body: &[u8]) -> Result<()> {
    let r = http::request(
        addr,
        "PUT",
        "/v0.5/traces",
        &[("Content-Type", "application/msgpack")],
        body,
        TIMEOUT,
    )?;
    if r.status != 200 {
        return Err(format!("PUT /v0.5/traces: {} {}", r.status, r.text()));
    }
    Ok(())
}

fn time_get(addr: &str, target: &str) -> Result<(Duration, usize)> {
    let started = Instant::now();
    let r = http::request(
        addr,
        "GET",
        target,
        &super::dogwatch_headers(),
        b"",
        TIMEOUT,
    )?;
    let took = started.elapsed();
    if r.status != 200 {
        return Err(format!("GET {target}: {} {}", r.status, r.text()));
    }
    Ok((took, r.body.len()))
}

pub fn main(args: &[String]) -> Result {
    let (mut payloads, mut senders) = (200usize, 4usize);
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        let n = rest
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n >= 1)
            .ok_or(USAGE)?;
        match a.as_str() {
            "--payloads" => payloads = n,
            "--senders" => senders = n,
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    step("bench traces: build the server (cargo build --profile server)");
    run(cmd("cargo").args(["build", "--profile", "server", "-p", "dogwatch-server"]))?;
    let scratch = Scratch::new()?;
    let server = start_dogwatch(Path::new("target/server/dogwatch"), &scratch.0, &[])?;
    let now_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_nanos() as i64;

    let bodies: Vec<Vec<u8>> = (0..payloads).map(|p| payload(p, now_ns)).collect();
    let spans = payloads * TRACES_PER_PAYLOAD * SPANS_PER_TRACE;
    step(&format!(
        "bench traces: {spans} spans in {payloads} v0.5 payloads ({} KiB each), {senders} senders",
        bodies[0].len() / 1024
    ));
    super::warn_if_busy();
    let started = Instant::now();
    std::thread::scope(|s| -> Result {
        let handles: Vec<_> = (0..senders)
            .map(|k| {
                let (bodies, apm) = (&bodies, &server.apm);
                s.spawn(move || -> Result {
                    for body in bodies.iter().skip(k).step_by(senders) {
                        put(apm, body)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| "a sender panicked".to_owned())??;
        }
        Ok(())
    })?;
    let took = started.elapsed().as_secs_f64();
    let rate = spans as f64 / took;
    println!(
        "intake: {spans} spans in {took:.2} s = {rate:.0} spans/s, every answer 200 after its commit \
         (target {TARGET_SPANS_PER_S:.0}: {:.2}× the target)",
        rate / TARGET_SPANS_PER_S
    );

    step(&format!("bench traces: one trace of {BIG_TRACE} spans"));
    let big_id = u64::MAX - 1;
    let mut big: Vec<V05> = Vec::with_capacity(BIG_TRACE);
    let start = now_ns - 60_000_000_000;
    for i in 0..BIG_TRACE {
        let parent = if i == 0 { 0 } else { (i as u64 - 1) / 8 + 1 };
        big.push((
            if i % 2 == 0 { 1 } else { 12 },
            6,
            7,
            big_id,
            i as u64 + 1,
            parent,
            start + i as i64 * 1_000,
            if i == 0 { 30_000_000_000 } else { 500_000 },
            0,
            HashMap::from([(13, 14)]),
            HashMap::new(),
            8,
        ));
    }
    let body = rmp_serde::to_vec(&(STRINGS, vec![big])).map_err(|e| e.to_string())?;
    let started = Instant::now();
    put(&server.apm, &body)?;
    println!(
        "sent in {:.0} ms ({} KiB)",
        started.elapsed().as_secs_f64() * 1000.0,
        body.len() / 1024
    );
    let from = now_ns / 1_000_000_000 - 900;
    let to = now_ns / 1_000_000_000 + 60;
    for (what, target) in [
        (
            "the 20,000-span trace",
            format!("/api/v1/dogwatch/traces/{big_id}"),
        ),
        (
            "the services list",
            format!("/api/v1/dogwatch/apm/services?from={from}&to={to}"),
        ),
        (
            "shop-web's service page",
            format!("/api/v1/dogwatch/apm/services/shop-web?from={from}&to={to}"),
        ),
        (
            "GET /checkout's resource page",
            format!(
                "/api/v1/dogwatch/apm/resource?service=shop-web&resource=GET%20/checkout&from={from}&to={to}"
            ),
        ),
        (
            "a trace search (errors)",
            format!("/api/v1/dogwatch/apm/traces?from={from}&to={to}&status=error"),
        ),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..5 {
            let (t, n) = time_get(&server.addr, &target)?;
            times.push(t.as_secs_f64() * 1000.0);
            size = n;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{what}: {:.0} ms median of 5 ({} KiB)",
            times[2],
            size / 1024
        );
    }
    drop(server);

    step("bench traces: the APM pages in headless Chromium (tests/bench/traces.mjs)");
    build_ui()?;
    run(cmd("node")
        .arg("tests/bench/traces.mjs")
        .env("DOGWATCH_BIN", "target/server/dogwatch"))
}
