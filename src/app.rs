//! The app shell: the backend in context, the navigation, and the route table.

use std::sync::Arc;

use leptos::prelude::*;

use crate::api::{HttpBackend, SharedBackend};
use crate::nav::{Location, use_location};
use crate::pages::board::BoardPage;
use crate::pages::dashboards::{self, DashboardsPage};
use crate::pages::events::{self, EventsPage};
use crate::pages::explorer::{self, ExplorerPage};
use crate::pages::inbox::{self, InboxPage};
use crate::pages::monitors::form::MonitorFormPage;
use crate::pages::monitors::status::MonitorStatusPage;
use crate::pages::monitors::{self, MonitorsPage};
use crate::pages::not_found::NotFound;
use crate::pages::settings::{self, SettingsPage};

/// The pages that exist, in the navigation's order: (path, label).
const NAV: &[(&str, &str)] = &[
    (dashboards::PATH, "Dashboards"),
    (monitors::PATH, "Monitors"),
    (explorer::PATH, "Metrics Explorer"),
    (events::PATH, "Events"),
    (settings::PATH, "Settings"),
];

#[component]
pub fn App() -> impl IntoView {
    let backend: SharedBackend = Arc::new(HttpBackend::same_origin());
    provide_context(backend);
    Location::install();

    view! {
        <div class="shell">
            <Nav/>
            <main class="content">
                <Pages/>
            </main>
        </div>
    }
}

/// The pages, by address.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Page {
    Root,
    Explorer,
    Dashboards,
    Board,
    Monitors,
    MonitorCreate,
    MonitorEdit(i64),
    MonitorStatus(i64),
    Events,
    Settings,
    Inbox(String),
    NotFound,
}

/// The page at `path`: `/`, `/metric/explorer`, `/dashboard/lists`, `/dashboard/:id`,
/// `/dashboard/:id/:slug`, `/monitors/manage`, `/monitors/create`, `/monitors/:id`,
/// `/monitors/:id/edit`, `/event/explorer`, `/settings` and `/inbox/:handle` (a trailing slash
/// ignored).
fn page_of(path: &str) -> Page {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    if path == "/" {
        return Page::Root;
    }
    if path == explorer::PATH {
        return Page::Explorer;
    }
    if path == dashboards::PATH {
        return Page::Dashboards;
    }
    match path {
        monitors::PATH => return Page::Monitors,
        monitors::CREATE_PATH => return Page::MonitorCreate,
        events::PATH => return Page::Events,
        settings::PATH => return Page::Settings,
        _ => {}
    }
    if let Some(handle) = inbox::handle_of(path) {
        return Page::Inbox(handle.to_owned());
    }
    match monitors::monitor_of(path) {
        Some((id, true)) => return Page::MonitorEdit(id),
        Some((id, false)) => return Page::MonitorStatus(id),
        None => {}
    }
    match crate::pages::board::board_id(path) {
        Some(_) => Page::Board,
        None => Page::NotFound,
    }
}

/// The route table, matched by hand (`leptos_router`'s `<Routes>` matcher alone was some 34 KB of
/// gzipped wasm). The page is only rebuilt when the address moves to another page.
#[component]
fn Pages() -> impl IntoView {
    let location = use_location();
    let page = Memo::new(move |_| location.path.with(|p| page_of(p)));
    move || match page.get() {
        Page::Root => {
            // Not while this view is being built: it would change the signal it reads.
            request_animation_frame(move || location.replace(explorer::PATH));
            ().into_any()
        }
        Page::Explorer => view! { <ExplorerPage/> }.into_any(),
        Page::Dashboards => view! { <DashboardsPage/> }.into_any(),
        Page::Board => view! { <BoardPage/> }.into_any(),
        Page::Monitors => view! { <MonitorsPage/> }.into_any(),
        Page::MonitorCreate => view! { <MonitorFormPage id=None/> }.into_any(),
        Page::MonitorEdit(id) => view! { <MonitorFormPage id=Some(id)/> }.into_any(),
        Page::MonitorStatus(id) => view! { <MonitorStatusPage id/> }.into_any(),
        Page::Events => view! { <EventsPage/> }.into_any(),
        Page::Settings => view! { <SettingsPage/> }.into_any(),
        Page::Inbox(handle) => view! { <InboxPage handle/> }.into_any(),
        Page::NotFound => view! { <NotFound/> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_map_to_pages() {
        assert_eq!(page_of("/"), Page::Root);
        assert_eq!(page_of("/metric/explorer"), Page::Explorer);
        assert_eq!(page_of("/metric/explorer/"), Page::Explorer);
        assert_eq!(page_of("/dashboard/lists"), Page::Dashboards);
        assert_eq!(page_of("/dashboard/abc-123"), Page::Board);
        assert_eq!(page_of("/dashboard/abc-123/my-board"), Page::Board);
        assert_eq!(page_of("/dashboard"), Page::NotFound);
        assert_eq!(page_of("/dashboard/a/b/c"), Page::NotFound);
        assert_eq!(page_of("/nope"), Page::NotFound);
        assert_eq!(page_of("/monitors/manage"), Page::Monitors);
        assert_eq!(page_of("/monitors/create"), Page::MonitorCreate);
        assert_eq!(page_of("/monitors/7"), Page::MonitorStatus(7));
        assert_eq!(page_of("/monitors/7/edit/"), Page::MonitorEdit(7));
        assert_eq!(page_of("/monitors/x"), Page::NotFound);
        assert_eq!(page_of("/event/explorer"), Page::Events);
        assert_eq!(page_of("/settings"), Page::Settings);
        assert_eq!(page_of("/inbox/alice"), Page::Inbox("alice".into()));
        assert_eq!(page_of("/inbox/"), Page::NotFound);
        assert_eq!(section("/monitors/7/edit"), "/monitors");
        assert_eq!(section("/settings"), "/settings");
    }
}

#[component]
fn Nav() -> impl IntoView {
    let location = use_location();
    view! {
        <nav class="nav" aria-label="Main">
            <a class="brand" href=explorer::PATH>
                <span class="brand-mark" aria-hidden="true"></span>
                "dogwatch"
            </a>
            <ul class="nav-links">
                {NAV
                    .iter()
                    .map(|(path, label)| {
                        view! {
                            <li>
                                <a
                                    href=*path
                                    aria-current=move || {
                                        location.path.with(|p| section(p) == section(path)).then_some("page")
                                    }
                                >
                                    {*label}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The first segment of a path (`/monitors/7/edit` → `/monitors`): the nav entry that is current.
fn section(path: &str) -> &str {
    let end = path[1.min(path.len())..]
        .find('/')
        .map_or(path.len(), |i| i + 1);
    &path[..end]
}
