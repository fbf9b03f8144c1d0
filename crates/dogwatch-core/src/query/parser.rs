//! The query parser: tokens to a [`Query`], in the shape of matklad's "Simple but Powerful Pratt
//! Parsing".
//!
//! `Parser::expr_bp` is the expression level with its binding-power tables for prefix, infix and
//! postfix operators. Today the only atom is a metric query (optionally in parentheses) and every
//! operator is a feature not evaluated yet, so an operator ends in a "not supported yet" error rather
//! than in a node; the next step turns those errors into `Expr` nodes without changing the shape.
//! Nothing here panics: the parser only looks at tokens through `Option`s and bounds its recursion.

use super::Span;
use super::ast::{
    Aggregator, GroupBy, MAX_METRIC_NAME_LEN, Metric, Query, Scope, SpaceAggregator, TagFilter,
    TagKey,
};
use super::error::{Delimiter, Error, ErrorKind, Feature, TagProblem};
use super::lexer::{Token, TokenKind, tokenize};

/// How deeply parentheses may nest. Real queries use a handful of levels; the limit keeps a query
/// made of 10 000 `(` from overflowing the stack.
pub const MAX_DEPTH: usize = 32;

/// Parses one metric query such as `sum:requests{env:prod} by {host}`.
pub fn parse(input: &str) -> Result<Query, Error> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        input,
        tokens,
        pos: 0,
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(parser.error(Span::new(0, input.len()), ErrorKind::Empty));
    }
    let query = parser.expr_bp(0)?;
    match parser.peek() {
        None => Ok(query),
        Some(tok) if tok.kind == TokenKind::Comma => Err(parser.error(
            tok.span,
            ErrorKind::Unsupported {
                feature: Feature::MultipleQueries,
            },
        )),
        Some(tok) => Err(parser.error(tok.span, ErrorKind::UnexpectedToken)),
    }
}

/// Binding power of a prefix operator (only unary minus): it binds tighter than any infix operator.
fn prefix_binding_power(kind: TokenKind) -> Option<u8> {
    match kind {
        TokenKind::Minus => Some(5),
        _ => None,
    }
}

/// Left and right binding powers of the infix operators: `*` and `/` bind tighter than `+` and `-`,
/// and all associate to the left (the right power is the higher one).
fn infix_binding_power(kind: TokenKind) -> Option<(u8, u8)> {
    match kind {
        TokenKind::Plus | TokenKind::Minus => Some((1, 2)),
        TokenKind::Star | TokenKind::Slash => Some((3, 4)),
        _ => None,
    }
}

/// Binding power of postfix operators: a `.modifier()` applies to the query right before it, so it
/// binds tightest of all.
fn postfix_binding_power(kind: TokenKind) -> Option<u8> {
    match kind {
        TokenKind::Dot => Some(7),
        _ => None,
    }
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// How many parentheses enclose the current position.
    depth: usize,
}

impl Parser<'_> {
    /// An expression whose operators all bind at least as tightly as `min_bp`.
    fn expr_bp(&mut self, min_bp: u8) -> Result<Query, Error> {
        let lhs = self.atom()?;
        // In the full language this is the loop that folds operators into `lhs`. Every operator is
        // still unsupported, so the first one that binds here ends the parse with an error, and a
        // loop would never get to its second turn.
        if let Some(op) = self.peek() {
            if let Some(l_bp) = postfix_binding_power(op.kind)
                && l_bp >= min_bp
                && let Some(name) = self.peek_nth(1).filter(|t| t.kind == TokenKind::Ident)
            {
                return Err(self.unsupported(op.span.to(name.span), Feature::Modifier));
            }
            if let Some((l_bp, _r_bp)) = infix_binding_power(op.kind)
                && l_bp >= min_bp
            {
                return Err(self.unsupported(op.span, Feature::Arithmetic));
            }
        }
        Ok(lhs)
    }

    /// What can start an expression: a parenthesised expression, a metric query, and (not yet
    /// supported) a function call, a number or a prefix operator.
    fn atom(&mut self) -> Result<Query, Error> {
        let Some(tok) = self.peek() else {
            return Err(self.error(self.end(), ErrorKind::ExpectedQuery));
        };
        match tok.kind {
            TokenKind::LParen => self.parenthesized(tok),
            TokenKind::Ident
                if self
                    .peek_nth(1)
                    .is_some_and(|t| t.kind == TokenKind::LParen) =>
            {
                Err(self.unsupported(tok.span, Feature::Function))
            }
            TokenKind::Ident => self.metric_query(tok),
            TokenKind::Number => Err(self.unsupported(tok.span, Feature::Number)),
            kind if prefix_binding_power(kind).is_some() => {
                Err(self.unsupported(tok.span, Feature::Negation))
            }
            _ => Err(self.error(tok.span, ErrorKind::ExpectedQuery)),
        }
    }

    /// `( expr )`, with `open` the `(` at the current position.
    fn parenthesized(&mut self, open: Token) -> Result<Query, Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(open.span, ErrorKind::TooDeep));
        }
        self.advance();
        self.depth += 1;
        let inner = self.expr_bp(0)?;
        self.depth -= 1;
        self.expect_close(TokenKind::RParen, Delimiter::Paren, open)?;
        Ok(inner)
    }

    /// `[aggregator:]metric{scope}[ by {keys}]`, with `first` the identifier at the current position.
    fn metric_query(&mut self, first: Token) -> Result<Query, Error> {
        self.advance();
        let (aggregator, metric_tok) = if self.next_if(TokenKind::Colon).is_some() {
            let Some(kind) = SpaceAggregator::parse(self.text(first.span)) else {
                return Err(self.error(first.span, ErrorKind::UnknownAggregator));
            };
            let Some(metric_tok) = self.next_if(TokenKind::Ident) else {
                let span = self.here();
                return Err(self.error(span, ErrorKind::ExpectedMetric { aggregator: kind }));
            };
            let aggregator = Aggregator {
                kind,
                span: first.span,
            };
            (Some(aggregator), metric_tok)
        } else {
            (None, first)
        };
        let name = self.text(metric_tok.span);
        if name.len() > MAX_METRIC_NAME_LEN {
            return Err(self.error(metric_tok.span, ErrorKind::MetricNameTooLong));
        }
        let metric = Metric {
            name: name.to_owned(),
            span: metric_tok.span,
        };
        let scope = self.scope()?;
        let by = self
            .peek()
            .filter(|t| t.kind == TokenKind::Ident && self.text(t.span) == "by");
        let group_by = match by {
            Some(by) => Some(self.group_by(by)?),
            None => None,
        };
        let end = group_by.as_ref().map_or(scope.span, |g| g.span);
        Ok(Query {
            aggregator,
            metric,
            scope,
            group_by,
            span: first.span.to(end),
        })
    }

    /// `{*}` or `{tag,tag,…}`.
    fn scope(&mut self) -> Result<Scope, Error> {
        let Some(open) = self.next_if(TokenKind::LBrace) else {
            return Err(self.error(self.here(), ErrorKind::ExpectedScope));
        };
        let mut items = Vec::new();
        let mut star = None;
        let mut count = 0;
        loop {
            let Some(tok) = self.peek() else {
                return Err(self.unclosed(Delimiter::Scope, open, self.end()));
            };
            match tok.kind {
                TokenKind::Word => {
                    self.advance();
                    count += 1;
                    if self.text(tok.span) == "*" {
                        star = star.or(Some(tok.span));
                    } else {
                        items.push(self.tag_filter(tok)?);
                    }
                }
                TokenKind::Bang => return Err(self.unsupported(tok.span, Feature::Exclusion)),
                _ => return Err(self.error(tok.span, ErrorKind::ExpectedTag)),
            }
            match self.peek() {
                None => return Err(self.unclosed(Delimiter::Scope, open, self.end())),
                Some(next) if next.kind == TokenKind::Comma => self.advance(),
                Some(next) if next.kind == TokenKind::RBrace => break,
                Some(next) => {
                    // `{host:a AND env:b}` and `{NOT host:a}` are Datadog's boolean scope syntax;
                    // name it rather than complain about a missing `}`.
                    if let Some(op) = [next, tok].into_iter().find(|t| self.is_boolean_word(*t)) {
                        return Err(self.unsupported(op.span, Feature::BooleanScope));
                    }
                    return Err(self.unclosed(Delimiter::Scope, open, next.span));
                }
            }
        }
        let close = self.expect_close(TokenKind::RBrace, Delimiter::Scope, open)?;
        if let Some(star) = star
            && count > 1
        {
            let kind = ErrorKind::InvalidTag {
                problem: TagProblem::StarNotAlone,
            };
            return Err(self.error(star, kind));
        }
        Ok(Scope {
            items,
            span: open.span.to(close.span),
        })
    }

    /// One tag of a scope, `key:value` or a bare `key`, lower-cased like stored tags.
    fn tag_filter(&self, tok: Token) -> Result<TagFilter, Error> {
        let text = self.text(tok.span);
        if text.contains('*') {
            return Err(self.unsupported(tok.span, Feature::Wildcard));
        }
        let invalid = |problem| self.error(tok.span, ErrorKind::InvalidTag { problem });
        let (key, value) = match text.split_once(':') {
            Some(("", _)) => return Err(invalid(TagProblem::EmptyKey)),
            Some((_, "")) => return Err(invalid(TagProblem::EmptyValue)),
            Some((key, value)) => (key, Some(value.to_lowercase())),
            None => (text, None),
        };
        Ok(TagFilter {
            key: key.to_lowercase(),
            value,
            span: tok.span,
        })
    }

    /// `by {key,key,…}`, with `by` the `by` at the current position.
    fn group_by(&mut self, by: Token) -> Result<GroupBy, Error> {
        self.advance();
        let Some(open) = self.next_if(TokenKind::LBrace) else {
            return Err(self.error(self.here(), ErrorKind::ExpectedGroupBy));
        };
        let mut keys = Vec::new();
        loop {
            let Some(tok) = self.peek() else {
                return Err(self.unclosed(Delimiter::GroupBy, open, self.end()));
            };
            if tok.kind != TokenKind::Word {
                return Err(self.error(tok.span, ErrorKind::ExpectedTagKey));
            }
            self.advance();
            let text = self.text(tok.span);
            if text.contains([':', '*']) {
                let kind = ErrorKind::InvalidTag {
                    problem: TagProblem::NotAKey,
                };
                return Err(self.error(tok.span, kind));
            }
            keys.push(TagKey {
                name: text.to_lowercase(),
                span: tok.span,
            });
            match self.peek() {
                None => return Err(self.unclosed(Delimiter::GroupBy, open, self.end())),
                Some(next) if next.kind == TokenKind::Comma => self.advance(),
                Some(next) if next.kind == TokenKind::RBrace => break,
                Some(next) => return Err(self.unclosed(Delimiter::GroupBy, open, next.span)),
            }
        }
        let close = self.expect_close(TokenKind::RBrace, Delimiter::GroupBy, open)?;
        Ok(GroupBy {
            keys,
            span: by.span.to(close.span),
        })
    }

    /// Consumes the `close` token matching `open`, or reports what stands in its place.
    fn expect_close(
        &mut self,
        close: TokenKind,
        delimiter: Delimiter,
        open: Token,
    ) -> Result<Token, Error> {
        if let Some(tok) = self.next_if(close) {
            return Ok(tok);
        }
        Err(self.unclosed(delimiter, open, self.here()))
    }

    fn is_boolean_word(&self, tok: Token) -> bool {
        tok.kind == TokenKind::Word && matches!(self.text(tok.span), "AND" | "OR" | "NOT" | "IN")
    }

    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_nth(&self, n: usize) -> Option<Token> {
        self.tokens.get(self.pos + n).copied()
    }

    /// Moves past the token at the current position (one the caller has already looked at).
    fn advance(&mut self) {
        self.pos += 1;
    }

    fn next_if(&mut self, kind: TokenKind) -> Option<Token> {
        let tok = self.peek().filter(|t| t.kind == kind)?;
        self.advance();
        Some(tok)
    }

    fn text(&self, span: Span) -> &str {
        span.text(self.input)
    }

    /// The span of the current token, or the empty span at the end of the input.
    fn here(&self) -> Span {
        self.peek().map_or(self.end(), |t| t.span)
    }

    fn end(&self) -> Span {
        Span::new(self.input.len(), self.input.len())
    }

    fn error(&self, span: Span, kind: ErrorKind) -> Error {
        Error::new(self.input, span, kind)
    }

    fn unsupported(&self, span: Span, feature: Feature) -> Error {
        self.error(span, ErrorKind::Unsupported { feature })
    }

    /// `open` was never closed; `found` is what stands where the closing delimiter should.
    fn unclosed(&self, delimiter: Delimiter, open: Token, found: Span) -> Error {
        let kind = ErrorKind::Unclosed {
            delimiter,
            opened: open.span,
        };
        self.error(found, kind)
    }
}

#[cfg(test)]
mod tests;
