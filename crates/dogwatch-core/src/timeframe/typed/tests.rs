//! Typed timeframes against readable results: `live <code>`, `paused <span> <from> .. <to>` (UTC wall
//! times), or the error message.

use super::*;

/// 2026-03-15 14:30:00 UTC, a Sunday.
const NOW_MS: i64 = 1_773_585_000_000;

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("in chrono's range")
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn render_at(input: &str, now_ms: i64, offset: i32) -> String {
    match parse_typed(input, now_ms, offset) {
        Ok(Timeframe::Live(span)) => format!("live {}", span.code()),
        Ok(Timeframe::Paused { span, range }) => format!(
            "paused {} {} .. {}",
            span.code(),
            utc(range.from_ms),
            utc(range.to_ms)
        ),
        Err(e) => format!("error: {e}"),
    }
}

/// `check!(input, @"expected")` at [`NOW_MS`] in UTC; `check!(input, now_ms, offset, @"…")`.
macro_rules! check {
    ($input:expr, @$expected:literal) => {
        insta::assert_snapshot!(render_at($input, NOW_MS, 0), @$expected)
    };
    ($input:expr, $now:expr, $offset:expr, @$expected:literal) => {
        insta::assert_snapshot!(render_at($input, $now, $offset), @$expected)
    };
}

#[test]
fn durations_go_live() {
    check!("5h", @"live 5h");
    check!("90m", @"live 90m");
    check!("3d", @"live 3d");
    check!("2w", @"live 2w");
    check!("1mo", @"live 1mo");
    check!("  15 Minutes ", @"live 15m");
    check!("2 days", @"live 2d");
    check!("1 week", @"live 1w");
    check!("Past 3 hours", @"live 3h");
    check!("last hour", @"live 1h");
    check!("120s", @"live 2m");
    check!("60m", @"live 1h");
    check!("48h", @"live 2d");
}

#[test]
fn duration_errors() {
    check!("45s", @"error: `45s` is shorter than a minute, the shortest timeframe");
    check!("0h", @"error: `0h` is shorter than a minute, the shortest timeframe");
    check!("90s", @"error: `90s` is not a whole number of minutes");
    check!("400d", @"error: `400d` is longer than a year, the longest live timeframe: type dates instead (Jan 1 - Mar 1)");
    check!("99999999999999999999999h", @"error: `99999999999999999999999h` is longer than a year, the longest live timeframe: type dates instead (Jan 1 - Mar 1)");
    check!("h", @"error: could not read `h`: try 5h, since 10:00 or Jan 1 - Jan 2");
}

#[test]
fn since_a_time_of_day() {
    check!("since 10:00", @"paused 4h 2026-03-15 10:00 .. 2026-03-15 14:30");
    check!("since 9:30am", @"paused 4h 2026-03-15 09:30 .. 2026-03-15 14:30");
    check!("SINCE 9 pm", @"paused 1d 2026-03-14 21:00 .. 2026-03-15 14:30");
    check!("since 12am", @"paused 1d 2026-03-15 00:00 .. 2026-03-15 14:30");
    check!("since yesterday 10:00", @"paused 1d 2026-03-14 10:00 .. 2026-03-15 14:30");
    check!("since today at 8:15", @"paused 4h 2026-03-15 08:15 .. 2026-03-15 14:30");
    check!("since Mar 1", @"paused 1w 2026-03-01 00:00 .. 2026-03-15 14:30");
    check!("since 2026-03-15T08:00", @"paused 4h 2026-03-15 08:00 .. 2026-03-15 14:30");
    // Not yet 16:00 today: yesterday's.
    check!("since 16:00", @"paused 1d 2026-03-14 16:00 .. 2026-03-15 14:30");
    // Just after midnight, `since 23:00` is the last hour and a half.
    check!("since 23:00", 1_773_534_600_000, 0, @"paused 1h 2026-03-14 23:00 .. 2026-03-15 00:30");
    // At 00:30 in UTC+2 (22:30 UTC the day before), `since 10:00` is 10:00 local yesterday = 08:00 UTC.
    check!("since 10:00", 1_773_527_400_000, 120, @"paused 1d 2026-03-14 08:00 .. 2026-03-14 22:30");
}

#[test]
fn since_errors() {
    check!("since 25:00", @"error: `25:00` is not a time of day");
    check!("since 13pm", @"error: `13pm` is not a time of day");
    check!("since 9:7", @"error: `9:7` is not a time of day");
    check!("since 2027-01-01", @"error: `since 2027-01-01` has not come yet");
    check!("since today 23:00", @"error: `since today 23:00` has not come yet");
    check!("since lunch", @"error: could not read `since lunch`: try 5h, since 10:00 or Jan 1 - Jan 2");
}

#[test]
fn absolute_ranges() {
    // Whole days: `Jan 1 - Jan 2` is two days.
    check!("Jan 1 - Jan 2", @"paused 2d 2026-01-01 00:00 .. 2026-01-03 00:00");
    check!("Jan 1 10:00 - Jan 2 12:30", @"paused 1d 2026-01-01 10:00 .. 2026-01-02 12:30");
    check!("2026-01-01 - 2026-01-05", @"paused 1w 2026-01-01 00:00 .. 2026-01-06 00:00");
    check!("2026-01-01-2026-01-05", @"paused 1w 2026-01-01 00:00 .. 2026-01-06 00:00");
    check!("2026-01-01T10:00 to 2026-01-01T11:00", @"paused 1h 2026-01-01 10:00 .. 2026-01-01 11:00");
    check!("1/1 - 1/2", @"paused 2d 2026-01-01 00:00 .. 2026-01-03 00:00");
    check!("Jan 1-Jan 2", @"paused 2d 2026-01-01 00:00 .. 2026-01-03 00:00");
    check!("1 March 2026 – 3 March 2026", @"paused 2d 2026-03-01 00:00 .. 2026-03-04 00:00");
    check!("January 1st, 2025 - February 2nd, 2025", @"paused 1mo 2025-01-01 00:00 .. 2025-02-03 00:00");
    check!("Mar 14 22:00 - 02:00", @"paused 4h 2026-03-14 22:00 .. 2026-03-15 02:00");
    check!("Mar 15 9am - 11:30am", @"paused 1h 2026-03-15 09:00 .. 2026-03-15 11:30");
    check!("10:00 - 12:00", @"paused 1h 2026-03-15 10:00 .. 2026-03-15 12:00");
    check!("yesterday - today", @"paused 2d 2026-03-14 00:00 .. 2026-03-16 00:00");
    // A single date is that whole day.
    check!("Jan 1", @"paused 1d 2026-01-01 00:00 .. 2026-01-02 00:00");
    check!("yesterday", @"paused 1d 2026-03-14 00:00 .. 2026-03-15 00:00");
    check!("2024-02-29", @"paused 1d 2024-02-29 00:00 .. 2024-03-01 00:00");
}

#[test]
fn years_roll_over() {
    // In the future this year, so last year's.
    check!("Dec 30 - Dec 31", @"paused 2d 2025-12-30 00:00 .. 2026-01-01 00:00");
    // Starts last year, ends in this one.
    check!("Dec 30 - Jan 2", @"paused 2d 2025-12-30 00:00 .. 2026-01-03 00:00");
    // Typed on Jan 1 2026 at 08:00: Jan 1 is today, Dec 31 last year's.
    check!("Dec 31 - Jan 1", 1_767_254_400_000, 0, @"paused 2d 2025-12-31 00:00 .. 2026-01-02 00:00");
    // The offset decides which year it is: 23:00 UTC on Dec 31 2025 is already 2026 in UTC+2.
    check!("Jan 1", 1_767_222_000_000, 120, @"paused 1d 2025-12-31 22:00 .. 2026-01-01 22:00");
    check!("Jan 1", 1_767_222_000_000, 0, @"paused 1d 2025-01-01 00:00 .. 2025-01-02 00:00");
    // Feb 29 in a year without one: 2026 has none, nor 2025.
    check!("Feb 29", @"error: `Feb 29` is not a date");
}

#[test]
fn range_errors() {
    check!("Jan 40", @"error: `Jan 40` is not a date");
    check!("Jan 40 - Feb 2", @"error: `Jan 40` is not a date");
    check!("2026-02-30 - 2026-03-01", @"error: `2026-02-30` is not a date");
    check!("13/1", @"error: `13/1` is not a date");
    check!("1/5/26", @"error: `1/5/26` is not a date");
    check!("Jan 5 - Jan 2", @"error: the range ends before it starts");
    check!("Jan 5 10:00 - Jan 5 10:00", @"error: the range ends where it starts");
    check!("Jan 1 10:00", @"error: `Jan 1 10:00` is a moment, not a range: add an end (`Jan 1 10:00 - 12:00`) or write `since Jan 1 10:00`");
    check!("Jan 1 - soon", @"error: could not read `Jan 1 - soon`: try 5h, since 10:00 or Jan 1 - Jan 2");
    check!("foo", @"error: could not read `foo`: try 5h, since 10:00 or Jan 1 - Jan 2");
    check!("", @"error: type a timeframe: try 5h, since 10:00 or Jan 1 - Jan 2");
    check!("   ", @"error: type a timeframe: try 5h, since 10:00 or Jan 1 - Jan 2");
    check!("Jan", @"error: `Jan` is not a date");
}

#[test]
fn offsets_shift_wall_times_to_utc() {
    // Midnight in UTC+1 is 23:00 UTC the day before; in UTC-5 it is 05:00 UTC.
    check!("Jan 1", NOW_MS, 60, @"paused 1d 2025-12-31 23:00 .. 2026-01-01 23:00");
    check!("Jan 1", NOW_MS, -300, @"paused 1d 2026-01-01 05:00 .. 2026-01-02 05:00");
    // Absurd offsets are clamped to ±18 h rather than overflowing.
    check!("Jan 1", NOW_MS, i32::MAX, @"paused 1d 2025-12-31 06:00 .. 2026-01-01 06:00");
}

#[test]
fn extreme_clocks_do_not_panic() {
    for now in [i64::MIN, -1, 0, i64::MAX] {
        for input in [
            "since 10:00",
            "Jan 1 - Jan 2",
            "Dec 30 - Jan 2",
            "5h",
            "10:00 - 09:00",
        ] {
            let _ = parse_typed(input, now, 0);
            let _ = parse_typed(input, now, -1080);
        }
    }
}

proptest::proptest! {
    #[test]
    fn never_panics_on_any_text(input in ".{0,40}", now in proptest::num::i64::ANY, offset in proptest::num::i32::ANY) {
        let _ = parse_typed(&input, now, offset);
    }

    #[test]
    fn never_panics_on_near_misses(input in "[a-z0-9 :/,.-]{0,30}") {
        let _ = parse_typed(&input, NOW_MS, 0);
    }
}
