//! Your account (`/account`): who you are, and a new password (your other sessions end).

use dogwatch_core::wire::PasswordChange;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_backend;
use crate::session::use_session;

pub const PATH: &str = "/account";

#[component]
pub fn AccountPage() -> impl IntoView {
    document().set_title("Your account · dogwatch");
    let backend = use_backend();
    let me = use_session().me().unwrap_or_default();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = backend.change_password(PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
        spawn_local(async move {
            let done = request.await.map_err(|e| e.to_string());
            if done.is_ok() {
                current.set(String::new());
                new.set(String::new());
            }
            outcome.set(Some(done));
        });
    };
    view! {
        <section class="page account-page">
            <header class="page-header"><h1>"Your account"</h1></header>
            <dl class="account">
                <dt>"Handle"</dt><dd>{format!("@{}", me.handle)}</dd>
                <dt>"Name"</dt><dd>{me.name.clone()}</dd>
                <dt>"Email"</dt><dd>{me.email.clone()}</dd>
                <dt>"Role"</dt><dd>{me.role.code().replace('_', " ")}</dd>
            </dl>
            <h2>"Change your password"</h2>
            <form class="fields password-form" on:submit=submit>
                <label class="field"><span>"Current password"</span>
                    <input type="password" autocomplete="current-password" required
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev))/>
                </label>
                <label class="field"><span>"New password"</span>
                    <input type="password" autocomplete="new-password" required minlength="10"
                        placeholder="at least 10 characters"
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev))/>
                </label>
                <button type="submit" class="secondary">"Change password"</button>
            </form>
            {move || outcome.get().map(|o| match o {
                Ok(()) => view! {
                    <p class="state" role="status">"Password changed. Your other sessions have ended."</p>
                }.into_any(),
                Err(e) => view! { <p class="state error" role="alert">{e}</p> }.into_any(),
            })}
        </section>
    }
}
