//! Fuzzes the series intake body (`dogwatch_server::intake`): JSON for `/api/v1/series` and
//! `/api/v2/series`, as sent or compressed (zlib, raw deflate, gzip). No body may panic it, and
//! what it accepts keeps Datadog's limits: valid metric names, at most 1,000 tags of at most 200
//! characters, at most 1,000,000 points a series, no point more than 10 minutes ahead.
//!
//! The first byte chooses the version and how the rest arrives: as it is under each encoding (so
//! the decompressors meet garbage), or compressed here first (so the JSON reader behind each
//! decompressor is reached).

#![no_main]

use std::io::Write;

use dogwatch_core::model::normalize_metric_name;
use dogwatch_server::intake::{Encoding, MAX_FUTURE_SECS, MAX_TAG_CHARS, Version, ingest};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_700_000_000;

fn compressed(encoding: Encoding, body: &[u8]) -> Vec<u8> {
    let level = flate2::Compression::fast();
    match encoding {
        Encoding::Identity => body.to_vec(),
        Encoding::Deflate => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), level);
            let _ = z.write_all(body);
            z.finish().unwrap_or_default()
        }
        Encoding::Gzip => {
            let mut z = flate2::write::GzEncoder::new(Vec::new(), level);
            let _ = z.write_all(body);
            z.finish().unwrap_or_default()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let version = if mode & 1 == 0 {
        Version::V1
    } else {
        Version::V2
    };
    let encoding = match (mode >> 1) % 3 {
        0 => Encoding::Identity,
        1 => Encoding::Deflate,
        _ => Encoding::Gzip,
    };
    let body = if mode & 0x80 != 0 {
        compressed(encoding, body)
    } else {
        body.to_vec()
    };
    let result = ingest(version, encoding, &body, NOW, |batch| {
        for s in &batch {
            assert_eq!(
                normalize_metric_name(&s.key.metric).as_deref(),
                Ok(s.key.metric.as_str())
            );
            assert!(s.key.tags.iter().count() <= 1_001, "{:?}", s.key);
            for t in s.key.tags.iter() {
                assert!(t.as_str().chars().count() <= MAX_TAG_CHARS, "{t}");
            }
            assert!(s.points.len() <= 1_000_000);
            for p in &s.points {
                assert!(p.ts_secs > 0 && p.ts_secs <= NOW + MAX_FUTURE_SECS, "{p:?}");
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        // Every refusal answers in words.
        let _ = format!("{e:?}");
    }
});
