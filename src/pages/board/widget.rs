//! One widget's content: it fetches its own queries (template variables applied) for the board's
//! window, and draws itself by type. Loading, empty and error states are said in words.

use std::sync::Arc;

use dogwatch_core::template_vars::{TemplateVar, apply};
use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{Open, QueryResponse, WidgetDefinition};
use leptos::prelude::*;

use super::heatmap::HeatmapCanvas;
use crate::api::{ApiError, ApiFuture, Backend, use_backend, use_latest};
use crate::chart::{self, ChartOptions, GraphData, QueryStyle, merge_answers};
use crate::components::timeseries::Timeseries;
use crate::pages::board::model::{Definition, FormatPalette, Kind};
use crate::pages::board::values::{self, Ranked};

/// What a widget's requests need fetched: its queries after substitution, and the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    pub queries: Vec<String>,
    pub range: TimeRange,
}

/// The queries a definition runs: each request's, then for a Change widget each one shifted by its
/// `compare_to` (`hour_before(q)`).
pub fn queries_of(def: &Definition, vars: &[TemplateVar]) -> Vec<String> {
    let present = def
        .requests
        .iter()
        .filter(|r| !r.q.trim().is_empty())
        .map(|r| apply(&r.q, vars));
    let mut out: Vec<String> = present.collect();
    if def.kind == Kind::Change {
        let past: Vec<String> = def
            .requests
            .iter()
            .filter(|r| !r.q.trim().is_empty())
            .map(|r| format!("{}({})", r.compare_to.code(), apply(&r.q, vars)))
            .collect();
        out.extend(past);
    }
    out
}

/// What a snapshot of a timeseries widget freezes: its definition as the dashboard writes it, with
/// the template variables applied to its queries (a snapshot keeps what was on screen, not the
/// board's variables) and without the requests that have no query (the widget runs none for them).
pub fn snapshot_definition(def: &Definition, vars: &[TemplateVar]) -> Open<WidgetDefinition> {
    let mut def = def.clone();
    def.requests.retain(|r| !r.q.trim().is_empty());
    for r in &mut def.requests {
        r.q = apply(&r.q, vars);
    }
    def.to_wire()
}

fn fetch_all(
    backend: &Arc<dyn Backend + Send + Sync>,
    f: &Fetch,
    abort: Option<&web_sys::AbortSignal>,
) -> ApiFuture<Vec<QueryResponse>> {
    let requests: Vec<_> = f
        .queries
        .iter()
        .map(|q| backend.query(q, f.range, abort))
        .collect();
    Box::pin(join_all(requests))
}

/// All the answers, in the requests' order, the requests running together; the first error if any.
/// (What `futures::future::join_all` does for short lists, in a few lines of our own.)
async fn join_all(requests: Vec<ApiFuture<QueryResponse>>) -> Result<Vec<QueryResponse>, ApiError> {
    let mut pending: Vec<Option<ApiFuture<QueryResponse>>> =
        requests.into_iter().map(Some).collect();
    let mut answers: Vec<Option<Result<QueryResponse, ApiError>>> =
        pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (request, answer) in pending.iter_mut().zip(answers.iter_mut()) {
            if let Some(future) = request {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(result) => {
                        *answer = Some(result);
                        *request = None;
                    }
                    std::task::Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    answers.into_iter().flatten().collect()
}

#[component]
pub fn WidgetBody(
    #[prop(into)] definition: Signal<Definition>,
    #[prop(into)] range: Signal<TimeRange>,
    #[prop(into)] vars: Signal<Vec<TemplateVar>>,
    /// Times in UTC rather than the browser's zone.
    #[prop(into)]
    utc: Signal<bool>,
    /// A window selected by dragging across a graph.
    on_zoom: Callback<TimeRange>,
) -> impl IntoView {
    let backend = use_backend();
    let kind = Memo::new(move |_| definition.with(|d| d.kind.clone()));
    let key = Memo::new(move |_| {
        let queries = definition.with(|d| vars.with(|v| queries_of(d, v)));
        (!queries.is_empty()).then(|| Fetch {
            queries,
            range: range.get(),
        })
    });
    let load = use_latest(key, move |f: &Fetch, abort| fetch_all(&backend, f, abort));
    // The latest answer for the current queries (a new window keeps the old one on screen meanwhile).
    let answer = Memo::new(move |_| {
        let current = key.get();
        load.with(|l| {
            l.value
                .as_ref()
                .filter(|(k, _)| current.as_ref().is_some_and(|c| c.queries == k.queries))
                .map(|(k, v)| (k.range, Arc::new(v.clone())))
        })
    });
    let error = Memo::new(move |_| {
        let current = key.get();
        load.with(|l| {
            l.error
                .as_ref()
                .filter(|(k, _)| Some(k) == current.as_ref())
                .map(|(_, e)| e.to_string())
        })
    });

    // A timeseries keeps one chart for its whole life: a refresh hands it new data (so its legend
    // toggles, hover and zoom survive) instead of building a new chart.
    let graph = Memo::new(move |_| {
        answer.with(|a| {
            a.as_ref().and_then(|(window, responses)| {
                merge_answers(responses).map(|r| GraphData {
                    response: Arc::new(r),
                    range: *window,
                })
            })
        })
    });
    let chart_ready = Memo::new(move |_| {
        kind.get() == Kind::Timeseries && error.with(Option::is_none) && graph.with(Option::is_some)
    });
    let options = Signal::derive(move || ChartOptions {
        utc: utc.get(),
        ..definition.with(chart_options)
    });

    move || {
        if chart_ready.get() {
            return view! { <Timeseries graph=Signal::derive(move || graph.get()) options on_zoom/> }.into_any();
        }
        if kind.get() == Kind::Note {
            let content = Signal::derive(move || definition.with(|d| d.content.clone()));
            return view! { <NoteBody content/> }.into_any();
        }
        if let Kind::Other(code) = kind.get() {
            return view! {
                <p class="state">"dogwatch cannot draw “" {code} "” widgets yet; it is kept as it came and exported unchanged."</p>
            }
            .into_any();
        }
        if key.with(Option::is_none) {
            return view! { <p class="state empty">"No query yet. Edit the widget to add one."</p> }.into_any();
        }
        if let Some(e) = error.get() {
            return view! { <p class="state error" role="alert">{e}</p> }.into_any();
        }
        let Some((window, responses)) = answer.get() else {
            return view! { <p class="state">"Loading…"</p> }.into_any();
        };
        match kind.get() {
            Kind::Timeseries => ().into_any(),
            Kind::QueryValue => query_value_view(&definition.get(), &responses).into_any(),
            Kind::Toplist => {
                let reducer =
                    definition.with(|d| d.requests.first().map(|r| r.reducer).unwrap_or_default());
                ranked_view(values::top_list(&responses, reducer, 25), None).into_any()
            }
            Kind::Change => {
                let def = definition.get();
                let n = responses.len() / 2;
                let rows = values::changes(
                    &merge_answers(&responses[..n]).unwrap_or_else(empty_response),
                    &merge_answers(&responses[n..]).unwrap_or_else(empty_response),
                );
                let relative = def.requests.first().is_some_and(|r| r.relative);
                ranked_view(rows, Some(relative)).into_any()
            }
            Kind::Heatmap => {
                let heat = values::heatmap(&responses, 12);
                match heat {
                    Some(h) => view! { <HeatmapCanvas heatmap=h range=window/> }.into_any(),
                    None => {
                        view! { <p class="state empty">"No data in this window."</p> }.into_any()
                    }
                }
            }
            Kind::Note | Kind::Other(_) => ().into_any(),
        }
    }
}

fn empty_response() -> QueryResponse {
    QueryResponse {
        status: "ok".into(),
        res_type: "time_series".into(),
        resp_version: 1,
        query: String::new(),
        from_date: 0,
        to_date: 0,
        group_by: Vec::new(),
        message: String::new(),
        series: Vec::new(),
        times: Vec::new(),
        values: Vec::new(),
    }
}

/// The chart options a timeseries definition asks for.
pub fn chart_options(def: &Definition) -> ChartOptions {
    ChartOptions {
        styles: def
            .requests
            .iter()
            .map(|r| QueryStyle {
                display: r.display,
                palette: r.palette,
            })
            .collect(),
        y_axis: def.y_axis,
        markers: def.markers.clone(),
        ..ChartOptions::default()
    }
}

fn format_palette_class(p: Option<FormatPalette>) -> String {
    p.map_or_else(
        || "qv-value".to_owned(),
        |p| format!("qv-value {}", p.code().replace('_', "-")),
    )
}

fn query_value_view(def: &Definition, responses: &[QueryResponse]) -> impl IntoView + use<> {
    let request = def.requests.first().cloned().unwrap_or_default();
    let value = responses
        .first()
        .and_then(|r| values::query_value(r, request.reducer));
    match value {
        None => view! { <p class="state empty">"No data in this window."</p> }.into_any(),
        Some(v) => {
            let text = match def.precision {
                Some(p) => format!("{v:.*}", p as usize),
                None => chart::format_value(v),
            };
            let class = format_palette_class(values::format_for(&request.conditional_formats, v));
            view! {
                <div class="query-value">
                    <span class=class data-value=v.to_string()>{text}</span>
                    <span class="qv-caption">{request.reducer.code()} " over the window"</span>
                </div>
            }
            .into_any()
        }
    }
}

fn ranked_view(rows: Vec<Ranked>, change: Option<bool>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="state empty">"No data in this window."</p> }.into_any();
    }
    let top = rows
        .iter()
        .map(|r| r.value.abs())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    view! {
        <ol class="ranked">
            {rows.into_iter().map(|r| {
                let pct = format!("{:.1}%", r.value.abs() / top * 100.0);
                let delta = change.map(|relative| {
                    let d = values::change_of(&r, relative);
                    let (class, text) = match d {
                        None => ("change none", "no past value".to_owned()),
                        Some(d) if d >= 0.0 => ("change up", format!("▲ {}{}", chart::format_value(d), if relative { "%" } else { "" })),
                        Some(d) => ("change down", format!("▼ {}{}", chart::format_value(d.abs()), if relative { "%" } else { "" })),
                    };
                    view! { <span class=class>{text}</span> }
                });
                view! {
                    <li>
                        <span class="ranked-label">{r.label.clone()}</span>
                        <span class="ranked-bar" style:width=pct></span>
                        <span class="ranked-value">{chart::format_value(r.value)}</span>
                        {delta}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// A note: its markdown rendered and sanitized by the API (pulldown-cmark, then ammonia), shown as
/// the HTML it answered — the one place user text becomes HTML.
#[component]
fn NoteBody(#[prop(into)] content: Signal<String>) -> impl IntoView {
    let backend = use_backend();
    let key = Memo::new(move |_| Some(content.get()));
    let load = use_latest(key, move |text: &String, abort| {
        backend.markdown(text, abort)
    });
    move || {
        load.with(|l| match (&l.value, &l.error) {
            (_, Some((_, e))) => view! { <p class="state error" role="alert">"This note could not be shown: " {e.to_string()}</p> }.into_any(),
            (Some((_, html)), None) => view! { <div class="note-body" inner_html=html.clone()></div> }.into_any(),
            (None, None) => view! { <p class="state">"Loading…"</p> }.into_any(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::board::model::Request;

    #[test]
    fn a_snapshot_freezes_the_queries_with_the_boards_variables_applied() {
        let mut def = Definition::new(Kind::Timeseries, None);
        def.title = "Latency by host".to_owned();
        def.requests = vec![
            Request::new(""),
            Request::new("avg:my_metric{$host} by {host}"),
        ];
        let vars = [TemplateVar {
            name: "host".to_owned(),
            prefix: Some("host".to_owned()),
            value: Some("ubuntu".to_owned()),
        }];
        let frozen = snapshot_definition(&def, &vars);
        assert_eq!(frozen.known.kind, "timeseries");
        assert_eq!(frozen.known.title.as_deref(), Some("Latency by host"));
        let queries: Vec<_> = frozen
            .known
            .requests
            .iter()
            .flatten()
            .map(|r| r.known.q.clone().unwrap_or_default())
            .collect();
        assert_eq!(queries, ["avg:my_metric{host:ubuntu} by {host}"]);
        // The board itself keeps its variable.
        assert_eq!(def.requests[1].q, "avg:my_metric{$host} by {host}");
    }
}
