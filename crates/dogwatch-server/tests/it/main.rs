//! The server's integration tests, one module per area, in one test binary: each test binary links
//! the whole server, so one binary instead of one per file builds much faster. `support` is what
//! they share.
//!
//! The tests run on parallel threads of this one process, so none may lean on process-wide state:
//! none sets an environment variable (and the real binary gets none of the caller's `DOGWATCH_*`),
//! each has its own temporary directory, and every port is picked by the kernel.

mod accounts;
mod api;
mod apm_views;
mod contract;
mod dashboards;
mod delivery;
mod downtimes;
mod evaluator;
mod events_api;
mod hardening;
mod monitors_api;
mod notify_api;
mod process;
mod snapshots;
mod support;
mod traces;
