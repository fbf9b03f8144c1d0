//! `GET /api/v1/dogwatch/traces/{trace_id}`: every span of one trace, as the tracers sent them.

use axum::Json;
use axum::extract::{Path, State};
use dogwatch_core::apm::Span;
use dogwatch_core::wire::{Trace, TraceSpan};

use crate::AppState;
use crate::error::AppError;

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Trace>, AppError> {
    let missing = || AppError::NotFound(format!("Trace {id} not found"));
    let trace_id: u64 = id.parse().map_err(|_| missing())?;
    let spans = state
        .store
        .trace(trace_id)
        .await
        .map_err(AppError::internal)?;
    if spans.is_empty() {
        return Err(missing());
    }
    Ok(Json(Trace {
        trace_id: trace_id.to_string(),
        spans: spans.into_iter().map(span_out).collect(),
    }))
}

fn span_out(s: Span) -> TraceSpan {
    TraceSpan {
        trace_id: s.trace_id.to_string(),
        span_id: s.span_id.to_string(),
        parent_id: s.parent_id.to_string(),
        service: s.service,
        name: s.name,
        resource: s.resource,
        kind: s.kind,
        start_ns: s.start_ns,
        duration_ns: s.duration_ns,
        error: s.error,
        meta: s.meta,
        metrics: s.metrics,
    }
}
