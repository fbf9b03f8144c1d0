//! The trace search: service, resource, status, a duration range and tag filters (`key:value`,
//! `*` as a wildcard) over the timeframe; the spans found drawn by duration over time, and listed.

use std::sync::Arc;

use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::TraceSearch;
use leptos::html::Canvas;
use leptos::prelude::*;

use super::resource::trace_list;
use super::{ApmHead, FilterInput, Shown, UrlState, shown, trace_href, use_window};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::chart::{self, ScatterPoint, Zone};

#[component]
pub fn TraceSearchPage() -> impl IntoView {
    let url = UrlState::new();
    let state = url.state;
    let backend = use_backend();
    let key = use_window(state);
    let load = use_latest(
        key,
        move |(s, range), abort| -> ApiFuture<Arc<TraceSearch>> {
            let request = backend.trace_search(s.search_params(*range), abort);
            Box::pin(async move { request.await.map(Arc::new) })
        },
    );
    Effect::new(|_| document().set_title("Traces · APM · dogwatch"));
    let field = move |id,
                      label,
                      placeholder,
                      get: fn(&super::ApmState) -> String,
                      set: fn(&mut super::ApmState, String)| {
        view! {
            <FilterInput id label placeholder
                value=Signal::derive(move || state.with(get))
                on_commit=Callback::new(move |v: String| url.update(|s| set(s, v)))
            />
        }
    };
    let range = Memo::new(move |_| key.with(|k| k.as_ref().map(|(_, r)| *r)));
    view! {
        <section class="page apm">
            <ApmHead url title="Traces".to_owned()/>
            <div class="panel apm-search fields">
                {field("trace-service", "Service", "any", |s| s.service.clone(), |s, v| s.service = v)}
                {field("trace-resource", "Resource", "any", |s| s.resource.clone(), |s, v| s.resource = v)}
                <div class="field">
                    <label for="trace-status">"Status"</label>
                    <select id="trace-status"
                        prop:value=move || state.with(|s| s.status.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); url.update(|s| s.status = v); }
                    >
                        <option value="">"Any"</option>
                        <option value="ok">"OK"</option>
                        <option value="error">"Error"</option>
                    </select>
                </div>
                {field("trace-min", "Min duration (ms)", "0", |s| s.min_ms.clone(), |s, v| s.min_ms = v)}
                {field("trace-max", "Max duration (ms)", "any", |s| s.max_ms.clone(), |s, v| s.max_ms = v)}
                {field("trace-tags", "Tags", "http.status_code:500, http.url:*orders*", |s| s.tags.clone(), |s, v| s.tags = v)}
            </div>
            <div class="panel" aria-live="polite">
                {move || if let Some(v) = super::blocked(state) { v } else { match load.with(shown) {
                    Shown::Loading => view! { <p class="state loading">"Searching…"</p> }.into_any(),
                    Shown::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                    Shown::Ready(found) => {
                        let Some(range) = range.get_untracked() else { return ().into_any() };
                        let truncated = found.truncated.then(|| view! {
                            <p class="banner">{format!("More spans match than the {} shown: narrow the search.", found.traces.len())}</p>
                        });
                        view! {
                            {truncated}
                            <Scatter found=found.clone() range url/>
                            {trace_list(&found.traces, &state.get_untracked())}
                        }
                        .into_any()
                    }
                }}}
            </div>
        </section>
    }
}

/// The spans found, by duration over the timeframe; a click on a point opens its trace.
#[component]
fn Scatter(found: Arc<TraceSearch>, range: TimeRange, url: UrlState) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let points: Vec<ScatterPoint> = found
        .traces
        .iter()
        .map(|h| ScatterPoint {
            ts_ms: h.start_ns / 1_000_000,
            duration_ns: h.duration_ns,
            error: h.error,
        })
        .collect();
    let show = !points.is_empty();
    let points = Arc::new(points);
    let on_click = {
        let points = points.clone();
        move |ev: web_sys::MouseEvent| {
            let Some(c) = canvas.get_untracked() else {
                return;
            };
            let size = (f64::from(c.client_width()), f64::from(c.client_height()));
            let at = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
            if let Some(i) = chart::scatter_point_at(range, &points, size, at) {
                let href = url
                    .state
                    .with_untracked(|s| trace_href(&found.traces[i].trace_id, s));
                url.go(&href);
            }
        }
    };
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let _ = chart::paint_whole(&c, |root, dpr| {
                chart::draw_scatter(root, range, &points, (63, 127, 224), Zone::Local, dpr)
                    .map_err(|e| e.to_string())
            });
        }
    });
    show.then(|| {
        view! { <canvas class="scatter" node_ref=canvas role="img" aria-label="Duration over time of the spans found; click a point to open its trace" on:click=on_click.clone()></canvas> }
    })
}
