//! Which monitors and which of their groups a downtime silences.
//!
//! A scope term is a tag filter of the query language (`env:prod`, `host:web-*`, a bare `env`;
//! `-env:dev` or `NOT env:dev` excludes), so a downtime's scope matches exactly the groups a
//! metric query's `{…}` with the same terms would read.

use crate::model::TagSet;
use crate::query::{self, ExprKind, Scope};

/// A v2 scope query as the terms every group must match: `env:prod AND service:web` →
/// `["env:prod", "service:web"]`. `*` (or nothing) is every group. Datadog allows no top-level
/// `OR` and dogwatch no `OR` at all (one downtime per alternative instead).
pub fn parse_scope(text: &str) -> Result<Vec<String>, String> {
    let mut terms = Vec::new();
    let mut negate = false;
    for word in text.split_whitespace() {
        match word {
            w if w.eq_ignore_ascii_case("AND") => {}
            w if w.eq_ignore_ascii_case("OR") => {
                return Err(format!(
                    "Invalid scope '{text}': OR is not supported in a downtime scope; schedule one downtime per alternative."
                ));
            }
            w if w.eq_ignore_ascii_case("NOT") => negate = true,
            w if w.contains(['(', ')']) => {
                return Err(format!(
                    "Invalid scope '{text}': parentheses are not supported in a downtime scope."
                ));
            }
            w => {
                let w = w.trim_end_matches(',');
                terms.push(if negate {
                    format!("-{w}")
                } else {
                    w.to_owned()
                });
                negate = false;
            }
        }
    }
    if negate {
        return Err(format!("Invalid scope '{text}': NOT needs a tag after it."));
    }
    if terms.is_empty() {
        terms.push("*".to_owned());
    }
    check_terms(&terms)?;
    Ok(terms)
}

/// Whether the terms are tag filters; `Err` names the first one that is not.
pub fn check_terms(terms: &[String]) -> Result<(), String> {
    to_filter(terms).map(|_| ())
}

/// Whether a group with `tags` (its own, and the exact `key:value` items of the monitor's query
/// scope) is in the downtime's scope: every term must match.
pub fn scope_matches(terms: &[String], tags: &[String]) -> bool {
    match to_filter(terms) {
        Ok(filter) => filter.matches(&TagSet::from_tags(tags)),
        // A stored scope is checked when it is saved; one that no longer reads matches nothing.
        Err(_) => false,
    }
}

/// Whether a downtime for `monitor_id` (else for every monitor carrying all `monitor_tags`;
/// `*` is every monitor) applies to the monitor `id` tagged `tags`.
pub fn monitor_matches(
    monitor_id: Option<i64>,
    monitor_tags: &[String],
    id: i64,
    tags: &[String],
) -> bool {
    match monitor_id {
        Some(wanted) => wanted == id,
        None => monitor_tags
            .iter()
            .all(|t| t == "*" || tags.iter().any(|m| m.eq_ignore_ascii_case(t))),
    }
}

/// The terms as the `{…}` of a query, read by the query language's parser.
fn to_filter(terms: &[String]) -> Result<Scope, String> {
    let items: Vec<String> = terms
        .iter()
        .map(|t| t.trim())
        .filter(|t| *t != "*")
        .map(|t| match t.strip_prefix('-') {
            Some(rest) => format!("!{rest}"),
            None => t.to_owned(),
        })
        .collect();
    let inner = if items.is_empty() {
        "*".to_owned()
    } else {
        items.join(",")
    };
    if inner.contains(['{', '}']) {
        return Err(format!("Invalid scope term in '{}'.", terms.join(",")));
    }
    let list = query::parse(&format!("downtime.scope{{{inner}}}"))
        .map_err(|e| format!("Invalid scope '{}': {e}", terms.join(",")))?;
    match list.exprs.first().map(|e| &e.kind) {
        Some(ExprKind::Metric(m)) if list.exprs.len() == 1 => Ok(m.scope.clone()),
        _ => Err(format!("Invalid scope '{}'.", terms.join(","))),
    }
}
