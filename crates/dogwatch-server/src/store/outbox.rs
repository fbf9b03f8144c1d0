//! The notification outbox: every email, webhook call and inbox message is first a row here, then the
//! delivery worker (`crate::delivery`) sends it and marks it.
//!
//! Enqueueing is idempotent by `dedupe_key` (`INSERT OR IGNORE`): a producer that writes its state
//! change and its notifications in one transaction ([`enqueue_tx`]) can crash and redo the work
//! after a restart without losing or doubling a notification. A row becomes `sent` only after the
//! channel confirmed it; inbox messages are written and marked in one transaction, so they are
//! exactly-once.

use rusqlite::{Connection, Transaction, params};

use super::{Store, StoreError, users};

/// How a notification is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `target` is an email address.
    Email,
    /// `target` is the name of a row in `webhooks`.
    Webhook,
    /// `target` is a user handle; delivery writes to that user's inbox.
    Inbox,
}

impl Channel {
    /// Where an @mention is delivered: the channel and its target (a handle lower-cased).
    pub fn of(mention: dogwatch_core::monitor::Mention) -> (Channel, String) {
        use dogwatch_core::monitor::Mention;
        match mention {
            Mention::Email(address) => (Channel::Email, address),
            Mention::Webhook(name) => (Channel::Webhook, name),
            Mention::Handle(handle) => (Channel::Inbox, handle.to_lowercase()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
            Channel::Inbox => "inbox",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            "inbox" => Some(Channel::Inbox),
            _ => None,
        }
    }
}

/// Where a notification is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its first or next attempt (`next_attempt_ms`).
    Pending,
    /// The channel confirmed it (`sent_ms`).
    Sent,
    /// Given up: out of attempts, or a permanent error (`last_error`).
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "sent" => Some(DeliveryState::Sent),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

/// A notification to enqueue.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Unique per notification ever meant to be sent, e.g.
    /// `monitor:<id>:group:<g>:transition:<seq>:<channel>:<target>`; a second enqueue is ignored.
    pub dedupe_key: String,
    pub channel: Channel,
    /// Email address, webhook name, or user handle, by channel.
    pub target: String,
    pub subject: String,
    /// Plain text (never interpreted as HTML by any channel).
    pub body: String,
    /// JSON posted to a webhook that is not Slack-compatible; `None` posts
    /// `{"subject": …, "body": …}`.
    pub payload: Option<String>,
    /// The snapshot it shares: an email carries its picture inline.
    pub snapshot_id: Option<String>,
}

/// A stored notification.
#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: i64,
    pub dedupe_key: String,
    pub channel: Channel,
    pub target: String,
    pub subject: String,
    pub body: String,
    pub payload: Option<String>,
    pub snapshot_id: Option<String>,
    pub created_ms: i64,
    pub next_attempt_ms: i64,
    pub attempts: u32,
    pub state: DeliveryState,
    pub last_error: Option<String>,
    pub sent_ms: Option<i64>,
}

/// A message delivered to a user's in-app inbox.
#[derive(Debug, Clone)]
pub struct InboxRow {
    pub id: i64,
    pub notification_id: i64,
    pub handle: String,
    pub subject: String,
    pub body: String,
    pub created_ms: i64,
    pub read: bool,
}

/// What the delivery worker records after an attempt that did not succeed.
#[derive(Debug, Clone)]
pub struct AttemptFailed {
    pub id: i64,
    pub error: String,
    /// `Some(t)`: try again at `t`; `None`: give up (state `failed`).
    pub retry_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, dedupe_key, channel, target, subject, body, payload, created_ms, \
                       next_attempt_ms, attempts, state, last_error, sent_ms, snapshot_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NotificationRow> {
    let text_err = |i: usize, what: &str, v: String| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what} `{v}`").into(),
        )
    };
    let channel: String = r.get(2)?;
    let state: String = r.get(10)?;
    Ok(NotificationRow {
        id: r.get(0)?,
        dedupe_key: r.get(1)?,
        channel: Channel::parse(&channel).ok_or_else(|| text_err(2, "channel", channel))?,
        target: r.get(3)?,
        subject: r.get(4)?,
        body: r.get(5)?,
        payload: r.get(6)?,
        created_ms: r.get(7)?,
        next_attempt_ms: r.get(8)?,
        attempts: r.get(9)?,
        state: DeliveryState::parse(&state).ok_or_else(|| text_err(10, "state", state))?,
        last_error: r.get(11)?,
        sent_ms: r.get(12)?,
        snapshot_id: r.get(13)?,
    })
}

/// Enqueues inside the caller's transaction, due at once; returns how many were new (keys already
/// present are ignored). Call [`Store::wake_delivery`] after committing, or the worker finds them
/// at its next poll.
pub fn enqueue_tx(
    tx: &Transaction<'_>,
    items: &[NewNotification],
    now_ms: i64,
) -> rusqlite::Result<usize> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO notifications
             (dedupe_key, channel, target, subject, body, payload, created_ms, next_attempt_ms,
              snapshot_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
    )?;
    let mut inserted = 0;
    for n in items {
        inserted += st.execute(params![
            n.dedupe_key,
            n.channel.as_str(),
            n.target,
            n.subject,
            n.body,
            n.payload,
            now_ms,
            n.snapshot_id
        ])?;
    }
    Ok(inserted)
}

fn due(
    conn: &Connection,
    now_ms: i64,
    limit: usize,
    with_email: bool,
) -> rusqlite::Result<Vec<NotificationRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notifications
         WHERE state = 'pending' AND next_attempt_ms <= ?1 AND (?3 OR channel != 'email')
         ORDER BY next_attempt_ms, id LIMIT ?2"
    ))?;
    st.query_map(params![now_ms, limit as i64, with_email], row)?
        .collect()
}

fn next_due_ms(conn: &Connection, with_email: bool) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT min(next_attempt_ms) FROM notifications
         WHERE state = 'pending' AND (?1 OR channel != 'email')",
        params![with_email],
        |r| r.get(0),
    )
}

fn list(
    conn: &Connection,
    state: Option<DeliveryState>,
    limit: usize,
) -> rusqlite::Result<Vec<NotificationRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE ?1 IS NULL OR state = ?1
         ORDER BY id DESC LIMIT ?2"
    ))?;
    st.query_map(params![state.map(DeliveryState::as_str), limit as i64], row)?
        .collect()
}

/// Notifications whose dedupe key starts with `prefix`, latest first.
pub(super) fn with_key_prefix(
    conn: &Connection,
    prefix: &str,
    limit: usize,
) -> rusqlite::Result<Vec<NotificationRow>> {
    // A range on the unique index instead of LIKE, which would need escaping of `%` and `_`.
    let mut end = prefix.to_owned();
    end.push(char::MAX);
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE dedupe_key >= ?1 AND dedupe_key < ?2
         ORDER BY id DESC LIMIT ?3"
    ))?;
    st.query_map(params![prefix, end, limit as i64], row)?
        .collect()
}

fn inbox(conn: &Connection, handle: &str, limit: usize) -> rusqlite::Result<Vec<InboxRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, notification_id, handle, subject, body, created_ms, read FROM inbox
         WHERE handle = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    st.query_map(params![handle, limit as i64], |r| {
        Ok(InboxRow {
            id: r.get(0)?,
            notification_id: r.get(1)?,
            handle: r.get(2)?,
            subject: r.get(3)?,
            body: r.get(4)?,
            created_ms: r.get(5)?,
            read: r.get(6)?,
        })
    })?
    .collect()
}

fn mark_sent(tx: &Transaction<'_>, id: i64, now_ms: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE notifications SET state = 'sent', sent_ms = ?2, attempts = attempts + 1,
             last_error = NULL
         WHERE id = ?1 AND state = 'pending'",
        params![id, now_ms],
    )
    .map(|_| ())
}

impl Store {
    /// Enqueues notifications in their own transaction and wakes the delivery worker; returns how
    /// many were new (a `dedupe_key` already present is ignored).
    pub async fn enqueue(&self, items: Vec<NewNotification>) -> Result<usize, StoreError> {
        let now_ms = crate::handlers::now_ms();
        let inserted = self
            .transact(move |tx| enqueue_tx(tx, &items, now_ms))
            .await?;
        if inserted > 0 {
            self.wake_delivery();
        }
        Ok(inserted)
    }

    /// Tells the delivery worker that something may be due now (after a commit that enqueued).
    pub fn wake_delivery(&self) {
        // notify_one keeps a permit when the worker is busy, so a wake-up is never lost.
        self.inner.delivery.notify_one();
    }

    /// Completes after the next [`Store::wake_delivery`] (or at once if one is pending).
    pub async fn delivery_wanted(&self) {
        self.inner.delivery.notified().await;
    }

    /// Pending notifications due at `now_ms`, oldest due first; emails only when `with_email`.
    pub async fn due_notifications(
        &self,
        now_ms: i64,
        limit: usize,
        with_email: bool,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        self.read(move |r| due(r.connection(), now_ms, limit, with_email))
            .await?
            .map_err(StoreError::from)
    }

    /// When the earliest pending notification (emails only when `with_email`) is due.
    pub async fn next_notification_due_ms(
        &self,
        with_email: bool,
    ) -> Result<Option<i64>, StoreError> {
        self.read(move |r| next_due_ms(r.connection(), with_email))
            .await?
            .map_err(StoreError::from)
    }

    /// Says on every pending notification of `channel` why it is waiting (a channel that is not
    /// configured), without counting an attempt or moving its due time.
    pub async fn note_channel_unavailable(
        &self,
        channel: Channel,
        error: String,
    ) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE notifications SET last_error = ?2
                 WHERE state = 'pending' AND channel = ?1 AND last_error IS NOT ?2",
                params![channel.as_str(), error],
            )
            .map(|_| ())
        })
        .await
    }

    /// Notifications, latest first, optionally only those in `state`.
    pub async fn notifications(
        &self,
        state: Option<DeliveryState>,
        limit: usize,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        self.read(move |r| list(r.connection(), state, limit))
            .await?
            .map_err(StoreError::from)
    }

    /// A user's inbox, latest first.
    pub async fn inbox(&self, handle: String, limit: usize) -> Result<Vec<InboxRow>, StoreError> {
        self.read(move |r| inbox(r.connection(), &handle, limit))
            .await?
            .map_err(StoreError::from)
    }

    /// How many of a user's inbox messages are unread.
    pub async fn unread(&self, handle: String) -> Result<usize, StoreError> {
        self.read(move |r| {
            r.connection().query_row(
                "SELECT count(*) FROM inbox WHERE handle = ?1 AND read = 0",
                params![handle],
                |row| row.get::<_, i64>(0),
            )
        })
        .await?
        .map(|n| usize::try_from(n).unwrap_or(0))
        .map_err(StoreError::from)
    }

    /// Marks every message of a user's inbox read.
    pub async fn mark_inbox_read(&self, handle: String) -> Result<(), StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE inbox SET read = 1 WHERE handle = ?1 AND read = 0",
                params![handle],
            )
            .map(|_| ())
        })
        .await
    }

    /// Records that the channel confirmed notification `id`.
    pub async fn mark_notification_sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        self.transact(move |tx| mark_sent(tx, id, now_ms)).await
    }

    /// Records an attempt that did not deliver: a retry time, or `failed`.
    pub async fn mark_notification_failed(&self, f: AttemptFailed) -> Result<(), StoreError> {
        self.transact(move |tx| {
            match f.retry_at_ms {
                Some(at) => tx.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = ?2,
                         next_attempt_ms = ?3
                     WHERE id = ?1 AND state = 'pending'",
                    params![f.id, f.error, at],
                ),
                None => tx.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_error = ?2,
                         state = 'failed'
                     WHERE id = ?1 AND state = 'pending'",
                    params![f.id, f.error],
                ),
            }
            .map(|_| ())
        })
        .await
    }

    /// Delivers an inbox notification: writes the message and marks it sent in one transaction.
    /// `Ok(false)` when the handle names no user (nothing is written).
    pub async fn deliver_to_inbox(
        &self,
        n: NotificationRow,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            if users::user(tx, &n.target)?.is_none() {
                return Ok(false);
            }
            tx.execute(
                "INSERT OR IGNORE INTO inbox (notification_id, handle, subject, body, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![n.id, n.target, n.subject, n.body, now_ms],
            )?;
            mark_sent(tx, n.id, now_ms)?;
            Ok(true)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        super::super::schema::migrate(&mut conn).expect("migrate");
        conn
    }

    fn note(key: &str) -> NewNotification {
        NewNotification {
            dedupe_key: key.to_owned(),
            channel: Channel::Email,
            target: "a@example.com".to_owned(),
            subject: "s".to_owned(),
            body: "b".to_owned(),
            payload: None,
            snapshot_id: None,
        }
    }

    fn count(conn: &Connection) -> i64 {
        conn.query_row("SELECT count(*) FROM notifications", [], |r| r.get(0))
            .expect("count")
    }

    #[test]
    fn enqueue_tx_follows_the_callers_transaction_and_ignores_known_keys() {
        let mut conn = conn();
        // Rolled back with the caller's state change: nothing is left behind.
        let tx = conn.transaction().expect("tx");
        assert_eq!(
            enqueue_tx(&tx, &[note("a"), note("b")], 1).expect("enqueue"),
            2
        );
        drop(tx);
        assert_eq!(count(&conn), 0);

        let tx = conn.transaction().expect("tx");
        assert_eq!(
            enqueue_tx(&tx, &[note("a"), note("a")], 1).expect("enqueue"),
            1
        );
        tx.commit().expect("commit");
        // Redone after a restart: the key is known, nothing is added.
        let tx = conn.transaction().expect("tx");
        assert_eq!(
            enqueue_tx(&tx, &[note("a"), note("c")], 2).expect("enqueue"),
            1
        );
        tx.commit().expect("commit");
        assert_eq!(count(&conn), 2);

        let due = due(&conn, 2, 10, true).expect("due");
        assert_eq!(due.len(), 2);
        assert_eq!(due[0].state, DeliveryState::Pending);
        assert_eq!((due[0].attempts, due[0].next_attempt_ms), (0, 1));
        assert!(super::due(&conn, 2, 10, false).expect("due").is_empty());
    }
}
