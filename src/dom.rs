//! Read-only views built straight with the DOM: lists and tables that are drawn once per answer and
//! replaced whole when the next one arrives (the monitor list, status page, event stream, settings
//! lists, message previews). A `view!` compiles every element and attribute into code of its own,
//! which for these pages came to some 25 KB of gzipped wasm; here an element is one call of the
//! functions below. Clicks are handled once, on a container, by the `data-action` of the button.
//!
//! Text goes in with `create_text_node`, so user-supplied strings are never parsed as HTML.

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// A new `<tag class=class>` (no class when empty), appended to `parent`.
pub fn add(parent: &Element, tag: &str, class: &str) -> Element {
    // Only fails for a tag name that is no name; every caller passes a literal one.
    let el = document().create_element(tag).expect("a valid tag name");
    if !class.is_empty() {
        el.set_class_name(class);
    }
    let _ = parent.append_child(&el);
    el
}

/// `text` as a text node at the end of `parent`.
pub fn text(parent: &Element, text: &str) {
    let _ = parent.append_child(&document().create_text_node(text));
}

/// A new element holding `content` as text.
pub fn add_text(parent: &Element, tag: &str, class: &str, content: &str) -> Element {
    let el = add(parent, tag, class);
    text(&el, content);
    el
}

/// Sets an attribute.
pub fn attr(el: &Element, name: &str, value: &str) {
    let _ = el.set_attribute(name, value);
}

/// A `<button type=button>` whose click the container's handler knows by `action` and `arg`.
pub fn button(parent: &Element, class: &str, label: &str, action: &str, arg: &str) -> Element {
    let b = add_text(parent, "button", class, label);
    attr(&b, "type", "button");
    attr(&b, "data-action", action);
    attr(&b, "data-arg", arg);
    b
}

/// The `data-action` and `data-arg` of the button a click landed in, if any.
pub fn action_of(ev: &web_sys::MouseEvent) -> Option<(String, String)> {
    let target = ev.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest("[data-action]").ok()??;
    Some((
        button.get_attribute("data-action")?,
        button.get_attribute("data-arg").unwrap_or_default(),
    ))
}

/// A `<div>` whose content `build` draws, again whenever a signal it reads changes. `build` is boxed
/// so that every host shares one effect type (each distinct effect closure is ~2 KB of wasm).
pub fn host(class: &'static str, build: Box<dyn Fn(&Element)>) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(div) = node.get() {
            let el: &Element = &div;
            el.set_text_content(None);
            build(el);
        }
    });
    view! { <div class=class node_ref=node></div> }
}

/// Empties the `<input>`s named `names` inside `root` (unchecks a checkbox).
pub fn clear_inputs(root: &Element, names: &[&str]) {
    for name in names {
        if let Some(i) = input(root, name) {
            i.set_value("");
            i.set_checked(false);
        }
    }
}

fn input(root: &Element, name: &str) -> Option<web_sys::HtmlInputElement> {
    root.query_selector(&format!("input[name=\"{name}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
}

/// The chosen value of the `<select name=name>` inside `root`, `""` when there is none.
pub fn select_value(root: &Element, name: &str) -> String {
    root.query_selector(&format!("select[name=\"{name}\"]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The value of the `<input name=name>` inside `root` (`"true"`/`"false"` for a checkbox), `""`
/// when there is none.
pub fn input_value(root: &Element, name: &str) -> String {
    match input(root, name) {
        Some(i) if i.type_() == "checkbox" => i.checked().to_string(),
        Some(i) => i.value(),
        None => String::new(),
    }
}
