//! A snapshot's page for a visitor who is not signed in: the one address the app shows to nobody in
//! particular. A public snapshot shows its title and graph (the server sends nothing more: no
//! sender, message or comments) and a way to sign in for the discussion; a private one (the
//! server's 403) shows the login form, which leads back to the whole page.

use leptos::prelude::*;

use super::{Failure, FrozenGraph, failure_view, load};
use crate::pages::login::LoginPage;

#[component]
pub fn SnapshotVisit(
    id: String,
    /// Why the visitor is not signed in, when there is something to say (the session ended).
    why: Option<String>,
) -> impl IntoView {
    let loaded = load(&id);
    let signing_in = RwSignal::new(false);
    let why = StoredValue::new(why);
    move || {
        if signing_in.get() {
            return view! { <LoginPage why=why.get_value()/> }.into_any();
        }
        match loaded.get() {
            None => view! { <p class="signing-in">"Loading…"</p> }.into_any(),
            Some(Err(e)) if e.is_signed_out() => view! {
                <LoginPage why=Some("This snapshot is private: sign in to see it.".to_owned())/>
            }
            .into_any(),
            Some(Err(e)) => view! {
                <Visitor on_sign_in=Callback::new(move |()| signing_in.set(true))>
                    {failure_view(Failure::of(&e))}
                </Visitor>
            }
            .into_any(),
            Some(Ok(s)) => {
                let title = s.title.clone();
                view! {
                    <Visitor on_sign_in=Callback::new(move |()| signing_in.set(true))>
                        <header class="page-header"><h1>{title}</h1></header>
                        <FrozenGraph snapshot=s/>
                        <p class="visitor-hint">
                            "Sign in to see the discussion."
                            <button type="button" class="link" on:click=move |_| signing_in.set(true)>"Sign in"</button>
                        </p>
                    </Visitor>
                }
                .into_any()
            }
        }
    }
}

/// The page around what a visitor sees: the brand and a way to sign in, no navigation.
#[component]
fn Visitor(on_sign_in: Callback<()>, children: Children) -> impl IntoView {
    view! {
        <div class="visitor">
            <header class="visitor-bar">
                <span class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    "dogwatch"
                </span>
                <button type="button" class="nav-signout" on:click=move |_| on_sign_in.run(())>"Sign in"</button>
            </header>
            <main class="content">
                <section class="page snapshot-page">{children()}</section>
            </main>
        </div>
    }
}
