//! APM: the services list (`services`), a service's page (`service`), a resource's (`resource`),
//! the trace search (`search`), one trace (`trace`) and two traces compared (`compare`). Every page keeps its timeframe and filters
//! in the URL (`state`); what they share is here: that state as signals, the page head with the
//! timeframe picker, the small canvases (sparkline, histogram) and links between the pages.

pub mod compare;
pub mod resource;
pub mod search;
pub mod service;
pub mod services;
pub mod state;
pub mod trace;

use std::sync::Arc;

use dogwatch_core::timeframe::{Span, TimeRange, Timeframe};
use dogwatch_core::wire::HistogramBin;
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{ApiError, Load};
use crate::app::Navigate;
use crate::chart::{self, Rgb};
use crate::components::timeframe_picker::TimeframePicker;
use crate::pages::explorer::use_ticks;
use state::{ApmState, path_segment};

/// The services list, where the APM section opens.
pub const PATH: &str = "/apm/services";
pub const TRACES_PATH: &str = "/apm/traces";
pub const RESOURCE_PATH: &str = "/apm/resource";

/// The colour of requests in the pages' small graphs, and of errors.
const REQUESTS: Rgb = (63, 127, 224);

/// A page's state in the URL: read it, or change it (which navigates, keeping the page).
#[derive(Clone, Copy)]
pub struct UrlState {
    pub state: Memo<ApmState>,
    navigate: Navigate,
}

impl UrlState {
    pub fn new() -> UrlState {
        let query = use_query_map();
        let state = Memo::new(move |_| query.with(|q| ApmState::from_params(|k| q.get(k))));
        UrlState {
            state,
            navigate: Navigate::here(),
        }
    }

    /// Changes the state: a new history entry on this page, so Back undoes it.
    pub fn update(&self, change: impl FnOnce(&mut ApmState)) {
        let current = self.state.get_untracked();
        let mut next = current.clone();
        change(&mut next);
        if next != current {
            let path = window().location().pathname().unwrap_or_default();
            self.navigate.view(&format!("{path}?{}", next.to_search()));
        }
    }

    /// Goes to another page.
    pub fn go(&self, url: &str) {
        self.navigate.go(url);
    }
}

/// The state and the window it asks about, again at every refresh while live; `None` while a
/// filter is wrong (the page says what).
pub fn use_window(state: Memo<ApmState>) -> Memo<Option<(ApmState, TimeRange)>> {
    let tick = use_ticks(Memo::new(move |_| {
        state.with(|s| s.timeframe.refresh_period_ms())
    }));
    Memo::new(move |_| {
        tick.track();
        let s = state.get();
        if s.problem().is_some() {
            return None;
        }
        let range = s.timeframe.range(js_sys::Date::now() as i64);
        Some((s, range))
    })
}

/// What a page shows of its latest request.
pub enum Shown<T> {
    Loading,
    Failed(String),
    Ready(T),
}

/// What a page shows while a filter is wrong (nothing is asked; the head says what is wrong).
pub fn blocked(state: Memo<ApmState>) -> Option<AnyView> {
    state.with(ApmState::problem).map(|_| {
        view! { <p class="state">"Fix the filter above to see the figures."</p> }.into_any()
    })
}

/// The last answer (kept through a refresh), or the last failure, or loading.
pub fn shown<K, T: Clone>(load: &Load<K, Arc<T>>) -> Shown<Arc<T>> {
    match (&load.error, &load.value) {
        (Some((_, e)), _) if *e != ApiError::Aborted => Shown::Failed(failure(e)),
        (_, Some((_, v))) => Shown::Ready(v.clone()),
        _ => Shown::Loading,
    }
}

/// An API failure in words; a 404 from the APM routes names what was not found.
fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Rejected {
            status: 404,
            message,
        } => {
            format!("Not found: {message}")
        }
        e => e.to_string(),
    }
}

/// The link to a service's page, keeping the timeframe and env.
pub fn service_href(service: &str, state: &ApmState) -> String {
    let keep = ApmState {
        timeframe: state.timeframe,
        env: state.env.clone(),
        apdex_t: state.apdex_t.clone(),
        ..ApmState::default()
    };
    format!("{PATH}/{}?{}", path_segment(service), keep.to_search())
}

/// The link to a resource's page.
pub fn resource_href(service: &str, resource: &str, state: &ApmState) -> String {
    let keep = ApmState {
        timeframe: state.timeframe,
        env: state.env.clone(),
        service: service.to_owned(),
        resource: resource.to_owned(),
        ..ApmState::default()
    };
    format!("{RESOURCE_PATH}?{}", keep.to_search())
}

/// The link to the trace search with these filters.
pub fn search_href(service: &str, resource: &str, state: &ApmState) -> String {
    let keep = ApmState {
        timeframe: state.timeframe,
        service: service.to_owned(),
        resource: resource.to_owned(),
        ..ApmState::default()
    };
    format!("{TRACES_PATH}?{}", keep.to_search())
}

/// The link to one trace.
pub fn trace_href(trace_id: &str, state: &ApmState) -> String {
    let keep = ApmState {
        timeframe: state.timeframe,
        ..ApmState::default()
    };
    format!("/apm/trace/{}?{}", path_segment(trace_id), keep.to_search())
}

/// The section's head: its title, the tabs between the services and the trace search, the
/// timeframe picker, and what else the page puts there (`children`).
#[component]
pub fn ApmHead(
    url: UrlState,
    #[prop(into)] title: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let state = url.state;
    let on_span =
        Callback::new(move |span: Span| url.update(|s| s.timeframe = Timeframe::Live(span)));
    let on_toggle_live = Callback::new(move |()| {
        url.update(|s| {
            s.timeframe = match s.timeframe {
                live @ Timeframe::Live(_) => live.pause(js_sys::Date::now() as i64),
                paused => paused.resume(),
            }
        })
    });
    let tab = move |path: &'static str, label: &'static str| {
        let href = move || {
            state.with(|s| {
                let keep = ApmState {
                    timeframe: s.timeframe,
                    env: s.env.clone(),
                    ..ApmState::default()
                };
                format!("{path}?{}", keep.to_search())
            })
        };
        let current = move || {
            let here = window().location().pathname().unwrap_or_default();
            (here == path).then_some("page")
        };
        view! { <a class="apm-tab" href=href aria-current=current>{label}</a> }
    };
    let problem = move || {
        state
            .with(ApmState::problem)
            .map(|p| view! { <p class="banner error" role="alert">{p}</p> })
    };
    view! {
        <header class="page-head apm-head">
            <h1>{move || title.get()}</h1>
            <nav class="apm-tabs" aria-label="APM">
                {tab(PATH, "Services")}
                {tab(TRACES_PATH, "Traces")}
            </nav>
            {children.map(|c| c())}
            <TimeframePicker
                timeframe=Signal::derive(move || state.with(|s| s.timeframe))
                on_span
                on_toggle_live
            />
        </header>
        {problem}
    }
}

/// A filter field committed on change (Enter or leaving it).
#[component]
pub fn FilterInput(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(optional)] placeholder: &'static str,
    on_commit: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                placeholder=placeholder
                prop:value=move || value.get()
                on:change=move |ev| on_commit.run(event_target_value(&ev).trim().to_owned())
            />
        </div>
    }
}

/// A trend drawn by the chart crate into a small canvas.
#[component]
pub fn Spark(values: Vec<f64>, #[prop(optional)] label: String) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let _ = chart::paint_whole(&c, |root, _| {
                chart::draw_sparkline(root, &values, REQUESTS).map_err(|e| e.to_string())
            });
        }
    });
    view! { <canvas class="spark" node_ref=canvas role="img" aria-label=label></canvas> }
}

/// A latency histogram drawn by the chart crate.
#[component]
pub fn Histogram(bins: Vec<HistogramBin>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let empty = bins.iter().all(|b| b.count == 0);
    let bins: Vec<(i64, i64, u64)> = bins
        .iter()
        .map(|b| (b.lower_ns, b.upper_ns, b.count))
        .collect();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let _ = chart::paint_whole(&c, |root, dpr| {
                chart::draw_histogram(root, &bins, REQUESTS, dpr).map_err(|e| e.to_string())
            });
        }
    });
    view! {
        <Show when=move || !empty fallback=|| view! { <p class="state empty">"No requests in this timeframe."</p> }>
            <canvas class="histogram" node_ref=canvas role="img" aria-label="Latency distribution"></canvas>
        </Show>
    }
}
