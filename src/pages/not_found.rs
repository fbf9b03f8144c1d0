//! What an unknown address shows.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::pages::explorer;

#[component]
pub fn NotFound() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <section class="page not-found">
            <h1>"Page not found"</h1>
            <p>
                "There is no page at " <code>{move || path.get()}</code> "."
            </p>
            <p>
                <a href=explorer::PATH>"Go to the Metrics Explorer"</a>
            </p>
        </section>
    }
}
