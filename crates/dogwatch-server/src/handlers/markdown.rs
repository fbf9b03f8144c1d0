//! `POST /api/v1/dogwatch/markdown` (our extension): a note widget's markdown as safe HTML, for the
//! board and the widget editor's preview. Body `{"text": "..."}`, answer `{"html": "..."}`.
//!
//! A note over `markdown::MAX_BYTES` or nested deeper than `markdown::MAX_DEPTH` is refused with 400
//! before anything is sanitized. Rendering runs on the blocking pool, one note at a time (so a
//! burst of notes uses one core, never the async workers), and a request waits at most
//! [`DEADLINE`] for its turn and its result (422 beyond).

use std::time::Duration;

use axum::Json;
use dogwatch_core::wire::{MarkdownHtml, MarkdownRequest};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppJson, RequestBody};
use crate::markdown;

/// Largest request body accepted (413 beyond): a note at its limit, with room for JSON escapes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Longest a request waits for its note to be rendered.
pub const DEADLINE: Duration = Duration::from_secs(2);

/// One note rendered at a time.
static RENDERING: Semaphore = Semaphore::const_new(1);

impl RequestBody for MarkdownRequest {
    const MAX_BYTES: usize = MAX_BODY_BYTES;
}

pub async fn render(
    AppJson(MarkdownRequest { text }): AppJson<MarkdownRequest>,
) -> Result<Json<MarkdownHtml>, AppError> {
    markdown::check(&text).map_err(|e| AppError::BadRequest(format!("text: {e}")))?;
    let rendered = tokio::time::timeout(DEADLINE, async move {
        // The permit goes with the work: it is given back when rendering ends, even if this
        // request stopped waiting.
        let permit = RENDERING.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let html = markdown::render(&text);
            drop(permit);
            html
        })
        .await
        .map_err(AppError::internal)
    })
    .await;
    match rendered {
        Ok(html) => Ok(Json(MarkdownHtml { html: html? })),
        Err(_) => Err(AppError::OverBudget(format!(
            "the note could not be rendered within {} s; try again, or shorten it",
            DEADLINE.as_secs()
        ))),
    }
}
