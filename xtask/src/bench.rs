//! `cargo xtask bench query`: dogwatch's query API against Debian's VictoriaMetrics on the same data.
//! (`cargo xtask bench render`, the chart against uPlot, is in `render.rs`; `cargo xtask bench
//! monitors`, one evaluation cycle of 10,000 monitors, in `monitors.rs`; `cargo xtask bench traces`,
//! trace intake and the APM answers, in `traces.rs`.)
//!
//! Both engines get 1,000 series (`bench.metric`, `host:h000`…`host:h999`, `env:bench`) × 1,000 points
//! 10 s apart, ending on the last full minute, with deterministic pseudo-random values. dogwatch is fed
//! through `POST /api/v1/series`, VictoriaMetrics through `/api/v1/import` (JSON lines) as
//! `bench_metric`: Prometheus names cannot hold dots. Then each pair of equivalent queries is checked
//! against the values computed here from the same data, and timed (warm-up, then median and p90 of
//! whole HTTP round trips, one connection per request for both).
//!
//! Datadog's time aggregation is "mean of the points in each bucket `[b, b+step)`", aligned to Unix
//! time. MetricsQL's `avg_over_time(m[step])` at `t` averages the points in `(t-step, t]`, so
//! VictoriaMetrics is asked for `t = b + step - 10`: on a 10 s grid that is exactly the same points.
//! VictoriaMetrics runs with `-search.disableCache` (no rollup result cache, so every run computes
//! from the stored samples, and `start` is not rounded to the step) and `-search.latencyOffset=0s`
//! (the data is in the past; do not hide the newest buckets).

mod http;
mod monitors;
mod render;
pub mod soak;
mod traces;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::{Result, cmd, run, step};
use dogwatch_core::wire::{Errors, QueryResponse};
use serde_json::Value;

const SERIES: usize = 1_000;
const POINTS: usize = 1_000;
const SPACING_SECS: i64 = 10;
/// Series per intake request: about 2 MB of JSON, under dogwatch's 3.2 MB limit.
const SERIES_PER_BATCH: usize = 100;
const WARMUP: usize = 2;
const DEFAULT_RUNS: usize = 20;
const API_KEY: &str = "bench-api-key";
const APP_KEY: &str = "bench-app-key";
const LOAD_TIMEOUT: Duration = Duration::from_secs(300);
const QUERY_TIMEOUT: Duration = Duration::from_secs(120);
/// Two answers agree when they differ by less than this, relatively (summation order differs).
const TOLERANCE: f64 = 1e-9;

const USAGE: &str = "usage: cargo xtask bench query [--runs N]   (N >= 15, default 20)
       cargo xtask bench render [--runs N]  (N >= 1, default 7)
       cargo xtask bench monitors [--monitors N] [--series N] [--cycles N]
       cargo xtask bench traces [--payloads N] [--senders N]";

pub fn main(args: &[String]) -> Result {
    match args.first().map(String::as_str) {
        Some("query") => {}
        Some("render") => return render::main(&args[1..]),
        Some("monitors") => return monitors::main(&args[1..]),
        Some("traces") => return traces::main(&args[1..]),
        _ => return Err(USAGE.into()),
    }
    let mut runs = DEFAULT_RUNS;
    let mut rest = args[1..].iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--runs" => {
                runs = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 15)
                    .ok_or(USAGE)?;
            }
            _ => return Err(format!("unknown argument `{a}`\n{USAGE}")),
        }
    }
    query(runs)
}

fn query(runs: usize) -> Result {
    step("bench: VictoriaMetrics from Debian");
    let vm_bin = ensure_victoria_metrics()?;
    let vm_version = package_version("victoria-metrics");
    println!("{} ({vm_version})", vm_bin.display());

    step("bench: build the server (cargo build --profile server)");
    run(cmd("cargo").args(["build", "--profile", "server", "-p", "dogwatch-server"]))?;

    // Declared first, so dropped last: the processes stop before their directories go.
    let scratch = Scratch::new()?;
    step("bench: start both engines");
    let dogwatch = start_dogwatch(Path::new("target/server/dogwatch"), &scratch.0, &[])?;
    println!("dogwatch on http://{}", dogwatch.addr);
    let victoria = start_victoria(&vm_bin, &scratch.0)?;
    println!(
        "victoria-metrics {vm_version} on http://{}, flags: {}",
        victoria.addr,
        victoria.flags.join(" ")
    );

    let data = Data::ending_now();
    step(&format!(
        "bench: load {SERIES} series × {POINTS} points ({} points, {}..={}, every {SPACING_SECS} s)",
        SERIES * POINTS,
        data.first(),
        data.last()
    ));
    let took = load_dogwatch(&dogwatch.addr, &data)?;
    println!(
        "dogwatch: {:.1} s ({:.0} points/s) through POST /api/v1/series, {} requests",
        took.as_secs_f64(),
        (SERIES * POINTS) as f64 / took.as_secs_f64(),
        SERIES.div_ceil(SERIES_PER_BATCH)
    );
    let took = load_victoria(&victoria.addr, &data)?;
    println!(
        "victoria: {:.1} s ({:.0} points/s) through /api/v1/import, flushed and searchable",
        took.as_secs_f64(),
        (SERIES * POINTS) as f64 / took.as_secs_f64()
    );
    let n = count_dogwatch(&dogwatch.addr, &data)?;
    println!("dogwatch answers with {n} points");

    step(&format!(
        "bench: queries ({WARMUP} warm-up, then {runs} timed runs each, the engines taking turns)"
    ));
    warn_if_busy();
    let mut rows = Vec::new();
    for case in &CASES {
        rows.push(bench_case(
            case,
            &data,
            &dogwatch.addr,
            &victoria.addr,
            runs,
        )?);
    }
    print_table(&rows, runs, &vm_version);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// The data

struct Data {
    end: i64,
}

impl Data {
    /// Points end on the last full minute: the one that ended at least a minute before now, so
    /// that VictoriaMetrics' query timestamps (up to 50 s after a bucket start) are in the past too.
    fn ending_now() -> Data {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Data {
            end: now - now.rem_euclid(60) - 60,
        }
    }

    fn first(&self) -> i64 {
        self.end - (POINTS as i64 - 1) * SPACING_SECS
    }

    fn last(&self) -> i64 {
        self.end
    }

    fn ts(&self, i: usize) -> i64 {
        self.first() + i as i64 * SPACING_SECS
    }

    /// Deterministic, and short in decimal (three decimals) so both engines parse the same double.
    fn value(series: usize, i: usize) -> f64 {
        let h = splitmix64(((series as u64) << 32) | i as u64);
        (h % 100_000) as f64 / 1000.0
    }

    /// Each series' mean in each `step`-wide bucket aligned to Unix time, keyed by bucket start.
    fn bucket_means(&self, series: usize, step: i64) -> BTreeMap<i64, f64> {
        let mut acc: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
        for i in 0..POINTS {
            let ts = self.ts(i);
            let e = acc.entry(ts - ts.rem_euclid(step)).or_default();
            e.0 += Data::value(series, i);
            e.1 += 1;
        }
        acc.into_iter()
            .map(|(b, (sum, n))| (b, sum / f64::from(n)))
            .collect()
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn host(series: usize) -> String {
    format!("h{series:03}")
}

// ---------------------------------------------------------------------------------------------------
// Loading

fn dogwatch_headers() -> [(&'static str, &'static str); 3] {
    [
        ("DD-API-KEY", API_KEY),
        ("DD-APPLICATION-KEY", APP_KEY),
        ("Content-Type", "application/json"),
    ]
}

fn load_dogwatch(addr: &str, data: &Data) -> Result<Duration> {
    let started = Instant::now();
    for batch in (0..SERIES).collect::<Vec<_>>().chunks(SERIES_PER_BATCH) {
        let mut body = String::with_capacity(SERIES_PER_BATCH * POINTS * 24);
        body.push_str("{\"series\":[");
        for (n, &s) in batch.iter().enumerate() {
            if n > 0 {
                body.push(',');
            }
            let _ = write!(
                body,
                "{{\"metric\":\"bench.metric\",\"type\":\"gauge\",\"tags\":[\"host:{}\",\"env:bench\"],\"points\":[",
                host(s)
            );
            for i in 0..POINTS {
                let sep = if i > 0 { "," } else { "" };
                let _ = write!(body, "{sep}[{},{}]", data.ts(i), Data::value(s, i));
            }
            body.push_str("]}");
        }
        body.push_str("]}");
        if body.len() >= 3_200_000 {
            return Err(format!(
                "a dogwatch batch is {} bytes, over the 3.2 MB intake limit",
                body.len()
            ));
        }
        let r = http::request(
            addr,
            "POST",
            "/api/v1/series",
            &dogwatch_headers(),
            body.as_bytes(),
            LOAD_TIMEOUT,
        )?;
        if r.status != 202 {
            return Err(format!(
                "dogwatch refused a batch: {} {}",
                r.status,
                r.text()
            ));
        }
    }
    Ok(started.elapsed())
}

fn load_victoria(addr: &str, data: &Data) -> Result<Duration> {
    let started = Instant::now();
    let timestamps: Vec<String> = (0..POINTS)
        .map(|i| (data.ts(i) * 1000).to_string())
        .collect();
    let timestamps = timestamps.join(",");
    for batch in (0..SERIES).collect::<Vec<_>>().chunks(SERIES_PER_BATCH) {
        let mut body = String::with_capacity(SERIES_PER_BATCH * POINTS * 24);
        for &s in batch {
            let _ = write!(
                body,
                "{{\"metric\":{{\"__name__\":\"bench_metric\",\"host\":\"{}\",\"env\":\"bench\"}},\"values\":[",
                host(s)
            );
            for i in 0..POINTS {
                let sep = if i > 0 { "," } else { "" };
                let _ = write!(body, "{sep}{}", Data::value(s, i));
            }
            let _ = writeln!(body, "],\"timestamps\":[{timestamps}]}}");
        }
        let r = http::request(
            addr,
            "POST",
            "/api/v1/import",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
            LOAD_TIMEOUT,
        )?;
        if !(200..300).contains(&r.status) {
            return Err(format!(
                "VictoriaMetrics refused a batch: {} {}",
                r.status,
                r.text()
            ));
        }
    }
    // Make everything searchable now rather than within the next second or two, then wait until
    // the whole data set is counted.
    let want = (SERIES * POINTS) as f64;
    let deadline = Instant::now() + Duration::from_secs(60);
    let q = format!(
        "/api/v1/query?query={}&time={}",
        http::encode("sum(count_over_time(bench_metric[10000s]))"),
        data.last()
    );
    loop {
        let r = http::request(
            addr,
            "GET",
            "/internal/force_flush",
            &[],
            b"",
            QUERY_TIMEOUT,
        )?;
        if r.status != 200 {
            return Err(format!(
                "VictoriaMetrics /internal/force_flush: {} {}",
                r.status,
                r.text()
            ));
        }
        let r = http::request(addr, "GET", &q, &[], b"", QUERY_TIMEOUT)?;
        let got = serde_json::from_slice::<Value>(&r.body)
            .ok()
            .and_then(|v| prometheus_number(&v["data"]["result"][0]["value"][1]))
            .unwrap_or(0.0);
        if got == want {
            return Ok(started.elapsed());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "VictoriaMetrics counts {got} points a minute after the import, not {want} ({} {})",
                r.status,
                r.text().chars().take(300).collect::<String>()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Counts dogwatch's points through its query API: windows of at most 3,000 s get 10 s buckets, so
/// on a 10 s grid every point is one entry of a `by {host}` pointlist.
fn count_dogwatch(addr: &str, data: &Data) -> Result<usize> {
    let mut total = 0;
    let mut from = data.first();
    while from <= data.last() {
        let to = from + 2_990;
        let r = dogwatch_query(addr, "avg:bench.metric{*} by {host}", from, to)?;
        let answer = dogwatch_answer(&r)?;
        for s in &answer.series {
            let interval = s.interval;
            if interval != SPACING_SECS {
                return Err(format!(
                    "counting dogwatch's points needs {SPACING_SECS} s buckets for a {} s window, \
                     but it chose {interval} s",
                    to - from
                ));
            }
            total += s.pointlist.len();
        }
        from = to + SPACING_SECS;
    }
    if total == SERIES * POINTS {
        Ok(total)
    } else {
        Err(format!(
            "dogwatch answers with {total} points, not {}",
            SERIES * POINTS
        ))
    }
}

// ---------------------------------------------------------------------------------------------------
// Queries

struct Case {
    label: &'static str,
    dogwatch: &'static str,
    /// MetricsQL with `{step}` standing for the bucket width in seconds.
    victoria: &'static str,
    /// The bucket width the dogwatch query asks for; `None`: whatever dogwatch chose (`interval`).
    rollup_secs: Option<i64>,
    by_host: bool,
}

const CASES: [Case; 3] = [
    Case {
        label: "avg by host, rollup(avg,60)",
        dogwatch: "avg:bench.metric{*} by {host}.rollup(avg, 60)",
        victoria: "avg by (host) (avg_over_time(bench_metric[{step}s]))",
        rollup_secs: Some(60),
        by_host: true,
    },
    Case {
        label: "avg by host (auto interval)",
        dogwatch: "avg:bench.metric{*} by {host}",
        victoria: "avg by (host) (avg_over_time(bench_metric[{step}s]))",
        rollup_secs: None,
        by_host: true,
    },
    Case {
        label: "sum (auto interval)",
        dogwatch: "sum:bench.metric{*}",
        victoria: "sum(avg_over_time(bench_metric[{step}s]))",
        rollup_secs: None,
        by_host: false,
    },
];

struct Row {
    label: &'static str,
    dogwatch: std::result::Result<Stats, String>,
    victoria: Stats,
    dogwatch_query: &'static str,
    victoria_query: String,
}

struct Stats {
    median_ms: f64,
    p90_ms: f64,
}

fn dogwatch_target(query: &str, from: i64, to: i64) -> String {
    format!(
        "/api/v1/query?from={from}&to={to}&query={}",
        http::encode(query)
    )
}

fn dogwatch_query(addr: &str, query: &str, from: i64, to: i64) -> Result<http::Response> {
    http::request(
        addr,
        "GET",
        &dogwatch_target(query, from, to),
        &dogwatch_headers(),
        b"",
        QUERY_TIMEOUT,
    )
}

/// dogwatch's answer when it is a 200; otherwise its error message.
fn dogwatch_answer(r: &http::Response) -> Result<QueryResponse> {
    if r.status != 200 {
        let msg = serde_json::from_slice::<Errors>(&r.body)
            .map(|e| e.errors.join("; "))
            .unwrap_or_else(|_| r.text().chars().take(500).collect());
        return Err(format!("dogwatch answered {}: {msg}", r.status));
    }
    serde_json::from_slice(&r.body).map_err(|e| format!("dogwatch: {e}"))
}

/// VictoriaMetrics' answer when it is a 200; otherwise its error message.
fn victoria_answer(r: &http::Response) -> Result<Value> {
    if r.status != 200 {
        let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let msg = match v["error"].as_str() {
            Some(e) => e.to_owned(),
            None => r.text().chars().take(500).collect(),
        };
        return Err(format!("VictoriaMetrics answered {}: {msg}", r.status));
    }
    serde_json::from_slice(&r.body).map_err(|e| format!("VictoriaMetrics: {e}"))
}

/// Prometheus' API writes sample values as strings (`"1.5"`, `"NaN"`); times as numbers.
fn prometheus_number(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str()?.parse().ok())
}

/// A query answer reduced to what both engines share: group (`host:h000`, or "" without `by`) →
/// bucket start in seconds → value.
type Lines = BTreeMap<String, BTreeMap<i64, f64>>;

fn dogwatch_lines(answer: &QueryResponse) -> Lines {
    let mut out = Lines::new();
    for s in &answer.series {
        let line = out.entry(s.tag_set.join(",")).or_default();
        for &(ts_ms, value) in &s.pointlist {
            if let Some(value) = value {
                line.insert(ts_ms / 1000, value);
            }
        }
    }
    out
}

/// VictoriaMetrics stamps each value at the end of its window: `t = bucket + step - 10`.
fn victoria_lines(v: &Value, step: i64) -> Lines {
    let mut out = Lines::new();
    let empty = Vec::new();
    for s in v["data"]["result"].as_array().unwrap_or(&empty) {
        let group = s["metric"]["host"]
            .as_str()
            .map_or_else(String::new, |h| format!("host:{h}"));
        let line = out.entry(group).or_default();
        for p in s["values"].as_array().unwrap_or(&empty) {
            if let (Some(t), Some(value)) = (p[0].as_f64(), prometheus_number(&p[1])) {
                line.insert(t.round() as i64 - (step - SPACING_SECS), value);
            }
        }
    }
    out
}

fn expected_lines(data: &Data, step: i64, by_host: bool) -> Lines {
    let mut out = Lines::new();
    for s in 0..SERIES {
        let means = data.bucket_means(s, step);
        if by_host {
            out.insert(format!("host:{}", host(s)), means);
        } else {
            let sum = out.entry(String::new()).or_default();
            for (b, m) in means {
                *sum.entry(b).or_default() += m;
            }
        }
    }
    out
}

fn shape(lines: &Lines) -> String {
    let lens: Vec<usize> = lines.values().map(BTreeMap::len).collect();
    let (min, max) = (
        lens.iter().min().copied().unwrap_or(0),
        lens.iter().max().copied().unwrap_or(0),
    );
    let per = if min == max {
        format!("{min} points each")
    } else {
        format!("{min}..{max} points")
    };
    format!(
        "{} series, {per} ({} in all)",
        lines.len(),
        lens.iter().sum::<usize>()
    )
}

/// How `got` differs from `want`, or `None` when it does not.
fn differences(got: &Lines, want: &Lines) -> Option<String> {
    let mut problems = Vec::new();
    if got.len() != want.len() {
        problems.push(format!("{} series instead of {}", got.len(), want.len()));
    }
    let (mut missing, mut extra, mut off, mut first_off) = (0, 0, 0, None);
    for (group, line) in want {
        let Some(g) = got.get(group) else {
            missing += line.len();
            continue;
        };
        for (b, w) in line {
            match g.get(b) {
                None => missing += 1,
                Some(v) if (v - w).abs() > TOLERANCE * w.abs().max(1.0) => {
                    off += 1;
                    first_off.get_or_insert_with(|| format!("{group}@{b}: {v} instead of {w}"));
                }
                Some(_) => {}
            }
        }
        extra += g.keys().filter(|b| !line.contains_key(b)).count();
    }
    if missing > 0 {
        problems.push(format!("{missing} expected points missing"));
    }
    if extra > 0 {
        problems.push(format!("{extra} unexpected points"));
    }
    if off > 0 {
        problems.push(format!(
            "{off} values off, e.g. {}",
            first_off.unwrap_or_default()
        ));
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

fn bench_case(case: &Case, data: &Data, dw: &str, vm: &str, runs: usize) -> Result<Row> {
    let (from, to) = (data.first(), data.last());
    println!("\n{}", case.label);

    // dogwatch once, untimed: its answer, its bucket width, or its error.
    let dw_target = dogwatch_target(case.dogwatch, from, to);
    let dw_answer = dogwatch_query(dw, case.dogwatch, from, to)
        .and_then(|r| dogwatch_answer(&r).map(|v| (v, r.body.len())));
    let step_secs = match &dw_answer {
        Ok((v, _)) => {
            let interval = v.series.first().map(|s| s.interval);
            match (interval, case.rollup_secs) {
                (Some(i), Some(r)) if i != r => {
                    println!("  ! dogwatch used {i} s buckets although the query asks for {r} s");
                    r
                }
                (Some(i), _) => i,
                (None, Some(r)) => r,
                (None, None) => return Err("dogwatch's answer has no series".into()),
            }
        }
        Err(_) => case.rollup_secs.unwrap_or(60),
    };
    let vm_query = case.victoria.replace("{step}", &step_secs.to_string());
    let b0 = from - from.rem_euclid(step_secs);
    let b_last = to - to.rem_euclid(step_secs);
    let lag = step_secs - SPACING_SECS;
    let vm_target = format!(
        "/api/v1/query_range?query={}&start={}&end={}&step={step_secs}&nocache=1",
        http::encode(&vm_query),
        b0 + lag,
        b_last + lag
    );
    println!("  dogwatch: {}   (from={from} to={to})", case.dogwatch);
    println!(
        "  victoria: {vm_query}   (step={step_secs} start={} end={})",
        b0 + lag,
        b_last + lag
    );

    let want = expected_lines(data, step_secs, case.by_host);
    let vm_response = http::request(vm, "GET", &vm_target, &[], b"", QUERY_TIMEOUT)?;
    let vm_json = victoria_answer(&vm_response)?;
    let vm_lines = victoria_lines(&vm_json, step_secs);
    let vm_diff = differences(&vm_lines, &want);
    println!(
        "  victoria answers {}, {:.1} MB: {}",
        shape(&vm_lines),
        vm_response.body.len() as f64 / 1e6,
        vm_diff
            .as_deref()
            .map_or("matches the data".into(), |d| format!(
                "DIFFERS from the data: {d}"
            ))
    );
    let dw_lines = match &dw_answer {
        Ok((v, size)) => {
            let lines = dogwatch_lines(v);
            let diff = differences(&lines, &want);
            println!(
                "  dogwatch answers {}, {:.1} MB, {step_secs} s buckets: {}",
                shape(&lines),
                *size as f64 / 1e6,
                diff.as_deref()
                    .map_or("matches the data".into(), |d| format!(
                        "DIFFERS from the data: {d}"
                    ))
            );
            Some(lines)
        }
        Err(e) => {
            println!("  ! dogwatch cannot answer this query (timing the others anyway): {e}");
            None
        }
    };
    if let Some(dw_lines) = &dw_lines
        && let Some(d) = differences(dw_lines, &vm_lines)
    {
        println!("  ! dogwatch and VictoriaMetrics differ: {d}");
    }

    // Interleaved, run by run, so that whatever else the machine does weighs on both alike.
    let mut send_vm = || http::request(vm, "GET", &vm_target, &[], b"", QUERY_TIMEOUT);
    let mut send_dw = || {
        http::request(
            dw,
            "GET",
            &dw_target,
            &dogwatch_headers(),
            b"",
            QUERY_TIMEOUT,
        )
    };
    let (dw_stats, vm_stats) = match dw_answer {
        Ok(_) => {
            let mut both = time_requests(runs, &mut [&mut send_dw, &mut send_vm])
                .map_err(|e| format!("{}: {e}", case.label))?;
            let vm_stats = both.pop().ok_or("no timings")?;
            (Ok(both.pop().ok_or("no timings")?), vm_stats)
        }
        Err(e) => {
            let vm_stats = time_requests(runs, &mut [&mut send_vm])
                .map_err(|e| format!("{}: {e}", case.label))?
                .pop()
                .ok_or("no timings")?;
            (Err(e), vm_stats)
        }
    };
    match &dw_stats {
        Ok(s) => println!(
            "  dogwatch {:.1} ms, victoria {:.1} ms (median)",
            s.median_ms, vm_stats.median_ms
        ),
        Err(_) => println!("  victoria {:.1} ms (median)", vm_stats.median_ms),
    }
    Ok(Row {
        label: case.label,
        dogwatch: dw_stats,
        victoria: vm_stats,
        dogwatch_query: case.dogwatch,
        victoria_query: vm_query,
    })
}

type Sender<'a> = &'a mut dyn FnMut() -> Result<http::Response>;

/// Warm-up, then `runs` rounds of one request per sender in turn, each a whole round trip on a fresh
/// connection; one [`Stats`] per sender.
fn time_requests(runs: usize, senders: &mut [Sender<'_>]) -> Result<Vec<Stats>> {
    let mut ms = vec![Vec::with_capacity(runs); senders.len()];
    for n in 0..WARMUP + runs {
        for (send, ms) in senders.iter_mut().zip(&mut ms) {
            let started = Instant::now();
            let r = send()?;
            let took = started.elapsed();
            if r.status != 200 {
                return Err(format!(
                    "run {n} answered {}: {}",
                    r.status,
                    r.text().chars().take(300).collect::<String>()
                ));
            }
            if n >= WARMUP {
                ms.push(took.as_secs_f64() * 1e3);
            }
        }
    }
    Ok(ms
        .into_iter()
        .map(|mut ms| {
            ms.sort_by(f64::total_cmp);
            Stats {
                median_ms: percentile(&ms, 0.5),
                p90_ms: percentile(&ms, 0.9),
            }
        })
        .collect())
}

/// Nearest-rank percentile of sorted values; the median of an even count is the mean of the middle two.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if p == 0.5 && n.is_multiple_of(2) {
        return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
    let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
    sorted[rank - 1]
}

/// Other work on the machine makes every number noisy; say so rather than let it pass unseen. Both
/// engines are idle here, so a second of CPU time spent meanwhile is someone else's (or a background
/// merge of VictoriaMetrics').
fn warn_if_busy() {
    /// (idle, total) jiffies of all CPUs.
    fn cpu_times() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let fields: Vec<u64> = stat
            .lines()
            .next()?
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal …
        let idle = fields.get(3)? + fields.get(4).unwrap_or(&0);
        Some((idle, fields.iter().take(8).sum()))
    }
    let Some((idle0, total0)) = cpu_times() else {
        return;
    };
    std::thread::sleep(Duration::from_secs(1));
    let Some((idle1, total1)) = cpu_times() else {
        return;
    };
    let busy = 1.0 - (idle1 - idle0) as f64 / (total1 - total0).max(1) as f64;
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    if busy > 0.1 {
        println!(
            "note: the {cpus} CPUs were {:.0}% busy while both engines sat idle: something else is \
             running, so the numbers will be noisy (the ratio less so, as the engines take turns)",
            busy * 100.0
        );
    }
}

fn print_table(rows: &[Row], runs: usize, vm_version: &str) {
    println!(
        "\nmedian (p90) of {runs} runs after {WARMUP} warm-up, ms per whole HTTP request; \
         ratio = dogwatch / VictoriaMetrics {vm_version} (target ≤ 1.0)\n"
    );
    println!(
        "{:<30} {:>20} {:>20} {:>8}",
        "query", "dogwatch_ms", "victoria_ms", "ratio"
    );
    for r in rows {
        let vm = format!("{:.1} ({:.1})", r.victoria.median_ms, r.victoria.p90_ms);
        let (dw, ratio) = match &r.dogwatch {
            Ok(s) => (
                format!("{:.1} ({:.1})", s.median_ms, s.p90_ms),
                format!("{:.2}x", s.median_ms / r.victoria.median_ms),
            ),
            Err(_) => ("error".to_owned(), "-".to_owned()),
        };
        println!("{:<30} {dw:>20} {vm:>20} {ratio:>8}", r.label);
    }
    println!();
    for r in rows {
        println!("{}:", r.label);
        println!("  dogwatch  {}", r.dogwatch_query);
        println!("  victoria  {}", r.victoria_query);
        if let Err(e) = &r.dogwatch {
            println!("  dogwatch error: {e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The engines

/// Installs Debian's `victoria-metrics` when missing; returns the path of its server binary.
fn ensure_victoria_metrics() -> Result<PathBuf> {
    let policy = || -> Result<(bool, bool)> {
        let out = cmd("apt-cache")
            .args(["policy", "victoria-metrics"])
            .output()
            .map_err(|e| format!("apt-cache: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_owned()))
                .filter(|v| v != "(none)")
        };
        Ok((field("Installed:").is_some(), field("Candidate:").is_some()))
    };
    let (installed, known) = policy()?;
    if !installed {
        let apt = |args: &[&str]| {
            run(cmd("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive"))
            .map_err(|e| format!("{e} (installing packages needs root)"))
        };
        println!("installing Debian's victoria-metrics");
        if !known {
            apt(&["update"])?;
        }
        if apt(&[
            "install",
            "-y",
            "--no-install-recommends",
            "victoria-metrics",
        ])
        .is_err()
        {
            // Stale package lists name a version the mirror no longer has.
            apt(&["update"])?;
            apt(&[
                "install",
                "-y",
                "--no-install-recommends",
                "victoria-metrics",
            ])?;
        }
    }
    let out = cmd("dpkg")
        .args(["-L", "victoria-metrics"])
        .output()
        .map_err(|e| format!("dpkg: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .find(|p| p.ends_with("bin/victoria-metrics") && p.is_file())
        .ok_or_else(|| "the victoria-metrics package installs no bin/victoria-metrics".into())
}

fn package_version(name: &str) -> String {
    cmd("dpkg-query")
        .args(["-W", "-f", "${Version}", name])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown version".into())
}

/// A temporary directory, removed on drop. Directories left by runs that died are removed first.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        let base = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&base) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(pid) = name.strip_prefix("dogwatch-bench-")
                    && !Path::new("/proc").join(pid).exists()
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = base.join(format!("dogwatch-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            eprintln!("xtask: could not remove {}: {e}", self.0.display());
        }
    }
}

/// A running server, stopped (SIGTERM, then SIGKILL after 10 s) on drop.
struct Server {
    name: &'static str,
    child: Child,
    addr: String,
    /// dogwatch's DogStatsD address (empty for VictoriaMetrics).
    statsd: String,
    /// dogwatch's trace agent address (empty for VictoriaMetrics).
    apm: String,
    flags: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("xtask: {} did not stop on SIGTERM; killing it", self.name);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of a log file, for error messages.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

fn log_file(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Starts dogwatch on free ports with `extra` flags; returns once it listens.
fn start_dogwatch(bin: &Path, scratch: &Path, extra: &[&str]) -> Result<Server> {
    let log = scratch.join("dogwatch.log");
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--statsd-addr",
            "127.0.0.1:0",
            "--apm-addr",
            "127.0.0.1:0",
            "--otlp-addr",
            "127.0.0.1:0",
            "--api-key",
            API_KEY,
            "--app-key",
            APP_KEY,
        ])
        .arg("--data")
        .arg(scratch.join("dogwatch"))
        .arg("--ui-dir")
        .arg(scratch.join("no-ui"))
        .args(extra)
        .env_remove("DOGWATCH_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file(&log)?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let (tx, rx) = mpsc::channel();
    if let Some(out) = child.stdout.take() {
        // Reads every line, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                let _ = tx.send(line);
            }
        });
    }
    let mut server = Server {
        name: "dogwatch",
        child,
        addr: String::new(),
        statsd: String::new(),
        apm: String::new(),
        flags: Vec::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    server.addr = rest.split_whitespace().next().unwrap_or("").to_owned();
                    server.statsd = line
                        .split("udp://")
                        .nth(1)
                        .and_then(|r| r.split(',').next())
                        .unwrap_or("")
                        .to_owned();
                    server.apm = line
                        .split("traces on http://")
                        .nth(1)
                        .and_then(|r| r.split(',').next())
                        .unwrap_or("")
                        .to_owned();
                    return Ok(server);
                }
            }
            Err(_) => {
                return Err(format!(
                    "dogwatch did not say `listening on` within 30 s; its log:\n{}",
                    tail(&log)
                ));
            }
        }
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("free port: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("free port: {e}"))
}

fn start_victoria(bin: &Path, scratch: &Path) -> Result<Server> {
    let addr = format!("127.0.0.1:{}", free_port()?);
    let log = scratch.join("victoria-metrics.log");
    let flags = vec![
        format!("-httpListenAddr={addr}"),
        format!("-storageDataPath={}", scratch.join("victoria").display()),
        // No rollup result cache: every timed run reads the samples (also keeps `start` unrounded).
        "-search.disableCache".to_owned(),
        // The data is all in the past; do not blank the newest buckets as "maybe incomplete".
        "-search.latencyOffset=0s".to_owned(),
        "-retentionPeriod=1y".to_owned(),
    ];
    let child = Command::new(bin)
        .args(&flags)
        .stdin(Stdio::null())
        .stdout(log_file(&log)?)
        .stderr(log_file(&scratch.join("victoria-metrics.stderr"))?)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let mut server = Server {
        name: "victoria-metrics",
        child,
        addr,
        statsd: String::new(),
        apm: String::new(),
        flags,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!(
                "victoria-metrics exited ({status}); its log:\n{}\n{}",
                tail(&log),
                tail(&scratch.join("victoria-metrics.stderr"))
            ));
        }
        if http::request(
            &server.addr,
            "GET",
            "/health",
            &[],
            b"",
            Duration::from_secs(2),
        )
        .is_ok_and(|r| r.status == 200)
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "victoria-metrics did not answer /health within 30 s; its log:\n{}",
                tail(&log)
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 10.5);
        assert_eq!(percentile(&v, 0.9), 18.0);
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 0.5), 2.0);
    }

    #[test]
    fn buckets_cover_the_grid() {
        let d = Data { end: 1_700_000_040 };
        assert_eq!(d.end % 60, 0);
        let means = d.bucket_means(7, 60);
        // 1,000 points over 9,990 s: a partial first bucket (3 points), 166 full ones, one point last.
        assert_eq!(means.len(), 168);
        let first = *means.keys().next().unwrap();
        let expect = (0..3).map(|i| Data::value(7, i)).sum::<f64>() / 3.0;
        assert!((means[&first] - expect).abs() < 1e-12);
        assert_eq!(Data::value(7, 3), Data::value(7, 3));
        assert_ne!(Data::value(7, 3), Data::value(8, 3));
    }
}
