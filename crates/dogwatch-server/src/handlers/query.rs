//! `GET /api/v1/query?from=&to=&query=`: evaluates a metric query over the store, within the
//! request's budget (`budget.rs`): over it, 422 saying which limit and how to narrow the query.

use axum::Json;
use axum::extract::State;
use dogwatch_core::eval::{self, EvalError};
use dogwatch_core::wire::QueryResponse;
use serde::Deserialize;

use crate::AppState;
use crate::budget::Budget;
use crate::error::{ApiQuery, AppError};
use crate::store::ReadError;

#[derive(Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    query: Option<String>,
}

pub async fn timeseries(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<QueryResponse>, AppError> {
    let missing = |name: &str| AppError::BadRequest(format!("missing required parameter `{name}`"));
    let from = parse_secs("from", &p.from.ok_or_else(|| missing("from"))?)?;
    let to = parse_secs("to", &p.to.ok_or_else(|| missing("to"))?)?;
    let query = p.query.ok_or_else(|| missing("query"))?;
    let response = evaluate(&state, query, from, to).await?;
    Ok(Json(response))
}

/// Evaluates `query` over `[from, to]` (seconds) within a request's budget: 422 over it, 400 for
/// a query that is wrong, 500 when the store fails. Stops at its next check if dropped.
pub(crate) async fn evaluate(
    state: &AppState,
    query: String,
    from: i64,
    to: i64,
) -> Result<QueryResponse, AppError> {
    let limits = state.query;
    limits
        .check_count(&query)
        .map_err(|e| AppError::OverBudget(e.to_string()))?;
    let started = std::time::Instant::now();
    let budget = Budget::new(limits);
    // Dropped with this future when the client goes away: the evaluation then stops at its next
    // check instead of running to the end for nobody.
    let cancel = budget.cancel_on_drop();
    let response = state
        .store
        .read(move |r| {
            eval::evaluate(&query, from, to, &r.metered(&budget)).map_err(|e| match e {
                EvalError::Source(ReadError::Budget(e)) => AppError::OverBudget(e.to_string()),
                // The store failing is ours (logged, 500); everything else is the request's (400).
                EvalError::Source(s) => AppError::internal(s),
                other => AppError::BadRequest(other.to_string()),
            })
        })
        .await
        .map_err(AppError::internal)??;
    cancel.disarm();
    state.telemetry.timing_ms(
        "dogwatch.query.duration",
        started.elapsed().as_secs_f64() * 1000.0,
        &[],
    );
    Ok(response)
}

/// Parses a POSIX-seconds parameter; fractions are truncated as Datadog does.
pub(crate) fn parse_secs(name: &str, raw: &str) -> Result<i64, AppError> {
    let bad = || {
        AppError::BadRequest(format!(
            "parameter `{name}` must be seconds since the epoch, got `{raw}`"
        ))
    };
    let v: f64 = raw.trim().parse().map_err(|_| bad())?;
    if !v.is_finite() || !(0.0..=1e11).contains(&v) {
        return Err(bad());
    }
    Ok(v as i64)
}
