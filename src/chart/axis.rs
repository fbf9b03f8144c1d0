//! Where the axes put their ticks: round values on the value axis (steps of 1, 2 or 5 × 10ⁿ), and
//! round times of day on the time axis (every 10 s, 5 min, 3 h, day, … in the browser's zone).

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The time steps a time axis may use, smallest first.
const TIME_STEPS_MS: [i64; 22] = [
    SECOND_MS,
    2 * SECOND_MS,
    5 * SECOND_MS,
    10 * SECOND_MS,
    15 * SECOND_MS,
    30 * SECOND_MS,
    MINUTE_MS,
    2 * MINUTE_MS,
    5 * MINUTE_MS,
    10 * MINUTE_MS,
    15 * MINUTE_MS,
    30 * MINUTE_MS,
    HOUR_MS,
    2 * HOUR_MS,
    3 * HOUR_MS,
    6 * HOUR_MS,
    12 * HOUR_MS,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    14 * DAY_MS,
    30 * DAY_MS,
];

/// Round values from `lo` to `hi` (both included when round), in the smallest step of 1, 2 or 5 × 10ⁿ
/// that makes at most `max_count` intervals. Empty when the range is empty or not finite.
pub fn value_ticks(lo: f64, hi: f64, max_count: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max_count == 0 {
        return Vec::new();
    }
    let rough = (hi - lo) / max_count as f64;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| (hi - lo) / s <= max_count as f64)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Multiplying rather than adding up keeps rounding errors from growing along the axis; labels
    // round what is left (0.30000000000000004 reads 0.3).
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            if v == 0.0 { 0.0 } else { v }
        })
        .collect()
}

/// Round times from `from_ms` to `to_ms`, in the smallest step making at most `max_count` intervals, aligned to the local clock:
/// `offset_ms` is the zone's offset from UTC (east positive) at `from_ms`. A change of offset inside
/// the window (a DST change) moves the later ticks by the change, which labels still show rightly.
pub fn time_ticks(from_ms: i64, to_ms: i64, max_count: usize, offset_ms: i64) -> Vec<i64> {
    if to_ms <= from_ms || max_count == 0 {
        return Vec::new();
    }
    let span = to_ms - from_ms;
    let step = TIME_STEPS_MS
        .into_iter()
        .find(|&s| span / s <= max_count as i64)
        .unwrap_or(TIME_STEPS_MS[TIME_STEPS_MS.len() - 1]);
    let first = (from_ms + offset_ms).div_euclid(step) * step - offset_ms;
    let first = if first < from_ms { first + step } else { first };
    (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= to_ms)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_ticks_are_round_and_inside_the_range() {
        assert_eq!(
            value_ticks(0.0, 100.0, 5),
            [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(value_ticks(3.0, 97.0, 5), [20.0, 40.0, 60.0, 80.0]);
        assert_eq!(value_ticks(-1.0, 1.0, 4), [-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert_eq!(
            value_ticks(0.0, 0.35, 4),
            [0.0, 0.1, 0.2, 0.30000000000000004]
        );
        assert_eq!(value_ticks(950.0, 1010.0, 3), [960.0, 980.0, 1000.0]);
        assert!(value_ticks(1.0, 1.0, 5).is_empty());
        assert!(value_ticks(0.0, f64::INFINITY, 5).is_empty());
    }

    #[test]
    fn time_ticks_fall_on_round_local_times() {
        // 5 minutes from 10:02:30 UTC, at most 6 ticks: every minute from 10:03.
        let t = |h: i64, m: i64, s: i64| h * HOUR_MS + m * MINUTE_MS + s * SECOND_MS;
        assert_eq!(
            time_ticks(t(10, 2, 30), t(10, 7, 30), 6, 0),
            [
                t(10, 3, 0),
                t(10, 4, 0),
                t(10, 5, 0),
                t(10, 6, 0),
                t(10, 7, 0)
            ]
        );
        // A day, at most 8 ticks: every 3 hours, on local hours: in UTC+5:30 that is 2:30, 5:30, … UTC.
        let ticks = time_ticks(0, DAY_MS, 8, 5 * HOUR_MS + 30 * MINUTE_MS);
        assert_eq!(ticks[0], t(0, 30, 0));
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == 3 * HOUR_MS));
        assert_eq!(ticks.len(), 8);
        // A window starting on a tick includes it.
        assert_eq!(
            time_ticks(0, 2 * MINUTE_MS, 2, 0),
            [0, MINUTE_MS, 2 * MINUTE_MS]
        );
        assert!(time_ticks(5, 5, 4, 0).is_empty());
    }
}
