//! The Metrics Explorer: choose a metric, a scope and a `by` (or type the whole query), and see the
//! timeseries. The whole view lives in the URL (see `state`), so a copied link opens the same graph;
//! the page only turns URL changes into requests and requests into one of its panel states.

pub mod state;

use std::sync::Arc;
use std::time::Duration;

use dogwatch_core::timeframe::{Span, TimeRange, Timeframe};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{ApiFuture, use_backend, use_latest};
use crate::app::Navigate;
use crate::chart::{self, GraphData};
use crate::components::query_editor::QueryEditor;
use crate::components::query_problem::QueryProblem;
use crate::components::send_snapshot::{self, SendSnapshot, Subject};
use crate::components::suggest_input::SuggestInput;
use crate::components::timeframe_picker::TimeframePicker;
use crate::components::timeseries::Timeseries;
use crate::query_assist::problem::{self, Checked};
use crate::suggest::{self, Mode};
use state::{Aggregator, ExplorerState, NoData, Panel, QueryKey, split_list};

/// Where the explorer lives.
pub const PATH: &str = "/metric/explorer";

/// How far back the metric picker looks for names.
const METRIC_LOOKBACK_SECS: i64 = 86_400;

/// The explorer's state in the URL: read it, or change it (which navigates).
#[derive(Clone, Copy)]
struct UrlState {
    state: Memo<ExplorerState>,
    navigate: Navigate,
}

impl UrlState {
    fn new() -> UrlState {
        let query = use_query_map();
        let state = Memo::new(move |_| query.with(|q| ExplorerState::from_params(|k| q.get(k))));
        let navigate = Navigate::here();
        UrlState { state, navigate }
    }

    fn update(&self, change: impl FnOnce(&mut ExplorerState)) {
        let current = self.state.get_untracked();
        let mut next = current.clone();
        change(&mut next);
        if next != current {
            let url = format!("{PATH}?{}", next.to_search());
            // A new history entry per change, so Back undoes it.
            self.navigate.view(&url);
        }
    }
}

#[component]
pub fn ExplorerPage() -> impl IntoView {
    let url = UrlState::new();
    let state = url.state;
    let backend = use_backend();

    // Suggestions: metric names that reported in the past day, and the chosen metric's tags.
    let opened_at_secs = (js_sys::Date::now() / 1000.0) as i64;
    let names_key = Memo::new(move |_| Some(opened_at_secs - METRIC_LOOKBACK_SECS));
    let names = use_latest(names_key, {
        let backend = backend.clone();
        move |from_secs: &i64, abort| backend.metrics(*from_secs, abort)
    });
    let tags_key = Memo::new(move |_| {
        state.with(|s| (!s.is_code() && !s.metric.is_empty()).then(|| s.metric.clone()))
    });
    let tags = use_latest(tags_key, {
        let backend = backend.clone();
        move |metric: &String, abort| backend.all_tags(metric, abort)
    });
    let metric_names = Signal::derive(move || {
        names.with(|l| {
            l.value
                .as_ref()
                .map(|(_, m)| m.metrics.clone())
                .unwrap_or_default()
        })
    });
    let metric_tags = Signal::derive(move || {
        let current = tags_key.get();
        tags.with(|l| match &l.value {
            Some((metric, t)) if Some(metric) == current.as_ref() => t.data.attributes.tags.clone(),
            _ => Vec::new(),
        })
    });
    let tag_keys = Signal::derive(move || suggest::tag_keys(&metric_tags.get()));

    // Live refresh: a tick every refresh period while the timeframe is live.
    let tick = use_ticks(Memo::new(move |_| {
        state.with(|s| s.timeframe.refresh_period_ms())
    }));

    let query_key = Memo::new(move |_| {
        tick.track();
        let s = state.get();
        // The clock is read here rather than kept in a signal, so a new query or span starts from the
        // real now and not from the last tick.
        let now_ms = js_sys::Date::now() as i64;
        Some(QueryKey {
            text: s.query_text()?,
            timeframe: s.timeframe,
            range: s.timeframe.range(now_ms),
        })
    });
    let results = use_latest(query_key, move |key: &QueryKey, abort| -> ApiFuture<_> {
        let request = backend.query(&key.text, key.range, abort);
        Box::pin(async move { request.await.map(Arc::new) })
    });
    let panel =
        Memo::new(move |_| results.with(|l| query_key.with(|k| state::panel(l, k.as_ref()))));

    let on_span =
        Callback::new(move |span: Span| url.update(|s| s.timeframe = Timeframe::Live(span)));
    let on_toggle_live = Callback::new(move |()| {
        url.update(|s| {
            s.timeframe = match (s.timeframe, query_key.get_untracked()) {
                // Freeze the window that was last asked for: the one on screen.
                (Timeframe::Live(span), Some(key)) => Timeframe::Paused {
                    span,
                    range: key.range,
                },
                (live @ Timeframe::Live(_), None) => live.pause(js_sys::Date::now() as i64),
                (paused, _) => paused.resume(),
            }
        })
    });

    // Dragging across the graph pauses on the window selected.
    let on_zoom = Callback::new(move |range: TimeRange| {
        url.update(|s| {
            s.timeframe = Timeframe::Paused {
                span: s.timeframe.span(),
                range,
            }
        })
    });

    Effect::new(move |_| {
        let subject = state.with(|s| {
            if s.is_code() {
                s.subject()
            } else {
                s.metric.clone()
            }
        });
        let title = if subject.is_empty() {
            "Metrics Explorer · dogwatch".to_owned()
        } else {
            format!("{subject} · Metrics Explorer · dogwatch")
        };
        document().set_title(&title);
    });

    view! {
        <section class="page explorer">
            <header class="page-head">
                <h1>"Metrics Explorer"</h1>
                <TimeframePicker
                    timeframe=Signal::derive(move || state.with(|s| s.timeframe))
                    on_span
                    on_toggle_live
                />
            </header>
            <QueryPanel url metric_names metric_tags tag_keys panel/>
            <GraphPanel state panel on_zoom names_error=Signal::derive(move || {
                names.with(|l| l.error.as_ref().map(|(_, e)| e.to_string()))
            })/>
        </section>
    }
}

/// A trigger that fires every `period_ms` (never while it is `None`); the interval follows the period
/// and is cleared when the view goes away.
pub(crate) fn use_ticks(period_ms: Memo<Option<i64>>) -> Trigger {
    let tick = Trigger::new();
    let interval = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(old) = interval.get_value() {
            old.clear();
        }
        let every = period_ms
            .get()
            .map(|ms| Duration::from_millis(ms.unsigned_abs()));
        interval
            .set_value(every.and_then(|d| set_interval_with_handle(move || tick.notify(), d).ok()));
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = interval.try_get_value() {
            handle.clear();
        }
    });
    tick
}

/// The query: built from fields, or typed by hand, and the API's complaint about it.
#[component]
fn QueryPanel(
    url: UrlState,
    metric_names: Signal<Vec<String>>,
    metric_tags: Signal<Vec<String>>,
    tag_keys: Signal<Vec<String>>,
    panel: Memo<Panel>,
) -> impl IntoView {
    let state = url.state;
    let is_code = Memo::new(move |_| state.with(ExplorerState::is_code));
    let api_error = Signal::derive(move || match panel.get() {
        Panel::BadQuery(message) => Some(message),
        _ => None,
    });
    let mode_button = move |code: bool, label: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || (is_code.get() == code).to_string()
                on:click=move |_| url.update(|s| if code { s.switch_to_code() } else { s.switch_to_builder() })
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="panel query-panel">
            <div class="query-panel-head">
                <div class="mode-toggle" role="group" aria-label="How to write the query">
                    {mode_button(false, "Builder")}
                    {mode_button(true, "Query")}
                </div>
            </div>
            <Show
                when=move || is_code.get()
                fallback=move || view! { <QueryBuilder url metric_names metric_tags tag_keys api_error/> }
            >
                <QueryEditor
                    id="query"
                    value=Memo::new(move |_| state.with(|s| s.code.clone().unwrap_or_default()))
                    metric_names
                    api_error
                    on_commit=Callback::new(move |text: String| url.update(|s| s.code = Some(text)))
                />
            </Show>
        </div>
    }
}

/// The builder: metric, scope, aggregation and `by` fields, and the query they make.
#[component]
fn QueryBuilder(
    url: UrlState,
    metric_names: Signal<Vec<String>>,
    metric_tags: Signal<Vec<String>>,
    tag_keys: Signal<Vec<String>>,
    api_error: Signal<Option<String>>,
) -> impl IntoView {
    let state = url.state;
    let problem = Memo::new(move |_| {
        let text = state.with(ExplorerState::builder_text)?;
        let message = api_error.get()?;
        problem::choose(&text, &text, Some(&Checked::of(&text)), Some(&message))
    });
    view! {
        <div class="fields">
            <SuggestInput
                id="metric"
                label="Metric"
                placeholder="Search metrics, e.g. system.cpu.user"
                mode=Mode::Whole
                value=Signal::derive(move || state.with(|s| s.metric.clone()))
                candidates=metric_names
                on_commit=Callback::new(move |text: String| url.update(|s| s.metric = text.trim().to_owned()))
            />
            <SuggestInput
                id="scope"
                label="From"
                placeholder="everywhere, or tag:value, …"
                mode=Mode::List
                value=Signal::derive(move || state.with(|s| s.scope.join(",")))
                candidates=metric_tags
                on_commit=Callback::new(move |text: String| url.update(|s| s.scope = split_list(&text)))
            />
            <div class="field agg">
                <label for="agg">"Aggregation"</label>
                <select
                    id="agg"
                    prop:value=move || state.with(|s| s.agg.code())
                    on:change=move |ev| {
                        if let Some(agg) = Aggregator::from_code(&event_target_value(&ev)) {
                            url.update(|s| s.agg = agg);
                        }
                    }
                >
                    {Aggregator::ALL
                        .into_iter()
                        .map(|a| {
                            view! {
                                <option value=a.code() selected=move || state.with(|s| s.agg == a)>
                                    {a.code()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <SuggestInput
                id="by"
                label="By"
                placeholder="tag keys, e.g. host"
                mode=Mode::List
                value=Signal::derive(move || state.with(|s| s.by.join(",")))
                candidates=tag_keys
                on_commit=Callback::new(move |text: String| url.update(|s| s.by = split_list(&text)))
            />
        </div>
        // A problem shows the query itself, underlined; the plain copy would only repeat it.
        <Show
            when=move || problem.with(Option::is_some)
            fallback=move || view! {
                <p class="query-text">
                    <span class="query-text-label">"Query"</span>
                    <code>{move || state.with(ExplorerState::builder_text).unwrap_or_else(|| "choose a metric".to_owned())}</code>
                </p>
            }
        >
            {move || problem.get().map(|p| view! { <QueryProblem problem=p/> })}
        </Show>
    }
}

/// The graph, or the words for why there is none.
#[component]
fn GraphPanel(
    state: Memo<ExplorerState>,
    panel: Memo<Panel>,
    on_zoom: Callback<TimeRange>,
    names_error: Signal<Option<String>>,
) -> impl IntoView {
    let graph = Memo::new(move |_| match panel.get() {
        Panel::Graph { data, range, .. } => Some(GraphData {
            response: data,
            range,
        }),
        _ => None,
    });
    let has_graph = Memo::new(move |_| graph.with(Option::is_some));
    let stale_error = move || match panel.get() {
        Panel::Graph {
            stale_error: Some(e),
            ..
        } => Some(view! { <p class="banner error" role="alert">{e}</p> }),
        _ => None,
    };
    let message = move || {
        match panel.get() {
        Panel::Idle => match names_error.get() {
            Some(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
            None if state.with(ExplorerState::is_code) => view! {
                <div class="state idle">
                    <p>"Type a query to graph."</p>
                    <p class="hint">"For example " <code>"avg:system.cpu.user{*} by {host}"</code> "; press Enter to draw it. Separate several queries with commas."</p>
                </div>
            }
            .into_any(),
            None => view! {
                <div class="state idle">
                    <p>"Choose a metric to graph."</p>
                    <p class="hint">"Type in the Metric field to search the metrics reported in the past day."</p>
                </div>
            }
            .into_any(),
        },
        Panel::Loading => {
            view! { <p class="state loading">"Loading " {state.with(|s| s.subject())} "…"</p> }.into_any()
        }
        Panel::BadQuery(_) => view! { <p class="state">"Fix the query above to see a graph."</p> }.into_any(),
        Panel::Failed(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
        Panel::Empty => {
            let text = state.with(|s| {
                let window = match s.timeframe {
                    Timeframe::Paused { range, .. } => Some(chart::window_label(range, chart::Zone::Local)),
                    Timeframe::Live(_) => None,
                };
                NoData { state: s, window }.to_string()
            });
            view! { <p class="state empty">{text}</p> }.into_any()
        }
        Panel::Graph { .. } => ().into_any(),
    }
    };
    let title = move || {
        state.with(|s| match &s.code {
            Some(code) if code.is_empty() => "No query yet".to_owned(),
            None if s.metric.is_empty() => "No metric chosen".to_owned(),
            _ => s.subject(),
        })
    };

    // The graph on screen, frozen: its queries over the window it shows.
    let subject = Callback::new(move |()| {
        let range = match panel.get_untracked() {
            Panel::Graph { range, .. } => range,
            _ => return None,
        };
        let text = state.with_untracked(ExplorerState::query_text)?;
        let queries = send_snapshot::split_queries(&text);
        Some(Subject {
            definition: send_snapshot::timeseries(
                &text,
                &queries,
                chart::YAxis::default(),
                Vec::new(),
            ),
            title: text,
            range,
        })
    });

    view! {
        <div class="panel graph-panel" aria-live="polite">
            <div class="panel-head">
                <h2>{title}</h2>
                <Show when=move || has_graph.get()>
                    <SendSnapshot subject/>
                </Show>
                {move || {
                    let live = state.with(|s| s.timeframe.is_live());
                    graph
                        .get()
                        .filter(|_| live)
                        .map(|g| {
                            view! {
                                <span class="panel-status">"Updated " {chart::clock_time(g.range.to_ms, chart::Zone::Local)}</span>
                            }
                        })
                }}
            </div>
            {stale_error}
            <Show when=move || has_graph.get() fallback=move || message>
                <Timeseries graph=graph on_zoom/>
            </Show>
        </div>
    }
}
