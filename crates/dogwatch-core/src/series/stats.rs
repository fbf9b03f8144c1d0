//! Small order statistics shared by the kernels: median, median absolute deviation, mean.

/// The scale that turns a median absolute deviation into a standard deviation for normal noise
/// (1 / Φ⁻¹(3/4)), so that anomaly `bounds` read as "standard deviations".
pub(crate) const MAD_TO_SIGMA: f64 = 1.4826;

/// The median of `values` (the mean of the two middle ones for an even count); sorts in place.
/// `None` when empty.
pub(crate) fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// The median of `|v − center|`; reorders `values`.
pub(crate) fn mad(values: &mut [f64], center: f64) -> Option<f64> {
    for v in values.iter_mut() {
        *v = (*v - center).abs();
    }
    median(values)
}

pub(crate) fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().sum::<f64>() / values.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // |1-3|, |2-3|, |3-3|, |4-3|, |10-3| = 2, 1, 0, 1, 7 → median 1.
        assert_eq!(mad(&mut [1.0, 2.0, 3.0, 4.0, 10.0], 3.0), Some(1.0));
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        assert_eq!(mean(&[]), None);
    }
}
