//! Monitors, Datadog-compatible (`/api/v1/monitor` as datadogpy's `api.Monitor` calls it: create,
//! get with `group_states`, partial update, delete, list with `name`/`tags`/`monitor_tags`, mute,
//! unmute, validate). The search is in `monitor_search.rs`, events and history in `events.rs`.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use dogwatch_core::monitor::State as MonitorState;
use dogwatch_core::wire::{
    Creator, EvaluationError, GroupState, MatchingDowntime, Monitor, MonitorDeleted, MonitorGroups,
    MuteRequest, TriggeringValue,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::auth::Principal;
use crate::error::{ApiQuery, AppError, AppJson, RequestBody};
use crate::handlers::dashboards::iso8601;
use crate::handlers::{now_ms, read_limited};
use crate::monitor::{self as def, Definition};
use crate::store::{DowntimeRow, GroupRow, MonitorRow};

/// Largest monitor definition accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

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

impl RequestBody for MuteRequest {
    const MAX_BYTES: usize = MAX_BODY_BYTES;

    /// The parameters may all be in the query string.
    fn when_empty() -> Option<MuteRequest> {
        Some(MuteRequest::default())
    }
}

// ---- /api/v1/monitor -------------------------------------------------------------------------------

pub async fn create(
    State(state): State<AppState>,
    Extension(me): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Monitor>, AppError> {
    let checked = def::check(read_json(&headers, body).await?).map_err(AppError::Invalid)?;
    let row = state
        .store
        .create_monitor(Value::Object(checked).to_string(), now_ms(), me.handle)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(monitor_out(&row, &[], None)?))
}

/// Answers `{}` when the definition is valid, as Datadog does.
pub async fn validate(
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Map<String, Value>>, AppError> {
    def::check(read_json(&headers, body).await?).map_err(AppError::Invalid)?;
    Ok(Json(Map::new()))
}

pub async fn get_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<GetParams>,
) -> Result<Json<Monitor>, AppError> {
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
) -> Result<Json<Monitor>, AppError> {
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
) -> Result<Json<MonitorDeleted>, AppError> {
    let id = parse_id(&id)?;
    state
        .store
        .delete_monitor(id)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(MonitorDeleted {
        deleted_monitor_id: id,
    }))
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Vec<Monitor>>, AppError> {
    let rows = state.store.monitors().await.map_err(AppError::internal)?;
    let by_monitor = groups_by_monitor(&state).await?;
    let downtimes = state.store.downtimes().await.map_err(AppError::internal)?;
    let live = live_downtimes(&downtimes, now_ms());
    let filter = params.group_states.as_deref().map(GroupStates::parse);
    let name = params.name.as_deref().map(str::to_lowercase);
    let scope_tags = csv(params.tags.as_deref());
    let monitor_tags = csv(params.monitor_tags.as_deref());
    let mut out = Vec::new();
    for row in &rows {
        let groups = by_monitor.get(&row.id).map_or(&[][..], Vec::as_slice);
        let mut m = monitor_out(row, groups, filter.as_ref())?;
        m.matching_downtimes = matching_downtimes(&live, &m);
        let named = name
            .as_ref()
            .is_none_or(|n| m.name.to_lowercase().contains(n.as_str()));
        // `tags` filters on the query's scope, `monitor_tags` on the monitor's own tags.
        let scoped = scope_tags.iter().all(|t| scope_has(&m.query, t));
        let tagged = monitor_tags.iter().all(|t| m.tags.contains(t));
        if named && scoped && tagged {
            out.push(m);
        }
    }
    if let Some(size) = params.page_size.filter(|&s| s > 0) {
        let page = params.page.unwrap_or(0);
        out = out
            .into_iter()
            .skip(page.saturating_mul(size))
            .take(size)
            .collect();
    }
    Ok(Json(out))
}

pub async fn mute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MuteRequest>,
    AppJson(body): AppJson<MuteRequest>,
) -> Result<Json<Monitor>, AppError> {
    let id = parse_id(&id)?;
    let params = mute_params(query, body);
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
    silenced.insert(scope, params.end.map_or(Value::Null, Value::from));
    set_silenced(&state, id, silenced).await
}

pub async fn unmute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MuteRequest>,
    AppJson(body): AppJson<MuteRequest>,
) -> Result<Json<Monitor>, AppError> {
    let id = parse_id(&id)?;
    let params = mute_params(query, body);
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
) -> Result<Json<Monitor>, AppError> {
    let row = state
        .store
        .set_monitor_silenced(id, Value::Object(silenced).to_string(), now_ms())
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| not_found(id))?;
    answer(state, &row, None).await
}

/// Mute parameters from the query string, each overridden by the JSON body's (datadogpy sends a body).
fn mute_params(query: MuteRequest, body: MuteRequest) -> MuteRequest {
    MuteRequest {
        scope: body.scope.or(query.scope),
        end: body.end.or(query.end),
        all_scopes: body.all_scopes.or(query.all_scopes),
    }
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
pub(crate) fn overall_state(groups: &[GroupRow]) -> &'static str {
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

/// Every monitor's groups, by monitor id.
pub(crate) async fn groups_by_monitor(
    state: &AppState,
) -> Result<HashMap<i64, Vec<GroupRow>>, AppError> {
    let mut by_monitor: HashMap<i64, Vec<GroupRow>> = HashMap::new();
    let groups = state
        .store
        .monitor_groups(None)
        .await
        .map_err(AppError::internal)?;
    for g in groups {
        by_monitor.entry(g.monitor_id).or_default().push(g);
    }
    Ok(by_monitor)
}

/// The API's answer for one monitor: `row` with its groups' states.
async fn answer(
    state: &AppState,
    row: &MonitorRow,
    group_states: Option<&GroupStates>,
) -> Result<Json<Monitor>, AppError> {
    let groups = state
        .store
        .monitor_groups(Some(row.id))
        .await
        .map_err(AppError::internal)?;
    let downtimes = state.store.downtimes().await.map_err(AppError::internal)?;
    let mut m = monitor_out(row, &groups, group_states)?;
    m.matching_downtimes = matching_downtimes(&live_downtimes(&downtimes, now_ms()), &m);
    Ok(Json(m))
}

/// Each downtime active or still to come, with its current or next window: worked out once per
/// request (a schedule runs its rule from its first window), then matched to each monitor.
fn live_downtimes(rows: &[DowntimeRow], now: i64) -> Vec<(&DowntimeRow, MatchingDowntime)> {
    rows.iter()
        .filter_map(|r| r.record.matching(now).map(|m| (r, m)))
        .collect()
}

/// The live downtimes that apply to `m`, active ones first.
fn matching_downtimes(
    live: &[(&DowntimeRow, MatchingDowntime)],
    m: &Monitor,
) -> Vec<MatchingDowntime> {
    let mut out: Vec<MatchingDowntime> = live
        .iter()
        .filter(|(r, _)| r.record.applies_to(m.id, &m.tags))
        .map(|(_, d)| d.clone())
        .collect();
    out.sort_by_key(|d| (!d.active, d.start));
    out
}

/// The stored definition with what dogwatch knows of the monitor: ids, times, states, silences.
fn monitor_out(
    row: &MonitorRow,
    groups: &[GroupRow],
    group_states: Option<&GroupStates>,
) -> Result<Monitor, AppError> {
    let body = stored_json(&row.body)?;
    let multi = Definition::from_body(&body).is_ok_and(|d| !d.query.group_by.is_empty());
    let mut m: Monitor = serde_json::from_value(Value::Object(body)).map_err(AppError::internal)?;
    m.options.silenced = serde_json::from_str(&row.silenced).map_err(AppError::internal)?;
    let secs = |ms: Option<i64>| ms.map(|ms| ms.div_euclid(1000));
    m.id = row.id;
    m.org_id = 1;
    m.creator = match &row.creator {
        Some(c) => Creator {
            email: c.email.clone(),
            handle: c.handle.clone(),
            name: c.name.clone(),
        },
        // Made before accounts existed.
        None => Creator {
            email: "dogwatch@localhost".into(),
            handle: "dogwatch".into(),
            name: "dogwatch".into(),
        },
    };
    m.created = iso8601(row.created_ms);
    m.modified = iso8601(row.modified_ms);
    m.multi = multi;
    m.overall_state = overall_state(groups).to_owned();
    m.overall_state_modified = groups.iter().map(|g| g.status.since_ms).max().map(iso8601);
    m.evaluation_error = row.eval_error.as_ref().map(|message| EvaluationError {
        message: message.clone(),
        since: row.eval_error_ms.map(iso8601),
    });
    m.state = group_states.map(|filter| MonitorGroups {
        groups: groups
            .iter()
            .filter(|g| !g.pending && filter.wants(g.status.state))
            .map(|g| {
                let state = GroupState {
                    name: g.group_key.clone(),
                    status: g.status.state.as_str().to_owned(),
                    last_triggered_ts: secs(g.status.last_triggered_ms),
                    last_notified_ts: secs(g.status.last_notified_ms),
                    last_resolved_ts: secs(g.last_resolved_ms),
                    last_nodata_ts: secs(g.last_nodata_ms),
                    triggering_value: g.last_value.map(|value| TriggeringValue { value }),
                };
                (g.group_key.clone(), state)
            })
            .collect(),
    });
    Ok(m)
}

// ---- helpers -----------------------------------------------------------------------------------------

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Monitor {id} not found"))
}

pub(crate) fn parse_id(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| AppError::NotFound(format!("Monitor {text} not found")))
}

pub(crate) async fn find(state: &AppState, id: i64) -> Result<MonitorRow, AppError> {
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

pub(crate) fn stored_json(text: &str) -> Result<Map<String, Value>, AppError> {
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
}
