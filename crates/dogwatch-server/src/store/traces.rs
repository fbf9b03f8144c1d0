//! APM spans: written as the tracers send them, a payload in one transaction (a span sent again
//! replaces itself), read back a trace at a time.

use std::collections::BTreeMap;

use dogwatch_core::apm::Span;
use dogwatch_core::model::{MetricType, Sample, SeriesKey};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// u64 ids kept in SQLite's signed integers, bit for bit.
fn id_in(id: u64) -> i64 {
    i64::from_ne_bytes(id.to_ne_bytes())
}

fn id_out(id: i64) -> u64 {
    u64::from_ne_bytes(id.to_ne_bytes())
}

/// The trace-metric points of a payload: counts to add to what is stored, and percentile gauges
/// to store in place of what was (worked out again from the minute's merged sketch).
#[derive(Default)]
pub(super) struct Derived {
    pub add: Vec<Sample>,
    pub replace: Vec<Sample>,
}

/// Writes spans in the writer's transaction: a new span is inserted, one already stored (a payload
/// sent again) replaces itself. Returns the trace-metric points of the new ones only, so that a
/// retried payload is not counted twice.
pub(super) fn insert_spans(
    tx: &rusqlite::Transaction<'_>,
    spans: &[Span],
) -> rusqlite::Result<Derived> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO spans (trace_id, span_id, parent_id, service, name, resource, type,
             start_ns, duration_ns, error, meta, metrics, top_level, env)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (trace_id, span_id) DO NOTHING",
    )?;
    let mut replace = tx.prepare_cached(
        "UPDATE spans SET parent_id = ?3, service = ?4, name = ?5, resource = ?6, type = ?7,
             start_ns = ?8, duration_ns = ?9, error = ?10, meta = ?11, metrics = ?12,
             top_level = ?13, env = ?14
         WHERE trace_id = ?1 AND span_id = ?2",
    )?;
    let mut new = Vec::new();
    for s in spans {
        let meta = serde_json::to_string(&s.meta).unwrap_or_else(|_| "{}".to_owned());
        // JSON has no NaN or infinity: such a metric is left out, not the others with it.
        let finite: BTreeMap<&String, &f64> =
            s.metrics.iter().filter(|(_, v)| v.is_finite()).collect();
        let metrics = serde_json::to_string(&finite).unwrap_or_else(|_| "{}".to_owned());
        let values = params![
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
            metrics,
            s.is_top_level(),
            s.tag("env").unwrap_or(""),
        ];
        if insert.execute(values)? == 1 {
            new.push(s);
        } else {
            replace.execute(values)?;
        }
    }
    let replace = merge_sketches(
        tx,
        dogwatch_core::apm::metrics::durations(new.iter().copied()),
    )?;
    Ok(Derived {
        add: dogwatch_core::apm::metrics::samples(new),
        replace,
    })
}

/// Adds these durations to their minute's latency sketch and answers the percentile gauges of the
/// merged sketch (relative error 1 %, the agent's DDSketch default).
fn merge_sketches(
    tx: &rusqlite::Transaction<'_>,
    durations: BTreeMap<(SeriesKey, i64), Vec<f64>>,
) -> rusqlite::Result<Vec<Sample>> {
    use dogwatch_core::apm::metrics::PERCENTILES;
    use sketches_ddsketch::{Config, DDSketch};

    let mut read = tx.prepare_cached(
        "SELECT sketch FROM trace_sketches WHERE metric = ?1 AND tags = ?2 AND ts = ?3",
    )?;
    let mut write = tx.prepare_cached(
        "INSERT OR REPLACE INTO trace_sketches (metric, tags, ts, sketch) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut out = Vec::with_capacity(durations.len() * PERCENTILES.len());
    for ((key, minute), values) in durations {
        let tags = key.tags.canonical();
        let stored: Option<Vec<u8>> = read
            .query_row(params![key.metric, tags, minute], |r| r.get(0))
            .optional()?;
        // A sketch that does not decode (it never should) is started again rather than blocking
        // every later payload of its minute.
        let mut sketch = stored
            .and_then(|b| DDSketch::from_java_bytes(&b).ok())
            .unwrap_or_else(|| DDSketch::new(Config::defaults()));
        for v in values {
            sketch.add(v);
        }
        write.execute(params![key.metric, tags, minute, sketch.to_java_bytes()])?;
        for (suffix, q) in PERCENTILES {
            if let Ok(Some(value)) = sketch.quantile(q) {
                out.push(Sample {
                    key: SeriesKey {
                        metric: format!("{}.{suffix}", key.metric),
                        tags: key.tags.clone(),
                    },
                    kind: MetricType::Gauge,
                    interval_secs: None,
                    ts_secs: minute,
                    value,
                });
            }
        }
    }
    Ok(out)
}

impl Store {
    /// Stores the spans of one payload with the trace metrics of those not stored before, in the
    /// writer's next group commit; returns once they are committed.
    pub async fn write_spans(&self, spans: Vec<Span>) -> Result<(), StoreError> {
        if spans.is_empty() {
            return Ok(());
        }
        self.commit(super::Batch::Spans(spans)).await
    }

    /// Deletes every trace whose latest span started before `cutoff_ns`, whole (a trace is never
    /// left with some of its spans), and the latency sketches of minutes before it; how many spans
    /// went.
    pub async fn purge_traces(&self, cutoff_ns: i64) -> Result<usize, StoreError> {
        self.transact(move |tx| {
            tx.execute(
                "DELETE FROM trace_sketches WHERE ts < ?1",
                params![cutoff_ns / 1_000_000_000],
            )?;
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

/// A service's entry into a trace (a top-level span), as the APM views read it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySpan {
    pub trace_id: u64,
    pub span_id: u64,
    pub service: String,
    pub name: String,
    pub resource: String,
    pub kind: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub status_code: Option<String>,
    /// The tracer's `version` tag (empty without one).
    pub version: String,
}

/// Which entry spans to read: those that started in `[from_ns, to_ns)` and match every filter.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub from_ns: i64,
    pub to_ns: i64,
    pub service: Option<String>,
    pub resource: Option<String>,
    pub env: Option<String>,
    pub error: Option<bool>,
    pub min_duration_ns: Option<i64>,
    pub max_duration_ns: Option<i64>,
    /// `(key, pattern)`: the span's meta or metric `key` is like `pattern`, where `*` stands for
    /// any text (case-insensitive for ASCII, as SQLite's LIKE).
    pub tags: Vec<(String, String)>,
}

/// A span of a trace, as far as the service and resource views need it (no tags).
#[derive(Debug, Clone, PartialEq)]
pub struct SpanShape {
    pub span_id: u64,
    pub parent_id: u64,
    pub service: String,
    pub name: String,
    pub resource: String,
    pub kind: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
}

/// `pattern` with `*` as LIKE's `%`, and LIKE's own wildcards taken literally.
fn like(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '*' => out.push('%'),
            c => out.push(c),
        }
    }
    out
}

impl Store {
    /// Entry spans that match `filter`, newest first, at most `limit`; and whether more matched.
    pub async fn entry_spans(
        &self,
        filter: EntryFilter,
        limit: usize,
    ) -> Result<(Vec<EntrySpan>, bool), StoreError> {
        self.read(move |r| {
            let mut sql = String::from(
                "SELECT trace_id, span_id, service, name, resource, type, start_ns, duration_ns,
                     error, coalesce(json_extract(meta, '$.\"http.status_code\"'),
                                     json_extract(metrics, '$.\"http.status_code\"')),
                     coalesce(json_extract(meta, '$.version'), '')
                 FROM spans WHERE top_level = 1 AND start_ns >= ?1 AND start_ns < ?2",
            );
            let mut args: Vec<Value> = vec![filter.from_ns.into(), filter.to_ns.into()];
            // Appends a condition whose `?` is the next argument.
            fn add(sql: &mut String, args: &mut Vec<Value>, part: &str, value: Value) {
                args.push(value);
                sql.push_str(&part.replace('?', &format!("?{}", args.len())));
            }
            if let Some(v) = filter.service {
                add(&mut sql, &mut args, " AND service = ?", v.into());
            }
            if let Some(v) = filter.resource {
                add(&mut sql, &mut args, " AND resource = ?", v.into());
            }
            if let Some(v) = filter.env {
                add(&mut sql, &mut args, " AND env = ?", v.into());
            }
            if let Some(v) = filter.error {
                add(&mut sql, &mut args, " AND error = ?", i64::from(v).into());
            }
            if let Some(v) = filter.min_duration_ns {
                add(&mut sql, &mut args, " AND duration_ns >= ?", v.into());
            }
            if let Some(v) = filter.max_duration_ns {
                add(&mut sql, &mut args, " AND duration_ns <= ?", v.into());
            }
            for (key, pattern) in filter.tags {
                // The key goes in as a bound JSON path; the handler refuses keys with `"` or `\\`.
                let path = format!("$.\"{key}\"");
                add(
                    &mut sql,
                    &mut args,
                    " AND coalesce(json_extract(meta, ?), json_extract(metrics, ?))",
                    path.into(),
                );
                add(
                    &mut sql,
                    &mut args,
                    " LIKE ? ESCAPE '\\'",
                    like(&pattern).into(),
                );
            }
            let take = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
            sql.push_str(" ORDER BY start_ns DESC LIMIT ");
            sql.push_str(&take.to_string());
            let mut st = r.connection().prepare(&sql)?;
            let mut rows = st
                .query_map(rusqlite::params_from_iter(args), |r| {
                    let code: Option<Value> = r.get(9)?;
                    Ok(EntrySpan {
                        trace_id: id_out(r.get(0)?),
                        span_id: id_out(r.get(1)?),
                        service: r.get(2)?,
                        name: r.get(3)?,
                        resource: r.get(4)?,
                        kind: r.get(5)?,
                        start_ns: r.get(6)?,
                        duration_ns: r.get(7)?,
                        error: r.get(8)?,
                        status_code: match code {
                            Some(Value::Text(t)) => Some(t),
                            Some(Value::Integer(i)) => Some(i.to_string()),
                            Some(Value::Real(f)) => Some(format!("{f}")),
                            _ => None,
                        },
                        version: r.get(10)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let more = rows.len() > limit;
            rows.truncate(limit);
            Ok::<_, rusqlite::Error>((rows, more))
        })
        .await?
        .map_err(StoreError::from)
    }

    /// Every `env` the entry spans of `[from_ns, to_ns)` carry, sorted.
    pub async fn trace_envs(&self, from_ns: i64, to_ns: i64) -> Result<Vec<String>, StoreError> {
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(
                "SELECT DISTINCT env FROM spans
                 WHERE top_level = 1 AND start_ns >= ?1 AND start_ns < ?2 AND env != ''
                 ORDER BY env LIMIT 1000",
            )?;
            st.query_map(params![from_ns, to_ns], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .await?
        .map_err(StoreError::from)
    }

    /// The shapes of the spans of these traces, each trace's by start.
    pub async fn trace_shapes(
        &self,
        trace_ids: Vec<u64>,
    ) -> Result<Vec<(u64, Vec<SpanShape>)>, StoreError> {
        self.read(move |r| {
            let mut st = r.connection().prepare_cached(
                "SELECT span_id, parent_id, service, name, resource, type, start_ns, duration_ns,
                     error
                 FROM spans WHERE trace_id = ?1 ORDER BY start_ns, span_id",
            )?;
            trace_ids
                .into_iter()
                .map(|id| {
                    let spans = st
                        .query_map(params![id_in(id)], |r| {
                            Ok(SpanShape {
                                span_id: id_out(r.get(0)?),
                                parent_id: id_out(r.get(1)?),
                                service: r.get(2)?,
                                name: r.get(3)?,
                                resource: r.get(4)?,
                                kind: r.get(5)?,
                                start_ns: r.get(6)?,
                                duration_ns: r.get(7)?,
                                error: r.get(8)?,
                            })
                        })?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok((id, spans))
                })
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
    fn tag_patterns_take_only_the_star_as_a_wildcard() {
        assert_eq!(like("*orders*"), "%orders%");
        assert_eq!(like("50%_x\\"), "50\\%\\_x\\\\");
    }

    #[test]
    fn ids_keep_all_64_bits() {
        for id in [0, 1, u64::MAX, 1 << 63, 0x1234_5678_9abc_def0] {
            assert_eq!(id_out(id_in(id)), id);
        }
    }
}
