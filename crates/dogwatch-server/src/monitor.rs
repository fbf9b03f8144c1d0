//! A metric monitor's definition as the API takes and stores it: checking a request body (every
//! problem at once, each naming its field), Datadog's type normalisation (`metric alert` is stored
//! and shown as `query alert`) and option defaults, and reading a stored body back into the typed
//! [`Definition`] the evaluator and the handlers use. The query, threshold and message rules are
//! core's (`dogwatch_core::monitor`); this module only maps JSON onto them.

use dogwatch_core::monitor::{self, MonitorQuery, StepSettings, Thresholds};
use serde_json::{Map, Value, json};

/// The type every metric monitor is stored and shown with (Datadog's current name).
pub const QUERY_ALERT: &str = "query alert";

/// Longest message accepted, in bytes (a notification is no place for a novel).
const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// A stored monitor, typed.
#[derive(Debug, Clone)]
pub struct Definition {
    pub name: String,
    pub message: String,
    pub tags: Vec<String>,
    pub query_text: String,
    pub query: MonitorQuery,
    pub thresholds: Thresholds,
    pub notify_no_data: bool,
    /// Minutes; twice the window when not given.
    pub no_data_timeframe_min: i64,
    /// Minutes; `None`: never renotify.
    pub renotify_interval_min: Option<i64>,
    pub evaluation_delay_secs: i64,
    pub require_full_window: bool,
    /// `[Triggered on {host:ubuntu}] name` rather than `[Triggered] name`.
    pub include_tags: bool,
    /// Seconds a new group of a multi-alert monitor waits, from when it is first seen, before it
    /// is evaluated: `options.new_group_delay`, else the deprecated `new_host_delay`, else 300.
    pub new_group_delay_secs: i64,
}

/// Datadog's default `new_host_delay`, in seconds.
pub const DEFAULT_NEW_GROUP_DELAY_SECS: i64 = 300;

impl Definition {
    /// Reads a body that [`check`] accepted earlier. An error means the stored row was changed by
    /// hand or by an older rule; the evaluator skips such a monitor and says why.
    pub fn from_body(body: &Map<String, Value>) -> Result<Definition, String> {
        let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let query_text = text("query");
        let query = monitor::parse(&query_text).map_err(|e| format!("query: {e}"))?;
        let empty = Map::new();
        let options = body
            .get("options")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let thresholds = thresholds_of(options).map_err(|e| e.join("; "))?;
        let int = |k: &str| options.get(k).and_then(Value::as_i64);
        let flag =
            |k: &str, default: bool| options.get(k).and_then(Value::as_bool).unwrap_or(default);
        Ok(Definition {
            name: text("name"),
            message: text("message"),
            tags: body
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            no_data_timeframe_min: int("no_data_timeframe")
                .filter(|&m| m > 0)
                .unwrap_or(query.window_secs / 60 * 2),
            query_text,
            query,
            thresholds,
            notify_no_data: flag("notify_no_data", false),
            renotify_interval_min: int("renotify_interval").filter(|&m| m > 0),
            evaluation_delay_secs: int("evaluation_delay").unwrap_or(0).max(0),
            require_full_window: flag("require_full_window", false),
            include_tags: flag("include_tags", true),
            new_group_delay_secs: int("new_group_delay")
                .or_else(|| int("new_host_delay"))
                .unwrap_or(DEFAULT_NEW_GROUP_DELAY_SECS)
                .max(0),
        })
    }

    /// What core's `step` needs.
    pub fn step_settings(&self) -> StepSettings {
        StepSettings {
            notify_no_data: self.notify_no_data,
            no_data_timeframe_secs: self.no_data_timeframe_min.saturating_mul(60),
            renotify_interval_secs: self.renotify_interval_min.map(|m| m.saturating_mul(60)),
            ..StepSettings::new(&self.query, &self.thresholds)
        }
    }
}

/// A JSON number, written as an integer when it is one (Datadog shows `800`, not `800.0`).
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// `options.thresholds` as core's [`Thresholds`]; errors name the field.
fn thresholds_of(options: &Map<String, Value>) -> Result<Thresholds, Vec<String>> {
    let mut t = Thresholds::default();
    let mut errors = Vec::new();
    match options.get("thresholds") {
        None | Some(Value::Null) => {}
        Some(Value::Object(obj)) => {
            for (key, slot) in [
                ("critical", &mut t.critical),
                ("warning", &mut t.warning),
                ("critical_recovery", &mut t.critical_recovery),
                ("warning_recovery", &mut t.warning_recovery),
            ] {
                match obj.get(key) {
                    None | Some(Value::Null) => {}
                    Some(Value::Number(n)) => *slot = n.as_f64(),
                    // datadogpy users sometimes write thresholds as strings ("800").
                    Some(Value::String(s)) if s.trim().parse::<f64>().is_ok() => {
                        *slot = s.trim().parse::<f64>().ok();
                    }
                    Some(_) => errors.push(format!("options.thresholds.{key} must be a number")),
                }
            }
        }
        Some(_) => errors.push("options.thresholds must be an object".to_owned()),
    }
    if errors.is_empty() {
        Ok(t)
    } else {
        Err(errors)
    }
}

/// How a request names the type: Datadog's metric monitor types, or something else.
fn check_type(value: Option<&Value>, errors: &mut Vec<String>) {
    match value {
        None | Some(Value::Null) => errors.push("type is required (use \"metric alert\")".into()),
        Some(Value::String(t)) if t == "metric alert" || t == QUERY_ALERT => {}
        Some(Value::String(t)) => errors.push(format!(
            "type `{t}` is not supported: dogwatch monitors are \"metric alert\" (shown as \"query alert\")"
        )),
        Some(_) => errors.push("type must be a string".into()),
    }
}

/// Checks a complete monitor definition (a create, or an update merged onto the stored one) and
/// returns the body to store: type normalised, options with their defaults, server-owned fields
/// dropped. Every problem is reported, each naming its field.
pub fn check(mut obj: Map<String, Value>) -> Result<Map<String, Value>, Vec<String>> {
    let mut errors = Vec::new();
    check_type(obj.get("type"), &mut errors);

    let query = match obj.get("query") {
        None | Some(Value::Null) => {
            errors.push("query is required, e.g. \"avg(last_5m):avg:my_metric{*} > 800\"".into());
            None
        }
        Some(Value::String(q)) => match monitor::parse(q) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                errors.push(format!("query: {e}"));
                None
            }
        },
        Some(_) => {
            errors.push("query must be a string".into());
            None
        }
    };

    for key in ["name", "message"] {
        match obj.get(key) {
            None | Some(Value::Null | Value::String(_)) => {}
            Some(_) => errors.push(format!("{key} must be a string")),
        }
    }
    if let Some(Value::String(message)) = obj.get("message") {
        if message.len() > MAX_MESSAGE_BYTES {
            errors.push(format!("message is longer than {MAX_MESSAGE_BYTES} bytes"));
        } else if let Err(e) = monitor::check(message) {
            errors.push(format!("message: {e}"));
        }
    }
    match obj.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) => {
            for (i, tag) in tags.iter().enumerate() {
                if !tag.is_string() {
                    errors.push(format!("tags[{i}] must be a string"));
                }
            }
        }
        Some(_) => errors.push("tags must be an array of strings".into()),
    }
    match obj.get("priority") {
        None | Some(Value::Null) => {}
        Some(p) if p.as_i64().is_some_and(|p| (1..=5).contains(&p)) => {}
        Some(p) => errors.push(format!("priority must be an integer from 1 to 5, not {p}")),
    }

    let mut options = match obj.remove("options") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => {
            errors.push("options must be an object".into());
            Map::new()
        }
    };
    // Mute state is kept beside the definition (see store/monitors.rs) and set through mute/unmute.
    options.remove("silenced");
    match thresholds_of(&options) {
        Ok(t) => {
            if let Some(q) = &query
                && let Err(problems) = monitor::validate(q, &t)
            {
                errors.extend(problems.iter().map(ToString::to_string));
            }
        }
        Err(e) => errors.extend(e),
    }
    for key in [
        "notify_no_data",
        "require_full_window",
        "include_tags",
        "notify_audit",
    ] {
        match options.get(key) {
            None | Some(Value::Null | Value::Bool(_)) => {}
            Some(_) => errors.push(format!("options.{key} must be true or false")),
        }
    }
    let limits: [(&str, i64, i64, &str); 6] = [
        ("no_data_timeframe", 1, 7 * 24 * 60 * 2, "minutes"),
        ("renotify_interval", 0, 7 * 24 * 60 * 4, "minutes"),
        ("evaluation_delay", 0, 86_400, "seconds"),
        ("new_host_delay", 0, 86_400 * 7, "seconds"),
        ("new_group_delay", 0, 86_400 * 7, "seconds"),
        ("timeout_h", 0, 24 * 365, "hours"),
    ];
    for (key, min, max, unit) in limits {
        match options.get(key) {
            None | Some(Value::Null) => {}
            Some(v) if v.as_i64().is_some_and(|n| (min..=max).contains(&n)) => {}
            Some(v) => errors.push(format!(
                "options.{key} must be a whole number of {unit} from {min} to {max}, not {v}"
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    obj.insert("type".into(), json!(QUERY_ALERT));
    if !matches!(obj.get("name"), Some(Value::String(s)) if !s.trim().is_empty()) {
        let q = obj.get("query").cloned().unwrap_or(Value::Null);
        obj.insert("name".into(), q);
    }
    for (key, default) in [
        ("message", json!("")),
        ("tags", json!([])),
        ("priority", Value::Null),
    ] {
        if obj.get(key).is_none_or(Value::is_null) {
            obj.insert(key.into(), default);
        }
    }
    let notify_no_data = options
        .get("notify_no_data")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let window_min = query.as_ref().map_or(5, |q| q.window_secs / 60);
    let defaults = [
        ("notify_no_data", json!(false)),
        // Datadog shows the timeframe only when no-data notifications are on.
        (
            "no_data_timeframe",
            if notify_no_data {
                json!(window_min * 2)
            } else {
                Value::Null
            },
        ),
        ("renotify_interval", Value::Null),
        ("evaluation_delay", json!(0)),
        // `new_group_delay` (which wins when both are set) is kept only when given.
        ("new_host_delay", json!(DEFAULT_NEW_GROUP_DELAY_SECS)),
        ("require_full_window", json!(false)),
        ("include_tags", json!(true)),
        ("notify_audit", json!(false)),
        ("timeout_h", Value::Null),
        ("escalation_message", json!("")),
        ("thresholds", json!({})),
    ];
    for (key, default) in defaults {
        if options.get(key).is_none_or(Value::is_null) {
            options.insert(key.into(), default);
        }
    }
    if let (Some(q), Some(Value::Object(t))) = (&query, options.get_mut("thresholds"))
        && t.get("critical").is_none_or(Value::is_null)
    {
        t.insert("critical".into(), number(q.threshold));
    }
    obj.insert("options".into(), Value::Object(options));
    for key in [
        "id",
        "org_id",
        "creator",
        "created",
        "created_at",
        "modified",
        "multi",
        "overall_state",
        "overall_state_modified",
        "state",
        "deleted",
        "matching_downtimes",
    ] {
        obj.remove(key);
    }
    Ok(obj)
}

/// Merges a partial update onto a stored body: top-level fields replace, `options` is merged key
/// by key (so `{"options": {"renotify_interval": 30}}` keeps the thresholds). When the query
/// changes without new thresholds, `critical` is dropped so it follows the new query.
pub fn merge(mut stored: Map<String, Value>, update: Map<String, Value>) -> Map<String, Value> {
    let query_changed = update
        .get("query")
        .is_some_and(|q| Some(q) != stored.get("query"));
    let new_thresholds = update
        .get("options")
        .and_then(|o| o.get("thresholds"))
        .is_some();
    for (key, value) in update {
        match (key.as_str(), value) {
            ("options", Value::Object(new)) => {
                let mut options = match stored.remove("options") {
                    Some(Value::Object(o)) => o,
                    _ => Map::new(),
                };
                for (k, v) in new {
                    options.insert(k, v);
                }
                stored.insert(key, Value::Object(options));
            }
            (_, value) => {
                stored.insert(key, value);
            }
        }
    }
    if query_changed
        && !new_thresholds
        && let Some(Value::Object(t)) = stored
            .get_mut("options")
            .and_then(|o| o.get_mut("thresholds"))
    {
        t.remove("critical");
    }
    stored
}

/// Whether a silenced map (`{scope: end_secs | null}`) mutes `group_key` at `now_secs`: the scope
/// `*` mutes every group; any other scope mutes the groups having each of its tags.
pub fn is_muted(silenced: &Map<String, Value>, group_key: &str, now_secs: i64) -> bool {
    let group_tags: Vec<&str> = group_key.split(',').collect();
    silenced.iter().any(|(scope, end)| {
        let active = end.as_i64().is_none_or(|end| end > now_secs);
        let covers = scope == "*"
            || scope
                .split(',')
                .map(str::trim)
                .all(|tag| group_tags.contains(&tag));
        active && covers
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn check_normalises_and_fills_defaults() {
        let out = check(body(json!({
            "type": "metric alert",
            "query": "avg(last_5m):avg:my_metric{host:ubuntu} > 800",
            "options": {"thresholds": {"warning": 500}, "notify_no_data": true},
        })))
        .expect("valid");
        assert_eq!(out["type"], "query alert");
        assert_eq!(out["options"]["thresholds"]["critical"], 800);
        assert_eq!(out["options"]["no_data_timeframe"], 10);
        assert_eq!(out["options"]["include_tags"], true);
        let def = Definition::from_body(&out).expect("definition");
        assert_eq!(def.no_data_timeframe_min, 10);
        assert_eq!(def.step_settings().no_data_timeframe_secs, 600);
        assert_eq!(def.new_group_delay_secs, 300);
        assert!(out["options"].get("new_group_delay").is_none());
    }

    #[test]
    fn new_group_delay_wins_over_new_host_delay() {
        let q = "avg(last_5m):avg:m{*} by {host} > 1";
        let delay = |options: Value| {
            let out = check(body(
                json!({"type": "metric alert", "query": q, "options": options}),
            ))
            .expect("valid");
            Definition::from_body(&out)
                .expect("definition")
                .new_group_delay_secs
        };
        assert_eq!(delay(json!({"new_host_delay": 60})), 60);
        assert_eq!(delay(json!({"new_group_delay": 0})), 0);
        assert_eq!(
            delay(json!({"new_group_delay": 30, "new_host_delay": 600})),
            30
        );
        let Err(errors) = check(body(json!({
            "type": "metric alert", "query": q, "options": {"new_group_delay": -5},
        }))) else {
            panic!("should fail")
        };
        assert!(
            errors.join("\n").contains("options.new_group_delay"),
            "{errors:?}"
        );
    }

    #[test]
    fn check_reports_every_problem_with_its_field() {
        let Err(errors) = check(body(json!({
            "type": "log alert",
            "query": "avg(last_5m):avg:my_metric{*} > 800",
            "options": {"thresholds": {"critical": 700, "warning": "x"}, "renotify_interval": -1},
            "priority": 9,
        }))) else {
            panic!("should fail")
        };
        let text = errors.join("\n");
        assert!(text.contains("type `log alert`"), "{text}");
        assert!(
            text.contains("options.thresholds.warning must be a number"),
            "{text}"
        );
        assert!(text.contains("options.renotify_interval"), "{text}");
        assert!(text.contains("priority"), "{text}");
    }

    #[test]
    fn muting_by_scope() {
        let s = body(json!({"host:a": null, "host:b": 100}));
        assert!(is_muted(&s, "host:a", 50));
        assert!(is_muted(&s, "env:x,host:a", 50));
        assert!(is_muted(&s, "host:b", 50));
        assert!(!is_muted(&s, "host:b", 100));
        assert!(!is_muted(&s, "*", 50));
        assert!(is_muted(&body(json!({"*": null})), "host:c", 50));
    }
}
