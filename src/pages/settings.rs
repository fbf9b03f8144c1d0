//! Settings (`/settings`, admins): SMTP as the server was started with (no password), the users
//! (who signs in, with their role, and whom messages @mention) and the webhooks, with add and remove.

use dogwatch_core::wire::{Role, Settings, User, Webhook};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{ApiError, ApiFuture, use_backend};
use crate::dom::{self, add, add_text, attr};
use crate::pages::inbox::inbox_path;
use crate::pages::monitors::status::note;

pub const PATH: &str = "/settings";

#[component]
pub fn SettingsPage() -> impl IntoView {
    let backend = use_backend();
    let settings = RwSignal::new(None::<Result<Settings, ApiError>>);
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
                let handle = value("handle").trim().to_owned();
                let user = User {
                    handle: handle.clone(),
                    name: value("name").trim().to_owned(),
                    email: value("email").trim().to_owned(),
                    role: Role::from_code(&dom::select_value(&page, "role")),
                    ..User::default()
                };
                let password = value("password");
                let saved = backend.save_user(user);
                // The password (if one was typed) once the user exists: it lets them sign in.
                let backend = backend.clone();
                Box::pin(async move {
                    saved.await?;
                    if password.is_empty() {
                        return Ok(());
                    }
                    backend.set_password(&handle, &password).await
                })
            }
            "add-webhook" => {
                let hook = Webhook {
                    name: value("hook-name").trim().to_owned(),
                    url: value("hook-url").trim().to_owned(),
                    slack_compatible: value("slack") == "true",
                };
                let request = backend.save_webhook(hook);
                Box::pin(async move { request.await.map(drop) })
            }
            kind => backend.delete_contact(kind, &arg),
        };
        // An added contact's inputs are emptied for the next one; after a refusal they keep what
        // was typed, to be corrected.
        let added: &[&str] = match action.as_str() {
            "add-user" => &["handle", "name", "email", "password"],
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
                    let role = u.role.unwrap_or_default().code().replace('_', " ");
                    let signs_in = if u.has_password { "" } else { ", cannot sign in yet" };
                    add_text(&li, "span", "muted", &format!("{role}{signs_in} "));
                    let inbox = add_text(&li, "a", "link", "Inbox");
                    attr(&inbox, "href", &inbox_path(&u.handle));
                    dom::button(&li, "link danger", "Remove", "users", &u.handle);
                }
            })))}
            <div class="fields add-user">
                <label class="field"><span>"Handle"</span><input type="text" name="handle" aria-label="Handle"/></label>
                <label class="field"><span>"Name"</span><input type="text" name="name" aria-label="Name"/></label>
                <label class="field"><span>"Email"</span><input type="text" name="email" aria-label="Email"/></label>
                <label class="field"><span>"Role"</span>
                    <select name="role" aria-label="Role">
                        <option value="standard" selected>"Standard"</option>
                        <option value="read_only">"Read only"</option>
                        <option value="admin">"Admin"</option>
                    </select>
                </label>
                <label class="field"><span>"Password"</span>
                    <input type="password" name="password" aria-label="Password" autocomplete="new-password"
                        placeholder="at least 10 characters"/>
                </label>
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
fn smtp(el: &web_sys::Element, answer: &Option<Result<Settings, ApiError>>) {
    let s = match answer {
        None => return note(el, "state", "Loading…", false),
        Some(Err(e)) => return note(el, "state error", &e.to_string(), true),
        Some(Ok(s)) => s,
    };
    let smtp = &s.smtp;
    if !smtp.configured {
        let words = "Email is not configured: start dogwatch with --smtp-url and --smtp-from (or \
                     DOGWATCH_SMTP_URL and DOGWATCH_SMTP_FROM).";
        return note(el, "state empty", words, false);
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let dl = add(el, "dl", "smtp");
    let port = smtp.port.map(|p| p.to_string()).unwrap_or_default();
    let server = format!("{}:{port}", text(&smtp.host));
    for (term, value) in [
        ("Server", server),
        ("TLS", text(&smtp.tls)),
        ("From", text(&smtp.from)),
    ] {
        add_text(&dl, "dt", "", term);
        add_text(&dl, "dd", "", &value);
    }
}
