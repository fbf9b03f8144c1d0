//! Numbers and times in words for axes, tooltips and the paused-window label. Times are chrono's:
//! shown in a [`Zone`], either the local one (`chrono::Local`, which in the browser asks
//! JavaScript's `Date` for the offset through chrono's `wasmbind` feature, so the UI ships no
//! time-zone database) or a fixed offset such as UTC.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Timelike};
use dogwatch_core::timeframe::TimeRange;

const DAY_MS: i64 = 86_400_000;

/// A value for an axis or tooltip: at most 2 decimals, large values shortened (`12.3K`, `4.5M`).
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let (scaled, suffix) = match v.abs() {
        a if a >= 1e12 => (v / 1e12, "T"),
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e4 => (v / 1e3, "K"),
        _ => (v, ""),
    };
    let decimals = match scaled.abs() {
        a if a >= 1000.0 => 0,
        a if a >= 100.0 => 1,
        _ => 2,
    };
    // One buffer, trimmed in place: the tooltip formats a value at every pointer move.
    let mut text = String::with_capacity(16);
    if !push_fixed(&mut text, scaled, decimals as u32) {
        let _ = write!(text, "{scaled:.decimals$}");
    }
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    if text == "-0" {
        text.remove(0);
    }
    text.push_str(suffix);
    text
}

/// Writes `v` with `decimals` (at most 2) decimals exactly as `format!("{v:.decimals$}")` does (the
/// binary value rounded to the nearest, ties to even), by integer arithmetic on its bits; returns
/// false, writing nothing, for values of 2^53 and more. Core's float formatting is general and slow
/// (its fast path gives up on some values and falls back to big-number arithmetic), and the
/// tooltip formats a value at every pointer move.
fn push_fixed(text: &mut String, v: f64, decimals: u32) -> bool {
    let a = v.abs();
    if decimals > 2 || a.partial_cmp(&9_007_199_254_740_992.0) != Some(std::cmp::Ordering::Less) {
        return false;
    }
    let bits = a.to_bits();
    let (exponent, fraction) = ((bits >> 52) as u32, bits & ((1 << 52) - 1));
    // a = mantissa / 2^shift; below 2^53, shift >= 0.
    let (mantissa, shift) = if exponent == 0 {
        (fraction, 1074)
    } else {
        (fraction | (1 << 52), 1075 - exponent)
    };
    let scale = 10_u64.pow(decimals);
    // a × scale, rounded to the nearest whole number, ties to even. Under 2^60: u64 arithmetic,
    // native in wasm (u128 division is a library call, slower than core's formatting).
    let scaled = mantissa * scale;
    let rounded = if shift == 0 {
        scaled
    } else if shift >= 62 {
        // scaled < 2^60, below half of 2^shift.
        0
    } else {
        let (whole, rest, half) = (
            scaled >> shift,
            scaled & ((1 << shift) - 1),
            1 << (shift - 1),
        );
        whole + u64::from(rest > half || (rest == half && whole % 2 == 1))
    };
    if v.is_sign_negative() {
        text.push('-');
    }
    push_decimal(text, rounded / scale, 1);
    if decimals > 0 {
        text.push('.');
        push_decimal(text, rounded % scale, decimals as usize);
    }
    true
}

/// `n` in decimal, zero-padded to at least `width` digits.
fn push_decimal(text: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let (mut i, mut n) = (digits.len(), n);
    while n > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    text.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// Where times are shown: the local zone (the browser's, in the UI) or a fixed offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Local,
    Fixed(FixedOffset),
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::Fixed(chrono::Utc.fix())
    }

    /// UTC when `utc`, else the local zone: as a board's `tz` setting asks.
    pub fn utc_if(utc: bool) -> Zone {
        if utc { Zone::utc() } else { Zone::Local }
    }

    /// The zone's offset from UTC at `ts_ms` (UTC for a time chrono cannot represent).
    pub fn offset_at(self, ts_ms: i64) -> FixedOffset {
        match self {
            Zone::Fixed(offset) => offset,
            Zone::Local => DateTime::from_timestamp_millis(ts_ms)
                .map_or(chrono::Utc.fix(), |utc| {
                    Local.offset_from_utc_datetime(&utc.naive_utc())
                }),
        }
    }

    /// `ts_ms` on this zone's clock (the Unix epoch for a time chrono cannot represent).
    pub fn at(self, ts_ms: i64) -> DateTime<FixedOffset> {
        let utc = DateTime::from_timestamp_millis(ts_ms).unwrap_or_default();
        utc.with_timezone(&self.offset_at(ts_ms))
    }

    /// This zone as a fixed offset over `range` when its offset is the same at both ends (no DST
    /// change inside): then a time of the window is formatted without asking the browser's `Date`,
    /// which the tooltip does at every pointer move.
    pub fn fixed_over(self, range: TimeRange) -> Zone {
        let from = self.offset_at(range.from_ms);
        if from == self.offset_at(range.to_ms) {
            Zone::Fixed(from)
        } else {
            self
        }
    }
}

/// An x-axis label for `ts_ms` in `zone`: the time of day on graphs up to a day long (seconds only
/// when the tick has them), the weekday and day beyond that.
pub fn axis_time_label(ts_ms: i64, zone: Zone, range_ms: i64) -> String {
    let t = zone.at(ts_ms);
    let pattern = if range_ms > DAY_MS {
        if t.hour() == 0 && t.minute() == 0 {
            "%a %-d"
        } else {
            "%a %H:%M"
        }
    } else if t.second() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    t.format(pattern).to_string()
}

/// A tooltip's time, e.g. "Fri Nov 21, 10:04:30".
pub fn time_of_day(ts_ms: i64, zone: Zone) -> String {
    zone.at(ts_ms).format("%a %b %-d, %H:%M:%S").to_string()
}

/// The time of day, e.g. "10:04:30".
pub fn clock_time(ts_ms: i64, zone: Zone) -> String {
    zone.at(ts_ms).format("%H:%M:%S").to_string()
}

/// A paused window in words, e.g. "Nov 21, 10:00:00 – 10:05:00" (the date again at the end only when
/// it differs), each end in `zone` ("UTC" said when the zone is UTC).
pub fn window_label(range: TimeRange, zone: Zone) -> String {
    let (from, to) = (zone.at(range.from_ms), zone.at(range.to_ms));
    let end = if from.date_naive() == to.date_naive() {
        to.format("%H:%M:%S")
    } else {
        to.format("%b %-d, %H:%M:%S")
    };
    let utc = if zone == Zone::utc() { " UTC" } else { "" };
    format!(
        "{}, {} – {end}{utc}",
        from.format("%b %-d"),
        from.format("%H:%M:%S")
    )
}

/// A duration in nanoseconds in the unit that reads best: `850 ns`, `12.3 µs`, `4.56 ms`,
/// `1.25 s`, `2 min 5 s`, with three significant digits at most.
pub fn format_duration_ns(ns: i64) -> String {
    let a = ns.unsigned_abs() as f64;
    let sign = if ns < 0 { "-" } else { "" };
    let (value, unit) = match a {
        a if a < 1e3 => return format!("{ns} ns"),
        a if a < 1e6 => (a / 1e3, "µs"),
        a if a < 1e9 => (a / 1e6, "ms"),
        a if a < 60e9 => (a / 1e9, "s"),
        a => {
            let secs = (a / 1e9).round() as u64;
            return match (secs / 60, secs % 60) {
                (m, 0) => format!("{sign}{m} min"),
                (m, s) => format!("{sign}{m} min {s} s"),
            };
        }
    };
    let decimals = match value {
        v if v >= 99.95 => 0,
        v if v >= 9.995 => 1,
        _ => 2,
    };
    let mut text = format!("{value:.decimals$}");
    if text.contains('.') {
        let kept = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(kept);
    }
    format!("{sign}{text} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-21 10:00:00 UTC, a Saturday.
    const NOV_21_10H: i64 = 1_795_255_200_000;

    fn fixed(secs_east: i32) -> Zone {
        Zone::Fixed(FixedOffset::east_opt(secs_east).expect("an offset"))
    }

    #[test]
    fn tooltip_times_in_a_fixed_offset() {
        assert_eq!(time_of_day(0, fixed(3600)), "Thu Jan 1, 01:00:00");
        assert_eq!(time_of_day(90_000, fixed(-1800)), "Wed Dec 31, 23:31:30");
        // Leap day, and a date before 1970.
        assert_eq!(
            time_of_day(1_709_208_000_000, Zone::utc()),
            "Thu Feb 29, 12:00:00"
        );
        assert_eq!(
            time_of_day(-86_400_000 * 365 - 1000, Zone::utc()),
            "Tue Dec 31, 23:59:59"
        );
        assert_eq!(clock_time(NOV_21_10H + 4_530_000, Zone::utc()), "11:15:30");
    }

    #[test]
    fn fixed_decimals_match_core_formatting() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            0.0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.375, -0.125, 0.005, 1.005, 0.045,
        ];
        values.extend([
            1e-300,
            -1e-300,
            5e-324,
            0.015,
            999.995,
            99.95,
            9_007_199_254_740_991.0,
        ]);
        for _ in 0..200_000 {
            let r = random();
            // Uniform bits (every magnitude), and values near ties at 0 to 3 decimals.
            values.push(f64::from_bits(r));
            let k = (r >> 11) as f64 / 8.0 % 1e7;
            values.push(if r & 1 == 0 { k } else { -k } / 10f64.powi((r >> 5) as i32 % 4));
            values.push((r >> 12) as f64 / (1u64 << 52) as f64 * 10f64.powi((r % 9) as i32));
        }
        for v in values.into_iter().filter(|v| v.is_finite()) {
            for decimals in 0..=2 {
                let mut ours = String::new();
                if push_fixed(&mut ours, v, decimals) {
                    let d = decimals as usize;
                    assert_eq!(ours, format!("{v:.d$}"), "{v:e} to {decimals}");
                } else {
                    assert!(v.abs() >= 9_007_199_254_740_992.0, "{v}");
                }
            }
        }
    }

    #[test]
    fn values_read_well() {
        let cases = [
            (0.0, "0"),
            (-0.0001, "0"),
            (42.0, "42"),
            (1.23456, "1.23"),
            (999.5, "999.5"),
            (1000.0, "1000"),
            (12_300.0, "12.3K"),
            (250_000.0, "250K"),
            (4_500_000.0, "4.5M"),
            (-2.5e9, "-2.5G"),
        ];
        for (v, want) in cases {
            assert_eq!(format_value(v), want, "{v}");
        }
    }

    #[test]
    fn axis_labels_fit_the_span() {
        let whole = NOV_21_10H + 4 * 60_000;
        let utc = Zone::utc();
        assert_eq!(axis_time_label(whole, utc, 300_000), "10:04");
        assert_eq!(axis_time_label(whole + 30_000, utc, 300_000), "10:04:30");
        assert_eq!(axis_time_label(whole, utc, 7 * DAY_MS), "Sat 10:04");
        assert_eq!(
            axis_time_label(NOV_21_10H + 14 * 3_600_000, utc, 7 * DAY_MS),
            "Sun 22"
        );
        // The same instant on a clock 5 h 30 ahead.
        assert_eq!(axis_time_label(whole, fixed(19_800), 300_000), "15:34");
    }

    #[test]
    fn windows_say_the_date_once_and_utc_when_in_utc() {
        let five_min = TimeRange::new(NOV_21_10H, NOV_21_10H + 300_000).expect("range");
        let next_day = TimeRange::new(NOV_21_10H, NOV_21_10H + 23 * 3_600_000).expect("range");
        assert_eq!(
            window_label(five_min, Zone::utc()),
            "Nov 21, 10:00:00 – 10:05:00 UTC"
        );
        assert_eq!(
            window_label(next_day, fixed(3600)),
            "Nov 21, 11:00:00 – Nov 22, 10:00:00"
        );
        assert_eq!(time_of_day(NOV_21_10H, Zone::utc()), "Sat Nov 21, 10:00:00");
    }

    #[test]
    fn a_fixed_zone_stays_fixed_over_any_window() {
        let day = TimeRange::new(NOV_21_10H, NOV_21_10H + DAY_MS).expect("range");
        assert_eq!(fixed(7200).fixed_over(day), fixed(7200));
        assert_eq!(
            fixed(7200).offset_at(0),
            FixedOffset::east_opt(7200).expect("offset")
        );
        // chrono's range ends near year 262,000: past it, the epoch rather than a panic.
        assert_eq!(Zone::utc().at(i64::MAX).timestamp_millis(), 0);
    }

    #[test]
    fn durations_take_the_unit_that_reads_best() {
        assert_eq!(format_duration_ns(850), "850 ns");
        assert_eq!(format_duration_ns(12_300), "12.3 µs");
        assert_eq!(format_duration_ns(4_560_000), "4.56 ms");
        assert_eq!(format_duration_ns(250_000_000), "250 ms");
        assert_eq!(format_duration_ns(1_250_000_000), "1.25 s");
        assert_eq!(format_duration_ns(2_000_000), "2 ms");
        assert_eq!(format_duration_ns(125_000_000_000), "2 min 5 s");
        assert_eq!(format_duration_ns(-3_000_000), "-3 ms");
    }
}
