//! Monitor states and the pure transition of one group (one combination of `by {…}` values).
//!
//! [`step`] takes the group's previous [`GroupStatus`], this evaluation's outcome and the time, and
//! returns the next status and the [`Transition`] to notify about, if any. The rules:
//!
//! - A value is classified by [`classify`]: past the alert threshold → Alert, else past the warning
//!   threshold → Warn, else OK. Recovery thresholds add hysteresis: a group in Alert stays in Alert
//!   while the value is still past `critical_recovery`, and a group in Alert or Warn stays (at least)
//!   in Warn while the value is still past `warning_recovery` (so an alert that falls just short of
//!   the warning threshold, but not of its recovery threshold, becomes a warning). "Past" uses the
//!   query's comparator: with `>`, it recovers once the value is `<=` the recovery threshold.
//! - No data turns the group into No Data only with `notify_no_data` and once there has been no data
//!   for `no_data_timeframe_secs` (counted from the last data point, or from `since_ms` if the group
//!   never had one; reaching the timeframe exactly is enough). Otherwise the state is kept.
//! - A change of state is a transition: to OK a [`TransitionKind::Recovery`], to No Data a
//!   [`TransitionKind::NoData`], Alert to Warn an [`TransitionKind::AlertToWarning`], and any other
//!   change into Warn or Alert (including Warn to Alert) a [`TransitionKind::Trigger`].
//! - Staying in Warn, Alert or No Data for `renotify_interval_secs` since the last notification (or
//!   since the state began) is a [`TransitionKind::Renotify`]; it restarts that interval. Staying OK
//!   produces nothing.
//! - A new group ([`GroupStatus::new`]) starts OK, so its first good value says nothing. (A monitor
//!   without any group yet shows "No Data" as its overall state; that is the server's business.)

use std::fmt;
use std::str::FromStr;

use super::options::Thresholds;
use super::query::{Comparator, MonitorQuery};

/// The state of a group, with Datadog's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Ok,
    Warn,
    Alert,
    NoData,
}

impl State {
    pub const ALL: [State; 4] = [State::Ok, State::Warn, State::Alert, State::NoData];

    /// Datadog's name: "OK", "Warn", "Alert" or "No Data".
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warn => "Warn",
            State::Alert => "Alert",
            State::NoData => "No Data",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is none of "OK", "Warn", "Alert", "No Data".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownState {
    pub name: String,
}

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown monitor state {:?}; expected \"OK\", \"Warn\", \"Alert\" or \"No Data\"",
            self.name
        )
    }
}

impl std::error::Error for UnknownState {}

impl FromStr for State {
    type Err = UnknownState;

    /// Datadog's exact names, as [`State::as_str`] writes them.
    fn from_str(name: &str) -> Result<State, UnknownState> {
        State::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| UnknownState { name: name.into() })
    }
}

/// The state a value puts a group in, given the state it was in (for the recovery thresholds).
///
/// `thresholds.critical` is ignored in favour of the query's threshold when absent; see the module
/// doc for the hysteresis. A previous No Data counts as OK: there is nothing to recover from.
pub fn classify(
    value: f64,
    query: &MonitorQuery,
    thresholds: &Thresholds,
    previous: State,
) -> State {
    classify_with(
        value,
        query.comparator,
        &thresholds.with_query(query),
        previous,
    )
}

/// [`classify`] with the comparator and filled-in thresholds of [`StepSettings`].
fn classify_with(value: f64, cmp: Comparator, t: &Thresholds, previous: State) -> State {
    let past = |threshold: Option<f64>| threshold.is_some_and(|th| cmp.holds(value, th));
    let alert = past(t.critical) || (previous == State::Alert && past(t.critical_recovery));
    if alert {
        return State::Alert;
    }
    let was_triggered = matches!(previous, State::Alert | State::Warn);
    let warn =
        past(t.warning) || (was_triggered && t.warning.is_some() && past(t.warning_recovery));
    if warn { State::Warn } else { State::Ok }
}

/// What one evaluation found for a group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evaluation {
    /// The window's aggregated value.
    Value(f64),
    /// No points in the window; `last_data_ms` is the time of the group's last point, if it ever
    /// had one.
    NoData { last_data_ms: Option<i64> },
}

/// What the evaluator keeps per group between evaluations (and across restarts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupStatus {
    pub state: State,
    /// When the group entered `state`.
    pub since_ms: i64,
    /// The last transition or renotification; renotify counts from here.
    pub last_notified_ms: Option<i64>,
    /// The last time the group entered Warn, Alert or No Data (`{{last_triggered_at}}`).
    pub last_triggered_ms: Option<i64>,
    /// When the current run of non-OK states began, or once OK again, when the last one began
    /// (`{{first_triggered_at}}`, which a recovery message still shows).
    pub first_triggered_ms: Option<i64>,
}

impl GroupStatus {
    /// A group seen for the first time at `now_ms`: OK, never notified.
    pub fn new(now_ms: i64) -> GroupStatus {
        GroupStatus {
            state: State::Ok,
            since_ms: now_ms,
            last_notified_ms: None,
            last_triggered_ms: None,
            first_triggered_ms: None,
        }
    }
}

/// The monitor's settings that [`step`] needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepSettings {
    pub comparator: Comparator,
    /// With `critical` filled in (see [`Thresholds::with_query`]).
    pub thresholds: Thresholds,
    pub notify_no_data: bool,
    pub no_data_timeframe_secs: i64,
    /// `None` (or not above 0): never renotify.
    pub renotify_interval_secs: Option<i64>,
}

impl StepSettings {
    /// Settings for `query` with Datadog's defaults: no no-data notification, a no-data timeframe
    /// of twice the window, no renotification.
    pub fn new(query: &MonitorQuery, thresholds: &Thresholds) -> StepSettings {
        StepSettings {
            comparator: query.comparator,
            thresholds: thresholds.with_query(query),
            notify_no_data: false,
            no_data_timeframe_secs: query.window_secs.saturating_mul(2),
            renotify_interval_secs: None,
        }
    }
}

/// Why a notification goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionKind {
    /// Into Warn or Alert from OK or No Data, or from Warn to Alert.
    Trigger,
    /// Into OK from Warn, Alert or No Data.
    Recovery,
    /// From Alert down to Warn.
    AlertToWarning,
    /// Into No Data.
    NoData,
    /// Still in the same non-OK state after the renotify interval.
    Renotify,
}

/// A change worth a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub kind: TransitionKind,
}

/// The group's next status after `evaluation` at `now_ms`, and the transition to notify, if any.
pub fn step(
    previous: &GroupStatus,
    evaluation: Evaluation,
    settings: &StepSettings,
    now_ms: i64,
) -> (GroupStatus, Option<Transition>) {
    let from = previous.state;
    let to = match evaluation {
        Evaluation::Value(value) => {
            classify_with(value, settings.comparator, &settings.thresholds, from)
        }
        Evaluation::NoData { last_data_ms } => {
            let silent_since_ms = last_data_ms.unwrap_or(previous.since_ms);
            let timeframe_ms = settings.no_data_timeframe_secs.saturating_mul(1000);
            if settings.notify_no_data && now_ms.saturating_sub(silent_since_ms) >= timeframe_ms {
                State::NoData
            } else {
                from
            }
        }
    };

    if to != from {
        let kind = match (from, to) {
            (_, State::Ok) => TransitionKind::Recovery,
            (_, State::NoData) => TransitionKind::NoData,
            (State::Alert, State::Warn) => TransitionKind::AlertToWarning,
            (_, State::Warn | State::Alert) => TransitionKind::Trigger,
        };
        let triggered = matches!(kind, TransitionKind::Trigger | TransitionKind::NoData);
        let status = GroupStatus {
            state: to,
            since_ms: now_ms,
            last_notified_ms: Some(now_ms),
            last_triggered_ms: if triggered {
                Some(now_ms)
            } else {
                previous.last_triggered_ms
            },
            first_triggered_ms: if from == State::Ok {
                Some(now_ms)
            } else {
                previous.first_triggered_ms
            },
        };
        return (status, Some(Transition { from, to, kind }));
    }

    let renotify_ms = settings
        .renotify_interval_secs
        .filter(|&secs| secs > 0)
        .map(|secs| secs.saturating_mul(1000));
    if let Some(interval_ms) = renotify_ms {
        let last_ms = previous.last_notified_ms.unwrap_or(previous.since_ms);
        if to != State::Ok && now_ms.saturating_sub(last_ms) >= interval_ms {
            let status = GroupStatus {
                last_notified_ms: Some(now_ms),
                ..*previous
            };
            let transition = Transition {
                from,
                to,
                kind: TransitionKind::Renotify,
            };
            return (status, Some(transition));
        }
    }
    (*previous, None)
}

#[cfg(test)]
mod tests;
