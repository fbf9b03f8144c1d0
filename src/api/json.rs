//! JSON in and out of the UI without serde_json's (de)serializers: a small pull [`Reader`] that the
//! API's answers are read with straight into their types (`wire.rs`), or into a `serde_json::Value`
//! for dashboards; and a writer for `Value`s.
//!
//! Why not `serde_json::from_str`: serde's derived readers and serde_json's reader and printer (with
//! its float tables) were some 25 KB of the UI's gzipped wasm, a sixth of what is left once Leptos is
//! counted. This file is a few KB, reads a 166,650-point query answer without an intermediate
//! `Value`, and says where the text is wrong as serde_json does ("… at line 1 column 28").
//!
//! Leniency: the reader checks JSON's syntax; the typed readers skip members they do not know and
//! leave missing ones at their defaults, so a newer server can add fields.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

pub type Result<T> = std::result::Result<T, String>;

/// A cursor over JSON text.
pub struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    /// Reads one whole document with `read`: only whitespace may follow it.
    pub fn parse<T>(text: &'a str, read: impl FnOnce(&mut Reader<'a>) -> Result<T>) -> Result<T> {
        let mut r = Reader { text, at: 0 };
        let v = read(&mut r)?;
        match r.peek() {
            None => Ok(v),
            Some(_) => Err(r.error("trailing characters")),
        }
    }

    /// `what` went wrong here: "… at line L column C" (1-based, columns in bytes).
    fn error(&self, what: &str) -> String {
        let before = &self.text.as_bytes()[..self.at.min(self.text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        format!("{what} at line {line} column {column}")
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.at) {
            self.at += 1;
        }
        bytes.get(self.at).copied()
    }

    /// Consumes `word` (after whitespace), or fails with `what`.
    fn expect(&mut self, word: &str, what: &str) -> Result<()> {
        self.peek();
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// An object: `member` is called with each key, and must read that key's value.
    pub fn object(
        &mut self,
        member: &mut dyn FnMut(&mut Reader<'a>, String) -> Result<()>,
    ) -> Result<()> {
        self.expect("{", "expected an object")?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a member name"));
            }
            let key = self.string()?;
            self.expect(":", "expected `:`")?;
            member(self, key)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    /// An array: `item` is called for each element, and must read it.
    pub fn array(&mut self, item: &mut dyn FnMut(&mut Reader<'a>) -> Result<()>) -> Result<()> {
        self.expect("[", "expected an array")?;
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// Consumes `null` if it comes next.
    pub fn null(&mut self) -> bool {
        let here = self.peek() == Some(b'n') && self.text[self.at..].starts_with("null");
        if here {
            self.at += 4;
        }
        here
    }

    pub fn bool(&mut self) -> Result<bool> {
        match self.peek() {
            Some(b't') => self.expect("true", "expected `true`").map(|()| true),
            Some(b'f') => self.expect("false", "expected `false`").map(|()| false),
            _ => Err(self.error("expected a boolean")),
        }
    }

    pub fn string(&mut self) -> Result<String> {
        self.expect("\"", "expected a string")?;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            // Copy up to the next quote or backslash in one go.
            let plain = rest
                .find(['"', '\\'])
                .ok_or_else(|| self.error("unterminated string"))?;
            if let Some(bad) = rest[..plain].find(|c: char| c < ' ') {
                self.at += bad;
                return Err(self.error("control character in a string"));
            }
            out.push_str(&rest[..plain]);
            self.at += plain + 1;
            if rest.as_bytes()[plain] == b'"' {
                return Ok(out);
            }
            let escape = self.text.as_bytes().get(self.at).copied();
            self.at += 1;
            out.push(match escape {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => self.unicode_escape()?,
                _ => {
                    self.at -= 1;
                    return Err(self.error("invalid escape"));
                }
            });
        }
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD83D\uDE00`.
    fn unicode_escape(&mut self) -> Result<char> {
        let hex4 = |r: &mut Reader| -> Result<u32> {
            let digits = r
                .text
                .get(r.at..r.at + 4)
                .ok_or_else(|| r.error("invalid \\u escape"))?;
            if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(r.error("invalid \\u escape"));
            }
            let v = u32::from_str_radix(digits, 16).map_err(|_| r.error("invalid \\u escape"))?;
            r.at += 4;
            Ok(v)
        };
        let first = hex4(self)?;
        let code = if (0xD800..0xDC00).contains(&first) && self.text[self.at..].starts_with("\\u") {
            self.at += 2;
            let second = hex4(self)?;
            0x10000 + ((first - 0xD800) << 10) + (second.wrapping_sub(0xDC00) & 0x3FF)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    /// A number's text, checked against JSON's grammar.
    fn number_text(&mut self) -> Result<&'a str> {
        self.peek();
        let text = self.text;
        let bytes = text.as_bytes();
        let start = self.at;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let mut ok = digits(&mut i);
        if ok && bytes.get(i) == Some(&b'.') {
            i += 1;
            ok = digits(&mut i);
        }
        if ok && matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            ok = digits(&mut i);
        }
        if !ok {
            return Err(self.error("expected a number"));
        }
        self.at = i;
        Ok(&text[start..i])
    }

    pub fn number(&mut self) -> Result<f64> {
        let text = self.number_text()?;
        text.parse().map_err(|_| self.error("invalid number"))
    }

    /// A number that must be a whole one (timestamps, counts).
    pub fn int(&mut self) -> Result<i64> {
        self.peek();
        let start = self.at;
        let v = self.number()?;
        if v.fract() == 0.0 && v.abs() < 9.3e18 {
            Ok(v as i64)
        } else {
            self.at = start;
            Err(self.error("expected a whole number"))
        }
    }

    /// `null` or a number.
    pub fn opt_number(&mut self) -> Result<Option<f64>> {
        if self.null() {
            Ok(None)
        } else {
            self.number().map(Some)
        }
    }

    /// `null` or a string.
    pub fn opt_string(&mut self) -> Result<Option<String>> {
        if self.null() {
            Ok(None)
        } else {
            self.string().map(Some)
        }
    }

    /// An array of strings.
    pub fn strings(&mut self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        self.array(&mut |r| {
            out.push(r.string()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Any value, as a `serde_json::Value`.
    pub fn value(&mut self) -> Result<Value> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut map = Map::new();
                self.object(&mut |r, key| {
                    map.insert(key, r.value()?);
                    Ok(())
                })?;
                Value::Object(map)
            }
            Some(b'[') => {
                let mut items = Vec::new();
                self.array(&mut |r| {
                    items.push(r.value()?);
                    Ok(())
                })?;
                Value::Array(items)
            }
            Some(b'"') => Value::String(self.string()?),
            Some(b't' | b'f') => Value::Bool(self.bool()?),
            Some(b'n') => {
                self.expect("null", "expected a value")?;
                Value::Null
            }
            _ => {
                let text = self
                    .number_text()
                    .map_err(|_| self.error("expected a value"))?;
                let whole = !text.contains(['.', 'e', 'E']);
                if let (true, Ok(i)) = (whole, text.parse::<i64>()) {
                    Value::Number(i.into())
                } else if let (true, Ok(u)) = (whole, text.parse::<u64>()) {
                    Value::Number(u.into())
                } else {
                    let f: f64 = text.parse().map_err(|_| self.error("invalid number"))?;
                    Value::Number(
                        Number::from_f64(f).ok_or_else(|| self.error("number out of range"))?,
                    )
                }
            }
        })
    }

    /// Reads and drops the next value.
    pub fn skip(&mut self) -> Result<()> {
        self.value().map(drop)
    }
}

/// `text` as a `Value`.
pub fn parse_value(text: &str) -> Result<Value> {
    Reader::parse(text, value)
}

/// [`Reader::value`] as a plain function (which a `fn(&mut Reader) -> …` pointer can hold).
pub fn value(r: &mut Reader) -> Result<Value> {
    r.value()
}

/// `v` as compact JSON.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, None);
    out
}

/// `v` as JSON indented by two spaces, one member per line (as `serde_json::to_string_pretty`).
pub fn to_string_pretty(v: &Value) -> String {
    let mut out = String::new();
    write(&mut out, v, Some(0));
    out
}

/// Writes `v`; `indent` is the current depth when pretty-printing. Floats are printed by Rust's
/// shortest round-trip formatting, which has no exponent (`1e21` is `1000000000000000000000.0`),
/// with `.0` added to whole ones so that they read back as floats.
fn write(out: &mut String, v: &Value, indent: Option<usize>) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                let start = out.len();
                let _ = write!(out, "{}", n.as_f64().unwrap_or_default());
                if !out[start..].contains('.') {
                    out.push_str(".0");
                }
            }
        }
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                separator(out, i, indent);
                write(out, item, indent.map(|d| d + 1));
            }
            close(out, items.is_empty(), indent, ']');
        }
        Value::Object(members) => {
            out.push('{');
            for (i, (key, item)) in members.iter().enumerate() {
                separator(out, i, indent);
                string(out, key);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write(out, item, indent.map(|d| d + 1));
            }
            close(out, members.is_empty(), indent, '}');
        }
    }
}

/// Before the `i`-th item of an array or object: a comma after the first, a new line when pretty.
fn separator(out: &mut String, i: usize, indent: Option<usize>) {
    if i > 0 {
        out.push(',');
    }
    if let Some(depth) = indent {
        newline(out, depth + 1);
    }
}

fn close(out: &mut String, empty: bool, indent: Option<usize>, bracket: char) {
    if let (Some(depth), false) = (indent, empty) {
        newline(out, depth);
    }
    out.push(bracket);
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A JSON string: quotes, backslashes and control characters escaped, the rest as it is.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
