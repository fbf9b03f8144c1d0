//! Time aggregation: raw points of one series into one value per bucket, by rollup method and by
//! Datadog's metric types and `as_count()` / `as_rate()` modifiers (rules in the parent module).

use super::{Grid, Line};
use crate::model::MetricType;

/// How a bucket's points become one value: `.rollup(method)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RollupMethod {
    Avg,
    Sum,
    Min,
    Max,
    /// The number of points.
    Count,
}

/// `.as_count()` or `.as_rate()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeModifier {
    AsCount,
    AsRate,
}

/// Points `(ts_secs, value)` into buckets of `grid`, in any order. Points off the grid and
/// non-finite values are skipped; a bucket without points is `None`, for `Count` too.
pub fn rollup(points: &[(i64, f64)], grid: Grid, method: RollupMethod) -> Line {
    let buckets = accumulate(points, grid);
    let values = buckets.iter().map(|acc| acc.value(method)).collect();
    Line::new(grid, values)
}

/// Everything that decides how one series is aggregated in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeAggregation {
    /// The series' stored type.
    pub kind: MetricType,
    pub modifier: Option<TypeModifier>,
    /// The method of an explicit `.rollup(method)`; the type's default otherwise.
    pub method: Option<RollupMethod>,
    /// Seconds each stored point of a COUNT or RATE covers (the series' `interval_secs`).
    pub sample_interval_secs: Option<i64>,
}

impl TimeAggregation {
    /// The rollup method in effect: the explicit one, else the default of the type and modifier.
    pub fn method(&self) -> RollupMethod {
        self.method.unwrap_or(match (self.kind, self.modifier) {
            (MetricType::Gauge, _) => RollupMethod::Avg,
            (MetricType::Count, _) => RollupMethod::Sum,
            (MetricType::Rate, Some(TypeModifier::AsCount)) => RollupMethod::Sum,
            (MetricType::Rate, None | Some(TypeModifier::AsRate)) => RollupMethod::Avg,
        })
    }

    /// Whether the series is interpolated before space aggregation: gauges only.
    pub fn interpolates(&self) -> bool {
        self.kind == MetricType::Gauge
    }

    /// The series' points as a line on `grid`, per the table in the module documentation.
    pub fn apply(&self, points: &[(i64, f64)], grid: Grid) -> Line {
        let method = self.method();
        let bucket_secs = grid.interval_secs as f64;
        let sample_secs = self
            .sample_interval_secs
            .filter(|&s| s > 0)
            .map(|s| s as f64);
        let buckets = accumulate(points, grid);
        let values = buckets
            .iter()
            .map(|acc| {
                let value = acc.value(method)?;
                let factor = match (self.kind, self.modifier) {
                    (MetricType::Count, Some(TypeModifier::AsRate)) => {
                        1.0 / bucket_secs.max(sample_secs.unwrap_or(0.0))
                    }
                    // Without a known sample interval, the bucket's samples are taken to tile it.
                    (MetricType::Rate, Some(TypeModifier::AsCount)) => {
                        sample_secs.unwrap_or(bucket_secs / f64::from(acc.count))
                    }
                    _ => 1.0,
                };
                Some(value * factor)
            })
            .collect();
        Line::new(grid, values)
    }
}

/// The running aggregates of one bucket, for every method at once.
#[derive(Debug, Clone, Copy)]
struct Acc {
    sum: f64,
    count: u32,
    min: f64,
    max: f64,
}

impl Default for Acc {
    fn default() -> Acc {
        Acc {
            sum: 0.0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

impl Acc {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    fn value(&self, method: RollupMethod) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        Some(match method {
            RollupMethod::Avg => self.sum / f64::from(self.count),
            RollupMethod::Sum => self.sum,
            RollupMethod::Min => self.min,
            RollupMethod::Max => self.max,
            RollupMethod::Count => f64::from(self.count),
        })
    }
}

fn accumulate(points: &[(i64, f64)], grid: Grid) -> Vec<Acc> {
    let mut buckets = vec![Acc::default(); grid.len];
    for &(ts_secs, value) in points {
        if !value.is_finite() {
            continue;
        }
        if let Some(acc) = grid.index_of(ts_secs).and_then(|i| buckets.get_mut(i)) {
            acc.add(value);
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Rng, T0, render};
    use super::*;

    const HOUR: i64 = 3_600;

    fn check(line: &Line, expected: &str) {
        assert_eq!(render(line), expected);
    }

    fn hour_grid(len: usize) -> Grid {
        Grid {
            start_secs: T0,
            interval_secs: HOUR,
            len,
        }
    }

    /// `avg:my_metric{host:ubuntu}.rollup(sum, 3600)` over known points: the example.
    #[test]
    fn rollup_sum_over_an_hour_of_known_points() {
        let points = [
            (T0, 1.0),
            (T0 + 600, 2.0),
            (T0 + 3_599, 3.0),
            // Second hour: one point at its first second.
            (T0 + HOUR, 10.0),
            // Third hour empty; a point after the grid is ignored.
            (T0 + 3 * HOUR, 100.0),
            (T0 - 1, 100.0),
        ];
        let grid = hour_grid(3);
        check(&rollup(&points, grid, RollupMethod::Sum), "6 10 _");
        check(&rollup(&points, grid, RollupMethod::Avg), "2 10 _");
        check(&rollup(&points, grid, RollupMethod::Min), "1 10 _");
        check(&rollup(&points, grid, RollupMethod::Max), "3 10 _");
        check(&rollup(&points, grid, RollupMethod::Count), "3 1 _");
    }

    #[test]
    fn rollup_skips_non_finite_values_and_ignores_order() {
        let points = [
            (T0 + 20, 4.0),
            (T0, f64::NAN),
            (T0 + 10, 2.0),
            (T0 + 30, f64::INFINITY),
        ];
        check(&rollup(&points, hour_grid(1), RollupMethod::Avg), "3");
        check(&rollup(&points, hour_grid(1), RollupMethod::Count), "2");
        check(&rollup(&[], hour_grid(2), RollupMethod::Count), "_ _");
    }

    fn agg(kind: MetricType, modifier: Option<TypeModifier>, si: Option<i64>) -> TimeAggregation {
        TimeAggregation {
            kind,
            modifier,
            method: None,
            sample_interval_secs: si,
        }
    }

    /// Two 20 s buckets; the agent's rates and counts come every 10 s.
    fn two_buckets() -> Grid {
        Grid {
            start_secs: T0,
            interval_secs: 20,
            len: 2,
        }
    }

    #[test]
    fn as_count_on_a_rate_multiplies_by_the_interval() {
        // 0.5/s and 1.5/s for 10 s each: 5 + 15 = 20 events; then 2/s for 10 s: 20 events.
        let points = [(T0, 0.5), (T0 + 10, 1.5), (T0 + 20, 2.0)];
        let rate = MetricType::Rate;
        check(
            &agg(rate, Some(TypeModifier::AsCount), Some(10)).apply(&points, two_buckets()),
            "20 20",
        );
        // Without a known sample interval, the samples tile the bucket: mean rate × 20 s.
        check(
            &agg(rate, Some(TypeModifier::AsCount), None).apply(&points, two_buckets()),
            "20 40",
        );
        // One sample per bucket: exactly the docs' example, 0.05/s at 20 s is 1 event.
        let docs = [(T0, 0.05), (T0 + 20, 0.05)];
        check(
            &agg(rate, Some(TypeModifier::AsCount), Some(20)).apply(&docs, two_buckets()),
            "1 1",
        );
        // The rate itself, with or without as_rate: averaged per-second values.
        check(
            &agg(rate, None, Some(10)).apply(&points, two_buckets()),
            "1 2",
        );
        check(
            &agg(rate, Some(TypeModifier::AsRate), Some(10)).apply(&points, two_buckets()),
            "1 2",
        );
    }

    #[test]
    fn as_rate_on_a_count_divides_by_the_interval() {
        let count = MetricType::Count;
        // The docs' example: a count of 1 per 20 s bucket is 0.05 per second.
        let docs = [(T0, 1.0), (T0 + 20, 1.0)];
        check(
            &agg(count, Some(TypeModifier::AsRate), None).apply(&docs, two_buckets()),
            "0.05 0.05",
        );
        // Counts are summed in a bucket, by default and with as_count.
        let points = [(T0, 3.0), (T0 + 10, 5.0), (T0 + 20, 2.0)];
        check(
            &agg(count, None, Some(10)).apply(&points, two_buckets()),
            "8 2",
        );
        check(
            &agg(count, Some(TypeModifier::AsCount), Some(10)).apply(&points, two_buckets()),
            "8 2",
        );
        check(
            &agg(count, Some(TypeModifier::AsRate), Some(10)).apply(&points, two_buckets()),
            "0.4 0.1",
        );
        // Buckets finer than the samples: 5 events over 10 s is 0.5/s, not 5/s.
        let fine = Grid {
            start_secs: T0,
            interval_secs: 1,
            len: 3,
        };
        check(
            &agg(count, Some(TypeModifier::AsRate), Some(10)).apply(&[(T0, 5.0)], fine),
            "0.5 _ _",
        );
    }

    #[test]
    fn modifiers_do_not_change_gauges() {
        let points = [(T0, 1.0), (T0 + 10, 3.0)];
        for modifier in [
            None,
            Some(TypeModifier::AsCount),
            Some(TypeModifier::AsRate),
        ] {
            let a = agg(MetricType::Gauge, modifier, Some(10));
            check(&a.apply(&points, two_buckets()), "2 _");
            assert!(a.interpolates());
        }
        assert!(!agg(MetricType::Count, None, None).interpolates());
        assert!(!agg(MetricType::Rate, None, None).interpolates());
    }

    #[test]
    fn an_explicit_rollup_method_replaces_the_default() {
        let points = [(T0, 3.0), (T0 + 10, 5.0)];
        let mut a = agg(MetricType::Count, Some(TypeModifier::AsRate), None);
        a.method = Some(RollupMethod::Max);
        assert_eq!(a.method(), RollupMethod::Max);
        check(&a.apply(&points, two_buckets()), "0.25 _");
        let mut g = agg(MetricType::Gauge, None, None);
        assert_eq!(g.method(), RollupMethod::Avg);
        g.method = Some(RollupMethod::Sum);
        check(&g.apply(&points, two_buckets()), "8 _");
    }

    /// Property: `count` buckets add up to the number of finite points on the grid, and
    /// `min <= avg <= max` in every bucket.
    #[test]
    fn rollup_properties_hold_on_random_points() {
        let mut rng = Rng::new(7);
        for case in 0..200 {
            let interval_secs = [1, 10, 20, 60][rng.below(4) as usize];
            let len = rng.below(20) as usize;
            let grid = Grid {
                start_secs: T0,
                interval_secs,
                len,
            };
            let span = (len as i64 + 2) * interval_secs;
            let points: Vec<(i64, f64)> = (0..rng.below(50))
                .map(|_| {
                    let ts = T0 - interval_secs + rng.below(span as u64) as i64;
                    (ts, rng.noise(100.0))
                })
                .collect();
            let on_grid = points
                .iter()
                .filter(|(ts, _)| grid.index_of(*ts).is_some())
                .count();
            let counted: f64 = rollup(&points, grid, RollupMethod::Count)
                .values
                .iter()
                .flatten()
                .sum();
            assert_eq!(counted, on_grid as f64, "case {case}");
            let min = rollup(&points, grid, RollupMethod::Min);
            let avg = rollup(&points, grid, RollupMethod::Avg);
            let max = rollup(&points, grid, RollupMethod::Max);
            for i in 0..len {
                match (min.values[i], avg.values[i], max.values[i]) {
                    (Some(lo), Some(mid), Some(hi)) => {
                        assert!(lo <= mid + 1e-9 && mid <= hi + 1e-9, "case {case}")
                    }
                    (None, None, None) => {}
                    other => panic!("case {case}: {other:?}"),
                }
            }
        }
    }
}
