//! Users to @mention in notifications (`/api/v1/dogwatch/users`, our extension; no login yet).
//! `POST` creates a user or replaces the name and email of an existing handle.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::handlers::{now_ms, read_object, str_field};
use crate::store::UserRow;

const MAX_BODY_BYTES: usize = 16 * 1024;

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let users = state.store.users().await.map_err(AppError::internal)?;
    Ok(Json(
        json!({ "users": users.iter().map(user_out).collect::<Vec<_>>() }),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let obj = read_object(&headers, body, MAX_BODY_BYTES).await?;
    let handle = str_field(&obj, "handle")?.ok_or_else(|| bad("handle is required"))?;
    check_handle(&handle)?;
    let email = str_field(&obj, "email")?.ok_or_else(|| bad("email is required"))?;
    check_email(&email)?;
    let name = str_field(&obj, "name")?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| handle.clone());
    let user = UserRow {
        handle,
        name,
        email,
    };
    state
        .store
        .put_user(user.clone(), now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(user_out(&user)))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(handle): Path<String>,
) -> Result<Json<Value>, AppError> {
    let deleted = state
        .store
        .delete_user(handle.clone())
        .await
        .map_err(AppError::internal)?;
    if !deleted {
        return Err(not_found(&handle));
    }
    Ok(Json(json!({ "deleted_user": handle })))
}

pub(crate) fn not_found(handle: &str) -> AppError {
    AppError::NotFound(format!("No user @{handle}"))
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

fn user_out(u: &UserRow) -> Value {
    json!({ "handle": u.handle, "name": u.name, "email": u.email })
}

/// Handles are what follows `@` in a message: lowercase letters, digits, `.`, `_`, `-`.
fn check_handle(handle: &str) -> Result<(), AppError> {
    let ok = !handle.is_empty()
        && handle.len() <= 64
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "handle must be 1 to 64 lowercase letters, digits, `.`, `_` or `-`, got `{handle}`"
        )))
    }
}

/// Enough to catch typos; the SMTP server has the final word on an address.
fn check_email(email: &str) -> Result<(), AppError> {
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
        Err(bad(format!(
            "email must be an address with exactly one `@` and no spaces, got `{email}`"
        )))
    }
}
