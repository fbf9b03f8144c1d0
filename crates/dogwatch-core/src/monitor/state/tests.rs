//! State tests: classification with hysteresis, and every transition of `step` on an injected clock.

use super::*;
use crate::monitor::query::parse;

const SEED: &str = "avg(last_5m):avg:my_metric{host:ubuntu} > 800";

fn query(text: &str) -> MonitorQuery {
    match parse(text) {
        Ok(q) => q,
        Err(e) => panic!("bad test query: {e}"),
    }
}

fn thresholds(
    warning: Option<f64>,
    critical_recovery: Option<f64>,
    warning_recovery: Option<f64>,
) -> Thresholds {
    Thresholds {
        critical: None,
        warning,
        critical_recovery,
        warning_recovery,
    }
}

/// The seed monitor: alert above 800, warn above 500, no data after 10 minutes.
fn seed_settings() -> StepSettings {
    StepSettings {
        notify_no_data: true,
        no_data_timeframe_secs: 600,
        ..StepSettings::new(&query(SEED), &thresholds(Some(500.0), None, None))
    }
}

/// A value, or `None` for no data (with the last data point at `last_data_s`, in seconds).
enum Input {
    V(f64),
    Gap(Option<i64>),
}
use Input::{Gap, V};

/// Runs `inputs` at the given seconds from a new group created at 0 s; one line per step: the time,
/// the state after it and the transition, if any.
fn run(settings: &StepSettings, inputs: &[(i64, Input)]) -> String {
    let mut status = GroupStatus::new(0);
    let mut lines = Vec::new();
    for (t_secs, input) in inputs {
        let evaluation = match input {
            V(v) => Evaluation::Value(*v),
            Gap(last) => Evaluation::NoData {
                last_data_ms: last.map(|s| s * 1000),
            },
        };
        let (next, transition) = step(&status, evaluation, settings, t_secs * 1000);
        let what = match transition {
            Some(t) => format!(" {:?} {} -> {}", t.kind, t.from, t.to),
            None => String::new(),
        };
        lines.push(format!("{t_secs}s {}{what}", next.state));
        status = next;
    }
    lines.join("\n")
}

#[test]
fn state_names_are_datadogs() {
    for state in State::ALL {
        assert_eq!(state.as_str().parse::<State>(), Ok(state));
    }
    assert_eq!(State::NoData.as_str(), "No Data");
    assert_eq!(State::Ok.to_string(), "OK");
    let err = "no data".parse::<State>().err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            "unknown monitor state \"no data\"; expected \"OK\", \"Warn\", \"Alert\" or \"No Data\""
        )
    );
}

#[test]
fn classify_above() {
    let q = query(SEED);
    let t = thresholds(Some(500.0), None, None);
    assert_eq!(classify(300.0, &q, &t, State::Ok), State::Ok);
    assert_eq!(classify(500.0, &q, &t, State::Ok), State::Ok);
    assert_eq!(classify(500.5, &q, &t, State::Ok), State::Warn);
    assert_eq!(classify(800.0, &q, &t, State::Ok), State::Warn);
    assert_eq!(classify(800.1, &q, &t, State::Ok), State::Alert);
    // Without recovery thresholds, the thresholds alone decide.
    assert_eq!(classify(799.0, &q, &t, State::Alert), State::Warn);
    assert_eq!(classify(100.0, &q, &t, State::Alert), State::Ok);
    // An explicit critical that agrees changes nothing.
    let with_critical = Thresholds {
        critical: Some(800.0),
        ..t
    };
    assert_eq!(classify(801.0, &q, &with_critical, State::Ok), State::Alert);
}

#[test]
fn classify_with_recovery_thresholds() {
    let q = query(SEED);
    let t = thresholds(Some(500.0), Some(700.0), Some(400.0));
    // Alert holds while the value is above 700, from Alert only.
    assert_eq!(classify(750.0, &q, &t, State::Alert), State::Alert);
    assert_eq!(classify(750.0, &q, &t, State::Ok), State::Warn);
    assert_eq!(classify(750.0, &q, &t, State::Warn), State::Warn);
    // At 700 exactly the value is no longer past the recovery threshold.
    assert_eq!(classify(700.0, &q, &t, State::Alert), State::Warn);
    // Warn holds while above 400, from Warn or Alert.
    assert_eq!(classify(450.0, &q, &t, State::Warn), State::Warn);
    assert_eq!(classify(450.0, &q, &t, State::Alert), State::Warn);
    assert_eq!(classify(450.0, &q, &t, State::Ok), State::Ok);
    assert_eq!(classify(450.0, &q, &t, State::NoData), State::Ok);
    assert_eq!(classify(400.0, &q, &t, State::Warn), State::Ok);
    assert_eq!(classify(400.0, &q, &t, State::Alert), State::Ok);
}

#[test]
fn classify_below_and_equal() {
    let q = query("min(last_5m):avg:free{*} <= 10");
    let t = thresholds(Some(20.0), Some(15.0), Some(25.0));
    assert_eq!(classify(10.0, &q, &t, State::Ok), State::Alert);
    assert_eq!(classify(12.0, &q, &t, State::Alert), State::Alert);
    assert_eq!(classify(15.0, &q, &t, State::Alert), State::Alert);
    assert_eq!(classify(15.5, &q, &t, State::Alert), State::Warn);
    assert_eq!(classify(22.0, &q, &t, State::Warn), State::Warn);
    assert_eq!(classify(22.0, &q, &t, State::Ok), State::Ok);
    assert_eq!(classify(25.5, &q, &t, State::Warn), State::Ok);

    let q = query("max(last_5m):avg:up{*} == 0");
    let t = thresholds(Some(1.0), None, None);
    assert_eq!(classify(0.0, &q, &t, State::Ok), State::Alert);
    assert_eq!(classify(1.0, &q, &t, State::Ok), State::Warn);
    assert_eq!(classify(2.0, &q, &t, State::Alert), State::Ok);
}

#[test]
fn seed_monitor_warns_alerts_then_no_data() {
    // 300 → 600 → 900 → nothing: the last point at 180 s, No Data once 600 s have passed.
    let timeline = run(
        &seed_settings(),
        &[
            (60, V(300.0)),
            (120, V(600.0)),
            (180, V(900.0)),
            (240, Gap(Some(180))),
            (779, Gap(Some(180))),
            (780, Gap(Some(180))),
            (840, Gap(Some(180))),
            (900, V(100.0)),
        ],
    );
    insta::assert_snapshot!(timeline, @"
    60s OK
    120s Warn Trigger OK -> Warn
    180s Alert Trigger Warn -> Alert
    240s Alert
    779s Alert
    780s No Data NoData Alert -> No Data
    840s No Data
    900s OK Recovery No Data -> OK
    ");
}

#[test]
fn every_kind_of_transition() {
    let timeline = run(
        &seed_settings(),
        &[
            (0, V(900.0)),   // OK → Alert
            (60, V(600.0)),  // Alert → Warn
            (120, V(100.0)), // Warn → OK
            (180, V(100.0)), // OK → OK: nothing
            (240, V(900.0)),
            (300, V(100.0)), // Alert → OK
            (360, Gap(Some(300))),
            (900, Gap(Some(300))), // OK → No Data
            (960, V(900.0)),       // No Data → Alert
            (1020, Gap(Some(960))),
            (1560, Gap(Some(960))), // Alert → No Data
            (1620, V(600.0)),       // No Data → Warn
        ],
    );
    insta::assert_snapshot!(timeline, @"
    0s Alert Trigger OK -> Alert
    60s Warn AlertToWarning Alert -> Warn
    120s OK Recovery Warn -> OK
    180s OK
    240s Alert Trigger OK -> Alert
    300s OK Recovery Alert -> OK
    360s OK
    900s No Data NoData OK -> No Data
    960s Alert Trigger No Data -> Alert
    1020s Alert
    1560s No Data NoData Alert -> No Data
    1620s Warn Trigger No Data -> Warn
    ");
}

#[test]
fn no_data_is_kept_without_notify_no_data() {
    let settings = StepSettings {
        notify_no_data: false,
        ..seed_settings()
    };
    let timeline = run(
        &settings,
        &[(0, V(900.0)), (60, Gap(Some(0))), (100_000, Gap(Some(0)))],
    );
    insta::assert_snapshot!(timeline, @"
    0s Alert Trigger OK -> Alert
    60s Alert
    100000s Alert
    ");
}

#[test]
fn no_data_for_a_group_that_never_had_any_counts_from_its_creation() {
    // The group was created at 0 s; the timeframe is 600 s.
    let timeline = run(
        &seed_settings(),
        &[(599, Gap(None)), (600, Gap(None)), (660, Gap(None))],
    );
    insta::assert_snapshot!(timeline, @"
    599s OK
    600s No Data NoData OK -> No Data
    660s No Data
    ");
}

#[test]
fn renotify_after_the_interval_since_the_last_notification() {
    let settings = StepSettings {
        renotify_interval_secs: Some(600),
        ..seed_settings()
    };
    let timeline = run(
        &settings,
        &[
            (0, V(900.0)),    // Trigger at 0
            (599, V(900.0)),  // 1 s short of the interval: nothing
            (600, V(900.0)),  // Renotify
            (1199, V(900.0)), // counts from 600 s now
            (1200, V(950.0)), // Renotify
            (1500, V(600.0)), // Alert → Warn notifies and restarts the interval
            (2099, V(600.0)),
            (2100, V(600.0)), // Renotify in Warn
            (2200, V(100.0)),
            (5000, V(100.0)), // OK never renotifies
        ],
    );
    insta::assert_snapshot!(timeline, @"
    0s Alert Trigger OK -> Alert
    599s Alert
    600s Alert Renotify Alert -> Alert
    1199s Alert
    1200s Alert Renotify Alert -> Alert
    1500s Warn AlertToWarning Alert -> Warn
    2099s Warn
    2100s Warn Renotify Warn -> Warn
    2200s OK Recovery Warn -> OK
    5000s OK
    ");
}

#[test]
fn renotify_in_no_data_and_while_data_is_missing() {
    let settings = StepSettings {
        renotify_interval_secs: Some(600),
        ..seed_settings()
    };
    let timeline = run(
        &settings,
        &[
            (0, V(900.0)),
            (300, Gap(Some(0))), // kept in Alert (timeframe not reached)
            (600, Gap(Some(0))), // No Data: a transition, not a renotify
            (1199, Gap(Some(0))),
            (1200, Gap(Some(0))), // Renotify in No Data
        ],
    );
    insta::assert_snapshot!(timeline, @"
    0s Alert Trigger OK -> Alert
    300s Alert
    600s No Data NoData Alert -> No Data
    1199s No Data
    1200s No Data Renotify No Data -> No Data
    ");
    let never = StepSettings {
        renotify_interval_secs: Some(0),
        ..seed_settings()
    };
    assert_eq!(
        run(&never, &[(0, V(900.0)), (1_000_000, V(900.0))]),
        "0s Alert Trigger OK -> Alert\n1000000s Alert"
    );
}

#[test]
fn step_keeps_the_times() {
    let settings = seed_settings();
    let status = GroupStatus::new(0);
    let (warn, _) = step(&status, Evaluation::Value(600.0), &settings, 60_000);
    let (alert, _) = step(&warn, Evaluation::Value(900.0), &settings, 120_000);
    let (ok, t) = step(&alert, Evaluation::Value(1.0), &settings, 180_000);
    assert_eq!(
        t,
        Some(Transition {
            from: State::Alert,
            to: State::Ok,
            kind: TransitionKind::Recovery
        })
    );
    assert_eq!(
        (
            warn.since_ms,
            warn.first_triggered_ms,
            warn.last_triggered_ms
        ),
        (60_000, Some(60_000), Some(60_000))
    );
    assert_eq!(
        (
            alert.since_ms,
            alert.first_triggered_ms,
            alert.last_triggered_ms
        ),
        (120_000, Some(60_000), Some(120_000))
    );
    // A recovery keeps the episode's times for the recovery message.
    assert_eq!(
        ok,
        GroupStatus {
            state: State::Ok,
            since_ms: 180_000,
            last_notified_ms: Some(180_000),
            last_triggered_ms: Some(120_000),
            first_triggered_ms: Some(60_000),
        }
    );
    // The next episode starts afresh.
    let (again, _) = step(&ok, Evaluation::Value(900.0), &settings, 240_000);
    assert_eq!(again.first_triggered_ms, Some(240_000));
}

#[test]
fn extreme_times_and_settings_do_not_panic() {
    let settings = StepSettings {
        renotify_interval_secs: Some(i64::MAX),
        no_data_timeframe_secs: i64::MAX,
        ..seed_settings()
    };
    for now in [i64::MIN, -1, 0, i64::MAX] {
        for evaluation in [
            Evaluation::Value(f64::NAN),
            Evaluation::Value(f64::INFINITY),
            Evaluation::NoData {
                last_data_ms: Some(i64::MIN),
            },
            Evaluation::NoData { last_data_ms: None },
        ] {
            let _ = step(&GroupStatus::new(i64::MIN), evaluation, &settings, now);
            let _ = step(
                &GroupStatus::new(i64::MAX),
                evaluation,
                &seed_settings(),
                now,
            );
        }
    }
}
