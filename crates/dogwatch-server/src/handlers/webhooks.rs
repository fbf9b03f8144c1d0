//! Named webhooks to mention as `@webhook-<name>` (`/api/v1/dogwatch/webhooks`, our extension).
//! `POST` creates a webhook or replaces the URL and body shape of an existing name.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::handlers::{now_ms, read_object, str_field};
use crate::store::WebhookRow;

const MAX_BODY_BYTES: usize = 16 * 1024;

pub async fn list(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let hooks = state.store.webhooks().await.map_err(AppError::internal)?;
    Ok(Json(
        json!({ "webhooks": hooks.iter().map(webhook_out).collect::<Vec<_>>() }),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let obj = read_object(&headers, body, MAX_BODY_BYTES).await?;
    let name = str_field(&obj, "name")?.ok_or_else(|| bad("name is required"))?;
    check_name(&name)?;
    let url = str_field(&obj, "url")?.ok_or_else(|| bad("url is required"))?;
    check_url(&url)?;
    let slack_compatible = match obj.get("slack_compatible") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("slack_compatible must be true or false")),
    };
    let hook = WebhookRow {
        name,
        url,
        slack_compatible,
    };
    state
        .store
        .put_webhook(hook.clone(), now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(webhook_out(&hook)))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Value>, AppError> {
    let deleted = state
        .store
        .delete_webhook(name.clone())
        .await
        .map_err(AppError::internal)?;
    if !deleted {
        return Err(AppError::NotFound(format!("No webhook {name}")));
    }
    Ok(Json(json!({ "deleted_webhook": name })))
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

fn webhook_out(w: &WebhookRow) -> Value {
    json!({ "name": w.name, "url": w.url, "slack_compatible": w.slack_compatible })
}

/// Names follow `@webhook-` in a message: letters, digits, `_` and `-`.
fn check_name(name: &str) -> Result<(), AppError> {
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
