//! What the outbox holds and what users received (our extension): `/api/v1/dogwatch/notifications`
//! (latest first, with attempts and the last error, so failures can be shown) and
//! `/api/v1/dogwatch/inbox/{handle}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use dogwatch_core::wire::{Inbox, InboxMessage, Notification, NotificationList};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiQuery, AppError};
use crate::handlers::contacts;
use crate::store::{DeliveryState, InboxRow, NotificationRow};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

#[derive(Deserialize)]
pub struct ListParams {
    state: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
pub struct InboxParams {
    limit: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<NotificationList>, AppError> {
    let filter = match params.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(DeliveryState::parse(s).ok_or_else(|| {
            AppError::BadRequest(format!("state must be pending, sent or failed, got `{s}`"))
        })?),
    };
    let rows = state
        .store
        .notifications(filter, limit(params.limit)?)
        .await
        .map_err(AppError::internal)?;
    let notifications = rows.iter().map(notification_out).collect();
    Ok(Json(NotificationList { notifications }))
}

/// A user's inbox: only their own, unless the caller is an admin.
pub async fn inbox(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(handle): Path<String>,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<Inbox>, AppError> {
    owner_or_admin(&state, &me, &handle).await?;
    let limit = limit(params.limit)?;
    let rows = state
        .store
        .inbox(handle.clone(), limit)
        .await
        .map_err(AppError::internal)?;
    let unread = state
        .store
        .unread(handle.clone())
        .await
        .map_err(AppError::internal)?;
    let messages = rows.into_iter().map(inbox_out).collect();
    Ok(Json(Inbox {
        handle,
        messages,
        unread,
    }))
}

/// Marks a user's whole inbox read (`POST /api/v1/dogwatch/inbox/{handle}/read`).
pub async fn mark_read(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(handle): Path<String>,
) -> Result<StatusCode, AppError> {
    owner_or_admin(&state, &me, &handle).await?;
    state
        .store
        .mark_inbox_read(handle)
        .await
        .map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Only its owner, or an admin, may see or change an inbox; a 404 for a user that does not exist.
async fn owner_or_admin(state: &AppState, me: &Principal, handle: &str) -> Result<(), AppError> {
    if me.handle != handle && !me.role.is_admin() {
        return Err(AppError::Forbidden);
    }
    let user = state
        .store
        .user(handle.to_owned())
        .await
        .map_err(AppError::internal)?;
    if user.is_none() {
        return Err(contacts::user_not_found(handle));
    }
    Ok(())
}

fn limit(asked: Option<usize>) -> Result<usize, AppError> {
    match asked {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(AppError::BadRequest(format!(
            "limit must be between 1 and {MAX_LIMIT}, got {n}"
        ))),
    }
}

pub(crate) fn notification_out(n: &NotificationRow) -> Notification {
    // The payload is JSON we stored; shown as JSON, or as its text if it somehow is not.
    let payload = n.payload.as_deref().map(|p| {
        serde_json::from_str(p).unwrap_or_else(|_| serde_json::Value::String(p.to_owned()))
    });
    Notification {
        id: n.id,
        dedupe_key: n.dedupe_key.clone(),
        channel: n.channel.as_str().to_owned(),
        target: n.target.clone(),
        subject: n.subject.clone(),
        body: n.body.clone(),
        payload,
        state: n.state.as_str().to_owned(),
        attempts: n.attempts,
        last_error: n.last_error.clone(),
        created_ms: n.created_ms,
        next_attempt_ms: (n.state == DeliveryState::Pending).then_some(n.next_attempt_ms),
        sent_ms: n.sent_ms,
    }
}

fn inbox_out(m: InboxRow) -> InboxMessage {
    InboxMessage {
        id: m.id,
        notification_id: m.notification_id,
        subject: m.subject,
        body: m.body,
        created_ms: m.created_ms,
        read: m.read,
    }
}
