//! `--demo`: feeds `my_metric` (random 0–1000 every 45 s, tags env:test, host:ubuntu, region:france)
//! and host metrics for two hosts, after backfilling the last 24 h so the first look has a picture.
//! Every demo series carries `source:demo`. After a restart only the gap since the last point is filled.
//!
//! It also sends a trace every 5 s (the last hour backfilled) through the same store as the trace
//! agent's port: `demo-shop` (a Flask-like web service, its sqlite queries) calling `demo-payments`
//! over HTTP, one request in twenty failing; spans tagged `env:test`, `source:demo`. A second's trace
//! is the same whenever it is made (ids and times drawn from the second), so a restart's backfill
//! replaces what is stored instead of counting it again.

use std::collections::BTreeMap;

use dogwatch_core::apm::{Span, mark_top_level};
use dogwatch_core::model::{MetricType, Sample, SeriesKey, TagSet};
use tokio::sync::watch;

use crate::handlers::now_secs;
use crate::store::Store;

const BACKFILL_SECS: i64 = 24 * 3600;
const MY_METRIC_EVERY: i64 = 45;
const HOST_EVERY: i64 = 15;
const HOSTS: [&str; 2] = ["ubuntu", "debian"];
const TRACE_EVERY: i64 = 5;
const TRACE_BACKFILL_SECS: i64 = 3600;

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

/// The demo's trace of second `ts`: a checkout or a cart view on demo-shop, with a sqlite query and,
/// for a checkout, an HTTP call to demo-payments (which queries too).
fn trace_at(ts: i64) -> Vec<Span> {
    // Seeded by the second: the same trace whenever it is made.
    let mut rng = Rng((ts as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    rng.next();
    let trace_id = (ts as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93) | 1;
    let ms = 1_000_000i64;
    let start = ts * 1_000_000_000;
    let checkout = rng.next() < 0.6;
    let failed = checkout && rng.next() < 0.08;
    let host = HOSTS[(ts / TRACE_EVERY) as usize % HOSTS.len()];
    let span = |id: u64, parent: u64, service: &str, name: &str, resource: &str, kind: &str| {
        let mut meta = BTreeMap::from([
            ("env".to_owned(), "test".to_owned()),
            ("source".to_owned(), "demo".to_owned()),
            ("_dd.hostname".to_owned(), host.to_owned()),
        ]);
        if kind == "web" {
            meta.insert("version".to_owned(), "1.4.2".to_owned());
        }
        Span {
            trace_id,
            span_id: trace_id.wrapping_add(id),
            parent_id: if parent == 0 {
                0
            } else {
                trace_id.wrapping_add(parent)
            },
            service: service.to_owned(),
            name: name.to_owned(),
            resource: resource.to_owned(),
            kind: kind.to_owned(),
            meta,
            ..Span::default()
        }
    };
    let mut root = span(
        1,
        0,
        "demo-shop",
        "flask.request",
        if checkout {
            "POST /checkout"
        } else {
            "GET /cart"
        },
        "web",
    );
    let mut query = span(
        2,
        1,
        "sqlite",
        "sqlite.query",
        "SELECT * FROM cart WHERE user_id = ?",
        "sql",
    );
    query.start_ns = start + 2 * ms;
    query.duration_ns = (1.0 + rng.next() * 4.0) as i64 * ms;
    let mut spans = vec![];
    let mut end = query.start_ns + query.duration_ns;
    spans.push(query);
    if checkout {
        let mut call = span(
            3,
            1,
            "demo-shop",
            "requests.request",
            "POST /charge",
            "http",
        );
        call.start_ns = end + ms;
        let mut pay = span(
            4,
            3,
            "demo-payments",
            "flask.request",
            "POST /charge",
            "web",
        );
        pay.start_ns = call.start_ns + ms;
        let mut insert = span(
            5,
            4,
            "sqlite",
            "sqlite.query",
            "INSERT INTO charges (order_id, amount) VALUES (?, ?)",
            "sql",
        );
        insert.start_ns = pay.start_ns + 2 * ms;
        insert.duration_ns = (2.0 + rng.next() * 8.0) as i64 * ms;
        // A slow bank now and then.
        let bank = if rng.next() < 0.1 {
            300.0
        } else {
            20.0 + rng.next() * 60.0
        };
        pay.duration_ns = insert.duration_ns + 2 * ms + bank as i64 * ms;
        call.duration_ns = pay.duration_ns + 2 * ms;
        for s in [&mut call, &mut pay] {
            s.meta.insert(
                "http.status_code".to_owned(),
                if failed { "502" } else { "200" }.to_owned(),
            );
        }
        if failed {
            pay.error = true;
            pay.meta
                .insert("error.type".to_owned(), "BankTimeout".to_owned());
            pay.meta.insert(
                "error.msg".to_owned(),
                "the bank did not answer within 300 ms".to_owned(),
            );
        }
        end = call.start_ns + call.duration_ns;
        spans.extend([call, pay, insert]);
    }
    root.start_ns = start;
    root.duration_ns = end - start + (1.0 + rng.next() * 3.0) as i64 * ms;
    root.error = failed;
    root.meta.insert(
        "http.status_code".to_owned(),
        if failed { "500" } else { "200" }.to_owned(),
    );
    spans.insert(0, root);
    mark_top_level(&mut spans);
    spans
}

/// The demo's traces of the seconds `from..=to`.
fn traces_for(from: i64, to: i64) -> Vec<Span> {
    (from..=to)
        .filter(|ts| ts % TRACE_EVERY == 0)
        .flat_map(trace_at)
        .collect()
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
    if let Err(e) = store
        .write_spans(traces_for(now - TRACE_BACKFILL_SECS, now))
        .await
    {
        tracing::error!(error = %e, "demo trace backfill failed");
    }
    tracing::info!(from = start, to = now, "demo data backfilled; feeding live");

    let mut next = now + 1;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let now = now_secs();
                let mut live = Vec::new();
                let first = next;
                while next <= now {
                    live.extend(samples_for(next, &mut rng));
                    next += 1;
                }
                if let Err(e) = store.write_samples(live).await {
                    tracing::error!(error = %e, "demo feed failed");
                }
                if let Err(e) = store.write_spans(traces_for(first, now)).await {
                    tracing::error!(error = %e, "demo trace feed failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seconds_trace_is_the_same_whenever_it_is_made_and_crosses_two_services() {
        assert_eq!(trace_at(1_700_000_000), trace_at(1_700_000_000));
        let traces: Vec<Vec<Span>> = (0..200).map(|i| trace_at(1_700_000_000 + i * 5)).collect();
        let checkout = traces
            .iter()
            .find(|t| t[0].resource == "POST /checkout")
            .expect("a checkout among 200");
        let pay = checkout
            .iter()
            .find(|s| s.service == "demo-payments")
            .expect("payments");
        assert!(pay.is_top_level());
        let parent = checkout
            .iter()
            .find(|s| s.span_id == pay.parent_id)
            .expect("its caller");
        assert_eq!(
            (parent.service.as_str(), parent.kind.as_str()),
            ("demo-shop", "http")
        );
        // Children end within their parents.
        for t in &traces {
            for s in t.iter().filter(|s| s.parent_id != 0) {
                let p = t.iter().find(|p| p.span_id == s.parent_id).expect("parent");
                assert!(s.start_ns >= p.start_ns);
                assert!(
                    s.start_ns + s.duration_ns <= p.start_ns + p.duration_ns,
                    "{s:?} in {p:?}"
                );
            }
        }
        assert!(traces.iter().any(|t| t[0].error), "some fail");
        assert!(traces.iter().any(|t| t[0].resource == "GET /cart"));
        assert_eq!(
            traces_for(0, 14).len(),
            trace_at(0).len() + trace_at(5).len() + trace_at(10).len()
        );
    }
}
