//! Monitors, Datadog-compatible (`/api/v1/monitor` as datadogpy's `api.Monitor` calls it: create,
//! get with `group_states`, partial update, delete, list with `name`/`tags`/`monitor_tags`, mute,
//! unmute, validate), the event stream `/api/v1/events`, and our status-page extension
//! `/api/v1/dogwatch/monitor/{id}/history` (each group's state, its transitions and the
//! notifications sent).

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use dogwatch_core::monitor::State as MonitorState;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::handlers::dashboards::iso8601;
use crate::handlers::notifications::notification_out;
use crate::handlers::{now_ms, read_limited};
use crate::monitor::{self as def, Definition};
use crate::store::{EventRow, GroupRow, MonitorRow};

/// Largest monitor definition accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
const MAX_EVENTS: usize = 1000;

#[derive(Deserialize, Default)]
pub struct GetParams {
    group_states: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    group_states: Option<String>,
    name: Option<String>,
    tags: Option<String>,
    monitor_tags: Option<String>,
    page: Option<usize>,
    page_size: Option<usize>,
}

#[derive(Deserialize, Default)]
pub struct MuteParams {
    scope: Option<String>,
    end: Option<i64>,
    all_scopes: Option<bool>,
}

// ---- /api/v1/monitor -------------------------------------------------------------------------------

pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let checked = def::check(read_json(&headers, body).await?).map_err(AppError::Invalid)?;
    let row = state
        .store
        .create_monitor(Value::Object(checked).to_string(), now_ms())
        .await
        .map_err(AppError::internal)?;
    Ok(Json(monitor_out(&row, &[], None)?))
}

pub async fn validate(headers: HeaderMap, body: Body) -> Result<Json<Value>, AppError> {
    def::check(read_json(&headers, body).await?).map_err(AppError::Invalid)?;
    Ok(Json(json!({})))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<GetParams>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let row = find(&state, id).await?;
    let filter = params.group_states.as_deref().map(GroupStates::parse);
    answer(&state, &row, filter.as_ref()).await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let update = read_json(&headers, body).await?;
    let row = find(&state, id).await?;
    let stored = stored_json(&row.body)?;
    let old_query = stored.get("query").cloned();
    let checked = def::check(def::merge(stored, update)).map_err(AppError::Invalid)?;
    let reset_groups = checked.get("query") != old_query.as_ref();
    let row = state
        .store
        .replace_monitor(
            id,
            Value::Object(checked).to_string(),
            reset_groups,
            now_ms(),
        )
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))?;
    answer(&state, &row, None).await
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    state
        .store
        .delete_monitor(id)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(json!({ "deleted_monitor_id": id })))
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Value>, AppError> {
    let rows = state.store.monitors().await.map_err(AppError::internal)?;
    let all_groups = state
        .store
        .monitor_groups(None)
        .await
        .map_err(AppError::internal)?;
    let mut by_monitor: HashMap<i64, Vec<GroupRow>> = HashMap::new();
    for g in all_groups {
        by_monitor.entry(g.monitor_id).or_default().push(g);
    }
    let filter = params.group_states.as_deref().map(GroupStates::parse);
    let name = params.name.as_deref().map(str::to_lowercase);
    let scope_tags = csv(params.tags.as_deref());
    let monitor_tags = csv(params.monitor_tags.as_deref());
    let mut out = Vec::new();
    for row in &rows {
        let groups = by_monitor.get(&row.id).map_or(&[][..], Vec::as_slice);
        let m = monitor_out(row, groups, filter.as_ref())?;
        let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        if name
            .as_ref()
            .is_some_and(|n| !text("name").to_lowercase().contains(n.as_str()))
        {
            continue;
        }
        // `tags` filters on the query's scope, `monitor_tags` on the monitor's own tags.
        let query = text("query");
        if !scope_tags.iter().all(|t| scope_has(&query, t)) {
            continue;
        }
        let own: Vec<&str> = m
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !monitor_tags.iter().all(|t| own.contains(&t.as_str())) {
            continue;
        }
        out.push(m);
    }
    if let Some(size) = params.page_size.filter(|&s| s > 0) {
        let page = params.page.unwrap_or(0);
        out = out
            .into_iter()
            .skip(page.saturating_mul(size))
            .take(size)
            .collect();
    }
    Ok(Json(Value::Array(out)))
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    query: Option<String>,
    page: Option<usize>,
    per_page: Option<usize>,
    sort: Option<String>,
}

const SEARCH_PER_PAGE: usize = 30;
const SEARCH_MAX_PER_PAGE: usize = 1000;

/// `GET /api/v1/monitor/search` as datadogpy's `api.Monitor.search(query, page, per_page, sort)`
/// calls it: `{"monitors": [...], "metadata": {page, per_page, page_count, total_count},
/// "counts": {status, muted, tag, type}}` (counts over every match, not just the page).
///
/// The supported subset of Datadog's monitor search syntax; terms are ANDed:
/// - free text (`cpu`, `"high cpu"`): a case-insensitive substring of the name or of a tag;
/// - `status:alert|warn|"no data"|no_data|ok` (the overall state);
/// - `tag:"key:value"` (or `tag:key:value`): one of the monitor's own tags;
/// - `muted:true|false`: whether the whole monitor is muted (an active `*` silence);
/// - `type:metric` (also `query alert`, `metric alert`): every dogwatch monitor;
/// - `id:123`, `title:text` (substring of the name), `metric:name` (a metric of the query);
/// - `key:(a OR b)`: any of the values.
///
/// A `key:value` with any other key is free text. `sort` is `name`, `status`, `id` or `tags`,
/// optionally `,asc` / `,desc` (default `name,asc`); `page` counts from 0, `per_page` defaults to 30.
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<Value>, AppError> {
    let terms = search_terms(params.query.as_deref().unwrap_or(""));
    let (sort_key, descending) = match params.sort.as_deref().map(str::trim) {
        None | Some("") => ("name".to_owned(), false),
        Some(text) => {
            let (key, dir) = text.split_once(',').unwrap_or((text, "asc"));
            let key = key.trim().to_lowercase();
            if !["name", "status", "id", "tags"].contains(&key.as_str()) {
                return Err(AppError::BadRequest(format!(
                    "sort `{text}` must be name, status, id or tags, optionally followed by ,asc or ,desc"
                )));
            }
            match dir.trim().to_lowercase().as_str() {
                "asc" => (key, false),
                "desc" => (key, true),
                _ => {
                    return Err(AppError::BadRequest(format!(
                        "sort `{text}`: the direction must be asc or desc"
                    )));
                }
            }
        }
    };
    let per_page = params
        .per_page
        .unwrap_or(SEARCH_PER_PAGE)
        .clamp(1, SEARCH_MAX_PER_PAGE);
    let page = params.page.unwrap_or(0);

    let rows = state.store.monitors().await.map_err(AppError::internal)?;
    let mut by_monitor: HashMap<i64, Vec<GroupRow>> = HashMap::new();
    for g in state
        .store
        .monitor_groups(None)
        .await
        .map_err(AppError::internal)?
    {
        by_monitor.entry(g.monitor_id).or_default().push(g);
    }
    let now_secs = now_ms().div_euclid(1000);
    let mut found: Vec<SearchHit> = Vec::new();
    for row in &rows {
        let groups = by_monitor.get(&row.id).map_or(&[][..], Vec::as_slice);
        let hit = search_hit(row, groups, now_secs)?;
        if terms.iter().all(|t| t.matches(&hit)) {
            found.push(hit);
        }
    }
    let severity = |s: &str| match s {
        "Alert" => 0,
        "Warn" => 1,
        "No Data" => 2,
        _ => 3,
    };
    found.sort_by(|a, b| {
        let order = match sort_key.as_str() {
            "status" => severity(&a.status).cmp(&severity(b.status.as_str())),
            "id" => a.id.cmp(&b.id),
            "tags" => a.tags.cmp(&b.tags),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(a.id.cmp(&b.id))
    });

    let mut status: HashMap<String, usize> = HashMap::new();
    let mut muted: HashMap<bool, usize> = HashMap::new();
    let mut tags: HashMap<String, usize> = HashMap::new();
    for hit in &found {
        *status.entry(hit.status.clone()).or_default() += 1;
        *muted.entry(hit.muted).or_default() += 1;
        for tag in &hit.tags {
            *tags.entry(tag.clone()).or_default() += 1;
        }
    }
    fn counts<K: Ord + Clone + serde::Serialize>(map: HashMap<K, usize>) -> Value {
        let mut v: Vec<(K, usize)> = map.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Value::Array(
            v.into_iter()
                .map(|(name, count)| json!({"name": name, "count": count}))
                .collect(),
        )
    }
    let total = found.len();
    let type_counts = if total > 0 {
        json!([{"name": "metric", "count": total}])
    } else {
        json!([])
    };
    let monitors: Vec<Value> = found
        .into_iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .map(|h| h.out)
        .collect();
    Ok(Json(json!({
        "monitors": monitors,
        "metadata": {
            "page": page,
            "per_page": per_page,
            "page_count": total.div_ceil(per_page),
            "total_count": total,
        },
        "counts": {
            "status": counts(status),
            "muted": counts(muted),
            "tag": counts(tags),
            "type": type_counts,
        },
    })))
}

/// One monitor as the search sees and shows it.
struct SearchHit {
    id: i64,
    name: String,
    status: String,
    tags: Vec<String>,
    metrics: Vec<String>,
    muted: bool,
    out: Value,
}

fn search_hit(row: &MonitorRow, groups: &[GroupRow], now_secs: i64) -> Result<SearchHit, AppError> {
    let m = stored_json(&row.body)?;
    let silenced = stored_json(&row.silenced)?;
    let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let tags: Vec<String> = m
        .get("tags")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let def = Definition::from_body(&m).ok();
    let mut metrics: Vec<String> = Vec::new();
    let mut scopes: Vec<String> = Vec::new();
    if let Some(list) = def
        .as_ref()
        .and_then(|d| dogwatch_core::query::parse(&d.query.metric_query).ok())
    {
        for expr in &list.exprs {
            crate::evaluator::metric_names(expr, &mut |name| {
                if !metrics.iter().any(|m| m == name) {
                    metrics.push(name.to_owned());
                }
            });
            if let dogwatch_core::query::ExprKind::Metric(q) = &expr.kind {
                for item in &q.scope.items {
                    let item = item.to_string();
                    if !scopes.contains(&item) {
                        scopes.push(item);
                    }
                }
            }
        }
    }
    let muted = silenced
        .get("*")
        .is_some_and(|end| end.as_i64().is_none_or(|end| end > now_secs));
    let status = overall_state(groups).to_owned();
    let last_triggered = groups
        .iter()
        .filter(|g| !g.pending)
        .filter_map(|g| g.status.last_triggered_ms)
        .max()
        .map(|ms| ms.div_euclid(1000));
    let state_modified = groups
        .iter()
        .filter(|g| !g.pending)
        .map(|g| g.status.since_ms.div_euclid(1000))
        .max();
    let notifications: Vec<Value> = dogwatch_core::monitor::mentions(&text("message"))
        .into_iter()
        .map(|mention| {
            let handle = match mention {
                dogwatch_core::monitor::Mention::Email(a) => a,
                dogwatch_core::monitor::Mention::Webhook(n) => format!("webhook-{n}"),
                dogwatch_core::monitor::Mention::Handle(h) => h,
            };
            json!({"handle": handle, "name": handle})
        })
        .collect();
    let out = json!({
        "id": row.id,
        "name": text("name"),
        "status": status,
        "type": text("type"),
        "query": text("query"),
        "tags": tags,
        "creator": {"id": 1, "handle": "dogwatch", "name": "dogwatch"},
        "last_triggered_ts": last_triggered,
        "overall_state_modified": state_modified,
        "metrics": metrics,
        "scopes": scopes,
        "notifications": notifications,
        "classification": "metric",
        "org_id": 1,
        "priority": m.get("priority").cloned().unwrap_or(Value::Null),
        "multi": def.as_ref().is_some_and(|d| !d.query.group_by.is_empty()),
        "muted": muted,
    });
    Ok(SearchHit {
        id: row.id,
        name: text("name"),
        status,
        tags,
        metrics,
        muted,
        out,
    })
}

/// One term of a search query: free text, or a facet with the values it may take.
#[derive(Debug, PartialEq)]
enum SearchTerm {
    Text(String),
    Facet(String, Vec<String>),
}

impl SearchTerm {
    fn matches(&self, hit: &SearchHit) -> bool {
        let tags_lower = || hit.tags.iter().map(|t| t.to_lowercase());
        match self {
            SearchTerm::Text(t) => {
                hit.name.to_lowercase().contains(t.as_str())
                    || tags_lower().any(|tag| tag.contains(t.as_str()))
            }
            SearchTerm::Facet(key, values) => values.iter().any(|v| match key.as_str() {
                "status" => {
                    let squash = |s: &str| s.replace([' ', '_'], "").to_lowercase();
                    squash(v) == squash(&hit.status)
                }
                "tag" => tags_lower().any(|tag| tag == *v),
                "muted" => v.parse::<bool>() == Ok(hit.muted),
                "type" => ["metric", "query alert", "metric alert"].contains(&v.as_str()),
                "id" => v.parse::<i64>() == Ok(hit.id),
                "title" => hit.name.to_lowercase().contains(v.as_str()),
                "metric" => hit.metrics.iter().any(|m| m.eq_ignore_ascii_case(v)),
                _ => false,
            }),
        }
    }
}

const SEARCH_FACETS: [&str; 7] = ["status", "tag", "muted", "type", "id", "title", "metric"];

/// Splits a search query into terms (see [`search`]); everything lower-cased.
fn search_terms(query: &str) -> Vec<SearchTerm> {
    // Tokens: whitespace-separated, except inside double quotes or parentheses.
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut depth) = (false, 0usize);
    for c in query.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            c if c.is_whitespace() && !quoted && depth == 0 => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let unquote = |s: &str| s.trim().trim_matches('"').trim().to_lowercase();
    tokens
        .iter()
        .filter(|t| !matches!(t.as_str(), "AND" | "and"))
        .map(|token| {
            if let Some((key, value)) = token.split_once(':') {
                let key = key.trim().to_lowercase();
                if SEARCH_FACETS.contains(&key.as_str()) {
                    let value = value.trim();
                    let values = match value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) {
                        Some(inner) => inner
                            .split(" OR ")
                            .flat_map(|v| v.split(" or "))
                            .map(unquote)
                            .filter(|v| !v.is_empty())
                            .collect(),
                        None => vec![unquote(value)],
                    };
                    return SearchTerm::Facet(key, values);
                }
            }
            SearchTerm::Text(unquote(token))
        })
        .filter(|t| !matches!(t, SearchTerm::Text(s) if s.is_empty()))
        .collect()
}

pub async fn mute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MuteParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let params = mute_params(query, &headers, body).await?;
    let scope = scope_of(params.scope.as_deref())?;
    if let Some(end) = params.end
        && end <= now_ms() / 1000
    {
        return Err(AppError::BadRequest(format!(
            "end ({end}) must be a time in the future, in seconds since the epoch"
        )));
    }
    let row = find(&state, id).await?;
    let mut silenced = stored_json(&row.silenced)?;
    silenced.insert(scope, params.end.map_or(Value::Null, |e| json!(e)));
    set_silenced(&state, id, silenced).await
}

pub async fn unmute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MuteParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let params = mute_params(query, &headers, body).await?;
    let row = find(&state, id).await?;
    let mut silenced = stored_json(&row.silenced)?;
    if params.all_scopes == Some(true) {
        silenced.clear();
    } else {
        let scope = scope_of(params.scope.as_deref())?;
        if silenced.remove(&scope).is_none() && scope != "*" {
            return Err(AppError::BadRequest(format!(
                "scope `{scope}` is not muted on monitor {id}"
            )));
        }
    }
    set_silenced(&state, id, silenced).await
}

async fn set_silenced(
    state: &AppState,
    id: i64,
    silenced: Map<String, Value>,
) -> Result<Json<Value>, AppError> {
    let row = state
        .store
        .set_monitor_silenced(id, Value::Object(silenced).to_string(), now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))?;
    answer(state, &row, None).await
}

/// Mute parameters from the query string or a JSON body (datadogpy sends a body).
async fn mute_params(
    mut params: MuteParams,
    headers: &HeaderMap,
    body: Body,
) -> Result<MuteParams, AppError> {
    let bytes = read_limited(headers, body, MAX_BODY_BYTES, || {
        format!("the body is larger than {MAX_BODY_BYTES} bytes")
    })
    .await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(params);
    }
    let obj = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            return Err(AppError::BadRequest(
                "the body must be a JSON object".into(),
            ));
        }
        Err(e) => return Err(AppError::BadRequest(format!("invalid JSON body: {e}"))),
    };
    match obj.get("scope") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => params.scope = Some(s.clone()),
        Some(_) => return Err(AppError::BadRequest("scope must be a string".into())),
    }
    match obj.get("end") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)) {
            Some(e) => params.end = Some(e),
            None => {
                return Err(AppError::BadRequest(
                    "end must be a number of seconds since the epoch".into(),
                ));
            }
        },
    }
    match obj.get("all_scopes") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => params.all_scopes = Some(*b),
        Some(_) => {
            return Err(AppError::BadRequest(
                "all_scopes must be true or false".into(),
            ));
        }
    }
    Ok(params)
}

/// A mute scope: `*` (the whole monitor) when absent, else `key:value` tags joined by commas.
fn scope_of(scope: Option<&str>) -> Result<String, AppError> {
    let scope = scope
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("*");
    if scope == "*" {
        return Ok(scope.to_owned());
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in scope.split(',').map(str::trim) {
        if tag.is_empty() || tag.chars().any(char::is_whitespace) {
            return Err(AppError::BadRequest(format!(
                "scope `{scope}` must be `*` or tags such as `host:ubuntu` separated by commas"
            )));
        }
        tags.push(tag.to_lowercase());
    }
    tags.sort();
    tags.dedup();
    Ok(tags.join(","))
}

// ---- /api/v1/events and the status page ---------------------------------------------------------

#[derive(Deserialize)]
pub struct EventParams {
    start: Option<i64>,
    end: Option<i64>,
    /// dogwatch's own filter: only this monitor's events.
    monitor_id: Option<i64>,
    limit: Option<usize>,
}

pub async fn events(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<EventParams>,
) -> Result<Json<Value>, AppError> {
    let (Some(start), Some(end)) = (params.start, params.end) else {
        return Err(AppError::BadRequest(
            "start and end are required (seconds since the epoch)".into(),
        ));
    };
    if start > end {
        return Err(AppError::BadRequest(format!(
            "start ({start}) must not be after end ({end})"
        )));
    }
    let limit = params.limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS);
    let rows = state
        .store
        .events(
            start.saturating_mul(1000),
            end.saturating_mul(1000).saturating_add(999),
            params.monitor_id,
            limit,
        )
        .await
        .map_err(AppError::internal)?;
    Ok(Json(
        json!({ "events": rows.iter().map(event_out).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
pub struct HistoryParams {
    /// Seconds; the whole history when absent.
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<usize>,
}

pub async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<Value>, AppError> {
    let id = parse_id(&id)?;
    let row = find(&state, id).await?;
    let limit = params.limit.unwrap_or(MAX_EVENTS).clamp(1, MAX_EVENTS);
    let groups = state
        .store
        .monitor_groups(Some(id))
        .await
        .map_err(AppError::internal)?;
    let from_ms = params.from.map_or(0, |s| s.saturating_mul(1000));
    let to_ms = params
        .to
        .map_or(i64::MAX, |s| s.saturating_mul(1000).saturating_add(999));
    let mut transitions = state
        .store
        .events(from_ms, to_ms, Some(id), limit)
        .await
        .map_err(AppError::internal)?;
    transitions.reverse();
    let notifications = state
        .store
        .monitor_notifications(id, limit)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(json!({
        "monitor_id": id,
        "overall_state": overall_state(&groups),
        "created_ms": row.created_ms,
        "groups": groups.iter().map(|g| json!({
            "group": g.group_key,
            "state": g.status.state.as_str(),
            "since_ms": g.status.since_ms,
            "last_value": g.last_value,
            "last_data_ms": g.last_data_ms,
            "last_triggered_ms": g.status.last_triggered_ms,
            "last_notified_ms": g.status.last_notified_ms,
            "last_resolved_ms": g.last_resolved_ms,
            "first_seen_ms": g.first_seen_ms,
            // Waiting out new_group_delay: not evaluated yet, `state` means nothing.
            "pending": g.pending,
        })).collect::<Vec<_>>(),
        "transitions": transitions.iter().map(|e| &e.event).map(|e| json!({
            "ts_ms": e.ts_ms,
            "group": e.group_key,
            "transition": e.transition,
            "from": e.from_state,
            "to": e.to_state,
            "value": e.value,
            "title": e.title,
        })).collect::<Vec<_>>(),
        "notifications": notifications.iter().map(notification_out).collect::<Vec<_>>(),
    })))
}

fn event_out(row: &EventRow) -> Value {
    let e = &row.event;
    json!({
        "id": row.id,
        "id_str": row.id.to_string(),
        "title": e.title,
        "text": e.text,
        "date_happened": e.ts_ms.div_euclid(1000),
        "alert_type": e.alert_type,
        "priority": "normal",
        "source_type_name": "Monitor Alert",
        "host": null,
        "device_name": null,
        "tags": e.tags,
        "url": format!("/event/event?id={}", row.id),
        "resource": format!("/api/v1/events/{}", row.id),
        "is_aggregate": false,
        // dogwatch's own fields: what the event stream page links and colours by.
        "ts_ms": e.ts_ms,
        "monitor_id": e.monitor_id,
        "monitor_group": e.group_key,
        "transition": e.transition,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "value": e.value,
    })
}

// ---- shapes -----------------------------------------------------------------------------------------

/// Which groups `group_states` asks for: `all`, or some of `alert,warn,no data,ok`.
struct GroupStates {
    all: bool,
    states: Vec<String>,
}

impl GroupStates {
    fn parse(text: &str) -> GroupStates {
        let states: Vec<String> = text
            .split(',')
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        GroupStates {
            all: states.iter().any(|s| s == "all"),
            states,
        }
    }

    fn wants(&self, state: MonitorState) -> bool {
        self.all
            || self
                .states
                .iter()
                .any(|s| *s == state.as_str().to_lowercase())
    }
}

/// The most severe state of the evaluated groups (not those waiting out `new_group_delay`), in
/// Datadog's order (Alert, No Data, Warn, OK); a monitor without any such group yet is "No Data".
fn overall_state(groups: &[GroupRow]) -> &'static str {
    let rank = |s: MonitorState| match s {
        MonitorState::Alert => 3,
        MonitorState::NoData => 2,
        MonitorState::Warn => 1,
        MonitorState::Ok => 0,
    };
    groups
        .iter()
        .filter(|g| !g.pending)
        .map(|g| g.status.state)
        .max_by_key(|&s| rank(s))
        .unwrap_or(MonitorState::NoData)
        .as_str()
}

/// The API's answer for one monitor: `row` with its groups' states.
async fn answer(
    state: &AppState,
    row: &MonitorRow,
    group_states: Option<&GroupStates>,
) -> Result<Json<Value>, AppError> {
    let groups = state
        .store
        .monitor_groups(Some(row.id))
        .await
        .map_err(AppError::internal)?;
    Ok(Json(monitor_out(row, &groups, group_states)?))
}

fn monitor_out(
    row: &MonitorRow,
    groups: &[GroupRow],
    group_states: Option<&GroupStates>,
) -> Result<Value, AppError> {
    let mut m = stored_json(&row.body)?;
    let multi = Definition::from_body(&m).is_ok_and(|d| !d.query.group_by.is_empty());
    let silenced = Value::Object(stored_json(&row.silenced)?);
    if let Some(Value::Object(options)) = m.get_mut("options") {
        options.insert("silenced".into(), silenced);
    }
    let secs = |ms: Option<i64>| ms.map(|ms| ms.div_euclid(1000));
    let state_modified = groups.iter().map(|g| g.status.since_ms).max();
    m.insert("id".into(), json!(row.id));
    m.insert("org_id".into(), json!(1));
    m.insert(
        "creator".into(),
        json!({"email": "dogwatch@localhost", "handle": "dogwatch", "name": "dogwatch"}),
    );
    m.insert("created".into(), json!(iso8601(row.created_ms)));
    m.insert("modified".into(), json!(iso8601(row.modified_ms)));
    m.insert("deleted".into(), Value::Null);
    m.insert("restricted_roles".into(), Value::Null);
    m.insert("multi".into(), json!(multi));
    m.insert("overall_state".into(), json!(overall_state(groups)));
    m.insert(
        "overall_state_modified".into(),
        state_modified.map_or(Value::Null, |ms| json!(iso8601(ms))),
    );
    // dogwatch's own: why the last evaluation could not run the query (its groups then keep their
    // state), e.g. over the query budget; null when it ran.
    m.insert(
        "evaluation_error".into(),
        row.eval_error.as_ref().map_or(
            Value::Null,
            |message| json!({"message": message, "since": row.eval_error_ms.map(iso8601)}),
        ),
    );
    if let Some(filter) = group_states {
        let mut out = Map::new();
        for g in groups
            .iter()
            .filter(|g| !g.pending && filter.wants(g.status.state))
        {
            out.insert(
                g.group_key.clone(),
                json!({
                    "name": g.group_key,
                    "status": g.status.state.as_str(),
                    "last_triggered_ts": secs(g.status.last_triggered_ms),
                    "last_notified_ts": secs(g.status.last_notified_ms),
                    "last_resolved_ts": secs(g.last_resolved_ms),
                    "last_nodata_ts": secs(g.last_nodata_ms),
                    "triggering_value": g.last_value.map(|v| json!({"value": v})),
                }),
            );
        }
        m.insert("state".into(), json!({ "groups": out }));
    }
    Ok(Value::Object(m))
}

// ---- helpers -----------------------------------------------------------------------------------------

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Monitor {id} not found"))
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| AppError::NotFound(format!("Monitor {text} not found")))
}

async fn find(state: &AppState, id: i64) -> Result<MonitorRow, AppError> {
    state
        .store
        .monitor(id)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))
}

async fn read_json(headers: &HeaderMap, body: Body) -> Result<Map<String, Value>, AppError> {
    let bytes = read_limited(headers, body, MAX_BODY_BYTES, || {
        format!("the monitor definition is larger than {MAX_BODY_BYTES} bytes")
    })
    .await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(AppError::BadRequest(
            "the body must be a JSON object".into(),
        )),
        Err(e) => Err(AppError::BadRequest(format!("invalid JSON body: {e}"))),
    }
}

fn stored_json(text: &str) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AppError::internal("a stored monitor is not a JSON object")),
    }
}

fn csv(text: Option<&str>) -> Vec<String> {
    text.unwrap_or("")
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Whether the tag appears in the `{…}` scope of the monitor query.
fn scope_has(query: &str, tag: &str) -> bool {
    let Some(open) = query.find('{') else {
        return false;
    };
    let close = query[open..].find('}').map_or(query.len(), |i| open + i);
    query[open + 1..close]
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_filters() {
        assert_eq!(scope_of(None).ok(), Some("*".to_owned()));
        assert_eq!(
            scope_of(Some("role:db, host:A")).ok(),
            Some("host:a,role:db".to_owned())
        );
        assert!(scope_of(Some("a b")).is_err());
        assert!(scope_has("avg(last_5m):avg:m{host:a,env:x} > 1", "env:x"));
        assert!(!scope_has("avg(last_5m):avg:m{host:a} by {env} > 1", "env"));
    }

    #[test]
    fn search_terms_split_facets_quotes_and_alternatives() {
        let facet = |k: &str, v: &[&str]| {
            SearchTerm::Facet(k.into(), v.iter().map(|s| (*s).to_owned()).collect())
        };
        assert_eq!(
            search_terms(
                r#"CPU status:Alert tag:"env:prod" muted:false "high load" status:(warn OR "no data") foo:bar"#
            ),
            [
                SearchTerm::Text("cpu".into()),
                facet("status", &["alert"]),
                facet("tag", &["env:prod"]),
                facet("muted", &["false"]),
                SearchTerm::Text("high load".into()),
                facet("status", &["warn", "no data"]),
                SearchTerm::Text("foo:bar".into()),
            ]
        );
        assert!(search_terms("  ").is_empty());
    }
}
