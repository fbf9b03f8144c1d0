//! The widget editor: title, queries (several per widget, each in the query editor with its
//! suggestions and problems), how each is drawn, the y-axis, markers, conditional formats, a note's
//! markdown, with a live preview of the draft. Nothing changes on the board until Save.

use leptos::prelude::*;

use super::BoardCtx;
use super::widget::WidgetBody;
use crate::api::{use_backend, use_latest};
use crate::chart::{Display, Marker, Palette};
use crate::components::query_editor::QueryEditor;
use crate::pages::board::model::{
    Comparator, CompareTo, ConditionalFormat, Definition, FormatPalette, Kind, Reducer, Request,
};

const METRIC_LOOKBACK_SECS: i64 = 86_400;

/// A number field's text as an optional number; empty means "auto".
fn optional_number(text: &str) -> Option<f64> {
    text.trim().parse().ok()
}

#[component]
pub fn Editor(id: i64) -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let Some(original) = ctx.board.with_untracked(|b| {
        b.as_ref()
            .and_then(|b| b.widget(id))
            .map(|w| w.definition.clone())
    }) else {
        return ().into_any();
    };
    let draft = RwSignal::new(original);
    let backend = use_backend();
    let opened_at_secs = (js_sys::Date::now() / 1000.0) as i64;
    let names_key = Memo::new(move |_| Some(opened_at_secs - METRIC_LOOKBACK_SECS));
    let names = use_latest(names_key, move |from: &i64, abort| {
        backend.metrics(*from, abort)
    });
    let metric_names = Signal::derive(move || {
        names.with(|l| {
            l.value
                .as_ref()
                .map(|(_, m)| m.metrics.clone())
                .unwrap_or_default()
        })
    });
    let kind = Memo::new(move |_| draft.with(|d| d.kind.clone()));
    let count = Memo::new(move |_| draft.with(|d| d.requests.len()));
    let save = move |_| {
        let def = draft.get_untracked();
        ctx.commit(|b| {
            if let Some(w) = b.widget_mut(id) {
                w.definition = def;
            }
        });
        ctx.editing.set(None);
    };
    let cancel = move |_| ctx.editing.set(None);

    view! {
        <div class="modal-backdrop">
            <div class="modal editor" role="dialog" aria-modal="true" aria-label="Edit widget">
                <h2>"Edit " {move || kind.get().label().to_owned()}</h2>
                <div class="editor-preview" aria-label="Preview">
                    <WidgetBody definition=Signal::derive(move || draft.get()) range=ctx.range vars=ctx.vars utc=Signal::derive(move || ctx.view.with(|v| v.utc)) on_zoom=ctx.zoom()/>
                </div>
                <div class="editor-form">
                    <label class="field">
                        <span>"Title"</span>
                        <input type="text" aria-label="Widget title" prop:value=move || draft.with(|d| d.title.clone())
                            on:input=move |ev| draft.update(|d| d.title = event_target_value(&ev))/>
                    </label>
                    <Show when=move || kind.get() == Kind::Note>
                        <label class="field">
                            <span>"Markdown"</span>
                            <textarea aria-label="Note markdown" rows="8" prop:value=move || draft.with(|d| d.content.clone())
                                on:input=move |ev| draft.update(|d| d.content = event_target_value(&ev))></textarea>
                        </label>
                    </Show>
                    <Show when=move || kind.get().has_queries()>
                        <For each=move || 0..count.get() key=|i| *i let:index>
                            <RequestFields draft index metric_names/>
                        </For>
                        <button type="button" class="secondary" on:click=move |_| draft.update(|d| d.requests.push(Request::new("")))>
                            "Add query"
                        </button>
                    </Show>
                    <Show when=move || kind.get() == Kind::Timeseries>
                        <AxisFields draft/>
                    </Show>
                    <Show when=move || kind.get() == Kind::QueryValue>
                        <label class="field">
                            <span>"Decimals"</span>
                            <input type="number" min="0" max="12" aria-label="Decimals"
                                prop:value=move || draft.with(|d| d.precision.map(|p| p.to_string()).unwrap_or_default())
                                on:input=move |ev| draft.update(|d| d.precision = event_target_value(&ev).trim().parse().ok().filter(|p| *p <= 12))/>
                        </label>
                    </Show>
                </div>
                <div class="actions">
                    <button type="button" class="secondary" on:click=cancel>"Cancel"</button>
                    <button type="button" class="primary" on:click=save>"Save"</button>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// One request: its query, and the settings its widget type uses.
#[component]
fn RequestFields(
    draft: RwSignal<Definition>,
    index: usize,
    metric_names: Signal<Vec<String>>,
) -> impl IntoView {
    let kind = Memo::new(move |_| draft.with(|d| d.kind.clone()));
    let request =
        Memo::new(move |_| draft.with(|d| d.requests.get(index).cloned().unwrap_or_default()));
    let edit = move |change: &dyn Fn(&mut Request)| {
        draft.update(|d| {
            if let Some(r) = d.requests.get_mut(index) {
                change(r);
            }
        });
    };
    let q = Signal::derive(move || request.with(|r| r.q.clone()));
    let letter = char::from(b'a' + (index % 26) as u8);
    view! {
        <fieldset class="request">
            <legend>"Query " {letter.to_string()}</legend>
            <QueryEditor id=format!("widget-query-{index}") value=q metric_names api_error=Signal::derive(|| None::<String>)
                on_commit=Callback::new(move |text: String| edit(&|r| r.q = text.clone()))/>
            <div class="request-options">
                <Show when=move || kind.get() == Kind::Timeseries>
                    <label class="field">
                        <span>"Display"</span>
                        <select aria-label=format!("Display of query {letter}") on:change=move |ev| {
                            if let Some(d) = Display::from_name(&event_target_value(&ev)) { edit(&|r| r.display = d); }
                        }>
                            {[Display::Line, Display::Area, Display::Bars].into_iter().map(|d| view! {
                                <option value=d.name() selected=move || request.with(|r| r.display == d)>{d.name()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span>"Palette"</span>
                        <select aria-label=format!("Palette of query {letter}") on:change=move |ev| {
                            if let Some(p) = Palette::from_name(&event_target_value(&ev)) { edit(&|r| r.palette = p); }
                        }>
                            {Palette::ALL.into_iter().map(|p| view! {
                                <option value=p.name() selected=move || request.with(|r| r.palette == p)>{p.name()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Show when=move || matches!(kind.get(), Kind::QueryValue | Kind::Toplist)>
                    <label class="field">
                        <span>"Aggregate"</span>
                        <select aria-label=format!("Aggregation of query {letter}") on:change=move |ev| {
                            if let Some(a) = Reducer::from_code(&event_target_value(&ev)) { edit(&|r| r.reducer = a); }
                        }>
                            {Reducer::ALL.into_iter().map(|a| view! {
                                <option value=a.code() selected=move || request.with(|r| r.reducer == a)>{a.code()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Show when=move || kind.get() == Kind::Change>
                    <label class="field">
                        <span>"Compare to"</span>
                        <select aria-label="Compare to" on:change=move |ev| {
                            if let Some(c) = CompareTo::from_code(&event_target_value(&ev)) { edit(&|r| r.compare_to = c); }
                        }>
                            {CompareTo::ALL.into_iter().map(|c| view! {
                                <option value=c.code() selected=move || request.with(|r| r.compare_to == c)>{c.code().replace('_', " ")}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || request.with(|r| r.relative)
                            on:change=move |ev| { let on = event_target_checked(&ev); edit(&|r| r.relative = on); }/>
                        "Relative change (%)"
                    </label>
                </Show>
                <button type="button" class="link danger" on:click=move |_| draft.update(|d| { if index < d.requests.len() { d.requests.remove(index); } })>
                    "Remove query"
                </button>
            </div>
            <Show when=move || kind.get() == Kind::QueryValue>
                <ConditionalFormats draft index/>
            </Show>
        </fieldset>
    }
}

#[component]
fn ConditionalFormats(draft: RwSignal<Definition>, index: usize) -> impl IntoView {
    let formats = Memo::new(move |_| {
        draft.with(|d| {
            d.requests
                .get(index)
                .map(|r| r.conditional_formats.clone())
                .unwrap_or_default()
        })
    });
    let edit = move |k: usize, change: &dyn Fn(&mut ConditionalFormat)| {
        draft.update(|d| {
            if let Some(f) = d
                .requests
                .get_mut(index)
                .and_then(|r| r.conditional_formats.get_mut(k))
            {
                change(f);
            }
        });
    };
    view! {
        <div class="conditional-formats">
            <span class="field-label">"Conditional formats"</span>
            <For each=move || 0..formats.with(Vec::len) key=|k| *k let:k>
                <div class="format-row">
                    <select aria-label="Comparator" on:change=move |ev| {
                        if let Some(c) = Comparator::from_code(&event_target_value(&ev)) { edit(k, &|f| f.comparator = c); }
                    }>
                        {Comparator::ALL.into_iter().map(|c| view! {
                            <option value=c.code() selected=move || formats.with(|f| f.get(k).is_some_and(|f| f.comparator == c))>{c.code()}</option>
                        }).collect_view()}
                    </select>
                    <input type="number" aria-label="Threshold" prop:value=move || formats.with(|f| f.get(k).map(|f| f.value.to_string()).unwrap_or_default())
                        on:input=move |ev| { if let Some(v) = optional_number(&event_target_value(&ev)) { edit(k, &|f| f.value = v); } }/>
                    <select aria-label="Colors" on:change=move |ev| {
                        if let Some(p) = FormatPalette::from_code(&event_target_value(&ev)) { edit(k, &|f| f.palette = p); }
                    }>
                        {FormatPalette::ALL.into_iter().map(|p| view! {
                            <option value=p.code() selected=move || formats.with(|f| f.get(k).is_some_and(|f| f.palette == p))>{p.label()}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" class="link danger" on:click=move |_| draft.update(|d| {
                        if let Some(r) = d.requests.get_mut(index) && k < r.conditional_formats.len() { r.conditional_formats.remove(k); }
                    })>"Remove"</button>
                </div>
            </For>
            <button type="button" class="secondary" on:click=move |_| draft.update(|d| {
                if let Some(r) = d.requests.get_mut(index) {
                    r.conditional_formats.push(ConditionalFormat { comparator: Comparator::Gt, value: 0.0, palette: FormatPalette::WhiteOnRed });
                }
            })>"Add conditional format"</button>
        </div>
    }
}

/// The y-axis bounds and scale, and the markers (horizontal lines).
#[component]
fn AxisFields(draft: RwSignal<Definition>) -> impl IntoView {
    let markers = Memo::new(move |_| draft.with(|d| d.markers.len()));
    view! {
        <fieldset class="axis">
            <legend>"Y-axis"</legend>
            <label class="field">
                <span>"Min"</span>
                <input type="text" placeholder="auto" aria-label="Y-axis min"
                    prop:value=move || draft.with(|d| d.y_axis.min.map(|v| v.to_string()).unwrap_or_default())
                    on:change=move |ev| draft.update(|d| d.y_axis.min = optional_number(&event_target_value(&ev)))/>
            </label>
            <label class="field">
                <span>"Max"</span>
                <input type="text" placeholder="auto" aria-label="Y-axis max"
                    prop:value=move || draft.with(|d| d.y_axis.max.map(|v| v.to_string()).unwrap_or_default())
                    on:change=move |ev| draft.update(|d| d.y_axis.max = optional_number(&event_target_value(&ev)))/>
            </label>
            <label class="check">
                <input type="checkbox" aria-label="Logarithmic scale" prop:checked=move || draft.with(|d| d.y_axis.log)
                    on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| d.y_axis.log = on); }/>
                "Log scale"
            </label>
        </fieldset>
        <fieldset class="markers">
            <legend>"Markers"</legend>
            <For each=move || 0..markers.get() key=|k| *k let:k>
                <div class="marker-row">
                    <input type="number" aria-label="Marker value"
                        prop:value=move || draft.with(|d| d.markers.get(k).map(|m| m.value.to_string()).unwrap_or_default())
                        on:input=move |ev| { if let Some(v) = optional_number(&event_target_value(&ev)) { draft.update(|d| { if let Some(m) = d.markers.get_mut(k) { m.value = v; } }); } }/>
                    <input type="text" aria-label="Marker label" placeholder="label"
                        prop:value=move || draft.with(|d| d.markers.get(k).map(|m| m.label.clone()).unwrap_or_default())
                        on:input=move |ev| { let t = event_target_value(&ev); draft.update(|d| { if let Some(m) = d.markers.get_mut(k) { m.label = t; } }); }/>
                    <button type="button" class="link danger" on:click=move |_| draft.update(|d| { if k < d.markers.len() { d.markers.remove(k); } })>"Remove"</button>
                </div>
            </For>
            <button type="button" class="secondary" on:click=move |_| draft.update(|d| d.markers.push(Marker { value: 0.0, label: String::new() }))>
                "Add marker"
            </button>
        </fieldset>
    }
}
