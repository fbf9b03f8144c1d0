//! `cargo xtask soak [--minutes N]`: dogwatch under a steady mixed load for N minutes (default 10),
//! to see that nothing grows or slows with time (issue target on the 2-core machine: RSS flat
//! within ±10 % after the first minute, query p99 under 100 ms).
//!
//! The server is built with the `server` profile and started on a throw-away data directory with
//! a 10 s evaluation interval. Then, at once:
//! - intake: every second, `POST /api/v1/series` with 10 points for each of 200 series
//!   (`soak.intake{host:h000…h199}`), 2,000 points/s;
//! - DogStatsD: 2,000 datagrams/s over UDP (counts, gauges and histograms on 50 hosts);
//! - queries: two clients in turn asking `GET /api/v1/query` for a grouped average over the last
//!   hour, one host's sum over 15 minutes, a DogStatsD histogram, and an anomaly band, 10 a second
//!   each;
//! - monitors: 100 monitors (one per host of the intake series, by-group) evaluated every 10 s.
//!
//! Every `--minutes`/10 (at least 30 s) it prints the server's RSS, the points per second it
//! acknowledged, the queries answered and their p50/p99, and any errors; at the end the same over
//! the whole run, with dogwatch's own `dogwatch.dogstatsd.*` counts, and whether the targets hold.

use std::fmt::Write as _;
use std::net::UdpSocket;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dogwatch_core::wire::QueryResponse;

use super::{APP_KEY, Scratch, dogwatch_headers, http, percentile, start_dogwatch};
use crate::{Result, cmd, run, step};

const USAGE: &str = "usage: cargo xtask soak [--minutes N]   (N >= 1, default 10)";
const HOSTS: usize = 200;
const POINTS_PER_SERIES: usize = 10;
const STATSD_PER_SEC: usize = 2_000;
const MONITORS: usize = 100;
const QUERY_CLIENTS: usize = 2;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// RSS samples before this are the server warming up (caches, connection pools) and are not
/// held against the flatness target.
const WARMUP: Duration = Duration::from_secs(60);

/// What the load threads saw since the last report.
#[derive(Default)]
struct Window {
    points: u64,
    statsd_sent: u64,
    query_ms: Vec<f64>,
    errors: Vec<String>,
}

pub fn main(args: &[String]) -> Result {
    let mut minutes = 10u64;
    let mut rest = args.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--minutes" => {
                minutes = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or(USAGE)?;
            }
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    step("soak: build the server (cargo build --profile server)");
    run(cmd("cargo").args(["build", "--profile", "server", "-p", "dogwatch-server"]))?;
    let scratch = Scratch::new()?;
    let server = start_dogwatch(
        Path::new("target/server/dogwatch"),
        &scratch.0,
        &["--eval-interval", "10", "--statsd-flush-secs", "10"],
    )?;
    println!(
        "dogwatch on http://{} (DogStatsD udp://{})",
        server.addr, server.statsd
    );
    let pid = server.child.id();

    step(&format!("soak: {MONITORS} monitors"));
    for m in 0..MONITORS {
        let body = format!(
            r#"{{"type":"metric alert","name":"soak {m}","query":"avg(last_5m):avg:soak.intake{{host:{}}} by {{host}} > 900","message":"soak","options":{{"thresholds":{{"critical":900,"warning":800}}}}}}"#,
            host(m)
        );
        let r = http::request(
            &server.addr,
            "POST",
            "/api/v1/monitor",
            &dogwatch_headers(),
            body.as_bytes(),
            REQUEST_TIMEOUT,
        )?;
        if r.status != 200 {
            return Err(format!("monitor {m} refused: {} {}", r.status, r.text()));
        }
    }

    step("soak: backfill the last hour, so that the queries read as much from the first minute on");
    backfill(&server.addr)?;

    let total = Duration::from_secs(minutes * 60);
    let report_every = (total / 10).max(Duration::from_secs(30));
    step(&format!(
        "soak: {minutes} min of intake ({} points/s), DogStatsD ({STATSD_PER_SEC}/s), queries ({QUERY_CLIENTS} clients) and monitors; a line every {} s",
        HOSTS * POINTS_PER_SERIES,
        report_every.as_secs()
    ));
    let window = Arc::new(Mutex::new(Window::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = vec![
        spawn(&stop, &window, &server.addr, intake),
        spawn(&stop, &window, &server.statsd, statsd),
    ];
    for _ in 0..QUERY_CLIENTS {
        threads.push(spawn(&stop, &window, &server.addr, queries));
    }

    let started = Instant::now();
    let mut rss_after_warmup: Vec<f64> = Vec::new();
    let mut all_ms: Vec<f64> = Vec::new();
    let (mut points, mut sent, mut errors) = (0u64, 0u64, Vec::new());
    let mut next_report = started + report_every;
    println!("   time   RSS MiB   points/s   queries   p50 ms   p99 ms   errors");
    while started.elapsed() < total {
        std::thread::sleep(Duration::from_secs(5));
        let rss = rss_mib(pid)?;
        if started.elapsed() >= WARMUP {
            rss_after_warmup.push(rss);
        }
        if Instant::now() < next_report && started.elapsed() < total {
            continue;
        }
        let secs = report_every.as_secs_f64();
        next_report += report_every;
        let w = std::mem::take(&mut *window.lock().map_err(|_| "a load thread panicked")?);
        let mut ms = w.query_ms.clone();
        ms.sort_by(f64::total_cmp);
        println!(
            "{:>5.1} m {rss:>9.1} {:>10.0} {:>9} {:>8.1} {:>8.1} {:>8}",
            started.elapsed().as_secs_f64() / 60.0,
            w.points as f64 / secs,
            ms.len(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            w.errors.len()
        );
        for e in w.errors.iter().take(3) {
            println!("          error: {e}");
        }
        points += w.points;
        sent += w.statsd_sent;
        all_ms.extend(w.query_ms);
        errors.extend(w.errors);
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    // DogStatsD's counts of a window are stored at the flush after it: wait for two.
    std::thread::sleep(Duration::from_secs(25));

    step("soak: summary");
    all_ms.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&all_ms, 0.5), percentile(&all_ms, 0.99));
    let first = rss_after_warmup.first().copied().unwrap_or(f64::NAN);
    let (lo, hi) = rss_after_warmup
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    let spread = (hi - lo) / first * 100.0;
    let last = rss_after_warmup.last().copied().unwrap_or(f64::NAN);
    println!(
        "RSS after the first minute: {first:.1} MiB, then between {lo:.1} and {hi:.1} MiB (spread {spread:.1} % of the first), {last:.1} MiB at the end"
    );
    println!(
        "intake: {:.0} points/s acknowledged",
        points as f64 / elapsed
    );
    let stored = |q: &str| stored_total(&server.addr, q, started);
    let received = stored("sum:dogwatch.dogstatsd.packets{*}.as_count()")?;
    let malformed = stored("sum:dogwatch.dogstatsd.malformed{*}.as_count()")?;
    let dropped = stored("sum:dogwatch.dogstatsd.dropped{*}.as_count()")?;
    println!(
        "DogStatsD: {sent} datagrams sent; dogwatch.dogstatsd.packets {received:.0}, .malformed {malformed:.0}, .dropped {dropped:.0}"
    );
    println!(
        "queries: {} answered, p50 {p50:.1} ms, p99 {p99:.1} ms; errors: {}",
        all_ms.len(),
        errors.len()
    );
    // Every sample after the warm-up within ±10 % of the first of them.
    let flat = hi <= first * 1.1 && lo >= first * 0.9;
    println!(
        "RSS flat within ±10 %: {}; query p99 < 100 ms: {}",
        if flat {
            "meets the target"
        } else {
            "MISSES the target"
        },
        if p99 < 100.0 {
            "meets the target"
        } else {
            "MISSES the target"
        }
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} errors; the first: {}", errors.len(), errors[0]))
    }
}

fn host(i: usize) -> String {
    format!("h{i:03}")
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn spawn(
    stop: &Arc<AtomicBool>,
    window: &Arc<Mutex<Window>>,
    addr: &str,
    work: fn(&str, &AtomicBool, &Mutex<Window>),
) -> std::thread::JoinHandle<()> {
    let (stop, window, addr) = (stop.clone(), window.clone(), addr.to_owned());
    std::thread::spawn(move || work(&addr, &stop, &window))
}

fn record(window: &Mutex<Window>, f: impl FnOnce(&mut Window)) {
    if let Ok(mut w) = window.lock() {
        f(&mut w);
    }
}

/// An hour of the series the queries read: each intake series every second, and the timer's p95
/// that DogStatsD makes every 10 s. Without it the queries' working set would grow for the first
/// hour of the run, which says nothing about leaks.
fn backfill(addr: &str) -> Result {
    let t = now_secs();
    let post = |body: String| -> Result {
        let r = post_series(addr, &body)?;
        if r.status == 202 {
            Ok(())
        } else {
            Err(format!("backfill refused: {} {}", r.status, r.text()))
        }
    };
    let series = |metric: &str, h: usize, every: i64, value: &dyn Fn(i64) -> i64| {
        let points: Vec<String> = (1..=3_600 / every)
            .map(|i| format!("[{},{}]", t - i * every, value(i)))
            .collect();
        format!(
            r#"{{"metric":"{metric}","tags":["host:{}","env:soak"],"points":[{}]}}"#,
            host(h),
            points.join(",")
        )
    };
    for hosts in (0..HOSTS).collect::<Vec<_>>().chunks(20) {
        let batch: Vec<String> = hosts
            .iter()
            .map(|&h| series("soak.intake", h, 1, &|i| (i * 7 + h as i64 * 13) % 1000))
            .collect();
        post(format!(r#"{{"series":[{}]}}"#, batch.join(",")))?;
    }
    let timers: Vec<String> = (0..50)
        .map(|h| {
            series("soak.statsd.latency.95percentile", h, 10, &|i| {
                (i * 11) % 250
            })
        })
        .collect();
    post(format!(r#"{{"series":[{}]}}"#, timers.join(",")))
}

/// Every second, the last 10 seconds of each intake series.
fn intake(addr: &str, stop: &AtomicBool, window: &Mutex<Window>) {
    let mut tick = Instant::now();
    let mut seq = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let t = now_secs();
        let mut body = String::from(r#"{"series":["#);
        for h in 0..HOSTS {
            if h > 0 {
                body.push(',');
            }
            let _ = write!(
                body,
                r#"{{"metric":"soak.intake","tags":["host:{}","env:soak"],"points":["#,
                host(h)
            );
            for i in 0..POINTS_PER_SERIES {
                let sep = if i > 0 { "," } else { "" };
                let value = (seq * 7 + (h * 13 + i) as u64) % 1000;
                let _ = write!(body, "{sep}[{},{value}]", t - i as i64);
            }
            body.push_str("]}");
        }
        body.push_str("]}");
        seq += 1;
        match post_series(addr, &body) {
            Ok(r) if r.status == 202 => {
                record(window, |w| w.points += (HOSTS * POINTS_PER_SERIES) as u64)
            }
            Ok(r) => record(window, |w| {
                w.errors.push(format!("intake: {} {}", r.status, r.text()))
            }),
            Err(e) => record(window, |w| w.errors.push(format!("intake: {e}"))),
        }
        tick += Duration::from_secs(1);
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
    }
}

/// DogStatsD datagrams, a hundred every 50 ms.
fn statsd(addr: &str, stop: &AtomicBool, window: &Mutex<Window>) {
    let socket = match UdpSocket::bind("127.0.0.1:0") {
        Ok(s) => s,
        Err(e) => return record(window, |w| w.errors.push(format!("statsd socket: {e}"))),
    };
    let per_tick = STATSD_PER_SEC / 20;
    let mut tick = Instant::now();
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..per_tick {
            let h = n % 50;
            let line = match n % 3 {
                0 => format!("soak.statsd.requests:1|c|#host:{}", host(h)),
                1 => format!("soak.statsd.queue:{}|g|#host:{}", n % 100, host(h)),
                _ => format!("soak.statsd.latency:{}|ms|#host:{}", n % 250, host(h)),
            };
            if let Err(e) = socket.send_to(line.as_bytes(), addr) {
                record(window, |w| w.errors.push(format!("statsd send: {e}")));
            }
            n += 1;
        }
        record(window, |w| w.statsd_sent += per_tick as u64);
        tick += Duration::from_millis(50);
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
    }
}

/// The queries a dashboard would ask, in turn, ten a second.
fn queries(addr: &str, stop: &AtomicBool, window: &Mutex<Window>) {
    let asks = [
        ("avg:soak.intake{*} by {host}", 3_600),
        ("sum:soak.intake{host:h001}.rollup(sum, 60)", 900),
        ("avg:soak.statsd.latency.95percentile{*} by {host}", 3_600),
        ("anomalies(avg:soak.intake{host:h002}, 'basic', 2)", 3_600),
    ];
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let (q, span) = asks[i % asks.len()];
        i += 1;
        let t = now_secs();
        let started = Instant::now();
        let answer = query(addr, q, t - span, t);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match answer {
            Ok(r) if r.status == 200 => record(window, |w| w.query_ms.push(ms)),
            Ok(r) => record(window, |w| {
                w.errors.push(format!("{q}: {} {}", r.status, r.text()))
            }),
            Err(e) => record(window, |w| w.errors.push(format!("{q}: {e}"))),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The server's resident memory now.
fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("the server is gone: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .ok_or_else(|| "no VmRSS".into())
}

/// `POST /api/v1/series` with `body`.
fn post_series(addr: &str, body: &str) -> Result<http::Response> {
    http::request(
        addr,
        "POST",
        "/api/v1/series",
        &dogwatch_headers(),
        body.as_bytes(),
        REQUEST_TIMEOUT,
    )
}

/// `GET /api/v1/query` over `[from, to]`.
fn query(addr: &str, q: &str, from: i64, to: i64) -> Result<http::Response> {
    let target = format!(
        "/api/v1/query?from={from}&to={to}&query={}",
        http::encode(q)
    );
    http::request(
        addr,
        "GET",
        &target,
        &[("DD-APPLICATION-KEY", APP_KEY)],
        b"",
        REQUEST_TIMEOUT,
    )
}

/// The sum of a stored count over the run.
fn stored_total(addr: &str, count: &str, since: Instant) -> Result<f64> {
    let t = now_secs();
    let from = t - since.elapsed().as_secs() as i64 - 60;
    let r = query(addr, &format!("{count}.rollup(sum, 60)"), from, t)?;
    if r.status != 200 {
        return Err(format!("{count}: {} {}", r.status, r.text()));
    }
    let answer: QueryResponse =
        serde_json::from_slice(&r.body).map_err(|e| format!("{count}: {e}"))?;
    Ok(answer
        .series
        .iter()
        .flat_map(|s| &s.pointlist)
        .filter_map(|&(_, value)| value)
        .sum())
}
