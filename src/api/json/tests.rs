use serde_json::json;

use super::*;

#[test]
fn reads_values_as_serde_json_does() {
    let texts = [
        r#"{"a": [1, -2, 3.5, 1e3, -0.0, 2.5E-7, 18446744073709551615, -9223372036854775808],
            "s": "q\"b\\s\/l\b\f\n\r\t \u00e9 \ud83d\ude00 ✓", "t": true, "f": false, "n": null,
            "o": {}, "e": [], "nested": [[{"x": [null]}]]}"#,
        "  [ 0 , 1 ]  ",
        "\"just a string\"",
        "12",
    ];
    for text in texts {
        let ours = parse_value(text).expect("reads");
        let theirs: Value = serde_json::from_str(text).expect("serde reads");
        assert_eq!(ours, theirs, "{text}");
    }
}

#[test]
fn syntax_errors_say_where() {
    let cases = [
        (
            r#"{"title": "x", "widgets": [}"#,
            "expected a value at line 1 column 28",
        ),
        ("{", "expected a member name at line 1 column 2"),
        ("{\"a\" 1}", "expected `:` at line 1 column 6"),
        ("[1 2]", "expected `,` or `]` at line 1 column 4"),
        ("{\"a\": 1 \"b\"}", "expected `,` or `}` at line 1 column 9"),
        ("[1]\n x", "trailing characters at line 2 column 2"),
        ("\"abc", "unterminated string at line 1 column 2"),
        ("\"a\\qb\"", "invalid escape at line 1 column 4"),
        ("\"\\u12g4\"", "invalid \\u escape at line 1 column 4"),
        (
            "\"a\tb\"",
            "control character in a string at line 1 column 3",
        ),
        ("-", "expected a value at line 1 column 1"),
        ("1.", "expected a value at line 1 column 1"),
        ("nul", "expected a value at line 1 column 1"),
        ("", "expected a value at line 1 column 1"),
    ];
    for (text, want) in cases {
        assert_eq!(parse_value(text).expect_err(text), want, "{text}");
        assert!(
            serde_json::from_str::<Value>(text).is_err(),
            "serde accepts {text}"
        );
    }
}

#[test]
fn writes_what_reads_back() {
    let v = json!({
        "title": "a \"quoted\" \\ title\nwith\ttabs and \u{1} and ✓ </script>",
        "n": [0, -3, 18446744073709551615u64, 0.1, 2.5e-7, 1e21, 100.0, -0.5],
        "empty": {}, "none": [], "null": null, "yes": true, "no": false,
        "nested": {"a": [{"b": 1}]}
    });
    for text in [to_string(&v), to_string_pretty(&v)] {
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("serde reads"),
            v,
            "{text}"
        );
        assert_eq!(parse_value(&text).expect("reads"), v, "{text}");
    }
}

#[test]
fn compact_and_pretty_forms() {
    let v = json!({"a": [1, 2], "b": {}, "c": "x"});
    assert_eq!(to_string(&v), r#"{"a":[1,2],"b":{},"c":"x"}"#);
    assert_eq!(
        to_string_pretty(&v),
        "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": \"x\"\n}"
    );
    assert_eq!(to_string(&json!(-2.0)), "-2.0");
    assert_eq!(to_string(&json!(1e21)), "1000000000000000000000.0");
}
