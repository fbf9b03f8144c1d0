//! What an APM page's URL holds (the timeframe and the filters), the API parameters it makes, and
//! the numbers of the pages in words. Plain data and functions, tested natively.

use dogwatch_core::timeframe::{TimeRange, Timeframe};
use dogwatch_core::wire::{LatencyStats, QueryResponse, QuerySeries, StatsBucket};

use crate::api::Params;
use crate::pages::explorer::state::encode_query_value;

/// Everything the APM pages keep in their address: `?span=…&live=…[&env=][&apdex_t=][&service=]
/// [&resource=][&status=][&min_ms=][&max_ms=][&tags=][&sort=]`. Pages read the members they use;
/// links between them carry the rest along.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApmState {
    pub timeframe: Timeframe,
    pub env: String,
    /// Apdex's T in seconds, as typed (empty: the server's 0.5).
    pub apdex_t: String,
    pub service: String,
    pub resource: String,
    /// `ok`, `error` or empty (both).
    pub status: String,
    pub min_ms: String,
    pub max_ms: String,
    /// `key:value` filters, comma separated, `*` as a wildcard.
    pub tags: String,
    /// The resources table's order: a column's code, `-` first for descending.
    pub sort: String,
    /// The resource page's version (the tracer's `version` tag; empty: every version).
    pub version: String,
    /// Another version to compare it with, side by side.
    pub compare: String,
}

impl ApmState {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ApmState {
        let text = |k: &str| get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
        ApmState {
            timeframe: Timeframe::from_params(
                get("span").as_deref(),
                get("live").as_deref(),
                get("from_ts").as_deref(),
                get("to_ts").as_deref(),
            ),
            env: text("env"),
            apdex_t: text("apdex_t"),
            service: text("service"),
            resource: get("resource").unwrap_or_default(),
            status: match text("status").as_str() {
                s @ ("ok" | "error") => s.to_owned(),
                _ => String::new(),
            },
            min_ms: text("min_ms"),
            max_ms: text("max_ms"),
            tags: text("tags"),
            sort: text("sort"),
            version: text("version"),
            compare: text("compare"),
        }
    }

    /// The query string (without `?`) that [`ApmState::from_params`] reads back; empty members left out.
    pub fn to_search(&self) -> String {
        let mut params = self.timeframe.to_params();
        for (k, v) in [
            ("env", &self.env),
            ("apdex_t", &self.apdex_t),
            ("service", &self.service),
            ("resource", &self.resource),
            ("status", &self.status),
            ("min_ms", &self.min_ms),
            ("max_ms", &self.max_ms),
            ("tags", &self.tags),
            ("sort", &self.sort),
            ("version", &self.version),
            ("compare", &self.compare),
        ] {
            if !v.is_empty() {
                params.push((k, v.clone()));
            }
        }
        params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `from` and `to` in seconds, and the env filter.
    fn window(&self, range: TimeRange) -> Params {
        let (from, to) = range.to_secs();
        let mut p = vec![("from", from.to_string()), ("to", to.to_string())];
        if !self.env.is_empty() {
            p.push(("env", self.env.clone()));
        }
        p
    }

    /// The services list's and a service page's parameters.
    pub fn service_params(&self, range: TimeRange) -> Params {
        let mut p = self.window(range);
        if let Some(t) = self.apdex_secs() {
            p.push(("apdex_t", t.to_string()));
        }
        p
    }

    /// The resource page's.
    pub fn resource_params(&self, range: TimeRange) -> Params {
        self.resource_version(range, &self.version)
    }

    /// The resource page's for the version it is compared with.
    pub fn compare_params(&self, range: TimeRange) -> Params {
        self.resource_version(range, &self.compare)
    }

    fn resource_version(&self, range: TimeRange, version: &str) -> Params {
        let mut p = self.window(range);
        p.push(("service", self.service.clone()));
        p.push(("resource", self.resource.clone()));
        if !version.is_empty() {
            p.push(("version", version.to_owned()));
        }
        p
    }

    /// The trace search's.
    pub fn search_params(&self, range: TimeRange) -> Params {
        let (from, to) = range.to_secs();
        let mut p = vec![("from", from.to_string()), ("to", to.to_string())];
        for (k, v) in [
            ("service", &self.service),
            ("resource", &self.resource),
            ("status", &self.status),
            ("min_ms", &self.min_ms),
            ("max_ms", &self.max_ms),
            ("tags", &self.tags),
        ] {
            if !v.is_empty() {
                p.push((k, v.clone()));
            }
        }
        p.push(("limit", "500".to_owned()));
        p
    }

    /// Apdex's T when it is a positive number of seconds.
    pub fn apdex_secs(&self) -> Option<f64> {
        self.apdex_t
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0)
    }

    /// What is wrong with the filters as typed, in words, if anything.
    pub fn problem(&self) -> Option<String> {
        if !self.apdex_t.is_empty() && self.apdex_secs().is_none() {
            return Some(format!(
                "Apdex T must be a positive number of seconds, not “{}”.",
                self.apdex_t
            ));
        }
        for (name, v) in [("Minimum", &self.min_ms), ("Maximum", &self.max_ms)] {
            if !v.is_empty() && v.parse::<f64>().map_or(true, |x| !x.is_finite() || x < 0.0) {
                return Some(format!(
                    "{name} duration must be a number of milliseconds, not “{v}”."
                ));
            }
        }
        None
    }
}

/// A path segment (a service's name, a trace's id) with everything but unreserved characters
/// percent-encoded: a `/` or `?` in a service's name stays inside its segment.
pub fn path_segment(v: &str) -> String {
    const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(v, UNRESERVED).to_string()
}

/// A share (0..=1) as a percentage: `12.5 %`, `0.03 %`, `0 %`.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p == 0.0 {
        return "0 %".to_owned();
    }
    let text = if p < 0.1 {
        format!("{p:.2}")
    } else {
        format!("{p:.1}")
    };
    format!("{} %", text.strip_suffix(".0").unwrap_or(&text))
}

/// Requests per second: `0.25/s`, `12.4/s`, `1.2K/s`, `< 0.01/s`.
pub fn per_second(rate: f64) -> String {
    if rate > 0.0 && rate < 0.005 {
        // Rounded to two decimals it would read as none at all.
        return "< 0.01/s".to_owned();
    }
    format!("{}/s", dogwatch_chart::format_value(rate))
}

/// What a graph shows of a bucket (`None`: no point).
pub type BucketValue = fn(&LatencyStats) -> Option<f64>;

/// A graph's answer made from time buckets: one series per `(name, value)` pair, its points the
/// buckets' values, so that the `Timeseries` component draws them like any query's.
pub fn bucket_graph(
    buckets: &[StatsBucket],
    interval_ms: i64,
    range: TimeRange,
    series: &[(&str, BucketValue)],
) -> QueryResponse {
    QueryResponse {
        status: "ok".to_owned(),
        res_type: "time_series".to_owned(),
        from_date: range.from_ms,
        to_date: range.to_ms,
        series: series
            .iter()
            .enumerate()
            .map(|(i, (name, value))| {
                // A bucket without a value is left out rather than drawn as a gap: the line goes
                // on from the bucket before, as Datadog's graphs join sparse points.
                let pointlist: Vec<(i64, Option<f64>)> = buckets
                    .iter()
                    .filter_map(|b| value(&b.stats).map(|v| (b.ts_ms, Some(v))))
                    .collect();
                QuerySeries {
                    metric: (*name).to_owned(),
                    display_name: (*name).to_owned(),
                    expression: (*name).to_owned(),
                    scope: "*".to_owned(),
                    interval: (interval_ms / 1000).max(1),
                    length: pointlist.len(),
                    query_index: i,
                    start: pointlist.first().map_or(range.from_ms, |p| p.0),
                    end: pointlist.last().map_or(range.to_ms, |p| p.0),
                    pointlist,
                    ..QuerySeries::default()
                }
            })
            .collect(),
        ..QueryResponse::default()
    }
}

/// Nanoseconds as milliseconds for a graph (a bucket without requests has no latency).
pub fn ms_of(stats: &LatencyStats, ns: i64) -> Option<f64> {
    (stats.hits > 0).then(|| ns as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dogwatch_core::timeframe::Span;

    fn read(search: &str) -> ApmState {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(search.as_bytes())
            .into_owned()
            .collect();
        ApmState::from_params(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_url_holds_the_filters_and_reads_back() {
        let state = ApmState {
            timeframe: Timeframe::Live(Span::DEFAULT),
            env: "prod".into(),
            service: "shop web".into(),
            resource: "GET /orders?x=1&y=2".into(),
            status: "error".into(),
            tags: "http.status_code:500,http.url:*orders*".into(),
            sort: "-p99".into(),
            version: "1.2".into(),
            compare: "1.3".into(),
            ..ApmState::default()
        };
        assert_eq!(read(&state.to_search()), state);
        // Unknown statuses are dropped.
        assert_eq!(read("status=maybe").status, "");
    }

    #[test]
    fn api_parameters_carry_only_what_is_set() {
        let range = TimeRange::new(10_000, 70_000).expect("a window");
        let state = read("env=prod&apdex_t=0.25&service=web&min_ms=5");
        assert_eq!(
            state.service_params(range),
            vec![
                ("from", "10".to_owned()),
                ("to", "70".to_owned()),
                ("env", "prod".to_owned()),
                ("apdex_t", "0.25".to_owned())
            ]
        );
        let search = state.search_params(range);
        assert!(search.contains(&("min_ms", "5".to_owned())));
        assert!(!search.iter().any(|(k, _)| *k == "max_ms"));
        let versions = read("service=web&resource=GET%20%2F&version=1.2&compare=1.3");
        assert!(
            versions
                .resource_params(range)
                .contains(&("version", "1.2".to_owned()))
        );
        assert!(
            versions
                .compare_params(range)
                .contains(&("version", "1.3".to_owned()))
        );
        assert!(
            !state
                .resource_params(range)
                .iter()
                .any(|(k, _)| *k == "version")
        );
        assert_eq!(
            read("apdex_t=zero").problem().map(|p| p.contains("Apdex")),
            Some(true)
        );
        assert_eq!(
            read("max_ms=-1").problem().map(|p| p.contains("Maximum")),
            Some(true)
        );
        assert_eq!(state.problem(), None);
    }

    #[test]
    fn numbers_in_words() {
        assert_eq!(percent(0.125), "12.5 %");
        assert_eq!(percent(0.5), "50 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.0003), "0.03 %");
        assert_eq!(per_second(0.25), "0.25/s");
        assert_eq!(per_second(0.001), "< 0.01/s");
        assert_eq!(per_second(0.0), "0/s");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn buckets_become_series() {
        let range = TimeRange::new(0, 20_000).expect("a window");
        let bucket = |ts_ms, hits| StatsBucket {
            ts_ms,
            stats: LatencyStats {
                hits,
                p50_ns: 2_000_000,
                ..LatencyStats::default()
            },
        };
        let answer = bucket_graph(
            &[bucket(0, 3), bucket(10_000, 0)],
            10_000,
            range,
            &[
                ("requests", |s| Some(s.hits as f64)),
                ("p50", |s| ms_of(s, s.p50_ns)),
            ],
        );
        assert_eq!(
            answer.series[0].pointlist,
            vec![(0, Some(3.0)), (10_000, Some(0.0))]
        );
        // The bucket without requests has no latency: no point, the line joins over it.
        assert_eq!(answer.series[1].pointlist, vec![(0, Some(2.0))]);
        assert_eq!(answer.series[1].query_index, 1);
    }
}
