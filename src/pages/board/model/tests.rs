use serde_json::json;

use super::*;

/// Reads JSON as the board page reads the API's answer.
fn from_json(v: &Value) -> Result<Board, FieldError> {
    Board::parse(&v.to_string())
}

/// The board as the page sends it, as JSON.
fn to_json(board: &Board) -> Value {
    serde_json::to_value(board.to_wire()).expect("writes")
}

/// What the server stores for `api.Timeboard.create(...)` from the seed script (see
/// handlers/dashboards.rs `dash_input`), as `/api/v1/dashboard/{id}` answers it.
fn seed_board() -> Value {
    json!({
        "id": "abc-123-def",
        "title": "Seed board",
        "description": "made by a script",
        "layout_type": "ordered",
        "widgets": [{
            "id": 1,
            "definition": {"type": "timeseries", "title": "Three graphs", "requests": [
                {"q": "avg:my_metric{host:ubuntu}", "display_type": "line"},
                {"q": "anomalies(avg:mysql.performance.cpu_time{host:ubuntu}, 'basic', 2)", "display_type": "line"},
                {"q": "avg:my_metric{host:ubuntu}.rollup(sum, 3600)", "display_type": "line"}
            ]}
        }],
        "template_variables": [{"name": "host1", "prefix": "host", "default": "host:ubuntu"}],
        "is_read_only": true,
        "url": "/dashboard/abc-123-def/seed-board",
        "author_handle": "dogwatch",
        "created_at": "2026-11-21T10:00:00.000000+00:00",
        "modified_at": "2026-11-21T10:00:00.000000+00:00",
        "notify_list": ["alice"]
    })
}

#[test]
fn reads_what_the_legacy_api_stored() {
    let board = from_json(&seed_board()).expect("valid");
    assert_eq!(board.id.as_deref(), Some("abc-123-def"));
    assert_eq!(board.title, "Seed board");
    assert!(board.read_only);
    assert_eq!(board.widgets.len(), 1);
    let w = &board.widgets[0];
    assert_eq!(w.definition.kind, Kind::Timeseries);
    assert_eq!(w.layout, None);
    let qs: Vec<&str> = board.queries().collect();
    assert_eq!(qs[2], "avg:my_metric{host:ubuntu}.rollup(sum, 3600)");
    assert_eq!(
        board.template_variables,
        vec![TemplateVariable {
            name: "host1".into(),
            prefix: Some("host".into()),
            default: Some("host:ubuntu".into())
        }]
    );
}

#[test]
fn writing_back_keeps_unknown_fields_and_drops_server_made_ones() {
    let mut board = from_json(&seed_board()).expect("valid");
    board.widgets[0].layout = Some(Rect {
        x: 0,
        y: 0,
        width: 4,
        height: 3,
    });
    let out = to_json(&board);
    assert_eq!(out["notify_list"], json!(["alice"]));
    assert_eq!(out["layout_type"], json!("free"));
    assert!(out.get("url").is_none() && out.get("created_at").is_none() && out.get("id").is_none());
    assert_eq!(
        out["widgets"][0]["layout"],
        json!({"x": 0, "y": 0, "width": 4, "height": 3})
    );
    assert_eq!(
        out["widgets"][0]["definition"]["requests"][0]["style"],
        json!({"palette": "dog_classic"})
    );
    // And it reads back the same.
    let again = from_json(&out).expect("valid");
    assert_eq!(again.widgets, board.widgets);
    assert_eq!(again.template_variables, board.template_variables);
}

#[test]
fn every_widget_kind_round_trips() {
    let v = json!({
        "title": "All kinds",
        "layout_type": "free",
        "widgets": [
            {"id": 3, "layout": {"x": 0, "y": 0, "width": 4, "height": 3}, "definition": {
                "type": "timeseries", "title": "t",
                "requests": [{"q": "avg:a{*}", "display_type": "bars", "style": {"palette": "warm"}}],
                "yaxis": {"min": "0", "max": "auto", "scale": "log"},
                "markers": [{"value": "y = 800", "label": "alert", "display_type": "error dashed"}]}},
            {"id": 4, "layout": {"x": 4, "y": 0, "width": 2, "height": 2}, "definition": {
                "type": "query_value", "title": "qv", "precision": 1,
                "requests": [{"q": "avg:a{*}", "aggregator": "last",
                    "conditional_formats": [{"comparator": ">", "value": 800, "palette": "white_on_red"}]}]}},
            {"id": 5, "layout": {"x": 6, "y": 0, "width": 2, "height": 2}, "definition": {
                "type": "change", "requests": [{"q": "avg:a{*} by {host}", "compare_to": "day_before", "change_type": "relative", "increase_good": true}]}},
            {"id": 6, "layout": {"x": 8, "y": 0, "width": 2, "height": 2}, "definition": {"type": "note", "content": "# hi"}},
            {"id": 7, "layout": {"x": 10, "y": 0, "width": 2, "height": 2}, "definition": {"type": "event_stream", "query": "tags:deploy"}}
        ]
    });
    let board = from_json(&v).expect("valid");
    let d = &board.widgets[0].definition;
    assert_eq!(d.requests[0].display, Display::Bars);
    assert_eq!(d.requests[0].palette, Palette::Warm);
    assert_eq!(
        d.y_axis,
        YAxis {
            min: Some(0.0),
            max: None,
            log: true
        }
    );
    assert_eq!(
        d.markers,
        vec![Marker {
            value: 800.0,
            label: "alert".into()
        }]
    );
    let qv = &board.widgets[1].definition;
    assert_eq!(qv.requests[0].reducer, Reducer::Last);
    assert_eq!(qv.precision, Some(1));
    assert_eq!(
        qv.requests[0].conditional_formats[0].palette,
        FormatPalette::WhiteOnRed
    );
    let ch = &board.widgets[2].definition.requests[0];
    assert_eq!((ch.compare_to, ch.relative), (CompareTo::DayBefore, true));
    assert_eq!(ch.extra.get("increase_good"), Some(&json!(true)));
    assert_eq!(board.widgets[3].definition.content, "# hi");
    assert_eq!(
        board.widgets[4].definition.kind,
        Kind::Other("event_stream".into())
    );
    let again = from_json(&to_json(&board)).expect("valid");
    assert_eq!(again.widgets, board.widgets);
    assert_eq!(
        to_json(&board)["widgets"][4]["definition"]["query"],
        json!("tags:deploy")
    );
}

#[test]
fn widgets_without_ids_or_with_duplicates_get_fresh_ones() {
    let v = json!({"title": "t", "widgets": [
        {"definition": {"type": "note", "content": "a"}},
        {"id": 5, "definition": {"type": "note", "content": "b"}},
        {"id": 5, "definition": {"type": "note", "content": "c"}}
    ]});
    let ids: Vec<i64> = from_json(&v)
        .expect("valid")
        .widgets
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(ids, vec![6, 5, 7]);
}

fn problem(text: &str) -> String {
    Board::parse(text).expect_err("invalid").to_string()
}

#[test]
fn import_errors_name_the_field() {
    assert!(
        problem("{").starts_with("not valid JSON: "),
        "{}",
        problem("{")
    );
    assert_eq!(problem("[]"), "the dashboard must be an object");
    assert_eq!(problem(r#"{"widgets": []}"#), "title is required");
    assert_eq!(problem(r#"{"title": "t"}"#), "widgets is required");
    assert_eq!(
        problem(r#"{"title": "t", "widgets": [{"definition": {}}]}"#),
        "widgets[0].definition.type is required"
    );
    assert_eq!(
        problem(
            r#"{"title": "t", "widgets": [{"definition": {"type": "timeseries", "requests": [{"query": "x"}]}}]}"#
        ),
        "widgets[0].definition.requests[0].q is required"
    );
    assert_eq!(
        problem(
            r#"{"title": "t", "widgets": [{"definition": {"type": "timeseries"}, "layout": {"x": 0, "y": "1", "width": 2, "height": 2}}]}"#
        ),
        "widgets[0].layout.y must be a whole number 0 or more"
    );
    assert_eq!(
        problem(
            r#"{"title": "t", "widgets": [{"definition": {"type": "timeseries", "requests": [{"q": "a", "display_type": "pie"}]}}]}"#
        ),
        "widgets[0].definition.requests[0].display_type must be \"line\", \"area\" or \"bars\", got \"pie\""
    );
    assert_eq!(
        problem(r#"{"title": "t", "layout_type": "grid", "widgets": []}"#),
        "layout_type must be \"ordered\" or \"free\", got \"grid\""
    );
    assert_eq!(
        problem(r#"{"title": "t", "widgets": [], "template_variables": [{"prefix": "host"}]}"#),
        "template_variables[0].name is required"
    );
}

#[test]
fn markers_read_datadogs_equations() {
    assert_eq!(marker_value("y = 800"), Some(800.0));
    assert_eq!(marker_value("y=-2.5"), Some(-2.5));
    assert_eq!(marker_value("42"), Some(42.0));
    assert_eq!(marker_value("x = 1"), None);
}

#[test]
fn metric_names_are_read_before_scopes() {
    assert_eq!(
        metric_names_in(
            "anomalies(avg:mysql.performance.cpu_time{$host1}, 'basic', 2) + sum:b{*} by {host}"
        ),
        ["mysql.performance.cpu_time", "b"]
    );
    let board = from_json(&seed_board()).expect("valid");
    assert_eq!(board.metrics(), ["my_metric", "mysql.performance.cpu_time"]);
}
