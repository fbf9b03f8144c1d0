//! Helpers for the kernels' tests: a day-aligned start time, a readable rendering of lines, and a
//! small deterministic random generator for property tests.

use super::Line;

/// 2023-11-14T00:00:00Z: a midnight, so hourly and daily buckets start at round offsets from it.
pub(crate) const T0: i64 = 1_699_920_000;

/// A value rounded to 9 decimals and printed without trailing zeros, so that expectations are
/// written as a person computes them (`0.3`, not `0.30000000000000004`).
pub(crate) fn num(v: f64) -> String {
    let rounded = (v * 1e9).round() / 1e9;
    // -0 and 0 read the same to a person.
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded}")
}

/// A line's values separated by spaces, `_` for an empty bucket.
pub(crate) fn render(line: &Line) -> String {
    render_values(&line.values)
}

pub(crate) fn render_values(values: &[Option<f64>]) -> String {
    values
        .iter()
        .map(|v| v.map_or_else(|| "_".to_owned(), num))
        .collect::<Vec<_>>()
        .join(" ")
}

/// SplitMix64: deterministic, so a failing property names its case by seed and reproduces.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[-amplitude, amplitude)`.
    pub(crate) fn noise(&mut self, amplitude: f64) -> f64 {
        (self.unit() * 2.0 - 1.0) * amplitude
    }

    /// Standard normal, by the Box–Muller transform.
    pub(crate) fn gauss(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}
