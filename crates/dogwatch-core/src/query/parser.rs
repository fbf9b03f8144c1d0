//! The query parser: tokens to a [`QueryList`], in the shape of matklad's "Simple but Powerful Pratt
//! Parsing".
//!
//! `Parser::expr_bp` is the expression level with its binding-power tables for the prefix `-`, the
//! infix `+ - * /` and the postfix `.modifier()`. Atoms are numbers, parenthesised expressions,
//! function calls and metric queries; a metric query takes its own `.modifier(…)` chain, so a `.` that
//! reaches the operator loop follows something else and is an error.
//!
//! Arguments of functions and modifiers are parsed alike (a string, a bare word, an expression, or
//! the one keyword argument `seasonality=`, which must come last and once) and then checked against
//! what each one takes, so that a wrong argument gets a message about that argument rather than a
//! syntax error.
//!
//! Nothing here panics: the parser only looks at tokens through `Option`s, bounds its recursion with
//! [`MAX_DEPTH`] and the depth of the trees it builds with [`MAX_OPERATORS`].

use super::Span;
use super::ast::{
    Aggregator, AnomalyAlgorithm, BinOp, Call, Expr, ExprKind, FillMode, GroupBy,
    MAX_METRIC_NAME_LEN, Metric, MetricQuery, Modifier, ModifierKind, Order, QueryList,
    RollupMethod, Scope, Seasonality, SpaceAggregator, TagFilter, TagKey, TopRank, UnaryFunc,
};
use super::error::{Argument, Delimiter, Error, ErrorKind, Feature, ModifierTarget, TagProblem};
use super::lexer::{Token, TokenKind, tokenize};

/// How deeply parentheses, function calls, argument lists and minus signs may nest. Real queries use a
/// handful of levels; the limit keeps a query made of 10 000 `(` from overflowing the stack.
pub const MAX_DEPTH: usize = 32;

/// How many arithmetic operators one top-level query may have. A chain `a + b + c + …` nests one
/// level deeper per operator in the tree (not in the text), and printing or dropping the tree
/// recurses that deep; 100 is far more than a graph needs.
pub const MAX_OPERATORS: usize = 100;

/// The largest whole number an `f64` holds exactly (2⁵³); integer arguments are refused beyond it.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// The modifiers, written `.name(…)` after a metric query.
const MODIFIERS: [&str; 4] = ["rollup", "as_count", "as_rate", "fill"];

/// The one keyword argument dogwatch takes, as in `anomalies(q, 'agile', 2, seasonality='daily')`;
/// others (`direction=`, `alert_window=`, …) are refused as not supported yet.
const SEASONALITY: &str = "seasonality";

/// Functions other than the unary ones.
const OTHER_FUNCTIONS: [&str; 3] = ["top", "timeshift", "anomalies"];

/// Datadog functions dogwatch does not have yet: they get "not supported yet" rather than "unknown".
const DATADOG_ONLY_FUNCTIONS: [&str; 30] = [
    "rate",
    "count_nonzero",
    "count_not_null",
    "top_offset",
    "bottom",
    "moving_rollup",
    "ewma_3",
    "ewma_5",
    "ewma_7",
    "ewma_10",
    "ewma_20",
    "median_3",
    "median_5",
    "median_7",
    "median_9",
    "forecast",
    "outliers",
    "robust_trend",
    "trend_line",
    "piecewise_constant",
    "clamp_min",
    "clamp_max",
    "cutoff_min",
    "cutoff_max",
    "default_zero",
    "monotonic_diff",
    "exclude_null",
    "sqrt",
    "dt",
    "outliers_score",
];

/// Parses a list of comma-separated queries such as `sum:requests{env:prod} by {host}, avg:m{*} * 2`.
pub fn parse(input: &str) -> Result<QueryList, Error> {
    let tokens = tokenize(input)?;
    let mut parser = Parser {
        input,
        tokens,
        pos: 0,
        depth: 0,
        operators: 0,
    };
    let (Some(first), Some(last)) = (parser.tokens.first(), parser.tokens.last()) else {
        return Err(parser.error(Span::new(0, input.len()), ErrorKind::Empty));
    };
    let span = first.span.to(last.span);
    let mut exprs = Vec::new();
    loop {
        parser.operators = 0;
        let expr = parser.expr_bp(0)?;
        if !expr.has_metric() {
            return Err(parser.error(expr.span, ErrorKind::NoMetric));
        }
        exprs.push(expr);
        match parser.peek() {
            None => break,
            // A comma inside `{…}` or `(…)` was consumed there, so this one separates queries.
            Some(tok) if tok.kind == TokenKind::Comma => parser.advance(),
            Some(tok) => return Err(parser.after_query(tok)),
        }
    }
    Ok(QueryList { exprs, span })
}

/// Binding power of a prefix operator (only unary minus): it binds tighter than any infix operator,
/// so `-a * b` is `(-a) * b`.
fn prefix_binding_power(kind: TokenKind) -> Option<u8> {
    match kind {
        TokenKind::Minus => Some(5),
        _ => None,
    }
}

/// The operator, and its left and right binding powers: `*` and `/` bind tighter than `+` and `-`,
/// and all associate to the left (the right power is the higher one).
fn infix_binding_power(kind: TokenKind) -> Option<(BinOp, u8, u8)> {
    match kind {
        TokenKind::Plus => Some((BinOp::Add, 1, 2)),
        TokenKind::Minus => Some((BinOp::Sub, 1, 2)),
        TokenKind::Star => Some((BinOp::Mul, 3, 4)),
        TokenKind::Slash => Some((BinOp::Div, 3, 4)),
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

/// One argument of a function or modifier, before it is checked against what the callee takes.
enum Arg {
    /// `'basic'` or `"basic"`; `value` is the text between the quotes.
    Str { value: String, span: Span },
    /// An identifier standing alone, such as the `sum` of `.rollup(sum)`. `next` is the `,` or `)`
    /// after it, where a metric query would have had its `{`.
    Word { span: Span, next: Span },
    /// Anything else: a query, a number, `-3600`.
    Expr(Expr),
    /// `seasonality='daily'`: `name` covers `seasonality=`, `value` is an [`Arg::Str`] or an
    /// [`Arg::Word`], and `span` the whole argument.
    Keyword {
        name: Span,
        value: Box<Arg>,
        span: Span,
    },
}

impl Arg {
    fn span(&self) -> Span {
        match self {
            Arg::Str { span, .. } | Arg::Word { span, .. } | Arg::Keyword { span, .. } => *span,
            Arg::Expr(expr) => expr.span,
        }
    }
}

/// The positional arguments, and the keyword argument if one was given (the parser allows only
/// `seasonality=`, at most once and after the positional ones).
struct Args {
    positional: Vec<Arg>,
    keyword: Option<Keyword>,
}

/// A checked keyword argument: `name` covers `seasonality=`, `span` the whole argument.
struct Keyword {
    name: Span,
    value: Arg,
    span: Span,
}

/// What sets modifiers apart when checking for conflicts: `.as_count()` and `.as_rate()` are the same
/// kind of thing and exclude each other.
fn modifier_slot(kind: ModifierKind) -> u8 {
    match kind {
        ModifierKind::Rollup { .. } => 0,
        ModifierKind::AsCount | ModifierKind::AsRate => 1,
        ModifierKind::Fill { .. } => 2,
    }
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// How many parentheses, argument lists and minus signs enclose the current position.
    depth: usize,
    /// Arithmetic operators so far in the current top-level query.
    operators: usize,
}

impl<'a> Parser<'a> {
    /// An expression whose operators all bind at least as tightly as `min_bp`.
    fn expr_bp(&mut self, min_bp: u8) -> Result<Expr, Error> {
        let mut lhs = self.prefix()?;
        while let Some(op) = self.peek() {
            if postfix_binding_power(op.kind).is_some_and(|l_bp| l_bp >= min_bp) {
                return Err(self.modifier_not_on_query(&lhs, op));
            }
            let Some((bin_op, l_bp, r_bp)) = infix_binding_power(op.kind) else {
                break;
            };
            if l_bp < min_bp {
                break;
            }
            self.operators += 1;
            if self.operators > MAX_OPERATORS {
                return Err(self.error(op.span, ErrorKind::TooManyOperators));
            }
            self.advance();
            let rhs = self.expr_bp(r_bp)?;
            let span = lhs.span.to(rhs.span);
            let kind = ExprKind::Binary {
                op: bin_op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
            lhs = Expr { kind, span };
        }
        Ok(lhs)
    }

    /// A prefix operator and its operand, or an atom.
    fn prefix(&mut self) -> Result<Expr, Error> {
        let Some(tok) = self.peek() else {
            return Err(self.error(self.end(), ErrorKind::ExpectedQuery));
        };
        let Some(r_bp) = prefix_binding_power(tok.kind) else {
            return self.atom(tok);
        };
        self.enter(tok)?;
        self.advance();
        let operand = self.expr_bp(r_bp)?;
        self.leave();
        Ok(Expr {
            span: tok.span.to(operand.span),
            kind: ExprKind::Neg(Box::new(operand)),
        })
    }

    /// What can start an expression without an operator: a parenthesised expression, a number, a
    /// function call or a metric query; `tok` is the token at the current position.
    fn atom(&mut self, tok: Token) -> Result<Expr, Error> {
        match tok.kind {
            TokenKind::LParen => self.parenthesized(tok),
            TokenKind::Number => {
                self.advance();
                let value = self.text(tok.span).parse::<f64>().unwrap_or(f64::INFINITY);
                if !value.is_finite() {
                    return Err(self.error(tok.span, ErrorKind::NumberOutOfRange));
                }
                Ok(Expr {
                    kind: ExprKind::Number(value),
                    span: tok.span,
                })
            }
            TokenKind::Ident if self.peek_kind(1) == Some(TokenKind::LParen) => self.call(tok),
            TokenKind::Ident => {
                let query = self.metric_query(tok)?;
                Ok(Expr {
                    span: query.span,
                    kind: ExprKind::Metric(query),
                })
            }
            _ => Err(self.error(tok.span, ErrorKind::ExpectedQuery)),
        }
    }

    /// `( expr )`, with `open` the `(` at the current position. Parentheses make no node; the
    /// expression's span grows to include them.
    fn parenthesized(&mut self, open: Token) -> Result<Expr, Error> {
        self.enter(open)?;
        self.advance();
        let inner = self.expr_bp(0)?;
        self.leave();
        let close = self.expect_close(TokenKind::RParen, Delimiter::Paren, open)?;
        Ok(Expr {
            span: open.span.to(close.span),
            ..inner
        })
    }

    /// A function call `name(args)`, with `name` the identifier at the current position and a `(`
    /// after it.
    fn call(&mut self, name_tok: Token) -> Result<Expr, Error> {
        let name = self.text(name_tok.span);
        let refuse = |kind| Err(self.error(name_tok.span, kind));
        if SpaceAggregator::parse(name).is_some() {
            return refuse(ErrorKind::AggregatorAsFunction);
        }
        if MODIFIERS.contains(&name) {
            return refuse(ErrorKind::ModifierAsFunction);
        }
        if DATADOG_ONLY_FUNCTIONS.contains(&name) {
            return refuse(ErrorKind::Unsupported {
                feature: Feature::Function,
            });
        }
        let unary = UnaryFunc::parse(name);
        let Some(callee) = OTHER_FUNCTIONS
            .into_iter()
            .chain(unary.map(UnaryFunc::as_str))
            .find(|f| *f == name)
        else {
            let suggestion = suggest(name);
            return refuse(ErrorKind::UnknownFunction { suggestion });
        };
        self.advance();
        let (args, args_span) = self.arguments()?;
        let span = name_tok.span.to(args_span);
        let call = match unary {
            Some(func) => {
                let args = self.no_keyword(callee, args)?;
                let [arg] = self.arity(callee, span, args)?;
                Call::Unary {
                    func,
                    arg: self.query_arg(arg)?,
                }
            }
            None => self.other_call(callee, span, args)?,
        };
        Ok(Expr {
            kind: ExprKind::Call(call),
            span,
        })
    }

    /// `top`, `timeshift` and `anomalies`, whose arguments are a query and then settings.
    fn other_call(&self, callee: &'static str, span: Span, args: Args) -> Result<Call, Error> {
        if callee == "anomalies" {
            return self.anomalies(span, args);
        }
        let args = self.no_keyword(callee, args)?;
        match callee {
            "top" => {
                let [arg, limit, rank, order] = self.arity(callee, span, args)?;
                let arg = self.query_arg(arg)?;
                let limit = integer(&limit)
                    .filter(|n| (1..=100).contains(n))
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.invalid(&limit, Argument::TopLimit))?;
                let rank = self.name_arg(&rank, TopRank::parse, Argument::TopRank)?;
                let order = self.name_arg(&order, Order::parse, Argument::TopOrder)?;
                Ok(Call::Top {
                    arg,
                    limit,
                    rank,
                    order,
                })
            }
            _ => {
                let [arg, offset] = self.arity(callee, span, args)?;
                let arg = self.query_arg(arg)?;
                let offset_secs = integer(&offset)
                    .ok_or_else(|| self.invalid(&offset, Argument::TimeshiftOffset))?;
                Ok(Call::Timeshift { arg, offset_secs })
            }
        }
    }

    /// `anomalies(q, algorithm, bounds[, seasonality=season])`; `span` covers the call.
    fn anomalies(&self, span: Span, args: Args) -> Result<Call, Error> {
        let [arg, algorithm, bounds] = self.arity("anomalies", span, args.positional)?;
        let arg = self.query_arg(arg)?;
        let algorithm = self.name_arg(
            &algorithm,
            AnomalyAlgorithm::parse,
            Argument::AnomalyAlgorithm,
        )?;
        let bounds = number(&bounds)
            .filter(|b| *b > 0.0)
            .ok_or_else(|| self.invalid(&bounds, Argument::AnomalyBounds))?;
        let seasonality = match args.keyword {
            None => None,
            Some(keyword) => {
                let season =
                    self.name_arg(&keyword.value, Seasonality::parse, Argument::Seasonality)?;
                if algorithm == AnomalyAlgorithm::Basic {
                    return Err(self.error(keyword.span, ErrorKind::SeasonalityWithBasic));
                }
                Some(season)
            }
        };
        Ok(Call::Anomalies {
            arg,
            algorithm,
            bounds,
            seasonality,
        })
    }

    /// The positional arguments of `callee`, which takes no keyword argument.
    fn no_keyword(&self, callee: &'static str, args: Args) -> Result<Vec<Arg>, Error> {
        match args.keyword {
            Some(keyword) => Err(self.error(keyword.name, ErrorKind::UnexpectedKeyword { callee })),
            None => Ok(args.positional),
        }
    }

    /// `(arg, arg, …)` at the current position: the arguments and the span from `(` to `)`.
    fn arguments(&mut self) -> Result<(Args, Span), Error> {
        let Some(open) = self.next_if(TokenKind::LParen) else {
            // Callers check for the `(` first; this only keeps the parser total.
            return Err(self.error(self.here(), ErrorKind::ExpectedArgument));
        };
        self.enter(open)?;
        let mut args = Args {
            positional: Vec::new(),
            keyword: None,
        };
        if self.peek_kind(0) != Some(TokenKind::RParen) {
            loop {
                match self.argument()? {
                    Arg::Keyword { name, value, span } => {
                        if let Some(previous) = &args.keyword {
                            let kind = ErrorKind::RepeatedKeyword {
                                previous: previous.name,
                            };
                            return Err(self.error(name, kind));
                        }
                        args.keyword = Some(Keyword {
                            name,
                            value: *value,
                            span,
                        });
                    }
                    arg => {
                        if let Some(keyword) = &args.keyword {
                            let kind = ErrorKind::PositionalAfterKeyword {
                                keyword: keyword.name,
                            };
                            return Err(self.error(arg.span(), kind));
                        }
                        args.positional.push(arg);
                    }
                }
                match self.peek_kind(0) {
                    Some(TokenKind::Comma) => self.advance(),
                    Some(TokenKind::RParen) => break,
                    _ => return Err(self.unclosed(Delimiter::Arguments, open, self.here())),
                }
            }
        }
        self.leave();
        let close = self.expect_close(TokenKind::RParen, Delimiter::Arguments, open)?;
        Ok((args, open.span.to(close.span)))
    }

    /// One argument at the current position.
    fn argument(&mut self) -> Result<Arg, Error> {
        let Some(tok) = self.peek() else {
            return Err(self.error(self.end(), ErrorKind::ExpectedArgument));
        };
        match (tok.kind, self.peek_kind(1)) {
            (TokenKind::Str, _) => {
                self.advance();
                let text = self.text(tok.span);
                // The lexer guarantees an opening and a closing quote, each one byte long.
                let value = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                Ok(Arg::Str {
                    value: value.to_owned(),
                    span: tok.span,
                })
            }
            (TokenKind::Ident, Some(TokenKind::Equals)) => {
                let name = self.peek_nth(1).map_or(tok.span, |eq| tok.span.to(eq.span));
                if self.text(tok.span) != SEASONALITY {
                    return Err(self.unsupported(name, Feature::KeywordArgument));
                }
                self.advance();
                self.advance();
                let value = self.keyword_value()?;
                Ok(Arg::Keyword {
                    name,
                    span: name.to(value.span()),
                    value: Box::new(value),
                })
            }
            (TokenKind::Ident, Some(TokenKind::Comma | TokenKind::RParen)) => {
                self.advance();
                Ok(Arg::Word {
                    span: tok.span,
                    next: self.here(),
                })
            }
            (TokenKind::Comma | TokenKind::RParen, _) => {
                Err(self.error(tok.span, ErrorKind::ExpectedArgument))
            }
            _ => Ok(Arg::Expr(self.expr_bp(0)?)),
        }
    }

    /// The value after `seasonality=`: a string or a bare word, checked by the callee.
    fn keyword_value(&mut self) -> Result<Arg, Error> {
        let Some(tok) = self.peek() else {
            return Err(self.error(self.end(), ErrorKind::ExpectedArgument));
        };
        match (tok.kind, self.peek_kind(1)) {
            (TokenKind::Str, _)
            | (TokenKind::Ident, Some(TokenKind::Comma | TokenKind::RParen)) => self.argument(),
            (TokenKind::Comma | TokenKind::RParen, _) => {
                Err(self.error(tok.span, ErrorKind::ExpectedArgument))
            }
            _ => {
                let kind = ErrorKind::InvalidArgument {
                    argument: Argument::Seasonality,
                };
                Err(self.error(tok.span, kind))
            }
        }
    }

    /// The arguments as an array of the length `callee` takes, or the error that says what it takes.
    fn arity<const N: usize>(
        &self,
        callee: &'static str,
        span: Span,
        args: Vec<Arg>,
    ) -> Result<[Arg; N], Error> {
        args.try_into().map_err(|args: Vec<Arg>| {
            let kind = ErrorKind::WrongArgumentCount {
                callee,
                found: args.len(),
            };
            self.error(span, kind)
        })
    }

    /// An argument that must be a query (or an expression over queries).
    fn query_arg(&self, arg: Arg) -> Result<Box<Expr>, Error> {
        match arg {
            Arg::Expr(expr) => Ok(Box::new(expr)),
            Arg::Str { span, .. } => Err(self.error(span, ErrorKind::ExpectedQuery)),
            // A lone identifier where a query belongs is a metric name missing its scope.
            Arg::Word { next, .. } => Err(self.error(next, ErrorKind::ExpectedScope)),
            // Callers take the keyword argument out first; this only keeps the parser total.
            Arg::Keyword { span, .. } => Err(self.error(span, ErrorKind::ExpectedQuery)),
        }
    }

    /// An argument that must be one of the names `parse` knows, quoted or not.
    fn name_arg<T>(
        &self,
        arg: &Arg,
        parse: fn(&str) -> Option<T>,
        argument: Argument,
    ) -> Result<T, Error> {
        let name = match arg {
            Arg::Str { value, .. } => Some(value.as_str()),
            Arg::Word { span, .. } => Some(self.text(*span)),
            Arg::Expr(_) | Arg::Keyword { .. } => None,
        };
        name.and_then(parse)
            .ok_or_else(|| self.invalid(arg, argument))
    }

    fn invalid(&self, arg: &Arg, argument: Argument) -> Error {
        self.error(arg.span(), ErrorKind::InvalidArgument { argument })
    }

    /// `[aggregator:]metric{scope}[ by {keys}][.modifier(…)…]`, with `first` the identifier at the
    /// current position.
    fn metric_query(&mut self, first: Token) -> Result<MetricQuery, Error> {
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
        let group_by = match self.peek_by() {
            Some(by) => Some(self.group_by(by)?),
            None => None,
        };
        let modifiers = self.modifiers()?;
        if let (Some(by), false) = (self.peek_by(), modifiers.is_empty()) {
            return Err(self.error(by.span, ErrorKind::GroupByAfterModifier));
        }
        let end = modifiers
            .last()
            .map(|m| m.span)
            .or(group_by.as_ref().map(|g| g.span))
            .unwrap_or(scope.span);
        Ok(MetricQuery {
            aggregator,
            metric,
            scope,
            group_by,
            modifiers,
            span: first.span.to(end),
        })
    }

    /// The `by` at the current position, if there is one.
    fn peek_by(&self) -> Option<Token> {
        self.peek()
            .filter(|t| t.kind == TokenKind::Ident && self.text(t.span) == "by")
    }

    /// The `.name(args)` chain after a metric query, each checked and at most once per kind.
    fn modifiers(&mut self) -> Result<Vec<Modifier>, Error> {
        let mut modifiers: Vec<Modifier> = Vec::new();
        // The name span of each modifier so far, for messages about conflicts.
        let mut names: Vec<Span> = Vec::new();
        while let Some(dot) = self.next_if(TokenKind::Dot) {
            let Some(name_tok) = self.next_if(TokenKind::Ident) else {
                return Err(self.error(self.here(), ErrorKind::ExpectedModifier));
            };
            let name = self.text(name_tok.span);
            let Some(callee) = MODIFIERS.into_iter().find(|m| *m == name) else {
                let kind = if UnaryFunc::parse(name).is_some() || OTHER_FUNCTIONS.contains(&name) {
                    ErrorKind::FunctionAsModifier
                } else {
                    ErrorKind::UnknownModifier {
                        suggestion: suggest(name),
                    }
                };
                return Err(self.error(name_tok.span, kind));
            };
            if self.peek_kind(0) != Some(TokenKind::LParen) {
                let kind = ErrorKind::ExpectedArguments { name: callee };
                return Err(self.error(self.here(), kind));
            }
            let (args, args_span) = self.arguments()?;
            let args = self.no_keyword(callee, args)?;
            let kind = self.modifier_kind(callee, name_tok.span.to(args_span), args)?;
            let clash = modifiers
                .iter()
                .zip(&names)
                .find(|(m, _)| modifier_slot(m.kind) == modifier_slot(kind));
            if let Some((_, &previous)) = clash {
                let kind = ErrorKind::ConflictingModifier { previous };
                return Err(self.error(name_tok.span, kind));
            }
            modifiers.push(Modifier {
                kind,
                span: dot.span.to(args_span),
            });
            names.push(name_tok.span);
        }
        Ok(modifiers)
    }

    /// Checks a modifier's arguments; `span` covers its name and arguments.
    fn modifier_kind(
        &self,
        callee: &'static str,
        span: Span,
        args: Vec<Arg>,
    ) -> Result<ModifierKind, Error> {
        let count = |found| self.error(span, ErrorKind::WrongArgumentCount { callee, found });
        let rollup_method = |arg| self.name_arg(arg, RollupMethod::parse, Argument::RollupMethod);
        let rollup_interval = |arg| self.secs(arg, 1..=i64::MAX, Argument::RollupInterval);
        match callee {
            "rollup" => match args.as_slice() {
                // `.rollup(60)`: Datadog's documentation lets the interval stand alone ("use them
                // individually or together"), the method then being its enforced default, avg.
                [interval @ Arg::Expr(e)]
                    if matches!(e.kind, ExprKind::Number(_) | ExprKind::Neg(_)) =>
                {
                    Ok(ModifierKind::Rollup {
                        method: RollupMethod::Avg,
                        interval_secs: Some(rollup_interval(interval)?),
                    })
                }
                [method] => Ok(ModifierKind::Rollup {
                    method: rollup_method(method)?,
                    interval_secs: None,
                }),
                [method, interval] => Ok(ModifierKind::Rollup {
                    method: rollup_method(method)?,
                    interval_secs: Some(rollup_interval(interval)?),
                }),
                _ => Err(count(args.len())),
            },
            "fill" => match args.as_slice() {
                [mode] => Ok(ModifierKind::Fill {
                    mode: self.name_arg(mode, FillMode::parse, Argument::FillMode)?,
                    limit_secs: None,
                }),
                [mode, limit] => Ok(ModifierKind::Fill {
                    mode: self.name_arg(mode, FillMode::parse, Argument::FillMode)?,
                    limit_secs: Some(self.secs(limit, 1..=600, Argument::FillLimit)?),
                }),
                _ => Err(count(args.len())),
            },
            "as_count" if args.is_empty() => Ok(ModifierKind::AsCount),
            "as_rate" if args.is_empty() => Ok(ModifierKind::AsRate),
            _ => Err(count(args.len())),
        }
    }

    /// A whole number of seconds within `range`.
    fn secs(
        &self,
        arg: &Arg,
        range: std::ops::RangeInclusive<i64>,
        argument: Argument,
    ) -> Result<i64, Error> {
        integer(arg)
            .filter(|n| range.contains(n))
            .ok_or_else(|| self.invalid(arg, argument))
    }

    /// `{*}` or `{tag,!tag,…}`.
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
                        items.push(self.tag_filter(tok, None)?);
                    }
                }
                TokenKind::Bang => {
                    self.advance();
                    let Some(word) = self.next_if(TokenKind::Word) else {
                        return Err(self.error(self.here(), ErrorKind::ExpectedTag));
                    };
                    count += 1;
                    items.push(self.tag_filter(word, Some(tok))?);
                }
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

    /// One tag of a scope, `key:value` or a bare `key`, lower-cased like stored tags; `bang` is the
    /// `!` before it, if any.
    fn tag_filter(&self, tok: Token, bang: Option<Token>) -> Result<TagFilter, Error> {
        let span = bang.map_or(tok.span, |b| b.span.to(tok.span));
        let text = self.text(tok.span);
        let invalid = |problem| self.error(span, ErrorKind::InvalidTag { problem });
        let (key, value) = match text.split_once(':') {
            Some(("", _)) => return Err(invalid(TagProblem::EmptyKey)),
            Some((_, "")) => return Err(invalid(TagProblem::EmptyValue)),
            Some((key, value)) => (key, Some(value.to_lowercase())),
            None if text == "*" => return Err(invalid(TagProblem::NegatedStar)),
            None => (text, None),
        };
        Ok(TagFilter {
            negated: bang.is_some(),
            key: key.to_lowercase(),
            value,
            span,
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

    /// The error for a `.` (at `dot`) after `lhs`, which is not a metric query with its modifiers:
    /// those were consumed with the query.
    fn modifier_not_on_query(&self, lhs: &Expr, dot: Token) -> Error {
        let target = match lhs.kind {
            ExprKind::Number(_) => ModifierTarget::Number,
            ExprKind::Call(_) => ModifierTarget::FunctionResult,
            // A metric query, a negation or arithmetic can only be followed by a `.` here when they
            // were in parentheses.
            ExprKind::Metric(_) | ExprKind::Neg(_) | ExprKind::Binary { .. } => {
                ModifierTarget::Parenthesized
            }
        };
        let span = self
            .peek_nth(1)
            .filter(|t| t.kind == TokenKind::Ident)
            .map_or(dot.span, |name| dot.span.to(name.span));
        self.error(span, ErrorKind::ModifierNotOnQuery { target })
    }

    /// Goes one level deeper into `(`, an argument list or a `-` (the token `at`), or refuses to.
    fn enter(&mut self, at: Token) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(at.span, ErrorKind::TooDeep));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
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

    fn peek_kind(&self, n: usize) -> Option<TokenKind> {
        self.peek_nth(n).map(|t| t.kind)
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

    fn text(&self, span: Span) -> &'a str {
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

    /// The error for `tok` standing after a complete top-level query.
    fn after_query(&self, tok: Token) -> Error {
        let starts_a_query = matches!(
            tok.kind,
            TokenKind::Ident | TokenKind::Number | TokenKind::LParen
        );
        // A second `by {…}` is not a missing operator.
        let kind = if starts_a_query && self.text(tok.span) != "by" {
            ErrorKind::MissingOperator
        } else {
            ErrorKind::UnexpectedToken
        };
        self.error(tok.span, kind)
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

/// A number argument: `2`, `0.5` or `-3` (a minus sign and a number).
fn number(arg: &Arg) -> Option<f64> {
    let Arg::Expr(expr) = arg else {
        return None;
    };
    match &expr.kind {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Neg(inner) => match inner.kind {
            ExprKind::Number(n) => Some(-n),
            _ => None,
        },
        _ => None,
    }
}

/// A whole-number argument, within the range an `f64` holds exactly.
fn integer(arg: &Arg) -> Option<i64> {
    let n = number(arg)?;
    // The range check makes the cast exact.
    (n.fract() == 0.0 && n.abs() <= MAX_EXACT_INTEGER).then_some(n as i64)
}

/// The function or modifier spelled closest to `name`, if one is close enough to be a typo: within
/// one edit for short names and a third of the length for longer ones, ignoring case.
fn suggest(name: &str) -> Option<&'static str> {
    // Longer names are no typo of any function; this also bounds the work.
    if name.len() > 32 {
        return None;
    }
    let name = name.to_ascii_lowercase();
    UnaryFunc::ALL
        .iter()
        .map(|f| f.as_str())
        .chain(OTHER_FUNCTIONS)
        .chain(MODIFIERS)
        .map(|candidate| (edit_distance(&name, candidate), candidate))
        .filter(|&(distance, candidate)| distance <= (candidate.len() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance between two short strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            let delete = previous[j + 1] + 1;
            let insert = current[j] + 1;
            current.push(substitute.min(delete).min(insert));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests;
