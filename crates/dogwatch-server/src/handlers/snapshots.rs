//! Snapshots: the server freezes what a viewer sees (a timeseries widget's definition, its window
//! and the answers of its queries, evaluated once, here) under 128 random bits, draws its picture
//! with the chart code the UI uses (dogwatch-chart's `png`), and shares it through an event whose
//! @mentions are notified. Comments are events related to that one.
//!
//! - `POST /api/v1/dogwatch/snapshots` (the UI's Send snapshot), `GET`/`DELETE
//!   /api/v1/dogwatch/snapshots/{id}`, `POST /api/v1/dogwatch/snapshots/{id}/comments`;
//! - the picture, `GET /api/v1/dogwatch/snapshot/view/{id}.png`;
//! - Datadog's `GET /api/v1/graph/snapshot` (datadogpy's `api.Graph.create`) and
//!   `GET /api/v1/graph/snapshot_status/{id}` (`api.Graph.status`).
//!
//! Who may read: signed-in users (or an application key), and anyone with the link when the sender
//! ticked "public link" — who then gets the graph and title only. `api.Graph.create`'s pictures
//! are public, as Datadog's `snapshot_url` is an address anyone can fetch.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::{Extension, Json};
use dogwatch_chart::{ChartOptions, lines, merge_answers};
use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{
    CommentRequest, GraphDefinition, GraphSnapshot, Open, QueryResponse, Snapshot, SnapshotComment,
    SnapshotDeleted, SnapshotPerson, SnapshotRequest, SnapshotStatus, WidgetDefinition,
    WidgetRequest, snapshot_expiry_ms,
};
use serde::Deserialize;

use crate::AppState;
use crate::access::Viewer;
use crate::auth::{Principal, Via};
use crate::error::{ApiQuery, AppError, AppJson, RequestBody};
use crate::handlers::events::{
    MAX_TEXT, MAX_TITLE, Share, check_title_and_text, mention_notifications, page_path, png_path,
};
use crate::handlers::now_ms;
use crate::handlers::query::{evaluate, parse_secs};
use crate::store::{NewEvent, NewSnapshot, Posted, SnapshotRow};

/// The picture a snapshot taken in the UI gets, in pixels.
const PICTURE: (u32, u32) = (600, 300);
/// The sizes `api.Graph.create` may ask for.
const WIDTHS: std::ops::RangeInclusive<u32> = 100..=2000;
const HEIGHTS: std::ops::RangeInclusive<u32> = 80..=1200;
/// Most requests one snapshot's widget may have.
const MAX_REQUESTS: usize = 10;

impl RequestBody for SnapshotRequest {
    const MAX_BYTES: usize = 256 * 1024;
}

impl RequestBody for CommentRequest {
    const MAX_BYTES: usize = 64 * 1024;
}

/// What to freeze.
struct Freeze {
    title: String,
    message: String,
    definition: Open<WidgetDefinition>,
    range: TimeRange,
    public: bool,
    /// How long it lasts from when it is taken; `None`: for good.
    lasts_ms: Option<i64>,
    size: (u32, u32),
    /// Share it in the event stream (with its @mentions notified); not for `api.Graph.create`.
    share: bool,
}

/// `POST /api/v1/dogwatch/snapshots`: 201 with the snapshot once it, its event and its
/// notifications are durable.
pub async fn create(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    AppJson(body): AppJson<SnapshotRequest>,
) -> Result<(StatusCode, Json<Snapshot>), AppError> {
    signed_in(&me)?;
    let mut errors = Vec::new();
    let title = body.title.unwrap_or_default().trim().to_owned();
    let message = body.message.unwrap_or_default();
    check_title_and_text(&title, ("message", &message), &mut errors);
    let expires = body.expires.unwrap_or_else(|| "never".to_owned());
    let expiry = snapshot_expiry_ms(&expires);
    if expiry.is_none() {
        errors.push(format!(
            "expires must be one of never, 1h, 1d, 7d, 30d, not '{expires}'"
        ));
    }
    let range = TimeRange::new(body.from_ms, body.to_ms).filter(|r| r.from_ms < r.to_ms);
    if range.is_none() {
        errors.push(format!(
            "from_ms ({}) must be before to_ms ({})",
            body.from_ms, body.to_ms
        ));
    }
    if let Err(e) = check_definition(&body.definition.known) {
        errors.push(e);
    }
    let (Some(range), Some(expiry), true) = (range, expiry, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let frozen = freeze(
        &state,
        &me,
        Freeze {
            title,
            message,
            definition: body.definition,
            range,
            public: body.public,
            lasts_ms: expiry,
            size: PICTURE,
            share: true,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(full(&state, &me, frozen).await?)))
}

/// Anonymous visitors (`--anonymous-viewer`) may look, not share or comment.
fn signed_in(me: &Principal) -> Result<(), AppError> {
    if me.via == Via::Anonymous {
        return Err(AppError::Refused(
            "sign in to share snapshots and comment on them".to_owned(),
        ));
    }
    Ok(())
}

/// A definition a snapshot can freeze: a timeseries with 1 to 10 queries.
fn check_definition(def: &WidgetDefinition) -> Result<(), String> {
    if def.kind != "timeseries" {
        return Err(format!(
            "definition.type must be timeseries (snapshots freeze graphs), not '{}'",
            def.kind
        ));
    }
    let requests = def.requests.as_deref().unwrap_or_default();
    if requests.is_empty() {
        return Err("definition.requests must have at least one query".to_owned());
    }
    if requests.len() > MAX_REQUESTS {
        return Err(format!(
            "definition.requests has {} queries; a snapshot takes at most {MAX_REQUESTS}",
            requests.len()
        ));
    }
    for (i, r) in requests.iter().enumerate() {
        if r.known.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
            return Err(format!("definition.requests[{i}].q is required"));
        }
    }
    Ok(())
}

/// Evaluates the definition's queries over its window, draws the picture and stores it all.
async fn freeze(state: &AppState, me: &Principal, f: Freeze) -> Result<SnapshotRow, AppError> {
    let (from, to) = (
        f.range.from_ms.div_euclid(1000),
        f.range.to_ms.div_euclid(1000),
    );
    let mut answers = Vec::new();
    for (i, r) in f.definition.known.requests.iter().flatten().enumerate() {
        let q = r.known.q.clone().unwrap_or_default();
        let answer = evaluate(state, q, from, to).await.map_err(|e| match e {
            AppError::BadRequest(m) => {
                AppError::BadRequest(format!("definition.requests[{i}].q: {m}"))
            }
            other => other,
        })?;
        answers.push(answer);
    }
    let png = picture(&f.definition.known, &answers, f.range, f.size).await?;
    let id = crate::auth::random_hex(16).map_err(AppError::internal)?;
    let now = now_ms();
    let snapshot = NewSnapshot {
        id: id.clone(),
        title: f.title.clone(),
        sender: me.handle.clone(),
        sender_name: me.name.clone(),
        message: f.message.clone(),
        definition: serde_json::to_string(&f.definition).map_err(AppError::internal)?,
        from_ms: f.range.from_ms,
        to_ms: f.range.to_ms,
        answers: serde_json::to_string(&answers).map_err(AppError::internal)?,
        png,
        public: f.public,
        created_ms: now,
        expires_ms: f.lasts_ms.map(|ms| now.saturating_add(ms)),
    };
    let key = format!("snapshot:{id}");
    let (event, notifications) = if f.share {
        let notifications =
            mention_notifications(&key, &f.title, &f.message, Some(&Share::of(state, &id)));
        (
            Some(event(key, f.title, f.message, me, &id, None, now)),
            notifications,
        )
    } else {
        (None, Vec::new())
    };
    state
        .store
        .create_snapshot(snapshot, event, notifications)
        .await
        .map_err(AppError::internal)?;
    find(state, &id).await
}

/// The event that shares a snapshot, or (with `related`) one of its comments.
fn event(
    dedupe_key: String,
    title: String,
    text: String,
    me: &Principal,
    snapshot_id: &str,
    related: Option<i64>,
    now: i64,
) -> NewEvent {
    NewEvent {
        dedupe_key,
        ts_ms: now,
        monitor_id: None,
        group_key: None,
        transition: None,
        from_state: None,
        to_state: None,
        value: None,
        alert_type: "snapshot".to_owned(),
        title,
        text,
        tags: Vec::new(),
        posted: Some(Posted {
            priority: Some("normal".to_owned()),
            source_type_name: Some("Snapshot".to_owned()),
            related_event_id: related,
            author: Some(me.handle.clone()),
            author_name: Some(me.name.clone()),
            ..Posted::default()
        }),
        snapshot_id: Some(snapshot_id.to_owned()),
    }
}

/// The chart of the frozen answers as a PNG, drawn off the async threads. Times are in UTC: the
/// server does not know the zone of whoever reads the mail.
async fn picture(
    def: &WidgetDefinition,
    answers: &[QueryResponse],
    range: TimeRange,
    size: (u32, u32),
) -> Result<Vec<u8>, AppError> {
    let options = ChartOptions::of_widget(def);
    let merged = merge_answers(answers);
    tokio::task::spawn_blocking(move || {
        let lines = merged
            .map(|m| lines(&std::sync::Arc::new(m)))
            .unwrap_or_default();
        dogwatch_chart::png::render_png(&lines, range, &options, size)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)
}

/// A live snapshot, or 404.
async fn find(state: &AppState, id: &str) -> Result<SnapshotRow, AppError> {
    let missing = || {
        AppError::NotFound(format!(
            "Snapshot {id} not found: it does not exist, has expired or was deleted"
        ))
    };
    // Ids are 32 lowercase hex digits; anything else is looked up by nobody.
    if id.len() != 32
        || !id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(missing());
    }
    state
        .store
        .snapshot(id.to_owned(), now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(missing)
}

/// What anyone with the link sees: the graph and its title.
fn public_view(row: SnapshotRow) -> Result<Snapshot, AppError> {
    Ok(Snapshot {
        url: page_path(&row.id),
        png_url: png_path(&row.id),
        definition: serde_json::from_str(&row.definition).map_err(AppError::internal)?,
        answers: serde_json::from_str(&row.answers).map_err(AppError::internal)?,
        id: row.id,
        title: row.title,
        from_ms: row.from_ms,
        to_ms: row.to_ms,
        public: row.public,
        created_ms: row.created_ms,
        expires_ms: row.expires_ms,
        sender: None,
        message: None,
        event_id: None,
        comments: None,
        can_delete: false,
    })
}

/// What a signed-in reader sees: also who sent it, the message and the comments.
async fn full(state: &AppState, me: &Principal, row: SnapshotRow) -> Result<Snapshot, AppError> {
    let comments = match row.event_id {
        Some(event_id) => state
            .store
            .snapshot_comments(row.id.clone(), event_id)
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .map(|c| {
                let posted = c.event.posted.unwrap_or_default();
                SnapshotComment {
                    event_id: c.id,
                    author: posted.author.map(|handle| SnapshotPerson {
                        name: posted.author_name.unwrap_or_else(|| handle.clone()),
                        handle,
                    }),
                    text: c.event.text,
                    ts_ms: c.event.ts_ms,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let sender = SnapshotPerson {
        handle: row.sender.clone(),
        name: row.sender_name.clone(),
    };
    let can_delete = me.role.is_admin() || (me.via != Via::Anonymous && me.handle == row.sender);
    let (message, event_id) = (row.message.clone(), row.event_id);
    Ok(Snapshot {
        sender: Some(sender),
        message: Some(message),
        event_id,
        comments: Some(comments),
        can_delete,
        ..public_view(row)?
    })
}

/// `GET /api/v1/dogwatch/snapshots/{id}`: the whole snapshot for a signed-in reader, the graph and
/// title for anyone else when it is public, 403 when it is not.
pub async fn get_one(
    State(state): State<AppState>,
    Extension(Viewer(viewer)): Extension<Viewer>,
    Path(id): Path<String>,
) -> Result<Json<Snapshot>, AppError> {
    let row = find(&state, &id).await?;
    match viewer {
        Some(me) => Ok(Json(full(&state, &me, row).await?)),
        None if row.public => Ok(Json(public_view(row)?)),
        None => Err(AppError::Forbidden),
    }
}

/// `GET /api/v1/dogwatch/snapshot/view/{id}.png`: the picture, to whoever may read the snapshot.
pub async fn png(
    State(state): State<AppState>,
    Extension(Viewer(viewer)): Extension<Viewer>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let id = file.strip_suffix(".png").unwrap_or_default();
    let missing = || AppError::NotFound(format!("no snapshot picture {file}"));
    if id.is_empty() {
        return Err(missing());
    }
    let picture = state
        .store
        .snapshot_picture(id.to_owned(), now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(missing)?;
    if viewer.is_none() && !picture.public {
        return Err(AppError::Forbidden);
    }
    Response::builder()
        .header(header::CONTENT_TYPE, "image/png")
        // Frozen: it never changes, but it may be deleted or expire, and may be private.
        .header(header::CACHE_CONTROL, "private, max-age=300")
        .body(Body::from(picture.png))
        .map_err(AppError::internal)
}

/// `DELETE /api/v1/dogwatch/snapshots/{id}`: its sender or an admin.
pub async fn delete(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
) -> Result<Json<SnapshotDeleted>, AppError> {
    let row = find(&state, &id).await?;
    let sender = me.via != Via::Anonymous && me.handle == row.sender;
    if !(sender || me.role.is_admin()) {
        return Err(AppError::Refused(
            "only its sender or an admin may delete a snapshot".to_owned(),
        ));
    }
    state
        .store
        .delete_snapshot(row.id.clone())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(SnapshotDeleted {
        deleted_snapshot_id: row.id,
    }))
}

/// `POST /api/v1/dogwatch/snapshots/{id}/comments`: 201 once the comment and the notifications of
/// its @mentions are durable.
pub async fn comment(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    Path(id): Path<String>,
    AppJson(body): AppJson<CommentRequest>,
) -> Result<(StatusCode, Json<SnapshotComment>), AppError> {
    signed_in(&me)?;
    let row = find(&state, &id).await?;
    let text = body.text.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("text is required".to_owned()));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(AppError::BadRequest(format!(
            "text is longer than {MAX_TEXT} characters"
        )));
    }
    let Some(root) = row.event_id else {
        return Err(AppError::BadRequest(
            "this snapshot was taken through the API and has no discussion".to_owned(),
        ));
    };
    let key = format!(
        "comment:{}",
        crate::auth::random_hex(16).map_err(AppError::internal)?
    );
    let title: String = format!("Re: {}", row.title)
        .chars()
        .take(MAX_TITLE)
        .collect();
    let notifications =
        mention_notifications(&key, &title, &text, Some(&Share::of(&state, &row.id)));
    let now = now_ms();
    let event = event(key, title, text.clone(), &me, &row.id, Some(root), now);
    let event_id = state
        .store
        .post_event(event, notifications, now)
        .await
        .map_err(AppError::internal)?
        // The snapshot was deleted meanwhile.
        .ok_or_else(|| AppError::NotFound(format!("Snapshot {id} not found")))?;
    Ok((
        StatusCode::CREATED,
        Json(SnapshotComment {
            event_id,
            author: Some(SnapshotPerson {
                handle: me.handle,
                name: me.name,
            }),
            text,
            ts_ms: now,
        }),
    ))
}

#[derive(Deserialize)]
pub struct GraphParams {
    metric_query: Option<String>,
    graph_def: Option<String>,
    start: Option<String>,
    end: Option<String>,
    title: Option<String>,
    height: Option<String>,
    width: Option<String>,
    /// Event bands over the graph: not drawn by dogwatch, accepted and ignored.
    #[allow(dead_code)]
    event_query: Option<String>,
}

/// `GET /api/v1/graph/snapshot` (datadogpy's `api.Graph.create`): draws the graph of
/// `metric_query` or `graph_def` over `start`..`end` and answers where the picture is.
pub async fn graph_snapshot(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    ApiQuery(p): ApiQuery<GraphParams>,
) -> Result<Json<GraphSnapshot>, AppError> {
    signed_in(&me)?;
    // A GET that stores something must not be set off by a link another site shows (the browser
    // sends the session cookie on a top-level navigation): keys only, as datadogpy sends them.
    if matches!(me.via, Via::Session(_)) {
        return Err(AppError::Refused(
            "graph/snapshot takes the API and application keys; the UI sends snapshots with POST \
             /api/v1/dogwatch/snapshots"
                .to_owned(),
        ));
    }
    let missing = |name: &str| AppError::BadRequest(format!("missing required parameter `{name}`"));
    let start = parse_secs("start", &p.start.ok_or_else(|| missing("start"))?)?;
    let end = parse_secs("end", &p.end.ok_or_else(|| missing("end"))?)?;
    let range = TimeRange::new(start.saturating_mul(1000), end.saturating_mul(1000))
        .filter(|_| start < end)
        .ok_or_else(|| {
            AppError::BadRequest(format!("start ({start}) must be before end ({end})"))
        })?;
    let definition = match (&p.graph_def, &p.metric_query) {
        (Some(def), _) => graph_def(def)?,
        (None, Some(q)) if !q.trim().is_empty() => Open::new(WidgetDefinition {
            kind: "timeseries".to_owned(),
            requests: Some(vec![Open::new(WidgetRequest {
                q: Some(q.clone()),
                ..WidgetRequest::default()
            })]),
            ..WidgetDefinition::default()
        }),
        _ => return Err(missing("metric_query` or `graph_def")),
    };
    check_definition(&definition.known).map_err(AppError::BadRequest)?;
    let size = (
        size_param("width", p.width.as_deref(), PICTURE.0, WIDTHS)?,
        size_param("height", p.height.as_deref(), PICTURE.1, HEIGHTS)?,
    );
    let title = p
        .title
        .filter(|t| !t.trim().is_empty())
        .or_else(|| p.metric_query.clone())
        .unwrap_or_else(|| "Graph snapshot".to_owned())
        .chars()
        .take(MAX_TITLE)
        .collect();
    let row = freeze(
        &state,
        &me,
        Freeze {
            title,
            message: String::new(),
            definition,
            range,
            public: true,
            lasts_ms: None,
            size,
            share: false,
        },
    )
    .await?;
    Ok(Json(GraphSnapshot {
        metric_query: p.metric_query.filter(|_| p.graph_def.is_none()),
        graph_def: p.graph_def,
        snapshot_url: format!("{}{}", state.site, png_path(&row.id)),
    }))
}

/// A `graph_def`: a legacy timeboard graph (`{"viz": …, "requests": [{"q": …, "type": …}]}`) or a
/// widget definition (`{"type": "timeseries", …}`).
fn graph_def(text: &str) -> Result<Open<WidgetDefinition>, AppError> {
    let bad = |e: String| AppError::BadRequest(format!("graph_def: {e}"));
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    if value.get("type").is_some() {
        return serde_json::from_value(value).map_err(|e| bad(e.to_string()));
    }
    let legacy: Open<GraphDefinition> =
        serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    let legacy = legacy.known;
    Ok(Open::new(WidgetDefinition {
        kind: legacy.viz.unwrap_or_else(|| "timeseries".to_owned()),
        requests: Some(
            legacy
                .requests
                .into_iter()
                .map(|r| {
                    Open::new(WidgetRequest {
                        q: Some(r.known.q),
                        display_type: r.known.display,
                        ..WidgetRequest::default()
                    })
                })
                .collect(),
        ),
        ..WidgetDefinition::default()
    }))
}

/// A picture's width or height: `default` when absent, else within `range`.
fn size_param(
    name: &str,
    raw: Option<&str>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, AppError> {
    let Some(raw) = raw else {
        return Ok(default);
    };
    raw.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "parameter `{name}` must be a whole number of pixels from {} to {}, got `{raw}`",
                range.start(),
                range.end()
            ))
        })
}

/// `GET /api/v1/graph/snapshot_status/{id}`: 200 once the picture is there, which is at once.
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SnapshotStatus>, AppError> {
    find(&state, &id).await?;
    Ok(Json(SnapshotStatus { status_code: 200 }))
}
