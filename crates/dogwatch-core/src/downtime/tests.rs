//! The seeds' downtimes over the week summer time ends in Paris (Sunday 25 October 2026, 03:00
//! CEST → 02:00 CET), checked against times worked out by hand.

use chrono::{TimeZone, Utc};

use super::*;
use crate::wire::{Downtime, DowntimeRecurrence, DowntimeV2Body};

/// Unix ms of a UTC time.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("valid")
        .timestamp_millis()
}

fn weekday_nights() -> Spec {
    // Mon 19 Oct 2026 19:00 CEST → Tue 09:00 CEST, repeated Mon–Fri.
    from_v1(
        &Downtime {
            scope: Some(vec!["env:prod".into()]),
            monitor_id: Some(7),
            start: Some(utc(2026, 10, 19, 17, 0) / 1000),
            end: Some(utc(2026, 10, 20, 7, 0) / 1000),
            timezone: Some("Europe/Paris".into()),
            message: Some("Quiet hours @oncall".into()),
            recurrence: Some(DowntimeRecurrence {
                kind: "weeks".into(),
                period: Some(1),
                week_days: Some(
                    ["Mon", "Tue", "Wed", "Thu", "Fri"]
                        .map(String::from)
                        .to_vec(),
                ),
                ..DowntimeRecurrence::default()
            }),
            ..Downtime::default()
        },
        0,
    )
    .expect("valid downtime")
}

fn weekends() -> Spec {
    // Sat 24 Oct 2026 00:00 CEST → Sun 00:00, repeated Sat and Sun.
    from_v1(
        &Downtime {
            scope: Some(vec!["env:prod".into()]),
            monitor_id: Some(7),
            start: Some(utc(2026, 10, 23, 22, 0) / 1000),
            end: Some(utc(2026, 10, 24, 22, 0) / 1000),
            timezone: Some("Europe/Paris".into()),
            recurrence: Some(DowntimeRecurrence {
                kind: "weeks".into(),
                period: Some(1),
                week_days: Some(vec!["Sat".into(), "Sun".into()]),
                ..DowntimeRecurrence::default()
            }),
            ..Downtime::default()
        },
        0,
    )
    .expect("valid downtime")
}

fn windows(spec: &Spec, from_ms: i64, n: usize) -> Vec<(i64, Option<i64>)> {
    spec.schedule()
        .expect("schedule")
        .next_occurrences(from_ms, n)
        .iter()
        .map(|o| (o.start_ms, o.end_ms))
        .collect()
}

#[test]
fn weekday_nights_stay_at_19_local_across_the_end_of_summer_time() {
    let spec = weekday_nights();
    assert_eq!(
        windows(&spec, utc(2026, 10, 19, 12, 0), 7),
        vec![
            // CEST (UTC+2): 19:00 is 17:00Z, 09:00 is 07:00Z.
            (utc(2026, 10, 19, 17, 0), Some(utc(2026, 10, 20, 7, 0))),
            (utc(2026, 10, 20, 17, 0), Some(utc(2026, 10, 21, 7, 0))),
            (utc(2026, 10, 21, 17, 0), Some(utc(2026, 10, 22, 7, 0))),
            (utc(2026, 10, 22, 17, 0), Some(utc(2026, 10, 23, 7, 0))),
            (utc(2026, 10, 23, 17, 0), Some(utc(2026, 10, 24, 7, 0))),
            // CET (UTC+1) from Sunday: 19:00 is 18:00Z, 09:00 is 08:00Z.
            (utc(2026, 10, 26, 18, 0), Some(utc(2026, 10, 27, 8, 0))),
            (utc(2026, 10, 27, 18, 0), Some(utc(2026, 10, 28, 8, 0))),
        ]
    );
}

#[test]
fn the_weekend_window_over_the_change_is_24_hours_on_the_clock_and_25_in_real_time() {
    let spec = weekends();
    let s = spec.schedule().expect("schedule");
    let got = s.next_occurrences(utc(2026, 10, 19, 0, 0), 3);
    let spans: Vec<(i64, Option<i64>, bool)> = got
        .iter()
        .map(|o| (o.start_ms, o.end_ms, o.offset_changes))
        .collect();
    assert_eq!(
        spans,
        vec![
            (
                utc(2026, 10, 23, 22, 0),
                Some(utc(2026, 10, 24, 22, 0)),
                false
            ),
            // Sun 00:00 CEST → Mon 00:00 CET: 25 h.
            (
                utc(2026, 10, 24, 22, 0),
                Some(utc(2026, 10, 25, 23, 0)),
                true
            ),
            (
                utc(2026, 10, 30, 23, 0),
                Some(utc(2026, 10, 31, 23, 0)),
                false
            ),
        ]
    );
    assert_eq!(
        s.offset_changes(utc(2026, 10, 19, 0, 0), utc(2026, 11, 2, 0, 0)),
        vec![(utc(2026, 10, 25, 1, 0), 7200, 3600)]
    );
}

#[test]
fn active_at_tuesday_night_and_saturday_noon_but_not_wednesday_morning() {
    let nights = weekday_nights().schedule().expect("schedule");
    let weekend = weekends().schedule().expect("schedule");
    let active = |t: i64| nights.active_at(t).is_some() || weekend.active_at(t).is_some();
    // Tue 20 Oct 23:30 CEST, Sat 24 Oct 12:00 CEST, Wed 21 Oct 10:00 CEST.
    assert!(active(utc(2026, 10, 20, 21, 30)));
    assert!(weekend.active_at(utc(2026, 10, 24, 10, 0)).is_some());
    assert!(!active(utc(2026, 10, 21, 8, 0)));
    // The window's edges: in at 19:00, out at 09:00.
    assert!(nights.active_at(utc(2026, 10, 21, 17, 0)).is_some());
    assert!(nights.active_at(utc(2026, 10, 21, 7, 0)).is_none());
    // Friday night runs into Saturday 09:00 (Mon–Fri *starts*), Sunday night is quiet only by the
    // weekend downtime, and Monday 08:00 CET (07:00Z) is not quiet at all.
    assert!(nights.active_at(utc(2026, 10, 24, 6, 59)).is_some());
    assert!(!active(utc(2026, 10, 26, 7, 0)));
}

#[test]
fn a_start_in_the_spring_gap_moves_forward_and_keeps_its_length() {
    // Daily 02:30 for one hour, Paris; 28 March 2027 has no 02:00–03:00.
    let spec = from_v2(
        &serde_json::from_value::<DowntimeV2Body>(serde_json::json!({"data": {
            "type": "downtime",
            "attributes": {
                "scope": "*",
                "monitor_identifier": {"monitor_tags": ["*"]},
                "schedule": {"timezone": "Europe/Paris", "recurrences": [
                    {"start": "2027-03-27T02:30", "duration": "1h", "rrule": "FREQ=DAILY"}
                ]}
            }
        }}))
        .expect("body"),
        0,
    )
    .expect("valid");
    let got = spec
        .schedule()
        .expect("schedule")
        .next_occurrences(utc(2027, 3, 27, 0, 0), 3);
    // CET: 02:30 is 01:30Z. In the gap: read at +01:00, so 01:30Z (03:30 CEST) to 04:30 CEST.
    assert_eq!(
        (got[0].start_ms, got[0].end_ms),
        (utc(2027, 3, 27, 1, 30), Some(utc(2027, 3, 27, 2, 30)))
    );
    assert_eq!(
        (got[1].start_ms, got[1].end_ms, got[1].start_placed),
        (
            utc(2027, 3, 28, 1, 30),
            Some(utc(2027, 3, 28, 2, 30)),
            Placed::Skipped
        )
    );
    assert_eq!(
        (got[2].start_ms, got[2].end_ms),
        (utc(2027, 3, 29, 0, 30), Some(utc(2027, 3, 29, 1, 30)))
    );
}

#[test]
fn a_repeated_hour_starts_at_its_first_and_ends_at_its_second() {
    // Daily 01:00 for 90 minutes (ends 02:30, which happens twice on 25 October 2026).
    let spec = Spec {
        schedule: ScheduleSpec::Recurring {
            recurrences: vec![RecurrenceSpec {
                start: "2026-10-24T01:00:00".into(),
                duration_secs: 5400,
                rrule: "FREQ=DAILY;COUNT=2".into(),
            }],
        },
        ..weekends()
    };
    let got = spec.schedule().expect("schedule").next_occurrences(0, 5);
    assert_eq!(got.len(), 2);
    // 01:00 CEST = 23:00Z; 02:30 the second time is CET = 01:30Z: 2.5 h of real time.
    assert_eq!(
        (got[1].start_ms, got[1].end_ms, got[1].end_placed),
        (
            utc(2026, 10, 24, 23, 0),
            Some(utc(2026, 10, 25, 1, 30)),
            Placed::Repeated
        )
    );
}

#[test]
fn until_and_count_end_a_recurrence() {
    let mut spec = weekday_nights();
    if let ScheduleSpec::Recurring { recurrences } = &mut spec.schedule {
        // Until Wed 21 Oct 20:00Z: the Wednesday 19:00 CEST (17:00Z) start is the last.
        recurrences[0].rrule.push_str(";UNTIL=20261021T200000Z");
    }
    let all = windows(&spec, 0, 10);
    assert_eq!(all.len(), 3);
    // The same end as a wall-clock time in the zone (22:00 CEST is 20:00Z).
    let mut floating = weekday_nights();
    if let ScheduleSpec::Recurring { recurrences } = &mut floating.schedule {
        recurrences[0].rrule.push_str(";UNTIL=20261021T220000");
    }
    assert_eq!(windows(&floating, 0, 10), all);
    assert!(spec.schedule().expect("s").is_over(utc(2026, 10, 22, 7, 0)));
    let count = from_v1(
        &Downtime {
            recurrence: Some(DowntimeRecurrence {
                kind: "days".into(),
                period: Some(2),
                until_occurrences: Some(2),
                ..DowntimeRecurrence::default()
            }),
            ..v1_of(&weekday_nights())
        },
        0,
    )
    .expect("valid");
    assert_eq!(
        windows(&count, 0, 10),
        vec![
            (utc(2026, 10, 19, 17, 0), Some(utc(2026, 10, 20, 7, 0))),
            (utc(2026, 10, 21, 17, 0), Some(utc(2026, 10, 22, 7, 0))),
        ]
    );
}

fn v1_of(spec: &Spec) -> Downtime {
    let record = Record {
        id: 1,
        spec: spec.clone(),
        creator: None,
        creator_id: None,
        created_ms: 0,
        modified_ms: 0,
        canceled_ms: None,
    };
    let mut v1 = to_v1(&record, 0);
    v1.id = None;
    v1
}

#[test]
fn v1_answers_echo_what_was_sent_and_datadogs_validation_messages() {
    let spec = weekday_nights();
    let v1 = v1_of(&spec);
    assert_eq!(v1.start, Some(utc(2026, 10, 19, 17, 0) / 1000));
    assert_eq!(
        v1.recurrence.as_ref().and_then(|r| r.week_days.clone()),
        Some(
            ["Mon", "Tue", "Wed", "Thu", "Fri"]
                .map(String::from)
                .to_vec()
        )
    );
    assert_eq!(from_v1(&v1, 0).expect("round trip"), spec);

    let lower = Downtime {
        recurrence: Some(DowntimeRecurrence {
            kind: "weeks".into(),
            week_days: Some(vec!["mon".into()]),
            ..DowntimeRecurrence::default()
        }),
        ..v1.clone()
    };
    assert_eq!(
        from_v1(&lower, 0),
        Err(vec![
            "Invalid set of days in week_days. Be sure that the first letter is capitalized."
                .to_owned()
        ])
    );
    let hours = Downtime {
        recurrence: Some(DowntimeRecurrence {
            kind: "hours".into(),
            ..DowntimeRecurrence::default()
        }),
        ..v1.clone()
    };
    let err = from_v1(&hours, 0).expect_err("hours");
    assert!(err[0].contains("'hours'"), "{err:?}");
    let no_end = Downtime {
        end: None,
        ..v1.clone()
    };
    assert!(from_v1(&no_end, 0).is_err());
    let zone = Downtime {
        timezone: Some("Mars/Olympus".into()),
        ..v1
    };
    assert_eq!(
        from_v1(&zone, 0).expect_err("zone"),
        vec!["Invalid timezone: 'Mars/Olympus' is not an IANA time zone.".to_owned()]
    );
}

#[test]
fn v2_round_trips_and_says_what_is_wrong() {
    let body: DowntimeV2Body = serde_json::from_value(serde_json::json!({"data": {
        "type": "downtime",
        "attributes": {
            "scope": "env:prod AND service:web",
            "monitor_identifier": {"monitor_tags": ["team:core"]},
            "display_timezone": "Europe/Berlin",
            "message": "@alice",
            "notify_end_types": ["expired", "canceled"],
            "schedule": {"timezone": "Europe/Berlin", "recurrences": [
                {"start": "2026-10-19T19:00", "duration": "14h", "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"}
            ]}
        }
    }}))
    .expect("body");
    let spec = from_v2(&body, 0).expect("valid");
    assert_eq!(spec.scope, vec!["env:prod", "service:web"]);
    let record = Record {
        id: 4,
        spec: spec.clone(),
        creator: Some("alice".into()),
        creator_id: None,
        created_ms: 0,
        modified_ms: 0,
        canceled_ms: None,
    };
    let v2 = to_v2(&record, utc(2026, 10, 20, 12, 0));
    assert_eq!(v2.attributes.status.as_deref(), Some("scheduled"));
    let schedule = v2.attributes.schedule.clone().expect("schedule");
    assert_eq!(
        schedule.current_downtime.map(|c| c.start),
        Some("2026-10-20T17:00:00+00:00".to_owned())
    );
    let r = &schedule.recurrences.expect("recurrences")[0];
    assert_eq!(
        (r.start.as_deref(), r.duration.as_deref()),
        (Some("2026-10-19T19:00"), Some("14h"))
    );
    let again = from_v2(&DowntimeV2Body { data: v2 }, 0).expect("round trip");
    assert_eq!(again, spec);

    let bad: DowntimeV2Body = serde_json::from_value(serde_json::json!({"data": {
        "type": "downtimes",
        "attributes": {"scope": "env:a OR env:b", "schedule": {"timezone": "UTC",
            "recurrences": [{"start": "yesterday", "duration": "2x", "rrule": "FREQ=DAILY"}]}}
    }}))
    .expect("body");
    let errors = from_v2(&bad, 0).expect_err("invalid");
    assert_eq!(errors.len(), 5, "{errors:?}");
}

#[test]
fn scopes_match_like_a_querys_braces() {
    let tags = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let group = tags(&["env:prod", "host:web-1"]);
    assert!(scope_matches(&tags(&["*"]), &group));
    assert!(scope_matches(&tags(&["env:prod", "host:web-*"]), &group));
    assert!(!scope_matches(&tags(&["env:prod", "host:db-*"]), &group));
    assert!(!scope_matches(&tags(&["-env:prod"]), &group));
    assert_eq!(
        parse_scope("env:prod AND NOT host:db-1").expect("scope"),
        tags(&["env:prod", "-host:db-1"])
    );
    assert!(parse_scope("env:a OR env:b").is_err());
    assert!(monitor_matches(None, &tags(&["*"]), 3, &[]));
    assert!(monitor_matches(
        None,
        &tags(&["team:core"]),
        3,
        &tags(&["team:core", "x"])
    ));
    assert!(!monitor_matches(
        None,
        &tags(&["team:core"]),
        3,
        &tags(&["team:web"])
    ));
    assert!(!monitor_matches(Some(2), &tags(&["*"]), 3, &[]));
}

#[test]
fn durations_read_and_write_in_datadogs_units() {
    assert_eq!(parse_duration("14h"), Some(50_400));
    assert_eq!(parse_duration("2w"), Some(1_209_600));
    assert_eq!(parse_duration("0h"), None);
    assert_eq!(parse_duration("1y"), None);
    assert_eq!(format_duration(50_400), "14h");
    assert_eq!(format_duration(86_400), "1d");
    assert_eq!(format_duration(5_400), "90m");
}
