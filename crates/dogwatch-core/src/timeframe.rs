//! Timeframes: the relative spans the UI offers ("Past 5 Minutes" … "Past 1 Month") and any typed
//! duration ("Past 5 Hours"), their URL codes, how often a live view of each refreshes, the
//! live/paused state that travels in the URL, the time zone choice, and reading what a user types
//! into the picker (`typed.rs`).
//!
//! Pure: functions that need the current time take `now_ms` (epoch milliseconds) as a parameter, and
//! time zones are a fixed UTC offset given by the caller (there is no tz database here).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

pub mod typed;

pub use typed::{TypedRangeError, TypedRangeErrorKind, parse_typed};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

const HOUR_MIN: u32 = 60;
const DAY_MIN: u32 = 24 * HOUR_MIN;
const WEEK_MIN: u32 = 7 * DAY_MIN;
/// Datadog's "Past 1 Month" is 30 days; typed `mo` durations use the same month.
const MONTH_MIN: u32 = 30 * DAY_MIN;

/// A relative span that ends "now": one of the picker's presets, or any typed duration.
///
/// Equality, hashing and ordering go by the duration, so `Custom { minutes: 60 }` *is*
/// `Past1Hour` (and reports its code and label); [`Span::from_minutes`] returns the preset directly.
#[derive(Debug, Clone, Copy)]
pub enum Span {
    Past5Minutes,
    Past15Minutes,
    Past1Hour,
    Past4Hours,
    Past1Day,
    Past2Days,
    Past1Week,
    /// Past 1 Month: 30 days, as Datadog.
    Past1Month,
    /// A typed duration of whole minutes (at least 1), e.g. `5h` = 300.
    Custom {
        minutes: u32,
    },
}

impl Span {
    /// Every preset, shortest first: the order of the picker.
    pub const ALL: [Span; 8] = [
        Span::Past5Minutes,
        Span::Past15Minutes,
        Span::Past1Hour,
        Span::Past4Hours,
        Span::Past1Day,
        Span::Past2Days,
        Span::Past1Week,
        Span::Past1Month,
    ];

    /// What a view shows when the URL names no span (Datadog's metrics explorer opens on an hour).
    pub const DEFAULT: Span = Span::Past1Hour;

    /// The shortest span there is: durations are whole minutes.
    pub const MIN_MINUTES: u32 = 1;
    /// The longest typed span: a year (365 days). Longer windows are absolute ranges.
    pub const MAX_MINUTES: u32 = 365 * DAY_MIN;

    /// The span of `minutes` (the preset when one has that length); `None` outside
    /// [`Span::MIN_MINUTES`]..=[`Span::MAX_MINUTES`].
    pub fn from_minutes(minutes: u32) -> Option<Span> {
        if !(Self::MIN_MINUTES..=Self::MAX_MINUTES).contains(&minutes) {
            return None;
        }
        Some(
            Span::ALL
                .into_iter()
                .find(|s| s.minutes() == minutes)
                .unwrap_or(Span::Custom { minutes }),
        )
    }

    /// The length in whole minutes.
    pub fn minutes(self) -> u32 {
        match self {
            Span::Past5Minutes => 5,
            Span::Past15Minutes => 15,
            Span::Past1Hour => HOUR_MIN,
            Span::Past4Hours => 4 * HOUR_MIN,
            Span::Past1Day => DAY_MIN,
            Span::Past2Days => 2 * DAY_MIN,
            Span::Past1Week => WEEK_MIN,
            Span::Past1Month => MONTH_MIN,
            Span::Custom { minutes } => minutes,
        }
    }

    /// Whether this is one of [`Span::ALL`] (a `Custom` of a preset's length counts as that preset).
    pub fn is_preset(self) -> bool {
        Span::ALL.into_iter().any(|s| s.minutes() == self.minutes())
    }

    /// The count and unit the span is written in: the largest of month, week, day, hour, minute that
    /// divides it, so `90m` stays `90m` and `2880m` is `2d`.
    fn amount(self) -> (u32, Unit) {
        let minutes = self.minutes();
        [Unit::Month, Unit::Week, Unit::Day, Unit::Hour]
            .into_iter()
            .find(|u| minutes.is_multiple_of(u.minutes()))
            .map_or((minutes, Unit::Minute), |u| (minutes / u.minutes(), u))
    }

    /// The short code used in URLs (`span=5m`, `span=5h`, `span=1mo`).
    pub fn code(self) -> String {
        let (n, unit) = self.amount();
        format!("{n}{}", unit.code())
    }

    /// The inverse of [`Span::code`], and more: any duration [`parse_typed`] reads (`90m`, `3d`,
    /// `2 weeks`) between a minute and a year. `None` for anything else.
    pub fn from_code(code: &str) -> Option<Span> {
        typed::read_duration(&code.trim().to_lowercase())
            .and_then(Result::ok)
            .and_then(Span::from_minutes)
    }

    /// The picker's label, e.g. "Past 5 Minutes", "Past 1 Month", "Past 90 Minutes".
    pub fn label(self) -> String {
        let (n, unit) = self.amount();
        format!("Past {n} {}", unit.word(n, true))
    }

    /// The span inside a sentence, e.g. "the past 5 minutes" in "No data … in the past 5 minutes",
    /// "the past hour" for a single unit.
    pub fn phrase(self) -> String {
        match self.amount() {
            (1, unit) => format!("the past {}", unit.word(1, false)),
            (n, unit) => format!("the past {n} {}", unit.word(n, false)),
        }
    }

    pub fn duration_ms(self) -> i64 {
        i64::from(self.minutes()) * MINUTE_MS
    }

    /// How often a live view of this span fetches again. Short spans refresh often because a new
    /// point moves them visibly; a month-long graph barely changes in a quarter of an hour. A typed
    /// span refreshes like the longest preset that is not longer than it.
    pub fn refresh_period_ms(self) -> i64 {
        let minutes = self.minutes();
        if minutes <= 15 {
            10_000
        } else if minutes < 4 * HOUR_MIN {
            20_000
        } else if minutes < DAY_MIN {
            60_000
        } else if minutes < MONTH_MIN {
            5 * MINUTE_MS
        } else {
            15 * MINUTE_MS
        }
    }

    /// The window of this span that ends at `now_ms`.
    pub fn ending_at(self, now_ms: i64) -> TimeRange {
        TimeRange {
            from_ms: now_ms.saturating_sub(self.duration_ms()),
            to_ms: now_ms,
        }
    }

    /// The preset whose duration is closest to `duration_ms`: used to label a frozen window and to
    /// pick its refresh period when it goes live again.
    pub fn nearest(duration_ms: i64) -> Span {
        Span::ALL
            .into_iter()
            .min_by_key(|s| s.duration_ms().abs_diff(duration_ms))
            .unwrap_or(Span::DEFAULT)
    }
}

impl PartialEq for Span {
    fn eq(&self, other: &Span) -> bool {
        self.minutes() == other.minutes()
    }
}

impl Eq for Span {}

impl Hash for Span {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.minutes().hash(state);
    }
}

impl PartialOrd for Span {
    fn partial_cmp(&self, other: &Span) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Span {
    fn cmp(&self, other: &Span) -> Ordering {
        self.minutes().cmp(&other.minutes())
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The units a span is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Unit {
    fn minutes(self) -> u32 {
        match self {
            Unit::Minute => 1,
            Unit::Hour => HOUR_MIN,
            Unit::Day => DAY_MIN,
            Unit::Week => WEEK_MIN,
            Unit::Month => MONTH_MIN,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Unit::Minute => "m",
            Unit::Hour => "h",
            Unit::Day => "d",
            Unit::Week => "w",
            Unit::Month => "mo",
        }
    }

    /// "Minute"/"Minutes" (capitalised for labels) or "minute"/"minutes".
    fn word(self, n: u32, capital: bool) -> String {
        let word = match self {
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
        };
        let mut out = String::with_capacity(word.len() + 1);
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if capital {
                out.extend(first.to_uppercase());
            } else {
                out.push(first);
            }
        }
        out.extend(chars);
        if n != 1 {
            out.push('s');
        }
        out
    }
}

/// Which clock a view reads and writes wall times in; travels in the URL as `tz=browser|utc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Zone {
    /// The browser's own zone (JavaScript's `getTimezoneOffset`, negated).
    #[default]
    Browser,
    Utc,
}

impl Zone {
    /// Both zones, in the order a picker offers them.
    pub const ALL: [Zone; 2] = [Zone::Browser, Zone::Utc];

    /// The URL form: `browser` or `utc`.
    pub fn code(self) -> &'static str {
        match self {
            Zone::Browser => "browser",
            Zone::Utc => "utc",
        }
    }

    /// The inverse of [`Zone::code`], ignoring case and surrounding spaces; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Zone> {
        let code = code.trim();
        Zone::ALL
            .into_iter()
            .find(|z| z.code().eq_ignore_ascii_case(code))
    }

    /// The offset to pass to [`parse_typed`] and to format times with, given the browser's offset in
    /// minutes east of UTC.
    pub fn utc_offset_minutes(self, browser_offset_minutes: i32) -> i32 {
        match self {
            Zone::Browser => browser_offset_minutes,
            Zone::Utc => 0,
        }
    }
}

/// A window of time in epoch milliseconds, `from_ms` inclusive, `to_ms` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeRange {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl TimeRange {
    /// A range from two ends in either order; `None` when they are equal (an empty window shows nothing).
    pub fn new(a_ms: i64, b_ms: i64) -> Option<TimeRange> {
        match a_ms.cmp(&b_ms) {
            std::cmp::Ordering::Less => Some(TimeRange {
                from_ms: a_ms,
                to_ms: b_ms,
            }),
            std::cmp::Ordering::Greater => Some(TimeRange {
                from_ms: b_ms,
                to_ms: a_ms,
            }),
            std::cmp::Ordering::Equal => None,
        }
    }

    pub fn duration_ms(&self) -> i64 {
        self.to_ms - self.from_ms
    }

    /// The range in whole seconds for APIs that take `from`/`to` in seconds: widened outwards so
    /// that no millisecond of the window is lost.
    pub fn to_secs(&self) -> (i64, i64) {
        (
            self.from_ms.div_euclid(1000),
            (self.to_ms + 999).div_euclid(1000),
        )
    }
}

/// What a view is looking at: a span that follows the clock, or a window frozen in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeframe {
    /// The span ending now; refreshed every [`Span::refresh_period_ms`].
    Live(Span),
    /// A fixed window (paused, or a shared link to the past). `span` is what the picker shows and what
    /// the view goes back to when it resumes.
    Paused { span: Span, range: TimeRange },
}

impl Default for Timeframe {
    fn default() -> Self {
        Timeframe::Live(Span::DEFAULT)
    }
}

impl Timeframe {
    pub fn span(&self) -> Span {
        match *self {
            Timeframe::Live(span) | Timeframe::Paused { span, .. } => span,
        }
    }

    pub fn is_live(&self) -> bool {
        matches!(self, Timeframe::Live(_))
    }

    /// The window to show at `now_ms`.
    pub fn range(&self, now_ms: i64) -> TimeRange {
        match *self {
            Timeframe::Live(span) => span.ending_at(now_ms),
            Timeframe::Paused { range, .. } => range,
        }
    }

    /// Freezes the window shown at `now_ms`. Pausing a paused timeframe keeps its window.
    pub fn pause(self, now_ms: i64) -> Timeframe {
        match self {
            Timeframe::Live(span) => Timeframe::Paused {
                span,
                range: span.ending_at(now_ms),
            },
            paused @ Timeframe::Paused { .. } => paused,
        }
    }

    /// The window a zoom (a drag across a graph) or a history step selects: frozen there, labelled
    /// with the nearest preset.
    pub fn zoomed(range: TimeRange) -> Timeframe {
        Timeframe::Paused {
            span: Span::nearest(range.duration_ms()),
            range,
        }
    }

    /// Goes back to following the clock with the same span.
    pub fn resume(self) -> Timeframe {
        Timeframe::Live(self.span())
    }

    /// How often to fetch again; `None` while paused.
    pub fn refresh_period_ms(&self) -> Option<i64> {
        match self {
            Timeframe::Live(span) => Some(span.refresh_period_ms()),
            Timeframe::Paused { .. } => None,
        }
    }

    /// Reads the URL parameters `span`, `live`, `from_ts` and `to_ts` (milliseconds), as written by
    /// [`Timeframe::to_params`]. Anything missing or unreadable falls back to a live default rather than
    /// failing: a hand-edited link still opens a view.
    pub fn from_params(
        span: Option<&str>,
        live: Option<&str>,
        from_ts: Option<&str>,
        to_ts: Option<&str>,
    ) -> Timeframe {
        let parse_ms = |s: Option<&str>| s.and_then(|s| s.trim().parse::<i64>().ok());
        let range = match (parse_ms(from_ts), parse_ms(to_ts)) {
            (Some(a), Some(b)) => TimeRange::new(a, b),
            _ => None,
        };
        let span = span.and_then(Span::from_code);
        let paused = live.is_some_and(|l| l.trim() == "false");
        match (paused, range) {
            (true, Some(range)) => Timeframe::Paused {
                span: span.unwrap_or_else(|| Span::nearest(range.duration_ms())),
                range,
            },
            _ => Timeframe::Live(span.unwrap_or(Span::DEFAULT)),
        }
    }

    /// The URL parameters of this timeframe, in a stable order.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        match *self {
            Timeframe::Live(span) => vec![
                ("span", span.code().to_owned()),
                ("live", "true".to_owned()),
            ],
            Timeframe::Paused { span, range } => vec![
                ("span", span.code().to_owned()),
                ("live", "false".to_owned()),
                ("from_ts", range.from_ms.to_string()),
                ("to_ts", range.to_ms.to_string()),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_700_000_000_000;

    #[test]
    fn codes_round_trip_and_labels_read_like_the_picker() {
        for span in Span::ALL {
            assert_eq!(Span::from_code(&span.code()), Some(span));
            assert!(span.is_preset());
        }
        let codes: Vec<String> = Span::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["5m", "15m", "1h", "4h", "1d", "2d", "1w", "1mo"]);
        let labels: Vec<String> = Span::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            [
                "Past 5 Minutes",
                "Past 15 Minutes",
                "Past 1 Hour",
                "Past 4 Hours",
                "Past 1 Day",
                "Past 2 Days",
                "Past 1 Week",
                "Past 1 Month"
            ]
        );
        assert_eq!(Span::from_code(""), None);
        assert_eq!(Span::from_code("9y"), None);
        assert_eq!(Span::from_code("30s"), None);
        assert_eq!(Span::Past5Minutes.phrase(), "the past 5 minutes");
        assert_eq!(Span::Past1Hour.phrase(), "the past hour");
        assert_eq!(Span::Past1Month.phrase(), "the past month");
    }

    #[test]
    fn custom_spans_are_typed_durations() {
        let five_hours = Span::from_code("5h").unwrap();
        assert_eq!(five_hours, Span::Custom { minutes: 300 });
        assert!(!five_hours.is_preset());
        assert_eq!(five_hours.code(), "5h");
        assert_eq!(five_hours.label(), "Past 5 Hours");
        assert_eq!(five_hours.phrase(), "the past 5 hours");
        assert_eq!(five_hours.duration_ms(), 5 * 3_600_000);
        // Normalised: the largest unit that divides the length.
        assert_eq!(Span::from_code("90m").unwrap().code(), "90m");
        assert_eq!(Span::from_code("90m").unwrap().label(), "Past 90 Minutes");
        assert_eq!(Span::from_code("120m").unwrap().code(), "2h");
        assert_eq!(Span::from_code("14d").unwrap().code(), "2w");
        assert_eq!(Span::from_code("2 Weeks").unwrap().code(), "2w");
        assert_eq!(Span::from_code("60d").unwrap().label(), "Past 2 Months");
        assert_eq!(Span::from_code("1m").unwrap().label(), "Past 1 Minute");
        // A typed preset length is the preset, and equal to a Custom of the same length.
        assert_eq!(Span::from_code("60m"), Some(Span::Past1Hour));
        assert_eq!(Span::Custom { minutes: 60 }, Span::Past1Hour);
        assert_eq!(Span::Custom { minutes: 60 }.code(), "1h");
        assert_eq!(Span::from_minutes(0), None);
        assert_eq!(Span::from_minutes(Span::MAX_MINUTES + 1), None);
        assert!(Span::Past1Day < Span::Custom { minutes: 1441 });
        let set: std::collections::HashSet<Span> = [Span::Past1Hour, Span::Custom { minutes: 60 }]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn zones_have_url_codes() {
        assert_eq!(Zone::default(), Zone::Browser);
        for zone in Zone::ALL {
            assert_eq!(Zone::from_code(zone.code()), Some(zone));
        }
        assert_eq!(Zone::from_code(" UTC "), Some(Zone::Utc));
        assert_eq!(Zone::from_code("cet"), None);
        assert_eq!(Zone::Browser.utc_offset_minutes(120), 120);
        assert_eq!(Zone::Utc.utc_offset_minutes(120), 0);
    }

    #[test]
    fn zooming_freezes_a_window_labelled_with_the_nearest_preset() {
        let range = TimeRange::new(NOW_MS - 3 * 3_600_000, NOW_MS).unwrap();
        assert_eq!(
            Timeframe::zoomed(range),
            Timeframe::Paused {
                span: Span::Past4Hours,
                range
            }
        );
    }

    #[test]
    fn spans_end_at_now() {
        let r = Span::Past5Minutes.ending_at(NOW_MS);
        assert_eq!(
            r,
            TimeRange {
                from_ms: NOW_MS - 300_000,
                to_ms: NOW_MS
            }
        );
        assert_eq!(Span::Past1Week.ending_at(NOW_MS).duration_ms(), 604_800_000);
        assert_eq!(Span::Past1Day.ending_at(NOW_MS).duration_ms(), 86_400_000);
    }

    #[test]
    fn refresh_periods_follow_the_span() {
        let periods: Vec<i64> = Span::ALL.iter().map(|s| s.refresh_period_ms()).collect();
        assert_eq!(
            periods,
            [
                10_000, 10_000, 20_000, 60_000, 300_000, 300_000, 300_000, 900_000
            ]
        );
        let custom = |code| Span::from_code(code).unwrap().refresh_period_ms();
        assert_eq!(custom("2m"), 10_000);
        assert_eq!(custom("90m"), 20_000);
        assert_eq!(custom("5h"), 60_000);
        assert_eq!(custom("3d"), 300_000);
        assert_eq!(custom("2mo"), 900_000);
        assert_eq!(
            Timeframe::Live(Span::Past4Hours).refresh_period_ms(),
            Some(60_000)
        );
        assert_eq!(
            Timeframe::Live(Span::Past4Hours)
                .pause(NOW_MS)
                .refresh_period_ms(),
            None
        );
    }

    #[test]
    fn pausing_freezes_the_current_window_and_resuming_follows_the_clock_again() {
        let live = Timeframe::Live(Span::Past15Minutes);
        let paused = live.pause(NOW_MS);
        assert!(!paused.is_live());
        assert_eq!(
            paused.range(NOW_MS + 3_600_000),
            Span::Past15Minutes.ending_at(NOW_MS)
        );
        assert_eq!(
            paused.pause(NOW_MS + 5),
            paused,
            "pausing twice keeps the first window"
        );
        assert_eq!(paused.resume(), live);
        assert_eq!(
            live.range(NOW_MS + 1),
            Span::Past15Minutes.ending_at(NOW_MS + 1)
        );
    }

    #[test]
    fn url_params_round_trip() {
        for tf in [
            Timeframe::Live(Span::Past5Minutes),
            Timeframe::Live(Span::Past1Week),
            Timeframe::Live(Span::Past1Month),
            Timeframe::Live(Span::Custom { minutes: 300 }),
            Timeframe::Live(Span::Past4Hours).pause(NOW_MS),
            Timeframe::Live(Span::Custom { minutes: 90 }).pause(NOW_MS),
        ] {
            let params = tf.to_params();
            let get = |k: &str| {
                params
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(
                Timeframe::from_params(get("span"), get("live"), get("from_ts"), get("to_ts")),
                tf
            );
        }
        let paused = Timeframe::Live(Span::Past5Minutes)
            .pause(NOW_MS)
            .to_params();
        assert_eq!(
            paused,
            [
                ("span", "5m".to_owned()),
                ("live", "false".to_owned()),
                ("from_ts", (NOW_MS - 300_000).to_string()),
                ("to_ts", NOW_MS.to_string()),
            ]
        );
    }

    #[test]
    fn unreadable_params_fall_back_to_a_live_view() {
        assert_eq!(
            Timeframe::from_params(None, None, None, None),
            Timeframe::Live(Span::Past1Hour)
        );
        assert_eq!(
            Timeframe::from_params(Some("9y"), Some("true"), None, None),
            Timeframe::default()
        );
        // Paused without a window, or with a broken one: nothing to freeze, so live.
        assert_eq!(
            Timeframe::from_params(Some("5m"), Some("false"), Some("abc"), Some("1")),
            Timeframe::Live(Span::Past5Minutes)
        );
        assert_eq!(
            Timeframe::from_params(Some("5m"), Some("false"), Some("7"), Some("7")),
            Timeframe::Live(Span::Past5Minutes)
        );
        // Ends given in the wrong order are still one window; a missing span is guessed from it.
        assert_eq!(
            Timeframe::from_params(None, Some("false"), Some("5000000"), Some("1400000")),
            Timeframe::Paused {
                span: Span::Past1Hour,
                range: TimeRange {
                    from_ms: 1_400_000,
                    to_ms: 5_000_000
                }
            }
        );
    }

    #[test]
    fn ranges_widen_to_whole_seconds() {
        assert_eq!(
            TimeRange {
                from_ms: 1_999,
                to_ms: 5_001
            }
            .to_secs(),
            (1, 6)
        );
        assert_eq!(
            TimeRange {
                from_ms: 2_000,
                to_ms: 5_000
            }
            .to_secs(),
            (2, 5)
        );
        assert_eq!(
            TimeRange::new(10, 3),
            Some(TimeRange {
                from_ms: 3,
                to_ms: 10
            })
        );
    }

    #[test]
    fn nearest_span_for_odd_windows() {
        assert_eq!(Span::nearest(4 * 60_000), Span::Past5Minutes);
        assert_eq!(Span::nearest(3 * 3_600_000), Span::Past4Hours);
        assert_eq!(Span::nearest(30 * 86_400_000), Span::Past1Month);
        assert_eq!(Span::nearest(3 * 86_400_000), Span::Past2Days);
        assert_eq!(Span::nearest(400 * 86_400_000), Span::Past1Month);
        assert_eq!(Span::nearest(0), Span::Past5Minutes);
    }
}
