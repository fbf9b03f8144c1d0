//! The left column of a board: the widget types to drag onto the grid, and the metrics that reported
//! in the past day, searchable, to drag onto the grid (a new graph) or onto a graph (another line).

use leptos::ev;
use leptos::prelude::*;

use super::BoardCtx;
use super::drag::{self, Source};
use crate::api::{use_backend, use_latest};
use crate::pages::board::model::Kind;

const METRIC_LOOKBACK_SECS: i64 = 86_400;
const METRICS_SHOWN: usize = 200;

#[component]
pub fn Tray() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let backend = use_backend();
    let opened_at_secs = (js_sys::Date::now() / 1000.0) as i64;
    let key = Memo::new(move |_| Some(opened_at_secs - METRIC_LOOKBACK_SECS));
    let names = use_latest(key, move |from: &i64, abort| backend.metrics(*from, abort));
    let filter = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        names.with(|l| {
            l.value.as_ref().map(|(_, m)| {
                m.metrics
                    .iter()
                    .filter(|n| n.to_lowercase().contains(&needle))
                    .take(METRICS_SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    });
    let error = move || names.with(|l| l.error.as_ref().map(|(_, e)| e.to_string()));
    view! {
        <aside class="tray" aria-label="Add to the board">
            <h2>"Widgets"</h2>
            <ul class="tray-kinds">
                {Kind::TRAY.into_iter().map(|kind| {
                    let label = kind.label().to_owned();
                    let code = kind.code().to_owned();
                    view! {
                        <li class="tray-item" data-kind=code tabindex="0" role="button"
                            title="Drag onto the board, or press Enter to add it"
                            on:keydown={
                                let kind = kind.clone();
                                move |ev: ev::KeyboardEvent| {
                                    if ev.key() == "Enter" || ev.key() == " " {
                                        ev.prevent_default();
                                        drag::add_at_first_free(ctx, Source::New(kind.clone()));
                                    }
                                }
                            }
                            on:pointerdown=move |ev: ev::PointerEvent| drag::start(ctx, Source::New(kind.clone()), &ev)>
                            {label}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2>"Metrics"</h2>
            <input type="search" class="metric-filter" placeholder="Filter metrics" aria-label="Filter metrics"
                prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            {move || error().map(|e| view! { <p class="state error">{e}</p> })}
            {move || match shown.get() {
                None => view! { <p class="state">"Loading metrics…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="state empty">"No metric reported in the past day matches."</p> }.into_any(),
                Some(list) => view! {
                    <ul class="metric-list">
                        {list.into_iter().map(|name| {
                            let metric = name.clone();
                            let keyed = name.clone();
                            let data = name.clone();
                            view! {
                                <li class="metric-item" data-metric=data tabindex="0" role="button"
                                    title="Drag onto the board or onto a graph; Enter adds a graph of it"
                                    on:keydown=move |ev: ev::KeyboardEvent| {
                                        if ev.key() == "Enter" || ev.key() == " " {
                                            ev.prevent_default();
                                            drag::add_at_first_free(ctx, Source::Metric(keyed.clone()));
                                        }
                                    }
                                    on:pointerdown=move |ev: ev::PointerEvent| drag::start(ctx, Source::Metric(metric.clone()), &ev)>
                                    {name}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || ctx.drag.get().map(|d| {
                let text = match &d.source {
                    Source::New(kind) => kind.label().to_owned(),
                    Source::Metric(m) => m.clone(),
                    _ => return None,
                };
                Some(view! {
                    <div class="drag-ghost" style:left=format!("{}px", d.pointer.0 + 12.0) style:top=format!("{}px", d.pointer.1 + 12.0)>{text}</div>
                })
            })}
        </aside>
    }
}
