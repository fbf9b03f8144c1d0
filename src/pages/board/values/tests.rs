use dogwatch_core::wire::{QueryResponse, QuerySeries};

use super::*;
use crate::pages::board::model::{Comparator, ConditionalFormat, FormatPalette, Reducer};

fn series(tags: &[&str], points: &[(i64, Option<f64>)]) -> QuerySeries {
    QuerySeries {
        metric: "m".into(),
        display_name: "m".into(),
        expression: "avg:m{*}".into(),
        scope: tags.join(","),
        tag_set: tags.iter().map(|t| (*t).to_owned()).collect(),
        aggr: Some("avg".into()),
        interval: 20,
        length: points.len(),
        query_index: 0,
        start: points.first().map_or(0, |p| p.0),
        end: points.last().map_or(0, |p| p.0),
        pointlist: points.to_vec(),
        attributes: Default::default(),
        unit: None,
        band: None,
    }
}

fn response(series: Vec<QuerySeries>) -> QueryResponse {
    QueryResponse {
        status: "ok".into(),
        res_type: "time_series".into(),
        resp_version: 1,
        query: "q".into(),
        from_date: 0,
        to_date: 0,
        group_by: Vec::new(),
        message: String::new(),
        series,
        times: Vec::new(),
        values: Vec::new(),
    }
}

#[test]
fn reducers_skip_nulls_and_take_the_latest_for_last() {
    let points = [
        (1000, Some(4.0)),
        (2000, None),
        (3000, Some(2.0)),
        (4000, Some(6.0)),
    ];
    assert_eq!(reduce(&points, Reducer::Avg), Some(4.0));
    assert_eq!(reduce(&points, Reducer::Min), Some(2.0));
    assert_eq!(reduce(&points, Reducer::Max), Some(6.0));
    assert_eq!(reduce(&points, Reducer::Sum), Some(12.0));
    assert_eq!(reduce(&points, Reducer::Last), Some(6.0));
    assert_eq!(reduce(&[(1, None)], Reducer::Avg), None);
    assert_eq!(reduce(&[], Reducer::Sum), None);
}

#[test]
fn a_query_value_combines_groups_with_the_same_reducer() {
    let r = response(vec![
        series(&["host:a"], &[(1, Some(1.0)), (2, Some(3.0))]),
        series(&["host:b"], &[(1, Some(10.0)), (2, Some(30.0))]),
    ]);
    assert_eq!(query_value(&r, Reducer::Avg), Some(11.0));
    assert_eq!(query_value(&r, Reducer::Max), Some(30.0));
    assert_eq!(query_value(&r, Reducer::Sum), Some(44.0));
    // Last: each group's latest value, added up.
    assert_eq!(query_value(&r, Reducer::Last), Some(33.0));
    assert_eq!(query_value(&response(vec![]), Reducer::Avg), None);
}

#[test]
fn the_first_matching_conditional_format_wins() {
    let formats = [
        ConditionalFormat {
            comparator: Comparator::Gt,
            value: 800.0,
            palette: FormatPalette::WhiteOnRed,
        },
        ConditionalFormat {
            comparator: Comparator::Gt,
            value: 500.0,
            palette: FormatPalette::WhiteOnYellow,
        },
        ConditionalFormat {
            comparator: Comparator::Le,
            value: 500.0,
            palette: FormatPalette::WhiteOnGreen,
        },
    ];
    assert_eq!(format_for(&formats, 900.0), Some(FormatPalette::WhiteOnRed));
    assert_eq!(
        format_for(&formats, 600.0),
        Some(FormatPalette::WhiteOnYellow)
    );
    assert_eq!(
        format_for(&formats, 500.0),
        Some(FormatPalette::WhiteOnGreen)
    );
    assert_eq!(format_for(&[], 1.0), None);
}

#[test]
fn a_top_list_ranks_groups_largest_first() {
    let r = response(vec![
        series(&["host:a"], &[(1, Some(1.0)), (2, Some(3.0))]),
        series(&["host:b"], &[(1, Some(10.0))]),
        series(&["host:c"], &[(1, None)]),
        series(&["host:d"], &[(1, Some(5.0))]),
    ]);
    let rows = top_list(&[r], Reducer::Avg, 2);
    let got: Vec<(&str, f64)> = rows.iter().map(|r| (r.label.as_str(), r.value)).collect();
    assert_eq!(got, vec![("host:b", 10.0), ("host:d", 5.0)]);
}

#[test]
fn changes_compare_last_values_by_group() {
    let now = response(vec![
        series(&["host:a"], &[(1, Some(5.0)), (2, Some(8.0))]),
        series(&["host:b"], &[(2, Some(2.0))]),
        series(&["host:new"], &[(2, Some(1.0))]),
    ]);
    let before = response(vec![
        series(&["host:a"], &[(1, Some(4.0))]),
        series(&["host:b"], &[(1, Some(4.0))]),
    ]);
    let rows = changes(&now, &before);
    let got: Vec<(&str, Option<f64>)> = rows
        .iter()
        .map(|r| (r.label.as_str(), change_of(r, false)))
        .collect();
    assert_eq!(
        got,
        vec![
            ("host:a", Some(4.0)),
            ("host:b", Some(-2.0)),
            ("host:new", None)
        ]
    );
    assert_eq!(change_of(&rows[0], true), Some(100.0));
    assert_eq!(change_of(&rows[1], true), Some(-50.0));
}

#[test]
fn a_heatmap_counts_series_per_value_band_and_time() {
    let r = response(vec![
        series(&["host:a"], &[(1, Some(0.0)), (2, Some(10.0))]),
        series(&["host:b"], &[(1, Some(1.0)), (2, Some(9.0))]),
        series(&["host:c"], &[(1, Some(5.0)), (2, None)]),
    ]);
    let h = heatmap(&[r], 2).expect("values");
    assert_eq!((h.low, h.high), (0.0, 10.0));
    assert_eq!(h.times_ms, vec![1, 2]);
    // Bands [0, 5) and [5, 10]: at t=1, 0 and 1 are low, 5 is high; at t=2, both are high.
    assert_eq!(h.counts, vec![vec![2, 1], vec![0, 2]]);
    assert_eq!(h.max_count, 2);
    assert_eq!(heatmap(&[response(vec![])], 4), None);
}
