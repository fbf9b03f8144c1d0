//! Anomaly bands: `anomalies(q, 'basic' | 'agile' | 'robust', bounds)` as a band of expected values
//! around a line (the algorithms are written down in the parent module).

use std::fmt;

use super::stats::{MAD_TO_SIGMA, mad, mean, median};
use super::{Grid, Line};
use crate::wire;

/// How many buckets before each point `basic` takes the expected value from.
pub const BASIC_WINDOW_BUCKETS: usize = 60;
/// How many buckets before each point `basic` measures the spread over: three times the centre's
/// window, because a spread estimated from 60 values varies by about ±13 % from one window to the
/// next, enough to flag ordinary noise at `bounds` 2.
pub const BASIC_SPREAD_BUCKETS: usize = 180;
/// The fewest values in the centre's window for `basic` to draw a band.
pub const BASIC_MIN_POINTS: usize = 10;
/// The full seasons of history `agile` and `robust` need before a bucket.
pub const MIN_SEASONS: usize = 3;
/// The most past seasons `agile` and `robust` use.
pub const MAX_SEASONS: usize = 6;
/// σ is at least this fraction of the mean absolute level, so that a flat line still has a band.
const SIGMA_FLOOR: f64 = 0.01;
/// The fewest prediction errors a seasonal σ is measured from.
const MIN_ERRORS: usize = 3;
/// The most: evenly spaced over the season before the window.
const MAX_ERRORS: usize = 288;
/// `bounds` above this make no sense as standard deviations and could overflow.
const MAX_BOUNDS: f64 = 1_000.0;

/// The period of a seasonal algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Season {
    Hourly,
    Daily,
    Weekly,
}

impl Season {
    pub fn secs(self) -> i64 {
        match self {
            Season::Hourly => 3_600,
            Season::Daily => 86_400,
            Season::Weekly => 604_800,
        }
    }
}

/// The algorithm of `anomalies(q, algorithm, bounds)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyAlgorithm {
    /// Rolling median and MAD of the previous buckets; no seasonality.
    Basic,
    /// Seasonal, re-anchored to the recent level: adapts quickly to level shifts.
    Agile(Season),
    /// Seasonal-trend decomposition: a stable band.
    Robust(Season),
}

/// The expected range of each displayed bucket: a point is anomalous outside `[lower, upper]`.
/// `grid` is the displayed part of the line; `None` where no expectation could be formed.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub grid: Grid,
    pub upper: Vec<Option<f64>>,
    pub lower: Vec<Option<f64>>,
}

impl Band {
    /// The band as the wire's `[ts_ms, value]` pairs, with its algorithm name and bounds.
    pub fn to_wire(&self, algorithm: &str, bounds: f64) -> wire::Band {
        let pairs = |values: &[Option<f64>]| {
            Line {
                grid: self.grid,
                values: values.to_vec(),
            }
            .pointlist_ms()
        };
        wire::Band {
            algorithm: algorithm.to_owned(),
            bounds,
            upper: pairs(&self.upper),
            lower: pairs(&self.lower),
        }
    }
}

/// Why no band could be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnomalyError {
    /// A seasonal algorithm needs [`MIN_SEASONS`] full seasons of data before the window.
    NotEnoughHistory {
        needed_secs: i64,
        available_secs: i64,
    },
    /// The bucket width must divide the season into at least 2 buckets.
    IntervalDoesNotFitSeason {
        interval_secs: i64,
        season_secs: i64,
    },
}

impl fmt::Display for AnomalyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AnomalyError::NotEnoughHistory {
                needed_secs,
                available_secs,
            } => write!(
                f,
                "not enough history for seasonal anomalies: they need {} of data before the \
                 window ({MIN_SEASONS} seasons), and there is {}",
                Duration(needed_secs),
                Duration(available_secs)
            ),
            AnomalyError::IntervalDoesNotFitSeason {
                interval_secs,
                season_secs,
            } => write!(
                f,
                "an interval of {} does not divide a season of {} into buckets",
                Duration(interval_secs),
                Duration(season_secs)
            ),
        }
    }
}

impl std::error::Error for AnomalyError {}

/// A duration as a person says it: `3d`, `2d 4h`, `90s`.
struct Duration(i64);

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.max(0);
        if secs == 0 {
            return f.write_str("0s");
        }
        let parts = [
            (secs / 86_400, "d"),
            (secs % 86_400 / 3_600, "h"),
            (secs % 3_600 / 60, "m"),
            (secs % 60, "s"),
        ];
        let words: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, unit)| format!("{n}{unit}"))
            .collect();
        f.write_str(&words.join(" "))
    }
}

/// How many seconds before the displayed window the caller should read for `algorithm`, so that
/// the first displayed bucket has its full history.
pub fn history_secs(algorithm: AnomalyAlgorithm, interval_secs: i64) -> i64 {
    match algorithm {
        AnomalyAlgorithm::Basic => (BASIC_SPREAD_BUCKETS as i64).saturating_mul(interval_secs),
        AnomalyAlgorithm::Agile(season) | AnomalyAlgorithm::Robust(season) => {
            (MAX_SEASONS as i64).saturating_mul(season.secs())
        }
    }
}

/// The band of `line` from bucket `display_start` on; the buckets before it are history.
/// `bounds` is the band's half-width in robust standard deviations, clamped to `0..=1000`.
pub fn anomalies(
    line: &Line,
    display_start: usize,
    algorithm: AnomalyAlgorithm,
    bounds: f64,
) -> Result<Band, AnomalyError> {
    let values = &line.values;
    let start = display_start.min(values.len());
    let expected = match algorithm {
        AnomalyAlgorithm::Basic => basic(
            values,
            start,
            BasicWindows {
                center: BASIC_WINDOW_BUCKETS,
                spread: BASIC_SPREAD_BUCKETS,
                min_points: BASIC_MIN_POINTS,
            },
        ),
        AnomalyAlgorithm::Agile(season) => {
            Seasonal::new(line, start, season)?.band(start, Seasonal::agile)
        }
        AnomalyAlgorithm::Robust(season) => {
            Seasonal::new(line, start, season)?.band(start, Seasonal::robust)
        }
    };
    let bounds = if bounds.is_nan() {
        0.0
    } else {
        bounds.clamp(0.0, MAX_BOUNDS)
    };
    let edge = |e: &Option<(f64, f64)>, sign: f64| {
        e.map(|(center, sigma)| center + sign * bounds * sigma)
            .filter(|v| v.is_finite())
    };
    Ok(Band {
        grid: Grid {
            start_secs: line.grid.bucket_start_secs(start),
            interval_secs: line.grid.interval_secs,
            len: values.len() - start,
        },
        upper: expected.iter().map(|e| edge(e, 1.0)).collect(),
        lower: expected.iter().map(|e| edge(e, -1.0)).collect(),
    })
}

/// For each bucket of `line`: whether its value lies strictly outside `band` at the same time.
/// Buckets without a value or without a band are not anomalous.
pub fn outside(line: &Line, band: &Band) -> Vec<bool> {
    line.values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let Some(v) = *v else { return false };
            let ts = line.grid.bucket_start_secs(i);
            let Some(j) = band.grid.index_of(ts) else {
                return false;
            };
            if band.grid.bucket_start_secs(j) != ts {
                return false;
            }
            match (band.upper.get(j), band.lower.get(j)) {
                (Some(Some(upper)), Some(Some(lower))) => v > *upper || v < *lower,
                _ => false,
            }
        })
        .collect()
}

/// The window sizes of `basic`, in buckets.
#[derive(Debug, Clone, Copy)]
struct BasicWindows {
    center: usize,
    spread: usize,
    min_points: usize,
}

/// `(expected, σ)` for buckets `start..`: the median of the previous `center` buckets, and the
/// scaled MAD of the previous `spread` buckets around their own median.
fn basic(values: &[Option<f64>], start: usize, windows: BasicWindows) -> Vec<Option<(f64, f64)>> {
    let before = |i: usize, n: usize| -> Vec<f64> {
        values[i.saturating_sub(n)..i]
            .iter()
            .flatten()
            .copied()
            .collect()
    };
    (start..values.len())
        .map(|i| {
            let mut recent = before(i, windows.center);
            if recent.len() < windows.min_points {
                return None;
            }
            let center = median(&mut recent)?;
            let mut wider = before(i, windows.spread.max(windows.center));
            let floor = sigma_floor(&wider);
            let wider_center = median(&mut wider)?;
            let sigma = (MAD_TO_SIGMA * mad(&mut wider, wider_center)?).max(floor);
            Some((center, sigma))
        })
        .collect()
}

fn sigma_floor(values: &[f64]) -> f64 {
    let abs: Vec<f64> = values.iter().map(|v| v.abs()).collect();
    SIGMA_FLOOR * mean(&abs).unwrap_or(0.0)
}

/// A line prepared for the seasonal algorithms: `period` buckets per season and prefix sums for
/// the season means.
struct Seasonal<'a> {
    values: &'a [Option<f64>],
    period: usize,
    /// The first bucket with a value: history is counted from there.
    first: usize,
    /// `sums[i]`, `counts[i]`: sum and number of the values in `0..i`.
    sums: Vec<f64>,
    counts: Vec<u32>,
}

impl<'a> Seasonal<'a> {
    fn new(line: &'a Line, start: usize, season: Season) -> Result<Seasonal<'a>, AnomalyError> {
        let interval_secs = line.grid.interval_secs;
        let season_secs = season.secs();
        if interval_secs <= 0 || season_secs % interval_secs != 0 || season_secs / interval_secs < 2
        {
            return Err(AnomalyError::IntervalDoesNotFitSeason {
                interval_secs,
                season_secs,
            });
        }
        let period = (season_secs / interval_secs) as usize;
        let values = line.values.as_slice();
        let first = values.iter().position(Option::is_some);
        let history = first.map_or(0, |f| start.saturating_sub(f));
        let first = match first {
            Some(f) if history >= MIN_SEASONS * period => f,
            _ => {
                return Err(AnomalyError::NotEnoughHistory {
                    needed_secs: MIN_SEASONS as i64 * season_secs,
                    available_secs: history as i64 * interval_secs,
                });
            }
        };
        let mut sums = Vec::with_capacity(values.len() + 1);
        let mut counts = Vec::with_capacity(values.len() + 1);
        let (mut sum, mut count) = (0.0, 0u32);
        sums.push(sum);
        counts.push(count);
        for v in values {
            if let Some(v) = v {
                sum += v;
                count += 1;
            }
            sums.push(sum);
            counts.push(count);
        }
        Ok(Seasonal {
            values,
            period,
            first,
            sums,
            counts,
        })
    }

    /// `(expected, σ)` for buckets `start..` from a predictor of one bucket from the buckets
    /// before it. σ is one number for the whole window (a stable band): the scaled MAD of the
    /// predictor's own errors over the season before `start`, so it measures how far off this
    /// very predictor was on this very series; floored by the level of the history.
    fn band(
        &self,
        start: usize,
        predict: fn(&Seasonal<'a>, usize) -> Option<f64>,
    ) -> Vec<Option<(f64, f64)>> {
        let from = start.saturating_sub(self.period).max(self.first);
        // A few hundred errors measure a spread well; a weekly season of 20 s buckets has 30,240
        // buckets, and predicting each would cost seconds.
        let stride = (start - from).div_ceil(MAX_ERRORS).max(1);
        let errors_of = |predict: fn(&Seasonal<'a>, usize) -> Option<f64>| -> Vec<f64> {
            (from..start)
                .step_by(stride)
                .filter_map(|t| Some(self.values[t]? - predict(self, t)?))
                .collect()
        };
        let mut errors = errors_of(predict);
        // With exactly 3 seasons and a short season, `agile` has almost no predictions before
        // the window; robust's, available over the whole season, stand in for them.
        if errors.len() < MIN_ERRORS {
            errors = errors_of(Seasonal::robust);
        }
        let history: Vec<f64> = self.values[self.first..start]
            .iter()
            .rev()
            .take(MAX_SEASONS * self.period)
            .flatten()
            .copied()
            .collect();
        let spread = median(&mut errors.clone())
            .and_then(|center| mad(&mut errors, center))
            .map_or(0.0, |m| MAD_TO_SIGMA * m);
        let sigma = spread.max(sigma_floor(&history));
        (start..self.values.len())
            .map(|i| predict(self, i).map(|expected| (expected, sigma)))
            .collect()
    }

    /// The number of whole seasons between the first value and bucket `i`, at most `MAX_SEASONS`.
    fn seasons_before(&self, i: usize) -> usize {
        (i.saturating_sub(self.first) / self.period).min(MAX_SEASONS)
    }

    /// The mean of the values in `from..to`.
    fn mean(&self, from: usize, to: usize) -> Option<f64> {
        let n = self.counts[to] - self.counts[from];
        (n > 0).then(|| (self.sums[to] - self.sums[from]) / f64::from(n))
    }

    /// The trend before bucket `i` over `k_max` seasons: the season means `L_k` of the windows
    /// `[i − kP, i − (k−1)P)` (index `k − 1`) and the slope per season, the median of
    /// `L_k − L_(k+1)`.
    fn trend(&self, i: usize, k_max: usize) -> (Vec<Option<f64>>, f64) {
        let p = self.period;
        let levels: Vec<Option<f64>> = (1..=k_max)
            .map(|k| self.mean(i - k * p, i - (k - 1) * p))
            .collect();
        let mut steps: Vec<f64> = levels
            .windows(2)
            .filter_map(|w| Some(w[0]? - w[1]?))
            .collect();
        (levels, median(&mut steps).unwrap_or(0.0))
    }

    /// The trend at `pos` buckets into a season window whose mean is `level`: the mean sits at
    /// the window's centre, `(P − 1) / 2`.
    fn trend_at(&self, level: f64, slope: f64, pos: f64) -> f64 {
        let p = self.period as f64;
        level + slope * (pos - (p - 1.0) / 2.0) / p
    }

    /// `robust`: trend at `i` plus the median detrended value of the same phase.
    fn robust(&self, i: usize) -> Option<f64> {
        let p = self.period;
        let k_max = self.seasons_before(i);
        let (levels, slope) = self.trend(i, k_max);
        let mut seasonal: Vec<f64> = (1..=k_max)
            .filter_map(|k| {
                let x = self.values[i - k * p]?;
                Some(x - self.trend_at(levels[k - 1]?, slope, 0.0))
            })
            .collect();
        if seasonal.len() < 2 {
            return None;
        }
        let level = levels.first().copied().flatten()?;
        Some(self.trend_at(level, slope, p as f64) + median(&mut seasonal)?)
    }

    /// `agile`: the median of the same phase in past seasons, moved by the median gap between
    /// the recent values and their own seasonal medians.
    fn agile(&self, i: usize) -> Option<f64> {
        let p = self.period;
        let recent = (p / 12).max(3);
        // One season count for the bucket and its recent window, so that both medians lag by the
        // same amount and a trend cancels out in the offset.
        let k_max = (i.saturating_sub(recent).saturating_sub(self.first) / p).min(MAX_SEASONS);
        let baseline = |t: usize| {
            let mut past: Vec<f64> = (1..=k_max)
                .filter_map(|k| t.checked_sub(k * p).and_then(|at| self.values[at]))
                .collect();
            if past.len() < 2 {
                None
            } else {
                median(&mut past)
            }
        };
        let mut offsets: Vec<f64> = (i.saturating_sub(recent)..i)
            .filter_map(|t| Some(self.values[t]? - baseline(t)?))
            .collect();
        // No recent values (a gap in the data): the seasonal baseline alone is the best guess.
        let offset = median(&mut offsets).unwrap_or(0.0);
        Some(baseline(i)? + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Rng, T0, num, render_values};
    use super::*;

    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;

    fn line_every(interval_secs: i64, start_secs: i64, values: Vec<Option<f64>>) -> Line {
        let grid = Grid {
            start_secs,
            interval_secs,
            len: values.len(),
        };
        Line::new(grid, values)
    }

    fn some(values: &[f64]) -> Vec<Option<f64>> {
        values.iter().map(|v| Some(*v)).collect()
    }

    /// A band as two rows, `upper` then `lower`.
    fn render_band(band: &Band) -> String {
        format!(
            "upper: {}\nlower: {}",
            render_values(&band.upper),
            render_values(&band.lower)
        )
    }

    /// The indexes (from display start) of the flagged buckets.
    fn flagged(line: &Line, band: &Band) -> Vec<usize> {
        let display = line.on_grid(band.grid);
        outside(&display, band)
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.then_some(i))
            .collect()
    }

    #[test]
    fn basic_band_by_hand() {
        // Centre window 3, spread window 5. Before index 5: the centre is the median of 11 13 9,
        // 11; the spread window 10 12 11 13 9 has median 11, absolute deviations 1 1 0 2 2, MAD 1,
        // σ = 1.4826; bounds 2 → 11 ± 2.9652. Before index 6: median of 13 9 50 is 13; the
        // spread window 12 11 13 9 50 has median 12, deviations 0 1 1 3 38, MAD 1 → 13 ± 2.9652.
        let values = some(&[10.0, 12.0, 11.0, 13.0, 9.0, 50.0, 11.0]);
        let windows = BasicWindows {
            center: 3,
            spread: 5,
            min_points: 3,
        };
        let band: Vec<String> = basic(&values, 5, windows)
            .iter()
            .map(|e| e.map_or("_".into(), |(c, s)| format!("{}±{}", num(c), num(2.0 * s))))
            .collect();
        assert_eq!(band, ["11±2.9652", "13±2.9652"]);
        // Fewer than 3 values in the centre's window: no band.
        let sparse = vec![Some(1.0), Some(1.0), Some(1.0), Some(2.0), None, None];
        assert_eq!(basic(&sparse, 5, windows), [None]);
    }

    #[test]
    fn a_flat_series_gets_a_band_from_the_floor() {
        let line = line_every(20, T0, some(&[100.0; 70]));
        let band =
            anomalies(&line, 60, AnomalyAlgorithm::Basic, 2.0).unwrap_or_else(|e| panic!("{e}"));
        // σ = 1 % of 100; bounds 2.
        assert_eq!(band.upper[0], Some(102.0));
        assert_eq!(band.lower[0], Some(98.0));
        assert_eq!(band.grid.start_secs, T0 + 60 * 20);
        assert_eq!(band.grid.len, 10);
    }

    /// The acceptance test: `anomalies(…, 'basic', 2)` flags an injected spike and none
    /// of the steady, noisy part.
    #[test]
    fn basic_flags_a_spike_and_not_the_noisy_steady_part() {
        let mut rng = Rng::new(1);
        // One hour of 20 s buckets displayed, with 60 buckets of history before it.
        let mut values: Vec<Option<f64>> = (0..240).map(|_| Some(50.0 + rng.noise(1.0))).collect();
        values[60 + 90] = Some(58.0);
        let line = line_every(20, T0, values);
        let band =
            anomalies(&line, 60, AnomalyAlgorithm::Basic, 2.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(flagged(&line, &band), [90]);
        // Every displayed bucket has a band, the spike's successors included.
        assert!(band.upper.iter().chain(&band.lower).all(Option::is_some));
    }

    /// What `bounds` means: with normal noise about 5 % of the points lie outside ±2σ, as for a
    /// true standard deviation, and with bounded (uniform) noise almost none do. Measured over
    /// many generated series so that no single lucky series decides.
    #[test]
    fn bounds_read_as_standard_deviations() {
        let outside_rate = |algorithm: AnomalyAlgorithm, gaussian: bool, runs: u64| {
            let (history, display) = match algorithm {
                AnomalyAlgorithm::Basic => (BASIC_SPREAD_BUCKETS, 180),
                _ => (3 * 288, 288),
            };
            let mut flags = 0;
            for seed in 0..runs {
                let mut rng = Rng::new(100 + seed);
                let values = (0..history + display)
                    .map(|i| {
                        // Basic has no seasonality to learn the daily peak with.
                        let seasonal = algorithm != AnomalyAlgorithm::Basic;
                        let daily = if seasonal && (i % 288) / 12 == 12 {
                            50.0
                        } else {
                            0.0
                        };
                        let noise = if gaussian {
                            3.0 * rng.gauss()
                        } else {
                            rng.noise(5.0)
                        };
                        Some(100.0 + daily + noise)
                    })
                    .collect();
                let line = line_every(300, T0, values);
                let band =
                    anomalies(&line, history, algorithm, 2.0).unwrap_or_else(|e| panic!("{e}"));
                flags += flagged(&line, &band).len();
            }
            flags as f64 / (runs as usize * display) as f64
        };
        let normal = outside_rate(AnomalyAlgorithm::Basic, true, 20);
        assert!(
            (0.03..0.07).contains(&normal),
            "basic, normal noise: {normal}"
        );
        let uniform = outside_rate(AnomalyAlgorithm::Basic, false, 20);
        assert!(uniform < 0.002, "basic, uniform noise: {uniform}");
        for algorithm in [
            AnomalyAlgorithm::Robust(Season::Daily),
            AnomalyAlgorithm::Agile(Season::Daily),
        ] {
            let normal = outside_rate(algorithm, true, 5);
            assert!((0.02..0.08).contains(&normal), "{algorithm:?}: {normal}");
        }
    }

    #[test]
    fn basic_follows_a_level_shift_within_half_a_window() {
        let mut values = vec![Some(10.0); 60];
        values.extend(vec![Some(20.0); 60]);
        let line = line_every(20, T0, values);
        let band =
            anomalies(&line, 30, AnomalyAlgorithm::Basic, 3.0).unwrap_or_else(|e| panic!("{e}"));
        let flags = flagged(&line, &band);
        // The shift is at display index 30; the median of the last 60 is 10 until 30 of them are
        // new, 15 at 30, and 20 after.
        assert_eq!(flags, (30..=60).collect::<Vec<_>>());
    }

    /// One week of history and one displayed day of 300 s buckets: a level of 100, a regular daily
    /// peak of +50 from 12:00 to 13:00, noise of ±0.5, and on the displayed day a spike of +30 at
    /// 03:00, outside the season.
    fn daily_peak(days_of_history: i64) -> (Line, usize) {
        let mut rng = Rng::new(3);
        let per_day = (DAY / 300) as usize;
        let len = per_day * (days_of_history as usize + 1);
        let start = T0 - days_of_history * DAY;
        let values = (0..len)
            .map(|i| {
                let hour = (i % per_day) * 300 / 3_600;
                let peak = if hour == 12 { 50.0 } else { 0.0 };
                Some(100.0 + peak + rng.noise(0.5))
            })
            .collect();
        let mut line = line_every(300, start, values);
        let display_start = per_day * days_of_history as usize;
        line.values[display_start + 36] = Some(130.0);
        (line, display_start)
    }

    #[test]
    fn seasonal_algorithms_flag_an_off_season_spike_but_not_the_daily_peak() {
        let (line, display_start) = daily_peak(7);
        for algorithm in [
            AnomalyAlgorithm::Robust(Season::Daily),
            AnomalyAlgorithm::Agile(Season::Daily),
        ] {
            let band =
                anomalies(&line, display_start, algorithm, 2.0).unwrap_or_else(|e| panic!("{e}"));
            // 03:00 is bucket 36 of the day; the peak is buckets 144..156 and not flagged.
            assert_eq!(flagged(&line, &band), [36], "{algorithm:?}");
            let at_peak = band.lower[150].unwrap_or(f64::NAN);
            assert!(at_peak > 140.0, "{algorithm:?} expects the peak: {at_peak}");
        }
        // Without the seasonality, `basic` takes the regular peak for an anomaly.
        let band = anomalies(&line, display_start, AnomalyAlgorithm::Basic, 2.0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(flagged(&line, &band).contains(&144));
    }

    #[test]
    fn seasonal_algorithms_refuse_two_days_of_a_daily_season() {
        let (line, display_start) = daily_peak(2);
        for algorithm in [
            AnomalyAlgorithm::Robust(Season::Daily),
            AnomalyAlgorithm::Agile(Season::Daily),
        ] {
            let err = anomalies(&line, display_start, algorithm, 2.0);
            assert_eq!(
                err,
                Err(AnomalyError::NotEnoughHistory {
                    needed_secs: 3 * DAY,
                    available_secs: 2 * DAY
                })
            );
        }
        // The history is counted from the first value, not from where the line starts.
        let (mut line, display_start) = daily_peak(7);
        for v in &mut line.values[..display_start - 2 * 288 + 1] {
            *v = None;
        }
        let err = anomalies(
            &line,
            display_start,
            AnomalyAlgorithm::Agile(Season::Daily),
            2.0,
        );
        let message = err.map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err(
                "not enough history for seasonal anomalies: they need 3d of data before the \
                 window (3 seasons), and there is 1d 23h 55m"
                    .to_owned()
            )
        );
        let empty = line_every(300, T0, vec![None; 10]);
        assert_eq!(
            anomalies(&empty, 5, AnomalyAlgorithm::Robust(Season::Hourly), 2.0),
            Err(AnomalyError::NotEnoughHistory {
                needed_secs: 3 * HOUR,
                available_secs: 0
            })
        );
    }

    #[test]
    fn the_interval_must_divide_the_season() {
        let line = line_every(7_200, T0, some(&[1.0; 10]));
        let err = anomalies(&line, 5, AnomalyAlgorithm::Agile(Season::Hourly), 2.0);
        assert_eq!(
            err,
            Err(AnomalyError::IntervalDoesNotFitSeason {
                interval_secs: 7_200,
                season_secs: 3_600
            })
        );
        let one_bucket = line_every(3_600, T0, some(&[1.0; 10]));
        assert!(
            anomalies(
                &one_bucket,
                5,
                AnomalyAlgorithm::Robust(Season::Hourly),
                2.0
            )
            .is_err()
        );
        let uneven = line_every(7 * 3_600, T0, some(&[1.0; 10]));
        assert!(anomalies(&uneven, 5, AnomalyAlgorithm::Robust(Season::Daily), 2.0).is_err());
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("an interval of 2h does not divide a season of 1h into buckets".to_owned())
        );
    }

    /// A season of 3 buckets (hourly at 1200 s): pattern 0 10 20 plus a trend of 1 per bucket.
    /// Windows before bucket 9: means 17, 14, 11; slope 3 per season; the same phase detrended
    /// (value − mean + slope × (P−1)/2P = value − mean + 1) is −10 in every season; expected
    /// = 17 + 3 × 4/6 − 10 = 9. Robust predicts buckets 6 to 8 exactly too, and agile has no
    /// prediction there (its recent window needs 2 seasons before it) so it takes robust's
    /// errors: σ is the floor, 1 % of the mean |value| of the history, 126 / 9 = 14 → 0.14;
    /// bounds 2 → 9 ± 0.28. Agile: the median of the same phase 2 and 1 seasons back is
    /// (3 + 6) / 2 = 4.5, and the last 3 buckets sit 4.5 above theirs: 4.5 + 4.5 = 9.
    #[test]
    fn robust_and_agile_follow_a_trend_by_hand() {
        let values = some(&[0.0, 11.0, 22.0, 3.0, 14.0, 25.0, 6.0, 17.0, 28.0, 9.0]);
        let line = line_every(1_200, T0, values);
        for algorithm in [
            AnomalyAlgorithm::Robust(Season::Hourly),
            AnomalyAlgorithm::Agile(Season::Hourly),
        ] {
            let band = anomalies(&line, 9, algorithm, 2.0).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                render_band(&band),
                "upper: 9.28\nlower: 8.72",
                "{algorithm:?}"
            );
        }
    }

    /// Season of 2 buckets (hourly at 1800 s), history 10 20 | 12 20 | 11 23 | 13 21.
    ///
    /// σ comes from robust's own errors over the season before bucket 8. At 6: season means
    /// 17 16 15 (newest first), slope 1; the same phase minus the trend at a window's start
    /// (mean − slope/4) is −5.75 −3.75 −4.75, median −4.75; expected 17 + 3/4 − 4.75 = 13, error
    /// 0. At 7: means 18 15.5 16, slope median(2.5, −0.5) = 1; 5.25 4.75 4.25 → 4.75; expected
    /// 18 + 3/4 + 4.75 = 23.5, error 21 − 23.5 = −2.5. Errors 0 −2.5: MAD 1.25, σ = 1.853250.
    /// At 8: means 17 17 16 15, slope 1; −3.75 −5.75 −3.75 −4.75 → −4.25; expected 13.5.
    #[test]
    fn robust_sigma_by_hand() {
        let values = some(&[10.0, 20.0, 12.0, 20.0, 11.0, 23.0, 13.0, 21.0, 14.0]);
        let line = line_every(1_800, T0, values);
        let band = anomalies(&line, 8, AnomalyAlgorithm::Robust(Season::Hourly), 1.0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(render_band(&band), "upper: 15.35325\nlower: 11.64675");
    }

    /// A level shift of +20 at 06:00 of the displayed day: `agile` re-anchors within its recent
    /// window (24 buckets, 2 hours), `robust` keeps flagging for the rest of the day.
    #[test]
    fn agile_adapts_to_a_level_shift_and_robust_does_not() {
        let (mut line, display_start) = daily_peak(7);
        line.values[display_start + 36] = Some(100.0);
        let shift_at = 72;
        for v in &mut line.values[display_start + shift_at..] {
            *v = v.map(|x| x + 20.0);
        }
        let agile = anomalies(
            &line,
            display_start,
            AnomalyAlgorithm::Agile(Season::Daily),
            2.0,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let agile_flags = flagged(&line, &agile);
        assert_eq!(agile_flags.first(), Some(&shift_at));
        assert!(
            agile_flags.len() <= 13 && agile_flags.iter().all(|&i| i < shift_at + 13),
            "{agile_flags:?}"
        );
        let robust = anomalies(
            &line,
            display_start,
            AnomalyAlgorithm::Robust(Season::Daily),
            2.0,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let robust_flags = flagged(&line, &robust);
        assert_eq!(robust_flags, (shift_at..288).collect::<Vec<_>>());
    }

    #[test]
    fn outside_is_strict_and_aligned_by_time() {
        let band = Band {
            grid: Grid {
                start_secs: T0 + 20,
                interval_secs: 20,
                len: 4,
            },
            upper: vec![Some(10.0), Some(10.0), None, Some(10.0)],
            lower: vec![Some(0.0), Some(0.0), Some(0.0), Some(0.0)],
        };
        let line = line_every(
            20,
            T0,
            vec![
                Some(99.0),
                Some(10.0),
                Some(10.5),
                Some(99.0),
                None,
                Some(7.0),
            ],
        );
        // Bucket 0 is before the band; bucket 3 has no upper edge; bucket 5 is after the band.
        assert_eq!(
            outside(&line, &band),
            [false, false, true, false, false, false]
        );
        let below = line_every(20, T0 + 20, some(&[0.0, -0.1]));
        assert_eq!(outside(&below, &band), [false, true]);
    }

    #[test]
    fn bands_go_to_the_wire_with_timestamps() {
        let line = line_every(20, T0, some(&[100.0; 12]));
        let band =
            anomalies(&line, 10, AnomalyAlgorithm::Basic, 2.0).unwrap_or_else(|e| panic!("{e}"));
        let wire = band.to_wire("basic", 2.0);
        assert_eq!(wire.algorithm, "basic");
        assert_eq!(
            wire.upper,
            [
                ((T0 + 200) * 1000, Some(102.0)),
                ((T0 + 220) * 1000, Some(102.0))
            ]
        );
        assert_eq!(wire.lower[1], ((T0 + 220) * 1000, Some(98.0)));
    }

    #[test]
    fn history_to_read_before_the_window() {
        assert_eq!(history_secs(AnomalyAlgorithm::Basic, 20), 3_600);
        assert_eq!(
            history_secs(AnomalyAlgorithm::Agile(Season::Daily), 300),
            6 * DAY
        );
        assert_eq!(
            history_secs(AnomalyAlgorithm::Robust(Season::Weekly), 3_600),
            42 * DAY
        );
    }

    #[test]
    fn odd_bounds_and_display_starts_do_not_panic() {
        let line = line_every(20, T0, some(&[1.0; 20]));
        for bounds in [f64::NAN, f64::INFINITY, -3.0, 0.0, 1e300] {
            let band = anomalies(&line, 15, AnomalyAlgorithm::Basic, bounds)
                .unwrap_or_else(|e| panic!("{e}"));
            for (u, l) in band.upper.iter().zip(&band.lower) {
                if let (Some(u), Some(l)) = (u, l) {
                    assert!(l <= u && u.is_finite());
                }
            }
        }
        let band =
            anomalies(&line, 99, AnomalyAlgorithm::Basic, 2.0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(band.grid.len, 0);
    }

    /// Property: on random lines with gaps, every algorithm's band has one entry per displayed
    /// bucket and `lower <= upper` wherever both exist.
    #[test]
    fn bands_are_ordered_on_random_lines() {
        let mut rng = Rng::new(5);
        for case in 0..60 {
            // Hourly seasons of 300 s buckets: P = 12.
            let len = 12 * (3 + rng.below(6) as usize) + rng.below(30) as usize;
            let level = rng.noise(1_000.0);
            let values: Vec<Option<f64>> = (0..len)
                .map(|i| {
                    let seasonal = ((i % 12) as f64).sin() * rng.noise(50.0);
                    (rng.below(5) > 0).then(|| level + seasonal + rng.noise(10.0))
                })
                .collect();
            let line = line_every(300, T0, values);
            let display_start = rng.below(len as u64 + 1) as usize;
            let bounds = rng.unit() * 4.0;
            for algorithm in [
                AnomalyAlgorithm::Basic,
                AnomalyAlgorithm::Agile(Season::Hourly),
                AnomalyAlgorithm::Robust(Season::Hourly),
            ] {
                let Ok(band) = anomalies(&line, display_start, algorithm, bounds) else {
                    continue;
                };
                assert_eq!(band.upper.len(), len - display_start, "case {case}");
                assert_eq!(band.lower.len(), len - display_start, "case {case}");
                for (u, l) in band.upper.iter().zip(&band.lower) {
                    match (u, l) {
                        (Some(u), Some(l)) => assert!(l <= u, "case {case} {algorithm:?}"),
                        (None, None) => {}
                        other => panic!("case {case} {algorithm:?}: {other:?}"),
                    }
                }
            }
        }
    }
}
