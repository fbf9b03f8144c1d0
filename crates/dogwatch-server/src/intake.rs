//! Datadog's metric intake, from a request body to stored points, in bounded memory.
//!
//! A body is at most [`MAX_COMPRESSED_BYTES`] as sent and [`MAX_DECOMPRESSED_BYTES`] once
//! decompressed (Datadog's limits; 413 beyond). It is never decompressed whole: the decompressor
//! feeds serde_json, which reads the payload's `series` one at a time (core's `SeriesV1`/`SeriesV2`,
//! whose lists are capped: points, tags, resources, and series per payload), and each series is
//! checked and turned into a [`SeriesPoints`] holding its key once. JSON strings longer than
//! [`MAX_JSON_STRING_BYTES`] are refused as they stream by ([`Guard`]), because serde_json buffers
//! a string whole before anyone can look at it.
//!
//! A payload that fits in one chunk ([`CHUNK_POINTS`] points, [`CHUNK_BYTES`] of points and keys)
//! is read once and written in one transaction. A larger one is read twice: first to check all of
//! it, so that a bad series at the end refuses the whole payload before anything is stored, then to
//! write it a chunk at a time.
//! The caller answers 202 only after the last chunk is committed; if the process dies before, the
//! client retries, and since a point is keyed by (series, time) the retry stores nothing twice.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::rc::Rc;

use dogwatch_core::model::{
    MetricType, Point, SeriesKey, SeriesPoints, Tag, TagSet, normalize_metric_name,
};
use dogwatch_core::wire::{MAX_SERIES_PER_PAYLOAD, SeriesV1, SeriesV2};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};

use crate::error::AppError;

/// Datadog's documented limit on a payload as sent (3.2 MB).
pub const MAX_COMPRESSED_BYTES: usize = 3_200_000;
/// Datadog's documented limit once decompressed (62 MiB).
pub const MAX_DECOMPRESSED_BYTES: usize = 62 * 1024 * 1024;
/// Datadog refuses points more than 10 minutes in the future.
pub const MAX_FUTURE_SECS: i64 = 600;
/// Datadog's limit on a tag's length, in characters (`host` included, as `host:<name>`).
pub const MAX_TAG_CHARS: usize = 200;
/// The longest JSON string in a payload, in bytes as sent (escapes included): far more than a
/// 200-character name or tag needs.
pub const MAX_JSON_STRING_BYTES: usize = 4096;
/// Points written per transaction, and the most a payload may hold to be read only once.
pub const CHUNK_POINTS: usize = 65_536;
/// The same bound in memory: a chunk (or a payload read once) holds at most about this many bytes
/// of points and keys (a few series with 1,000 long tags each reach it long before their points).
pub const CHUNK_BYTES: usize = 4 * 1024 * 1024;

/// About how many bytes a series holds in memory: its points and its key.
fn weight(s: &SeriesPoints) -> usize {
    s.points.len() * std::mem::size_of::<Point>()
        + s.key.metric.len()
        + s.key
            .tags
            .iter()
            .map(|t| t.as_str().len() + 24)
            .sum::<usize>()
        + 64
}

/// Series gathered until they reach [`CHUNK_POINTS`] points or [`CHUNK_BYTES`].
#[derive(Default)]
struct Chunk {
    series: Vec<SeriesPoints>,
    points: usize,
    bytes: usize,
}

impl Chunk {
    /// Adds a series; whether the chunk is now full.
    fn push(&mut self, s: SeriesPoints) -> bool {
        self.points += s.len();
        self.bytes += weight(&s);
        self.series.push(s);
        self.points >= CHUNK_POINTS || self.bytes >= CHUNK_BYTES
    }

    fn take(&mut self) -> Vec<SeriesPoints> {
        self.points = 0;
        self.bytes = 0;
        std::mem::take(&mut self.series)
    }
}

/// Which of Datadog's two series shapes a body has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

/// The body's `Content-Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    /// HTTP's "deflate" is zlib-wrapped (what datadogpy's `zlib.compress` sends); some clients send
    /// raw deflate, which is recognised by its missing zlib header.
    Deflate,
    Gzip,
}

impl Encoding {
    /// The encoding a `Content-Encoding` header names; 415 for one we do not speak.
    pub fn from_header(value: Option<&str>) -> Result<Encoding, AppError> {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "identity") => Ok(Encoding::Identity),
            Some("deflate") => Ok(Encoding::Deflate),
            Some("gzip" | "x-gzip") => Ok(Encoding::Gzip),
            Some(other) => Err(AppError::UnsupportedMediaType(format!(
                "unsupported Content-Encoding `{other}`; use deflate or gzip"
            ))),
        }
    }
}

/// Checks a whole payload, then stores it through `write` (see the module doc); the number of
/// points stored.
pub fn ingest(
    version: Version,
    encoding: Encoding,
    body: &[u8],
    now_secs: i64,
    mut write: impl FnMut(Vec<SeriesPoints>) -> Result<(), AppError>,
) -> Result<usize, AppError> {
    // First reading: everything is checked; the series are kept while they fit in one chunk.
    let mut kept = Chunk::default();
    let mut total = 0usize;
    let mut overflowed = false;
    read_payload(version, encoding, body, now_secs, &mut |s| {
        total += s.len();
        if !overflowed && kept.push(s) {
            overflowed = true;
            kept = Chunk::default();
        }
        Ok(())
    })?;
    if !overflowed {
        if total > 0 {
            write(kept.take())?;
        }
        return Ok(total);
    }
    // Second reading of a payload too big to hold: written a chunk at a time.
    let mut chunk = Chunk::default();
    read_payload(version, encoding, body, now_secs, &mut |s| {
        if chunk.push(s) {
            write(chunk.take())?;
        }
        Ok(())
    })?;
    if !chunk.series.is_empty() {
        write(chunk.take())?;
    }
    Ok(total)
}

/// Reads a payload series by series, handing each checked series to `each` in order. Errors name
/// the field (`series[3].points[1][0]: …`).
pub fn read_payload(
    version: Version,
    encoding: Encoding,
    body: &[u8],
    now_secs: i64,
    each: &mut dyn FnMut(SeriesPoints) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let stop = Rc::new(Cell::new(None));
    let guard = Guard::new(decoder(encoding, body), stop.clone());
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, guard));
    let mut track = serde_path_to_error::Track::new();
    // The first refusal of a series (a bad timestamp, say) or of `each`, kept whole: serde's error
    // only carries a message, and the message already names the field.
    let mut refused: Option<AppError> = None;
    let mut hand = |item: Result<SeriesPoints, AppError>| match item.and_then(&mut *each) {
        Ok(()) => true,
        Err(e) => {
            refused = Some(e);
            false
        }
    };
    let wrapped = serde_path_to_error::Deserializer::new(&mut de, &mut track);
    let read = match version {
        Version::V1 => {
            PayloadSeed::new(&mut |i, s| hand(series_v1(i, s, now_secs))).deserialize(wrapped)
        }
        Version::V2 => {
            PayloadSeed::new(&mut |i, s| hand(series_v2(i, s, now_secs))).deserialize(wrapped)
        }
    };
    let result = read.and_then(|()| de.end());
    if let Some(e) = refused {
        return Err(e);
    }
    let path = track.path().to_string();
    result.map_err(|e| match stop.take() {
        Some(Stop::TooLarge) => AppError::PayloadTooLarge(format!(
            "payload is larger than {MAX_DECOMPRESSED_BYTES} bytes once decompressed"
        )),
        Some(Stop::Decompress(why)) => {
            AppError::BadRequest(format!("the body could not be decompressed: {why}"))
        }
        Some(Stop::LongString) => at_path(
            &path,
            &format!("a string is longer than {MAX_JSON_STRING_BYTES} bytes"),
        ),
        None => at_path(&path, &e.to_string()),
    })
}

/// A 400 whose message starts with the path of the field at fault, when there is one.
fn at_path(path: &str, what: &str) -> AppError {
    // serde_path_to_error says "." or "?" when the error is not inside a field.
    if path.is_empty() || path == "." || path == "?" {
        AppError::BadRequest(format!("invalid JSON body: {what}"))
    } else {
        AppError::BadRequest(format!("{path}: {what}"))
    }
}

/// The decompressor for `encoding` over the body as sent.
fn decoder(encoding: Encoding, body: &[u8]) -> Box<dyn Read + '_> {
    match encoding {
        Encoding::Identity => Box::new(body),
        // A zlib stream starts with a header whose method is deflate (8) and whose two bytes,
        // read big-endian, are a multiple of 31 (RFC 1950 §2.2); anything else is raw deflate.
        Encoding::Deflate
            if body.len() >= 2
                && body[0] & 0x0f == 8
                && (u16::from(body[0]) << 8 | u16::from(body[1])) % 31 == 0 =>
        {
            Box::new(flate2::read::ZlibDecoder::new(body))
        }
        Encoding::Deflate => Box::new(flate2::read::DeflateDecoder::new(body)),
        Encoding::Gzip => Box::new(flate2::read::MultiGzDecoder::new(body)),
    }
}

/// Why [`Guard`] stopped the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stop {
    TooLarge,
    Decompress(String),
    LongString,
}

/// The decompressed stream, stopped with an error past [`MAX_DECOMPRESSED_BYTES`] or inside a JSON
/// string longer than [`MAX_JSON_STRING_BYTES`]. It follows only where strings start and end
/// (an unescaped `"` toggles, `\` escapes the next byte), which is all serde_json needs to have
/// seen bounded; everything else is serde_json's to judge. The bytes before the offending one are
/// passed on first and the error comes with the next read, so that serde_json has reached the
/// field at fault when it sees it.
struct Guard<R> {
    inner: R,
    stop: Rc<Cell<Option<Stop>>>,
    total: usize,
    /// Inside a string: its length so far; `None` between strings.
    string: Option<usize>,
    escaped: bool,
    /// Found in the last read, returned by the next one.
    pending: Option<Stop>,
}

impl<R: Read> Guard<R> {
    fn new(inner: R, stop: Rc<Cell<Option<Stop>>>) -> Self {
        Guard {
            inner,
            stop,
            total: 0,
            string: None,
            escaped: false,
            pending: None,
        }
    }

    fn fail(&self, why: Stop) -> io::Error {
        let message = format!("{why:?}");
        self.stop.set(Some(why));
        io::Error::other(message)
    }

    /// Where in `bytes` a string grows past its limit, following the string state.
    fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        for (at, &b) in bytes.iter().enumerate() {
            match (self.string, self.escaped, b) {
                (None, _, b'"') => self.string = Some(0),
                (None, ..) => {}
                (Some(_), true, _) => self.escaped = false,
                (Some(_), false, b'"') => self.string = None,
                (Some(len), false, b) => {
                    if len >= MAX_JSON_STRING_BYTES {
                        return Some(at);
                    }
                    self.string = Some(len + 1);
                    self.escaped = b == b'\\';
                }
            }
        }
        None
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(why) = self.pending.take() {
            return Err(self.fail(why));
        }
        let n = self
            .inner
            .read(buf)
            .map_err(|e| self.fail(Stop::Decompress(e.to_string())))?;
        let mut keep = n;
        if self.total + n > MAX_DECOMPRESSED_BYTES {
            keep = MAX_DECOMPRESSED_BYTES - self.total;
            self.pending = Some(Stop::TooLarge);
        }
        if let Some(at) = self.scan(&buf[..keep]) {
            keep = at;
            self.pending = Some(Stop::LongString);
        }
        self.total += keep;
        if keep == 0
            && let Some(why) = self.pending.take()
        {
            return Err(self.fail(why));
        }
        Ok(keep)
    }
}

/// `{"series": [...]}`, each series handed on as soon as it is read.
struct PayloadSeed<'a, T> {
    each: &'a mut dyn FnMut(usize, T) -> bool,
}

impl<'a, T> PayloadSeed<'a, T> {
    fn new(each: &'a mut dyn FnMut(usize, T) -> bool) -> Self {
        PayloadSeed { each }
    }
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for PayloadSeed<'_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PayloadSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `series`")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key != "series" {
                return Err(de::Error::unknown_field(&key, &["series"]));
            }
            if seen {
                return Err(de::Error::duplicate_field("series"));
            }
            map.next_value_seed(SeriesSeed {
                each: &mut *self.each,
            })?;
            seen = true;
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::missing_field("series"))
        }
    }
}

/// The `series` array, read one element at a time.
struct SeriesSeed<'a, T> {
    each: &'a mut dyn FnMut(usize, T) -> bool,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for SeriesSeed<'_, T> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for SeriesSeed<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an array of at most {MAX_SERIES_PER_PAYLOAD} series")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(series) = seq.next_element::<T>()? {
            if i == MAX_SERIES_PER_PAYLOAD {
                return Err(de::Error::invalid_length(i + 1, &self));
            }
            if !(self.each)(i, series) {
                // The refusal itself is kept by the caller.
                return Err(de::Error::custom("refused"));
            }
            i += 1;
        }
        Ok(())
    }
}

fn bad(path: String, what: impl fmt::Display) -> AppError {
    AppError::BadRequest(format!("{path}: {what}"))
}

/// The series' key: its metric name normalised, its tags and `host:<host>` each checked against
/// [`MAX_TAG_CHARS`].
fn series_key(
    i: usize,
    metric: &str,
    host: Option<(&str, &str)>,
    tags: Vec<String>,
) -> Result<SeriesKey, AppError> {
    let metric =
        normalize_metric_name(metric).map_err(|why| bad(format!("series[{i}].metric"), why))?;
    // Counted as stored: trimmed and lower-cased (which can lengthen some letters).
    let long =
        |tag: &str| Tag::new(tag).is_some_and(|t| t.as_str().chars().count() > MAX_TAG_CHARS);
    if let Some(j) = tags.iter().position(|t| long(t)) {
        return Err(bad(
            format!("series[{i}].tags[{j}]"),
            format!("tag is longer than {MAX_TAG_CHARS} characters"),
        ));
    }
    let mut all = tags;
    if let Some((field, h)) = host
        .map(|(f, h)| (f, h.trim()))
        .filter(|(_, h)| !h.is_empty())
    {
        let tag = format!("host:{h}");
        if long(&tag) {
            return Err(bad(
                format!("series[{i}].{field}"),
                format!("host:<name> is longer than {MAX_TAG_CHARS} characters"),
            ));
        }
        all.push(tag);
    }
    Ok(SeriesKey {
        metric,
        tags: TagSet::from_tags(all),
    })
}

fn check_ts(path: impl FnOnce() -> String, ts: f64, now: i64) -> Result<i64, AppError> {
    if !ts.is_finite() || ts <= 0.0 {
        return Err(bad(
            path(),
            format!("timestamp {ts} is not a positive number of seconds"),
        ));
    }
    let secs = ts as i64;
    if secs > now + MAX_FUTURE_SECS {
        return Err(bad(
            path(),
            format!("timestamp {secs} is more than 10 minutes in the future"),
        ));
    }
    Ok(secs)
}

/// One v1 series, checked.
pub fn series_v1(i: usize, s: SeriesV1, now: i64) -> Result<SeriesPoints, AppError> {
    let kind = match s.kind.as_deref().map(str::trim) {
        None | Some("") => MetricType::Gauge,
        Some(k) => MetricType::parse(k).ok_or_else(|| {
            bad(
                format!("series[{i}].type"),
                format!("unknown metric type `{k}`; expected gauge, count or rate"),
            )
        })?,
    };
    let host = s.host.as_deref().map(|h| ("host", h));
    let key = series_key(i, &s.metric, host, s.tags.map(|t| t.0).unwrap_or_default())?;
    // Collected from the read points' own allocation (both are 16 bytes), so that a series of a
    // million points is not held twice.
    let points = s
        .points
        .0
        .into_iter()
        .enumerate()
        .map(|(j, (ts, value))| {
            let ts_secs = check_ts(|| format!("series[{i}].points[{j}][0]"), ts, now)?;
            Ok(Point { ts_secs, value })
        })
        .collect::<Result<Vec<Point>, AppError>>()?;
    Ok(SeriesPoints {
        key,
        kind,
        interval_secs: s.interval,
        points,
    })
}

/// One v2 series, checked.
pub fn series_v2(i: usize, s: SeriesV2, now: i64) -> Result<SeriesPoints, AppError> {
    let kind = match s.kind.unwrap_or(0) {
        0 | 3 => MetricType::Gauge,
        1 => MetricType::Count,
        2 => MetricType::Rate,
        k => {
            return Err(bad(
                format!("series[{i}].type"),
                format!(
                    "unknown metric type {k}; expected 0 (unspecified), 1 (count), 2 (rate) or 3 (gauge)"
                ),
            ));
        }
    };
    let host = s
        .resources
        .as_ref()
        .and_then(|rs| {
            rs.0.iter()
                .position(|r| r.kind == "host")
                .map(|j| (j, &rs.0[j]))
        })
        .map(|(_, r)| ("resources", r.name.as_str()));
    let key = series_key(i, &s.metric, host, s.tags.map(|t| t.0).unwrap_or_default())?;
    let points = s
        .points
        .0
        .into_iter()
        .enumerate()
        .map(|(j, p)| {
            let path = || format!("series[{i}].points[{j}].timestamp");
            let ts_secs = check_ts(path, p.timestamp as f64, now)?;
            Ok(Point {
                ts_secs,
                value: p.value,
            })
        })
        .collect::<Result<Vec<Point>, AppError>>()?;
    Ok(SeriesPoints {
        key,
        kind,
        interval_secs: s.interval,
        points,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn refused(body: &str) -> String {
        match read_payload(
            Version::V1,
            Encoding::Identity,
            body.as_bytes(),
            NOW,
            &mut |_| Ok(()),
        ) {
            Err(AppError::BadRequest(m)) => m,
            other => panic!("{body:.200} was not refused with 400: {other:?}"),
        }
    }

    /// Series of `n` points each, `count` of them, with the last one's last timestamp `last_ts`.
    fn payload(count: usize, n: usize, last_ts: i64) -> String {
        let series: Vec<String> = (0..count)
            .map(|s| {
                let points: Vec<String> = (0..n)
                    .map(|i| {
                        let ts = if s + 1 == count && i + 1 == n {
                            last_ts
                        } else {
                            NOW - i as i64
                        };
                        format!("[{ts},{i}]")
                    })
                    .collect();
                format!(
                    r#"{{"metric":"m","host":"h{s}","points":[{}]}}"#,
                    points.join(",")
                )
            })
            .collect();
        format!(r#"{{"series":[{}]}}"#, series.join(","))
    }

    #[test]
    fn datadogs_limits_are_refused_naming_the_field() {
        let tag = |len: usize| "t".repeat(len);
        let one = |tags: &str| {
            format!(r#"{{"series":[{{"metric":"m","points":[[{NOW},1]],"tags":{tags}}}]}}"#)
        };
        assert_eq!(
            refused(&one(&format!(r#"["ok","{}"]"#, tag(201)))),
            "series[0].tags[1]: tag is longer than 200 characters"
        );
        read_payload(
            Version::V1,
            Encoding::Identity,
            one(&format!(r#"["{}"]"#, tag(200))).as_bytes(),
            NOW,
            &mut |_| Ok(()),
        )
        .expect("a tag of 200 characters");
        let many: Vec<String> = (0..1001).map(|i| format!("\"t{i}\"")).collect();
        assert!(
            refused(&one(&format!("[{}]", many.join(","))))
                .starts_with("series[0].tags: invalid length 1001, expected at most 1000 items")
        );
        let host = format!(
            r#"{{"series":[{{"metric":"m","points":[[{NOW},1]],"host":"{}"}}]}}"#,
            tag(196)
        );
        assert!(
            refused(&host).starts_with("series[0].host: "),
            "{}",
            refused(&host)
        );
        let long_name = format!(r#"{{"series":[{{"metric":"{}","points":[]}}]}}"#, tag(201));
        assert_eq!(
            refused(&long_name),
            "series[0].metric: metric name is longer than 200 characters"
        );
        let huge = format!(
            r#"{{"series":[{{"metric":"m","points":[],"device":"{}"}}]}}"#,
            tag(5000)
        );
        assert_eq!(
            refused(&huge),
            "series[0].device: a string is longer than 4096 bytes"
        );
    }

    #[test]
    fn series_and_points_beyond_their_caps_are_refused() {
        let point = format!("[{NOW},1]");
        let points = vec![point.as_str(); 1_000_001].join(",");
        let body = format!(r#"{{"series":[{{"metric":"m","points":[{points}]}}]}}"#);
        assert!(
            refused(&body).starts_with(
                "series[0].points: invalid length 1000001, expected at most 1000000 items"
            ),
            "{}",
            refused(&body)
        );
        let series = vec![r#"{"metric":"m","points":[]}"#; 100_001].join(",");
        let body = format!(r#"{{"series":[{series}]}}"#);
        assert!(
            refused(&body).contains("invalid length 100001"),
            "{}",
            refused(&body)
        );
    }

    #[test]
    fn a_payload_bigger_than_a_chunk_is_checked_whole_then_written_in_chunks() {
        // 40 series × 4,000 points: 160,000 points, three chunks.
        let body = payload(40, 4_000, NOW);
        let mut chunks = Vec::new();
        let stored = ingest(Version::V1, Encoding::Identity, body.as_bytes(), NOW, |c| {
            chunks.push(c.iter().map(SeriesPoints::len).sum::<usize>());
            Ok(())
        })
        .expect("ingest");
        assert_eq!(stored, 160_000);
        assert_eq!(chunks.iter().sum::<usize>(), 160_000);
        assert!(
            chunks.len() >= 3 && chunks.iter().all(|&n| n <= CHUNK_POINTS + 4_000),
            "{chunks:?}"
        );
        // The same payload with a bad timestamp in its very last point: nothing is written.
        let bad = payload(40, 4_000, NOW + 3_600);
        let mut written = 0;
        let result = ingest(Version::V1, Encoding::Identity, bad.as_bytes(), NOW, |_| {
            written += 1;
            Ok(())
        });
        assert!(
            matches!(&result, Err(AppError::BadRequest(m)) if m.starts_with("series[39].points[3999][0]")),
            "{result:?}"
        );
        assert_eq!(written, 0);
    }

    #[test]
    fn zlib_raw_deflate_and_gzip_bodies_are_read() {
        let body = payload(2, 3, NOW);
        let zlib = {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(body.as_bytes()).expect("zlib");
            z.finish().expect("zlib")
        };
        let raw = {
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(body.as_bytes()).expect("deflate");
            z.finish().expect("deflate")
        };
        let gzip = {
            let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(body.as_bytes()).expect("gzip");
            z.finish().expect("gzip")
        };
        for (encoding, bytes) in [
            (Encoding::Deflate, zlib),
            (Encoding::Deflate, raw),
            (Encoding::Gzip, gzip),
        ] {
            let n = ingest(Version::V1, encoding, &bytes, NOW, |_| Ok(())).expect("ingest");
            assert_eq!(n, 6, "{encoding:?}");
        }
        let garbage = ingest(Version::V1, Encoding::Gzip, b"not gzip", NOW, |_| Ok(()));
        assert!(
            matches!(&garbage, Err(AppError::BadRequest(m)) if m.starts_with("the body could not be decompressed")),
            "{garbage:?}"
        );
    }
}
