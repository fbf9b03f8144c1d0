//! A monitor's status page (`/monitors/{id}`): its state, query and message; the query over the last
//! day with the thresholds as markers; each group's state and its timeline of transitions; the
//! notifications sent, failures and their errors included; recent events; mute/unmute, edit and
//! delete. Everything from the API is shown as text.

use std::sync::Arc;

use dogwatch_core::monitor::message::{format_utc, format_value};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::api::{ApiError, Event, use_backend};
use crate::chart::{ChartOptions, GraphData};
use crate::components::timeseries::Timeseries;
use crate::monitor_form::MonitorForm;
use crate::nav::use_location;

use super::form::{last_day, markers};
use super::{edit_path, state_class};

/// Everything the page shows, loaded together.
#[derive(Clone)]
struct Loaded {
    monitor: Value,
    history: Value,
    events: Vec<Event>,
}

/// `v[key]` as text: strings as they are, numbers as written, null and absent as "".
fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.as_f64().map(format_value).unwrap_or_default(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// `v[key]` (epoch milliseconds) as a UTC time, "" when absent.
fn time(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_i64)
        .map(format_utc)
        .unwrap_or_default()
}

fn items<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[component]
pub fn MonitorStatusPage(id: i64) -> impl IntoView {
    let backend = use_backend();
    let loaded = RwSignal::new(None::<Result<Loaded, ApiError>>);
    let graph = RwSignal::new(None::<GraphData>);
    let action_error = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(false);
    let reload = {
        let backend = backend.clone();
        move || {
            let monitor = backend.monitor(id, None);
            let history = backend.monitor_history(id, None);
            let week = last_day();
            let week = dogwatch_core::timeframe::TimeRange {
                from_ms: week.to_ms - 7 * 86_400_000,
                ..week
            };
            let events = backend.events(Some(id), week, None);
            let backend = backend.clone();
            spawn_local(async move {
                let answer = async {
                    Ok::<_, ApiError>(Loaded {
                        monitor: monitor.await?,
                        history: history.await?,
                        events: events.await?,
                    })
                }
                .await;
                // The graph: the metric part of the query over the last day.
                if let Ok(l) = &answer {
                    let form = MonitorForm::from_monitor(&l.monitor);
                    let range = last_day();
                    let request = backend.query(&form.full_metric_query(), range, None);
                    spawn_local(async move {
                        if let Ok(response) = request.await {
                            graph.try_set(Some(GraphData {
                                response: Arc::new(response),
                                range,
                            }));
                        }
                    });
                }
                loaded.try_set(Some(answer));
            });
        }
    };
    reload();
    let act = {
        let backend = backend.clone();
        let reload = reload.clone();
        move |mute: bool| {
            let request = backend.mute_monitor(id, mute);
            let reload = reload.clone();
            spawn_local(async move {
                match request.await {
                    Ok(_) => reload(),
                    Err(e) => action_error.set(Some(format!("Could not change the mute: {e}"))),
                }
            });
        }
    };
    let location = use_location();
    let delete = move |_| {
        let request = backend.delete_monitor(id);
        spawn_local(async move {
            match request.await {
                Ok(()) => location.navigate(super::PATH),
                Err(e) => action_error.set(Some(format!("Could not delete: {e}"))),
            }
        });
    };
    let options = Signal::derive(move || {
        let thresholds = loaded.with(|l| match l {
            Some(Ok(l)) => MonitorForm::from_monitor(&l.monitor)
                .parsed()
                .map(|(_, t)| t),
            _ => None,
        });
        ChartOptions {
            markers: markers(thresholds.as_ref()),
            ..ChartOptions::default()
        }
    });

    view! {
        <section class="page monitor-status">
            {move || action_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {move || match loaded.get() {
                None => view! { <p class="state">"Loading the monitor…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="state error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(l)) => {
                    let m = &l.monitor;
                    let muted = m.pointer("/options/silenced").and_then(Value::as_object).is_some_and(|s| !s.is_empty());
                    let state = text(m, "overall_state");
                    let act = act.clone();
                    document().set_title(&format!("{} · Monitors · dogwatch", text(m, "name")));
                    view! {
                        <header class="page-header">
                            <h1>{text(m, "name")}</h1>
                            <span class=state_class(&state) data-testid="overall-state">{state.clone()}</span>
                            {muted.then(|| view! { <span class="badge muted-badge">"Muted"</span> })}
                            <div class="actions">
                                <button type="button" class="secondary" on:click=move |_| act(!muted)>
                                    {if muted { "Unmute" } else { "Mute" }}
                                </button>
                                <a class="button secondary" href=edit_path(id)>"Edit"</a>
                                <button type="button" class="danger" on:click=move |_| confirm.set(true)>"Delete"</button>
                            </div>
                        </header>
                        <p class="mono monitor-query">{text(m, "query")}</p>
                        <pre class="monitor-message">{text(m, "message")}</pre>
                        <Timeseries graph=graph options/>
                        <Groups history=l.history.clone()/>
                        <Notifications history=l.history.clone()/>
                        <h2>"Recent events"</h2>
                        {if l.events.is_empty() {
                            view! { <p class="state empty">"No events in the past week."</p> }.into_any()
                        } else {
                            view! { <ul class="events">{l.events.iter().map(event_item).collect_view()}</ul> }.into_any()
                        }}
                    }.into_any()
                }
            }}
            {move || confirm.get().then(|| {
                let delete = delete.clone();
                view! {
                <div class="modal-backdrop">
                    <div class="modal" role="dialog" aria-modal="true" aria-label="Delete monitor">
                        <p>"Delete this monitor? This cannot be undone."</p>
                        <div class="actions">
                            <button type="button" class="secondary" on:click=move |_| confirm.set(false)>"Cancel"</button>
                            <button type="button" class="danger" on:click=delete>"Delete"</button>
                        </div>
                    </div>
                </div>
                }
            })}
        </section>
    }
}

/// Each group's state now, and its transitions oldest first.
#[component]
fn Groups(history: Value) -> impl IntoView {
    let groups = items(&history, "groups");
    let transitions = items(&history, "transitions");
    if groups.is_empty() {
        return view! {
            <h2>"Groups"</h2>
            <p class="state empty">"Not evaluated yet: no group has a state."</p>
        }
        .into_any();
    }
    view! {
        <h2>"State timeline"</h2>
        {groups.iter().map(|g| {
            let name = text(g, "group");
            let state = text(g, "state");
            let steps: Vec<&Value> = transitions.iter().filter(|t| text(t, "group") == name).collect();
            view! {
                <div class="group" data-group=name.clone()>
                    <h3>
                        <span class=state_class(&state)>{state.clone()}</span>
                        " " {if name.is_empty() { "(all)".to_owned() } else { name.clone() }}
                        <span class="muted">" since " {time(g, "since_ms")} ", last value " {text(g, "last_value")}</span>
                    </h3>
                    <ol class="timeline">
                        {steps.into_iter().map(|t| view! {
                            <li>
                                <span class="muted">{time(t, "ts_ms")}</span> " "
                                {text(t, "from")} " → " <span class=state_class(&text(t, "to"))>{text(t, "to")}</span>
                                " " {text(t, "value")}
                            </li>
                        }).collect_view()}
                    </ol>
                </div>
            }
        }).collect_view()}
    }
    .into_any()
}

/// The notifications sent for this monitor, delivery failures and their errors included.
#[component]
fn Notifications(history: Value) -> impl IntoView {
    let sent = items(&history, "notifications");
    view! {
        <h2>"Notifications"</h2>
        {if sent.is_empty() {
            view! { <p class="state empty">"No notifications sent yet."</p> }.into_any()
        } else {
            view! {
                <table class="dash-table notifications">
                    <thead><tr><th>"When"</th><th>"To"</th><th>"Subject"</th><th>"Delivery"</th></tr></thead>
                    <tbody>
                        {sent.iter().map(|n| {
                            let state = text(n, "state");
                            let error = text(n, "last_error");
                            let class = format!("delivery-{state}");
                            view! {
                                <tr class=class>
                                    <td class="muted">{time(n, "created_ms")}</td>
                                    <td>{text(n, "channel")} " " {text(n, "target")}</td>
                                    <td>{text(n, "subject")}</td>
                                    <td>
                                        {state} " after " {text(n, "attempts")} " attempt(s)"
                                        {(!error.is_empty()).then(|| view! { <p class="field-error">{error}</p> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// One event of the stream, as text.
pub fn event_item(e: &Event) -> impl IntoView + use<> {
    view! {
        <li class="event" data-event-id=e.id>
            <span class=state_class(&e.to_state)>{e.to_state.clone()}</span>
            " " <span class="muted">{format_utc(e.ts_ms)}</span> " "
            {e.monitor_id.map(|id| view! { <a href=super::monitor_path(id)>{e.title.clone()}</a> }.into_any())
                .unwrap_or_else(|| view! { <span>{e.title.clone()}</span> }.into_any())}
            <pre class="event-text">{e.text.clone()}</pre>
        </li>
    }
}
