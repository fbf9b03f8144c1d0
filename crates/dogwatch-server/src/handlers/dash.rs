//! The legacy timeboard API, `/api/v1/dash`, as datadogpy's `api.Timeboard` calls it. A legacy dash
//! is stored as an ordered dashboard (one timeseries widget per graph), so `/api/v1/dashboard` lists
//! and edits it too; its legacy fields are kept to echo them back.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use dogwatch_core::wire::{DashList, DashSummary};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::AppError;
use crate::handlers::dashboards::{
    array, bad, check_query, is_read_only, iso8601, object, optional_str, read_json, required_str,
    stored_json,
};
use crate::handlers::now_ms;
use crate::store::{DashboardKey, DashboardRow, NewDashboard};

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let new = dash_input(read_json(&headers, body).await?)?;
    let row = state
        .store
        .create_dashboard(new, now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(dash_out(&row)?))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let row = legacy_row(&state, &id).await?;
    Ok(Json(dash_out(&row)?))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let new = dash_input(read_json(&headers, body).await?)?;
    // Only a legacy dash can be updated through the legacy API.
    let key = DashboardKey::Legacy(legacy_row(&state, &id).await?.legacy_id);
    let row = state
        .store
        .replace_dashboard(key, new, now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(dash_not_found)?;
    Ok(Json(dash_out(&row)?))
}

/// Datadog answers a legacy delete with an empty body, which datadogpy turns into `None`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let key = DashboardKey::Legacy(legacy_row(&state, &id).await?.legacy_id);
    state
        .store
        .delete_dashboard(key)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(dash_not_found)?;
    Ok(().into_response())
}

pub async fn list(State(state): State<AppState>) -> Result<Json<DashList>, AppError> {
    let rows = state.store.dashboards().await.map_err(AppError::internal)?;
    let mut dashes = Vec::new();
    for r in rows.iter().filter(|r| r.legacy.is_some()) {
        dashes.push(DashSummary {
            id: r.legacy_id.to_string(),
            resource: format!("/api/v1/dash/{}", r.legacy_id),
            title: r.title.clone(),
            description: r.description.clone(),
            created: iso8601(r.created_ms),
            modified: iso8601(r.modified_ms),
            read_only: is_read_only(r),
        });
    }
    Ok(Json(DashList { dashes }))
}

fn dash_not_found() -> AppError {
    AppError::NotFound("No dashboard matches that dash_id.".to_owned())
}

/// The legacy dash with this numeric id; 404 for anything else (including new-style dashboards).
async fn legacy_row(state: &AppState, id: &str) -> Result<DashboardRow, AppError> {
    let n: i64 = id.trim().parse().map_err(|_| dash_not_found())?;
    state
        .store
        .dashboard(DashboardKey::Legacy(n))
        .await
        .map_err(AppError::internal)?
        .filter(|r| r.legacy.is_some())
        .ok_or_else(dash_not_found)
}

/// Validates a legacy `/api/v1/dash` body and maps it onto an ordered dashboard.
fn dash_input(obj: Map<String, Value>) -> Result<NewDashboard, AppError> {
    let title = required_str(&obj, "", "title")?;
    let description = required_str(&obj, "", "description")?;
    let graphs = array(&obj, "", "graphs", true)?;
    let template_variables = array(&obj, "", "template_variables", false)?;
    let read_only = match obj.get("read_only") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
        Some(_) => return Err(bad("read_only must be true or false")),
    };
    let mut widgets = Vec::new();
    for (i, g) in graphs.iter().enumerate() {
        let path = format!("graphs[{i}]");
        let g = object(g, &path)?;
        let gtitle = optional_str(g, &format!("{path}."), "title")?;
        let def = match g.get("definition") {
            None | Some(Value::Null) => return Err(bad(format!("{path}.definition is required"))),
            Some(d) => object(d, &format!("{path}.definition"))?,
        };
        optional_str(def, &format!("{path}.definition."), "viz")?;
        array(def, &format!("{path}.definition."), "events", false)?;
        let mut requests = Vec::new();
        for (j, r) in array(def, &format!("{path}.definition."), "requests", true)?
            .iter()
            .enumerate()
        {
            let rpath = format!("{path}.definition.requests[{j}]");
            let r = object(r, &rpath)?;
            let q = required_str(r, &format!("{rpath}."), "q")?;
            check_query(&q, &format!("{rpath}.q"))?;
            let display = match optional_str(r, &format!("{rpath}."), "type")?.as_deref() {
                None | Some("line") => "line",
                Some("area") => "area",
                Some("bars") => "bars",
                Some(other) => {
                    return Err(bad(format!(
                        "{rpath}.type must be line, area or bars, got `{other}`"
                    )));
                }
            };
            requests.push(json!({ "q": q, "display_type": display }));
        }
        widgets.push(json!({
            "id": i + 1,
            "definition": { "type": "timeseries", "title": gtitle.unwrap_or_default(), "requests": requests },
        }));
    }
    let mut tvars = Vec::new();
    for (i, t) in template_variables.iter().enumerate() {
        let path = format!("template_variables[{i}]");
        let t = object(t, &path)?;
        tvars.push(json!({
            "name": required_str(t, &format!("{path}."), "name")?,
            "prefix": optional_str(t, &format!("{path}."), "prefix")?,
            "default": optional_str(t, &format!("{path}."), "default")?,
        }));
    }
    let body = json!({
        "title": title,
        "description": description,
        "layout_type": "ordered",
        "widgets": widgets,
        "template_variables": tvars,
        "is_read_only": read_only,
    });
    let legacy = json!({
        "graphs": graphs,
        "template_variables": template_variables,
        "read_only": read_only,
    });
    Ok(NewDashboard {
        title,
        description: Some(description),
        layout_type: "ordered".to_owned(),
        body: body.to_string(),
        legacy: Some(legacy.to_string()),
    })
}

/// The legacy fields of a dashboard body: each widget with queries as a graph (`viz` = its type),
/// template variables with their default as `prefix:value`, as the legacy API wrote them.
pub(crate) fn legacy_from_dashboard(body: &str) -> Result<String, AppError> {
    let board = stored_json(body)?;
    let widgets = board.get("widgets").and_then(Value::as_array);
    let graphs: Vec<Value> = widgets
        .into_iter()
        .flatten()
        .filter_map(|w| {
            let def = w.get("definition")?.as_object()?;
            let requests: Vec<Value> = def
                .get("requests")?
                .as_array()?
                .iter()
                .filter_map(|r| {
                    let q = r.get("q")?.as_str()?;
                    let mut out = json!({ "q": q });
                    if let Some(t) = r.get("display_type").and_then(Value::as_str) {
                        out["type"] = json!(t);
                    }
                    Some(out)
                })
                .collect();
            Some(json!({
                "title": def.get("title").cloned().unwrap_or(json!("")),
                "definition": {"events": [], "requests": requests, "viz": def.get("type").cloned().unwrap_or(json!("timeseries"))},
            }))
        })
        .collect();
    let template_variables: Vec<Value> = board
        .get("template_variables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            let prefix = t.get("prefix").and_then(Value::as_str);
            let default = t
                .get("default")
                .and_then(Value::as_str)
                .map(|d| match prefix {
                    Some(p) if !d.contains(':') && d != "*" => format!("{p}:{d}"),
                    _ => d.to_owned(),
                });
            json!({"name": t.get("name"), "prefix": prefix, "default": default})
        })
        .collect();
    let read_only = board
        .get("is_read_only")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(json!({
        "graphs": graphs,
        "template_variables": template_variables,
        "read_only": read_only,
    })
    .to_string())
}

// ---- responses ---------------------------------------------------------------------------------

fn dash_out(r: &DashboardRow) -> Result<Value, AppError> {
    let legacy = stored_json(r.legacy.as_deref().unwrap_or("{}"))?;
    let field = |k: &str| legacy.get(k).cloned().unwrap_or(Value::Null);
    Ok(json!({
        "dash": {
            "id": r.legacy_id,
            "title": r.title,
            "description": r.description,
            "graphs": field("graphs"),
            "template_variables": field("template_variables"),
            "read_only": field("read_only").as_bool().unwrap_or(false),
            "created": iso8601(r.created_ms),
            "modified": iso8601(r.modified_ms),
        },
        "resource": format!("/api/v1/dash/{}", r.legacy_id),
        "url": format!("/dash/dash/{}", r.legacy_id),
    }))
}
