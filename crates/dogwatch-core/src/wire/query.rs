//! Metric answers: `GET /api/v1/query`, the metric list and a metric's tags.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/query` response.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct QueryResponse {
    pub status: String,
    pub res_type: String,
    pub resp_version: u32,
    pub query: String,
    /// Epoch milliseconds.
    pub from_date: i64,
    /// Epoch milliseconds.
    pub to_date: i64,
    pub group_by: Vec<String>,
    pub message: String,
    pub series: Vec<QuerySeries>,
    #[serde(default)]
    pub times: Vec<f64>,
    #[serde(default)]
    pub values: Vec<f64>,
}

/// One line of a query response. `pointlist` is `[[ts_ms, value|null], …]`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct QuerySeries {
    pub metric: String,
    pub display_name: String,
    pub expression: String,
    pub scope: String,
    pub tag_set: Vec<String>,
    pub aggr: Option<String>,
    /// Bucket width in seconds (what Datadog really returns, whatever its spec says).
    pub interval: i64,
    pub length: usize,
    pub query_index: usize,
    /// Epoch milliseconds of the first and last bucket.
    pub start: i64,
    pub end: i64,
    pub pointlist: Vec<(i64, Option<f64>)>,
    #[serde(default)]
    pub attributes: serde_json_empty::Empty,
    /// Always `null` here: dogwatch does not know units yet.
    #[serde(default, skip_deserializing)]
    pub unit: Option<()>,
    /// For `anomalies(...)`: the band of expected values, one entry per `pointlist` entry (same
    /// timestamps). A dogwatch extension; absent for other queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// The expected-value band of an `anomalies()` query: a point is anomalous when it lies outside
/// `[lower, upper]` at its timestamp.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Band {
    /// `basic`, `agile` or `robust`.
    pub algorithm: String,
    /// The bounds argument (about how many deviations wide the band is).
    pub bounds: f64,
    /// `[[ts_ms, value|null], …]`, aligned with the series' `pointlist`.
    pub upper: Vec<(i64, Option<f64>)>,
    pub lower: Vec<(i64, Option<f64>)>,
}

/// `GET /api/v1/metrics` response: names that reported since `from`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct MetricsList {
    pub metrics: Vec<String>,
    pub from: String,
}

/// `GET /api/v2/metrics/{name}/all-tags` response.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct AllTags {
    pub data: AllTagsData,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct AllTagsData {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub attributes: AllTagsAttributes,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct AllTagsAttributes {
    /// `key:value` strings, sorted.
    pub tags: Vec<String>,
}

/// `{}`, the `attributes` object Datadog sends on every query series.
pub mod serde_json_empty {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    pub struct Empty;

    impl Serialize for Empty {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            s.serialize_map(Some(0))?.end()
        }
    }

    impl<'de> Deserialize<'de> for Empty {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            serde::de::IgnoredAny::deserialize(d)?;
            Ok(Empty)
        }
    }
}
