//! The arithmetic around a drawn graph: lines from a query answer, the value axis, and which bucket
//! the pointer is over.

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{QueryResponse, QuerySeries};

use crate::options::YAxis;

/// One series as drawn: its legend label, `[ts_ms, value|null]` points sorted by time, and for an
/// `anomalies()` series the band of expected values.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    /// Which of the comma-separated queries it answers (`QuerySeries::query_index`): its style.
    pub query_index: usize,
    pub points: Points,
    pub band: Option<Band>,
}

/// A line's `[ts_ms, value|null]` points, sorted by time: the query answer's own pointlist when it
/// came sorted (as answers do), shared rather than copied; a sorted copy otherwise. Copying a
/// 166,650-point series cost the cold draw about 3 ms (4 MB to allocate and move) for nothing.
#[derive(Clone)]
pub struct Points(Shared);

#[derive(Clone)]
enum Shared {
    /// `series[i].pointlist` of the answer.
    Answer(Arc<QueryResponse>, usize),
    Sorted(Arc<[(i64, Option<f64>)]>),
}

impl std::ops::Deref for Points {
    type Target = [(i64, Option<f64>)];

    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Shared::Answer(response, i) => &response.series[*i].pointlist,
            Shared::Sorted(points) => points,
        }
    }
}

impl From<Vec<(i64, Option<f64>)>> for Points {
    fn from(points: Vec<(i64, Option<f64>)>) -> Points {
        Points(Shared::Sorted(points.into()))
    }
}

impl PartialEq for Points {
    fn eq(&self, other: &Points) -> bool {
        let (a, b): (&[_], &[_]) = (self, other);
        std::ptr::eq(a, b) || a == b
    }
}

impl std::fmt::Debug for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        <[_] as std::fmt::Debug>::fmt(self, f)
    }
}

/// The expected range of an `anomalies()` series, one `(lower, upper)` per point of its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// `basic`, `agile` or `robust`.
    pub algorithm: String,
    pub bounds: f64,
    /// Aligned with [`Line::points`]; `None` where the band is unknown (not enough history yet).
    pub limits: Vec<Option<(f64, f64)>>,
}

impl Band {
    /// For the legend: "basic band, bounds 2".
    pub fn describe(&self) -> String {
        format!(
            "{} band, bounds {}",
            self.algorithm,
            crate::format::format_value(self.bounds)
        )
    }
}

/// The lines of a query answer. With one query, a series is labelled by its group's tags
/// (`host:ubuntu`), or by its expression when it is not grouped. With several comma-separated
/// queries, by its expression (which Datadog narrows to the group, `avg:m{host:a}`), so that lines of
/// different queries never share a label.
pub fn lines(response: &Arc<QueryResponse>) -> Vec<Line> {
    let several_queries = response
        .series
        .iter()
        .any(|s| s.query_index != response.series[0].query_index);
    response
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            // Answers come sorted; checking is cheaper than sorting a large series again.
            let points = if sorted_by_time(&s.pointlist) {
                Points(Shared::Answer(Arc::clone(response), i))
            } else {
                let mut points = s.pointlist.clone();
                dogwatch_core::sort::sort_by_key(&mut points, |(ts_ms, _)| *ts_ms);
                points.into()
            };
            let band = s.band.as_ref().map(|b| Band {
                algorithm: b.algorithm.clone(),
                bounds: b.bounds,
                limits: align_band(&points, &b.lower, &b.upper),
            });
            Line {
                label: label(s, several_queries),
                query_index: s.query_index,
                points,
                band,
            }
        })
        .collect()
}

/// One answer per request of a widget, merged into one for [`lines`]: each series keeps its
/// request's index, so that the requests' styles apply and their lines are told apart.
pub fn merge_answers(answers: &[QueryResponse]) -> Option<QueryResponse> {
    let mut out = answers.first()?.clone();
    out.series.clear();
    for (i, r) in answers.iter().enumerate() {
        out.series.extend(r.series.iter().cloned().map(|mut s| {
            s.query_index = i;
            s
        }));
    }
    Some(out)
}

/// Whether `points` are in time order, a chunk at a time: see [`crate::decimate::CHUNK`] on why a
/// long loop in one wasm call may stay in baseline code.
fn sorted_by_time(points: &[(i64, Option<f64>)]) -> bool {
    #[inline(never)]
    fn sorted(points: &[(i64, Option<f64>)]) -> bool {
        points.windows(2).all(|w| w[0].0 <= w[1].0)
    }
    let chunk = crate::decimate::CHUNK;
    (chunk..points.len())
        .step_by(chunk)
        .all(|i| points[i - 1].0 <= points[i].0)
        && points.chunks(chunk).all(sorted)
}

fn label(s: &QuerySeries, several_queries: bool) -> String {
    let name = [&s.expression, &s.display_name, &s.metric]
        .into_iter()
        .find(|n| !n.is_empty())
        .cloned()
        .unwrap_or_default();
    if s.tag_set.is_empty() {
        return name;
    }
    let tags = s.tag_set.join(", ");
    if !several_queries {
        tags
    } else if s.tag_set.iter().all(|t| name.contains(t.as_str())) {
        name
    } else {
        format!("{name} ({tags})")
    }
}

/// The band's `(lower, upper)` at each point's timestamp. The API aligns them with the pointlist; this
/// matches by timestamp anyway, so a band in another order or with gaps still lands on the right points.
fn align_band(
    points: &[(i64, Option<f64>)],
    lower: &[(i64, Option<f64>)],
    upper: &[(i64, Option<f64>)],
) -> Vec<Option<(f64, f64)>> {
    let sorted = |v: &[(i64, Option<f64>)]| {
        let mut v = v.to_vec();
        dogwatch_core::sort::sort_by_key(&mut v, |(ts, _)| *ts);
        v
    };
    let (lower, upper) = (sorted(lower), sorted(upper));
    let at = |v: &[(i64, Option<f64>)], ts: i64| {
        v.binary_search_by_key(&ts, |(t, _)| *t)
            .ok()
            .and_then(|i| v[i].1)
            .filter(|x| x.is_finite())
    };
    points
        .iter()
        .map(|&(ts, _)| {
            let (lo, hi) = (at(&lower, ts)?, at(&upper, ts)?);
            Some((lo.min(hi), lo.max(hi)))
        })
        .collect()
}

/// The points of `line` outside its band: `(ts_ms, value)`, in time order. Empty without a band.
pub fn anomalies(line: &Line) -> Vec<(i64, f64)> {
    let Some(band) = &line.band else {
        return Vec::new();
    };
    line.points
        .iter()
        .zip(&band.limits)
        .filter_map(|(&(ts, value), limits)| {
            let (value, (lo, hi)) = (value?, (*limits)?);
            (value.is_finite() && (value < lo || value > hi)).then_some((ts, value))
        })
        .collect()
}

/// The runs of consecutive points where the band is known, as `(ts_ms, lower, upper)`: one filled
/// area each (a gap in the band is a gap in the area, not a bridge).
pub fn band_runs(line: &Line) -> Vec<Vec<(i64, f64, f64)>> {
    let Some(band) = &line.band else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    let mut run = Vec::new();
    for (&(ts, _), limits) in line.points.iter().zip(&band.limits) {
        match limits {
            Some((lo, hi)) => run.push((ts, *lo, *hi)),
            None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

#[cfg(test)]
/// The value axis: the data's extent (bands included) with a little room above and below, never inverted or empty.
/// Values that are all non-negative keep the axis at or above zero.
pub fn y_bounds<'a>(lines: impl IntoIterator<Item = &'a Line>) -> (f64, f64) {
    let (min, max) = extent(lines, |v| v.is_finite());
    bounds_of_extent(min, max)
}

/// [`y_bounds`] from the extent of the finite values.
fn bounds_of_extent(min: f64, max: f64) -> (f64, f64) {
    if min > max {
        return (0.0, 1.0);
    }
    if min == max {
        let pad = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        let low = if min >= 0.0 {
            (min - pad).max(0.0)
        } else {
            min - pad
        };
        return (low, max + pad);
    }
    let pad = (max - min) * 0.08;
    let low = if min >= 0.0 {
        (min - pad).max(0.0)
    } else {
        min - pad
    };
    (low, max + pad)
}

/// Where the plotting area sits inside the canvas, in CSS pixels, and the window it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotBox {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub range: TimeRange,
}

impl PlotBox {
    /// The time under x, or `None` when x is outside the plotting area.
    pub fn time_at(&self, x: f64) -> Option<i64> {
        if !(self.left..=self.right).contains(&x) || self.right <= self.left {
            return None;
        }
        let fraction = (x - self.left) / (self.right - self.left);
        Some(self.range.from_ms + (fraction * self.range.duration_ms() as f64).round() as i64)
    }

    /// The x of a time (may fall outside the plotting area).
    pub fn x_of(&self, ts_ms: i64) -> f64 {
        let duration = self.range.duration_ms().max(1) as f64;
        self.left + (ts_ms - self.range.from_ms) as f64 / duration * (self.right - self.left)
    }
}

/// Drags shorter than this (CSS pixels) are clicks, not a window to zoom into.
pub const MIN_DRAG_PX: f64 = 5.0;

/// The window selected by dragging from `x0` to `x1` (either way), each end kept inside the plot; `None`
/// for a drag under [`MIN_DRAG_PX`] once clamped.
pub fn selected_range(plot: &PlotBox, x0: f64, x1: f64) -> Option<TimeRange> {
    let clamp = |x: f64| x.clamp(plot.left, plot.right);
    let (a, b) = (clamp(x0.min(x1)), clamp(x0.max(x1)));
    if b - a < MIN_DRAG_PX {
        return None;
    }
    Some(TimeRange {
        from_ms: plot.time_at(a)?,
        to_ms: plot.time_at(b)?,
    })
}

/// The bucket under the pointer: its time, its x, and each line's value there.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub ts_ms: i64,
    pub x: f64,
    /// In line order; `None` where that line has no value in this bucket.
    pub values: Vec<Option<f64>>,
    /// In line order: the band's `(lower, upper)` in this bucket, for lines that have one.
    pub bands: Vec<Option<(f64, f64)>>,
}

/// The bucket with a value nearest to pointer position `x`, if the pointer is over the plot.
/// A binary search per line: the pointer moves often and a line may hold hundreds of thousands of
/// points.
pub fn hover_at<'a>(
    plot: &PlotBox,
    lines: impl IntoIterator<Item = &'a Line> + Clone,
    x: f64,
) -> Option<Hover> {
    let target_ms = plot.time_at(x)?;
    let ts_ms = lines
        .clone()
        .into_iter()
        .filter_map(|l| nearest_valued(&l.points, target_ms, plot.range))
        .min_by_key(|ts| (ts - target_ms).unsigned_abs())?;
    let index = |l: &Line| l.points.binary_search_by_key(&ts_ms, |(ts, _)| *ts).ok();
    let values = lines
        .clone()
        .into_iter()
        .map(|l| index(l).and_then(|i| l.points[i].1))
        .collect();
    let bands = lines
        .into_iter()
        .map(|l| {
            let band = l.band.as_ref()?;
            index(l).and_then(|i| band.limits.get(i).copied().flatten())
        })
        .collect();
    Some(Hover {
        ts_ms,
        x: plot.x_of(ts_ms),
        values,
        bands,
    })
}

/// The time of the point with a value nearest to `target_ms` inside `range` (the earlier one on a
/// tie), searching outwards from where `target_ms` would sit.
fn nearest_valued(points: &[(i64, Option<f64>)], target_ms: i64, range: TimeRange) -> Option<i64> {
    let at = points.partition_point(|(ts, _)| *ts < target_ms);
    let after = points[at..]
        .iter()
        .take_while(|(ts, _)| *ts <= range.to_ms)
        .find(|(ts, v)| v.is_some() && *ts >= range.from_ms)
        .map(|(ts, _)| *ts);
    let before = points[..at]
        .iter()
        .rev()
        .take_while(|(ts, _)| *ts >= range.from_ms)
        .find(|(ts, v)| v.is_some() && *ts <= range.to_ms)
        .map(|(ts, _)| *ts);
    match (before, after) {
        (Some(b), Some(a)) if (a - target_ms) < (target_ms - b) => Some(a),
        (Some(b), _) => Some(b),
        (None, a) => a,
    }
}

#[cfg(test)]
/// The lowest and highest of the lines' values and band limits that `keep` accepts; `(inf, -inf)`
/// when there is none.
fn extent<'a>(lines: impl IntoIterator<Item = &'a Line>, keep: impl Fn(f64) -> bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut add = |v: f64| {
        if keep(v) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    for line in lines {
        line.points
            .iter()
            .filter_map(|(_, v)| *v)
            .for_each(&mut add);
        if let Some(band) = &line.band {
            band.limits.iter().flatten().for_each(|&(l, h)| {
                add(l);
                add(h);
            });
        }
    }
    (lo, hi)
}

#[cfg(test)]
/// The value axis in axis units for `y`: values on a linear axis, log10 of values on a log axis.
/// Starts from the data's extent (as [`y_bounds`]), then takes the user's min and max where set. On a
/// log axis only positive values count: zero and negatives have no logarithm and are not drawn.
pub fn value_axis<'a>(lines: impl IntoIterator<Item = &'a Line>, y: &YAxis) -> (f64, f64) {
    let (min, max) = if y.log {
        extent(lines, |v| v.is_finite() && v > 0.0)
    } else {
        extent(lines, f64::is_finite)
    };
    axis_from_extent(min, max, y)
}

/// [`value_axis`] from the extent of the values it counts, `(inf, -inf)` when there are none: the
/// lowest and highest finite value on a linear axis, the lowest and highest positive one on a log
/// axis. The draw learns it from the decimated lines, which keep every column's extremes, rather
/// than by walking every point once more.
pub fn axis_from_extent(min: f64, max: f64, y: &YAxis) -> (f64, f64) {
    let (mut lo, mut hi) = if y.log {
        if min > max {
            (0.0, 1.0)
        } else {
            let (lo, hi) = (min.log10(), max.log10());
            let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
            (lo - pad, hi + pad)
        }
    } else {
        bounds_of_extent(min, max)
    };
    let to_axis = |v: f64| if y.log { v.log10() } else { v };
    if let Some(min) = y.min.filter(|v| v.is_finite() && (!y.log || *v > 0.0)) {
        lo = to_axis(min);
    }
    if let Some(max) = y.max.filter(|v| v.is_finite() && (!y.log || *v > 0.0)) {
        hi = to_axis(max);
    }
    if lo >= hi {
        // A min above the max (or equal): keep the min and give the axis some height.
        hi = lo + 1.0;
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: &[(i64, Option<f64>)]) -> Line {
        Line {
            label: "l".into(),
            query_index: 0,
            points: points.to_vec().into(),
            band: None,
        }
    }

    #[test]
    fn value_axis_has_room_and_respects_zero() {
        assert_eq!(y_bounds(&[]), (0.0, 1.0));
        assert_eq!(y_bounds(&[line(&[(0, None)])]), (0.0, 1.0));
        assert_eq!(y_bounds(&[line(&[(0, Some(0.0))])]), (0.0, 1.0));
        assert_eq!(y_bounds(&[line(&[(0, Some(50.0))])]), (45.0, 55.0));
        let (lo, hi) = y_bounds(&[line(&[(0, Some(10.0)), (1, Some(1000.0))])]);
        assert_eq!(lo, 0.0);
        assert!(hi > 1000.0 && hi < 1100.0);
        let (lo, hi) = y_bounds(&[line(&[(0, Some(-5.0))]), line(&[(0, Some(5.0))])]);
        assert!(lo < -5.0 && hi > 5.0);
    }

    #[test]
    fn a_drag_selects_the_window_between_its_ends() {
        let plot = PlotBox {
            left: 50.0,
            right: 150.0,
            top: 0.0,
            bottom: 100.0,
            range: TimeRange {
                from_ms: 0,
                to_ms: 100_000,
            },
        };
        let window = |from_ms, to_ms| Some(TimeRange { from_ms, to_ms });
        assert_eq!(selected_range(&plot, 60.0, 80.0), window(10_000, 30_000));
        assert_eq!(selected_range(&plot, 80.0, 60.0), window(10_000, 30_000));
        // Ends past the plot stop at its edges.
        assert_eq!(selected_range(&plot, 0.0, 500.0), window(0, 100_000));
        // 4 px is a click; so is a drag entirely left of the plot.
        assert_eq!(selected_range(&plot, 60.0, 64.0), None);
        assert_eq!(selected_range(&plot, 0.0, 40.0), None);
    }

    #[test]
    fn the_value_axis_takes_the_users_limits_and_log_scale() {
        let l = line(&[(0, Some(-10.0)), (1, Some(10.0)), (2, Some(1000.0))]);
        let auto = value_axis([&l], &YAxis::default());
        assert_eq!(auto, y_bounds([&l]));
        let clamped = YAxis {
            min: Some(0.0),
            max: Some(100.0),
            log: false,
        };
        assert_eq!(value_axis([&l], &clamped), (0.0, 100.0));
        // Log: -10 has no logarithm and is left out; 10..1000 is 1..3, padded by 5 %.
        let log = YAxis {
            log: true,
            ..YAxis::default()
        };
        let (lo, hi) = value_axis([&l], &log);
        assert!(
            (lo - 0.9).abs() < 1e-9 && (hi - 3.1).abs() < 1e-9,
            "{lo}..{hi}"
        );
        // A min of 0 means nothing on a log axis; a max of 100 is 2.
        let log_max = YAxis {
            min: Some(0.0),
            max: Some(100.0),
            log: true,
        };
        let (lo, hi) = value_axis([&l], &log_max);
        assert!((lo - 0.9).abs() < 1e-9 && hi == 2.0, "{lo}..{hi}");
        // Nothing positive on a log axis: 1..10. A min above the max still gives a usable axis.
        assert_eq!(value_axis([&line(&[(0, Some(-1.0))])], &log), (0.0, 1.0));
        let inverted = YAxis {
            min: Some(50.0),
            max: Some(5.0),
            log: false,
        };
        assert_eq!(value_axis([&l], &inverted), (50.0, 51.0));
    }

    #[test]
    fn hover_finds_the_nearest_bucket_with_data() {
        let plot = PlotBox {
            left: 50.0,
            right: 150.0,
            top: 0.0,
            bottom: 100.0,
            range: TimeRange {
                from_ms: 0,
                to_ms: 100_000,
            },
        };
        let a = line(&[(10_000, Some(1.0)), (20_000, None), (60_000, Some(3.0))]);
        let b = line(&[(10_000, Some(7.0)), (30_000, Some(8.0))]);
        // x = 72 is 22 s in: the nearest bucket with a value is 20 s? No: a has null there; b's 30 s is
        // 8 s away and a's 10 s is 12 s away.
        let h = hover_at(&plot, &[a.clone(), b.clone()], 72.0);
        assert_eq!(
            h,
            Some(Hover {
                ts_ms: 30_000,
                x: 80.0,
                values: vec![None, Some(8.0)],
                bands: vec![None, None],
            })
        );
        let h = hover_at(&plot, &[a.clone(), b.clone()], 51.0);
        assert_eq!(h.map(|h| h.values), Some(vec![Some(1.0), Some(7.0)]));
        assert_eq!(
            hover_at(&plot, &[a.clone(), b], 20.0),
            None,
            "left of the plot"
        );
        assert_eq!(
            hover_at(&plot, &[line(&[(10_000, None)])], 60.0),
            None,
            "nothing to show"
        );
        assert_eq!(plot.time_at(100.0), Some(50_000));
    }

    fn series(query_index: usize, expression: &str, tags: &[&str]) -> QuerySeries {
        QuerySeries {
            metric: "m".into(),
            display_name: "m".into(),
            expression: expression.into(),
            scope: "*".into(),
            tag_set: tags.iter().map(|t| (*t).to_owned()).collect(),
            aggr: Some("avg".into()),
            interval: 10,
            length: 2,
            query_index,
            start: 0,
            end: 10_000,
            pointlist: vec![(10_000, Some(2.0)), (0, Some(1.0))],
            attributes: Default::default(),
            unit: None,
            band: None,
        }
    }

    fn response(series: Vec<QuerySeries>) -> QueryResponse {
        QueryResponse {
            status: "ok".into(),
            res_type: "time_series".into(),
            resp_version: 1,
            query: String::new(),
            from_date: 0,
            to_date: 0,
            group_by: vec![],
            message: String::new(),
            series,
            times: vec![],
            values: vec![],
        }
    }

    fn labels(series: Vec<QuerySeries>) -> Vec<String> {
        lines(&Arc::new(response(series)))
            .into_iter()
            .map(|l| l.label)
            .collect()
    }

    #[test]
    fn labels_tell_groups_and_queries_apart() {
        // One query: groups by their tags, an ungrouped line by its expression.
        assert_eq!(
            labels(vec![
                series(0, "avg:m{host:a}", &["host:a"]),
                series(0, "avg:m{host:b}", &["host:b"]),
            ]),
            ["host:a", "host:b"]
        );
        assert_eq!(
            labels(vec![series(0, "avg:m{*}.rollup(sum, 3600)", &[])]),
            ["avg:m{*}.rollup(sum, 3600)"]
        );
        // Two queries: expressions, with the tags when the expression does not already say them.
        assert_eq!(
            labels(vec![
                series(0, "avg:my_metric{host:ubuntu}", &[]),
                series(1, "sum:postgresql.rows_returned{host:x}", &[]),
            ]),
            [
                "avg:my_metric{host:ubuntu}",
                "sum:postgresql.rows_returned{host:x}"
            ]
        );
        assert_eq!(
            labels(vec![
                series(0, "avg:m{host:a}", &["host:a"]),
                series(1, "top(avg:m{*} by {host}, 5)", &["host:b"]),
            ]),
            ["avg:m{host:a}", "top(avg:m{*} by {host}, 5) (host:b)"]
        );
        let mut bare = series(0, "", &[]);
        bare.display_name = String::new();
        assert_eq!(labels(vec![bare]), ["m"]);
    }

    #[test]
    fn a_band_is_aligned_by_time_and_flags_points_outside_it() {
        let mut s = series(0, "anomalies(avg:m{*}, 'basic', 2)", &[]);
        s.pointlist = vec![
            (0, Some(5.0)),
            (10, Some(50.0)),
            (20, None),
            (30, Some(-9.0)),
            (40, Some(6.0)),
        ];
        s.band = Some(dogwatch_core::wire::Band {
            algorithm: "basic".into(),
            bounds: 2.0,
            // Out of order, one missing timestamp, one unknown value, one inverted pair.
            upper: vec![(10, Some(8.0)), (0, Some(8.0)), (30, Some(8.0)), (40, None)],
            lower: vec![
                (0, Some(2.0)),
                (10, Some(2.0)),
                (30, Some(2.0)),
                (40, Some(1.0)),
            ],
        });
        let line = &lines(&Arc::new(response(vec![s])))[0];
        let band = line.band.as_ref().expect("a band");
        assert_eq!(
            band.limits,
            vec![
                Some((2.0, 8.0)),
                Some((2.0, 8.0)),
                None,
                Some((2.0, 8.0)),
                None
            ]
        );
        assert_eq!(band.describe(), "basic band, bounds 2");
        assert_eq!(anomalies(line), vec![(10, 50.0), (30, -9.0)]);
        assert_eq!(
            band_runs(line),
            vec![vec![(0, 2.0, 8.0), (10, 2.0, 8.0)], vec![(30, 2.0, 8.0)]]
        );
        // The axis makes room for the band as well as the line.
        let only_band = Line {
            label: "b".into(),
            query_index: 0,
            points: vec![(0, Some(5.0))].into(),
            band: Some(Band {
                algorithm: "basic".into(),
                bounds: 2.0,
                limits: vec![Some((-100.0, 100.0))],
            }),
        };
        let (lo, hi) = y_bounds(std::slice::from_ref(&only_band));
        assert!(lo < -100.0 && hi > 100.0, "{lo}..{hi}");
        assert!(anomalies(&line_without_band()).is_empty());
        // The tooltip reads the band at the hovered bucket.
        let plot = PlotBox {
            left: 0.0,
            right: 100.0,
            top: 0.0,
            bottom: 100.0,
            range: TimeRange {
                from_ms: 0,
                to_ms: 100,
            },
        };
        let h = hover_at(&plot, &[line.clone(), line_without_band()], 11.0).expect("a bucket");
        assert_eq!((h.ts_ms, h.bands), (10, vec![Some((2.0, 8.0)), None]));
    }

    fn line_without_band() -> Line {
        line(&[(10, Some(1.0))])
    }
}
