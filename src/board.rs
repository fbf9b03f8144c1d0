//! Dashboards as plain data: the board model read from and written to Datadog's dashboard JSON, the
//! numbers non-graph widgets show, and the board view's URL state. No signals, so it is
//! tested natively; the pages in `pages/board` put it on screen.

pub mod model;
pub mod values;
pub mod view;
