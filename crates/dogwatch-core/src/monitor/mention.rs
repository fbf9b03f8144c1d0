//! The @-mentions of a rendered monitor message: who is told.
//!
//! As in Datadog, a mention is an `@` at the start of the message or after whitespace, running to
//! the next whitespace (so `me@example.com` alone, or `x@alice`, mention nobody). Trailing
//! punctuation `. , ; : ! ? )` is not part of it, so a sentence may end with one. Then:
//!
//! - `@someone@example.com` is an [`Mention::Email`] (one `@`, a dotted domain);
//! - `@webhook-ops` is the [`Mention::Webhook`] named `ops`;
//! - anything else of letters, digits and `- _ . +` is a [`Mention::Handle`], such as `@alice` (a
//!   user) or `@slack-ops` (for a channel dogwatch may not have; the caller decides).
//!
//! Other text after `@` (`@{{host.name}}`, `@(x)`, `@a@b`) mentions nobody. Each mention is listed
//! once, in order of first appearance; repeats are found without regard to case.

/// Someone or something to notify.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mention {
    /// `@someone@example.com`: the address, without the leading `@`.
    Email(String),
    /// `@webhook-ops`: the webhook's name, `ops`.
    Webhook(String),
    /// `@alice`: the handle, `alice`.
    Handle(String),
}

impl Mention {
    /// The mention as written in a message, e.g. `@webhook-ops`.
    pub fn written(&self) -> String {
        match self {
            Mention::Email(address) => format!("@{address}"),
            Mention::Webhook(name) => format!("@webhook-{name}"),
            Mention::Handle(handle) => format!("@{handle}"),
        }
    }
}

/// The mentions of `message`, each once, in order.
pub fn mentions(message: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut previous_is_space = true;
    for (i, c) in message.char_indices() {
        let at_start = c == '@' && previous_is_space;
        previous_is_space = c.is_whitespace();
        if !at_start {
            continue;
        }
        let rest = message.get(i + 1..).unwrap_or("");
        let token = rest.split(char::is_whitespace).next().unwrap_or("");
        let token = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        let Some(mention) = classify(token) else {
            continue;
        };
        let key = mention.written().to_lowercase();
        if !seen.contains(&key) {
            seen.push(key);
            found.push(mention);
        }
    }
    found
}

fn classify(token: &str) -> Option<Mention> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+');
    if let Some((local, domain)) = token.split_once('@') {
        let valid = !local.is_empty()
            && local.chars().all(allowed)
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain.chars().all(allowed);
        return valid.then(|| Mention::Email(token.to_owned()));
    }
    if token.is_empty() || !token.chars().all(allowed) {
        return None;
    }
    match token.strip_prefix("webhook-") {
        Some("") => None,
        Some(name) => Some(Mention::Webhook(name.to_owned())),
        None => Some(Mention::Handle(token.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mention::{Email, Handle, Webhook};

    fn email(s: &str) -> Mention {
        Email(s.into())
    }

    #[test]
    fn kinds() {
        assert_eq!(
            mentions("@someone@example.com @webhook-ops @alice"),
            [
                email("someone@example.com"),
                Webhook("ops".into()),
                Handle("alice".into())
            ]
        );
    }

    #[test]
    fn needs_a_space_or_the_start_before_the_at() {
        assert_eq!(mentions("mail me@example.com"), []);
        assert_eq!(mentions("x@alice (@bob)"), []);
        assert_eq!(
            mentions("high!\n@alice\t@bob"),
            [Handle("alice".into()), Handle("bob".into())]
        );
        assert_eq!(mentions("a\u{3000}@carol"), [Handle("carol".into())]);
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_it() {
        assert_eq!(
            mentions("tell @alice. and @someone@example.com, then @webhook-ops!?) done"),
            [
                Handle("alice".into()),
                email("someone@example.com"),
                Webhook("ops".into())
            ]
        );
        assert_eq!(mentions("@alice..."), [Handle("alice".into())]);
    }

    #[test]
    fn each_once_in_order() {
        assert_eq!(
            mentions(
                "@bob @alice @Bob @ALICE@EXAMPLE.COM @alice@example.com @webhook-x @webhook-X"
            ),
            [
                Handle("bob".into()),
                Handle("alice".into()),
                email("ALICE@EXAMPLE.COM"),
                Webhook("x".into())
            ]
        );
    }

    #[test]
    fn not_mentions() {
        for text in [
            "@",
            "@ alice",
            "@.",
            "@webhook-",
            "@{{host.name}}",
            "@(x)",
            "@a@b",
            "@a@b.",
            "@@x.com",
            "@a@.com",
            "@a@x..com",
            "@<script>",
            "e-mail@",
            "@a@b@c.com",
        ] {
            assert_eq!(mentions(text), [], "{text}");
        }
    }

    #[test]
    fn handles_may_be_dotted_and_international() {
        assert_eq!(
            mentions("@slack-ops-alerts @jean.dupont @zoë @first+tag@mail.example.org"),
            [
                Handle("slack-ops-alerts".into()),
                Handle("jean.dupont".into()),
                Handle("zoë".into()),
                email("first+tag@mail.example.org")
            ]
        );
    }

    #[test]
    fn written_form_round_trips() {
        for m in mentions("@a@b.co @webhook-ops @alice") {
            let written = m.written();
            assert_eq!(mentions(&written), [m]);
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn never_panics(text in "\\PC{0,60}") {
                let _ = mentions(&text);
            }

            #[test]
            fn found_mentions_appear_in_the_text(text in "[ @a.,!webhook\\-x]{0,30}") {
                for m in mentions(&text) {
                    prop_assert!(text.contains(&m.written()));
                }
            }
        }
    }
}
