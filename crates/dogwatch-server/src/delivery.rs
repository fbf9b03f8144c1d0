//! The delivery worker: sends what the outbox (`store/outbox.rs`) holds, by email (`smtp.rs`),
//! webhook (`webhook.rs`) or into a user's inbox, and records the outcome.
//!
//! One task, started by `run()`, claims pending notifications whose `next_attempt_ms` has come,
//! delivers them (a batch at a time, concurrently), then sleeps until the next one is due, an
//! enqueue wakes it ([`Store::wake_delivery`]), or [`DeliveryConfig::poll`] passes (which also
//! finds rows another process enqueued).
//!
//! Delivery is at-least-once at one boundary only: a row is marked `sent` right after the channel
//! confirmed it (SMTP's 250 after DATA, a webhook's 2xx), in the next transaction of the writer. If
//! the process dies between that confirmation and that commit, the notification is still pending
//! at the next start and is sent once more. Nothing is ever lost: a row leaves `pending` only
//! after confirmation or after the last attempt. Inbox messages are written and marked in one
//! transaction, so they are exactly-once. Only one worker may run per store (one `dogwatch serve`
//! per data directory), since claiming is a read, not a lease.
//!
//! A failed attempt is retried after `retry_base × 2^(attempts − 1)` (30 s, 1 min, 2 min, …), at
//! most [`DeliveryConfig::retry_cap`] apart; after [`DeliveryConfig::max_attempts`] attempts, or
//! at once for a permanent error (an unknown user or webhook, a bad address, an SMTP 5xx), the row
//! is `failed` with its `last_error`. Email waits, without using attempts, while SMTP is not
//! configured.

pub mod smtp;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::handlers::now_ms;
use crate::store::{AttemptFailed, Channel, NotificationRow, Store};

pub use smtp::SmtpConfig;

/// What the last error of an email says while no SMTP server is configured.
pub const SMTP_NOT_CONFIGURED: &str = "SMTP is not configured (--smtp-url)";

/// Most notifications delivered concurrently in one pass.
const BATCH: usize = 32;

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub smtp: Option<Arc<SmtpConfig>>,
    /// Delay before the first retry; doubles with each further attempt.
    pub retry_base: Duration,
    /// Longest delay between two attempts.
    pub retry_cap: Duration,
    /// Attempts before a notification is `failed`.
    pub max_attempts: u32,
    /// Longest sleep between two looks at the outbox when nothing wakes the worker.
    pub poll: Duration,
    /// How long one webhook call may take, connection included.
    pub webhook_timeout: Duration,
}

impl DeliveryConfig {
    /// The production settings: 10 attempts, 1 h between attempts at most, a look every 5 s.
    pub fn new(smtp: Option<Arc<SmtpConfig>>, retry_base: Duration) -> DeliveryConfig {
        DeliveryConfig {
            smtp,
            retry_base,
            retry_cap: Duration::from_secs(3600),
            max_attempts: 10,
            poll: Duration::from_secs(5),
            webhook_timeout: Duration::from_secs(10),
        }
    }

    /// The delay after the `attempts`-th failed attempt (1-based).
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        self.retry_base
            .checked_mul(factor)
            .map_or(self.retry_cap, |d| d.min(self.retry_cap))
    }
}

/// Why an attempt did not deliver.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    /// Retrying cannot help (unknown target, rejected address, SMTP 5xx).
    pub permanent: bool,
}

impl Failure {
    pub fn transient(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Runs the worker until `stop` turns true (or its sender is dropped); an attempt under way is
/// finished and recorded first.
pub async fn run(store: Store, config: DeliveryConfig, mut stop: watch::Receiver<bool>) {
    let worker = Arc::new(Worker {
        webhooks: webhook::Client::new(config.webhook_timeout),
        store: store.clone(),
        config,
    });
    let with_email = worker.config.smtp.is_some();
    loop {
        if *stop.borrow() {
            break;
        }
        if !with_email
            && let Err(e) = store
                .note_channel_unavailable(Channel::Email, SMTP_NOT_CONFIGURED.to_owned())
                .await
        {
            tracing::error!(error = %e, "cannot record that SMTP is not configured");
        }
        let now = now_ms();
        let due = match store.due_notifications(now, BATCH, with_email).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the outbox");
                Vec::new()
            }
        };
        let full = due.len() == BATCH;
        let mut tasks = tokio::task::JoinSet::new();
        for n in due {
            let w = worker.clone();
            tasks.spawn(async move { w.deliver(n).await });
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "a delivery task failed");
            }
        }
        if full {
            continue;
        }
        let next = store
            .next_notification_due_ms(with_email)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot read the outbox");
                None
            });
        let poll = worker.config.poll;
        let wait = next.map_or(poll, |t| {
            Duration::from_millis(u64::try_from(t - now_ms()).unwrap_or(0)).min(poll)
        });
        // At least a moment, so a row that cannot be marked (a failing store) is not a busy loop.
        let wait = wait.max(Duration::from_millis(10));
        tokio::select! {
            () = store.delivery_wanted() => {}
            () = tokio::time::sleep(wait) => {}
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
}

struct Worker {
    store: Store,
    config: DeliveryConfig,
    webhooks: webhook::Client,
}

impl Worker {
    /// The picture of the snapshot a notification shares, while the snapshot exists (a deleted or
    /// expired one is mailed as text).
    async fn picture(&self, n: &NotificationRow) -> Result<Option<Vec<u8>>, Failure> {
        let Some(id) = &n.snapshot_id else {
            return Ok(None);
        };
        self.store
            .snapshot_picture(id.clone(), now_ms())
            .await
            .map(|p| p.map(|p| p.png))
            .map_err(|e| Failure::transient(format!("cannot read the snapshot's picture: {e}")))
    }

    async fn deliver(&self, n: NotificationRow) {
        let id = n.id;
        let attempts = n.attempts + 1;
        let outcome = match n.channel {
            Channel::Email => match &self.config.smtp {
                Some(smtp) => match self.picture(&n).await {
                    Ok(picture) => smtp.send(&n.target, &n.subject, &n.body, picture).await,
                    Err(e) => Err(e),
                },
                None => Err(Failure::transient(SMTP_NOT_CONFIGURED)),
            },
            Channel::Webhook => match self.store.webhook(n.target.clone()).await {
                Ok(Some(hook)) => self.webhooks.post(&hook, &n).await,
                Ok(None) => Err(Failure::permanent(format!("no webhook {}", n.target))),
                Err(e) => Err(Failure::transient(format!("cannot read the webhook: {e}"))),
            },
            Channel::Inbox => {
                let handle = n.target.clone();
                match self.store.deliver_to_inbox(n, now_ms()).await {
                    // Written and marked sent in one transaction.
                    Ok(true) => return,
                    Ok(false) => Err(Failure::permanent(format!("no user @{handle}"))),
                    Err(e) => Err(Failure::transient(format!("cannot write the inbox: {e}"))),
                }
            }
        };
        let marked = match outcome {
            Ok(()) => self.store.mark_notification_sent(id, now_ms()).await,
            Err(f) => {
                let give_up = f.permanent || attempts >= self.config.max_attempts;
                let retry_at_ms = (!give_up).then(|| {
                    let delay = self.config.backoff(attempts);
                    now_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX))
                });
                tracing::warn!(id, attempts, error = %f.message, give_up, "notification not delivered");
                self.store
                    .mark_notification_failed(AttemptFailed {
                        id,
                        error: f.message,
                        retry_at_ms,
                    })
                    .await
            }
        };
        if let Err(e) = marked {
            tracing::error!(id, error = %e, "cannot record a delivery attempt; it will be tried again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let c = DeliveryConfig::new(None, Duration::from_secs(30));
        let secs: Vec<u64> = (1..=10).map(|a| c.backoff(a).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(c.backoff(200), Duration::from_secs(3600));
    }
}
