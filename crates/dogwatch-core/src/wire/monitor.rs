//! Metric monitors as Datadog's `/api/v1/monitor` API and its clients (datadogpy's `api.Monitor`)
//! shape them, with dogwatch's additions marked; the event stream (`/api/v1/events`) of their
//! transitions; and a monitor's history (`/api/v1/dogwatch/monitor/{id}/history`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// One monitor as the API answers it: `GET /api/v1/monitor/{id}`, each entry of `GET /api/v1/monitor`,
/// and the answers of create, update, mute and unmute. Members dogwatch does not use are kept as the
/// client sent them (`extra`).
// `default`: the server reads a stored definition into this type before it fills in the rest.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(default)]
pub struct Monitor {
    pub id: i64,
    pub org_id: i64,
    /// Always `query alert`: `metric alert` is taken and stored as its modern name.
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub query: String,
    pub message: String,
    pub tags: Vec<String>,
    /// 1 (highest) to 5; null when not set.
    pub priority: Option<i64>,
    pub options: MonitorOptions,
    pub creator: Creator,
    /// ISO 8601.
    pub created: String,
    pub modified: String,
    pub deleted: Option<String>,
    pub restricted_roles: Option<Vec<String>>,
    /// Whether the query is grouped (`by {host}`), i.e. alerts per group.
    pub multi: bool,
    /// `OK`, `Warn`, `Alert` or `No Data`: the worst evaluated group.
    pub overall_state: String,
    pub overall_state_modified: Option<String>,
    /// dogwatch's own: why the last evaluation could not run the query (its groups then keep their
    /// state), e.g. over the query budget; null when it ran.
    #[serde(default)]
    pub evaluation_error: Option<EvaluationError>,
    /// The groups' states, when asked for with `group_states`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<MonitorGroups>,
    /// The downtimes, active or scheduled, that apply to this monitor (some or all of its groups).
    #[serde(default)]
    pub matching_downtimes: Vec<MatchingDowntime>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Datadog's `matching_downtimes` item: a downtime and its current or next window (POSIX seconds).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct MatchingDowntime {
    pub id: i64,
    pub start: i64,
    pub end: Option<i64>,
    pub scope: Vec<String>,
    /// dogwatch's own: the window is open now.
    #[serde(default)]
    pub active: bool,
}

impl Monitor {
    /// Whether some scope is muted (`options.silenced` is not empty).
    pub fn is_muted(&self) -> bool {
        !self.options.silenced.is_empty()
    }
}

/// A monitor's options. The server fills in Datadog's defaults when a monitor is saved.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MonitorOptions {
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub notify_no_data: bool,
    /// Minutes without data before No Data; null unless `notify_no_data`.
    #[serde(default)]
    pub no_data_timeframe: Option<i64>,
    /// Minutes between reminders while in Alert; null for none.
    #[serde(default)]
    pub renotify_interval: Option<i64>,
    /// Seconds the evaluation waits for late data.
    #[serde(default)]
    pub evaluation_delay: Option<i64>,
    #[serde(default)]
    pub require_full_window: bool,
    /// Muted scopes (`*` or `key:value,…`) to when each mute ends (seconds; null for never).
    #[serde(default)]
    pub silenced: BTreeMap<String, Option<i64>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `options.thresholds`: only those given are present, each echoed as the client wrote it (`800`
/// stays `800`, not `800.0`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Thresholds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_recovery: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_recovery: Option<Number>,
}

impl Thresholds {
    /// Thresholds from values (a NaN or infinite one is left out: JSON has no such numbers).
    pub fn from_values(
        critical: Option<f64>,
        warning: Option<f64>,
        critical_recovery: Option<f64>,
        warning_recovery: Option<f64>,
    ) -> Thresholds {
        let number = |v: Option<f64>| v.and_then(Number::from_f64);
        Thresholds {
            critical: number(critical),
            warning: number(warning),
            critical_recovery: number(critical_recovery),
            warning_recovery: number(warning_recovery),
        }
    }
}

/// Who made a monitor (there are no logins yet: always dogwatch itself).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Creator {
    pub email: String,
    pub handle: String,
    pub name: String,
}

/// Why a monitor's last evaluation did not run.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct EvaluationError {
    pub message: String,
    /// ISO 8601: since when the evaluations fail.
    pub since: Option<String>,
}

/// `state` of a monitor: its evaluated groups by name (`*` for an ungrouped monitor).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MonitorGroups {
    pub groups: BTreeMap<String, GroupState>,
}

/// One group of a monitor as Datadog reports it; times in seconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct GroupState {
    pub name: String,
    pub status: String,
    pub last_triggered_ts: Option<i64>,
    pub last_notified_ts: Option<i64>,
    pub last_resolved_ts: Option<i64>,
    pub last_nodata_ts: Option<i64>,
    pub triggering_value: Option<TriggeringValue>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Default)]
pub struct TriggeringValue {
    pub value: f64,
}

/// `DELETE /api/v1/monitor/{id}`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub struct MonitorDeleted {
    pub deleted_monitor_id: i64,
}

/// The body of `POST /api/v1/monitor/{id}/mute` and `…/unmute` (also accepted as query parameters;
/// datadogpy sends a body). Every member is optional.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MuteRequest {
    /// `*` (the whole monitor) when absent, else `key:value` tags joined by commas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Mute: when it ends, in seconds since the epoch (fractions dropped); never when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_seconds"
    )]
    pub end: Option<i64>,
    /// Unmute: every scope at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_scopes: Option<bool>,
}

/// Seconds given as an integer or, as some clients send `time.time()`, with a fraction.
fn whole_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.map(|s| s as i64))
}

/// One event of the stream: a monitor's group changing state. Datadog's event members, then
/// dogwatch's own (what the event page links and colours by).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Event {
    pub id: i64,
    pub id_str: String,
    pub title: String,
    pub text: String,
    /// Seconds.
    pub date_happened: i64,
    /// `error`, `warning`, `success` or `info`.
    pub alert_type: String,
    pub priority: String,
    pub source_type_name: String,
    pub host: Option<String>,
    pub device_name: Option<String>,
    pub tags: Vec<String>,
    pub url: String,
    pub resource: String,
    pub is_aggregate: bool,
    pub ts_ms: i64,
    pub monitor_id: Option<i64>,
    pub monitor_group: Option<String>,
    /// `Triggered`, `Recovered`, `Warn`, `No Data`, …
    pub transition: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub value: Option<f64>,
    /// The event this one follows up (a comment on a snapshot, say).
    #[serde(default)]
    pub related_event_id: Option<i64>,
    /// The snapshot this event shares or comments on, while it exists: its picture is
    /// `/api/v1/dogwatch/snapshot/view/<id>.png` and its page `/snapshot/<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// Who wrote it in dogwatch (a user's handle); none for events posted with an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// `POST /api/v1/events`, as datadogpy's `api.Event.create` sends it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct EventRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    /// Seconds; now when absent.
    #[serde(default, deserialize_with = "whole_seconds")]
    pub date_happened: Option<i64>,
    /// `normal` or `low`.
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// `error`, `warning`, `info` (the default), `success`, `user_update`, `recommendation`,
    /// `snapshot`.
    #[serde(default)]
    pub alert_type: Option<String>,
    #[serde(default)]
    pub aggregation_key: Option<String>,
    #[serde(default)]
    pub source_type_name: Option<String>,
    #[serde(default)]
    pub related_event_id: Option<i64>,
}

/// The answer to `POST /api/v1/events` (202): `{"status": "ok", "event": …}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct EventPosted {
    pub status: String,
    pub event: Event,
}

/// `GET /api/v1/events/{id}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct EventOne {
    pub event: Event,
}

/// `GET /api/v1/events`: newest first.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct EventList {
    pub events: Vec<Event>,
}

/// `GET /api/v1/dogwatch/monitor/{id}/history`: what the status page shows.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MonitorHistory {
    pub monitor_id: i64,
    pub overall_state: String,
    pub created_ms: i64,
    pub groups: Vec<HistoryGroup>,
    /// Oldest first.
    pub transitions: Vec<Transition>,
    pub notifications: Vec<super::Notification>,
}

/// One group of a monitor with its full status; times in milliseconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct HistoryGroup {
    pub group: String,
    pub state: String,
    pub since_ms: i64,
    pub last_value: Option<f64>,
    pub last_data_ms: Option<i64>,
    pub last_triggered_ms: Option<i64>,
    pub last_notified_ms: Option<i64>,
    pub last_resolved_ms: Option<i64>,
    pub first_seen_ms: Option<i64>,
    /// Waiting out `new_group_delay`: not evaluated yet, `state` means nothing.
    pub pending: bool,
}

/// A group's change of state.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Transition {
    pub ts_ms: i64,
    pub group: Option<String>,
    pub transition: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub value: Option<f64>,
    pub title: String,
    /// The downtime that silenced this transition's notifications, if one did.
    #[serde(default)]
    pub downtime_id: Option<i64>,
}

/// `GET /api/v1/monitor/search`, as datadogpy's `api.Monitor.search` reads it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MonitorSearch {
    /// The page asked for.
    pub monitors: Vec<SearchHit>,
    pub metadata: SearchMetadata,
    /// Over every match, not just the page.
    pub counts: SearchCounts,
}

/// One monitor as the search shows it; times in seconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct SearchHit {
    pub id: i64,
    pub name: String,
    /// The overall state.
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub query: String,
    pub tags: Vec<String>,
    pub creator: SearchCreator,
    pub last_triggered_ts: Option<i64>,
    pub overall_state_modified: Option<i64>,
    /// The metrics the query reads.
    pub metrics: Vec<String>,
    /// The scopes (`host:a`, `!env:dev`) of its metric queries.
    pub scopes: Vec<String>,
    /// Who the message mentions.
    pub notifications: Vec<SearchMention>,
    pub classification: String,
    pub org_id: i64,
    pub priority: Option<i64>,
    pub multi: bool,
    /// The whole monitor is muted now (an active `*` silence).
    pub muted: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct SearchCreator {
    pub id: i64,
    pub handle: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct SearchMention {
    pub handle: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct SearchMetadata {
    /// From 0.
    pub page: usize,
    pub per_page: usize,
    pub page_count: usize,
    pub total_count: usize,
}

/// Facet counts, most frequent first.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct SearchCounts {
    pub status: Vec<Count<String>>,
    pub muted: Vec<Count<bool>>,
    pub tag: Vec<Count<String>>,
    #[serde(rename = "type")]
    pub kind: Vec<Count<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct Count<K> {
    pub name: K,
    pub count: usize,
}

/// The body of `POST /api/v1/monitor`, `PUT /api/v1/monitor/{id}` (where every member is optional
/// and merged into the stored monitor) and `POST /api/v1/monitor/validate`, as the UI's form sends
/// it. The server reads bodies member by member, so that each wrong one is named; this is the shape
/// a client writes.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MonitorDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub query: String,
    pub message: String,
    pub tags: Vec<String>,
    pub priority: Option<i64>,
    pub options: MonitorOptions,
}

impl From<MonitorDefinition> for Monitor {
    /// A monitor as saving this definition makes it, before the server fills in ids and states.
    fn from(d: MonitorDefinition) -> Monitor {
        Monitor {
            kind: d.kind,
            name: d.name,
            query: d.query,
            message: d.message,
            tags: d.tags,
            priority: d.priority,
            options: d.options,
            ..Monitor::default()
        }
    }
}
