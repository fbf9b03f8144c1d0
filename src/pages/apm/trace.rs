//! One trace: its root's service and resource, id, duration and start; the minimap and zoom; the
//! flame graph and the waterfall (`canvases`, drawn by the chart crate, rows virtualised); the
//! span list by service with exec time; and the panel of the span clicked, with every tag as
//! text, its SQL in lines, its error, and a link to its host's metrics over the trace's window.

mod canvases;
pub mod model;

use std::sync::Arc;

use dogwatch_core::timeframe::{TimeRange, Timeframe};
use dogwatch_core::wire::TraceSpan;
use leptos::prelude::*;

use super::compare::compare_href;
use super::state::percent;
use super::{ApmHead, Shown, UrlState, service_href, shown};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::chart::{Window, Zone, css, format_duration_ns, format_value, time_of_day};
use crate::pages::explorer;
use crate::pages::explorer::state::ExplorerState;
use canvases::{Flame, Minimap, TraceView, Waterfall};
use model::{TraceModel, error_of, host_of, sql_lines, sql_of};

/// How much of the host's metrics around the trace the link shows, each side.
const HOST_MARGIN_MS: i64 = 15 * 60 * 1000;

#[component]
pub fn TracePage(id: String) -> impl IntoView {
    let url = UrlState::new();
    let backend = use_backend();
    let key = Memo::new({
        let id = id.clone();
        move |_| Some(id.clone())
    });
    let load = use_latest(
        key,
        move |id: &String, abort| -> ApiFuture<Arc<TraceModel>> {
            let request = backend.trace(id, abort);
            Box::pin(async move { request.await.map(|t| Arc::new(TraceModel::of(t))) })
        },
    );
    let title = format!("Trace {id} · APM · dogwatch");
    Effect::new(move |_| document().set_title(&title));
    view! {
        <section class="page apm trace-page">
            <ApmHead url title=format!("Trace {id}")/>
            <div aria-live="polite">
                {move || match load.with(shown) {
                    Shown::Loading => view! { <p class="state loading">"Loading the trace…"</p> }.into_any(),
                    Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                    Shown::Ready(model) if model.trace.spans.is_empty() => {
                        view! { <p class="state empty">"This trace has no span."</p> }.into_any()
                    }
                    Shown::Ready(model) => view! { <TraceBody model url/> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn TraceBody(model: Arc<TraceModel>, url: UrlState) -> impl IntoView {
    let whole = model.whole;
    let view = TraceView {
        model: StoredValue::new(model.clone()),
        window: RwSignal::new(whole),
        selected: RwSignal::new(None),
    };
    let window = view.window;
    let zoom = move |factor: f64| {
        window.update(|w| {
            let center = w.from_ns + w.duration_ns() / 2;
            *w = w.zoom(factor, center, whole);
        })
    };
    let shown_words = move || {
        let w = window.get();
        if w == whole {
            "the whole trace".to_owned()
        } else {
            format!(
                "{} to {} of {}",
                format_duration_ns(w.from_ns - whole.from_ns),
                format_duration_ns(w.to_ns - whole.from_ns),
                format_duration_ns(whole.duration_ns())
            )
        }
    };
    let trace_id = model.trace.trace_id.clone();
    let compare_with = move |ev: leptos::ev::Event| {
        let other = event_target_value(&ev).trim().to_owned();
        if !other.is_empty() {
            url.go(&compare_href(&trace_id, &other, &url.state.get_untracked()));
        }
    };
    view! {
        {header(&model, &url.state.get_untracked())}
        <div class="apm-filters compare-with">
            <div class="field">
                <label for="compare-with">"Compare with trace"</label>
                <input id="compare-with" type="text" placeholder="another trace's id" on:change=compare_with/>
            </div>
        </div>
        <div class="panel trace-pictures">
            <div class="trace-zoom" role="group" aria-label="Zoom">
                <button type="button" title="Zoom in" on:click=move |_| zoom(0.5)>"+"</button>
                <button type="button" title="Zoom out" on:click=move |_| zoom(2.0)>"−"</button>
                <button type="button" on:click=move |_| window.set(whole)>"Whole trace"</button>
                <span class="muted">"Showing " {shown_words} ". Drag across a picture or the minimap to zoom."</span>
            </div>
            <Minimap view/>
            <h2>"Flame graph"</h2>
            <Flame view/>
            <h2>"Waterfall"</h2>
            <Waterfall view/>
        </div>
        <div class="trace-lower">
            <div class="panel">
                <h2>"Spans by service"</h2>
                {by_service(&model)}
            </div>
            <SpanPanel view/>
        </div>
    }
}

fn header(model: &TraceModel, state: &super::state::ApmState) -> impl IntoView + use<> {
    let root = model.root().cloned();
    let whole = model.whole;
    let errors = model.trace.spans.iter().filter(|s| s.error).count();
    root.map(|root| {
        let href = service_href(&root.service, state);
        view! {
            <dl class="apm-summary">
                <div><dt>"Service"</dt><dd><a href=href>{root.service.clone()}</a></dd></div>
                <div><dt>"Resource"</dt><dd class="resource">{root.resource.clone()}</dd></div>
                <div><dt>"Duration"</dt><dd>{format_duration_ns(whole.duration_ns())}</dd></div>
                <div><dt>"Start"</dt><dd>{time_of_day(whole.from_ns / 1_000_000, Zone::Local)}</dd></div>
                <div><dt>"Spans"</dt><dd>{model.trace.spans.len()}</dd></div>
                <div><dt>"Errors"</dt><dd>{errors}</dd></div>
            </dl>
        }
    })
}

fn by_service(model: &TraceModel) -> impl IntoView + use<> {
    let rows = model
        .services_by_exec()
        .into_iter()
        .map(|p| {
            let avg = p.total_ns / (p.spans.max(1) as i64);
            view! {
                <tr>
                    <td><span class="swatch" style:background-color=css(p.color)></span>{p.service.clone()}</td>
                    <td class="num">{p.spans}</td>
                    <td class="num">{format_duration_ns(avg)}</td>
                    <td class="num">{format_duration_ns(p.exec_ns)}</td>
                    <td class="num">{percent(p.share)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="apm-table by-service">
            <thead><tr>
                <th>"Service"</th><th class="num">"Spans"</th><th class="num">"Avg duration"</th>
                <th class="num">"Exec time"</th><th class="num">"% exec time"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn SpanPanel(view: TraceView) -> impl IntoView {
    let TraceView {
        model, selected, ..
    } = view;
    move || {
        let Some(i) = selected.get() else {
            return view! {
                <div class="panel span-panel"><p class="state idle">"Click a span in the flame graph or the waterfall to see its tags."</p></div>
            }
            .into_any();
        };
        model.with_value(|m| {
            let span = m.trace.spans[i].clone();
            let offset_ns = span.start_ns - m.whole.from_ns;
            span_details(span, offset_ns, m.exec_ns[i], m.whole).into_any()
        })
    }
}

fn span_details(span: TraceSpan, offset_ns: i64, exec_ns: i64, whole: Window) -> impl IntoView {
    let sql = sql_of(&span).map(sql_lines);
    let error = error_of(&span).map(|(kind, message, stack)| {
        view! {
            <div class="span-error" role="note">
                <h3>"Error"</h3>
                {(!kind.is_empty()).then(|| view! { <p><strong>"Type: "</strong>{kind}</p> })}
                {(!message.is_empty()).then(|| view! { <p><strong>"Message: "</strong>{message}</p> })}
                {(!stack.is_empty()).then(|| view! { <pre class="stack">{stack}</pre> })}
            </div>
        }
    });
    let host = host_of(&span).map(|h| {
        let range = TimeRange::new(
            whole.from_ns / 1_000_000 - HOST_MARGIN_MS,
            whole.to_ns / 1_000_000 + HOST_MARGIN_MS,
        );
        let state = ExplorerState {
            metric: "system.cpu.user".to_owned(),
            scope: vec![format!("host:{h}")],
            timeframe: range.map_or_else(Timeframe::default, Timeframe::zoomed),
            ..ExplorerState::default()
        };
        let href = format!("{}?{}", explorer::PATH, state.to_search());
        view! { <a class="button-link host-link" href=href>"Host metrics: " {h.to_owned()}</a> }
    });
    let tags = span
        .meta
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .chain(
            span.metrics
                .iter()
                .map(|(k, v)| (k.clone(), format_value(*v))),
        )
        .map(|(k, v)| view! { <tr><th>{k}</th><td>{v}</td></tr> })
        .collect_view();
    view! {
        <div class="panel span-panel">
            <h2>{span.service.clone()} " · " {span.name.clone()}</h2>
            {match sql {
                Some(sql) => view! { <pre class="sql">{sql}</pre> }.into_any(),
                None => view! { <p class="resource">{span.resource.clone()}</p> }.into_any(),
            }}
            <dl class="apm-summary">
                <div><dt>"Duration"</dt><dd>{format_duration_ns(span.duration_ns)}</dd></div>
                <div><dt>"Exec time"</dt><dd>{format_duration_ns(exec_ns)}</dd></div>
                <div><dt>"Starts at"</dt><dd>{format!("+{}", format_duration_ns(offset_ns))}</dd></div>
                <div><dt>"Type"</dt><dd>{span.kind.clone()}</dd></div>
                <div><dt>"Span id"</dt><dd>{span.span_id.clone()}</dd></div>
            </dl>
            {error}
            {host}
            <h3>"Tags"</h3>
            <table class="apm-table tags-table"><tbody>{tags}</tbody></table>
        </div>
    }
}
