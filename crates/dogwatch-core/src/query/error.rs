//! The one error type of the query language: a span, a kind, and a message that names the column.

use std::fmt;

use super::Span;
use super::ast::SpaceAggregator;

/// Why a query could not be parsed, and where.
///
/// `span` is the byte range of the offending text in the query; an empty span at the end of the input
/// means the query stopped too early. The message ([`fmt::Display`]) names positions as 1-based
/// character columns, which is what a person counts in the query box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub span: Span,
    pub kind: ErrorKind,
    /// The query text, kept so the message can quote what was found and count columns in characters
    /// rather than bytes (they differ after the first non-ASCII letter).
    source: Box<str>,
}

/// What went wrong. The offending text itself is at the error's `span`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The query is empty or only whitespace.
    Empty,
    /// A character that cannot start any token where it stands: `@`, or `é` outside a scope. `in_scope`
    /// is true inside `{…}`, where the message lists the characters a tag may hold.
    UnexpectedChar { in_scope: bool },
    /// A token that cannot stand where it is, such as a stray `)` after a complete query.
    UnexpectedToken,
    /// Something other than a query where one must start, e.g. `)` or `:` first.
    ExpectedQuery,
    /// `avg:` followed by something other than a metric name.
    ExpectedMetric { aggregator: SpaceAggregator },
    /// A `name:` prefix that is not a space aggregator, e.g. `mean:`.
    UnknownAggregator,
    /// A metric name longer than the intake accepts ([`crate::query::ast::MAX_METRIC_NAME_LEN`]).
    MetricNameTooLong,
    /// The metric name is not followed by its scope `{…}`.
    ExpectedScope,
    /// `{` or `,` inside a scope followed by something other than a tag or `*`.
    ExpectedTag,
    /// `by` not followed by `{`.
    ExpectedGroupBy,
    /// `{` or `,` inside a group-by list followed by something other than a tag key.
    ExpectedTagKey,
    /// A `{` or `(` that is never closed. `span` is where the closing delimiter was expected (a token,
    /// or the end of the input); `opened` is the opening delimiter.
    Unclosed { delimiter: Delimiter, opened: Span },
    /// A tag of a scope or a key of a group-by list that is malformed.
    InvalidTag { problem: TagProblem },
    /// Parentheses nested deeper than [`crate::query::parser::MAX_DEPTH`]; refused so that a hostile
    /// query cannot exhaust the stack.
    TooDeep,
    /// Valid Datadog syntax that dogwatch cannot evaluate yet.
    Unsupported { feature: Feature },
}

/// The delimiter an [`ErrorKind::Unclosed`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delimiter {
    /// The `{…}` after a metric name.
    Scope,
    /// The `{…}` after `by`.
    GroupBy,
    /// A `(` around an expression.
    Paren,
}

/// How a tag in a query is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagProblem {
    /// Nothing before the `:`, as in `:prod`.
    EmptyKey,
    /// Nothing after the `:`, as in `host:`.
    EmptyValue,
    /// `*` together with other tags; it means "every series" and only stands alone.
    StarNotAlone,
    /// A group-by item that is not a bare key, such as `host:a` or `*`.
    NotAKey,
}

/// Parts of Datadog's query language that parse in Datadog but are not evaluated by dogwatch yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Feature {
    /// `abs(…)`, `top(…)`, `anomalies(…)`.
    Function,
    /// `.rollup(…)`, `.as_count()`, `.fill(…)`.
    Modifier,
    /// `+ - * /` between queries and numbers.
    Arithmetic,
    /// A leading `-`.
    Negation,
    /// A numeric constant such as `2`.
    Number,
    /// Several comma-separated queries in one request.
    MultipleQueries,
    /// `!tag:value` in a scope.
    Exclusion,
    /// `*` inside a tag, as in `service:*-canary`.
    Wildcard,
    /// `AND`, `OR`, `NOT`, `IN` inside a scope.
    BooleanScope,
}

impl Error {
    /// `source` is the whole query text that `span` points into.
    pub(crate) fn new(source: &str, span: Span, kind: ErrorKind) -> Error {
        Error {
            span,
            kind,
            source: source.into(),
        }
    }

    /// The 1-based character column where the error starts.
    pub fn column(&self) -> usize {
        self.column_of(self.span.start)
    }

    /// The offending text (empty when the query ended too early).
    pub fn found(&self) -> &str {
        self.span.text(&self.source)
    }

    fn column_of(&self, byte: usize) -> usize {
        match self.source.get(..byte) {
            Some(before) => before.chars().count() + 1,
            // Spans come from the lexer and always fall on character boundaries; this is only a
            // fallback so that rendering a message can never panic.
            None => byte + 1,
        }
    }

    /// `, found `x`` when there is something to quote; nothing when the query ended.
    fn found_suffix(&self) -> String {
        if self.span.is_empty() {
            String::new()
        } else {
            format!(", found {}", quote(self.found()))
        }
    }
}

/// Wraps text in backticks, shortened so that a 10 000-character token does not flood the message.
fn quote(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut shown = String::new();
    for c in text.chars().take(MAX_CHARS) {
        // A NUL or a newline would garble the message; show them as escapes.
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    let cut = if text.chars().nth(MAX_CHARS).is_some() {
        "…"
    } else {
        ""
    };
    format!("`{shown}{cut}`")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = self.column();
        let found = self.found();
        let found_suffix = self.found_suffix();
        match self.kind {
            ErrorKind::Empty => {
                write!(
                    f,
                    "the query is empty; write one such as `avg:system.cpu.user{{*}}`"
                )
            }
            ErrorKind::UnexpectedChar { in_scope: false } => {
                write!(f, "unexpected character {} at column {col}", quote(found))
            }
            ErrorKind::UnexpectedChar { in_scope: true } => write!(
                f,
                "unexpected character {} in a tag at column {col}; tags may contain letters, digits \
                 and `_ - . / :`",
                quote(found)
            ),
            ErrorKind::UnexpectedToken => write!(f, "unexpected {} at column {col}", quote(found)),
            ErrorKind::ExpectedQuery => write!(
                f,
                "expected a query such as `avg:system.cpu.user{{*}}` at column {col}{found_suffix}"
            ),
            ErrorKind::ExpectedMetric { aggregator } => write!(
                f,
                "expected a metric name after `{aggregator}:` at column {col}{found_suffix}"
            ),
            ErrorKind::UnknownAggregator => write!(
                f,
                "unknown space aggregator {} at column {col}; expected avg, sum, min or max",
                quote(found)
            ),
            ErrorKind::MetricNameTooLong => write!(
                f,
                "the metric name at column {col} is longer than {} characters",
                super::ast::MAX_METRIC_NAME_LEN
            ),
            ErrorKind::ExpectedScope => write!(
                f,
                "expected `{{` after the metric name at column {col}{found_suffix}; write `{{*}}` to \
                 read every series"
            ),
            ErrorKind::ExpectedTag => {
                write!(f, "expected a tag or `*` at column {col}{found_suffix}")
            }
            ErrorKind::ExpectedGroupBy => {
                write!(f, "expected `{{` after `by` at column {col}{found_suffix}")
            }
            ErrorKind::ExpectedTagKey => {
                write!(f, "expected a tag key at column {col}{found_suffix}")
            }
            ErrorKind::Unclosed { delimiter, opened } => {
                let (close, what) = match delimiter {
                    Delimiter::Scope => ("}", "the scope"),
                    Delimiter::GroupBy => ("}", "the group-by list"),
                    Delimiter::Paren => (")", "the parenthesis"),
                };
                write!(
                    f,
                    "expected `{close}` to close {what} opened at column {}",
                    self.column_of(opened.start)
                )?;
                if !self.span.is_empty() {
                    write!(f, ", found {} at column {col}", quote(found))?;
                }
                Ok(())
            }
            ErrorKind::InvalidTag { problem } => match problem {
                TagProblem::EmptyKey => write!(
                    f,
                    "the tag {} at column {col} has nothing before `:`",
                    quote(found)
                ),
                TagProblem::EmptyValue => write!(
                    f,
                    "the tag {} at column {col} has nothing after `:`",
                    quote(found)
                ),
                TagProblem::StarNotAlone => write!(
                    f,
                    "`*` at column {col} means every series and cannot be combined with tags"
                ),
                TagProblem::NotAKey => write!(
                    f,
                    "expected a tag key such as `host` at column {col}, found {}; `by` groups by \
                     keys, not by tags",
                    quote(found)
                ),
            },
            ErrorKind::TooDeep => write!(
                f,
                "parentheses nested more than {} deep at column {col}",
                super::parser::MAX_DEPTH
            ),
            ErrorKind::Unsupported { feature } => {
                let what = match feature {
                    Feature::Function => format!("the function {}", quote(&format!("{found}(…)"))),
                    Feature::Modifier => format!("the modifier {}", quote(&format!("{found}(…)"))),
                    Feature::Arithmetic => format!("arithmetic ({})", quote(found)),
                    Feature::Negation => format!("negation ({})", quote(found)),
                    Feature::Number => format!("the number {}", quote(found)),
                    Feature::MultipleQueries => "a second query after `,`".to_owned(),
                    Feature::Exclusion => "excluding tags with `!`".to_owned(),
                    Feature::Wildcard => format!("the wildcard in {}", quote(found)),
                    Feature::BooleanScope => {
                        format!("the boolean operator {} in a scope", quote(found))
                    }
                };
                write!(f, "{what} at column {col} is not supported yet")
            }
        }
    }
}

impl std::error::Error for Error {}
