//! A trace's shape from its spans' ids and times: who is whose child, each span's exec time (its
//! own time, not waiting on a child) and the critical path (Jaeger's: from the root's end, the
//! child that ended last, then the one that ended before that child started, and so on down).

/// A span as far as the shape is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub id: u64,
    /// 0, or an id not in the trace, for a root.
    pub parent: u64,
    pub start_ns: i64,
    pub duration_ns: i64,
}

impl Node {
    fn end_ns(&self) -> i64 {
        self.start_ns.saturating_add(self.duration_ns.max(0))
    }
}

/// The trace's spans as a forest: each span's children (by start), and the roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub children: Vec<Vec<usize>>,
    pub roots: Vec<usize>,
}

impl Tree {
    pub fn of(nodes: &[Node]) -> Tree {
        let index: std::collections::HashMap<u64, usize> =
            nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let mut children = vec![Vec::new(); nodes.len()];
        let mut roots = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            match index.get(&n.parent) {
                Some(&p) if n.parent != 0 && p != i => children[p].push(i),
                _ => roots.push(i),
            }
        }
        let by_start = |v: &mut Vec<usize>| v.sort_by_key(|&i| (nodes[i].start_ns, nodes[i].id));
        children.iter_mut().for_each(by_start);
        by_start(&mut roots);
        // A cycle of parents (a broken tracer) would leave spans unreachable: they become roots.
        let mut reached = vec![false; nodes.len()];
        let mut stack = roots.clone();
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut reached[i], true) {
                stack.extend(&children[i]);
            }
        }
        for (i, seen) in reached.iter().enumerate() {
            if !seen {
                if let Some(p) = children.iter().position(|c| c.contains(&i)) {
                    children[p].retain(|&c| c != i);
                }
                roots.push(i);
            }
        }
        Tree { children, roots }
    }

    /// Spans in depth-first order (a parent before its children, children by start), each with
    /// its depth: the rows of a waterfall.
    pub fn depth_first(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.children.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        let mut seen = vec![false; self.children.len()];
        while let Some((i, depth)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            out.push((i, depth));
            stack.extend(self.children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }
}

/// Each span's exec time: its duration less the time covered by its children (clipped to it).
pub fn exec_times(nodes: &[Node], tree: &Tree) -> Vec<i64> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (start, end) = (n.start_ns, n.end_ns());
            let mut spans: Vec<(i64, i64)> = tree.children[i]
                .iter()
                .map(|&c| {
                    (
                        nodes[c].start_ns.clamp(start, end),
                        nodes[c].end_ns().clamp(start, end),
                    )
                })
                .filter(|(s, e)| e > s)
                .collect();
            spans.sort_unstable();
            let (mut covered, mut reach) = (0i64, start);
            for (s, e) in spans {
                let s = s.max(reach);
                if e > s {
                    covered += e - s;
                    reach = e;
                }
            }
            (end - start - covered).max(0)
        })
        .collect()
}

/// Whether each span is on the critical path of its root.
pub fn critical_path(nodes: &[Node], tree: &Tree) -> Vec<bool> {
    let mut on = vec![false; nodes.len()];
    // (span, the time its part of the path ends by)
    let mut stack: Vec<(usize, i64)> = tree.roots.iter().map(|&r| (r, nodes[r].end_ns())).collect();
    while let Some((i, limit)) = stack.pop() {
        if std::mem::replace(&mut on[i], true) {
            continue;
        }
        let mut t = nodes[i].end_ns().min(limit);
        let mut kids = tree.children[i].clone();
        kids.sort_by_key(|&c| std::cmp::Reverse(nodes[c].end_ns()));
        for c in kids {
            if nodes[c].start_ns < t && nodes[c].end_ns() > nodes[i].start_ns {
                stack.push((c, t));
                t = nodes[c].start_ns;
            }
        }
    }
    on
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: u64, parent: u64, start: i64, dur: i64) -> Node {
        Node {
            id,
            parent,
            start_ns: start,
            duration_ns: dur,
        }
    }

    /// root 0..100: a 10..40, b 30..60 (overlapping a), c 70..80; a has d 15..20.
    fn trace() -> Vec<Node> {
        vec![
            n(1, 0, 0, 100),
            n(2, 1, 10, 30),
            n(3, 1, 30, 30),
            n(4, 1, 70, 10),
            n(5, 2, 15, 5),
        ]
    }

    #[test]
    fn exec_time_is_what_children_do_not_cover() {
        let t = trace();
        let tree = Tree::of(&t);
        assert_eq!(tree.roots, vec![0]);
        assert_eq!(tree.children[0], vec![1, 2, 3]);
        // root: 100 - (10..60 ∪ 70..80) = 100 - 60 = 40; a: 30 - 5.
        assert_eq!(exec_times(&t, &tree), vec![40, 25, 30, 10, 5]);
        let rows = tree.depth_first();
        assert_eq!(rows, vec![(0, 0), (1, 1), (4, 2), (2, 1), (3, 1)]);
    }

    #[test]
    fn critical_path_follows_the_last_child_to_end_backwards() {
        let t = trace();
        let tree = Tree::of(&t);
        // From 100: c (ends 80), then before 70 b (ends 60), then before 30 a (ends 40, starts 10)
        // — a began before b's start, so it is on the path; d inside a before 30 too.
        assert_eq!(critical_path(&t, &tree), vec![true, true, true, true, true]);
        // A child entirely overlapped by a later-ending sibling is off the path.
        let t = vec![n(1, 0, 0, 100), n(2, 1, 10, 80), n(3, 1, 20, 10)];
        let tree = Tree::of(&t);
        assert_eq!(critical_path(&t, &tree), vec![true, true, false]);
    }

    #[test]
    fn orphans_and_cycles_become_roots() {
        let t = vec![n(1, 9, 0, 10), n(2, 3, 0, 10), n(3, 2, 0, 10)];
        let tree = Tree::of(&t);
        assert!(tree.roots.contains(&0));
        assert_eq!(tree.depth_first().len(), 3);
    }
}
