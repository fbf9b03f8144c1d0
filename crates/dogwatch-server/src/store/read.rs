//! Read queries: the metric list, tag lists, and the evaluator's [`SeriesSource`], plain or
//! [`Metered`] by a query budget.

use std::collections::BTreeSet;
use std::fmt;

use dogwatch_core::eval::{EachSeries, SeriesId, SeriesInfo, SeriesSource};
use dogwatch_core::model::{MetricType, SeriesKey, TagSet};
use rusqlite::{Connection, params};

use crate::budget::{Budget, Exceeded};

/// Why a read for the evaluator stopped.
#[derive(Debug)]
pub enum ReadError {
    Sqlite(rusqlite::Error),
    /// The query's budget ran out (points, time) or its client went away.
    Budget(Exceeded),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Sqlite(e) => write!(f, "sqlite: {e}"),
            ReadError::Budget(e) => e.fmt(f),
        }
    }
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Sqlite(e)
    }
}

impl From<Exceeded> for ReadError {
    fn from(e: Exceeded) -> Self {
        ReadError::Budget(e)
    }
}

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

impl Reader {
    /// This reader as the evaluator's source, charging every point it reads to `budget`.
    pub fn metered<'a>(&'a self, budget: &'a Budget) -> Metered<'a> {
        Metered {
            reader: self,
            budget,
        }
    }

    fn series_of(&self, metric: &str) -> rusqlite::Result<Vec<SeriesInfo>> {
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

    /// The points of `ids` in `[from_secs, to_secs]`, by series then time, each row metered as
    /// `meter` says (which stops the read as soon as the budget runs out).
    pub(crate) fn points_of(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        meter: Meter<'_>,
    ) -> Result<Vec<(SeriesId, i64, f64)>, ReadError> {
        let mut out = Vec::new();
        self.each_of(ids, from_secs, to_secs, meter, &mut |id, points| {
            out.extend(points.iter().map(|&(ts, v)| (id, ts, v)));
        })?;
        Ok(out)
    }

    /// [`Reader::points_of`] one series at a time, through one buffer: `each` gets each series'
    /// points (series without points are left out).
    fn each_of(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        meter: Meter<'_>,
        each: &mut EachSeries<'_>,
    ) -> Result<(), ReadError> {
        let mut st = self.conn.prepare_cached(
            "SELECT ts, value FROM points WHERE series_id = ?1 AND ts BETWEEN ?2 AND ?3 ORDER BY ts",
        )?;
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        let mut buffer = Vec::new();
        for id in sorted {
            if let Meter::Charge(b) | Meter::Watch(b) = meter {
                b.check()?;
            }
            buffer.clear();
            let mut rows = st.query(params![id, from_secs, to_secs])?;
            while let Some(row) = rows.next()? {
                match meter {
                    Meter::Charge(b) => b.charge(1)?,
                    Meter::Watch(b) => b.watch(1)?,
                    Meter::Off => {}
                }
                buffer.push((row.get(0)?, row.get(1)?));
            }
            if !buffer.is_empty() {
                each(id, &buffer);
            }
        }
        Ok(())
    }
}

/// How a read is metered by a budget.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Meter<'a> {
    Off,
    /// Every row is a point charged to the budget.
    Charge(&'a Budget),
    /// Rows are not charged, but the budget's clock and cancel flag stop the read.
    Watch(&'a Budget),
}

impl SeriesSource for Reader {
    type Error = ReadError;

    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Self::Error> {
        Ok(self.series_of(metric)?)
    }

    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error> {
        self.points_of(ids, from_secs, to_secs, Meter::Off)
    }

    fn each_series(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        each: &mut EachSeries<'_>,
    ) -> Result<(), Self::Error> {
        self.each_of(ids, from_secs, to_secs, Meter::Off, each)
    }
}

/// A [`Reader`] whose reads are charged to a query's [`Budget`].
pub struct Metered<'a> {
    reader: &'a Reader,
    budget: &'a Budget,
}

impl Metered<'_> {
    /// The budget reads are charged to.
    pub fn budget(&self) -> &Budget {
        self.budget
    }
}

impl SeriesSource for Metered<'_> {
    type Error = ReadError;

    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Self::Error> {
        self.budget.check()?;
        Ok(self.reader.series_of(metric)?)
    }

    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error> {
        self.reader
            .points_of(ids, from_secs, to_secs, Meter::Charge(self.budget))
    }

    fn each_series(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        each: &mut EachSeries<'_>,
    ) -> Result<(), Self::Error> {
        self.reader
            .each_of(ids, from_secs, to_secs, Meter::Charge(self.budget), each)
    }
}
