//! The series intake bodies: `POST /api/v1/series` and `/api/v2/series`, read series by series
//! within Datadog's limits.

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
