//! What a user types into the timeframe picker, read into a [`Timeframe`].
//!
//! Input is trimmed and read case-insensitively. The forms:
//!
//! - **A duration** → a live span: `5h`, `90m`, `3d`, `2w`, `1mo`, `120s`, `15 minutes`, `2 days`,
//!   `1 week`, `past 3 hours`, `last hour`. Units: `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`,
//!   `h`/`hr`/`hour(s)`, `d`/`day(s)`, `w`/`wk`/`week(s)`, `mo`/`month(s)` (30 days, as Datadog's
//!   "Past 1 Month"). Whole minutes from one minute to a year.
//! - **`since` a moment** → a paused window from then to now: `since 10:00`, `since 9:30am`,
//!   `since 9 pm`, `since yesterday 10:00`, `since Jan 5`, `since 2026-01-05 08:00`. A bare time of
//!   day is today's; if that is not yet past, yesterday's (so `since 23:00` typed at 00:30 means the
//!   last hour and a half).
//! - **An absolute range** `START - END` (also `to`, `–`, `—`, or an unspaced `-` where both sides are
//!   dates) → a paused window labelled with the nearest preset. Each side is a date with an
//!   optional time:
//!   dates `Jan 1`, `January 1st`, `Jan 1, 2026`, `1 Jan 2026`, `2026-01-01`, `1/2` and `1/2/2026`
//!   (US order: month/day), `today`, `yesterday`; times `10:00`, `9:30pm`, `9 am`, after the date
//!   or after `at`, or `T` in ISO form (`2026-01-01T10:00`). The end may be a time alone
//!   (`Jan 1 10:00 - 12:30`, the same day, or the next if that would be before the start); the start
//!   may be a time alone (`10:00 - 12:00`, today, or yesterday if it has not come yet).
//! - **A single date** (`Jan 1`, `yesterday`) → that whole day.
//!
//! Dates without a year are in the current year, or the previous one if the start would otherwise be
//! in the future; a yearless end in an earlier month than the start is in the following year, so
//! `Dec 30 - Jan 2` crosses New Year. A date without a time means its 00:00 at the start and the end
//! of the day (the next day's 00:00) at the end: `Jan 1 - Jan 2` covers two whole days, which is how
//! people read it. Ends in the future are kept (the graph shows the empty future).
//!
//! Wall times are converted with the caller's fixed `utc_offset_minutes` (minutes east of UTC: 0 for
//! UTC, JavaScript's `getTimezoneOffset()` negated for the browser's zone; clamped to ±18 hours).
//! There is no tz database in core, so a DST change inside a range is ignored: both ends use the
//! offset of now, and a range across a change is off by the change (usually an hour) at one end.

use std::fmt;

use super::{DAY_MS, MINUTE_MS, Span, TimeRange, Timeframe};
use chrono::{Datelike, NaiveDate};

/// Why typed text is not a timeframe. `Display` is the sentence the picker shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedRangeError {
    pub kind: TypedRangeErrorKind,
}

/// The kinds of [`TypedRangeError`]; texts are quoted as the user typed them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypedRangeErrorKind {
    /// Nothing but spaces.
    Empty,
    /// None of the forms fits.
    Unreadable { input: String },
    /// Shaped like a date but no such day (`Jan 40`, `2026-02-30`, `13/1`).
    NotADate { text: String },
    /// Shaped like a time but no such time of day (`25:00`, `13pm`, `9:7`).
    NotATime { text: String },
    /// The end is before the start (`Jan 5 - Jan 2`).
    EndsBeforeStart,
    /// The range starts and ends at the same moment.
    EmptyRange,
    /// A duration under a minute (`45s`, `0h`).
    TooShort { text: String },
    /// A duration over a year (`400d`).
    TooLong { text: String },
    /// A duration in seconds that is not whole minutes (`90s`).
    NotWholeMinutes { text: String },
    /// `since` a moment that has not come yet.
    StartsInFuture { text: String },
    /// A date with a time, or a time, alone: a moment rather than a window.
    NoEnd { text: String },
}

const TRY: &str = "try 5h, since 10:00 or Jan 1 - Jan 2";

impl fmt::Display for TypedRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TypedRangeErrorKind as K;
        match &self.kind {
            K::Empty => write!(f, "type a timeframe: {TRY}"),
            K::Unreadable { input } => write!(f, "could not read `{input}`: {TRY}"),
            K::NotADate { text } => write!(f, "`{text}` is not a date"),
            K::NotATime { text } => write!(f, "`{text}` is not a time of day"),
            K::EndsBeforeStart => f.write_str("the range ends before it starts"),
            K::EmptyRange => f.write_str("the range ends where it starts"),
            K::TooShort { text } => write!(
                f,
                "`{text}` is shorter than a minute, the shortest timeframe"
            ),
            K::TooLong { text } => write!(
                f,
                "`{text}` is longer than a year, the longest live timeframe: type dates instead (Jan 1 - Mar 1)"
            ),
            K::NotWholeMinutes { text } => write!(f, "`{text}` is not a whole number of minutes"),
            K::StartsInFuture { text } => write!(f, "`{text}` has not come yet"),
            K::NoEnd { text } => write!(
                f,
                "`{text}` is a moment, not a range: add an end (`Jan 1 10:00 - 12:00`) or write `since {text}`"
            ),
        }
    }
}

impl std::error::Error for TypedRangeError {}

type Kind = TypedRangeErrorKind;

/// Reads what was typed into the picker (see the module documentation for the forms) at `now_ms`,
/// with wall times at `utc_offset_minutes` east of UTC. Never panics.
pub fn parse_typed(
    input: &str,
    now_ms: i64,
    utc_offset_minutes: i32,
) -> Result<Timeframe, TypedRangeError> {
    let orig = input.trim();
    if orig.is_empty() {
        return Err(TypedRangeError { kind: Kind::Empty });
    }
    let low = normalise(orig);
    let cx = Cx {
        orig,
        low: &low,
        now_ms,
        offset_min: i64::from(utc_offset_minutes.clamp(-18 * 60, 18 * 60)),
    };
    cx.parse().map_err(|kind| TypedRangeError { kind })
}

/// ASCII lower case (so byte offsets match the original text, for quoting it in errors), with an ISO
/// `T` between date and time turned into a space.
fn normalise(orig: &str) -> String {
    let mut bytes = orig.to_ascii_lowercase().into_bytes();
    for i in 1..bytes.len().saturating_sub(1) {
        if bytes[i] == b't' && bytes[i - 1].is_ascii_digit() && bytes[i + 1].is_ascii_digit() {
            bytes[i] = b' ';
        }
    }
    // Only ASCII bytes were changed, into ASCII bytes: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Why a duration is not a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DurationProblem {
    TooShort,
    TooLong,
    NotWholeMinutes,
}

/// A duration in whole minutes from lower-cased, trimmed text: `None` when the text is not shaped
/// like a duration at all.
pub(super) fn read_duration(s: &str) -> Option<Result<u32, DurationProblem>> {
    let (prefixed, rest) = match strip_word(s, "past").or_else(|| strip_word(s, "last")) {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, unit) = (&rest[..digits_end], rest[digits_end..].trim_start());
    let unit_secs: u64 = match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "wk" | "wks" | "week" | "weeks" => 604_800,
        "mo" | "mos" | "month" | "months" => 30 * 86_400,
        _ => return None,
    };
    let count: u64 = if digits.is_empty() {
        // "past hour", but not a bare "h".
        if !prefixed {
            return None;
        }
        1
    } else {
        match digits.parse() {
            Ok(n) => n,
            // Only digits, so the only failure is a number too large for u64.
            Err(_) => return Some(Err(DurationProblem::TooLong)),
        }
    };
    let Some(secs) = count.checked_mul(unit_secs) else {
        return Some(Err(DurationProblem::TooLong));
    };
    Some(if secs < 60 {
        Err(DurationProblem::TooShort)
    } else if !secs.is_multiple_of(60) {
        Err(DurationProblem::NotWholeMinutes)
    } else if secs / 60 > u64::from(Span::MAX_MINUTES) {
        Err(DurationProblem::TooLong)
    } else {
        u32::try_from(secs / 60).map_err(|_| DurationProblem::TooLong)
    })
}

/// `s` without a leading `word` followed by whitespace, trimmed; `None` if it does not start so.
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(word)?;
    rest.starts_with(char::is_whitespace)
        .then(|| rest.trim_start())
}

/// A calendar day as typed.
#[derive(Debug, Clone, Copy)]
enum Day<'a> {
    /// A date; `text` is the typed form (lower-cased slice) for error messages.
    Civil {
        year: Option<i32>,
        month: u32,
        day: u32,
        text: &'a str,
    },
    /// Days from today: `today` 0, `yesterday` -1.
    Relative(i64),
}

/// A date, a time of day, or both.
#[derive(Debug, Clone, Copy)]
struct Moment<'a> {
    day: Option<Day<'a>>,
    /// Minutes after midnight.
    time: Option<i64>,
}

/// The reading context: the trimmed original, its lower-cased twin (same byte offsets), the time.
struct Cx<'a> {
    orig: &'a str,
    low: &'a str,
    now_ms: i64,
    offset_min: i64,
}

impl<'a> Cx<'a> {
    /// The original text of a slice of `self.low`.
    fn text(&self, part: &str) -> String {
        let start = (part.as_ptr() as usize).wrapping_sub(self.low.as_ptr() as usize);
        self.orig
            .get(start..start.saturating_add(part.len()))
            .unwrap_or(part)
            .to_owned()
    }

    fn unreadable(&self) -> Kind {
        Kind::Unreadable {
            input: self.orig.to_owned(),
        }
    }

    fn parse(&self) -> Result<Timeframe, Kind> {
        let s = self.low;
        if let Some(duration) = read_duration(s) {
            let text = self.orig.to_owned();
            return match duration {
                Ok(minutes) => Span::from_minutes(minutes)
                    .map(Timeframe::Live)
                    .ok_or(Kind::TooLong { text }),
                Err(DurationProblem::TooShort) => Err(Kind::TooShort { text }),
                Err(DurationProblem::TooLong) => Err(Kind::TooLong { text }),
                Err(DurationProblem::NotWholeMinutes) => Err(Kind::NotWholeMinutes { text }),
            };
        }
        if let Some(rest) = strip_word(s, "since") {
            return self.since(rest);
        }
        for sep in [" to ", " until ", " - ", "–", "—"] {
            if let Some(i) = s.find(sep) {
                return self.between(s[..i].trim(), s[i + sep.len()..].trim());
            }
        }
        let whole = self.read_moment(s);
        if let Ok(Some(moment)) = whole {
            return match moment {
                Moment {
                    day: Some(day),
                    time: None,
                } => {
                    let (start_day, start_ms) = self.resolve_start(day, 0)?;
                    self.window(start_ms, self.wall_ms(start_day.saturating_add(1), 0))
                }
                _ => Err(Kind::NoEnd {
                    text: self.orig.to_owned(),
                }),
            };
        }
        // `Jan 1-Jan 2`, `1/1-1/2`, `2026-01-01-2026-01-05`: the first hyphen with a moment on
        // either side.
        for (i, _) in s.match_indices('-') {
            let (a, b) = (s[..i].trim(), s[i + 1..].trim());
            if matches!(self.read_moment(a), Ok(Some(_)))
                && matches!(self.read_moment(b), Ok(Some(_)))
            {
                return self.between(a, b);
            }
        }
        match whole {
            Err(kind) => Err(kind),
            Ok(_) => Err(self.unreadable()),
        }
    }

    fn since(&self, rest: &str) -> Result<Timeframe, Kind> {
        let moment = self.read_moment(rest)?.ok_or_else(|| self.unreadable())?;
        let minute = moment.time.unwrap_or(0);
        let start_ms = match moment.day {
            None => self.resolve_time_only(minute).1,
            Some(day) => self.resolve_start(day, minute)?.1,
        };
        if start_ms >= self.now_ms {
            return Err(Kind::StartsInFuture {
                text: self.orig.to_owned(),
            });
        }
        self.window(start_ms, self.now_ms)
    }

    fn between(&self, a: &str, b: &str) -> Result<Timeframe, Kind> {
        let start = self.read_moment(a)?.ok_or_else(|| self.unreadable())?;
        let end = self.read_moment(b)?.ok_or_else(|| self.unreadable())?;
        let start_minute = start.time.unwrap_or(0);
        let (start_day, start_ms) = match start.day {
            None => self.resolve_time_only(start_minute),
            Some(day) => self.resolve_start(day, start_minute)?,
        };
        let end_ms = match (end.day, end.time) {
            (None, None) => return Err(self.unreadable()),
            // A time alone: the start's day, or the next if that would not be after the start.
            (None, Some(minute)) => {
                let same_day = self.wall_ms(start_day, minute);
                if same_day > start_ms {
                    same_day
                } else {
                    self.wall_ms(start_day.saturating_add(1), minute)
                }
            }
            (Some(day), time) => {
                let end_day = self.resolve_end_day(day, start_day)?;
                match time {
                    Some(minute) => self.wall_ms(end_day, minute),
                    None => self.wall_ms(end_day.saturating_add(1), 0),
                }
            }
        };
        self.window(start_ms, end_ms)
    }

    fn window(&self, from_ms: i64, to_ms: i64) -> Result<Timeframe, Kind> {
        match from_ms.cmp(&to_ms) {
            std::cmp::Ordering::Less => Ok(Timeframe::zoomed(TimeRange { from_ms, to_ms })),
            std::cmp::Ordering::Equal => Err(Kind::EmptyRange),
            std::cmp::Ordering::Greater => Err(Kind::EndsBeforeStart),
        }
    }

    /// Today's day number in the caller's offset.
    fn today(&self) -> i64 {
        self.now_ms
            .saturating_add(self.offset_min.saturating_mul(MINUTE_MS))
            .div_euclid(DAY_MS)
    }

    /// Epoch milliseconds of a wall time: day number and minutes after midnight.
    fn wall_ms(&self, day: i64, minute: i64) -> i64 {
        day.saturating_mul(24 * 60)
            .saturating_add(minute)
            .saturating_sub(self.offset_min)
            .saturating_mul(MINUTE_MS)
    }

    /// A time of day alone: today's, or yesterday's when today's has not passed yet.
    fn resolve_time_only(&self, minute: i64) -> (i64, i64) {
        let today = self.today();
        let ms = self.wall_ms(today, minute);
        if ms < self.now_ms {
            (today, ms)
        } else {
            let yesterday = today.saturating_sub(1);
            (yesterday, self.wall_ms(yesterday, minute))
        }
    }

    /// The day number and epoch milliseconds of a start; a yearless date takes the current year, or
    /// the previous one if it would be in the future.
    fn resolve_start(&self, day: Day<'_>, minute: i64) -> Result<(i64, i64), Kind> {
        let today = self.today();
        let number = match day {
            Day::Relative(k) => today.saturating_add(k),
            Day::Civil {
                year: Some(year),
                month,
                day,
                text,
            } => self.day_number(year, month, day, text)?,
            Day::Civil {
                year: None,
                month,
                day,
                text,
            } => {
                let current = date_of(today).year();
                let this_year = NaiveDate::from_ymd_opt(current, month, day)
                    .map(day_number)
                    .filter(|&d| self.wall_ms(d, minute) <= self.now_ms);
                match this_year {
                    Some(d) => d,
                    None => self.day_number(current.saturating_sub(1), month, day, text)?,
                }
            }
        };
        Ok((number, self.wall_ms(number, minute)))
    }

    /// The day number of an end; a yearless date takes the start's year, or the next one when its
    /// month is before the start's (`Dec 30 - Jan 2`).
    fn resolve_end_day(&self, day: Day<'_>, start_day: i64) -> Result<i64, Kind> {
        match day {
            Day::Relative(k) => Ok(self.today().saturating_add(k)),
            Day::Civil {
                year: Some(year),
                month,
                day,
                text,
            } => self.day_number(year, month, day, text),
            Day::Civil {
                year: None,
                month,
                day,
                text,
            } => {
                let start = date_of(start_day);
                let (start_year, start_month) = (start.year(), start.month());
                let year = if month < start_month {
                    start_year.saturating_add(1)
                } else {
                    start_year
                };
                self.day_number(year, month, day, text)
            }
        }
    }

    fn day_number(&self, year: i32, month: u32, day: u32, text: &str) -> Result<i64, Kind> {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            Ok(day_number(date))
        } else {
            Err(Kind::NotADate {
                text: self.text(text),
            })
        }
    }

    /// A date, a time, or a date and a time; `Ok(None)` when `s` is shaped like none of them.
    fn read_moment(&self, s: &'a str) -> Result<Option<Moment<'a>>, Kind> {
        if let Some(minute) = self.read_time(s)? {
            return Ok(Some(Moment {
                day: None,
                time: Some(minute),
            }));
        }
        let words = words(s);
        let Some((day, used)) = self.read_day(s, &words)? else {
            return Ok(None);
        };
        let mut rest = &words[used..];
        if rest.first().is_some_and(|&(_, w)| w == "at") {
            rest = &rest[1..];
        }
        let time = match rest.first() {
            None => None,
            Some(&(at, _)) => match self.read_time(&s[at..])? {
                Some(minute) => Some(minute),
                None => return Err(self.unreadable()),
            },
        };
        Ok(Some(Moment {
            day: Some(day),
            time,
        }))
    }

    /// A time of day in minutes after midnight: `10:00`, `9:30pm`, `9 am`, `12am` (midnight).
    /// `Ok(None)` unless shaped `H[:MM]` with a colon or am/pm.
    fn read_time(&self, s: &str) -> Result<Option<i64>, Kind> {
        let (clock, meridiem) = if let Some(c) = s.strip_suffix("am") {
            (c.trim_end(), Some(false))
        } else if let Some(c) = s.strip_suffix("pm") {
            (c.trim_end(), Some(true))
        } else {
            (s, None)
        };
        let (hour, minute) = match clock.split_once(':') {
            Some((h, m)) => (h, Some(m)),
            None => (clock, None),
        };
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(hour) || !minute.is_none_or(digits) || (minute.is_none() && meridiem.is_none()) {
            return Ok(None);
        }
        let bad = || Kind::NotATime { text: self.text(s) };
        if hour.len() > 2 || minute.is_some_and(|m| m.len() != 2) {
            return Err(bad());
        }
        let h: i64 = hour.parse().map_err(|_| bad())?;
        let m: i64 = minute.map_or(Ok(0), str::parse).map_err(|_| bad())?;
        let h = match meridiem {
            None if h <= 23 => h,
            Some(pm) if (1..=12).contains(&h) => h % 12 + if pm { 12 } else { 0 },
            _ => return Err(bad()),
        };
        if m > 59 {
            return Err(bad());
        }
        Ok(Some(h * 60 + m))
    }

    /// A date at the start of `words` (of `s`) and how many words it took; `Ok(None)` when the
    /// first word starts no date.
    fn read_day(
        &self,
        s: &'a str,
        words: &[(usize, &'a str)],
    ) -> Result<Option<(Day<'a>, usize)>, Kind> {
        let Some(&(_, first)) = words.first() else {
            return Ok(None);
        };
        let span = |n: usize| {
            let (start, _) = words[0];
            let (at, w) = words[n.min(words.len()) - 1];
            &s[start..at + w.len()]
        };
        let not_a_date = |n: usize| Kind::NotADate {
            text: self.text(span(n)),
        };
        let year_at = |i: usize| {
            words
                .get(i)
                .filter(|(_, w)| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|(_, w)| w.parse::<i32>().ok())
        };
        match first {
            "today" => return Ok(Some((Day::Relative(0), 1))),
            "yesterday" => return Ok(Some((Day::Relative(-1), 1))),
            _ => {}
        }
        // `Jan 1`, `January 1st, 2026`, or `1 Jan 2026`.
        let named = if let Some(month) = month_number(first) {
            let day = words.get(1).and_then(|&(_, w)| day_of_month(w));
            Some((month, day.ok_or_else(|| not_a_date(2))?))
        } else if let (Some(day), Some(month)) = (
            day_of_month(first),
            words.get(1).and_then(|&(_, w)| month_number(w)),
        ) {
            Some((month, day))
        } else {
            None
        };
        if let Some((month, day)) = named {
            let year = year_at(2);
            let used = if year.is_some() { 3 } else { 2 };
            return self.checked(year, month, day, span(used), not_a_date(used), used);
        }
        let numbers = |sep: char| -> Option<Vec<u32>> {
            first
                .split(sep)
                .map(|p| {
                    (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| p.parse().ok())
                        .flatten()
                })
                .collect()
        };
        let text = span(1);
        // `2026-01-05`.
        if let Some(parts) = numbers('-') {
            if let ([year, month, day], Some(4)) = (&parts[..], first.find('-')) {
                let year = i32::try_from(*year).ok();
                return self.checked(year, *month, *day, text, not_a_date(1), 1);
            }
            return Ok(None);
        }
        // `1/5` or `1/5/2026`.
        if let Some(parts) = numbers('/') {
            return match parts[..] {
                [month, day] => self.checked(None, month, day, text, not_a_date(1), 1),
                // Four-digit years only: `1/5/26` is not guessed at.
                [month, day, year] if year >= 1000 => {
                    let year = i32::try_from(year).ok();
                    self.checked(year, month, day, text, not_a_date(1), 1)
                }
                [_, _, _] => Err(not_a_date(1)),
                _ => Ok(None),
            };
        }
        Ok(None)
    }

    /// A typed date if it can exist (a yearless one in some year: Feb 29 passes here).
    fn checked(
        &self,
        year: Option<i32>,
        month: u32,
        day: u32,
        text: &'a str,
        error: Kind,
        used: usize,
    ) -> Result<Option<(Day<'a>, usize)>, Kind> {
        let possible = match year {
            Some(year) => NaiveDate::from_ymd_opt(year, month, day).is_some(),
            // 2000 is a leap year: Feb 29 is possible until the year is known.
            None => NaiveDate::from_ymd_opt(2000, month, day).is_some(),
        };
        if !possible {
            return Err(error);
        }
        Ok(Some((
            Day::Civil {
                year,
                month,
                day,
                text,
            },
            used,
        )))
    }
}

/// Words split on whitespace and commas, with their byte offsets.
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let sep = c.is_whitespace() || c == ',';
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(at), true) => {
                out.push((at, &s[at..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = word.strip_suffix('.').unwrap_or(word);
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            *m == word
                || (word.len() == 3 && m.starts_with(word))
                || word == "sept" && *m == "september"
        })
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `1`, `01`, `1st`, `22nd`: a day-of-month number (not checked against the month).
fn day_of_month(word: &str) -> Option<u32> {
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| word.strip_suffix(s))
        .unwrap_or(word);
    (!digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// chrono counts days from 0001-01-01 (day 1); timeframes count them from the Unix epoch (day 0).
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// Days since 1970-01-01 of `date`.
fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - EPOCH_DAYS_FROM_CE
}

/// The date of a day number (clamped to chrono's range, some 262,000 years either way).
fn date_of(day_number: i64) -> NaiveDate {
    let days = day_number.saturating_add(EPOCH_DAYS_FROM_CE);
    let days = i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX });
    NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

#[cfg(test)]
mod tests;
