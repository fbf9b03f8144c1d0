//! Interpolation (`.fill()`) and the alignment of several series for space aggregation (rules in
//! the parent module).

use super::{Grid, Line};
use crate::model::MetricType;

/// The method of `.fill(method, limit)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FillMode {
    /// No interpolation.
    Null,
    Zero,
    Linear,
    /// The value before the gap.
    Last,
}

/// A `.fill(mode, limit_secs)`: gaps of at most `limit_secs` are filled with `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fill {
    pub mode: FillMode,
    pub limit_secs: i64,
}

impl Fill {
    /// Datadog's default limit, also the gauge interpolation limit.
    pub const DEFAULT_LIMIT_SECS: i64 = 300;
    /// Datadog's largest limit.
    pub const MAX_LIMIT_SECS: i64 = 600;

    /// A fill with the limit clamped to `0..=600`, 300 s when not given.
    pub fn new(mode: FillMode, limit_secs: Option<i64>) -> Fill {
        Fill {
            mode,
            limit_secs: limit_secs
                .unwrap_or(Fill::DEFAULT_LIMIT_SECS)
                .clamp(0, Fill::MAX_LIMIT_SECS),
        }
    }
}

/// Fills the gaps of `line` (runs of empty buckets with a value on both sides) that span at most
/// `fill.limit_secs` (empty buckets × interval). The edges are never filled.
pub fn fill(line: &Line, fill: Fill) -> Line {
    let mut values = line.values.clone();
    let interval_secs = line.grid.interval_secs.max(1);
    let mut previous: Option<(usize, f64)> = None;
    for i in 0..line.values.len() {
        let Some(v) = line.values[i] else { continue };
        if let Some((p, pv)) = previous {
            let empty = (i - p - 1) as i64;
            if empty > 0 && empty.saturating_mul(interval_secs) <= fill.limit_secs {
                for (j, slot) in values.iter_mut().enumerate().take(i).skip(p + 1) {
                    let fraction = (j - p) as f64 / (i - p) as f64;
                    *slot = gap_value(fill.mode, pv, v, fraction);
                }
            }
        }
        previous = Some((i, v));
    }
    Line::new(line.grid, values)
}

/// The value a fill puts `fraction` of the way from a gap's left side `left` to its right side
/// `right`; `None` for `fill(null)`, which fills nothing.
fn gap_value(mode: FillMode, left: f64, right: f64, fraction: f64) -> Option<f64> {
    match mode {
        FillMode::Null => None,
        FillMode::Zero => Some(0.0),
        FillMode::Last => Some(left),
        FillMode::Linear => Some(left + (right - left) * fraction),
    }
}

/// How the series of a group are lined up before they are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    /// Each bucket combines the series that have a value in it (`fill(null)`).
    AsIs,
    /// Gauges by default: linear across gaps of up to 300 s for the computation; only buckets
    /// where some series has a real value are emitted.
    Interpolate,
    /// Counts and rates: in an emitted bucket, a series without a value counts as 0.
    Zero,
    /// An explicit `.fill()`: series are filled and the filled values are emitted.
    Fill(Fill),
}

impl Align {
    /// The alignment of a series of this type, given the query's `.fill()` if any.
    pub fn for_series(kind: MetricType, fill: Option<Fill>) -> Align {
        match (fill, kind) {
            (Some(f), _) if f.mode == FillMode::Null => Align::AsIs,
            (Some(f), _) => Align::Fill(f),
            (None, MetricType::Gauge) => Align::Interpolate,
            (None, MetricType::Count | MetricType::Rate) => Align::Zero,
        }
    }
}

/// The space aggregator: how the series of a group combine in a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpaceAgg {
    Avg,
    Sum,
    Min,
    Max,
}

/// Combines `lines` (moved onto `grid` by bucket start) into one line, bucket by bucket, over the
/// values present after alignment.
pub fn space_aggregate(grid: Grid, lines: &[Line], agg: SpaceAgg, align: Align) -> Line {
    let on_grid: Vec<Line> = lines.iter().map(|l| l.on_grid(grid)).collect();
    let has_real = |i: usize| on_grid.iter().any(|l| l.values[i].is_some());
    let aligned: Vec<Line> = match align {
        Align::AsIs | Align::Zero => on_grid.clone(),
        Align::Interpolate => on_grid
            .iter()
            .map(|l| fill(l, Fill::new(FillMode::Linear, None)))
            .collect(),
        Align::Fill(f) => on_grid.iter().map(|l| fill(l, f)).collect(),
    };
    let values = (0..grid.len)
        .map(|i| {
            let emitted = match align {
                Align::Interpolate | Align::Zero => has_real(i),
                Align::AsIs | Align::Fill(_) => true,
            };
            if !emitted {
                return None;
            }
            let present = aligned.iter().filter_map(|l| match align {
                Align::Zero => Some(l.values[i].unwrap_or(0.0)),
                _ => l.values[i],
            });
            combine(present, agg)
        })
        .collect();
    Line::new(grid, values)
}

fn combine(values: impl Iterator<Item = f64>, agg: SpaceAgg) -> Option<f64> {
    let mut count = 0u32;
    let mut acc = match agg {
        SpaceAgg::Avg | SpaceAgg::Sum => 0.0,
        SpaceAgg::Min => f64::INFINITY,
        SpaceAgg::Max => f64::NEG_INFINITY,
    };
    for v in values {
        count += 1;
        acc = match agg {
            SpaceAgg::Avg | SpaceAgg::Sum => acc + v,
            SpaceAgg::Min => acc.min(v),
            SpaceAgg::Max => acc.max(v),
        };
    }
    match (count, agg) {
        (0, _) => None,
        (n, SpaceAgg::Avg) => Some(acc / f64::from(n)),
        _ => Some(acc),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Rng, T0, render};
    use super::*;

    fn grid(interval_secs: i64, len: usize) -> Grid {
        Grid {
            start_secs: T0,
            interval_secs,
            len,
        }
    }

    /// A line on a 60 s grid written as `"1 _ 3"`.
    fn line(text: &str) -> Line {
        line_every(60, text)
    }

    fn line_every(interval_secs: i64, text: &str) -> Line {
        let values: Vec<Option<f64>> = text
            .split_whitespace()
            .map(|t| t.parse::<f64>().ok())
            .collect();
        Line::new(grid(interval_secs, values.len()), values)
    }

    fn check(line: &Line, expected: &str) {
        assert_eq!(render(line), expected);
    }

    #[test]
    fn fill_modes_fill_interior_gaps_only() {
        let l = line("_ 1 _ _ 4 _");
        check(&fill(&l, Fill::new(FillMode::Linear, None)), "_ 1 2 3 4 _");
        check(&fill(&l, Fill::new(FillMode::Last, None)), "_ 1 1 1 4 _");
        check(&fill(&l, Fill::new(FillMode::Zero, None)), "_ 1 0 0 4 _");
        check(&fill(&l, Fill::new(FillMode::Null, None)), "_ 1 _ _ 4 _");
    }

    #[test]
    fn the_limit_is_the_length_of_the_gap() {
        // Two empty 60 s buckets are a 120 s gap.
        let l = line("1 _ _ 4 _ _ _ _ _ _ 5");
        check(
            &fill(&l, Fill::new(FillMode::Linear, Some(120))),
            "1 2 3 4 _ _ _ _ _ _ 5",
        );
        check(
            &fill(&l, Fill::new(FillMode::Linear, Some(119))),
            "1 _ _ 4 _ _ _ _ _ _ 5",
        );
        // Six empty buckets (360 s) are over the default 300 s and under the largest 600 s.
        check(
            &fill(&l, Fill::new(FillMode::Last, None)),
            "1 1 1 4 _ _ _ _ _ _ 5",
        );
        check(
            &fill(&l, Fill::new(FillMode::Last, Some(10_000))),
            "1 1 1 4 4 4 4 4 4 4 5",
        );
        // One missing bucket of a day-long graph (300 s) is within the default limit.
        check(
            &fill(&line_every(300, "2 _ 4"), Fill::new(FillMode::Linear, None)),
            "2 3 4",
        );
        assert_eq!(Fill::new(FillMode::Zero, Some(-5)).limit_secs, 0);
        assert_eq!(Fill::new(FillMode::Zero, Some(900)).limit_secs, 600);
        assert_eq!(Fill::new(FillMode::Zero, None).limit_secs, 300);
    }

    #[test]
    fn space_aggregation_over_the_values_present() {
        let lines = [line("1 2 _ _"), line("3 _ 5 _"), line("5 8 _ _")];
        let g = lines[0].grid;
        let as_is = |agg| render(&space_aggregate(g, &lines, agg, Align::AsIs));
        assert_eq!(as_is(SpaceAgg::Avg), "3 5 5 _");
        assert_eq!(as_is(SpaceAgg::Sum), "9 10 5 _");
        assert_eq!(as_is(SpaceAgg::Min), "1 2 5 _");
        assert_eq!(as_is(SpaceAgg::Max), "5 8 5 _");
        check(
            &space_aggregate(g, &[], SpaceAgg::Sum, Align::AsIs),
            "_ _ _ _",
        );
    }

    /// Host b misses one bucket: without interpolation the average jumps to host a's value alone;
    /// with the gauge rule it uses b's interpolated value there.
    #[test]
    fn gauge_interpolation_keeps_an_average_from_jumping() {
        let a = line("10 10 10 10 _");
        let b = line("20 22 _ 26 _");
        let g = a.grid;
        check(
            &space_aggregate(g, &[a.clone(), b.clone()], SpaceAgg::Avg, Align::AsIs),
            "15 16 10 18 _",
        );
        check(
            &space_aggregate(
                g,
                &[a.clone(), b.clone()],
                SpaceAgg::Avg,
                Align::Interpolate,
            ),
            "15 16 17 18 _",
        );
        // Only buckets where some series has a real value are emitted: nothing is invented
        // between two buckets where every series is silent.
        let c = line("1 _ 3");
        let d = line("5 _ 7");
        check(
            &space_aggregate(
                c.grid,
                &[c.clone(), d.clone()],
                SpaceAgg::Sum,
                Align::Interpolate,
            ),
            "6 _ 10",
        );
        // An explicit fill emits what it fills.
        check(
            &space_aggregate(
                c.grid,
                &[c, d],
                SpaceAgg::Sum,
                Align::Fill(Fill::new(FillMode::Linear, None)),
            ),
            "6 8 10",
        );
        // Gaps over 300 s are not bridged: b is away for 6 minutes.
        let a = line("10 10 10 10 10 10 10 10");
        let b = line("20 _ _ _ _ _ _ 20");
        check(
            &space_aggregate(a.grid, &[a, b], SpaceAgg::Avg, Align::Interpolate),
            "15 10 10 10 10 10 10 15",
        );
    }

    #[test]
    fn counts_align_as_zero() {
        let a = line("4 4 _");
        let b = line("2 _ _");
        check(
            &space_aggregate(a.grid, &[a.clone(), b.clone()], SpaceAgg::Avg, Align::Zero),
            "3 2 _",
        );
        check(
            &space_aggregate(a.grid, &[a, b], SpaceAgg::Min, Align::Zero),
            "2 0 _",
        );
    }

    #[test]
    fn the_alignment_follows_the_type_unless_a_fill_is_given() {
        let linear = Fill::new(FillMode::Linear, None);
        let null = Fill::new(FillMode::Null, None);
        assert_eq!(
            Align::for_series(MetricType::Gauge, None),
            Align::Interpolate
        );
        assert_eq!(Align::for_series(MetricType::Count, None), Align::Zero);
        assert_eq!(Align::for_series(MetricType::Rate, None), Align::Zero);
        assert_eq!(
            Align::for_series(MetricType::Count, Some(linear)),
            Align::Fill(linear)
        );
        assert_eq!(
            Align::for_series(MetricType::Gauge, Some(null)),
            Align::AsIs
        );
    }

    #[test]
    fn lines_on_another_grid_meet_by_bucket_start() {
        let a = line("1 1 1");
        let mut b = line("2 2 2");
        b.grid.start_secs = T0 + 60;
        check(
            &space_aggregate(a.grid, &[a, b], SpaceAgg::Sum, Align::AsIs),
            "1 3 3",
        );
    }

    /// Property: filling never changes a real value, linear fills stay between the gap's sides,
    /// and space aggregates lie between the smallest and largest aligned value.
    #[test]
    fn fill_and_aggregate_properties_hold_on_random_lines() {
        let mut rng = Rng::new(11);
        for case in 0..300 {
            let len = 1 + rng.below(30) as usize;
            let random_line = |rng: &mut Rng| {
                let values = (0..len)
                    .map(|_| (rng.below(3) > 0).then(|| rng.noise(50.0)))
                    .collect();
                Line::new(grid(60, len), values)
            };
            let l = random_line(&mut rng);
            let limit = rng.below(700) as i64;
            for mode in [FillMode::Linear, FillMode::Last, FillMode::Zero] {
                let filled = fill(&l, Fill::new(mode, Some(limit)));
                for (i, v) in l.values.iter().enumerate() {
                    if v.is_some() {
                        assert_eq!(filled.values[i], *v, "case {case}");
                    }
                }
            }
            let linear = fill(&l, Fill::new(FillMode::Linear, Some(limit)));
            let present: Vec<f64> = l.values.iter().flatten().copied().collect();
            let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for v in linear.values.iter().flatten() {
                assert!(*v >= lo - 1e-9 && *v <= hi + 1e-9, "case {case}");
            }
            let others: Vec<Line> = (0..3).map(|_| random_line(&mut rng)).collect();
            let avg = space_aggregate(grid(60, len), &others, SpaceAgg::Avg, Align::AsIs);
            let min = space_aggregate(grid(60, len), &others, SpaceAgg::Min, Align::AsIs);
            let max = space_aggregate(grid(60, len), &others, SpaceAgg::Max, Align::AsIs);
            for i in 0..len {
                if let (Some(a), Some(lo), Some(hi)) = (avg.values[i], min.values[i], max.values[i])
                {
                    assert!(lo <= a + 1e-9 && a <= hi + 1e-9, "case {case}");
                } else {
                    assert_eq!(avg.values[i], None, "case {case}");
                }
            }
        }
    }
}
