//! The metric query evaluator: a query text and a time window in, Datadog's `/api/v1/query` response out.
//!
//! The evaluator reads through [`SeriesSource`], which the server's SQLite store implements, so it stays
//! pure and is tested here against an in-memory source.
//!
//! # Semantics
//!
//! 1. **Window.** `from_secs < to_secs`, both between 1970 and the year 9999, at most
//!    [`MAX_WINDOW_SECS`] apart; points with `from_secs <= ts <= to_secs` are read.
//! 2. **Series.** A series is read when every scope item matches its tags: `k:v` when the series has
//!    exactly that tag, a bare `k` when it has the bare tag `k` or any tag with the key `k`; `*` reads
//!    every series of the metric.
//! 3. **Groups.** Without `by`, all read series form one group. With `by {k1,k2}`, a series belongs to
//!    the group of its values of those keys; a series lacking a key is grouped under `k:N/A` as in
//!    Datadog, and one with several values of a key belongs to each of their groups.
//! 4. **Time aggregation.** Buckets are [`auto_interval`] seconds wide and aligned to Unix time (a point
//!    at `ts` falls in the bucket starting at `ts - ts.rem_euclid(interval)`); each series' value in a
//!    bucket is the average of its points there. Non-finite values are skipped, since one NaN would
//!    poison every aggregate it touches.
//! 5. **Space aggregation.** Per bucket, the query's aggregator (avg, sum, min, max; avg when none is
//!    written) combines the values of the group's series that have one in that bucket.
//! 6. **Gaps.** A bucket where no series of the group has a value is left out of the pointlist: there is
//!    no interpolation or fill yet, so a line has as many points as buckets with data.
//!
//! The response has one series per group, sorted by `tag_set`; a group whose series have no points in
//! the window is still listed, with an empty pointlist. When no series matches, `series` is empty,
//! which is an answer and not an error.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::model::{SeriesKey, TagSet};
use crate::query::{self, Query, Scope, SpaceAggregator, TagFilter};
use crate::wire::{QueryResponse, QuerySeries};

/// The store's identifier of one series.
pub type SeriesId = i64;

/// Where the evaluator reads series and points; the server's store implements it.
pub trait SeriesSource {
    type Error: fmt::Display;
    /// Every series of this metric (all tag sets); the evaluator filters by scope itself.
    fn series(&self, metric: &str) -> Result<Vec<(SeriesId, SeriesKey)>, Self::Error>;
    /// Points with from_secs <= ts <= to_secs of these series, ordered by (series, ts).
    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error>;
}

/// Why a query could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError<E> {
    /// The query text does not parse.
    Parse(query::Error),
    /// The time window cannot be evaluated.
    Range {
        from_secs: i64,
        to_secs: i64,
        reason: RangeReason,
    },
    /// The source failed to read series or points.
    Source(E),
}

/// What is wrong with a time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeReason {
    /// `from_secs >= to_secs`.
    Empty,
    /// Longer than [`MAX_WINDOW_SECS`].
    TooLong,
    /// A timestamp before 1970 or after the year 9999, which is a unit mistake (milliseconds given as
    /// seconds) rather than a real window, and would overflow when turned into milliseconds.
    OutOfBounds,
}

impl<E: fmt::Display> fmt::Display for EvalError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Parse(e) => write!(f, "invalid query: {e}"),
            EvalError::Range {
                from_secs,
                to_secs,
                reason,
            } => {
                write!(f, "invalid time range from {from_secs} to {to_secs}: ")?;
                match reason {
                    RangeReason::Empty => write!(f, "`from` must be before `to`"),
                    RangeReason::TooLong => write!(
                        f,
                        "a query covers at most {} days",
                        MAX_WINDOW_SECS / 86_400
                    ),
                    RangeReason::OutOfBounds => write!(
                        f,
                        "timestamps are seconds since 1970, at most {MAX_TIMESTAMP_SECS} (year 9999)"
                    ),
                }
            }
            EvalError::Source(e) => write!(f, "could not read the stored series: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for EvalError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EvalError::Parse(e) => Some(e),
            EvalError::Range { .. } | EvalError::Source(_) => None,
        }
    }
}

/// The most points [`auto_interval`] gives a line, like Datadog's points-per-graph budget.
pub const MAX_POINTS: i64 = 300;

/// Bucket widths [`auto_interval`] chooses from: round durations, so buckets fall on round times.
pub const INTERVAL_LADDER_SECS: [i64; 20] = [
    1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200,
    86_400, 172_800, 604_800,
];

/// The longest window a query may cover: one year, leap years included. Longer windows would read
/// millions of points per series, and no dashboard preset asks for more.
pub const MAX_WINDOW_SECS: i64 = 366 * 86_400;

/// 9999-12-31T23:59:59Z, the latest timestamp accepted; in milliseconds it is far from overflowing.
const MAX_TIMESTAMP_SECS: i64 = 253_402_300_799;

/// The bucket width for a window: the smallest step of [`INTERVAL_LADDER_SECS`] that gives at most
/// [`MAX_POINTS`] buckets. This is 20 s for an hour and 300 s (288 points) for a day, as in Datadog.
/// Windows beyond the ladder get its largest step; an empty or reversed window gets the smallest.
pub fn auto_interval(from_secs: i64, to_secs: i64) -> i64 {
    let window_secs = to_secs.saturating_sub(from_secs).max(0);
    let largest = INTERVAL_LADDER_SECS[INTERVAL_LADDER_SECS.len() - 1];
    INTERVAL_LADDER_SECS
        .into_iter()
        .find(|&step| window_secs <= step.saturating_mul(MAX_POINTS))
        .unwrap_or(largest)
}

/// Evaluates `query_text` over `from_secs..=to_secs`; see the module documentation for the rules.
pub fn evaluate<S: SeriesSource>(
    query_text: &str,
    from_secs: i64,
    to_secs: i64,
    src: &S,
) -> Result<QueryResponse, EvalError<S::Error>> {
    let query = query::parse(query_text).map_err(EvalError::Parse)?;
    check_window(from_secs, to_secs)?;
    let window = Window {
        from_secs,
        to_secs,
        interval_secs: auto_interval(from_secs, to_secs),
    };

    let mut group_keys: Vec<&str> = Vec::new();
    for key in query.group_keys() {
        if !group_keys.contains(&key) {
            group_keys.push(key);
        }
    }
    let candidates = src.series(&query.metric.name).map_err(EvalError::Source)?;
    let groups = group_series(&query, &group_keys, &candidates);

    let mut ids: Vec<SeriesId> = groups.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let points = if ids.is_empty() {
        Vec::new()
    } else {
        src.points(&ids, from_secs, to_secs)
            .map_err(EvalError::Source)?
    };
    let means = bucket_means(&points, &ids, window);

    let series = groups
        .into_iter()
        .map(|(tag_set, members)| {
            let pointlist = combine(&members, &means, query.space_aggregator());
            query_series(&query, &tag_set, &group_keys, pointlist, window)
        })
        .collect();
    Ok(QueryResponse {
        status: "ok".to_owned(),
        res_type: "time_series".to_owned(),
        resp_version: 1,
        query: query_text.to_owned(),
        from_date: from_secs * 1000,
        to_date: to_secs * 1000,
        group_by: group_keys.iter().map(|k| (*k).to_owned()).collect(),
        message: String::new(),
        series,
        times: Vec::new(),
        values: Vec::new(),
    })
}

/// The checked time window and its bucket width.
#[derive(Debug, Clone, Copy)]
struct Window {
    from_secs: i64,
    to_secs: i64,
    interval_secs: i64,
}

/// The series in the scope, by group. Keyed by tag set so that the response comes out sorted by it;
/// each group's ids are sorted and unique, so a source listing a series twice does not count it twice.
fn group_series(
    query: &Query,
    group_keys: &[&str],
    candidates: &[(SeriesId, SeriesKey)],
) -> BTreeMap<Vec<String>, Vec<SeriesId>> {
    let mut groups: BTreeMap<Vec<String>, Vec<SeriesId>> = BTreeMap::new();
    for (id, key) in candidates {
        if key.metric != query.metric.name || !scope_matches(&query.scope, &key.tags) {
            continue;
        }
        for tag_set in group_tag_sets(&key.tags, group_keys) {
            groups.entry(tag_set).or_default().push(*id);
        }
    }
    for members in groups.values_mut() {
        members.sort_unstable();
        members.dedup();
    }
    groups
}

/// Time aggregation: each series' mean in each bucket, keyed by the bucket's start in seconds.
/// `ids` is sorted.
fn bucket_means(
    points: &[(SeriesId, i64, f64)],
    ids: &[SeriesId],
    window: Window,
) -> HashMap<SeriesId, BTreeMap<i64, Mean>> {
    let mut means: HashMap<SeriesId, BTreeMap<i64, Mean>> = HashMap::new();
    for &(id, ts_secs, value) in points {
        // The source promises both, but a point outside the window or of another series would
        // silently skew a line, so they are checked rather than trusted.
        let in_window = (window.from_secs..=window.to_secs).contains(&ts_secs);
        if !in_window || !value.is_finite() || ids.binary_search(&id).is_err() {
            continue;
        }
        let bucket_start_secs = ts_secs - ts_secs.rem_euclid(window.interval_secs);
        means
            .entry(id)
            .or_default()
            .entry(bucket_start_secs)
            .or_default()
            .add(value);
    }
    means
}

/// Space aggregation: one value per bucket where at least one member has a value, as
/// `[ts_ms, value]` in time order.
fn combine(
    members: &[SeriesId],
    means: &HashMap<SeriesId, BTreeMap<i64, Mean>>,
    aggregator: SpaceAggregator,
) -> Vec<(i64, Option<f64>)> {
    let mut combined: BTreeMap<i64, Combined> = BTreeMap::new();
    for id in members {
        for (&bucket_start_secs, mean) in means.get(id).into_iter().flatten() {
            combined
                .entry(bucket_start_secs)
                .or_default()
                .add(mean.value());
        }
    }
    combined
        .into_iter()
        .map(|(bucket_start_secs, c)| (bucket_start_secs * 1000, Some(c.value(aggregator))))
        .collect()
}

fn check_window<E>(from_secs: i64, to_secs: i64) -> Result<(), EvalError<E>> {
    let reason = if !(0..=MAX_TIMESTAMP_SECS).contains(&from_secs)
        || !(0..=MAX_TIMESTAMP_SECS).contains(&to_secs)
    {
        RangeReason::OutOfBounds
    } else if from_secs >= to_secs {
        RangeReason::Empty
    } else if to_secs - from_secs > MAX_WINDOW_SECS {
        RangeReason::TooLong
    } else {
        return Ok(());
    };
    Err(EvalError::Range {
        from_secs,
        to_secs,
        reason,
    })
}

/// Whether a series with these tags is in the scope: every item must match.
fn scope_matches(scope: &Scope, tags: &TagSet) -> bool {
    scope.items.iter().all(|item| tag_matches(item, tags))
}

fn tag_matches(item: &TagFilter, tags: &TagSet) -> bool {
    match &item.value {
        Some(value) => tags
            .iter()
            .any(|t| t.key() == item.key && t.value() == Some(value.as_str())),
        // `Tag::key` of a bare tag is the whole tag, so this also finds the bare tag itself.
        None => tags.iter().any(|t| t.key() == item.key),
    }
}

/// The groups a series belongs to, each as its `tag_set` (`["host:a", "env:prod"]`, in `by` order).
fn group_tag_sets(tags: &TagSet, keys: &[&str]) -> Vec<Vec<String>> {
    let mut sets = vec![Vec::new()];
    for key in keys {
        let mut values: Vec<&str> = tags.values_of(key).collect();
        if values.is_empty() {
            values.push("N/A");
        }
        sets = sets
            .iter()
            .flat_map(|set| {
                values.iter().map(move |value| {
                    let mut set = set.clone();
                    set.push(format!("{key}:{value}"));
                    set
                })
            })
            .collect();
    }
    sets
}

/// One line of the response. `expression` and `scope` are the query narrowed to this group.
fn query_series(
    query: &Query,
    tag_set: &[String],
    group_keys: &[&str],
    pointlist: Vec<(i64, Option<f64>)>,
    window: Window,
) -> QuerySeries {
    let mut narrowed = query.clone();
    narrowed.group_by = None;
    for (tag, key) in tag_set.iter().zip(group_keys) {
        let value = tag.split_once(':').map(|(_, v)| v.to_owned());
        // The span of the `by` key the tag comes from, the closest text it has.
        let span = query
            .group_by
            .iter()
            .flat_map(|g| &g.keys)
            .find(|k| k.name == *key)
            .map_or(query.span, |k| k.span);
        let filter = TagFilter {
            key: (*key).to_owned(),
            value,
            span,
        };
        // `avg:m{host:a} by {host}` already says `host:a`; saying it twice would read oddly.
        let already_there = narrowed
            .scope
            .items
            .iter()
            .any(|f| f.key == filter.key && f.value == filter.value);
        if !already_there {
            narrowed.scope.items.push(filter);
        }
    }
    let start_ms = pointlist.first().map_or(window.from_secs * 1000, |p| p.0);
    let end_ms = pointlist.last().map_or(window.to_secs * 1000, |p| p.0);
    QuerySeries {
        metric: query.metric.name.clone(),
        display_name: query.metric.name.clone(),
        expression: narrowed.to_string(),
        scope: narrowed.scope.to_string(),
        tag_set: tag_set.to_vec(),
        aggr: Some(query.space_aggregator().as_str().to_owned()),
        interval: window.interval_secs,
        length: pointlist.len(),
        query_index: 0,
        start: start_ms,
        end: end_ms,
        pointlist,
        attributes: Default::default(),
        unit: None,
        band: None,
    }
}

/// The running mean of one series in one bucket.
#[derive(Debug, Default, Clone, Copy)]
struct Mean {
    sum: f64,
    count: u32,
}

impl Mean {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
    }

    fn value(self) -> f64 {
        self.sum / f64::from(self.count)
    }
}

/// The values of a group's series in one bucket, reduced for every space aggregator at once.
#[derive(Debug, Clone, Copy)]
struct Combined {
    sum: f64,
    count: u32,
    min: f64,
    max: f64,
}

impl Default for Combined {
    fn default() -> Combined {
        Combined {
            sum: 0.0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Combined {
    fn add(&mut self, value: f64) {
        self.sum += value;
        self.count += 1;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    fn value(self, aggregator: SpaceAggregator) -> f64 {
        match aggregator {
            SpaceAggregator::Avg => self.sum / f64::from(self.count),
            SpaceAggregator::Sum => self.sum,
            SpaceAggregator::Min => self.min,
            SpaceAggregator::Max => self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::model::TagSet;

    /// 2023-11-14T22:13:20Z, a multiple of 20 s so that the buckets of a one-hour window start on it.
    const T0: i64 = 1_700_000_000;
    const HOUR: i64 = 3_600;

    /// Series and points in memory, filtered like the store will: by metric, ids and window.
    #[derive(Default)]
    struct Memory {
        series: Vec<(SeriesId, SeriesKey)>,
        points: Vec<(SeriesId, i64, f64)>,
    }

    impl Memory {
        fn series(mut self, id: SeriesId, metric: &str, tags: &[&str]) -> Memory {
            let key = SeriesKey {
                metric: metric.to_owned(),
                tags: TagSet::from_tags(tags),
            };
            self.series.push((id, key));
            self
        }

        fn point(mut self, id: SeriesId, ts: i64, value: f64) -> Memory {
            self.points.push((id, ts, value));
            self
        }
    }

    impl SeriesSource for Memory {
        type Error = Infallible;

        fn series(&self, metric: &str) -> Result<Vec<(SeriesId, SeriesKey)>, Infallible> {
            Ok(self
                .series
                .iter()
                .filter(|(_, key)| key.metric == metric)
                .cloned()
                .collect())
        }

        fn points(
            &self,
            ids: &[SeriesId],
            from_secs: i64,
            to_secs: i64,
        ) -> Result<Vec<(SeriesId, i64, f64)>, Infallible> {
            let mut points: Vec<_> = self
                .points
                .iter()
                .filter(|(id, ts, _)| ids.contains(id) && (from_secs..=to_secs).contains(ts))
                .copied()
                .collect();
            points.sort_by_key(|&(id, ts, _)| (id, ts));
            Ok(points)
        }
    }

    /// Hands back everything it holds, whatever was asked: a store with a bug.
    struct Sloppy(Memory);

    impl SeriesSource for Sloppy {
        type Error = Infallible;

        fn series(&self, _metric: &str) -> Result<Vec<(SeriesId, SeriesKey)>, Infallible> {
            Ok(self.0.series.clone())
        }

        fn points(
            &self,
            _: &[SeriesId],
            _: i64,
            _: i64,
        ) -> Result<Vec<(SeriesId, i64, f64)>, Infallible> {
            Ok(self.0.points.clone())
        }
    }

    struct Failing;

    impl SeriesSource for Failing {
        type Error = &'static str;

        fn series(&self, _metric: &str) -> Result<Vec<(SeriesId, SeriesKey)>, &'static str> {
            Err("the disk is on fire")
        }

        fn points(
            &self,
            _: &[SeriesId],
            _: i64,
            _: i64,
        ) -> Result<Vec<(SeriesId, i64, f64)>, &'static str> {
            Err("the disk is on fire")
        }
    }

    fn eval_hour<S: SeriesSource>(src: &S, query: &str) -> QueryResponse
    where
        S::Error: fmt::Debug,
    {
        evaluate(query, T0, T0 + HOUR, src).unwrap_or_else(|e| panic!("{query}: {e}"))
    }

    /// A line as its tag set and its points, with seconds since `T0` for readability.
    type Line = (Vec<String>, Vec<(i64, f64)>);

    fn lines(response: &QueryResponse) -> Vec<Line> {
        response
            .series
            .iter()
            .map(|s| {
                let points = s
                    .pointlist
                    .iter()
                    .map(|&(ts_ms, value)| (ts_ms / 1000 - T0, value.unwrap_or(f64::NAN)))
                    .collect();
                (s.tag_set.clone(), points)
            })
            .collect()
    }

    fn tags(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    /// Three series of `m`: two on host a (prod and dev), one on host b.
    fn three_hosts() -> Memory {
        Memory::default()
            .series(1, "m", &["host:a", "env:prod"])
            .series(2, "m", &["host:a", "env:dev"])
            .series(3, "m", &["host:b", "env:prod"])
            .series(4, "other", &["host:a", "env:prod"])
            .point(1, T0, 1.0)
            .point(2, T0 + 3, 2.0)
            .point(3, T0 + 19, 5.0)
            .point(1, T0 + 20, 3.0)
            .point(3, T0 + 21, 7.0)
            .point(4, T0, 1000.0)
    }

    #[test]
    fn averages_the_points_of_each_bucket() {
        let src = Memory::default()
            .series(1, "my_metric", &["host:ubuntu"])
            .point(1, T0 + 1, 1.0)
            .point(1, T0 + 5, 3.0)
            .point(1, T0 + 25, 10.0);
        let response = eval_hour(&src, "my_metric{*}");
        let expected = QueryResponse {
            status: "ok".into(),
            res_type: "time_series".into(),
            resp_version: 1,
            query: "my_metric{*}".into(),
            from_date: T0 * 1000,
            to_date: (T0 + HOUR) * 1000,
            group_by: vec![],
            message: String::new(),
            series: vec![QuerySeries {
                metric: "my_metric".into(),
                display_name: "my_metric".into(),
                expression: "avg:my_metric{*}".into(),
                scope: "*".into(),
                tag_set: vec![],
                aggr: Some("avg".into()),
                interval: 20,
                length: 2,
                query_index: 0,
                start: T0 * 1000,
                end: (T0 + 20) * 1000,
                pointlist: vec![(T0 * 1000, Some(2.0)), ((T0 + 20) * 1000, Some(10.0))],
                attributes: Default::default(),
                unit: None,
                band: None,
            }],
            times: vec![],
            values: vec![],
        };
        assert_eq!(response, expected);
    }

    #[test]
    fn the_response_serialises_in_datadogs_shape() {
        let src = Memory::default().series(1, "m", &[]).point(1, T0, 1.5);
        let json = serde_json::to_value(eval_hour(&src, "avg:m{*}")).unwrap_or_default();
        let series = &json["series"][0];
        assert_eq!(series["pointlist"], serde_json::json!([[T0 * 1000, 1.5]]));
        assert_eq!(series["attributes"], serde_json::json!({}));
        assert_eq!(series["unit"], serde_json::Value::Null);
        assert_eq!(series["aggr"], "avg");
    }

    #[test]
    fn sums_each_host_separately() {
        let response = eval_hour(&three_hosts(), "sum:m{*} by {host}");
        assert_eq!(response.group_by, ["host"]);
        assert_eq!(
            lines(&response),
            [
                (tags(&["host:a"]), vec![(0, 1.0 + 2.0), (20, 3.0)]),
                (tags(&["host:b"]), vec![(0, 5.0), (20, 7.0)]),
            ]
        );
        let a = &response.series[0];
        assert_eq!(
            (a.expression.as_str(), a.scope.as_str()),
            ("sum:m{host:a}", "host:a")
        );
        assert_eq!(a.aggr.as_deref(), Some("sum"));
    }

    #[test]
    fn the_scope_selects_series() {
        let src = three_hosts();
        let prod = eval_hour(&src, "sum:m{env:prod}");
        assert_eq!(
            lines(&prod),
            [(tags(&[]), vec![(0, 1.0 + 5.0), (20, 3.0 + 7.0)])]
        );
        assert_eq!(prod.series[0].scope, "env:prod");
        let prod_b = eval_hour(&src, "sum:m{Env:Prod,HOST:b}");
        assert_eq!(lines(&prod_b), [(tags(&[]), vec![(0, 5.0), (20, 7.0)])]);
        assert_eq!(prod_b.series[0].expression, "sum:m{env:prod,host:b}");
    }

    #[test]
    fn a_bare_tag_matches_the_bare_tag_or_any_tag_with_that_key() {
        let src = Memory::default()
            .series(1, "m", &["canary", "env:prod"])
            .series(2, "m", &["env:dev"])
            .series(3, "m", &["region:eu"])
            .point(1, T0, 1.0)
            .point(2, T0, 10.0)
            .point(3, T0, 100.0);
        assert_eq!(
            lines(&eval_hour(&src, "sum:m{canary}")),
            [(tags(&[]), vec![(0, 1.0)])]
        );
        assert_eq!(
            lines(&eval_hour(&src, "sum:m{env}")),
            [(tags(&[]), vec![(0, 11.0)])]
        );
        assert_eq!(lines(&eval_hour(&src, "sum:m{env,region}")), []);
    }

    #[test]
    fn space_aggregation_uses_the_series_that_have_a_value_in_the_bucket() {
        let src = Memory::default()
            .series(1, "m", &["host:a"])
            .series(2, "m", &["host:b"])
            .point(1, T0, 1.0)
            .point(2, T0, 3.0)
            .point(1, T0 + 20, 4.0);
        let at = |query| lines(&eval_hour(&src, query)).remove(0).1;
        assert_eq!(at("avg:m{*}"), [(0, 2.0), (20, 4.0)]);
        assert_eq!(at("sum:m{*}"), [(0, 4.0), (20, 4.0)]);
        assert_eq!(at("min:m{*}"), [(0, 1.0), (20, 4.0)]);
        assert_eq!(at("max:m{*}"), [(0, 3.0), (20, 4.0)]);
    }

    #[test]
    fn series_without_the_group_key_are_grouped_under_n_a() {
        let src = Memory::default()
            .series(1, "m", &["host:a"])
            .series(2, "m", &["env:prod"])
            .series(3, "m", &["host"])
            .point(1, T0, 1.0)
            .point(2, T0, 2.0)
            .point(3, T0, 4.0);
        let response = eval_hour(&src, "sum:m{*} by {host}");
        assert_eq!(
            lines(&response),
            [
                (tags(&["host:N/A"]), vec![(0, 6.0)]),
                (tags(&["host:a"]), vec![(0, 1.0)]),
            ]
        );
        assert_eq!(response.series[0].expression, "sum:m{host:N/A}");
    }

    #[test]
    fn grouping_by_two_keys_narrows_the_expression_of_each_line() {
        let src = Memory::default()
            // Two values of `host`: the series is in both hosts' groups.
            .series(1, "m", &["host:a", "host:b", "env:prod"])
            .series(2, "m", &["host:b", "env:prod"])
            .series(3, "m", &["host:b", "env:dev"])
            .point(1, T0, 1.0)
            .point(2, T0, 2.0)
            .point(3, T0, 4.0);
        let response = eval_hour(&src, "max:m{env:prod} by {host,env,host}");
        assert_eq!(response.group_by, ["host", "env"]);
        assert_eq!(
            lines(&response),
            [
                (tags(&["host:a", "env:prod"]), vec![(0, 1.0)]),
                (tags(&["host:b", "env:prod"]), vec![(0, 2.0)]),
            ]
        );
        let b = &response.series[1];
        assert_eq!(
            (b.expression.as_str(), b.scope.as_str()),
            ("max:m{env:prod,host:b}", "env:prod,host:b")
        );
    }

    #[test]
    fn buckets_are_aligned_to_unix_time_not_to_the_window() {
        let src = Memory::default()
            .series(1, "m", &[])
            .point(1, T0 + 9, 1.0)
            .point(1, T0 + 30, 2.0);
        let response =
            evaluate("m{*}", T0 + 7, T0 + 7 + HOUR, &src).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lines(&response), [(tags(&[]), vec![(0, 1.0), (20, 2.0)])]);
        assert_eq!(response.series[0].start, T0 * 1000);
    }

    #[test]
    fn auto_interval_follows_datadogs_defaults() {
        assert_eq!(auto_interval(T0, T0 + 300), 1, "5 minutes");
        assert_eq!(auto_interval(T0, T0 + HOUR), 20, "1 hour");
        assert_eq!(auto_interval(T0, T0 + 24 * HOUR), 300, "1 day");
        assert_eq!(24 * HOUR / 300, 288, "points in a day");
        assert_eq!(auto_interval(T0, T0 + 7 * 24 * HOUR), 3_600, "1 week");
        assert_eq!(auto_interval(T0, T0 + 301), 2, "just past 300 points");
        assert_eq!(auto_interval(T0, T0), 1, "empty window");
        assert_eq!(auto_interval(0, i64::MAX), 604_800, "beyond the ladder");
        assert_eq!(
            auto_interval(0, MAX_WINDOW_SECS),
            172_800,
            "the longest window"
        );
    }

    #[test]
    fn no_matching_series_is_an_empty_answer() {
        let src = three_hosts();
        assert_eq!(eval_hour(&src, "avg:nothing{*}").series, []);
        assert_eq!(eval_hour(&src, "avg:m{host:z} by {host}").series, []);
        assert_eq!(eval_hour(&Memory::default(), "avg:m{*}").series, []);
    }

    #[test]
    fn a_series_without_points_in_the_window_is_an_empty_line() {
        let src = Memory::default()
            .series(1, "m", &["host:a"])
            .point(1, T0 - 100, 1.0);
        let response = eval_hour(&src, "avg:m{*} by {host}");
        let line = &response.series[0];
        assert_eq!((line.length, line.pointlist.as_slice()), (0, [].as_slice()));
        assert_eq!((line.start, line.end), (T0 * 1000, (T0 + HOUR) * 1000));
    }

    #[test]
    fn points_the_source_should_not_have_sent_are_ignored() {
        let src = Sloppy(
            Memory::default()
                .series(1, "m", &["host:a"])
                .series(2, "other", &["host:a"])
                .point(1, T0 - 1, 100.0)
                .point(1, T0, 1.0)
                .point(1, T0 + 1, f64::NAN)
                .point(1, T0 + 2, f64::INFINITY)
                .point(2, T0, 1000.0)
                .point(9, T0, 1000.0)
                .point(1, T0 + HOUR + 1, 100.0),
        );
        assert_eq!(
            lines(&eval_hour(&src, "sum:m{*}")),
            [(tags(&[]), vec![(0, 1.0)])]
        );
    }

    #[test]
    fn bad_ranges_are_refused() {
        let src = Memory::default();
        let range = |from, to| match evaluate("avg:m{*}", from, to, &src) {
            Err(EvalError::Range { reason, .. }) => Some(reason),
            _ => None,
        };
        assert_eq!(range(T0, T0), Some(RangeReason::Empty));
        assert_eq!(range(T0 + 1, T0), Some(RangeReason::Empty));
        assert_eq!(
            range(T0, T0 + MAX_WINDOW_SECS + 1),
            Some(RangeReason::TooLong)
        );
        assert_eq!(range(T0, T0 + MAX_WINDOW_SECS), None);
        assert_eq!(range(-1, T0), Some(RangeReason::OutOfBounds));
        assert_eq!(
            range(T0 * 1000, (T0 + HOUR) * 1000),
            Some(RangeReason::OutOfBounds)
        );
        assert_eq!(range(i64::MIN, i64::MAX), Some(RangeReason::OutOfBounds));
        let message = evaluate("avg:m{*}", T0, T0 - 60, &src).map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err(
                "invalid time range from 1700000000 to 1699999940: `from` must be before `to`"
                    .into()
            )
        );
    }

    #[test]
    fn parse_and_source_errors_say_what_failed() {
        let parse =
            evaluate("avg:m{", T0, T0 + HOUR, &Memory::default()).map_err(|e| e.to_string());
        assert_eq!(
            parse,
            Err("invalid query: expected `}` to close the scope opened at column 6".into())
        );
        let source = evaluate("avg:m{*}", T0, T0 + HOUR, &Failing).map_err(|e| e.to_string());
        assert_eq!(
            source,
            Err("could not read the stored series: the disk is on fire".into())
        );
    }
}
