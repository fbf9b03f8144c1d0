//! A monitor's status page (`/monitors/{id}`): its state, query and message; the query over the last
//! day with the thresholds as markers, shaded where its recorded transitions put the monitor in
//! Alert, Warn or No Data; each group's state and its timeline of transitions; the
//! notifications sent, failures and their errors included; recent events; mute/unmute, edit and
//! delete. What comes from the API is drawn once per answer with `dom` (as text nodes).

use std::sync::Arc;

use dogwatch_core::monitor::message::{format_utc, format_value};
use dogwatch_core::monitor::{self, Span, State};
use dogwatch_core::timeframe::TimeRange;
use dogwatch_core::wire::{Event, Monitor, MonitorHistory};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Element;

use crate::api::{ApiError, use_backend};
use crate::app::Navigate;
use crate::chart::GraphData;
use crate::components::send_snapshot::{self, SendSnapshot, Subject};
use crate::components::timeseries::Timeseries;
use crate::dom::{self, add, add_text, attr};
use crate::pages::dashboards::short_time;
use crate::pages::monitors::form::state::MonitorForm;
use crate::pages::snapshot;
use crate::session::use_session;

use super::form::{chart_options, last_day, regions};
use super::{edit_path, state_class};

/// Everything the page shows, loaded together.
struct Loaded {
    monitor: Monitor,
    history: MonitorHistory,
    events: Vec<Event>,
}

type Answer = Option<Result<Loaded, ApiError>>;

/// A value as the page writes it, "" for none.
fn value(v: Option<f64>) -> String {
    v.map(format_value).unwrap_or_default()
}

/// Epoch milliseconds as a UTC time, "" for none.
fn time(ts_ms: Option<i64>) -> String {
    ts_ms.map(format_utc).unwrap_or_default()
}

/// A state badge with the state's colour.
pub fn badge(parent: &Element, state: &str) -> Element {
    add_text(parent, "span", &state_class(state), state)
}

/// A "state" paragraph: loading, empty, or (with `alert`) an error.
pub fn note(parent: &Element, class: &str, words: &str, alert: bool) {
    let p = add_text(parent, "p", class, words);
    if alert {
        attr(&p, "role", "alert");
    }
}

#[component]
pub fn MonitorStatusPage(id: i64) -> impl IntoView {
    let backend = use_backend();
    let can_edit = use_session().can_edit();
    let loaded = RwSignal::new(None::<Result<Loaded, ApiError>>);
    let graph = RwSignal::new(None::<GraphData>);
    let graph_error = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let confirm = RwSignal::new(false);
    let reload = {
        let backend = backend.clone();
        move || {
            let monitor = backend.monitor(id, None);
            let history = backend.monitor_history(id, None);
            let day = last_day();
            let week = dogwatch_core::timeframe::TimeRange {
                from_ms: day.to_ms - 7 * 86_400_000,
                ..day
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
                // The graph: the metric part of the query over the last day, as the evaluator reads it.
                if let Ok(l) = &answer {
                    let form = MonitorForm::from_monitor(&l.monitor);
                    let request = backend.query(&form.graph_query(), day, None);
                    spawn_local(async move {
                        match request.await {
                            Ok(response) => {
                                graph_error.try_set(None);
                                graph.try_set(Some(GraphData {
                                    response: Arc::new(response),
                                    range: day,
                                }));
                            }
                            // Over the query budget, say: the blank graph says why.
                            Err(e) => {
                                graph_error
                                    .try_set(Some(format!("The graph could not be drawn: {e}")));
                            }
                        }
                    });
                }
                loaded.try_set(Some(answer));
            });
        }
    };
    reload();
    let navigate = Navigate::here();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let request = match dom::action_of(&ev) {
            Some((action, _)) if action == "delete" => return confirm.set(true),
            Some((action, _)) if action == "delete-confirmed" => {
                let request = backend.delete_monitor(id);
                spawn_local(async move {
                    match request.await {
                        Ok(()) => navigate.go(super::PATH),
                        Err(e) => action_error.set(Some(format!("Could not delete: {e}"))),
                    }
                });
                return;
            }
            Some((action, _)) => backend.mute_monitor(id, action == "mute"),
            None => return,
        };
        let reload = reload.clone();
        spawn_local(async move {
            match request.await {
                Ok(_) => reload(),
                Err(e) => action_error.set(Some(format!("Could not change the mute: {e}"))),
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
        let mut options = graph.with(|g| chart_options(g.as_ref(), thresholds.as_ref()));
        // Shaded where the monitor was in Alert, Warn or No Data, from its recorded transitions.
        options.regions = loaded.with(|l| match (l, graph.with(|g| g.as_ref().map(|g| g.range))) {
            (Some(Ok(l)), Some(range)) => regions(&history_spans(&l.history, range)),
            _ => Vec::new(),
        });
        options
    });

    // The graph as on screen: the monitor's metric query over the day shown, with its thresholds.
    let subject = Callback::new(move |()| {
        let range = graph.with_untracked(|g| g.as_ref().map(|g| g.range))?;
        let (name, query) = loaded.with_untracked(|l| match l {
            Some(Ok(l)) => Some((
                l.monitor.name.clone(),
                MonitorForm::from_monitor(&l.monitor).graph_query(),
            )),
            _ => None,
        })?;
        let drawn = options.get_untracked();
        Some(Subject {
            definition: send_snapshot::timeseries(&name, &[query], drawn.y_axis, drawn.markers),
            title: name,
            range,
        })
    });

    view! {
        <section class="page monitor-status" on:click=on_click>
            {move || action_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {dom::host("status-head", Box::new(move |el| loaded.with(|l| head(el, id, l, can_edit))))}
            {move || graph_error.get().map(|e| view! { <p class="state error" role="alert" data-testid="graph-error">{e}</p> })}
            <Show when=move || graph.with(Option::is_some)>
                <div class="graph-actions"><SendSnapshot subject/></div>
            </Show>
            <Timeseries graph options/>
            {dom::host("status-body", Box::new(move |el| loaded.with(|l| body(el, l))))}
            <Show when=move || confirm.get()>
                <div class="modal-backdrop">
                    <div class="modal" role="dialog" aria-modal="true" aria-label="Delete monitor">
                        <p>"Delete this monitor? This cannot be undone."</p>
                        <div class="actions">
                            <button type="button" class="secondary" on:click=move |_| confirm.set(false)>"Cancel"</button>
                            <button type="button" class="danger" data-action="delete-confirmed">"Delete"</button>
                        </div>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// The spans of the history's transitions (oldest first, as the API lists them) within `range`.
fn history_spans(history: &MonitorHistory, range: TimeRange) -> Vec<Span> {
    let state = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<State>().ok());
    let transitions: Vec<(i64, &str, State, State)> = history
        .transitions
        .iter()
        .filter_map(|t| Some((t.ts_ms, t.group.as_deref()?, state(&t.from)?, state(&t.to)?)))
        .collect();
    monitor::history_spans(&transitions, (range.from_ms, range.to_ms))
}

/// The title, state, actions, query and message; or where the loading is.
/// The monitor's name, state and (for those who may change monitors) its actions.
fn head(el: &Element, id: i64, answer: &Answer, can_edit: bool) {
    let m = match answer {
        None => return note(el, "state", "Loading the monitor…", false),
        Some(Err(e)) => return note(el, "state error", &e.to_string(), true),
        Some(Ok(l)) => &l.monitor,
    };
    let muted = m.is_muted();
    let name = &m.name;
    document().set_title(&format!("{name} · Monitors · dogwatch"));
    let header = add(el, "header", "page-header");
    add_text(&header, "h1", "", name);
    attr(
        &badge(&header, &m.overall_state),
        "data-testid",
        "overall-state",
    );
    if muted {
        add_text(&header, "span", "badge muted-badge", "Muted");
    }
    super::downtime_badge(&header, m);
    if can_edit {
        let actions = add(&header, "div", "actions");
        let (label, action) = if muted {
            ("Unmute", "unmute")
        } else {
            ("Mute", "mute")
        };
        dom::button(&actions, "secondary", label, action, "");
        attr(
            &add_text(&actions, "a", "button secondary", "Schedule Downtime"),
            "href",
            &format!("{}?monitor_id={id}", crate::pages::downtimes::NEW_PATH),
        );
        attr(
            &add_text(&actions, "a", "button secondary", "Edit"),
            "href",
            &edit_path(id),
        );
        dom::button(&actions, "danger", "Delete", "delete", "");
    }
    add_text(el, "p", "mono monitor-query", &m.query);
    add_text(
        el,
        "p",
        "muted monitor-creator",
        &format!(
            "Created by @{} on {}",
            m.creator.handle,
            short_time(&m.created)
        ),
    );
    // The evaluator could not run the query (over its budget, say): the groups below keep the
    // state they had, and this says why.
    if let Some(error) = &m.evaluation_error {
        let p = add_text(
            el,
            "p",
            "state error",
            &format!(
                "Not evaluated since {}: {}",
                error.since.as_deref().unwrap_or_default(),
                error.message
            ),
        );
        attr(&p, "role", "alert");
        attr(&p, "data-testid", "evaluation-error");
    }
    add_text(el, "pre", "monitor-message", &m.message);
}

/// Each group's state and timeline, the notifications sent, and the recent events.
fn body(el: &Element, answer: &Answer) {
    let Some(Ok(l)) = answer else { return };
    let (groups, transitions) = (&l.history.groups, &l.history.transitions);
    add_text(el, "h2", "", "State timeline");
    if groups.is_empty() {
        note(
            el,
            "state empty",
            "Not evaluated yet: no group has a state.",
            false,
        );
    }
    for g in groups {
        let name = &g.group;
        let div = add(el, "div", "group");
        attr(&div, "data-group", name);
        let h3 = add(&div, "h3", "");
        badge(&h3, &g.state);
        // A simple alert has one group, `*`.
        let shown = if name.is_empty() || name == "*" {
            "all"
        } else {
            name
        };
        dom::text(&h3, &format!(" {shown}"));
        let since = format!(
            " since {}, last value {}",
            time(Some(g.since_ms)),
            value(g.last_value)
        );
        add_text(&h3, "span", "muted", &since);
        let ol = add(&div, "ol", "timeline");
        for t in transitions
            .iter()
            .filter(|t| t.group.as_ref() == Some(name))
        {
            let li = add(&ol, "li", "");
            add_text(&li, "span", "muted", &time(Some(t.ts_ms)));
            let from = t.from.as_deref().unwrap_or_default();
            dom::text(&li, &format!(" {from} → "));
            badge(&li, t.to.as_deref().unwrap_or_default());
            dom::text(&li, &format!(" {}", value(t.value)));
            if t.transition.as_deref() == Some("renotify") {
                dom::text(&li, " (notified again)");
            }
            if let Some(d) = t.downtime_id {
                dom::text(&li, " ");
                let link = add_text(
                    &li,
                    "a",
                    "badge muted-badge downtime-badge",
                    "in downtime, not notified",
                );
                attr(&link, "href", &crate::pages::downtimes::downtime_path(d));
            }
        }
    }

    add_text(el, "h2", "", "Notifications");
    let sent = &l.history.notifications;
    if sent.is_empty() {
        note(el, "state empty", "No notifications sent yet.", false);
    } else {
        let table = add(el, "table", "dash-table notifications");
        let head = add(&add(&table, "thead", ""), "tr", "");
        for h in ["When", "To", "Subject", "Delivery"] {
            add_text(&head, "th", "", h);
        }
        let tbody = add(&table, "tbody", "");
        for n in sent {
            let state = &n.state;
            let tr = add(&tbody, "tr", &format!("delivery-{state}"));
            add_text(&tr, "td", "muted", &time(Some(n.created_ms)));
            add_text(&tr, "td", "", &format!("{} {}", n.channel, n.target));
            add_text(&tr, "td", "", &n.subject);
            let attempts = format!("{state} after {} attempt(s)", n.attempts);
            let td = add_text(&tr, "td", "", &attempts);
            if let Some(error) = n.last_error.as_deref().filter(|e| !e.is_empty()) {
                add_text(&td, "p", "field-error", error);
            }
        }
    }

    add_text(el, "h2", "", "Recent events");
    events(el, &l.events);
}

/// Events as a list, or the words for none.
pub fn events(el: &Element, events: &[Event]) {
    if events.is_empty() {
        return note(el, "state empty", "No events in the past week.", false);
    }
    let ul = add(el, "ul", "events");
    for e in events {
        let li = add(&ul, "li", "event");
        attr(&li, "data-event-id", &e.id.to_string());
        // A monitor transition shows the state it went to; a posted event or a downtime's start or
        // end its kind (`info`, `success` …).
        badge(&li, e.to_state.as_deref().unwrap_or(&e.alert_type));
        add_text(&li, "span", "muted", &format!(" {} ", format_utc(e.ts_ms)));
        let page = match (e.monitor_id, &e.snapshot_id) {
            (Some(id), _) => Some(super::monitor_path(id)),
            (None, Some(id)) => Some(snapshot::snapshot_path(id)),
            (None, None) => None,
        };
        match page {
            Some(href) => attr(&add_text(&li, "a", "", &e.title), "href", &href),
            None => {
                add_text(&li, "span", "", &e.title);
            }
        }
        // Who wrote it in dogwatch (a snapshot's sender, a comment's author).
        if let Some(author) = &e.author {
            add_text(&li, "span", "muted event-author", &format!(" by @{author}"));
        }
        add_text(&li, "pre", "event-text", &e.text);
        // A snapshot, and each comment on it (smaller), shows the picture the server drew, linking
        // to its page.
        if let Some(id) = &e.snapshot_id {
            let class = if e.related_event_id.is_some() {
                "event-snapshot reply"
            } else {
                "event-snapshot"
            };
            let link = add(&li, "a", class);
            attr(&link, "href", &snapshot::snapshot_path(id));
            let img = add(&link, "img", "event-snapshot-picture");
            attr(&img, "src", &snapshot::picture_path(id));
            attr(&img, "alt", &e.title);
            attr(&img, "loading", "lazy");
        }
    }
}
