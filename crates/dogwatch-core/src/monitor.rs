//! Metric monitors as Datadog has them: the query `avg(last_5m):avg:my_metric{host:ubuntu} > 800`
//! ([`query`]), the thresholds and their rules ([`options`]), the states OK / Warn / Alert / No Data
//! the pure per-group transition ([`state`]) and its replay over past data ([`replay`]), the message template ([`message`]) and the
//! @-mentions that say who is told ([`mention`]).
//!
//! Nothing here reads the clock: [`state::step`] takes `now_ms` and [`message::render`] the trigger
//! times in its context, so the server's evaluator and the UI's preview run the same code.

pub mod mention;
pub mod message;
pub mod options;
pub mod query;
pub mod replay;
pub mod state;

pub use mention::{Mention, mentions};
pub use message::{RenderContext, TemplateError, TemplateErrorKind, check, render};
pub use options::{Problem, ProblemKind, Thresholds, Which, validate};
pub use query::{Comparator, Error, ErrorKind, MonitorQuery, TimeAggr, parse};
pub use replay::{Replay, Span, aggregate, history_spans, replay};
pub use state::{
    Evaluation, GroupStatus, State, StepSettings, Transition, TransitionKind, UnknownState,
    classify, step,
};
