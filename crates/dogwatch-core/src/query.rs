//! The metric query language: `avg:system.cpu.user{env:prod} by {host}` and, later, Datadog's whole grammar.
//!
//! Text goes through [`lexer`] (tokens with byte spans), then [`parser`] (a Pratt parser) into the
//! [`ast`]; every failure is one [`Error`] that names a 1-based column. Printing a [`Query`] with `{}`
//! gives its canonical text, which parses back to the same tree.
//!
//! Supported today: `[avg|sum|min|max:]metric{scope}[ by {key,…}]`, where the scope is `*` or tags joined
//! by `,` (all must match), and parentheses around a query. The rest of Datadog's language (functions,
//! `.rollup()`, arithmetic, `!tag`, wildcards, several queries) is recognised and refused with a
//! "not supported yet" error, so a user learns why rather than seeing a confusing syntax error.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod parser;

pub use ast::{Aggregator, GroupBy, Metric, Query, Scope, SpaceAggregator, TagFilter, TagKey};
pub use error::{Delimiter, Error, ErrorKind, Feature, TagProblem};
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
