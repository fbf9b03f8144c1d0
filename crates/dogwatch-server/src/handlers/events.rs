//! The event stream `/api/v1/events` (monitor transitions and events posted by clients, Datadog's
//! event shape with dogwatch's members added), one event (`/api/v1/events/{id}`), posting one
//! (`api.Event.create`: its @mentions are notified), and our status-page extension
//! `/api/v1/dogwatch/monitor/{id}/history` (each group's state, its transitions and the
//! notifications sent).

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dogwatch_core::monitor::mentions;
use dogwatch_core::wire::{
    Event, EventList, EventOne, EventPosted, EventRequest, HistoryGroup, MonitorHistory, Transition,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiQuery, AppError, AppJson, RequestBody};
use crate::handlers::monitors::{find, overall_state, parse_id};
use crate::handlers::notifications::notification_out;
use crate::handlers::now_ms;
use crate::store::{Channel, EventRow, GroupRow, NewEvent, NewNotification, Posted};

/// Datadog's limits on a posted event.
pub(crate) const MAX_TITLE: usize = 100;
pub(crate) const MAX_TEXT: usize = 4000;
const ALERT_TYPES: [&str; 7] = [
    "error",
    "warning",
    "info",
    "success",
    "user_update",
    "recommendation",
    "snapshot",
];

impl RequestBody for EventRequest {
    const MAX_BYTES: usize = 64 * 1024;
}

/// `POST /api/v1/events`: records the event and, in the same transaction, one notification per
/// @mention of its text (email, `@webhook-<name>`, a user's inbox); 202 once both are durable.
pub async fn post(
    State(state): State<AppState>,
    AppJson(body): AppJson<EventRequest>,
) -> Result<(StatusCode, Json<EventPosted>), AppError> {
    let now = now_ms();
    let event = checked_event(body, now).map_err(AppError::Invalid)?;
    let related = event.posted.as_ref().and_then(|p| p.related_event_id);
    // A reply to a snapshot's event: its mentions get the snapshot's link and picture.
    let share = match related {
        Some(id) => state
            .store
            .event(id)
            .await
            .map_err(AppError::internal)?
            .and_then(|r| r.event.snapshot_id)
            .map(|s| Share::of(&state, &s)),
        None => None,
    };
    let notifications =
        mention_notifications(&event.dedupe_key, &event.title, &event.text, share.as_ref());
    let id = state
        .store
        .post_event(event, notifications, now)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "related_event_id {}: there is no such event",
                related.unwrap_or_default()
            ))
        })?;
    let row = state
        .store
        .event(id)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::internal("a posted event was not found"))?;
    let answer = EventPosted {
        status: "ok".to_owned(),
        event: one_out(&state, row).await?,
    };
    Ok((StatusCode::ACCEPTED, Json(answer)))
}

/// `GET /api/v1/events/{id}`.
pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<EventOne>, AppError> {
    let missing = || AppError::NotFound(format!("Event {id} not found"));
    let n: i64 = id.parse().map_err(|_| missing())?;
    let row = state
        .store
        .event(n)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(missing)?;
    Ok(Json(EventOne {
        event: one_out(&state, row).await?,
    }))
}

/// Datadog's limits on an event's title (required) and text, which a snapshot's title and message
/// share; `text` is named as its body names it.
pub(crate) fn check_title_and_text(
    title: &str,
    (name, text): (&str, &str),
    errors: &mut Vec<String>,
) {
    if title.trim().is_empty() {
        errors.push("title is required".to_owned());
    } else if title.chars().count() > MAX_TITLE {
        errors.push(format!("title is longer than {MAX_TITLE} characters"));
    }
    if text.chars().count() > MAX_TEXT {
        errors.push(format!("{name} is longer than {MAX_TEXT} characters"));
    }
}

/// A posted event as stored, or every problem with it.
fn checked_event(body: EventRequest, now: i64) -> Result<NewEvent, Vec<String>> {
    let mut errors = Vec::new();
    let title = body.title.unwrap_or_default();
    let text = body.text.unwrap_or_default();
    check_title_and_text(&title, ("text", &text), &mut errors);
    let alert_type = body.alert_type.unwrap_or_else(|| "info".to_owned());
    if !ALERT_TYPES.contains(&alert_type.as_str()) {
        errors.push(format!(
            "alert_type must be one of {}, not '{alert_type}'",
            ALERT_TYPES.join(", ")
        ));
    }
    let priority = body.priority.unwrap_or_else(|| "normal".to_owned());
    if priority != "normal" && priority != "low" {
        errors.push(format!("priority must be normal or low, not '{priority}'"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let key = crate::auth::random_hex(16).map_err(|e| vec![e])?;
    Ok(NewEvent {
        dedupe_key: format!("event:{key}"),
        ts_ms: body.date_happened.map_or(now, |s| s.saturating_mul(1000)),
        monitor_id: None,
        group_key: None,
        transition: None,
        from_state: None,
        to_state: None,
        value: None,
        alert_type,
        title,
        text,
        tags: body.tags.unwrap_or_default(),
        posted: Some(Posted {
            priority: Some(priority),
            host: body.host,
            device_name: body.device_name,
            source_type_name: body.source_type_name,
            aggregation_key: body.aggregation_key,
            related_event_id: body.related_event_id,
            author: None,
            author_name: None,
        }),
        snapshot_id: None,
    })
}

/// One notification per @mention of `text`, each keyed `<key>:<channel>:<target>`; the subject is
/// `title` on one line. Sharing a snapshot, the body ends with its link, a webhook's JSON carries
/// its page and picture, and an email its picture inline.
pub(crate) fn mention_notifications(
    key: &str,
    title: &str,
    text: &str,
    share: Option<&Share>,
) -> Vec<NewNotification> {
    let subject: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let body = match share {
        Some(s) => format!("{text}\n\nSnapshot: {}", s.page_url),
        None => text.to_owned(),
    };
    let payload = share.map(|s| {
        serde_json::json!({
            "subject": subject,
            "body": body,
            "snapshot_url": s.page_url,
            "snapshot_png_url": s.png_url,
        })
        .to_string()
    });
    mentions(text)
        .into_iter()
        .map(|m| {
            let (channel, target) = Channel::of(m);
            NewNotification {
                dedupe_key: format!("{key}:{}:{target}", channel.as_str()),
                channel,
                target,
                subject: subject.clone(),
                body: body.clone(),
                payload: payload.clone().filter(|_| channel == Channel::Webhook),
                snapshot_id: share.map(|s| s.snapshot_id.clone()),
            }
        })
        .collect()
}

/// The snapshot a notification shares: its id and absolute links.
pub(crate) struct Share {
    pub snapshot_id: String,
    pub page_url: String,
    pub png_url: String,
}

impl Share {
    pub fn of(state: &AppState, snapshot_id: &str) -> Share {
        Share {
            snapshot_id: snapshot_id.to_owned(),
            page_url: format!("{}{}", state.site, page_path(snapshot_id)),
            png_url: format!("{}{}", state.site, png_path(snapshot_id)),
        }
    }
}

/// A snapshot's page.
pub(crate) fn page_path(id: &str) -> String {
    format!("/snapshot/{id}")
}

/// A snapshot's picture; datadogpy's `Graph.status` reads the id between `/snapshot/view/` and
/// `.png`.
pub(crate) fn png_path(id: &str) -> String {
    format!("/api/v1/dogwatch/snapshot/view/{id}.png")
}

const MAX_EVENTS: usize = 1000;

#[derive(Deserialize)]
pub struct EventParams {
    start: Option<i64>,
    end: Option<i64>,
    /// dogwatch's own filter: only this monitor's events.
    monitor_id: Option<i64>,
    limit: Option<usize>,
}

pub async fn events(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<EventParams>,
) -> Result<Json<EventList>, AppError> {
    let (Some(start), Some(end)) = (params.start, params.end) else {
        return Err(AppError::BadRequest(
            "start and end are required (seconds since the epoch)".into(),
        ));
    };
    if start > end {
        return Err(AppError::BadRequest(format!(
            "start ({start}) must not be after end ({end})"
        )));
    }
    let limit = params.limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS);
    let rows = state
        .store
        .events(
            start.saturating_mul(1000),
            end.saturating_mul(1000).saturating_add(999),
            params.monitor_id,
            limit,
        )
        .await
        .map_err(AppError::internal)?;
    Ok(Json(EventList {
        events: events_out(&state, rows).await?,
    }))
}

#[derive(Deserialize)]
pub struct HistoryParams {
    /// Seconds; the whole history when absent.
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<usize>,
}

impl HistoryParams {
    /// `from` and `to` as the milliseconds they cover; the whole history when absent.
    fn window_ms(&self) -> (i64, i64) {
        let from_ms = self.from.map_or(0, |s| s.saturating_mul(1000));
        let to_ms = self
            .to
            .map_or(i64::MAX, |s| s.saturating_mul(1000).saturating_add(999));
        (from_ms, to_ms)
    }
}

pub async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<MonitorHistory>, AppError> {
    let id = parse_id(&id)?;
    let row = find(&state, id).await?;
    let limit = params.limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS);
    let groups = state
        .store
        .monitor_groups(Some(id))
        .await
        .map_err(AppError::internal)?;
    let (from_ms, to_ms) = params.window_ms();
    let transitions = state
        .store
        .events(from_ms, to_ms, Some(id), limit)
        .await
        .map_err(AppError::internal)?;
    let notifications = state
        .store
        .monitor_notifications(id, limit)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(MonitorHistory {
        monitor_id: id,
        overall_state: overall_state(&groups).to_owned(),
        created_ms: row.created_ms,
        groups: groups.into_iter().map(history_group).collect(),
        // Oldest first.
        transitions: transitions.into_iter().rev().map(transition).collect(),
        notifications: notifications.iter().map(notification_out).collect(),
    }))
}

fn transition(row: EventRow) -> Transition {
    let e = row.event;
    Transition {
        ts_ms: e.ts_ms,
        group: e.group_key,
        transition: e.transition,
        from: e.from_state,
        to: e.to_state,
        value: e.value,
        title: e.title,
        downtime_id: e
            .tags
            .iter()
            .find_map(|t| t.strip_prefix("downtime_id:")?.parse().ok()),
    }
}

fn history_group(g: GroupRow) -> HistoryGroup {
    HistoryGroup {
        state: g.status.state.as_str().to_owned(),
        since_ms: g.status.since_ms,
        last_value: g.last_value,
        last_data_ms: g.last_data_ms,
        last_triggered_ms: g.status.last_triggered_ms,
        last_notified_ms: g.status.last_notified_ms,
        last_resolved_ms: g.last_resolved_ms,
        first_seen_ms: g.first_seen_ms,
        pending: g.pending,
        group: g.group_key,
    }
}

/// Events as the API answers them, each snapshot they share named only while it exists.
pub(crate) async fn events_out(
    state: &AppState,
    rows: Vec<EventRow>,
) -> Result<Vec<Event>, AppError> {
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.event.snapshot_id.clone())
        .collect();
    let live = state
        .store
        .live_snapshots(ids, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(rows.into_iter().map(|r| event_out(r, &live)).collect())
}

async fn one_out(state: &AppState, row: EventRow) -> Result<Event, AppError> {
    let mut out = events_out(state, vec![row]).await?;
    out.pop()
        .ok_or_else(|| AppError::internal("an event went missing"))
}

fn event_out(row: EventRow, live: &HashSet<String>) -> Event {
    let e = row.event;
    let posted = e.posted.unwrap_or_default();
    let from_monitor = e.monitor_id.is_some() || e.transition.is_some();
    Event {
        id: row.id,
        id_str: row.id.to_string(),
        title: e.title,
        text: e.text,
        date_happened: e.ts_ms.div_euclid(1000),
        alert_type: e.alert_type,
        priority: posted.priority.unwrap_or_else(|| "normal".into()),
        source_type_name: posted.source_type_name.unwrap_or_else(|| {
            if from_monitor {
                "Monitor Alert"
            } else {
                "My Apps"
            }
            .into()
        }),
        host: posted.host,
        device_name: posted.device_name,
        related_event_id: posted.related_event_id,
        // Only while the snapshot exists: its picture and page are gone with it.
        snapshot_id: e.snapshot_id.filter(|id| live.contains(id)),
        author: posted.author,
        tags: e.tags,
        url: format!("/event/event?id={}", row.id),
        resource: format!("/api/v1/events/{}", row.id),
        is_aggregate: false,
        ts_ms: e.ts_ms,
        monitor_id: e.monitor_id,
        monitor_group: e.group_key,
        transition: e.transition,
        from_state: e.from_state,
        to_state: e.to_state,
        value: e.value,
    }
}
