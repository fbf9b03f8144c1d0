//! The query of a metric monitor, `time_aggr(time_window):<metric query> <comparator> <threshold>`,
//! as in `avg(last_5m):avg:my_metric{host:ubuntu} > 800`.
//!
//! The part between `:` and the comparator is a graph query and is parsed by [`crate::query::parse`];
//! its errors keep their own words, with columns counted in the whole monitor query. The rules:
//!
//! - time aggregation `avg | sum | max | min | change | pct_change`, lower-case as in Datadog;
//! - window `last_<n>m | last_<n>h | last_<n>d | last_<n>w`, from one minute to one week (the longest
//!   window the monitor form offers); Datadog's two-argument change form
//!   `change(avg(last_5m),last_5m)` is refused as not supported yet;
//! - comparator `< <= > >= == !=`, found as the last `<`, `>` or `=` of the text, since none of these
//!   can stand in a metric query's tags (a `=` there is `seasonality=`, which comes before);
//! - threshold a plain decimal number (`800`, `-3`, `2.5`, `1e3`);
//! - one query, not a comma-separated list; the tag keys of its `by {…}` make a multi-alert monitor.
//!
//! `Display` prints the canonical form: the metric query as [`crate::query::QueryList`] prints it,
//! the window in its largest whole unit (`last_60m` becomes `last_1h`), single spaces around the
//! comparator. It parses back to the same [`MonitorQuery`].

use std::fmt;

use crate::query::ast::format_number;
use crate::query::error::quote;
use crate::query::{self as metric, Expr, ExprKind, ModifierKind, Span};

/// The longest window: one week, the longest the monitor form offers (`last_1w`).
pub const MAX_WINDOW_SECS: i64 = 7 * 86_400;

/// A parsed monitor query.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorQuery {
    pub time_aggr: TimeAggr,
    /// The evaluation window, a whole number of minutes from 60 to [`MAX_WINDOW_SECS`].
    pub window_secs: i64,
    /// The metric query in canonical form; [`crate::query::parse`] accepts it.
    pub metric_query: String,
    pub comparator: Comparator,
    /// The alert threshold written after the comparator; always finite.
    pub threshold: f64,
    /// The tag keys of the metric query's `by {…}`, in written order without repeats: one group (and
    /// one state) per combination of their values. Empty for a simple alert.
    pub group_by: Vec<String>,
}

/// How the points of the window are reduced to the one value compared with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeAggr {
    Avg,
    Sum,
    Max,
    Min,
    /// The value now minus the value one window ago.
    Change,
    /// [`TimeAggr::Change`] as a percentage of the value one window ago.
    PctChange,
}

impl TimeAggr {
    pub const ALL: [TimeAggr; 6] = [
        TimeAggr::Avg,
        TimeAggr::Sum,
        TimeAggr::Max,
        TimeAggr::Min,
        TimeAggr::Change,
        TimeAggr::PctChange,
    ];

    /// The name as written in a query, e.g. `pct_change`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeAggr::Avg => "avg",
            TimeAggr::Sum => "sum",
            TimeAggr::Max => "max",
            TimeAggr::Min => "min",
            TimeAggr::Change => "change",
            TimeAggr::PctChange => "pct_change",
        }
    }

    /// The aggregation named `text` (lower-case), if any.
    pub fn from_name(text: &str) -> Option<TimeAggr> {
        TimeAggr::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

impl fmt::Display for TimeAggr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the value is compared with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Comparator {
    pub const ALL: [Comparator; 6] = [
        Comparator::Lt,
        Comparator::Le,
        Comparator::Gt,
        Comparator::Ge,
        Comparator::Eq,
        Comparator::Ne,
    ];

    /// The symbol as written in a query, e.g. `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
            Comparator::Eq => "==",
            Comparator::Ne => "!=",
        }
    }

    /// The comparator written `symbol`, if any.
    pub fn from_symbol(symbol: &str) -> Option<Comparator> {
        Comparator::ALL.into_iter().find(|c| c.symbol() == symbol)
    }

    /// Whether `value <comparator> threshold` holds, i.e. the value is past the threshold.
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Lt => value < threshold,
            Comparator::Le => value <= threshold,
            Comparator::Gt => value > threshold,
            Comparator::Ge => value >= threshold,
            Comparator::Eq => value == threshold,
            Comparator::Ne => value != threshold,
        }
    }

    /// `Some(true)` for `>`/`>=` (alert on high values), `Some(false)` for `<`/`<=`, `None` for
    /// `==`/`!=`, which order nothing.
    pub fn alerts_above(self) -> Option<bool> {
        match self {
            Comparator::Gt | Comparator::Ge => Some(true),
            Comparator::Lt | Comparator::Le => Some(false),
            Comparator::Eq | Comparator::Ne => None,
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl MonitorQuery {
    /// The metric query as the evaluator runs it. A plain metric query without a `.rollup()` gets
    /// the rollup of a `sum`, `min` or `max` time aggregation, so that a bucket holding several
    /// points keeps their sum, least or greatest (instead of their mean) and the window's
    /// reduction over buckets is exact.
    pub fn evaluated_query(&self) -> String {
        let text = &self.metric_query;
        let method = match self.time_aggr {
            TimeAggr::Sum => "sum",
            TimeAggr::Min => "min",
            TimeAggr::Max => "max",
            TimeAggr::Avg | TimeAggr::Change | TimeAggr::PctChange => return text.clone(),
        };
        let plain = metric::parse(text).is_ok_and(|list| {
            list.exprs.len() == 1
                && matches!(&list.exprs[0].kind, ExprKind::Metric(m)
                    if !m.modifiers.iter().any(|x| matches!(x.kind, ModifierKind::Rollup { .. })))
        });
        if plain {
            format!("{text}.rollup({method})")
        } else {
            text.clone()
        }
    }
}

impl fmt::Display for MonitorQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}({}):{} {} {}",
            self.time_aggr,
            format_window(self.window_secs),
            self.metric_query,
            self.comparator,
            format_number(self.threshold)
        )
    }
}

/// `last_5m`, `last_1h`, `last_2d`, `last_1w`: the largest unit that divides the window.
pub fn format_window(window_secs: i64) -> String {
    const UNITS: [(i64, char); 4] = [(604_800, 'w'), (86_400, 'd'), (3_600, 'h'), (60, 'm')];
    for (unit_secs, unit) in UNITS {
        if window_secs > 0 && window_secs % unit_secs == 0 {
            return format!("last_{}{unit}", window_secs / unit_secs);
        }
    }
    // Only a hand-made query can have a window that is no whole number of minutes; round it up so
    // that the text still parses.
    format!("last_{}m", (window_secs.max(1) + 59) / 60)
}

/// Why a monitor query could not be parsed, and where.
///
/// `span` is the byte range of the offending text in the monitor query; the message names 1-based
/// character columns. For [`ErrorKind::MetricQuery`] the inner error's span and columns are also
/// counted in the whole monitor query.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub span: Span,
    pub kind: ErrorKind,
    source: Box<str>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The query is empty or only whitespace.
    Empty,
    /// The query does not start with `name(`, as in `avg:m{*} > 1` without `avg(last_5m):`.
    ExpectedTimeAggr,
    /// `name(` where `name` is no time aggregation.
    UnknownTimeAggr,
    /// Datadog's `change(avg(last_5m),last_5m)`, which dogwatch does not parse yet.
    UnsupportedChangeForm,
    /// Something other than `last_<n>m|h|d|w` inside the parentheses.
    ExpectedWindow,
    /// A window of zero or longer than [`MAX_WINDOW_SECS`].
    WindowOutOfRange,
    /// The window is not followed by `)`.
    ExpectedCloseParen,
    /// `)` is not followed by `:`.
    ExpectedColon,
    /// Nothing between `:` and the comparator.
    ExpectedMetricQuery,
    /// The metric query does not parse; the inner error's columns count in the whole query.
    MetricQuery(metric::Error),
    /// A comma-separated list of metric queries; `span` is the second one.
    MultipleQueries,
    /// No `<`, `>`, `==` or `!=` in the query.
    MissingComparator,
    /// A single `=`, which is no comparator.
    SingleEquals,
    /// The text after the comparator is not a finite number (empty span: nothing there).
    InvalidThreshold,
}

impl Error {
    fn new(source: &str, span: Span, kind: ErrorKind) -> Error {
        Error {
            span,
            kind,
            source: source.into(),
        }
    }

    /// The 1-based character column where the error starts.
    pub fn column(&self) -> usize {
        match self.source.get(..self.span.start) {
            Some(before) => before.chars().count() + 1,
            None => self.span.start + 1,
        }
    }

    /// The offending text (empty when the query ended too early).
    pub fn found(&self) -> &str {
        self.span.text(&self.source)
    }

    /// `, found `x`` when there is something to quote.
    fn found_suffix(&self) -> String {
        if self.span.is_empty() {
            String::new()
        } else {
            format!(", found {}", quote(self.found()))
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let col = self.column();
        let found = quote(self.found());
        let found_suffix = self.found_suffix();
        match &self.kind {
            ErrorKind::Empty => f.write_str(
                "the monitor query is empty; write one such as `avg(last_5m):avg:my_metric{*} > 800`",
            ),
            ErrorKind::ExpectedTimeAggr => write!(
                f,
                "a monitor query starts with a time aggregation and a window, as in \
                 `avg(last_5m):avg:my_metric{{*}} > 800`{found_suffix} at column {col}"
            ),
            ErrorKind::UnknownTimeAggr => write!(
                f,
                "unknown time aggregation {found} at column {col}; use avg, sum, max, min, change \
                 or pct_change"
            ),
            ErrorKind::UnsupportedChangeForm => write!(
                f,
                "the two-argument form {found} at column {col} is not supported yet; write \
                 `change(last_5m):` instead"
            ),
            ErrorKind::ExpectedWindow => write!(
                f,
                "expected a window such as `last_5m`, `last_1h`, `last_1d` or `last_1w` at column \
                 {col}{found_suffix}"
            ),
            ErrorKind::WindowOutOfRange => write!(
                f,
                "the window {found} at column {col} must be from one minute (`last_1m`) to one week \
                 (`last_1w`)"
            ),
            ErrorKind::ExpectedCloseParen => {
                write!(f, "expected `)` after the window at column {col}{found_suffix}")
            }
            ErrorKind::ExpectedColon => write!(
                f,
                "expected `:` before the metric query at column {col}{found_suffix}"
            ),
            ErrorKind::ExpectedMetricQuery => write!(
                f,
                "expected a metric query such as `avg:my_metric{{*}}` at column {col}"
            ),
            ErrorKind::MetricQuery(inner) => write!(f, "{inner}"),
            ErrorKind::MultipleQueries => write!(
                f,
                "a monitor watches one query; the second one, {found}, starts at column {col}"
            ),
            ErrorKind::MissingComparator => f.write_str(
                "a monitor query ends with a comparator and a threshold, as in `> 800`; use <, <=, \
                 >, >=, == or !=",
            ),
            ErrorKind::SingleEquals => write!(
                f,
                "`=` at column {col} is no comparator; use `==` (or <, <=, >, >=, !=)"
            ),
            ErrorKind::InvalidThreshold => {
                if self.span.is_empty() {
                    write!(f, "expected a threshold number at column {col}")
                } else {
                    write!(
                        f,
                        "the threshold must be a number such as 800 or -2.5; found {found} at \
                         column {col}"
                    )
                }
            }
        }
    }
}

impl std::error::Error for Error {}

/// A position in the text with the little scanning the prefix needs. `pos` is always on a
/// character boundary: it only moves past whole characters.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> Span {
        let start = self.pos;
        let rest = self.rest();
        let len = rest.find(|c: char| !pred(c)).unwrap_or(rest.len());
        self.pos += len;
        Span::new(start, self.pos)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// The span of the next character, or an empty span at the end.
    fn next_char_span(&self) -> Span {
        let len = self.rest().chars().next().map_or(0, char::len_utf8);
        Span::new(self.pos, self.pos + len)
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Parses a monitor query such as `avg(last_5m):avg:my_metric{host:ubuntu} > 800`.
pub fn parse(text: &str) -> Result<MonitorQuery, Error> {
    let err = |span: Span, kind: ErrorKind| Error::new(text, span, kind);
    if text.trim().is_empty() {
        return Err(err(Span::new(0, text.len()), ErrorKind::Empty));
    }
    let mut cur = Cursor { text, pos: 0 };

    cur.skip_ws();
    let name = cur.take_while(is_name_char);
    cur.skip_ws();
    if name.is_empty() || !cur.eat('(') {
        let span = if name.is_empty() {
            cur.next_char_span()
        } else {
            name
        };
        return Err(err(span, ErrorKind::ExpectedTimeAggr));
    }
    let Some(time_aggr) = TimeAggr::from_name(name.text(text)) else {
        return Err(err(name, ErrorKind::UnknownTimeAggr));
    };

    cur.skip_ws();
    let window = cur.take_while(is_name_char);
    if cur.rest().trim_start().starts_with('(') {
        return Err(err(name.to(window), ErrorKind::UnsupportedChangeForm));
    }
    let window_secs = match parse_window(window.text(text)) {
        Some(Ok(secs)) => secs,
        Some(Err(())) => return Err(err(window, ErrorKind::WindowOutOfRange)),
        None => {
            let span = if window.is_empty() {
                cur.next_char_span()
            } else {
                window
            };
            return Err(err(span, ErrorKind::ExpectedWindow));
        }
    };
    cur.skip_ws();
    if !cur.eat(')') {
        return Err(err(cur.next_char_span(), ErrorKind::ExpectedCloseParen));
    }
    cur.skip_ws();
    if !cur.eat(':') {
        return Err(err(cur.next_char_span(), ErrorKind::ExpectedColon));
    }
    let metric_start = cur.pos;

    // The comparator: the last `<`, `>` or `=` (see the module doc for why the last).
    let rest = cur.rest();
    let Some(last) = rest.rfind(['<', '>', '=']).map(|i| metric_start + i) else {
        return Err(err(
            Span::new(text.len(), text.len()),
            ErrorKind::MissingComparator,
        ));
    };
    let before = text.get(metric_start..last).unwrap_or("");
    let op_start = match text.get(last..=last) {
        Some("=") if before.ends_with(['<', '>', '=', '!']) => last - 1,
        Some("=") => return Err(err(Span::new(last, last + 1), ErrorKind::SingleEquals)),
        _ => last,
    };
    let comparator = text
        .get(op_start..=last)
        .and_then(Comparator::from_symbol)
        .ok_or_else(|| err(Span::new(op_start, last + 1), ErrorKind::MissingComparator))?;

    let after = text.get(last + 1..).unwrap_or("");
    let lead = after.len() - after.trim_start().len();
    let number = after.trim();
    let number_span = Span::new(last + 1 + lead, last + 1 + lead + number.len());
    let threshold = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        .then(|| number.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
        .ok_or_else(|| err(number_span, ErrorKind::InvalidThreshold))?;

    let metric_text = text.get(metric_start..op_start).unwrap_or("");
    if metric_text.trim().is_empty() {
        return Err(err(
            Span::new(metric_start, op_start),
            ErrorKind::ExpectedMetricQuery,
        ));
    }
    // The metric parser sees the prefix as whitespace, so its spans and columns count in the whole
    // monitor query. Whitespace stays as it is (it may be several bytes long); everything else in
    // the prefix is ASCII and becomes one space.
    let prefix = text.get(..metric_start).unwrap_or("");
    let mut shifted: String = prefix
        .chars()
        .map(|c| if c.is_whitespace() { c } else { ' ' })
        .collect();
    shifted.push_str(metric_text);
    let list = metric::parse(&shifted).map_err(|e| err(e.span, ErrorKind::MetricQuery(e)))?;
    if let Some(second) = list.exprs.get(1) {
        return Err(err(second.span, ErrorKind::MultipleQueries));
    }

    let mut group_by = Vec::new();
    for expr in &list.exprs {
        collect_group_keys(expr, &mut group_by);
    }
    Ok(MonitorQuery {
        time_aggr,
        window_secs,
        metric_query: list.to_string(),
        comparator,
        threshold,
        group_by,
    })
}

/// `last_<n><unit>` → seconds; `None` if it is not of that form, `Some(Err)` if out of range.
fn parse_window(text: &str) -> Option<Result<i64, ()>> {
    let body = text.strip_prefix("last_")?;
    let unit = body.chars().last()?;
    let digits = body.get(..body.len() - unit.len_utf8())?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unit_secs = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let secs = digits
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(unit_secs))
        .filter(|&secs| secs > 0 && secs <= MAX_WINDOW_SECS);
    Some(secs.ok_or(()))
}

/// The `by {…}` keys of every metric query in `expr`, in order, each once.
fn collect_group_keys(expr: &Expr, keys: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Metric(query) => {
            for key in query.group_keys() {
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_owned());
                }
            }
        }
        ExprKind::Number(_) => {}
        ExprKind::Neg(inner) => collect_group_keys(inner, keys),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_group_keys(lhs, keys);
            collect_group_keys(rhs, keys);
        }
        ExprKind::Call(call) => collect_group_keys(call.arg(), keys),
    }
}

#[cfg(test)]
mod tests;
