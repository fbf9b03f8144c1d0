//! Parser tests: inputs against S-expressions or error messages, printing round trips (on examples
//! and on generated trees), spans, and odd inputs that must not panic.

use super::*;

/// The trees as S-expressions, or the error message: what the snapshots compare.
fn render(input: &str) -> String {
    match parse(input) {
        Ok(list) => list.sexp(),
        Err(e) => format!("error: {e}"),
    }
}

/// `check!(input, @"expected")`: a macro rather than a function because insta's inline snapshots
/// must be written at the call site.
macro_rules! check {
    ($input:expr, @$expected:literal) => {
        insta::assert_snapshot!(render($input), @$expected)
    };
}

/// The canonical text of `input`, or the error message.
fn print(input: &str) -> String {
    match parse(input) {
        Ok(list) => list.to_string(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn seed_queries() {
    check!("avg:my_metric{host:ubuntu}.rollup(sum, 3600)", @"(query avg my_metric (scope (tag host ubuntu)) (rollup sum 3600))");
    check!("anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)", @"(anomalies (query avg mysql.performance.cpu_time (scope (tag host ubuntu))) basic 2)");
    check!("sum:postgresql.rows_returned{host:x}", @"(query sum postgresql.rows_returned (scope (tag host x)))");
    check!("avg:system.load.5{intake} * 2", @"(* (query avg system.load.5 (scope (tag intake))) 2)");
    check!("metric{apples} / metric{oranges}", @"(/ (query avg metric (scope (tag apples))) (query avg metric (scope (tag oranges))))");
    check!("top(avg:system.cpu.iowait{*} by {host}, 5, 'max', 'desc')", @"(top (query avg system.cpu.iowait (scope *) (by host)) 5 max desc)");
    check!("a{*}, b{*}", @"
    (query avg a (scope *))
    (query avg b (scope *))
    ");
}

#[test]
fn metric_queries() {
    check!("avg:my_metric{host:ubuntu} by {host}", @"(query avg my_metric (scope (tag host ubuntu)) (by host))");
    check!("my_metric{*}", @"(query avg my_metric (scope *))");
    check!("sum:system.cpu.user{*}", @"(query sum system.cpu.user (scope *))");
    check!("min:m{env:prod,host:a}", @"(query min m (scope (tag env prod) (tag host a)))");
    check!("max:m{env}", @"(query max m (scope (tag env)))");
    check!("  avg : m { host:a , env:prod }  by { host , env } ", @"(query avg m (scope (tag host a) (tag env prod)) (by host env))");
    check!("avg:m{*}by{host}", @"(query avg m (scope *) (by host))");
    check!("m{Host:Ubuntu} by {HOST}", @"(query avg m (scope (tag host ubuntu)) (by host))");
    check!("m{a:b:c}", @"(query avg m (scope (tag a b:c)))");
    check!("m{env:us-east-1/a,version:1.2.3,k_2:v_2}", @"(query avg m (scope (tag env us-east-1/a) (tag version 1.2.3) (tag k_2 v_2)))");
    check!("m{city:zürich}", @"(query avg m (scope (tag city zürich)))");
    check!("Trace.Flask.Request.Hits{*}", @"(query avg Trace.Flask.Request.Hits (scope *))");
    check!("(avg:m{*})", @"(query avg m (scope *))");
    check!("((m{*} by {host}))", @"(query avg m (scope *) (by host))");
    check!("abs{*}", @"(query avg abs (scope *))");
    check!("by{*} by {by}", @"(query avg by (scope *) (by by))");
}

#[test]
fn scopes_with_exclusions_and_wildcards() {
    check!("avg:m{!host:a}", @"(query avg m (scope (not (tag host a))))");
    check!("avg:m{env:prod,!host:web-1,!canary}", @"(query avg m (scope (tag env prod) (not (tag host web-1)) (not (tag canary))))");
    check!("avg:m{ ! host:a }", @"(query avg m (scope (not (tag host a))))");
    check!("avg:m{service:*-canary}", @"(query avg m (scope (tag service *-canary)))");
    check!("avg:m{host:web-*,*:prod,ho*}", @"(query avg m (scope (tag host web-*) (tag * prod) (tag ho*)))");
    check!("avg:m{!service:*-canary} by {service}", @"(query avg m (scope (not (tag service *-canary))) (by service))");
    check!("avg:m{İ:x}", @"(query avg m (scope (tag i̇ x)))");
}

#[test]
fn modifiers() {
    check!("avg:m{*}.rollup(sum)", @"(query avg m (scope *) (rollup sum))");
    check!("avg:m{*}.rollup(count, 60)", @"(query avg m (scope *) (rollup count 60))");
    check!("avg:m{*}.rollup(3600)", @"(query avg m (scope *) (rollup avg 3600))");
    check!("avg:m{*}.rollup('max', 60)", @"(query avg m (scope *) (rollup max 60))");
    check!("avg:m{*}.rollup(avg, 1e3)", @"(query avg m (scope *) (rollup avg 1000))");
    check!("sum:requests{*}.as_count()", @"(query sum requests (scope *) (as_count))");
    check!("sum:requests{*}.as_rate()", @"(query sum requests (scope *) (as_rate))");
    check!("avg:m{*}.fill(zero)", @"(query avg m (scope *) (fill zero))");
    check!("avg:m{*}.fill(last, 300)", @"(query avg m (scope *) (fill last 300))");
    check!("avg:m{*}.fill(null).fill", @"error: expected `(` after `.fill` at column 25");
    check!("avg:m{*} by {host}.rollup(sum, 60).fill(linear, 600).as_count()", @"(query avg m (scope *) (by host) (rollup sum 60) (fill linear 600) (as_count))");
    check!("avg:m{*} . rollup ( sum , 60 ) ", @"(query avg m (scope *) (rollup sum 60))");
}

#[test]
fn arithmetic_and_precedence() {
    check!("a{*} + b{*} * c{*}", @"(+ (query avg a (scope *)) (* (query avg b (scope *)) (query avg c (scope *))))");
    check!("(a{*} + b{*}) * c{*}", @"(* (+ (query avg a (scope *)) (query avg b (scope *))) (query avg c (scope *)))");
    check!("a{*} - b{*} - c{*}", @"(- (- (query avg a (scope *)) (query avg b (scope *))) (query avg c (scope *)))");
    check!("a{*} - (b{*} - c{*})", @"(- (query avg a (scope *)) (- (query avg b (scope *)) (query avg c (scope *))))");
    check!("a{*} / b{*} * 100", @"(* (/ (query avg a (scope *)) (query avg b (scope *))) 100)");
    check!("2 * m{*}", @"(* 2 (query avg m (scope *)))");
    check!("-m{*}", @"(neg (query avg m (scope *)))");
    check!("-m{*} * 2", @"(* (neg (query avg m (scope *))) 2)");
    check!("-(m{*} * 2)", @"(neg (* (query avg m (scope *)) 2))");
    check!("m{*} - -1", @"(- (query avg m (scope *)) (neg 1))");
    check!("--m{*}", @"(neg (neg (query avg m (scope *))))");
    check!("m{*} * 0.5 + 1e3 - 2.5E-2", @"(- (+ (* (query avg m (scope *)) 0.5) 1000) 0.025)");
    check!("100 * sum:errors{*}.as_count() / sum:requests{*}.as_count()", @"(/ (* 100 (query sum errors (scope *) (as_count))) (query sum requests (scope *) (as_count)))");
    check!("m{*}*2", @"(* (query avg m (scope *)) 2)");
}

#[test]
fn functions() {
    check!("abs(m{*})", @"(abs (query avg m (scope *)))");
    check!("log2(m{*}) + log10(m{*})", @"(+ (log2 (query avg m (scope *))) (log10 (query avg m (scope *))))");
    check!("cumsum(integral(m{*}))", @"(cumsum (integral (query avg m (scope *))))");
    check!("per_second(m{*}), per_minute(m{*}), per_hour(m{*})", @"
    (per_second (query avg m (scope *)))
    (per_minute (query avg m (scope *)))
    (per_hour (query avg m (scope *)))
    ");
    check!("diff(m{*}) - derivative(m{*})", @"(- (diff (query avg m (scope *))) (derivative (query avg m (scope *))))");
    check!("hour_before(m{*}), day_before(m{*}), week_before(m{*}), month_before(m{*})", @"
    (hour_before (query avg m (scope *)))
    (day_before (query avg m (scope *)))
    (week_before (query avg m (scope *)))
    (month_before (query avg m (scope *)))
    ");
    check!("top(m{*} by {host}, 10, \"mean\", \"asc\")", @"(top (query avg m (scope *) (by host)) 10 mean asc)");
    check!("top(m{*} by {host}, 100, l2norm, desc)", @"(top (query avg m (scope *) (by host)) 100 l2norm desc)");
    check!("top(a{*} by {host} / b{*} by {host}, 3, 'area', 'desc')", @"(top (/ (query avg a (scope *) (by host)) (query avg b (scope *) (by host))) 3 area desc)");
    check!("timeshift(m{*}, -3600)", @"(timeshift (query avg m (scope *)) -3600)");
    check!("timeshift(m{*}, 86400)", @"(timeshift (query avg m (scope *)) 86400)");
    check!("anomalies(m{*}, 'agile', 3)", @"(anomalies (query avg m (scope *)) agile 3)");
    check!("anomalies(m{*}.rollup(avg, 60), 'robust', 2.5)", @"(anomalies (query avg m (scope *) (rollup avg 60)) robust 2.5)");
    check!("abs(2 - m{*}) * 3", @"(* (abs (- 2 (query avg m (scope *)))) 3)");
    check!("abs(-m{*})", @"(abs (neg (query avg m (scope *))))");
    check!("top(anomalies(abs(m{*} by {host}), 'basic', 2), 5, 'max', 'desc')", @"(top (anomalies (abs (query avg m (scope *) (by host))) basic 2) 5 max desc)");
}

#[test]
fn several_queries() {
    check!("a{*}, b{*}", @"
    (query avg a (scope *))
    (query avg b (scope *))
    ");
    check!("a{x,y} by {h,k}, top(b{*}, 5, 'max', 'desc'), c{*} * 2", @"
    (query avg a (scope (tag x) (tag y)) (by h k))
    (top (query avg b (scope *)) 5 max desc)
    (* (query avg c (scope *)) 2)
    ");
    check!("a{*},b{*},c{*}", @"
    (query avg a (scope *))
    (query avg b (scope *))
    (query avg c (scope *))
    ");
}

#[test]
fn syntax_errors() {
    check!("", @"error: the query is empty; write one such as `avg:system.cpu.user{*}`");
    check!("   ", @"error: the query is empty; write one such as `avg:system.cpu.user{*}`");
    check!("{", @"error: expected a query such as `avg:system.cpu.user{*}` at column 1, found `{`");
    check!("avg:", @"error: expected a metric name after `avg:` at column 5");
    check!("avg:m", @"error: expected `{` after the metric name at column 6; write `{*}` to read every series");
    check!("avg:m{", @"error: expected `}` to close the scope opened at column 6");
    check!("avg:m{a:b", @"error: expected `}` to close the scope opened at column 6");
    check!("avg:my_metric{host:a by {host}", @"error: expected `}` to close the scope opened at column 14, found `by` at column 22");
    check!("avg:m{a:b c:d}", @"error: expected `}` to close the scope opened at column 6, found `c:d` at column 11");
    check!("avg:m{}", @"error: expected a tag or `*` at column 7, found `}`");
    check!("avg:m{a,}", @"error: expected a tag or `*` at column 9, found `}`");
    check!("avg:m{} by", @"error: expected a tag or `*` at column 7, found `}`");
    check!("avg:m{*} by", @"error: expected `{` after `by` at column 12");
    check!("avg:m{*} by {", @"error: expected `}` to close the group-by list opened at column 13");
    check!("avg:m{*} by {}", @"error: expected a tag key at column 14, found `}`");
    check!("avg:m{*} by {host", @"error: expected `}` to close the group-by list opened at column 13");
    check!("avg:m{*} by {host env}", @"error: expected `}` to close the group-by list opened at column 13, found `env` at column 19");
    check!("avg:m{*} by host", @"error: expected `{` after `by` at column 13, found `host`");
    check!("mean:m{*}", @"error: unknown space aggregator `mean` at column 1; expected avg, sum, min or max");
    check!("avg:1m{*}", @"error: expected a metric name after `avg:` at column 5, found `1`");
    check!("avg:{*}", @"error: expected a metric name after `avg:` at column 5, found `{`");
    check!("avg:m{host:a} by {host})", @"error: unexpected `)` at column 24");
    check!(")", @"error: expected a query such as `avg:system.cpu.user{*}` at column 1, found `)`");
    check!("avg:m{*} foo", @"error: expected `,` or an operator such as `+` before `foo` at column 10");
    check!("(avg:m{*}", @"error: expected `)` to close the parenthesis opened at column 1");
    check!("(avg:m{*} by {host} x)", @"error: expected `)` to close the parenthesis opened at column 1, found `x` at column 21");
    check!("avg:m@{*}", @"error: unexpected character `@` at column 6");
    check!("avg:métric{*}", @"error: unexpected character `é` at column 6");
    check!("avg:m{host:a#b}", @"error: unexpected character `#` in a tag at column 13; tags may contain letters, digits and `_ - . / :`");
    check!("avg:m{city:zürich", @"error: expected `}` to close the scope opened at column 6");
    check!("avg:m{*}.", @"error: expected a modifier such as `rollup` after `.` at column 10");
    check!(&"(".repeat(10_000), @"error: the query nests parentheses, functions or minus signs more than 32 deep at column 33");
    check!("avg:m{a\u{0}}", @r"error: unexpected character `\u{0}` in a tag at column 8; tags may contain letters, digits and `_ - . / :`");
    check!("avg:m{city:zürich x}", @"error: expected `}` to close the scope opened at column 6, found `x` at column 19");
    check!("a{*},", @"error: expected a query such as `avg:system.cpu.user{*}` at column 6");
    check!(", a{*}", @"error: expected a query such as `avg:system.cpu.user{*}` at column 1, found `,`");
    check!("a{*} b{*}", @"error: expected `,` or an operator such as `+` before `b` at column 6");
    check!("a{*} 2", @"error: expected `,` or an operator such as `+` before `2` at column 6");
    check!("a{*} (b{*})", @"error: expected `,` or an operator such as `+` before `(` at column 6");
    check!("(a{*}, b{*})", @"error: expected `)` to close the parenthesis opened at column 1, found `,` at column 6");
    check!("a{*} +", @"error: expected a query such as `avg:system.cpu.user{*}` at column 7");
    check!("a{*} * * b{*}", @"error: expected a query such as `avg:system.cpu.user{*}` at column 8, found `*`");
    check!("m{*} 'x'", @"error: unexpected `'x'` at column 6");
    check!("'basic'", @"error: expected a query such as `avg:system.cpu.user{*}` at column 1, found `'basic'`");
    check!("!m{*}", @"error: expected a query such as `avg:system.cpu.user{*}` at column 1, found `!`");
    check!("m{*} by {host} by {env}", @"error: unexpected `by` at column 16");
    check!("1e999 * m{*}", @"error: the number `1e999` at column 1 is too large");
    check!("m{*} = 2", @"error: unexpected `=` at column 6");
}

#[test]
fn invalid_tags() {
    check!("avg:m{:prod}", @"error: the tag `:prod` at column 7 has nothing before `:`");
    check!("avg:m{host:}", @"error: the tag `host:` at column 7 has nothing after `:`");
    check!("avg:m{host: a}", @"error: the tag `host:` at column 7 has nothing after `:`");
    check!("avg:m{*,host:a}", @"error: `*` at column 7 means every series and cannot be combined with tags");
    check!("avg:m{host:a,*}", @"error: `*` at column 14 means every series and cannot be combined with tags");
    check!("avg:m{*} by {host:a}", @"error: expected a tag key such as `host` at column 14, found `host:a`; `by` groups by keys, not by tags");
    check!("avg:m{*} by {*}", @"error: expected a tag key such as `host` at column 14, found `*`; `by` groups by keys, not by tags");
    check!("avg:m{!*}", @"error: `!*` at column 7 would exclude every series; write `*` for all of them");
    check!("avg:m{!}", @"error: expected a tag or `*` at column 8, found `}`");
    check!("avg:m{!!host:a}", @"error: expected a tag or `*` at column 8, found `!`");
    check!("avg:m{!:a}", @"error: the tag `!:a` at column 7 has nothing before `:`");
    check!("avg:m{host!}", @"error: expected `}` to close the scope opened at column 6, found `!` at column 11");
}

#[test]
fn expression_errors() {
    check!("1 + 2", @"error: a query needs at least one metric; `1 + 2` at column 1 has none");
    check!("2", @"error: a query needs at least one metric; `2` at column 1 has none");
    check!("-1, m{*}", @"error: a query needs at least one metric; `-1` at column 1 has none");
    check!("m{*}, abs(2)", @"error: a query needs at least one metric; `abs(2)` at column 7 has none");
    check!("2.rollup(sum)", @"error: the modifier `.rollup` at column 2 applies to a metric query, not to a number");
    check!("m{*} * 2.rollup(sum)", @"error: the modifier `.rollup` at column 9 applies to a metric query, not to a number");
    check!("(m{*}).rollup(sum)", @"error: the modifier `.rollup` at column 7 applies to a metric query, not to a parenthesised expression; write it after each metric query inside");
    check!("(a{*} + b{*}).as_count()", @"error: the modifier `.as_count` at column 14 applies to a metric query, not to a parenthesised expression; write it after each metric query inside");
    check!("abs(m{*}).rollup(sum)", @"error: the modifier `.rollup` at column 10 applies to a metric query, not to the result of a function; write it inside, after the metric query");
    check!("-(m{*}).fill(zero)", @"error: the modifier `.fill` at column 8 applies to a metric query, not to a parenthesised expression; write it after each metric query inside");
    assert!(parse(&format!("m{{*}}{}", " + 1".repeat(100))).is_ok());
    check!(&format!("m{{*}}{}", " + 1".repeat(101)), @"error: a query may have at most 100 arithmetic operators; the one at column 406 is one too many");
    check!(&format!("{}m{{*}}", "-".repeat(40)), @"error: the query nests parentheses, functions or minus signs more than 32 deep at column 33");
    check!(&format!("{}m{{*}}{}", "abs(".repeat(40), ")".repeat(40)), @"error: the query nests parentheses, functions or minus signs more than 32 deep at column 132");
}

#[test]
fn function_errors() {
    check!("rolup(m{*})", @"error: unknown function `rolup` at column 1; did you mean `rollup`?");
    check!("ABS(m{*})", @"error: unknown function `ABS` at column 1; did you mean `abs`?");
    check!("anomaly(m{*}, 'basic', 2)", @"error: unknown function `anomaly` at column 1; did you mean `anomalies`?");
    check!("frobnicate(m{*})", @"error: unknown function `frobnicate` at column 1");
    check!("rollup(m{*}, sum)", @"error: `rollup` at column 1 is a modifier, not a function; write it after the metric query, as in `avg:system.cpu.user{*}.rollup(…)`");
    check!("avg(last_5m):avg:m{*}", @"error: `avg` at column 1 is a space aggregator, written with a colon as in `avg:system.cpu.user{*}`; a monitor's `avg(last_5m):` is not part of a graph query");
    check!("rate(m{*})", @"error: the function `rate(…)` at column 1 is not supported yet");
    check!("forecast(m{*}, 'linear', 1)", @"error: the function `forecast(…)` at column 1 is not supported yet");
    check!("abs()", @"error: `abs` takes 1 argument: a query; the call at column 1 has 0 arguments");
    check!("abs(a{*}, b{*})", @"error: `abs` takes 1 argument: a query; the call at column 1 has 2 arguments");
    check!("abs(m)", @"error: expected `{` after the metric name at column 6, found `)`; write `{*}` to read every series");
    check!("abs('m')", @"error: expected a query such as `avg:system.cpu.user{*}` at column 5, found `'m'`");
    check!("abs(m{*}", @"error: expected `)` to close the arguments opened at column 4");
    check!("abs(m{*} b{*})", @"error: expected `)` to close the arguments opened at column 4, found `b` at column 10");
    check!("top(avg:system.cpu.iowait{*} by {host}, 5)", @"error: `top` takes 4 arguments: a query, a limit, a ranking and an order; the call at column 1 has 2 arguments");
    check!("top(m{*}, 0, 'max', 'desc')", @"error: the limit of `top` must be a whole number from 1 to 100; found `0` at column 11");
    check!("top(m{*}, 101, 'max', 'desc')", @"error: the limit of `top` must be a whole number from 1 to 100; found `101` at column 11");
    check!("top(m{*}, 2.5, 'max', 'desc')", @"error: the limit of `top` must be a whole number from 1 to 100; found `2.5` at column 11");
    check!("top(m{*}, 5, 'biggest', 'desc')", @"error: the ranking of `top` must be 'max', 'min', 'last', 'mean', 'sum', 'area', 'norm' or 'l2norm'; found `'biggest'` at column 14");
    check!("top(m{*}, 5, 'max', 'down')", @"error: the order of `top` must be 'asc' or 'desc'; found `'down'` at column 21");
    check!("top(m{*}, 5, 'MAX', 'desc')", @"error: the ranking of `top` must be 'max', 'min', 'last', 'mean', 'sum', 'area', 'norm' or 'l2norm'; found `'MAX'` at column 14");
    check!("top(m{*}, , 'max', 'desc')", @"error: expected an argument at column 11, found `,`");
    check!("top(m{*}, 5,", @"error: expected an argument at column 13");
    check!("timeshift(m{*}, 'an hour')", @"error: the offset of `timeshift` must be a whole number of seconds; found `'an hour'` at column 17");
    check!("timeshift(m{*}, 1.5)", @"error: the offset of `timeshift` must be a whole number of seconds; found `1.5` at column 17");
    check!("timeshift(m{*})", @"error: `timeshift` takes 2 arguments: a query and an offset in seconds; the call at column 1 has 1 argument");
    check!("anomalies(m{*}, 'fancy', 2)", @"error: anomaly algorithm must be 'basic', 'agile' or 'robust'; found `'fancy'` at column 17");
    check!("anomalies(m{*}, 'basic', 0)", @"error: the bounds of `anomalies` must be a number above 0, such as 2 or 3; found `0` at column 26");
    check!("anomalies(m{*}, 'basic', -2)", @"error: the bounds of `anomalies` must be a number above 0, such as 2 or 3; found `-2` at column 26");
    check!("anomalies(m{*}, 'basic')", @"error: `anomalies` takes 3 arguments: a query, an algorithm and the bounds, then optionally `seasonality='hourly'`, `'daily'` or `'weekly'`; the call at column 1 has 2 arguments");
    check!("anomalies(avg:system.cpu.system{name:cassandra}, 'basic', 3, direction='above')", @"error: the keyword argument `direction=` at column 62 is not supported yet");
}

/// `check_print!(input, @"expected")`: the canonical text of `input` (or the error), as an inline
/// snapshot.
macro_rules! check_print {
    ($input:expr, @$expected:literal) => {
        insta::assert_snapshot!(print($input), @$expected)
    };
}

#[test]
fn anomalies_take_a_seasonality() {
    check!("anomalies(m{*}, 'agile', 2, seasonality='daily')", @"(anomalies (query avg m (scope *)) agile 2 (seasonality daily))");
    check!("anomalies(m{*}, 'robust', 3, seasonality=\"hourly\")", @"(anomalies (query avg m (scope *)) robust 3 (seasonality hourly))");
    check!("anomalies(m{*}, robust, 3, seasonality=weekly)", @"(anomalies (query avg m (scope *)) robust 3 (seasonality weekly))");
    check!("anomalies( m{*} , 'agile' , 2 , seasonality = 'daily' )", @"(anomalies (query avg m (scope *)) agile 2 (seasonality daily))");
    check!("top(anomalies(m{*} by {host}, 'agile', 2, seasonality='hourly'), 5, 'max', 'desc')", @"(top (anomalies (query avg m (scope *) (by host)) agile 2 (seasonality hourly)) 5 max desc)");
    check_print!("anomalies(m{*}, 'agile', 2, seasonality='daily')", @"anomalies(avg:m{*}, 'agile', 2, seasonality='daily')");
    check_print!("anomalies(m{*},robust,2.50,seasonality=\"weekly\")", @"anomalies(avg:m{*}, 'robust', 2.5, seasonality='weekly')");
    check_print!("anomalies(m{*}, 'robust', 2)", @"anomalies(avg:m{*}, 'robust', 2)");
}

#[test]
fn seasonality_errors() {
    check!("anomalies(m{*}, 'agile', 2, seasonality='monthly')", @"error: seasonality must be 'hourly', 'daily' or 'weekly'; found `'monthly'` at column 41");
    check!("anomalies(m{*}, 'agile', 2, seasonality='Daily')", @"error: seasonality must be 'hourly', 'daily' or 'weekly'; found `'Daily'` at column 41");
    check!("anomalies(m{*}, 'agile', 2, seasonality=3)", @"error: seasonality must be 'hourly', 'daily' or 'weekly'; found `3` at column 41");
    check!("anomalies(m{*}, 'agile', 2, seasonality=m{*})", @"error: seasonality must be 'hourly', 'daily' or 'weekly'; found `m` at column 41");
    check!("anomalies(m{*}, 'agile', 2, seasonality=)", @"error: expected an argument at column 41, found `)`");
    check!("anomalies(m{*}, 'agile', 2, seasonality=", @"error: expected an argument at column 41");
    check!("anomalies(m{*}, 'basic', 2, seasonality='daily')", @"error: the 'basic' algorithm has no seasonality; use 'agile' or 'robust', or remove `seasonality='daily'` at column 29");
    check!("anomalies(m{*}, 'agile', 2, seasonality='daily', seasonality='weekly')", @"error: `seasonality=` at column 50 repeats the one at column 29; give each keyword argument once");
    check!("anomalies(m{*}, 'agile', seasonality='daily', 2)", @"error: the argument `2` at column 47 comes after the keyword argument `seasonality=` at column 26; keyword arguments go last");
    check!("anomalies(m{*}, seasonality='daily')", @"error: `anomalies` takes 3 arguments: a query, an algorithm and the bounds, then optionally `seasonality='hourly'`, `'daily'` or `'weekly'`; the call at column 1 has 1 argument");
    check!("anomalies(m{*}, 'agile', 2, seasonality='daily', direction='above')", @"error: the keyword argument `direction=` at column 50 is not supported yet");
    check!("anomalies(m{*}, 'agile', 2, alert_window='last_15m')", @"error: the keyword argument `alert_window=` at column 29 is not supported yet");
    check!("anomalies(m{*}, 'agile', 2, interval=60)", @"error: the keyword argument `interval=` at column 29 is not supported yet");
    check!("anomalies(m{*}, 'agile', 2, count_default_zero='true')", @"error: the keyword argument `count_default_zero=` at column 29 is not supported yet");
    check!("anomalies(m{*}, 'agile', 2, Seasonality='daily')", @"error: the keyword argument `Seasonality=` at column 29 is not supported yet");
    check!("top(m{*}, 5, 'max', 'desc', seasonality='daily')", @"error: `top` takes no keyword arguments; found `seasonality=` at column 29 (only `anomalies` takes `seasonality=`)");
    check!("timeshift(m{*}, -60, seasonality='daily')", @"error: `timeshift` takes no keyword arguments; found `seasonality=` at column 22 (only `anomalies` takes `seasonality=`)");
    check!("abs(m{*}, seasonality='daily')", @"error: `abs` takes no keyword arguments; found `seasonality=` at column 11 (only `anomalies` takes `seasonality=`)");
    check!("avg:m{*}.rollup(sum, seasonality='daily')", @"error: `.rollup()` takes no keyword arguments; found `seasonality=` at column 22 (only `anomalies` takes `seasonality=`)");
    check!("anomalies(m{*}, 'agile', 2, seasonality='daily'", @"error: expected `)` to close the arguments opened at column 10");
}

#[test]
fn modifier_errors() {
    check!("avg:m{*}.rolup(sum)", @"error: unknown modifier `rolup` at column 10; did you mean `rollup`?");
    check!("avg:m{*}.as_cout()", @"error: unknown modifier `as_cout` at column 10; did you mean `as_count`?");
    check!("avg:m{*}.abs()", @"error: `abs` at column 10 is a function, not a modifier; wrap the query in it, as in `abs(avg:system.cpu.user{*})`");
    check!("avg:m{*}.frobnicate()", @"error: unknown modifier `frobnicate` at column 10");
    check!("avg:m{*}.rollup", @"error: expected `(` after `.rollup` at column 16");
    check!("avg:m{*}.rollup(mean)", @"error: rollup method must be one of avg, sum, min, max, count; found `mean` at column 17");
    check!("avg:m{*}.rollup(sum, 0)", @"error: the rollup interval must be a whole number of seconds, at least 1; found `0` at column 22");
    check!("avg:m{*}.rollup(sum, -60)", @"error: the rollup interval must be a whole number of seconds, at least 1; found `-60` at column 22");
    check!("avg:m{*}.rollup(sum, 1.5)", @"error: the rollup interval must be a whole number of seconds, at least 1; found `1.5` at column 22");
    check!("avg:m{*}.rollup(0)", @"error: the rollup interval must be a whole number of seconds, at least 1; found `0` at column 17");
    check!("avg:m{*}.rollup()", @"error: `.rollup()` takes a method and an optional interval in seconds, as in `.rollup(sum, 60)`; the call at column 10 has 0 arguments");
    check!("avg:m{*}.rollup(sum, 60, 1)", @"error: `.rollup()` takes a method and an optional interval in seconds, as in `.rollup(sum, 60)`; the call at column 10 has 3 arguments");
    check!("avg:m{*}.rollup(sum, 60", @"error: expected `)` to close the arguments opened at column 16");
    check!("avg:m{*}.as_count(sum)", @"error: `.as_count()` takes no arguments; the call at column 10 has 1 argument");
    check!("avg:m{*}.fill(zeros)", @"error: fill mode must be one of null, zero, linear, last; found `zeros` at column 15");
    check!("avg:m{*}.fill(last, 601)", @"error: the fill limit must be a whole number of seconds from 1 to 600; found `601` at column 21");
    check!("avg:m{*}.fill()", @"error: `.fill()` takes a mode and an optional limit in seconds, as in `.fill(last, 300)`; the call at column 10 has 0 arguments");
    check!("avg:m{*}.rollup(sum).rollup(avg)", @"error: `.rollup()` at column 22 repeats the one at column 10; a query takes each modifier once");
    check!("avg:m{*}.as_count().as_rate()", @"error: `.as_rate()` at column 21 conflicts with `.as_count()` at column 10; use one of them");
    check!("avg:m{*}.rollup(sum) by {host}", @"error: `by {…}` at column 22 must come before the modifiers, as in `avg:m{*} by {host}.rollup(sum)`");
    check!("avg:m{*}.5", @"error: expected a modifier such as `rollup` after `.` at column 10, found `5`");
}

#[test]
fn datadog_syntax_not_supported_yet() {
    check!("avg:m{host:a AND env:b}", @"error: the boolean operator `AND` in a scope at column 14 is not supported yet");
    check!("avg:m{NOT host:a}", @"error: the boolean operator `NOT` in a scope at column 7 is not supported yet");
    check!("avg:m{host IN (a, b)}", @"error: the boolean operator `IN` in a scope at column 12 is not supported yet");
}

#[test]
fn printing_gives_canonical_text() {
    let cases = [
        (
            "avg:my_metric{host:ubuntu} by {host}",
            "avg:my_metric{host:ubuntu} by {host}",
        ),
        ("m{*}", "avg:m{*}"),
        (
            "  sum : m { Host:A , env }  by { HOST , env } ",
            "sum:m{host:a,env} by {host,env}",
        ),
        ("((max:m{a:b:c}))", "max:m{a:b:c}"),
        (
            "avg:my_metric{host:ubuntu} by {host}.rollup( sum,3600 )",
            "avg:my_metric{host:ubuntu} by {host}.rollup(sum, 3600)",
        ),
        (
            "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, \"basic\", 2.0)",
            "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)",
        ),
        (
            "top(m{*} by {host},5,max,desc)",
            "top(avg:m{*} by {host}, 5, 'max', 'desc')",
        ),
        ("m{*}.rollup(60)", "avg:m{*}.rollup(avg, 60)"),
        ("m{ ! Host:Web-* }", "avg:m{!host:web-*}"),
        ("((a{*} + b{*})) * ((2))", "(avg:a{*} + avg:b{*}) * 2"),
        ("a{*} + (b{*} * 2)", "avg:a{*} + avg:b{*} * 2"),
        ("(a{*} - b{*}) - c{*}", "avg:a{*} - avg:b{*} - avg:c{*}"),
        ("a{*} - (b{*} - c{*})", "avg:a{*} - (avg:b{*} - avg:c{*})"),
        ("a{*} / (b{*} / 2)", "avg:a{*} / (avg:b{*} / 2)"),
        ("(-a{*}) * 2", "-avg:a{*} * 2"),
        ("-(a{*} * 2)", "-(avg:a{*} * 2)"),
        ("- - a{*}", "--avg:a{*}"),
        ("a{*} * 1.50", "avg:a{*} * 1.5"),
        ("a{*} * 1e3", "avg:a{*} * 1000"),
        ("a{*} * 1e-7", "avg:a{*} * 1e-7"),
        ("a{*} * 1e20", "avg:a{*} * 1e20"),
        ("timeshift(a{*}, -36e2)", "timeshift(avg:a{*}, -3600)"),
        ("a{*},b{*}", "avg:a{*}, avg:b{*}"),
    ];
    for (input, expected) in cases {
        assert_eq!(print(input), expected, "printing {input:?}");
    }
}

#[test]
fn printed_queries_parse_back_to_the_same_tree() {
    let inputs = [
        "avg:my_metric{host:ubuntu} by {host}",
        "my_metric{*}",
        "sum:system.cpu.user{*}",
        "min:m{env:prod,host:a}",
        "max:m{env}",
        "  avg : m { host:a , env:prod }  by { host , env } ",
        "m{Host:Ubuntu} by {HOST}",
        "m{a:b:c}",
        "m{env:us-east-1/a,version:1.2.3,k_2:v_2}",
        "m{city:zürich}",
        "m{İ:İ}",
        "((m{*} by {host}))",
        "avg:my_metric{host:ubuntu}.rollup(sum, 3600)",
        "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)",
        "sum:postgresql.rows_returned{host:x}",
        "avg:system.load.5{intake} * 2",
        "metric{apples} / metric{oranges}",
        "top(avg:system.cpu.iowait{*} by {host}, 5, 'max', 'desc')",
        "a{*}, b{*}",
        "-(a{*} - -b{*} / (2 - c{*})) * 3",
        "m{!env:prod,service:*-canary} by {host}.fill(last, 300).as_rate()",
        "timeshift(week_before(m{*}), -60) - m{*}",
        "anomalies(m{*}, 'agile', 2, seasonality='hourly')",
        "anomalies(m{*} by {host}, robust, 3, seasonality=daily) * 2",
    ];
    for input in inputs {
        let first = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let printed = first.to_string();
        let second = parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        // Spans differ between the two texts, so the trees are compared through their S-expressions,
        // and printing must be stable too.
        assert_eq!(
            second.sexp(),
            first.sexp(),
            "{input:?} printed as {printed:?}"
        );
        assert_eq!(second.to_string(), printed, "{input:?}");
    }
}

/// The only expression of `input`, which must parse.
fn only_expr(input: &str) -> Expr {
    let list = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    assert_eq!(list.exprs.len(), 1, "{input}");
    list.exprs
        .into_iter()
        .next()
        .unwrap_or_else(|| unreachable!())
}

#[test]
fn nodes_carry_the_span_of_their_text() {
    let input = "(sum:my.metric{ Host:A ,!env } by {host}.rollup(sum, 60))";
    let expr = only_expr(input);
    let text = |span: Span| span.text(input);
    assert_eq!(
        text(expr.span),
        input,
        "the parentheses belong to the expression"
    );
    let ExprKind::Metric(query) = &expr.kind else {
        panic!("{expr:?}")
    };
    assert_eq!(
        text(query.span),
        "sum:my.metric{ Host:A ,!env } by {host}.rollup(sum, 60)"
    );
    assert_eq!(query.aggregator.map(|a| text(a.span)), Some("sum"));
    assert_eq!(text(query.metric.span), "my.metric");
    assert_eq!(text(query.scope.span), "{ Host:A ,!env }");
    let tags: Vec<&str> = query.scope.items.iter().map(|t| text(t.span)).collect();
    assert_eq!(tags, ["Host:A", "!env"]);
    let group_by = query
        .group_by
        .as_ref()
        .map(|g| (text(g.span), text(g.keys[0].span)));
    assert_eq!(group_by, Some(("by {host}", "host")));
    let modifiers: Vec<&str> = query.modifiers.iter().map(|m| text(m.span)).collect();
    assert_eq!(modifiers, [".rollup(sum, 60)"]);

    let input = "a{*}, -abs(b{*}) * 2";
    let list = parse(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text_of(input, list.span), input);
    let spans: Vec<&str> = list.exprs.iter().map(|e| text_of(input, e.span)).collect();
    assert_eq!(spans, ["a{*}", "-abs(b{*}) * 2"]);
    let ExprKind::Binary { lhs, rhs, .. } = &list.exprs[1].kind else {
        panic!("{:?}", list.exprs[1])
    };
    assert_eq!(text_of(input, lhs.span), "-abs(b{*})");
    assert_eq!(text_of(input, rhs.span), "2");
    let ExprKind::Neg(call) = &lhs.kind else {
        panic!("{lhs:?}")
    };
    assert_eq!(text_of(input, call.span), "abs(b{*})");
}

fn text_of(input: &str, span: Span) -> &str {
    span.text(input)
}

#[test]
fn error_spans_point_at_the_offending_text() {
    let cases = [
        ("avg:m{*} by {host})", ")"),
        ("mean:m{*}", "mean"),
        ("avg:m{host:a,:b}", ":b"),
        ("avg:m{*}.rolup(sum)", "rolup"),
        ("avg:", ""),
        ("1 + 2, m{*}", "1 + 2"),
        ("top(m{*}, 5)", "top(m{*}, 5)"),
        ("top(m{*}, 500, 'max', 'desc')", "500"),
        ("avg:m{*}.rollup(sum, -60)", "-60"),
        ("2.rollup(sum)", ".rollup"),
        ("avg:m{!*}", "!*"),
        ("avg:m{*}.rollup(sum).rollup(avg)", "rollup"),
        (
            "anomalies(m{*}, 'basic', 2, direction='above')",
            "direction=",
        ),
        (
            "anomalies(m{*}, 'agile', 2, seasonality='yearly')",
            "'yearly'",
        ),
        (
            "anomalies(m{*}, 'basic', 2, seasonality='daily')",
            "seasonality='daily'",
        ),
        (
            "anomalies(m{*}, 'agile', 2, seasonality=daily, seasonality=daily)",
            "seasonality=",
        ),
        ("anomalies(m{*}, 'agile', seasonality='daily', 2)", "2"),
        (
            "top(m{*}, 5, max, desc, seasonality=hourly)",
            "seasonality=",
        ),
    ];
    for (input, found) in cases {
        let Err(e) = parse(input) else {
            panic!("{input:?} parsed")
        };
        assert_eq!(e.found(), found, "{input:?}: {e}");
    }
    let Err(e) = parse("avg:m{city:zürich") else {
        panic!("an unclosed scope parsed")
    };
    assert_eq!(e.span, Span::new(18, 18), "byte offsets");
    assert_eq!(e.column(), 18, "character columns");
}

/// Inputs a fuzzer would try first: none may panic, and every error must point inside the input.
#[test]
fn odd_inputs_never_panic() {
    let long_name = "a".repeat(10_000);
    let mut inputs: Vec<String> = [
        "",
        " ",
        "\t\n",
        "{",
        "}",
        "(",
        ")",
        ":",
        ",",
        "*",
        "!",
        ".",
        "'",
        "\"",
        "=",
        "''",
        "avg",
        "avg:",
        "avg::",
        "avg:m{",
        "avg:m{a:b",
        "avg:m{} by",
        "avg:m{*} by {",
        "avg:m{*} by {,}",
        "avg:m{,}",
        "avg:m{*}}",
        "m{{}}",
        "m{a:b}{c}",
        "m{*} by {a} by {b}",
        "é",
        "avg:é{*}",
        "m{é:ü}",
        "m{🙂}",
        "🙂",
        "m{\u{0}}",
        "\u{feff}m{*}",
        "m{İ:İ}",
        "1e",
        "1.",
        "1e+",
        ".5",
        "m{*}.",
        "m{*}.1",
        "m{*}..rollup(sum)",
        "m{*}.rollup(",
        "m{*}.rollup(,",
        "m{*}.rollup(sum,",
        "m{*}.rollup(sum,)",
        "m{*}.rollup((",
        "m{*}.rollup(m{*}.rollup(sum))",
        "m{*}.fill(last, 1e999)",
        "m{*}.fill(last, 9223372036854775808)",
        "m{*}.rollup(sum, 1e300)",
        "top(m{*}, 18446744073709551616, 'max', 'desc')",
        "timeshift(m{*}, -9223372036854775809)",
        "anomalies(m{*}, 'basic', 1e-400)",
        "top(",
        "top(,",
        "top(m{*},,,)",
        "abs(=)",
        "abs(x=)",
        "abs(x='y')",
        "a(",
        "a()",
        "a(b)",
        "--",
        "-(",
        "((",
        "(()",
        "()",
        "by",
        "by {x}",
        "m{*} by",
        "m{*} * ",
        "m{*} / 0",
        "0 / 0 * m{*}",
        "m{*} 'unterminated",
        "m{!",
        "m{!}",
        "m{!,}",
        "m{!!}",
        "m{*:*}",
        "m{a*:*b}",
        "top(m{*}, 5, '', '')",
        "anomalies(m{*}, 'basic', 2, 3, 4)",
        "anomalies(m{*}, 'agile', 2, seasonality=",
        "anomalies(m{*}, 'agile', 2, seasonality=(",
        "anomalies(m{*}, 'agile', 2, seasonality=seasonality=daily)",
        "anomalies(m{*}, 'agile', 2, seasonality='')",
        "anomalies(seasonality='daily')",
        "abs(seasonality=)",
        "m{*}.fill(seasonality='daily')",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    inputs.push(format!("avg:{long_name}{{*}}"));
    inputs.push(format!("m{{{long_name}}}"));
    inputs.push(format!("m{{*}} by {{{}}}", "k,".repeat(5_000)));
    inputs.push(format!("m{{{}*}}", "*".repeat(5_000)));
    inputs.push("(".repeat(10_000));
    inputs.push("-".repeat(10_000));
    inputs.push("abs(".repeat(10_000));
    inputs.push("m{*}.rollup(".repeat(10_000));
    inputs.push(format!("{}m{{*}}{}", "(".repeat(5_000), ")".repeat(5_000)));
    inputs.push(format!("m{{*}}{}", " + 1".repeat(10_000)));
    inputs.push(format!("m{{*}}{}", " * (1".repeat(10_000)));
    inputs.push("m{*},".repeat(10_000));
    inputs.push("é".repeat(10_000));
    inputs.push("{".repeat(10_000));
    inputs.push("'".repeat(10_001));
    for input in &inputs {
        match parse(input) {
            Err(e) => {
                let message = e.to_string();
                assert!(
                    e.span.start <= e.span.end && e.span.end <= input.len(),
                    "{input:?}: {message}"
                );
                assert!(input.is_char_boundary(e.span.start) && input.is_char_boundary(e.span.end));
                assert!(message.len() < 400, "messages stay short: {message}");
            }
            Ok(list) => {
                let printed = list.to_string();
                let again = parse(&printed).map(|l| l.sexp());
                assert_eq!(again, Ok(list.sexp()), "{input:?} printed as {printed:?}");
            }
        }
    }
}

#[test]
fn metric_names_longer_than_the_intake_allows_are_refused() {
    let ok = format!("avg:{}{{*}}", "a".repeat(200));
    assert!(parse(&ok).is_ok());
    check!(&format!("avg:{}{{*}}", "a".repeat(201)), @"error: the metric name at column 5 is longer than 200 characters");
}

#[test]
fn suggestions_are_close_spellings() {
    let cases = [
        ("rolup", Some("rollup")),
        ("ABS", Some("abs")),
        ("log", Some("log2")),
        ("derivate", Some("derivative")),
        ("anomaly", Some("anomalies")),
        ("timeshfit", Some("timeshift")),
        ("as_cout", Some("as_count")),
        ("cumsumm", Some("cumsum")),
        ("frobnicate", None),
        ("x", None),
        ("", None),
    ];
    for (name, expected) in cases {
        assert_eq!(suggest(name), expected, "{name}");
    }
    assert_eq!(suggest(&"a".repeat(10_000)), None);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("zürich", "zurich"), 1);
}

/// Generated trees print to text that parses back to the same tree.
mod round_trip {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::super::super::ast::{
        AnomalyAlgorithm, BinOp, Call, Expr, ExprKind, FillMode, GroupBy, Metric, MetricQuery,
        Modifier, ModifierKind, Order, QueryList, RollupMethod, Scope, Seasonality,
        SpaceAggregator, TagFilter, TagKey, TopRank, UnaryFunc,
    };
    use super::super::super::{Aggregator, Span};
    use super::parse;

    fn expr(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    fn tag_filter() -> impl Strategy<Value = TagFilter> {
        (
            any::<bool>(),
            "[a-z*é][a-z0-9_./*é名-]{0,6}",
            proptest::option::of("[a-z0-9_./:*é名-]{1,6}"),
        )
            // `*` alone is the whole-scope star, not a filter.
            .prop_filter("a lone `*` is not a tag", |(_, key, value)| {
                key != "*" || value.is_some()
            })
            .prop_map(|(negated, key, value)| TagFilter {
                negated,
                key,
                value,
                span: Span::default(),
            })
    }

    fn metric_query() -> impl Strategy<Value = MetricQuery> {
        let group_by =
            proptest::collection::vec("[a-z][a-z0-9_.-]{0,6}", 1..3).prop_map(|keys| GroupBy {
                keys: keys
                    .into_iter()
                    .map(|name| TagKey {
                        name,
                        span: Span::default(),
                    })
                    .collect(),
                span: Span::default(),
            });
        let modifier = prop_oneof![
            (
                select(RollupMethod::ALL),
                proptest::option::of(1i64..1_000_000)
            )
                .prop_map(|(method, interval_secs)| ModifierKind::Rollup {
                    method,
                    interval_secs
                }),
            Just(ModifierKind::AsCount),
            Just(ModifierKind::AsRate),
            (select(FillMode::ALL), proptest::option::of(1i64..=600))
                .prop_map(|(mode, limit_secs)| ModifierKind::Fill { mode, limit_secs }),
        ];
        (
            proptest::option::of(select(SpaceAggregator::ALL)),
            "[a-zA-Z][a-zA-Z0-9_.]{0,12}",
            proptest::collection::vec(tag_filter(), 0..4),
            proptest::option::of(group_by),
            proptest::collection::vec(modifier, 0..4),
        )
            .prop_map(|(aggregator, name, items, group_by, kinds)| {
                // Each kind of modifier once, and `.as_count()` and `.as_rate()` not together.
                let mut modifiers: Vec<Modifier> = Vec::new();
                for kind in kinds {
                    let slot = super::modifier_slot(kind);
                    if modifiers
                        .iter()
                        .all(|m| super::modifier_slot(m.kind) != slot)
                    {
                        modifiers.push(Modifier {
                            kind,
                            span: Span::default(),
                        });
                    }
                }
                MetricQuery {
                    aggregator: aggregator.map(|kind| Aggregator {
                        kind,
                        span: Span::default(),
                    }),
                    metric: Metric {
                        name,
                        span: Span::default(),
                    },
                    scope: Scope {
                        items,
                        span: Span::default(),
                    },
                    group_by,
                    modifiers,
                    span: Span::default(),
                }
            })
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            (0u32..1_000).prop_map(f64::from),
            (0u32..1_000_000).prop_map(|n| f64::from(n) / 1_000.0),
            any::<f64>().prop_filter_map("finite", |x| x.is_finite().then_some(x.abs())),
        ]
    }

    fn boxed(e: Expr) -> Box<Expr> {
        Box::new(e)
    }

    fn any_expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            3 => metric_query().prop_map(|q| expr(ExprKind::Metric(q))),
            1 => number().prop_map(|n| expr(ExprKind::Number(n))),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            const OPS: [BinOp; 4] = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div];
            prop_oneof![
                inner.clone().prop_map(|e| expr(ExprKind::Neg(boxed(e)))),
                (select(&OPS[..]), inner.clone(), inner.clone()).prop_map(|(op, lhs, rhs)| {
                    expr(ExprKind::Binary {
                        op,
                        lhs: boxed(lhs),
                        rhs: boxed(rhs),
                    })
                }),
                (select(UnaryFunc::ALL), inner.clone()).prop_map(|(func, arg)| {
                    expr(ExprKind::Call(Call::Unary {
                        func,
                        arg: boxed(arg),
                    }))
                }),
                (
                    inner.clone(),
                    1usize..=100,
                    select(TopRank::ALL),
                    select(Order::ALL)
                )
                    .prop_map(|(arg, limit, rank, order)| {
                        expr(ExprKind::Call(Call::Top {
                            arg: boxed(arg),
                            limit,
                            rank,
                            order,
                        }))
                    }),
                (inner.clone(), -10_000_000i64..10_000_000).prop_map(|(arg, offset_secs)| {
                    expr(ExprKind::Call(Call::Timeshift {
                        arg: boxed(arg),
                        offset_secs,
                    }))
                }),
                (
                    inner,
                    select(AnomalyAlgorithm::ALL),
                    number().prop_filter("positive", |b| *b > 0.0),
                    proptest::option::of(select(Seasonality::ALL)),
                )
                    .prop_map(|(arg, algorithm, bounds, seasonality)| {
                        expr(ExprKind::Call(Call::Anomalies {
                            arg: boxed(arg),
                            algorithm,
                            bounds,
                            // `basic` has no seasonality.
                            seasonality: seasonality
                                .filter(|_| algorithm != AnomalyAlgorithm::Basic),
                        }))
                    }),
            ]
        })
    }

    /// A top-level query: one with a metric somewhere, as the parser requires.
    fn top_level() -> impl Strategy<Value = Expr> {
        (metric_query(), any_expr()).prop_map(|(query, e)| {
            if e.has_metric() {
                e
            } else {
                expr(ExprKind::Binary {
                    op: BinOp::Add,
                    lhs: boxed(expr(ExprKind::Metric(query))),
                    rhs: boxed(e),
                })
            }
        })
    }

    fn query_list() -> impl Strategy<Value = QueryList> {
        proptest::collection::vec(top_level(), 1..4).prop_map(|exprs| QueryList {
            exprs,
            span: Span::default(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn printed_trees_parse_back_to_themselves(list in query_list()) {
            let printed = list.to_string();
            let parsed = parse(&printed);
            prop_assert!(parsed.is_ok(), "{printed:?}: {:?}", parsed.as_ref().err().map(ToString::to_string));
            let parsed = parsed.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(parsed.sexp(), list.sexp(), "printed as {:?}", printed);
            prop_assert_eq!(parsed.to_string(), printed);
        }
    }
}
