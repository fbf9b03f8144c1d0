//! `GET /api/v1/validate`: tells a client its API key works (the middleware already checked it).

use axum::Json;
use serde_json::{Value, json};

pub async fn validate() -> Json<Value> {
    Json(json!({ "valid": true }))
}
