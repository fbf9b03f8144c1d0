//! The numbers the non-graph widgets show, from query answers: one value (Query Value), one value per
//! series ranked (Top List), present against past (Change), and counts of series per value band over
//! time (Heatmap). Pure, so each rule is tested natively.

use std::collections::BTreeMap;

use dogwatch_core::wire::{QueryResponse, QuerySeries};

use super::model::{ConditionalFormat, FormatPalette, Reducer};

/// Reduces one series' points (nulls skipped) to a number; `None` when it has no value.
pub fn reduce(points: &[(i64, Option<f64>)], reducer: Reducer) -> Option<f64> {
    let mut values = points
        .iter()
        .filter_map(|&(ts, v)| Some((ts, v?)))
        .filter(|(_, v)| v.is_finite());
    let (first_ts, first) = values.next()?;
    let (mut sum, mut n, mut min, mut max, mut last) =
        (first, 1.0, first, first, (first_ts, first));
    for (ts, v) in values {
        sum += v;
        n += 1.0;
        min = min.min(v);
        max = max.max(v);
        if ts >= last.0 {
            last = (ts, v);
        }
    }
    Some(match reducer {
        Reducer::Avg => sum / n,
        Reducer::Min => min,
        Reducer::Max => max,
        Reducer::Sum => sum,
        Reducer::Last => last.1,
    })
}

/// A Query Value: the reducer over every series' reduced value (the sum of sums, the max of maxes,
/// the average of averages; for `last`, the sum of each series' last value, which is what a total
/// over groups means).
pub fn query_value(response: &QueryResponse, reducer: Reducer) -> Option<f64> {
    let per_series: Vec<(i64, Option<f64>)> = response
        .series
        .iter()
        .map(|s| (0, reduce(&s.pointlist, reducer)))
        .collect();
    let across = match reducer {
        Reducer::Last => Reducer::Sum,
        other => other,
    };
    reduce(&per_series, across)
}

/// The first conditional format that holds for `value`, in the order written.
pub fn format_for(formats: &[ConditionalFormat], value: f64) -> Option<FormatPalette> {
    formats
        .iter()
        .find(|f| f.comparator.holds(value, f.value))
        .map(|f| f.palette)
}

/// What a series is called in lists: its group's tags, or its expression when it has none.
pub fn series_label(s: &QuerySeries) -> String {
    if s.tag_set.is_empty() {
        s.expression.clone()
    } else {
        s.tag_set.join(",")
    }
}

/// One row of a Top List or Change widget.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub label: String,
    pub value: f64,
    /// Change widgets: the value `compare_to` earlier.
    pub past: Option<f64>,
}

/// A Top List: each series reduced, largest first; series without data are left out.
pub fn top_list(responses: &[QueryResponse], reducer: Reducer, limit: usize) -> Vec<Ranked> {
    let mut rows: Vec<Ranked> = responses
        .iter()
        .flat_map(|r| &r.series)
        .filter_map(|s| {
            Some(Ranked {
                label: series_label(s),
                value: reduce(&s.pointlist, reducer)?,
                past: None,
            })
        })
        .collect();
    dogwatch_core::sort::sort_by(&mut rows, |a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    rows.truncate(limit);
    rows
}

/// A Change widget: each group's last value now against its last value in the shifted query's answer
/// (`hour_before(q)` and so on), biggest change first.
pub fn changes(present: &QueryResponse, past: &QueryResponse) -> Vec<Ranked> {
    // Inserted one by one: collecting into a map would bring in another copy of the sort code.
    let mut before: BTreeMap<Vec<String>, f64> = BTreeMap::new();
    for s in &past.series {
        if let Some(last) = reduce(&s.pointlist, Reducer::Last) {
            before.insert(s.tag_set.clone(), last);
        }
    }
    let mut rows: Vec<Ranked> = present
        .series
        .iter()
        .filter_map(|s| {
            Some(Ranked {
                label: series_label(s),
                value: reduce(&s.pointlist, Reducer::Last)?,
                past: before.get(&s.tag_set).copied(),
            })
        })
        .collect();
    let change = |r: &Ranked| r.past.map_or(f64::NEG_INFINITY, |p| r.value - p);
    dogwatch_core::sort::sort_by(&mut rows, |a, b| {
        change(b)
            .total_cmp(&change(a))
            .then_with(|| a.label.cmp(&b.label))
    });
    rows
}

/// The change of a row, in the metric's unit or in percent of the past value.
pub fn change_of(row: &Ranked, relative: bool) -> Option<f64> {
    let past = row.past?;
    let delta = row.value - past;
    if relative {
        (past != 0.0).then(|| delta / past.abs() * 100.0)
    } else {
        Some(delta)
    }
}

/// A heatmap: for each time bucket, how many series have a value in each of `bins` equal value bands
/// between the smallest and largest value seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    pub times_ms: Vec<i64>,
    pub low: f64,
    pub high: f64,
    /// `counts[t][b]`: series in band `b` (0 = lowest) at `times_ms[t]`.
    pub counts: Vec<Vec<u32>>,
    pub max_count: u32,
}

pub fn heatmap(responses: &[QueryResponse], bins: usize) -> Option<Heatmap> {
    let bins = bins.max(1);
    let mut by_time: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for s in responses.iter().flat_map(|r| &r.series) {
        for &(ts, v) in &s.pointlist {
            if let Some(v) = v.filter(|v| v.is_finite()) {
                by_time.entry(ts).or_default().push(v);
            }
        }
    }
    let all = by_time.values().flatten();
    let low = all.clone().copied().reduce(f64::min)?;
    let high = all.copied().reduce(f64::max)?;
    let width = if high > low {
        (high - low) / bins as f64
    } else {
        1.0
    };
    let mut max_count = 0;
    let counts = by_time
        .values()
        .map(|values| {
            let mut row = vec![0u32; bins];
            for v in values {
                let b = (((v - low) / width) as usize).min(bins - 1);
                row[b] += 1;
                max_count = max_count.max(row[b]);
            }
            row
        })
        .collect();
    Some(Heatmap {
        times_ms: by_time.keys().copied().collect(),
        low,
        high,
        counts,
        max_count,
    })
}

#[cfg(test)]
mod tests;
