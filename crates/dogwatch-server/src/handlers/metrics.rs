//! `GET /api/v1/metrics` (names seen since `from`) and `GET /api/v2/metrics/{name}/all-tags`.

use axum::Json;
use axum::extract::{Path, State};
use dogwatch_core::wire::{AllTags, AllTagsAttributes, AllTagsData, MetricsList};
use serde::Deserialize;

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::handlers::query::parse_secs;

#[derive(Deserialize)]
pub struct ListParams {
    from: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<MetricsList>, AppError> {
    let raw = p.from.ok_or_else(|| {
        AppError::BadRequest("missing required parameter `from` (seconds since the epoch)".into())
    })?;
    let from = parse_secs("from", &raw)?;
    let metrics = state
        .store
        .read(move |r| r.metrics_since(from))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(Json(MetricsList {
        metrics,
        from: from.to_string(),
    }))
}

pub async fn all_tags(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<AllTags>, AppError> {
    let metric = name.clone();
    let tags = state
        .store
        .read(move |r| r.tags_of(&metric))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::NotFound(format!("metric `{name}` has never reported")))?;
    Ok(Json(AllTags {
        data: AllTagsData {
            kind: "metrics".into(),
            id: name,
            attributes: AllTagsAttributes { tags },
        },
    }))
}
