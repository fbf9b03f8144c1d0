//! dogwatch's own metrics, stored like any other so that they can be graphed and alerted on (as
//! the Datadog agent reports `datadog.dogstatsd.*`): request handlers send DogStatsD datagrams to
//! the DogStatsD task, which aggregates them with everything else it receives.
//!
//! - `dogwatch.dogstatsd.packets`, `.malformed` (lines), `.dropped` (`reason:kernel` packets the
//!   socket's receive buffer had no room for, `reason:future_timestamp` and
//!   `reason:aggregator_full` lines) — counts, from `statsd.rs`;
//! - `dogwatch.intake.points` (`endpoint:v1|v2`) — a count of the points stored by `/api/v*/series`;
//! - `dogwatch.query.duration` — a timer in milliseconds of each `/api/v1/query` request, stored as
//!   `.avg .median .95percentile .max .count`.

use dogwatch_core::model::TagSet;
use dogwatch_core::statsd::{Datagram, Metric, MetricValue};
use tokio::sync::mpsc;

/// Datagrams waiting for the DogStatsD task; beyond, new ones are dropped (never waited for).
const QUEUE: usize = 8192;

/// Where handlers send dogwatch's own metrics.
#[derive(Debug, Clone)]
pub struct Telemetry {
    tx: mpsc::Sender<Datagram>,
}

impl Telemetry {
    /// A sender and the receiver the DogStatsD task reads.
    pub fn channel() -> (Telemetry, mpsc::Receiver<Datagram>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (Telemetry { tx }, rx)
    }

    /// A sender whose metrics go nowhere (tests driving the router without the DogStatsD task).
    pub fn discarded() -> Telemetry {
        Telemetry::channel().0
    }

    /// Adds `n` to the count `name`.
    pub fn count(&self, name: &str, n: f64, tags: &[&str]) {
        self.send(name, MetricValue::Count(n), tags);
    }

    /// One duration of the timer `name`, in milliseconds.
    pub fn timing_ms(&self, name: &str, ms: f64, tags: &[&str]) {
        self.send(name, MetricValue::Timer(ms), tags);
    }

    fn send(&self, name: &str, value: MetricValue, tags: &[&str]) {
        let _ = self.tx.try_send(datagram(name, value, tags));
    }
}

/// A metric datagram as a client would send it, stamped when it is received.
pub fn datagram(name: &str, value: MetricValue, tags: &[&str]) -> Datagram {
    Datagram::Metric(Metric {
        name: name.to_owned(),
        value,
        sample_rate: 1.0,
        tags: TagSet::from_tags(tags),
        ts_secs: None,
    })
}
