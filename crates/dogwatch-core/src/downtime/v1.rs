//! Datadog's v1 downtime (what the `datadog` package's `api.Downtime` sends) to and from a [`Spec`].

use chrono::DateTime;

use super::scope::check_terms;
use super::{
    DEFAULT_END_STATES, DEFAULT_END_TYPES, LOCAL_FORMAT, Record, RecurrenceSpec, ScheduleSpec,
    Spec, V1Echo, local_time, parse_zone, place,
};
use crate::wire::{Downtime, DowntimeRecurrence, WEEK_DAYS};

/// A v1 body as a spec (`start` defaults to `now_ms`); `Err` lists every problem, in the words of
/// Datadog's 400 answers where it has them.
pub fn from_v1(body: &Downtime, now_ms: i64) -> Result<Spec, Vec<String>> {
    let mut errors = Vec::new();
    let scope = body.scope.clone().unwrap_or_default();
    if scope.is_empty() {
        errors.push(
            "scope is required: a list of tags every silenced group must have, or [\"*\"]."
                .to_owned(),
        );
    } else if let Err(e) = check_terms(&scope) {
        errors.push(e);
    }
    let timezone = body.timezone.clone().unwrap_or_else(|| "UTC".to_owned());
    let zone = parse_zone(&timezone).map_err(|e| errors.push(e)).ok();
    let start = body.start.unwrap_or(now_ms.div_euclid(1000));
    if let Some(end) = body.end
        && end <= start
    {
        errors.push(format!(
            "Invalid end: {end} is not after the start {start}."
        ));
    }
    let schedule = match (&body.recurrence, zone) {
        (None, _) => Some(ScheduleSpec::OneTime {
            start_ms: start * 1000,
            end_ms: body.end.map(|e| e * 1000),
        }),
        (Some(r), Some(zone)) => {
            let rule = recurrence_rule(r).map_err(|e| errors.push(e)).ok();
            match (body.end, rule) {
                (None, _) => {
                    errors.push("A recurring downtime needs an end: each occurrence lasts from start to end.".to_owned());
                    None
                }
                (Some(end), Some(rrule)) => {
                    let local_start = local_time(zone, start * 1000);
                    let local_end = local_time(zone, end * 1000);
                    match (local_start, local_end) {
                        (Some(s), Some(e)) if e > s => Some(ScheduleSpec::Recurring {
                            recurrences: vec![RecurrenceSpec {
                                start: s.format(LOCAL_FORMAT).to_string(),
                                // On the wall clock, so that it keeps its length across DST.
                                duration_secs: (e - s).num_seconds(),
                                rrule,
                            }],
                        }),
                        _ => {
                            errors
                                .push("Invalid start or end for a recurring downtime.".to_owned());
                            None
                        }
                    }
                }
                (Some(_), None) => None,
            }
        }
        (Some(_), None) => None,
    };
    let (notify_end_types, notify_end_states) =
        end_lists(&body.notify_end_types, &body.notify_end_states, &mut errors);
    let monitor_tags = match &body.monitor_tags {
        Some(tags) if !tags.is_empty() => tags.clone(),
        _ => vec!["*".to_owned()],
    };
    let Some(schedule) = schedule else {
        return Err(errors);
    };
    let spec = Spec {
        scope,
        monitor_id: body.monitor_id,
        monitor_tags,
        display_timezone: timezone.clone(),
        timezone,
        schedule,
        message: body.message.clone().unwrap_or_default(),
        notify_end_types,
        notify_end_states,
        mute_first_recovery_notification: body.mute_first_recovery_notification.unwrap_or(false),
        v1: Some(V1Echo {
            start,
            end: body.end,
            recurrence: body.recurrence.clone(),
        }),
    };
    checked(spec, errors)
}

/// `spec` if nothing was found wrong with it and its schedule reads, else every problem.
pub(super) fn checked(spec: Spec, mut errors: Vec<String>) -> Result<Spec, Vec<String>> {
    if errors.is_empty()
        && let Err(e) = spec.schedule()
    {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// `notify_end_types` and `notify_end_states` as given (checked), or their defaults.
pub(super) fn end_lists(
    types: &Option<Vec<String>>,
    states: &Option<Vec<String>>,
    errors: &mut Vec<String>,
) -> (Vec<String>, Vec<String>) {
    (
        check_list(
            types,
            &DEFAULT_END_TYPES,
            &["expired", "canceled"],
            "notify_end_types",
            errors,
        ),
        check_list(
            states,
            &DEFAULT_END_STATES,
            &["alert", "no data", "warn"],
            "notify_end_states",
            errors,
        ),
    )
}

/// A list member that must hold only `allowed` values (`defaults` when absent).
fn check_list(
    given: &Option<Vec<String>>,
    defaults: &[&str],
    allowed: &[&str],
    name: &str,
    errors: &mut Vec<String>,
) -> Vec<String> {
    match given {
        None => defaults.iter().map(|s| (*s).to_owned()).collect(),
        Some(list) => {
            for v in list {
                if !allowed.contains(&v.as_str()) {
                    errors.push(format!(
                        "Invalid {name}: '{v}'; allowed: {}.",
                        allowed.join(", ")
                    ));
                }
            }
            list.clone()
        }
    }
}

/// v1's recurrence as an RRULE.
fn recurrence_rule(r: &DowntimeRecurrence) -> Result<String, String> {
    let period = r.period.unwrap_or(1);
    if !(1..=u16::MAX as i64).contains(&period) {
        return Err(format!(
            "Invalid recurrence period {period}: it must be a positive integer."
        ));
    }
    if r.until_date.is_some() && r.until_occurrences.is_some() {
        return Err("until_date and until_occurrences cannot both be set.".to_owned());
    }
    if r.week_days.is_some() && r.kind != "weeks" {
        return Err("week_days can only be set when the recurrence type is weeks.".to_owned());
    }
    let mut rule = match r.kind.as_str() {
        "days" => format!("FREQ=DAILY;INTERVAL={period}"),
        "weeks" => {
            let mut rule = format!("FREQ=WEEKLY;INTERVAL={period}");
            if let Some(days) = r.week_days.as_ref().filter(|d| !d.is_empty()) {
                let mut by_day = Vec::new();
                for day in days {
                    match WEEK_DAYS.iter().find(|(v1, _)| v1 == day) {
                        Some((_, ical)) => by_day.push(*ical),
                        None => {
                            return Err("Invalid set of days in week_days. Be sure that the first letter is capitalized.".to_owned());
                        }
                    }
                }
                rule.push_str(";BYDAY=");
                rule.push_str(&by_day.join(","));
            }
            rule
        }
        "months" => format!("FREQ=MONTHLY;INTERVAL={period}"),
        "years" => format!("FREQ=YEARLY;INTERVAL={period}"),
        "rrule" => match r.rrule.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => text.to_owned(),
            None => return Err("rrule is required when the recurrence type is rrule.".to_owned()),
        },
        other => {
            return Err(format!(
                "Invalid recurrence type '{other}': it must be one of days, weeks, months, years, rrule."
            ));
        }
    };
    if let Some(until) = r.until_date {
        let until = DateTime::from_timestamp(until, 0)
            .ok_or_else(|| format!("Invalid until_date {until}."))?;
        rule.push_str(&format!(";UNTIL={}", until.format("%Y%m%dT%H%M%SZ")));
    }
    if let Some(n) = r.until_occurrences {
        if n < 1 {
            return Err(format!(
                "Invalid until_occurrences {n}: it must be at least 1."
            ));
        }
        rule.push_str(&format!(";COUNT={n}"));
    }
    Ok(rule)
}

/// A stored downtime in v1's shape, as of `now_ms`.
pub fn to_v1(record: &Record, now_ms: i64) -> Downtime {
    let spec = &record.spec;
    let (start, end, recurrence) = match (&spec.v1, &spec.schedule) {
        (Some(echo), _) => (echo.start, echo.end, echo.recurrence.clone()),
        (None, ScheduleSpec::OneTime { start_ms, end_ms }) => (
            start_ms.div_euclid(1000),
            end_ms.map(|e| e.div_euclid(1000)),
            None,
        ),
        (None, ScheduleSpec::Recurring { recurrences }) => {
            // A v2 schedule: its first recurrence, as an rrule recurrence.
            let first = &recurrences[0];
            let zone = parse_zone(&spec.timezone).unwrap_or(chrono_tz::UTC);
            let local = chrono::NaiveDateTime::parse_from_str(&first.start, LOCAL_FORMAT).ok();
            let start = local.map_or(0, |l| place(zone, l, false).0.div_euclid(1000));
            let end = local.map(|l| {
                place(
                    zone,
                    l + chrono::Duration::seconds(first.duration_secs),
                    true,
                )
                .0
                .div_euclid(1000)
            });
            (
                start,
                end,
                Some(DowntimeRecurrence {
                    kind: "rrule".to_owned(),
                    period: Some(1),
                    rrule: Some(first.rrule.clone()),
                    ..DowntimeRecurrence::default()
                }),
            )
        }
    };
    let status = record.status(now_ms);
    let downtime_type = if spec.scope.iter().all(|s| s == "*") {
        0
    } else if spec.scope.iter().all(|s| s.starts_with("host:")) {
        1
    } else {
        2
    };
    Downtime {
        id: Some(record.id),
        scope: Some(spec.scope.clone()),
        monitor_id: spec.monitor_id,
        monitor_tags: Some(spec.monitor_tags.clone()),
        start: Some(start),
        end,
        timezone: Some(spec.timezone.clone()),
        message: Some(spec.message.clone()),
        recurrence,
        mute_first_recovery_notification: Some(spec.mute_first_recovery_notification),
        notify_end_types: Some(spec.notify_end_types.clone()),
        notify_end_states: Some(spec.notify_end_states.clone()),
        active: Some(status == "active"),
        disabled: Some(record.canceled_ms.is_some()),
        canceled: record.canceled_ms.map(|c| c.div_euclid(1000)),
        creator_id: record.creator_id,
        creator: record.creator.clone(),
        parent_id: None,
        child_id: None,
        downtime_type: Some(downtime_type),
        status: Some(status.to_owned()),
        updater_id: None,
    }
}

/// A v1 update: the members `patch` has, over `base` (Datadog's PUT changes only what it is sent).
pub fn merge_v1(base: Downtime, patch: &Downtime) -> Downtime {
    Downtime {
        scope: patch.scope.clone().or(base.scope),
        monitor_id: patch.monitor_id.or(base.monitor_id),
        monitor_tags: patch.monitor_tags.clone().or(base.monitor_tags),
        start: patch.start.or(base.start),
        end: patch.end.or(base.end),
        timezone: patch.timezone.clone().or(base.timezone),
        message: patch.message.clone().or(base.message),
        recurrence: patch.recurrence.clone().or(base.recurrence),
        mute_first_recovery_notification: patch
            .mute_first_recovery_notification
            .or(base.mute_first_recovery_notification),
        notify_end_types: patch.notify_end_types.clone().or(base.notify_end_types),
        notify_end_states: patch.notify_end_states.clone().or(base.notify_end_states),
        ..Downtime::default()
    }
}
