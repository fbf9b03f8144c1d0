//! The syntax tree of a query. Every node carries the span of the text it came from; `Display` prints
//! the canonical text and [`Query::sexp`] a readable tree for tests and debugging.

use std::fmt;

use super::Span;

/// The longest metric name the intake stores (see `model::normalize_metric_name`), so no longer name
/// can match anything.
pub const MAX_METRIC_NAME_LEN: usize = 200;

/// How the series of one group are combined into one line, per time bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum SpaceAggregator {
    /// Datadog's default when a query names none.
    #[default]
    Avg,
    Sum,
    Min,
    Max,
}

impl SpaceAggregator {
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceAggregator::Avg => "avg",
            SpaceAggregator::Sum => "sum",
            SpaceAggregator::Min => "min",
            SpaceAggregator::Max => "max",
        }
    }

    /// The aggregator written as `name` (lower case, as Datadog spells them).
    pub fn parse(name: &str) -> Option<SpaceAggregator> {
        match name {
            "avg" => Some(SpaceAggregator::Avg),
            "sum" => Some(SpaceAggregator::Sum),
            "min" => Some(SpaceAggregator::Min),
            "max" => Some(SpaceAggregator::Max),
            _ => None,
        }
    }
}

impl fmt::Display for SpaceAggregator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One metric query: `avg:system.cpu.user{env:prod} by {host}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The written `avg:` prefix; `None` when the query has none. [`Query::space_aggregator`] gives the
    /// one that applies either way.
    pub aggregator: Option<Aggregator>,
    pub metric: Metric,
    pub scope: Scope,
    pub group_by: Option<GroupBy>,
    pub span: Span,
}

impl Query {
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

    /// The tree as an S-expression, e.g. `(query avg my_metric (scope (tag host ubuntu)) (by host))`.
    ///
    /// It shows the aggregator that applies whether or not it was written, and leaves out spans, so two
    /// queries that mean the same have the same S-expression.
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
            out.push_str(" (tag ");
            out.push_str(&tag.key);
            if let Some(value) = &tag.value {
                out.push(' ');
                out.push_str(value);
            }
            out.push(')');
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
        out.push(')');
        out
    }
}

/// Prints the canonical text: the aggregator always written, no spaces inside braces, tags lower-cased.
/// It parses back to the same tree (spans aside).
impl fmt::Display for Query {
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

/// One item of a scope: `key:value` (this exact tag) or a bare `key` (any tag with this key, or the
/// bare tag itself). Lower-cased like stored tags, so `Host:Ubuntu` finds `host:ubuntu`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFilter {
    pub key: String,
    /// Everything after the first `:`, so `a:b:c` has the value `b:c`.
    pub value: Option<String>,
    pub span: Span,
}

impl fmt::Display for TagFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}:{value}", self.key),
            None => f.write_str(&self.key),
        }
    }
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
