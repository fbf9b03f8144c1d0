//! Datadog's v2 downtime (`/api/v2/downtime`, JSON:API) to and from a [`Spec`].

use chrono::{DateTime, NaiveDateTime, Utc};

use super::scope::parse_scope;
use super::v1::{checked, end_lists};
use super::{LOCAL_FORMAT, Record, RecurrenceSpec, ScheduleSpec, Spec, local_time, parse_zone};
use crate::wire::{
    CurrentDowntime, DowntimeV2, DowntimeV2Attributes, DowntimeV2Body, DowntimeV2Recurrence,
    DowntimeV2Relationships, DowntimeV2Schedule, MonitorIdentifier, Relationship, RelationshipData,
};

/// A v2 body as a spec (a missing start is `now_ms`); `Err` lists every problem.
pub fn from_v2(body: &DowntimeV2Body, now_ms: i64) -> Result<Spec, Vec<String>> {
    let mut errors = Vec::new();
    let data = &body.data;
    if data.kind != "downtime" {
        errors.push(format!(
            "Invalid data.type '{}': it must be 'downtime'.",
            data.kind
        ));
    }
    let a = &data.attributes;
    let scope = match a.scope.as_deref() {
        Some(text) => parse_scope(text)
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        None => {
            errors.push("data.attributes.scope is required (a tag query, or '*').".to_owned());
            Vec::new()
        }
    };
    let (monitor_id, monitor_tags) = match &a.monitor_identifier {
        Some(MonitorIdentifier {
            monitor_id: Some(id),
            monitor_tags: None,
        }) => (Some(*id), vec!["*".to_owned()]),
        Some(MonitorIdentifier {
            monitor_id: None,
            monitor_tags: Some(tags),
        }) if !tags.is_empty() => (None, tags.clone()),
        _ => {
            errors.push("data.attributes.monitor_identifier must be {\"monitor_id\": N} or {\"monitor_tags\": [...]}.".to_owned());
            (None, Vec::new())
        }
    };
    let display_timezone = a
        .display_timezone
        .clone()
        .unwrap_or_else(|| "UTC".to_owned());
    if let Err(e) = parse_zone(&display_timezone) {
        errors.push(e);
    }
    let (timezone, schedule) =
        schedule(a.schedule.as_ref(), &display_timezone, now_ms, &mut errors);
    let (notify_end_types, notify_end_states) =
        end_lists(&a.notify_end_types, &a.notify_end_states, &mut errors);
    let Some(schedule) = schedule else {
        return Err(errors);
    };
    let spec = Spec {
        scope,
        monitor_id,
        monitor_tags,
        timezone,
        display_timezone,
        schedule,
        message: a.message.clone().unwrap_or_default(),
        notify_end_types,
        notify_end_states,
        mute_first_recovery_notification: a.mute_first_recovery_notification.unwrap_or(false),
        v1: None,
    };
    checked(spec, errors)
}

/// The zone and schedule of a v2 `schedule` (none: from now until canceled).
fn schedule(
    given: Option<&DowntimeV2Schedule>,
    display_timezone: &str,
    now_ms: i64,
    errors: &mut Vec<String>,
) -> (String, Option<ScheduleSpec>) {
    let Some(s) = given else {
        return (
            display_timezone.to_owned(),
            Some(ScheduleSpec::OneTime {
                start_ms: now_ms,
                end_ms: None,
            }),
        );
    };
    if let Some(recurrences) = &s.recurrences {
        let timezone = s.timezone.clone().unwrap_or_else(|| "UTC".to_owned());
        let Ok(zone) = parse_zone(&timezone).map_err(|e| errors.push(e)) else {
            return (timezone, None);
        };
        if recurrences.is_empty() {
            errors.push("schedule.recurrences needs at least one recurrence.".to_owned());
            return (timezone, None);
        }
        let mut out = Vec::new();
        for (i, r) in recurrences.iter().enumerate() {
            let start = match r.start.as_deref() {
                Some(text) => parse_local(text).ok_or_else(|| {
                    format!("Invalid schedule.recurrences[{i}].start '{text}': expected a local time like 2026-10-19T19:00.")
                }),
                // Now, to the minute.
                None => local_time(zone, now_ms - now_ms.rem_euclid(60_000))
                    .ok_or_else(|| "now is out of range".to_owned()),
            };
            let duration = match r.duration.as_deref() {
                Some(text) => parse_duration(text).ok_or_else(|| {
                    format!("Invalid schedule.recurrences[{i}].duration '{text}': expected a whole number and m, h, d or w (14h).")
                }),
                None => Err(format!("schedule.recurrences[{i}].duration is required.")),
            };
            let rrule = r
                .rrule
                .clone()
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| format!("schedule.recurrences[{i}].rrule is required."));
            match (start, duration, rrule) {
                (Ok(start), Ok(duration_secs), Ok(rrule)) => out.push(RecurrenceSpec {
                    start: start.format(LOCAL_FORMAT).to_string(),
                    duration_secs,
                    rrule,
                }),
                (a, b, c) => errors.extend([a.err(), b.err(), c.err()].into_iter().flatten()),
            }
        }
        return (timezone, Some(ScheduleSpec::Recurring { recurrences: out }));
    }
    let start = match s.start.as_deref() {
        Some(text) => parse_instant(text, "start", errors),
        None => Some(now_ms),
    };
    let end = s
        .end
        .as_deref()
        .map(|text| parse_instant(text, "end", errors));
    let (Some(start_ms), Some(end_ms)) = (start, end.map_or(Some(None), |e| e.map(Some))) else {
        return (display_timezone.to_owned(), None);
    };
    if let Some(end) = end_ms
        && end <= start_ms
    {
        errors.push("Invalid schedule: end must be after start.".to_owned());
    }
    (
        display_timezone.to_owned(),
        Some(ScheduleSpec::OneTime { start_ms, end_ms }),
    )
}

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, LOCAL_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
}

fn parse_instant(text: &str, name: &str, errors: &mut Vec<String>) -> Option<i64> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => Some(t.timestamp_millis()),
        Err(_) => match parse_local(text) {
            // Without an offset: UTC, as Datadog reads it.
            Some(t) => Some(t.and_utc().timestamp_millis()),
            None => {
                errors.push(format!(
                    "Invalid schedule.{name} '{text}': expected ISO 8601 (2026-10-19T19:00:00+00:00)."
                ));
                None
            }
        },
    }
}

/// `30m`, `14h`, `1d`, `2w` in seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = match text.chars().last()? {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let n: i64 = text[..text.len() - 1].parse().ok()?;
    (n > 0).then_some(n)?.checked_mul(unit)
}

/// Seconds in the largest unit that divides them: `14h`, `1d`, `90m`.
pub fn format_duration(secs: i64) -> String {
    for (unit, size) in [("w", 604_800), ("d", 86_400), ("h", 3_600)] {
        if secs > 0 && secs % size == 0 {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{}m", secs.div_euclid(60))
}

fn iso(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A stored downtime in v2's shape, as of `now_ms`.
pub fn to_v2(record: &Record, now_ms: i64) -> DowntimeV2 {
    let spec = &record.spec;
    let current = record.current_or_next(now_ms).map(|o| CurrentDowntime {
        start: iso(o.start_ms),
        end: o.end_ms.map(iso),
    });
    let schedule = match &spec.schedule {
        ScheduleSpec::OneTime { start_ms, end_ms } => DowntimeV2Schedule {
            start: Some(iso(*start_ms)),
            end: end_ms.map(iso),
            current_downtime: current,
            ..DowntimeV2Schedule::default()
        },
        ScheduleSpec::Recurring { recurrences } => DowntimeV2Schedule {
            timezone: Some(spec.timezone.clone()),
            recurrences: Some(
                recurrences
                    .iter()
                    .map(|r| DowntimeV2Recurrence {
                        start: Some(parse_local(&r.start).map_or_else(
                            || r.start.clone(),
                            |t| t.format("%Y-%m-%dT%H:%M").to_string(),
                        )),
                        duration: Some(format_duration(r.duration_secs)),
                        rrule: Some(r.rrule.clone()),
                    })
                    .collect(),
            ),
            current_downtime: current,
            ..DowntimeV2Schedule::default()
        },
    };
    let scope = spec.scope.join(" AND ");
    DowntimeV2 {
        id: Some(record.id.to_string()),
        kind: "downtime".to_owned(),
        attributes: DowntimeV2Attributes {
            scope: Some(scope),
            monitor_identifier: Some(match spec.monitor_id {
                Some(id) => MonitorIdentifier {
                    monitor_id: Some(id),
                    monitor_tags: None,
                },
                None => MonitorIdentifier {
                    monitor_id: None,
                    monitor_tags: Some(spec.monitor_tags.clone()),
                },
            }),
            display_timezone: Some(spec.display_timezone.clone()),
            message: Some(spec.message.clone()),
            mute_first_recovery_notification: Some(spec.mute_first_recovery_notification),
            notify_end_types: Some(spec.notify_end_types.clone()),
            notify_end_states: Some(spec.notify_end_states.clone()),
            schedule: Some(schedule),
            status: Some(record.status(now_ms).to_owned()),
            created: Some(iso(record.created_ms)),
            modified: Some(iso(record.modified_ms)),
            canceled: record.canceled_ms.map(iso),
        },
        relationships: Some(DowntimeV2Relationships {
            created_by: Relationship {
                data: record.creator.as_ref().map(|handle| RelationshipData {
                    id: handle.clone(),
                    kind: "users".to_owned(),
                }),
            },
            monitor: Relationship {
                data: spec.monitor_id.map(|id| RelationshipData {
                    id: id.to_string(),
                    kind: "monitors".to_owned(),
                }),
            },
        }),
    }
}

/// A v2 update (PATCH): the attributes `patch` has, over `base`'s.
pub fn merge_v2(base: DowntimeV2, patch: &DowntimeV2Body) -> DowntimeV2Body {
    let (b, p) = (base.attributes, &patch.data.attributes);
    DowntimeV2Body {
        data: DowntimeV2 {
            id: base.id,
            kind: patch.data.kind.clone(),
            attributes: DowntimeV2Attributes {
                scope: p.scope.clone().or(b.scope),
                monitor_identifier: p.monitor_identifier.clone().or(b.monitor_identifier),
                display_timezone: p.display_timezone.clone().or(b.display_timezone),
                message: p.message.clone().or(b.message),
                mute_first_recovery_notification: p
                    .mute_first_recovery_notification
                    .or(b.mute_first_recovery_notification),
                notify_end_types: p.notify_end_types.clone().or(b.notify_end_types),
                notify_end_states: p.notify_end_states.clone().or(b.notify_end_states),
                schedule: p
                    .schedule
                    .clone()
                    .or(b.schedule)
                    .map(|s| DowntimeV2Schedule {
                        current_downtime: None,
                        ..s
                    }),
                ..DowntimeV2Attributes::default()
            },
            relationships: None,
        },
    }
}
