//! The event stream `/api/v1/events` (monitor transitions, Datadog's event shape with dogwatch's
//! members added) and our status-page extension `/api/v1/dogwatch/monitor/{id}/history` (each
//! group's state, its transitions and the notifications sent).

use axum::Json;
use axum::extract::{Path, State};
use dogwatch_core::wire::{Event, EventList, HistoryGroup, MonitorHistory, Transition};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::handlers::monitors::{find, overall_state, parse_id};
use crate::handlers::notifications::notification_out;
use crate::store::{EventRow, GroupRow};

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
        events: rows.into_iter().map(event_out).collect(),
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

fn event_out(row: EventRow) -> Event {
    let e = row.event;
    Event {
        id: row.id,
        id_str: row.id.to_string(),
        title: e.title,
        text: e.text,
        date_happened: e.ts_ms.div_euclid(1000),
        alert_type: e.alert_type,
        priority: "normal".into(),
        source_type_name: "Monitor Alert".into(),
        host: None,
        device_name: None,
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
