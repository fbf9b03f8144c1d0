//! API and application keys in Datadog's shapes: `/api/v2/api_keys` (admins), `/api/v2/application_keys`
//! (admins: everyone's) and `/api/v2/current_user/application_keys` (your own). A key is shown whole
//! only in the answer to its creation; it is stored as its SHA-256, and listed by its last four
//! characters. Revoking deletes it, and the next request with it is refused.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use dogwatch_core::wire::{
    KeyAnswer, KeyAttributes, KeyData, KeyKind, KeyList, KeyListMeta, KeyListPage,
    KeyRelationships, KeyRequest, Related, RelatedUser,
};

use crate::AppState;
use crate::auth::{self, Principal};
use crate::error::{AppError, AppJson, RequestBody};
use crate::handlers::dashboards::iso8601;
use crate::handlers::now_ms;
use crate::store::KeyRow;

impl RequestBody for KeyRequest {
    const MAX_BYTES: usize = 4 * 1024;
}

pub async fn list_api_keys(State(state): State<AppState>) -> Result<Json<KeyList>, AppError> {
    list(&state, KeyKind::Api, None).await
}

pub async fn list_application_keys(
    State(state): State<AppState>,
) -> Result<Json<KeyList>, AppError> {
    list(&state, KeyKind::Application, None).await
}

pub async fn list_my_keys(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
) -> Result<Json<KeyList>, AppError> {
    list(&state, KeyKind::Application, Some(me.handle)).await
}

pub async fn create_api_key(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<KeyRequest>,
) -> Result<(StatusCode, Json<KeyAnswer>), AppError> {
    create(&state, KeyKind::Api, &me, body).await
}

pub async fn create_my_key(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<KeyRequest>,
) -> Result<(StatusCode, Json<KeyAnswer>), AppError> {
    create(&state, KeyKind::Application, &me, body).await
}

pub async fn get_api_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<KeyAnswer>, AppError> {
    let row = state
        .store
        .key(KeyKind::Api, id.clone())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(KeyAnswer {
        data: out(row, None),
    }))
}

pub async fn rename_api_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<KeyRequest>,
) -> Result<Json<KeyAnswer>, AppError> {
    rename(&state, KeyKind::Api, id, body).await
}

pub async fn rename_application_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<KeyRequest>,
) -> Result<Json<KeyAnswer>, AppError> {
    rename(&state, KeyKind::Application, id, body).await
}

pub async fn delete_api_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    revoke(&state, KeyKind::Api, id, None).await
}

pub async fn delete_application_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    revoke(&state, KeyKind::Application, id, None).await
}

pub async fn delete_my_key(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    revoke(&state, KeyKind::Application, id, Some(me.handle)).await
}

async fn list(
    state: &AppState,
    kind: KeyKind,
    created_by: Option<String>,
) -> Result<Json<KeyList>, AppError> {
    let rows = state
        .store
        .keys(kind, created_by)
        .await
        .map_err(AppError::internal)?;
    let data: Vec<KeyData> = rows.into_iter().map(|r| out(r, None)).collect();
    Ok(Json(KeyList {
        meta: KeyListMeta {
            page: KeyListPage {
                total_filtered_count: data.len(),
            },
        },
        data,
    }))
}

async fn create(
    state: &AppState,
    kind: KeyKind,
    me: &Principal,
    body: KeyRequest,
) -> Result<(StatusCode, Json<KeyAnswer>), AppError> {
    let name = checked_name(kind, &body)?;
    // API keys are 32 hex characters and application keys 40, as Datadog's.
    let key =
        auth::random_hex(if kind == KeyKind::Api { 16 } else { 20 }).map_err(AppError::internal)?;
    let now = now_ms();
    let row = KeyRow {
        id: auth::random_hex(16).map_err(AppError::internal)?,
        kind,
        name,
        key_hash: auth::secret_hash(&key),
        last4: key[key.len() - 4..].to_owned(),
        created_by: me.handle.clone(),
        created_ms: now,
        modified_ms: now,
        last_used_ms: None,
    };
    state
        .store
        .create_key(row.clone())
        .await
        .map_err(AppError::internal)?;
    tracing::info!(kind = kind.code(), id = %row.id, by = %me.handle, "key created");
    Ok((
        StatusCode::CREATED,
        Json(KeyAnswer {
            data: out(row, Some(key)),
        }),
    ))
}

async fn rename(
    state: &AppState,
    kind: KeyKind,
    id: String,
    body: KeyRequest,
) -> Result<Json<KeyAnswer>, AppError> {
    let name = checked_name(kind, &body)?;
    let row = state
        .store
        .rename_key(kind, id.clone(), name, now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(KeyAnswer {
        data: out(row, None),
    }))
}

/// Deletes a key (only one of `owner`'s, when given).
async fn revoke(
    state: &AppState,
    kind: KeyKind,
    id: String,
    owner: Option<String>,
) -> Result<StatusCode, AppError> {
    if let Some(owner) = owner {
        let row = state
            .store
            .key(kind, id.clone())
            .await
            .map_err(AppError::internal)?;
        if row.is_none_or(|r| r.created_by != owner) {
            return Err(not_found(&id));
        }
    }
    let deleted = state
        .store
        .delete_key(kind, id.clone())
        .await
        .map_err(AppError::internal)?;
    if !deleted {
        return Err(not_found(&id));
    }
    tracing::info!(kind = kind.code(), %id, "key revoked");
    Ok(StatusCode::NO_CONTENT)
}

fn checked_name(kind: KeyKind, body: &KeyRequest) -> Result<String, AppError> {
    if body.data.kind != kind {
        return Err(AppError::BadRequest(format!(
            "data.type must be {}",
            kind.code()
        )));
    }
    let name = body.data.attributes.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "data.attributes.name must be 1 to 100 characters".to_owned(),
        ));
    }
    Ok(name.to_owned())
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("No key {id}"))
}

fn out(r: KeyRow, key: Option<String>) -> KeyData {
    KeyData {
        kind: r.kind,
        id: r.id,
        attributes: KeyAttributes {
            name: r.name,
            key,
            last4: r.last4,
            created_at: iso8601(r.created_ms),
            modified_at: iso8601(r.modified_ms),
            last_used_at: r.last_used_ms.map(iso8601),
        },
        relationships: KeyRelationships {
            created_by: Related {
                data: RelatedUser {
                    kind: "users".to_owned(),
                    id: r.created_by,
                },
            },
        },
    }
}
