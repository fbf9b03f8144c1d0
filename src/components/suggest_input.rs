//! A text input with search-as-you-type suggestions. The field keeps a draft while it is being typed
//! in and hands the text over (commits) on Enter, on leaving the field, or when a suggestion is picked.

use leptos::ev;
use leptos::prelude::*;

use crate::suggest::{self, Mode};

/// How many suggestions the list shows at once.
const LIMIT: usize = 12;

#[component]
pub fn SuggestInput(
    /// The element id (the `<label for>` target, and a hook for tests).
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    mode: Mode,
    /// The committed text; the field shows it whenever it changes.
    #[prop(into)]
    value: Signal<String>,
    /// Everything that may be suggested.
    #[prop(into)]
    candidates: Signal<Vec<String>>,
    on_commit: Callback<String>,
) -> impl IntoView {
    let draft = RwSignal::new(value.get_untracked());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    // A new committed value (a pick, the URL changing under us) replaces the draft.
    Effect::new(move |_| draft.set(value.get()));

    let shown = Memo::new(move |_| {
        candidates.with(|c| draft.with(|d| suggest::suggestions(c, d, mode, LIMIT)))
    });
    let commit = move |text: String| {
        open.set(false);
        active.set(None);
        if text != value.get_untracked() {
            on_commit.run(text);
        }
    };
    let pick = move |choice: String| {
        let text = suggest::apply(&draft.get_untracked(), &choice, mode);
        draft.set(text.clone());
        commit(text);
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        let count = shown.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Enter" => {
                ev.prevent_default();
                let chosen = active
                    .get_untracked()
                    .and_then(|i| shown.with_untracked(|s| s.get(i).cloned()));
                match chosen {
                    Some(choice) if open.get_untracked() => pick(choice),
                    _ => commit(draft.get_untracked()),
                }
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };
    let list_id = format!("{id}-suggestions");

    view! {
        <div class="field suggest">
            <label for=id>{label}</label>
            <input
                id=id
                type="text"
                autocomplete="off"
                spellcheck="false"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || (open.get() && !shown.with(Vec::is_empty)).to_string()
                placeholder=placeholder
                prop:value=move || draft.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    open.set(true);
                    active.set(None);
                }
                on:focus=move |_| open.set(true)
                on:blur=move |_| commit(draft.get_untracked())
                on:keydown=on_keydown
            />
            <Show when=move || open.get() && !shown.with(Vec::is_empty)>
                <ul class="suggestions" id=list_id.clone() role="listbox">
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .enumerate()
                            .map(|(i, choice)| {
                                let text = choice.clone();
                                view! {
                                    <li
                                        role="option"
                                        class:active=move || active.get() == Some(i)
                                        aria-selected=move || (active.get() == Some(i)).to_string()
                                        // mousedown, not click: it comes before the input's blur.
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            pick(choice.clone());
                                        }
                                    >
                                        {text}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </div>
    }
}
