//! The figures of the APM views, from the durations and errors of the spans they cover:
//! percentiles by nearest rank (exact: the value of a stored span, not an estimate), Apdex, and a
//! latency histogram.

use crate::wire::{HistogramBin, LatencyStats};

/// The `pct`th percentile of sorted durations by nearest rank: the value at rank
/// `ceil(pct / 100 * n)`, the smallest with at least `pct`% of all at or below it (as DogStatsD's
/// percentiles in `statsd.rs`, there over weighted values). 0 for none. In whole numbers: with
/// floats, 0.95 × 20 is a little over 19 and would take the 20th.
pub fn percentile(sorted: &[i64], pct: usize) -> i64 {
    let n = sorted.len();
    if n == 0 {
        return 0;
    }
    sorted[pct.saturating_mul(n).div_ceil(100).clamp(1, n) - 1]
}

/// Hits, errors, total time and the percentiles of these spans.
pub fn latency_stats(durations: &mut [i64], errors: u64) -> LatencyStats {
    durations.sort_unstable();
    let hits = durations.len() as u64;
    let total_ns: i64 = durations.iter().fold(0i64, |a, d| a.saturating_add(*d));
    LatencyStats {
        hits,
        errors,
        total_ns,
        avg_ns: if hits == 0 {
            0
        } else {
            total_ns / i64::try_from(hits).unwrap_or(i64::MAX)
        },
        p50_ns: percentile(durations, 50),
        p75_ns: percentile(durations, 75),
        p90_ns: percentile(durations, 90),
        p95_ns: percentile(durations, 95),
        p99_ns: percentile(durations, 99),
        max_ns: durations.last().copied().unwrap_or(0),
    }
}

/// Apdex with threshold `t_ns`: (satisfied + tolerating / 2) / all, where a request is satisfied
/// within T, tolerating within 4T, and frustrated beyond or when it failed. `None` for no request.
pub fn apdex(spans: impl IntoIterator<Item = (i64, bool)>, t_ns: i64) -> Option<f64> {
    let (mut all, mut score) = (0u64, 0.0f64);
    for (duration, error) in spans {
        all += 1;
        if !error && duration <= t_ns {
            score += 1.0;
        } else if !error && duration <= t_ns.saturating_mul(4) {
            score += 0.5;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    (all > 0).then(|| score / all as f64)
}

/// Bins of these durations on a log scale between the shortest and the longest, at most `bins`
/// of them; each bin holds the durations `lower_ns <= d < upper_ns` (the last one also its upper).
pub fn histogram(sorted: &[i64], bins: usize) -> Vec<HistogramBin> {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let lo = lo.max(1);
    let hi = hi.max(lo);
    if lo == hi || bins <= 1 {
        return vec![HistogramBin {
            lower_ns: lo,
            upper_ns: hi,
            count: sorted.len() as u64,
        }];
    }
    #[allow(clippy::cast_precision_loss)]
    let (llo, lhi) = ((lo as f64).ln(), (hi as f64).ln());
    #[allow(clippy::cast_precision_loss)]
    let step = (lhi - llo) / bins as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let edge = |i: usize| -> i64 {
        if i == 0 {
            lo
        } else if i == bins {
            hi
        } else {
            (llo + step * i as f64).exp().round() as i64
        }
    };
    let mut out: Vec<HistogramBin> = (0..bins)
        .map(|i| HistogramBin {
            lower_ns: edge(i),
            upper_ns: edge(i + 1),
            count: 0,
        })
        .collect();
    let mut bin = 0;
    for &d in sorted {
        while bin + 1 < bins && d >= out[bin].upper_ns {
            bin += 1;
        }
        out[bin].count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_are_values_of_the_set() {
        let v: Vec<i64> = (1..=10).map(|i| i * 100).collect();
        assert_eq!(percentile(&v, 50), 500);
        assert_eq!(percentile(&v, 95), 1000);
        assert_eq!(percentile(&v, 99), 1000);
        assert_eq!(percentile(&v, 10), 100);
        assert_eq!(percentile(&[7], 99), 7);
        assert_eq!(percentile(&[], 50), 0);
        // 95 % of 20 is exactly the 19th.
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&twenty, 95), 19);
        let mut d = vec![300, 100, 200];
        let s = latency_stats(&mut d, 1);
        assert_eq!((s.hits, s.errors, s.total_ns, s.avg_ns), (3, 1, 600, 200));
        assert_eq!((s.p50_ns, s.p99_ns, s.max_ns), (200, 300, 300));
    }

    #[test]
    fn apdex_counts_tolerating_as_half_and_errors_as_frustrated() {
        let t = 500;
        // satisfied, tolerating, frustrated, failed fast.
        let a = apdex([(100, false), (1500, false), (2500, false), (10, true)], t);
        assert_eq!(a, Some(1.5 / 4.0));
        assert_eq!(apdex([], t), None);
    }

    #[test]
    fn histogram_bins_hold_every_duration_once() {
        let v = vec![1_000, 2_000, 5_000, 10_000, 1_000_000];
        let h = histogram(&v, 4);
        assert_eq!(h.len(), 4);
        assert_eq!(h.iter().map(|b| b.count).sum::<u64>(), 5);
        assert_eq!(h[0].lower_ns, 1_000);
        assert_eq!(h[3].upper_ns, 1_000_000);
        assert_eq!(h[3].count, 1);
        assert!(h.windows(2).all(|w| w[0].upper_ns == w[1].lower_ns));
        assert_eq!(histogram(&[5, 5], 10)[0].count, 2);
    }
}
