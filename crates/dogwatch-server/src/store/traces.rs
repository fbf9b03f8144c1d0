//! APM spans: written as the tracers send them, a payload in one transaction (a span sent again
//! replaces itself), read back a trace at a time.

use std::collections::BTreeMap;

use dogwatch_core::apm::Span;
use rusqlite::params;

use super::{Store, StoreError};

/// u64 ids kept in SQLite's signed integers, bit for bit.
fn id_in(id: u64) -> i64 {
    i64::from_ne_bytes(id.to_ne_bytes())
}

fn id_out(id: i64) -> u64 {
    u64::from_ne_bytes(id.to_ne_bytes())
}

impl Store {
    /// Stores the spans of one payload; returns once they are committed.
    pub async fn write_spans(&self, spans: Vec<Span>) -> Result<(), StoreError> {
        if spans.is_empty() {
            return Ok(());
        }
        self.transact(move |tx| {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO spans (trace_id, span_id, parent_id, service, name,
                     resource, type, start_ns, duration_ns, error, meta, metrics)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for s in &spans {
                let meta = serde_json::to_string(&s.meta).unwrap_or_else(|_| "{}".to_owned());
                // JSON has no NaN or infinity: such a metric is left out, not the others with it.
                let finite: BTreeMap<&String, &f64> =
                    s.metrics.iter().filter(|(_, v)| v.is_finite()).collect();
                let metrics = serde_json::to_string(&finite).unwrap_or_else(|_| "{}".to_owned());
                st.execute(params![
                    id_in(s.trace_id),
                    id_in(s.span_id),
                    id_in(s.parent_id),
                    s.service,
                    s.name,
                    s.resource,
                    s.kind,
                    s.start_ns,
                    s.duration_ns,
                    s.error,
                    meta,
                    metrics
                ])?;
            }
            Ok(())
        })
        .await
    }

    /// Deletes every trace whose latest span started before `cutoff_ns`, whole (a trace is never
    /// left with some of its spans); how many spans went.
    pub async fn purge_traces(&self, cutoff_ns: i64) -> Result<usize, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM spans WHERE trace_id IN
                     (SELECT trace_id FROM spans GROUP BY trace_id HAVING max(start_ns) < ?1)",
                params![cutoff_ns],
            )
        })
        .await
    }

    /// Every span of a trace, by start time.
    pub async fn trace(&self, trace_id: u64) -> Result<Vec<Span>, StoreError> {
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(
                "SELECT trace_id, span_id, parent_id, service, name, resource, type, start_ns,
                     duration_ns, error, meta, metrics
                 FROM spans WHERE trace_id = ?1 ORDER BY start_ns, span_id",
            )?;
            st.query_map(params![id_in(trace_id)], |r| {
                let meta: String = r.get(10)?;
                let metrics: String = r.get(11)?;
                Ok(Span {
                    trace_id: id_out(r.get(0)?),
                    span_id: id_out(r.get(1)?),
                    parent_id: id_out(r.get(2)?),
                    service: r.get(3)?,
                    name: r.get(4)?,
                    resource: r.get(5)?,
                    kind: r.get(6)?,
                    start_ns: r.get(7)?,
                    duration_ns: r.get(8)?,
                    error: r.get(9)?,
                    meta: serde_json::from_str::<BTreeMap<String, String>>(&meta)
                        .unwrap_or_default(),
                    metrics: serde_json::from_str::<BTreeMap<String, f64>>(&metrics)
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?
        .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_all_64_bits() {
        for id in [0, 1, u64::MAX, 1 << 63, 0x1234_5678_9abc_def0] {
            assert_eq!(id_out(id_in(id)), id);
        }
    }
}
