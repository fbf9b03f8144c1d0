//! An in-app inbox: your own at `/inbox`, anyone's at `/inbox/{handle}` for admins (from the user's
//! row on the settings page). The messages the monitors sent to `@handle`, newest first, each with
//! its subject, time and rendered text. Drawn once per answer with `dom`, as text nodes.

use dogwatch_core::monitor::message::format_utc;
use dogwatch_core::wire::Inbox;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Element;

use crate::api::{ApiError, use_backend};
use crate::dom::{self, add, add_text, attr};
use crate::pages::monitors::status::note;

/// The signed-in person's own inbox.
pub const PATH: &str = "/inbox";

const PREFIX: &str = "/inbox/";

/// The inbox page's address for `handle`.
pub fn inbox_path(handle: &str) -> String {
    format!("{PREFIX}{handle}")
}

#[component]
pub fn InboxPage(handle: String) -> impl IntoView {
    let answer = RwSignal::new(None::<Result<Inbox, ApiError>>);
    let backend = use_backend();
    let session = crate::session::use_session();
    let own = session.me().is_some_and(|me| me.handle == handle);
    let request = backend.inbox(&handle, None);
    let mark = backend.mark_inbox_read(&handle);
    spawn_local(async move {
        let got = request.await;
        // Opening your own inbox reads it: the messages stay marked as they were for this view
        // (new ones stand out), and the count beside the nav's Inbox goes to zero.
        let unread = got.as_ref().map_or(0, |i| i.unread);
        answer.try_set(Some(got));
        if own && unread > 0 && mark.await.is_ok() {
            session.unread.try_set(0);
        }
    });
    document().set_title(&format!("Inbox of @{handle} · dogwatch"));
    let title = format!("Inbox of @{handle}");
    view! {
        <section class="page inbox-page">
            <header class="page-header">
                <h1>{title}</h1>
                <Show when=move || crate::session::use_session().is_admin()>
                    <div class="actions"><a class="button secondary" href=crate::pages::settings::PATH>"Users"</a></div>
                </Show>
            </header>
            {dom::host("inbox", Box::new(move |el| answer.with(|a| messages(el, &handle, a.as_ref()))))}
        </section>
    }
}

fn messages(el: &Element, handle: &str, answer: Option<&Result<Inbox, ApiError>>) {
    let list = match answer {
        None => return note(el, "state", "Loading the inbox…", false),
        Some(Err(e)) => return note(el, "state error", &e.to_string(), true),
        Some(Ok(inbox)) => &inbox.messages,
    };
    if list.is_empty() {
        let words = format!(
            "No messages for @{handle} yet: they arrive when a monitor that mentions @{handle} notifies."
        );
        return note(el, "state empty", &words, false);
    }
    for m in list {
        let item = add(
            el,
            "article",
            if m.read {
                "inbox-message"
            } else {
                "inbox-message unread"
            },
        );
        let head = add(&item, "div", "message-head");
        add_text(&head, "h2", "message-subject", &m.subject);
        if !m.read {
            add_text(&head, "span", "badge new-badge", "New");
        }
        let time = add_text(&head, "time", "muted", &format_utc(m.created_ms));
        attr(&time, "datetime", &m.created_ms.to_string());
        add_text(&item, "pre", "message-body", &m.body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_addresses() {
        assert_eq!(inbox_path("alice"), "/inbox/alice");
    }
}
