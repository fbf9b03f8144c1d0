//! Note widgets' markdown, rendered with pulldown-cmark and then sanitized with ammonia, on the server:
//! the two together weigh about 250 KB gzipped in the wasm, more than half the UI's budget. The result is
//! the only HTML the UI ever inserts from user text: scripts, event handlers, `javascript:` links and
//! styles are gone, links open in a new tab without access to the page.
//!
//! Bounds: ammonia's HTML parser (html5ever) takes time quadratic in the nesting depth (20,000
//! nested block quotes, `>` × 20,000, take 1.3 s to sanitize; 250,000 took minutes), while
//! pulldown-cmark is linear. So a note is at most [`MAX_BYTES`] long, and its nesting (markdown
//! containers plus the raw HTML tags it holds) is counted from pulldown-cmark's events before
//! anything is sanitized: deeper than [`MAX_DEPTH`], it is refused.

use std::fmt;

use pulldown_cmark::{Event, Options, Parser, html};

/// The longest note rendered, in bytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// The deepest nesting rendered (markdown-it's `maxNesting` is 100 too).
pub const MAX_DEPTH: usize = 100;

/// Why a note is not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TooComplex {
    TooLong { bytes: usize },
    TooDeep { line: usize },
}

impl fmt::Display for TooComplex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TooComplex::TooLong { bytes } => write!(
                f,
                "the note is {bytes} bytes long; notes are rendered up to {MAX_BYTES} bytes"
            ),
            TooComplex::TooDeep { line } => write!(
                f,
                "the note nests quotes, lists or HTML tags more than {MAX_DEPTH} levels deep (at line {line})"
            ),
        }
    }
}

impl std::error::Error for TooComplex {}

fn options() -> Options {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    options
}

/// Checks a note against [`MAX_BYTES`] and [`MAX_DEPTH`] without sanitizing anything.
pub fn check(markdown: &str) -> Result<(), TooComplex> {
    if markdown.len() > MAX_BYTES {
        return Err(TooComplex::TooLong {
            bytes: markdown.len(),
        });
    }
    let mut containers = 0usize;
    let mut raw_tags = 0usize;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(_) => containers += 1,
            Event::End(_) => containers = containers.saturating_sub(1),
            Event::Html(raw) | Event::InlineHtml(raw) => raw_tags = open_tags(&raw, raw_tags),
            _ => {}
        }
        if containers + raw_tags > MAX_DEPTH {
            let line = markdown[..range.start.min(markdown.len())]
                .bytes()
                .filter(|&b| b == b'\n')
                .count()
                + 1;
            return Err(TooComplex::TooDeep { line });
        }
    }
    Ok(())
}

/// HTML elements that never hold others, so never nest.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// How many raw HTML elements are open after `raw`, given `open` before it: `<x …>` opens one
/// (unless void or self-closing), `</x>` closes one. An upper bound of the depth html5ever builds,
/// which may close some itself.
fn open_tags(raw: &str, mut open: usize) -> usize {
    let mut rest = raw;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                open = open.saturating_sub(1);
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let self_closing = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
        if !self_closing && !VOID.contains(&name.as_str()) {
            open += 1;
        }
    }
    open
}

/// Safe HTML for a note's markdown that passed [`check`] (unchecked, it still renders, but may
/// take long).
pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html() {
        assert_eq!(
            render("# Deploys\n\n**bold** and `code`"),
            "<h1>Deploys</h1>\n<p><strong>bold</strong> and <code>code</code></p>\n"
        );
        assert_eq!(render("- a\n- b"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n");
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let out = render("<img src=x onerror=alert(1)>\n\n<script>alert(2)</script>");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("alert(2)"), "{out}");
        let out = render("[click](javascript:alert(1)) <a href=\"javascript:alert(3)\">x</a>");
        assert!(!out.contains("javascript:"), "{out}");
        let out = render("<div style=\"position:fixed\" onclick=\"x()\">hi</div>");
        assert!(!out.contains("style"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
    }

    #[test]
    fn notes_too_long_or_too_deep_are_refused_before_sanitizing() {
        use super::{MAX_DEPTH, TooComplex, check};
        assert_eq!(check("# ok\n\n> quoted\n\n- a\n  - b"), Ok(()));
        assert_eq!(
            check(&">".repeat(250_000)),
            Err(TooComplex::TooLong { bytes: 250_000 })
        );
        assert_eq!(
            check(&format!("intro\n\n{}", ">".repeat(60_000))),
            Err(TooComplex::TooDeep { line: 3 })
        );
        assert!(check(&">".repeat(MAX_DEPTH - 2)).is_ok());
        let lists: String = (0..200)
            .map(|i| format!("{}- a\n", "  ".repeat(i)))
            .collect();
        assert!(matches!(check(&lists), Err(TooComplex::TooDeep { .. })));
        assert!(matches!(
            check(&"<div>".repeat(1000)),
            Err(TooComplex::TooDeep { line: 1 })
        ));
        // Closed, void and self-closing tags do not nest.
        assert_eq!(check(&"<b>x</b><br><img src=a /><i/>".repeat(500)), Ok(()));
    }

    #[test]
    fn links_open_in_a_new_tab_without_the_opener() {
        let out = render("[docs](https://example.com/a)");
        assert!(out.contains("href=\"https://example.com/a\""), "{out}");
        assert!(out.contains("target=\"_blank\""), "{out}");
        assert!(out.contains("noopener"), "{out}");
    }
}
