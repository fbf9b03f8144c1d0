//! The event stream (`/event/explorer`): monitor transitions of the past week, newest first,
//! optionally of one monitor (`?monitor_id=`, kept in the URL).

use leptos::prelude::*;

use crate::api::{use_backend, use_latest};
use crate::nav::use_location;
use crate::pages::monitors::form::last_day;
use crate::pages::monitors::status::event_item;

pub const PATH: &str = "/event/explorer";

#[component]
pub fn EventsPage() -> impl IntoView {
    let backend = use_backend();
    let location = use_location();
    let query = location.query();
    let monitor_id =
        Memo::new(move |_| query.with(|q| q.get("monitor_id").and_then(|v| v.parse::<i64>().ok())));
    let key = Memo::new(move |_| Some(monitor_id.get()));
    let events = use_latest(key, {
        let backend = backend.clone();
        move |id: &Option<i64>, abort| {
            let day = last_day();
            let week = dogwatch_core::timeframe::TimeRange {
                from_ms: day.to_ms - 7 * 86_400_000,
                ..day
            };
            backend.events(*id, week, abort)
        }
    });
    let monitors = use_latest(Memo::new(|_| Some(())), move |(), abort| {
        backend.monitors(abort)
    });
    document().set_title("Events · dogwatch");

    view! {
        <section class="page events-page">
            <header class="page-header"><h1>"Events"</h1></header>
            <div class="list-controls">
                <label class="field">
                    <span>"Monitor"</span>
                    <select aria-label="Filter by monitor" on:change=move |ev| {
                        let id = event_target_value(&ev);
                        location.navigate(&if id.is_empty() { PATH.to_owned() } else { format!("{PATH}?monitor_id={id}") });
                    }>
                        <option value="">"All monitors"</option>
                        {move || monitors.with(|l| l.value.as_ref().map(|(_, list)| list.iter().map(|m| {
                            let id = m.id;
                            view! { <option value=id selected=move || monitor_id.get() == Some(id)>{m.name.clone()}</option> }
                        }).collect_view()))}
                    </select>
                </label>
            </div>
            {move || events.with(|l| match (&l.value, &l.error) {
                (_, Some((_, e))) => view! { <p class="state error" role="alert">{e.to_string()}</p> }.into_any(),
                (None, None) => view! { <p class="state">"Loading events…"</p> }.into_any(),
                (Some((_, list)), None) if list.is_empty() => view! {
                    <p class="state empty">"No events in the past week."</p>
                }.into_any(),
                (Some((_, list)), None) => view! {
                    <ul class="events">{list.iter().map(event_item).collect_view()}</ul>
                }.into_any(),
            })}
        </section>
    }
}
