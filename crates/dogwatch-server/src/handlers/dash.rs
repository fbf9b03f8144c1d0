//! The legacy timeboard API, `/api/v1/dash`, as datadogpy's `api.Timeboard` calls it. A legacy dash
//! is stored as an ordered dashboard (one timeseries widget per graph), so `/api/v1/dashboard` lists
//! and edits it too; its legacy fields are kept to echo them back.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use dogwatch_core::wire::{
    Dash, DashAnswer, DashDefinition, DashList, DashSummary, Dashboard, Graph, GraphDefinition,
    GraphRequest, Open, TemplateVariable, Widget, WidgetDefinition, WidgetRequest,
};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppError, AppJson, RequestBody};
use crate::handlers::dashboards::{
    MAX_BODY_BYTES, bad, check_query, check_variable, is_read_only, iso8601, not_blank,
};
use crate::handlers::now_ms;
use crate::store::{DashboardKey, DashboardRow, NewDashboard};

impl RequestBody for Open<DashDefinition> {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

/// What a legacy dash keeps beside its dashboard body (the `legacy` column), to echo it back.
#[derive(Debug, Default, Deserialize, Serialize)]
struct LegacyFields {
    graphs: Vec<Open<Graph>>,
    template_variables: Vec<Open<TemplateVariable>>,
    read_only: bool,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<Open<DashDefinition>>,
) -> Result<Json<DashAnswer>, AppError> {
    let new = dash_input(body.known)?;
    let row = state
        .store
        .create_dashboard(new, now_ms(), me.handle)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(dash_out(&row)?))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DashAnswer>, AppError> {
    let row = legacy_row(&state, &id).await?;
    Ok(Json(dash_out(&row)?))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<Open<DashDefinition>>,
) -> Result<Json<DashAnswer>, AppError> {
    let new = dash_input(body.known)?;
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

/// Checks a legacy `/api/v1/dash` body and maps it onto an ordered dashboard, one timeseries widget
/// per graph. Members of the body the legacy API does not name are not kept (Datadog drops them too).
fn dash_input(dash: DashDefinition) -> Result<NewDashboard, AppError> {
    not_blank(&dash.title, "title")?;
    not_blank(&dash.description, "description")?;
    let mut widgets = Vec::new();
    for (i, g) in dash.graphs.iter().enumerate() {
        let mut requests = Vec::new();
        for (j, r) in g.known.definition.known.requests.iter().enumerate() {
            let path = format!("graphs[{i}].definition.requests[{j}]");
            let r = &r.known;
            not_blank(&r.q, &format!("{path}.q"))?;
            check_query(&r.q, &format!("{path}.q"))?;
            let display = match r.display.as_deref() {
                None | Some("line") => "line",
                Some("area") => "area",
                Some("bars") => "bars",
                Some(other) => {
                    return Err(bad(format!(
                        "{path}.type must be line, area or bars, got `{other}`"
                    )));
                }
            };
            requests.push(Open::new(WidgetRequest {
                q: Some(r.q.clone()),
                display_type: Some(display.to_owned()),
                ..WidgetRequest::default()
            }));
        }
        widgets.push(Open::new(Widget {
            id: Some(i as i64 + 1),
            definition: Open::new(WidgetDefinition {
                kind: "timeseries".to_owned(),
                title: Some(g.known.title.clone().unwrap_or_default()),
                requests: Some(requests),
                ..WidgetDefinition::default()
            }),
            layout: None,
        }));
    }
    for (i, t) in dash.template_variables.iter().enumerate() {
        check_variable(&t.known, &format!("template_variables[{i}]"))?;
    }
    let board = Dashboard {
        title: dash.title.clone(),
        description: Some(dash.description.clone()),
        layout_type: Some("ordered".to_owned()),
        widgets,
        template_variables: Some(
            dash.template_variables
                .iter()
                .map(|t| Open::new(t.known.clone()))
                .collect(),
        ),
        is_read_only: dash.read_only,
        ..Dashboard::default()
    };
    let legacy = LegacyFields {
        graphs: dash.graphs,
        template_variables: dash.template_variables,
        read_only: dash.read_only,
    };
    Ok(NewDashboard {
        title: dash.title,
        description: Some(dash.description),
        layout_type: "ordered".to_owned(),
        body: serde_json::to_string(&Open::new(board)).map_err(AppError::internal)?,
        legacy: Some(serde_json::to_string(&legacy).map_err(AppError::internal)?),
    })
}

/// The legacy fields of a dashboard, as the legacy API writes them: each widget with queries as a
/// graph (`viz` = its type), template variables with their default as `prefix:value`.
pub(crate) fn legacy_of(board: &Dashboard) -> String {
    let graphs = board
        .widgets
        .iter()
        .filter_map(|w| {
            let def = &w.known.definition.known;
            let requests = def
                .requests
                .as_ref()?
                .iter()
                .filter_map(|r| {
                    Some(Open::new(GraphRequest {
                        q: r.known.q.clone()?,
                        display: r.known.display_type.clone(),
                    }))
                })
                .collect();
            let mut definition = Open::new(GraphDefinition {
                viz: Some(def.kind.clone()),
                requests,
            });
            definition
                .extra
                .insert("events".to_owned(), serde_json::Value::Array(Vec::new()));
            Some(Open::new(Graph {
                title: Some(def.title.clone().unwrap_or_default()),
                definition,
            }))
        })
        .collect();
    let template_variables = board
        .template_variables
        .iter()
        .flatten()
        .map(|t| {
            let t = &t.known;
            let default = t.default.as_ref().map(|d| match &t.prefix {
                Some(p) if !d.contains(':') && d != "*" => format!("{p}:{d}"),
                _ => d.clone(),
            });
            Open::new(TemplateVariable {
                default,
                ..t.clone()
            })
        })
        .collect();
    let legacy = LegacyFields {
        graphs,
        template_variables,
        read_only: board.is_read_only,
    };
    // Serializing typed values with string keys cannot fail.
    serde_json::to_string(&legacy).unwrap_or_default()
}

/// Whether stored legacy fields mark the dash read-only.
pub(crate) fn legacy_read_only(legacy: &str) -> bool {
    serde_json::from_str::<LegacyFields>(legacy).is_ok_and(|l| l.read_only)
}

// ---- responses ---------------------------------------------------------------------------------

fn dash_out(r: &DashboardRow) -> Result<DashAnswer, AppError> {
    let legacy: LegacyFields = match &r.legacy {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| AppError::internal(format!("stored legacy dash {}: {e}", r.id)))?,
        None => LegacyFields::default(),
    };
    Ok(DashAnswer {
        dash: Dash {
            id: r.legacy_id,
            title: r.title.clone(),
            description: r.description.clone(),
            graphs: legacy.graphs,
            template_variables: legacy.template_variables,
            read_only: legacy.read_only,
            created: iso8601(r.created_ms),
            modified: iso8601(r.modified_ms),
        },
        resource: format!("/api/v1/dash/{}", r.legacy_id),
        url: format!("/dash/dash/{}", r.legacy_id),
    })
}
