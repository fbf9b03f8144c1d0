//! Downtimes: one row per downtime (its `core::downtime::Spec` as JSON), what the evaluator has
//! told of it (the window whose start it notified, and whether that window is still open), and
//! the recoveries a downtime's end muted (`mute_first_recovery_notification`).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use dogwatch_core::downtime::{Record, Spec};

use super::monitors::{CycleCommitted, NewEvent, put_event};
use super::outbox::{self, NewNotification};
use super::{Store, StoreError};

/// A stored downtime.
#[derive(Debug, Clone)]
pub struct DowntimeRow {
    pub record: Record,
    /// Start of the last window whose start was notified.
    pub notified_start_ms: Option<i64>,
    /// Its start was notified and its end not yet.
    pub open: bool,
}

/// What one evaluation cycle writes for one downtime.
#[derive(Debug, Clone, Default)]
pub struct DowntimeWrite {
    pub id: i64,
    pub notified_start_ms: Option<i64>,
    pub open: bool,
    pub events: Vec<NewEvent>,
    pub notifications: Vec<NewNotification>,
}

/// The downtime side of a cycle: the downtimes' writes, and the groups whose next recovery is
/// muted (added when a downtime ends, removed when the recovery came).
#[derive(Debug, Clone, Default)]
pub struct DowntimeCycle {
    pub downtimes: Vec<DowntimeWrite>,
    /// `(monitor, group, downtime)`.
    pub mute_recovery: Vec<(i64, String, i64)>,
    /// `(monitor, group)`.
    pub recovered: Vec<(i64, String)>,
}

impl DowntimeCycle {
    pub fn is_empty(&self) -> bool {
        self.downtimes.is_empty() && self.mute_recovery.is_empty() && self.recovered.is_empty()
    }
}

const COLUMNS: &str =
    "id, body, creator, created_ms, modified_ms, canceled_ms, notified_start_ms, open";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DowntimeRow> {
    let body: String = r.get(1)?;
    let spec: Spec = serde_json::from_str(&body).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(DowntimeRow {
        record: Record {
            id: r.get(0)?,
            spec,
            creator: r.get(2)?,
            creator_id: None,
            created_ms: r.get(3)?,
            modified_ms: r.get(4)?,
            canceled_ms: r.get(5)?,
        },
        notified_start_ms: r.get(6)?,
        open: r.get::<_, i64>(7)? != 0,
    })
}

fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<DowntimeRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM downtimes WHERE id = ?1"),
        params![id],
        row,
    )
    .optional()
}

fn list(conn: &Connection) -> rusqlite::Result<Vec<DowntimeRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM downtimes ORDER BY id"))?;
    st.query_map([], row)?.collect()
}

fn body(spec: &Spec) -> String {
    serde_json::to_string(spec).unwrap_or_else(|_| "{}".to_owned())
}

/// The groups whose next recovery is muted, as `(monitor, group)`.
pub(super) fn muted_recoveries(conn: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached("SELECT monitor_id, group_key FROM muted_recoveries")?;
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// Writes the downtime side of a cycle (inside [`Store::apply_cycle`]'s transaction).
pub(super) fn apply(
    tx: &Transaction<'_>,
    cycle: &DowntimeCycle,
    now_ms: i64,
    done: &mut CycleCommitted,
) -> rusqlite::Result<()> {
    let mut state =
        tx.prepare_cached("UPDATE downtimes SET notified_start_ms = ?2, open = ?3 WHERE id = ?1")?;
    for w in &cycle.downtimes {
        if state.execute(params![w.id, w.notified_start_ms, i64::from(w.open)])? == 0 {
            continue; // deleted meanwhile
        }
        for e in &w.events {
            done.events += put_event(tx, e)?;
        }
        done.notifications += outbox::enqueue_tx(tx, &w.notifications, now_ms)?;
    }
    let mut mute = tx.prepare_cached(
        "INSERT OR REPLACE INTO muted_recoveries (monitor_id, group_key, downtime_id)
         VALUES (?1, ?2, ?3)",
    )?;
    for (monitor, group, downtime) in &cycle.mute_recovery {
        mute.execute(params![monitor, group, downtime])?;
    }
    let mut unmute =
        tx.prepare_cached("DELETE FROM muted_recoveries WHERE monitor_id = ?1 AND group_key = ?2")?;
    for (monitor, group) in &cycle.recovered {
        unmute.execute(params![monitor, group])?;
    }
    Ok(())
}

impl Store {
    /// Stores a new downtime made by `creator`; returns it once committed.
    pub async fn create_downtime(
        &self,
        spec: Spec,
        creator: String,
        now_ms: i64,
    ) -> Result<DowntimeRow, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "INSERT INTO downtimes (body, creator, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?3)",
                params![body(&spec), creator, now_ms],
            )?;
            get(tx, tx.last_insert_rowid())?.ok_or(rusqlite::Error::QueryReturnedNoRows)
        })
        .await
    }

    /// Replaces a downtime's spec; `None` when there is no such downtime.
    pub async fn replace_downtime(
        &self,
        id: i64,
        spec: Spec,
        now_ms: i64,
    ) -> Result<Option<DowntimeRow>, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "UPDATE downtimes SET body = ?2, modified_ms = max(modified_ms, ?3) WHERE id = ?1",
                params![id, body(&spec), now_ms],
            )?;
            get(tx, id)
        })
        .await
    }

    /// Cancels downtimes (those already canceled keep their time); returns the ids that exist.
    pub async fn cancel_downtimes(
        &self,
        ids: Vec<i64>,
        now_ms: i64,
    ) -> Result<Vec<i64>, StoreError> {
        self.transact(move |tx| {
            let mut done = Vec::new();
            for id in ids {
                let n = tx.execute(
                    "UPDATE downtimes SET canceled_ms = coalesce(canceled_ms, ?2),
                         modified_ms = max(modified_ms, ?2) WHERE id = ?1",
                    params![id, now_ms],
                )?;
                if n > 0 {
                    done.push(id);
                }
            }
            Ok(done)
        })
        .await
    }

    pub async fn downtime(&self, id: i64) -> Result<Option<DowntimeRow>, StoreError> {
        self.read(move |r| get(r.connection(), id))
            .await?
            .map_err(StoreError::from)
    }

    /// Every downtime, by id.
    pub async fn downtimes(&self) -> Result<Vec<DowntimeRow>, StoreError> {
        self.read(|r| list(r.connection()))
            .await?
            .map_err(StoreError::from)
    }

    /// Every downtime and the groups whose next recovery is muted, on one read connection.
    pub async fn downtime_state(
        &self,
    ) -> Result<(Vec<DowntimeRow>, Vec<(i64, String)>), StoreError> {
        self.read(|r| {
            Ok::<_, rusqlite::Error>((list(r.connection())?, muted_recoveries(r.connection())?))
        })
        .await?
        .map_err(StoreError::from)
    }
}
