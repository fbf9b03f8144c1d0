//! `/api/v1/dogwatch/settings` (our extension): how the server is configured, for the settings
//! page. Never shows a password.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;

pub async fn get(State(state): State<AppState>) -> Json<Value> {
    let smtp = match &state.smtp {
        Some(s) => json!({
            "configured": true,
            "host": s.host,
            "port": s.port,
            "tls": if s.tls { "implicit" } else { "none" },
            "from": s.from,
        }),
        None => json!({ "configured": false }),
    };
    Json(json!({ "smtp": smtp }))
}
