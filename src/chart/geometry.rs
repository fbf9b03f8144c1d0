//! The arithmetic around a drawn graph: lines from a query answer, the value axis, and which bucket
//! the pointer is over.

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::QueryResponse;

/// One series as drawn: its legend label and `[ts_ms, value|null]` points sorted by time.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<(i64, Option<f64>)>,
}

/// The lines of a query answer. A series is labelled by its group's tags (`host:ubuntu`), or by the
/// metric name when it is not grouped.
pub fn lines(response: &QueryResponse) -> Vec<Line> {
    response
        .series
        .iter()
        .map(|s| {
            let label = if s.tag_set.is_empty() {
                if s.metric.is_empty() {
                    s.display_name.clone()
                } else {
                    s.metric.clone()
                }
            } else {
                s.tag_set.join(", ")
            };
            let mut points = s.pointlist.clone();
            points.sort_by_key(|(ts_ms, _)| *ts_ms);
            Line { label, points }
        })
        .collect()
}

/// The value axis: the data's extent with a little room above and below, never inverted or empty.
/// Values that are all non-negative keep the axis at or above zero.
pub fn y_bounds(lines: &[Line]) -> (f64, f64) {
    let values = lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .filter(|v| v.is_finite());
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
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

/// The bucket under the pointer: its time, its x, and each line's value there.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub ts_ms: i64,
    pub x: f64,
    /// In line order; `None` where that line has no value in this bucket.
    pub values: Vec<Option<f64>>,
}

/// The bucket with a value nearest to pointer position `x`, if the pointer is over the plot.
pub fn hover_at(plot: &PlotBox, lines: &[Line], x: f64) -> Option<Hover> {
    let target_ms = plot.time_at(x)?;
    let ts_ms = lines
        .iter()
        .flat_map(|l| l.points.iter())
        .filter(|(ts, v)| v.is_some() && plot.range.from_ms <= *ts && *ts <= plot.range.to_ms)
        .map(|(ts, _)| *ts)
        .min_by_key(|ts| (ts - target_ms).unsigned_abs())?;
    let values = lines
        .iter()
        .map(|l| {
            l.points
                .binary_search_by_key(&ts_ms, |(ts, _)| *ts)
                .ok()
                .and_then(|i| l.points[i].1)
        })
        .collect();
    Some(Hover {
        ts_ms,
        x: plot.x_of(ts_ms),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(points: &[(i64, Option<f64>)]) -> Line {
        Line {
            label: "l".into(),
            points: points.to_vec(),
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
                values: vec![None, Some(8.0)]
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
}
