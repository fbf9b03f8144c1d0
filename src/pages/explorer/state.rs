//! The explorer's view as plain data: what the URL holds, the query text built from the fields, and
//! which of loading / error / empty / graph the panel shows. No signals, so it is tested natively.

use std::fmt;
use std::sync::Arc;

use dogwatch_core::timeframe::{TimeRange, Timeframe};
use dogwatch_core::wire::QueryResponse;

use crate::api::{ApiError, Load};

/// How the series of one group are combined (the query's leading `avg:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Aggregator {
    #[default]
    Avg,
    Sum,
    Min,
    Max,
}

impl Aggregator {
    pub const ALL: [Aggregator; 4] = [
        Aggregator::Avg,
        Aggregator::Sum,
        Aggregator::Min,
        Aggregator::Max,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Aggregator::Avg => "avg",
            Aggregator::Sum => "sum",
            Aggregator::Min => "min",
            Aggregator::Max => "max",
        }
    }

    pub fn from_code(code: &str) -> Option<Aggregator> {
        Aggregator::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// Everything a link to the explorer carries: `?metric=…&agg=…&scope=…&by=…&span=…&live=…` for the
/// builder, or `?q=<query text>&span=…` when the query is typed by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExplorerState {
    pub metric: String,
    pub agg: Aggregator,
    /// `tag:value` filters, in the order typed.
    pub scope: Vec<String>,
    /// Tag keys to group by.
    pub by: Vec<String>,
    pub timeframe: Timeframe,
    /// The query typed in the editor (`Some`, even empty, in query mode); the builder fields are kept
    /// beside it so that going back to the builder finds them again.
    pub code: Option<String>,
}

impl ExplorerState {
    /// Reads the URL's query parameters; anything missing or unreadable takes its default.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ExplorerState {
        ExplorerState {
            metric: get("metric")
                .map(|m| m.trim().to_owned())
                .unwrap_or_default(),
            agg: get("agg")
                .and_then(|a| Aggregator::from_code(a.trim()))
                .unwrap_or_default(),
            scope: get("scope").map(|s| split_list(&s)).unwrap_or_default(),
            by: get("by").map(|s| split_list(&s)).unwrap_or_default(),
            timeframe: Timeframe::from_params(
                get("span").as_deref(),
                get("live").as_deref(),
                get("from_ts").as_deref(),
                get("to_ts").as_deref(),
            ),
            code: get("q").map(|q| q.trim().to_owned()),
        }
    }

    /// Whether the query is typed by hand rather than built from the fields.
    pub fn is_code(&self) -> bool {
        self.code.is_some()
    }

    /// Switches to query mode, starting from the query the fields make.
    pub fn switch_to_code(&mut self) {
        if self.code.is_none() {
            self.code = Some(self.builder_text().unwrap_or_default());
        }
    }

    /// Switches to the builder. A typed query the fields can express fills them; anything else
    /// (functions, arithmetic, several queries) leaves the fields as they were.
    pub fn switch_to_builder(&mut self) {
        if let Some(code) = self.code.take()
            && let Some(fields) = Fields::parse(&code)
        {
            self.agg = fields.agg;
            self.metric = fields.metric;
            self.scope = fields.scope;
            self.by = fields.by;
        }
    }

    /// The URL query string (without `?`) that [`ExplorerState::from_params`] reads back.
    pub fn to_search(&self) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(code) = &self.code {
            params.push(("q", code.clone()));
        }
        if self.code.is_none() || !self.metric.is_empty() {
            params.extend([
                ("metric", self.metric.clone()),
                ("agg", self.agg.code().to_owned()),
                ("scope", self.scope.join(",")),
                ("by", self.by.join(",")),
            ]);
        }
        params.extend(self.timeframe.to_params());
        params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `my_metric{host:ubuntu}` (or the typed query): what the graph shows, for titles and messages.
    pub fn subject(&self) -> String {
        if let Some(code) = &self.code {
            code.clone()
        } else if self.scope.is_empty() {
            self.metric.clone()
        } else {
            format!("{}{{{}}}", self.metric, self.scope.join(","))
        }
    }

    /// The query sent to the API: the typed one, or the fields' (e.g. `avg:my_metric{host:ubuntu} by
    /// {host}`); `None` until there is one.
    pub fn query_text(&self) -> Option<String> {
        match &self.code {
            Some(code) => Some(code.trim().to_owned()).filter(|c| !c.is_empty()),
            None => self.builder_text(),
        }
    }

    /// The query the builder fields make; `None` until a metric is chosen.
    pub fn builder_text(&self) -> Option<String> {
        if self.metric.is_empty() {
            return None;
        }
        let scope = if self.scope.is_empty() {
            "*".to_owned()
        } else {
            self.scope.join(",")
        };
        let mut q = format!("{}:{}{{{scope}}}", self.agg.code(), self.metric);
        if !self.by.is_empty() {
            q.push_str(&format!(" by {{{}}}", self.by.join(",")));
        }
        Some(q)
    }
}

/// The builder's fields, read back from a typed query of the form `agg:metric{scope}[ by {keys}]`.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    agg: Aggregator,
    metric: String,
    scope: Vec<String>,
    by: Vec<String>,
}

impl Fields {
    /// `None` for anything the fields cannot express. A plain string match rather than the parser:
    /// only this one shape matters, and it must not change with the parser's tree.
    fn parse(text: &str) -> Option<Fields> {
        let (agg, rest) = text.trim().split_once(':')?;
        let agg = Aggregator::from_code(agg.trim())?;
        let (metric, rest) = rest.split_once('{')?;
        let metric = metric.trim();
        let name_ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        if metric.is_empty() || !metric.chars().all(name_ok) {
            return None;
        }
        let (scope, rest) = rest.split_once('}')?;
        let plain = |list: &str| !list.contains(['{', '}', '(', ')', '\'', '"']);
        let scope = match scope.trim() {
            "*" => Vec::new(),
            s if plain(s) => split_list(s),
            _ => return None,
        };
        let rest = rest.trim();
        let by = if rest.is_empty() {
            Vec::new()
        } else {
            let keys = rest
                .strip_prefix("by")?
                .trim()
                .strip_prefix('{')?
                .strip_suffix('}')?;
            if !plain(keys) {
                return None;
            }
            split_list(keys)
        };
        Some(Fields {
            agg,
            metric: metric.to_owned(),
            scope,
            by,
        })
    }
}

/// `"host:ubuntu, env:test,"` → `["host:ubuntu", "env:test"]`.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Percent-encodes a query-string value, leaving the characters that read well in a link (`:`, `,`,
/// `/`, `(`, `)` are common in queries) as they are. `+` is encoded, since forms read it as a space.
pub fn encode_query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// What a query value keeps as it is: unreserved characters and the sub-delimiters a query reads
/// better with (`avg:cpu{host:a,b}` keeps its colons and commas in the address bar).
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b',')
    .remove(b'/')
    .remove(b'@')
    .remove(b'!')
    .remove(b'*')
    .remove(b'(')
    .remove(b')');

/// One request of the explorer: the query, the timeframe it was asked for and the window it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryKey {
    pub text: String,
    pub timeframe: Timeframe,
    pub range: TimeRange,
}

impl QueryKey {
    /// Same query and timeframe: an answer for `other` may stand in for this one while it loads (a live
    /// refresh only moves the window).
    pub fn same_view(&self, other: &QueryKey) -> bool {
        self.text == other.text && self.timeframe == other.timeframe
    }
}

/// What the graph panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    /// No metric chosen yet.
    Idle,
    /// Waiting for the first answer of this view.
    Loading,
    /// The API refused the query; the message goes under the inputs.
    BadQuery(String),
    /// Anything else that went wrong, in words.
    Failed(String),
    /// The answer has no series.
    Empty,
    /// Something to draw. `stale_error` is set when a refresh failed and older data is shown.
    Graph {
        data: Arc<QueryResponse>,
        range: TimeRange,
        stale_error: Option<String>,
    },
}

/// Chooses the panel for the current request `key` from what has loaded so far.
pub fn panel(load: &Load<QueryKey, Arc<QueryResponse>>, key: Option<&QueryKey>) -> Panel {
    let Some(key) = key else { return Panel::Idle };
    let error = load
        .error
        .as_ref()
        .filter(|(k, _)| k.same_view(key))
        .map(|(_, e)| e);
    let shown = load.value.as_ref().filter(|(k, _)| k.same_view(key));
    match (shown, error) {
        (_, Some(e)) if e.is_bad_request() => Panel::BadQuery(e.to_string()),
        (Some((k, data)), error) if !data.series.is_empty() => Panel::Graph {
            data: data.clone(),
            range: k.range,
            stale_error: error.map(ApiError::to_string),
        },
        (Some(_), None) => Panel::Empty,
        (_, Some(e)) => Panel::Failed(e.to_string()),
        (None, None) => Panel::Loading,
    }
}

/// The empty state's sentence, e.g. "No data for my_metric{host:ubuntu} in the past 5 minutes".
pub struct NoData<'a> {
    pub state: &'a ExplorerState,
    /// The paused window in words ("Nov 21, 10:00 – 10:05"), when paused.
    pub window: Option<String>,
}

impl fmt::Display for NoData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "No data for {} ", self.state.subject())?;
        match &self.window {
            Some(window) => write!(f, "between {window}"),
            None => write!(f, "in {}", self.state.timeframe.span().phrase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dogwatch_core::timeframe::Span;
    fn state_from(search: &str) -> ExplorerState {
        let search = search.strip_prefix('?').unwrap_or(search);
        let pairs: Vec<(String, String)> = form_urlencoded::parse(search.as_bytes())
            .into_owned()
            .collect();
        ExplorerState::from_params(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn builds_the_query_text_from_the_fields() {
        let mut s = ExplorerState {
            metric: "my_metric".into(),
            ..Default::default()
        };
        assert_eq!(s.query_text().as_deref(), Some("avg:my_metric{*}"));
        s.scope = split_list(" host:ubuntu , env:test,");
        s.by = split_list("host");
        s.agg = Aggregator::Max;
        assert_eq!(
            s.query_text().as_deref(),
            Some("max:my_metric{host:ubuntu,env:test} by {host}")
        );
        assert_eq!(s.subject(), "my_metric{host:ubuntu,env:test}");
        assert_eq!(ExplorerState::default().query_text(), None);
    }

    #[test]
    fn the_url_round_trips() {
        let s = ExplorerState {
            metric: "my_metric".into(),
            agg: Aggregator::Sum,
            scope: vec!["host:ubuntu".into(), "team:a&b c+d".into()],
            by: vec!["host".into()],
            timeframe: Timeframe::Live(Span::Past5Minutes),
            code: None,
        };
        let search = s.to_search();
        assert_eq!(
            search,
            "metric=my_metric&agg=sum&scope=host:ubuntu,team:a%26b%20c%2Bd&by=host&span=5m&live=true"
        );
        assert_eq!(state_from(&search), s);
        let paused = ExplorerState {
            timeframe: s.timeframe.pause(1_700_000_000_000),
            ..s
        };
        assert!(
            paused
                .to_search()
                .ends_with("&live=false&from_ts=1699999700000&to_ts=1700000000000")
        );
        assert_eq!(state_from(&paused.to_search()), paused);
    }

    #[test]
    fn a_typed_query_lives_in_q() {
        let q = "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)";
        let s = ExplorerState {
            code: Some(q.into()),
            timeframe: Timeframe::Live(Span::Past4Hours),
            ..Default::default()
        };
        let search = s.to_search();
        assert_eq!(
            search,
            "q=anomalies(avg:mysql.performance.cpu_time%7Bhost:ubuntu%7D,%20%27basic%27,%202)&span=4h&live=true"
        );
        assert_eq!(state_from(&search), s);
        assert_eq!(s.query_text().as_deref(), Some(q));
        assert_eq!(s.subject(), q);
        // An empty editor is still query mode, with nothing to ask for.
        let empty = state_from("q=&span=1h");
        assert!(empty.is_code());
        assert_eq!(empty.query_text(), None);
        // The builder's fields ride along, so the builder finds them again.
        let both = ExplorerState {
            metric: "my_metric".into(),
            ..s
        };
        assert!(both.to_search().starts_with("q=anomalies("));
        assert_eq!(state_from(&both.to_search()), both);
    }

    #[test]
    fn switching_modes_carries_the_query_across() {
        let mut s = state_from("metric=my_metric&agg=sum&scope=host:ubuntu&by=env");
        s.switch_to_code();
        assert_eq!(
            s.code.as_deref(),
            Some("sum:my_metric{host:ubuntu} by {env}")
        );
        s.code = Some("max:system.load.1{*} by {host,env}".into());
        s.switch_to_builder();
        assert_eq!(s.code, None);
        assert_eq!(
            (s.agg, s.metric.as_str(), s.scope.clone(), s.by.clone()),
            (
                Aggregator::Max,
                "system.load.1",
                vec![],
                vec!["host".to_owned(), "env".to_owned()]
            )
        );
        // What the fields cannot say leaves them as they were.
        for text in [
            "anomalies(avg:m{*}, 'basic', 2)",
            "avg:m{*}.rollup(sum, 60)",
            "avg:a{*}, avg:b{*}",
            "avg:a{*} + avg:b{*}",
            "m{*}",
            "",
        ] {
            let mut t = s.clone();
            t.code = Some(text.into());
            t.switch_to_builder();
            assert_eq!(
                (t.metric.as_str(), t.agg),
                ("system.load.1", Aggregator::Max),
                "{text}"
            );
        }
        let mut t = state_from("");
        t.switch_to_code();
        assert_eq!(t.code.as_deref(), Some(""));
    }

    #[test]
    fn a_bare_url_opens_an_empty_explorer() {
        let s = state_from("");
        assert_eq!(s, ExplorerState::default());
        assert_eq!(state_from("agg=median&span=2y").agg, Aggregator::Avg);
    }

    #[test]
    fn the_empty_state_says_what_and_when() {
        let s = state_from("metric=my_metric&scope=host:ubuntu&span=5m");
        assert_eq!(
            NoData {
                state: &s,
                window: None
            }
            .to_string(),
            "No data for my_metric{host:ubuntu} in the past 5 minutes"
        );
        let w = Some("Nov 21, 10:00 – 10:05".to_owned());
        assert_eq!(
            NoData {
                state: &s,
                window: w
            }
            .to_string(),
            "No data for my_metric{host:ubuntu} between Nov 21, 10:00 – 10:05"
        );
    }

    fn key(text: &str, now_ms: i64) -> QueryKey {
        let timeframe = Timeframe::Live(Span::Past5Minutes);
        QueryKey {
            text: text.into(),
            timeframe,
            range: timeframe.range(now_ms),
        }
    }

    fn response(series: usize) -> Arc<QueryResponse> {
        let one = dogwatch_core::wire::QuerySeries {
            metric: "m".into(),
            display_name: "m".into(),
            expression: "avg:m{*}".into(),
            scope: "*".into(),
            tag_set: vec![],
            aggr: Some("avg".into()),
            interval: 10,
            length: 1,
            query_index: 0,
            start: 0,
            end: 0,
            pointlist: vec![(0, Some(1.0))],
            attributes: Default::default(),
            unit: None,
            band: None,
        };
        Arc::new(QueryResponse {
            status: "ok".into(),
            res_type: "time_series".into(),
            resp_version: 1,
            query: "avg:m{*}".into(),
            from_date: 0,
            to_date: 0,
            group_by: vec![],
            message: String::new(),
            series: vec![one; series],
            times: vec![],
            values: vec![],
        })
    }

    #[test]
    fn a_live_refresh_keeps_the_graph_and_a_new_query_shows_loading() {
        let mut load = Load::default();
        assert_eq!(panel(&load, None), Panel::Idle);
        assert_eq!(panel(&load, Some(&key("q", 0))), Panel::Loading);
        load.value = Some((key("q", 0), response(2)));
        // The window moved on (a refresh): the old answer still shows.
        assert!(matches!(
            panel(&load, Some(&key("q", 10_000))),
            Panel::Graph { .. }
        ));
        // A different query: its own loading state, not the old graph.
        assert_eq!(panel(&load, Some(&key("other", 10_000))), Panel::Loading);
        load.value = Some((key("q", 0), response(0)));
        assert_eq!(panel(&load, Some(&key("q", 0))), Panel::Empty);
    }

    #[test]
    fn errors_say_what_went_wrong() {
        let mut load: Load<QueryKey, Arc<QueryResponse>> = Load {
            error: Some((
                key("q", 0),
                ApiError::Rejected {
                    status: 400,
                    message: "unexpected '}' at column 9".into(),
                },
            )),
            ..Load::default()
        };
        assert_eq!(
            panel(&load, Some(&key("q", 0))),
            Panel::BadQuery("unexpected '}' at column 9".into())
        );
        let down = ApiError::Unreachable {
            origin: "http://127.0.0.1:9".into(),
            reason: "Failed to fetch".into(),
        };
        load.error = Some((key("q", 0), down));
        assert_eq!(
            panel(&load, Some(&key("q", 0))),
            Panel::Failed(
                "dogwatch API not reachable at http://127.0.0.1:9: Failed to fetch".into()
            )
        );
        // A refresh that fails while a graph is up keeps the graph and says so.
        load.value = Some((key("q", 0), response(1)));
        match panel(&load, Some(&key("q", 10_000))) {
            Panel::Graph {
                stale_error: Some(e),
                ..
            } => assert!(e.starts_with("dogwatch API not reachable")),
            other => panic!("expected a graph with a warning, got {other:?}"),
        }
    }
}
