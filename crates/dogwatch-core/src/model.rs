//! The stored data model: a series is a metric name plus a sorted tag set; a sample is one point of it.

use std::fmt;

/// How a series' values are to be read, as in Datadog's in-app metric types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    /// A value at a point in time (the default when a client says nothing).
    #[default]
    Gauge,
    /// A number of events over `interval_secs`.
    Count,
    /// Events per second averaged over `interval_secs`.
    Rate,
}

impl MetricType {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Gauge => "gauge",
            MetricType::Count => "count",
            MetricType::Rate => "rate",
        }
    }

    pub fn parse(s: &str) -> Option<MetricType> {
        match s {
            "gauge" => Some(MetricType::Gauge),
            "count" => Some(MetricType::Count),
            "rate" => Some(MetricType::Rate),
            _ => None,
        }
    }
}

/// A tag is `key:value`, or a bare `key` (value empty). Tags are compared as whole strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(String);

impl Tag {
    /// Normalises a tag the way Datadog does: surrounding whitespace trimmed, lower-cased.
    /// Returns `None` for an empty tag.
    pub fn new(raw: &str) -> Option<Tag> {
        let t = raw.trim();
        if t.is_empty() {
            None
        } else {
            // A comma would split the tag in the stored comma-joined form.
            Some(Tag(t.to_lowercase().replace(',', "_")))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the first `:` (the whole tag when it has none).
    pub fn key(&self) -> &str {
        self.0.split_once(':').map_or(&self.0, |(k, _)| k)
    }

    /// The part after the first `:`, if any.
    pub fn value(&self) -> Option<&str> {
        self.0.split_once(':').map(|(_, v)| v)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A sorted, de-duplicated set of tags: the identity of a series together with its metric name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TagSet(Vec<Tag>);

impl TagSet {
    pub fn from_tags<I, S>(tags: I) -> TagSet
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v: Vec<Tag> = tags
            .into_iter()
            .filter_map(|t| Tag::new(t.as_ref()))
            .collect();
        crate::sort::sort(&mut v);
        v.dedup();
        TagSet(v)
    }

    /// Parses the canonical stored form written by [`TagSet::canonical`].
    pub fn from_canonical(s: &str) -> TagSet {
        TagSet::from_tags(s.split(','))
    }

    /// Comma-joined sorted tags: the stored identity (and Datadog's `scope` form).
    pub fn canonical(&self) -> String {
        let parts: Vec<&str> = self.0.iter().map(Tag::as_str).collect();
        parts.join(",")
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, tag: &str) -> bool {
        self.0.iter().any(|t| t.as_str() == tag)
    }

    /// Values of the tags with this key (`host` → `["ubuntu"]`).
    pub fn values_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |t| t.key() == key)
            .filter_map(Tag::value)
    }
}

/// Normalises a metric name the way Datadog's intake does: characters other than ASCII letters, digits,
/// `_` and `.` become `_`. The result must start with a letter and be at most 200 characters; otherwise
/// the reason is returned (Datadog drops such points; we refuse them so the client knows).
pub fn normalize_metric_name(raw: &str) -> Result<String, &'static str> {
    let name: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        return Err("metric name is empty");
    }
    if name.len() > 200 {
        return Err("metric name is longer than 200 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err("metric name must start with a letter");
    }
    Ok(name)
}

/// The identity of one series.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub metric: String,
    pub tags: TagSet,
}

/// One point to store, with its series' identity (DogStatsD's flushes, the demo, tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub key: SeriesKey,
    pub kind: MetricType,
    /// Seconds the value covers, for counts and rates.
    pub interval_secs: Option<i64>,
    pub ts_secs: i64,
    pub value: f64,
}

/// A point of a series: a time and a value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub ts_secs: i64,
    pub value: f64,
}

/// Points of one series to store: the series' identity once, however many points it has (a
/// payload's 10,000 points of a series with 1,000 tags hold one copy of the tags, not 10,000).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoints {
    pub key: SeriesKey,
    pub kind: MetricType,
    /// Seconds each value covers, for counts and rates.
    pub interval_secs: Option<i64>,
    pub points: Vec<Point>,
}

impl SeriesPoints {
    /// Groups samples by series: consecutive samples of the same series, type and interval share
    /// one [`SeriesPoints`].
    pub fn from_samples(samples: Vec<Sample>) -> Vec<SeriesPoints> {
        let mut out: Vec<SeriesPoints> = Vec::new();
        for s in samples {
            let point = Point {
                ts_secs: s.ts_secs,
                value: s.value,
            };
            match out.last_mut() {
                Some(last)
                    if last.key == s.key
                        && last.kind == s.kind
                        && last.interval_secs == s.interval_secs =>
                {
                    last.points.push(point);
                }
                _ => out.push(SeriesPoints {
                    key: s.key,
                    kind: s.kind,
                    interval_secs: s.interval_secs,
                    points: vec![point],
                }),
            }
        }
        out
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_sets_are_sorted_deduplicated_and_lower_cased() {
        let t = TagSet::from_tags([
            "region:France",
            "host:ubuntu",
            " env:test ",
            "host:ubuntu",
            "",
        ]);
        assert_eq!(t.canonical(), "env:test,host:ubuntu,region:france");
        assert_eq!(TagSet::from_canonical(&t.canonical()), t);
        assert_eq!(t.values_of("host").collect::<Vec<_>>(), ["ubuntu"]);
    }

    #[test]
    fn samples_of_one_series_share_one_key() {
        let key = |m: &str| SeriesKey {
            metric: m.into(),
            tags: TagSet::from_tags(["host:a"]),
        };
        let sample = |m: &str, ts_secs: i64| Sample {
            key: key(m),
            kind: MetricType::Gauge,
            interval_secs: None,
            ts_secs,
            value: 1.0,
        };
        let grouped =
            SeriesPoints::from_samples(vec![sample("a", 1), sample("a", 2), sample("b", 1)]);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].key, key("a"));
        assert_eq!(grouped[0].len(), 2);
        assert_eq!(
            grouped[1].points,
            [Point {
                ts_secs: 1,
                value: 1.0
            }]
        );
    }

    #[test]
    fn metric_names_are_normalised_like_datadogs_intake() {
        assert_eq!(
            normalize_metric_name("system.cpu.user"),
            Ok("system.cpu.user".into())
        );
        assert_eq!(
            normalize_metric_name("my-app requests"),
            Ok("my_app_requests".into())
        );
        assert!(normalize_metric_name("1abc").is_err());
        assert!(normalize_metric_name("<script>").is_err());
        assert!(normalize_metric_name("  ").is_err());
    }
}
