//! Functions over lines: `abs`, `log2`, `cumsum`, `per_second`, `diff`, the timeshifts, `top`
//! (rules in the parent module).

use super::Line;
use super::arith::Grouped;

/// A function from one line to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryFunc {
    Abs,
    Log2,
    Log10,
    Cumsum,
    Integral,
    PerSecond,
    PerMinute,
    PerHour,
    Diff,
    Derivative,
}

/// `func(line)`.
pub fn apply(func: UnaryFunc, line: &Line) -> Line {
    let interval_secs = line.grid.interval_secs.max(1) as f64;
    let positive = |v: f64| (v > 0.0).then_some(v);
    match func {
        UnaryFunc::Abs => line.map(|v| Some(v.abs())),
        UnaryFunc::Log2 => line.map(|v| positive(v).map(f64::log2)),
        UnaryFunc::Log10 => line.map(|v| positive(v).map(f64::log10)),
        UnaryFunc::Cumsum => running_sum(line, 1.0),
        UnaryFunc::Integral => running_sum(line, interval_secs),
        UnaryFunc::PerSecond => line.map(|v| Some(v / interval_secs)),
        UnaryFunc::PerMinute => line.map(|v| Some(v * 60.0 / interval_secs)),
        UnaryFunc::PerHour => line.map(|v| Some(v * 3_600.0 / interval_secs)),
        UnaryFunc::Diff => differences(line, false),
        UnaryFunc::Derivative => differences(line, true),
    }
}

/// Running sum of `value × factor`; empty buckets stay empty and keep the sum.
fn running_sum(line: &Line, factor: f64) -> Line {
    let mut total = 0.0;
    let values = line
        .values
        .iter()
        .map(|v| {
            let v = (*v)?;
            total += v * factor;
            Some(total)
        })
        .collect();
    Line::new(line.grid, values)
}

/// Each value minus the previous value on the line, divided by the seconds between the two
/// buckets when `per_second`.
fn differences(line: &Line, per_second: bool) -> Line {
    let mut previous: Option<(usize, f64)> = None;
    let values = line
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let v = (*v)?;
            let (p, pv) = previous.replace((i, v))?;
            let delta = v - pv;
            if per_second {
                let secs = (i - p) as f64 * line.grid.interval_secs.max(1) as f64;
                Some(delta / secs)
            } else {
                Some(delta)
            }
        })
        .collect();
    Line::new(line.grid, values)
}

/// The timeshift functions, as the offset Datadog's `timeshift(q, offset)` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shift {
    HourBefore,
    DayBefore,
    WeekBefore,
    /// 28 days: four whole weeks, so weekdays line up.
    MonthBefore,
    /// `timeshift(q, secs)`; negative is the past.
    Secs(i64),
}

impl Shift {
    pub fn offset_secs(self) -> i64 {
        match self {
            Shift::HourBefore => -3_600,
            Shift::DayBefore => -86_400,
            Shift::WeekBefore => -7 * 86_400,
            Shift::MonthBefore => -28 * 86_400,
            Shift::Secs(secs) => secs,
        }
    }
}

/// Moves a line evaluated over the window shifted by `offset_secs` back onto the displayed
/// window: the bucket that started at `t + offset` now starts at `t`. The offset is rounded to
/// whole buckets (half away from zero) so that the result lines up with unshifted lines.
pub fn shift(line: &Line, offset_secs: i64) -> Line {
    let interval_secs = line.grid.interval_secs.max(1);
    let buckets = (offset_secs as f64 / interval_secs as f64).round() as i64;
    let mut shifted = line.clone();
    shifted.grid.start_secs = line
        .grid
        .start_secs
        .saturating_sub(buckets.saturating_mul(interval_secs));
    shifted
}

/// How `top` ranks lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TopRank {
    Max,
    Min,
    Last,
    Mean,
    Sum,
    /// Signed area under the line: Σ value × interval.
    Area,
    /// Unsigned area: Σ |value| × interval.
    Norm,
    /// √Σ value².
    L2Norm,
}

/// `'asc'` or `'desc'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Order {
    Asc,
    Desc,
}

/// The number a line is ranked by; `None` for a line without values.
pub fn rank_value(line: &Line, rank: TopRank) -> Option<f64> {
    let values: Vec<f64> = line.values.iter().flatten().copied().collect();
    let last = *values.last()?;
    let interval_secs = line.grid.interval_secs as f64;
    let sum: f64 = values.iter().sum();
    let v = match rank {
        TopRank::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        TopRank::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        TopRank::Last => last,
        TopRank::Mean => sum / values.len() as f64,
        TopRank::Sum => sum,
        TopRank::Area => sum * interval_secs,
        TopRank::Norm => values.iter().map(|v| v.abs()).sum::<f64>() * interval_secs,
        TopRank::L2Norm => values.iter().map(|v| v * v).sum::<f64>().sqrt(),
    };
    Some(v)
}

/// `top(q, n, rank, order)`: the first `n` lines by `rank`. Lines without values come last in
/// either order; ties keep the input order.
pub fn top(lines: &[Grouped], n: usize, rank: TopRank, order: Order) -> Vec<Grouped> {
    top_offset(lines, n, 0, rank, order)
}

/// `top_offset(q, n, rank, order, offset)`: like [`top`], after skipping the first `offset`.
pub fn top_offset(
    lines: &[Grouped],
    n: usize,
    offset: usize,
    rank: TopRank,
    order: Order,
) -> Vec<Grouped> {
    let mut ranked: Vec<(Option<f64>, &Grouped)> = lines
        .iter()
        .map(|g| (rank_value(&g.line, rank), g))
        .collect();
    // A stable sort keeps the input order among equals.
    crate::sort::sort_by(&mut ranked, |(a, _), (b, _)| match (a, b) {
        (Some(a), Some(b)) => match order {
            Order::Desc => b.total_cmp(a),
            Order::Asc => a.total_cmp(b),
        },
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    ranked
        .into_iter()
        .skip(offset)
        .take(n)
        .map(|(_, g)| g.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::Grid;
    use super::super::testing::{T0, num, render};
    use super::*;

    fn line_every(interval_secs: i64, text: &str) -> Line {
        let values: Vec<Option<f64>> = text
            .split_whitespace()
            .map(|t| t.parse::<f64>().ok())
            .collect();
        let grid = Grid {
            start_secs: T0,
            interval_secs,
            len: values.len(),
        };
        Line::new(grid, values)
    }

    fn check(func: UnaryFunc, interval_secs: i64, input: &str, expected: &str) {
        let out = apply(func, &line_every(interval_secs, input));
        assert_eq!(render(&out), expected, "{func:?}({input})");
    }

    #[test]
    fn pointwise_functions() {
        check(UnaryFunc::Abs, 20, "-2 _ 3 0", "2 _ 3 0");
        check(UnaryFunc::Log2, 20, "8 1 0.5 0 -4 _", "3 0 -1 _ _ _");
        check(UnaryFunc::Log10, 20, "1000 0.01 0 -1", "3 -2 _ _");
    }

    #[test]
    fn running_sums_skip_empty_buckets() {
        check(UnaryFunc::Cumsum, 20, "1 2 _ 3 -1", "1 3 _ 6 5");
        // 60 s buckets: 1×60, +2×60, +3×60.
        check(UnaryFunc::Integral, 60, "1 2 _ 3", "60 180 _ 360");
    }

    /// A count of 120 requests per 60 s bucket is 2 per second, 120 per minute, 7200 per hour.
    #[test]
    fn per_unit_functions_convert_a_per_bucket_value() {
        check(UnaryFunc::PerSecond, 60, "120 _ 30", "2 _ 0.5");
        check(UnaryFunc::PerMinute, 60, "120 _ 30", "120 _ 30");
        check(UnaryFunc::PerHour, 60, "120 _ 30", "7200 _ 1800");
        check(UnaryFunc::PerMinute, 300, "100", "20");
    }

    #[test]
    fn diff_and_derivative_use_the_previous_value() {
        check(UnaryFunc::Diff, 20, "1 4 _ 10 5", "_ 3 _ 6 -5");
        // Across the gap, 6 over 40 s.
        check(
            UnaryFunc::Derivative,
            20,
            "1 4 _ 10 5",
            "_ 0.15 _ 0.15 -0.25",
        );
        check(UnaryFunc::Diff, 20, "_ _", "_ _");
    }

    #[test]
    fn timeshifts_move_values_forward_by_whole_buckets() {
        // hour_before over [T0, T0 + 60): the query ran over [T0 - 3600, T0 - 3540).
        let past = Line::new(
            Grid {
                start_secs: T0 - 3_600,
                interval_secs: 20,
                len: 3,
            },
            vec![Some(1.0), Some(2.0), None],
        );
        let shifted = shift(&past, Shift::HourBefore.offset_secs());
        assert_eq!(shifted.grid.start_secs, T0);
        assert_eq!(render(&shifted), "1 2 _");
        // 45 s is 2.25 buckets of 20 s: moved by 2 buckets, 40 s.
        assert_eq!(shift(&past, -45).grid.start_secs, T0 - 3_560);
        assert_eq!(
            shift(&past, -50).grid.start_secs,
            T0 - 3_540,
            "2.5 rounds away"
        );
        assert_eq!(shift(&past, 3_600).grid.start_secs, T0 - 7_200);
        assert_eq!(Shift::DayBefore.offset_secs(), -86_400);
        assert_eq!(Shift::WeekBefore.offset_secs(), -604_800);
        assert_eq!(Shift::MonthBefore.offset_secs(), -2_419_200);
        assert_eq!(Shift::Secs(-1_209_600).offset_secs(), -1_209_600);
    }

    fn hosts() -> Vec<Grouped> {
        [
            ("host:a", "1 9 2"),
            ("host:b", "5 5 5"),
            ("host:c", "_ _ _"),
            ("host:d", "-8 0 3"),
            ("host:e", "4 6 _"),
        ]
        .iter()
        .map(|(tag, text)| Grouped {
            tags: vec![(*tag).to_owned()],
            line: line_every(10, text),
        })
        .collect()
    }

    fn ranked(lines: &[Grouped]) -> String {
        lines
            .iter()
            .map(|g| g.tags.join(","))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn rank_values_by_hand() {
        let lines = hosts();
        let values = |rank| {
            lines
                .iter()
                .map(|g| rank_value(&g.line, rank).map_or("_".to_owned(), num))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(values(TopRank::Max), "9 5 _ 3 6");
        assert_eq!(values(TopRank::Min), "1 5 _ -8 4");
        assert_eq!(values(TopRank::Last), "2 5 _ 3 6");
        assert_eq!(values(TopRank::Mean), "4 5 _ -1.666666667 5");
        assert_eq!(values(TopRank::Sum), "12 15 _ -5 10");
        assert_eq!(values(TopRank::Area), "120 150 _ -50 100");
        assert_eq!(values(TopRank::Norm), "120 150 _ 110 100");
        // √(1 + 81 + 4), √75, √(64 + 9), √(16 + 36)
        assert_eq!(
            values(TopRank::L2Norm),
            "9.273618495 8.660254038 _ 8.544003745 7.211102551"
        );
    }

    #[test]
    fn top_keeps_the_first_n_by_rank_with_empty_lines_last() {
        let lines = hosts();
        assert_eq!(
            ranked(&top(&lines, 2, TopRank::Max, Order::Desc)),
            "host:a host:e"
        );
        assert_eq!(
            ranked(&top(&lines, 2, TopRank::Max, Order::Asc)),
            "host:d host:b"
        );
        assert_eq!(
            ranked(&top(&lines, 10, TopRank::Mean, Order::Desc)),
            "host:b host:e host:a host:d host:c"
        );
        assert_eq!(
            ranked(&top(&lines, 10, TopRank::Mean, Order::Asc)),
            "host:d host:a host:b host:e host:c"
        );
        assert_eq!(
            ranked(&top(&lines, 3, TopRank::Norm, Order::Desc)),
            "host:b host:a host:d"
        );
        assert_eq!(
            ranked(&top_offset(&lines, 2, 1, TopRank::Max, Order::Desc)),
            "host:e host:b"
        );
        assert_eq!(ranked(&top(&lines, 0, TopRank::Max, Order::Desc)), "");
    }

    #[test]
    fn ties_keep_the_input_order() {
        let lines: Vec<Grouped> = ["host:z", "host:y", "host:x"]
            .iter()
            .map(|t| Grouped {
                tags: vec![(*t).to_owned()],
                line: line_every(10, "3 1"),
            })
            .collect();
        assert_eq!(
            ranked(&top(&lines, 3, TopRank::Max, Order::Desc)),
            "host:z host:y host:x"
        );
        assert_eq!(
            ranked(&top(&lines, 3, TopRank::Max, Order::Asc)),
            "host:z host:y host:x"
        );
    }
}
