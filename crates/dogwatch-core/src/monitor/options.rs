//! A monitor's thresholds (`options.thresholds`) and the rules they must follow with the query.
//!
//! The rules, in Datadog's terms, for a query `… > 800` (mirrored for `<` and `<=`):
//!
//! - `critical`, when given, equals the query's threshold (the query is where the alert threshold
//!   lives; `critical` only repeats it);
//! - `warning` is below the alert threshold for `>` and `>=` (above it for `<` and `<=`): a warning
//!   that comes after the alert would never show;
//! - `critical_recovery` is strictly below the alert threshold and `warning_recovery` strictly below
//!   the warning threshold, for `>` and for `>=` alike (strictly above for `<` and `<=`): a recovery
//!   threshold equal to its threshold would add nothing;
//! - `warning_recovery` needs a `warning`;
//! - with `==` and `!=`, which order nothing, the warning differs from the alert threshold and there
//!   are no recovery thresholds;
//! - every threshold is a finite number.
//!
//! [`validate`] reports every problem at once, each naming its field, so a form can mark them all.

use std::fmt;

use crate::query::ast::format_number;

use super::query::{Comparator, MonitorQuery};

/// `options.thresholds` of a metric monitor.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Thresholds {
    /// The alert threshold; the query's threshold when absent.
    pub critical: Option<f64>,
    pub warning: Option<f64>,
    /// An alerting group recovers only once the value is no longer past this one.
    pub critical_recovery: Option<f64>,
    /// A warning group recovers only once the value is no longer past this one.
    pub warning_recovery: Option<f64>,
}

impl Thresholds {
    /// These thresholds with `critical` filled in from the query when absent.
    pub fn with_query(self, query: &MonitorQuery) -> Thresholds {
        Thresholds {
            critical: Some(self.critical.unwrap_or(query.threshold)),
            ..self
        }
    }
}

/// One broken rule: the field it is about and what is wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Problem {
    /// The JSON path of the field, e.g. `options.thresholds.warning`.
    pub field: &'static str,
    pub kind: ProblemKind,
}

/// What is wrong with a threshold. Values are the ones the user gave.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The threshold is NaN or infinite.
    NotFinite { value: f64 },
    /// `critical` differs from the query's threshold.
    CriticalMismatch { critical: f64, query: f64 },
    /// A threshold is on the wrong side of (or equal to) the one it must stay within.
    WrongSide {
        /// What is wrong, e.g. "warning threshold must be below the alert threshold".
        which: Which,
        value: f64,
        limit: f64,
        comparator: Comparator,
    },
    /// With `==` or `!=`, the warning equals the alert threshold.
    WarningEqualsCritical { value: f64, comparator: Comparator },
    /// A recovery threshold with `==` or `!=`.
    RecoveryWithoutOrder { comparator: Comparator },
    /// `warning_recovery` without `warning`.
    WarningRecoveryWithoutWarning,
}

/// Which pair of thresholds a [`ProblemKind::WrongSide`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Which {
    /// The warning against the alert threshold.
    Warning,
    /// The alert recovery against the alert threshold.
    CriticalRecovery,
    /// The warning recovery against the warning threshold.
    WarningRecovery,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        match self.kind {
            ProblemKind::NotFinite { value } => {
                write!(f, "{field} must be a finite number, not {value}")
            }
            ProblemKind::CriticalMismatch { critical, query } => write!(
                f,
                "{field} ({}) must equal the query's threshold ({})",
                format_number(critical),
                format_number(query)
            ),
            ProblemKind::WrongSide {
                which,
                value,
                limit,
                comparator,
            } => {
                let (what, against) = match which {
                    Which::Warning => ("warning threshold", "the alert threshold"),
                    Which::CriticalRecovery => ("alert recovery threshold", "the alert threshold"),
                    Which::WarningRecovery => {
                        ("warning recovery threshold", "the warning threshold")
                    }
                };
                let side = if comparator.alerts_above() == Some(false) {
                    "above"
                } else {
                    "below"
                };
                write!(
                    f,
                    "{what} must be {side} {against} for `{comparator}`: {field} is {}, {against} \
                     {}",
                    format_number(value),
                    format_number(limit)
                )
            }
            ProblemKind::WarningEqualsCritical { value, comparator } => write!(
                f,
                "warning threshold must differ from the alert threshold for `{comparator}`: {field} \
                 is {}, the same",
                format_number(value)
            ),
            ProblemKind::RecoveryWithoutOrder { comparator } => write!(
                f,
                "recovery thresholds need a comparator with a direction (<, <=, >, >=), not \
                 `{comparator}`: remove {field}"
            ),
            ProblemKind::WarningRecoveryWithoutWarning => write!(
                f,
                "{field} needs a warning threshold (options.thresholds.warning)"
            ),
        }
    }
}

const CRITICAL: &str = "options.thresholds.critical";
const WARNING: &str = "options.thresholds.warning";
const CRITICAL_RECOVERY: &str = "options.thresholds.critical_recovery";
const WARNING_RECOVERY: &str = "options.thresholds.warning_recovery";

/// Checks `thresholds` against `query`; every broken rule of the module doc, in field order.
pub fn validate(query: &MonitorQuery, thresholds: &Thresholds) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |field, kind| problems.push(Problem { field, kind });
    let cmp = query.comparator;
    let alert = query.threshold;

    let fields = [
        (CRITICAL, thresholds.critical),
        (WARNING, thresholds.warning),
        (CRITICAL_RECOVERY, thresholds.critical_recovery),
        (WARNING_RECOVERY, thresholds.warning_recovery),
    ];
    for (field, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_finite()) {
            problem(field, ProblemKind::NotFinite { value });
        }
    }
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite());

    if let Some(critical) = finite(thresholds.critical)
        && critical != alert
    {
        problem(
            CRITICAL,
            ProblemKind::CriticalMismatch {
                critical,
                query: alert,
            },
        );
    }

    // `inside(value, limit)`: `value` is strictly short of `limit` in the alerting direction (below
    // it for `>`), as a warning or a recovery threshold must be.
    let ordered = cmp.alerts_above();
    let inside = |value: f64, limit: f64| match ordered {
        Some(true) => value < limit,
        Some(false) => value > limit,
        None => true,
    };
    let warning = finite(thresholds.warning);
    if let Some(value) = warning {
        if ordered.is_none() {
            if value == alert {
                problem(
                    WARNING,
                    ProblemKind::WarningEqualsCritical {
                        value,
                        comparator: cmp,
                    },
                );
            }
        } else if !inside(value, alert) {
            problem(
                WARNING,
                ProblemKind::WrongSide {
                    which: Which::Warning,
                    value,
                    limit: alert,
                    comparator: cmp,
                },
            );
        }
    }

    let recoveries = [
        (
            CRITICAL_RECOVERY,
            finite(thresholds.critical_recovery),
            Which::CriticalRecovery,
            Some(alert),
        ),
        (
            WARNING_RECOVERY,
            finite(thresholds.warning_recovery),
            Which::WarningRecovery,
            warning,
        ),
    ];
    for (field, value, which, limit) in recoveries {
        let Some(value) = value else { continue };
        if ordered.is_none() {
            problem(field, ProblemKind::RecoveryWithoutOrder { comparator: cmp });
            continue;
        }
        match limit {
            None => problem(field, ProblemKind::WarningRecoveryWithoutWarning),
            Some(limit) if !inside(value, limit) => problem(
                field,
                ProblemKind::WrongSide {
                    which,
                    value,
                    limit,
                    comparator: cmp,
                },
            ),
            Some(_) => {}
        }
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::query::parse;

    /// The problems of `thresholds` against `query`, one message per line, or `ok`.
    fn problems(query: &str, thresholds: Thresholds) -> String {
        let Ok(query) = parse(query) else {
            return format!("bad test query {query}");
        };
        match validate(&query, &thresholds) {
            Ok(()) => "ok".to_owned(),
            Err(problems) => {
                let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
                lines.join("\n")
            }
        }
    }

    fn t(
        critical: Option<f64>,
        warning: Option<f64>,
        critical_recovery: Option<f64>,
        warning_recovery: Option<f64>,
    ) -> Thresholds {
        Thresholds {
            critical,
            warning,
            critical_recovery,
            warning_recovery,
        }
    }

    const ABOVE: &str = "avg(last_5m):avg:my_metric{*} > 800";
    const AT_LEAST: &str = "avg(last_5m):avg:my_metric{*} >= 800";
    const BELOW: &str = "avg(last_5m):avg:my_metric{*} < 10";

    #[test]
    fn seed_monitor_is_valid() {
        assert_eq!(
            problems(ABOVE, t(Some(800.0), Some(500.0), None, None)),
            "ok"
        );
        assert_eq!(problems(ABOVE, t(None, None, None, None)), "ok");
        assert_eq!(
            problems(ABOVE, t(Some(800.0), Some(500.0), Some(700.0), Some(400.0))),
            "ok"
        );
        assert_eq!(
            problems(BELOW, t(Some(10.0), Some(20.0), Some(15.0), Some(25.0))),
            "ok"
        );
    }

    #[test]
    fn critical_must_equal_the_query() {
        insta::assert_snapshot!(problems(ABOVE, t(Some(700.0), None, None, None)), @"options.thresholds.critical (700) must equal the query's threshold (800)");
    }

    #[test]
    fn warning_must_come_before_the_alert() {
        insta::assert_snapshot!(problems(ABOVE, t(None, Some(900.0), None, None)), @"warning threshold must be below the alert threshold for `>`: options.thresholds.warning is 900, the alert threshold 800");
        insta::assert_snapshot!(problems(AT_LEAST, t(None, Some(800.0), None, None)), @"warning threshold must be below the alert threshold for `>=`: options.thresholds.warning is 800, the alert threshold 800");
        insta::assert_snapshot!(problems(BELOW, t(None, Some(5.0), None, None)), @"warning threshold must be above the alert threshold for `<`: options.thresholds.warning is 5, the alert threshold 10");
    }

    #[test]
    fn recoveries_are_strictly_inside_their_threshold() {
        // Equal is refused for `>` and for `>=` alike.
        insta::assert_snapshot!(problems(ABOVE, t(None, None, Some(800.0), None)), @"alert recovery threshold must be below the alert threshold for `>`: options.thresholds.critical_recovery is 800, the alert threshold 800");
        insta::assert_snapshot!(problems(AT_LEAST, t(None, None, Some(800.0), None)), @"alert recovery threshold must be below the alert threshold for `>=`: options.thresholds.critical_recovery is 800, the alert threshold 800");
        assert_eq!(problems(AT_LEAST, t(None, None, Some(799.5), None)), "ok");
        insta::assert_snapshot!(problems(ABOVE, t(None, Some(500.0), None, Some(600.0))), @"warning recovery threshold must be below the warning threshold for `>`: options.thresholds.warning_recovery is 600, the warning threshold 500");
        insta::assert_snapshot!(problems(BELOW, t(None, Some(20.0), Some(9.0), Some(20.0))), @"
        alert recovery threshold must be above the alert threshold for `<`: options.thresholds.critical_recovery is 9, the alert threshold 10
        warning recovery threshold must be above the warning threshold for `<`: options.thresholds.warning_recovery is 20, the warning threshold 20
        ");
        insta::assert_snapshot!(problems(ABOVE, t(None, None, None, Some(400.0))), @"options.thresholds.warning_recovery needs a warning threshold (options.thresholds.warning)");
    }

    #[test]
    fn unordered_comparators() {
        let eq = "avg(last_5m):avg:m{*} == 1";
        assert_eq!(problems(eq, t(Some(1.0), Some(2.0), None, None)), "ok");
        insta::assert_snapshot!(problems(eq, t(None, Some(1.0), Some(0.0), None)), @"
        warning threshold must differ from the alert threshold for `==`: options.thresholds.warning is 1, the same
        recovery thresholds need a comparator with a direction (<, <=, >, >=), not `==`: remove options.thresholds.critical_recovery
        ");
    }

    #[test]
    fn every_problem_at_once() {
        insta::assert_snapshot!(problems(ABOVE, t(Some(f64::NAN), Some(900.0), Some(f64::INFINITY), Some(950.0))), @"
        options.thresholds.critical must be a finite number, not NaN
        options.thresholds.critical_recovery must be a finite number, not inf
        warning threshold must be below the alert threshold for `>`: options.thresholds.warning is 900, the alert threshold 800
        warning recovery threshold must be below the warning threshold for `>`: options.thresholds.warning_recovery is 950, the warning threshold 900
        ");
    }

    #[test]
    fn problems_name_their_field() {
        let Ok(q) = parse(ABOVE) else { return };
        let Err(problems) = validate(&q, &t(Some(1.0), Some(900.0), None, None)) else {
            panic!("should fail")
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, [CRITICAL, WARNING]);
    }
}
