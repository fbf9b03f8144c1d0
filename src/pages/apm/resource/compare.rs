//! Two versions of a resource side by side (the tracer's `version` tag, so one deploy against
//! another): the version pickers, and each version's requests, error rate and latency with the
//! difference, and their latency histograms.

use std::sync::Arc;

use dogwatch_core::wire::{ApmResource, LatencyStats};
use leptos::prelude::*;

use super::super::state::percent;
use super::super::{Histogram, UrlState};
use crate::chart::format_duration_ns;

/// The version shown and the one compared with it; nothing when no request carried a version.
#[component]
pub fn VersionBar(versions: Vec<String>, url: UrlState) -> impl IntoView {
    let state = url.state;
    if versions.is_empty() {
        return ().into_any();
    }
    let options = move |current: String, none: &'static str| {
        let mut all = versions.clone();
        if !current.is_empty() && !all.contains(&current) {
            all.push(current.clone());
        }
        view! {
            <option value="" selected=current.is_empty()>{none}</option>
            {all.into_iter().map(|v| {
                let selected = v == current;
                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
            }).collect_view()}
        }
    };
    let (version, compare) = state.with_untracked(|s| (s.version.clone(), s.compare.clone()));
    view! {
        <div class="panel apm-filters version-bar">
            <div class="field">
                <label for="resource-version">"Version"</label>
                <select id="resource-version" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    url.update(|s| s.version = v);
                }>{options.clone()(version, "Every version")}</select>
            </div>
            <div class="field">
                <label for="resource-compare">"Compare with"</label>
                <select id="resource-compare" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    url.update(|s| s.compare = v);
                }>{options(compare, "Nothing")}</select>
            </div>
        </div>
    }
    .into_any()
}

/// `b` against `a`: `+12 ms (+30 %)`, `−3 ms (−5 %)`, or `same`.
pub fn delta(a_ns: i64, b_ns: i64) -> String {
    let d = b_ns - a_ns;
    if d == 0 {
        return "same".to_owned();
    }
    let sign = if d > 0 { "+" } else { "−" };
    let size = format_duration_ns(d.abs());
    if a_ns > 0 {
        let pct = (d as f64 / a_ns as f64 * 100.0).abs();
        format!("{sign}{size} ({sign}{pct:.0} %)")
    } else {
        format!("{sign}{size}")
    }
}

/// A figure of a set of requests' latency.
type Figure = fn(&LatencyStats) -> i64;

/// The figures compared, by name.
const FIGURES: [(&str, Figure); 6] = [
    ("Avg", |s| s.avg_ns),
    ("p50", |s| s.p50_ns),
    ("p90", |s| s.p90_ns),
    ("p95", |s| s.p95_ns),
    ("p99", |s| s.p99_ns),
    ("Max", |s| s.max_ns),
];

#[component]
pub fn ComparePanel(main: Arc<ApmResource>, other: Arc<ApmResource>) -> impl IntoView {
    let name = |r: &ApmResource| {
        r.version
            .clone()
            .map_or_else(|| "every version".to_owned(), |v| format!("version {v}"))
    };
    let (a, b) = (&main.summary, &other.summary);
    let rows = FIGURES
        .iter()
        .map(|(label, figure)| {
            let (x, y) = (figure(&a.stats), figure(&b.stats));
            let class = if y > x { "num worse" } else { "num" };
            view! {
                <tr>
                    <th>{*label}</th>
                    <td class="num">{format_duration_ns(x)}</td>
                    <td class="num">{format_duration_ns(y)}</td>
                    <td class=class>{delta(x, y)}</td>
                </tr>
            }
        })
        .collect_view();
    let (name_a, name_b) = (name(&main), name(&other));
    view! {
        <div class="panel compare-panel">
            <h2>{format!("{name_a} and {name_b}")}</h2>
            <table class="apm-table">
                <thead><tr>
                    <th></th><th class="num">{name_a.clone()}</th><th class="num">{name_b.clone()}</th><th class="num">"Difference"</th>
                </tr></thead>
                <tbody>
                    <tr><th>"Requests"</th><td class="num">{a.stats.hits}</td><td class="num">{b.stats.hits}</td><td></td></tr>
                    <tr><th>"Error rate"</th><td class="num">{percent(a.error_rate)}</td><td class="num">{percent(b.error_rate)}</td><td></td></tr>
                    {rows}
                </tbody>
            </table>
            <div class="apm-graphs">
                <div><h3>{format!("Latency of {name_a}")}</h3><Histogram bins=main.histogram.clone()/></div>
                <div><h3>{format!("Latency of {name_b}")}</h3><Histogram bins=other.histogram.clone()/></div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_in_words() {
        assert_eq!(delta(40_000_000, 52_000_000), "+12 ms (+30 %)");
        assert_eq!(delta(40_000_000, 38_000_000), "−2 ms (−5 %)");
        assert_eq!(delta(5, 5), "same");
        assert_eq!(delta(0, 1_000), "+1 µs");
    }
}
