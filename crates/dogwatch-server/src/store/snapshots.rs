//! Snapshots: a graph frozen with its answers and the picture the server drew, shared by an event
//! (`events.snapshot_id`) whose related events are its comments. A snapshot past its `expires_ms`
//! is gone for every read; its row is removed by the next snapshot taken. Deleting one removes its
//! events too.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::monitors::{EVENT_COLUMNS, NewEvent, event_row, put_event};
use super::outbox::{self, Channel, NewNotification};
use super::{EventRow, Store, StoreError, users};

/// A snapshot to store.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub id: String,
    pub title: String,
    pub sender: String,
    pub sender_name: String,
    pub message: String,
    /// The widget definition, as JSON.
    pub definition: String,
    pub from_ms: i64,
    pub to_ms: i64,
    /// The answers, as a JSON array.
    pub answers: String,
    pub png: Vec<u8>,
    pub public: bool,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
}

/// A stored snapshot, without its picture.
#[derive(Debug, Clone)]
pub struct SnapshotRow {
    pub id: String,
    pub title: String,
    pub sender: String,
    pub sender_name: String,
    pub message: String,
    pub definition: String,
    pub from_ms: i64,
    pub to_ms: i64,
    pub answers: String,
    pub public: bool,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub event_id: Option<i64>,
}

/// A snapshot's picture and who may see it.
#[derive(Debug, Clone)]
pub struct SnapshotPicture {
    pub png: Vec<u8>,
    pub public: bool,
}

const COLUMNS: &str = "id, title, sender, sender_name, message, definition, from_ms, to_ms, \
     answers, public, created_ms, expires_ms, event_id";
/// Live at `?2`: not expired.
const LIVE: &str = "(expires_ms IS NULL OR expires_ms > ?2)";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SnapshotRow> {
    Ok(SnapshotRow {
        id: r.get(0)?,
        title: r.get(1)?,
        sender: r.get(2)?,
        sender_name: r.get(3)?,
        message: r.get(4)?,
        definition: r.get(5)?,
        from_ms: r.get(6)?,
        to_ms: r.get(7)?,
        answers: r.get(8)?,
        public: r.get(9)?,
        created_ms: r.get(10)?,
        expires_ms: r.get(11)?,
        event_id: r.get(12)?,
    })
}

/// `notifications` with, for each user @mentioned (an inbox notification) who has an email
/// address, an email to that address too; its key is the inbox one's with `email:<address>` for
/// `inbox:<handle>`, so an address also mentioned on its own is mailed once.
pub(super) fn with_user_emails(
    conn: &Connection,
    notifications: Vec<NewNotification>,
) -> rusqlite::Result<Vec<NewNotification>> {
    let mut out = Vec::with_capacity(notifications.len());
    for n in notifications {
        if n.channel == Channel::Inbox
            && let Some(user) = users::user(conn, &n.target)?
            && !user.email.trim().is_empty()
        {
            let suffix = format!("inbox:{}", n.target);
            let base = n.dedupe_key.strip_suffix(&suffix).unwrap_or(&n.dedupe_key);
            out.push(NewNotification {
                dedupe_key: format!("{base}email:{}", user.email),
                channel: Channel::Email,
                target: user.email,
                ..n.clone()
            });
        }
        out.push(n);
    }
    Ok(out)
}

fn purge_expired(tx: &Transaction<'_>, now_ms: i64) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM events WHERE snapshot_id IN
             (SELECT id FROM snapshots WHERE expires_ms <= ?1)",
        params![now_ms],
    )?;
    tx.execute(
        "DELETE FROM snapshots WHERE expires_ms <= ?1",
        params![now_ms],
    )?;
    Ok(())
}

impl Store {
    /// Stores a snapshot, the event that shares it (if any) and the notifications of its
    /// @mentions in one transaction (each @mentioned user with an address is mailed too); the
    /// event's id. Expired snapshots are removed on the way.
    pub async fn create_snapshot(
        &self,
        snapshot: NewSnapshot,
        event: Option<NewEvent>,
        notifications: Vec<NewNotification>,
    ) -> Result<Option<i64>, StoreError> {
        let now_ms = snapshot.created_ms;
        let (event_id, notified) = self
            .transact(move |tx| {
                purge_expired(tx, now_ms)?;
                tx.execute(
                    &format!(
                        "INSERT INTO snapshots ({COLUMNS}, png)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13)"
                    ),
                    params![
                        snapshot.id,
                        snapshot.title,
                        snapshot.sender,
                        snapshot.sender_name,
                        snapshot.message,
                        snapshot.definition,
                        snapshot.from_ms,
                        snapshot.to_ms,
                        snapshot.answers,
                        snapshot.public,
                        snapshot.created_ms,
                        snapshot.expires_ms,
                        snapshot.png,
                    ],
                )?;
                let Some(event) = event else {
                    return Ok((None, false));
                };
                put_event(tx, &event)?;
                let event_id: i64 = tx.query_row(
                    "SELECT id FROM events WHERE dedupe_key = ?1",
                    params![event.dedupe_key],
                    |r| r.get(0),
                )?;
                tx.execute(
                    "UPDATE snapshots SET event_id = ?2 WHERE id = ?1",
                    params![snapshot.id, event_id],
                )?;
                let notifications = with_user_emails(tx, notifications)?;
                outbox::enqueue_tx(tx, &notifications, now_ms)?;
                Ok((Some(event_id), !notifications.is_empty()))
            })
            .await?;
        if notified {
            self.wake_delivery();
        }
        Ok(event_id)
    }

    /// A snapshot that exists and has not expired at `now_ms`.
    pub async fn snapshot(
        &self,
        id: String,
        now_ms: i64,
    ) -> Result<Option<SnapshotRow>, StoreError> {
        self.read(move |r| {
            r.connection()
                .query_row(
                    &format!("SELECT {COLUMNS} FROM snapshots WHERE id = ?1 AND {LIVE}"),
                    params![id, now_ms],
                    row,
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// A live snapshot's picture.
    pub async fn snapshot_picture(
        &self,
        id: String,
        now_ms: i64,
    ) -> Result<Option<SnapshotPicture>, StoreError> {
        self.read(move |r| {
            r.connection()
                .query_row(
                    &format!("SELECT png, public FROM snapshots WHERE id = ?1 AND {LIVE}"),
                    params![id, now_ms],
                    |r| {
                        Ok(SnapshotPicture {
                            png: r.get(0)?,
                            public: r.get(1)?,
                        })
                    },
                )
                .optional()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Which of `ids` are live snapshots at `now_ms`.
    pub async fn live_snapshots(
        &self,
        ids: Vec<String>,
        now_ms: i64,
    ) -> Result<HashSet<String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(&format!(
                "SELECT id FROM snapshots WHERE id = ?1 AND {LIVE}"
            ))?;
            let mut live = HashSet::new();
            for id in ids {
                if let Some(found) = st
                    .query_row(params![id, now_ms], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    live.insert(found);
                }
            }
            Ok::<_, rusqlite::Error>(live)
        })
        .await?
        .map_err(StoreError::from)
    }

    /// The comments of a snapshot: the events of its thread other than the one that shares it,
    /// oldest first.
    pub async fn snapshot_comments(
        &self,
        id: String,
        event_id: i64,
    ) -> Result<Vec<EventRow>, StoreError> {
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE snapshot_id = ?1 AND id != ?2
                 ORDER BY ts_ms, id"
            ))?;
            st.query_map(params![id, event_id], event_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Deletes a snapshot and its events (the one that shared it and its comments); whether it
    /// existed.
    pub async fn delete_snapshot(&self, id: String) -> Result<bool, StoreError> {
        self.transact(move |tx| {
            tx.execute("DELETE FROM events WHERE snapshot_id = ?1", params![id])?;
            Ok(tx.execute("DELETE FROM snapshots WHERE id = ?1", params![id])? > 0)
        })
        .await
    }
}
