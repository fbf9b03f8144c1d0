//! Two traces compared (`/apm/compare?a=<trace id>&b=<trace id>`): core's `apm::compare` groups
//! their spans by service, operation and resource, with each group's spans and time in each trace,
//! new, gone, slower or faster from the first trace to the second; new and gone groups first.

use std::sync::Arc;

use dogwatch_core::apm::compare::{Change, compare};

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::state::ApmState;
use super::trace::model::TraceModel;
use super::{ApmHead, Shown, UrlState, shown, trace_href};
use crate::api::{ApiFuture, use_backend, use_latest};
use crate::app::Navigate;
use crate::chart::format_duration_ns;
use crate::pages::explorer::state::encode_query_value;

pub const PATH: &str = "/apm/compare";

/// A change in words.
fn word(change: Change) -> &'static str {
    match change {
        Change::New => "new",
        Change::Gone => "gone",
        Change::Slower => "slower",
        Change::Faster => "faster",
        Change::Same => "same",
    }
}

/// The compare page's address for two traces.
pub fn compare_href(a: &str, b: &str, state: &ApmState) -> String {
    let keep = ApmState {
        timeframe: state.timeframe,
        ..ApmState::default()
    };
    format!(
        "{PATH}?a={}&b={}&{}",
        encode_query_value(a),
        encode_query_value(b),
        keep.to_search()
    )
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let url = UrlState::new();
    let query = use_query_map();
    let id =
        move |k: &str| query.with(|q| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default());
    let backend = use_backend();
    let fetch = move |key: Memo<Option<String>>| {
        let backend = backend.clone();
        use_latest(
            key,
            move |id: &String, abort| -> ApiFuture<Arc<TraceModel>> {
                let request = backend.trace(id, abort);
                Box::pin(async move { request.await.map(|t| Arc::new(TraceModel::of(t))) })
            },
        )
    };
    let a = fetch(Memo::new(move |_| Some(id("a")).filter(|i| !i.is_empty())));
    let b = fetch(Memo::new(move |_| Some(id("b")).filter(|i| !i.is_empty())));
    Effect::new(|_| document().set_title("Compare traces · APM · dogwatch"));
    let navigate = Navigate::here();
    let pick = move |which: &'static str| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev).trim().to_owned();
            let (mut first, mut second) = (id("a"), id("b"));
            if which == "a" {
                first = value;
            } else {
                second = value;
            }
            navigate.view(&compare_href(&first, &second, &url.state.get_untracked()));
        }
    };
    view! {
        <section class="page apm">
            <ApmHead url title="Compare traces".to_owned()/>
            <div class="panel apm-filters">
                <div class="field">
                    <label for="compare-a">"First trace"</label>
                    <input id="compare-a" type="text" prop:value=move || id("a") on:change=pick("a")/>
                </div>
                <div class="field">
                    <label for="compare-b">"Second trace"</label>
                    <input id="compare-b" type="text" prop:value=move || id("b") on:change=pick("b")/>
                </div>
            </div>
            <div class="panel" aria-live="polite">
                {move || {
                    if id("a").is_empty() || id("b").is_empty() {
                        return view! { <p class="state idle">"Give the ids of two traces to compare."</p> }.into_any();
                    }
                    match (a.with(shown), b.with(shown)) {
                        (Shown::Failed(e), _) => view! { <p class="state error" role="alert">"First trace: " {e}</p> }.into_any(),
                        (_, Shown::Failed(e)) => view! { <p class="state error" role="alert">"Second trace: " {e}</p> }.into_any(),
                        (Shown::Ready(x), Shown::Ready(y)) => diff_table(&x, &y, &url.state.get_untracked()).into_any(),
                        _ => view! { <p class="state loading">"Loading the traces…"</p> }.into_any(),
                    }
                }}
            </div>
        </section>
    }
}

fn diff_table(a: &TraceModel, b: &TraceModel, state: &ApmState) -> impl IntoView + use<> {
    let (da, db) = (a.whole.duration_ns(), b.whole.duration_ns());
    let mut diffs = compare(&a.trace.spans, &b.trace.spans);
    // Kinds of span found in one trace only first; the rest stay in core's order (biggest
    // change of exec time first).
    diffs.sort_by_key(|d| !matches!(d.change, Change::New | Change::Gone));
    let rows = diffs
        .into_iter()
        .map(|r| {
            let class = format!("change-{}", word(r.change));
            view! {
                <tr class=class>
                    <td>{word(r.change)}</td>
                    <td>{r.service}</td>
                    <td>{r.name}</td>
                    <td class="resource">{r.resource}</td>
                    <td class="num">{format!("{} → {}", r.count[0], r.count[1])}</td>
                    <td class="num">{format!("{} → {}", format_duration_ns(r.total_ns[0]), format_duration_ns(r.total_ns[1]))}</td>
                    <td class="num">{format!("{} → {}", format_duration_ns(r.exec_ns[0]), format_duration_ns(r.exec_ns[1]))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="apm-summary">
            <div><dt>"First"</dt><dd><a href=trace_href(&a.trace.trace_id, state)>{format_duration_ns(da)}</a></dd></div>
            <div><dt>"Second"</dt><dd><a href=trace_href(&b.trace.trace_id, state)>{format_duration_ns(db)}</a></dd></div>
            <div><dt>"Spans"</dt><dd>{a.trace.spans.len()} " → " {b.trace.spans.len()}</dd></div>
        </dl>
        <table class="apm-table compare-table">
            <thead><tr>
                <th>"Change"</th><th>"Service"</th><th>"Operation"</th><th>"Resource"</th>
                <th class="num">"Spans"</th><th class="num">"Time"</th><th class="num">"Exec time"</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
