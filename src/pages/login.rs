//! The login form: what every address shows to someone who is not signed in.

use dogwatch_core::wire::LoginRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, use_backend};
use crate::session::{SignIn, use_session};

#[component]
pub fn LoginPage(why: Option<String>) -> impl IntoView {
    let backend = use_backend();
    let session = use_session();
    let handle = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(why);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let request = backend.login(LoginRequest {
            handle: handle.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        });
        spawn_local(async move {
            match request.await {
                Ok(me) => session.set(SignIn::In(me)),
                Err(e) => {
                    password.set(String::new());
                    problem.set(Some(match e {
                        ApiError::Rejected {
                            status: 401 | 429,
                            message,
                        } => message,
                        other => other.to_string(),
                    }));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <main class="login">
            <form class="login-card" on:submit=submit>
                <div class="brand login-brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "dogwatch"
                </div>
                <h1>"Sign in"</h1>
                <label>
                    "Handle"
                    <input
                        name="handle"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        prop:value=move || handle.get()
                        on:input=move |ev| handle.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Password"
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                </label>
                <Show when=move || problem.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || problem.get()}</p>
                </Show>
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}
