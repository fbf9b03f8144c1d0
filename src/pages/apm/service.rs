//! A service's page: requests and errors over the timeframe, latency percentiles over time and their
//! distribution, the share of its requests' time spent in each downstream service, its resources
//! (sortable; a row leads to the resource's page), and its database and external calls.

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{ApmService, CallRow, LatencyStats, ResourceRow, StatsBucket};
use leptos::prelude::*;

use super::state::{ApmState, bucket_graph, ms_of, per_second, percent};
use super::{ApmHead, Histogram, Shown, UrlState, resource_href, search_href, shown, use_window};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::chart::{
    ChartOptions, CrosshairSync, Display, GraphData, Palette, QueryStyle, format_duration_ns,
};
use crate::components::timeseries::Timeseries;

#[component]
pub fn ServicePage(service: String) -> impl IntoView {
    let url = UrlState::new();
    let state = url.state;
    let backend = use_backend();
    let key = use_window(state);
    let name = service.clone();
    let load = use_latest(
        key,
        move |(s, range), abort| -> ApiFuture<Arc<ApmService>> {
            let request = backend.apm_service(&name, s.service_params(*range), abort);
            Box::pin(async move { request.await.map(Arc::new) })
        },
    );
    provide_context(CrosshairSync::new());
    let title = format!("{service} · APM · dogwatch");
    Effect::new(move |_| document().set_title(&title));
    let traces = {
        let service = service.clone();
        move || state.with(|s| search_href(&service, "", s))
    };
    view! {
        <section class="page apm">
            <ApmHead url title=format!("Service: {service}")>
                <a class="button-link" href=traces>{format!("Traces of {service}")}</a>
            </ApmHead>
            <div aria-live="polite">
                {move || if let Some(v) = super::blocked(state) { v } else { match load.with(shown) {
                    Shown::Loading => view! { <p class="state loading">"Loading the service…"</p> }.into_any(),
                    Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                    Shown::Ready(answer) => service_body(answer, url).into_any(),
                }}}
            </div>
        </section>
    }
}

fn service_body(answer: Arc<ApmService>, url: UrlState) -> impl IntoView {
    let state = url.state.get_untracked();
    let s = &answer.summary;
    let range =
        TimeRange::new(answer.from_ms, answer.to_ms.max(answer.from_ms + 1)).unwrap_or(TimeRange {
            from_ms: 0,
            to_ms: 1,
        });
    let (requests, latency) = graphs(&s.buckets, answer.interval_ms, range);
    let truncated = answer.truncated.then(|| view! {
        <p class="banner">"This timeframe holds more spans than were read: the figures cover the newest ones."</p>
    });
    // The time shares and calls come from whole traces, the newest ones only.
    let (read, hits) = (answer.traces_read, s.stats.hits);
    let sampled = move || {
        (read < hits).then(|| {
            view! {
                <p class="hint">{format!("From the newest {read} traces of the timeframe.")}</p>
            }
        })
    };
    view! {
        {truncated}
        <dl class="apm-summary">
            <div><dt>"Requests"</dt><dd>{s.stats.hits}</dd></div>
            <div><dt>"Req/s"</dt><dd>{per_second(s.rate_per_s)}</dd></div>
            <div><dt>"Errors"</dt><dd>{s.stats.errors} " (" {percent(s.error_rate)} ")"</dd></div>
            <div><dt>"p50"</dt><dd>{format_duration_ns(s.stats.p50_ns)}</dd></div>
            <div><dt>"p95"</dt><dd>{format_duration_ns(s.stats.p95_ns)}</dd></div>
            <div><dt>"p99"</dt><dd>{format_duration_ns(s.stats.p99_ns)}</dd></div>
            <div><dt>"Apdex"</dt><dd>{s.apdex.map_or_else(|| "–".to_owned(), |a| format!("{a:.2}"))}</dd></div>
        </dl>
        <div class="apm-graphs">
            <div class="panel apm-graph"><h2>"Requests and errors"</h2><Timeseries graph=Signal::derive(move || Some(requests.clone())) options=requests_options()/></div>
            <div class="panel apm-graph"><h2>"Latency (ms)"</h2><Timeseries graph=Signal::derive(move || Some(latency.clone()))/></div>
            <div class="panel apm-graph"><h2>"Latency distribution"</h2><Histogram bins=answer.histogram.clone()/></div>
            <div class="panel apm-graph"><h2>"% of time by downstream service"</h2>{downstream(&answer)}{sampled()}</div>
        </div>
        <div class="panel">
            <h2>"Resources"</h2>
            <ResourcesTable answer=answer.clone() url/>
        </div>
        <div class="panel">
            <h2>"Database calls"</h2>
            {sampled()}
            {calls(answer.calls.iter().filter(|c| is_database(&c.kind)).collect(), &state)}
        </div>
        <div class="panel">
            <h2>"External calls"</h2>
            {sampled()}
            {calls(answer.calls.iter().filter(|c| !is_database(&c.kind)).collect(), &state)}
        </div>
    }
}

/// Requests and errors as bars, errors in red.
pub fn requests_options() -> ChartOptions {
    let bars = |palette| QueryStyle {
        display: Display::Bars,
        palette,
    };
    ChartOptions {
        styles: vec![bars(Palette::Classic), bars(Palette::Warm)],
        ..ChartOptions::default()
    }
}

/// Requests and errors, and the latency percentiles, as graph answers.
pub fn graphs(
    buckets: &[StatsBucket],
    interval_ms: i64,
    range: TimeRange,
) -> (GraphData, GraphData) {
    let requests = bucket_graph(
        buckets,
        interval_ms,
        range,
        &[
            ("requests", |s: &LatencyStats| Some(s.hits as f64)),
            ("errors", |s: &LatencyStats| Some(s.errors as f64)),
        ],
    );
    let latency = bucket_graph(
        buckets,
        interval_ms,
        range,
        &[
            ("p50", |s: &LatencyStats| ms_of(s, s.p50_ns)),
            ("p75", |s: &LatencyStats| ms_of(s, s.p75_ns)),
            ("p90", |s: &LatencyStats| ms_of(s, s.p90_ns)),
            ("p95", |s: &LatencyStats| ms_of(s, s.p95_ns)),
            ("p99", |s: &LatencyStats| ms_of(s, s.p99_ns)),
            ("max", |s: &LatencyStats| ms_of(s, s.max_ns)),
        ],
    );
    let data = |r| GraphData {
        response: Arc::new(r),
        range,
    };
    (data(requests), data(latency))
}

fn downstream(answer: &ApmService) -> AnyView {
    if answer.downstream.is_empty() {
        return view! { <p class="state empty">"No span in this timeframe."</p> }.into_any();
    }
    let rows = answer
        .downstream
        .iter()
        .map(|d| {
            view! {
                <tr>
                    <td>{d.service.clone()}</td>
                    <td class="muted">{d.kind.clone()}</td>
                    <td class="num">{format_duration_ns(d.exec_ns)}</td>
                    <td class="num">{percent(d.share)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="apm-table">
            <thead><tr><th>"Service"</th><th>"Type"</th><th class="num">"Exec time"</th><th class="num">"% of time"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Span types of databases and caches, as the tracers set them.
fn is_database(kind: &str) -> bool {
    matches!(
        kind,
        "sql" | "db" | "redis" | "memcached" | "cassandra" | "mongodb" | "elasticsearch" | "cache"
    )
}

fn calls(rows: Vec<&CallRow>, state: &ApmState) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="state empty">"None in this timeframe."</p> }.into_any();
    }
    let rows = rows
        .into_iter()
        .map(|c| {
            let href = resource_href(&c.service, &c.resource, state);
            let s = &c.stats;
            view! {
                <tr>
                    <td>{c.service.clone()}</td>
                    <td class="muted">{c.kind.clone()}</td>
                    <td class="resource"><a href=href>{c.resource.clone()}</a></td>
                    <td class="num">{s.hits}</td>
                    <td class="num">{format_duration_ns(s.avg_ns)}</td>
                    <td class="num">{format_duration_ns(s.p95_ns)}</td>
                    <td class="num">{s.errors}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="apm-table">
            <thead><tr>
                <th>"Service"</th><th>"Type"</th><th>"Resource"</th><th class="num">"Calls"</th>
                <th class="num">"Avg"</th><th class="num">"p95"</th><th class="num">"Errors"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// The resources table's columns: (code, heading).
const COLUMNS: [(&str, &str); 13] = [
    ("resource", "Resource"),
    ("hits", "Requests"),
    ("rate", "Req/s"),
    ("total", "Total time"),
    ("avg", "Avg"),
    ("p50", "p50"),
    ("p75", "p75"),
    ("p90", "p90"),
    ("p95", "p95"),
    ("p99", "p99"),
    ("max", "Max"),
    ("errors", "Errors"),
    ("error_rate", "Error rate"),
];

/// `rows` in the order `sort` names (a column's code, `-` first for descending; by requests,
/// most first, when empty or unknown).
pub fn sort_resources(rows: &mut [ResourceRow], sort: &str) {
    let (desc, code) = match sort.strip_prefix('-') {
        Some(code) => (true, code),
        None if sort.is_empty() => (true, "hits"),
        None => (false, sort),
    };
    let key = |r: &ResourceRow| -> f64 {
        let s = &r.stats;
        match code {
            "rate" => r.rate_per_s,
            "total" => s.total_ns as f64,
            "avg" => s.avg_ns as f64,
            "p50" => s.p50_ns as f64,
            "p75" => s.p75_ns as f64,
            "p90" => s.p90_ns as f64,
            "p95" => s.p95_ns as f64,
            "p99" => s.p99_ns as f64,
            "max" => s.max_ns as f64,
            "errors" => s.errors as f64,
            "error_rate" => r.error_rate,
            _ => s.hits as f64,
        }
    };
    if code == "resource" {
        rows.sort_by(|a, b| a.resource.cmp(&b.resource));
    } else {
        rows.sort_by(|a, b| key(a).total_cmp(&key(b)));
    }
    if desc {
        rows.reverse();
    }
}

#[component]
fn ResourcesTable(answer: Arc<ApmService>, url: UrlState) -> impl IntoView {
    let state = url.state;
    let service = answer.summary.service.clone();
    let rows = Memo::new(move |_| {
        let mut rows = answer.resources.clone();
        sort_resources(&mut rows, &state.with(|s| s.sort.clone()));
        rows
    });
    let heading = move |(code, label): (&'static str, &'static str)| {
        let sorted = move || {
            state.with(|s| match s.sort.as_str() {
                c if c == code => "ascending",
                c if c.strip_prefix('-') == Some(code) => "descending",
                "" if code == "hits" => "descending",
                _ => "none",
            })
        };
        let class = if code == "resource" { "" } else { "num" };
        view! {
            <th class=class aria-sort=sorted>
                <button type="button" class="sort" on:click=move |_| {
                    url.update(|s| {
                        s.sort = if s.sort == format!("-{code}") || (s.sort.is_empty() && code == "hits") {
                            code.to_owned()
                        } else {
                            format!("-{code}")
                        }
                    })
                }>{label}</button>
            </th>
        }
    };
    view! {
        <table class="apm-table resources-table">
            <thead><tr>{COLUMNS.into_iter().map(heading).collect_view()}</tr></thead>
            <tbody>
                {move || {
                    let current = state.get();
                    rows.get()
                        .into_iter()
                        .map(|r| {
                            let href = resource_href(&service, &r.resource, &current);
                            let s = &r.stats;
                            let errors = if s.errors > 0 { "num error-rate" } else { "num" };
                            view! {
                                <tr>
                                    <td class="resource"><a href=href>{r.resource.clone()}</a></td>
                                    <td class="num">{s.hits}</td>
                                    <td class="num">{per_second(r.rate_per_s)}</td>
                                    <td class="num">{format_duration_ns(s.total_ns)}</td>
                                    <td class="num">{format_duration_ns(s.avg_ns)}</td>
                                    <td class="num">{format_duration_ns(s.p50_ns)}</td>
                                    <td class="num">{format_duration_ns(s.p75_ns)}</td>
                                    <td class="num">{format_duration_ns(s.p90_ns)}</td>
                                    <td class="num">{format_duration_ns(s.p95_ns)}</td>
                                    <td class="num">{format_duration_ns(s.p99_ns)}</td>
                                    <td class="num">{format_duration_ns(s.max_ns)}</td>
                                    <td class="num">{s.errors}</td>
                                    <td class=errors>{percent(r.error_rate)}</td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(resource: &str, hits: u64, p99_ns: i64) -> ResourceRow {
        ResourceRow {
            resource: resource.to_owned(),
            name: "flask.request".to_owned(),
            stats: LatencyStats {
                hits,
                p99_ns,
                ..LatencyStats::default()
            },
            rate_per_s: 0.0,
            error_rate: 0.0,
        }
    }

    #[test]
    fn resources_sort_by_the_column_chosen() {
        let mut rows = vec![
            row("GET /a", 5, 30),
            row("GET /b", 9, 10),
            row("GET /c", 1, 20),
        ];
        sort_resources(&mut rows, "");
        assert_eq!(rows[0].resource, "GET /b");
        sort_resources(&mut rows, "-p99");
        assert_eq!(rows[0].resource, "GET /a");
        sort_resources(&mut rows, "p99");
        assert_eq!(rows[0].resource, "GET /b");
        sort_resources(&mut rows, "resource");
        assert_eq!(rows[2].resource, "GET /c");
    }
}
