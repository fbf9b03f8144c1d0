//! The monitor evaluator: every `--eval-interval` seconds, [`run_cycle`] evaluates every monitor,
//! group by group, and records what changed.
//!
//! One cycle at `now_ms` (the loop passes the clock; tests pass any time they like):
//!
//! 1. Reads every monitor and every group's persisted status.
//! 2. For each monitor, evaluates its metric query with core's evaluator over the window
//!    `[now − evaluation_delay − window, now − evaluation_delay]` (identical queries over identical
//!    windows are evaluated once per cycle, and each metric's series list is read once). Each
//!    resulting series is a group: `*` without `by`, else its `by` tags (`host:ubuntu`). The time
//!    aggregation reduces the series' buckets to one value: the mean, sum, min or max of the bucket
//!    values (for sum, min and max the buckets are rolled up the same way, see `MonitorQuery::evaluated_query`), or
//!    for `change` / `pct_change` the last bucket against the first. With
//!    `require_full_window` a group is skipped (its state kept) unless its data starts within the
//!    first tenth of the window (at least the first minute).
//!    A `by` group seen for the first time is recorded with `first_seen_ms` = now and left out of
//!    evaluation (no state, transition or notification) until `new_group_delay` (else
//!    `new_host_delay`, default 300 s) has passed since; a simple monitor's group never waits.
//!    Each distinct query is evaluated within its own query budget (`budget.rs`); one over it, or
//!    failing otherwise, is recorded as the monitor's evaluation error and its groups are left as
//!    they were.
//! 3. A known group missing from the result, or without a value, has no data; a simple monitor
//!    that never had data goes to No Data once `no_data_timeframe` has passed since its creation.
//! 4. Core's pure [`step`] gives each group's next status and transition.
//! 5. A transition becomes an event and, unless the monitor or the group is muted
//!    (`options.silenced`) or in an active downtime (`quiet.rs`; the event then names it), one
//!    notification per @-mention of the message rendered for it (core's `render` and `mentions`):
//!    email, `@webhook-<name>`, `@handle` (inbox). A downtime that ended this cycle re-notifies the
//!    groups it silenced that are still in one of its `notify_end_states`.
//! 6. Everything is written by [`Store::apply_cycle`] in one transaction. Events and notifications
//!    carry deterministic keys (monitor, group, transition kind, `now_ms`, recipient), so a cycle
//!    redone after a crash cannot send twice, and the new statuses are committed with them, so a
//!    restart cannot fire the same transition again.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

use dogwatch_core::eval::{self, EachSeries, EvalError, SeriesId, SeriesInfo, SeriesSource};
use dogwatch_core::monitor::{
    Evaluation, GroupStatus, RenderContext, State, Transition, TransitionKind, aggregate, mentions,
    render, step,
};
use dogwatch_core::query::{self, ExprKind, Scope};
use dogwatch_core::wire::QueryResponse;
use serde_json::{Map, Value, json};
use tokio::sync::watch;

mod quiet;

use quiet::Quiet;

use crate::budget::{Budget, QueryLimits};
use crate::monitor::{Definition, is_muted};
use crate::store::{
    Channel, CycleCommitted, DowntimeCycle, GroupRow, Meter, MonitorRow, MonitorWrite, NewEvent,
    NewNotification, ReadError, Reader, Store, StoreError,
};

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Monitors evaluated (not counting those whose definition could not be read).
    pub monitors: usize,
    /// Groups stepped.
    pub groups: usize,
    pub transitions: usize,
    /// What was committed (events and notifications new to the store).
    pub committed: CycleCommitted,
}

/// Runs a cycle now and then every `interval` until `stop` turns true; each monitor's evaluation
/// within `limits`.
pub async fn run(
    store: Store,
    limits: QueryLimits,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval.max(Duration::from_secs(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { break } else { continue },
        }
        if *stop.borrow() {
            break;
        }
        match run_cycle_within(&store, limits, crate::handlers::now_ms()).await {
            Ok(report) if report.transitions > 0 => {
                tracing::info!(?report, "monitors evaluated");
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "monitor evaluation failed; retrying next cycle"),
        }
    }
}

/// Evaluates every monitor at `now_ms` within the default query limits and commits what changed
/// (see the module doc).
pub async fn run_cycle(store: &Store, now_ms: i64) -> Result<CycleReport, StoreError> {
    run_cycle_within(store, QueryLimits::default(), now_ms).await
}

/// [`run_cycle`], each monitor's query evaluated within `limits`: one over them is recorded as the
/// monitor's evaluation error (its groups keep their state) instead of holding up the cycle.
pub async fn run_cycle_within(
    store: &Store,
    limits: QueryLimits,
    now_ms: i64,
) -> Result<CycleReport, StoreError> {
    let monitors = store.monitors().await?;
    let (downtimes, muted) = store.downtime_state().await?;
    if monitors.is_empty() && downtimes.is_empty() {
        return Ok(CycleReport::default());
    }
    let (quiet, told) = Quiet::new(&downtimes, muted, now_ms);
    let mut groups: HashMap<i64, Vec<GroupRow>> = HashMap::new();
    for g in store.monitor_groups(None).await? {
        groups.entry(g.monitor_id).or_default().push(g);
    }
    let (writes, mut cycle, mut report) = store
        .read(move |reader| evaluate_all(reader, limits, &monitors, &groups, &quiet, now_ms))
        .await?;
    cycle.downtimes = told;
    report.committed = store.apply_cycle(writes, cycle, now_ms).await?;
    Ok(report)
}

/// Step 2–5 of the module doc, on one read connection; then what the downtimes ending this cycle
/// re-notify.
fn evaluate_all(
    reader: &Reader,
    limits: QueryLimits,
    monitors: &[MonitorRow],
    groups: &HashMap<i64, Vec<GroupRow>>,
    quiet: &Quiet,
    now_ms: i64,
) -> (Vec<MonitorWrite>, DowntimeCycle, CycleReport) {
    let mut cycle = DowntimeCycle::default();
    // First the definitions and windows, so that each metric's points are read once, over the
    // union of the windows that need it.
    let mut prepared = Vec::new();
    let mut ranges: HashMap<String, (i64, i64)> = HashMap::new();
    let mut report = CycleReport::default();
    for row in monitors {
        let body = match serde_json::from_str::<Value>(&row.body) {
            Ok(Value::Object(m)) => m,
            _ => {
                tracing::warn!(
                    monitor = row.id,
                    "stored monitor is not a JSON object; skipped"
                );
                continue;
            }
        };
        let def = match Definition::from_body(&body) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(monitor = row.id, error = %e, "monitor cannot be evaluated; skipped");
                continue;
            }
        };
        let silenced = match serde_json::from_str::<Value>(&row.silenced) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let now_secs = now_ms.div_euclid(1000);
        let to_secs = now_secs - def.evaluation_delay_secs;
        let from_secs = to_secs - def.query.window_secs;
        let text = def.query.evaluated_query();
        if let Ok(list) = query::parse(&text) {
            for expr in &list.exprs {
                metric_names(expr, &mut |name| {
                    let r = ranges
                        .entry(name.to_owned())
                        .or_insert((from_secs, to_secs));
                    *r = (r.0.min(from_secs), r.1.max(to_secs));
                });
            }
        }
        prepared.push((row, def, silenced, text, from_secs, to_secs));
    }

    let source = CachedSource {
        reader,
        series: RefCell::new(HashMap::new()),
        ranges,
        metric_of: RefCell::new(HashMap::new()),
        points: RefCell::new(HashMap::new()),
        by_tag: RefCell::new(HashMap::new()),
        hint: RefCell::new(None),
        budget: RefCell::new(Budget::new(limits)),
    };
    let host_ips = RefCell::new(HashMap::new());
    let mut results: HashMap<(String, i64, i64), Result<Rc<QueryResponse>, String>> =
        HashMap::new();
    let mut writes = Vec::new();
    for (row, def, silenced, text, from_secs, to_secs) in &prepared {
        let (row, def, silenced, from_secs, to_secs) = (*row, def, silenced, *from_secs, *to_secs);
        report.monitors += 1;
        let response = results
            .entry((text.clone(), from_secs, to_secs))
            .or_insert_with(|| {
                source.hint.replace(scope_hint(text));
                source.budget.replace(Budget::new(limits));
                match eval::evaluate(text, from_secs, to_secs, &source) {
                    Ok(r) => Ok(Rc::new(r)),
                    Err(e) => {
                        tracing::warn!(monitor = row.id, error = %e, "monitor query failed");
                        Err(match e {
                            EvalError::Source(ReadError::Budget(e)) => e.to_string(),
                            EvalError::Source(_) => "the store could not be read".to_owned(),
                            other => other.to_string(),
                        })
                    }
                }
            })
            .clone();
        let response = match response {
            Ok(r) => r,
            Err(error) => {
                // The groups keep their state; the monitor says why it was not evaluated.
                if row.eval_error.as_ref() != Some(&error) {
                    writes.push(MonitorWrite {
                        eval_error: Some(error),
                        ..MonitorWrite::new(row)
                    });
                }
                continue;
            }
        };
        let known = groups.get(&row.id).map_or(&[][..], Vec::as_slice);
        let mut ctx = MonitorCtx {
            reader,
            host_ips: &host_ips,
            row,
            def,
            silenced,
            now_ms,
            quiet,
            write: MonitorWrite::new(row),
            recovered: Vec::new(),
        };
        let seen = ctx.evaluate_groups(&response, from_secs, known, &mut report);
        // Known groups without a series this time: no data (unless still waiting out the delay).
        let missing: Vec<&GroupRow> = known
            .iter()
            .filter(|g| !seen.contains(g.group_key.as_str()) && !ctx.waiting(g))
            .collect();
        for g in missing {
            report.groups += 1;
            ctx.step_group(
                g.clone(),
                Evaluation::NoData {
                    last_data_ms: g.last_data_ms,
                },
                None,
                &mut report,
            );
        }
        // A simple monitor that never had data goes to No Data after the timeframe.
        if def.query.group_by.is_empty() && known.is_empty() && !seen.contains("*") {
            let new = GroupRow {
                monitor_id: row.id,
                group_key: "*".to_owned(),
                status: GroupStatus::new(row.created_ms.min(now_ms)),
                last_resolved_ms: None,
                last_nodata_ms: None,
                last_value: None,
                last_data_ms: None,
                first_seen_ms: None,
                pending: false,
            };
            ctx.step_group(
                new,
                Evaluation::NoData { last_data_ms: None },
                None,
                &mut report,
            );
        }
        cycle.recovered.append(&mut ctx.recovered);
        let w = ctx.write;
        if !w.groups.is_empty() || !w.events.is_empty() || row.eval_error.is_some() {
            writes.push(w);
        }
    }
    if !quiet.ending.is_empty() {
        for (row, def, silenced, ..) in &prepared {
            let known = groups.get(&row.id).map_or(&[][..], Vec::as_slice);
            downtime_ended(
                reader,
                &host_ips,
                row,
                def,
                silenced,
                known,
                quiet,
                now_ms,
                &mut writes,
                &mut cycle,
            );
        }
    }
    (writes, cycle, report)
}

/// What the downtimes ending this cycle do to one monitor: each group they silenced that is still
/// in one of their `notify_end_states` is notified of its state (unless another downtime still
/// silences it), as Datadog does; with `mute_first_recovery_notification`, a group left
/// un-notified will not notify its recovery either.
#[allow(clippy::too_many_arguments)]
fn downtime_ended(
    reader: &Reader,
    host_ips: &RefCell<HashMap<String, Option<String>>>,
    row: &MonitorRow,
    def: &Definition,
    silenced: &Map<String, Value>,
    known: &[GroupRow],
    quiet: &Quiet,
    now_ms: i64,
    writes: &mut Vec<MonitorWrite>,
    cycle: &mut DowntimeCycle,
) {
    let at = writes.iter().position(|w| w.monitor_id == row.id);
    let write = match at {
        Some(i) => writes.swap_remove(i),
        // Keeps the monitor's evaluation error as it is.
        None => MonitorWrite {
            eval_error: row.eval_error.clone(),
            ..MonitorWrite::new(row)
        },
    };
    let mut ctx = MonitorCtx {
        reader,
        host_ips,
        row,
        def,
        silenced,
        now_ms,
        quiet,
        write,
        recovered: Vec::new(),
    };
    // Each group as this cycle left it.
    let current: Vec<GroupRow> = known
        .iter()
        .map(|g| {
            ctx.write
                .groups
                .iter()
                .find(|w| w.group_key == g.group_key)
                .unwrap_or(g)
                .clone()
        })
        .chain(
            ctx.write
                .groups
                .iter()
                .filter(|w| !known.iter().any(|g| g.group_key == w.group_key))
                .cloned(),
        )
        .collect();
    for ending in &quiet.ending {
        for g in &current {
            let state = g.status.state;
            if state == State::Ok || g.pending {
                continue;
            }
            let tags = ctx.scope_tags(&g.group_key);
            if !quiet::covers(&ending.spec, row.id, &def.tags, &tags) {
                continue;
            }
            // `alert`, `warn`, `no data` against `Alert`, `Warn`, `No Data`.
            let listed = ending
                .spec
                .notify_end_states
                .iter()
                .any(|s| s.eq_ignore_ascii_case(state.as_str()));
            if ending.renotify && listed {
                let t = Transition {
                    from: state,
                    to: state,
                    kind: match state {
                        State::NoData => TransitionKind::NoData,
                        _ => TransitionKind::Trigger,
                    },
                };
                let value = g.last_value;
                ctx.record(g, t, value, Some((ending.id, ending.end)));
            } else if ending.spec.mute_first_recovery_notification {
                cycle
                    .mute_recovery
                    .push((row.id, g.group_key.clone(), ending.id));
            }
        }
    }
    let w = ctx.write;
    if at.is_some() || !w.events.is_empty() || !w.notifications.is_empty() {
        writes.push(w);
    }
}

struct MonitorCtx<'a> {
    reader: &'a Reader,
    /// `{{host.ip}}` per host, looked up once per cycle.
    host_ips: &'a RefCell<HashMap<String, Option<String>>>,
    row: &'a MonitorRow,
    def: &'a Definition,
    silenced: &'a Map<String, Value>,
    now_ms: i64,
    quiet: &'a Quiet,
    write: MonitorWrite,
    /// Groups that recovered this cycle (their muted recovery, if any, is used up).
    recovered: Vec<(i64, String)>,
}

impl MonitorCtx<'_> {
    /// Whether a group is still waiting out `new_group_delay` (counted from when it was first
    /// seen): it is then not evaluated at all: no state, no transition, no notification.
    fn waiting(&self, g: &GroupRow) -> bool {
        g.pending
            && g.first_seen_ms.is_some_and(|first| {
                self.now_ms
                    < first.saturating_add(self.def.new_group_delay_secs.saturating_mul(1000))
            })
    }

    /// Steps every group of the query result; returns their keys.
    fn evaluate_groups(
        &mut self,
        response: &QueryResponse,
        from_secs: i64,
        known: &[GroupRow],
        report: &mut CycleReport,
    ) -> HashSet<String> {
        let mut seen = HashSet::new();
        let grouped = !self.def.query.group_by.is_empty();
        for series in &response.series {
            let group_key = if grouped {
                let mut tags = series.tag_set.clone();
                tags.sort();
                tags.join(",")
            } else {
                "*".to_owned()
            };
            if !seen.insert(group_key.clone()) {
                continue;
            }
            let stored = known.iter().find(|g| g.group_key == group_key);
            let previous = stored.cloned().unwrap_or_else(|| GroupRow {
                monitor_id: self.row.id,
                group_key: group_key.clone(),
                // A simple monitor's one group exists from the monitor's creation, so that
                // no-data counts from there; a `by` group from when it is first seen.
                status: GroupStatus::new(if grouped {
                    self.now_ms
                } else {
                    self.row.created_ms.min(self.now_ms)
                }),
                last_resolved_ms: None,
                last_nodata_ms: None,
                last_value: None,
                last_data_ms: None,
                first_seen_ms: Some(self.now_ms),
                // A `by` group waits out `new_group_delay` before its first evaluation.
                pending: grouped,
            });
            if self.waiting(&previous) {
                // Recorded when first seen (so the delay survives a restart), then left alone.
                if stored.is_none() {
                    self.write.groups.push(previous);
                }
                continue;
            }
            let present: Vec<(i64, f64)> = series
                .pointlist
                .iter()
                .filter_map(|&(ts, v)| v.map(|v| (ts, v)))
                .collect();
            report.groups += 1;
            let Some(&(last_ts_ms, _)) = present.last() else {
                let last_data_ms = previous.last_data_ms;
                self.step_group(previous, Evaluation::NoData { last_data_ms }, None, report);
                continue;
            };
            if self.def.require_full_window {
                let grace_secs = (self.def.query.window_secs / 10).max(60);
                if present[0].0 / 1000 > from_secs + grace_secs {
                    continue;
                }
            }
            match aggregate(self.def.query.time_aggr, &present) {
                Some(value) => {
                    self.step_group(previous, Evaluation::Value(value), Some(last_ts_ms), report);
                }
                // pct_change from zero: no value this time; keep the state.
                None => continue,
            }
        }
        seen
    }

    /// Steps one group and records its new status, and the event and notifications of its
    /// transition.
    fn step_group(
        &mut self,
        previous: GroupRow,
        evaluation: Evaluation,
        last_data_ms: Option<i64>,
        report: &mut CycleReport,
    ) {
        let settings = self.def.step_settings();
        let (status, transition) = step(&previous.status, evaluation, &settings, self.now_ms);
        let value = match evaluation {
            Evaluation::Value(v) => Some(v),
            Evaluation::NoData { .. } => None,
        };
        let mut next = GroupRow {
            status,
            last_value: value.or(previous.last_value),
            last_data_ms: last_data_ms.or(previous.last_data_ms),
            pending: false,
            ..previous.clone()
        };
        if let Some(t) = transition {
            report.transitions += 1;
            match t.to {
                State::Ok if t.kind == TransitionKind::Recovery => {
                    next.last_resolved_ms = Some(self.now_ms);
                }
                State::NoData if t.kind == TransitionKind::NoData => {
                    next.last_nodata_ms = Some(self.now_ms);
                }
                _ => {}
            }
            self.record(&next, t, value, None);
        }
        // Unchanged (including a group never seen with data that stays as it was): nothing to write.
        if next != previous {
            self.write.groups.push(next);
        }
    }

    /// The group's tags as a downtime's scope sees them: its own, and the exact `key:value` items
    /// of the query's scope.
    fn scope_tags(&self, group_key: &str) -> Vec<String> {
        self.render_tags(group_key)
            .into_iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect()
    }

    /// Records a transition: its event and, unless muted, its notifications. `ended` is the
    /// downtime (id, `expired`/`canceled`) whose end re-notifies the group's state.
    fn record(
        &mut self,
        group: &GroupRow,
        t: Transition,
        value: Option<f64>,
        ended: Option<(i64, &str)>,
    ) {
        let def = self.def;
        // A renotification while the data is missing (and no-data is not notified) still says
        // the value that put the group in its state.
        let value = match (t.kind, t.to) {
            (TransitionKind::Renotify, State::Warn | State::Alert) => value.or(group.last_value),
            _ => value,
        };
        let group_tags = self.render_tags(&group.group_key);
        let host_ip = group_tags
            .iter()
            .find(|(k, _)| k == "host")
            .and_then(|(_, host)| {
                let mut known = self.host_ips.borrow_mut();
                known
                    .entry(host.clone())
                    .or_insert_with(|| self.reader.host_ip(host).ok().flatten())
                    .clone()
            });
        let ctx = RenderContext {
            transition: t,
            value,
            thresholds: def.thresholds.with_query(&def.query),
            comparator: def.query.comparator,
            group_tags,
            host_ip,
            last_triggered_ms: group.status.last_triggered_ms,
            first_triggered_ms: group.status.first_triggered_ms,
        };
        let text = render(&def.message, &ctx);
        let text = text.trim().to_owned();
        let title = title(def, &group.group_key, t);
        let kind = kind_name(t.kind);
        let key = match ended {
            Some((downtime, end)) => format!(
                "monitor:{}:group:{}:downtime_{end}:{downtime}:{}",
                self.row.id, group.group_key, self.now_ms
            ),
            None => format!(
                "monitor:{}:group:{}:{}:{}",
                self.row.id, group.group_key, kind, self.now_ms
            ),
        };
        let mut tags = def.tags.clone();
        if group.group_key != "*" {
            tags.extend(group.group_key.split(',').map(str::to_owned));
        }
        tags.push(format!("monitor_id:{}", self.row.id));
        let scope_tags = self.scope_tags(&group.group_key);
        let quiet_by = self.quiet.covering(self.row.id, &def.tags, &scope_tags);
        let mut text = text;
        if let Some(downtime) = quiet_by {
            tags.push(format!("downtime_id:{downtime}"));
            text = format!("In downtime #{downtime}: not notified.\n\n{text}");
        } else if let Some((downtime, end)) = ended {
            let end = if end == "canceled" {
                "was canceled"
            } else {
                "ended"
            };
            text = format!(
                "Downtime #{downtime} {end} with this group still {}.\n\n{text}",
                t.to.as_str()
            );
        }
        let muted_recovery = t.kind == TransitionKind::Recovery
            && self
                .quiet
                .muted_recoveries
                .contains(&(self.row.id, group.group_key.clone()));
        if t.kind == TransitionKind::Recovery && muted_recovery {
            self.recovered.push((self.row.id, group.group_key.clone()));
        }
        self.write.events.push(NewEvent {
            dedupe_key: key.clone(),
            ts_ms: self.now_ms,
            monitor_id: Some(self.row.id),
            group_key: Some(group.group_key.clone()),
            // A downtime's end re-notifying a state is a renotification.
            transition: Some(if ended.is_some() { "renotify" } else { kind }.to_owned()),
            from_state: Some(t.from.as_str().to_owned()),
            to_state: Some(t.to.as_str().to_owned()),
            value,
            alert_type: match t.to {
                State::Alert => "error",
                State::Warn | State::NoData => "warning",
                State::Ok => "success",
            }
            .to_owned(),
            title: title.clone(),
            text: text.clone(),
            tags,
            posted: None,
            snapshot_id: None,
        });

        if quiet_by.is_some()
            || muted_recovery
            || is_muted(
                self.silenced,
                &group.group_key,
                self.now_ms.div_euclid(1000),
            )
        {
            return;
        }
        let payload = json!({
            "monitor_id": self.row.id,
            "monitor_name": def.name,
            "query": def.query_text,
            "group": group.group_key,
            "state": t.to.as_str(),
            "previous_state": t.from.as_str(),
            "transition": kind,
            "value": value,
            "subject": title,
            "message": text,
            "link": format!("/monitors/{}", self.row.id),
            "ts_ms": self.now_ms,
        })
        .to_string();
        for mention in mentions(&text) {
            let (channel, target) = Channel::of(mention);
            self.write.notifications.push(NewNotification {
                dedupe_key: format!("{key}:{}:{target}", channel.as_str()),
                channel,
                target,
                subject: title.clone(),
                body: text.clone(),
                payload: (channel == Channel::Webhook).then(|| payload.clone()),
                snapshot_id: None,
            });
        }
    }

    /// The tags `{{<key>.name}}` can use (see [`group_tags`]).
    fn render_tags(&self, group_key: &str) -> Vec<(String, String)> {
        group_tags(self.def, group_key)
    }
}

/// A group's tags: its own, then the exact `key:value` items of the query's scope (so a simple
/// alert on `{host:ubuntu}` still knows its host, and a downtime scoped to `host:ubuntu` finds it).
pub(crate) fn group_tags(def: &Definition, group_key: &str) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = group_key
        .split(',')
        .filter_map(|t| t.split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    if let Ok(list) = query::parse(&def.query.metric_query) {
        for expr in &list.exprs {
            if let ExprKind::Metric(m) = &expr.kind {
                for item in &m.scope.items {
                    let exact = !item.negated && !item.key.contains('*');
                    if let Some(v) = item.value.as_ref().filter(|v| exact && !v.contains('*'))
                        && !tags.iter().any(|(k, _)| *k == item.key)
                    {
                        tags.push((item.key.clone(), v.clone()));
                    }
                }
            }
        }
    }
    tags
}

fn kind_name(kind: TransitionKind) -> &'static str {
    match kind {
        TransitionKind::Trigger => "trigger",
        TransitionKind::Recovery => "recovery",
        TransitionKind::AlertToWarning => "alert_to_warning",
        TransitionKind::NoData => "no_data",
        TransitionKind::Renotify => "renotify",
    }
}

/// `[Triggered on {host:ubuntu}] name`, as Datadog titles its notifications.
fn title(def: &Definition, group_key: &str, t: Transition) -> String {
    let what = match (t.kind, t.to) {
        (TransitionKind::Recovery, _) => "Recovered",
        (TransitionKind::Renotify, State::Alert) => "Re-Triggered",
        (TransitionKind::Renotify, State::Warn) => "Re-Warn",
        (TransitionKind::Renotify, _) => "Re-No Data",
        (_, State::Alert) => "Triggered",
        (_, State::Warn) => "Warn",
        (_, State::NoData) => "No Data",
        (_, State::Ok) => "Recovered",
    };
    // The title is an email subject: one line, whatever the name holds.
    let name: String = def
        .name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if def.include_tags && group_key != "*" {
        format!("[{what} on {{{group_key}}}] {name}")
    } else {
        format!("[{what}] {name}")
    }
}

/// The metric names of an expression.
pub(crate) fn metric_names(expr: &query::Expr, f: &mut impl FnMut(&str)) {
    match &expr.kind {
        ExprKind::Metric(m) => f(&m.metric.name),
        ExprKind::Number(_) => {}
        ExprKind::Neg(e) => metric_names(e, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            metric_names(lhs, f);
            metric_names(rhs, f);
        }
        ExprKind::Call(c) => metric_names(c.arg(), f),
    }
}

/// The store's reader for one cycle: each metric's series list is read once, and each series'
/// points once, over the union of the windows of the monitors on its metric (a query that reads
/// outside it, such as a time shift, goes to the store directly).
struct CachedSource<'a> {
    reader: &'a Reader,
    series: RefCell<HashMap<String, Rc<Vec<SeriesInfo>>>>,
    /// Per metric, the range `[from, to]` the cycle's windows cover.
    ranges: HashMap<String, (i64, i64)>,
    metric_of: RefCell<HashMap<SeriesId, Rc<str>>>,
    /// Per series, its points over its metric's range, by time.
    points: RefCell<HashMap<SeriesId, Points>>,
    /// Per metric, the positions in its series list of the series having each tag.
    by_tag: RefCell<HashMap<String, TagIndex>>,
    /// The metric and scope of the query being evaluated, when it is one plain metric query: its
    /// series list is then narrowed to that scope here, through `by_tag`, instead of being copied
    /// whole for the evaluator to filter (which it still does, with the same result).
    hint: RefCell<Option<(String, Scope)>>,
    /// The budget of the query being evaluated, renewed for each one.
    budget: RefCell<Budget>,
}

/// The metric and scope of `text` when it is one metric query.
fn scope_hint(text: &str) -> Option<(String, Scope)> {
    let list = query::parse(text).ok()?;
    match &list.exprs.first()?.kind {
        ExprKind::Metric(m) if list.exprs.len() == 1 => {
            Some((m.metric.name.clone(), m.scope.clone()))
        }
        _ => None,
    }
}

/// Positions in a metric's series list by tag (`host:ubuntu`).
type TagIndex = Rc<HashMap<String, Vec<usize>>>;

/// One series' points, `(ts_secs, value)` by time.
type Points = Rc<Vec<(i64, f64)>>;

impl CachedSource<'_> {
    /// Reads the series list of `metric` and indexes it.
    fn load_series(&self, metric: &str) -> Result<Rc<Vec<SeriesInfo>>, ReadError> {
        let list = Rc::new(self.reader.series(metric)?);
        let name: Rc<str> = Rc::from(metric);
        let mut index: HashMap<String, Vec<usize>> = HashMap::new();
        {
            let mut metric_of = self.metric_of.borrow_mut();
            for (i, s) in list.iter().enumerate() {
                metric_of.insert(s.id, name.clone());
                for tag in s.key.tags.iter() {
                    index.entry(tag.as_str().to_owned()).or_default().push(i);
                }
            }
        }
        self.by_tag
            .borrow_mut()
            .insert(metric.to_owned(), Rc::new(index));
        self.series
            .borrow_mut()
            .insert(metric.to_owned(), list.clone());
        Ok(list)
    }

    /// Hands `each` the points of `id` within `[from_secs, to_secs]`, from the cache when its
    /// metric's range covers that window. What the evaluator gets is charged to the query's
    /// budget; the shared read of the metric's whole range is not (it serves every monitor on the
    /// metric), but it stops when the budget's time runs out.
    fn with_points(
        &self,
        id: SeriesId,
        from_secs: i64,
        to_secs: i64,
        each: &mut EachSeries<'_>,
    ) -> Result<(), ReadError> {
        let budget = self.budget.borrow();
        let range = self
            .metric_of
            .borrow()
            .get(&id)
            .and_then(|m| self.ranges.get(m.as_ref()).copied());
        let Some((lo, hi)) = range.filter(|&(lo, hi)| lo <= from_secs && to_secs <= hi) else {
            return self
                .reader
                .metered(&budget)
                .each_series(&[id], from_secs, to_secs, each);
        };
        let cached = self.points.borrow().get(&id).cloned();
        let all = match cached {
            Some(all) => all,
            None => {
                let read: Vec<(i64, f64)> = self
                    .reader
                    .points_of(&[id], lo, hi, Meter::Watch(&budget))?
                    .into_iter()
                    .map(|(_, ts, v)| (ts, v))
                    .collect();
                let read = Rc::new(read);
                self.points.borrow_mut().insert(id, read.clone());
                read
            }
        };
        let start = all.partition_point(|&(ts, _)| ts < from_secs);
        let end = all.partition_point(|&(ts, _)| ts <= to_secs);
        budget.charge((end - start) as u64)?;
        if end > start {
            each(id, &all[start..end]);
        }
        Ok(())
    }
}

impl SeriesSource for CachedSource<'_> {
    type Error = ReadError;

    fn series(&self, metric: &str) -> Result<Vec<SeriesInfo>, Self::Error> {
        self.budget.borrow().check()?;
        let cached = self.series.borrow().get(metric).cloned();
        let list = match cached {
            Some(list) => list,
            None => self.load_series(metric)?,
        };
        let hint = self.hint.borrow();
        let Some((_, scope)) = hint.as_ref().filter(|(m, _)| m == metric) else {
            return Ok(list.as_ref().clone());
        };
        // Candidates: the series with the scope's first exact `key:value`, else all of them.
        let exact = scope.items.iter().find_map(|item| {
            let value = item.value.as_ref()?;
            (!item.negated && !item.key.contains('*') && !value.contains('*'))
                .then(|| format!("{}:{value}", item.key))
        });
        let index = self.by_tag.borrow().get(metric).cloned();
        let matching = |s: &&SeriesInfo| scope.matches(&s.key.tags);
        Ok(match (exact, index) {
            (Some(tag), Some(index)) => index
                .get(&tag)
                .map(|positions| {
                    positions
                        .iter()
                        .filter_map(|&i| list.get(i))
                        .filter(matching)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default(),
            _ => list.iter().filter(matching).cloned().collect(),
        })
    }

    fn points(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
    ) -> Result<Vec<(SeriesId, i64, f64)>, Self::Error> {
        let mut out = Vec::new();
        self.each_series(ids, from_secs, to_secs, &mut |id, points| {
            out.extend(points.iter().map(|&(ts, v)| (id, ts, v)));
        })?;
        Ok(out)
    }

    fn each_series(
        &self,
        ids: &[SeriesId],
        from_secs: i64,
        to_secs: i64,
        each: &mut EachSeries<'_>,
    ) -> Result<(), Self::Error> {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for id in sorted {
            self.with_points(id, from_secs, to_secs, each)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_line_and_name_the_group() {
        let body = json!({
            "query": "avg(last_5m):avg:m{*} by {host} > 1",
            "name": "cpu\r\nBcc: x@example.com",
        });
        let Value::Object(body) = body else {
            unreachable!("an object literal")
        };
        let def = Definition::from_body(&body).expect("definition");
        let t = Transition {
            from: State::Ok,
            to: State::Alert,
            kind: TransitionKind::Trigger,
        };
        assert_eq!(
            title(&def, "host:a", t),
            "[Triggered on {host:a}] cpu  Bcc: x@example.com"
        );
    }
}
