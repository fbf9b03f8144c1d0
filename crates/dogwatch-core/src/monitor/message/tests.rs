//! Message tests: the seed monitor's message in each state, every section and variable, the
//! lenient rendering, `check`'s positions, and arbitrary templates that must not panic.

use super::*;

const T0_MS: i64 = 1_763_737_445_000; // 2025-11-21 15:04:05 UTC

fn ctx(from: State, to: State, kind: TransitionKind, value: Option<f64>) -> RenderContext {
    RenderContext {
        transition: Transition { from, to, kind },
        value,
        thresholds: Thresholds {
            critical: Some(800.0),
            warning: Some(500.0),
            critical_recovery: None,
            warning_recovery: None,
        },
        comparator: Comparator::Gt,
        group_tags: vec![
            ("host".into(), "ubuntu".into()),
            ("kube.namespace".into(), "web".into()),
        ],
        host_ip: Some("10.0.0.7".into()),
        last_triggered_ms: Some(T0_MS),
        first_triggered_ms: Some(T0_MS - 60_000),
    }
}

fn alert() -> RenderContext {
    ctx(
        State::Warn,
        State::Alert,
        TransitionKind::Trigger,
        Some(900.0),
    )
}

/// The message of every kind of transition, one per line, named by its sections.
fn every_state(template: &str) -> String {
    use State::{Alert, NoData, Ok, Warn};
    use TransitionKind::*;
    let cases = [
        ("ok->warn", ctx(Ok, Warn, Trigger, Some(600.0))),
        ("warn->alert", ctx(Warn, Alert, Trigger, Some(900.0))),
        ("alert->warn", ctx(Alert, Warn, AlertToWarning, Some(700.0))),
        ("alert->ok", ctx(Alert, Ok, Recovery, Some(100.0))),
        ("warn->ok", ctx(Warn, Ok, Recovery, Some(100.0))),
        ("ok->nodata", ctx(Ok, NoData, TransitionKind::NoData, None)),
        ("nodata->ok", ctx(NoData, Ok, Recovery, Some(1.0))),
        ("alert renotify", ctx(Alert, Alert, Renotify, Some(900.0))),
    ];
    let lines: Vec<String> = cases
        .iter()
        .map(|(name, c)| format!("{name}: {}", render(template, c)))
        .collect();
    lines.join("\n")
}

#[test]
fn seed_message_in_each_state() {
    let template = "{{#is_alert}}my_metric is {{value}} on {{host.name}} ({{host.ip}}), above {{threshold}}{{/is_alert}}\
{{#is_warning}}warning: {{value}} {{comparator}} {{warn_threshold}}{{/is_warning}}\
{{#is_no_data}}no data from {{host.name}}{{/is_no_data}}\
{{#is_recovery}}recovered at {{value}}{{/is_recovery}} @someone@example.com";
    insta::assert_snapshot!(every_state(template), @"
    ok->warn: warning: 600 > 500 @someone@example.com
    warn->alert: my_metric is 900 on ubuntu (10.0.0.7), above 800 @someone@example.com
    alert->warn: warning: 700 > 500 @someone@example.com
    alert->ok: recovered at 100 @someone@example.com
    warn->ok: recovered at 100 @someone@example.com
    ok->nodata: no data from ubuntu @someone@example.com
    nodata->ok: recovered at 1 @someone@example.com
    alert renotify: my_metric is 900 on ubuntu (10.0.0.7), above 800 @someone@example.com
    ");
}

#[test]
fn every_section() {
    let template = "{{#is_alert}}A{{/is_alert}}{{#is_warning}}W{{/is_warning}}{{#is_no_data}}N{{/is_no_data}}\
{{#is_recovery}}R{{/is_recovery}}{{#is_alert_recovery}}ar{{/is_alert_recovery}}\
{{#is_warning_recovery}}wr{{/is_warning_recovery}}{{#is_no_data_recovery}}nr{{/is_no_data_recovery}}\
{{#is_alert_to_warning}}aw{{/is_alert_to_warning}}{{#is_renotify}}again{{/is_renotify}}";
    insta::assert_snapshot!(every_state(template), @"
    ok->warn: W
    warn->alert: A
    alert->warn: Waw
    alert->ok: Rar
    warn->ok: Rwr
    ok->nodata: N
    nodata->ok: Rnr
    alert renotify: Aagain
    ");
}

#[test]
fn negated_and_nested_sections() {
    let template = "{{^is_alert}}not alert{{/is_alert}}|{{#is_recovery}}back{{#is_alert_recovery}} from alert{{/is_alert_recovery}}{{^is_no_data_recovery}}!{{/is_no_data_recovery}}{{/is_recovery}}";
    insta::assert_snapshot!(every_state(template), @"
    ok->warn: not alert|
    warn->alert: |
    alert->warn: not alert|
    alert->ok: not alert|back from alert!
    warn->ok: not alert|back!
    ok->nodata: not alert|
    nodata->ok: not alert|back
    alert renotify: |
    ");
}

#[test]
fn variables() {
    let c = alert();
    let cases = [
        ("{{value}}", "900"),
        ("{{ value }}", "900"),
        ("{{{value}}}", "900"),
        ("{{{ value }}}", "900"),
        ("{ {{value}} }", "{ 900 }"),
        ("{{{value}}", "{900"),
        (
            "{{threshold}}/{{warn_threshold}}/{{comparator}}",
            "800/500/>",
        ),
        ("{{last_triggered_at}}", "2025-11-21 15:04:05 UTC"),
        ("{{first_triggered_at}}", "2025-11-21 15:03:05 UTC"),
        ("{{last_triggered_at_epoch}}", "1763737445000"),
        ("{{host.name}}", "ubuntu"),
        ("{{HOST.name}}", "ubuntu"),
        ("{{host.ip}}", "10.0.0.7"),
        ("{{[kube.namespace].name}}", "web"),
        ("{{ [kube.namespace].name }}", "web"),
        ("{{env.name}}", ""),
        ("{{host.os}}", ""),
        ("{{nonsense}}", ""),
        ("{{}}", ""),
        ("{{ok_threshold}}", ""),
        ("{{! a comment }}x", "x"),
        (
            "<script>alert(1)</script> & {{host.name}}",
            "<script>alert(1)</script> & ubuntu",
        ),
    ];
    for (template, expected) in cases {
        assert_eq!(render(template, &c), expected, "{template}");
    }
    // No data: no value; no host attribute map: no ip; no warning threshold.
    let mut nodata = ctx(State::Ok, State::NoData, TransitionKind::NoData, None);
    nodata.host_ip = None;
    nodata.thresholds.warning = None;
    nodata.last_triggered_ms = None;
    assert_eq!(
        render(
            "[{{value}}|{{host.ip}}|{{warn_threshold}}|{{last_triggered_at}}]",
            &nodata
        ),
        "[|||]"
    );
}

#[test]
fn values_are_compact() {
    let cases = [
        (800.0, "800"),
        (812.5, "812.5"),
        (0.003, "0.003"),
        (-3.0, "-3"),
        (0.1 + 0.2, "0.3"),
        (812.499_999_999, "812.5"),
        (2.0 / 3.0, "0.666667"),
        (123_456.7, "123457"),
        (1e20, "1e20"),
        (1.5e-7, "1.5e-7"),
        (-0.0, "0"),
        (-1e-9, "-1e-9"),
        (999_999_999_999_999.0, "1e15"),
        (f64::NAN, "NaN"),
    ];
    for (value, expected) in cases {
        assert_eq!(format_value(value), expected, "{value}");
    }
}

#[test]
fn times_are_utc() {
    assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
    assert_eq!(format_utc(i64::MAX), "9999-12-31 23:59:59 UTC");
    assert_eq!(format_utc(i64::MIN), "0001-01-01 00:00:00 UTC");
}

#[test]
fn rendering_forgives() {
    let c = alert();
    // An unclosed section runs to the end.
    assert_eq!(render("a{{#is_alert}}b", &c), "ab");
    assert_eq!(render("a{{#is_warning}}b", &c), "a");
    // A stray closing tag is ignored.
    assert_eq!(render("a{{/is_alert}}b", &c), "ab");
    // Closing an outer section closes the inner one.
    assert_eq!(
        render("{{#is_alert}}x{{#is_warning}}y{{/is_alert}}z", &c),
        "xz"
    );
    // Unclosed braces are text.
    assert_eq!(render("a {{value b", &c), "a {{value b");
    assert_eq!(render("a {{value {{value}}", &c), "a {{value 900");
    // Unknown and unsupported sections are false; their negation is true.
    assert_eq!(render("{{#is_pager}}x{{/is_pager}}", &c), "");
    assert_eq!(render("{{^is_pager}}x{{/is_pager}}", &c), "x");
    assert_eq!(
        render(r#"{{#is_match "role.name" "db"}}x{{/is_match}}"#, &c),
        ""
    );
}

fn check_message(template: &str) -> String {
    match check(template) {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn check_names_the_position() {
    assert_eq!(
        check_message("{{#is_alert}}high{{/is_alert}}{{^is_warning}}{{value}}{{/is_warning}}"),
        "ok"
    );
    insta::assert_snapshot!(check_message("x\n  {{#is_alert}}high"), @"the section `is_alert` opened at line 2, column 3 is never closed; end it with `{{/is_alert}}`");
    insta::assert_snapshot!(check_message("é {{/is_alert}}"), @"`{{/is_alert}}` at line 1, column 3 closes a section that is not open");
    insta::assert_snapshot!(check_message("{{#is_alert}}{{#is_warning}}x{{/is_alert}}"), @"the section `is_warning` opened at line 1, column 14 is never closed; end it with `{{/is_warning}}`");
    insta::assert_snapshot!(check_message("value {{value"), @"`{{` at line 1, column 7 is never closed with `}}`");
    insta::assert_snapshot!(check_message("{{#is_alrt}}x{{/is_alrt}}"), @"unknown section `is_alrt` at line 1, column 1; use one of is_alert, is_warning, is_no_data, is_recovery, is_alert_recovery, is_warning_recovery, is_alert_to_warning, is_no_data_recovery, is_renotify");
    insta::assert_snapshot!(check_message(r#"{{#is_match "role.name" "db"}}x{{/is_match}}"#), @"the section `is_match` at line 1, column 1 is not supported yet");
    let deep = "{{#is_alert}}".repeat(MAX_DEPTH + 1) + &"{{/is_alert}}".repeat(MAX_DEPTH + 1);
    insta::assert_snapshot!(check_message(&deep), @"sections nest more than 32 deep at line 1, column 417");
    let Err(e) = check("ab\n{{/x}}") else {
        panic!("should fail")
    };
    assert_eq!((e.line, e.column, e.span), (2, 1, Span::new(3, 9)));
}

mod properties {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{",
        "}",
        "#",
        "^",
        "/",
        "!",
        "is_alert",
        "is_recovery",
        "value",
        "host.name",
        "[a.b].name",
        "[",
        "]",
        ".",
        " ",
        "\n",
        "é",
        "x",
        "@a",
        "\"",
    ];

    proptest! {
        #[test]
        fn rendering_and_checking_never_panic(text in "\\PC{0,60}") {
            let _ = render(&text, &alert());
            if let Err(e) = check(&text) {
                let _ = e.to_string();
            }
        }

        #[test]
        fn template_pieces_never_panic(pieces in proptest::collection::vec(select(PIECES), 0..30)) {
            let text = pieces.concat();
            let _ = render(&text, &alert());
            if let Err(e) = check(&text) {
                prop_assert!(e.span.start <= text.len());
                let _ = e.to_string();
            }
        }

        #[test]
        fn values_format_and_parse_back_closely(value in any::<f64>()) {
            let text = format_value(value);
            if value.is_finite() {
                let back: f64 = text.parse().unwrap_or(f64::NAN);
                prop_assert!((back - value).abs() <= value.abs() * 1e-5, "{} -> {}", value, text);
            }
        }
    }

    #[test]
    fn deep_nesting_is_cut_off() {
        let deep = "{{#is_alert}}".repeat(100_000) + "x";
        assert_eq!(render(&deep, &alert()), "x");
    }
}
