//! The single writer: drains queued batches (points, trace payloads) into one transaction, commits,
//! then answers each caller. Other writes (`Job::Exec`) run in their own transaction, in queue order.

use std::collections::HashMap;

use dogwatch_core::model::{SeriesKey, SeriesPoints};
use rusqlite::{Connection, params};
use tokio::sync::mpsc;

use super::{Batch, Job, StoreError};

/// Most batches folded into one commit; bounds the latency a single caller can see.
const MAX_GROUP: usize = 256;

/// Most bytes of series keys the id cache holds; past it, the cache starts over (a miss costs one
/// upsert), so that a flood of new series cannot grow the writer's memory without end.
const MAX_CACHED_KEY_BYTES: usize = 8 * 1024 * 1024;

/// The ids of series already written, by key, within [`MAX_CACHED_KEY_BYTES`].
#[derive(Default)]
struct Ids {
    by_key: HashMap<SeriesKey, i64>,
    bytes: usize,
}

impl Ids {
    fn get(&self, key: &SeriesKey) -> Option<i64> {
        self.by_key.get(key).copied()
    }

    fn insert(&mut self, key: &SeriesKey, id: i64) {
        let size = key.metric.len()
            + key
                .tags
                .iter()
                .map(|t| t.as_str().len() + 24)
                .sum::<usize>()
            + 64;
        if self.bytes + size > MAX_CACHED_KEY_BYTES {
            self.clear();
        }
        self.bytes += size;
        self.by_key.insert(key.clone(), id);
    }

    fn clear(&mut self) {
        // A new map, so the memory of the old one is given back.
        self.by_key = HashMap::new();
        self.bytes = 0;
    }
}

pub(super) fn run(mut conn: Connection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut ids = Ids::default();
    while let Some(first) = jobs.blocking_recv() {
        let mut group = Vec::new();
        // A job that is not a sample batch ends the group; it runs after the group is committed.
        let mut next = None;
        match first {
            Job::Write(s, tx) => group.push((s, tx)),
            other => next = Some(other),
        }
        while next.is_none() && group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(Job::Write(s, tx)) => group.push((s, tx)),
                Ok(other) => next = Some(other),
                Err(_) => break,
            }
        }
        if !group.is_empty() {
            let result = commit(&mut conn, &mut ids, group.iter().map(|(b, _)| b));
            if result.is_err() {
                // The cached ids may name rows the rollback removed.
                ids.clear();
            }
            for (_, tx) in group {
                let _ = tx.send(match &result {
                    Ok(()) => Ok(()),
                    Err(e) => Err(StoreError::Write(e.to_string())),
                });
            }
            if let Err(e) = result {
                tracing::error!(error = %e, "write transaction failed; the callers were told");
            }
        }
        match next {
            Some(Job::Exec(f)) => f(&mut conn),
            Some(Job::Close(tx)) => {
                let _ = tx.send(());
                return;
            }
            Some(Job::Write(..)) | None => {}
        }
    }
}

fn commit<'a>(
    conn: &mut Connection,
    ids: &mut Ids,
    batches: impl Iterator<Item = &'a Batch>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for batch in batches {
        match batch {
            Batch::Points(series) => write_points(&tx, ids, series, Merge::Replace)?,
            Batch::Spans(spans) => {
                let derived = super::traces::insert_spans(&tx, spans)?;
                let counts = SeriesPoints::from_samples(derived.add);
                write_points(&tx, ids, &counts, Merge::Add)?;
                let percentiles = SeriesPoints::from_samples(derived.replace);
                write_points(&tx, ids, &percentiles, Merge::Replace)?;
            }
        }
    }
    tx.commit()
}

/// What a point written where one is already stored does.
#[derive(Clone, Copy, PartialEq)]
enum Merge {
    /// Takes its place (a client's value for that second).
    Replace,
    /// Adds to it (trace metrics: counts of several payloads in one bucket).
    Add,
}

fn write_points(
    tx: &rusqlite::Transaction<'_>,
    ids: &mut Ids,
    series: &[SeriesPoints],
    merge: Merge,
) -> rusqlite::Result<()> {
    {
        let mut upsert_series = tx.prepare_cached(
            "INSERT INTO series (metric, tags, type, interval_secs, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (metric, tags) DO UPDATE SET
                 type = excluded.type,
                 interval_secs = excluded.interval_secs,
                 first_seen = min(first_seen, excluded.first_seen),
                 last_seen = max(last_seen, excluded.last_seen)
             RETURNING id",
        )?;
        let mut seen = tx.prepare_cached(
            "UPDATE series SET first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3) WHERE id = ?1",
        )?;
        let mut insert_point = tx.prepare_cached(match merge {
            Merge::Replace => {
                "INSERT INTO points (series_id, ts, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value"
            }
            Merge::Add => {
                "INSERT INTO points (series_id, ts, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (series_id, ts) DO UPDATE SET value = value + excluded.value"
            }
        })?;
        // Series already known get their first/last seen widened once per transaction.
        let mut touched: HashMap<i64, (i64, i64)> = HashMap::new();
        for s in series {
            let (Some(first), Some(last)) = (
                s.points.iter().map(|p| p.ts_secs).min(),
                s.points.iter().map(|p| p.ts_secs).max(),
            ) else {
                continue;
            };
            let id = match ids.get(&s.key) {
                Some(id) => {
                    let span = touched.entry(id).or_insert((first, last));
                    span.0 = span.0.min(first);
                    span.1 = span.1.max(last);
                    id
                }
                None => {
                    let id: i64 = upsert_series.query_row(
                        params![
                            s.key.metric,
                            s.key.tags.canonical(),
                            s.kind.as_str(),
                            s.interval_secs,
                            first,
                            last
                        ],
                        |r| r.get(0),
                    )?;
                    ids.insert(&s.key, id);
                    id
                }
            };
            for p in &s.points {
                insert_point.execute(params![id, p.ts_secs, p.value])?;
            }
        }
        for (id, (first, last)) in touched {
            seen.execute(params![id, first, last])?;
        }
    }
    Ok(())
}
