//! Dashboards, Datadog-compatible: `/api/v1/dashboard` (new style: widgets with a definition and, for
//! free layouts, a layout), and the checks and shapes the legacy `/api/v1/dash` (`dash.rs`) shares.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use dogwatch_core::wire::{DashboardDeleted, DashboardList, DashboardSummary};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::handlers::{dash, now_ms, read_limited};
use crate::store::{DashboardKey, DashboardRow, NewDashboard};

/// Largest dashboard definition accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1_000_000;
pub(crate) const AUTHOR: &str = "dogwatch";

// ---- /api/v1/dashboard -------------------------------------------------------------------------

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let new = dashboard_input(read_json(&headers, body).await?)?;
    let row = state
        .store
        .create_dashboard(new, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(dashboard_out(&row)?))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
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
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let mut new = dashboard_input(read_json(&headers, body).await?)?;
    // A timeboard made through the legacy API stays one: edited in the UI (or through this API), it is
    // still listed and read by `api.Timeboard`, with its graphs as they now are.
    let was_legacy = state
        .store
        .dashboard(DashboardKey::Id(id.clone()))
        .await
        .map_err(AppError::internal)?
        .is_some_and(|r| r.legacy.is_some());
    if was_legacy {
        new.legacy = Some(dash::legacy_from_dashboard(&new.body)?);
    }
    let row = state
        .store
        .replace_dashboard(DashboardKey::Id(id.clone()), new, now_ms())
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
            author_handle: AUTHOR.to_owned(),
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

/// Reads the body within [`MAX_BODY_BYTES`] and parses it as a JSON object.
pub(crate) async fn read_json(
    headers: &HeaderMap,
    body: Body,
) -> Result<Map<String, Value>, AppError> {
    let bytes = read_limited(headers, body, MAX_BODY_BYTES, || {
        format!("dashboard definition is larger than {MAX_BODY_BYTES} bytes")
    })
    .await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("the body must be a JSON object")),
        Err(e) => Err(bad(format!("invalid JSON body: {e}"))),
    }
}

pub(crate) fn required_str(
    obj: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<String, AppError> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(bad(format!("{path}{key} must not be empty"))),
        None | Some(Value::Null) => Err(bad(format!("{path}{key} is required"))),
        Some(_) => Err(bad(format!("{path}{key} must be a string"))),
    }
}

pub(crate) fn optional_str(
    obj: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<String>, AppError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("{path}{key} must be a string"))),
    }
}

pub(crate) fn array<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    key: &str,
    required: bool,
) -> Result<&'a [Value], AppError> {
    match obj.get(key) {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) if !required => Ok(&[]),
        None | Some(Value::Null) => Err(bad(format!("{path}{key} is required"))),
        Some(_) => Err(bad(format!("{path}{key} must be an array"))),
    }
}

pub(crate) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, AppError> {
    v.as_object()
        .ok_or_else(|| bad(format!("{path} must be an object")))
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

/// Validates a `/api/v1/dashboard` body, gives each widget a numeric id and returns what to store.
fn dashboard_input(mut obj: Map<String, Value>) -> Result<NewDashboard, AppError> {
    let title = required_str(&obj, "", "title")?;
    let description = optional_str(&obj, "", "description")?;
    let layout_type = required_str(&obj, "", "layout_type")?;
    if layout_type != "ordered" && layout_type != "free" {
        return Err(bad(format!(
            "layout_type must be `ordered` or `free`, got `{layout_type}`"
        )));
    }
    array(&obj, "", "widgets", true)?;
    array(&obj, "", "template_variables", false)?;
    if let Some(Value::Array(widgets)) = obj.get_mut("widgets") {
        let mut next_id = widgets
            .iter()
            .filter_map(|w| w.get("id").and_then(Value::as_i64))
            .max()
            .unwrap_or(0)
            .max(0);
        let mut seen = std::collections::HashSet::new();
        for (i, w) in widgets.iter_mut().enumerate() {
            let path = format!("widgets[{i}]");
            check_widget(w, &path, layout_type == "free")?;
            if let Some(w) = w.as_object_mut() {
                let keep = w
                    .get("id")
                    .and_then(Value::as_i64)
                    .filter(|&id| id > 0 && seen.insert(id));
                if keep.is_none() {
                    next_id += 1;
                    seen.insert(next_id);
                    w.insert("id".into(), json!(next_id));
                }
            }
        }
    }
    // Fields the server owns are not stored; they are recomputed on every answer.
    for key in [
        "id",
        "url",
        "author_handle",
        "author_name",
        "created_at",
        "modified_at",
    ] {
        obj.remove(key);
    }
    Ok(NewDashboard {
        title,
        description,
        layout_type,
        body: Value::Object(obj).to_string(),
        legacy: None,
    })
}

fn check_widget(w: &Value, path: &str, free: bool) -> Result<(), AppError> {
    let w = object(w, path)?;
    let def = match w.get("definition") {
        None | Some(Value::Null) => return Err(bad(format!("{path}.definition is required"))),
        Some(d) => object(d, &format!("{path}.definition"))?,
    };
    required_str(def, &format!("{path}.definition."), "type")?;
    for (j, r) in array(def, &format!("{path}.definition."), "requests", false)?
        .iter()
        .enumerate()
    {
        let rpath = format!("{path}.definition.requests[{j}]");
        let r = object(r, &rpath)?;
        if let Some(q) = optional_str(r, &format!("{rpath}."), "q")? {
            check_query(&q, &format!("{rpath}.q"))?;
        }
    }
    match w.get("layout") {
        None | Some(Value::Null) if free => Err(bad(format!(
            "{path}.layout is required when layout_type is free"
        ))),
        None | Some(Value::Null) => Ok(()),
        Some(l) => {
            let l = object(l, &format!("{path}.layout"))?;
            for key in ["x", "y", "width", "height"] {
                match l.get(key) {
                    Some(v) if v.as_u64().is_some() => {}
                    None | Some(Value::Null) => {
                        return Err(bad(format!("{path}.layout.{key} is required")));
                    }
                    Some(_) => {
                        return Err(bad(format!(
                            "{path}.layout.{key} must be a non-negative integer"
                        )));
                    }
                }
            }
            Ok(())
        }
    }
}

// ---- responses ---------------------------------------------------------------------------------

pub(crate) fn stored_json(text: &str) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(AppError::internal("stored dashboard JSON is not an object")),
        Err(e) => Err(AppError::internal(format!("stored dashboard JSON: {e}"))),
    }
}

pub(crate) fn is_read_only(r: &DashboardRow) -> bool {
    let from = |text: &str| {
        serde_json::from_str::<Value>(text).ok().and_then(|v| {
            v.get(if r.legacy.is_some() {
                "read_only"
            } else {
                "is_read_only"
            })
            .and_then(Value::as_bool)
        })
    };
    r.legacy
        .as_deref()
        .or(Some(r.body.as_str()))
        .and_then(from)
        .unwrap_or(false)
}

pub(crate) fn dashboard_url(r: &DashboardRow) -> String {
    format!("/dashboard/{}/{}", r.id, slug(&r.title))
}

fn dashboard_out(r: &DashboardRow) -> Result<Value, AppError> {
    let mut m = stored_json(&r.body)?;
    m.entry("description").or_insert(Value::Null);
    m.entry("template_variables").or_insert(Value::Null);
    m.entry("is_read_only").or_insert(Value::Bool(false));
    m.insert("id".into(), json!(r.id));
    m.insert("url".into(), json!(dashboard_url(r)));
    m.insert("author_handle".into(), json!(AUTHOR));
    m.insert("created_at".into(), json!(iso8601(r.created_ms)));
    m.insert("modified_at".into(), json!(iso8601(r.modified_ms)));
    Ok(Value::Object(m))
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
