//! Downtimes, Datadog-compatible: `/api/v1/downtime` (what the `datadog` package's `api.Downtime`
//! calls: create, get, list with `current_only`, update, delete = cancel, cancel by scope) and
//! `/api/v2/downtime` (JSON:API). Both read and write the one stored `core::downtime::Spec`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::Datelike;
use dogwatch_core::downtime::{
    Occurrence, Spec, Tz, from_v1, from_v2, local_time, merge_v1, merge_v2, monitor_matches,
    offset_changes, place, scope_matches, to_v1, to_v2,
};
use dogwatch_core::wire::{
    CancelByScope, CanceledIds, ClockChange, Downtime, DowntimePreview, DowntimeV2Body,
    DowntimeV2List, DowntimeV2Meta, DowntimeV2Page, PreviewBlock, PreviewGroup, PreviewMonitor,
    PreviewWindow,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiQuery, AppError, AppJson, RequestBody};
use crate::evaluator::group_tags;
use crate::handlers::monitors::{groups_by_monitor, overall_state, stored_json};
use crate::handlers::now_ms;
use crate::monitor::Definition;
use crate::store::DowntimeRow;

/// Largest downtime body accepted (413 beyond).
const MAX_BODY_BYTES: usize = 64 * 1024;

impl RequestBody for Downtime {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}
impl RequestBody for DowntimeV2Body {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}
impl RequestBody for CancelByScope {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    /// Only the downtimes active now.
    #[serde(default)]
    current_only: Option<bool>,
}

// ---- v1 ----------------------------------------------------------------------------------------

pub async fn create_v1(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<Downtime>,
) -> Result<Json<Downtime>, AppError> {
    let now = now_ms();
    let spec = checked(&state, from_v1(&body, now)).await?;
    let row = create(&state, spec, me, now).await?;
    Ok(Json(v1_out(&row, now)))
}

pub async fn get_v1(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Downtime>, AppError> {
    let row = find(&state, &id).await?;
    Ok(Json(v1_out(&row, now_ms())))
}

pub async fn list_v1(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Vec<Downtime>>, AppError> {
    let now = now_ms();
    let mut out = Vec::new();
    for row in listed(&state, &params, now).await? {
        out.push(v1_out(&row, now));
    }
    Ok(Json(out))
}

pub async fn update_v1(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(patch): AppJson<Downtime>,
) -> Result<Json<Downtime>, AppError> {
    let now = now_ms();
    let old = find(&state, &id).await?;
    let merged = merge_v1(to_v1(&old.record, now), &patch);
    let mut spec = checked(&state, from_v1(&merged, now)).await?;
    let timing = [patch.start, patch.end].iter().any(Option::is_some)
        || patch.recurrence.is_some()
        || patch.timezone.is_some();
    if !timing {
        spec.keep_schedule_of(&old.record.spec);
    }
    let row = replace(&state, old.record.id, spec, now).await?;
    Ok(Json(v1_out(&row, now)))
}

/// DELETE: cancels (the downtime stays listed, canceled), as Datadog's; 204.
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let row = find(&state, &id).await?;
    state
        .store
        .cancel_downtimes(vec![row.record.id], now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels every downtime not yet canceled whose scope has all the terms of `scope`.
pub async fn cancel_by_scope(
    State(state): State<AppState>,
    AppJson(body): AppJson<CancelByScope>,
) -> Result<Json<CanceledIds>, AppError> {
    let wanted: Vec<String> = body
        .scope
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if wanted.is_empty() {
        return Err(AppError::BadRequest(
            "scope is required: the scope of the downtimes to cancel (env:prod).".to_owned(),
        ));
    }
    let rows = state.store.downtimes().await.map_err(AppError::internal)?;
    let ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.record.canceled_ms.is_none())
        .filter(|r| wanted.iter().all(|w| r.record.spec.scope.contains(w)))
        .map(|r| r.record.id)
        .collect();
    if ids.is_empty() {
        return Err(AppError::NotFound(format!(
            "No downtime with the scope {} to cancel.",
            wanted.join(",")
        )));
    }
    let cancelled_ids = state
        .store
        .cancel_downtimes(ids, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(CanceledIds { cancelled_ids }))
}

// ---- v2 ----------------------------------------------------------------------------------------

pub async fn create_v2(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<DowntimeV2Body>,
) -> Result<Json<DowntimeV2Body>, AppError> {
    let now = now_ms();
    let spec = checked(&state, from_v2(&body, now)).await?;
    let row = create(&state, spec, me, now).await?;
    Ok(Json(DowntimeV2Body {
        data: to_v2(&row.record, now),
    }))
}

pub async fn get_v2(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DowntimeV2Body>, AppError> {
    let row = find(&state, &id).await?;
    Ok(Json(DowntimeV2Body {
        data: to_v2(&row.record, now_ms()),
    }))
}

pub async fn list_v2(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<DowntimeV2List>, AppError> {
    let now = now_ms();
    let data: Vec<_> = listed(&state, &params, now)
        .await?
        .iter()
        .map(|r| to_v2(&r.record, now))
        .collect();
    Ok(Json(DowntimeV2List {
        meta: DowntimeV2Meta {
            page: DowntimeV2Page {
                total_filtered_count: data.len(),
            },
        },
        data,
    }))
}

pub async fn update_v2(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(patch): AppJson<DowntimeV2Body>,
) -> Result<Json<DowntimeV2Body>, AppError> {
    let now = now_ms();
    let old = find(&state, &id).await?;
    let merged = merge_v2(to_v2(&old.record, now), &patch);
    let mut spec = checked(&state, from_v2(&merged, now)).await?;
    if patch.data.attributes.schedule.is_none() {
        spec.keep_schedule_of(&old.record.spec);
    }
    let row = replace(&state, old.record.id, spec, now).await?;
    Ok(Json(DowntimeV2Body {
        data: to_v2(&row.record, now),
    }))
}

// ---- shared ------------------------------------------------------------------------------------

/// A decoded spec whose monitor exists; else 400 with every problem.
async fn checked(state: &AppState, spec: Result<Spec, Vec<String>>) -> Result<Spec, AppError> {
    let spec = spec.map_err(AppError::Invalid)?;
    if let Some(id) = spec.monitor_id
        && state
            .store
            .monitor(id)
            .await
            .map_err(AppError::internal)?
            .is_none()
    {
        return Err(AppError::BadRequest(format!(
            "monitor_id {id}: there is no such monitor."
        )));
    }
    Ok(spec)
}

async fn create(
    state: &AppState,
    spec: Spec,
    me: Principal,
    now: i64,
) -> Result<DowntimeRow, AppError> {
    state
        .store
        .create_downtime(spec, me.handle, now)
        .await
        .map_err(AppError::internal)
}

async fn replace(state: &AppState, id: i64, spec: Spec, now: i64) -> Result<DowntimeRow, AppError> {
    state
        .store
        .replace_downtime(id, spec, now)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id.to_string()))
}

async fn find(state: &AppState, id: &str) -> Result<DowntimeRow, AppError> {
    let n: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound(format!("Downtime {id} not found")))?;
    state
        .store
        .downtime(n)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))
}

async fn listed(
    state: &AppState,
    params: &ListParams,
    now: i64,
) -> Result<Vec<DowntimeRow>, AppError> {
    let mut rows = state.store.downtimes().await.map_err(AppError::internal)?;
    if params.current_only == Some(true) {
        rows.retain(|r| r.record.status(now) == "active");
    }
    Ok(rows)
}

/// The v1 answer (dogwatch's users have handles, not numeric ids: `creator_id` stays null and
/// `creator` names the handle).
fn v1_out(row: &DowntimeRow, now: i64) -> Downtime {
    to_v1(&row.record, now)
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("Downtime {id} not found"))
}

// ---- the form's preview ------------------------------------------------------------------------

/// Days the preview's calendar covers.
const CALENDAR_DAYS: i64 = 14;

/// `POST /api/v1/dogwatch/downtime/preview`: a v2 body's windows (the next 10, and those of the two
/// weeks from the Monday of the first one's week, in wall-clock minutes for the calendar), the
/// zone's clock changes then, and the monitors and groups it would silence with their states.
pub async fn preview(
    State(state): State<AppState>,
    AppJson(body): AppJson<DowntimeV2Body>,
) -> Result<Json<DowntimePreview>, AppError> {
    let now = now_ms();
    let spec = from_v2(&body, now).map_err(AppError::Invalid)?;
    let schedule = spec.schedule().map_err(AppError::BadRequest)?;
    let zone = schedule.zone();
    let occurrences = schedule.next_occurrences(now, 10);
    let first = occurrences.first().map_or(now, |o| o.start_ms.max(now));
    let local_first =
        local_time(zone, first).ok_or_else(|| AppError::internal("time out of range"))?;
    let monday = local_first.date()
        - chrono::Duration::days(i64::from(local_first.weekday().num_days_from_monday()));
    let cal_start = monday.and_time(chrono::NaiveTime::MIN);
    let cal_end = cal_start + chrono::Duration::days(CALENDAR_DAYS);
    let (from_ms, _) = place(zone, cal_start, false);
    let (to_ms, _) = place(zone, cal_end, true);
    let minute = |ms: i64| local_time(zone, ms).map_or(0, |l| (l - cal_start).num_minutes());
    let span = CALENDAR_DAYS * 1440;
    let blocks = schedule
        .between(from_ms, to_ms)
        .iter()
        .map(|o| PreviewBlock {
            start_minute: minute(o.start_ms).clamp(0, span),
            end_minute: o.end_ms.map_or(span, |e| minute(e).clamp(0, span)),
            label: window_label(zone, o),
            offset_changes: o.offset_changes,
        })
        .collect();
    let clock_changes = offset_changes(zone, from_ms, to_ms)
        .into_iter()
        .map(|(at, before, after)| {
            let was = local_time(zone, at - 1).map(|l| l + chrono::Duration::minutes(1));
            let now_reads = local_time(zone, at);
            ClockChange {
                minute: minute(at),
                label: format!(
                    "{} {} → {} (UTC{} → UTC{})",
                    now_reads.map_or_else(String::new, |l| l.format("%a %-d %b").to_string()),
                    was.map_or_else(String::new, |l| l.format("%H:%M").to_string()),
                    now_reads.map_or_else(String::new, |l| l.format("%H:%M").to_string()),
                    offset_text(before),
                    offset_text(after),
                ),
            }
        })
        .collect();
    let monitors = silenced(&state, &spec).await?;
    Ok(Json(DowntimePreview {
        timezone: spec.timezone.clone(),
        occurrences: occurrences
            .iter()
            .map(|o| PreviewWindow {
                start_local: local_text(zone, o.start_ms),
                end_local: o.end_ms.map(|e| local_text(zone, e)),
                start_utc: utc_text(o.start_ms),
                end_utc: o.end_ms.map(utc_text),
                offset_changes: o.offset_changes,
                start_placed: o.start_placed.as_str().to_owned(),
                end_placed: o.end_placed.as_str().to_owned(),
            })
            .collect(),
        calendar_start: monday.format("%Y-%m-%d").to_string(),
        blocks,
        clock_changes,
        monitors,
    }))
}

/// The monitors `spec` applies to, each with its groups in the scope.
async fn silenced(state: &AppState, spec: &Spec) -> Result<Vec<PreviewMonitor>, AppError> {
    let rows = state.store.monitors().await.map_err(AppError::internal)?;
    let groups = groups_by_monitor(state).await?;
    let mut out = Vec::new();
    for row in &rows {
        let body = stored_json(&row.body)?;
        let Ok(def) = Definition::from_body(&body) else {
            continue;
        };
        if !monitor_matches(spec.monitor_id, &spec.monitor_tags, row.id, &def.tags) {
            continue;
        }
        let own = groups.get(&row.id).map_or(&[][..], Vec::as_slice);
        let in_scope: Vec<PreviewGroup> = own
            .iter()
            .filter(|g| !g.pending)
            .filter(|g| {
                let tags: Vec<String> = group_tags(&def, &g.group_key)
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect();
                scope_matches(&spec.scope, &tags)
            })
            .map(|g| PreviewGroup {
                group: g.group_key.clone(),
                state: g.status.state.as_str().to_owned(),
            })
            .collect();
        // A monitor none of whose groups is in scope yet is still listed when its query's own
        // scope is (its groups will be, once seen).
        let query_in_scope = {
            let tags: Vec<String> = group_tags(&def, "*")
                .into_iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            scope_matches(&spec.scope, &tags)
        };
        if in_scope.is_empty() && !(own.is_empty() && query_in_scope) {
            continue;
        }
        out.push(PreviewMonitor {
            id: row.id,
            name: def.name.clone(),
            overall_state: overall_state(own).to_owned(),
            groups: in_scope,
        });
    }
    Ok(out)
}

fn window_label(zone: Tz, o: &Occurrence) -> String {
    let start =
        local_time(zone, o.start_ms).map_or_else(String::new, |l| l.format("%a %H:%M").to_string());
    let end = o.end_ms.and_then(|e| local_time(zone, e)).map_or_else(
        || "until canceled".to_owned(),
        |l| l.format("%a %H:%M").to_string(),
    );
    format!("{start} → {end}")
}

fn local_text(zone: Tz, ms: i64) -> String {
    local_time(zone, ms).map_or_else(String::new, |l| l.format("%a %Y-%m-%d %H:%M").to_string())
}

fn utc_text(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}
