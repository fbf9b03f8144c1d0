//! Downtimes in the evaluator: which groups are quiet this cycle, and what a downtime's start and
//! end tell.
//!
//! A downtime that becomes active (its window contains `now`) is told started once per window:
//! the @mentions of its message get a notification and the event stream an event. While it stays
//! active (adjacent windows, such as Saturday then Sunday, are one stretch) nothing more is told.
//! When it is no longer active, it is told ended (`expired`, or `canceled` if it was canceled),
//! if that end is in its `notify_end_types`; the evaluator then re-notifies the groups it silenced
//! that are still in one of its `notify_end_states` (see `evaluate_all`). What was told is
//! committed with the notifications (`notified_start_ms`, `open`), and every notification carries
//! a deterministic key, so a restart neither repeats nor loses a start or an end.

use std::collections::HashSet;

use dogwatch_core::downtime::{Spec, monitor_matches, scope_matches};
use dogwatch_core::monitor::mentions;

use crate::store::{Channel, DowntimeRow, DowntimeWrite, NewEvent, NewNotification};

/// This cycle's downtimes.
#[derive(Debug, Default)]
pub(super) struct Quiet {
    /// Active now: `(id, spec)`.
    active: Vec<(i64, Spec)>,
    /// Ending this cycle and re-notifying the groups they silenced.
    pub ending: Vec<Ending>,
    /// Groups whose next recovery is muted: `(monitor, group)`.
    pub muted_recoveries: HashSet<(i64, String)>,
}

#[derive(Debug)]
pub(super) struct Ending {
    pub id: i64,
    pub spec: Spec,
    /// `expired` or `canceled`.
    pub end: &'static str,
    /// The end is one of `notify_end_types`: groups still in `notify_end_states` are re-notified.
    pub renotify: bool,
}

impl Quiet {
    /// The downtimes' state at `now_ms`, and what their starts and ends tell.
    pub fn new(
        rows: &[DowntimeRow],
        muted_recoveries: Vec<(i64, String)>,
        now_ms: i64,
    ) -> (Quiet, Vec<DowntimeWrite>) {
        let mut quiet = Quiet {
            muted_recoveries: muted_recoveries.into_iter().collect(),
            ..Quiet::default()
        };
        let mut writes = Vec::new();
        for row in rows {
            let record = &row.record;
            let spec = &record.spec;
            if record.canceled_ms.is_some() && !row.open {
                // Canceled and its end already told (or never started): nothing left to do.
                continue;
            }
            let schedule = match spec.schedule() {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(downtime = record.id, error = %e, "stored downtime cannot be scheduled; skipped");
                    continue;
                }
            };
            let active = match record.canceled_ms {
                Some(_) => None,
                None => schedule.active_at(now_ms),
            };
            if let Some(occ) = active {
                quiet.active.push((record.id, spec.clone()));
                if row.open {
                    // Still the same stretch of quiet (or the next window right after it).
                    if row.notified_start_ms != Some(occ.start_ms) {
                        writes.push(DowntimeWrite {
                            id: record.id,
                            notified_start_ms: Some(occ.start_ms),
                            open: true,
                            ..DowntimeWrite::default()
                        });
                    }
                } else if row.notified_start_ms != Some(occ.start_ms) {
                    writes.push(told(row, "started", occ.start_ms, now_ms, true));
                }
            } else if row.open {
                let end = if record.canceled_ms.is_some() {
                    "canceled"
                } else {
                    "expired"
                };
                let notify = spec.notifies_end(end);
                let start = row.notified_start_ms.unwrap_or(now_ms);
                let mut w = told(row, end, start, now_ms, notify);
                w.open = false;
                writes.push(w);
                quiet.ending.push(Ending {
                    id: record.id,
                    spec: spec.clone(),
                    end,
                    renotify: notify,
                });
            }
        }
        (quiet, writes)
    }

    /// The active downtime that silences the group of monitor `monitor_id` (tagged
    /// `monitor_tags`) whose tags are `group_tags`, if any.
    pub fn covering(
        &self,
        monitor_id: i64,
        monitor_tags: &[String],
        group_tags: &[String],
    ) -> Option<i64> {
        self.active
            .iter()
            .find(|(_, spec)| covers(spec, monitor_id, monitor_tags, group_tags))
            .map(|(id, _)| *id)
    }
}

/// Whether `spec` applies to that monitor's group.
pub(super) fn covers(
    spec: &Spec,
    monitor_id: i64,
    monitor_tags: &[String],
    group_tags: &[String],
) -> bool {
    monitor_matches(
        spec.monitor_id,
        &spec.monitor_tags,
        monitor_id,
        monitor_tags,
    ) && scope_matches(&spec.scope, group_tags)
}

/// The write that records a downtime's `what` (`started`, `expired`, `canceled`) for the window
/// that started at `window_ms`: an event, and with `notify` a notification per @mention.
fn told(row: &DowntimeRow, what: &str, window_ms: i64, now_ms: i64, notify: bool) -> DowntimeWrite {
    let record = &row.record;
    let spec = &record.spec;
    let id = record.id;
    let what_text = match what {
        "started" => "started",
        "canceled" => "was canceled",
        _ => "ended",
    };
    let scope = spec.scope.join(", ");
    let monitors = match spec.monitor_id {
        Some(m) => format!("monitor {m}"),
        None => format!("monitors tagged {}", spec.monitor_tags.join(", ")),
    };
    let title = format!("Downtime {what_text}: {monitors}, scope {scope}");
    let mut text = format!(
        "Downtime #{id} on {monitors} (scope {scope}) {what_text}. Link: /monitors/downtimes/{id}"
    );
    if !spec.message.trim().is_empty() {
        text = format!("{}\n\n{text}", spec.message.trim());
    }
    let key = format!("downtime:{id}:{what}:{window_ms}");
    let event = NewEvent {
        dedupe_key: key.clone(),
        ts_ms: now_ms,
        // In the event stream, not in a monitor's transitions.
        monitor_id: None,
        group_key: None,
        transition: Some(format!("downtime_{what}")),
        from_state: None,
        to_state: None,
        value: None,
        alert_type: "info".to_owned(),
        title: title.clone(),
        text: text.clone(),
        tags: vec![format!("downtime_id:{id}")],
        posted: None,
        snapshot_id: None,
    };
    let notifications = if notify {
        mentions(&spec.message)
            .into_iter()
            .map(|m| {
                let (channel, target) = Channel::of(m);
                NewNotification {
                    dedupe_key: format!("{key}:{}:{target}", channel.as_str()),
                    channel,
                    target,
                    subject: title.clone(),
                    body: text.clone(),
                    payload: None,
                    snapshot_id: None,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    DowntimeWrite {
        id,
        notified_start_ms: Some(window_ms),
        open: true,
        events: vec![event],
        notifications,
    }
}
