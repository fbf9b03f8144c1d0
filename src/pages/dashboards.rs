//! The dashboards list: search, sort by modified, create, clone, delete (after a confirmation), and
//! import a board from JSON.

mod import;

use dogwatch_core::wire::DashboardSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, use_backend};
use crate::app::Navigate;
use crate::pages::board::model::Board;
use crate::session::use_session;

pub const PATH: &str = "/dashboard/lists";

/// The page of one board.
pub fn board_path(id: &str) -> String {
    format!("/dashboard/{id}")
}

/// Rows whose title or description contains every word of `search` (case-insensitive), newest first
/// or oldest first. The API answers newest first; ties keep its order.
pub fn filter_and_sort(
    rows: &[DashboardSummary],
    search: &str,
    newest_first: bool,
) -> Vec<DashboardSummary> {
    let words: Vec<String> = search.split_whitespace().map(str::to_lowercase).collect();
    let mut out: Vec<DashboardSummary> = rows
        .iter()
        .filter(|r| {
            let text = format!(
                "{} {}",
                r.title.to_lowercase(),
                r.description.as_deref().unwrap_or("").to_lowercase()
            );
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .cloned()
        .collect();
    // ISO 8601 times in one zone sort as text.
    dogwatch_core::sort::sort_by(&mut out, |a, b| {
        if newest_first {
            b.modified_at.cmp(&a.modified_at)
        } else {
            a.modified_at.cmp(&b.modified_at)
        }
    });
    out
}

/// "2026-11-21 10:42 UTC" from the API's `2026-11-21T10:42:07.000000+00:00`.
pub fn short_time(iso: &str) -> String {
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => iso.to_owned(),
    }
}

#[component]
pub fn DashboardsPage() -> impl IntoView {
    let backend = use_backend();
    let rows = RwSignal::new(None::<Result<Vec<DashboardSummary>, ApiError>>);
    let reload = {
        let backend = backend.clone();
        move || {
            let request = backend.dashboards(None);
            spawn_local(async move {
                let answer = request.await.map(|l| l.dashboards);
                rows.try_set(Some(answer));
            });
        }
    };
    reload();
    let search = RwSignal::new(String::new());
    let newest_first = RwSignal::new(true);
    let confirm = RwSignal::new(None::<DashboardSummary>);
    let action_error = RwSignal::new(None::<String>);
    let importing = RwSignal::new(false);
    let navigate = Navigate::here();
    let go = move |path: String| navigate.go(&path);

    let create = {
        let backend = backend.clone();
        move |board: Board| {
            let request = backend.create_dashboard(board.to_wire());
            spawn_local(async move {
                match request.await {
                    Ok(v) => match v.known.id {
                        Some(id) => go(board_path(&id)),
                        None => action_error.set(Some("the API answered without an id".into())),
                    },
                    Err(e) => {
                        action_error.set(Some(format!("Could not create the dashboard: {e}")))
                    }
                }
            });
        }
    };
    let create_new = {
        let create = create.clone();
        move |_| create(Board::new(new_title(chrono::Local::now())))
    };
    let clone_board = {
        let backend = backend.clone();
        let create = create.clone();
        move |id: String| {
            let request = backend.dashboard(&id, None);
            let create = create.clone();
            spawn_local(async move {
                match request.await.map(Board::from_wire) {
                    Ok(Ok(mut board)) => {
                        board.title = format!("{} (clone)", board.title);
                        board.read_only = false;
                        create(board);
                    }
                    Ok(Err(e)) => action_error.set(Some(format!("Could not clone: {e}"))),
                    Err(e) => action_error.set(Some(format!("Could not clone: {e}"))),
                }
            });
        }
    };
    let delete = Callback::new({
        let backend = backend.clone();
        let reload = reload.clone();
        move |id: String| {
            let request = backend.delete_dashboard(&id);
            let reload = reload.clone();
            spawn_local(async move {
                match request.await {
                    Ok(()) => {
                        confirm.set(None);
                        reload();
                    }
                    Err(e) => action_error.set(Some(format!("Could not delete: {e}"))),
                }
            });
        }
    });
    let on_clone = Callback::new(clone_board);
    let on_delete = Callback::new(move |row: DashboardSummary| confirm.set(Some(row)));
    let on_import = Callback::new({
        let create = create.clone();
        move |board: Board| create(board)
    });

    let shown = Memo::new(move |_| {
        rows.with(|r| match r {
            Some(Ok(rows)) => Some(Ok(filter_and_sort(rows, &search.get(), newest_first.get()))),
            Some(Err(e)) => Some(Err(e.to_string())),
            None => None,
        })
    });

    view! {
        <section class="page dashboards">
            <header class="page-header">
                <h1>"Dashboards"</h1>
                // A read-only user sees no way to change anything (the API would refuse it too).
                <Show when=move || use_session().can_edit()>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| importing.set(true)>"Import JSON"</button>
                        <button type="button" class="primary" on:click=create_new.clone()>"New Dashboard"</button>
                    </div>
                </Show>
            </header>
            <div class="list-controls">
                <label class="field">
                    <span>"Search"</span>
                    <input type="search" placeholder="Search dashboards" aria-label="Search dashboards"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"Sort by modified"</span>
                    <select aria-label="Sort by modified"
                        on:change=move |ev| newest_first.set(event_target_value(&ev) == "newest")>
                        <option value="newest" selected=move || newest_first.get()>"Newest first"</option>
                        <option value="oldest" selected=move || !newest_first.get()>"Oldest first"</option>
                    </select>
                </label>
            </div>
            {move || action_error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {move || match shown.get() {
                None => view! { <p class="state">"Loading dashboards…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() && search.with(|s| s.trim().is_empty()) => view! {
                    <p class="state empty">"No dashboards yet. Create one, import one from JSON, or send one with the datadog package's api.Timeboard.create."</p>
                }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => view! {
                    <p class="state empty">"No dashboard matches “" {search.get()} "”."</p>
                }.into_any(),
                Some(Ok(rows)) => view! { <DashboardTable rows on_clone on_delete/> }.into_any(),
            }}
            {move || confirm.get().map(|row| view! {
                <ConfirmDelete row on_cancel=Callback::new(move |()| confirm.set(None)) on_delete=delete/>
            })}
            <Show when=move || importing.get()>
                <import::ImportDialog on_import on_close=Callback::new(move |()| importing.set(false))/>
            </Show>
        </section>
    }
}

/// The dashboards as a table: title (a link), description, last modified, clone and delete.
#[component]
fn DashboardTable(
    rows: Vec<DashboardSummary>,
    on_clone: Callback<String>,
    on_delete: Callback<DashboardSummary>,
) -> impl IntoView {
    view! {
        <table class="dash-table">
            <thead><tr><th>"Title"</th><th>"Description"</th><th>"Author"</th><th>"Modified"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let (clone_id, delete_row) = (r.id.clone(), r.clone());
                    view! {
                        <tr class="dash-row">
                            <td><a href=board_path(&r.id)>{r.title.clone()}</a></td>
                            <td class="muted">{r.description.clone().unwrap_or_default()}</td>
                            <td class="muted">{format!("@{}", r.author_handle)}</td>
                            <td class="muted">{short_time(&r.modified_at)}</td>
                            <td class="row-actions">
                                <Show when=move || use_session().can_edit()>
                                    <button type="button" class="link" on:click={
                                        let id = clone_id.clone();
                                        move |_| on_clone.run(id.clone())
                                    }>"Clone"</button>
                                    <button type="button" class="link danger" on:click={
                                        let row = delete_row.clone();
                                        move |_| on_delete.run(row.clone())
                                    }>"Delete"</button>
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Asks before deleting `row`'s dashboard.
#[component]
fn ConfirmDelete(
    row: DashboardSummary,
    on_cancel: Callback<()>,
    on_delete: Callback<String>,
) -> impl IntoView {
    let id = row.id.clone();
    view! {
        <div class="modal-backdrop">
            <div class="modal" role="dialog" aria-modal="true" aria-label="Delete dashboard">
                <p>"Delete “" {row.title.clone()} "”? This cannot be undone."</p>
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button type="button" class="danger" on:click=move |_| on_delete.run(id.clone())>"Delete"</button>
                </div>
            </div>
        </div>
    }
}

/// "New Dashboard Nov 21, 10:42" at `now` (the browser's zone in the app).
fn new_title<Tz: chrono::TimeZone>(now: chrono::DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    now.format("New Dashboard %b %-d, %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, title: &str, description: &str, modified: &str) -> DashboardSummary {
        DashboardSummary {
            id: id.into(),
            title: title.into(),
            description: Some(description.into()),
            layout_type: "free".into(),
            url: String::new(),
            created_at: modified.into(),
            modified_at: modified.into(),
            author_handle: "dogwatch".into(),
            is_read_only: false,
        }
    }

    #[test]
    fn search_matches_every_word_in_title_or_description_and_sorts_by_modified() {
        let rows = vec![
            row(
                "a",
                "MySQL overview",
                "database",
                "2026-11-20T10:00:00.000000+00:00",
            ),
            row(
                "b",
                "Hosts",
                "cpu and memory of every host",
                "2026-11-21T09:00:00.000000+00:00",
            ),
            row(
                "c",
                "My Timeboard",
                "An informative timeboard.",
                "2026-11-19T10:00:00.000000+00:00",
            ),
        ];
        let ids = |v: Vec<DashboardSummary>| v.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(filter_and_sort(&rows, "", true)), ["b", "a", "c"]);
        assert_eq!(ids(filter_and_sort(&rows, "", false)), ["c", "a", "b"]);
        assert_eq!(ids(filter_and_sort(&rows, "my", true)), ["a", "c"]);
        assert_eq!(ids(filter_and_sort(&rows, "CPU host", true)), ["b"]);
        assert!(filter_and_sort(&rows, "nothing", true).is_empty());
        assert_eq!(
            short_time("2026-11-21T10:42:07.000000+00:00"),
            "2026-11-21 10:42 UTC"
        );
    }

    #[test]
    fn a_new_dashboard_is_named_after_its_minute() {
        let at = chrono::DateTime::from_timestamp(1_763_721_720, 0).expect("a time");
        assert_eq!(new_title(at), "New Dashboard Nov 21, 10:42");
    }
}
