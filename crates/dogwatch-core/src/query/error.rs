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
    /// A string opened with `'` or `"` and never closed; `span` runs from the quote to the end.
    UnterminatedString,
    /// A number too large for a 64-bit float, such as `1e999`.
    NumberOutOfRange,
    /// A token that cannot stand where it is, such as a stray `)` after a complete query.
    UnexpectedToken,
    /// Something that starts a query right after a complete one, as in `a{*} b{*}`: a `,` or an
    /// operator is missing between them.
    MissingOperator,
    /// Something other than a query where one must start, e.g. `)` or `:` first, or a string.
    ExpectedQuery,
    /// `avg:` followed by something other than a metric name.
    ExpectedMetric { aggregator: SpaceAggregator },
    /// A `name:` prefix that is not a space aggregator, e.g. `mean:`.
    UnknownAggregator,
    /// A metric name longer than the intake accepts ([`crate::query::ast::MAX_METRIC_NAME_LEN`]).
    MetricNameTooLong,
    /// The metric name is not followed by its scope `{…}`.
    ExpectedScope,
    /// `{`, `,` or `!` inside a scope followed by something other than a tag or `*`.
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
    /// Parentheses, function calls and minus signs nested deeper than
    /// [`crate::query::parser::MAX_DEPTH`]; refused so that a hostile query cannot exhaust the stack.
    TooDeep,
    /// More than [`crate::query::parser::MAX_OPERATORS`] arithmetic operators in one query, which
    /// would make a tree too deep to walk safely. `span` is the first operator past the limit.
    TooManyOperators,
    /// A top-level query made only of numbers, such as `1 + 2`: there is nothing to draw.
    NoMetric,
    /// `name(…)` where `name` is no function dogwatch knows; `suggestion` is a function or modifier
    /// with a close spelling.
    UnknownFunction { suggestion: Option<&'static str> },
    /// `.name(…)` where `name` is no modifier; `suggestion` as for [`ErrorKind::UnknownFunction`].
    UnknownModifier { suggestion: Option<&'static str> },
    /// A space aggregator written as a function, `avg(…)`, as in a monitor query's `avg(last_5m):`.
    AggregatorAsFunction,
    /// A modifier written as a function, `rollup(q, sum)`; `span` is the name.
    ModifierAsFunction,
    /// A function written as a modifier, `q.abs()`; `span` is the name.
    FunctionAsModifier,
    /// A `.modifier` after something other than a metric query, such as `2.rollup(sum)`; `span` is
    /// the `.` and the name.
    ModifierNotOnQuery { target: ModifierTarget },
    /// A `.` after a metric query not followed by a modifier name.
    ExpectedModifier,
    /// A modifier name not followed by `(`, as in `q.as_count`.
    ExpectedArguments { name: &'static str },
    /// An argument list with nothing where an argument must be, as in `top(q, , 5)` or `top(q,`.
    ExpectedArgument,
    /// `by {…}` written after the modifiers; Datadog wants it first.
    GroupByAfterModifier,
    /// A modifier given twice, or `.as_count()` together with `.as_rate()`; `span` is the later
    /// one's name and `previous` the earlier one's.
    ConflictingModifier { previous: Span },
    /// A function or modifier called with the wrong number of arguments; `callee` is its name and
    /// `found` the number given. `span` covers the call.
    WrongArgumentCount { callee: &'static str, found: usize },
    /// An argument of the right position but the wrong kind or out of range; `span` is the argument.
    InvalidArgument { argument: Argument },
    /// `seasonality=` with the `basic` algorithm, which has none; `span` is the keyword argument.
    SeasonalityWithBasic,
    /// A keyword argument given twice; `span` is the later one's `name=` and `previous` the
    /// earlier one's.
    RepeatedKeyword { previous: Span },
    /// A positional argument after a keyword argument, as in
    /// `anomalies(q, seasonality='daily', 'agile', 2)`; `span` is the positional argument and
    /// `keyword` the `name=` before it.
    PositionalAfterKeyword { keyword: Span },
    /// `seasonality=` given to a function or modifier other than `anomalies`; `span` is the `name=`
    /// and `callee` the function or modifier.
    UnexpectedKeyword { callee: &'static str },
    /// Valid Datadog syntax that dogwatch does not parse yet.
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
    /// The `(…)` of a function's or a modifier's arguments.
    Arguments,
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
    /// `!*`, which would exclude every series.
    NegatedStar,
    /// A group-by item that is not a bare key, such as `host:a` or `*`.
    NotAKey,
}

/// What a misplaced modifier ([`ErrorKind::ModifierNotOnQuery`]) was written after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModifierTarget {
    /// `2.rollup(sum)`.
    Number,
    /// `abs(q).rollup(sum)`.
    FunctionResult,
    /// `(q).rollup(sum)` or `(a + b).rollup(sum)`.
    Parenthesized,
}

/// Which argument an [`ErrorKind::InvalidArgument`] is about, and so what it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Argument {
    /// The method of `.rollup()`: avg, sum, min, max or count.
    RollupMethod,
    /// The interval of `.rollup()`: a whole number of seconds, at least 1.
    RollupInterval,
    /// The mode of `.fill()`: null, zero, linear or last.
    FillMode,
    /// The limit of `.fill()`: a whole number of seconds from 1 to 600.
    FillLimit,
    /// The limit of `top()`: a whole number from 1 to 100.
    TopLimit,
    /// The ranking of `top()`: 'max', 'min', 'last', 'mean', 'sum', 'area', 'norm' or 'l2norm'.
    TopRank,
    /// The order of `top()`: 'asc' or 'desc'.
    TopOrder,
    /// The offset of `timeshift()`: a whole number of seconds.
    TimeshiftOffset,
    /// The algorithm of `anomalies()`: 'basic', 'agile' or 'robust'.
    AnomalyAlgorithm,
    /// The bounds of `anomalies()`: a number above 0.
    AnomalyBounds,
    /// The `seasonality=` of `anomalies()`: 'hourly', 'daily' or 'weekly'.
    Seasonality,
}

/// Parts of Datadog's query language that parse in Datadog but not in dogwatch yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Feature {
    /// A Datadog function dogwatch does not have, such as `rate(…)` or `forecast(…)`.
    Function,
    /// `AND`, `OR`, `NOT`, `IN` inside a scope.
    BooleanScope,
    /// `name=value` arguments other than `seasonality=`, such as
    /// `anomalies(q, 'basic', 2, direction='above')`.
    KeywordArgument,
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
/// Shared with the monitor query's errors.
pub(crate) fn quote(text: &str) -> String {
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

/// Whether `callee` is a modifier (written `.name()`) rather than a function.
fn callee_is_modifier(callee: &str) -> bool {
    matches!(callee, "rollup" | "fill" | "as_count" | "as_rate")
}

/// What a function or a modifier takes, for [`ErrorKind::WrongArgumentCount`].
fn signature(callee: &str) -> String {
    match callee {
        "top" => "`top` takes 4 arguments: a query, a limit, a ranking and an order".to_owned(),
        "timeshift" => "`timeshift` takes 2 arguments: a query and an offset in seconds".to_owned(),
        "anomalies" => {
            "`anomalies` takes 3 arguments: a query, an algorithm and the bounds, then optionally \
             `seasonality='hourly'`, `'daily'` or `'weekly'`"
                .to_owned()
        }
        "rollup" => "`.rollup()` takes a method and an optional interval in seconds, as in \
                     `.rollup(sum, 60)`"
            .to_owned(),
        "fill" => {
            "`.fill()` takes a mode and an optional limit in seconds, as in `.fill(last, 300)`"
                .to_owned()
        }
        "as_count" | "as_rate" => format!("`.{callee}()` takes no arguments"),
        _ => format!("`{callee}` takes 1 argument: a query"),
    }
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
            ErrorKind::UnterminatedString => {
                let quote_char = found.chars().next().unwrap_or('\'');
                write!(
                    f,
                    "the string starting at column {col} has no closing `{quote_char}`"
                )
            }
            ErrorKind::NumberOutOfRange => {
                write!(
                    f,
                    "the number {} at column {col} is too large",
                    quote(found)
                )
            }
            ErrorKind::UnexpectedToken => write!(f, "unexpected {} at column {col}", quote(found)),
            ErrorKind::MissingOperator => write!(
                f,
                "expected `,` or an operator such as `+` before {} at column {col}",
                quote(found)
            ),
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
                    Delimiter::Arguments => (")", "the arguments"),
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
                TagProblem::NegatedStar => write!(
                    f,
                    "`!*` at column {col} would exclude every series; write `*` for all of them"
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
                "the query nests parentheses, functions or minus signs more than {} deep at column \
                 {col}",
                super::parser::MAX_DEPTH
            ),
            ErrorKind::TooManyOperators => write!(
                f,
                "a query may have at most {} arithmetic operators; the one at column {col} is one \
                 too many",
                super::parser::MAX_OPERATORS
            ),
            ErrorKind::NoMetric => write!(
                f,
                "a query needs at least one metric; {} at column {col} has none",
                quote(found)
            ),
            ErrorKind::UnknownFunction { suggestion } => {
                write!(f, "unknown function {} at column {col}", quote(found))?;
                write_suggestion(f, suggestion)
            }
            ErrorKind::UnknownModifier { suggestion } => {
                write!(f, "unknown modifier {} at column {col}", quote(found))?;
                write_suggestion(f, suggestion)
            }
            ErrorKind::AggregatorAsFunction => write!(
                f,
                "{} at column {col} is a space aggregator, written with a colon as in \
                 `{found}:system.cpu.user{{*}}`; a monitor's `{found}(last_5m):` is not part of a \
                 graph query",
                quote(found)
            ),
            ErrorKind::ModifierAsFunction => write!(
                f,
                "{} at column {col} is a modifier, not a function; write it after the metric query, \
                 as in `avg:system.cpu.user{{*}}.{found}(…)`",
                quote(found)
            ),
            ErrorKind::FunctionAsModifier => write!(
                f,
                "{} at column {col} is a function, not a modifier; wrap the query in it, as in \
                 `{found}(avg:system.cpu.user{{*}})`",
                quote(found)
            ),
            ErrorKind::ModifierNotOnQuery { target } => {
                let target = match target {
                    ModifierTarget::Number => "a number",
                    ModifierTarget::FunctionResult => {
                        "the result of a function; write it inside, after the metric query"
                    }
                    ModifierTarget::Parenthesized => {
                        "a parenthesised expression; write it after each metric query inside"
                    }
                };
                write!(
                    f,
                    "the modifier {} at column {col} applies to a metric query, not to {target}",
                    quote(found)
                )
            }
            ErrorKind::ExpectedModifier => write!(
                f,
                "expected a modifier such as `rollup` after `.` at column {col}{found_suffix}"
            ),
            ErrorKind::ExpectedArguments { name } => {
                write!(
                    f,
                    "expected `(` after `.{name}` at column {col}{found_suffix}"
                )
            }
            ErrorKind::ExpectedArgument => {
                write!(f, "expected an argument at column {col}{found_suffix}")
            }
            ErrorKind::GroupByAfterModifier => write!(
                f,
                "`by {{…}}` at column {col} must come before the modifiers, as in \
                 `avg:m{{*}} by {{host}}.rollup(sum)`"
            ),
            ErrorKind::ConflictingModifier { previous } => {
                let previous_name = previous.text(&self.source);
                let previous_col = self.column_of(previous.start);
                if previous_name == found {
                    write!(
                        f,
                        "`.{found}()` at column {col} repeats the one at column {previous_col}; \
                         a query takes each modifier once"
                    )
                } else {
                    write!(
                        f,
                        "`.{found}()` at column {col} conflicts with `.{previous_name}()` at column \
                         {previous_col}; use one of them"
                    )
                }
            }
            ErrorKind::WrongArgumentCount { callee, found } => {
                let plural = if found == 1 { "" } else { "s" };
                write!(
                    f,
                    "{}; the call at column {col} has {found} argument{plural}",
                    signature(callee)
                )
            }
            ErrorKind::InvalidArgument { argument } => {
                let rule = match argument {
                    Argument::RollupMethod => {
                        "rollup method must be one of avg, sum, min, max, count"
                    }
                    Argument::RollupInterval => {
                        "the rollup interval must be a whole number of seconds, at least 1"
                    }
                    Argument::FillMode => "fill mode must be one of null, zero, linear, last",
                    Argument::FillLimit => {
                        "the fill limit must be a whole number of seconds from 1 to 600"
                    }
                    Argument::TopLimit => "the limit of `top` must be a whole number from 1 to 100",
                    Argument::TopRank => {
                        "the ranking of `top` must be 'max', 'min', 'last', 'mean', 'sum', 'area', \
                         'norm' or 'l2norm'"
                    }
                    Argument::TopOrder => "the order of `top` must be 'asc' or 'desc'",
                    Argument::TimeshiftOffset => {
                        "the offset of `timeshift` must be a whole number of seconds"
                    }
                    Argument::AnomalyAlgorithm => {
                        "anomaly algorithm must be 'basic', 'agile' or 'robust'"
                    }
                    Argument::AnomalyBounds => {
                        "the bounds of `anomalies` must be a number above 0, such as 2 or 3"
                    }
                    Argument::Seasonality => "seasonality must be 'hourly', 'daily' or 'weekly'",
                };
                write!(f, "{rule}; found {} at column {col}", quote(found))
            }
            ErrorKind::SeasonalityWithBasic => write!(
                f,
                "the 'basic' algorithm has no seasonality; use 'agile' or 'robust', or remove {} at \
                 column {col}",
                quote(found)
            ),
            ErrorKind::RepeatedKeyword { previous } => write!(
                f,
                "{} at column {col} repeats the one at column {}; give each keyword argument once",
                quote(found),
                self.column_of(previous.start)
            ),
            ErrorKind::PositionalAfterKeyword { keyword } => write!(
                f,
                "the argument {} at column {col} comes after the keyword argument {} at column {}; \
                 keyword arguments go last",
                quote(found),
                quote(keyword.text(&self.source)),
                self.column_of(keyword.start)
            ),
            ErrorKind::UnexpectedKeyword { callee } => {
                let callee = if callee_is_modifier(callee) {
                    format!("`.{callee}()`")
                } else {
                    format!("`{callee}`")
                };
                write!(
                    f,
                    "{callee} takes no keyword arguments; found {} at column {col} (only \
                     `anomalies` takes `seasonality=`)",
                    quote(found)
                )
            }
            ErrorKind::Unsupported { feature } => {
                let what = match feature {
                    Feature::Function => format!("the function {}", quote(&format!("{found}(…)"))),
                    Feature::BooleanScope => {
                        format!("the boolean operator {} in a scope", quote(found))
                    }
                    Feature::KeywordArgument => format!("the keyword argument {}", quote(found)),
                };
                write!(f, "{what} at column {col} is not supported yet")
            }
        }
    }
}

fn write_suggestion(f: &mut fmt::Formatter<'_>, suggestion: Option<&str>) -> fmt::Result {
    match suggestion {
        Some(name) => write!(f, "; did you mean `{name}`?"),
        None => Ok(()),
    }
}

impl std::error::Error for Error {}
