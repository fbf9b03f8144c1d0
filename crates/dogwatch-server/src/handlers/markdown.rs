//! `POST /api/v1/dogwatch/markdown` (our extension): a note widget's markdown as safe HTML, for the
//! board and the widget editor's preview. Body `{"text": "..."}`, answer `{"html": "..."}`.

use axum::Json;
use axum::body::Body;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::error::AppError;
use crate::handlers::{read_object, str_field};

/// Largest note accepted (413 beyond): far more than a note on a board holds.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub async fn render(headers: HeaderMap, body: Body) -> Result<Json<Value>, AppError> {
    let obj = read_object(&headers, body, MAX_BODY_BYTES).await?;
    let text = str_field(&obj, "text")?
        .ok_or_else(|| AppError::BadRequest("text is required".to_owned()))?;
    Ok(Json(json!({ "html": crate::markdown::render(&text) })))
}
