//! Two traces side by side (Jaeger's trace compare, by kind of span rather than by node): for each
//! `(service, name, resource)`, how many spans and how much time each trace spent there, and whether
//! the second is new, gone, slower or faster there.

use std::collections::BTreeMap;

use super::tree::{Node, Tree, exec_times};
use crate::wire::TraceSpan;

/// How the second trace differs from the first for one kind of span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Only in the second.
    New,
    /// Only in the first.
    Gone,
    /// More than [`SLOWER`] times the first's time, and at least [`MIN_DELTA_NS`] more.
    Slower,
    /// Less than the first's time by the same measure.
    Faster,
    Same,
}

/// Relative change that counts as slower (or, inverted, faster).
pub const SLOWER: f64 = 1.2;
/// Smallest absolute change that counts (1 ms): noise below it.
pub const MIN_DELTA_NS: i64 = 1_000_000;

/// One kind of span in both traces.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanDiff {
    pub service: String,
    pub name: String,
    pub resource: String,
    pub count: [u64; 2],
    /// Sum of the spans' durations in each trace.
    pub total_ns: [i64; 2],
    /// Sum of their exec times (not waiting on children).
    pub exec_ns: [i64; 2],
    pub change: Change,
}

fn sums(spans: &[TraceSpan]) -> BTreeMap<(String, String, String), (u64, i64, i64)> {
    let nodes: Vec<Node> = spans
        .iter()
        .map(|s| Node {
            id: s.span_id.parse().unwrap_or(0),
            parent: s.parent_id.parse().unwrap_or(0),
            start_ns: s.start_ns,
            duration_ns: s.duration_ns,
        })
        .collect();
    let tree = Tree::of(&nodes);
    let exec = exec_times(&nodes, &tree);
    let mut out: BTreeMap<(String, String, String), (u64, i64, i64)> = BTreeMap::new();
    for (s, e) in spans.iter().zip(exec) {
        let k = out
            .entry((s.service.clone(), s.name.clone(), s.resource.clone()))
            .or_default();
        k.0 += 1;
        k.1 = k.1.saturating_add(s.duration_ns);
        k.2 = k.2.saturating_add(e);
    }
    out
}

/// The kinds of span of `a` and `b`, the biggest changes in exec time first.
pub fn compare(a: &[TraceSpan], b: &[TraceSpan]) -> Vec<SpanDiff> {
    let (sa, sb) = (sums(a), sums(b));
    let mut keys: Vec<&(String, String, String)> = sa.keys().chain(sb.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<SpanDiff> = keys
        .into_iter()
        .map(|key| {
            let x = sa.get(key).copied().unwrap_or_default();
            let y = sb.get(key).copied().unwrap_or_default();
            #[allow(clippy::cast_precision_loss)]
            let change = match (x.0, y.0) {
                (0, _) => Change::New,
                (_, 0) => Change::Gone,
                _ if y.1 - x.1 >= MIN_DELTA_NS && y.1 as f64 > x.1 as f64 * SLOWER => {
                    Change::Slower
                }
                _ if x.1 - y.1 >= MIN_DELTA_NS && x.1 as f64 > y.1 as f64 * SLOWER => {
                    Change::Faster
                }
                _ => Change::Same,
            };
            SpanDiff {
                service: key.0.clone(),
                name: key.1.clone(),
                resource: key.2.clone(),
                count: [x.0, y.0],
                total_ns: [x.1, y.1],
                exec_ns: [x.2, y.2],
                change,
            }
        })
        .collect();
    out.sort_by_key(|d| std::cmp::Reverse((d.exec_ns[1] - d.exec_ns[0]).abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(id: u64, parent: u64, service: &str, name: &str, start: i64, ms: i64) -> TraceSpan {
        TraceSpan {
            trace_id: "1".to_owned(),
            span_id: id.to_string(),
            parent_id: parent.to_string(),
            service: service.to_owned(),
            name: name.to_owned(),
            resource: name.to_owned(),
            kind: String::new(),
            start_ns: start,
            duration_ns: ms * 1_000_000,
            error: false,
            meta: BTreeMap::new(),
            metrics: BTreeMap::new(),
        }
    }

    #[test]
    fn kinds_of_span_are_new_gone_slower_faster_or_the_same() {
        let a = vec![
            span(1, 0, "web", "request", 0, 50),
            span(2, 1, "db", "query", 0, 10),
            span(3, 1, "cache", "get", 0, 2),
            span(4, 1, "api", "call", 0, 20),
        ];
        let b = vec![
            span(1, 0, "web", "request", 0, 90),
            span(2, 1, "db", "query", 0, 40),
            span(5, 1, "db", "query", 0, 5),
            span(4, 1, "api", "call", 0, 10),
            span(6, 1, "queue", "push", 0, 3),
        ];
        let d = compare(&a, &b);
        let of = |name: &str| d.iter().find(|x| x.name == name).expect(name);
        assert_eq!(of("query").change, Change::Slower);
        assert_eq!(of("query").count, [1, 2]);
        assert_eq!(of("query").total_ns, [10_000_000, 45_000_000]);
        assert_eq!(of("get").change, Change::Gone);
        assert_eq!(of("push").change, Change::New);
        assert_eq!(of("call").change, Change::Faster);
        // web: 50 - (10 ∪ 2 ∪ 20 from 0) = 30 exec; then 90 - 40 = 50.
        assert_eq!(of("request").exec_ns, [30_000_000, 50_000_000]);
        assert_eq!(of("request").change, Change::Slower);
        let tiny = compare(&[span(1, 0, "w", "r", 0, 1)], &[span(1, 0, "w", "r", 0, 1)]);
        assert_eq!(tiny[0].change, Change::Same);
    }
}
