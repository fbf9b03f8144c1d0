//! The event stream (`/event/explorer`): monitor transitions, downtimes' starts and ends, posted
//! events, and snapshots and their comments (with the snapshot's picture, linking to its page) of
//! the past week, newest first, optionally of one monitor (`?monitor_id=`, kept in the URL).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use dogwatch_core::wire::{Event, Monitor};

use crate::api::{ApiError, use_backend};
use crate::app::Navigate;
use crate::dom;
use crate::pages::monitors::form::last_day;
use crate::pages::monitors::status::{events, note};

pub const PATH: &str = "/event/explorer";

#[component]
pub fn EventsPage() -> impl IntoView {
    let backend = use_backend();
    let query = use_query_map();
    let navigate = Navigate::here();
    let monitor_id =
        Memo::new(move |_| query.with(|q| q.get("monitor_id").and_then(|v| v.parse::<i64>().ok())));
    let list = RwSignal::new(None::<Result<Vec<Event>, ApiError>>);
    let monitors = RwSignal::new(Vec::<Monitor>::new());
    let all = backend.monitors(None);
    spawn_local(async move {
        monitors.try_set(all.await.unwrap_or_default());
    });
    Effect::new(move |_| {
        let day = last_day();
        let week = dogwatch_core::timeframe::TimeRange {
            from_ms: day.to_ms - 7 * 86_400_000,
            ..day
        };
        let request = backend.events(monitor_id.get(), week, None);
        list.set(None);
        spawn_local(async move {
            list.try_set(Some(request.await));
        });
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
                        navigate.view(&if id.is_empty() { PATH.to_owned() } else { format!("{PATH}?monitor_id={id}") });
                    }>
                        <option value="">"All monitors"</option>
                        {move || monitors.get().into_iter().map(|m| {
                            let id = m.id;
                            view! { <option value=id selected=move || monitor_id.get() == Some(id)>{m.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {dom::host("event-list", Box::new(move |el| list.with(|l| match l {
                None => note(el, "state", "Loading events…", false),
                Some(Err(e)) => note(el, "state error", &e.to_string(), true),
                Some(Ok(list)) => events(el, list),
            })))}
        </section>
    }
}
