//! Importing a board: paste its JSON or pick a file; a document that is not a dashboard is refused
//! with a message naming the field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::pages::board::model::Board;

#[component]
pub fn ImportDialog(on_import: Callback<Board>, on_close: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let submit = move |_| match Board::parse(&text.get_untracked()) {
        Ok(mut board) => {
            // The stored board gets a fresh id from the server.
            board.id = None;
            problem.set(None);
            on_import.run(board);
        }
        Err(e) => problem.set(Some(format!("This is not a dashboard: {e}"))),
    };
    let pick_file = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(v) => text.set(v.as_string().unwrap_or_default()),
                Err(_) => problem.set(Some("The file could not be read.".into())),
            }
        });
    };
    view! {
        <div class="modal-backdrop">
            <div class="modal wide" role="dialog" aria-modal="true" aria-label="Import dashboard JSON">
                <h2>"Import dashboard JSON"</h2>
                <p class="muted">"Paste a dashboard exported from dogwatch or Datadog (the /api/v1/dashboard shape), or pick a file."</p>
                <input type="file" accept=".json,application/json" aria-label="Dashboard JSON file" on:change=pick_file/>
                <textarea class="json-input" aria-label="Dashboard JSON" rows="14" spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                {move || problem.get().map(|p| view! { <p class="state error" role="alert">{p}</p> })}
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="button" class="primary" on:click=submit>"Import"</button>
                </div>
            </div>
        </div>
    }
}
