//! `GET /api/v1/monitor/search`, as datadogpy's `api.Monitor.search` calls it.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use dogwatch_core::wire::{
    Count, MonitorSearch, SearchCounts, SearchCreator, SearchHit, SearchMention, SearchMetadata,
};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiQuery, AppError};
use crate::handlers::monitors::{groups_by_monitor, overall_state, stored_json};
use crate::handlers::now_ms;
use crate::monitor::Definition;
use crate::store::{GroupRow, MonitorRow};

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
) -> Result<Json<MonitorSearch>, AppError> {
    let terms = search_terms(params.query.as_deref().unwrap_or(""));
    let (sort_key, descending) = params.order()?;
    let per_page = params
        .per_page
        .unwrap_or(SEARCH_PER_PAGE)
        .clamp(1, SEARCH_MAX_PER_PAGE);
    let page = params.page.unwrap_or(0);

    let mut found = matching(&state, &terms).await?;
    sort(&mut found, &sort_key, descending);
    let total = found.len();
    let counts = facet_counts(&found);
    let monitors = found
        .into_iter()
        .skip(page.saturating_mul(per_page))
        .take(per_page)
        .map(|h| h.out)
        .collect();
    let metadata = SearchMetadata {
        page,
        per_page,
        page_count: total.div_ceil(per_page),
        total_count: total,
    };
    Ok(Json(MonitorSearch {
        monitors,
        metadata,
        counts,
    }))
}

/// Every monitor that all `terms` match.
async fn matching(state: &AppState, terms: &[SearchTerm]) -> Result<Vec<Found>, AppError> {
    let rows = state.store.monitors().await.map_err(AppError::internal)?;
    let by_monitor = groups_by_monitor(state).await?;
    let now_secs = now_ms().div_euclid(1000);
    let mut found = Vec::new();
    for row in &rows {
        let groups = by_monitor.get(&row.id).map_or(&[][..], Vec::as_slice);
        let hit = search_hit(row, groups, now_secs)?;
        if terms.iter().all(|t| t.matches(&hit)) {
            found.push(hit);
        }
    }
    Ok(found)
}

impl SearchParams {
    /// `sort` as (key, descending).
    fn order(&self) -> Result<(String, bool), AppError> {
        let Some(text) = self
            .sort
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(("name".to_owned(), false));
        };
        let (key, dir) = text.split_once(',').unwrap_or((text, "asc"));
        let key = key.trim().to_lowercase();
        if !["name", "status", "id", "tags"].contains(&key.as_str()) {
            return Err(AppError::BadRequest(format!(
                "sort `{text}` must be name, status, id or tags, optionally followed by ,asc or ,desc"
            )));
        }
        match dir.trim().to_lowercase().as_str() {
            "asc" => Ok((key, false)),
            "desc" => Ok((key, true)),
            _ => Err(AppError::BadRequest(format!(
                "sort `{text}`: the direction must be asc or desc"
            ))),
        }
    }
}

/// Sorts by `key` (`status` by severity, Alert first), ties broken by id.
fn sort(found: &mut [Found], key: &str, descending: bool) {
    let severity = |s: &str| match s {
        "Alert" => 0,
        "Warn" => 1,
        "No Data" => 2,
        _ => 3,
    };
    found.sort_by(|a, b| {
        let order = match key {
            "status" => severity(&a.status).cmp(&severity(b.status.as_str())),
            "id" => a.id.cmp(&b.id),
            "tags" => a.tags.cmp(&b.tags),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        };
        let order = if descending { order.reverse() } else { order };
        order.then(a.id.cmp(&b.id))
    });
}

/// How many matches have each status, muted value and tag, most frequent first.
fn facet_counts(found: &[Found]) -> SearchCounts {
    let mut status: HashMap<String, usize> = HashMap::new();
    let mut muted: HashMap<bool, usize> = HashMap::new();
    let mut tags: HashMap<String, usize> = HashMap::new();
    for hit in found {
        *status.entry(hit.status.clone()).or_default() += 1;
        *muted.entry(hit.muted).or_default() += 1;
        for tag in &hit.tags {
            *tags.entry(tag.clone()).or_default() += 1;
        }
    }
    fn counts<K: Ord>(map: HashMap<K, usize>) -> Vec<Count<K>> {
        let mut v: Vec<Count<K>> = map
            .into_iter()
            .map(|(name, count)| Count { name, count })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        v
    }
    // Every dogwatch monitor is a metric monitor.
    let kind = match found.len() {
        0 => Vec::new(),
        total => vec![Count {
            name: "metric".to_owned(),
            count: total,
        }],
    };
    SearchCounts {
        status: counts(status),
        muted: counts(muted),
        tag: counts(tags),
        kind,
    }
}

/// One monitor as the search sees and shows it.
struct Found {
    id: i64,
    name: String,
    status: String,
    tags: Vec<String>,
    metrics: Vec<String>,
    muted: bool,
    out: SearchHit,
}

fn search_hit(row: &MonitorRow, groups: &[GroupRow], now_secs: i64) -> Result<Found, AppError> {
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
    let notifications = dogwatch_core::monitor::mentions(&text("message"))
        .into_iter()
        .map(|mention| {
            let handle = match mention {
                dogwatch_core::monitor::Mention::Email(a) => a,
                dogwatch_core::monitor::Mention::Webhook(n) => format!("webhook-{n}"),
                dogwatch_core::monitor::Mention::Handle(h) => h,
            };
            SearchMention {
                name: handle.clone(),
                handle,
            }
        })
        .collect();
    let out = SearchHit {
        id: row.id,
        name: text("name"),
        status: status.clone(),
        kind: text("type"),
        query: text("query"),
        tags: tags.clone(),
        creator: match &row.creator {
            Some(c) => SearchCreator {
                id: 1,
                handle: c.handle.clone(),
                name: c.name.clone(),
            },
            // Made before accounts existed.
            None => SearchCreator {
                id: 1,
                handle: "dogwatch".into(),
                name: "dogwatch".into(),
            },
        },
        last_triggered_ts: last_triggered,
        overall_state_modified: state_modified,
        metrics: metrics.clone(),
        scopes,
        notifications,
        classification: "metric".into(),
        org_id: 1,
        priority: m.get("priority").and_then(Value::as_i64),
        multi: def.as_ref().is_some_and(|d| !d.query.group_by.is_empty()),
        muted,
    };
    Ok(Found {
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
    fn matches(&self, hit: &Found) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
