//! The query editor (Datadog's "code" mode): one text area for the whole query text, with
//! suggestions for what may be typed at the cursor, and the query's mistake underlined under it.
//!
//! The text is checked in the browser, with the same parser as the server, shortly after typing
//! stops; the API's own 400 message is shown the same way. The text is handed over (committed) on
//! Enter or when the field loses focus. What to suggest is worked out by plain functions in
//! `query_assist`; this file wires them to the DOM.

use std::time::Duration;

use leptos::ev;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::api::{use_backend, use_latest};
use crate::components::query_problem::QueryProblem;
use crate::query_assist::context::{Context, Expect, context_at};
use crate::query_assist::problem::{self, Checked};
use crate::query_assist::{self, Completion, Sources};

/// How many suggestions the list shows at once.
const LIMIT: usize = 12;
/// How long typing must pause before the text is checked.
const CHECK_DELAY: Duration = Duration::from_millis(250);

#[component]
pub fn QueryEditor(
    /// The text area's id (the `<label for>` target, and a hook for tests).
    #[prop(into)]
    id: String,
    /// The committed query text; the editor shows it whenever it changes.
    #[prop(into)]
    value: Signal<String>,
    /// Metric names to suggest.
    #[prop(into)]
    metric_names: Signal<Vec<String>>,
    /// The API's 400 message about `value`, if it refused it.
    #[prop(into)]
    api_error: Signal<Option<String>>,
    on_commit: Callback<String>,
) -> impl IntoView {
    let input = NodeRef::<Textarea>::new();
    let draft = RwSignal::new(value.get_untracked());
    // The cursor as a byte offset of `draft`.
    let cursor = RwSignal::new(draft.with_untracked(String::len));
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let checked = RwSignal::new(None::<Checked>);
    // A new committed value (the URL changed under us, say) replaces the draft.
    Effect::new(move |_| {
        let text = value.get();
        checked.set(Some(Checked::of(&text)));
        if draft.with_untracked(|d| *d != text) {
            cursor.set(text.len());
            draft.set(text);
        }
    });
    check_when_typing_pauses(draft, checked);

    let context = Memo::new(move |_| draft.with(|d| context_at(d, cursor.get())));
    let items = use_completions(draft, cursor, context, metric_names);
    let shown = move || open.get() && !items.with(Vec::is_empty);

    let read_cursor = move || {
        if let Some(el) = input.get_untracked() {
            let units = el.selection_start().ok().flatten().unwrap_or(0);
            cursor.set(draft.with_untracked(|d| query_assist::byte_of_utf16(d, units)));
        }
    };
    let commit = move |text: String| {
        open.set(false);
        active.set(None);
        checked.set(Some(Checked::of(&text)));
        let text = text.trim().to_owned();
        if text != value.get_untracked() {
            on_commit.run(text);
        }
    };
    let pick = move |choice: Completion| {
        let word = context.with_untracked(|c| c.word.clone());
        let (text, at) = draft.with_untracked(|d| query_assist::apply(d, word, &choice.insert));
        if let Some(el) = input.get_untracked() {
            el.set_value(&text);
            let units = query_assist::utf16_of_byte(&text, at);
            let _ = el.set_selection_range(units, units);
        }
        draft.set(text);
        cursor.set(at);
        active.set(None);
        open.set(true);
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        let count = if shown() {
            items.with_untracked(Vec::len)
        } else {
            0
        };
        let chosen = |i: usize| items.with_untracked(|s| s.get(i).cloned());
        match key_action(&ev.key(), count, active.get_untracked()) {
            KeyAction::Highlight(i) => {
                ev.prevent_default();
                active.set(Some(i));
            }
            KeyAction::Pick(i) => {
                ev.prevent_default();
                if let Some(choice) = chosen(i) {
                    pick(choice);
                }
            }
            KeyAction::Commit => {
                ev.prevent_default();
                commit(draft.get_untracked());
            }
            KeyAction::Close => {
                open.set(false);
                active.set(None);
            }
            KeyAction::Nothing => {}
        }
    };

    let problem = Memo::new(move |_| {
        let committed = value.get();
        let api = api_error.get();
        draft.with(|d| checked.with(|c| problem::choose(d, &committed, c.as_ref(), api.as_deref())))
    });
    let list_id = format!("{id}-suggestions");
    let problem_id = format!("{id}-problem");

    view! {
        <div class="query-editor-field suggest">
            <textarea
                node_ref=input
                id=id
                class="query-input"
                rows="1"
                spellcheck="false"
                autocomplete="off"
                autocapitalize="off"
                role="combobox"
                aria-label="Query"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || shown().to_string()
                aria-activedescendant={
                    let list_id = list_id.clone();
                    move || active.get().filter(|_| shown()).map(|i| format!("{list_id}-{i}"))
                }
                aria-invalid=move || problem.with(Option::is_some).to_string()
                aria-describedby=problem_id.clone()
                placeholder="avg:system.cpu.user{*} by {host}"
                prop:value=move || draft.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    read_cursor();
                    open.set(true);
                    active.set(None);
                }
                on:keydown=on_keydown
                on:keyup=move |_| read_cursor()
                on:click=move |_| {
                    read_cursor();
                    open.set(true);
                }
                on:focus=move |_| open.set(true)
                on:blur=move |_| commit(draft.get_untracked())
            ></textarea>
            <Show when=shown>
                <Suggestions list_id=list_id.clone() items active on_pick=Callback::new(pick)/>
            </Show>
            {move || problem.get().map(|p| view! { <QueryProblem problem=p id=problem_id.clone()/> })}
        </div>
    }
}

/// What the suggestions are for the text at the cursor: metric names, and the tags of the metric
/// being scoped (read from the API when that metric changes).
fn use_completions(
    draft: RwSignal<String>,
    cursor: RwSignal<usize>,
    context: Memo<Context>,
    metric_names: Signal<Vec<String>>,
) -> Memo<Vec<Completion>> {
    let tags_of = Memo::new(move |_| match context.with(|c| c.expect.clone()) {
        Expect::Tag { metric, .. } | Expect::TagKey { metric, .. } if !metric.is_empty() => {
            Some(metric)
        }
        _ => None,
    });
    let backend = use_backend();
    let tags = use_latest(tags_of, move |metric: &String, abort| {
        backend.all_tags(metric, abort)
    });
    Memo::new(move |_| {
        let tags = tags.with(|l| match &l.value {
            Some((metric, t)) if tags_of.with(|m| m.as_ref() == Some(metric)) => {
                t.data.attributes.tags.clone()
            }
            _ => Vec::new(),
        });
        metric_names.with(|metrics| {
            draft.with(|d| {
                let sources = Sources {
                    metrics,
                    tags: &tags,
                };
                context.with(|c| query_assist::completions(d, cursor.get(), c, sources, LIMIT))
            })
        })
    })
}

/// What a key does in the editor, given how many suggestions are shown and which is highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyAction {
    /// Highlight suggestion `i`.
    Highlight(usize),
    /// Put suggestion `i` into the text.
    Pick(usize),
    /// Run the query.
    Commit,
    /// Close the suggestions.
    Close,
    /// Nothing the editor handles.
    Nothing,
}

fn key_action(key: &str, count: usize, active: Option<usize>) -> KeyAction {
    match key {
        "ArrowDown" if count > 0 => KeyAction::Highlight(active.map_or(0, |i| (i + 1) % count)),
        "ArrowUp" if count > 0 => {
            KeyAction::Highlight(active.map_or(count - 1, |i| (i + count - 1) % count))
        }
        "Tab" if count > 0 => KeyAction::Pick(active.unwrap_or(0).min(count - 1)),
        // A query is one line: Enter picks the highlighted suggestion, or runs the query.
        "Enter" => match active.filter(|&i| i < count) {
            Some(i) => KeyAction::Pick(i),
            None => KeyAction::Commit,
        },
        "Escape" => KeyAction::Close,
        _ => KeyAction::Nothing,
    }
}

/// The suggestion list. `mousedown`, not `click`, picks: it comes before the text area's blur.
#[component]
fn Suggestions(
    list_id: String,
    items: Memo<Vec<Completion>>,
    active: RwSignal<Option<usize>>,
    on_pick: Callback<Completion>,
) -> impl IntoView {
    let option_prefix = list_id.clone();
    view! {
        <ul class="suggestions completions" id=list_id role="listbox">
            {move || {
                items
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let (label, kind) = (item.label.clone(), item.kind.word());
                        view! {
                            <li
                                id=format!("{option_prefix}-{i}")
                                role="option"
                                class:active=move || active.get() == Some(i)
                                aria-selected=move || (active.get() == Some(i)).to_string()
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    on_pick.run(item.clone());
                                }
                            >
                                <span class="completion-label">{label}</span>
                                <span class="completion-kind">{kind}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// Checks the draft `CHECK_DELAY` after the last change, so a message does not flash on every key.
fn check_when_typing_pauses(draft: RwSignal<String>, checked: RwSignal<Option<Checked>>) {
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let text = draft.get();
        if let Some(old) = pending.get_value() {
            old.clear();
        }
        let check = move || {
            checked.try_set(Some(Checked::of(&text)));
        };
        pending.set_value(set_timeout_with_handle(check, CHECK_DELAY).ok());
    });
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_through_pick_and_close_the_suggestions() {
        use KeyAction::{Close, Commit, Highlight, Nothing, Pick};
        assert_eq!(key_action("ArrowDown", 3, None), Highlight(0));
        assert_eq!(key_action("ArrowDown", 3, Some(2)), Highlight(0));
        assert_eq!(key_action("ArrowUp", 3, None), Highlight(2));
        assert_eq!(key_action("ArrowUp", 3, Some(0)), Highlight(2));
        assert_eq!(key_action("ArrowDown", 0, None), Nothing);
        assert_eq!(key_action("Tab", 3, None), Pick(0));
        assert_eq!(key_action("Tab", 0, None), Nothing);
        assert_eq!(key_action("Enter", 3, Some(1)), Pick(1));
        assert_eq!(key_action("Enter", 3, None), Commit);
        assert_eq!(
            key_action("Enter", 0, Some(1)),
            Commit,
            "nothing shown: run the query"
        );
        assert_eq!(key_action("Escape", 3, Some(1)), Close);
        assert_eq!(key_action("a", 3, Some(1)), Nothing);
    }
}
