//! Numbers and times in words for axes, tooltips and the paused-window label. Times are shown in the
//! browser's zone, whose offset from UTC at an instant comes from JavaScript's `Date`; the calendar
//! arithmetic is core's (`timeframe::civil`). (chrono did this through generic code instantiated per
//! zone type, some 3 KB of gzipped wasm for a few fixed English patterns.)

use std::fmt::Write;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::timeframe::civil::civil_from_days;

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

/// An x-axis label for `ts_ms` shown at `offset_ms` from UTC: the time of day on graphs up to a day
/// long (seconds only when the tick has them), the weekday and day beyond that.
pub fn axis_time_label(ts_ms: i64, offset_ms: i64, range_ms: i64) -> String {
    let c = Clock::at(ts_ms, offset_ms);
    if range_ms > DAY_MS {
        if c.hour == 0 && c.minute == 0 {
            format!("{} {}", c.weekday(), c.day)
        } else {
            format!("{} {}", c.weekday(), c.hm())
        }
    } else if c.second == 0 {
        c.hm()
    } else {
        c.hms()
    }
}

/// The browser zone's offset from UTC at `ts_ms`, in milliseconds (positive east of Greenwich).
pub fn local_offset_ms(ts_ms: i64) -> i64 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts_ms as f64));
    // getTimezoneOffset is UTC minus local time, in minutes (NaN for an invalid date: then UTC).
    let minutes = date.get_timezone_offset();
    if minutes.is_finite() {
        -(minutes as i64) * 60_000
    } else {
        0
    }
}

/// A wall-clock time's fields, formatted by hand into a few fixed English patterns.
#[derive(Clone, Copy)]
struct Clock {
    /// Days since 1970-01-01 on that wall clock.
    days: i64,
    weekday: usize,
    month: usize,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Clock {
    /// `ts_ms` on a clock `offset_ms` ahead of UTC.
    fn at(ts_ms: i64, offset_ms: i64) -> Self {
        let local = ts_ms.saturating_add(offset_ms);
        let days = local.div_euclid(DAY_MS);
        let secs = local.rem_euclid(DAY_MS) / 1000;
        let (_, month, day) = civil_from_days(days);
        Self {
            days,
            // 1970-01-01 was a Thursday: 3 days after a Monday.
            weekday: (days + 3).rem_euclid(7) as usize,
            month: month.clamp(1, 12) as usize - 1,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs / 60 % 60) as u32,
            second: (secs % 60) as u32,
        }
    }

    /// `%a`: "Mon".
    fn weekday(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.weekday]
    }

    /// `%b %-d`: "Nov 21".
    fn date(self) -> String {
        let mut s = String::with_capacity(6);
        self.push_date(&mut s);
        s
    }

    fn push_date(self, s: &mut String) {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        s.push_str(MONTHS[self.month]);
        s.push(' ');
        if self.day >= 10 {
            push_digit(s, self.day / 10);
        }
        push_digit(s, self.day % 10);
    }

    /// `%H:%M`.
    fn hm(self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }

    /// `%H:%M:%S`.
    fn hms(self) -> String {
        let mut s = String::with_capacity(8);
        self.push_hms(&mut s);
        s
    }

    fn push_hms(self, s: &mut String) {
        for (i, n) in [self.hour, self.minute, self.second]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                s.push(':');
            }
            push_digit(s, n / 10 % 10);
            push_digit(s, n % 10);
        }
    }
}

fn push_digit(s: &mut String, d: u32) {
    s.push(char::from_digit(d, 10).unwrap_or('0'));
}

/// A tooltip's time, e.g. "Fri Nov 21, 10:04:30", in the browser's zone.
pub fn time_of_day(ts_ms: i64) -> String {
    time_of_day_at(ts_ms, local_offset_ms(ts_ms))
}

/// The zone's offset from UTC over `range`, when it is the same at both ends (no DST change inside):
/// then [`time_of_day_at`] can format any time of the window without asking the browser's `Date`
/// each time, which the tooltip does at every pointer move.
pub fn fixed_offset(range: TimeRange) -> Option<i64> {
    let from = local_offset_ms(range.from_ms);
    (from == local_offset_ms(range.to_ms)).then_some(from)
}

/// As [`time_of_day`], on a clock `offset_ms` ahead of UTC.
pub fn time_of_day_at(ts_ms: i64, offset_ms: i64) -> String {
    // By hand into one buffer, without `format!`: the tooltip writes a time at every pointer move.
    let c = Clock::at(ts_ms, offset_ms);
    let mut s = String::with_capacity(20);
    s.push_str(c.weekday());
    s.push(' ');
    c.push_date(&mut s);
    s.push_str(", ");
    c.push_hms(&mut s);
    s
}

/// The time of day, e.g. "10:04:30", in the browser's zone.
pub fn clock_time(ts_ms: i64) -> String {
    Clock::at(ts_ms, local_offset_ms(ts_ms)).hms()
}

/// A paused window in words, e.g. "Nov 21, 10:00:00 – 10:05:00" (the date again at the end only when
/// it differs), in the browser's zone or in UTC.
pub fn window_label(range: TimeRange, utc: bool) -> String {
    if utc {
        return format!("{} UTC", window_between(range, 0, 0));
    }
    let (from, to) = (local_offset_ms(range.from_ms), local_offset_ms(range.to_ms));
    window_between(range, from, to)
}

/// `range` with each end on a clock that far ahead of UTC.
fn window_between(range: TimeRange, from_offset_ms: i64, to_offset_ms: i64) -> String {
    let from = Clock::at(range.from_ms, from_offset_ms);
    let to = Clock::at(range.to_ms, to_offset_ms);
    let end = if from.days == to.days {
        to.hms()
    } else {
        format!("{}, {}", to.date(), to.hms())
    };
    format!("{}, {} – {end}", from.date(), from.hms())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-21 10:00:00 UTC, a Saturday.
    const NOV_21_10H: i64 = 1_795_255_200_000;

    #[test]
    fn tooltip_times_in_a_fixed_offset() {
        assert_eq!(time_of_day_at(0, 3_600_000), "Thu Jan 1, 01:00:00");
        assert_eq!(time_of_day_at(90_000, -1_800_000), "Wed Dec 31, 23:31:30");
        // Leap day, and a date before 1970.
        assert_eq!(time_of_day_at(1_709_208_000_000, 0), "Thu Feb 29, 12:00:00");
        assert_eq!(
            time_of_day_at(-86_400_000 * 365 - 1000, 0),
            "Tue Dec 31, 23:59:59"
        );
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
        assert_eq!(axis_time_label(whole, 0, 300_000), "10:04");
        assert_eq!(axis_time_label(whole + 30_000, 0, 300_000), "10:04:30");
        assert_eq!(axis_time_label(whole, 0, 7 * DAY_MS), "Sat 10:04");
        assert_eq!(
            axis_time_label(NOV_21_10H + 14 * 3_600_000, 0, 7 * DAY_MS),
            "Sun 22"
        );
        // The same instant on a clock 5 h 30 ahead.
        assert_eq!(axis_time_label(whole, 19_800_000, 300_000), "15:34");
    }

    #[test]
    fn windows_and_tooltips_say_the_date_once() {
        let five_min = TimeRange::new(NOV_21_10H, NOV_21_10H + 300_000).expect("range");
        let next_day = TimeRange::new(NOV_21_10H, NOV_21_10H + 23 * 3_600_000).expect("range");
        assert_eq!(
            window_between(five_min, 0, 0),
            "Nov 21, 10:00:00 – 10:05:00"
        );
        assert_eq!(
            window_between(next_day, 0, 0),
            "Nov 21, 10:00:00 – Nov 22, 09:00:00"
        );
        // Ends on each side of a DST change keep their own offsets.
        assert_eq!(
            window_between(five_min, 3_600_000, 7_200_000),
            "Nov 21, 11:00:00 – 12:05:00"
        );
        assert_eq!(time_of_day_at(NOV_21_10H, 0), "Sat Nov 21, 10:00:00");
    }

    #[test]
    fn a_paused_window_in_utc_says_so() {
        // 2026-11-21 10:00:00 UTC to 10:05:00 UTC.
        let range = TimeRange::new(1_795_255_200_000, 1_795_255_500_000).expect("range");
        let label = window_label(range, true);
        assert!(
            label.contains("10:00:00") && label.contains("10:05:00"),
            "{label}"
        );
        assert!(label.ends_with(" UTC"), "{label}");
    }
}
