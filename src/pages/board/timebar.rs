//! The board's timeframe: presets, a typed range (`5h`, `since 10:00`, `Jan 1 - Jan 2`), back to the
//! previous range (after a zoom, say), pause/resume, and the axes' zone (browser or UTC).

use dogwatch_core::timeframe::{Timeframe, parse_typed};
use leptos::prelude::*;

use super::BoardCtx;
use crate::components::timeframe_picker::TimeframePicker;

/// The browser zone's offset from UTC at `now_ms`, in minutes east of Greenwich.
fn browser_offset_minutes(now_ms: f64) -> i32 {
    use chrono::{Offset, TimeZone};
    chrono::Local
        .timestamp_millis_opt(now_ms as i64)
        .single()
        .map_or(0, |t| t.offset().fix().local_minus_utc() / 60)
}

#[component]
pub fn TimeBar() -> impl IntoView {
    let ctx = expect_context::<BoardCtx>();
    let typed = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let now = js_sys::Date::now();
        let offset = if ctx.view.get_untracked().utc {
            0
        } else {
            browser_offset_minutes(now)
        };
        match parse_typed(&typed.get_untracked(), now as i64, offset) {
            Ok(t) => {
                problem.set(None);
                typed.set(String::new());
                ctx.set_timeframe(t);
            }
            Err(e) => problem.set(Some(e.to_string())),
        }
    };
    let timeframe = Signal::derive(move || ctx.view.with(|v| v.timeframe));
    view! {
        <div class="time-bar">
            <TimeframePicker timeframe utc=Signal::derive(move || ctx.view.with(|v| v.utc))
                on_span=Callback::new(move |span| ctx.set_timeframe(Timeframe::Live(span)))
                on_toggle_live=Callback::new(move |()| ctx.toggle_live(js_sys::Date::now() as i64))/>
            <form class="typed-range" on:submit=submit>
                <input type="text" aria-label="Custom timeframe" placeholder="5h, since 10:00, Jan 1 - Jan 2"
                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))
                    aria-invalid=move || problem.with(Option::is_some).to_string()/>
            </form>
            <button type="button" class="secondary" disabled=move || !ctx.can_go_back.get() on:click=move |_| ctx.back()
                title="Back to the previous timeframe">"Back"</button>
            <label class="field zone">
                <span>"Zone"</span>
                <select aria-label="Time zone" on:change=move |ev| {
                    let utc = event_target_value(&ev) == "utc";
                    ctx.set_view(|v| v.utc = utc);
                }>
                    <option value="browser" selected=move || !ctx.view.with(|v| v.utc)>"Browser"</option>
                    <option value="utc" selected=move || ctx.view.with(|v| v.utc)>"UTC"</option>
                </select>
            </label>
            {move || problem.get().map(|p| view! { <p class="state error typed-problem" role="alert">{p}</p> })}
        </div>
    }
}
