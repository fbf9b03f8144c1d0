//! Downtimes in Datadog's two shapes: v1 (`/api/v1/downtime`, what the `datadog` package's
//! `api.Downtime` calls) and v2 (`/api/v2/downtime`, JSON:API), and dogwatch's preview of a
//! schedule (`/api/v1/dogwatch/downtime/preview`). See shared/reference/datadog-api.md §7.

use serde::{Deserialize, Deserializer, Serialize};

/// A v1 downtime: the request body (create, update) and the answer.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Downtime {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Every term must match; a client may send a list or one comma-separated string.
    #[serde(default, deserialize_with = "scope_terms")]
    pub scope: Option<Vec<String>>,
    #[serde(default)]
    pub monitor_id: Option<i64>,
    #[serde(default)]
    pub monitor_tags: Option<Vec<String>>,
    /// POSIX seconds; none: now.
    #[serde(default)]
    pub start: Option<i64>,
    /// POSIX seconds; none: until canceled.
    #[serde(default)]
    pub end: Option<i64>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub recurrence: Option<DowntimeRecurrence>,
    #[serde(default)]
    pub mute_first_recovery_notification: Option<bool>,
    #[serde(default)]
    pub notify_end_types: Option<Vec<String>>,
    #[serde(default)]
    pub notify_end_states: Option<Vec<String>>,
    // Answer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// POSIX seconds it was canceled at.
    #[serde(default)]
    pub canceled: Option<i64>,
    #[serde(default)]
    pub creator_id: Option<i64>,
    /// dogwatch: the creator's @handle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub child_id: Option<i64>,
    /// 0: scope `*`; 1: hosts only; 2: other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downtime_type: Option<u8>,
    /// `scheduled`, `active`, `canceled` or `ended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub updater_id: Option<i64>,
}

/// v1's week days (`week_days`) and RFC 5545's (`BYDAY`), Monday first.
pub const WEEK_DAYS: [(&str, &str); 7] = [
    ("Mon", "MO"),
    ("Tue", "TU"),
    ("Wed", "WE"),
    ("Thu", "TH"),
    ("Fri", "FR"),
    ("Sat", "SA"),
    ("Sun", "SU"),
];

/// v1's `recurrence`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct DowntimeRecurrence {
    /// `days`, `weeks`, `months`, `years` or `rrule`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub period: Option<i64>,
    /// `Mon` … `Sun` (weeks only).
    #[serde(default)]
    pub week_days: Option<Vec<String>>,
    /// POSIX seconds.
    #[serde(default)]
    pub until_date: Option<i64>,
    #[serde(default)]
    pub until_occurrences: Option<i64>,
    #[serde(default)]
    pub rrule: Option<String>,
}

/// `POST /api/v1/downtime/cancel/by_scope`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct CancelByScope {
    #[serde(default)]
    pub scope: Option<String>,
}

/// Its answer.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct CanceledIds {
    pub cancelled_ids: Vec<i64>,
}

fn scope_terms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Terms {
        List(Vec<String>),
        Text(String),
    }
    Ok(Option::<Terms>::deserialize(d)?.map(|t| match t {
        Terms::List(list) => list,
        Terms::Text(text) => text
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    }))
}

/// A v2 request or answer: `{"data": …}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimeV2Body {
    pub data: DowntimeV2,
}

/// `GET /api/v2/downtime`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimeV2List {
    pub data: Vec<DowntimeV2>,
    #[serde(default)]
    pub meta: DowntimeV2Meta,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct DowntimeV2Meta {
    pub page: DowntimeV2Page,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct DowntimeV2Page {
    pub total_filtered_count: usize,
}

/// One v2 downtime (`type` is `downtime`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimeV2 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: String,
    pub attributes: DowntimeV2Attributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationships: Option<DowntimeV2Relationships>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimeV2Attributes {
    /// One query: `env:prod AND service:web`.
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub monitor_identifier: Option<MonitorIdentifier>,
    #[serde(default)]
    pub display_timezone: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub mute_first_recovery_notification: Option<bool>,
    #[serde(default)]
    pub notify_end_types: Option<Vec<String>>,
    #[serde(default)]
    pub notify_end_states: Option<Vec<String>>,
    #[serde(default)]
    pub schedule: Option<DowntimeV2Schedule>,
    // Answer only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled: Option<String>,
}

/// `{"monitor_id": N}` or `{"monitor_tags": [...]}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct MonitorIdentifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_tags: Option<Vec<String>>,
}

/// Recurring (`timezone` + `recurrences`) or one-time (`start`, `end`: ISO 8601 with an offset).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimeV2Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrences: Option<Vec<DowntimeV2Recurrence>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Answer only: the window active now or next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_downtime: Option<CurrentDowntime>,
}

/// One v2 recurrence: a local start (`2026-10-19T19:00`), a duration (`14h`) and an RRULE.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct DowntimeV2Recurrence {
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub rrule: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct CurrentDowntime {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct DowntimeV2Relationships {
    pub created_by: Relationship,
    pub monitor: Relationship,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Relationship {
    pub data: Option<RelationshipData>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct RelationshipData {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `POST /api/v1/dogwatch/downtime/preview` (a v2 body): when the downtime would be active, drawn
/// for the form's calendar, and what it would silence.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DowntimePreview {
    pub timezone: String,
    /// The next windows (at most 10), in the zone and in UTC.
    pub occurrences: Vec<PreviewWindow>,
    /// The local date (`2026-10-19`, a Monday) the calendar's two weeks start on.
    pub calendar_start: String,
    /// The windows overlapping the two weeks, in wall-clock minutes from `calendar_start` 00:00.
    pub blocks: Vec<PreviewBlock>,
    /// The zone's clock changes within the two weeks.
    pub clock_changes: Vec<ClockChange>,
    /// The monitors it would silence, with the groups in its scope.
    pub monitors: Vec<PreviewMonitor>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PreviewWindow {
    /// `Mon 2026-10-19 19:00`, in the zone.
    pub start_local: String,
    pub end_local: Option<String>,
    /// `2026-10-19 17:00 UTC`.
    pub start_utc: String,
    pub end_utc: Option<String>,
    /// The zone's offset changes within the window (its real length differs from the clock's).
    pub offset_changes: bool,
    /// `exact`, `skipped` (moved out of the spring gap) or `repeated` (an autumn hour).
    pub start_placed: String,
    pub end_placed: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PreviewBlock {
    pub start_minute: i64,
    /// Clamped to the two weeks' end; an endless window runs to it.
    pub end_minute: i64,
    pub label: String,
    pub offset_changes: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct ClockChange {
    /// Wall-clock minutes from `calendar_start` 00:00 (of the time after the change).
    pub minute: i64,
    /// `Sun 25 Oct 03:00 → 02:00 (UTC+02:00 → UTC+01:00)`.
    pub label: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PreviewMonitor {
    pub id: i64,
    pub name: String,
    pub overall_state: String,
    /// The groups in the downtime's scope, with their states (`*` for a simple monitor).
    pub groups: Vec<PreviewGroup>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct PreviewGroup {
    pub group: String,
    pub state: String,
}
