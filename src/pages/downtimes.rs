//! Downtimes (`/monitors/downtimes`): active, scheduled and past, searchable by scope, monitor and
//! creator; cancel (editors). `?id=N` marks one (the monitor pages' muted badge links here). The
//! Schedule Downtime form is `form.rs`.

pub mod form;
pub mod model;

use dogwatch_core::wire::{DowntimeV2, Monitor};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use web_sys::Element;

use crate::api::{ApiError, use_backend};
use crate::dom::{self, add, add_text, attr};
use crate::pages::dashboards::short_time;
use crate::pages::monitors::monitor_path;
use crate::pages::monitors::status::note;
use crate::session::use_session;

pub const PATH: &str = "/monitors/downtimes";
pub const NEW_PATH: &str = "/monitors/downtimes/new";

/// The list, with one downtime marked.
pub fn downtime_path(id: i64) -> String {
    format!("{PATH}?id={id}")
}

/// What a downtime silences, in words: `monitor "cpu high"`, `monitors tagged team:web`.
pub fn silences(d: &DowntimeV2, monitors: &[Monitor]) -> String {
    let ident = d.attributes.monitor_identifier.clone().unwrap_or_default();
    match (ident.monitor_id, ident.monitor_tags) {
        (Some(id), _) => match monitors.iter().find(|m| m.id == id) {
            Some(m) => m.name.clone(),
            None => format!("monitor {id}"),
        },
        (None, Some(tags)) if tags.iter().all(|t| t == "*") => "every monitor".to_owned(),
        (None, Some(tags)) => format!("monitors tagged {}", tags.join(", ")),
        (None, None) => "every monitor".to_owned(),
    }
}

/// The creator's handle.
pub fn creator(d: &DowntimeV2) -> String {
    d.relationships
        .as_ref()
        .and_then(|r| r.created_by.data.as_ref())
        .map_or_else(String::new, |c| c.id.clone())
}

/// How it repeats, in a line: `14h, FREQ=WEEKLY;BYDAY=MO,TU (Europe/Paris)`.
pub fn schedule_text(d: &DowntimeV2) -> String {
    let Some(s) = &d.attributes.schedule else {
        return String::new();
    };
    let zone = s.timezone.clone().unwrap_or_else(|| "UTC".to_owned());
    match &s.recurrences {
        Some(list) => list
            .iter()
            .map(|r| {
                let rule = r.rrule.clone().unwrap_or_default();
                let once = rule == "FREQ=DAILY;COUNT=1";
                format!(
                    "{} {}{} ({zone})",
                    r.start.clone().unwrap_or_default().replace('T', " "),
                    r.duration.clone().unwrap_or_default(),
                    if once {
                        ", once".to_owned()
                    } else {
                        format!(", {rule}")
                    },
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => format!(
            "{} → {}",
            s.start.as_deref().map_or_else(String::new, short_time),
            s.end
                .as_deref()
                .map_or_else(|| "until canceled".to_owned(), short_time)
        ),
    }
}

/// Downtimes with `status` among `statuses`, whose scope, monitor or creator contains every word.
pub fn filter<'a>(
    rows: &'a [DowntimeV2],
    monitors: &[Monitor],
    statuses: &[&str],
    search: &str,
) -> Vec<&'a DowntimeV2> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    rows.iter()
        .filter(|d| statuses.contains(&d.attributes.status.as_deref().unwrap_or("")))
        .filter(|d| {
            let text = format!(
                "{} {} {} {}",
                d.attributes.scope.clone().unwrap_or_default(),
                silences(d, monitors),
                creator(d),
                d.attributes.message.clone().unwrap_or_default()
            )
            .to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .collect()
}

#[component]
pub fn DowntimesPage() -> impl IntoView {
    document().set_title("Downtimes · dogwatch");
    let backend = use_backend();
    let can_edit = use_session().can_edit();
    let rows = RwSignal::new(None::<Result<Vec<DowntimeV2>, ApiError>>);
    let monitors = RwSignal::new(Vec::<Monitor>::new());
    let reload = {
        let backend = backend.clone();
        move || {
            let (list, names) = (backend.downtimes(None), backend.monitors(None));
            spawn_local(async move {
                // The monitors' names first, so that rows never show a bare monitor id.
                let (list, names) = (list.await, names.await);
                if let Ok(m) = names {
                    monitors.try_set(m);
                }
                rows.try_set(Some(list));
            });
        }
    };
    reload();
    let query = use_query_map();
    let marked = Memo::new(move |_| query.with(|q| q.get("id").unwrap_or_default()));
    let search = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    // The downtime whose Cancel asks to be confirmed.
    let confirming = RwSignal::new(None::<String>);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((action, id)) = dom::action_of(&ev) else {
            return;
        };
        match action.as_str() {
            "ask" => confirming.set(Some(id)),
            "keep" => confirming.set(None),
            "cancel" => {
                confirming.set(None);
                let request = backend.cancel_downtime(&id);
                let reload = reload.clone();
                spawn_local(async move {
                    match request.await {
                        Ok(()) => reload(),
                        Err(e) => problem.set(Some(format!("Could not cancel the downtime: {e}"))),
                    }
                });
            }
            _ => {}
        }
    };
    view! {
        <section class="page downtimes-page" on:click=on_click>
            <header class="page-header">
                <h1>"Downtimes"</h1>
                <Show when=move || use_session().can_edit()>
                    <div class="actions">
                        <a class="button primary" href=NEW_PATH>"Schedule Downtime"</a>
                    </div>
                </Show>
            </header>
            <p class="muted">"Monitors in a downtime still change state and record it; they notify nobody until it ends. \
                When it ends, what is still alerting is notified then."</p>
            <div class="list-controls">
                <label class="field">
                    <span>"Search"</span>
                    <input type="search" placeholder="Scope, monitor or creator" aria-label="Search downtimes"
                        prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                </label>
            </div>
            {move || problem.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {dom::host("downtime-sections", Box::new(move |el| rows.with(|r| match r {
                None => note(el, "state", "Loading downtimes…", false),
                Some(Err(e)) => note(el, "state error", &e.to_string(), true),
                Some(Ok(list)) => monitors.with(|m| {
                    let confirming = confirming.get();
                    let shown = Shown {
                        monitors: m,
                        search: &search.get(),
                        marked: &marked.get(),
                        confirming: confirming.as_deref(),
                        can_edit,
                    };
                    for (title, class, statuses) in [
                        ("Active", "active", &["active"][..]),
                        ("Scheduled", "scheduled", &["scheduled"][..]),
                        ("Past", "past", &["ended", "canceled"][..]),
                    ] {
                        let section = add(el, "section", &format!("downtime-section {class}"));
                        add_text(&section, "h2", "", title);
                        table(&section, &filter(list, m, statuses, shown.search), &shown);
                    }
                }),
            })))}
        </section>
    }
}

/// What the tables show besides the rows.
struct Shown<'a> {
    monitors: &'a [Monitor],
    search: &'a str,
    /// The id in the address (`?id=`).
    marked: &'a str,
    confirming: Option<&'a str>,
    can_edit: bool,
}

/// One section's downtimes as a table; Cancel (with a confirmation) for editors.
fn table(el: &Element, rows: &[&DowntimeV2], shown: &Shown<'_>) {
    if rows.is_empty() {
        return note(el, "state empty", "None.", false);
    }
    let table = add(el, "table", "key-table downtime-table");
    let head = add(&add(&table, "thead", ""), "tr", "");
    for h in [
        "Status",
        "Silences",
        "Scope",
        "Schedule",
        "Now or next",
        "Created by",
        "Message",
        "",
    ] {
        add_text(&head, "th", "", h);
    }
    let tbody = add(&table, "tbody", "");
    for d in rows {
        let id = d.id.clone().unwrap_or_default();
        let status = d.attributes.status.clone().unwrap_or_default();
        let class = if id == shown.marked {
            "downtime-row marked"
        } else {
            "downtime-row"
        };
        let tr = add(&tbody, "tr", class);
        attr(&tr, "data-downtime-id", &id);
        add_text(
            &add(&tr, "td", ""),
            "span",
            &format!("badge downtime-{status}"),
            &status,
        );
        let what = silences(d, shown.monitors);
        let td = add(&tr, "td", "");
        match d
            .attributes
            .monitor_identifier
            .as_ref()
            .and_then(|m| m.monitor_id)
        {
            Some(m) => attr(&add_text(&td, "a", "", &what), "href", &monitor_path(m)),
            None => dom::text(&td, &what),
        }
        add_text(
            &tr,
            "td",
            "mono",
            &d.attributes.scope.clone().unwrap_or_default(),
        );
        add_text(&tr, "td", "mono", &schedule_text(d));
        let live = status == "active" || status == "scheduled";
        let window = d
            .attributes
            .schedule
            .as_ref()
            .and_then(|s| s.current_downtime.clone())
            .filter(|_| live)
            .map_or_else(String::new, |c| {
                let end = c
                    .end
                    .as_deref()
                    .map_or_else(|| "until canceled".to_owned(), short_time);
                format!("{} → {end}", short_time(&c.start))
            });
        add_text(&tr, "td", "muted", &window);
        add_text(&tr, "td", "", &format!("@{}", creator(d)));
        add_text(
            &tr,
            "td",
            "",
            &d.attributes.message.clone().unwrap_or_default(),
        );
        let actions = add(&tr, "td", "row-actions");
        if shown.can_edit && live {
            if shown.confirming == Some(id.as_str()) {
                add_text(&actions, "span", "", "Cancel this downtime? ");
                dom::button(&actions, "danger", "Cancel downtime", "cancel", &id);
                dom::button(&actions, "link", "Keep", "keep", &id);
            } else {
                dom::button(&actions, "link danger", "Cancel", "ask", &id);
            }
        }
    }
}
