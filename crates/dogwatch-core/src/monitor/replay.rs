//! What a monitor would have done over past data: the evaluator's window aggregation
//! ([`aggregate`]) and state steps ([`step`]) replayed at regular times over a query answer. The
//! form's preview shades the spans it finds on the graph; the server's evaluator uses the same
//! [`aggregate`] on every cycle.

use crate::wire::QueryResponse;

use super::query::TimeAggr;
use super::state::{Evaluation, GroupStatus, State, StepSettings, TransitionKind, step};

/// The time aggregation of the present points `(ts_ms, value)`, in time order; `None` without
/// points, and for `pct_change` from zero.
pub fn aggregate(aggr: TimeAggr, present: &[(i64, f64)]) -> Option<f64> {
    let values = present.iter().map(|&(_, v)| v);
    let first = present.first()?.1;
    let last = present.last()?.1;
    match aggr {
        TimeAggr::Avg => Some(values.sum::<f64>() / present.len() as f64),
        TimeAggr::Sum => Some(values.sum()),
        TimeAggr::Min => values.reduce(f64::min),
        TimeAggr::Max => values.reduce(f64::max),
        TimeAggr::Change => Some(last - first),
        TimeAggr::PctChange => (first != 0.0).then(|| (last - first) / first.abs() * 100.0),
    }
}

/// A stretch of time in which the worst group was in `state` (never OK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from_ms: i64,
    pub to_ms: i64,
    pub state: State,
}

/// The outcome of a replay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Where the worst group was in Warn, Alert or No Data, in time order, neighbours merged.
    pub spans: Vec<Span>,
    /// Notifications that would have gone out, over all groups: into Alert, into Warn (including
    /// Alert down to Warn), into No Data, and recoveries.
    pub alerts: usize,
    pub warnings: usize,
    pub no_data: usize,
    pub recoveries: usize,
    /// Evaluations replayed per group.
    pub evaluations: usize,
}

/// The spans in which the worst group was not OK, from recorded transitions `(ts_ms, group, from,
/// to)` in time order, clipped to `[from_ms, to_ms]`: what the status page shades on its graph. A
/// group is in its first transition's `from` state before it; the last state lasts until `to_ms`.
pub fn history_spans(
    transitions: &[(i64, &str, State, State)],
    (from_ms, to_ms): (i64, i64),
) -> Vec<Span> {
    let mut states: Vec<(&str, State)> = Vec::new();
    for &(_, group, from, _) in transitions {
        if !states.iter().any(|(g, _)| *g == group) {
            states.push((group, from));
        }
    }
    let worst = |states: &[(&str, State)]| {
        states
            .iter()
            .map(|&(_, s)| s)
            .max_by_key(|&s| severity(s))
            .unwrap_or(State::Ok)
    };
    let mut spans: Vec<Span> = Vec::new();
    let mut push = |from: i64, to: i64, state: State| {
        let (from, to) = (from.max(from_ms), to.min(to_ms));
        if state != State::Ok && from < to {
            match spans.last_mut() {
                Some(last) if last.state == state && last.to_ms == from => last.to_ms = to,
                _ => spans.push(Span {
                    from_ms: from,
                    to_ms: to,
                    state,
                }),
            }
        }
    };
    let mut since = i64::MIN;
    for &(ts, group, _, to) in transitions {
        let before = worst(&states);
        if let Some(entry) = states.iter_mut().find(|(g, _)| *g == group) {
            entry.1 = to;
        }
        if worst(&states) != before {
            push(since, ts, before);
            since = ts;
        }
    }
    push(since, to_ms, worst(&states));
    spans
}

fn severity(s: State) -> u8 {
    match s {
        State::Ok => 0,
        State::NoData => 1,
        State::Warn => 2,
        State::Alert => 3,
    }
}

/// Replays evaluations every `every_ms` over `[from_ms, to_ms]` of `response` (one series per
/// group, as the evaluator reads it): at each time `t` the points within `[t − window, t]` are
/// aggregated and stepped, starting from OK. The first evaluation is one window in, so that every
/// one sees a full window. Renotifications are not counted; `require_full_window` and
/// `evaluation_delay` are not replayed (every window here is as full as the answer makes it).
pub fn replay(
    response: &QueryResponse,
    time_aggr: TimeAggr,
    window_secs: i64,
    settings: &StepSettings,
    (from_ms, to_ms): (i64, i64),
    every_ms: i64,
) -> Replay {
    let window_ms = window_secs.saturating_mul(1000);
    let every_ms = every_ms.max(1);
    let times: Vec<i64> = (0..)
        .map(|i| {
            from_ms
                .saturating_add(window_ms)
                .saturating_add(i * every_ms)
        })
        .take_while(|&t| t <= to_ms)
        .collect();
    let mut out = Replay {
        evaluations: times.len(),
        ..Replay::default()
    };
    // The worst state of any group at each evaluation.
    let mut worst = vec![State::Ok; times.len()];
    let settings = StepSettings {
        renotify_interval_secs: None,
        ..*settings
    };
    for series in &response.series {
        let present: Vec<(i64, f64)> = series
            .pointlist
            .iter()
            .filter_map(|&(ts, v)| v.map(|v| (ts, v)))
            .collect();
        let mut status = GroupStatus::new(from_ms);
        let (mut lo, mut hi) = (0, 0);
        for (i, &t) in times.iter().enumerate() {
            while hi < present.len() && present[hi].0 <= t {
                hi += 1;
            }
            while lo < hi && present[lo].0 < t - window_ms {
                lo += 1;
            }
            let evaluation = match aggregate(time_aggr, &present[lo..hi]) {
                Some(v) => Evaluation::Value(v),
                None if lo < hi => continue,
                None => Evaluation::NoData {
                    last_data_ms: hi.checked_sub(1).map(|j| present[j].0),
                },
            };
            let (next, transition) = step(&status, evaluation, &settings, t);
            status = next;
            if let Some(tr) = transition {
                match (tr.kind, tr.to) {
                    (TransitionKind::Recovery, _) => out.recoveries += 1,
                    (TransitionKind::NoData, _) => out.no_data += 1,
                    (_, State::Alert) => out.alerts += 1,
                    (_, _) => out.warnings += 1,
                }
            }
            if severity(status.state) > severity(worst[i]) {
                worst[i] = status.state;
            }
        }
    }
    for (&t, &state) in times.iter().zip(&worst) {
        if state == State::Ok {
            continue;
        }
        let end = t.saturating_add(every_ms).min(to_ms);
        match out.spans.last_mut() {
            Some(last) if last.state == state && last.to_ms >= t => last.to_ms = end,
            _ => out.spans.push(Span {
                from_ms: t,
                to_ms: end,
                state,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{Thresholds, parse};
    use crate::wire::QuerySeries;

    const MIN: i64 = 60_000;

    fn response(groups: &[&[(i64, Option<f64>)]]) -> QueryResponse {
        QueryResponse {
            series: groups
                .iter()
                .map(|points| QuerySeries {
                    pointlist: points.to_vec(),
                    ..QuerySeries::default()
                })
                .collect(),
            ..QueryResponse::default()
        }
    }

    fn seed_settings() -> StepSettings {
        let query = parse("avg(last_5m):avg:my_metric{host:ubuntu} > 800").unwrap();
        let thresholds = Thresholds {
            warning: Some(500.0),
            ..Thresholds::default()
        };
        StepSettings {
            notify_no_data: true,
            no_data_timeframe_secs: 600,
            ..StepSettings::new(&query, &thresholds)
        }
    }

    #[test]
    fn aggregations_over_the_window() {
        let p = [(0, 4.0), (MIN, 1.0), (2 * MIN, 7.0)];
        assert_eq!(aggregate(TimeAggr::Avg, &p), Some(4.0));
        assert_eq!(aggregate(TimeAggr::Sum, &p), Some(12.0));
        assert_eq!(aggregate(TimeAggr::Min, &p), Some(1.0));
        assert_eq!(aggregate(TimeAggr::Max, &p), Some(7.0));
        assert_eq!(aggregate(TimeAggr::Change, &p), Some(3.0));
        assert_eq!(aggregate(TimeAggr::PctChange, &p), Some(75.0));
        assert_eq!(
            aggregate(TimeAggr::PctChange, &[(0, 0.0), (MIN, 1.0)]),
            None
        );
        assert_eq!(aggregate(TimeAggr::Avg, &[]), None);
    }

    /// The seed: a point a minute, 300 for 10 minutes, 600 for 10, 900 for 10, then nothing.
    #[test]
    fn the_seed_day_warns_alerts_then_has_no_data() {
        let points: Vec<(i64, Option<f64>)> = (0..30)
            .map(|m| (m * MIN, Some([300.0, 600.0, 900.0][m as usize / 10])))
            .collect();
        let r = replay(
            &response(&[&points]),
            TimeAggr::Avg,
            300,
            &seed_settings(),
            (0, 60 * MIN),
            MIN,
        );
        // Minute 5 is the first evaluation; [t−5m, t] holds 6 points. Warn from 14: the points
        // of minutes 9..14 average (300 + 5·600)/6 = 550, while at 13 (2·300 + 4·600)/6 = 500 is
        // not above 500. Alert from 24: (600 + 5·900)/6 = 850, while at 23 (2·600 + 4·900)/6 =
        // 800 is not above 800. The last point (29) leaves the window after 34, and ten minutes
        // without data since 29 are reached at 39.
        assert_eq!(
            r.spans,
            vec![
                Span {
                    from_ms: 14 * MIN,
                    to_ms: 24 * MIN,
                    state: State::Warn
                },
                Span {
                    from_ms: 24 * MIN,
                    to_ms: 39 * MIN,
                    state: State::Alert
                },
                Span {
                    from_ms: 39 * MIN,
                    to_ms: 60 * MIN,
                    state: State::NoData
                },
            ]
        );
        assert_eq!(
            (r.warnings, r.alerts, r.no_data, r.recoveries),
            (1, 1, 1, 0)
        );
        assert_eq!(r.evaluations, 56);
    }

    #[test]
    fn spans_from_recorded_transitions() {
        use State::*;
        let t = [
            (10 * MIN, "host:a", Ok, Warn),
            (20 * MIN, "host:b", Ok, Alert),
            (30 * MIN, "host:b", Alert, Ok),
            (40 * MIN, "host:a", Warn, Ok),
            (50 * MIN, "host:a", Ok, NoData),
        ];
        assert_eq!(
            history_spans(&t, (0, 60 * MIN)),
            vec![
                Span {
                    from_ms: 10 * MIN,
                    to_ms: 20 * MIN,
                    state: Warn
                },
                Span {
                    from_ms: 20 * MIN,
                    to_ms: 30 * MIN,
                    state: Alert
                },
                Span {
                    from_ms: 30 * MIN,
                    to_ms: 40 * MIN,
                    state: Warn
                },
                Span {
                    from_ms: 50 * MIN,
                    to_ms: 60 * MIN,
                    state: NoData
                },
            ]
        );
        // Clipped to the window; a group already alerting before its first recorded transition
        // counts from the window's start.
        let t = [(30 * MIN, "*", Alert, Ok)];
        assert_eq!(
            history_spans(&t, (20 * MIN, 60 * MIN)),
            vec![Span {
                from_ms: 20 * MIN,
                to_ms: 30 * MIN,
                state: Alert
            }]
        );
        assert_eq!(history_spans(&[], (0, MIN)), vec![]);
    }

    #[test]
    fn the_worst_group_wins_and_recoveries_are_counted() {
        // Group a alerts from minute 2 to 4 and recovers; group b warns from 3 on.
        let a: Vec<(i64, Option<f64>)> = (0..8)
            .map(|m| (m * MIN, Some(if (2..4).contains(&m) { 900.0 } else { 0.0 })))
            .collect();
        let b: Vec<(i64, Option<f64>)> = (0..8)
            .map(|m| (m * MIN, Some(if m >= 3 { 600.0 } else { 0.0 })))
            .collect();
        let mut settings = seed_settings();
        settings.notify_no_data = false;
        let r = replay(
            &response(&[&a, &b]),
            TimeAggr::Max,
            0,
            &settings,
            (0, 7 * MIN),
            MIN,
        );
        assert_eq!(
            r.spans,
            vec![
                Span {
                    from_ms: 2 * MIN,
                    to_ms: 4 * MIN,
                    state: State::Alert
                },
                Span {
                    from_ms: 4 * MIN,
                    to_ms: 7 * MIN,
                    state: State::Warn
                },
            ]
        );
        assert_eq!((r.alerts, r.warnings, r.recoveries), (1, 1, 1));
    }
}
