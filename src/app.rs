//! The app shell: the backend in context, the navigation, and the route table (leptos_router).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Redirect, Route, Router};
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use leptos_router::{NavigateOptions, path};

use crate::api::{HttpBackend, SharedBackend};
use crate::pages::board::BoardPage;
use crate::pages::dashboards::{self, DashboardsPage};
use crate::pages::events::{self, EventsPage};
use crate::pages::explorer::{self, ExplorerPage};
use crate::pages::inbox::InboxPage;
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

    view! {
        <Router>
            <div class="shell">
                <Nav/>
                <main class="content">
                    <FlatRoutes fallback=NotFound>
                        <Route path=path!("/") view=|| view! { <Redirect path=explorer::PATH/> }/>
                        <Route path=path!("/metric/explorer") view=ExplorerPage/>
                        <Route path=path!("/dashboard/lists") view=DashboardsPage/>
                        <Route path=path!("/dashboard/:id") view=BoardPage/>
                        <Route path=path!("/dashboard/:id/:slug") view=BoardPage/>
                        <Route path=path!("/monitors/manage") view=MonitorsPage/>
                        <Route path=path!("/monitors/create") view=|| view! { <MonitorFormPage id=None/> }/>
                        <Route path=path!("/monitors/:id") view=MonitorStatusRoute/>
                        <Route path=path!("/monitors/:id/edit") view=MonitorEditRoute/>
                        <Route path=path!("/event/explorer") view=EventsPage/>
                        <Route path=path!("/settings") view=SettingsPage/>
                        <Route path=path!("/inbox/:handle") view=InboxRoute/>
                    </FlatRoutes>
                </main>
            </div>
        </Router>
    }
}

/// The `:id` of a monitor's address, when it is one (a positive integer).
fn monitor_id() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|id| monitors::parse_id(&id)))
}

#[component]
fn MonitorStatusRoute() -> impl IntoView {
    match monitor_id() {
        Some(id) => view! { <MonitorStatusPage id/> }.into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

#[component]
fn MonitorEditRoute() -> impl IntoView {
    match monitor_id() {
        Some(id) => view! { <MonitorFormPage id=Some(id)/> }.into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

#[component]
fn InboxRoute() -> impl IntoView {
    let handle = use_params_map().with_untracked(|p| p.get("handle").unwrap_or_default());
    view! { <InboxPage handle/> }
}

/// How pages change the address. Copy, so handlers and page state can hold it; made inside the
/// `<Router>` (leptos_router's navigate function needs its context).
#[derive(Clone, Copy)]
pub struct Navigate(StoredValue<NavigateFn, LocalStorage>);

type NavigateFn = Box<dyn Fn(&str, NavigateOptions)>;

impl Navigate {
    pub fn here() -> Navigate {
        Navigate(StoredValue::new_local(Box::new(use_navigate())))
    }

    /// To another page, with a history entry (Back returns), at its top.
    pub fn go(self, url: &str) {
        self.with(url, false, true);
    }

    /// The same page in another view (a query changed): a history entry, so Back undoes it, and
    /// the page stays where it is scrolled.
    pub fn view(self, url: &str) {
        self.with(url, false, false);
    }

    /// In place of the current entry (a filter being typed, a redirect).
    pub fn replace(self, url: &str) {
        self.with(url, true, false);
    }

    fn with(self, url: &str, replace: bool, scroll: bool) {
        let options = NavigateOptions {
            replace,
            scroll,
            ..NavigateOptions::default()
        };
        self.0.with_value(|navigate| navigate(url, options));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_nav_entry_is_the_first_segment() {
        assert_eq!(section("/monitors/7/edit"), "/monitors");
        assert_eq!(section("/settings"), "/settings");
    }
}

#[component]
fn Nav() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <nav class="nav" aria-label="Main">
            <A href=explorer::PATH attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "dogwatch"
            </A>
            <ul class="nav-links">
                {NAV
                    .iter()
                    .map(|(href, label)| {
                        view! {
                            <li>
                                // Plain links: the router follows them; `<A>` would mark only its
                                // own address current, not the section's other pages.
                                <a
                                    href=*href
                                    aria-current=move || {
                                        path.with(|p| section(p) == section(href)).then_some("page")
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
