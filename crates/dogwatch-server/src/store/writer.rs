//! The single writer: drains queued batches into one transaction, commits, then answers each caller.
//! Other writes (`Job::Exec`) run in their own transaction, in queue order.

use std::collections::HashMap;

use dogwatch_core::model::{Sample, SeriesKey};
use rusqlite::{Connection, params};
use tokio::sync::mpsc;

use super::{Job, StoreError};

/// Most batches folded into one commit; bounds the latency a single caller can see.
const MAX_GROUP: usize = 256;

pub(super) fn run(mut conn: Connection, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut ids: HashMap<SeriesKey, i64> = HashMap::new();
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
            let result = commit(&mut conn, &mut ids, group.iter().map(|(s, _)| s.as_slice()));
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
    ids: &mut HashMap<SeriesKey, i64>,
    batches: impl Iterator<Item = &'a [Sample]>,
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut upsert_series = tx.prepare_cached(
            "INSERT INTO series (metric, tags, type, interval_secs, first_seen, last_seen)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
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
        let mut insert_point = tx.prepare_cached(
            "INSERT INTO points (series_id, ts, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value",
        )?;
        // Series already known get their first/last seen widened once per transaction.
        let mut touched: HashMap<i64, (i64, i64)> = HashMap::new();
        for s in batches.flatten() {
            let id = match ids.get(&s.key) {
                Some(&id) => {
                    let span = touched.entry(id).or_insert((s.ts_secs, s.ts_secs));
                    span.0 = span.0.min(s.ts_secs);
                    span.1 = span.1.max(s.ts_secs);
                    id
                }
                None => {
                    let id: i64 = upsert_series.query_row(
                        params![
                            s.key.metric,
                            s.key.tags.canonical(),
                            s.kind.as_str(),
                            s.interval_secs,
                            s.ts_secs
                        ],
                        |r| r.get(0),
                    )?;
                    ids.insert(s.key.clone(), id);
                    id
                }
            };
            insert_point.execute(params![id, s.ts_secs, s.value])?;
        }
        for (id, (first, last)) in touched {
            seen.execute(params![id, first, last])?;
        }
    }
    tx.commit()
}
