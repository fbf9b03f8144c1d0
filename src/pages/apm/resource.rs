//! A resource's page (one endpoint or query of a service): its requests, errors and latency over
//! the timeframe, its latency histogram, the span summary (which spans its traces hold) and its
//! slowest traces, each leading to the trace view.

mod compare;

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{ApmResource, TraceHit};
use leptos::prelude::*;

use super::service::{graphs, requests_options};
use super::state::{ApmState, per_second, percent};
use super::{
    ApmHead, Histogram, Shown, UrlState, search_href, service_href, shown, trace_href, use_window,
};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::chart::{CrosshairSync, Zone, format_duration_ns, time_of_day};
use crate::components::timeseries::Timeseries;
use compare::{ComparePanel, VersionBar};

#[component]
pub fn ResourcePage() -> impl IntoView {
    let url = UrlState::new();
    let state = url.state;
    let backend = use_backend();
    let key = use_window(state);
    let load = use_latest(key, {
        let backend = backend.clone();
        move |(s, range), abort| -> ApiFuture<Arc<ApmResource>> {
            let request = backend.apm_resource(s.resource_params(*range), abort);
            Box::pin(async move { request.await.map(Arc::new) })
        }
    });
    // The version compared with the one shown, asked for beside it.
    let compare_key = Memo::new(move |_| key.get().filter(|(s, _)| !s.compare.is_empty()));
    let compared = use_latest(
        compare_key,
        move |(s, range), abort| -> ApiFuture<Arc<ApmResource>> {
            let request = backend.apm_resource(s.compare_params(*range), abort);
            Box::pin(async move { request.await.map(Arc::new) })
        },
    );
    provide_context(CrosshairSync::new());
    Effect::new(move |_| {
        let title = state.with(|s| format!("{} · {} · APM · dogwatch", s.resource, s.service));
        document().set_title(&title);
    });
    let title = Signal::derive(move || state.with(|s| format!("Resource: {}", s.resource)));
    let service_link = move || {
        state.with(|s| view! { <a class="button-link" href=service_href(&s.service, s)>{format!("Service {}", s.service)}</a> })
    };
    let traces_link = move || state.with(|s| search_href(&s.service, &s.resource, s));
    view! {
        <section class="page apm">
            <ApmHead url title>
                {service_link}
                <a class="button-link" href=traces_link>"Traces of this resource"</a>
            </ApmHead>
            <div aria-live="polite">
                {move || {
                    if state.with(|s| s.service.is_empty() || s.resource.is_empty()) {
                        return view! { <p class="state error" role="alert">"This link names no service or no resource: open a resource from its service's page."</p> }.into_any();
                    }
                    if let Some(v) = super::blocked(state) {
                        return v;
                    }
                    match load.with(shown) {
                        Shown::Loading => view! { <p class="state loading">"Loading the resource…"</p> }.into_any(),
                        Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                        Shown::Ready(answer) => {
                            let main = answer.clone();
                            let comparison = move || {
                                if state.with(|s| s.compare.is_empty()) {
                                    return ().into_any();
                                }
                                match compared.with(shown) {
                                    Shown::Loading => view! { <p class="state loading">"Loading the other version…"</p> }.into_any(),
                                    Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                                    Shown::Ready(other) => view! { <ComparePanel main=main.clone() other/> }.into_any(),
                                }
                            };
                            view! {
                                <VersionBar versions=answer.versions.clone() url/>
                                {comparison}
                                {resource_body(answer, &state.get_untracked())}
                            }
                            .into_any()
                        }
                    }
                }}
            </div>
        </section>
    }
}

fn resource_body(answer: Arc<ApmResource>, state: &ApmState) -> impl IntoView + use<> {
    let r = &answer.summary;
    let range =
        TimeRange::new(answer.from_ms, answer.to_ms.max(answer.from_ms + 1)).unwrap_or(TimeRange {
            from_ms: 0,
            to_ms: 1,
        });
    let (requests, latency) = graphs(&answer.buckets, answer.interval_ms, range);
    let summary = answer
        .span_summary
        .iter()
        .map(|row| {
            view! {
                <tr>
                    <td>{row.service.clone()}</td>
                    <td>{row.name.clone()}</td>
                    <td class="num">{format!("{:.2}", row.avg_spans_per_trace)}</td>
                    <td class="num">{percent(row.trace_share)}</td>
                    <td class="num">{format_duration_ns(row.avg_duration_ns)}</td>
                    <td class="num">{percent(row.exec_share)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="apm-summary">
            <div><dt>"Requests"</dt><dd>{r.stats.hits}</dd></div>
            <div><dt>"Req/s"</dt><dd>{per_second(r.rate_per_s)}</dd></div>
            <div><dt>"Errors"</dt><dd>{r.stats.errors} " (" {percent(r.error_rate)} ")"</dd></div>
            <div><dt>"Avg"</dt><dd>{format_duration_ns(r.stats.avg_ns)}</dd></div>
            <div><dt>"p50"</dt><dd>{format_duration_ns(r.stats.p50_ns)}</dd></div>
            <div><dt>"p99"</dt><dd>{format_duration_ns(r.stats.p99_ns)}</dd></div>
            <div><dt>"Max"</dt><dd>{format_duration_ns(r.stats.max_ns)}</dd></div>
        </dl>
        <div class="apm-graphs">
            <div class="panel apm-graph"><h2>"Requests and errors"</h2><Timeseries graph=Signal::derive(move || Some(requests.clone())) options=requests_options()/></div>
            <div class="panel apm-graph"><h2>"Latency (ms)"</h2><Timeseries graph=Signal::derive(move || Some(latency.clone()))/></div>
            <div class="panel apm-graph"><h2>"Latency histogram"</h2><Histogram bins=answer.histogram.clone()/></div>
        </div>
        <div class="panel">
            <h2>"Span summary"</h2>
            <table class="apm-table">
                <thead><tr>
                    <th>"Service"</th><th>"Span"</th><th class="num">"Avg spans per trace"</th>
                    <th class="num">"% of traces"</th><th class="num">"Avg duration"</th><th class="num">"% exec time"</th>
                </tr></thead>
                <tbody>{summary}</tbody>
            </table>
        </div>
        <div class="panel">
            <h2>"Slowest traces"</h2>
            {trace_list(&answer.traces, state)}
        </div>
    }
}

/// Traces as a table: when, which service and resource, how long, the status; a row's link opens
/// the trace.
pub fn trace_list(hits: &[TraceHit], state: &ApmState) -> AnyView {
    if hits.is_empty() {
        return view! { <p class="state empty">"No trace in this timeframe."</p> }.into_any();
    }
    let rows = hits
        .iter()
        .map(|h| {
            let href = trace_href(&h.trace_id, state);
            let status = match (&h.status_code, h.error) {
                (Some(code), _) => code.clone(),
                (None, true) => "error".to_owned(),
                (None, false) => "ok".to_owned(),
            };
            let class = if h.error {
                "trace-row error"
            } else {
                "trace-row"
            };
            view! {
                <tr class=class>
                    <td><a href=href>{time_of_day(h.start_ns / 1_000_000, Zone::Local)}</a></td>
                    <td>{h.service.clone()}</td>
                    <td class="resource">{h.resource.clone()}</td>
                    <td class="num">{format_duration_ns(h.duration_ns)}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="apm-table traces-table">
            <thead><tr><th>"Date"</th><th>"Service"</th><th>"Resource"</th><th class="num">"Duration"</th><th>"Status"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
