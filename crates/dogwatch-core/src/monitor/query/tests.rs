//! Monitor query tests: parsed fields, canonical printing, error messages with columns, and
//! arbitrary input that must not panic.

use super::*;

/// The parsed query in a readable form, or the error message.
fn render(input: &str) -> String {
    match parse(input) {
        Ok(q) => format!(
            "{} {}s [{}] {} {} by {:?}",
            q.time_aggr,
            q.window_secs,
            q.metric_query,
            q.comparator,
            format_number(q.threshold),
            q.group_by
        ),
        Err(e) => format!("error: {e}"),
    }
}

macro_rules! check {
    ($input:expr, @$expected:literal) => {
        insta::assert_snapshot!(render($input), @$expected)
    };
}

#[test]
fn seed_and_brief_queries() {
    check!("avg(last_5m):avg:my_metric{host:ubuntu} > 800", @"avg 300s [avg:my_metric{host:ubuntu}] > 800 by []");
    check!("max(last_1h):sum:a{*} by {host} >= 2.5", @r#"max 3600s [sum:a{*} by {host}] >= 2.5 by ["host"]"#);
    check!("change(last_5m):avg:m{*} < -3", @"change 300s [avg:m{*}] < -3 by []");
    check!("pct_change(last_1d):m{*} <= 10", @"pct_change 86400s [avg:m{*}] <= 10 by []");
    check!("min(last_1w):avg:m{env:prod} by {host,env} == 0", @r#"min 604800s [avg:m{env:prod} by {host,env}] == 0 by ["host", "env"]"#);
    check!("sum(last_2d):avg:m{*} != 1e3", @"sum 172800s [avg:m{*}] != 1000 by []");
}

#[test]
fn spacing_and_arithmetic() {
    check!("  avg ( last_10m ) : avg:m{*}>800 ", @"avg 600s [avg:m{*}] > 800 by []");
    check!("avg(last_5m):avg:m{*}>=-0.5", @"avg 300s [avg:m{*}] >= -0.5 by []");
    check!("avg(last_5m):a{*} by {host} / b{*} by {host,env} * 100 > 90", @r#"avg 300s [avg:a{*} by {host} / avg:b{*} by {host,env} * 100] > 90 by ["host", "env"]"#);
    check!("avg(last_5m):anomalies(avg:m{*}, 'agile', 2, seasonality='daily') >= 1", @"avg 300s [anomalies(avg:m{*}, 'agile', 2, seasonality='daily')] >= 1 by []");
}

#[test]
fn errors_name_the_column() {
    check!("", @"error: the monitor query is empty; write one such as `avg(last_5m):avg:my_metric{*} > 800`");
    check!("avg:my_metric{*} > 800", @"error: a monitor query starts with a time aggregation and a window, as in `avg(last_5m):avg:my_metric{*} > 800`, found `avg` at column 1");
    check!("mean(last_5m):m{*} > 1", @"error: unknown time aggregation `mean` at column 1; use avg, sum, max, min, change or pct_change");
    check!("change(avg(last_5m),last_5m):m{*} > 1", @"error: the two-argument form `change(avg` at column 1 is not supported yet; write `change(last_5m):` instead");
    check!("avg(5m):m{*} > 1", @"error: expected a window such as `last_5m`, `last_1h`, `last_1d` or `last_1w` at column 5, found `5m`");
    check!("avg(last_5s):m{*} > 1", @"error: expected a window such as `last_5m`, `last_1h`, `last_1d` or `last_1w` at column 5, found `last_5s`");
    check!("avg():m{*} > 1", @"error: expected a window such as `last_5m`, `last_1h`, `last_1d` or `last_1w` at column 5, found `)`");
    check!("avg(last_0m):m{*} > 1", @"error: the window `last_0m` at column 5 must be from one minute (`last_1m`) to one week (`last_1w`)");
    check!("avg(last_2w):m{*} > 1", @"error: the window `last_2w` at column 5 must be from one minute (`last_1m`) to one week (`last_1w`)");
    check!("avg(last_99999999999999999999m):m{*} > 1", @"error: the window `last_99999999999999999999m` at column 5 must be from one minute (`last_1m`) to one week (`last_1w`)");
    check!("avg(last_5m m{*} > 1", @"error: expected `)` after the window at column 13, found `m`");
    check!("avg(last_5m) m{*} > 1", @"error: expected `:` before the metric query at column 14, found `m`");
    check!("avg(last_5m):m{*}", @"error: a monitor query ends with a comparator and a threshold, as in `> 800`; use <, <=, >, >=, == or !=");
    check!("avg(last_5m):m{*} = 1", @"error: `=` at column 19 is no comparator; use `==` (or <, <=, >, >=, !=)");
    check!("avg(last_5m):m{*} >", @"error: expected a threshold number at column 20");
    check!("avg(last_5m):m{*} > high", @"error: the threshold must be a number such as 800 or -2.5; found `high` at column 21");
    check!("avg(last_5m):m{*} > inf", @"error: the threshold must be a number such as 800 or -2.5; found `inf` at column 21");
    check!("avg(last_5m):m{*} > 1e999", @"error: the threshold must be a number such as 800 or -2.5; found `1e999` at column 21");
    check!("avg(last_5m): > 1", @"error: expected a metric query such as `avg:my_metric{*}` at column 14");
    check!("avg(last_5m):a{*}, b{*} > 1", @"error: a monitor watches one query; the second one, `b{*}`, starts at column 20");
}

#[test]
fn metric_query_errors_count_columns_in_the_whole_query() {
    // `mean:` is column 14 of the monitor query (column 1 of the metric query on its own).
    check!("avg(last_5m):mean:m{*} > 1", @"error: unknown space aggregator `mean` at column 14; expected avg, sum, min or max");
    check!("avg(last_5m):avg:m{host:a > 1", @"error: expected `}` to close the scope opened at column 19");
    check!("avg(last_5m):avg:m{host:a} by host > 1", @"error: expected `{` after `by` at column 31, found `host`");
    // Non-ASCII whitespace in the prefix keeps character columns right.
    check!("avg(last_5m):\u{3000}mean:m{*} > 1", @"error: unknown space aggregator `mean` at column 15; expected avg, sum, min or max");
    let e = parse("avg(last_5m):avg:m{é} > 1 ").err();
    assert!(e.is_none(), "{e:?}");
    let Err(e) = parse("avg(last_5m):mean:m{*} > 1") else {
        panic!("should fail")
    };
    assert_eq!(e.span, Span::new(13, 17));
    assert_eq!(e.column(), 14);
    assert!(matches!(e.kind, ErrorKind::MetricQuery(ref inner) if inner.column() == 14));
}

#[test]
fn canonical_printing_round_trips() {
    for (input, canonical) in [
        (
            "avg(last_5m):avg:my_metric{host:ubuntu} > 800",
            "avg(last_5m):avg:my_metric{host:ubuntu} > 800",
        ),
        (
            "max(last_60m):a{*}by{HOST}>=2.50",
            "max(last_1h):avg:a{*} by {host} >= 2.5",
        ),
        (
            "change(last_1440m):m{*}<-3",
            "change(last_1d):avg:m{*} < -3",
        ),
        (
            "sum(last_10080m):m{*}!=0.003",
            "sum(last_1w):avg:m{*} != 0.003",
        ),
        (
            "min(last_90m):m{*} == 1e20",
            "min(last_90m):avg:m{*} == 1e20",
        ),
    ] {
        let q = parse(input).expect(input);
        assert_eq!(q.to_string(), canonical, "{input}");
        assert_eq!(parse(canonical).as_ref(), Ok(&q), "{canonical}");
    }
}

#[test]
fn comparators_hold() {
    assert!(Comparator::Gt.holds(801.0, 800.0));
    assert!(!Comparator::Gt.holds(800.0, 800.0));
    assert!(Comparator::Ge.holds(800.0, 800.0));
    assert!(Comparator::Lt.holds(-4.0, -3.0));
    assert!(!Comparator::Le.holds(-2.0, -3.0));
    assert!(Comparator::Eq.holds(0.0, 0.0));
    assert!(Comparator::Ne.holds(1.0, 0.0));
}

mod properties {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    const PIECES: &[&str] = &[
        "avg",
        "change",
        "pct_change",
        "(",
        ")",
        ":",
        "last_",
        "5m",
        "1w",
        "0",
        "m{*}",
        "avg:",
        "{",
        "}",
        " by ",
        "host",
        ">",
        "<",
        "=",
        "!",
        ",",
        "-",
        "1e",
        ".",
        "é",
        "\u{3000}",
        " ",
        "'",
        "anomalies(",
    ];

    proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            if let Err(e) = parse(&text) {
                let _ = e.to_string();
            }
        }

        #[test]
        fn parsing_pieces_never_panics(pieces in proptest::collection::vec(select(PIECES), 0..16)) {
            let text = pieces.concat();
            match parse(&text) {
                Ok(q) => prop_assert_eq!(parse(&q.to_string()), Ok(q)),
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }

        #[test]
        fn printed_queries_parse_back(
            aggr in select(TimeAggr::ALL.to_vec()),
            window in 1i64..=10_080,
            cmp in select(Comparator::ALL.to_vec()),
            threshold in -1e6f64..1e6,
            grouped in any::<bool>(),
        ) {
            let q = MonitorQuery {
                time_aggr: aggr,
                window_secs: window * 60,
                metric_query: if grouped { "avg:m{env:prod} by {host}".into() } else { "sum:m{*}".into() },
                comparator: cmp,
                threshold,
                group_by: if grouped { vec!["host".into()] } else { vec![] },
            };
            prop_assert_eq!(parse(&q.to_string()), Ok(q));
        }
    }
}

#[test]
fn the_evaluated_query_rolls_buckets_up_as_the_window_is_reduced() {
    let evaluated = |text: &str| parse(text).unwrap().evaluated_query();
    assert_eq!(
        evaluated("max(last_10m):avg:m{env:test} by {host} > 900"),
        "avg:m{env:test} by {host}.rollup(max)"
    );
    assert_eq!(
        evaluated("sum(last_5m):sum:m{*} > 1"),
        "sum:m{*}.rollup(sum)"
    );
    assert_eq!(
        evaluated("min(last_5m):avg:m{*} < 1"),
        "avg:m{*}.rollup(min)"
    );
    // avg and change keep the buckets' mean; a written rollup or a formula is left alone.
    assert_eq!(evaluated("avg(last_5m):avg:m{*} > 1"), "avg:m{*}");
    assert_eq!(evaluated("change(last_5m):avg:m{*} > 1"), "avg:m{*}");
    assert_eq!(
        evaluated("max(last_5m):avg:m{*}.rollup(avg, 60) > 1"),
        "avg:m{*}.rollup(avg, 60)"
    );
    assert_eq!(
        evaluated("max(last_5m):avg:a{*} + avg:b{*} > 1"),
        "avg:a{*} + avg:b{*}"
    );
}
