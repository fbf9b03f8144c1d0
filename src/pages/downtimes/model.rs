//! The Schedule Downtime form as plain data, and the v2 body it sends (`DowntimeV2Body`): what the
//! monitor form's `state.rs` is to monitors. Times are local to the chosen zone and go to the
//! server as such (a recurrence's `start` has no offset), so the UI needs no time-zone database.

use chrono::NaiveDateTime;
use dogwatch_core::wire::{
    DowntimeV2, DowntimeV2Attributes, DowntimeV2Body, DowntimeV2Recurrence, DowntimeV2Schedule,
    MonitorIdentifier,
};

/// How `<input type=datetime-local>` writes a time.
pub const LOCAL_INPUT: &str = "%Y-%m-%dT%H:%M";

pub use dogwatch_core::wire::WEEK_DAYS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Repeat {
    Days,
    #[default]
    Weeks,
    Months,
    Years,
    /// A raw RRULE.
    Rule,
}

impl Repeat {
    pub const ALL: [(Repeat, &'static str); 5] = [
        (Repeat::Days, "days"),
        (Repeat::Weeks, "weeks"),
        (Repeat::Months, "months"),
        (Repeat::Years, "years"),
        (Repeat::Rule, "RRULE"),
    ];

    pub fn code(self) -> &'static str {
        match self {
            Repeat::Days => "days",
            Repeat::Weeks => "weeks",
            Repeat::Months => "months",
            Repeat::Years => "years",
            Repeat::Rule => "rrule",
        }
    }

    pub fn from_code(code: &str) -> Repeat {
        match code {
            "days" => Repeat::Days,
            "months" => Repeat::Months,
            "years" => Repeat::Years,
            "rrule" => Repeat::Rule,
            _ => Repeat::Weeks,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ends {
    #[default]
    Never,
    OnDate,
    After,
}

/// A field the form can say is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Monitor,
    Scope,
    Start,
    End,
    Duration,
    Repeat,
    Ends,
    Zone,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DowntimeForm {
    /// Silence every monitor with `monitor_tags` instead of the one `monitor_id`.
    pub by_tags: bool,
    pub monitor_id: Option<i64>,
    /// Comma-separated.
    pub monitor_tags: String,
    /// A group scope query: `env:prod AND host:web-1`; empty or `*` is every group.
    pub scope: String,
    pub recurring: bool,
    /// `YYYY-MM-DDTHH:MM`, in `timezone`.
    pub start: String,
    /// One-time: end at `end` rather than after `duration`.
    pub end_at: bool,
    pub end: String,
    pub duration: String,
    /// `m`, `h`, `d` or `w`.
    pub duration_unit: String,
    pub repeat: Repeat,
    pub every: String,
    pub week_days: [bool; 7],
    pub rrule: String,
    pub ends: Ends,
    /// `YYYY-MM-DD`: the last day a window may start.
    pub until: String,
    pub count: String,
    pub timezone: String,
    pub message: String,
    pub notify_expired: bool,
    pub notify_canceled: bool,
    pub mute_first_recovery: bool,
}

impl DowntimeForm {
    /// A new form: starting at `start` in `timezone`, for an hour; recurring weekly on weekdays.
    pub fn new(start: &str, timezone: &str) -> DowntimeForm {
        DowntimeForm {
            by_tags: false,
            monitor_id: None,
            monitor_tags: String::new(),
            scope: String::new(),
            recurring: false,
            start: start.to_owned(),
            end_at: false,
            end: String::new(),
            duration: "1".to_owned(),
            duration_unit: "h".to_owned(),
            repeat: Repeat::Weeks,
            every: "1".to_owned(),
            week_days: [true, true, true, true, true, false, false],
            rrule: String::new(),
            ends: Ends::Never,
            until: String::new(),
            count: "10".to_owned(),
            timezone: timezone.to_owned(),
            message: String::new(),
            notify_expired: true,
            notify_canceled: false,
            mute_first_recovery: false,
        }
    }

    /// The v2 body to preview and to create; `Err` says what is wrong, by field.
    pub fn body(&self) -> Result<DowntimeV2Body, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let monitor_identifier = if self.by_tags {
            let tags: Vec<String> = self
                .monitor_tags
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect();
            if tags.is_empty() {
                errors.push((
                    Field::Monitor,
                    "Give at least one monitor tag, or * for every monitor.".to_owned(),
                ));
            }
            MonitorIdentifier {
                monitor_id: None,
                monitor_tags: Some(tags),
            }
        } else {
            if self.monitor_id.is_none() {
                errors.push((Field::Monitor, "Choose the monitor to silence.".to_owned()));
            }
            MonitorIdentifier {
                monitor_id: self.monitor_id,
                monitor_tags: None,
            }
        };
        if self.timezone.trim().is_empty() {
            errors.push((Field::Zone, "Choose a time zone.".to_owned()));
        }
        let start = NaiveDateTime::parse_from_str(&self.start, LOCAL_INPUT).ok();
        if start.is_none() {
            errors.push((Field::Start, "Give a start date and time.".to_owned()));
        }
        let duration = self.duration_text(start, &mut errors);
        let rrule = self.rule(&mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let scope = match self.scope.trim() {
            "" => "*".to_owned(),
            s => s.to_owned(),
        };
        let mut end_types = Vec::new();
        if self.notify_expired {
            end_types.push("expired".to_owned());
        }
        if self.notify_canceled {
            end_types.push("canceled".to_owned());
        }
        Ok(DowntimeV2Body {
            data: DowntimeV2 {
                id: None,
                kind: "downtime".to_owned(),
                attributes: DowntimeV2Attributes {
                    scope: Some(scope),
                    monitor_identifier: Some(monitor_identifier),
                    display_timezone: Some(self.timezone.trim().to_owned()),
                    message: Some(self.message.clone()),
                    mute_first_recovery_notification: Some(self.mute_first_recovery),
                    notify_end_types: Some(end_types),
                    notify_end_states: None,
                    schedule: Some(DowntimeV2Schedule {
                        timezone: Some(self.timezone.trim().to_owned()),
                        recurrences: Some(vec![DowntimeV2Recurrence {
                            start: Some(self.start.clone()),
                            duration,
                            rrule,
                        }]),
                        ..DowntimeV2Schedule::default()
                    }),
                    ..DowntimeV2Attributes::default()
                },
                relationships: None,
            },
        })
    }

    /// Each window's length, as the API writes it (`14h`, `90m`).
    fn duration_text(
        &self,
        start: Option<NaiveDateTime>,
        errors: &mut Vec<(Field, String)>,
    ) -> Option<String> {
        if !self.recurring && self.end_at {
            let end = NaiveDateTime::parse_from_str(&self.end, LOCAL_INPUT).ok();
            return match (start, end) {
                (_, None) => {
                    errors.push((Field::End, "Give an end date and time.".to_owned()));
                    None
                }
                (Some(s), Some(e)) if e > s => Some(format!("{}m", (e - s).num_minutes())),
                (Some(_), Some(_)) => {
                    errors.push((Field::End, "The end must be after the start.".to_owned()));
                    None
                }
                (None, Some(_)) => None,
            };
        }
        match self.duration.trim().parse::<u32>() {
            Ok(n) if n > 0 => Some(format!("{n}{}", self.duration_unit)),
            _ => {
                errors.push((
                    Field::Duration,
                    "The duration is a whole number above 0.".to_owned(),
                ));
                None
            }
        }
    }

    /// The RRULE: once for a one-time downtime, else the repetition and its end.
    fn rule(&self, errors: &mut Vec<(Field, String)>) -> Option<String> {
        if !self.recurring {
            return Some("FREQ=DAILY;COUNT=1".to_owned());
        }
        let every = match self.every.trim().parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                errors.push((
                    Field::Repeat,
                    "Repeat every: a whole number above 0.".to_owned(),
                ));
                return None;
            }
        };
        let mut rule = match self.repeat {
            Repeat::Days => format!("FREQ=DAILY;INTERVAL={every}"),
            Repeat::Weeks => {
                let days: Vec<&str> = WEEK_DAYS
                    .iter()
                    .zip(self.week_days)
                    .filter(|(_, on)| *on)
                    .map(|((_, ical), _)| *ical)
                    .collect();
                if days.is_empty() {
                    errors.push((
                        Field::Repeat,
                        "Pick at least one day of the week.".to_owned(),
                    ));
                    return None;
                }
                format!("FREQ=WEEKLY;INTERVAL={every};BYDAY={}", days.join(","))
            }
            Repeat::Months => format!("FREQ=MONTHLY;INTERVAL={every}"),
            Repeat::Years => format!("FREQ=YEARLY;INTERVAL={every}"),
            Repeat::Rule => {
                let text = self.rrule.trim().trim_start_matches("RRULE:").to_owned();
                if text.is_empty() {
                    errors.push((
                        Field::Repeat,
                        "Write the RRULE (FREQ=WEEKLY;BYDAY=MO,TU).".to_owned(),
                    ));
                    return None;
                }
                text
            }
        };
        let has_end = ["UNTIL=", "COUNT="]
            .iter()
            .any(|k| rule.to_ascii_uppercase().contains(k));
        match self.ends {
            Ends::Never => {}
            _ if has_end => {}
            Ends::OnDate => match chrono::NaiveDate::parse_from_str(&self.until, "%Y-%m-%d") {
                // A window may start until the end of that day, on the zone's clock.
                Ok(day) => rule.push_str(&format!(";UNTIL={}T235959", day.format("%Y%m%d"))),
                Err(_) => {
                    errors.push((
                        Field::Ends,
                        "Give the date the downtime ends on.".to_owned(),
                    ));
                    return None;
                }
            },
            Ends::After => match self.count.trim().parse::<u32>() {
                Ok(n) if n > 0 => rule.push_str(&format!(";COUNT={n}")),
                _ => {
                    errors.push((
                        Field::Ends,
                        "Ends after: a whole number of times above 0.".to_owned(),
                    ));
                    return None;
                }
            },
        }
        Some(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nights() -> DowntimeForm {
        DowntimeForm {
            monitor_id: Some(3),
            recurring: true,
            start: "2027-10-25T19:00".into(),
            duration: "14".into(),
            ..DowntimeForm::new("2027-10-25T19:00", "Europe/Paris")
        }
    }

    #[test]
    fn weekday_nights_become_one_weekly_recurrence() {
        let body = nights().body().expect("valid");
        let a = &body.data.attributes;
        assert_eq!(a.scope.as_deref(), Some("*"));
        assert_eq!(
            a.monitor_identifier.as_ref().and_then(|m| m.monitor_id),
            Some(3)
        );
        let schedule = a.schedule.as_ref().expect("schedule");
        assert_eq!(schedule.timezone.as_deref(), Some("Europe/Paris"));
        let r = &schedule.recurrences.as_ref().expect("recurrences")[0];
        assert_eq!(r.start.as_deref(), Some("2027-10-25T19:00"));
        assert_eq!(r.duration.as_deref(), Some("14h"));
        assert_eq!(
            r.rrule.as_deref(),
            Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR")
        );
        assert_eq!(a.notify_end_types, Some(vec!["expired".to_owned()]));
    }

    #[test]
    fn ends_one_time_windows_and_what_is_missing() {
        let until = DowntimeForm {
            ends: Ends::OnDate,
            until: "2027-12-24".into(),
            ..nights()
        };
        let body = until.body().expect("valid");
        let r = &body
            .data
            .attributes
            .schedule
            .expect("s")
            .recurrences
            .expect("r")[0];
        assert_eq!(
            r.rrule.as_deref(),
            Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR;UNTIL=20271224T235959")
        );
        let once = DowntimeForm {
            recurring: false,
            end_at: true,
            end: "2027-10-26T09:30".into(),
            ..nights()
        };
        let body = once.body().expect("valid");
        let r = &body
            .data
            .attributes
            .schedule
            .expect("s")
            .recurrences
            .expect("r")[0];
        assert_eq!(
            (r.duration.as_deref(), r.rrule.as_deref()),
            (Some("870m"), Some("FREQ=DAILY;COUNT=1"))
        );
        let bad = DowntimeForm {
            monitor_id: None,
            week_days: [false; 7],
            start: String::new(),
            ..nights()
        };
        let fields: Vec<Field> = bad
            .body()
            .expect_err("invalid")
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, vec![Field::Monitor, Field::Start, Field::Repeat]);
    }
}
