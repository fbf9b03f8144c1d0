//! The DogStatsD listener: UDP packets → core's parser → agent-style aggregation → the store on every
//! flush. On shutdown the open windows are flushed and committed before the task returns.
//!
//! Nothing here grows without bound or floods the log: the aggregator holds a bounded amount
//! (core's `Aggregator`, which also drops `|T` timestamps over 10 minutes ahead); malformed lines
//! are counted and logged as one summary line per flush; the socket's receive buffer is enlarged
//! to `--statsd-so-rcvbuf` (as the Datadog agent's `dogstatsd_so_rcvbuf`), and what the kernel still
//! drops is read from `/proc/net/udp` and reported. Every count goes into the store as
//! `dogwatch.dogstatsd.*` (see `telemetry.rs`), along with the metrics other tasks send.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use dogwatch_core::statsd::{Aggregator, Datagram, Dropped, MetricValue, parse_packet};
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};

use crate::handlers::now_secs;
use crate::store::Store;
use crate::telemetry::datagram;

/// Largest UDP payload; DogStatsD clients send up to 1432 (UDP) or 8192 (UDS) bytes.
const MAX_PACKET: usize = 65_535;
/// The most of a malformed line the summary log shows.
const EXAMPLE_CHARS: usize = 200;

/// Binds the DogStatsD socket with a receive buffer of `rcvbuf` bytes, or as close as the kernel
/// allows (it caps the request at `net.core.rmem_max`); returns the socket and the size it got.
pub fn bind(addr: SocketAddr, rcvbuf: usize) -> std::io::Result<(UdpSocket, usize)> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(e) = socket.set_recv_buffer_size(rcvbuf) {
        tracing::warn!(error = %e, requested = rcvbuf, "cannot set the DogStatsD receive buffer");
    }
    socket.bind(&addr.into())?;
    socket.set_nonblocking(true)?;
    // Linux reports twice what it grants: the other half is its own bookkeeping.
    let granted = socket.recv_buffer_size()? / 2;
    if granted < rcvbuf {
        tracing::warn!(
            requested = rcvbuf,
            granted,
            "the DogStatsD receive buffer is smaller than asked (raise net.core.rmem_max); bursts may be dropped, and are counted in dogwatch.dogstatsd.dropped"
        );
    }
    Ok((UdpSocket::from_std(socket.into())?, granted))
}

/// What happened since the last flush, reported into the store as `dogwatch.dogstatsd.*`.
#[derive(Default)]
struct Counts {
    packets: u64,
    malformed: u64,
    /// The first malformed line since the last flush, for the summary log.
    example: Option<String>,
    dropped: BTreeMap<Dropped, u64>,
}

pub async fn serve(
    socket: UdpSocket,
    store: Store,
    flush_every: Duration,
    mut internal: mpsc::Receiver<Datagram>,
    mut stop: watch::Receiver<bool>,
) {
    let interval_secs = flush_every.as_secs().max(1) as i64;
    let mut agg = Aggregator::new(interval_secs);
    let mut buf = vec![0u8; MAX_PACKET];
    let mut counts = Counts::default();
    let mut kernel = KernelDrops::of(&socket);
    let mut ticker = tokio::time::interval(flush_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, _)) => {
                    counts.packets += 1;
                    let text = String::from_utf8_lossy(&buf[..n]);
                    let now = now_secs();
                    for line in parse_packet(&text) {
                        match line {
                            Ok(d) => {
                                if let Err(why) = agg.insert(d, now) {
                                    *counts.dropped.entry(why).or_default() += 1;
                                }
                            }
                            Err(e) => {
                                counts.malformed += 1;
                                counts.example.get_or_insert_with(|| e.to_string().chars().take(EXAMPLE_CHARS).collect());
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "DogStatsD receive failed"),
            },
            Some(d) = internal.recv() => {
                if let Err(why) = agg.insert(d, now_secs()) {
                    *counts.dropped.entry(why).or_default() += 1;
                }
            }
            _ = ticker.tick() => {
                report(&mut agg, std::mem::take(&mut counts), kernel.since_last(), interval_secs);
                write(&store, agg.flush(now_secs())).await;
            }
            _ = stop.changed() => {
                report(&mut agg, std::mem::take(&mut counts), kernel.since_last(), interval_secs);
                write(&store, agg.flush_all()).await;
                return;
            }
        }
    }
}

/// Logs what went wrong since the last flush in one line, and adds the counts to the aggregator.
fn report(agg: &mut Aggregator, counts: Counts, kernel_dropped: u64, interval_secs: i64) {
    if counts.malformed > 0 {
        tracing::warn!(
            malformed = counts.malformed,
            example = counts.example.as_deref().unwrap_or(""),
            "dropped {} malformed DogStatsD lines in the last {interval_secs} s",
            counts.malformed
        );
    }
    let now = now_secs();
    let mut add = |name: &str, n: u64, tags: &[&str]| {
        let _ = agg.insert(datagram(name, MetricValue::Count(n as f64), tags), now);
    };
    add("dogwatch.dogstatsd.packets", counts.packets, &[]);
    add("dogwatch.dogstatsd.malformed", counts.malformed, &[]);
    add(
        "dogwatch.dogstatsd.dropped",
        kernel_dropped,
        &["reason:kernel"],
    );
    for (why, n) in counts.dropped {
        add(
            "dogwatch.dogstatsd.dropped",
            n,
            &[&format!("reason:{}", why.as_str())],
        );
    }
}

async fn write(store: &Store, samples: Vec<dogwatch_core::model::Sample>) {
    let n = samples.len();
    if let Err(e) = store.write_samples(samples).await {
        tracing::error!(error = %e, points = n, "could not store a DogStatsD flush");
    }
}

/// The kernel's count of datagrams dropped for this socket (its receive buffer was full), read from
/// `/proc/net/udp` and `/proc/net/udp6` by the socket's inode.
struct KernelDrops {
    inode: Option<u64>,
    last: u64,
}

impl KernelDrops {
    fn of(socket: &UdpSocket) -> KernelDrops {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::MetadataExt;
        let inode = std::fs::metadata(format!("/proc/self/fd/{}", socket.as_raw_fd()))
            .map(|m| m.ino())
            .ok();
        if inode.is_none() {
            tracing::warn!(
                "cannot find the DogStatsD socket in /proc; kernel drops are not counted"
            );
        }
        let mut drops = KernelDrops { inode, last: 0 };
        drops.last = drops.total().unwrap_or(0);
        drops
    }

    fn total(&self) -> Option<u64> {
        let inode = self.inode?.to_string();
        ["/proc/net/udp", "/proc/net/udp6"].iter().find_map(|file| {
            let table = std::fs::read_to_string(file).ok()?;
            drops_of(&table, &inode)
        })
    }

    /// Drops since the last call.
    fn since_last(&mut self) -> u64 {
        let Some(total) = self.total() else { return 0 };
        let new = total.saturating_sub(self.last);
        self.last = total;
        new
    }
}

/// The `drops` column (the last) of the row of `/proc/net/udp` whose `inode` column (the tenth)
/// is `inode`.
fn drops_of(table: &str, inode: &str) -> Option<u64> {
    table.lines().skip(1).find_map(|row| {
        let fields: Vec<&str> = row.split_whitespace().collect();
        (fields.get(9) == Some(&inode))
            .then(|| fields.last()?.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn kernel_drops_are_read_from_the_sockets_row() {
        let table = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:1FBD 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17
  124: 0100007F:1FBE 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0";
        assert_eq!(super::drops_of(table, "4242"), Some(17));
        assert_eq!(super::drops_of(table, "4243"), Some(0));
        assert_eq!(super::drops_of(table, "1"), None);
    }
}
