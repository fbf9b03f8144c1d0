//! Keys (`/keys`): the API keys that send metrics (admins) and your own application keys, which
//! read and manage through the API as you. A new key is shown whole once, to copy; afterwards only
//! its last four characters. Revoking a key refuses it at once.

use dogwatch_core::wire::{KeyData, KeyKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, use_backend};
use crate::pages::dashboards::short_time;
use crate::session::use_session;

pub const PATH: &str = "/keys";

#[component]
pub fn KeysPage() -> impl IntoView {
    document().set_title("Keys · dogwatch");
    let admin = use_session().is_admin();
    view! {
        <section class="page keys-page">
            <header class="page-header"><h1>"Keys"</h1></header>
            {admin.then(|| view! {
                <KeySection kind=KeyKind::Api title="API keys"
                    about="Clients and agents send metrics with an API key (DD-API-KEY)."/>
            })}
            <KeySection kind=KeyKind::Application title="Your application keys"
                about="Scripts read and manage through the API as you with an application key \
                       (DD-APPLICATION-KEY), with your role."/>
        </section>
    }
}

#[component]
fn KeySection(kind: KeyKind, title: &'static str, about: &'static str) -> impl IntoView {
    let backend = use_backend();
    let keys = RwSignal::new(None::<Result<Vec<KeyData>, ApiError>>);
    let name = RwSignal::new(String::new());
    let made = RwSignal::new(None::<KeyData>);
    let problem = RwSignal::new(None::<String>);
    let reload = {
        let backend = backend.clone();
        move || {
            let request = backend.keys(kind, None);
            spawn_local(async move {
                keys.try_set(Some(request.await));
            });
        }
    };
    reload();
    let create = {
        let backend = backend.clone();
        let reload = reload.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let request = backend.create_key(kind, name.get_untracked().trim());
            let reload = reload.clone();
            spawn_local(async move {
                match request.await {
                    Ok(key) => {
                        made.set(Some(key));
                        name.set(String::new());
                        problem.set(None);
                        reload();
                    }
                    Err(e) => problem.set(Some(e.to_string())),
                }
            });
        }
    };
    let revoke = Callback::new(move |id: String| {
        let request = backend.revoke_key(kind, &id);
        let reload = reload.clone();
        spawn_local(async move {
            match request.await {
                Ok(()) => {
                    made.update(|m| {
                        if m.as_ref().is_some_and(|k| k.id == id) {
                            *m = None;
                        }
                    });
                    reload();
                }
                Err(e) => problem.set(Some(e.to_string())),
            }
        });
    });
    let label = match kind {
        KeyKind::Api => "New API key",
        KeyKind::Application => "New application key",
    };
    view! {
        <section class="key-section" data-kind=kind.code()>
            <h2>{title}</h2>
            <p class="muted">{about}</p>
            <form class="fields" on:submit=create>
                <label class="field"><span>"Name"</span>
                    <input type="text" aria-label=format!("{label} name") required
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="secondary">{label}</button>
            </form>
            {move || problem.get().map(|e| view! { <p class="state error" role="alert">{e}</p> })}
            {move || made.get().map(|key| {
                let secret = key.attributes.key.clone().unwrap_or_default();
                view! {
                    <div class="new-key" role="status">
                        <p>"Copy the key " <strong>{key.attributes.name.clone()}</strong>
                           " now: it will not be shown again."</p>
                        <input class="mono" readonly aria-label="New key" prop:value=secret
                            on:focus=|ev| {
                                use wasm_bindgen::JsCast;
                                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    input.select();
                                }
                            }/>
                    </div>
                }
            })}
            {move || keys.with(|k| match k {
                None => view! { <p class="state">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="state error" role="alert">{e.to_string()}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="state empty">"No keys yet."</p> }.into_any(),
                Some(Ok(list)) => view! { <KeyTable keys=list.clone() revoke/> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn KeyTable(keys: Vec<KeyData>, revoke: Callback<String>) -> impl IntoView {
    let confirming = RwSignal::new(None::<String>);
    view! {
        <table class="key-table">
            <thead><tr>
                <th>"Name"</th><th>"Key"</th><th>"Created by"</th><th>"Created"</th><th>"Last used"</th>
                <th><span class="sr-only">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {keys.into_iter().map(|k| {
                    let id = k.id.clone();
                    let asking = {
                        let id = id.clone();
                        move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
                    };
                    let ask = {
                        let id = id.clone();
                        move |_| confirming.set(Some(id.clone()))
                    };
                    let sure = {
                        let id = id.clone();
                        move |_| {
                            confirming.set(None);
                            revoke.run(id.clone());
                        }
                    };
                    let attrs = &k.attributes;
                    view! {
                        <tr class="key-row">
                            <td>{attrs.name.clone()}</td>
                            <td class="mono">{format!("••••{}", attrs.last4)}</td>
                            <td>{format!("@{}", k.relationships.created_by.data.id)}</td>
                            <td class="muted">{short_time(&attrs.created_at)}</td>
                            <td class="muted">{attrs.last_used_at.as_deref().map_or_else(|| "never".to_owned(), short_time)}</td>
                            <td class="row-actions">
                                <Show when=asking.clone() fallback=move || view! {
                                    <button type="button" class="link danger" on:click=ask.clone()>"Revoke"</button>
                                }>
                                    <span>"Revoke? Requests with it will be refused. "</span>
                                    <button type="button" class="danger" on:click=sure.clone()>"Revoke key"</button>
                                    <button type="button" class="link" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
