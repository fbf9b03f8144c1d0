//! What the query text expects at the cursor, found by a small scanner over the text before it.
//!
//! This is deliberately not the real parser: the text being typed is nearly always incomplete
//! (`avg:my_`, `anomalies(avg:m{host:`), and a scanner that only tracks brackets, the last few tokens
//! and the word under the cursor gives a useful answer for every prefix without depending on the
//! parser's internals or error recovery.

use std::ops::Range;

/// What may be typed at the cursor.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// The start of an expression: a function, a space aggregator (`avg:`), or a metric name.
    Expression,
    /// A metric name, after `avg:`.
    Metric,
    /// A tag inside the scope `{…}` of `metric`; `chosen` are the tags already in that scope.
    Tag { metric: String, chosen: Vec<String> },
    /// A tag key inside `by {…}`, for the scope's `metric`; `chosen` are the keys already listed.
    TagKey { metric: String, chosen: Vec<String> },
    /// A modifier after `.`: `rollup`, `as_count`, …
    Modifier,
    /// A fixed choice for an argument: `sum` in `.rollup(sum)`, `'basic'` in `anomalies(q, 'basic')`.
    Argument {
        options: &'static [&'static str],
        quoted: bool,
    },
    /// Nothing useful to suggest (a number, a closed string, the middle of an operator …).
    Nothing,
}

/// What the cursor is in: what is expected, and the byte range of the word being typed there (empty at
/// the cursor when nothing has been typed yet). A picked suggestion replaces that range.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    pub expect: Expect,
    pub word: Range<usize>,
}

impl Context {
    /// The text typed so far of the word at the cursor (up to the cursor), without a leading quote.
    pub fn needle<'a>(&self, text: &'a str, cursor: usize) -> &'a str {
        let end = cursor.clamp(self.word.start, self.word.end);
        text.get(self.word.start..end)
            .unwrap_or("")
            .trim_start_matches(['\'', '"'])
    }
}

/// The fixed choices of one argument, and whether they are written in quotes.
type Choices = Option<(&'static [&'static str], bool)>;

/// Functions that take a query as their first argument, and the fixed choices of their other
/// arguments (by position).
const FUNCTIONS: &[(&str, &[Choices])] = &[
    ("abs", &[]),
    ("log2", &[]),
    ("log10", &[]),
    ("cumsum", &[]),
    ("integral", &[]),
    ("per_second", &[]),
    ("per_minute", &[]),
    ("per_hour", &[]),
    ("diff", &[]),
    ("derivative", &[]),
    (
        "top",
        &[
            None,
            None,
            Some((TOP_METHODS, true)),
            Some((&["asc", "desc"], true)),
        ],
    ),
    ("hour_before", &[]),
    ("day_before", &[]),
    ("week_before", &[]),
    ("month_before", &[]),
    ("timeshift", &[]),
    (
        "anomalies",
        &[None, Some((&["basic", "agile", "robust"], true))],
    ),
];

const TOP_METHODS: &[&str] = &[
    "max", "min", "last", "mean", "sum", "area", "norm", "l2norm",
];

/// The functions that may start an expression, in the order they are suggested.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|(name, _)| *name)
}

/// Modifiers after `.`, and the fixed choices of their first argument.
pub const MODIFIERS: &[(&str, Option<&[&str]>)] = &[
    ("rollup", Some(&["avg", "sum", "min", "max", "count"])),
    ("as_count", None),
    ("as_rate", None),
    ("fill", Some(&["null", "zero", "linear", "last"])),
];

/// An open bracket the cursor is inside.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    /// `(`: a call of `name` (a modifier when `modifier`), or plain grouping; `arg` counts commas.
    Paren {
        name: Option<String>,
        modifier: bool,
        arg: usize,
    },
    /// The scope `{…}` of a metric, with the tags before the item being typed.
    Scope { metric: String, done: Vec<String> },
    /// `by {…}`, with the keys before the item being typed.
    By { metric: String, done: Vec<String> },
}

/// Where the scanner is between tokens, outside `{…}`.
#[derive(Debug, Clone, PartialEq)]
enum State {
    /// An expression may start: the beginning, after `(`, `,` between queries, or an operator.
    Start,
    /// After `avg:`.
    AfterAggregator,
    /// After a name: `(` makes it a function, `:` an aggregator, `{` a metric.
    AfterName { name: String, after_dot: bool },
    /// After something complete: `}`, `)`, a number, a string.
    AfterOperand,
    /// After `.` following an operand.
    AfterDot,
    /// After `by`.
    AfterBy,
    /// In an argument of a call that is not a query (`3600`, `'basic'`).
    Argument,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// What the text expects at byte offset `cursor` (clamped to the text and to a character boundary).
pub fn context_at(text: &str, cursor: usize) -> Context {
    let mut cursor = cursor.min(text.len());
    while !text.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &text[..cursor];
    let mut scan = Scanner {
        frames: Vec::new(),
        state: State::Start,
        last_metric: String::new(),
    };
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // Inside `{…}`, items run to the next `,` or `}`.
        if matches!(
            scan.frames.last(),
            Some(Frame::Scope { .. } | Frame::By { .. })
        ) {
            let mut end = i;
            let mut closer = None;
            let mut rest = Some((i, c));
            while let Some((j, d)) = rest {
                if d == ',' || d == '}' {
                    closer = Some(d);
                    end = j;
                    break;
                }
                end = j + d.len_utf8();
                rest = chars.next();
            }
            let item = before[i..end].trim();
            match closer {
                Some(',') => scan.item_done(item),
                Some(_) => {
                    scan.item_done(item);
                    scan.frames.pop();
                    scan.state = State::AfterOperand;
                }
                // The cursor is in this item.
                None => return scan.in_braces(text, i, cursor),
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if c == '\'' || c == '"' {
            let mut closed = false;
            for (_, d) in chars.by_ref() {
                if d == c {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return scan.at_word(text, i, cursor, true);
            }
            scan.state = State::AfterOperand;
            continue;
        }
        if is_name_start(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_name_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            if end == cursor {
                return scan.at_word(text, i, cursor, false);
            }
            scan.name(&before[i..end]);
            continue;
        }
        if c.is_ascii_digit() {
            while chars.peek().is_some_and(|&(_, d)| is_name_char(d)) {
                chars.next();
            }
            scan.state = if scan.state == State::Argument {
                State::Argument
            } else {
                State::AfterOperand
            };
            continue;
        }
        scan.punct(c);
    }
    if matches!(
        scan.frames.last(),
        Some(Frame::Scope { .. } | Frame::By { .. })
    ) {
        // Just after `{` or `,`: a new item starts at the cursor.
        return scan.in_braces(text, cursor, cursor);
    }
    scan.at_word(text, cursor, cursor, false)
}

struct Scanner {
    frames: Vec<Frame>,
    state: State,
    /// The metric of the last scope opened, for the keys of a `by {…}` that follows it.
    last_metric: String,
}

impl Scanner {
    fn name(&mut self, name: &str) {
        self.state = match self.state {
            State::AfterOperand if name == "by" => State::AfterBy,
            State::AfterDot => State::AfterName {
                name: name.to_owned(),
                after_dot: true,
            },
            State::Argument => State::Argument,
            _ => State::AfterName {
                name: name.to_owned(),
                after_dot: false,
            },
        };
    }

    fn punct(&mut self, c: char) {
        let state = std::mem::replace(&mut self.state, State::AfterOperand);
        self.state = match (c, state) {
            (':', State::AfterName { .. }) => State::AfterAggregator,
            ('{', State::AfterName { name, .. }) => {
                self.last_metric.clone_from(&name);
                self.frames.push(Frame::Scope {
                    metric: name,
                    done: Vec::new(),
                });
                State::AfterOperand
            }
            ('{', State::AfterBy) => {
                self.frames.push(Frame::By {
                    metric: self.last_metric.clone(),
                    done: Vec::new(),
                });
                State::AfterOperand
            }
            ('(', State::AfterName { name, after_dot }) => {
                self.frames.push(Frame::Paren {
                    name: Some(name),
                    modifier: after_dot,
                    arg: 0,
                });
                self.argument_state()
            }
            ('(', _) => {
                self.frames.push(Frame::Paren {
                    name: None,
                    modifier: false,
                    arg: 0,
                });
                State::Start
            }
            (')', _) => {
                if matches!(self.frames.last(), Some(Frame::Paren { .. })) {
                    self.frames.pop();
                }
                State::AfterOperand
            }
            (',', _) => match self.frames.last_mut() {
                Some(Frame::Paren { arg, .. }) => {
                    *arg += 1;
                    self.argument_state()
                }
                // A comma outside any call separates queries.
                _ => State::Start,
            },
            ('.', State::AfterOperand) => State::AfterDot,
            ('+' | '-' | '*' | '/', State::Argument) => State::Argument,
            ('+' | '-' | '*' | '/', _) => State::Start,
            _ => State::AfterOperand,
        };
    }

    /// The state at the start of the current argument of the innermost call.
    fn argument_state(&self) -> State {
        match self.frames.last() {
            Some(Frame::Paren {
                modifier: false,
                arg: 0,
                ..
            }) => State::Start,
            _ => State::Argument,
        }
    }

    fn item_done(&mut self, item: &str) {
        match self.frames.last_mut() {
            Some(Frame::Scope { done, .. } | Frame::By { done, .. }) if !item.is_empty() => {
                done.push(item.trim_start_matches('!').to_owned());
            }
            _ => {}
        }
    }

    /// The cursor is in an item of `{…}` that starts at byte `start` (leading spaces included).
    fn in_braces(&self, text: &str, start: usize, cursor: usize) -> Context {
        let typed = &text[start..cursor];
        let mut word_start = start + (typed.len() - typed.trim_start().len());
        // `!host:a` excludes; the suggestion replaces what follows the `!`.
        if text[word_start..].starts_with('!') {
            word_start += 1;
        }
        let word_end = cursor
            + text[cursor..]
                .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
                .unwrap_or(text.len() - cursor);
        let expect = match self.frames.last() {
            Some(Frame::Scope { metric, done }) => Expect::Tag {
                metric: metric.clone(),
                chosen: done.clone(),
            },
            Some(Frame::By { metric, done }) => Expect::TagKey {
                metric: metric.clone(),
                chosen: done.clone(),
            },
            _ => Expect::Nothing,
        };
        Context {
            expect,
            word: word_start..word_end,
        }
    }

    /// The cursor is at the end of a word starting at `start` (or between tokens, when
    /// `start == cursor`); what it is depends on what came before it.
    fn at_word(&self, text: &str, start: usize, cursor: usize, quoted: bool) -> Context {
        let expect = match (&self.state, quoted) {
            (State::Start, false) => Expect::Expression,
            (State::AfterAggregator, false) => Expect::Metric,
            (State::AfterDot, false) => Expect::Modifier,
            (State::Argument, _) => self.argument_choices(),
            _ => Expect::Nothing,
        };
        // A word typed into the middle of a name is replaced whole.
        let rest = &text[cursor..];
        let word_end = if quoted {
            // Up to and including the closing quote, if the string is closed before its argument ends.
            let close = rest.find(['\'', '"', ',', ')']);
            cursor
                + close.map_or(rest.len(), |i| match rest[i..].chars().next() {
                    Some('\'' | '"') => i + 1,
                    _ => i,
                })
        } else if start == cursor && !rest.starts_with(is_name_start) {
            cursor
        } else {
            // Metric names hold dots; modifier and argument words end at one.
            let dotted = matches!(expect, Expect::Expression | Expect::Metric);
            let in_word = |c: char| is_name_char(c) && (dotted || c != '.');
            cursor + rest.find(|c| !in_word(c)).unwrap_or(rest.len())
        };
        Context {
            expect,
            word: start..word_end,
        }
    }

    fn argument_choices(&self) -> Expect {
        let Some(Frame::Paren {
            name: Some(name),
            modifier,
            arg,
        }) = self.frames.last()
        else {
            return Expect::Nothing;
        };
        let found = if *modifier {
            MODIFIERS
                .iter()
                .find(|(m, _)| m == name)
                .and_then(|(_, first)| first.filter(|_| *arg == 0))
                .map(|options| (options, false))
        } else {
            FUNCTIONS
                .iter()
                .find(|(f, _)| f == name)
                .and_then(|(_, args)| args.get(*arg).copied().flatten())
        };
        match found {
            Some((options, quoted)) => Expect::Argument { options, quoted },
            None => Expect::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context at the `|` in `marked`, and the word it covers.
    fn at(marked: &str) -> (Expect, String) {
        let cursor = marked.find('|').expect("a cursor mark");
        let text = marked.replacen('|', "", 1);
        let context = context_at(&text, cursor);
        (context.expect.clone(), text[context.word].to_owned())
    }

    fn tag(metric: &str, chosen: &[&str]) -> Expect {
        Expect::Tag {
            metric: metric.into(),
            chosen: chosen.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn expression_starts() {
        assert_eq!(at("|"), (Expect::Expression, "".into()));
        assert_eq!(at("an|"), (Expect::Expression, "an".into()));
        assert_eq!(at("  my_met|"), (Expect::Expression, "my_met".into()));
        assert_eq!(at("abs(|"), (Expect::Expression, "".into()));
        assert_eq!(at("abs( cum|"), (Expect::Expression, "cum".into()));
        assert_eq!(at("avg:a{*}, su|"), (Expect::Expression, "su".into()));
        assert_eq!(at("avg:a{*} + |"), (Expect::Expression, "".into()));
        assert_eq!(at("(avg:a{*} * 2) / (|"), (Expect::Expression, "".into()));
        assert_eq!(
            at("anomalies(av|g:m{*}, 'basic', 2)"),
            (Expect::Expression, "avg".into())
        );
    }

    #[test]
    fn metric_names_after_an_aggregator() {
        assert_eq!(at("avg:|"), (Expect::Metric, "".into()));
        assert_eq!(at("avg:my_|"), (Expect::Metric, "my_".into()));
        assert_eq!(
            at("sum:mysql.perf|ormance{*}"),
            (Expect::Metric, "mysql.performance".into())
        );
        assert_eq!(
            at("anomalies(avg:mysql.|"),
            (Expect::Metric, "mysql.".into())
        );
        assert_eq!(at("avg:a{*}, max:sys|"), (Expect::Metric, "sys".into()));
    }

    #[test]
    fn tags_inside_a_scope() {
        assert_eq!(at("avg:my_metric{|"), (tag("my_metric", &[]), "".into()));
        assert_eq!(
            at("avg:my_metric{ho|"),
            (tag("my_metric", &[]), "ho".into())
        );
        assert_eq!(
            at("avg:my_metric{host:ubuntu, env:|}"),
            (tag("my_metric", &["host:ubuntu"]), "env:".into())
        );
        assert_eq!(
            at("avg:m{!host:a,!re|gion:x}.rollup(sum)"),
            (tag("m", &["host:a"]), "region:x".into())
        );
        assert_eq!(
            at("anomalies(avg:mysql.cpu{host:|"),
            (tag("mysql.cpu", &[]), "host:".into())
        );
        assert_eq!(
            at("m{a:b}|"),
            (Expect::Nothing, "".into()),
            "after the scope"
        );
    }

    #[test]
    fn keys_inside_by() {
        assert_eq!(
            at("avg:m{*} by {|"),
            (
                Expect::TagKey {
                    metric: "m".into(),
                    chosen: vec![]
                },
                "".into()
            )
        );
        assert_eq!(
            at("avg:m{env:a} by {host,re|"),
            (
                Expect::TagKey {
                    metric: "m".into(),
                    chosen: vec!["host".into()]
                },
                "re".into()
            )
        );
    }

    #[test]
    fn modifiers_after_a_dot() {
        assert_eq!(at("avg:m{*}.|"), (Expect::Modifier, "".into()));
        assert_eq!(at("avg:m{*}.rol|"), (Expect::Modifier, "rol".into()));
        assert_eq!(
            at("avg:m{*} by {host}.as_|"),
            (Expect::Modifier, "as_".into())
        );
        assert_eq!(
            at("avg:m{*}.rollup(sum).fi|"),
            (Expect::Modifier, "fi".into())
        );
        assert_eq!(
            at("avg:m{*}.ro|llup(sum, 60)"),
            (Expect::Modifier, "rollup".into())
        );
        // A dot inside a metric name is part of the name.
        assert_eq!(at("avg:system.|"), (Expect::Metric, "system.".into()));
    }

    #[test]
    fn fixed_argument_choices() {
        let rollup = Expect::Argument {
            options: &["avg", "sum", "min", "max", "count"],
            quoted: false,
        };
        assert_eq!(at("avg:m{*}.rollup(|"), (rollup.clone(), "".into()));
        assert_eq!(at("avg:m{*}.rollup(su|"), (rollup, "su".into()));
        assert_eq!(at("avg:m{*}.rollup(sum, |"), (Expect::Nothing, "".into()));
        let anomalies = Expect::Argument {
            options: &["basic", "agile", "robust"],
            quoted: true,
        };
        assert_eq!(
            at("anomalies(avg:m{h:a}, |"),
            (anomalies.clone(), "".into())
        );
        assert_eq!(
            at("anomalies(avg:m{h:a}, 'ba|"),
            (anomalies.clone(), "'ba".into())
        );
        assert_eq!(
            at("anomalies(avg:m{h:a}, 'ba|', 2)"),
            (anomalies, "'ba'".into())
        );
        assert_eq!(
            at("anomalies(avg:m{h:a}, 'basic', |"),
            (Expect::Nothing, "".into())
        );
        assert_eq!(
            at("top(avg:m{*} by {host}, 5, 'mean', |"),
            (
                Expect::Argument {
                    options: &["asc", "desc"],
                    quoted: true
                },
                "".into()
            )
        );
    }

    #[test]
    fn nothing_in_numbers_and_closed_strings() {
        assert_eq!(at("avg:m{*} * 3|").0, Expect::Nothing);
        assert_eq!(at("anomalies(avg:m{*}, 'basic'|").0, Expect::Nothing);
        assert_eq!(at("avg:m{*}|").0, Expect::Nothing);
        assert_eq!(at("avg:m{*} by|").0, Expect::Nothing);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "}",
            ")))",
            "{{{",
            "'",
            "avg:{",
            "é{ü:",
            "m{a}.(",
            ",,,",
            "avg:m{*}.rollup(sum",
        ] {
            for cursor in 0..=text.len() + 2 {
                let c = context_at(text, cursor);
                assert!(
                    c.word.start <= c.word.end && c.word.end <= text.len(),
                    "{text:?} {cursor}"
                );
            }
        }
    }

    #[test]
    fn needle_is_what_was_typed_before_the_cursor() {
        let text = "avg:m{*}.ro|llup";
        let cursor = text.find('|').unwrap_or(0);
        let text = text.replace('|', "");
        let c = context_at(&text, cursor);
        assert_eq!(c.needle(&text, cursor), "ro");
        let text = "anomalies(q{*}, 'ag";
        let c = context_at(text, text.len());
        assert_eq!(c.needle(text, text.len()), "ag");
    }
}
