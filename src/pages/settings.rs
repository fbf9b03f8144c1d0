//! Settings (`/settings`): SMTP as the server was started with (no password), and the users and
//! webhooks that messages @mention, with add and remove.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use wasm_bindgen::JsCast;

use crate::api::{ApiError, ApiFuture, User, Webhook, use_backend};
use crate::dom::{self, add, add_text, attr};
use crate::pages::inbox::inbox_path;
use crate::pages::monitors::status::note;

pub const PATH: &str = "/settings";

/// A JSON object of string members (and `slack_compatible` when given).
fn body(members: &[(&str, String)], slack: Option<bool>) -> Value {
    let mut m = Map::new();
    for (k, v) in members {
        m.insert((*k).to_owned(), v.trim().into());
    }
    if let Some(slack) = slack {
        m.insert("slack_compatible".into(), slack.into());
    }
    Value::Object(m)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let backend = use_backend();
    let settings = RwSignal::new(None::<Result<Value, ApiError>>);
    let users = RwSignal::new(Vec::<User>::new());
    let hooks = RwSignal::new(Vec::<Webhook>::new());
    let error = RwSignal::new(None::<String>);
    let reload = {
        let backend = backend.clone();
        move || {
            let (s, u, w) = (
                backend.settings(None),
                backend.users(None),
                backend.webhooks(None),
            );
            spawn_local(async move {
                settings.try_set(Some(s.await));
                match (u.await, w.await) {
                    (Ok(u), Ok(w)) => {
                        users.try_set(u);
                        hooks.try_set(w);
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        error.try_set(Some(format!("Could not load users and webhooks: {e}")));
                    }
                }
            });
        }
    };
    reload();
    // Every button of the page: add a user or a webhook from the fields, or remove one; then a
    // reload, or the API's words.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some((action, arg)) = dom::action_of(&ev) else {
            return;
        };
        let Some(page) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let value = |name| dom::input_value(&page, name);
        let request: ApiFuture<()> = match action.as_str() {
            "add-user" => {
                let fields = [
                    ("handle", value("handle")),
                    ("name", value("name")),
                    ("email", value("email")),
                ];
                let request = backend.save_contact("users", body(&fields, None));
                Box::pin(async move { request.await.map(drop) })
            }
            "add-webhook" => {
                let fields = [("name", value("hook-name")), ("url", value("hook-url"))];
                let slack = value("slack") == "true";
                let request = backend.save_contact("webhooks", body(&fields, Some(slack)));
                Box::pin(async move { request.await.map(drop) })
            }
            kind => backend.delete_contact(kind, &arg),
        };
        // An added contact's inputs are emptied for the next one; after a refusal they keep what
        // was typed, to be corrected.
        let added: &[&str] = match action.as_str() {
            "add-user" => &["handle", "name", "email"],
            "add-webhook" => &["hook-name", "hook-url", "slack"],
            _ => &[],
        };
        let reload = reload.clone();
        spawn_local(async move {
            match request.await {
                Ok(()) => {
                    dom::clear_inputs(&page, added);
                    error.set(None);
                    reload();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    document().set_title("Settings · dogwatch");

    view! {
        <section class="page settings" on:click=on_click>
            <header class="page-header"><h1>"Settings"</h1></header>
            <h2>"Email (SMTP)"</h2>
            {dom::host("smtp-settings", Box::new(move |el| settings.with(|s| smtp(el, s))))}
            {move || error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            <h2>"Users"</h2>
            {dom::host("contacts users", Box::new(move |el| users.with(|list| {
                for u in list {
                    let li = add(el, "div", "contact");
                    add_text(&li, "span", "", &format!("@{} {} <{}> ", u.handle, u.name, u.email));
                    let inbox = add_text(&li, "a", "link", "Inbox");
                    attr(&inbox, "href", &inbox_path(&u.handle));
                    dom::button(&li, "link danger", "Remove", "users", &u.handle);
                }
            })))}
            <div class="fields add-user">
                <label class="field"><span>"Handle"</span><input type="text" name="handle" aria-label="Handle"/></label>
                <label class="field"><span>"Name"</span><input type="text" name="name" aria-label="Name"/></label>
                <label class="field"><span>"Email"</span><input type="text" name="email" aria-label="Email"/></label>
                <button type="button" class="secondary" data-action="add-user">"Add user"</button>
            </div>
            <h2>"Webhooks"</h2>
            {dom::host("contacts webhooks", Box::new(move |el| hooks.with(|list| {
                for w in list {
                    let li = add(el, "div", "contact");
                    let slack = if w.slack_compatible { " (Slack body)" } else { "" };
                    add_text(&li, "span", "", &format!("@webhook-{} {}{slack} ", w.name, w.url));
                    dom::button(&li, "link danger", "Remove", "webhooks", &w.name);
                }
            })))}
            <div class="fields add-webhook">
                <label class="field"><span>"Webhook name"</span><input type="text" name="hook-name" aria-label="Webhook name"/></label>
                <label class="field"><span>"URL"</span><input type="text" name="hook-url" aria-label="URL"/></label>
                <label class="check"><input type="checkbox" name="slack"/>"Slack-compatible body"</label>
                <button type="button" class="secondary" data-action="add-webhook">"Add webhook"</button>
            </div>
        </section>
    }
}

/// SMTP as the server was started with, or why there is none.
fn smtp(el: &web_sys::Element, answer: &Option<Result<Value, ApiError>>) {
    let s = match answer {
        None => return note(el, "state", "Loading…", false),
        Some(Err(e)) => return note(el, "state error", &e.to_string(), true),
        Some(Ok(s)) => s,
    };
    let smtp = s.get("smtp").cloned().unwrap_or(Value::Null);
    if smtp.get("configured").and_then(Value::as_bool) != Some(true) {
        let words = "Email is not configured: start dogwatch with --smtp-url and --smtp-from (or \
                     DOGWATCH_SMTP_URL and DOGWATCH_SMTP_FROM).";
        return note(el, "state empty", words, false);
    }
    let field = |k: &str| {
        smtp.get(k)
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default()
    };
    let dl = add(el, "dl", "smtp");
    let server = format!("{}:{}", field("host"), field("port"));
    for (term, value) in [
        ("Server", server),
        ("TLS", field("tls")),
        ("From", field("from")),
    ] {
        add_text(&dl, "dt", "", term);
        add_text(&dl, "dd", "", &value);
    }
}
