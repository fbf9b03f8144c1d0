//! What an unknown address shows.

use crate::nav::use_location;
use leptos::prelude::*;

use crate::pages::explorer;

#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <section class="page not-found">
            <h1>"Page not found"</h1>
            <p>
                "There is no page at " <code>{move || location.path.get()}</code> "."
            </p>
            <p>
                <a href=explorer::PATH>"Go to the Metrics Explorer"</a>
            </p>
        </section>
    }
}
