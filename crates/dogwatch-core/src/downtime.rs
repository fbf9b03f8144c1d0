//! Downtimes: when monitors stay quiet, and which of them.
//!
//! A downtime is stored as a [`Spec`], whichever API version made it (`v1.rs` and `v2.rs` read and
//! write Datadog's two shapes). Its [`Schedule`] answers when it is active: one window, or
//! recurrences, each a local start, a wall-clock duration and an RFC 5545 rule (the `rrule` crate)
//! in an IANA zone (`chrono-tz`).
//!
//! Local time, DST: the rule is iterated over the zone's *wall clock* (local date-times handed to
//! `rrule` as if they were UTC, so the crate never sees a DST change), and each occurrence's start
//! and end are then placed in the zone. So a 19:00 start stays 19:00 local on both sides of a
//! change, and a window has the wall-clock length that was asked for: 19:00 → 09:00 lasts 14 h on
//! the clock, which is 15 h of real time across the autumn change and 13 h across the spring one.
//! A local time that does not exist (inside the spring gap) is read with the offset before the
//! gap, as RFC 5545 says (02:30 becomes 03:30); one that exists twice (the autumn repeat) is the
//! first of the two for a start and the second for an end, so the window never comes up short.
//! Both are flagged on the [`Occurrence`].
//!
//! Everything here is pure: the time is always an argument.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};

use rrule::{RRule, RRuleSet, Unvalidated};
use serde::{Deserialize, Serialize};

mod scope;
mod v1;
mod v2;

pub use chrono_tz::Tz;
pub use scope::{monitor_matches, parse_scope, scope_matches};
pub use v1::{from_v1, merge_v1, to_v1};
pub use v2::{format_duration, from_v2, merge_v2, parse_duration, to_v2};

/// How local date-times are written in a [`Spec`] and in v2's recurrences.
pub const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Most occurrences a schedule looks at to answer one question (a daily rule covers 270 years).
const MAX_STEPS: usize = 100_000;

/// A downtime as dogwatch stores it: what it silences, when, and whom it tells.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Spec {
    /// Group scope: every term must match a group's tags (`*` alone matches every group).
    pub scope: Vec<String>,
    /// The one monitor silenced; else every monitor carrying all `monitor_tags`.
    pub monitor_id: Option<i64>,
    /// `["*"]`: every monitor.
    pub monitor_tags: Vec<String>,
    /// The IANA zone the schedule repeats in.
    pub timezone: String,
    /// The zone times are shown in.
    pub display_timezone: String,
    pub schedule: ScheduleSpec,
    /// Told (its @mentions) when the downtime starts and ends.
    pub message: String,
    /// `expired` and/or `canceled`: which ends are notified (the message's @mentions, and the
    /// monitors still in one of `notify_end_states`).
    pub notify_end_types: Vec<String>,
    /// `alert`, `warn`, `no data`.
    pub notify_end_states: Vec<String>,
    /// A group that was not re-notified when the downtime ended does not notify its first recovery.
    pub mute_first_recovery_notification: bool,
    /// What a v1 client sent, echoed by the v1 API as it was sent.
    #[serde(default)]
    pub v1: Option<V1Echo>,
}

/// The v1 members a recurring schedule is made from (start, end and recurrence as sent).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct V1Echo {
    pub start: i64,
    pub end: Option<i64>,
    pub recurrence: Option<crate::wire::DowntimeRecurrence>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScheduleSpec {
    /// One window; no end: until canceled.
    OneTime {
        start_ms: i64,
        end_ms: Option<i64>,
    },
    Recurring {
        recurrences: Vec<RecurrenceSpec>,
    },
}

/// One recurrence: occurrences start at `start`'s local time on the days `rrule` gives, and last
/// `duration_secs` on the wall clock.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct RecurrenceSpec {
    /// Local date-time in [`LOCAL_FORMAT`]: the first occurrence.
    pub start: String,
    pub duration_secs: i64,
    /// RFC 5545 RRULE without DTSTART; an UNTIL is a UTC instant (`…Z`).
    pub rrule: String,
}

pub const DEFAULT_END_TYPES: [&str; 1] = ["expired"];
pub const DEFAULT_END_STATES: [&str; 3] = ["alert", "no data", "warn"];

impl Spec {
    /// The schedule; `Err` says what is wrong (in the words of the API's 400 answers).
    pub fn schedule(&self) -> Result<Schedule, String> {
        let zone = parse_zone(&self.timezone)?;
        match &self.schedule {
            ScheduleSpec::OneTime { start_ms, end_ms } => Ok(Schedule {
                zone,
                once: Some((*start_ms, *end_ms)),
                rules: Vec::new(),
            }),
            ScheduleSpec::Recurring { recurrences } => {
                if recurrences.is_empty() {
                    return Err("A recurring schedule needs at least one recurrence.".into());
                }
                let rules = recurrences
                    .iter()
                    .map(|r| Rule::new(zone, r))
                    .collect::<Result<_, _>>()?;
                Ok(Schedule {
                    zone,
                    once: None,
                    rules,
                })
            }
        }
    }

    /// Takes `old`'s schedule and zones (and what a v1 client sent): for an update that does not
    /// touch the schedule, which a round trip through the other API version's shape would
    /// otherwise change (v1 holds one recurrence, v2 no v1 recurrence type).
    pub fn keep_schedule_of(&mut self, old: &Spec) {
        self.schedule = old.schedule.clone();
        self.timezone = old.timezone.clone();
        self.v1 = old.v1.clone();
    }

    /// Whether `end` (`expired` or `canceled`) is notified.
    pub fn notifies_end(&self, end: &str) -> bool {
        self.notify_end_types.iter().any(|t| t == end)
    }
}

/// A stored downtime: its spec and what the store knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub spec: Spec,
    /// The @handle of who made it.
    pub creator: Option<String>,
    pub creator_id: Option<i64>,
    pub created_ms: i64,
    pub modified_ms: i64,
    pub canceled_ms: Option<i64>,
}

impl Record {
    /// `canceled`, `active`, `scheduled` or `ended` at `now_ms`.
    pub fn status(&self, now_ms: i64) -> &'static str {
        if self.canceled_ms.is_some() {
            return "canceled";
        }
        match self.spec.schedule() {
            Ok(s) if s.active_at(now_ms).is_some() => "active",
            Ok(s) if !s.is_over(now_ms) => "scheduled",
            _ => "ended",
        }
    }

    /// Whether this downtime is for the monitor `id` tagged `tags` (some or all of its groups).
    pub fn applies_to(&self, id: i64, tags: &[String]) -> bool {
        monitor_matches(self.spec.monitor_id, &self.spec.monitor_tags, id, tags)
    }

    /// This downtime as a monitor's `matching_downtimes` item, if it is active or still to come at
    /// `now_ms` (worked out once, then given to every monitor it [`applies_to`](Self::applies_to)).
    pub fn matching(&self, now_ms: i64) -> Option<crate::wire::MatchingDowntime> {
        let window = self.current_or_next(now_ms)?;
        Some(crate::wire::MatchingDowntime {
            id: self.id,
            start: window.start_ms.div_euclid(1000),
            end: window.end_ms.map(|e| e.div_euclid(1000)),
            scope: self.spec.scope.clone(),
            active: window.contains(now_ms),
        })
    }

    /// The window active at `now_ms`, else the next one (none once canceled or over).
    pub fn current_or_next(&self, now_ms: i64) -> Option<Occurrence> {
        if self.canceled_ms.is_some() {
            return None;
        }
        self.spec
            .schedule()
            .ok()?
            .next_occurrences(now_ms, 1)
            .into_iter()
            .next()
    }
}

/// An IANA zone by name (`UTC` included).
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>()
        .map_err(|_| format!("Invalid timezone: '{name}' is not an IANA time zone."))
}

/// When a downtime is active.
#[derive(Debug, Clone)]
pub struct Schedule {
    zone: Tz,
    once: Option<(i64, Option<i64>)>,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    start: NaiveDateTime,
    duration: Duration,
    set: RRuleSet,
}

/// How a local time was placed in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Placed {
    #[default]
    Exact,
    /// It fell in the spring gap and was moved forward by it.
    Skipped,
    /// It exists twice (the autumn repeat): a start takes the first, an end the second.
    Repeated,
}

/// One window of a schedule, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub start_ms: i64,
    /// `None`: until canceled.
    pub end_ms: Option<i64>,
    pub start_placed: Placed,
    pub end_placed: Placed,
    /// The zone's offset changes during the window (its real length differs from the clock's).
    pub offset_changes: bool,
}

impl Placed {
    pub fn as_str(self) -> &'static str {
        match self {
            Placed::Exact => "exact",
            Placed::Skipped => "skipped",
            Placed::Repeated => "repeated",
        }
    }
}

impl Occurrence {
    pub fn contains(&self, t_ms: i64) -> bool {
        self.start_ms <= t_ms && self.end_ms.is_none_or(|end| t_ms < end)
    }
}

impl Schedule {
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The window active at `t_ms`, if any (of overlapping ones, the one that started first).
    pub fn active_at(&self, t_ms: i64) -> Option<Occurrence> {
        self.windows_until(t_ms, t_ms)
            .into_iter()
            .filter(|o| o.contains(t_ms))
            .min_by_key(|o| o.start_ms)
    }

    /// The first `n` windows that have not ended by `from_ms` (the active one included), by start.
    pub fn next_occurrences(&self, from_ms: i64, n: usize) -> Vec<Occurrence> {
        let mut all = Vec::new();
        if let Some((start, end)) = self.once
            && end.is_none_or(|end| end > from_ms)
        {
            all.push(self.one_time(start, end));
        }
        for rule in &self.rules {
            all.extend(
                rule.occurrences(self.zone)
                    .filter(|o| o.end_ms.is_none_or(|end| end > from_ms))
                    .take(n),
            );
        }
        all.sort_by_key(|o| o.start_ms);
        all.truncate(n);
        all
    }

    /// The windows that overlap `[from_ms, to_ms)`, by start.
    pub fn between(&self, from_ms: i64, to_ms: i64) -> Vec<Occurrence> {
        let mut all: Vec<Occurrence> = self
            .windows_until(from_ms, to_ms)
            .into_iter()
            .filter(|o| o.start_ms < to_ms)
            .collect();
        all.sort_by_key(|o| o.start_ms);
        all
    }

    /// Whether no window starts or lasts after `t_ms`.
    pub fn is_over(&self, t_ms: i64) -> bool {
        self.next_occurrences(t_ms, 1).is_empty()
    }

    /// Windows that have not ended by `from_ms` and start at or before `to_ms`.
    fn windows_until(&self, from_ms: i64, to_ms: i64) -> Vec<Occurrence> {
        let mut all = Vec::new();
        if let Some((start, end)) = self.once {
            let o = self.one_time(start, end);
            if o.end_ms.is_none_or(|end| end > from_ms) && o.start_ms <= to_ms {
                all.push(o);
            }
        }
        for rule in &self.rules {
            all.extend(
                rule.occurrences(self.zone)
                    .take_while(|o| o.start_ms <= to_ms)
                    .filter(|o| o.end_ms.is_none_or(|end| end > from_ms)),
            );
        }
        all
    }

    fn one_time(&self, start_ms: i64, end_ms: Option<i64>) -> Occurrence {
        Occurrence {
            start_ms,
            end_ms,
            start_placed: Placed::Exact,
            end_placed: Placed::Exact,
            offset_changes: end_ms
                .is_some_and(|end| offset_secs(self.zone, start_ms) != offset_secs(self.zone, end)),
        }
    }

    /// The instants in `[from_ms, to_ms)` at which the zone's offset changes, with the offsets
    /// before and after (seconds east of UTC).
    pub fn offset_changes(&self, from_ms: i64, to_ms: i64) -> Vec<(i64, i32, i32)> {
        offset_changes(self.zone, from_ms, to_ms)
    }
}

/// See [`Schedule::offset_changes`]; found to the minute.
pub fn offset_changes(zone: Tz, from_ms: i64, to_ms: i64) -> Vec<(i64, i32, i32)> {
    const HOUR: i64 = 3_600_000;
    let mut found = Vec::new();
    let mut t = from_ms;
    let mut before = offset_secs(zone, t);
    while t < to_ms {
        let next = (t + HOUR).min(to_ms);
        let after = offset_secs(zone, next);
        if after != before {
            // Narrow to the minute: the last minute still at `before`.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 60_000 {
                let mid = lo + (hi - lo) / 2;
                if offset_secs(zone, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push((hi - hi.rem_euclid(60_000), before, after));
            before = after;
        }
        t = next;
    }
    found
}

fn offset_secs(zone: Tz, t_ms: i64) -> i32 {
    match DateTime::<Utc>::from_timestamp_millis(t_ms) {
        Some(t) => zone
            .offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
        None => 0,
    }
}

/// The local wall-clock time of an instant in `zone`.
pub fn local_time(zone: Tz, t_ms: i64) -> Option<NaiveDateTime> {
    DateTime::<Utc>::from_timestamp_millis(t_ms).map(|t| t.with_timezone(&zone).naive_local())
}

/// Places a local time in `zone` (see the module doc): a start takes the first of a repeated
/// time, an end the second; a time in a gap is read with the offset before it.
pub fn place(zone: Tz, local: NaiveDateTime, is_end: bool) -> (i64, Placed) {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => (t.timestamp_millis(), Placed::Exact),
        LocalResult::Ambiguous(first, second) => {
            let t = if is_end { second } else { first };
            (t.timestamp_millis(), Placed::Repeated)
        }
        LocalResult::None => {
            let before = zone
                .offset_from_utc_datetime(&(local - Duration::days(1)))
                .fix()
                .local_minus_utc();
            let utc = local - Duration::seconds(i64::from(before));
            (utc.and_utc().timestamp_millis(), Placed::Skipped)
        }
    }
}

impl Rule {
    fn new(zone: Tz, spec: &RecurrenceSpec) -> Result<Rule, String> {
        let start = NaiveDateTime::parse_from_str(&spec.start, LOCAL_FORMAT)
            .map_err(|_| format!("Invalid recurrence start '{}'.", spec.start))?;
        if spec.duration_secs <= 0 {
            return Err("A recurrence's duration must be positive.".into());
        }
        let text = spec.rrule.trim();
        let text = text.strip_prefix("RRULE:").unwrap_or(text);
        if text.to_ascii_uppercase().contains("DTSTART")
            || text.contains('\n')
            || text.to_ascii_uppercase().contains("DTEND")
            || text.to_ascii_uppercase().contains("DURATION")
        {
            return Err(
                "The RRULE may not contain DTSTART, DTEND or DURATION: the recurrence's start and duration give them."
                    .into(),
            );
        }
        // A floating UNTIL (no `Z`) is a wall-clock time in the zone, as the form writes "ends on
        // a date"; it is taken out here, since the crate would read it in the machine's zone.
        let mut floating_until = None;
        let parts: Vec<&str> = text
            .split(';')
            .filter(|part| match part.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && !v.ends_with(['Z', 'z']) => {
                    floating_until = Some(v.to_owned());
                    false
                }
                _ => true,
            })
            .collect();
        let mut rule: RRule<Unvalidated> = parts
            .join(";")
            .parse()
            .map_err(|e: rrule::RRuleError| format!("Invalid RRULE '{text}': {e}"))?;
        if matches!(
            rule.get_freq(),
            rrule::Frequency::Minutely | rrule::Frequency::Secondly
        ) {
            return Err("RRULE frequencies below HOURLY are not supported.".into());
        }
        // The rule runs on the wall clock (see the module doc): its UNTIL, a UTC instant, becomes
        // the zone's local time at that instant.
        if let Some(until) = rule.get_until() {
            let until_local = local_time(zone, until.timestamp_millis())
                .ok_or_else(|| "The RRULE's UNTIL is out of range.".to_owned())?;
            rule = rule.until(wall_clock(until_local));
        }
        if let Some(text) = floating_until {
            let local = NaiveDateTime::parse_from_str(&text, "%Y%m%dT%H%M%S")
                .or_else(|_| {
                    chrono::NaiveDate::parse_from_str(&text, "%Y%m%d")
                        .map(|d| d.and_time(chrono::NaiveTime::MIN))
                })
                .map_err(|_| format!("Invalid UNTIL '{text}' in the RRULE."))?;
            rule = rule.until(wall_clock(local));
        }
        let set = rule
            .build(wall_clock(start))
            .map_err(|e| format!("Invalid RRULE '{text}': {e}"))?;
        Ok(Rule {
            start,
            duration: Duration::seconds(spec.duration_secs),
            set,
        })
    }

    /// Every occurrence, in order of start.
    fn occurrences(&self, zone: Tz) -> impl Iterator<Item = Occurrence> + '_ {
        let duration = self.duration;
        let first = self.start;
        (&self.set)
            .into_iter()
            .take(MAX_STEPS)
            .map(|t| t.naive_utc())
            .filter(move |local| *local >= first)
            .map(move |local| {
                let (start_ms, start_placed) = place(zone, local, false);
                // A start moved forward out of the gap moves its end with it: the window keeps
                // its wall-clock length.
                let start_local = match start_placed {
                    Placed::Skipped => local_time(zone, start_ms).unwrap_or(local),
                    _ => local,
                };
                let (end_ms, end_placed) = place(zone, start_local + duration, true);
                Occurrence {
                    start_ms,
                    end_ms: Some(end_ms),
                    start_placed,
                    end_placed,
                    offset_changes: offset_secs(zone, start_ms) != offset_secs(zone, end_ms),
                }
            })
    }
}

/// A wall-clock time as the `rrule` crate is given it: in UTC, where no clock change happens.
fn wall_clock(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests;
