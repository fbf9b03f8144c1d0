//! The timeframe picker: a preset span, and a button that pauses the live view (freezing its window)
//! or resumes it.

use dogwatch_core::timeframe::{Span, Timeframe};
use leptos::prelude::*;

use crate::chart::{Zone, window_label};

#[component]
pub fn TimeframePicker(
    #[prop(into)] timeframe: Signal<Timeframe>,
    /// A preset was chosen: the view goes live with that span.
    on_span: Callback<Span>,
    /// The pause/resume button was pressed.
    on_toggle_live: Callback<()>,
    /// A paused window is written in UTC rather than in the browser's zone.
    #[prop(optional, into)]
    utc: Signal<bool>,
) -> impl IntoView {
    let span_code = move || timeframe.get().span().code();
    let is_live = move || timeframe.get().is_live();
    let window = move || match timeframe.get() {
        Timeframe::Paused { range, .. } => Some(window_label(range, Zone::utc_if(utc.get()))),
        Timeframe::Live(_) => None,
    };

    view! {
        <div class="timeframe">
            <span class="live-badge" class:paused=move || !is_live()>
                {move || if is_live() { "Live" } else { "Paused" }}
            </span>
            <select
                id="timeframe"
                aria-label="Timeframe"
                prop:value=span_code
                on:change=move |ev| {
                    if let Some(span) = Span::from_code(&event_target_value(&ev)) {
                        on_span.run(span);
                    }
                }
            >
                {move || {
                    // A typed span (`5h`) is offered beside the presets while it is the one shown.
                    let current = timeframe.get().span();
                    let extra = (!current.is_preset()).then_some(current);
                    Span::ALL
                        .into_iter()
                        .chain(extra)
                        .map(|span| {
                            view! {
                                <option value=span.code() selected=move || span_code() == span.code()>
                                    {span.label()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            {move || window().map(|w| view! { <span class="window-label">{w}</span> })}
            <button
                type="button"
                class="live-toggle"
                aria-pressed=move || (!is_live()).to_string()
                title=move || if is_live() { "Stop refreshing and keep this window" } else { "Follow the clock again" }
                on:click=move |_| on_toggle_live.run(())
            >
                {move || if is_live() { "Pause" } else { "Resume" }}
            </button>
        </div>
    }
}
