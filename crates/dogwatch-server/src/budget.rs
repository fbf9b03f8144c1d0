//! What one query request, or one monitor's evaluation, may cost: a number of comma-separated
//! queries, a number of stored points read, and a time after which it stops; and the flag that
//! stops it when the client that asked has gone away.
//!
//! Evaluation runs on the blocking pool (`Store::read`), so an async worker is never held; the
//! store's reader charges every point it hands to the evaluator to the [`Budget`] and checks the
//! clock and the flag every [`CHECK_EVERY`] rows, so a query over its budget stops within a few
//! milliseconds of passing it.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Rows read between two looks at the clock and the cancel flag.
pub const CHECK_EVERY: u64 = 4096;

/// The limits, from `--query-timeout` and `--query-max-points`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    pub timeout: Duration,
    pub max_points: u64,
    /// Most comma-separated queries in one request.
    pub max_queries: usize,
}

/// `--query-timeout`'s default.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// `--query-max-points`' default.
pub const DEFAULT_MAX_POINTS: u64 = 5_000_000;

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            max_points: DEFAULT_MAX_POINTS,
            max_queries: 64,
        }
    }
}

impl QueryLimits {
    /// Refuses a request with more comma-separated queries than [`QueryLimits::max_queries`]. A
    /// query text that does not parse passes here: the evaluator reports where it is wrong.
    pub fn check_count(&self, query_text: &str) -> Result<(), Exceeded> {
        let count = dogwatch_core::query::parse(query_text).map_or(0, |list| list.exprs.len());
        if count > self.max_queries {
            return Err(Exceeded::Queries {
                count,
                limit: self.max_queries,
            });
        }
        Ok(())
    }
}

/// Which limit a query passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exceeded {
    Queries {
        count: usize,
        limit: usize,
    },
    Points {
        limit: u64,
    },
    Time {
        limit: Duration,
    },
    /// The client went away; nobody reads this answer.
    Cancelled,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exceeded::Queries { count, limit } => write!(
                f,
                "the request has {count} comma-separated queries; at most {limit} are evaluated in one request: split them over several requests"
            ),
            Exceeded::Points { limit } => write!(
                f,
                "the query reads more than {limit} stored points (--query-max-points): narrow its scope (e.g. {{host:web-1}} instead of {{*}}) or shorten the time window"
            ),
            Exceeded::Time { limit } => write!(
                f,
                "the query took longer than {} s (--query-timeout): narrow its scope, shorten the time window, or use fewer functions",
                limit.as_secs_f64()
            ),
            Exceeded::Cancelled => f.write_str("the query was cancelled: its client went away"),
        }
    }
}

impl std::error::Error for Exceeded {}

/// One evaluation's running budget. Not shared between threads: the evaluation owns it; the
/// cancel flag is what other threads touch.
#[derive(Debug)]
pub struct Budget {
    limits: QueryLimits,
    deadline: Instant,
    points: Cell<u64>,
    rows_since_check: Cell<u64>,
    cancelled: Arc<AtomicBool>,
}

impl Budget {
    /// A fresh budget whose time starts now.
    pub fn new(limits: QueryLimits) -> Budget {
        Budget {
            limits,
            deadline: Instant::now() + limits.timeout,
            points: Cell::new(0),
            rows_since_check: Cell::new(0),
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A guard that cancels this budget's evaluation when dropped, unless [`CancelOnDrop::disarm`]
    /// was called: a request handler holds it, so a client that disconnects (hyper drops the
    /// handler) stops the evaluation running on the blocking pool.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(Some(self.cancelled.clone()))
    }

    /// The clock and the cancel flag.
    pub fn check(&self) -> Result<(), Exceeded> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Exceeded::Cancelled);
        }
        if Instant::now() >= self.deadline {
            return Err(Exceeded::Time {
                limit: self.limits.timeout,
            });
        }
        Ok(())
    }

    /// Charges `n` points read; looks at the clock and the flag every [`CHECK_EVERY`] rows.
    pub fn charge(&self, n: u64) -> Result<(), Exceeded> {
        let points = self.points.get().saturating_add(n);
        self.points.set(points);
        if points > self.limits.max_points {
            return Err(Exceeded::Points {
                limit: self.limits.max_points,
            });
        }
        self.watch(n)
    }

    /// Counts `n` rows read without charging them as points: the clock and the flag are still
    /// looked at every [`CHECK_EVERY`] rows (a monitor cycle's shared read of a whole metric).
    pub fn watch(&self, n: u64) -> Result<(), Exceeded> {
        let rows = self.rows_since_check.get().saturating_add(n);
        if rows >= CHECK_EVERY {
            self.rows_since_check.set(0);
            self.check()
        } else {
            self.rows_since_check.set(rows);
            Ok(())
        }
    }

    /// Points charged so far.
    pub fn points(&self) -> u64 {
        self.points.get()
    }
}

/// Sets its budget's cancel flag when dropped (see [`Budget::cancel_on_drop`]).
#[derive(Debug)]
pub struct CancelOnDrop(Option<Arc<AtomicBool>>);

impl CancelOnDrop {
    /// The evaluation finished: dropping the guard no longer cancels anything.
    pub fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_over_the_limit_and_a_dropped_guard_stop_the_evaluation() {
        let limits = QueryLimits {
            max_points: 10_000,
            ..QueryLimits::default()
        };
        let budget = Budget::new(limits);
        assert_eq!(budget.charge(10_000), Ok(()));
        assert_eq!(budget.charge(1), Err(Exceeded::Points { limit: 10_000 }));

        let budget = Budget::new(QueryLimits::default());
        budget.cancel_on_drop().disarm();
        assert_eq!(budget.check(), Ok(()));
        drop(budget.cancel_on_drop());
        assert_eq!(budget.check(), Err(Exceeded::Cancelled));
        // The flag is seen at the next check, after at most CHECK_EVERY rows.
        assert_eq!(budget.charge(CHECK_EVERY), Err(Exceeded::Cancelled));
    }

    #[test]
    fn time_runs_out_and_too_many_queries_are_refused_before_any_read() {
        let budget = Budget::new(QueryLimits {
            timeout: Duration::ZERO,
            ..QueryLimits::default()
        });
        assert!(matches!(budget.check(), Err(Exceeded::Time { .. })));
        let limits = QueryLimits {
            max_queries: 2,
            ..QueryLimits::default()
        };
        assert_eq!(limits.check_count("avg:a{*}, avg:b{*}"), Ok(()));
        assert_eq!(
            limits.check_count("avg:a{*}, avg:b{*}, avg:c{*}"),
            Err(Exceeded::Queries { count: 3, limit: 2 })
        );
        assert_eq!(limits.check_count("avg:a{"), Ok(()));
    }
}
