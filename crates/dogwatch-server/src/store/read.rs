//! Read queries: the metric list, tag lists, and the evaluator's [`SeriesSource`].

use std::collections::BTreeSet;

use dogwatch_core::eval::{SeriesId, SeriesInfo, SeriesSource};
use dogwatch_core::model::{MetricType, SeriesKey, TagSet};
use rusqlite::{Connection, params};

pub struct Reader {
    conn: Connection,
}

impl Reader {
    pub(super) fn new(conn: Connection) -> Reader {
        Reader { conn }
    }

    pub(super) fn into_connection(self) -> Connection {
        self.conn
    }

    pub(super) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Names of metrics with a point at or after `from_secs`, sorted.
    pub fn metrics_since(&self, from_secs: i64) -> rusqlite::Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT metric FROM series WHERE last_seen >= ?1 ORDER BY metric",
        )?;
        st.query_map(params![from_secs], |r| r.get(0))?.collect()
    }

    /// Every tag seen on any series of `metric`, sorted; `None` when the metric is unknown.
    pub fn tags_of(&self, metric: &str) -> rusqlite::Result<Option<Vec<String>>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT tags FROM series WHERE metric = ?1")?;
        let rows: Vec<String> = st
            .query_map(params![metric], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut all = BTreeSet::new();
        for row in rows {
            for tag in TagSet::from_canonical(&row).iter() {
                all.insert(tag.as_str().to_owned());
            }
        }
        Ok(Some(all.into_iter().collect()))
    }

    /// Timestamp of the latest point of any series of `metric`.
    pub fn last_point_ts(&self, metric: &str) -> rusqlite::Result<Option<i64>> {
        self.conn.query_row(
            "SELECT max(last_seen) FROM series WHERE metric = ?1",
            params![metric],
            |r| r.get(0),
        )
    }

    /// The address a host reports: the `ip:` tag of its most recently seen series that has one
    /// (`{{host.ip}}` in monitor messages).
    pub fn host_ip(&self, host: &str) -> rusqlite::Result<Option<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT tags FROM series WHERE instr(',' || tags || ',', ?1) > 0
                 AND instr(',' || tags, ',ip:') > 0
             ORDER BY last_seen DESC LIMIT 1",
        )?;
        let needle = format!(",host:{host},");
        let tags: Option<String> = st
            .query_map(params![needle], |r| r.get(0))?
            .next()
            .transpose()?;
        Ok(tags.and_then(|t| {
            TagSet::from_canonical(&t)
                .iter()
                .find(|tag| tag.key() == "ip")
                .and_then(|tag| tag.value().map(str::to_owned))
        }))
    }

    /// Number of stored points of one series in a window (used by tests and diagnostics).
    pub fn count_points(
        &self,
        metric: &str,
        from_secs: i64,
        to_secs: i64,
    ) -> rusqlite::Result<i64> {
        self.conn.query_row(
            "SELECT count(*) FROM points JOIN series ON series.id = points.series_id
             WHERE series.metric = ?1 AND points.ts BETWEEN ?2 AND ?3",
            params![metric, from_secs, to_secs],
            |r| r.get(0),
        )
    }
}

impl SeriesSource for Reader {
    type Error = rusqlite::Error;

    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Self::Error> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, tags, type, interval_secs FROM series WHERE metric = ?1 ORDER BY id",
        )?;
        st.query_map(params![metric], |r| {
            let tags: String = r.get(1)?;
            let kind: String = r.get(2)?;
            Ok(SeriesInfo {
                id: r.get(0)?,
                key: SeriesKey {
                    metric: metric.to_owned(),
                    tags: TagSet::from_canonical(&tags),
                },
                // Only the writer fills this column, with MetricType::as_str.
                kind: MetricType::parse(&kind).unwrap_or_default(),
                interval_secs: r.get(3)?,
            })
        })?
        .collect()
    }

    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error> {
        let mut st = self.conn.prepare_cached(
            "SELECT ts, value FROM points WHERE series_id = ?1 AND ts BETWEEN ?2 AND ?3 ORDER BY ts",
        )?;
        let mut out = Vec::new();
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        for id in sorted {
            let rows = st.query_map(params![id, from_secs, to_secs], |r| {
                Ok((id, r.get(0)?, r.get(1)?))
            })?;
            for row in rows {
                out.push(row?);
            }
        }
        Ok(out)
    }
}
