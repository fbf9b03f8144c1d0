//! The syntax tree of a query list. Every node carries the span of the text it came from; `Display`
//! prints the canonical text and `sexp()` a readable tree for tests and debugging.
//!
//! The canonical text writes the space aggregator even when the input left it out, lower-cases tags,
//! puts single spaces around arithmetic operators and after commas, uses as few parentheses as the
//! precedence allows, prints whole numbers without `.0` and quotes strings with `'`. It parses back to
//! the same tree, spans aside.

use std::fmt;

use super::Span;
use crate::model::TagSet;

/// The longest metric name the intake stores (see `model::normalize_metric_name`), so no longer name
/// can match anything.
pub const MAX_METRIC_NAME_LEN: usize = 200;

/// Comma-separated top-level queries, as in `avg:a{*}, avg:b{*}`: each is drawn as its own line (or
/// lines, one per group) on one graph.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryList {
    /// Never empty: the parser refuses an empty query.
    pub exprs: Vec<Expr>,
    /// From the first token to the last.
    pub span: Span,
}

impl QueryList {
    /// The S-expressions of the queries, one per line.
    pub fn sexp(&self) -> String {
        let lines: Vec<String> = self.exprs.iter().map(Expr::sexp).collect();
        lines.join("\n")
    }
}

impl fmt::Display for QueryList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, expr) in self.exprs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{expr}")?;
        }
        Ok(())
    }
}

/// One query: a metric query, or functions and arithmetic over them.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// The text of the expression, including the parentheses written around it, if any.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `avg:m{*} by {host}.rollup(sum)`.
    Metric(MetricQuery),
    /// A constant such as `2` or `0.5`; never negative (a leading `-` is [`ExprKind::Neg`]) and always
    /// finite.
    Number(f64),
    /// `-expr`.
    Neg(Box<Expr>),
    /// `lhs op rhs`.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `abs(q)`, `top(q, 5, 'max', 'desc')`, …
    Call(Call),
}

/// Printing precedence of an expression: what binds tighter gets a higher number. An operand is put in
/// parentheses when it binds more loosely than its operator requires.
fn precedence(expr: &Expr) -> u8 {
    match &expr.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Neg(_) => 3,
        ExprKind::Metric(_) | ExprKind::Number(_) | ExprKind::Call(_) => 4,
    }
}

impl Expr {
    /// Whether a metric query appears anywhere in this expression; a top-level query must have one.
    pub fn has_metric(&self) -> bool {
        match &self.kind {
            ExprKind::Metric(_) => true,
            ExprKind::Number(_) => false,
            ExprKind::Neg(inner) => inner.has_metric(),
            ExprKind::Binary { lhs, rhs, .. } => lhs.has_metric() || rhs.has_metric(),
            ExprKind::Call(call) => call.arg().has_metric(),
        }
    }

    /// The tree as an S-expression, e.g. `(* (query avg m (scope *)) 2)`. Spans are left out, so two
    /// expressions that mean the same have the same S-expression.
    pub fn sexp(&self) -> String {
        match &self.kind {
            ExprKind::Metric(query) => query.sexp(),
            ExprKind::Number(n) => format_number(*n),
            ExprKind::Neg(inner) => format!("(neg {})", inner.sexp()),
            ExprKind::Binary { op, lhs, rhs } => {
                format!("({} {} {})", op.symbol(), lhs.sexp(), rhs.sexp())
            }
            ExprKind::Call(call) => call.sexp(),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Metric(query) => write!(f, "{query}"),
            ExprKind::Number(n) => f.write_str(&format_number(*n)),
            ExprKind::Neg(inner) => {
                f.write_str("-")?;
                write_operand(f, inner, precedence(inner) < 3)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                // Left-associative: `a - (b - c)` keeps its parentheses, `(a - b) - c` loses them.
                write_operand(f, lhs, precedence(lhs) < op.precedence())?;
                write!(f, " {} ", op.symbol())?;
                write_operand(f, rhs, precedence(rhs) <= op.precedence())
            }
            ExprKind::Call(call) => write!(f, "{call}"),
        }
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, expr: &Expr, parenthesize: bool) -> fmt::Result {
    if parenthesize {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

/// A number as the canonical text writes it: whole numbers below 10¹⁶ without a fraction (`2`, not
/// `2.0`), others in Rust's shortest round-trip form (`0.5`, `1e-7`, `1e20`), which the lexer reads
/// back to the same `f64`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{n}")
    } else {
        format!("{n:?}")
    }
}

/// The arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// `*` and `/` bind tighter than `+` and `-`.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div => 2,
        }
    }
}

/// Defines a `Copy` enum of names written in queries, with `as_str`, `parse` (exact, case-sensitive
/// as in Datadog), `ALL` and a `Display` that writes the name.
macro_rules! names {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order the documentation lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The value written as `text`.
            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names! {
    /// How the series of one group are combined into one line, per time bucket.
    #[derive(Default, PartialOrd, Ord)]
    pub enum SpaceAggregator {
        /// Datadog's default when a query names none.
        #[default]
        Avg = "avg",
        Sum = "sum",
        Min = "min",
        Max = "max",
    }
}

/// One metric query: `avg:system.cpu.user{env:prod} by {host}.rollup(sum, 60)`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    /// The written `avg:` prefix; `None` when the query has none. [`MetricQuery::space_aggregator`]
    /// gives the one that applies either way.
    pub aggregator: Option<Aggregator>,
    pub metric: Metric,
    pub scope: Scope,
    pub group_by: Option<GroupBy>,
    /// The `.rollup()`, `.as_count()`, `.as_rate()` and `.fill()` after the query, in written order;
    /// the parser allows each kind once (and `.as_count()` and `.as_rate()` not together).
    pub modifiers: Vec<Modifier>,
    /// From the aggregator (or the metric name) to the end of the last modifier.
    pub span: Span,
}

impl MetricQuery {
    /// The space aggregator that applies: the written one, or avg.
    pub fn space_aggregator(&self) -> SpaceAggregator {
        self.aggregator.map(|a| a.kind).unwrap_or_default()
    }

    /// The tag keys of `by {…}`, empty when the query is not grouped.
    pub fn group_keys(&self) -> impl Iterator<Item = &str> {
        self.group_by
            .iter()
            .flat_map(|g| g.keys.iter().map(|k| k.name.as_str()))
    }

    /// The tree as an S-expression, e.g.
    /// `(query avg my_metric (scope (tag host ubuntu)) (by host) (rollup sum 3600))`.
    ///
    /// It shows the aggregator that applies whether or not it was written.
    pub fn sexp(&self) -> String {
        let mut out = format!(
            "(query {} {} (scope",
            self.space_aggregator(),
            self.metric.name
        );
        if self.scope.items.is_empty() {
            out.push_str(" *");
        }
        for tag in &self.scope.items {
            out.push(' ');
            out.push_str(&tag.sexp());
        }
        out.push(')');
        if let Some(group_by) = &self.group_by {
            out.push_str(" (by");
            for key in &group_by.keys {
                out.push(' ');
                out.push_str(&key.name);
            }
            out.push(')');
        }
        for modifier in &self.modifiers {
            out.push(' ');
            out.push_str(&modifier.sexp());
        }
        out.push(')');
        out
    }
}

/// Prints the canonical text: the aggregator always written, no spaces inside braces, tags
/// lower-cased, modifiers as written.
impl fmt::Display for MetricQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}{{{}}}",
            self.space_aggregator(),
            self.metric.name,
            self.scope
        )?;
        if let Some(group_by) = &self.group_by {
            write!(f, " by {group_by}")?;
        }
        for modifier in &self.modifiers {
            write!(f, "{modifier}")?;
        }
        Ok(())
    }
}

/// The `avg:` of `avg:metric{*}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aggregator {
    pub kind: SpaceAggregator,
    /// The name, without the `:`.
    pub span: Span,
}

/// The metric name, as written (metric names are case-sensitive, unlike tags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    pub name: String,
    pub span: Span,
}

/// The `{…}` after the metric name: which series to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Every item must match (AND). Empty for `{*}`, which matches every series.
    pub items: Vec<TagFilter>,
    /// From `{` to `}` inclusive.
    pub span: Span,
}

impl Scope {
    /// Whether a series with these tags is in the scope: every item must match, and `{*}` matches
    /// every series.
    pub fn matches(&self, tags: &TagSet) -> bool {
        self.items.iter().all(|item| item.matches(tags))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.items.is_empty() {
            return f.write_str("*");
        }
        for (i, tag) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{tag}")?;
        }
        Ok(())
    }
}

/// One item of a scope: `key:value`, a bare `key`, either with a leading `!` to exclude, and with `*`
/// wildcards anywhere in the key or the value (`service:*-canary`, `host:web-*`). Lower-cased like
/// stored tags, so `Host:Ubuntu` finds `host:ubuntu`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    /// Written with a leading `!`: the series must not have a matching tag.
    pub negated: bool,
    /// Never empty and never `*` alone without a value (that is the whole-scope `*`).
    pub key: String,
    /// Everything after the first `:`, so `a:b:c` has the value `b:c`; never empty.
    pub value: Option<String>,
    pub span: Span,
}

impl TagFilter {
    /// Whether a series with these tags passes this filter.
    ///
    /// `key:value` matches a tag with that key and value; a bare `key` matches the bare tag `key` or
    /// any tag with the key `key`. `*` in the key or the value matches any run of characters, empty
    /// included. A negated filter passes exactly the series the filter without `!` does not.
    pub fn matches(&self, tags: &TagSet) -> bool {
        let found = tags.iter().any(|tag| {
            // `Tag::key` of a bare tag is the whole tag, so a bare filter also finds the bare tag.
            wildcard_match(&self.key, tag.key())
                && match &self.value {
                    Some(value) => tag.value().is_some_and(|v| wildcard_match(value, v)),
                    None => true,
                }
        });
        found != self.negated
    }

    /// `(tag key value)`, `(tag key)`, wrapped in `(not …)` when negated.
    pub fn sexp(&self) -> String {
        let tag = match &self.value {
            Some(value) => format!("(tag {} {value})", self.key),
            None => format!("(tag {})", self.key),
        };
        if self.negated {
            format!("(not {tag})")
        } else {
            tag
        }
    }
}

impl fmt::Display for TagFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        match &self.value {
            Some(value) => write!(f, "{}:{value}", self.key),
            None => f.write_str(&self.key),
        }
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters (empty included) and
/// every other character for itself.
///
/// Greedy with backtracking to the last `*` only, which is enough for `*`-only patterns and takes
/// O(pattern × text) at worst. It compares bytes: `*` is ASCII and UTF-8 is self-synchronising, so a
/// literal can only match on character boundaries.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0, 0);
    // Where the pattern resumes after the last `*` seen, and the text position that `*` matched up to.
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                last_star = Some((p, t));
            }
            Some(&pc) if pc == c => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                // Let the last `*` swallow one more character and try again from there.
                Some((resume, matched_to)) => {
                    p = resume;
                    t = matched_to + 1;
                    last_star = Some((resume, t));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .unwrap_or_default()
        .iter()
        .all(|&b| b == b'*')
}

/// `by {host,env}`: one output line per combination of values of these keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBy {
    pub keys: Vec<TagKey>,
    /// From `by` to `}` inclusive.
    pub span: Span,
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, key) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(&key.name)?;
        }
        f.write_str("}")
    }
}

/// A tag key of a group-by list, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagKey {
    pub name: String,
    pub span: Span,
}

/// A postfix `.name(args)` after a metric query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Modifier {
    pub kind: ModifierKind,
    /// From the `.` to the closing `)`.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifierKind {
    /// `.rollup(method)`, `.rollup(method, secs)`, or `.rollup(secs)`, which Datadog's documentation
    /// allows ("use them individually or together") and which means `.rollup(avg, secs)`, avg being
    /// the enforced default method; the canonical text then writes the `avg`.
    Rollup {
        method: RollupMethod,
        /// Positive; `None` lets the evaluator pick the interval.
        interval_secs: Option<i64>,
    },
    /// `.as_count()`.
    AsCount,
    /// `.as_rate()`.
    AsRate,
    /// `.fill(mode)` or `.fill(mode, limit)`.
    Fill {
        mode: FillMode,
        /// 1 to 600 seconds, Datadog's bounds; `None` means its default of 300.
        limit_secs: Option<i64>,
    },
}

impl ModifierKind {
    /// The name written after the `.`.
    pub fn name(self) -> &'static str {
        match self {
            ModifierKind::Rollup { .. } => "rollup",
            ModifierKind::AsCount => "as_count",
            ModifierKind::AsRate => "as_rate",
            ModifierKind::Fill { .. } => "fill",
        }
    }
}

impl Modifier {
    /// `(rollup sum 3600)`, `(as_count)`, `(fill last 300)`.
    pub fn sexp(&self) -> String {
        let name = self.kind.name();
        match self.kind {
            ModifierKind::Rollup {
                method,
                interval_secs,
            } => with_optional(format!("({name} {method}"), interval_secs),
            ModifierKind::AsCount | ModifierKind::AsRate => format!("({name})"),
            ModifierKind::Fill { mode, limit_secs } => {
                with_optional(format!("({name} {mode}"), limit_secs)
            }
        }
    }
}

/// Closes an S-expression started in `out`, with `secs` as its last item if there is one.
fn with_optional(mut out: String, secs: Option<i64>) -> String {
    if let Some(secs) = secs {
        out.push_str(&format!(" {secs}"));
    }
    out.push(')');
    out
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.kind.name();
        match self.kind {
            ModifierKind::Rollup {
                method,
                interval_secs: Some(secs),
            } => write!(f, ".{name}({method}, {secs})"),
            ModifierKind::Rollup {
                method,
                interval_secs: None,
            } => write!(f, ".{name}({method})"),
            ModifierKind::AsCount | ModifierKind::AsRate => write!(f, ".{name}()"),
            ModifierKind::Fill {
                mode,
                limit_secs: Some(secs),
            } => write!(f, ".{name}({mode}, {secs})"),
            ModifierKind::Fill {
                mode,
                limit_secs: None,
            } => write!(f, ".{name}({mode})"),
        }
    }
}

names! {
    /// How `.rollup()` combines the points of one series in one time bucket.
    pub enum RollupMethod {
        Avg = "avg",
        Sum = "sum",
        Min = "min",
        Max = "max",
        Count = "count",
    }
}

names! {
    /// How `.fill()` fills the gaps of a series.
    pub enum FillMode {
        Null = "null",
        Zero = "zero",
        Linear = "linear",
        Last = "last",
    }
}

/// A function applied to a query, with its arguments checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `abs(q)`, `per_second(q)`, `week_before(q)`, …: functions of one query.
    Unary { func: UnaryFunc, arg: Box<Expr> },
    /// `top(q, 5, 'max', 'desc')`: the `limit` groups that rank first.
    Top {
        arg: Box<Expr>,
        /// 1 to 100.
        limit: usize,
        rank: TopRank,
        order: Order,
    },
    /// `timeshift(q, -3600)`: the query moved in time by this many seconds (negative = the past).
    Timeshift { arg: Box<Expr>, offset_secs: i64 },
    /// `anomalies(q, 'basic', 2)` or `anomalies(q, 'agile', 2, seasonality='daily')`: the query
    /// with a band of expected values.
    Anomalies {
        arg: Box<Expr>,
        algorithm: AnomalyAlgorithm,
        /// Width of the band, about a number of standard deviations; positive.
        bounds: f64,
        /// The written `seasonality=` keyword argument; only `agile` and `robust` take one, and
        /// `None` means Datadog's default, weekly.
        seasonality: Option<Seasonality>,
    },
}

impl Call {
    /// The function's name as written.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Unary { func, .. } => func.as_str(),
            Call::Top { .. } => "top",
            Call::Timeshift { .. } => "timeshift",
            Call::Anomalies { .. } => "anomalies",
        }
    }

    /// The query the function applies to.
    pub fn arg(&self) -> &Expr {
        match self {
            Call::Unary { arg, .. }
            | Call::Top { arg, .. }
            | Call::Timeshift { arg, .. }
            | Call::Anomalies { arg, .. } => arg,
        }
    }

    /// `(abs q)`, `(top q 5 max desc)`, `(timeshift q -3600)`, `(anomalies q basic 2)`,
    /// `(anomalies q agile 2 (seasonality daily))`.
    pub fn sexp(&self) -> String {
        let name = self.name();
        let arg = self.arg().sexp();
        match self {
            Call::Unary { .. } => format!("({name} {arg})"),
            Call::Top {
                limit, rank, order, ..
            } => format!("({name} {arg} {limit} {rank} {order})"),
            Call::Timeshift { offset_secs, .. } => format!("({name} {arg} {offset_secs})"),
            Call::Anomalies {
                algorithm,
                bounds,
                seasonality,
                ..
            } => {
                let bounds = format_number(*bounds);
                match seasonality {
                    Some(season) => {
                        format!("({name} {arg} {algorithm} {bounds} (seasonality {season}))")
                    }
                    None => format!("({name} {arg} {algorithm} {bounds})"),
                }
            }
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({}", self.name(), self.arg())?;
        match self {
            Call::Unary { .. } => {}
            Call::Top {
                limit, rank, order, ..
            } => write!(f, ", {limit}, '{rank}', '{order}'")?,
            Call::Timeshift { offset_secs, .. } => write!(f, ", {offset_secs}")?,
            Call::Anomalies {
                algorithm,
                bounds,
                seasonality,
                ..
            } => {
                write!(f, ", '{algorithm}', {}", format_number(*bounds))?;
                if let Some(season) = seasonality {
                    write!(f, ", seasonality='{season}'")?;
                }
            }
        }
        f.write_str(")")
    }
}

names! {
    /// Functions that take one query and nothing else.
    pub enum UnaryFunc {
        Abs = "abs",
        Log2 = "log2",
        Log10 = "log10",
        Cumsum = "cumsum",
        Integral = "integral",
        PerSecond = "per_second",
        PerMinute = "per_minute",
        PerHour = "per_hour",
        Diff = "diff",
        Derivative = "derivative",
        HourBefore = "hour_before",
        DayBefore = "day_before",
        WeekBefore = "week_before",
        MonthBefore = "month_before",
    }
}

names! {
    /// What `top()` ranks the groups by.
    pub enum TopRank {
        Max = "max",
        Min = "min",
        Last = "last",
        Mean = "mean",
        Sum = "sum",
        Area = "area",
        Norm = "norm",
        L2norm = "l2norm",
    }
}

names! {
    /// Whether `top()` keeps the highest (`desc`) or the lowest (`asc`) ranked groups.
    pub enum Order {
        Asc = "asc",
        Desc = "desc",
    }
}

names! {
    /// The algorithm of `anomalies()`.
    pub enum AnomalyAlgorithm {
        Basic = "basic",
        Agile = "agile",
        Robust = "robust",
    }
}

names! {
    /// The season of `anomalies(q, 'agile' | 'robust', bounds, seasonality='…')`: the period over
    /// which the series repeats.
    pub enum Seasonality {
        Hourly = "hourly",
        Daily = "daily",
        Weekly = "weekly",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(text: &str) -> TagFilter {
        let (negated, text) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (key, value) = match text.split_once(':') {
            Some((k, v)) => (k, Some(v.to_owned())),
            None => (text, None),
        };
        TagFilter {
            negated,
            key: key.to_owned(),
            value,
            span: Span::default(),
        }
    }

    /// The tag sets of `tags` (each a comma-separated list) that `filter_text` lets through.
    fn passing<'a>(filter_text: &str, tags: &[&'a str]) -> Vec<&'a str> {
        let filter = filter(filter_text);
        tags.iter()
            .copied()
            .filter(|t| filter.matches(&TagSet::from_canonical(t)))
            .collect()
    }

    const SERIES: [&str; 6] = [
        "host:web-1,env:prod",
        "host:web-2,env:dev",
        "host:db-1,env:prod,canary",
        "env:prod",
        "",
        "service:api-canary,version:1:2",
    ];

    #[test]
    fn exact_tags() {
        assert_eq!(
            passing("env:prod", &SERIES),
            [SERIES[0], SERIES[2], SERIES[3]]
        );
        assert_eq!(passing("host:web-1", &SERIES), [SERIES[0]]);
        assert_eq!(passing("host:web", &SERIES), [] as [&str; 0]);
        assert_eq!(passing("version:1:2", &SERIES), [SERIES[5]]);
    }

    #[test]
    fn bare_keys_match_the_bare_tag_or_any_tag_with_that_key() {
        assert_eq!(passing("canary", &SERIES), [SERIES[2]]);
        assert_eq!(passing("host", &SERIES), [SERIES[0], SERIES[1], SERIES[2]]);
        assert_eq!(passing("web-1", &SERIES), [] as [&str; 0]);
    }

    #[test]
    fn negation_inverts() {
        assert_eq!(
            passing("!env:prod", &SERIES),
            [SERIES[1], SERIES[4], SERIES[5]]
        );
        assert_eq!(passing("!host", &SERIES), [SERIES[3], SERIES[4], SERIES[5]]);
        assert_eq!(
            passing("!host:web-*", &SERIES),
            [SERIES[2], SERIES[3], SERIES[4], SERIES[5]]
        );
    }

    #[test]
    fn wildcards_match_any_run_of_characters() {
        assert_eq!(passing("host:web-*", &SERIES), [SERIES[0], SERIES[1]]);
        assert_eq!(passing("service:*-canary", &SERIES), [SERIES[5]]);
        assert_eq!(
            passing("host:*", &SERIES),
            [SERIES[0], SERIES[1], SERIES[2]]
        );
        assert_eq!(passing("host:*-1", &SERIES), [SERIES[0], SERIES[2]]);
        assert_eq!(passing("ho*:db*", &SERIES), [SERIES[2]]);
        assert_eq!(
            passing("*:prod", &SERIES),
            [SERIES[0], SERIES[2], SERIES[3]]
        );
        assert_eq!(passing("can*", &SERIES), [SERIES[2]]);
        assert_eq!(passing("*:1:*", &SERIES), [SERIES[5]]);
    }

    #[test]
    fn wildcard_matching() {
        let cases = [
            ("*", "", true),
            ("*", "abc", true),
            ("a*", "a", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbcd", false),
            ("*-canary", "api-canary", true),
            ("*-canary", "api-canary-2", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXcYb", false),
            ("**a**", "bab", true),
            ("abc", "abc", true),
            ("abc", "ab", false),
            ("ab", "abc", false),
            ("zü*", "zürich", true),
            ("*ich", "zürich", true),
            ("", "", true),
            ("", "a", false),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                wildcard_match(pattern, text),
                expected,
                "{pattern:?} ~ {text:?}"
            );
        }
        // Backtracking only to the last star keeps the worst case polynomial.
        let text = "a".repeat(2_000);
        assert!(!wildcard_match(&format!("{}b", "*a".repeat(50)), &text));
    }

    #[test]
    fn an_empty_scope_matches_everything_and_items_are_anded() {
        let everything = Scope {
            items: Vec::new(),
            span: Span::default(),
        };
        let prod_web = Scope {
            items: vec![filter("env:prod"), filter("host:web-*")],
            span: Span::default(),
        };
        for tags in SERIES {
            let tags = TagSet::from_canonical(tags);
            assert!(everything.matches(&tags));
        }
        let passing: Vec<&str> = SERIES
            .into_iter()
            .filter(|t| prod_web.matches(&TagSet::from_canonical(t)))
            .collect();
        assert_eq!(passing, [SERIES[0]]);
    }

    #[test]
    fn numbers_print_without_a_needless_fraction() {
        let cases = [
            (2.0, "2"),
            (0.5, "0.5"),
            (0.0, "0"),
            (1e15, "1000000000000000"),
            (1e16, "1e16"),
            (1e-7, "1e-7"),
            (123.456, "123.456"),
            (2.5e300, "2.5e300"),
        ];
        for (n, text) in cases {
            assert_eq!(format_number(n), text);
            assert_eq!(text.parse::<f64>().ok(), Some(n), "{text} reads back");
        }
    }
}
