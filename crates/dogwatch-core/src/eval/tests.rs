//! Evaluator tests: query text in, Datadog response out, over an in-memory store, with expectations
//! computed by hand in the comments.

use std::convert::Infallible;

use super::*;
use crate::model::TagSet;

/// 2023-11-14T22:13:20Z: a multiple of 20 s (the 1 h buckets), not of 60 s.
const T0: i64 = 1_700_000_000;
/// 2023-11-14T22:00:00Z, a whole hour.
const H0: i64 = 1_699_999_200;

#[derive(Default)]
struct Memory {
    series: Vec<SeriesInfo>,
    points: Vec<(SeriesId, i64, f64)>,
}

impl Memory {
    fn gauge(self, id: SeriesId, metric: &str, tags: &[&str]) -> Memory {
        self.typed(id, metric, tags, MetricType::Gauge, None)
    }

    fn typed(
        mut self,
        id: SeriesId,
        metric: &str,
        tags: &[&str],
        kind: MetricType,
        interval_secs: Option<i64>,
    ) -> Memory {
        let key = SeriesKey {
            metric: metric.to_owned(),
            tags: TagSet::from_tags(tags),
        };
        self.series.push(SeriesInfo {
            id,
            key,
            kind,
            interval_secs,
        });
        self
    }

    fn point(mut self, id: SeriesId, ts: i64, value: f64) -> Memory {
        self.points.push((id, ts, value));
        self
    }

    fn points(mut self, id: SeriesId, pts: impl IntoIterator<Item = (i64, f64)>) -> Memory {
        self.points
            .extend(pts.into_iter().map(|(ts, v)| (id, ts, v)));
        self
    }
}

impl SeriesSource for Memory {
    type Error = Infallible;

    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Infallible> {
        Ok(self
            .series
            .iter()
            .filter(|s| s.key.metric == metric)
            .cloned()
            .collect())
    }

    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Infallible> {
        let mut out: Vec<_> = self
            .points
            .iter()
            .filter(|(id, ts, _)| ids.contains(id) && (from_secs..=to_secs).contains(ts))
            .copied()
            .collect();
        out.sort_by_key(|&(id, ts, _)| (id, ts));
        Ok(out)
    }
}

fn run(src: &Memory, q: &str, from: i64, to: i64) -> QueryResponse {
    match evaluate(q, from, to, src) {
        Ok(r) => r,
        Err(e) => panic!("{q}: {e}"),
    }
}

/// `tag_set → [(seconds after base, value)]`, the readable form of a response.
fn lines(r: &QueryResponse, base: i64) -> Vec<(String, Vec<(i64, f64)>)> {
    r.series
        .iter()
        .map(|s| {
            let pts = s
                .pointlist
                .iter()
                .filter_map(|&(ms, v)| v.map(|v| (ms / 1000 - base, (v * 1000.0).round() / 1000.0)))
                .collect();
            (s.tag_set.join(","), pts)
        })
        .collect()
}

#[test]
fn a_plain_query_answers_in_datadogs_shape() {
    let src = Memory::default()
        .gauge(1, "my_metric", &["host:ubuntu", "env:test"])
        .point(1, T0 + 5, 2.0)
        .point(1, T0 + 25, 10.0);
    let r = run(&src, "avg:my_metric{host:ubuntu}", T0, T0 + 3600);
    assert_eq!(
        (r.status.as_str(), r.res_type.as_str(), r.resp_version),
        ("ok", "time_series", 1)
    );
    assert_eq!((r.from_date, r.to_date), (T0 * 1000, (T0 + 3600) * 1000));
    let s = &r.series[0];
    // One hour → 20 s buckets: 2.0 in [T0, T0+20), 10.0 in [T0+20, T0+40).
    assert_eq!(s.interval, 20);
    assert_eq!(
        s.pointlist,
        vec![(T0 * 1000, Some(2.0)), ((T0 + 20) * 1000, Some(10.0))]
    );
    assert_eq!(
        (s.metric.as_str(), s.expression.as_str(), s.scope.as_str()),
        ("my_metric", "avg:my_metric{host:ubuntu}", "host:ubuntu")
    );
    assert_eq!(
        (s.aggr.as_deref(), s.length, s.query_index, s.start, s.end),
        (Some("avg"), 2, 0, T0 * 1000, (T0 + 20) * 1000)
    );
    assert!(s.band.is_none());
}

#[test]
fn rollup_sum_3600_adds_each_hour() {
    // Points every 15 minutes from 22:00 to 01:45 with values 1, 2, 3, …: hour sums 1+2+3+4 = 10,
    // 5+6+7+8 = 26, 42, 58.
    let src = Memory::default()
        .gauge(1, "my_metric", &["host:ubuntu"])
        .points(1, (0..16).map(|i| (H0 + i * 900, (i + 1) as f64)));
    let r = run(
        &src,
        "avg:my_metric{host:ubuntu}.rollup(sum, 3600)",
        H0,
        H0 + 4 * 3600,
    );
    assert_eq!(r.series[0].interval, 3600);
    assert_eq!(
        lines(&r, H0),
        vec![(
            String::new(),
            vec![(0, 10.0), (3600, 26.0), (7200, 42.0), (10800, 58.0)]
        )]
    );
    // A finer rollup than the automatic interval is raised to it (Datadog's rule): a 4 h window
    // has 60 s buckets, so `.rollup(avg, 10)` still gives 60 s buckets.
    let r = run(&src, "avg:my_metric{*}.rollup(avg, 10)", H0, H0 + 4 * 3600);
    assert_eq!(r.series[0].interval, 60);
}

#[test]
fn by_host_makes_one_series_per_host_and_missing_keys_group_as_na() {
    let src = Memory::default()
        .gauge(1, "cpu", &["host:a", "env:prod"])
        .gauge(2, "cpu", &["host:b", "env:prod"])
        .gauge(3, "cpu", &["env:prod"])
        .point(1, T0, 10.0)
        .point(2, T0, 30.0)
        .point(3, T0, 50.0);
    let r = run(&src, "sum:cpu{env:prod} by {host}", T0, T0 + 300);
    assert_eq!(
        lines(&r, T0),
        vec![
            ("host:N/A".into(), vec![(0, 50.0)]),
            ("host:a".into(), vec![(0, 10.0)]),
            ("host:b".into(), vec![(0, 30.0)])
        ]
    );
    assert_eq!(r.group_by, vec!["host".to_owned()]);
    assert_eq!(r.series[1].expression, "sum:cpu{env:prod,host:a} by {host}");
    assert_eq!(r.series[1].scope, "env:prod,host:a");
}

#[test]
fn negated_tags_and_wildcards_filter_series() {
    let src = Memory::default()
        .gauge(1, "req", &["service:web", "host:a"])
        .gauge(2, "req", &["service:web-canary", "host:b"])
        .gauge(3, "req", &["service:api", "host:c"])
        .point(1, T0, 1.0)
        .point(2, T0, 10.0)
        .point(3, T0, 100.0);
    assert_eq!(
        lines(&run(&src, "sum:req{!host:a}", T0, T0 + 60), T0),
        vec![(String::new(), vec![(0, 110.0)])]
    );
    assert_eq!(
        lines(&run(&src, "sum:req{service:*-canary}", T0, T0 + 60), T0),
        vec![(String::new(), vec![(0, 10.0)])]
    );
    assert_eq!(
        lines(
            &run(&src, "sum:req{service:web*,!service:*canary}", T0, T0 + 60),
            T0
        ),
        vec![(String::new(), vec![(0, 1.0)])]
    );
}

#[test]
fn as_count_on_a_rate_multiplies_by_the_interval() {
    // A rate of 0.5/s reported every 10 s: over 60 s buckets, as_count = 6 samples × 0.5 × 10 = 30
    // events per bucket; without the modifier the rate stays 0.5.
    let src = Memory::default()
        .typed(1, "hits", &["host:a"], MetricType::Rate, Some(10))
        .points(1, (0..12).map(|i| (H0 + i * 10, 0.5)));
    let window = (H0, H0 + 4 * 3600); // 60 s buckets
    assert_eq!(
        lines(&run(&src, "sum:hits{*}.as_count()", window.0, window.1), H0),
        vec![(String::new(), vec![(0, 30.0), (60, 30.0)])]
    );
    assert_eq!(
        lines(&run(&src, "sum:hits{*}", window.0, window.1), H0),
        vec![(String::new(), vec![(0, 0.5), (60, 0.5)])]
    );
}

#[test]
fn arithmetic_between_two_metrics_and_with_numbers() {
    let src = Memory::default()
        .gauge(1, "apples", &["host:a"])
        .gauge(2, "oranges", &["host:a"])
        .point(1, T0, 6.0)
        .point(1, T0 + 20, 9.0)
        .point(2, T0, 3.0)
        .point(2, T0 + 20, 0.0);
    let r = run(&src, "avg:apples{*} / avg:oranges{*}", T0, T0 + 3600);
    // 6/3 = 2; 9/0 has no value.
    assert_eq!(lines(&r, T0), vec![(String::new(), vec![(0, 2.0)])]);
    assert_eq!(r.series[0].expression, "avg:apples{*} / avg:oranges{*}");
    let r = run(&src, "avg:apples{*} * 2 + 1", T0, T0 + 3600);
    assert_eq!(
        lines(&r, T0),
        vec![(String::new(), vec![(0, 13.0), (20, 19.0)])]
    );
    let r = run(&src, "-avg:apples{*}", T0, T0 + 3600);
    assert_eq!(
        lines(&r, T0),
        vec![(String::new(), vec![(0, -6.0), (20, -9.0)])]
    );
}

#[test]
fn grouped_arithmetic_pairs_groups_by_tags() {
    let src = Memory::default()
        .gauge(1, "used", &["host:a"])
        .gauge(2, "used", &["host:b"])
        .gauge(3, "total", &["host:a"])
        .gauge(4, "total", &["host:c"])
        .point(1, T0, 3.0)
        .point(2, T0, 5.0)
        .point(3, T0, 4.0)
        .point(4, T0, 8.0);
    let r = run(
        &src,
        "avg:used{*} by {host} / avg:total{*} by {host} * 100",
        T0,
        T0 + 60,
    );
    // Only host:a has both: 3 / 4 × 100 = 75.
    assert_eq!(lines(&r, T0), vec![("host:a".into(), vec![(0, 75.0)])]);
}

#[test]
fn several_queries_come_back_with_their_index() {
    let src = Memory::default()
        .gauge(1, "a", &[])
        .gauge(2, "b", &[])
        .point(1, T0, 1.0)
        .point(2, T0, 2.0);
    let r = run(&src, "avg:a{*}, max:b{*}", T0, T0 + 60);
    let got: Vec<(usize, &str)> = r
        .series
        .iter()
        .map(|s| (s.query_index, s.expression.as_str()))
        .collect();
    assert_eq!(got, vec![(0, "avg:a{*}"), (1, "max:b{*}")]);
}

#[test]
fn gauges_are_interpolated_when_hosts_report_at_different_times() {
    // Host a reports at 0 and 40 s, host b at 20 s; 20 s buckets. Without interpolation the average
    // would jump between 10/30 and 20; with it, a is 15 at 20 s and the average there is (15+20)/2.
    let src = Memory::default()
        .gauge(1, "m", &["host:a"])
        .gauge(2, "m", &["host:b"])
        .point(1, T0, 10.0)
        .point(1, T0 + 40, 20.0)
        .point(2, T0 + 20, 20.0);
    let r = run(&src, "avg:m{*}", T0, T0 + 3600);
    // At 0 s b has no earlier point, so only a counts (10); at 40 s b has no later point (20, 20).
    assert_eq!(
        lines(&r, T0),
        vec![(String::new(), vec![(0, 10.0), (20, 17.5), (40, 20.0)])]
    );
}

#[test]
fn fill_zero_fills_gaps_and_emits_them() {
    let src = Memory::default()
        .gauge(1, "m", &[])
        .point(1, T0, 1.0)
        .point(1, T0 + 60, 4.0);
    let r = run(&src, "avg:m{*}.fill(zero)", T0, T0 + 3600);
    assert_eq!(
        lines(&r, T0),
        vec![(
            String::new(),
            vec![(0, 1.0), (20, 0.0), (40, 0.0), (60, 4.0)]
        )]
    );
}

#[test]
fn functions_apply_per_group() {
    let src = Memory::default()
        .gauge(1, "m", &[])
        .point(1, T0, -4.0)
        .point(1, T0 + 20, 6.0)
        .point(1, T0 + 40, 10.0);
    assert_eq!(
        lines(&run(&src, "abs(avg:m{*})", T0, T0 + 3600), T0)[0].1,
        vec![(0, 4.0), (20, 6.0), (40, 10.0)]
    );
    assert_eq!(
        lines(&run(&src, "cumsum(avg:m{*})", T0, T0 + 3600), T0)[0].1,
        vec![(0, -4.0), (20, 2.0), (40, 12.0)]
    );
    assert_eq!(
        lines(&run(&src, "diff(avg:m{*})", T0, T0 + 3600), T0)[0].1,
        vec![(20, 10.0), (40, 4.0)]
    );
}

#[test]
fn hour_before_and_timeshift_show_the_past_on_todays_axis() {
    let src = Memory::default()
        .gauge(1, "m", &[])
        .point(1, T0 - 3600, 7.0)
        .point(1, T0, 1.0);
    // The window includes `to`, so the point at T0 itself shows at T0 + 3600.
    let r = run(&src, "hour_before(avg:m{*})", T0, T0 + 3600);
    assert_eq!(lines(&r, T0)[0].1, vec![(0, 7.0), (3600, 1.0)]);
    let r = run(&src, "timeshift(avg:m{*}, -3600)", T0, T0 + 3600);
    assert_eq!(lines(&r, T0)[0].1, vec![(0, 7.0), (3600, 1.0)]);
}

#[test]
fn top_keeps_the_highest_groups() {
    let mut src = Memory::default();
    for (id, v) in [(1, 5.0), (2, 50.0), (3, 20.0)] {
        src = src
            .gauge(id, "cpu", &[&format!("host:h{id}")])
            .point(id, T0, v);
    }
    let r = run(
        &src,
        "top(avg:cpu{*} by {host}, 2, 'max', 'desc')",
        T0,
        T0 + 60,
    );
    let tags: Vec<&str> = r.series.iter().map(|s| s.tag_set[0].as_str()).collect();
    assert_eq!(tags, ["host:h2", "host:h3"]);
}

/// A noisy but steady series every 60 s for a day, with one spike 20 minutes before the end.
fn steady_with_spike(spike_at: i64) -> Memory {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let start = H0 - 86_400;
    let pts: Vec<(i64, f64)> = (0..=(86_400 + 4 * 3600) / 60)
        .map(|i| {
            let ts = start + i * 60;
            (
                ts,
                if ts == spike_at {
                    400.0
                } else {
                    40.0 + noise()
                },
            )
        })
        .collect();
    Memory::default()
        .gauge(1, "mysql.performance.cpu_time", &["host:ubuntu"])
        .points(1, pts)
}

#[test]
fn basic_anomalies_flag_an_injected_spike_and_not_the_steady_part() {
    let spike = H0 + 4 * 3600 - 1200;
    let src = steady_with_spike(spike);
    let r = run(
        &src,
        "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)",
        H0,
        H0 + 4 * 3600,
    );
    let s = &r.series[0];
    let band = s.band.as_ref().expect("a band");
    assert_eq!((band.algorithm.as_str(), band.bounds), ("basic", 2.0));
    assert_eq!(band.upper.len(), s.pointlist.len());
    let outside: Vec<i64> = s
        .pointlist
        .iter()
        .zip(band.upper.iter().zip(&band.lower))
        .filter_map(|(&(ms, v), (&(_, hi), &(_, lo)))| match (v, hi, lo) {
            (Some(v), Some(hi), Some(lo)) if v > hi || v < lo => Some(ms / 1000),
            _ => None,
        })
        .collect();
    // 4 h → 60 s buckets: the spike is one bucket, and nothing else is outside.
    assert_eq!(outside, vec![spike]);
    assert_eq!(r.message, "");
}

#[test]
fn seasonal_anomalies_say_when_history_is_missing() {
    let src = steady_with_spike(H0);
    let r = run(
        &src,
        "anomalies(avg:mysql.performance.cpu_time{*}, 'agile', 3)",
        H0,
        H0 + 4 * 3600,
    );
    assert!(r.series[0].band.is_none());
    assert!(
        r.message.contains("anomalies()") && r.message.to_lowercase().contains("history"),
        "{}",
        r.message
    );
}

/// The seconds of the points of `s` outside its band.
fn outside_band(s: &QuerySeries) -> Vec<i64> {
    let Some(band) = s.band.as_ref() else {
        return Vec::new();
    };
    s.pointlist
        .iter()
        .zip(band.upper.iter().zip(&band.lower))
        .filter_map(|(&(ms, v), (&(_, hi), &(_, lo)))| match (v, hi, lo) {
            (Some(v), Some(hi), Some(lo)) if v > hi || v < lo => Some(ms / 1000),
            _ => None,
        })
        .collect()
}

#[test]
fn seasonality_daily_draws_a_band_from_days_of_history_where_weekly_has_too_little() {
    // Four days up to the end of the window, every 60 s: a daily wave of 100 ± 20 with ±0.5 of
    // noise, and a spike of +60 twenty minutes before the end.
    let end = H0 + 4 * 3600;
    let spike = end - 1200;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let pts: Vec<(i64, f64)> = (0..=4 * 86_400 / 60)
        .map(|i| {
            let ts = end - 4 * 86_400 + i * 60;
            let day = (ts.rem_euclid(86_400)) as f64 / 86_400.0;
            let wave = 100.0 + 20.0 * (day * std::f64::consts::TAU).sin() + noise();
            (ts, if ts == spike { wave + 60.0 } else { wave })
        })
        .collect();
    let src = Memory::default().gauge(1, "m", &["host:a"]).points(1, pts);

    // 4 h → 60 s buckets; before the window there are 3 days 20 h, enough for three daily seasons.
    let r = run(
        &src,
        "anomalies(avg:m{*}, 'robust', 3, seasonality='daily')",
        H0,
        end,
    );
    assert_eq!(r.message, "");
    let s = &r.series[0];
    let band = s.band.as_ref().expect("a daily band");
    assert_eq!((band.algorithm.as_str(), band.bounds), ("robust", 3.0));
    assert_eq!(band.upper.len(), s.pointlist.len());
    assert_eq!(outside_band(s), vec![spike]);

    // The default season is a week, and three weeks of history are missing.
    let r = run(&src, "anomalies(avg:m{*}, 'robust', 3)", H0, end);
    assert!(r.series[0].band.is_none());
    assert!(
        r.message.contains("anomalies()") && r.message.to_lowercase().contains("history"),
        "{}",
        r.message
    );
}

#[test]
fn anomalies_inside_another_function_is_refused_with_its_position() {
    let src = steady_with_spike(T0);
    let e = evaluate(
        "abs(anomalies(avg:mysql.performance.cpu_time{*}, 'basic', 2))",
        T0,
        T0 + 3600,
        &src,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "anomalies() must be the outermost function of a query (at column 5)"
    );
}

#[test]
fn bad_windows_and_bad_queries_say_why() {
    let src = Memory::default();
    let msg = |q: &str, from: i64, to: i64| evaluate(q, from, to, &src).unwrap_err().to_string();
    assert_eq!(
        msg("avg:m{*}", T0, T0),
        format!("`from` ({T0}) must be before `to` ({T0})")
    );
    assert!(msg("avg:m{*}", T0 * 1000, T0 * 1000 + 1).contains("milliseconds sent as seconds"));
    assert!(msg("avg:m{*}", T0, T0 + 400 * 86_400).contains("longer than 366 days"));
    assert!(msg("avg:m{host:a", T0, T0 + 60).starts_with("invalid query: expected `}`"));
}

#[test]
fn no_matching_series_is_an_empty_answer() {
    let src = Memory::default()
        .gauge(1, "m", &["host:a"])
        .point(1, T0, 1.0);
    assert!(run(&src, "avg:m{host:b}", T0, T0 + 60).series.is_empty());
    assert!(run(&src, "avg:other{*}", T0, T0 + 60).series.is_empty());
}
