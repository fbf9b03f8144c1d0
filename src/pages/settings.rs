//! Settings (`/settings`): SMTP as the server was started with (no password), and the users and
//! webhooks that messages @mention, with add and remove.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use crate::api::{ApiError, User, Webhook, use_backend};

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
    // One way to add or remove either kind: the request, then a reload or the error in words.
    let run = {
        let reload = reload.clone();
        move |request: crate::api::ApiFuture<()>| {
            let reload = reload.clone();
            spawn_local(async move {
                match request.await {
                    Ok(()) => {
                        error.set(None);
                        reload();
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    let save = {
        let (backend, run) = (backend.clone(), run.clone());
        move |kind: &'static str, body: Value| {
            let request = backend.save_contact(kind, body);
            run(Box::pin(async move { request.await.map(drop) }));
        }
    };
    let remove = {
        let backend = backend.clone();
        move |kind: &'static str, name: String| run(backend.delete_contact(kind, &name))
    };
    let (handle, name, email) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let (hook_name, hook_url, slack) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(false),
    );
    let add_user = {
        let save = save.clone();
        move |_| {
            save(
                "users",
                body(
                    &[
                        ("handle", handle.get()),
                        ("name", name.get()),
                        ("email", email.get()),
                    ],
                    None,
                ),
            )
        }
    };
    let add_hook = move |_| {
        save(
            "webhooks",
            body(
                &[("name", hook_name.get()), ("url", hook_url.get())],
                Some(slack.get()),
            ),
        )
    };
    let input = |label: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field"><span>{label}</span>
                <input type="text" aria-label=label prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    document().set_title("Settings · dogwatch");

    view! {
        <section class="page settings">
            <header class="page-header"><h1>"Settings"</h1></header>
            <h2>"Email (SMTP)"</h2>
            {move || settings.with(|s| match s {
                None => view! { <p class="state">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="state error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(s)) => {
                    let smtp = s.get("smtp").cloned().unwrap_or(Value::Null);
                    let field = |k: &str| smtp.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).unwrap_or_default();
                    if smtp.get("configured").and_then(Value::as_bool) == Some(true) {
                        view! { <dl class="smtp">
                            <dt>"Server"</dt><dd>{field("host")} ":" {field("port")}</dd>
                            <dt>"TLS"</dt><dd>{field("tls")}</dd>
                            <dt>"From"</dt><dd>{field("from")}</dd>
                        </dl> }.into_any()
                    } else {
                        view! { <p class="state empty">"Email is not configured: start dogwatch with --smtp-url and --smtp-from (or DOGWATCH_SMTP_URL and DOGWATCH_SMTP_FROM)."</p> }.into_any()
                    }
                }
            })}
            {move || error.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            <h2>"Users"</h2>
            <ul class="contacts users">
                {let remove = remove.clone(); move || users.get().into_iter().map(|u| {
                    let (remove, handle) = (remove.clone(), u.handle.clone());
                    view! { <li>"@" {u.handle.clone()} " " {u.name.clone()} " <" {u.email.clone()} "> "
                        <button type="button" class="link danger" on:click=move |_| remove("users", handle.clone())>"Remove"</button></li> }
                }).collect_view()}
            </ul>
            <div class="fields add-user">
                {input("Handle", handle)}{input("Name", name)}{input("Email", email)}
                <button type="button" class="secondary" on:click=add_user>"Add user"</button>
            </div>
            <h2>"Webhooks"</h2>
            <ul class="contacts webhooks">
                {move || hooks.get().into_iter().map(|w| {
                    let (remove, hook) = (remove.clone(), w.name.clone());
                    view! { <li>"@webhook-" {w.name.clone()} " " <span class="mono">{w.url.clone()}</span>
                        {w.slack_compatible.then_some(" (Slack body)")} " "
                        <button type="button" class="link danger" on:click=move |_| remove("webhooks", hook.clone())>"Remove"</button></li> }
                }).collect_view()}
            </ul>
            <div class="fields add-webhook">
                {input("Webhook name", hook_name)}{input("URL", hook_url)}
                <label class="check"><input type="checkbox" prop:checked=move || slack.get() on:change=move |ev| slack.set(event_target_checked(&ev))/>"Slack-compatible body"</label>
                <button type="button" class="secondary" on:click=add_hook>"Add webhook"</button>
            </div>
        </section>
    }
}
