//! The app shell: the backend and the session in context, the login form for whoever is not
//! signed in, and for whoever is: the navigation (with who they are) and the route table
//! (leptos_router).

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Redirect, Route, Router};
use leptos_router::hooks::{use_location, use_navigate, use_params_map};
use leptos_router::{NavigateOptions, path};

use leptos::task::spawn_local;

use crate::api::{HttpBackend, SharedBackend, use_backend};
use crate::pages::account::{self, AccountPage};
use crate::pages::apm;
use crate::pages::apm::compare::ComparePage;
use crate::pages::apm::resource::ResourcePage;
use crate::pages::apm::search::TraceSearchPage;
use crate::pages::apm::service::ServicePage;
use crate::pages::apm::services::ServicesPage;
use crate::pages::apm::trace::TracePage;
use crate::pages::board::BoardPage;
use crate::pages::dashboards::{self, DashboardsPage};
use crate::pages::downtimes::DowntimesPage;
use crate::pages::downtimes::form::DowntimeFormPage;
use crate::pages::events::{self, EventsPage};
use crate::pages::explorer::{self, ExplorerPage};
use crate::pages::inbox::{self, InboxPage};
use crate::pages::keys::{self, KeysPage};
use crate::pages::login::LoginPage;
use crate::pages::monitors::form::MonitorFormPage;
use crate::pages::monitors::status::MonitorStatusPage;
use crate::pages::monitors::{self, MonitorsPage};
use crate::pages::not_found::NotFound;
use crate::pages::settings::{self, SettingsPage};
use crate::pages::snapshot::visit::SnapshotVisit;
use crate::pages::snapshot::{self, SnapshotPage};
use crate::session::{Session, SignIn, use_session};

/// The pages that exist, in the navigation's order: (path, label, for admins only).
const NAV: &[(&str, &str, bool)] = &[
    (dashboards::PATH, "Dashboards", false),
    (monitors::PATH, "Monitors", false),
    (explorer::PATH, "Metrics Explorer", false),
    (apm::PATH, "APM", false),
    (events::PATH, "Events", false),
    (inbox::PATH, "Inbox", false),
    (keys::PATH, "Keys", false),
    (settings::PATH, "Settings", true),
];

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    let signed_out = Trigger::new();
    let backend: SharedBackend = Arc::new(HttpBackend::same_origin(signed_out));
    provide_context(backend.clone());
    // A 403 is also what a role that may not do something gets: ask who is signed in before
    // showing the login form.
    let recheck = backend.clone();
    Effect::watch(
        move || signed_out.track(),
        move |_, _, _| {
            let request = recheck.me(None);
            spawn_local(async move {
                if request.await.is_err_and(|e| e.is_signed_out()) {
                    session.lost();
                }
            });
        },
        false,
    );
    let request = backend.me(None);
    spawn_local(async move {
        session.set(match request.await {
            Ok(me) => SignIn::In(me),
            Err(e) if e.is_signed_out() => SignIn::Out { why: None },
            Err(e) => SignIn::Out {
                why: Some(e.to_string()),
            },
        });
    });
    // Only a change between signed in and out draws the page anew.
    let phase = Memo::new(move |_| match session.state() {
        SignIn::Checking => 0,
        SignIn::Out { .. } => 1,
        SignIn::In(_) => 2,
    });
    move || match phase.get() {
        0 => view! { <p class="signing-in">"Loading…"</p> }.into_any(),
        1 => {
            let why = match session.state() {
                SignIn::Out { why } => why,
                _ => None,
            };
            // The one address with something for a visitor: a snapshot, which the server shows
            // them when its sender made the link public (and refuses otherwise).
            let path = window().location().pathname().unwrap_or_default();
            match snapshot::id_in_path(&path) {
                Some(id) => view! { <SnapshotVisit id=id.to_owned() why/> }.into_any(),
                None => view! { <LoginPage why/> }.into_any(),
            }
        }
        _ => view! { <Shell/> }.into_any(),
    }
}

#[component]
fn Shell() -> impl IntoView {
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
                        <Route path=path!("/monitors/create") view=|| view! { <EditorsOnly><MonitorFormPage id=None/></EditorsOnly> }/>
                        <Route path=path!("/monitors/downtimes") view=DowntimesPage/>
                        <Route path=path!("/monitors/downtimes/new") view=|| view! { <EditorsOnly><DowntimeFormPage/></EditorsOnly> }/>
                        <Route path=path!("/monitors/:id") view=MonitorStatusRoute/>
                        <Route path=path!("/monitors/:id/edit") view=MonitorEditRoute/>
                        <Route path=path!("/apm") view=|| view! { <Redirect path=apm::PATH/> }/>
                        <Route path=path!("/apm/services") view=ServicesPage/>
                        <Route path=path!("/apm/services/:service") view=ServiceRoute/>
                        <Route path=path!("/apm/resource") view=ResourcePage/>
                        <Route path=path!("/apm/traces") view=TraceSearchPage/>
                        <Route path=path!("/apm/trace/:id") view=TraceRoute/>
                        <Route path=path!("/apm/compare") view=ComparePage/>
                        <Route path=path!("/event/explorer") view=EventsPage/>
                        <Route path=path!("/settings") view=SettingsPage/>
                        <Route path=path!("/keys") view=KeysPage/>
                        <Route path=path!("/account") view=AccountPage/>
                        <Route path=path!("/inbox") view=MyInboxRoute/>
                        <Route path=path!("/inbox/:handle") view=InboxRoute/>
                        <Route path=path!("/snapshot/:id") view=SnapshotRoute/>
                    </FlatRoutes>
                </main>
            </div>
        </Router>
    }
}

/// A page that changes things, for those whose role may; others (reaching it by its address) are
/// told why not.
#[component]
fn EditorsOnly(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    view! {
        <Show when=move || session.can_edit() fallback=|| view! {
            <section class="page">
                <p class="state error" role="alert">
                    "Your role is read only: you can look at monitors and dashboards, not create or change them."
                </p>
            </section>
        }>
            {children()}
        </Show>
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
        Some(id) => view! { <EditorsOnly><MonitorFormPage id=Some(id)/></EditorsOnly> }.into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

/// The signed-in person's own inbox.
#[component]
fn MyInboxRoute() -> impl IntoView {
    let handle = use_session().me().map(|me| me.handle).unwrap_or_default();
    view! { <InboxPage handle/> }
}

#[component]
fn InboxRoute() -> impl IntoView {
    let handle = use_params_map().with_untracked(|p| p.get("handle").unwrap_or_default());
    view! { <InboxPage handle/> }
}

/// A path parameter as it was before percent-encoding (a service may have a space or a slash).
fn param(name: &str) -> String {
    let raw = use_params_map().with_untracked(|p| p.get(name).unwrap_or_default());
    js_sys::decode_uri_component(&raw).map_or(raw, String::from)
}

#[component]
fn ServiceRoute() -> impl IntoView {
    // Keyed on the service, so that following a link to another service makes a new page.
    let service = use_params_map();
    move || {
        service.track();
        view! { <ServicePage service=param("service")/> }
    }
}

#[component]
fn TraceRoute() -> impl IntoView {
    let id = use_params_map();
    move || {
        id.track();
        view! { <TracePage id=param("id")/> }
    }
}

#[component]
fn SnapshotRoute() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let navigate = Navigate::here();
    // A deleted snapshot's page has nothing left to show: on to the event stream it was shared in.
    let on_deleted = Callback::new(move |()| navigate.go(events::PATH));
    view! { <SnapshotPage id on_deleted/> }
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
    let session = use_session();
    let admin = session.is_admin();
    view! {
        <nav class="nav" aria-label="Main">
            <A href=explorer::PATH attr:class="brand">
                <span class="brand-mark" aria-hidden="true"></span>
                "dogwatch"
            </A>
            <ul class="nav-links">
                {NAV
                    .iter()
                    .filter(|(_, _, admins_only)| admin || !admins_only)
                    .map(|(href, label, _)| {
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
                                    {(*href == inbox::PATH).then(|| view! { <Unread/> })}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <Who/>
        </nav>
    }
}

/// The number of unread inbox messages, beside the Inbox link: asked when the app opens and every
/// minute; the inbox page sets it to zero when it marks them read.
#[component]
fn Unread() -> impl IntoView {
    let session = use_session();
    let backend = use_backend();
    let handle = session.me().map(|me| me.handle).unwrap_or_default();
    let ask = move || {
        if handle.is_empty() {
            return;
        }
        let request = backend.inbox(&handle, None);
        spawn_local(async move {
            if let Ok(inbox) = request.await {
                session.unread.try_set(inbox.unread);
            }
        });
    };
    ask();
    let timer = set_interval_with_handle(ask, std::time::Duration::from_secs(60));
    on_cleanup(move || {
        if let Ok(t) = timer {
            t.clear();
        }
    });
    move || {
        let n = session.unread.get();
        (n > 0)
            .then(|| view! { <span class="nav-badge" aria-label=format!("{n} unread")>{n}</span> })
    }
}

/// Who is signed in, and the way out.
#[component]
fn Who() -> impl IntoView {
    let session = use_session();
    let backend = use_backend();
    let me = session.me().unwrap_or_default();
    let sign_out = move |_| {
        let request = backend.logout();
        spawn_local(async move {
            // Signed out either way: a failed logout leaves a session that expires on its own.
            let _ = request.await;
            session.set(SignIn::Out { why: None });
        });
    };
    let who = if me.anonymous {
        me.name.clone()
    } else {
        format!("@{}", me.handle)
    };
    view! {
        <div class="nav-user">
            {if me.anonymous {
                view! { <span class="nav-handle">{who}</span> }.into_any()
            } else {
                view! { <a class="nav-handle" href=account::PATH title="Your account">{who}</a> }.into_any()
            }}
            <span class="nav-role">{me.role.code().replace('_', " ")}</span>
            <Show
                when=move || !me.anonymous
                // A visitor let in by --anonymous-viewer may still sign in to change things.
                fallback=move || view! {
                    <button class="nav-signout" type="button"
                        on:click=move |_| session.set(SignIn::Out { why: None })>"Sign in"</button>
                }
            >
                <button class="nav-signout" type="button" on:click=sign_out.clone()>"Sign out"</button>
            </Show>
        </div>
    }
}

/// The first segment of a path (`/monitors/7/edit` → `/monitors`): the nav entry that is current.
fn section(path: &str) -> &str {
    let end = path[1.min(path.len())..]
        .find('/')
        .map_or(path.len(), |i| i + 1);
    &path[..end]
}
