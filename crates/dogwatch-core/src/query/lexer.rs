//! The query lexer: text to tokens, each with its byte span; whitespace separates tokens and is dropped.
//!
//! The lexer has two modes because the same characters mean different things inside and outside
//! braces: outside, `-` and `/` are operators and `:` ends an aggregator; inside `{…}`, they are part of
//! tags such as `env:us-east-1/a`. A `{` switches to the scope mode and a `}` switches back.
//! Strings (`'basic'`, `"desc"`) exist only outside braces; they have no escapes, since the names they
//! hold never contain a quote.

use super::Span;
use super::error::{Error, ErrorKind};

/// One token. Its text is `&input[span.start..span.end]`; tokens do not copy it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Outside braces: an ASCII letter, then ASCII letters, digits, `_` and `.` (metric names,
    /// aggregators, `by`, function and modifier names).
    Ident,
    /// Outside braces: digits with an optional fraction and exponent, as in `2`, `0.5`, `1e3`.
    Number,
    /// Inside braces: a run of letters (any script), digits and `_ - . / : *`, i.e. a tag, a tag key or
    /// `*`. The parser decides what it is.
    Word,
    Colon,
    Comma,
    Dot,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Plus,
    Minus,
    Star,
    Slash,
    Bang,
    /// Outside braces: text in single or double quotes, as in `'basic'`; the span includes the quotes.
    Str,
    /// `=`, which only Datadog's keyword arguments use (`direction='above'`).
    Equals,
}

/// Splits `input` into tokens, or reports the first character that cannot start one.
pub fn tokenize(input: &str) -> Result<Vec<Token>, Error> {
    let mut tokens = Vec::new();
    let mut in_scope = false;
    let mut chars = input.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let kind = match c {
            '{' => {
                in_scope = true;
                Some(TokenKind::LBrace)
            }
            '}' => {
                in_scope = false;
                Some(TokenKind::RBrace)
            }
            ',' => Some(TokenKind::Comma),
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            '!' => Some(TokenKind::Bang),
            _ if in_scope && is_word_char(c) => {
                while chars.next_if(|&(_, c)| is_word_char(c)).is_some() {}
                Some(TokenKind::Word)
            }
            _ if in_scope => None,
            ':' => Some(TokenKind::Colon),
            '.' => Some(TokenKind::Dot),
            '+' => Some(TokenKind::Plus),
            '-' => Some(TokenKind::Minus),
            '*' => Some(TokenKind::Star),
            '/' => Some(TokenKind::Slash),
            '=' => Some(TokenKind::Equals),
            '\'' | '"' => {
                if chars.find(|&(_, q)| q == c).is_none() {
                    let span = Span::new(start, input.len());
                    return Err(Error::new(input, span, ErrorKind::UnterminatedString));
                }
                Some(TokenKind::Str)
            }
            _ if c.is_ascii_alphabetic() => {
                while chars.next_if(|&(_, c)| is_ident_char(c)).is_some() {}
                Some(TokenKind::Ident)
            }
            _ if c.is_ascii_digit() => {
                let end = start + number_len(input.get(start..).unwrap_or_default());
                while chars.next_if(|&(i, _)| i < end).is_some() {}
                Some(TokenKind::Number)
            }
            _ => None,
        };
        let end = chars.peek().map_or(input.len(), |&(i, _)| i);
        let span = Span::new(start, end);
        match kind {
            Some(kind) => tokens.push(Token { kind, span }),
            None => {
                return Err(Error::new(
                    input,
                    Span::new(start, start + c.len_utf8()),
                    ErrorKind::UnexpectedChar { in_scope },
                ));
            }
        }
    }
    Ok(tokens)
}

/// Characters of a metric name (after its first letter) or another identifier.
fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Characters of a tag in a scope. Letters of any script count, as Datadog's tags allow them; `*` is
/// included so that wildcards reach the parser as part of their tag.
///
/// U+0307 (combining dot above) is no letter, but lower-casing `İ`, a letter, gives `i` followed by
/// it; it is accepted so that the printed, lower-cased form of every tag that parses parses again.
/// It is the only such character (checked over all of Unicode when this was written).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ':' | '*' | '\u{307}')
}

/// The length in bytes of the number that `rest` starts with: digits, then an optional `.digits` and
/// an optional exponent. A `.` or `e` not followed by a digit is left alone, so that `2.rollup` or
/// `2e` do not swallow what follows.
fn number_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let digits_end = |from: usize| {
        let digits = bytes.iter().skip(from).take_while(|b| b.is_ascii_digit());
        from + digits.count()
    };
    let is_digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let mut end = digits_end(0);
    if bytes.get(end) == Some(&b'.') && is_digit_at(end + 1) {
        end = digits_end(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        if is_digit_at(end + 1 + sign) {
            end = digits_end(end + 1 + sign);
        }
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders tokens as `Kind "text"` lines so expectations read like the input.
    fn lex(input: &str) -> String {
        match tokenize(input) {
            Ok(tokens) => tokens
                .iter()
                .map(|t| format!("{:?} {:?}", t.kind, t.span.text(input)))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(e) => format!("error: {e}"),
        }
    }

    macro_rules! check {
        ($input:expr, @$expected:literal) => {
            insta::assert_snapshot!(lex($input), @$expected)
        };
    }

    #[test]
    fn tokens() {
        check!("avg:system.cpu.user{host:ubuntu,env} by {host}", @r#"
        Ident "avg"
        Colon ":"
        Ident "system.cpu.user"
        LBrace "{"
        Word "host:ubuntu"
        Comma ","
        Word "env"
        RBrace "}"
        Ident "by"
        LBrace "{"
        Word "host"
        RBrace "}"
        "#);
        check!("  sum : m { * } ", @r#"
        Ident "sum"
        Colon ":"
        Ident "m"
        LBrace "{"
        Word "*"
        RBrace "}"
        "#);
        check!("m{env:us-east-1/a,service:*-canary,!x}", @r#"
        Ident "m"
        LBrace "{"
        Word "env:us-east-1/a"
        Comma ","
        Word "service:*-canary"
        Comma ","
        Bang "!"
        Word "x"
        RBrace "}"
        "#);
        check!("abs(a{*}.rollup(sum, 60)) * 2.5e-3 - -1 / 0.5", @r#"
        Ident "abs"
        LParen "("
        Ident "a"
        LBrace "{"
        Word "*"
        RBrace "}"
        Dot "."
        Ident "rollup"
        LParen "("
        Ident "sum"
        Comma ","
        Number "60"
        RParen ")"
        RParen ")"
        Star "*"
        Number "2.5e-3"
        Minus "-"
        Minus "-"
        Number "1"
        Slash "/"
        Number "0.5"
        "#);
        check!("2.rollup 2e 3E+4 7.x", @r#"
        Number "2"
        Dot "."
        Ident "rollup"
        Number "2"
        Ident "e"
        Number "3E+4"
        Number "7"
        Dot "."
        Ident "x"
        "#);
        check!("m{city:zürich,名前:値}", @r#"
        Ident "m"
        LBrace "{"
        Word "city:zürich"
        Comma ","
        Word "名前:値"
        RBrace "}"
        "#);
        check!("", @"");
    }

    #[test]
    fn strings_and_keyword_arguments() {
        check!("anomalies(m{*}, 'basic', 2, direction=\"above\")", @r#"
        Ident "anomalies"
        LParen "("
        Ident "m"
        LBrace "{"
        Word "*"
        RBrace "}"
        Comma ","
        Str "'basic'"
        Comma ","
        Number "2"
        Comma ","
        Ident "direction"
        Equals "="
        Str "\"above\""
        RParen ")"
        "#);
        check!("'' \"it's\" 'say \"hi\"'", @r#"
        Str "''"
        Str "\"it's\""
        Str "'say \"hi\"'"
        "#);
        check!("top(q, 5, 'max", @"error: the string starting at column 11 has no closing `'`");
        check!("\"", @r#"error: the string starting at column 1 has no closing `"`"#);
        check!("m{host:'a'}", @"error: unexpected character `'` in a tag at column 8; tags may contain letters, digits and `_ - . / :`");
    }

    #[test]
    fn bad_characters() {
        check!("avg:m@{*}", @"error: unexpected character `@` at column 6");
        check!("avg:métric{*}", @"error: unexpected character `é` at column 6");
        check!("m{host:a#b}", @"error: unexpected character `#` in a tag at column 9; tags may contain letters, digits and `_ - . / :`");
        check!("m{x:é} @", @"error: unexpected character `@` at column 8");
        check!("m{*} 🙂", @"error: unexpected character `🙂` at column 6");
    }
}
