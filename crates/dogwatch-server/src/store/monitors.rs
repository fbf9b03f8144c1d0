//! Monitors, the persisted status of each of their groups, and the event stream.
//!
//! A monitor is one row: its definition JSON as the API stored it, and `options.silenced` beside it
//! (mute and unmute touch only that). Each group's [`GroupStatus`] lives in `monitor_groups` so that
//! the evaluator picks up where it left off after a restart. [`Store::apply_cycle`] writes what one
//! evaluation cycle found (statuses, events and notifications) in one transaction, so a transition
//! and its notifications are committed together or not at all; writes for a monitor that was
//! changed or deleted while the cycle ran are dropped (the next cycle sees the new definition).

use std::str::FromStr;

use dogwatch_core::monitor::{GroupStatus, State};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::downtimes::DowntimeCycle;
use super::outbox::{self, NewNotification, NotificationRow};
use super::{Store, StoreError};

/// A stored monitor.
#[derive(Debug, Clone)]
pub struct MonitorRow {
    pub id: i64,
    /// The definition JSON (type, name, query, message, tags, priority, options without `silenced`).
    pub body: String,
    /// `options.silenced` as JSON: `{scope: end_secs | null}`.
    pub silenced: String,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Why the last evaluation could not evaluate the query (over its budget, say), if it could
    /// not; the groups then keep the state they had.
    pub eval_error: Option<String>,
    pub eval_error_ms: Option<i64>,
    /// Who made it; `None` for monitors made before accounts existed.
    pub creator: Option<MonitorCreator>,
}

/// A monitor's maker: their handle, and their name and email while they are a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorCreator {
    pub handle: String,
    pub name: String,
    pub email: String,
}

/// One group's persisted status, with what the status page and `group_states` show.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub monitor_id: i64,
    /// `*` for a simple alert, else the group's tags, sorted and comma-joined (`host:ubuntu`).
    pub group_key: String,
    pub status: GroupStatus,
    pub last_resolved_ms: Option<i64>,
    pub last_nodata_ms: Option<i64>,
    /// The value of the last evaluation that had data.
    pub last_value: Option<f64>,
    /// The newest point seen in an evaluation window; no-data is counted from here.
    pub last_data_ms: Option<i64>,
    /// When the evaluator first saw the group in its query's result (`None` for groups stored
    /// before this was recorded); `options.new_group_delay` counts from here.
    pub first_seen_ms: Option<i64>,
    /// Still waiting out `new_group_delay`: never evaluated, so no state of its own yet.
    pub pending: bool,
}

/// An event to record (a monitor transition).
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Unique per event; recording the same key again is a no-op.
    pub dedupe_key: String,
    pub ts_ms: i64,
    pub monitor_id: Option<i64>,
    pub group_key: Option<String>,
    pub transition: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub value: Option<f64>,
    /// `error`, `warning`, `success` or `info`, as Datadog's events have.
    pub alert_type: String,
    pub title: String,
    /// Plain text.
    pub text: String,
    pub tags: Vec<String>,
    /// What a client that posted the event (`POST /api/v1/events`) said besides; `None` for the
    /// evaluator's events.
    pub posted: Option<Posted>,
    /// The snapshot this event shares or comments on.
    pub snapshot_id: Option<String>,
}

/// The members of a posted event that monitor events do not have (stored as JSON).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Posted {
    pub priority: Option<String>,
    pub host: Option<String>,
    pub device_name: Option<String>,
    pub source_type_name: Option<String>,
    pub aggregation_key: Option<String>,
    pub related_event_id: Option<i64>,
    /// The handle of the user who wrote it in dogwatch (a snapshot, a comment); `None` for an
    /// event posted with an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
}

/// A stored event: its id and what was recorded.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub event: NewEvent,
}

/// What one evaluation cycle writes for one monitor.
#[derive(Debug, Clone)]
pub struct MonitorWrite {
    pub monitor_id: i64,
    /// The `modified_ms` the cycle read; the writes are dropped if the monitor changed since.
    pub modified_ms: i64,
    pub groups: Vec<GroupRow>,
    pub events: Vec<NewEvent>,
    pub notifications: Vec<NewNotification>,
    /// The monitor's evaluation error after this cycle (`None`: it was evaluated).
    pub eval_error: Option<String>,
}

impl MonitorWrite {
    /// Nothing to write yet for `row`, evaluated without error.
    pub fn new(row: &MonitorRow) -> MonitorWrite {
        MonitorWrite {
            monitor_id: row.id,
            modified_ms: row.modified_ms,
            groups: Vec::new(),
            events: Vec::new(),
            notifications: Vec::new(),
            eval_error: None,
        }
    }
}

/// What [`Store::apply_cycle`] committed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleCommitted {
    pub monitors: usize,
    pub events: usize,
    pub notifications: usize,
}

const COLUMNS: &str = "m.id, m.body, m.silenced, m.created_ms, m.modified_ms, m.eval_error, \
     m.eval_error_ms, m.creator, u.name, u.email";
/// Monitors with their creator's name and email (when the creator is still a user).
const FROM: &str = "monitors m LEFT JOIN users u ON u.handle = m.creator";
const GROUP_COLUMNS: &str = "monitor_id, group_key, state, since_ms, last_notified_ms, \
     last_triggered_ms, first_triggered_ms, last_resolved_ms, last_nodata_ms, last_value, \
     last_data_ms, first_seen_ms, pending";
pub(super) const EVENT_COLUMNS: &str = "id, ts_ms, monitor_id, group_key, transition, from_state, to_state, \
     value, alert_type, title, text, tags, dedupe_key, posted, snapshot_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MonitorRow> {
    Ok(MonitorRow {
        id: r.get(0)?,
        body: r.get(1)?,
        silenced: r.get(2)?,
        created_ms: r.get(3)?,
        modified_ms: r.get(4)?,
        eval_error: r.get(5)?,
        eval_error_ms: r.get(6)?,
        creator: r
            .get::<_, Option<String>>(7)?
            .map(|handle| -> rusqlite::Result<_> {
                Ok(MonitorCreator {
                    name: r
                        .get::<_, Option<String>>(8)?
                        .unwrap_or_else(|| handle.clone()),
                    email: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                    handle,
                })
            })
            .transpose()?,
    })
}

fn group_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    let state: String = r.get(2)?;
    let state = State::from_str(&state).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
    })?;
    Ok(GroupRow {
        monitor_id: r.get(0)?,
        group_key: r.get(1)?,
        status: GroupStatus {
            state,
            since_ms: r.get(3)?,
            last_notified_ms: r.get(4)?,
            last_triggered_ms: r.get(5)?,
            first_triggered_ms: r.get(6)?,
        },
        last_resolved_ms: r.get(7)?,
        last_nodata_ms: r.get(8)?,
        last_value: r.get(9)?,
        last_data_ms: r.get(10)?,
        first_seen_ms: r.get(11)?,
        pending: r.get(12)?,
    })
}

pub(super) fn event_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    // Tags are stored as a JSON array of strings (see `put_event`).
    let tags: String = r.get(11)?;
    Ok(EventRow {
        id: r.get(0)?,
        event: NewEvent {
            dedupe_key: r.get(12)?,
            posted: r
                .get::<_, Option<String>>(13)?
                .and_then(|p| serde_json::from_str(&p).ok()),
            ts_ms: r.get(1)?,
            monitor_id: r.get(2)?,
            group_key: r.get(3)?,
            transition: r.get(4)?,
            from_state: r.get(5)?,
            to_state: r.get(6)?,
            value: r.get(7)?,
            alert_type: r.get(8)?,
            title: r.get(9)?,
            text: r.get(10)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            snapshot_id: r.get(14)?,
        },
    })
}

fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<MonitorRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE m.id = ?1"),
        params![id],
        row,
    )
    .optional()
}

fn list(conn: &Connection) -> rusqlite::Result<Vec<MonitorRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} ORDER BY m.id"))?;
    st.query_map([], row)?.collect()
}

fn groups(conn: &Connection, monitor_id: Option<i64>) -> rusqlite::Result<Vec<GroupRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {GROUP_COLUMNS} FROM monitor_groups WHERE ?1 IS NULL OR monitor_id = ?1
         ORDER BY monitor_id, group_key"
    ))?;
    st.query_map(params![monitor_id], group_row)?.collect()
}

fn events(
    conn: &Connection,
    from_ms: i64,
    to_ms: i64,
    monitor_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<EventRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE ts_ms BETWEEN ?1 AND ?2 AND (?3 IS NULL OR monitor_id = ?3)
         ORDER BY ts_ms DESC, id DESC LIMIT ?4"
    ))?;
    st.query_map(params![from_ms, to_ms, monitor_id, limit as i64], event_row)?
        .collect()
}

fn event_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<EventRow>> {
    conn.query_row(
        &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
        params![id],
        event_row,
    )
    .optional()
}

fn insert(
    tx: &Transaction<'_>,
    body: &str,
    now_ms: i64,
    creator: &str,
) -> rusqlite::Result<MonitorRow> {
    tx.execute(
        "INSERT INTO monitors (body, silenced, created_ms, modified_ms, creator)
         VALUES (?1, '{}', ?2, ?2, ?3)",
        params![body, now_ms, creator],
    )?;
    get(tx, tx.last_insert_rowid())?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

/// Sets the body (when given) and the silenced map (when given); `reset_groups` forgets every
/// group's status (the query changed, so the groups may be others).
fn update(
    tx: &Transaction<'_>,
    id: i64,
    body: Option<&str>,
    silenced: Option<&str>,
    reset_groups: bool,
    now_ms: i64,
) -> rusqlite::Result<Option<MonitorRow>> {
    let Some(old) = get(tx, id)? else {
        return Ok(None);
    };
    // Never let modified go backwards (a clock step): the evaluator compares it to what it read.
    let modified = now_ms.max(old.modified_ms + 1);
    tx.execute(
        "UPDATE monitors SET body = ?2, silenced = ?3, modified_ms = ?4 WHERE id = ?1",
        params![
            id,
            body.unwrap_or(&old.body),
            silenced.unwrap_or(&old.silenced),
            modified
        ],
    )?;
    if reset_groups {
        tx.execute(
            "DELETE FROM monitor_groups WHERE monitor_id = ?1",
            params![id],
        )?;
    }
    get(tx, id)
}

fn delete(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<Option<MonitorRow>> {
    let Some(old) = get(tx, id)? else {
        return Ok(None);
    };
    tx.execute(
        "DELETE FROM monitor_groups WHERE monitor_id = ?1",
        params![id],
    )?;
    tx.execute("DELETE FROM monitors WHERE id = ?1", params![id])?;
    Ok(Some(old))
}

fn put_group(tx: &Transaction<'_>, g: &GroupRow) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(&format!(
        "INSERT OR REPLACE INTO monitor_groups ({GROUP_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?;
    st.execute(params![
        g.monitor_id,
        g.group_key,
        g.status.state.as_str(),
        g.status.since_ms,
        g.status.last_notified_ms,
        g.status.last_triggered_ms,
        g.status.first_triggered_ms,
        g.last_resolved_ms,
        g.last_nodata_ms,
        g.last_value,
        g.last_data_ms,
        g.first_seen_ms,
        g.pending
    ])?;
    Ok(())
}

pub(super) fn put_event(tx: &Transaction<'_>, e: &NewEvent) -> rusqlite::Result<usize> {
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO events (dedupe_key, ts_ms, monitor_id, group_key, transition,
             from_state, to_state, value, alert_type, title, text, tags, posted, snapshot_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    let tags = serde_json::to_string(&e.tags).unwrap_or_else(|_| "[]".to_owned());
    let posted = e
        .posted
        .as_ref()
        .and_then(|p| serde_json::to_string(p).ok());
    st.execute(params![
        e.dedupe_key,
        e.ts_ms,
        e.monitor_id,
        e.group_key,
        e.transition,
        e.from_state,
        e.to_state,
        e.value,
        e.alert_type,
        e.title,
        e.text,
        tags,
        posted,
        e.snapshot_id
    ])
}

fn apply(
    tx: &Transaction<'_>,
    writes: &[MonitorWrite],
    downtimes: &DowntimeCycle,
    now_ms: i64,
) -> rusqlite::Result<CycleCommitted> {
    let mut done = CycleCommitted::default();
    let mut current = tx.prepare_cached("SELECT modified_ms FROM monitors WHERE id = ?1")?;
    // The time is kept from when the error first appeared; an unchanged error is not rewritten.
    let mut error = tx.prepare_cached(
        "UPDATE monitors SET eval_error = ?2,
             eval_error_ms = CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce(eval_error_ms, ?3) END
         WHERE id = ?1 AND eval_error IS NOT ?2",
    )?;
    for w in writes {
        let modified: Option<i64> = current
            .query_row(params![w.monitor_id], |r| r.get(0))
            .optional()?;
        if modified != Some(w.modified_ms) {
            continue;
        }
        done.monitors += 1;
        for g in &w.groups {
            put_group(tx, g)?;
        }
        for e in &w.events {
            done.events += put_event(tx, e)?;
        }
        done.notifications += outbox::enqueue_tx(tx, &w.notifications, now_ms)?;
        error.execute(params![w.monitor_id, w.eval_error, now_ms])?;
    }
    super::downtimes::apply(tx, downtimes, now_ms, &mut done)?;
    Ok(done)
}

impl Store {
    /// Stores a new monitor; returns it once committed.
    /// Stores a new monitor made by `creator` (a handle).
    pub async fn create_monitor(
        &self,
        body: String,
        now_ms: i64,
        creator: String,
    ) -> Result<MonitorRow, StoreError> {
        self.transact(move |tx| insert(tx, &body, now_ms, &creator))
            .await
    }

    /// Replaces a monitor's definition; with `reset_groups` its groups start afresh. `None` when
    /// there is no such monitor.
    pub async fn replace_monitor(
        &self,
        id: i64,
        body: String,
        reset_groups: bool,
        now_ms: i64,
    ) -> Result<Option<MonitorRow>, StoreError> {
        self.transact(move |tx| update(tx, id, Some(&body), None, reset_groups, now_ms))
            .await
    }

    /// Sets `options.silenced` (mute/unmute); `None` when there is no such monitor.
    pub async fn set_monitor_silenced(
        &self,
        id: i64,
        silenced: String,
        now_ms: i64,
    ) -> Result<Option<MonitorRow>, StoreError> {
        self.transact(move |tx| update(tx, id, None, Some(&silenced), false, now_ms))
            .await
    }

    /// Deletes a monitor and its groups (its events stay); `None` when there is no such monitor.
    pub async fn delete_monitor(&self, id: i64) -> Result<Option<MonitorRow>, StoreError> {
        self.transact(move |tx| delete(tx, id)).await
    }

    /// One monitor.
    pub async fn monitor(&self, id: i64) -> Result<Option<MonitorRow>, StoreError> {
        self.read(move |r| get(r.connection(), id))
            .await?
            .map_err(StoreError::from)
    }

    /// Every monitor, by id.
    pub async fn monitors(&self) -> Result<Vec<MonitorRow>, StoreError> {
        self.read(|r| list(r.connection()))
            .await?
            .map_err(StoreError::from)
    }

    /// The groups of one monitor, or of every monitor, by monitor and group.
    pub async fn monitor_groups(
        &self,
        monitor_id: Option<i64>,
    ) -> Result<Vec<GroupRow>, StoreError> {
        self.read(move |r| groups(r.connection(), monitor_id))
            .await?
            .map_err(StoreError::from)
    }

    /// Records a posted event and the notifications of its @mentions in one transaction (a 2xx
    /// means both are durable), each @mentioned user with an address mailed too; its id. `None`
    /// when `related_event_id` names no event. A reply to a snapshot's event joins its thread.
    pub async fn post_event(
        &self,
        event: NewEvent,
        notifications: Vec<NewNotification>,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let done = self
            .transact(move |tx| {
                let mut event = event;
                let mut notifications = notifications;
                let related = event.posted.as_ref().and_then(|p| p.related_event_id);
                if let Some(id) = related {
                    let Some(related) = event_by_id(tx, id)? else {
                        return Ok(None);
                    };
                    // A reply to a snapshot's event is a comment of that snapshot: it shows in
                    // its thread, and emails carry its picture.
                    if let Some(snapshot) = related.event.snapshot_id {
                        for n in &mut notifications {
                            n.snapshot_id = Some(snapshot.clone());
                        }
                        event.snapshot_id = Some(snapshot);
                    }
                }
                let notifications = super::snapshots::with_user_emails(tx, notifications)?;
                put_event(tx, &event)?;
                let id: i64 = tx.query_row(
                    "SELECT id FROM events WHERE dedupe_key = ?1",
                    params![event.dedupe_key],
                    |r| r.get(0),
                )?;
                outbox::enqueue_tx(tx, &notifications, now_ms)?;
                Ok(Some((id, !notifications.is_empty())))
            })
            .await?;
        if done.is_some_and(|(_, notified)| notified) {
            self.wake_delivery();
        }
        Ok(done.map(|(id, _)| id))
    }

    /// One event.
    pub async fn event(&self, id: i64) -> Result<Option<EventRow>, StoreError> {
        self.read(move |r| event_by_id(r.connection(), id))
            .await?
            .map_err(StoreError::from)
    }

    /// Events with `from_ms <= ts_ms <= to_ms`, newest first.
    pub async fn events(
        &self,
        from_ms: i64,
        to_ms: i64,
        monitor_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<EventRow>, StoreError> {
        self.read(move |r| events(r.connection(), from_ms, to_ms, monitor_id, limit))
            .await?
            .map_err(StoreError::from)
    }

    /// The notifications a monitor enqueued, latest first (their dedupe keys start with
    /// `monitor:<id>:`).
    pub async fn monitor_notifications(
        &self,
        monitor_id: i64,
        limit: usize,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        let prefix = format!("monitor:{monitor_id}:");
        self.read(move |r| outbox::with_key_prefix(r.connection(), &prefix, limit))
            .await?
            .map_err(StoreError::from)
    }

    /// Writes one evaluation cycle in one transaction (see the module doc) and wakes the delivery
    /// worker if it enqueued anything.
    pub async fn apply_cycle(
        &self,
        writes: Vec<MonitorWrite>,
        downtimes: DowntimeCycle,
        now_ms: i64,
    ) -> Result<CycleCommitted, StoreError> {
        if writes.is_empty() && downtimes.is_empty() {
            return Ok(CycleCommitted::default());
        }
        let done = self
            .transact(move |tx| apply(tx, &writes, &downtimes, now_ms))
            .await?;
        if done.notifications > 0 {
            self.wake_delivery();
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Channel;

    fn conn() -> Connection {
        let mut conn = Connection::open_in_memory().expect("sqlite");
        super::super::schema::configure(&conn).expect("configure");
        super::super::schema::migrate(&mut conn).expect("migrate");
        conn
    }

    fn write(id: i64, modified_ms: i64, key: &str) -> MonitorWrite {
        MonitorWrite {
            monitor_id: id,
            modified_ms,
            groups: vec![GroupRow {
                monitor_id: id,
                group_key: "*".into(),
                status: GroupStatus::new(5),
                last_resolved_ms: None,
                last_nodata_ms: None,
                last_value: Some(1.0),
                last_data_ms: Some(5),
                first_seen_ms: Some(5),
                pending: false,
            }],
            events: vec![NewEvent {
                dedupe_key: key.into(),
                ts_ms: 5,
                monitor_id: Some(id),
                group_key: Some("*".into()),
                transition: None,
                from_state: None,
                to_state: None,
                value: None,
                alert_type: "info".into(),
                title: "t".into(),
                text: "x".into(),
                tags: vec![],
                posted: None,
                snapshot_id: None,
            }],
            eval_error: None,
            notifications: vec![NewNotification {
                dedupe_key: key.into(),
                channel: Channel::Email,
                target: "a@example.com".into(),
                subject: "s".into(),
                body: "b".into(),
                payload: None,
                snapshot_id: None,
            }],
        }
    }

    #[test]
    fn a_cycle_is_written_once_and_skips_changed_or_deleted_monitors() {
        let mut conn = conn();
        let tx = conn.transaction().expect("tx");
        let m = insert(&tx, "{}", 1, "test").expect("insert");
        tx.commit().expect("commit");

        let tx = conn.transaction().expect("tx");
        let done = apply(
            &tx,
            &[write(m.id, 1, "k"), write(99, 1, "gone")],
            &DowntimeCycle::default(),
            5,
        )
        .expect("apply");
        tx.commit().expect("commit");
        assert_eq!(
            done,
            CycleCommitted {
                monitors: 1,
                events: 1,
                notifications: 1
            }
        );
        // Redone (a crash after the commit, before the caller knew): nothing doubles.
        let tx = conn.transaction().expect("tx");
        let done = apply(&tx, &[write(m.id, 1, "k")], &DowntimeCycle::default(), 5).expect("apply");
        tx.commit().expect("commit");
        assert_eq!((done.events, done.notifications), (0, 0));
        assert_eq!(groups(&conn, Some(m.id)).expect("groups").len(), 1);

        // Changed since the cycle read it: dropped.
        let tx = conn.transaction().expect("tx");
        update(&tx, m.id, Some("{\"a\":1}"), None, true, 2).expect("update");
        let done =
            apply(&tx, &[write(m.id, 1, "k2")], &DowntimeCycle::default(), 5).expect("apply");
        tx.commit().expect("commit");
        assert_eq!(done, CycleCommitted::default());
        assert!(groups(&conn, Some(m.id)).expect("groups").is_empty());
        assert_eq!(
            events(&conn, 0, 10, Some(m.id), 10).expect("events").len(),
            1
        );
    }
}
