//! Dashboards, Datadog-compatible: `/api/v1/dashboard` (new style: widgets with a definition and, for
//! free layouts, a layout), and the checks and shapes the legacy `/api/v1/dash` (`dash.rs`) shares.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use dogwatch_core::wire::{
    Dashboard, DashboardDeleted, DashboardList, DashboardSummary, Open, TemplateVariable, Widget,
};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppError, AppJson, RequestBody};
use crate::handlers::{dash, now_ms};
use crate::store::{DashboardKey, DashboardRow, NewDashboard};

/// Largest dashboard definition accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1_000_000;
pub(crate) const AUTHOR: &str = "dogwatch";

impl RequestBody for Open<Dashboard> {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

// ---- /api/v1/dashboard -------------------------------------------------------------------------

pub async fn create(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(board): AppJson<Open<Dashboard>>,
) -> Result<Json<Open<Dashboard>>, AppError> {
    let new = to_store(&checked(board)?, None)?;
    let row = state
        .store
        .create_dashboard(new, now_ms(), me.handle)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(dashboard_out(&row)?))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Open<Dashboard>>, AppError> {
    let row = state
        .store
        .dashboard(DashboardKey::Id(id.clone()))
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(dashboard_out(&row)?))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(board): AppJson<Open<Dashboard>>,
) -> Result<Json<Open<Dashboard>>, AppError> {
    let board = checked(board)?;
    // A timeboard made through the legacy API stays one: edited in the UI (or through this API), it is
    // still listed and read by `api.Timeboard`, with its graphs as they now are.
    let was_legacy = state
        .store
        .dashboard(DashboardKey::Id(id.clone()))
        .await
        .map_err(AppError::internal)?
        .is_some_and(|r| r.legacy.is_some());
    let legacy = was_legacy.then(|| dash::legacy_of(&board.known));
    let row = state
        .store
        .replace_dashboard(
            DashboardKey::Id(id.clone()),
            to_store(&board, legacy)?,
            now_ms(),
        )
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(dashboard_out(&row)?))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DashboardDeleted>, AppError> {
    let row = state
        .store
        .delete_dashboard(DashboardKey::Id(id.clone()))
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(DashboardDeleted {
        deleted_dashboard_id: row.id,
    }))
}

pub async fn list(State(state): State<AppState>) -> Result<Json<DashboardList>, AppError> {
    let rows = state.store.dashboards().await.map_err(AppError::internal)?;
    let dashboards = rows
        .iter()
        .map(|r| DashboardSummary {
            id: r.id.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            layout_type: r.layout_type.clone(),
            url: dashboard_url(r),
            created_at: iso8601(r.created_ms),
            modified_at: iso8601(r.modified_ms),
            author_handle: author(r),
            is_read_only: is_read_only(r),
        })
        .collect();
    Ok(Json(DashboardList { dashboards }))
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("Dashboard {id} not found"))
}

// ---- request validation --------------------------------------------------------------------------

pub(crate) fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadRequest(msg.into())
}

/// `text` unless it is blank.
pub(crate) fn not_blank(text: &str, path: &str) -> Result<(), AppError> {
    if text.trim().is_empty() {
        return Err(bad(format!("{path} must not be empty")));
    }
    Ok(())
}

/// Checks a widget's query as it will run: each `$variable` stands for "all" (`*`) here, since its
/// value is chosen on the board.
pub(crate) fn check_query(q: &str, path: &str) -> Result<(), AppError> {
    use dogwatch_core::template_vars::{TemplateVar, apply, referenced};
    let vars: Vec<TemplateVar> = referenced(q)
        .into_iter()
        .map(|name| TemplateVar {
            name,
            prefix: None,
            value: None,
        })
        .collect();
    dogwatch_core::query::parse(&apply(q, &vars))
        .map(|_| ())
        .map_err(|e| bad(format!("{path}: {e}")))
}

/// A `/api/v1/dashboard` body as it is stored: checked beyond its types, every widget numbered,
/// the members the server owns cleared (they are recomputed on every answer).
fn checked(mut board: Open<Dashboard>) -> Result<Open<Dashboard>, AppError> {
    let d = &mut board.known;
    not_blank(&d.title, "title")?;
    let free = match d.layout_type.as_deref() {
        None => return Err(bad("layout_type is required")),
        Some("free") => true,
        Some("ordered") => false,
        Some(other) => {
            return Err(bad(format!(
                "layout_type must be `ordered` or `free`, got `{other}`"
            )));
        }
    };
    for (i, w) in d.widgets.iter().enumerate() {
        check_widget(&w.known, &format!("widgets[{i}]"), free)?;
    }
    for (i, t) in d.template_variables.iter().flatten().enumerate() {
        check_variable(&t.known, &format!("template_variables[{i}]"))?;
    }
    d.number_widgets();
    (d.id, d.url, d.author_handle, d.created_at, d.modified_at) = Default::default();
    board.extra.remove("author_name");
    Ok(board)
}

fn check_widget(w: &Widget, path: &str, free: bool) -> Result<(), AppError> {
    let def = &w.definition.known;
    not_blank(&def.kind, &format!("{path}.definition.type"))?;
    for (j, r) in def.requests.iter().flatten().enumerate() {
        if let Some(q) = &r.known.q {
            check_query(q, &format!("{path}.definition.requests[{j}].q"))?;
        }
    }
    if free && w.layout.is_none() {
        return Err(bad(format!(
            "{path}.layout is required when layout_type is free"
        )));
    }
    Ok(())
}

pub(crate) fn check_variable(t: &TemplateVariable, path: &str) -> Result<(), AppError> {
    not_blank(&t.name, &format!("{path}.name"))
}

fn to_store(board: &Open<Dashboard>, legacy: Option<String>) -> Result<NewDashboard, AppError> {
    let d = &board.known;
    Ok(NewDashboard {
        title: d.title.clone(),
        description: d.description.clone(),
        layout_type: d.layout_type.clone().unwrap_or_default(),
        body: serde_json::to_string(board).map_err(AppError::internal)?,
        legacy,
    })
}

// ---- responses ---------------------------------------------------------------------------------

/// A stored dashboard body. It was checked when it was written; one that no longer reads is a
/// server fault, named as such.
pub(crate) fn stored(r: &DashboardRow) -> Result<Open<Dashboard>, AppError> {
    serde_json::from_str(&r.body)
        .map_err(|e| AppError::internal(format!("stored dashboard {}: {e}", r.id)))
}

pub(crate) fn is_read_only(r: &DashboardRow) -> bool {
    match &r.legacy {
        Some(legacy) => dash::legacy_read_only(legacy),
        None => stored(r).is_ok_and(|b| b.known.is_read_only),
    }
}

/// Who made a dashboard: its author, or dogwatch itself for those made before accounts.
fn author(r: &DashboardRow) -> String {
    r.author.clone().unwrap_or_else(|| AUTHOR.to_owned())
}

pub(crate) fn dashboard_url(r: &DashboardRow) -> String {
    format!("/dashboard/{}/{}", r.id, slug(&r.title))
}

fn dashboard_out(r: &DashboardRow) -> Result<Open<Dashboard>, AppError> {
    let mut board = stored(r)?;
    let d = &mut board.known;
    d.id = Some(r.id.clone());
    d.url = Some(dashboard_url(r));
    d.author_handle = Some(author(r));
    d.created_at = Some(iso8601(r.created_ms));
    d.modified_at = Some(iso8601(r.modified_ms));
    Ok(board)
}

/// The URL slug of a title: lowercase letters and digits, other runs of characters become one `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Milliseconds since the epoch as Datadog prints times: `2015-12-17T21:29:40.890000+00:00`.
pub fn iso8601(ms: i64) -> String {
    // Milliseconds outside chrono's range (±262,000 years) are not times anything stores.
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_and_slug() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000000+00:00");
        assert_eq!(
            iso8601(1_450_387_780_890),
            "2015-12-17T21:29:40.890000+00:00"
        );
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000000+00:00");
        assert_eq!(slug("My Timeboard: CPU (prod)!"), "my-timeboard-cpu-prod");
    }
}
