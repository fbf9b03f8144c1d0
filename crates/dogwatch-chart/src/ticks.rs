//! Where the axes put their ticks, as plotters' coordinates choose them: round values on the value
//! axis (steps of 1, 2 or 5 × 10ⁿ, `RangedCoordf64::key_points`), and round times of day on the time
//! axis (every 10 s, 5 min, 2 h, day, …, counted from midnight on the zone's clock,
//! `RangedDateTime::key_points`).

use chrono::{DateTime, FixedOffset};
use dogwatch_core::timeframe::TimeRange;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::{RangedCoordf64, RangedDateTime};

/// Round values from `lo` to `hi` (both included when round), at most `max_count` of them. Empty
/// when the range is empty or not finite.
pub fn value_ticks(lo: f64, hi: f64, max_count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max_count == 0 {
        return Vec::new();
    }
    RangedCoordf64::from(lo..hi)
        .key_points(max_count)
        .into_iter()
        // plotters rounds to a tenth of the step, which leaves -0 for zero; labels want 0.
        .map(|v| if v == 0.0 { 0.0 } else { v })
        .collect()
}

/// Round times from `range.from_ms` up to (not including) `range.to_ms`, at most `max_count` of them,
/// on a clock `offset` ahead of UTC (the zone's offset at the window's start). A change of offset
/// inside the window (a DST change) moves the later ticks by the change, which their labels, made
/// in the real zone, still show rightly.
pub fn time_ticks(range: TimeRange, max_count: usize, offset: FixedOffset) -> Vec<i64> {
    let at = |ts_ms| DateTime::from_timestamp_millis(ts_ms).map(|t| t.with_timezone(&offset));
    let (Some(from), Some(to)) = (at(range.from_ms), at(range.to_ms)) else {
        return Vec::new();
    };
    if to <= from || max_count == 0 {
        return Vec::new();
    }
    RangedDateTime::from(from..to)
        .key_points(max_count)
        .into_iter()
        .map(|t| t.timestamp_millis())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND_MS: i64 = 1_000;
    const MINUTE_MS: i64 = 60 * SECOND_MS;
    const HOUR_MS: i64 = 60 * MINUTE_MS;
    const DAY_MS: i64 = 24 * HOUR_MS;

    fn offset(secs_east: i32) -> FixedOffset {
        FixedOffset::east_opt(secs_east).expect("an offset")
    }

    fn window(from_ms: i64, to_ms: i64) -> TimeRange {
        TimeRange::new(from_ms, to_ms).expect("a window")
    }

    #[test]
    fn value_ticks_are_round_and_inside_the_range() {
        // 0..100 in at most 6 ticks: steps of 10 would take 11, steps of 20 take 6.
        assert_eq!(
            value_ticks(0.0, 100.0, 6),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(value_ticks(3.0, 97.0, 6), [20.0, 40.0, 60.0, 80.0]);
        assert_eq!(value_ticks(-1.0, 1.0, 5), [-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(value_ticks(950.0, 1010.0, 4), [960.0, 980.0, 1000.0]);
        assert!(value_ticks(1.0, 1.0, 5).is_empty());
        assert!(value_ticks(0.0, f64::INFINITY, 5).is_empty());
    }

    #[test]
    fn time_ticks_fall_on_round_local_times() {
        let t = |h: i64, m: i64, s: i64| h * HOUR_MS + m * MINUTE_MS + s * SECOND_MS;
        // 5 minutes from 10:02:30 UTC, at most 6 ticks: every minute from 10:03.
        assert_eq!(
            time_ticks(window(t(10, 2, 30), t(10, 7, 30)), 6, offset(0)),
            [
                t(10, 3, 0),
                t(10, 4, 0),
                t(10, 5, 0),
                t(10, 6, 0),
                t(10, 7, 0)
            ]
        );
        // 5 minutes, at most 11 ticks: every 30 s.
        let ticks = time_ticks(window(t(10, 0, 0), t(10, 5, 0)), 11, offset(0));
        assert_eq!(ticks.len(), 10);
        assert_eq!((ticks[0], ticks[1]), (t(10, 0, 0), t(10, 0, 30)));
        // A day, at most 8 ticks: every 4 hours from local midnight; in UTC+5:30 local midnight is
        // 18:30 UTC, so the ticks fall at 2:30, 6:30, … UTC.
        let ticks = time_ticks(window(0, DAY_MS), 8, offset(5 * 3600 + 1800));
        assert_eq!(ticks[0], t(2, 30, 0));
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == 4 * HOUR_MS));
        assert_eq!(ticks.len(), 6);
        // A week: one tick a day, at local midnight.
        let ticks = time_ticks(
            window(t(10, 0, 0), t(10, 0, 0) + 7 * DAY_MS),
            10,
            offset(3600),
        );
        assert_eq!(ticks.len(), 7);
        assert_eq!(ticks[0], DAY_MS - HOUR_MS);
        let empty = TimeRange {
            from_ms: 5,
            to_ms: 5,
        };
        assert!(time_ticks(empty, 4, offset(0)).is_empty());
    }
}
