//! Downtimes, Datadog-compatible: `/api/v1/downtime` (what the `datadog` package's `api.Downtime`
//! calls: create, get, list with `current_only`, update, delete = cancel, cancel by scope) and
//! `/api/v2/downtime` (JSON:API). Both read and write the one stored `core::downtime::Spec`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use dogwatch_core::downtime::{Spec, from_v1, from_v2, merge_v1, merge_v2, to_v1, to_v2};
use dogwatch_core::wire::{
    CancelByScope, CanceledIds, Downtime, DowntimeV2Body, DowntimeV2List, DowntimeV2Meta,
    DowntimeV2Page,
};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiQuery, AppError, AppJson, RequestBody};
use crate::handlers::now_ms;
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
    let spec = checked(&state, from_v1(&merged, now)).await?;
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
    let spec = checked(&state, from_v2(&merged, now)).await?;
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
