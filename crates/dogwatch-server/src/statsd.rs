//! The DogStatsD listener: UDP packets → core's parser → agent-style aggregation → the store on every
//! flush. Malformed lines are counted and logged, never fatal. On shutdown the open buckets are
//! flushed and committed before the task returns.

use std::time::Duration;

use dogwatch_core::statsd::{Aggregator, parse_packet};
use tokio::net::UdpSocket;
use tokio::sync::watch;

use crate::handlers::now_secs;
use crate::store::Store;

/// Largest UDP payload; DogStatsD clients send up to 1432 (UDP) or 8192 (UDS) bytes.
const MAX_PACKET: usize = 65_535;

pub async fn serve(
    socket: UdpSocket,
    store: Store,
    flush_every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut agg = Aggregator::new(flush_every.as_secs().max(1) as i64);
    let mut buf = vec![0u8; MAX_PACKET];
    let mut malformed: u64 = 0;
    let mut ticker = tokio::time::interval(flush_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, from)) => {
                    let text = String::from_utf8_lossy(&buf[..n]);
                    let now = now_secs();
                    for line in parse_packet(&text) {
                        match line {
                            Ok(d) => agg.insert(d, now),
                            Err(e) => {
                                malformed += 1;
                                tracing::warn!(%from, malformed_total = malformed, error = %e, "dropped a malformed DogStatsD line");
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "DogStatsD receive failed"),
            },
            _ = ticker.tick() => write(&store, agg.flush(now_secs())).await,
            _ = stop.changed() => {
                write(&store, agg.flush_all()).await;
                return;
            }
        }
    }
}

async fn write(store: &Store, samples: Vec<dogwatch_core::model::Sample>) {
    let n = samples.len();
    if let Err(e) = store.write_samples(samples).await {
        tracing::error!(error = %e, points = n, "could not store a DogStatsD flush");
    }
}
