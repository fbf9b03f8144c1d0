//! The app shell: the backend in context, the navigation, and the route table.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::api::{HttpBackend, SharedBackend};
use crate::pages::board::BoardPage;
use crate::pages::dashboards::{self, DashboardsPage};
use crate::pages::explorer::{self, ExplorerPage};
use crate::pages::not_found::NotFound;

/// The pages that exist, in the navigation's order: (path, label).
const NAV: &[(&str, &str)] = &[
    (dashboards::PATH, "Dashboards"),
    (explorer::PATH, "Metrics Explorer"),
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
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=|| view! { <Redirect path=explorer::PATH/> }/>
                        <Route path=path!("/metric/explorer") view=ExplorerPage/>
                        <Route path=path!("/dashboard/lists") view=DashboardsPage/>
                        <Route path=path!("/dashboard/:id") view=BoardPage/>
                        <Route path=path!("/dashboard/:id/:slug") view=BoardPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}

#[component]
fn Nav() -> impl IntoView {
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
                                <A href=*path>{*label}</A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
