//! Datadog-compatible JSON shapes, shared by the server (which writes them) and the UI (which reads
//! them). Field names and nesting follow Datadog's public API exactly; see shared/reference/datadog-api.md.

use serde::{Deserialize, Serialize};

/// Most series in one intake payload.
pub const MAX_SERIES_PER_PAYLOAD: usize = 100_000;
/// Most points of one series in one intake payload (the Datadog agent sends at most 10,000 points
/// in a whole payload by default).
pub const MAX_POINTS_PER_SERIES: usize = 1_000_000;
/// Most tags of one series.
pub const MAX_TAGS_PER_SERIES: usize = 1_000;
/// Most resources of one v2 series.
pub const MAX_RESOURCES_PER_SERIES: usize = 100;

/// `POST /api/v1/series` body. The server reads it series by series (a payload may hold 62 MiB),
/// each one as a [`SeriesV1`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesPayloadV1 {
    pub series: Capped<SeriesV1, MAX_SERIES_PER_PAYLOAD>,
}

/// One series of a v1 payload. Unknown fields (`device`, `source_type_name`, …) are accepted and ignored.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SeriesV1 {
    pub metric: String,
    /// `[[posix_seconds, value], …]`.
    pub points: Capped<(f64, f64), MAX_POINTS_PER_SERIES>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub interval: Option<i64>,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub tags: Option<Capped<String, MAX_TAGS_PER_SERIES>>,
}

/// `POST /api/v2/series` body, read series by series like [`SeriesPayloadV1`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesPayloadV2 {
    pub series: Capped<SeriesV2, MAX_SERIES_PER_PAYLOAD>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SeriesV2 {
    pub metric: String,
    pub points: Capped<PointV2, MAX_POINTS_PER_SERIES>,
    /// 0 unspecified, 1 count, 2 rate, 3 gauge.
    #[serde(default, rename = "type")]
    pub kind: Option<u8>,
    #[serde(default)]
    pub interval: Option<i64>,
    #[serde(default)]
    pub resources: Option<Capped<ResourceV2, MAX_RESOURCES_PER_SERIES>>,
    #[serde(default)]
    pub tags: Option<Capped<String, MAX_TAGS_PER_SERIES>>,
    #[serde(default)]
    pub unit: Option<String>,
}

/// A JSON array of at most `MAX` items: reading one more is an error ("invalid length …, expected
/// at most … items"), so a payload cannot make its reader hold more than `MAX` of them.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(transparent)]
pub struct Capped<T, const MAX: usize>(pub Vec<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Capped<T, MAX> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Items<T, const MAX: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> serde::de::Visitor<'de> for Items<T, MAX> {
            type Value = Capped<T, MAX>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "at most {MAX} items")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                // The size hint is the client's word: it only reserves a little.
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    if items.len() == MAX {
                        return Err(serde::de::Error::invalid_length(MAX + 1, &self));
                    }
                    items.push(item);
                }
                Ok(Capped(items))
            }
        }
        d.deserialize_seq(Items(std::marker::PhantomData))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PointV2 {
    pub timestamp: i64,
    pub value: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ResourceV2 {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

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

/// Datadog's error body: `{"errors": ["…"]}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct Errors {
    pub errors: Vec<String>,
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

/// One row of `GET /api/v1/dashboard`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardSummary {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub layout_type: String,
    pub url: String,
    pub created_at: String,
    pub modified_at: String,
    pub author_handle: String,
    pub is_read_only: bool,
}

/// `GET /api/v1/dashboard` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardSummary>,
}

/// `DELETE /api/v1/dashboard/{id}` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashboardDeleted {
    pub deleted_dashboard_id: String,
}

/// One row of the legacy `GET /api/v1/dash`; `id` is the numeric id as a string, as Datadog sent it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashSummary {
    pub id: String,
    pub resource: String,
    pub title: String,
    pub description: Option<String>,
    pub created: String,
    pub modified: String,
    pub read_only: bool,
}

/// Legacy `GET /api/v1/dash` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashList {
    pub dashes: Vec<DashSummary>,
}
