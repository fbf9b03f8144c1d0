//! Signing in and out (`/api/v1/dogwatch/login`, `logout`), who you are (`me`), and passwords: your
//! own (`me/password`) and, for admins, anyone's (`users/{handle}/password`).

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use dogwatch_core::wire::{LoginRequest, Me, PasswordChange, PasswordSet};

use crate::AppState;
use crate::access::PeerAddr;
use crate::accounts;
use crate::auth::{self, Principal, Via};
use crate::error::{AppError, AppJson, RequestBody};
use crate::handlers::contacts::user_not_found;
use crate::handlers::now_ms;

impl RequestBody for LoginRequest {
    const MAX_BYTES: usize = 4 * 1024;
}

impl RequestBody for PasswordChange {
    const MAX_BYTES: usize = 4 * 1024;
}

impl RequestBody for PasswordSet {
    const MAX_BYTES: usize = 4 * 1024;
}

/// The one answer for an unknown handle and a wrong password alike.
const WRONG: &str = "wrong handle or password";

pub async fn login(
    State(state): State<AppState>,
    PeerAddr(addr): PeerAddr,
    AppJson(login): AppJson<LoginRequest>,
) -> Result<Response, AppError> {
    let handle = login.handle.trim().to_lowercase();
    state
        .logins
        .check(&handle, addr, Instant::now())
        .map_err(AppError::TooManyAttempts)?;
    let found = state
        .store
        .credentials(handle.clone())
        .await
        .map_err(AppError::internal)?;
    let hash = found.as_ref().and_then(|c| c.password_hash.clone());
    let password = login.password;
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, hash.as_deref()))
        .await
        .map_err(AppError::internal)?;
    let Some(user) = found.filter(|_| ok).map(|c| c.user) else {
        state.logins.failed(&handle, addr, Instant::now());
        tracing::info!(handle = %handle, "failed login");
        return Err(AppError::Unauthorized(WRONG.to_owned()));
    };
    let token = auth::random_token().map_err(AppError::internal)?;
    state
        .store
        .create_session(auth::secret_hash(&token), user.handle.clone(), now_ms())
        .await
        .map_err(AppError::internal)?;
    tracing::info!(handle = %user.handle, "signed in");
    let me = Me {
        handle: user.handle,
        name: user.name,
        email: user.email,
        role: user.role,
        anonymous: false,
    };
    let cookie = auth::session_cookie(&token, &state.sessions);
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// Ends the session the cookie names (if any) and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = auth::session_token(&headers) {
        state
            .store
            .delete_session(auth::secret_hash(&token))
            .await
            .map_err(AppError::internal)?;
    }
    let cookie = auth::expired_cookie(&state.sessions);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

pub async fn me(Extension(principal): Extension<Principal>) -> Json<Me> {
    Json(principal.me())
}

/// Changes the caller's own password after checking the current one; the caller's other sessions
/// end, this one stays.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    AppJson(change): AppJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    let keep = match &principal.via {
        Via::Session(hash) => Some(hash.clone()),
        Via::ApplicationKey => None,
        Via::OperatorKey | Via::Anonymous => {
            return Err(AppError::BadRequest(
                "only a signed-in user has a password to change".to_owned(),
            ));
        }
    };
    auth::check_new_password(&change.new_password).map_err(AppError::BadRequest)?;
    let stored = state
        .store
        .credentials(principal.handle.clone())
        .await
        .map_err(AppError::internal)?
        .and_then(|c| c.password_hash);
    let current = change.current_password;
    let ok =
        tokio::task::spawn_blocking(move || auth::verify_password(&current, stored.as_deref()))
            .await
            .map_err(AppError::internal)?;
    if !ok {
        return Err(AppError::BadRequest(
            "current_password is not your current password".to_owned(),
        ));
    }
    let hash = accounts::hash(change.new_password)
        .await
        .map_err(AppError::internal)?;
    state
        .store
        .set_password(principal.handle, hash, keep)
        .await
        .map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// An admin sets someone's password; all their sessions end.
pub async fn set_password(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    AppJson(set): AppJson<PasswordSet>,
) -> Result<StatusCode, AppError> {
    auth::check_new_password(&set.password).map_err(AppError::BadRequest)?;
    let hash = accounts::hash(set.password)
        .await
        .map_err(AppError::internal)?;
    let found = state
        .store
        .set_password(handle.clone(), hash, None)
        .await
        .map_err(AppError::internal)?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(user_not_found(&handle))
    }
}
