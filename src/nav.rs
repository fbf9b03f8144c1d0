//! The address bar, without a router crate: the current path and query as signals, in-app links,
//! Back and Forward. `leptos_router` did this and matched routes for some 45 KB of gzipped wasm; the
//! app has five addresses (matched in `app.rs`) and needs only this much of it.
//!
//! - [`Location::install`] (once, in `App`) reads the address, follows Back/Forward (`popstate`) and
//!   turns a click on a same-origin `<a href="/…">` into an in-app navigation, as a router's links do
//!   (plain clicks only: a modified or middle click, `target` or `download` keep the browser's way).
//! - [`Location::navigate`] pushes a history entry and updates the signals; the page scrolls to the
//!   top only when the path changes (a new page), not when only the query does (a view change).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The address: path and query string (without `?`), as the browser shows them.
#[derive(Clone, Copy)]
pub struct Location {
    pub path: RwSignal<String>,
    search: RwSignal<String>,
}

/// A query string's decoded `key=value` pairs, in order.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct QueryMap(Vec<(String, String)>);

impl QueryMap {
    pub fn parse(search: &str) -> QueryMap {
        let search = search.strip_prefix('?').unwrap_or(search);
        let mut pairs = Vec::new();
        for part in search.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((decode(k), decode(v)));
        }
        QueryMap(pairs)
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

/// Percent-decoding of a query-string component (`+` is a space); invalid escapes stay as typed.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Location {
    /// The address now, kept up to date; provided as context for [`use_location`].
    pub fn install() -> Location {
        let (path, search) = current();
        let location = Location {
            path: RwSignal::new(path),
            search: RwSignal::new(search),
        };
        provide_context(location);
        window_event_listener(leptos::ev::popstate, move |_| location.sync());
        window_event_listener(leptos::ev::click, move |ev| location.follow(&ev));
        location
    }

    /// The query string as decoded pairs, recomputed when it changes.
    pub fn query(self) -> Memo<QueryMap> {
        Memo::new(move |_| self.search.with(|s| QueryMap::parse(s)))
    }

    /// Goes to `url` (a path with an optional `?query`) with a new history entry.
    pub fn navigate(self, url: &str) {
        self.go(url, false);
    }

    /// Goes to `url` in place of the current entry (a redirect).
    pub fn replace(self, url: &str) {
        self.go(url, true);
    }

    fn go(self, url: &str, replace: bool) {
        let Ok(history) = window().history() else {
            return;
        };
        let state = wasm_bindgen::JsValue::NULL;
        let _ = if replace {
            history.replace_state_with_url(&state, "", Some(url))
        } else {
            history.push_state_with_url(&state, "", Some(url))
        };
        let path_before = self.path.get_untracked();
        self.sync();
        if self.path.with_untracked(|p| *p != path_before) {
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// Reads the browser's address into the signals (each set only when it changed).
    fn sync(self) {
        let (path, search) = current();
        if self.path.with_untracked(|p| *p != path) {
            self.path.set(path);
        }
        if self.search.with_untracked(|s| *s != search) {
            self.search.set(search);
        }
    }

    /// A plain click on an in-app link navigates without reloading the page.
    fn follow(self, ev: &leptos::ev::MouseEvent) {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        if link.has_attribute("target") || link.has_attribute("download") {
            return;
        }
        let Some(href) = link.get_attribute("href") else {
            return;
        };
        // Only same-origin absolute paths: `//host/…` and `https://…` leave the app.
        if !href.starts_with('/') || href.starts_with("//") {
            return;
        }
        ev.prevent_default();
        self.navigate(&href);
    }
}

/// The browser's path and query string (without `?`).
fn current() -> (String, String) {
    let location = window().location();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    let search = location.search().unwrap_or_default();
    let search = search.strip_prefix('?').unwrap_or(&search).to_owned();
    (path, search)
}

/// The app's [`Location`] (from [`Location::install`]).
pub fn use_location() -> Location {
    expect_context::<Location>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_as_forms_do() {
        let q =
            QueryMap::parse("?query=avg%3Amy_metric%7Bhost%3Aa%7D&span=5m&a+b=c+d&bad=%zz%4&empty");
        assert_eq!(q.get("query").as_deref(), Some("avg:my_metric{host:a}"));
        assert_eq!(q.get("span").as_deref(), Some("5m"));
        assert_eq!(q.get("a b").as_deref(), Some("c d"));
        assert_eq!(q.get("bad").as_deref(), Some("%zz%4"));
        assert_eq!(q.get("empty").as_deref(), Some(""));
        assert_eq!(q.get("missing"), None);
        assert_eq!(
            QueryMap::parse("x=%E2%9C%93").get("x").as_deref(),
            Some("✓")
        );
    }
}
