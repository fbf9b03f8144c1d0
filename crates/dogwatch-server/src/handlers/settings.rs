//! `/api/v1/dogwatch/settings` (our extension): how the server is configured, for the settings
//! page. Never shows a password.

use axum::Json;
use axum::extract::State;
use dogwatch_core::wire::{Settings, SmtpSettings};

use crate::AppState;

pub async fn get(State(state): State<AppState>) -> Json<Settings> {
    let smtp = match &state.smtp {
        Some(s) => SmtpSettings {
            configured: true,
            host: Some(s.host.clone()),
            port: Some(s.port),
            tls: Some(if s.tls { "implicit" } else { "none" }.to_owned()),
            from: Some(s.from.clone()),
        },
        None => SmtpSettings::default(),
    };
    Json(Settings { smtp })
}
