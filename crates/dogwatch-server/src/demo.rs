//! `--demo`: feeds `my_metric` (random 0–1000 every 45 s, tags env:test, host:ubuntu, region:france)
//! and host metrics for two hosts, after backfilling the last 24 h so the first look has a picture.
//! Every demo series carries `source:demo`. After a restart only the gap since the last point is filled.

use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
use tokio::sync::watch;

use crate::handlers::now_secs;
use crate::store::Store;

const BACKFILL_SECS: i64 = 24 * 3600;
const MY_METRIC_EVERY: i64 = 45;
const HOST_EVERY: i64 = 15;
const HOSTS: [&str; 2] = ["ubuntu", "debian"];

/// A small xorshift generator: demo values need to look random, not be cryptographic.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let mut b = [0u8; 8];
        let seed =
            getrandom::fill(&mut b).map_or(0x9E37_79B9_7F4A_7C15, |()| u64::from_le_bytes(b));
        Rng(seed | 1)
    }

    /// Uniform in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn key(metric: &str, tags: &[&str]) -> SeriesKey {
    SeriesKey {
        metric: metric.to_owned(),
        tags: TagSet::from_tags(tags.iter().chain(&["source:demo"])),
    }
}

fn gauge(key: &SeriesKey, ts_secs: i64, value: f64) -> Sample {
    Sample {
        key: key.clone(),
        kind: MetricType::Gauge,
        interval_secs: None,
        ts_secs,
        value,
    }
}

/// CPU follows a daily curve per host plus noise, so a day's graph has a shape.
fn cpu_user(host_index: usize, ts: i64, rng: &mut Rng) -> f64 {
    let day = (ts % 86_400) as f64 / 86_400.0 * std::f64::consts::TAU;
    let base = 25.0 + 15.0 * (day + host_index as f64).sin();
    (base + rng.next() * 10.0).clamp(0.0, 100.0)
}

/// Memory drifts slowly around a per-host level, in bytes.
fn mem_used(host_index: usize, ts: i64, rng: &mut Rng) -> f64 {
    let gib = 1024.0 * 1024.0 * 1024.0;
    let hour = (ts % 3_600) as f64 / 3_600.0 * std::f64::consts::TAU;
    (3.0 + host_index as f64 + 0.5 * hour.sin() + rng.next() * 0.2) * gib
}

fn samples_for(ts: i64, rng: &mut Rng) -> Vec<Sample> {
    let mut out = Vec::new();
    if ts % MY_METRIC_EVERY == 0 {
        let k = key("my_metric", &["env:test", "host:ubuntu", "region:france"]);
        out.push(gauge(&k, ts, (rng.next() * 1000.0).round()));
    }
    if ts % HOST_EVERY == 0 {
        for (i, host) in HOSTS.iter().enumerate() {
            let host_tag = format!("host:{host}");
            let tags = ["env:test", host_tag.as_str()];
            out.push(gauge(
                &key("system.cpu.user", &tags),
                ts,
                cpu_user(i, ts, rng),
            ));
            out.push(gauge(
                &key("system.mem.used", &tags),
                ts,
                mem_used(i, ts, rng),
            ));
        }
    }
    out
}

pub async fn run(store: Store, mut stop: watch::Receiver<bool>) {
    let mut rng = Rng::seeded();
    let now = now_secs();
    let last = store
        .read(|r| r.last_point_ts("my_metric"))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let start = last.map_or(now - BACKFILL_SECS, |l| l.max(now - BACKFILL_SECS)) + 1;
    let mut batch = Vec::new();
    for ts in start..=now {
        batch.extend(samples_for(ts, &mut rng));
        if batch.len() >= 5_000
            && let Err(e) = store.write_samples(std::mem::take(&mut batch)).await
        {
            tracing::error!(error = %e, "demo backfill failed");
            return;
        }
    }
    if let Err(e) = store.write_samples(batch).await {
        tracing::error!(error = %e, "demo backfill failed");
        return;
    }
    tracing::info!(from = start, to = now, "demo data backfilled; feeding live");

    let mut next = now + 1;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = now_secs();
                let mut live = Vec::new();
                while next <= now {
                    live.extend(samples_for(next, &mut rng));
                    next += 1;
                }
                if let Err(e) = store.write_samples(live).await {
                    tracing::error!(error = %e, "demo feed failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
