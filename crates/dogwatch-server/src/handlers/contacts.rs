//! Who and where notifications go (dogwatch's extension; no logins yet): users to @mention
//! (`/api/v1/dogwatch/users`) and webhooks to mention as `@webhook-<name>`
//! (`/api/v1/dogwatch/webhooks`). `POST` creates one or replaces the one with the same handle or name.

use axum::Json;
use axum::extract::{Path, State};
use dogwatch_core::wire::{User, UserDeleted, UserList, Webhook, WebhookDeleted, WebhookList};

use crate::AppState;
use crate::error::{AppError, AppJson, RequestBody};
use crate::handlers::now_ms;
use crate::store::{UserRow, WebhookRow};

impl RequestBody for User {
    const MAX_BYTES: usize = 16 * 1024;
}

impl RequestBody for Webhook {
    const MAX_BYTES: usize = 16 * 1024;
}

pub async fn users(State(state): State<AppState>) -> Result<Json<UserList>, AppError> {
    let rows = state.store.users().await.map_err(AppError::internal)?;
    let users = rows.into_iter().map(user_out).collect();
    Ok(Json(UserList { users }))
}

pub async fn put_user(
    State(state): State<AppState>,
    AppJson(mut user): AppJson<User>,
) -> Result<Json<User>, AppError> {
    check_handle(&user.handle).map_err(AppError::BadRequest)?;
    check_email(&user.email).map_err(AppError::BadRequest)?;
    if user.name.trim().is_empty() {
        user.name.clone_from(&user.handle);
    }
    let row = state
        .store
        .put_user(user.handle, user.name, user.email, user.role, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(user_out(row)))
}

pub async fn delete_user(
    State(state): State<AppState>,
    Path(handle): Path<String>,
) -> Result<Json<UserDeleted>, AppError> {
    let deleted = state
        .store
        .delete_user(handle.clone())
        .await
        .map_err(AppError::internal)?;
    if !deleted {
        return Err(user_not_found(&handle));
    }
    Ok(Json(UserDeleted {
        deleted_user: handle,
    }))
}

pub async fn webhooks(State(state): State<AppState>) -> Result<Json<WebhookList>, AppError> {
    let rows = state.store.webhooks().await.map_err(AppError::internal)?;
    let webhooks = rows.into_iter().map(webhook_out).collect();
    Ok(Json(WebhookList { webhooks }))
}

pub async fn put_webhook(
    State(state): State<AppState>,
    AppJson(hook): AppJson<Webhook>,
) -> Result<Json<Webhook>, AppError> {
    check_webhook_name(&hook.name)?;
    check_url(&hook.url)?;
    let row = WebhookRow {
        name: hook.name.clone(),
        url: hook.url.clone(),
        slack_compatible: hook.slack_compatible,
    };
    state
        .store
        .put_webhook(row, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(hook))
}

pub async fn delete_webhook(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<WebhookDeleted>, AppError> {
    let deleted = state
        .store
        .delete_webhook(name.clone())
        .await
        .map_err(AppError::internal)?;
    if !deleted {
        return Err(AppError::NotFound(format!("No webhook {name}")));
    }
    Ok(Json(WebhookDeleted {
        deleted_webhook: name,
    }))
}

pub(crate) fn user_not_found(handle: &str) -> AppError {
    AppError::NotFound(format!("No user @{handle}"))
}

fn user_out(u: UserRow) -> User {
    User {
        handle: u.handle,
        name: u.name,
        email: u.email,
        role: Some(u.role),
        has_password: u.has_password,
    }
}

fn webhook_out(w: WebhookRow) -> Webhook {
    Webhook {
        name: w.name,
        url: w.url,
        slack_compatible: w.slack_compatible,
    }
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

/// Handles are what follows `@` in a message: lowercase letters, digits, `.`, `_`, `-`.
pub(crate) fn check_handle(handle: &str) -> Result<(), String> {
    let ok = !handle.is_empty()
        && handle.len() <= 64
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "handle must be 1 to 64 lowercase letters, digits, `.`, `_` or `-`, got `{handle}`"
        ))
    }
}

/// Enough to catch typos; the SMTP server has the final word on an address.
pub(crate) fn check_email(email: &str) -> Result<(), String> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if ok && email.len() <= 254 {
        Ok(())
    } else {
        Err(format!(
            "email must be an address with exactly one `@` and no spaces, got `{email}`"
        ))
    }
}

/// Webhook names follow `@webhook-` in a message: letters, digits, `_` and `-`.
fn check_webhook_name(name: &str) -> Result<(), AppError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "name must be 1 to 100 letters, digits, `_` or `-`, got `{name}`"
        )))
    }
}

fn check_url(url: &str) -> Result<(), AppError> {
    let parsed = url::Url::parse(url).map_err(|e| bad(format!("url is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!(
            "url must start with http:// or https://, got `{}://`",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("url has no host"));
    }
    Ok(())
}
