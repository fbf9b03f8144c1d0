//! The monitor form as plain data, tested natively: what each field holds (as typed), the
//! Datadog query and options JSON it saves (`avg(last_5m):avg:my_metric{host:ubuntu} > 800`), every
//! problem in words next to the field it is about (core's query, threshold and template rules), a
//! saved monitor read back into the form, and the message preview for each state with sample values
//! (core's `message::render`, the same code that renders notifications).

use dogwatch_core::monitor::{
    self, Comparator, MonitorQuery, RenderContext, Replay, State, StepSettings, Thresholds,
    Transition, TransitionKind,
};
use dogwatch_core::query::ast::format_number;
use dogwatch_core::wire::{self, Monitor, MonitorDefinition, MonitorOptions, QueryResponse};

/// Windows the form offers: (query form, label).
pub const WINDOWS: [(&str, &str); 10] = [
    ("last_1m", "1 minute"),
    ("last_5m", "5 minutes"),
    ("last_10m", "10 minutes"),
    ("last_15m", "15 minutes"),
    ("last_30m", "30 minutes"),
    ("last_1h", "1 hour"),
    ("last_2h", "2 hours"),
    ("last_4h", "4 hours"),
    ("last_1d", "1 day"),
    ("last_1w", "1 week"),
];

/// The states a message is previewed in, with the section that selects each.
pub const PREVIEW_STATES: [(State, &str); 4] = [
    (State::Alert, "Alert"),
    (State::Warn, "Warning"),
    (State::NoData, "No Data"),
    (State::Ok, "Recovery"),
];

/// The form, each field as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorForm {
    pub name: String,
    /// The metric query without `by`, as the query editor holds it: `avg:my_metric{host:ubuntu}`.
    pub metric_query: String,
    pub time_aggr: String,
    pub window: String,
    /// Multi-alert tag keys, comma-separated (`host`); empty for a simple alert.
    pub group_by: String,
    pub comparator: String,
    pub critical: String,
    pub warning: String,
    pub critical_recovery: String,
    pub warning_recovery: String,
    pub notify_no_data: bool,
    /// Minutes.
    pub no_data_timeframe: String,
    /// Minutes; empty: never.
    pub renotify_interval: String,
    /// Seconds.
    pub evaluation_delay: String,
    pub require_full_window: bool,
    /// Comma-separated.
    pub tags: String,
    /// 1 to 5, or empty.
    pub priority: String,
    pub message: String,
}

impl Default for MonitorForm {
    fn default() -> Self {
        MonitorForm {
            name: String::new(),
            metric_query: String::new(),
            time_aggr: "avg".into(),
            window: "last_5m".into(),
            group_by: String::new(),
            comparator: ">".into(),
            critical: String::new(),
            warning: String::new(),
            critical_recovery: String::new(),
            warning_recovery: String::new(),
            notify_no_data: false,
            no_data_timeframe: "10".into(),
            renotify_interval: String::new(),
            evaluation_delay: "0".into(),
            require_full_window: false,
            tags: String::new(),
            priority: String::new(),
            message: String::new(),
        }
    }
}

/// Which field a problem is shown next to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Query,
    Critical,
    Warning,
    CriticalRecovery,
    WarningRecovery,
    NoData,
    Renotify,
    Delay,
    Priority,
    Message,
}

/// One problem: where, and what is wrong in words.
pub type Problem = (Field, String);

/// `""` → `None`; otherwise a finite number, or the words saying it is not one.
fn number(text: &str, what: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(format!("{what} must be a number, got `{text}`")),
    }
}

/// A whole number in `min..=max`, `None` when empty.
fn whole(text: &str, what: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{what} must be a whole number from {min} to {max}, got `{text}`"
        )),
    }
}

impl MonitorForm {
    /// The text field with element id `id` (`monitor-critical`, …), for a page that lists its fields
    /// as data; `""` for an id the form does not have.
    pub fn get(&self, id: &str) -> &str {
        match id {
            "monitor-name" => &self.name,
            "monitor-aggr" => &self.time_aggr,
            "monitor-window" => &self.window,
            "monitor-by" => &self.group_by,
            "monitor-comparator" => &self.comparator,
            "monitor-critical" => &self.critical,
            "monitor-warning" => &self.warning,
            "monitor-critical-recovery" => &self.critical_recovery,
            "monitor-warning-recovery" => &self.warning_recovery,
            "monitor-no-data" => &self.no_data_timeframe,
            "monitor-renotify" => &self.renotify_interval,
            "monitor-delay" => &self.evaluation_delay,
            "monitor-tags" => &self.tags,
            "monitor-priority" => &self.priority,
            "monitor-notify-no-data" => bool_text(self.notify_no_data),
            "monitor-full-window" => bool_text(self.require_full_window),
            _ => "",
        }
    }

    /// Sets the field with element id `id`; checkboxes take "true" or anything else.
    pub fn set(&mut self, id: &str, value: String) {
        let slot = match id {
            "monitor-name" => &mut self.name,
            "monitor-aggr" => &mut self.time_aggr,
            "monitor-window" => &mut self.window,
            "monitor-by" => &mut self.group_by,
            "monitor-comparator" => &mut self.comparator,
            "monitor-critical" => &mut self.critical,
            "monitor-warning" => &mut self.warning,
            "monitor-critical-recovery" => &mut self.critical_recovery,
            "monitor-warning-recovery" => &mut self.warning_recovery,
            "monitor-no-data" => &mut self.no_data_timeframe,
            "monitor-renotify" => &mut self.renotify_interval,
            "monitor-delay" => &mut self.evaluation_delay,
            "monitor-tags" => &mut self.tags,
            "monitor-priority" => &mut self.priority,
            "monitor-notify-no-data" => return self.notify_no_data = value == "true",
            "monitor-full-window" => return self.require_full_window = value == "true",
            _ => return,
        };
        *slot = value;
    }

    /// The metric query with the multi-alert `by {…}`.
    pub fn full_metric_query(&self) -> String {
        let keys: Vec<&str> = self
            .group_by
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        let query = self.metric_query.trim();
        if keys.is_empty() {
            query.to_owned()
        } else {
            format!("{query} by {{{}}}", keys.join(","))
        }
    }

    /// The query a graph of the monitor shows: as the evaluator runs it (`.rollup(max)` for a max
    /// over the window, …) once the monitor query is whole, so that what is drawn (and shaded) is
    /// what the evaluator sees; until then the metric query as typed.
    pub fn graph_query(&self) -> String {
        self.parsed()
            .map_or_else(|| self.full_metric_query(), |(q, _)| q.evaluated_query())
    }

    /// Datadog's monitor query, `avg(last_5m):avg:my_metric{host:ubuntu} > 800`.
    pub fn query_text(&self) -> String {
        format!(
            "{}({}):{} {} {}",
            self.time_aggr,
            self.window,
            self.full_metric_query(),
            self.comparator,
            self.critical.trim()
        )
    }

    /// The thresholds as typed (without checking them against each other).
    fn thresholds(&self, problems: &mut Vec<Problem>) -> Thresholds {
        let mut read = |text: &str, field, what| {
            number(text, what).unwrap_or_else(|e| {
                problems.push((field, e));
                None
            })
        };
        Thresholds {
            critical: read(&self.critical, Field::Critical, "the alert threshold"),
            warning: read(&self.warning, Field::Warning, "the warning threshold"),
            critical_recovery: read(
                &self.critical_recovery,
                Field::CriticalRecovery,
                "the alert recovery threshold",
            ),
            warning_recovery: read(
                &self.warning_recovery,
                Field::WarningRecovery,
                "the warning recovery threshold",
            ),
        }
    }

    /// The parsed query, when the form has one.
    pub fn parsed(&self) -> Option<(MonitorQuery, Thresholds)> {
        let query = monitor::parse(&self.query_text()).ok()?;
        let thresholds = self.thresholds(&mut Vec::new()).with_query(&query);
        Some((query, thresholds))
    }

    /// What the monitor would have done over `response` (the preview's last day in `range`),
    /// replayed by core every minute (or every bucket, when the answer's buckets are longer);
    /// `None` until the query and thresholds parse.
    pub fn replay(&self, response: &QueryResponse, range: (i64, i64)) -> Option<Replay> {
        let (query, thresholds) = self.parsed()?;
        let minutes = |text: &str| text.trim().parse::<i64>().ok().filter(|&m| m > 0);
        let mut settings = StepSettings::new(&query, &thresholds);
        settings.notify_no_data = self.notify_no_data;
        if let Some(m) = minutes(&self.no_data_timeframe) {
            settings.no_data_timeframe_secs = m * 60;
        }
        let bucket_ms = response.series.iter().map(|s| s.interval * 1000).max();
        let every_ms = bucket_ms.unwrap_or(0).max(60_000);
        Some(monitor::replay(
            response,
            query.time_aggr,
            query.window_secs,
            &settings,
            range,
            every_ms,
        ))
    }

    /// The summary under the preview graph, in words, of `r` (from [`MonitorForm::replay`]).
    pub fn replay_summary(&self, r: &Replay) -> String {
        if r.evaluations == 0 {
            let window = WINDOWS
                .iter()
                .find(|(w, _)| *w == self.window)
                .map_or(self.window.as_str(), |(_, label)| label);
            return format!(
                "A window of {window} does not fit in the day shown, so it cannot be replayed here."
            );
        }
        let times = |n: usize| {
            if n == 1 {
                "once".to_owned()
            } else {
                format!("{n} times")
            }
        };
        if r.alerts + r.warnings + r.no_data == 0 {
            return "Over the last day it would not have triggered.".into();
        }
        let mut parts = Vec::new();
        if r.alerts > 0 {
            parts.push(format!("alerted {} (red)", times(r.alerts)));
        }
        if r.warnings > 0 {
            parts.push(format!("warned {} (yellow)", times(r.warnings)));
        }
        if r.no_data > 0 {
            parts.push(format!("reported no data {} (grey)", times(r.no_data)));
        }
        format!("Over the last day it would have {}.", parts.join(", "))
    }

    /// Every problem, in the form's order; empty when the monitor can be saved.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let metric = self.full_metric_query();
        if metric.is_empty() {
            out.push((Field::Query, "the metric query is required".to_owned()));
        } else if let Err(e) = dogwatch_core::query::parse(&metric) {
            out.push((Field::Query, format!("the metric query: {e}")));
        }
        let thresholds = self.thresholds(&mut out);
        if self.critical.trim().is_empty() {
            out.push((
                Field::Critical,
                "the alert threshold is required".to_owned(),
            ));
        }
        if out.is_empty() {
            match monitor::parse(&self.query_text()) {
                Err(e) => out.push((Field::Query, e.to_string())),
                Ok(query) => {
                    if let Err(problems) = monitor::validate(&query, &thresholds) {
                        out.extend(problems.iter().map(|p| (field_of(p.field), p.to_string())));
                    }
                }
            }
        }
        if self.notify_no_data {
            let minutes = whole(&self.no_data_timeframe, "no data after", 1, 20_160);
            match minutes {
                Ok(Some(_)) => {}
                Ok(None) => out.push((Field::NoData, "no data after needs minutes".into())),
                Err(e) => out.push((Field::NoData, e)),
            }
        }
        let checks = [
            (
                Field::Renotify,
                &self.renotify_interval,
                "renotify every",
                0,
                40_320,
            ),
            (
                Field::Delay,
                &self.evaluation_delay,
                "evaluation delay",
                0,
                86_400,
            ),
            (Field::Priority, &self.priority, "priority", 1, 5),
        ];
        for (field, text, what, min, max) in checks {
            if let Err(e) = whole(text, what, min, max) {
                out.push((field, e));
            }
        }
        if let Err(e) = monitor::check(&self.message) {
            out.push((Field::Message, format!("message: {e}")));
        }
        out
    }

    /// The body of `POST /api/v1/monitor` (or `PUT`): Datadog's shape.
    pub fn to_body(&self) -> MonitorDefinition {
        let mut problems = Vec::new();
        let t = self.thresholds(&mut problems);
        let int = |text: &str| text.trim().parse::<i64>().ok();
        let options = MonitorOptions {
            thresholds: wire::Thresholds::from_values(
                t.critical,
                t.warning,
                t.critical_recovery,
                t.warning_recovery,
            ),
            notify_no_data: self.notify_no_data,
            no_data_timeframe: int(&self.no_data_timeframe).filter(|_| self.notify_no_data),
            renotify_interval: int(&self.renotify_interval),
            evaluation_delay: Some(int(&self.evaluation_delay).unwrap_or(0)),
            require_full_window: self.require_full_window,
            ..MonitorOptions::default()
        };
        MonitorDefinition {
            kind: "metric alert".into(),
            name: self.name.trim().into(),
            query: self.query_text(),
            message: self.message.clone(),
            tags: split_list(&self.tags).map(str::to_owned).collect(),
            priority: int(&self.priority),
            options,
        }
    }

    /// A saved monitor (`GET /api/v1/monitor/{id}`) in the form. A query the form cannot show field
    /// by field keeps its metric part whole in the query field.
    pub fn from_monitor(m: &Monitor) -> MonitorForm {
        let o = &m.options;
        let threshold = |t: &Option<serde_json::Number>| {
            t.as_ref()
                .and_then(serde_json::Number::as_f64)
                .map(format_number)
                .unwrap_or_default()
        };
        let int = |n: Option<i64>| n.map(|n| n.to_string());
        let mut form = MonitorForm {
            name: m.name.clone(),
            message: m.message.clone(),
            tags: m.tags.join(", "),
            priority: int(m.priority).unwrap_or_default(),
            critical: threshold(&o.thresholds.critical),
            warning: threshold(&o.thresholds.warning),
            critical_recovery: threshold(&o.thresholds.critical_recovery),
            warning_recovery: threshold(&o.thresholds.warning_recovery),
            notify_no_data: o.notify_no_data,
            no_data_timeframe: int(o.no_data_timeframe).unwrap_or_else(|| "10".into()),
            renotify_interval: int(o.renotify_interval).unwrap_or_default(),
            evaluation_delay: int(o.evaluation_delay).unwrap_or_else(|| "0".into()),
            require_full_window: o.require_full_window,
            ..MonitorForm::default()
        };
        let query = m.query.clone();
        match monitor::parse(&query) {
            Ok(q) => {
                form.time_aggr = q.time_aggr.as_str().to_owned();
                form.window = monitor::query::format_window(q.window_secs);
                form.comparator = q.comparator.symbol().to_owned();
                if form.critical.is_empty() {
                    form.critical = format_number(q.threshold);
                }
                let by = format!(" by {{{}}}", q.group_by.join(","));
                form.metric_query = match q.metric_query.strip_suffix(&by) {
                    Some(metric) if !q.group_by.is_empty() => {
                        form.group_by = q.group_by.join(", ");
                        metric.to_owned()
                    }
                    _ => q.metric_query,
                };
            }
            Err(_) => form.metric_query = query,
        }
        form
    }

    /// The message as it would be sent in `state` (Recovery for OK), with sample values: a value
    /// past the threshold of that state, the group's tags from the query's scope (a host when it
    /// names none), `10.0.0.1` as `{{host.ip}}`, and `now_ms` as the trigger time.
    pub fn preview(&self, state: State, now_ms: i64) -> String {
        let (query, thresholds) = self.parsed().unwrap_or_else(|| {
            let query = MonitorQuery {
                time_aggr: monitor::TimeAggr::Avg,
                window_secs: 300,
                metric_query: String::new(),
                comparator: Comparator::from_symbol(&self.comparator).unwrap_or(Comparator::Gt),
                threshold: number(&self.critical, "").ok().flatten().unwrap_or(0.0),
                group_by: Vec::new(),
            };
            let thresholds = self.thresholds(&mut Vec::new()).with_query(&query);
            (query, thresholds)
        });
        let (from, kind) = match state {
            State::Ok => (State::Alert, TransitionKind::Recovery),
            State::NoData => (State::Ok, TransitionKind::NoData),
            _ => (State::Ok, TransitionKind::Trigger),
        };
        let ctx = RenderContext {
            transition: Transition {
                from,
                to: state,
                kind,
            },
            value: sample_value(state, query.comparator, &thresholds),
            thresholds,
            comparator: query.comparator,
            group_tags: sample_tags(&self.metric_query, &query.group_by),
            host_ip: Some("10.0.0.1".into()),
            last_triggered_ms: Some(now_ms),
            first_triggered_ms: Some(now_ms),
        };
        monitor::render(&self.message, &ctx)
    }
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Core's field names (`options.thresholds.warning`) as form fields.
fn field_of(path: &str) -> Field {
    match path.rsplit('.').next() {
        Some("warning") => Field::Warning,
        Some("critical_recovery") => Field::CriticalRecovery,
        Some("warning_recovery") => Field::WarningRecovery,
        _ => Field::Critical,
    }
}

/// Comma-separated items, trimmed, without empty ones.
pub fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// A value that puts a group in `state`: past the alert threshold, between warning and alert, or
/// back on the OK side of both. `None` (no data) for No Data.
fn sample_value(state: State, cmp: Comparator, t: &Thresholds) -> Option<f64> {
    let critical = t.critical.unwrap_or(0.0);
    let step = (critical.abs() * 0.1).max(1.0);
    let sign = match cmp.alerts_above() {
        Some(false) => -1.0,
        _ => 1.0,
    };
    match state {
        State::NoData => None,
        State::Alert => Some(critical + sign * step),
        State::Warn => Some(
            t.warning
                .map_or(critical - sign * step, |w| (w + critical) / 2.0),
        ),
        State::Ok => {
            let lowest = t.warning.unwrap_or(critical);
            Some(lowest - sign * step)
        }
    }
}

/// The group's sample tags: `key:value` pairs of the query's scope, the multi-alert keys (with a
/// made-up value when the scope has none), and a host.
fn sample_tags(metric_query: &str, group_by: &[String]) -> Vec<(String, String)> {
    let scope = metric_query
        .split_once('{')
        .and_then(|(_, rest)| rest.split_once('}'))
        .map_or("", |(scope, _)| scope);
    let mut tags: Vec<(String, String)> = split_list(scope)
        .filter_map(|t| t.split_once(':'))
        .filter(|(k, _)| !k.starts_with('!'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for key in group_by {
        if !tags.iter().any(|(k, _)| k == key) {
            tags.push((key.clone(), format!("{key}-a")));
        }
    }
    if !tags.iter().any(|(k, _)| k == "host") {
        tags.push(("host".into(), "my-host".into()));
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> MonitorForm {
        MonitorForm {
            name: "my_metric is high".into(),
            metric_query: "avg:my_metric{host:ubuntu}".into(),
            critical: "800".into(),
            warning: "500".into(),
            notify_no_data: true,
            message: "{{#is_alert}}A {{value}} on {{host.name}} ({{host.ip}}){{/is_alert}}\
                      {{#is_warning}}W {{value}}{{/is_warning}}{{#is_no_data}}N{{/is_no_data}}\
                      {{#is_recovery}}R{{/is_recovery}} @me@example.com"
                .into(),
            ..MonitorForm::default()
        }
    }

    #[test]
    fn builds_datadogs_query_and_options() {
        let form = seed();
        assert!(form.problems().is_empty(), "{:?}", form.problems());
        assert_eq!(
            form.query_text(),
            "avg(last_5m):avg:my_metric{host:ubuntu} > 800"
        );
        let body = serde_json::to_string(&form.to_body()).expect("serializes");
        assert!(body.contains(r#""query":"avg(last_5m):avg:my_metric{host:ubuntu} > 800""#));
        assert!(
            body.contains(r#""thresholds":{"critical":800.0,"warning":500.0}"#),
            "{body}"
        );
        assert!(body.contains(r#""no_data_timeframe":10"#), "{body}");
        let multi = MonitorForm {
            group_by: "host, env".into(),
            ..seed()
        };
        assert_eq!(
            multi.query_text(),
            "avg(last_5m):avg:my_metric{host:ubuntu} by {host,env} > 800"
        );
    }

    #[test]
    fn fields_by_element_id() {
        let mut form = seed();
        form.set("monitor-warning", "600".into());
        form.set("monitor-full-window", "true".into());
        assert_eq!(form.get("monitor-warning"), "600");
        assert_eq!(form.get("monitor-full-window"), "true");
        assert!(form.require_full_window);
        form.set("nope", "x".into());
        assert_eq!(form.get("nope"), "");
    }

    #[test]
    fn reads_a_saved_monitor_back() {
        let mut form = seed();
        form.group_by = "host".into();
        form.tags = "app:web, team:ops".into();
        form.priority = "2".into();
        form.renotify_interval = "30".into();
        let back = MonitorForm::from_monitor(&form.to_body().into());
        assert_eq!(back, form);
    }

    #[test]
    fn problems_name_their_field_in_words() {
        let form = MonitorForm {
            warning: "900".into(),
            ..seed()
        };
        let problems = form.problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, Field::Warning);
        assert!(
            problems[0]
                .1
                .starts_with("warning threshold must be below the alert threshold for `>`"),
            "{}",
            problems[0].1
        );
        let bad = MonitorForm {
            metric_query: "avg:my_metric{host:ubuntu".into(),
            critical: "x".into(),
            priority: "9".into(),
            message: "{{#is_alert}}".into(),
            ..seed()
        };
        let fields: Vec<Field> = bad.problems().iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                Field::Query,
                Field::Critical,
                Field::Priority,
                Field::Message
            ]
        );
    }

    #[test]
    fn replays_the_last_day_with_the_forms_settings() {
        use dogwatch_core::wire::QuerySeries;
        const MIN: i64 = 60_000;
        // One point a minute: 300 for 10 minutes, then 900 for 10, then nothing.
        let series = QuerySeries {
            interval: 60,
            pointlist: (0..20)
                .map(|m| (m * MIN, Some(if m < 10 { 300.0 } else { 900.0 })))
                .collect(),
            ..QuerySeries::default()
        };
        let response = QueryResponse {
            series: vec![series],
            ..QueryResponse::default()
        };
        let form = seed();
        let r = form.replay(&response, (0, 60 * MIN)).unwrap();
        // The average over [t−5m, t] is above 500 from 12: (3·300 + 3·900)/6 = 600, while at 11
        // (4·300 + 2·900)/6 = 500 is not above. Above 800 from 15, when the window is all 900.
        assert_eq!(r.spans[0].from_ms, 12 * MIN);
        assert_eq!(r.spans[0].state, State::Warn);
        assert_eq!(r.spans[1].from_ms, 15 * MIN);
        assert_eq!(r.spans[1].state, State::Alert);
        // The form's no-data timeframe (10 minutes) counts from the last point, at 19.
        assert_eq!(r.spans.last().unwrap().from_ms, 29 * MIN);
        assert_eq!(r.spans.last().unwrap().state, State::NoData);
        assert_eq!((r.warnings, r.alerts, r.no_data), (1, 1, 1));
        assert_eq!(
            form.replay_summary(&r),
            "Over the last day it would have alerted once (red), warned once (yellow), \
             reported no data once (grey)."
        );
        let off = MonitorForm {
            notify_no_data: false,
            ..seed()
        };
        let r = off.replay(&response, (0, 60 * MIN)).unwrap();
        assert_eq!(r.no_data, 0);
        assert_eq!(r.spans.last().unwrap().state, State::Alert);
        let quiet = MonitorForm {
            critical: "5000".into(),
            warning: String::new(),
            ..off
        };
        let r = quiet.replay(&response, (0, 60 * MIN)).unwrap();
        assert_eq!(
            quiet.replay_summary(&r),
            "Over the last day it would not have triggered."
        );
        // A week's window does not fit in an hour: nothing is replayed, and the summary says so.
        let week = MonitorForm {
            window: "last_1w".into(),
            ..quiet
        };
        let r = week.replay(&response, (0, 60 * MIN)).unwrap();
        assert_eq!(r.evaluations, 0);
        assert_eq!(
            week.replay_summary(&r),
            "A window of 1 week does not fit in the day shown, so it cannot be replayed here."
        );
        assert!(MonitorForm::default().replay(&response, (0, MIN)).is_none());
        // The graph shows what the evaluator reads: a max over the window keeps each bucket's max.
        let max = MonitorForm {
            time_aggr: "max".into(),
            ..seed()
        };
        assert_eq!(max.graph_query(), "avg:my_metric{host:ubuntu}.rollup(max)");
        assert_eq!(seed().graph_query(), "avg:my_metric{host:ubuntu}");
        let unfinished = MonitorForm {
            critical: String::new(),
            ..max
        };
        assert_eq!(unfinished.graph_query(), "avg:my_metric{host:ubuntu}");
    }

    #[test]
    fn previews_each_state_with_sample_values() {
        let form = seed();
        let alert = form.preview(State::Alert, 0);
        assert!(alert.starts_with("A 880 on ubuntu (10.0.0.1)"), "{alert}");
        assert!(form.preview(State::Warn, 0).starts_with("W 650"));
        assert!(form.preview(State::NoData, 0).starts_with('N'));
        assert!(form.preview(State::Ok, 0).starts_with('R'));
        let script = MonitorForm {
            message: "<script>alert(1)</script>".into(),
            ..seed()
        };
        assert_eq!(script.preview(State::Alert, 0), "<script>alert(1)</script>");
    }
}
