//! Timeframes: the relative spans the UI offers ("Past 5 Minutes" … "Past 1 Week"), their URL codes,
//! how often a live view of each refreshes, and the live/paused state that travels in the URL.
//!
//! Pure: functions that need the current time take `now_ms` (epoch milliseconds) as a parameter.

use std::fmt;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A relative span that ends "now", as offered by the timeframe picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Span {
    Past5Minutes,
    Past15Minutes,
    Past1Hour,
    Past4Hours,
    Past1Day,
    Past1Week,
}

impl Span {
    /// Every span, shortest first: the order of the picker.
    pub const ALL: [Span; 6] = [
        Span::Past5Minutes,
        Span::Past15Minutes,
        Span::Past1Hour,
        Span::Past4Hours,
        Span::Past1Day,
        Span::Past1Week,
    ];

    /// What a view shows when the URL names no span (Datadog's metrics explorer opens on an hour).
    pub const DEFAULT: Span = Span::Past1Hour;

    /// The short code used in URLs (`span=5m`).
    pub fn code(self) -> &'static str {
        match self {
            Span::Past5Minutes => "5m",
            Span::Past15Minutes => "15m",
            Span::Past1Hour => "1h",
            Span::Past4Hours => "4h",
            Span::Past1Day => "1d",
            Span::Past1Week => "1w",
        }
    }

    /// The inverse of [`Span::code`]; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Span> {
        Span::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The picker's label, e.g. "Past 5 Minutes".
    pub fn label(self) -> &'static str {
        match self {
            Span::Past5Minutes => "Past 5 Minutes",
            Span::Past15Minutes => "Past 15 Minutes",
            Span::Past1Hour => "Past 1 Hour",
            Span::Past4Hours => "Past 4 Hours",
            Span::Past1Day => "Past 1 Day",
            Span::Past1Week => "Past 1 Week",
        }
    }

    /// The span inside a sentence, e.g. "the past 5 minutes" in "No data … in the past 5 minutes".
    pub fn phrase(self) -> &'static str {
        match self {
            Span::Past5Minutes => "the past 5 minutes",
            Span::Past15Minutes => "the past 15 minutes",
            Span::Past1Hour => "the past hour",
            Span::Past4Hours => "the past 4 hours",
            Span::Past1Day => "the past day",
            Span::Past1Week => "the past week",
        }
    }

    pub fn duration_ms(self) -> i64 {
        match self {
            Span::Past5Minutes => 5 * MINUTE_MS,
            Span::Past15Minutes => 15 * MINUTE_MS,
            Span::Past1Hour => HOUR_MS,
            Span::Past4Hours => 4 * HOUR_MS,
            Span::Past1Day => DAY_MS,
            Span::Past1Week => 7 * DAY_MS,
        }
    }

    /// How often a live view of this span fetches again. Short spans refresh often because a new
    /// point moves them visibly; a week-long graph barely changes in five minutes.
    pub fn refresh_period_ms(self) -> i64 {
        match self {
            Span::Past5Minutes | Span::Past15Minutes => 10_000,
            Span::Past1Hour => 20_000,
            Span::Past4Hours => 60_000,
            Span::Past1Day | Span::Past1Week => 5 * MINUTE_MS,
        }
    }

    /// The window of this span that ends at `now_ms`.
    pub fn ending_at(self, now_ms: i64) -> TimeRange {
        TimeRange {
            from_ms: now_ms.saturating_sub(self.duration_ms()),
            to_ms: now_ms,
        }
    }

    /// The span whose duration is closest to `duration_ms`: used to label a frozen window and to
    /// pick its refresh period when it goes live again.
    pub fn nearest(duration_ms: i64) -> Span {
        Span::ALL
            .into_iter()
            .min_by_key(|s| (s.duration_ms() - duration_ms).unsigned_abs())
            .unwrap_or(Span::DEFAULT)
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
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
            assert_eq!(Span::from_code(span.code()), Some(span));
        }
        let labels: Vec<&str> = Span::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            labels,
            [
                "Past 5 Minutes",
                "Past 15 Minutes",
                "Past 1 Hour",
                "Past 4 Hours",
                "Past 1 Day",
                "Past 1 Week"
            ]
        );
        assert_eq!(Span::from_code("2h"), None);
        assert_eq!(Span::from_code(""), None);
        assert_eq!(Span::Past5Minutes.phrase(), "the past 5 minutes");
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
        assert_eq!(periods, [10_000, 10_000, 20_000, 60_000, 300_000, 300_000]);
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
            Timeframe::Live(Span::Past4Hours).pause(NOW_MS),
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
        assert_eq!(Span::nearest(30 * 86_400_000), Span::Past1Week);
        assert_eq!(Span::nearest(0), Span::Past5Minutes);
    }
}
