//! The metric query language: Datadog's grammar, from `avg:system.cpu.user{env:prod} by {host}` to
//! `anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)`.
//!
//! Text goes through [`lexer`] (tokens with byte spans), then [`parser`] (a Pratt parser) into the
//! [`ast`]; every failure is one [`Error`] that names a 1-based column. Printing a [`QueryList`] with
//! `{}` gives its canonical text, which parses back to the same tree.
//!
//! The grammar, informally (`[…]` optional, `…*` repeated):
//!
//! ```text
//! list      = expr ("," expr)*                      several lines on one graph
//! expr      = expr ("+" | "-" | "*" | "/") expr     usual precedence, left-associative
//!           | "-" expr | "(" expr ")" | number | call | metric-query
//! metric-query = [aggregator ":"] metric "{" scope "}" ["by" "{" key ("," key)* "}"] modifier*
//! scope     = "*" | item ("," item)*                all items must match
//! item      = ["!"] key [":" value]                 `*` in key or value is a wildcard
//! modifier  = ".rollup(" method ["," secs] ")" | ".rollup(" secs ")"
//!           | ".as_count()" | ".as_rate()" | ".fill(" mode ["," secs] ")"
//! call      = unary-function "(" expr ")"
//!           | "top(" expr "," limit "," 'rank' "," 'order' ")"
//!           | "timeshift(" expr "," secs ")"
//!           | "anomalies(" expr "," 'algorithm' "," bounds ["," "seasonality=" 'season'] ")"
//! ```
//!
//! A top-level query needs at least one metric (`1 + 2` is refused), and modifiers apply only to a
//! metric query (`(a{*}).rollup(sum)` is refused). Names of functions, modifiers and their settings
//! are lower-case as in Datadog; settings may be written with or without quotes. The one keyword
//! argument dogwatch takes is `seasonality='hourly' | 'daily' | 'weekly'`, last in `anomalies()` with
//! the `agile` or `robust` algorithm. Datadog syntax that dogwatch does not have — boolean scopes
//! (`AND`, `OR`, `NOT`, `IN`), other keyword arguments (`direction='above'`), functions such as
//! `forecast()` — is refused with a "not supported yet" error, so a user learns why rather than
//! seeing a confusing syntax error.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod parser;

pub use ast::{
    Aggregator, AnomalyAlgorithm, BinOp, Call, Expr, ExprKind, FillMode, GroupBy, Metric,
    MetricQuery, Modifier, ModifierKind, Order, QueryList, RollupMethod, Scope, Seasonality,
    SpaceAggregator, TagFilter, TagKey, TopRank, UnaryFunc,
};
pub use error::{Argument, Delimiter, Error, ErrorKind, Feature, ModifierTarget, TagProblem};
pub use parser::parse;

/// A byte range `start..end` of the query text; every token and AST node carries one.
///
/// Byte offsets (not characters) so that `&input[span.start..span.end]` slices the text directly; error
/// messages convert them to character columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }

    /// The text this span covers, or `""` if it does not fall on character boundaries of `input`.
    pub fn text(self, input: &str) -> &str {
        input.get(self.start..self.end).unwrap_or("")
    }
}
