//! Numbers and times in words for axes, tooltips and the paused-window label. Times are shown in the
//! browser's zone (chrono's `Local`, which reads the zone from JavaScript's `Date` on wasm).

use std::fmt::Write;

use chrono::{DateTime, Datelike, FixedOffset, Local, Offset, TimeZone, Timelike, Utc};
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

/// An x-axis label: the time of day on graphs up to a day long (seconds only when the tick has
/// them), the weekday and day beyond that.
pub fn axis_time_label<Tz: TimeZone>(t: &DateTime<Tz>, range_ms: i64) -> String {
    let c = Clock::of(t);
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

/// A local time's fields, formatted by hand: chrono's `format` (a strftime interpreter) is one of
/// the larger pieces of the wasm, and these labels need only a few fixed English patterns.
#[derive(Clone, Copy)]
struct Clock {
    weekday: usize,
    month: usize,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl Clock {
    fn of<Tz: TimeZone>(t: &DateTime<Tz>) -> Self {
        let n = t.naive_local();
        Self {
            weekday: n.weekday().num_days_from_monday() as usize,
            month: n.month0() as usize,
            day: n.day(),
            hour: n.hour(),
            minute: n.minute(),
            second: n.second(),
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
    match Local.timestamp_millis_opt(ts_ms).single() {
        Some(t) => tooltip_time(&t),
        None => format!("{ts_ms} ms"),
    }
}

/// The zone's offset from UTC over `range`, when it is the same at both ends (no DST change inside):
/// then [`time_of_day_at`] can format any time of the window without asking the browser's `Date`
/// each time, which the tooltip does at every pointer move.
pub fn fixed_offset(range: TimeRange) -> Option<FixedOffset> {
    let at = |ts_ms| {
        Local
            .timestamp_millis_opt(ts_ms)
            .single()
            .map(|t| t.offset().fix())
    };
    let (from, to) = (at(range.from_ms)?, at(range.to_ms)?);
    (from == to).then_some(from)
}

/// As [`time_of_day`], in a zone of fixed offset.
pub fn time_of_day_at(ts_ms: i64, offset: FixedOffset) -> String {
    match offset.timestamp_millis_opt(ts_ms).single() {
        Some(t) => tooltip_time(&t),
        None => format!("{ts_ms} ms"),
    }
}

/// The time of day, e.g. "10:04:30", in the browser's zone.
pub fn clock_time(ts_ms: i64) -> String {
    match Local.timestamp_millis_opt(ts_ms).single() {
        Some(t) => Clock::of(&t).hms(),
        None => format!("{ts_ms} ms"),
    }
}

fn tooltip_time<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    // By hand into one buffer, without `format!`: the tooltip writes a time at every pointer move.
    let c = Clock::of(t);
    let mut s = String::with_capacity(20);
    s.push_str(c.weekday());
    s.push(' ');
    c.push_date(&mut s);
    s.push_str(", ");
    c.push_hms(&mut s);
    s
}

/// A paused window in words, e.g. "Nov 21, 10:00:00 – 10:05:00" (the date again at the end only when
/// it differs), in the browser's zone or in UTC.
pub fn window_label(range: TimeRange, utc: bool) -> String {
    if utc {
        return match (
            Utc.timestamp_millis_opt(range.from_ms).single(),
            Utc.timestamp_millis_opt(range.to_ms).single(),
        ) {
            (Some(from), Some(to)) => format!("{} UTC", window_between(&from, &to)),
            _ => format!("{} – {} ms", range.from_ms, range.to_ms),
        };
    }
    match (
        Local.timestamp_millis_opt(range.from_ms).single(),
        Local.timestamp_millis_opt(range.to_ms).single(),
    ) {
        (Some(from), Some(to)) => window_between(&from, &to),
        _ => format!("{} – {} ms", range.from_ms, range.to_ms),
    }
}

fn window_between<Tz: TimeZone>(from: &DateTime<Tz>, to: &DateTime<Tz>) -> String {
    let same_day = from.date_naive() == to.date_naive();
    let (from, to) = (Clock::of(from), Clock::of(to));
    let end = if same_day {
        to.hms()
    } else {
        format!("{}, {}", to.date(), to.hms())
    };
    format!("{}, {} – {end}", from.date(), from.hms())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn tooltip_times_in_a_fixed_offset() {
        let plus_one = FixedOffset::east_opt(3600).expect("an offset");
        assert_eq!(time_of_day_at(0, plus_one), "Thu Jan 1, 01:00:00");
        let minus_half = FixedOffset::west_opt(1800).expect("an offset");
        assert_eq!(time_of_day_at(90_000, minus_half), "Wed Dec 31, 23:31:30");
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
        let t = Utc
            .with_ymd_and_hms(2026, 11, 21, 10, 4, 0)
            .single()
            .map(|t| (t, t + chrono::Duration::seconds(30)));
        let Some((whole, half)) = t else {
            panic!("valid date")
        };
        assert_eq!(axis_time_label(&whole, 300_000), "10:04");
        assert_eq!(axis_time_label(&half, 300_000), "10:04:30");
        assert_eq!(axis_time_label(&whole, 7 * DAY_MS), "Sat 10:04");
        let midnight = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).single();
        assert_eq!(
            midnight.map(|m| axis_time_label(&m, 7 * DAY_MS)).as_deref(),
            Some("Sun 22")
        );
    }

    #[test]
    fn windows_and_tooltips_say_the_date_once() {
        let from = Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).single();
        let to = Utc.with_ymd_and_hms(2026, 11, 21, 10, 5, 0).single();
        let next_day = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).single();
        let (Some(from), Some(to), Some(next_day)) = (from, to, next_day) else {
            panic!("valid dates")
        };
        assert_eq!(window_between(&from, &to), "Nov 21, 10:00:00 – 10:05:00");
        assert_eq!(
            window_between(&from, &next_day),
            "Nov 21, 10:00:00 – Nov 22, 09:00:00"
        );
        assert_eq!(tooltip_time(&from), "Sat Nov 21, 10:00:00");
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
