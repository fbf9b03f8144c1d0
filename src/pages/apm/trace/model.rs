//! A trace as the trace view draws it, worked out once per answer: the waterfall's rows (depth
//! first), each span's exec time, the critical path, the services in the order they appear (each
//! with its colour and share of exec time), the flame graph's spans per depth; and a span's SQL
//! in lines, its error and its host. Plain data, tested natively.

use std::collections::HashMap;

use dogwatch_chart::{Rgb, SpanBar, Window, service_color};
use dogwatch_core::apm::tree::{Node, Tree, critical_path, exec_times};
use dogwatch_core::wire::{Trace, TraceSpan};

/// A row of the waterfall: a span and how deep it lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub span: usize,
    pub depth: usize,
}

/// A service's part of the trace: the span list by service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePart {
    pub service: String,
    pub color: Rgb,
    pub spans: usize,
    pub total_ns: i64,
    pub exec_ns: i64,
    /// exec_ns over the whole trace's exec time.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceModel {
    pub trace: Trace,
    pub rows: Vec<Row>,
    /// Each span's row.
    pub row_of: Vec<usize>,
    pub exec_ns: Vec<i64>,
    pub critical: Vec<bool>,
    /// Each span's service, as an index into `services` (in the order they first appear, which
    /// gives their colours).
    pub service_of: Vec<usize>,
    pub services: Vec<ServicePart>,
    /// `service  resource`, the waterfall's and flame graph's label of each span.
    pub labels: Vec<String>,
    /// Spans at each depth, by start: the flame graph's rows.
    pub by_depth: Vec<Vec<usize>>,
    /// From the first start to the last end.
    pub whole: Window,
}

impl TraceModel {
    pub fn of(trace: Trace) -> TraceModel {
        let spans = &trace.spans;
        // Ids are decimal text; one that is not (a broken client) gets an id of its own.
        let nodes: Vec<Node> = spans
            .iter()
            .enumerate()
            .map(|(i, s)| Node {
                id: s.span_id.parse().unwrap_or(u64::MAX - i as u64),
                parent: s.parent_id.parse().unwrap_or(0),
                start_ns: s.start_ns,
                duration_ns: s.duration_ns.max(0),
            })
            .collect();
        let tree = Tree::of(&nodes);
        let rows: Vec<Row> = tree
            .depth_first()
            .into_iter()
            .map(|(span, depth)| Row { span, depth })
            .collect();
        let mut row_of = vec![0; spans.len()];
        let mut by_depth: Vec<Vec<usize>> = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            row_of[row.span] = r;
            if by_depth.len() <= row.depth {
                by_depth.resize(row.depth + 1, Vec::new());
            }
            by_depth[row.depth].push(row.span);
        }
        for level in &mut by_depth {
            level.sort_by_key(|&i| spans[i].start_ns);
        }
        let exec_ns = exec_times(&nodes, &tree);
        let critical = critical_path(&nodes, &tree);

        // Services in the order their first span starts.
        let mut order: Vec<usize> = (0..spans.len()).collect();
        order.sort_by_key(|&i| spans[i].start_ns);
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut services: Vec<ServicePart> = Vec::new();
        for &i in &order {
            let name = spans[i].service.as_str();
            if !index.contains_key(name) {
                index.insert(name, services.len());
                services.push(ServicePart {
                    service: name.to_owned(),
                    color: service_color(services.len()),
                    spans: 0,
                    total_ns: 0,
                    exec_ns: 0,
                    share: 0.0,
                });
            }
        }
        let service_of: Vec<usize> = spans.iter().map(|s| index[s.service.as_str()]).collect();
        for (i, s) in spans.iter().enumerate() {
            let part = &mut services[service_of[i]];
            part.spans += 1;
            part.total_ns += s.duration_ns.max(0);
            part.exec_ns += exec_ns[i];
        }
        let all_exec: i64 = services.iter().map(|p| p.exec_ns).sum();
        for part in &mut services {
            part.share = if all_exec > 0 {
                part.exec_ns as f64 / all_exec as f64
            } else {
                0.0
            };
        }
        let labels = spans
            .iter()
            .map(|s| format!("{}  {}", s.service, s.resource))
            .collect();
        let start = spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
        let end = spans
            .iter()
            .map(|s| s.start_ns.saturating_add(s.duration_ns.max(0)))
            .max()
            .unwrap_or(start + 1);
        TraceModel {
            rows,
            row_of,
            exec_ns,
            critical,
            service_of,
            services,
            labels,
            by_depth,
            whole: Window::new(start, end),
            trace,
        }
    }

    /// Span `i` as a bar.
    pub fn bar(&self, i: usize) -> SpanBar {
        let s = &self.trace.spans[i];
        SpanBar {
            start_ns: s.start_ns,
            end_ns: s.start_ns.saturating_add(s.duration_ns.max(0)),
            color: self.services[self.service_of[i]].color,
            critical: self.critical[i],
            error: s.error,
        }
    }

    /// The services, most exec time first: the span list by service.
    pub fn services_by_exec(&self) -> Vec<&ServicePart> {
        let mut parts: Vec<&ServicePart> = self.services.iter().collect();
        parts.sort_by(|a, b| b.exec_ns.cmp(&a.exec_ns).then(a.service.cmp(&b.service)));
        parts
    }

    /// The first root: whose service and resource name the trace.
    pub fn root(&self) -> Option<&TraceSpan> {
        self.rows.first().map(|r| &self.trace.spans[r.span])
    }

    /// The span at `ns` on the flame graph's `depth`, if any.
    pub fn span_at(&self, depth: usize, ns: i64) -> Option<usize> {
        let level = self.by_depth.get(depth)?;
        level.iter().copied().find(|&i| {
            let s = &self.trace.spans[i];
            s.start_ns <= ns && ns <= s.start_ns.saturating_add(s.duration_ns.max(0))
        })
    }
}

/// The SQL statement of a database span, if it is one: `sql.query` or `db.statement`, else the
/// resource of a span whose type is `sql`.
pub fn sql_of(span: &TraceSpan) -> Option<&str> {
    span.meta
        .get("sql.query")
        .or_else(|| span.meta.get("db.statement"))
        .map(String::as_str)
        .or_else(|| (span.kind == "sql" || span.kind == "db").then_some(span.resource.as_str()))
}

/// SQL laid out on lines by `sqlformat` (keywords upper case, a clause a line, two-space indent).
pub fn sql_lines(sql: &str) -> String {
    let options = sqlformat::FormatOptions {
        uppercase: Some(true),
        ..sqlformat::FormatOptions::default()
    };
    sqlformat::format(sql, &sqlformat::QueryParams::None, &options)
}

/// A span's error as the tracers tag it: (type, message, stack), each when present.
pub fn error_of(span: &TraceSpan) -> Option<(String, String, String)> {
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| span.meta.get(*k))
            .cloned()
            .unwrap_or_default()
    };
    let kind = get(&["error.type", "error.kind"]);
    let message = get(&["error.msg", "error.message"]);
    let stack = get(&["error.stack"]);
    (span.error || !kind.is_empty() || !message.is_empty() || !stack.is_empty())
        .then_some((kind, message, stack))
}

/// The host a span ran on, when its tracer said.
pub fn host_of(span: &TraceSpan) -> Option<&str> {
    ["host", "_dd.hostname", "host.name", "hostname"]
        .iter()
        .find_map(|k| span.meta.get(*k))
        .map(String::as_str)
        .filter(|h| !h.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn span(id: u64, parent: u64, service: &str, start: i64, dur: i64) -> TraceSpan {
        TraceSpan {
            trace_id: "1".into(),
            span_id: id.to_string(),
            parent_id: parent.to_string(),
            service: service.into(),
            name: "op".into(),
            resource: format!("res{id}"),
            kind: "web".into(),
            start_ns: start,
            duration_ns: dur,
            error: false,
            meta: BTreeMap::new(),
            metrics: BTreeMap::new(),
        }
    }

    #[test]
    fn rows_services_and_exec_times() {
        // web 0..100 calls db 20..60 and web's own child 70..80.
        let model = TraceModel::of(Trace {
            trace_id: "1".into(),
            spans: vec![
                span(1, 0, "web", 0, 100),
                span(3, 1, "web", 70, 10),
                span(2, 1, "db", 20, 40),
            ],
        });
        let order: Vec<usize> = model.rows.iter().map(|r| r.span).collect();
        assert_eq!(order, vec![0, 2, 1]);
        assert_eq!(model.rows[1].depth, 1);
        assert_eq!(model.row_of[1], 2);
        assert_eq!(model.exec_ns, vec![50, 10, 40]);
        // web: 60 of 100 exec; db: 40.
        assert_eq!(model.services[0].service, "web");
        assert_eq!(model.services[0].exec_ns, 60);
        assert_eq!(model.services[1].spans, 1);
        assert!((model.services[1].share - 0.4).abs() < 1e-9);
        assert_ne!(model.bar(0).color, model.bar(2).color);
        assert_eq!(model.bar(0).color, model.bar(1).color);
        assert_eq!(model.whole, Window::new(0, 100));
        assert_eq!(model.span_at(1, 30), Some(2));
        assert_eq!(model.span_at(1, 65), None);
        assert_eq!(model.root().map(|s| s.service.as_str()), Some("web"));
    }

    #[test]
    fn sql_is_laid_out_a_clause_a_line() {
        let sql =
            sql_lines("select id, name from users where a = 'x from y' and b > 2 order by id");
        let lines: Vec<&str> = sql.lines().collect();
        assert_eq!(lines.first(), Some(&"SELECT"));
        assert!(lines.contains(&"FROM"), "{sql}");
        assert!(lines.iter().any(|l| l.contains("'x from y'")), "{sql}");
        assert!(lines.contains(&"ORDER BY"), "{sql}");
        assert_eq!(sql_lines(""), "");
    }

    #[test]
    fn errors_and_hosts_are_read_from_the_tags() {
        let mut s = span(1, 0, "web", 0, 1);
        assert_eq!(error_of(&s), None);
        s.meta.insert("error.msg".into(), "boom".into());
        s.meta.insert("_dd.hostname".into(), "ubuntu".into());
        assert_eq!(
            error_of(&s),
            Some((String::new(), "boom".into(), String::new()))
        );
        assert_eq!(host_of(&s), Some("ubuntu"));
    }
}
