//! The API's answers read into core's `wire` types with [`Reader`] (see `json.rs` for why not serde).
//! Unknown members are skipped and missing ones keep their defaults.

use dogwatch_core::wire::{
    AllTags, Band, DashboardList, DashboardSummary, Errors, MetricsList, QueryResponse, QuerySeries,
};

use super::json::{Reader, Result};

/// `GET /api/v1/query`.
pub fn query_response(r: &mut Reader) -> Result<QueryResponse> {
    let mut q = QueryResponse::default();
    r.object(&mut |r, key| {
        match key.as_str() {
            "status" => q.status = r.string()?,
            "res_type" => q.res_type = r.string()?,
            "resp_version" => q.resp_version = r.int()? as u32,
            "query" => q.query = r.string()?,
            "from_date" => q.from_date = r.int()?,
            "to_date" => q.to_date = r.int()?,
            "group_by" => q.group_by = r.strings()?,
            "message" => q.message = r.string()?,
            "series" => r.array(&mut |r| {
                q.series.push(series(r)?);
                Ok(())
            })?,
            "times" => q.times = numbers(r)?,
            "values" => q.values = numbers(r)?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(q)
}

fn series(r: &mut Reader) -> Result<QuerySeries> {
    let mut s = QuerySeries::default();
    r.object(&mut |r, key| {
        match key.as_str() {
            "metric" => s.metric = r.string()?,
            "display_name" => s.display_name = r.string()?,
            "expression" => s.expression = r.string()?,
            "scope" => s.scope = r.string()?,
            "tag_set" => s.tag_set = r.strings()?,
            "aggr" => s.aggr = r.opt_string()?,
            "interval" => s.interval = r.int()?,
            "length" => s.length = r.int()? as usize,
            "query_index" => s.query_index = r.int()? as usize,
            "start" => s.start = r.int()?,
            "end" => s.end = r.int()?,
            "pointlist" => s.pointlist = points(r)?,
            "band" => s.band = if r.null() { None } else { Some(band(r)?) },
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(s)
}

fn band(r: &mut Reader) -> Result<Band> {
    let mut b = Band::default();
    r.object(&mut |r, key| {
        match key.as_str() {
            "algorithm" => b.algorithm = r.string()?,
            "bounds" => b.bounds = r.number()?,
            "upper" => b.upper = points(r)?,
            "lower" => b.lower = points(r)?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(b)
}

/// `[[ts_ms, value|null], …]`.
fn points(r: &mut Reader) -> Result<Vec<(i64, Option<f64>)>> {
    let mut out = Vec::new();
    r.array(&mut |r| {
        let (mut ts, mut value, mut n) = (0, None, 0);
        r.array(&mut |r| {
            match n {
                0 => ts = r.int()?,
                1 => value = r.opt_number()?,
                _ => r.skip()?,
            }
            n += 1;
            Ok(())
        })?;
        out.push((ts, value));
        Ok(())
    })?;
    Ok(out)
}

fn numbers(r: &mut Reader) -> Result<Vec<f64>> {
    let mut out = Vec::new();
    r.array(&mut |r| {
        out.push(r.number()?);
        Ok(())
    })?;
    Ok(out)
}

/// `GET /api/v1/metrics`.
pub fn metrics_list(r: &mut Reader) -> Result<MetricsList> {
    let mut m = MetricsList::default();
    r.object(&mut |r, key| {
        match key.as_str() {
            "metrics" => m.metrics = r.strings()?,
            "from" => m.from = r.string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(m)
}

/// `GET /api/v2/metrics/{name}/all-tags`: `{"data": {"type", "id", "attributes": {"tags"}}}`.
pub fn all_tags(r: &mut Reader) -> Result<AllTags> {
    let mut a = AllTags::default();
    r.object(&mut |r, key| match key.as_str() {
        "data" => r.object(&mut |r, key| {
            match key.as_str() {
                "type" => a.data.kind = r.string()?,
                "id" => a.data.id = r.string()?,
                "attributes" => r.object(&mut |r, key| match key.as_str() {
                    "tags" => r.strings().map(|t| a.data.attributes.tags = t),
                    _ => r.skip(),
                })?,
                _ => r.skip()?,
            }
            Ok(())
        }),
        _ => r.skip(),
    })?;
    Ok(a)
}

/// `GET /api/v1/dashboard`.
pub fn dashboard_list(r: &mut Reader) -> Result<DashboardList> {
    let mut list = DashboardList::default();
    r.object(&mut |r, key| match key.as_str() {
        "dashboards" => r.array(&mut |r| {
            list.dashboards.push(dashboard_summary(r)?);
            Ok(())
        }),
        _ => r.skip(),
    })?;
    Ok(list)
}

fn dashboard_summary(r: &mut Reader) -> Result<DashboardSummary> {
    let mut d = DashboardSummary::default();
    r.object(&mut |r, key| {
        match key.as_str() {
            "id" => d.id = r.string()?,
            "title" => d.title = r.string()?,
            "description" => d.description = r.opt_string()?,
            "layout_type" => d.layout_type = r.string()?,
            "url" => d.url = r.string()?,
            "created_at" => d.created_at = r.string()?,
            "modified_at" => d.modified_at = r.string()?,
            "author_handle" => d.author_handle = r.string()?,
            "is_read_only" => d.is_read_only = r.bool()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(d)
}

/// `POST /api/v1/dogwatch/markdown`: `{"html": "…"}`.
pub fn markdown_html(r: &mut Reader) -> Result<String> {
    let mut html = None;
    r.object(&mut |r, key| match key.as_str() {
        "html" => r.string().map(|h| html = Some(h)),
        _ => r.skip(),
    })?;
    html.ok_or_else(|| "the markdown answer has no html".to_owned())
}

/// Datadog's `{"errors": [...]}`.
pub fn errors(r: &mut Reader) -> Result<Errors> {
    let mut e = Errors::default();
    r.object(&mut |r, key| match key.as_str() {
        "errors" => r.strings().map(|list| e.errors = list),
        _ => r.skip(),
    })?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use dogwatch_core::wire::{AllTagsAttributes, AllTagsData};

    use super::*;

    /// What serde writes (the server's side), read back by our readers.
    fn round_trip<T: serde::Serialize + PartialEq + std::fmt::Debug>(
        value: &T,
        read: fn(&mut Reader) -> Result<T>,
    ) {
        for text in [
            serde_json::to_string(value).expect("serializes"),
            serde_json::to_string_pretty(value).expect("serializes"),
        ] {
            assert_eq!(&Reader::parse(&text, read).expect("reads"), value, "{text}");
        }
    }

    fn series(n: usize) -> QuerySeries {
        QuerySeries {
            metric: "my_metric".into(),
            display_name: "my \"metric\" ✓".into(),
            expression: "avg:my_metric{host:a}".into(),
            scope: "host:a".into(),
            tag_set: vec!["host:a".into()],
            aggr: Some("avg".into()),
            interval: 20,
            length: 3,
            query_index: n,
            start: 1_700_000_000_000,
            end: 1_700_000_040_000,
            pointlist: vec![
                (1_700_000_000_000, Some(1.5)),
                (1_700_000_020_000, None),
                (1_700_000_040_000, Some(-2e-9)),
            ],
            attributes: Default::default(),
            unit: None,
            band: (n == 1).then(|| Band {
                algorithm: "basic".into(),
                bounds: 2.0,
                upper: vec![(1, Some(3.0))],
                lower: vec![(1, None)],
            }),
        }
    }

    #[test]
    fn reads_what_the_server_writes() {
        round_trip(
            &QueryResponse {
                status: "ok".into(),
                res_type: "time_series".into(),
                resp_version: 1,
                query: "avg:my_metric{*} by {host}".into(),
                from_date: 1,
                to_date: 2,
                group_by: vec!["host".into()],
                message: String::new(),
                series: vec![series(0), series(1)],
                times: vec![],
                values: vec![],
            },
            query_response,
        );
        round_trip(
            &MetricsList {
                metrics: vec!["a".into(), "b.c".into()],
                from: "123".into(),
            },
            metrics_list,
        );
        round_trip(
            &AllTags {
                data: AllTagsData {
                    kind: "metrics".into(),
                    id: "my_metric".into(),
                    attributes: AllTagsAttributes {
                        tags: vec!["host:a".into(), "env:prod".into()],
                    },
                },
            },
            all_tags,
        );
        round_trip(
            &DashboardList {
                dashboards: vec![DashboardSummary {
                    id: "abc-def".into(),
                    title: "<script>".into(),
                    description: None,
                    layout_type: "ordered".into(),
                    url: "/dashboard/abc-def/x".into(),
                    created_at: "2026-11-21T00:00:00Z".into(),
                    modified_at: "2026-11-21T00:00:00Z".into(),
                    author_handle: "me".into(),
                    is_read_only: true,
                }],
            },
            dashboard_list,
        );
        round_trip(
            &Errors {
                errors: vec!["bad \\ thing".into()],
            },
            errors,
        );
    }

    #[test]
    fn unknown_members_are_skipped_and_missing_ones_default() {
        let text = r#"{"errors": ["x"], "extra": {"deep": [1, {"a": null}]}}"#;
        assert_eq!(Reader::parse(text, errors).expect("reads").errors, ["x"]);
        assert_eq!(
            Reader::parse("{}", metrics_list).expect("reads"),
            MetricsList::default()
        );
    }

    #[test]
    fn wrong_shapes_say_where() {
        let e = Reader::parse(r#"{"metrics": [1]}"#, metrics_list).expect_err("not strings");
        assert_eq!(e, "expected a string at line 1 column 14");
        let e = Reader::parse(r#"{"series": [{"pointlist": [[1.5, 2]]}]}"#, query_response)
            .expect_err("fractional timestamp");
        assert_eq!(e, "expected a whole number at line 1 column 29");
    }
}
