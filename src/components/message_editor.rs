//! A monitor's message: a text area with the template's variables and sections as hints that insert
//! themselves at the cursor, @mention suggestions while an `@word` is typed, and the message as it
//! would be sent in each state (rendered by the caller with core's `message::render`), all as text.

use leptos::ev;
use leptos::html::Textarea;
use leptos::prelude::*;

use crate::dom;
use crate::query_assist::{byte_of_utf16, utf16_of_byte};
use crate::suggest::{self, Mode};

/// What the hints insert: (label, text). Sections insert their opening and closing tags.
const HINTS: [(&str, &str); 15] = [
    ("{{value}}", "{{value}}"),
    ("{{threshold}}", "{{threshold}}"),
    ("{{warn_threshold}}", "{{warn_threshold}}"),
    ("{{comparator}}", "{{comparator}}"),
    ("{{host.name}}", "{{host.name}}"),
    ("{{host.ip}}", "{{host.ip}}"),
    ("{{last_triggered_at}}", "{{last_triggered_at}}"),
    ("#is_alert", "{{#is_alert}}\n\n{{/is_alert}}"),
    ("^is_alert", "{{^is_alert}}\n\n{{/is_alert}}"),
    ("#is_warning", "{{#is_warning}}\n\n{{/is_warning}}"),
    ("#is_no_data", "{{#is_no_data}}\n\n{{/is_no_data}}"),
    ("#is_recovery", "{{#is_recovery}}\n\n{{/is_recovery}}"),
    (
        "#is_alert_recovery",
        "{{#is_alert_recovery}}\n\n{{/is_alert_recovery}}",
    ),
    (
        "#is_warning_recovery",
        "{{#is_warning_recovery}}\n\n{{/is_warning_recovery}}",
    ),
    ("#is_renotify", "{{#is_renotify}}\n\n{{/is_renotify}}"),
];

/// How many mention suggestions show at once.
const LIMIT: usize = 8;

/// The `@word` that ends at byte `cursor` of `text`, as (start byte, word), if one is being typed.
pub fn mention_at(text: &str, cursor: usize) -> Option<(usize, &str)> {
    let before = text.get(..cursor)?;
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    word.starts_with('@').then_some((start, word))
}

/// `text` with the `@word` at `start..cursor` replaced by `choice` and a space; the new cursor.
pub fn apply_mention(text: &str, start: usize, cursor: usize, choice: &str) -> (String, usize) {
    let rest = text.get(cursor..).unwrap_or("");
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let head = format!("{}{choice} ", text.get(..start).unwrap_or(""));
    (format!("{head}{rest}"), head.len())
}

#[component]
pub fn MessageEditor(
    /// The message text.
    value: Signal<String>,
    /// Called with the whole text on every change (typing, an inserted hint or mention).
    on_input: Callback<String>,
    /// What may be mentioned: `@alice`, `@alice@example.com`, `@webhook-ops`.
    #[prop(into)]
    mentions: Signal<Vec<String>>,
    /// (state name, rendered message) for each state previewed.
    #[prop(into)]
    previews: Signal<Vec<(&'static str, String)>>,
    /// A message without the monitor template (a downtime's, a snapshot's): no template hints.
    #[prop(optional)]
    plain: bool,
    /// The text area's id, for the caller's `<label for>` that names it; when not given,
    /// `monitor-message`, named "Message".
    #[prop(optional)]
    id: Option<&'static str>,
    /// What the empty text area says; a plain message's own words when not given.
    #[prop(optional)]
    placeholder: Option<&'static str>,
) -> impl IntoView {
    let input = NodeRef::<Textarea>::new();
    let cursor = RwSignal::new(0usize);
    let open = RwSignal::new(false);
    let active = RwSignal::new(0usize);
    let typing = Memo::new(move |_| {
        value.with(|v| mention_at(v, cursor.get()).map(|(start, word)| (start, word.to_owned())))
    });
    let items = Memo::new(move |_| match typing.get() {
        Some((_, word)) if open.get() => {
            mentions.with(|m| suggest::suggestions(m, &word, Mode::Whole, LIMIT))
        }
        _ => Vec::new(),
    });
    let read_cursor = move || {
        if let Some(el) = input.get_untracked() {
            let units = el.selection_start().ok().flatten().unwrap_or(0);
            cursor.set(value.with_untracked(|v| byte_of_utf16(v, units)));
        }
    };
    // Puts `text` in the area with the cursor at byte `at`.
    let set_text = move |text: String, at: usize| {
        if let Some(el) = input.get_untracked() {
            el.set_value(&text);
            let units = utf16_of_byte(&text, at);
            let _ = el.set_selection_range(units, units);
            let _ = el.focus();
        }
        on_input.run(text);
        cursor.set(at);
    };
    let pick = move |choice: String| {
        if let Some((start, _)) = typing.get_untracked() {
            let (text, at) =
                value.with_untracked(|v| apply_mention(v, start, cursor.get_untracked(), &choice));
            set_text(text, at);
        }
        open.set(false);
    };
    let insert = move |snippet: &str| {
        read_cursor();
        let at = cursor.get_untracked();
        let text = value.with_untracked(|v| {
            let at = at.min(v.len());
            format!("{}{snippet}{}", &v[..at], &v[at..])
        });
        // Inside a section, the cursor goes between its tags.
        let inside = snippet.find("\n\n").map_or(snippet.len(), |i| i + 1);
        set_text(text, at + inside);
    };
    let on_keydown = move |ev: ev::KeyboardEvent| {
        let count = items.with_untracked(Vec::len);
        if count == 0 {
            return;
        }
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                active.update(|a| *a = (*a + 1) % count);
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = (*a + count - 1) % count);
            }
            "Enter" | "Tab" => {
                ev.prevent_default();
                let i = active.get_untracked().min(count - 1);
                if let Some(choice) = items.with_untracked(|items| items.get(i).cloned()) {
                    pick(choice);
                }
            }
            "Escape" => {
                // Closes the suggestions only, not a dialog the editor is in.
                ev.stop_propagation();
                open.set(false);
            }
            _ => {}
        }
    };

    view! {
        <div class="message-editor">
            <div class="hints" role="toolbar" aria-label="Insert a template variable" hidden=plain
                // mousedown keeps the focus (and the cursor) in the text area.
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |ev| {
                    if let Some((_, snippet)) = dom::action_of(&ev) {
                        insert(&snippet);
                    }
                }>
                {dom::host("hint-list", Box::new(|el| {
                    for (label, snippet) in HINTS {
                        dom::button(el, "hint", label, "hint", snippet);
                    }
                }))}
            </div>
            <div class="suggest">
                <textarea node_ref=input id=id.unwrap_or("monitor-message") class="message-input" rows="7"
                    // With an id, the caller's `<label for>` names it.
                    spellcheck="false" aria-label=id.is_none().then_some("Message")
                    placeholder=placeholder.unwrap_or(if plain { "Why it is quiet, and whom to tell: @alice" } else { "{{#is_alert}}my_metric is {{value}} on {{host.name}}{{/is_alert}} @alice" })
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        on_input.run(event_target_value(&ev));
                        read_cursor();
                        open.set(true);
                        active.set(0);
                    }
                    on:keydown=on_keydown
                    on:click=move |_| read_cursor()
                    on:blur=move |_| open.set(false)
                ></textarea>
                // mousedown, not click: it comes before the text area's blur.
                <div on:mousedown=move |ev| {
                    if let Some((_, choice)) = dom::action_of(&ev) {
                        ev.prevent_default();
                        pick(choice);
                    }
                }>
                    {dom::host("mention-list", Box::new(move |el| items.with(|items| {
                        if items.is_empty() {
                            return;
                        }
                        let ul = dom::add(el, "ul", "suggestions");
                        dom::attr(&ul, "role", "listbox");
                        dom::attr(&ul, "aria-label", "Mentions");
                        let active = active.get();
                        for (i, choice) in items.iter().enumerate() {
                            let li = dom::add_text(&ul, "li", if i == active { "active" } else { "" }, choice);
                            dom::attr(&li, "role", "option");
                            dom::attr(&li, "aria-selected", if i == active { "true" } else { "false" });
                            dom::attr(&li, "data-action", "mention");
                            dom::attr(&li, "data-arg", choice);
                        }
                    })))}
                </div>
            </div>
            {dom::host("previews", Box::new(move |el| previews.with(|list| {
                for (state, text) in list {
                    let figure = dom::add(el, "figure", "preview");
                    dom::attr(&figure, "data-state", state);
                    dom::add_text(&figure, "figcaption", "", state);
                    dom::add_text(&figure, "pre", "preview-text", text);
                }
            })))}
        </div>
    }
}

/// What a message may @mention (every user's handle and email, every webhook), read once; empty
/// until the answers arrive.
pub fn use_mentions(backend: &crate::api::SharedBackend) -> RwSignal<Vec<String>> {
    let mentions = RwSignal::new(Vec::<String>::new());
    let (users, hooks) = (backend.users(None), backend.webhooks(None));
    leptos::task::spawn_local(async move {
        let mut out = Vec::new();
        for u in users.await.unwrap_or_default() {
            out.push(format!("@{}", u.handle));
            out.push(format!("@{}", u.email));
        }
        for w in hooks.await.unwrap_or_default() {
            out.push(format!("@webhook-{}", w.name));
        }
        mentions.try_set(out);
    });
    mentions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_at_the_cursor_are_replaced() {
        let text = "hi @al and more";
        assert_eq!(mention_at(text, 6), Some((3, "@al")));
        assert_eq!(mention_at(text, 2), None);
        assert_eq!(mention_at("@", 1), Some((0, "@")));
        let (out, at) = apply_mention(text, 3, 6, "@alice");
        assert_eq!(out, "hi @alice and more");
        assert_eq!(&out[..at], "hi @alice ");
    }
}
