//! `cargo xtask bench monitors` runs this: 10,000 metric monitors over 1,000 series in a temporary
//! store, and the time of full evaluation cycles (`evaluator::run_cycle`).
//!
//! The data: `bench.metric{host:h000…h999, env:bench}`, one point every 10 s for the last 2 hours
//! (720 points per series), deterministic pseudo-random values 0–1000. The monitors: for each host,
//! ten on its series — windows of 5, 10, 15, 30 and 60 minutes, each once with `avg` and once with
//! `max` — with thresholds spread so that groups land in OK, Warn and Alert. The first cycle creates
//! every group (10,000 group rows and the transitions of those that start past a threshold); the
//! second is the steady state (every group's value refreshed, few transitions).
//!
//! Usage: `bench_monitors [--monitors N] [--series N] [--cycles N]`; prints one line per cycle.

use std::time::Instant;

use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
use dogwatch_server::evaluator::run_cycle;
use dogwatch_server::store::Store;
use serde_json::{Value, json};

const POINTS: i64 = 720;
const SPACING_SECS: i64 = 10;
const WINDOWS: [&str; 5] = ["last_5m", "last_10m", "last_15m", "last_30m", "last_1h"];

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let monitors = arg(&args, "--monitors", 10_000);
    let series = arg(&args, "--series", 1_000).max(1);
    let cycles = arg(&args, "--cycles", 2).max(1);

    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        / 60
        * 60;

    let started = Instant::now();
    let mut batch = Vec::new();
    for s in 0..series {
        let key = SeriesKey {
            metric: "bench.metric".into(),
            tags: TagSet::from_canonical(&format!("env:bench,host:h{s:03}")),
        };
        for i in 0..POINTS {
            let r = splitmix64((s as u64) << 32 | i as u64);
            batch.push(Sample {
                key: key.clone(),
                ts_secs: now_secs - (POINTS - 1 - i) * SPACING_SECS,
                value: (r % 1000) as f64,
                kind: MetricType::Gauge,
                interval_secs: None,
            });
        }
        if batch.len() >= 100_000 {
            store
                .write_samples(std::mem::take(&mut batch))
                .await
                .expect("write");
        }
    }
    store.write_samples(batch).await.expect("write");
    let load_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for m in 0..monitors {
        let host = m % series;
        let variant = m / series;
        let window = WINDOWS[variant % WINDOWS.len()];
        let aggr = if (variant / WINDOWS.len()).is_multiple_of(2) {
            "avg"
        } else {
            "max"
        };
        // Thresholds from 450 to 990: the averages (about 500) and maxima (near 1000) fall on both
        // sides.
        let critical = 450 + (splitmix64(m as u64) % 55) as i64 * 10;
        let body = json!({
            "type": "metric alert",
            "name": format!("bench {m}"),
            "query": format!("{aggr}({window}):avg:bench.metric{{host:h{host:03}}} > {critical}"),
            "message": "{{#is_alert}}{{host.name}} is {{value}}{{/is_alert}} @bench@example.com",
            "options": {"thresholds": {"critical": critical, "warning": critical - 100}},
        });
        let Value::Object(obj) = body else {
            unreachable!("a JSON object literal")
        };
        let checked = dogwatch_server::monitor::check(obj).expect("valid monitor");
        store
            .create_monitor(
                Value::Object(checked).to_string(),
                now_secs * 1000,
                "bench".to_owned(),
            )
            .await
            .expect("create monitor");
    }
    let create_secs = started.elapsed().as_secs_f64();
    println!(
        "setup: {series} series × {POINTS} points in {load_secs:.1} s, {monitors} monitors in {create_secs:.1} s"
    );

    for cycle in 0..cycles {
        let now_ms = (now_secs + cycle as i64 * 60) * 1000;
        let started = Instant::now();
        let report = run_cycle(&store, now_ms).await.expect("cycle");
        let secs = started.elapsed().as_secs_f64();
        println!(
            "cycle {}: {secs:.2} s for {} monitors, {} groups, {} transitions, {} notifications enqueued",
            cycle + 1,
            report.monitors,
            report.groups,
            report.transitions,
            report.committed.notifications
        );
    }
    store.close().await;
}
