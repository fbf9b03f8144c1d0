//! DogStatsD: parsing the datagrams clients send over UDP, and aggregating them into samples the way
//! the Datadog agent does between its flushes.
//!
//! A packet holds one datagram per line, `<name>:<value>|<type>[|@<rate>][|#<tags>][|T<ts>][|c:…]…`.
//! [`parse_packet`] returns one result per line, so a bad line is reported without hiding the good
//! ones next to it. [`Aggregator`] then buckets metric datagrams into flush windows and, once a window
//! has ended, turns each series into [`Sample`]s: gauges keep their last value, counts become rates,
//! histograms, timers and distributions become `.avg .median .95percentile .max .count`, sets become
//! the number of unique members.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use crate::model::{MetricType, Sample, SeriesKey, TagSet, normalize_metric_name};

/// One line of a DogStatsD packet.
#[derive(Debug, Clone, PartialEq)]
pub enum Datagram {
    /// A metric point: the only kind of datagram the [`Aggregator`] turns into samples.
    Metric(Metric),
    /// An event (`_e{…}`). It is recognised so that clients sending events are not counted as faulty;
    /// the aggregator ignores it.
    Event(Event),
    /// A service check (`_sc|…`), recognised and ignored by the aggregator for the same reason.
    ServiceCheck(ServiceCheck),
}

/// A metric datagram such as `users.online:1|c|@0.5|#country:china`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// The name after [`normalize_metric_name`].
    pub name: String,
    /// The value together with the type letter it was sent with.
    pub value: MetricValue,
    /// The `@` rate the client sampled at, in (0, 1]; 1 when the datagram has none.
    pub sample_rate: f64,
    /// The `#` tags, normalised and sorted.
    pub tags: TagSet,
    /// The `|T` Unix timestamp in seconds, when the client set one.
    pub ts_secs: Option<i64>,
}

/// A metric value by DogStatsD type. Numbers are always finite.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricValue {
    /// `g`: the current value of something.
    Gauge(f64),
    /// `c`: a number of occurrences to add (negative for a decrement).
    Count(f64),
    /// `h`: one observation of a distribution the agent summarises.
    Histogram(f64),
    /// `ms`: a duration in milliseconds, summarised like a histogram.
    Timer(f64),
    /// `d`: one observation of a global distribution; dogwatch summarises it like a histogram.
    Distribution(f64),
    /// `s`: one member of a set whose unique members are counted; any string.
    Set(String),
}

/// An event datagram, `_e{<title_len>,<text_len>}:<title>|<text>|…`. Parsed on a best-effort basis: a
/// malformed event still yields an `Event`, since events are never reported as errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub title: String,
    pub text: String,
    pub tags: TagSet,
}

/// A service check datagram, `_sc|<name>|<status>|…[|m:<message>]`, parsed on a best-effort basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCheck {
    pub name: String,
    /// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; `None` when missing or not one of those.
    pub status: Option<u8>,
    pub tags: TagSet,
    pub message: Option<String>,
}

/// A line of a packet that is not a valid DogStatsD datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    /// The offending line, without surrounding whitespace.
    pub line: String,
}

/// Why a line is not a valid metric datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The line has no `:<value>` after the name, or the value is empty (`foo`, `foo:|g`).
    MissingValue,
    /// The value is not followed by `|<type>` (`foo:1`, `foo:1|`).
    MissingType,
    /// The type is not one of `g`, `c`, `h`, `ms`, `d`, `s`; holds the type as sent.
    UnknownType(String),
    /// The value of a numeric type is not a finite number; holds the value as sent.
    BadNumber(String),
    /// The `@` sample rate is not a number in (0, 1]; holds the text after `@`.
    BadSampleRate(String),
    /// The `T` timestamp is not a non-negative whole number of seconds; holds the text after `T`.
    BadTimestamp(String),
    /// The metric name cannot be normalised into a valid one.
    BadName {
        /// The name as sent.
        name: String,
        /// Why it was refused, from [`normalize_metric_name`].
        reason: &'static str,
    },
}

/// The type letters, as listed in error messages.
const EXPECTED_TYPES: &str = "g, c, h, ms, d or s";

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = Shown(&self.line);
        match &self.kind {
            ParseErrorKind::MissingValue => {
                write!(
                    f,
                    "missing value in `{line}` (expected `<name>:<value>|<type>`)"
                )
            }
            ParseErrorKind::MissingType => write!(
                f,
                "missing metric type in `{line}` (expected `|<type>` after the value, with type {EXPECTED_TYPES})"
            ),
            ParseErrorKind::UnknownType(t) => write!(
                f,
                "unknown metric type `{}` in `{line}` (expected {EXPECTED_TYPES})",
                Shown(t)
            ),
            ParseErrorKind::BadNumber(v) => {
                write!(f, "value `{}` in `{line}` is not a finite number", Shown(v))
            }
            ParseErrorKind::BadSampleRate(r) => write!(
                f,
                "sample rate `@{}` in `{line}` is not a number greater than 0 and at most 1",
                Shown(r)
            ),
            ParseErrorKind::BadTimestamp(t) => write!(
                f,
                "timestamp `T{}` in `{line}` is not a whole number of seconds since 1970-01-01",
                Shown(t)
            ),
            ParseErrorKind::BadName { name, reason } => {
                write!(f, "bad metric name `{}` in `{line}`: {reason}", Shown(name))
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// How many characters of client text an error message shows.
const SHOWN_MAX_CHARS: usize = 80;

/// Client text inside an error message: cut to a readable length, since a packet can be kilobytes
/// long, and with control characters escaped, so that a packet cannot forge log lines or send
/// terminal escapes through our logs.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i == SHOWN_MAX_CHARS {
                return f.write_char('…');
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Parses a DogStatsD packet: one datagram per `\n`-separated line. Blank lines (including the one
/// after a trailing newline) are skipped; every other line gives one result, in order.
pub fn parse_packet(packet: &str) -> Vec<Result<Datagram, ParseError>> {
    packet
        .split('\n')
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(parse_datagram)
        .collect()
}

/// Parses one datagram (one line of a packet). Surrounding whitespace, such as the `\r` of a client
/// that ends lines with `\r\n`, is ignored.
pub fn parse_datagram(line: &str) -> Result<Datagram, ParseError> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("_e{") {
        return Ok(Datagram::Event(parse_event(rest)));
    }
    if let Some(rest) = line.strip_prefix("_sc|") {
        return Ok(Datagram::ServiceCheck(parse_service_check(rest)));
    }
    parse_metric(line)
        .map(Datagram::Metric)
        .map_err(|kind| ParseError {
            kind,
            line: line.to_owned(),
        })
}

fn parse_metric(line: &str) -> Result<Metric, ParseErrorKind> {
    let (head, tail) = match line.split_once('|') {
        Some((head, tail)) => (head, Some(tail)),
        None => (line, None),
    };
    // The name ends at the first `:`, so a set member may itself contain `:`.
    let (raw_name, raw_value) = head.split_once(':').ok_or(ParseErrorKind::MissingValue)?;
    let name = normalize_metric_name(raw_name).map_err(|reason| ParseErrorKind::BadName {
        name: raw_name.to_owned(),
        reason,
    })?;
    if raw_value.is_empty() {
        return Err(ParseErrorKind::MissingValue);
    }
    let tail = tail.ok_or(ParseErrorKind::MissingType)?;
    let (type_letter, fields) = tail.split_once('|').unwrap_or((tail, ""));
    let number = || parse_number(raw_value);
    // A histogram's series are named `<name>.95percentile` and so on, and must still be valid names
    // (the fuzzer found a 190-character name that made a 203-character one).
    let summarised = || {
        if name.len() + LONGEST_SUFFIX.len() > MAX_NAME_CHARS {
            Err(ParseErrorKind::BadName {
                name: raw_name.to_owned(),
                reason: "a histogram, timer or distribution name must leave room for `.95percentile` (at most 187 characters)",
            })
        } else {
            Ok(())
        }
    };
    let value = match type_letter {
        "g" => MetricValue::Gauge(number()?),
        "c" => MetricValue::Count(number()?),
        "h" => {
            summarised()?;
            MetricValue::Histogram(number()?)
        }
        "ms" => {
            summarised()?;
            MetricValue::Timer(number()?)
        }
        "d" => {
            summarised()?;
            MetricValue::Distribution(number()?)
        }
        "s" => MetricValue::Set(raw_value.to_owned()),
        "" => return Err(ParseErrorKind::MissingType),
        other => return Err(ParseErrorKind::UnknownType(other.to_owned())),
    };

    let mut sample_rate = 1.0;
    let mut tags: Vec<&str> = Vec::new();
    let mut ts_secs = None;
    for field in fields.split('|') {
        if let Some(rate) = field.strip_prefix('@') {
            sample_rate = parse_sample_rate(rate)?;
        } else if let Some(t) = field.strip_prefix('#') {
            tags.extend(t.split(','));
        } else if let Some(ts) = field.strip_prefix('T') {
            ts_secs = Some(parse_timestamp(ts)?);
        }
        // Everything else is skipped: `c:` (container), `e:` (external data) and `card:` (tag
        // cardinality) only feed the agent's origin detection, which dogwatch does not do, and any
        // later extension must not turn a newer client's datagrams into errors.
    }
    Ok(Metric {
        name,
        value,
        sample_rate,
        tags: TagSet::from_tags(tags),
        ts_secs,
    })
}

/// The longest name a metric may have (see [`normalize_metric_name`]).
const MAX_NAME_CHARS: usize = 200;
/// The longest suffix the aggregator gives a histogram's series.
const LONGEST_SUFFIX: &str = ".95percentile";

fn parse_number(raw: &str) -> Result<f64, ParseErrorKind> {
    // `f64::from_str` accepts `inf` and `NaN`, which no aggregate or store can use.
    raw.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ParseErrorKind::BadNumber(raw.to_owned()))
}

fn parse_sample_rate(raw: &str) -> Result<f64, ParseErrorKind> {
    // The aggregator weights each point by 1/rate, so that must be finite too (a subnormal rate is not).
    raw.parse::<f64>()
        .ok()
        .filter(|r| *r > 0.0 && *r <= 1.0 && (1.0 / r).is_finite())
        .ok_or_else(|| ParseErrorKind::BadSampleRate(raw.to_owned()))
}

fn parse_timestamp(raw: &str) -> Result<i64, ParseErrorKind> {
    // Negative timestamps are refused: they are never meant, and bucketing near `i64::MIN` would overflow.
    raw.parse::<i64>()
        .ok()
        .filter(|ts| *ts >= 0)
        .ok_or_else(|| ParseErrorKind::BadTimestamp(raw.to_owned()))
}

/// Parses what follows `_e{`. The declared lengths are trusted only when they fit the line; otherwise
/// title and text are taken as the first two `|`-separated parts.
fn parse_event(rest: &str) -> Event {
    let (lengths, body) = rest.split_once("}:").unwrap_or(("", rest));
    let (title, text, fields) =
        split_event_by_lengths(lengths, body).unwrap_or_else(|| split_event_by_pipes(body));
    // Clients escape newlines in title and text as `\n`, since a newline would end the datagram.
    Event {
        title: title.replace("\\n", "\n"),
        text: text.replace("\\n", "\n"),
        tags: tags_of_fields(fields),
    }
}

/// Splits `<title>|<text>[|<fields>]` using the byte lengths from `{<title_len>,<text_len>}`.
fn split_event_by_lengths<'a>(lengths: &str, body: &'a str) -> Option<(&'a str, &'a str, &'a str)> {
    let (title_len, text_len) = lengths.split_once(',')?;
    let title_len: usize = title_len.trim().parse().ok()?;
    let text_len: usize = text_len.trim().parse().ok()?;
    // `get` returns `None` for a length past the end or inside a UTF-8 character.
    let title = body.get(..title_len)?;
    let after_title = body.get(title_len..)?.strip_prefix('|')?;
    let text = after_title.get(..text_len)?;
    let after_text = after_title.get(text_len..)?;
    if after_text.is_empty() {
        return Some((title, text, ""));
    }
    Some((title, text, after_text.strip_prefix('|')?))
}

fn split_event_by_pipes(body: &str) -> (&str, &str, &str) {
    let (title, rest) = body.split_once('|').unwrap_or((body, ""));
    let (text, fields) = rest.split_once('|').unwrap_or((rest, ""));
    (title, text, fields)
}

/// Parses what follows `_sc|`.
fn parse_service_check(rest: &str) -> ServiceCheck {
    // `m:` is always the last field, and its message may contain `|`, so it is cut off first.
    let (before, message) = match rest.split_once("|m:") {
        Some((before, message)) => (
            before,
            Some(message.replace("\\n", "\n").replace("m\\:", "m:")),
        ),
        None => (rest, None),
    };
    let (name, after_name) = before.split_once('|').unwrap_or((before, ""));
    let (status, fields) = after_name.split_once('|').unwrap_or((after_name, ""));
    ServiceCheck {
        name: name.to_owned(),
        status: status.trim().parse::<u8>().ok().filter(|s| *s <= 3),
        tags: tags_of_fields(fields),
        message,
    }
}

/// The tags of the `#` fields among `|`-separated fields.
fn tags_of_fields(fields: &str) -> TagSet {
    TagSet::from_tags(
        fields
            .split('|')
            .filter_map(|field| field.strip_prefix('#'))
            .flat_map(|tags| tags.split(',')),
    )
}

/// Buckets metric datagrams into flush windows and summarises each series of a window once it has
/// ended, as the Datadog agent's DogStatsD server does with its 10 s flush.
///
/// A datagram received at `now` goes to the window `[b, b + interval)` with
/// `b = now - now.rem_euclid(interval)`; one with a `|T<ts>` timestamp goes to the window of `ts`
/// instead. Samples of a window carry `ts_secs = b`. Per series (metric name plus tags) and window:
///
/// - gauge `g`: the last value received, a Gauge;
/// - count `c`: the sum of `value / sample_rate`, emitted as a Rate of `sum / interval` per second
///   with `interval_secs = Some(interval)`, because the agent stores DogStatsD counts as rates;
/// - histogram `h`, timer `ms`, distribution `d` (merged when one name is sent with several of these
///   types): `<name>.avg`, `.median`, `.95percentile`, `.max` as Gauges and `<name>.count` as a Rate,
///   every value weighted by `1 / sample_rate`;
/// - set `s`: the number of unique members, a Gauge.
///
/// Gauge and set sample rates are ignored, as the agent does: a last value or a set of members does
/// not grow with the number of points sent. Events and service checks are ignored.
///
/// Two datagrams are not kept ([`Dropped`]): one whose `|T` timestamp is more than
/// [`MAX_FUTURE_SECS`] ahead (the HTTP intake's rule), and one that would take what the aggregator
/// holds (windows, series keys, histogram values, set members, counted approximately in bytes) over
/// its bound, [`DEFAULT_MAX_BYTES`] unless [`Aggregator::with_max_bytes`] says otherwise. A flush
/// gives back what the flushed windows held.
#[derive(Debug, Clone)]
pub struct Aggregator {
    interval_secs: i64,
    /// Windows by start time; a `BTreeMap` so that flushing pops the oldest first.
    buckets: BTreeMap<i64, Bucket>,
    /// What the buckets hold, approximately, in bytes.
    bytes: usize,
    max_bytes: usize,
}

/// Datagrams with a `|T` timestamp further ahead than this many seconds are dropped.
pub const MAX_FUTURE_SECS: i64 = 600;
/// The default bound on what an [`Aggregator`] holds.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why the [`Aggregator`] did not keep a metric datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Dropped {
    /// Its `|T` timestamp is more than [`MAX_FUTURE_SECS`] ahead.
    FutureTimestamp,
    /// Keeping it would take the aggregator over its bound until the next flush.
    Full,
}

impl Dropped {
    /// The reason as a tag value (`reason:future_timestamp`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dropped::FutureTimestamp => "future_timestamp",
            Dropped::Full => "aggregator_full",
        }
    }
}

/// What a new window costs, and a new series key in one, besides its text.
const BUCKET_BYTES: usize = 256;
const KEY_BYTES: usize = 64;
const TAG_BYTES: usize = 24;

/// The series of one window. One map per kind, so that a name sent both as, say, a gauge and a count
/// keeps both aggregates instead of mixing them.
#[derive(Debug, Clone, Default)]
struct Bucket {
    /// What this window holds, as counted in [`Aggregator::bytes`].
    bytes: usize,
    gauges: BTreeMap<SeriesKey, f64>,
    counts: BTreeMap<SeriesKey, f64>,
    histograms: BTreeMap<SeriesKey, Vec<Weighted>>,
    sets: BTreeMap<SeriesKey, BTreeSet<String>>,
}

/// A histogram value and how many points it stands for (`1 / sample_rate`).
#[derive(Debug, Clone, Copy)]
struct Weighted {
    value: f64,
    weight: f64,
}

impl Aggregator {
    /// An empty aggregator with windows of `flush_interval_secs` (the agent uses 10). An interval
    /// below 1 s is taken as 1 s, since windows cannot be empty.
    pub fn new(flush_interval_secs: i64) -> Aggregator {
        Aggregator::with_max_bytes(flush_interval_secs, DEFAULT_MAX_BYTES)
    }

    /// [`Aggregator::new`] holding at most about `max_bytes` between two flushes.
    pub fn with_max_bytes(flush_interval_secs: i64, max_bytes: usize) -> Aggregator {
        Aggregator {
            interval_secs: flush_interval_secs.max(1),
            buckets: BTreeMap::new(),
            bytes: 0,
            max_bytes,
        }
    }

    /// About how many bytes the open windows hold.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The window length in seconds.
    pub fn interval_secs(&self) -> i64 {
        self.interval_secs
    }

    /// Whether nothing is waiting to be flushed.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Adds a datagram received at `now_secs`. Events and service checks are ignored; a metric
    /// datagram is kept unless it is [`Dropped`].
    ///
    /// A timestamped datagram whose window was already flushed opens that window again; the next
    /// flush then emits it a second time with only the late points.
    pub fn insert(&mut self, d: Datagram, now_secs: i64) -> Result<(), Dropped> {
        let Datagram::Metric(m) = d else {
            return Ok(());
        };
        if m.ts_secs
            .is_some_and(|ts| ts > now_secs.saturating_add(MAX_FUTURE_SECS))
        {
            return Err(Dropped::FutureTimestamp);
        }
        let ts_secs = m.ts_secs.unwrap_or(now_secs);
        // Saturating, because near `i64::MIN` the window start is not representable.
        let start = ts_secs.saturating_sub(ts_secs.rem_euclid(self.interval_secs));
        let key = SeriesKey {
            metric: m.name,
            tags: m.tags,
        };
        let new_key = KEY_BYTES
            + key.metric.len()
            + key
                .tags
                .iter()
                .map(|t| t.as_str().len() + TAG_BYTES)
                .sum::<usize>();
        let bucket = self.buckets.get(&start);
        let new_bucket = if bucket.is_none() { BUCKET_BYTES } else { 0 };
        let known = |map: Option<bool>| if map == Some(true) { 0 } else { new_key };
        let cost = new_bucket
            + match &m.value {
                MetricValue::Gauge(_) => known(bucket.map(|b| b.gauges.contains_key(&key))),
                MetricValue::Count(_) => known(bucket.map(|b| b.counts.contains_key(&key))),
                MetricValue::Histogram(_)
                | MetricValue::Timer(_)
                | MetricValue::Distribution(_) => {
                    size_of::<Weighted>() + known(bucket.map(|b| b.histograms.contains_key(&key)))
                }
                MetricValue::Set(member) => {
                    let members = bucket.and_then(|b| b.sets.get(&key));
                    let new_member = if members.is_some_and(|ms| ms.contains(member)) {
                        0
                    } else {
                        member.len() + TAG_BYTES
                    };
                    new_member + known(members.map(|_| true))
                }
            };
        if self.bytes.saturating_add(cost) > self.max_bytes {
            return Err(Dropped::Full);
        }
        self.bytes += cost;
        let bucket = self.buckets.entry(start).or_default();
        bucket.bytes += cost;
        // The parser guarantees a rate in (0, 1]; a hand-built `Metric` outside it counts as unsampled.
        let weight = if m.sample_rate > 0.0 && m.sample_rate <= 1.0 {
            1.0 / m.sample_rate
        } else {
            1.0
        };
        match m.value {
            MetricValue::Gauge(v) => {
                bucket.gauges.insert(key, v);
            }
            MetricValue::Count(v) => *bucket.counts.entry(key).or_insert(0.0) += v * weight,
            MetricValue::Histogram(v) | MetricValue::Timer(v) | MetricValue::Distribution(v) => {
                bucket
                    .histograms
                    .entry(key)
                    .or_default()
                    .push(Weighted { value: v, weight });
            }
            MetricValue::Set(member) => {
                bucket.sets.entry(key).or_default().insert(member);
            }
        }
        Ok(())
    }

    /// Emits and forgets every window that has ended by `now_secs` (`b + interval <= now_secs`),
    /// sorted by metric, then tags, then time.
    pub fn flush(&mut self, now_secs: i64) -> Vec<Sample> {
        let mut out = Vec::new();
        while let Some(entry) = self.buckets.first_entry() {
            if entry.key().saturating_add(self.interval_secs) > now_secs {
                break;
            }
            let (start, bucket) = entry.remove_entry();
            self.bytes = self.bytes.saturating_sub(bucket.bytes);
            bucket.emit(start, self.interval_secs, &mut out);
        }
        sort_samples(&mut out);
        out
    }

    /// Emits and forgets every window, including the open one: for shutdown, so nothing received is
    /// lost. Sorted like [`Aggregator::flush`].
    pub fn flush_all(&mut self) -> Vec<Sample> {
        let mut out = Vec::new();
        for (start, bucket) in std::mem::take(&mut self.buckets) {
            bucket.emit(start, self.interval_secs, &mut out);
        }
        self.bytes = 0;
        sort_samples(&mut out);
        out
    }
}

impl Bucket {
    fn emit(self, ts_secs: i64, interval_secs: i64, out: &mut Vec<Sample>) {
        let interval = interval_secs as f64;
        let mut push = |key: SeriesKey, kind: MetricType, value: f64| {
            // A sum of absurd client values can overflow to infinity, and a non-finite point can be
            // neither stored nor sent as JSON, so it is dropped.
            if value.is_finite() {
                out.push(Sample {
                    key,
                    kind,
                    interval_secs: (kind != MetricType::Gauge).then_some(interval_secs),
                    ts_secs,
                    value,
                });
            }
        };
        for (key, value) in self.gauges {
            push(key, MetricType::Gauge, value);
        }
        for (key, sum) in self.counts {
            push(key, MetricType::Rate, sum / interval);
        }
        for (key, mut values) in self.histograms {
            values.sort_by(|a, b| a.value.total_cmp(&b.value));
            let Some(max) = values.last().map(|w| w.value) else {
                continue;
            };
            let count: f64 = values.iter().map(|w| w.weight).sum();
            let avg = values.iter().map(|w| w.value * w.weight).sum::<f64>() / count;
            let suffixed = |suffix: &str| SeriesKey {
                metric: format!("{}.{suffix}", key.metric),
                tags: key.tags.clone(),
            };
            push(suffixed("avg"), MetricType::Gauge, avg);
            push(
                suffixed("median"),
                MetricType::Gauge,
                nearest_rank(&values, count, 50),
            );
            push(
                suffixed("95percentile"),
                MetricType::Gauge,
                nearest_rank(&values, count, 95),
            );
            push(suffixed("max"), MetricType::Gauge, max);
            push(suffixed("count"), MetricType::Rate, count / interval);
        }
        for (key, members) in self.sets {
            push(key, MetricType::Gauge, members.len() as f64);
        }
    }
}

/// The `pct`th percentile of `sorted` (ascending, total weight `total_weight`) by the nearest-rank
/// rule: the smallest value whose cumulative weight reaches `pct`% of the total. With unit weights
/// that is the value at rank `ceil(pct / 100 * n)` (1-based), so for 1..=10 the median is 5 and the
/// 95th percentile 10; the result is always one of the values, never an interpolation.
fn nearest_rank(sorted: &[Weighted], total_weight: f64, pct: u32) -> f64 {
    // Comparing `cumulative * 100` with `pct * total` keeps the arithmetic exact for whole weights,
    // where `total * 0.95` could round just above a whole rank and pick the next value.
    let target = f64::from(pct) * total_weight;
    let mut cumulative = 0.0;
    for w in sorted {
        cumulative += w.weight;
        if cumulative * 100.0 >= target {
            return w.value;
        }
    }
    // Only reachable if rounding kept the sum below the target; the largest value is then the answer.
    sorted.last().map_or(0.0, |w| w.value)
}

/// Sorts by metric, then tags, then time, so that output does not depend on map internals. The sort
/// is stable, so samples that tie (one name sent as two types) keep their emission order.
fn sort_samples(samples: &mut [Sample]) {
    samples.sort_by(|a, b| a.key.cmp(&b.key).then(a.ts_secs.cmp(&b.ts_secs)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders samples one per line as `<ts> <metric>{<tags>} <kind>[/<interval>s] <value>`, so that
    /// expectations read like a listing.
    fn render(samples: &[Sample]) -> Vec<String> {
        samples
            .iter()
            .map(|s| {
                let kind = match s.interval_secs {
                    Some(i) => format!("{}/{i}s", s.kind.as_str()),
                    None => s.kind.as_str().to_owned(),
                };
                format!(
                    "{} {}{{{}}} {kind} {}",
                    s.ts_secs,
                    s.key.metric,
                    s.key.tags.canonical(),
                    s.value
                )
            })
            .collect()
    }

    /// A 10 s aggregator fed each `(now_secs, packet)` in turn; every line must parse.
    fn aggregate(inserts: &[(i64, &str)]) -> Aggregator {
        let mut agg = Aggregator::new(10);
        for &(now_secs, packet) in inserts {
            for d in parse_packet(packet) {
                agg.insert(d.expect("test packets are valid"), now_secs)
                    .expect("kept");
            }
        }
        agg
    }

    fn metric(line: &str) -> Metric {
        match parse_datagram(line) {
            Ok(Datagram::Metric(m)) => m,
            other => panic!("`{line}` parsed as {other:?}"),
        }
    }

    fn error_kind(line: &str) -> ParseErrorKind {
        match parse_datagram(line) {
            Err(e) => e.kind,
            Ok(d) => panic!("`{line}` parsed as {d:?}"),
        }
    }

    #[test]
    fn parses_each_type() {
        assert_eq!(metric("fuel.level:0.5|g").value, MetricValue::Gauge(0.5));
        assert_eq!(metric("page.views:-2|c").value, MetricValue::Count(-2.0));
        assert_eq!(
            metric("song.length:240|h").value,
            MetricValue::Histogram(240.0)
        );
        assert_eq!(metric("req.time:1.5e2|ms").value, MetricValue::Timer(150.0));
        assert_eq!(metric("payload:7|d").value, MetricValue::Distribution(7.0));
        assert_eq!(metric("users:a:b|s").value, MetricValue::Set("a:b".into()));
        let m = metric("fuel.level:0.5|g");
        assert_eq!(
            (m.name.as_str(), m.sample_rate, m.ts_secs),
            ("fuel.level", 1.0, None)
        );
        assert!(m.tags.is_empty());
    }

    #[test]
    fn parses_optional_fields_and_skips_unknown_extensions() {
        let m = metric(
            "users.online:1|c|@0.5|#country:china|T1700000000|c:ci-123|e:it-abc|card:high|x:future|zz",
        );
        assert_eq!(m.name, "users.online");
        assert_eq!(m.value, MetricValue::Count(1.0));
        assert_eq!(m.sample_rate, 0.5);
        assert_eq!(m.tags.canonical(), "country:china");
        assert_eq!(m.ts_secs, Some(1_700_000_000));
        // An empty `#` field is no tags, not an error.
        assert!(metric("a:1|g|#").tags.is_empty());
    }

    #[test]
    fn tags_are_sorted_lower_cased_and_deduplicated_and_names_normalised() {
        let m = metric("my-app requests:1|c|#Host:Web-1, env:Test|#env:test");
        assert_eq!(m.name, "my_app_requests");
        assert_eq!(m.tags.canonical(), "env:test,host:web-1");
    }

    #[test]
    fn events_and_service_checks_are_recognised_not_errors() {
        let line = "_e{21,36}:An exception occurred|Cannot parse CSV file from 10.0.0.17|t:warning|#err_type:bad_file";
        assert_eq!(
            parse_datagram(line),
            Ok(Datagram::Event(Event {
                title: "An exception occurred".into(),
                text: "Cannot parse CSV file from 10.0.0.17".into(),
                tags: TagSet::from_tags(["err_type:bad_file"]),
            }))
        );
        let line = "_sc|Redis connection|2|#env:dev|m:Redis connection timed out | after 10s";
        assert_eq!(
            parse_datagram(line),
            Ok(Datagram::ServiceCheck(ServiceCheck {
                name: "Redis connection".into(),
                status: Some(2),
                tags: TagSet::from_tags(["env:dev"]),
                message: Some("Redis connection timed out | after 10s".into()),
            }))
        );
        // Wrong lengths fall back to splitting at `|`; an unknown status is `None`.
        match parse_datagram("_e{99,1}:Title|Body\\nline 2") {
            Ok(Datagram::Event(e)) => assert_eq!(
                (e.title.as_str(), e.text.as_str()),
                ("Title", "Body\nline 2")
            ),
            other => panic!("{other:?}"),
        }
        match parse_datagram("_sc|db|9") {
            Ok(Datagram::ServiceCheck(sc)) => assert_eq!(sc.status, None),
            other => panic!("{other:?}"),
        }

        let mut agg = Aggregator::new(10);
        for d in parse_packet("_e{1,1}:a|b\n_sc|x|0") {
            agg.insert(d.expect("events and service checks parse"), 1000)
                .expect("ignored, not dropped");
        }
        assert!(agg.is_empty());
        assert!(agg.flush_all().is_empty());
    }

    #[test]
    fn malformed_lines_give_the_right_error() {
        use ParseErrorKind::*;
        let bad_name = |name: &str, reason| BadName {
            name: name.into(),
            reason,
        };
        let cases = [
            ("foo", MissingValue),
            ("|", MissingValue),
            ("a:|g", MissingValue),
            ("a:1", MissingType),
            ("a:1|", MissingType),
            ("foo:1|x", UnknownType("x".into())),
            ("foo:1|G", UnknownType("G".into())),
            ("a:abc|g", BadNumber("abc".into())),
            ("a:NaN|h", BadNumber("NaN".into())),
            ("a:inf|c", BadNumber("inf".into())),
            ("a:1e999|c", BadNumber("1e999".into())),
            ("a:1|g|@", BadSampleRate("".into())),
            ("a:1|c|@0", BadSampleRate("0".into())),
            ("a:1|c|@1.5", BadSampleRate("1.5".into())),
            ("a:1|c|@-0.5", BadSampleRate("-0.5".into())),
            ("a:1|c|@1e-320", BadSampleRate("1e-320".into())),
            ("a:1|g|Tsoon", BadTimestamp("soon".into())),
            ("a:1|g|T-5", BadTimestamp("-5".into())),
            (":", bad_name("", "metric name is empty")),
            (
                "1abc:1|g",
                bad_name("1abc", "metric name must start with a letter"),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(error_kind(line), expected, "for `{line}`");
        }
        assert_eq!(metric("a:1|c|@1").sample_rate, 1.0);
        // Found by the fuzzer: `<name>.95percentile` must still be a valid name.
        let long = "v".repeat(188);
        assert!(matches!(
            error_kind(&format!("{long}:1|h")),
            BadName { reason, .. } if reason.contains("at most 187")
        ));
        assert!(matches!(
            error_kind(&format!("{long}:1|ms")),
            BadName { .. }
        ));
        assert_eq!(metric(&format!("{}:1|d", "v".repeat(187))).name.len(), 187);
        assert_eq!(metric(&format!("{long}:1|g")).name, long);
    }

    #[test]
    fn errors_read_as_sentences() {
        let message = |line: &str| match parse_datagram(line) {
            Err(e) => e.to_string(),
            Ok(d) => panic!("`{line}` parsed as {d:?}"),
        };
        assert_eq!(
            message("foo:1|x"),
            "unknown metric type `x` in `foo:1|x` (expected g, c, h, ms, d or s)"
        );
        assert_eq!(
            message("foo"),
            "missing value in `foo` (expected `<name>:<value>|<type>`)"
        );
        assert_eq!(
            message("a:1|c|@2"),
            "sample rate `@2` in `a:1|c|@2` is not a number greater than 0 and at most 1"
        );
        assert_eq!(
            message("1abc:1|g"),
            "bad metric name `1abc` in `1abc:1|g`: metric name must start with a letter"
        );
        // Long lines are cut and control characters escaped.
        let long = format!("a:1|x\u{1b}{}", "y".repeat(500));
        let shown = message(&long);
        assert!(shown.contains("x\\u{1b}yyy"), "{shown}");
        assert!(shown.contains("y…"), "{shown}");
        assert!(shown.len() < 300, "{shown}");
    }

    #[test]
    fn one_packet_holds_several_datagrams_and_bad_lines_do_not_stop_the_others() {
        let results = parse_packet("a:1|g\r\nbad\n\nb:2|c|#env:test\nc:1|x\n");
        let kinds: Vec<Result<&str, ParseErrorKind>> = results
            .iter()
            .map(|r| match r {
                Ok(Datagram::Metric(m)) => Ok(m.name.as_str()),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e.kind.clone()),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                Ok("a"),
                Err(ParseErrorKind::MissingValue),
                Ok("b"),
                Err(ParseErrorKind::UnknownType("x".into()))
            ]
        );
        assert!(parse_packet("").is_empty());
        assert!(parse_packet("\n\n").is_empty());

        let mut agg = Aggregator::new(10);
        for d in parse_packet("a:1|g\r\nbad\n\nb:2|c|#env:test\nc:1|x\n")
            .into_iter()
            .flatten()
        {
            agg.insert(d, 1003).expect("kept");
        }
        assert_eq!(
            render(&agg.flush(1010)),
            ["1000 a{} gauge 1", "1000 b{env:test} rate/10s 0.2"]
        );
    }

    #[test]
    fn odd_input_never_panics() {
        let long_name = format!("{}:1|g", "a".repeat(100_000));
        let many_tags = format!("a:1|g|#{}", "t,".repeat(10_000));
        let mut inputs: Vec<String> = [
            "",
            ":",
            "|",
            "::",
            "||",
            "a:|g",
            "a:1|",
            "a:1|g|@",
            "a:1|g|#",
            "a:1|g|T",
            "a:1|g|@|#|T",
            "_e",
            "_e{",
            "_e{}",
            "_e{}:",
            "_e{1,1}:",
            "_e{5,5}:é|é",
            "_e{99999999999999999999,1}:x|y",
            "_e{1,99}:a|b",
            "_sc",
            "_sc|",
            "_sc||||m:",
            "é:1|g",
            "aé:1|g",
            "a:é|g",
            "a:1|é",
            "a:1|g|Té",
            "a:1|g|@é",
            "\u{0}:\u{0}|\u{0}",
            "a:1|g|T9223372036854775807",
            "a:1|c|T0",
            "a:-0|c",
            "a:1.7976931348623157e308|c",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        inputs.push(long_name);
        inputs.push(many_tags);
        // A fixed pseudo-random generator (xorshift) over DogStatsD's own punctuation finds odd
        // combinations without a fuzzing dependency, and stays reproducible.
        let alphabet: Vec<char> = ":|@#Tgcmshd,._e{}01é\u{0}\r \n-".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5_000 {
            let mut s = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..state % 24 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            inputs.push(s);
        }

        let mut agg = Aggregator::new(10);
        for (i, input) in inputs.iter().enumerate() {
            let now_secs = [i64::MIN, -7, 0, 1_700_000_003, i64::MAX][i % 5];
            for result in parse_packet(input) {
                match result {
                    // Kept or dropped, never a panic.
                    Ok(d) => {
                        let _ = agg.insert(d, now_secs);
                    }
                    Err(e) => assert!(!e.to_string().is_empty()),
                }
            }
        }
        let _ = agg.flush(i64::MIN);
        let _ = agg.flush(0);
        let _ = agg.flush(i64::MAX);
        let _ = agg.flush_all();
        // The huge count overflows to infinity when summed twice and must be dropped, not emitted.
        let mut agg = aggregate(&[(
            1000,
            "a:1.7976931348623157e308|c\na:1.7976931348623157e308|c",
        )]);
        assert!(agg.flush_all().is_empty());
    }

    #[test]
    fn gauge_keeps_the_last_value() {
        let mut agg = aggregate(&[(1001, "temp:1|g"), (1005, "temp:3|g\ntemp:2|g")]);
        assert_eq!(render(&agg.flush(1010)), ["1000 temp{} gauge 2"]);
    }

    #[test]
    fn a_tagged_gauge_gives_one_sample() {
        let mut agg = aggregate(&[(1003, "my_metric:42|g|#env:test")]);
        let samples = agg.flush(1010);
        assert_eq!(
            samples,
            [Sample {
                key: SeriesKey {
                    metric: "my_metric".into(),
                    tags: TagSet::from_tags(["env:test"]),
                },
                kind: MetricType::Gauge,
                interval_secs: None,
                ts_secs: 1000,
                value: 42.0,
            }]
        );
    }

    #[test]
    fn counts_become_rates_and_sample_rates_scale_them() {
        // 1 + 1 + 1 = 3 over 10 s.
        let mut agg = aggregate(&[
            (1000, "page.views:1|c\npage.views:1|c"),
            (1009, "page.views:1|c"),
        ]);
        assert_eq!(render(&agg.flush(1010)), ["1000 page.views{} rate/10s 0.3"]);
        // One point sampled at 0.5 stands for 2; plus 4 unsampled: 6 over 10 s.
        let mut agg = aggregate(&[(1000, "page.views:1|c|@0.5\npage.views:4|c")]);
        assert_eq!(render(&agg.flush(1010)), ["1000 page.views{} rate/10s 0.6"]);
        // A decrement subtracts.
        let mut agg = aggregate(&[(1000, "q:5|c\nq:-3|c")]);
        assert_eq!(render(&agg.flush(1010)), ["1000 q{} rate/10s 0.2"]);
    }

    #[test]
    fn timer_values_one_to_ten_summarise_by_nearest_rank() {
        let packet: Vec<String> = (1..=10).rev().map(|i| format!("t:{i}|ms")).collect();
        let mut agg = aggregate(&[(1004, &packet.join("\n"))]);
        assert_eq!(
            render(&agg.flush(1010)),
            [
                "1000 t.95percentile{} gauge 10",
                "1000 t.avg{} gauge 5.5",
                "1000 t.count{} rate/10s 1",
                "1000 t.max{} gauge 10",
                "1000 t.median{} gauge 5",
            ]
        );
    }

    #[test]
    fn histograms_and_distributions_weight_values_by_sample_rate() {
        // 2 sampled at 0.5 counts twice: values 2, 2, 5; sum 9, count 3, avg 3. Median: the first
        // value whose cumulative weight reaches 1.5 is 2; 95th: 2.85 is first reached by 5.
        let mut agg = aggregate(&[(1000, "h:2|h|@0.5\nh:5|h\nd:7|d|#a:b")]);
        assert_eq!(
            render(&agg.flush(1010)),
            [
                "1000 d.95percentile{a:b} gauge 7",
                "1000 d.avg{a:b} gauge 7",
                "1000 d.count{a:b} rate/10s 0.1",
                "1000 d.max{a:b} gauge 7",
                "1000 d.median{a:b} gauge 7",
                "1000 h.95percentile{} gauge 5",
                "1000 h.avg{} gauge 3",
                "1000 h.count{} rate/10s 0.3",
                "1000 h.max{} gauge 5",
                "1000 h.median{} gauge 2",
            ]
        );
    }

    #[test]
    fn sets_count_unique_members() {
        let mut agg = aggregate(&[(1000, "users:alice|s\nusers:bob|s\nusers:alice|s|@0.5")]);
        assert_eq!(render(&agg.flush(1010)), ["1000 users{} gauge 2"]);
    }

    #[test]
    fn windows_close_at_their_end_and_only_closed_ones_are_flushed() {
        let mut agg = aggregate(&[(1005, "a:1|c"), (1015, "a:2|c"), (1019, "b:1|g")]);
        assert!(agg.flush(1009).is_empty());
        assert_eq!(render(&agg.flush(1012)), ["1000 a{} rate/10s 0.1"]);
        assert!(agg.flush(1019).is_empty());
        assert_eq!(
            render(&agg.flush(1020)),
            ["1010 a{} rate/10s 0.2", "1010 b{} gauge 1"]
        );
        assert!(agg.is_empty());

        // 1009 and 1010 are one second apart but in different windows.
        let mut agg = aggregate(&[(1009, "a:1|g"), (1010, "a:2|g")]);
        assert_eq!(render(&agg.flush(1010)), ["1000 a{} gauge 1"]);
        assert_eq!(render(&agg.flush(1020)), ["1010 a{} gauge 2"]);
    }

    #[test]
    fn a_timestamp_more_than_ten_minutes_ahead_is_dropped() {
        let mut agg = Aggregator::new(10);
        let now = 1_700_000_000;
        let at = |ts: i64| Datagram::Metric(metric(&format!("a:1|g|T{ts}")));
        assert_eq!(agg.insert(at(now + 600), now), Ok(()));
        assert_eq!(
            agg.insert(at(now + 601), now),
            Err(Dropped::FutureTimestamp)
        );
        // Year 5138: dropped, never buffered until shutdown.
        assert_eq!(
            agg.insert(at(99_999_999_999), now),
            Err(Dropped::FutureTimestamp)
        );
        assert_eq!(render(&agg.flush_all()), ["1700000600 a{} gauge 1"]);
    }

    #[test]
    fn the_aggregator_holds_a_bounded_amount_until_it_flushes() {
        let mut agg = Aggregator::with_max_bytes(10, 4096);
        let now = 1_700_000_000;
        let mut kept = 0;
        let mut dropped = 0;
        for i in 0..1000 {
            match agg.insert(
                Datagram::Metric(metric(&format!("m{i}:1|h|#host:h{i}"))),
                now,
            ) {
                Ok(()) => kept += 1,
                Err(Dropped::Full) => dropped += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(kept > 10 && dropped > 900, "kept {kept}, dropped {dropped}");
        assert!(agg.bytes() <= 4096, "{}", agg.bytes());
        // Values of a series already held cost little; a repeated set member costs nothing.
        let before = agg.bytes();
        let _ = agg.insert(Datagram::Metric(metric("m0:2|h|#host:h0")), now);
        assert_eq!(agg.bytes(), before + 16);
        assert_eq!(agg.flush(now + 10).len(), kept * 5);
        assert_eq!(agg.bytes(), 0);
        assert_eq!(
            agg.insert(Datagram::Metric(metric("m:1|g")), now + 10),
            Ok(())
        );
    }

    #[test]
    fn flush_all_emits_the_open_window_too() {
        let mut agg = aggregate(&[(995, "a:1|g"), (1005, "a:2|g")]);
        assert!(agg.flush(999).is_empty());
        assert_eq!(
            render(&agg.flush_all()),
            ["990 a{} gauge 1", "1000 a{} gauge 2"]
        );
        assert!(agg.is_empty());
        assert!(agg.flush_all().is_empty());
    }

    #[test]
    fn a_timestamped_datagram_goes_to_the_window_of_its_timestamp() {
        let mut agg = aggregate(&[(1005, "a:1|g|T903\na:5|c|T1001")]);
        assert_eq!(render(&agg.flush(1005)), ["900 a{} gauge 1"]);
        assert_eq!(render(&agg.flush(1010)), ["1000 a{} rate/10s 0.5"]);
    }

    #[test]
    fn output_is_sorted_by_metric_then_tags_then_time() {
        let mut agg = aggregate(&[
            (1012, "b:1|g|#z:1\nb:2|g|#a:1\na:3|g"),
            (1001, "b:4|g|#z:1\na:5|g"),
        ]);
        assert_eq!(
            render(&agg.flush_all()),
            [
                "1000 a{} gauge 5",
                "1010 a{} gauge 3",
                "1010 b{a:1} gauge 2",
                "1000 b{z:1} gauge 4",
                "1010 b{z:1} gauge 1",
            ]
        );
    }

    #[test]
    fn other_intervals_and_negative_times_bucket_by_euclidean_remainder() {
        let mut agg = Aggregator::new(60);
        for d in parse_packet("a:6|c") {
            agg.insert(d.expect("valid"), -5).expect("kept");
        }
        assert_eq!(render(&agg.flush(0)), ["-60 a{} rate/60s 0.1"]);
        assert_eq!(Aggregator::new(0).interval_secs(), 1);
    }
}
