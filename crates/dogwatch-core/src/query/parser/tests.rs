//! Parser tests: inputs against S-expressions or error messages, printing round trips, spans, and odd
//! inputs that must not panic.

use super::*;

/// The tree as an S-expression, or the error message: what the snapshots compare.
fn render(input: &str) -> String {
    match parse(input) {
        Ok(query) => query.sexp(),
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
    check!("avg:m{*} foo", @"error: unexpected `foo` at column 10");
    check!("(avg:m{*}", @"error: expected `)` to close the parenthesis opened at column 1");
    check!("(avg:m{*} by {host} x)", @"error: expected `)` to close the parenthesis opened at column 1, found `x` at column 21");
    check!("avg:m@{*}", @"error: unexpected character `@` at column 6");
    check!("avg:métric{*}", @"error: unexpected character `é` at column 6");
    check!("avg:m{host:a#b}", @"error: unexpected character `#` in a tag at column 13; tags may contain letters, digits and `_ - . / :`");
    check!("avg:m{city:zürich", @"error: expected `}` to close the scope opened at column 6");
    check!("avg:m{*}.", @"error: unexpected `.` at column 9");
    check!(&"(".repeat(10_000), @"error: parentheses nested more than 32 deep at column 33");
    check!("avg:m{a\u{0}}", @r"error: unexpected character `\u{0}` in a tag at column 8; tags may contain letters, digits and `_ - . / :`");
    check!("avg:m{city:zürich x}", @"error: expected `}` to close the scope opened at column 6, found `x` at column 19");
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
}

#[test]
fn datadog_syntax_not_supported_yet() {
    check!("abs(avg:m{*})", @"error: the function `abs(…)` at column 1 is not supported yet");
    check!("avg:m{*}.rollup(sum, 3600)", @"error: the modifier `.rollup(…)` at column 9 is not supported yet");
    check!("avg:m{*} * 2", @"error: arithmetic (`*`) at column 10 is not supported yet");
    check!("avg:m{*} / avg:n{*}", @"error: arithmetic (`/`) at column 10 is not supported yet");
    check!("2", @"error: the number `2` at column 1 is not supported yet");
    check!("-avg:m{*}", @"error: negation (`-`) at column 1 is not supported yet");
    check!("avg:m{*}, avg:n{*}", @"error: a second query after `,` at column 9 is not supported yet");
    check!("avg:m{!host:a}", @"error: excluding tags with `!` at column 7 is not supported yet");
    check!("avg:m{service:*-canary}", @"error: the wildcard in `service:*-canary` at column 7 is not supported yet");
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
    ];
    for (input, expected) in cases {
        let query = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(query.to_string(), expected, "printing {input:?}");
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
        "((m{*} by {host}))",
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

#[test]
fn nodes_carry_the_span_of_their_text() {
    let input = "(sum:my.metric{ Host:A ,env } by {host})";
    let query = parse(input).unwrap_or_else(|e| panic!("{e}"));
    let text = |span: Span| span.text(input);
    assert_eq!(text(query.span), "sum:my.metric{ Host:A ,env } by {host}");
    assert_eq!(query.aggregator.map(|a| text(a.span)), Some("sum"));
    assert_eq!(text(query.metric.span), "my.metric");
    assert_eq!(text(query.scope.span), "{ Host:A ,env }");
    let tags: Vec<&str> = query.scope.items.iter().map(|t| text(t.span)).collect();
    assert_eq!(tags, ["Host:A", "env"]);
    let group_by = query
        .group_by
        .as_ref()
        .map(|g| (text(g.span), text(g.keys[0].span)));
    assert_eq!(group_by, Some(("by {host}", "host")));
}

#[test]
fn error_spans_point_at_the_offending_text() {
    let cases = [
        ("avg:m{*} by {host})", ")"),
        ("mean:m{*}", "mean"),
        ("avg:m{host:a,:b}", ":b"),
        ("avg:m{*}.rollup(sum)", ".rollup"),
        ("avg:", ""),
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
        "--",
        "-(",
        "((",
        "(()",
        "a(",
        "by",
        "by {x}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    inputs.push(format!("avg:{long_name}{{*}}"));
    inputs.push(format!("m{{{long_name}}}"));
    inputs.push(format!("m{{*}} by {{{}}}", "k,".repeat(5_000)));
    inputs.push("(".repeat(10_000));
    inputs.push(format!("{}m{{*}}{}", "(".repeat(5_000), ")".repeat(5_000)));
    inputs.push("é".repeat(10_000));
    inputs.push("{".repeat(10_000));
    for input in &inputs {
        if let Err(e) = parse(input) {
            let message = e.to_string();
            assert!(
                e.span.start <= e.span.end && e.span.end <= input.len(),
                "{input:?}: {message}"
            );
            assert!(input.is_char_boundary(e.span.start) && input.is_char_boundary(e.span.end));
            assert!(message.len() < 400, "messages stay short: {message}");
        }
    }
}

#[test]
fn metric_names_longer_than_the_intake_allows_are_refused() {
    let ok = format!("avg:{}{{*}}", "a".repeat(200));
    assert!(parse(&ok).is_ok());
    check!(&format!("avg:{}{{*}}", "a".repeat(201)), @"error: the metric name at column 5 is longer than 200 characters");
}
