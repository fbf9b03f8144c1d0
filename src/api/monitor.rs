//! The answers of the monitor, event, user and webhook APIs that pages list, read with [`Reader`]
//! into small types (unknown members skipped, missing ones default). A single monitor, its history
//! and the settings are read as `serde_json::Value`s: the form and the status page pick from them.

use super::json::{Reader, Result};

/// One row of `GET /api/v1/monitor`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonitorSummary {
    pub id: i64,
    pub name: String,
    pub query: String,
    pub tags: Vec<String>,
    /// "OK", "Warn", "Alert" or "No Data".
    pub overall_state: String,
    /// Some scope is in `options.silenced`.
    pub muted: bool,
}

/// One event of `GET /api/v1/events` (dogwatch's monitor transitions).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    pub id: i64,
    pub ts_ms: i64,
    pub title: String,
    pub text: String,
    pub alert_type: String,
    pub monitor_id: Option<i64>,
    pub group: String,
    pub to_state: String,
}

/// Someone to @mention (`/api/v1/dogwatch/users`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct User {
    pub handle: String,
    pub name: String,
    pub email: String,
}

/// A webhook to mention as `@webhook-<name>` (`/api/v1/dogwatch/webhooks`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    pub slack_compatible: bool,
}

/// `GET /api/v1/monitor`: an array of monitors.
pub fn monitors(r: &mut Reader) -> Result<Vec<MonitorSummary>> {
    let mut out = Vec::new();
    r.array(&mut |r| {
        let mut m = MonitorSummary::default();
        r.object(&mut |r, key| {
            match key.as_str() {
                "id" => m.id = r.int()?,
                "name" => m.name = r.string()?,
                "query" => m.query = r.string()?,
                "tags" => m.tags = r.strings()?,
                "overall_state" => m.overall_state = r.string()?,
                "options" => r.object(&mut |r, key| match key.as_str() {
                    "silenced" if !r.null() => r.object(&mut |r, _| {
                        m.muted = true;
                        r.skip()
                    }),
                    _ => r.skip(),
                })?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        out.push(m);
        Ok(())
    })?;
    Ok(out)
}

/// `GET /api/v1/events`: `{"events": [...]}`.
pub fn events(r: &mut Reader) -> Result<Vec<Event>> {
    let mut out = Vec::new();
    r.object(&mut |r, key| match key.as_str() {
        "events" => r.array(&mut |r| {
            let mut e = Event::default();
            r.object(&mut |r, key| {
                match key.as_str() {
                    "id" => e.id = r.int()?,
                    "ts_ms" => e.ts_ms = r.int()?,
                    "title" => e.title = r.string()?,
                    "text" => e.text = r.string()?,
                    "alert_type" => e.alert_type = r.string()?,
                    "monitor_id" => e.monitor_id = if r.null() { None } else { Some(r.int()?) },
                    "monitor_group" => e.group = r.opt_string()?.unwrap_or_default(),
                    "to_state" => e.to_state = r.opt_string()?.unwrap_or_default(),
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            out.push(e);
            Ok(())
        }),
        _ => r.skip(),
    })?;
    Ok(out)
}

/// `GET /api/v1/dogwatch/users`: `{"users": [...]}`.
pub fn users(r: &mut Reader) -> Result<Vec<User>> {
    let mut out = Vec::new();
    r.object(&mut |r, key| match key.as_str() {
        "users" => r.array(&mut |r| {
            let mut u = User::default();
            r.object(&mut |r, key| {
                match key.as_str() {
                    "handle" => u.handle = r.string()?,
                    "name" => u.name = r.string()?,
                    "email" => u.email = r.string()?,
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            out.push(u);
            Ok(())
        }),
        _ => r.skip(),
    })?;
    Ok(out)
}

/// `GET /api/v1/dogwatch/webhooks`: `{"webhooks": [...]}`.
pub fn webhooks(r: &mut Reader) -> Result<Vec<Webhook>> {
    let mut out = Vec::new();
    r.object(&mut |r, key| match key.as_str() {
        "webhooks" => r.array(&mut |r| {
            let mut w = Webhook::default();
            r.object(&mut |r, key| {
                match key.as_str() {
                    "name" => w.name = r.string()?,
                    "url" => w.url = r.string()?,
                    "slack_compatible" => w.slack_compatible = r.bool()?,
                    _ => r.skip()?,
                }
                Ok(())
            })?;
            out.push(w);
            Ok(())
        }),
        _ => r.skip(),
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_server_shapes() {
        let text = r#"[{"id": 3, "name": "<b>hi</b>", "query": "avg(last_5m):avg:m{*} > 1",
            "tags": ["a:b"], "overall_state": "Alert", "options": {"silenced": {"*": null},
            "thresholds": {"critical": 1}}, "state": {"groups": {}}},
            {"id": 4, "options": {"silenced": {}}}]"#;
        let list = Reader::parse(text, monitors).expect("reads");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "<b>hi</b>");
        assert!(list[0].muted);
        assert!(!list[1].muted);
        let text = r#"{"events": [{"id": 1, "ts_ms": 5, "title": "t", "monitor_id": 3,
            "monitor_group": "host:a", "to_state": "Alert", "value": null, "host": null}]}"#;
        let events = Reader::parse(text, events).expect("reads");
        assert_eq!(events[0].monitor_id, Some(3));
        assert_eq!(events[0].group, "host:a");
        let u = Reader::parse(
            r#"{"users": [{"handle": "alice", "name": "Alice", "email": "a@x.org"}]}"#,
            users,
        )
        .expect("reads");
        assert_eq!(u[0].email, "a@x.org");
        let w = Reader::parse(
            r#"{"webhooks": [{"name": "ops", "url": "http://x", "slack_compatible": true}]}"#,
            webhooks,
        )
        .expect("reads");
        assert!(w[0].slack_compatible);
    }
}
