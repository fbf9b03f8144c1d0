//! Note widgets' markdown, rendered with pulldown-cmark and then sanitized with ammonia, on the server:
//! the two together weigh about 250 KB gzipped in the wasm, more than half the UI's budget. The result is
//! the only HTML the UI ever inserts from user text: scripts, event handlers, `javascript:` links and
//! styles are gone, links open in a new tab without access to the page.

use pulldown_cmark::{Options, Parser, html};

/// Safe HTML for a note's markdown.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    let mut unsafe_html = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
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
    fn links_open_in_a_new_tab_without_the_opener() {
        let out = render("[docs](https://example.com/a)");
        assert!(out.contains("href=\"https://example.com/a\""), "{out}");
        assert!(out.contains("target=\"_blank\""), "{out}");
        assert!(out.contains("noopener"), "{out}");
    }
}
