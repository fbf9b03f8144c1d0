//! The server's integration tests, one module per area, in one test binary: each test binary links
//! the whole server, so one binary instead of eight builds much faster. `support` is what they share.

mod api;
mod dashboards;
mod delivery;
mod evaluator;
mod hardening;
mod monitors_api;
mod notify_api;
mod process;
mod support;
