//! The metric query evaluator: a query text and a time window in, Datadog's `/api/v1/query` response
//! out. It maps the parsed query onto the time-series kernels of [`crate::series`] and reads data
//! through [`SeriesSource`], which the server's SQLite store implements (a Prometheus engine later).
//!
//! # How a query is evaluated
//!
//! 1. **Window.** `from_secs < to_secs`, both between 1970 and the year 9999, at most
//!    [`MAX_WINDOW_SECS`] apart.
//! 2. **Grid.** Each comma-separated query gets one grid of Unix-aligned buckets: the automatic
//!    interval that keeps it at ≤ 300 points, or coarser when a `.rollup(method, secs)` in it asks
//!    ([`series::choose_interval`]); every metric query inside one expression shares that grid so
//!    that arithmetic lines up.
//! 3. **Metric query.** The series of the metric whose tags match the scope (`k:v`, bare `k`, `!`,
//!    `*` wildcards) are read; each becomes one value per bucket by its time aggregation (its stored
//!    type, `.as_count()`/`.as_rate()`, `.rollup()`; see [`series::TimeAggregation`]); the series of
//!    each `by` group are then combined by the space aggregator after alignment (gauges are
//!    interpolated across gaps up to 300 s, counts and rates count missing as 0, `.fill()` fills;
//!    see [`series::Align`]). A series lacking a `by` key is grouped under `key:N/A`, as in Datadog.
//! 4. **Expressions.** Numbers are constant lines; `+ - * /` pair groups by equal tag sets (a side
//!    with one ungrouped line applies to every group of the other); functions apply per group;
//!    `hour_before`…`month_before` and `timeshift` evaluate their argument over the shifted window
//!    and move it back; `top` ranks groups.
//! 5. **Anomalies.** `anomalies(q, algorithm, bounds[, seasonality='…'])` must be the outermost
//!    function. Its argument is evaluated over a longer grid that adds the history the algorithm
//!    needs before the window; each group's band for the displayed buckets goes into the series'
//!    `band`. `agile` and `robust` use the season of `seasonality=` (`hourly`, `daily` or
//!    `weekly`), weekly when it is left out (Datadog's default); without three seasons of history
//!    (three hours, days or weeks) the series comes back without a band and the response's
//!    `message` says what is missing.
//! 6. **Response.** One series per group and query, `query_index` = the position of the query in
//!    the text; buckets without a value are left out of `pointlist` (and of the band with them).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use crate::model::{MetricType, SeriesKey};
use crate::query::{self, Call, Expr, ExprKind, MetricQuery, ModifierKind, Span};
use crate::series::{
    self, Align, AnomalyAlgorithm, BinaryOp, Fill, FillMode, Grid, Grouped, Line, RollupMethod,
    Season, Shift, SpaceAgg, TimeAggregation, TypeModifier,
};
use crate::wire::{self, QueryResponse, QuerySeries};

/// The store's identifier of one series.
pub type SeriesId = i64;

/// The longest window a query may cover.
pub const MAX_WINDOW_SECS: i64 = 366 * 86_400;

/// Datadog's default gap limit for interpolation and `.fill()`.
const DEFAULT_FILL_LIMIT_SECS: i64 = 300;

/// The latest time accepted (the year 9999), so millisecond timestamps cannot overflow.
const MAX_TIME_SECS: i64 = 253_402_300_799;

/// One stored series as the evaluator needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInfo {
    pub id: SeriesId,
    pub key: SeriesKey,
    pub kind: MetricType,
    /// Seconds each stored point of a COUNT or RATE covers.
    pub interval_secs: Option<i64>,
}

/// What [`SeriesSource::each_series`] hands each series' points to.
pub type EachSeries<'a> = dyn FnMut(SeriesId, &[(i64, f64)]) + 'a;

/// Where the evaluator reads series and points; the server's store implements it.
pub trait SeriesSource {
    type Error: fmt::Display;
    /// Every series of this metric (all tag sets); the evaluator filters by scope itself.
    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Self::Error>;
    /// Points with from_secs <= ts <= to_secs of these series, ordered by (series, ts).
    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error>;

    /// Hands the points of each of these series (from_secs <= ts <= to_secs, by time) to `each`,
    /// one series at a time, so that the evaluator never holds every point of a query at once
    /// (200 series over an hour at 1 s are 720,000 points). A series without points may be left
    /// out. The default reads them all through [`SeriesSource::points`]; a store streams them.
    fn each_series(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        each: &mut EachSeries<'_>,
    ) -> Result<(), Self::Error> {
        let all = self.points(ids, from_secs, to_secs)?;
        for run in all.chunk_by(|a, b| a.0 == b.0) {
            let points: Vec<(i64, f64)> = run.iter().map(|&(_, ts, v)| (ts, v)).collect();
            each(run[0].0, &points);
        }
        Ok(())
    }
}

/// Why a window cannot be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeReason {
    /// `from` is not before `to`.
    Empty,
    /// Longer than [`MAX_WINDOW_SECS`].
    TooLong,
    /// Before 1970 or after the year 9999 (often milliseconds sent as seconds).
    OutOfBounds,
}

/// Why a query could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError<E> {
    /// The query text does not parse.
    Parse(query::Error),
    /// The time window cannot be evaluated.
    Range {
        from_secs: i64,
        to_secs: i64,
        reason: RangeReason,
    },
    /// The query parses but asks for something the evaluator does not do; `span` points at it.
    Unsupported { what: String, span: Span },
    /// The store failed.
    Source(E),
}

impl<E: fmt::Display> fmt::Display for EvalError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Parse(e) => write!(f, "invalid query: {e}"),
            EvalError::Range {
                from_secs,
                to_secs,
                reason,
            } => match reason {
                RangeReason::Empty => {
                    write!(f, "`from` ({from_secs}) must be before `to` ({to_secs})")
                }
                RangeReason::TooLong => write!(
                    f,
                    "the window from {from_secs} to {to_secs} is longer than {} days",
                    MAX_WINDOW_SECS / 86_400
                ),
                RangeReason::OutOfBounds => write!(
                    f,
                    "`from` ({from_secs}) and `to` ({to_secs}) must be seconds between 1970 and 9999 (milliseconds sent as seconds?)"
                ),
            },
            EvalError::Unsupported { what, span } => {
                write!(f, "{what} (at column {})", span.start + 1)
            }
            EvalError::Source(e) => write!(f, "the store failed: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for EvalError<E> {}

/// Evaluates `query_text` over `[from_secs, to_secs]`.
pub fn evaluate<S: SeriesSource>(
    query_text: &str,
    from_secs: i64,
    to_secs: i64,
    src: &S,
) -> Result<QueryResponse, EvalError<S::Error>> {
    check_window(from_secs, to_secs)?;
    let list = query::parse(query_text).map_err(EvalError::Parse)?;
    let mut ev = Evaluator {
        src,
        cache: HashMap::new(),
        messages: Vec::new(),
    };
    let mut out = Vec::new();
    let mut group_by = BTreeSet::new();
    for (index, expr) in list.exprs.iter().enumerate() {
        let grid = Grid::covering(
            from_secs,
            to_secs,
            series::choose_interval(from_secs, to_secs, coarsest_rollup(expr)),
        );
        let result = ev.top_level(expr, grid)?;
        let first = first_metric(expr);
        if let Some(m) = first {
            group_by.extend(m.group_keys().map(str::to_owned));
        }
        for (g, band) in result {
            out.push(to_wire(
                expr,
                first,
                index,
                &g,
                band.as_ref(),
                grid.interval_secs,
                from_secs,
                to_secs,
            ));
        }
    }
    Ok(QueryResponse {
        status: "ok".into(),
        res_type: "time_series".into(),
        resp_version: 1,
        query: query_text.to_owned(),
        from_date: from_secs * 1000,
        to_date: to_secs * 1000,
        group_by: group_by.into_iter().collect(),
        message: ev.messages.join("; "),
        series: out,
        times: Vec::new(),
        values: Vec::new(),
    })
}

fn check_window<E>(from_secs: i64, to_secs: i64) -> Result<(), EvalError<E>> {
    let reason =
        if !(0..=MAX_TIME_SECS).contains(&from_secs) || !(0..=MAX_TIME_SECS).contains(&to_secs) {
            Some(RangeReason::OutOfBounds)
        } else if from_secs >= to_secs {
            Some(RangeReason::Empty)
        } else if to_secs - from_secs > MAX_WINDOW_SECS {
            Some(RangeReason::TooLong)
        } else {
            None
        };
    match reason {
        Some(reason) => Err(EvalError::Range {
            from_secs,
            to_secs,
            reason,
        }),
        None => Ok(()),
    }
}

/// The coarsest `.rollup(…, secs)` anywhere in the expression.
fn coarsest_rollup(expr: &Expr) -> Option<i64> {
    let mut best = None;
    visit_metrics(expr, &mut |m| {
        for modifier in &m.modifiers {
            if let ModifierKind::Rollup {
                interval_secs: Some(s),
                ..
            } = modifier.kind
            {
                best = Some(best.map_or(s, |b: i64| b.max(s)));
            }
        }
    });
    best
}

/// The first metric query of an expression, which names the series in the response.
fn first_metric(expr: &Expr) -> Option<&MetricQuery> {
    match &expr.kind {
        ExprKind::Metric(m) => Some(m),
        ExprKind::Number(_) => None,
        ExprKind::Neg(e) => first_metric(e),
        ExprKind::Binary { lhs, rhs, .. } => first_metric(lhs).or_else(|| first_metric(rhs)),
        ExprKind::Call(c) => first_metric(c.arg()),
    }
}

fn visit_metrics<'a>(expr: &'a Expr, f: &mut impl FnMut(&'a MetricQuery)) {
    match &expr.kind {
        ExprKind::Metric(m) => f(m),
        ExprKind::Number(_) => {}
        ExprKind::Neg(e) => visit_metrics(e, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit_metrics(lhs, f);
            visit_metrics(rhs, f);
        }
        ExprKind::Call(c) => visit_metrics(c.arg(), f),
    }
}

struct Evaluator<'s, S: SeriesSource> {
    src: &'s S,
    /// Series lists by metric name, read once per request.
    cache: HashMap<String, Vec<SeriesInfo>>,
    messages: Vec<String>,
}

type Eval<T, S> = Result<T, EvalError<<S as SeriesSource>::Error>>;

impl<S: SeriesSource> Evaluator<'_, S> {
    /// A top-level query: groups and, under `anomalies()`, their bands.
    fn top_level(
        &mut self,
        expr: &Expr,
        grid: Grid,
    ) -> Eval<Vec<(Grouped, Option<wire::Band>)>, S> {
        let ExprKind::Call(Call::Anomalies {
            arg,
            algorithm,
            bounds,
            seasonality,
        }) = &expr.kind
        else {
            return Ok(self
                .eval(expr, grid)?
                .into_iter()
                .map(|g| (g, None))
                .collect());
        };
        let season = match seasonality {
            Some(query::Seasonality::Hourly) => Season::Hourly,
            Some(query::Seasonality::Daily) => Season::Daily,
            // Datadog's default.
            Some(query::Seasonality::Weekly) | None => Season::Weekly,
        };
        let algorithm = match algorithm {
            query::AnomalyAlgorithm::Basic => AnomalyAlgorithm::Basic,
            query::AnomalyAlgorithm::Agile => AnomalyAlgorithm::Agile(season),
            query::AnomalyAlgorithm::Robust => AnomalyAlgorithm::Robust(season),
        };
        let history_buckets =
            series::history_secs(algorithm, grid.interval_secs) / grid.interval_secs;
        let extended = Grid {
            start_secs: grid.start_secs - history_buckets * grid.interval_secs,
            interval_secs: grid.interval_secs,
            len: grid.len + history_buckets as usize,
        };
        let groups = self.eval(arg, extended)?;
        let mut out = Vec::new();
        for g in groups {
            let band =
                match series::anomalies(&g.line, history_buckets as usize, algorithm, *bounds) {
                    Ok(b) => Some(b.to_wire(algorithm_name(algorithm), *bounds)),
                    Err(e) => {
                        let msg = format!("anomalies() on {}: {e}", group_label(&g.tags));
                        if !self.messages.contains(&msg) {
                            self.messages.push(msg);
                        }
                        None
                    }
                };
            out.push((
                Grouped {
                    tags: g.tags,
                    line: g.line.on_grid(grid),
                },
                band,
            ));
        }
        Ok(out)
    }

    fn eval(&mut self, expr: &Expr, grid: Grid) -> Eval<Vec<Grouped>, S> {
        match &expr.kind {
            ExprKind::Metric(m) => self.metric(m, grid),
            ExprKind::Number(n) => Ok(vec![Grouped {
                tags: Vec::new(),
                line: Line::constant(grid, *n),
            }]),
            ExprKind::Neg(e) => Ok(self
                .eval(e, grid)?
                .into_iter()
                .map(|g| Grouped {
                    line: series::negate(&g.line),
                    tags: g.tags,
                })
                .collect()),
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.eval(lhs, grid)?;
                let r = self.eval(rhs, grid)?;
                Ok(series::binary(binary_op(*op), &l, &r))
            }
            ExprKind::Call(call) => self.call(call, expr.span, grid),
        }
    }

    fn call(&mut self, call: &Call, span: Span, grid: Grid) -> Eval<Vec<Grouped>, S> {
        match call {
            Call::Unary { func, arg } => match unary(*func) {
                Unary::Shift(shift) => self.shifted(arg, grid, shift.offset_secs()),
                Unary::Apply(f) => Ok(self
                    .eval(arg, grid)?
                    .into_iter()
                    .map(|g| Grouped {
                        line: series::apply(f, &g.line),
                        tags: g.tags,
                    })
                    .collect()),
            },
            Call::Timeshift { arg, offset_secs } => {
                self.shifted(arg, grid, Shift::Secs(*offset_secs).offset_secs())
            }
            Call::Top {
                arg,
                limit,
                rank,
                order,
            } => {
                let groups = self.eval(arg, grid)?;
                Ok(series::top(
                    &groups,
                    *limit,
                    top_rank(*rank),
                    order_of(*order),
                ))
            }
            Call::Anomalies { .. } => Err(EvalError::Unsupported {
                what: "anomalies() must be the outermost function of a query".into(),
                span,
            }),
        }
    }

    /// Evaluates `arg` over the window moved by `offset_secs` and moves the result back.
    fn shifted(&mut self, arg: &Expr, grid: Grid, offset_secs: i64) -> Eval<Vec<Grouped>, S> {
        let buckets = (offset_secs as f64 / grid.interval_secs as f64).round() as i64;
        let moved = Grid {
            start_secs: grid.start_secs + buckets * grid.interval_secs,
            ..grid
        };
        Ok(self
            .eval(arg, moved)?
            .into_iter()
            .map(|g| Grouped {
                line: series::shift(&g.line, offset_secs).on_grid(grid),
                tags: g.tags,
            })
            .collect())
    }

    fn metric(&mut self, m: &MetricQuery, grid: Grid) -> Eval<Vec<Grouped>, S> {
        let name = &m.metric.name;
        if !self.cache.contains_key(name) {
            let all = self.src.series(name).map_err(EvalError::Source)?;
            self.cache.insert(name.clone(), all);
        }
        let matching: Vec<&SeriesInfo> = self.cache[name]
            .iter()
            .filter(|s| m.scope.matches(&s.key.tags))
            .collect();
        if matching.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<SeriesId> = matching.iter().map(|s| s.id).collect();
        let (modifier, method, fill) = modifiers(m);
        // Interpolation and fills at the window's edges need the neighbouring points: evaluate on a
        // grid widened by the fill limit on both sides, then crop.
        let margin_secs = fill.map_or(DEFAULT_FILL_LIMIT_SECS, |f| f.limit_secs);
        let margin = (margin_secs + grid.interval_secs - 1) / grid.interval_secs;
        let wide = Grid {
            start_secs: grid.start_secs - margin * grid.interval_secs,
            interval_secs: grid.interval_secs,
            len: grid.len + 2 * margin as usize,
        };
        let aggregation = |s: &SeriesInfo| TimeAggregation {
            kind: s.kind,
            modifier,
            method,
            sample_interval_secs: s.interval_secs,
        };
        // Each series' points become its line as they are read, and are dropped.
        let by_id: HashMap<SeriesId, &SeriesInfo> = matching.iter().map(|s| (s.id, *s)).collect();
        let mut lines: HashMap<SeriesId, Line> = HashMap::with_capacity(matching.len());
        self.src
            .each_series(
                &ids,
                wide.start_secs,
                wide.end_secs() - 1,
                &mut |id, points| {
                    if let Some(s) = by_id.get(&id) {
                        lines.insert(id, aggregation(s).apply(points, wide));
                    }
                },
            )
            .map_err(EvalError::Source)?;

        let keys: Vec<&str> = m.group_keys().collect();
        let mut groups: BTreeMap<Vec<String>, (Vec<Line>, MetricType)> = BTreeMap::new();
        for s in &matching {
            let line = lines
                .remove(&s.id)
                .unwrap_or_else(|| aggregation(s).apply(&[], wide));
            for tags in group_tags(&keys, s) {
                let entry = groups.entry(tags).or_insert_with(|| (Vec::new(), s.kind));
                entry.0.push(line.clone());
            }
        }
        let agg = space_agg(m.space_aggregator());
        Ok(groups
            .into_iter()
            .map(|(tags, (lines, kind))| {
                // `.as_count()`/`.as_rate()` disable interpolation (Datadog's type-modifier rule).
                let align = match (modifier, fill) {
                    (Some(_), None) => Align::Zero,
                    _ => Align::for_series(kind, fill),
                };
                Grouped {
                    tags,
                    line: series::space_aggregate(wide, &lines, agg, align).on_grid(grid),
                }
            })
            .collect())
    }
}

/// The `by` groups a series belongs to: one per combination of its values of the keys, `key:N/A`
/// for a key it lacks.
fn group_tags(keys: &[&str], s: &SeriesInfo) -> Vec<Vec<String>> {
    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
    for key in keys {
        let mut values: Vec<&str> = s.key.tags.values_of(key).collect();
        values.sort_unstable();
        values.dedup();
        if values.is_empty() {
            values.push("N/A");
        }
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push(format!("{key}:{v}"));
                    c
                })
            })
            .collect();
    }
    for c in &mut combos {
        crate::sort::sort(c);
        c.dedup();
    }
    combos
}

fn modifiers(m: &MetricQuery) -> (Option<TypeModifier>, Option<RollupMethod>, Option<Fill>) {
    let mut out = (None, None, None);
    for modifier in &m.modifiers {
        match modifier.kind {
            ModifierKind::AsCount => out.0 = Some(TypeModifier::AsCount),
            ModifierKind::AsRate => out.0 = Some(TypeModifier::AsRate),
            ModifierKind::Rollup { method, .. } => out.1 = Some(rollup_method(method)),
            ModifierKind::Fill { mode, limit_secs } => {
                out.2 = Some(Fill::new(fill_mode(mode), limit_secs))
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn to_wire(
    expr: &Expr,
    first: Option<&MetricQuery>,
    index: usize,
    g: &Grouped,
    band: Option<&wire::Band>,
    interval_secs: i64,
    from_secs: i64,
    to_secs: i64,
) -> QuerySeries {
    // Buckets without a value are left out, and the band's entries with them.
    let keep: Vec<bool> = g.line.values.iter().map(Option::is_some).collect();
    let pointlist: Vec<(i64, Option<f64>)> = g
        .line
        .pointlist_ms()
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(p, _)| p)
        .collect();
    let band = band.map(|b| wire::Band {
        algorithm: b.algorithm.clone(),
        bounds: b.bounds,
        upper: b
            .upper
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p)
            .collect(),
        lower: b
            .lower
            .iter()
            .zip(&keep)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p)
            .collect(),
    });
    let (metric, aggr, expression, scope) = match (&expr.kind, first) {
        (ExprKind::Metric(m), _) => {
            let narrowed = narrow(m, &g.tags);
            let scope = narrowed.scope.to_string();
            (
                m.metric.name.clone(),
                Some(m.space_aggregator().as_str().to_owned()),
                narrowed.to_string(),
                scope,
            )
        }
        (_, Some(m)) => {
            let scope = if g.tags.is_empty() {
                m.scope.to_string()
            } else {
                g.tags.join(",")
            };
            (
                m.metric.name.clone(),
                Some(m.space_aggregator().as_str().to_owned()),
                expr.to_string(),
                scope,
            )
        }
        (_, None) => (String::new(), None, expr.to_string(), "*".to_owned()),
    };
    QuerySeries {
        display_name: if matches!(expr.kind, ExprKind::Metric(_)) {
            metric.clone()
        } else {
            expr.to_string()
        },
        metric,
        expression,
        scope,
        tag_set: g.tags.clone(),
        aggr,
        interval: interval_secs,
        length: pointlist.len(),
        query_index: index,
        start: pointlist.first().map_or(from_secs * 1000, |p| p.0),
        end: pointlist.last().map_or(to_secs * 1000, |p| p.0),
        pointlist,
        attributes: Default::default(),
        unit: None,
        band,
    }
}

/// The metric query with the group's tags added to its scope: Datadog's per-group `expression`.
fn narrow(m: &MetricQuery, tags: &[String]) -> MetricQuery {
    let mut narrowed = m.clone();
    for tag in tags {
        let (key, value) = tag
            .split_once(':')
            .map_or((tag.as_str(), None), |(k, v)| (k, Some(v)));
        let already = narrowed
            .scope
            .items
            .iter()
            .any(|f| !f.negated && f.key == key && f.value.as_deref() == value);
        if !already {
            narrowed.scope.items.push(query::TagFilter {
                negated: false,
                key: key.to_owned(),
                value: value.map(str::to_owned),
                span: m.scope.span,
            });
        }
    }
    narrowed
}

fn group_label(tags: &[String]) -> String {
    if tags.is_empty() {
        "the query".to_owned()
    } else {
        tags.join(",")
    }
}

fn algorithm_name(a: AnomalyAlgorithm) -> &'static str {
    match a {
        AnomalyAlgorithm::Basic => "basic",
        AnomalyAlgorithm::Agile(_) => "agile",
        AnomalyAlgorithm::Robust(_) => "robust",
    }
}

fn binary_op(op: query::BinOp) -> BinaryOp {
    match op {
        query::BinOp::Add => BinaryOp::Add,
        query::BinOp::Sub => BinaryOp::Sub,
        query::BinOp::Mul => BinaryOp::Mul,
        query::BinOp::Div => BinaryOp::Div,
    }
}

fn space_agg(a: query::SpaceAggregator) -> SpaceAgg {
    match a {
        query::SpaceAggregator::Avg => SpaceAgg::Avg,
        query::SpaceAggregator::Sum => SpaceAgg::Sum,
        query::SpaceAggregator::Min => SpaceAgg::Min,
        query::SpaceAggregator::Max => SpaceAgg::Max,
    }
}

fn rollup_method(m: query::RollupMethod) -> RollupMethod {
    match m {
        query::RollupMethod::Avg => RollupMethod::Avg,
        query::RollupMethod::Sum => RollupMethod::Sum,
        query::RollupMethod::Min => RollupMethod::Min,
        query::RollupMethod::Max => RollupMethod::Max,
        query::RollupMethod::Count => RollupMethod::Count,
    }
}

fn fill_mode(m: query::FillMode) -> FillMode {
    match m {
        query::FillMode::Null => FillMode::Null,
        query::FillMode::Zero => FillMode::Zero,
        query::FillMode::Linear => FillMode::Linear,
        query::FillMode::Last => FillMode::Last,
    }
}

/// What a one-argument function does: move the query in time, or transform its values.
enum Unary {
    Shift(Shift),
    Apply(series::UnaryFunc),
}

fn unary(f: query::UnaryFunc) -> Unary {
    use series::UnaryFunc as K;
    match f {
        query::UnaryFunc::Abs => Unary::Apply(K::Abs),
        query::UnaryFunc::Log2 => Unary::Apply(K::Log2),
        query::UnaryFunc::Log10 => Unary::Apply(K::Log10),
        query::UnaryFunc::Cumsum => Unary::Apply(K::Cumsum),
        query::UnaryFunc::Integral => Unary::Apply(K::Integral),
        query::UnaryFunc::PerSecond => Unary::Apply(K::PerSecond),
        query::UnaryFunc::PerMinute => Unary::Apply(K::PerMinute),
        query::UnaryFunc::PerHour => Unary::Apply(K::PerHour),
        query::UnaryFunc::Diff => Unary::Apply(K::Diff),
        query::UnaryFunc::Derivative => Unary::Apply(K::Derivative),
        query::UnaryFunc::HourBefore => Unary::Shift(Shift::HourBefore),
        query::UnaryFunc::DayBefore => Unary::Shift(Shift::DayBefore),
        query::UnaryFunc::WeekBefore => Unary::Shift(Shift::WeekBefore),
        query::UnaryFunc::MonthBefore => Unary::Shift(Shift::MonthBefore),
    }
}

fn top_rank(r: query::TopRank) -> series::TopRank {
    use series::TopRank as K;
    match r {
        query::TopRank::Max => K::Max,
        query::TopRank::Min => K::Min,
        query::TopRank::Last => K::Last,
        query::TopRank::Mean => K::Mean,
        query::TopRank::Sum => K::Sum,
        query::TopRank::Area => K::Area,
        query::TopRank::Norm => K::Norm,
        query::TopRank::L2norm => K::L2Norm,
    }
}

fn order_of(o: query::Order) -> series::Order {
    match o {
        query::Order::Asc => series::Order::Asc,
        query::Order::Desc => series::Order::Desc,
    }
}

#[cfg(test)]
mod tests;
