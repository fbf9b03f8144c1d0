//! The numeric core of the metric query evaluator: pure kernels over lines of values on a regular
//! time grid (rollups, metric types, interpolation, space aggregation, arithmetic, functions,
//! anomaly bands).
//!
//! Nothing here knows the query syntax: the evaluator maps its AST onto the small enums of this
//! module ([`RollupMethod`], [`FillMode`], [`UnaryFunc`], [`AnomalyAlgorithm`] …), reads points
//! through its storage trait and calls these kernels in this order: time aggregation per series
//! ([`TimeAggregation::apply`]), alignment and space aggregation per group ([`space_aggregate`]),
//! then functions and arithmetic on the group lines.
//!
//! Every rule below was chosen to match Datadog's documentation where it says something precise,
//! and is written down where it had to be decided here.
//!
//! # The grid
//!
//! A [`Grid`] is `len` buckets of `interval_secs` starting at `start_secs`, a multiple of the
//! interval, so buckets fall on the same wall-clock times whatever the window (Datadog aligns
//! rollups to Unix time). A point at `ts` belongs to the bucket starting at
//! `ts - ts.rem_euclid(interval)`. [`Grid::covering`] spans every bucket that holds a second of
//! `from..=to`: the first one may start before `from`, and the evaluator reads points with
//! `from <= ts <= to`, so it is then partial. (Datadog's recorded response starts at the first
//! bucket starting at or after `from` instead; covering the window keeps its first seconds.)
//!
//! A [`Line`] holds one `Option<f64>` per bucket: `None` is "no value", never NaN. Kernels turn a
//! non-finite result (division by zero, overflow, log of a non-positive number) into `None`, since
//! one NaN would poison every aggregate it touches.
//!
//! # Interval ([`choose_interval`])
//!
//! The automatic interval is the smallest step of [`INTERVAL_LADDER_SECS`] (1 s, 2 s, 5 s … 1 h …
//! 1 week) giving at most [`MAX_POINTS`] buckets: 20 s for an hour, 300 s for a day. A
//! `.rollup(method, secs)` coarser than that is used as written, aligned to Unix time; a finer one
//! is raised to the automatic interval, as Datadog does ("if the requested interval is smaller than
//! the enforced one, the enforced interval is used"), so a query never returns more points than a
//! graph can show.
//!
//! # Time aggregation and metric types ([`TimeAggregation`])
//!
//! Every point of a COUNT or RATE series stands for events over its sample interval `si` (the
//! series' stored `interval_secs`, 10 s for the agent): a COUNT point is that number of events, a
//! RATE point is events per second. Per bucket of `b` seconds:
//!
//! | type  | modifier     | default rollup | value                                         |
//! |-------|--------------|----------------|-----------------------------------------------|
//! | GAUGE | any          | avg            | as rolled up (modifiers have no effect)       |
//! | COUNT | none         | sum            | sum of the counts (Datadog sums counts)       |
//! | COUNT | `as_count()` | sum            | sum of the counts                             |
//! | COUNT | `as_rate()`  | sum            | sum of the counts ÷ max(b, si)                |
//! | RATE  | none         | avg            | the stored per-second rate, averaged          |
//! | RATE  | `as_count()` | sum            | sum of the rates × si                         |
//! | RATE  | `as_rate()`  | avg            | the stored per-second rate, averaged          |
//!
//! An explicit `.rollup(method)` replaces the default method and the factor is applied to its
//! result, since Datadog's docs apply it "post-aggregation". When `si` is unknown, a RATE bucket's
//! samples are assumed to tile it (`si = b / n` for `n` samples), which is the docs' "multiplies by
//! the interval" when a bucket holds one sample. Two choices differ from the docs' letter, both so
//! that the result stays what its name says: `as_rate()` on a COUNT divides by `max(b, si)` rather
//! than returning raw counts when buckets are finer than the samples, and `as_rate()` on a RATE
//! averages instead of summing, because a sum of several per-second rates is not a rate (the two
//! agree whenever a bucket holds one sample). A bucket without points is `None` for every method,
//! `count` included: no data is not the same as zero events.
//!
//! # Interpolation and alignment ([`fill`], [`Align`], [`space_aggregate`])
//!
//! A *gap* is a run of empty buckets with a value on both sides; its length is
//! `empty buckets × interval`. `.fill(mode, limit)` fills gaps of at most `limit` seconds (default
//! 300, at most 600): `linear` along the straight line between the two sides, `last` with the
//! value before the gap, `zero` with 0, and `null` not at all. Nothing is filled before the first
//! or after the last value: like Datadog, which interpolates the window's edges "using data after
//! and before the interval displayed", the evaluator reads a margin of `limit` seconds on both
//! sides and crops the result with [`Line::on_grid`].
//!
//! Space aggregation combines the series of a group bucket by bucket, and Datadog's guide says
//! interpolation exists for exactly that: to align sources that report at different times. So:
//!
//! - GAUGE series ([`Align::Interpolate`], the default): each series is filled `linear` across
//!   gaps of up to 300 s *for the computation only*, and a bucket is emitted only when at least one
//!   series has a real value in it. An average over hosts then does not jump when one host misses
//!   a bucket, and a group that stopped reporting does not grow invented points.
//! - COUNT and RATE series ([`Align::Zero`]): never interpolated; in an emitted bucket a series
//!   without a value counts as 0, as Datadog aligns counts and rates "as 0" (a host that sent no
//!   errors had zero errors, which matters to `avg`).
//! - An explicit `.fill()` ([`Align::Fill`]) replaces either rule: each series is filled, and the
//!   filled values are emitted like real ones, since the user asked to see them. `fill(null)`
//!   turns alignment off ([`Align::AsIs`]).
//!
//! # Arithmetic ([`binary`])
//!
//! A side that is a single line without tags (an ungrouped query, or a constant as
//! [`Line::constant`]) applies to every group of the other side. Two grouped sides pair groups with
//! the same tag set (compared as sets, whatever the `by` order); unpaired groups are dropped.
//! Values meet by bucket start time; a missing value on either side, a division by zero or a
//! non-finite result gives `None`.
//!
//! # Functions ([`apply`], [`shift`], [`top`])
//!
//! - `abs`; `log2`, `log10` (`None` for values ≤ 0).
//! - `cumsum`: running sum of the values in the window; `integral`: running sum of
//!   `value × interval_secs`. Empty buckets stay empty and do not reset the sum.
//! - `per_second`, `per_minute`, `per_hour`: each bucket's value is taken as an amount over its
//!   bucket and converted to a rate per unit: `value × unit_secs / interval_secs`. This is how
//!   Datadog's functions behave on `sum:requests{*}.as_count()`; on a line that is already a rate,
//!   they scale it by the same factor.
//! - `diff`: the value minus the previous value on the line (the previous non-empty bucket, as
//!   Datadog's pointlists skip empty buckets); `derivative`: that difference divided by the seconds
//!   between the two buckets, so it stays per second across gaps.
//! - `timeshift(q, s)` shows at time `t` the value of `q` at `t + s` (`s < 0` is the past). The
//!   evaluator evaluates `q` over the window moved by `s` and [`shift`] moves the result back, by
//!   `s` rounded to whole buckets so that it lines up with unshifted queries. `hour_before`,
//!   `day_before`, `week_before` are −1 h, −1 d, −7 d; `month_before` is −28 days, not 30: four
//!   whole weeks keep Mondays under Mondays, which is what a month-over-month comparison of weekly
//!   traffic needs (Datadog's `calendar_shift(q, "-1mo")` is the calendar variant).
//! - `top(lines, n, rank, order)` keeps `n` lines ranked by `max`, `min`, `last`, `mean`, `sum`,
//!   `area` (signed: Σ value × interval), `norm` (Σ |value| × interval) or `l2norm`
//!   (√Σ value²); lines without values rank last in either order, ties keep the input order.
//!
//! # Anomalies ([`anomalies`], [`outside`])
//!
//! The caller passes a line that starts before the displayed window, and the index where display
//! starts ([`history_secs`] says how much to read). Each displayed bucket gets a band
//! `expected ± bounds × σ` computed from earlier buckets only, and a point is anomalous when it
//! lies strictly outside. `σ` is a robust standard deviation, `1.4826 × MAD` (the median absolute
//! deviation, scaled to equal the standard deviation of normal noise), so `bounds` reads as
//! Datadog's "number of standard deviations": with normal noise about 5 % of the points fall
//! outside at `bounds` 2, as a test checks. σ is floored at 1 % of the mean absolute level of the
//! history, so that a flat series gets a band instead of flagging every rounding error. `bounds`
//! is clamped to `0..=1000`.
//!
//! - **basic** — a lagging rolling quantile band without seasonality. Expected = the median (50 %
//!   quantile) of the previous [`BASIC_WINDOW_BUCKETS`] (60) buckets, needing at least
//!   [`BASIC_MIN_POINTS`] (10) values; σ = 1.4826 × MAD of the previous [`BASIC_SPREAD_BUCKETS`]
//!   (180) buckets around their own median. The centre follows a level shift within half its
//!   window; the spread uses three times as many values because one estimated from 60 varies by
//!   about ±13 % between windows, enough to flag ordinary noise. The bucket being judged is never
//!   in its own window, so a spike does not widen the band it is tested against.
//! - **robust** and **agile** — seasonal, with an hourly, daily or weekly [`Season`] chosen by the
//!   caller (Datadog's default is weekly; nothing is detected, so the result never depends on a
//!   guess). The interval must divide the season into at least 2 buckets, `P` per season. Every
//!   displayed bucket needs [`MIN_SEASONS`] (3) full seasons of history after the first stored
//!   value, else [`AnomalyError::NotEnoughHistory`] with both durations; up to [`MAX_SEASONS`] (6)
//!   past seasons are used (Datadog: "up to 6 weeks"), `K` below.
//! - **robust**, a seasonal-trend decomposition. For bucket `i`, the past seasons are the windows
//!   `[i − kP, i − (k−1)P)`, `k = 1..K`, with means `L_k` (a full-season mean is free of the
//!   seasonal shape). The trend is the line through those means, placed at the windows' centres,
//!   with slope `b` = the median of `L_k − L_(k+1)` per season; the seasonal component is the
//!   median over `k` of the value at `i − kP` minus the trend there; expected = the trend at `i`
//!   plus the seasonal component. The level moves only as whole-season means move: the band is
//!   stable, and a level shift stays anomalous for most of a season.
//! - **agile**, the same seasonal profile re-anchored to the recent level: baseline `B(t)` = the
//!   median of the values at `t − kP`, `k = 1..K`; offset = the median of `x(t) − B(t)` over the
//!   last `r = max(3, P / 12)` buckets (2 hours of a daily season); expected = `B(i)` + offset.
//!   `K` is the same for `i` and its recent window, so that both baselines lag equally and a trend
//!   cancels out of the offset (0 when the recent window has no values). A level shift stops
//!   being anomalous after about `r / 2` buckets.
//! - A bucket whose past seasons hold fewer than 2 values at its phase gets no band (`None`).
//! - Both seasonal algorithms use one σ for the whole window, so the band is as stable as its
//!   centre: the scaled MAD of the algorithm's own prediction errors over the season before the
//!   window (at most 288 of them, evenly spaced), i.e. how far off this predictor has been on this
//!   series. Where agile has fewer than 3 predictions there (3 seasons exactly and a short season),
//!   robust's errors stand in.

mod align;
mod anomaly;
mod arith;
mod func;
mod stats;
mod time;

pub use align::{Align, Fill, FillMode, SpaceAgg, fill, space_aggregate};
pub use anomaly::{
    AnomalyAlgorithm, AnomalyError, BASIC_MIN_POINTS, BASIC_SPREAD_BUCKETS, BASIC_WINDOW_BUCKETS,
    Band, MAX_SEASONS, MIN_SEASONS, Season, anomalies, history_secs, outside,
};
pub use arith::{BinaryOp, Grouped, binary, combine, negate};
pub use func::{Order, Shift, TopRank, UnaryFunc, apply, rank_value, shift, top, top_offset};
pub use time::{RollupMethod, TimeAggregation, TypeModifier, rollup};

/// The most buckets [`auto_interval`] gives a window, like Datadog's points-per-graph budget.
pub const MAX_POINTS: i64 = 300;

/// Bucket widths [`auto_interval`] chooses from: round durations, so buckets fall on round times.
pub const INTERVAL_LADDER_SECS: [i64; 20] = [
    1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200, 14_400, 28_800, 43_200,
    86_400, 172_800, 604_800,
];

/// The bucket width for a window: the smallest step of [`INTERVAL_LADDER_SECS`] that gives at most
/// [`MAX_POINTS`] buckets; 20 s for an hour, 300 s (288 points) for a day, as in Datadog. Windows
/// beyond the ladder get its largest step; an empty or reversed window gets the smallest.
pub fn auto_interval(from_secs: i64, to_secs: i64) -> i64 {
    let window_secs = to_secs.saturating_sub(from_secs).max(0);
    let largest = INTERVAL_LADDER_SECS[INTERVAL_LADDER_SECS.len() - 1];
    INTERVAL_LADDER_SECS
        .into_iter()
        .find(|&step| window_secs <= step.saturating_mul(MAX_POINTS))
        .unwrap_or(largest)
}

/// The bucket width of a query over `from_secs..=to_secs`: `.rollup(…, rollup_secs)` when it is
/// coarser than [`auto_interval`], else the automatic interval. A finer (or non-positive) request
/// is raised to the automatic interval, Datadog's rule, so a line never exceeds the point budget.
pub fn choose_interval(from_secs: i64, to_secs: i64, rollup_secs: Option<i64>) -> i64 {
    let auto = auto_interval(from_secs, to_secs);
    rollup_secs.map_or(auto, |requested| requested.max(auto))
}

/// Buckets of `interval_secs` from `start_secs` (a multiple of the interval), `len` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grid {
    pub start_secs: i64,
    pub interval_secs: i64,
    pub len: usize,
}

impl Grid {
    /// Every bucket holding a second of `from_secs..=to_secs`, aligned to Unix time: from the
    /// bucket containing `from_secs` to the one containing `to_secs`. An interval below 1 s is
    /// taken as 1 s; a reversed window gives no buckets. The caller bounds the window: with
    /// [`choose_interval`] a grid has at most 301 buckets, plus the margins it reads.
    pub fn covering(from_secs: i64, to_secs: i64, interval_secs: i64) -> Grid {
        let interval_secs = interval_secs.max(1);
        let start_secs = bucket_start(from_secs, interval_secs);
        let last_secs = bucket_start(to_secs, interval_secs);
        let len = if to_secs < from_secs {
            0
        } else {
            let buckets =
                (i128::from(last_secs) - i128::from(start_secs)) / i128::from(interval_secs);
            usize::try_from(buckets + 1).unwrap_or(usize::MAX)
        };
        Grid {
            start_secs,
            interval_secs,
            len,
        }
    }

    /// The start of bucket `index` (which may lie past the end, for arithmetic on positions).
    pub fn bucket_start_secs(&self, index: usize) -> i64 {
        let offset = i64::try_from(index)
            .unwrap_or(i64::MAX)
            .saturating_mul(self.interval_secs);
        self.start_secs.saturating_add(offset)
    }

    /// The end of the last bucket, exclusive.
    pub fn end_secs(&self) -> i64 {
        self.bucket_start_secs(self.len)
    }

    /// The bucket holding `ts_secs`, if it is on the grid.
    pub fn index_of(&self, ts_secs: i64) -> Option<usize> {
        if ts_secs < self.start_secs || self.interval_secs <= 0 {
            return None;
        }
        let index =
            (i128::from(ts_secs) - i128::from(self.start_secs)) / i128::from(self.interval_secs);
        usize::try_from(index).ok().filter(|&i| i < self.len)
    }

    /// The start of every bucket, in order.
    pub fn timestamps_secs(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len).map(|i| self.bucket_start_secs(i))
    }
}

/// The start of the bucket of width `interval_secs` holding `ts_secs`, aligned to Unix time.
fn bucket_start(ts_secs: i64, interval_secs: i64) -> i64 {
    ts_secs - ts_secs.rem_euclid(interval_secs)
}

/// One value per bucket of `grid` (`values.len() == grid.len`); `None` when the bucket has none.
/// Values are finite: constructors and kernels turn NaN and infinities into `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub grid: Grid,
    pub values: Vec<Option<f64>>,
}

impl Line {
    /// A line from per-bucket values, padded with `None` or cut to the grid's length; non-finite
    /// values become `None`.
    pub fn new(grid: Grid, mut values: Vec<Option<f64>>) -> Line {
        values.resize(grid.len, None);
        for v in &mut values {
            *v = v.filter(|x| x.is_finite());
        }
        Line { grid, values }
    }

    /// A line without values.
    pub fn empty(grid: Grid) -> Line {
        Line {
            grid,
            values: vec![None; grid.len],
        }
    }

    /// The same value in every bucket: how a numeric constant takes part in arithmetic.
    pub fn constant(grid: Grid, value: f64) -> Line {
        Line::new(grid, vec![Some(value); grid.len])
    }

    /// The value of the bucket starting at `ts_secs`, or holding it.
    pub fn value_at(&self, ts_secs: i64) -> Option<f64> {
        self.grid
            .index_of(ts_secs)
            .and_then(|i| self.values.get(i).copied().flatten())
    }

    /// This line's values on another grid, bucket by bucket where bucket starts coincide (and
    /// `None` elsewhere): crops a line read with a margin back to the displayed window, and aligns
    /// two lines for arithmetic.
    pub fn on_grid(&self, grid: Grid) -> Line {
        if grid == self.grid {
            return self.clone();
        }
        let values = grid
            .timestamps_secs()
            .map(|ts| {
                let i = self.grid.index_of(ts)?;
                if self.grid.bucket_start_secs(i) == ts {
                    self.values.get(i).copied().flatten()
                } else {
                    None
                }
            })
            .collect();
        Line { grid, values }
    }

    /// The buckets that have a value, as `(bucket start in seconds, value)`.
    pub fn present(&self) -> impl Iterator<Item = (i64, f64)> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (self.grid.bucket_start_secs(i), v)))
    }

    /// Every bucket as `(ts_ms, value)`, empty ones included: the wire's `pointlist` form.
    pub fn pointlist_ms(&self) -> Vec<(i64, Option<f64>)> {
        self.values
            .iter()
            .enumerate()
            .map(|(i, v)| (self.grid.bucket_start_secs(i).saturating_mul(1000), *v))
            .collect()
    }

    /// The same grid with `f` applied to every value; a non-finite result becomes `None`.
    pub(crate) fn map(&self, f: impl Fn(f64) -> Option<f64>) -> Line {
        let values = self
            .values
            .iter()
            .map(|v| v.and_then(&f).filter(|x| x.is_finite()))
            .collect();
        Line {
            grid: self.grid,
            values,
        }
    }
}

#[cfg(test)]
mod testing;

#[cfg(test)]
mod tests {
    use super::testing::{T0, render};
    use super::*;

    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;

    #[test]
    fn auto_interval_keeps_at_most_300_points() {
        assert_eq!(auto_interval(T0, T0 + 300), 1, "5 minutes");
        assert_eq!(auto_interval(T0, T0 + HOUR), 20, "1 hour");
        assert_eq!(auto_interval(T0, T0 + DAY), 300, "1 day");
        assert_eq!(auto_interval(T0, T0 + 7 * DAY), 3_600, "1 week");
        assert_eq!(auto_interval(T0, T0 + 301), 2, "just past 300 points");
        assert_eq!(auto_interval(T0, T0), 1, "empty window");
        assert_eq!(auto_interval(T0, T0 - 5), 1, "reversed window");
        assert_eq!(auto_interval(0, i64::MAX), 604_800, "beyond the ladder");
    }

    #[test]
    fn a_rollup_interval_is_used_only_when_coarser_than_the_automatic_one() {
        assert_eq!(choose_interval(T0, T0 + DAY, None), 300);
        assert_eq!(choose_interval(T0, T0 + DAY, Some(3_600)), 3_600);
        assert_eq!(choose_interval(T0, T0 + DAY, Some(60)), 300, "raised");
        assert_eq!(choose_interval(T0, T0 + DAY, Some(300)), 300);
        assert_eq!(
            choose_interval(T0, T0 + HOUR, Some(45)),
            45,
            "not on the ladder"
        );
        assert_eq!(choose_interval(T0, T0 + HOUR, Some(0)), 20);
        assert_eq!(choose_interval(T0, T0 + HOUR, Some(-60)), 20);
    }

    #[test]
    fn covering_grids_are_aligned_to_unix_time() {
        // T0 is a multiple of 3600; the window starts 7 s into a bucket and ends inside one.
        let g = Grid::covering(T0 + 7, T0 + 65, 20);
        assert_eq!(
            g,
            Grid {
                start_secs: T0,
                interval_secs: 20,
                len: 4
            }
        );
        assert_eq!(g.end_secs(), T0 + 80);
        assert_eq!(g.index_of(T0 + 79), Some(3));
        assert_eq!(g.index_of(T0 + 80), None);
        assert_eq!(g.index_of(T0 - 1), None);
        // `to` is inclusive: a point exactly at the end of an hour window has its bucket.
        assert_eq!(Grid::covering(T0, T0 + HOUR, 20).len, 181);
        // Datadog's recorded 1-day response: 288 buckets from 1641344100; covering adds the
        // partial bucket holding `from`.
        let g = Grid::covering(1_641_343_852, 1_641_430_252, 300);
        assert_eq!((g.start_secs, g.len), (1_641_343_800, 289));
        assert_eq!(Grid::covering(T0, T0 - 1, 20).len, 0);
        assert_eq!(Grid::covering(T0, T0 + 3, 0).interval_secs, 1);
        assert_eq!(Grid::covering(-25, -1, 10).start_secs, -30);
    }

    #[test]
    fn lines_move_between_grids_by_bucket_start() {
        let g = Grid::covering(T0, T0 + 59, 20);
        let line = Line::new(g, vec![Some(1.0), None, Some(f64::NAN)]);
        assert_eq!(render(&line), "1 _ _");
        let wider = Grid::covering(T0 - 20, T0 + 79, 20);
        assert_eq!(render(&line.on_grid(wider)), "_ 1 _ _ _");
        let coarser = Grid::covering(T0, T0 + 59, 60);
        assert_eq!(render(&line.on_grid(coarser)), "1");
        assert_eq!(line.value_at(T0 + 5), Some(1.0));
        assert_eq!(
            line.pointlist_ms(),
            [
                (T0 * 1000, Some(1.0)),
                ((T0 + 20) * 1000, None),
                ((T0 + 40) * 1000, None)
            ]
        );
        assert_eq!(Line::new(g, vec![Some(2.0)]).values.len(), 3);
        assert_eq!(render(&Line::constant(g, 2.5)), "2.5 2.5 2.5");
    }
}
