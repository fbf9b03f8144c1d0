//! Arithmetic between lines and between groups of lines: `a + b`, `a / 2`, `-a` (rules in the
//! parent module).

use super::Line;

/// `+ - * /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// `None` for a division by zero or a non-finite result.
    fn eval(self, lhs: f64, rhs: f64) -> Option<f64> {
        let v = match self {
            BinaryOp::Add => lhs + rhs,
            BinaryOp::Sub => lhs - rhs,
            BinaryOp::Mul => lhs * rhs,
            BinaryOp::Div if rhs == 0.0 => return None,
            BinaryOp::Div => lhs / rhs,
        };
        v.is_finite().then_some(v)
    }
}

/// One line of a query's result with the group it stands for: `tags` is the `tag_set`
/// (`["host:a"]`), empty for an ungrouped query or a constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouped {
    pub tags: Vec<String>,
    pub line: Line,
}

/// `lhs op rhs` for two query results. A side that is one line without tags applies to every
/// group of the other side (whose tags the results take); otherwise groups pair up by equal tag
/// sets, in `lhs` order, and groups without a partner are dropped.
pub fn binary(op: BinaryOp, lhs: &[Grouped], rhs: &[Grouped]) -> Vec<Grouped> {
    match (single_ungrouped(lhs), single_ungrouped(rhs)) {
        (Some(l), _) => rhs
            .iter()
            .map(|r| Grouped {
                tags: r.tags.clone(),
                line: combine(op, &l.on_grid(r.line.grid), &r.line),
            })
            .collect(),
        (None, Some(r)) => lhs
            .iter()
            .map(|l| Grouped {
                tags: l.tags.clone(),
                line: combine(op, &l.line, r),
            })
            .collect(),
        (None, None) => lhs
            .iter()
            .filter_map(|l| {
                let key = sorted(&l.tags);
                let r = rhs.iter().find(|r| sorted(&r.tags) == key)?;
                Some(Grouped {
                    tags: l.tags.clone(),
                    line: combine(op, &l.line, &r.line),
                })
            })
            .collect(),
    }
}

/// `lhs op rhs` bucket by bucket on `lhs`'s grid; `rhs` values meet by bucket start.
pub fn combine(op: BinaryOp, lhs: &Line, rhs: &Line) -> Line {
    let rhs = rhs.on_grid(lhs.grid);
    let values = lhs
        .values
        .iter()
        .zip(&rhs.values)
        .map(|(l, r)| op.eval((*l)?, (*r)?))
        .collect();
    Line::new(lhs.grid, values)
}

/// Unary minus.
pub fn negate(line: &Line) -> Line {
    line.map(|v| Some(-v))
}

fn single_ungrouped(side: &[Grouped]) -> Option<&Line> {
    match side {
        [only] if only.tags.is_empty() => Some(&only.line),
        _ => None,
    }
}

fn sorted(tags: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = tags.iter().map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::super::testing::{T0, render};
    use super::super::{Grid, Line};
    use super::*;

    fn grid(len: usize) -> Grid {
        Grid {
            start_secs: T0,
            interval_secs: 20,
            len,
        }
    }

    fn line(text: &str) -> Line {
        let values: Vec<Option<f64>> = text
            .split_whitespace()
            .map(|t| t.parse::<f64>().ok())
            .collect();
        Line::new(grid(values.len()), values)
    }

    fn group(tags: &[&str], text: &str) -> Grouped {
        Grouped {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            line: line(text),
        }
    }

    /// Each result as `tags=values`, one per line.
    fn check(result: &[Grouped], expected: &str) {
        let rendered: Vec<String> = result
            .iter()
            .map(|g| format!("{}={}", g.tags.join(","), render(&g.line)))
            .collect();
        assert_eq!(rendered.join("\n"), expected);
    }

    /// `sum:errors{*} by {host} / sum:requests{*} by {host}`: groups pair by host, a host only
    /// on one side is dropped, a missing value or a zero divisor gives no value.
    #[test]
    fn arithmetic_between_two_grouped_lines() {
        let errors = [
            group(&["host:a"], "1 2 3 _"),
            group(&["host:b"], "5 5 5 5"),
            group(&["host:c"], "9 9 9 9"),
        ];
        let requests = [
            group(&["host:b"], "10 0 20 _"),
            group(&["host:a"], "4 4 _ 4"),
        ];
        check(
            &binary(BinaryOp::Div, &errors, &requests),
            "host:a=0.25 0.5 _ _\nhost:b=0.5 _ 0.25 _",
        );
        check(
            &binary(BinaryOp::Add, &errors, &requests),
            "host:a=5 6 _ _\nhost:b=15 5 25 _",
        );
        check(
            &binary(BinaryOp::Sub, &requests, &errors),
            "host:b=5 -5 15 _\nhost:a=3 2 _ _",
        );
    }

    #[test]
    fn tag_sets_pair_whatever_their_order() {
        let lhs = [group(&["host:a", "env:prod"], "2")];
        let rhs = [group(&["env:prod", "host:a"], "3")];
        check(&binary(BinaryOp::Mul, &lhs, &rhs), "host:a,env:prod=6");
    }

    /// `avg:m{*} by {host} * 2` and `100 - avg:m{*} by {host}`: a constant or an ungrouped line
    /// applies to every group.
    #[test]
    fn an_ungrouped_side_broadcasts() {
        let hosts = [group(&["host:a"], "1 2"), group(&["host:b"], "3 _")];
        let two = [group(&[], "2 2")];
        check(
            &binary(BinaryOp::Mul, &hosts, &two),
            "host:a=2 4\nhost:b=6 _",
        );
        let hundred = [Grouped {
            tags: Vec::new(),
            line: Line::constant(grid(2), 100.0),
        }];
        check(
            &binary(BinaryOp::Sub, &hundred, &hosts),
            "host:a=99 98\nhost:b=97 _",
        );
        let total = [group(&[], "4 _")];
        check(
            &binary(BinaryOp::Div, &hosts, &total),
            "host:a=0.25 _\nhost:b=0.75 _",
        );
        check(&binary(BinaryOp::Add, &two, &total), "=6 _");
        check(&binary(BinaryOp::Add, &hosts, &[]), "");
    }

    #[test]
    fn timestamps_align_by_bucket() {
        let a = line("1 2 3");
        let mut b = line("10 20 30");
        b.grid.start_secs = T0 + 20;
        assert_eq!(render(&combine(BinaryOp::Add, &a, &b)), "_ 12 23");
    }

    #[test]
    fn division_by_zero_and_overflow_give_no_value() {
        let a = line("1 0 -1 1e308");
        let b = line("0 0 0 1e-308");
        assert_eq!(render(&combine(BinaryOp::Div, &a, &b)), "_ _ _ _");
        assert_eq!(
            render(&combine(BinaryOp::Mul, &a, &line("2 2 2 10"))),
            "2 0 -2 _"
        );
    }

    #[test]
    fn unary_minus() {
        assert_eq!(render(&negate(&line("1 _ -2.5 0"))), "-1 _ 2.5 0");
    }
}
