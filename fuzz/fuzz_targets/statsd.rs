//! Fuzzes DogStatsD: no packet may panic the parser or the aggregator, every line gives a result
//! (a datagram or an error that renders), and what the aggregator keeps stays within its bound and
//! flushes as finite points with valid names.

#![no_main]

use dogwatch_core::model::normalize_metric_name;
use dogwatch_core::statsd::{Aggregator, Datagram, parse_packet};
use libfuzzer_sys::fuzz_target;

/// Small, so that the fuzzer reaches the bound.
const MAX_BYTES: usize = 16 * 1024;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut agg = Aggregator::with_max_bytes(10, MAX_BYTES);
    // The clock at awkward places too: the window arithmetic must not overflow.
    for now in [1_700_000_000, 0, -7, i64::MAX - 5, i64::MIN + 5] {
        for line in parse_packet(&text) {
            match line {
                Ok(d) => {
                    if let Datagram::Metric(m) = &d {
                        assert_eq!(
                            normalize_metric_name(&m.name).as_deref(),
                            Ok(m.name.as_str())
                        );
                    }
                    let _ = agg.insert(d, now);
                    assert!(agg.bytes() <= MAX_BYTES, "{}", agg.bytes());
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        for sample in agg.flush(now) {
            assert!(sample.value.is_finite(), "{sample:?}");
            assert!(
                normalize_metric_name(&sample.key.metric).is_ok(),
                "{sample:?}"
            );
        }
    }
    let _ = agg.flush_all();
    assert_eq!(agg.bytes(), 0);
});
