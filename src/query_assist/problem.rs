//! A query's mistake as the editor shows it: the message, and the text split around the bad span so
//! that the span can be underlined. Problems come from parsing in the browser (exact spans) or from
//! the API's 400 message (whose column is read back out of the words).

use std::ops::Range;

use dogwatch_core::query;

/// What is wrong with `text`, and where: `span` is a byte range of `text` (empty when the query
/// stopped too early), or `None` when the message is about the query as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub text: String,
    pub span: Option<Range<usize>>,
    pub message: String,
}

/// The query text cut around its bad span: what to show before, underlined, and after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parts<'a> {
    pub before: &'a str,
    pub bad: &'a str,
    pub after: &'a str,
}

impl Problem {
    /// The text around the bad span. The span is clamped to the text and to character boundaries,
    /// so a span from a message about different text can never panic.
    pub fn parts(&self) -> Parts<'_> {
        let text = self.text.as_str();
        let Some(span) = &self.span else {
            return Parts {
                before: text,
                bad: "",
                after: "",
            };
        };
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(span.start);
        let end = floor(span.end).max(start);
        Parts {
            before: &text[..start],
            bad: &text[start..end],
            after: &text[end..],
        }
    }

    /// 1-based character columns `(first, last)` of the bad span, for tests and tools (a missing
    /// piece at the end is the column just past the text).
    pub fn columns(&self) -> (usize, usize) {
        let parts = self.parts();
        let first = parts.before.chars().count() + 1;
        (first, first + parts.bad.chars().count().max(1) - 1)
    }
}

/// Parses `text` as the server will; `None` when it parses or is blank (an empty editor is not a
/// mistake, just not a query yet).
pub fn check(text: &str) -> Option<Problem> {
    if text.trim().is_empty() {
        return None;
    }
    // Only the error is used, so this keeps compiling whatever the parser's success type is.
    let error = query::parse(text).err()?;
    Some(Problem {
        text: text.to_owned(),
        span: Some(error.span.start..error.span.end),
        message: error.to_string(),
    })
}

/// The API's complaint about `text`: the span is the token at the first "column N" of the message,
/// or `None` when the message names no column (`anomalies()` over too little history, say).
pub fn from_api(text: &str, message: &str) -> Problem {
    let span = column_in(message).map(|column| token_at(text, column));
    Problem {
        text: text.to_owned(),
        span,
        message: message.to_owned(),
    }
}

/// The first `column N` in a message.
fn column_in(message: &str) -> Option<usize> {
    message.match_indices("column ").find_map(|(i, word)| {
        let digits: String = message[i + word.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok().filter(|&c| c >= 1)
    })
}

/// The byte range of the token that starts at 1-based character `column`: a name or number, or a
/// single other character.
fn token_at(text: &str, column: usize) -> Range<usize> {
    let Some((start, first)) = text.char_indices().nth(column - 1) else {
        return text.len()..text.len();
    };
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '-' | '/');
    let end = if is_word(first) {
        text[start..]
            .char_indices()
            .find(|&(_, c)| !is_word(c))
            .map_or(text.len(), |(i, _)| start + i)
    } else {
        start + first.len_utf8()
    };
    start..end
}

/// Which problem the editor shows, given the text being typed (`draft`), the text last handed to the
/// API (`committed`), the last check in the browser, and the API's 400 message for `committed`.
///
/// A check of the current draft wins (its span is exact); then the API's message, while the draft is
/// still what was sent; then an older check, kept while the user types so the message does not
/// flicker on every keystroke until the next check catches up.
pub fn choose(
    draft: &str,
    committed: &str,
    checked: Option<&Checked>,
    api_message: Option<&str>,
) -> Option<Problem> {
    if let Some(c) = checked.filter(|c| c.text == draft)
        && let Some(p) = &c.problem
    {
        return Some(p.clone());
    }
    if let Some(message) = api_message.filter(|_| draft == committed) {
        return Some(from_api(committed, message));
    }
    checked
        .filter(|c| c.text != draft)
        .and_then(|c| c.problem.clone())
}

/// The result of checking one text in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub text: String,
    pub problem: Option<Problem>,
}

impl Checked {
    pub fn of(text: &str) -> Checked {
        Checked {
            text: text.to_owned(),
            problem: check(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str, span: Range<usize>) -> Problem {
        Problem {
            text: text.into(),
            span: Some(span),
            message: "m".into(),
        }
    }

    #[test]
    fn parts_split_around_the_span() {
        let p = problem("avg:m{host:a", 6..10);
        assert_eq!(
            p.parts(),
            Parts {
                before: "avg:m{",
                bad: "host",
                after: ":a"
            }
        );
        assert_eq!(p.columns(), (7, 10));
        let end = problem("avg:m{host:a", 12..12);
        assert_eq!((end.parts().before, end.parts().bad), ("avg:m{host:a", ""));
        assert_eq!(end.columns(), (13, 13));
        // Out of range, inverted, or inside a character: clamped, never a panic.
        assert_eq!(problem("ab", 5..9).parts().before, "ab");
        assert_eq!(problem("ab", Range { start: 2, end: 1 }).parts().bad, "");
        let accented = problem("é{x", 1..2);
        assert_eq!(accented.parts().before, "");
        assert_eq!(accented.parts().bad, "é");
    }

    #[test]
    fn a_parse_error_keeps_its_exact_span() {
        assert_eq!(check(""), None);
        assert_eq!(check("   "), None);
        assert_eq!(check("avg:my_metric{host:ubuntu}"), None);
        let p = check("avg:my_metric{host:ubuntu").expect("an unclosed scope is an error");
        assert_eq!(p.parts().before, "avg:my_metric{host:ubuntu");
        assert!(p.message.contains('}'), "{}", p.message);
        let p = check("avg:my_metric{host:ubuntu} @").expect("a stray character is an error");
        assert_eq!(p.parts().bad, "@");
        assert_eq!(p.columns(), (28, 28));
    }

    #[test]
    fn api_messages_point_at_their_column() {
        let text = "avg:my_metric{host:ubuntu}.rolup(sum)";
        let p = from_api(
            text,
            "unknown modifier `rolup` at column 28; did you mean `rollup`?",
        );
        assert_eq!(p.parts().bad, "rolup");
        let p = from_api(text, "unexpected `(` at column 33");
        assert_eq!(p.parts().bad, "(");
        let p = from_api(text, "`.rollup()` is not evaluated yet");
        assert_eq!(p.span, None, "nothing to point at");
        assert_eq!(p.parts().before, text);
        assert_eq!(from_api("ab", "at column 40").span, Some(2..2));
        assert_eq!(from_api("ab", "at column 0").span, None);
    }

    #[test]
    fn the_draft_check_wins_then_the_api_then_an_older_check() {
        let bad = Checked::of("avg:m{");
        let fine = Checked::of("avg:m{*}");
        let api = Some("unknown metric at column 5");
        // The draft was checked and is wrong: that, whatever the API said about older text.
        assert_eq!(
            choose("avg:m{", "avg:m{*}", Some(&bad), api).map(|p| p.text),
            Some("avg:m{".into())
        );
        // The draft parses and is what the API refused: the API's words.
        let shown = choose("avg:m{*}", "avg:m{*}", Some(&fine), api);
        assert_eq!(shown.map(|p| p.parts().bad.to_owned()), Some("m".into()));
        // Typing on after a mistake: the old problem stays until the next check.
        assert_eq!(
            choose("avg:m{h", "avg:m{*}", Some(&bad), None).map(|p| p.text),
            Some("avg:m{".into())
        );
        // The draft parses and the API is happy, or the API's words are about other text.
        assert_eq!(choose("avg:m{*}", "avg:m{*}", Some(&fine), None), None);
        assert_eq!(choose("avg:m{*} ", "avg:m{*}", Some(&fine), api), None);
    }
}
