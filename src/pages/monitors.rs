//! Monitors: the list (`/monitors/manage`: name, state, query, tags; search, a state filter,
//! mute/unmute), and the addresses of the form (`form.rs`) and the status page (`status.rs`).

pub mod form;
pub mod status;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

use web_sys::Element;

use dogwatch_core::wire::Monitor;

use crate::api::{ApiError, use_backend};
use crate::app::Navigate;
use crate::dom::{self, add, add_text, attr};
use crate::pages::explorer::state::encode_query_value;
use crate::session::use_session;
use status::{badge, note};

pub const PATH: &str = "/monitors/manage";
pub const CREATE_PATH: &str = "/monitors/create";

/// How often the open list is read again.
const REFRESH: std::time::Duration = std::time::Duration::from_secs(30);

/// The list's address with its search and state filter (each left out when empty).
pub fn list_url(search: &str, state: &str) -> String {
    let params: Vec<String> = [("q", search), ("state", state)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    if params.is_empty() {
        PATH.to_owned()
    } else {
        format!("{PATH}?{}", params.join("&"))
    }
}

/// A monitor's status page.
pub fn monitor_path(id: i64) -> String {
    format!("/monitors/{id}")
}

/// A monitor's form.
pub fn edit_path(id: i64) -> String {
    format!("/monitors/{id}/edit")
}

/// A monitor id in an address: a positive integer.
pub fn parse_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|&id| id > 0)
}

/// The CSS class of a state's badge: `state-alert`, `state-no-data`, …
pub fn state_class(state: &str) -> String {
    format!("badge state-{}", state.to_lowercase().replace(' ', "-"))
}

/// "In downtime", linking to the active downtime that applies to `m`, if there is one: whether
/// it silences every group or only those in its scope, and until when.
pub fn downtime_badge(parent: &Element, m: &Monitor) {
    let Some(d) = m.matching_downtimes.iter().find(|d| d.active) else {
        return;
    };
    let link = add_text(
        parent,
        "a",
        "badge muted-badge downtime-badge",
        "In downtime",
    );
    attr(&link, "href", &crate::pages::downtimes::downtime_path(d.id));
    let scope = if d.scope.iter().all(|s| s == "*") {
        "every group".to_owned()
    } else {
        format!("groups in {}", d.scope.join(", "))
    };
    let until = d.end.map_or_else(
        || "until canceled".to_owned(),
        |end| {
            chrono::DateTime::from_timestamp(end, 0).map_or_else(String::new, |t| {
                format!(
                    "until {}",
                    t.with_timezone(&chrono::Local).format("%a %-d %b %H:%M")
                )
            })
        },
    );
    attr(
        &link,
        "title",
        &format!("Downtime #{} silences {scope} {until}", d.id),
    );
}

/// Monitors whose name, query or tags contain every word of `search` (case-insensitive), in
/// `state` when one is chosen.
pub fn filter(rows: &[Monitor], search: &str, state: &str) -> Vec<Monitor> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    rows.iter()
        .filter(|m| state.is_empty() || m.overall_state == state)
        .filter(|m| {
            let text = format!("{} {} {}", m.name, m.query, m.tags.join(" ")).to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .cloned()
        .collect()
}

#[component]
pub fn MonitorsPage() -> impl IntoView {
    let backend = use_backend();
    let can_edit = use_session().can_edit();
    let rows = RwSignal::new(None::<Result<Vec<Monitor>, ApiError>>);
    let reload = {
        let backend = backend.clone();
        move || {
            let request = backend.monitors(None);
            spawn_local(async move {
                rows.try_set(Some(request.await));
            });
        }
    };
    reload();
    // States change as the evaluator runs: the list is read again every 30 s while open.
    let handle = set_interval_with_handle(reload.clone(), REFRESH);
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });
    // The search and the state filter live in the address, so that a link (and Back) keeps them.
    let query = use_query_map();
    let navigate = Navigate::here();
    let search = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let state = Memo::new(move |_| query.with(|q| q.get("state").unwrap_or_default()));
    let set = move |search: String, state: String| {
        navigate.replace(&list_url(&search, &state));
    };
    let action_error = RwSignal::new(None::<String>);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((action, arg)) = dom::action_of(&ev) else {
            return;
        };
        let Ok(id) = arg.parse::<i64>() else { return };
        let request = backend.mute_monitor(id, action == "mute");
        let reload = reload.clone();
        spawn_local(async move {
            match request.await {
                Ok(_) => reload(),
                Err(e) => action_error.set(Some(format!("Could not change the mute: {e}"))),
            }
        });
    };
    document().set_title("Monitors · dogwatch");

    view! {
        <section class="page monitors" on:click=on_click>
            <header class="page-header">
                <h1>"Monitors"</h1>
                <div class="actions">
                    <a class="button secondary" href=crate::pages::downtimes::PATH>"Downtimes"</a>
                    <Show when=move || use_session().can_edit()>
                        <a class="button primary" href=CREATE_PATH>"New Monitor"</a>
                    </Show>
                </div>
            </header>
            <div class="list-controls">
                <label class="field">
                    <span>"Search"</span>
                    <input type="search" placeholder="Name, query or tag" aria-label="Search monitors"
                        prop:value=move || search.get()
                        on:input=move |ev| set(event_target_value(&ev), state.get_untracked())/>
                </label>
                <label class="field">
                    <span>"State"</span>
                    <select aria-label="Filter by state" on:change=move |ev| set(search.get_untracked(), event_target_value(&ev))>
                        <option value="">"All"</option>
                        {["Alert", "Warn", "No Data", "OK"].map(|s| view! { <option value=s selected=move || state.get() == s>{s}</option> })}
                    </select>
                </label>
            </div>
            {move || action_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {dom::host("monitor-list", Box::new(move |el| rows.with(|r| match r {
                None => note(el, "state", "Loading monitors…", false),
                Some(Err(e)) => note(el, "state error", &e.to_string(), true),
                Some(Ok(rows)) => table(el, &filter(rows, &search.get(), &state.get()), can_edit),
            })))}
        </section>
    }
}

/// The monitors as a table: state, name, query, tags, mute.
/// The monitors' rows; with their Mute buttons when the person may change monitors.
fn table(el: &Element, rows: &[Monitor], can_edit: bool) {
    if rows.is_empty() {
        let words = "No monitors match. Create one with New Monitor, or with the datadog \
                     package's api.Monitor.create.";
        return note(el, "state empty", words, false);
    }
    let table = add(el, "table", "dash-table monitor-table");
    let head = add(&add(&table, "thead", ""), "tr", "");
    for h in ["State", "Name", "Query", "Tags", ""] {
        add_text(&head, "th", "", h);
    }
    let tbody = add(&table, "tbody", "");
    for m in rows {
        let id = m.id.to_string();
        let tr = add(&tbody, "tr", "monitor-row");
        attr(&tr, "data-monitor-id", &id);
        let td = add(&tr, "td", "");
        badge(&td, &m.overall_state);
        if m.is_muted() {
            add_text(&td, "span", "badge muted-badge", "Muted");
        }
        downtime_badge(&td, m);
        let name = add_text(&add(&tr, "td", ""), "a", "", &m.name);
        attr(&name, "href", &monitor_path(m.id));
        add_text(&tr, "td", "mono", &m.query);
        add_text(&tr, "td", "muted", &m.tags.join(", "));
        let (label, action) = if m.is_muted() {
            ("Unmute", "unmute")
        } else {
            ("Mute", "mute")
        };
        let actions = add(&tr, "td", "row-actions");
        if can_edit {
            dom::button(&actions, "link", label, action, &id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_filters() {
        assert_eq!(parse_id("12"), Some(12));
        assert_eq!(parse_id("manage"), None);
        assert_eq!(parse_id("0"), None);
        assert_eq!(state_class("No Data"), "badge state-no-data");
        let rows = vec![
            Monitor {
                id: 1,
                name: "CPU high".into(),
                overall_state: "Alert".into(),
                tags: vec!["team:ops".into()],
                ..Default::default()
            },
            Monitor {
                id: 2,
                name: "disk".into(),
                overall_state: "OK".into(),
                ..Default::default()
            },
        ];
        assert_eq!(list_url("", ""), "/monitors/manage");
        assert_eq!(list_url("cpu", ""), "/monitors/manage?q=cpu");
        assert_eq!(
            list_url("a&b c", "No Data"),
            "/monitors/manage?q=a%26b%20c&state=No%20Data"
        );
        assert_eq!(filter(&rows, "cpu OPS", "").len(), 1);
        assert_eq!(filter(&rows, "", "OK")[0].id, 2);
        assert!(filter(&rows, "cpu", "OK").is_empty());
    }
}
